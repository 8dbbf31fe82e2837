/* os_release_fuzzer.c — fuzz target for the distribution scanner (src/index/os_release.c):
 * the input is read as one of the five release files (chosen by its size). Besides crashes it
 * aborts when a success leaves no candidate or no namespace, or an error does not name the
 * file or leaves a candidate behind. */
#include "index/index_int.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"etc/os-release", "usr/lib/os-release", "etc/lsb-release",
                                        "etc/debian_version", "etc/alpine-release"};
    const char *path = paths[size % VG_ARRAY_LEN(paths)];
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    vg_layer_result *r = vg_layer_result_new("sha256:fuzz");
    vg_error_clear();
    int rc = vg__scanner_os_release.parse(r, path, (const char *)data, size, &lim);
    if (rc != 0) {
        if (rc != VG_EINVAL || !strstr(vg_error_last(), path) || r->n_releases != 0)
            abort();
    } else {
        if (r->n_releases != 1)
            abort();
        const vg_distribution *d = &r->releases[0].dist;
        if (!d->did || !*d->did || !d->ns || !strchr(d->ns, ':') || !d->found_in)
            abort();
    }
    vg_layer_result_free(r);
    return 0;
}
