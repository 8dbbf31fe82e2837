#!/bin/sh
# build-debian.sh OUTDIR — builds the real multi-layer Debian 12 test image, once (cached in
# OUTDIR, keyed by this script's checksum), from real packages:
#   layer 1  debootstrap --variant=minbase bookworm (from $VIGIL_DEBIAN_MIRROR)
#   layer 2  installs less, bzip2, xz-utils (real .debs, `apt-get download`, dpkg -i)
#   layer 3  purges less and deletes files (real whiteouts)
#   layer 4  installs libexpat1 and adds /opt/app
# packed with umoci into OUTDIR/oci (tag test), copied with skopeo to OUTDIR/docker.tar
# (docker-archive) and OUTDIR/oci.tar (oci-archive). OUTDIR/rootfs is the top-layer root
# filesystem and OUTDIR/expected.tsv what dpkg-query says is installed in it.
set -eu
out=$1
mirror=${VIGIL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
key=$(sha256sum "$0" | cut -c1-16)
if [ -f "$out/done-$key" ]; then
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"
work=$out/work
mkdir -p "$work"

echo "build-debian: debootstrap bookworm minbase from $mirror" >&2
debootstrap --variant=minbase bookworm "$work/base" "$mirror" >"$out/debootstrap.log" 2>&1 ||
    { tail -20 "$out/debootstrap.log" >&2; exit 1; }

umoci init --layout "$out/oci"
umoci new --image "$out/oci:test"
umoci unpack --image "$out/oci:test" "$work/bundle" >/dev/null
rootfs=$work/bundle/rootfs
rm -f "$work"/base/var/cache/apt/archives/*.deb
cp -a "$work/base/." "$rootfs/"
rm -rf "$work/base"
umoci repack --refresh-bundle --image "$out/oci:test" "$work/bundle"

# Real packages for the upper layers, downloaded with the host's apt (Debian 12 as well).
debs=$work/debs
mkdir -p "$debs"
(cd "$debs" && apt-get -o APT::Sandbox::User=root download less bzip2 xz-utils libexpat1 >/dev/null)
cp "$debs"/less_*.deb "$debs"/bzip2_*.deb "$debs"/xz-utils_*.deb "$rootfs/tmp/"
chroot "$rootfs" sh -c 'dpkg -i /tmp/*.deb >/dev/null && rm -f /tmp/*.deb'
umoci repack --refresh-bundle --image "$out/oci:test" "$work/bundle"

chroot "$rootfs" dpkg --purge less >/dev/null
rm -rf "$rootfs/usr/share/doc/bzip2" "$rootfs/etc/issue.net"
umoci repack --refresh-bundle --image "$out/oci:test" "$work/bundle"

cp "$debs"/libexpat1_*.deb "$rootfs/tmp/"
chroot "$rootfs" sh -c 'dpkg -i /tmp/*.deb >/dev/null && rm -f /tmp/*.deb'
mkdir -p "$rootfs/opt/app"
echo "vigil test image" >"$rootfs/opt/app/README"
umoci repack --refresh-bundle --image "$out/oci:test" "$work/bundle"

umoci gc --layout "$out/oci"
skopeo copy -q oci:"$out/oci:test" docker-archive:"$out/docker.tar":test:latest
skopeo copy -q oci:"$out/oci:test" oci-archive:"$out/oci.tar":test
mv "$rootfs" "$out/rootfs"
dpkg-query --admindir="$out/rootfs/var/lib/dpkg" -W \
    -f='${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\n' |
    awk -F'\t' '$1 == "ii " {print $2 "\t" $3 "\t" $4 "\t" $5}' | LC_ALL=C sort >"$out/expected.tsv"
rm -rf "$work"
touch "$out/done-$key"
echo "build-debian: $(wc -l <"$out/expected.tsv") packages in $out" >&2
