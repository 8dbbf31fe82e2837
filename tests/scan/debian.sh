#!/bin/sh
# debian.sh VIGIL WORKDIR — `vigil scan rootfs:` end to end on the Debian tracker JSON samples in
# $VIGIL_SHARED/feeds/debian/tracker-json, with root filesystems assembled here from the dpkg
# status fixtures in $VIGIL_SHARED/fixtures/dpkg/status. The expected findings are computed
# independently by expected_deb.py (Python reads the status file and the tracker JSON; versions
# are compared by `dpkg --compare-versions`) and must equal vigil's exactly.
#
# The samples' source packages (apparmor, aptdaemon, asterisk, backupninja, chromium,
# prototypejs, sope, txt2man) appear in none of the fixtures, so the fixtures alone give no
# findings: they are scanned as they are (identity with an empty expectation), and then again
# with stanzas written below for those source packages appended, so that real tracker entries
# produce findings (open, fixed, "0", epochs, tildes, Source: with its own version, a removed
# package). Kernel-header suppression uses the texlive fixture's linux-libc-dev against one
# synthetic "linux" entry added to a copy of the feed (the samples have no linux entry).
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${VIGIL_SHARED:-$here/../../../shared}
fix=$shared/fixtures/dpkg/status
tj=$shared/feeds/debian/tracker-json
rm -rf "$work"
mkdir -p "$work"
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# The three samples merged into one document, as tests/feed/mirror.py does (distinct keys).
/usr/bin/python3 - "$tj" "$work/feed.json" "$work/feed-kernel.json" <<'EOF'
import json, os, sys
tj, out, kout = sys.argv[1:4]
merged = {}
for f in sorted(os.listdir(tj)):
    merged.update(json.load(open(os.path.join(tj, f))))
json.dump(merged, open(out, "w"), indent=1)
merged["linux"] = {"CVE-2099-0100": {"description": "synthetic kernel entry (vigil test)",
    "releases": {"bookworm": {"status": "resolved", "fixed_version": "4.15.0-200.1",
                              "urgency": "low", "repositories": {"bookworm": "4.15.0-200.1"}}}}}
json.dump(merged, open(kout, "w"), indent=1)
EOF
"$vigil" update --no-progress --db "$work/real.db" --source debian --url "$work/feed.json" >/dev/null
"$vigil" update --no-progress --db "$work/kernel.db" --source debian --url "$work/feed-kernel.json" >/dev/null

# mkroot NAME FIXTURE VERSION_ID CODENAME [EXTRA-STANZAS-FILE]: WORK/NAME/root.
mkroot() {
    r=$work/$1/root
    mkdir -p "$r/var/lib/dpkg" "$r/etc"
    cp "$fix/$2" "$r/var/lib/dpkg/status"
    if [ $# -ge 5 ]; then
        printf '\n' >>"$r/var/lib/dpkg/status"
        cat "$5" >>"$r/var/lib/dpkg/status"
    fi
    printf 'PRETTY_NAME="Debian GNU/Linux %s (%s)"\nNAME="Debian GNU/Linux"\nVERSION_ID="%s"\nVERSION="%s (%s)"\nVERSION_CODENAME=%s\nID=debian\n' \
        "$3" "$4" "$3" "$3" "$4" "$4" >"$r/etc/os-release"
}

# check NAME DB [scan options]: vigil's findings on WORK/NAME/root equal expected_deb.py's.
check() {
    name=$1 db=$2
    shift 2
    d=$work/$name
    feedf=$work/feed.json
    [ "$db" = "$work/kernel.db" ] && feedf=$work/feed-kernel.json
    "$vigil" scan --db "$db" --format json "$@" "rootfs:$d/root" >"$d/scan.json" 2>"$d/scan.err" ||
        { bad "$name: scan failed: $(cat "$d/scan.err")"; return 0; }
    /usr/bin/python3 "$here/expected_deb.py" "$feedf" "$d/root" "$@" | LC_ALL=C sort >"$d/want.txt"
    /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["packages"], "no packages indexed"
for v in r["vulnerabilities"].values():
    print(v["package"]["name"], v["name"], v["fixed_in_version"] or "-")' "$d/scan.json" |
        LC_ALL=C sort >"$d/got.txt"
    if cmp -s "$d/want.txt" "$d/got.txt"; then
        ok "$name: findings equal the independent computation ($(wc -l <"$d/got.txt") findings)"
    else
        bad "$name: findings differ (< expected, > vigil)"
        diff "$d/want.txt" "$d/got.txt" || true
    fi
}

# 1. The fixtures as they are, each with a Debian release the samples cover.
mkroot pg-buster claircore-postgresql.status 10 buster
check pg-buster "$work/real.db"
mkroot valid-bookworm trivy-valid.status 12 bookworm
check valid-bookworm "$work/real.db"
mkroot thirdparty-bullseye trivy-third-party.status 11 bullseye
check thirdparty-bullseye "$work/real.db"

# 2. Fixtures plus stanzas for the samples' source packages.
cat >"$work/buster.extra" <<'EOF'
Package: chromium
Status: install ok installed
Architecture: amd64
Version: 90.0.4430.212-1~deb10u1

Package: backupninja
Status: install ok installed
Architecture: all
Version: 0.8-1

Package: txt2man
Status: install ok installed
Architecture: all
Version: 1.5.5-4.1~bpo10+1

Package: libjs-prototype
Status: install ok installed
Architecture: all
Source: prototypejs
Version: 1.7.1-3

Package: libjs-scriptaculous
Status: deinstall ok config-files
Architecture: all
Source: prototypejs
Version: 1.0-1

Package: libapparmor1
Status: install ok installed
Architecture: amd64
Source: apparmor (2.13.2-10)
Version: 2.13.2-10+b1

Package: apparmor-utils
Status: install ok installed
Architecture: all
Source: apparmor (2.11.0-2)
Version: 2.11.0-2+b7
EOF
mkroot pg-buster-extra claircore-postgresql.status 10 buster "$work/buster.extra"
check pg-buster-extra "$work/real.db"

cat >"$work/bookworm.extra" <<'EOF'
Package: libsope1
Status: install ok installed
Architecture: amd64
Source: sope
Version: 5.8.0-1

Package: sope-dbg
Status: install ok installed
Architecture: amd64
Source: sope (1:5.0-1)
Version: 1:5.0-1

Package: chromium
Status: install ok installed
Architecture: amd64
Version: 97.0.4692.99-1

Package: chromium-common
Status: install ok installed
Architecture: amd64
Source: chromium
Version: 98.0.4758.80-1

Package: libapparmor1
Status: install ok installed
Architecture: amd64
Source: apparmor
Version: 3.0.8-3
EOF
mkroot debian-only-bookworm-extra claircore-debian-only.status 12 bookworm "$work/bookworm.extra"
check debian-only-bookworm-extra "$work/real.db"

cat >"$work/jessie.extra" <<'EOF'
Package: aptdaemon
Status: install ok installed
Architecture: all
Version: 1.1.1-4

Package: python3-aptdaemon
Status: install ok installed
Architecture: all
Source: aptdaemon (0.6.20-1)
Version: 0.6.20-1

Package: asterisk
Status: install ok installed
Architecture: amd64
Version: 1:1.8.13.1~dfsg1-3

Package: asterisk-modules
Status: install ok installed
Architecture: amd64
Source: asterisk (0.5.50-1)
Version: 0.5.50-1
EOF
mkroot debian-only-jessie-extra claircore-debian-only.status 8 jessie "$work/jessie.extra"
check debian-only-jessie-extra "$work/real.db"

# The augmented roots must give findings at all (else the identity above proves little).
for n in pg-buster-extra debian-only-bookworm-extra debian-only-jessie-extra; do
    [ -s "$work/$n/want.txt" ] || bad "$n: the independent computation expects no findings"
done

# 3. Kernel headers: texlive's linux-libc-dev (source linux 4.15.0-101.102) against the
# synthetic linux entry: suppressed and counted by default, reported with the flag.
mkroot texlive-bookworm claircore-texlive.status 12 bookworm
check texlive-bookworm "$work/kernel.db"
n=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vigil"]["suppressed_kernel_headers"])' \
    "$work/texlive-bookworm/scan.json")
if [ "$n" -ge 1 ] && ! grep -q linux-libc-dev "$work/texlive-bookworm/got.txt"; then
    ok "kernel headers suppressed by default ($n counted)"
else bad "kernel headers: suppressed_kernel_headers=$n; $(cat "$work/texlive-bookworm/got.txt")"; fi
mkdir -p "$work/texlive-bookworm-kh"
ln -s "$work/texlive-bookworm/root" "$work/texlive-bookworm-kh/root"
check texlive-bookworm-kh "$work/kernel.db" --include-kernel-headers
grep -q "^linux-libc-dev CVE-2099-0100 4.15.0-200.1$" "$work/texlive-bookworm-kh/got.txt" &&
    ok "--include-kernel-headers reports linux-libc-dev" ||
    bad "--include-kernel-headers: no linux-libc-dev finding"
[ "$fails" -eq 0 ]
