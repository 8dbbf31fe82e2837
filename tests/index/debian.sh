#!/bin/sh
# debian.sh VIGIL WORKDIR — `vigil index` on the real 4-layer Debian 12 image built by
# tests/images/build-debian.sh, in every local form (OCI layout, OCI archive,
# docker-archive, the unpacked top rootfs): each must list exactly what dpkg-query lists in
# the top rootfs, the purged package must be gone, and introduced_in must name the layer
# that really installed each package.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
img=$work/debian-image
"$here/../images/build-debian.sh" "$img"
check="/usr/bin/python3 $here/check_index.py"
out=$work/debian-index
mkdir -p "$out"
for form in "oci:$img/oci:test" "oci-archive:$img/oci.tar" "docker-archive:$img/docker.tar" \
    "rootfs:$img/rootfs"; do
    name=$(echo "$form" | cut -d: -f1)
    "$vigil" index "$form" >"$out/$name.json"
    $check packages "$out/$name.json" "$img/expected.tsv"
    $check dist "$out/$name.json" debian:12
    $check absent "$out/$name.json" less
done
# Layer attribution: digests of the four layers, bottom first, from the OCI manifest.
layers=$(/usr/bin/python3 -c '
import json, sys
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
m = [x for x in idx["manifests"] if x.get("annotations", {}).get("org.opencontainers.image.ref.name") == "test"][0]
man = json.load(open(d + "/blobs/" + m["digest"].replace(":", "/")))
print(" ".join(l["digest"] for l in man["layers"]))' "$img/oci")
set -- $layers
[ $# -eq 4 ] || { echo "FAIL: want 4 layers, got $#"; exit 1; }
$check introduced "$out/oci.json" "$1" dpkg base-files libc6 coreutils
$check introduced "$out/oci.json" "$2" bzip2 xz-utils
$check introduced "$out/oci.json" "$4" libexpat1
