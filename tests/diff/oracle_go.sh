#!/bin/sh
# oracle_go.sh WORKDIR — builds oracle_go.go against Debian's golang.org/x/mod/semver
# (golang-golang-x-mod-dev) once (GOPATH mode, offline), then filters "A B" lines on stdin
# to <, =, > or !.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bin=$1/oracle_go
if [ ! -x "$bin" ] || [ "$dir/oracle_go.go" -nt "$bin" ]; then
    mkdir -p "$1/gocache"
    (cd "$dir" && GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$1/gocache" GOFLAGS=-mod=mod \
        go build -o "$bin" oracle_go.go)
fi
exec "$bin"
