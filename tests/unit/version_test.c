/* version_test.c — unit tests of src/version/: table-driven vectors for every scheme
 * (tests/data/version/<scheme>.txt, written from each ecosystem's specification and known
 * tricky cases, plus the upstream vectors in $VIGIL_SHARED/fixtures), order properties
 * (reflexive, antisymmetric, transitive) on random triples, and OSV range evaluation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "util/util.h"
#include "version/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- vector files -------------------------------------------------------------------- */

typedef struct vec_stats {
    size_t compared, invalid, failed;
} vec_stats;

/* A token "''" stands for the empty string. */
static const char *tok(const char *t)
{
    return strcmp(t, "''") == 0 ? "" : t;
}

static int op_value(const char *op)
{
    if (strcmp(op, "<") == 0)
        return -1;
    if (strcmp(op, ">") == 0)
        return 1;
    if (strcmp(op, "=") == 0 || strcmp(op, "==") == 0)
        return 0;
    return 2; /* not a plain comparison line: skipped */
}

static char *next_tok(char **cur)
{
    char *p = *cur;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#')
        return NULL;
    char *s = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = '\0';
    *cur = p;
    return s;
}

/* Runs every line of `path`: "A op B" must compare as op (both ways), "! V" must be
 * refused. Other lines are skipped. */
static vec_stats run_vector_file(vg_scheme s, const char *path, bool required)
{
    vec_stats st = {0, 0, 0};
    char *text = vg_test_read_file(path, NULL);
    if (!text) {
        if (required)
            fail_msg("missing vector file %s", path);
        return st;
    }
    unsigned long lineno = 0;
    char *save = text;
    for (char *line = save; line && *line; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        char *cur = line;
        char *a = next_tok(&cur);
        if (!a)
            continue;
        if (strcmp(a, "!") == 0) {
            char *v = next_tok(&cur);
            if (!v)
                continue;
            st.invalid++;
            if (vg_version_check(s, tok(v)) == 0) {
                print_error("%s:%lu: %s accepted invalid version \"%s\"\n", path, lineno,
                            vg_version_scheme_name(s), v);
                st.failed++;
            } else if (!strstr(vg_error_last(), vg_version_scheme_name(s)) ||
                       !strstr(vg_error_last(), "byte")) {
                print_error("%s:%lu: error lacks scheme or position: %s\n", path, lineno,
                            vg_error_last());
                st.failed++;
            }
            continue;
        }
        char *op = next_tok(&cur);
        char *b = op ? next_tok(&cur) : NULL;
        if (!b || op_value(op) == 2)
            continue;
        int want = op_value(op), got = 9, rev = 9;
        st.compared++;
        if (vg_version_compare(&got, s, tok(a), tok(b)) != 0 ||
            vg_version_compare(&rev, s, tok(b), tok(a)) != 0) {
            print_error("%s:%lu: %s\n", path, lineno, vg_error_last());
            st.failed++;
        } else if (got != want || rev != -want) {
            print_error("%s:%lu: %s %s %s: got %d (reverse %d), want %d\n", path, lineno, a, op, b,
                        got, rev, want);
            st.failed++;
        }
    }
    free(text);
    return st;
}

typedef struct scheme_case {
    vg_scheme scheme;
    const char *own;        /* tests/data/version/<file> */
    const char *shared[3];  /* files under $VIGIL_SHARED, all required */
    size_t min_shared_rows; /* a floor, so that a moved fixture cannot pass as empty */
} scheme_case;

static const scheme_case cases[] = {
    {VG_SCHEME_DPKG,
     "version/dpkg.txt",
     {"fixtures/dpkg/version-vectors/dpkg-compare-versions.txt"},
     500},
    {VG_SCHEME_RPM,
     "version/rpm.txt",
     {"fixtures/rpmdb/version-vectors/rpm418-vercmp.txt",
      "fixtures/rpmdb/version-vectors/claircore-rpmvercmp.txt"},
     200},
    {VG_SCHEME_APK, "version/apk.txt", {"fixtures/version/apk-tools-version.data"}, 500},
    {VG_SCHEME_SEMVER, "version/semver.txt", {NULL}, 0},
    {VG_SCHEME_GO, "version/go.txt", {NULL}, 0},
    {VG_SCHEME_PEP440, "version/pep440.txt", {NULL}, 0},
    {VG_SCHEME_MAVEN, "version/maven.txt", {NULL}, 0},
    {VG_SCHEME_RUBYGEMS, "version/rubygems.txt", {NULL}, 0},
};

static void test_vectors(void **state)
{
    const scheme_case *c = *state;
    char *own = vg_test_data_path(c->own);
    vec_stats st = run_vector_file(c->scheme, own, true);
    free(own);
    assert_true(st.compared >= 20);
    size_t failed = st.failed, shared_rows = 0;
    for (size_t i = 0; i < VG_ARRAY_LEN(c->shared) && c->shared[i]; i++) {
        char *p = vg_test_shared_path(c->shared[i]);
        vec_stats sh = run_vector_file(c->scheme, p, true);
        free(p);
        shared_rows += sh.compared;
        failed += sh.failed;
    }
    assert_true(shared_rows >= c->min_shared_rows);
    assert_int_equal(failed, 0);
}

/* ---- order properties ---------------------------------------------------------------- */

/* Collects the versions of a vector file that the scheme accepts. */
static size_t collect_versions(vg_scheme s, const char *path, char ***out)
{
    char *text = vg_test_read_file(path, NULL);
    size_t n = 0, cap = 0;
    char **v = NULL;
    if (!text)
        fail_msg("missing vector file %s", path);
    char *cur = text;
    char *t;
    while (*cur) {
        char *nl = strchr(cur, '\n');
        if (nl)
            *nl = '\0';
        char *lc = cur;
        while ((t = next_tok(&lc)) != NULL) {
            if (op_value(t) != 2 || strcmp(t, "!") == 0 || vg_version_check(s, tok(t)) != 0)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                v = vg_xrealloc(v, cap * sizeof(*v));
            }
            v[n++] = vg_xstrdup(tok(t));
        }
        if (!nl)
            break;
        cur = nl + 1;
    }
    free(text);
    *out = v;
    return n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int cmpv(vg_scheme s, const char *a, const char *b)
{
    int c = 99;
    assert_int_equal(vg_version_compare(&c, s, a, b), 0);
    return c;
}

static void test_properties(void **state)
{
    const scheme_case *c = *state;
    char *path = vg_test_data_path(c->own);
    char **v;
    size_t n = collect_versions(c->scheme, path, &v);
    free(path);
    assert_true(n >= 10);
    vg_scheme s = c->scheme;
    size_t violations = 0;
    for (int i = 0; i < 30000; i++) {
        const char *a = v[rng() % n], *b = v[rng() % n], *x = v[rng() % n];
        /* Bias toward near-equal triples: reuse a neighbour half of the time. */
        if (rng() & 1)
            b = a;
        int ab = cmpv(s, a, b), ba = cmpv(s, b, a), bx = cmpv(s, b, x), ax = cmpv(s, a, x);
        bool bad = cmpv(s, a, a) != 0 || ab != -ba;
        bad = bad || (ab <= 0 && bx <= 0 && ax > 0) || (ab == 0 && bx != ax);
        if (bad && violations++ < 5)
            print_error("order violation among \"%s\" \"%s\" \"%s\"\n", a, b, x);
    }
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    assert_int_equal(violations, 0);
}

/* ---- API contract -------------------------------------------------------------------- */

static void test_lookup(void **state)
{
    (void)state;
    vg_scheme s;
    static const struct {
        const char *name;
        vg_scheme want;
    } names[] = {
        {"dpkg", VG_SCHEME_DPKG},   {"deb", VG_SCHEME_DPKG},    {"rpm", VG_SCHEME_RPM},
        {"apk", VG_SCHEME_APK},     {"npm", VG_SCHEME_SEMVER},  {"go", VG_SCHEME_GO},
        {"pypi", VG_SCHEME_PEP440}, {"maven", VG_SCHEME_MAVEN}, {"gem", VG_SCHEME_RUBYGEMS},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(names); i++) {
        assert_int_equal(vg_version_scheme_lookup(&s, names[i].name), 0);
        assert_int_equal(s, names[i].want);
    }
    assert_int_equal(vg_version_scheme_lookup(&s, "cargo"), VG_ENOTFOUND);
    assert_non_null(strstr(vg_error_last(), "known:"));
    for (int i = 0; i < VG_SCHEME_COUNT; i++) {
        assert_int_equal(vg_version_scheme_lookup(&s, vg_version_scheme_name((vg_scheme)i)), 0);
        assert_int_equal(s, i);
    }
}

static void test_errors(void **state)
{
    (void)state;
    int c = 7;
    assert_int_equal(vg_version_compare(&c, VG_SCHEME_DPKG, "1:", "1.0"), VG_EINVAL);
    assert_int_equal(c, 7); /* untouched on error */
    assert_non_null(strstr(vg_error_last(), "dpkg"));
    assert_non_null(strstr(vg_error_last(), "nothing after colon"));
    assert_non_null(strstr(vg_error_last(), "byte 2"));
    /* Over-long input is refused by every scheme, with the cap named. */
    char *big = vg_xmalloc(5000);
    memset(big, '1', 4999);
    big[4999] = '\0';
    for (int i = 0; i < VG_SCHEME_COUNT; i++) {
        assert_int_equal(vg_version_check((vg_scheme)i, big), VG_EINVAL);
        assert_non_null(strstr(vg_error_last(), "VG_VERSION_MAX_LEN"));
    }
    free(big);
    /* Control bytes in an error message are escaped. */
    assert_int_equal(vg_version_check(VG_SCHEME_DPKG, "1:\x1b[31m"), 0);
    assert_int_equal(vg_version_check(VG_SCHEME_DPKG, "a b"), VG_EINVAL);
    assert_int_equal(vg_version_check(VG_SCHEME_DPKG, "\x01:1"), VG_EINVAL);
    assert_null(strchr(vg_error_last(), '\x01'));
    assert_non_null(strstr(vg_error_last(), "\\x01"));
}

/* ---- ranges -------------------------------------------------------------------------- */

typedef struct range_case {
    vg_scheme scheme;
    vg_range_event ev[4];
    size_t n_ev;
    const char *list[3];
    size_t n_list;
    const char *v;
    bool want;
} range_case;

#define I(v)                                                                                       \
    {                                                                                              \
        VG_RANGE_INTRODUCED, v                                                                     \
    }
#define F(v)                                                                                       \
    {                                                                                              \
        VG_RANGE_FIXED, v                                                                          \
    }
#define L(v)                                                                                       \
    {                                                                                              \
        VG_RANGE_LAST_AFFECTED, v                                                                  \
    }
#define LIM(v)                                                                                     \
    {                                                                                              \
        VG_RANGE_LIMIT, v                                                                          \
    }

static const range_case ranges[] = {
    /* Debian: everything before the fixed version, epochs and ~ included. */
    {VG_SCHEME_DPKG, {I("0"), F("1:1.2-1")}, 2, {0}, 0, "1.3", true},
    {VG_SCHEME_DPKG, {I("0"), F("1:1.2-1")}, 2, {0}, 0, "1:1.2-1", false},
    {VG_SCHEME_DPKG, {I("0"), F("1.0")}, 2, {0}, 0, "1.0~rc1", true},
    {VG_SCHEME_DPKG, {I("0"), F("1.0")}, 2, {0}, 0, "1.0+deb12u1", false},
    /* Introduced after zero; the fixed event listed first must not matter. */
    {VG_SCHEME_RPM, {F("2.0-1"), I("1.5-1")}, 2, {0}, 0, "1.4-9", false},
    {VG_SCHEME_RPM, {F("2.0-1"), I("1.5-1")}, 2, {0}, 0, "1.5-1", true},
    {VG_SCHEME_RPM, {F("2.0-1"), I("1.5-1")}, 2, {0}, 0, "2.0-1", false},
    {VG_SCHEME_RPM, {I("0"), F("1:1.0-1")}, 2, {0}, 0, "0:9.9-1", true},
    /* last_affected is inclusive. */
    {VG_SCHEME_APK, {I("1.0-r0"), L("1.2-r3")}, 2, {0}, 0, "1.2-r3", true},
    {VG_SCHEME_APK, {I("1.0-r0"), L("1.2-r3")}, 2, {0}, 0, "1.2-r4", false},
    {VG_SCHEME_APK, {I("1.0-r0"), L("1.2-r3")}, 2, {0}, 0, "0.9-r0", false},
    /* Two intervals in one range. */
    {VG_SCHEME_DPKG, {I("1.0"), F("1.5"), I("2.0"), F("2.3")}, 4, {0}, 0, "1.7", false},
    {VG_SCHEME_DPKG, {I("1.0"), F("1.5"), I("2.0"), F("2.3")}, 4, {0}, 0, "2.1", true},
    {VG_SCHEME_DPKG, {I("1.0"), F("1.5"), I("2.0"), F("2.3")}, 4, {0}, 0, "1.4", true},
    /* Limits bound the range; "*" is no limit. */
    {VG_SCHEME_DPKG, {I("0"), LIM("2.0")}, 2, {0}, 0, "1.9", true},
    {VG_SCHEME_DPKG, {I("0"), LIM("2.0")}, 2, {0}, 0, "2.0", false},
    {VG_SCHEME_DPKG, {I("0"), LIM("*")}, 2, {0}, 0, "99", true},
    /* Introduced with no end: affected from there on. */
    {VG_SCHEME_DPKG, {I("3.0")}, 1, {0}, 0, "3.0", true},
    {VG_SCHEME_DPKG, {I("3.0")}, 1, {0}, 0, "2:1", true},
    /* Explicit versions only, and in addition to events. */
    {VG_SCHEME_DPKG, {{0}}, 0, {"1.0-1", "1.0-3"}, 2, "1.0-1", true},
    {VG_SCHEME_DPKG, {{0}}, 0, {"1.0-1", "1.0-3"}, 2, "1.0-2", false},
    {VG_SCHEME_DPKG, {{0}}, 0, {"1:1.0-1"}, 1, "01:1.0-1", true},
    {VG_SCHEME_DPKG, {I("0"), F("1.0")}, 2, {"1.5"}, 1, "1.5", true},
    /* No events and no list: nothing is affected. */
    {VG_SCHEME_DPKG, {{0}}, 0, {0}, 0, "1.0", false},
};

static void test_ranges(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(ranges); i++) {
        const range_case *c = &ranges[i];
        vg_range r = {c->scheme, c->ev, c->n_ev, c->list, c->n_list};
        bool got = !c->want;
        int rc = vg_version_affected(&got, &r, c->v);
        if (rc != 0 || got != c->want)
            fail_msg("range case %zu (%s): rc %d (%s), got %d want %d", i, c->v, rc,
                     vg_error_last(), got, c->want);
    }
}

static void test_range_errors(void **state)
{
    (void)state;
    vg_range_event ev[] = {I("0"), F("1:")};
    vg_range r = {VG_SCHEME_DPKG, ev, 2, NULL, 0};
    bool got;
    assert_int_equal(vg_version_affected(&got, &r, "1.0"), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "range event 1 (fixed)"));
    vg_range_event ok[] = {I("0")};
    vg_range r2 = {VG_SCHEME_DPKG, ok, 1, NULL, 0};
    assert_int_equal(vg_version_affected(&got, &r2, "a b"), VG_EINVAL);
    vg_range r3 = {VG_SCHEME_DPKG, ok, VG_RANGE_MAX_EVENTS + 1, NULL, 0};
    assert_int_equal(vg_version_affected(&got, &r3, "1"), VG_ETOOBIG);
}

int main(void)
{
    struct CMUnitTest tests[2 * VG_ARRAY_LEN(cases) + 5];
    size_t n = 0;
    static char names[2 * VG_ARRAY_LEN(cases)][64];
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        snprintf(names[n], sizeof(names[n]), "vectors_%s", vg_version_scheme_name(cases[i].scheme));
        tests[n] = (struct CMUnitTest){names[n], test_vectors, NULL, NULL, (void *)&cases[i]};
        n++;
        snprintf(names[n], sizeof(names[n]), "properties_%s",
                 vg_version_scheme_name(cases[i].scheme));
        tests[n] = (struct CMUnitTest){names[n], test_properties, NULL, NULL, (void *)&cases[i]};
        n++;
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lookup);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_errors);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_ranges);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_range_errors);
    return _cmocka_run_group_tests("version", tests, n, NULL, NULL);
}
