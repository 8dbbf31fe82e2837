/* feed_test.c — unit tests of src/feed/'s framework and its debian, alpine and osv updaters:
 * every parser on the real files in $VIGIL_SHARED/feeds/, with counts compared against an
 * independent reading of the same files (tests/feed/count.py, Python's json and zipfile)
 * plus spot-checked records and vunnel's expected Debian output; CVSS scores against NVD's;
 * bad feeds (truncated, wrong types, deep nesting, size claims, a zip bomb, broken HTTP
 * bodies from tests/feed/server.py) each with a clear error and the store untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "feed/feed_int.h"
#include "store/store.h"
#include "testutil.h"
#include "util/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- collecting advisories ------------------------------------------------------------- */

typedef struct collected {
    vg_arena *arena;
    vg_advisory **items;
    size_t n, cap;
    uint64_t affected;
    uint64_t status[5];
    uint64_t skipped;
} collected;

static void collected_init(collected *c)
{
    memset(c, 0, sizeof(*c));
    c->arena = vg_arena_new(1 << 20);
}

static void collected_dispose(collected *c)
{
    vg_arena_free(c->arena);
    free(c->items);
    memset(c, 0, sizeof(*c));
}

static int collect_put(void *state, const vg_advisory *a)
{
    collected *c = state;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->items = vg_xrealloc(c->items, c->cap * sizeof(*c->items));
    }
    c->items[c->n++] = vg__advisory_copy(c->arena, a);
    c->affected += a->n_affected;
    for (size_t i = 0; i < a->n_affected; i++)
        c->status[a->affected[i].status]++;
    return 0;
}

typedef struct test_run {
    collected *out;
    vg__merger *merger;
    vg_feed_ctx ctx;
    const vg_updater *u;
} test_run;

static int test_emit(vg_feed_ctx *ctx, const vg_advisory *a)
{
    test_run *r = ctx->emit_state;
    /* the contract every parser keeps */
    assert_non_null(a->id);
    assert_true(a->id[0] != '\0');
    assert_string_equal(a->source, r->u->name);
    for (size_t i = 0; i < a->n_affected; i++) {
        assert_non_null(a->affected[i].ns);
        assert_non_null(a->affected[i].package);
        assert_non_null(a->affected[i].scheme);
    }
    if (r->merger) {
        vg__merger_add(r->merger, a);
        return 0;
    }
    return collect_put(r->out, a);
}

static int test_doc(void *state, const char *name, const char *buf, size_t len)
{
    test_run *r = state;
    /* an exact-size copy without a terminating NUL, so ASan sees any read past len */
    char *copy = vg_xmalloc(len ? len : 1);
    if (len)
        memcpy(copy, buf, len);
    vg_arena_reset(r->ctx.arena);
    r->ctx.url = name;
    int rc = r->u->parse(&r->ctx, copy, len);
    free(copy);
    return rc;
}

/* Reads `paths` (files, dirs, zips) through the fetch layer into `out`, merging by id when
 * `merge` (as the framework does for alpine). */
static int run_paths(collected *out, const vg_updater *u, bool merge, const char *const *paths,
                     const vg_feed_opts *opts)
{
    vg_feed_opts defaults;
    if (!opts) {
        vg_feed_opts_default(&defaults);
        opts = &defaults;
    }
    test_run r = {.out = out, .u = u};
    r.ctx.opts = opts;
    r.ctx.arena = vg_arena_new(1 << 16);
    r.ctx.emit = test_emit;
    r.ctx.emit_state = &r;
    if (merge)
        r.merger = vg__merger_new();
    vg__fetcher f;
    int rc = vg__fetcher_init(&f, opts, u->name);
    for (size_t i = 0; rc == 0 && paths[i]; i++) {
        vg__fetched d;
        rc = vg__fetch(&d, &f, paths[i]);
        if (rc == 0)
            rc = vg__fetched_documents(&d, &f, test_doc, &r);
        vg__fetched_dispose(&d);
    }
    if (rc == 0 && r.merger)
        rc = vg__merger_flush(r.merger, collect_put, out);
    out->skipped += r.ctx.skipped;
    vg__fetcher_dispose(&f);
    vg__merger_free(r.merger);
    vg_arena_free(r.ctx.arena);
    return rc;
}

/* Parses one in-memory document. */
static int run_text(collected *out, const vg_updater *u, const char *url, const char *text,
                    size_t len, const vg_feed_opts *opts)
{
    vg_feed_opts defaults;
    if (!opts) {
        vg_feed_opts_default(&defaults);
        opts = &defaults;
    }
    test_run r = {.out = out, .u = u};
    r.ctx.opts = opts;
    r.ctx.arena = vg_arena_new(1 << 16);
    r.ctx.emit = test_emit;
    r.ctx.emit_state = &r;
    vg_error_clear();
    int rc = test_doc(&r, url, text, len);
    vg_arena_free(r.ctx.arena);
    return rc;
}

static const vg_advisory *find_adv(const collected *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i]->id, id) == 0)
            return c->items[i];
    return NULL;
}

static const vg_affected *find_aff(const vg_advisory *a, const char *ns, const char *pkg)
{
    for (size_t i = 0; a && i < a->n_affected; i++)
        if (strcmp(a->affected[i].ns, ns) == 0 && strcmp(a->affected[i].package, pkg) == 0)
            return &a->affected[i];
    return NULL;
}

static const char *fixed_of(const vg_affected *af)
{
    for (size_t i = 0; af && i < af->n_events; i++)
        if (af->events[i].kind == VG_EVENT_FIXED)
            return af->events[i].version;
    return NULL;
}

/* ---- the independent count (tests/feed/count.py) --------------------------------------- */

typedef struct counts {
    uint64_t advisories, affected, skipped;
    uint64_t status[5];
    char **ids;
    size_t n_ids;
    char **extra; /* "vunnel ..." lines */
    size_t n_extra;
} counts;

static void counts_dispose(counts *c)
{
    for (size_t i = 0; i < c->n_ids; i++)
        free(c->ids[i]);
    for (size_t i = 0; i < c->n_extra; i++)
        free(c->extra[i]);
    free(c->ids);
    free(c->extra);
}

static char *feed_script(const char *name)
{
    const char *data = getenv("VG_TEST_DATA");
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s/../feed/%s", data && *data ? data : "tests/data", name);
    return vg_strbuf_detach(&sb);
}

static void python_counts(counts *out, const char *source, const char *const *paths)
{
    memset(out, 0, sizeof(*out));
    char *script = feed_script("count.py");
    vg_strbuf cmd;
    vg_strbuf_init(&cmd, 0);
    vg_strbuf_printf(&cmd, "/usr/bin/python3 '%s' %s", script, source);
    for (size_t i = 0; paths[i]; i++)
        vg_strbuf_printf(&cmd, " '%s'", paths[i]);
    FILE *p = popen(cmd.buf, "r");
    assert_non_null(p);
    char line[4096];
    static const char *const st[] = {"fixed", "affected", "will-not-fix", "not-affected",
                                     "under-investigation"};
    while (fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\n")] = '\0';
        vg_slice key;
        vg_slice val = vg_slice_split(vg_slice_from_cstr(line), ' ', &key);
        assert_non_null(val.ptr);
        uint64_t n = 0;
        bool num = vg_parse_u64(&n, val) == 0;
        if (vg_slice_eq_cstr(key, "advisories") && num) {
            out->advisories = n;
        } else if (vg_slice_eq_cstr(key, "affected") && num) {
            out->affected = n;
        } else if (vg_slice_eq_cstr(key, "skipped") && num) {
            out->skipped = n;
        } else if (vg_slice_eq_cstr(key, "id")) {
            out->ids = vg_xrealloc(out->ids, (out->n_ids + 1) * sizeof(char *));
            out->ids[out->n_ids++] = vg_xstrndup(val.ptr, val.len);
        } else if (vg_slice_eq_cstr(key, "vunnel")) {
            out->extra = vg_xrealloc(out->extra, (out->n_extra + 1) * sizeof(char *));
            out->extra[out->n_extra++] = vg_xstrndup(val.ptr, val.len);
        } else {
            for (size_t i = 0; i < 5; i++) {
                char k[64];
                snprintf(k, sizeof(k), "status.%s", st[i]);
                if (vg_slice_eq_cstr(key, k) && num)
                    out->status[i] = n;
            }
        }
    }
    assert_int_equal(pclose(p), 0);
    free(script);
    vg_strbuf_dispose(&cmd);
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The C parse and the Python read agree on every count and on the set of ids. */
static void assert_counts(const collected *c, const counts *py)
{
    assert_int_equal(c->n, py->advisories);
    assert_int_equal(c->affected, py->affected);
    assert_int_equal(c->skipped, py->skipped);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(c->status[i], py->status[i]);
    const char **ids = vg_xmalloc((c->n + 1) * sizeof(char *));
    for (size_t i = 0; i < c->n; i++)
        ids[i] = c->items[i]->id;
    qsort(ids, c->n, sizeof(*ids), cmp_cstr);
    assert_int_equal(c->n, py->n_ids);
    for (size_t i = 0; i < c->n; i++)
        assert_string_equal(ids[i], py->ids[i]);
    free(ids);
}

/* ---- debian ---------------------------------------------------------------------------- */

static void check_debian_file(const char *rel, collected *c)
{
    char *path = vg_test_shared_path(rel);
    const char *paths[] = {path, NULL};
    collected_init(c);
    int rc = run_paths(c, &vg__updater_debian, false, paths, NULL);
    if (rc)
        fail_msg("%s: %s", rel, vg_error_last());
    counts py;
    python_counts(&py, "debian", paths);
    assert_counts(c, &py);
    /* vunnel's expected records for the same input: same fixed version / status */
    size_t checked = 0;
    for (size_t i = 0; i < py.n_extra; i++) {
        char ns[128], id[128], pkg[128], want[128];
        vg_slice rest = vg_slice_from_cstr(py.extra[i]), t;
        char *fields[] = {ns, id, pkg, want};
        for (size_t k = 0; k < 4; k++) {
            rest = vg_slice_split(rest, ' ', &t);
            snprintf(fields[k], sizeof(ns), "%.*s", (int)t.len, t.ptr);
        }
        const vg_affected *af = find_aff(find_adv(c, id), ns, pkg);
        if (!af)
            fail_msg("vunnel record %s %s %s missing", ns, id, pkg);
        if (strcmp(want, "0") == 0)
            assert_int_equal(af->status, VG_STATUS_NOT_AFFECTED);
        else if (strcmp(want, "-") == 0)
            assert_true(af->status == VG_STATUS_AFFECTED || af->status == VG_STATUS_WILL_NOT_FIX);
        else
            assert_string_equal(fixed_of(af), want);
        checked++;
    }
    assert_int_equal(checked, py.n_extra);
    counts_dispose(&py);
    free(path);
}

static void test_debian_vunnel(void **state)
{
    (void)state;
    collected c;
    check_debian_file("feeds/debian/tracker-json/vunnel-debian.json", &c);
    assert_true(c.n > 0);
    /* spot checks */
    const vg_advisory *a = find_adv(&c, "CVE-2022-0456");
    assert_non_null(a);
    assert_int_equal(a->severity, VG_SEV_UNKNOWN);
    assert_string_equal(a->severity_label, "not yet assigned");
    assert_string_equal(a->links[0], "https://security-tracker.debian.org/tracker/CVE-2022-0456");
    const vg_affected *af = find_aff(a, "debian:12", "chromium");
    assert_int_equal(af->status, VG_STATUS_FIXED);
    assert_string_equal(fixed_of(af), "98.0.4758.80-1");
    assert_true(af->source_pkg);
    assert_string_equal(af->scheme, "dpkg");
    assert_int_equal(find_aff(a, "debian:10", "chromium")->status, VG_STATUS_WILL_NOT_FIX);
    assert_int_equal(find_aff(a, "debian:sid", "chromium")->status, VG_STATUS_FIXED);
    a = find_adv(&c, "CVE-2008-7220");
    assert_int_equal(a->severity, VG_SEV_HIGH);
    assert_string_equal(a->severity_label, "high");
    a = find_adv(&c, "CVE-2007-2383");
    assert_int_equal(a->severity, VG_SEV_NEGLIGIBLE);
    assert_int_equal(find_aff(a, "debian:9", "prototypejs")->status, VG_STATUS_NOT_AFFECTED);
    a = find_adv(&c, "CVE-2022-0358"); /* chromium-browser: "releases": [] */
    assert_non_null(a);
    assert_int_equal(a->n_affected, 0);
    a = find_adv(&c, "CVE-2013-1444");
    assert_true(a->n_links == 2); /* tracker + debianbug 724614 */
    assert_string_equal(a->links[1], "https://bugs.debian.org/724614");
    collected_dispose(&c);
}

static void test_debian_clair_and_osvdev(void **state)
{
    (void)state;
    collected c;
    check_debian_file("feeds/debian/tracker-json/clair-v2-fetcher_debian_test.json", &c);
    /* CVE-2003-0779 is listed under aptdaemon and asterisk: one advisory, both packages */
    const vg_advisory *a = find_adv(&c, "CVE-2003-0779");
    assert_non_null(a);
    assert_int_equal(a->n_affected, 3);
    assert_string_equal(fixed_of(find_aff(a, "debian:8", "aptdaemon")), "0.7.0");
    assert_string_equal(fixed_of(find_aff(a, "debian:8", "asterisk")), "0.5.56");
    assert_int_equal(a->severity, VG_SEV_HIGH);
    a = find_adv(&c, "CVE-2015-1323");
    assert_int_equal(find_aff(a, "debian:7", "aptdaemon")->status, VG_STATUS_NOT_AFFECTED);
    assert_int_equal(find_aff(a, "debian:8", "aptdaemon")->status, VG_STATUS_AFFECTED);
    assert_string_equal(fixed_of(find_aff(a, "debian:sid", "aptdaemon")), "1.1.1+bzr982-1");
    assert_int_equal(a->severity, VG_SEV_LOW);
    collected_dispose(&c);

    check_debian_file("feeds/debian/tracker-json/osvdev-debian_security_tracker_mock.json", &c);
    a = find_adv(&c, "CVE-2016-1585");
    assert_int_equal(find_aff(a, "debian:12", "apparmor")->status, VG_STATUS_AFFECTED);
    assert_string_equal(fixed_of(find_aff(a, "debian:13", "apparmor")), "3.0.12-1");
    assert_int_equal(a->severity, VG_SEV_NEGLIGIBLE);
    assert_string_equal(a->severity_label, "unimportant");
    collected_dispose(&c);
}

/* ---- alpine ---------------------------------------------------------------------------- */

static void test_alpine_secdb(void **state)
{
    (void)state;
    static const char *const rels[] = {
        "feeds/alpine/secdb/v3.3/main.json",
        "feeds/alpine/secdb/v3.3/community.json",
        "feeds/alpine/secdb/v3.4/main.json",
        "feeds/alpine/secdb/v3.4/community.json",
        "feeds/alpine/secdb/v3.5/main.json",
        "feeds/alpine/secdb/v3.5/community.json",
        "feeds/alpine/secdb/v3.6/main.json",
        "feeds/alpine/secdb/v3.6/community.json",
        "feeds/alpine/secdb/v3.7/main.json",
        "feeds/alpine/secdb/v3.7/community.json",
        "feeds/alpine/secdb/v3.8/main.json",
        "feeds/alpine/secdb/v3.8/community.json",
        "feeds/alpine/secdb/v3.9/main.json",
        "feeds/alpine/secdb/v3.9/community.json",
        "feeds/alpine/secdb/v3.10/main.json",
        "feeds/alpine/secdb/v3.10/community.json",
        "feeds/alpine/secdb/v3.11/main.json",
        "feeds/alpine/secdb/v3.11/community.json",
        "feeds/alpine/vuln-list/secdb-v3.14-main.SUBSET.json",
        "feeds/alpine/vuln-list/secdb-v3.18-main.SUBSET.json",
        "feeds/alpine/vuln-list/3.10/main",
    };
    const char *paths[VG_ARRAY_LEN(rels) + 1];
    for (size_t i = 0; i < VG_ARRAY_LEN(rels); i++)
        paths[i] = vg_test_shared_path(rels[i]);
    paths[VG_ARRAY_LEN(rels)] = NULL;
    collected c;
    collected_init(&c);
    int rc = run_paths(&c, &vg__updater_alpine, true, paths, NULL);
    if (rc)
        fail_msg("%s", vg_error_last());
    counts py;
    python_counts(&py, "alpine", paths);
    assert_counts(&c, &py);
    counts_dispose(&py);

    const vg_advisory *a = find_adv(&c, "CVE-2019-10206");
    const vg_affected *af = find_aff(a, "alpine:3.10", "ansible");
    assert_non_null(af);
    assert_int_equal(af->status, VG_STATUS_FIXED);
    assert_string_equal(fixed_of(af), "2.8.4-r0");
    assert_string_equal(af->scheme, "apk");
    assert_true(af->source_pkg);
    assert_int_equal(a->severity, VG_SEV_UNKNOWN);
    assert_string_equal(a->links[0], "https://security.alpinelinux.org/vuln/CVE-2019-10206");
    /* "CVE-2018-3639   XSA-263": the CVE is the id, the XSA an alias */
    a = find_adv(&c, "CVE-2018-3639");
    assert_non_null(a);
    bool xsa = false;
    for (size_t i = 0; i < a->n_aliases; i++)
        xsa |= strcmp(a->aliases[i], "XSA-263") == 0;
    assert_true(xsa);
    /* "CVE-????-?????  XSA-295": the XSA is the id */
    assert_non_null(find_adv(&c, "XSA-295"));
    /* merged across branches: CVE-2019-14697 (musl) is fixed in 3.10 and in the 3.14 subset */
    a = find_adv(&c, "CVE-2019-14697");
    assert_non_null(find_aff(a, "alpine:3.10", "musl"));
    assert_non_null(find_aff(a, "alpine:3.14", "musl"));
    /* vuln-list 3.18 openssl: secfixes "0" → not affected */
    a = find_adv(&c, "CVE-2022-1292");
    assert_int_equal(find_aff(a, "alpine:3.18", "openssl")->status, VG_STATUS_NOT_AFFECTED);
    collected_dispose(&c);
    for (size_t i = 0; i < VG_ARRAY_LEN(rels); i++)
        free((char *)paths[i]);
}

/* ---- osv ------------------------------------------------------------------------------- */

static const vg_cvss *find_cvss(const vg_advisory *a, const char *version)
{
    for (size_t i = 0; i < a->n_cvss; i++)
        if (strcmp(a->cvss[i].version, version) == 0)
            return &a->cvss[i];
    return NULL;
}

static void check_osv(const char *rel, collected *c)
{
    char *path = vg_test_shared_path(rel);
    const char *paths[] = {path, NULL};
    collected_init(c);
    int rc = run_paths(c, &vg__updater_osv, false, paths, NULL);
    if (rc)
        fail_msg("%s: %s", rel, vg_error_last());
    counts py;
    python_counts(&py, "osv", paths);
    assert_counts(c, &py);
    counts_dispose(&py);
    free(path);
}

static void test_osv_records(void **state)
{
    (void)state;
    collected c;
    check_osv("feeds/osv", &c); /* every record below it, recursively */
    assert_true(c.n >= 29);
    const vg_advisory *a = find_adv(&c, "GHSA-qwcr-r2fm-qrc7");
    assert_non_null(a);
    assert_int_equal(a->severity, VG_SEV_HIGH);
    assert_string_equal(a->severity_label, "HIGH");
    assert_string_equal(a->aliases[0], "CVE-2024-45590");
    const vg_cvss *cv = find_cvss(a, "3.1");
    assert_non_null(cv);
    assert_true(cv->score > 7.49 && cv->score < 7.51);
    assert_non_null(find_cvss(a, "4.0"));
    assert_string_equal(a->cwes[0], "CWE-405");
    const vg_affected *af = find_aff(a, "npm", "body-parser");
    assert_string_equal(af->scheme, "semver");
    assert_int_equal(af->status, VG_STATUS_FIXED);
    assert_string_equal(fixed_of(af), "1.20.3");
    assert_false(af->source_pkg);

    a = find_adv(&c, "GHSA-jfmj-5v4g-7637"); /* MODERATE */
    assert_int_equal(a->severity, VG_SEV_MEDIUM);
    a = find_adv(&c, "GHSA-fp5r-v3w9-4333"); /* log4j last_affected 1.2.17: no fix */
    af = find_aff(a, "maven", "log4j:log4j");
    assert_int_equal(af->status, VG_STATUS_AFFECTED);
    assert_null(fixed_of(af));

    a = find_adv(&c, "GO-2020-0001");
    af = find_aff(a, "go", "github.com/gin-gonic/gin");
    assert_string_equal(af->scheme, "go");
    assert_string_equal(fixed_of(af), "v1.6.0");
    assert_string_equal(af->events[0].version, "0");

    a = find_adv(&c, "ALSA-2023:5259");
    af = find_aff(a, "almalinux:8", "mariadb");
    assert_string_equal(af->scheme, "rpm");
    assert_string_equal(fixed_of(af), "3:10.3.39-1.module_el8.8.0+3609+204d4ab0");
    assert_int_equal(a->severity, VG_SEV_MEDIUM);
    assert_string_equal(a->severity_label, "Moderate");

    a = find_adv(&c, "RLSA-2023:3220");
    assert_non_null(find_aff(a, "rocky:8", "firefox"));
    assert_int_equal(a->severity, VG_SEV_HIGH); /* "Important: firefox security update" */

    a = find_adv(&c, "CGA-224q-ccj5-2p53");
    assert_string_equal(a->aliases[0], "CVE-2025-32464"); /* upstream */
    assert_int_equal(a->severity, VG_SEV_CRITICAL);       /* CVSS 3.1 9.1 */

    a = find_adv(&c, "RUSTSEC-2016-0001");
    assert_string_equal(a->affected[0].ns, "cargo");
    collected_dispose(&c);
}

static void test_osv_zips(void **state)
{
    (void)state;
    static const char *const zips[] = {"feeds/osv/osvdev-all-zip/Go-all.zip",
                                       "feeds/osv/osvdev-all-zip/PyPI-all.zip",
                                       "feeds/osv/osvdev-all-zip/crates.io-all.zip"};
    for (size_t i = 0; i < VG_ARRAY_LEN(zips); i++) {
        collected c;
        check_osv(zips[i], &c);
        assert_true(c.n >= 3);
        collected_dispose(&c);
    }
    /* the member under a sub-path is read like the others */
    collected c;
    check_osv("feeds/osv/osvdev-all-zip/PyPI-all.zip", &c);
    const vg_advisory *a = find_adv(&c, "PYSEC-2023-120");
    assert_non_null(a);
    assert_string_equal(a->affected[0].ns, "pypi");
    assert_string_equal(a->affected[0].scheme, "pep440");
    collected_dispose(&c);
}

/* ---- CVSS against NVD's own scores ----------------------------------------------------- */

static void check_cvss_tree(json_t *j, size_t *n)
{
    if (json_is_object(j)) {
        json_t *data = json_object_get(j, "cvssData");
        if (json_is_object(data)) {
            const char *ver = json_string_value(json_object_get(data, "version"));
            const char *vec = json_string_value(json_object_get(data, "vectorString"));
            json_t *bs = json_object_get(data, "baseScore");
            if (ver && vec && json_is_number(bs)) {
                double want = json_number_value(bs), got = -1;
                int rc = strcmp(ver, "2.0") == 0 ? vg__cvss2_base_score(&got, vec)
                                                 : vg__cvss3_base_score(&got, vec);
                if (strcmp(ver, "4.0") != 0) {
                    if (rc != 0 || got < want - 0.001 || got > want + 0.001)
                        fail_msg("%s: computed %.1f, NVD says %.1f", vec, got, want);
                    (*n)++;
                }
            }
        }
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) check_cvss_tree(v, n);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) check_cvss_tree(v, n);
    }
}

static void walk_json_files(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        vg_strbuf p;
        vg_strbuf_init(&p, 0);
        vg_strbuf_printf(&p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk_json_files(p.buf, n);
        } else if (strstr(e->d_name, ".json")) {
            json_error_t err;
            json_t *j = json_load_file(p.buf, 0, &err);
            if (j)
                check_cvss_tree(j, n);
            json_decref(j);
        }
        vg_strbuf_dispose(&p);
    }
    closedir(d);
}

static void test_cvss_scores(void **state)
{
    (void)state;
    char *dir = vg_test_shared_path("feeds/nvd");
    size_t n = 0;
    walk_json_files(dir, &n);
    free(dir);
    assert_true(n >= 50); /* NVD's v2, v3.0 and v3.1 metrics in the shared records */
    static const struct {
        const char *vec;
        double score;
    } cases[] = {
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
        {"CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0},
        {"CVSS:3.0/AV:P/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:N/E:U", 1.8},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        double got = -1;
        assert_int_equal(vg__cvss3_base_score(&got, cases[i].vec), 0);
        if (got < cases[i].score - 0.001 || got > cases[i].score + 0.001)
            fail_msg("%s: %.2f, want %.1f", cases[i].vec, got, cases[i].score);
    }
    double x;
    assert_int_equal(vg__cvss3_base_score(&x, "CVSS:3.1/AV:N/AC:L"), VG_EINVAL);
    assert_int_equal(vg__cvss3_base_score(&x, "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                     VG_EINVAL);
    assert_int_equal(vg__cvss3_base_score(&x, "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                     VG_EINVAL);
    assert_int_equal(vg__cvss2_base_score(&x, "AV:N/AC:L/Au:N/C:P/I:P/A:P"), 0);
    assert_true(x > 7.49 && x < 7.51);
}

/* ---- bad documents --------------------------------------------------------------------- */

static void expect_fail(const vg_updater *u, const char *text, size_t len, int code,
                        const char *const *needles, const vg_feed_opts *o)
{
    collected c;
    collected_init(&c);
    int rc = run_text(&c, u, "https://example.test/doc.json", text, len, o);
    if (rc != code)
        fail_msg("%s: want %d, got %d (%s)", u->name, code, rc, vg_error_last());
    const char *msg = vg_error_last();
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%s: https://example.test/doc.json: ", u->name);
    if (strncmp(msg, prefix, strlen(prefix)) != 0)
        fail_msg("message does not name source and URL: %s", msg);
    for (size_t i = 0; needles && needles[i]; i++)
        if (!strstr(msg, needles[i]))
            fail_msg("message lacks '%s': %s", needles[i], msg);
    collected_dispose(&c);
}

#define FAIL_WITH(u, text, ...)                                                                    \
    do {                                                                                           \
        const char *const needles_[] = {__VA_ARGS__, NULL};                                        \
        expect_fail((u), (text), strlen(text), VG_EINVAL, needles_, NULL);                         \
    } while (0)

static void test_bad_documents(void **state)
{
    (void)state;
    /* truncated */
    char *path = vg_test_shared_path("feeds/debian/tracker-json/vunnel-debian.json");
    size_t len;
    char *doc = vg_test_read_file(path, &len);
    assert_non_null(doc);
    const char *const trunc[] = {"line ", "truncated", NULL};
    expect_fail(&vg__updater_debian, doc, len / 2, VG_EINVAL, trunc, NULL);
    free(doc);
    free(path);
    FAIL_WITH(&vg__updater_alpine,
              "{\"distroversion\": \"v3.10\", \"packages\": [{\"pkg\": ", "truncated");
    FAIL_WITH(&vg__updater_osv, "{\"id\": \"X-1\", \"affected\": [", "truncated");
    FAIL_WITH(&vg__updater_debian, "", "empty document");

    /* wrong types, named by JSON path */
    FAIL_WITH(&vg__updater_debian,
              "{\"openssl\": {\"CVE-2023-0464\": {\"releases\": {\"bookworm\": "
              "{\"status\": \"resolved\", \"fixed_version\": 3}}}}}",
              "$.openssl[\"CVE-2023-0464\"].releases.bookworm.fixed_version: expected a string, "
              "got an integer");
    FAIL_WITH(&vg__updater_debian, "{\"openssl\": [1, 2]}", "$.openssl", "expected an object");
    FAIL_WITH(&vg__updater_debian, "[]", "$", "expected an object");
    FAIL_WITH(&vg__updater_debian,
              "{\"openssl\": {\"CVE-1\": {\"releases\": {\"sid\": {\"fixed_version\": \"1\"}}}}}",
              "$.openssl[\"CVE-1\"].releases.sid.status: missing");
    FAIL_WITH(&vg__updater_alpine, "{\"distroversion\": \"v3.10\", \"packages\": {}}",
              "$.packages: expected an array, got an object");
    FAIL_WITH(&vg__updater_alpine,
              "{\"distroversion\": \"v3.10\", \"packages\": [{\"pkg\": {\"name\": \"zlib\", "
              "\"secfixes\": {\"1.2-r0\": [\"CVE-1\", 7]}}}]}",
              "$.packages[0].pkg.secfixes[\"1.2-r0\"][1]: expected a string, got a number");
    FAIL_WITH(&vg__updater_alpine, "{\"packages\": []}", "$.distroversion");
    FAIL_WITH(&vg__updater_osv,
              "{\"id\": \"GHSA-1\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\", "
              "\"name\": \"x\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": "
              "[{\"introduced\": \"0\"}, {\"fixed\": 5}]}]}]}",
              "$.affected[0].ranges[0].events[1].fixed: expected a string, got a number");
    FAIL_WITH(&vg__updater_osv, "{\"summary\": \"no id\"}", "$.id: missing");
    FAIL_WITH(&vg__updater_osv, "{\"id\": \"X\"} trailing", "after the document");

    /* 100 levels of nesting against the default cap of 64 */
    vg_strbuf deep;
    vg_strbuf_init(&deep, 0);
    for (int i = 0; i < 100; i++)
        vg_strbuf_puts(&deep, "{\"a\": ");
    vg_strbuf_puts(&deep, "1");
    for (int i = 0; i < 100; i++)
        vg_strbuf_putc(&deep, '}');
    const char *const depth[] = {"nesting deeper than 64", "line 1, column", NULL};
    expect_fail(&vg__updater_debian, deep.buf, deep.len, VG_EINVAL, depth, NULL);
    expect_fail(&vg__updater_alpine, deep.buf, deep.len, VG_EINVAL, depth, NULL);
    expect_fail(&vg__updater_osv, deep.buf, deep.len, VG_EINVAL, depth, NULL);
    vg_strbuf_reset(&deep);
    for (int i = 0; i < 100; i++)
        vg_strbuf_putc(&deep, '[');
    expect_fail(&vg__updater_osv, deep.buf, deep.len, VG_EINVAL, depth, NULL);
    vg_strbuf_dispose(&deep);

    /* withdrawn records and GIT ranges are counted, not stored */
    collected c;
    collected_init(&c);
    const char *w =
        "[{\"id\": \"A-1\", \"withdrawn\": \"2024-01-01T00:00:00Z\", \"summary\": \"x\"},"
        "{\"id\": \"A-2\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", "
        "\"name\": \"p\"}, \"ranges\": [{\"type\": \"GIT\", \"repo\": \"r\", "
        "\"events\": [{\"introduced\": \"0\"}]}], \"versions\": [\"1.0\"]}]}]";
    test_run r = {.out = &c, .u = &vg__updater_osv};
    vg_feed_opts o;
    vg_feed_opts_default(&o);
    r.ctx.opts = &o;
    r.ctx.arena = vg_arena_new(4096);
    r.ctx.emit = test_emit;
    r.ctx.emit_state = &r;
    assert_int_equal(test_doc(&r, "mem", w, strlen(w)), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(r.ctx.skipped, 2);
    assert_int_equal(c.items[0]->affected[0].n_versions, 1);
    vg_arena_free(r.ctx.arena);
    collected_dispose(&c);
}

/* ---- fetch caps ------------------------------------------------------------------------ */

static char *temp_dir(void)
{
    const char *t = getenv("TMPDIR");
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s/vg-feed-test-XXXXXX", t && *t ? t : "/tmp");
    assert_non_null(mkdtemp(sb.buf));
    return vg_strbuf_detach(&sb);
}

static void rm_rf(const char *path)
{
    vg_strbuf cmd;
    vg_strbuf_init(&cmd, 0);
    vg_strbuf_printf(&cmd, "rm -rf '%s'", path);
    assert_int_equal(system(cmd.buf), 0);
    vg_strbuf_dispose(&cmd);
}

static char *join(const char *dir, const char *name)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s/%s", dir, name);
    return vg_strbuf_detach(&sb);
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A zip with `n` entries of `size` zero bytes each (or of `text`), deflated. */
static void write_zip(const char *path, size_t n, size_t size, const char *text)
{
    if (text)
        size = strlen(text);
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_zip_set_compression_deflate(a);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    char *zeros = vg_xcalloc(1, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        char name[64];
        snprintf(name, sizeof(name), "bomb-%zu.json", i);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)size);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        for (size_t off = 0; off < size;) {
            size_t k = size - off < (1 << 20) ? size - off : (1 << 20);
            assert_true(archive_write_data(a, text ? text : zeros, k) == (la_ssize_t)k);
            off += k;
        }
        archive_entry_free(e);
    }
    free(zeros);
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static int fetch_all(const char *path, const vg_feed_opts *o)
{
    collected c;
    collected_init(&c);
    const char *paths[] = {path, NULL};
    vg_error_clear();
    int rc = run_paths(&c, &vg__updater_osv, false, paths, o);
    collected_dispose(&c);
    return rc;
}

static void test_fetch_caps(void **state)
{
    (void)state;
    char *dir = temp_dir();
    vg_feed_opts o;
    vg_feed_opts_default(&o);

    /* a 1 GiB document (sparse): refused by its size, before anything is read */
    char *big = join(dir, "huge.json");
    int fd = open(big, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
    close(fd);
    assert_int_equal(fetch_all(big, &o), VG_ETOOBIG);
    assert_non_null(strstr(vg_error_last(), "1073741824 bytes, above max_document_bytes"));
    assert_non_null(strstr(vg_error_last(), "osv: "));

    /* a zip bomb: 64 MiB of zeros in one entry (about 64 KiB compressed) */
    char *bomb = join(dir, "bomb.zip");
    write_zip(bomb, 1, (size_t)64 << 20, NULL);
    assert_int_equal(fetch_all(bomb, &o), VG_ETOOBIG);
    assert_non_null(strstr(vg_error_last(), "max_ratio"));
    assert_non_null(strstr(vg_error_last(), "bomb.zip!bomb-0.json"));
    /* the same entry against a small per-document cap */
    vg_feed_opts small = o;
    small.max_document_bytes = 1 << 20;
    assert_int_equal(fetch_all(bomb, &small), VG_ETOOBIG);
    assert_non_null(strstr(vg_error_last(), "max_document_bytes"));
    /* too many entries */
    char *many = join(dir, "many.zip");
    write_zip(many, 5, 0, "[]");
    vg_feed_opts few = o;
    few.max_entries = 3;
    assert_int_equal(fetch_all(many, &few), VG_ETOOBIG);
    assert_non_null(strstr(vg_error_last(), "max_entries"));
    assert_int_equal(fetch_all(many, &o), 0);
    /* entries that are not JSON: a parse error naming the entry */
    char *nuls = join(dir, "nuls.zip");
    write_zip(nuls, 2, 100, NULL);
    assert_int_equal(fetch_all(nuls, &o), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "nuls.zip!bomb-0.json"));
    free(nuls);
    /* a corrupt zip */
    char *junk = join(dir, "junk.zip");
    write_file(junk, "PK\003\004garbage", 11);
    assert_true(fetch_all(junk, &o) < 0);
    assert_non_null(strstr(vg_error_last(), "junk.zip"));

    rm_rf(dir);
    free(big);
    free(bomb);
    free(many);
    free(junk);
    free(dir);
}

/* ---- the HTTP server and the store ----------------------------------------------------- */

typedef struct server {
    pid_t pid;
    int port;
    char *root;
    char *log;
} server;

static void server_start(server *s, const char *root)
{
    s->root = vg_xstrdup(root);
    s->log = join(root, "../server.log");
    char *script = feed_script("server.py");
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* a failed test must not leave it running */
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execl("/usr/bin/python3", "python3", script, s->root, s->log, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    FILE *f = fdopen(pfd[0], "r");
    char line[128] = "";
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    uint64_t port = 0;
    vg_slice v = vg_slice_trim(vg_slice_from_cstr(line + 5));
    assert_int_equal(vg_parse_u64(&port, v), 0);
    s->port = (int)port;
    free(script);
}

static void server_stop(server *s)
{
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    free(s->root);
    free(s->log);
}

static char *url_of(const server *s, const char *path)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "http://127.0.0.1:%d/%s", s->port, path);
    return vg_strbuf_detach(&sb);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *buf = vg_test_read_file(from, &len);
    assert_non_null(buf);
    write_file(to, buf, len);
    free(buf);
}

static int update_url(vg_feed_result *r, vg_store *s, const char *source, const char *url,
                      const char *cache)
{
    vg_feed_opts o;
    vg_feed_opts_default(&o);
    o.url = url;
    o.cache_dir = cache;
    vg_error_clear();
    return vg_feed_update(r, s, source, &o);
}

static void test_update_http(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char *root = join(dir, "www");
    char *cache = join(dir, "cache");
    char *dbp = join(dir, "vigil.db");
    assert_int_equal(mkdir(root, 0755), 0);
    char *src = vg_test_shared_path("feeds/alpine/secdb/v3.10/main.json");
    char *doc = join(root, "main.json");
    copy_file(src, doc);
    server srv;
    server_start(&srv, root);
    vg_store *s = NULL;
    if (vg_store_open(&s, dbp) != 0)
        fail_msg("%s", vg_error_last());

    /* a first run stores everything; a second sends the ETag and gets a 304 */
    char *u = url_of(&srv, "main.json");
    vg_feed_result r;
    if (update_url(&r, s, "alpine", u, cache) != 0)
        fail_msg("%s", vg_error_last());
    assert_true(r.changed);
    const char *paths[] = {doc, NULL};
    counts py;
    python_counts(&py, "alpine", paths);
    assert_int_equal(r.n_advisories, py.advisories);
    assert_int_equal(r.added, py.advisories);
    counts_dispose(&py);
    vg_update_op first = r.op;
    assert_int_equal(update_url(&r, s, "alpine", u, cache), 0);
    assert_false(r.changed);
    assert_int_equal(r.op.id, first.id);
    assert_int_equal(r.unchanged, first.n_advisories);
    size_t loglen;
    char *log = vg_test_read_file(srv.log, &loglen);
    assert_non_null(strstr(log, "\"status\": 304"));
    assert_non_null(strstr(log, "\"inm\": \"\\\""));
    free(log);

    /* broken bodies: each a clear error naming source and URL, the store untouched */
    static const struct {
        const char *path;
        int code;
        const char *needle;
    } faults[] = {
        {"_fault/short", VG_EIO, "Transferred a partial file"},
        {"_fault/chunked", VG_EIO, "alpine: http://127.0.0.1"},
        {"_fault/500", VG_EIO, "HTTP 500"},
        {"_fault/huge", VG_ETOOBIG, "announces 1073741824 bytes"},
        {"no-such.json", VG_ENOTFOUND, "not found"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(faults); i++) {
        char *fu = url_of(&srv, faults[i].path);
        int rc = update_url(&r, s, "alpine", fu, cache);
        if (rc != faults[i].code || !strstr(vg_error_last(), faults[i].needle) ||
            !strstr(vg_error_last(), fu))
            fail_msg("%s: rc %d: %s", faults[i].path, rc, vg_error_last());
        vg_update_op latest;
        assert_int_equal(vg_store_latest_op(&latest, s, "alpine"), 0);
        assert_int_equal(latest.id, first.id);
        assert_string_equal(latest.fingerprint, first.fingerprint);
        free(fu);
    }
    /* a bad document served whole: the parse error names the place; store untouched */
    char *bad = join(root, "bad.json");
    const char *badtext = "{\"distroversion\": \"v3.10\", \"packages\": [{\"pkg\": {\"name\": "
                          "\"zlib\", \"secfixes\": {\"1.2-r0\": \"CVE-1\"}}}]}";
    write_file(bad, badtext, strlen(badtext));
    char *bu = url_of(&srv, "bad.json");
    assert_int_equal(update_url(&r, s, "alpine", bu, cache), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "$.packages[0].pkg.secfixes[\"1.2-r0\"]"));
    vg_update_op latest;
    assert_int_equal(vg_store_latest_op(&latest, s, "alpine"), 0);
    assert_int_equal(latest.id, first.id);

    /* records added and removed: the diff is exactly those */
    const char *edited = "{\"distroversion\": \"v3.10\", \"packages\": [{\"pkg\": {\"name\": "
                         "\"zlib\", \"secfixes\": {\"1.2.11-r2\": [\"CVE-2099-0001\"]}}}]}";
    write_file(doc, edited, strlen(edited));
    assert_int_equal(update_url(&r, s, "alpine", u, cache), 0);
    assert_true(r.changed);
    assert_int_equal(r.added, 1);
    assert_int_equal(r.removed, first.n_advisories);
    assert_int_equal(r.n_advisories, 1);

    vg_store_close(s);
    server_stop(&srv);
    rm_rf(dir);
    free(bad);
    free(bu);
    free(u);
    free(doc);
    free(src);
    free(dbp);
    free(cache);
    free(root);
    free(dir);
}

static void test_update_local(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char *dbp = join(dir, "vigil.db");
    vg_store *s = NULL;
    if (vg_store_open(&s, dbp) != 0)
        fail_msg("%s", vg_error_last());
    char *deb = vg_test_shared_path("feeds/debian/tracker-json/vunnel-debian.json");
    vg_feed_result r;
    if (update_url(&r, s, "debian", deb, NULL) != 0)
        fail_msg("%s", vg_error_last());
    assert_true(r.changed);
    assert_int_equal(r.n_advisories, 7);
    assert_int_equal(update_url(&r, s, "debian", deb, NULL), 0);
    assert_false(r.changed);
    /* the osv records directory, twice */
    char *osv = vg_test_shared_path("feeds/osv");
    assert_int_equal(update_url(&r, s, "osv", osv, NULL), 0);
    assert_true(r.changed);
    assert_int_equal(r.skipped, 3);
    assert_int_equal(update_url(&r, s, "osv", osv, NULL), 0);
    assert_false(r.changed);
    /* a mirror dir without any of alpine's documents: an error, nothing stored */
    vg_feed_opts o;
    vg_feed_opts_default(&o);
    o.mirror = dir;
    assert_int_equal(vg_feed_update(&r, s, "alpine", &o), VG_ENOTFOUND);
    assert_non_null(strstr(vg_error_last(), "none of its"));
    /* unknown and not-built sources */
    assert_int_equal(vg_feed_update(&r, s, "nope", &o), VG_EINVAL);
    assert_true(vg_feed_available("debian") && vg_feed_available("alpine") &&
                vg_feed_available("osv"));
    const char *const *names = vg_feed_sources();
    size_t n = 0;
    while (names[n])
        n++;
    assert_int_equal(n, 6);
    /* GC keeps keep_ops operations */
    vg_feed_opts_default(&o);
    o.keep_ops = 2;
    char *tmpdoc = join(dir, "alp.json");
    for (int i = 0; i < 4; i++) {
        char text[256];
        snprintf(text, sizeof(text),
                 "{\"distroversion\": \"v3.19\", \"packages\": [{\"pkg\": {\"name\": \"z\", "
                 "\"secfixes\": {\"1.%d-r0\": [\"CVE-2099-%04d\"]}}}]}",
                 i, i);
        write_file(tmpdoc, text, strlen(text));
        o.url = tmpdoc;
        assert_int_equal(vg_feed_update(&r, s, "alpine", &o), 0);
        assert_true(r.changed);
    }
    vg_update_op *ops = NULL;
    size_t n_ops = 0;
    assert_int_equal(vg_store_list_ops(&ops, &n_ops, s, "alpine"), 0);
    assert_int_equal(n_ops, 2);
    free(ops);
    vg_store_close(s);
    rm_rf(dir);
    free(tmpdoc);
    free(osv);
    free(deb);
    free(dbp);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debian_vunnel), cmocka_unit_test(test_debian_clair_and_osvdev),
        cmocka_unit_test(test_alpine_secdb),  cmocka_unit_test(test_osv_records),
        cmocka_unit_test(test_osv_zips),      cmocka_unit_test(test_cvss_scores),
        cmocka_unit_test(test_bad_documents), cmocka_unit_test(test_fetch_caps),
        cmocka_unit_test(test_update_local),  cmocka_unit_test(test_update_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
