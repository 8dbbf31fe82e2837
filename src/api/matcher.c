/* matcher.c — the matcher routes of the Clair v4 API: the VulnerabilityReport of an indexed
 * manifest (404 when unknown, 202 with a reason while no vulnerability data has loaded, 409
 * when its indexing failed, ETag/304 for re-polls and a bounded cache of rendered reports), and
 * the update operations and their diffs. The ETag of a report is a hash of the manifest, when
 * it was last indexed, the data generation (newest update operation) and the indexer state, so
 * it changes exactly when the answer can. */
#include "api_int.h"
#include "match/match.h"
#include "report/report.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the rendered-report cache ------------------------------------------------------------ */

static bool cache_lookup(vg_server *s, const char *etag, vg_api_resp *o)
{
    bool hit = false;
    pthread_mutex_lock(&s->cache_mu);
    for (vg_api_cached_report *c = s->cache; c; c = c->next) {
        if (strcmp(c->etag, etag) == 0) {
            c->last_use = ++s->cache_clock;
            vg_api_resp_json(o, 200, c->body, c->len);
            hit = true;
            break;
        }
    }
    pthread_mutex_unlock(&s->cache_mu);
    return hit;
}

static void cache_free_entry(vg_api_cached_report *c)
{
    free(c->body);
    free(c);
}

static void cache_insert(vg_server *s, const char *etag, const char *body, size_t len)
{
    const vg_serve_config *cfg = s->cfg;
    if (cfg->report_cache_entries <= 0 || len > cfg->report_cache_bytes)
        return;
    vg_api_cached_report *n = vg_xcalloc(1, sizeof(*n));
    snprintf(n->etag, sizeof(n->etag), "%s", etag);
    n->body = vg_xmalloc(len);
    memcpy(n->body, body, len);
    n->len = len;
    pthread_mutex_lock(&s->cache_mu);
    for (vg_api_cached_report *c = s->cache; c; c = c->next) {
        if (strcmp(c->etag, etag) == 0) { /* a concurrent miss rendered it too */
            pthread_mutex_unlock(&s->cache_mu);
            cache_free_entry(n);
            return;
        }
    }
    /* Evict the least recently used entries until the new one fits both caps. */
    while (s->cache && ((int64_t)s->cache_entries + 1 > cfg->report_cache_entries ||
                        s->cache_bytes + len > cfg->report_cache_bytes)) {
        vg_api_cached_report **lru = &s->cache;
        for (vg_api_cached_report **pp = &s->cache; *pp; pp = &(*pp)->next)
            if ((*pp)->last_use < (*lru)->last_use)
                lru = pp;
        vg_api_cached_report *v = *lru;
        *lru = v->next;
        s->cache_entries--;
        s->cache_bytes -= v->len;
        cache_free_entry(v);
    }
    n->last_use = ++s->cache_clock;
    n->next = s->cache;
    s->cache = n;
    s->cache_entries++;
    s->cache_bytes += len;
    pthread_mutex_unlock(&s->cache_mu);
}

void vg_api_report_cache_clear(vg_server *s)
{
    pthread_mutex_lock(&s->cache_mu);
    while (s->cache) {
        vg_api_cached_report *c = s->cache;
        s->cache = c->next;
        cache_free_entry(c);
    }
    s->cache_entries = 0;
    s->cache_bytes = 0;
    pthread_mutex_unlock(&s->cache_mu);
}

void vg_api_report_cache_dispose(vg_server *s)
{
    vg_api_report_cache_clear(s);
}

/* ---- vulnerability_report ---------------------------------------------------------------- */

static void report_etag(char out[72], const vg_server *s, const char *hash, int64_t stamp,
                        int64_t gen)
{
    char in[512];
    int n = snprintf(in, sizeof(in), "%s|%lld|%lld|%s|%d", hash, (long long)stamp, (long long)gen,
                     s->state, s->cfg->include_kernel_headers ? 1 : 0);
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(in, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
    static const char hex[] = "0123456789abcdef";
    out[0] = '"';
    for (int i = 0; i < 16; i++) {
        out[1 + 2 * i] = hex[md[i] >> 4];
        out[2 + 2 * i] = hex[md[i] & 15];
    }
    out[33] = '"';
    out[34] = '\0';
}

int vg_api_match(vg_vuln_report **out, vg_server *s, const vg_index_report *idx)
{
    vg_match_opts mo;
    vg_match_opts_default(&mo);
    mo.include_kernel_headers = s->cfg->include_kernel_headers;
    double t0 = vg_api_now();
    int rc = vg_match(out, s->store, idx, &mo);
    vg_api_store_observe(s, "match", vg_api_now() - t0);
    return rc;
}

static void cache_count(vg_server *s, const char *what)
{
    const char *l[] = {what};
    vg_metric_add(s->m_report_cache, l, 1);
}

void vg_api_vulnerability_report(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    const char *hash = r->param;
    if (!vg_api_digest_ok(hash)) {
        vg_api_error(o, 400, "malformed path: '%.80s' is not a digest", hash);
        return;
    }
    int64_t stamp = 0, gen = 0;
    double t0 = vg_api_now();
    int rc = vg_store_manifest_stamp(&stamp, s->store, hash);
    if (rc == 0)
        rc = vg_store_generation(&gen, s->store);
    vg_api_store_observe(s, "manifest_stamp", vg_api_now() - t0);
    if (rc == VG_ENOTFOUND) {
        vg_api_error(o, 404,
                     "index report for manifest %s not found: POST it to "
                     "/indexer/api/v1/index_report first",
                     hash);
        return;
    }
    if (rc != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    if (gen == 0) {
        vg_api_resp_header(o, "Retry-After", "%lld",
                           (long long)((s->cfg->retry_after_ms + 999) / 1000));
        vg_api_error_code(o, 202, "no-vulnerability-data",
                          "no vulnerability data has loaded yet (no updater has completed a "
                          "run); a report now would be empty, not clean. Retry later.");
        return;
    }
    char etag[72];
    report_etag(etag, s, hash, stamp, gen);
    vg_api_resp_header(o, "ETag", "%s", etag);
    vg_api_resp_header(o, "Cache-Control", "no-cache");
    if (vg_api_if_none_match(r, etag)) {
        cache_count(s, "not_modified");
        o->status = 304;
        return;
    }
    if (cache_lookup(s, etag, o)) {
        cache_count(s, "hit");
        return;
    }
    cache_count(s, "miss");
    vg_strbuf body;
    vg_strbuf_init(&body, (size_t)1 << 30);
    rc = vg_api_stored_report(s, hash, &body);
    vg_index_report *idx = NULL;
    vg_vuln_report *vr = NULL;
    if (rc == VG_ENOTFOUND) {
        vg_api_error(o, 404, "index report for manifest %s not found", hash);
        goto out;
    }
    if (rc != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        goto out;
    }
    if (vg_report_index_read(&idx, body.buf, body.len) != 0) {
        vg_api_error(o, 500, "stored index report of %s is unreadable: %s", hash, vg_error_last());
        goto out;
    }
    if (idx->state != VG_INDEX_FINISHED) {
        vg_api_error_code(o, 409, "index-failed",
                          "indexing manifest %s failed: %s; POST the manifest again to retry", hash,
                          idx->err ? idx->err : "");
        goto out;
    }
    if (vg_api_match(&vr, s, idx) != 0) {
        vg_api_error(o, 503, "matching failed: %s", vg_error_last());
        goto out;
    }
    vg_render_opts ro = {.color = false, .image_ref = hash, .tool_version = VG_VERSION_STRING};
    vg_strbuf_reset(&body);
    if (vg_report_vuln(&body, vr, VG_FORMAT_JSON, &ro) != 0) {
        vg_api_error(o, 500, "cannot render the report: %s", vg_error_last());
        goto out;
    }
    const char *accept = vg_api_header(r, "Accept");
    const char *vnd = "application/vnd.clair.vulnerabilityreport.v1+json";
    o->content_type = accept && strstr(accept, vnd) ? vnd : "application/json";
    vg_api_resp_json(o, 200, body.buf, body.len);
    cache_insert(s, etag, body.buf, body.len);
out:
    vg_vuln_report_free(vr);
    vg_index_report_free(idx);
    vg_strbuf_dispose(&body);
}

/* ---- update operations ------------------------------------------------------------------- */

static json_t *op_json(const vg_update_op *op)
{
    char date[32];
    time_t t = (time_t)op->date;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *o = json_object();
    json_object_set_new(o, "ref", json_string(op->ref));
    json_object_set_new(o, "updater", json_string(op->updater));
    json_object_set_new(o, "fingerprint", json_string(op->fingerprint));
    json_object_set_new(o, "date", json_string(date));
    json_object_set_new(o, "kind", json_string("vulnerability"));
    return o;
}

static void send_json(vg_api_resp *o, unsigned status, json_t *j)
{
    char *txt = json_dumps(j, JSON_COMPACT);
    vg_api_resp_json(o, status, txt, strlen(txt));
    free(txt);
    json_decref(j);
}

void vg_api_update_operation(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    const char *kind = vg_api_query(r, "kind");
    if (kind && strcmp(kind, "vulnerability") != 0 && strcmp(kind, "enrichment") != 0) {
        vg_api_error(o, 400, "unknown kind: '%.40s' (vulnerability or enrichment)", kind);
        return;
    }
    const char *latest = vg_api_query(r, "latest");
    bool only_latest = latest && (strcmp(latest, "true") == 0 || strcmp(latest, "1") == 0);
    int64_t gen = 0;
    if (vg_store_generation(&gen, s->store) != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    char etag[64];
    snprintf(etag, sizeof(etag), "\"ops-%lld\"", (long long)gen);
    vg_api_resp_header(o, "ETag", "%s", etag);
    if (vg_api_if_none_match(r, etag)) {
        o->status = 304;
        return;
    }
    json_t *root = json_object();
    if (!kind || strcmp(kind, "vulnerability") == 0) {
        vg_update_op *ops = NULL;
        size_t n = 0;
        double t0 = vg_api_now();
        int rc = vg_store_list_ops(&ops, &n, s->store, NULL);
        vg_api_store_observe(s, "list_ops", vg_api_now() - t0);
        if (rc != 0) {
            json_decref(root);
            vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
            return;
        }
        for (size_t i = 0; i < n; i++) { /* newest first */
            json_t *arr = json_object_get(root, ops[i].updater);
            if (!arr) {
                arr = json_array();
                json_object_set_new(root, ops[i].updater, arr);
            } else if (only_latest) {
                continue;
            }
            json_array_append_new(arr, op_json(&ops[i]));
        }
        free(ops);
    }
    send_json(o, 200, root);
}

/* The Clair Vulnerability entries of one advisory (one per affected record). */
static void advisory_vulns(json_t *arr, const vg_advisory *a)
{
    vg_strbuf links;
    vg_strbuf_init(&links, 65536);
    for (size_t i = 0; i < a->n_links; i++) {
        if (links.len)
            vg_strbuf_putc(&links, ' ');
        vg_strbuf_puts(&links, a->links[i]);
    }
    for (size_t i = 0; i < a->n_affected; i++) {
        const vg_affected *af = &a->affected[i];
        json_t *v = json_object();
        vg_strbuf id;
        vg_strbuf_init(&id, 4096);
        vg_strbuf_printf(&id, "%s/%s/%s/%s", a->source, a->id, af->ns, af->package);
        json_object_set_new(v, "id", json_string(id.buf));
        vg_strbuf_dispose(&id);
        json_object_set_new(v, "updater", json_string(a->source));
        json_object_set_new(v, "name", json_string(a->id));
        const char *desc = a->description && *a->description ? a->description : a->summary;
        json_object_set_new(v, "description", json_string(desc ? desc : ""));
        json_object_set_new(v, "issued", json_string(a->published ? a->published : ""));
        json_object_set_new(v, "links", json_string(links.buf));
        json_object_set_new(v, "severity",
                            json_string(a->severity_label && *a->severity_label
                                            ? a->severity_label
                                            : vg_severity_name(a->severity)));
        json_object_set_new(v, "normalized_severity", json_string(vg_severity_name(a->severity)));
        json_t *pkg = json_object();
        json_object_set_new(pkg, "name", json_string(af->package));
        json_object_set_new(pkg, "kind", json_string(af->source_pkg ? "source" : "binary"));
        json_object_set_new(v, "package", pkg);
        json_t *dist = json_object();
        json_object_set_new(dist, "name", json_string(af->ns));
        json_object_set_new(v, "distribution", dist);
        const char *fixed = "";
        for (size_t e = 0; e < af->n_events; e++)
            if (af->events[e].kind == VG_EVENT_FIXED)
                fixed = af->events[e].version;
        json_object_set_new(v, "fixed_in_version", json_string(fixed));
        json_object_set_new(v, "status", json_string(vg_status_name(af->status)));
        json_array_append_new(arr, v);
    }
    vg_strbuf_dispose(&links);
}

typedef struct pick_ctx {
    char **ids;
    size_t n;
    json_t *arr;
} pick_ctx;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int pick_cb(void *arg, const vg_advisory *a)
{
    pick_ctx *p = arg;
    const char *key = a->id;
    if (p->ids && !bsearch(&key, p->ids, p->n, sizeof(*p->ids), cmp_str))
        return 0;
    advisory_vulns(p->arr, a);
    return 0;
}

static const vg_update_op *find_op(const vg_update_op *ops, size_t n, const char *ref)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ops[i].ref, ref) == 0)
            return &ops[i];
    return NULL;
}

void vg_api_update_diff(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    const char *prev_ref = vg_api_query(r, "prev"), *cur_ref = vg_api_query(r, "cur");
    if (!cur_ref || !*cur_ref) {
        vg_api_error(o, 400, "\"cur\" query parameter is required");
        return;
    }
    if (!vg_api_uuid_ok(cur_ref) || (prev_ref && *prev_ref && !vg_api_uuid_ok(prev_ref))) {
        vg_api_error(o, 400, "could not parse \"%s\" query parameter into a UUID",
                     vg_api_uuid_ok(cur_ref) ? "prev" : "cur");
        return;
    }
    vg_update_op *ops = NULL;
    size_t n = 0;
    if (vg_store_list_ops(&ops, &n, s->store, NULL) != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    const vg_update_op *cur = find_op(ops, n, cur_ref);
    const vg_update_op *prev = prev_ref && *prev_ref ? find_op(ops, n, prev_ref) : NULL;
    if (!cur || (prev_ref && *prev_ref && !prev)) {
        vg_api_error(o, 404, "update operation %s not found", cur ? prev_ref : cur_ref);
        free(ops);
        return;
    }
    if (prev && strcmp(prev->updater, cur->updater) != 0) {
        vg_api_error(o, 400, "operations %s (%s) and %s (%s) are of different updaters", prev->ref,
                     prev->updater, cur->ref, cur->updater);
        free(ops);
        return;
    }
    json_t *root = json_object();
    json_object_set_new(root, "prev", prev ? op_json(prev) : json_null());
    json_object_set_new(root, "cur", op_json(cur));
    json_t *added = json_array(), *removed = json_array();
    json_object_set_new(root, "added", added);
    json_object_set_new(root, "removed", removed);
    int rc = 0;
    if (!prev) {
        pick_ctx p = {NULL, 0, added};
        rc = vg_store_op_advisories(s->store, cur->id, pick_cb, &p);
    } else {
        vg_store_diff d;
        rc = vg_store_diff_ops(&d, s->store, prev->id, cur->id);
        if (rc == 0) {
            if (d.n_added > 1)
                qsort(d.added, d.n_added, sizeof(*d.added), cmp_str);
            if (d.n_removed > 1)
                qsort(d.removed, d.n_removed, sizeof(*d.removed), cmp_str);
            pick_ctx pa = {d.added, d.n_added, added}, pr = {d.removed, d.n_removed, removed};
            if (d.n_added)
                rc = vg_store_op_advisories(s->store, cur->id, pick_cb, &pa);
            if (rc == 0 && d.n_removed)
                rc = vg_store_op_advisories(s->store, prev->id, pick_cb, &pr);
            vg_store_diff_dispose(&d);
        }
    }
    free(ops);
    if (rc != 0) {
        json_decref(root);
        vg_api_error(o, 503, "could not compute the diff: %s", vg_error_last());
        return;
    }
    send_json(o, 200, root);
}
