/* store.h — the public header of src/store/ (layer 3): the table of operations the rest of
 * vigil calls to keep vulnerability data as versioned update operations, index reports and
 * layer results, notifications, and what scale-out needs (leadership, layer claims, copy).
 * No SQL leaks out of store/: sqlite.c and postgres.c implement the same contract. */
#ifndef VG_STORE_H
#define VG_STORE_H

#include "model/model.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct vg_store vg_store;

/* Opens the store named by `dsn` — a file path or "sqlite:PATH" (the embedded default), or a
 * PostgreSQL URI "postgres://..." (libpq; "pool_max_conns=N" caps the pool, default 8) —
 * creating it and applying pending migrations in one transaction. The SQLite file runs in
 * WAL mode: many readers, one writer. Returns 0, VG_EIO (cannot open or write), or
 * VG_EINVAL (not a vigil database, or a newer schema than this binary knows: "database schema
 * N is newer than this vigil (M)"; an empty DSN, ":memory:", a bad pool_max_conns).
 * PostgreSQL unreachable: VG_EIO "store: PostgreSQL unavailable: ...".
 *
 * Thread-safety: a handle may be shared by any number of threads. Each call checks a
 * connection out of the handle's small pool (SQLite: one connection per concurrent call, at
 * most 8 kept idle), so reads run concurrently and never see an uncommitted run, even one open
 * on the same handle. A vg_store_tx belongs to one thread at a time. Close the handle only
 * after every call has returned and every tx has ended.
 *
 * Next to a SQLite file PATH live PATH-wal and PATH-shm (SQLite's) and PATH-lock (the
 * per-updater run locks). */
int vg_store_open(vg_store **out, const char *dsn);
/* Closes the handle and its connections. NULL is a no-op. */
void vg_store_close(vg_store *s);

/* The default DSN: $VIGIL_DB if set, else ~/.cache/vigil/vigil.db (directories created,
 * mode 0700). Heap string, caller frees; NULL with the error set (VG_EINVAL when neither
 * VIGIL_DB nor HOME is set, VG_EIO when a directory cannot be created). */
char *vg_store_default_dsn(void);

/* The schema version the store is at, and the newest this binary knows. */
int vg_store_schema_version(int *out, int *latest, vg_store *s);

/* ---- update operations --------------------------------------------------------------- */

typedef struct vg_update_op {
    int64_t id;            /* monotonically increasing per store */
    char ref[40];          /* a UUID, stable across export/import */
    char updater[64];      /* "debian", "alpine", ... */
    char fingerprint[160]; /* ETag or content hash of the run's input */
    int64_t date;          /* unix seconds */
    uint64_t n_advisories;
} vg_update_op;

typedef struct vg_store_tx vg_store_tx;

/* Starts writing one updater run. Nothing is visible to readers until commit; abort (or a
 * crash) leaves the previous operation serving. One writer per updater at a time
 * (VG_ECONFLICT if another run of the same updater is open, in this process or another);
 * runs of different updaters may be open at once. `updater` is 1-63 bytes of [A-Za-z0-9._:-],
 * `fingerprint` 1-159 printable ASCII bytes (VG_EINVAL otherwise). The op's
 * date is the time of begin.
 *
 * SQLite: the run is written in short batched transactions under a pending op that readers
 * ignore, so the single write lock is never held for a whole run; a run killed mid-way leaves
 * an invisible pending op that the next run of that updater (or vg_store_gc) deletes.
 * PostgreSQL: a run is one transaction on a connection of its own, under an advisory lock
 * keyed by the updater (MVCC: readers keep the previous op; a killed run rolls back). */
int vg_store_update_begin(vg_store_tx **out, vg_store *s, const char *updater,
                          const char *fingerprint);
/* Adds one advisory to the run. Advisory rows are de-duplicated by content hash (SHA-256 of
 * the canonical JSON) across operations, so an unchanged advisory costs one link row; the same
 * content put twice in one run counts once. The advisory is copied. VG_EINVAL when it has no
 * id or source, an affected record has no ns or package, a string is not UTF-8, or a CVSS score
 * is not finite; VG_ETOOBIG past 16 MiB of JSON. A failed write (not a rejected advisory)
 * poisons the run: later puts and the commit fail, and the run must be aborted. */
int vg_store_update_put(vg_store_tx *tx, const vg_advisory *a);
/* Commits the run as a new update operation and fills `out` (may be NULL). The tx is freed
 * whatever the result; on failure the run is aborted. */
int vg_store_update_commit(vg_store_tx *tx, vg_update_op *out);
/* Drops the run and frees the tx (NULL is a no-op). Nothing of it stays visible. */
void vg_store_update_abort(vg_store_tx *tx);

/* The newest operation of `updater` (the highest id; import only adds ops newer by date, so
 * it is also the newest by date): 0, or VG_ENOTFOUND. */
int vg_store_latest_op(vg_update_op *out, vg_store *s, const char *updater);
/* All operations of `updater` (NULL: every updater), newest first. `*out` is heap, freed by
 * the caller. */
int vg_store_list_ops(vg_update_op **out, size_t *n, vg_store *s, const char *updater);

/* The difference between two operations of the same updater: advisories (by advisory id
 * plus content hash) present in `cur` but not `prev` (added) and the reverse (removed).
 * An advisory whose content changed in any field appears in both lists under its id (removed
 * with the old content, added with the new). Ids are sorted; an id repeats when one op holds
 * two contents under it. `prev` 0 means "no previous operation": everything is added.
 * VG_ENOTFOUND for an unknown (or uncommitted) op, VG_EINVAL for ops of different updaters.
 * `out` is always initialised; dispose it. */
typedef struct vg_store_diff {
    char **added; /* advisory ids, heap */
    size_t n_added;
    char **removed;
    size_t n_removed;
} vg_store_diff;

int vg_store_diff_ops(vg_store_diff *out, vg_store *s, int64_t prev, int64_t cur);
void vg_store_diff_dispose(vg_store_diff *d);

/* Keeps the newest `keep` operations of `updater` and deletes older ones, at most `batch`
 * operations per call (so a long GC never holds the write lock for long); unreferenced
 * advisory rows go with them. `*deleted` counts the operations removed: call again until it
 * is 0. `updater` NULL: every updater, `keep` each. Also deletes the pending data of runs
 * that died before commit (within the same batch budget, not counted). Each operation is
 * deleted in its own transaction. VG_EINVAL when `batch` is 0. */
int vg_store_gc(size_t *deleted, vg_store *s, const char *updater, unsigned keep, size_t batch);

/* ---- reads for the matcher ----------------------------------------------------------- */

/* Called once per advisory; `a` and everything in it is valid only during the call.
 * Returning non-zero stops the iteration and is passed back. */
typedef int (*vg_store_advisory_cb)(void *ctx, const vg_advisory *a);

/* Every advisory in the newest operation of each updater that has an affected record for
 * (`ns`, `package`, source or binary). Thread-safe for concurrent readers. */
int vg_store_find_affected(vg_store *s, const char *ns, const char *package, bool source_pkg,
                           vg_store_advisory_cb cb, void *ctx);

/* Every advisory of operation `op_id`, in id order. VG_ENOTFOUND for an unknown op. */
int vg_store_op_advisories(vg_store *s, int64_t op_id, vg_store_advisory_cb cb, void *ctx);

/* Looks up one advisory by id in the newest operations (any updater; one call per updater
 * that has it). VG_ENOTFOUND. */
int vg_store_get_advisory(vg_store *s, const char *id, vg_store_advisory_cb cb, void *ctx);

/* ---- bundles: moving data to an offline site ----------------------------------------- */

/* The bundle format this vigil writes, and the newest it reads. */
#define VG_STORE_BUNDLE_VERSION 1

/* Writes a self-contained bundle of the newest operation of each updater (or of those in the
 * NULL-terminated `updaters`; NULL: all) to `path` ("-": stdout). The format is gzip'd JSON
 * lines: a manifest {"format":"vigil-bundle","version":1,"created","vigil","ops":[{updater,
 * ref,fingerprint,date,n_advisories}]}, then per op a header {"op":REF,...} followed by its
 * advisories, one canonical OSV-shaped JSON object per line, then {"end":true,...}. Streams:
 * memory does not grow with the bundle. A file is written under a temporary name and renamed
 * when complete. `*out` (heap, caller frees) lists the exported ops. VG_ENOTFOUND when a named
 * updater has no operation or there is nothing to export; VG_EIO. */
int vg_store_export(vg_update_op **out, size_t *n, vg_store *s, const char *path,
                    const char *const *updaters);

typedef enum vg_store_import_action {
    VG_IMPORT_ADDED,   /* written as a new operation, now the updater's newest */
    VG_IMPORT_PRESENT, /* an operation with the same ref is already here: nothing done */
    VG_IMPORT_OLDER,   /* the updater's newest local operation is as new or newer: skipped */
} vg_store_import_action;

typedef struct vg_store_import_item {
    vg_update_op op; /* as in the bundle; id is the new local id when ADDED, else 0 */
    vg_store_import_action action;
    vg_update_op local; /* PRESENT: the op with that ref; OLDER: the newer local op */
} vg_store_import_item;

/* Reads a bundle written by vg_store_export (gzip'd or plain; "-": stdin) and writes each of
 * its operations as a new operation with the same ref, fingerprint and date — unless the ref
 * is already present, or the updater's newest local op is as new or newer (an older bundle
 * never replaces newer data). Each op is its own run (vg_store_update_begin semantics): it
 * appears whole or not at all. Advisories are re-encoded and re-hashed, never trusted. Streams
 * with bounded memory (a line is at most 16 MiB; at most 1024 ops, 20,000,000 advisories per
 * op). `*out` (heap, caller frees, also set on failure) lists the ops handled, in bundle order.
 * VG_EINVAL with "<path>: line N: ..." for a malformed, truncated or newer-format bundle;
 * VG_ECONFLICT when a run of the same updater is open; VG_EIO. */
int vg_store_import(vg_store_import_item **out, size_t *n, vg_store *s, const char *path);

/* ---- the index side: layer results and manifests ------------------------------------- */

/* Called with a stored body (JSON, not NUL-terminated), valid only during the call. */
typedef int (*vg_store_body_cb)(void *ctx, const char *body, size_t len);

/* The cached result of layer `digest` made by scanner set `scanners`: calls cb once, or
 * returns VG_ENOTFOUND. */
int vg_store_layer_get(vg_store *s, const char *digest, const char *scanners, vg_store_body_cb cb,
                       void *ctx);
/* Stores (or replaces) a layer result. */
int vg_store_layer_put(vg_store *s, const char *digest, const char *scanners, const char *body,
                       size_t len);
/* The key a package is matched under (vg_match_key): namespace, package name, and whether the
 * name is a source package. The store keeps them per manifest as the reverse index that
 * notifications query (namespace + package -> manifests), never scanning every manifest. */
typedef struct vg_store_pkg_key {
    const char *ns;
    const char *package;
    bool source_pkg;
} vg_store_pkg_key;

/* Records a manifest's IndexReport JSON, its layers in order and its package keys (duplicates
 * allowed; stored once), replacing an older record — its old layers and keys go — in one
 * transaction. `keys` may be NULL when `n_keys` is 0. VG_EINVAL for an empty hash, a NULL
 * layer, or a key without ns or package; VG_EIO. */
int vg_store_manifest_put(vg_store *s, const char *hash, const char *report, size_t len,
                          const char *const *layers, size_t n_layers, const vg_store_pkg_key *keys,
                          size_t n_keys);
/* Called once per manifest hash (or layer digest); a non-zero return stops the walk and is
 * returned. */
typedef int (*vg_store_manifest_cb)(void *ctx, const char *hash);

/* The layers of a manifest as recorded by vg_store_manifest_put, in order (none for an
 * unknown manifest, or one whose index failed). */
int vg_store_manifest_layers(vg_store *s, const char *hash, vg_store_manifest_cb cb, void *ctx);
/* The stored IndexReport of a manifest: calls cb once, or VG_ENOTFOUND. */
int vg_store_manifest_get(vg_store *s, const char *hash, vg_store_body_cb cb, void *ctx);
/* When the manifest was last recorded (unix seconds), or VG_ENOTFOUND: a cheap existence
 * check that also changes whenever the manifest is re-indexed (the server's ETags use it). */
int vg_store_manifest_stamp(int64_t *indexed, vg_store *s, const char *hash);
/* Deletes a manifest record, its layer list and its package keys (cached layer results stay:
 * other manifests share them). `*deleted` says whether there was one. */
int vg_store_manifest_delete(bool *deleted, vg_store *s, const char *hash);

/* Every manifest with a package recorded under (ns, package, source_pkg): the reverse index,
 * in hash order, each once. Cost grows with the number of such manifests, not with the total.
 * The hashes are read in one statement (one snapshot) before the first callback, and no
 * connection is held while the callbacks run, so they may call the store. 0 also when there
 * is none. */
int vg_store_manifests_with(vg_store *s, const char *ns, const char *package, bool source_pkg,
                            vg_store_manifest_cb cb, void *ctx);
/* How many manifests are recorded. SQLite counts the rows: linear in the number of
 * manifests (a few ms per 100,000), so do not call it per request. */
int vg_store_manifest_count(uint64_t *out, vg_store *s);

/* The vulnerability data's generation: the id of the newest committed update operation of
 * any updater (0 when no data has loaded). It grows with every new operation, so a cached
 * match result tagged with it is stale once it differs. */
int vg_store_generation(int64_t *out, vg_store *s);

/* ---- notifications -------------------------------------------------------------------- */

/* The most notifications one set may hold (vg_store_notify_put: VG_ETOOBIG beyond), and the
 * most sets or notifications one list or page call returns (a larger limit is clamped). */
#define VG_STORE_MAX_NOTIFICATIONS 10000000
#define VG_STORE_NOTIFY_PAGE_MAX 10000

typedef enum vg_notify_reason {
    VG_NOTIFY_ADDED,
    VG_NOTIFY_REMOVED,
} vg_notify_reason;

/* One notification: a manifest newly affected (or no longer affected) by an update. */
typedef struct vg_notification {
    const char *manifest;
    vg_notify_reason reason;
    const char *summary; /* JSON object text: the vulnerability summary */
} vg_notification;

typedef enum vg_delivery_state {
    VG_DELIVERY_NONE,      /* no webhook configured when it was made */
    VG_DELIVERY_PENDING,   /* to be delivered (or retried) */
    VG_DELIVERY_DELIVERED, /* a 2xx came back */
    VG_DELIVERY_FAILED,    /* gave up after the configured age */
} vg_delivery_state;

/* A notification set: the notifications one update operation caused. */
typedef struct vg_notify_set {
    char id[40]; /* UUID */
    char updater[64];
    char op_ref[40];            /* the update operation that caused it */
    int64_t created;            /* unix seconds */
    uint64_t count;             /* notifications in the set */
    bool acked;                 /* DELETEd by a client */
    vg_delivery_state delivery; /* webhook delivery */
    unsigned attempts;          /* webhook deliveries tried */
    int64_t next_attempt;       /* unix seconds; 0 when none is due */
    char last_error[256];       /* of the last attempt, truncated; "" when none */
} vg_notify_set;

/* Writes a set of `n` notifications (n > 0) for operation `op_ref` of `updater`, numbered
 * 1..n in the given order, with a fresh UUID, created = now, and its delivery state (PENDING
 * with next_attempt = created when `deliver`, else NONE), in one transaction: readers see the
 * whole set or nothing. The items are copied; `summary` is stored as given. Fills `out` (may
 * be NULL) on success. VG_EINVAL when n is 0, `updater` or `op_ref` is not a valid name (as
 * for vg_store_update_begin), or an item has no manifest or summary or an unknown reason;
 * VG_ETOOBIG when n > VG_STORE_MAX_NOTIFICATIONS (nothing is read then); VG_EIO. The write
 * lock is held for the whole set (SQLite: about 3 s per million notifications; other writers
 * wait up to 30 s, then fail with VG_ECONFLICT). */
int vg_store_notify_put(vg_notify_set *out, vg_store *s, const char *updater, const char *op_ref,
                        const vg_notification *items, size_t n, bool deliver);
/* One set by id: VG_ENOTFOUND when unknown (or garbage-collected). */
int vg_store_notify_get(vg_notify_set *out, vg_store *s, const char *id);
/* Sets, newest first, at most `limit` (clamped to VG_STORE_NOTIFY_PAGE_MAX; 0 is VG_EINVAL).
 * `*out` is heap (NULL when `*n` is 0), freed by the caller. */
int vg_store_notify_list(vg_notify_set **out, size_t *n, vg_store *s, size_t limit);

/* Called per notification of a page; `seq` is its number in the set (1..count). `n` and its
 * strings are valid only during the call; a non-zero return stops the page and is returned. */
typedef int (*vg_store_notification_cb)(void *ctx, uint64_t seq, const vg_notification *n);
/* The notifications of set `id` with seq > `after`, at most `limit` (clamped to
 * VG_STORE_NOTIFY_PAGE_MAX; 0 is VG_EINVAL), in seq order. `*next` (may be NULL) is the seq of
 * the last one returned when more follow, else 0: a stable cursor, since a set never changes
 * once written. VG_ENOTFOUND for an unknown set. Cost is the page, not the set. */
int vg_store_notify_page(vg_store *s, const char *id, uint64_t after, size_t limit,
                         vg_store_notification_cb cb, void *ctx, uint64_t *next);
/* Marks a set acknowledged (a client DELETE; again is fine); VG_ENOTFOUND when unknown. */
int vg_store_notify_ack(vg_store *s, const char *id);

/* Claims the oldest set whose delivery is PENDING with next_attempt <= now and whose lease
 * (if any) has expired: sets its lease to `owner` until now + lease_s, so that no other
 * deliverer (thread, process or instance) takes it meanwhile. VG_ENOTFOUND when none is due.
 * A deliverer that dies leaves the lease to expire: the set is delivered again (at least
 * once). Acknowledged sets are not claimed: the client has already read them. `owner` is 1-127
 * printable ASCII bytes, lease_s > 0 (VG_EINVAL otherwise). Atomic across threads and processes:
 * SQLite takes its write lock for the select-and-update. */
int vg_store_delivery_claim(vg_notify_set *out, vg_store *s, int64_t now, const char *owner,
                            int64_t lease_s);
/* Records the outcome of a claimed delivery: DELIVERED, or another attempt at next_attempt
 * (PENDING, attempts + 1, last_error), or FAILED (given up). Every outcome counts an attempt
 * and clears the lease; `error` (may be NULL) becomes last_error, truncated to 255 bytes.
 * A DELIVERED set stays DELIVERED (a late outcome from an expired lease is ignored).
 * VG_ENOTFOUND for an unknown set; VG_EINVAL for `state` NONE, or a set made without
 * delivery (NONE). The caller is not checked against the lease owner. */
int vg_store_delivery_done(vg_store *s, const char *id, vg_delivery_state state,
                           int64_t next_attempt, const char *error);
/* Deletes sets that are acknowledged, or created more than `max_age_s` before `now` (any
 * state), oldest first, at most `batch`, each with its notifications in its own transaction
 * (SQLite: about 3 s of write lock per million notifications); `*deleted` says how many: call
 * again until it is 0. VG_EINVAL when `batch` is 0 or `max_age_s` < 0. */
int vg_store_notify_gc(size_t *deleted, vg_store *s, int64_t now, int64_t max_age_s, size_t batch);

/* ---- scale-out, copy and the dashboard (migration 4) ---------------------------------- */

/* The most rows one list call returns (a larger limit is clamped), and caps on a manifest's
 * repository names. */
#define VG_STORE_LIST_MAX 10000
#define VG_STORE_NAME_MAX 255
#define VG_STORE_NAMES_PER_MANIFEST 64

/* One manifest of a listing; valid only during the callback. */
typedef struct vg_store_manifest_info {
    const char *hash;
    int64_t indexed;   /* unix seconds */
    const char *names; /* repository names it was indexed as, sorted, '\n'-separated; "" none */
} vg_store_manifest_info;
typedef int (*vg_store_manifest_info_cb)(void *ctx, const vg_store_manifest_info *m);

/* Manifests with hash > `after` (NULL or "": from the first), in hash order, at most `limit`
 * (clamped to VG_STORE_LIST_MAX; 0 is VG_EINVAL): a stable cursor for paging every manifest.
 * A non-zero callback return stops the walk and is returned. */
int vg_store_manifest_list(vg_store *s, const char *after, size_t limit,
                           vg_store_manifest_info_cb cb, void *ctx);
/* Records that manifest `hash` was indexed as repository `name` (e.g. "registry:5000/app:1";
 * 1-255 printable ASCII bytes). Again is fine. VG_ENOTFOUND for an unknown manifest,
 * VG_ETOOBIG past VG_STORE_NAMES_PER_MANIFEST names, VG_EINVAL for a bad name. Names go with
 * the manifest on delete; a re-index (manifest_put) keeps them. */
int vg_store_manifest_name(vg_store *s, const char *hash, const char *name);

/* One point of the vulnerable-image history: `summary` is a JSON object the caller made
 * (the api's counts for data generation `generation`, taken at `date`). */
typedef int (*vg_store_history_cb)(void *ctx, int64_t generation, int64_t date,
                                   const char *summary);
/* Stores (or replaces) the point of `generation` (> 0), dated now; `summary` at most 64 KiB
 * (VG_ETOOBIG). */
int vg_store_history_put(vg_store *s, int64_t generation, const char *summary);
/* The newest `limit` points (clamped to VG_STORE_LIST_MAX; 0 is VG_EINVAL), newest first. */
int vg_store_history_list(vg_store *s, size_t limit, vg_store_history_cb cb, void *ctx);

/* Leadership for work that one instance of a deployment must do alone (updaters). Tries to
 * hold the lock named `role` (1-63 bytes of [a-z0-9_.-]) for this handle and says whether it
 * does. Call it before each round of such work: it keeps the lock while held, and takes it
 * when the holder is gone. SQLite: a lock on PATH-lock held by this process. PostgreSQL: a
 * session advisory lock on a connection the handle keeps; when that session dies the lock is
 * released and another instance takes it. Released by vg_store_close (or process death). */
int vg_store_leader(bool *leader, vg_store *s, const char *role);

/* Claims the right to index layer `digest` for scanner set `scanners` until now + lease_s,
 * so that instances sharing a store index a layer once: `*claimed` is false while another
 * owner's lease runs (wait for its result with vg_store_layer_get, or for the lease to run
 * out). The same owner may claim again (renews). `owner` is 1-127 printable ASCII bytes,
 * lease_s > 0. */
int vg_store_layer_claim(bool *claimed, vg_store *s, const char *digest, const char *scanners,
                         const char *owner, int64_t now, int64_t lease_s);
/* Ends `owner`'s claim (none held: nothing happens). */
int vg_store_layer_unclaim(vg_store *s, const char *digest, const char *scanners,
                           const char *owner);

/* Copies everything in `src` into `dst` (another backend, or the same kind): every committed
 * update operation with its advisories (same refs, fingerprints and dates, oldest first; an op
 * whose ref is already in `dst`, or older than an op `dst` already had for its updater, is
 * skipped, so a copy can be re-run and never makes older data current), cached layer results,
 * manifests with their layers, package keys and names, notification sets (same ids,
 * acknowledgement and delivery state; not attempts or last error) and the newest
 * VG_STORE_LIST_MAX history points (their generations moved to the destination's op ids;
 * points older than every copied op are dropped). Advisories, layers and manifests are read in
 * pages; one notification set is held whole. */
typedef struct vg_store_copy_stats {
    size_t ops, ops_skipped, layers, manifests, notify_sets, history, history_dropped;
} vg_store_copy_stats;
int vg_store_copy(vg_store_copy_stats *stats, vg_store *dst, vg_store *src);

#endif
