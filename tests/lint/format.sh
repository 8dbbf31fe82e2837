#!/bin/sh
# format.sh SRCDIR — fails when any C file under src/, tests/, fuzz/ or bench/ is not
# clang-format clean (the house .clang-format), naming the files.
set -u
cd "$1" || exit 1
bad=0
for f in $(find src tests fuzz bench -name '*.[ch]' | sort); do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "not clang-format clean: $f (run clang-format -i $f)"
        bad=$((bad + 1))
    fi
done
echo "format: $bad file(s) need clang-format"
[ "$bad" -eq 0 ]
