/* dpkg_fuzzer.c — fuzz target for the dpkg scanner (src/index/dpkg.c): the input is a status
 * file, read as var/lib/dpkg/status or (odd sizes) as a distroless status.d entry. Besides
 * crashes it aborts when a result breaks the scanner's contract: every package complete with a
 * valid dpkg version, errors that name the file and keep nothing, and the package cap respected. */
#include "index/index_int.h"
#include "util/util.h"
#include "version/version.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = size % 2 ? "var/lib/dpkg/status.d/fuzz" : "var/lib/dpkg/status";
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_pkgs = 64; /* small enough for the fuzzer to reach the cap */
    vg_layer_result *r = vg_layer_result_new("sha256:fuzz");
    vg_error_clear();
    int rc = vg__scanner_dpkg.parse(r, path, (const char *)data, size, &lim);
    if (rc != 0) {
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || !strstr(vg_error_last(), path) ||
            r->n_dbs != 0)
            abort();
    } else {
        if (r->n_dbs != 1 || r->dbs[0].n_pkgs > lim.max_pkgs)
            abort();
        for (size_t i = 0; i < r->dbs[0].n_pkgs; i++) {
            const vg_package *p = &r->dbs[0].pkgs[i];
            if (!p->name || !*p->name || !p->version || !p->source_name || !p->source_version)
                abort();
            if (vg_version_check(VG_SCHEME_DPKG, p->version) != 0 ||
                vg_version_check(VG_SCHEME_DPKG, p->source_version) != 0)
                abort();
        }
    }
    vg_layer_result_free(r);
    return 0;
}
