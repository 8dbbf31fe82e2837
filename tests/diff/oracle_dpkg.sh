#!/bin/sh
# oracle_dpkg.sh WORKDIR — builds oracle_dpkg.c against Debian's libdpkg (the code behind
# `dpkg --compare-versions`) once, then filters "A B" lines on stdin to <, =, > or !.
set -eu
dir=$(dirname "$0")
bin=$1/oracle_dpkg
if [ ! -x "$bin" ] || [ "$dir/oracle_dpkg.c" -nt "$bin" ]; then
    cc -O2 -o "$bin" "$dir/oracle_dpkg.c" $(pkg-config --cflags --libs libdpkg)
fi
exec "$bin"
