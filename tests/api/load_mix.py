#!/usr/bin/python3
# load_mix.py --url U --manifest M.json --reports H1,H2 --log FILE --stop FILE [--threads N]
# — the request load of pgrestart.sh: N threads, each alternating a POST of a new manifest
# (M's layers under a fresh hash, so every POST is a real index job on cached layers) with a
# GET of a vulnerability report of one of the given hashes, until the --stop file appears.
# Every request is logged as a JSON line {t, kind, hash, status, code, json_ok}: status 0 when
# the connection failed, code the body's Clair error code, json_ok whether the body parsed.
import argparse, hashlib, json, os, threading, time, urllib.error, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--url", required=True)
ap.add_argument("--manifest", required=True)
ap.add_argument("--reports", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--stop", required=True)
ap.add_argument("--threads", type=int, default=4)
args = ap.parse_args()
base = json.load(open(args.manifest))
reports = [h for h in args.reports.split(",") if h]
lock = threading.Lock()
out = open(args.log, "a")


def call(method, path, body=None):
    req = urllib.request.Request(args.url + path, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except Exception:
        return 0, b""


def log(kind, h, status, body):
    code, ok = None, False
    try:
        j = json.loads(body) if body else None
        ok = j is not None
        if isinstance(j, dict):
            code = j.get("code")
    except ValueError:
        pass
    with lock:
        out.write(json.dumps({"t": time.time(), "kind": kind, "hash": h, "status": status,
                              "code": code, "json_ok": ok}) + "\n")
        out.flush()


def worker(k):
    i = 0
    while not os.path.exists(args.stop):
        i += 1
        m = dict(base)
        m["hash"] = "sha256:" + hashlib.sha256(("%d-%d-%f" % (k, i, time.time())).encode()).hexdigest()
        st, body = call("POST", "/indexer/api/v1/index_report", json.dumps(m).encode())
        log("index", m["hash"], st, body)
        h = reports[i % len(reports)]
        st, body = call("GET", "/matcher/api/v1/vulnerability_report/" + h)
        log("report", h, st, body)
        time.sleep(0.02)


ts = [threading.Thread(target=worker, args=(k,)) for k in range(args.threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
