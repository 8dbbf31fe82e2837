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
    const char *mirror; /* base URL or local dir in <host>/<path> layout, or NULL */
    const char *url;    /* override: one URL / path / dir / zip for this source */
    /* Where http validators (ETag, Last-Modified) and the last good body of each URL are
     * kept, so that an unchanged feed costs one 304. NULL: a temp dir per run (no
     * conditional requests). `vigil update` uses "<db file>.feedcache/". */
    const char *cache_dir;
    uint64_t max_document_bytes; /* one fetched document: default 512 MiB */
    uint64_t max_depth;          /* JSON nesting: default 64 */
    uint64_t max_entries;        /* documents in one zip or directory: default 1,000,000 */
    uint64_t max_total_bytes;    /* uncompressed bytes of one zip: default 8 GiB */
    uint64_t max_ratio;          /* zip entry decompression ratio: default 200:1 ... */
    uint64_t max_ratio_floor;    /* ... once an entry is past this many bytes: 16 MiB */
    unsigned keep_ops;           /* operations kept per updater: default 10 */
    bool progress;               /* draw a progress bar on stderr (terminals only) */
} vg_feed_opts;

/* Fills the defaults above (mirror, url and cache_dir NULL, progress off). */
void vg_feed_opts_default(vg_feed_opts *o);

/* Sets a cap by its name as listed above ("max_document_bytes", "max_depth", "max_entries",
 * "max_total_bytes", "max_ratio", "max_ratio_floor", "keep_ops"). VG_EINVAL for an unknown
 * name (the message lists the known ones) or a zero value. */
int vg_feed_opts_set(vg_feed_opts *o, const char *name, uint64_t value);

typedef struct vg_feed_result {
    char source[32];
    bool changed; /* a new operation was written */
    uint64_t added, removed, unchanged;
    uint64_t n_advisories;
    uint64_t documents; /* documents parsed (0 when unchanged) */
    uint64_t skipped;   /* records/ranges the parsers left out (see each updater) */
    double seconds;
    vg_update_op op; /* the new (or current) operation */
} vg_feed_result;

/* The names of the known updaters, NULL-terminated: debian, ubuntu, rhel, alpine, osv, nvd. */
const char *const *vg_feed_sources(void);

/* Whether updater `source` is built into this binary (all six are named by vg_feed_sources;
 * an updater whose file has not landed yet is listed but not available). */
bool vg_feed_available(const char *source);

/* Runs updater `source` into `s`. Returns 0 with `out` filled, or a negative code with a
 * message naming the source, the URL and the place in the document where parsing failed;
 * on any error the store is unchanged. */
int vg_feed_update(vg_feed_result *out, vg_store *s, const char *source, const vg_feed_opts *o);

/* The conditional-fetch cache of a store: "<db file>.feedcache" for a SQLite DSN (heap), NULL
 * for other DSNs (a temp dir per run then). */
char *vg_feed_default_cache_dir(const char *dsn);

#endif
