#!/bin/sh
# load.sh VIGIL WORKDIR [IMAGES] — `vigil serve` under load with wrk (Debian's package): 30 s
# of GET vulnerability_report for an indexed manifest, then a mixed load from 8 clients (POST
# index_report of indexed manifests, GET reports, index reports and index state) twice. Zero
# failed requests and socket errors; the server alive afterwards; and its RSS steady: after the
# second mixed run it is no more than 10% + 8 MiB above what it was after the first (memory
# that grows per request would show here). Prints the figures. Exits 77 without wrk.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
images=${3:-$work/../test-images}
shared=${VIGIL_SHARED:-$here/../../../shared}
command -v wrk >/dev/null 2>&1 || { echo "wrk is not installed"; exit 77; }
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/lib.sh"
trap 'cleanup_servers; registry_stop' EXIT
secs=${VG_LOAD_SECONDS:-30}

registry_with_images
push_alpine
db=$work/vigil.db
"$vigil" update --no-progress --db "$db" --source debian,alpine,osv --mirror "$work/mirror" >/dev/null
serve_start L --db "$db" --set updaters.on_start=false --set updaters.interval=0 \
    --set log.level=warn --set http.threads=8
for t in alpine test test2; do
    base=http://127.0.0.1:$PORT/v2/debian/blobs
    [ $t = alpine ] && base=http://127.0.0.1:$PORT/v2/alpine/blobs
    clair_manifest $t "$base" >"$work/m-$t.json"
    req "$work/r" POST "$L_URL/indexer/api/v1/index_report" --data-binary "@$work/m-$t.json"
    status_is "$work/r" 201 || { echo "FAIL index $t: $(cat "$work/r.body")"; exit 1; }
done
ahash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$work/m-alpine.json")
rss() { awk '/^VmRSS/ {print $2}' "/proc/$L_PID/status"; }

# wrk_ok OUT: no socket errors and no non-2xx/3xx responses in wrk's output.
wrk_ok() { ! grep -q -e 'Socket errors' -e 'Non-2xx or 3xx' "$1" && grep -q 'Requests/sec' "$1"; }

wrk -t2 -c8 -d"${secs}s" --latency "$L_URL/matcher/api/v1/vulnerability_report/$ahash" >"$work/wrk-report.txt"
cat "$work/wrk-report.txt"
check "wrk ${secs}s on vulnerability_report: zero failed requests" wrk_ok "$work/wrk-report.txt"

cat >"$work/mixed.lua" <<LUA
local bodies = {}
for _, t in ipairs({"alpine", "test", "test2"}) do
  local f = io.open("$work/m-" .. t .. ".json"); bodies[#bodies + 1] = f:read("*a"); f:close()
end
local hashes = {}
for i, b in ipairs(bodies) do hashes[i] = b:match('"hash": "(sha256:[0-9a-f]+)"') end
local n = 0
request = function()
  n = n + 1
  local i = n % #bodies + 1
  local k = n % 4
  if k == 0 then
    return wrk.format("POST", "/indexer/api/v1/index_report", {["Content-Type"] = "application/json"}, bodies[i])
  elseif k == 1 then
    return wrk.format("GET", "/indexer/api/v1/index_report/" .. hashes[i])
  elseif k == 2 then
    return wrk.format("GET", "/indexer/api/v1/index_state")
  end
  return wrk.format("GET", "/matcher/api/v1/vulnerability_report/" .. hashes[i])
end
LUA
half=$((secs / 2))
[ $half -ge 5 ] || half=5
wrk -t2 -c8 -d"${half}s" -s "$work/mixed.lua" "$L_URL" >"$work/wrk-mixed1.txt"
rss1=$(rss)
wrk -t2 -c8 -d"${half}s" -s "$work/mixed.lua" "$L_URL" >"$work/wrk-mixed2.txt"
rss2=$(rss)
cat "$work/wrk-mixed2.txt"
check "mixed load run 1: zero failed requests" wrk_ok "$work/wrk-mixed1.txt"
check "mixed load run 2: zero failed requests" wrk_ok "$work/wrk-mixed2.txt"
echo "RSS after mixed run 1: ${rss1} KiB, after run 2: ${rss2} KiB"
check "RSS steady across runs (${rss1} -> ${rss2} KiB)" [ "$rss2" -le $((rss1 + rss1 / 10 + 8192)) ]
req "$work/h" GET "$L_URL/healthz"
check "server alive after the load" status_is "$work/h" 200
serve_stop "$L_PID" && rc=0 || rc=$?
check "clean exit after the load" [ "$rc" = 0 ]

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
