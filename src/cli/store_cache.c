/* store_cache.c — wires the store to the indexer for the CLI: a vg_layer_cache whose get/put
 * read and write layer results in the store (keyed by layer digest and scanner-set version),
 * and recording a manifest's IndexReport after a scan, as the server will. */
#include "cli.h"
#include "match/match.h"
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

typedef struct decode_ctx {
    vg_layer_result **out;
    int rc;
} decode_ctx;

static int decode_body(void *arg, const char *body, size_t len)
{
    decode_ctx *d = arg;
    d->rc = vg_layer_result_from_json(d->out, body, len);
    return 0;
}

static int cache_get(void *ctx, const char *digest, vg_layer_result **out)
{
    decode_ctx d = {out, VG_ENOTFOUND};
    int rc = vg_store_layer_get(ctx, digest, vg_index_scanners_version(), decode_body, &d);
    if (rc)
        return rc;
    if (d.rc == 0 && strcmp((*out)->digest, digest) != 0) {
        vg_layer_result_free(*out);
        return VG_EINVAL; /* a row that is not what its key says: ignore it */
    }
    return d.rc;
}

static int cache_put(void *ctx, const vg_layer_result *r)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)256 << 20);
    int rc = vg_layer_result_to_json(&sb, r);
    if (rc == 0)
        rc = vg_store_layer_put(ctx, r->digest, vg_index_scanners_version(), sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
    return rc;
}

void vg_cli_layer_cache(vg_layer_cache *out, vg_store *s)
{
    out->ctx = s;
    out->get = cache_get;
    out->put = cache_put;
}

int vg_cli_record_manifest(vg_store *s, const vg_index_report *r)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)1 << 30);
    int rc = vg_report_index_json(&sb, r);
    if (rc == 0) {
        vg_store_pkg_key *keys = NULL;
        size_t n_keys = 0;
        vg_match_keys(&keys, &n_keys, r);
        rc = vg_store_manifest_put(s, r->manifest_hash, sb.buf, sb.len, r->layers, r->n_layers,
                                   keys, n_keys);
        free(keys);
    }
    vg_strbuf_dispose(&sb);
    return rc;
}
