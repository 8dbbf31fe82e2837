"""genlib.py — shared building blocks of the differential-test generators (gen_<scheme>.py).

Each generator builds versions from the scheme's grammar plus deliberate damage, then emits
pairs that are mostly *near* each other (one small edit apart), because that is where
comparators disagree: equal-looking strings, leading zeros, a separator swapped, a suffix
added. Output is deterministic for a given seed.
"""
import random
import sys


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def num(self):
        """A decimal run: small most of the time, sometimes zero-padded or very long."""
        r = self.r.random()
        if r < 0.55:
            s = str(self.r.randint(0, 12))
        elif r < 0.75:
            s = str(self.r.randint(0, 2000))
        elif r < 0.85:
            s = "0" * self.r.randint(1, 3) + str(self.r.randint(0, 99))
        elif r < 0.95:
            s = str(self.r.randint(0, 10**12))
        else:
            s = "".join(self.pick("0123456789") for _ in range(self.r.randint(15, 40)))
        return s

    def word(self, alphabet="abcdefghijklmnopqrstuvwxyz", lo=1, hi=5):
        return "".join(self.pick(alphabet) for _ in range(self.r.randint(lo, hi)))

    def mutate(self, v, alphabet):
        """One small edit: change, insert or delete a character, bump or pad a number, or
        append a piece. The result may be invalid on purpose."""
        if not v:
            return self.pick(alphabet)
        i = self.r.randrange(len(v))
        op = self.r.random()
        if op < 0.2:
            return v[:i] + self.pick(alphabet) + v[i + 1:]
        if op < 0.35:
            return v[:i] + self.pick(alphabet) + v[i:]
        if op < 0.45:
            return v[:i] + v[i + 1:]
        if op < 0.65:
            # bump a digit up or down
            digits = [k for k, c in enumerate(v) if c.isdigit()]
            if digits:
                k = self.pick(digits)
                d = int(v[k])
                d = d + 1 if d < 9 and self.chance(0.5) else max(0, d - 1)
                return v[:k] + str(d) + v[k + 1:]
            return v + self.pick(alphabet)
        if op < 0.75:
            digits = [k for k, c in enumerate(v) if c.isdigit() and (k == 0 or not v[k - 1].isdigit())]
            if digits:
                k = self.pick(digits)
                return v[:k] + "0" + v[k:]
            return v
        return v + self.pick(alphabet) + (self.num() if self.chance(0.5) else "")

    def pairs(self, make, alphabet, count, extra_equal=None):
        """Emits `count` pairs: 40% (v, mutate(v)), 20% (v, v) or an equivalent spelling,
        40% two independent versions."""
        out = sys.stdout
        pool = [make() for _ in range(2000)]
        for _ in range(count):
            r = self.r.random()
            a = self.pick(pool) if self.chance(0.5) else make()
            if r < 0.4:
                b = self.mutate(a, alphabet)
                if self.chance(0.3):
                    b = self.mutate(b, alphabet)
            elif r < 0.6:
                b = extra_equal(a) if extra_equal else a
            else:
                b = self.pick(pool) if self.chance(0.5) else make()
            if self.chance(0.5):
                a, b = b, a
            # Blanks separate the two versions; keep them out of the versions themselves.
            a = a.replace(" ", "").replace("\t", "") or "0"
            b = b.replace(" ", "").replace("\t", "") or "0"
            out.write(f"{a} {b}\n")


def main(make_factory, alphabet, extra_equal_factory=None):
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    g = Gen(seed)
    make = make_factory(g)
    eq = extra_equal_factory(g) if extra_equal_factory else None
    g.pairs(make, alphabet, count, eq)
