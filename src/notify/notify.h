/* notify.h — the public header of src/notify/ (layer 5): continuous monitoring. After an
 * update operation, vg_notify_compute finds every indexed manifest the change affects — the
 * advisories added and removed against the previous operation of the same updater, their
 * candidates from the store's reverse index (namespace + package -> manifests), each confirmed
 * with the real version rules — without reading a layer. The webhook side claims due
 * deliveries from the store, POSTs Clair's {notification_id, callback} signed with HMAC, and
 * records the outcome with exponential backoff and jitter: at-least-once, across restarts. */
#ifndef VG_NOTIFY_H
#define VG_NOTIFY_H

#include "match/match.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vg_notify_opts {
    bool full; /* one notification per (manifest, vulnerability); default: one per manifest
                  and reason, carrying its most severe vulnerability */
    vg_match_opts match;
} vg_notify_opts;

void vg_notify_opts_default(vg_notify_opts *o);

typedef struct vg_notify_result {
    vg_notification *items; /* heap: manifest and summary strings owned */
    size_t n;
    bool first_run; /* no previous operation of the updater: nothing is notified */
    vg_update_op prev, cur;
    size_t advisories_added, advisories_removed; /* the diff */
    size_t candidates;                           /* (manifest, advisory) pairs confirmed */
    size_t manifests_added, manifests_removed;   /* distinct manifests per reason */
} vg_notify_result;

/* Computes the notifications operation `cur` causes, relative to the operation of the same
 * updater just before it. 0 with `out` filled (maybe empty), or a store error. */
int vg_notify_compute(vg_notify_result *out, vg_store *s, const vg_update_op *cur,
                      const vg_notify_opts *o);
void vg_notify_result_dispose(vg_notify_result *r);

/* ---- webhook delivery ----------------------------------------------------------------- */

/* The signature header a receiver checks: "t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * '<t>.' + body>" under the configured key. */
#define VG_WEBHOOK_SIGNATURE_HEADER "X-Vigil-Signature"

typedef struct vg_webhook_opts {
    const char *url;           /* the receiver */
    const char *callback_base; /* base URL of this server, for the callback link */
    const unsigned char *key;  /* HMAC key (may be NULL: no signature header) */
    size_t key_len;
    int64_t timeout_ms;    /* one POST: default 10 s */
    int64_t retry_base_ms; /* first retry delay: default 1 s, doubling, with jitter */
    int64_t retry_max_ms;  /* delay cap: default 10 min */
    int64_t max_age_s;     /* give up this long after the set was made: default 24 h */
    int64_t lease_s;       /* claim lease: default 60 s */
    bool insecure;
    const char *ca_file;
} vg_webhook_opts;

void vg_webhook_opts_default(vg_webhook_opts *o);

typedef struct vg_webhook_outcome {
    bool did;                /* a delivery was due and attempted */
    vg_delivery_state state; /* DELIVERED, PENDING (retry later) or FAILED */
    char set_id[40];
    unsigned attempts; /* including this one */
    double lag_s;      /* delivered: seconds since the set was made */
    long http_status;  /* 0 when no response */
    char error[256];
} vg_webhook_outcome;

/* Claims one due delivery (as `owner`) and attempts it at time `now`. `out->did` is false when
 * nothing was due. Returns a store error only; a failed POST is an outcome. */
int vg_webhook_deliver_one(vg_webhook_outcome *out, vg_store *s, const vg_webhook_opts *o,
                           const char *owner, int64_t now);

/* The value of VG_WEBHOOK_SIGNATURE_HEADER for `body` at time `t` (heap). */
char *vg_webhook_signature(const unsigned char *key, size_t key_len, int64_t t, const char *body,
                           size_t len);

/* ---- rendering --------------------------------------------------------------------------- */

/* Clair's notification object for notification `seq` of set `set_id`:
 * {"id", "manifest", "reason", "vulnerability"}; appended to `out`. */
void vg_notify_json(vg_strbuf *out, const char *set_id, uint64_t seq, const vg_notification *n);

#endif
