#!/bin/sh
# scaleout.sh VIGIL WORKDIR [IMAGES] — three `vigil serve` instances on one real PostgreSQL
# (run under tests/pg/with_pg.sh, which exports VG_PG_DSN), images in a real docker-registry,
# feeds from ../shared served as a local mirror whose Alpine 3.14 secdb file the test swaps.
# Checks:
#   - exactly one instance leads the updaters (vigil_updater_leader), and only it runs them;
#   - real images indexed through different instances at once: reports identical from every
#     instance; the same image posted to two instances at once fetches each layer once;
#   - an update that adds advisories makes one notification set, delivered exactly once
#     across the three deliverers;
#   - the leader killed with -9: another instance takes the schedule over and runs the next
#     update (which removes the advisories);
#   - the instance delivering that set is killed with -9 while the receiver holds the POST:
#     another instance delivers it after the lease, and nothing is delivered twice after a 2xx.
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
trap 'cleanup_servers; [ -s "$work/hook.pid" ] && kill "$(cat "$work/hook.pid")" 2>/dev/null; registry_stop' EXIT

registry_with_images
push_alpine
sec=secdb.alpinelinux.org/v3.14/main.json
cp -r "$work/mirror" "$work/live"
cp "$work/mirror/$sec" "$work/full.json"
python3 - "$work/full.json" "$work/without.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["packages"] = [p for p in j["packages"] if p["pkg"]["name"] != "openssl"]
json.dump(j, open(sys.argv[2], "w"))
PY
swap() { cp "$1" "$work/live/$sec.tmp" && mv "$work/live/$sec.tmp" "$work/live/$sec"; }
swap "$work/without.json"

hport=$(free_port)
key=scaleout-secret
python3 "$here/webhook.py" --port "$hport" --log "$work/hook.log" --key "$key" \
    </dev/null >"$work/hook.out" 2>&1 &
echo $! >"$work/hook.pid"
cat >"$work/serve.yaml" <<EOF
store:
  dsn: "$VG_PG_DSN?pool_max_conns=6"
updaters:
  sets: [alpine]
  interval: 2s
  on_start: true
  leader_check: 500ms
  mirror: $work/live
indexer:
  max_concurrent: 4
  layer_claim: 3s
notifier:
  webhook: http://127.0.0.1:$hport/hook
  hmac_key: $key
  full: true
  timeout: 8s
  retry_base: 1s
  retry_max: 2s
  poll: 200ms
log:
  level: info
EOF
for n in A B C; do serve_start $n --config "$work/serve.yaml"; done
eval "PIDS_A=$A_PID PIDS_B=$B_PID PIDS_C=$C_PID"

# leader_of NAMES...: the names whose /metrics say they lead the updaters.
leaders() {
    for n in "$@"; do
        eval "u=\$${n}_URL"
        if curl -s "$u/metrics" | grep -q '^vigil_updater_leader 1'; then echo "$n"; fi
    done
}
n=0
until [ "$(leaders A B C | wc -l)" -eq 1 ] || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
lead=$(leaders A B C)
check "exactly one instance leads the updaters ($lead)" [ "$(echo "$lead" | wc -w)" -eq 1 ]

ops_count() {
    curl -s "$A_URL/matcher/api/v1/internal/update_operation" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("alpine", [])))'
}
wait_ops() {
    n=0
    until [ "$(ops_count)" -ge "$1" ] || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
    [ "$(ops_count)" -ge "$1" ]
}
check "the leader's first updater run is visible through A" wait_ops 1
sleep 5 # a few more scheduled rounds (interval 2 s)
runs_by() { grep -c '"msg":"updater run"' "$work/$1.log" || true; }
for n in A B C; do
    r=$(runs_by $n)
    if [ "$n" = "$lead" ]; then
        check "$n (the leader) ran the updaters ($r runs)" [ "$r" -ge 2 ]
    else
        check "$n (not the leader) ran no updater" [ "$r" -eq 0 ]
    fi
done

# ---- indexing through different instances at once ----
for t in test test2; do clair_manifest $t >"$work/m-$t.json"; done
clair_manifest alpine "http://127.0.0.1:$PPORT/v2/alpine/blobs" >"$work/m-alpine.json"
hash_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$1"; }
: >"$work/requests.log"
# debian:test to A and B at the same moment (the same layers), test2 to C, alpine to A.
post() { req "$work/$1" POST "$2/indexer/api/v1/index_report" --data-binary "@$work/m-$3.json"; }
post p1 "$A_URL" test &
j1=$!
post p2 "$B_URL" test &
j2=$!
post p3 "$C_URL" test2 &
j3=$!
post p4 "$A_URL" alpine &
j4=$!
wait $j1 $j2 $j3 $j4
for p in p1 p2 p3 p4; do check "concurrent index $p -> 201" status_is "$work/$p" 201; done
dups=$(blob_gets test | awk '$2 == 200 {print $1}' | sort | uniq -d | wc -l)
nlayers=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["layers"]))' "$work/manifest-test.json")
fetched=$(blob_gets test | awk '$2 == 200 {print $1}' | sort -u | wc -l)
check "debian:test posted to A and B at once: each of its $nlayers layers fetched once ($fetched fetched, $dups twice)" \
    [ "$dups" -eq 0 ]
check "another instance reused those layers from the store (waited for a claim, or found them cached)" sh -c \
    "curl -s '$A_URL/metrics' '$B_URL/metrics' '$C_URL/metrics' | grep -q '^vigil_index_layer_waits_total{result=\"reused\"} [1-9]' || \
     curl -s '$A_URL/metrics' '$B_URL/metrics' | grep -q '^vigil_index_layers_total{source=\"cached\"} [1-9]'"

for t in test test2 alpine; do
    h=$(hash_of "$work/m-$t.json")
    for n in A B C; do
        eval "u=\$${n}_URL"
        req "$work/v-$t-$n" GET "$u/matcher/api/v1/vulnerability_report/$h"
        python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' \
            "$work/v-$t-$n.body" >"$work/v-$t-$n.norm" 2>/dev/null || : >"$work/v-$t-$n.norm"
    done
    check "$t: the vulnerability report is 200 and identical from A, B and C" sh -c \
        "grep -qx 200 '$work/v-$t-A.status' && [ -s '$work/v-$t-A.norm' ] && cmp -s '$work/v-$t-A.norm' '$work/v-$t-B.norm' && cmp -s '$work/v-$t-A.norm' '$work/v-$t-C.norm'"
done

# ---- a layer that takes longer than the claim's lease: the claim is renewed, so the other
# instance still waits for it instead of fetching it again ----
python3 - "$work/slowblobs" >"$work/slow.env" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as t:
    data = b"a layer served slowly\n"
    info = tarfile.TarInfo("opt/slow.txt")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
blob = gzip.compress(raw.getvalue(), mtime=0)
h = hashlib.sha256(blob).hexdigest()
os.makedirs(os.path.join(sys.argv[1], "sha256"), exist_ok=True)
open(os.path.join(sys.argv[1], "sha256", h), "wb").write(blob)
print("SLOW_LAYER=sha256:" + h)
PY
. "$work/slow.env"
python3 "$here/layers.py" --blobs "$work/slowblobs" --port-file "$work/layers.port" \
    --log "$work/layers.log" </dev/null >"$work/layers.out" 2>&1 &
echo $! >"$work/layers.pid"
wait_for "$work/layers.port" || { echo "FAIL layer server did not start"; exit 1; }
LPORT=$(cat "$work/layers.port")
slow_manifest() { # slow_manifest N PATH: a one-layer manifest (hash from N) over the slow layer
    python3 -c 'import hashlib,json,sys; print(json.dumps({"hash": "sha256:" + hashlib.sha256(sys.argv[1].encode()).hexdigest(), "layers": [{"hash": sys.argv[2], "uri": sys.argv[3], "media_type": "application/vnd.oci.image.layer.v1.tar+gzip"}]}))' \
        "slow-$1" "$SLOW_LAYER" "http://127.0.0.1:$LPORT/$2/$SLOW_LAYER"
}
slow_manifest 1 slow/8 >"$work/m-slow1.json"
slow_manifest 2 ok >"$work/m-slow2.json"
req "$work/s1" POST "$A_URL/indexer/api/v1/index_report" --data-binary "@$work/m-slow1.json" &
js1=$!
n=0 # (layers.py logs a request when it answers: after the pause)
until curl -s "$A_URL/metrics" | grep -q '^vigil_index_jobs_running 1' || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
sleep 1
req "$work/s2" POST "$B_URL/indexer/api/v1/index_report" --data-binary "@$work/m-slow2.json" &
js2=$!
wait $js1 $js2
check "slow layer (8 s, lease 3 s) through A and the same layer through B -> 201, 201" sh -c \
    "grep -qx 201 '$work/s1.status' && grep -qx 201 '$work/s2.status'"
check "B's request was in flight while A fetched (it waited, not found it done)" sh -c \
    "grep '\"route\":\"/indexer/api/v1/index_report\"' '$work/B.log' | tail -1 | grep -q '\"duration_ms\":[1-9][0-9][0-9][0-9]'"
check "the claim was renewed: the layer was fetched once ($(grep -c "$SLOW_LAYER" "$work/layers.log") GETs)" \
    [ "$(grep -c "$SLOW_LAYER" "$work/layers.log")" -eq 1 ]
check "B reused A's result (vigil_index_layer_waits_total{result=\"reused\"})" sh -c \
    "curl -s '$B_URL/metrics' | grep -q '^vigil_index_layer_waits_total{result=\"reused\"} [1-9]'"
kill "$(cat "$work/layers.pid")" 2>/dev/null || true

# ---- an update that adds advisories: one set, delivered once across three deliverers ----
before=$(ops_count)
swap "$work/full.json"
check "the leader ran the update that adds the openssl records" wait_ops $((before + 1))
sets() { grep -h '"msg":"notifications".*"notifications":[1-9]' "$work"/[ABC].log "$work"/*.log.old 2>/dev/null |
    python3 -c 'import json,sys; [print(json.loads(l)["set"]) for l in sys.stdin]' | sort -u; }
n=0
until [ -n "$(sets)" ] || [ $n -ge 200 ]; do sleep 0.1; n=$((n + 1)); done
sid=$(sets | head -1)
check "a notification set was made ($sid)" [ -n "$sid" ]
deliveries() { # deliveries SID [ANSWER]: POSTs of the set the receiver saw
    [ -s "$work/hook.log" ] || { echo 0; return; }
    python3 - "$work/hook.log" "$1" "${2:-}" <<'PY'
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    if json.loads(r["body"])["notification_id"] == sys.argv[2] and (not sys.argv[3] or r["answer"] == sys.argv[3]):
        n += 1
print(n)
PY
}
n=0
until [ "$(deliveries "$sid")" -ge 1 ] || [ $n -ge 200 ]; do sleep 0.1; n=$((n + 1)); done
sleep 3 # time for a duplicate to show up, if any deliverer were to send one
check "the set was delivered exactly once across three instances ($(deliveries "$sid"))" \
    [ "$(deliveries "$sid")" -eq 1 ]
check "the delivery verifies (HMAC)" python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if r and all(x["sig_ok"] for x in r) else 1)' "$work/hook.log"
ha=$(hash_of "$work/m-alpine.json")
for n in A B C; do
    eval "u=\$${n}_URL"
    req "$work/va-$n" GET "$u/matcher/api/v1/vulnerability_report/$ha"
    python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' \
        "$work/va-$n.body" >"$work/va-$n.norm" 2>/dev/null || : >"$work/va-$n.norm"
done
check "after the update every instance reports the new openssl findings, identically" sh -c \
    "grep -q CVE-2023-046 '$work/va-A.norm' && cmp -s '$work/va-A.norm' '$work/va-B.norm' && cmp -s '$work/va-A.norm' '$work/va-C.norm'"
check "one instance made the set (the leader, $lead)" sh -c \
    "[ \$(grep -l '\"msg\":\"notifications\".*\"notifications\":[1-9]' '$work/A.log' '$work/B.log' '$work/C.log' | wc -l) -eq 1 ] && grep -q '\"msg\":\"notifications\".*\"notifications\":[1-9]' '$work/$lead.log'"

# ---- the leader dies; the receiver will hold the next POST so its sender can be killed ----
kill "$(cat "$work/hook.pid")"
wait "$(cat "$work/hook.pid")" 2>/dev/null || true
python3 "$here/webhook.py" --port "$hport" --log "$work/hook.log" --key "$key" --fail timeout \
    </dev/null >"$work/hook.out" 2>&1 &
echo $! >"$work/hook.pid"
eval "lpid=\$${lead}_PID"
kill -9 "$lpid"
wait "$lpid" 2>/dev/null || true
ok "leader $lead killed with -9"
rest=$(echo A B C | tr ' ' '\n' | grep -vx "$lead" | tr '\n' ' ')
n=0
until [ "$(leaders $rest | wc -l)" -eq 1 ] || [ $n -ge 300 ]; do sleep 0.1; n=$((n + 1)); done
lead2=$(leaders $rest)
check "another instance took the leadership over ($lead2)" [ "$(echo "$lead2" | wc -w)" -eq 1 ]
eval "U2=\$${lead2}_URL"
ops_count() {
    curl -s "$U2/matcher/api/v1/internal/update_operation" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("alpine", [])))'
}
before=$(ops_count)
swap "$work/without.json"
check "the new leader runs the schedule: the update removing the records ran" wait_ops $((before + 1))
check "the new leader's log has the run" sh -c "grep -q '\"msg\":\"updater run\"' '$work/$lead2.log'"
n=0
until [ "$(sets | wc -l)" -ge 2 ] || [ $n -ge 200 ]; do sleep 0.1; n=$((n + 1)); done
sid2=$(sets | grep -vx "$sid" | head -1)
check "a second set was made ($sid2)" [ -n "$sid2" ]

# The receiver holds the first POST of the set 5 s: find the instance on the other end.
sender=
n=0
while [ -z "$sender" ] && [ $n -lt 200 ]; do
    sender=$(ss -Htnp state established "( dport = :$hport )" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    [ -n "$sender" ] || sleep 0.05
    n=$((n + 1))
done
check "an instance is delivering the set (pid $sender)" [ -n "$sender" ]
dname=
for x in $rest; do
    eval "xp=\$${x}_PID"
    if [ "$xp" = "$sender" ]; then dname=$x; fi
done
kill -9 "$sender" 2>/dev/null || true
ok "the delivering instance ${dname:-?} killed with -9 mid-delivery"
n=0
until [ "$(deliveries "$sid2" 200)" -ge 1 ] || [ $n -ge 1200 ]; do sleep 0.1; n=$((n + 1)); done
check "the set still arrived, from the surviving instance (after the lease)" [ "$(deliveries "$sid2" 200)" -ge 1 ]
sleep 3
check "delivered once after the 2xx: $(deliveries "$sid2") POSTs in all (one held, one answered)" \
    [ "$(deliveries "$sid2" 200)" -eq 1 ]
survivor=$(echo $rest | tr ' ' '\n' | grep -vx "${dname:-none}" | head -1)
eval "us=\$${survivor}_URL"
req "$work/ns" GET "$us/notifier/api/v1/notification/$sid2?page_size=500"
check "the survivor serves the set: 2 CVEs removed from the one Alpine manifest" jq_ok "$work/ns.body" 'len(j["notifications"]) == 2 and all(n["reason"] == "removed" for n in j["notifications"])'

echo "scaleout: $fails failure(s)"
[ "$fails" -eq 0 ]
