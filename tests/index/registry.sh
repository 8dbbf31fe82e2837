#!/bin/sh
# registry.sh VIGIL WORKDIR — the fourth form of the Debian test image: pushed with skopeo
# into a real docker-registry run without auth, with htpasswd and behind a bearer-token
# server (tests/registry/start.sh), then indexed with `vigil index registry:...`. The package
# set must equal dpkg-query's and the layer digests the OCI layout's; wrong credentials must
# fail with a 401-based message that never shows the password.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
img=$work/debian-image
"$here/../images/build-debian.sh" "$img"
check="/usr/bin/python3 $here/check_index.py"
fails=0
export VG_REGISTRY_WATCH_PID=$$
for mode in open htpasswd token; do
    dir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-reg.XXXXXX")
    "$here/../registry/start.sh" "$mode" "$dir" >/dev/null
    PORT= USER= PASSWORD=
    . "$dir/info"
    creds=""
    [ "$mode" != open ] && creds="--dest-creds=$USER:$PASSWORD"
    skopeo copy -q --insecure-policy --dest-tls-verify=false $creds \
        oci:"$img/oci:test" docker://127.0.0.1:"$PORT"/debian:test
    ref=registry:127.0.0.1:$PORT/debian:test
    out=$work/registry-$mode.json
    if [ "$mode" = open ]; then
        "$vigil" index --insecure "$ref" >"$out"
    else
        printf '%s\n' "$PASSWORD" | "$vigil" index --insecure --username "$USER" --password-stdin "$ref" >"$out"
    fi
    if $check packages "$out" "$img/expected.tsv" && $check dist "$out" debian:12 &&
        $check same "$out" "$work/debian-index/oci.json"; then
        echo "ok   $mode: indexed through the registry"
    else
        echo "FAIL $mode"
        fails=$((fails + 1))
    fi
    if [ "$mode" != open ]; then
        err=$(printf 'wrong-Passw0rd\n' | "$vigil" index --insecure --username "$USER" --password-stdin "$ref" 2>&1 >/dev/null) && rc=0 || rc=$?
        if [ "$rc" -eq 0 ] || ! printf '%s' "$err" | grep -q "authentication failed (HTTP 401)" ||
            printf '%s' "$err" | grep -q "wrong-Passw0rd"; then
            echo "FAIL $mode wrong credentials: exit $rc: $err"
            fails=$((fails + 1))
        else
            echo "ok   $mode wrong credentials: $err"
        fi
    fi
    "$here/../registry/stop.sh" "$dir" --rm
done
[ "$fails" -eq 0 ]
