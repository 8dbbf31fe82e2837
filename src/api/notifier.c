/* notifier.c — notifications inside `vigil serve`: after an updater run that changed its data,
 * the affected manifests are computed (src/notify/) and written as one notification set; a
 * delivery thread claims due sets from the store and POSTs them to the configured webhook,
 * retrying with backoff (state in the store, so kill -9 loses nothing); old and acknowledged
 * sets are garbage-collected. The routes GET (paged, stable cursors) and DELETE (acknowledge)
 * /notifier/api/v1/notification/{id}. */
#include "api_int.h"
#include "notify/notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The largest page a client may ask for; larger page_size values are clamped. */
#define VG_API_MAX_PAGE 10000
#define VG_API_DEFAULT_PAGE 500

void vg_api_notify_after_update(vg_server *s, const vg_update_op *op)
{
    vg_notify_opts no;
    vg_notify_opts_default(&no);
    no.full = s->cfg->notify_full;
    no.match.include_kernel_headers = s->cfg->include_kernel_headers;
    vg_notify_result res;
    double t0 = vg_api_now();
    int rc = vg_notify_compute(&res, s->store, op, &no);
    double dur = vg_api_now() - t0;
    if (rc != 0) {
        vg_log_field f[] = {{.key = "updater", .str = op->updater},
                            {.key = "error", .str = vg_error_last()}};
        vg_log_event(VG_LOG_WARN, "notification computation failed", f, VG_ARRAY_LEN(f));
        return;
    }
    vg_notify_set set;
    memset(&set, 0, sizeof(set));
    if (res.n > 0) {
        rc = vg_store_notify_put(&set, s->store, op->updater, op->ref, res.items, res.n,
                                 s->cfg->webhook != NULL);
        if (rc == 0) {
            const char *l[] = {op->updater};
            vg_metric_add(s->m_notifications, l, (double)res.n);
            pthread_mutex_lock(&s->upd_mu);
            pthread_cond_broadcast(&s->notify_cv);
            pthread_mutex_unlock(&s->upd_mu);
        }
    }
    vg_log_field f[] = {
        {.key = "updater", .str = op->updater},
        {.key = "op", .str = op->ref},
        {.key = "first_run", .str = res.first_run ? "yes" : "no"},
        {.key = "advisories_added", .num = (int64_t)res.advisories_added, .is_num = true},
        {.key = "advisories_removed", .num = (int64_t)res.advisories_removed, .is_num = true},
        {.key = "candidates", .num = (int64_t)res.candidates, .is_num = true},
        {.key = "manifests_added", .num = (int64_t)res.manifests_added, .is_num = true},
        {.key = "manifests_removed", .num = (int64_t)res.manifests_removed, .is_num = true},
        {.key = "notifications", .num = (int64_t)res.n, .is_num = true},
        {.key = "set", .str = set.id},
        {.key = "duration_ms", .num = (int64_t)(dur * 1000), .is_num = true},
        {.key = "error", .str = rc ? vg_error_last() : ""},
    };
    vg_log_event(rc ? VG_LOG_WARN : VG_LOG_INFO, "notifications", f, VG_ARRAY_LEN(f));
    vg_notify_result_dispose(&res);
}

/* ---- delivery thread ---------------------------------------------------------------------- */

static void *deliver_main(void *arg)
{
    vg_server *s = arg;
    const vg_serve_config *c = s->cfg;
    vg_webhook_opts wo;
    vg_webhook_opts_default(&wo);
    wo.url = c->webhook;
    wo.callback_base = c->callback_base ? c->callback_base : s->base_url;
    wo.key = (const unsigned char *)c->webhook_key;
    wo.key_len = c->webhook_key ? strlen(c->webhook_key) : 0;
    wo.timeout_ms = c->webhook_timeout_ms;
    wo.retry_base_ms = c->webhook_retry_base_ms;
    wo.retry_max_ms = c->webhook_retry_max_ms;
    wo.max_age_s = c->webhook_max_age_ms / 1000;
    /* The lease outlasts one attempt (curl stops at the timeout) plus the longest the outcome's
     * store write may wait (a PostgreSQL pool wait of 30 s and its retries) and some clock
     * skew between instances; a deliverer that dies leaves it to lapse, and another instance
     * takes the set. */
    wo.lease_s = c->webhook_timeout_ms / 1000 + 40;
    char owner[128], host[64] = "host";
    gethostname(host, sizeof(host) - 1);
    snprintf(owner, sizeof(owner), "%s:%d", host, (int)getpid());
    int64_t last_gc = 0;
    for (;;) {
        pthread_mutex_lock(&s->upd_mu);
        bool stop = s->stopping;
        pthread_mutex_unlock(&s->upd_mu);
        if (stop)
            break;
        int64_t now = (int64_t)time(NULL);
        if (now - last_gc >= 60) {
            size_t deleted = 0;
            vg_store_notify_gc(&deleted, s->store, now, c->notify_keep_ms / 1000, 1000);
            last_gc = now;
        }
        vg_webhook_outcome out;
        int rc = c->webhook ? vg_webhook_deliver_one(&out, s->store, &wo, owner, now) : 0;
        if (rc != 0) {
            vg_log_field f[] = {{.key = "error", .str = vg_error_last()}};
            vg_log_event(VG_LOG_WARN, "delivery: store error", f, 1);
            out.did = false;
        } else if (c->webhook && out.did) {
            const char *result = out.state == VG_DELIVERY_DELIVERED ? "delivered"
                                 : out.state == VG_DELIVERY_FAILED  ? "failed"
                                                                    : "retried";
            const char *l[] = {result};
            vg_metric_add(s->m_deliveries, l, 1);
            if (out.state == VG_DELIVERY_DELIVERED) {
                vg_metric_observe(s->m_delivery_lag, NULL, out.lag_s);
            }
            vg_log_field f[] = {{.key = "set", .str = out.set_id},
                                {.key = "result", .str = result},
                                {.key = "attempt", .num = out.attempts, .is_num = true},
                                {.key = "status", .num = out.http_status, .is_num = true},
                                {.key = "error", .str = out.error}};
            vg_log_event(out.state == VG_DELIVERY_DELIVERED ? VG_LOG_INFO : VG_LOG_WARN,
                         "webhook delivery", f, VG_ARRAY_LEN(f));
            continue; /* more may be due */
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += c->notify_poll_ms / 1000;
        until.tv_nsec += (c->notify_poll_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&s->upd_mu);
        if (!s->stopping)
            pthread_cond_timedwait(&s->notify_cv, &s->upd_mu, &until);
        pthread_mutex_unlock(&s->upd_mu);
    }
    return NULL;
}

int vg_api_notifier_start(vg_server *s)
{
    int e = pthread_create(&s->deliverer, NULL, deliver_main, s);
    if (e != 0)
        return vg_error_set(VG_ERROR, "cannot start the webhook deliverer: %s", strerror(e));
    s->deliverer_started = true;
    return 0;
}

void vg_api_notifier_stop(vg_server *s)
{
    if (!s->deliverer_started)
        return;
    pthread_mutex_lock(&s->upd_mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->notify_cv);
    pthread_cond_broadcast(&s->upd_cv);
    pthread_mutex_unlock(&s->upd_mu);
    /* A POST in progress ends within notifier.timeout. */
    pthread_join(s->deliverer, NULL);
    s->deliverer_started = false;
}

/* ---- routes -------------------------------------------------------------------------------- */

typedef struct page_ctx {
    vg_strbuf *sb;
    const char *id;
    size_t n;
} page_ctx;

static int on_notification(void *arg, uint64_t seq, const vg_notification *n)
{
    page_ctx *p = arg;
    if (p->n++)
        vg_strbuf_putc(p->sb, ',');
    vg_notify_json(p->sb, p->id, seq, n);
    return 0;
}

void vg_api_notification_get(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    if (!vg_api_uuid_ok(r->param)) {
        vg_api_error(o, 400, "malformed path: '%.80s' is not a notification id", r->param);
        return;
    }
    uint64_t size = VG_API_DEFAULT_PAGE, after = 0;
    const char *ps = vg_api_query(r, "page_size"), *next = vg_api_query(r, "next");
    if (ps && (vg_parse_u64(&size, vg_slice_from_cstr(ps)) != 0 || size == 0)) {
        vg_api_error(o, 400, "page_size must be a positive integer");
        return;
    }
    if (size > VG_API_MAX_PAGE)
        size = VG_API_MAX_PAGE;
    if (next && *next && vg_parse_u64(&after, vg_slice_from_cstr(next)) != 0) {
        vg_api_error(o, 400, "next must be a cursor returned by a previous page");
        return;
    }
    vg_notify_set set;
    int rc = vg_store_notify_get(&set, s->store, r->param);
    if (rc == 0 && set.acked)
        rc = VG_ENOTFOUND; /* acknowledged: gone for clients, deleted by the next GC */
    if (rc == VG_ENOTFOUND) {
        vg_api_error(o, 404, "notification set %s not found", r->param);
        return;
    }
    if (rc != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    vg_strbuf items;
    vg_strbuf_init(&items, (size_t)1 << 30);
    page_ctx p = {&items, set.id, 0};
    uint64_t cursor = 0;
    double t0 = vg_api_now();
    rc = vg_store_notify_page(s->store, set.id, after, (size_t)size, on_notification, &p, &cursor);
    vg_api_store_observe(s, "notify_page", vg_api_now() - t0);
    if (rc != 0) {
        vg_strbuf_dispose(&items);
        vg_api_error(o, rc == VG_ENOTFOUND ? 404 : 503, "%s", vg_error_last());
        return;
    }
    vg_strbuf_printf(&o->body, "{\"page\":{\"size\":%zu", p.n);
    if (cursor)
        vg_strbuf_printf(&o->body, ",\"next\":\"%llu\"", (unsigned long long)cursor);
    vg_strbuf_puts(&o->body, "},\"notifications\":[");
    vg_strbuf_append(&o->body, items.buf, items.len);
    vg_strbuf_puts(&o->body, "]}\n");
    vg_strbuf_dispose(&items);
    o->status = 200;
    const char *accept = vg_api_header(r, "Accept");
    const char *vnd = "application/vnd.clair.notification_page.v1+json";
    o->content_type = accept && strstr(accept, vnd) ? vnd : "application/json";
}

void vg_api_notification_delete(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    if (!vg_api_uuid_ok(r->param)) {
        vg_api_error(o, 400, "malformed path: '%.80s' is not a notification id", r->param);
        return;
    }
    int rc = vg_store_notify_ack(s->store, r->param);
    if (rc == VG_ENOTFOUND)
        vg_api_error(o, 404, "notification set %s not found", r->param);
    else if (rc != 0)
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
    else
        o->status = 204;
}
