/* vuln_json.c — the Clair v4 VulnerabilityReport: the IndexReport's packages, distributions
 * and environments (same ids, same builders), then vulnerabilities, package_vulnerabilities,
 * the clair.cvss enrichment, and vigil's own counters. */
#include "report_int.h"

#define CVSS_ENRICHMENT                                                                            \
    "message/vnd.clair.map.vulnerability; enricher=clair.cvss "                                    \
    "schema=https://csrc.nist.gov/schema/nvd/feed/1.1/cvss-v3.x.json"

static json_t *links_json(const vg_finding *f)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    for (size_t i = 0; i < f->n_links; i++) {
        if (!f->links[i] || !*f->links[i])
            continue;
        if (sb.len)
            vg_strbuf_putc(&sb, ' ');
        vg_strbuf_puts(&sb, f->links[i]);
    }
    json_t *j = vg_report__str(sb.buf);
    vg_strbuf_dispose(&sb);
    return j;
}

static json_t *vuln_json(const vg_report_view *v, size_t fi)
{
    const vg_vuln_report *r = v->r;
    const vg_finding *f = &r->findings[fi];
    const vg_index_pkg *ip = &r->index->pkgs[f->pkg_index];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(v->ids[fi]));
    json_object_set_new(o, "updater", vg_report__str(f->source));
    json_object_set_new(o, "name", vg_report__str(f->id));
    json_object_set_new(
        o, "description",
        vg_report__str(f->description && *f->description ? f->description : f->summary));
    json_object_set_new(o, "issued", vg_report__str(f->published));
    json_object_set_new(o, "links", links_json(f));
    json_object_set_new(o, "severity",
                        vg_report__str(f->severity_label && *f->severity_label
                                           ? f->severity_label
                                           : vg_severity_name(f->severity)));
    json_object_set_new(o, "normalized_severity", json_string(vg_severity_name(f->severity)));
    json_object_set_new(o, "package", vg_report__pkg_json(r->index, f->pkg_index));
    if (ip->dist_index >= 0 && (size_t)ip->dist_index < r->index->n_dists)
        json_object_set_new(o, "distribution",
                            vg_report__dist_json(r->index, (size_t)ip->dist_index));
    json_object_set_new(o, "repository", json_object());
    json_object_set_new(o, "fixed_in_version", vg_report__str(f->fixed_version));
    json_object_set_new(o, "range", json_object());
    /* vigil additions. */
    json_object_set_new(o, "status", json_string(vg_status_name(f->status)));
    if (f->cvss_vector && *f->cvss_vector) {
        json_t *c = json_object();
        json_object_set_new(c, "vector", vg_report__str(f->cvss_vector));
        json_object_set_new(c, "score", json_real(f->cvss_score));
        json_object_set_new(c, "source", vg_report__str(f->cvss_source));
        json_object_set_new(o, "cvss", c);
    } else {
        json_object_set_new(o, "cvss", json_null());
    }
    json_object_set_new(o, "nvd_severity", json_string(vg_severity_name(f->nvd_severity)));
    json_object_set_new(o, "introduced_in", vg_report__str(f->introduced_in));
    return o;
}

/* The clair.cvss enrichment: vulnerability id -> [NVD cvss-v3.x object], v3 vectors only. */
static json_t *enrichments_json(const vg_report_view *v)
{
    json_t *map = json_object();
    for (size_t k = 0; k < v->n; k++) {
        size_t fi = v->order[k];
        const vg_finding *f = &v->r->findings[fi];
        const char *ver = vg_report__cvss_version(f->cvss_vector);
        if (!ver || ver[0] != '3')
            continue;
        json_t *c = json_object();
        json_object_set_new(c, "version", json_string(ver));
        json_object_set_new(c, "vectorString", vg_report__str(f->cvss_vector));
        json_object_set_new(c, "baseScore", json_real(f->cvss_score));
        char sev[16];
        const char *rating = vg_report__score_rating(f->cvss_score);
        size_t i = 0;
        for (; rating[i] && i + 1 < sizeof(sev); i++)
            sev[i] = (char)(rating[i] - 'a' + 'A');
        sev[i] = '\0';
        json_object_set_new(c, "baseSeverity", json_string(sev));
        json_t *list = json_array();
        json_array_append_new(list, c);
        json_object_set_new(map, v->ids[fi], list);
    }
    json_t *e = json_object();
    if (json_object_size(map) > 0) {
        json_t *arr = json_array();
        json_array_append_new(arr, map);
        json_object_set_new(e, CVSS_ENRICHMENT, arr);
    } else {
        json_decref(map);
    }
    return e;
}

int vg_report__json(vg_strbuf *out, const vg_report_view *v, const vg_render_opts *o)
{
    (void)o;
    const vg_vuln_report *r = v->r;
    json_t *root = json_object();
    json_object_set_new(root, "manifest_hash", vg_report__str(r->index->manifest_hash));
    vg_report__index_fields(root, r->index);

    json_t *vulns = json_object(), *by_pkg = json_object();
    json_t *list = NULL;
    size_t list_pkg = 0;
    for (size_t k = 0; k < v->n; k++) {
        size_t fi = v->order[k];
        const vg_finding *f = &r->findings[fi];
        json_object_set_new(vulns, v->ids[fi], vuln_json(v, fi));
        /* The view is grouped by package and sorted by severity within it. */
        if (!list || list_pkg != f->pkg_index) {
            char pid[VG_REPORT_ID_MAX];
            vg_report__pkg_id(pid, f->pkg_index);
            list = json_array();
            list_pkg = f->pkg_index;
            json_object_set_new(by_pkg, pid, list);
        }
        json_array_append_new(list, json_string(v->ids[fi]));
    }
    json_object_set_new(root, "vulnerabilities", vulns);
    json_object_set_new(root, "package_vulnerabilities", by_pkg);
    json_object_set_new(root, "enrichments", enrichments_json(v));

    json_t *vg = json_object();
    json_object_set_new(vg, "suppressed_kernel_headers",
                        json_integer((json_int_t)r->n_suppressed_kernel));
    json_object_set_new(vg, "invalid_records", json_integer((json_int_t)r->n_invalid));
    if (r->first_invalid)
        json_object_set_new(vg, "first_invalid", vg_report__str(r->first_invalid));
    json_object_set_new(root, "vigil", vg);
    return vg_report__dump(out, root, "vulnerability report");
}
