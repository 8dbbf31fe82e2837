/* layer.c — layer streams of src/image/: one streaming pass over a layer's tar entries. A
 * libarchive reader is fed from the digest-verifying blob through callbacks (gzip, zstd or
 * plain tar, told apart by magic bytes; anything else refused), with every cap of
 * vg_image_limits enforced as bytes flow; rootfs images stream a directory walk instead. */
#include "image_int.h"

#include <archive.h>
#include <archive_entry.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536
#define SNIFF 6

struct vg_layer_stream {
    const vg_image_limits *lim;
    const char *digest; /* the layer's, owned by the image */
    vg_blob *blob;      /* verifying wrapper (tar layers) */
    struct archive *a;
    unsigned char *buf;
    vg__rootfs_walk *walk; /* rootfs layers */
    uint64_t raw;          /* compressed bytes handed to libarchive */
    uint64_t data;         /* entry bytes handed to the caller */
    uint64_t entries;
    int err; /* sticky: the first error, whose message is already set */
    bool sniffed;
    bool blob_eof;
    bool at_end;
    bool checked_filters;
};

static int fail(vg_layer_stream *s, int rc)
{
    if (!s->err)
        s->err = rc;
    return s->err;
}

/* Refuses compressions other than gzip and zstd by their magic bytes. */
static int sniff(vg_layer_stream *s, const unsigned char *m, size_t n)
{
    static const struct {
        const char *name;
        const char *magic;
        size_t len;
    } refused[] = {
        {"xz", "\xfd\x37\x7a\x58\x5a\x00", 6},
        {"bzip2", "BZh", 3},
        {"lz4", "\x04\x22\x4d\x18", 4},
        {"lzip", "LZIP", 4},
        {"zip", "PK\x03\x04", 4},
        {"7z", "7z\xbc\xaf\x27\x1c", 6},
        {"compress (.Z)", "\x1f\x9d", 2},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(refused); i++)
        if (n >= refused[i].len && memcmp(m, refused[i].magic, refused[i].len) == 0)
            return fail(s, vg_error_set(VG_EINVAL,
                                        "layer %s: unsupported compression %s (layers must be "
                                        "gzip, zstd or plain tar)",
                                        s->digest, refused[i].name));
    return 0;
}

/* The caps that depend on how many bytes came out of the decompressor. */
static int check_bytes(vg_layer_stream *s)
{
    /* Bytes out of the decompressor, or bytes handed to the caller when more: sparse entries
     * make libarchive synthesize the holes, which never pass through the stream. */
    uint64_t out = s->data;
    if (s->a) {
        la_int64_t b = archive_filter_bytes(s->a, 0);
        if (b > 0 && (uint64_t)b > out)
            out = (uint64_t)b;
    }
    if (out > s->lim->max_layer_bytes)
        return fail(s, vg_error_set(VG_ETOOBIG,
                                    "layer %s: more than %llu decompressed bytes "
                                    "(max_layer_bytes)",
                                    s->digest, (unsigned long long)s->lim->max_layer_bytes));
    /* Against what the decompressor consumed, not what was handed to it: a read-ahead chunk
     * would otherwise hide a bomb just above the ratio until its very end. */
    uint64_t in = s->raw;
    if (s->a) {
        la_int64_t c = archive_filter_bytes(s->a, -1);
        if (c > 0 && (uint64_t)c < in)
            in = (uint64_t)c;
    }
    if (s->a && out > s->lim->max_ratio_floor && in > 0 && out / in > s->lim->max_ratio)
        return fail(s, vg_error_set(VG_ETOOBIG,
                                    "layer %s: decompression ratio above %llu:1 (max_ratio) "
                                    "past %llu bytes (max_ratio_floor)",
                                    s->digest, (unsigned long long)s->lim->max_ratio,
                                    (unsigned long long)s->lim->max_ratio_floor));
    return 0;
}

static la_ssize_t cb_read(struct archive *a, void *ud, const void **out)
{
    vg_layer_stream *s = ud;
    if (s->err)
        return -1;
    if (s->blob_eof)
        return 0;
    size_t want = s->sniffed ? 1 : SNIFF;
    size_t have = 0;
    while (have < want) {
        ssize_t n = s->blob->read(s->blob, s->buf + have, CHUNK - have);
        if (n < 0) {
            fail(s, (int)n);
            archive_set_error(a, EIO, "blob read failed");
            return -1;
        }
        if (n == 0) {
            s->blob_eof = true;
            break;
        }
        have += (size_t)n;
    }
    if (!s->sniffed) {
        s->sniffed = true;
        if (sniff(s, s->buf, have) != 0) {
            archive_set_error(a, EINVAL, "unsupported compression");
            return -1;
        }
    }
    s->raw += have;
    if (check_bytes(s) != 0) {
        archive_set_error(a, EFBIG, "cap exceeded");
        return -1;
    }
    *out = s->buf;
    return (la_ssize_t)have;
}

/* A libarchive failure: our own error (blob, digest, cap) if one is pending, else libarchive's
 * message as a corrupt stream. */
static int archive_fail(vg_layer_stream *s)
{
    if (s->err)
        return s->err;
    return fail(s, vg_error_set(VG_EINVAL, "layer %s: truncated or corrupt stream: %s", s->digest,
                                archive_error_string(s->a)));
}

/* Reads the raw blob to its end so that the verifying wrapper checks digest and size. */
static int drain(vg_layer_stream *s)
{
    if (s->err)
        return s->err;
    while (!s->blob_eof) {
        ssize_t n = s->blob->read(s->blob, s->buf, CHUNK);
        if (n < 0)
            return fail(s, (int)n);
        if (n == 0)
            s->blob_eof = true;
    }
    return 0;
}

static void stream_free(vg_layer_stream *s)
{
    if (s->a)
        archive_read_free(s->a);
    if (s->blob)
        s->blob->close(s->blob);
    vg__rootfs_walk_free(s->walk);
    free(s->buf);
    free(s);
}

int vg_layer_open(vg_layer_stream **out, vg_image *img, size_t i)
{
    size_t n = vg_image_layer_count(img);
    if (i >= n)
        return vg_error_set(VG_EINVAL, "layer index %zu out of range (%zu layers)", i, n);
    const vg_layer_desc *d = vg_image_layer(img, i);
    vg_layer_stream *s = vg_xcalloc(1, sizeof(*s));
    s->lim = &vg__image_opts(img)->limits;
    s->digest = d->digest;
    int rc;
    const char *root = vg__image_rootfs(img);
    if (root) {
        rc = vg__rootfs_walk_open(&s->walk, root, s->lim);
        if (rc) {
            stream_free(s);
            return rc;
        }
        *out = s;
        return 0;
    }
    vg_source *src = vg__image_source(img);
    vg_blob *raw = NULL;
    rc = src->ops->open_blob(src, d->digest, d->size, &raw);
    if (rc) {
        stream_free(s);
        return rc;
    }
    s->blob = vg__blob_verify(raw, d->digest, d->size);
    s->buf = vg_xmalloc(CHUNK);
    s->a = archive_read_new();
    archive_read_support_filter_gzip(s->a);
    archive_read_support_filter_zstd(s->a);
    archive_read_support_format_tar(s->a);
    archive_read_support_format_empty(s->a);
    archive_read_set_read_callback(s->a, cb_read);
    archive_read_set_callback_data(s->a, s);
    if (archive_read_open1(s->a) != ARCHIVE_OK) {
        if (!s->err)
            fail(s, vg_error_set(VG_EINVAL,
                                 "layer %s: not a tar archive (layers must be gzip, zstd or plain "
                                 "tar): %s",
                                 d->digest, archive_error_string(s->a)));
        rc = s->err;
        stream_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static vg_entry_type entry_type(struct archive_entry *e)
{
    if (archive_entry_hardlink(e))
        return VG_ENTRY_HARDLINK;
    switch (archive_entry_filetype(e)) {
    case AE_IFREG:
        return VG_ENTRY_FILE;
    case AE_IFDIR:
        return VG_ENTRY_DIR;
    case AE_IFLNK:
        return VG_ENTRY_SYMLINK;
    default:
        return VG_ENTRY_OTHER;
    }
}

static int check_entry(vg_layer_stream *s, const vg_entry *e)
{
    if (++s->entries > s->lim->max_entries)
        return fail(s, vg_error_set(VG_ETOOBIG, "layer %s: more than %llu entries (max_entries)",
                                    s->digest, (unsigned long long)s->lim->max_entries));
    size_t plen = strlen(e->path);
    if (plen > s->lim->max_path)
        return fail(s, vg_error_set(VG_ETOOBIG,
                                    "layer %s: entry %llu has a path of %zu bytes, over max_path "
                                    "(%llu)",
                                    s->digest, (unsigned long long)s->entries, plen,
                                    (unsigned long long)s->lim->max_path));
    if (e->linkname && strlen(e->linkname) > s->lim->max_path)
        return fail(s, vg_error_set(VG_ETOOBIG,
                                    "layer %s: entry %llu has a link target over max_path (%llu)",
                                    s->digest, (unsigned long long)s->entries,
                                    (unsigned long long)s->lim->max_path));
    return 0;
}

static int next_tar(vg_layer_stream *s, vg_entry *out)
{
    struct archive_entry *e;
    int r;
    do {
        r = archive_read_next_header(s->a, &e);
    } while (r == ARCHIVE_RETRY && !s->err);
    if (r == ARCHIVE_EOF) {
        s->at_end = true;
        return drain(s);
    }
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return archive_fail(s);
    if (check_bytes(s) != 0)
        return s->err;
    if (!s->checked_filters) {
        s->checked_filters = true;
        /* One decompressor at most: "none" plus gzip or zstd. */
        if (archive_filter_count(s->a) > 2)
            return fail(s, vg_error_set(VG_EINVAL,
                                        "layer %s: nested compression (%s over %s) is not "
                                        "supported",
                                        s->digest, archive_filter_name(s->a, 0),
                                        archive_filter_name(s->a, 1)));
    }
    const char *path = archive_entry_pathname(e);
    if (!path)
        path = archive_entry_pathname_utf8(e);
    if (!path)
        return fail(s, vg_error_set(VG_EINVAL, "layer %s: entry %llu has no usable name", s->digest,
                                    (unsigned long long)s->entries + 1));
    memset(out, 0, sizeof(*out));
    out->path = path;
    out->type = entry_type(e);
    if (out->type == VG_ENTRY_HARDLINK)
        out->linkname = archive_entry_hardlink(e);
    else if (out->type == VG_ENTRY_SYMLINK)
        out->linkname = archive_entry_symlink(e);
    out->size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
    out->mode = (unsigned)archive_entry_perm(e);
    int rc = check_entry(s, out);
    return rc ? rc : 1;
}

int vg_layer_next(vg_layer_stream *s, vg_entry *out)
{
    if (s->err)
        return s->err;
    if (s->at_end)
        return 0;
    if (s->walk) {
        int r = vg__rootfs_walk_next(s->walk, out);
        if (r < 0)
            return fail(s, r);
        if (r == 0) {
            s->at_end = true;
            return 0;
        }
        int rc = check_entry(s, out);
        return rc ? rc : 1;
    }
    return next_tar(s, out);
}

ssize_t vg_layer_read(vg_layer_stream *s, void *buf, size_t n)
{
    if (s->err)
        return s->err;
    if (s->at_end || n == 0)
        return 0;
    if (s->walk) {
        ssize_t got = vg__rootfs_walk_read(s->walk, buf, n);
        if (got < 0)
            return fail(s, (int)got);
        s->data += (uint64_t)got;
        if (check_bytes(s) != 0)
            return s->err;
        return got;
    }
    la_ssize_t got = archive_read_data(s->a, buf, n);
    if (got < 0)
        return archive_fail(s);
    s->data += (uint64_t)got;
    if (check_bytes(s) != 0)
        return s->err;
    return got;
}

int vg_layer_close(vg_layer_stream *s)
{
    int rc = s->err;
    if (!rc && s->blob)
        rc = drain(s);
    stream_free(s);
    return rc;
}

void vg_layer_abort(vg_layer_stream *s)
{
    if (s)
        stream_free(s);
}
