/* uri.c — the URI source of src/image/: an image whose layers are listed by the caller as
 * (digest, URI, headers), as in Clair's Manifest, and fetched over http/https with the
 * streams of registry.c (vg__http_*). Validates the whole list up front, follows redirects
 * by hand so that credentials never leave the URI's origin, and redacts URIs in messages. */
#include "image_int.h"

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define URI_MAX_ATTEMPTS 4        /* GETs of one layer before the first byte: 429, 5xx, resets */
#define URI_MSG_CAP ((size_t)600) /* bytes of a redacted URI shown in a message */

/* Headers libcurl (or HTTP framing) owns: a caller setting them could smuggle a request. */
static const char *const owned_headers[] = {
    "host",    "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
    "trailer", "expect",         "proxy-connection",
};

/* Headers that carry credentials: dropped once a redirect leaves the URI's origin. */
static const char *const credential_headers[] = {"authorization", "proxy-authorization", "cookie"};

typedef struct uri_layer {
    char *digest;
    char *uri;
    char *shown;    /* the URI redacted, for messages */
    char **headers; /* libcurl lines: "Name: value", or "Name;" for an empty value */
    bool *credential;
    size_t n_headers;
} uri_layer;

typedef struct uri_source {
    vg_source base;
    uri_layer *layers;
    size_t n;
    size_t next; /* where the next digest lookup starts: layers are opened in order */
} uri_source;

/* ---- names and messages -------------------------------------------------------------- */

static bool in_list(const char *const *list, size_t n, vg_slice name)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == name.len && strncasecmp(list[i], name.ptr, name.len) == 0)
            return true;
    return false;
}

static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Appends the query with every value (and every bare part) replaced by "***". */
static void redact_query(vg_strbuf *sb, const char *q)
{
    vg_slice rest = vg_slice_from_cstr(q);
    bool first = true;
    while (rest.ptr) {
        vg_slice part;
        rest = vg_slice_split(rest, '&', &part);
        vg_slice name;
        vg_slice value = vg_slice_split(part, '=', &name);
        vg_strbuf_putc(sb, first ? '?' : '&');
        first = false;
        if (value.ptr) {
            vg_strbuf_put_escaped(sb, name.ptr, name.len, 64);
            vg_strbuf_puts(sb, "=***");
        } else {
            vg_strbuf_puts(sb, "***");
        }
    }
}

/* "scheme://[***@]host[:port]/path[?name=***...]" of a parsed URL: heap. */
static char *redact(CURLU *u)
{
    char *scheme = NULL, *user = NULL, *pass = NULL, *host = NULL, *port = NULL, *path = NULL,
         *query = NULL;
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4 * URI_MSG_CAP);
    vg_strbuf_printf(&sb, "%s://", scheme ? scheme : "?");
    if (user || pass)
        vg_strbuf_puts(&sb, "***@");
    if (host)
        vg_strbuf_put_escaped(&sb, host, strlen(host), 255);
    if (port)
        vg_strbuf_printf(&sb, ":%s", port);
    if (path)
        vg_strbuf_put_escaped(&sb, path, strlen(path), URI_MSG_CAP);
    if (query)
        redact_query(&sb, query);
    curl_free(scheme);
    curl_free(user);
    if (pass)
        OPENSSL_cleanse(pass, strlen(pass));
    curl_free(pass);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    return vg_strbuf_detach(&sb);
}

/* Parses an absolute http/https URL with a host into `u`. `what` ("layers[3].uri", "layer 3:
 * redirect target") starts the message; `bad` is the code of a refusal (VG_EINVAL for the
 * caller's URIs, which get VG_ETOOBIG when too long; VG_EIO for a server's redirects). On
 * success *shown is the redacted form (heap). */
static int parse_http_url(CURLU *u, char **shown, const char *s, const char *what, int bad)
{
    size_t n = strlen(s);
    if (n == 0)
        return vg_error_set(bad, "%s: empty", what);
    if (n > VG_IMAGE_MAX_URI_BYTES)
        return vg_error_set(bad == VG_EINVAL ? VG_ETOOBIG : bad, "%s: %zu bytes, longer than %zu",
                            what, n, VG_IMAGE_MAX_URI_BYTES);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return vg_error_set(bad, "%s: byte %zu is not printable ASCII (0x%02x)", what, i,
                                (unsigned char)s[i]);
    if (curl_url_set(u, CURLUPART_URL, s, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        return vg_error_set(bad, "%s: not an absolute URI", what);
    char *scheme = NULL, *host = NULL;
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    int rc = 0;
    if (!scheme || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        vg_strbuf e;
        vg_strbuf_init(&e, 256);
        vg_strbuf_put_escaped(&e, scheme ? scheme : "", scheme ? strlen(scheme) : 0, 32);
        rc = vg_error_set(bad, "%s: scheme \"%s\" is not allowed (only http and https)", what,
                          e.buf);
        vg_strbuf_dispose(&e);
    } else if (strncmp(s + strlen(scheme), "://", 3) != 0) { /* libcurl takes "http:/x" */
        rc = vg_error_set(bad, "%s: not an absolute URI (want %s://HOST/...)", what, scheme);
    } else if (!host || !*host || s[strlen(scheme) + 3] == '/') {
        /* the last: libcurl reads "http:///x" as the host x */
        rc = vg_error_set(bad, "%s: no host", what);
    }
    curl_free(scheme);
    curl_free(host);
    if (rc == 0)
        *shown = redact(u);
    return rc;
}

/* Checks one "Name: value" line and turns it into libcurl's form (heap). */
static int check_header(char **out, bool *credential, const char *line, size_t i, size_t j)
{
    if (!line)
        return vg_error_set(VG_EINVAL, "layers[%zu].headers[%zu]: missing", i, j);
    size_t n = strlen(line);
    if (n > VG_IMAGE_MAX_HEADER_BYTES)
        return vg_error_set(VG_ETOOBIG, "layers[%zu].headers[%zu]: %zu bytes, longer than %zu", i,
                            j, n, VG_IMAGE_MAX_HEADER_BYTES);
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)line[k];
        if (c == '\r' || c == '\n')
            return vg_error_set(VG_EINVAL,
                                "layers[%zu].headers[%zu]: CR or LF at byte %zu (header "
                                "injection)",
                                i, j, k);
        if ((c < ' ' && c != '\t') || c == 0x7f)
            return vg_error_set(VG_EINVAL, "layers[%zu].headers[%zu]: control byte 0x%02x at %zu",
                                i, j, c, k);
    }
    size_t k = 0;
    while (is_tchar(line[k]))
        k++;
    if (k == 0 || line[k] != ':')
        return vg_error_set(VG_EINVAL, "layers[%zu].headers[%zu]: not \"Name: value\"", i, j);
    vg_slice name = {line, k};
    if (in_list(owned_headers, VG_ARRAY_LEN(owned_headers), name)) {
        vg_strbuf e;
        vg_strbuf_init(&e, 256);
        vg_strbuf_put_escaped(&e, name.ptr, name.len, 64);
        int rc = vg_error_set(VG_EINVAL, "layers[%zu].headers[%zu]: %s is set by the fetcher", i, j,
                              e.buf);
        vg_strbuf_dispose(&e);
        return rc;
    }
    vg_slice value = vg_slice_trim((vg_slice){line + k + 1, n - k - 1});
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_IMAGE_MAX_HEADER_BYTES + 4);
    vg_strbuf_append(&sb, name.ptr, name.len);
    if (value.len) {
        vg_strbuf_puts(&sb, ": ");
        vg_strbuf_append(&sb, value.ptr, value.len);
    } else {
        vg_strbuf_putc(&sb, ';'); /* libcurl: "Name:" would remove the header, "Name;" sends it */
    }
    *out = vg_strbuf_detach(&sb);
    *credential = in_list(credential_headers, VG_ARRAY_LEN(credential_headers), name);
    return 0;
}

static int check_media_type(const char *mt, size_t i)
{
    if (!mt || !*mt)
        return 0;
    size_t n = strlen(mt);
    if (n > VG_IMAGE_MAX_MEDIA_TYPE_BYTES)
        return vg_error_set(VG_ETOOBIG, "layers[%zu].media_type: %zu bytes, longer than %zu", i, n,
                            VG_IMAGE_MAX_MEDIA_TYPE_BYTES);
    vg_strbuf e;
    vg_strbuf_init(&e, 1024);
    vg_strbuf_put_escaped(&e, mt, n, 255);
    int rc = 0;
    if (strcmp(e.buf, mt) != 0) /* escaping changed it: control or non-ASCII bytes */
        rc = vg_error_set(VG_EINVAL, "layers[%zu].media_type: \"%s\" is malformed", i, e.buf);
    else if (!vg__layer_media_type_ok(mt))
        rc = vg_error_set(VG_EINVAL, "layers[%zu].media_type: \"%s\" is not a tar layer", i, e.buf);
    vg_strbuf_dispose(&e);
    return rc;
}

/* ---- the source ---------------------------------------------------------------------- */

static void layer_dispose(uri_layer *l)
{
    free(l->digest);
    if (l->uri)
        OPENSSL_cleanse(l->uri, strlen(l->uri)); /* userinfo, signed query */
    free(l->uri);
    free(l->shown);
    for (size_t j = 0; j < l->n_headers; j++) {
        if (l->headers[j])
            OPENSSL_cleanse(l->headers[j], strlen(l->headers[j]));
        free(l->headers[j]);
    }
    free(l->headers);
    free(l->credential);
    memset(l, 0, sizeof(*l));
}

static void uri_free(vg_source *vs)
{
    uri_source *s = (uri_source *)vs;
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        layer_dispose(&s->layers[i]);
    free(s->layers);
    free(s);
}

static int uri_get_manifest(vg_source *vs, const char *ref, vg_strbuf *body, char **media_type)
{
    (void)vs;
    (void)ref;
    (void)body;
    (void)media_type;
    return vg_error_set(VG_EINVAL, "an image made of layer URIs has no manifests to fetch");
}

/* The layer with `digest`, looked for from the one after the last opened (an image may list
 * the same digest twice; layers are opened in order, so each gets its own URI). */
static bool find_layer(const uri_source *s, const char *digest, size_t *out)
{
    for (size_t k = 0; k < s->n; k++) {
        size_t i = (s->next + k) % s->n;
        if (strcmp(s->layers[i].digest, digest) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

static bool is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* A redirect target: absolute http/https. *shown is its redacted form (heap). */
static int check_location(char **shown, const char *loc, size_t i)
{
    CURLU *u = curl_url();
    if (!u)
        abort();
    vg_strbuf what;
    vg_strbuf_init(&what, 0);
    vg_strbuf_printf(&what, "layer %zu: redirect target", i);
    int rc = parse_http_url(u, shown, loc, what.buf, VG_EIO);
    vg_strbuf_dispose(&what);
    curl_url_cleanup(u);
    return rc;
}

static int uri_open_blob(vg_source *vs, const char *digest, int64_t size, vg_blob **out)
{
    uri_source *s = (uri_source *)vs;
    size_t i;
    if (!find_layer(s, digest, &i))
        return vg_error_set(VG_ENOTFOUND, "no layer %s in this image", digest);
    s->next = i + 1;
    const uri_layer *l = &s->layers[i];
    const vg_image_opts *o = vs->opts;
    uint64_t max = o->limits.max_layer_bytes ? o->limits.max_layer_bytes : UINT64_MAX;
    vg_strbuf prefix;
    vg_strbuf_init(&prefix, 64);
    vg_strbuf_printf(&prefix, "layer %zu", i);
    vg__http *h = vg__http_new(prefix.buf, l->shown, o->insecure, true, o->ca_file, size, max,
                               size >= 0 ? "its declared size" : "max_layer_bytes");
    vg_strbuf_dispose(&prefix);
    const char **hdrs = vg_xcalloc(l->n_headers ? l->n_headers : 1, sizeof(*hdrs));
    char *url = NULL, *via = NULL; /* via: the redacted redirect target, for messages */
    int attempt = 0, rc = 0;
restart:
    free(url);
    free(via);
    url = vg_xstrdup(l->uri);
    via = NULL;
    bool away = false; /* a redirect left the URI's origin: no credentials from now on */
    for (int redirects = 0;;) {
        size_t nh = 0;
        for (size_t j = 0; j < l->n_headers; j++)
            if (!away || !l->credential[j])
                hdrs[nh++] = l->headers[j];
        long status = 0;
        rc = vg__http_get(h, url, hdrs, nh, &status);
        if (rc < 0)
            goto out;
        const char *v1 = via ? " (redirected to " : "", *v2 = via ? via : "", *v3 = via ? ")" : "";
        if (status == 0) {
            const char *detail = NULL;
            int cc = vg__http_result(h, &detail);
            if (vg__reg_retryable(cc) && attempt + 1 < URI_MAX_ATTEMPTS) {
                vg__reg_backoff(attempt++, 0);
                goto restart;
            }
            rc = vg_error_set(VG_EIO, "layer %zu: %s%s%s%s: %s", i, l->shown, v1, v2, v3, detail);
            goto out;
        }
        if (status == 200) {
            int64_t cl = vg__http_content_length(h);
            if (cl >= 0 && (uint64_t)cl > max) {
                rc = vg_error_set(VG_ETOOBIG, "layer %zu: %s%s%s%s: %lld bytes exceed %s (%llu)", i,
                                  l->shown, v1, v2, v3, (long long)cl, "max_layer_bytes",
                                  (unsigned long long)max);
                goto out;
            }
            *out = vg__http_blob(h);
            h = NULL;
            goto out;
        }
        if (is_redirect(status)) {
            const char *loc = vg__http_location(h);
            if (!loc) {
                rc = vg_error_set(VG_EIO, "layer %zu: %s%s%s%s: HTTP %ld without a Location", i,
                                  l->shown, v1, v2, v3, status);
                goto out;
            }
            if (++redirects > VG_IMAGE_MAX_URI_REDIRECTS) {
                rc = vg_error_set(VG_EIO, "layer %zu: %s: more than %d redirects", i, l->shown,
                                  VG_IMAGE_MAX_URI_REDIRECTS);
                goto out;
            }
            char *shown = NULL;
            rc = check_location(&shown, loc, i);
            if (rc < 0)
                goto out;
            if (!vg__same_origin(l->uri, loc))
                away = true;
            char *next = vg_xstrdup(loc);
            free(url);
            url = next;
            free(via);
            via = shown;
            continue;
        }
        if ((status == 429 || status >= 500) && attempt + 1 < URI_MAX_ATTEMPTS) {
            vg__reg_backoff(attempt++, vg__http_retry_after(h));
            goto restart;
        }
        rc = vg_error_set(VG_EIO, "layer %zu: %s%s%s%s: %sHTTP %ld", i, l->shown, v1, v2, v3,
                          status >= 400 ? "" : "unexpected ", status);
        goto out;
    }
out:
    if (url)
        OPENSSL_cleanse(url, strlen(url));
    free(url);
    free(via);
    free(hdrs);
    vg__http_free(h);
    return rc;
}

static const vg_source_ops uri_ops = {
    .get_manifest = uri_get_manifest,
    .open_blob = uri_open_blob,
    .free = uri_free,
};

/* Checks layer `i` and fills `l` (disposed by the caller on error). */
static int load_layer(uri_layer *l, const vg_remote_layer *in, size_t i)
{
    vg_strbuf where;
    vg_strbuf_init(&where, 0);
    vg_strbuf_printf(&where, "layers[%zu].digest", i);
    int rc = vg__digest_valid(in->digest, where.buf);
    vg_strbuf_reset(&where);
    vg_strbuf_printf(&where, "layers[%zu].uri", i);
    if (rc == 0 && !in->uri)
        rc = vg_error_set(VG_EINVAL, "%s: missing", where.buf);
    if (rc == 0) {
        CURLU *u = curl_url();
        if (!u)
            abort();
        rc = parse_http_url(u, &l->shown, in->uri, where.buf, VG_EINVAL);
        curl_url_cleanup(u);
    }
    vg_strbuf_dispose(&where);
    if (rc == 0)
        rc = check_media_type(in->media_type, i);
    if (rc == 0 && in->n_headers > VG_IMAGE_MAX_LAYER_HEADERS)
        rc = vg_error_set(VG_ETOOBIG, "layers[%zu].headers: %zu lines, more than %d", i,
                          in->n_headers, VG_IMAGE_MAX_LAYER_HEADERS);
    if (rc == 0 && in->n_headers && !in->headers)
        rc = vg_error_set(VG_EINVAL, "layers[%zu].headers: missing", i);
    if (rc < 0)
        return rc;
    l->digest = vg_xstrdup(in->digest);
    l->uri = vg_xstrdup(in->uri);
    l->headers = vg_xcalloc(in->n_headers ? in->n_headers : 1, sizeof(*l->headers));
    l->credential = vg_xcalloc(in->n_headers ? in->n_headers : 1, sizeof(*l->credential));
    for (size_t j = 0; j < in->n_headers; j++) {
        rc = check_header(&l->headers[j], &l->credential[j], in->headers[j], i, j);
        if (rc < 0)
            return rc;
        l->n_headers = j + 1;
    }
    return 0;
}

int vg_image_open_layers(vg_image **out, const char *manifest_hash, const vg_remote_layer *layers,
                         size_t n, const vg_image_opts *opts)
{
    vg_image_opts defaults;
    if (!opts) {
        vg_image_opts_default(&defaults);
        opts = &defaults;
    }
    int rc = vg__digest_valid(manifest_hash, "manifest hash");
    if (rc < 0)
        return rc;
    if (n > opts->limits.max_layers)
        return vg_error_set(VG_ETOOBIG, "manifest %s: %zu layers exceeds max_layers (%llu)",
                            manifest_hash, n, (unsigned long long)opts->limits.max_layers);
    if (n && !layers)
        return vg_error_set(VG_EINVAL, "manifest %s: layers missing", manifest_hash);
    rc = vg__curl_init();
    if (rc < 0)
        return rc;
    uri_source *s = vg_xcalloc(1, sizeof(*s));
    s->base.ops = &uri_ops;
    s->layers = vg_xcalloc(n ? n : 1, sizeof(*s->layers));
    s->n = n;
    vg_layer_desc *descs = vg_xcalloc(n ? n : 1, sizeof(*descs));
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = load_layer(&s->layers[i], &layers[i], i);
        descs[i].digest = layers[i].digest;
        descs[i].media_type = layers[i].media_type ? layers[i].media_type : "";
        descs[i].size = -1;
    }
    if (rc < 0) {
        free(descs);
        uri_free(&s->base);
        return rc;
    }
    vg_strbuf name;
    vg_strbuf_init(&name, 0);
    vg_strbuf_printf(&name, "manifest %s", manifest_hash);
    rc = vg__image_from_source(out, name.buf, opts, &s->base, manifest_hash, descs, n);
    vg_strbuf_dispose(&name);
    free(descs);
    return rc;
}
