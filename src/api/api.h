/* api.h — the public header of src/api/ (layer 6): `vigil serve`, the Clair v4-compatible HTTP
 * API over the same core the CLI uses. The server's settings (one struct, filled from defaults,
 * then the YAML config file, then VIGIL_* environment variables, then flags) and the call that
 * runs the server until SIGTERM/SIGINT. Everything else in the module is private (api_int.h). */
#ifndef VG_API_H
#define VG_API_H

#include "util/util.h"

#include <stdbool.h>
#include <stdint.h>

/* Every setting of `vigil serve`. Strings and lists are heap (vg_config_dispose frees them).
 * The YAML key of each field is in the table vg_serve_config_keys (config.c), which is also
 * what --check-config validates against and what docs/CONFIG.md lists. */
typedef struct vg_serve_config {
    /* http */
    char *listen;                /* "HOST:PORT" ("127.0.0.1:6060"; port 0: ephemeral) */
    char *tls_cert;              /* PEM files: both or neither */
    char *tls_key;               /*   */
    int64_t threads;             /* worker threads of the HTTP server */
    uint64_t max_body_bytes;     /* request body cap (413 above) */
    uint64_t max_header_bytes;   /* request line + headers cap (431 above) */
    int64_t max_connections;     /* open connections cap */
    int64_t idle_timeout_ms;     /* an idle or stalled connection is closed after this */
    int64_t shutdown_timeout_ms; /* on SIGTERM, how long requests in flight may take */
    char *ready_file;            /* written with the base URL once listening (tests, scripts) */
    /* store */
    char *db; /* DSN: a path or sqlite:PATH ($VIGIL_DB, then ~/.cache/vigil/vigil.db) */
    /* indexer */
    int64_t index_concurrency; /* index jobs at once; more get 429 */
    int64_t retry_after_ms;    /* the Retry-After of a 429 (rounded up to seconds) */
    int64_t layer_claim_ms;    /* lease of a layer claim across instances */
    bool layers_insecure;      /* fetch layer URIs without TLS verification */
    char *layers_ca_file;      /* extra CA bundle for layer URIs */
    uint64_t max_layers;       /* per manifest */
    uint64_t max_layer_bytes;  /* decompressed bytes per layer */
    uint64_t max_file_bytes;   /* one package database */
    /* matcher */
    bool include_kernel_headers;
    int64_t report_cache_entries; /* rendered vulnerability reports kept in memory */
    uint64_t report_cache_bytes;  /*   and their total size */
    /* auth (Clair's PSK mode) */
    char *psk_key;      /* base64; unset: no auth */
    char **psk_issuers; /* accepted `iss` values */
    int64_t leeway_ms;  /* clock skew allowed on exp/nbf */
    /* updaters */
    char **updaters;            /* which to run (default: all built in) */
    int64_t update_interval_ms; /* 0: never run on a schedule */
    bool update_on_start;       /* run once right after start */
    int64_t leader_check_ms;    /* a non-leader retries leadership this often */
    char *feed_mirror;          /* as vigil update --mirror */
    /* notifier */
    char *webhook;                 /* receiver URL; unset: notifications are only kept */
    char *callback_base;           /* this server's base URL for the callback link */
    char *webhook_key;             /* HMAC-SHA256 key for the signature header */
    bool notify_full;              /* every new vulnerability, not only the most severe */
    int64_t webhook_timeout_ms;    /* one POST */
    int64_t webhook_retry_base_ms; /* first retry delay (doubling, jittered) */
    int64_t webhook_retry_max_ms;  /* delay cap */
    int64_t webhook_max_age_ms;    /* give up on a set this old */
    int64_t notify_poll_ms;        /* how often due deliveries are looked for */
    int64_t notify_keep_ms;        /* sets older than this are deleted (acknowledged at once) */
    /* log */
    char *log_level;  /* debug, info, warn, error */
    char *log_format; /* json (default for serve) or text */
} vg_serve_config;

extern const vg_conf_key vg_serve_config_keys[];
extern const size_t vg_serve_config_n_keys;

/* Fills the defaults. */
void vg_serve_config_default(vg_serve_config *c);
/* Cross-field checks after loading (TLS pair, threads > index_concurrency, listen parses,
 * the PSK key decodes): VG_EINVAL naming the key. */
int vg_serve_config_check(const vg_serve_config *c);

/* Runs the server: opens the store (migrating it), starts the listener, the update scheduler
 * and the workers, and blocks until SIGTERM or SIGINT; then stops accepting, lets requests in
 * flight finish (up to shutdown_timeout_ms) and returns 0, or a negative code when it could
 * not start. */
int vg_serve_run(const vg_serve_config *c);

/* A short-lived HS256 token (exp = now + ttl_s) for a server in PSK mode: the client side of
 * auth.psk, used by `vigil report --psk-key`. Heap string. */
int vg_api_sign_psk_token(char **out, const char *key_base64, const char *issuer, int64_t ttl_s);

#endif
