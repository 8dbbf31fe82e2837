/* read_json.c — the inverse of index_json.c and vuln_json.c: a Clair v4 IndexReport or
 * VulnerabilityReport (vigil's own, with its additions, or Clair's) read back into the models,
 * for `vigil report --server` and for IndexReports the server stored. The input is hostile:
 * every type is checked, ids are resolved, counts are capped, errors name the JSON path. */
#include "report_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PATH_MAX_BYTES ((size_t)4096) /* the JSON path kept for error messages */
#define KEY_SHOWN ((size_t)64)        /* bytes of a key or value quoted in a message */

/* ---- errors and the JSON path ---------------------------------------------------------- */

typedef struct rd {
    const char *what; /* "index report" or "vulnerability report" */
    vg_strbuf path;   /* where we are: packages."12".version */
    vg_arena *arena;  /* where strings are copied */
    int err;          /* the first error; later ones are not recorded */
} rd;

static void rd_init(rd *d, const char *what, vg_arena *arena)
{
    d->what = what;
    d->arena = arena;
    d->err = 0;
    vg_strbuf_init(&d->path, PATH_MAX_BYTES);
}

static void fail(rd *d, int code, const char *fmt, ...) VG_PRINTF(3, 4);

static void fail(rd *d, int code, const char *fmt, ...)
{
    if (d->err)
        return;
    vg_strbuf sb;
    vg_strbuf_init(&sb, PATH_MAX_BYTES * 2);
    vg_strbuf_puts(&sb, d->what);
    if (d->path.len) {
        vg_strbuf_puts(&sb, ": ");
        vg_strbuf_puts(&sb, d->path.buf);
    }
    vg_strbuf_puts(&sb, ": ");
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    d->err = vg_error_set(code, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
}

/* "<msg> \"<value>\"", the value escaped and shortened. */
static void fail_q(rd *d, const char *msg, const char *value)
{
    if (d->err)
        return;
    vg_strbuf q;
    vg_strbuf_init(&q, KEY_SHOWN * 4 + 8);
    vg_strbuf_put_escaped(&q, value, strlen(value), KEY_SHOWN);
    fail(d, VG_EINVAL, "%s \"%s\"", msg, q.buf);
    vg_strbuf_dispose(&q);
}

/* Pushes a field name (".name"), a map key (".\"12\"") or an index ("[3]") onto the path;
 * pop() with the returned length. */
static size_t push_key(rd *d, const char *key)
{
    size_t old = d->path.len;
    if (old)
        vg_strbuf_putc(&d->path, '.');
    vg_strbuf_puts(&d->path, key);
    return old;
}

static size_t push_id(rd *d, const char *id)
{
    size_t old = d->path.len;
    vg_strbuf_puts(&d->path, old ? ".\"" : "\"");
    vg_strbuf_put_escaped(&d->path, id, strlen(id), KEY_SHOWN);
    vg_strbuf_putc(&d->path, '"');
    return old;
}

static size_t push_idx(rd *d, size_t i)
{
    size_t old = d->path.len;
    vg_strbuf_printf(&d->path, "[%zu]", i);
    return old;
}

static void pop(rd *d, size_t old)
{
    if (old <= d->path.len) {
        d->path.len = old;
        d->path.buf[old] = '\0';
    }
}

/* ---- typed members ----------------------------------------------------------------------- */

static const char *type_name(json_type t)
{
    switch (t) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    default:
        return "a boolean";
    }
}

static bool has_type(const json_t *j, json_type want)
{
    if (want == JSON_REAL)
        return json_is_number(j);
    if (want == JSON_TRUE || want == JSON_FALSE)
        return json_is_boolean(j);
    return json_typeof(j) == want;
}

/* Member `key` of `obj` when it has type `want` (JSON_REAL: any number, JSON_TRUE: a boolean).
 * Absent or null: NULL, and an error when `required`. Another type: NULL and an error. */
static json_t *member(rd *d, const json_t *obj, const char *key, json_type want, bool required)
{
    json_t *j = json_object_get(obj, key);
    if ((!j || json_is_null(j)) && !required)
        return NULL;
    if (!j || !has_type(j, want)) {
        size_t p = push_key(d, key);
        if (!j)
            fail(d, VG_EINVAL, "missing");
        else
            fail(d, VG_EINVAL, "expected %s", type_name(want));
        pop(d, p);
        return NULL;
    }
    return j;
}

static const char *dup_str(rd *d, const json_t *j)
{
    return vg_arena_strndup(d->arena, json_string_value(j), json_string_length(j));
}

/* A string member copied as is ("" stays ""), or NULL when absent or null. */
static const char *str_member(rd *d, const json_t *obj, const char *key, bool required)
{
    const json_t *j = member(d, obj, key, JSON_STRING, required);
    return j ? dup_str(d, j) : NULL;
}

/* An optional string member; "" (how the writers spell "none") reads as NULL. */
static const char *text_member(rd *d, const json_t *obj, const char *key)
{
    const json_t *j = member(d, obj, key, JSON_STRING, false);
    return j && json_string_length(j) ? dup_str(d, j) : NULL;
}

/* Type-checks members vigil does not keep. */
static void check_strs(rd *d, const json_t *obj, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        (void)member(d, obj, keys[i], JSON_STRING, false);
}

static void check_objs(rd *d, const json_t *obj, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        (void)member(d, obj, keys[i], JSON_OBJECT, false);
}

/* An object listed under `key` in a map must say the same id, when it says one. */
static void check_id(rd *d, const json_t *obj, const char *key)
{
    const json_t *id = member(d, obj, "id", JSON_STRING, false);
    if (id && strcmp(json_string_value(id), key) != 0) {
        size_t p = push_key(d, "id");
        fail_q(d, "does not match the key it is listed under:", json_string_value(id));
        pop(d, p);
    }
}

/* ---- id maps ----------------------------------------------------------------------------- */

/* The entries of a JSON map sorted by id — numeric ids by value ("2" before "10", as
 * vg_report_index_json assigns them), then the others bytewise — so that a report reads the
 * same whatever order its producer wrote the keys in. */
typedef struct id_entry {
    const char *key; /* borrowed from the parsed document */
    json_t *val;
} id_entry;

typedef struct idmap {
    id_entry *e;
    size_t n;
    json_t *index; /* key -> its position in e, as a JSON integer */
} idmap;

static bool is_numeric(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int cmp_id(const void *pa, const void *pb)
{
    const char *a = ((const id_entry *)pa)->key, *b = ((const id_entry *)pb)->key;
    bool na = is_numeric(a), nb = is_numeric(b);
    if (na != nb)
        return na ? -1 : 1;
    if (na) {
        size_t la = strlen(a), lb = strlen(b);
        if (la != lb)
            return la < lb ? -1 : 1;
    }
    return strcmp(a, b);
}

static void idmap_build(idmap *m, json_t *obj)
{
    m->n = obj ? json_object_size(obj) : 0;
    m->e = vg_xcalloc(m->n ? m->n : 1, sizeof(*m->e));
    m->index = json_object();
    size_t i = 0;
    const char *key;
    json_t *val;
    if (obj) {
        json_object_foreach(obj, key, val)
        {
            m->e[i].key = key;
            m->e[i].val = val;
            i++;
        }
    }
    if (m->n > 1)
        qsort(m->e, m->n, sizeof(*m->e), cmp_id);
    for (i = 0; i < m->n; i++)
        json_object_set_new(m->index, m->e[i].key, json_integer((json_int_t)i));
}

/* The position of `key`, or -1. */
static long idmap_find(const idmap *m, const char *key)
{
    const json_t *j = json_object_get(m->index, key);
    return j ? (long)json_integer_value(j) : -1;
}

static void idmap_dispose(idmap *m)
{
    free(m->e);
    json_decref(m->index);
    memset(m, 0, sizeof(*m));
}

/* ---- the document ------------------------------------------------------------------------ */

static json_t *load(rd *d, const char *buf, size_t len)
{
    if (len > VG_REPORT_READ_MAX_BYTES) {
        fail(d, VG_ETOOBIG, "larger than %zu bytes", VG_REPORT_READ_MAX_BYTES);
        return NULL;
    }
    if (!buf || len == 0) {
        fail(d, VG_EINVAL, "empty document");
        return NULL;
    }
    json_error_t jerr;
    /* jansson caps the nesting depth (JSON_PARSER_MAX_DEPTH, 2048) and rejects invalid
     * UTF-8 and "\u0000", so every string read below is NUL-free UTF-8. */
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        vg_strbuf text;
        vg_strbuf_init(&text, sizeof(jerr.text) * 4 + 8);
        vg_strbuf_put_escaped(&text, jerr.text, strnlen(jerr.text, sizeof(jerr.text)),
                              sizeof(jerr.text));
        fail(d, VG_EINVAL, "invalid JSON at line %d column %d (byte %d): %s", jerr.line,
             jerr.column, jerr.position, text.buf);
        vg_strbuf_dispose(&text);
        return NULL;
    }
    if (!json_is_object(root)) {
        fail(d, VG_EINVAL, "expected an object");
        json_decref(root);
        return NULL;
    }
    return root;
}

/* ---- the IndexReport part ---------------------------------------------------------------- */

typedef struct index_rd {
    rd *d;
    vg_index_report *ix;
    idmap pkgs, dists;
    int *formats; /* by package: its declared vg_pkg_format, or -1 when it has none */
} index_rd;

static void read_dist(index_rd *r, const char *key, const json_t *o, vg_distribution *dist)
{
    rd *d = r->d;
    if (!json_is_object(o)) {
        fail(d, VG_EINVAL, "expected an object");
        return;
    }
    check_id(d, o, key);
    dist->did = text_member(d, o, "did");
    dist->name = text_member(d, o, "name");
    dist->version = text_member(d, o, "version");
    dist->version_code_name = text_member(d, o, "version_code_name");
    dist->version_id = text_member(d, o, "version_id");
    dist->cpe = text_member(d, o, "cpe");
    dist->pretty_name = text_member(d, o, "pretty_name");
    dist->ns = text_member(d, o, "namespace"); /* vigil additions */
    dist->found_in = text_member(d, o, "found_in");
    static const char *const ignored[] = {"arch"};
    check_strs(d, o, ignored, VG_ARRAY_LEN(ignored));
}

static int format_by_name(const char *name)
{
    for (int f = VG_PKG_DPKG; f <= VG_PKG_GEM; f++)
        if (strcmp(name, vg_report__format_name((vg_pkg_format)f)) == 0)
            return f;
    return -1;
}

static void read_pkg(index_rd *r, const char *key, const json_t *o, vg_index_pkg *ip, int *format)
{
    rd *d = r->d;
    vg_package *p = &ip->pkg;
    if (!json_is_object(o)) {
        fail(d, VG_EINVAL, "expected an object");
        return;
    }
    check_id(d, o, key);
    p->name = str_member(d, o, "name", true);
    p->version = str_member(d, o, "version", true);
    p->arch = text_member(d, o, "arch");
    p->module = text_member(d, o, "module");
    /* vigil writes these only when it has them, so "" is kept as "". */
    p->vendor = str_member(d, o, "vendor", false);
    p->purl = str_member(d, o, "purl", false);
    static const char *const ignored[] = {"kind", "normalized_version", "cpe"};
    check_strs(d, o, ignored, VG_ARRAY_LEN(ignored));
    const json_t *src = member(d, o, "source", JSON_OBJECT, false);
    if (src) {
        size_t at = push_key(d, "source");
        p->source_name = text_member(d, src, "name");
        p->source_version = text_member(d, src, "version");
        static const char *const src_ignored[] = {"id",   "kind",   "normalized_version",
                                                  "arch", "module", "cpe"};
        check_strs(d, src, src_ignored, VG_ARRAY_LEN(src_ignored));
        pop(d, at);
    }
    const json_t *fmt = member(d, o, "format", JSON_STRING, false);
    if (fmt) {
        *format = format_by_name(json_string_value(fmt));
        if (*format < 0) {
            size_t at = push_key(d, "format");
            fail_q(d, "unknown package format", json_string_value(fmt));
            pop(d, at);
        }
    }
}

static void read_env(index_rd *r, const json_t *e, vg_index_pkg *ip, bool first)
{
    rd *d = r->d;
    if (!json_is_object(e)) {
        fail(d, VG_EINVAL, "expected an object");
        return;
    }
    const json_t *db = member(d, e, "package_db", JSON_STRING, false);
    const json_t *layer = member(d, e, "introduced_in", JSON_STRING, false);
    const json_t *did = member(d, e, "distribution_id", JSON_STRING, false);
    const json_t *repos = member(d, e, "repository_ids", JSON_ARRAY, false);
    for (size_t i = 0; i < json_array_size(repos) && !d->err; i++) {
        if (!json_is_string(json_array_get(repos, i))) {
            size_t at = push_key(d, "repository_ids");
            size_t at2 = push_idx(d, i);
            fail(d, VG_EINVAL, "expected a string");
            pop(d, at2);
            pop(d, at);
        }
    }
    long di = -1;
    if (did && json_string_length(did) > 0) {
        di = idmap_find(&r->dists, json_string_value(did));
        if (di < 0) {
            size_t at = push_key(d, "distribution_id");
            fail_q(d, "no distribution", json_string_value(did));
            pop(d, at);
        }
    }
    if (!first || d->err)
        return; /* vigil keeps one environment per package: the first */
    ip->package_db = db && json_string_length(db) ? dup_str(d, db) : NULL;
    ip->pkg.introduced_in = layer && json_string_length(layer) ? dup_str(d, layer) : NULL;
    ip->dist_index = (int)di;
}

static void read_envs(index_rd *r, json_t *envs)
{
    rd *d = r->d;
    const char *key;
    json_t *list;
    size_t at = push_key(d, "environments");
    json_object_foreach(envs, key, list)
    {
        size_t at2 = push_id(d, key);
        long pi = idmap_find(&r->pkgs, key);
        if (pi < 0)
            fail_q(d, "no package", key);
        else if (!json_is_array(list) && !json_is_null(list))
            fail(d, VG_EINVAL, "expected an array");
        for (size_t k = 0; !d->err && k < json_array_size(list); k++) {
            size_t at3 = push_idx(d, k);
            read_env(r, json_array_get(list, k), &r->ix->pkgs[pi], k == 0);
            pop(d, at3);
        }
        pop(d, at2);
        if (d->err)
            break;
    }
    pop(d, at);
}

/* The package database format of a package that does not name one (Clair's packages): from
 * its purl, from Clair's package_db spelling, else from its distribution. -1 when unknown. */
static int infer_format(const vg_index_report *ix, const vg_index_pkg *ip)
{
    static const struct {
        const char *prefix;
        vg_pkg_format f;
    } purls[] =
        {
            {"pkg:deb/", VG_PKG_DPKG},    {"pkg:apk/", VG_PKG_APK}, {"pkg:rpm/", VG_PKG_RPM},
            {"pkg:pypi/", VG_PKG_PYTHON}, {"pkg:npm/", VG_PKG_NPM}, {"pkg:golang/", VG_PKG_GO},
            {"pkg:maven/", VG_PKG_JAVA},  {"pkg:gem/", VG_PKG_GEM},
        },
      dbs[] =
          {
              {"python:", VG_PKG_PYTHON}, {"nodejs:", VG_PKG_NPM}, {"go:", VG_PKG_GO},
              {"maven:", VG_PKG_JAVA},    {"jar:", VG_PKG_JAVA},   {"ruby:", VG_PKG_GEM},
              {"bdb:", VG_PKG_RPM},       {"ndb:", VG_PKG_RPM},    {"sqlite:", VG_PKG_RPM},
          },
      paths[] =
          {
              {"var/lib/dpkg/", VG_PKG_DPKG}, {"lib/apk/db/", VG_PKG_APK},
              {"var/lib/rpm", VG_PKG_RPM},    {"usr/lib/sysimage/rpm", VG_PKG_RPM},
              {"usr/share/rpm", VG_PKG_RPM},
          },
      dists[] = {
          {"debian", VG_PKG_DPKG}, {"ubuntu", VG_PKG_DPKG},   {"alpine", VG_PKG_APK},
          {"rhel", VG_PKG_RPM},    {"centos", VG_PKG_RPM},    {"fedora", VG_PKG_RPM},
          {"rocky", VG_PKG_RPM},   {"almalinux", VG_PKG_RPM}, {"ol", VG_PKG_RPM},
          {"amzn", VG_PKG_RPM},    {"sles", VG_PKG_RPM},      {"opensuse-leap", VG_PKG_RPM},
          {"photon", VG_PKG_RPM},  {"mariner", VG_PKG_RPM},   {"azurelinux", VG_PKG_RPM},
      };
    const char *purl = ip->pkg.purl, *db = ip->package_db;
    for (size_t i = 0; purl && i < VG_ARRAY_LEN(purls); i++)
        if (strncmp(purl, purls[i].prefix, strlen(purls[i].prefix)) == 0)
            return purls[i].f;
    for (size_t i = 0; db && i < VG_ARRAY_LEN(dbs); i++)
        if (strncmp(db, dbs[i].prefix, strlen(dbs[i].prefix)) == 0)
            return dbs[i].f;
    for (size_t i = 0; db && i < VG_ARRAY_LEN(paths); i++)
        if (strstr(db, paths[i].prefix))
            return paths[i].f;
    const char *did = ip->dist_index >= 0 ? ix->dists[ip->dist_index].did : NULL;
    for (size_t i = 0; did && i < VG_ARRAY_LEN(dists); i++)
        if (strcmp(did, dists[i].prefix) == 0)
            return dists[i].f;
    return -1;
}

static void read_warnings(rd *d, vg_index_report *ix, const json_t *root)
{
    const json_t *w = member(d, root, "warnings", JSON_ARRAY, false);
    size_t n = json_array_size(w);
    if (n == 0)
        return;
    size_t keep = n < VG_MAX_WARNINGS ? n : VG_MAX_WARNINGS;
    ix->warnings = vg_arena_alloc(ix->arena, keep * sizeof(*ix->warnings));
    size_t at = push_key(d, "warnings");
    for (size_t i = 0; i < n && !d->err; i++) {
        const json_t *s = json_array_get(w, i);
        if (!json_is_string(s)) {
            size_t at2 = push_idx(d, i);
            fail(d, VG_EINVAL, "expected a string");
            pop(d, at2);
        } else if (i < keep) {
            ix->warnings[ix->n_warnings++] = dup_str(d, s);
        } else {
            ix->warnings_dropped++;
        }
    }
    pop(d, at);
}

/* Packages, distributions, environments and warnings: what both documents share. */
static void read_index_fields(index_rd *r, const json_t *root)
{
    rd *d = r->d;
    vg_index_report *ix = r->ix;
    json_t *dists = member(d, root, "distributions", JSON_OBJECT, false);
    json_t *pkgs = member(d, root, "packages", JSON_OBJECT, false);
    json_t *envs = member(d, root, "environments", JSON_OBJECT, false);
    if (d->err)
        return;
    if (json_object_size(dists) > VG_REPORT_READ_MAX_DISTRIBUTIONS) {
        size_t at = push_key(d, "distributions");
        fail(d, VG_ETOOBIG, "more than %zu distributions", VG_REPORT_READ_MAX_DISTRIBUTIONS);
        pop(d, at);
        return;
    }
    if (json_object_size(pkgs) > VG_REPORT_READ_MAX_PACKAGES) {
        size_t at = push_key(d, "packages");
        fail(d, VG_ETOOBIG, "more than %zu packages", VG_REPORT_READ_MAX_PACKAGES);
        pop(d, at);
        return;
    }
    idmap_build(&r->dists, dists);
    idmap_build(&r->pkgs, pkgs);

    ix->n_dists = r->dists.n;
    ix->dists = vg_arena_alloc(ix->arena, (ix->n_dists ? ix->n_dists : 1) * sizeof(*ix->dists));
    memset(ix->dists, 0, (ix->n_dists ? ix->n_dists : 1) * sizeof(*ix->dists));
    size_t at = push_key(d, "distributions");
    for (size_t i = 0; i < ix->n_dists && !d->err; i++) {
        size_t at2 = push_id(d, r->dists.e[i].key);
        read_dist(r, r->dists.e[i].key, r->dists.e[i].val, &ix->dists[i]);
        pop(d, at2);
    }
    pop(d, at);

    ix->n_pkgs = r->pkgs.n;
    ix->pkgs = vg_arena_alloc(ix->arena, (ix->n_pkgs ? ix->n_pkgs : 1) * sizeof(*ix->pkgs));
    memset(ix->pkgs, 0, (ix->n_pkgs ? ix->n_pkgs : 1) * sizeof(*ix->pkgs));
    r->formats = vg_xcalloc(ix->n_pkgs ? ix->n_pkgs : 1, sizeof(*r->formats));
    at = push_key(d, "packages");
    for (size_t i = 0; i < ix->n_pkgs && !d->err; i++) {
        ix->pkgs[i].dist_index = -1;
        r->formats[i] = -1;
        size_t at2 = push_id(d, r->pkgs.e[i].key);
        read_pkg(r, r->pkgs.e[i].key, r->pkgs.e[i].val, &ix->pkgs[i], &r->formats[i]);
        pop(d, at2);
    }
    pop(d, at);

    if (!d->err && envs)
        read_envs(r, envs);
    if (!d->err)
        read_warnings(d, ix, root);

    for (size_t i = 0; i < ix->n_pkgs && !d->err; i++) {
        int f = r->formats[i] >= 0 ? r->formats[i] : infer_format(ix, &ix->pkgs[i]);
        if (f < 0) {
            size_t at2 = push_key(d, "packages");
            size_t at3 = push_id(d, r->pkgs.e[i].key);
            fail(d, VG_EINVAL,
                 "cannot tell the package format (no \"format\", and neither its purl, its "
                 "package_db nor its distribution names one vigil knows)");
            pop(d, at3);
            pop(d, at2);
        }
        ix->pkgs[i].pkg.format = (vg_pkg_format)(f < 0 ? 0 : f);
    }
}

static void index_rd_dispose(index_rd *r)
{
    idmap_dispose(&r->pkgs);
    idmap_dispose(&r->dists);
    free(r->formats);
    r->formats = NULL;
}

int vg_report_index_read(vg_index_report **out, const char *buf, size_t len)
{
    rd d;
    rd_init(&d, "index report", NULL);
    json_t *root = load(&d, buf, len);
    if (!root) {
        vg_strbuf_dispose(&d.path);
        return d.err;
    }
    vg_index_report *ix = NULL;
    const json_t *mh = member(&d, root, "manifest_hash", JSON_STRING, true);
    const json_t *state = member(&d, root, "state", JSON_STRING, true);
    (void)member(&d, root, "success", JSON_TRUE, false);
    const json_t *err = member(&d, root, "err", JSON_STRING, false);
    index_rd r = {.d = &d};
    if (!d.err) {
        ix = vg_index_report_new(json_string_value(mh));
        d.arena = ix->arena;
        /* "IndexFinished" is the only good end; Clair's intermediate states mean the index
         * never finished. */
        ix->state = strcmp(json_string_value(state), "IndexFinished") == 0 ? VG_INDEX_FINISHED
                                                                           : VG_INDEX_ERROR;
        if (err)
            ix->err = dup_str(&d, err);
        r.ix = ix;
        read_index_fields(&r, root);
    }
    index_rd_dispose(&r);
    json_decref(root);
    vg_strbuf_dispose(&d.path);
    if (d.err) {
        vg_index_report_free(ix);
        return d.err;
    }
    *out = ix;
    return 0;
}

/* ---- the VulnerabilityReport part -------------------------------------------------------- */

/* One entry of "vulnerabilities", parsed once and copied into every finding that lists it
 * (Clair shares one vulnerability among several packages). */
typedef struct vuln_tmpl {
    vg_finding f;
    bool has_layer; /* it said introduced_in (vigil); else the package's layer is used */
    bool has_cvss;  /* it said cvss (vigil); else the clair.cvss enrichment is used */
} vuln_tmpl;

static int severity_by_name(vg_severity *out, const char *name)
{
    for (int s = VG_SEV_UNKNOWN; s <= VG_SEV_CRITICAL; s++) {
        if (strcasecmp(name, vg_severity_name((vg_severity)s)) == 0) {
            *out = (vg_severity)s;
            return 0;
        }
    }
    return -1;
}

static int status_by_name(vg_affected_status *out, const char *name)
{
    for (int s = VG_STATUS_FIXED; s <= VG_STATUS_UNDER_INVESTIGATION; s++) {
        if (strcmp(name, vg_status_name((vg_affected_status)s)) == 0) {
            *out = (vg_affected_status)s;
            return 0;
        }
    }
    return -1;
}

static void read_severity(rd *d, const json_t *o, const char *key, bool required, vg_severity *sev)
{
    const json_t *j = member(d, o, key, JSON_STRING, required);
    if (j && severity_by_name(sev, json_string_value(j)) != 0) {
        size_t at = push_key(d, key);
        fail_q(d, "unknown severity (want Unknown, Negligible, Low, Medium, High or Critical):",
               json_string_value(j));
        pop(d, at);
    }
}

/* Clair's links: one string, space-separated. */
static void read_links(rd *d, const json_t *o, vg_finding *f)
{
    const json_t *j = member(d, o, "links", JSON_STRING, false);
    if (!j || json_string_length(j) == 0)
        return;
    char *s = vg_arena_strndup(d->arena, json_string_value(j), json_string_length(j));
    size_t n = 0;
    for (char *p = s; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != ' ')
            p++;
    }
    if (n == 0)
        return;
    f->links = vg_arena_alloc(d->arena, n * sizeof(*f->links));
    for (char *p = s; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        f->links[f->n_links++] = p;
        while (*p && *p != ' ')
            p++;
        if (*p)
            *p++ = '\0';
    }
}

/* vigil's cvss addition: {vector, score, source}, or null. Scores keep the ten significant
 * digits the writer prints, so a report and its read-back sort their findings alike. */
static double read_score(rd *d, const json_t *o, const char *key)
{
    const json_t *score = member(d, o, key, JSON_REAL, false);
    double v = score ? json_number_value(score) : 0.0;
    if (score && !(v >= 0.0 && v <= 10.0)) {
        size_t at = push_key(d, key);
        fail(d, VG_EINVAL, "out of range (0 to 10)");
        pop(d, at);
    }
    char text[64];
    snprintf(text, sizeof(text), "%.10g", v);
    return strtod(text, NULL);
}

static void read_cvss(rd *d, const json_t *o, vuln_tmpl *t)
{
    const json_t *c = member(d, o, "cvss", JSON_OBJECT, false);
    t->has_cvss = json_object_get(o, "cvss") != NULL;
    if (!c)
        return;
    size_t at = push_key(d, "cvss");
    const char *vector = text_member(d, c, "vector");
    double score = read_score(d, c, "score");
    const char *source = text_member(d, c, "source");
    if (vector) {
        t->f.cvss_vector = vector;
        t->f.cvss_score = score;
        t->f.cvss_source = source;
    }
    pop(d, at);
}

static void read_vuln(rd *d, const char *key, const json_t *o, vuln_tmpl *t)
{
    vg_finding *f = &t->f;
    if (!json_is_object(o)) {
        fail(d, VG_EINVAL, "expected an object");
        return;
    }
    check_id(d, o, key);
    f->source = text_member(d, o, "updater");
    f->id = str_member(d, o, "name", true);
    f->description = text_member(d, o, "description");
    f->published = text_member(d, o, "issued");
    read_links(d, o, f);
    read_severity(d, o, "normalized_severity", true, &f->severity);
    f->vendor_severity = f->severity;
    /* The vendor's word; when it is only the severity's own name, there was none. */
    f->severity_label = text_member(d, o, "severity");
    if (f->severity_label && strcmp(f->severity_label, vg_severity_name(f->severity)) == 0)
        f->severity_label = NULL;
    f->fixed_version = text_member(d, o, "fixed_in_version");
    static const char *const ignored[] = {"package", "distribution", "repository", "range"};
    check_objs(d, o, ignored, VG_ARRAY_LEN(ignored));
    static const char *const ignored_strs[] = {"arch_op"};
    check_strs(d, o, ignored_strs, VG_ARRAY_LEN(ignored_strs));

    /* vigil additions; a plain Clair report has none of them. */
    const json_t *status = member(d, o, "status", JSON_STRING, false);
    if (!status) {
        f->status = f->fixed_version ? VG_STATUS_FIXED : VG_STATUS_AFFECTED;
    } else if (status_by_name(&f->status, json_string_value(status)) != 0) {
        size_t at = push_key(d, "status");
        fail_q(d, "unknown status", json_string_value(status));
        pop(d, at);
    }
    read_cvss(d, o, t);
    read_severity(d, o, "nvd_severity", false, &f->nvd_severity);
    const json_t *layer = member(d, o, "introduced_in", JSON_STRING, false);
    if (layer) {
        t->has_layer = true;
        f->introduced_in = json_string_length(layer) ? dup_str(d, layer) : NULL;
    }
}

static size_t read_count(rd *d, const json_t *o, const char *key)
{
    const json_t *j = member(d, o, key, JSON_INTEGER, false);
    if (j && json_integer_value(j) < 0) {
        size_t at = push_key(d, key);
        fail(d, VG_EINVAL, "expected a non-negative integer");
        pop(d, at);
        return 0;
    }
    return j ? (size_t)json_integer_value(j) : 0;
}

static void read_vigil(rd *d, const json_t *root, vg_vuln_report *vr)
{
    const json_t *vg = member(d, root, "vigil", JSON_OBJECT, false);
    if (!vg)
        return;
    size_t at = push_key(d, "vigil");
    vr->n_suppressed_kernel = read_count(d, vg, "suppressed_kernel_headers");
    vr->n_invalid = read_count(d, vg, "invalid_records");
    vr->first_invalid = str_member(d, vg, "first_invalid", false);
    pop(d, at);
}

/* Parses every entry of "vulnerabilities"; `by_id` maps its key to its template. */
static vuln_tmpl *read_vulns(rd *d, json_t *vulns, json_t *by_id)
{
    size_t n = json_object_size(vulns);
    vuln_tmpl *t = vg_xcalloc(n ? n : 1, sizeof(*t));
    size_t i = 0, at = push_key(d, "vulnerabilities");
    const char *key;
    json_t *val;
    json_object_foreach(vulns, key, val)
    {
        size_t at2 = push_id(d, key);
        read_vuln(d, key, val, &t[i]);
        pop(d, at2);
        if (d->err)
            break;
        json_object_set_new(by_id, key, json_integer((json_int_t)i));
        i++;
    }
    pop(d, at);
    return t;
}

/* One element of a clair.cvss enrichment list: {"vectorString", "baseScore", ...}. It gives
 * the CVSS of a vulnerability that has no vigil cvss (Clair's reports keep it only here). */
static void read_cvss_entry(rd *d, const json_t *c, vuln_tmpl *t)
{
    if (!json_is_object(c)) {
        fail(d, VG_EINVAL, "expected an object");
        return;
    }
    const char *vector = text_member(d, c, "vectorString");
    double score = read_score(d, c, "baseScore");
    static const char *const ignored[] = {"version", "baseSeverity"};
    check_strs(d, c, ignored, VG_ARRAY_LEN(ignored));
    if (t && !t->has_cvss && !t->f.cvss_vector && vector && !d->err) {
        t->f.cvss_vector = vector;
        t->f.cvss_score = score;
        t->f.cvss_source = vg_arena_strndup(d->arena, "nvd", 3);
    }
}

/* "enrichments": only clair.cvss is read (vulnerability id -> [cvss]); ids it names that are
 * not in "vulnerabilities" are ignored. */
static void read_enrichments(rd *d, const json_t *root, const json_t *by_id, vuln_tmpl *t)
{
    json_t *e = member(d, root, "enrichments", JSON_OBJECT, false);
    const char *kind, *vid;
    json_t *payloads, *map, *list;
    size_t at = push_key(d, "enrichments");
    json_object_foreach(e, kind, payloads)
    {
        if (!strstr(kind, "enricher=clair.cvss"))
            continue;
        size_t at2 = push_id(d, kind);
        if (!json_is_array(payloads))
            fail(d, VG_EINVAL, "expected an array");
        for (size_t i = 0; i < json_array_size(payloads) && !d->err; i++) {
            size_t at3 = push_idx(d, i);
            map = json_array_get(payloads, i);
            if (!json_is_object(map))
                fail(d, VG_EINVAL, "expected an object");
            json_object_foreach(map, vid, list)
            {
                const json_t *ti = json_object_get(by_id, vid);
                size_t at4 = push_id(d, vid);
                if (!json_is_array(list))
                    fail(d, VG_EINVAL, "expected an array");
                for (size_t k = 0; k < json_array_size(list) && !d->err; k++) {
                    size_t at5 = push_idx(d, k);
                    read_cvss_entry(d, json_array_get(list, k),
                                    ti ? &t[json_integer_value(ti)] : NULL);
                    pop(d, at5);
                }
                pop(d, at4);
                if (d->err)
                    break;
            }
            pop(d, at3);
        }
        pop(d, at2);
        if (d->err)
            break;
    }
    pop(d, at);
}

/* The findings: one per (package, listed vulnerability), in package order. */
static void read_findings(index_rd *r, vg_vuln_report *vr, json_t *pv, const json_t *by_id,
                          const vuln_tmpl *t)
{
    rd *d = r->d;
    const vg_index_report *ix = r->ix;
    size_t total = 0, at = push_key(d, "package_vulnerabilities");
    const char *key;
    json_t *list;
    json_object_foreach(pv, key, list)
    {
        size_t at2 = push_id(d, key);
        if (idmap_find(&r->pkgs, key) < 0)
            fail_q(d, "no package", key);
        else if (!json_is_array(list) && !json_is_null(list))
            fail(d, VG_EINVAL, "expected an array");
        else
            total += json_array_size(list);
        pop(d, at2);
        if (d->err)
            break;
    }
    if (!d->err && total > VG_REPORT_READ_MAX_FINDINGS)
        fail(d, VG_ETOOBIG, "more than %zu findings", VG_REPORT_READ_MAX_FINDINGS);
    if (d->err) {
        pop(d, at);
        return;
    }
    vr->findings = vg_arena_alloc(vr->arena, (total ? total : 1) * sizeof(*vr->findings));
    for (size_t pi = 0; pi < r->pkgs.n && !d->err; pi++) {
        list = json_object_get(pv, r->pkgs.e[pi].key);
        size_t at2 = push_id(d, r->pkgs.e[pi].key);
        for (size_t k = 0; k < json_array_size(list) && !d->err; k++) {
            const json_t *vid = json_array_get(list, k);
            const json_t *ti =
                json_is_string(vid) ? json_object_get(by_id, json_string_value(vid)) : NULL;
            size_t at3 = push_idx(d, k);
            if (!json_is_string(vid))
                fail(d, VG_EINVAL, "expected a string");
            else if (!ti)
                fail_q(d, "no vulnerability", json_string_value(vid));
            pop(d, at3);
            if (d->err)
                break;
            const vuln_tmpl *tt = &t[json_integer_value(ti)];
            vg_finding *f = &vr->findings[vr->n_findings++];
            *f = tt->f;
            f->pkg_index = pi;
            if (!tt->has_layer)
                f->introduced_in = ix->pkgs[pi].pkg.introduced_in;
            /* The namespace is not in the JSON; it is the one the matcher used. */
            const char *ns = NULL, *name, *version, *scheme;
            bool src;
            if (vg_match_key(ix, pi, &ns, &name, &src, &version, &scheme))
                f->ns = ns;
        }
        pop(d, at2);
    }
    pop(d, at);
}

int vg_report_vuln_read(vg_vuln_report **out, vg_index_report **index_out, const char *buf,
                        size_t len)
{
    rd d;
    rd_init(&d, "vulnerability report", NULL);
    json_t *root = load(&d, buf, len);
    if (!root) {
        vg_strbuf_dispose(&d.path);
        return d.err;
    }
    vg_index_report *ix = NULL;
    vg_vuln_report *vr = NULL;
    vuln_tmpl *tmpls = NULL;
    json_t *by_id = json_object();
    index_rd r = {.d = &d};
    const json_t *mh = member(&d, root, "manifest_hash", JSON_STRING, true);
    json_t *vulns = member(&d, root, "vulnerabilities", JSON_OBJECT, false);
    json_t *pv = member(&d, root, "package_vulnerabilities", JSON_OBJECT, false);
    if (!d.err && json_object_size(vulns) > VG_REPORT_READ_MAX_FINDINGS) {
        size_t at = push_key(&d, "vulnerabilities");
        fail(&d, VG_ETOOBIG, "more than %zu vulnerabilities", VG_REPORT_READ_MAX_FINDINGS);
        pop(&d, at);
    }
    if (d.err)
        goto out;
    ix = vg_index_report_new(json_string_value(mh));
    d.arena = ix->arena;
    r.ix = ix;
    read_index_fields(&r, root);
    if (d.err)
        goto out;

    vr = vg_xcalloc(1, sizeof(*vr));
    vr->arena = vg_arena_new(65536);
    vr->index = ix;
    d.arena = vr->arena;
    tmpls = read_vulns(&d, vulns, by_id);
    if (!d.err)
        read_enrichments(&d, root, by_id, tmpls);
    if (!d.err)
        read_findings(&r, vr, pv, by_id, tmpls);
    if (!d.err)
        read_vigil(&d, root, vr);
out:
    free(tmpls);
    json_decref(by_id);
    index_rd_dispose(&r);
    json_decref(root);
    vg_strbuf_dispose(&d.path);
    if (d.err) {
        vg_vuln_report_free(vr);
        vg_index_report_free(ix);
        return d.err;
    }
    *out = vr;
    *index_out = ix;
    return 0;
}
