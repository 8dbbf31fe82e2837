#!/bin/sh
# alpine.sh VIGIL WORKDIR — `vigil scan` end to end on real data: the Alpine 3.14 image from
# $VIGIL_SHARED/images against the Alpine secdb records in $VIGIL_SHARED/feeds. The expected
# findings are computed independently by expected_apk.py (Python reads the image's apk
# database and the feed; versions are compared by go-apk-version through
# tests/diff/oracle_apk.sh), and must equal vigil's exactly — ids, packages, fixed versions.
# Then: exit codes and filters, and a second scan that takes every layer from the cache.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${VIGIL_SHARED:-$here/../../../shared}
img=$shared/images/snyk/containerd-alpine-3.14.tar
feed=$shared/feeds/alpine/vuln-list/secdb-v3.14-main.SUBSET.json
rm -rf "$work"
mkdir -p "$work"
db=$work/vigil.db
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# No data yet: a clear error, exit 4, never an empty report.
if "$vigil" scan --db "$db" "$img" >"$work/none.out" 2>"$work/none.err"; then
    bad "scan without data succeeded"
elif [ $? -ne 4 ] || ! grep -q "no vulnerability data" "$work/none.err"; then bad "no-data error: $(cat "$work/none.err")"
else ok "no data: $(cat "$work/none.err")"; fi

"$vigil" update --no-progress --db "$db" --source alpine --url "$feed" >/dev/null
"$vigil" scan --db "$db" --format json -v "$img" >"$work/scan.json" 2>"$work/scan1.err"
/usr/bin/python3 "$here/expected_apk.py" "$img" "$feed" "$here/../diff/oracle_apk.sh" "$work" >"$work/want.txt"
/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for v in r["vulnerabilities"].values():
    print(v["package"]["name"], v["name"], v["fixed_in_version"] or "-")' "$work/scan.json" | sort >"$work/got.txt"
if [ -s "$work/want.txt" ] && cmp -s "$work/want.txt" "$work/got.txt"; then
    ok "findings equal the independent computation ($(wc -l <"$work/got.txt") findings)"
else
    bad "findings differ"; diff "$work/want.txt" "$work/got.txt" || true
fi

# Exit codes and filters.
"$vigil" scan --db "$db" --exit-code 7 "$img" >/dev/null 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 7 ] && ok "--exit-code 7 with findings" || bad "--exit-code: got $rc"
"$vigil" scan --db "$db" --exit-code 7 --severity CRITICAL "$img" >/dev/null 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 0 ] && ok "--severity CRITICAL leaves nothing: exit 0" || bad "--severity: got $rc"
printf 'CVE-2023-0464\nCVE-2023-0465 exp:2020-01-01 # expired\n' >"$work/ignore"
"$vigil" scan --db "$db" --format json --ignore-file "$work/ignore" "$img" >"$work/ign.json" 2>"$work/ign.err"
n=$(/usr/bin/python3 -c 'import json,sys; print(sum(1 for v in json.load(open(sys.argv[1]))["vulnerabilities"].values() if v["name"] == "CVE-2023-0464"))' "$work/ign.json")
if [ "$n" -eq 0 ] && grep -q "CVE-2023-0465 expired on 2020-01-01" "$work/ign.err"; then ok "ignore file (live rule applied, expired one reported)"
else bad "ignore file: $n left, stderr $(cat "$work/ign.err")"; fi
"$vigil" scan --db "$db" --format bogus "$img" >/dev/null 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 2 ] && ok "bad --format: exit 2" || bad "bad --format: got $rc"

# Layer cache: the first scan indexed the layer, the second takes it from the store.
if grep -q "1 layers, 0 cached, 1 indexed" "$work/scan1.err" &&
    "$vigil" scan --db "$db" -v "$img" 2>&1 >/dev/null | grep -q "1 layers, 1 cached, 0 indexed"; then
    ok "second scan: every layer from the cache"
else bad "layer cache: $(cat "$work/scan1.err")"; fi
[ "$fails" -eq 0 ]
