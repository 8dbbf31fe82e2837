/* cmd_report.c — `vigil report IMAGE --server URL`: a client of a vigil (or Clair v4) server,
 * like clairctl. For a registry image it builds the Clair Manifest (layer URIs pointing at the
 * registry, with the auth header the server should send), posts it to the indexer, then fetches
 * the VulnerabilityReport and renders it with the same formats, filters and exit codes as
 * `vigil scan`. A bare digest skips indexing and only fetches the report. */
#include "api/api.h"
#include "cli.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Responses larger than this are refused (a report of a huge image is a few tens of MiB). */
#define VG_REPORT_MAX_RESPONSE ((size_t)512 << 20)
/* How long to keep retrying 429 (index busy) and 202 (no data yet), in seconds. */
#define VG_REPORT_DEFAULT_WAIT 120

static const char report_usage[] =
    "usage: vigil report [OPTIONS] --server URL IMAGE|DIGEST\n"
    "Asks a vigil server (or a Clair v4 server) to index IMAGE — a registry image; the server\n"
    "fetches its layers from the registry — then prints its vulnerability report.\n"
    "A manifest DIGEST (sha256:...) only fetches the report of an already indexed manifest.\n"
    "\n"
    "Options:\n"
    "  --server URL          the server (default $VIGIL_SERVER)\n"
    "  --token JWT           bearer token for a server with PSK auth (default $VIGIL_TOKEN)\n"
    "  --psk-key B64 --psk-issuer ISS  sign a short-lived token with the server's PSK\n"
    "  --wait SECONDS        keep retrying while the server is busy (429) or has no data\n"
    "                        yet (202): default 120\n"
    "  --format, --severity, --ignore-unfixed, --ignore-file, --exit-code, --no-color\n"
    "                        as in vigil scan\n"
    "  plus the image options of `vigil index` (--platform, --username, --password-stdin,\n"
    "  --insecure, --ca-file)\n";

typedef struct http_resp {
    long status;
    vg_strbuf body;
    char retry_after[32];
} http_resp;

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    http_resp *r = ctx;
    return vg_strbuf_append(&r->body, p, size * n) == 0 ? size * n : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    http_resp *r = ctx;
    size_t len = size * n;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        size_t k = 0;
        for (size_t i = 12; i < len && k + 1 < sizeof(r->retry_after); i++)
            if (p[i] >= '0' && p[i] <= '9')
                r->retry_after[k++] = p[i];
        r->retry_after[k] = '\0';
    }
    return len;
}

typedef struct client {
    const char *server;
    char *auth; /* "Authorization: Bearer ..." or NULL */
    char *repo; /* "X-Vigil-Repository: REF" on the index POST, or NULL */
    bool insecure;
    const char *ca_file;
} client;

static int http(http_resp *out, const client *c, const char *method, const char *path,
                const char *body)
{
    memset(out, 0, sizeof(*out));
    vg_strbuf_init(&out->body, VG_REPORT_MAX_RESPONSE);
    CURL *h = curl_easy_init();
    if (!h)
        return vg_error_set(VG_ERROR, "cannot start libcurl");
    vg_strbuf url;
    vg_strbuf_init(&url, 8192);
    vg_strbuf_printf(&url, "%s%s", c->server, path);
    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, "Accept: application/json");
    if (body)
        hdr = curl_slist_append(hdr, "Content-Type: application/vnd.clair.manifest.v1+json");
    if (c->auth)
        hdr = curl_slist_append(hdr, c->auth);
    if (body && c->repo)
        hdr = curl_slist_append(hdr, c->repo);
    curl_easy_setopt(h, CURLOPT_URL, url.buf);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 3600L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    if (c->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    CURLcode cc = curl_easy_perform(h);
    int rc = 0;
    if (cc != CURLE_OK)
        rc = vg_error_set(VG_EIO, "%s %s: %s", method, url.buf, curl_easy_strerror(cc));
    else
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    vg_strbuf_dispose(&url);
    return rc;
}

/* The server's {code, message} error, or the raw status. */
static int server_error(const http_resp *r, const char *what)
{
    json_t *j = json_loadb(r->body.buf, r->body.len, 0, NULL);
    const char *msg = json_string_value(json_object_get(j, "message"));
    int rc = vg_error_set(r->status == 401 ? VG_EINVAL : VG_EIO, "%s: HTTP %ld: %s", what,
                          r->status, msg ? msg : "(no message)");
    json_decref(j);
    return rc;
}

static unsigned retry_delay(const http_resp *r)
{
    uint64_t d = 2;
    if (r->retry_after[0] && vg_parse_u64(&d, vg_slice_from_cstr(r->retry_after)) != 0)
        d = 2;
    return d < 1 ? 1 : d > 30 ? 30 : (unsigned)d;
}

/* Builds the Clair Manifest of a registry image. */
static int build_manifest(char **out, char **hash, const char *ref, const vg_image_opts *opts)
{
    vg_image *img = NULL;
    int rc = vg_image_open(&img, ref, opts);
    if (rc != 0)
        return rc;
    json_t *root = json_object(), *layers = json_array();
    json_object_set_new(root, "hash", json_string(vg_image_manifest_digest(img)));
    json_object_set_new(root, "layers", layers);
    for (size_t i = 0; rc == 0 && i < vg_image_layer_count(img); i++) {
        char *url = NULL, *auth = NULL;
        if ((rc = vg_image_layer_remote(&url, &auth, img, i)) != 0)
            break;
        const vg_layer_desc *d = vg_image_layer(img, i);
        json_t *l = json_object();
        json_object_set_new(l, "hash", json_string(d->digest));
        json_object_set_new(l, "uri", json_string(url));
        json_t *h = json_object();
        if (auth)
            json_object_set_new(h, "Authorization", json_pack("[s]", auth));
        json_object_set_new(l, "headers", h);
        json_object_set_new(l, "media_type", json_string(d->media_type ? d->media_type : ""));
        json_array_append_new(layers, l);
        free(url);
        free(auth);
    }
    if (rc == 0) {
        *out = json_dumps(root, JSON_COMPACT);
        *hash = vg_xstrdup(vg_image_manifest_digest(img));
    }
    json_decref(root);
    vg_image_free(img);
    return rc;
}

static bool is_digest(const char *s)
{
    if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
        return false;
    for (const char *p = s + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* POSTs the manifest, retrying 429 until `deadline`. */
static int index_manifest(const client *c, const char *manifest, time_t deadline)
{
    for (;;) {
        http_resp r;
        int rc = http(&r, c, "POST", "/indexer/api/v1/index_report", manifest);
        if (rc == 0 && r.status == 429 && time(NULL) < deadline) {
            unsigned d = retry_delay(&r);
            vg_strbuf_dispose(&r.body);
            sleep(d);
            continue;
        }
        if (rc == 0 && r.status != 201 && r.status != 200 && r.status != 412)
            rc = server_error(&r, "index");
        vg_strbuf_dispose(&r.body);
        return rc;
    }
}

/* GETs the report, retrying 202 (no data yet) until `deadline`. */
static int fetch_report(http_resp *out, const client *c, const char *hash, time_t deadline)
{
    char path[256];
    snprintf(path, sizeof(path), "/matcher/api/v1/vulnerability_report/%s", hash);
    for (;;) {
        int rc = http(out, c, "GET", path, NULL);
        if (rc != 0)
            return rc;
        if (out->status == 200)
            return 0;
        if (out->status == 202 && time(NULL) < deadline) {
            unsigned d = retry_delay(out);
            vg_strbuf_dispose(&out->body);
            sleep(d);
            continue;
        }
        return server_error(out, "vulnerability report");
    }
}

int vg_cmd_report(int argc, char **argv)
{
    vg_cli_image_opts io;
    vg_cli_image_opts_init(&io);
    vg_cli_output out;
    vg_cli_output_init(&out);
    const char *server = getenv("VIGIL_SERVER"), *token = getenv("VIGIL_TOKEN");
    const char *psk_key = NULL, *psk_issuer = NULL, *ref = NULL;
    long wait_s = VG_REPORT_DEFAULT_WAIT;
    int status = VG_EXIT_USAGE;
    char *manifest = NULL, *hash = NULL;
    client c = {0};
    vg_vuln_report *vr = NULL;
    vg_index_report *idx = NULL;
    http_resp resp = {0};
    vg_strbuf_init(&resp.body, 1);
    for (int i = 1; i < argc; i++) {
        int k = vg_cli_image_opt(&io, argc, argv, &i);
        if (k == 0)
            k = vg_cli_output_opt(&out, "report", argc, argv, &i);
        if (k < 0)
            goto out;
        if (k > 0)
            continue;
        const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = NULL;
        if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            fputs(report_usage, stdout);
            status = VG_EXIT_OK;
            goto out;
        } else if (strcmp(s, "--server") == 0) {
            slot = &server;
        } else if (strcmp(s, "--token") == 0) {
            slot = &token;
        } else if (strcmp(s, "--psk-key") == 0) {
            slot = &psk_key;
        } else if (strcmp(s, "--psk-issuer") == 0) {
            slot = &psk_issuer;
        } else if (strcmp(s, "--wait") == 0 && v) {
            uint64_t w;
            if (vg_parse_u64(&w, vg_slice_from_cstr(v)) != 0 || w > 86400) {
                fprintf(stderr, "vigil report: --wait wants seconds (0-86400)\n");
                goto out;
            }
            wait_s = (long)w;
            i++;
            continue;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "vigil report: unknown option '%s'\n%s", s, report_usage);
            goto out;
        } else if (!ref) {
            ref = s;
            continue;
        } else {
            fprintf(stderr, "vigil report: one IMAGE only\n");
            goto out;
        }
        if (!v) {
            fprintf(stderr, "vigil report: %s needs a value\n", s);
            goto out;
        }
        *slot = v;
        i++;
    }
    if (!ref || !server || !*server) {
        fprintf(stderr, "vigil report: needs --server URL (or $VIGIL_SERVER) and an IMAGE\n%s",
                report_usage);
        goto out;
    }
    if ((status = vg_cli_output_ready(&out, "report")) != 0)
        goto out;
    c.server = server;
    c.insecure = io.opts.insecure;
    c.ca_file = io.opts.ca_file;
    size_t sl = strlen(server);
    while (sl && server[sl - 1] == '/')
        sl--;
    char *srv = vg_xstrndup(server, sl);
    c.server = srv;
    if (psk_key) {
        if (!psk_issuer) {
            fprintf(stderr, "vigil report: --psk-key needs --psk-issuer\n");
            status = VG_EXIT_USAGE;
            free(srv);
            goto out;
        }
        char *jwt = NULL;
        if (vg_api_sign_psk_token(&jwt, psk_key, psk_issuer, 300) != 0) {
            status = vg_cli_fail("--psk-key");
            free(srv);
            goto out;
        }
        vg_strbuf a;
        vg_strbuf_init(&a, 65536);
        vg_strbuf_printf(&a, "Authorization: Bearer %s", jwt);
        c.auth = vg_strbuf_detach(&a);
        free(jwt);
    } else if (token && *token) {
        vg_strbuf a;
        vg_strbuf_init(&a, 65536);
        vg_strbuf_printf(&a, "Authorization: Bearer %s", token);
        c.auth = vg_strbuf_detach(&a);
    }
    time_t deadline = time(NULL) + wait_s;
    if (is_digest(ref)) {
        hash = vg_xstrdup(ref);
    } else {
        /* The image reference names the manifest on the server's dashboard. */
        bool printable = strlen(ref) <= 255;
        for (const char *p = ref; printable && *p; p++)
            printable = *p >= 0x20 && *p < 0x7f;
        if (printable) {
            vg_strbuf a;
            vg_strbuf_init(&a, 512);
            vg_strbuf_printf(&a, "X-Vigil-Repository: %s", ref);
            c.repo = vg_strbuf_detach(&a);
        }
        if (build_manifest(&manifest, &hash, ref, &io.opts) != 0 ||
            index_manifest(&c, manifest, deadline) != 0) {
            status = vg_cli_fail(ref);
            goto out_srv;
        }
    }
    vg_strbuf_dispose(&resp.body);
    if (fetch_report(&resp, &c, hash, deadline) != 0) {
        status = vg_cli_fail(ref);
        goto out_srv;
    }
    if (vg_report_vuln_read(&vr, &idx, resp.body.buf, resp.body.len) != 0) {
        status = vg_cli_fail("the server's report");
        goto out_srv;
    }
    status = vg_cli_output_render(&out, vr, ref);
out_srv:
    free(srv);
out:
    vg_strbuf_dispose(&resp.body);
    vg_vuln_report_free(vr);
    vg_index_report_free(idx);
    free(manifest);
    free(hash);
    free(c.auth);
    free(c.repo);
    vg_cli_output_dispose(&out);
    vg_cli_image_opts_dispose(&io);
    return status;
}
