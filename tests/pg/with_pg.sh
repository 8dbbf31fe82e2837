#!/bin/sh
# with_pg.sh — runs a command against a fresh, real PostgreSQL server made for it: the store
# suite's *_pg tests and the scale-out/restart scripts use it (tests/CMakeLists.txt).
#
#   tests/pg/with_pg.sh COMMAND [ARGS...]
#       makes a temp dir, initdb (auth trust, superuser `vigil`), starts the server on a free
#       127.0.0.1 port (its unix socket in the temp dir), creates database `vigil`, runs COMMAND
#       with the variables below exported, stops the server (pg_ctl stop -m fast; also when
#       COMMAND fails or the script is interrupted), removes the dir, and exits with COMMAND's
#       status (125 when the server could not be set up).
#
#   tests/pg/with_pg.sh --ctl stop|start|restart|status
#       from inside COMMAND: stops / starts again (same port, same data dir) / restarts the
#       server set up above, using the exported variables. "Stop PostgreSQL for N seconds":
#           tests/pg/with_pg.sh --ctl stop; sleep N; tests/pg/with_pg.sh --ctl start
#       The equivalent pg_ctl line is
#           [runuser -u postgres --] "$VG_PG_CTL" -D "$VG_PG_DATA" -w -m fast stop
#           [runuser -u postgres --] "$VG_PG_CTL" -D "$VG_PG_DATA" -w -l "$VG_PG_DIR/log" start
#       (runuser only when running as root; the port and socket dir live in postgresql.conf).
#
# Exported to COMMAND:
#   VG_PG_DSN    postgres://vigil@127.0.0.1:PORT/vigil      the (empty) database for the test
#   VG_PG_ADMIN  postgres://vigil@127.0.0.1:PORT/postgres   for CREATE/DROP DATABASE
#   VG_PG_PORT   the TCP port
#   VG_PG_DATA   the data directory
#   VG_PG_DIR    the temp dir (data dir, socket and server log `log` inside)
#   VG_PG_CTL    the path of pg_ctl
#   VG_PG_AS     "runuser -u postgres --" when the server runs as `postgres` (we are root), else ""
#
# The server is for tests: fsync and synchronous_commit are off (a crash of vigil or of a
# PostgreSQL process is survived; only an OS crash would lose data), max_connections 200.
#
# initdb refuses to run as root: then the server runs as the `postgres` system user and the
# temp dir is owned by it. PG_BIN overrides the directory of initdb/pg_ctl (default: the
# newest /usr/lib/postgresql/*/bin, else PATH).
set -u

find_bin() {
    if [ -n "${PG_BIN:-}" ]; then
        echo "$PG_BIN"
        return
    fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$d" ]; then
        echo "$d"
    else
        dirname "$(command -v pg_ctl)"
    fi
}

as_pg() {
    if [ -n "${VG_PG_AS:-}" ]; then
        $VG_PG_AS "$@"
    else
        "$@"
    fi
}

ctl() {
    : "${VG_PG_CTL:?--ctl needs the variables with_pg.sh exports}"
    case "$1" in
    stop) as_pg "$VG_PG_CTL" -D "$VG_PG_DATA" -w -m fast stop >/dev/null ;;
    start) as_pg "$VG_PG_CTL" -D "$VG_PG_DATA" -w -t 60 -l "$VG_PG_DIR/log" start >/dev/null ;;
    restart)
        as_pg "$VG_PG_CTL" -D "$VG_PG_DATA" -w -m fast stop >/dev/null &&
            as_pg "$VG_PG_CTL" -D "$VG_PG_DATA" -w -t 60 -l "$VG_PG_DIR/log" start >/dev/null
        ;;
    status) as_pg "$VG_PG_CTL" -D "$VG_PG_DATA" status >/dev/null ;;
    *)
        echo "with_pg.sh: --ctl stop|start|restart|status" >&2
        return 2
        ;;
    esac
}

if [ "${1:-}" = "--ctl" ]; then
    ctl "${2:-}"
    exit $?
fi
if [ $# -eq 0 ]; then
    echo "usage: with_pg.sh COMMAND [ARGS...] | with_pg.sh --ctl stop|start|restart|status" >&2
    exit 2
fi

BIN=$(find_bin)
VG_PG_CTL="$BIN/pg_ctl"
if [ ! -x "$VG_PG_CTL" ] || [ ! -x "$BIN/initdb" ]; then
    echo "with_pg.sh: no initdb/pg_ctl in $BIN" >&2
    exit 125
fi
VG_PG_DIR=$(mktemp -d /tmp/vg-pg-XXXXXX) || exit 125
VG_PG_DATA="$VG_PG_DIR/data"
VG_PG_AS=""
if [ "$(id -u)" -eq 0 ]; then
    VG_PG_AS="runuser -u postgres --"
    chown postgres: "$VG_PG_DIR" || exit 125
fi
chmod 0700 "$VG_PG_DIR"
export VG_PG_CTL VG_PG_DIR VG_PG_DATA VG_PG_AS

started=0
cleanup() {
    if [ "$started" -eq 1 ]; then
        as_pg "$VG_PG_CTL" -D "$VG_PG_DATA" -w -m fast stop >/dev/null 2>&1 ||
            as_pg "$VG_PG_CTL" -D "$VG_PG_DATA" -m immediate stop >/dev/null 2>&1
        started=0
    fi
    rm -rf "$VG_PG_DIR"
}
trap 'cleanup; exit 130' INT TERM HUP
trap cleanup EXIT

# A free port: bind to 0 and let the kernel choose (a tiny race with other binders remains;
# the start is retried on another port if it fails).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

if ! as_pg "$BIN/initdb" -D "$VG_PG_DATA" -U vigil -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$VG_PG_DIR/initdb.log" 2>&1; then
    cat "$VG_PG_DIR/initdb.log" >&2
    exit 125
fi
for try in 1 2 3; do
    VG_PG_PORT=$(free_port)
    cat >>"$VG_PG_DATA/postgresql.conf" <<EOF
# with_pg.sh (try $try)
port = $VG_PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$VG_PG_DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    if as_pg "$VG_PG_CTL" -D "$VG_PG_DATA" -w -t 60 -l "$VG_PG_DIR/log" start >/dev/null; then
        started=1
        break
    fi
done
if [ "$started" -ne 1 ]; then
    cat "$VG_PG_DIR/log" >&2
    exit 125
fi
export VG_PG_PORT
export VG_PG_ADMIN="postgres://vigil@127.0.0.1:$VG_PG_PORT/postgres"
export VG_PG_DSN="postgres://vigil@127.0.0.1:$VG_PG_PORT/vigil"
if ! psql -X -q -v ON_ERROR_STOP=1 "$VG_PG_ADMIN" -c 'CREATE DATABASE vigil' >&2; then
    exit 125
fi

"$@"
status=$?
cleanup
trap - EXIT INT TERM HUP
exit $status
