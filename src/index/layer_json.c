/* layer_json.c — a layer result as a self-contained JSON value and back, so that a store can
 * cache it by layer digest and later scans skip the layer entirely (vg_layer_result_to_json,
 * vg_layer_result_from_json). The decoder trusts nothing: types, sizes and counts are checked. */
#include "index_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Caps on a cached value: a layer result is small; anything bigger is corrupt. */
#define LAYER_JSON_MAX_BYTES ((size_t)256 << 20)

static json_t *opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *pkg_json(const vg_package *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_integer(p->format));
    json_object_set_new(o, "name", opt_str(p->name));
    json_object_set_new(o, "version", opt_str(p->version));
    json_object_set_new(o, "arch", opt_str(p->arch));
    json_object_set_new(o, "source_name", opt_str(p->source_name));
    json_object_set_new(o, "source_version", opt_str(p->source_version));
    json_object_set_new(o, "module", opt_str(p->module));
    json_object_set_new(o, "vendor", opt_str(p->vendor));
    json_object_set_new(o, "purl", opt_str(p->purl));
    return o;
}

static json_t *dist_json(const vg_distribution *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "did", opt_str(d->did));
    json_object_set_new(o, "name", opt_str(d->name));
    json_object_set_new(o, "version", opt_str(d->version));
    json_object_set_new(o, "version_id", opt_str(d->version_id));
    json_object_set_new(o, "version_code_name", opt_str(d->version_code_name));
    json_object_set_new(o, "pretty_name", opt_str(d->pretty_name));
    json_object_set_new(o, "cpe", opt_str(d->cpe));
    json_object_set_new(o, "ns", opt_str(d->ns));
    return o;
}

static json_t *str_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

int vg_layer_result_to_json(vg_strbuf *out, const vg_layer_result *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "digest", json_string(r->digest));
    json_object_set_new(root, "entries", json_integer((json_int_t)r->entries));
    json_t *dbs = json_array();
    for (size_t i = 0; i < r->n_dbs; i++) {
        json_t *db = json_object();
        json_object_set_new(db, "path", json_string(r->dbs[i].path));
        json_object_set_new(db, "format", json_integer(r->dbs[i].format));
        json_t *pkgs = json_array();
        for (size_t k = 0; k < r->dbs[i].n_pkgs; k++)
            json_array_append_new(pkgs, pkg_json(&r->dbs[i].pkgs[k]));
        json_object_set_new(db, "packages", pkgs);
        json_array_append_new(dbs, db);
    }
    json_object_set_new(root, "dbs", dbs);
    json_t *rels = json_array();
    for (size_t i = 0; i < r->n_releases; i++) {
        json_t *rel = json_object();
        json_object_set_new(rel, "path", json_string(r->releases[i].path));
        json_object_set_new(rel, "dist", dist_json(&r->releases[i].dist));
        json_array_append_new(rels, rel);
    }
    json_object_set_new(root, "releases", rels);
    json_object_set_new(root, "whiteouts", str_array(r->whiteouts, r->n_whiteouts));
    json_object_set_new(root, "opaque", str_array(r->opaque_dirs, r->n_opaque));
    json_object_set_new(root, "warnings", str_array(r->warnings, r->n_warnings));
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return vg_error_set(VG_ERROR, "layer %s: cannot encode the layer result", r->digest);
    int rc = vg_strbuf_puts(out, text);
    free(text);
    return rc ? vg_error_set(rc, "layer %s: encoded layer result too big", r->digest) : 0;
}

typedef struct decoder {
    vg_layer_result *r;
    const char *what;
    int rc;
} decoder;

static const char *get_str(decoder *d, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        if (!d->rc)
            d->rc = vg_error_set(VG_EINVAL, "%s: \"%s\" is not a string", d->what, key);
        return NULL;
    }
    return vg_layer_result_strndup(d->r, json_string_value(v), json_string_length(v));
}

static json_t *get_array(decoder *d, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_array(v)) {
        if (!d->rc)
            d->rc = vg_error_set(VG_EINVAL, "%s: \"%s\" is not an array", d->what, key);
        return NULL;
    }
    return v;
}

static int get_format(decoder *d, json_t *o)
{
    json_t *v = json_object_get(o, "format");
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > VG_PKG_GEM) {
        if (!d->rc)
            d->rc = vg_error_set(VG_EINVAL, "%s: bad \"format\"", d->what);
        return 0;
    }
    return (int)json_integer_value(v);
}

int vg_layer_result_from_json(vg_layer_result **out, const char *buf, size_t len)
{
    if (len > LAYER_JSON_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "cached layer result larger than %zu bytes",
                            LAYER_JSON_MAX_BYTES);
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return vg_error_set(VG_EINVAL, "cached layer result: not a JSON object (%s)", jerr.text);
    }
    json_t *dg = json_object_get(root, "digest");
    if (!json_is_string(dg)) {
        json_decref(root);
        return vg_error_set(VG_EINVAL, "cached layer result: no digest");
    }
    decoder d = {vg_layer_result_new(json_string_value(dg)), "cached layer result", 0};
    json_t *ent = json_object_get(root, "entries");
    d.r->entries = json_is_integer(ent) ? (unsigned long)json_integer_value(ent) : 0;
    json_t *dbs = get_array(&d, root, "dbs"), *v, *p;
    size_t i, k;
    json_array_foreach(dbs, i, v)
    {
        const char *path = get_str(&d, v, "path");
        if (!path)
            break;
        vg_pkgdb *db = vg_layer_result_add_db(d.r, path, (vg_pkg_format)get_format(&d, v));
        json_t *pkgs = get_array(&d, v, "packages");
        json_array_foreach(pkgs, k, p)
        {
            vg_package *pk = vg_pkgdb_add(d.r, db);
            pk->format = (vg_pkg_format)get_format(&d, p);
            pk->name = get_str(&d, p, "name");
            pk->version = get_str(&d, p, "version");
            pk->arch = get_str(&d, p, "arch");
            pk->source_name = get_str(&d, p, "source_name");
            pk->source_version = get_str(&d, p, "source_version");
            pk->module = get_str(&d, p, "module");
            pk->vendor = get_str(&d, p, "vendor");
            pk->purl = get_str(&d, p, "purl");
            if (!pk->name || !pk->version) {
                if (!d.rc)
                    d.rc = vg_error_set(VG_EINVAL, "cached layer result: package without name "
                                                   "or version");
                break;
            }
        }
    }
    json_t *rels = get_array(&d, root, "releases");
    json_array_foreach(rels, i, v)
    {
        const char *path = get_str(&d, v, "path");
        json_t *dj = json_object_get(v, "dist");
        if (!path || !json_is_object(dj))
            break;
        vg_release_file *f = vg_layer_result_add_release(d.r, path);
        f->dist.did = get_str(&d, dj, "did");
        f->dist.name = get_str(&d, dj, "name");
        f->dist.version = get_str(&d, dj, "version");
        f->dist.version_id = get_str(&d, dj, "version_id");
        f->dist.version_code_name = get_str(&d, dj, "version_code_name");
        f->dist.pretty_name = get_str(&d, dj, "pretty_name");
        f->dist.cpe = get_str(&d, dj, "cpe");
        f->dist.ns = get_str(&d, dj, "ns");
    }
    static const char *const lists[] = {"whiteouts", "opaque"};
    for (size_t l = 0; l < 2; l++) {
        json_t *a = get_array(&d, root, lists[l]);
        json_array_foreach(a, i, v)
        {
            if (!json_is_string(v))
                break;
            vg_layer_result_add_whiteout(d.r, json_string_value(v), l == 1);
        }
    }
    json_t *warn = json_object_get(root, "warnings");
    json_array_foreach(warn, i, v)
    {
        if (json_is_string(v))
            vg_layer_result_add_warning(d.r, json_string_value(v));
    }
    json_decref(root);
    if (d.rc) {
        vg_layer_result_free(d.r);
        return d.rc;
    }
    *out = d.r;
    return 0;
}
