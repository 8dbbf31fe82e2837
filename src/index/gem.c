/* gem.c — the Ruby scanner of src/index/: installed gems, from the specification files
 * RubyGems writes (specifications/<name>-<version>.gemspec, and specifications/default/ for
 * the gems bundled with Ruby). A small tolerant reader of the literal assignments in that
 * generated Ruby; nothing is ever evaluated. One vg_pkgdb per file, with a pkg:gem purl. */
#include "index_int.h"

#include <string.h>

/*
 * RubyGems writes installed specifications with Gem::Specification#to_ruby:
 *
 *     # stub: rake 13.0.6 ruby lib
 *     Gem::Specification.new do |s|
 *       s.name = "rake".freeze
 *       s.version = "13.0.6"
 *
 * vigil reads the first `<var>.name = <string>` and `<var>.version = <string>` lines, where
 * <string> is "..." or '...' (with an optional .freeze) or %q{...} / %q(...) / %q[...], and
 * the version may also be Gem::Version.new(<string>) or Gem::Version.create(<string>) — the
 * forms older RubyGems wrote. Without them, the "# stub: <name> <version> ..." line RubyGems
 * puts at the top is used. A file with neither is VG_EINVAL "<path>: ...", skipped with a
 * warning by the walker. Names must be RubyGems names ([A-Za-z0-9._-]); versions must be
 * RubyGems versions' characters ([0-9A-Za-z.-], GEM_MAX_VERSION bytes at most).
 */

#define GEM_MAX_NAME 256
#define GEM_MAX_VERSION 256

static bool wants(const char *path)
{
    static const char ext[] = ".gemspec";
    size_t n = strlen(path), k = sizeof(ext) - 1;
    if (n <= k || strcmp(path + n - k, ext) != 0)
        return false;
    const char *base = strrchr(path, '/');
    if (!base || base[1] == '.' || (size_t)(path + n - (base + 1)) <= k)
        return false;
    /* The directory: specifications or specifications/default. */
    const char *dir = base, *start = base;
    while (start > path && start[-1] != '/')
        start--;
    size_t dlen = (size_t)(dir - start);
    if (dlen == 7 && memcmp(start, "default", 7) == 0 && start > path) {
        dir = start - 1;
        start = dir;
        while (start > path && start[-1] != '/')
            start--;
        dlen = (size_t)(dir - start);
    }
    return dlen == 14 && memcmp(start, "specifications", 14) == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static vg_slice skip_space(vg_slice s)
{
    while (s.len && is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    return s;
}

static bool eat(vg_slice *s, const char *lit)
{
    size_t n = strlen(lit);
    if (s->len < n || memcmp(s->ptr, lit, n) != 0)
        return false;
    s->ptr += n;
    s->len -= n;
    return true;
}

/* A Ruby string literal at the start of `s` (blanks skipped): "..." (backslash escapes kept
 * as written, which names and versions never need), '...', or %q/%Q with {} () [] <> or a
 * repeated delimiter. Sets `*out` to its contents and advances `s`. */
static bool string_lit(vg_slice *s, vg_slice *out)
{
    vg_slice t = skip_space(*s);
    char close;
    if (eat(&t, "\"")) {
        close = '"';
    } else if (eat(&t, "'")) {
        close = '\'';
    } else if (t.len >= 3 && t.ptr[0] == '%' && (t.ptr[1] == 'q' || t.ptr[1] == 'Q')) {
        char open = t.ptr[2];
        close = open == '{'   ? '}'
                : open == '(' ? ')'
                : open == '[' ? ']'
                : open == '<' ? '>'
                              : open;
        if (is_ident(open) || is_space(open))
            return false;
        t.ptr += 3;
        t.len -= 3;
    } else {
        return false;
    }
    for (size_t i = 0; i < t.len; i++) {
        if (t.ptr[i] == '\\') {
            i++;
            continue;
        }
        if (t.ptr[i] == close) {
            *out = (vg_slice){t.ptr, i};
            s->ptr = t.ptr + i + 1;
            s->len = t.len - i - 1;
            return true;
        }
    }
    return false;
}

/* `<var>.<attr> = ` at the start of a line; returns the rest after '='. */
static bool assignment(vg_slice line, const char *attr, vg_slice *rest)
{
    vg_slice t = skip_space(line);
    size_t i = 0;
    while (i < t.len && is_ident(t.ptr[i]))
        i++;
    if (i == 0)
        return false;
    t.ptr += i;
    t.len -= i;
    if (!eat(&t, ".") || !eat(&t, attr))
        return false;
    t = skip_space(t);
    if (!eat(&t, "=") || (t.len && t.ptr[0] == '='))
        return false;
    *rest = t;
    return true;
}

static bool version_value(vg_slice rest, vg_slice *out)
{
    vg_slice t = skip_space(rest);
    if (eat(&t, "Gem::Version.new") || eat(&t, "Gem::Version.create")) {
        t = skip_space(t);
        if (!eat(&t, "("))
            return false;
    }
    return string_lit(&t, out);
}

static bool valid(vg_slice s, size_t max, const char *extra)
{
    if (s.len == 0 || s.len > max)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr(extra, c) != NULL;
        if (!ok || c == '\0')
            return false;
    }
    return true;
}

static int gem_error(const char *path, unsigned long line, const char *what, vg_slice text)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, path, strlen(path), 1024);
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

static int parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    vg_slice name = {NULL, 0}, version = {NULL, 0}, stub_name = {NULL, 0}, stub_ver = {NULL, 0};
    unsigned long name_line = 0, ver_line = 0, stub_line = 0, lineno = 0;
    const char *p = buf, *end = buf + len;
    while (p < end && !(name.ptr && version.ptr)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        vg_slice line = {p, (size_t)((nl ? nl : end) - p)};
        p = nl ? nl + 1 : end;
        lineno++;
        vg_slice rest, v;
        vg_slice t = skip_space(line);
        if (!stub_line && eat(&t, "# stub:")) {
            /* "# stub: <name> <version> <platform> <paths>" */
            vg_slice words = skip_space(t), w1, w2;
            vg_slice after = vg_slice_split(words, ' ', &w1);
            if (after.ptr) {
                vg_slice_split(skip_space(after), ' ', &w2);
                stub_name = vg_slice_trim(w1);
                stub_ver = vg_slice_trim(w2);
                stub_line = lineno;
            }
        } else if (!name.ptr && assignment(line, "name", &rest) && string_lit(&rest, &v)) {
            name = v;
            name_line = lineno;
        } else if (!version.ptr && assignment(line, "version", &rest) && version_value(rest, &v)) {
            version = v;
            ver_line = lineno;
        }
    }
    if (!name.ptr && stub_line) {
        name = stub_name;
        name_line = stub_line;
    }
    if (!version.ptr && stub_line) {
        version = stub_ver;
        ver_line = stub_line;
    }
    if (!name.ptr)
        return gem_error(path, 0, "no literal s.name assignment (nor a \"# stub:\" line)",
                         (vg_slice){NULL, 0});
    if (!version.ptr)
        return gem_error(path, 0, "no literal s.version assignment (nor a \"# stub:\" line)",
                         (vg_slice){NULL, 0});
    if (!valid(name, GEM_MAX_NAME, "._-"))
        return gem_error(path, name_line, "not a gem name:", name);
    if (!valid(version, GEM_MAX_VERSION, ".-"))
        return gem_error(path, ver_line, "not a gem version:", version);
    vg_strbuf n, v;
    vg_strbuf_init(&n, 0);
    vg_strbuf_init(&v, 0);
    vg_strbuf_append(&n, name.ptr, name.len);
    vg_strbuf_append(&v, version.ptr, version.len);
    vg_pkgdb *db = vg_layer_result_add_db(r, path, VG_PKG_GEM);
    int rc;
    vg_package *pkg = vg__pkgdb_add_lang(r, db, n.buf, v.buf, lim->max_pkgs, &rc);
    if (pkg)
        pkg->purl = vg__purl(r, "gem", NULL, n.buf, v.buf, NULL, 0);
    else
        r->n_dbs--;
    vg_strbuf_dispose(&n);
    vg_strbuf_dispose(&v);
    return rc;
}

const vg_scanner vg__scanner_gem = {"gem", wants, parse};
