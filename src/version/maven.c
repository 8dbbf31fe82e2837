/* maven.c — Maven version ordering, a port of ComparableVersion from maven-artifact 3.8.7
 * (org.apache.maven.artifact.versioning): '.' and '-' separators, digit/letter transitions
 * opening sublists, well-known qualifiers, and ListItem's normalize() and compareTo().
 * Maven orders every string, so check() refuses nothing. Only ASCII is matched exactly: other
 * bytes count as letters, are not case-folded and compare bytewise (see "Non-ASCII" below). */
#include "version_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The model. parseVersion() builds nested ListItems, but every new list is appended to the
 * current one and becomes the current one, so a version is a *chain*: each list holds some
 * plain items followed by at most one sublist, always last. We therefore store the plain items
 * in string order, each tagged with its nesting level, and never build the lists themselves.
 * normalize() strips null items (0, "", "ga", "final", "release") from the end of every list;
 * a list left with no item and no sublist is dropped. Comparison walks both chains level by
 * level with no recursion, so nesting depth needs no cap.
 *
 * Numbers: parseItem() strips leading zeros and makes an IntItem (up to 9 digits), a LongItem
 * (up to 18) or a BigIntegerItem. Two numbers of different kinds compare by kind alone
 * (int < long < big), numbers of one kind by value. stripLeadingZeroes() leaves an all-zero
 * run untouched, so "0000000000" is a LongItem 0 and sorts above IntItem 5; we keep that quirk.
 *
 * Non-ASCII: Java lowercases with Locale.ENGLISH and Character.isDigit() knows every Unicode
 * digit; here only ASCII letters are folded and only '0'-'9' are digits. Other bytes are
 * letters compared as unsigned bytes, which is Java's order for UTF-8 text without non-ASCII
 * digits, non-ASCII capitals and characters outside the Basic Multilingual Plane.
 */

/* Versions up to this many items are compared without allocating; an item takes a byte at
 * least, so this covers every version under 256 bytes. */
#define MAVEN_STACK_ITEMS 256

enum kind {
    KIND_NUMBER,
    KIND_STRING,
};

/* Number kinds, in ComparableVersion's order between kinds. */
enum number_kind {
    NUMBER_INT,
    NUMBER_LONG,
    NUMBER_BIG,
};

/* Qualifier ranks: the index in QUALIFIERS, then every unknown qualifier. */
enum rank {
    RANK_ALPHA,
    RANK_BETA,
    RANK_MILESTONE,
    RANK_RC,
    RANK_SNAPSHOT,
    RANK_RELEASE, /* "", the pivot: below it a version is older than without the qualifier */
    RANK_SP,
    RANK_UNKNOWN,
};

typedef struct item {
    uint32_t level; /* nesting depth of the list holding it, 0 for the top list */
    uint32_t off;   /* a number's digits without leading zeros, or the qualifier's text */
    uint32_t len;   /* 0 for a zero number */
    uint8_t kind;   /* enum kind */
    uint8_t sub;    /* enum number_kind or enum rank */
    uint8_t keep;   /* survives normalize() */
} item;

typedef struct version {
    const char *s;
    item *items;
    size_t n;
    uint32_t depth; /* lists in the chain after normalize(); 0 when the top list is empty */
} version;

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Whether s[0..n) lowercases to the NUL-terminated `word`. */
static int lower_eq(const char *s, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n && word[i]; i++)
        if (lower((unsigned char)s[i]) != word[i])
            return 0;
    return i == n && word[i] == '\0';
}

/* StringItem's constructor: a/b/m before a digit expand to alpha/beta/milestone, then the
 * ALIASES ga, final, release -> "" and cr -> rc, then the index in QUALIFIERS. */
static enum rank qualifier_rank(const char *s, size_t n, int followed_by_digit)
{
    static const struct {
        const char *name;
        enum rank rank;
    } names[] = {
        {"alpha", RANK_ALPHA}, {"beta", RANK_BETA},     {"milestone", RANK_MILESTONE},
        {"rc", RANK_RC},       {"cr", RANK_RC},         {"snapshot", RANK_SNAPSHOT},
        {"ga", RANK_RELEASE},  {"final", RANK_RELEASE}, {"release", RANK_RELEASE},
        {"sp", RANK_SP},
    };
    if (followed_by_digit && n == 1) {
        switch (lower((unsigned char)s[0])) {
        case 'a':
            return RANK_ALPHA;
        case 'b':
            return RANK_BETA;
        case 'm':
            return RANK_MILESTONE;
        default:
            break;
        }
    }
    for (size_t i = 0; i < VG_ARRAY_LEN(names); i++)
        if (lower_eq(s, n, names[i].name))
            return names[i].rank;
    return RANK_UNKNOWN;
}

typedef struct parser {
    version *v;
    uint32_t level;
    int list_empty; /* the current list has no item yet (ListItem.isEmpty() while parsing) */
} parser;

static void add_item(parser *p, size_t start, size_t end, int digits, int followed_by_digit)
{
    item *it = &p->v->items[p->v->n++];
    it->level = p->level;
    if (digits) {
        size_t z = start;
        while (z < end && p->v->s[z] == '0')
            z++;
        /* The kind follows the stripped length, or the raw one for an all-zero run. */
        size_t kind_len = z == end ? end - start : end - z;
        it->kind = KIND_NUMBER;
        it->sub = kind_len <= 9 ? NUMBER_INT : kind_len <= 18 ? NUMBER_LONG : NUMBER_BIG;
        start = z;
    } else {
        it->kind = KIND_STRING;
        it->sub = (uint8_t)qualifier_rank(p->v->s + start, end - start, followed_by_digit);
    }
    it->off = (uint32_t)start;
    it->len = (uint32_t)(end - start);
    p->list_empty = 0;
}

/* IntItem.ZERO, added for an empty part ("1..2", "1--2", a leading separator). */
static void add_zero(parser *p, size_t at)
{
    add_item(p, at, at, 1, 0);
}

static void new_list(parser *p)
{
    p->level++;
    p->list_empty = 1;
}

/* parseVersion(), step by step; case is folded later, where qualifiers are read. */
static void parse(version *v)
{
    parser p = {v, 0, 1};
    const char *s = v->s;
    size_t start = 0, i = 0;
    int digit = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (c == '.' || c == '-') {
            if (i == start)
                add_zero(&p, i);
            else
                add_item(&p, start, i, digit, 0);
            start = i + 1;
            if (c == '-')
                new_list(&p);
        } else if (is_digit(c)) {
            if (!digit && i > start) {
                /* 1.0.0.X1 < 1.0.0-X2: a qualifier before a digit opens a list of its own. */
                if (!p.list_empty)
                    new_list(&p);
                add_item(&p, start, i, 0, 1);
                start = i;
                new_list(&p);
            }
            digit = 1;
        } else {
            if (digit && i > start) {
                add_item(&p, start, i, 1, 0);
                start = i;
                new_list(&p);
            }
            digit = 0;
        }
    }
    if (i > start) {
        if (!digit && !p.list_empty)
            new_list(&p);
        add_item(&p, start, i, digit, 0);
    }
}

/* Item.isNull(): zero numbers of any kind and the qualifiers equal to "". */
static int is_null(const item *it)
{
    return it->kind == KIND_NUMBER ? it->len == 0 : it->sub == RANK_RELEASE;
}

/* ListItem.normalize() on every list of the chain: an item survives if it is non-null or a
 * non-null item follows it in its list. Lists below the last non-null item end up empty and
 * are dropped; `depth` counts the others, each of which holds its sublist. */
static void normalize(version *v)
{
    size_t n = v->n, kept = 0;
    int seen = 0;
    uint32_t level = UINT32_MAX;
    v->depth = 0;
    for (size_t i = n; i-- > 0;) {
        item *it = &v->items[i];
        if (it->level != level) {
            level = it->level;
            seen = 0;
        }
        if (!is_null(it)) {
            if (v->depth == 0)
                v->depth = it->level + 1;
            seen = 1;
        }
        it->keep = (uint8_t)seen;
    }
    for (size_t i = 0; i < n; i++)
        if (v->items[i].keep)
            v->items[kept++] = v->items[i];
    v->n = kept;
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

/* Item.compareTo(null): how an item compares with the end of the shorter list. */
static int item_vs_null(const item *it)
{
    if (it->kind == KIND_NUMBER)
        return it->len != 0;
    return it->sub < RANK_RELEASE ? -1 : it->sub > RANK_RELEASE;
}

/* Java's String.compareTo on the lowercased texts. */
static int text_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    for (size_t i = 0; i < n; i++) {
        int ca = lower((unsigned char)a[i]), cb = lower((unsigned char)b[i]);
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return an < bn ? -1 : an > bn;
}

/* Item.compareTo(Item) for two plain items. */
static int item_cmp(const version *va, const item *a, const version *vb, const item *b)
{
    if (a->kind != b->kind)
        return a->kind == KIND_NUMBER ? 1 : -1; /* a number is above a qualifier */
    if (a->sub != b->sub)
        return a->sub < b->sub ? -1 : 1;
    if (a->kind == KIND_NUMBER) {
        if (a->len != b->len)
            return a->len < b->len ? -1 : 1;
        return sign(memcmp(va->s + a->off, vb->s + b->off, a->len));
    }
    if (a->sub != RANK_UNKNOWN)
        return 0;
    return text_cmp(va->s + a->off, a->len, vb->s + b->off, b->len);
}

enum elem {
    ELEM_ITEM,
    ELEM_LIST,
    ELEM_NONE,
};

/* What list `level` of `v` holds at the cursor: a plain item, its sublist, or nothing. */
static enum elem elem_at(const version *v, size_t i, uint32_t level)
{
    if (i < v->n && v->items[i].level == level)
        return ELEM_ITEM;
    return level + 1 < v->depth ? ELEM_LIST : ELEM_NONE;
}

/* ListItem.compareTo(ListItem), unrolled: a sublist is always the last element of its list,
 * so comparing two sublists (or a sublist with the end of the other list, which walks the
 * sublist's items against null) is the rest of the comparison, one level down. */
static int list_cmp(const version *a, const version *b)
{
    size_t i = 0, j = 0;
    uint32_t level = 0;
    for (;;) {
        enum elem ea = elem_at(a, i, level), eb = elem_at(b, j, level);
        int r = 0;
        if (ea == ELEM_NONE && eb == ELEM_NONE)
            return 0;
        if (ea == ELEM_ITEM && eb == ELEM_ITEM) {
            r = item_cmp(a, &a->items[i++], b, &b->items[j++]);
        } else if (ea == ELEM_ITEM && eb == ELEM_NONE) {
            r = item_vs_null(&a->items[i++]);
        } else if (ea == ELEM_NONE && eb == ELEM_ITEM) {
            r = -item_vs_null(&b->items[j++]);
        } else if (ea == ELEM_ITEM) {
            /* a number is above a sublist (1.1 > 1-1), a qualifier below it */
            r = a->items[i].kind == KIND_NUMBER ? 1 : -1;
        } else if (eb == ELEM_ITEM) {
            r = b->items[j].kind == KIND_NUMBER ? -1 : 1;
        } else {
            level++; /* two sublists, or a sublist against the end of the other list */
        }
        if (r)
            return r;
    }
}

static void version_init(version *v, const char *s, item *stack_items)
{
    size_t len = strlen(s);
    v->s = s;
    v->n = 0;
    v->items =
        len + 1 <= MAVEN_STACK_ITEMS ? stack_items : vg_xmalloc((len + 1) * sizeof(*v->items));
    parse(v);
    normalize(v);
}

static void version_dispose(version *v, const item *stack_items)
{
    if (v->items != stack_items)
        free(v->items);
}

static int cmp(const char *a, const char *b)
{
    item sa[MAVEN_STACK_ITEMS], sb[MAVEN_STACK_ITEMS];
    version va, vb;
    version_init(&va, a, sa);
    version_init(&vb, b, sb);
    int r = list_cmp(&va, &vb);
    version_dispose(&va, sa);
    version_dispose(&vb, sb);
    return r;
}

/* new ComparableVersion(s) accepts every string, the empty one included (it equals "0"). */
static int check(const char *v)
{
    (void)v;
    return 0;
}

const vg_scheme_ops vg__version_maven = {"maven", check, cmp};
