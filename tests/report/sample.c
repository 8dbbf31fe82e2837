/* sample.c — builds the renderer tests' sample reports by hand: five packages of three
 * formats, one distribution, six findings (fixed, unfixed, will-not-fix, CVSS v3.1 and v4,
 * one advisory matched twice), hostile strings, and suppressed / invalid counts. */
#include "sample.h"

#include <stdlib.h>
#include <string.h>

#define LAYER1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define LAYER2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define MANIFEST "sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd"

static void add_pkg(vg_index_report *ix, size_t i, vg_pkg_format fmt, const char *name,
                    const char *version, const char *src, const char *purl, const char *db,
                    const char *layer, int dist)
{
    vg_index_pkg *ip = &ix->pkgs[i];
    memset(ip, 0, sizeof(*ip));
    ip->pkg.format = fmt;
    ip->pkg.name = vg_index_report_strdup(ix, name);
    ip->pkg.version = vg_index_report_strdup(ix, version);
    ip->pkg.arch = fmt == VG_PKG_DPKG ? "amd64" : NULL;
    ip->pkg.source_name = vg_index_report_strdup(ix, src);
    ip->pkg.source_version = src ? ip->pkg.version : NULL;
    ip->pkg.purl = vg_index_report_strdup(ix, purl);
    ip->pkg.introduced_in = vg_index_report_strdup(ix, layer);
    ip->package_db = vg_index_report_strdup(ix, db);
    ip->dist_index = dist;
}

static vg_index_report *sample_index(void)
{
    vg_index_report *ix = vg_index_report_new(MANIFEST);
    ix->n_dists = 1;
    ix->dists = vg_arena_alloc(ix->arena, sizeof(vg_distribution));
    memset(ix->dists, 0, sizeof(vg_distribution));
    ix->dists[0] = (vg_distribution){
        .did = "debian",
        .name = "Debian GNU/Linux",
        .version = "12 (bookworm)",
        .version_id = "12",
        .version_code_name = "bookworm",
        .pretty_name = "Debian GNU/Linux 12 (bookworm)",
        .ns = "debian:12",
        .found_in = "etc/os-release",
    };
    ix->n_pkgs = SAMPLE_N_PKGS;
    ix->pkgs = vg_arena_alloc(ix->arena, SAMPLE_N_PKGS * sizeof(vg_index_pkg));
    add_pkg(ix, SAMPLE_LIBSSL, VG_PKG_DPKG, "libssl3", "3.0.11-1~deb12u1", "openssl",
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12",
            "var/lib/dpkg/status", LAYER1, 0);
    add_pkg(ix, SAMPLE_ZLIB, VG_PKG_DPKG, "zlib1g", "1:1.2.13.dfsg-1", "zlib",
            "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12",
            "var/lib/dpkg/status", LAYER1, 0);
    add_pkg(ix, SAMPLE_REQUESTS, VG_PKG_PYTHON, "requests", "2.25.0", NULL,
            "pkg:pypi/requests@2.25.0",
            "usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA", LAYER2, -1);
    add_pkg(ix, SAMPLE_HOSTILE, VG_PKG_NPM, "evil\"pkg\x1b[31mRED\x07\xff", "1.0.0\n\x1b[2J", NULL,
            NULL, "app/node_modules/evil pkg/package.json", LAYER2, -1);
    add_pkg(ix, SAMPLE_BASH, VG_PKG_DPKG, "bash", "5.2.15-2+b2", NULL,
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12", "var/lib/dpkg/status",
            LAYER1, 0);
    return ix;
}

static const char *ssl_links[] = {
    "https://security-tracker.debian.org/tracker/CVE-2024-0727",
    "https://nvd.nist.gov/vuln/detail/CVE-2024-0727",
    "https://security-tracker.debian.org/tracker/CVE-2024-0727",
};
static const char *ssl2_links[] = {"https://security-tracker.debian.org/tracker/CVE-2023-5678"};
static const char *zlib_links[] = {"https://nvd.nist.gov/vuln/detail/CVE-2023-45853"};
static const char *ghsa_links[] = {"https://github.com/advisories/GHSA-j8r2-6x86-q33q"};
static const char *bad_links[] = {"javascript:alert(1)", "https://example.com/a b"};

vg_vuln_report *vg_test_sample(bool empty)
{
    vg_vuln_report *r = vg_xcalloc(1, sizeof(*r));
    r->arena = vg_arena_new(4096);
    r->index = sample_index();
    if (empty)
        return r;
    /* Deliberately out of render order: the renderers sort. */
    static const vg_finding findings[] = {
        {.pkg_index = SAMPLE_REQUESTS,
         .id = "GHSA-j8r2-6x86-q33q",
         .source = "osv",
         .ns = "pypi",
         .summary = "Unintended leak of Proxy-Authorization header in requests",
         .description = "Requests forwards proxy credentials to the destination server.",
         .links = ghsa_links,
         .n_links = 1,
         .published = "2023-05-22",
         .severity = VG_SEV_MEDIUM,
         .severity_label = "MODERATE",
         .vendor_severity = VG_SEV_MEDIUM,
         .nvd_severity = VG_SEV_UNKNOWN,
         .cvss_vector = "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
         .cvss_score = 6.3,
         .cvss_source = "github",
         .status = VG_STATUS_FIXED,
         .fixed_version = "2.31.0",
         .introduced_in = LAYER2},
        {.pkg_index = SAMPLE_LIBSSL,
         .id = "CVE-2023-5678",
         .source = "debian",
         .ns = "debian:12",
         .description = "Excessive time spent in DH check / generation with large Q values.",
         .links = ssl2_links,
         .n_links = 1,
         .published = "2023-11-06T16:15:42Z",
         .severity = VG_SEV_MEDIUM,
         .severity_label = "medium",
         .vendor_severity = VG_SEV_MEDIUM,
         .nvd_severity = VG_SEV_MEDIUM,
         .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
         .cvss_score = 5.3,
         .cvss_source = "nvd@nist.gov",
         .status = VG_STATUS_FIXED,
         .fixed_version = "3.0.13-1~deb12u1",
         .introduced_in = LAYER1},
        {.pkg_index = SAMPLE_HOSTILE,
         .id = "CVE-2099-0001",
         .source = "osv",
         .ns = "npm",
         .summary = "summary \"quoted\"",
         .description = "desc \"quoted\" \x1b[2J\r\n",
         .links = bad_links,
         .n_links = 2,
         .severity = VG_SEV_LOW,
         .vendor_severity = VG_SEV_LOW,
         .nvd_severity = VG_SEV_UNKNOWN,
         .status = VG_STATUS_AFFECTED,
         .introduced_in = LAYER2},
        {.pkg_index = SAMPLE_LIBSSL,
         .id = "CVE-2024-0727",
         .source = "nvd",
         .ns = "debian:12",
         .summary = "PKCS12 NULL dereference",
         .links = ssl_links,
         .n_links = 2,
         .published = "2024-01-26T09:15:07.687+00:00",
         .severity = VG_SEV_CRITICAL,
         .vendor_severity = VG_SEV_UNKNOWN,
         .nvd_severity = VG_SEV_CRITICAL,
         .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
         .cvss_score = 9.8,
         .cvss_source = "nvd@nist.gov",
         .status = VG_STATUS_FIXED,
         .fixed_version = "3.0.13-1~deb12u1",
         .introduced_in = LAYER1},
        {.pkg_index = SAMPLE_ZLIB,
         .id = "CVE-2023-45853",
         .source = "debian",
         .ns = "debian:12",
         .summary = "MiniZip integer overflow",
         .links = zlib_links,
         .n_links = 1,
         .severity = VG_SEV_NEGLIGIBLE,
         .severity_label = "unimportant",
         .vendor_severity = VG_SEV_NEGLIGIBLE,
         .nvd_severity = VG_SEV_CRITICAL,
         .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
         .cvss_score = 9.8,
         .cvss_source = "nvd@nist.gov",
         .status = VG_STATUS_WILL_NOT_FIX,
         .introduced_in = LAYER1},
        {.pkg_index = SAMPLE_LIBSSL,
         .id = "CVE-2024-0727",
         .source = "debian",
         .ns = "debian:12",
         .summary = "PKCS12 NULL dereference",
         .description = "Processing a maliciously formatted PKCS12 file may crash OpenSSL.",
         .links = ssl_links,
         .n_links = 3,
         .published = "2024-01-26T09:15:07Z",
         .severity = VG_SEV_CRITICAL,
         .severity_label = "not yet assigned",
         .vendor_severity = VG_SEV_UNKNOWN,
         .nvd_severity = VG_SEV_CRITICAL,
         .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
         .cvss_score = 9.8,
         .cvss_source = "nvd@nist.gov",
         .status = VG_STATUS_FIXED,
         .fixed_version = "3.0.13-1~deb12u1",
         .introduced_in = LAYER1},
    };
    r->n_findings = VG_ARRAY_LEN(findings);
    r->findings = vg_arena_alloc(r->arena, sizeof(findings));
    memcpy(r->findings, findings, sizeof(findings));
    r->n_suppressed_kernel = 2;
    r->n_invalid = 1;
    r->first_invalid = "debian:12 foo: invalid dpkg version \"1:\"";
    return r;
}

void vg_test_sample_free(vg_vuln_report *r)
{
    if (!r)
        return;
    vg_index_report_free((vg_index_report *)r->index);
    vg_vuln_report_free(r);
}
