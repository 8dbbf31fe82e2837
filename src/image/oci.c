/* oci.c — the OCI image layout directory source (vg__source_oci_dir): "oci-layout",
 * index.json as the root, blobs at blobs/<alg>/<hex>. Tags and nested indexes are resolved
 * by image.c; this file only reads files, through one directory fd, never by a name from a
 * manifest other than a validated digest. */
#include "image_int.h"

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct oci_dir {
    vg_source base;
    int dfd;
    char *name; /* "oci:DIR" for messages */
} oci_dir;

typedef struct file_blob {
    vg_blob base;
    int fd;
} file_blob;

static ssize_t file_read(vg_blob *b, void *buf, size_t n)
{
    file_blob *f = (file_blob *)b;
    for (;;) {
        ssize_t got = read(f->fd, buf, n);
        if (got >= 0)
            return got;
        if (errno != EINTR)
            return vg_error_set(VG_EIO, "read failed: %s", strerror(errno));
    }
}

static void file_close(vg_blob *b)
{
    file_blob *f = (file_blob *)b;
    close(f->fd);
    free(f);
}

/* Opens `rel` under the layout dir as a regular file; ENOTFOUND / EIO with a message. */
static int open_rel(oci_dir *o, const char *rel, const char *what, int *fd_out, off_t *size)
{
    int fd = openat(o->dfd, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return vg_error_set(VG_ENOTFOUND, "%s: %s not found (%s)", o->name, what, rel);
        return vg_error_set(VG_EIO, "%s: cannot open %s: %s", o->name, rel, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return vg_error_set(VG_EINVAL, "%s: %s is not a regular file", o->name, rel);
    }
    /* Back to blocking reads for a regular file (O_NONBLOCK only guarded against FIFOs). */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    *fd_out = fd;
    *size = st.st_size;
    return 0;
}

static int blob_rel(vg_strbuf *rel, const char *digest)
{
    const char *colon = strchr(digest, ':');
    vg_strbuf_puts(rel, "blobs/");
    vg_strbuf_append(rel, digest, (size_t)(colon - digest));
    vg_strbuf_putc(rel, '/');
    vg_strbuf_puts(rel, colon + 1);
    return vg_strbuf_error(rel);
}

static int oci_get_manifest(vg_source *s, const char *ref, vg_strbuf *body, char **media_type)
{
    oci_dir *o = (oci_dir *)s;
    *media_type = NULL;
    vg_strbuf rel;
    vg_strbuf_init(&rel, 512);
    const char *what = "index.json";
    int rc;
    if (!ref) {
        vg_strbuf_puts(&rel, "index.json");
    } else {
        rc = vg__digest_valid(ref, o->name);
        if (rc)
            goto out;
        blob_rel(&rel, ref);
        what = ref;
    }
    int fd;
    off_t size;
    rc = open_rel(o, rel.buf, ref ? "manifest blob" : "index.json", &fd, &size);
    if (rc)
        goto out;
    if ((uint64_t)size > body->limit) {
        close(fd);
        rc = vg_error_set(VG_ETOOBIG, "%s: %s is %lld bytes, exceeds max_manifest_bytes (%zu)",
                          o->name, what, (long long)size, body->limit);
        goto out;
    }
    file_blob fb = {{file_read, file_close}, fd};
    vg_strbuf wb;
    vg_strbuf_init(&wb, 512);
    vg_strbuf_printf(&wb, "%s: %s", o->name, what);
    rc = vg__blob_slurp(body, &fb.base, wb.buf);
    vg_strbuf_dispose(&wb);
    close(fd);
out:
    vg_strbuf_dispose(&rel);
    return rc;
}

static int oci_open_blob(vg_source *s, const char *digest, int64_t size, vg_blob **out)
{
    oci_dir *o = (oci_dir *)s;
    (void)size; /* checked by the verifying wrapper */
    int rc = vg__digest_valid(digest, o->name);
    if (rc)
        return rc;
    vg_strbuf rel;
    vg_strbuf_init(&rel, 512);
    blob_rel(&rel, digest);
    vg_strbuf what;
    vg_strbuf_init(&what, 256);
    vg_strbuf_printf(&what, "blob %s", digest);
    int fd;
    off_t fsize;
    rc = open_rel(o, rel.buf, what.buf, &fd, &fsize);
    vg_strbuf_dispose(&what);
    vg_strbuf_dispose(&rel);
    if (rc)
        return rc;
    file_blob *f = vg_xcalloc(1, sizeof(*f));
    f->base.read = file_read;
    f->base.close = file_close;
    f->fd = fd;
    *out = &f->base;
    return 0;
}

static void oci_free(vg_source *s)
{
    oci_dir *o = (oci_dir *)s;
    if (o->dfd >= 0)
        close(o->dfd);
    free(o->name);
    free(o);
}

static const vg_source_ops oci_ops = {oci_get_manifest, oci_open_blob, oci_free};

/* "oci-layout" is optional (some tools omit it), but when present it must be a JSON object
 * whose imageLayoutVersion is 1.x. */
static int check_layout_file(oci_dir *o)
{
    int fd;
    off_t size;
    int rc = open_rel(o, "oci-layout", "oci-layout", &fd, &size);
    if (rc == VG_ENOTFOUND) {
        vg_error_clear();
        return 0;
    }
    if (rc)
        return rc;
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)64 << 10);
    file_blob fb = {{file_read, file_close}, fd};
    vg_strbuf wb;
    vg_strbuf_init(&wb, 512);
    vg_strbuf_printf(&wb, "%s: oci-layout", o->name);
    rc = vg__blob_slurp(&sb, &fb.base, wb.buf);
    vg_strbuf_dispose(&wb);
    close(fd);
    if (rc == 0) {
        json_error_t jerr;
        json_t *j = json_loadb(sb.buf, sb.len, 0, &jerr);
        const char *v = json_string_value(json_object_get(j, "imageLayoutVersion"));
        if (!j || !json_is_object(j))
            rc = vg_error_set(VG_EINVAL, "%s: oci-layout is not a JSON object", o->name);
        else if (!v || strncmp(v, "1.", 2) != 0)
            rc = vg_error_set(VG_EINVAL, "%s: oci-layout: unsupported imageLayoutVersion", o->name);
        json_decref(j);
    }
    vg_strbuf_dispose(&sb);
    return rc;
}

int vg__source_oci_dir(vg_source **out, const char *dir, const vg_image_opts *opts)
{
    oci_dir *o = vg_xcalloc(1, sizeof(*o));
    o->base.ops = &oci_ops;
    o->base.opts = opts;
    vg_strbuf name;
    vg_strbuf_init(&name, 8192);
    vg_strbuf_puts(&name, "oci:");
    vg_strbuf_put_escaped(&name, dir, strlen(dir), 4096);
    o->name = vg_strbuf_detach(&name);
    o->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;
    if (o->dfd < 0) {
        if (errno == ENOENT)
            rc = vg_error_set(VG_ENOTFOUND, "%s: no such directory", o->name);
        else
            rc = vg_error_set(VG_EIO, "%s: cannot open: %s", o->name, strerror(errno));
        oci_free(&o->base);
        return rc;
    }
    rc = check_layout_file(o);
    if (rc) {
        oci_free(&o->base);
        return rc;
    }
    *out = &o->base;
    return 0;
}
