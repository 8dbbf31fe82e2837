#!/usr/bin/python3
"""gen_rpm.py COUNT SEED — rpm EVR pairs: optional epochs (including ":" alone), '~' and
'^' anywhere, alphanumeric runs, odd separators, missing and present releases."""
import genlib

ALPHA = "0123456789abzXY.~^_+-:"


def factory(g):
    def part():
        parts = [g.num() if g.chance(0.8) else g.word("abcxyzXY", 1, 3)]
        for _ in range(g.r.randint(0, 4)):
            sep = g.pick([".", ".", ".", "~", "^", "_", "+", "", ".."])
            parts.append(sep + (g.num() if g.chance(0.6) else g.word("abcprelgitXY", 1, 4)))
        return "".join(parts)

    def make():
        v = part()
        if g.chance(0.6):
            v += "-" + g.pick([part(), g.num() + ".el9", g.num() + ".el8_" + g.num(),
                               g.num() + ".fc39", g.num() + "~beta", ""])
        if g.chance(0.25):
            v = g.pick(["0", "1", "2", "10", "00", "", g.num()]) + ":" + v
        return v

    return make


def equal_factory(g):
    def eq(v):
        if ":" not in v and g.chance(0.5):
            return "0:" + v
        return v.replace(".", "_", 1) if g.chance(0.3) else v

    return eq


if __name__ == "__main__":
    genlib.main(factory, ALPHA, equal_factory)
