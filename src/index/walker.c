/* walker.c — one streaming pass over one layer (vg_index_layer): normalizes each entry's
 * path without ever leaving the root, records whiteouts, and copies only the files a scanner
 * asked for into capped buffers for it — or, for a streaming scanner (Go binaries), lets it
 * pull just the bytes it needs. Nothing is written to disk; no symlink is followed. */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

static const vg_scanner *const scanners[] = {
    &vg__scanner_os_release,
    &vg__scanner_dpkg,
    &vg__scanner_apk,
    &vg__scanner_rpm,
};

/* Best-effort scanners (index_int.h): a file they cannot read is skipped with a warning. */
static const vg_scanner *const lang_scanners[] = {
    &vg__scanner_python,
    &vg__scanner_npm,
    &vg__scanner_gem,
    &vg__scanner_java,
};

static const vg_stream_scanner *const stream_scanners[] = {
    &vg__scanner_gobin,
};

/* Normalizes a tar path into `out`: strips "./" and leading "/", drops empty and "."
 * components, resolves ".." lexically. Returns 0, or VG_EINVAL when ".." would climb above
 * the root (such entries are ignored by the caller: they cannot be part of the image). */
static int normalize(vg_strbuf *out, const char *path)
{
    vg_strbuf_reset(out);
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - start);
        if (n == 0 || (n == 1 && start[0] == '.'))
            continue;
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            if (out->len == 0)
                return VG_EINVAL;
            char *slash = strrchr(out->buf, '/');
            out->len = slash ? (size_t)(slash - out->buf) : 0;
            out->buf[out->len] = '\0';
            continue;
        }
        if (out->len)
            vg_strbuf_putc(out, '/');
        vg_strbuf_append(out, start, n);
    }
    return vg_strbuf_error(out);
}

static const char whiteout_prefix[] = ".wh.";
static const char opaque_name[] = ".wh..wh..opq";

/* Records a whiteout if `norm` is one; returns true when the entry was a whiteout. */
static bool record_whiteout(vg_layer_result *r, const char *norm)
{
    const char *slash = strrchr(norm, '/');
    const char *base = slash ? slash + 1 : norm;
    size_t dir_len = slash ? (size_t)(slash - norm) : 0;
    if (strncmp(base, whiteout_prefix, sizeof(whiteout_prefix) - 1) != 0)
        return false;
    vg_strbuf target;
    vg_strbuf_init(&target, 8192);
    if (strcmp(base, opaque_name) == 0) {
        vg_strbuf_append(&target, norm, dir_len);
        vg_layer_result_add_whiteout(r, target.buf, true);
    } else if (base[sizeof(whiteout_prefix) - 1] != '\0') {
        if (dir_len) {
            vg_strbuf_append(&target, norm, dir_len);
            vg_strbuf_putc(&target, '/');
        }
        vg_strbuf_puts(&target, base + sizeof(whiteout_prefix) - 1);
        vg_layer_result_add_whiteout(r, target.buf, false);
    }
    vg_strbuf_dispose(&target);
    return true;
}

/* The scanner that wants `norm`, and whether it is best-effort. */
static const vg_scanner *scanner_for(const char *norm, bool *best_effort)
{
    for (size_t k = 0; k < VG_ARRAY_LEN(scanners); k++) {
        if (scanners[k]->wants(norm)) {
            *best_effort = false;
            return scanners[k];
        }
    }
    for (size_t k = 0; k < VG_ARRAY_LEN(lang_scanners); k++) {
        if (lang_scanners[k]->wants(norm)) {
            *best_effort = true;
            return lang_scanners[k];
        }
    }
    return NULL;
}

static const vg_stream_scanner *stream_scanner_for(const char *norm, const vg_entry *e)
{
    for (size_t k = 0; k < VG_ARRAY_LEN(stream_scanners); k++)
        if (stream_scanners[k]->wants_entry(norm, e->mode, e->size))
            return stream_scanners[k];
    return NULL;
}

/* Reads the current entry into `buf` (reset first). More than `cap` bytes sets `*over` and
 * stops (the caller decides whether that is fatal); a failing layer stream is an error. */
static int read_entry(vg_layer_stream *s, vg_strbuf *buf, uint64_t cap, bool *over)
{
    char chunk[65536];
    ssize_t n;
    vg_strbuf_reset(buf);
    *over = false;
    while ((n = vg_layer_read(s, chunk, sizeof(chunk))) > 0) {
        if ((uint64_t)buf->len + (uint64_t)n > cap) {
            *over = true;
            return 0;
        }
        vg_strbuf_append(buf, chunk, (size_t)n);
    }
    return n < 0 ? (int)n : 0;
}

static ssize_t layer_pull(void *ctx, void *buf, size_t n)
{
    return vg_layer_read(ctx, buf, n);
}

/* The state of one layer's walk. */
typedef struct walk {
    vg_layer_result *r;
    const char *digest;
    const vg_index_limits *lim;
    uint64_t scanned; /* bytes buffered for scanners so far */
    vg_strbuf msg;
} walk;

/* A file a best-effort scanner could not read: the layer goes on and its result says why.
 * `what` is the scanner's message (it names the file). Returns 0. */
static int skip_file(walk *w, const char *what)
{
    vg_strbuf_reset(&w->msg);
    vg_strbuf_printf(&w->msg, "layer %s: %s", w->digest, what);
    vg_layer_result_add_warning(w->r, w->msg.buf);
    vg_error_clear();
    return 0;
}

/* A cap exceeded by one scanned file: fatal for a package database, a skipped file for the
 * best-effort language scanners. */
static int over_cap(walk *w, bool best_effort, const char *norm, const char *cap_name, uint64_t cap)
{
    vg_strbuf q;
    vg_strbuf_init(&q, 4096);
    vg_strbuf_put_escaped(&q, norm, strlen(norm), 1024);
    int rc = vg_error_set(VG_ETOOBIG, "layer %s: %s is larger than %s (%llu bytes)", w->digest,
                          q.buf, cap_name, (unsigned long long)cap);
    vg_strbuf_dispose(&q);
    if (best_effort) {
        vg_layer_result_add_warning(w->r, vg_error_last());
        vg_error_clear();
        return 0;
    }
    return rc;
}

/* Hands one wanted regular file, buffered, to a path scanner. */
static int scan_buffered(walk *w, vg_layer_stream *s, const vg_scanner *sc, bool best_effort,
                         const char *norm, const vg_entry *e, vg_strbuf *buf)
{
    const vg_index_limits *lim = w->lim;
    if (e->size > 0 && (uint64_t)e->size > lim->max_file_bytes)
        return over_cap(w, best_effort, norm, "max_file_bytes", lim->max_file_bytes);
    /* A language file that would take the layer past max_total_bytes is not even read. */
    if (best_effort && e->size > 0 && w->scanned + (uint64_t)e->size > lim->max_total_bytes)
        return over_cap(w, best_effort, norm, "what is left of max_total_bytes",
                        lim->max_total_bytes - w->scanned);
    bool over;
    int rc = read_entry(s, buf, lim->max_file_bytes, &over);
    if (rc)
        return rc;
    if (over)
        return over_cap(w, best_effort, norm, "max_file_bytes", lim->max_file_bytes);
    if (w->scanned + buf->len > lim->max_total_bytes) {
        if (best_effort)
            return over_cap(w, best_effort, norm, "what is left of max_total_bytes",
                            lim->max_total_bytes - w->scanned);
        return vg_error_set(VG_ETOOBIG,
                            "layer %s: scanned files exceed max_total_bytes (%llu bytes)",
                            w->digest, (unsigned long long)lim->max_total_bytes);
    }
    w->scanned += buf->len;
    rc = sc->parse(w->r, norm, buf->buf, buf->len, lim);
    if (rc && best_effort)
        return skip_file(w, vg_error_last());
    return rc;
}

/* Lets a (best-effort) streaming scanner pull what it needs of one regular file. */
static int scan_stream(walk *w, vg_layer_stream *s, const vg_stream_scanner *sc, const char *norm,
                       const vg_entry *e)
{
    vg_index_reader rd;
    memset(&rd, 0, sizeof(rd));
    rd.pull = layer_pull;
    rd.ctx = s;
    rd.size = e->size;
    int rc = sc->parse_stream(w->r, norm, &rd, w->lim);
    if (rd.io_err)
        return rd.io_err; /* the layer stream failed: its message stands */
    return rc ? skip_file(w, vg_error_last()) : 0;
}

int vg_index_layer(vg_layer_result **out, vg_image *img, size_t i, const vg_index_limits *lim)
{
    const vg_layer_desc *desc = vg_image_layer(img, i);
    vg_layer_stream *s = NULL;
    int rc = vg_layer_open(&s, img, i);
    if (rc)
        return rc;
    vg_layer_result *r = vg_layer_result_new(desc->digest);
    walk w = {r, desc->digest, lim, 0, {0}};
    vg_strbuf_init(&w.msg, 16384);
    vg_strbuf norm, buf;
    vg_strbuf_init(&norm, 65536);
    vg_strbuf_init(&buf, lim->max_file_bytes + 1);
    vg_entry e;
    while ((rc = vg_layer_next(s, &e)) == 1) {
        r->entries++;
        if (normalize(&norm, e.path) != 0 || norm.len == 0)
            continue;
        if (record_whiteout(r, norm.buf))
            continue;
        bool best_effort = false;
        const vg_scanner *sc = scanner_for(norm.buf, &best_effort);
        if (!sc) {
            const vg_stream_scanner *ss =
                e.type == VG_ENTRY_FILE ? stream_scanner_for(norm.buf, &e) : NULL;
            if (ss && (rc = scan_stream(&w, s, ss, norm.buf, &e)) != 0)
                break;
            continue;
        }
        if (e.type != VG_ENTRY_FILE) {
            /* A directory, link or device where a scanned file was: it hides lower copies. */
            if (e.type != VG_ENTRY_DIR)
                vg_layer_result_add_whiteout(r, norm.buf, false);
            continue;
        }
        if ((rc = scan_buffered(&w, s, sc, best_effort, norm.buf, &e, &buf)) != 0)
            break;
    }
    vg_strbuf_dispose(&norm);
    vg_strbuf_dispose(&buf);
    vg_strbuf_dispose(&w.msg);
    if (rc < 0) {
        vg_layer_abort(s);
        vg_layer_result_free(r);
        return rc;
    }
    /* The digest is only known to be right once the whole blob went through. */
    if ((rc = vg_layer_close(s)) != 0) {
        vg_layer_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
