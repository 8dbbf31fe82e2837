/* fetch.c — the fetch layer of src/feed/: turns each URL of a run into local bytes. http(s)
 * through libcurl with conditional requests against a cache of validators and last good
 * bodies; file:// URLs, plain paths, directories of records and zip archives (libarchive);
 * mirrors laid out as <host>/<path>. Truncated or oversized bodies never reach a parser. */
#include "feed_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Decisions:
 * - The cache (opts->cache_dir; `vigil update` uses "<db>.feedcache/", created 0700) holds,
 *   per URL, "<key>.body" (the last complete body) and "<key>.meta" (url, etag,
 *   last-modified, sha256, size), key = the first 32 hex digits of SHA-256(URL as fetched).
 *   A download goes to a mkstemp file and is renamed over the body only when complete; the
 *   meta follows by rename too. A 304 reuses the body only if its SHA-256 still matches the
 *   meta; otherwise the request is repeated without validators.
 * - Each document's validator (what the run's fingerprint hashes) is the SHA-256 of its
 *   content — for a 304 the cached body's, checked as above — rather than the ETag, so that
 *   the same bytes give the same fingerprint whether they came from the official URL, an
 *   http mirror or a directory. The ETag and Last-Modified are what the cache sends back.
 * - http: http and https, TLS verified, at most 5 redirects, 30 s to connect, a transfer
 *   that moves no byte for 60 s fails. gzip/deflate accepted (the cap counts decoded
 *   bytes). CURLOPT_MAXFILESIZE refuses a Content-Length above the cap before any byte;
 *   libcurl fails a body shorter than its Content-Length (CURLE_PARTIAL_FILE) or a chunked
 *   body without its last chunk. 5xx, 429 and connection failures are retried twice
 *   (250 ms, then 1 s). 404 and 410 mean missing. A URL ending in "/" (a directory) needs a
 *   local path or mirror: http has no listing.
 * - Local: "file://" URLs (percent-decoded), plain paths. A directory yields every *.json
 *   below it (recursively, sorted by relative path, at most max_entries files, 32 levels,
 *   symlinked directories not followed, dot-files skipped). A file that starts with the zip
 *   magic is a zip; anything else is one document.
 * - Zip: libarchive's zip reader; every *.json regular entry is a document. Caps: entries
 *   (max_entries), per-entry size (max_document_bytes), total uncompressed bytes
 *   (max_total_bytes) and the ratio of uncompressed bytes to the archive's size (max_ratio,
 *   checked once past max_ratio_floor), counted on bytes actually inflated, not on sizes
 *   the headers claim.
 * - Mirror: http(s)://HOST/PATH → <mirror>/HOST/PATH; a local mirror percent-decodes PATH
 *   (as wget -x saves it). A query is part of the file name, as wget -x writes it:
 *   HOST/PATH?QUERY → the local file "<mirror>/HOST/PATH?QUERY" (QUERY kept verbatim), and
 *   on an http mirror the request "<mirror>/HOST/PATH%3FQUERY", which a static server
 *   answers with that same file; so the NVD API's pages (…/cves/2.0?startIndex=N&…) map to
 *   distinct files. The fragment is dropped.
 * - Progress: when opts->progress and stderr is a terminal, a one-line bar per download.
 */

#define CONNECT_TIMEOUT_S 30L
#define STALL_TIME_S 60L
#define MAX_REDIRS 5L
#define ATTEMPTS 3
#define META_CAP ((size_t)16384)
#define DIR_DEPTH_CAP 32
#define PATH_CAP ((size_t)8192)

/* ---- small helpers --------------------------------------------------------------------- */

static bool starts_with(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_http(const char *u)
{
    return starts_with(u, "http://") || starts_with(u, "https://");
}

static void hex(char *out, const unsigned char *md, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[2 * n] = '\0';
}

typedef struct hasher {
    EVP_MD_CTX *md;
} hasher;

static void hasher_init(hasher *h)
{
    h->md = EVP_MD_CTX_new();
    if (!h->md || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
        abort(); /* OpenSSL without SHA-256: not an input error */
}

static void hasher_update(hasher *h, const void *p, size_t n)
{
    EVP_DigestUpdate(h->md, p, n);
}

/* "sha256:<hex>" into out (72 bytes). */
static void hasher_final(hasher *h, char out[72])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(h->md, md, &n);
    EVP_MD_CTX_free(h->md);
    h->md = NULL;
    memcpy(out, "sha256:", 8);
    hex(out + 7, md, n > 32 ? 32 : n);
}

static void hasher_abandon(hasher *h)
{
    EVP_MD_CTX_free(h->md);
    h->md = NULL;
}

static char *strbuf_take(vg_strbuf *sb)
{
    return vg_strbuf_detach(sb);
}

/* "<source>: <where>: <what>" */
static int fetch_fail(const vg__fetcher *f, int code, const char *where, const char *fmt, ...)
    VG_PRINTF(4, 5);

static int fetch_fail(const vg__fetcher *f, int code, const char *where, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 16384);
    vg_strbuf_printf(&sb, "%s: ", f->source);
    vg_strbuf_put_escaped(&sb, where, strlen(where), 2048);
    vg_strbuf_puts(&sb, ": ");
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    vg_error_set(code, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return code;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes `s` (a %00 stays encoded: paths cannot hold NUL). Heap. */
static char *percent_decode(const char *s)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, PATH_CAP);
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (p[0] == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0 && (hi || lo)) {
            vg_strbuf_putc(&sb, (char)(hi * 16 + lo));
            p += 2;
        } else {
            vg_strbuf_putc(&sb, *p);
        }
    }
    return strbuf_take(&sb);
}

/* Reads a whole local file with a cap. VG_ENOTFOUND (no message) when it does not exist. */
static int read_file(char **out, size_t *len, const vg__fetcher *f, const char *path,
                     const char *where, uint64_t cap, const char *cap_name)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return VG_ENOTFOUND;
        return fetch_fail(f, VG_EIO, where, "cannot open: %s", strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fetch_fail(f, VG_EIO, where, "not a regular file");
    }
    if ((uint64_t)st.st_size > cap) {
        close(fd);
        return fetch_fail(f, VG_ETOOBIG, where, "%llu bytes, above %s (%llu)",
                          (unsigned long long)st.st_size, cap_name, (unsigned long long)cap);
    }
    size_t want = (size_t)st.st_size;
    char *buf = vg_xmalloc(want + 1);
    size_t got = 0;
    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            free(buf);
            return fetch_fail(f, VG_EIO, where, "read failed: %s",
                              n == 0 ? "file shrank while reading" : strerror(e));
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return 0;
}

/* SHA-256 of a local file, streamed. */
static int hash_file(char out[72], const vg__fetcher *f, const char *path, const char *where)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fetch_fail(f, VG_EIO, where, "cannot open: %s", strerror(errno));
    hasher h;
    hasher_init(&h);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            hasher_abandon(&h);
            return fetch_fail(f, VG_EIO, where, "read failed: %s", strerror(e));
        }
        if (n == 0)
            break;
        hasher_update(&h, chunk, (size_t)n);
    }
    close(fd);
    hasher_final(&h, out);
    return 0;
}

static bool is_zip_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    unsigned char m[4] = {0};
    ssize_t n = read(fd, m, sizeof(m));
    close(fd);
    return n == 4 && m[0] == 'P' && m[1] == 'K' &&
           ((m[2] == 3 && m[3] == 4) || (m[2] == 5 && m[3] == 6));
}

/* ---- directories ----------------------------------------------------------------------- */

typedef struct dir_list {
    char **rel;
    size_t n, cap;
} dir_list;

static void dir_list_free(dir_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->rel[i]);
    free(l->rel);
    l->rel = NULL;
    l->n = l->cap = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(dir_list *out, const vg__fetcher *f, const char *root, const char *rel,
                    int depth, const char *where)
{
    if (depth > DIR_DEPTH_CAP)
        return fetch_fail(f, VG_ETOOBIG, where, "directories nested deeper than %d", DIR_DEPTH_CAP);
    vg_strbuf p;
    vg_strbuf_init(&p, PATH_CAP);
    vg_strbuf_printf(&p, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(p.buf);
    if (!d) {
        int e = errno;
        vg_strbuf_dispose(&p);
        return fetch_fail(f, VG_EIO, where, "cannot read directory %s: %s", rel, strerror(e));
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        vg_strbuf child, full;
        vg_strbuf_init(&child, PATH_CAP);
        vg_strbuf_init(&full, PATH_CAP);
        vg_strbuf_printf(&child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        vg_strbuf_printf(&full, "%s/%s", root, child.buf);
        struct stat lst, st;
        if (vg_strbuf_error(&child) || vg_strbuf_error(&full)) {
            rc = fetch_fail(f, VG_ETOOBIG, where, "path too long below the directory");
        } else if (lstat(full.buf, &lst) == 0 && S_ISDIR(lst.st_mode)) {
            rc = walk_dir(out, f, root, child.buf, depth + 1, where);
        } else if (stat(full.buf, &st) == 0 && S_ISREG(st.st_mode) &&
                   ends_with(e->d_name, ".json")) {
            if ((uint64_t)out->n >= f->opts->max_entries) {
                rc = fetch_fail(f, VG_ETOOBIG, where, "more than %llu documents (max_entries)",
                                (unsigned long long)f->opts->max_entries);
            } else {
                if (out->n == out->cap) {
                    out->cap = out->cap ? out->cap * 2 : 64;
                    out->rel = vg_xrealloc(out->rel, out->cap * sizeof(*out->rel));
                }
                out->rel[out->n++] = vg_xstrdup(child.buf);
            }
        }
        vg_strbuf_dispose(&child);
        vg_strbuf_dispose(&full);
    }
    closedir(d);
    vg_strbuf_dispose(&p);
    return rc;
}

static int list_dir(dir_list *out, const vg__fetcher *f, const char *root, const char *where)
{
    memset(out, 0, sizeof(*out));
    int rc = walk_dir(out, f, root, "", 0, where);
    if (rc) {
        dir_list_free(out);
        return rc;
    }
    if (out->n)
        qsort(out->rel, out->n, sizeof(char *), cmp_str);
    return 0;
}

/* The validator of a directory: SHA-256 over each document's relative path and hash. */
static int hash_dir(char out[72], const vg__fetcher *f, const char *root, const char *where)
{
    dir_list l;
    int rc = list_dir(&l, f, root, where);
    if (rc)
        return rc;
    hasher h;
    hasher_init(&h);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        vg_strbuf full;
        vg_strbuf_init(&full, PATH_CAP);
        vg_strbuf_printf(&full, "%s/%s", root, l.rel[i]);
        char one[72];
        rc = hash_file(one, f, full.buf, where);
        if (rc == 0) {
            hasher_update(&h, l.rel[i], strlen(l.rel[i]) + 1);
            hasher_update(&h, one, strlen(one));
            hasher_update(&h, "\n", 1);
        }
        vg_strbuf_dispose(&full);
    }
    if (rc)
        hasher_abandon(&h);
    else
        hasher_final(&h, out);
    dir_list_free(&l);
    return rc;
}

/* ---- local sources --------------------------------------------------------------------- */

static int fetch_local(vg__fetched *out, const vg__fetcher *f, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            out->kind = VG_FETCH_MISSING;
            out->validator = vg_xstrdup("missing");
            return 0;
        }
        return fetch_fail(f, VG_EIO, out->where, "%s", strerror(errno));
    }
    out->path = vg_xstrdup(path);
    char v[72];
    int rc;
    if (S_ISDIR(st.st_mode)) {
        out->kind = VG_FETCH_DIR;
        rc = hash_dir(v, f, path, out->where);
    } else if (S_ISREG(st.st_mode)) {
        out->bytes = (uint64_t)st.st_size;
        out->kind = is_zip_file(path) ? VG_FETCH_ZIP : VG_FETCH_FILE;
        uint64_t cap =
            out->kind == VG_FETCH_ZIP ? f->opts->max_total_bytes : f->opts->max_document_bytes;
        if (out->bytes > cap)
            return fetch_fail(f, VG_ETOOBIG, out->where, "%llu bytes, above %s (%llu)",
                              (unsigned long long)out->bytes,
                              out->kind == VG_FETCH_ZIP ? "max_total_bytes" : "max_document_bytes",
                              (unsigned long long)cap);
        rc = hash_file(v, f, path, out->where);
    } else {
        return fetch_fail(f, VG_EINVAL, out->where, "not a file or directory");
    }
    if (rc)
        return rc;
    out->validator = vg_xstrdup(v);
    return 0;
}

/* ---- the http cache -------------------------------------------------------------------- */

typedef struct meta {
    char *etag;
    char *last_modified;
    char sha256[72];
} meta;

static void meta_dispose(meta *m)
{
    free(m->etag);
    free(m->last_modified);
    memset(m, 0, sizeof(*m));
}

static char *cache_file(const vg__fetcher *f, const char *url, const char *suffix)
{
    hasher h;
    hasher_init(&h);
    hasher_update(&h, url, strlen(url));
    char v[72];
    hasher_final(&h, v);
    vg_strbuf sb;
    vg_strbuf_init(&sb, PATH_CAP);
    vg_strbuf_printf(&sb, "%s/%.32s%s", f->cache_dir, v + 7, suffix);
    return strbuf_take(&sb);
}

/* Reads "<key> <value>" lines; a missing or malformed meta is simply no cache. */
static bool meta_load(meta *m, const vg__fetcher *f, const char *path)
{
    memset(m, 0, sizeof(*m));
    char *buf;
    size_t len;
    if (read_file(&buf, &len, f, path, path, META_CAP, "meta cap") != 0) {
        vg_error_clear();
        return false;
    }
    vg_slice rest = {buf, len}, line;
    while (rest.ptr) {
        rest = vg_slice_split(rest, '\n', &line);
        vg_slice key;
        vg_slice val = vg_slice_split(line, ' ', &key);
        if (!val.ptr)
            continue;
        if (vg_slice_eq_cstr(key, "etag"))
            m->etag = vg_xstrndup(val.ptr, val.len);
        else if (vg_slice_eq_cstr(key, "last-modified"))
            m->last_modified = vg_xstrndup(val.ptr, val.len);
        else if (vg_slice_eq_cstr(key, "sha256") && val.len == 71)
            memcpy(m->sha256, val.ptr, 71), m->sha256[71] = '\0';
    }
    free(buf);
    if (!m->sha256[0]) {
        meta_dispose(m);
        return false;
    }
    return true;
}

static bool header_safe(const char *v)
{
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return strlen(v) < 1024;
}

/* Writes path via a temp file and rename. */
static int write_atomic(const vg__fetcher *f, const char *path, const char *data, size_t len)
{
    vg_strbuf tmp;
    vg_strbuf_init(&tmp, PATH_CAP);
    vg_strbuf_printf(&tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp.buf);
    if (fd < 0) {
        int e = errno;
        vg_strbuf_dispose(&tmp);
        return fetch_fail(f, VG_EIO, path, "cannot write the feed cache: %s", strerror(e));
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    int e = errno;
    bool ok = off == len && close(fd) == 0;
    if (!ok || rename(tmp.buf, path) != 0) {
        if (ok)
            e = errno;
        unlink(tmp.buf);
        vg_strbuf_dispose(&tmp);
        return fetch_fail(f, VG_EIO, path, "cannot write the feed cache: %s", strerror(e));
    }
    vg_strbuf_dispose(&tmp);
    return 0;
}

/* ---- http ------------------------------------------------------------------------------ */

typedef struct download {
    const vg__fetcher *f;
    int fd;
    uint64_t bytes;
    uint64_t cap;
    bool too_big;
    bool io_error;
    hasher h;
    /* progress */
    bool show;
    const char *label;
    double last_draw;
    bool drawn;
} download;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    download *d = ud;
    size_t n = size * nmemb;
    if (d->bytes + n > d->cap) {
        d->too_big = true;
        return 0;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(d->fd, ptr + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            d->io_error = true;
            return 0;
        }
        off += (size_t)w;
    }
    hasher_update(&d->h, ptr, n);
    d->bytes += n;
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    download *d = ud;
    if (!d->show)
        return 0;
    double t = now_s();
    if (d->drawn && t - d->last_draw < 0.1)
        return 0;
    d->last_draw = t;
    d->drawn = true;
    double mib = (double)dlnow / 1048576.0;
    if (dltotal > 0) {
        int pct = (int)(dlnow * 100 / dltotal);
        int fill = pct / 5;
        char bar[21];
        for (int i = 0; i < 20; i++)
            bar[i] = i < fill ? '#' : ' ';
        bar[20] = '\0';
        fprintf(stderr, "\r\033[K%.40s [%s] %3d%% %.1f/%.1f MiB", d->label, bar, pct, mib,
                (double)dltotal / 1048576.0);
    } else {
        fprintf(stderr, "\r\033[K%.40s %.1f MiB", d->label, mib);
    }
    return 0;
}

static bool retryable(CURLcode rc, long status)
{
    if (rc == CURLE_OK)
        return status >= 500 || status == 429;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return true;
    default:
        return false;
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static char *header_value(CURL *h, const char *name)
{
    struct curl_header *hdr = NULL;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK || !hdr || !hdr->value ||
        !header_safe(hdr->value))
        return NULL;
    return vg_xstrdup(hdr->value);
}

/* One GET of `fetch_url` into a temp file. On success, `*status` is the HTTP status, and
 * for a 200 `*tmp_path` names the complete body and `sha` its hash. */
static int http_get(long *status, CURLcode *transport, char **tmp_path, char sha[72],
                    vg__fetcher *f, const char *fetch_url, const char *where, const meta *cond)
{
    CURL *h = f->curl;
    curl_easy_reset(h);
    vg_strbuf tmp;
    vg_strbuf_init(&tmp, PATH_CAP);
    vg_strbuf_printf(&tmp, "%s/download.XXXXXX", f->cache_dir);
    download d = {.f = f, .cap = f->opts->max_document_bytes, .label = where};
    d.fd = mkstemp(tmp.buf);
    if (d.fd < 0) {
        int e = errno;
        vg_strbuf_dispose(&tmp);
        return fetch_fail(f, VG_EIO, where, "cannot create a download file in %s: %s", f->cache_dir,
                          strerror(e));
    }
    hasher_init(&d.h);
    d.show = f->opts->progress && isatty(STDERR_FILENO);
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
    vg_strbuf hv;
    vg_strbuf_init(&hv, 4096);
    if (cond && cond->etag) {
        vg_strbuf_printf(&hv, "If-None-Match: %s", cond->etag);
        hdrs = curl_slist_append(hdrs, hv.buf);
    }
    if (cond && cond->last_modified) {
        vg_strbuf_reset(&hv);
        vg_strbuf_printf(&hv, "If-Modified-Since: %s", cond->last_modified);
        hdrs = curl_slist_append(hdrs, hv.buf);
    }
    vg_strbuf_dispose(&hv);
    curl_easy_setopt(h, CURLOPT_URL, fetch_url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil/" VG_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, MAX_REDIRS);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, STALL_TIME_S);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)d.cap);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, d.show ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &d);
    CURLcode rc = curl_easy_perform(h);
    *transport = rc;
    if (d.drawn)
        fputs("\r\033[K", stderr);
    curl_slist_free_all(hdrs);
    *status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    bool closed = close(d.fd) == 0;
    int ret = 0;
    if (d.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        char *claimed =
            rc == CURLE_FILESIZE_EXCEEDED && !d.too_big ? header_value(h, "Content-Length") : NULL;
        if (claimed)
            ret = fetch_fail(f, VG_ETOOBIG, where,
                             "the server announces %s bytes, above max_document_bytes (%llu)",
                             claimed, (unsigned long long)d.cap);
        else
            ret = fetch_fail(f, VG_ETOOBIG, where, "body larger than max_document_bytes (%llu)",
                             (unsigned long long)d.cap);
        free(claimed);
    } else if (d.io_error || !closed) {
        ret = fetch_fail(f, VG_EIO, where, "cannot write to the feed cache %s", f->cache_dir);
    } else if (rc != CURLE_OK) {
        ret = fetch_fail(f, VG_EIO, where, "%s%s%s (after %llu bytes)", curl_easy_strerror(rc),
                         errbuf[0] ? ": " : "", errbuf, (unsigned long long)d.bytes);
    }
    if (ret == 0 && *status == 200) {
        hasher_final(&d.h, sha);
        *tmp_path = strbuf_take(&tmp);
        return 0;
    }
    hasher_abandon(&d.h);
    unlink(tmp.buf);
    vg_strbuf_dispose(&tmp);
    if (ret)
        return ret;
    /* a transport success with a status other than 200 */
    return 0;
}

static int fetch_http(vg__fetched *out, vg__fetcher *f, const char *fetch_url)
{
    if (ends_with(fetch_url, "/"))
        return fetch_fail(f, VG_EINVAL, out->where,
                          "a directory of records needs a local path or mirror (http has no "
                          "listing)");
    char *body = cache_file(f, fetch_url, ".body");
    char *mpath = cache_file(f, fetch_url, ".meta");
    meta m;
    bool have = meta_load(&m, f, mpath);
    if (have) {
        char cur[72];
        struct stat st;
        if (stat(body, &st) != 0 || hash_file(cur, f, body, body) != 0 ||
            strcmp(cur, m.sha256) != 0) {
            vg_error_clear();
            meta_dispose(&m);
            have = false;
        }
    }
    int rc = 0;
    long status = 0;
    char *tmp = NULL;
    char sha[72] = "";
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (attempt)
            sleep_ms(attempt == 1 ? 250 : 1000);
        CURLcode transport = CURLE_OK;
        rc = http_get(&status, &transport, &tmp, sha, f, fetch_url, out->where, have ? &m : NULL);
        bool again =
            rc == VG_EIO ? retryable(transport, 0) : rc == 0 && retryable(CURLE_OK, status);
        if (!again || attempt + 1 == ATTEMPTS)
            break;
        free(tmp);
        tmp = NULL;
    }
    if (rc == 0) {
        if (status == 200) {
            /* Complete: promote the body, then record its validators. */
            if (rename(tmp, body) != 0) {
                rc = fetch_fail(f, VG_EIO, out->where, "cannot write the feed cache: %s",
                                strerror(errno));
                unlink(tmp);
            } else {
                char *etag = header_value(f->curl, "ETag");
                char *lm = header_value(f->curl, "Last-Modified");
                vg_strbuf mb;
                vg_strbuf_init(&mb, META_CAP);
                vg_strbuf_printf(&mb, "url %s\n", fetch_url);
                if (etag)
                    vg_strbuf_printf(&mb, "etag %s\n", etag);
                if (lm)
                    vg_strbuf_printf(&mb, "last-modified %s\n", lm);
                vg_strbuf_printf(&mb, "sha256 %s\n", sha);
                free(etag);
                free(lm);
                if (vg_strbuf_error(&mb) == 0)
                    rc = write_atomic(f, mpath, mb.buf, mb.len);
                vg_strbuf_dispose(&mb);
                if (rc == 0) {
                    struct stat st;
                    out->path = vg_xstrdup(body);
                    out->validator = vg_xstrdup(sha);
                    out->bytes = stat(body, &st) == 0 ? (uint64_t)st.st_size : 0;
                }
            }
        } else if (status == 304 && have) {
            struct stat st;
            out->path = vg_xstrdup(body);
            out->validator = vg_xstrdup(m.sha256);
            out->not_modified = true;
            out->bytes = stat(body, &st) == 0 ? (uint64_t)st.st_size : 0;
        } else if (status == 404 || status == 410) {
            out->kind = VG_FETCH_MISSING;
            out->validator = vg_xstrdup("missing");
        } else {
            rc = fetch_fail(f, VG_EIO, out->where, "HTTP %ld", status);
        }
    }
    if (rc == 0 && out->path)
        out->kind = is_zip_file(out->path) ? VG_FETCH_ZIP : VG_FETCH_FILE;
    free(tmp);
    meta_dispose(&m);
    free(body);
    free(mpath);
    return rc;
}

/* ---- the fetcher ----------------------------------------------------------------------- */

static int mkdir_p(const char *path)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, PATH_CAP);
    vg_strbuf_puts(&sb, path);
    if (vg_strbuf_error(&sb)) {
        vg_strbuf_dispose(&sb);
        return -1;
    }
    for (char *p = sb.buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(sb.buf, 0700) != 0 && errno != EEXIST) {
            vg_strbuf_dispose(&sb);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(sb.buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
    vg_strbuf_dispose(&sb);
    return rc;
}

int vg__fetcher_init(vg__fetcher *f, const vg_feed_opts *o, const char *source)
{
    memset(f, 0, sizeof(*f));
    f->opts = o;
    f->source = source;
    if (o->cache_dir && *o->cache_dir) {
        if (mkdir_p(o->cache_dir) != 0)
            return fetch_fail(f, VG_EIO, o->cache_dir, "cannot create the feed cache: %s",
                              strerror(errno));
        f->cache_dir = vg_xstrdup(o->cache_dir);
    } else {
        const char *tmp = getenv("TMPDIR");
        vg_strbuf sb;
        vg_strbuf_init(&sb, PATH_CAP);
        vg_strbuf_printf(&sb, "%s/vigil-feed-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(sb.buf)) {
            int e = errno;
            vg_strbuf_dispose(&sb);
            return fetch_fail(f, VG_EIO, "TMPDIR", "cannot create a temp dir: %s", strerror(e));
        }
        f->cache_dir = strbuf_take(&sb);
        f->own_cache = true;
    }
    return 0;
}

void vg__fetcher_dispose(vg__fetcher *f)
{
    if (f->curl)
        curl_easy_cleanup(f->curl);
    f->curl = NULL;
    if (f->own_cache && f->cache_dir) {
        DIR *d = opendir(f->cache_dir);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                vg_strbuf p;
                vg_strbuf_init(&p, PATH_CAP);
                vg_strbuf_printf(&p, "%s/%s", f->cache_dir, e->d_name);
                unlink(p.buf);
                vg_strbuf_dispose(&p);
            }
            closedir(d);
        }
        rmdir(f->cache_dir);
    }
    free(f->cache_dir);
    f->cache_dir = NULL;
}

void vg__fetched_dispose(vg__fetched *d)
{
    free(d->url);
    free(d->where);
    free(d->path);
    free(d->validator);
    memset(d, 0, sizeof(*d));
}

/* "https://HOST/PATH?QUERY#FRAG" → HOST/PATH, and QUERY (empty without one) in *query; the
 * fragment is dropped. */
static vg_slice host_path(const char *url, vg_slice *query)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "?#");
    *query = (vg_slice){p + n, 0};
    if (p[n] == '?')
        *query = (vg_slice){p + n + 1, strcspn(p + n + 1, "#")};
    return (vg_slice){p, n};
}

int vg__fetch(vg__fetched *out, vg__fetcher *f, const char *url)
{
    memset(out, 0, sizeof(*out));
    out->url = vg_xstrdup(url);
    const char *mirror = f->opts->mirror;
    vg_strbuf target;
    vg_strbuf_init(&target, PATH_CAP);
    bool http;
    if (is_http(url) && mirror && *mirror) {
        vg_slice q;
        vg_slice hp = host_path(url, &q);
        if (is_http(mirror)) {
            vg_strbuf_puts(&target, mirror);
            if (!ends_with(mirror, "/"))
                vg_strbuf_putc(&target, '/');
            vg_strbuf_append(&target, hp.ptr, hp.len);
            if (q.len) { /* the file "PATH?QUERY", not PATH with a query */
                vg_strbuf_puts(&target, "%3F");
                vg_strbuf_append(&target, q.ptr, q.len);
            }
            http = true;
        } else {
            char *m =
                starts_with(mirror, "file://") ? percent_decode(mirror + 7) : vg_xstrdup(mirror);
            char *rel = vg_xstrndup(hp.ptr, hp.len);
            char *dec = percent_decode(rel);
            vg_strbuf_printf(&target, "%s%s%s", m, ends_with(m, "/") ? "" : "/", dec);
            if (q.len) {
                vg_strbuf_putc(&target, '?');
                vg_strbuf_append(&target, q.ptr, q.len);
            }
            free(m);
            free(rel);
            free(dec);
            http = false;
        }
    } else if (is_http(url)) {
        vg_strbuf_puts(&target, url);
        http = true;
    } else if (starts_with(url, "file://")) {
        const char *p = url + 7;
        if (starts_with(p, "localhost/"))
            p += 9;
        char *dec = percent_decode(p);
        vg_strbuf_puts(&target, dec);
        free(dec);
        http = false;
    } else {
        vg_strbuf_puts(&target, url);
        http = false;
    }
    if (vg_strbuf_error(&target)) {
        vg_strbuf_dispose(&target);
        return fetch_fail(f, VG_EINVAL, url, "URL too long");
    }
    out->where = vg_xstrdup(target.buf);
    int rc;
    if (http) {
        if (!f->curl) {
            f->curl = curl_easy_init();
            if (!f->curl) {
                vg_strbuf_dispose(&target);
                return fetch_fail(f, VG_ERROR, out->where, "cannot initialise libcurl");
            }
        }
        rc = fetch_http(out, f, target.buf);
    } else {
        rc = fetch_local(out, f, target.buf);
    }
    vg_strbuf_dispose(&target);
    return rc;
}

/* ---- documents ------------------------------------------------------------------------- */

static int zip_documents(const vg__fetched *d, const vg__fetcher *f, vg__doc_cb cb, void *st)
{
    const vg_feed_opts *o = f->opts;
    struct archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    if (archive_read_open_filename(a, d->path, 65536) != ARCHIVE_OK) {
        int rc = fetch_fail(f, VG_EINVAL, d->where, "not a readable zip: %s",
                            archive_error_string(a) ? archive_error_string(a) : "?");
        archive_read_free(a);
        return rc;
    }
    uint64_t entries = 0, total = 0;
    uint64_t zip_size = d->bytes ? d->bytes : 1;
    int rc = 0;
    vg_strbuf body, name;
    vg_strbuf_init(&body, o->max_document_bytes);
    vg_strbuf_init(&name, PATH_CAP);
    char *chunk = vg_xmalloc(65536);
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            rc = fetch_fail(f, VG_EINVAL, d->where, "corrupt zip after %llu entries: %s",
                            (unsigned long long)entries,
                            archive_error_string(a) ? archive_error_string(a) : "?");
            break;
        }
        if (++entries > o->max_entries) {
            rc = fetch_fail(f, VG_ETOOBIG, d->where, "more than %llu entries (max_entries)",
                            (unsigned long long)o->max_entries);
            break;
        }
        const char *path = archive_entry_pathname(e);
        if (!path || archive_entry_filetype(e) != AE_IFREG || !ends_with(path, ".json")) {
            archive_read_data_skip(a);
            continue;
        }
        vg_strbuf_reset(&name);
        vg_strbuf_puts(&name, d->where);
        vg_strbuf_putc(&name, '!');
        vg_strbuf_put_escaped(&name, path, strlen(path), 1024);
        if (archive_entry_size_is_set(e) &&
            (uint64_t)archive_entry_size(e) > o->max_document_bytes) {
            rc = fetch_fail(
                f, VG_ETOOBIG, name.buf, "entry claims %lld bytes, above max_document_bytes (%llu)",
                (long long)archive_entry_size(e), (unsigned long long)o->max_document_bytes);
            break;
        }
        vg_strbuf_reset(&body);
        uint64_t entry_bytes = 0;
        for (;;) {
            la_ssize_t n = archive_read_data(a, chunk, 65536);
            if (n == 0)
                break;
            if (n < 0) {
                rc = fetch_fail(f, VG_EINVAL, name.buf, "cannot inflate: %s",
                                archive_error_string(a) ? archive_error_string(a) : "?");
                break;
            }
            entry_bytes += (uint64_t)n;
            total += (uint64_t)n;
            if (entry_bytes > o->max_document_bytes) {
                rc = fetch_fail(f, VG_ETOOBIG, name.buf,
                                "entry inflates past max_document_bytes (%llu)",
                                (unsigned long long)o->max_document_bytes);
                break;
            }
            if (total > o->max_total_bytes) {
                rc = fetch_fail(f, VG_ETOOBIG, d->where, "inflates past max_total_bytes (%llu)",
                                (unsigned long long)o->max_total_bytes);
                break;
            }
            if (total > o->max_ratio_floor && total / zip_size > o->max_ratio) {
                rc = fetch_fail(f, VG_ETOOBIG, name.buf,
                                "decompression ratio above %llu:1 (max_ratio) past %llu bytes "
                                "(max_ratio_floor): a zip bomb?",
                                (unsigned long long)o->max_ratio,
                                (unsigned long long)o->max_ratio_floor);
                break;
            }
            vg_strbuf_append(&body, chunk, (size_t)n);
        }
        if (rc)
            break;
        rc = cb(st, name.buf, body.buf, body.len);
        if (rc)
            break;
    }
    free(chunk);
    vg_strbuf_dispose(&body);
    vg_strbuf_dispose(&name);
    archive_read_free(a);
    return rc;
}

static int dir_documents(const vg__fetched *d, const vg__fetcher *f, vg__doc_cb cb, void *st)
{
    dir_list l;
    int rc = list_dir(&l, f, d->path, d->where);
    if (rc)
        return rc;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        vg_strbuf full, name;
        vg_strbuf_init(&full, PATH_CAP);
        vg_strbuf_init(&name, PATH_CAP);
        vg_strbuf_printf(&full, "%s/%s", d->path, l.rel[i]);
        vg_strbuf_printf(&name, "%s%s%s", d->where, ends_with(d->where, "/") ? "" : "/", l.rel[i]);
        char *buf = NULL;
        size_t len = 0;
        rc = read_file(&buf, &len, f, full.buf, name.buf, f->opts->max_document_bytes,
                       "max_document_bytes");
        if (rc == VG_ENOTFOUND)
            rc = fetch_fail(f, VG_EIO, name.buf, "vanished while reading the directory");
        if (rc == 0)
            rc = cb(st, name.buf, buf, len);
        free(buf);
        vg_strbuf_dispose(&full);
        vg_strbuf_dispose(&name);
    }
    dir_list_free(&l);
    return rc;
}

int vg__fetched_documents(const vg__fetched *d, const vg__fetcher *f, vg__doc_cb cb, void *state)
{
    switch (d->kind) {
    case VG_FETCH_MISSING:
        return 0;
    case VG_FETCH_DIR:
        return dir_documents(d, f, cb, state);
    case VG_FETCH_ZIP:
        return zip_documents(d, f, cb, state);
    case VG_FETCH_FILE:
    default: {
        char *buf = NULL;
        size_t len = 0;
        int rc = read_file(&buf, &len, f, d->path, d->where, f->opts->max_document_bytes,
                           "max_document_bytes");
        if (rc == VG_ENOTFOUND)
            rc = fetch_fail(f, VG_EIO, d->where, "vanished after it was fetched");
        if (rc == 0)
            rc = cb(state, d->where, buf, len);
        free(buf);
        return rc;
    }
    }
}
