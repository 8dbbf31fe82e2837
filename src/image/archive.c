/* archive.c — tar sources of src/image/: oci-archive (an OCI layout inside a tar) and
 * docker-archive (docker save: manifest.json, Config, Layers, RepoTags, legacy layer.tar
 * symlinks), including the containerd/Docker 25 dual layout. Entries are found by name by
 * re-scanning the outer tar headers with skips over a seekable file (O(entries) per open, no
 * index kept); a compressed outer tar is first inflated once into an anonymous temp file.
 * Nothing is ever written under a name taken from the archive. */
#include "image_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define MAX_LINK_DEPTH 8 /* symlink / hardlink hops when resolving an entry */

typedef struct alias {
    char *digest;
    char *entry;
} alias;

typedef struct arc_src {
    vg_source base;
    char *name; /* "docker-archive:PATH", for messages */
    int fd;     /* the plain tar: the file itself or the anonymous temp file */
    uint64_t size;
    alias *aliases; /* digest -> entry, registered by the docker-archive loader */
    size_t n_aliases;
} arc_src;

/* ---- a libarchive tar reader over the seekable plain tar (pread, own offset) ---------- */

typedef struct tar_reader {
    struct archive *a;
    arc_src *src;
    uint64_t off;
    unsigned char *buf;
} tar_reader;

static la_ssize_t tr_read(struct archive *a, void *ud, const void **buf)
{
    tar_reader *tr = ud;
    for (;;) {
        ssize_t n = pread(tr->src->fd, tr->buf, READ_CHUNK, (off_t)tr->off);
        if (n >= 0) {
            tr->off += (uint64_t)n;
            *buf = tr->buf;
            return n;
        }
        if (errno != EINTR) {
            archive_set_error(a, errno, "read failed");
            return -1;
        }
    }
}

static la_int64_t tr_skip(struct archive *a, void *ud, la_int64_t req)
{
    (void)a;
    tar_reader *tr = ud;
    uint64_t left = tr->off < tr->src->size ? tr->src->size - tr->off : 0;
    if (req < 0)
        return 0;
    if ((uint64_t)req > left)
        req = (la_int64_t)left;
    tr->off += (uint64_t)req;
    return req;
}

static void tr_free(tar_reader *tr)
{
    if (!tr)
        return;
    if (tr->a)
        archive_read_free(tr->a);
    free(tr->buf);
    free(tr);
}

static int tr_open(tar_reader **out, arc_src *s)
{
    tar_reader *tr = vg_xcalloc(1, sizeof(*tr));
    tr->src = s;
    tr->buf = vg_xmalloc(READ_CHUNK);
    tr->a = archive_read_new();
    archive_read_support_format_tar(tr->a);
    archive_read_set_read_callback(tr->a, tr_read);
    archive_read_set_skip_callback(tr->a, tr_skip);
    archive_read_set_callback_data(tr->a, tr);
    if (archive_read_open1(tr->a) != ARCHIVE_OK) {
        int rc = vg_error_set(VG_EINVAL, "%s: not a tar archive: %s", s->name,
                              archive_error_string(tr->a));
        tr_free(tr);
        return rc;
    }
    *out = tr;
    return 0;
}

/* Advances to the next header: 1, 0 at the end, or an error naming the archive. */
static int tr_next(tar_reader *tr, struct archive_entry **e)
{
    for (;;) {
        int r = archive_read_next_header(tr->a, e);
        if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
            return 1;
        if (r == ARCHIVE_EOF)
            return 0;
        if (r == ARCHIVE_RETRY)
            continue;
        return vg_error_set(VG_EINVAL, "%s: truncated or corrupt archive: %s", tr->src->name,
                            archive_error_string(tr->a));
    }
}

/* ---- entry names -------------------------------------------------------------------- */

/* Cleans an archive path: drops "./", empty and "." components and a leading "/", resolves
 * "..". Returns NULL when ".." would leave the archive root. */
static char *clean_path(const char *p)
{
    vg_strbuf out;
    vg_strbuf_init(&out, 0);
    vg_slice rest = vg_slice_from_cstr(p);
    while (rest.ptr) {
        vg_slice comp;
        rest = vg_slice_split(rest, '/', &comp);
        if (comp.len == 0 || vg_slice_eq_cstr(comp, "."))
            continue;
        if (vg_slice_eq_cstr(comp, "..")) {
            if (out.len == 0) {
                vg_strbuf_dispose(&out);
                return NULL;
            }
            char *slash = memrchr(out.buf, '/', out.len);
            out.len = slash ? (size_t)(slash - out.buf) : 0;
            out.buf[out.len] = '\0';
            continue;
        }
        if (out.len)
            vg_strbuf_putc(&out, '/');
        vg_strbuf_append(&out, comp.ptr, comp.len);
    }
    return vg_strbuf_detach(&out);
}

static bool name_is(const char *entry_name, const char *want)
{
    while (entry_name[0] == '.' && entry_name[1] == '/')
        entry_name += 2;
    while (entry_name[0] == '/')
        entry_name++;
    return strcmp(entry_name, want) == 0;
}

typedef struct found {
    long ordinal; /* -1 = not found */
    int64_t size;
    unsigned type; /* AE_IF* */
    char *link;    /* symlink or hardlink target, heap */
    bool hardlink;
} found;

/* One header-only pass over the whole tar; the last entry named `want` wins (as when the
 * tar is extracted). */
static int scan_for(arc_src *s, const char *want, found *f)
{
    f->ordinal = -1;
    f->link = NULL;
    tar_reader *tr;
    int rc = tr_open(&tr, s);
    if (rc)
        return rc;
    const vg_image_limits *lim = &s->base.opts->limits;
    struct archive_entry *e;
    long ord = 0;
    while ((rc = tr_next(tr, &e)) == 1) {
        if ((uint64_t)ord >= lim->max_entries) {
            rc = vg_error_set(VG_ETOOBIG, "%s: more than %llu entries (max_entries)", s->name,
                              (unsigned long long)lim->max_entries);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (name && name_is(name, want)) {
            free(f->link);
            f->link = NULL;
            f->ordinal = ord;
            f->size = archive_entry_size(e);
            f->type = archive_entry_filetype(e);
            f->hardlink = false;
            const char *hl = archive_entry_hardlink(e);
            const char *sl = archive_entry_symlink(e);
            if (hl) {
                f->hardlink = true;
                f->link = vg_xstrdup(hl);
            } else if (f->type == AE_IFLNK && sl) {
                f->link = vg_xstrdup(sl);
            }
        }
        ord++;
    }
    tr_free(tr);
    if (rc < 0) {
        free(f->link);
        f->link = NULL;
    }
    return rc < 0 ? rc : 0;
}

/* Resolves `path` to a regular file entry, following symlinks and hardlinks inside the
 * archive (at most MAX_LINK_DEPTH hops, never out of its root). `*final` (heap) is the
 * name of the regular entry. */
static int resolve(arc_src *s, const char *path, const char *what, char **final, found *f)
{
    char *cur = clean_path(path);
    if (!cur || !*cur) {
        free(cur);
        return vg_error_set(VG_EINVAL, "%s: %s: bad path", s->name, what);
    }
    for (int depth = 0; depth <= MAX_LINK_DEPTH; depth++) {
        int rc = scan_for(s, cur, f);
        if (rc) {
            free(cur);
            return rc;
        }
        if (f->ordinal < 0) {
            rc = vg_error_set(VG_ENOTFOUND, "%s: %s not found (no entry %s)", s->name, what, cur);
            free(cur);
            return rc;
        }
        if (!f->link) {
            if (f->type != AE_IFREG) {
                rc = vg_error_set(VG_EINVAL, "%s: %s: entry %s is not a regular file", s->name,
                                  what, cur);
                free(cur);
                return rc;
            }
            *final = cur;
            return 0;
        }
        char *next;
        if (f->hardlink || f->link[0] == '/') {
            /* Hardlink names are archive paths; an absolute symlink is refused below. */
            next = f->link[0] == '/' ? NULL : clean_path(f->link);
        } else {
            vg_strbuf j;
            vg_strbuf_init(&j, 0);
            const char *slash = strrchr(cur, '/');
            if (slash)
                vg_strbuf_append(&j, cur, (size_t)(slash - cur + 1));
            vg_strbuf_puts(&j, f->link);
            next = clean_path(j.buf);
            vg_strbuf_dispose(&j);
        }
        if (!next || !*next) {
            rc = vg_error_set(VG_EINVAL, "%s: %s: link %s points outside the archive", s->name,
                              what, cur);
            free(next);
            free(f->link);
            f->link = NULL;
            free(cur);
            return rc;
        }
        free(f->link);
        f->link = NULL;
        free(cur);
        cur = next;
    }
    free(cur);
    return vg_error_set(VG_ETOOBIG, "%s: %s: more than %d chained links", s->name, what,
                        MAX_LINK_DEPTH);
}

/* ---- entry blobs -------------------------------------------------------------------- */

typedef struct entry_blob {
    vg_blob base;
    tar_reader *tr;
    arc_src *src;
    char *entry;
} entry_blob;

static ssize_t entry_read(vg_blob *b, void *buf, size_t n)
{
    entry_blob *eb = (entry_blob *)b;
    la_ssize_t got = archive_read_data(eb->tr->a, buf, n);
    if (got >= 0)
        return got;
    return vg_error_set(VG_EINVAL, "%s: reading %s: truncated or corrupt archive: %s",
                        eb->src->name, eb->entry, archive_error_string(eb->tr->a));
}

static void entry_close(vg_blob *b)
{
    entry_blob *eb = (entry_blob *)b;
    tr_free(eb->tr);
    free(eb->entry);
    free(eb);
}

/* Opens the data of the `ordinal`-th entry (found by resolve). */
static int open_ordinal(arc_src *s, long ordinal, const char *entry, vg_blob **out)
{
    tar_reader *tr;
    int rc = tr_open(&tr, s);
    if (rc)
        return rc;
    struct archive_entry *e;
    for (long i = 0; i <= ordinal; i++) {
        rc = tr_next(tr, &e);
        if (rc <= 0) {
            tr_free(tr);
            return rc < 0 ? rc : vg_error_set(VG_EIO, "%s: archive changed while reading", s->name);
        }
    }
    entry_blob *eb = vg_xcalloc(1, sizeof(*eb));
    eb->base.read = entry_read;
    eb->base.close = entry_close;
    eb->tr = tr;
    eb->src = s;
    eb->entry = vg_xstrdup(entry);
    *out = &eb->base;
    return 0;
}

static int open_entry(arc_src *s, const char *path, const char *what, vg_blob **out, int64_t *size)
{
    char *final = NULL;
    found f;
    int rc = resolve(s, path, what, &final, &f);
    if (rc)
        return rc;
    rc = open_ordinal(s, f.ordinal, final, out);
    if (rc == 0 && size)
        *size = f.size;
    free(final);
    return rc;
}

/* Reads a whole JSON entry, refusing one larger than the strbuf's cap before reading. */
static int read_json_entry(arc_src *s, const char *path, const char *what, vg_strbuf *body)
{
    vg_blob *b;
    int64_t size;
    int rc = open_entry(s, path, what, &b, &size);
    if (rc)
        return rc;
    if (size > 0 && (uint64_t)size > body->limit) {
        b->close(b);
        return vg_error_set(VG_ETOOBIG, "%s: %s is %lld bytes, exceeds max_manifest_bytes (%zu)",
                            s->name, what, (long long)size, body->limit);
    }
    vg_strbuf wb;
    vg_strbuf_init(&wb, 0);
    vg_strbuf_printf(&wb, "%s: %s", s->name, what);
    rc = vg__blob_slurp(body, b, wb.buf);
    vg_strbuf_dispose(&wb);
    b->close(b);
    return rc;
}

static void blob_path(vg_strbuf *sb, const char *digest)
{
    const char *colon = strchr(digest, ':');
    vg_strbuf_puts(sb, "blobs/");
    vg_strbuf_append(sb, digest, (size_t)(colon - digest));
    vg_strbuf_putc(sb, '/');
    vg_strbuf_puts(sb, colon + 1);
}

/* ---- the source operations ------------------------------------------------------------ */

static int arc_get_manifest(vg_source *src, const char *ref, vg_strbuf *body, char **media_type)
{
    arc_src *s = (arc_src *)src;
    *media_type = NULL;
    if (!ref)
        return read_json_entry(s, "index.json", "index.json", body);
    int rc = vg__digest_valid(ref, s->name);
    if (rc)
        return rc;
    vg_strbuf p;
    vg_strbuf_init(&p, 0);
    blob_path(&p, ref);
    vg_strbuf what;
    vg_strbuf_init(&what, 0);
    vg_strbuf_printf(&what, "manifest blob %s", ref);
    rc = read_json_entry(s, p.buf, what.buf, body);
    vg_strbuf_dispose(&what);
    vg_strbuf_dispose(&p);
    return rc;
}

static int arc_open_blob(vg_source *src, const char *digest, int64_t size, vg_blob **out)
{
    arc_src *s = (arc_src *)src;
    (void)size;
    int rc = vg__digest_valid(digest, s->name);
    if (rc)
        return rc;
    vg_strbuf what;
    vg_strbuf_init(&what, 0);
    vg_strbuf_printf(&what, "blob %s", digest);
    for (size_t i = 0; i < s->n_aliases; i++) {
        if (strcmp(s->aliases[i].digest, digest) == 0) {
            rc = open_entry(s, s->aliases[i].entry, what.buf, out, NULL);
            vg_strbuf_dispose(&what);
            return rc;
        }
    }
    vg_strbuf p;
    vg_strbuf_init(&p, 0);
    blob_path(&p, digest);
    rc = open_entry(s, p.buf, what.buf, out, NULL);
    vg_strbuf_dispose(&p);
    vg_strbuf_dispose(&what);
    return rc;
}

static void arc_free(vg_source *src)
{
    arc_src *s = (arc_src *)src;
    if (s->fd >= 0)
        close(s->fd);
    for (size_t i = 0; i < s->n_aliases; i++) {
        free(s->aliases[i].digest);
        free(s->aliases[i].entry);
    }
    free(s->aliases);
    free(s->name);
    free(s);
}

static const vg_source_ops arc_ops = {arc_get_manifest, arc_open_blob, arc_free};

/* ---- opening: plain or inflated once ------------------------------------------------- */

static const char *outer_compression(const unsigned char *m, size_t n)
{
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        return "gzip";
    if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        return "zstd";
    if (n >= 6 && memcmp(m, "\xfd\x37\x7a\x58\x5a\x00", 6) == 0)
        return "xz";
    if (n >= 3 && memcmp(m, "BZh", 3) == 0)
        return "bzip2";
    return NULL;
}

static struct archive *new_outer_reader(void)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_bzip2(a);
    return a;
}

/* An unnamed temp file: O_TMPFILE in $TMPDIR (or /tmp), else tmpfile(3), whose name, if it
 * has one at all, is libc's and unlinked at once. Never a name taken from the archive. */
static int anon_tmp(void)
{
    const char *dir = secure_getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    FILE *f = tmpfile();
    if (!f)
        return -1;
    fd = fcntl(fileno(f), F_DUPFD_CLOEXEC, 0);
    fclose(f);
    return fd;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Inflates the compressed file `fd` into an anonymous temp file, capped by max_layer_bytes
 * and max_ratio. */
static int inflate_to_tmp(arc_src *s, int fd, const char *comp)
{
    const vg_image_limits *lim = &s->base.opts->limits;
    struct archive *a = new_outer_reader();
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    unsigned char *buf = vg_xmalloc(READ_CHUNK);
    int rc = 0;
    if (archive_read_open_fd(a, fd, READ_CHUNK) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        rc = vg_error_set(VG_EINVAL, "%s: corrupt %s stream: %s", s->name, comp,
                          archive_error_string(a));
        goto out;
    }
    s->fd = anon_tmp();
    if (s->fd < 0) {
        rc = vg_error_set(VG_EIO, "%s: cannot create a temp file: %s", s->name, strerror(errno));
        goto out;
    }
    uint64_t total = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, READ_CHUNK);
        if (n < 0) {
            rc = vg_error_set(VG_EINVAL, "%s: truncated or corrupt %s stream: %s", s->name, comp,
                              archive_error_string(a));
            goto out;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > lim->max_layer_bytes) {
            rc = vg_error_set(VG_ETOOBIG,
                              "%s: more than %llu bytes once decompressed (max_layer_bytes)",
                              s->name, (unsigned long long)lim->max_layer_bytes);
            goto out;
        }
        int64_t raw = archive_filter_bytes(a, -1);
        if (total > lim->max_ratio_floor && raw > 0 && total / (uint64_t)raw > lim->max_ratio) {
            rc = vg_error_set(VG_ETOOBIG,
                              "%s: decompression ratio above %llu:1 (max_ratio) past %llu bytes",
                              s->name, (unsigned long long)lim->max_ratio,
                              (unsigned long long)lim->max_ratio_floor);
            goto out;
        }
        if (write_all(s->fd, buf, (size_t)n) != 0) {
            rc = vg_error_set(VG_EIO, "%s: writing the temp file: %s", s->name, strerror(errno));
            goto out;
        }
    }
    s->size = total;
out:
    free(buf);
    archive_read_free(a);
    return rc;
}

int vg__source_archive(vg_source **out, const char *path, const char *name,
                       const vg_image_opts *opts)
{
    arc_src *s = vg_xcalloc(1, sizeof(*s));
    s->base.ops = &arc_ops;
    s->base.opts = opts;
    s->name = vg_xstrdup(name);
    s->fd = -1;
    int rc = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        rc = vg_error_set(errno == ENOENT ? VG_ENOTFOUND : VG_EIO, "%s: cannot open: %s", s->name,
                          strerror(errno));
        goto fail;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        rc = vg_error_set(VG_EINVAL, "%s: not a regular file", s->name);
        goto fail;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    unsigned char magic[6];
    ssize_t m = pread(fd, magic, sizeof(magic), 0);
    const char *comp = m > 0 ? outer_compression(magic, (size_t)m) : NULL;
    if (comp) {
        rc = inflate_to_tmp(s, fd, comp);
        close(fd);
        if (rc)
            goto fail;
    } else {
        s->fd = fd;
        s->size = (uint64_t)st.st_size;
    }
    *out = &s->base;
    return 0;
fail:
    arc_free(&s->base);
    return rc;
}

int vg__archive_probe_file(vg__archive_probe *out, const char *path)
{
    memset(out, 0, sizeof(*out));
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return vg_error_set(errno == ENOENT ? VG_ENOTFOUND : VG_EIO, "%s: cannot open: %s", path,
                            strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 0;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    struct archive *a = new_outer_reader();
    archive_read_support_format_tar(a);
    if (archive_read_open_fd(a, fd, READ_CHUNK) == ARCHIVE_OK) {
        struct archive_entry *e;
        unsigned long n = 0;
        vg_image_limits lim;
        vg_image_limits_default(&lim);
        int r;
        while (n++ < lim.max_entries &&
               ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
            out->is_tar = true;
            const char *name = archive_entry_pathname(e);
            if (!name)
                continue;
            if (name_is(name, "manifest.json"))
                out->has_manifest_json = true;
            else if (name_is(name, "index.json"))
                out->has_index_json = true;
            else if (name_is(name, "oci-layout"))
                out->has_oci_layout = true;
        }
    }
    archive_read_free(a);
    close(fd);
    return 0;
}

/* ---- docker-archive manifest.json ------------------------------------------------------ */

static char *jstr_dup(json_t *j)
{
    if (!json_is_string(j) || strlen(json_string_value(j)) != json_string_length(j))
        return NULL;
    return vg_xstrdup(json_string_value(j));
}

void vg__docker_manifest_dispose(vg__docker_manifest *m)
{
    for (size_t i = 0; i < m->n_images; i++) {
        vg__docker_entry *e = &m->images[i];
        free(e->config);
        for (size_t j = 0; j < e->n_layers; j++)
            free(e->layers[j]);
        free(e->layers);
        for (size_t j = 0; j < e->n_repo_tags; j++)
            free(e->repo_tags[j]);
        free(e->repo_tags);
    }
    free(m->images);
    memset(m, 0, sizeof(*m));
}

static int parse_string_array(char ***out, size_t *n, json_t *arr, const char *where, size_t i,
                              const char *key, uint64_t cap)
{
    *out = NULL;
    *n = 0;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return vg_error_set(VG_EINVAL, "%s: [%zu].%s: not an array", where, i, key);
    size_t len = json_array_size(arr);
    if (len > cap)
        return vg_error_set(VG_ETOOBIG, "%s: [%zu].%s: %zu entries exceeds max_layers (%llu)",
                            where, i, key, len, (unsigned long long)cap);
    *out = vg_xcalloc(len ? len : 1, sizeof(char *));
    for (size_t j = 0; j < len; j++) {
        char *v = jstr_dup(json_array_get(arr, j));
        if (!v || !*v) {
            free(v);
            return vg_error_set(VG_EINVAL, "%s: [%zu].%s[%zu]: not a non-empty string", where, i,
                                key, j);
        }
        (*out)[(*n)++] = v;
    }
    return 0;
}

int vg__docker_manifest_parse(vg__docker_manifest *out, const char *body, size_t len,
                              const char *where, const vg_image_limits *lim)
{
    memset(out, 0, sizeof(*out));
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root)
        return vg_error_set(VG_EINVAL, "%s: invalid JSON at line %d column %d (byte %d): %s", where,
                            jerr.line, jerr.column, jerr.position, jerr.text);
    int rc = 0;
    if (json_is_null(root)) {
        rc = vg_error_set(VG_EINVAL, "%s: expected an array of images, got null", where);
        goto out;
    }
    if (!json_is_array(root)) {
        rc = vg_error_set(VG_EINVAL, "%s: expected an array of images", where);
        goto out;
    }
    size_t n = json_array_size(root);
    if (n == 0) {
        rc = vg_error_set(VG_EINVAL, "%s: lists no images", where);
        goto out;
    }
    out->images = vg_xcalloc(n, sizeof(*out->images));
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(root, i);
        vg__docker_entry *e = &out->images[i];
        out->n_images = i + 1;
        if (!json_is_object(o)) {
            rc = vg_error_set(VG_EINVAL, "%s: [%zu]: not an object", where, i);
            goto out;
        }
        e->config = jstr_dup(json_object_get(o, "Config"));
        if (!e->config || !*e->config) {
            rc = vg_error_set(VG_EINVAL, "%s: [%zu].Config: missing or not a string", where, i);
            goto out;
        }
        json_t *layers = json_object_get(o, "Layers");
        if (!json_is_array(layers)) {
            rc = vg_error_set(VG_EINVAL, "%s: [%zu].Layers: missing or not an array", where, i);
            goto out;
        }
        rc = parse_string_array(&e->layers, &e->n_layers, layers, where, i, "Layers",
                                lim->max_layers);
        if (rc)
            goto out;
        rc = parse_string_array(&e->repo_tags, &e->n_repo_tags, json_object_get(o, "RepoTags"),
                                where, i, "RepoTags", (uint64_t)1 << 20);
        if (rc)
            goto out;
    }
out:
    json_decref(root);
    if (rc)
        vg__docker_manifest_dispose(out);
    return rc;
}

/* ---- docker-archive images --------------------------------------------------------------- */

static bool tag_matches(const char *repo_tag, const char *want)
{
    if (strcmp(repo_tag, want) == 0)
        return true;
    const char *c = strrchr(repo_tag, ':');
    if (c && !strchr(c, '/') && strcmp(c + 1, want) == 0)
        return true; /* "alpine:3.10" matches "3.10" */
    size_t n = strlen(want);
    return strncmp(repo_tag, want, n) == 0 && strcmp(repo_tag + n, ":latest") == 0;
}

/* "blobs/sha256/<hex>" -> "sha256:<hex>" when the name is a valid digest path. */
static char *digest_from_blob_path(const char *p)
{
    if (strncmp(p, "blobs/", 6) != 0)
        return NULL;
    const char *alg = p + 6;
    const char *slash = strchr(alg, '/');
    if (!slash)
        return NULL;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_append(&sb, alg, (size_t)(slash - alg));
    vg_strbuf_putc(&sb, ':');
    vg_strbuf_puts(&sb, slash + 1);
    char *d = vg_strbuf_detach(&sb);
    if (vg__digest_valid(d, "") != 0) {
        vg_error_clear();
        free(d);
        return NULL;
    }
    return d;
}

static void add_alias(arc_src *s, const char *digest, const char *entry)
{
    for (size_t i = 0; i < s->n_aliases; i++)
        if (strcmp(s->aliases[i].digest, digest) == 0)
            return;
    s->aliases = vg_xrealloc(s->aliases, (s->n_aliases + 1) * sizeof(*s->aliases));
    s->aliases[s->n_aliases].digest = vg_xstrdup(digest);
    s->aliases[s->n_aliases].entry = vg_xstrdup(entry);
    s->n_aliases++;
}

void vg__docker_image_dispose(vg__docker_image *img)
{
    free(img->config_digest);
    vg_strbuf_dispose(&img->config);
    for (size_t i = 0; i < img->n_layers; i++)
        free(img->layers[i].digest);
    free(img->layers);
    memset(img, 0, sizeof(*img));
}

static int pick_image(const vg__docker_manifest *m, const char *tag, const char *name, size_t *out)
{
    if (!tag) {
        *out = 0;
        return 0;
    }
    for (size_t i = 0; i < m->n_images; i++)
        for (size_t j = 0; j < m->images[i].n_repo_tags; j++)
            if (tag_matches(m->images[i].repo_tags[j], tag)) {
                *out = i;
                return 0;
            }
    vg_strbuf tags;
    vg_strbuf_init(&tags, 2048);
    for (size_t i = 0; i < m->n_images; i++)
        for (size_t j = 0; j < m->images[i].n_repo_tags; j++) {
            if (tags.len)
                vg_strbuf_puts(&tags, ", ");
            const char *t = m->images[i].repo_tags[j];
            vg_strbuf_put_escaped(&tags, t, strlen(t), 200);
        }
    vg_strbuf esc;
    vg_strbuf_init(&esc, 1024);
    vg_strbuf_put_escaped(&esc, tag, strlen(tag), 200);
    int rc = vg_error_set(VG_ENOTFOUND, "%s: no image tagged \"%s\" (tags: %s)", name, esc.buf,
                          tags.len ? tags.buf : "none");
    vg_strbuf_dispose(&esc);
    vg_strbuf_dispose(&tags);
    return rc;
}

int vg__docker_archive_load(vg__docker_image *out, vg_source *src, const char *tag)
{
    arc_src *s = (arc_src *)src;
    const vg_image_limits *lim = &s->base.opts->limits;
    memset(out, 0, sizeof(*out));
    vg_strbuf_init(&out->config, (size_t)lim->max_manifest_bytes);
    vg_strbuf body;
    vg_strbuf_init(&body, (size_t)lim->max_manifest_bytes);
    vg__docker_manifest m = {0};
    found f;
    int rc = scan_for(s, "manifest.json", &f);
    free(f.link);
    if (rc)
        goto out;
    if (f.ordinal < 0) {
        found r;
        bool legacy = scan_for(s, "repositories", &r) == 0 && r.ordinal >= 0;
        free(r.link);
        rc = vg_error_set(VG_ENOTFOUND, "%s: no manifest.json%s", s->name,
                          legacy ? " (a legacy docker save with only \"repositories\" is not "
                                   "supported)"
                                 : "");
        goto out;
    }
    rc = read_json_entry(s, "manifest.json", "manifest.json", &body);
    if (rc)
        goto out;
    vg_strbuf where;
    vg_strbuf_init(&where, 0);
    vg_strbuf_printf(&where, "%s: manifest.json", s->name);
    rc = vg__docker_manifest_parse(&m, body.buf, body.len, where.buf, lim);
    vg_strbuf_dispose(&where);
    if (rc)
        goto out;
    size_t pick = 0;
    rc = pick_image(&m, tag, s->name, &pick);
    if (rc)
        goto out;
    const vg__docker_entry *e = &m.images[pick];

    rc = read_json_entry(s, e->config, "config", &out->config);
    if (rc)
        goto out;
    out->config_digest = vg__digest_of(out->config.buf, out->config.len);
    char *cpath = clean_path(e->config);
    char *named = cpath ? digest_from_blob_path(cpath) : NULL;
    free(cpath);
    if (named) {
        rc = vg__digest_verify_buf(named, -1, out->config.buf, out->config.len);
        free(named);
        if (rc)
            goto out;
    }

    out->layers = vg_xcalloc(e->n_layers ? e->n_layers : 1, sizeof(*out->layers));
    for (size_t i = 0; i < e->n_layers; i++) {
        vg_strbuf what;
        vg_strbuf_init(&what, 0);
        vg_strbuf_printf(&what, "layer %zu (", i);
        vg_strbuf_put_escaped(&what, e->layers[i], strlen(e->layers[i]), 300);
        vg_strbuf_putc(&what, ')');
        char *final = NULL;
        found lf;
        rc = resolve(s, e->layers[i], what.buf, &final, &lf);
        vg_strbuf_dispose(&what);
        if (rc)
            goto out;
        vg__docker_layer *l = &out->layers[i];
        l->digest = digest_from_blob_path(final);
        l->size = lf.size;
        if (!l->digest) {
            /* Legacy "<id>/layer.tar": the name is no digest, so hash the stored bytes once. */
            vg_blob *b;
            rc = open_ordinal(s, lf.ordinal, final, &b);
            if (rc == 0) {
                rc = vg__blob_hash(&l->digest, &l->size, b);
                b->close(b);
            }
        }
        out->n_layers = i + 1;
        if (rc == 0)
            add_alias(s, l->digest, final);
        free(final);
        if (rc)
            goto out;
    }
out:
    vg__docker_manifest_dispose(&m);
    vg_strbuf_dispose(&body);
    if (rc)
        vg__docker_image_dispose(out);
    return rc;
}
