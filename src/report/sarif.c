/* sarif.c — SARIF 2.1.0 for code-scanning tools: one rule per advisory id (descriptions, help
 * link, security-severity from CVSS) and one result per finding, located at the package
 * database that lists the package, inside the image named by a logical location. */
#include "report_int.h"

#include <stdio.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const char *level_of(vg_severity s)
{
    if (s >= VG_SEV_HIGH)
        return "error";
    if (s == VG_SEV_MEDIUM)
        return "warning";
    return "note";
}

/* GitHub's security-severity (it ranks alerts by it): the CVSS score when it agrees with the
 * severity shown — the vendor's wins, as everywhere — else a score typical of that severity. */
static double security_score(const vg_finding *f)
{
    static const double typical[] = {0.0, 0.5, 2.0, 5.5, 8.0, 9.5};
    static const vg_severity band[] = {VG_SEV_UNKNOWN, VG_SEV_LOW, VG_SEV_MEDIUM, VG_SEV_HIGH,
                                       VG_SEV_CRITICAL};
    static const double cut[] = {0.1, 4.0, 7.0, 9.0}; /* where each band starts */
    vg_severity s = (unsigned)f->severity < VG_ARRAY_LEN(typical) ? f->severity : VG_SEV_UNKNOWN;
    if (f->cvss_vector && f->cvss_score > 0.0) {
        size_t b = 0;
        while (b < VG_ARRAY_LEN(cut) && f->cvss_score >= cut[b])
            b++;
        if (s == VG_SEV_UNKNOWN || band[b] == s || (s == VG_SEV_NEGLIGIBLE && b <= 1))
            return f->cvss_score;
    }
    return typical[s];
}

/* A relative URI for a package database path: unreserved bytes and '/' kept, the rest
 * percent-encoded. */
static json_t *path_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    for (const unsigned char *p = (const unsigned char *)(path ? path : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            vg_strbuf_putc(&sb, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            vg_strbuf_append(&sb, e, 3);
        }
    }
    json_t *j = json_string(sb.buf);
    vg_strbuf_dispose(&sb);
    return j;
}

static json_t *text_obj(const char *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", vg_report__str(s));
    return o;
}

static const char *nonempty(const char *a, const char *b, const char *c)
{
    if (a && *a)
        return a;
    if (b && *b)
        return b;
    return c;
}

typedef struct rule_acc {
    size_t first; /* finding index that introduced the rule */
    double score; /* the highest security_score */
    vg_severity sev;
} rule_acc;

static json_t *rule_json(const vg_finding *f, const rule_acc *acc)
{
    json_t *rule = json_object();
    json_object_set_new(rule, "id", vg_report__str(f->id));
    json_object_set_new(rule, "shortDescription", text_obj(nonempty(f->summary, f->id, "")));
    json_object_set_new(rule, "fullDescription",
                        text_obj(nonempty(f->description, f->summary, f->id)));
    const char *url = vg_report__first_url(f);
    if (url)
        json_object_set_new(rule, "helpUri", json_string(url));
    json_t *help = json_object();
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    vg_strbuf_printf(&sb, "%s (%s)", f->id ? f->id : "", vg_severity_name(acc->sev));
    if (url)
        vg_strbuf_printf(&sb, ": %s", url);
    json_object_set_new(help, "text", vg_report__str(sb.buf));
    vg_strbuf_dispose(&sb);
    json_object_set_new(rule, "help", help);
    json_t *cfg = json_object();
    json_object_set_new(cfg, "level", json_string(level_of(acc->sev)));
    json_object_set_new(rule, "defaultConfiguration", cfg);
    json_t *props = json_object();
    char score[16];
    snprintf(score, sizeof(score), "%.1f", acc->score);
    json_object_set_new(props, "security-severity", json_string(score));
    json_t *tags = json_array();
    json_array_append_new(tags, json_string("security"));
    json_array_append_new(tags, json_string("vulnerability"));
    json_array_append_new(tags, json_string(vg_severity_name(acc->sev)));
    json_object_set_new(props, "tags", tags);
    json_object_set_new(rule, "properties", props);
    return rule;
}

static json_t *result_json(const vg_report_view *v, size_t fi, size_t rule_index,
                           const vg_render_opts *o)
{
    const vg_finding *f = &v->r->findings[fi];
    const vg_index_report *ix = v->r->index;
    const vg_index_pkg *ip = &ix->pkgs[f->pkg_index];
    json_t *res = json_object();
    json_object_set_new(res, "ruleId", vg_report__str(f->id));
    json_object_set_new(res, "ruleIndex", json_integer((json_int_t)rule_index));
    json_object_set_new(res, "level", json_string(level_of(f->severity)));

    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    vg_strbuf_printf(&sb, "%s %s is affected by %s", ip->pkg.name ? ip->pkg.name : "",
                     ip->pkg.version ? ip->pkg.version : "", f->id ? f->id : "");
    if (f->fixed_version && *f->fixed_version)
        vg_strbuf_printf(&sb, " (fixed in %s)", f->fixed_version);
    else if (f->status == VG_STATUS_WILL_NOT_FIX)
        vg_strbuf_puts(&sb, " (the vendor will not fix it)");
    else if (f->status == VG_STATUS_UNDER_INVESTIGATION)
        vg_strbuf_puts(&sb, " (under investigation)");
    else
        vg_strbuf_puts(&sb, " (no fix available)");
    json_object_set_new(res, "message", text_obj(sb.buf));

    json_t *art = json_object();
    json_object_set_new(art, "uri", path_uri(ip->package_db));
    json_t *region = json_object();
    json_object_set_new(region, "startLine", json_integer(1));
    json_t *phys = json_object();
    json_object_set_new(phys, "artifactLocation", art);
    json_object_set_new(phys, "region", region);
    json_t *loc = json_object();
    json_object_set_new(loc, "physicalLocation", phys);
    const char *image = nonempty(o->image_ref, ix->manifest_hash, NULL);
    if (image) {
        json_t *logical = json_object();
        json_object_set_new(logical, "name", vg_report__str(image));
        json_object_set_new(logical, "fullyQualifiedName", vg_report__str(image));
        json_object_set_new(logical, "kind", json_string("module"));
        json_t *ll = json_array();
        json_array_append_new(ll, logical);
        json_object_set_new(loc, "logicalLocations", ll);
    }
    json_t *locs = json_array();
    json_array_append_new(locs, loc);
    json_object_set_new(res, "locations", locs);

    /* A stable identity for code-scanning dedup across runs: advisory, package, database. */
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb, "%s:%s:%s", f->id ? f->id : "", ip->pkg.name ? ip->pkg.name : "",
                     ip->package_db ? ip->package_db : "");
    json_t *fp = json_object();
    json_object_set_new(fp, "vigil/v1", vg_report__str(sb.buf));
    json_object_set_new(res, "partialFingerprints", fp);
    vg_strbuf_dispose(&sb);

    json_t *props = json_object();
    json_object_set_new(props, "vulnerabilityId", json_string(v->ids[fi]));
    json_object_set_new(props, "package", vg_report__str(ip->pkg.name));
    json_object_set_new(props, "installedVersion", vg_report__str(ip->pkg.version));
    json_object_set_new(props, "fixedVersion", vg_report__str(f->fixed_version));
    json_object_set_new(props, "status", json_string(vg_status_name(f->status)));
    json_object_set_new(props, "severity", json_string(vg_severity_name(f->severity)));
    if (f->cvss_vector && *f->cvss_vector) {
        json_object_set_new(props, "cvssVector", vg_report__str(f->cvss_vector));
        json_object_set_new(props, "cvssScore", json_real(f->cvss_score));
    }
    json_object_set_new(props, "introducedIn", vg_report__str(f->introduced_in));
    json_object_set_new(props, "updater", vg_report__str(f->source));
    json_object_set_new(res, "properties", props);
    return res;
}

int vg_report__sarif(vg_strbuf *out, const vg_report_view *v, const vg_render_opts *o)
{
    const vg_vuln_report *r = v->r;
    /* Pass 1: one rule per advisory id, in order of first appearance, with the highest
     * severity and CVSS score any of its findings has. */
    json_t *index_of = json_object();
    rule_acc *acc = vg_xcalloc(v->n ? v->n : 1, sizeof(*acc));
    size_t *rule_of = vg_xcalloc(v->n ? v->n : 1, sizeof(*rule_of));
    size_t n_rules = 0;
    for (size_t k = 0; k < v->n; k++) {
        const vg_finding *f = &r->findings[v->order[k]];
        json_t *key = vg_report__str(f->id);
        json_t *have = json_object_get(index_of, json_string_value(key));
        size_t ri;
        if (have) {
            ri = (size_t)json_integer_value(have);
        } else {
            ri = n_rules++;
            acc[ri].first = v->order[k];
            acc[ri].sev = f->severity;
            acc[ri].score = security_score(f);
            json_object_set_new(index_of, json_string_value(key), json_integer((json_int_t)ri));
        }
        json_decref(key);
        if (f->severity > acc[ri].sev)
            acc[ri].sev = f->severity;
        if (security_score(f) > acc[ri].score)
            acc[ri].score = security_score(f);
        rule_of[k] = ri;
    }
    json_decref(index_of);

    json_t *rules = json_array(), *results = json_array();
    for (size_t ri = 0; ri < n_rules; ri++)
        json_array_append_new(rules, rule_json(&r->findings[acc[ri].first], &acc[ri]));
    for (size_t k = 0; k < v->n; k++)
        json_array_append_new(results, result_json(v, v->order[k], rule_of[k], o));
    free(acc);
    free(rule_of);

    json_t *driver = json_object();
    json_object_set_new(driver, "name", json_string("vigil"));
    json_object_set_new(driver, "version", vg_report__str(o->tool_version));
    json_object_set_new(driver, "informationUri", json_string(VG_INFORMATION_URI));
    json_object_set_new(driver, "rules", rules);
    json_t *tool = json_object();
    json_object_set_new(tool, "driver", driver);

    json_t *run = json_object();
    json_object_set_new(run, "tool", tool);
    json_object_set_new(run, "results", results);
    json_t *props = json_object();
    if (o->image_ref)
        json_object_set_new(props, "imageRef", vg_report__str(o->image_ref));
    json_object_set_new(props, "manifestHash", vg_report__str(r->index->manifest_hash));
    json_object_set_new(props, "suppressedKernelHeaders",
                        json_integer((json_int_t)r->n_suppressed_kernel));
    json_object_set_new(props, "invalidRecords", json_integer((json_int_t)r->n_invalid));
    json_object_set_new(run, "properties", props);
    json_t *runs = json_array();
    json_array_append_new(runs, run);

    json_t *root = json_object();
    json_object_set_new(root, "$schema", json_string(SARIF_SCHEMA));
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_object_set_new(root, "runs", runs);
    return vg_report__dump(out, root, "SARIF log");
}
