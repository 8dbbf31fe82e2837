/* api_manifest_fuzzer.c — fuzz target for the body of POST /indexer/api/v1/index_report (a
 * Clair Manifest, src/api/indexer.c) and the up-front checks of the layer-URI image it becomes
 * (src/image/uri.c: digests, schemes, header lines, caps). Nothing is fetched: an image opened
 * from layer URIs only reads them when a layer is streamed. Besides crashes it aborts when a
 * rejected body gets no 400 with a {code, message} body. */
#include "api/api_int.h"
#include "image/image.h"

#include <jansson.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_api_resp o;
    memset(&o, 0, sizeof(o));
    vg_strbuf_init(&o.body, (size_t)1 << 20);
    vg_api_manifest m;
    if (vg_api_manifest_parse(&m, (const char *)data, size, 16, &o) == 0) {
        vg_image_opts io;
        vg_image_opts_default(&io);
        io.limits.max_layers = 16;
        vg_image *img = NULL;
        if (vg_image_open_layers(&img, m.hash, m.layers, m.n, &io) == 0) {
            if (vg_image_layer_count(img) != m.n)
                abort();
            vg_image_free(img);
        }
    } else {
        json_t *j = json_loadb(o.body.buf, o.body.len, 0, NULL);
        if (o.status != 400 || !json_is_string(json_object_get(j, "code")) ||
            !json_is_string(json_object_get(j, "message")))
            abort();
        json_decref(j);
    }
    vg_api_manifest_dispose(&m);
    for (size_t i = 0; i < o.n_headers; i++)
        free(o.headers[i].value);
    vg_strbuf_dispose(&o.body);
    return 0;
}
