/* limits.c — the default caps of the indexer (vg_index_limits_default). */
#include "index.h"

void vg_index_limits_default(vg_index_limits *lim)
{
    lim->max_file_bytes = (uint64_t)256 << 20;
    lim->max_total_bytes = (uint64_t)1 << 30;
    lim->max_pkgs = 200000;
    lim->max_gobin_scan = (uint64_t)64 << 20;
    lim->max_java_depth = 4;
    lim->max_java_bytes = (uint64_t)256 << 20;
    lim->max_java_entries = 500000;
}
