/* report_read_test.c — unit tests of src/report/read_json.c, the readers of Clair v4 JSON:
 * vigil's IndexReport and VulnerabilityReport rendered, read back and rendered again (the
 * same JSON byte for byte, the same table, SARIF and CycloneDX), hand-written Clair-shaped
 * reports without vigil's additions, and the errors: types, dangling ids, truncated JSON,
 * depth and every cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/report.h"

/* The renderer tests' hand-built sample (tests/report/sample.c), compiled into this binary:
 * CMake adds sample.c to report_test only. */
#include "../report/sample.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE "oci:/tmp/sample:latest"

static const vg_report_format all_formats[] = {VG_FORMAT_TABLE, VG_FORMAT_JSON, VG_FORMAT_SARIF,
                                               VG_FORMAT_CYCLONEDX};

static char *render(const vg_vuln_report *r, vg_report_format fmt, bool color)
{
    vg_render_opts o = {.color = color, .image_ref = IMAGE, .tool_version = NULL};
    vg_strbuf out;
    vg_strbuf_init(&out, VG_STRBUF_DEFAULT_LIMIT);
    assert_int_equal(vg_report_vuln(&out, r, fmt, &o), 0);
    return vg_strbuf_detach(&out);
}

static char *render_index(const vg_index_report *ix)
{
    vg_strbuf out;
    vg_strbuf_init(&out, VG_STRBUF_DEFAULT_LIMIT);
    assert_int_equal(vg_report_index_json(&out, ix), 0);
    return vg_strbuf_detach(&out);
}

static vg_vuln_report *read_vuln(const char *json, vg_index_report **ix)
{
    vg_vuln_report *r = NULL;
    int rc = vg_report_vuln_read(&r, ix, json, strlen(json));
    if (rc != 0)
        fail_msg("vg_report_vuln_read: %d %s", rc, vg_error_last());
    assert_ptr_equal(r->index, *ix);
    return r;
}

static vg_index_report *read_index(const char *json)
{
    vg_index_report *ix = NULL;
    int rc = vg_report_index_read(&ix, json, strlen(json));
    if (rc != 0)
        fail_msg("vg_report_index_read: %d %s", rc, vg_error_last());
    return ix;
}

/* Hand-written JSON uses single quotes, so it reads without backslashes. */
static char *sq(const char *s)
{
    char *d = vg_xstrdup(s);
    for (char *p = d; *p; p++)
        if (*p == '\'')
            *p = '"';
    return d;
}

static bool streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ---- round trips of vigil's own JSON ----------------------------------------------------- */

/* The sample, plus what the sample leaves out: an index error, warnings, vendor and module,
 * a distribution CPE, an empty (but present) purl. */
static vg_vuln_report *rich_sample(void)
{
    vg_vuln_report *r = vg_test_sample(false);
    vg_index_report *ix = (vg_index_report *)r->index;
    ix->warnings = vg_arena_alloc(ix->arena, 2 * sizeof(*ix->warnings));
    ix->warnings[0] = "layer sha256:11: app/package.json:1:1: unexpected end";
    ix->warnings[1] = "bad \"jar\" \x01";
    ix->n_warnings = 2;
    ix->dists[0].cpe = "cpe:/o:debian:debian_linux:12";
    ix->pkgs[SAMPLE_BASH].pkg.vendor = "Debian";
    ix->pkgs[SAMPLE_BASH].pkg.module = "bash:5";
    ix->pkgs[SAMPLE_ZLIB].pkg.purl = "";
    return r;
}

static void test_index_roundtrip(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        vg_vuln_report *orig = variant == 0 ? vg_test_sample(false) : rich_sample();
        vg_index_report *ox = (vg_index_report *)orig->index;
        if (variant == 2) {
            ox->state = VG_INDEX_ERROR;
            ox->err = "layer 3: unexpected EOF";
        }
        char *j1 = render_index(ox);
        vg_index_report *ix = read_index(j1);
        char *j2 = render_index(ix);
        assert_string_equal(j1, j2);

        assert_string_equal(ix->manifest_hash, ox->manifest_hash);
        assert_int_equal(ix->state, ox->state);
        assert_string_equal(ix->err, variant == 2 ? ox->err : "");
        assert_int_equal(ix->n_warnings, ox->n_warnings);
        assert_int_equal(ix->n_pkgs, ox->n_pkgs);
        assert_int_equal(ix->n_dists, ox->n_dists);
        /* What matching needs is what was written. */
        for (size_t i = 0; i < ix->n_pkgs; i++) {
            const vg_index_pkg *a = &ox->pkgs[i], *b = &ix->pkgs[i];
            assert_int_equal(a->pkg.format, b->pkg.format);
            assert_true(streq(a->pkg.name, b->pkg.name) || i == SAMPLE_HOSTILE);
            assert_string_equal(a->pkg.version, b->pkg.version);
            assert_true(streq(a->pkg.arch, b->pkg.arch));
            assert_true(streq(a->pkg.module, b->pkg.module));
            assert_true(streq(a->pkg.vendor, b->pkg.vendor));
            assert_true(streq(a->pkg.purl, b->pkg.purl));
            assert_true(streq(a->pkg.introduced_in, b->pkg.introduced_in));
            assert_true(streq(a->package_db, b->package_db));
            assert_int_equal(a->dist_index, b->dist_index);
            const char *ns[2], *name[2], *ver[2], *scheme[2];
            bool src[2];
            bool ka = vg_match_key(ox, i, &ns[0], &name[0], &src[0], &ver[0], &scheme[0]);
            bool kb = vg_match_key(ix, i, &ns[1], &name[1], &src[1], &ver[1], &scheme[1]);
            assert_int_equal(ka, kb);
            if (ka && i != SAMPLE_HOSTILE) {
                assert_string_equal(ns[0], ns[1]);
                assert_string_equal(name[0], name[1]);
                assert_string_equal(ver[0], ver[1]);
                assert_string_equal(scheme[0], scheme[1]);
                assert_int_equal(src[0], src[1]);
            }
        }
        assert_string_equal(ix->dists[0].ns, "debian:12");
        assert_string_equal(ix->dists[0].found_in, "etc/os-release");

        /* The original findings against the read-back index render as against the original
         * (the hostile name's invalid UTF-8 aside, which the table would show). */
        if (variant == 0) {
            ox->pkgs[SAMPLE_HOSTILE].pkg.name = ix->pkgs[SAMPLE_HOSTILE].pkg.name;
            vg_vuln_report other = *orig;
            other.index = ix;
            for (size_t f = 0; f < VG_ARRAY_LEN(all_formats); f++) {
                char *a = render(orig, all_formats[f], false),
                     *b = render(&other, all_formats[f], false);
                assert_string_equal(a, b);
                free(a);
                free(b);
            }
        }
        free(j1);
        free(j2);
        vg_index_report_free(ix);
        vg_test_sample_free(orig);
    }
}

/* JSON -> read -> JSON is byte-identical, for the sample as it is (hostile strings, links
 * with spaces and all), the sample with nothing found, and the richer sample. */
static void test_vuln_json_roundtrip(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        vg_vuln_report *orig = variant == 2 ? rich_sample() : vg_test_sample(variant == 1);
        char *j1 = render(orig, VG_FORMAT_JSON, false);
        vg_index_report *ix = NULL;
        vg_vuln_report *r = read_vuln(j1, &ix);
        assert_int_equal(r->n_findings, orig->n_findings);
        char *j2 = render(r, VG_FORMAT_JSON, false);
        assert_string_equal(j1, j2);
        /* and once more: a fixed point */
        vg_index_report *ix2 = NULL;
        vg_vuln_report *r2 = read_vuln(j2, &ix2);
        char *j3 = render(r2, VG_FORMAT_JSON, false);
        assert_string_equal(j2, j3);
        free(j1);
        free(j2);
        free(j3);
        vg_vuln_report_free(r2);
        vg_index_report_free(ix2);
        vg_vuln_report_free(r);
        vg_index_report_free(ix);
        vg_test_sample_free(orig);
    }
}

/* Takes out of a report what a VulnerabilityReport cannot carry, so that every render of it
 * and of its read-back must be equal: one text per finding (Clair's "description"; a summary
 * folds into it), links without spaces (Clair joins them with spaces), and valid UTF-8
 * (jansson holds nothing else; the JSON writer prints '?' for the rest). */
static void make_representable(vg_vuln_report *r)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        vg_finding *f = &r->findings[i];
        if (!f->description || !*f->description)
            f->description = f->summary;
        f->summary = NULL;
        const char **links = vg_arena_alloc(r->arena, (f->n_links + 1) * sizeof(*links));
        size_t n = 0;
        for (size_t k = 0; k < f->n_links; k++)
            if (!strchr(f->links[k], ' '))
                links[n++] = f->links[k];
        f->links = links;
        f->n_links = n;
    }
    vg_index_report *ix = (vg_index_report *)r->index;
    ix->pkgs[SAMPLE_HOSTILE].pkg.name = "evil\"pkg\x1b[31mRED\x07?";
}

static void test_vuln_renders_roundtrip(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        vg_vuln_report *orig = variant == 2 ? rich_sample() : vg_test_sample(variant == 1);
        make_representable(orig);
        char *j = render(orig, VG_FORMAT_JSON, false);
        vg_index_report *ix = NULL;
        vg_vuln_report *r = read_vuln(j, &ix);
        for (size_t f = 0; f < VG_ARRAY_LEN(all_formats); f++) {
            for (int color = 0; color < 2; color++) {
                char *a = render(orig, all_formats[f], color),
                     *b = render(r, all_formats[f], color);
                if (strcmp(a, b) != 0)
                    fail_msg("variant %d format %d differs:\n%s\n----\n%s", variant, (int)f, a, b);
                free(a);
                free(b);
            }
        }
        /* The filters of `vigil scan` see the same findings. */
        vg_filter flt;
        vg_filter_init(&flt);
        flt.ignore_unfixed = true;
        vg_filter_stats sa, sb;
        vg_filter_apply(orig, &flt, "2024-06-01", &sa);
        vg_filter_apply(r, &flt, "2024-06-01", &sb);
        assert_int_equal(orig->n_findings, r->n_findings);
        assert_int_equal(sa.removed_unfixed, sb.removed_unfixed);
        vg_filter_stats_dispose(&sa);
        vg_filter_stats_dispose(&sb);
        vg_filter_dispose(&flt);
        free(j);
        vg_vuln_report_free(r);
        vg_index_report_free(ix);
        vg_test_sample_free(orig);
    }
}

static const vg_finding *find(const vg_vuln_report *r, const char *id, const char *source)
{
    for (size_t i = 0; i < r->n_findings; i++)
        if (strcmp(r->findings[i].id, id) == 0 && streq(r->findings[i].source, source))
            return &r->findings[i];
    fail_msg("no finding %s from %s", id, source ? source : "(none)");
    return NULL;
}

static void test_vuln_fields(void **state)
{
    (void)state;
    vg_vuln_report *orig = vg_test_sample(false);
    char *j = render(orig, VG_FORMAT_JSON, false);
    vg_index_report *ix = NULL;
    vg_vuln_report *r = read_vuln(j, &ix);
    assert_int_equal(r->n_suppressed_kernel, 2);
    assert_int_equal(r->n_invalid, 1);
    assert_string_equal(r->first_invalid, "debian:12 foo: invalid dpkg version \"1:\"");

    const vg_finding *f = find(r, "CVE-2024-0727", "debian");
    assert_int_equal(f->pkg_index, SAMPLE_LIBSSL);
    assert_string_equal(f->ns, "debian:12");
    assert_int_equal(f->severity, VG_SEV_CRITICAL);
    assert_string_equal(f->severity_label, "not yet assigned");
    assert_int_equal(f->nvd_severity, VG_SEV_CRITICAL);
    assert_int_equal(f->status, VG_STATUS_FIXED);
    assert_string_equal(f->fixed_version, "3.0.13-1~deb12u1");
    assert_int_equal(f->n_links, 3);
    assert_string_equal(f->links[1], "https://nvd.nist.gov/vuln/detail/CVE-2024-0727");
    assert_true(f->cvss_score == 9.8);
    assert_string_equal(f->cvss_source, "nvd@nist.gov");
    assert_null(f->summary);

    f = find(r, "CVE-2024-0727", "nvd");
    assert_null(f->severity_label); /* "Critical" was only the severity's name */
    assert_string_equal(f->description, "PKCS12 NULL dereference");

    f = find(r, "CVE-2023-45853", "debian");
    assert_int_equal(f->status, VG_STATUS_WILL_NOT_FIX);
    assert_null(f->fixed_version);
    assert_int_equal(f->severity, VG_SEV_NEGLIGIBLE);

    f = find(r, "GHSA-j8r2-6x86-q33q", "osv");
    assert_string_equal(f->ns, "pypi");
    assert_true(f->cvss_score == 6.3);
    assert_string_equal(f->introduced_in, LAYER2);

    f = find(r, "CVE-2099-0001", "osv");
    assert_string_equal(f->ns, "npm");
    assert_null(f->cvss_vector);
    assert_null(f->published);
    assert_int_equal(f->status, VG_STATUS_AFFECTED);
    assert_int_equal(f->n_links, 3); /* "https://example.com/a b" splits: Clair's format */

    free(j);
    vg_vuln_report_free(r);
    vg_index_report_free(ix);
    vg_test_sample_free(orig);
}

/* ---- Clair's own shape ------------------------------------------------------------------- */

#define LAYER_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LAYER_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CLAIR_CVSS                                                                                 \
    "message/vnd.clair.map.vulnerability; enricher=clair.cvss "                                    \
    "schema=https://csrc.nist.gov/schema/nvd/feed/1.1/cvss-v3.x.json"

/* A VulnerabilityReport as Clair writes one (written for this test from Clair's published
 * schema): Go's sorted map keys, numeric ids, null sources, a package in two environments, a
 * vulnerability shared by two packages, a language package without a distribution, the CVSS
 * only in the clair.cvss enrichment, none of vigil's additions. */
static const char clair_vuln[] =
    "{'manifest_hash':'sha256:5c1b1e2f3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7',"
    "'packages':{"
    " '10':{'id':'10','name':'libapt-pkg6.0','version':'2.4.11','kind':'binary',"
    "  'normalized_version':'','arch':'amd64','module':'','cpe':'',"
    "  'source':{'id':'9','name':'apt','version':'2.4.11','kind':'source','source':null}},"
    " '2':{'id':'2','name':'libssl3','version':'3.0.2-0ubuntu1.10','kind':'binary','arch':'amd64',"
    "  'source':{'id':'1','name':'openssl','version':'3.0.2-0ubuntu1.10','kind':'source'}},"
    " '31':{'id':'31','name':'urllib3','version':'1.26.5','kind':'binary','source':null,"
    "  'normalized_version':'pep440:1.26.5.0.0.0.0.0.0','arch':'','cpe':''}},"
    "'distributions':{'1':{'id':'1','did':'ubuntu','name':'Ubuntu',"
    " 'version':'22.04.3 LTS (Jammy Jellyfish)','version_code_name':'jammy','version_id':'22.04',"
    " 'arch':'','cpe':'','pretty_name':'Ubuntu 22.04.3 LTS'}},"
    "'repository':{'1':{'id':'1','name':'pypi','key':'','uri':'https://pypi.org/simple','cpe':''}},"
    "'environments':{"
    " '10':[{'package_db':'var/lib/dpkg/status','introduced_in':'" LAYER_A "',"
    "  'distribution_id':'1','repository_ids':null}],"
    " '2':[{'package_db':'var/lib/dpkg/status','introduced_in':'" LAYER_A
    "','distribution_id':'1'},"
    "  {'package_db':'var/lib/dpkg/status.d/libssl3','introduced_in':'" LAYER_B "',"
    "  'distribution_id':'1'}],"
    " '31':[{'package_db':'python:usr/lib/python3/dist-packages','introduced_in':'" LAYER_B "',"
    "  'distribution_id':'','repository_ids':['1']}]},"
    "'vulnerabilities':{"
    " '741852':{'id':'741852','updater':'ubuntu/updater/jammy','name':'CVE-2023-2650',"
    "  'description':'Processing some specially crafted ASN.1 object identifiers can be slow.',"
    "  'issued':'2023-05-30T14:15:09Z',"
    "  'links':'https://ubuntu.com/security/CVE-2023-2650  "
    "https://www.cve.org/CVERecord?id=CVE-2023-2650',"
    "  'severity':'Medium','normalized_severity':'Medium',"
    "  'package':{'id':'','name':'openssl','version':'','kind':'binary','source':null},"
    "  'distribution':{'id':'','did':'ubuntu','version_id':'22.04'},'repository':{},"
    "  'fixed_in_version':'3.0.2-0ubuntu1.12','arch_op':'equals'},"
    " '741900':{'id':'741900','updater':'ubuntu/updater/jammy','name':'CVE-2099-1111',"
    "  'description':'A made-up flaw in apt and openssl.','issued':'','links':'',"
    "  'severity':'low','normalized_severity':'Low','package':{'id':'','name':'apt'},"
    "  'distribution':null,'repository':null,'fixed_in_version':''},"
    " '88001':{'id':'88001','updater':'osv/pypi','name':'GHSA-v845-jxx5-vc9f',"
    "  'description':'Cookie header not stripped on cross-origin redirects.',"
    "  'issued':'2023-10-02T21:20:28Z','links':'https://github.com/advisories/GHSA-v845-jxx5-vc9f',"
    "  'severity':'MODERATE','normalized_severity':'Medium',"
    "  'package':{'id':'','name':'urllib3','version':'','kind':'binary'},"
    "  'repository':{'id':'','name':'pypi','uri':'https://pypi.org/simple'},"
    "  'fixed_in_version':'1.26.17'},"
    " '99999':{'id':'99999','updater':'x','name':'CVE-2000-0001','normalized_severity':'High'}},"
    "'package_vulnerabilities':{'10':['741900'],'2':['741852','741900'],'31':['88001']},"
    "'enrichments':{'" CLAIR_CVSS "':[{"
    " '741852':[{'version':'3.1','vectorString':'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',"
    "  'baseScore':7.5,'baseSeverity':'HIGH'}],"
    " 'not-in-this-report':[{'vectorString':'CVSS:3.1/AV:N','baseScore':1}]}],"
    " 'message/vnd.clair.map.vulnerability; enricher=clair.epss':[{'741852':[{'epss':0.1}]}]}}";

static void test_clair_vuln(void **state)
{
    (void)state;
    char *json = sq(clair_vuln);
    vg_index_report *ix = NULL;
    vg_vuln_report *r = read_vuln(json, &ix);
    free(json);

    /* Packages by numeric id: "2", "10", "31". */
    assert_int_equal(ix->n_pkgs, 3);
    assert_int_equal(ix->state, VG_INDEX_FINISHED);
    const vg_index_pkg *ssl = &ix->pkgs[0], *apt = &ix->pkgs[1], *py = &ix->pkgs[2];
    assert_string_equal(ssl->pkg.name, "libssl3");
    assert_string_equal(apt->pkg.name, "libapt-pkg6.0");
    assert_string_equal(py->pkg.name, "urllib3");
    assert_int_equal(ssl->pkg.format, VG_PKG_DPKG);
    assert_int_equal(apt->pkg.format, VG_PKG_DPKG);
    assert_int_equal(py->pkg.format, VG_PKG_PYTHON);
    assert_string_equal(ssl->pkg.source_name, "openssl");
    assert_null(py->pkg.source_name);
    assert_null(py->pkg.arch);
    assert_null(apt->pkg.module);
    assert_string_equal(ssl->package_db, "var/lib/dpkg/status"); /* the first environment */
    assert_string_equal(ssl->pkg.introduced_in, LAYER_A);
    assert_int_equal(ssl->dist_index, 0);
    assert_int_equal(py->dist_index, -1);
    assert_string_equal(py->package_db, "python:usr/lib/python3/dist-packages");
    assert_int_equal(ix->n_dists, 1);
    assert_string_equal(ix->dists[0].did, "ubuntu");
    assert_string_equal(ix->dists[0].version_id, "22.04");
    assert_null(ix->dists[0].ns); /* Clair has no namespace */
    assert_null(ix->dists[0].cpe);

    /* One finding per listed pair, in package order. */
    assert_int_equal(r->n_findings, 4);
    const vg_finding *f = &r->findings[0];
    assert_int_equal(f->pkg_index, 0);
    assert_string_equal(f->id, "CVE-2023-2650");
    assert_string_equal(f->source, "ubuntu/updater/jammy");
    assert_int_equal(f->status, VG_STATUS_FIXED);
    assert_string_equal(f->fixed_version, "3.0.2-0ubuntu1.12");
    assert_int_equal(f->severity, VG_SEV_MEDIUM);
    assert_null(f->severity_label);
    assert_int_equal(f->nvd_severity, VG_SEV_UNKNOWN);
    assert_int_equal(f->n_links, 2); /* the double space makes no empty link */
    assert_string_equal(f->links[1], "https://www.cve.org/CVERecord?id=CVE-2023-2650");
    assert_string_equal(f->introduced_in, LAYER_A);
    assert_string_equal(f->cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H");
    assert_true(f->cvss_score == 7.5);
    assert_string_equal(f->cvss_source, "nvd");
    assert_null(f->ns); /* no namespace on the distribution */

    f = &r->findings[1];
    assert_int_equal(f->pkg_index, 0);
    assert_string_equal(f->id, "CVE-2099-1111");
    assert_int_equal(f->status, VG_STATUS_AFFECTED);
    assert_null(f->fixed_version);
    assert_string_equal(f->severity_label, "low");
    assert_int_equal(f->severity, VG_SEV_LOW);
    assert_null(f->published);
    assert_int_equal(f->n_links, 0);
    assert_null(f->cvss_vector);
    f = &r->findings[2]; /* the same vulnerability, on the second package */
    assert_int_equal(f->pkg_index, 1);
    assert_string_equal(f->id, "CVE-2099-1111");

    f = &r->findings[3];
    assert_int_equal(f->pkg_index, 2);
    assert_string_equal(f->id, "GHSA-v845-jxx5-vc9f");
    assert_string_equal(f->severity_label, "MODERATE");
    assert_string_equal(f->ns, "pypi");
    assert_string_equal(f->introduced_in, LAYER_B);

    /* Every renderer takes it; vigil's JSON of it reads back to the same JSON. */
    for (size_t k = 0; k < VG_ARRAY_LEN(all_formats); k++)
        free(render(r, all_formats[k], true));
    char *j1 = render(r, VG_FORMAT_JSON, false);
    assert_non_null(strstr(j1, "\"CVE-2099-1111/3\""));
    vg_index_report *ix2 = NULL;
    vg_vuln_report *r2 = read_vuln(j1, &ix2);
    char *j2 = render(r2, VG_FORMAT_JSON, false);
    assert_string_equal(j1, j2);
    for (size_t k = 0; k < VG_ARRAY_LEN(all_formats); k++) {
        char *a = render(r, all_formats[k], false), *b = render(r2, all_formats[k], false);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    free(j1);
    free(j2);
    vg_vuln_report_free(r2);
    vg_index_report_free(ix2);
    vg_vuln_report_free(r);
    vg_index_report_free(ix);
}

/* An IndexReport as Clair writes one: Alpine packages and a Go binary, no "format". */
static const char clair_index[] =
    "{'manifest_hash':'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',"
    "'state':'IndexFinished','success':true,'err':'',"
    "'packages':{"
    " '1':{'id':'1','name':'musl','version':'1.2.4-r2','kind':'binary','arch':'x86_64',"
    "  'source':{'id':'2','name':'musl','version':'1.2.4-r2','kind':'source'}},"
    " '3':{'id':'3','name':'busybox','version':'1.36.1-r5','kind':'binary','source':null},"
    " '5':{'id':'5','name':'golang.org/x/net','version':'v0.17.0','kind':'binary'},"
    " '7':{'id':'7','name':'left-pad','version':'1.3.0','kind':'binary'}},"
    "'distributions':{'4':{'id':'4','did':'alpine','name':'Alpine Linux','version':'',"
    " 'version_code_name':'','version_id':'3.19.1','arch':'','cpe':'',"
    " 'pretty_name':'Alpine Linux v3.19'}},"
    "'repository':{},"
    "'environments':{"
    " '1':[{'package_db':'lib/apk/db/installed','introduced_in':'" LAYER_A "',"
    "  'distribution_id':'4','repository_ids':[]}],"
    " '3':[{'package_db':'lib/apk/db/installed','introduced_in':'" LAYER_A "',"
    "  'distribution_id':'4'}],"
    " '5':[{'package_db':'go:usr/local/bin/app','introduced_in':'" LAYER_B "',"
    "  'distribution_id':''}],"
    " '7':[{'package_db':'nodejs:app/node_modules/left-pad/package.json',"
    "  'introduced_in':'" LAYER_B "'}]}}";

static void test_clair_index(void **state)
{
    (void)state;
    char *json = sq(clair_index);
    vg_index_report *ix = read_index(json);
    assert_int_equal(ix->state, VG_INDEX_FINISHED);
    assert_string_equal(ix->err, "");
    assert_int_equal(ix->n_pkgs, 4);
    assert_int_equal(ix->pkgs[0].pkg.format, VG_PKG_APK);
    assert_int_equal(ix->pkgs[1].pkg.format, VG_PKG_APK);
    assert_int_equal(ix->pkgs[2].pkg.format, VG_PKG_GO);
    assert_int_equal(ix->pkgs[3].pkg.format, VG_PKG_NPM);
    assert_int_equal(ix->pkgs[0].dist_index, 0);
    assert_int_equal(ix->pkgs[2].dist_index, -1);
    assert_string_equal(ix->pkgs[2].pkg.introduced_in, LAYER_B);
    assert_string_equal(ix->pkgs[0].pkg.arch, "x86_64");
    assert_string_equal(ix->dists[0].version_id, "3.19.1");
    assert_null(ix->dists[0].version);
    vg_index_report_free(ix);

    /* A state short of IndexFinished is an index that did not finish. */
    char *p = strstr(json, "IndexFinished");
    memcpy(p, "ScanLayers\"   ", 14); /* "state":"ScanLayers"   ,"success" */
    ix = read_index(json);
    assert_int_equal(ix->state, VG_INDEX_ERROR);
    vg_index_report_free(ix);
    free(json);

    /* A distribution alone tells an OS package's format; purl wins over everything. */
    static const struct {
        const char *did, *db, *purl;
        vg_pkg_format want;
    } cases[] = {
        {"debian", "", "", VG_PKG_DPKG},
        {"rhel", "root/buildinfo/Dockerfile-ubi9", "", VG_PKG_RPM},
        {"alpine", "", "", VG_PKG_APK},
        {"", "sqlite:var/lib/rpm", "", VG_PKG_RPM},
        {"", "maven:opt/app/lib/x.jar", "", VG_PKG_JAVA},
        {"", "ruby:usr/lib/gems/specifications/rack.gemspec", "", VG_PKG_GEM},
        {"debian", "var/lib/dpkg/status", "pkg:gem/rack@2.2.3", VG_PKG_GEM},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        char doc[1024];
        snprintf(doc, sizeof(doc),
                 "{'manifest_hash':'m','state':'IndexFinished','success':true,"
                 "'packages':{'1':{'name':'n','version':'1','purl':'%s'}},"
                 "'distributions':{'1':{'did':'%s'}},"
                 "'environments':{'1':[{'package_db':'%s','distribution_id':'1'}]}}",
                 cases[i].purl, cases[i].did, cases[i].db);
        char *d = sq(doc);
        ix = read_index(d);
        assert_int_equal(ix->pkgs[0].pkg.format, cases[i].want);
        vg_index_report_free(ix);
        free(d);
    }
}

/* ---- errors ------------------------------------------------------------------------------ */

#define IHEAD "{'manifest_hash':'m','state':'IndexFinished','success':true,"
#define PKG1 "'packages':{'1':{'id':'1','name':'a','version':'1','format':'dpkg'}}"
#define VHEAD "{'manifest_hash':'m'," PKG1 ","
#define VPV "'package_vulnerabilities':{'1':['v']}}"
#define VULN(body) VHEAD "'vulnerabilities':{'v':{'name':'CVE-1'," body "}}," VPV

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        bool vuln; /* which reader */
        const char *json;
        int rc;
        const char *msg; /* the whole message, or (with a leading '~') a part of it */
    } cases[] = {
        {false, "[]", VG_EINVAL, "index report: expected an object"},
        {true, "\"x\"", VG_EINVAL, "~vulnerability report: invalid JSON at line 1"},
        {false, "", VG_EINVAL, "index report: empty document"},
        {false, "{'state':'IndexFinished'}", VG_EINVAL, "index report: manifest_hash: missing"},
        {false, "{'manifest_hash':1,'state':'x'}", VG_EINVAL,
         "index report: manifest_hash: expected a string"},
        {false, "{'manifest_hash':'m'}", VG_EINVAL, "index report: state: missing"},
        {false, "{'manifest_hash':'m','state':'IndexFinished','success':'yes'}", VG_EINVAL,
         "index report: success: expected a boolean"},
        {false, "{'manifest_hash':'m','state':'IndexFinished','err':false}", VG_EINVAL,
         "index report: err: expected a string"},
        {false, IHEAD "'packages':[]}", VG_EINVAL, "index report: packages: expected an object"},
        {true, "{'manifest_hash':'m','packages':{'12':{'name':'a','version':12}}}", VG_EINVAL,
         "vulnerability report: packages.\"12\".version: expected a string"},
        {false, IHEAD "'packages':{'1':{'version':'1','format':'dpkg'}}}", VG_EINVAL,
         "index report: packages.\"1\".name: missing"},
        {false, IHEAD "'packages':{'1':{'name':null,'version':'1','format':'dpkg'}}}", VG_EINVAL,
         "index report: packages.\"1\".name: expected a string"},
        {false, IHEAD "'packages':{'1':7}}", VG_EINVAL,
         "index report: packages.\"1\": expected an object"},
        {false, IHEAD "'packages':{'1':{'id':'2','name':'a','version':'1','format':'dpkg'}}}",
         VG_EINVAL,
         "index report: packages.\"1\".id: does not match the key it is listed under: \"2\""},
        {false, IHEAD "'packages':{'1':{'name':'a','version':'1','format':'deb'}}}", VG_EINVAL,
         "index report: packages.\"1\".format: unknown package format \"deb\""},
        {false, IHEAD "'packages':{'1':{'name':'a','version':'1','format':'dpkg','source':'o'}}}",
         VG_EINVAL, "index report: packages.\"1\".source: expected an object"},
        {false,
         IHEAD "'packages':{'1':{'name':'a','version':'1','format':'dpkg','source':{'name':1}}}}",
         VG_EINVAL, "index report: packages.\"1\".source.name: expected a string"},
        {false, IHEAD "'packages':{'1':{'name':'a','version':'1','format':'dpkg','cpe':[]}}}",
         VG_EINVAL, "index report: packages.\"1\".cpe: expected a string"},
        {false, IHEAD "'packages':{'a\\\"b':{'name':'a','version':1}}}", VG_EINVAL,
         "index report: packages.\"a\\\"b\".version: expected a string"},
        {false, IHEAD "'packages':{'1':{'name':'a','version':'1'}}}", VG_EINVAL,
         "~index report: packages.\"1\": cannot tell the package format"},
        {false, IHEAD PKG1 ",'environments':{'5':[{}]}}", VG_EINVAL,
         "index report: environments.\"5\": no package \"5\""},
        {false, IHEAD PKG1 ",'environments':{'1':[{'distribution_id':'9'}]}}", VG_EINVAL,
         "index report: environments.\"1\"[0].distribution_id: no distribution \"9\""},
        {false, IHEAD PKG1 ",'environments':{'1':[{},{'distribution_id':'9'}]}}", VG_EINVAL,
         "index report: environments.\"1\"[1].distribution_id: no distribution \"9\""},
        {false, IHEAD PKG1 ",'environments':{'1':{}}}", VG_EINVAL,
         "index report: environments.\"1\": expected an array"},
        {false, IHEAD PKG1 ",'environments':{'1':[7]}}", VG_EINVAL,
         "index report: environments.\"1\"[0]: expected an object"},
        {false, IHEAD PKG1 ",'environments':{'1':[{'package_db':1}]}}", VG_EINVAL,
         "index report: environments.\"1\"[0].package_db: expected a string"},
        {false, IHEAD PKG1 ",'environments':{'1':[{'repository_ids':[1]}]}}", VG_EINVAL,
         "index report: environments.\"1\"[0].repository_ids[0]: expected a string"},
        {false, IHEAD "'environments':[]}", VG_EINVAL,
         "index report: environments: expected an object"},
        {false, IHEAD "'distributions':{'1':{'did':5}}}", VG_EINVAL,
         "index report: distributions.\"1\".did: expected a string"},
        {false, IHEAD "'distributions':{'1':[]}}", VG_EINVAL,
         "index report: distributions.\"1\": expected an object"},
        {false, IHEAD "'distributions':{'1':{'id':'one'}}}", VG_EINVAL,
         "~distributions.\"1\".id: does not match"},
        {false, IHEAD "'warnings':['a',2]}", VG_EINVAL,
         "index report: warnings[1]: expected a string"},
        {false, IHEAD "'warnings':{}}", VG_EINVAL, "index report: warnings: expected an array"},
        {false, "{'manifest_hash':'m','manifest_hash':'n','state':'x'}", VG_EINVAL,
         "~duplicate object key"},
        {false, "{} x", VG_EINVAL, "~index report: invalid JSON at line 1"},
        {true, VHEAD "'package_vulnerabilities':{'3':['v']}}", VG_EINVAL,
         "vulnerability report: package_vulnerabilities.\"3\": no package \"3\""},
        {true, VHEAD "'vulnerabilities':{},'package_vulnerabilities':{'1':['nope']}}", VG_EINVAL,
         "vulnerability report: package_vulnerabilities.\"1\"[0]: no vulnerability \"nope\""},
        {true, VHEAD "'package_vulnerabilities':{'1':['nope']}}", VG_EINVAL,
         "vulnerability report: package_vulnerabilities.\"1\"[0]: no vulnerability \"nope\""},
        {true, VHEAD "'package_vulnerabilities':{'1':[1]}}", VG_EINVAL,
         "vulnerability report: package_vulnerabilities.\"1\"[0]: expected a string"},
        {true, VHEAD "'package_vulnerabilities':{'1':{}}}", VG_EINVAL,
         "vulnerability report: package_vulnerabilities.\"1\": expected an array"},
        {true, VHEAD "'package_vulnerabilities':[]}", VG_EINVAL,
         "vulnerability report: package_vulnerabilities: expected an object"},
        {true, VHEAD "'vulnerabilities':[]}", VG_EINVAL,
         "vulnerability report: vulnerabilities: expected an object"},
        {true, VHEAD "'vulnerabilities':{'v':[]}}", VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\": expected an object"},
        {true, VHEAD "'vulnerabilities':{'v':{'normalized_severity':'Low'}}}", VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\".name: missing"},
        {true, VULN("'x':1"), VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\".normalized_severity: missing"},
        {true, VULN("'normalized_severity':'Severe'"), VG_EINVAL,
         "~vulnerabilities.\"v\".normalized_severity: unknown severity"},
        {true, VULN("'normalized_severity':'Low','id':'w'"), VG_EINVAL,
         "~vulnerabilities.\"v\".id: does not match the key it is listed under: \"w\""},
        {true, VULN("'normalized_severity':'Low','status':'bogus'"), VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\".status: unknown status \"bogus\""},
        {true, VULN("'normalized_severity':'Low','nvd_severity':'Huge'"), VG_EINVAL,
         "~vulnerabilities.\"v\".nvd_severity: unknown severity"},
        {true, VULN("'normalized_severity':'Low','cvss':{'vector':'CVSS:3.1/x','score':'9.8'}"),
         VG_EINVAL, "vulnerability report: vulnerabilities.\"v\".cvss.score: expected a number"},
        {true, VULN("'normalized_severity':'Low','cvss':{'vector':'CVSS:3.1/x','score':11}"),
         VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\".cvss.score: out of range (0 to 10)"},
        {true, VULN("'normalized_severity':'Low','cvss':{'vector':'CVSS:3.1/x','score':-0.5}"),
         VG_EINVAL, "~cvss.score: out of range"},
        {true, VULN("'normalized_severity':'Low','cvss':'high'"), VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\".cvss: expected an object"},
        {true, VULN("'normalized_severity':'Low','links':5"), VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\".links: expected a string"},
        {true, VULN("'normalized_severity':'Low','package':'openssl'"), VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\".package: expected an object"},
        {true, VULN("'normalized_severity':'Low','introduced_in':1"), VG_EINVAL,
         "vulnerability report: vulnerabilities.\"v\".introduced_in: expected a string"},
        {true, VHEAD "'vigil':{'invalid_records':-1}}", VG_EINVAL,
         "vulnerability report: vigil.invalid_records: expected a non-negative integer"},
        {true, VHEAD "'vigil':{'suppressed_kernel_headers':1.5}}", VG_EINVAL,
         "vulnerability report: vigil.suppressed_kernel_headers: expected an integer"},
        {true, VHEAD "'vigil':{'first_invalid':[]}}", VG_EINVAL,
         "vulnerability report: vigil.first_invalid: expected a string"},
        {true, VHEAD "'enrichments':[]}", VG_EINVAL,
         "vulnerability report: enrichments: expected an object"},
        {true, VHEAD "'enrichments':{'" CLAIR_CVSS "':{}}}", VG_EINVAL,
         "vulnerability report: enrichments.\"message/vnd.clair.map.vulnerability; "
         "enricher=clair.cvss schema=...\": expected an array"}, /* keys shown: 64 bytes */
        {true, VHEAD "'enrichments':{'" CLAIR_CVSS "':[{'v':[{'baseScore':'7'}]}]}}", VG_EINVAL,
         "~\"[0].\"v\"[0].baseScore: expected a number"},
        {true, VHEAD "'enrichments':{'" CLAIR_CVSS "':[{'v':{}}]}}", VG_EINVAL,
         "~\"[0].\"v\": expected an array"},
        {true, "{'packages':{}}", VG_EINVAL, "vulnerability report: manifest_hash: missing"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        char *json = sq(cases[i].json);
        vg_index_report *ix = (vg_index_report *)&cases[i]; /* sentinels: must stay */
        vg_vuln_report *vr = (vg_vuln_report *)&cases[i];
        vg_error_clear();
        int rc = cases[i].vuln ? vg_report_vuln_read(&vr, &ix, json, strlen(json))
                               : vg_report_index_read(&ix, json, strlen(json));
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d, want %d (%s) for %s", i, rc, cases[i].rc, vg_error_last(),
                     json);
        assert_int_equal(vg_error_code(), cases[i].rc);
        const char *want = cases[i].msg;
        bool part = want[0] == '~';
        if (part ? !strstr(vg_error_last(), want + 1) : strcmp(vg_error_last(), want) != 0)
            fail_msg("case %zu: message\n  %s\nwant\n  %s", i, vg_error_last(), want);
        assert_ptr_equal(ix, (vg_index_report *)&cases[i]);
        assert_ptr_equal(vr, (vg_vuln_report *)&cases[i]);
        free(json);
    }
}

/* Every proper prefix of a report is malformed, and says so (not a crash, not a success). */
static void test_truncated(void **state)
{
    (void)state;
    vg_vuln_report *orig = vg_test_sample(false);
    char *j = render(orig, VG_FORMAT_JSON, false);
    char *jx = render_index(orig->index);
    size_t len = strlen(j), lenx = strlen(jx);
    for (size_t n = 0; n + 1 < len; n += 3) {
        vg_vuln_report *r = NULL;
        vg_index_report *ix = NULL;
        assert_int_equal(vg_report_vuln_read(&r, &ix, j, n), VG_EINVAL);
        assert_null(r);
        assert_non_null(strstr(vg_error_last(), n ? "invalid JSON" : "empty document"));
    }
    for (size_t n = 0; n + 1 < lenx; n++) {
        vg_index_report *ix = NULL;
        assert_int_equal(vg_report_index_read(&ix, jx, n), VG_EINVAL);
        assert_null(ix);
    }
    /* The whole document without its final newline is still whole. */
    vg_index_report *ix = NULL;
    assert_int_equal(vg_report_index_read(&ix, jx, lenx - 1), 0);
    vg_index_report_free(ix);
    assert_int_equal(vg_report_index_read(&ix, NULL, 0), VG_EINVAL);
    free(j);
    free(jx);
    vg_test_sample_free(orig);
}

static char *nested(const char *head, size_t depth, const char *tail)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    vg_strbuf_puts(&sb, head);
    for (size_t i = 0; i < depth; i++)
        vg_strbuf_putc(&sb, '[');
    for (size_t i = 0; i < depth; i++)
        vg_strbuf_putc(&sb, ']');
    vg_strbuf_puts(&sb, tail);
    return vg_strbuf_detach(&sb);
}

static void test_depth(void **state)
{
    (void)state;
    /* Unknown fields are ignored however deep, up to jansson's cap... */
    char *ok = nested("{\"manifest_hash\":\"m\",\"state\":\"IndexFinished\",\"x\":", 1000, "}");
    vg_index_report *ix = read_index(ok);
    vg_index_report_free(ix);
    free(ok);
    /* ...past which the document is refused, by both readers. */
    char *deep = nested("{\"manifest_hash\":\"m\",\"state\":\"IndexFinished\",\"x\":", 100000, "}");
    ix = NULL;
    assert_int_equal(vg_report_index_read(&ix, deep, strlen(deep)), VG_EINVAL);
    assert_null(ix);
    assert_non_null(strstr(vg_error_last(), "index report: invalid JSON"));
    assert_non_null(strstr(vg_error_last(), "depth"));
    vg_vuln_report *r = NULL;
    assert_int_equal(vg_report_vuln_read(&r, &ix, deep, strlen(deep)), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "depth"));
    free(deep);
}

/* {"manifest_hash":"m",<head>"<key>":{"0":<value>,"1":<value>,...}<tail>} with n entries. */
static char *many(const char *head, const char *key, size_t n, const char *value, const char *tail)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    vg_strbuf_printf(&sb, "{\"manifest_hash\":\"m\",%s\"%s\":{", head, key);
    for (size_t i = 0; i < n; i++)
        vg_strbuf_printf(&sb, "%s\"%zu\":%s", i ? "," : "", i, value);
    vg_strbuf_printf(&sb, "}%s}", tail);
    assert_int_equal(vg_strbuf_error(&sb), 0);
    return vg_strbuf_detach(&sb);
}

static void expect_too_big(const char *json, bool vuln, const char *msg)
{
    vg_index_report *ix = NULL;
    vg_vuln_report *r = NULL;
    int rc = vuln ? vg_report_vuln_read(&r, &ix, json, strlen(json))
                  : vg_report_index_read(&ix, json, strlen(json));
    if (rc != VG_ETOOBIG || strcmp(vg_error_last(), msg) != 0)
        fail_msg("rc %d: %s\nwant %s", rc, vg_error_last(), msg);
    assert_null(ix);
    assert_null(r);
}

static void test_caps(void **state)
{
    (void)state;
    /* Bytes: refused before a byte is read (the buffer is not that long). */
    static const char tiny[] = "{}";
    vg_index_report *ix = NULL;
    vg_vuln_report *r = NULL;
    assert_int_equal(vg_report_index_read(&ix, tiny, VG_REPORT_READ_MAX_BYTES + 1), VG_ETOOBIG);
    assert_string_equal(vg_error_last(), "index report: larger than 268435456 bytes");
    assert_int_equal(vg_report_vuln_read(&r, &ix, tiny, VG_REPORT_READ_MAX_BYTES + 1), VG_ETOOBIG);
    assert_null(ix);
    assert_null(r);

    /* Distributions: the cap itself is fine, one more is not. */
    char *j = many("\"state\":\"IndexFinished\",", "distributions",
                   VG_REPORT_READ_MAX_DISTRIBUTIONS, "{}", "");
    ix = read_index(j);
    assert_int_equal(ix->n_dists, VG_REPORT_READ_MAX_DISTRIBUTIONS);
    vg_index_report_free(ix);
    free(j);
    j = many("\"state\":\"IndexFinished\",", "distributions", VG_REPORT_READ_MAX_DISTRIBUTIONS + 1,
             "{}", "");
    expect_too_big(j, false, "index report: distributions: more than 10000 distributions");
    free(j);

    /* Packages. */
    j = many("", "packages", VG_REPORT_READ_MAX_PACKAGES + 1, "0", "");
    expect_too_big(j, true, "vulnerability report: packages: more than 1000000 packages");
    free(j);

    /* Vulnerabilities, and findings (pairs: one vulnerability listed over and over). */
    j = many("", "vulnerabilities", VG_REPORT_READ_MAX_FINDINGS + 1, "0", "");
    expect_too_big(j, true,
                   "vulnerability report: vulnerabilities: more than 1000000 vulnerabilities");
    free(j);
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    vg_strbuf_puts(&sb, "{\"manifest_hash\":\"m\",\"packages\":{\"1\":{\"name\":\"a\","
                        "\"version\":\"1\",\"format\":\"npm\"}},\"vulnerabilities\":{\"v\":"
                        "{\"name\":\"CVE-1\",\"normalized_severity\":\"Low\"}},"
                        "\"package_vulnerabilities\":{\"1\":[");
    for (size_t i = 0; i <= VG_REPORT_READ_MAX_FINDINGS; i++)
        vg_strbuf_puts(&sb, i ? ",\"v\"" : "\"v\"");
    vg_strbuf_puts(&sb, "]}}");
    expect_too_big(sb.buf, true,
                   "vulnerability report: package_vulnerabilities: more than 1000000 findings");
    vg_strbuf_dispose(&sb);

    /* Warnings: the first VG_MAX_WARNINGS are kept, the rest counted. */
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    vg_strbuf_puts(&sb, "{\"manifest_hash\":\"m\",\"state\":\"IndexFinished\",\"warnings\":[");
    for (size_t i = 0; i < VG_MAX_WARNINGS + 44; i++)
        vg_strbuf_printf(&sb, "%s\"w%zu\"", i ? "," : "", i);
    vg_strbuf_puts(&sb, "]}");
    ix = read_index(sb.buf);
    assert_int_equal(ix->n_warnings, VG_MAX_WARNINGS);
    assert_int_equal(ix->warnings_dropped, 44);
    assert_string_equal(ix->warnings[VG_MAX_WARNINGS - 1], "w255");
    vg_index_report_free(ix);
    vg_strbuf_dispose(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_roundtrip),
        cmocka_unit_test(test_vuln_json_roundtrip),
        cmocka_unit_test(test_vuln_renders_roundtrip),
        cmocka_unit_test(test_vuln_fields),
        cmocka_unit_test(test_clair_vuln),
        cmocka_unit_test(test_clair_index),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
