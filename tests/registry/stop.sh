#!/bin/sh
# stop.sh DIR [--rm] — stops what start.sh started in DIR (registry, token server, proxy,
# watchdog), each by the pid it recorded; with --rm also deletes DIR, but only a DIR that
# start.sh marked as its own (.vigil-registry).
set -u
dir=${1:?usage: stop.sh DIR [--rm]}
[ -d "$dir" ] || exit 0
for name in registry token proxy; do
    f="$dir/$name.pid"
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
done
# The watchdog last: it may be the caller.
if [ -s "$dir/watch.pid" ]; then
    pid=$(cat "$dir/watch.pid")
    rm -f "$dir/watch.pid"
    [ "$pid" = "$PPID" ] || kill "$pid" 2>/dev/null || true
fi
if [ "${2:-}" = --rm ] && [ -f "$dir/.vigil-registry" ]; then
    rm -rf "$dir"
fi
exit 0
