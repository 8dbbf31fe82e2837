/* rpm.c — RPM version ordering, a port of rpm 4.18's rpmvercmp() (rpmio/rpmvercmp.c) and of
 * rpmverParse()/rpmverCmp() (lib/rpmver.c), which `rpm.vercmp` and labelCompare use: EVR
 * strings "[epoch:]version[-release]", '~' below everything, '^' above the end but below
 * any other segment, numeric segments above alphabetic ones. A missing epoch equals "0:";
 * a version with a release (even an empty one) sorts above the same version without. rpm accepts
 * every non-empty string. */
#include "version_int.h"

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

typedef struct span {
    const char *p;
    size_t n;
} span;

/* rpmvercmp() on two spans, segment by segment. */
static int vercmp(span a, span b)
{
    if (a.n == b.n && memcmp(a.p, b.p, a.n) == 0)
        return 0;
    size_t i = 0, j = 0;
    while (i < a.n || j < b.n) {
        while (i < a.n && !is_alnum(a.p[i]) && a.p[i] != '~' && a.p[i] != '^')
            i++;
        while (j < b.n && !is_alnum(b.p[j]) && b.p[j] != '~' && b.p[j] != '^')
            j++;
        int ca = i < a.n ? a.p[i] : 0;
        int cb = j < b.n ? b.p[j] : 0;
        if (ca == '~' || cb == '~') {
            if (ca != '~')
                return 1;
            if (cb != '~')
                return -1;
            i++;
            j++;
            continue;
        }
        if (ca == '^' || cb == '^') {
            if (!ca)
                return -1;
            if (!cb)
                return 1;
            if (ca != '^')
                return 1;
            if (cb != '^')
                return -1;
            i++;
            j++;
            continue;
        }
        if (!(ca && cb))
            break;
        size_t si = i, sj = j;
        int isnum = is_digit(ca);
        if (isnum) {
            while (i < a.n && is_digit(a.p[i]))
                i++;
            while (j < b.n && is_digit(b.p[j]))
                j++;
        } else {
            while (i < a.n && is_alpha(a.p[i]))
                i++;
            while (j < b.n && is_alpha(b.p[j]))
                j++;
        }
        if (si == i)
            return -1; /* unreachable, as in rpm */
        if (sj == j)
            return isnum ? 1 : -1;
        if (isnum) {
            while (si < i && a.p[si] == '0')
                si++;
            while (sj < j && b.p[sj] == '0')
                sj++;
            if (i - si != j - sj)
                return i - si > j - sj ? 1 : -1;
        }
        size_t la = i - si, lb = j - sj;
        int rc = memcmp(a.p + si, b.p + sj, la < lb ? la : lb);
        if (rc == 0 && la != lb)
            rc = la < lb ? -1 : 1;
        if (rc)
            return rc < 0 ? -1 : 1;
    }
    if (i >= a.n && j >= b.n)
        return 0;
    return i >= a.n ? -1 : 1;
}

typedef struct evr {
    span e, v, r;
    int has_r;
} evr;

/* parseEVR(): leading digits then ':' make the epoch (empty digits mean "0"); the release
 * follows the last '-' after the epoch terminator. */
static void parse(evr *out, const char *s)
{
    size_t n = strlen(s);
    size_t k = 0;
    while (k < n && is_digit(s[k]))
        k++;
    const char *dash = NULL;
    for (size_t t = k; t < n; t++)
        if (s[t] == '-')
            dash = s + t;
    size_t vstart = 0;
    if (k < n && s[k] == ':') {
        out->e = k ? (span){s, k} : (span){"0", 1};
        vstart = k + 1;
    } else {
        out->e = (span){"0", 1};
    }
    size_t vend = dash ? (size_t)(dash - s) : n;
    out->v = (span){s + vstart, vend - vstart};
    out->has_r = dash != NULL;
    out->r = dash ? (span){dash + 1, n - vend - 1} : (span){"", 0};
}

/* rpmverParse() refuses only the empty string; every other string is a version. */
static int check(const char *v)
{
    if (*v == '\0')
        return vg__version_invalid("rpm", v, 0, "empty version");
    return 0;
}

static int cmp(const char *a, const char *b)
{
    evr x, y;
    parse(&x, a);
    parse(&y, b);
    int rc = vercmp(x.e, y.e);
    if (rc)
        return rc;
    rc = vercmp(x.v, y.v);
    if (rc)
        return rc;
    if (x.has_r && y.has_r)
        return vercmp(x.r, y.r);
    return x.has_r - y.has_r;
}

const vg_scheme_ops vg__version_rpm = {"rpm", check, cmp};
