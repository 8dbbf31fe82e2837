/* python_fuzzer.c — fuzz target for the Python scanner (src/index/python.c): the input is a
 * core-metadata file (METADATA, PKG-INFO) or, when it looks like a zip, a zipped egg. Besides
 * crashes it aborts when a result breaks the scanner's contract: one database with one
 * complete package and a pypi purl, or an error that names the file and keeps nothing. */
#include "index/index_int.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool egg = vg__zip_magic(data, size);
    const char *path = egg ? "usr/lib/python2.7/site-packages/x-1.0-py2.7.egg"
                           : "usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA";
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    vg_layer_result *r = vg_layer_result_new("sha256:fuzz");
    vg_error_clear();
    int rc = vg__scanner_python.parse(r, path, (const char *)data, size, &lim);
    if (rc != 0) {
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || !strstr(vg_error_last(), path) ||
            r->n_dbs != 0)
            abort();
    } else {
        if (r->n_dbs != 1 || r->dbs[0].n_pkgs != 1)
            abort();
        const vg_package *p = &r->dbs[0].pkgs[0];
        if (!p->name || !*p->name || !p->version || !*p->version || !p->purl ||
            strncmp(p->purl, "pkg:pypi/", 9) != 0)
            abort();
    }
    vg_layer_result_free(r);
    return 0;
}
