#!/bin/sh
# bench/api.sh VIGIL WORKDIR — `vigil serve` throughput with wrk on loopback (2 threads, 8
# connections, 10 s each): the baseline is GET /healthz on the same server in the same run (the
# HTTP stack alone); then a cached vulnerability_report (the Alpine demo image, and the 4-layer
# Debian image), and POST index_report of a fully cached manifest. Prints requests/s, p50, p99,
# the ratio to the baseline, and the server's RSS after each. Called by bench/run.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")/../tests/api" && pwd)
images=$(cd "$(dirname "$0")/.." && pwd)/build/test-images
shared=${VIGIL_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/lib.sh"
trap 'cleanup_servers; registry_stop' EXIT
secs=${VG_BENCH_SECONDS:-10}

registry_with_images >/dev/null
push_alpine
db=$work/vigil.db
"$vigil" update --no-progress --db "$db" --source debian,alpine,osv --mirror "$work/mirror" >/dev/null
serve_start W --db "$db" --set updaters.on_start=false --set updaters.interval=0 --set log.level=warn
for t in alpine test; do
    base=http://127.0.0.1:$PORT/v2/debian/blobs
    [ $t = alpine ] && base=http://127.0.0.1:$PORT/v2/alpine/blobs
    clair_manifest $t "$base" >"$work/m-$t.json"
    req "$work/r" POST "$W_URL/indexer/api/v1/index_report" --data-binary "@$work/m-$t.json"
done
hash() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$1"; }
ahash=$(hash "$work/m-alpine.json")
dhash=$(hash "$work/m-test.json")
cat >"$work/post.lua" <<LUA
local f = io.open("$work/m-test.json"); local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body; wrk.headers["Content-Type"] = "application/json"
LUA

base_rps=""
run() { # run LABEL URL [wrk args]
    label=$1 url=$2
    shift 2
    wrk -t2 -c8 -d"${secs}s" --latency "$@" "$url" >"$work/wrk.txt"
    rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    bad=$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" | tr '\n' ' ' || true)
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$W_PID/status")
    [ -n "$base_rps" ] || base_rps=$rps
    printf '%-44s %10s req/s  p50 %-9s p99 %-9s  %5s of baseline  server RSS %s KiB %s\n' \
        "$label" "$rps" "$p50" "$p99" "$(echo "scale=2; $rps / $base_rps" | bc)" "$rss" "$bad"
}
run "GET /healthz (baseline)" "$W_URL/healthz"
run "GET vulnerability_report (alpine, cached)" "$W_URL/matcher/api/v1/vulnerability_report/$ahash"
run "GET vulnerability_report (debian, cached)" "$W_URL/matcher/api/v1/vulnerability_report/$dhash"
run "POST index_report (debian, fully cached)" "$W_URL/indexer/api/v1/index_report" -s "$work/post.lua"
serve_stop "$W_PID" || true
