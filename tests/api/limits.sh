#!/bin/sh
# limits.sh VIGIL WORKDIR [IMAGES] — `vigil serve` under concurrency and hostile requests, and
# its settings: two index requests whose images share four layers fetch each layer once
# (counted at a real docker-registry); above indexer.max_concurrent a POST gets 429 with
# Retry-After while /healthz still answers; SIGTERM lets a request in flight finish; PSK JWT
# auth accepts a good token and rejects a missing, expired, not-yet-valid, wrong-issuer,
# wrong-key and alg=none one (health routes stay open); TLS with a certificate file; the header
# cap; hostile paths logged as valid JSON; --check-config with unknown keys and line numbers,
# and environment overrides.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
images=${3:-$work/../test-images}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/lib.sh"
trap 'cleanup_servers; [ -s "$work/layers.pid" ] && kill "$(cat "$work/layers.pid")" 2>/dev/null; registry_stop' EXIT

registry_with_images
python3 "$here/layers.py" --blobs "$work/oci2/blobs" --port-file "$work/layers.port" \
    --log "$work/layers.log" </dev/null >"$work/layers.out" 2>&1 &
echo $! >"$work/layers.pid"
wait_for "$work/layers.port" || { echo "FAIL layer server did not start"; exit 1; }
LPORT=$(cat "$work/layers.port")
NOUPD="--set updaters.on_start=false --set updaters.interval=0"

# ---- two concurrent index requests sharing four layers: each layer fetched once ----
# shellcheck disable=SC2086
serve_start C --db "$work/c.db" $NOUPD --set indexer.max_concurrent=2 --set http.threads=4 \
    --set http.idle_timeout=1s
clair_manifest test >"$work/m-test.json"
clair_manifest test2 >"$work/m-test2.json"
: >"$work/requests.log"
req "$work/c1" POST "$C_URL/indexer/api/v1/index_report" --data-binary "@$work/m-test.json" &
j1=$!
req "$work/c2" POST "$C_URL/indexer/api/v1/index_report" --data-binary "@$work/m-test2.json" &
j2=$!
wait $j1 $j2
check "concurrent POSTs both 201" sh -c "grep -q 201 '$work/c1.status' && grep -q 201 '$work/c2.status'"
blob_gets test2 >"$work/gets"
check "5 distinct layers, each GET once ($(wc -l <"$work/gets") GETs)" sh -c \
    "[ \$(wc -l <'$work/gets') -eq 5 ] && [ \$(cut -d' ' -f1 '$work/gets' | sort -u | wc -l) -eq 5 ]"
# A client that sends half a request and stalls is cut off after http.idle_timeout (1 s here;
# the check allows 10 s).
check "a stalled half request is closed by the idle timeout" python3 - "$C_URL" <<'PY'
import socket, sys, time
host, port = sys.argv[1].split("//")[1].split(":")
s = socket.create_connection((host, int(port)))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
s.settimeout(10)
t0 = time.time()
try:
    data = s.recv(4096)
except socket.timeout:
    sys.exit(1)
sys.exit(0 if data == b"" or time.time() - t0 < 10 else 1)
PY
serve_stop "$C_PID" || true

# ---- 429 above the limit; health stays responsive while a job runs ----
# shellcheck disable=SC2086
serve_start D --db "$work/d.db" $NOUPD --set indexer.max_concurrent=1 --set http.threads=4 \
    --set indexer.retry_after=7s
clair_manifest test "http://127.0.0.1:$LPORT/slow/4" >"$work/m-slow.json"
req "$work/slow" POST "$D_URL/indexer/api/v1/index_report" --data-binary "@$work/m-slow.json" &
js=$!
n=0
until grep -q '/slow/' "$work/layers.log" 2>/dev/null || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
req "$work/busy" POST "$D_URL/indexer/api/v1/index_report" --data-binary "@$work/m-test2.json"
check "second index job over max_concurrent=1 -> 429" status_is "$work/busy" 429
check "429 carries Retry-After: 7" sh -c "[ '$(header "$work/busy" Retry-After)' = 7 ]"
req "$work/h" GET "$D_URL/healthz" --max-time 2
check "healthz answers while an index job runs" status_is "$work/h" 200
wait $js
check "the slow job finishes 201" status_is "$work/slow" 201

# ---- graceful shutdown: a request in flight at SIGTERM completes ----
clair_manifest test2 "http://127.0.0.1:$LPORT/slow/3" >"$work/m-slow2.json"
: >"$work/layers.log"
req "$work/inflight" POST "$D_URL/indexer/api/v1/index_report" --data-binary "@$work/m-slow2.json" &
js=$!
n=0
until grep -q '/slow/' "$work/layers.log" 2>/dev/null || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -TERM "$D_PID"
wait $js || true
check "request in flight at SIGTERM still gets 201" status_is "$work/inflight" 201
rc=0
wait "$D_PID" || rc=$?
check "server exits 0 after draining" [ "$rc" = 0 ]
req "$work/after" GET "$D_URL/healthz" --max-time 2
check "and no longer listens" sh -c "! grep -q 200 '$work/after.status'"

# ---- auth: Clair's PSK mode ----
key=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
otherkey=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
cat >"$work/auth.yaml" <<EOF
auth:
  psk:
    key: "$key"
    issuers: [quay, clairctl]
  leeway: 5s
updaters:
  on_start: false
  interval: 0
EOF
serve_start F --config "$work/auth.yaml" --db "$work/f.db"
now=$(date +%s)
tok() { # tok KEY ISS EXP [NBF [ALG]]
    claims="{\"iss\":\"$2\",\"exp\":$3${4:+,\"nbf\":$4}}"
    python3 "$here/mkjwt.py" --key-b64 "$1" --alg "${5:-HS256}" "$claims"
}
good=$(tok "$key" quay $((now + 300)))
expired=$(tok "$key" quay $((now - 120)))
future=$(tok "$key" quay $((now + 600)) $((now + 300)))
wrongiss=$(tok "$key" mallory $((now + 300)))
wrongkey=$(tok "$otherkey" quay $((now + 300)))
none=$(tok "$key" quay $((now + 300)) "" none)
S=$F_URL/indexer/api/v1/index_state
req "$work/a" GET "$S" -H "Authorization: Bearer $good"
check "auth: good token -> 200" status_is "$work/a" 200
req "$work/a" GET "$S"
check "auth: no token -> 401 with WWW-Authenticate" sh -c "grep -q 401 '$work/a.status' && grep -qi '^www-authenticate: Bearer' '$work/a.headers'"
for t in expired future wrongiss wrongkey none; do
    eval "v=\$$t"
    req "$work/a" GET "$S" -H "Authorization: Bearer $v"
    check "auth: $t token -> 401 ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["message"])' "$work/a.body" 2>/dev/null))" status_is "$work/a" 401
done
req "$work/a" GET "$S" -H "Authorization: Basic dXNlcjpwdw=="
check "auth: Basic -> 401" status_is "$work/a" 401
for p in healthz readyz metrics; do
    req "$work/a" GET "$F_URL/$p"
    check "auth: /$p open without a token" status_is "$work/a" 200
done
"$vigil" report --server "$F_URL" --psk-key "$key" --psk-issuer clairctl --wait 0 \
    "sha256:$(printf '%064d' 1)" >/dev/null 2>"$work/rep.err" || true
check "vigil report --psk-key signs a token the server accepts (404 for an unknown digest, not 401)" \
    sh -c "grep -q 'HTTP 404' '$work/rep.err'"
serve_stop "$F_PID" || true

# ---- TLS ----
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
# shellcheck disable=SC2086
serve_start G --db "$work/g.db" $NOUPD --set http.tls_cert="$work/tls.crt" --set http.tls_key="$work/tls.key"
check "TLS: the ready URL is https" sh -c "echo '$G_URL' | grep -q '^https://'"
req "$work/t" GET "$G_URL/healthz" --cacert "$work/tls.crt"
check "TLS: healthz over https with the CA" status_is "$work/t" 200
req "$work/t" GET "$G_URL/healthz"
check "TLS: an untrusted client fails the handshake" sh -c "! grep -q 200 '$work/t.status'"

# ---- header cap and hostile paths ----
big=$(head -c 40000 /dev/zero | tr '\0' a)
req "$work/hd" GET "$G_URL/healthz" --cacert "$work/tls.crt" -H "X-Big: $big"
check "a 40 KB header is refused (status $(cat "$work/hd.status"))" sh -c "! grep -q '^2' '$work/hd.status'"
req "$work/hd" GET "$G_URL/healthz" --cacert "$work/tls.crt"
check "the server still answers after it" status_is "$work/hd" 200
req "$work/hp" GET "$G_URL/x%22%0a%7B%5C%01%ff" --cacert "$work/tls.crt" -H 'X-Request-Id: "evil\id'
check "hostile path -> 404" status_is "$work/hp" 404
serve_stop "$G_PID" || true
check "every log line of the TLS server is one JSON object" python3 - "$work/G.log" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8", errors="strict").read().splitlines()
for l in lines:
    json.loads(l)
sys.exit(0 if any('"x\\"' in l or 'x\\"\\n' in l or '/x' in l for l in lines) else 1)
PY

# ---- configuration ----
cat >"$work/good.yaml" <<'EOF'
http:
  listen: "127.0.0.1:0"
  threads: 6
  max_body_bytes: 8MiB
  idle_timeout: 30s
indexer:
  max_concurrent: 3
updaters:
  sets: [debian, alpine]
  interval: 6h
log:
  level: info
EOF
"$vigil" serve --config "$work/good.yaml" --check-config >"$work/cc.out" 2>&1 && rc=0 || rc=$?
check "--check-config on a good file -> 0" [ "$rc" = 0 ]
cat >"$work/bad.yaml" <<'EOF'
http:
  listen: "127.0.0.1:0"
  threds: 6
indexer:
  max_concurrent: 1
  colour: blue
EOF
"$vigil" serve --config "$work/bad.yaml" --check-config >"$work/cc.out" 2>&1 && rc=0 || rc=$?
check "--check-config with unknown keys -> 2" [ "$rc" = 2 ]
check "unknown keys reported with their lines: $(tr '\n' ' ' <"$work/cc.out")" sh -c \
    "grep -q ':3.*http.threds' '$work/cc.out' && grep -q ':6.*indexer.colour' '$work/cc.out'"
printf 'http:\n  threads: many\n' >"$work/type.yaml"
"$vigil" serve --config "$work/type.yaml" --check-config >"$work/cc.out" 2>&1 && rc=0 || rc=$?
check "a wrong type names key and line: $(head -1 "$work/cc.out")" sh -c "[ $rc = 2 ] && grep -q ':2' '$work/cc.out' && grep -q 'http.threads' '$work/cc.out'"
VIGIL_HTTP_THREADS=abc "$vigil" serve --check-config >"$work/cc.out" 2>&1 && rc=0 || rc=$?
check "a bad environment override names the variable" sh -c "[ $rc = 2 ] && grep -q VIGIL_HTTP_THREADS '$work/cc.out'"
VIGIL_INDEXER_MAX_CONCURRENT=9 "$vigil" serve --set http.threads=4 --check-config >"$work/cc.out" 2>&1 && rc=0 || rc=$?
check "environment and flags combine (max_concurrent 9 >= threads 4 refused)" sh -c "[ $rc = 2 ] && grep -q 'max_concurrent' '$work/cc.out'"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
