#!/bin/sh
# bench/ui.sh VIGIL WORKDIR [N] — the dashboard's overview load time with N (default 1,000)
# indexed images: N Clair manifests with distinct hashes whose layers are the registry's Debian
# and Alpine test images (so indexing is cheap: every layer is cached after the first), posted
# to `vigil serve` with the shared feeds loaded. Then, in headless Chromium (tests/ui/ui.mjs
# bench), the time from navigation until the list has rendered: first load on a fresh server
# (cold summary cache: every image matched), then warm loads. Baselines in the same run: one
# curl of GET /healthz, and curl of every page of GET /dashboard/api/v1/images cold (fresh
# server) and warm. Also prints the size of the embedded assets. Called by bench/run.
set -eu
vigil=$1 work=$2
count=${3:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/tests/api
images=$root/build/test-images
shared=${VIGIL_SHARED:-$(cd "$root/.." && pwd)/shared}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/lib.sh"
trap 'cleanup_servers; registry_stop' EXIT
runs=${VG_BENCH_RUNS:-5}

echo "assets (embedded, uncompressed bytes):" $(cd "$root/src/api/ui" && for f in *; do printf '%s %s, ' "$f" "$(wc -c <"$f")"; done) \
    "total $(cat "$root"/src/api/ui/* | wc -c), gzip -9 $(cat "$root"/src/api/ui/* | gzip -9 | wc -c)"

registry_with_images >/dev/null
push_alpine
db=$work/vigil.db
"$vigil" update --no-progress --db "$db" --source debian,alpine,osv --mirror "$work/mirror" >/dev/null
serve_start W --db "$db" --set updaters.on_start=false --set updaters.interval=0 --set log.level=warn
clair_manifest test >"$work/m-test.json"
clair_manifest alpine "http://127.0.0.1:$PPORT/v2/alpine/blobs" >"$work/m-alpine.json"

t0=$(date +%s.%N)
python3 - "$W_URL" "$work/m-test.json" "$work/m-alpine.json" "$count" <<'PY'
import concurrent.futures, hashlib, json, sys, urllib.request
url, deb, alp, n = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), int(sys.argv[4])
def post(i):
    m = dict(alp if i % 2 else deb)
    m["hash"] = "sha256:" + hashlib.sha256(b"vigil-bench-ui-%d" % i).hexdigest()
    kind = "alpine" if i % 2 else "debian"
    rq = urllib.request.Request(url + "/indexer/api/v1/index_report", data=json.dumps(m).encode(),
                                headers={"Content-Type": "application/json",
                                         "X-Vigil-Repository": "bench.example/%s/app-%04d:1" % (kind, i)})
    with urllib.request.urlopen(rq) as r:
        assert r.status == 201, r.status
with concurrent.futures.ThreadPoolExecutor(2) as ex:
    list(ex.map(post, range(n)))
PY
t1=$(date +%s.%N)
echo "indexed $count manifests in $(echo "$t1 - $t0" | bc | cut -c1-6)s"

curl_all() { # seconds to fetch every page of the images JSON
    python3 - "$W_URL" <<'PY'
import json, sys, time, urllib.request
t0, after, total = time.monotonic(), "", 0
while True:
    page = json.load(urllib.request.urlopen(sys.argv[1] + "/dashboard/api/v1/images?limit=500" + ("&after=" + after if after else "")))
    total += len(page["images"])
    if not page["next"]:
        break
    after = page["next"]
print("%.3f %d" % (time.monotonic() - t0, total))
PY
}
curl_one() { curl -s -o /dev/null -w '%{time_total}' "$1"; }
restart() {
    serve_stop "$W_PID" || true
    serve_start W --db "$db" --set updaters.on_start=false --set updaters.interval=0 --set log.level=warn
}

# The API alone, cold then warm.
restart
api_cold=$(curl_all)
api_warm=$(curl_all)
health=$(curl_one "$W_URL/healthz")
echo "baseline: GET /healthz ${health}s; every page of /dashboard/api/v1/images (curl): cold $api_cold images, warm $api_warm images (seconds, count)"

# The browser: a fresh server (cold cache), then warm loads.
restart
export VIGIL_URL=$W_URL
RUNS=1 node "$root/tests/ui/ui.mjs" bench >"$work/cold.json"
RUNS=$runs node "$root/tests/ui/ui.mjs" bench >"$work/warm.json"
python3 - "$work/cold.json" "$work/warm.json" "$count" <<'PY'
import json, statistics, sys
cold, warm, n = json.loads(open(sys.argv[1]).read().splitlines()[-1]), json.loads(open(sys.argv[2]).read().splitlines()[-1]), int(sys.argv[3])
assert all(r["rows"] == n for r in cold + warm), (cold, warm)
w = sorted(r["wall"] for r in warm)
m = sorted(r["mark"] for r in warm)
print("overview until the list has rendered (%d rows), Playwright wall time from goto: cold %d ms; "
      "warm median %d ms (min %d, max %d, %d runs)" % (n, cold[0]["wall"], statistics.median(w), w[0], w[-1], len(w)))
print("  in-page, from navigation start to the list's rendering code done: cold %d ms; warm median %d ms"
      % (cold[0]["mark"], statistics.median(m)))
PY
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$W_PID/status")
echo "server RSS after: $rss KiB"
serve_stop "$W_PID" || true
