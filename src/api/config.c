/* config.c — the settings of `vigil serve`: defaults, the table of YAML keys (which the util/
 * loader uses to read the file, apply VIGIL_* environment overrides and flags, and report
 * unknown keys with their lines), and the checks across keys. docs/CONFIG.md lists the keys. */
#include "api_int.h"
#include "feed/feed.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define K(path, type, field, min, max, help)                                                       \
    {                                                                                              \
        path, type, offsetof(vg_serve_config, field), min, max, help                               \
    }

const vg_conf_key vg_serve_config_keys[] = {
    K("http.listen", VG_CONF_STRING, listen, 0, 0, "HOST:PORT to listen on (port 0: any free)"),
    K("http.tls_cert", VG_CONF_STRING, tls_cert, 0, 0, "PEM certificate file (enables TLS)"),
    K("http.tls_key", VG_CONF_STRING, tls_key, 0, 0, "PEM private key file"),
    K("http.threads", VG_CONF_INT, threads, 1, 256, "HTTP worker threads"),
    K("http.max_body_bytes", VG_CONF_BYTES, max_body_bytes, 1024, (int64_t)1 << 30,
      "request body cap (413 above)"),
    K("http.max_header_bytes", VG_CONF_BYTES, max_header_bytes, 4096, (int64_t)1 << 24,
      "request line and headers cap"),
    K("http.max_connections", VG_CONF_INT, max_connections, 1, 100000, "open connections cap"),
    K("http.idle_timeout", VG_CONF_DURATION, idle_timeout_ms, 1000, (int64_t)3600 * 1000,
      "close idle or stalled connections after this"),
    K("http.shutdown_timeout", VG_CONF_DURATION, shutdown_timeout_ms, 0, (int64_t)3600 * 1000,
      "on SIGTERM, how long requests in flight may still take"),
    K("http.ready_file", VG_CONF_STRING, ready_file, 0, 0,
      "write the base URL here once listening"),
    K("store.dsn", VG_CONF_STRING, db, 0, 0,
      "the store: a path, sqlite:PATH or postgres://... (pool_max_conns=N sizes the pool)"),
    K("indexer.max_concurrent", VG_CONF_INT, index_concurrency, 1, 1024,
      "index jobs at once; more get 429"),
    K("indexer.retry_after", VG_CONF_DURATION, retry_after_ms, 0, 0,
      "Retry-After of a 429 or 202 (whole seconds)"),
    K("indexer.layer_claim", VG_CONF_DURATION, layer_claim_ms, 1000, (int64_t)24 * 3600 * 1000,
      "lease of a layer claim, renewed while indexing: an instance that died holds it this long"),
    K("indexer.layers_insecure", VG_CONF_BOOL, layers_insecure, 0, 0,
      "fetch layer URIs without TLS verification"),
    K("indexer.layers_ca_file", VG_CONF_STRING, layers_ca_file, 0, 0,
      "extra CA bundle for layer URIs"),
    K("limits.max_layers", VG_CONF_INT, max_layers, 1, 100000, "layers per manifest"),
    K("limits.max_layer_bytes", VG_CONF_BYTES, max_layer_bytes, 1 << 20, INT64_MAX,
      "decompressed bytes per layer"),
    K("limits.max_file_bytes", VG_CONF_BYTES, max_file_bytes, 1 << 16, INT64_MAX,
      "one package database"),
    K("matcher.include_kernel_headers", VG_CONF_BOOL, include_kernel_headers, 0, 0,
      "report kernel-header packages too"),
    K("matcher.report_cache_entries", VG_CONF_INT, report_cache_entries, 0, 1000000,
      "rendered vulnerability reports kept in memory"),
    K("matcher.report_cache_bytes", VG_CONF_BYTES, report_cache_bytes, 0, INT64_MAX,
      "total size of the report cache"),
    K("auth.psk.key", VG_CONF_STRING, psk_key, 0, 0,
      "base64 HS256 key; when set every API route needs a JWT"),
    K("auth.psk.issuers", VG_CONF_STRLIST, psk_issuers, 0, 0, "accepted iss values"),
    K("auth.leeway", VG_CONF_DURATION, leeway_ms, 0, (int64_t)3600 * 1000,
      "clock skew allowed on exp and nbf"),
    K("updaters.sets", VG_CONF_STRLIST, updaters, 0, 0,
      "updaters to run (debian, ubuntu, rhel, alpine, osv, nvd)"),
    K("updaters.interval", VG_CONF_DURATION, update_interval_ms, 0, INT64_MAX,
      "run the updaters this often (0: never)"),
    K("updaters.on_start", VG_CONF_BOOL, update_on_start, 0, 0, "run the updaters at start"),
    K("updaters.leader_check", VG_CONF_DURATION, leader_check_ms, 100, (int64_t)3600 * 1000,
      "how often an instance that is not the updater leader tries to become it"),
    K("updaters.mirror", VG_CONF_STRING, feed_mirror, 0, 0,
      "feed mirror (URL or directory), as vigil update --mirror"),
    K("notifier.webhook", VG_CONF_STRING, webhook, 0, 0,
      "POST notification sets here (Clair's {notification_id, callback})"),
    K("notifier.callback_base", VG_CONF_STRING, callback_base, 0, 0,
      "this server's URL as receivers reach it (default: the listen URL)"),
    K("notifier.hmac_key", VG_CONF_STRING, webhook_key, 0, 0,
      "key of the X-Vigil-Signature HMAC-SHA256 header"),
    K("notifier.full", VG_CONF_BOOL, notify_full, 0, 0,
      "one notification per vulnerability instead of the most severe per manifest"),
    K("notifier.timeout", VG_CONF_DURATION, webhook_timeout_ms, 100, (int64_t)600 * 1000,
      "one webhook POST"),
    K("notifier.retry_base", VG_CONF_DURATION, webhook_retry_base_ms, 100, INT64_MAX,
      "first retry delay, doubling with jitter"),
    K("notifier.retry_max", VG_CONF_DURATION, webhook_retry_max_ms, 1000, INT64_MAX,
      "retry delay cap"),
    K("notifier.max_age", VG_CONF_DURATION, webhook_max_age_ms, 1000, INT64_MAX,
      "stop retrying a set this old"),
    K("notifier.poll", VG_CONF_DURATION, notify_poll_ms, 50, (int64_t)3600 * 1000,
      "how often due deliveries are looked for"),
    K("notifier.keep", VG_CONF_DURATION, notify_keep_ms, 1000, INT64_MAX,
      "delete notification sets this old (acknowledged ones at once)"),
    K("log.level", VG_CONF_STRING, log_level, 0, 0, "debug, info, warn or error"),
    K("log.format", VG_CONF_STRING, log_format, 0, 0, "json or text"),
};

const size_t vg_serve_config_n_keys = VG_ARRAY_LEN(vg_serve_config_keys);

void vg_serve_config_default(vg_serve_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen = vg_xstrdup("127.0.0.1:6060");
    c->threads = 8;
    c->max_body_bytes = (uint64_t)4 << 20;
    c->max_header_bytes = (uint64_t)32 << 10;
    c->max_connections = 1024;
    c->idle_timeout_ms = (int64_t)60 * 1000;
    c->shutdown_timeout_ms = (int64_t)30 * 1000;
    c->index_concurrency = 2;
    c->retry_after_ms = (int64_t)5 * 1000;
    c->layer_claim_ms = (int64_t)60 * 1000;
    c->max_layers = 256;
    c->max_layer_bytes = (uint64_t)32 << 30;
    c->max_file_bytes = (uint64_t)256 << 20;
    c->report_cache_entries = 1024;
    c->report_cache_bytes = (uint64_t)256 << 20;
    c->leeway_ms = (int64_t)60 * 1000;
    c->update_interval_ms = (int64_t)6 * 3600 * 1000;
    c->update_on_start = true;
    c->leader_check_ms = (int64_t)10 * 1000;
    c->webhook_timeout_ms = (int64_t)10 * 1000;
    c->webhook_retry_base_ms = 1000;
    c->webhook_retry_max_ms = (int64_t)10 * 60 * 1000;
    c->webhook_max_age_ms = (int64_t)24 * 3600 * 1000;
    c->notify_poll_ms = 1000;
    c->notify_keep_ms = (int64_t)7 * 24 * 3600 * 1000;
    c->log_level = vg_xstrdup("info");
    c->log_format = vg_xstrdup("json");
}

int vg_serve_config_check(const vg_serve_config *c)
{
    if (!c->listen || vg_serve_listen_check(c->listen) != 0)
        return vg_error_code() ? vg_error_code() : vg_error_set(VG_EINVAL, "http.listen: not set");
    if (!c->tls_cert != !c->tls_key)
        return vg_error_set(VG_EINVAL, "http.tls_cert and http.tls_key go together");
    if (c->index_concurrency >= c->threads)
        return vg_error_set(VG_EINVAL,
                            "indexer.max_concurrent (%lld) must be below http.threads (%lld): "
                            "index jobs must not take every worker",
                            (long long)c->index_concurrency, (long long)c->threads);
    if (c->psk_key) {
        size_t n = 0;
        while (c->psk_issuers && c->psk_issuers[n])
            n++;
        if (n == 0)
            return vg_error_set(VG_EINVAL, "auth.psk.issuers: at least one issuer is needed "
                                           "with auth.psk.key");
        vg_jwt_psk p;
        int rc = vg_jwt_psk_init(&p, c->psk_key, (const char *const *)c->psk_issuers, n,
                                 c->leeway_ms / 1000);
        if (rc != 0)
            return rc;
        vg_jwt_psk_dispose(&p);
    }
    for (char **u = c->updaters; u && *u; u++) {
        bool known = false;
        for (const char *const *n = vg_feed_sources(); *n; n++)
            known |= strcmp(*n, *u) == 0;
        if (!known)
            return vg_error_set(VG_EINVAL, "updaters.sets: unknown updater '%s'", *u);
    }
    vg_log_level lvl;
    if (vg_log_level_parse(&lvl, c->log_level ? c->log_level : "info") != 0)
        return vg_error_set(VG_EINVAL, "log.level: %s", vg_error_last());
    if (c->log_format && strcmp(c->log_format, "json") != 0 && strcmp(c->log_format, "text") != 0)
        return vg_error_set(VG_EINVAL, "log.format: '%s' (want json or text)", c->log_format);
    return 0;
}

int vg_api_sign_psk_token(char **out, const char *key_base64, const char *issuer, int64_t ttl_s)
{
    vg_jwt_psk p;
    const char *iss[] = {issuer};
    int rc = vg_jwt_psk_init(&p, key_base64, iss, 1, 0);
    if (rc != 0)
        return rc;
    json_t *claims = json_pack("{s:s, s:I, s:I}", "iss", issuer, "iat", (json_int_t)time(NULL),
                               "exp", (json_int_t)time(NULL) + (json_int_t)ttl_s);
    char *txt = json_dumps(claims, JSON_COMPACT);
    rc = vg_jwt_sign(out, p.key, p.key_len, txt);
    free(txt);
    json_decref(claims);
    vg_jwt_psk_dispose(&p);
    return rc;
}
