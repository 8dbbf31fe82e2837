#!/bin/sh
# oracle_apk.sh WORKDIR — builds oracle_apk.go against Debian's go-apk-version once
# (GOPATH mode, offline), then filters "A B" lines on stdin to <, = or >.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bin=$1/oracle_apk
if [ ! -x "$bin" ] || [ "$dir/oracle_apk.go" -nt "$bin" ]; then
    mkdir -p "$1/gocache"
    (cd "$dir" && GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$1/gocache" GOFLAGS=-mod=mod \
        go build -o "$bin" oracle_apk.go)
fi
exec "$bin"
