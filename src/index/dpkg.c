/* dpkg.c — the dpkg scanner of src/index/: parses var/lib/dpkg/status and distroless
 * var/lib/dpkg/status.d/<name> files (deb822 stanzas) into one vg_pkgdb of installed packages.
 * dpkg-query 1.21 is the oracle: what it rejects is an error naming "<path>:<line>". */
#include "index_int.h"
#include "version/version.h"

#include <stdarg.h>
#include <string.h>

/*
 * Grammar, as dpkg's parsedb() reads it: a stanza is a run of non-blank lines; a line that
 * starts with a blank continues the previous field; any other line is "Name: value", the
 * name being everything up to blanks or ':'. Field names are case-insensitive. Lines may end
 * in CRLF (dpkg itself would not accept that; vigil strips one '\r' per line).
 *
 * Errors (VG_EINVAL, "<path>:<line>: ..."), as dpkg: a line that is neither a field nor a
 * continuation, a continuation before any field, an empty or '-'-leading field name, end of
 * file after a field name or before/inside a value (missing final newline), an empty or
 * invalid Package name, a stanza without Package, a duplicate Package/Status/Version/
 * Architecture/Source field, a malformed Status, an invalid Version (vg_version_check: the
 * errors of dpkg's parseversion; its mere warnings are accepted, as dpkg keeps those
 * packages), a Version missing from a stanza whose Status is not "not-installed", and an
 * invalid version in Source's parentheses (dpkg-query fails on it). Stricter than dpkg: those
 * five fields must fit on one line. More lenient: relationship fields (Depends, ...) and
 * user-defined field names are not checked, as vigil does not use them.
 *
 * Installed means Status's third word is "installed". A stanza without Status is not
 * installed in var/lib/dpkg/status (dpkg's rule), but IS installed in a status.d file:
 * distroless images write one stanza per package there without a Status field, and syft,
 * trivy and clair count them. A Status-less stanza without Version is skipped everywhere
 * (dpkg ignores it as not-installed). Names and versions are stored as dpkg-query prints
 * them: names lowercased, a zero epoch dropped unless the rest holds a ':'. The source package
 * is the first word of Source and the version in its parentheses, else the binary's own name
 * and version.
 */

#define STATUS_PREFIX "var/lib/dpkg/status.d/"
#define VALUE_MAX 65536 /* longest Package/Status/Version/Architecture/Source value */

typedef struct cursor {
    const char *p, *end;
    unsigned long lineno;
} cursor;

/* One field of the current stanza that vigil interprets. */
typedef struct field_val {
    vg_slice v; /* trimmed value */
    unsigned long line;
    bool seen;
} field_val;

enum { F_PACKAGE, F_STATUS, F_VERSION, F_ARCH, F_SOURCE, F_COUNT };

static const char *const field_names[F_COUNT] = {"Package", "Status", "Version", "Architecture",
                                                 "Source"};

typedef struct stanza {
    unsigned long line; /* first line */
    field_val f[F_COUNT];
} stanza;

typedef struct dpkg_parser {
    vg_layer_result *r;
    const char *path;
    vg_pkgdb *db;
    uint64_t max_pkgs;
    bool status_d;
    vg_strbuf quote; /* user input, escaped for messages */
    vg_strbuf tmp;   /* values being rebuilt */
} dpkg_parser;

/* The current field: its name, the raw value (first line through continuations) and line. */
typedef struct cur_field {
    vg_slice name;
    const char *vstart, *vend;
    unsigned long line;
    bool open;
} cur_field;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool slice_eq_nocase(vg_slice s, const char *c)
{
    size_t n = strlen(c);
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (to_lower(s.ptr[i]) != to_lower(c[i]))
            return false;
    return true;
}

/* Next line without its '\n' and one trailing '\r'; `*nl` tells whether a '\n' ended it.
 * Never reads at or past `end`. */
static bool next_line(cursor *c, vg_slice *line, bool *nl)
{
    if (c->p >= c->end)
        return false;
    const char *start = c->p;
    const char *e = memchr(start, '\n', (size_t)(c->end - start));
    *nl = e != NULL;
    if (!e)
        e = c->end;
    c->p = *nl ? e + 1 : e;
    size_t n = (size_t)(e - start);
    if (n && start[n - 1] == '\r')
        n--;
    c->lineno++;
    *line = (vg_slice){start, n};
    return true;
}

/* Escapes `s` into the parser's quote buffer for a message; valid until the next call. */
static const char *quoted(dpkg_parser *p, vg_slice s)
{
    vg_strbuf_reset(&p->quote);
    vg_strbuf_put_escaped(&p->quote, s.ptr, s.len, 80);
    return p->quote.buf;
}

static int parse_error(dpkg_parser *p, unsigned long line, const char *fmt, ...) VG_PRINTF(3, 4);

static int parse_error(dpkg_parser *p, unsigned long line, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, p->path, strlen(p->path), 256);
    vg_strbuf_printf(&sb, ":%lu: ", line);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

/* dpkg's pkg_name_is_illegal(): an alphanumeric, then alphanumerics and "-+._". */
static const char *name_problem(vg_slice s)
{
    if (s.len == 0)
        return "may not be empty string";
    if (!is_alnum(s.ptr[0]))
        return "must start with an alphanumeric character";
    for (size_t i = 1; i < s.len; i++)
        if (!is_alnum(s.ptr[i]) && !strchr("-+._", s.ptr[i]))
            return "only letters, digits and characters '-+._' are allowed";
    return NULL;
}

/* Records the field that just ended if it is one vigil interprets. */
static int store_field(dpkg_parser *p, stanza *st, const cur_field *cf)
{
    int which = -1;
    for (int i = 0; i < F_COUNT; i++)
        if (slice_eq_nocase(cf->name, field_names[i]))
            which = i;
    if (which < 0)
        return 0;
    field_val *fv = &st->f[which];
    if (fv->seen)
        return parse_error(p, cf->line, "duplicate value for '%s' field", field_names[which]);
    vg_slice v = vg_slice_trim((vg_slice){cf->vstart, (size_t)(cf->vend - cf->vstart)});
    if (v.len > VALUE_MAX)
        return parse_error(p, cf->line, "'%s' field value is longer than %d bytes",
                           field_names[which], VALUE_MAX);
    if (memchr(v.ptr, '\n', v.len))
        return parse_error(p, cf->line, "'%s' field value continues on another line",
                           field_names[which]);
    if (memchr(v.ptr, '\0', v.len))
        return parse_error(p, cf->line, "NUL byte in '%s' field", field_names[which]);
    if (which == F_PACKAGE) {
        const char *why = name_problem(v);
        if (why)
            return parse_error(p, cf->line, "invalid package name '%s' in 'Package' field: %s",
                               quoted(p, v), why);
    }
    fv->v = v;
    fv->line = cf->line;
    fv->seen = true;
    return 0;
}

static bool word_in(vg_slice w, const char *const *set)
{
    for (; *set; set++)
        if (slice_eq_nocase(w, *set))
            return true;
    return false;
}

/* Splits Status into its three words and checks each against dpkg's values. */
static int parse_status(dpkg_parser *p, const field_val *fv, vg_slice words[3])
{
    static const char *const want[] = {"unknown", "install", "hold", "deinstall", "purge", NULL};
    static const char *const eflag[] = {"ok", "reinstreq", NULL};
    static const char *const status[] = {"not-installed",    "config-files",    "half-installed",
                                         "unpacked",         "half-configured", "triggers-awaited",
                                         "triggers-pending", "installed",       NULL};
    static const char *const *const sets[3] = {want, eflag, status};
    static const char *const what[3] = {"first (want)", "second (error)", "third (status)"};
    vg_slice rest = fv->v;
    for (int i = 0; i < 3; i++) {
        size_t j = 0;
        while (j < rest.len && !is_space(rest.ptr[j]))
            j++;
        words[i] = (vg_slice){rest.ptr, j};
        while (j < rest.len && is_space(rest.ptr[j]))
            j++;
        rest = (vg_slice){rest.ptr + j, rest.len - j};
        if (words[i].len == 0)
            return parse_error(p, fv->line, "%s word in 'Status' field is missing", what[i]);
        if (!word_in(words[i], sets[i]))
            return parse_error(p, fv->line, "%s word in 'Status' field has invalid value '%s'",
                               what[i], quoted(p, words[i]));
    }
    if (rest.len)
        return parse_error(p, fv->line, "'Status' field has trailing junk '%s'", quoted(p, rest));
    return 0;
}

/* Checks a version with dpkg's rules and returns it as dpkg-query prints it, arena-copied:
 * the epoch as a plain number, left out when it is zero and the rest holds no ':'. */
static int dpkg_version(const char **out, dpkg_parser *p, vg_slice v, unsigned long line,
                        const char *what)
{
    if (v.len == 0)
        return parse_error(p, line, "%s: version string is empty", what);
    vg_strbuf_reset(&p->tmp);
    vg_strbuf_append(&p->tmp, v.ptr, v.len);
    if (vg_version_check(VG_SCHEME_DPKG, p->tmp.buf) != 0)
        return parse_error(p, line, "%s '%s' is not a valid dpkg version: %s", what, quoted(p, v),
                           vg_error_last());
    const char *colon = memchr(v.ptr, ':', v.len);
    if (colon) {
        const char *q = v.ptr;
        if (*q == '+' || *q == '-')
            q++;
        while (q < colon - 1 && *q == '0')
            q++;
        vg_slice rest = {colon + 1, v.len - (size_t)(colon + 1 - v.ptr)};
        bool zero = *q == '0';
        vg_strbuf_reset(&p->tmp);
        if (!zero || memchr(rest.ptr, ':', rest.len))
            vg_strbuf_append(&p->tmp, q, (size_t)(colon + 1 - q));
        vg_strbuf_append(&p->tmp, rest.ptr, rest.len);
    }
    *out = vg_layer_result_strndup(p->r, p->tmp.buf, p->tmp.len);
    return 0;
}

/* Turns a complete stanza into a package (or nothing, when it is not installed). */
static int finish_stanza(dpkg_parser *p, const stanza *st)
{
    const field_val *pkg = &st->f[F_PACKAGE], *status = &st->f[F_STATUS];
    const field_val *ver = &st->f[F_VERSION], *arch = &st->f[F_ARCH], *src = &st->f[F_SOURCE];
    if (!pkg->seen)
        return parse_error(p, st->line, "stanza has no 'Package' field");
    bool installed;
    bool needs_version;
    if (status->seen) {
        vg_slice words[3];
        int rc = parse_status(p, status, words);
        if (rc)
            return rc;
        installed = slice_eq_nocase(words[2], "installed");
        needs_version = !slice_eq_nocase(words[2], "not-installed");
    } else {
        installed = p->status_d; /* distroless: see the comment at the top */
        needs_version = false;
    }
    const char *version = NULL;
    if (ver->seen) {
        int rc = dpkg_version(&version, p, ver->v, ver->line, "'Version' field value");
        if (rc)
            return rc;
    } else if (needs_version) {
        return parse_error(p, st->line, "package '%s' has no 'Version' field", quoted(p, pkg->v));
    }
    if (!installed || !version)
        return 0;

    const char *source_name = NULL, *source_version = version;
    if (src->seen && src->v.len) {
        /* dpkg-query's ${source:Package}: up to the first space; ${source:Version}: the text
         * between the first '(' and the next ')', if any. */
        const char *sp = memchr(src->v.ptr, ' ', src->v.len);
        size_t nlen = sp ? (size_t)(sp - src->v.ptr) : src->v.len;
        source_name = vg_layer_result_strndup(p->r, src->v.ptr, nlen);
        const char *open = memchr(src->v.ptr, '(', src->v.len);
        if (open) {
            vg_slice in = {open + 1, src->v.len - (size_t)(open + 1 - src->v.ptr)};
            vg_slice sv;
            vg_slice_split(in, ')', &sv);
            int rc = dpkg_version(&source_version, p, vg_slice_trim(sv), src->line,
                                  "'Source' field version");
            if (rc)
                return rc;
        }
    }

    if (p->db->n_pkgs >= p->max_pkgs)
        return vg_error_set(VG_ETOOBIG, "%s: more than %llu packages (index limit max_pkgs)",
                            p->path, (unsigned long long)p->max_pkgs);
    vg_strbuf_reset(&p->tmp);
    for (size_t i = 0; i < pkg->v.len; i++)
        vg_strbuf_putc(&p->tmp, to_lower(pkg->v.ptr[i]));
    vg_package *out = vg_pkgdb_add(p->r, p->db);
    out->name = vg_layer_result_strndup(p->r, p->tmp.buf, p->tmp.len);
    out->version = version;
    out->arch =
        arch->seen && arch->v.len ? vg_layer_result_strndup(p->r, arch->v.ptr, arch->v.len) : NULL;
    out->source_name = source_name ? source_name : out->name;
    out->source_version = source_version;
    return 0;
}

/* Handles one "Name: value" line; `nl` false means it is the unterminated last line. */
static int field_line(dpkg_parser *p, const cursor *c, vg_slice line, bool nl, cur_field *cf)
{
    size_t i = 0;
    while (i < line.len && !is_space(line.ptr[i]) && line.ptr[i] != ':')
        i++;
    vg_slice name = {line.ptr, i};
    if (name.len == 0)
        return parse_error(p, c->lineno, "empty field name");
    if (name.ptr[0] == '-')
        return parse_error(p, c->lineno, "field name '%s' cannot start with hyphen",
                           quoted(p, name));
    while (i < line.len && is_space(line.ptr[i]))
        i++;
    if (i == line.len && !nl)
        return parse_error(p, c->lineno, "end of file after field name '%s'", quoted(p, name));
    if (i == line.len || line.ptr[i] != ':')
        return parse_error(p, c->lineno,
                           "field name '%s' must be followed by colon (a line that is neither "
                           "a field nor a continuation)",
                           quoted(p, name));
    i++;
    while (i < line.len && is_space(line.ptr[i]))
        i++;
    /* dpkg: an empty value must still be followed by something after its newline. */
    if (i == line.len && (!nl || c->p == c->end))
        return parse_error(p, c->lineno,
                           "end of file before value of field '%s' (missing final newline)",
                           quoted(p, name));
    if (!nl)
        return parse_error(p, c->lineno,
                           "end of file during value of field '%s' (missing final newline)",
                           quoted(p, name));
    *cf = (cur_field){name, line.ptr + i, line.ptr + line.len, c->lineno, true};
    return 0;
}

static int parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    dpkg_parser p;
    memset(&p, 0, sizeof(p));
    p.r = r;
    p.path = path;
    p.max_pkgs = lim->max_pkgs;
    p.status_d = vg_slice_starts_with(vg_slice_from_cstr(path), STATUS_PREFIX);
    vg_strbuf_init(&p.quote, 1024);
    vg_strbuf_init(&p.tmp, 0);
    p.db = vg_layer_result_add_db(r, path, VG_PKG_DPKG);

    cursor c = {buf, len ? buf + len : buf, 0};
    stanza st;
    memset(&st, 0, sizeof(st));
    bool in_stanza = false;
    cur_field cf = {{NULL, 0}, NULL, NULL, 0, false};
    vg_slice line;
    bool nl;
    int rc = 0;
    while (rc == 0 && next_line(&c, &line, &nl)) {
        if (line.len == 0) {
            if (in_stanza) {
                rc = cf.open ? store_field(&p, &st, &cf) : 0;
                if (rc == 0)
                    rc = finish_stanza(&p, &st);
                in_stanza = false;
                cf.open = false;
            }
        } else if (is_space(line.ptr[0])) {
            if (!cf.open)
                rc = parse_error(&p, c.lineno,
                                 "continuation line outside a field (empty field "
                                 "name)");
            else if (!nl)
                rc = parse_error(&p, c.lineno,
                                 "end of file during value of field '%s' (missing final newline)",
                                 quoted(&p, cf.name));
            else
                cf.vend = line.ptr + line.len;
        } else {
            if (!in_stanza) {
                memset(&st, 0, sizeof(st));
                st.line = c.lineno;
                in_stanza = true;
            }
            if (cf.open)
                rc = store_field(&p, &st, &cf);
            if (rc == 0)
                rc = field_line(&p, &c, line, nl, &cf);
        }
    }
    if (rc == 0 && in_stanza) {
        rc = cf.open ? store_field(&p, &st, &cf) : 0;
        if (rc == 0)
            rc = finish_stanza(&p, &st);
    }
    vg_strbuf_dispose(&p.quote);
    vg_strbuf_dispose(&p.tmp);
    if (rc)
        r->n_dbs--; /* keep nothing of a bad file; p.db is the last database added */
    return rc;
}

/* var/lib/dpkg/status, and var/lib/dpkg/status.d/<name> one level down, except dot files and
 * the *.md5sums lists distroless puts next to each entry. */
static bool wants(const char *path)
{
    if (strcmp(path, "var/lib/dpkg/status") == 0)
        return true;
    size_t plen = strlen(STATUS_PREFIX);
    if (strncmp(path, STATUS_PREFIX, plen) != 0)
        return false;
    const char *name = path + plen;
    size_t n = strlen(name);
    static const char md5[] = ".md5sums";
    if (n == 0 || name[0] == '.' || strchr(name, '/'))
        return false;
    return !(n >= sizeof(md5) - 1 && strcmp(name + n - (sizeof(md5) - 1), md5) == 0);
}

const vg_scanner vg__scanner_dpkg = {"dpkg", wants, parse};
