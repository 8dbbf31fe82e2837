#!/bin/sh
# pgrestart.sh VIGIL WORKDIR [IMAGES] — PostgreSQL stopped and started again under a load of
# index and report requests (run under tests/pg/with_pg.sh). Two `vigil serve` instances share
# the database; tests/api/load_mix.py drives both. Checks: while PostgreSQL is down every
# failed request is a clean 503 with a JSON {code, message} body (no 500, no dropped
# connection, no crash); after it is back both instances serve 2xx again without a restart;
# every manifest whose POST got 201 is stored whole (IndexFinished), every one that got 503 is
# absent or whole, never half-written; the reports of the images indexed before are unchanged.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
images=${3:-$work/../test-images}
shared=${VIGIL_SHARED:-$here/../../../shared}
: "${VG_PG_DSN:?run under tests/pg/with_pg.sh}"
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/lib.sh"
pgctl() { "$here/../pg/with_pg.sh" --ctl "$1"; }
trap 'touch "$work/stop"; pgctl start >/dev/null 2>&1 || true; cleanup_servers; registry_stop' EXIT

registry_with_images
push_alpine
cat >"$work/serve.yaml" <<EOF
store:
  dsn: "$VG_PG_DSN?pool_max_conns=4"
updaters:
  sets: [alpine]
  interval: 0s
  on_start: true
  mirror: $work/mirror
indexer:
  max_concurrent: 4
log:
  level: info
EOF
serve_start A --config "$work/serve.yaml"
serve_start B --config "$work/serve.yaml"
apid=$A_PID bpid=$B_PID

clair_manifest test >"$work/m-test.json"
clair_manifest alpine "http://127.0.0.1:$PPORT/v2/alpine/blobs" >"$work/m-alpine.json"
hash_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$1"; }
ht=$(hash_of "$work/m-test.json") ha=$(hash_of "$work/m-alpine.json")
for t in test alpine; do
    req "$work/i-$t" POST "$A_URL/indexer/api/v1/index_report" --data-binary "@$work/m-$t.json"
    check "index $t -> 201" status_is "$work/i-$t" 201
done
n=0
until curl -s "$A_URL/matcher/api/v1/internal/update_operation" | grep -q alpine || [ $n -ge 600 ]; do
    sleep 0.1
    n=$((n + 1))
done
for h in $ht $ha; do
    req "$work/before-$h" GET "$B_URL/matcher/api/v1/vulnerability_report/$h"
    check "report of $h before the restart -> 200" status_is "$work/before-$h" 200
done

# The load, on both instances.
for n in A B; do
    eval "u=\$${n}_URL"
    python3 "$here/load_mix.py" --url "$u" --manifest "$work/m-alpine.json" --reports "$ht,$ha" \
        --log "$work/load-$n.log" --stop "$work/stop" --threads 3 </dev/null >"$work/load-$n.out" 2>&1 &
    eval "L_$n=$!"
done
sleep 3
t_down=$(date +%s.%N)
pgctl stop
check "PostgreSQL stopped under load" sh -c "! '$here/../pg/with_pg.sh' --ctl status"
sleep 6
t_up=$(date +%s.%N)
pgctl start
ok "PostgreSQL started again on the same port"
# Recovery: both instances answer a report with 200 again, without a restart (30 s).
for n in A B; do
    eval "u=\$${n}_URL"
    k=0
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$u/matcher/api/v1/vulnerability_report/$ha")" = 200 ] ||
        [ $k -ge 300 ]; do
        sleep 0.1
        k=$((k + 1))
    done
done
t_rec=$(date +%s.%N)
sleep 4
touch "$work/stop"
wait "$L_A" "$L_B" || true
cat "$work/load-A.log" "$work/load-B.log" >"$work/load.log"

python3 - "$work/load.log" "$t_down" "$t_up" "$t_rec" >"$work/summary" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
down, up, rec = map(float, sys.argv[2:5])
during = [r for r in rows if down + 0.5 < r["t"] < up]
after = [r for r in rows if r["t"] > rec + 0.5]
bad = [r for r in rows if not (200 <= r["status"] < 300 or r["status"] == 503)]
unclean = [r for r in rows if r["status"] == 503 and not (r["json_ok"] and r["code"])]
print("requests", len(rows))
print("during", len(during), "503s", sum(r["status"] == 503 for r in during),
      "2xx", sum(200 <= r["status"] < 300 for r in during))
print("after", len(after), "2xx", sum(200 <= r["status"] < 300 for r in after))
print("not_2xx_or_503", len(bad), bad[:3])
print("unclean_503", len(unclean), unclean[:3])
PY
cat "$work/summary"
field() { awk -v k="$1" -v i="$2" '$1 == k {print $i}' "$work/summary"; }
check "the load ran ($(field requests 2) requests)" [ "$(field requests 2)" -gt 50 ]
check "while PostgreSQL was down requests got 503 ($(field during 4) of $(field during 2))" \
    [ "$(field during 4)" -ge 5 ]
check "while PostgreSQL was down nothing succeeded against the store ($(field during 6) 2xx)" \
    [ "$(field during 6)" -eq 0 ]
check "every request was 2xx or a clean 503: no 500, no dropped connection" [ "$(field not_2xx_or_503 2)" -eq 0 ]
check "every 503 has a JSON {code, message} body" [ "$(field unclean_503 2)" -eq 0 ]
check "after the restart everything succeeds again ($(field after 4) of $(field after 2))" sh -c \
    "[ $(field after 2) -gt 10 ] && [ $(field after 2) -eq $(field after 4) ]"
check "both instances are the same processes (no restart)" sh -c "kill -0 $apid && kill -0 $bpid"

# Nothing lost or half-written: 201s are stored whole; 503s are absent or whole.
python3 - "$A_URL" "$work/load.log" >"$work/integrity" <<'PY'
import json, sys, urllib.error, urllib.request
base = sys.argv[1]
rows = [json.loads(l) for l in open(sys.argv[2]) if json.loads(l)["kind"] == "index"]
lost = broken = ok = absent = 0
for r in rows:
    try:
        with urllib.request.urlopen(base + "/indexer/api/v1/index_report/" + r["hash"]) as f:
            rep = json.load(f)
        whole = rep.get("state") == "IndexFinished" and rep.get("packages") and rep.get("manifest_hash") == r["hash"]
        if whole:
            ok += 1
        elif r["status"] == 201 or rep.get("state") != "IndexError":
            broken += 1
    except urllib.error.HTTPError as e:
        if e.code == 404 and r["status"] != 201:
            absent += 1
        else:
            lost += 1
print("checked", len(rows), "whole", ok, "absent", absent, "lost", lost, "broken", broken)
PY
cat "$work/integrity"
check "every 201 is stored whole and nothing is half-written ($(cat "$work/integrity"))" \
    sh -c "grep -q ' lost 0 broken 0$' '$work/integrity'"
for h in $ht $ha; do
    req "$work/after-$h" GET "$A_URL/matcher/api/v1/vulnerability_report/$h"
    check "report of $h after the restart is unchanged" sh -c \
        "python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(a!=b)' '$work/before-$h.body' '$work/after-$h.body'"
done
check "both servers logged the 503s as warnings, and the store's reason" sh -c \
    "grep -q '\"level\":\"warn\",\"msg\":\"request\".*\"status\":503' '$work/A.log' && grep -q '\"level\":\"warn\",\"msg\":\"request\".*\"status\":503' '$work/B.log' && grep -q 'PostgreSQL unavailable' '$work/A.log' '$work/B.log'"

echo "pgrestart: $fails failure(s)"
[ "$fails" -eq 0 ]
