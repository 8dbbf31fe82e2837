#!/usr/bin/python3
"""gen_go.py COUNT SEED — Go module version pairs for the golang.org/x/mod/semver cross-check:
the 'v' prefix (missing, doubled, upper case), the vMAJOR and vMAJOR.MINOR shorthands with and
without a forbidden suffix, leading zeros, long digit runs, prerelease identifiers mixing
digits, letters and hyphens, build metadata and +incompatible, pseudo-versions of all three
forms, empty parts and odd characters."""
import genlib

ALPHA = "0123456789.-+vaAzZ-..++0v_~é"


def factory(g):
    def stamp():
        return "%04d%02d%02d%02d%02d%02d" % (g.r.randint(2015, 2026), g.r.randint(1, 12),
                                             g.r.randint(1, 28), g.r.randint(0, 23),
                                             g.r.randint(0, 59), g.r.randint(0, 59))

    def commit():
        return "".join(g.pick("0123456789abcdef") for _ in range(12))

    def clean(n):
        return n.lstrip("0") or "0"

    def ident():
        r = g.r.random()
        if r < 0.3:
            return clean(g.num()) if g.chance(0.8) else g.num()
        if r < 0.6:
            return g.word()
        if r < 0.9:
            return g.word("abc0123456789-", 1, 6)
        return g.pick(["-", "--", "0", "00", "0a", "" if g.chance(0.3) else "a", "a0", "x-1", "1-", "alpha", "beta",
                       "rc", "pre", "Alpha"])

    def idents():
        return ".".join(ident() for _ in range(g.r.randint(1, 4)))

    def make():
        nums = [clean(g.num()) if g.chance(0.9) else g.num() for _ in range(3)]
        r = g.r.random()
        if r < 0.1:
            v = "v" + nums[0]
        elif r < 0.2:
            v = "v" + nums[0] + "." + nums[1]
        else:
            v = "v" + ".".join(nums)
        r = g.r.random()
        if r < 0.15:
            # pseudo-versions: vX.0.0-stamp-hash, vX.Y.Z-pre.0.stamp-hash, vX.Y.Z-0.stamp-hash
            kind = g.r.randint(0, 2)
            if kind == 0:
                v = "v" + nums[0] + ".0.0-" + stamp() + "-" + commit()
            elif kind == 1:
                v += "-" + g.pick(["pre", "rc.1", "beta.2", "alpha"]) + ".0." + stamp() + "-" + \
                    commit()
            else:
                v += "-0." + stamp() + "-" + commit()
        elif r < 0.55:
            v += "-" + idents()
        if g.chance(0.25):
            v += "+" + (g.pick(["incompatible", "incompatible", "meta", ""]) if g.chance(0.5)
                        else idents())
        if g.chance(0.05):
            v = g.pick(["", "", "V", "vv", "=v", "go"]) + v[1:]
        if g.chance(0.02):
            v = g.pick(["", "v", "v.", "v1.", "v1.2.", "v1..2", "v-1", "v+1"])
        return v

    return make


def equal_factory(g):
    def eq(v):
        r = g.r.random()
        if r < 0.35:
            base = v.split("+", 1)[0]
            return base + g.pick(["", "+incompatible", "+meta.1", "+0.0", "+", "+a..b"])
        if r < 0.55:
            # spell the shorthand out, or shorten a .0 patch or minor
            if v.count(".") == 0 and "-" not in v and "+" not in v:
                return v + g.pick([".0", ".0.0"])
            if v.count(".") == 1 and "-" not in v and "+" not in v:
                return v + ".0"
            if v.endswith(".0.0"):
                return v[:-4]
            if v.endswith(".0"):
                return v[:-2]
        return v

    return eq


if __name__ == "__main__":
    genlib.main(factory, ALPHA, equal_factory)
