/* ui.c — the dashboard's static assets under /ui/: HTML, CSS, JavaScript and an icon from
 * src/api/ui/, compiled into the binary by cmake/embed.cmake, so the dashboard needs no files
 * and no network beyond this server. Each answer carries a content-hash ETag (304 on
 * If-None-Match), Cache-Control: no-cache (revalidate, cheap), and a strict
 * Content-Security-Policy: scripts and styles from this origin only, nothing inline. The data
 * comes from dashboard.c's JSON routes and the Clair routes, with the user's token. */
#include "api_int.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

extern const unsigned char vg_ui_index_html[], vg_ui_app_js[], vg_ui_app_css[], vg_ui_favicon_svg[];
extern const size_t vg_ui_index_html_len, vg_ui_app_js_len, vg_ui_app_css_len,
    vg_ui_favicon_svg_len;

#define VG_UI_CSP                                                                                  \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

typedef struct asset {
    const char *name;
    const unsigned char *data;
    const size_t *len;
    const char *type;
    char etag[24]; /* "<16 hex of SHA-256>", filled once */
} asset;

static asset assets[] = {
    {"index.html", vg_ui_index_html, &vg_ui_index_html_len, "text/html; charset=utf-8", ""},
    {"app.js", vg_ui_app_js, &vg_ui_app_js_len, "text/javascript; charset=utf-8", ""},
    {"app.css", vg_ui_app_css, &vg_ui_app_css_len, "text/css; charset=utf-8", ""},
    {"favicon.svg", vg_ui_favicon_svg, &vg_ui_favicon_svg_len, "image/svg+xml", ""},
};

static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void etags_init(void)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < VG_ARRAY_LEN(assets); i++) {
        unsigned char md[32];
        unsigned int mdlen = 0;
        EVP_Digest(assets[i].data, *assets[i].len, md, &mdlen, EVP_sha256(), NULL);
        char *e = assets[i].etag;
        e[0] = '"';
        for (int k = 0; k < 8; k++) {
            e[1 + 2 * k] = hex[md[k] >> 4];
            e[2 + 2 * k] = hex[md[k] & 15];
        }
        e[17] = '"';
        e[18] = '\0';
    }
}

void vg_api_ui_redirect(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    (void)s;
    (void)r;
    vg_api_resp_header(o, "Location", "/ui/");
    o->status = 308;
    o->content_type = "text/plain; charset=utf-8";
    vg_strbuf_puts(&o->body, "moved to /ui/\n");
}

void vg_api_ui_asset(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    (void)s;
    pthread_once(&etags_once, etags_init);
    const char *name = r->param ? r->param : "index.html";
    const asset *a = NULL;
    for (size_t i = 0; i < VG_ARRAY_LEN(assets) && !a; i++)
        if (strcmp(assets[i].name, name) == 0)
            a = &assets[i];
    if (!a) {
        vg_api_error(o, 404, "no such dashboard asset");
        return;
    }
    vg_api_resp_header(o, "ETag", "%s", a->etag);
    vg_api_resp_header(o, "Cache-Control", "no-cache");
    vg_api_resp_header(o, "Content-Security-Policy", "%s", VG_UI_CSP);
    vg_api_resp_header(o, "X-Frame-Options", "DENY");
    vg_api_resp_header(o, "Referrer-Policy", "no-referrer");
    if (vg_api_if_none_match(r, a->etag)) {
        o->status = 304;
        return;
    }
    o->status = 200;
    o->content_type = a->type;
    vg_strbuf_append(&o->body, (const char *)a->data, *a->len);
}
