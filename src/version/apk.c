/* apk.c — Alpine version ordering, following apk-tools 3's apk_version_compare(): the token
 * grammar digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN}, with _alpha _beta _pre _rc
 * below a release and _cvs _svn _git _hg _p above it, and leading-zero digit runs compared
 * as strings. Like `apk version -t`, it orders every string, valid or not: an invalid
 * token simply ranks above every valid one at the point where it appears. */
#include "version_int.h"

#include <stdint.h>
#include <string.h>

enum token {
    TOKEN_INITIAL_DIGIT,
    TOKEN_DIGIT,
    TOKEN_LETTER,
    TOKEN_SUFFIX,
    TOKEN_SUFFIX_NO,
    TOKEN_COMMIT_HASH,
    TOKEN_REVISION_NO,
    TOKEN_END,
    TOKEN_INVALID,
};

/* Suffix ranks; NONE (a plain release) is the pivot between pre- and post-release. */
enum suffix {
    SUFFIX_INVALID,
    SUFFIX_ALPHA,
    SUFFIX_BETA,
    SUFFIX_PRE,
    SUFFIX_RC,
    SUFFIX_NONE,
    SUFFIX_CVS,
    SUFFIX_SVN,
    SUFFIX_GIT,
    SUFFIX_HG,
    SUFFIX_P,
};

typedef struct tok {
    enum token token;
    enum suffix suffix;
    uint64_t number;
    const char *val; /* the token's text */
    size_t val_len;
} tok;

typedef struct cursor {
    const char *p;
    size_t n;
} cursor;

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

static enum suffix suffix_value(const char *s, size_t n)
{
    static const struct {
        const char *name;
        enum suffix value;
    } names[] = {
        {"alpha", SUFFIX_ALPHA}, {"beta", SUFFIX_BETA}, {"pre", SUFFIX_PRE},
        {"rc", SUFFIX_RC},       {"cvs", SUFFIX_CVS},   {"svn", SUFFIX_SVN},
        {"git", SUFFIX_GIT},     {"hg", SUFFIX_HG},     {"p", SUFFIX_P},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(names); i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
            return names[i].value;
    return SUFFIX_INVALID;
}

/* Digits as an unsigned 64-bit number (wrapping, as apk_blob_pull_uint does). */
static void parse_digits(tok *t, cursor *c)
{
    const char *start = c->p;
    uint64_t v = 0;
    while (c->n && is_digit(*c->p)) {
        v = v * 10 + (uint64_t)(*c->p - '0');
        c->p++;
        c->n--;
    }
    t->number = v;
    t->val = start;
    t->val_len = (size_t)(c->p - start);
    if (t->val_len == 0)
        t->token = TOKEN_INVALID;
}

static void token_first(tok *t, cursor *c)
{
    t->token = TOKEN_INITIAL_DIGIT;
    parse_digits(t, c);
}

static void token_next(tok *t, cursor *c)
{
    if (c->n == 0) {
        t->token = TOKEN_END;
        return;
    }
    char ch = *c->p;
    if (is_lower(ch)) {
        if (t->token > TOKEN_DIGIT)
            goto invalid;
        t->val = c->p;
        t->val_len = 1;
        t->token = TOKEN_LETTER;
        c->p++;
        c->n--;
    } else if (ch == '.' || is_digit(ch)) {
        if (ch == '.') {
            if (t->token > TOKEN_DIGIT)
                goto invalid;
            c->p++;
            c->n--;
        }
        if (t->token == TOKEN_INITIAL_DIGIT || t->token == TOKEN_DIGIT)
            t->token = TOKEN_DIGIT;
        else if (t->token == TOKEN_SUFFIX)
            t->token = TOKEN_SUFFIX_NO;
        else
            goto invalid;
        parse_digits(t, c);
    } else if (ch == '_') {
        if (t->token > TOKEN_SUFFIX_NO)
            goto invalid;
        c->p++;
        c->n--;
        size_t k = 0;
        while (k < c->n && is_lower(c->p[k]))
            k++;
        t->val = c->p;
        t->val_len = k;
        c->p += k;
        c->n -= k;
        t->suffix = suffix_value(t->val, k);
        if (t->suffix == SUFFIX_INVALID)
            goto invalid;
        t->token = TOKEN_SUFFIX;
    } else if (ch == '~') {
        if (t->token >= TOKEN_COMMIT_HASH)
            goto invalid;
        c->p++;
        c->n--;
        size_t k = 0;
        while (k < c->n && is_hex(c->p[k]))
            k++;
        t->val = c->p;
        t->val_len = k;
        c->p += k;
        c->n -= k;
        if (k == 0)
            goto invalid;
        t->token = TOKEN_COMMIT_HASH;
    } else if (ch == '-') {
        if (t->token >= TOKEN_REVISION_NO)
            goto invalid;
        if (c->n < 2 || c->p[1] != 'r')
            goto invalid;
        c->p += 2;
        c->n -= 2;
        t->token = TOKEN_REVISION_NO;
        parse_digits(t, c);
    } else {
        goto invalid;
    }
    return;
invalid:
    t->token = TOKEN_INVALID;
}

static int blob_sort(const tok *a, const tok *b)
{
    size_t n = a->val_len < b->val_len ? a->val_len : b->val_len;
    int r = n ? memcmp(a->val, b->val, n) : 0;
    if (r)
        return r;
    return a->val_len < b->val_len ? -1 : a->val_len > b->val_len;
}

static int token_cmp(const tok *a, const tok *b)
{
    uint64_t x, y;
    switch (a->token) {
    case TOKEN_DIGIT:
        /* A leading zero on either side switches to string comparison (Gentoo rule). */
        if (a->val[0] == '0' || b->val[0] == '0')
            return blob_sort(a, b);
        /* fallthrough */
    case TOKEN_INITIAL_DIGIT:
    case TOKEN_SUFFIX_NO:
    case TOKEN_REVISION_NO:
        x = a->number;
        y = b->number;
        break;
    case TOKEN_LETTER:
        x = (unsigned char)a->val[0];
        y = (unsigned char)b->val[0];
        break;
    case TOKEN_SUFFIX:
        x = a->suffix;
        y = b->suffix;
        break;
    default:
        return blob_sort(a, b);
    }
    return x < y ? -1 : x > y;
}

static int cmp(const char *sa, const char *sb)
{
    cursor ca = {sa, strlen(sa)}, cb = {sb, strlen(sb)};
    tok ta = {0}, tb = {0};
    for (token_first(&ta, &ca), token_first(&tb, &cb); ta.token == tb.token && ta.token < TOKEN_END;
         token_next(&ta, &ca), token_next(&tb, &cb)) {
        int r = token_cmp(&ta, &tb);
        if (r)
            return r < 0 ? -1 : 1;
    }
    if (ta.token == tb.token)
        return 0;
    /* Equal so far: the longer version is newer unless it continues with a pre-release
     * suffix; an invalid or later-kind token ranks below an earlier kind. */
    if (ta.token == TOKEN_SUFFIX && ta.suffix < SUFFIX_NONE)
        return -1;
    if (tb.token == TOKEN_SUFFIX && tb.suffix < SUFFIX_NONE)
        return 1;
    if (ta.token > tb.token)
        return -1;
    if (tb.token > ta.token)
        return 1;
    return 0;
}

/* `apk version -t` compares any two strings; there is no input it refuses. */
static int check(const char *v)
{
    (void)v;
    return 0;
}

const vg_scheme_ops vg__version_apk = {"apk", check, cmp};
