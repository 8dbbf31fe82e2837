#!/usr/bin/python3
"""feeds.py VIGIL SHARED WORK — ingest benchmark for `vigil update`: for every real feed in
SHARED/feeds, and for generated OSV and NVD-shaped feeds of 200,000 records, the wall time and
peak RSS of `vigil update --url` into a fresh store, against `python3 -c json.load` of the same
files in the same run (the baseline: parsing only, no normalization, no store)."""
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile

vigil, shared, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
feeds = os.path.join(shared, "feeds")


def timed(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + cmd, capture_output=True, text=True)
    line = [l for l in r.stderr.splitlines() if l.startswith("TIME ")][-1].split()
    return r.returncode, float(line[1]), int(line[2]), r.stdout + r.stderr


def json_files(path):
    if os.path.isfile(path):
        return [path]
    out = []
    for root, _, files in os.walk(path):
        out += [os.path.join(root, f) for f in sorted(files) if f.endswith(".json")]
    return out


PY = ("import json,sys,zipfile\n"
      "for f in sys.argv[1:]:\n"
      "    if f.endswith('.zip'):\n"
      "        z = zipfile.ZipFile(f)\n"
      "        [json.loads(z.read(n)) for n in z.namelist() if n.endswith('.json')]\n"
      "    else:\n"
      "        json.load(open(f))\n")


def bench(name, source, url, files):
    db = os.path.join(work, "".join(c if c.isalnum() else "_" for c in name) + ".db")
    for p in (db, db + "-wal", db + "-shm", db + "-lock"):
        if os.path.exists(p):
            os.remove(p)
    shutil.rmtree(db + ".feedcache", ignore_errors=True)
    rc, t, rss, out = timed([vigil, "update", "--no-progress", "--db", db, "--source", source,
                             "--url", url])
    if rc != 0:
        print(f"{name:44s} vigil FAILED: {out.strip()[:200]}")
        return
    n = out.split("advisories in op")[0].split(";")[-1].strip() if "advisories in op" in out else "?"
    _, tp, rssp, _ = timed(["/usr/bin/python3", "-c", PY] + files)
    size = sum(os.path.getsize(f) for f in files)
    print(f"{name:44s} {size / 1e6:8.1f} MB {n:>18s}  vigil {t:6.2f} s {rss / 1024:7.1f} MiB"
          f"   python json.load {tp:6.2f} s {rssp / 1024:7.1f} MiB   ratio {t / tp if tp else 0:5.2f}")


print(f"{'input':44s} {'size':>11s} {'advisories':>18s}  vigil update --url (time, peak RSS)"
      f"  baseline")
for v in ("v3.10", "v3.11"):
    for repo in ("main", "community"):
        f = os.path.join(feeds, "alpine/secdb", v, repo + ".json")
        bench(f"alpine {v} {repo}", "alpine", f, [f])
for f in sorted(os.listdir(os.path.join(feeds, "debian/tracker-json"))):
    p = os.path.join(feeds, "debian/tracker-json", f)
    bench("debian " + f, "debian", p, [p])
for src, sub in (("ubuntu", "ubuntu/osv/cve"), ("rhel", "rhel/csaf-vex"), ("nvd", "nvd")):
    d = os.path.join(feeds, sub)
    bench(f"{src} ({sub})", src, d, json_files(d))
z = os.path.join(feeds, "osv/osvdev-all-zip/PyPI-all.zip")
if os.path.exists(z):
    bench("osv PyPI all.zip", "osv", z, [z])

# Generated: 200,000 OSV records in one zip, and 200,000 NVD records in 100 API pages.
rnd = random.Random(7)
N = 200_000
gz = os.path.join(work, "osv-200k.zip")
if not os.path.exists(gz):
    with zipfile.ZipFile(gz, "w", zipfile.ZIP_DEFLATED) as zz:
        for i in range(N):
            rec = {"id": f"GHSA-gen-{i:06d}", "modified": "2026-01-01T00:00:00Z",
                   "summary": "generated record for the ingest benchmark",
                   "aliases": [f"CVE-2026-{i:06d}"],
                   "affected": [{"package": {"ecosystem": "PyPI", "name": f"pkg{rnd.randrange(20000)}"},
                                 "ranges": [{"type": "ECOSYSTEM", "events": [
                                     {"introduced": "0"}, {"fixed": f"{rnd.randrange(9)}.{rnd.randrange(30)}.{rnd.randrange(30)}"}]}]}],
                   "references": [{"type": "WEB", "url": f"https://example.org/advisory/{i}"}]}
            zz.writestr(f"GHSA-gen-{i:06d}.json", json.dumps(rec))
bench("generated OSV, 200,000 records (zip)", "osv", gz, [gz])
nd = os.path.join(work, "nvd-200k")
if not os.path.isdir(nd):
    os.makedirs(nd)
    per = 2000
    for page in range(N // per):
        vulns = []
        for k in range(per):
            i = page * per + k
            vulns.append({"cve": {"id": f"CVE-2026-{i:06d}", "published": "2026-01-01T00:00:00.000",
                                  "lastModified": "2026-01-02T00:00:00.000", "vulnStatus": "Analyzed",
                                  "descriptions": [{"lang": "en", "value": "generated record " * 8}],
                                  "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary",
                                      "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                                                   "baseScore": 9.8, "baseSeverity": "CRITICAL"}}]},
                                  "weaknesses": [{"source": "nvd@nist.gov", "type": "Primary",
                                                  "description": [{"lang": "en", "value": "CWE-787"}]}],
                                  "references": [{"url": f"https://example.org/{i}"}]}})
        json.dump({"resultsPerPage": per, "startIndex": page * per, "totalResults": N,
                   "format": "NVD_CVE", "version": "2.0", "vulnerabilities": vulns},
                  open(os.path.join(nd, f"page-{page:03d}.json"), "w"))
bench("generated NVD, 200,000 records (100 pages)", "nvd", nd, json_files(nd))
