/* cyclonedx.c — CycloneDX 1.5 JSON: the image as the BOM's subject, one component per package
 * (with its purl) and per distribution, and one vulnerability per finding with its rating,
 * the affected component and the upgrade that fixes it. Reproducible: no timestamp, and the
 * serial number is a name-based UUID of the manifest hash and the BOM's content. */
#include "report_int.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CDX_SCHEMA "http://cyclonedx.org/schema/bom-1.5.schema.json"
#define IMAGE_REF "image"

static void pkg_ref(char out[VG_REPORT_ID_MAX + 16], size_t i)
{
    char id[VG_REPORT_ID_MAX];
    vg_report__pkg_id(id, i);
    snprintf(out, VG_REPORT_ID_MAX + 16, "package:%s", id);
}

static void dist_ref(char out[VG_REPORT_ID_MAX + 16], size_t i)
{
    char id[VG_REPORT_ID_MAX];
    vg_report__dist_id(id, i);
    snprintf(out, VG_REPORT_ID_MAX + 16, "distribution:%s", id);
}

/* Appends {"name": name, "value": value} when value is non-empty. */
static void add_prop(json_t *props, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    json_t *p = json_object();
    json_object_set_new(p, "name", json_string(name));
    json_object_set_new(p, "value", vg_report__str(value));
    json_array_append_new(props, p);
}

static void set_props(json_t *obj, json_t *props)
{
    if (json_array_size(props) > 0)
        json_object_set_new(obj, "properties", props);
    else
        json_decref(props);
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[n] == '\0';
}

static json_t *image_component(const vg_index_report *ix, const vg_render_opts *o)
{
    json_t *c = json_object();
    json_object_set_new(c, "bom-ref", json_string(IMAGE_REF));
    json_object_set_new(c, "type", json_string("container"));
    const char *name = o->image_ref && *o->image_ref ? o->image_ref : ix->manifest_hash;
    json_object_set_new(c, "name", vg_report__str(name && *name ? name : "image"));
    const char *mh = ix->manifest_hash;
    if (mh && *mh) {
        json_object_set_new(c, "version", vg_report__str(mh));
        if (strncmp(mh, "sha256:", 7) == 0 && strlen(mh) == 7 + 64 && is_hex(mh + 7, 64)) {
            json_t *h = json_object();
            json_object_set_new(h, "alg", json_string("SHA-256"));
            json_object_set_new(h, "content", json_string(mh + 7));
            json_t *hashes = json_array();
            json_array_append_new(hashes, h);
            json_object_set_new(c, "hashes", hashes);
        }
    }
    return c;
}

static json_t *dist_component(const vg_index_report *ix, size_t i)
{
    const vg_distribution *d = &ix->dists[i];
    char ref[VG_REPORT_ID_MAX + 16];
    dist_ref(ref, i);
    json_t *c = json_object();
    json_object_set_new(c, "bom-ref", json_string(ref));
    json_object_set_new(c, "type", json_string("operating-system"));
    json_object_set_new(c, "name", vg_report__str(d->did && *d->did ? d->did : d->name));
    if (d->version_id && *d->version_id)
        json_object_set_new(c, "version", vg_report__str(d->version_id));
    if (d->pretty_name && *d->pretty_name)
        json_object_set_new(c, "description", vg_report__str(d->pretty_name));
    if (d->cpe && *d->cpe)
        json_object_set_new(c, "cpe", vg_report__str(d->cpe));
    json_t *props = json_array();
    add_prop(props, "vigil:namespace", d->ns);
    add_prop(props, "vigil:found_in", d->found_in);
    set_props(c, props);
    return c;
}

static json_t *pkg_component(const vg_index_report *ix, size_t i)
{
    const vg_index_pkg *ip = &ix->pkgs[i];
    const vg_package *p = &ip->pkg;
    char ref[VG_REPORT_ID_MAX + 16];
    pkg_ref(ref, i);
    json_t *c = json_object();
    json_object_set_new(c, "bom-ref", json_string(ref));
    json_object_set_new(c, "type", json_string("library"));
    json_object_set_new(c, "name", vg_report__str(p->name));
    if (p->version && *p->version)
        json_object_set_new(c, "version", vg_report__str(p->version));
    if (p->purl && *p->purl)
        json_object_set_new(c, "purl", vg_report__str(p->purl));
    json_t *props = json_array();
    add_prop(props, "vigil:package_db", ip->package_db);
    add_prop(props, "vigil:introduced_in", p->introduced_in);
    add_prop(props, "vigil:format", vg_report__format_name(p->format));
    if (p->source_name && (!p->name || strcmp(p->source_name, p->name) != 0))
        add_prop(props, "vigil:source_name", p->source_name);
    if (p->source_version && (!p->version || strcmp(p->source_version, p->version) != 0))
        add_prop(props, "vigil:source_version", p->source_version);
    add_prop(props, "vigil:arch", p->arch);
    set_props(c, props);
    return c;
}

static const char *cdx_severity(vg_severity s)
{
    static const char *const names[] = {"unknown", "info", "low", "medium", "high", "critical"};
    return (unsigned)s < VG_ARRAY_LEN(names) ? names[s] : "unknown";
}

static const char *cdx_method(const char *cvss_version)
{
    if (strcmp(cvss_version, "4.0") == 0)
        return "CVSSv4";
    if (strcmp(cvss_version, "3.1") == 0)
        return "CVSSv31";
    if (strcmp(cvss_version, "3.0") == 0)
        return "CVSSv3";
    return "CVSSv2";
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* RFC 3339 date-time ("2024-01-02T03:04:05Z", fractions and offsets allowed). */
static bool is_date_time(const char *s)
{
    if (!s || strlen(s) < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!digits(p, 1))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return true;
    return (*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) &&
           p[6] == '\0';
}

static json_t *rating_json(const vg_finding *f)
{
    json_t *rt = json_object();
    json_t *src = json_object();
    const char *ver = vg_report__cvss_version(f->cvss_vector);
    if (ver) {
        json_object_set_new(
            src, "name",
            vg_report__str(f->cvss_source && *f->cvss_source ? f->cvss_source : f->source));
        json_object_set_new(rt, "source", src);
        json_object_set_new(rt, "score", json_real(f->cvss_score));
        json_object_set_new(rt, "severity", json_string(cdx_severity(f->severity)));
        json_object_set_new(rt, "method", json_string(cdx_method(ver)));
        json_object_set_new(rt, "vector", vg_report__str(f->cvss_vector));
    } else {
        json_object_set_new(src, "name", vg_report__str(f->source));
        json_object_set_new(rt, "source", src);
        json_object_set_new(rt, "severity", json_string(cdx_severity(f->severity)));
        json_object_set_new(rt, "method", json_string("other"));
    }
    json_t *ratings = json_array();
    json_array_append_new(ratings, rt);
    return ratings;
}

static json_t *vuln_json(const vg_report_view *v, size_t fi)
{
    const vg_finding *f = &v->r->findings[fi];
    const vg_package *p = &v->r->index->pkgs[f->pkg_index].pkg;
    json_t *o = json_object();
    json_object_set_new(o, "bom-ref", json_string(v->ids[fi]));
    json_object_set_new(o, "id", vg_report__str(f->id));
    json_t *src = json_object();
    json_object_set_new(src, "name", vg_report__str(f->source));
    json_object_set_new(o, "source", src);
    json_object_set_new(o, "ratings", rating_json(f));
    const char *desc = f->description && *f->description ? f->description : f->summary;
    if (desc && *desc)
        json_object_set_new(o, "description", vg_report__str(desc));
    if (f->fixed_version && *f->fixed_version) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
        vg_strbuf_printf(&sb, "Upgrade %s to %s", p->name ? p->name : "", f->fixed_version);
        json_object_set_new(o, "recommendation", vg_report__str(sb.buf));
        vg_strbuf_dispose(&sb);
    }
    json_t *advisories = json_array(), *seen = json_object(); /* uniqueItems */
    for (size_t i = 0; i < f->n_links; i++) {
        const char *url = f->links[i];
        if (!vg_report__is_url(url) || json_object_get(seen, url))
            continue;
        json_object_set_new(seen, url, json_true());
        json_t *a = json_object();
        json_object_set_new(a, "url", json_string(url));
        json_array_append_new(advisories, a);
    }
    json_decref(seen);
    if (json_array_size(advisories) > 0)
        json_object_set_new(o, "advisories", advisories);
    else
        json_decref(advisories);
    if (is_date_time(f->published))
        json_object_set_new(o, "published", json_string(f->published));

    /* The vendor's status, as far as CycloneDX's analysis can say it. */
    json_t *analysis = NULL;
    if (f->status == VG_STATUS_WILL_NOT_FIX || f->status == VG_STATUS_FIXED) {
        analysis = json_object();
        json_t *resp = json_array();
        json_array_append_new(
            resp, json_string(f->status == VG_STATUS_FIXED ? "update" : "will_not_fix"));
        json_object_set_new(analysis, "response", resp);
    } else if (f->status == VG_STATUS_UNDER_INVESTIGATION) {
        analysis = json_object();
        json_object_set_new(analysis, "state", json_string("in_triage"));
    }
    if (analysis)
        json_object_set_new(o, "analysis", analysis);

    char ref[VG_REPORT_ID_MAX + 16];
    pkg_ref(ref, f->pkg_index);
    json_t *ver = json_object();
    json_object_set_new(ver, "version", vg_report__str(p->version));
    json_object_set_new(ver, "status", json_string("affected"));
    json_t *versions = json_array();
    json_array_append_new(versions, ver);
    json_t *aff = json_object();
    json_object_set_new(aff, "ref", json_string(ref));
    json_object_set_new(aff, "versions", versions);
    json_t *affects = json_array();
    json_array_append_new(affects, aff);
    json_object_set_new(o, "affects", affects);

    json_t *props = json_array();
    add_prop(props, "vigil:status", vg_status_name(f->status));
    add_prop(props, "vigil:namespace", f->ns);
    add_prop(props, "vigil:introduced_in", f->introduced_in);
    add_prop(props, "vigil:severity_label", f->severity_label);
    add_prop(props, "vigil:nvd_severity", vg_severity_name(f->nvd_severity));
    set_props(o, props);
    return o;
}

/* A name-based UUID (RFC 4122 version 5, URL namespace) of `name`, as "urn:uuid:...". */
static int uuid5(char out[48], const char *name, size_t len)
{
    static const unsigned char ns_url[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                             0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, ns_url, sizeof(ns_url)) == 1 &&
             EVP_DigestUpdate(ctx, name, len) == 1 && EVP_DigestFinal_ex(ctx, md, &md_len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok || md_len < 16)
        return vg_error_set(VG_ERROR, "cannot compute the BOM serial number (SHA-1 failed)");
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    snprintf(out, 48,
             "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
             md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12],
             md[13], md[14], md[15]);
    return 0;
}

int vg_report__cyclonedx(vg_strbuf *out, const vg_report_view *v, const vg_render_opts *o)
{
    const vg_index_report *ix = v->r->index;
    json_t *root = json_object();
    json_object_set_new(root, "$schema", json_string(CDX_SCHEMA));
    json_object_set_new(root, "bomFormat", json_string("CycloneDX"));
    json_object_set_new(root, "specVersion", json_string("1.5"));
    /* A placeholder, replaced in place (jansson keeps the key's position) once the rest of
     * the document is known. */
    json_object_set_new(root, "serialNumber", json_string(""));
    json_object_set_new(root, "version", json_integer(1));

    json_t *tool = json_object();
    json_object_set_new(tool, "type", json_string("application"));
    json_object_set_new(tool, "name", json_string("vigil"));
    json_object_set_new(tool, "version", vg_report__str(o->tool_version));
    json_t *tool_list = json_array();
    json_array_append_new(tool_list, tool);
    json_t *tools = json_object();
    json_object_set_new(tools, "components", tool_list);
    json_t *meta = json_object();
    json_object_set_new(meta, "tools", tools);
    json_object_set_new(meta, "component", image_component(ix, o));
    json_object_set_new(root, "metadata", meta);

    json_t *comps = json_array(), *deps_on = json_array();
    char ref[VG_REPORT_ID_MAX + 16];
    for (size_t i = 0; i < ix->n_dists; i++) {
        json_array_append_new(comps, dist_component(ix, i));
        dist_ref(ref, i);
        json_array_append_new(deps_on, json_string(ref));
    }
    for (size_t i = 0; i < ix->n_pkgs; i++) {
        json_array_append_new(comps, pkg_component(ix, i));
        pkg_ref(ref, i);
        json_array_append_new(deps_on, json_string(ref));
    }
    json_object_set_new(root, "components", comps);
    json_t *dep = json_object();
    json_object_set_new(dep, "ref", json_string(IMAGE_REF));
    json_object_set_new(dep, "dependsOn", deps_on);
    json_t *deps = json_array();
    json_array_append_new(deps, dep);
    json_object_set_new(root, "dependencies", deps);

    json_t *vulns = json_array();
    for (size_t k = 0; k < v->n; k++)
        json_array_append_new(vulns, vuln_json(v, v->order[k]));
    json_object_set_new(root, "vulnerabilities", vulns);

    /* The serial number names this exact BOM: the manifest plus the rendered content. */
    char *body = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    if (!body) {
        json_decref(root);
        return vg_error_set(VG_ERROR, "cannot render the CycloneDX BOM as JSON");
    }
    vg_strbuf name;
    vg_strbuf_init(&name, VG_STRBUF_DEFAULT_LIMIT);
    vg_strbuf_printf(&name, "vigil:%s\n", ix->manifest_hash ? ix->manifest_hash : "");
    vg_strbuf_puts(&name, body);
    free(body);
    char serial[48];
    int rc = vg_strbuf_error(&name);
    if (rc == 0)
        rc = uuid5(serial, name.buf, name.len);
    else
        vg_error_set(rc, "CycloneDX BOM larger than the output cap");
    vg_strbuf_dispose(&name);
    if (rc) {
        json_decref(root);
        return rc;
    }
    json_object_set_new(root, "serialNumber", json_string(serial));
    return vg_report__dump(out, root, "CycloneDX BOM");
}
