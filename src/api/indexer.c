/* indexer.c — the indexer routes of the Clair v4 API: POST a Manifest (layers by URI) to index
 * it, GET/DELETE one IndexReport, bulk DELETE, and the indexer state. Index jobs are capped
 * (429 + Retry-After above index_concurrency); a layer already in the store is never fetched
 * again, and a layer two jobs need at once is indexed by one while the other waits for it
 * (the in-flight table below; across instances sharing a store, a layer claim in the store
 * with a lease). A failed index is recorded as an IndexError report with its
 * reason, and posting the manifest again retries it. */
#include "api_int.h"
#include "image/image.h"
#include "index/index.h"
#include "match/match.h"
#include "report/report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the layer cache shared by concurrent jobs ----------------------------------------- */

static void inflight_release(vg_server *s, uint64_t job, const char *digest);

typedef struct job_cache {
    vg_server *s;
    uint64_t job;
    size_t waited;     /* layers another job was indexing when this one wanted them */
    bool store_failed; /* a store call failed: the job's failure is the store's (503) */
} job_cache;

static vg_api_inflight *inflight_find(vg_server *s, const char *digest)
{
    for (vg_api_inflight *f = s->inflight; f; f = f->next)
        if (strcmp(f->digest, digest) == 0)
            return f;
    return NULL;
}

typedef struct decode_ctx {
    vg_layer_result **out;
    int rc;
} decode_ctx;

static int decode_body(void *arg, const char *body, size_t len)
{
    decode_ctx *d = arg;
    d->rc = vg_layer_result_from_json(d->out, body, len);
    return 0;
}

static int store_get(vg_server *s, const char *digest, vg_layer_result **out)
{
    decode_ctx d = {out, VG_ENOTFOUND};
    double t0 = vg_api_now();
    int rc = vg_store_layer_get(s->store, digest, vg_index_scanners_version(), decode_body, &d);
    vg_api_store_observe(s, "layer_get", vg_api_now() - t0);
    if (rc)
        return rc;
    if (d.rc == 0 && strcmp((*out)->digest, digest) != 0) {
        vg_layer_result_free(*out);
        return VG_ENOTFOUND; /* a row that is not what its key says: index it again */
    }
    return d.rc == 0 ? 0 : VG_ENOTFOUND;
}

/* Across instances sharing the store: claims the layer for this instance, or waits while
 * another instance's claim runs, polling the store for its result. 0 with `*out` when that
 * result arrived; VG_ENOTFOUND when this instance should index it (claim taken, or the other
 * claim lapsed and this one took over); another code when the store failed. */
static int claim_or_wait(vg_server *s, const char *digest, vg_layer_result **out, bool *claimed)
{
    const char *scanners = vg_index_scanners_version();
    int64_t lease = (s->cfg->layer_claim_ms + 999) / 1000;
    bool waited = false;
    for (;;) {
        bool got = false;
        int rc = vg_store_layer_claim(&got, s->store, digest, scanners, s->instance,
                                      (int64_t)time(NULL), lease);
        if (rc != 0)
            return rc;
        if (got) {
            /* The previous owner may have stored its result and let go just now. */
            if ((rc = store_get(s, digest, out)) != VG_ENOTFOUND) {
                if (vg_store_layer_unclaim(s->store, digest, scanners, s->instance) != 0)
                    vg_error_clear();
                return rc;
            }
            *claimed = true;
            if (waited) {
                const char *l[] = {"expired"};
                vg_metric_add(s->m_layer_waits, l, 1);
            }
            return VG_ENOTFOUND;
        }
        waited = true;
        pthread_mutex_lock(&s->upd_mu);
        bool stop = s->stopping;
        pthread_mutex_unlock(&s->upd_mu);
        if (stop)
            return vg_error_set(VG_EIO,
                                "shutting down while layer %.80s was being indexed by "
                                "another instance",
                                digest);
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
        if ((rc = store_get(s, digest, out)) != VG_ENOTFOUND) {
            if (rc == 0) {
                const char *l[] = {"reused"};
                vg_metric_add(s->m_layer_waits, l, 1);
            }
            return rc;
        }
    }
}

static int cache_get(void *ctx, const char *digest, vg_layer_result **out)
{
    job_cache *jc = ctx;
    vg_server *s = jc->s;
    for (;;) {
        pthread_mutex_lock(&s->layer_mu);
        bool waited = false;
        vg_api_inflight *f;
        while ((f = inflight_find(s, digest)) != NULL && f->owner != jc->job) {
            pthread_cond_wait(&s->layer_cv, &s->layer_mu);
            waited = true;
        }
        pthread_mutex_unlock(&s->layer_mu);
        if (waited)
            jc->waited++;
        int rc = store_get(s, digest, out);
        if (rc != VG_ENOTFOUND) {
            jc->store_failed = rc != 0;
            return rc;
        }
        pthread_mutex_lock(&s->layer_mu);
        f = inflight_find(s, digest);
        if (f && f->owner != jc->job) { /* another job took it meanwhile: wait for it */
            pthread_mutex_unlock(&s->layer_mu);
            continue;
        }
        bool mine = f != NULL;
        if (!f) {
            f = vg_xcalloc(1, sizeof(*f));
            snprintf(f->digest, sizeof(f->digest), "%s", digest);
            f->owner = jc->job;
            f->next = s->inflight;
            s->inflight = f;
        }
        pthread_mutex_unlock(&s->layer_mu);
        if (mine)
            return VG_ENOTFOUND;
        /* This process's other jobs now wait on the mark; other instances see the claim. */
        bool claimed = false;
        rc = claim_or_wait(s, digest, out, &claimed);
        if (claimed) {
            pthread_mutex_lock(&s->layer_mu);
            f->claimed = true;
            pthread_mutex_unlock(&s->layer_mu);
        }
        if (rc != VG_ENOTFOUND) /* the other instance's result, or a store failure */
            inflight_release(s, jc->job, digest);
        if (rc != 0 && rc != VG_ENOTFOUND)
            jc->store_failed = true;
        return rc;
    }
}

/* Drops this job's in-flight marks (one digest, or all with NULL), ends their store claims
 * and wakes the waiters. */
static void inflight_release(vg_server *s, uint64_t job, const char *digest)
{
    vg_api_inflight *gone = NULL;
    pthread_mutex_lock(&s->layer_mu);
    for (vg_api_inflight **pp = &s->inflight; *pp;) {
        vg_api_inflight *f = *pp;
        if (f->owner == job && (!digest || strcmp(f->digest, digest) == 0)) {
            *pp = f->next;
            f->next = gone;
            gone = f;
        } else {
            pp = &f->next;
        }
    }
    pthread_mutex_unlock(&s->layer_mu);
    while (gone) {
        vg_api_inflight *f = gone;
        gone = f->next;
        /* A failed unclaim only leaves a claim to lapse: other instances wait out its lease. */
        if (f->claimed &&
            vg_store_layer_unclaim(s->store, f->digest, vg_index_scanners_version(), s->instance))
            vg_error_clear();
        free(f);
    }
    pthread_mutex_lock(&s->layer_mu);
    pthread_cond_broadcast(&s->layer_cv);
    pthread_mutex_unlock(&s->layer_mu);
}

static int cache_put(void *ctx, const vg_layer_result *r)
{
    job_cache *jc = ctx;
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)256 << 20);
    int rc = vg_layer_result_to_json(&sb, r);
    if (rc == 0) {
        double t0 = vg_api_now();
        rc = vg_store_layer_put(jc->s->store, r->digest, vg_index_scanners_version(), sb.buf,
                                sb.len);
        vg_api_store_observe(jc->s, "layer_put", vg_api_now() - t0);
        jc->store_failed = rc != 0;
    }
    vg_strbuf_dispose(&sb);
    inflight_release(jc->s, jc->job, r->digest);
    return rc;
}

/* ---- the claim keeper ---------------------------------------------------------------------- */

/* Renews this instance's layer claims every third of the lease while their layers are being
 * indexed: a long layer keeps its claim, and the claims of an instance that died lapse within
 * one lease (indexer.layer_claim), when another instance takes the layer over. */
static void *keeper_main(void *arg)
{
    vg_server *s = arg;
    int64_t lease = (s->cfg->layer_claim_ms + 999) / 1000;
    int64_t period_ms = s->cfg->layer_claim_ms / 3 > 500 ? s->cfg->layer_claim_ms / 3 : 500;
    const char *scanners = vg_index_scanners_version();
    for (;;) {
        pthread_mutex_lock(&s->upd_mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + (period_ms % 1000) * 1000000L;
        until.tv_sec += (time_t)(period_ms / 1000 + ns / 1000000000L);
        until.tv_nsec = (long)(ns % 1000000000L);
        int w = 0;
        while (!s->stopping && w != ETIMEDOUT)
            w = pthread_cond_timedwait(&s->upd_cv, &s->upd_mu, &until);
        bool stop = s->stopping;
        pthread_mutex_unlock(&s->upd_mu);
        if (stop)
            break;
        char(*held)[136] = NULL;
        size_t n = 0, cap = 0;
        pthread_mutex_lock(&s->layer_mu);
        for (vg_api_inflight *f = s->inflight; f; f = f->next) {
            if (!f->claimed)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                held = vg_xrealloc(held, cap * sizeof(*held));
            }
            memcpy(held[n++], f->digest, sizeof(held[0]));
        }
        pthread_mutex_unlock(&s->layer_mu);
        for (size_t i = 0; i < n; i++) {
            bool got = false;
            if (vg_store_layer_claim(&got, s->store, held[i], scanners, s->instance,
                                     (int64_t)time(NULL), lease) != 0 ||
                !got) {
                vg_log_field f[] = {
                    {.key = "layer", .str = held[i]},
                    {.key = "error", .str = got ? vg_error_last() : "claimed by another instance"}};
                vg_log_event(VG_LOG_WARN, "layer claim not renewed", f, VG_ARRAY_LEN(f));
                vg_error_clear();
            }
        }
        free(held);
    }
    return NULL;
}

int vg_api_claim_keeper_start(vg_server *s)
{
    int e = pthread_create(&s->keeper, NULL, keeper_main, s);
    if (e != 0)
        return vg_error_set(VG_ERROR, "cannot start the layer claim keeper: %s", strerror(e));
    s->keeper_started = true;
    return 0;
}

void vg_api_claim_keeper_stop(vg_server *s)
{
    if (!s->keeper_started)
        return;
    pthread_mutex_lock(&s->upd_mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->upd_cv);
    pthread_mutex_unlock(&s->upd_mu);
    pthread_join(s->keeper, NULL);
    s->keeper_started = false;
}

/* ---- the Manifest body ------------------------------------------------------------------- */

void vg_api_manifest_dispose(vg_api_manifest *m)
{
    for (size_t i = 0; m->headers && i < m->n; i++) {
        for (size_t k = 0; k < m->layers[i].n_headers; k++)
            free((char *)m->headers[i][k]);
        free(m->headers[i]);
    }
    free(m->headers);
    free(m->layers);
    json_decref(m->root);
}

int vg_api_manifest_parse(vg_api_manifest *m, const char *body, size_t len, uint64_t max_layers,
                          vg_api_resp *o)
{
    memset(m, 0, sizeof(*m));
    json_error_t je;
    m->root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!m->root) {
        vg_api_error(o, 400, "failed to deserialize manifest: %s at line %d column %d", je.text,
                     je.line, je.column);
        return -1;
    }
    if (!json_is_object(m->root)) {
        vg_api_error(o, 400, "failed to deserialize manifest: expected an object");
        return -1;
    }
    json_t *h = json_object_get(m->root, "hash");
    if (!json_is_string(h) || !vg_api_digest_ok(json_string_value(h))) {
        vg_api_error(o, 400, "bogus manifest: \"hash\" must be a digest (sha256:<64 hex>)");
        return -1;
    }
    m->hash = json_string_value(h);
    json_t *ls = json_object_get(m->root, "layers");
    if (!json_is_array(ls) || json_array_size(ls) == 0) {
        vg_api_error(o, 400, "bogus manifest: \"layers\" must be a non-empty array");
        return -1;
    }
    if (json_array_size(ls) > max_layers) {
        vg_api_error(o, 400, "manifest has %zu layers, over the cap of %llu (limits.max_layers)",
                     json_array_size(ls), (unsigned long long)max_layers);
        return -1;
    }
    m->n = json_array_size(ls);
    m->layers = vg_xcalloc(m->n, sizeof(*m->layers));
    m->headers = vg_xcalloc(m->n, sizeof(*m->headers));
    for (size_t i = 0; i < m->n; i++) {
        json_t *l = json_array_get(ls, i);
        json_t *lh = json_object_get(l, "hash"), *lu = json_object_get(l, "uri");
        json_t *hd = json_object_get(l, "headers"), *mt = json_object_get(l, "media_type");
        if (!json_is_object(l) || !json_is_string(lh) || !json_is_string(lu)) {
            vg_api_error(o, 400, "bogus manifest: layers[%zu] needs \"hash\" and \"uri\" strings",
                         i);
            return -1;
        }
        if (!vg_api_digest_ok(json_string_value(lh))) {
            vg_api_error(o, 400, "bogus manifest: layers[%zu].hash is not a digest", i);
            return -1;
        }
        if (mt && !json_is_null(mt) && !json_is_string(mt)) {
            vg_api_error(o, 400, "bogus manifest: layers[%zu].media_type must be a string", i);
            return -1;
        }
        m->layers[i].digest = json_string_value(lh);
        m->layers[i].uri = json_string_value(lu);
        m->layers[i].media_type = json_is_string(mt) ? json_string_value(mt) : NULL;
        if (hd && !json_is_null(hd)) {
            if (!json_is_object(hd)) {
                vg_api_error(o, 400, "bogus manifest: layers[%zu].headers must be an object", i);
                return -1;
            }
            size_t cap = 0, n = 0;
            const char **lines = NULL;
            const char *name;
            json_t *vals;
            json_object_foreach(hd, name, vals)
            {
                size_t nv = json_is_array(vals) ? json_array_size(vals) : 1;
                for (size_t k = 0; k < nv; k++) {
                    json_t *v = json_is_array(vals) ? json_array_get(vals, k) : vals;
                    if (!json_is_string(v)) {
                        for (size_t q = 0; q < n; q++)
                            free((char *)lines[q]);
                        free(lines);
                        vg_api_error(o, 400,
                                     "bogus manifest: layers[%zu].headers.%.64s must be strings", i,
                                     name);
                        return -1;
                    }
                    if (n == cap) {
                        cap = cap ? cap * 2 : 4;
                        lines = vg_xrealloc(lines, cap * sizeof(*lines));
                    }
                    vg_strbuf sb;
                    vg_strbuf_init(&sb, 65536);
                    vg_strbuf_printf(&sb, "%s: %s", name, json_string_value(v));
                    lines[n++] = vg_strbuf_detach(&sb);
                }
            }
            m->headers[i] = lines;
            m->layers[i].headers = lines;
            m->layers[i].n_headers = n;
        }
    }
    return 0;
}

/* ---- responses ---------------------------------------------------------------------------- */

static void links(vg_api_resp *o, const char *hash)
{
    vg_api_resp_header(o, "Link",
                       "</indexer/api/v1/index_report/%s>; "
                       "rel=\"https://projectquay.io/clair/v1/index_report\", "
                       "</matcher/api/v1/vulnerability_report/%s>; "
                       "rel=\"https://projectquay.io/clair/v1/vulnerability_report\"",
                       hash, hash);
}

static int copy_body(void *arg, const char *body, size_t len)
{
    return vg_strbuf_append(arg, body, len) == 0
               ? 0
               : vg_error_set(VG_ETOOBIG, "a stored index report is larger than %zu bytes",
                              ((vg_strbuf *)arg)->limit);
}

int vg_api_stored_report(vg_server *s, const char *hash, vg_strbuf *sb)
{
    double t0 = vg_api_now();
    int rc = vg_store_manifest_get(s->store, hash, copy_body, sb);
    vg_api_store_observe(s, "manifest_get", vg_api_now() - t0);
    return rc;
}

/* Whether a stored IndexReport is a finished one. The store holds only what this server
 * wrote (vg_report_index_json puts "manifest_hash" then "state" first), so the state is read
 * from the head of the text instead of parsing a report of maybe megabytes on every POST. */
static bool report_finished(const vg_strbuf *sb)
{
    size_t n = sb->len < 512 ? sb->len : 512;
    const char *p = memmem(sb->buf, n, "\"state\"", 7);
    if (!p)
        return false;
    p += 7;
    const char *end = sb->buf + n;
    while (p < end && (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t'))
        p++;
    return (size_t)(end - p) >= 15 && memcmp(p, "\"IndexFinished\"", 15) == 0;
}

static void store_failed(vg_server *s, const char *hash, const char *reason)
{
    vg_index_report *r = vg_index_report_new(hash);
    r->state = VG_INDEX_ERROR;
    r->err = vg_index_report_strdup(r, reason);
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)1 << 20);
    if (vg_report_index_json(&sb, r) == 0) {
        double t0 = vg_api_now();
        if (vg_store_manifest_put(s->store, hash, sb.buf, sb.len, NULL, 0, NULL, 0) != 0)
            vg_log(VG_LOG_WARN, "cannot record the failed index of %s: %s", hash, vg_error_last());
        vg_api_store_observe(s, "manifest_put", vg_api_now() - t0);
    }
    vg_strbuf_dispose(&sb);
    vg_index_report_free(r);
}

static const char *const indexreport_ct = "application/vnd.clair.indexreport.v1+json";

/* A vigil extension: the client may say which repository the manifest is
 * (X-Vigil-Repository: "registry:5000/app:1"; `vigil report` sends it), kept for the dashboard.
 * A bad or surplus name is logged, never fails the index. */
static void record_name(vg_server *s, const vg_api_req *r, const char *hash)
{
    const char *name = vg_api_header(r, "X-Vigil-Repository");
    if (!name || !*name)
        return;
    if (vg_store_manifest_name(s->store, hash, name) != 0) {
        vg_log_field f[] = {{.key = "manifest", .str = hash},
                            {.key = "error", .str = vg_error_last()}};
        vg_log_event(VG_LOG_WARN, "repository name not recorded", f, VG_ARRAY_LEN(f));
        vg_error_clear();
    }
}

static void set_ct(const vg_api_req *r, vg_api_resp *o, const char *vnd)
{
    const char *accept = vg_api_header(r, "Accept");
    o->content_type = accept && strstr(accept, vnd) ? vnd : "application/json";
}

static void state_etag(const vg_server *s, char out[80])
{
    snprintf(out, 80, "\"%s\"", s->state);
}

void vg_api_index_report_post(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    const vg_serve_config *c = s->cfg;
    vg_api_manifest m;
    if (vg_api_manifest_parse(&m, r->body, r->body_len, c->max_layers, o) != 0) {
        vg_api_manifest_dispose(&m);
        return;
    }
    char etag[80];
    state_etag(s, etag);
    vg_strbuf prev;
    vg_strbuf_init(&prev, (size_t)1 << 30);
    int rc = vg_api_stored_report(s, m.hash, &prev);
    if (rc != 0 && rc != VG_ENOTFOUND) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        goto out;
    }
    bool done = rc == 0 && report_finished(&prev);
    if (done && vg_api_if_none_match(r, etag)) {
        /* Clair's contract: the client already has this manifest indexed in this state. */
        o->status = 412;
        vg_api_resp_header(o, "ETag", "%s", etag);
        links(o, m.hash);
        goto out;
    }
    if (done) {
        record_name(s, r, m.hash);
        const char *l[] = {"cached"};
        vg_metric_add(s->m_index_jobs, l, 1);
        set_ct(r, o, indexreport_ct);
        vg_api_resp_json(o, 201, prev.buf, prev.len);
        vg_api_resp_header(o, "ETag", "%s", etag);
        vg_api_resp_header(o, "Location", "/indexer/api/v1/index_report/%s", m.hash);
        links(o, m.hash);
        goto out;
    }
    if (atomic_fetch_add(&s->index_running, 1) >= c->index_concurrency) {
        atomic_fetch_sub(&s->index_running, 1);
        const char *l[] = {"rejected"};
        vg_metric_add(s->m_index_jobs, l, 1);
        vg_api_resp_header(o, "Retry-After", "%lld", (long long)((c->retry_after_ms + 999) / 1000));
        vg_api_error(o, 429, "%lld index jobs are running (indexer.max_concurrent); retry later",
                     (long long)c->index_concurrency);
        goto out;
    }
    vg_image_opts io;
    vg_image_opts_default(&io);
    io.insecure = c->layers_insecure;
    io.ca_file = c->layers_ca_file;
    io.limits.max_layers = c->max_layers;
    io.limits.max_layer_bytes = c->max_layer_bytes;
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_file_bytes = c->max_file_bytes;
    job_cache jc = {s, atomic_fetch_add(&s->next_job, 1) + 1, 0, false};
    vg_layer_cache cache = {&jc, cache_get, cache_put};
    vg_image *img = NULL;
    vg_index_report *rep = NULL;
    vg_index_stats stats = {0};
    rc = vg_image_open_layers(&img, m.hash, m.layers, m.n, &io);
    if (rc == 0)
        rc = vg_index_opened_image(&rep, &stats, img, &lim, &cache, NULL);
    inflight_release(s, jc.job, NULL);
    vg_image_free(img);
    atomic_fetch_sub(&s->index_running, 1);
    const char *fetched[] = {"fetched"}, *cached[] = {"cached"};
    vg_metric_add(s->m_layers, fetched, (double)stats.indexed);
    vg_metric_add(s->m_layers, cached, (double)stats.cached);
    if (rc != 0) {
        char reason[2048];
        snprintf(reason, sizeof(reason), "%s", vg_error_last());
        if (!jc.store_failed) /* a store outage is no verdict on the manifest */
            store_failed(s, m.hash, reason);
        const char *l[] = {"failed"};
        vg_metric_add(s->m_index_jobs, l, 1);
        /* Content the server could not accept (a digest mismatch, a bad layer, a cap) is the
         * client's; a layer it could not fetch is upstream's. */
        unsigned status = jc.store_failed ? 503 : rc == VG_EINVAL || rc == VG_ETOOBIG ? 422 : 502;
        vg_api_error(o, status, "indexing %s failed (%s; POST the manifest again to retry): %s",
                     m.hash, jc.store_failed ? "store unavailable" : "recorded", reason);
        goto out;
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)1 << 30);
    rc = vg_report_index_json(&sb, rep);
    if (rc == 0) {
        double t0 = vg_api_now();
        vg_store_pkg_key *keys = NULL;
        size_t n_keys = 0;
        vg_match_keys(&keys, &n_keys, rep);
        rc = vg_store_manifest_put(s->store, m.hash, sb.buf, sb.len, rep->layers, rep->n_layers,
                                   keys, n_keys);
        free(keys);
        vg_api_store_observe(s, "manifest_put", vg_api_now() - t0);
    }
    if (rc == 0)
        record_name(s, r, m.hash);
    if (rc != 0) {
        vg_api_error(o, 503, "cannot record the index report: %s", vg_error_last());
    } else {
        const char *l[] = {"ok"};
        vg_metric_add(s->m_index_jobs, l, 1);
        set_ct(r, o, indexreport_ct);
        vg_api_resp_json(o, 201, sb.buf, sb.len);
        vg_api_resp_header(o, "ETag", "%s", etag);
        vg_api_resp_header(o, "Location", "/indexer/api/v1/index_report/%s", m.hash);
        links(o, m.hash);
    }
    vg_strbuf_dispose(&sb);
    vg_index_report_free(rep);
out:
    vg_strbuf_dispose(&prev);
    vg_api_manifest_dispose(&m);
}

void vg_api_index_report_get(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    if (!vg_api_digest_ok(r->param)) {
        vg_api_error(o, 400, "malformed path: '%.80s' is not a digest", r->param);
        return;
    }
    int64_t stamp = 0;
    double t0 = vg_api_now();
    int rc = vg_store_manifest_stamp(&stamp, s->store, r->param);
    vg_api_store_observe(s, "manifest_stamp", vg_api_now() - t0);
    if (rc == VG_ENOTFOUND) {
        vg_api_error(o, 404, "index report for manifest %s not found", r->param);
        return;
    }
    if (rc != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    char etag[120];
    snprintf(etag, sizeof(etag), "\"%s-%lld\"", s->state, (long long)stamp);
    if (vg_api_if_none_match(r, etag)) {
        o->status = 304;
        vg_api_resp_header(o, "ETag", "%s", etag);
        return;
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)1 << 30);
    rc = vg_api_stored_report(s, r->param, &sb);
    if (rc == VG_ENOTFOUND)
        vg_api_error(o, 404, "index report for manifest %s not found", r->param);
    else if (rc != 0)
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
    else {
        set_ct(r, o, indexreport_ct);
        vg_api_resp_json(o, 200, sb.buf, sb.len);
        vg_api_resp_header(o, "ETag", "%s", etag);
    }
    vg_strbuf_dispose(&sb);
}

/* Deletes one manifest; true when there was one. Errors fill `o`. */
static int delete_one(vg_server *s, const char *hash, bool *deleted, vg_api_resp *o)
{
    double t0 = vg_api_now();
    int rc = vg_store_manifest_delete(deleted, s->store, hash);
    vg_api_store_observe(s, "manifest_delete", vg_api_now() - t0);
    if (rc != 0)
        vg_api_error(o, 503, "could not delete manifest %s: %s", hash, vg_error_last());
    return rc;
}

void vg_api_index_report_delete(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    if (!vg_api_digest_ok(r->param)) {
        vg_api_error(o, 400, "malformed path: '%.80s' is not a digest", r->param);
        return;
    }
    bool deleted = false;
    if (delete_one(s, r->param, &deleted, o) == 0) {
        vg_api_report_cache_clear(s);
        o->status = 204;
    }
}

void vg_api_index_report_bulk_delete(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    json_error_t je;
    json_t *arr = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_array(arr)) {
        json_decref(arr);
        vg_api_error(o, 400, "failed to deserialize bulk delete: expected an array of digests");
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || !vg_api_digest_ok(json_string_value(v))) {
            json_decref(arr);
            vg_api_error(o, 400, "failed to deserialize bulk delete: item %zu is not a digest", i);
            return;
        }
    }
    json_t *out = json_array();
    json_array_foreach(arr, i, v)
    {
        bool deleted = false;
        if (delete_one(s, json_string_value(v), &deleted, o) != 0) {
            json_decref(out);
            json_decref(arr);
            return;
        }
        if (deleted)
            json_array_append(out, v);
    }
    vg_api_report_cache_clear(s);
    char *txt = json_dumps(out, JSON_COMPACT);
    vg_api_resp_json(o, 200, txt, strlen(txt));
    free(txt);
    json_decref(out);
    json_decref(arr);
}

void vg_api_index_state(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    char etag[80];
    state_etag(s, etag);
    vg_api_resp_header(o, "ETag", "%s", etag);
    if (vg_api_if_none_match(r, etag)) {
        o->status = 304;
        return;
    }
    set_ct(r, o, "application/vnd.clair.indexstate.v1+json");
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_printf(&sb, "{\"state\":\"%s\"}\n", s->state);
    vg_api_resp_json(o, 200, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
}
