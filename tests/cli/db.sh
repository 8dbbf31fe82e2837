#!/bin/sh
# db.sh VIGIL WRITER — the `vigil db` contract: --db and VIGIL_DB and the default path, status
# (table and JSON), export/import round trips (file and stdin/stdout), an already-present
# bundle, an older bundle that must not replace newer data, and the errors and exit codes
# for bad bundles and foreign files. WRITER (tests/store/store_writer) fills databases.
set -u
V=$1
W=$2
dir=$(mktemp -d /tmp/vg-clidb-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fails=0
die() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect CODE CMD... — runs CMD, keeps its output in $dir/out, checks the exit code.
expect() {
    want=$1
    shift
    "$@" >"$dir/out" 2>&1
    got=$?
    [ "$got" -eq "$want" ] || die "exit $got (want $want): $* : $(head -5 "$dir/out")"
}
has() { grep -q -- "$1" "$dir/out" || die "output lacks '$1': $(head -8 "$dir/out")"; }

expect 0 "$V" db --help
has "vigil db"
expect 2 "$V" db
expect 2 "$V" db frobnicate
expect 2 "$V" db export
expect 2 "$V" db status --format xml --db "$dir/a.db"
expect 2 "$V" db status --bogus

# Empty stores: --db, VIGIL_DB, and the default under $HOME.
expect 0 "$V" db status --db "$dir/a.db"
has "no update operations yet"
VIGIL_DB=$dir/env.db expect 0 "$V" db status
has "database: $dir/env.db"
[ -f "$dir/env.db" ] || die "VIGIL_DB was not used"
(unset VIGIL_DB; HOME=$dir/home expect 0 "$V" db status) || true
[ -f "$dir/home/.cache/vigil/vigil.db" ] || die "the default database was not created under HOME"

"$W" write "$dir/a.db" alpha 50 >/dev/null || die "writer alpha"
"$W" write "$dir/a.db" alpha 50 >/dev/null || die "writer alpha 2"
"$W" write "$dir/a.db" beta 20 >/dev/null || die "writer beta"
ref_alpha=$("$W" latest "$dir/a.db" alpha | cut -d' ' -f1)
ref_beta=$("$W" latest "$dir/a.db" beta | cut -d' ' -f1)
expect 0 "$V" db status --db "$dir/a.db"
grep -Eq "^alpha .* s ago +2 +50  $ref_alpha\$" "$dir/out" || die "status alpha: $(cat "$dir/out")"
grep -Eq "^beta .* s ago +1 +20  $ref_beta\$" "$dir/out" || die "status beta: $(cat "$dir/out")"
expect 0 "$V" db --db "$dir/a.db" status --format json
python3 - "$dir/out" "$ref_alpha" <<'EOF' || die "status JSON"
import json, sys
d = json.load(open(sys.argv[1]))
u = {x["updater"]: x for x in d["updaters"]}
assert d["schema"] >= 1, d
assert u["alpha"]["operations"] == 2 and u["alpha"]["advisories"] == 50, u
assert u["alpha"]["ref"] == sys.argv[2] and u["beta"]["advisories"] == 20, u
assert 0 <= u["alpha"]["age_seconds"] < 600, u
EOF

# Export, then import into an empty store: the same ops and refs.
expect 0 "$V" db export "$dir/one.bundle" --db "$dir/a.db"
has "alpha: exported op $ref_alpha"
has "beta: exported op $ref_beta"
gzip -t "$dir/one.bundle" || die "the bundle is not gzip"
gzip -dc "$dir/one.bundle" | head -1 | grep -q '"format":"vigil-bundle"' || die "no manifest"
[ "$(gzip -dc "$dir/one.bundle" | wc -l)" -eq $((1 + 2 + 50 + 20 + 1)) ] || die "bundle lines"
ls "$dir"/one.bundle.tmp.* >/dev/null 2>&1 && die "a temporary file was left behind"
expect 0 "$V" db import "$dir/one.bundle" --db "$dir/b.db"
has "alpha: imported op $ref_alpha"
has "(50 advisories)"
has "beta: imported op $ref_beta"
[ "$("$W" latest "$dir/b.db" alpha)" = "$ref_alpha 50" ] || die "imported alpha"
[ "$("$W" latest "$dir/b.db" beta)" = "$ref_beta 20" ] || die "imported beta"
expect 0 "$V" db import "$dir/one.bundle" --db "$dir/b.db"
has "alpha: op $ref_alpha .* is already present"
# Re-exported from the copy: byte-identical data lines (the manifest's date differs).
expect 0 "$V" db export "$dir/again.bundle" --db "$dir/b.db"
gzip -dc "$dir/one.bundle" | tail -n +2 >"$dir/l1"
gzip -dc "$dir/again.bundle" | tail -n +2 >"$dir/l2"
cmp -s "$dir/l1" "$dir/l2" || die "export of an imported store differs"

# Through a pipe.
"$V" db export - --db "$dir/a.db" 2>"$dir/err" | "$V" db import - --db "$dir/p.db" >"$dir/out" 2>&1 ||
    die "pipe export|import: $(cat "$dir/err" "$dir/out")"
has "beta: imported op $ref_beta"
grep -q "exported op" "$dir/err" || die "export to stdout should report on stderr"

# A newer alpha run (a second later: op dates are seconds), exported alone.
sleep 1
"$W" write "$dir/a.db" alpha 60 0 2 >/dev/null || die "writer alpha gen 2"
ref_alpha2=$("$W" latest "$dir/a.db" alpha | cut -d' ' -f1)
expect 0 "$V" db export "$dir/two.bundle" --source alpha --db "$dir/a.db"
has "alpha: exported op $ref_alpha2"
grep -q "beta" "$dir/out" && die "--source alpha exported beta"
expect 4 "$V" db export "$dir/x.bundle" --source nosuch --db "$dir/a.db"
has "no update operation of 'nosuch'"
# c.db gets the newer bundle first; the older one must not move alpha back.
expect 0 "$V" db import "$dir/two.bundle" --db "$dir/c.db"
expect 0 "$V" db import "$dir/one.bundle" --db "$dir/c.db"
has "alpha: skipped op $ref_alpha .*: older than the local op $ref_alpha2"
has "beta: imported op $ref_beta"
[ "$("$W" latest "$dir/c.db" alpha)" = "$ref_alpha2 60" ] || die "an older bundle replaced newer data"
# b.db moves forward with the newer bundle.
expect 0 "$V" db import "$dir/two.bundle" --db "$dir/b.db"
has "alpha: imported op $ref_alpha2"

# Bad bundles and foreign files: exit 3 (invalid input), a message with the place.
printf 'hello\n' >"$dir/junk.bundle"
expect 3 "$V" db import "$dir/junk.bundle" --db "$dir/b.db"
has "junk.bundle: line 1"
gzip -dc "$dir/one.bundle" | head -c 3000 | gzip >"$dir/cut.bundle"
expect 3 "$V" db import "$dir/cut.bundle" --db "$dir/d.db"
has "cut.bundle: line"
expect 4 "$V" db import "$dir/missing.bundle" --db "$dir/b.db"
printf 'not sqlite at all\n%.0s' $(seq 1 300) >"$dir/foreign.db"
expect 3 "$V" db status --db "$dir/foreign.db"
has "not a vigil database"
if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$dir/b.db" "INSERT INTO schema_version VALUES (999, 0)"
    expect 3 "$V" db status --db "$dir/b.db"
    has "database schema 999 is newer than this vigil"
fi

[ $fails -eq 0 ] && echo "db: ok"
[ $fails -eq 0 ]
