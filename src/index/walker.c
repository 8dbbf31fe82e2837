/* walker.c — one streaming pass over one layer (vg_index_layer): normalizes each entry's
 * path without ever leaving the root, records whiteouts, and copies only the files a scanner
 * asked for into capped buffers for it. Nothing is written to disk; no symlink is followed. */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

static const vg_scanner *const scanners[] = {
    &vg__scanner_os_release,
    &vg__scanner_dpkg,
    &vg__scanner_apk,
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

static const vg_scanner *scanner_for(const char *norm)
{
    for (size_t k = 0; k < VG_ARRAY_LEN(scanners); k++)
        if (scanners[k]->wants(norm))
            return scanners[k];
    return NULL;
}

/* Reads the current entry into `buf` (reset first), refusing more than `cap` bytes. */
static int read_entry(vg_layer_stream *s, vg_strbuf *buf, const char *digest, const char *norm,
                      uint64_t cap)
{
    char chunk[65536];
    ssize_t n;
    vg_strbuf_reset(buf);
    while ((n = vg_layer_read(s, chunk, sizeof(chunk))) > 0) {
        if ((uint64_t)buf->len + (uint64_t)n > cap)
            return vg_error_set(VG_ETOOBIG,
                                "layer %s: %s is larger than max_file_bytes (%llu bytes)", digest,
                                norm, (unsigned long long)cap);
        vg_strbuf_append(buf, chunk, (size_t)n);
    }
    return n < 0 ? (int)n : 0;
}

int vg_index_layer(vg_layer_result **out, vg_image *img, size_t i, const vg_index_limits *lim)
{
    const vg_layer_desc *desc = vg_image_layer(img, i);
    vg_layer_stream *s = NULL;
    int rc = vg_layer_open(&s, img, i);
    if (rc)
        return rc;
    vg_layer_result *r = vg_layer_result_new(desc->digest);
    vg_strbuf norm, buf;
    vg_strbuf_init(&norm, 65536);
    vg_strbuf_init(&buf, lim->max_file_bytes + 1);
    uint64_t scanned = 0;
    vg_entry e;
    while ((rc = vg_layer_next(s, &e)) == 1) {
        r->entries++;
        if (normalize(&norm, e.path) != 0 || norm.len == 0)
            continue;
        if (record_whiteout(r, norm.buf))
            continue;
        const vg_scanner *sc = scanner_for(norm.buf);
        if (!sc)
            continue;
        if (e.type != VG_ENTRY_FILE) {
            /* A directory, link or device where a scanned file was: it hides lower copies. */
            if (e.type != VG_ENTRY_DIR)
                vg_layer_result_add_whiteout(r, norm.buf, false);
            continue;
        }
        if (e.size > 0 && (uint64_t)e.size > lim->max_file_bytes) {
            rc = vg_error_set(VG_ETOOBIG, "layer %s: %s is larger than max_file_bytes (%llu bytes)",
                              desc->digest, norm.buf, (unsigned long long)lim->max_file_bytes);
            break;
        }
        if ((rc = read_entry(s, &buf, desc->digest, norm.buf, lim->max_file_bytes)) != 0)
            break;
        scanned += buf.len;
        if (scanned > lim->max_total_bytes) {
            rc = vg_error_set(VG_ETOOBIG,
                              "layer %s: scanned files exceed max_total_bytes (%llu bytes)",
                              desc->digest, (unsigned long long)lim->max_total_bytes);
            break;
        }
        if ((rc = sc->parse(r, norm.buf, buf.buf, buf.len, lim)) != 0)
            break;
    }
    vg_strbuf_dispose(&norm);
    vg_strbuf_dispose(&buf);
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
