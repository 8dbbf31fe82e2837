"""oracle_pep440.py — the reference side of the pep440 differential test (run through
oracle_pep440.sh): packaging.version.Version from /usr/lib/python3/dist-packages compares
each "A B" line of stdin (UTF-8, undecodable bytes kept as surrogates) to <, =, > or !."""
import sys

import packaging
from packaging.version import InvalidVersion, Version

if not packaging.__file__.startswith("/usr/lib/python3/dist-packages/"):
    sys.exit(f"oracle_pep440: want Debian's python3-packaging, got {packaging.__file__}")


def parse(b):
    try:
        return Version(b.decode("utf-8", "surrogateescape"))
    except InvalidVersion:
        return None


out = []
for line in sys.stdin.buffer.read().split(b"\n")[:-1]:
    parts = line.split(b" ")
    a = parse(parts[0]) if len(parts) == 2 else None
    b = parse(parts[1]) if a is not None else None
    if a is None or b is None:
        out.append("!")
    else:
        out.append("<" if a < b else ">" if a > b else "=")
sys.stdout.write("".join(r + "\n" for r in out))
