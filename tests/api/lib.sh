# lib.sh — sourced by the tests/api/*.sh scripts: starting and stopping a real `vigil serve`
# on an ephemeral port (serve_start NAME [ARGS...] sets NAME_URL and NAME_PID), curl wrappers
# that record status, headers and body (req), JSON checks with python3 (jq_ok), the registry
# with the cached Debian test image, and the ok/bad counters every script ends with.
# Expects: vigil (the binary), work (a scratch dir), here (tests/api).

fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # check DESC COND...: runs COND, ok/bad by its status
    d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for FILE [TENTHS]: until FILE is non-empty (default 10 s).
wait_for() {
    n=0
    while [ ! -s "$1" ]; do
        n=$((n + 1))
        [ $n -le "${2:-100}" ] || return 1
        sleep 0.1
    done
}

# serve_start NAME ARGS...: starts vigil serve on 127.0.0.1:0 with its log in WORK/NAME.log.
serve_start() {
    name=$1
    shift
    rm -f "$work/$name.url"
    "$vigil" serve --listen 127.0.0.1:0 --ready-file "$work/$name.url" "$@" \
        >"$work/$name.out" 2>"$work/$name.log" &
    eval "${name}_PID=$!"
    if ! wait_for "$work/$name.url" 300; then
        echo "FAIL serve $name did not start:"
        cat "$work/$name.log" "$work/$name.out"
        exit 1
    fi
    eval "${name}_URL=$(cat "$work/$name.url")"
    SERVERS="${SERVERS:-} $!"
}

serve_stop() { # serve_stop PID: SIGTERM and wait; returns the exit status
    kill -TERM "$1" 2>/dev/null || true
    st=0
    wait "$1" || st=$?
    return $st
}

# req OUT METHOD URL [CURL ARGS...]: OUT.status, OUT.headers, OUT.body.
req() {
    out=$1 method=$2 url=$3
    shift 3
    curl -sS -X "$method" -o "$out.body" -D "$out.headers" -w '%{http_code}' "$@" "$url" \
        >"$out.status" 2>"$out.err" || echo 000 >"$out.status"
}
status_is() { [ "$(cat "$1.status")" = "$2" ]; }
header() { # header OUT NAME: the value of a response header
    tr -d '\r' <"$1.headers" | awk -v n="$(echo "$2" | tr 'A-Z' 'a-z')" \
        'BEGIN{FS=": "} {k=tolower($1)} k==n {sub(/^[^:]*: /, ""); print; exit}'
}
# jq_ok FILE PYEXPR: evaluates a Python expression over j = the parsed JSON file.
jq_ok() {
    python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

cleanup_servers() {
    for p in ${SERVERS:-}; do kill -9 "$p" 2>/dev/null || true; done
}

# registry_with_images: the cached Debian test image (build-debian.sh), pushed as debian:test
# and debian:test2 (the same four layers plus one) into docker-registry (open mode), behind
# count_proxy.py which logs every request to WORK/requests.log. Sets PORT (registry), PPORT
# (proxy), and writes WORK/manifest-TAG.json.
registry_with_images() {
    img=$images/debian-image
    "$here/../images/build-debian.sh" "$img"
    export VG_REGISTRY_WATCH_PID=$$
    reg=$work/registry
    "$here/../registry/start.sh" open "$reg" >/dev/null
    PORT=
    . "$reg/info"
    python3 "$here/../scan/count_proxy.py" --upstream "127.0.0.1:$PORT" \
        --port-file "$work/proxy.port" --log "$work/requests.log" </dev/null \
        >"$work/proxy.out" 2>&1 &
    echo $! >"$work/proxy.pid"
    wait_for "$work/proxy.port" || { echo "FAIL proxy did not start"; exit 1; }
    PPORT=$(cat "$work/proxy.port")
    cp -al "$img/oci" "$work/oci2"
    rm "$work/oci2/index.json"
    cp "$img/oci/index.json" "$work/oci2/index.json"
    umoci tag --image "$work/oci2:test" test2
    mkdir -p "$work/extra/opt"
    printf 'second image\n' >"$work/extra/opt/extra.txt"
    tar -C "$work/extra" --owner=0 --group=0 -cf "$work/extra.tar" opt
    umoci raw add-layer --image "$work/oci2:test2" "$work/extra.tar" >/dev/null
    for t in test test2; do
        skopeo copy -q --insecure-policy --dest-tls-verify=false \
            oci:"$work/oci2:$t" docker://127.0.0.1:"$PORT"/debian:$t
        skopeo inspect --raw --tls-verify=false docker://127.0.0.1:"$PORT"/debian:$t \
            >"$work/manifest-$t.json"
    done
}

# push_alpine: the demo's Alpine image (real findings in the shared feeds) as alpine:3.14, its
# manifest in WORK/manifest-alpine.json; and WORK/mirror, a feed mirror of ../shared/feeds.
push_alpine() {
    skopeo copy -q --insecure-policy --dest-tls-verify=false \
        docker-archive:"$shared/images/snyk/containerd-alpine-3.14.tar" \
        docker://127.0.0.1:"$PORT"/alpine:3.14
    skopeo inspect --raw --tls-verify=false docker://127.0.0.1:"$PORT"/alpine:3.14 \
        >"$work/manifest-alpine.json"
    python3 "$here/../feed/mirror.py" build "$(cd "$shared" && pwd)" "$work/mirror" >/dev/null
}

registry_stop() {
    [ -s "$work/proxy.pid" ] && kill "$(cat "$work/proxy.pid")" 2>/dev/null
    [ -d "$work/registry" ] && "$here/../registry/stop.sh" "$work/registry" --rm
    return 0
}

# clair_manifest TAG [BASEURL]: the Clair Manifest JSON of debian:TAG, its layer URIs at the
# proxy (or BASEURL/<digest>), on stdout. The manifest hash is the registry manifest digest.
clair_manifest() {
    python3 - "$work/manifest-$1.json" "${2:-http://127.0.0.1:$PPORT/v2/debian/blobs}" <<'PY'
import hashlib, json, sys
raw = open(sys.argv[1], "rb").read()
m = json.loads(raw)
print(json.dumps({
    "hash": "sha256:" + hashlib.sha256(raw).hexdigest(),
    "layers": [{"hash": l["digest"], "uri": sys.argv[2] + "/" + l["digest"],
                "headers": {"Accept": ["*/*"]}, "media_type": l["mediaType"]}
               for l in m["layers"]],
}))
PY
}

# blob_gets TAG: "DIGEST STATUS" for every GET of a layer of debian:TAG in WORK/requests.log.
blob_gets() {
    python3 - "$work/manifest-$1.json" "$work/requests.log" <<'PY'
import json, sys
layers = {l["digest"] for l in json.load(open(sys.argv[1]))["layers"]}
for line in open(sys.argv[2]):
    method, path, status = line.split()
    d = path.split("/blobs/")[-1] if "/blobs/" in path else None
    if method == "GET" and d in layers:
        print(d, status)
PY
}
