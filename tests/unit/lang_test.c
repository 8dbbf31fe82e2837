/* lang_test.c — unit tests of the language-package scanners of src/index/ (python.c, npm.c,
 * gobin.c, java.c, gem.c), the purl builder (purl.c) and the coalescer's language rules: every
 * fixture in $VIGIL_SHARED/fixtures/lang against its expected file, table-driven edge cases,
 * and hostile input built here (ELF files with bad build info, zip bombs, deep nesting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/index_int.h"
#include "testutil.h"
#include "util/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------------------- */

static vg_index_limits defaults(void)
{
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    return lim;
}

/* Runs path scanner `s` over an exact-size copy of `len` bytes (reads past `len` show up
 * under ASan). */
static int run(vg_layer_result **out, const vg_scanner *s, const char *path, const char *text,
               size_t len, const vg_index_limits *lim)
{
    vg_index_limits d = defaults();
    char *copy = vg_xmalloc(len);
    if (len)
        memcpy(copy, text, len);
    *out = vg_layer_result_new("sha256:test");
    vg_error_clear();
    int rc = s->parse(*out, path, copy, len, lim ? lim : &d);
    free(copy);
    return rc;
}

static int run_str(vg_layer_result **out, const vg_scanner *s, const char *path, const char *text)
{
    return run(out, s, path, text, strlen(text), NULL);
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A growing list of heap lines, sorted and joined by '\n' at the end. */
typedef struct lines {
    char **v;
    size_t n, cap;
} lines;

static void lines_add(lines *l, const char *fmt, ...) VG_PRINTF(2, 3);

static void lines_add(lines *l, const char *fmt, ...)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = vg_xrealloc(l->v, l->cap * sizeof(char *));
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    l->v[l->n++] = vg_strbuf_detach(&sb);
}

/* Sorted, duplicates dropped, joined with '\n'; frees the list. */
static char *lines_join(lines *l)
{
    if (l->n)
        qsort(l->v, l->n, sizeof(char *), cmp_str);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    for (size_t i = 0; i < l->n; i++) {
        if (i == 0 || strcmp(l->v[i], l->v[i - 1]) != 0)
            vg_strbuf_printf(&sb, "%s%s", sb.len ? "\n" : "", l->v[i]);
    }
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
    return vg_strbuf_detach(&sb);
}

/* "name\tversion\tpurl" rows of every package of every database of `r`. */
static char *rows_of(const vg_layer_result *r)
{
    lines l = {0};
    for (size_t d = 0; d < r->n_dbs; d++)
        for (size_t i = 0; i < r->dbs[d].n_pkgs; i++) {
            const vg_package *p = &r->dbs[d].pkgs[i];
            lines_add(&l, "%s\t%s\t%s", p->name, p->version, p->purl ? p->purl : "(no purl)");
        }
    return lines_join(&l);
}

/* "name\tversion" rows only. */
static char *coords_of(const vg_layer_result *r)
{
    lines l = {0};
    for (size_t d = 0; d < r->n_dbs; d++)
        for (size_t i = 0; i < r->dbs[d].n_pkgs; i++)
            lines_add(&l, "%s\t%s", r->dbs[d].pkgs[i].name, r->dbs[d].pkgs[i].version);
    return lines_join(&l);
}

static void assert_rows(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fail_msg("%s: rows differ\n--- want\n%s\n--- got\n%s", what, want, got);
}

/* Splits a TSV line into at most `max` columns (pointers into `line`, which is modified). */
static size_t tsv_cols(char *line, char **cols, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        cols[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* The next '\n'-terminated line of `*p` (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **p)
{
    if (!*p || !**p)
        return NULL;
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = NULL;
    }
    return line;
}

/* Fails when `dir` (under $VIGIL_SHARED) holds an entry `names` does not list. */
static void assert_all_listed(const char *dir, const char *const *names, size_t n)
{
    char *path = vg_test_shared_path(dir);
    DIR *d = opendir(path);
    if (!d) {
        free(path);
        fail_msg("cannot open %s", dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(names[i], e->d_name) == 0;
        if (!found) {
            closedir(d);
            free(path);
            fail_msg("%s/%s is not covered by lang_test.c", dir, e->d_name);
            return;
        }
    }
    closedir(d);
    free(path);
}

static void assert_error(int rc, int want, const char *substr)
{
    if (rc != want || !strstr(vg_error_last(), substr))
        fail_msg("want %s with \"%s\", got rc %d: %s", vg_error_name(want), substr, rc,
                 vg_error_last());
}

/* ---- purl, PEP 503 --------------------------------------------------------------------- */

static void test_purl(void **state)
{
    (void)state;
    static const struct {
        const char *type, *ns, *name, *version, *q1k, *q1v, *q2k, *q2v, *want;
    } cases[] = {
        {"pypi", NULL, "requests", "2.31.0", NULL, NULL, NULL, NULL, "pkg:pypi/requests@2.31.0"},
        {"npm", "@babel", "core", "7.0.0", NULL, NULL, NULL, NULL, "pkg:npm/%40babel/core@7.0.0"},
        {"golang", "github.com/aquasecurity", "go-version", "v0.0.0-20210121072130-637058cfe492",
         NULL, NULL, NULL, NULL,
         "pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492"},
        {"golang", "//github.com//x/", "y", "v1.0.0", NULL, NULL, NULL, NULL,
         "pkg:golang/github.com/x/y@v1.0.0"},
        {"golang", "", "stdlib", "v1.22.1", NULL, NULL, NULL, NULL, "pkg:golang/stdlib@v1.22.1"},
        {"maven", "org.apache.commons", "commons-lang3", "3.11", NULL, NULL, NULL, NULL,
         "pkg:maven/org.apache.commons/commons-lang3@3.11"},
        /* ':' stays, '+' '~' as the spec's reference implementation does: "+" -> %2B. */
        {"deb", "debian", "openssl", "1:3.0.11-1~deb12u2+b1", "distro", "debian-12", "arch",
         "amd64", "pkg:deb/debian/openssl@1:3.0.11-1~deb12u2%2Bb1?arch=amd64&distro=debian-12"},
        {"apk", "alpine", "musl", "1.2.4-r2", "arch", "x86_64", "distro", "alpine-3.19.1",
         "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1"},
        {"gem", NULL, "rails", "7.1.0.beta1", "arch", "", "distro", NULL,
         "pkg:gem/rails@7.1.0.beta1"},
        {"generic", "a b", "n@me?#&=/%", "1 0/2@3", "k", "v&w=x y", NULL, NULL,
         "pkg:generic/a%20b/n%40me%3F%23%26%3D%2F%25@1%200%2F2%403?k=v%26w%3Dx%20y"},
        {"generic", NULL, "caf\xc3\xa9\x01", NULL, NULL, NULL, NULL, NULL,
         "pkg:generic/caf%C3%A9%01"},
        {"generic", NULL, "x", "", NULL, NULL, NULL, NULL, "pkg:generic/x"},
    };
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_purl_qualifier q[2] = {{cases[i].q1k, cases[i].q1v}, {cases[i].q2k, cases[i].q2v}};
        size_t nq = cases[i].q2k ? 2 : cases[i].q1k ? 1 : 0;
        assert_int_equal(
            vg__purl_build(&sb, cases[i].type, cases[i].ns, cases[i].name, cases[i].version, q, nq),
            0);
        assert_string_equal(sb.buf, cases[i].want);
    }
    vg_strbuf_dispose(&sb);
    /* The cap: a purl longer than VG_PURL_MAX is not made. */
    char *huge = vg_xmalloc(VG_PURL_MAX + 1);
    memset(huge, 'a', VG_PURL_MAX);
    huge[VG_PURL_MAX] = '\0';
    vg_layer_result *r = vg_layer_result_new("sha256:x");
    assert_null(vg__purl(r, "pypi", NULL, huge, "1", NULL, 0));
    assert_string_equal(vg__purl(r, "pypi", NULL, "a", "1", NULL, 0), "pkg:pypi/a@1");
    vg_layer_result_free(r);
    free(huge);
}

static void test_pep503(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Unidecode", "unidecode"},           {"zope.interface", "zope-interface"},
        {"Foo__Bar-.baz", "foo-bar-baz"},     {"-a_", "-a-"},
        {"sample_package", "sample-package"},
    };
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg__pep503_normalize(&sb, cases[i][0], strlen(cases[i][0]));
        assert_string_equal(sb.buf, cases[i][1]);
    }
    vg_strbuf_dispose(&sb);
}

/* ---- wants ----------------------------------------------------------------------------- */

static void test_wants(void **state)
{
    (void)state;
    static const struct {
        const vg_scanner *s;
        const char *path;
        bool want;
    } cases[] = {
        {&vg__scanner_python, "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA", true},
        {&vg__scanner_python, "usr/lib/python3.11/site-packages/x.egg-info/PKG-INFO", true},
        {&vg__scanner_python, "usr/lib/python3/dist-packages/distlib-0.3.1-py3.9.egg-info", true},
        {&vg__scanner_python, "usr/lib/python2.7/site-packages/kitchen-1.2.6-py2.7.egg", true},
        {&vg__scanner_python, "srv/app/a-1.0.egg/EGG-INFO/PKG-INFO", true},
        {&vg__scanner_python, "x.dist-info/RECORD", false},
        {&vg__scanner_python, "usr/lib/.dist-info/METADATA", false},
        {&vg__scanner_python, "usr/lib/METADATA", false},
        {&vg__scanner_npm, "app/node_modules/express/package.json", true},
        {&vg__scanner_npm, "node_modules/@babel/core/package.json", true},
        {&vg__scanner_npm, "a/node_modules/b/node_modules/@s/c/package.json", true},
        {&vg__scanner_npm, "app/node_modules/.pnpm/x@1.0.0/node_modules/x/package.json", true},
        {&vg__scanner_npm, "app/node_modules/express/lib/package.json", false},
        {&vg__scanner_npm, "app/node_modules/.bin/package.json", false},
        {&vg__scanner_npm, "app/node_modules/@scope/package.json", false},
        {&vg__scanner_npm, "app/package.json", false},
        {&vg__scanner_npm, "app/package-lock.json", true},
        {&vg__scanner_npm, "package-lock.json", true},
        {&vg__scanner_npm, "srv/npm-shrinkwrap.json", true},
        {&vg__scanner_npm, "app/node_modules/.package-lock.json", false},
        {&vg__scanner_npm, "app/node_modules/x/package-lock.json", false},
        {&vg__scanner_gem, "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec", true},
        {&vg__scanner_gem, "var/lib/gems/3.1.0/specifications/default/json-2.6.1.gemspec", true},
        {&vg__scanner_gem, "specifications/a.gemspec", true},
        {&vg__scanner_gem, "usr/src/rake/rake.gemspec", false},
        {&vg__scanner_gem, "specifications/.gemspec", false},
        {&vg__scanner_gem, "specifications/sub/x.gemspec", false},
        {&vg__scanner_java, "opt/app/lib/log4j-1.2.17.jar", true},
        {&vg__scanner_java, "usr/local/tomcat/webapps/app.WAR", true},
        {&vg__scanner_java, "srv/x.ear", true},
        {&vg__scanner_java, "srv/.jar", false},
        {&vg__scanner_java, "srv/x.jar.sha1", false},
        {&vg__scanner_dpkg, "app/node_modules/express/package.json", false},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++)
        if (cases[i].s->wants(cases[i].path) != cases[i].want)
            fail_msg("%s wants(%s) should be %d", cases[i].s->name, cases[i].path, cases[i].want);
    static const struct {
        const char *path;
        unsigned mode;
        int64_t size;
        bool want;
    } entry_cases[] = {
        {"usr/bin/kubectl", 0755, 50000000, true},
        {"usr/bin/x", 0700, -1, true},
        {"usr/bin/x", 0644, 50000000, false},
        {"usr/bin/x", 0755, 10, false},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(entry_cases); i++)
        assert_int_equal(vg__scanner_gobin.wants_entry(entry_cases[i].path, entry_cases[i].mode,
                                                       entry_cases[i].size),
                         entry_cases[i].want);
}

/* ---- Python ---------------------------------------------------------------------------- */

/* Where each python fixture is presented to the scanner, by its form. */
static const char *python_path(vg_strbuf *sb, const char *file)
{
    vg_strbuf_reset(sb);
    const char *site = "usr/lib/python3/site-packages/";
    size_t n = strlen(file);
    if (n > 9 && strcmp(file + n - 9, ".METADATA") == 0)
        vg_strbuf_printf(sb, "%s%.*s.dist-info/METADATA", site, (int)(n - 9), file);
    else if (n > 9 && strcmp(file + n - 9, ".PKG-INFO") == 0)
        vg_strbuf_printf(sb, "%s%.*s.egg-info/PKG-INFO", site, (int)(n - 9), file);
    else
        vg_strbuf_printf(sb, "%s%s", site, file);
    return sb->buf;
}

static void test_python_fixtures(void **state)
{
    (void)state;
    char *expected = read_shared("fixtures/lang/expected/python-metadata.tsv", NULL);
    vg_strbuf path, norm;
    vg_strbuf_init(&path, 0);
    vg_strbuf_init(&norm, 0);
    const char *names[32];
    size_t n_names = 0;
    char *cursor = expected, *line;
    size_t rows = 0;
    while ((line = next_line(&cursor)) != NULL) {
        char *cols[5];
        if (tsv_cols(line, cols, 5) < 4 || strcmp(cols[0], "file") == 0)
            continue;
        char *bang = strchr(cols[0], '!'); /* "x.egg!EGG-INFO/PKG-INFO": the egg itself */
        if (bang)
            *bang = '\0';
        names[n_names++] = vg_xstrdup(cols[0]);
        char rel[512];
        snprintf(rel, sizeof(rel), "fixtures/lang/python/%s", cols[0]);
        size_t len;
        char *text = read_shared(rel, &len);
        const char *p = python_path(&path, cols[0]);
        assert_true(vg__scanner_python.wants(p));
        vg_layer_result *r;
        if (run(&r, &vg__scanner_python, p, text, len, NULL) != 0)
            fail_msg("%s: %s", cols[0], vg_error_last());
        /* The expected name is raw (HeaderParser's value): vigil trims and normalizes it. */
        vg_slice raw = vg_slice_trim(vg_slice_from_cstr(cols[2]));
        vg__pep503_normalize(&norm, raw.ptr, raw.len);
        char want[512];
        snprintf(want, sizeof(want), "%s\t%s\tpkg:pypi/%s@%s", norm.buf, cols[3], norm.buf,
                 cols[3]);
        assert_int_equal(r->n_dbs, 1);
        assert_string_equal(r->dbs[0].path, p);
        assert_int_equal(r->dbs[0].format, VG_PKG_PYTHON);
        char *got = rows_of(r);
        assert_rows(cols[0], got, want);
        free(got);
        vg_layer_result_free(r);
        free(text);
        rows++;
    }
    assert_int_equal(rows, 12);
    names[n_names++] = vg_xstrdup("kitchen-1.2.6-py2.7.egg"); /* both eggs are rows already */
    assert_all_listed("fixtures/lang/python", names, n_names);
    for (size_t i = 0; i < n_names; i++)
        free((void *)names[i]);
    vg_strbuf_dispose(&path);
    vg_strbuf_dispose(&norm);
    free(expected);
}

static void test_python_cases(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        int rc;
        const char *want; /* rows, or a message substring */
    } cases[] = {
        {"crlf and case-insensitive names",
         "metadata-version: 2.1\r\nNAME: Foo.Bar\r\nversion: 1.0\r\n", 0,
         "foo-bar\t1.0\tpkg:pypi/foo-bar@1.0"},
        {"first value wins, continuation skipped",
         "Name: a\nSummary: x\n  continued: no\nName: b\nVersion: 2\nVersion: 3\n", 0,
         "a\t2\tpkg:pypi/a@2"},
        {"headers end at the blank line", "Name: a\n\nVersion: 1\n", VG_EINVAL,
         "no Version header"},
        {"headers end at a non-header line", "Name: a\nbody text\nVersion: 1\n", VG_EINVAL,
         "no Version header"},
        {"no name", "Version: 1\n", VG_EINVAL, "no Name header"},
        {"bad name", "Name: a b\nVersion: 1\n", VG_EINVAL, ":1: Name is not a valid project name"},
        {"bad version", "Name: a\nVersion: 1 0\n", VG_EINVAL, ":2: Version is empty"},
        {"empty version", "Name: a\nVersion:\n", VG_EINVAL, ":2: Version is empty"},
        {"local version with +", "Name: torch\nVersion: 2.1.0+cpu\n", 0,
         "torch\t2.1.0+cpu\tpkg:pypi/torch@2.1.0%2Bcpu"},
        {"empty file", "", VG_EINVAL, "no Name header"},
    };
    const char *path = "usr/lib/python3/site-packages/x.dist-info/METADATA";
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_layer_result *r;
        int rc = run_str(&r, &vg__scanner_python, path, cases[i].text);
        if (cases[i].rc == 0) {
            if (rc)
                fail_msg("%s: %s", cases[i].name, vg_error_last());
            char *got = rows_of(r);
            assert_rows(cases[i].name, got, cases[i].want);
            free(got);
        } else {
            assert_error(rc, cases[i].rc, cases[i].want);
            assert_non_null(strstr(vg_error_last(), path));
            assert_int_equal(r->n_dbs, 0);
        }
        vg_layer_result_free(r);
    }
    /* A .egg that is not a zip, and a zip without EGG-INFO/PKG-INFO. */
    vg_layer_result *r;
    assert_error(run_str(&r, &vg__scanner_python, "x.egg", "not a zip"), VG_EINVAL, "x.egg");
    assert_int_equal(r->n_dbs, 0);
    vg_layer_result_free(r);
}

/* ---- npm ------------------------------------------------------------------------------- */

static void test_npm_lockfiles(void **state)
{
    (void)state;
    for (int v = 1; v <= 3; v++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "fixtures/lang/expected/npm-ls.package-lock_v%d.tsv", v);
        char *expected = read_shared(rel, NULL);
        lines want = {0};
        char *cursor = expected, *line;
        while ((line = next_line(&cursor)) != NULL) {
            char *cols[4];
            if (tsv_cols(line, cols, 4) < 3 || strcmp(cols[0], "install_path") == 0)
                continue;
            const char *slash = cols[1][0] == '@' ? strchr(cols[1], '/') : NULL;
            if (slash)
                lines_add(&want, "%s\t%s\tpkg:npm/%%40%.*s/%s@%s", cols[1], cols[2],
                          (int)(slash - cols[1] - 1), cols[1] + 1, slash + 1, cols[2]);
            else
                lines_add(&want, "%s\t%s\tpkg:npm/%s@%s", cols[1], cols[2], cols[1], cols[2]);
        }
        char *want_rows = lines_join(&want);
        snprintf(rel, sizeof(rel), "fixtures/lang/npm/package-lock_v%d.json", v);
        size_t len;
        char *text = read_shared(rel, &len);
        vg_layer_result *r;
        if (run(&r, &vg__scanner_npm, "srv/app/package-lock.json", text, len, NULL) != 0)
            fail_msg("v%d: %s", v, vg_error_last());
        assert_int_equal(r->n_dbs, 1);
        assert_int_equal(r->dbs[0].format, VG_PKG_NPM);
        assert_int_equal(r->dbs[0].n_pkgs, 31); /* 33 install paths, 31 name@version */
        char *got = rows_of(r);
        assert_rows(rel, got, want_rows);
        free(got);
        free(want_rows);
        vg_layer_result_free(r);
        free(text);
        free(expected);
    }
    static const char *const files[] = {"package-lock_v1.json", "package-lock_v2.json",
                                        "package-lock_v3.json"};
    assert_all_listed("fixtures/lang/npm", files, VG_ARRAY_LEN(files));
}

static void test_npm_cases(void **state)
{
    (void)state;
    static const struct {
        const char *name, *path, *text;
        int rc;
        const char *want;
    } cases[] = {
        {"plain", "app/node_modules/express/package.json",
         "{\"name\":\"express\",\"version\":\"4.18.2\",\"dependencies\":{}}", 0,
         "express\t4.18.2\tpkg:npm/express@4.18.2"},
        {"scoped", "app/node_modules/@Babel/core/package.json",
         "{\"name\":\"@Babel/Core\",\"version\":\"7.23.0\"}", 0,
         "@Babel/Core\t7.23.0\tpkg:npm/%40babel/core@7.23.0"},
        {"no version: an empty database", "app/node_modules/x/package.json", "{\"name\":\"x\"}", 0,
         ""},
        {"non-string version", "app/node_modules/x/package.json", "{\"name\":\"x\",\"version\":1}",
         0, ""},
        {"not an object", "app/node_modules/x/package.json", "[1,2]", 0, ""},
        {"not JSON", "app/node_modules/x/package.json", "{\n  \"name\": \"x\",\n  oops\n}",
         VG_EINVAL, "app/node_modules/x/package.json:3:"},
        {"template placeholder", "app/node_modules/x/package.json",
         "{\"name\": {{name}}, \"version\": \"1.0.0\"}", VG_EINVAL, "not JSON"},
        {"v1 alias, git and file deps, links", "p/package-lock.json",
         "{\"lockfileVersion\":1,\"dependencies\":{"
         "\"s\":{\"version\":\"npm:string-width@4.2.3\"},"
         "\"g\":{\"version\":\"git+https://github.com/x/g.git#abc\"},"
         "\"f\":{\"version\":\"file:../f\"},"
         "\"n\":{\"version\":\"1.0.0\",\"dependencies\":{\"m\":{\"version\":\"2.0.0\"}}}}}",
         0,
         "m\t2.0.0\tpkg:npm/m@2.0.0\nn\t1.0.0\tpkg:npm/n@1.0.0\n"
         "string-width\t4.2.3\tpkg:npm/string-width@4.2.3"},
        {"v3 workspaces, links and aliases", "p/package-lock.json",
         "{\"lockfileVersion\":3,\"packages\":{"
         "\"\":{\"name\":\"root\",\"version\":\"1.0.0\"},"
         "\"packages/a\":{\"name\":\"a\",\"version\":\"0.1.0\"},"
         "\"node_modules/a\":{\"resolved\":\"packages/a\",\"link\":true},"
         "\"node_modules/alias\":{\"name\":\"real\",\"version\":\"3.0.0\"},"
         "\"node_modules/x/node_modules/@s/y\":{\"version\":\"1.2.3\"},"
         "\"node_modules/nover\":{}}}",
         0, "@s/y\t1.2.3\tpkg:npm/%40s/y@1.2.3\nreal\t3.0.0\tpkg:npm/real@3.0.0"},
        {"v2 prefers packages", "p/package-lock.json",
         "{\"lockfileVersion\":2,\"packages\":{\"node_modules/a\":{\"version\":\"1.0.0\"}},"
         "\"dependencies\":{\"b\":{\"version\":\"2.0.0\"}}}",
         0, "a\t1.0.0\tpkg:npm/a@1.0.0"},
        {"lockfile v2 without packages falls back", "p/package-lock.json",
         "{\"lockfileVersion\":2,\"dependencies\":{\"b\":{\"version\":\"2.0.0\"}}}", 0,
         "b\t2.0.0\tpkg:npm/b@2.0.0"},
        {"a lockfile that is not JSON", "p/package-lock.json", "{", VG_EINVAL,
         "p/package-lock.json:1:"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_layer_result *r;
        int rc = run_str(&r, &vg__scanner_npm, cases[i].path, cases[i].text);
        if (cases[i].rc == 0) {
            if (rc)
                fail_msg("%s: %s", cases[i].name, vg_error_last());
            assert_int_equal(r->n_dbs, 1);
            char *got = rows_of(r);
            assert_rows(cases[i].name, got, cases[i].want);
            free(got);
        } else {
            assert_error(rc, cases[i].rc, cases[i].want);
            assert_int_equal(r->n_dbs, 0);
        }
        vg_layer_result_free(r);
    }
    /* max_pkgs bounds a lockfile. */
    vg_index_limits lim = defaults();
    lim.max_pkgs = 2;
    const char *three = "{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version\":"
                        "\"1\"},\"node_modules/b\":{\"version\":\"1\"},\"node_modules/c\":{"
                        "\"version\":\"1\"}}}";
    vg_layer_result *r;
    assert_error(run(&r, &vg__scanner_npm, "p/package-lock.json", three, strlen(three), &lim),
                 VG_ETOOBIG, "max_pkgs");
    assert_int_equal(r->n_dbs, 0);
    vg_layer_result_free(r);
}

/* ---- Ruby ------------------------------------------------------------------------------ */

static void test_gem_cases(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        int rc;
        const char *want;
    } cases[] = {
        {"rubygems to_ruby",
         "# -*- encoding: utf-8 -*-\n# stub: rake 13.0.6 ruby lib\n\n"
         "Gem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\n"
         "  s.required_rubygems_version = Gem::Requirement.new(\">= 1.3.2\") if "
         "s.respond_to? :required_rubygems_version=\nend\n",
         0, "rake\t13.0.6\tpkg:gem/rake@13.0.6"},
        {"Gem::Version.new and single quotes",
         "Gem::Specification.new do |spec|\n  spec.name = 'nokogiri'\n"
         "  spec.version = Gem::Version.new('1.15.4')\nend\n",
         0, "nokogiri\t1.15.4\tpkg:gem/nokogiri@1.15.4"},
        {"%q strings, CRLF",
         "Gem::Specification.new do |s|\r\n  s.name = %q{json}\r\n"
         "  s.version = %q(2.6.1)\r\nend\r\n",
         0, "json\t2.6.1\tpkg:gem/json@2.6.1"},
        {"prerelease", "s.name = \"rails\"\ns.version = \"7.1.0.beta1\"\n", 0,
         "rails\t7.1.0.beta1\tpkg:gem/rails@7.1.0.beta1"},
        {"stub only", "# stub: bundler 2.4.10 ruby lib\n", 0,
         "bundler\t2.4.10\tpkg:gem/bundler@2.4.10"},
        {"not literal: the stub line decides",
         "# stub: x 1.0 ruby lib\ns.name = NAME\ns.version = X::VERSION\n", 0,
         "x\t1.0\tpkg:gem/x@1.0"},
        {"comparison is not an assignment", "s.name == \"a\"\ns.name = \"b\"\ns.version = \"1\"\n",
         0, "b\t1\tpkg:gem/b@1"},
        {"nothing to go on", "puts 'hello'\n", VG_EINVAL, "no literal s.name"},
        {"no version", "s.name = \"a\"\n", VG_EINVAL, "no literal s.version"},
        {"bad name", "s.name = \"a b\"\ns.version = \"1\"\n", VG_EINVAL, ":1: not a gem name"},
        {"bad version", "s.name = \"a\"\ns.version = \"1;rm\"\n", VG_EINVAL,
         ":2: not a gem version"},
        {"unterminated string", "s.name = \"a\ns.version = \"1\"\n", VG_EINVAL, "s.name"},
    };
    const char *path = "usr/lib/ruby/gems/3.1.0/specifications/x-1.gemspec";
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_layer_result *r;
        int rc = run_str(&r, &vg__scanner_gem, path, cases[i].text);
        if (cases[i].rc == 0) {
            if (rc)
                fail_msg("%s: %s", cases[i].name, vg_error_last());
            assert_int_equal(r->dbs[0].format, VG_PKG_GEM);
            char *got = rows_of(r);
            assert_rows(cases[i].name, got, cases[i].want);
            free(got);
        } else {
            assert_error(rc, cases[i].rc, cases[i].want);
            assert_int_equal(r->n_dbs, 0);
        }
        vg_layer_result_free(r);
    }
}

/* ---- Go -------------------------------------------------------------------------------- */

/* Runs vg__gobin_read over `len` bytes in memory. */
static int gobin_read(vg_gobuildinfo *bi, const char *path, const char *buf, size_t len,
                      const vg_index_limits *lim, uint64_t *pos)
{
    vg_index_limits d = defaults();
    vg_index_reader rd;
    vg__reader_init_mem(&rd, buf, len);
    vg_error_clear();
    int rc = vg__gobin_read(bi, path, &rd, lim ? lim : &d);
    if (pos)
        *pos = rd.pos;
    return rc;
}

/* The scanner over memory, as the walker would run it. */
static int gobin_scan(vg_layer_result **out, const char *path, const char *buf, size_t len,
                      const vg_index_limits *lim)
{
    vg_index_limits d = defaults();
    vg_index_reader rd;
    vg__reader_init_mem(&rd, buf, len);
    *out = vg_layer_result_new("sha256:test");
    vg_error_clear();
    return vg__scanner_gobin.parse_stream(*out, path, &rd, lim ? lim : &d);
}

/* `go version -m` output as the same lines vigil's build info gives. */
static char *go_version_m(const char *text)
{
    lines l = {0};
    char *copy = vg_xstrdup(text), *cursor = copy, *line;
    while ((line = next_line(&cursor)) != NULL) {
        if (line[0] != '\t') {
            const char *colon = strstr(line, ": ");
            lines_add(&l, "go\t%s", colon ? colon + 2 : line);
            continue;
        }
        char *cols[5];
        size_t n = tsv_cols(line + 1, cols, 5);
        if (strcmp(cols[0], "path") == 0 && n >= 2)
            lines_add(&l, "path\t%s", cols[1]);
        else if ((strcmp(cols[0], "mod") == 0 || strcmp(cols[0], "dep") == 0) && n >= 3)
            lines_add(&l, "%s\t%s\t%s\t%s", cols[0], cols[1], cols[2], n >= 4 ? cols[3] : "");
        else if (strcmp(cols[0], "=>") == 0 && n >= 3)
            lines_add(&l, "=>\t%s\t%s", cols[1], cols[2]);
    }
    free(copy);
    return lines_join(&l);
}

static char *buildinfo_lines(const vg_gobuildinfo *bi)
{
    lines l = {0};
    if (bi->goversion)
        lines_add(&l, "go\t%s", bi->goversion);
    if (bi->path)
        lines_add(&l, "path\t%s", bi->path);
    if (bi->main.path)
        lines_add(&l, "mod\t%s\t%s\t%s", bi->main.path, bi->main.version, bi->main.sum);
    for (size_t i = 0; i < bi->n_deps; i++) {
        const vg_gomod *m = &bi->deps[i];
        lines_add(&l, "dep\t%s\t%s\t%s", m->path, m->version, m->sum);
        if (m->rpath)
            lines_add(&l, "=>\t%s\t%s", m->rpath, m->rversion);
    }
    return lines_join(&l);
}

static void test_go_fixtures(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        uint64_t buildinfo_end; /* no byte past this is read */
        const char *packages;
    } cases[] = {
        {"test.elf", 0x1aeda0 + 16,
         "github.com/aquasecurity/go-pep440-version\tv0.0.0-20210121094942-22b2f8951d46\t"
         "pkg:golang/github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-"
         "22b2f8951d46\n"
         "github.com/aquasecurity/go-version\tv0.0.0-20210121072130-637058cfe492\t"
         "pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492\n"
         "golang.org/x/xerrors\tv0.0.0-20200804184101-5ec99f83aff1\t"
         "pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1\n"
         "stdlib\tv1.15.2\tpkg:golang/stdlib@v1.15.2"},
        /* The main module is (devel); -ldflags "-X main.version=v1.0.0" names its version. */
        {"main-version-via-ldflags.elf", 0x128000 + 0x1c0,
         "github.com/aquasecurity/test\tv1.0.0\tpkg:golang/github.com/aquasecurity/test@v1.0.0\n"
         "stdlib\tv1.22.1\tpkg:golang/stdlib@v1.22.1"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "fixtures/lang/go/%s", cases[i].file);
        size_t len;
        char *bin = read_shared(rel, &len);
        snprintf(rel, sizeof(rel), "fixtures/lang/expected/go-version-m.%s.txt", cases[i].file);
        char *expected = read_shared(rel, NULL);
        char *want = go_version_m(expected);
        vg_gobuildinfo bi;
        uint64_t pos;
        if (gobin_read(&bi, cases[i].file, bin, len, NULL, &pos) != 0)
            fail_msg("%s: %s", cases[i].file, vg_error_last());
        char *got = buildinfo_lines(&bi);
        assert_rows(cases[i].file, got, want);
        /* Streaming: reading stopped at the build info, well before the end of the file. */
        if (pos > cases[i].buildinfo_end + 8192 || pos >= len)
            fail_msg("%s: read %llu of %zu bytes", cases[i].file, (unsigned long long)pos, len);
        free(got);
        vg__gobuildinfo_dispose(&bi);

        vg_layer_result *r;
        if (gobin_scan(&r, "usr/local/bin/app", bin, len, NULL) != 0)
            fail_msg("%s: %s", cases[i].file, vg_error_last());
        assert_int_equal(r->n_dbs, 1);
        assert_string_equal(r->dbs[0].path, "usr/local/bin/app");
        assert_int_equal(r->dbs[0].format, VG_PKG_GO);
        got = rows_of(r);
        assert_rows(cases[i].file, got, cases[i].packages);
        free(got);
        vg_layer_result_free(r);

        /* The cap: the build info lies past the first MiB. */
        vg_index_limits lim = defaults();
        lim.max_gobin_scan = 1 << 20;
        assert_error(gobin_read(&bi, cases[i].file, bin, len, &lim, &pos), VG_ETOOBIG,
                     "max_gobin_scan");
        assert_true(pos <= lim.max_gobin_scan);
        free(want);
        free(expected);
        free(bin);
    }
    /* broken_elf, "\x7fELF\n": go version -m says "unrecognized file format"; vigil: not Go. */
    size_t len;
    char *bin = read_shared("fixtures/lang/go/broken_elf", &len);
    char *expected = read_shared("fixtures/lang/expected/go-version-m.broken_elf.txt", NULL);
    assert_non_null(strstr(expected, "unrecognized file format"));
    vg_gobuildinfo bi;
    assert_int_equal(gobin_read(&bi, "broken_elf", bin, len, NULL, NULL), VG_ENOTFOUND);
    vg_layer_result *r;
    assert_int_equal(gobin_scan(&r, "usr/bin/broken", bin, len, NULL), 0);
    assert_int_equal(r->n_dbs, 0);
    vg_layer_result_free(r);
    free(expected);
    free(bin);
    static const char *const files[] = {"test.elf", "main-version-via-ldflags.elf", "broken_elf"};
    assert_all_listed("fixtures/lang/go", files, VG_ARRAY_LEN(files));
}

/* A pull source that hands out at most `step` bytes a call and fails at `fail_at`. */
typedef struct drip {
    const char *buf;
    size_t len, off, step, fail_at;
} drip;

static ssize_t drip_pull(void *ctx, void *buf, size_t n)
{
    drip *d = ctx;
    if (d->fail_at && d->off >= d->fail_at)
        return vg_error_set(VG_EIO, "layer sha256:x: read error");
    size_t k = n < d->step ? n : d->step;
    if (k > d->len - d->off)
        k = d->len - d->off;
    memcpy(buf, d->buf + d->off, k);
    d->off += k;
    return (ssize_t)k;
}

/* Through a pull source, as the walker feeds it: small reads, and a layer that fails. */
static void test_go_pull(void **state)
{
    (void)state;
    size_t len;
    char *bin = read_shared("fixtures/lang/go/test.elf", &len);
    static const size_t steps[] = {1, 7, 4096, 1 << 20};
    for (size_t i = 0; i < VG_ARRAY_LEN(steps); i++) {
        drip d = {bin, len, 0, steps[i], 0};
        vg_index_reader rd = {.pull = drip_pull, .ctx = &d, .size = (int64_t)len};
        vg_layer_result *r = vg_layer_result_new("sha256:x");
        vg_index_limits lim = defaults();
        if (vg__scanner_gobin.parse_stream(r, "usr/bin/t", &rd, &lim) != 0)
            fail_msg("step %zu: %s", steps[i], vg_error_last());
        assert_int_equal(r->dbs[0].n_pkgs, 4);
        assert_true(rd.pos < len);
        vg_layer_result_free(r);
    }
    drip d = {bin, len, 0, 65536, 0x100000};
    vg_index_reader rd = {.pull = drip_pull, .ctx = &d, .size = (int64_t)len};
    vg_layer_result *r = vg_layer_result_new("sha256:x");
    vg_index_limits lim = defaults();
    assert_error(vg__scanner_gobin.parse_stream(r, "usr/bin/t", &rd, &lim), VG_EIO, "read error");
    assert_int_equal(rd.io_err, VG_EIO);
    assert_int_equal(r->n_dbs, 0);
    vg_layer_result_free(r);
    free(bin);
}

/* ---- synthetic ELF files ---------------------------------------------------------------- */

typedef struct elf_opts {
    bool pointer; /* the Go < 1.18 layout */
    bool be;      /* big-endian */
    bool no_note; /* without Go's build-ID note */
    const char *version;
    const char *modinfo;        /* without its markers (added here) */
    uint64_t claim_data_off;    /* a lying p_offset for the data segment */
    uint64_t claim_modinfo_len; /* a lying modinfo length */
    size_t cut;                 /* keep only this many bytes */
    uint64_t bad_pointer;       /* a lying modinfo string address */
    size_t ro_pad;              /* zero bytes after the strings in read-only data */
    bool empty_note;            /* a PT_NOTE of 0 bytes (once an endless loop) */
    size_t go1_decoys;          /* "go1.0.0" strings before the real version */
    size_t marker_decoys;       /* modinfo start markers before the real one */
    unsigned phnum;             /* a lying program header count */
} elf_opts;

static const char marker_start[] = "0w\xaf\x0c\x92t\b\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char marker_end[] = "\xf9\x32\x43\x31\x86\x18\x20r\x00\x82\x42\x10\x41\x16\xd8\xf2";

static void put_uint(unsigned char *p, uint64_t v, int n, bool be)
{
    for (int i = 0; i < n; i++)
        p[be ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static size_t put_uvarint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* A minimal ELF64 executable laid out as Go's linker lays one out: headers, a Go build-ID
 * note, read-only data at 0x1000, the data segment (starting with .go.buildinfo) after it. */
static char *make_elf(const elf_opts *o, size_t *len)
{
    const uint64_t base = 0x400000, ro_off = 0x1000;
    bool be = o->be;
    vg_strbuf mod;
    vg_strbuf_init(&mod, 0);
    vg_strbuf_append(&mod, marker_start, 16);
    vg_strbuf_puts(&mod, o->modinfo);
    vg_strbuf_append(&mod, marker_end, 16);
    size_t vlen = strlen(o->version);
    vg_strbuf decoys;
    vg_strbuf_init(&decoys, 0);
    for (size_t i = 0; i < o->go1_decoys; i++)
        vg_strbuf_append(&decoys, "go1.0.0", 8);
    for (size_t i = 0; i < o->marker_decoys; i++) {
        vg_strbuf_append(&decoys, marker_start, 16);
        vg_strbuf_append(&decoys, "x", 1);
        vg_strbuf_append(&decoys, marker_end, 16);
    }
    const uint64_t str_off = ro_off + decoys.len; /* the version, then the modinfo */
    size_t ro_len = (o->pointer ? decoys.len + vlen + mod.len : 16) + o->ro_pad;
    uint64_t data_off = ro_off + ((ro_len + 0xfff) & ~(uint64_t)0xfff);
    size_t data_len = 32 + 64 + vlen + mod.len + 32;
    size_t total = (size_t)data_off + data_len + 256;
    unsigned char *f = vg_xcalloc(1, total);
    /* ELF header */
    static const unsigned char elf_magic[4] = {0x7f, 'E', 'L', 'F'};
    memcpy(f, elf_magic, 4);
    f[4] = 2;
    f[5] = be ? 2 : 1;
    f[6] = 1;
    put_uint(f + 16, 2, 2, be);
    put_uint(f + 18, 62, 2, be);
    put_uint(f + 20, 1, 4, be);
    put_uint(f + 32, 64, 8, be);
    put_uint(f + 52, 64, 2, be);
    put_uint(f + 54, 56, 2, be);
    put_uint(f + 56, o->phnum ? o->phnum : 3, 2, be);
    /* program headers: NOTE, LOAD R, LOAD RW */
    const struct {
        uint32_t type, flags;
        uint64_t off, filesz;
    } ph[3] = {{4, 4, 0x100, o->empty_note ? 0 : 24},
               {1, 4, ro_off, data_off - ro_off},
               {1, 6, o->claim_data_off ? o->claim_data_off : data_off, data_len}};
    for (int i = 0; i < 3; i++) {
        unsigned char *p = f + 64 + 56 * i;
        put_uint(p, ph[i].type, 4, be);
        put_uint(p + 4, ph[i].flags, 4, be);
        put_uint(p + 8, ph[i].off, 8, be);
        put_uint(p + 16, base + ph[i].off, 8, be);
        put_uint(p + 24, base + ph[i].off, 8, be);
        put_uint(p + 32, ph[i].filesz, 8, be);
        put_uint(p + 40, ph[i].filesz, 8, be);
        put_uint(p + 48, 0x1000, 8, be);
    }
    /* the note: namesz 4, descsz 8, type 4, "Go\0\0", an 8-byte build ID */
    if (!o->no_note) {
        put_uint(f + 0x100, 4, 4, be);
        put_uint(f + 0x104, 8, 4, be);
        put_uint(f + 0x108, 4, 4, be);
        memcpy(f + 0x10c, "Go\0\0buildid!", 12);
    }
    unsigned char *d = f + data_off;
    memcpy(d, "\xff Go buildinf:", 14);
    d[14] = 8;
    if (o->pointer) {
        d[15] = be ? 1 : 0;
        memcpy(f + ro_off, decoys.buf, decoys.len);
        memcpy(f + str_off, o->version, vlen);
        memcpy(f + str_off + vlen, mod.buf, mod.len);
        /* two pointers to string headers at data+32 and data+48 */
        put_uint(d + 16, base + data_off + 32, 8, be);
        put_uint(d + 24, base + data_off + 48, 8, be);
        put_uint(d + 32, base + str_off, 8, be);
        put_uint(d + 40, vlen, 8, be);
        put_uint(d + 48, o->bad_pointer ? o->bad_pointer : base + str_off + vlen, 8, be);
        put_uint(d + 56, o->claim_modinfo_len ? o->claim_modinfo_len : mod.len, 8, be);
    } else {
        d[15] = 2 | (be ? 1 : 0);
        unsigned char *p = d + 32;
        p += put_uvarint(p, vlen);
        memcpy(p, o->version, vlen);
        p += vlen;
        p += put_uvarint(p, o->claim_modinfo_len ? o->claim_modinfo_len : mod.len);
        memcpy(p, mod.buf, mod.len);
    }
    vg_strbuf_dispose(&mod);
    vg_strbuf_dispose(&decoys);
    *len = o->cut ? o->cut : total;
    return (char *)f;
}

#define MODINFO_REPLACE                                                                            \
    "path\texample.com/app\n"                                                                      \
    "mod\texample.com/app\tv1.2.3\th1:main=\n"                                                     \
    "dep\tgithub.com/a/b\tv1.0.0\th1:ab=\n"                                                        \
    "=>\tgithub.com/fork/b\tv1.0.1\th1:fork=\n"                                                    \
    "dep\tgithub.com/c/d\tv0.1.0\th1:cd=\n"                                                        \
    "=>\t../local/d\t\t\n"                                                                         \
    "dep\tgolang.org/x/net\tv0.17.0\th1:net=\n"                                                    \
    "build\t-compiler=gc\n"

#define PACKAGES_REPLACE                                                                           \
    "example.com/app\tv1.2.3\tpkg:golang/example.com/app@v1.2.3\n"                                 \
    "github.com/fork/b\tv1.0.1\tpkg:golang/github.com/fork/b@v1.0.1\n"                             \
    "golang.org/x/net\tv0.17.0\tpkg:golang/golang.org/x/net@v0.17.0\n"                             \
    "stdlib\tv1.21.0-rc.2\tpkg:golang/stdlib@v1.21.0-rc.2"

static void test_go_synthetic(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        elf_opts o;
        int rc;
        const char *want; /* packages, or a message substring */
    } cases[] = {
        {"inline (Go >= 1.18), replace directives",
         {.version = "go1.21rc2", .modinfo = MODINFO_REPLACE},
         0,
         PACKAGES_REPLACE},
        {"pointers (Go < 1.18)",
         {.pointer = true, .version = "go1.21rc2", .modinfo = MODINFO_REPLACE},
         0,
         PACKAGES_REPLACE},
        {"pointers, big-endian",
         {.pointer = true, .be = true, .version = "go1.21rc2", .modinfo = MODINFO_REPLACE},
         0,
         PACKAGES_REPLACE},
        {"no note: still found",
         {.no_note = true, .version = "go1.21rc2", .modinfo = MODINFO_REPLACE},
         0,
         PACKAGES_REPLACE},
        {"an empty note segment",
         {.empty_note = true, .version = "go1.21rc2", .modinfo = MODINFO_REPLACE},
         0,
         PACKAGES_REPLACE},
        {"devel toolchain: no stdlib",
         {.version = "devel go1.22-abc Tue", .modinfo = "path\tx\nmod\tx\t(devel)\t\n"},
         0,
         ""},
        {"no modinfo (GOPATH build)",
         {.version = "go1.16.15", .modinfo = ""},
         0,
         "stdlib\tv1.16.15\tpkg:golang/stdlib@v1.16.15"},
        {"data segment claimed far away",
         {.version = "go1.22.1", .modinfo = MODINFO_REPLACE, .claim_data_off = (uint64_t)1 << 40},
         VG_ETOOBIG,
         "max_gobin_scan"},
        {"data segment claimed far away, no note",
         {.no_note = true, .version = "go1.22.1", .modinfo = "", .claim_data_off = 1ull << 40},
         0,
         ""},
        {"truncated in the modinfo",
         {.version = "go1.22.1", .modinfo = MODINFO_REPLACE, .cut = 0x2000 + 100},
         VG_EINVAL,
         "truncated"},
        {"truncated in the header",
         {.version = "go1.22.1", .modinfo = MODINFO_REPLACE, .cut = 0x2000 + 20},
         VG_EINVAL,
         "truncated"},
        {"huge inline modinfo length",
         {.version = "go1.22.1", .modinfo = "", .claim_modinfo_len = (uint64_t)1 << 40},
         VG_ETOOBIG,
         "modinfo string of 1099511627776 bytes"},
        {"huge pointer modinfo length",
         {.pointer = true, .version = "go1.22.1", .modinfo = "", .claim_modinfo_len = 1u << 30},
         VG_ETOOBIG,
         "modinfo string"},
        {"pointer to nowhere",
         {.pointer = true, .version = "go1.22.1", .modinfo = "", .bad_pointer = 0x7777777},
         VG_EINVAL,
         "in no segment"},
        {"pointer past the captured text",
         {.pointer = true,
          .version = "go1.22.1",
          .modinfo = "path\tx\n",
          .claim_modinfo_len = 4000,
          .ro_pad = 200000},
         VG_EINVAL,
         "was not seen on the way"},
        {"pointers, a development toolchain far behind",
         {.pointer = true,
          .version = "devel +b0beb3b Fri Jan 1",
          .modinfo = MODINFO_REPLACE,
          .ro_pad = 300000},
         0,
         "example.com/app\tv1.2.3\tpkg:golang/example.com/app@v1.2.3\n"
         "github.com/fork/b\tv1.0.1\tpkg:golang/github.com/fork/b@v1.0.1\n"
         "golang.org/x/net\tv0.17.0\tpkg:golang/golang.org/x/net@v0.17.0"},
        /* GOBIN_MAX_CANDIDATES "go1." strings are remembered: past them, no stdlib. */
        {"pointers, 4095 decoy versions",
         {.pointer = true,
          .version = "go1.21rc2",
          .modinfo = MODINFO_REPLACE,
          .ro_pad = 300000,
          .go1_decoys = 4095},
         0,
         PACKAGES_REPLACE},
        {"pointers, 4096 decoy versions",
         {.pointer = true,
          .version = "go1.21rc2",
          .modinfo = MODINFO_REPLACE,
          .ro_pad = 300000,
          .go1_decoys = 4096},
         0,
         "example.com/app\tv1.2.3\tpkg:golang/example.com/app@v1.2.3\n"
         "github.com/fork/b\tv1.0.1\tpkg:golang/github.com/fork/b@v1.0.1\n"
         "golang.org/x/net\tv0.17.0\tpkg:golang/golang.org/x/net@v0.17.0"},
        /* GOBIN_MAX_MARKERS modinfo captures: the real one must be among them. */
        {"pointers, 7 decoy modinfo markers",
         {.pointer = true,
          .version = "go1.21rc2",
          .modinfo = MODINFO_REPLACE,
          .ro_pad = 300000,
          .marker_decoys = 7},
         0,
         PACKAGES_REPLACE},
        {"pointers, 8 decoy modinfo markers",
         {.pointer = true,
          .version = "go1.21rc2",
          .modinfo = MODINFO_REPLACE,
          .ro_pad = 300000,
          .marker_decoys = 8},
         VG_EINVAL,
         "modinfo string at byte"},
        {"more than GOBIN_MAX_PHDRS program headers: not looked at",
         {.version = "go1.22.1", .modinfo = MODINFO_REPLACE, .phnum = 300},
         0,
         ""},
        {"pointers, read-only data larger than the window",
         {.pointer = true, .version = "go1.21rc2", .modinfo = MODINFO_REPLACE, .ro_pad = 300000},
         0,
         PACKAGES_REPLACE},
        {"bad modinfo",
         {.version = "go1.22.1", .modinfo = "dep\tonly-one-column\n"},
         VG_EINVAL,
         "expected 2 or 3 columns"},
        {"replacement first",
         {.version = "go1.22.1", .modinfo = "=>\ta\tb\tc\n"},
         VG_EINVAL,
         "replacement with no module"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        size_t len;
        char *bin = make_elf(&cases[i].o, &len);
        vg_layer_result *r;
        int rc = gobin_scan(&r, "usr/bin/app", bin, len, NULL);
        if (cases[i].rc == 0) {
            if (rc)
                fail_msg("%s: %s", cases[i].name, vg_error_last());
            char *got = rows_of(r);
            assert_rows(cases[i].name, got, cases[i].want);
            free(got);
        } else {
            if (rc != cases[i].rc || !strstr(vg_error_last(), cases[i].want) ||
                !strstr(vg_error_last(), "usr/bin/app: Go build info"))
                fail_msg("%s: want %s with \"%s\", got %d: %s", cases[i].name,
                         vg_error_name(cases[i].rc), cases[i].want, rc, vg_error_last());
            assert_int_equal(r->n_dbs, 0);
        }
        vg_layer_result_free(r);
        /* Every prefix of a valid binary fails cleanly or is "not Go". */
        if (i == 0 || i == 1) {
            for (size_t cut = 0; cut < len; cut += cut < 0x1100 ? 7 : 61) {
                rc = gobin_scan(&r, "usr/bin/app", bin, cut, NULL);
                if (rc != 0 && rc != VG_EINVAL)
                    fail_msg("%s cut at %zu: %d %s", cases[i].name, cut, rc, vg_error_last());
                vg_layer_result_free(r);
            }
        }
        free(bin);
    }
}

/* GOBIN_MAX_VERSION: a toolchain version of 2000 bytes. */
static void test_go_version_cap(void **state)
{
    (void)state;
    char *v = vg_xmalloc(2001);
    memcpy(v, "go1.", 4);
    memset(v + 4, '9', 1996);
    v[2000] = '\0';
    elf_opts o = {.version = v, .modinfo = MODINFO_REPLACE};
    size_t len;
    char *bin = make_elf(&o, &len);
    vg_layer_result *r;
    assert_error(gobin_scan(&r, "usr/bin/app", bin, len, NULL), VG_ETOOBIG,
                 "version string of 2000 bytes (more than 1024)");
    vg_layer_result_free(r);
    free(bin);
    free(v);
}

static void test_go_semver(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"go1.22.1", "v1.22.1"},
        {"go1.21", "v1.21.0"},
        {"go1", "v1.0.0"},
        {"go1.21rc2", "v1.21.0-rc.2"},
        {"go1.19beta1", "v1.19.0-beta.1"},
        {"go1.22.1 X:boringcrypto", "v1.22.1"},
        {"devel +abc", NULL},
        {"go1.x", NULL},
        {"go1.22.1-pre", NULL},
        {"", NULL},
    };
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        bool ok = vg__go_semver(&sb, cases[i][0]);
        if (ok != (cases[i][1] != NULL) || (ok && strcmp(sb.buf, cases[i][1]) != 0))
            fail_msg("%s: got %d %s", cases[i][0], ok, sb.buf);
    }
    vg_strbuf_dispose(&sb);
}

/* ---- Java ------------------------------------------------------------------------------ */

static void test_java_fixtures(void **state)
{
    (void)state;
    static const char *const jars[] = {
        "nested.jar",
        "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar",
        "io.quarkus.gizmo.gizmo-1.1.jar",
        "gradle.war",
        "multi-license-1.0.0.jar",
        "claircore-inner.jar",
    };
    char *expected = read_shared("fixtures/lang/expected/java-coordinates.tsv", NULL);
    for (size_t j = 0; j < VG_ARRAY_LEN(jars); j++) {
        lines want = {0};
        char *copy = vg_xstrdup(expected), *cursor = copy, *line;
        while ((line = next_line(&cursor)) != NULL) {
            char *cols[5];
            if (tsv_cols(line, cols, 5) == 5 && strcmp(cols[0], jars[j]) == 0)
                lines_add(&want, "%s:%s\t%s", cols[1], cols[2], cols[3]);
        }
        free(copy);
        char *want_rows = lines_join(&want);
        char rel[256], path[256];
        snprintf(rel, sizeof(rel), "fixtures/lang/java/jars/%s", jars[j]);
        snprintf(path, sizeof(path), "opt/app/lib/%s", jars[j]);
        size_t len;
        char *bin = read_shared(rel, &len);
        vg_layer_result *r;
        if (run(&r, &vg__scanner_java, path, bin, len, NULL) != 0)
            fail_msg("%s: %s", jars[j], vg_error_last());
        assert_int_equal(r->n_dbs, 1);
        assert_int_equal(r->dbs[0].format, VG_PKG_JAVA);
        assert_string_equal(r->dbs[0].path, path);
        char *got = coords_of(r);
        assert_rows(jars[j], got, want_rows);
        free(got);
        for (size_t i = 0; i < r->dbs[0].n_pkgs; i++) {
            /* pkg:maven/<group>/<artifact>@<version> */
            const vg_package *p = &r->dbs[0].pkgs[i];
            char purl[1024], *colon;
            snprintf(purl, sizeof(purl), "pkg:maven/%s@%s", p->name, p->version);
            colon = strchr(purl, ':') ? strchr(purl + 4, ':') : NULL;
            assert_non_null(colon);
            *colon = '/';
            assert_string_equal(p->purl, purl);
        }
        /* With the depth cap at 1, nested.jar (3 levels) is refused whole. */
        if (strcmp(jars[j], "nested.jar") == 0) {
            vg_layer_result_free(r);
            vg_index_limits lim = defaults();
            lim.max_java_depth = 1;
            assert_error(run(&r, &vg__scanner_java, path, bin, len, &lim), VG_ETOOBIG,
                         "opt/app/lib/nested.jar!META-INF/jars/nested2.jar!META-INF/jars/"
                         "nested3.jar: archives nested deeper than max_java_depth (1)");
            assert_int_equal(r->n_dbs, 0);
        }
        vg_layer_result_free(r);
        free(bin);
        free(want_rows);
    }
    free(expected);
    assert_all_listed("fixtures/lang/java/jars", jars, VG_ARRAY_LEN(jars));
}

static char *java_coords(const vg_java_coords *c)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    if (c->group && c->artifact && c->version)
        vg_strbuf_printf(&sb, "%s:%s:%s", c->group, c->artifact, c->version);
    return vg_strbuf_detach(&sb);
}

/* Every pom.properties gives the coordinates its file name says (artifact-version). */
static void test_java_pom_properties(void **state)
{
    (void)state;
    char *dir = vg_test_shared_path("fixtures/lang/java/pom-properties");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t seen = 0;
    while ((e = readdir(d)) != NULL) {
        const char *suffix = ".pom.properties";
        size_t n = strlen(e->d_name), k = strlen(suffix);
        if (e->d_name[0] == '.')
            continue;
        assert_true(n > k && strcmp(e->d_name + n - k, suffix) == 0);
        char rel[512];
        snprintf(rel, sizeof(rel), "fixtures/lang/java/pom-properties/%s", e->d_name);
        size_t len;
        char *text = read_shared(rel, &len);
        vg_java_coords c;
        if (vg__java_pom_properties(&c, e->d_name, text, len) != 0)
            fail_msg("%s: %s", e->d_name, vg_error_last());
        char name[512];
        snprintf(name, sizeof(name), "%s-%s", c.artifact ? c.artifact : "?",
                 c.version ? c.version : "?");
        /* The shaded driver jar carries the pom.properties of what it shades. */
        const char *want = strcmp(e->d_name, "cassandra-driver-core-3.11.0-shaded.pom.properties")
                               ? e->d_name
                               : "jctools-core-2.1.1.pom.properties";
        if (strncmp(name, want, strlen(want) - k) != 0 || strlen(name) != strlen(want) - k ||
            !c.group || !*c.group)
            fail_msg("%s: got %s:%s", e->d_name, c.group ? c.group : "?", name);
        vg__java_coords_dispose(&c);
        free(text);
        seen++;
    }
    closedir(d);
    free(dir);
    assert_int_equal(seen, 49);
}

static void test_java_properties_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
        int rc;
        const char *want;
    } cases[] = {
        {"colon, blanks, comments, CR line ends",
         "# c\r! c\r  groupId : g\r\tartifactId   a\rversion=1\r", 0, "g:a:1"},
        {"continuation lines", "groupId=com.\\\n    example\nartifactId=a\nversion=1.\\\r\n  0\n",
         0, "com.example:a:1.0"},
        {"escapes", "group\\Id=g\\u0041\nartifactId=a\\tb\nversion=\\1\n", 0, "gA:a\tb:1"},
        {"the last value wins", "groupId=g\nartifactId=a\nversion=1\nversion=2\n", 0, "g:a:2"},
        {"an even number of backslashes ends the line", "groupId=g\\\\\nartifactId=a\nversion=1", 0,
         "g\\:a:1"},
        {"bad \\u escape", "groupId=\\u00G1\n", VG_EINVAL, "x.properties:1: malformed \\uxxxx"},
        {"short \\u escape", "a=1\nversion=\\u12", VG_EINVAL, "x.properties:2: malformed"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_java_coords c;
        int rc = vg__java_pom_properties(&c, "x.properties", cases[i].text, strlen(cases[i].text));
        if (cases[i].rc) {
            assert_error(rc, cases[i].rc, cases[i].want);
            continue;
        }
        if (rc)
            fail_msg("%s: %s", cases[i].name, vg_error_last());
        char *got = java_coords(&c);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: got \"%s\"", cases[i].name, got);
        free(got);
        vg__java_coords_dispose(&c);
    }
    /* "group\Id" is the key "groupId"; "gA" its value. */
    vg_java_coords c;
    assert_int_equal(vg__java_pom_properties(&c, "x", "group\\Id=g\\u0041", 16), 0);
    assert_string_equal(c.group, "gA");
    vg__java_coords_dispose(&c);
}

/* The manifest fallback over the 64 real manifests: only these give coordinates. */
static void test_java_manifests(void **state)
{
    (void)state;
    static const char *const complete[][2] = {
        {"HdrHistogram-2.1.9", "org.hdrhistogram:HdrHistogram:2.1.9"},
        {"airline-0.8", "io.airlift:airline:0.8"},
        {"chronicle-bytes-2.20.111", "net.openhft:chronicle-bytes:2.20.111"},
        {"jackson-annotations-2.9.10", "com.fasterxml.jackson.core:jackson-annotations:2.9.10"},
        {"jackson-core-2.9.10", "com.fasterxml.jackson.core:jackson-core:2.9.10"},
        {"jackson-databind-2.9.10.8", "com.fasterxml.jackson.core:jackson-databind:2.9.10.8"},
        {"zstd-jni-1.3.8-5", "com.github.luben:zstd-jni:1.3.8-5"},
    };
    char *dir = vg_test_shared_path("fixtures/lang/java/manifests");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t seen = 0, found = 0;
    while ((e = readdir(d)) != NULL) {
        const char *suffix = ".MANIFEST.MF";
        size_t n = strlen(e->d_name), k = strlen(suffix);
        if (e->d_name[0] == '.' || n <= k || strcmp(e->d_name + n - k, suffix) != 0)
            continue;
        char rel[512];
        snprintf(rel, sizeof(rel), "fixtures/lang/java/manifests/%s", e->d_name);
        size_t len;
        char *text = read_shared(rel, &len);
        vg_java_coords c;
        if (vg__java_manifest(&c, e->d_name, text, len) != 0)
            fail_msg("%s: %s", e->d_name, vg_error_last());
        char *got = java_coords(&c);
        const char *want = "";
        for (size_t i = 0; i < VG_ARRAY_LEN(complete); i++)
            if (strncmp(e->d_name, complete[i][0], n - k) == 0 && strlen(complete[i][0]) == n - k)
                want = complete[i][1];
        if (strcmp(got, want) != 0)
            fail_msg("%s: want \"%s\", got \"%s\"", e->d_name, want, got);
        found += *want != '\0';
        /* Where the jar had a pom.properties, it says the same. */
        snprintf(rel, sizeof(rel), "fixtures/lang/java/pom-properties/%.*s.pom.properties",
                 (int)(n - k), e->d_name);
        char *pp = vg_test_shared_path(rel);
        size_t plen;
        char *props = *want ? vg_test_read_file(pp, &plen) : NULL;
        if (props) {
            vg_java_coords pc;
            assert_int_equal(vg__java_pom_properties(&pc, rel, props, plen), 0);
            char *truth = java_coords(&pc);
            assert_string_equal(got, truth);
            free(truth);
            vg__java_coords_dispose(&pc);
            free(props);
        }
        free(pp);
        free(got);
        vg__java_coords_dispose(&c);
        free(text);
        seen++;
    }
    closedir(d);
    free(dir);
    assert_int_equal(seen, 65); /* 64 from real jars, and manifestSection-individual */
    assert_int_equal(found, VG_ARRAY_LEN(complete));

    /* manifestSection-individual: the main section ends at its "Name:" section. */
    size_t len;
    char *text =
        read_shared("fixtures/lang/java/manifests/manifestSection-individual.MANIFEST.MF", &len);
    char *want = read_shared("fixtures/lang/java/manifests/manifestSection-individual.want", NULL);
    assert_non_null(strstr(want, "Sealed: true"));
    char *sealed = vg__java_manifest_attr(text, len, "sealed");
    assert_string_equal(sealed, "true");
    free(sealed);
    assert_null(vg__java_manifest_attr(text, len, "Name"));
    char *created = vg__java_manifest_attr(text, len, "Created-By");
    assert_string_equal(created, "1.2 (Sun Microsystems Inc.)");
    free(created);
    free(want);
    free(text);

    static const struct {
        const char *file;
        int rc;
        const char *what;
    } malformed[] = {
        {"bad-header.MANIFEST.MF", VG_EINVAL, "bad-header.MANIFEST.MF:2: not a \"Name: value\""},
        {"empty.MANIFEST.MF", 0, NULL},
        {"no-version.MANIFEST.MF", 0, NULL},
    };
    const char *names[VG_ARRAY_LEN(malformed)];
    for (size_t i = 0; i < VG_ARRAY_LEN(malformed); i++) {
        char rel[256];
        names[i] = malformed[i].file;
        snprintf(rel, sizeof(rel), "fixtures/lang/java/malformed-manifests/%s", malformed[i].file);
        text = read_shared(rel, &len);
        vg_java_coords c;
        int rc = vg__java_manifest(&c, malformed[i].file, text, len);
        if (malformed[i].rc) {
            assert_error(rc, malformed[i].rc, malformed[i].what);
        } else {
            assert_int_equal(rc, 0);
            assert_null(c.group);
            assert_null(c.artifact);
            vg__java_coords_dispose(&c);
        }
        free(text);
    }
    assert_all_listed("fixtures/lang/java/malformed-manifests", names, VG_ARRAY_LEN(names));

    /* Continuations, BSN parameters, titles and "${...}" versions. */
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"Implementation-Vendor-Id: org.ex\r\nBundle-SymbolicName: org.ex.my-l\r\n ib;singleton:=tr"
         "ue\r\nImplementation-Version: 1.0\r\n",
         "org.ex:my-lib:1.0"},
        {"Implementation-Vendor-Id: org.ex\nImplementation-Title: thing\nBundle-Version: 2.0\n",
         "org.ex:thing:2.0"},
        {"Implementation-Vendor-Id: org.ex\nImplementation-Title: thing\n"
         "Implementation-Version: ${project.version}\nSpecification-Version: 3\n",
         "org.ex:thing:3"},
        {"Implementation-Vendor-Id: org.ex\nImplementation-Title: A Thing\n"
         "Implementation-Version: 1\n",
         ""},
        {"Implementation-Title: thing\nImplementation-Version: 1\n", ""},
        {"Implementation-Vendor-Id: org.ex\nBundle-SymbolicName: org.ex.core\n"
         "Bundle-Name: Core\nImplementation-Version: 1\n",
         "org.ex:core:1"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_java_coords c;
        assert_int_equal(vg__java_manifest(&c, "m", cases[i].text, strlen(cases[i].text)), 0);
        char *got = java_coords(&c);
        assert_string_equal(got, cases[i].want);
        free(got);
        vg__java_coords_dispose(&c);
    }
    char *v = vg__java_manifest_attr(" a: b\n", 6, "a");
    assert_null(v); /* a continuation first: malformed */
}

/* ---- Java: archives built here ---------------------------------------------------------- */

typedef struct zmember {
    const char *name;
    const char *data;
    size_t len;
} zmember;

static la_ssize_t zip_write_cb(struct archive *a, void *ud, const void *buf, size_t n)
{
    (void)a;
    vg_strbuf_append(ud, buf, n);
    return (la_ssize_t)n;
}

/* A zip of `n` members into `out` (reset first). */
static void zip_build(vg_strbuf *out, const zmember *m, size_t n)
{
    vg_strbuf_reset(out);
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_set_bytes_in_last_block(a, 1);
    assert_int_equal(archive_write_open(a, out, NULL, zip_write_cb, NULL), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)m[i].len);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (m[i].len)
            assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

#define POM(g, a, v) "groupId=" g "\nartifactId=" a "\nversion=" v "\n"

static void test_java_hostile(void **state)
{
    (void)state;
    vg_strbuf jar, inner;
    vg_strbuf_init(&jar, 0);
    vg_strbuf_init(&inner, 0);
    vg_layer_result *r;
    vg_index_limits lim;

    /* A jar nested 100 levels deep: the depth cap, not the stack, stops it. */
    const char *pom = POM("deep", "bottom", "1.0");
    zmember m = {"META-INF/maven/deep/bottom/pom.properties", pom, strlen(pom)};
    zip_build(&inner, &m, 1);
    for (int level = 0; level < 100; level++) {
        zmember wrap = {"lib/inner.jar", inner.buf, inner.len};
        zip_build(&jar, &wrap, 1);
        vg_strbuf tmp = inner;
        inner = jar;
        jar = tmp;
    }
    assert_error(run(&r, &vg__scanner_java, "deep.jar", inner.buf, inner.len, NULL), VG_ETOOBIG,
                 "archives nested deeper than max_java_depth (4)");
    assert_int_equal(r->n_dbs, 0);
    vg_layer_result_free(r);

    /* Depth 4 is allowed: ear > war > jar > jar > jar. */
    zip_build(&inner, &m, 1);
    for (int level = 0; level < 4; level++) {
        zmember wrap = {"lib/inner.jar", inner.buf, inner.len};
        zip_build(&jar, &wrap, 1);
        vg_strbuf tmp = inner;
        inner = jar;
        jar = tmp;
    }
    assert_int_equal(run(&r, &vg__scanner_java, "ok.ear", inner.buf, inner.len, NULL), 0);
    char *got = rows_of(r);
    assert_string_equal(got, "deep:bottom\t1.0\tpkg:maven/deep/bottom@1.0");
    free(got);
    vg_layer_result_free(r);

    /* A zip bomb inside a jar: 64 MiB of zeros named like a jar, and like a pom.properties;
     * they compress to about 64 KiB each. */
    size_t big = (size_t)64 << 20;
    char *zeros = vg_xcalloc(1, big);
    zmember bomb[] = {{"META-INF/maven/a/a/pom.properties", pom, strlen(pom)},
                      {"BOOT-INF/lib/bomb.jar", zeros, big}};
    zip_build(&jar, bomb, 2);
    assert_true(jar.len < ((size_t)1 << 20));
    lim = defaults();
    lim.max_java_bytes = 16 << 20;
    assert_error(run(&r, &vg__scanner_java, "app.jar", jar.buf, jar.len, &lim), VG_ETOOBIG,
                 "app.jar!BOOT-INF/lib/bomb.jar: more than");
    assert_non_null(strstr(vg_error_last(), "(max_java_bytes)"));
    assert_int_equal(r->n_dbs, 0);
    vg_layer_result_free(r);
    zmember meta_bomb = {"x/pom.properties", zeros, (size_t)4 << 20};
    zip_build(&jar, &meta_bomb, 1);
    assert_error(run(&r, &vg__scanner_java, "app.jar", jar.buf, jar.len, NULL), VG_ETOOBIG,
                 "app.jar!x/pom.properties: more than 1048576 bytes (the Java metadata cap)");
    vg_layer_result_free(r);
    /* The same bomb, one level down, under the default caps: 64 MiB is read, once. */
    zip_build(&jar, bomb, 2);
    assert_int_equal(run(&r, &vg__scanner_java, "app.jar", jar.buf, jar.len, NULL), 0);
    got = coords_of(r);
    assert_string_equal(got, "deep:bottom\t1.0");
    free(got);
    vg_layer_result_free(r);
    free(zeros);

    /* Many members: max_java_entries counts them at every level. */
    zmember many[50];
    char names[50][32];
    for (int i = 0; i < 50; i++) {
        snprintf(names[i], sizeof(names[i]), "f%d.class", i);
        many[i] = (zmember){names[i], "x", 1};
    }
    zip_build(&inner, many, 50);
    zmember outer[] = {{"a.jar", inner.buf, inner.len}, {"b.jar", inner.buf, inner.len}};
    zip_build(&jar, outer, 2);
    lim = defaults();
    lim.max_java_entries = 80;
    assert_error(run(&r, &vg__scanner_java, "w.war", jar.buf, jar.len, &lim), VG_ETOOBIG,
                 "max_java_entries");
    vg_layer_result_free(r);
    lim.max_java_entries = 30;
    assert_error(run(&r, &vg__scanner_java, "w.war", jar.buf, jar.len, &lim), VG_ETOOBIG,
                 "w.war!a.jar: 50 members, more than what is left of max_java_entries");
    vg_layer_result_free(r);
    lim.max_java_entries = 102;
    assert_int_equal(run(&r, &vg__scanner_java, "w.war", jar.buf, jar.len, &lim), 0);
    vg_layer_result_free(r);

    /* Not zips: a nested ".jar" that is text is ignored; a top-level one is an error. */
    zmember odd[] = {{"lib/readme.jar", "just text", 9},
                     {"META-INF/maven/g/a/pom.properties", pom, strlen(pom)},
                     {"META-INF/MANIFEST.MF", "Implementation-Vendor-Id: x\n", 28}};
    zip_build(&jar, odd, 3);
    assert_int_equal(run(&r, &vg__scanner_java, "odd.jar", jar.buf, jar.len, NULL), 0);
    got = coords_of(r);
    assert_string_equal(got, "deep:bottom\t1.0"); /* the pom wins over the manifest */
    free(got);
    vg_layer_result_free(r);
    assert_error(run_str(&r, &vg__scanner_java, "text.jar", "just text"), VG_EINVAL,
                 "text.jar: not a zip archive");
    vg_layer_result_free(r);
    /* A truncated zip: its central directory is gone. */
    zip_build(&jar, odd, 3);
    assert_error(run(&r, &vg__scanner_java, "cut.jar", jar.buf, jar.len / 2, NULL), VG_EINVAL,
                 "cut.jar");
    vg_layer_result_free(r);

    /* Manifest fallback, and pom.properties with unresolved or missing values. */
    const char *mf = "Manifest-Version: 1.0\r\nImplementation-Vendor-Id: org.ex\r\n"
                     "Implementation-Title: lib\r\nImplementation-Version: 2.1\r\n";
    const char *unresolved = POM("org.ex", "lib", "${project.version}");
    zmember fallback[] = {
        {"META-INF/MANIFEST.MF", mf, strlen(mf)},
        {"META-INF/maven/org.ex/lib/pom.properties", unresolved, strlen(unresolved)},
        {"META-INF/maven/x/y/pom.properties", "groupId=x\n", 10}};
    zip_build(&jar, fallback, 3);
    assert_int_equal(run(&r, &vg__scanner_java, "f.jar", jar.buf, jar.len, NULL), 0);
    got = rows_of(r);
    assert_string_equal(got, "org.ex:lib\t2.1\tpkg:maven/org.ex/lib@2.1");
    free(got);
    vg_layer_result_free(r);

    vg_strbuf_dispose(&jar);
    vg_strbuf_dispose(&inner);
}

/* The per-file caps of the Python, npm and Ruby scanners. */
static void test_small_caps(void **state)
{
    (void)state;
    vg_strbuf sb, zip;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_init(&zip, 0);
    vg_layer_result *r;
    char *x300 = vg_xmalloc(301);
    memset(x300, 'a', 300);
    x300[300] = '\0';

    /* PY_MAX_NAME and PY_MAX_VERSION (256 bytes). */
    vg_strbuf_printf(&sb, "Name: a\nVersion: %s\n", x300);
    assert_error(run_str(&r, &vg__scanner_python, "x.dist-info/METADATA", sb.buf), VG_EINVAL,
                 ":2: Version is empty, too long");
    vg_layer_result_free(r);
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb, "Name: %s\nVersion: 1\n", x300);
    assert_error(run_str(&r, &vg__scanner_python, "x.dist-info/METADATA", sb.buf), VG_EINVAL,
                 ":1: Name is not a valid project name");
    vg_layer_result_free(r);

    /* PY_MAX_METADATA (1 MiB) in a zipped egg. */
    size_t big = (size_t)2 << 20;
    char *text = vg_xmalloc(big);
    memset(text, '\n', big);
    memcpy(text, "Name: a\nVersion: 1\n", 20);
    zmember egg = {"EGG-INFO/PKG-INFO", text, big};
    zip_build(&zip, &egg, 1);
    assert_error(run(&r, &vg__scanner_python, "a.egg", zip.buf, zip.len, NULL), VG_ETOOBIG,
                 "a.egg!EGG-INFO/PKG-INFO: more than 1048576 bytes (the Python metadata cap)");
    vg_layer_result_free(r);
    egg.len = 20;
    zip_build(&zip, &egg, 1);
    assert_int_equal(run(&r, &vg__scanner_python, "a.egg", zip.buf, zip.len, NULL), 0);
    assert_int_equal(r->dbs[0].n_pkgs, 1);
    vg_layer_result_free(r);
    free(text);

    /* PY_MAX_EGG_ENTRIES (100,000 members). */
    size_t n = 100001;
    zmember *many = vg_xcalloc(n, sizeof(zmember));
    char(*names)[16] = vg_xcalloc(n, 16);
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], 16, "m%zu", i);
        many[i] = (zmember){names[i], "", 0};
    }
    zip_build(&zip, many, n);
    assert_error(run(&r, &vg__scanner_python, "m.egg", zip.buf, zip.len, NULL), VG_ETOOBIG,
                 "m.egg: 100001 members, more than the zipped-egg member cap");
    vg_layer_result_free(r);
    free(names);
    free(many);

    /* NPM_MAX_NAME (214, npm's own) and NPM_MAX_VERSION (256): such a package is not one. */
    char *n215 = vg_xmalloc(216);
    memset(n215, 'n', 215);
    n215[215] = '\0';
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb, "{\"name\":\"%s\",\"version\":\"1.0.0\"}", n215);
    assert_int_equal(run_str(&r, &vg__scanner_npm, "node_modules/x/package.json", sb.buf), 0);
    assert_int_equal(r->dbs[0].n_pkgs, 0);
    vg_layer_result_free(r);
    n215[214] = '\0';
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb, "{\"name\":\"%s\",\"version\":\"%s\"}", n215, x300);
    assert_int_equal(run_str(&r, &vg__scanner_npm, "node_modules/x/package.json", sb.buf), 0);
    assert_int_equal(r->dbs[0].n_pkgs, 0);
    vg_layer_result_free(r);
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb, "{\"name\":\"%s\",\"version\":\"1\"}", n215);
    assert_int_equal(run_str(&r, &vg__scanner_npm, "node_modules/x/package.json", sb.buf), 0);
    assert_int_equal(r->dbs[0].n_pkgs, 1);
    vg_layer_result_free(r);
    free(n215);

    /* JAVA_MAX_COORD (256 bytes of a group, artifact or version). */
    for (int over = 0; over < 2; over++) {
        vg_strbuf_reset(&sb);
        vg_strbuf_printf(&sb, "groupId=g\nartifactId=a\nversion=%.*s\n", 256 + over, x300);
        zmember pom = {"META-INF/maven/g/a/pom.properties", sb.buf, sb.len};
        zip_build(&zip, &pom, 1);
        assert_int_equal(run(&r, &vg__scanner_java, "c.jar", zip.buf, zip.len, NULL), 0);
        assert_int_equal(r->dbs[0].n_pkgs, over ? 0 : 1);
        vg_layer_result_free(r);
    }

    /* GEM_MAX_NAME and GEM_MAX_VERSION (256). */
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb, "s.name = \"%s\"\ns.version = \"1\"\n", x300);
    assert_error(run_str(&r, &vg__scanner_gem, "specifications/a.gemspec", sb.buf), VG_EINVAL,
                 ":1: not a gem name");
    vg_layer_result_free(r);
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb, "s.name = \"a\"\ns.version = \"%s\"\n", x300);
    assert_error(run_str(&r, &vg__scanner_gem, "specifications/a.gemspec", sb.buf), VG_EINVAL,
                 ":2: not a gem version");
    vg_layer_result_free(r);
    free(x300);
    vg_strbuf_dispose(&sb);
    vg_strbuf_dispose(&zip);
}

/* ---- the coalescer's language rules ----------------------------------------------------- */

static vg_package *add_pkg(vg_layer_result *r, vg_pkgdb *db, const char *name, const char *version,
                           const char *arch)
{
    vg_package *p = vg_pkgdb_add(r, db);
    p->name = vg_layer_result_strndup(r, name, strlen(name));
    p->version = vg_layer_result_strndup(r, version, strlen(version));
    p->arch = arch ? vg_layer_result_strndup(r, arch, strlen(arch)) : NULL;
    return p;
}

static void set_release(vg_layer_result *r, const char *path, const char *did,
                        const char *version_id, const char *codename)
{
    vg_release_file *f = vg_layer_result_add_release(r, path);
    f->dist.did = did;
    f->dist.version_id = version_id;
    f->dist.version_code_name = codename;
    f->dist.ns = "x:y";
}

/* "db\tname\tversion\tdist_index\tpurl" rows of a report. */
static char *report_rows(const vg_index_report *rep)
{
    lines l = {0};
    for (size_t i = 0; i < rep->n_pkgs; i++) {
        const vg_index_pkg *ip = &rep->pkgs[i];
        lines_add(&l, "%s\t%s\t%s\t%d\t%s", ip->package_db, ip->pkg.name, ip->pkg.version,
                  ip->dist_index, ip->pkg.purl ? ip->pkg.purl : "-");
    }
    return lines_join(&l);
}

static void test_coalesce_lang(void **state)
{
    (void)state;
    vg_layer_result *l1 = vg_layer_result_new("sha256:l1");
    vg_layer_result *l2 = vg_layer_result_new("sha256:l2");
    set_release(l1, "etc/os-release", "debian", "12", "bookworm");
    vg_pkgdb *dpkg = vg_layer_result_add_db(l1, "var/lib/dpkg/status", VG_PKG_DPKG);
    add_pkg(l1, dpkg, "openssl", "3.0.11-1~deb12u2", "amd64");
    add_pkg(l1, dpkg, "tzdata", "2024a-0+deb12u1", "all")->purl = "pkg:deb/debian/tzdata@set";
    vg_pkgdb *py =
        vg_layer_result_add_db(l1, "usr/lib/python3/x.dist-info/METADATA", VG_PKG_PYTHON);
    add_pkg(l1, py, "x", "1.0", NULL)->purl = "pkg:pypi/x@1.0";
    vg_pkgdb *lock = vg_layer_result_add_db(l1, "app/package-lock.json", VG_PKG_NPM);
    add_pkg(l1, lock, "a", "1.0.0", NULL)->purl = "pkg:npm/a@1.0.0";
    add_pkg(l1, lock, "b", "2.0.0", NULL)->purl = "pkg:npm/b@2.0.0";
    vg_pkgdb *lock2 = vg_layer_result_add_db(l1, "src/package-lock.json", VG_PKG_NPM);
    add_pkg(l1, lock2, "c", "3.0.0", NULL)->purl = "pkg:npm/c@3.0.0";
    /* app/node_modules/ in the next layer: app's lockfile yields to it; src's stays. */
    vg_pkgdb *nm = vg_layer_result_add_db(l2, "app/node_modules/a/package.json", VG_PKG_NPM);
    add_pkg(l2, nm, "a", "1.0.0", NULL)->purl = "pkg:npm/a@1.0.0";
    vg_layer_result_add_db(l2, "src/node_modules/empty/package.json", VG_PKG_NPM);
    vg_layer_result_add_warning(l1, "layer sha256:l1: usr/x/package.json:1:1: not JSON");
    vg_layer_result_add_warning(l2, "layer sha256:l2: y.jar: not a zip archive");
    vg_layer_result *layers[] = {l1, l2};
    vg_index_report *rep;
    assert_int_equal(vg_index_coalesce(&rep, layers, 2, "sha256:m"), 0);
    char *got = report_rows(rep);
    assert_rows("coalesced", got,
                "app/node_modules/a/package.json\ta\t1.0.0\t-1\tpkg:npm/a@1.0.0\n"
                "src/package-lock.json\tc\t3.0.0\t-1\tpkg:npm/c@3.0.0\n"
                "usr/lib/python3/x.dist-info/METADATA\tx\t1.0\t-1\tpkg:pypi/x@1.0\n"
                "var/lib/dpkg/status\topenssl\t3.0.11-1~deb12u2\t0\t"
                "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12\n"
                "var/lib/dpkg/status\ttzdata\t2024a-0+deb12u1\t0\tpkg:deb/debian/tzdata@set");
    free(got);
    assert_int_equal(rep->n_warnings, 2);
    assert_string_equal(rep->warnings[1], "layer sha256:l2: y.jar: not a zip archive");
    vg_index_report_free(rep);

    /* Warnings past VG_MAX_WARNINGS are counted, not kept. */
    for (int i = 0; i < VG_MAX_WARNINGS + 5; i++)
        vg_layer_result_add_warning(l2, "w");
    assert_int_equal(l2->n_warnings, VG_MAX_WARNINGS);
    assert_int_equal(l2->warnings_dropped, 6);
    assert_int_equal(vg_index_coalesce(&rep, layers, 2, "sha256:m"), 0);
    assert_int_equal(rep->n_warnings, VG_MAX_WARNINGS);
    assert_int_equal(rep->warnings_dropped, 7);
    vg_index_report_free(rep);
    vg_layer_result_free(l1);
    vg_layer_result_free(l2);

    /* apk on Alpine; dpkg on Ubuntu and on Debian testing (a codename, no VERSION_ID); dpkg
     * with no distribution at all. */
    static const struct {
        vg_pkg_format format;
        const char *did, *version_id, *codename, *want;
    } cases[] = {
        {VG_PKG_APK, "alpine", "3.19.1", NULL,
         "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1"},
        {VG_PKG_DPKG, "ubuntu", "22.04", "jammy",
         "pkg:deb/ubuntu/musl@1.2.4-r2?arch=x86_64&distro=ubuntu-22.04"},
        {VG_PKG_DPKG, "debian", NULL, "trixie",
         "pkg:deb/debian/musl@1.2.4-r2?arch=x86_64&distro=debian-trixie"},
        {VG_PKG_DPKG, NULL, NULL, NULL, "pkg:deb/debian/musl@1.2.4-r2?arch=x86_64"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_layer_result *l = vg_layer_result_new("sha256:l");
        if (cases[i].did)
            set_release(l, "etc/os-release", cases[i].did, cases[i].version_id, cases[i].codename);
        vg_pkgdb *db = vg_layer_result_add_db(l, "db", cases[i].format);
        add_pkg(l, db, "musl", "1.2.4-r2", "x86_64");
        assert_int_equal(vg_index_coalesce(&rep, &l, 1, "sha256:m"), 0);
        assert_int_equal(rep->n_pkgs, 1);
        assert_string_equal(rep->pkgs[0].pkg.purl, cases[i].want);
        assert_int_equal(rep->pkgs[0].dist_index, cases[i].did ? 0 : -1);
        vg_index_report_free(rep);
        vg_layer_result_free(l);
    }
}

static void test_reader(void **state)
{
    (void)state;
    const char text[] = "0123456789";
    vg_index_reader rd;
    vg__reader_init_mem(&rd, text, 10);
    char buf[8];
    assert_int_equal(vg__reader_read(&rd, buf, 3), 3);
    assert_memory_equal(buf, "012", 3);
    assert_int_equal(vg__reader_skip(&rd, 4), 4);
    assert_int_equal(vg__reader_read(&rd, buf, 8), 3);
    assert_memory_equal(buf, "789", 3);
    assert_int_equal(vg__reader_skip(&rd, 4), 0);
    assert_int_equal(rd.pos, 10);
}

/* ---- through the walker: a rootfs directory --------------------------------------------- */

typedef struct tree {
    char root[64];
    char *made[32];
    size_t n;
} tree;

/* Creates `rel` (and its directories) under the tree with `len` bytes and `mode`. */
static void tree_put(tree *t, const char *rel, const char *data, size_t len, mode_t mode)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", t->root, rel);
    for (char *p = path + strlen(t->root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (mkdir(path, 0755) == 0)
            t->made[t->n++] = vg_xstrdup(path);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    chmod(path, mode);
    t->made[t->n++] = vg_xstrdup(path);
}

static void tree_remove(tree *t)
{
    while (t->n) {
        char *p = t->made[--t->n];
        if (unlink(p) != 0)
            rmdir(p);
        free(p);
    }
    rmdir(t->root);
}

static void test_walker_rootfs(void **state)
{
    (void)state;
    tree t = {.n = 0};
    snprintf(t.root, sizeof(t.root), "/tmp/vg-lang-XXXXXX");
    assert_non_null(mkdtemp(t.root));
    size_t len;
    char *go = read_shared("fixtures/lang/go/main-version-via-ldflags.elf", &len);
    tree_put(&t, "usr/local/bin/app", go, len, 0755);
    tree_put(&t, "usr/local/bin/app-noexec", go, len, 0644); /* not executable: not looked at */
    free(go);
    const char *meta = "Name: Six\nVersion: 1.16.0\n";
    tree_put(&t, "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA", meta, strlen(meta),
             0644);
    const char *pj = "{\"name\":\"@types/node\",\"version\":\"20.1.0\"}";
    tree_put(&t, "srv/node_modules/@types/node/package.json", pj, strlen(pj), 0644);
    tree_put(&t, "srv/node_modules/broken/package.json", "{ nope", 6, 0644);
    const char *gem = "s.name = \"rake\"\ns.version = \"13.0.6\"\n";
    tree_put(&t, "var/lib/gems/3.1.0/specifications/rake-13.0.6.gemspec", gem, strlen(gem), 0644);
    tree_put(&t, "opt/broken.jar", "not a zip", 9, 0644);
    char *big = vg_xcalloc(1, 5000);
    tree_put(&t, "opt/big.jar", big, 5000, 0644);
    free(big);

    char ref[128];
    snprintf(ref, sizeof(ref), "rootfs:%s", t.root);
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    vg_index_limits lim = defaults();
    lim.max_file_bytes = 4096; /* big.jar is over it: skipped, not fatal */
    vg_index_report *rep;
    vg_error_clear();
    if (vg_index_image(&rep, ref, &opts, &lim) != 0)
        fail_msg("%s", vg_error_last());
    char *got = report_rows(rep);
    assert_rows("rootfs", got,
                "srv/node_modules/@types/node/package.json\t@types/node\t20.1.0\t-1\t"
                "pkg:npm/%40types/node@20.1.0\n"
                "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\tsix\t1.16.0\t-1\t"
                "pkg:pypi/six@1.16.0\n"
                "usr/local/bin/app\tgithub.com/aquasecurity/test\tv1.0.0\t-1\t"
                "pkg:golang/github.com/aquasecurity/test@v1.0.0\n"
                "usr/local/bin/app\tstdlib\tv1.22.1\t-1\tpkg:golang/stdlib@v1.22.1\n"
                "var/lib/gems/3.1.0/specifications/rake-13.0.6.gemspec\trake\t13.0.6\t-1\t"
                "pkg:gem/rake@13.0.6");
    free(got);
    lines l = {0};
    for (size_t i = 0; i < rep->n_warnings; i++) {
        const char *w = strstr(rep->warnings[i], ": ");
        lines_add(&l, "%s", w ? w + 2 : rep->warnings[i]); /* after "layer <digest>" */
    }
    got = lines_join(&l);
    assert_rows("warnings", got,
                "opt/big.jar is larger than max_file_bytes (4096 bytes)\n"
                "opt/broken.jar: not a zip archive (no end of central directory)\n"
                "srv/node_modules/broken/package.json:1:6: not JSON: string or '}' expected near "
                "'nope'");
    free(got);
    vg_index_report_free(rep);

    /* max_total_bytes: the language files past it are skipped with a warning. */
    lim = defaults();
    lim.max_total_bytes = 40;
    assert_int_equal(vg_index_image(&rep, ref, &opts, &lim), 0);
    bool total_warned = false;
    for (size_t i = 0; i < rep->n_warnings; i++)
        total_warned |= strstr(rep->warnings[i], "max_total_bytes") != NULL;
    assert_true(total_warned);
    vg_index_report_free(rep);

    /* A broken OS package database still fails the whole index. */
    tree_put(&t, "var/lib/dpkg/status", "Package: x\nbroken line\n", 24, 0644);
    assert_int_equal(vg_index_image(&rep, ref, &opts, &lim), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "var/lib/dpkg/status:2:"));
    tree_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purl),
        cmocka_unit_test(test_pep503),
        cmocka_unit_test(test_wants),
        cmocka_unit_test(test_python_fixtures),
        cmocka_unit_test(test_python_cases),
        cmocka_unit_test(test_npm_lockfiles),
        cmocka_unit_test(test_npm_cases),
        cmocka_unit_test(test_gem_cases),
        cmocka_unit_test(test_go_fixtures),
        cmocka_unit_test(test_go_synthetic),
        cmocka_unit_test(test_go_semver),
        cmocka_unit_test(test_go_pull),
        cmocka_unit_test(test_go_version_cap),
        cmocka_unit_test(test_java_fixtures),
        cmocka_unit_test(test_java_pom_properties),
        cmocka_unit_test(test_java_properties_syntax),
        cmocka_unit_test(test_java_manifests),
        cmocka_unit_test(test_java_hostile),
        cmocka_unit_test(test_small_caps),
        cmocka_unit_test(test_coalesce_lang),
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_walker_rootfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
