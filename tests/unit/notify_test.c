/* notify_test.c — unit tests of src/notify/ on a real temporary store (SQLite; or a fresh
 * PostgreSQL database per test when VG_STORE_DSN is postgres:// and VG_PG_ADMIN is set, as
 * tests/pg/with_pg.sh does): the first run of
 * an updater notifies nothing; an added advisory notifies exactly the manifests whose package
 * is in the affected range (not one that already has the fix, not one on another release);
 * a removed advisory notifies "removed"; a changed advisory that still affects a manifest
 * notifies nothing for it, while one whose fix now covers it notifies "removed"; default mode
 * gives one notification per manifest (the most severe), full mode one per vulnerability; and
 * the webhook signature matches an HMAC computed here with OpenSSL directly. */
#include "match/match.h"
#include "notify/notify.h"
#include "report/report.h"
#include "store/store.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pg_testdb.h"

typedef struct fixture {
    char dir[64];
    char path[96];
    char pgdb[40]; /* PostgreSQL: the database made for this test */
    char *dsn;
    vg_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/vg-notify-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/v.db", f->dir);
    const char *env = getenv("VG_STORE_DSN");
    if (env && strstr(env, "://")) {
        static unsigned k;
        snprintf(f->pgdb, sizeof(f->pgdb), "vgn_%ld_%u", (long)getpid(), k++);
        f->dsn = pgdb_create(f->pgdb);
        if (!f->dsn) { /* no VG_PG_ADMIN: the given database, which must be empty */
            f->pgdb[0] = '\0';
            f->dsn = strdup(env);
        }
    } else {
        f->dsn = strdup(f->path);
    }
    if (vg_store_open(&f->s, f->dsn) != 0) {
        fprintf(stderr, "open: %s\n", vg_error_last());
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
    free(f->dsn);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* Manifest `hash`: Debian `release` ("12" or "11") with one package built from source
 * `src` at `version`. */
static void put_manifest(vg_store *s, const char *hash, const char *release, const char *src,
                         const char *version)
{
    vg_index_report *r = vg_index_report_new(hash);
    r->n_dists = 1;
    r->dists = vg_arena_alloc(r->arena, sizeof(*r->dists));
    char ns[32];
    snprintf(ns, sizeof(ns), "debian:%s", release);
    r->dists[0] = (vg_distribution){.did = "debian",
                                    .name = "Debian GNU/Linux",
                                    .version_id = vg_index_report_strdup(r, release),
                                    .ns = vg_index_report_strdup(r, ns)};
    r->n_pkgs = 1;
    r->pkgs = vg_arena_alloc(r->arena, sizeof(*r->pkgs));
    memset(r->pkgs, 0, sizeof(*r->pkgs));
    r->pkgs[0].dist_index = 0;
    r->pkgs[0].package_db = "var/lib/dpkg/status";
    r->pkgs[0].pkg = (vg_package){.format = VG_PKG_DPKG,
                                  .name = vg_index_report_strdup(r, src),
                                  .version = vg_index_report_strdup(r, version),
                                  .arch = "amd64",
                                  .source_name = vg_index_report_strdup(r, src),
                                  .source_version = vg_index_report_strdup(r, version)};
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)1 << 20);
    assert_int_equal(vg_report_index_json(&sb, r), 0);
    vg_store_pkg_key *keys = NULL;
    size_t n = 0;
    vg_match_keys(&keys, &n, r);
    assert_int_equal(n, 1);
    assert_int_equal(vg_store_manifest_put(s, hash, sb.buf, sb.len, NULL, 0, keys, n), 0);
    free(keys);
    vg_strbuf_dispose(&sb);
    vg_index_report_free(r);
}

typedef struct adv {
    const char *id, *package, *fixed;
    vg_severity sev;
} adv;

/* One run of updater "u" with the given advisories (debian:12 source packages). */
static vg_update_op run(vg_store *s, const adv *advs, size_t n)
{
    vg_store_tx *tx = NULL;
    assert_int_equal(vg_store_update_begin(&tx, s, "u", "fp"), 0);
    for (size_t i = 0; i < n; i++) {
        vg_event ev[2] = {{VG_EVENT_INTRODUCED, "0"}, {VG_EVENT_FIXED, advs[i].fixed}};
        vg_affected af = {.ns = "debian:12",
                          .package = advs[i].package,
                          .source_pkg = true,
                          .scheme = "dpkg",
                          .events = ev,
                          .n_events = 2,
                          .status = VG_STATUS_FIXED};
        vg_advisory a = {.id = advs[i].id,
                         .source = "u",
                         .summary = "test advisory",
                         .severity = advs[i].sev,
                         .affected = &af,
                         .n_affected = 1};
        assert_int_equal(vg_store_update_put(tx, &a), 0);
    }
    vg_update_op op;
    assert_int_equal(vg_store_update_commit(tx, &op), 0);
    return op;
}

#define H(c)                                                                                       \
    "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
        c c c c c c c c c c c c c c c c c c c c c c

/* "added HASH NAME" lines of a result, sorted, joined by ';'. */
static void summary(char *out, size_t cap, const vg_notify_result *r)
{
    out[0] = '\0';
    for (size_t i = 0; i < r->n; i++) {
        json_t *j = json_loads(r->items[i].summary, 0, NULL);
        const char *name = json_string_value(json_object_get(j, "name"));
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s %c %s", l ? ";" : "",
                 r->items[i].reason == VG_NOTIFY_ADDED ? "added" : "removed",
                 r->items[i].manifest[7], name ? name : "?");
        json_decref(j);
    }
}

static void compute(char *out, size_t cap, vg_store *s, const vg_update_op *op, bool full,
                    bool *first)
{
    vg_notify_opts o;
    vg_notify_opts_default(&o);
    o.full = full;
    vg_notify_result r;
    assert_int_equal(vg_notify_compute(&r, s, op, &o), 0);
    summary(out, cap, &r);
    if (first)
        *first = r.first_run;
    vg_notify_result_dispose(&r);
}

static void test_added_removed_changed(void **state)
{
    fixture *f = *state;
    put_manifest(f->s, H("a"), "12", "openssl", "3.0.11-1"); /* affected below 3.0.13-1 */
    put_manifest(f->s, H("b"), "12", "openssl", "3.0.13-1"); /* already fixed */
    put_manifest(f->s, H("c"), "11", "openssl", "1.1.1w-0"); /* another release */
    put_manifest(f->s, H("d"), "12", "zlib", "1:1.2.13-1");  /* another package */
    char got[1024];
    bool first = false;

    adv base[] = {{"CVE-0-ZLIB", "zlib", "1:1.2.12-1", VG_SEV_LOW}};
    vg_update_op op1 = run(f->s, base, 1);
    compute(got, sizeof(got), f->s, &op1, false, &first);
    assert_true(first);
    assert_string_equal(got, "");

    /* Two advisories added on openssl: only manifest a, once, with the more severe. */
    adv two[] = {base[0],
                 {"CVE-1-LOW", "openssl", "3.0.13-1", VG_SEV_LOW},
                 {"CVE-2-HIGH", "openssl", "3.0.12-1", VG_SEV_HIGH}};
    vg_update_op op2 = run(f->s, two, 3);
    compute(got, sizeof(got), f->s, &op2, false, &first);
    assert_false(first);
    assert_string_equal(got, "added a CVE-2-HIGH");
    compute(got, sizeof(got), f->s, &op2, true, NULL);
    assert_string_equal(got, "added a CVE-1-LOW;added a CVE-2-HIGH");

    /* CVE-1 changes (fix moves down, a still affected): nothing. CVE-2 changes so that its
     * fix covers a (fixed at 3.0.11-1): removed for a. */
    adv changed[] = {base[0],
                     {"CVE-1-LOW", "openssl", "3.0.12-9", VG_SEV_LOW},
                     {"CVE-2-HIGH", "openssl", "3.0.11-1", VG_SEV_HIGH}};
    vg_update_op op3 = run(f->s, changed, 3);
    compute(got, sizeof(got), f->s, &op3, true, NULL);
    assert_string_equal(got, "removed a CVE-2-HIGH");

    /* CVE-1 withdrawn: removed for a. */
    vg_update_op op4 = run(f->s, changed, 1);
    compute(got, sizeof(got), f->s, &op4, true, NULL);
    assert_string_equal(got, "removed a CVE-1-LOW");

    /* Deleting the manifest takes it out of the reverse index. */
    bool deleted = false;
    assert_int_equal(vg_store_manifest_delete(&deleted, f->s, H("a")), 0);
    assert_true(deleted);
    vg_update_op op5 = run(f->s, two, 3);
    compute(got, sizeof(got), f->s, &op5, true, NULL);
    assert_string_equal(got, "");
}

static void test_signature(void **state)
{
    (void)state;
    const char *key = "k3y", *body = "{\"notification_id\":\"x\"}";
    char *sig = vg_webhook_signature((const unsigned char *)key, strlen(key), 1700000000, body,
                                     strlen(body));
    char msg[128];
    int n = snprintf(msg, sizeof(msg), "1700000000.%s", body);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, (size_t)n, md, &mdlen);
    char want[160] = "t=1700000000,v1=";
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%02x", md[i]);
    assert_string_equal(sig, want);
    free(sig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_added_removed_changed, setup, teardown),
        cmocka_unit_test(test_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
