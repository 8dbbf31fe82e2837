/* semver.c — the two SemVer 2.0.0 schemes of src/version/: `semver`, a port of the npm `semver`
 * package 7.8 in strict mode (classes/semver.js, internal/re.js, internal/identifiers.js), odd
 * corners included, and `go`, a port of golang.org/x/mod/semver (v prefix, v1 and v1.2). */
#include "version_int.h"

#include <stdint.h>
#include <string.h>

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* [0-9A-Za-z-], the characters of prerelease and build identifiers in both schemes. */
static int is_ident(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static bool all_digits(vg_slice s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!is_digit(s.ptr[i]))
            return false;
    return true;
}

/* Byte-wise order, a proper prefix first: JavaScript's `<` on ASCII strings, Go's on any. */
static int cmp_bytes(vg_slice a, vg_slice b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int r = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (r)
        return r < 0 ? -1 : 1;
    return a.len < b.len ? -1 : a.len > b.len;
}

static bool slice_eq(vg_slice a, vg_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Numeric order of two digit runs without leading zeros, of any length. */
static int cmp_num(vg_slice a, vg_slice b)
{
    if (a.len != b.len)
        return a.len < b.len ? -1 : 1;
    return cmp_bytes(a, b);
}

/* The identifier of a dot-separated list that starts at `*rest`; advances `*rest` past it
 * and its dot. */
static vg_slice next_ident(vg_slice *rest)
{
    vg_slice id = {rest->ptr, 0};
    while (id.len < rest->len && rest->ptr[id.len] != '.')
        id.len++;
    size_t skip = id.len < rest->len ? id.len + 1 : id.len;
    rest->ptr += skip;
    rest->len -= skip;
    return id;
}

/* Where parsing stopped: `why` is NULL when the version is valid. */
typedef struct parse_error {
    const char *why;
    size_t off;
} parse_error;

static parse_error ok(void)
{
    return (parse_error){NULL, 0};
}

static parse_error fail(const char *base, const char *at, const char *why)
{
    return (parse_error){why, (size_t)(at - base)};
}

/* ---- npm semver ---------------------------------------------------------------------- */

/* constants.js: MAX_LENGTH, counted in UTF-16 units of the raw (untrimmed) string. */
#define NPM_MAX_LENGTH 256
/* Number.MAX_SAFE_INTEGER, 2^53 - 1. */
static const vg_slice npm_max_safe = VG_SLICE_LIT("9007199254740991");

typedef struct npm_ver {
    vg_slice major, minor, patch;
    vg_slice pre; /* prerelease without its '-'; len 0 when there is none */
} npm_ver;

/* The UTF-8 length of an ECMAScript whitespace or line terminator (what String.prototype.trim
 * strips) starting at `p`, or 0. `n` bytes are readable. */
static size_t js_space_at(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r')))
        return 1;
    if (n >= 2 && p[0] == 0xc2 && p[1] == 0xa0) /* U+00A0 */
        return 2;
    if (n < 3)
        return 0;
    unsigned c = (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
    bool space = c == 0xe19a80                       /* U+1680 */
                 || (c >= 0xe28080 && c <= 0xe2808a) /* U+2000..U+200A */
                 || c == 0xe280a8 || c == 0xe280a9   /* U+2028, U+2029 */
                 || c == 0xe280af || c == 0xe2819f   /* U+202F, U+205F */
                 || c == 0xe38080 || c == 0xefbbbf;  /* U+3000, U+FEFF */
    return space ? 3 : 0;
}

/* The same, for a whitespace character that ends just before `end`; `n` bytes precede it. */
static size_t js_space_before(const unsigned char *end, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++)
        if (js_space_at(end - k, k) == k)
            return k;
    return 0;
}

/* NUMERICIDENTIFIER, 0|[1-9]\d*, and the MAX_SAFE_INTEGER check of the constructor. */
static parse_error npm_number(vg_slice *out, const char *base, const char **pp, const char *end,
                              const char *what)
{
    const char *p = *pp;
    if (p == end || !is_digit(*p))
        return fail(base, p, what);
    const char *start = p;
    while (p < end && is_digit(*p))
        p++;
    if (*start == '0' && p - start > 1)
        return fail(base, start, "leading zero in a version number");
    *out = (vg_slice){start, (size_t)(p - start)};
    if (cmp_num(*out, npm_max_safe) > 0)
        return fail(base, start, "version number above Number.MAX_SAFE_INTEGER");
    *pp = p;
    return ok();
}

/* A dot-separated list of [0-9A-Za-z-]+ identifiers from `*pp`, stopping at the first other
 * character; in a prerelease (`pre`), all-digit identifiers must not have leading zeros. */
static parse_error ident_list(const char *base, const char **pp, const char *end, bool pre)
{
    const char *p = *pp;
    for (;;) {
        const char *start = p;
        while (p < end && is_ident(*p))
            p++;
        if (p == start)
            return fail(base, p, pre ? "empty prerelease identifier" : "empty build identifier");
        if (pre && *start == '0' && p - start > 1 &&
            all_digits((vg_slice){start, (size_t)(p - start)}))
            return fail(base, start, "leading zero in a numeric prerelease identifier");
        if (p == end || *p != '.')
            break;
        p++;
    }
    *pp = p;
    return ok();
}

/* new SemVer(v) in strict mode: the length cap, trim(), then the FULL regular expression
 * ^v?N.N.N(-PRERELEASE)?(+BUILD)?$ and the MAX_SAFE_INTEGER checks. */
static parse_error npm_parse(npm_ver *out, const char *v)
{
    const unsigned char *u = (const unsigned char *)v;
    size_t n = strlen(v), units = 0;
    for (size_t i = 0; i < n; i++) {
        /* UTF-16 units of the decoded string: one per character, two above U+FFFF. */
        if ((u[i] & 0xc0) != 0x80)
            units += u[i] >= 0xf0 ? 2 : 1;
        if (units > NPM_MAX_LENGTH)
            return fail(v, v + i, "longer than 256 characters (npm semver MAX_LENGTH)");
    }
    const char *p = v, *end = v + n;
    for (size_t k; (k = js_space_at((const unsigned char *)p, (size_t)(end - p))) != 0;)
        p += k;
    for (size_t k; (k = js_space_before((const unsigned char *)end, (size_t)(end - p))) != 0;)
        end -= k;
    if (p < end && *p == 'v')
        p++;
    memset(out, 0, sizeof(*out));
    parse_error e = npm_number(&out->major, v, &p, end, "expected a major version number");
    if (e.why)
        return e;
    if (p == end || *p != '.')
        return fail(v, p, "expected '.' after the major version");
    p++;
    e = npm_number(&out->minor, v, &p, end, "expected a minor version number");
    if (e.why)
        return e;
    if (p == end || *p != '.')
        return fail(v, p, "expected '.' after the minor version");
    p++;
    e = npm_number(&out->patch, v, &p, end, "expected a patch version number");
    if (e.why)
        return e;
    if (p < end && *p == '-') {
        const char *start = ++p;
        e = ident_list(v, &p, end, true);
        if (e.why)
            return e;
        out->pre = (vg_slice){start, (size_t)(p - start)};
    }
    if (p < end && *p == '+') {
        p++;
        e = ident_list(v, &p, end, false);
        if (e.why)
            return e;
    }
    if (p != end)
        return fail(v, p, "unexpected character");
    return ok();
}

static int npm_check(const char *v)
{
    npm_ver ver;
    parse_error e = npm_parse(&ver, v);
    return e.why ? vg__version_invalid("semver", v, e.off, e.why) : 0;
}

/* A decimal integer rounded to the nearest double, ties to even, as JavaScript's unary `+`
 * does: value = mant * 2^exp, with mant normalised to 53 bits whenever exp > 0, so that
 * (exp, mant) orders like the double. `d` is at most NPM_MAX_LENGTH digits. */
typedef struct js_double {
    unsigned exp;
    uint64_t mant;
} js_double;

static js_double to_double(vg_slice d)
{
    uint32_t limb[(NPM_MAX_LENGTH * 10 / 3 + 31) / 32 + 1] = {0}; /* 3 bits per digit, and more */
    size_t nl = 1;
    for (size_t i = 0; i < d.len; i++) {
        uint64_t carry = (uint64_t)(d.ptr[i] - '0');
        for (size_t k = 0; k < nl; k++) {
            uint64_t t = (uint64_t)limb[k] * 10 + carry;
            limb[k] = (uint32_t)t;
            carry = t >> 32;
        }
        if (carry && nl < VG_ARRAY_LEN(limb))
            limb[nl++] = (uint32_t)carry;
    }
    size_t bits = 32 * nl;
    while (bits > 0 && !((limb[(bits - 1) / 32] >> ((bits - 1) % 32)) & 1))
        bits--;
    js_double r = {0, 0};
    size_t shift = bits > 53 ? bits - 53 : 0;
    for (size_t b = bits; b-- > shift;)
        r.mant = r.mant << 1 | ((limb[b / 32] >> (b % 32)) & 1);
    if (shift) {
        bool half = (limb[(shift - 1) / 32] >> ((shift - 1) % 32)) & 1, sticky = false;
        for (size_t b = 0; b + 1 < shift && !sticky; b++)
            sticky = (limb[b / 32] >> (b % 32)) & 1;
        if (half && (sticky || (r.mant & 1)))
            r.mant++;
        if (r.mant >> 53) {
            r.mant >>= 1;
            shift++;
        }
    }
    r.exp = (unsigned)shift;
    return r;
}

/* How the constructor stores a prerelease identifier: digits below MAX_SAFE_INTEGER become a
 * number, everything else (2^53 - 1 and above included) stays a string. */
enum npm_ident { NPM_NUMBER, NPM_BIG_DIGITS, NPM_STRING };

static enum npm_ident npm_ident_kind(vg_slice id)
{
    if (!all_digits(id))
        return NPM_STRING;
    return cmp_num(id, npm_max_safe) < 0 ? NPM_NUMBER : NPM_BIG_DIGITS;
}

/* compareIdentifiers() for two identifiers that differ (`a === b` is false). Two all-digit
 * strings are compared as `+a` and `+b`: past 2^53 distinct strings can be equal doubles, and
 * then the result is 0. */
static int npm_cmp_ident(vg_slice a, vg_slice b)
{
    enum npm_ident ka = npm_ident_kind(a), kb = npm_ident_kind(b);
    bool anum = ka != NPM_STRING, bnum = kb != NPM_STRING;
    if (anum && bnum) {
        if (ka == NPM_NUMBER || kb == NPM_NUMBER)
            return cmp_num(a, b); /* exact: a number below 2^53 - 1 is below any big one */
        js_double x = to_double(a), y = to_double(b);
        if (x.exp != y.exp)
            return x.exp < y.exp ? -1 : 1;
        return x.mant < y.mant ? -1 : x.mant > y.mant;
    }
    if (anum != bnum)
        return anum ? -1 : 1;
    return cmp_bytes(a, b);
}

/* SemVer.compare(): compareMain() || comparePre(); build metadata is ignored. */
static int npm_cmp(const char *a, const char *b)
{
    npm_ver x, y;
    (void)npm_parse(&x, a); /* both passed npm_check() */
    (void)npm_parse(&y, b);
    int c = cmp_num(x.major, y.major);
    if (!c)
        c = cmp_num(x.minor, y.minor);
    if (!c)
        c = cmp_num(x.patch, y.patch);
    if (c)
        return c;
    if (!x.pre.len || !y.pre.len)
        return (x.pre.len == 0) - (y.pre.len == 0);
    vg_slice ra = x.pre, rb = y.pre;
    for (;;) {
        if (!ra.len || !rb.len)
            return (ra.len != 0) - (rb.len != 0);
        vg_slice ia = next_ident(&ra), ib = next_ident(&rb);
        if (!slice_eq(ia, ib))
            return npm_cmp_ident(ia, ib); /* even when 0: the loop ends here */
    }
}

const vg_scheme_ops vg__version_semver = {"semver", npm_check, npm_cmp};

/* ---- Go modules: golang.org/x/mod/semver --------------------------------------------- */

typedef struct go_ver {
    vg_slice major, minor, patch; /* minor and patch "0" for the shorthands */
    vg_slice pre;                 /* the prerelease without its '-'; len 0 when none */
} go_ver;

/* parseInt(): a digit run without extra leading zeros. */
static parse_error go_int(vg_slice *out, const char *base, const char **pp, const char *what)
{
    const char *p = *pp;
    if (!is_digit(*p))
        return fail(base, p, what);
    const char *start = p;
    while (is_digit(*p))
        p++;
    if (*start == '0' && p - start > 1)
        return fail(base, start, "leading zero in a version number");
    *out = (vg_slice){start, (size_t)(p - start)};
    *pp = p;
    return ok();
}

/* parse(): vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]], the shorthands without suffixes. */
static parse_error go_parse(go_ver *out, const char *v)
{
    memset(out, 0, sizeof(*out));
    if (*v != 'v')
        return fail(v, v, "expected the 'v' prefix");
    const char *p = v + 1, *end = v + strlen(v);
    parse_error e = go_int(&out->major, v, &p, "expected a major version number");
    if (e.why)
        return e;
    out->minor = out->patch = VG_SLICE_LIT("0");
    if (p == end)
        return ok();
    if (*p == '-' || *p == '+')
        return fail(v, p, "prerelease or build after the vMAJOR shorthand");
    if (*p != '.')
        return fail(v, p, "expected '.' after the major version");
    p++;
    if ((e = go_int(&out->minor, v, &p, "expected a minor version number")).why)
        return e;
    if (p == end)
        return ok();
    if (*p == '-' || *p == '+')
        return fail(v, p, "prerelease or build after the vMAJOR.MINOR shorthand");
    if (*p != '.')
        return fail(v, p, "expected '.' after the minor version");
    p++;
    if ((e = go_int(&out->patch, v, &p, "expected a patch version number")).why)
        return e;
    if (*p == '-') {
        const char *start = ++p;
        if ((e = ident_list(v, &p, end, true)).why)
            return e;
        if (p != end && *p != '+')
            return fail(v, p, "invalid character in prerelease");
        out->pre = (vg_slice){start, (size_t)(p - start)};
    }
    if (*p == '+') {
        p++;
        if ((e = ident_list(v, &p, end, false)).why)
            return e;
        if (p != end)
            return fail(v, p, "invalid character in build metadata");
    }
    if (p != end)
        return fail(v, p, "unexpected character");
    return ok();
}

static int go_check(const char *v)
{
    go_ver ver;
    parse_error e = go_parse(&ver, v);
    return e.why ? vg__version_invalid("go", v, e.off, e.why) : 0;
}

/* Compare(): compareInt() on the three numbers, then comparePrerelease(). */
static int go_cmp(const char *a, const char *b)
{
    go_ver x, y;
    (void)go_parse(&x, a); /* both passed go_check() */
    (void)go_parse(&y, b);
    int c = cmp_num(x.major, y.major);
    if (!c)
        c = cmp_num(x.minor, y.minor);
    if (!c)
        c = cmp_num(x.patch, y.patch);
    if (c)
        return c;
    if (slice_eq(x.pre, y.pre))
        return 0;
    if (!x.pre.len || !y.pre.len)
        return x.pre.len ? -1 : 1;
    vg_slice rx = x.pre, ry = y.pre;
    while (rx.len && ry.len) {
        vg_slice dx = next_ident(&rx), dy = next_ident(&ry);
        if (slice_eq(dx, dy))
            continue;
        bool nx = all_digits(dx), ny = all_digits(dy);
        if (nx != ny)
            return nx ? -1 : 1;
        return nx ? cmp_num(dx, dy) : cmp_bytes(dx, dy);
    }
    return rx.len ? 1 : -1;
}

const vg_scheme_ops vg__version_go = {"go", go_check, go_cmp};
