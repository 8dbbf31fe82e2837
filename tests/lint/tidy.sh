#!/bin/sh
# tidy.sh SRCDIR BUILDDIR — clang-tidy (the repo's .clang-tidy: analyzer + bugprone, warnings
# are errors) over every C file in src/, using BUILDDIR's compile_commands.json.
set -u
cd "$1" || exit 1
files=$(find src -name '*.c' | sort)
out=$(clang-tidy -p "$2" --quiet $files 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E 'error:|warning:' | grep -v 'warnings generated' | head -40
echo "tidy: $(echo $files | wc -w) files, exit $rc"
exit $rc
