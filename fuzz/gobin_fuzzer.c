/* gobin_fuzzer.c — fuzz target for the Go build-info reader (src/index/gobin.c): the input
 * is an executable streamed through the scanner with a 1 MiB max_gobin_scan, or — when it
 * starts with 'M' — modinfo text for vg__go_modinfo_parse. Besides crashes it aborts when the
 * reader goes past the cap, or a result breaks the contract: complete packages with golang
 * purls, and errors that name the file and keep nothing. */
#include "index/index_int.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = "usr/local/bin/app";
    vg_error_clear();
    if (size && data[0] == 'M') {
        vg_gobuildinfo bi;
        int rc = vg__go_modinfo_parse(&bi, path, (const char *)data + 1, size - 1);
        if (rc != 0 && (rc != VG_EINVAL || !strstr(vg_error_last(), path)))
            abort();
        for (size_t i = 0; rc == 0 && i < bi.n_deps; i++)
            if (!bi.deps[i].path || !bi.deps[i].version || !bi.deps[i].sum)
                abort();
        vg__gobuildinfo_dispose(&bi);
        return 0;
    }
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_gobin_scan = 1 << 20;
    vg_index_reader rd;
    vg__reader_init_mem(&rd, data, size);
    vg_layer_result *r = vg_layer_result_new("sha256:fuzz");
    int rc = vg__scanner_gobin.parse_stream(r, path, &rd, &lim);
    if (rd.pos > lim.max_gobin_scan + 64)
        abort();
    if (rc != 0) {
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || !strstr(vg_error_last(), path) ||
            r->n_dbs != 0)
            abort();
    } else {
        for (size_t d = 0; d < r->n_dbs; d++)
            for (size_t i = 0; i < r->dbs[d].n_pkgs; i++) {
                const vg_package *p = &r->dbs[d].pkgs[i];
                if (!*p->name || !*p->version || !p->purl ||
                    strncmp(p->purl, "pkg:golang/", 11) != 0)
                    abort();
            }
    }
    vg_layer_result_free(r);
    return 0;
}
