/* index_int.h — private to src/index/: the scanner table. Each scanner file (os_release.c,
 * dpkg.c, apk.c, ...) declares which normalized paths it wants and parses one whole file,
 * already read into a capped buffer, into the layer result. walker.c calls them. */
#ifndef VG_INDEX_INT_H
#define VG_INDEX_INT_H

#include "index.h"

#include <stdbool.h>

typedef struct vg_scanner {
    const char *name;
    /* True if the scanner wants the file at normalized path `path` (no leading "/" or "./"). */
    bool (*wants)(const char *path);
    /* Parses `len` bytes of `path` into `r`. Returns 0, or VG_EINVAL with a message
     * "<path>:<line>: <what is wrong>", or VG_ETOOBIG when `lim` is exceeded. */
    int (*parse)(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim);
} vg_scanner;

extern const vg_scanner vg__scanner_os_release; /* os-release, lsb-release, debian_version,
                                                   alpine-release */
extern const vg_scanner vg__scanner_dpkg;       /* var/lib/dpkg/status, status.d/ */
extern const vg_scanner vg__scanner_apk;        /* lib/apk/db/installed */

/* Derives the vigil namespace ("debian:12") and fills the gaps of a distribution candidate
 * once all of its fields are known. Implemented in os_release.c. */
void vg__distribution_finish(vg_layer_result *r, vg_distribution *d);

#endif
