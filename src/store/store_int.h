/* store_int.h — private to src/store/: the backend table (store.c dispatches every store.h
 * call through it; sqlite.c and postgres.c implement it), the canonical advisory JSON
 * codec (advisory_json.c) that every backend stores and hashes, and the bundle helpers. */
#ifndef VG_STORE_INT_H
#define VG_STORE_INT_H

#include "store.h"

#include <jansson.h>
#include <stdint.h>

/* One advisory encoded for storage: its canonical JSON, the SHA-256 of that JSON (the
 * de-duplication key) and the keys of its affected index. Borrowed for the call. */
typedef struct vg__encoded {
    uint8_t hash[32];
    const char *id;
    const char *source;
    const char *body;
    size_t len;
    const vg_affected *affected; /* ns, package, source_pkg are indexed */
    size_t n_affected;
} vg__encoded;

/* What a new operation is: store.c fills it (a fresh UUID and the current time for a run, the
 * bundle's values for an import). */
typedef struct vg__op_spec {
    const char *updater;
    const char *fingerprint;
    const char *ref;
    int64_t date;
    bool import; /* skip when the ref exists or the newest local op is not older */
} vg__op_spec;

/* The outcome of a begin for an import (spec.import): the tx is opened only for NEW. */
typedef enum vg__begin_status {
    VG__BEGIN_NEW,
    VG__BEGIN_PRESENT, /* an op with this ref exists: `local` is it */
    VG__BEGIN_OLDER,   /* the newest local op of the updater is as new or newer: `local` */
} vg__begin_status;

/* Called with each stored advisory body (canonical JSON, not NUL-terminated). */
typedef int (*vg__body_cb)(void *ctx, const char *body, size_t len);

/* ---- runbuf.c: a run's advisories between flushes (both backends) -------------------- */

/* A run's buffered advisories are written once either bound is reached. */
#define VG__FLUSH_ITEMS 1000
#define VG__FLUSH_BYTES ((size_t)8 << 20)

typedef struct vg__run_item {
    uint8_t hash[32]; /* SHA-256 of body */
    char hex[65];     /* the same, in hex */
    const char *id;
    const char *source;
    const char *body;
    size_t len;
    vg_store_pkg_key *keys; /* the affected index: ns, package, source_pkg */
    size_t n_keys;
} vg__run_item;

typedef struct vg__run_buf {
    vg_arena *arena; /* everything the items point to */
    vg__run_item *items;
    size_t n, cap;
    size_t bytes; /* of bodies */
} vg__run_buf;

void vg__run_buf_init(vg__run_buf *b);
/* Copies `e` in; true when a flush is due. */
bool vg__run_buf_add(vg__run_buf *b, const vg__encoded *e);
/* Empties the buffer after a flush (the arena is kept for the next batch). */
void vg__run_buf_clear(vg__run_buf *b);
void vg__run_buf_dispose(vg__run_buf *b);

/* A manifest's package key (vg_store_copy), and one cached layer result (layer_list). */
typedef int (*vg__key_cb)(void *ctx, const vg_store_pkg_key *key);
typedef int (*vg__layer_cb)(void *ctx, const char *digest, const char *scanners, const char *body,
                            size_t len);

typedef struct vg_store_backend {
    const char *name;
    void (*close)(vg_store *s);
    int (*schema_version)(int *out, int *latest, vg_store *s);
    int (*begin)(vg_store_tx **out, vg__begin_status *status, vg_update_op *local, vg_store *s,
                 const vg__op_spec *spec);
    /* Writes the run's buffered advisories (tx->buf, possibly empty) and clears the buffer;
     * store.c calls it when the buffer is full and before commit, and poisons the run when it
     * fails. commit then only makes the op visible (or fails: the tx is freed either way). */
    int (*flush)(vg_store_tx *tx);
    int (*commit)(vg_store_tx *tx, vg_update_op *out);
    void (*abort)(vg_store_tx *tx);
    int (*latest_op)(vg_update_op *out, vg_store *s, const char *updater);
    int (*list_ops)(vg_update_op **out, size_t *n, vg_store *s, const char *updater);
    int (*diff_ops)(vg_store_diff *out, vg_store *s, int64_t prev, int64_t cur);
    int (*gc)(size_t *deleted, vg_store *s, const char *updater, unsigned keep, size_t batch);
    int (*find_affected)(vg_store *s, const char *ns, const char *package, bool source_pkg,
                         vg__body_cb cb, void *ctx);
    int (*op_bodies)(vg_store *s, int64_t op_id, vg__body_cb cb, void *ctx);
    int (*get_bodies)(vg_store *s, const char *id, vg__body_cb cb, void *ctx);
    /* The index side (migration 2). get returns VG_ENOTFOUND on a miss. */
    int (*layer_get)(vg_store *s, const char *digest, const char *scanners, vg__body_cb cb,
                     void *ctx);
    int (*layer_put)(vg_store *s, const char *digest, const char *scanners, const char *body,
                     size_t len);
    int (*manifest_put)(vg_store *s, const char *hash, const char *report, size_t len,
                        const char *const *layers, size_t n_layers, const vg_store_pkg_key *keys,
                        size_t n_keys);
    int (*manifest_get)(vg_store *s, const char *hash, vg__body_cb cb, void *ctx);
    int (*manifest_stamp)(int64_t *indexed, vg_store *s, const char *hash);
    int (*manifest_delete)(bool *deleted, vg_store *s, const char *hash);
    int (*generation)(int64_t *out, vg_store *s);
    /* The package reverse index and notifications (migration 3). store.c has validated the
     * arguments and clamped limits; `set` of notify_put is complete (id, created, count,
     * delivery, next_attempt). claim leases until `until`. done gets a state other than NONE.
     * notify_gc deletes sets acked or created before `cutoff`. */
    int (*manifests_with)(vg_store *s, const char *ns, const char *package, bool source_pkg,
                          vg_store_manifest_cb cb, void *ctx);
    int (*manifest_count)(uint64_t *out, vg_store *s);
    int (*notify_put)(vg_store *s, const vg_notify_set *set, const vg_notification *items,
                      size_t n);
    int (*notify_get)(vg_notify_set *out, vg_store *s, const char *id);
    int (*notify_list)(vg_notify_set **out, size_t *n, vg_store *s, size_t limit);
    int (*notify_page)(vg_store *s, const char *id, uint64_t after, size_t limit,
                       vg_store_notification_cb cb, void *ctx, uint64_t *next);
    int (*notify_ack)(vg_store *s, const char *id);
    int (*delivery_claim)(vg_notify_set *out, vg_store *s, int64_t now, const char *owner,
                          int64_t until);
    int (*delivery_done)(vg_store *s, const char *id, vg_delivery_state state, int64_t next_attempt,
                         const char *error);
    int (*notify_gc)(size_t *deleted, vg_store *s, int64_t cutoff, size_t batch);
    /* Migration 4: scale-out, copy and the dashboard. store.c has validated the arguments and
     * clamped limits. manifest_layers/keys/layer_list serve vg_store_copy; layer_list walks
     * (digest, scanners) > (after_digest, after_scanners) in that order. claim leases until
     * `until`; leader keeps its own session (PostgreSQL) or lock (SQLite). */
    int (*manifest_list)(vg_store *s, const char *after, size_t limit, vg_store_manifest_info_cb cb,
                         void *ctx);
    int (*manifest_name)(vg_store *s, const char *hash, const char *name);
    int (*manifest_layers)(vg_store *s, const char *hash, vg_store_manifest_cb cb, void *ctx);
    int (*manifest_keys)(vg_store *s, const char *hash, vg__key_cb cb, void *ctx);
    int (*layer_list)(vg_store *s, const char *after_digest, const char *after_scanners,
                      size_t limit, vg__layer_cb cb, void *ctx);
    int (*history_put)(vg_store *s, int64_t generation, int64_t date, const char *summary);
    int (*history_list)(vg_store *s, size_t limit, vg_store_history_cb cb, void *ctx);
    int (*leader)(bool *leader, vg_store *s, const char *role);
    int (*layer_claim)(bool *claimed, vg_store *s, const char *digest, const char *scanners,
                       const char *owner, int64_t now, int64_t until);
    int (*layer_unclaim)(vg_store *s, const char *digest, const char *scanners, const char *owner);
} vg_store_backend;

/* Every backend's handle and transaction start with these. */
struct vg_store {
    const vg_store_backend *be;
};

struct vg_store_tx {
    vg_store *s;
    vg__run_buf buf;  /* the advisories put since the last flush (store.c fills it) */
    int failed;       /* sticky: a failed flush poisons the run */
    char updater[64]; /* for messages */
};

/* The SQLite backend: `path` is a file path (never ":memory:"). */
int vg__sqlite_open(vg_store **out, const char *path);
/* Its migrations (migrations.c): entry i moves the schema from version i to i + 1. */
extern const char *const vg__sqlite_migrations[];
extern const int vg__sqlite_n_migrations;
/* The PostgreSQL backend (postgres.c): `dsn` is a libpq URI (postgres://...). Its pool holds
 * up to `pool` connections (0: the default). */
int vg__postgres_open(vg_store **out, const char *dsn, unsigned pool);
/* Its migrations (pg_migrations.c), the same logical schema in PostgreSQL's idioms. */
extern const char *const vg__pg_migrations[];
extern const int vg__pg_n_migrations;

/* Cap on one advisory's canonical JSON, and so on one line of a bundle. */
#define VG__ADVISORY_MAX_BYTES ((size_t)16 << 20)
/* Cap on updater names, fingerprints and refs (the sizes of vg_update_op's fields). */
#define VG__UPDATER_MAX (sizeof(((vg_update_op *)0)->updater) - 1)
#define VG__FINGERPRINT_MAX (sizeof(((vg_update_op *)0)->fingerprint) - 1)
#define VG__REF_MAX (sizeof(((vg_update_op *)0)->ref) - 1)
/* Cap on a delivery lease owner's name (and a layer claim's). */
#define VG__LEASE_OWNER_MAX 127
/* Cap on one history point's summary. */
#define VG__HISTORY_MAX ((size_t)64 << 10)

/* Begins an op described by `spec` after validating its names (store.c). */
int vg__store_begin(vg_store_tx **out, vg__begin_status *status, vg_update_op *local, vg_store *s,
                    const vg__op_spec *spec);

/* ---- advisory_json.c ----------------------------------------------------------------- */

/* Appends the canonical JSON of `a` to `out`: OSV-shaped, keys sorted, arrays in model order,
 * compact, NULL fields and empty arrays omitted, reals with 15 significant digits. Equal
 * advisories give equal bytes. VG_EINVAL when a required field (id, source, an affected's ns
 * and package) is missing, a string is not UTF-8 or a score is not finite; VG_ETOOBIG past
 * VG__ADVISORY_MAX_BYTES. */
int vg__advisory_encode(vg_strbuf *out, const vg_advisory *a);

/* Decodes canonical (or any compatible OSV-shaped) JSON into `out`, every string and array
 * allocated from `arena`. `where` prefixes error messages, which name the JSON path:
 * "<where>: affected[2].ranges[0].events[1]: unknown event 'foo'". VG_EINVAL. */
int vg__advisory_decode(vg_advisory *out, vg_arena *arena, const char *json, size_t len,
                        const char *where);
int vg__advisory_decode_json(vg_advisory *out, vg_arena *arena, const json_t *root,
                             const char *where);

/* SHA-256 of `n` bytes. */
void vg__sha256(uint8_t out[32], const void *p, size_t n);

#endif
