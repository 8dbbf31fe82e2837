#!/bin/sh
# update.sh VIGIL — `vigil update` end to end over HTTP: the shared feeds laid out as a mirror
# (<host>/<path>, built in a temp dir by mirror.py) and served by server.py with ETags. Checks
# the counts of a first run against count.py, that a second run sends If-None-Match, gets
# only 304s and stores nothing, that edited feeds give exactly the added/removed counts, that
# a failing source does not stop the others (exit 4), that nvd's API pages are followed (and
# an inconsistent page refused), and that `kill -9` during a download or during the store
# write leaves the previous operation serving.
set -eu
vigil=$1
here=$(cd "$(dirname "$0")" && pwd)
shared=${VIGIL_SHARED:-$here/../../../shared}
py=/usr/bin/python3
t=$(mktemp -d)
srv=
cleanup() {
    [ -n "$srv" ] && kill "$srv" 2>/dev/null
    rm -rf "$t"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

m=$t/mirror
$py "$here/mirror.py" build "$shared" "$m"
$py "$here/server.py" "$m" "$t/log" >"$t/port" 2>"$t/server.err" &
srv=$!
for _ in $(seq 50); do [ -s "$t/port" ] && break; sleep 0.1; done
port=$(cut -d' ' -f2 "$t/port")
base=http://127.0.0.1:$port/
db=$t/vigil.db
run() { "$vigil" update --no-progress --db "$db" --mirror "$base" --source debian,alpine,osv "$@"; }
field() { # field SOURCE NAME FILE → the number after NAME on SOURCE's line
    sed -n "s/^$1: .*$2 \([0-9]*\).*/\1/p" "$3"
}
requests() { wc -l <"$t/log"; }

# 1. first run: everything added, counts as count.py reads the same files
run >"$t/out1"
cat "$t/out1"
for s in debian alpine osv; do
    want=$($py "$here/mirror.py" expect "$m" $s | cut -d' ' -f2)
    [ "$(field $s added "$t/out1")" = "$want" ] || fail "$s: added $(field $s added "$t/out1"), count.py says $want"
    [ "$(field $s removed "$t/out1")" = 0 ] || fail "$s: removed on the first run"
done
first=$(requests)

# 2. second run: conditional requests only, all answered 304, nothing stored
run >"$t/out2"
cat "$t/out2"
for s in debian alpine osv; do
    grep -q "^$s: added 0, removed 0, unchanged $(field $s added "$t/out1"); not modified" "$t/out2" ||
        fail "$s: second run stored something"
done
tail -n +"$((first + 1))" "$t/log" >"$t/log2"
n200=$(grep -c '"status": 200' "$t/log2" || true)
n304=$(grep -c '"status": 304' "$t/log2" || true)
ninm=$(grep -c '"inm": "' "$t/log2" || true)
[ "$n200" = 0 ] || fail "second run downloaded $n200 documents again"
[ "$n304" -gt 0 ] && [ "$n304" = "$ninm" ] || fail "second run: $n304 answers 304, $ninm with If-None-Match"
echo "second run: $n304 requests with If-None-Match, all 304"

# 2b. ubuntu, rhel, nvd over http from their official locations' mirror: nvd's API pages
# (three pages, followed by startIndex), ubuntu as osv.dev's Ubuntu zip, rhel as the VEX
# feed's changes.csv and each file it lists; counts as count2.py reads the same records, then
# a second run that gets only 304s and stores nothing
db2=$t/vigil2.db
run2() {
    "$vigil" update --no-progress --db "$db2" --mirror "$base" --source nvd,ubuntu,rhel >"$1"
}
nrhel=$(grep -c . "$m/security.access.redhat.com/data/csaf/v2/vex/changes.csv")
before=$(requests)
run2 "$t/out2b"
cat "$t/out2b"
for s in ubuntu rhel nvd; do
    want=$($py "$here/mirror.py" expect2 "$m" $s | cut -d' ' -f2)
    [ "$(field $s added "$t/out2b")" = "$want" ] || fail "$s: added $(field $s added "$t/out2b"), count2.py says $want"
done
tail -n +"$((before + 1))" "$t/log" >"$t/log2b"
npages=$(grep -c 'cves/2.0.*"status": 200' "$t/log2b" || true)
[ "$npages" = 3 ] || fail "nvd: $npages pages downloaded, want 3"
nub=$(grep -c '/Ubuntu/all.zip".*"status": 200' "$t/log2b" || true)
[ "$nub" = 1 ] || fail "ubuntu: the zip was downloaded $nub times, want 1"
nrh=$(grep -c '/data/csaf/v2/vex/.*"status": 200' "$t/log2b" || true)
[ "$nrh" = "$((nrhel + 1))" ] || fail "rhel: $nrh downloads, want changes.csv and its $nrhel files"
before=$(requests)
run2 "$t/out2c"
cat "$t/out2c"
for s in ubuntu rhel nvd; do
    grep -q "^$s: added 0, removed 0, unchanged $(field $s added "$t/out2b"); not modified" "$t/out2c" ||
        fail "$s: second run stored something"
done
tail -n +"$((before + 1))" "$t/log" >"$t/log2c"
[ "$(grep -c '"status": 304' "$t/log2c")" = "$((3 + 1 + 1 + nrhel))" ] &&
    ! grep -q '"status": 200' "$t/log2c" ||
    fail "second run did not answer 304 for each of the 3 nvd pages, the ubuntu zip and rhel's $((nrhel + 1)) documents"
# a file that rhel's changes.csv lists but the feed lacks fails the run and stores nothing
idx="$m/security.access.redhat.com/data/csaf/v2/vex/changes.csv"
cp "$idx" "$t/changes.csv"
echo '"2023/cve-2023-0030.json","2023-12-10T00:00:00+00:00"' >>"$idx"
set +e
"$vigil" update --no-progress --db "$db2" --mirror "$base" --source rhel >"$t/out2e" 2>"$t/err2e"
rc=$?
set -e
[ "$rc" = 4 ] && grep -q 'cve-2023-0030.json: not found (listed in' "$t/err2e" ||
    fail "rhel: a listed file that is missing was not refused (exit $rc)"
cp "$t/changes.csv" "$idx"
# an inconsistent page fails the run with the place named, and stores nothing
p2="$m/services.nvd.nist.gov/rest/json/cves/2.0?startIndex=15&resultsPerPage=2000"
cp "$p2" "$t/p2.json"
$py -c 'import json, sys; d = json.load(open(sys.argv[1])); d["startIndex"] = 14; json.dump(d, open(sys.argv[2], "w"))' \
    "$t/p2.json" "$p2.new"
rm -f "$p2" && mv "$p2.new" "$p2"
set +e
"$vigil" update --no-progress --db "$db2" --mirror "$base" --source nvd >"$t/out2d" 2>"$t/err2d"
rc=$?
set -e
[ "$rc" = 4 ] && grep -q 'startIndex: 14, but the request asked for 15' "$t/err2d" ||
    fail "nvd: an inconsistent page was not refused (exit $rc)"
rm -f "$p2" && cp "$t/p2.json" "$p2"

# 3. edited feeds: exactly the records added and removed
$py "$here/mirror.py" edit "$m"
run >"$t/out3"
cat "$t/out3"
for x in "debian 2 1" "alpine 1 1" "osv 1 1"; do
    set -- $x
    [ "$(field $1 added "$t/out3")" = "$2" ] && [ "$(field $1 removed "$t/out3")" = "$3" ] ||
        fail "$1: want added $2 removed $3"
done
op_osv=$(sed -n 's/^osv: .* in op \([0-9]*\).*/\1/p' "$t/out3")

# 4. a failing source does not stop the others; the exit code says so
set +e
"$vigil" update --no-progress --db "$db" --mirror "$t/no-such-mirror" --source alpine,osv \
    >"$t/out4" 2>"$t/err4"
rc=$?
set -e
[ "$rc" = 4 ] || fail "exit $rc with failing sources, want 4"
grep -q "^alpine: failed" "$t/out4" && grep -q "^osv: failed" "$t/out4" || fail "no per-source failure lines"
grep -q "vigil: alpine: none of its" "$t/err4" || fail "alpine's error not reported"
"$vigil" update --no-progress --db "$db" --source debian \
    --url "$shared/feeds/debian/tracker-json/vunnel-debian.json" >"$t/out4b"
grep -q "^debian: added" "$t/out4b" || fail "debian did not update after the others failed"

# 5. kill -9 while downloading (a slow server), then while writing the store
check_serving() { # the newest osv op is still $op_osv, and it is whole
    "$vigil" db --db "$db" status --format json >"$t/status"
    $py - "$t/status" "$op_osv" "$(field osv added "$t/out1")" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
ups = st["updaters"] if isinstance(st, dict) else st
osv = [u for u in ups if u["updater"] == "osv"][0]
want = int(sys.argv[3])  # first run's count; the edit added one and removed one
assert osv["advisories"] == want, (osv, want)
EOF
}
check_serving || fail "status before the kill tests"
$py "$here/mirror.py" bigzip "$m" 40000 # a few MB: a minute at the slow path's pace
"$vigil" update --no-progress --db "$db" --mirror "${base}_slow/" --source osv >/dev/null 2>&1 &
pid=$!
sleep 1
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null && fail "vigil update finished before the kill (download)"
check_serving || fail "kill -9 during the download changed what serves"

before=$(requests)
"$vigil" update --no-progress --db "$db" --mirror "$base" --source osv >"$t/out5" 2>&1 &
pid=$!
# wait until the last osv document was fetched, then let the store write start
for _ in $(seq 200); do
    [ "$(requests)" -ge "$((before + 8))" ] && break
    sleep 0.05
done
sleep 0.5
kill -9 $pid 2>/dev/null || true
if wait $pid 2>/dev/null; then
    cat "$t/out5"
    fail "vigil update finished before the kill (store write): make the generated zip larger"
fi
check_serving || fail "kill -9 during the store write changed what serves"
# the run after a killed one completes and stores the new data
run >"$t/out6"
cat "$t/out6"
grep -q "^osv: added 40000," "$t/out6" || fail "the run after the kill"
# the kill came 0.5 s after the last download; a full run must take longer than that for the
# kill to have landed while the store was being written
secs=$(sed -n 's/^osv: .*, \([0-9]*\)\.[0-9]* s$/\1/p' "$t/out6")
[ "${secs:-0}" -ge 1 ] || fail "the osv run took under 1 s: the kill may have missed the store write"
echo "update: all checks passed"
