/* index.c — vg_index_image, the whole of `vigil index`: open the image, index each layer in
 * order with the walker, and coalesce. Layer results are independent values, so a store can
 * later cache them by digest and skip the walk. */
#include "index_int.h"

#include <stdlib.h>

int vg_index_image(vg_index_report **out, const char *ref, const vg_image_opts *opts,
                   const vg_index_limits *lim)
{
    vg_image *img = NULL;
    int rc = vg_image_open(&img, ref, opts);
    if (rc)
        return rc;
    size_t n = vg_image_layer_count(img);
    vg_layer_result **layers = vg_xcalloc(n ? n : 1, sizeof(vg_layer_result *));
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = vg_index_layer(&layers[i], img, i, lim);
    if (rc == 0)
        rc = vg_index_coalesce(out, layers, n, vg_image_manifest_digest(img));
    for (size_t i = 0; i < n; i++)
        vg_layer_result_free(layers[i]);
    free(layers);
    vg_image_free(img);
    return rc;
}
