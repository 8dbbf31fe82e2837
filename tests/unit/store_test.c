/* store_test.c — the store suite, written against store.h alone so that every backend runs the
 * same table of tests: VG_STORE_DSN names the database (default: a fresh temporary SQLite file
 * per test). With a postgres:// DSN and VG_PG_ADMIN (tests/pg/with_pg.sh sets both) each test
 * gets a fresh database of its own; without VG_PG_ADMIN the tests share the one database, so
 * names are prefixed per test, and the checks that would spoil it for the others (a too-new
 * schema) are skipped. Row counts and other backend internals are checked through SQLite's or
 * PostgreSQL's own client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
/* Only for test_migrate_2_to_3, which builds a schema-2 SQLite file from the released
 * migrations; every other test uses store.h alone. */
#include "store/store_int.h"

#include "pg_testdb.h"

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
    char pgdb[40];   /* PostgreSQL: the database made for this test ("" when shared) */
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
    snprintf(f->prefix, sizeof(f->prefix), "t%010llx", rnd() & 0xffffffffffULL);
    const char *env = getenv("VG_STORE_DSN");
    if (env && *env) {
        f->sqlite = strstr(env, "://") == NULL;
        const char *admin = getenv("VG_PG_ADMIN");
        if (!f->sqlite && admin && *admin) {
            snprintf(f->pgdb, sizeof(f->pgdb), "vgt_%s", f->prefix);
            if ((f->dsn = pgdb_create(f->pgdb)) == NULL)
                return -1;
        } else {
            f->dsn = vg_xstrdup(env);
        }
    } else {
        f->dsn = path_in(f, "store.db");
        f->sqlite = true;
    }
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
    pgdb_drop(f->pgdb);
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
    if (!f->sqlite) {
        /* Nobody listens: fails (fast) as unavailable, which the server turns into 503. */
        assert_int_equal(vg_store_open(&bad, "postgres://vigil@127.0.0.1:1/vigil"), VG_EIO);
        if (strncmp(vg_error_last(), "store: PostgreSQL unavailable: ", 31) != 0)
            fail_msg("message: %s", vg_error_last());
        assert_int_equal(vg_store_open(&bad, "postgres://x/y?pool_max_conns=0"), VG_EINVAL);
        /* A database that belongs to something else. */
        char db[48];
        snprintf(db, sizeof(db), "vgt_%s_other", f->prefix);
        char *other = pgdb_create(db);
        if (!other)
            return;
        assert_int_equal(pgdb_exec(other, "CREATE TABLE t (x integer)"), 0);
        assert_int_equal(vg_store_open(&bad, other), VG_EINVAL);
        assert_non_null(strstr(vg_error_last(), "not a vigil database"));
        free(other);
        pgdb_drop(db);
        return;
    }
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
    if (!f->sqlite && !*f->pgdb)
        skip(); /* a shared database: the other tests need it openable */
    int v = 0, latest = 0;
    assert_int_equal(vg_store_schema_version(&v, &latest, f->s), 0);
    vg_store_close(f->s);
    f->s = NULL;
    char sql[128];
    snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, 0)", latest + 1);
    if (f->sqlite) {
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(f->dsn, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    } else {
        assert_int_equal(pgdb_exec(f->dsn, sql), 0);
    }
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
    assert_int_equal(vg_store_manifest_put(f->s, h, "{}", 2, layers, 2, NULL, 0), 0);
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

/* Counts advisories and checks they come in id order. */
typedef struct ordered {
    char last[96];
    size_t n;
    int unordered;
} ordered;

static int ordered_cb(void *ctx, const vg_advisory *a)
{
    ordered *o = ctx;
    if (o->n > 0 && strcmp(o->last, a->id) >= 0)
        o->unordered++;
    snprintf(o->last, sizeof(o->last), "%s", a->id);
    o->n++;
    return 0;
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
    /* All of the op, in id order, across the pages a backend may read it in. */
    ordered o = {.n = 0};
    assert_int_equal(vg_store_op_advisories(s2, op2.id, ordered_cb, &o), 0);
    assert_int_equal(o.n, 1500);
    assert_int_equal(o.unordered, 0);
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
    char db2[48] = "", db3[48] = "";
    char *p2 = NULL, *p3 = NULL;
    if (f->sqlite) {
        p2 = path_in(f, "b.db");
        p3 = path_in(f, "c.db");
    } else if (*f->pgdb) { /* two more fresh databases */
        snprintf(db2, sizeof(db2), "%s_b", f->pgdb);
        snprintf(db3, sizeof(db3), "%s_c", f->pgdb);
        p2 = pgdb_create(db2);
        p3 = pgdb_create(db3);
        assert_true(p2 && p3);
    } else if (dsn2 && dsn3) {
        p2 = vg_xstrdup(dsn2);
        p3 = vg_xstrdup(dsn3);
    } else {
        skip(); /* needs two more empty databases */
    }
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
    pgdb_drop(db2);
    pgdb_drop(db3);
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

/* ---- the package reverse index ------------------------------------------------------- */

typedef struct hashes {
    char h[16][96];
    size_t n;
    int stop_with;
} hashes;

static int hashes_cb(void *ctx, const char *hash)
{
    hashes *c = ctx;
    if (c->n < 16)
        snprintf(c->h[c->n], sizeof(c->h[0]), "%s", hash);
    c->n++;
    return c->stop_with;
}

/* Asserts that exactly the manifests `want` (in hash order) have the key. */
static void with_is(vg_store *s, const char *ns, const char *package, bool source_pkg,
                    const char *const *want, size_t n_want)
{
    hashes c = {0};
    int rc = vg_store_manifests_with(s, ns, package, source_pkg, hashes_cb, &c);
    if (rc != 0)
        fail_msg("manifests_with %s/%s: %s", ns, package, vg_error_last());
    bool ok = c.n == n_want;
    for (size_t i = 0; ok && i < n_want; i++)
        ok = strcmp(c.h[i], want[i]) == 0;
    if (!ok) {
        for (size_t i = 0; i < c.n && i < 16; i++)
            print_error("got %s\n", c.h[i]);
        fail_msg("manifests_with %s/%s/%d: %zu manifests, want %zu", ns, package, source_pkg, c.n,
                 n_want);
    }
}

typedef struct body {
    char text[64];
} body;

static int body_cb(void *ctx, const char *b, size_t len)
{
    body *o = ctx;
    snprintf(o->text, sizeof(o->text), "%.*s", (int)len, b);
    return 0;
}

#define COUNT_MANIFEST_KEYS "SELECT count(*) FROM manifest_pkg WHERE manifest LIKE ?1"

static void test_manifest_keys(void **state)
{
    fixture *f = *state;
    char ns[64], m1[96], m2[96], m3[96], pypkg[96];
    snprintf(ns, sizeof(ns), "%s:1", f->prefix);
    snprintf(m1, sizeof(m1), "%s", N(f, "sha256:m1"));
    snprintf(m2, sizeof(m2), "%s", N(f, "sha256:m2"));
    snprintf(m3, sizeof(m3), "%s", N(f, "sha256:m3"));
    snprintf(pypkg, sizeof(pypkg), "%s", N(f, "requests"));
    const char *layers[] = {"sha256:l1"};
    const vg_store_pkg_key k1[] = {{ns, "openssl", true},
                                   {ns, "libssl3", false},
                                   {ns, "openssl", true}, /* a duplicate: stored once */
                                   {"pypi", pypkg, false}};
    const vg_store_pkg_key k2[] = {{ns, "openssl", true}, {ns, "zlib", true}};
    const vg_store_pkg_key k3[] = {{ns, "openssl", false}}; /* the binary, not the source */
    assert_int_equal(vg_store_manifest_put(f->s, m1, "{\"v\":1}", 7, layers, 1, k1, 4), 0);
    assert_int_equal(vg_store_manifest_put(f->s, m2, "{}", 2, layers, 1, k2, 2), 0);
    assert_int_equal(vg_store_manifest_put(f->s, m3, "{}", 2, NULL, 0, k3, 1), 0);
    const char *both[] = {m1, m2};
    with_is(f->s, ns, "openssl", true, both, 2);
    with_is(f->s, ns, "openssl", false, (const char *[]){m3}, 1);
    with_is(f->s, ns, "libssl3", false, (const char *[]){m1}, 1);
    with_is(f->s, ns, "libssl3", true, NULL, 0);
    with_is(f->s, "pypi", pypkg, false, (const char *[]){m1}, 1);
    with_is(f->s, ns, "zlib", true, (const char *[]){m2}, 1);
    with_is(f->s, ns, "nothing", true, NULL, 0);
    if (f->sqlite)
        assert_int_equal(sqlite_count(f, COUNT_MANIFEST_KEYS, "-sha256:m1"), 3);

    /* A callback's non-zero return stops the walk and comes back. */
    hashes stop = {.stop_with = 7};
    assert_int_equal(vg_store_manifests_with(f->s, ns, "openssl", true, hashes_cb, &stop), 7);
    assert_int_equal(stop.n, 1);

    /* Replacing m1 drops its old keys; m2's stay. */
    const vg_store_pkg_key k1b[] = {{ns, "zlib", true}};
    assert_int_equal(vg_store_manifest_put(f->s, m1, "{\"v\":2}", 7, layers, 1, k1b, 1), 0);
    body b = {{0}};
    assert_int_equal(vg_store_manifest_get(f->s, m1, body_cb, &b), 0);
    assert_string_equal(b.text, "{\"v\":2}");
    with_is(f->s, ns, "openssl", true, (const char *[]){m2}, 1);
    with_is(f->s, ns, "libssl3", false, NULL, 0);
    with_is(f->s, "pypi", pypkg, false, NULL, 0);
    with_is(f->s, ns, "zlib", true, both, 2);
    /* Replaced without keys: none left. */
    assert_int_equal(vg_store_manifest_put(f->s, m2, "{}", 2, NULL, 0, NULL, 0), 0);
    with_is(f->s, ns, "zlib", true, (const char *[]){m1}, 1);
    with_is(f->s, ns, "openssl", true, NULL, 0);

    /* Bad keys are refused and leave the record as it was. */
    const vg_store_pkg_key bad1[] = {{ns, "zlib", true}, {NULL, "x", true}};
    const vg_store_pkg_key bad2[] = {{ns, "", true}};
    assert_int_equal(vg_store_manifest_put(f->s, m1, "{}", 2, layers, 1, bad1, 2), VG_EINVAL);
    assert_int_equal(vg_store_manifest_put(f->s, m1, "{}", 2, layers, 1, bad2, 1), VG_EINVAL);
    assert_int_equal(vg_store_manifest_put(f->s, m1, "{}", 2, layers, 1, NULL, 1), VG_EINVAL);
    assert_int_equal(vg_store_manifest_put(f->s, "", "{}", 2, layers, 1, k1, 1), VG_EINVAL);
    assert_int_equal(vg_store_manifest_get(f->s, m1, body_cb, &b), 0);
    assert_string_equal(b.text, "{\"v\":2}");
    with_is(f->s, ns, "zlib", true, (const char *[]){m1}, 1);

    /* Deleting a manifest deletes its keys. */
    bool deleted = false;
    assert_int_equal(vg_store_manifest_delete(&deleted, f->s, m1), 0);
    assert_true(deleted);
    with_is(f->s, ns, "zlib", true, NULL, 0);
    assert_int_equal(vg_store_manifest_delete(&deleted, f->s, m3), 0);
    with_is(f->s, ns, "openssl", false, NULL, 0);
    if (f->sqlite)
        assert_int_equal(sqlite_count(f, COUNT_MANIFEST_KEYS, "-sha256:%"), 0);
}

static void test_manifest_count(void **state)
{
    fixture *f = *state;
    uint64_t n0 = 0, n = 0;
    assert_int_equal(vg_store_manifest_count(&n0, f->s), 0);
    const char *names[] = {"c1", "c2", "c3"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(vg_store_manifest_put(f->s, N(f, names[i]), "{}", 2, NULL, 0, NULL, 0), 0);
    assert_int_equal(vg_store_manifest_count(&n, f->s), 0);
    assert_int_equal(n, n0 + 3);
    /* A replaced manifest is still one. */
    assert_int_equal(vg_store_manifest_put(f->s, N(f, "c2"), "[]", 2, NULL, 0, NULL, 0), 0);
    assert_int_equal(vg_store_manifest_count(&n, f->s), 0);
    assert_int_equal(n, n0 + 3);
    bool deleted = false;
    assert_int_equal(vg_store_manifest_delete(&deleted, f->s, N(f, "c1")), 0);
    assert_int_equal(vg_store_manifest_count(&n, f->s), 0);
    assert_int_equal(n, n0 + 2);
}

/* ---- notifications ------------------------------------------------------------------- */

/* `n` notifications: manifest "<prefix>-m<i>", summary {"i":<i>}, reasons alternating. */
typedef struct notes {
    vg_notification *items;
    char (*manifest)[64];
    char (*summary)[32];
    size_t n;
} notes;

static notes make_notes(const fixture *f, size_t n)
{
    notes o = {vg_xcalloc(n, sizeof(*o.items)), vg_xcalloc(n, sizeof(*o.manifest)),
               vg_xcalloc(n, sizeof(*o.summary)), n};
    for (size_t i = 0; i < n; i++) {
        snprintf(o.manifest[i], sizeof(o.manifest[0]), "%s-m%zu", f->prefix, i + 1);
        snprintf(o.summary[i], sizeof(o.summary[0]), "{\"i\":%zu}", i + 1);
        o.items[i] = (vg_notification){
            o.manifest[i], i % 3 == 2 ? VG_NOTIFY_REMOVED : VG_NOTIFY_ADDED, o.summary[i]};
    }
    return o;
}

static void notes_free(notes *o)
{
    free(o->items);
    free(o->manifest);
    free(o->summary);
}

/* Writes a set of `n` notifications of updater "<prefix>-u"; asserts success. */
static vg_notify_set put_set(const fixture *f, vg_store *s, size_t n, bool deliver)
{
    notes o = make_notes(f, n);
    vg_notify_set set;
    if (vg_store_notify_put(&set, s, N(f, "u"), "00000000-0000-4000-8000-000000000001", o.items, n,
                            deliver) != 0)
        fail_msg("notify_put: %s", vg_error_last());
    notes_free(&o);
    return set;
}

static void set_eq(const vg_notify_set *x, const vg_notify_set *y)
{
    assert_string_equal(x->id, y->id);
    assert_string_equal(x->updater, y->updater);
    assert_string_equal(x->op_ref, y->op_ref);
    assert_int_equal(x->created, y->created);
    assert_int_equal(x->count, y->count);
    assert_int_equal(x->acked, y->acked);
    assert_int_equal(x->delivery, y->delivery);
    assert_int_equal(x->attempts, y->attempts);
    assert_int_equal(x->next_attempt, y->next_attempt);
    assert_string_equal(x->last_error, y->last_error);
}

/* Checks each notification of a page against make_notes and that seqs follow on. */
typedef struct pager {
    const notes *want;
    uint64_t last;  /* the seq seen last */
    size_t in_page; /* calls in the current page */
    int bad;
} pager;

static int pager_cb(void *ctx, uint64_t seq, const vg_notification *n)
{
    pager *p = ctx;
    p->in_page++;
    if (seq != p->last + 1 || seq > p->want->n) {
        p->bad++;
        return 0;
    }
    p->last = seq;
    const vg_notification *w = &p->want->items[seq - 1];
    if (strcmp(n->manifest, w->manifest) != 0 || strcmp(n->summary, w->summary) != 0 ||
        n->reason != w->reason)
        p->bad++;
    return 0;
}

static void page_through(vg_store *s, const notes *want, const char *id, size_t limit)
{
    pager p = {.want = want};
    uint64_t after = 0, next = 0;
    size_t pages = 0;
    do {
        p.in_page = 0;
        if (vg_store_notify_page(s, id, after, limit, pager_cb, &p, &next) != 0)
            fail_msg("page after %llu: %s", (unsigned long long)after, vg_error_last());
        assert_true(p.in_page <= limit);
        if (next != 0) { /* more follow: a full page, and the cursor is its last seq */
            assert_int_equal(p.in_page, limit);
            assert_int_equal(next, p.last);
        }
        after = next;
        pages++;
    } while (next != 0);
    assert_int_equal(p.bad, 0);
    assert_int_equal(p.last, want->n); /* every seq once, in order, to the end */
    assert_int_equal(pages, (want->n + limit - 1) / limit);
}

static int stop_cb(void *ctx, uint64_t seq, const vg_notification *n)
{
    (void)seq;
    (void)n;
    return *(int *)ctx;
}

static void test_notify_put_page(void **state)
{
    fixture *f = *state;
    notes want = make_notes(f, 1000);
    time_t before = time(NULL);
    vg_notify_set set;
    assert_int_equal(vg_store_notify_put(&set, f->s, N(f, "u"),
                                         "00000000-0000-4000-8000-000000000001", want.items, 1000,
                                         false),
                     0);
    assert_int_equal(strlen(set.id), 36);
    assert_int_equal(set.id[14], '4');
    assert_string_equal(set.updater, N(f, "u"));
    assert_string_equal(set.op_ref, "00000000-0000-4000-8000-000000000001");
    assert_true(set.created >= before && set.created <= time(NULL));
    assert_int_equal(set.count, 1000);
    assert_false(set.acked);
    assert_int_equal(set.delivery, VG_DELIVERY_NONE);
    assert_int_equal(set.attempts, 0);
    assert_int_equal(set.next_attempt, 0);
    assert_string_equal(set.last_error, "");
    vg_notify_set got;
    assert_int_equal(vg_store_notify_get(&got, f->s, set.id), 0);
    set_eq(&got, &set);

    page_through(f->s, &want, set.id, 1);
    page_through(f->s, &want, set.id, 7);
    page_through(f->s, &want, set.id, 500);
    page_through(f->s, &want, set.id, 1000);
    page_through(f->s, &want, set.id, 5000);

    /* The cursor is stable: the same page twice, and the edges. */
    pager p1 = {.want = &want, .last = 14}, p2 = {.want = &want, .last = 14};
    uint64_t next1 = 0, next2 = 0;
    assert_int_equal(vg_store_notify_page(f->s, set.id, 14, 7, pager_cb, &p1, &next1), 0);
    assert_int_equal(vg_store_notify_page(f->s, set.id, 14, 7, pager_cb, &p2, &next2), 0);
    assert_int_equal(next1, 21);
    assert_int_equal(next2, 21);
    assert_int_equal(p1.bad + p2.bad, 0);
    pager p = {.want = &want, .last = 994};
    uint64_t next = 1;
    assert_int_equal(vg_store_notify_page(f->s, set.id, 994, 5, pager_cb, &p, &next), 0);
    assert_int_equal(next, 999);
    p = (pager){.want = &want, .last = 995};
    assert_int_equal(vg_store_notify_page(f->s, set.id, 995, 5, pager_cb, &p, &next), 0);
    assert_int_equal(next, 0); /* exactly the last five: nothing follows */
    assert_int_equal(p.last, 1000);
    p = (pager){.want = &want, .last = 1000};
    next = 1;
    assert_int_equal(vg_store_notify_page(f->s, set.id, 1000, 5, pager_cb, &p, &next), 0);
    assert_int_equal(p.in_page, 0);
    assert_int_equal(next, 0);
    assert_int_equal(vg_store_notify_page(f->s, set.id, UINT64_MAX, 5, pager_cb, &p, NULL), 0);
    assert_int_equal(p.in_page, 0);

    /* A callback's non-zero return stops the page and comes back. */
    int stop = 9;
    assert_int_equal(vg_store_notify_page(f->s, set.id, 0, 10, stop_cb, &stop, &next), 9);

    /* A second set keeps its own numbering. */
    vg_notify_set other = put_set(f, f->s, 3, true);
    assert_string_not_equal(other.id, set.id);
    assert_int_equal(other.delivery, VG_DELIVERY_PENDING);
    assert_int_equal(other.next_attempt, other.created);
    notes w3 = make_notes(f, 3);
    page_through(f->s, &w3, other.id, 2);
    notes_free(&w3);
    notes_free(&want);
}

/* A page larger than VG_STORE_NOTIFY_PAGE_MAX is clamped to it. */
static void test_notify_page_cap(void **state)
{
    fixture *f = *state;
    const size_t n = VG_STORE_NOTIFY_PAGE_MAX + 1;
    notes want = make_notes(f, n);
    vg_notify_set set;
    assert_int_equal(vg_store_notify_put(&set, f->s, N(f, "u"), "r-1", want.items, n, false), 0);
    pager p = {.want = &want};
    uint64_t next = 0;
    assert_int_equal(vg_store_notify_page(f->s, set.id, 0, SIZE_MAX, pager_cb, &p, &next), 0);
    assert_int_equal(p.in_page, VG_STORE_NOTIFY_PAGE_MAX);
    assert_int_equal(next, VG_STORE_NOTIFY_PAGE_MAX);
    p.in_page = 0;
    assert_int_equal(vg_store_notify_page(f->s, set.id, next, SIZE_MAX, pager_cb, &p, &next), 0);
    assert_int_equal(p.in_page, 1);
    assert_int_equal(next, 0);
    assert_int_equal(p.bad, 0);
    assert_int_equal(p.last, n);
    notes_free(&want);
}

static void test_notify_list_ack(void **state)
{
    fixture *f = *state;
    vg_notify_set a = put_set(f, f->s, 2, false);
    vg_notify_set b = put_set(f, f->s, 3, false);
    vg_notify_set c = put_set(f, f->s, 4, true);
    vg_notify_set *list = NULL;
    size_t n = 0;
    assert_int_equal(vg_store_notify_list(&list, &n, f->s, 100), 0);
    /* Newest first (the same second: in the order written); other tests' sets may follow. */
    assert_true(n >= 3);
    set_eq(&list[0], &c);
    set_eq(&list[1], &b);
    set_eq(&list[2], &a);
    free(list);
    assert_int_equal(vg_store_notify_list(&list, &n, f->s, 2), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].id, c.id);
    assert_string_equal(list[1].id, b.id);
    free(list);
    assert_int_equal(vg_store_notify_list(&list, &n, f->s, SIZE_MAX), 0); /* clamped */
    assert_true(n >= 3 && n <= VG_STORE_NOTIFY_PAGE_MAX);
    free(list);
    assert_int_equal(vg_store_notify_list(&list, &n, f->s, 0), VG_EINVAL);
    assert_null(list);

    assert_int_equal(vg_store_notify_ack(f->s, b.id), 0);
    assert_int_equal(vg_store_notify_ack(f->s, b.id), 0); /* again: fine */
    vg_notify_set got;
    assert_int_equal(vg_store_notify_get(&got, f->s, b.id), 0);
    assert_true(got.acked);
    b.acked = true;
    set_eq(&got, &b);
    assert_int_equal(vg_store_notify_get(&got, f->s, a.id), 0);
    assert_false(got.acked);
    /* An acknowledged set still pages. */
    notes w = make_notes(f, 3);
    page_through(f->s, &w, b.id, 2);
    notes_free(&w);
}

static void test_notify_bad_input(void **state)
{
    fixture *f = *state;
    notes o = make_notes(f, 2);
    vg_notify_set set, got;
    const char *ref = "00000000-0000-4000-8000-000000000001";
    const char *u = N(f, "u");
    assert_int_equal(vg_store_notify_put(&set, f->s, u, ref, o.items, 0, false), VG_EINVAL);
    /* Over the cap: refused before the items are read. */
    assert_int_equal(vg_store_notify_put(&set, f->s, u, ref, o.items,
                                         (size_t)VG_STORE_MAX_NOTIFICATIONS + 1, false),
                     VG_ETOOBIG);
    assert_int_equal(vg_store_notify_put(&set, f->s, u, ref, o.items, SIZE_MAX, true), VG_ETOOBIG);
    assert_int_equal(vg_store_notify_put(&set, f->s, "bad name", ref, o.items, 2, false),
                     VG_EINVAL);
    assert_int_equal(vg_store_notify_put(&set, f->s, u, "", o.items, 2, false), VG_EINVAL);
    assert_int_equal(vg_store_notify_put(&set, f->s, u, ref, NULL, 2, false), VG_EINVAL);
    o.items[1].manifest = NULL;
    assert_int_equal(vg_store_notify_put(&set, f->s, u, ref, o.items, 2, false), VG_EINVAL);
    o.items[1].manifest = "";
    assert_int_equal(vg_store_notify_put(&set, f->s, u, ref, o.items, 2, false), VG_EINVAL);
    o.items[1].manifest = o.manifest[1];
    o.items[1].summary = NULL;
    assert_int_equal(vg_store_notify_put(&set, f->s, u, ref, o.items, 2, false), VG_EINVAL);
    o.items[1].summary = o.summary[1];
    o.items[1].reason = (vg_notify_reason)7;
    assert_int_equal(vg_store_notify_put(&set, f->s, u, ref, o.items, 2, false), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "notification 2"));
    o.items[1].reason = VG_NOTIFY_REMOVED;
    /* Nothing of the refused sets was written. */
    vg_notify_set *list = NULL;
    size_t n = 0;
    assert_int_equal(vg_store_notify_list(&list, &n, f->s, 100), 0);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(list[i].updater, u);
    free(list);
    assert_int_equal(vg_store_notify_put(NULL, f->s, u, ref, o.items, 2, false), 0);

    /* Unknown ids. */
    const char *nope = "00000000-0000-4000-8000-00000000dead";
    uint64_t next = 5;
    int zero = 0;
    assert_int_equal(vg_store_notify_get(&got, f->s, nope), VG_ENOTFOUND);
    assert_int_equal(vg_store_notify_ack(f->s, nope), VG_ENOTFOUND);
    assert_int_equal(vg_store_notify_page(f->s, nope, 0, 10, stop_cb, &zero, &next), VG_ENOTFOUND);
    assert_int_equal(next, 0);
    assert_int_equal(vg_store_delivery_done(f->s, nope, VG_DELIVERY_DELIVERED, 0, NULL),
                     VG_ENOTFOUND);
    assert_int_equal(vg_store_notify_get(&got, f->s, ""), VG_ENOTFOUND);

    /* Bad limits and arguments. */
    vg_notify_set mine = put_set(f, f->s, 2, false);
    assert_int_equal(vg_store_notify_page(f->s, mine.id, 0, 0, stop_cb, &zero, &next), VG_EINVAL);
    assert_int_equal(vg_store_delivery_claim(&got, f->s, time(NULL), "", 60), VG_EINVAL);
    assert_int_equal(vg_store_delivery_claim(&got, f->s, time(NULL), NULL, 60), VG_EINVAL);
    assert_int_equal(vg_store_delivery_claim(&got, f->s, time(NULL), "bad\nowner", 60), VG_EINVAL);
    char owner[130];
    memset(owner, 'o', sizeof(owner) - 1);
    owner[sizeof(owner) - 1] = '\0';
    assert_int_equal(vg_store_delivery_claim(&got, f->s, time(NULL), owner, 60), VG_EINVAL);
    assert_int_equal(vg_store_delivery_claim(&got, f->s, time(NULL), "w", 0), VG_EINVAL);
    assert_int_equal(vg_store_delivery_claim(&got, f->s, time(NULL), "w", -5), VG_EINVAL);
    assert_int_equal(vg_store_delivery_claim(&got, f->s, INT64_MAX - 10, "w", 60), VG_EINVAL);
    /* NONE is not an outcome, and a set made without delivery has none. */
    assert_int_equal(vg_store_delivery_done(f->s, mine.id, VG_DELIVERY_NONE, 0, NULL), VG_EINVAL);
    assert_int_equal(vg_store_delivery_done(f->s, mine.id, (vg_delivery_state)9, 0, NULL),
                     VG_EINVAL);
    assert_int_equal(vg_store_delivery_done(f->s, mine.id, VG_DELIVERY_DELIVERED, 0, NULL),
                     VG_EINVAL);
    assert_int_equal(vg_store_notify_get(&got, f->s, mine.id), 0);
    set_eq(&got, &mine);
    size_t deleted = 9;
    assert_int_equal(vg_store_notify_gc(&deleted, f->s, time(NULL), 60, 0), VG_EINVAL);
    assert_int_equal(deleted, 0);
    assert_int_equal(vg_store_notify_gc(&deleted, f->s, time(NULL), -1, 10), VG_EINVAL);
    notes_free(&o);
}

/* Delivers (marks DELIVERED) every set due by far in the future, so that a claim test on a
 * shared database sees only its own sets. */
static void drain(vg_store *s)
{
    vg_notify_set set;
    int64_t far = (int64_t)time(NULL) + 100LL * 365 * 86400;
    int rc, n = 0;
    while ((rc = vg_store_delivery_claim(&set, s, far, "drain", 1)) == 0 && n++ < 100000)
        assert_int_equal(vg_store_delivery_done(s, set.id, VG_DELIVERY_DELIVERED, 0, NULL), 0);
    assert_int_equal(rc, VG_ENOTFOUND);
}

static void claim_is(vg_store *s, int64_t now, const char *owner, const char *want)
{
    vg_notify_set got;
    int rc = vg_store_delivery_claim(&got, s, now, owner, 60);
    if (!want) {
        if (rc != VG_ENOTFOUND)
            fail_msg("claim at %lld: rc %d (%s), want none", (long long)now, rc,
                     rc == 0 ? got.id : vg_error_last());
        return;
    }
    if (rc != 0)
        fail_msg("claim at %lld: %s", (long long)now, vg_error_last());
    assert_string_equal(got.id, want);
    assert_int_equal(got.delivery, VG_DELIVERY_PENDING);
}

static void test_delivery_claim(void **state)
{
    fixture *f = *state;
    drain(f->s);
    vg_notify_set a = put_set(f, f->s, 2, true);
    vg_notify_set b = put_set(f, f->s, 2, true);
    vg_notify_set none = put_set(f, f->s, 2, false);
    int64_t now = (int64_t)time(NULL);
    /* Not due before it was made. */
    claim_is(f->s, a.created - 1, "w1", NULL);
    /* Two claimers get different sets (the oldest first), then nothing. */
    claim_is(f->s, now, "w1", a.id);
    claim_is(f->s, now, "w2", b.id);
    claim_is(f->s, now, "w3", NULL);
    claim_is(f->s, now + 59, "w3", NULL);
    /* The leases ran out (the deliverers died): claimable again. */
    claim_is(f->s, now + 60, "w3", a.id);
    claim_is(f->s, now + 60, "w3", b.id);
    claim_is(f->s, now + 60, "w3", NULL);

    /* DELIVERED is never claimed again. */
    assert_int_equal(vg_store_delivery_done(f->s, a.id, VG_DELIVERY_DELIVERED, 0, NULL), 0);
    vg_notify_set got;
    assert_int_equal(vg_store_notify_get(&got, f->s, a.id), 0);
    assert_int_equal(got.delivery, VG_DELIVERY_DELIVERED);
    assert_int_equal(got.attempts, 1);
    assert_int_equal(got.next_attempt, 0);
    claim_is(f->s, now + 1000, "w4", b.id);

    /* A retry is not claimed before its time. */
    assert_int_equal(
        vg_store_delivery_done(f->s, b.id, VG_DELIVERY_PENDING, now + 5000, "HTTP 503"), 0);
    assert_int_equal(vg_store_notify_get(&got, f->s, b.id), 0);
    assert_int_equal(got.delivery, VG_DELIVERY_PENDING);
    assert_int_equal(got.attempts, 1);
    assert_int_equal(got.next_attempt, now + 5000);
    assert_string_equal(got.last_error, "HTTP 503");
    claim_is(f->s, now + 4999, "w5", NULL);
    claim_is(f->s, now + 5000, "w5", b.id);

    /* An acknowledged set is not delivered any more. */
    vg_notify_set c = put_set(f, f->s, 2, true);
    assert_int_equal(vg_store_notify_ack(f->s, c.id), 0);
    claim_is(f->s, now + 100000, "w6", b.id); /* b's lease (from w5) ran out */
    claim_is(f->s, now + 100001, "w7", NULL); /* b is leased again; c is acknowledged */

    /* Given up: FAILED, with the error cut at 255 bytes but never inside a UTF-8 sequence. */
    char err[300];
    memset(err, 'e', sizeof(err) - 1);
    err[sizeof(err) - 1] = '\0';
    err[254] = (char)0xc3; /* "é" across the cut */
    err[255] = (char)0xa9;
    assert_int_equal(vg_store_delivery_done(f->s, b.id, VG_DELIVERY_FAILED, now + 1, err), 0);
    assert_int_equal(vg_store_notify_get(&got, f->s, b.id), 0);
    assert_int_equal(got.delivery, VG_DELIVERY_FAILED);
    assert_int_equal(got.attempts, 2);
    assert_int_equal(got.next_attempt, 0);
    assert_int_equal(strlen(got.last_error), 254);
    claim_is(f->s, now + 100000000, "w6", NULL);

    /* A late outcome (an expired lease's deliverer) does not undo DELIVERED. */
    assert_int_equal(vg_store_delivery_done(f->s, a.id, VG_DELIVERY_PENDING, now, "late"), 0);
    assert_int_equal(vg_store_notify_get(&got, f->s, a.id), 0);
    assert_int_equal(got.delivery, VG_DELIVERY_DELIVERED);
    assert_int_equal(got.attempts, 1);
    assert_string_equal(got.last_error, "");
    /* A set made without delivery is never claimed, and takes no outcome. */
    assert_int_equal(vg_store_delivery_done(f->s, none.id, VG_DELIVERY_DELIVERED, 0, NULL),
                     VG_EINVAL);
    assert_int_equal(vg_store_notify_get(&got, f->s, none.id), 0);
    assert_int_equal(got.delivery, VG_DELIVERY_NONE);
}

/* Claimers on several threads, and on two handles (as two processes would be), each claim
 * until nothing is due: every set is claimed exactly once. */
#define CLAIM_SETS 24
#define CLAIM_THREADS 6

typedef struct claimer {
    vg_store *s;
    int64_t now;
    char owner[16];
    char ids[CLAIM_SETS][40];
    size_t n;
    int errors;
} claimer;

static void *claimer_thread(void *p)
{
    claimer *c = p;
    vg_notify_set set;
    int rc = VG_ENOTFOUND;
    /* Bounded: a claim that ignored leases would hand out the same set forever. */
    while (c->n <= CLAIM_SETS &&
           (rc = vg_store_delivery_claim(&set, c->s, c->now, c->owner, 600)) == 0) {
        if (c->n < CLAIM_SETS)
            snprintf(c->ids[c->n], sizeof(c->ids[0]), "%s", set.id);
        c->n++;
    }
    if (rc != VG_ENOTFOUND)
        c->errors++;
    return NULL;
}

static void test_delivery_claim_concurrent(void **state)
{
    fixture *f = *state;
    vg_store *s2 = NULL;
    assert_int_equal(vg_store_open(&s2, f->dsn), 0);
    drain(f->s);
    vg_notify_set sets[CLAIM_SETS];
    for (int i = 0; i < CLAIM_SETS; i++)
        sets[i] = put_set(f, i % 2 ? s2 : f->s, 1, true);
    pthread_t th[CLAIM_THREADS];
    claimer *cl = vg_xcalloc(CLAIM_THREADS, sizeof(*cl));
    for (int i = 0; i < CLAIM_THREADS; i++) {
        cl[i].s = i % 2 ? s2 : f->s;
        cl[i].now = (int64_t)time(NULL);
        snprintf(cl[i].owner, sizeof(cl[i].owner), "w%d", i);
        assert_int_equal(pthread_create(&th[i], NULL, claimer_thread, &cl[i]), 0);
    }
    size_t total = 0;
    for (int i = 0; i < CLAIM_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(cl[i].errors, 0);
        total += cl[i].n;
    }
    assert_int_equal(total, CLAIM_SETS);
    for (int k = 0; k < CLAIM_SETS; k++) {
        int seen = 0;
        for (int i = 0; i < CLAIM_THREADS; i++)
            for (size_t j = 0; j < cl[i].n && j < CLAIM_SETS; j++)
                seen += strcmp(cl[i].ids[j], sets[k].id) == 0;
        assert_int_equal(seen, 1);
    }
    free(cl);

    /* One handle's lease holds against the other handle until it runs out. */
    drain(f->s);
    vg_notify_set x = put_set(f, f->s, 1, true);
    int64_t now = (int64_t)time(NULL);
    claim_is(f->s, now, "p1", x.id);
    claim_is(s2, now, "p2", NULL);
    claim_is(s2, now + 59, "p2", NULL);
    claim_is(s2, now + 60, "p2", x.id);
    claim_is(f->s, now + 61, "p1", NULL);
    assert_int_equal(vg_store_delivery_done(s2, x.id, VG_DELIVERY_DELIVERED, 0, NULL), 0);
    claim_is(f->s, now + 100000, "p1", NULL);
    vg_store_close(s2);
}

#define COUNT_NOTIFICATIONS "SELECT count(*) FROM notification WHERE manifest LIKE ?1"

static void test_notify_gc(void **state)
{
    fixture *f = *state;
    vg_notify_set a = put_set(f, f->s, 5, true);
    vg_notify_set b = put_set(f, f->s, 5, false);
    vg_notify_set c = put_set(f, f->s, 5, false);
    vg_notify_set got;
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(vg_store_notify_ack(f->s, b.id), 0);
    /* Acknowledged sets go whatever their age. */
    size_t deleted = 0;
    assert_int_equal(vg_store_notify_gc(&deleted, f->s, now, 86400, 100), 0);
    assert_true(deleted >= 1);
    assert_int_equal(vg_store_notify_get(&got, f->s, b.id), VG_ENOTFOUND);
    int zero = 0;
    assert_int_equal(vg_store_notify_page(f->s, b.id, 0, 10, stop_cb, &zero, NULL), VG_ENOTFOUND);
    assert_int_equal(vg_store_notify_get(&got, f->s, a.id), 0);
    assert_int_equal(vg_store_notify_get(&got, f->s, c.id), 0);
    assert_int_equal(vg_store_notify_gc(&deleted, f->s, now, 86400, 100), 0);
    assert_int_equal(deleted, 0);
    /* Old sets go, in batches, oldest first, whatever their delivery state. */
    size_t calls = 0;
    do {
        assert_int_equal(vg_store_notify_gc(&deleted, f->s, now + 2 * 86400, 86400, 1), 0);
        assert_true(deleted <= 1);
        calls++;
    } while (deleted != 0);
    assert_true(calls >= 3);
    assert_int_equal(vg_store_notify_get(&got, f->s, a.id), VG_ENOTFOUND);
    assert_int_equal(vg_store_notify_get(&got, f->s, c.id), VG_ENOTFOUND);
    if (f->sqlite) /* their notifications went with them */
        assert_int_equal(sqlite_count(f, COUNT_NOTIFICATIONS, "-m%"), 0);
    /* Sets younger than the age stay. */
    vg_notify_set d = put_set(f, f->s, 1, false);
    assert_int_equal(vg_store_notify_gc(&deleted, f->s, now, 86400, 100), 0);
    assert_int_equal(vg_store_notify_get(&got, f->s, d.id), 0);
}

/* ---- migrations ---------------------------------------------------------------------- */

/* A schema-2 store (migrations 1-2 as released, with the rows below) after it was opened
 * by this vigil: migrated, its data kept, and the new tables work. */
static void check_migrated(const fixture *f, const char *dsn)
{
    vg_store *s = NULL;
    if (vg_store_open(&s, dsn) != 0)
        fail_msg("open a schema 2 database: %s", vg_error_last());
    int v = 0, latest = 0;
    assert_int_equal(vg_store_schema_version(&v, &latest, s), 0);
    assert_int_equal(v, latest);
    assert_true(latest >= 3);
    body b = {{0}};
    assert_int_equal(vg_store_manifest_get(s, "sha256:m2", body_cb, &b), 0);
    assert_string_equal(b.text, "{\"old\":true}");
    int64_t stamp = 0;
    assert_int_equal(vg_store_manifest_stamp(&stamp, s, "sha256:m2"), 0);
    assert_int_equal(stamp, 1700000001);
    assert_int_equal(vg_store_layer_get(s, "sha256:l1", "v1", body_cb, &b), 0);
    vg_update_op op;
    assert_int_equal(vg_store_latest_op(&op, s, "debian"), 0);
    assert_string_equal(op.ref, "00000000-0000-4000-8000-0000000000aa");
    uint64_t count = 0;
    assert_int_equal(vg_store_manifest_count(&count, s), 0);
    assert_int_equal(count, 1);
    /* A manifest from before the index has no keys until it is recorded again. */
    with_is(s, "debian:12", "openssl", true, NULL, 0);
    const vg_store_pkg_key k[] = {{"debian:12", "openssl", true}};
    const char *layers[] = {"sha256:l1", "sha256:l2"};
    assert_int_equal(vg_store_manifest_put(s, "sha256:m2", "{}", 2, layers, 2, k, 1), 0);
    with_is(s, "debian:12", "openssl", true, (const char *[]){"sha256:m2"}, 1);
    notes o = make_notes(f, 2);
    vg_notify_set set;
    assert_int_equal(vg_store_notify_put(&set, s, "debian", op.ref, o.items, 2, true), 0);
    notes_free(&o);
    vg_store_close(s);
}

#define SCHEMA2_DATA(TRUE)                                                                         \
    "INSERT INTO schema_version VALUES (1, 0), (2, 0);"                                            \
    "INSERT INTO update_op (ref, updater, fingerprint, date, n_advisories, committed) "            \
    "VALUES ('00000000-0000-4000-8000-0000000000aa', 'debian', 'fp', 1700000000, 0, " TRUE ");"    \
    "INSERT INTO manifest VALUES ('sha256:m2', '{\"old\":true}', 1700000001);"                     \
    "INSERT INTO manifest_layer VALUES ('sha256:m2', 0, 'sha256:l1'), "                            \
    "('sha256:m2', 1, 'sha256:l2');"                                                               \
    "INSERT INTO layer_result VALUES ('sha256:l1', 'v1', '{}', 1700000000);"

/* PostgreSQL: the same from vg__pg_migrations 1-2, in a database of its own. */
static void migrate_2_pg(const fixture *f)
{
    if (!*f->pgdb)
        skip();
    char db[48];
    snprintf(db, sizeof(db), "%s_v2", f->pgdb);
    char *dsn = pgdb_create(db);
    assert_non_null(dsn);
    assert_int_equal(pgdb_exec(dsn, "CREATE TABLE schema_version (version integer PRIMARY KEY, "
                                    "applied bigint NOT NULL)"),
                     0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pgdb_exec(dsn, vg__pg_migrations[i]), 0);
    assert_int_equal(pgdb_exec(dsn, SCHEMA2_DATA("true")), 0);
    check_migrated(f, dsn);
    free(dsn);
    pgdb_drop(db);
}

/* A database made by a vigil at schema 2 (migrations 1-2 exactly as released, with data in
 * them) opens, migrates, and keeps its data. */
static void test_migrate_2_to_3(void **state)
{
    fixture *f = *state;
    if (!f->sqlite) {
        migrate_2_pg(f);
        return;
    }
    char *path = path_in(f, "v2.db");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                                  "applied INTEGER NOT NULL)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(sqlite3_exec(db, vg__sqlite_migrations[i], NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, SCHEMA2_DATA("1"), NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    check_migrated(f, path);

    /* The migrated file is sound. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(path);
}

/* ---- scale-out, copy and the dashboard (migration 4) --------------------------------- */

/* The database is this test's own (SQLite file, or a PostgreSQL database made for it). */
static bool isolated(const fixture *f)
{
    return f->sqlite || *f->pgdb;
}

/* Collects a manifest listing; only this test's manifests (hash starts with the prefix). */
typedef struct listing {
    const fixture *f;
    char hash[8][96];
    char names[8][1024];
    int64_t indexed[8];
    size_t n, calls;
    int stop_with;
} listing;

static int listing_cb(void *ctx, const vg_store_manifest_info *m)
{
    listing *l = ctx;
    l->calls++;
    if (strncmp(m->hash, l->f->prefix, strlen(l->f->prefix)) != 0)
        return 0;
    if (l->n < 8) {
        snprintf(l->hash[l->n], sizeof(l->hash[0]), "%s", m->hash);
        snprintf(l->names[l->n], sizeof(l->names[0]), "%s", m->names);
        l->indexed[l->n] = m->indexed;
    }
    l->n++;
    return l->stop_with;
}

static void test_manifest_list_names(void **state)
{
    fixture *f = *state;
    char h[5][96];
    const char *layers[] = {"sha256:l1"};
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof(name), "sha256:a%d", i + 1);
        snprintf(h[i], sizeof(h[0]), "%s", N(f, name));
        assert_int_equal(vg_store_manifest_put(f->s, h[i], "{}", 2, layers, 1, NULL, 0), 0);
    }
    /* Names: sorted, each once; an unknown manifest or a bad name is refused. */
    assert_int_equal(vg_store_manifest_name(f->s, h[0], "reg:5000/app:2"), 0);
    assert_int_equal(vg_store_manifest_name(f->s, h[0], "reg:5000/app:1"), 0);
    assert_int_equal(vg_store_manifest_name(f->s, h[0], "reg:5000/app:2"), 0);
    assert_int_equal(vg_store_manifest_name(f->s, h[1], "other/x"), 0);
    assert_int_equal(vg_store_manifest_name(f->s, N(f, "sha256:none"), "x"), VG_ENOTFOUND);
    assert_int_equal(vg_store_manifest_name(f->s, h[0], ""), VG_EINVAL);
    assert_int_equal(vg_store_manifest_name(f->s, h[0], "bad\nname"), VG_EINVAL);
    char longname[300];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(vg_store_manifest_name(f->s, h[0], longname), VG_EINVAL);
    /* The cap: VG_STORE_NAMES_PER_MANIFEST distinct names; a known one again is fine. */
    for (int i = 0; i < VG_STORE_NAMES_PER_MANIFEST; i++) {
        char name[32];
        snprintf(name, sizeof(name), "r/n:%03d", i);
        if (vg_store_manifest_name(f->s, h[2], name) != 0)
            fail_msg("name %d: %s", i, vg_error_last());
    }
    assert_int_equal(vg_store_manifest_name(f->s, h[2], "r/n:999"), VG_ETOOBIG);
    assert_int_equal(vg_store_manifest_name(f->s, h[2], "r/n:007"), 0);

    /* Paging in hash order, two at a time, from the start of this test's hashes. */
    listing l = {.f = f};
    const char *after = f->prefix;
    size_t pages = 0;
    for (;;) {
        size_t before = l.n;
        l.calls = 0;
        assert_int_equal(vg_store_manifest_list(f->s, after, 2, listing_cb, &l), 0);
        assert_true(l.calls <= 2);
        pages++;
        if (l.n == before || l.n >= 5 || l.calls < 2)
            break;
        after = l.hash[l.n - 1];
    }
    assert_int_equal(l.n, 5);
    assert_int_equal(pages, 3);
    for (int i = 0; i < 5; i++) {
        assert_string_equal(l.hash[i], h[i]);
        assert_true(l.indexed[i] > 1700000000);
    }
    assert_string_equal(l.names[0], "reg:5000/app:1\nreg:5000/app:2");
    assert_string_equal(l.names[1], "other/x");
    assert_int_equal(strlen(l.names[2]), (size_t)VG_STORE_NAMES_PER_MANIFEST * 8 - 1);
    assert_string_equal(l.names[3], "");
    /* From the first (NULL or ""), clamped, stopped by the callback, and a bad limit. */
    listing all = {.f = f};
    assert_int_equal(vg_store_manifest_list(f->s, NULL, SIZE_MAX, listing_cb, &all), 0);
    assert_int_equal(all.n, 5);
    if (isolated(f))
        assert_int_equal(all.calls, 5);
    listing stop = {.f = f, .stop_with = 5};
    assert_int_equal(vg_store_manifest_list(f->s, f->prefix, 10, listing_cb, &stop), 5);
    assert_int_equal(stop.calls, 1);
    assert_int_equal(vg_store_manifest_list(f->s, "", 0, listing_cb, &stop), VG_EINVAL);

    /* A re-index keeps the names; a delete takes them with it. */
    assert_int_equal(vg_store_manifest_put(f->s, h[0], "[]", 2, NULL, 0, NULL, 0), 0);
    listing one = {.f = f};
    assert_int_equal(vg_store_manifest_list(f->s, f->prefix, 1, listing_cb, &one), 0);
    assert_int_equal(one.n, 1);
    assert_string_equal(one.names[0], "reg:5000/app:1\nreg:5000/app:2");
    bool deleted = false;
    assert_int_equal(vg_store_manifest_delete(&deleted, f->s, h[0]), 0);
    assert_true(deleted);
    assert_int_equal(vg_store_manifest_name(f->s, h[0], "reg:5000/app:1"), VG_ENOTFOUND);
    assert_int_equal(vg_store_manifest_put(f->s, h[0], "{}", 2, NULL, 0, NULL, 0), 0);
    one = (listing){.f = f};
    assert_int_equal(vg_store_manifest_list(f->s, f->prefix, 1, listing_cb, &one), 0);
    assert_string_equal(one.hash[0], h[0]);
    assert_string_equal(one.names[0], "");
}

typedef struct points {
    int64_t gen[8], date[8];
    char summary[8][64];
    size_t n;
} points;

static int points_cb(void *ctx, int64_t generation, int64_t date, const char *summary)
{
    points *p = ctx;
    if (p->n < 8) {
        p->gen[p->n] = generation;
        p->date[p->n] = date;
        snprintf(p->summary[p->n], sizeof(p->summary[0]), "%s", summary);
    }
    p->n++;
    return 0;
}

static void test_history(void **state)
{
    fixture *f = *state;
    time_t before = time(NULL);
    assert_int_equal(vg_store_history_put(f->s, 1, "{\"g\":1}"), 0);
    assert_int_equal(vg_store_history_put(f->s, 3, "{\"g\":3}"), 0);
    assert_int_equal(vg_store_history_put(f->s, 2, "{\"g\":2}"), 0);
    assert_int_equal(vg_store_history_put(f->s, 2, "{\"g\":2,\"again\":true}"), 0); /* replaced */
    assert_int_equal(vg_store_history_put(f->s, 0, "{}"), VG_EINVAL);
    assert_int_equal(vg_store_history_put(f->s, -1, "{}"), VG_EINVAL);
    size_t big_n = VG__HISTORY_MAX + 1;
    char *big = vg_xmalloc(big_n + 1);
    memset(big, ' ', big_n);
    big[0] = '{';
    big[big_n - 1] = '}';
    big[big_n] = '\0';
    assert_int_equal(vg_store_history_put(f->s, 4, big), VG_ETOOBIG);
    free(big);
    points p = {0};
    assert_int_equal(vg_store_history_list(f->s, 0, points_cb, &p), VG_EINVAL);
    if (!isolated(f))
        return; /* the history is one per database */
    assert_int_equal(vg_store_history_list(f->s, 2, points_cb, &p), 0);
    assert_int_equal(p.n, 2); /* the newest two, newest first */
    assert_int_equal(p.gen[0], 3);
    assert_int_equal(p.gen[1], 2);
    assert_string_equal(p.summary[0], "{\"g\":3}");
    assert_string_equal(p.summary[1], "{\"g\":2,\"again\":true}");
    assert_true(p.date[0] >= before && p.date[0] <= time(NULL));
    p = (points){0};
    assert_int_equal(vg_store_history_list(f->s, SIZE_MAX, points_cb, &p), 0);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.gen[2], 1);
}

static void claim_is_layer(vg_store *s, const char *digest, const char *scanners, const char *owner,
                           int64_t now, int64_t lease, bool want)
{
    bool claimed = !want;
    int rc = vg_store_layer_claim(&claimed, s, digest, scanners, owner, now, lease);
    if (rc != 0)
        fail_msg("claim %s by %s: %s", digest, owner, vg_error_last());
    if (claimed != want)
        fail_msg("claim %s by %s at %lld: %d, want %d", digest, owner, (long long)now, claimed,
                 want);
}

static void test_layer_claim(void **state)
{
    fixture *f = *state;
    vg_store *s2 = NULL;
    assert_int_equal(vg_store_open(&s2, f->dsn), 0); /* another instance */
    char d[96];
    snprintf(d, sizeof(d), "%s", N(f, "sha256:layer"));
    int64_t now = (int64_t)time(NULL);
    claim_is_layer(f->s, d, "v1", "i1", now, 60, true);
    claim_is_layer(s2, d, "v1", "i2", now, 60, false);
    claim_is_layer(s2, d, "v1", "i2", now + 59, 60, false);
    /* Another scanner set is another claim. */
    claim_is_layer(s2, d, "v2", "i2", now, 60, true);
    /* The owner renews (until now + 90): still held at now + 60, free at now + 90. */
    claim_is_layer(f->s, d, "v1", "i1", now + 30, 60, true);
    claim_is_layer(s2, d, "v1", "i2", now + 60, 60, false);
    claim_is_layer(s2, d, "v1", "i2", now + 90, 60, true);
    claim_is_layer(f->s, d, "v1", "i1", now + 91, 60, false);
    /* Only the owner ends a claim. */
    assert_int_equal(vg_store_layer_unclaim(f->s, d, "v1", "i1"), 0);
    claim_is_layer(f->s, d, "v1", "i1", now + 92, 60, false);
    assert_int_equal(vg_store_layer_unclaim(s2, d, "v1", "i2"), 0);
    claim_is_layer(f->s, d, "v1", "i1", now + 92, 60, true);
    assert_int_equal(vg_store_layer_unclaim(s2, d, "v1", "nobody"), 0);
    /* Bad arguments. */
    bool claimed = true;
    assert_int_equal(vg_store_layer_claim(&claimed, f->s, d, "v1", "", now, 60), VG_EINVAL);
    assert_false(claimed);
    assert_int_equal(vg_store_layer_claim(&claimed, f->s, d, "v1", "i1", now, 0), VG_EINVAL);
    assert_int_equal(vg_store_layer_claim(&claimed, f->s, "", "v1", "i1", now, 60), VG_EINVAL);
    assert_int_equal(vg_store_layer_claim(&claimed, f->s, d, "v1", "i1", INT64_MAX, 60), VG_EINVAL);
    vg_store_close(s2);
}

static void leader_is(vg_store *s, const char *role, bool want)
{
    bool leader = !want;
    if (vg_store_leader(&leader, s, role) != 0)
        fail_msg("leader %s: %s", role, vg_error_last());
    if (leader != want)
        fail_msg("leader %s: %d, want %d", role, leader, want);
}

static void test_leader(void **state)
{
    fixture *f = *state;
    char role[64], other[64];
    snprintf(role, sizeof(role), "%s.updaters", f->prefix);
    snprintf(other, sizeof(other), "%s.gc", f->prefix);
    vg_store *s2 = NULL, *s3 = NULL;
    assert_int_equal(vg_store_open(&s2, f->dsn), 0);
    assert_int_equal(vg_store_open(&s3, f->dsn), 0);
    /* Exactly one of two handles leads; asking again keeps it. */
    leader_is(f->s, role, true);
    leader_is(s2, role, false);
    for (int i = 0; i < 3; i++)
        leader_is(f->s, role, true);
    leader_is(s2, role, false);
    /* Roles are independent. */
    leader_is(s2, other, true);
    leader_is(f->s, other, false);
    /* The leader's handle closes: the next one to ask takes over, once. */
    vg_store_close(f->s);
    f->s = NULL;
    leader_is(s3, role, true);
    leader_is(s2, role, false);
    leader_is(s3, role, true);
    bool leader = true;
    assert_int_equal(vg_store_leader(&leader, s2, "Bad"), VG_EINVAL);
    assert_false(leader);
    assert_int_equal(vg_store_leader(&leader, s2, ""), VG_EINVAL);
    if (!f->sqlite) {
        /* PostgreSQL: the leader's session dies (a failover, an admin): the lock goes with
         * it, another instance takes it, and the old leader learns it is not leading. */
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                 "AND granted AND pid <> pg_backend_pid() AND database = (SELECT oid FROM "
                 "pg_database WHERE datname = current_database())");
        assert_int_equal(pgdb_exec(f->dsn, sql), 0);
        int tries = 0; /* the terminated backend takes a moment to go */
        while (vg_store_leader(&leader, s2, role) == 0 && !leader && tries++ < 100)
            usleep(50000);
        assert_true(leader);
        leader_is(s3, role, false);
        leader_is(s2, role, true);
    }
    vg_store_close(s2);
    vg_store_close(s3);
    f->s = NULL;
    assert_int_equal(vg_store_open(&f->s, f->dsn), 0);
}

/* PostgreSQL: every session of the handle's pool is killed (a restart, a failover); the next
 * calls reconnect by themselves, reads and writes alike. */
static void test_pg_reconnect(void **state)
{
    fixture *f = *state;
    if (f->sqlite || !*f->pgdb)
        skip(); /* needs a database of its own: it kills every session on it */
    adv_buf a;
    const vg_advisory *r1[] = {simple(&a, f, "A", "p", "1")};
    vg_update_op op1 = run(f, f->s, N(f, "u"), r1, 1);
    const char *kill_all = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                           "datname = current_database() AND pid <> pg_backend_pid()";
    int64_t newest = op1.id;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(pgdb_exec(f->dsn, kill_all), 0);
        vg_update_op got;
        if (vg_store_latest_op(&got, f->s, N(f, "u")) != 0)
            fail_msg("read after the sessions died: %s", vg_error_last());
        assert_int_equal(got.id, newest);
        assert_int_equal(pgdb_exec(f->dsn, kill_all), 0);
        vg_notify_set set = put_set(f, f->s, 3, true);
        assert_int_equal(pgdb_exec(f->dsn, kill_all), 0);
        vg_notify_set back;
        assert_int_equal(vg_store_notify_get(&back, f->s, set.id), 0);
        assert_int_equal(back.count, 3);
        assert_int_equal(pgdb_exec(f->dsn, kill_all), 0);
        vg_update_op op2 = run(f, f->s, N(f, "u"), r1, 1);
        assert_true(op2.id > newest);
        newest = op2.id;
    }
}

/* Runs with_pg.sh's pg_ctl `action` (stop, start) on the test's server; 0 on success. */
static int pg_ctl(const char *action)
{
    const char *ctl = getenv("VG_PG_CTL"), *data = getenv("VG_PG_DATA"), *dir = getenv("VG_PG_DIR");
    const char *as = getenv("VG_PG_AS");
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s '%s' -D '%s' -w -m fast -l '%s/log' %s >/dev/null", as ? as : "",
             ctl, data, dir, action);
    return system(cmd) == 0 ? 0 : -1;
}

/* PostgreSQL stops under an open handle: calls fail as unavailable (VG_EIO, the message the
 * server turns into 503) instead of hanging; once it is back the same handle recovers with
 * no stale connection left in its pool. */
static void test_pg_restart(void **state)
{
    fixture *f = *state;
    if (f->sqlite || !*f->pgdb || !getenv("VG_PG_CTL") || !getenv("VG_PG_DATA") ||
        !getenv("VG_PG_DIR"))
        skip(); /* needs the server of tests/pg/with_pg.sh */
    adv_buf a;
    const vg_advisory *r1[] = {simple(&a, f, "A", "p", "1")};
    run(f, f->s, N(f, "u"), r1, 1);
    test_threads(state); /* fills the pool with several connections */
    vg_update_op op1;
    assert_int_equal(vg_store_latest_op(&op1, f->s, N(f, "u")), 0);
    assert_int_equal(pg_ctl("stop"), 0);
    time_t t0 = time(NULL);
    vg_update_op got;
    vg_store_tx *tx = NULL;
    assert_int_equal(vg_store_latest_op(&got, f->s, N(f, "u")), VG_EIO);
    if (strncmp(vg_error_last(), "store: PostgreSQL unavailable: ", 31) != 0)
        fail_msg("message: %s", vg_error_last());
    assert_int_equal(vg_store_update_begin(&tx, f->s, N(f, "u"), "fp"), VG_EIO);
    bool claimed = false;
    assert_int_equal(vg_store_layer_claim(&claimed, f->s, "d", "s", "o", t0, 60), VG_EIO);
    print_message("three calls while PostgreSQL was down took %lld s\n",
                  (long long)(time(NULL) - t0));
    assert_int_equal(pg_ctl("start"), 0);
    if (vg_store_latest_op(&got, f->s, N(f, "u")) != 0)
        fail_msg("after the restart: %s", vg_error_last());
    assert_int_equal(got.id, op1.id);
    vg_update_op op2 = run(f, f->s, N(f, "u"), r1, 1);
    assert_true(op2.id > op1.id);
    /* A restart while the handle is idle: its pooled sessions are all dead, and the next
     * call still succeeds. */
    test_threads(state);
    assert_int_equal(pg_ctl("stop"), 0);
    assert_int_equal(pg_ctl("start"), 0);
    if (vg_store_latest_op(&got, f->s, N(f, "u")) != 0)
        fail_msg("after an idle restart: %s", vg_error_last());
    vg_notify_set set = put_set(f, f->s, 2, false);
    assert_int_equal(pg_ctl("stop"), 0);
    assert_int_equal(pg_ctl("start"), 0);
    vg_notify_set back;
    if (vg_store_notify_get(&back, f->s, set.id) != 0)
        fail_msg("after an idle restart: %s", vg_error_last());
}

/* PostgreSQL with a pool of one connection: a callback that calls the store does not wait
 * for the connection its own walk holds. */
typedef struct reentrant {
    vg_store *s;
    size_t n;
    int failures;
} reentrant;

static int reentrant_cb(void *ctx, const char *hash)
{
    reentrant *r = ctx;
    body b = {{0}};
    int64_t stamp = 0;
    if (vg_store_manifest_get(r->s, hash, body_cb, &b) != 0 ||
        vg_store_manifest_stamp(&stamp, r->s, hash) != 0)
        r->failures++;
    r->n++;
    return 0;
}

static void test_pg_pool_of_one(void **state)
{
    fixture *f = *state;
    if (f->sqlite)
        skip();
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s%spool_max_conns=1", f->dsn, strchr(f->dsn, '?') ? "&" : "?");
    vg_store *s = NULL;
    if (vg_store_open(&s, sb.buf) != 0)
        fail_msg("open with a pool of one: %s", vg_error_last());
    char ns[64];
    snprintf(ns, sizeof(ns), "%s:1", f->prefix);
    const vg_store_pkg_key k[] = {{ns, "openssl", true}};
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof(name), "sha256:p%d", i);
        assert_int_equal(vg_store_manifest_put(s, N(f, name), "{}", 2, NULL, 0, k, 1), 0);
    }
    reentrant r = {s, 0, 0};
    assert_int_equal(vg_store_manifests_with(s, ns, "openssl", true, reentrant_cb, &r), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.failures, 0);
    adv_buf a;
    const vg_advisory *r1[] = {simple(&a, f, "A", "openssl", "1")};
    vg_update_op op = run(f, s, N(f, "u"), r1, 1);
    collect c = {0};
    assert_int_equal(vg_store_op_advisories(s, op.id, collect_cb, &c), 0);
    assert_int_equal(c.n, 1);
    vg_store_close(s);
    vg_strbuf_dispose(&sb);
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
        cmocka_unit_test_setup_teardown(test_manifest_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_put_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_page_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_list_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delivery_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delivery_claim_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_gc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_2_to_3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_list_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layer_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_pool_of_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_restart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
