/* manifest_fuzzer.c — fuzz target for the JSON documents src/image/ trusts least: OCI and
 * Docker manifests and indexes (vg__manifest_parse, under every media-type hint), image
 * configs and docker-archive manifest.json. Besides crashes it aborts when a parse succeeds
 * with an invalid digest or more layers than the cap, or fails without an error message. */
#include "image/image_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const hints[] = {
    NULL,
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8",
    "application/vnd.oci.descriptor.v1+json",
};

static void check_failed(int rc)
{
    if (rc >= 0 || vg_error_last()[0] == '\0')
        abort(); /* every failure carries a message */
}

static void check_desc(const vg__descriptor *d)
{
    if (!d->digest || vg__digest_valid(d->digest, "fuzz") != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    vg_image_limits lim;
    vg_image_limits_default(&lim);
    lim.max_layers = 16;
    const char *body = (const char *)data;
    for (size_t h = 0; h < sizeof(hints) / sizeof(hints[0]); h++) {
        vg__manifest m;
        vg_error_clear();
        int rc = vg__manifest_parse(&m, body, size, hints[h], "fuzz", &lim);
        if (rc != 0) {
            check_failed(rc);
            continue;
        }
        if (m.kind == VG__DOC_MANIFEST) {
            check_desc(&m.config);
            if (m.n_items > lim.max_layers)
                abort();
        }
        for (size_t i = 0; i < m.n_items; i++)
            check_desc(&m.items[i]);
        vg__manifest_dispose(&m);
    }
    vg__config cfg;
    vg_error_clear();
    int rc = vg__config_parse(&cfg, body, size, "fuzz");
    if (rc == 0)
        vg__config_dispose(&cfg);
    else
        check_failed(rc);
    vg__docker_manifest dm;
    vg_error_clear();
    rc = vg__docker_manifest_parse(&dm, body, size, "fuzz", &lim);
    if (rc == 0) {
        for (size_t i = 0; i < dm.n_images; i++)
            if (!dm.images[i].config || dm.images[i].n_layers > lim.max_layers)
                abort();
        vg__docker_manifest_dispose(&dm);
    } else {
        check_failed(rc);
    }
    return 0;
}
