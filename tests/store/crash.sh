#!/bin/sh
# crash.sh WRITER VIGIL — kill -9 during an update run: the store stays consistent (SQLite's
# integrity_check and foreign_key_check pass), the previous operation still serves (through
# the store API and `vigil db status`), and the next run of the same updater starts at once
# (its lock died with the process) and clears the dead run's pending data.
set -u
W=$1
V=$2
dir=$(mktemp -d /tmp/vg-crash-XXXXXX)
trap 'kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
pid=0
db=$dir/crash.db
fails=0
die() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$W" write "$db" debian 300 >"$dir/first" || { echo "FAIL: first run"; exit 1; }
ref1=$(awk '/^op /{print $2}' "$dir/first")
[ -n "$ref1" ] || { echo "FAIL: no op ref from the first run"; exit 1; }

# Wait until the writer has reported $2 batches (one per 1000 advisories), at most 60 s.
wait_progress() {
    i=0
    while [ "$(grep -c progress "$1" 2>/dev/null || true)" -lt "$2" ]; do
        i=$((i + 1))
        [ $i -gt 600 ] && return 1
        kill -0 $pid 2>/dev/null || return 1
        sleep 0.1
    done
}

# Round 1 writes slowly and dies between batches; later rounds write flat out and die at
# arbitrary points, usually inside a batch's write transaction.
for round in 1 2 3 4 5; do
    if [ $round -eq 1 ]; then delay=300; else delay=0; fi
    "$W" write "$db" debian 2000000 $delay $round >"$dir/out" 2>&1 &
    pid=$!
    if ! wait_progress "$dir/out" $((round + 1)); then
        die "round $round: the writer made no progress: $(tail -3 "$dir/out")"
        break
    fi
    [ $round -gt 1 ] && sleep "0.0$((round * 7))"
    kill -9 $pid
    wait $pid 2>/dev/null
    written=$(grep -c progress "$dir/out")
    latest=$("$W" latest "$db" debian)
    [ "$latest" = "$ref1 300" ] || die "round $round: newest op is '$latest', want '$ref1 300'"
    "$W" check "$db" >/dev/null || die "round $round: the database is damaged"
    if command -v sqlite3 >/dev/null 2>&1; then
        ic=$(sqlite3 "$db" 'PRAGMA integrity_check')
        [ "$ic" = ok ] || die "round $round: sqlite3 integrity_check: $ic"
    fi
    st=$("$V" db status --db "$db") || die "round $round: vigil db status failed"
    echo "$st" | grep -Eq "^debian .* 1 +300  $ref1\$" ||
        die "round $round: vigil db status does not show the first op: $st"
    echo "round $round: killed after ~$((written * 1000)) advisories; op $ref1 still serves"
done

# GC deletes what a dead run left (its updater's lock is free) and keeps the serving op.
[ "$("$W" pending "$db")" = 1 ] || die "expected the last killed run's pending op"
"$W" gc "$db" 10 100 >/dev/null || die "gc failed"
[ "$("$W" pending "$db")" = 0 ] || die "gc left a dead run's pending data"
[ "$("$W" latest "$db" debian)" = "$ref1 300" ] || die "gc touched the serving op"

# Killed again; the next run is not blocked by the dead one, and deletes what it left behind.
"$W" write "$db" debian 2000000 0 7 >"$dir/out" 2>&1 &
pid=$!
wait_progress "$dir/out" 2 || die "the writer made no progress"
kill -9 $pid
wait $pid 2>/dev/null
"$W" write "$db" debian 500 0 9 >"$dir/next" 2>&1 || die "a run after the crashes failed: $(cat "$dir/next")"
ref2=$(awk '/^op /{print $2}' "$dir/next")
[ "$("$W" latest "$db" debian)" = "$ref2 500" ] || die "the new run is not the newest op"
[ "$("$W" pending "$db")" = 0 ] || die "pending data of killed runs was not deleted"
"$W" check "$db" >/dev/null || die "the database is damaged after recovery"

[ $fails -eq 0 ] && echo "crash: ok"
[ $fails -eq 0 ]
