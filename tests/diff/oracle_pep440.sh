#!/bin/sh
# oracle_pep440.sh WORKDIR — Debian 12's python3-packaging (packaging.version.Version, the
# reference of vigil's pep440 scheme) decides "A B" lines on stdin: <, =, > or ! (either side
# raised InvalidVersion). WORKDIR is unused; the system python3 is used, never a pyenv one.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 -I "$dir/oracle_pep440.py"
