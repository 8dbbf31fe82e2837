/* java.c — the Java scanner of src/index/: .jar, .war and .ear files and the archives nested
 * in them, read from memory with libarchive's zip reader (zip.c). Each archive level reports
 * the Maven coordinates of its pom.properties files, or — when it has none — what its
 * MANIFEST.MF says. One vg_pkgdb per top-level archive, packages named "groupId:artifactId",
 * with pkg:maven purls. */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Which members: any regular member whose base name is pom.properties (Maven writes them
 * under META-INF/maven/<group>/<artifact>/, shading tools and hand-made jars elsewhere), the
 * member META-INF/MANIFEST.MF (case-insensitive), and nested archives (*.jar, *.war, *.ear,
 * case-insensitive), which are scanned in turn. A pom.properties gives coordinates when its
 * groupId, artifactId and version are all present and look like Maven coordinates (no
 * unresolved "${...}", no blanks).
 *
 * Manifest fallback, used only for an archive level without a usable pom.properties: the
 * group is Implementation-Vendor-Id; the artifact is what Bundle-SymbolicName adds after
 * "<group>." (maven-bundle-plugin's default) when that has no '.' and either has a '-' or is
 * repeated by Implementation-Title, Bundle-Name or Specification-Title; else
 * Implementation-Title when it is a plain identifier; the version is Implementation-Version,
 * else Specification-Version, else Bundle-Version. All three must be found; vigil never
 * guesses from file names. On the 64 real manifests in the shared fixtures this gives 7
 * coordinates, all equal to the jars' pom.properties (or, without one, to Maven Central's).
 * A malformed manifest inside an archive gives no coordinates (and no error).
 *
 * Caps (VG_ETOOBIG, naming the cap and the member, "a.war!WEB-INF/lib/b.jar!..."; the walker
 * skips the whole archive with a warning and keeps nothing of it):
 *   max_java_depth   — archives nested deeper than this (default 4: ear > war > jar > jar);
 *   max_java_bytes   — bytes decompressed out of one top-level archive at all levels: nested
 *                      archives are held in memory (a zip's directory is at its end), so a
 *                      zip bomb stops here, not in memory;
 *   max_java_entries — members of one top-level archive at all levels, checked against each
 *                      zip's declared count before libarchive reads its directory;
 *   JAVA_MAX_META    — one pom.properties or MANIFEST.MF (1 MiB).
 * A nested member that is not a readable zip (a ".jar" that is something else) is ignored;
 * a top-level one is VG_EINVAL.
 */

#define JAVA_MAX_META ((uint64_t)1 << 20)
#define JAVA_MAX_COORD 256 /* bytes of a group, artifact or version */

/* ---- text helpers ---------------------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ends_with_nocase(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (lower(s[n - k + i]) != suffix[i])
            return false;
    return true;
}

static bool eq_nocase(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

static bool is_archive_name(const char *name, size_t n)
{
    return ends_with_nocase(name, n, ".jar") || ends_with_nocase(name, n, ".war") ||
           ends_with_nocase(name, n, ".ear");
}

/* Maven's own pattern for ids: [A-Za-z0-9_\-.]+ */
static bool maven_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > JAVA_MAX_COORD)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* A version: printable ASCII, no blanks, no unresolved property ("${project.version}"). */
static bool maven_version(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > JAVA_MAX_COORD || strstr(s, "${"))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

static int text_error(const char *where, unsigned long line, const char *what)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, where, strlen(where), 1024);
    vg_strbuf_printf(&sb, ":%lu: %s", line, what);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

void vg__java_coords_dispose(vg_java_coords *c)
{
    free(c->group);
    free(c->artifact);
    free(c->version);
    memset(c, 0, sizeof(*c));
}

/* ---- pom.properties ------------------------------------------------------------------- */

/*
 * java.util.Properties.load: natural lines end at \n, \r or \r\n; a line whose first
 * non-blank is '#' or '!' is a comment; a line ending in an odd number of backslashes goes on
 * to the next one, whose leading blanks are dropped. The key runs to the first unescaped '=',
 * ':' or blank; then blanks, one '=' or ':', blanks; the rest is the value. Escapes: \t \n \r
 * \f, \uXXXX (malformed: an error, as Java throws), and \x for any other x. The last value of
 * a key wins.
 */

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void put_utf8(vg_strbuf *sb, unsigned cp)
{
    if (cp < 0x80) {
        vg_strbuf_putc(sb, (char)cp);
    } else if (cp < 0x800) {
        vg_strbuf_putc(sb, (char)(0xC0 | (cp >> 6)));
        vg_strbuf_putc(sb, (char)(0x80 | (cp & 0x3F)));
    } else {
        vg_strbuf_putc(sb, (char)(0xE0 | (cp >> 12)));
        vg_strbuf_putc(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
        vg_strbuf_putc(sb, (char)(0x80 | (cp & 0x3F)));
    }
}

typedef struct props {
    const char *p, *end;
    unsigned long line;
} props;

/* Reads one logical line's raw bytes (continuations joined, backslashes kept) into `out`.
 * Returns false at the end of input. */
static bool logical_line(props *in, vg_strbuf *out, unsigned long *first_line)
{
    vg_strbuf_reset(out);
    bool started = false;
    while (in->p < in->end) {
        const char *s = in->p;
        while (in->p < in->end && *in->p != '\n' && *in->p != '\r')
            in->p++;
        const char *e = in->p;
        if (in->p < in->end && *in->p == '\r')
            in->p++;
        if (in->p < in->end && *in->p == '\n')
            in->p++;
        in->line++;
        if (!started)
            *first_line = in->line;
        while (s < e && blank(*s))
            s++;
        if (!started && (s == e || *s == '#' || *s == '!'))
            continue; /* blank line or comment */
        started = true;
        size_t bs = 0;
        for (const char *q = e; q > s && q[-1] == '\\'; q--)
            bs++;
        if (bs % 2 == 1) {
            vg_strbuf_append(out, s, (size_t)(e - s) - 1);
            continue;
        }
        vg_strbuf_append(out, s, (size_t)(e - s));
        return true;
    }
    return started;
}

/* Unescapes raw[from, to) into `out`. */
static int unescape(vg_strbuf *out, const char *raw, size_t from, size_t to, const char *where,
                    unsigned long line)
{
    vg_strbuf_reset(out);
    for (size_t i = from; i < to; i++) {
        char c = raw[i];
        if (c == '\0')
            return text_error(where, line, "NUL byte");
        if (c != '\\' || i + 1 >= to) {
            vg_strbuf_putc(out, c);
            continue;
        }
        c = raw[++i];
        if (c == 'u') {
            if (i + 4 >= to)
                return text_error(where, line, "malformed \\uxxxx encoding");
            unsigned cp = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexval(raw[i + (size_t)k]);
                if (h < 0)
                    return text_error(where, line, "malformed \\uxxxx encoding");
                cp = cp << 4 | (unsigned)h;
            }
            i += 4;
            put_utf8(out, cp);
            continue;
        }
        vg_strbuf_putc(out, c == 't'   ? '\t'
                            : c == 'n' ? '\n'
                            : c == 'r' ? '\r'
                            : c == 'f' ? '\f'
                                       : c);
    }
    return 0;
}

int vg__java_pom_properties(vg_java_coords *out, const char *where, const char *buf, size_t len)
{
    memset(out, 0, sizeof(*out));
    props in = {buf, buf + len, 0};
    vg_strbuf line, key, value;
    vg_strbuf_init(&line, 0);
    vg_strbuf_init(&key, 0);
    vg_strbuf_init(&value, 0);
    unsigned long first = 0;
    int rc = 0;
    while (rc == 0 && logical_line(&in, &line, &first)) {
        const char *l = line.buf;
        size_t n = line.len, k = 0;
        while (k < n && !(l[k] == '=' || l[k] == ':' || blank(l[k]))) {
            if (l[k] == '\\')
                k++;
            k++;
        }
        if (k > n)
            k = n;
        size_t v = k;
        while (v < n && blank(l[v]))
            v++;
        if (v < n && (l[v] == '=' || l[v] == ':'))
            v++;
        while (v < n && blank(l[v]))
            v++;
        if ((rc = unescape(&key, l, 0, k, where, first)) != 0 ||
            (rc = unescape(&value, l, v, n, where, first)) != 0)
            break;
        char **slot = strcmp(key.buf, "groupId") == 0      ? &out->group
                      : strcmp(key.buf, "artifactId") == 0 ? &out->artifact
                      : strcmp(key.buf, "version") == 0    ? &out->version
                                                           : NULL;
        if (slot) {
            free(*slot);
            *slot = vg_xstrndup(value.buf, value.len);
        }
    }
    vg_strbuf_dispose(&line);
    vg_strbuf_dispose(&key);
    vg_strbuf_dispose(&value);
    if (rc)
        vg__java_coords_dispose(out);
    return rc;
}

/* ---- MANIFEST.MF ---------------------------------------------------------------------- */

/*
 * The JAR File Specification: "Name: value" headers, a value continued on lines that start
 * with one space; lines end at CRLF, LF or CR. The main section ends at the first empty line,
 * or (as claircore reads it) at a "Name:" header, which only per-entry sections may hold.
 * Header names are case-insensitive; the first occurrence wins. A line that is neither a
 * header (a name of [A-Za-z0-9_-], then ':') nor a continuation is an error.
 */

typedef int (*mf_visit)(void *ctx, vg_slice key, const vg_strbuf *value);

static bool header_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static int mf_walk(const char *where, const char *buf, size_t len, mf_visit fn, void *ctx)
{
    const char *p = buf, *end = buf + len;
    unsigned long lineno = 0;
    vg_strbuf value;
    vg_strbuf_init(&value, 0);
    vg_slice key = {NULL, 0};
    int rc = 0;
    while (p < end) {
        const char *s = p;
        while (p < end && *p != '\n' && *p != '\r')
            p++;
        vg_slice line = {s, (size_t)(p - s)};
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
        lineno++;
        if (line.len == 0)
            break;
        if (line.ptr[0] == ' ') {
            if (!key.ptr) {
                rc = text_error(where, lineno, "continuation line before any header");
                break;
            }
            vg_strbuf_append(&value, line.ptr + 1, line.len - 1);
            continue;
        }
        if (key.ptr && (rc = fn(ctx, key, &value)) != 0)
            break;
        key.ptr = NULL;
        size_t i = 0;
        while (i < line.len && header_char(line.ptr[i]))
            i++;
        if (i == 0 || i == line.len || line.ptr[i] != ':') {
            rc = text_error(where, lineno, "not a \"Name: value\" header");
            break;
        }
        if (eq_nocase(line.ptr, i, "Name"))
            break; /* the first per-entry section */
        key = (vg_slice){line.ptr, i};
        i++;
        if (i < line.len && line.ptr[i] == ' ')
            i++;
        vg_strbuf_reset(&value);
        vg_strbuf_append(&value, line.ptr + i, line.len - i);
    }
    if (rc == 0 && key.ptr)
        rc = fn(ctx, key, &value);
    vg_strbuf_dispose(&value);
    return rc;
}

enum {
    MF_VENDOR_ID,
    MF_TITLE,
    MF_IMPL_VERSION,
    MF_SPEC_VERSION,
    MF_BSN,
    MF_BUNDLE_VERSION,
    MF_BUNDLE_NAME,
    MF_SPEC_TITLE,
    MF_N
};

static const char *const mf_keys[MF_N] = {
    "Implementation-Vendor-Id",
    "Implementation-Title",
    "Implementation-Version",
    "Specification-Version",
    "Bundle-SymbolicName",
    "Bundle-Version",
    "Bundle-Name",
    "Specification-Title",
};

typedef struct mf_found {
    char *v[MF_N];
} mf_found;

static int mf_collect(void *ctx, vg_slice key, const vg_strbuf *value)
{
    mf_found *f = ctx;
    for (int i = 0; i < MF_N; i++) {
        if (!f->v[i] && eq_nocase(key.ptr, key.len, mf_keys[i])) {
            vg_slice v = vg_slice_trim((vg_slice){value->buf, value->len});
            f->v[i] = vg_xstrndup(v.ptr, v.len);
        }
    }
    return 0;
}

int vg__java_manifest(vg_java_coords *out, const char *where, const char *buf, size_t len)
{
    memset(out, 0, sizeof(*out));
    mf_found f;
    memset(&f, 0, sizeof(f));
    int rc = mf_walk(where, buf, len, mf_collect, &f);
    if (rc == 0) {
        const char *group = f.v[MF_VENDOR_ID];
        if (maven_id(group)) {
            out->group = vg_xstrdup(group);
            const char *bsn = f.v[MF_BSN];
            size_t g = strlen(group);
            /* "com.fasterxml.jackson.core.jackson-databind;singleton:=true" */
            if (bsn && strncmp(bsn, group, g) == 0 && bsn[g] == '.') {
                const char *a = bsn + g + 1;
                size_t n = strcspn(a, "; ");
                char *artifact = vg_xstrndup(a, n);
                /* "org.apache.commons.codec" under group "org.apache" is no artifact id,
                 * nor "core" of "io.dropwizard.metrics.core" (metrics-core): the rest of the
                 * name counts only when it has a '-' or a title repeats it. */
                bool titled = false;
                const int titles[] = {MF_TITLE, MF_BUNDLE_NAME, MF_SPEC_TITLE};
                for (size_t t = 0; t < VG_ARRAY_LEN(titles); t++)
                    titled |= f.v[titles[t]] && strcasecmp(f.v[titles[t]], artifact) == 0;
                if (maven_id(artifact) && !strchr(artifact, '.') &&
                    (strchr(artifact, '-') || titled))
                    out->artifact = artifact;
                else
                    free(artifact);
            }
            if (!out->artifact && maven_id(f.v[MF_TITLE]))
                out->artifact = vg_xstrdup(f.v[MF_TITLE]);
        }
        const char *versions[] = {f.v[MF_IMPL_VERSION], f.v[MF_SPEC_VERSION],
                                  f.v[MF_BUNDLE_VERSION]};
        for (size_t i = 0; i < VG_ARRAY_LEN(versions) && !out->version; i++)
            if (maven_version(versions[i]))
                out->version = vg_xstrdup(versions[i]);
    }
    for (int i = 0; i < MF_N; i++)
        free(f.v[i]);
    return rc;
}

typedef struct mf_one {
    const char *key;
    char *value;
} mf_one;

static int mf_pick(void *ctx, vg_slice key, const vg_strbuf *value)
{
    mf_one *o = ctx;
    if (!o->value && eq_nocase(key.ptr, key.len, o->key))
        o->value = vg_xstrndup(value->buf, value->len);
    return 0;
}

char *vg__java_manifest_attr(const char *buf, size_t len, const char *key)
{
    mf_one o = {key, NULL};
    if (mf_walk("MANIFEST.MF", buf, len, mf_pick, &o) != 0) {
        free(o.value);
        vg_error_clear();
        return NULL;
    }
    return o.value;
}

/* ---- archives ------------------------------------------------------------------------- */

typedef struct java_scan {
    vg_layer_result *r;
    vg_pkgdb *db;
    const vg_index_limits *lim;
    uint64_t bytes;   /* decompressed so far, all levels */
    uint64_t entries; /* members so far, all levels */
    vg_strbuf tmp;
} java_scan;

static bool complete(const vg_java_coords *c)
{
    return maven_id(c->group) && maven_id(c->artifact) && maven_version(c->version);
}

static int add_coords(java_scan *js, const vg_java_coords *c)
{
    vg_strbuf_reset(&js->tmp);
    vg_strbuf_printf(&js->tmp, "%s:%s", c->group, c->artifact);
    int rc;
    vg_package *p =
        vg__pkgdb_add_lang(js->r, js->db, js->tmp.buf, c->version, js->lim->max_pkgs, &rc);
    if (p)
        p->purl = vg__purl(js->r, "maven", c->group, c->artifact, c->version, NULL, 0);
    return rc;
}

/* Reads the current member, charged to max_java_bytes; `meta` members also stop at
 * JAVA_MAX_META. */
static int read_member(java_scan *js, vg_zip *z, vg_strbuf *out, bool meta)
{
    uint64_t left = js->lim->max_java_bytes - js->bytes;
    const char *cap_name = "max_java_bytes";
    if (meta && JAVA_MAX_META < left) {
        left = JAVA_MAX_META;
        cap_name = "the Java metadata cap";
    }
    int rc = vg__zip_read(z, out, left, cap_name);
    if (rc == 0)
        js->bytes += out->len;
    return rc;
}

static int scan_archive(java_scan *js, const char *buf, size_t len, vg_strbuf *where,
                        uint64_t depth);

/* One nested archive member: read it and scan it one level down. */
static int scan_nested(java_scan *js, vg_zip *z, const char *name, vg_strbuf *where, uint64_t depth)
{
    size_t mark = where->len;
    vg_strbuf_putc(where, '!');
    vg_strbuf_puts(where, name);
    int rc = 0;
    if (depth + 1 > js->lim->max_java_depth) {
        vg_strbuf q;
        vg_strbuf_init(&q, 0);
        vg_strbuf_put_escaped(&q, where->buf, where->len, 2048);
        rc = vg_error_set(VG_ETOOBIG, "%s: archives nested deeper than max_java_depth (%llu)",
                          q.buf, (unsigned long long)js->lim->max_java_depth);
        vg_strbuf_dispose(&q);
    } else {
        vg_strbuf inner;
        vg_strbuf_init(&inner, js->lim->max_java_bytes + 1);
        rc = read_member(js, z, &inner, false);
        if (rc == 0) {
            rc = scan_archive(js, inner.buf, inner.len, where, depth + 1);
            if (rc == VG_EINVAL) {
                vg_error_clear(); /* not a zip after all: ignored (see the top) */
                rc = 0;
            }
        }
        vg_strbuf_dispose(&inner);
    }
    where->len = mark;
    where->buf[mark] = '\0';
    return rc;
}

static int scan_archive(java_scan *js, const char *buf, size_t len, vg_strbuf *where,
                        uint64_t depth)
{
    vg_zip *z;
    int rc = vg__zip_open(&z, buf, len, js->lim->max_java_entries - js->entries,
                          "what is left of max_java_entries", where->buf);
    if (rc)
        return rc;
    vg_strbuf text, manifest;
    vg_strbuf_init(&text, JAVA_MAX_META + 1);
    vg_strbuf_init(&manifest, JAVA_MAX_META + 1);
    bool have_manifest = false, have_pom = false;
    const char *name;
    bool is_file;
    while ((rc = vg__zip_next(z, &name, &is_file)) == 1) {
        if (++js->entries > js->lim->max_java_entries) {
            vg_strbuf q;
            vg_strbuf_init(&q, 0);
            vg_strbuf_put_escaped(&q, where->buf, where->len, 2048);
            rc = vg_error_set(VG_ETOOBIG, "%s: more than max_java_entries (%llu) members", q.buf,
                              (unsigned long long)js->lim->max_java_entries);
            vg_strbuf_dispose(&q);
            break;
        }
        if (!is_file)
            continue;
        size_t n = strlen(name);
        const char *slash = strrchr(name, '/');
        const char *base = slash ? slash + 1 : name;
        if (strcmp(base, "pom.properties") == 0) {
            if ((rc = read_member(js, z, &text, true)) != 0)
                break;
            vg_java_coords c;
            vg_strbuf_reset(&js->tmp);
            vg_strbuf_printf(&js->tmp, "%s!%s", where->buf, name);
            if (vg__java_pom_properties(&c, js->tmp.buf, text.buf, text.len) != 0) {
                vg_error_clear(); /* an unreadable pom.properties gives nothing */
                continue;
            }
            if (complete(&c)) {
                have_pom = true;
                rc = add_coords(js, &c);
            }
            vg__java_coords_dispose(&c);
            if (rc)
                break;
        } else if (!have_manifest && eq_nocase(name, n, "META-INF/MANIFEST.MF")) {
            if ((rc = read_member(js, z, &manifest, true)) != 0)
                break;
            have_manifest = true;
        } else if (is_archive_name(name, n)) {
            if ((rc = scan_nested(js, z, name, where, depth)) != 0)
                break;
        }
    }
    if (rc == 0 && !have_pom && have_manifest) {
        vg_java_coords c;
        if (vg__java_manifest(&c, where->buf, manifest.buf, manifest.len) == 0) {
            if (complete(&c))
                rc = add_coords(js, &c);
            vg__java_coords_dispose(&c);
        } else {
            vg_error_clear(); /* a malformed manifest gives nothing */
        }
    }
    vg__zip_close(z);
    vg_strbuf_dispose(&text);
    vg_strbuf_dispose(&manifest);
    return rc;
}

static bool wants(const char *path)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    return (size_t)(path + n - base) > 4 && is_archive_name(path, n);
}

static int parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    java_scan js = {r, NULL, lim, 0, 0, {0}};
    vg_strbuf_init(&js.tmp, 0);
    js.db = vg_layer_result_add_db(r, path, VG_PKG_JAVA);
    vg_strbuf where;
    vg_strbuf_init(&where, 0);
    vg_strbuf_puts(&where, path);
    int rc = scan_archive(&js, buf, len, &where, 0);
    if (rc == 0)
        vg__pkgdb_make_set(js.db);
    else
        r->n_dbs--; /* keep nothing of a bad archive; js.db is the last database added */
    vg_strbuf_dispose(&where);
    vg_strbuf_dispose(&js.tmp);
    return rc;
}

const vg_scanner vg__scanner_java = {"java", wants, parse};
