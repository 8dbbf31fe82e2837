/* pep440.c — Python version ordering, a port of packaging.version.Version (packaging 23.0 as
 * in Debian 12): its VERSION_PATTERN regex, matched case-insensitively with Unicode rules and
 * trimmed of Unicode whitespace, and the order of its _cmpkey(). Numbers are unbounded. */
#include "version_int.h"

#include <stdio.h>
#include <string.h>

typedef struct span {
    const char *p;
    size_t n;
} span;

/* Pre-release labels in the order of their normalized strings: "a" < "b" < "previ\u0307ew"
 * < "prev\u0131ew" < "rc". Spelling "preview" with U+0130 or U+0131 (which the regex lets
 * match 'i') keeps that odd string as the label, since it is not in the alias list. */
enum pre_label { PRE_A, PRE_B, PRE_PREVIEW_DOTTED, PRE_PREVIEW_DOTLESS, PRE_RC };

/* Post labels: "post", and "po\u017ft" (long s matching 's') that likewise stays unaliased. */
enum post_label { POST_POST, POST_LONG_S };

typedef struct pep_ver {
    span epoch;   /* digits, empty for no epoch (0) */
    span release; /* N(.N)* */
    int has_pre, pre_label;
    span pre_n; /* empty for the implicit 0 */
    int has_post, post_label;
    span post_n;
    int has_dev;
    span dev_n;
    int has_local;
    span local; /* the label after '+' */
} pep_ver;

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_sep(int c)
{
    return c == '-' || c == '_' || c == '.';
}

/* Length of the whitespace character at `p` (Python's str.isspace(), UTF-8), or 0. */
static size_t space_len(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    if ((u[0] >= 0x09 && u[0] <= 0x0d) || (u[0] >= 0x1c && u[0] <= 0x20))
        return 1;
    if (u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
        return 2; /* U+0085, U+00A0 */
    if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
        return 3; /* U+1680 */
    if (u[0] == 0xe2 && u[1] == 0x80 &&
        ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
        return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
    if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
        return 3; /* U+205F */
    if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
        return 3; /* U+3000 */
    return 0;
}

/* The non-ASCII letters that re.IGNORECASE lets match an ASCII letter of the pattern. */
enum { SPECIAL_NONE, SPECIAL_I_DOT, SPECIAL_I_DOTLESS, SPECIAL_LONG_S, SPECIAL_KELVIN };

static int special_at(const char *p, size_t *len)
{
    const unsigned char *u = (const unsigned char *)p;
    *len = 2;
    if (u[0] == 0xc4 && u[1] == 0xb0)
        return SPECIAL_I_DOT; /* U+0130, lowercases to "i\u0307" */
    if (u[0] == 0xc4 && u[1] == 0xb1)
        return SPECIAL_I_DOTLESS; /* U+0131 */
    if (u[0] == 0xc5 && u[1] == 0xbf)
        return SPECIAL_LONG_S; /* U+017F */
    *len = 3;
    if (u[0] == 0xe2 && u[1] == 0x84 && u[2] == 0xaa)
        return SPECIAL_KELVIN; /* U+212A, lowercases to 'k' */
    *len = 0;
    return SPECIAL_NONE;
}

/* Matches the letter `want` (lower-case ASCII) at `p` case-insensitively. Returns its byte
 * length or 0; `*special` records a non-ASCII match. */
static size_t match_letter(const char *p, char want, int *special)
{
    if (*p == want || (*p >= 'A' && *p <= 'Z' && *p + ('a' - 'A') == want))
        return 1;
    size_t len;
    int s = special_at(p, &len);
    if ((s == SPECIAL_I_DOT || s == SPECIAL_I_DOTLESS) && want == 'i') {
        *special = s;
        return len;
    }
    if ((s == SPECIAL_LONG_S && want == 's') || (s == SPECIAL_KELVIN && want == 'k')) {
        *special = s;
        return len;
    }
    return 0;
}

/* Matches `word` at `p`. Returns its byte length or 0; `*special` as for match_letter(). */
static size_t match_word(const char *p, const char *word, int *special)
{
    size_t off = 0;
    *special = SPECIAL_NONE;
    for (; *word; word++) {
        size_t len = match_letter(p + off, *word, special);
        if (!len)
            return 0;
        off += len;
    }
    return off;
}

/* A character of a local label ([a-z0-9] under re.IGNORECASE): its byte length or 0. */
static size_t local_char_len(const char *p)
{
    if (is_digit(*p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
        return 1;
    size_t len;
    special_at(p, &len);
    return len;
}

static const char *digits_end(const char *p)
{
    while (is_digit(*p))
        p++;
    return p;
}

/* An optional separator, then an optional number: the tail shared by the pre, post and dev
 * segments. Greedy, as the regex takes it: a separator is consumed even with no number. */
static const char *parse_number_tail(span *out, const char *p)
{
    if (is_sep(*p))
        p++;
    const char *e = digits_end(p);
    *out = (span){p, (size_t)(e - p)};
    return e;
}

static const char *parse_pre(pep_ver *out, const char *p)
{
    /* Longest spelling first: after a shorter one the regex could not go on anyway. */
    static const struct {
        const char *word;
        int label;
    } words[] = {
        {"preview", PRE_RC}, {"alpha", PRE_A}, {"beta", PRE_B}, {"pre", PRE_RC},
        {"rc", PRE_RC},      {"a", PRE_A},     {"b", PRE_B},    {"c", PRE_RC},
    };
    const char *t = is_sep(*p) ? p + 1 : p;
    for (size_t i = 0; i < VG_ARRAY_LEN(words); i++) {
        int special;
        size_t len = match_word(t, words[i].word, &special);
        if (!len)
            continue;
        out->has_pre = 1;
        out->pre_label = words[i].label;
        if (special == SPECIAL_I_DOT)
            out->pre_label = PRE_PREVIEW_DOTTED;
        else if (special == SPECIAL_I_DOTLESS)
            out->pre_label = PRE_PREVIEW_DOTLESS;
        return parse_number_tail(&out->pre_n, t + len);
    }
    return p;
}

static const char *parse_post(pep_ver *out, const char *p)
{
    if (*p == '-' && is_digit(p[1])) {
        out->has_post = 1;
        out->post_label = POST_POST;
        const char *e = digits_end(p + 1);
        out->post_n = (span){p + 1, (size_t)(e - p - 1)};
        return e;
    }
    static const char *const words[] = {"post", "rev", "r"};
    const char *t = is_sep(*p) ? p + 1 : p;
    for (size_t i = 0; i < VG_ARRAY_LEN(words); i++) {
        int special;
        size_t len = match_word(t, words[i], &special);
        if (!len)
            continue;
        out->has_post = 1;
        out->post_label = special == SPECIAL_LONG_S ? POST_LONG_S : POST_POST;
        return parse_number_tail(&out->post_n, t + len);
    }
    return p;
}

static const char *parse_dev(pep_ver *out, const char *p)
{
    const char *t = is_sep(*p) ? p + 1 : p;
    int special;
    size_t len = match_word(t, "dev", &special);
    if (!len)
        return p;
    out->has_dev = 1;
    return parse_number_tail(&out->dev_n, t + len);
}

/* Where and why a version failed to match. */
typedef struct parse_err {
    size_t off;
    char why[96];
} parse_err;

/* Fails with "<what> '<c>'" (or the byte's hex value, or "the end") at `p`. */
static int fail(parse_err *err, const char *s, const char *p, const char *what)
{
    unsigned char c = (unsigned char)*p;
    err->off = (size_t)(p - s);
    if (c == '\0')
        snprintf(err->why, sizeof(err->why), "%s the end", what);
    else if (c > 0x20 && c < 0x7f)
        snprintf(err->why, sizeof(err->why), "%s '%c'", what, c);
    else
        snprintf(err->why, sizeof(err->why), "%s byte 0x%02x", what, c);
    return -1;
}

/* Matches ^\s*VERSION_PATTERN\s*$ and splits the version into its parts. On a mismatch
 * returns -1 with the byte offset and the reason. */
static int parse(pep_ver *out, const char *s, parse_err *err)
{
    memset(out, 0, sizeof(*out));
    const char *p = s;
    size_t k;
    while ((k = space_len(p)) != 0)
        p += k;
    if (*p == 'v' || *p == 'V')
        p++;
    const char *e = digits_end(p);
    if (e > p && *e == '!') {
        out->epoch = (span){p, (size_t)(e - p)};
        p = e + 1;
    }
    if (!is_digit(*p))
        return fail(err, s, p, "expected a release number, found");
    const char *rel = p;
    p = digits_end(p);
    while (*p == '.' && is_digit(p[1]))
        p = digits_end(p + 1);
    out->release = (span){rel, (size_t)(p - rel)};
    p = parse_pre(out, p);
    p = parse_post(out, p);
    p = parse_dev(out, p);
    if (*p == '+') {
        const char *label = ++p;
        for (;;) {
            const char *seg = p;
            while ((k = local_char_len(p)) != 0)
                p += k;
            if (p == seg)
                return fail(err, s, p, "expected a letter or digit of the local label, found");
            if (!is_sep(*p))
                break;
            p++;
        }
        out->has_local = 1;
        out->local = (span){label, (size_t)(p - label)};
    }
    while ((k = space_len(p)) != 0)
        p += k;
    if (*p)
        return fail(err, s, p, "unexpected");
    return 0;
}

static int check(const char *v)
{
    pep_ver pv;
    parse_err err;
    if (parse(&pv, v, &err) != 0)
        return vg__version_invalid("pep440", v, err.off, err.why);
    return 0;
}

/* Compares two decimal runs as unbounded integers; an empty run is 0. */
static int num_cmp(span a, span b)
{
    while (a.n && *a.p == '0')
        a.p++, a.n--;
    while (b.n && *b.p == '0')
        b.p++, b.n--;
    if (a.n != b.n)
        return a.n < b.n ? -1 : 1;
    int r = a.n ? memcmp(a.p, b.p, a.n) : 0;
    return (r > 0) - (r < 0);
}

static int int_cmp(int a, int b)
{
    return (a > b) - (a < b);
}

/* Splits the next piece off `*s` at any byte of `seps`; an exhausted span yields empty. */
static span next_piece(span *s, const char *seps)
{
    size_t i = 0;
    while (i < s->n && !strchr(seps, s->p[i]))
        i++;
    span head = {s->p, i};
    s->p += i < s->n ? i + 1 : i;
    s->n -= i < s->n ? i + 1 : i;
    return head;
}

/* Release tuples with trailing zeros dropped compare like tuples padded with zeros. */
static int release_cmp(span a, span b)
{
    while (a.n || b.n) {
        int r = num_cmp(next_piece(&a, "."), next_piece(&b, "."));
        if (r)
            return r;
    }
    return 0;
}

/* Code points of a local segment after str.lower(), one at a time. */
typedef struct cp_iter {
    span s;
    unsigned pending; /* second code point of U+0130's lower case, or 0 */
} cp_iter;

static unsigned cp_next(cp_iter *it)
{
    if (it->pending) {
        unsigned c = it->pending;
        it->pending = 0;
        return c;
    }
    if (!it->s.n)
        return 0;
    size_t len;
    int sp = special_at(it->s.p, &len);
    if (sp == SPECIAL_NONE) {
        unsigned c = (unsigned char)*it->s.p;
        len = 1;
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        it->s.p += len, it->s.n -= len;
        return c;
    }
    it->s.p += len, it->s.n -= len;
    switch (sp) {
    case SPECIAL_I_DOT:
        it->pending = 0x307;
        return 'i';
    case SPECIAL_I_DOTLESS:
        return 0x131;
    case SPECIAL_LONG_S:
        return 0x17f;
    default:
        return 'k';
    }
}

static int all_digits(span s)
{
    for (size_t i = 0; i < s.n; i++)
        if (!is_digit(s.p[i]))
            return 0;
    return 1;
}

/* Local segments: numbers compare numerically and above words; words compare as lower-cased
 * code point strings. */
static int local_seg_cmp(span a, span b)
{
    int an = all_digits(a), bn = all_digits(b);
    if (an || bn)
        return an && bn ? num_cmp(a, b) : an - bn;
    cp_iter x = {a, 0}, y = {b, 0};
    for (;;) {
        unsigned cx = cp_next(&x), cy = cp_next(&y);
        if (cx != cy)
            return cx < cy ? -1 : 1; /* the end (0) sorts first */
        if (!cx)
            return 0;
    }
}

static int local_cmp(span a, span b)
{
    while (a.n && b.n) {
        int r = local_seg_cmp(next_piece(&a, "-_."), next_piece(&b, "-_."));
        if (r)
            return r;
    }
    return (a.n > 0) - (b.n > 0); /* the shorter tuple sorts first */
}

/* _cmpkey's pre slot: -Infinity for a bare dev release, the label, or +Infinity. */
static int pre_class(const pep_ver *v)
{
    if (v->has_pre)
        return 1;
    return !v->has_post && v->has_dev ? 0 : 2;
}

static int cmp(const char *sa, const char *sb)
{
    pep_ver a, b;
    parse_err err;
    parse(&a, sa, &err);
    parse(&b, sb, &err);
    int r = num_cmp(a.epoch, b.epoch);
    if (!r)
        r = release_cmp(a.release, b.release);
    if (!r)
        r = int_cmp(pre_class(&a), pre_class(&b));
    if (!r && a.has_pre)
        r = int_cmp(a.pre_label, b.pre_label);
    if (!r && a.has_pre)
        r = num_cmp(a.pre_n, b.pre_n);
    if (!r)
        r = int_cmp(a.has_post, b.has_post);
    if (!r && a.has_post)
        r = int_cmp(a.post_label, b.post_label);
    if (!r && a.has_post)
        r = num_cmp(a.post_n, b.post_n);
    if (!r)
        r = int_cmp(!a.has_dev, !b.has_dev);
    if (!r && a.has_dev)
        r = num_cmp(a.dev_n, b.dev_n);
    if (!r)
        r = int_cmp(a.has_local, b.has_local);
    if (!r && a.has_local)
        r = local_cmp(a.local, b.local);
    return r;
}

const vg_scheme_ops vg__version_pep440 = {"pep440", check, cmp};
