/* rubygems.c — RubyGems version ordering, a port of Gem::Version (rubygems/version.rb of
 * Debian 12's Ruby 3.1 and rubygems 3.3): validity is Gem::Version.correct?, order is <=> over
 * canonical_segments: number and letter runs, '-' read as ".pre.", letter runs below numbers,
 * trailing zeros of the numeric prefix dropped. A blank version is "0". Numbers are unbounded. */
#include "version_int.h"

#include <stdio.h>
#include <string.h>

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
    return is_digit(c) || is_alpha(c);
}

/* Ruby's \s: space, \t, \n, \v, \f, \r. */
static int is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Fails with "<what> '<c>'" (or the byte's hex value, or "the end") at `p`. */
static int fail(const char *s, const char *p, const char *what)
{
    char why[96];
    unsigned char c = (unsigned char)*p;
    if (c == '\0')
        snprintf(why, sizeof(why), "%s the end", what);
    else if (c > 0x20 && c < 0x7f)
        snprintf(why, sizeof(why), "%s '%c'", what, c);
    else
        snprintf(why, sizeof(why), "%s byte 0x%02x", what, c);
    return vg__version_invalid("rubygems", s, (size_t)(p - s), why);
}

/* Gem::Version.correct?: /\A\s*([0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?
 * \s*\z/. The blank string matches (Gem::Version.new makes it "0"). */
static int check(const char *v)
{
    const char *p = v;
    while (is_space(*p))
        p++;
    if (*p == '\0')
        return 0;
    if (!is_digit(*p))
        return fail(v, p, "expected a digit, found");
    while (is_digit(*p))
        p++;
    while (*p == '.') {
        if (!is_alnum(*++p))
            return fail(v, p, "expected a letter or digit after '.', found");
        while (is_alnum(*p))
            p++;
    }
    if (*p == '-') {
        do {
            p++;
            if (!is_alnum(*p) && *p != '-')
                return fail(v, p, "expected a letter, digit or '-' in the prerelease part, found");
            while (is_alnum(*p) || *p == '-')
                p++;
        } while (*p == '.');
    }
    while (is_space(*p))
        p++;
    if (*p)
        return fail(v, p, "unexpected");
    return 0;
}

/* One segment of _segments: a digit run, a letter run, or the "pre" that '-' stands for. */
typedef struct seg {
    const char *p;
    size_t n;
    int is_num;
} seg;

/* Walks canonical_segments without building them: number and letter runs in order, with
 * the zeros that end the numeric prefix (the segments before the first letter run) dropped.
 * Zeros inside the prefix are held back and replayed once a non-zero number follows. */
typedef struct seg_iter {
    const char *p;
    int in_prefix;
    size_t zeros; /* held-back zero segments */
    int replay;   /* replaying `zeros` before `held` */
    seg held;
} seg_iter;

static int raw_next(seg *out, const char **pp)
{
    const char *p = *pp;
    while (*p && !is_alnum(*p) && *p != '-')
        p++;
    if (!*p)
        return 0;
    if (*p == '-') {
        *out = (seg){"pre", 3, 0};
        *pp = p + 1;
        return 1;
    }
    const char *start = p;
    int num = is_digit(*p);
    while (*p && (num ? is_digit(*p) : is_alpha(*p)))
        p++;
    *out = (seg){start, (size_t)(p - start), num};
    *pp = p;
    return 1;
}

static int is_zero(const seg *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i] != '0')
            return 0;
    return 1;
}

static const seg zero_seg = {"0", 1, 1};

static int iter_next(seg *out, seg_iter *it)
{
    if (it->replay) {
        if (it->zeros) {
            it->zeros--;
            *out = zero_seg;
            return 1;
        }
        it->replay = 0;
        *out = it->held;
        return 1;
    }
    seg s;
    while (raw_next(&s, &it->p)) {
        if (!it->in_prefix) {
            *out = s;
            return 1;
        }
        if (!s.is_num) {
            it->in_prefix = 0;
            it->zeros = 0;
            *out = s;
            return 1;
        }
        if (is_zero(&s)) {
            it->zeros++;
            continue;
        }
        if (it->zeros) {
            it->held = s;
            it->replay = 1;
            it->zeros--;
            *out = zero_seg;
            return 1;
        }
        *out = s;
        return 1;
    }
    return 0;
}

static int num_cmp(const seg *a, const seg *b)
{
    const char *x = a->p, *y = b->p;
    size_t xn = a->n, yn = b->n;
    while (xn && *x == '0')
        x++, xn--;
    while (yn && *y == '0')
        y++, yn--;
    if (xn != yn)
        return xn < yn ? -1 : 1;
    int r = xn ? memcmp(x, y, xn) : 0;
    return (r > 0) - (r < 0);
}

static int seg_cmp(const seg *a, const seg *b)
{
    if (a->is_num != b->is_num)
        return a->is_num ? 1 : -1; /* a letter run is a prerelease part: below any number */
    if (a->is_num)
        return num_cmp(a, b);
    size_t n = a->n < b->n ? a->n : b->n;
    int r = memcmp(a->p, b->p, n);
    if (r == 0 && a->n != b->n)
        r = a->n < b->n ? -1 : 1;
    return (r > 0) - (r < 0);
}

/* <=>: segment by segment, the shorter list padded with 0. */
static int cmp(const char *a, const char *b)
{
    seg_iter x = {a, 1, 0, 0, {0}}, y = {b, 1, 0, 0, {0}};
    for (;;) {
        seg sa, sb;
        int ha = iter_next(&sa, &x), hb = iter_next(&sb, &y);
        if (!ha && !hb)
            return 0;
        int r = seg_cmp(ha ? &sa : &zero_seg, hb ? &sb : &zero_seg);
        if (r)
            return r;
    }
}

const vg_scheme_ops vg__version_rubygems = {"rubygems", check, cmp};
