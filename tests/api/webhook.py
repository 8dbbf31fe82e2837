#!/usr/bin/python3
# webhook.py --port N --log FILE [--key K] [--fail 500,timeout,...] — a webhook receiver for
# the notification tests. Every POST is appended to --log as one JSON line: the body, the
# signature header, whether it verifies against --key (HMAC-SHA256 over "<t>." + body, the
# X-Vigil-Signature scheme) and the status answered. --fail lists answers for the first
# requests: a status code, or "timeout" (hold the request 5 s, longer than the sender waits);
# after the list, 200. Listens on 127.0.0.1:N (N chosen by the test).
import argparse, hashlib, hmac, http.server, json, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--key", default="")
ap.add_argument("--fail", default="")
args = ap.parse_args()
plan = [p for p in args.fail.split(",") if p]
lock = threading.Lock()


def verify(sig, body):
    if not sig or not args.key:
        return False
    parts = dict(p.split("=", 1) for p in sig.split(",") if "=" in p)
    mac = hmac.new(args.key.encode(), (parts.get("t", "") + ".").encode() + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts.get("v1", ""))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            answer = plan.pop(0) if plan else "200"
        sig = self.headers.get("X-Vigil-Signature", "")
        rec = {"t": time.time(), "path": self.path, "body": body.decode("utf-8", "replace"),
               "signature": sig, "sig_ok": verify(sig, body), "answer": answer}
        with lock, open(args.log, "a") as fh:
            fh.write(json.dumps(rec) + "\n")
        if answer == "timeout":
            time.sleep(5)
            answer = "200"
        code = int(answer)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
srv.serve_forever()
