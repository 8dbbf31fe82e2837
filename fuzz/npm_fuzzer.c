/* npm_fuzzer.c — fuzz target for the npm scanner (src/index/npm.c): the input is read as a
 * node_modules/<name>/package.json (odd sizes) or as a package-lock.json (even sizes). Besides
 * crashes it aborts when a result breaks the contract: complete packages with npm purls, the
 * max_pkgs cap respected, and errors that name the file and keep nothing. */
#include "index/index_int.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path =
        size % 2 ? "app/node_modules/@s/x/package.json" : "srv/app/package-lock.json";
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_pkgs = 64;
    vg_layer_result *r = vg_layer_result_new("sha256:fuzz");
    vg_error_clear();
    int rc = vg__scanner_npm.parse(r, path, (const char *)data, size, &lim);
    if (rc != 0) {
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || !strstr(vg_error_last(), path) ||
            r->n_dbs != 0)
            abort();
    } else {
        if (r->n_dbs != 1 || r->dbs[0].n_pkgs > lim.max_pkgs)
            abort();
        for (size_t i = 0; i < r->dbs[0].n_pkgs; i++) {
            const vg_package *p = &r->dbs[0].pkgs[i];
            if (!p->name || !*p->name || !p->version || !*p->version || !p->purl ||
                strncmp(p->purl, "pkg:npm/", 8) != 0)
                abort();
        }
    }
    vg_layer_result_free(r);
    return 0;
}
