#!/bin/sh
# start.sh MODE DIR — starts Debian's docker-registry on a free 127.0.0.1 port with its config
# and storage in DIR, pushes a small test image into it, prints the port and writes DIR/info
# (KEY=VALUE lines: PORT, USER, PASSWORD, REPO, TAG, digests and sizes) for the tests.
#
# MODE: open      plain http, no auth
#       htpasswd  plain http, basic auth (bcrypt file made with htpasswd -B); also starts
#                 proxy.py (503/429 first, then a cross-host 307 for blobs) as PROXY_PORT
#       token     plain http, bearer auth: token_server.py issues RS256 JWTs with a key the
#                 registry trusts through rootcertbundle (TOKEN_PORT)
#       tls       https with a self-signed certificate for 127.0.0.1 (CA_FILE), no auth
# Exits 77 when a needed tool is missing (docker-registry, skopeo, umoci, openssl, python3,
# curl, htpasswd). If VG_REGISTRY_WATCH_PID is set, everything is stopped once that process
# exits. Stop with stop.sh DIR.
set -eu
mode=${1:?usage: start.sh open|htpasswd|token|tls DIR}
dir=${2:?usage: start.sh open|htpasswd|token|tls DIR}
here=$(cd "$(dirname "$0")" && pwd)

need="docker-registry skopeo umoci openssl python3 curl"
[ "$mode" = htpasswd ] && need="$need htpasswd"
for t in $need; do
    command -v "$t" >/dev/null 2>&1 || { echo "start.sh: $t is not installed" >&2; exit 77; }
done
case "$mode" in open | htpasswd | token | tls) ;; *) echo "start.sh: bad mode $mode" >&2; exit 2 ;; esac

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
: >"$dir/.vigil-registry"
user=vigil
password='Vig1l-s3cret:pw'
repo=vigil/test
log() { echo "start.sh: $*" >&2; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_file FILE: up to 10 s for a port file written by a child.
wait_file() {
    i=0
    while [ ! -s "$1" ]; do
        i=$((i + 1))
        [ $i -le 100 ] || { log "timed out waiting for $1"; exit 1; }
        sleep 0.1
    done
}

# ---- the image: one layer of 2 MiB random bytes plus an os-release, made with umoci
if [ ! -f "$dir/layout/index.json" ]; then
    rm -rf "$dir/layout" "$dir/bundle"
    umoci init --layout "$dir/layout"
    umoci new --image "$dir/layout:v1"
    umoci unpack --image "$dir/layout:v1" "$dir/bundle" >/dev/null
    mkdir -p "$dir/bundle/rootfs/etc"
    printf 'ID=vigiltest\nVERSION_ID=1\n' >"$dir/bundle/rootfs/etc/os-release"
    head -c 2097152 /dev/urandom >"$dir/bundle/rootfs/random.bin"
    umoci repack --image "$dir/layout:v1" "$dir/bundle" >/dev/null
    rm -rf "$dir/bundle"
fi

# ---- auth and TLS sections of the registry config
auth=""
scheme=http
tlscfg=""
case "$mode" in
htpasswd)
    htpasswd -Bbc "$dir/htpasswd" "$user" "$password" 2>/dev/null
    auth="auth:
  htpasswd:
    realm: vigil-test
    path: $dir/htpasswd"
    ;;
token)
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/token.key" -out "$dir/token.crt" \
        -days 2 -subj /CN=vigil-test-token 2>/dev/null
    rm -f "$dir/token.port"
    python3 "$here/token_server.py" --key "$dir/token.key" --cert "$dir/token.crt" \
        --issuer vigil-test-issuer --service vigil-test-registry --user "$user" \
        --password "$password" --port-file "$dir/token.port" \
        --count-file "$dir/token.count" </dev/null >"$dir/token.log" 2>&1 &
    echo $! >"$dir/token.pid"
    wait_file "$dir/token.port"
    tport=$(cat "$dir/token.port")
    auth="auth:
  token:
    realm: http://127.0.0.1:$tport/token
    service: vigil-test-registry
    issuer: vigil-test-issuer
    rootcertbundle: $dir/token.crt"
    ;;
tls)
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/tls.key" -out "$dir/tls.crt" \
        -days 2 -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        2>/dev/null
    scheme=https
    tlscfg="  tls:
    certificate: $dir/tls.crt
    key: $dir/tls.key"
    ;;
esac

# ---- the registry; a port taken between free_port and bind is retried
tries=0
while :; do
    tries=$((tries + 1))
    port=$(free_port)
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: vigil-test-secret
$tlscfg
$auth
EOF
    docker-registry serve "$dir/config.yml" </dev/null >"$dir/registry.log" 2>&1 &
    echo $! >"$dir/registry.pid"
    up=0
    i=0
    while [ $i -lt 100 ]; do
        code=$(curl -ks -o /dev/null -w '%{http_code}' "$scheme://127.0.0.1:$port/v2/" || true)
        case "$code" in 200 | 401) up=1; break ;; esac
        kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null || break
        i=$((i + 1))
        sleep 0.1
    done
    [ $up -eq 1 ] && break
    kill "$(cat "$dir/registry.pid")" 2>/dev/null || true
    [ $tries -lt 3 ] || { log "registry did not start; see $dir/registry.log"; exit 1; }
done

if [ "$mode" = htpasswd ]; then
    rm -f "$dir/proxy.port"
    python3 "$here/proxy.py" --upstream "127.0.0.1:$port" --user "$user" \
        --password "$password" --port-file "$dir/proxy.port" </dev/null >"$dir/proxy.log" 2>&1 &
    echo $! >"$dir/proxy.pid"
    wait_file "$dir/proxy.port"
fi

if [ -n "${VG_REGISTRY_WATCH_PID:-}" ]; then
    (
        while kill -0 "$VG_REGISTRY_WATCH_PID" 2>/dev/null; do sleep 1; done
        "$here/stop.sh" "$dir" --rm
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/watch.pid"
fi

# ---- push: the OCI manifest as :v1, a docker v2s2 conversion as :v1-docker
cu=""
[ "$mode" = open ] || [ "$mode" = tls ] || cu="$user:$password"
dst="docker://127.0.0.1:$port/$repo"
# shellcheck disable=SC2086
skopeo copy -q --insecure-policy --dest-tls-verify=false ${cu:+--dest-creds=$cu} \
    "oci:$dir/layout:v1" "$dst:v1" >"$dir/push.log" 2>&1 || { cat "$dir/push.log" >&2; exit 1; }
# shellcheck disable=SC2086
skopeo copy -q --insecure-policy --dest-tls-verify=false ${cu:+--dest-creds=$cu} --format v2s2 \
    "oci:$dir/layout:v1" "$dst:v1-docker" >>"$dir/push.log" 2>&1 ||
    { cat "$dir/push.log" >&2; exit 1; }
# shellcheck disable=SC2086
skopeo inspect --raw --tls-verify=false ${cu:+--creds=$cu} "$dst:v1" >"$dir/manifest-v1.json"
# shellcheck disable=SC2086
skopeo inspect --raw --tls-verify=false ${cu:+--creds=$cu} "$dst:v1-docker" >"$dir/manifest-v1-docker.json"

python3 - "$dir" <<'EOF' >"$dir/info.tmp"
import hashlib, json, sys
d = sys.argv[1]
for key, name in (("", "manifest-v1.json"), ("DOCKER_", "manifest-v1-docker.json")):
    raw = open("%s/%s" % (d, name), "rb").read()
    m = json.loads(raw)
    big = max(m["layers"], key=lambda l: l["size"])
    print("%sMANIFEST_DIGEST=sha256:%s" % (key, hashlib.sha256(raw).hexdigest()))
    print("%sMANIFEST_SIZE=%d" % (key, len(raw)))
    print("%sMEDIA_TYPE=%s" % (key, m.get("mediaType", "application/vnd.oci.image.manifest.v1+json")))
    print("%sCONFIG_DIGEST=%s" % (key, m["config"]["digest"]))
    print("%sLAYER_DIGEST=%s" % (key, big["digest"]))
    print("%sLAYER_SIZE=%d" % (key, big["size"]))
EOF
{
    echo "MODE=$mode"
    echo "PORT=$port"
    echo "USER=$user"
    echo "PASSWORD=$password"
    echo "REPO=$repo"
    echo "TAG=v1"
    echo "DOCKER_TAG=v1-docker"
    [ "$mode" = token ] && echo "TOKEN_PORT=$tport" && echo "TOKEN_COUNT_FILE=$dir/token.count"
    [ "$mode" = htpasswd ] && echo "PROXY_PORT=$(cat "$dir/proxy.port")"
    [ "$mode" = tls ] && echo "CA_FILE=$dir/tls.crt"
    cat "$dir/info.tmp"
} >"$dir/info"
rm -f "$dir/info.tmp"
echo "$port"
