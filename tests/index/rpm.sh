#!/bin/sh
# rpm.sh VIGIL WORKDIR — rpm databases made here from real packages: builds the noarch rpms of
# tests/images/rpm/*.spec with rpmbuild (epochs, '~' and '^' versions, a module label, a
# subpackage), installs them with rpm --justdb into fresh roots, and checks
# `vigil index rootfs:ROOT` against `rpm -qa --queryformat` on the same database, in two rpmdb
# locations. Debian's rpm 4.18 writes SQLite only; the Berkeley DB and NDB backends are tried
# and reported (the fixtures and rpm_test cover reading them). A header corrupted here must
# cost only its own package. Then a two-layer Rocky Linux 9 image of the root is built with
# umoci, pushed with skopeo to a docker-registry (tests/registry/start.sh open) and indexed
# through the registry: namespace rocky:9, rpm's packages and source packages, and the
# second layer's package introduced there. Exits 77 when rpm or rpmbuild is missing.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
specs=$here/../images/rpm
for t in rpm rpmbuild python3; do
    command -v "$t" >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fails=0
ok() { echo "ok   $*"; }
bad() {
    echo "FAIL $*"
    fails=$((fails + 1))
}
QF='%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{MODULARITYLABEL}\t%{VENDOR}\n'

# ---- 1. packages -------------------------------------------------------------------------
top=$work/rpmbuild
label=vgmod:1.2:20240101000000:abcdef01
for spec in "$specs"/*.spec; do
    if [ "$(basename "$spec")" = vg-module.spec ]; then
        rpmbuild --define "_topdir $top" --define "modularitylabel $label" -bb "$spec" \
            >"$work/rpmbuild.log" 2>&1 || { tail -20 "$work/rpmbuild.log"; exit 1; }
    else
        rpmbuild --define "_topdir $top" -bb "$spec" >"$work/rpmbuild.log" 2>&1 ||
            { tail -20 "$work/rpmbuild.log"; exit 1; }
    fi
done
rpms=$top/RPMS/noarch
first=$(ls "$rpms"/vg-hello-*.rpm "$rpms"/vg-tilde*.rpm "$rpms"/vg-module-*.rpm)
late=$(ls "$rpms"/vg-late-*.rpm)

# rpm_install ROOT DBPATH [--define ...] RPM... — a fresh or existing database, files not laid
# down (--justdb), no scriptlets.
rpm_install() {
    r=$1 db=$2
    shift 2
    mkdir -p "$r"
    rpm --root "$r" --dbpath "$db" --initdb >>"$work/rpm.log" 2>&1
    rpm -i --root "$r" --dbpath "$db" --nodeps --justdb --noscripts "$@" >>"$work/rpm.log" 2>&1
}

# rpm_list ROOT DBPATH OUT — what rpm itself says is installed.
rpm_list() {
    rpm --root "$1" --dbpath "$2" -qa --queryformat "$QF" 2>>"$work/rpm.log" | LC_ALL=C sort >"$3"
}

# check REPORT.json EXPECTED.tsv — every package of rpm's list, every field vigil derives.
check() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
assert rep["state"] == "IndexFinished", rep.get("err")
got = set()
for p in rep["packages"].values():
    if p.get("format") != "rpm":
        continue
    got.add((p["name"], p["version"], p["arch"], p["source"]["name"], p["source"]["version"],
             p["module"], p.get("vendor", "(none)"), p.get("purl", "")))
want = set()
purls = {
    "vg-hello": "pkg:rpm/vigil/vg-hello@1.0-3.vg?arch=noarch&epoch=2",
    "vg-hello-libs": "pkg:rpm/vigil/vg-hello-libs@1.0-3.vg?arch=noarch&epoch=2",
    "vg-tilde+plus": "pkg:rpm/vg-tilde%2Bplus@2.0~rc1-0.1%5E20240101git?arch=noarch",
    "vg-module": "pkg:rpm/vg-module@3.4.5-1.module%2Bvg?arch=noarch",
    "vg-late": "pkg:rpm/redhat/vg-late@0.0.1-7?arch=noarch&epoch=10",
}
for line in open(sys.argv[2]):
    name, epoch, ver, rel, arch, srpm, label, vendor = line.rstrip("\n").split("\t")
    e = "" if epoch == "0" else epoch + ":"
    sname, sver, srel = srpm[: -len(".src.rpm")].rsplit("-", 2)
    module = "" if label == "(none)" else ":".join(label.split(":")[:2])
    want.add((name, f"{e}{ver}-{rel}", arch, sname, f"{e}{sver}-{srel}", module, vendor,
              purls.get(name, "")))
if not want:
    sys.exit("FAIL: rpm lists nothing")
if got != want:
    print("missing:", sorted(want - got))
    print("extra:  ", sorted(got - want))
    sys.exit("FAIL: vigil and rpm differ")
print(f"   {len(want)} packages equal rpm -qa's, with sources, modules, vendors and purls")
EOF
}

# ---- 2. SQLite databases in both locations -----------------------------------------------
echo "rpm: $(rpm --version), default backend $(rpm --eval '%_db_backend')"
for db in /var/lib/rpm /usr/lib/sysimage/rpm; do
    root=$work/root-$(echo "$db" | tr / _)
    # shellcheck disable=SC2086
    rpm_install "$root" "$db" $first $late
    rpm_list "$root" "$db" "$root.tsv"
    [ -f "$root$db/rpmdb.sqlite" ] || bad "$db: no rpmdb.sqlite written"
    if "$vigil" index "rootfs:$root" >"$root.json" && check "$root.json" "$root.tsv"; then
        ok "sqlite rpmdb in $db: vigil index rootfs: equals rpm -qa"
    else
        bad "sqlite rpmdb in $db"
    fi
done

# ---- 3. other backends, if this rpm can write them ---------------------------------------
for backend in bdb ndb; do
    root=$work/root-$backend
    mkdir -p "$root"
    if rpm --root "$root" --dbpath /var/lib/rpm --define "_db_backend $backend" --initdb \
        >"$work/$backend.log" 2>&1 && [ -n "$(ls "$root/var/lib/rpm" 2>/dev/null | grep -v lock)" ]; then
        # shellcheck disable=SC2086
        rpm -i --root "$root" --dbpath /var/lib/rpm --define "_db_backend $backend" --nodeps \
            --justdb --noscripts $first >>"$work/$backend.log" 2>&1
        rpm --root "$root" --dbpath /var/lib/rpm --define "_db_backend $backend" -qa \
            --queryformat "$QF" 2>>"$work/rpm.log" | LC_ALL=C sort >"$root.tsv"
        if "$vigil" index "rootfs:$root" >"$root.json" && check "$root.json" "$root.tsv"; then
            ok "$backend rpmdb: vigil index rootfs: equals rpm -qa"
        else
            bad "$backend rpmdb"
        fi
    else
        echo "note $backend: this rpm cannot write it ($(grep -m1 -i "$backend" "$work/$backend.log" || echo "no database file")); reading it is covered by the fixtures"
    fi
done

# ---- 4. one corrupt header costs one package ---------------------------------------------
root=$work/root-corrupt
rm -rf "$root"
cp -a "$work/root-_var_lib_rpm" "$root"
python3 - "$root/var/lib/rpm/rpmdb.sqlite" <<'EOF'
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
hnum, blob = db.execute("SELECT hnum, blob FROM Packages ORDER BY hnum LIMIT 1").fetchone()
b = bytearray(blob)
il = struct.unpack(">I", b[:4])[0]
for i in range(il):  # the NAME entry gets an impossible type
    if struct.unpack(">I", b[8 + 16 * i: 12 + 16 * i])[0] == 1000:
        b[12 + 16 * i: 16 + 16 * i] = struct.pack(">I", 42)
db.execute("UPDATE Packages SET blob = ? WHERE hnum = ?", (bytes(b), hnum))
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
EOF
n_all=$(wc -l <"$work/root-_var_lib_rpm.tsv")
if "$vigil" index "rootfs:$root" >"$root.json" 2>"$root.err"; then
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["packages"]))' "$root.json")
    # The warning, where the report carries warnings: it names the package and the field.
    w=$(python3 -c '
import json, sys
w = json.load(open(sys.argv[1])).get("warnings")
hit = [x for x in w or [] if "package #1 (hnum " in x and "tag 1000 (NAME)" in x]
print("absent" if w is None else hit[0] if hit else "missing")' "$root.json")
    if [ "$n" -ne $((n_all - 1)) ]; then
        bad "corrupt header: $n packages reported, want $((n_all - 1))"
    elif [ "$w" = missing ]; then
        bad "corrupt header: no warning naming the package and the field"
    else
        ok "corrupt header: $n of $n_all packages still reported; warning: $w"
    fi
else
    bad "corrupt header: vigil index failed: $(cat "$root.err")"
fi

# ---- 5. a Rocky Linux 9 image, through a registry ----------------------------------------
missing=""
for t in umoci skopeo docker-registry; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
    echo "skip image and registry part:$missing not installed"
    [ "$fails" -eq 0 ]
    exit
fi
img=$work/image
umoci init --layout "$img/oci"
umoci new --image "$img/oci:rpm"
umoci unpack --image "$img/oci:rpm" "$img/bundle" >/dev/null
rootfs=$img/bundle/rootfs
mkdir -p "$rootfs/etc"
cat >"$rootfs/etc/os-release" <<'EOF'
NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
EOF
echo "Rocky Linux release 9.3 (Blue Onyx)" >"$rootfs/etc/redhat-release"
# shellcheck disable=SC2086
rpm_install "$rootfs" /var/lib/rpm $first
umoci repack --refresh-bundle --image "$img/oci:rpm" "$img/bundle" >/dev/null
# shellcheck disable=SC2086
rpm_install "$rootfs" /var/lib/rpm $late
umoci repack --refresh-bundle --image "$img/oci:rpm" "$img/bundle" >/dev/null
umoci gc --layout "$img/oci"
rpm_list "$rootfs" /var/lib/rpm "$img/expected.tsv"
set -- $(python3 -c '
import json, sys
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
m = [x for x in idx["manifests"] if x.get("annotations", {}).get("org.opencontainers.image.ref.name") == "rpm"][0]
man = json.load(open(d + "/blobs/" + m["digest"].replace(":", "/")))
print(" ".join(l["digest"] for l in man["layers"]))' "$img/oci")
[ $# -eq 2 ] || { echo "FAIL: want 2 layers, got $#"; exit 1; }
layer1=$1 layer2=$2
cidx="/usr/bin/python3 $here/check_index.py"

"$vigil" index "oci:$img/oci:rpm" >"$img/oci.json"
if check "$img/oci.json" "$img/expected.tsv" && $cidx dist "$img/oci.json" rocky:9; then
    ok "oci layout: rocky:9 and rpm's packages"
else
    bad "oci layout"
fi

regdir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-reg.XXXXXX")
export VG_REGISTRY_WATCH_PID=$$
"$here/../registry/start.sh" open "$regdir" >/dev/null
PORT=
. "$regdir/info"
skopeo copy -q --insecure-policy --dest-tls-verify=false oci:"$img/oci:rpm" \
    docker://127.0.0.1:"$PORT"/vigil/rocky-rpm:test
out=$img/registry.json
if "$vigil" index --insecure "registry:127.0.0.1:$PORT/vigil/rocky-rpm:test" >"$out" &&
    check "$out" "$img/expected.tsv" && $cidx dist "$out" rocky:9 &&
    $cidx introduced "$out" "$layer1" vg-hello vg-hello-libs vg-tilde+plus vg-module &&
    $cidx introduced "$out" "$layer2" vg-late; then
    ok "registry: rocky:9, rpm's packages and source packages, layers attributed"
else
    bad "registry"
fi
"$here/../registry/stop.sh" "$regdir" --rm
[ "$fails" -eq 0 ]
