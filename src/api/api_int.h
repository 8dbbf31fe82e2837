/* api_int.h — private to src/api/: the server object every handler sees, the request and
 * response types the router passes around, and the handlers of each route group (indexer.c,
 * matcher.c, ops.c), the update scheduler (updater.c) and the layer/report caches. server.c
 * owns libmicrohttpd; nothing else in the module includes <microhttpd.h>. */
#ifndef VG_API_INT_H
#define VG_API_INT_H

#include "api.h"
#include "jwt_int.h"
#include "match/match.h"
#include "metrics_int.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- requests and responses ------------------------------------------------------------ */

/* At most this many extra response headers per response. */
#define VG_API_MAX_RESP_HEADERS 8

typedef struct vg_api_resp {
    unsigned status;
    const char *content_type; /* static string; NULL: none (204, 304) */
    vg_strbuf body;
    struct {
        const char *name; /* static */
        char *value;      /* heap */
    } headers[VG_API_MAX_RESP_HEADERS];
    size_t n_headers;
} vg_api_resp;

typedef struct vg_api_req {
    const char *method;
    const char *path;  /* without the query string */
    const char *route; /* the route template (a metrics label), set by the router */
    const char *param; /* the {digest}/{id} path segment, or NULL */
    const char *body;  /* NUL-terminated; "" when none */
    size_t body_len;
    char request_id[40];
    /* Header and query lookups go back to the connection (server.c). */
    void *conn;
} vg_api_req;

/* A request header or query argument, or NULL. */
const char *vg_api_header(const vg_api_req *r, const char *name);
const char *vg_api_query(const vg_api_req *r, const char *name);

/* Response helpers. */
void vg_api_resp_header(vg_api_resp *o, const char *name, const char *fmt, ...) VG_PRINTF(3, 4);
/* A JSON body; `json` is appended as is. */
void vg_api_resp_json(vg_api_resp *o, unsigned status, const char *json, size_t len);
/* Clair's error shape {"code": "...", "message": "..."}; the message is a printf format and
 * is JSON-escaped. */
void vg_api_error(vg_api_resp *o, unsigned status, const char *fmt, ...) VG_PRINTF(3, 4);
/* The same with an explicit code word ("no-vulnerability-data"). */
void vg_api_error_code(vg_api_resp *o, unsigned status, const char *code, const char *fmt, ...)
    VG_PRINTF(4, 5);
/* 304/412 checks: whether If-None-Match lists `etag` (quoted form, or "*"). */
bool vg_api_if_none_match(const vg_api_req *r, const char *etag);

/* ---- the server ------------------------------------------------------------------------- */

/* One in-flight layer: indexers of other manifests that need it wait on `cv`. */
typedef struct vg_api_inflight {
    char digest[136];
    uint64_t owner; /* job id */
    bool claimed;   /* holds the store's layer claim (vg_store_layer_claim) */
    struct vg_api_inflight *next;
} vg_api_inflight;

/* A rendered vulnerability report kept for re-polls. */
typedef struct vg_api_cached_report {
    char etag[72];
    char *body;
    size_t len;
    uint64_t last_use;
    struct vg_api_cached_report *next;
} vg_api_cached_report;

typedef struct vg_server {
    const vg_serve_config *cfg;
    vg_store *store;
    vg_jwt_psk psk;
    char state[72];    /* the indexer state: scanner-set version */
    char instance[96]; /* "host:pid:random": owner of this instance's layer claims */

    /* metrics */
    vg_metrics *metrics;
    vg_metric *m_requests, *m_duration, *m_index_jobs, *m_index_running, *m_layers;
    vg_metric *m_updater_runs, *m_updater_seconds, *m_store_seconds, *m_report_cache;
    vg_metric *m_notifications, *m_deliveries, *m_delivery_lag;
    vg_metric *m_leader, *m_layer_waits;
    char base_url[320]; /* what we listen on, for callback links */

    /* index jobs */
    atomic_uint_fast64_t next_job;
    pthread_mutex_t layer_mu;
    pthread_cond_t layer_cv;
    vg_api_inflight *inflight;

    /* vulnerability report cache */
    pthread_mutex_t cache_mu;
    vg_api_cached_report *cache;
    size_t cache_entries, cache_bytes;
    uint64_t cache_clock;

    /* the update scheduler */
    pthread_t updater;
    pthread_mutex_t upd_mu;
    pthread_cond_t upd_cv;

    /* the layer claim keeper (indexer.c); shares upd_mu, upd_cv and stopping */
    pthread_t keeper;

    /* the webhook deliverer (notifier.c); shares upd_mu */
    pthread_t deliverer;
    pthread_cond_t notify_cv;

    /* the dashboard's per-image summary cache (dashboard.c) */
    struct vg_api_dash *dash;

    /* flags and counters, together (no padding between them) */
    atomic_int index_running; /* index jobs now */
    atomic_int updating;      /* an update run is in progress */
    bool auth;
    bool updater_started;
    bool stopping; /* shutdown: the background threads end (read and set under upd_mu) */
    bool keeper_started;
    bool deliverer_started;
} vg_server;

/* Store calls timed into vigil_store_duration_seconds{op}. */
void vg_api_store_observe(vg_server *s, const char *op, double seconds);
double vg_api_now(void); /* monotonic seconds */

/* ---- route groups ----------------------------------------------------------------------- */

/* A Clair Manifest request body, parsed and checked (indexer.c). The strings point into
 * `root`; `headers` holds heap "Name: value" lines per layer. */
typedef struct vg_api_manifest {
    struct json_t *root;
    const char *hash;
    struct vg_remote_layer *layers;
    size_t n;
    const char ***headers;
} vg_api_manifest;

/* 0, or -1 with `o` filled with a 400 naming what is wrong (dispose `m` either way). */
int vg_api_manifest_parse(vg_api_manifest *m, const char *body, size_t len, uint64_t max_layers,
                          vg_api_resp *o);
void vg_api_manifest_dispose(vg_api_manifest *m);

void vg_api_index_report_post(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_index_report_bulk_delete(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_index_report_get(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_index_report_delete(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_index_state(vg_server *s, const vg_api_req *r, vg_api_resp *o);

/* The stored IndexReport of manifest `hash` appended to `sb` (timed into the store metrics):
 * 0, VG_ENOTFOUND, VG_ETOOBIG past sb's limit, or a store error (indexer.c). */
int vg_api_stored_report(vg_server *s, const char *hash, vg_strbuf *sb);
/* Matches an IndexReport with the server's matcher settings (timed): vg_match's codes
 * (matcher.c). Every route that shows findings goes through it. */
int vg_api_match(vg_vuln_report **out, vg_server *s, const vg_index_report *idx);

void vg_api_vulnerability_report(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_update_operation(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_update_diff(vg_server *s, const vg_api_req *r, vg_api_resp *o);
/* Drops cached reports (after an update or a delete). */
void vg_api_report_cache_clear(vg_server *s);
void vg_api_report_cache_dispose(vg_server *s);

void vg_api_healthz(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_readyz(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_metrics(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_openapi(vg_server *s, const vg_api_req *r, vg_api_resp *o);

/* Notifications (notifier.c): computed after an updater run that changed its data; the
 * deliverer thread; the notifier routes. */
void vg_api_notify_after_update(vg_server *s, const vg_update_op *op);
int vg_api_notifier_start(vg_server *s);
void vg_api_notifier_stop(vg_server *s);
void vg_api_notification_get(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_notification_delete(vg_server *s, const vg_api_req *r, vg_api_resp *o);

/* The dashboard (dashboard.c): JSON routes under /dashboard/api/v1/ and the per-image summary
 * cache they share, created by vg_api_dashboard_init before the listener starts and freed by
 * vg_api_dashboard_dispose after it stops. */
typedef struct vg_api_dash vg_api_dash;
void vg_api_dashboard_init(vg_server *s);
void vg_api_dashboard_dispose(vg_server *s);
void vg_api_dash_config(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_dash_images(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_dash_image(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_dash_report(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_dash_vulnerability(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_dash_notifications(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_dash_history(vg_server *s, const vg_api_req *r, vg_api_resp *o);
/* Computes the dashboard totals (images, vulnerable images, by worst severity, with a fix) for
 * the current data generation and stores them as its history point (vg_store_history_put).
 * Matches every manifest not already summarized: call it after an update run has committed,
 * from the updater thread. Errors are logged, not returned. Thread-safe. */
void vg_api_history_record(vg_server *s);

/* The dashboard's static assets (ui.c), embedded from src/api/ui/ at build time: GET /ui
 * redirects to /ui/, GET /ui/ is index.html, GET /ui/NAME the others. No auth: they hold no
 * data. */
void vg_api_ui_redirect(vg_server *s, const vg_api_req *r, vg_api_resp *o);
void vg_api_ui_asset(vg_server *s, const vg_api_req *r, vg_api_resp *o);

/* The thread that renews this instance's layer claims while it indexes them (indexer.c). */
int vg_api_claim_keeper_start(vg_server *s);
void vg_api_claim_keeper_stop(vg_server *s);

/* The update scheduler thread (updater.c). */
int vg_api_updater_start(vg_server *s);
void vg_api_updater_stop(vg_server *s);

/* Whether http.listen parses (server.c). */
int vg_serve_listen_check(const char *listen);

/* Update operation refs and notification set ids: a UUID in its 36-character text form. */
bool vg_api_uuid_ok(const char *s);

/* Digest path parameters: "sha256:<64 hex>" or "sha512:<128 hex>". */
bool vg_api_digest_ok(const char *d);

/* The embedded OpenAPI document (generated from src/api/openapi.json at build time). */
extern const unsigned char vg_api_openapi_json[];
extern const size_t vg_api_openapi_json_len;

#endif
