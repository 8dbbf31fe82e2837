/* limits.c — the default caps and options of src/image/ (vg_image_limits_default,
 * vg_image_opts_default): one place that names every limit a hostile image runs into. */
#include "image.h"

#include <string.h>

void vg_image_limits_default(vg_image_limits *lim)
{
    lim->max_manifest_bytes = (uint64_t)4 << 20;
    lim->max_layers = 256;
    lim->max_layer_bytes = (uint64_t)32 << 30;
    lim->max_ratio = 1000;
    lim->max_ratio_floor = (uint64_t)64 << 20;
    lim->max_entries = 1000000;
    lim->max_path = 4096;
}

void vg_image_opts_default(vg_image_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    vg_image_limits_default(&opts->limits);
}
