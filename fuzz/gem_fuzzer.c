/* gem_fuzzer.c — fuzz target for the Ruby scanner (src/index/gem.c): the input is an
 * installed specification (specifications/<name>.gemspec). Besides crashes it aborts when a
 * result breaks the contract: one package with a gem name, version and purl, or an error that
 * names the file and keeps nothing. */
#include "index/index_int.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = "usr/lib/ruby/gems/3.1.0/specifications/x-1.0.gemspec";
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    vg_layer_result *r = vg_layer_result_new("sha256:fuzz");
    vg_error_clear();
    int rc = vg__scanner_gem.parse(r, path, (const char *)data, size, &lim);
    if (rc != 0) {
        if (rc != VG_EINVAL || !strstr(vg_error_last(), path) || r->n_dbs != 0)
            abort();
    } else {
        if (r->n_dbs != 1 || r->dbs[0].n_pkgs != 1)
            abort();
        const vg_package *p = &r->dbs[0].pkgs[0];
        if (!*p->name || !*p->version ||
            strspn(p->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
                            "KLMNOPQRSTUVWXYZ0123456789._-") != strlen(p->name) ||
            !p->purl || strncmp(p->purl, "pkg:gem/", 8) != 0)
            abort();
    }
    vg_layer_result_free(r);
    return 0;
}
