#!/bin/sh
# run.sh SCHEME VIGIL WORKDIR [COUNT] — one differential test: generate COUNT pairs with
# gen_SCHEME.py, have the reference decide them (oracle_SCHEME.sh), have `vigil vercmp
# SCHEME -` decide them, and fail on any disagreement (validity included). Prints a summary
# and the first disagreements.
set -eu
scheme=$1 vigil=$2 work=$3 count=${4:-100000}
dir=$(cd "$(dirname "$0")" && pwd)
seed=${VG_DIFF_SEED:-20261128}
mkdir -p "$work"
pairs=$work/$scheme.pairs
/usr/bin/python3 "$dir/gen_$scheme.py" "$count" "$seed" >"$pairs"
"$dir/oracle_$scheme.sh" "$work" <"$pairs" >"$work/$scheme.want"
rc=0
"$vigil" vercmp "$scheme" - <"$pairs" >"$work/$scheme.got" 2>"$work/$scheme.err" || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    echo "diff $scheme: vigil exited $rc"
    head -5 "$work/$scheme.err"
    exit 1
fi
exec /usr/bin/python3 "$dir/compare.py" "$scheme" "$pairs" "$work/$scheme.want" "$work/$scheme.got"
