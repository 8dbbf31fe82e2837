#!/usr/bin/python3
r"""gen_semver.py COUNT SEED — SemVer pairs for the npm `semver` cross-check: numbers with
leading zeros, at and past Number.MAX_SAFE_INTEGER and far longer, prerelease identifiers
mixing digits, letters and hyphens (digit runs past 2^53 that JavaScript rounds together),
build metadata, empty parts, an optional or doubled 'v', odd characters, the ECMAScript
whitespace and line terminators that trim() strips (\v, \f, \r, U+00A0, U+2028, ...; not
U+0085, which it keeps), and lengths around the 256-character cap. Versions never hold a
blank or \n: they separate the pairs."""
import genlib

ALPHA = "0123456789.-+vaAzZ-..++0v_=~\u00a0\u3000\ufeff\u2000\u2028\v\x85é"
# What trim() strips, plus two look-alikes it keeps (U+0085, U+180E).
SPACES = ["\v", "\f", "\r", "\u00a0", "\u1680", "\u2000", "\u2005", "\u200a", "\u2028",
          "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\x85", "\u180e"]
MAX_SAFE = 2**53 - 1


def factory(g):
    def big():
        """Digit runs where doubles stop being exact: near 2^53, or long with a shared
        prefix so that distinct strings often round to the same double."""
        r = g.r.random()
        if r < 0.4:
            return str(MAX_SAFE + g.r.randint(-3, 6))
        if r < 0.7:
            return g.pick(["1844674407370955", "12345678901234567", "9" * 17]) + \
                "".join(g.pick("0123456789") for _ in range(g.r.randint(0, 4)))
        return "".join(g.pick("0123456789") for _ in range(g.r.randint(17, 60)))

    def clean(n):
        return n.lstrip("0") or "0"

    def number():
        r = g.r.random()
        if r < 0.9:
            return clean(g.num())[:16]
        if r < 0.95:
            return g.num()
        if r < 0.985:
            return str(MAX_SAFE + g.r.randint(-2, 2))
        return big()

    def ident(pre):
        r = g.r.random()
        if r < 0.3:
            return clean(g.num()) if g.chance(0.8) else g.num()
        if r < 0.4 and pre:
            return big()
        if r < 0.65:
            return g.word()
        if r < 0.9:
            return g.word("abc0123456789-", 1, 6)
        return g.pick(["-", "--", "0", "00", "0a", "" if g.chance(0.3) else "a", "a0", "x-1", "1-", "alpha", "beta",
                       "rc", "SNAPSHOT", "Alpha"])

    def idents(pre):
        return ".".join(ident(pre) for _ in range(g.r.randint(1, 4)))

    def make():
        parts = [number() for _ in range(3)]
        if g.chance(0.03):
            parts = parts[: g.r.randint(1, 2)] + ([""] if g.chance(0.3) else [])
        elif g.chance(0.01):
            parts.append(g.num())
        v = ".".join(parts)
        if g.chance(0.45):
            v += "-" + idents(True)
        if g.chance(0.25):
            v += "+" + idents(False)
        if g.chance(0.15):
            v = g.pick(["v", "v", "v", "v", "v", "V", "=", "vv", "v="]) + v
        if g.chance(0.04):
            v = "".join(g.pick(SPACES) for _ in range(g.r.randint(1, 3))) + v
        if g.chance(0.04):
            v += "".join(g.pick(SPACES) for _ in range(g.r.randint(1, 3)))
        if g.chance(0.03):
            # around the cap: MAX_LENGTH counts characters of the untrimmed string
            sep = "." if "-" in v or "+" in v else "-"
            pad = 256 - len(v) - 1 + g.r.randint(-3, 2)
            if pad > 0:
                v += sep + g.word("abx-", pad, pad)
        if g.chance(0.02):
            v = g.pick(["", "-", "+", ".", "1", "1.2", "1.2.3.", "x.y.z"])
        return v

    return make


def equal_factory(g):
    def eq(v):
        r = g.r.random()
        if r < 0.25:
            return v[1:] if v.startswith("v") else "v" + v
        if r < 0.5:
            base = v.split("+", 1)[0]
            return base + g.pick(["", "+1", "+build.5", "+0.0", "+x-y", "+a.b", "+", "+a..b"])
        if r < 0.6:
            return g.pick(SPACES) + v + (g.pick(SPACES) if g.chance(0.5) else "")
        return v

    return eq


if __name__ == "__main__":
    genlib.main(factory, ALPHA, equal_factory)
