/* advisory_json.c — the canonical JSON of a vg_advisory, shaped like OSV (id, aliases, details,
 * affected[].package/ranges/versions, severity[], references, database_specific): what every
 * backend stores, what its SHA-256 de-duplicates, what bundles carry. Decoding is strict about
 * types and names the JSON path of the first problem, because bundles come from files. */
#include "store_int.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void vg__sha256(uint8_t out[32], const void *p, size_t n)
{
    unsigned int len = 32;
    if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1)
        abort(); /* only fails on OOM or a broken OpenSSL */
}

static const char *const event_names[] = {"introduced", "fixed", "last_affected", "limit"};

/* ---- encoding ------------------------------------------------------------------------ */

typedef struct enc {
    const vg_advisory *a;
    int err;
} enc;

static void enc_fail(enc *e, int code, const char *fmt, ...) VG_PRINTF(3, 4);

static void enc_fail(enc *e, int code, const char *fmt, ...)
{
    if (e->err)
        return;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_puts(&sb, "advisory ");
    if (e->a->id)
        vg_strbuf_put_escaped(&sb, e->a->id, strlen(e->a->id), 128);
    else
        vg_strbuf_puts(&sb, "(no id)");
    vg_strbuf_puts(&sb, ": ");
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    e->err = vg_error_set(code, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
}

/* A JSON string, or NULL (error recorded) when `s` is not UTF-8. */
static json_t *jstr(enc *e, const char *s, const char *path, long i)
{
    json_t *j = json_string(s);
    if (!j) {
        if (i >= 0)
            enc_fail(e, VG_EINVAL, "%s[%ld] is not valid UTF-8", path, i);
        else
            enc_fail(e, VG_EINVAL, "%s is not valid UTF-8", path);
    }
    return j;
}

static void put_str(enc *e, json_t *obj, const char *key, const char *v, const char *path)
{
    if (v)
        json_object_set_new(obj, key, jstr(e, v, path, -1));
}

static void put_strs(enc *e, json_t *obj, const char *key, const char *const *v, size_t n,
                     const char *path)
{
    if (n == 0)
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) {
            enc_fail(e, VG_EINVAL, "%s[%zu] is NULL", path, i);
            break;
        }
        json_array_append_new(arr, jstr(e, v[i], path, (long)i));
    }
    json_object_set_new(obj, key, arr);
}

static const char *cvss_type(const char *version)
{
    if (!version)
        return "CVSS";
    if (version[0] == '2')
        return "CVSS_V2";
    if (version[0] == '3')
        return "CVSS_V3";
    if (version[0] == '4')
        return "CVSS_V4";
    return "CVSS";
}

static json_t *enc_affected(enc *e, const vg_affected *af, size_t idx)
{
    json_t *o = json_object();
    if (!af->ns || !af->package) {
        enc_fail(e, VG_EINVAL, "affected[%zu] has no %s", idx, af->ns ? "package" : "namespace");
        return o;
    }
    json_t *pkg = json_object();
    put_str(e, pkg, "ecosystem", af->ns, "affected.package.ecosystem");
    put_str(e, pkg, "name", af->package, "affected.package.name");
    json_object_set_new(o, "package", pkg);
    if (af->n_events) {
        json_t *events = json_array();
        for (size_t i = 0; i < af->n_events; i++) {
            const vg_event *ev = &af->events[i];
            if ((unsigned)ev->kind >= VG_ARRAY_LEN(event_names) || !ev->version) {
                enc_fail(e, VG_EINVAL, "affected[%zu].events[%zu] is invalid", idx, i);
                break;
            }
            json_t *jev = json_object();
            json_object_set_new(jev, event_names[ev->kind],
                                jstr(e, ev->version, "affected.ranges.events", (long)i));
            json_array_append_new(events, jev);
        }
        json_t *range = json_object();
        const char *type = af->scheme && strcmp(af->scheme, "semver") == 0 ? "SEMVER" : "ECOSYSTEM";
        json_object_set_new(range, "type", json_string(type));
        json_object_set_new(range, "events", events);
        json_t *ranges = json_array();
        json_array_append_new(ranges, range);
        json_object_set_new(o, "ranges", ranges);
    }
    put_strs(e, o, "versions", af->versions, af->n_versions, "affected.versions");
    json_t *ds = json_object();
    json_object_set_new(ds, "status", json_string(vg_status_name(af->status)));
    json_object_set_new(ds, "source_pkg", json_boolean(af->source_pkg));
    put_str(e, ds, "scheme", af->scheme, "affected.scheme");
    put_str(e, ds, "arch", af->arch, "affected.arch");
    put_str(e, ds, "module", af->module, "affected.module");
    put_str(e, ds, "cpe", af->cpe, "affected.cpe");
    json_object_set_new(o, "database_specific", ds);
    return o;
}

static json_t *enc_advisory(enc *e)
{
    const vg_advisory *a = e->a;
    json_t *root = json_object();
    if (!a->id || !*a->id || !a->source || !*a->source) {
        enc_fail(e, VG_EINVAL, "missing %s", !a->id || !*a->id ? "id" : "source");
        return root;
    }
    put_str(e, root, "id", a->id, "id");
    put_strs(e, root, "aliases", a->aliases, a->n_aliases, "aliases");
    put_str(e, root, "summary", a->summary, "summary");
    put_str(e, root, "details", a->description, "description");
    put_str(e, root, "published", a->published, "published");
    put_str(e, root, "modified", a->modified, "modified");
    if (a->n_links) {
        json_t *refs = json_array();
        for (size_t i = 0; i < a->n_links && !e->err; i++) {
            if (!a->links[i]) {
                enc_fail(e, VG_EINVAL, "links[%zu] is NULL", i);
                break;
            }
            json_t *r = json_object();
            json_object_set_new(r, "type", json_string("WEB"));
            json_object_set_new(r, "url", jstr(e, a->links[i], "links", (long)i));
            json_array_append_new(refs, r);
        }
        json_object_set_new(root, "references", refs);
    }
    if (a->n_cvss) {
        json_t *sev = json_array();
        for (size_t i = 0; i < a->n_cvss; i++) {
            const vg_cvss *c = &a->cvss[i];
            if (!isfinite(c->score)) {
                enc_fail(e, VG_EINVAL, "cvss[%zu].score is not a finite number", i);
                break;
            }
            json_t *s = json_object();
            json_object_set_new(s, "type", json_string(cvss_type(c->version)));
            put_str(e, s, "score", c->vector, "cvss.vector");
            put_str(e, s, "version", c->version, "cvss.version");
            put_str(e, s, "source", c->source, "cvss.source");
            json_object_set_new(s, "base_score", json_real(c->score));
            json_array_append_new(sev, s);
        }
        json_object_set_new(root, "severity", sev);
    }
    if (a->n_affected) {
        json_t *aff = json_array();
        for (size_t i = 0; i < a->n_affected && !e->err; i++)
            json_array_append_new(aff, enc_affected(e, &a->affected[i], i));
        json_object_set_new(root, "affected", aff);
    }
    json_t *ds = json_object();
    put_str(e, ds, "source", a->source, "source");
    json_object_set_new(ds, "severity", json_string(vg_severity_name(a->severity)));
    put_str(e, ds, "severity_label", a->severity_label, "severity_label");
    put_strs(e, ds, "cwes", a->cwes, a->n_cwes, "cwes");
    json_object_set_new(root, "database_specific", ds);
    return root;
}

typedef struct dump_state {
    vg_strbuf *sb;
    size_t written;
} dump_state;

static int dump_cb(const char *buf, size_t size, void *data)
{
    dump_state *d = data;
    d->written += size;
    if (d->written > VG__ADVISORY_MAX_BYTES)
        return -1;
    return vg_strbuf_append(d->sb, buf, size) == 0 ? 0 : -1;
}

int vg__advisory_encode(vg_strbuf *out, const vg_advisory *a)
{
    enc e = {a, 0};
    json_t *root = enc_advisory(&e);
    if (!e.err) {
        dump_state d = {out, 0};
        size_t flags = JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15);
        if (json_dump_callback(root, dump_cb, &d, flags) != 0) {
            if (d.written > VG__ADVISORY_MAX_BYTES)
                enc_fail(&e, VG_ETOOBIG, "canonical JSON is larger than %zu bytes",
                         VG__ADVISORY_MAX_BYTES);
            else if (vg_strbuf_error(out))
                enc_fail(&e, VG_ETOOBIG, "canonical JSON does not fit the output buffer");
            else
                enc_fail(&e, VG_ERROR, "cannot serialize to JSON");
        }
    }
    json_decref(root);
    return e.err;
}

/* ---- decoding ------------------------------------------------------------------------ */

typedef struct dec {
    vg_arena *arena;
    const char *where;
    vg_strbuf path; /* the JSON path of the value being decoded */
    int err;
} dec;

static void dec_fail(dec *d, const char *fmt, ...) VG_PRINTF(2, 3);

static void dec_fail(dec *d, const char *fmt, ...)
{
    if (d->err)
        return;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_printf(&sb, "%s: %s: ", d->where, d->path.len ? d->path.buf : "(top)");
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    d->err = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
}

/* Pushes ".key" or "[i]" onto the path; pop with the returned length. */
static size_t push_key(dec *d, const char *key)
{
    size_t old = d->path.len;
    if (old)
        vg_strbuf_putc(&d->path, '.');
    vg_strbuf_puts(&d->path, key);
    return old;
}

static size_t push_idx(dec *d, size_t i)
{
    size_t old = d->path.len;
    vg_strbuf_printf(&d->path, "[%zu]", i);
    return old;
}

static void pop(dec *d, size_t old)
{
    d->path.len = old;
    d->path.buf[old] = '\0';
}

static const char *dup_str(dec *d, const json_t *j)
{
    return vg_arena_strndup(d->arena, json_string_value(j), json_string_length(j));
}

/* A string member: NULL when absent or null; an error when it has another type. */
static const char *get_str(dec *d, const json_t *obj, const char *key, bool required)
{
    const json_t *j = json_object_get(obj, key);
    if (!j || json_is_null(j)) {
        if (required) {
            size_t p = push_key(d, key);
            dec_fail(d, "missing");
            pop(d, p);
        }
        return NULL;
    }
    if (!json_is_string(j)) {
        size_t p = push_key(d, key);
        dec_fail(d, "expected a string");
        pop(d, p);
        return NULL;
    }
    return dup_str(d, j);
}

/* A member of type `want` (JSON_ARRAY / JSON_OBJECT), or NULL when absent or null. */
static const json_t *get_typed(dec *d, const json_t *obj, const char *key, json_type want)
{
    const json_t *j = json_object_get(obj, key);
    if (!j || json_is_null(j))
        return NULL;
    if (json_typeof(j) != want) {
        size_t p = push_key(d, key);
        dec_fail(d, "expected an %s", want == JSON_ARRAY ? "array" : "object");
        pop(d, p);
        return NULL;
    }
    return j;
}

static const char **get_strs(dec *d, const json_t *obj, const char *key, size_t *n)
{
    *n = 0;
    const json_t *arr = get_typed(d, obj, key, JSON_ARRAY);
    if (!arr || json_array_size(arr) == 0)
        return NULL;
    size_t len = json_array_size(arr);
    const char **out = vg_arena_alloc(d->arena, len * sizeof(*out));
    size_t p = push_key(d, key);
    for (size_t i = 0; i < len && !d->err; i++) {
        const json_t *j = json_array_get(arr, i);
        if (!json_is_string(j)) {
            size_t q = push_idx(d, i);
            dec_fail(d, "expected a string");
            pop(d, q);
            break;
        }
        out[i] = dup_str(d, j);
    }
    pop(d, p);
    *n = len;
    return out;
}

static void dec_events(dec *d, vg_affected *af, const json_t *ranges)
{
    size_t total = 0;
    for (size_t r = 0; r < json_array_size(ranges); r++) {
        const json_t *range = json_array_get(ranges, r);
        const json_t *ev = json_is_object(range) ? json_object_get(range, "events") : NULL;
        if (!json_is_array(ev)) {
            size_t p = push_idx(d, r);
            dec_fail(d, json_is_object(range) ? "events: expected an array" : "expected an object");
            pop(d, p);
            return;
        }
        total += json_array_size(ev);
    }
    if (total == 0)
        return;
    af->events = vg_arena_alloc(d->arena, total * sizeof(*af->events));
    for (size_t r = 0; r < json_array_size(ranges) && !d->err; r++) {
        const json_t *evs = json_object_get(json_array_get(ranges, r), "events");
        size_t p = push_idx(d, r);
        size_t q = push_key(d, "events");
        for (size_t i = 0; i < json_array_size(evs) && !d->err; i++) {
            const json_t *ev = json_array_get(evs, i);
            size_t s = push_idx(d, i);
            const char *key;
            const json_t *val;
            if (!json_is_object(ev) || json_object_size(ev) != 1) {
                dec_fail(d, "expected an object with one key");
            } else {
                json_object_foreach((json_t *)ev, key, val)
                {
                    size_t k = 0;
                    while (k < VG_ARRAY_LEN(event_names) && strcmp(key, event_names[k]) != 0)
                        k++;
                    if (k == VG_ARRAY_LEN(event_names))
                        dec_fail(d, "unknown event '%.64s'", key);
                    else if (!json_is_string(val))
                        dec_fail(d, "%s: expected a string", key);
                    else
                        af->events[af->n_events++] = (vg_event){(vg_event_kind)k, dup_str(d, val)};
                }
            }
            pop(d, s);
        }
        pop(d, q);
        pop(d, p);
    }
}

static int parse_status(vg_affected_status *out, const char *name)
{
    for (int s = VG_STATUS_FIXED; s <= VG_STATUS_UNDER_INVESTIGATION; s++) {
        if (strcmp(name, vg_status_name((vg_affected_status)s)) == 0) {
            *out = (vg_affected_status)s;
            return 0;
        }
    }
    return -1;
}

/* Like vg_severity_parse (case-insensitive), without touching the error state: the decoder
 * reports the first problem only. */
static int parse_severity(vg_severity *out, const char *name)
{
    for (int s = VG_SEV_UNKNOWN; s <= VG_SEV_CRITICAL; s++) {
        if (strcasecmp(name, vg_severity_name((vg_severity)s)) == 0) {
            *out = (vg_severity)s;
            return 0;
        }
    }
    return -1;
}

static void dec_affected(dec *d, vg_affected *af, const json_t *o)
{
    if (!json_is_object(o)) {
        dec_fail(d, "expected an object");
        return;
    }
    const json_t *pkg = get_typed(d, o, "package", JSON_OBJECT);
    if (!pkg) {
        size_t p = push_key(d, "package");
        dec_fail(d, "missing");
        pop(d, p);
        return;
    }
    size_t p = push_key(d, "package");
    af->ns = get_str(d, pkg, "ecosystem", true);
    af->package = get_str(d, pkg, "name", true);
    pop(d, p);
    const json_t *ranges = get_typed(d, o, "ranges", JSON_ARRAY);
    if (ranges) {
        p = push_key(d, "ranges");
        dec_events(d, af, ranges);
        pop(d, p);
    }
    af->versions = get_strs(d, o, "versions", &af->n_versions);
    af->status = VG_STATUS_AFFECTED;
    for (size_t i = 0; i < af->n_events; i++)
        if (af->events[i].kind == VG_EVENT_FIXED)
            af->status = VG_STATUS_FIXED;
    const json_t *ds = get_typed(d, o, "database_specific", JSON_OBJECT);
    if (!ds)
        return;
    p = push_key(d, "database_specific");
    const char *status = get_str(d, ds, "status", false);
    if (status && parse_status(&af->status, status) != 0)
        dec_fail(d, "status: unknown status '%.64s'", status);
    const json_t *src = json_object_get(ds, "source_pkg");
    if (src && !json_is_boolean(src))
        dec_fail(d, "source_pkg: expected a boolean");
    af->source_pkg = src && json_is_true(src);
    af->scheme = get_str(d, ds, "scheme", false);
    af->arch = get_str(d, ds, "arch", false);
    af->module = get_str(d, ds, "module", false);
    af->cpe = get_str(d, ds, "cpe", false);
    pop(d, p);
}

static void dec_cvss(dec *d, vg_cvss *c, const json_t *o)
{
    if (!json_is_object(o)) {
        dec_fail(d, "expected an object");
        return;
    }
    c->vector = get_str(d, o, "score", false);
    c->version = get_str(d, o, "version", false);
    c->source = get_str(d, o, "source", false);
    const json_t *score = json_object_get(o, "base_score");
    if (score && !json_is_number(score))
        dec_fail(d, "base_score: expected a number");
    c->score = score ? json_number_value(score) : 0.0;
}

static void dec_advisory(dec *d, vg_advisory *a, const json_t *root)
{
    memset(a, 0, sizeof(*a));
    if (!json_is_object(root)) {
        dec_fail(d, "expected an object");
        return;
    }
    a->id = get_str(d, root, "id", true);
    a->aliases = get_strs(d, root, "aliases", &a->n_aliases);
    a->summary = get_str(d, root, "summary", false);
    a->description = get_str(d, root, "details", false);
    a->published = get_str(d, root, "published", false);
    a->modified = get_str(d, root, "modified", false);
    const json_t *refs = get_typed(d, root, "references", JSON_ARRAY);
    if (refs && json_array_size(refs)) {
        size_t n = json_array_size(refs);
        a->links = vg_arena_alloc(d->arena, n * sizeof(*a->links));
        size_t p = push_key(d, "references");
        for (size_t i = 0; i < n && !d->err; i++) {
            const json_t *r = json_array_get(refs, i);
            size_t q = push_idx(d, i);
            if (!json_is_object(r))
                dec_fail(d, "expected an object");
            else
                a->links[a->n_links++] = get_str(d, r, "url", true);
            pop(d, q);
        }
        pop(d, p);
    }
    const json_t *sev = get_typed(d, root, "severity", JSON_ARRAY);
    if (sev && json_array_size(sev)) {
        a->n_cvss = json_array_size(sev);
        a->cvss = vg_arena_alloc(d->arena, a->n_cvss * sizeof(*a->cvss));
        memset(a->cvss, 0, a->n_cvss * sizeof(*a->cvss));
        size_t p = push_key(d, "severity");
        for (size_t i = 0; i < a->n_cvss && !d->err; i++) {
            size_t q = push_idx(d, i);
            dec_cvss(d, &a->cvss[i], json_array_get(sev, i));
            pop(d, q);
        }
        pop(d, p);
    }
    const json_t *aff = get_typed(d, root, "affected", JSON_ARRAY);
    if (aff && json_array_size(aff)) {
        a->n_affected = json_array_size(aff);
        a->affected = vg_arena_alloc(d->arena, a->n_affected * sizeof(*a->affected));
        memset(a->affected, 0, a->n_affected * sizeof(*a->affected));
        size_t p = push_key(d, "affected");
        for (size_t i = 0; i < a->n_affected && !d->err; i++) {
            size_t q = push_idx(d, i);
            dec_affected(d, &a->affected[i], json_array_get(aff, i));
            pop(d, q);
        }
        pop(d, p);
    }
    const json_t *ds = get_typed(d, root, "database_specific", JSON_OBJECT);
    size_t p = push_key(d, "database_specific");
    a->source = ds ? get_str(d, ds, "source", true) : NULL;
    if (!ds)
        dec_fail(d, "missing");
    const char *severity = ds ? get_str(d, ds, "severity", false) : NULL;
    if (severity && parse_severity(&a->severity, severity) != 0)
        dec_fail(d, "severity: unknown severity '%.64s'", severity);
    a->severity_label = ds ? get_str(d, ds, "severity_label", false) : NULL;
    a->cwes = ds ? get_strs(d, ds, "cwes", &a->n_cwes) : NULL;
    pop(d, p);
    if (!d->err && a->id && !*a->id)
        dec_fail(d, "id: empty");
    if (!d->err && a->source && !*a->source)
        dec_fail(d, "database_specific.source: empty");
}

int vg__advisory_decode_json(vg_advisory *out, vg_arena *arena, const json_t *root,
                             const char *where)
{
    dec d = {arena, where, {0}, 0};
    vg_strbuf_init(&d.path, 4096);
    dec_advisory(&d, out, root);
    vg_strbuf_dispose(&d.path);
    return d.err;
}

int vg__advisory_decode(vg_advisory *out, vg_arena *arena, const char *json, size_t len,
                        const char *where)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return vg_error_set(VG_EINVAL, "%s: invalid JSON at byte %d: %s", where, jerr.position,
                            jerr.text);
    int rc = vg__advisory_decode_json(out, arena, root, where);
    json_decref(root);
    return rc;
}
