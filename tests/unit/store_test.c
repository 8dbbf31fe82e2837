/* store_test.c — the store suite, written against store.h alone so that every backend runs the
 * same table of tests: VG_STORE_DSN names the database (default: a fresh temporary SQLite file
 * per test). Names are prefixed per test, so a shared database works too; the few checks that
 * need backend internals (a too-new schema, row counts) run for SQLite only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- fixture ------------------------------------------------------------------------- */

typedef struct fixture {
    char dir[64]; /* temp dir for SQLite files and bundles */
    char *dsn;    /* the store under test */
    bool sqlite;  /* dsn is a SQLite file (backend-specific checks allowed) */
    vg_store *s;
    char prefix[24]; /* unique per test: every name starts with it */
} fixture;

static unsigned long long rnd(void)
{
    static unsigned long long x;
    if (!x)
        x = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

static char *path_in(const fixture *f, const char *name)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s/%s", f->dir, name);
    return vg_strbuf_detach(&sb);
}

static int setup(void **state)
{
    fixture *f = vg_xcalloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/vg-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    const char *env = getenv("VG_STORE_DSN");
    if (env && *env) {
        f->dsn = vg_xstrdup(env);
        f->sqlite = strstr(env, "://") == NULL;
    } else {
        f->dsn = path_in(f, "store.db");
        f->sqlite = true;
    }
    snprintf(f->prefix, sizeof(f->prefix), "t%010llx", rnd() & 0xffffffffffULL);
    if (vg_store_open(&f->s, f->dsn) != 0) {
        fprintf(stderr, "open %s: %s\n", f->dsn, vg_error_last());
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vg_store_close(f->s);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f->dsn);
    free(f);
    return 0;
}

/* "<prefix>-<name>" in a static ring of buffers. */
static const char *N(const fixture *f, const char *name)
{
    static char ring[16][96];
    static unsigned k;
    char *b = ring[k++ % 16];
    snprintf(b, sizeof(ring[0]), "%s-%s", f->prefix, name);
    return b;
}

/* ---- advisories ---------------------------------------------------------------------- */

typedef struct adv_buf {
    vg_advisory a;
    vg_affected aff[3];
    vg_event ev[4];
    const char *versions[2];
    vg_cvss cvss[2];
    const char *aliases[2], *links[2], *cwes[2];
    char id[96], ns[64], pkg[64], fixed[32];
} adv_buf;

/* One affected (ns = "<prefix>:1", source package `pkg`) fixed in `fixed`. */
static const vg_advisory *simple(adv_buf *b, const fixture *f, const char *id, const char *pkg,
                                 const char *fixed)
{
    memset(b, 0, sizeof(*b));
    snprintf(b->id, sizeof(b->id), "%s", N(f, id));
    snprintf(b->ns, sizeof(b->ns), "%s:1", f->prefix);
    snprintf(b->pkg, sizeof(b->pkg), "%s", pkg);
    snprintf(b->fixed, sizeof(b->fixed), "%s", fixed);
    b->ev[0] = (vg_event){VG_EVENT_INTRODUCED, "0"};
    b->ev[1] = (vg_event){VG_EVENT_FIXED, b->fixed};
    b->aff[0] = (vg_affected){.ns = b->ns,
                              .package = b->pkg,
                              .source_pkg = true,
                              .scheme = "dpkg",
                              .events = b->ev,
                              .n_events = 2,
                              .status = VG_STATUS_FIXED};
    b->a = (vg_advisory){.id = b->id,
                         .source = "test",
                         .severity = VG_SEV_MEDIUM,
                         .affected = b->aff,
                         .n_affected = 1};
    return &b->a;
}

/* Every field of the model set, with every event kind, status and qualifier. */
static const vg_advisory *full(adv_buf *b, const fixture *f)
{
    simple(b, f, "CVE-2024-0001", "openssl", "3.0.11-1~deb12u2");
    b->ev[2] = (vg_event){VG_EVENT_LAST_AFFECTED, "1:2.0"};
    b->ev[3] = (vg_event){VG_EVENT_LIMIT, "9.9"};
    b->aff[0].events = b->ev;
    b->aff[0].n_events = 4;
    b->aff[0].arch = "amd64";
    b->aff[0].cpe = "cpe:/o:debian:debian_linux:12";
    b->versions[0] = "1.0";
    b->versions[1] = "1.1";
    b->aff[1] = (vg_affected){.ns = b->ns,
                              .package = "libssl3",
                              .source_pkg = false,
                              .scheme = "rpm",
                              .versions = b->versions,
                              .n_versions = 2,
                              .status = VG_STATUS_WILL_NOT_FIX,
                              .module = "nodejs:18"};
    b->aff[2] = (vg_affected){.ns = "pypi",
                              .package = "Cryptography",
                              .source_pkg = false,
                              .scheme = "pep440",
                              .status = VG_STATUS_UNDER_INVESTIGATION};
    b->aliases[0] = "DSA-5532-1";
    b->aliases[1] = "GHSA-v8gr-m533-ghj9";
    b->links[0] = "https://security-tracker.debian.org/tracker/CVE-2024-0001";
    b->links[1] = "https://nvd.nist.gov/vuln/detail/CVE-2024-0001?x=\"q\"&y=1";
    b->cwes[0] = "CWE-787";
    b->cwes[1] = "CWE-125";
    b->cvss[0] =
        (vg_cvss){"3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "nvd@nist.gov"};
    b->cvss[1] = (vg_cvss){"2.0", "AV:N/AC:M/Au:N/C:P/I:P/A:P", 6.8, NULL};
    vg_advisory *a = &b->a;
    a->source = "debian";
    a->aliases = b->aliases;
    a->n_aliases = 2;
    a->summary = "buffer overflow in X.509 \xc3\xa9 \"quoted\" \\ back\nslash";
    a->description = "A long description.\twith tabs and \xe2\x9c\x93 UTF-8.";
    a->links = b->links;
    a->n_links = 2;
    a->published = "2024-01-02T03:04:05Z";
    a->modified = "2024-02-03T04:05:06Z";
    a->severity = VG_SEV_CRITICAL;
    a->severity_label = "high**";
    a->cvss = b->cvss;
    a->n_cvss = 2;
    a->cwes = b->cwes;
    a->n_cwes = 2;
    a->n_affected = 3;
    return a;
}

/* ---- comparing ----------------------------------------------------------------------- */

static bool str_eq(const char *what, const char *x, const char *y)
{
    if ((!x || !y) ? x == y : strcmp(x, y) == 0)
        return true;
    print_error("%s: '%s' != '%s'\n", what, x ? x : "(null)", y ? y : "(null)");
    return false;
}

static bool strs_eq(const char *what, const char *const *x, size_t nx, const char *const *y,
                    size_t ny)
{
    if (nx != ny) {
        print_error("%s: %zu != %zu entries\n", what, nx, ny);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < nx; i++)
        ok &= str_eq(what, x[i], y[i]);
    return ok;
}

static bool adv_eq(const vg_advisory *x, const vg_advisory *y)
{
    bool ok = str_eq("id", x->id, y->id) && str_eq("source", x->source, y->source);
    ok &= strs_eq("aliases", x->aliases, x->n_aliases, y->aliases, y->n_aliases);
    ok &= str_eq("summary", x->summary, y->summary);
    ok &= str_eq("description", x->description, y->description);
    ok &= strs_eq("links", x->links, x->n_links, y->links, y->n_links);
    ok &= str_eq("published", x->published, y->published);
    ok &= str_eq("modified", x->modified, y->modified);
    ok &= str_eq("severity_label", x->severity_label, y->severity_label);
    ok &= strs_eq("cwes", x->cwes, x->n_cwes, y->cwes, y->n_cwes);
    if (x->severity != y->severity || x->n_cvss != y->n_cvss || x->n_affected != y->n_affected) {
        print_error("severity/n_cvss/n_affected differ\n");
        return false;
    }
    for (size_t i = 0; i < x->n_cvss; i++) {
        ok &= str_eq("cvss.version", x->cvss[i].version, y->cvss[i].version);
        ok &= str_eq("cvss.vector", x->cvss[i].vector, y->cvss[i].vector);
        ok &= str_eq("cvss.source", x->cvss[i].source, y->cvss[i].source);
        if (x->cvss[i].score != y->cvss[i].score) {
            print_error("cvss.score %g != %g\n", x->cvss[i].score, y->cvss[i].score);
            ok = false;
        }
    }
    for (size_t i = 0; i < x->n_affected; i++) {
        const vg_affected *p = &x->affected[i], *q = &y->affected[i];
        ok &= str_eq("ns", p->ns, q->ns) && str_eq("package", p->package, q->package);
        ok &= str_eq("scheme", p->scheme, q->scheme) && str_eq("arch", p->arch, q->arch);
        ok &= str_eq("module", p->module, q->module) && str_eq("cpe", p->cpe, q->cpe);
        ok &= strs_eq("versions", p->versions, p->n_versions, q->versions, q->n_versions);
        if (p->source_pkg != q->source_pkg || p->status != q->status ||
            p->n_events != q->n_events) {
            print_error("affected[%zu]: source_pkg/status/n_events differ\n", i);
            ok = false;
            continue;
        }
        for (size_t e = 0; e < p->n_events; e++) {
            ok &= p->events[e].kind == q->events[e].kind;
            ok &= str_eq("event", p->events[e].version, q->events[e].version);
        }
    }
    return ok;
}

/* Collects the ids a read hands out; compares against `want` when set. */
typedef struct collect {
    char ids[64][96];
    size_t n;
    const vg_advisory *want[4];
    size_t n_want;
    int bad;
    int stop_with;
} collect;

static int collect_cb(void *ctx, const vg_advisory *a)
{
    collect *c = ctx;
    if (c->n < 64)
        snprintf(c->ids[c->n], sizeof(c->ids[0]), "%s", a->id);
    c->n++;
    for (size_t i = 0; i < c->n_want; i++)
        if (strcmp(c->want[i]->id, a->id) == 0 && !adv_eq(c->want[i], a))
            c->bad++;
    return c->stop_with;
}

static bool has_id(const collect *c, const char *id)
{
    for (size_t i = 0; i < c->n && i < 64; i++)
        if (strcmp(c->ids[i], id) == 0)
            return true;
    return false;
}

/* ---- helpers that write runs --------------------------------------------------------- */

/* Writes one run of `updater` with the given advisories; asserts success. */
static vg_update_op run(const fixture *f, vg_store *s, const char *updater,
                        const vg_advisory *const *advs, size_t n)
{
    vg_store_tx *tx = NULL;
    vg_update_op op;
    int rc = vg_store_update_begin(&tx, s, updater, "fp-1");
    if (rc != 0)
        fail_msg("begin %s: %s", updater, vg_error_last());
    for (size_t i = 0; i < n; i++)
        if (vg_store_update_put(tx, advs[i]) != 0)
            fail_msg("put: %s", vg_error_last());
    if (vg_store_update_commit(tx, &op) != 0)
        fail_msg("commit: %s", vg_error_last());
    (void)f;
    return op;
}

static void diff_is(vg_store *s, int64_t prev, int64_t cur, const char *const *added,
                    size_t n_added, const char *const *removed, size_t n_removed)
{
    vg_store_diff d;
    int rc = vg_store_diff_ops(&d, s, prev, cur);
    if (rc != 0)
        fail_msg("diff: %s", vg_error_last());
    bool ok = strs_eq("added", (const char *const *)d.added, d.n_added, added, n_added);
    ok &= strs_eq("removed", (const char *const *)d.removed, d.n_removed, removed, n_removed);
    vg_store_diff_dispose(&d);
    assert_true(ok);
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_open_reopen(void **state)
{
    fixture *f = *state;
    int v = 0, latest = 0;
    assert_int_equal(vg_store_schema_version(&v, &latest, f->s), 0);
    assert_true(latest >= 1);
    assert_int_equal(v, latest);
    vg_store_close(f->s);
    f->s = NULL;
    assert_int_equal(vg_store_open(&f->s, f->dsn), 0);
    assert_int_equal(vg_store_schema_version(&v, &latest, f->s), 0);
    assert_int_equal(v, latest);
    /* A second handle on the same database at the same time. */
    vg_store *s2 = NULL;
    assert_int_equal(vg_store_open(&s2, f->dsn), 0);
    vg_store_close(s2);

    vg_store *bad = NULL;
    assert_int_equal(vg_store_open(&bad, ""), VG_EINVAL);
    assert_int_equal(vg_store_open(&bad, ":memory:"), VG_EINVAL);
    if (!f->sqlite)
        return;
    char *missing = path_in(f, "no/such/dir/x.db");
    assert_int_equal(vg_store_open(&bad, missing), VG_EIO);
    free(missing);
    char *junk = path_in(f, "junk.db");
    FILE *fp = fopen(junk, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database at all\n", fp);
    fclose(fp);
    assert_int_equal(vg_store_open(&bad, junk), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "not a vigil database"));
    free(junk);
    /* A SQLite database that belongs to something else. */
    char *other = path_in(f, "other.db");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(vg_store_open(&bad, other), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "not a vigil database"));
    free(other);
    /* sqlite: prefix. */
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "sqlite:%s", f->dsn);
    assert_int_equal(vg_store_open(&s2, sb.buf), 0);
    vg_store_close(s2);
    vg_strbuf_dispose(&sb);
}

static void test_schema_too_new(void **state)
{
    fixture *f = *state;
    if (!f->sqlite)
        skip();
    int v = 0, latest = 0;
    assert_int_equal(vg_store_schema_version(&v, &latest, f->s), 0);
    vg_store_close(f->s);
    f->s = NULL;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->dsn, &db), SQLITE_OK);
    char sql[128];
    snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, 0)", latest + 1);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(vg_store_open(&f->s, f->dsn), VG_EINVAL);
    char want[96];
    snprintf(want, sizeof(want), "database schema %d is newer than this vigil (%d)", latest + 1,
             latest);
    if (!strstr(vg_error_last(), want))
        fail_msg("message: %s", vg_error_last());
    assert_null(f->s);
}

static void test_roundtrip(void **state)
{
    fixture *f = *state;
    adv_buf fb, mb;
    const vg_advisory *fa = full(&fb, f);
    /* Minimal: no optional field at all. */
    const vg_advisory *ma = simple(&mb, f, "CVE-2024-0002", "zlib", "1.3");
    mb.aff[0].scheme = NULL;
    mb.aff[0].n_events = 0;
    mb.aff[0].status = VG_STATUS_NOT_AFFECTED;
    mb.a.severity = VG_SEV_UNKNOWN;
    const vg_advisory *advs[] = {ma, fa};
    time_t before = time(NULL);
    vg_update_op op = run(f, f->s, N(f, "deb"), advs, 2);
    assert_true(op.id > 0);
    assert_string_equal(op.updater, N(f, "deb"));
    assert_string_equal(op.fingerprint, "fp-1");
    assert_int_equal(strlen(op.ref), 36);
    assert_true(op.date >= before && op.date <= time(NULL));
    assert_int_equal(op.n_advisories, 2);

    vg_update_op latest;
    assert_int_equal(vg_store_latest_op(&latest, f->s, N(f, "deb")), 0);
    assert_memory_equal(&latest, &op, sizeof(op));
    assert_int_equal(vg_store_latest_op(&latest, f->s, N(f, "none")), VG_ENOTFOUND);

    collect c = {.want = {fa, ma}, .n_want = 2};
    assert_int_equal(vg_store_op_advisories(f->s, op.id, collect_cb, &c), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.bad, 0);
    assert_string_equal(c.ids[0], fa->id); /* id order: ...-0001 before ...-0002 */
    assert_string_equal(c.ids[1], ma->id);

    memset(&c, 0, sizeof(c));
    c.want[0] = fa;
    c.n_want = 1;
    assert_int_equal(vg_store_get_advisory(f->s, fa->id, collect_cb, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.bad, 0);
    /* Every affected record of the full advisory is indexed. */
    for (size_t i = 0; i < fa->n_affected; i++) {
        memset(&c, 0, sizeof(c));
        c.want[0] = fa;
        c.n_want = 1;
        const vg_affected *af = &fa->affected[i];
        assert_int_equal(
            vg_store_find_affected(f->s, af->ns, af->package, af->source_pkg, collect_cb, &c), 0);
        assert_true(has_id(&c, fa->id));
        assert_int_equal(c.bad, 0);
    }
    assert_int_equal(vg_store_op_advisories(f->s, op.id + 1000, collect_cb, &c), VG_ENOTFOUND);
    assert_int_equal(vg_store_get_advisory(f->s, N(f, "nope"), collect_cb, &c), VG_ENOTFOUND);
}

/* SQLite only: the count `sql` returns with ?1 bound to "<prefix><like>". */
static int64_t sqlite_count(const fixture *f, const char *sql, const char *like)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char pattern[96];
    snprintf(pattern, sizeof(pattern), "%s%s", f->prefix, like);
    assert_int_equal(sqlite3_open(f->dsn, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, pattern, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

#define COUNT_ADVISORIES "SELECT count(*) FROM advisory WHERE adv_id LIKE ?1"
#define COUNT_OPS "SELECT count(*) FROM update_op WHERE updater LIKE ?1"

static void test_dedupe(void **state)
{
    fixture *f = *state;
    adv_buf a, b;
    const vg_advisory *advs[] = {simple(&a, f, "A", "p", "1"), simple(&b, f, "B", "q", "2"), &a.a};
    vg_update_op op1 = run(f, f->s, N(f, "u"), advs, 2);
    vg_update_op op2 = run(f, f->s, N(f, "u"), advs, 3); /* A twice in one run */
    assert_int_equal(op1.n_advisories, 2);
    assert_int_equal(op2.n_advisories, 2);
    assert_true(op2.id > op1.id);
    diff_is(f->s, op1.id, op2.id, NULL, 0, NULL, 0);
    if (f->sqlite) /* one row per content, shared by both ops */
        assert_int_equal(sqlite_count(f, COUNT_ADVISORIES, "-%"), 2);
    /* The rows are shared, not copied: dropping op1 leaves op2 whole. */
    size_t deleted = 0;
    assert_int_equal(vg_store_gc(&deleted, f->s, N(f, "u"), 1, 10), 0);
    assert_int_equal(deleted, 1);
    collect c = {.want = {&a.a, &b.a}, .n_want = 2};
    assert_int_equal(vg_store_op_advisories(f->s, op2.id, collect_cb, &c), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.bad, 0);
}

static void test_unchanged_diff_empty(void **state)
{
    fixture *f = *state;
    adv_buf a, b, fb;
    const vg_advisory *advs[] = {simple(&a, f, "A", "p", "1"), simple(&b, f, "B", "p", "2"),
                                 full(&fb, f)};
    vg_update_op op1 = run(f, f->s, N(f, "u"), advs, 3);
    vg_update_op op2 = run(f, f->s, N(f, "u"), advs, 3);
    diff_is(f->s, op1.id, op2.id, NULL, 0, NULL, 0);
    diff_is(f->s, op2.id, op1.id, NULL, 0, NULL, 0);
    diff_is(f->s, op2.id, op2.id, NULL, 0, NULL, 0);
}

/* Manifests: stamp, delete, and the data generation the server's ETags use. */
static void test_manifest_stamp_delete_generation(void **state)
{
    fixture *f = *state;
    int64_t gen = -1, stamp = 0;
    assert_int_equal(vg_store_generation(&gen, f->s), 0);
    int64_t gen0 = gen;
    const char *h = "sha256:00000000000000000000000000000000000000000000000000000000000000aa";
    assert_int_equal(vg_store_manifest_stamp(&stamp, f->s, h), VG_ENOTFOUND);
    const char *layers[] = {"sha256:l1", "sha256:l2"};
    assert_int_equal(vg_store_manifest_put(f->s, h, "{}", 2, layers, 2), 0);
    assert_int_equal(vg_store_manifest_stamp(&stamp, f->s, h), 0);
    assert_true(stamp > 1700000000);
    bool deleted = false;
    assert_int_equal(vg_store_manifest_delete(&deleted, f->s, h), 0);
    assert_true(deleted);
    assert_int_equal(vg_store_manifest_delete(&deleted, f->s, h), 0);
    assert_false(deleted);
    assert_int_equal(vg_store_manifest_stamp(&stamp, f->s, h), VG_ENOTFOUND);
    adv_buf a;
    const vg_advisory *advs[] = {simple(&a, f, "A", "p", "1")};
    vg_update_op op1 = run(f, f->s, N(f, "u"), advs, 1);
    assert_int_equal(vg_store_generation(&gen, f->s), 0);
    assert_int_equal(gen, op1.id);
    assert_true(gen > gen0);
    vg_update_op op2 = run(f, f->s, N(f, "v"), advs, 1);
    assert_int_equal(vg_store_generation(&gen, f->s), 0);
    assert_int_equal(gen, op2.id);
}

static void test_added_removed(void **state)
{
    fixture *f = *state;
    adv_buf a, b, c, d, e;
    const vg_advisory *r1[] = {simple(&a, f, "A", "p", "1"), simple(&b, f, "B", "p", "1"),
                               simple(&c, f, "C", "p", "1")};
    vg_update_op op1 = run(f, f->s, N(f, "u"), r1, 3);
    const vg_advisory *r2[] = {&b.a, &c.a, simple(&d, f, "D", "p", "1"),
                               simple(&e, f, "E", "p", "1")};
    vg_update_op op2 = run(f, f->s, N(f, "u"), r2, 4);
    const char *added[] = {d.id, e.id}, *removed[] = {a.id};
    diff_is(f->s, op1.id, op2.id, added, 2, removed, 1);
    diff_is(f->s, op2.id, op1.id, removed, 1, added, 2);
    const char *all2[] = {b.id, c.id, d.id, e.id};
    diff_is(f->s, 0, op2.id, all2, 4, NULL, 0); /* no previous op: everything is added */

    vg_store_diff dd;
    assert_int_equal(vg_store_diff_ops(&dd, f->s, op1.id, op2.id + 1000), VG_ENOTFOUND);
    vg_store_diff_dispose(&dd);
    vg_update_op other = run(f, f->s, N(f, "v"), r1, 1);
    assert_int_equal(vg_store_diff_ops(&dd, f->s, op1.id, other.id), VG_EINVAL);
    vg_store_diff_dispose(&dd);
}

/* A change in any one field shows as the id removed (old content) and added (new content). */
static void test_changed_field(void **state)
{
    fixture *f = *state;
    adv_buf a, b, a2;
    const vg_advisory *r1[] = {simple(&a, f, "A", "p", "1.0"), simple(&b, f, "B", "p", "1")};
    vg_update_op op1 = run(f, f->s, N(f, "u"), r1, 2);
    const vg_advisory *r2[] = {simple(&a2, f, "A", "p", "1.1"), &b.a};
    vg_update_op op2 = run(f, f->s, N(f, "u"), r2, 2);
    const char *ids[] = {a.id};
    diff_is(f->s, op1.id, op2.id, ids, 1, ids, 1);
    /* Only the vendor label changes. */
    a2.a.severity_label = "minor";
    vg_update_op op3 = run(f, f->s, N(f, "u"), r2, 2);
    diff_is(f->s, op2.id, op3.id, ids, 1, ids, 1);
    /* Back to op2's content exactly: the same row as op2 holds. */
    a2.a.severity_label = NULL;
    vg_update_op op4 = run(f, f->s, N(f, "u"), r2, 2);
    diff_is(f->s, op2.id, op4.id, NULL, 0, NULL, 0);
}

static void test_gc(void **state)
{
    fixture *f = *state;
    adv_buf shared, own[7];
    simple(&shared, f, "SHARED", "p", "1");
    vg_update_op ops[7];
    char name[16];
    for (int i = 0; i < 7; i++) {
        snprintf(name, sizeof(name), "OWN%d", i);
        const vg_advisory *advs[] = {&shared.a, simple(&own[i], f, name, "p", "1")};
        ops[i] = run(f, f->s, N(f, "u"), advs, 2);
    }
    const vg_advisory *one[] = {&shared.a};
    run(f, f->s, N(f, "v"), one, 1);
    run(f, f->s, N(f, "v"), one, 1);

    size_t deleted = 0;
    assert_int_equal(vg_store_gc(&deleted, f->s, N(f, "u"), 3, 0), VG_EINVAL);
    size_t rounds[8], n_rounds = 0;
    do {
        assert_int_equal(vg_store_gc(&deleted, f->s, N(f, "u"), 3, 2), 0);
        rounds[n_rounds++] = deleted;
    } while (deleted && n_rounds < 8);
    assert_int_equal(n_rounds, 3);
    assert_int_equal(rounds[0], 2);
    assert_int_equal(rounds[1], 2);
    assert_int_equal(rounds[2], 0);

    vg_update_op *list = NULL;
    size_t n = 0;
    assert_int_equal(vg_store_list_ops(&list, &n, f->s, N(f, "u")), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) /* the newest three, newest first */
        assert_int_equal(list[i].id, ops[6 - i].id);
    free(list);
    collect c = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(vg_store_op_advisories(f->s, ops[i].id, collect_cb, &c), VG_ENOTFOUND);
    for (int i = 4; i < 7; i++) {
        memset(&c, 0, sizeof(c));
        c.want[0] = &shared.a;
        c.want[1] = &own[i].a;
        c.n_want = 2;
        assert_int_equal(vg_store_op_advisories(f->s, ops[i].id, collect_cb, &c), 0);
        assert_int_equal(c.n, 2);
        assert_int_equal(c.bad, 0);
    }
    if (f->sqlite) /* the deleted runs' own rows are gone; SHARED + OWN4..6 stay */
        assert_int_equal(sqlite_count(f, COUNT_ADVISORIES, "-%"), 4);
    /* The other updater was not touched; then every updater down to one op. */
    assert_int_equal(vg_store_list_ops(&list, &n, f->s, N(f, "v")), 0);
    assert_int_equal(n, 2);
    free(list);
    assert_int_equal(vg_store_gc(&deleted, f->s, NULL, 1, 100), 0);
    assert_true(deleted >= 3); /* u: 2, v: 1 (a shared database may hold more) */
    assert_int_equal(vg_store_list_ops(&list, &n, f->s, N(f, "u")), 0);
    assert_int_equal(n, 1);
    free(list);
    assert_int_equal(vg_store_list_ops(&list, &n, f->s, N(f, "v")), 0);
    assert_int_equal(n, 1);
    free(list);
}

static void test_find_affected_newest(void **state)
{
    fixture *f = *state;
    adv_buf a, b, cb, d;
    char ns[64];
    snprintf(ns, sizeof(ns), "%s:1", f->prefix);
    const vg_advisory *u1[] = {simple(&a, f, "A", "pkg", "1")};
    run(f, f->s, N(f, "u"), u1, 1);
    simple(&cb, f, "C", "pkg", "1");
    cb.aff[0].source_pkg = false; /* the binary package of the same name */
    const vg_advisory *u2[] = {simple(&b, f, "B", "pkg", "1"), &cb.a};
    run(f, f->s, N(f, "u"), u2, 2);
    const vg_advisory *v1[] = {simple(&d, f, "D", "pkg", "1")};
    run(f, f->s, N(f, "v"), v1, 1);

    collect c = {0};
    assert_int_equal(vg_store_find_affected(f->s, ns, "pkg", true, collect_cb, &c), 0);
    assert_int_equal(c.n, 2); /* B (u's newest) and D (v's newest); not A (u's older op) */
    assert_true(has_id(&c, b.id) && has_id(&c, d.id));
    memset(&c, 0, sizeof(c));
    assert_int_equal(vg_store_find_affected(f->s, ns, "pkg", false, collect_cb, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ids[0], cb.id);
    memset(&c, 0, sizeof(c));
    assert_int_equal(vg_store_find_affected(f->s, ns, "other", true, collect_cb, &c), 0);
    assert_int_equal(c.n, 0);
    assert_int_equal(vg_store_find_affected(f->s, "pypi-x", "pkg", true, collect_cb, &c), 0);
    assert_int_equal(c.n, 0);
    assert_int_equal(vg_store_get_advisory(f->s, a.id, collect_cb, &c), VG_ENOTFOUND);
    assert_int_equal(vg_store_get_advisory(f->s, b.id, collect_cb, &c), 0);
    /* A callback's non-zero return stops the walk and comes back. */
    memset(&c, 0, sizeof(c));
    c.stop_with = 42;
    assert_int_equal(vg_store_find_affected(f->s, ns, "pkg", true, collect_cb, &c), 42);
    assert_int_equal(c.n, 1);
}

static void test_conflict(void **state)
{
    fixture *f = *state;
    adv_buf a, b;
    vg_store_tx *t1 = NULL, *t2 = NULL, *t3 = NULL;
    assert_int_equal(vg_store_update_begin(&t1, f->s, N(f, "u"), "fp"), 0);
    assert_int_equal(vg_store_update_begin(&t2, f->s, N(f, "u"), "fp"), VG_ECONFLICT);
    assert_non_null(strstr(vg_error_last(), "already running"));
    vg_store *s2 = NULL;
    assert_int_equal(vg_store_open(&s2, f->dsn), 0);
    assert_int_equal(vg_store_update_begin(&t2, s2, N(f, "u"), "fp"), VG_ECONFLICT);
    /* A different updater runs at the same time, on either handle. */
    assert_int_equal(vg_store_update_begin(&t3, s2, N(f, "v"), "fp"), 0);
    assert_int_equal(vg_store_update_put(t1, simple(&a, f, "A", "p", "1")), 0);
    assert_int_equal(vg_store_update_put(t3, simple(&b, f, "B", "p", "1")), 0);
    vg_update_op o3, o1;
    assert_int_equal(vg_store_update_commit(t3, &o3), 0);
    assert_int_equal(vg_store_update_commit(t1, &o1), 0);
    assert_int_equal(o1.n_advisories, 1);
    assert_int_equal(o3.n_advisories, 1);
    /* The lock went with the commit. */
    assert_int_equal(vg_store_update_begin(&t2, s2, N(f, "u"), "fp"), 0);
    vg_store_update_abort(t2);
    vg_store_close(s2);
}

static void test_abort(void **state)
{
    fixture *f = *state;
    adv_buf a, b;
    const vg_advisory *r1[] = {simple(&a, f, "A", "p", "1")};
    vg_update_op op1 = run(f, f->s, N(f, "u"), r1, 1);
    vg_store_tx *tx = NULL;
    assert_int_equal(vg_store_update_begin(&tx, f->s, N(f, "u"), "fp-2"), 0);
    /* Enough to be written in several batches before the abort. */
    char id[32];
    for (int i = 0; i < 2500; i++) {
        snprintf(id, sizeof(id), "X%d", i);
        assert_int_equal(vg_store_update_put(tx, simple(&b, f, id, "p", "2")), 0);
    }
    vg_store_update_abort(tx);
    vg_update_op latest;
    assert_int_equal(vg_store_latest_op(&latest, f->s, N(f, "u")), 0);
    assert_int_equal(latest.id, op1.id);
    vg_update_op *list = NULL;
    size_t n = 0;
    assert_int_equal(vg_store_list_ops(&list, &n, f->s, N(f, "u")), 0);
    assert_int_equal(n, 1);
    free(list);
    collect c = {0};
    assert_int_equal(vg_store_get_advisory(f->s, b.id, collect_cb, &c), VG_ENOTFOUND);
    char ns[64];
    snprintf(ns, sizeof(ns), "%s:1", f->prefix);
    assert_int_equal(vg_store_find_affected(f->s, ns, "p", true, collect_cb, &c), 0);
    assert_int_equal(c.n, 1);
    if (f->sqlite) {
        assert_int_equal(sqlite_count(f, COUNT_ADVISORIES, "-X%"), 0);
        assert_int_equal(sqlite_count(f, COUNT_OPS, "-%"), 1);
    }
    vg_update_op op2 = run(f, f->s, N(f, "u"), r1, 1);
    assert_true(op2.id > op1.id);
}

static void test_read_during_write(void **state)
{
    fixture *f = *state;
    adv_buf a, b;
    char ns[64];
    snprintf(ns, sizeof(ns), "%s:1", f->prefix);
    const vg_advisory *r1[] = {simple(&a, f, "A", "p", "1")};
    vg_update_op op1 = run(f, f->s, N(f, "u"), r1, 1);
    vg_store *s2 = NULL;
    assert_int_equal(vg_store_open(&s2, f->dsn), 0);
    vg_store_tx *tx = NULL;
    assert_int_equal(vg_store_update_begin(&tx, f->s, N(f, "u"), "fp-2"), 0);
    char id[32];
    for (int i = 0; i < 1500; i++) { /* past one batch: some of it is in the database */
        snprintf(id, sizeof(id), "N%d", i);
        assert_int_equal(vg_store_update_put(tx, simple(&b, f, id, "p", "2")), 0);
    }
    vg_store *handles[] = {s2, f->s}; /* another handle, and the writer's own */
    for (int h = 0; h < 2; h++) {
        vg_update_op latest;
        assert_int_equal(vg_store_latest_op(&latest, handles[h], N(f, "u")), 0);
        assert_int_equal(latest.id, op1.id);
        collect c = {0};
        assert_int_equal(vg_store_find_affected(handles[h], ns, "p", true, collect_cb, &c), 0);
        assert_int_equal(c.n, 1);
        assert_string_equal(c.ids[0], a.id);
        assert_int_equal(vg_store_get_advisory(handles[h], N(f, "N0"), collect_cb, &c),
                         VG_ENOTFOUND);
    }
    vg_update_op op2;
    assert_int_equal(vg_store_update_commit(tx, &op2), 0);
    assert_int_equal(op2.n_advisories, 1500);
    vg_update_op latest;
    assert_int_equal(vg_store_latest_op(&latest, s2, N(f, "u")), 0);
    assert_int_equal(latest.id, op2.id);
    collect c = {0};
    assert_int_equal(vg_store_find_affected(s2, ns, "p", true, collect_cb, &c), 0);
    assert_int_equal(c.n, 1500);
    vg_store_close(s2);
}

static void test_bad_input(void **state)
{
    fixture *f = *state;
    vg_store_tx *tx = NULL;
    assert_int_equal(vg_store_update_begin(&tx, f->s, "bad name", "fp"), VG_EINVAL);
    assert_int_equal(vg_store_update_begin(&tx, f->s, "", "fp"), VG_EINVAL);
    char longfp[200];
    memset(longfp, 'f', sizeof(longfp) - 1);
    longfp[sizeof(longfp) - 1] = '\0';
    assert_int_equal(vg_store_update_begin(&tx, f->s, N(f, "u"), longfp), VG_EINVAL);
    assert_int_equal(vg_store_update_begin(&tx, f->s, N(f, "u"), "fp"), 0);
    adv_buf a, b;
    simple(&a, f, "A", "p", "1");
    a.a.id = NULL;
    assert_int_equal(vg_store_update_put(tx, &a.a), VG_EINVAL);
    simple(&a, f, "A", "p", "1");
    a.aff[0].ns = NULL;
    assert_int_equal(vg_store_update_put(tx, &a.a), VG_EINVAL);
    simple(&a, f, "A", "p", "1");
    a.a.summary = "bad \xff\xfe utf-8";
    assert_int_equal(vg_store_update_put(tx, &a.a), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "summary is not valid UTF-8"));
    /* A rejected advisory does not spoil the run. */
    assert_int_equal(vg_store_update_put(tx, simple(&b, f, "B", "p", "1")), 0);
    vg_update_op op;
    assert_int_equal(vg_store_update_commit(tx, &op), 0);
    assert_int_equal(op.n_advisories, 1);
}

/* Readers on several threads share one handle while a writer commits runs. */
typedef struct thread_arg {
    fixture *f;
    int failures;
} thread_arg;

static void *reader_thread(void *p)
{
    thread_arg *t = p;
    char ns[64];
    snprintf(ns, sizeof(ns), "%s:1", t->f->prefix);
    for (int i = 0; i < 200; i++) {
        collect c = {0};
        vg_update_op op;
        if (vg_store_find_affected(t->f->s, ns, "p", true, collect_cb, &c) != 0 || c.n != 1 ||
            vg_store_latest_op(&op, t->f->s, N(t->f, "u")) != 0)
            t->failures++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    fixture *f = *state;
    adv_buf a;
    const vg_advisory *r[] = {simple(&a, f, "A", "p", "1")};
    run(f, f->s, N(f, "u"), r, 1);
    pthread_t th[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){f, 0};
        assert_int_equal(pthread_create(&th[i], NULL, reader_thread, &args[i]), 0);
    }
    for (int i = 0; i < 10; i++) {
        char fixed[8];
        snprintf(fixed, sizeof(fixed), "%d", i + 2);
        r[0] = simple(&a, f, "A", "p", fixed);
        run(f, f->s, N(f, "u"), r, 1);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
}

/* Writes a plain-text bundle line by line (import reads gzip'd or plain). */
static char *write_text(const fixture *f, const char *name, const char *text)
{
    char *p = path_in(f, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return p;
}

static void import_is(vg_store *s, const char *path, const vg_store_import_action *want,
                      size_t n_want)
{
    vg_store_import_item *items = NULL;
    size_t n = 0;
    int rc = vg_store_import(&items, &n, s, path);
    if (rc != 0)
        fail_msg("import %s: %s", path, vg_error_last());
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(items[i].action, want[i]);
    free(items);
}

static void test_export_import(void **state)
{
    fixture *f = *state;
    const char *dsn2 = getenv("VG_STORE_DSN2"), *dsn3 = getenv("VG_STORE_DSN3");
    if (!f->sqlite && (!dsn2 || !dsn3))
        skip(); /* needs two more empty databases */
    char *p2 = f->sqlite ? path_in(f, "b.db") : vg_xstrdup(dsn2);
    char *p3 = f->sqlite ? path_in(f, "c.db") : vg_xstrdup(dsn3);
    char *bundle1 = path_in(f, "one.bundle"), *bundle2 = path_in(f, "two.bundle");
    adv_buf fb, a, b, c;
    const vg_advisory *u1[] = {full(&fb, f), simple(&a, f, "A", "p", "1")};
    const vg_advisory *v1[] = {simple(&b, f, "B", "q", "1")};
    vg_update_op ou1 = run(f, f->s, N(f, "u"), u1, 2);
    vg_update_op ov1 = run(f, f->s, N(f, "v"), v1, 1);

    vg_update_op *ops = NULL;
    size_t n = 0;
    const char *only_u[] = {N(f, "u"), NULL}, *missing[] = {N(f, "zzz"), NULL};
    assert_int_equal(vg_store_export(&ops, &n, f->s, bundle1, missing), VG_ENOTFOUND);
    assert_int_equal(vg_store_export(&ops, &n, f->s, bundle1, NULL), 0);
    assert_true(n >= 2);
    free(ops);

    vg_store *s2 = NULL, *s3 = NULL;
    assert_int_equal(vg_store_open(&s2, p2), 0);
    assert_int_equal(vg_store_open(&s3, p3), 0);
    vg_store_import_item *items = NULL;
    assert_int_equal(vg_store_import(&items, &n, s2, bundle1), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(items[i].action, VG_IMPORT_ADDED);
    free(items);
    /* The same ops: ref, fingerprint, date, count, and every advisory. */
    vg_update_op got;
    assert_int_equal(vg_store_latest_op(&got, s2, N(f, "u")), 0);
    assert_string_equal(got.ref, ou1.ref);
    assert_string_equal(got.fingerprint, ou1.fingerprint);
    assert_int_equal(got.date, ou1.date);
    assert_int_equal(got.n_advisories, 2);
    collect col = {.want = {u1[0], u1[1]}, .n_want = 2};
    assert_int_equal(vg_store_op_advisories(s2, got.id, collect_cb, &col), 0);
    assert_int_equal(col.n, 2);
    assert_int_equal(col.bad, 0);
    assert_int_equal(vg_store_latest_op(&got, s2, N(f, "v")), 0);
    assert_string_equal(got.ref, ov1.ref);
    /* Again: already present. And into the store it came from. */
    assert_int_equal(vg_store_import(&items, &n, s2, bundle1), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(items[i].action, VG_IMPORT_PRESENT);
    free(items);
    assert_int_equal(vg_store_import(&items, &n, f->s, bundle1), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(items[i].action, VG_IMPORT_PRESENT);
    free(items);

    /* A newer run of u, exported alone, moves s2 forward... */
    sleep(1); /* op dates are in seconds */
    const vg_advisory *u2[] = {u1[0], simple(&c, f, "C", "p", "1")};
    vg_update_op ou2 = run(f, f->s, N(f, "u"), u2, 2);
    assert_int_equal(vg_store_export(&ops, &n, f->s, bundle2, only_u), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ops[0].ref, ou2.ref);
    free(ops);
    vg_store_import_action added[] = {VG_IMPORT_ADDED};
    import_is(s2, bundle2, added, 1);
    assert_int_equal(vg_store_latest_op(&got, s2, N(f, "u")), 0);
    assert_string_equal(got.ref, ou2.ref);
    /* ...and the older bundle never moves a store back: s3 has the newer u op first. */
    import_is(s3, bundle2, added, 1);
    assert_int_equal(vg_store_import(&items, &n, s3, bundle1), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].op.updater, N(f, "u")) == 0) {
            assert_int_equal(items[i].action, VG_IMPORT_OLDER);
            assert_string_equal(items[i].local.ref, ou2.ref);
        } else {
            assert_int_equal(items[i].action, VG_IMPORT_ADDED);
        }
    }
    free(items);
    assert_int_equal(vg_store_latest_op(&got, s3, N(f, "u")), 0);
    assert_string_equal(got.ref, ou2.ref);
    vg_update_op *list = NULL;
    assert_int_equal(vg_store_list_ops(&list, &n, s3, N(f, "u")), 0);
    assert_int_equal(n, 1);
    free(list);

    vg_store_close(s2);
    vg_store_close(s3);
    free(p2);
    free(p3);
    free(bundle1);
    free(bundle2);
}

static void test_import_bad(void **state)
{
    fixture *f = *state;
    adv_buf a;
    const vg_advisory *u1[] = {simple(&a, f, "A", "p", "1")};
    vg_update_op op = run(f, f->s, N(f, "u"), u1, 1);
    vg_store_import_item *items = NULL;
    size_t n = 0;
    char *missing = path_in(f, "missing.bundle");
    assert_int_equal(vg_store_import(&items, &n, f->s, missing), VG_ENOTFOUND);
    free(items);
    free(missing);
    char *p = write_text(f, "empty.bundle", "");
    assert_int_equal(vg_store_import(&items, &n, f->s, p), VG_EINVAL);
    free(items);
    free(p);
    p = write_text(f, "junk.bundle", "hello\n");
    assert_int_equal(vg_store_import(&items, &n, f->s, p), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "line 1"));
    free(items);
    free(p);
    p = write_text(f, "new.bundle", "{\"format\":\"vigil-bundle\",\"version\":99,\"ops\":[]}\n");
    assert_int_equal(vg_store_import(&items, &n, f->s, p), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "bundle format 99 is newer than this vigil"));
    free(items);
    free(p);

    /* A valid bundle (plain text) with a bad advisory on line 4: the op is not written. */
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    const char *u = N(f, "w");
    vg_strbuf_printf(&sb,
                     "{\"format\":\"vigil-bundle\",\"version\":1,\"ops\":[{\"updater\":\"%s\","
                     "\"ref\":\"r-%s\",\"fingerprint\":\"x\",\"date\":100,\"n_advisories\":2}]}\n"
                     "{\"op\":\"r-%s\",\"updater\":\"%s\",\"ref\":\"r-%s\",\"fingerprint\":\"x\","
                     "\"date\":100,\"n_advisories\":2}\n"
                     "{\"id\":\"%s-Z\",\"database_specific\":{\"source\":\"t\"}}\n"
                     "{\"id\":\"%s-Y\",\"affected\":[{\"package\":{\"ecosystem\":\"e\","
                     "\"name\":\"n\"},\"ranges\":[{\"events\":[{\"fixd\":\"1\"}]}]}],"
                     "\"database_specific\":{\"source\":\"t\"}}\n"
                     "{\"end\":true}\n",
                     u, f->prefix, f->prefix, u, f->prefix, f->prefix, f->prefix);
    p = write_text(f, "bad-adv.bundle", sb.buf);
    assert_int_equal(vg_store_import(&items, &n, f->s, p), VG_EINVAL);
    if (!strstr(vg_error_last(), "line 4: affected[0].ranges[0].events[0]: unknown event 'fixd'"))
        fail_msg("message: %s", vg_error_last());
    free(items);
    free(p);
    vg_update_op got;
    assert_int_equal(vg_store_latest_op(&got, f->s, u), VG_ENOTFOUND);
    /* Fixed, but cut after the first advisory: still nothing. */
    char *cut = strstr(sb.buf, "{\"id\":\"");
    cut = strchr(cut, '\n') + 1;
    *cut = '\0';
    p = write_text(f, "cut.bundle", sb.buf);
    assert_int_equal(vg_store_import(&items, &n, f->s, p), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "ends after 1 of 2 advisories"));
    free(items);
    free(p);
    assert_int_equal(vg_store_latest_op(&got, f->s, u), VG_ENOTFOUND);
    vg_strbuf_dispose(&sb);

    /* A gzip'd bundle cut in the middle. */
    char *bundle = path_in(f, "full.bundle");
    vg_update_op *ops = NULL;
    const char *only_u[] = {N(f, "u"), NULL};
    assert_int_equal(vg_store_export(&ops, &n, f->s, bundle, only_u), 0);
    free(ops);
    struct stat st;
    assert_int_equal(stat(bundle, &st), 0);
    assert_int_equal(truncate(bundle, st.st_size / 2), 0);
    if (vg_store_import(&items, &n, f->s, bundle) != VG_EINVAL)
        fail_msg("cut gzip: %s", vg_error_last());
    free(items);
    free(bundle);
    assert_int_equal(vg_store_latest_op(&got, f->s, N(f, "u")), 0);
    assert_int_equal(got.id, op.id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_too_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dedupe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unchanged_diff_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_added_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_affected_newest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_during_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_stamp_delete_generation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
