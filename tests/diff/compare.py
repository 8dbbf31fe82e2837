#!/usr/bin/python3
"""compare.py SCHEME PAIRS WANT GOT — line-by-line agreement of vigil with the reference.
Fails when the files differ in length or on any line; prints counts and the first cases."""
import collections
import sys

scheme, pairs_p, want_p, got_p = sys.argv[1:5]
def lines(path):
    """Lines split on \n only: versions may hold \v, \f, \r or U+2028, which str.splitlines
    would treat as line breaks."""
    data = open(path, "rb").read()
    if data.endswith(b"\n"):
        data = data[:-1]
    return [l.decode("utf-8", "surrogateescape") for l in data.split(b"\n")] if data else []


pairs = lines(pairs_p)
want = lines(want_p)
got = lines(got_p)
if not (len(pairs) == len(want) == len(got)):
    print(f"diff {scheme}: line counts differ: pairs {len(pairs)} reference {len(want)} vigil {len(got)}")
    sys.exit(1)
bad = [(p, w, g) for p, w, g in zip(pairs, want, got) if w != g]
dist = collections.Counter(want)
print(f"diff {scheme}: {len(pairs)} pairs, reference says "
      + " ".join(f"{k}:{dist[k]}" for k in "<=>!") + f"; disagreements: {len(bad)}")
for p, w, g in bad[:25]:
    print(f"  {p!r}: reference {w}, vigil {g}")
sys.exit(1 if bad or len(pairs) == 0 else 0)
