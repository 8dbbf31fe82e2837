/* registry.c — the registry source of src/image/ (Distribution API v2 over libcurl):
 * manifests by tag or digest, blobs as pull-driven streams (multi interface, at most one
 * libcurl chunk buffered, CURL_WRITEFUNC_PAUSE otherwise), retries, redirects; auth.c.
 * The streams are also the transport of the URI source (uri.c, through vg__http_*). */
#include "image_int.h"

#include <curl/curl.h>
#include <jansson.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/*
 * Transport decisions:
 * - TLS is verified unless opts->insecure. opts->ca_file becomes CURLOPT_CAINFO; the system
 *   CAs stay trusted through libcurl's default CA path (Debian: /etc/ssl/certs).
 * - opts->insecure turns verification off and allows plain http: the source's first request
 *   tries https, and when that fails below HTTP (a plain-http server makes the TLS handshake
 *   fail) it falls back to http for the rest of the source's life. Without insecure, http is
 *   never used, for the registry, the token realm or a redirect.
 * - Timeouts: 30 s to connect; a transfer that moves no byte for 60 s fails. No total
 *   timeout for blobs (layers can be large); a paused (unread) stream does not count.
 * - Retries: 429, 5xx, refused/reset connections and timeouts, up to 4 attempts, with
 *   exponential backoff from 250 ms capped at 8 s, or the server's Retry-After (capped at
 *   60 s). Manifests are retried whole; blobs only while opening, before any byte was handed
 *   out. A blob stream that breaks later fails with VG_EIO (the digest check of the caller
 *   would catch any inconsistency).
 * - Redirects (blob storage) are followed by hand, at most 8, https only unless insecure. The
 *   Authorization header is sent to the registry's own scheme://host:port only, never to
 *   another host a redirect leads to.
 * - Docker Hub: "docker.io" (and index.docker.io) is served by registry-1.docker.io, and a
 *   one-component repository gets "library/".
 * - HTTP/1.1 only: one connection per stream, no HTTP/2 flow-control surprises with pauses.
 */

#define REG_MAX_ATTEMPTS 4
#define REG_MAX_REDIRECTS 8
#define REG_CONNECT_TIMEOUT_S 30L
#define REG_STALL_TIME_S 60L
#define REG_BACKOFF_BASE_MS 250L
#define REG_BACKOFF_CAP_MS 8000L
#define REG_RETRY_AFTER_CAP_S 60L
#define REG_POLL_MS 1000
#define REG_HEADER_CAP ((size_t)8192)  /* WWW-Authenticate values kept per response */
#define REG_ERRBODY_CAP ((size_t)4096) /* error body kept for the registry's error code */
#define REG_CHUNK_CAP ((size_t)4 << 20)
#define REG_NAME_CAP ((size_t)255)
#define REG_TAG_CAP ((size_t)128)

static const char manifest_accept[] = "Accept: application/vnd.oci.image.index.v1+json, "
                                      "application/vnd.oci.image.manifest.v1+json, "
                                      "application/vnd.docker.distribution.manifest.list.v2+json, "
                                      "application/vnd.docker.distribution.manifest.v2+json";

typedef enum reg_scheme {
    SCHEME_UNKNOWN, /* insecure and not probed yet: https first, then http */
    SCHEME_HTTPS,
    SCHEME_HTTP,
} reg_scheme;

typedef struct reg_source {
    vg_source base;
    char *host;     /* as referenced: messages and credential lookup */
    char *api_host; /* where requests go */
    char *repo;
    char *ref; /* the manifest reference of the image: digest, tag or "latest" */
    char *ca_file;
    bool insecure;
    reg_scheme scheme;
    uint64_t max_manifest;
    uint64_t max_blob; /* for blobs of unknown size */
    vg__reg_auth *auth;
} reg_source;

/* One GET in flight, and after a 200 the blob stream handed to the caller. */
typedef struct vg__http reg_stream;
struct vg__http {
    vg_blob base;
    CURLM *multi;
    CURL *easy;
    bool attached;
    struct curl_slist *hdrs;
    char errbuf[CURL_ERROR_SIZE];
    /* the response in progress */
    long status;
    bool headers_done;
    bool done;
    CURLcode result;
    vg_strbuf challenges; /* WWW-Authenticate values, one per line */
    vg_strbuf ctype;
    vg_strbuf errbody;
    /* body bytes libcurl handed over that the reader has not taken yet */
    char *chunk;
    size_t chunk_cap;
    size_t chunk_off;
    size_t chunk_len;
    bool paused;
    bool overflow;
    bool cut; /* a non-200 body was cut at REG_ERRBODY_CAP: not a transfer failure */
    /* what the reader got */
    int64_t expect; /* -1 unknown */
    uint64_t max_bytes;
    const char *cap_name;
    uint64_t delivered;
    int err;      /* sticky */
    char *prefix; /* "registry HOST", "layer 3": messages read "<prefix>: <what>: ..." */
    char *what;   /* "blob sha256:... of repo", for messages */
};

/* ---- shared with auth.c -------------------------------------------------------------- */

void vg__reg_curl_setup(void *curl, bool insecure, const char *ca_file)
{
    CURL *h = curl;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil/" VG_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, REG_CONNECT_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, REG_STALL_TIME_S);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, insecure ? "http,https" : "https");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
    if (ca_file && *ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
}

void vg__reg_backoff(int attempt, long retry_after)
{
    long ms;
    if (retry_after > 0) {
        ms = (retry_after < REG_RETRY_AFTER_CAP_S ? retry_after : REG_RETRY_AFTER_CAP_S) * 1000;
    } else {
        ms = REG_BACKOFF_BASE_MS << (attempt < 8 ? attempt : 8);
        if (ms > REG_BACKOFF_CAP_MS)
            ms = REG_BACKOFF_CAP_MS;
    }
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

bool vg__reg_retryable(int curl_code)
{
    switch ((CURLcode)curl_code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

/* ---- names --------------------------------------------------------------------------- */

static bool valid_host(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > REG_NAME_CAP)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return false;
    }
    return true;
}

/* Repository names: lowercase components of [a-z0-9._-] separated by single '/', each
 * starting and ending with [a-z0-9] (a superset-safe subset of the distribution grammar). */
static bool valid_repo(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > REG_NAME_CAP)
        return false;
    bool start = true;
    for (size_t i = 0; i < n; i++) {
        char c = r[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (c == '/') {
            if (start || i + 1 == n)
                return false;
            start = true;
            continue;
        }
        if (!alnum && c != '.' && c != '_' && c != '-')
            return false;
        if ((start || i + 1 == n || r[i + 1] == '/') && !alnum)
            return false;
        start = false;
    }
    return true;
}

static bool valid_tag(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > REG_TAG_CAP)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        bool w =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!w && (i == 0 || (c != '.' && c != '-')))
            return false;
    }
    return true;
}

static bool is_hub(const char *h)
{
    return strcasecmp(h, "docker.io") == 0 || strcasecmp(h, "index.docker.io") == 0 ||
           strcasecmp(h, "registry-1.docker.io") == 0;
}

/* ---- one GET ------------------------------------------------------------------------- */

static bool header_value(vg_slice line, const char *name, vg_slice *value)
{
    size_t n = strlen(name);
    if (line.len <= n || line.ptr[n] != ':' || strncasecmp(line.ptr, name, n) != 0)
        return false;
    *value = vg_slice_trim((vg_slice){line.ptr + n + 1, line.len - n - 1});
    return true;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    reg_stream *st = ud;
    size_t len = size * nmemb;
    vg_slice line = vg_slice_trim((vg_slice){p, len});
    vg_slice v;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        st->headers_done = false;
        vg_strbuf_reset(&st->challenges);
        vg_strbuf_reset(&st->ctype);
    } else if (line.len == 0) {
        long code = 0;
        curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code >= 200) {
            st->status = code;
            st->headers_done = true;
        }
    } else if (header_value(line, "www-authenticate", &v)) {
        vg_strbuf_append(&st->challenges, v.ptr, v.len);
        vg_strbuf_putc(&st->challenges, '\n');
    } else if (header_value(line, "content-type", &v)) {
        vg_strbuf_reset(&st->ctype);
        vg_strbuf_append(&st->ctype, v.ptr, v.len);
    }
    return len;
}

/* Takes one libcurl chunk when the previous one was consumed, pauses the transfer
 * otherwise: memory stays bounded by one chunk whatever the blob's size. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    reg_stream *st = ud;
    size_t len = size * nmemb;
    if (st->status != 200) {
        /* Kept for the registry's error code; a longer body is not read at all. */
        size_t room = REG_ERRBODY_CAP - st->errbody.len;
        vg_strbuf_append(&st->errbody, p, len < room ? len : room);
        if (len > room) {
            st->cut = true;
            return 0;
        }
        return len;
    }
    if (st->chunk_off < st->chunk_len) {
        st->paused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (len > REG_CHUNK_CAP) {
        st->overflow = true;
        return 0;
    }
    if (len > st->chunk_cap) {
        free(st->chunk);
        st->chunk = vg_xmalloc(len);
        st->chunk_cap = len;
    }
    memcpy(st->chunk, p, len);
    st->chunk_off = 0;
    st->chunk_len = len;
    return len;
}

static ssize_t stream_read(vg_blob *b, void *buf, size_t n);
static void stream_close(vg_blob *b);
static int stream_finish(reg_stream *st);

/* Takes `what` (heap). */
static reg_stream *stream_new_raw(const char *prefix, char *what, bool insecure, bool allow_http,
                                  const char *ca_file, int64_t expect, uint64_t max,
                                  const char *cap_name)
{
    reg_stream *st = vg_xcalloc(1, sizeof(*st));
    st->base.read = stream_read;
    st->base.close = stream_close;
    st->multi = curl_multi_init();
    st->easy = curl_easy_init();
    if (!st->multi || !st->easy)
        abort(); /* libcurl could not allocate */
    vg__reg_curl_setup(st->easy, insecure, ca_file);
    if (allow_http)
        curl_easy_setopt(st->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(st->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(st->easy, CURLOPT_HEADERDATA, st);
    curl_easy_setopt(st->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(st->easy, CURLOPT_WRITEDATA, st);
    curl_easy_setopt(st->easy, CURLOPT_ERRORBUFFER, st->errbuf);
    vg_strbuf_init(&st->challenges, REG_HEADER_CAP);
    vg_strbuf_init(&st->ctype, 256);
    vg_strbuf_init(&st->errbody, REG_ERRBODY_CAP);
    st->expect = expect;
    st->max_bytes = max;
    st->cap_name = cap_name;
    st->prefix = vg_xstrdup(prefix);
    st->what = what;
    return st;
}

static reg_stream *stream_new(const reg_source *s, char *what, int64_t expect, uint64_t max,
                              const char *cap_name)
{
    vg_strbuf prefix;
    vg_strbuf_init(&prefix, 512);
    vg_strbuf_printf(&prefix, "registry %s", s->host);
    reg_stream *st = stream_new_raw(prefix.buf, what, s->insecure, s->insecure, s->ca_file, expect,
                                    max, cap_name);
    vg_strbuf_dispose(&prefix);
    return st;
}

static void stream_free(reg_stream *st)
{
    if (!st)
        return;
    if (st->attached)
        curl_multi_remove_handle(st->multi, st->easy);
    curl_easy_cleanup(st->easy);
    curl_multi_cleanup(st->multi);
    curl_slist_free_all(st->hdrs);
    vg_strbuf_dispose(&st->challenges);
    vg_strbuf_dispose(&st->ctype);
    vg_strbuf_dispose(&st->errbody);
    free(st->chunk);
    free(st->prefix);
    free(st->what);
    free(st);
}

static void stream_close(vg_blob *b)
{
    stream_free((reg_stream *)b);
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *h)
{
    struct curl_slist *n = curl_slist_append(l, h);
    if (!n)
        abort();
    return n;
}

/* Starts a GET of `url` with `n` header lines. */
static void stream_start_raw(reg_stream *st, const char *url, const char *const *hdrs, size_t n)
{
    if (st->attached)
        curl_multi_remove_handle(st->multi, st->easy);
    st->attached = false;
    curl_slist_free_all(st->hdrs);
    st->hdrs = NULL;
    for (size_t i = 0; i < n; i++)
        st->hdrs = slist_add(st->hdrs, hdrs[i]);
    st->status = 0;
    st->headers_done = false;
    st->done = false;
    st->result = CURLE_OK;
    st->paused = false;
    st->overflow = false;
    st->cut = false;
    st->chunk_off = st->chunk_len = 0;
    st->errbuf[0] = '\0';
    vg_strbuf_reset(&st->challenges);
    vg_strbuf_reset(&st->ctype);
    vg_strbuf_reset(&st->errbody);
    curl_easy_setopt(st->easy, CURLOPT_URL, url);
    curl_easy_setopt(st->easy, CURLOPT_HTTPHEADER, st->hdrs);
    if (curl_multi_add_handle(st->multi, st->easy) != CURLM_OK)
        abort();
    st->attached = true;
}

/* Starts a GET of `url`; `auth` is an Authorization header line or NULL. */
static void stream_start(reg_stream *st, const char *url, const char *auth, const char *accept)
{
    const char *hdrs[2];
    size_t n = 0;
    if (accept)
        hdrs[n++] = accept;
    if (auth)
        hdrs[n++] = auth;
    stream_start_raw(st, url, hdrs, n);
}

/* Lets libcurl make progress: one perform, then a wait of up to REG_POLL_MS unless there is
 * already something for the caller (data, the end, or — `want_headers` — a full header). */
static int stream_pump(reg_stream *st, bool want_headers)
{
    int running = 0;
    CURLMcode mc = curl_multi_perform(st->multi, &running);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(st->multi, &left)) != NULL) {
        if (m->msg == CURLMSG_DONE && m->easy_handle == st->easy) {
            st->done = true;
            st->result = st->cut ? CURLE_OK : m->data.result;
        }
    }
    if (mc == CURLM_OK && !st->done && st->chunk_off == st->chunk_len && !st->paused &&
        !(want_headers && st->headers_done))
        mc = curl_multi_poll(st->multi, NULL, 0, REG_POLL_MS, NULL);
    if (mc != CURLM_OK)
        return vg_error_set(VG_EIO, "%s: %s: %s", st->prefix, st->what, curl_multi_strerror(mc));
    return 0;
}

static const char *curl_detail(const reg_stream *st)
{
    return st->errbuf[0] ? st->errbuf : curl_easy_strerror(st->result);
}

static bool is_tls_error(CURLcode c)
{
    return c == CURLE_SSL_CONNECT_ERROR || c == CURLE_PEER_FAILED_VERIFICATION ||
           c == CURLE_SSL_CERTPROBLEM || c == CURLE_SSL_CACERT_BADFILE ||
           c == CURLE_SSL_ISSUER_ERROR || c == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

/* ", CODE" from a registry error body {"errors":[{"code":...}]}, escaped; "" if none. */
static void registry_error_code(const reg_stream *st, vg_strbuf *out)
{
    json_t *root = json_loadb(st->errbody.buf, st->errbody.len, 0, NULL);
    json_t *code = json_object_get(json_array_get(json_object_get(root, "errors"), 0), "code");
    if (json_is_string(code)) {
        vg_strbuf_puts(out, ", ");
        vg_strbuf_put_escaped(out, json_string_value(code), json_string_length(code), 64);
    }
    json_decref(root);
}

bool vg__same_origin(const char *a, const char *b)
{
    CURLU *ua = curl_url(), *ub = curl_url();
    if (!ua || !ub)
        abort();
    bool same = false;
    if (curl_url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
        curl_url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK) {
        static const CURLUPart parts[] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
        same = true;
        for (size_t i = 0; same && i < VG_ARRAY_LEN(parts); i++) {
            char *pa = NULL, *pb = NULL;
            if (curl_url_get(ua, parts[i], &pa, CURLU_DEFAULT_PORT) != CURLUE_OK ||
                curl_url_get(ub, parts[i], &pb, CURLU_DEFAULT_PORT) != CURLUE_OK ||
                strcasecmp(pa, pb) != 0)
                same = false;
            curl_free(pa);
            curl_free(pb);
        }
    }
    curl_url_cleanup(ua);
    curl_url_cleanup(ub);
    return same;
}

static char *make_url(const reg_source *s, const char *path)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_printf(&sb, "%s://%s/v2/%s/%s", s->scheme == SCHEME_HTTP ? "http" : "https",
                     s->api_host, s->repo, path);
    return vg_strbuf_detach(&sb);
}

/* GETs `path` below /v2/<repo>/ and leaves the stream at the body of the 200 response:
 * auth challenges, redirects, retries and the insecure http fallback happen here. Takes
 * `what` (heap, for messages). `head`: a HEAD request instead, which also succeeds on a
 * redirect (not followed). */
static int reg_open(reg_source *s, const char *path, const char *accept, char *what, int64_t expect,
                    uint64_t max, const char *cap_name, bool head, reg_stream **out)
{
    reg_stream *st = stream_new(s, what, expect, max, cap_name);
    if (head)
        curl_easy_setopt(st->easy, CURLOPT_NOBODY, 1L);
    char *url = NULL;
    int attempt = 0, redirects = 0, rc = 0;
    bool retried_auth = false;
    vg_strbuf code;
    vg_strbuf_init(&code, 256);
restart:
    free(url);
    url = make_url(s, path);
    bool at_registry = true; /* false once a redirect left the registry's origin */
    for (;;) {
        const char *auth = at_registry ? vg__reg_auth_header(s->auth) : NULL;
        stream_start(st, url, auth, accept);
        while (!st->done && !(st->headers_done && st->status == 200))
            if ((rc = stream_pump(st, true)) < 0)
                goto fail;
        if (st->done && st->result != CURLE_OK) {
            if (st->overflow) {
                rc = stream_finish(st);
                goto fail;
            }
            if (s->scheme == SCHEME_UNKNOWN && redirects == 0) {
                s->scheme = SCHEME_HTTP; /* insecure: https failed below HTTP, try http */
                goto restart;
            }
            if (vg__reg_retryable((int)st->result) && attempt + 1 < REG_MAX_ATTEMPTS) {
                vg__reg_backoff(attempt++, 0);
                goto restart;
            }
            bool hint = !s->insecure && is_tls_error(st->result);
            rc = vg_error_set(VG_EIO, "registry %s: %s: %s%s", s->host, what, curl_detail(st),
                              hint ? " (a plain-http or self-signed registry needs the "
                                     "insecure option or a CA file)"
                                   : "");
            goto fail;
        }
        if (s->scheme == SCHEME_UNKNOWN)
            s->scheme = SCHEME_HTTPS;
        long status = st->status;
        if (status == 200) {
            curl_off_t cl = -1;
            curl_easy_getinfo(st->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
            if (cl >= 0 && expect >= 0 && cl != expect) {
                rc = vg_error_set(VG_EINVAL,
                                  "registry %s: %s: the registry sends %lld bytes, the "
                                  "descriptor says %lld",
                                  s->host, what, (long long)cl, (long long)expect);
                goto fail;
            }
            if (cl >= 0 && (uint64_t)cl > max) {
                rc = vg_error_set(VG_ETOOBIG, "registry %s: %s exceeds %s (%llu bytes)", s->host,
                                  what, cap_name, (unsigned long long)max);
                goto fail;
            }
            free(url);
            vg_strbuf_dispose(&code);
            *out = st;
            return 0;
        }
        bool redirect =
            status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
        if (redirect && head && at_registry) {
            free(url);
            vg_strbuf_dispose(&code);
            *out = st;
            return 0;
        }
        if (redirect) {
            char *loc = NULL;
            curl_easy_getinfo(st->easy, CURLINFO_REDIRECT_URL, &loc);
            if (!loc || ++redirects > REG_MAX_REDIRECTS) {
                rc = vg_error_set(VG_EIO, "registry %s: %s: %s", s->host, what,
                                  loc ? "too many redirects" : "redirect without a Location");
                goto fail;
            }
            bool https = strncasecmp(loc, "https://", 8) == 0;
            if (!https && !(s->insecure && strncasecmp(loc, "http://", 7) == 0)) {
                rc = vg_error_set(VG_EIO,
                                  "registry %s: %s: redirect to a non-https URL refused (plain "
                                  "http needs the insecure option)",
                                  s->host, what);
                goto fail;
            }
            if (!vg__same_origin(url, loc))
                at_registry = false;
            char *next = vg_xstrdup(loc);
            free(url);
            url = next;
            continue;
        }
        if ((status == 401 || status == 403) && at_registry) {
            rc = vg__reg_auth_challenge(s->auth, st->challenges.buf, status, retried_auth);
            if (rc < 0)
                goto fail;
            retried_auth = true;
            goto restart;
        }
        registry_error_code(st, &code);
        if (status == 404) {
            rc = vg_error_set(VG_ENOTFOUND, "registry %s: %s not found (HTTP 404%s)", s->host, what,
                              code.buf);
            goto fail;
        }
        if (status == 429 || status >= 500) {
            if (attempt + 1 < REG_MAX_ATTEMPTS) {
                curl_off_t ra = 0;
                curl_easy_getinfo(st->easy, CURLINFO_RETRY_AFTER, &ra);
                vg_strbuf_reset(&code);
                vg__reg_backoff(attempt++, (long)ra);
                goto restart;
            }
            rc = vg_error_set(VG_EIO, "registry %s: %s: HTTP %ld%s after %d attempts", s->host,
                              what, status, code.buf, REG_MAX_ATTEMPTS);
            goto fail;
        }
        rc = vg_error_set(VG_EIO, "registry %s: %s: %s answered HTTP %ld%s", s->host, what,
                          at_registry ? "the registry" : "the blob storage it redirected to",
                          status, code.buf);
        goto fail;
    }
fail:
    free(url);
    vg_strbuf_dispose(&code);
    stream_free(st);
    return rc;
}

/* The end of the body: the transfer's result and the byte count. */
static int stream_finish(reg_stream *st)
{
    if (st->overflow)
        return vg_error_set(VG_EIO, "%s: %s: libcurl chunk larger than %zu bytes", st->prefix,
                            st->what, REG_CHUNK_CAP);
    if (st->result != CURLE_OK)
        return vg_error_set(VG_EIO, "%s: %s: transfer failed after %llu bytes: %s", st->prefix,
                            st->what, (unsigned long long)st->delivered, curl_detail(st));
    if (st->expect >= 0 && st->delivered != (uint64_t)st->expect)
        return vg_error_set(VG_EINVAL, "%s: %s is truncated: %llu of %lld bytes", st->prefix,
                            st->what, (unsigned long long)st->delivered, (long long)st->expect);
    return 0;
}

static ssize_t stream_read(vg_blob *b, void *buf, size_t n)
{
    reg_stream *st = (reg_stream *)b;
    if (st->err)
        return st->err;
    if (n == 0)
        return 0;
    while (st->chunk_off == st->chunk_len) {
        int rc;
        if (st->done) {
            rc = stream_finish(st);
            st->err = rc;
            return rc;
        }
        if (st->paused) {
            st->paused = false;
            CURLcode cc = curl_easy_pause(st->easy, CURLPAUSE_CONT);
            if (cc != CURLE_OK) {
                st->err = vg_error_set(VG_EIO, "%s: %s: %s", st->prefix, st->what,
                                       curl_easy_strerror(cc));
                return st->err;
            }
            continue;
        }
        if ((rc = stream_pump(st, false)) < 0) {
            st->err = rc;
            return rc;
        }
    }
    size_t k = st->chunk_len - st->chunk_off;
    if (k > n)
        k = n;
    if (st->expect >= 0 && st->delivered + k > (uint64_t)st->expect) {
        st->err = vg_error_set(VG_EINVAL, "%s: %s is longer than its descriptor (%lld bytes)",
                               st->prefix, st->what, (long long)st->expect);
        return st->err;
    }
    if (st->delivered + k > st->max_bytes) {
        st->err = vg_error_set(VG_ETOOBIG, "%s: %s exceeds %s (%llu bytes)", st->prefix, st->what,
                               st->cap_name, (unsigned long long)st->max_bytes);
        return st->err;
    }
    memcpy(buf, st->chunk + st->chunk_off, k);
    st->chunk_off += k;
    st->delivered += k;
    return (ssize_t)k;
}

/* ---- the streams for other sources (uri.c) ------------------------------------------- */

vg__http *vg__http_new(const char *prefix, const char *what, bool insecure, bool allow_http,
                       const char *ca_file, int64_t expect, uint64_t max, const char *cap_name)
{
    return stream_new_raw(prefix, vg_xstrdup(what), insecure, allow_http, ca_file, expect, max,
                          cap_name);
}

void vg__http_free(vg__http *h)
{
    stream_free(h);
}

int vg__http_get(vg__http *h, const char *url, const char *const *hdrs, size_t n, long *status)
{
    stream_start_raw(h, url, hdrs, n);
    while (!h->done && !(h->headers_done && h->status == 200)) {
        int rc = stream_pump(h, true);
        if (rc < 0)
            return rc;
    }
    *status = h->done && h->result != CURLE_OK ? 0 : h->status;
    return 0;
}

int vg__http_result(const vg__http *h, const char **detail)
{
    *detail = curl_detail(h);
    return (int)h->result;
}

const char *vg__http_location(const vg__http *h)
{
    char *loc = NULL;
    curl_easy_getinfo(h->easy, CURLINFO_REDIRECT_URL, &loc);
    return loc;
}

long vg__http_retry_after(const vg__http *h)
{
    curl_off_t ra = 0;
    curl_easy_getinfo(h->easy, CURLINFO_RETRY_AFTER, &ra);
    return (long)ra;
}

int64_t vg__http_content_length(const vg__http *h)
{
    curl_off_t cl = -1;
    curl_easy_getinfo(h->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    return (int64_t)cl;
}

vg_blob *vg__http_blob(vg__http *h)
{
    return &h->base;
}

/* ---- the source ---------------------------------------------------------------------- */

static int reg_get_manifest(vg_source *vs, const char *ref, vg_strbuf *body, char **media_type)
{
    reg_source *s = (reg_source *)vs;
    if (!ref)
        ref = s->ref;
    bool by_digest = strchr(ref, ':') != NULL;
    if (by_digest) {
        int rc = vg__digest_valid(ref, "registry manifest reference");
        if (rc < 0)
            return rc;
    } else if (!valid_tag(ref)) {
        return vg_error_set(VG_EINVAL, "registry %s: invalid tag for %s", s->host, s->repo);
    }
    vg_strbuf what;
    vg_strbuf_init(&what, 1024);
    vg_strbuf_printf(&what, "manifest %s%s%s", s->repo, by_digest ? "@" : ":", ref);
    vg_strbuf path;
    vg_strbuf_init(&path, 1024);
    vg_strbuf_printf(&path, "manifests/%s", ref);
    uint64_t cap = s->max_manifest;
    if (body->limit - body->len < cap)
        cap = body->limit - body->len;
    reg_stream *st = NULL;
    int rc = reg_open(s, path.buf, manifest_accept, vg_strbuf_detach(&what), -1, cap,
                      "max_manifest_bytes", false, &st);
    vg_strbuf_dispose(&path);
    if (rc < 0)
        return rc;
    vg_strbuf data; /* the stream enforces `cap`; a 0 limit would mean the default */
    vg_strbuf_init(&data, cap ? (size_t)cap : 1);
    char buf[16384];
    ssize_t got;
    while ((got = stream_read(&st->base, buf, sizeof(buf))) > 0)
        vg_strbuf_append(&data, buf, (size_t)got);
    rc = got < 0 ? (int)got : 0;
    if (rc == 0 && by_digest)
        rc = vg__digest_verify_buf(ref, -1, data.buf, data.len);
    if (rc == 0) {
        vg_strbuf_append(body, data.buf, data.len);
        vg_slice mt;
        vg_slice_split(vg_slice_from_cstr(st->ctype.buf), ';', &mt);
        mt = vg_slice_trim(mt);
        *media_type = mt.len ? vg_xstrndup(mt.ptr, mt.len) : NULL;
    }
    vg_strbuf_dispose(&data);
    stream_free(st);
    return rc;
}

static int reg_open_blob(vg_source *vs, const char *digest, int64_t size, vg_blob **out)
{
    reg_source *s = (reg_source *)vs;
    int rc = vg__digest_valid(digest, "registry blob");
    if (rc < 0)
        return rc;
    vg_strbuf what;
    vg_strbuf_init(&what, 1024);
    vg_strbuf_printf(&what, "blob %s of %s", digest, s->repo);
    vg_strbuf path;
    vg_strbuf_init(&path, 1024);
    vg_strbuf_printf(&path, "blobs/%s", digest);
    uint64_t max = size >= 0 ? (uint64_t)size : s->max_blob;
    reg_stream *st = NULL;
    rc = reg_open(s, path.buf, NULL, vg_strbuf_detach(&what), size, max,
                  size >= 0 ? "its descriptor's size" : "max_layer_bytes", false, &st);
    vg_strbuf_dispose(&path);
    if (rc < 0)
        return rc;
    *out = &st->base;
    return 0;
}

static void reg_free(vg_source *vs)
{
    reg_source *s = (reg_source *)vs;
    if (!s)
        return;
    vg__reg_auth_free(s->auth);
    free(s->host);
    free(s->api_host);
    free(s->repo);
    free(s->ref);
    free(s->ca_file);
    free(s);
}

static const vg_source_ops reg_ops = {
    .get_manifest = reg_get_manifest,
    .open_blob = reg_open_blob,
    .free = reg_free,
};

int vg__registry_blob_remote(char **url, char **auth, vg_source *vs, const char *digest,
                             int64_t size)
{
    if (vs->ops != &reg_ops)
        return vg_error_set(VG_EINVAL, "not a registry image");
    reg_source *s = (reg_source *)vs;
    int rc = vg__digest_valid(digest, "registry blob");
    if (rc < 0)
        return rc;
    vg_strbuf what;
    vg_strbuf_init(&what, 1024);
    vg_strbuf_printf(&what, "blob %s of %s", digest, s->repo);
    vg_strbuf path;
    vg_strbuf_init(&path, 1024);
    vg_strbuf_printf(&path, "blobs/%s", digest);
    reg_stream *st = NULL;
    rc = reg_open(s, path.buf, NULL, vg_strbuf_detach(&what), size, UINT64_MAX, "max_layer_bytes",
                  true, &st);
    if (rc == 0) {
        stream_free(st);
        *url = make_url(s, path.buf);
        const char *value = vg__reg_auth_value(s->auth);
        *auth = value ? vg_xstrdup(value) : NULL;
    }
    vg_strbuf_dispose(&path);
    return rc;
}

static CURLcode curl_init_result;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int vg__curl_init(void)
{
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK)
        return vg_error_set(VG_ERROR, "libcurl initialization failed: %s",
                            curl_easy_strerror(curl_init_result));
    return 0;
}

int vg__source_registry(vg_source **out, const vg_image_ref *ref, const vg_image_opts *opts)
{
    int irc = vg__curl_init();
    if (irc < 0)
        return irc;
    const char *host = ref->host && *ref->host ? ref->host : "docker.io";
    if (!valid_host(host))
        return vg_error_set(VG_EINVAL, "registry reference: invalid host");
    if (!ref->repo || !valid_repo(ref->repo))
        return vg_error_set(VG_EINVAL, "registry %s: invalid repository name", host);
    if (ref->digest) {
        int rc = vg__digest_valid(ref->digest, "registry reference");
        if (rc < 0)
            return rc;
    } else if (ref->tag && !valid_tag(ref->tag)) {
        return vg_error_set(VG_EINVAL, "registry %s: invalid tag for %s", host, ref->repo);
    }
    reg_source *s = vg_xcalloc(1, sizeof(*s));
    s->base.ops = &reg_ops;
    s->base.opts = opts;
    s->host = vg_xstrdup(host);
    bool hub = is_hub(host);
    s->api_host = vg_xstrdup(hub ? "registry-1.docker.io" : host);
    if (hub && !strchr(ref->repo, '/')) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 512);
        vg_strbuf_printf(&sb, "library/%s", ref->repo);
        s->repo = vg_strbuf_detach(&sb);
    } else {
        s->repo = vg_xstrdup(ref->repo);
    }
    s->ref = vg_xstrdup(ref->digest ? ref->digest : ref->tag ? ref->tag : "latest");
    s->ca_file = opts->ca_file ? vg_xstrdup(opts->ca_file) : NULL;
    s->insecure = opts->insecure;
    s->scheme = opts->insecure ? SCHEME_UNKNOWN : SCHEME_HTTPS;
    s->max_manifest =
        opts->limits.max_manifest_bytes ? opts->limits.max_manifest_bytes : (uint64_t)4 << 20;
    s->max_blob = opts->limits.max_layer_bytes ? opts->limits.max_layer_bytes : UINT64_MAX;
    s->auth = vg__reg_auth_new(s->host, s->repo, opts);
    *out = &s->base;
    return 0;
}
