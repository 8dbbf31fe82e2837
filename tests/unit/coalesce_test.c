/* coalesce_test.c — unit tests of the layer-result model and src/index/coalesce.c: whiteouts,
 * opaque directories, the newest database winning, introduced_in surviving or resetting,
 * the distribution choice; and that a layer shared by two images (the same Alpine layer in
 * its docker-archive and OCI-archive forms) indexes to an identical layer result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/index.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* Builds a layer result from a compact description: "db PATH name=ver ...", "wh PATH",
 * "opq DIR", "rel PATH did version_id ns". */
static vg_layer_result *layer(const char *digest, const char *const *ops)
{
    vg_layer_result *r = vg_layer_result_new(digest);
    for (; *ops; ops++) {
        char *s = vg_xstrdup(*ops);
        char *save = s;
        char *kind = s;
        char *sp = strchr(s, ' ');
        *sp = '\0';
        char *rest = sp + 1;
        if (strcmp(kind, "db") == 0) {
            char *path = rest;
            char *p = strchr(rest, ' ');
            if (p)
                *p++ = '\0';
            vg_pkgdb *db = vg_layer_result_add_db(r, path, VG_PKG_DPKG);
            while (p && *p) {
                char *next = strchr(p, ' ');
                if (next)
                    *next++ = '\0';
                char *eq = strchr(p, '=');
                vg_package *pk = vg_pkgdb_add(r, db);
                pk->name = vg_layer_result_strndup(r, p, (size_t)(eq - p));
                pk->version = vg_layer_result_strndup(r, eq + 1, strlen(eq + 1));
                p = next;
            }
        } else if (strcmp(kind, "wh") == 0 || strcmp(kind, "opq") == 0) {
            vg_layer_result_add_whiteout(r, strcmp(rest, "/") == 0 ? "" : rest,
                                         strcmp(kind, "opq") == 0);
        } else if (strcmp(kind, "rel") == 0) {
            char *f[4] = {rest, NULL, NULL, NULL};
            for (int i = 1; i < 4; i++) {
                char *q = strchr(f[i - 1], ' ');
                *q = '\0';
                f[i] = q + 1;
            }
            vg_release_file *rf = vg_layer_result_add_release(r, f[0]);
            rf->dist.did = vg_layer_result_strndup(r, f[1], strlen(f[1]));
            if (strcmp(f[2], "-") != 0)
                rf->dist.version_id = vg_layer_result_strndup(r, f[2], strlen(f[2]));
            rf->dist.ns = vg_layer_result_strndup(r, f[3], strlen(f[3]));
        }
        free(save);
    }
    return r;
}

/* "name=ver@layer" for every package of the report, sorted, joined by spaces. */
static char *summary(const vg_index_report *r)
{
    char **items = vg_xcalloc(r->n_pkgs + 1, sizeof(char *));
    for (size_t i = 0; i < r->n_pkgs; i++) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 0);
        vg_strbuf_printf(&sb, "%s=%s@%s", r->pkgs[i].pkg.name, r->pkgs[i].pkg.version,
                         r->pkgs[i].pkg.introduced_in);
        items[i] = vg_strbuf_detach(&sb);
    }
    for (size_t i = 1; i < r->n_pkgs; i++) /* insertion sort: tiny inputs */
        for (size_t j = i; j > 0 && strcmp(items[j - 1], items[j]) > 0; j--) {
            char *t = items[j];
            items[j] = items[j - 1];
            items[j - 1] = t;
        }
    vg_strbuf out;
    vg_strbuf_init(&out, 0);
    for (size_t i = 0; i < r->n_pkgs; i++) {
        vg_strbuf_printf(&out, "%s%s", i ? " " : "", items[i]);
        free(items[i]);
    }
    free(items);
    return vg_strbuf_detach(&out);
}

typedef struct case_ {
    const char *name;
    const char *const *layers[4];
    const char *want;    /* summary() */
    const char *want_ns; /* distribution namespace, or NULL for none */
} case_;

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const case_ cases[] = {
    {"upper copy wins, unchanged packages keep their layer",
     {L("db var/lib/dpkg/status a=1 b=1"), L("db var/lib/dpkg/status a=1 b=2 c=1")},
     "a=1@L0 b=2@L1 c=1@L1",
     NULL},
    {"whiteout of the database removes it",
     {L("db var/lib/dpkg/status a=1"), L("wh var/lib/dpkg/status")},
     "",
     NULL},
    {"whiteout of a parent directory removes it",
     {L("db var/lib/dpkg/status a=1"), L("wh var/lib/dpkg")},
     "",
     NULL},
    {"a sibling whiteout does not",
     {L("db var/lib/dpkg/status a=1"), L("wh var/lib/dpkg/status-old")},
     "a=1@L0",
     NULL},
    {"opaque directory hides lower contents",
     {L("db var/lib/dpkg/status.d/a a=1"), L("opq var/lib/dpkg/status.d")},
     "",
     NULL},
    {"opaque root hides everything below",
     {L("db lib/apk/db/installed x=1"), L("opq /")},
     "",
     NULL},
    {"same-layer file survives its own opaque marker",
     {L("db var/lib/dpkg/status.d/a a=1"),
      L("opq var/lib/dpkg/status.d", "db var/lib/dpkg/status.d/b b=1")},
     "b=1@L1",
     NULL},
    {"deleted then re-added: introduced where it comes back",
     {L("db var/lib/dpkg/status a=1"), L("wh var/lib/dpkg/status"),
      L("db var/lib/dpkg/status a=1")},
     "a=1@L2",
     NULL},
    {"downgrade and upgrade back: introduced at the last change",
     {L("db var/lib/dpkg/status a=2"), L("db var/lib/dpkg/status a=1"),
      L("db var/lib/dpkg/status a=2")},
     "a=2@L2",
     NULL},
    {"status.d files stack across layers",
     {L("db var/lib/dpkg/status.d/a a=1"), L("db var/lib/dpkg/status.d/b b=1")},
     "a=1@L0 b=1@L1",
     NULL},
    {"os-release outranks debian_version",
     {L("rel etc/debian_version debian 12 debian:12",
        "rel usr/lib/os-release ubuntu 22.04 ubuntu:22.04")},
     "",
     "ubuntu:22.04"},
    {"testing: version from a lower-ranked file of the same distribution",
     {L("rel usr/lib/os-release debian - debian:trixie",
        "rel etc/debian_version debian 13 debian:13")},
     "",
     "debian:13"},
    {"a whited-out os-release no longer counts",
     {L("rel etc/os-release alpine 3.19 alpine:3.19"), L("wh etc/os-release")},
     "",
     NULL},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t c = 0; c < VG_ARRAY_LEN(cases); c++) {
        vg_layer_result *ls[4] = {0};
        size_t n = 0;
        while (n < 4 && cases[c].layers[n]) {
            char digest[8] = {'L', (char)('0' + n), 0};
            ls[n] = layer(digest, cases[c].layers[n]);
            n++;
        }
        vg_index_report *r = NULL;
        assert_int_equal(vg_index_coalesce(&r, ls, n, "sha256:m"), 0);
        char *got = summary(r);
        if (strcmp(got, cases[c].want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", cases[c].name, got, cases[c].want);
        if (cases[c].want_ns) {
            if (r->n_dists != 1 || strcmp(r->dists[0].ns, cases[c].want_ns) != 0)
                fail_msg("%s: namespace %s, want %s", cases[c].name,
                         r->n_dists ? r->dists[0].ns : "(none)", cases[c].want_ns);
        } else if (r->n_dists != 0) {
            fail_msg("%s: unexpected distribution %s", cases[c].name, r->dists[0].ns);
        }
        free(got);
        vg_index_report_free(r);
        for (size_t i = 0; i < n; i++)
            vg_layer_result_free(ls[i]);
    }
}

static vg_layer_result *index_first_layer(const char *ref)
{
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    vg_image *img = NULL;
    if (vg_image_open(&img, ref, &opts) != 0)
        fail_msg("%s: %s", ref, vg_error_last());
    assert_int_equal(vg_image_layer_count(img), 1);
    vg_layer_result *r = NULL;
    if (vg_index_layer(&r, img, 0, &lim) != 0)
        fail_msg("%s: %s", ref, vg_error_last());
    vg_image_free(img);
    return r;
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The same layer reached through two different images gives identical results. */
static void test_shared_layer(void **state)
{
    (void)state;
    char *path = vg_test_shared_path("images/snyk/containerd-alpine-3.14.tar");
    vg_strbuf a, b;
    vg_strbuf_init(&a, 0);
    vg_strbuf_init(&b, 0);
    vg_strbuf_printf(&a, "docker-archive:%s", path);
    vg_strbuf_printf(&b, "oci-archive:%s", path);
    vg_layer_result *x = index_first_layer(a.buf), *y = index_first_layer(b.buf);
    assert_string_equal(x->digest, y->digest);
    assert_int_equal(x->entries, y->entries);
    assert_int_equal(x->n_dbs, 1);
    assert_int_equal(x->n_dbs, y->n_dbs);
    assert_int_equal(x->n_releases, y->n_releases);
    assert_int_equal(x->n_whiteouts, y->n_whiteouts);
    assert_int_equal(x->n_opaque, y->n_opaque);
    for (size_t d = 0; d < x->n_dbs; d++) {
        assert_string_equal(x->dbs[d].path, y->dbs[d].path);
        assert_int_equal(x->dbs[d].n_pkgs, y->dbs[d].n_pkgs);
        assert_true(x->dbs[d].n_pkgs >= 10);
        for (size_t k = 0; k < x->dbs[d].n_pkgs; k++) {
            const vg_package *p = &x->dbs[d].pkgs[k], *q = &y->dbs[d].pkgs[k];
            assert_true(str_eq(p->name, q->name) && str_eq(p->version, q->version) &&
                        str_eq(p->arch, q->arch) && str_eq(p->source_name, q->source_name) &&
                        str_eq(p->source_version, q->source_version));
        }
    }
    for (size_t f = 0; f < x->n_releases; f++)
        assert_true(str_eq(x->releases[f].dist.ns, y->releases[f].dist.ns));
    vg_layer_result_free(x);
    vg_layer_result_free(y);
    vg_strbuf_dispose(&a);
    vg_strbuf_dispose(&b);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_shared_layer),
    };
    return cmocka_run_group_tests_name("coalesce", tests, NULL, NULL);
}
