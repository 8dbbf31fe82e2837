/* webhook.c — webhook delivery of notification sets. One call claims one due set from the
 * store (a lease, so that no other thread, process or instance delivers it at the same time),
 * POSTs Clair's {"notification_id", "callback"} with an HMAC-SHA256 signature header, and
 * records the outcome: only a 2xx counts as delivered; anything else (a status, a timeout, a
 * refused connection) is retried with exponential backoff and jitter until the set is older
 * than max_age_s. State lives in the store, so a restart loses nothing (at-least-once). */
#include "notify.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vg_webhook_opts_default(vg_webhook_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->timeout_ms = 10000;
    o->retry_base_ms = 1000;
    o->retry_max_ms = (int64_t)10 * 60 * 1000;
    o->max_age_s = (int64_t)24 * 3600;
    o->lease_s = 60;
}

char *vg_webhook_signature(const unsigned char *key, size_t key_len, int64_t t, const char *body,
                           size_t len)
{
    char ts[32];
    int tl = snprintf(ts, sizeof(ts), "%lld.", (long long)t);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    unsigned char *msg = vg_xmalloc((size_t)tl + len + 1);
    memcpy(msg, ts, (size_t)tl);
    memcpy(msg + tl, body, len);
    HMAC(EVP_sha256(), key, (int)key_len, msg, (size_t)tl + len, md, &mdlen);
    free(msg);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 256);
    vg_strbuf_printf(&sb, "t=%lld,v1=", (long long)t);
    for (unsigned i = 0; i < mdlen; i++)
        vg_strbuf_printf(&sb, "%02x", md[i]);
    return vg_strbuf_detach(&sb);
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    size_t *total = ctx;
    *total += size * n;
    return *total > 65536 ? 0 : size * n; /* a receiver's body is not read past 64 KiB */
}

/* The delay before attempt `attempts` + 1: base * 2^(attempts-1), capped, times a jitter in
 * [0.5, 1.0), in whole seconds (at least 1). */
static int64_t backoff_s(const vg_webhook_opts *o, unsigned attempts)
{
    double d = (double)o->retry_base_ms;
    for (unsigned i = 1; i < attempts && d < (double)o->retry_max_ms; i++)
        d *= 2;
    if (d > (double)o->retry_max_ms)
        d = (double)o->retry_max_ms;
    unsigned char r[2] = {0, 0};
    RAND_bytes(r, sizeof(r));
    double jitter = 0.5 + 0.5 * ((double)(r[0] << 8 | r[1]) / 65536.0);
    int64_t s = (int64_t)(d * jitter / 1000.0 + 0.999);
    return s < 1 ? 1 : s;
}

int vg_webhook_deliver_one(vg_webhook_outcome *out, vg_store *s, const vg_webhook_opts *o,
                           const char *owner, int64_t now)
{
    memset(out, 0, sizeof(*out));
    vg_notify_set set;
    int rc = vg_store_delivery_claim(&set, s, now, owner, o->lease_s);
    if (rc == VG_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    out->did = true;
    snprintf(out->set_id, sizeof(out->set_id), "%s", set.id);
    out->attempts = set.attempts + 1;

    vg_strbuf body;
    vg_strbuf_init(&body, 16384);
    const char *base = o->callback_base ? o->callback_base : "";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    vg_strbuf_printf(&body,
                     "{\"notification_id\":\"%s\",\"callback\":\"%.*s/notifier/api/v1/"
                     "notification/%s\"}",
                     set.id, (int)bl, base, set.id);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    char *sig = NULL;
    if (o->key && o->key_len) {
        sig = vg_webhook_signature(o->key, o->key_len, now, body.buf, body.len);
        vg_strbuf h;
        vg_strbuf_init(&h, 512);
        vg_strbuf_printf(&h, "%s: %s", VG_WEBHOOK_SIGNATURE_HEADER, sig);
        hdr = curl_slist_append(hdr, h.buf);
        vg_strbuf_dispose(&h);
    }
    CURL *c = curl_easy_init();
    size_t got = 0;
    CURLcode cc = CURLE_FAILED_INIT;
    if (c) {
        curl_easy_setopt(c, CURLOPT_URL, o->url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.buf);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
        if (o->insecure) {
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (o->ca_file)
            curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
        cc = curl_easy_perform(c);
        if (cc == CURLE_OK || cc == CURLE_WRITE_ERROR)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->http_status);
        curl_easy_cleanup(c);
    }
    curl_slist_free_all(hdr);
    free(sig);
    vg_strbuf_dispose(&body);

    if (out->http_status >= 200 && out->http_status < 300) {
        out->state = VG_DELIVERY_DELIVERED;
        out->lag_s = (double)(now - set.created);
        return vg_store_delivery_done(s, set.id, VG_DELIVERY_DELIVERED, 0, NULL);
    }
    if (out->http_status)
        snprintf(out->error, sizeof(out->error), "HTTP %ld from the webhook", out->http_status);
    else
        snprintf(out->error, sizeof(out->error), "%s", curl_easy_strerror(cc));
    int64_t next = now + backoff_s(o, out->attempts);
    if (next - set.created > o->max_age_s) {
        out->state = VG_DELIVERY_FAILED;
        return vg_store_delivery_done(s, set.id, VG_DELIVERY_FAILED, 0, out->error);
    }
    out->state = VG_DELIVERY_PENDING;
    return vg_store_delivery_done(s, set.id, VG_DELIVERY_PENDING, next, out->error);
}
