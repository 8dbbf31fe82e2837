#!/bin/sh
# uri.sh VIGIL URI_INDEX WORKDIR [IMAGES] — images made of layer URIs (src/image/uri.c), the
# way Clair's indexer gets them in a Manifest. The 4-layer Debian test image
# (tests/images/build-debian.sh, cached in IMAGES, default WORKDIR/../test-images) is served
# by blob_server.py, which wants "Authorization: Bearer t0k"; URI_INDEX (uri_index.c) opens
# the layer list and indexes it. Checks: the packages equal `vigil index oci:` of the same
# image; a missing header fails naming 401 and the layer; 404 names the status and the URI;
# wrong bytes are a digest mismatch; a 64 MiB error body is not read; a redirect to another
# port works without forwarding the Authorization header, with its signed query redacted in
# errors; a 503 is retried; redirect loops and non-http redirects fail. Then
# vg_image_layer_remote against docker-registry (tests/registry/start.sh token and open):
# each URL fetched with curl and the AUTH it printed has the blob's digest, and the pairs
# index through URI_INDEX again.
set -eu
vigil=$1 drv=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
images=${4:-$work/../test-images}
img=$images/debian-image
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check="/usr/bin/python3 $here/../index/check_index.py"

"$here/../images/build-debian.sh" "$img"
"$vigil" index "oci:$img/oci:test" >"$work/oci.json"

# The manifest of oci:…:test: its digest, then its layer digests, one a line.
/usr/bin/python3 - "$img/oci" >"$work/manifest" <<'EOF'
import json, sys
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
m = [x for x in idx["manifests"]
     if x.get("annotations", {}).get("org.opencontainers.image.ref.name") == "test"][0]
print(m["digest"])
man = json.load(open(d + "/blobs/" + m["digest"].replace(":", "/")))
for l in man["layers"]:
    print(l["digest"])
EOF
hash=$(head -1 "$work/manifest")
tail -n +2 "$work/manifest" >"$work/layers"
[ "$(wc -l <"$work/layers")" -eq 4 ] || { echo "FAIL want 4 layers: $(cat "$work/layers")"; exit 1; }

/usr/bin/python3 "$here/blob_server.py" --layout "$img/oci" --token t0k \
    --port-file "$work/ports" --log "$work/requests.log" </dev/null >"$work/server.out" 2>&1 &
echo $! >"$work/server.pid"
reg=""
cleanup() {
    kill "$(cat "$work/server.pid")" 2>/dev/null || true
    [ -z "$reg" ] || "$here/../registry/stop.sh" "$reg" --rm
}
trap cleanup EXIT
i=0
while [ ! -s "$work/ports" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || { echo "FAIL server did not start: $(cat "$work/server.out")"; exit 1; }
    sleep 0.1
done
port=$(sed -n 1p "$work/ports")
sport=$(sed -n 2p "$work/ports")
base=http://127.0.0.1:$port
auth='Authorization: Bearer t0k'

# args KIND [N KIND2]: one DIGEST=URI|header argument per layer, layer N (0-based) under
# /KIND2/ instead of /KIND/; KIND2 "noauth" means /KIND/ without the header.
args() {
    n=0
    while read -r d; do
        k=$1 h="|$auth"
        if [ $# -ge 3 ] && [ "$n" -eq "$2" ]; then
            if [ "$3" = noauth ]; then h=""; else k=$3; fi
        fi
        printf '%s=%s/%s/%s%s\n' "$d" "$base" "$k" "$d" "$h"
        n=$((n + 1))
    done <"$work/layers"
}
# run NAME ARGS...: uri_index on the layer list made by `args ARGS`; WORK/NAME.json, .err
run() {
    name=$1
    shift
    args "$@" >"$work/$name.args"
    : >"$work/requests.log"
    set -- "$hash"
    while IFS= read -r a; do set -- "$@" "$a"; done <"$work/$name.args"
    "$drv" "$@" >"$work/$name.json" 2>"$work/$name.err"
}
layer() { sed -n "$(($1 + 1))p" "$work/layers"; }

if run plain blobs && $check same "$work/plain.json" "$work/oci.json" >/dev/null &&
    $check packages "$work/plain.json" "$img/expected.tsv" >/dev/null &&
    /usr/bin/python3 -c '
import json, sys
def attribution(path):
    r = json.load(open(path))
    return r, {(p["name"], p["version"]): r["environments"][k][0]["introduced_in"]
               for k, p in r["packages"].items()}
a, pa = attribution(sys.argv[1])
b, pb = attribution(sys.argv[2])
assert a["manifest_hash"] == sys.argv[3], a["manifest_hash"]
assert pa == pb, "introduced_in differs"
assert set(pa.values()) <= {l.strip() for l in open(sys.argv[4])}' \
        "$work/plain.json" "$work/oci.json" "$hash" "$work/layers"; then
    ok "indexed from URIs: same packages and layers of introduction as vigil index oci:"
else bad "plain: $(cat "$work/plain.err")"; fi
if [ "$(grep -c "^registry GET /blobs/sha256:[0-9a-f]* Bearer t0k$" "$work/requests.log")" -eq 4 ]; then
    ok "each layer GET once, with the header"
else bad "requests: $(cat "$work/requests.log")"; fi

if run noauth blobs 2 noauth; then bad "no header: succeeded"
elif grep -q "layer 2: $base/blobs/$(layer 2): HTTP 401" "$work/noauth.err"; then
    ok "no header: $(cat "$work/noauth.err")"
else bad "no header: $(cat "$work/noauth.err")"; fi

if run missing blobs 1 missing; then bad "404: succeeded"
elif grep -q "layer 1: $base/missing/$(layer 1): HTTP 404" "$work/missing.err"; then
    ok "404: $(cat "$work/missing.err")"
else bad "404: $(cat "$work/missing.err")"; fi

if run wrong blobs 3 wrong; then bad "wrong bytes: succeeded"
elif grep -q "digest mismatch for $(layer 3): got sha256:" "$work/wrong.err"; then
    ok "wrong bytes: $(cat "$work/wrong.err")"
else bad "wrong bytes: $(cat "$work/wrong.err")"; fi

if run redirect redirect && $check same "$work/redirect.json" "$work/oci.json" >/dev/null; then
    ok "every layer through a redirect to another port: same packages"
else bad "redirect: $(cat "$work/redirect.err")"; fi
if [ "$(grep -c "^registry GET /redirect/sha256:[0-9a-f]* Bearer t0k$" "$work/requests.log")" -eq 4 ] &&
    [ "$(grep -c "^storage GET /blobs/sha256:[0-9a-f]*?X-Amz-Signature=s1gn -$" "$work/requests.log")" -eq 4 ] &&
    ! grep -q "^storage .*Bearer" "$work/requests.log"; then
    ok "redirect: the header went to the first port only"
else bad "redirect requests: $(cat "$work/requests.log")"; fi

# A redirect to storage that lacks the blob: a 404 naming both URIs, the signature redacted.
zero=sha256:$(printf '%064d' 0)
if "$drv" "$hash" "$zero=$base/redirect/$zero|$auth" >/dev/null 2>"$work/redir404.err"; then
    bad "404 after a redirect: succeeded"
elif grep -q "layer 0: $base/redirect/$zero (redirected to http://127.0.0.1:$sport/blobs/$zero?X-Amz-Signature=\*\*\*): HTTP 404" \
    "$work/redir404.err" && ! grep -q s1gn "$work/redir404.err"; then
    ok "404 after a redirect: $(cat "$work/redir404.err")"
else bad "404 after a redirect: $(cat "$work/redir404.err")"; fi

if run flaky blobs 0 flaky && $check same "$work/flaky.json" "$work/oci.json" >/dev/null &&
    [ "$(grep -c "GET /flaky/" "$work/requests.log")" -eq 2 ]; then
    ok "503 retried once"
else bad "flaky: $(cat "$work/flaky.err"); $(grep flaky "$work/requests.log")"; fi

if run bigerror blobs 0 bigerror; then bad "big error body: succeeded"
elif grep -q "layer 0: $base/bigerror/$(layer 0): HTTP 403" "$work/bigerror.err"; then
    i=0
    while ! grep -q "note bigerror" "$work/requests.log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if grep -q "note bigerror body cut by the client" "$work/requests.log"; then
        ok "403 with a 64 MiB body: not read past the error-body cap"
    else bad "403 with a 64 MiB body: $(grep note "$work/requests.log")"; fi
else bad "big error body: $(cat "$work/bigerror.err")"; fi

if run loop blobs 0 loop; then bad "redirect loop: succeeded"
elif grep -q "layer 0: $base/loop/$(layer 0): more than 5 redirects" "$work/loop.err" &&
    [ "$(grep -c "GET /loop/" "$work/requests.log")" -eq 6 ]; then
    ok "redirect loop: $(cat "$work/loop.err")"
else bad "redirect loop: $(cat "$work/loop.err")"; fi

if run file blobs 0 file; then bad "redirect to file: succeeded"
elif grep -q "redirect target: scheme \"file\" is not allowed" "$work/file.err"; then
    ok "redirect to file://: $(cat "$work/file.err")"
else bad "redirect to file://: $(cat "$work/file.err")"; fi

if "$drv" "$hash" "$(layer 0)=file:///etc/passwd" >/dev/null 2>"$work/scheme.err"; then
    bad "file URI: succeeded"
elif grep -q 'layers\[0\].uri: scheme "file" is not allowed' "$work/scheme.err"; then
    ok "file URI: $(cat "$work/scheme.err")"
else bad "file URI: $(cat "$work/scheme.err")"; fi

# ---- vg_image_layer_remote against docker-registry
if "$drv" --remote "oci:$img/oci:test" >/dev/null 2>"$work/local.err"; then bad "--remote on oci: succeeded"
elif grep -q -- "--server needs a registry image; oci:.* is a local image" "$work/local.err"; then
    ok "--remote on a local image: $(cat "$work/local.err")"
else bad "--remote on oci: $(cat "$work/local.err")"; fi

export VG_REGISTRY_WATCH_PID=$$
for mode in token open; do
    reg=$work/registry-$mode
    rc=0
    "$here/../registry/start.sh" "$mode" "$reg" >/dev/null 2>"$work/start-$mode.err" || rc=$?
    if [ "$rc" -eq 77 ]; then
        echo "skip $mode registry: $(cat "$work/start-$mode.err")"
        reg=""
        continue
    fi
    [ "$rc" -eq 0 ] || { bad "$mode registry did not start: $(cat "$work/start-$mode.err")"; reg=""; continue; }
    PORT='' USER='' PASSWORD='' REPO='' TAG='' LAYER_DIGEST=''
    # shellcheck disable=SC1091
    . "$reg/info"
    ref=registry:127.0.0.1:$PORT/$REPO:$TAG
    if [ "$mode" = token ]; then
        out=$(VIGIL_REGISTRY_AUTH="127.0.0.1:$PORT=$USER:$PASSWORD" "$drv" --insecure --remote "$ref" 2>&1) || rc=$?
    else
        out=$("$drv" --insecure --remote "$ref" 2>&1) || rc=$?
    fi
    [ "$rc" -eq 0 ] || { bad "$mode --remote: $out"; "$here/../registry/stop.sh" "$reg" --rm; reg=""; continue; }
    printf '%s\n' "$out" >"$work/remote-$mode"
    n=0 good=0
    set -- "sha256:$(printf '%064d' 1)"
    tab=$(printf '\t')
    while IFS="$tab" read -r url a; do
        n=$((n + 1))
        d=${url##*/blobs/}
        case "$url" in "http://127.0.0.1:$PORT/v2/$REPO/blobs/sha256:"*) ;; *) bad "$mode url $url"; continue ;; esac
        if [ "$mode" = token ]; then
            case "$a" in "Bearer "?*) ;; *) bad "$mode auth: '$a'"; continue ;; esac
            code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
            [ "$code" = 401 ] || bad "$mode: the blob is served without auth ($code)"
            got=$(curl -fsS -H "Authorization: $a" "$url" | sha256sum | cut -d' ' -f1)
            set -- "$@" "$d=$url|Authorization: $a"
        else
            [ -z "$a" ] || bad "$mode: auth '$a' for an open registry"
            got=$(curl -fsS "$url" | sha256sum | cut -d' ' -f1)
            set -- "$@" "$d=$url"
        fi
        [ "sha256:$got" = "$d" ] && good=$((good + 1))
    done <"$work/remote-$mode"
    if [ "$n" -ge 1 ] && [ "$good" -eq "$n" ] && grep -q "$LAYER_DIGEST" "$work/remote-$mode"; then
        ok "$mode registry: $n layer URL(s) fetched with curl and the printed auth match their digests"
    else bad "$mode registry: $good of $n URLs fetched with the right digest: $out"; fi
    if "$drv" "$@" >"$work/remote-$mode.json" 2>"$work/remote-$mode.err" &&
        grep -q '"success": true' "$work/remote-$mode.json"; then
        ok "$mode registry: the URL/auth pairs index through vg_image_open_layers"
    else bad "$mode registry: index from the pairs: $(cat "$work/remote-$mode.err")"; fi
    "$here/../registry/stop.sh" "$reg" --rm
    reg=""
done
[ "$fails" -eq 0 ]
