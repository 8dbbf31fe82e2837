/* index_json.c — renders an IndexReport in Clair v4's JSON shape with jansson: packages
 * (each with its source package), distributions, and environments (package_db,
 * introduced_in, distribution_id). Ids are assigned in package order, so output is stable. */
#include "report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static json_t *str(const char *s)
{
    return json_string(s ? s : "");
}

static json_t *dist_json(const vg_distribution *d, const char *id)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "did", str(d->did));
    json_object_set_new(o, "name", str(d->name));
    json_object_set_new(o, "version", str(d->version));
    json_object_set_new(o, "version_code_name", str(d->version_code_name));
    json_object_set_new(o, "version_id", str(d->version_id));
    json_object_set_new(o, "arch", json_string(""));
    json_object_set_new(o, "cpe", str(d->cpe));
    json_object_set_new(o, "pretty_name", str(d->pretty_name));
    /* vigil additions: the namespace used for matching and where it was found. */
    json_object_set_new(o, "namespace", str(d->ns));
    json_object_set_new(o, "found_in", str(d->found_in));
    return o;
}

static const char *format_name(vg_pkg_format f)
{
    static const char *const names[] = {"dpkg", "apk", "rpm", "python", "npm", "go", "java", "gem"};
    return (unsigned)f < VG_ARRAY_LEN(names) ? names[f] : "unknown";
}

int vg_report_index_json(vg_strbuf *out, const vg_index_report *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "manifest_hash", str(r->manifest_hash));
    json_object_set_new(
        root, "state", json_string(r->state == VG_INDEX_FINISHED ? "IndexFinished" : "IndexError"));
    json_object_set_new(root, "success", json_boolean(r->state == VG_INDEX_FINISHED));
    json_object_set_new(root, "err", str(r->err));

    json_t *pkgs = json_object(), *envs = json_object(), *dists = json_object();
    char id[32], sid[32], did[32];
    for (size_t i = 0; i < r->n_dists; i++) {
        snprintf(did, sizeof(did), "%zu", i + 1);
        json_object_set_new(dists, did, dist_json(&r->dists[i], did));
    }
    for (size_t i = 0; i < r->n_pkgs; i++) {
        const vg_index_pkg *ip = &r->pkgs[i];
        const vg_package *p = &ip->pkg;
        snprintf(id, sizeof(id), "%zu", 2 * i + 1);
        snprintf(sid, sizeof(sid), "%zu", 2 * i + 2);
        json_t *src = json_object();
        json_object_set_new(src, "id", json_string(sid));
        json_object_set_new(src, "name", str(p->source_name ? p->source_name : p->name));
        json_object_set_new(src, "version",
                            str(p->source_version ? p->source_version : p->version));
        json_object_set_new(src, "kind", json_string("source"));
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "name", str(p->name));
        json_object_set_new(o, "version", str(p->version));
        json_object_set_new(o, "kind", json_string("binary"));
        json_object_set_new(o, "source", src);
        json_object_set_new(o, "arch", str(p->arch));
        json_object_set_new(o, "module", str(p->module));
        json_object_set_new(o, "normalized_version", json_string(""));
        json_object_set_new(o, "cpe", json_string(""));
        json_object_set_new(o, "format", json_string(format_name(p->format)));
        if (p->vendor)
            json_object_set_new(o, "vendor", json_string(p->vendor));
        if (p->purl)
            json_object_set_new(o, "purl", json_string(p->purl));
        json_object_set_new(pkgs, id, o);

        json_t *env = json_object();
        json_object_set_new(env, "package_db", str(ip->package_db));
        json_object_set_new(env, "introduced_in", str(p->introduced_in));
        if (ip->dist_index >= 0) {
            snprintf(did, sizeof(did), "%d", ip->dist_index + 1);
            json_object_set_new(env, "distribution_id", json_string(did));
        } else {
            json_object_set_new(env, "distribution_id", json_string(""));
        }
        json_object_set_new(env, "repository_ids", json_array());
        json_t *list = json_array();
        json_array_append_new(list, env);
        json_object_set_new(envs, id, list);
    }
    json_object_set_new(root, "packages", pkgs);
    json_object_set_new(root, "distributions", dists);
    json_object_set_new(root, "repository", json_object());
    json_object_set_new(root, "environments", envs);

    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return vg_error_set(VG_ERROR, "cannot render the index report as JSON");
    int rc = vg_strbuf_puts(out, text);
    vg_strbuf_putc(out, '\n');
    free(text);
    if (rc)
        return vg_error_set(rc, "index report larger than the output cap");
    return 0;
}
