/* match_test.c — table tests of src/match/ against a real SQLite store: source-package
 * matching for dpkg/apk with epochs and '~', binary EVR for rpm with arch and module-stream
 * qualifiers, not-affected and unfixed records, kernel-header suppression, NVD enrichment,
 * and the scan filters (severity, --ignore-unfixed, ignore files with expiry). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "match/match.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char db_path[64];

#define EV(k, v)                                                                                   \
    {                                                                                              \
        VG_EVENT_##k, v                                                                            \
    }

static vg_event ev_fixed_deb[] = {EV(INTRODUCED, "0"), EV(FIXED, "2.38.1-5+deb12u4")};
static vg_event ev_fixed_tilde[] = {EV(INTRODUCED, "0"), EV(FIXED, "1.0")};
static vg_event ev_old_fix[] = {EV(INTRODUCED, "0"), EV(FIXED, "0.9-1")};
static vg_event ev_rpm[] = {EV(INTRODUCED, "0"), EV(FIXED, "1:18.19.0-1.module+el9")};
static vg_event ev_apk[] = {EV(INTRODUCED, "0"), EV(FIXED, "1.1.1t-r1")};
static vg_event ev_kernel[] = {EV(INTRODUCED, "0"), EV(FIXED, "9.9")};

static vg_affected af_debian[] = {
    {.ns = "debian:12",
     .package = "util-linux",
     .source_pkg = true,
     .scheme = "dpkg",
     .events = ev_fixed_deb,
     .n_events = 2,
     .status = VG_STATUS_FIXED},
    /* the same CVE is not affected in another namespace: must not leak */
    {.ns = "debian:11",
     .package = "util-linux",
     .source_pkg = true,
     .scheme = "dpkg",
     .status = VG_STATUS_NOT_AFFECTED},
};
static vg_affected af_tilde[] = {{.ns = "debian:12",
                                  .package = "libfoo",
                                  .source_pkg = true,
                                  .scheme = "dpkg",
                                  .events = ev_fixed_tilde,
                                  .n_events = 2,
                                  .status = VG_STATUS_FIXED}};
static vg_affected af_unfixed[] = {{.ns = "debian:12",
                                    .package = "libfoo",
                                    .source_pkg = true,
                                    .scheme = "dpkg",
                                    .status = VG_STATUS_AFFECTED}};
static vg_affected af_notaff[] = {{.ns = "debian:12",
                                   .package = "libfoo",
                                   .source_pkg = true,
                                   .scheme = "dpkg",
                                   .status = VG_STATUS_NOT_AFFECTED}};
static vg_affected af_old[] = {{.ns = "debian:12",
                                .package = "libfoo",
                                .source_pkg = true,
                                .scheme = "dpkg",
                                .events = ev_old_fix,
                                .n_events = 2,
                                .status = VG_STATUS_FIXED}};
static vg_affected af_kernel[] = {{.ns = "debian:12",
                                   .package = "linux",
                                   .source_pkg = true,
                                   .scheme = "dpkg",
                                   .events = ev_kernel,
                                   .n_events = 2,
                                   .status = VG_STATUS_FIXED}};
static vg_affected af_apk[] = {{.ns = "alpine:3.14",
                                .package = "openssl",
                                .source_pkg = true,
                                .scheme = "apk",
                                .events = ev_apk,
                                .n_events = 2,
                                .status = VG_STATUS_FIXED}};
static vg_affected af_rpm[] = {
    {.ns = "rhel:9",
     .package = "nodejs",
     .scheme = "rpm",
     .events = ev_rpm,
     .n_events = 2,
     .status = VG_STATUS_FIXED,
     .module = "nodejs:18",
     .arch = "x86_64"},
    {.ns = "rhel:9",
     .package = "nodejs",
     .scheme = "rpm",
     .events = ev_rpm,
     .n_events = 2,
     .status = VG_STATUS_FIXED,
     .module = "nodejs:20"},
};
static vg_cvss nvd_cvss[] = {
    {"3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "nvd@nist.gov"}};

static vg_advisory vendor[] = {
    {.id = "CVE-2024-0001",
     .source = "debian",
     .severity = VG_SEV_MEDIUM,
     .affected = af_debian,
     .n_affected = 2},
    {.id = "CVE-2024-0002", .source = "debian", .affected = af_tilde, .n_affected = 1},
    {.id = "CVE-2024-0003",
     .source = "debian",
     .severity = VG_SEV_LOW,
     .affected = af_unfixed,
     .n_affected = 1},
    {.id = "CVE-2024-0004", .source = "debian", .affected = af_notaff, .n_affected = 1},
    {.id = "CVE-2024-0005", .source = "debian", .affected = af_old, .n_affected = 1},
    {.id = "CVE-2024-0006", .source = "debian", .affected = af_kernel, .n_affected = 1},
    {.id = "CVE-2023-0464", .source = "alpine", .affected = af_apk, .n_affected = 1},
    {.id = "CVE-2024-0007",
     .source = "rhel",
     .severity = VG_SEV_HIGH,
     .affected = af_rpm,
     .n_affected = 2},
};
static vg_advisory nvd[] = {
    {.id = "CVE-2024-0002",
     .source = "nvd",
     .severity = VG_SEV_CRITICAL,
     .cvss = nvd_cvss,
     .n_cvss = 1,
     .description = "from NVD"},
};

static void put_all(vg_store *s, const char *updater, vg_advisory *a, size_t n)
{
    vg_store_tx *tx;
    assert_int_equal(vg_store_update_begin(&tx, s, updater, "fp"), 0);
    for (size_t i = 0; i < n; i++)
        if (vg_store_update_put(tx, &a[i]) != 0)
            fail_msg("put %s: %s", a[i].id, vg_error_last());
    assert_int_equal(vg_store_update_commit(tx, NULL), 0);
}

static vg_store *open_store(void)
{
    snprintf(db_path, sizeof(db_path), "/tmp/vg-match-test-%d.db", (int)getpid());
    unlink(db_path);
    vg_store *s;
    if (vg_store_open(&s, db_path) != 0)
        fail_msg("%s", vg_error_last());
    put_all(s, "debian", vendor, 6);
    put_all(s, "alpine", vendor + 6, 1);
    put_all(s, "rhel", vendor + 7, 1);
    put_all(s, "nvd", nvd, 1);
    return s;
}

typedef struct pkg_spec {
    vg_pkg_format fmt;
    const char *name, *version, *src, *src_version, *arch, *module;
    int dist; /* 0 debian:12, 1 alpine:3.14, 2 rhel:9 */
} pkg_spec;

static const pkg_spec pkgs[] = {
    {VG_PKG_DPKG, "bsdutils", "1:2.38.1-5+deb12u3", "util-linux", "2.38.1-5+deb12u3", "amd64", NULL,
     0},
    {VG_PKG_DPKG, "libfoo1", "1.0~rc1-1", "libfoo", "1.0~rc1", "amd64", NULL, 0},
    {VG_PKG_DPKG, "linux-libc-dev", "6.1.0-1", "linux", "6.1.0-1", "amd64", NULL, 0},
    {VG_PKG_APK, "libssl1.1", "1.1.1t-r0", "openssl", "1.1.1t-r0", "x86_64", NULL, 1},
    {VG_PKG_RPM, "nodejs", "1:18.14.2-3.module+el9", NULL, NULL, "x86_64",
     "nodejs:18:9020020230601:rhel9", 2},
};

static vg_index_report *make_index(void)
{
    static const char *const ns[] = {"debian:12", "alpine:3.14", "rhel:9"};
    vg_index_report *r = vg_index_report_new("sha256:test");
    r->dists = vg_arena_alloc(r->arena, 3 * sizeof(vg_distribution));
    memset(r->dists, 0, 3 * sizeof(vg_distribution));
    for (int i = 0; i < 3; i++)
        r->dists[i].ns = ns[i];
    r->n_dists = 3;
    r->pkgs = vg_arena_alloc(r->arena, VG_ARRAY_LEN(pkgs) * sizeof(vg_index_pkg));
    for (size_t i = 0; i < VG_ARRAY_LEN(pkgs); i++) {
        vg_index_pkg *ip = &r->pkgs[i];
        memset(ip, 0, sizeof(*ip));
        ip->pkg = (vg_package){.format = pkgs[i].fmt,
                               .name = pkgs[i].name,
                               .version = pkgs[i].version,
                               .arch = pkgs[i].arch,
                               .source_name = pkgs[i].src,
                               .source_version = pkgs[i].src_version,
                               .module = pkgs[i].module,
                               .introduced_in = "sha256:layer"};
        ip->dist_index = pkgs[i].dist;
        ip->package_db = "db";
    }
    r->n_pkgs = VG_ARRAY_LEN(pkgs);
    return r;
}

/* "pkg:id:fixed" per finding, joined by spaces, in report order. */
static char *summary(const vg_vuln_report *r)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    for (size_t i = 0; i < r->n_findings; i++) {
        const vg_finding *f = &r->findings[i];
        vg_strbuf_printf(&sb, "%s%s:%s:%s", i ? " " : "", r->index->pkgs[f->pkg_index].pkg.name,
                         f->id, f->fixed_version ? f->fixed_version : "-");
    }
    return vg_strbuf_detach(&sb);
}

static void test_rules(void **state)
{
    (void)state;
    vg_store *s = open_store();
    vg_index_report *ix = make_index();
    vg_match_opts o;
    vg_match_opts_default(&o);
    vg_vuln_report *r = NULL;
    if (vg_match(&r, s, ix, &o) != 0)
        fail_msg("%s", vg_error_last());
    char *got = summary(r);
    /* util-linux through its source version (the binary's epoch is not the source's);
     * libfoo 1.0~rc1 < 1.0 (fixed) and the unfixed record (no fix); the not-affected and
     * fixed-below records give nothing; linux-libc-dev suppressed; openssl via the apk
     * origin; nodejs only through its own module stream (nodejs:18), not nodejs:20. */
    assert_string_equal(got, "bsdutils:CVE-2024-0001:2.38.1-5+deb12u4 "
                             "libfoo1:CVE-2024-0002:1.0 libfoo1:CVE-2024-0003:- "
                             "libssl1.1:CVE-2023-0464:1.1.1t-r1 "
                             "nodejs:CVE-2024-0007:1:18.19.0-1.module+el9");
    assert_int_equal(r->n_suppressed_kernel, 1);
    /* NVD enrichment: the vendor gave no severity, so NVD's shows, with its CVSS. */
    const vg_finding *f = &r->findings[1];
    assert_int_equal(f->severity, VG_SEV_CRITICAL);
    assert_int_equal(f->vendor_severity, VG_SEV_UNKNOWN);
    assert_int_equal(f->nvd_severity, VG_SEV_CRITICAL);
    assert_non_null(f->cvss_vector);
    assert_true(f->cvss_score > 9.7 && f->cvss_score < 9.9);
    /* The vendor's severity wins where it has one. */
    assert_int_equal(r->findings[0].severity, VG_SEV_MEDIUM);
    assert_int_equal(r->findings[2].status, VG_STATUS_AFFECTED);
    free(got);
    vg_vuln_report_free(r);

    o.include_kernel_headers = true;
    assert_int_equal(vg_match(&r, s, ix, &o), 0);
    got = summary(r);
    assert_non_null(strstr(got, "linux-libc-dev:CVE-2024-0006:9.9"));
    assert_int_equal(r->n_suppressed_kernel, 0);
    free(got);

    /* Filters. */
    vg_filter flt;
    vg_filter_init(&flt);
    assert_int_equal(vg_filter_parse_severities(&flt, "critical, HIGH"), 0);
    vg_filter_stats st;
    vg_filter_apply(r, &flt, "2026-11-28", &st);
    got = summary(r);
    assert_string_equal(got,
                        "libfoo1:CVE-2024-0002:1.0 nodejs:CVE-2024-0007:1:18.19.0-1.module+el9");
    assert_int_equal(st.removed_severity, 4);
    free(got);
    vg_filter_stats_dispose(&st);
    vg_filter_dispose(&flt);
    assert_int_equal(vg_filter_parse_severities(&flt, "LOW,BOGUS"), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "BOGUS"));
    vg_filter_dispose(&flt);
    vg_vuln_report_free(r);

    /* --ignore-unfixed and an ignore file with a live rule and an expired one. */
    char ign[80];
    snprintf(ign, sizeof(ign), "%s.ignore", db_path);
    FILE *fp = fopen(ign, "w");
    fputs("# accepted risks\nCVE-2023-0464 exp:2099-01-01 # waiting for the vendor\n"
          "CVE-2024-0001 exp:2020-01-01\n",
          fp);
    fclose(fp);
    assert_int_equal(vg_match(&r, s, ix, &o), 0);
    vg_filter_init(&flt);
    flt.ignore_unfixed = true;
    assert_int_equal(vg_filter_load_ignore_file(&flt, ign), 0);
    vg_filter_apply(r, &flt, "2026-11-28", &st);
    got = summary(r);
    assert_string_equal(got, "bsdutils:CVE-2024-0001:2.38.1-5+deb12u4 libfoo1:CVE-2024-0002:1.0 "
                             "linux-libc-dev:CVE-2024-0006:9.9 "
                             "nodejs:CVE-2024-0007:1:18.19.0-1.module+el9");
    assert_int_equal(st.removed_unfixed, 1);
    assert_int_equal(st.removed_ignored, 1);
    assert_int_equal(st.n_expired, 1);
    assert_string_equal(st.expired[0]->id, "CVE-2024-0001");
    free(got);
    vg_filter_stats_dispose(&st);
    vg_filter_dispose(&flt);
    /* A malformed ignore file names its line. */
    fp = fopen(ign, "w");
    fputs("CVE-1\nCVE-2 until:2020-01-01\n", fp);
    fclose(fp);
    vg_filter_init(&flt);
    assert_int_equal(vg_filter_load_ignore_file(&flt, ign), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), ":2:"));
    vg_filter_dispose(&flt);
    unlink(ign);

    vg_vuln_report_free(r);
    vg_index_report_free(ix);
    vg_store_close(s);
    unlink(db_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rules)};
    return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
