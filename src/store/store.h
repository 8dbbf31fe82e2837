/* store.h — the public header of src/store/ (layer 3): the table of operations the rest of
 * vigil calls to keep vulnerability data, as versioned update operations, and (later) index
 * reports and layer results. No SQL leaks out of store/: sqlite.c implements this today and
 * postgres.c will implement the same contract. */
#ifndef VG_STORE_H
#define VG_STORE_H

#include "model/model.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct vg_store vg_store;

/* Opens the store named by `dsn` — a file path or "sqlite:PATH" (the embedded default) —
 * creating it and applying pending migrations in one transaction. The SQLite file runs in
 * WAL mode: many readers, one writer. Returns 0, VG_EIO (cannot open or write), or
 * VG_EINVAL (not a vigil database, or a newer schema than this binary knows). */
int vg_store_open(vg_store **out, const char *dsn);
void vg_store_close(vg_store *s);

/* The default DSN: $VIGIL_DB if set, else ~/.cache/vigil/vigil.db (directories created).
 * Heap string, caller frees. */
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
 * (VG_ECONFLICT if another run of the same updater is open). */
int vg_store_update_begin(vg_store_tx **out, vg_store *s, const char *updater,
                          const char *fingerprint);
/* Adds one advisory to the run. Advisory rows are de-duplicated by content hash across
 * operations, so an unchanged advisory costs one link row. The advisory is copied. */
int vg_store_update_put(vg_store_tx *tx, const vg_advisory *a);
/* Commits the run as a new update operation and fills `out` (may be NULL). */
int vg_store_update_commit(vg_store_tx *tx, vg_update_op *out);
void vg_store_update_abort(vg_store_tx *tx);

/* The newest operation of `updater`: 0, or VG_ENOTFOUND. */
int vg_store_latest_op(vg_update_op *out, vg_store *s, const char *updater);
/* All operations of `updater` (NULL: every updater), newest first. `*out` is heap, freed by
 * the caller. */
int vg_store_list_ops(vg_update_op **out, size_t *n, vg_store *s, const char *updater);

/* The difference between two operations of the same updater: advisories (by advisory id
 * plus content hash) present in `cur` but not `prev` (added) and the reverse (removed). */
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
 * advisory rows go with them. `*deleted` counts the operations removed. */
int vg_store_gc(size_t *deleted, vg_store *s, const char *updater, unsigned keep, size_t batch);

/* ---- reads for the matcher ----------------------------------------------------------- */

/* Called once per advisory; `a` and everything in it is valid only during the call.
 * Returning non-zero stops the iteration and is passed back. */
typedef int (*vg_store_advisory_cb)(void *ctx, const vg_advisory *a);

/* Every advisory in the newest operation of each updater that has an affected record for
 * (`ns`, `package`, source or binary). Thread-safe for concurrent readers. */
int vg_store_find_affected(vg_store *s, const char *ns, const char *package, bool source_pkg,
                           vg_store_advisory_cb cb, void *ctx);

/* Every advisory of operation `op_id`, in id order. */
int vg_store_op_advisories(vg_store *s, int64_t op_id, vg_store_advisory_cb cb, void *ctx);

/* Looks up one advisory by id in the newest operations (any updater). VG_ENOTFOUND. */
int vg_store_get_advisory(vg_store *s, const char *id, vg_store_advisory_cb cb, void *ctx);

#endif
