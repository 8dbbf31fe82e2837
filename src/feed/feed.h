/* feed.h — the public header of src/feed/ (layer 3): updaters. Each fetches one source's
 * documents (from the official URL, a mirror laid out as <host>/<path>, file:// or a local
 * path; conditional requests with ETag / If-Modified-Since), parses them into the normalized
 * advisory model, and writes one update operation into the store — or nothing, when the
 * input's fingerprint is unchanged or anything failed. */
#ifndef VG_FEED_H
#define VG_FEED_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct vg_feed_opts {
    const char *mirror;         /* base URL or local dir in <host>/<path> layout, or NULL */
    const char *url;            /* override: one URL / path / dir / zip for this source */
    uint64_t max_document_bytes; /* one fetched document: default 512 MiB */
    uint64_t max_depth;          /* JSON nesting: default 64 */
    unsigned keep_ops;           /* operations kept per updater: default 10 */
    bool progress;               /* draw a progress bar on stderr (terminals only) */
} vg_feed_opts;

void vg_feed_opts_default(vg_feed_opts *o);

typedef struct vg_feed_result {
    char source[32];
    bool changed;         /* a new operation was written */
    uint64_t added, removed, unchanged;
    uint64_t n_advisories;
    double seconds;
    vg_update_op op;      /* the new (or current) operation */
} vg_feed_result;

/* The names of the known updaters, NULL-terminated: debian, ubuntu, rhel, alpine, osv, nvd. */
const char *const *vg_feed_sources(void);

/* Runs updater `source` into `s`. Returns 0 with `out` filled, or a negative code with a
 * message naming the source, the URL and the place in the document where parsing failed;
 * on any error the store is unchanged. */
int vg_feed_update(vg_feed_result *out, vg_store *s, const char *source, const vg_feed_opts *o);

#endif
