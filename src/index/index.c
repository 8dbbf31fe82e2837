/* index.c — vg_index_image, the whole of `vigil index`: open the image (or take one the
 * caller opened), index each layer in order with the walker, and coalesce. Layer results are
 * independent values, so a store can later cache them by digest and skip the walk. */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

/* Bump when any scanner's output changes: cached layer results of other versions are
 * re-indexed. */
#define VG_INDEX_SCANNERS_VERSION "scanners-2026.11.28-2"

const char *vg_index_scanners_version(void)
{
    return VG_INDEX_SCANNERS_VERSION;
}

int vg_index_image(vg_index_report **out, const char *ref, const vg_image_opts *opts,
                   const vg_index_limits *lim)
{
    return vg_index_image_cached(out, NULL, ref, opts, lim, NULL, NULL);
}

int vg_index_image_cached(vg_index_report **out, vg_index_stats *stats, const char *ref,
                          const vg_image_opts *opts, const vg_index_limits *lim,
                          const vg_layer_cache *cache, const vg_index_progress *progress)
{
    vg_image *img = NULL;
    int rc = vg_image_open(&img, ref, opts);
    if (rc)
        return rc;
    rc = vg_index_opened_image(out, stats, img, lim, cache, progress);
    vg_image_free(img);
    return rc;
}

int vg_index_opened_image(vg_index_report **out, vg_index_stats *stats, vg_image *img,
                          const vg_index_limits *lim, const vg_layer_cache *cache,
                          const vg_index_progress *progress)
{
    int rc = 0;
    size_t n = vg_image_layer_count(img);
    vg_index_stats st = {n, 0, 0};
    vg_layer_result **layers = vg_xcalloc(n ? n : 1, sizeof(vg_layer_result *));
    for (size_t i = 0; i < n && rc == 0; i++) {
        const vg_layer_desc *desc = vg_image_layer(img, i);
        const char *digest = desc->digest;
        /* A directory's digest names the path, not the content: never cached. */
        bool cacheable = cache && strcmp(desc->media_type, VG_MEDIA_ROOTFS) != 0;
        if (cacheable && cache->get(cache->ctx, digest, &layers[i]) == 0) {
            st.cached++;
            if (progress)
                progress->layer(progress->ctx, i, n, desc, true);
            continue;
        }
        if (progress)
            progress->layer(progress->ctx, i, n, desc, false);
        rc = vg_index_layer(&layers[i], img, i, lim);
        if (rc == 0) {
            st.indexed++;
            if (cacheable)
                cache->put(cache->ctx, layers[i]); /* a failed put only costs a re-index */
        }
    }
    if (stats)
        *stats = st;
    if (rc == 0)
        rc = vg_index_coalesce(out, layers, n, vg_image_manifest_digest(img));
    if (rc == 0) {
        vg_index_report *r = *out;
        r->layers = vg_arena_alloc(r->arena, (n ? n : 1) * sizeof(char *));
        for (size_t i = 0; i < n; i++)
            r->layers[i] = vg_index_report_strdup(r, vg_image_layer(img, i)->digest);
        r->n_layers = n;
    }
    for (size_t i = 0; i < n; i++)
        vg_layer_result_free(layers[i]);
    free(layers);
    return rc;
}
