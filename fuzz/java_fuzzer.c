/* java_fuzzer.c — fuzz target for the Java scanner (src/index/java.c): a zip input is scanned
 * as a jar (small caps, so nesting and bombs hit them); other input goes to the pom.properties
 * parser (first byte even) or the MANIFEST.MF parser (odd). Besides crashes it aborts when a
 * result breaks the contract: "group:artifact" names with maven purls, and errors that name
 * the archive and keep nothing. */
#include "index/index_int.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Unescaping only shrinks text ("\\u0041" is 6 bytes for 1..3), so no value outgrows it. */
static void check_coords(const vg_java_coords *c, size_t size)
{
    const char *v[] = {c->group, c->artifact, c->version};
    for (size_t i = 0; i < 3; i++)
        if (v[i] && strlen(v[i]) > size)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = "opt/app/x.jar";
    vg_error_clear();
    if (!vg__zip_magic(data, size)) {
        vg_java_coords c;
        bool pom = size == 0 || data[0] % 2 == 0;
        int rc = pom ? vg__java_pom_properties(&c, path, (const char *)data, size)
                     : vg__java_manifest(&c, path, (const char *)data, size);
        if (rc == 0) {
            check_coords(&c, size);
            vg__java_coords_dispose(&c);
        } else if (rc != VG_EINVAL || !strstr(vg_error_last(), path)) {
            abort();
        }
        if (!pom) {
            char *v = vg__java_manifest_attr((const char *)data, size, "Implementation-Version");
            free(v);
        }
        return 0;
    }
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_java_bytes = 4 << 20;
    lim.max_java_entries = 4096;
    lim.max_pkgs = 256;
    vg_layer_result *r = vg_layer_result_new("sha256:fuzz");
    int rc = vg__scanner_java.parse(r, path, (const char *)data, size, &lim);
    if (rc != 0) {
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || !strstr(vg_error_last(), path) ||
            r->n_dbs != 0)
            abort();
    } else {
        if (r->n_dbs != 1)
            abort();
        for (size_t i = 0; i < r->dbs[0].n_pkgs; i++) {
            const vg_package *p = &r->dbs[0].pkgs[i];
            if (!strchr(p->name, ':') || !*p->version || !p->purl ||
                strncmp(p->purl, "pkg:maven/", 10) != 0)
                abort();
        }
    }
    vg_layer_result_free(r);
    return 0;
}
