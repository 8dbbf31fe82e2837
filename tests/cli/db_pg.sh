#!/bin/sh
# db_pg.sh VIGIL — `vigil db migrate|status|copy` with a real PostgreSQL (run under
# tests/pg/with_pg.sh). A SQLite store gets real data (`vigil update` of the Alpine feed from
# ../shared through a mirror, twice with a changed file so there are two operations, and
# `vigil scan --db` of the demo's Alpine image, which caches its layer results); `vigil db copy`
# moves it to PostgreSQL; then status agrees on both, a scan on PostgreSQL gives the same
# findings as on SQLite without indexing the layers again, a second copy skips what is there,
# and bad DSNs fail with clear errors. The password of a DSN is never printed.
set -u
V=$1
here=$(cd "$(dirname "$0")" && pwd)
shared=${VIGIL_SHARED:-$here/../../../shared}
: "${VG_PG_DSN:?run under tests/pg/with_pg.sh}"
dir=$(mktemp -d /tmp/vg-dbpg-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fails=0
die() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
expect() {
    want=$1
    shift
    "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    [ "$got" -eq "$want" ] || die "exit $got (want $want): $* : $(head -5 "$dir/out" "$dir/err")"
}
has() { grep -q -- "$1" "$dir/out" "$dir/err" || die "output lacks '$1': $(head -8 "$dir/out" "$dir/err")"; }

sq=$dir/vigil.db
pg=$VG_PG_DSN
img=$shared/images/snyk/containerd-alpine-3.14.tar
python3 "$here/../feed/mirror.py" build "$(cd "$shared" && pwd)" "$dir/mirror" >/dev/null ||
    die "mirror"
# The mirror's files are links into ../shared, which is read-only: never write through them;
# replace the link with a file of our own.
sec=$dir/mirror/secdb.alpinelinux.org/v3.14/main.json
cp "$sec" "$dir/full.json"
rm -f "$sec"
python3 - "$dir/full.json" "$sec" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["packages"] = [p for p in j["packages"] if p["pkg"]["name"] != "openssl"]
json.dump(j, open(sys.argv[2], "w"))
PY
expect 0 "$V" update --db "$sq" --mirror "$dir/mirror" --source alpine
cp "$dir/full.json" "$sec.tmp" && mv "$sec.tmp" "$sec"
expect 0 "$V" update --db "$sq" --mirror "$dir/mirror" --source alpine
expect 0 "$V" scan --db "$sq" --format json "docker-archive:$img"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(json.dumps(sorted((v["id"], v["package"]["name"]) for v in j["vulnerabilities"]) if "vulnerabilities" in j else j, sort_keys=True))' "$dir/out" >"$dir/scan-sqlite" 2>/dev/null ||
    cp "$dir/out" "$dir/scan-sqlite"
grep -q CVE- "$dir/scan-sqlite" || die "no findings on SQLite: $(head -c 300 "$dir/scan-sqlite")"

# migrate and status on an empty PostgreSQL database.
expect 0 "$V" db --db "$pg" migrate
has "schema 4 of 4, up to date"
expect 0 "$V" db --db "$pg" status
has "no update operations yet"

# copy SQLite -> PostgreSQL.
expect 0 "$V" db copy --from "sqlite:$sq" --to "$pg"
has "copied 2 update operations (0 skipped"
grep -Eq ' [1-9][0-9]* layer results' "$dir/out" || die "copy moved no layer results: $(cat "$dir/out")"
expect 0 "$V" db --db "$sq" status --format json
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); [u.pop("age_seconds") for u in j["updaters"]]; print(json.dumps(j["updaters"], sort_keys=True))' "$dir/out" >"$dir/st-sqlite"
expect 0 "$V" db --db "$pg" status --format json
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); [u.pop("age_seconds") for u in j["updaters"]]; print(json.dumps(j["updaters"], sort_keys=True))' "$dir/out" >"$dir/st-pg"
cmp -s "$dir/st-sqlite" "$dir/st-pg" && ok "status: the same operations (refs, fingerprints, dates, counts) on both" ||
    die "status differs: $(cat "$dir/st-sqlite") vs $(cat "$dir/st-pg")"

# The same findings from PostgreSQL, with every layer from the copied layer cache.
expect 0 "$V" scan --db "$pg" --format json -v "docker-archive:$img"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(json.dumps(sorted((v["id"], v["package"]["name"]) for v in j["vulnerabilities"]) if "vulnerabilities" in j else j, sort_keys=True))' "$dir/out" >"$dir/scan-pg" 2>/dev/null ||
    cp "$dir/out" "$dir/scan-pg"
cmp -s "$dir/scan-sqlite" "$dir/scan-pg" && ok "scan on PostgreSQL finds what scan on SQLite found" ||
    die "scan differs: $(head -c 300 "$dir/scan-sqlite") vs $(head -c 300 "$dir/scan-pg")"
grep -q ', 0 indexed' "$dir/err" && ok "no layer indexed again on PostgreSQL" ||
    die "layers were indexed again: $(cat "$dir/err")"

# A second copy skips the operations already there.
expect 0 "$V" db copy --from "sqlite:$sq" --to "$pg"
has "copied 0 update operations (2 skipped"

# Errors: usage, unreachable server, bad pool size; a password is masked.
expect 2 "$V" db copy --from "sqlite:$sq"
expect 2 "$V" db --db "$sq" status --from "$pg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect 4 "$V" db --db "postgres://vigil:s3cret@127.0.0.1:$port/vigil" status
has "PostgreSQL unavailable"
grep -q s3cret "$dir/out" "$dir/err" && die "the password was printed"
expect 3 "$V" db --db "$pg?pool_max_conns=0" status
has "pool_max_conns must be 1-256"
pgpw=$(echo "$pg" | sed 's|://vigil@|://vigil:hunter2@|')
expect 0 "$V" db --db "$pgpw" status
has "vigil:\*\*\*@"
grep -q hunter2 "$dir/out" && die "status printed the password"
expect 0 "$V" db --db "$pg?password=hunter3&application_name=t" migrate
has "password=\*\*\*&application_name=t"
grep -q hunter3 "$dir/out" && die "migrate printed the password parameter"

[ "$fails" -eq 0 ] && echo "db_pg: all checks passed"
[ "$fails" -eq 0 ]
