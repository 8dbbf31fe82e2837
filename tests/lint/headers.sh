#!/bin/sh
# headers.sh SRCDIR — house rules a compiler cannot check: every C file opens with a
# comment saying what it does, and no banned function (strcpy, strcat, sprintf, strtok,
# atoi, sscanf) appears in src/.
set -u
cd "$1" || exit 1
bad=0
for f in $(find src tests fuzz bench -name '*.[ch]' | sort); do
    head -c 2 "$f" | grep -q '^/[*/]' || { echo "no opening comment: $f"; bad=$((bad + 1)); }
done
if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|sscanf|gets)\s*\(' -r src; then
    echo "banned function used (see STYLE.md)"
    bad=$((bad + 1))
fi
[ "$bad" -eq 0 ]
