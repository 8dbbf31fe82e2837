/* report_test.c — unit tests of src/report/'s vulnerability renderers on a hand-built report
 * (tests/report/sample.c): exact fields and ids of the Clair JSON, the table's rows, colors
 * and escaping, SARIF and CycloneDX structure, determinism, and the output cap. Schema
 * validation of SARIF and CycloneDX is tests/report/validate.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/report.h"
#include "sample.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE "oci:/tmp/sample:latest"
#define FIX "3.0.13-1~deb12u1"
#define L1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define TITLE                                                                                      \
    "oci:/tmp/sample:latest "                                                                      \
    "(sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd)\n\n"

static char *render_report(const vg_vuln_report *r, vg_report_format fmt, bool color,
                           const char *image)
{
    vg_render_opts o = {.color = color, .image_ref = image, .tool_version = NULL};
    vg_strbuf out;
    vg_strbuf_init(&out, VG_STRBUF_DEFAULT_LIMIT);
    assert_int_equal(vg_report_vuln(&out, r, fmt, &o), 0);
    return vg_strbuf_detach(&out);
}

static char *render(vg_report_format fmt, bool color, bool empty)
{
    vg_vuln_report *r = vg_test_sample(empty);
    char *s = render_report(r, fmt, color, IMAGE);
    vg_test_sample_free(r);
    return s;
}

static json_t *render_json(vg_report_format fmt, bool empty)
{
    char *s = render(fmt, false, empty);
    json_error_t err;
    json_t *j = json_loads(s, 0, &err); /* jansson also rejects invalid UTF-8 */
    if (!j)
        fail_msg("not JSON: %s at line %d: %.200s", err.text, err.line, s);
    free(s);
    return j;
}

/* The string at a '/'-separated path ("runs/0/tool/driver/name"); array indexes are numbers.
 * Keys containing '/' are reached with json_object_get directly. */
static json_t *at(json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    char *save = NULL;
    for (char *tok = strtok_r(buf, "/", &save); tok && j; tok = strtok_r(NULL, "/", &save)) {
        if (json_is_array(j)) {
            uint64_t i;
            if (vg_parse_u64(&i, vg_slice_from_cstr(tok)) != 0)
                return NULL;
            j = json_array_get(j, (size_t)i);
        } else {
            j = json_object_get(j, tok);
        }
    }
    return j;
}

static void assert_str_at(json_t *j, const char *path, const char *want)
{
    json_t *v = at(j, path);
    if (!json_is_string(v))
        fail_msg("%s: not a string", path);
    if (strcmp(json_string_value(v), want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", path, json_string_value(v), want);
}

static void assert_keys(json_t *obj, const char *const *want, size_t n)
{
    assert_true(json_is_object(obj));
    assert_int_equal(json_object_size(obj), n);
    size_t i = 0;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        (void)val;
        assert_string_equal(key, want[i]);
        i++;
    }
}

/* ---- format names ---------------------------------------------------------------------- */

static void test_format_parse(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int rc;
        vg_report_format f;
    } cases[] = {
        {"table", 0, VG_FORMAT_TABLE},        {"json", 0, VG_FORMAT_JSON},
        {"sarif", 0, VG_FORMAT_SARIF},        {"cyclonedx", 0, VG_FORMAT_CYCLONEDX},
        {"SARIF", 0, VG_FORMAT_SARIF},        {"xml", VG_EINVAL, VG_FORMAT_TABLE},
        {"", VG_EINVAL, VG_FORMAT_TABLE},     {"json ", VG_EINVAL, VG_FORMAT_TABLE},
        {"spdx", VG_EINVAL, VG_FORMAT_TABLE},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_report_format f = VG_FORMAT_TABLE;
        assert_int_equal(vg_report_format_parse(&f, cases[i].name), cases[i].rc);
        if (cases[i].rc == 0)
            assert_int_equal(f, cases[i].f);
        else
            assert_non_null(strstr(vg_error_last(), "table, json, sarif or cyclonedx"));
    }
    vg_report_format f;
    assert_int_equal(vg_report_format_parse(&f, NULL), VG_EINVAL);
}

/* ---- Clair JSON ------------------------------------------------------------------------ */

static const char *const vuln_ids[] = {
    "CVE-2024-0727/1",  "CVE-2024-0727/1/nvd",   "CVE-2023-5678/1",
    "CVE-2023-45853/3", "GHSA-j8r2-6x86-q33q/5", "CVE-2099-0001/7",
};

static void test_json_index_fields(void **state)
{
    (void)state;
    json_t *j = render_json(VG_FORMAT_JSON, false);
    static const char *const top[] = {
        "manifest_hash", "packages", "distributions",   "repository",
        "environments",  "warnings", "vulnerabilities", "package_vulnerabilities",
        "enrichments",   "vigil"};
    assert_keys(j, top, VG_ARRAY_LEN(top));
    assert_str_at(j, "manifest_hash",
                  "sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd");
    static const char *const pkg_ids[] = {"1", "3", "5", "7", "9"};
    assert_keys(json_object_get(j, "packages"), pkg_ids, 5);
    assert_keys(json_object_get(j, "environments"), pkg_ids, 5);

    /* The same objects as the IndexReport renderer's. */
    vg_vuln_report *r = vg_test_sample(false);
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    assert_int_equal(vg_report_index_json(&sb, r->index), 0);
    json_t *ix = json_loads(sb.buf, 0, NULL);
    assert_non_null(ix);
    vg_strbuf_dispose(&sb);
    vg_test_sample_free(r);
    static const char *const shared[] = {"packages", "distributions", "repository", "environments",
                                         "warnings"};
    for (size_t i = 0; i < VG_ARRAY_LEN(shared); i++)
        assert_true(json_equal(json_object_get(j, shared[i]), json_object_get(ix, shared[i])));
    assert_str_at(ix, "state", "IndexFinished");
    json_decref(ix);

    assert_str_at(j, "packages/1/name", "libssl3");
    assert_str_at(j, "packages/1/source/name", "openssl");
    assert_str_at(j, "packages/1/purl",
                  "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12");
    assert_str_at(j, "packages/5/format", "python");
    /* Hostile bytes survive as JSON escapes; invalid UTF-8 becomes '?'. */
    assert_str_at(j, "packages/7/name", "evil\"pkg\x1b[31mRED\x07?");
    assert_str_at(j, "packages/7/version", "1.0.0\n\x1b[2J");
    assert_str_at(j, "environments/1/0/package_db", "var/lib/dpkg/status");
    assert_str_at(j, "environments/1/0/introduced_in", L1);
    assert_str_at(j, "environments/1/0/distribution_id", "1");
    assert_str_at(j, "environments/5/0/distribution_id", "");
    assert_str_at(j, "distributions/1/did", "debian");
    json_decref(j);
}

static void test_json_vulnerabilities(void **state)
{
    (void)state;
    json_t *j = render_json(VG_FORMAT_JSON, false);
    json_t *vulns = json_object_get(j, "vulnerabilities");
    assert_keys(vulns, vuln_ids, VG_ARRAY_LEN(vuln_ids));

    json_t *v = json_object_get(vulns, "CVE-2024-0727/1");
    static const char *const fields[] = {
        "id",           "updater",      "name",       "description",
        "issued",       "links",        "severity",   "normalized_severity",
        "package",      "distribution", "repository", "fixed_in_version",
        "range",        "status",       "cvss",       "nvd_severity",
        "introduced_in"};
    assert_keys(v, fields, VG_ARRAY_LEN(fields));
    assert_str_at(v, "id", "CVE-2024-0727/1");
    assert_str_at(v, "updater", "debian");
    assert_str_at(v, "name", "CVE-2024-0727");
    assert_str_at(v, "description",
                  "Processing a maliciously formatted PKCS12 file may crash OpenSSL.");
    assert_str_at(v, "issued", "2024-01-26T09:15:07Z");
    assert_str_at(v, "links",
                  "https://security-tracker.debian.org/tracker/CVE-2024-0727 "
                  "https://nvd.nist.gov/vuln/detail/CVE-2024-0727 "
                  "https://security-tracker.debian.org/tracker/CVE-2024-0727");
    assert_str_at(v, "severity", "not yet assigned");
    assert_str_at(v, "normalized_severity", "Critical");
    assert_true(json_equal(json_object_get(v, "package"), at(j, "packages/1")));
    assert_true(json_equal(json_object_get(v, "distribution"), at(j, "distributions/1")));
    assert_int_equal(json_object_size(json_object_get(v, "repository")), 0);
    assert_int_equal(json_object_size(json_object_get(v, "range")), 0);
    assert_str_at(v, "fixed_in_version", FIX);
    assert_str_at(v, "status", "fixed");
    assert_str_at(v, "cvss/vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert_true(json_real_value(at(v, "cvss/score")) == 9.8);
    assert_str_at(v, "cvss/source", "nvd@nist.gov");
    assert_str_at(v, "nvd_severity", "Critical");
    assert_str_at(v, "introduced_in", L1);

    /* The same advisory from a second source keeps its own, suffixed id. */
    v = json_object_get(vulns, "CVE-2024-0727/1/nvd");
    assert_str_at(v, "updater", "nvd");
    assert_str_at(v, "description", "PKCS12 NULL dereference"); /* the summary stands in */
    assert_str_at(v, "severity", "Critical");                   /* no vendor label */

    /* Unfixed, no CVSS, no distribution, hostile text kept verbatim. */
    v = json_object_get(vulns, "CVE-2099-0001/7");
    assert_str_at(v, "fixed_in_version", "");
    assert_str_at(v, "status", "affected");
    assert_true(json_is_null(json_object_get(v, "cvss")));
    assert_null(json_object_get(v, "distribution"));
    assert_str_at(v, "description", "desc \"quoted\" \x1b[2J\r\n");
    assert_str_at(v, "links", "javascript:alert(1) https://example.com/a b");
    assert_str_at(v, "normalized_severity", "Low");

    v = json_object_get(vulns, "CVE-2023-45853/3");
    assert_str_at(v, "status", "will-not-fix");
    assert_str_at(v, "severity", "unimportant");
    assert_str_at(v, "normalized_severity", "Negligible");
    assert_str_at(v, "nvd_severity", "Critical");
    assert_str_at(v, "package/name", "zlib1g");
    json_decref(j);
}

static void test_json_maps(void **state)
{
    (void)state;
    json_t *j = render_json(VG_FORMAT_JSON, false);
    json_t *pv = json_object_get(j, "package_vulnerabilities");
    static const char *const pkgs[] = {"1", "3", "5", "7"}; /* bash (9) has none */
    assert_keys(pv, pkgs, VG_ARRAY_LEN(pkgs));
    static const struct {
        const char *path, *want;
    } ids[] = {
        {"1/0", "CVE-2024-0727/1"},  {"1/1", "CVE-2024-0727/1/nvd"},   {"1/2", "CVE-2023-5678/1"},
        {"3/0", "CVE-2023-45853/3"}, {"5/0", "GHSA-j8r2-6x86-q33q/5"}, {"7/0", "CVE-2099-0001/7"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(ids); i++)
        assert_str_at(pv, ids[i].path, ids[i].want);
    assert_int_equal(json_array_size(json_object_get(pv, "1")), 3);

    json_t *en = json_object_get(j, "enrichments");
    assert_int_equal(json_object_size(en), 1);
    json_t *list = json_object_get(en, "message/vnd.clair.map.vulnerability; enricher=clair.cvss "
                                       "schema=https://csrc.nist.gov/schema/nvd/feed/1.1/"
                                       "cvss-v3.x.json");
    assert_int_equal(json_array_size(list), 1);
    /* v3 vectors only: not the CVSS 4.0 GHSA, not the finding without CVSS. */
    static const char *const enriched[] = {"CVE-2024-0727/1", "CVE-2024-0727/1/nvd",
                                           "CVE-2023-5678/1", "CVE-2023-45853/3"};
    assert_keys(json_array_get(list, 0), enriched, VG_ARRAY_LEN(enriched));
    json_t *c = json_array_get(json_object_get(json_array_get(list, 0), "CVE-2023-5678/1"), 0);
    assert_non_null(c);
    assert_str_at(c, "version", "3.1");
    assert_str_at(c, "vectorString", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L");
    assert_true(json_real_value(json_object_get(c, "baseScore")) == 5.3);
    assert_str_at(c, "baseSeverity", "MEDIUM");

    assert_int_equal(json_integer_value(at(j, "vigil/suppressed_kernel_headers")), 2);
    assert_int_equal(json_integer_value(at(j, "vigil/invalid_records")), 1);
    assert_str_at(j, "vigil/first_invalid", "debian:12 foo: invalid dpkg version \"1:\"");
    json_decref(j);

    j = render_json(VG_FORMAT_JSON, true);
    assert_int_equal(json_object_size(json_object_get(j, "vulnerabilities")), 0);
    assert_int_equal(json_object_size(json_object_get(j, "package_vulnerabilities")), 0);
    assert_int_equal(json_object_size(json_object_get(j, "enrichments")), 0);
    assert_int_equal(json_object_size(json_object_get(j, "packages")), 5);
    assert_int_equal(json_integer_value(at(j, "vigil/suppressed_kernel_headers")), 0);
    json_decref(j);
}

/* ---- table ----------------------------------------------------------------------------- */

/* Widths: "Negligible", "GHSA-j8r2-6x86-q33q", "3.0.13-1~deb12u1". */
static void row(char *buf, size_t n, const char *sev, const char *id, const char *fix,
                const char *status)
{
    snprintf(buf, n, "\n  %-10s  %-19s  %-16s  %s\n", sev, id, fix, status);
}

static void test_table_plain(void **state)
{
    (void)state;
    char *t = render(VG_FORMAT_TABLE, false, false);
    /* Nothing from the image reaches the terminal raw: no ESC, BEL, CR or 0xff. */
    for (const char *p = t; *p; p++)
        if ((unsigned char)*p < 0x20 ? *p != '\n' : (unsigned char)*p >= 0x7f)
            fail_msg("raw byte 0x%02x at offset %td", (unsigned char)*p, p - t);

    static const char *const expect[] = {
        "libssl3 3.0.11-1~deb12u1 (source openssl, layer 111111111111)\n",
        "zlib1g 1:1.2.13.dfsg-1 (source zlib, layer 111111111111)\n",
        "requests 2.25.0 (layer 222222222222)\n",
        "evil\\\"pkg\\x1b[31mRED\\x07\\xff 1.0.0\\x0a\\x1b[2J (layer 222222222222)\n",
    };
    const char *prev = t;
    for (size_t i = 0; i < VG_ARRAY_LEN(expect); i++) {
        const char *at_ = strstr(t, expect[i]);
        if (!at_)
            fail_msg("missing %s in:\n%s", expect[i], t);
        assert_true(at_ >= prev); /* packages in index order */
        prev = at_;
    }
    assert_null(strstr(t, "bash")); /* no findings, no block */
    assert_int_equal(strncmp(t, TITLE, strlen(TITLE)), 0);

    char buf[256];
    static const char *const rows[][4] = {
        {"SEVERITY", "ID", "FIXED-IN", "STATUS"},
        {"Critical", "CVE-2024-0727", FIX, "fixed"},
        {"Medium", "CVE-2023-5678", FIX, "fixed"},
        {"Negligible", "CVE-2023-45853", "-", "will-not-fix"},
        {"Medium", "GHSA-j8r2-6x86-q33q", "2.31.0", "fixed"},
        {"Low", "CVE-2099-0001", "-", "affected"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(rows); i++) {
        row(buf, sizeof(buf), rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
        if (!strstr(t, buf))
            fail_msg("missing row [%s] in:\n%s", buf, t);
    }
    /* The advisory matched from two sources shows twice, highest severity first. */
    row(buf, sizeof(buf), "Critical", "CVE-2024-0727", FIX, "fixed");
    const char *first = strstr(t, buf);
    assert_non_null(first);
    assert_non_null(strstr(first + 1, buf));
    assert_true(strstr(first + 1, buf) < strstr(t, "  Medium      CVE-2023-5678"));

    assert_non_null(strstr(t, "\n6 vulnerabilities (2 critical, 2 medium, 1 low, 1 negligible), "
                              "4 fixable; 2 kernel-header findings suppressed\n"));
    assert_non_null(strstr(t, "\n1 affected record skipped for an invalid version (first: "
                              "debian:12 foo: invalid dpkg version \\\"1:\\\")\n"));
    free(t);
}

static void test_table_color(void **state)
{
    (void)state;
    char *t = render(VG_FORMAT_TABLE, true, false);
    assert_non_null(strstr(t, "  \033[1;31mCritical\033[0m    CVE-2024-0727"));
    assert_non_null(strstr(t, "  \033[33mMedium\033[0m      CVE-2023-5678"));
    assert_non_null(strstr(t, "  \033[34mLow\033[0m         CVE-2099-0001"));
    assert_non_null(strstr(t, "  \033[2mNegligible\033[0m  CVE-2023-45853"));
    assert_non_null(strstr(t, "\033[1mlibssl3\033[0m 3.0.11-1~deb12u1"));
    /* Every ESC is one of ours; the package's own escape codes stay escaped text. */
    static const char *const ours[] = {"\033[0m",  "\033[1m",  "\033[2m", "\033[1;31m",
                                       "\033[31m", "\033[33m", "\033[34m"};
    for (const char *p = strchr(t, '\033'); p; p = strchr(p + 1, '\033')) {
        bool ok = false;
        for (size_t i = 0; i < VG_ARRAY_LEN(ours); i++)
            ok = ok || strncmp(p, ours[i], strlen(ours[i])) == 0;
        if (!ok)
            fail_msg("foreign escape sequence at offset %td", p - t);
    }
    assert_non_null(strstr(t, "evil\\\"pkg\\x1b[31mRED"));
    free(t);

    t = render(VG_FORMAT_TABLE, false, false);
    assert_null(strchr(t, '\033'));
    free(t);
}

static void test_table_empty(void **state)
{
    (void)state;
    vg_vuln_report *r = vg_test_sample(true);
    char *t = render_report(r, VG_FORMAT_TABLE, true, NULL);
    assert_string_equal(t, "No vulnerabilities found\n");
    free(t);
    r->n_suppressed_kernel = 1;
    t = render_report(r, VG_FORMAT_TABLE, false, NULL);
    assert_string_equal(t, "No vulnerabilities found; 1 kernel-header finding suppressed\n");
    free(t);
    vg_test_sample_free(r);
}

/* ---- SARIF ----------------------------------------------------------------------------- */

static void test_sarif(void **state)
{
    (void)state;
    json_t *j = render_json(VG_FORMAT_SARIF, false);
    assert_str_at(j, "version", "2.1.0");
    assert_str_at(j, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    assert_int_equal(json_array_size(json_object_get(j, "runs")), 1);
    json_t *driver = at(j, "runs/0/tool/driver");
    assert_str_at(driver, "name", "vigil");
    assert_str_at(driver, "version", VG_VERSION_STRING);
    assert_non_null(json_object_get(driver, "informationUri"));

    json_t *rules = json_object_get(driver, "rules");
    static const char *const rule_ids[] = {"CVE-2024-0727", "CVE-2023-5678", "CVE-2023-45853",
                                           "GHSA-j8r2-6x86-q33q", "CVE-2099-0001"};
    assert_int_equal(json_array_size(rules), VG_ARRAY_LEN(rule_ids));
    for (size_t i = 0; i < VG_ARRAY_LEN(rule_ids); i++)
        assert_string_equal(json_string_value(at(json_array_get(rules, i), "id")), rule_ids[i]);
    json_t *r0 = json_array_get(rules, 0);
    assert_str_at(r0, "shortDescription/text", "PKCS12 NULL dereference");
    assert_str_at(r0, "fullDescription/text",
                  "Processing a maliciously formatted PKCS12 file may crash OpenSSL.");
    assert_str_at(r0, "helpUri", "https://security-tracker.debian.org/tracker/CVE-2024-0727");
    assert_str_at(r0, "properties/security-severity", "9.8");
    assert_str_at(r0, "properties/tags/0", "security");
    assert_str_at(r0, "defaultConfiguration/level", "error");
    /* Debian calls it unimportant: NVD's 9.8 must not rank it critical. */
    assert_str_at(json_array_get(rules, 2), "properties/security-severity", "0.5");
    assert_str_at(json_array_get(rules, 3), "properties/security-severity", "6.3");
    json_t *r4 = json_array_get(rules, 4);
    assert_null(json_object_get(r4, "helpUri")); /* neither link is a safe http(s) URL */
    assert_str_at(r4, "properties/security-severity", "2.0");

    json_t *results = at(j, "runs/0/results");
    assert_int_equal(json_array_size(results), 6);
    static const struct {
        const char *rule, *level, *msg;
        int rule_index;
    } want[] = {
        {"CVE-2024-0727", "error",
         "libssl3 3.0.11-1~deb12u1 is affected by CVE-2024-0727 (fixed in " FIX ")", 0},
        {"CVE-2024-0727", "error",
         "libssl3 3.0.11-1~deb12u1 is affected by CVE-2024-0727 (fixed in " FIX ")", 0},
        {"CVE-2023-5678", "warning",
         "libssl3 3.0.11-1~deb12u1 is affected by CVE-2023-5678 (fixed in " FIX ")", 1},
        {"CVE-2023-45853", "note",
         "zlib1g 1:1.2.13.dfsg-1 is affected by CVE-2023-45853 (the vendor will not fix it)", 2},
        {"GHSA-j8r2-6x86-q33q", "warning",
         "requests 2.25.0 is affected by GHSA-j8r2-6x86-q33q (fixed in 2.31.0)", 3},
        {"CVE-2099-0001", "note",
         "evil\"pkg\x1b[31mRED\x07? 1.0.0\n\x1b[2J is affected by CVE-2099-0001 (no fix "
         "available)",
         4},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(want); i++) {
        json_t *res = json_array_get(results, i);
        assert_str_at(res, "ruleId", want[i].rule);
        assert_int_equal(json_integer_value(json_object_get(res, "ruleIndex")), want[i].rule_index);
        assert_str_at(res, "level", want[i].level);
        assert_str_at(res, "message/text", want[i].msg);
        assert_str_at(res, "locations/0/logicalLocations/0/name", IMAGE);
    }
    assert_str_at(json_array_get(results, 0), "locations/0/physicalLocation/artifactLocation/uri",
                  "var/lib/dpkg/status");
    assert_str_at(json_array_get(results, 5), "locations/0/physicalLocation/artifactLocation/uri",
                  "app/node_modules/evil%20pkg/package.json");
    assert_str_at(json_array_get(results, 1), "properties/vulnerabilityId", "CVE-2024-0727/1/nvd");
    json_decref(j);

    j = render_json(VG_FORMAT_SARIF, true);
    assert_int_equal(json_array_size(at(j, "runs/0/results")), 0);
    assert_int_equal(json_array_size(at(j, "runs/0/tool/driver/rules")), 0);
    json_decref(j);
}

/* ---- CycloneDX ------------------------------------------------------------------------- */

static bool is_uuid_urn(const char *s)
{
    static const char shape[] = "urn:uuid:xxxxxxxx-xxxx-5xxx-Vxxx-xxxxxxxxxxxx";
    if (strlen(s) != strlen(shape))
        return false;
    for (size_t i = 0; shape[i]; i++) {
        char c = s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (shape[i] == 'x' ? !hex : shape[i] == 'V' ? !strchr("89ab", c) : c != shape[i])
            return false;
    }
    return true;
}

static void test_cyclonedx(void **state)
{
    (void)state;
    json_t *j = render_json(VG_FORMAT_CYCLONEDX, false);
    assert_str_at(j, "bomFormat", "CycloneDX");
    assert_str_at(j, "specVersion", "1.5");
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    const char *serial = json_string_value(json_object_get(j, "serialNumber"));
    assert_non_null(serial);
    assert_true(is_uuid_urn(serial));
    assert_null(at(j, "metadata/timestamp")); /* reproducible output */
    assert_str_at(j, "metadata/tools/components/0/name", "vigil");
    assert_str_at(j, "metadata/component/type", "container");
    assert_str_at(j, "metadata/component/name", IMAGE);
    assert_str_at(j, "metadata/component/hashes/0/content",
                  "abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd");

    json_t *comps = json_object_get(j, "components");
    assert_int_equal(json_array_size(comps), 1 + SAMPLE_N_PKGS);
    assert_str_at(comps, "0/type", "operating-system");
    assert_str_at(comps, "0/name", "debian");
    assert_str_at(comps, "0/version", "12");
    assert_str_at(comps, "1/bom-ref", "package:1");
    assert_str_at(comps, "1/type", "library");
    assert_str_at(comps, "1/name", "libssl3");
    assert_str_at(comps, "1/purl",
                  "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12");
    assert_str_at(comps, "1/properties/0/name", "vigil:package_db");
    assert_str_at(comps, "1/properties/0/value", "var/lib/dpkg/status");
    assert_str_at(comps, "1/properties/1/name", "vigil:introduced_in");
    assert_str_at(comps, "1/properties/1/value", L1);
    assert_null(at(comps, "4/purl")); /* the hostile npm package has none */
    assert_str_at(comps, "4/bom-ref", "package:7");
    assert_int_equal(json_array_size(at(j, "dependencies/0/dependsOn")), 1 + SAMPLE_N_PKGS);

    json_t *vulns = json_object_get(j, "vulnerabilities");
    assert_int_equal(json_array_size(vulns), VG_ARRAY_LEN(vuln_ids));
    for (size_t i = 0; i < VG_ARRAY_LEN(vuln_ids); i++)
        assert_str_at(json_array_get(vulns, i), "bom-ref", vuln_ids[i]);
    json_t *v = json_array_get(vulns, 0);
    assert_str_at(v, "id", "CVE-2024-0727");
    assert_str_at(v, "source/name", "debian");
    assert_str_at(v, "ratings/0/method", "CVSSv31");
    assert_str_at(v, "ratings/0/severity", "critical");
    assert_str_at(v, "ratings/0/vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert_str_at(v, "ratings/0/source/name", "nvd@nist.gov");
    assert_true(json_real_value(at(v, "ratings/0/score")) == 9.8);
    assert_str_at(v, "recommendation", "Upgrade libssl3 to " FIX);
    assert_str_at(v, "affects/0/ref", "package:1");
    assert_str_at(v, "affects/0/versions/0/version", "3.0.11-1~deb12u1");
    assert_int_equal(json_array_size(json_object_get(v, "advisories")), 2); /* deduplicated */
    assert_str_at(v, "published", "2024-01-26T09:15:07Z");

    v = json_array_get(vulns, 3); /* zlib: negligible, will not fix */
    assert_str_at(v, "ratings/0/severity", "info");
    assert_str_at(v, "analysis/response/0", "will_not_fix");
    assert_null(json_object_get(v, "recommendation"));
    v = json_array_get(vulns, 4); /* requests: CVSS 4.0, date-only published left out */
    assert_str_at(v, "ratings/0/method", "CVSSv4");
    assert_null(json_object_get(v, "published"));
    v = json_array_get(vulns, 5); /* hostile: no CVSS, no usable link */
    assert_str_at(v, "ratings/0/method", "other");
    assert_str_at(v, "ratings/0/severity", "low");
    assert_null(json_object_get(v, "advisories"));
    assert_str_at(v, "affects/0/ref", "package:7");
    char *first = vg_xstrdup(serial);
    json_decref(j);

    /* Same input, same serial; different content, different serial. */
    j = render_json(VG_FORMAT_CYCLONEDX, false);
    assert_string_equal(json_string_value(json_object_get(j, "serialNumber")), first);
    json_decref(j);
    j = render_json(VG_FORMAT_CYCLONEDX, true);
    assert_string_not_equal(json_string_value(json_object_get(j, "serialNumber")), first);
    assert_int_equal(json_array_size(json_object_get(j, "vulnerabilities")), 0);
    json_decref(j);
    free(first);
}

/* ---- every format ---------------------------------------------------------------------- */

static const vg_report_format all_formats[] = {VG_FORMAT_TABLE, VG_FORMAT_JSON, VG_FORMAT_SARIF,
                                               VG_FORMAT_CYCLONEDX};

static void test_deterministic(void **state)
{
    (void)state;
    vg_vuln_report *r = vg_test_sample(false);
    for (size_t f = 0; f < VG_ARRAY_LEN(all_formats); f++) {
        char *a = render_report(r, all_formats[f], true, IMAGE);
        /* The renderers sort: the findings' input order does not matter. */
        for (size_t i = 0; i < r->n_findings / 2; i++) {
            vg_finding t = r->findings[i];
            r->findings[i] = r->findings[r->n_findings - 1 - i];
            r->findings[r->n_findings - 1 - i] = t;
        }
        char *b = render_report(r, all_formats[f], true, IMAGE);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    vg_test_sample_free(r);
}

static void test_too_big(void **state)
{
    (void)state;
    vg_vuln_report *r = vg_test_sample(false);
    vg_render_opts o = {.color = false, .image_ref = IMAGE, .tool_version = "t"};
    for (size_t f = 0; f < VG_ARRAY_LEN(all_formats); f++) {
        vg_strbuf out;
        vg_strbuf_init(&out, 200);
        assert_int_equal(vg_report_vuln(&out, r, all_formats[f], &o), VG_ETOOBIG);
        assert_int_equal(vg_error_code(), VG_ETOOBIG);
        vg_strbuf_dispose(&out);
    }
    /* NULL options: defaults (no color, no image reference, the build's version). */
    vg_strbuf out;
    vg_strbuf_init(&out, VG_STRBUF_DEFAULT_LIMIT);
    assert_int_equal(vg_report_vuln(&out, r, VG_FORMAT_TABLE, NULL), 0);
    assert_null(strchr(out.buf, '\033'));
    assert_ptr_equal(strstr(out.buf, "libssl3 "), out.buf);
    vg_strbuf_dispose(&out);
    vg_test_sample_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_json_index_fields),
        cmocka_unit_test(test_json_vulnerabilities),
        cmocka_unit_test(test_json_maps),
        cmocka_unit_test(test_table_plain),
        cmocka_unit_test(test_table_color),
        cmocka_unit_test(test_table_empty),
        cmocka_unit_test(test_sarif),
        cmocka_unit_test(test_cyclonedx),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_too_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
