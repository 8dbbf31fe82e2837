#!/usr/bin/python3
"""compare.py SCHEME PAIRS WANT GOT — line-by-line agreement of vigil with the reference.
Fails when the files differ in length or on any line; prints counts and the first cases."""
import collections
import sys

scheme, pairs_p, want_p, got_p = sys.argv[1:5]
pairs = open(pairs_p, encoding="utf-8", errors="surrogateescape").read().splitlines()
want = open(want_p).read().splitlines()
got = open(got_p).read().splitlines()
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
