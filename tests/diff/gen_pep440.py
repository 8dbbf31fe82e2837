#!/usr/bin/python3
"""gen_pep440.py COUNT SEED — PEP 440 version pairs for the packaging.version cross-check:
epochs, every pre/post/dev spelling with and without separators and numbers, implicit post
releases, local labels, long digit runs, leading zeros, mixed case, a 'v' prefix, Unicode
whitespace around the version and the four non-ASCII letters re.IGNORECASE lets through.
Equal pairs respell one version; near pairs damage it. Whitespace that Python's
str.splitlines() splits on (\\v \\f \\r \\x1c-\\x1e \\x85 \\u2028 \\u2029) stays out: compare.py
splits the pairs file that way."""
import sys

import genlib

ALPHA = "0123456789.-_!+abcdeilnoprstvwxABCDEPRV\u0131\u017f"
SEPS = ["", ".", "-", "_"]
PRE = {"a": ["a", "alpha"], "b": ["b", "beta"], "rc": ["rc", "c", "pre", "preview"]}
POST = ["post", "rev", "r"]
SPACES = ["\x1f", "\u00a0", "\u3000", "\u2000", "\u200a", "\u1680", "\u202f", "\u205f", "\x1f\x1f"]


def factory(g):
    specs = {}

    def case(word):
        r = g.r.random()
        if r < 0.75:
            return word
        if r < 0.85:
            return word.upper()
        return "".join(c.upper() if g.chance(0.5) else c for c in word)

    def number():
        return g.num() if g.chance(0.9) else g.pick(["0", "00", "000000", "1" * 30])

    def spec():
        s = {
            "epoch": number() if g.chance(0.15) else None,
            "release": [number() for _ in range(g.r.randint(1, 4) if g.chance(0.9) else 7)],
            "pre": None, "post": None, "dev": None, "local": None,
        }
        if g.chance(0.35):
            s["pre"] = (g.pick(list(PRE)), number() if g.chance(0.8) else None)
        if g.chance(0.3):
            s["post"] = (number() if g.chance(0.8) else None,)
        if g.chance(0.25):
            s["dev"] = (number() if g.chance(0.8) else None,)
        if g.chance(0.2):
            s["local"] = [number() if g.chance(0.4) else g.word("abcxyzAZ", 1, 5)
                          for _ in range(g.r.randint(1, 3))]
        return s

    def render(s):
        """One of the many spellings packaging accepts for `s`."""
        v = ""
        if g.chance(0.05):
            v += g.pick(SPACES)
        if g.chance(0.08):
            v += g.pick("vV")
        if s["epoch"] is not None:
            v += s["epoch"] + "!"
        elif g.chance(0.05):
            v += "0!"
        rel = list(s["release"])
        if g.chance(0.15):
            rel += ["0"] * g.r.randint(1, 2)
        v += ".".join(rel)
        if s["pre"]:
            label, n = s["pre"]
            v += g.pick(SEPS) + case(g.pick(PRE[label]))
            if n is not None:
                v += g.pick(SEPS) + n
            elif g.chance(0.2):
                v += g.pick([".0", "0", "-", "."])
        if s["post"]:
            n = s["post"][0]
            if n is not None and g.chance(0.3):
                v += "-" + n
            else:
                v += g.pick(SEPS) + case(g.pick(POST))
                if n is not None:
                    v += g.pick(SEPS) + n
        if s["dev"]:
            v += g.pick(SEPS) + case("dev")
            if s["dev"][0] is not None:
                v += g.pick(SEPS) + s["dev"][0]
        if s["local"]:
            v += "+" + s["local"][0]
            for part in s["local"][1:]:
                v += g.pick(".-_") + part
        if g.chance(0.05):
            v += g.pick(SPACES)
        return v

    def oddity():
        """Versions that hit the corners of the regex and of _cmpkey."""
        return g.pick([
            "1.0a.", "1.0a-", "1.0a-.post-.dev-", "1.0a--1", "1.0a.-1", "1.0-0", "1.0-00",
            "1.0prerev1", "1.0rcr1", "1.0cr", "1.0-r-1", "1.0.r.1.dev.2", "1.0dev-", "1.0-dev",
            "1.0.dev", "1.0.post", "1.0r", "1.0rev", "1.0c", "1.0preview", "1.0pre",
            "1.0po\u017ft1", "1.0pos\u0074", "1.0prev\u0131ew1", "1.0prev\u0130ew1",
            "1.0+\u212a", "1.0+k", "1.0+\u0130", "1.0+i", "1.0+\u0131", "1.0+\u017f", "1.0+s",
            "1.0+\u0130x", "1.0+i\u0307", "1!", "!1", "1.0.", ".1", "1..0", "1.0+", "1.0+a.",
            "1.0+a..b", "1.0-", "1.0-1-1", "1.0a1b2", "1.0_", "1.0dev1dev", "v", "vv1", "1.0v",
            "1.0+a_b-c.d", "1.0+0", "1.0+00", "1.0+01.a", "1.0+a.01", "1.0a1.post2.dev3+x",
            "0", "00", "0!0", "0!0.0.0", "1.0\u00a0", "\u30001.0", "1.0\u2009", "1.0\u2007",
            "1.0\u00e9", "1.0\udcff", "1.0a\u0131", "\u0131", "1.0+\u0131\u0307",
        ])

    def make():
        if g.chance(0.08):
            return oddity()
        s = spec()
        v = render(s)
        specs[v] = s
        return v

    def respell(v):
        """Another spelling of a version make() built; anything else unchanged."""
        s = specs.get(v)
        return render(s) if s is not None and g.chance(0.9) else v

    return make, respell


def main():
    sys.stdout.reconfigure(encoding="utf-8", errors="surrogateescape")
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    g = genlib.Gen(seed)
    make, respell = factory(g)
    g.pairs(make, ALPHA, count, respell)


if __name__ == "__main__":
    main()
