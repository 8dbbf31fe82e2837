/* ops.c — the operations routes: /healthz (the process answers), /readyz (the store is
 * reachable and its schema is the one this binary writes), /metrics (Prometheus text format)
 * and /openapi/v1 (the API description, embedded in the binary at build time). */
#include "api_int.h"

#include <stdio.h>
#include <string.h>

void vg_api_healthz(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    (void)s;
    (void)r;
    static const char ok[] = "{\"status\":\"ok\"}\n";
    vg_api_resp_json(o, 200, ok, sizeof(ok) - 1);
}

void vg_api_readyz(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    (void)r;
    int have = 0, latest = 0;
    double t0 = vg_api_now();
    int rc = vg_store_schema_version(&have, &latest, s->store);
    vg_api_store_observe(s, "schema_version", vg_api_now() - t0);
    if (rc != 0) {
        vg_api_error_code(o, 503, "store-unavailable", "store unreachable: %s", vg_error_last());
        return;
    }
    if (have != latest) {
        vg_api_error_code(o, 503, "migrations-pending",
                          "store schema is at version %d, this vigil needs %d (run vigil db "
                          "migrate)",
                          have, latest);
        return;
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_printf(&sb, "{\"status\":\"ready\",\"schema\":%d,\"updating\":%s}\n", have,
                     atomic_load(&s->updating) ? "true" : "false");
    vg_api_resp_json(o, 200, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
}

void vg_api_metrics(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    (void)r;
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)64 << 20);
    vg_metrics_render(&sb, s->metrics);
    o->status = 200;
    o->content_type = "text/plain; version=0.0.4; charset=utf-8";
    vg_strbuf_append(&o->body, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
}

void vg_api_openapi(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    (void)s;
    vg_api_resp_header(o, "ETag", "\"openapi-%s\"", VG_VERSION_STRING);
    char etag[64];
    snprintf(etag, sizeof(etag), "\"openapi-%s\"", VG_VERSION_STRING);
    if (vg_api_if_none_match(r, etag)) {
        o->status = 304;
        return;
    }
    o->content_type = "application/openapi+json";
    o->status = 200;
    vg_strbuf_append(&o->body, (const char *)vg_api_openapi_json, vg_api_openapi_json_len);
}
