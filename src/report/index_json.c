/* index_json.c — renders an IndexReport in Clair v4's JSON shape with jansson: packages
 * (each with its source package), distributions, and environments (package_db,
 * introduced_in, distribution_id). Ids are assigned in package order, so output is stable.
 * The builders are shared with the VulnerabilityReport (report_int.h). */
#include "report_int.h"

#include <stdio.h>

void vg_report__pkg_id(char out[VG_REPORT_ID_MAX], size_t i)
{
    snprintf(out, VG_REPORT_ID_MAX, "%zu", 2 * i + 1);
}

void vg_report__dist_id(char out[VG_REPORT_ID_MAX], size_t i)
{
    snprintf(out, VG_REPORT_ID_MAX, "%zu", i + 1);
}

json_t *vg_report__dist_json(const vg_index_report *r, size_t i)
{
    const vg_distribution *d = &r->dists[i];
    char id[VG_REPORT_ID_MAX];
    vg_report__dist_id(id, i);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "did", vg_report__str(d->did));
    json_object_set_new(o, "name", vg_report__str(d->name));
    json_object_set_new(o, "version", vg_report__str(d->version));
    json_object_set_new(o, "version_code_name", vg_report__str(d->version_code_name));
    json_object_set_new(o, "version_id", vg_report__str(d->version_id));
    json_object_set_new(o, "arch", json_string(""));
    json_object_set_new(o, "cpe", vg_report__str(d->cpe));
    json_object_set_new(o, "pretty_name", vg_report__str(d->pretty_name));
    /* vigil additions: the namespace used for matching and where it was found. */
    json_object_set_new(o, "namespace", vg_report__str(d->ns));
    json_object_set_new(o, "found_in", vg_report__str(d->found_in));
    return o;
}

const char *vg_report__format_name(vg_pkg_format f)
{
    static const char *const names[] = {"dpkg", "apk", "rpm", "python", "npm", "go", "java", "gem"};
    return (unsigned)f < VG_ARRAY_LEN(names) ? names[f] : "unknown";
}

json_t *vg_report__pkg_json(const vg_index_report *r, size_t i)
{
    const vg_package *p = &r->pkgs[i].pkg;
    char id[VG_REPORT_ID_MAX], sid[VG_REPORT_ID_MAX];
    vg_report__pkg_id(id, i);
    snprintf(sid, sizeof(sid), "%zu", 2 * i + 2);
    json_t *src = json_object();
    json_object_set_new(src, "id", json_string(sid));
    json_object_set_new(src, "name", vg_report__str(p->source_name ? p->source_name : p->name));
    json_object_set_new(src, "version",
                        vg_report__str(p->source_version ? p->source_version : p->version));
    json_object_set_new(src, "kind", json_string("source"));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "name", vg_report__str(p->name));
    json_object_set_new(o, "version", vg_report__str(p->version));
    json_object_set_new(o, "kind", json_string("binary"));
    json_object_set_new(o, "source", src);
    json_object_set_new(o, "arch", vg_report__str(p->arch));
    json_object_set_new(o, "module", vg_report__str(p->module));
    json_object_set_new(o, "normalized_version", json_string(""));
    json_object_set_new(o, "cpe", json_string(""));
    json_object_set_new(o, "format", json_string(vg_report__format_name(p->format)));
    if (p->vendor)
        json_object_set_new(o, "vendor", vg_report__str(p->vendor));
    if (p->purl)
        json_object_set_new(o, "purl", vg_report__str(p->purl));
    return o;
}

static json_t *env_json(const vg_index_report *r, size_t i)
{
    const vg_index_pkg *ip = &r->pkgs[i];
    json_t *env = json_object();
    json_object_set_new(env, "package_db", vg_report__str(ip->package_db));
    json_object_set_new(env, "introduced_in", vg_report__str(ip->pkg.introduced_in));
    char did[VG_REPORT_ID_MAX] = "";
    if (ip->dist_index >= 0 && (size_t)ip->dist_index < r->n_dists)
        vg_report__dist_id(did, (size_t)ip->dist_index);
    json_object_set_new(env, "distribution_id", json_string(did));
    json_object_set_new(env, "repository_ids", json_array());
    json_t *list = json_array();
    json_array_append_new(list, env);
    return list;
}

void vg_report__index_fields(json_t *root, const vg_index_report *r)
{
    json_t *pkgs = json_object(), *envs = json_object(), *dists = json_object();
    char id[VG_REPORT_ID_MAX];
    for (size_t i = 0; i < r->n_dists; i++) {
        vg_report__dist_id(id, i);
        json_object_set_new(dists, id, vg_report__dist_json(r, i));
    }
    for (size_t i = 0; i < r->n_pkgs; i++) {
        vg_report__pkg_id(id, i);
        json_object_set_new(pkgs, id, vg_report__pkg_json(r, i));
        json_object_set_new(envs, id, env_json(r, i));
    }
    json_object_set_new(root, "packages", pkgs);
    json_object_set_new(root, "distributions", dists);
    json_object_set_new(root, "repository", json_object());
    json_object_set_new(root, "environments", envs);
    /* vigil addition: files skipped while indexing (a broken package.json, an unreadable
     * jar), so that a missing package is never silent. */
    json_t *warn = json_array();
    for (size_t i = 0; i < r->n_warnings; i++)
        json_array_append_new(warn, vg_report__str(r->warnings[i]));
    json_object_set_new(root, "warnings", warn);
}

int vg_report_index_json(vg_strbuf *out, const vg_index_report *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "manifest_hash", vg_report__str(r->manifest_hash));
    json_object_set_new(
        root, "state", json_string(r->state == VG_INDEX_FINISHED ? "IndexFinished" : "IndexError"));
    json_object_set_new(root, "success", json_boolean(r->state == VG_INDEX_FINISHED));
    json_object_set_new(root, "err", vg_report__str(r->err));
    vg_report__index_fields(root, r);
    return vg_report__dump(out, root, "index report");
}
