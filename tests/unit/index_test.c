/* index_test.c — unit tests of the package and distribution scanners of src/index/ (dpkg.c,
 * apk.c, os_release.c): every real fixture in $VIGIL_SHARED/fixtures/{dpkg,apk} against its
 * independent expected list (dpkg-query's own output for dpkg), the malformed fixtures, and
 * table-driven edge cases. Inputs are copied into exact-size, unterminated heap buffers so a
 * read past `len` shows up under ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/index_int.h"
#include "testutil.h"
#include "util/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers --------------------------------------------------------------------------- */

/* Runs scanner `s` over `len` bytes of `text` as file `path` into a new layer result. */
static int run_scanner(vg_layer_result **out, const vg_scanner *s, const char *path,
                       const char *text, size_t len, const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    char *copy = vg_xmalloc(len); /* exactly len bytes, no terminating NUL */
    if (len)
        memcpy(copy, text, len);
    *out = vg_layer_result_new("sha256:test");
    vg_error_clear();
    int rc = s->parse(*out, path, copy, len, lim);
    free(copy);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts `n` heap lines, joins them with '\n' and frees them. */
static char *join_sorted(char **lines, size_t n)
{
    qsort(lines, n, sizeof(*lines), cmp_str);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    for (size_t i = 0; i < n; i++) {
        vg_strbuf_printf(&sb, "%s%s", i ? "\n" : "", lines[i]);
        free(lines[i]);
    }
    free(lines);
    return vg_strbuf_detach(&sb);
}

/* The packages of `db` as sorted "name\tversion\tsource\tsource_version\tarch" rows. */
static char *rows_of(const vg_pkgdb *db)
{
    char **lines = vg_xcalloc(db->n_pkgs + 1, sizeof(*lines));
    for (size_t i = 0; i < db->n_pkgs; i++) {
        const vg_package *p = &db->pkgs[i];
        assert_non_null(p->name);
        assert_non_null(p->version);
        assert_non_null(p->source_name);
        assert_non_null(p->source_version);
        vg_strbuf sb;
        vg_strbuf_init(&sb, 0);
        vg_strbuf_printf(&sb, "%s\t%s\t%s\t%s\t%s", p->name, p->version, p->source_name,
                         p->source_version, p->arch ? p->arch : "");
        lines[i] = vg_strbuf_detach(&sb);
    }
    return join_sorted(lines, db->n_pkgs);
}

/* Rows of a TSV text: the first five columns of every line for which `keep` says yes. */
static char *tsv_rows(const char *text, bool (*keep)(const char *line, size_t lineno))
{
    size_t cap = 16, n = 0;
    char **lines = vg_xcalloc(cap, sizeof(*lines));
    vg_slice rest = vg_slice_from_cstr(text), line;
    size_t lineno = 0;
    while (rest.ptr && rest.len) {
        rest = vg_slice_split(rest, '\n', &line);
        lineno++;
        char *l = vg_xstrndup(line.ptr, line.len);
        if (!keep(l, lineno)) {
            free(l);
            continue;
        }
        /* Cut after the fifth column. */
        char *p = l;
        for (int tabs = 0; *p; p++)
            if (*p == '\t' && ++tabs == 5)
                break;
        *p = '\0';
        if (n == cap)
            lines = vg_xrealloc(lines, (cap *= 2) * sizeof(*lines));
        lines[n++] = l;
    }
    return join_sorted(lines, n);
}

/* dpkg-query rows whose db:Status-Abbrev (sixth column) is "ii ". */
static bool keep_installed(const char *line, size_t lineno)
{
    (void)lineno;
    const char *p = line;
    for (int tabs = 0; tabs < 5; p++) {
        if (!*p)
            return false;
        if (*p == '\t')
            tabs++;
    }
    return strcmp(p, "ii ") == 0;
}

static bool keep_after_header(const char *line, size_t lineno)
{
    return lineno > 1 && *line;
}

static char *read_shared(const char *rel, size_t *len)
{
    char *path = vg_test_shared_path(rel);
    char *text = vg_test_read_file(path, len);
    if (!text)
        fail_msg("missing fixture %s", path);
    free(path);
    return text;
}

/* Fails when `dir` (under $VIGIL_SHARED) holds a file that `names` does not list, so a new
 * fixture cannot be skipped silently. */
static void assert_all_listed(const char *dir, const char *const *names, size_t n)
{
    char *path = vg_test_shared_path(dir);
    DIR *d = opendir(path);
    if (!d) {
        fail_msg("cannot open %s", path);
        free(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(names[i], e->d_name) == 0;
        if (!found)
            fail_msg("%s/%s is not covered by index_test.c", dir, e->d_name);
    }
    closedir(d);
    free(path);
}

static void assert_error_at(int rc, int want, const char *path, unsigned long line)
{
    char where[512];
    snprintf(where, sizeof(where), "%s:%lu:", path, line);
    if (rc != want || !strstr(vg_error_last(), where))
        fail_msg("want %s at \"%s\", got rc %d: %s", vg_error_name(want), where, rc,
                 vg_error_last());
}

/* ---- dpkg: fixtures ------------------------------------------------------------------ */

typedef struct dpkg_fixture {
    const char *file;     /* under fixtures/dpkg/ */
    const char *expected; /* under fixtures/dpkg/expected/ */
    const char *path;     /* the path the scanner is told */
} dpkg_fixture;

static const dpkg_fixture dpkg_fixtures[] = {
    {"status/snyk-ubuntu-10.04.status", "snyk-ubuntu-10.04.tsv", "var/lib/dpkg/status"},
    {"status/claircore-texlive.status", "claircore-texlive.tsv", "var/lib/dpkg/status"},
    {"status/claircore-debian-only.status", "claircore-debian-only.tsv", "var/lib/dpkg/status"},
    {"status/claircore-postgresql.status", "claircore-postgresql.tsv", "var/lib/dpkg/status"},
    {"status/trivy-valid.status", "trivy-valid.tsv", "var/lib/dpkg/status"},
    {"status/trivy-third-party.status", "trivy-third-party.tsv", "var/lib/dpkg/status"},
    {"status/trivy-only-apt.status", "trivy-only-apt.tsv", "var/lib/dpkg/status"},
    {"status.d/syft-single", "status.d-syft-single.tsv", "var/lib/dpkg/status.d/syft-single"},
    {"status.d/syft-installed-size-4KB", "status.d-syft-installed-size-4KB.tsv",
     "var/lib/dpkg/status.d/syft-installed-size-4KB"},
    {"status.d/syft-libpam-runtime", "status.d-syft-libpam-runtime.tsv",
     "var/lib/dpkg/status.d/syft-libpam-runtime"},
    {"status.d/syft-deinstall", "status.d-syft-deinstall.tsv",
     "var/lib/dpkg/status.d/syft-deinstall"},
    {"status.d/syft-coreutils-relationships", "status.d-syft-coreutils-relationships.tsv",
     "var/lib/dpkg/status.d/syft-coreutils-relationships"},
    /* dpkg's answer is empty (no Status field); read as var/lib/dpkg/status vigil agrees.
     * Read from status.d/, vigil counts it: see test_dpkg_distroless. */
    {"status.d/syft-distroless-libsqlite3-0", "status.d-syft-distroless-libsqlite3-0.tsv",
     "var/lib/dpkg/status"},
    /* dpkg-query keeps 4 of 6 stanzas; the two dropped ones have no Status field. */
    {"malformed/trivy-corrupsed.status", "malformed-trivy-corrupsed.tsv", "var/lib/dpkg/status"},
};

static void test_dpkg_fixtures(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(dpkg_fixtures); i++) {
        const dpkg_fixture *f = &dpkg_fixtures[i];
        char rel[256];
        snprintf(rel, sizeof(rel), "fixtures/dpkg/%s", f->file);
        size_t len;
        char *text = read_shared(rel, &len);
        snprintf(rel, sizeof(rel), "fixtures/dpkg/expected/%s", f->expected);
        char *expected_text = read_shared(rel, NULL);
        char *want = tsv_rows(expected_text, keep_installed);

        vg_layer_result *r;
        int rc = run_scanner(&r, &vg__scanner_dpkg, f->path, text, len, NULL);
        if (rc != 0)
            fail_msg("%s: %s", f->file, vg_error_last());
        assert_int_equal(r->n_dbs, 1);
        assert_string_equal(r->dbs[0].path, f->path);
        assert_int_equal(r->dbs[0].format, VG_PKG_DPKG);
        char *got = rows_of(&r->dbs[0]);
        if (strcmp(got, want) != 0)
            fail_msg("%s: rows differ\n--- dpkg-query\n%s\n--- vigil\n%s", f->file, want, got);
        free(got);
        free(want);
        free(expected_text);
        free(text);
        vg_layer_result_free(r);
    }
    static const char *const status[] = {
        "snyk-ubuntu-10.04.status",    "claircore-texlive.status", "claircore-debian-only.status",
        "claircore-postgresql.status", "trivy-valid.status",       "trivy-third-party.status",
        "trivy-only-apt.status"};
    static const char *const status_d[] = {
        "syft-single",    "syft-installed-size-4KB",      "syft-libpam-runtime",
        "syft-deinstall", "syft-coreutils-relationships", "syft-distroless-libsqlite3-0"};
    assert_all_listed("fixtures/dpkg/status", status, VG_ARRAY_LEN(status));
    assert_all_listed("fixtures/dpkg/status.d", status_d, VG_ARRAY_LEN(status_d));
}

/* vigil's choice for distroless: a status.d stanza without Status is installed. */
static void test_dpkg_distroless(void **state)
{
    (void)state;
    size_t len;
    char *text = read_shared("fixtures/dpkg/status.d/syft-distroless-libsqlite3-0", &len);
    vg_layer_result *r;
    assert_int_equal(
        run_scanner(&r, &vg__scanner_dpkg, "var/lib/dpkg/status.d/libsqlite3-0", text, len, NULL),
        0);
    assert_int_equal(r->n_dbs, 1);
    char *got = rows_of(&r->dbs[0]);
    assert_string_equal(got, "libsqlite3-0\t3.34.1-3\tsqlite3\t3.34.1-3\tarm64");
    free(got);
    vg_layer_result_free(r);
    free(text);
}

typedef struct dpkg_malformed {
    const char *file;   /* under fixtures/dpkg/malformed/ */
    unsigned long line; /* where the error is, or 0 if vigil accepts the file */
    const char *rows;   /* for accepted files: the packages */
} dpkg_malformed;

static const dpkg_malformed dpkg_malformed_cases[] = {
    /* "/etc/pam.conf ..." has lost its leading space: not a field, not a continuation. */
    {"clair-v2.1.8.status", 15, NULL},
    /* vcpkg's "Package: curl / Feature: non-http" stanzas are installed without a Version,
     * the same error as dpkg-query's ("missing 'Version' field"). */
    {"claircore-vcpkg.status", 29, NULL},
    /* The last Description line has no final newline. */
    {"osv-scanner-locks-many.status", 31, NULL},
    /* Both open with an empty "Package:" stanza. */
    {"syft-image-dpkg.status", 1, NULL},
    {"syft-status.d-multiple", 1, NULL},
    /* "Insterface to the configuration settings": no colon. */
    {"syft-status.d-corrupt", 5, NULL},
    /* The 8 bytes "Package:": end of file where a value should be. */
    {"syft-status.d-empty", 1, NULL},
    /* Tolerated, unlike dpkg, which rejects its Depends syntax ("kernel-headers-2.2.10
     * [!hurd-i386]"): vigil does not read relationship fields, and every field it does read
     * is well-formed. Read as a status.d entry (its origin), the Status-less stanzas with a
     * Version are installed; those without one are skipped. */
    {"syft-status.d-doc-examples", 0,
     "made-up-package-1\t1.0.0\tglibc\t1.0.0\t\n"
     "made-up-package-2\t2.0.0\tmade-up-package-2\t2.0.0\t\n"
     "made-up-package-3\t3.0.0\tmade-up-package-3\t3.0.0\t\n"
     "made-up-package-4\t3.0.0\tmade-up-package-4\t3.0.0\t\n"
     "mutt\t1.3.17-1\tmutt\t1.3.17-1\t"},
};

static void test_dpkg_malformed(void **state)
{
    (void)state;
    const char *names[VG_ARRAY_LEN(dpkg_malformed_cases) + 1];
    for (size_t i = 0; i < VG_ARRAY_LEN(dpkg_malformed_cases); i++) {
        const dpkg_malformed *m = &dpkg_malformed_cases[i];
        names[i] = m->file;
        char rel[256], path[256];
        snprintf(rel, sizeof(rel), "fixtures/dpkg/malformed/%s", m->file);
        snprintf(path, sizeof(path), "var/lib/dpkg/status.d/%s", m->file);
        size_t len;
        char *text = read_shared(rel, &len);
        vg_layer_result *r;
        int rc = run_scanner(&r, &vg__scanner_dpkg, path, text, len, NULL);
        if (m->line) {
            assert_error_at(rc, VG_EINVAL, path, m->line);
        } else {
            if (rc != 0)
                fail_msg("%s: %s", m->file, vg_error_last());
            char *got = rows_of(&r->dbs[0]);
            assert_string_equal(got, m->rows);
            free(got);
        }
        /* The same bytes as a whole status file fail at the same place. */
        vg_layer_result_free(r);
        rc = run_scanner(&r, &vg__scanner_dpkg, "var/lib/dpkg/status", text, len, NULL);
        if (m->line)
            assert_error_at(rc, VG_EINVAL, "var/lib/dpkg/status", m->line);
        else
            assert_int_equal(rc, 0);
        vg_layer_result_free(r);
        free(text);
    }
    names[VG_ARRAY_LEN(dpkg_malformed_cases)] = "trivy-corrupsed.status"; /* test_dpkg_fixtures */
    assert_all_listed("fixtures/dpkg/malformed", names, VG_ARRAY_LEN(names));
}

/* ---- dpkg: edge cases ---------------------------------------------------------------- */

typedef struct dpkg_case {
    const char *name;
    const char *path; /* NULL: var/lib/dpkg/status */
    const char *text;
    int rc;
    const char *rows;   /* when rc == 0 */
    unsigned long line; /* when rc != 0 */
    const char *what;   /* when rc != 0: a substring of the message */
} dpkg_case;

#define ST "Status: install ok installed\n"

static const dpkg_case dpkg_cases[] = {
    {"source with version", NULL,
     "Package: libgcc1\n" ST "Architecture: amd64\nSource: gcc-5 (5.1.1-12ubuntu1)\n"
     "Version: 1:5.1.1-12ubuntu1\n",
     0, "libgcc1\t1:5.1.1-12ubuntu1\tgcc-5\t5.1.1-12ubuntu1\tamd64", 0, NULL},
    {"source without version", NULL, "Package: a\n" ST "Source: b\nVersion: 2\n", 0, "a\t2\tb\t2\t",
     0, NULL},
    {"source first word and parenthesis", NULL,
     "Package: a\n" ST "Source: b c (  3 ) junk\nVersion: 2\n", 0, "a\t2\tb\t3\t", 0, NULL},
    {"empty source is absent", NULL, "Package: a\n" ST "Source:\nVersion: 2\nX: y\n", 0,
     "a\t2\ta\t2\t", 0, NULL},
    {"crlf", NULL,
     "Package: a\r\n" ST "Version: 1\r\nArchitecture: all\r\n\r\nPackage: b\r\nStatus: install "
     "ok installed\r\nVersion: 2\r\nDescription: x\r\n more\r\n",
     0, "a\t1\ta\t1\tall\nb\t2\tb\t2\t", 0, NULL},
    {"blank lines around stanzas", NULL,
     "\n\n\nPackage: a\n" ST "Version: 1\n\n\n\nPackage: b\n" ST "Version: 2\n\n\n", 0,
     "a\t1\ta\t1\t\nb\t2\tb\t2\t", 0, NULL},
    {"field names are case-insensitive", NULL,
     "package: a\nstatus: install ok installed\nVERSION: 1\narchitecture: all\n", 0,
     "a\t1\ta\t1\tall", 0, NULL},
    {"names are lowercased, zero epochs dropped", NULL,
     "Package: Foo.Bar\n" ST "Version: 0:1.0-1\nSource: x (00:2)\n", 0, "foo.bar\t1.0-1\tx\t2\t", 0,
     NULL},
    {"nonzero epoch kept", NULL, "Package: a\n" ST "Version: 007:1\n", 0, "a\t7:1\ta\t7:1\t", 0,
     NULL},
    {"zero epoch kept when the rest has a colon (dpkg's non-ambiguous form)", NULL,
     "Package: a\n" ST "Version: 0:2.0:-1\nSource: b (00:1:2)\n", 0, "a\t0:2.0:-1\tb\t0:1:2\t", 0,
     NULL},
    {"signed zero epochs", NULL, "Package: a\n" ST "Version: +0:2.0\nSource: b (-0:3)\n", 0,
     "a\t2.0\tb\t3\t", 0, NULL},
    {"only installed counts", NULL,
     "Package: a\nStatus: deinstall ok config-files\nVersion: 1\n\n"
     "Package: b\nStatus: install ok half-installed\nVersion: 1\n\n"
     "Package: c\nStatus: purge ok not-installed\n\n"
     "Package: d\nStatus: Install OK Installed\nVersion: 1\n",
     0, "d\t1\td\t1\t", 0, NULL},
    {"no Status in status: not installed", NULL, "Package: a\nVersion: 1\n", 0, "", 0, NULL},
    {"no Status in status.d: installed", "var/lib/dpkg/status.d/a", "Package: a\nVersion: 1\n", 0,
     "a\t1\ta\t1\t", 0, NULL},
    {"no Status and no Version: skipped", "var/lib/dpkg/status.d/a", "Package: a\n\n", 0, "", 0,
     NULL},
    {"a dpkg warning-only version is kept, as dpkg-query keeps it", NULL,
     "Package: a\n" ST "Version: 1:5.#\n", 0, "a\t1:5.#\ta\t1:5.#\t", 0, NULL},
    {"multi-line values and whitespace-only continuation", NULL,
     "Package: a\n" ST "Version: 1\nDescription: x\n \n .\n\tmore\nZ: 1\n", 0, "a\t1\ta\t1\t", 0,
     NULL},
    {"empty input", NULL, "", 0, "", 0, NULL},
    {"only newlines", NULL, "\n\n", 0, "", 0, NULL},

    {"not a field", NULL, "Package: a\n" ST "Version: 1\nno colon here\n", VG_EINVAL, NULL, 4,
     "must be followed by colon"},
    {"continuation first", NULL, " Package: a\n", VG_EINVAL, NULL, 1, "continuation"},
    {"whitespace line between stanzas", NULL, "Package: a\n" ST "Version: 1\n\n \nPackage: b\n",
     VG_EINVAL, NULL, 5, "continuation"},
    {"empty field name", NULL, "Package: a\n: x\n", VG_EINVAL, NULL, 2, "empty field name"},
    {"hyphen field name", NULL, "Package: a\n-X: x\n", VG_EINVAL, NULL, 2, "hyphen"},
    {"field name at EOF", NULL, "Package: a\nVersion", VG_EINVAL, NULL, 2,
     "end of file after field name 'Version'"},
    {"empty value at EOF", NULL, "Package: a\n" ST "Version: 1\nConffiles:\n", VG_EINVAL, NULL, 4,
     "end of file before value of field 'Conffiles'"},
    {"missing final newline", NULL, "Package: a\n" ST "Version: 1", VG_EINVAL, NULL, 3,
     "missing final newline"},
    {"missing final newline in continuation", NULL,
     "Package: a\n" ST "Version: 1\nDescription: x\n y", VG_EINVAL, NULL, 5,
     "missing final newline"},
    {"empty Package", NULL, "Package:\n" ST "Version: 1\n", VG_EINVAL, NULL, 1, "empty string"},
    {"bad Package", NULL, "Package: libffi:x64\n" ST "Version: 1\n", VG_EINVAL, NULL, 1,
     "invalid package name 'libffi:x64'"},
    {"no Package", NULL, "Version: 1\n" ST "\n", VG_EINVAL, NULL, 1, "no 'Package' field"},
    {"duplicate field", NULL, "Package: a\n" ST "Version: 1\nversion: 2\n", VG_EINVAL, NULL, 4,
     "duplicate value for 'Version'"},
    {"installed without Version", NULL, "Package: a\n" ST "Architecture: all\n", VG_EINVAL, NULL, 1,
     "has no 'Version' field"},
    {"config-files without Version", NULL, "Package: a\nStatus: deinstall ok config-files\n",
     VG_EINVAL, NULL, 1, "has no 'Version' field"},
    {"invalid Version", NULL, "Package: a\n" ST "Version: 1:\n", VG_EINVAL, NULL, 3,
     "not a valid dpkg version"},
    {"invalid Version of a not-installed package", NULL,
     "Package: a\nVersion: 1.0-\n\nPackage: b\n" ST "Version: 1\n", VG_EINVAL, NULL, 2,
     "not a valid dpkg version"},
    {"empty Version", NULL, "Package: a\n" ST "Version:\nX: y\n", VG_EINVAL, NULL, 3,
     "version string is empty"},
    {"invalid Source version", NULL, "Package: a\n" ST "Version: 1\nSource: b (\n", VG_EINVAL, NULL,
     4, "'Source' field version"},
    {"bad Status word", NULL, "Package: a\nStatus: install ok bogus\nVersion: 1\n", VG_EINVAL, NULL,
     2, "third (status) word"},
    {"short Status", NULL, "Package: a\nStatus: install ok\nVersion: 1\n", VG_EINVAL, NULL, 2,
     "is missing"},
    {"Status junk", NULL, "Package: a\nStatus: install ok installed x\nVersion: 1\n", VG_EINVAL,
     NULL, 2, "trailing junk"},
    {"multi-line Version", NULL, "Package: a\n" ST "Version: 1\n 2\n", VG_EINVAL, NULL, 3,
     "continues on another line"},
};

static void test_dpkg_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(dpkg_cases); i++) {
        const dpkg_case *c = &dpkg_cases[i];
        const char *path = c->path ? c->path : "var/lib/dpkg/status";
        vg_layer_result *r;
        int rc = run_scanner(&r, &vg__scanner_dpkg, path, c->text, strlen(c->text), NULL);
        if (c->rc == 0) {
            if (rc != 0)
                fail_msg("%s: unexpected error %s", c->name, vg_error_last());
            char *got = rows_of(&r->dbs[0]);
            if (strcmp(got, c->rows) != 0)
                fail_msg("%s: want\n%s\ngot\n%s", c->name, c->rows, got);
            free(got);
        } else {
            assert_error_at(rc, c->rc, path, c->line);
            assert_int_equal(r->n_dbs, 0); /* nothing of a bad file is kept */
            if (!strstr(vg_error_last(), c->what))
                fail_msg("%s: message lacks \"%s\": %s", c->name, c->what, vg_error_last());
        }
        vg_layer_result_free(r);
    }
}

/* Never reads past `len`: a prefix of a larger buffer parses as if the rest were absent. */
static void test_dpkg_prefix(void **state)
{
    (void)state;
    const char *text = "Package: a\n" ST "Version: 1\n\nPackage: b\n" ST "Version: 2\n";
    size_t cut = strlen("Package: a\n" ST "Version: 1\n");
    vg_layer_result *r;
    assert_int_equal(run_scanner(&r, &vg__scanner_dpkg, "var/lib/dpkg/status", text, cut, NULL), 0);
    assert_int_equal(r->dbs[0].n_pkgs, 1);
    assert_string_equal(r->dbs[0].pkgs[0].name, "a");
    vg_layer_result_free(r);
}

static void test_dpkg_max_pkgs(void **state)
{
    (void)state;
    const char *three = "Package: a\n" ST "Version: 1\n\nPackage: b\n" ST "Version: 1\n\n"
                        "Package: c\nStatus: deinstall ok config-files\nVersion: 1\n\n";
    const char *four = "Package: a\n" ST "Version: 1\n\nPackage: b\n" ST "Version: 1\n\n"
                       "Package: c\nStatus: deinstall ok config-files\nVersion: 1\n\n"
                       "Package: d\n" ST "Version: 1\n";
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_pkgs = 2;
    vg_layer_result *r;
    /* The cap counts packages reported, not stanzas. */
    assert_int_equal(
        run_scanner(&r, &vg__scanner_dpkg, "var/lib/dpkg/status", three, strlen(three), &lim), 0);
    assert_int_equal(r->dbs[0].n_pkgs, 2);
    vg_layer_result_free(r);
    int rc = run_scanner(&r, &vg__scanner_dpkg, "var/lib/dpkg/status", four, strlen(four), &lim);
    assert_int_equal(rc, VG_ETOOBIG);
    assert_non_null(strstr(vg_error_last(), "var/lib/dpkg/status"));
    assert_non_null(strstr(vg_error_last(), "max_pkgs"));
    vg_layer_result_free(r);
}

/* ---- wants() ------------------------------------------------------------------------- */

typedef struct want_case {
    const vg_scanner *s;
    const char *path;
    bool want;
} want_case;

static void test_wants(void **state)
{
    (void)state;
    const want_case cases[] = {
        {&vg__scanner_dpkg, "var/lib/dpkg/status", true},
        {&vg__scanner_dpkg, "var/lib/dpkg/status.d/base", true},
        {&vg__scanner_dpkg, "var/lib/dpkg/status.d/libc6", true},
        {&vg__scanner_dpkg, "var/lib/dpkg/status.d/libc6.md5sums", false},
        {&vg__scanner_dpkg, "var/lib/dpkg/status.d/.hidden", false},
        {&vg__scanner_dpkg, "var/lib/dpkg/status.d/", false},
        {&vg__scanner_dpkg, "var/lib/dpkg/status.d/sub/x", false},
        {&vg__scanner_dpkg, "var/lib/dpkg/status-old", false},
        {&vg__scanner_dpkg, "var/lib/dpkg/available", false},
        {&vg__scanner_dpkg, "usr/var/lib/dpkg/status", false},
        {&vg__scanner_apk, "lib/apk/db/installed", true},
        {&vg__scanner_apk, "lib/apk/db/installed.new", false},
        {&vg__scanner_apk, "usr/lib/apk/db/installed", false},
        {&vg__scanner_os_release, "etc/os-release", true},
        {&vg__scanner_os_release, "usr/lib/os-release", true},
        {&vg__scanner_os_release, "etc/lsb-release", true},
        {&vg__scanner_os_release, "etc/debian_version", true},
        {&vg__scanner_os_release, "etc/alpine-release", true},
        {&vg__scanner_os_release, "etc/redhat-release", true},
        {&vg__scanner_os_release, "etc/os-release.d", false},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++)
        if (cases[i].s->wants(cases[i].path) != cases[i].want)
            fail_msg("%s wants(\"%s\") should be %d", cases[i].s->name, cases[i].path,
                     cases[i].want);
}

/* ---- apk ----------------------------------------------------------------------------- */

static void test_apk_trivy(void **state)
{
    (void)state;
    size_t len;
    char *text = read_shared("fixtures/apk/installed/trivy-apk.installed", &len);
    char *tsv = read_shared("fixtures/apk/expected/trivy-apk.transcribed-trivy.tsv", NULL);
    char *want = tsv_rows(tsv, keep_after_header);
    vg_layer_result *r;
    int rc = run_scanner(&r, &vg__scanner_apk, "lib/apk/db/installed", text, len, NULL);
    if (rc != 0)
        fail_msg("%s", vg_error_last());
    assert_int_equal(r->n_dbs, 1);
    assert_int_equal(r->dbs[0].format, VG_PKG_APK);
    assert_string_equal(r->dbs[0].path, "lib/apk/db/installed");
    char *got = rows_of(&r->dbs[0]);
    assert_string_equal(got, want);
    assert_int_equal(r->dbs[0].n_pkgs, 15);
    free(got);
    free(want);
    free(tsv);
    free(text);
    vg_layer_result_free(r);
}

/* Independent reading of an installed db: "name\tversion" of every stanza with P: and V:
 * (lines shorter than two bytes end a stanza). */
static void apk_flush(vg_strbuf *sb, char **name, char **version, size_t *count)
{
    if (*name && *version && **name && **version) {
        vg_strbuf_printf(sb, "%s%s\t%s", *count ? "\n" : "", *name, *version);
        (*count)++;
    }
    free(*name);
    free(*version);
    *name = *version = NULL;
}

static char *apk_names(const char *text, size_t len, size_t *count)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    char *name = NULL, *version = NULL;
    *count = 0;
    for (size_t pos = 0; pos < len;) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t n = end - pos;
        if (n && text[pos + n - 1] == '\r')
            n--;
        if (n < 2) {
            apk_flush(&sb, &name, &version, count);
        } else if (text[pos] == 'P') {
            free(name);
            name = vg_xstrndup(text + pos + 2, n - 2);
        } else if (text[pos] == 'V') {
            free(version);
            version = vg_xstrndup(text + pos + 2, n - 2);
        }
        pos = end + 1;
    }
    apk_flush(&sb, &name, &version, count);
    return vg_strbuf_detach(&sb);
}

static void test_apk_installed(void **state)
{
    (void)state;
    static const char *const files[] = {
        "clair-v2.1.8.installed",
        "snyk-alpine-2.6.6.installed",
        "snyk-alpine-3.7.0.installed",
        "syft-base.installed",
        "syft-empty-deps-and-provides.installed",
        "syft-extra-file-attributes.installed",
        "syft-multiple-1.installed",
        "syft-multiple-2.installed",
        "syft-single.installed",
        "trivy-apk.installed",
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(files); i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "fixtures/apk/installed/%s", files[i]);
        size_t len, count;
        char *text = read_shared(rel, &len);
        char *want = apk_names(text, len, &count);
        vg_layer_result *r;
        int rc = run_scanner(&r, &vg__scanner_apk, "lib/apk/db/installed", text, len, NULL);
        if (rc != 0)
            fail_msg("%s: %s", files[i], vg_error_last());
        const vg_pkgdb *db = &r->dbs[0];
        if (db->n_pkgs != count || count == 0)
            fail_msg("%s: %zu packages, %zu stanzas with P: and V:", files[i], db->n_pkgs, count);
        vg_strbuf sb;
        vg_strbuf_init(&sb, 0);
        for (size_t k = 0; k < db->n_pkgs; k++) {
            vg_strbuf_printf(&sb, "%s%s\t%s", k ? "\n" : "", db->pkgs[k].name, db->pkgs[k].version);
            assert_non_null(db->pkgs[k].source_name);
            assert_string_equal(db->pkgs[k].source_version, db->pkgs[k].version);
        }
        if (strcmp(sb.buf, want) != 0)
            fail_msg("%s: want\n%s\ngot\n%s", files[i], want, sb.buf);
        vg_strbuf_dispose(&sb);
        free(want);
        free(text);
        vg_layer_result_free(r);
    }
    assert_all_listed("fixtures/apk/installed", files, VG_ARRAY_LEN(files));

    /* Spot checks against the README. */
    size_t len;
    char *text = read_shared("fixtures/apk/installed/syft-multiple-1.installed", &len);
    vg_layer_result *r;
    assert_int_equal(run_scanner(&r, &vg__scanner_apk, "lib/apk/db/installed", text, len, NULL), 0);
    bool musl = false;
    for (size_t k = 0; k < r->dbs[0].n_pkgs; k++)
        if (strcmp(r->dbs[0].pkgs[k].name, "musl") == 0) {
            assert_string_equal(r->dbs[0].pkgs[k].version, "1.2.4_git20230717-r4");
            musl = true;
        }
    assert_true(musl);
    vg_layer_result_free(r);
    free(text);
}

/* Both malformed files open with a line that is not "X:value": apk-tools refuses them
 * ("FDB format error"), so does vigil, at line 1 — even syft-corrupt, whose valid stanza
 * follows: a database that is partly junk is not trusted. */
static void test_apk_malformed(void **state)
{
    (void)state;
    static const char *const files[] = {"syft-corrupt.installed", "syft-glob-paths-junk.installed"};
    for (size_t i = 0; i < VG_ARRAY_LEN(files); i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "fixtures/apk/malformed/%s", files[i]);
        size_t len;
        char *text = read_shared(rel, &len);
        vg_layer_result *r;
        int rc = run_scanner(&r, &vg__scanner_apk, "lib/apk/db/installed", text, len, NULL);
        assert_error_at(rc, VG_EINVAL, "lib/apk/db/installed", 1);
        vg_layer_result_free(r);
        free(text);
    }
    assert_all_listed("fixtures/apk/malformed", files, VG_ARRAY_LEN(files));
}

typedef struct apk_case {
    const char *name;
    const char *text;
    int rc;
    const char *rows;
    unsigned long line;
} apk_case;

static const apk_case apk_cases[] = {
    {"origin and arch", "P:libssl3\nV:3.1.4-r5\nA:aarch64\no:openssl\n", 0,
     "libssl3\t3.1.4-r5\topenssl\t3.1.4-r5\taarch64", 0},
    {"no origin: its own source", "P:a\nV:1-r0\n", 0, "a\t1-r0\ta\t1-r0\t", 0},
    {"without V or P: skipped", "P:a\nA:x86_64\n\nV:1\n\nP:b\nV:\n\nP:c\nV:2-r0\n", 0,
     "c\t2-r0\tc\t2-r0\t", 0},
    {"crlf and no final newline", "P:a\r\nV:1\r\n\r\nP:b\r\nV:2", 0, "a\t1\ta\t1\t\nb\t2\tb\t2\t",
     0},
    {"a one-byte line ends a stanza, as in apk-tools", "P:a\nV:1\nx\nP:b\nV:2\n", 0,
     "a\t1\ta\t1\t\nb\t2\tb\t2\t", 0},
    {"other fields ignored", "C:Q1abc=\nP:a\nV:1\nF:usr\nR:x\na:0:0:755\nZ:Q1=\n", 0,
     "a\t1\ta\t1\t", 0},
    {"empty", "", 0, "", 0},
    {"junk line", "P:a\nV:1\n\nthis is junk\n", VG_EINVAL, NULL, 4},
    {"duplicate P", "P:a\nV:1\nP:b\nV:2\n", VG_EINVAL, NULL, 3},
};

static void test_apk_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(apk_cases); i++) {
        const apk_case *c = &apk_cases[i];
        vg_layer_result *r;
        int rc = run_scanner(&r, &vg__scanner_apk, "lib/apk/db/installed", c->text, strlen(c->text),
                             NULL);
        if (c->rc == 0) {
            if (rc != 0)
                fail_msg("%s: %s", c->name, vg_error_last());
            char *got = rows_of(&r->dbs[0]);
            if (strcmp(got, c->rows) != 0)
                fail_msg("%s: want\n%s\ngot\n%s", c->name, c->rows, got);
            free(got);
        } else {
            assert_error_at(rc, c->rc, "lib/apk/db/installed", c->line);
            assert_int_equal(r->n_dbs, 0);
        }
        vg_layer_result_free(r);
    }
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_pkgs = 1;
    vg_layer_result *r;
    const char *two = "P:a\nV:1\n\nP:b\nV:2\n";
    assert_int_equal(
        run_scanner(&r, &vg__scanner_apk, "lib/apk/db/installed", two, strlen(two), &lim),
        VG_ETOOBIG);
    assert_non_null(strstr(vg_error_last(), "max_pkgs"));
    vg_layer_result_free(r);
}

/* ---- os-release and friends ---------------------------------------------------------- */

typedef struct release_case {
    const char *name;
    const char *path;
    const char *text;
    int rc;
    unsigned long line; /* when rc != 0 */
    /* when rc == 0 (NULL: the field must be NULL) */
    const char *did, *dname, *version, *version_id, *codename, *pretty, *cpe, *ns;
} release_case;

static const release_case release_cases[] = {
    {"debian 12", "etc/os-release",
     "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
     "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"
     "HOME_URL=\"https://www.debian.org/\"\n",
     0, 0, "debian", "Debian GNU/Linux", "12 (bookworm)", "12", "bookworm",
     "Debian GNU/Linux 12 (bookworm)", NULL, "debian:12"},
    {"ubuntu 22.04", "etc/os-release",
     "PRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n"
     "VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\n"
     "ID_LIKE=debian\nUBUNTU_CODENAME=jammy\n",
     0, 0, "ubuntu", "Ubuntu", "22.04.3 LTS (Jammy Jellyfish)", "22.04", "jammy",
     "Ubuntu 22.04.3 LTS", NULL, "ubuntu:22.04"},
    {"alpine 3.19.1", "etc/os-release",
     "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n"
     "HOME_URL=\"https://alpinelinux.org/\"\n",
     0, 0, "alpine", "Alpine Linux", NULL, "3.19.1", NULL, "Alpine Linux v3.19", NULL,
     "alpine:3.19"},
    {"debian trixie/sid", "usr/lib/os-release",
     "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\n"
     "VERSION_CODENAME=trixie\nID=debian\n",
     0, 0, "debian", "Debian GNU/Linux", NULL, NULL, "trixie", "Debian GNU/Linux trixie/sid", NULL,
     "debian:trixie"},
    {"debian testing, codename only in PRETTY_NAME", "etc/os-release",
     "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n", 0, 0,
     "debian", "Debian GNU/Linux", NULL, NULL, "trixie", "Debian GNU/Linux trixie/sid", NULL,
     "debian:trixie"},
    {"debian with nothing to go on", "etc/os-release", "ID=debian\n", 0, 0, "debian", NULL, NULL,
     NULL, NULL, NULL, NULL, "debian:unknown"},
    {"debian_version point release", "etc/debian_version", "12.5\n", 0, 0, "debian",
     "Debian GNU/Linux", "12.5", "12", NULL, NULL, NULL, "debian:12"},
    {"debian_version testing", "etc/debian_version", "trixie/sid\n", 0, 0, "debian",
     "Debian GNU/Linux", NULL, NULL, "trixie", NULL, NULL, "debian:trixie"},
    {"alpine-release", "etc/alpine-release", "3.19.1\n", 0, 0, "alpine", "Alpine Linux", NULL,
     "3.19.1", NULL, NULL, NULL, "alpine:3.19"},
    {"alpine-release edge", "etc/alpine-release", "3.20.0_alpha20240329", 0, 0, "alpine",
     "Alpine Linux", NULL, "3.20.0_alpha20240329", NULL, NULL, NULL, "alpine:3.20"},
    {"lsb-release ubuntu", "etc/lsb-release",
     "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n"
     "DISTRIB_DESCRIPTION=\"Ubuntu 22.04.3 LTS\"\n",
     0, 0, "ubuntu", "Ubuntu", NULL, "22.04", "jammy", "Ubuntu 22.04.3 LTS", NULL, "ubuntu:22.04"},
    {"quoting, escapes, comments", "etc/os-release",
     "# a comment\n\n   \n  # indented comment\n"
     "NAME=\"Quote \\\"this\\\" \\\\ \\$HOME \\q\"\n"
     "PRETTY_NAME=bare\\ word\\'s  and\"mixed\"'quotes'   \n"
     "VERSION='single \\n $none'\n"
     "ID=MyOS\n"
     "VERSION_ID = \"1.0\"\r\n"
     "CPE_NAME=\"cpe:/o:x:y:1\"\n"
     "VERSION_CODENAME=\n"
     "UNKNOWN_KEY=\"ignored\"\n"
     "VERSION_ID=1.1\n",
     0, 0, "myos", "Quote \"this\" \\ $HOME \\q", "single \\n $none", "1.1", NULL,
     "bare word's  andmixedquotes", "cpe:/o:x:y:1", "myos:1.1"},
    {"rhel uses the major", "etc/os-release", "ID=\"rhel\"\nVERSION_ID=\"9.3\"\n", 0, 0, "rhel",
     NULL, NULL, "9.3", NULL, NULL, NULL, "rhel:9"},
    {"other ids keep VERSION_ID", "etc/os-release", "ID=fedora\nVERSION_ID=39\n", 0, 0, "fedora",
     NULL, NULL, "39", NULL, NULL, NULL, "fedora:39"},
    {"no ID defaults to linux", "etc/os-release", "NAME=Thing\n", 0, 0, "linux", "Thing", NULL,
     NULL, NULL, NULL, NULL, "linux:unknown"},
    {"empty os-release", "etc/os-release", "", 0, 0, "linux", NULL, NULL, NULL, NULL, NULL, NULL,
     "linux:unknown"},

#define RELEASE_ERROR(n, p, t, l)                                                                  \
    {                                                                                              \
        .name = (n), .path = (p), .text = (t), .rc = VG_EINVAL, .line = (l)                        \
    }
    RELEASE_ERROR("line without =", "etc/os-release", "ID=debian\nthis is broken\n", 2),
    RELEASE_ERROR("bad variable name", "etc/os-release", "ID=debian\n\n1ID=x\n", 3),
    RELEASE_ERROR("unterminated quote", "etc/os-release", "NAME=\"Debian\nID=debian\n", 1),
    RELEASE_ERROR("dangling backslash", "usr/lib/os-release", "ID=debian\\", 1),
    RELEASE_ERROR("broken lsb-release", "etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE\n",
                  2),
    RELEASE_ERROR("empty debian_version", "etc/debian_version", "\n", 1),
    RELEASE_ERROR("junk debian_version", "etc/debian_version", "12 5; rm\n", 1),
    RELEASE_ERROR("empty alpine-release", "etc/alpine-release", "", 1),
};

static void assert_field(const char *name, const char *field, const char *want, const char *got)
{
    if (!want && !got)
        return;
    if (!want || !got || strcmp(want, got) != 0)
        fail_msg("%s: %s: want %s%s%s, got %s%s%s", name, field, want ? "\"" : "",
                 want ? want : "NULL", want ? "\"" : "", got ? "\"" : "", got ? got : "NULL",
                 got ? "\"" : "");
}

static void test_os_release_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(release_cases); i++) {
        const release_case *c = &release_cases[i];
        vg_layer_result *r;
        int rc = run_scanner(&r, &vg__scanner_os_release, c->path, c->text, strlen(c->text), NULL);
        if (c->rc) {
            assert_error_at(rc, c->rc, c->path, c->line);
            assert_int_equal(r->n_releases, 0); /* nothing of a bad file is kept */
            vg_layer_result_free(r);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", c->name, vg_error_last());
        assert_int_equal(r->n_releases, 1);
        assert_int_equal(r->n_dbs, 0);
        const vg_release_file *f = &r->releases[0];
        assert_string_equal(f->path, c->path);
        assert_string_equal(f->dist.found_in, c->path);
        assert_field(c->name, "did", c->did, f->dist.did);
        assert_field(c->name, "name", c->dname, f->dist.name);
        assert_field(c->name, "version", c->version, f->dist.version);
        assert_field(c->name, "version_id", c->version_id, f->dist.version_id);
        assert_field(c->name, "version_code_name", c->codename, f->dist.version_code_name);
        assert_field(c->name, "pretty_name", c->pretty, f->dist.pretty_name);
        assert_field(c->name, "cpe", c->cpe, f->dist.cpe);
        assert_field(c->name, "ns", c->ns, f->dist.ns);
        vg_layer_result_free(r);
    }
}

/* vg__distribution_finish on hand-built candidates (as other scanners may build them). */
static void test_distribution_finish(void **state)
{
    (void)state;
    static const struct {
        vg_distribution in;
        const char *ns, *codename;
    } cases[] = {
        {{.did = "debian", .version_id = "12.5"}, "debian:12", NULL},
        {{.did = "Debian", .pretty_name = "Debian GNU/Linux trixie/sid"},
         "debian:trixie",
         "trixie"},
        {{.did = "debian", .version = "sid"}, "debian:sid", "sid"},
        {{.did = "debian", .pretty_name = "Debian GNU/Linux 13 (trixie)"},
         "debian:trixie",
         "trixie"},
        {{.did = "debian", .pretty_name = "Debian GNU/Linux"}, "debian:unknown", NULL},
        {{.did = "debian", .version_id = ""}, "debian:unknown", NULL},
        {{.did = "ubuntu", .version_id = "24.04"}, "ubuntu:24.04", NULL},
        {{.did = "ubuntu", .version_code_name = "noble"}, "ubuntu:noble", "noble"},
        {{.did = "alpine", .version_id = "3.19"}, "alpine:3.19", NULL},
        {{.did = "alpine", .version_id = "3"}, "alpine:3", NULL},
        {{.did = "alpine", .version_id = "edge"}, "alpine:edge", NULL},
        {{.did = "rocky", .version_id = "8.9"}, "rocky:8", NULL},
        {{.did = "amzn", .version_id = "2023"}, "amzn:2023", NULL},
        {{.did = NULL}, "linux:unknown", NULL},
    };
    vg_layer_result *r = vg_layer_result_new("sha256:finish");
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_distribution d = cases[i].in;
        vg__distribution_finish(r, &d);
        assert_field("finish", "ns", cases[i].ns, d.ns);
        assert_field("finish", "version_code_name", cases[i].codename, d.version_code_name);
    }
    vg_layer_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dpkg_fixtures),
        cmocka_unit_test(test_dpkg_distroless),
        cmocka_unit_test(test_dpkg_malformed),
        cmocka_unit_test(test_dpkg_cases),
        cmocka_unit_test(test_dpkg_prefix),
        cmocka_unit_test(test_dpkg_max_pkgs),
        cmocka_unit_test(test_wants),
        cmocka_unit_test(test_apk_trivy),
        cmocka_unit_test(test_apk_installed),
        cmocka_unit_test(test_apk_malformed),
        cmocka_unit_test(test_apk_cases),
        cmocka_unit_test(test_os_release_cases),
        cmocka_unit_test(test_distribution_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
