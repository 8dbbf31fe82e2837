#!/usr/bin/python3
"""gen_maven.py COUNT SEED — Maven version pairs for the ComparableVersion cross-check: the
known qualifiers with their aliases (a/b/m before a digit, cr, ga, final, release) in mixed
case, unknown qualifiers, '-'/'.' and digit/letter transitions, empty parts ("1..2", "1--2"),
leading and trailing separators, leading zeros, and digit runs around the int/long/BigInteger
boundaries at 9 and 18 digits, all-zero runs included. ASCII only."""
import genlib

ALPHA = "0123456789abmcrgspxAB.-._-+"
QUALIFIERS = ["alpha", "beta", "milestone", "rc", "cr", "snapshot", "ga", "final", "release",
              "sp", "a", "b", "m", "c", "x", "foo", "preview", "dev", "r", "s", "z", "_", "+"]
SEPS = [".", ".", ".", "-", "-", "", "", "..", "--", ".-", "-."]


def factory(g):
    def num():
        r = g.r.random()
        if r < 0.7:
            return g.num()
        if r < 0.85:
            # lengths around the IntItem/LongItem/BigIntegerItem boundaries
            n = g.pick([8, 9, 10, 11, 17, 18, 19, 20])
            s = g.pick("123456789") + "".join(g.pick("0123456789") for _ in range(n - 1))
            return "0" * g.pick([0, 0, 1, 2, 9]) + s
        if r < 0.95:
            return "0" * g.pick([1, 2, 8, 9, 10, 11, 17, 18, 19, 20])  # zero of every kind
        return g.pick(["2147483647", "2147483648", "9223372036854775807",
                       "9223372036854775808", "999999999", "1000000000"])

    def qualifier():
        q = g.pick(QUALIFIERS)
        r = g.r.random()
        if r < 0.15:
            q = q.upper()
        elif r < 0.25:
            q = q.capitalize()
        return q

    def part():
        return num() if g.chance(0.6) else qualifier()

    def make():
        parts = [part() if g.chance(0.1) else num()]
        for _ in range(g.r.randint(0, 5)):
            parts.append(g.pick(SEPS) + part())
        v = "".join(parts)
        r = g.r.random()
        if r < 0.05:
            v += g.pick([".", "-", "..", "--", ".0", "-0", ".0.0", "-ga", ".final"])
        elif r < 0.08:
            v = g.pick([".", "-", "v", "V"]) + v
        elif r < 0.1:
            v = g.pick(["", "-", ".", "--", "0", "ga", "SNAPSHOT", "alpha"])
        return v

    return make


def equal_factory(g):
    # Spellings that often (not always) compare equal: padding, aliases, case, separators.
    def eq(v):
        r = g.r.random()
        if r < 0.15:
            return v + g.pick([".0", "-0", ".0.0", "-ga", ".final", "-release", ".", "-", "-0.0"])
        if r < 0.3:
            return v.swapcase()
        if r < 0.4:
            return v.replace("alpha", "a", 1).replace("beta", "b", 1)
        if r < 0.5:
            return v.replace("rc", "cr", 1).replace("ga", "final", 1)
        if r < 0.65:
            i = v.find(".") if g.chance(0.5) else v.find("-")
            if i >= 0:
                return v[:i] + g.pick([".", "-", ""]) + v[i + 1:]
            return v
        if r < 0.75:
            return "0" + v if v[:1].isdigit() else v
        return v

    return eq


if __name__ == "__main__":
    genlib.main(factory, ALPHA, equal_factory)
