#!/usr/bin/python3
"""gen_dpkg.py COUNT SEED — dpkg version pairs: epochs (some bad), '~' runs, letters next to
digits, every punctuation dpkg allows (and some it does not), revisions, empty parts."""
import genlib

ALPHA = "0123456789abzAZ.+~-:~_"


def factory(g):
    def upstream():
        parts = [g.num()]
        for _ in range(g.r.randint(0, 4)):
            sep = g.pick([".", ".", ".", "+", "~", "", "-", ":"])
            piece = g.num() if g.chance(0.6) else g.word("abcdefghzAZ", 1, 4)
            parts.append(sep + piece)
        s = "".join(parts)
        if g.chance(0.08):
            s = g.word("abcz", 1, 3) + s  # does not start with a digit: dpkg only warns
        return s

    def make():
        v = upstream()
        if g.chance(0.3):
            rev = g.pick(["", "0", "1", g.num()]) + g.pick(["", "ubuntu1", "+deb12u1", "~bpo11+1",
                                                          "+b1", ".1", "~", "build2"])
            v += "-" + (rev or "1")
        if g.chance(0.25):
            e = g.pick(["0", "1", "2", "10", "00", "01", g.num(), "", "a", "-1", "+1",
                        "99999999999"])
            v = e + ":" + v
        if g.chance(0.02):
            v = g.pick(["", "-", ":", "1:", "1-", "<unknown>"]) + (v if g.chance(0.5) else "")
        return v

    return make


def equal_factory(g):
    def eq(v):
        if ":" not in v and g.chance(0.5):
            return "0:" + v
        if g.chance(0.3):
            return v.replace(".", ".0", 1) if ".0" not in v else v
        return v

    return eq


if __name__ == "__main__":
    genlib.main(factory, ALPHA, equal_factory)
