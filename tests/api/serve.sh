#!/bin/sh
# serve.sh VIGIL WORKDIR [IMAGES] — `vigil serve` end to end over HTTP with curl: a real
# docker-registry holding the 4-layer Debian test image (and a 5-layer one on the same base),
# a temporary SQLite store, the Debian feed from ../shared/feeds. Covers every route and status:
# health, readiness, metrics, OpenAPI, index state and ETag/304, POST a Manifest (201, the
# packages equal `vigil index`'s), 202 while no vulnerability data has loaded, the report once
# it has (same findings as `vigil scan`), ETag/304 on re-polls, re-indexing without a single
# blob GET (counted at the registry), GET/DELETE/bulk DELETE, update operations and diffs, and
# the errors: bad JSON, bogus manifests, an oversized body, a wrong content type, an unknown or
# malformed digest, a wrong method, an unknown path, a layer URI that 404s (recorded, then
# retried), a digest mismatch. Ends with `vigil report --server` equal to `vigil scan`.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
images=${3:-$work/../test-images}
shared=${VIGIL_SHARED:-$here/../../../shared}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/lib.sh"
trap 'cleanup_servers; [ -s "$work/layers.pid" ] && kill "$(cat "$work/layers.pid")" 2>/dev/null; registry_stop' EXIT

registry_with_images
push_alpine
db=$work/vigil.db

# The layer server for the failure cases.
python3 "$here/layers.py" --blobs "$work/oci2/blobs" --port-file "$work/layers.port" \
    --log "$work/layers.log" </dev/null >"$work/layers.out" 2>&1 &
echo $! >"$work/layers.pid"
wait_for "$work/layers.port" || { echo "FAIL layer server did not start"; exit 1; }
LPORT=$(cat "$work/layers.port")

serve_start A --db "$db" --set updaters.on_start=false --set updaters.interval=0 \
    --set http.max_body_bytes=64KiB --set http.threads=4
U=$A_URL
echo "server at $U"

# ---- operations routes ----
req "$work/r" GET "$U/healthz"
check "healthz 200" status_is "$work/r" 200
req "$work/r" GET "$U/readyz"
check "readyz 200 with the schema" sh -c "grep -q 200 '$work/r.status' && grep -q '\"ready\"' '$work/r.body'"
req "$work/r" GET "$U/openapi/v1"
check "openapi: JSON with every route" jq_ok "$work/r.body" \
    'all(p in j["paths"] for p in ["/indexer/api/v1/index_report", "/indexer/api/v1/index_report/{digest}", "/indexer/api/v1/index_state", "/matcher/api/v1/vulnerability_report/{digest}", "/matcher/api/v1/internal/update_operation", "/matcher/api/v1/internal/update_diff", "/healthz", "/readyz", "/metrics"])'

# ---- index state ----
req "$work/st" GET "$U/indexer/api/v1/index_state"
state_etag=$(header "$work/st" ETag)
check "index_state 200 {state} with an ETag" sh -c "grep -q 200 '$work/st.status' && [ -n '$state_etag' ]"
check "index_state body names the state" jq_ok "$work/st.body" 'isinstance(j["state"], str) and len(j["state"]) > 0'
req "$work/r" GET "$U/indexer/api/v1/index_state" -H "If-None-Match: $state_etag"
check "index_state If-None-Match -> 304" status_is "$work/r" 304

# ---- index, then report ----
clair_manifest test >"$work/m-test.json"
mhash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$work/m-test.json")
: >"$work/requests.log"
req "$work/ix" POST "$U/indexer/api/v1/index_report" -H 'Content-Type: application/vnd.clair.manifest.v1+json' \
    --data-binary "@$work/m-test.json"
check "POST index_report -> 201" status_is "$work/ix" 201
check "IndexReport: IndexFinished for the manifest" jq_ok "$work/ix.body" \
    "j['state'] == 'IndexFinished' and j['success'] and j['manifest_hash'] == '$mhash'"
check "Location header" sh -c "[ '$(header "$work/ix" Location)' = '/indexer/api/v1/index_report/$mhash' ]"
blob_gets test >"$work/gets1"
check "first index GETs each of the 4 layers once" sh -c "[ \$(wc -l <'$work/gets1') -eq 4 ] && [ \$(cut -d' ' -f1 '$work/gets1' | sort -u | wc -l) -eq 4 ]"

"$vigil" index --format json oci:"$work/oci2:test" >"$work/index-cli.json"
check "server packages == vigil index packages" python3 - "$work/ix.body" "$work/index-cli.json" <<'PY'
import json, sys
def pk(f):
    j = json.load(open(f))
    return sorted((p["name"], p["version"], p.get("arch", "")) for p in j["packages"].values())
sys.exit(0 if pk(sys.argv[1]) == pk(sys.argv[2]) and len(pk(sys.argv[1])) > 50 else 1)
PY

req "$work/g" GET "$U/indexer/api/v1/index_report/$mhash"
check "GET index_report 200 == POST body" sh -c "grep -q 200 '$work/g.status' && cmp -s '$work/g.body' '$work/ix.body'"
ietag=$(header "$work/g" ETag)
req "$work/r" GET "$U/indexer/api/v1/index_report/$mhash" -H "If-None-Match: $ietag"
check "GET index_report If-None-Match -> 304" status_is "$work/r" 304

req "$work/v" GET "$U/matcher/api/v1/vulnerability_report/$mhash"
check "vulnerability_report before any data -> 202 with a reason" sh -c \
    "grep -q 202 '$work/v.status' && grep -q no-vulnerability-data '$work/v.body'"

clair_manifest alpine "http://127.0.0.1:$PPORT/v2/alpine/blobs" >"$work/m-alpine.json"
ahash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$work/m-alpine.json")
req "$work/r" POST "$U/indexer/api/v1/index_report" --data-binary "@$work/m-alpine.json"
check "POST the alpine manifest -> 201" status_is "$work/r" 201

"$vigil" update --no-progress --db "$db" --source debian,alpine,osv --mirror "$work/mirror" >/dev/null
req "$work/v" GET "$U/matcher/api/v1/vulnerability_report/$ahash"
check "vulnerability_report after the update -> 200" status_is "$work/v" 200
check "report has the alpine findings" jq_ok "$work/v.body" 'len(j["vulnerabilities"]) >= 4 and len(j["package_vulnerabilities"]) >= 2'
vetag=$(header "$work/v" ETag)
req "$work/v2" GET "$U/matcher/api/v1/vulnerability_report/$ahash" -H "If-None-Match: $vetag"
check "re-poll with If-None-Match -> 304" status_is "$work/v2" 304
req "$work/v3" GET "$U/matcher/api/v1/vulnerability_report/$ahash"
check "cached report is identical" cmp -s "$work/v.body" "$work/v3.body"
req "$work/vd" GET "$U/matcher/api/v1/vulnerability_report/$mhash"
check "the debian manifest's report -> 200" status_is "$work/vd" 200

"$vigil" scan --format json --db "$db" docker-archive:"$shared/images/snyk/containerd-alpine-3.14.tar" >"$work/scan.json" || true
"$vigil" scan --format json --db "$db" oci:"$work/oci2:test" >"$work/scan-deb.json" || true
findings() {
    python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
pk = j["packages"]
out = set()
for pid, vids in j["package_vulnerabilities"].items():
    for v in vids:
        vv = j["vulnerabilities"][v]
        out.add((pk[pid]["name"], pk[pid]["version"], vv["name"], vv.get("fixed_in_version", "")))
for t in sorted(out):
    print("\t".join(t))
PY
}
findings "$work/v.body" >"$work/f-server"
findings "$work/scan.json" >"$work/f-scan"
check "server findings == vigil scan findings ($(wc -l <"$work/f-server") each)" sh -c \
    "[ -s '$work/f-server' ] && cmp -s '$work/f-server' '$work/f-scan'"
findings "$work/vd.body" >"$work/f-server-deb"
findings "$work/scan-deb.json" >"$work/f-scan-deb"
check "debian image: server findings == vigil scan findings ($(wc -l <"$work/f-server-deb"))" \
    cmp -s "$work/f-server-deb" "$work/f-scan-deb"

# ---- re-indexing: nothing fetched ----
: >"$work/requests.log"
req "$work/ix2" POST "$U/indexer/api/v1/index_report" --data-binary "@$work/m-test.json"
check "re-POST -> 201, same report" sh -c "grep -q 201 '$work/ix2.status' && cmp -s '$work/ix2.body' '$work/ix.body'"
blob_gets test >"$work/gets-re"
check "re-POST GETs no blob" [ ! -s "$work/gets-re" ]
req "$work/r" POST "$U/indexer/api/v1/index_report" --data-binary "@$work/m-test.json" -H "If-None-Match: $state_etag"
check "POST with If-None-Match of the state -> 412" status_is "$work/r" 412

req "$work/r" DELETE "$U/indexer/api/v1/index_report/$mhash"
check "DELETE index_report -> 204" status_is "$work/r" 204
req "$work/r" GET "$U/indexer/api/v1/index_report/$mhash"
check "GET after DELETE -> 404" status_is "$work/r" 404
req "$work/r" GET "$U/matcher/api/v1/vulnerability_report/$mhash"
check "vulnerability_report of a deleted manifest -> 404" status_is "$work/r" 404
: >"$work/requests.log"
req "$work/r" POST "$U/indexer/api/v1/index_report" --data-binary "@$work/m-test.json"
blob_gets test >"$work/gets-del"
check "POST after DELETE -> 201 from cached layers (no blob GET)" sh -c \
    "grep -q 201 '$work/r.status' && [ ! -s '$work/gets-del' ]"

# test2 shares the four layers: only the fifth is fetched.
clair_manifest test2 >"$work/m-test2.json"
m2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$work/m-test2.json")
: >"$work/requests.log"
req "$work/r" POST "$U/indexer/api/v1/index_report" --data-binary "@$work/m-test2.json"
check "POST test2 -> 201" status_is "$work/r" 201
blob_gets test2 >"$work/gets2"
check "test2 fetches only its new layer" sh -c "[ \$(wc -l <'$work/gets2') -eq 1 ]"

printf '["%s","%s","sha256:%064d"]' "$mhash" "$m2" 0 >"$work/bulk.json"
req "$work/r" DELETE "$U/indexer/api/v1/index_report" --data-binary "@$work/bulk.json"
check "bulk DELETE -> 200 listing the two that existed" sh -c "grep -q 200 '$work/r.status'" 
check "bulk DELETE body" jq_ok "$work/r.body" "sorted(j) == sorted(['$mhash', '$m2'])"
req "$work/r" DELETE "$U/indexer/api/v1/index_report" --data-binary '{"not":"a list"}'
check "bulk DELETE with a bad body -> 400" status_is "$work/r" 400

# ---- update operations ----
req "$work/op" GET "$U/matcher/api/v1/internal/update_operation"
check "update_operation 200 lists debian, alpine, osv" jq_ok "$work/op.body" 'all(len(j[u]) >= 1 for u in ("debian","alpine","osv")) and all(k in j["alpine"][0] for k in ["ref","updater","fingerprint","date"])'
oetag=$(header "$work/op" ETag)
req "$work/r" GET "$U/matcher/api/v1/internal/update_operation" -H "If-None-Match: $oetag"
check "update_operation If-None-Match -> 304" status_is "$work/r" 304
ref1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["alpine"][0]["ref"])' "$work/op.body")
req "$work/d" GET "$U/matcher/api/v1/internal/update_diff?cur=$ref1"
check "update_diff of the first op: everything added" jq_ok "$work/d.body" 'j["prev"] is None and len(j["added"]) > 100 and j["removed"] == []'
req "$work/r" GET "$U/matcher/api/v1/internal/update_diff"
check "update_diff without cur -> 400" status_is "$work/r" 400
req "$work/r" GET "$U/matcher/api/v1/internal/update_diff?cur=not-a-uuid"
check "update_diff with a bad uuid -> 400" status_is "$work/r" 400
req "$work/r" GET "$U/matcher/api/v1/internal/update_diff?cur=00000000-0000-0000-0000-000000000000"
check "update_diff of an unknown op -> 404" status_is "$work/r" 404

# ---- errors ----
req "$work/e" POST "$U/indexer/api/v1/index_report" --data-binary '{"hash": '
check "bad JSON -> 400 {code,message}" sh -c "grep -q 400 '$work/e.status' && python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j[\"code\"] and \"deserialize\" in j[\"message\"]' '$work/e.body'"
req "$work/e" POST "$U/indexer/api/v1/index_report" --data-binary '{"hash":"sha256:abc","layers":[]}'
check "bogus manifest -> 400" status_is "$work/e" 400
head -c 100000 /dev/zero | tr '\0' ' ' >"$work/big.json"
req "$work/e" POST "$U/indexer/api/v1/index_report" --data-binary "@$work/big.json"
check "oversized body -> 413" status_is "$work/e" 413
req "$work/e" POST "$U/indexer/api/v1/index_report" -H 'Content-Type: text/plain' --data-binary "@$work/m-test.json"
check "wrong content type -> 415" status_is "$work/e" 415
req "$work/e" GET "$U/matcher/api/v1/vulnerability_report/sha256:$(printf '%064d' 7)"
check "unknown digest -> 404 JSON" sh -c "grep -q 404 '$work/e.status' && grep -q not-found '$work/e.body'"
req "$work/e" GET "$U/matcher/api/v1/vulnerability_report/sha256:xyz"
check "malformed digest -> 400" status_is "$work/e" 400
req "$work/e" PUT "$U/indexer/api/v1/index_state"
check "wrong method -> 405 with Allow" sh -c "grep -q 405 '$work/e.status' && grep -qi '^allow: GET' '$work/e.headers'"
req "$work/e" GET "$U/no/such/path"
check "unknown path -> 404" status_is "$work/e" 404

# Failures need layers that were never indexed: a fresh server and store.
"$vigil" update --no-progress --db "$work/b.db" --source alpine --mirror "$work/mirror" >/dev/null
serve_start B --db "$work/b.db" --set updaters.on_start=false --set updaters.interval=0
# A layer URI that 404s: recorded with its reason, and a later POST retries.
clair_manifest test "http://127.0.0.1:$LPORT/missing" >"$work/m-404.json"
req "$work/e" POST "$B_URL/indexer/api/v1/index_report" --data-binary "@$work/m-404.json"
check "layer URI 404 -> 502 naming the status" sh -c "grep -q 502 '$work/e.status' && grep -q 404 '$work/e.body'"
req "$work/g" GET "$B_URL/indexer/api/v1/index_report/$mhash"
check "the failure is recorded: IndexError with the reason" jq_ok "$work/g.body" "j['state'] == 'IndexError' and '404' in j['err']"
req "$work/r" GET "$B_URL/matcher/api/v1/vulnerability_report/$mhash"
check "vulnerability_report of a failed index -> 409 with the reason" sh -c "grep -q 409 '$work/r.status' && grep -q index-failed '$work/r.body'"
# A digest mismatch: another layer's bytes under this digest.
clair_manifest test "http://127.0.0.1:$LPORT/wrong" >"$work/m-wrong.json"
req "$work/e" POST "$B_URL/indexer/api/v1/index_report" --data-binary "@$work/m-wrong.json"
check "digest mismatch -> 422 naming it" sh -c "grep -q 422 '$work/e.status' && grep -qi 'digest mismatch' '$work/e.body'"
req "$work/r" POST "$B_URL/indexer/api/v1/index_report" --data-binary "@$work/m-test.json"
check "POST again with good URIs retries: 201 IndexFinished" sh -c "grep -q 201 '$work/r.status' && grep -q IndexFinished '$work/r.body'"

# ---- vigil report --server: same findings as vigil scan ----
"$vigil" report --server "$U" --insecure --format json registry:127.0.0.1:"$PORT"/alpine:3.14 \
    >"$work/report.json" 2>"$work/report.err" || true
findings "$work/report.json" >"$work/f-report" 2>/dev/null || true
check "vigil report --server findings == vigil scan ($(wc -l <"$work/f-report"))" sh -c \
    "[ -s '$work/f-report' ] && cmp -s '$work/f-report' '$work/f-scan'"
"$vigil" report --server "$U" --format table "$ahash" >"$work/report.txt" 2>"$work/report2.err" || true
check "vigil report DIGEST renders a table" grep -q CVE- "$work/report.txt"
"$vigil" report --server "$U" --exit-code 9 --format json "$ahash" >/dev/null 2>&1 && rc=0 || rc=$?
check "vigil report --exit-code 9 with findings -> 9" [ "$rc" = 9 ]

# ---- metrics after all of that ----
req "$work/m" GET "$U/metrics"
check "metrics: request counts by route and code" grep -q 'vigil_http_requests_total{route="/indexer/api/v1/index_report",method="POST",code="201"}' "$work/m.body"
check "metrics: latency histogram" grep -q 'vigil_http_request_duration_seconds_bucket{route="/matcher/api/v1/vulnerability_report/{digest}",le=' "$work/m.body"
check "metrics: layers fetched and cached" sh -c "grep -q 'vigil_index_layers_total{source=\"fetched\"}' '$work/m.body' && grep -q 'vigil_index_layers_total{source=\"cached\"}' '$work/m.body'"
check "metrics: index jobs, store latency, RSS" sh -c "grep -q vigil_index_jobs_total '$work/m.body' && grep -q vigil_store_duration_seconds_bucket '$work/m.body' && grep -q process_resident_memory_bytes '$work/m.body'"

# ---- logs: one JSON object a line, with request id, route, status and duration ----
check "every log line is a JSON object; requests carry id, route, status, duration" python3 - "$work/A.log" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j.get("msg") == "request":
        n += 1
        assert all(k in j for k in ("request_id", "route", "status", "duration_ms")), j
sys.exit(0 if n > 30 else 1)
PY

# ---- the update scheduler inside serve ----
serve_start S --db "$work/s.db" --set updaters.on_start=true --set updaters.interval=1h \
    --set updaters.sets=alpine,osv --mirror "$work/mirror"
n=0
until curl -s "$S_URL/metrics" | grep -q 'vigil_updater_runs_total{updater="osv",result="changed"} 1' || [ $n -ge 300 ]; do
    sleep 0.1
    n=$((n + 1))
done
req "$work/m" GET "$S_URL/metrics"
check "scheduler ran alpine and osv at start" sh -c "grep -q 'vigil_updater_runs_total{updater=\"alpine\",result=\"changed\"} 1' '$work/m.body' && grep -q 'vigil_updater_runs_total{updater=\"osv\",result=\"changed\"} 1' '$work/m.body'"
req "$work/op" GET "$S_URL/matcher/api/v1/internal/update_operation?latest=true"
check "its operations are served" jq_ok "$work/op.body" 'sorted(j) == ["alpine", "osv"] and all(len(v) == 1 for v in j.values())'
serve_stop "$S_PID" || true

# ---- graceful stop ----
serve_stop "$A_PID" && rc=0 || rc=$?
check "SIGTERM: exits 0" [ "$rc" = 0 ]
check "SIGTERM: says it stopped with nothing unfinished" grep -q '"unfinished":0' "$work/A.log"
serve_stop "$B_PID" || true

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
