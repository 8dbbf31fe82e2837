#!/bin/sh
# oracle_semver.sh WORKDIR — installs the npm `semver` package (pinned, strict mode is the
# reference of vigil's semver scheme) under WORKDIR/npm once, then filters "A B" lines on
# stdin to <, =, > or ! through oracle_semver.js.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
version=7.8.6
mod=$1/npm/node_modules/semver
if ! grep -q "\"version\": \"$version\"" "$mod/package.json" 2>/dev/null; then
    mkdir -p "$1/npm"
    npm install --prefix "$1/npm" --no-audit --no-fund --silent "semver@$version" >&2
fi
exec /usr/bin/node "$dir/oracle_semver.js" "$mod"
