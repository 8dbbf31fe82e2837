/* index.h — the public header of src/index/ (layer 3): indexing. vg_index_layer walks one
 * layer's entries once, hands the files each scanner asked for (by path, in capped buffers)
 * to the scanners, and records whiteouts; vg_index_coalesce stacks layer results into one
 * IndexReport (newest package database wins, whiteouts remove, introduced_in per package). */
#ifndef VG_INDEX_H
#define VG_INDEX_H

#include "image/image.h"
#include "model/model.h"

#include <stdint.h>

/* Caps of the indexer itself (the layer stream has its own, in vg_image_limits). */
typedef struct vg_index_limits {
    uint64_t max_file_bytes;   /* one scanned file (a package DB): default 256 MiB */
    uint64_t max_total_bytes;  /* all scanned files of one layer: default 1 GiB */
    uint64_t max_pkgs;         /* packages per database: default 200,000 */
    uint64_t max_gobin_scan;   /* bytes of one executable read looking for Go build info
                                  (it sits at the start of the data segment, after code and
                                  read-only data): default 64 MiB */
    uint64_t max_java_depth;   /* archives nested in a .jar/.war/.ear: default 4 */
    uint64_t max_java_bytes;   /* bytes decompressed out of one top-level Java archive, all
                                  nesting levels together: default 256 MiB */
    uint64_t max_java_entries; /* members of one top-level Java archive, all nesting levels
                                  together: default 500,000 */
} vg_index_limits;

void vg_index_limits_default(vg_index_limits *lim);

/* Indexes layer `i` of `img` into a new layer result (owned by the caller). On any error —
 * a corrupt stream, a digest mismatch, a malformed package database (the message names the
 * file and line), a cap — returns a negative code and no result: nothing of a bad layer is
 * kept. */
int vg_index_layer(vg_layer_result **out, vg_image *img, size_t i, const vg_index_limits *lim);

/* Stacks `n` layer results (bottom first) into an IndexReport for `manifest_hash`. */
int vg_index_coalesce(vg_index_report **out, vg_layer_result *const *layers, size_t n,
                      const char *manifest_hash);

/* Opens `ref`, indexes every layer in order and coalesces: the whole of `vigil index`. */
int vg_index_image(vg_index_report **out, const char *ref, const vg_image_opts *opts,
                   const vg_index_limits *lim);

/* ---- layer-result caching ------------------------------------------------------------- */

/* A layer result as compact JSON and back (for caches). from_json checks every field and
 * returns VG_EINVAL for anything malformed. */
int vg_layer_result_to_json(vg_strbuf *out, const vg_layer_result *r);
int vg_layer_result_from_json(vg_layer_result **out, const char *buf, size_t len);

/* The version of the scanner set. A cached layer result made under another version is not
 * used: the layer is indexed again. */
const char *vg_index_scanners_version(void);

/* A cache of layer results supplied by the caller (the CLI and the server back it with the
 * store; index/ itself knows nothing of storage). */
typedef struct vg_layer_cache {
    void *ctx;
    /* 0 with a new result in *out, VG_ENOTFOUND on a miss, another negative code on error. */
    int (*get)(void *ctx, const char *digest, vg_layer_result **out);
    int (*put)(void *ctx, const vg_layer_result *r);
} vg_layer_cache;

typedef struct vg_index_stats {
    size_t layers;  /* layers in the image */
    size_t cached;  /* taken from the cache: nothing downloaded or decompressed */
    size_t indexed; /* walked */
} vg_index_stats;

/* Called before each layer is taken from the cache or walked (for progress displays). */
typedef struct vg_index_progress {
    void *ctx;
    void (*layer)(void *ctx, size_t i, size_t n, const vg_layer_desc *d, bool cached);
} vg_index_progress;

/* vg_index_image with a layer cache (NULL: none), statistics and progress hooks (both may
 * be NULL). A cache read error is not fatal: the layer is indexed instead. */
int vg_index_image_cached(vg_index_report **out, vg_index_stats *stats, const char *ref,
                          const vg_image_opts *opts, const vg_index_limits *lim,
                          const vg_layer_cache *cache, const vg_index_progress *progress);

/* The same on an image the caller opened (vg_image_open, vg_image_open_layers) and still
 * owns: every layer in order, then the coalesced IndexReport for its manifest digest, whose
 * `layers` lists the layer digests. Same codes and cache behaviour as above. Uses `img`'s
 * streams, so one call per image at a time. */
int vg_index_opened_image(vg_index_report **out, vg_index_stats *stats, vg_image *img,
                          const vg_index_limits *lim, const vg_layer_cache *cache,
                          const vg_index_progress *progress);

#endif
