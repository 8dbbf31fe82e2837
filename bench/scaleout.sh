#!/bin/sh
# bench/scaleout.sh VIGIL WORKDIR — `vigil serve` on PostgreSQL, one and three instances, against
# one instance on SQLite, in the same run (run under tests/pg/with_pg.sh, which starts a real
# PostgreSQL; bench/run does). wrk on loopback, the same total client connections (8) in every
# setup, VG_BENCH_SECONDS (default 10) each:
#   healthz  GET /healthz: the HTTP stack alone (the per-setup baseline);
#   report   GET vulnerability_report of the Debian test image (cached render; the store is read
#            for the manifest stamp and the data generation on every request);
#   index    POST index_report of a new manifest per request (a fresh hash over the Alpine
#            image's layers, which are cached): an index job and a manifest write each.
# Three instances are driven by three wrk processes (3+3+2 connections) and their req/s summed.
# Then the notification computation (bench_notify) at 100,000 manifests on PostgreSQL.
set -eu
vigil=$1 work=$2
bench_notify=${3:-}
here=$(cd "$(dirname "$0")/../tests/api" && pwd)
images=$(cd "$(dirname "$0")/.." && pwd)/build/test-images
shared=${VIGIL_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
: "${VG_PG_DSN:?run under tests/pg/with_pg.sh}"
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/lib.sh"
trap 'cleanup_servers; registry_stop' EXIT
secs=${VG_BENCH_SECONDS:-10}

registry_with_images >/dev/null
push_alpine
db=$work/vigil.db
"$vigil" update --no-progress --db "$db" --source debian,alpine --mirror "$work/mirror" >/dev/null
"$vigil" db copy --from "sqlite:$db" --to "$VG_PG_DSN" >/dev/null
clair_manifest test >"$work/m-test.json"
clair_manifest alpine "http://127.0.0.1:$PORT/v2/alpine/blobs" >"$work/m-alpine.json"
dhash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$work/m-test.json")

opts="--set updaters.on_start=false --set updaters.interval=0 --set log.level=warn
--set http.threads=16 --set indexer.max_concurrent=12"
run_id=$(date +%s)
# post.lua: every request a new manifest hash; wrk threads and runs never repeat one.
cat >"$work/post.lua" <<LUA
local f = io.open("$work/m-alpine.json"); local body = f:read("*a"); f:close()
local n, tid = 0, 0
function setup(thread) tid = tid + 1; thread:set("tid", tid) end
function init(args) salt = tonumber(args[1]) end
function request()
  n = n + 1
  local h = string.format("sha256:%016x%016x%032x", salt, tid, n)
  local b = body:gsub('"hash": "sha256:[0-9a-f]+"', '"hash": "' .. h .. '"', 1)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, b)
end
LUA

wrk_one() { # wrk_one OUT CONNS THREADS URL SALT [wrk options]: the salt goes to post.lua
    out=$1 c=$2 t=$3 url=$4 salt=$5
    shift 5
    wrk -t"$t" -c"$c" -d"${secs}s" "$@" "$url" "$salt" >"$out" 2>&1
}
rps_of() { awk '/^Requests\/sec/ {print $2}' "$1"; }
errs_of() { grep -E 'Non-2xx|Socket errors' "$1" | tr '\n' ' ' || true; }

# measure SETUP URLS...: the three loads against 1 or 3 instances.
measure() {
    setup=$1
    shift
    set -- "$@"
    for kind in healthz report index; do
        salt=$((run_id * 10 + $(echo "$setup" | cksum | cut -c1-3) % 7))
        i=0
        pids=""
        for u in "$@"; do
            i=$((i + 1))
            case $kind in
            healthz) url="$u/healthz" extra="" ;;
            report) url="$u/matcher/api/v1/vulnerability_report/$dhash" extra="" ;;
            index) url="$u/indexer/api/v1/index_report" extra="-s $work/post.lua" ;;
            esac
            if [ $# -eq 1 ]; then c=8 t=2; elif [ $i -lt 3 ]; then c=3 t=1; else c=2 t=1; fi
            # shellcheck disable=SC2086
            wrk_one "$work/wrk-$i.txt" $c $t "$url" $((salt * 10 + i)) $extra &
            pids="$pids $!"
        done
        # shellcheck disable=SC2086
        wait $pids
        total=0 errs=""
        j=1
        while [ $j -le $i ]; do
            total=$(echo "$total + $(rps_of "$work/wrk-$j.txt")" | bc)
            errs="$errs$(errs_of "$work/wrk-$j.txt")"
            j=$((j + 1))
        done
        eval "R_${kind}=$total"
        printf '  %-34s %-8s %10.0f req/s %s\n' "$setup" "$kind" "$total" "$errs"
    done
    printf '  %-34s ratios to this setup'"'"'s healthz: report %.2f, index %.3f\n' "$setup" \
        "$(echo "$R_report / $R_healthz" | bc -l)" "$(echo "$R_index / $R_healthz" | bc -l)"
    eval "T_$(echo "$setup" | tr -c 'a-z0-9\n' '_')=\"$R_healthz $R_report $R_index\""
}

warm() { # index the two images once through URL (layers into the store's cache)
    for t in test alpine; do
        req "$work/w" POST "$1/indexer/api/v1/index_report" --data-binary "@$work/m-$t.json"
    done
}

echo "-- wrk ${secs}s per load, 8 connections in total per setup"
serve_start S --db "$db" $opts
warm "$S_URL"
measure "1 instance, SQLite" "$S_URL"
serve_stop "$S_PID" || true

serve_start P1 --db "$VG_PG_DSN" $opts
warm "$P1_URL"
measure "1 instance, PostgreSQL" "$P1_URL"
serve_start P2 --db "$VG_PG_DSN" $opts
serve_start P3 --db "$VG_PG_DSN" $opts
measure "3 instances, PostgreSQL" "$P1_URL" "$P2_URL" "$P3_URL"
for p in $P1_PID $P2_PID $P3_PID; do serve_stop "$p" || true; done
echo "  (2 cores shared by the instances, PostgreSQL and wrk: a third instance adds no CPU here)"

if [ -n "$bench_notify" ]; then
    echo "-- notify on PostgreSQL (bench_notify, 100,000 manifests; the store is built first)"
    psql -X -q "$VG_PG_ADMIN" -c 'CREATE DATABASE notify' >/dev/null
    VG_BENCH_DSN=$(echo "$VG_PG_DSN" | sed 's|/vigil$|/notify|') \
        "$bench_notify" "$shared" "$work/notify-pg" "${VG_BENCH_NOTIFY_N:-100000}"
fi
