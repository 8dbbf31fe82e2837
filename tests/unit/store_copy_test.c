/* store_copy_test.c — vg_store_copy (src/store/copy.c), the engine of `vigil db copy`: a
 * SQLite store filled with every kind of row (two updaters' operations, changed and shared
 * advisories, layer results, manifests with layers, package keys and names, notification sets
 * pending, delivered and acknowledged, history points) is copied into a fresh destination —
 * PostgreSQL when VG_PG_ADMIN names a real server (a new database is made for the test), else
 * another SQLite file — and everything is read back through store.h and compared. A second
 * copy adds nothing. */
#include "store/store.h"

#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct fixture {
    char dir[64];
    char *src_dsn, *dst_dsn;
    vg_store *src, *dst;
} fixture;

/* A fresh PostgreSQL database next to VG_PG_ADMIN's, or NULL (none configured). */
static char *fresh_pg_database(void)
{
    const char *admin = getenv("VG_PG_ADMIN");
    if (!admin || !*admin)
        return NULL;
    PGconn *c = PQconnectdb(admin);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "VG_PG_ADMIN: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    static unsigned seq;
    char name[64], sql[128];
    snprintf(name, sizeof(name), "copytest_%ld_%ld_%u", (long)getpid(), (long)time(NULL), seq++);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(c);
    if (!ok)
        return NULL;
    const char *slash = strrchr(admin, '/');
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%.*s/%s", (int)(slash - admin), admin, name);
    return vg_strbuf_detach(&sb);
}

static int setup(void **state)
{
    fixture *f = vg_xcalloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/vg-copy-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "sqlite:%s/src.db", f->dir);
    f->src_dsn = vg_strbuf_detach(&sb);
    f->dst_dsn = fresh_pg_database();
    if (!f->dst_dsn) {
        if (getenv("VG_PG_ADMIN"))
            return -1; /* asked for PostgreSQL and could not have it */
        vg_strbuf_init(&sb, 0);
        vg_strbuf_printf(&sb, "%s/dst.db", f->dir);
        f->dst_dsn = vg_strbuf_detach(&sb);
    }
    if (vg_store_open(&f->src, f->src_dsn) != 0 || vg_store_open(&f->dst, f->dst_dsn) != 0) {
        fprintf(stderr, "open: %s\n", vg_error_last());
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vg_store_close(f->src);
    vg_store_close(f->dst);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f->src_dsn);
    free(f->dst_dsn);
    free(f);
    return 0;
}

/* ---- filling the source -------------------------------------------------------------- */

static void put_adv(vg_store_tx *tx, const char *id, const char *pkg, const char *fixed)
{
    vg_event ev[2] = {{VG_EVENT_INTRODUCED, "0"}, {VG_EVENT_FIXED, fixed}};
    vg_affected aff = {.ns = "alpine:3.14",
                       .package = pkg,
                       .source_pkg = true,
                       .scheme = "apk",
                       .events = ev,
                       .n_events = 2,
                       .status = VG_STATUS_FIXED};
    vg_advisory a = {.id = id,
                     .source = "alpine",
                     .description = "a test advisory",
                     .severity = VG_SEV_HIGH,
                     .affected = &aff,
                     .n_affected = 1};
    assert_int_equal(vg_store_update_put(tx, &a), 0);
}

static void fill(vg_store *s)
{
    vg_store_tx *tx;
    /* Two aborted runs take ids, so the source's op ids (3, 4, 5) are not the ones a fresh
     * destination gives (1, 2, 3): history generations must be moved, not kept. */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(vg_store_update_begin(&tx, s, "alpine", "fp-0"), 0);
        put_adv(tx, "CVE-2023-0009", "openssl", "1.0.0-r0");
        vg_store_update_abort(tx);
    }
    assert_int_equal(vg_store_update_begin(&tx, s, "alpine", "fp-1"), 0);
    put_adv(tx, "CVE-2023-0001", "openssl", "1.1.1t-r0");
    put_adv(tx, "CVE-2023-0002", "busybox", "1.33.1-r7");
    assert_int_equal(vg_store_update_commit(tx, NULL), 0);
    assert_int_equal(vg_store_update_begin(&tx, s, "alpine", "fp-2"), 0);
    put_adv(tx, "CVE-2023-0001", "openssl", "1.1.1t-r2"); /* changed */
    put_adv(tx, "CVE-2023-0002", "busybox", "1.33.1-r7"); /* shared */
    put_adv(tx, "CVE-2023-0003", "zlib", "1.2.12-r0");
    assert_int_equal(vg_store_update_commit(tx, NULL), 0);
    assert_int_equal(vg_store_update_begin(&tx, s, "other", "fp-o"), 0);
    put_adv(tx, "CVE-2023-0004", "musl", "1.2.2-r3");
    assert_int_equal(vg_store_update_commit(tx, NULL), 0);

    for (int i = 0; i < 3; i++) {
        char d[80], body[64];
        snprintf(d, sizeof(d), "sha256:%064d", i + 1);
        snprintf(body, sizeof(body), "{\"layer\":%d}", i);
        assert_int_equal(vg_store_layer_put(s, d, "scanners-v1", body, strlen(body)), 0);
    }
    const char *layers[] = {"sha256:l1", "sha256:l2"};
    vg_store_pkg_key keys[] = {{"alpine:3.14", "openssl", true}, {"alpine:3.14", "zlib", true}};
    assert_int_equal(vg_store_manifest_put(s, "sha256:m1", "{\"m\":1}", 7, layers, 2, keys, 2), 0);
    assert_int_equal(vg_store_manifest_put(s, "sha256:m2", "{\"m\":2}", 7, layers, 1, keys, 1), 0);
    assert_int_equal(vg_store_manifest_name(s, "sha256:m1", "reg:5000/app:1"), 0);
    assert_int_equal(vg_store_manifest_name(s, "sha256:m1", "reg:5000/app:latest"), 0);

    vg_notification items[3] = {{"sha256:m1", VG_NOTIFY_ADDED, "{\"a\":1}"},
                                {"sha256:m2", VG_NOTIFY_ADDED, "{\"a\":2}"},
                                {"sha256:m1", VG_NOTIFY_REMOVED, "{\"a\":3}"}};
    vg_update_op op;
    assert_int_equal(vg_store_latest_op(&op, s, "alpine"), 0);
    vg_notify_set a, b, c;
    assert_int_equal(vg_store_notify_put(&a, s, "alpine", op.ref, items, 3, true), 0);
    assert_int_equal(vg_store_notify_put(&b, s, "alpine", op.ref, items, 2, true), 0);
    assert_int_equal(vg_store_delivery_done(s, b.id, VG_DELIVERY_DELIVERED, 0, NULL), 0);
    assert_int_equal(vg_store_notify_put(&c, s, "alpine", op.ref, items + 2, 1, false), 0);
    assert_int_equal(vg_store_notify_ack(s, c.id), 0);

    int64_t gen = 0;
    assert_int_equal(vg_store_generation(&gen, s), 0);
    assert_int_equal(vg_store_history_put(s, gen - 1, "{\"vulnerable\":1}"), 0);
    assert_int_equal(vg_store_history_put(s, gen, "{\"vulnerable\":2}"), 0);
}

/* ---- reading back: every read renders into one text, compared between stores ---------- */

static int adv_line(void *ctx, const vg_advisory *a)
{
    vg_strbuf_printf(ctx, "  adv %s %s %s %s\n", a->id, a->affected[0].package,
                     a->affected[0].events[1].version, a->description);
    return 0;
}

static int body_line(void *ctx, const char *body, size_t len)
{
    vg_strbuf_printf(ctx, "  body %.*s\n", (int)len, body);
    return 0;
}

static int hash_line(void *ctx, const char *hash)
{
    vg_strbuf_printf(ctx, "  with %s\n", hash);
    return 0;
}

static int info_line(void *ctx, const vg_store_manifest_info *m)
{
    vg_strbuf_printf(ctx, "  manifest %s names [%s]\n", m->hash, m->names);
    return 0;
}

static int note_line(void *ctx, uint64_t seq, const vg_notification *n)
{
    vg_strbuf_printf(ctx, "  note %llu %s %d %s\n", (unsigned long long)seq, n->manifest,
                     (int)n->reason, n->summary);
    return 0;
}

/* A history point names the op its generation is (the store's own id): rendered as its ref,
 * which a copy keeps, so the point must name the same op in both stores. */
typedef struct hist_ctx {
    vg_strbuf *sb;
    const vg_update_op *ops;
    size_t n;
} hist_ctx;

static int hist_line(void *ctx, int64_t generation, int64_t date, const char *summary)
{
    hist_ctx *h = ctx;
    const char *ref = "no-such-op";
    for (size_t i = 0; i < h->n; i++)
        if (h->ops[i].id == generation)
            ref = h->ops[i].ref;
    vg_strbuf_printf(h->sb, "  history at %s (%lld) %s\n", ref, (long long)(date > 0), summary);
    return 0;
}

static char *render(vg_store *s)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_update_op *ops = NULL;
    size_t n = 0;
    assert_int_equal(vg_store_list_ops(&ops, &n, s, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        vg_strbuf_printf(&sb, "op %s %s %s %lld %llu\n", ops[i].ref, ops[i].updater,
                         ops[i].fingerprint, (long long)ops[i].date,
                         (unsigned long long)ops[i].n_advisories);
        assert_int_equal(vg_store_op_advisories(s, ops[i].id, adv_line, &sb), 0);
    }
    hist_ctx hc = {&sb, ops, n};
    assert_int_equal(vg_store_find_affected(s, "alpine:3.14", "openssl", true, adv_line, &sb), 0);
    for (int i = 0; i < 3; i++) {
        char d[80];
        snprintf(d, sizeof(d), "sha256:%064d", i + 1);
        assert_int_equal(vg_store_layer_get(s, d, "scanners-v1", body_line, &sb), 0);
    }
    assert_int_equal(vg_store_manifest_list(s, NULL, 100, info_line, &sb), 0);
    assert_int_equal(vg_store_manifest_get(s, "sha256:m1", body_line, &sb), 0);
    assert_int_equal(vg_store_manifests_with(s, "alpine:3.14", "openssl", true, hash_line, &sb), 0);
    assert_int_equal(vg_store_manifests_with(s, "alpine:3.14", "zlib", true, hash_line, &sb), 0);
    vg_notify_set *sets = NULL;
    assert_int_equal(vg_store_notify_list(&sets, &n, s, 100), 0);
    for (size_t i = 0; i < n; i++) {
        vg_strbuf_printf(&sb, "set %s %s %lld %llu acked=%d delivery=%d\n", sets[i].id,
                         sets[i].op_ref, (long long)sets[i].created,
                         (unsigned long long)sets[i].count, sets[i].acked, (int)sets[i].delivery);
        assert_int_equal(vg_store_notify_page(s, sets[i].id, 0, 100, note_line, &sb, NULL), 0);
    }
    free(sets);
    assert_int_equal(vg_store_history_list(s, 100, hist_line, &hc), 0);
    free(ops);
    return vg_strbuf_detach(&sb);
}

static void test_copy_everything(void **state)
{
    fixture *f = *state;
    fill(f->src);
    vg_store_copy_stats st;
    assert_int_equal(vg_store_copy(&st, f->dst, f->src), 0);
    assert_int_equal(st.ops, 3);
    assert_int_equal(st.ops_skipped, 0);
    assert_int_equal(st.layers, 3);
    assert_int_equal(st.manifests, 2);
    assert_int_equal(st.notify_sets, 3);
    assert_int_equal(st.history, 2);
    char *a = render(f->src), *b = render(f->dst);
    assert_string_equal(a, b);
    assert_null(strstr(a, "no-such-op"));
    int64_t gs = 0, gd = 0;
    assert_int_equal(vg_store_generation(&gs, f->src), 0);
    assert_int_equal(vg_store_generation(&gd, f->dst), 0);
    print_message("generation: source %lld, copy %lld\n", (long long)gs, (long long)gd);
    assert_non_null(strstr(a, "names [reg:5000/app:1\nreg:5000/app:latest]"));
    assert_non_null(strstr(a, "acked=1"));
    assert_non_null(strstr(a, "delivery=2"));
    free(b);

    /* Again: nothing new, nothing doubled. */
    assert_int_equal(vg_store_copy(&st, f->dst, f->src), 0);
    assert_int_equal(st.ops, 0);
    assert_int_equal(st.ops_skipped, 3);
    assert_int_equal(st.notify_sets, 0);
    b = render(f->dst);
    assert_string_equal(a, b);
    free(a);
    free(b);

    /* The destination works as a store afterwards: a new run and a delivery claim. */
    vg_store_tx *tx;
    assert_int_equal(vg_store_update_begin(&tx, f->dst, "alpine", "fp-3"), 0);
    put_adv(tx, "CVE-2023-0005", "curl", "7.79.1-r2");
    assert_int_equal(vg_store_update_commit(tx, NULL), 0);
    vg_notify_set claimed;
    assert_int_equal(vg_store_delivery_claim(&claimed, f->dst, (int64_t)time(NULL) + 1, "t", 30),
                     0);
    assert_int_equal(claimed.count, 3); /* the pending set; the delivered one is not due */
}

/* Data the destination already has newer than the source's (an updater ran there after a
 * first copy) stays current when the copy runs again. */
static void test_copy_keeps_newer(void **state)
{
    fixture *f = *state;
    fill(f->src);
    vg_store_copy_stats st;
    assert_int_equal(vg_store_copy(&st, f->dst, f->src), 0);
    sleep(1); /* dates are seconds */
    vg_store_tx *tx;
    vg_update_op newer, after;
    assert_int_equal(vg_store_update_begin(&tx, f->dst, "alpine", "fp-dst"), 0);
    put_adv(tx, "CVE-2023-0007", "curl", "7.79.1-r3");
    assert_int_equal(vg_store_update_commit(tx, &newer), 0);
    /* The source gets a run too, but older than the destination's. */
    assert_int_equal(vg_store_update_begin(&tx, f->src, "alpine", "fp-src-late"), 0);
    put_adv(tx, "CVE-2023-0008", "zlib", "1.2.12-r1");
    assert_int_equal(vg_store_update_commit(tx, NULL), 0);
    assert_int_equal(vg_store_copy(&st, f->dst, f->src), 0);
    assert_int_equal(st.ops, 0);
    assert_int_equal(st.ops_skipped, 4);
    assert_int_equal(vg_store_latest_op(&after, f->dst, "alpine"), 0);
    assert_string_equal(after.ref, newer.ref);
}

static void test_copy_errors(void **state)
{
    fixture *f = *state;
    vg_store_copy_stats st;
    assert_int_equal(vg_store_copy(&st, f->src, f->src), VG_EINVAL);
    vg_store *bad = NULL;
    assert_int_equal(vg_store_open(&bad, "postgres://vigil@127.0.0.1:1/none"), VG_EIO);
    assert_non_null(strstr(vg_error_last(), "PostgreSQL unavailable"));
    assert_int_equal(vg_store_open(&bad, "postgres://x@127.0.0.1/db?pool_max_conns=999"),
                     VG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_copy_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_keeps_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
