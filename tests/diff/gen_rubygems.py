#!/usr/bin/python3
"""gen_rubygems.py COUNT SEED — RubyGems version pairs for the Gem::Version cross-check:
dotted numbers with long digit runs and leading zeros, letter runs glued to digits or on
their own ("1.0a", "1.a.2", "1.0.RC1"), '-' prerelease parts (read as ".pre."), trailing
zero segments before and after the letters, and damage Gem::Version.correct? refuses (empty
parts, '_' '+' '~', a letter first). Equal pairs respell one version. Ruby's whitespace
(\\v \\f \\r) stays out: compare.py splits the pairs file on it."""
import genlib

ALPHA = "0123456789.-abprzAZ_+~"


def factory(g):
    specs = {}

    def seg():
        r = g.r.random()
        if r < 0.65:
            return g.num()
        if r < 0.8:
            return g.word("abprezAZ", 1, 4)
        if r < 0.9:
            return g.pick(["rc", "pre", "beta", "alpha", "a", "b", "RC", "Pre"]) + (
                g.num() if g.chance(0.6) else "")
        return g.num() + g.word("abzA", 1, 2) + (g.num() if g.chance(0.5) else "")

    def spec():
        """A version as lists of segments: the dotted part and the '-' parts."""
        main = [g.num()] + [seg() for _ in range(g.r.randint(0, 4))]
        pre = []
        if g.chance(0.25):
            for _ in range(g.r.randint(1, 3)):
                pre.append([seg() if g.chance(0.9) else "" for _ in range(g.r.randint(1, 3))])
        return main, pre

    def render(s):
        main, pre = s
        parts = list(main)
        # "1.0.0.a" == "1.a": zeros ending the numeric prefix are dropped.
        if g.chance(0.2):
            k = next((i for i, p in enumerate(parts) if not p[0].isdigit()), len(parts))
            parts[k:k] = ["0"] * g.r.randint(1, 2)
        if not pre and g.chance(0.15):
            parts += ["0"] * g.r.randint(1, 2)
        v = ".".join(p if not p.isdigit() or not g.chance(0.1) else "0" + p for p in parts)
        for piece in pre:
            # "-x" and ".pre.x" are the same segments once Gem::Version reads them.
            if g.chance(0.8) or not all(piece):
                v += "-" + ".".join(piece) if all(piece) else "-" + "-".join(piece)
            else:
                v += ".pre." + ".".join(piece)
        return v

    def oddity():
        return g.pick([
            "0", "00", "0.0", "0.a", "1.0--", "1--", "1-", "1.0-", "1.0-.a", "1.0-a.", "1-1",
            "1.pre.1", "1.PRE.1", "1-pre", "1.a.0.b", "1.a.0", "1.a", "1.0.a", "1a", "1.0a",
            "1.0a1", "1.0.a.1", "1..0", "1.0.", ".1", "a", "a.1", "1_0", "1.0+a", "1.0~a",
            "1.a-b-c", "1.0-a-b.c-d", "1.0.0-0", "1-0", "1-0.0", "1.-1", "1.A", "1.Z.a",
            "0000000000000000000000001", "1." + "0" * 40 + "1",
        ])

    def make():
        if g.chance(0.08):
            return oddity()
        s = spec()
        v = render(s)
        specs[v] = s
        return v

    def respell(v):
        s = specs.get(v)
        return render(s) if s is not None and g.chance(0.9) else v

    return make, respell


def main():
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    g = genlib.Gen(seed)
    make, respell = factory(g)
    g.pairs(make, ALPHA, count, respell)


if __name__ == "__main__":
    main()
