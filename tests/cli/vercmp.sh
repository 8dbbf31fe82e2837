#!/bin/sh
# vercmp.sh — the CLI contract of `vigil vercmp` and the global flags: outputs, messages and
# the documented exit codes (0 ok, 2 usage, 3 invalid version).
set -u
vigil=$1
fails=0
check() { # check NAME WANT_RC WANT_OUT_SUBSTRING CMD...
    name=$1 want_rc=$2 want=$3
    shift 3
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        echo "FAIL $name: exit $rc, want $want_rc; output: $out"
        fails=$((fails + 1))
    elif ! printf '%s' "$out" | grep -qF -- "$want"; then
        echo "FAIL $name: output lacks '$want': $out"
        fails=$((fails + 1))
    else
        echo "ok   $name"
    fi
}
check help 0 "vercmp SCHEME A B" "$vigil" --help
check help-exit-codes 0 "3  invalid input" "$vigil" --help
check version 0 "vigil 0." "$vigil" --version
check no-command 2 "usage:" "$vigil"
check unknown-command 2 "unknown command 'frob'" "$vigil" frob
check unknown-option 2 "unknown option '--frob'" "$vigil" --frob
check less 0 "<" "$vigil" vercmp dpkg 1.0~rc1 1.0
check greater 0 ">" "$vigil" vercmp dpkg 1:1.2-1 1.3
check equal 0 "=" "$vigil" vercmp rpm 0:1.0-1 1.0-1
check alias 0 "<" "$vigil" vercmp deb 1.0 1.1
check unknown-scheme 2 "unknown version scheme" "$vigil" vercmp cargo 1 2
check wrong-arity 2 "usage: vigil vercmp" "$vigil" vercmp dpkg 1.0
check invalid 3 "dpkg: invalid version \"1:\": nothing after colon in version number at byte 2" \
    "$vigil" vercmp dpkg 1: 1.0
out=$(printf '1.0 1.1\n2.0 1.0\n1:0 1:0\n1: 1\n1.0\n  3  4  \n' | "$vigil" vercmp dpkg - 2>/tmp/vercmp.err.$$)
rc=$?
want=$(printf '<\n>\n=\n!\n!\n<')
if [ "$rc" -ne 3 ] || [ "$out" != "$want" ]; then
    echo "FAIL batch: exit $rc, output: $out"
    fails=$((fails + 1))
elif ! grep -q "line 4: dpkg: invalid version" /tmp/vercmp.err.$$ ||
    ! grep -q "line 5: want two versions" /tmp/vercmp.err.$$; then
    echo "FAIL batch: stderr lacks line numbers: $(cat /tmp/vercmp.err.$$)"
    fails=$((fails + 1))
else
    echo "ok   batch"
fi
rm -f /tmp/vercmp.err.$$
out=$(printf '1.0 1.1\n' | "$vigil" vercmp dpkg -)
[ "$out" = "<" ] && [ $? -eq 0 ] && echo "ok   batch-clean" || { echo "FAIL batch-clean"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ]
