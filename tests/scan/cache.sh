#!/bin/sh
# cache.sh VIGIL WORKDIR [IMAGES] — the layer cache counted at a real registry. The 4-layer
# Debian test image (tests/images/build-debian.sh, cached in IMAGES, default WORKDIR/../test-images)
# is pushed with skopeo into docker-registry (tests/registry/start.sh open) and scanned with
# `vigil scan registry:` through count_proxy.py, which logs every request. The first scan must
# GET every layer blob once; the second GETs none and says "4 cached, 0 indexed"; an image that
# adds one layer on top of the same four (a tar made here, `umoci raw add-layer` into a
# copy of the layout; umoci 0.4.7's `insert` writes a tar without its end blocks) GETs only
# the new layer.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
images=${3:-$work/../test-images}
shared=${VIGIL_SHARED:-$here/../../../shared}
img=$images/debian-image
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

"$here/../images/build-debian.sh" "$img"
export VG_REGISTRY_WATCH_PID=$$
reg=$work/registry
"$here/../registry/start.sh" open "$reg" >/dev/null
PORT=
. "$reg/info"
cleanup() {
    [ -s "$work/proxy.pid" ] && kill "$(cat "$work/proxy.pid")" 2>/dev/null
    "$here/../registry/stop.sh" "$reg" --rm
}
trap cleanup EXIT

/usr/bin/python3 "$here/count_proxy.py" --upstream "127.0.0.1:$PORT" --port-file "$work/proxy.port" \
    --log "$work/requests.log" </dev/null >"$work/proxy.out" 2>&1 &
echo $! >"$work/proxy.pid"
i=0
while [ ! -s "$work/proxy.port" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || { echo "FAIL proxy did not start: $(cat "$work/proxy.out")"; exit 1; }
    sleep 0.1
done
pport=$(cat "$work/proxy.port")

# A second image: the same four layers plus one more, in a copy of the layout (blobs
# hard-linked; umoci only adds files and rewrites index.json, which is copied).
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
    skopeo inspect --raw --tls-verify=false docker://127.0.0.1:"$PORT"/debian:$t >"$work/manifest-$t.json"
done

db=$work/vigil.db
"$vigil" update --no-progress --db "$db" --source debian \
    --url "$shared/feeds/debian/tracker-json/vunnel-debian.json" >/dev/null

# scan N TAG: scan through the proxy; WORK/getsN lists the layer digests GETted (one a line).
scan() {
    : >"$work/requests.log"
    "$vigil" scan --insecure -v --db "$db" registry:127.0.0.1:"$pport"/debian:"$2" \
        >"$work/scan$1.out" 2>"$work/scan$1.err" || { bad "scan $1: $(cat "$work/scan$1.err")"; return 0; }
    /usr/bin/python3 - "$work/manifest-$2.json" "$work/requests.log" >"$work/gets$1" <<'EOF'
import json, sys
layers = {l["digest"] for l in json.load(open(sys.argv[1]))["layers"]}
for line in open(sys.argv[2]):
    method, path, status = line.split()
    d = path.split("/blobs/")[-1] if "/blobs/" in path else None
    if method == "GET" and d in layers:
        print(d, status)
EOF
}
layers() { /usr/bin/python3 -c 'import json,sys; [print(l["digest"]) for l in json.load(open(sys.argv[1]))["layers"]]' "$1"; }
layers "$work/manifest-test.json" | sort >"$work/layers-test"
layers "$work/manifest-test2.json" | sort >"$work/layers-test2"
[ "$(wc -l <"$work/layers-test")" -eq 4 ] || bad "the test image has $(wc -l <"$work/layers-test") layers, not 4"

scan 1 test
if [ "$(cut -d' ' -f1 "$work/gets1" | sort)" = "$(cat "$work/layers-test")" ] &&
    grep -q "4 layers, 0 cached, 4 indexed" "$work/scan1.err"; then
    ok "first scan: each of the 4 layer blobs GET once, 4 indexed"
else bad "first scan: GETs $(cat "$work/gets1"); $(cat "$work/scan1.err")"; fi

scan 2 test
if [ ! -s "$work/gets2" ] && grep -q "4 layers, 4 cached, 0 indexed" "$work/scan2.err"; then
    ok "second scan: 0 layer blob GETs ($(wc -l <"$work/requests.log") requests), 4 cached, 0 indexed"
else bad "second scan: GETs $(cat "$work/gets2"); $(cat "$work/scan2.err")"; fi
if cmp -s "$work/scan1.out" "$work/scan2.out"; then ok "second scan: same report"
else bad "second scan: the report differs"; fi

scan 3 test2
comm -13 "$work/layers-test" "$work/layers-test2" >"$work/new-layers"
if [ "$(wc -l <"$work/new-layers")" -eq 1 ] &&
    [ "$(cut -d' ' -f1 "$work/gets3" | sort)" = "$(cat "$work/new-layers")" ] &&
    grep -q "5 layers, 4 cached, 1 indexed" "$work/scan3.err"; then
    ok "shared-base image: only the 1 new layer GET, 4 cached, 1 indexed"
else bad "shared-base image: GETs $(cat "$work/gets3"), new $(cat "$work/new-layers"); $(cat "$work/scan3.err")"; fi
[ "$fails" -eq 0 ]
