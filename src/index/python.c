/* python.c — the Python scanner of src/index/: installed distributions, from their core
 * metadata (*.dist-info/METADATA, *.egg-info/PKG-INFO, a *.egg-info file, EGG-INFO/PKG-INFO in
 * an egg directory or a zipped *.egg). One vg_pkgdb per metadata file, one package each,
 * named by its PEP 503 normalized name, with a pkg:pypi purl. */
#include "index_int.h"

#include <string.h>

/*
 * Core metadata is RFC 822 headers, read as CPython's email.parser.HeaderParser (what
 * importlib.metadata uses) reads them: the headers end at the first empty line, or at the
 * first line that is neither "Name: value" nor a continuation (starting with a blank). Header
 * names are case-insensitive; the first Name and Version win; values are trimmed (so
 * "Name: simple " is "simple"). Lines may end in LF or CRLF.
 *
 * Errors (VG_EINVAL "<path>:<line>: ..."; the walker then skips the file with a warning): no
 * Name or no Version header, a Name that is not a PEP 508 project name, a Version with blanks
 * or control bytes or longer than PY_MAX_VERSION. Versions are not checked against PEP 440:
 * legacy versions exist in real images and the matcher's pep440 comparator decides later.
 * A zipped egg whose EGG-INFO/PKG-INFO is missing or over PY_MAX_METADATA is an error too.
 */

#define PY_MAX_METADATA ((uint64_t)1 << 20) /* EGG-INFO/PKG-INFO read out of a zipped egg */
#define PY_MAX_EGG_ENTRIES 100000           /* members of one zipped egg */
#define PY_MAX_NAME 256                     /* project name bytes */
#define PY_MAX_VERSION 256                  /* version bytes */

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && memcmp(s + n - k, suffix, k) == 0 && s[n - k - 1] != '/';
}

static bool wants(const char *path)
{
    size_t n = strlen(path);
    return ends_with(path, n, ".dist-info/METADATA") || ends_with(path, n, ".egg-info/PKG-INFO") ||
           ends_with(path, n, ".egg/EGG-INFO/PKG-INFO") || ends_with(path, n, ".egg-info") ||
           ends_with(path, n, ".egg");
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* PEP 508: ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$, case-insensitive. */
static bool valid_name(vg_slice s)
{
    if (s.len == 0 || s.len > PY_MAX_NAME || !is_alnum(s.ptr[0]) || !is_alnum(s.ptr[s.len - 1]))
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!is_alnum(s.ptr[i]) && s.ptr[i] != '.' && s.ptr[i] != '_' && s.ptr[i] != '-')
            return false;
    return true;
}

static bool valid_version(vg_slice s)
{
    if (s.len == 0 || s.len > PY_MAX_VERSION)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] <= ' ' || (unsigned char)s.ptr[i] >= 0x7f)
            return false;
    return true;
}

static bool name_is(vg_slice key, const char *want)
{
    size_t n = strlen(want);
    if (key.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = key.ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        char w = want[i];
        if (w >= 'A' && w <= 'Z')
            w = (char)(w - 'A' + 'a');
        if (c != w)
            return false;
    }
    return true;
}

typedef struct header {
    vg_slice v;
    unsigned long line;
    bool seen;
} header;

static int meta_error(const char *where, unsigned long line, const char *what, vg_slice text)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, where, strlen(where), 1024);
    if (line)
        vg_strbuf_printf(&sb, ":%lu", line);
    vg_strbuf_printf(&sb, ": %s", what);
    if (text.ptr) {
        vg_strbuf_puts(&sb, " \"");
        vg_strbuf_put_escaped(&sb, text.ptr, text.len, 80);
        vg_strbuf_putc(&sb, '"');
    }
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

/* Parses metadata text; `where` names it in messages ("x.egg!EGG-INFO/PKG-INFO"). */
static int parse_metadata(vg_layer_result *r, const char *path, const char *where, const char *buf,
                          size_t len, const vg_index_limits *lim)
{
    const char *p = buf, *end = buf + len;
    unsigned long lineno = 0;
    header name = {{NULL, 0}, 0, false}, version = {{NULL, 0}, 0, false};
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        vg_slice line = {p, (size_t)(le - p)};
        p = nl ? nl + 1 : end;
        lineno++;
        if (line.len && line.ptr[line.len - 1] == '\r')
            line.len--;
        if (line.len == 0)
            break;
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t')
            continue; /* a continuation: Name and Version never need one */
        vg_slice key;
        vg_slice rest = vg_slice_split(line, ':', &key);
        if (!rest.ptr)
            break; /* not a header: the body starts here */
        header *h = name_is(key, "Name") ? &name : name_is(key, "Version") ? &version : NULL;
        if (h && !h->seen)
            *h = (header){vg_slice_trim(rest), lineno, true};
    }
    if (!name.seen)
        return meta_error(where, 0, "no Name header", (vg_slice){NULL, 0});
    if (!version.seen)
        return meta_error(where, 0, "no Version header", (vg_slice){NULL, 0});
    if (!valid_name(name.v))
        return meta_error(where, name.line, "Name is not a valid project name:", name.v);
    if (!valid_version(version.v))
        return meta_error(where, version.line,
                          "Version is empty, too long or has blanks:", version.v);
    vg_strbuf norm, ver;
    vg_strbuf_init(&norm, 0);
    vg_strbuf_init(&ver, 0);
    vg__pep503_normalize(&norm, name.v.ptr, name.v.len);
    vg_strbuf_append(&ver, version.v.ptr, version.v.len);
    vg_pkgdb *db = vg_layer_result_add_db(r, path, VG_PKG_PYTHON);
    int rc;
    vg_package *pkg = vg__pkgdb_add_lang(r, db, norm.buf, ver.buf, lim->max_pkgs, &rc);
    if (pkg)
        pkg->purl = vg__purl(r, "pypi", NULL, norm.buf, ver.buf, NULL, 0);
    else
        r->n_dbs--;
    vg_strbuf_dispose(&norm);
    vg_strbuf_dispose(&ver);
    return rc;
}

/* A zipped egg: its EGG-INFO/PKG-INFO. */
static int parse_egg(vg_layer_result *r, const char *path, const char *buf, size_t len,
                     const vg_index_limits *lim)
{
    vg_zip *z;
    int rc = vg__zip_open(&z, buf, len, PY_MAX_EGG_ENTRIES, "the zipped-egg member cap", path);
    if (rc)
        return rc;
    vg_strbuf text, where;
    vg_strbuf_init(&text, PY_MAX_METADATA + 1);
    vg_strbuf_init(&where, 0);
    const char *name;
    bool is_file, found = false;
    while ((rc = vg__zip_next(z, &name, &is_file)) == 1) {
        if (!is_file || strcmp(name, "EGG-INFO/PKG-INFO") != 0)
            continue;
        if ((rc = vg__zip_read(z, &text, PY_MAX_METADATA, "the Python metadata cap")) != 0)
            break;
        found = true;
        break;
    }
    if (rc == 0 && !found)
        rc = meta_error(path, 0, "zipped egg without EGG-INFO/PKG-INFO", (vg_slice){NULL, 0});
    if (rc >= 0 && found) {
        vg_strbuf_printf(&where, "%s!EGG-INFO/PKG-INFO", path);
        rc = parse_metadata(r, path, where.buf, text.buf, text.len, lim);
    }
    vg__zip_close(z);
    vg_strbuf_dispose(&text);
    vg_strbuf_dispose(&where);
    return rc;
}

static int parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".egg") == 0)
        return parse_egg(r, path, buf, len, lim);
    return parse_metadata(r, path, path, buf, len, lim);
}

const vg_scanner vg__scanner_python = {"python", wants, parse};
