/* dpkg.c — Debian version ordering, a port of dpkg's parseversion() and verrevcmp()
 * (lib/dpkg/parsehelp.c, version.c in dpkg 1.21): [epoch:]upstream[-revision], '~' sorting
 * before everything, letters before non-letters. Errors and warnings of parseversion are
 * kept apart: `dpkg --compare-versions` refuses the first and compares the second. */
#include "version_int.h"

#include <limits.h>
#include <string.h>

typedef struct dpkg_ver {
    unsigned long epoch;
    const char *ver; /* upstream version, [ver, ver_end) */
    size_t ver_len;
    const char *rev; /* revision, [rev, rev_end), empty if none */
    size_t rev_len;
} dpkg_ver;

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* parseversion(): returns 0 or an error; only *hard* errors, as dpkg --compare-versions
 * aborts on them and merely warns about bad characters. An empty string is the blank
 * version (dpkg treats "" and "<unknown>" so on its command line). */
static int parse(dpkg_ver *out, const char *s)
{
    const char *orig = s;
    memset(out, 0, sizeof(*out));
    out->ver = out->rev = "";
    if (*s == '\0' || strcmp(s, "<unknown>") == 0)
        return 0;
    while (*s && is_blank(*s))
        s++;
    if (*s == '\0')
        return vg__version_invalid("dpkg", orig, (size_t)(s - orig), "version string is empty");
    const char *end = s;
    while (*end && !is_blank(*end))
        end++;
    const char *p = end;
    while (*p && is_blank(*p))
        p++;
    if (*p)
        return vg__version_invalid("dpkg", orig, (size_t)(end - orig),
                                   "version string has embedded spaces");
    const char *colon = memchr(s, ':', (size_t)(end - s));
    if (colon) {
        /* strtol(): optional sign, then digits; the number must end exactly at the colon. */
        const char *q = s;
        int neg = 0;
        if (*q == '+' || *q == '-')
            neg = *q++ == '-';
        const char *digits = q;
        unsigned long epoch = 0;
        int big = 0;
        while (is_digit(*q)) {
            epoch = epoch * 10 + (unsigned long)(*q - '0');
            if (epoch > (unsigned long)INT_MAX + 1)
                big = 1, epoch = (unsigned long)INT_MAX + 1;
            q++;
        }
        if (q == digits)
            return vg__version_invalid("dpkg", orig, (size_t)(s - orig),
                                       "epoch in version is empty");
        if (q != colon)
            return vg__version_invalid("dpkg", orig, (size_t)(q - orig),
                                       "epoch in version is not number");
        if (neg && epoch != 0)
            return vg__version_invalid("dpkg", orig, (size_t)(s - orig),
                                       "epoch in version is negative");
        if (big || epoch > INT_MAX)
            return vg__version_invalid("dpkg", orig, (size_t)(s - orig),
                                       "epoch in version is too big");
        if (colon + 1 == end)
            return vg__version_invalid("dpkg", orig, (size_t)(colon + 1 - orig),
                                       "nothing after colon in version number");
        out->epoch = epoch;
        s = colon + 1;
    }
    const char *hyphen = NULL;
    for (const char *h = s; h < end; h++)
        if (*h == '-')
            hyphen = h;
    out->ver = s;
    out->ver_len = (size_t)((hyphen ? hyphen : end) - s);
    if (hyphen) {
        if (hyphen + 1 == end)
            return vg__version_invalid("dpkg", orig, (size_t)(end - orig),
                                       "revision number is empty");
        out->rev = hyphen + 1;
        out->rev_len = (size_t)(end - hyphen - 1);
    }
    if (out->ver_len == 0)
        return vg__version_invalid("dpkg", orig, (size_t)(s - orig), "version number is empty");
    /* The remaining checks of parseversion() are warnings: dpkg compares anyway. */
    return 0;
}

static int check(const char *v)
{
    dpkg_ver d;
    return parse(&d, v);
}

/* order() of verrevcmp: digits 0, letters their ASCII value, '~' -1, the end 0, anything
 * else its value + 256. Characters are read as signed char, as dpkg does on amd64. */
static int order(int c)
{
    if (is_digit(c))
        return 0;
    if (is_alpha(c))
        return c;
    if (c == '~')
        return -1;
    if (c)
        return c + 256;
    return 0;
}

static int at(const char *s, size_t n, size_t i)
{
    return i < n ? (signed char)s[i] : 0;
}

static int verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    while (i < an || j < bn) {
        int first_diff = 0;
        while ((i < an && !is_digit(a[i])) || (j < bn && !is_digit(b[j]))) {
            int ac = order(at(a, an, i));
            int bc = order(at(b, bn, j));
            if (ac != bc)
                return ac - bc;
            /* dpkg advances both pointers even past the end of the shorter string; it is
             * safe there only because the NUL orders as 0 and digits stop the loop. */
            i++;
            j++;
        }
        while (i < an && a[i] == '0')
            i++;
        while (j < bn && b[j] == '0')
            j++;
        while (i < an && j < bn && is_digit(a[i]) && is_digit(b[j])) {
            if (!first_diff)
                first_diff = a[i] - b[j];
            i++;
            j++;
        }
        if (i < an && is_digit(a[i]))
            return 1;
        if (j < bn && is_digit(b[j]))
            return -1;
        if (first_diff)
            return first_diff;
    }
    return 0;
}

static int cmp(const char *a, const char *b)
{
    dpkg_ver va, vb;
    parse(&va, a);
    parse(&vb, b);
    if (va.epoch != vb.epoch)
        return va.epoch > vb.epoch ? 1 : -1;
    int rc = verrevcmp(va.ver, va.ver_len, vb.ver, vb.ver_len);
    if (rc)
        return rc;
    return verrevcmp(va.rev, va.rev_len, vb.rev, vb.rev_len);
}

const vg_scheme_ops vg__version_dpkg = {"dpkg", check, cmp};
