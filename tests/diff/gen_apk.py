#!/usr/bin/python3
"""gen_apk.py COUNT SEED — apk version pairs for the go-apk-version cross-check.

go-apk-version ports apk-tools 2's comparison, while the reference is apk-tools 3, whose own
vectors (fixtures/version/apk-tools-version.data, checked in the unit tests) settle four
classes where the two differ: leading zeros after a dot ("8.2.0" < "8.2.001"), a suffix
right after a ".0" part ("6.0_pre1" < "6.0", which go-apk-version gets backwards), "~hash"
parts, and invalid strings. Numbers past 18 digits also differ (Go int versus apk's uint64).
So this generator stays inside the grammar both accept:
digit{.digit}{letter}{_suffix{N}}...{-rN}, numbers of up to 18 digits, no dot-leading zeros;
near pairs are made by editing one token, never by damaging the string."""
import re
import sys

import genlib

SUFFIXES = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"]
VALID = re.compile(r"^\d+(\.[1-9]\d*|\.0)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*(-r\d+)?$")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    g = genlib.Gen(int(sys.argv[2]) if len(sys.argv) > 2 else 1)

    def num():
        s = g.num().lstrip("0") or "0"
        return s[:18]

    def make():
        v = num() if g.chance(0.9) else "0" + num()  # a leading zero on the first part is fine
        for _ in range(g.r.randint(0, 4)):
            v += "." + num()
        if g.chance(0.2):
            v += g.pick("abcxyz")
        for _ in range(g.r.randint(0, 2) if g.chance(0.4) else 0):
            v += "_" + g.pick(SUFFIXES) + (num() if g.chance(0.6) else "")
        if g.chance(0.6):
            v += "-r" + num()
        return v

    def near(v):
        toks = re.findall(r"\d+|[a-z]+|[._-]", v)
        i = g.r.randrange(len(toks))
        t = toks[i]
        if t.isdigit():
            toks[i] = str(max(0, int(t) + g.pick([-1, 1, 10]))) if len(t) < 18 else t[:-1]
        elif t in SUFFIXES:
            toks[i] = g.pick(SUFFIXES)
        elif len(t) == 1 and t.isalpha():
            toks[i] = g.pick("abcxyz")
        out = "".join(toks)
        r = g.r.random()
        if r < 0.2:
            out += g.pick(["", ".0", ".1", "a", "_rc1", "_p", "_alpha", "-r0", "-r1"])
        elif r < 0.3 and "-r" in out:
            out = out[: out.rindex("-r")]
        return out

    pool = [make() for _ in range(2000)]
    n = 0
    while n < count:
        a = g.pick(pool) if g.chance(0.5) else make()
        r = g.r.random()
        b = near(a) if r < 0.5 else a if r < 0.6 else make()
        if g.chance(0.5):
            a, b = b, a
        if VALID.match(a) and VALID.match(b) and ".0_" not in a + b:
            sys.stdout.write(f"{a} {b}\n")
            n += 1


if __name__ == "__main__":
    main()
