/* apk.c — the apk scanner of src/index/: parses Alpine's lib/apk/db/installed (stanzas of
 * "X:value" lines) into one vg_pkgdb. apk-tools' apk_db_index_read() is the model; a line
 * it would refuse is an error naming "<path>:<line>". */
#include "index_int.h"

#include <string.h>

/*
 * As apk-tools reads the file: a line shorter than two bytes (after one trailing '\r' is
 * dropped, a vigil leniency) ends a stanza; any other line must be one character, ':', and
 * the value, else VG_EINVAL "<path>:<line>: ...". So a database that opens with a text line
 * ("This is a corrupt db", syft's corrupt fixture) is refused at line 1, as apk refuses it.
 *
 * Per stanza vigil reads P (name), V (version), A (arch) and o (origin = source package;
 * its version is V). A stanza without a non-empty P or V is skipped, as trivy skips its
 * invalidPackageWithoutAVersion fixture; without o the package is its own source. A second
 * P, V, A or o line in one stanza is an error (two stanzas glued together), where apk would
 * silently keep the last. Versions are stored as written: apk-tools does not validate them.
 */

typedef struct cursor {
    const char *p, *end;
    unsigned long lineno;
} cursor;

enum { F_NAME, F_VERSION, F_ARCH, F_ORIGIN, F_COUNT };

static const char field_keys[F_COUNT] = {'P', 'V', 'A', 'o'};

typedef struct stanza {
    vg_slice f[F_COUNT];
    bool seen[F_COUNT];
} stanza;

/* Next line without its '\n' and one trailing '\r'. Never reads at or past `end`. */
static bool next_line(cursor *c, vg_slice *line)
{
    if (c->p >= c->end)
        return false;
    const char *start = c->p;
    const char *e = memchr(start, '\n', (size_t)(c->end - start));
    c->p = e ? e + 1 : c->end;
    if (!e)
        e = c->end;
    size_t n = (size_t)(e - start);
    if (n && start[n - 1] == '\r')
        n--;
    c->lineno++;
    *line = (vg_slice){start, n};
    return true;
}

static int parse_error(const char *path, unsigned long line, const char *what, vg_slice text)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, path, strlen(path), 256);
    vg_strbuf_printf(&sb, ":%lu: %s", line, what);
    if (text.ptr) {
        vg_strbuf_puts(&sb, " \"");
        vg_strbuf_put_escaped(&sb, text.ptr, text.len, 80);
        vg_strbuf_putc(&sb, '"');
    }
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

static const char *dup_slice(vg_layer_result *r, vg_slice s)
{
    return vg_layer_result_strndup(r, s.ptr, s.len);
}

static int finish_stanza(vg_layer_result *r, const char *path, vg_pkgdb *db, const stanza *st,
                         uint64_t max_pkgs)
{
    if (st->f[F_NAME].len == 0 || st->f[F_VERSION].len == 0)
        return 0;
    if (db->n_pkgs >= max_pkgs)
        return vg_error_set(VG_ETOOBIG, "%s: more than %llu packages (index limit max_pkgs)", path,
                            (unsigned long long)max_pkgs);
    vg_package *p = vg_pkgdb_add(r, db);
    p->name = dup_slice(r, st->f[F_NAME]);
    p->version = dup_slice(r, st->f[F_VERSION]);
    p->arch = st->f[F_ARCH].len ? dup_slice(r, st->f[F_ARCH]) : NULL;
    p->source_name = st->f[F_ORIGIN].len ? dup_slice(r, st->f[F_ORIGIN]) : p->name;
    p->source_version = p->version;
    return 0;
}

static int parse_lines(vg_layer_result *r, const char *path, vg_pkgdb *db, const char *buf,
                       size_t len, uint64_t max_pkgs)
{
    cursor c = {buf, len ? buf + len : buf, 0};
    stanza st;
    memset(&st, 0, sizeof(st));
    bool in_stanza = false;
    vg_slice line;
    while (next_line(&c, &line)) {
        if (line.len < 2) {
            if (in_stanza) {
                int rc = finish_stanza(r, path, db, &st, max_pkgs);
                if (rc)
                    return rc;
                memset(&st, 0, sizeof(st));
                in_stanza = false;
            }
            continue;
        }
        if (line.ptr[1] != ':')
            return parse_error(path, c.lineno, "not an \"X:value\" line:", line);
        in_stanza = true;
        for (int i = 0; i < F_COUNT; i++) {
            if (line.ptr[0] != field_keys[i])
                continue;
            if (st.seen[i])
                return parse_error(path, c.lineno,
                                   "second line of the same field in a stanza:", line);
            if (memchr(line.ptr, '\0', line.len))
                return parse_error(path, c.lineno, "NUL byte in line", (vg_slice){NULL, 0});
            st.seen[i] = true;
            st.f[i] = (vg_slice){line.ptr + 2, line.len - 2};
        }
    }
    return in_stanza ? finish_stanza(r, path, db, &st, max_pkgs) : 0;
}

static int parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    vg_pkgdb *db = vg_layer_result_add_db(r, path, VG_PKG_APK);
    int rc = parse_lines(r, path, db, buf, len, lim->max_pkgs);
    if (rc)
        r->n_dbs--; /* keep nothing of a bad file; `db` is the last database added */
    return rc;
}

static bool wants(const char *path)
{
    return strcmp(path, "lib/apk/db/installed") == 0;
}

const vg_scanner vg__scanner_apk = {"apk", wants, parse};
