/* server.c — `vigil serve`'s HTTP layer on libmicrohttpd: the listener (address, TLS, thread
 * pool, connection/idle/body/header caps), the router with auth, request ids, one JSON log line
 * and metrics per request, suspend/resume for long index jobs, and graceful shutdown on
 * SIGTERM/SIGINT (stop accepting, let requests in flight finish, then stop). The route
 * handlers live in indexer.c, matcher.c and ops.c and never see libmicrohttpd. */
#include "api_int.h"
#include "index/index.h"

#include <microhttpd.h>
#include <openssl/rand.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The longest X-Request-Id taken from a client; longer or odd ones are replaced. */
#define VG_API_MAX_REQUEST_ID 36
/* TLS certificate and key files are read into memory; larger ones are refused. */
#define VG_API_MAX_PEM_BYTES ((size_t)1 << 20)

double vg_api_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- per-request state ------------------------------------------------------------------ */

typedef enum req_phase {
    PH_BODY,      /* reading the body */
    PH_SUSPENDED, /* a worker runs the handler; the connection is suspended */
    PH_DONE,      /* the response is ready (or queued) */
} req_phase;

typedef struct conn_state {
    vg_server *s;
    struct MHD_Connection *c;
    vg_strbuf body;
    bool too_big;
    bool queued;
    req_phase phase;
    double start;
    vg_api_req req;
    vg_api_resp resp;
    const struct route *route;
    char *method, *path;
} conn_state;

static atomic_int g_inflight;
static atomic_uint_fast64_t g_next_rid;

const char *vg_api_header(const vg_api_req *r, const char *name)
{
    return MHD_lookup_connection_value(((conn_state *)r->conn)->c, MHD_HEADER_KIND, name);
}

const char *vg_api_query(const vg_api_req *r, const char *name)
{
    return MHD_lookup_connection_value(((conn_state *)r->conn)->c, MHD_GET_ARGUMENT_KIND, name);
}

void vg_api_resp_header(vg_api_resp *o, const char *name, const char *fmt, ...)
{
    if (o->n_headers >= VG_API_MAX_RESP_HEADERS)
        return;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    o->headers[o->n_headers].name = name;
    o->headers[o->n_headers].value = vg_strbuf_detach(&sb);
    o->n_headers++;
}

void vg_api_resp_json(vg_api_resp *o, unsigned status, const char *json, size_t len)
{
    o->status = status;
    if (!o->content_type)
        o->content_type = "application/json";
    vg_strbuf_reset(&o->body);
    vg_strbuf_append(&o->body, json, len);
}

/* Appends `s` as a JSON string literal. */
static void put_json_str(vg_strbuf *sb, const char *s)
{
    vg_strbuf_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            vg_strbuf_putc(sb, '\\');
            vg_strbuf_putc(sb, (char)*p);
        } else if (*p < 0x20 || *p == 0x7f) {
            vg_strbuf_printf(sb, "\\u%04x", *p);
        } else if (*p >= 0x80) {
            /* Keep valid UTF-8 sequences, replace stray bytes. */
            size_t n = (*p & 0xe0) == 0xc0   ? 2
                       : (*p & 0xf0) == 0xe0 ? 3
                       : (*p & 0xf8) == 0xf0 ? 4
                                             : 0;
            size_t k = 1;
            while (n && k < n && (p[k] & 0xc0) == 0x80)
                k++;
            if (n && k == n) {
                vg_strbuf_append(sb, (const char *)p, n);
                p += n - 1;
            } else {
                vg_strbuf_puts(sb, "\\ufffd");
            }
        } else {
            vg_strbuf_putc(sb, (char)*p);
        }
    }
    vg_strbuf_putc(sb, '"');
}

static const char *code_word(unsigned status)
{
    switch (status) {
    case 400:
        return "bad-request";
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not-found";
    case 405:
        return "method-not-allowed";
    case 409:
        return "conflict";
    case 412:
        return "precondition-failed";
    case 413:
        return "too-large";
    case 415:
        return "unsupported-media-type";
    case 422:
        return "unprocessable";
    case 429:
        return "too-many-requests";
    case 502:
        return "bad-gateway";
    case 503:
        return "unavailable";
    default:
        return status >= 500 ? "internal-error" : "bad-request";
    }
}

static void error_v(vg_api_resp *o, unsigned status, const char *code, const char *fmt, va_list ap)
    VG_PRINTF(4, 0);

static void error_v(vg_api_resp *o, unsigned status, const char *code, const char *fmt, va_list ap)
{
    vg_strbuf msg;
    vg_strbuf_init(&msg, 16384);
    vg_strbuf_vprintf(&msg, fmt, ap);
    o->status = status;
    o->content_type = "application/json";
    vg_strbuf_reset(&o->body);
    vg_strbuf_puts(&o->body, "{\"code\":");
    put_json_str(&o->body, code);
    vg_strbuf_puts(&o->body, ",\"message\":");
    put_json_str(&o->body, msg.buf);
    vg_strbuf_puts(&o->body, "}\n");
    vg_strbuf_dispose(&msg);
}

void vg_api_error(vg_api_resp *o, unsigned status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_v(o, status, code_word(status), fmt, ap);
    va_end(ap);
}

void vg_api_error_code(vg_api_resp *o, unsigned status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_v(o, status, code, fmt, ap);
    va_end(ap);
}

bool vg_api_if_none_match(const vg_api_req *r, const char *etag)
{
    const char *h = vg_api_header(r, "If-None-Match");
    if (!h)
        return false;
    size_t el = strlen(etag);
    vg_slice rest = vg_slice_from_cstr(h);
    while (rest.len) {
        vg_slice item;
        rest = vg_slice_split(rest, ',', &item);
        item = vg_slice_trim(item);
        if (vg_slice_starts_with(item, "W/")) {
            item.ptr += 2;
            item.len -= 2;
        }
        if (vg_slice_eq_cstr(item, "*"))
            return true;
        if (item.len == el && memcmp(item.ptr, etag, el) == 0)
            return true;
    }
    return false;
}

bool vg_api_digest_ok(const char *d)
{
    size_t hex;
    if (strncmp(d, "sha256:", 7) == 0)
        hex = 64;
    else if (strncmp(d, "sha512:", 7) == 0)
        hex = 128;
    else
        return false;
    const char *p = d + 7;
    for (size_t i = 0; i < hex; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return false;
    return p[hex] == '\0';
}

bool vg_api_uuid_ok(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* ---- routes ----------------------------------------------------------------------------- */

typedef void (*handler_fn)(vg_server *s, const vg_api_req *r, vg_api_resp *o);

typedef struct route {
    const char *method;
    const char *path;  /* exact path, or the prefix before the parameter */
    const char *label; /* for metrics and logs */
    handler_fn fn;
    bool param;   /* path + one more segment */
    bool auth;    /* needs a token when auth is on */
    bool suspend; /* long-running: run on a worker thread, connection suspended */
} route;

#define IDX "/indexer/api/v1/"
#define MAT "/matcher/api/v1/"
#define DSH "/dashboard/api/v1/"

static const route routes[] = {
    {"POST", IDX "index_report", IDX "index_report", vg_api_index_report_post, false, true, true},
    {"DELETE", IDX "index_report", IDX "index_report", vg_api_index_report_bulk_delete, false, true,
     false},
    {"GET", IDX "index_report/", IDX "index_report/{digest}", vg_api_index_report_get, true, true,
     false},
    {"DELETE", IDX "index_report/", IDX "index_report/{digest}", vg_api_index_report_delete, true,
     true, false},
    {"GET", IDX "index_state", IDX "index_state", vg_api_index_state, false, true, false},
    {"GET", MAT "vulnerability_report/", MAT "vulnerability_report/{digest}",
     vg_api_vulnerability_report, true, true, false},
    {"GET", MAT "internal/update_operation", MAT "internal/update_operation",
     vg_api_update_operation, false, true, false},
    {"GET", MAT "internal/update_diff", MAT "internal/update_diff", vg_api_update_diff, false, true,
     false},
    {"GET", "/notifier/api/v1/notification/", "/notifier/api/v1/notification/{id}",
     vg_api_notification_get, true, true, false},
    {"DELETE", "/notifier/api/v1/notification/", "/notifier/api/v1/notification/{id}",
     vg_api_notification_delete, true, true, false},
    {"GET", "/openapi/v1", "/openapi/v1", vg_api_openapi, false, true, false},
    {"GET", "/healthz", "/healthz", vg_api_healthz, false, false, false},
    {"GET", "/readyz", "/readyz", vg_api_readyz, false, false, false},
    {"GET", "/metrics", "/metrics", vg_api_metrics, false, false, false},
    /* the dashboard: its JSON (dashboard.c) and its assets (ui.c, no auth: no data in them) */
    {"GET", DSH "config", DSH "config", vg_api_dash_config, false, false, false},
    {"GET", DSH "images", DSH "images", vg_api_dash_images, false, true, true},
    {"GET", DSH "image/", DSH "image/{digest}", vg_api_dash_image, true, true, false},
    {"GET", DSH "report/", DSH "report/{digest}", vg_api_dash_report, true, true, true},
    {"GET", DSH "vulnerability/", DSH "vulnerability/{id}", vg_api_dash_vulnerability, true, true,
     true},
    {"GET", DSH "notifications", DSH "notifications", vg_api_dash_notifications, false, true,
     false},
    {"GET", DSH "history", DSH "history", vg_api_dash_history, false, true, true},
    {"GET", "/ui", "/ui", vg_api_ui_redirect, false, false, false},
    {"GET", "/ui/", "/ui/", vg_api_ui_asset, false, false, false},
    {"GET", "/ui/", "/ui/{asset}", vg_api_ui_asset, true, false, false},
};

/* Whether `path` matches route `rt`; sets *param to the parameter segment. */
static bool path_matches(const route *rt, const char *path, const char **param)
{
    size_t n = strlen(rt->path);
    if (!rt->param)
        return strcmp(path, rt->path) == 0;
    if (strncmp(path, rt->path, n) != 0 || path[n] == '\0' || strchr(path + n, '/'))
        return false;
    *param = path + n;
    return true;
}

/* Picks the route; on a known path with another method fills `allow` and returns NULL. */
static const route *find_route(const char *method, const char *path, const char **param,
                               vg_strbuf *allow)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(routes); i++) {
        const char *p = NULL;
        if (!path_matches(&routes[i], path, &p))
            continue;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            *param = p;
            return &routes[i];
        }
        if (allow->len)
            vg_strbuf_puts(allow, ", ");
        vg_strbuf_puts(allow, routes[i].method);
    }
    return NULL;
}

static bool json_content_type(const char *ct)
{
    if (!ct)
        return true; /* clients often leave it out; the body is parsed as JSON either way */
    vg_slice head;
    vg_slice_split(vg_slice_from_cstr(ct), ';', &head);
    head = vg_slice_trim(head);
    if (head.len == 16 && strncasecmp(head.ptr, "application/json", 16) == 0)
        return true;
    /* curl's default for -d: a client that did not choose a type. */
    if (head.len == 33 && strncasecmp(head.ptr, "application/x-www-form-urlencoded", 33) == 0)
        return true;
    /* application/vnd.clair.<type>.v1+json */
    return head.len > 31 && strncasecmp(head.ptr, "application/vnd.clair.", 22) == 0 &&
           strncasecmp(head.ptr + head.len - 8, ".v1+json", 8) == 0;
}

static bool request_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > VG_API_MAX_REQUEST_ID)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* Runs the route (or the router's own errors) into st->resp. */
static void dispatch(conn_state *st)
{
    vg_server *s = st->s;
    vg_api_resp *o = &st->resp;
    if (st->too_big) {
        vg_api_error(o, 413, "request body over the %llu-byte cap (http.max_body_bytes)",
                     (unsigned long long)s->cfg->max_body_bytes);
        return;
    }
    if (!st->route) {
        vg_strbuf allow;
        vg_strbuf_init(&allow, 256);
        const char *param = NULL;
        find_route(st->method, st->path, &param, &allow);
        if (allow.len) {
            vg_api_resp_header(o, "Allow", "%s", allow.buf);
            vg_api_error(o, 405, "method %s not allowed on this path (allowed: %s)", st->method,
                         allow.buf);
        } else {
            vg_api_error(o, 404, "no such endpoint");
        }
        vg_strbuf_dispose(&allow);
        return;
    }
    if (s->auth && st->route->auth) {
        const char *authz = vg_api_header(&st->req, "Authorization");
        if (vg_jwt_verify(&s->psk, authz, (int64_t)time(NULL)) != 0) {
            vg_api_resp_header(o, "WWW-Authenticate", "Bearer realm=\"vigil\"");
            vg_api_error(o, 401, "unauthorized: %s", vg_error_last());
            return;
        }
    }
    if (strcmp(st->method, "POST") == 0 || strcmp(st->method, "PUT") == 0) {
        const char *ct = vg_api_header(&st->req, "Content-Type");
        if (!json_content_type(ct)) {
            vg_api_error(o, 415,
                         "content type '%.64s' not accepted: send application/json or "
                         "application/vnd.clair.<type>.v1+json",
                         ct);
            return;
        }
    }
    st->route->fn(s, &st->req, o);
    if (o->status == 0)
        vg_api_error(o, 500, "handler produced no response");
}

/* ---- libmicrohttpd glue ----------------------------------------------------------------- */

static enum MHD_Result queue(conn_state *st)
{
    vg_api_resp *o = &st->resp;
    bool head = strcmp(st->method, "HEAD") == 0;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        head ? 0 : o->body.len, head ? "" : o->body.buf, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (o->content_type && o->status != 204 && o->status != 304)
        MHD_add_response_header(resp, "Content-Type", o->content_type);
    MHD_add_response_header(resp, "X-Request-Id", st->req.request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    for (size_t i = 0; i < o->n_headers; i++)
        MHD_add_response_header(resp, o->headers[i].name, o->headers[i].value);
    enum MHD_Result rc = MHD_queue_response(st->c, o->status, resp);
    MHD_destroy_response(resp);
    st->queued = true;
    return rc;
}

typedef struct job {
    conn_state *st;
} job;

static void *job_main(void *arg)
{
    conn_state *st = arg;
    dispatch(st);
    st->phase = PH_DONE;
    MHD_resume_connection(st->c);
    return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    vg_server *s = cls;
    conn_state *st = *con_cls;
    if (!st) {
        st = vg_xcalloc(1, sizeof(*st));
        st->s = s;
        st->c = c;
        st->start = vg_api_now();
        st->method = vg_xstrdup(method);
        st->path = vg_xstrdup(url);
        vg_strbuf_init(&st->body, (size_t)s->cfg->max_body_bytes);
        vg_strbuf_init(&st->resp.body, (size_t)1 << 31);
        st->req.method = st->method;
        st->req.path = st->path;
        st->req.conn = st;
        const char *rid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
        if (rid && request_id_ok(rid))
            snprintf(st->req.request_id, sizeof(st->req.request_id), "%s", rid);
        else
            snprintf(st->req.request_id, sizeof(st->req.request_id), "%08x-%06llx",
                     (unsigned)getpid(), (unsigned long long)atomic_fetch_add(&g_next_rid, 1));
        vg_strbuf allow;
        vg_strbuf_init(&allow, 256);
        st->route = find_route(method, url, &st->req.param, &allow);
        vg_strbuf_dispose(&allow);
        st->req.route = st->route ? st->route->label : "other";
        *con_cls = st;
        atomic_fetch_add(&g_inflight, 1);
        /* A declared body over the cap is refused before it is read. */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end = NULL;
            unsigned long long n = strtoull(cl, &end, 10);
            if (end && *end == '\0' && n > s->cfg->max_body_bytes) {
                st->too_big = true;
                dispatch(st);
                st->phase = PH_DONE;
                return queue(st);
            }
        }
        return MHD_YES;
    }
    if (st->phase == PH_BODY && *upload_data_size) {
        if (!st->too_big && vg_strbuf_append(&st->body, upload_data, *upload_data_size) != 0)
            st->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->queued)
        return MHD_YES;
    if (st->phase == PH_SUSPENDED)
        return MHD_YES; /* spurious wake-up */
    if (st->phase == PH_BODY) {
        st->req.body = st->body.buf;
        st->req.body_len = st->body.len;
        if (st->route && st->route->suspend && !st->too_big) {
            st->phase = PH_SUSPENDED;
            MHD_suspend_connection(c);
            pthread_t t;
            pthread_attr_t attr;
            pthread_attr_init(&attr);
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            int e = pthread_create(&t, &attr, job_main, st);
            pthread_attr_destroy(&attr);
            if (e == 0)
                return MHD_YES;
            st->phase = PH_DONE;
            MHD_resume_connection(c);
            vg_api_error(&st->resp, 503, "cannot start a worker thread: %s", strerror(e));
            return queue(st);
        }
        dispatch(st);
        st->phase = PH_DONE;
    }
    return queue(st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    vg_server *s = cls;
    conn_state *st = *con_cls;
    if (!st)
        return;
    double dur = vg_api_now() - st->start;
    unsigned status = st->queued ? st->resp.status : 0;
    char code[8];
    snprintf(code, sizeof(code), "%u", status);
    const char *labels[] = {st->req.route, st->method, code};
    const char *method_label = st->method;
    /* Methods are client-chosen: only the known ones become label values. */
    if (strcmp(method_label, "GET") != 0 && strcmp(method_label, "POST") != 0 &&
        strcmp(method_label, "DELETE") != 0 && strcmp(method_label, "HEAD") != 0)
        labels[1] = "other";
    vg_metric_add(s->m_requests, labels, 1);
    const char *dl[] = {st->req.route};
    vg_metric_observe(s->m_duration, dl, dur);
    vg_log_field f[] = {
        {.key = "request_id", .str = st->req.request_id},
        {.key = "method", .str = st->method},
        {.key = "route", .str = st->req.route},
        {.key = "path", .str = st->path},
        {.key = "status", .num = status, .is_num = true},
        {.key = "duration_ms", .num = (int64_t)(dur * 1000.0 + 0.5), .is_num = true},
        {.key = "bytes", .num = (int64_t)st->resp.body.len, .is_num = true},
        {.key = "completed", .str = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "yes" : "no"},
    };
    vg_log_event(status >= 500 || status == 0 ? VG_LOG_WARN : VG_LOG_INFO, "request", f,
                 VG_ARRAY_LEN(f));
    for (size_t i = 0; i < st->resp.n_headers; i++)
        free(st->resp.headers[i].value);
    vg_strbuf_dispose(&st->resp.body);
    vg_strbuf_dispose(&st->body);
    free(st->method);
    free(st->path);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&g_inflight, 1);
}

/* ---- listening ---------------------------------------------------------------------------- */

static int parse_listen(struct sockaddr_storage *out, socklen_t *len, const char *listen)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen + strlen(listen) - 1)
        return vg_error_set(VG_EINVAL, "http.listen: '%s' is not HOST:PORT", listen);
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof(host))
        return vg_error_set(VG_EINVAL, "http.listen: host too long");
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!end || *end || port < 0 || port > 65535)
        return vg_error_set(VG_EINVAL, "http.listen: bad port in '%s'", listen);
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int e = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
    if (e != 0 || !ai)
        return vg_error_set(VG_EINVAL, "http.listen: '%s' is not a numeric address: %s", host,
                            gai_strerror(e));
    memcpy(out, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

int vg_serve_listen_check(const char *listen)
{
    struct sockaddr_storage ss;
    socklen_t len;
    return parse_listen(&ss, &len, listen);
}

static char *read_pem(const char *path, const char *key)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        vg_error_set(VG_EIO, "%s: cannot open %s: %s", key, path, strerror(errno));
        return NULL;
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_API_MAX_PEM_BYTES);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        vg_strbuf_append(&sb, buf, n);
    fclose(f);
    if (vg_strbuf_error(&sb)) {
        vg_strbuf_dispose(&sb);
        vg_error_set(VG_ETOOBIG, "%s: %s is over %zu bytes", key, path, VG_API_MAX_PEM_BYTES);
        return NULL;
    }
    return vg_strbuf_detach(&sb);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) VG_PRINTF(2, 0);

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    vg_log_field f[] = {{.key = "detail", .str = line}};
    vg_log_event(VG_LOG_WARN, "http server", f, 1);
}

static double rss_bytes(void *ctx)
{
    (void)ctx;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, res = 0;
    int n = fscanf(f, "%lu %lu", &size, &res);
    fclose(f);
    return n == 2 ? (double)res * (double)sysconf(_SC_PAGESIZE) : 0;
}

static double inflight_requests(void *ctx)
{
    (void)ctx;
    return (double)atomic_load(&g_inflight);
}

static double running_jobs(void *ctx)
{
    return (double)atomic_load(&((vg_server *)ctx)->index_running);
}

static void metrics_init(vg_server *s)
{
    static const double lat[] = {.001, .0025, .005, .01, .025, .05, .1, .25,
                                 .5,   1,     2.5,  5,   10,   30,  60};
    static const double slow[] = {.1, .5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600};
    s->metrics = vg_metrics_new();
    const char *rmc[] = {"route", "method", "code"};
    const char *r[] = {"route"};
    const char *res[] = {"result"};
    const char *src[] = {"source"};
    const char *upd[] = {"updater", "result"};
    const char *u[] = {"updater"};
    const char *op[] = {"op"};
    s->m_requests = vg_metrics_counter(s->metrics, "vigil_http_requests_total",
                                       "HTTP requests by route, method and status code", rmc, 3);
    s->m_duration =
        vg_metrics_histogram(s->metrics, "vigil_http_request_duration_seconds",
                             "HTTP request latency by route", r, 1, lat, VG_ARRAY_LEN(lat));
    s->m_index_jobs =
        vg_metrics_counter(s->metrics, "vigil_index_jobs_total",
                           "index jobs by result (ok, failed, rejected, cached)", res, 1);
    s->m_layers = vg_metrics_counter(s->metrics, "vigil_index_layers_total",
                                     "layers of indexed manifests: fetched (downloaded and "
                                     "walked) or cached (taken from the store)",
                                     src, 1);
    s->m_updater_runs = vg_metrics_counter(s->metrics, "vigil_updater_runs_total",
                                           "updater runs by updater and result (changed, "
                                           "unchanged, error)",
                                           upd, 2);
    s->m_updater_seconds = vg_metrics_histogram(s->metrics, "vigil_updater_duration_seconds",
                                                "updater run time", u, 1, slow, VG_ARRAY_LEN(slow));
    s->m_store_seconds =
        vg_metrics_histogram(s->metrics, "vigil_store_duration_seconds",
                             "store call latency by operation", op, 1, lat, VG_ARRAY_LEN(lat));
    s->m_report_cache = vg_metrics_counter(s->metrics, "vigil_report_cache_total",
                                           "vulnerability report cache lookups (hit, miss, "
                                           "not_modified)",
                                           res, 1);
    s->m_notifications = vg_metrics_counter(s->metrics, "vigil_notifications_created_total",
                                            "notifications created, by updater", u, 1);
    s->m_deliveries = vg_metrics_counter(s->metrics, "vigil_webhook_deliveries_total",
                                         "webhook delivery attempts by result (delivered, "
                                         "retried, failed)",
                                         res, 1);
    static const double lag[] = {1, 5, 15, 60, 300, 900, 3600, 14400, 86400};
    s->m_delivery_lag = vg_metrics_histogram(s->metrics, "vigil_notification_delivery_lag_seconds",
                                             "from a set's creation to its delivery", NULL, 0, lag,
                                             VG_ARRAY_LEN(lag));
    s->m_leader =
        vg_metrics_gauge(s->metrics, "vigil_updater_leader",
                         "1 while this instance leads the updaters (one per store)", NULL, 0);
    s->m_layer_waits = vg_metrics_counter(s->metrics, "vigil_index_layer_waits_total",
                                          "layers another instance was indexing: waited for its "
                                          "result (reused) or for its claim to lapse (expired)",
                                          res, 1);
    vg_metrics_gauge_func(s->metrics, "vigil_http_requests_in_flight", "requests being handled now",
                          inflight_requests, s);
    vg_metrics_gauge_func(s->metrics, "vigil_index_jobs_running", "index jobs running now",
                          running_jobs, s);
    vg_metrics_gauge_func(s->metrics, "process_resident_memory_bytes",
                          "resident set size of the process", rss_bytes, NULL);
}

void vg_api_store_observe(vg_server *s, const char *op, double seconds)
{
    const char *l[] = {op};
    vg_metric_observe(s->m_store_seconds, l, seconds);
}

static int write_ready_file(const char *path, const char *url)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return vg_error_set(VG_EIO, "http.ready_file: cannot write %s: %s", tmp, strerror(errno));
    fprintf(f, "%s\n", url);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return vg_error_set(VG_EIO, "http.ready_file: cannot write %s: %s", path, strerror(errno));
    return 0;
}

int vg_serve_run(const vg_serve_config *c)
{
    int rc = vg_serve_config_check(c);
    if (rc)
        return rc;
    vg_server srv;
    memset(&srv, 0, sizeof(srv));
    vg_server *s = &srv;
    s->cfg = c;
    snprintf(s->state, sizeof(s->state), "%s", vg_index_scanners_version());
    {
        char host[64] = "host";
        unsigned char rnd[4] = {0};
        gethostname(host, sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        if (RAND_bytes(rnd, sizeof(rnd)) != 1)
            memset(rnd, 0, sizeof(rnd));
        snprintf(s->instance, sizeof(s->instance), "%.60s:%ld:%02x%02x%02x%02x", host,
                 (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3]);
    }
    pthread_mutex_init(&s->layer_mu, NULL);
    pthread_cond_init(&s->layer_cv, NULL);
    pthread_mutex_init(&s->cache_mu, NULL);
    pthread_mutex_init(&s->upd_mu, NULL);
    pthread_cond_init(&s->upd_cv, NULL);
    pthread_cond_init(&s->notify_cv, NULL);
    metrics_init(s);
    vg_api_dashboard_init(s);

    char *key_pem = NULL, *cert_pem = NULL;
    struct MHD_Daemon *d = NULL;
    char *dsn = c->db ? vg_xstrdup(c->db) : vg_store_default_dsn();
    if (c->psk_key) {
        size_t n = 0;
        for (char **p = c->psk_issuers; p && *p; p++)
            n++;
        rc = vg_jwt_psk_init(&s->psk, c->psk_key, (const char *const *)c->psk_issuers, n,
                             c->leeway_ms / 1000);
        if (rc)
            goto out;
        s->auth = true;
    }
    if ((rc = vg_store_open(&s->store, dsn)) != 0)
        goto out;
    if (c->tls_cert) {
        if (!(cert_pem = read_pem(c->tls_cert, "http.tls_cert")) ||
            !(key_pem = read_pem(c->tls_key, "http.tls_key"))) {
            rc = vg_error_code();
            goto out;
        }
    }
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof(addr));
    socklen_t alen = 0;
    if ((rc = parse_listen(&addr, &alen, c->listen)) != 0)
        goto out;

    /* SIGTERM/SIGINT are taken by sigwait below; block them before any thread starts. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cert_pem)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[16];
    size_t no = 0;
    /* The logger must come first, or MHD prints its early messages itself. */
    opts[no++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
    opts[no++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &addr};
    opts[no++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)c->threads, NULL};
    opts[no++] =
        (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)c->max_connections, NULL};
    opts[no++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                         (intptr_t)((c->idle_timeout_ms + 999) / 1000), NULL};
    opts[no++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                         (intptr_t)c->max_header_bytes, NULL};
    opts[no++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
    if (cert_pem) {
        opts[no++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert_pem};
        opts[no++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key_pem};
    }
    opts[no++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts,
                         MHD_OPTION_END);
    if (!d) {
        rc = vg_error_set(VG_EIO, "cannot listen on %s (address in use, or a bad TLS key?)",
                          c->listen);
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : 0;
    char url[320], host[INET6_ADDRSTRLEN];
    if (addr.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr)->sin6_addr, host, sizeof(host));
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&addr)->sin_addr, host, sizeof(host));
    snprintf(url, sizeof(url), "%s://%s%s%s:%u", cert_pem ? "https" : "http",
             addr.ss_family == AF_INET6 ? "[" : "", host, addr.ss_family == AF_INET6 ? "]" : "",
             port);
    snprintf(s->base_url, sizeof(s->base_url), "%s", url);
    if ((rc = vg_api_updater_start(s)) != 0 || (rc = vg_api_notifier_start(s)) != 0 ||
        (rc = vg_api_claim_keeper_start(s)) != 0)
        goto out;
    vg_log_field lf[] = {{.key = "url", .str = url},
                         {.key = "store", .str = dsn},
                         {.key = "auth", .str = s->auth ? "psk" : "none"},
                         {.key = "threads", .num = c->threads, .is_num = true}};
    vg_log_event(VG_LOG_INFO, "listening", lf, VG_ARRAY_LEN(lf));
    if (c->ready_file && (rc = write_ready_file(c->ready_file, url)) != 0)
        goto out;

    int sig = 0;
    sigwait(&sigs, &sig);
    vg_log_field sf[] = {{.key = "signal", .str = sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                         {.key = "in_flight", .num = atomic_load(&g_inflight), .is_num = true}};
    vg_log_event(VG_LOG_INFO, "shutting down", sf, VG_ARRAY_LEN(sf));
    MHD_quiesce_daemon(d); /* no new connections; the ones open carry on */
    vg_api_updater_stop(s);
    vg_api_notifier_stop(s);
    vg_api_claim_keeper_stop(s);
    double deadline = vg_api_now() + (double)c->shutdown_timeout_ms / 1000.0;
    while (atomic_load(&g_inflight) > 0 && vg_api_now() < deadline) {
        struct timespec ts = {0, 20000000L};
        nanosleep(&ts, NULL);
    }
    int left = atomic_load(&g_inflight);
    vg_log_field df[] = {{.key = "unfinished", .num = left, .is_num = true}};
    vg_log_event(left ? VG_LOG_WARN : VG_LOG_INFO, "stopped", df, 1);
    if (left == 0 && !s->updater_started) {
        MHD_stop_daemon(d);
        d = NULL;
    }
    rc = 0;
out:
    if (rc != 0) {
        vg_api_updater_stop(s);
        vg_api_notifier_stop(s);
        vg_api_claim_keeper_stop(s);
    }
    if (d && rc != 0) {
        MHD_stop_daemon(d);
    } else if (d) {
        /* Requests (or an updater run) still going past the deadline: do not wait for them,
         * and do not close the store under them. SQLite keeps an unfinished run invisible. */
        vg_log_field uf[] = {{.key = "updater_running", .num = s->updater_started, .is_num = true}};
        vg_log_event(VG_LOG_WARN, "exiting with work unfinished", uf, 1);
        _exit(0);
    }
    vg_api_report_cache_dispose(s);
    vg_api_dashboard_dispose(s);
    vg_store_close(s->store);
    if (s->auth)
        vg_jwt_psk_dispose(&s->psk);
    vg_metrics_free(s->metrics);
    free(key_pem);
    free(cert_pem);
    free(dsn);
    return rc;
}
