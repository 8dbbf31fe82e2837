/* rootfs.c — the rootfs:DIR source of src/image/: a plain directory seen as one pseudo-layer.
 * A depth-first walk through directory fds (openat/fstatat with O_NOFOLLOW and
 * AT_SYMLINK_NOFOLLOW on every step) that never follows a symlink, never crosses into another
 * filesystem and never leaves the root. libarchive's archive_read_disk is not used because it
 * fchdir()s the whole process while walking (not thread-safe in `vigil serve`); nftw is
 * path-based and callback-driven, so it cannot be a pull stream. */
#include "image_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 256 /* nested directories; each level holds one fd */

int vg__rootfs_resolve(char **canon, char **digest, const char *dir)
{
    char *real = realpath(dir, NULL);
    if (!real) {
        int e = errno;
        return vg_error_set(e == ENOENT ? VG_ENOTFOUND : VG_EIO, "rootfs:%s: %s", dir, strerror(e));
    }
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(real);
        return vg_error_set(VG_EINVAL, "rootfs:%s: not a directory", dir);
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "rootfs:%s", real);
    *digest = vg__digest_of(sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
    *canon = real;
    return 0;
}

typedef struct frame {
    int dfd;
    char **names;
    size_t n, pos;
    size_t prefix_len; /* bytes of w->path that name this directory, with its '/' */
} frame;

struct vg__rootfs_walk {
    const vg_image_limits *lim;
    char *root;
    dev_t root_dev;
    frame stack[MAX_DEPTH];
    size_t depth;
    vg_strbuf path;
    char *link;       /* readlink buffer, max_path + 1 */
    uint64_t names;   /* names read so far, capped by max_entries */
    int cur_fd;       /* data of the current regular file, opened on first read */
    bool cur_is_file; /* current entry is a regular file */
    bool descend;     /* current entry is a directory to enter on the next call */
    struct stat cur;  /* lstat of the current entry */
    const char *cur_name;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void frame_free(frame *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->names[i]);
    free(f->names);
    if (f->dfd >= 0)
        close(f->dfd);
    memset(f, 0, sizeof(*f));
    f->dfd = -1;
}

/* Pushes directory fd `dfd` (owned), reading and sorting its names. */
static int push(vg__rootfs_walk *w, int dfd, size_t prefix_len)
{
    if (w->depth >= MAX_DEPTH) {
        close(dfd);
        return vg_error_set(VG_ETOOBIG, "rootfs:%s: %s: more than %d nested directories", w->root,
                            w->path.buf, MAX_DEPTH);
    }
    int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        int e = errno;
        if (dup_fd >= 0)
            close(dup_fd);
        close(dfd);
        return vg_error_set(VG_EIO, "rootfs:%s: cannot list %s: %s", w->root,
                            w->path.len ? w->path.buf : "/", strerror(e));
    }
    frame *f = &w->stack[w->depth];
    memset(f, 0, sizeof(*f));
    f->dfd = dfd;
    f->prefix_len = prefix_len;
    size_t cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (++w->names > w->lim->max_entries) {
            rc = vg_error_set(VG_ETOOBIG, "rootfs:%s: more than %llu entries (max_entries)",
                              w->root, (unsigned long long)w->lim->max_entries);
            break;
        }
        if (f->n == cap) {
            cap = cap ? cap * 2 : 16;
            f->names = vg_xrealloc(f->names, cap * sizeof(char *));
        }
        f->names[f->n++] = vg_xstrdup(de->d_name);
    }
    closedir(d);
    w->depth++;
    if (rc)
        return rc;
    if (f->n > 1)
        qsort(f->names, f->n, sizeof(char *), cmp_names);
    return 0;
}

int vg__rootfs_walk_open(vg__rootfs_walk **out, const char *root, const vg_image_limits *lim)
{
    vg__rootfs_walk *w = vg_xcalloc(1, sizeof(*w));
    w->lim = lim;
    w->root = vg_xstrdup(root);
    w->cur_fd = -1;
    vg_strbuf_init(&w->path, (size_t)lim->max_path + 1);
    w->link = vg_xmalloc((size_t)lim->max_path + 2);
    int dfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (dfd < 0 || fstat(dfd, &st) != 0) {
        int rc = vg_error_set(errno == ENOENT ? VG_ENOTFOUND : VG_EIO, "rootfs:%s: %s", root,
                              strerror(errno));
        if (dfd >= 0)
            close(dfd);
        vg__rootfs_walk_free(w);
        return rc;
    }
    w->root_dev = st.st_dev;
    int rc = push(w, dfd, 0);
    if (rc) {
        vg__rootfs_walk_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

static void close_cur(vg__rootfs_walk *w)
{
    if (w->cur_fd >= 0)
        close(w->cur_fd);
    w->cur_fd = -1;
    w->cur_is_file = false;
}

/* Enters the directory returned last, by name under its parent fd, checking that it is the
 * very directory that was stat'ed (no swap for a symlink in between). */
static int enter(vg__rootfs_walk *w)
{
    frame *parent = &w->stack[w->depth - 1];
    int dfd = openat(parent->dfd, w->cur_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 && (errno == EACCES || errno == EPERM))
        return 0; /* listed but not entered: a non-root scan of / meets such directories */
    if (dfd < 0)
        return vg_error_set(VG_EIO, "rootfs:%s: cannot enter %s: %s", w->root, w->path.buf,
                            strerror(errno));
    struct stat st;
    if (fstat(dfd, &st) != 0 || st.st_ino != w->cur.st_ino || st.st_dev != w->cur.st_dev) {
        close(dfd);
        return vg_error_set(VG_EIO, "rootfs:%s: %s changed while walking", w->root, w->path.buf);
    }
    size_t prefix = w->path.len + 1;
    vg_strbuf_putc(&w->path, '/');
    if (vg_strbuf_error(&w->path)) {
        close(dfd);
        return vg_error_set(VG_ETOOBIG, "rootfs:%s: a path exceeds max_path (%llu)", w->root,
                            (unsigned long long)w->lim->max_path);
    }
    return push(w, dfd, prefix);
}

int vg__rootfs_walk_next(vg__rootfs_walk *w, vg_entry *out)
{
    close_cur(w);
    if (w->descend) {
        w->descend = false;
        int rc = enter(w);
        if (rc)
            return rc;
    }
    for (;;) {
        if (w->depth == 0)
            return 0;
        frame *f = &w->stack[w->depth - 1];
        if (f->pos == f->n) {
            frame_free(f);
            w->depth--;
            continue;
        }
        const char *name = f->names[f->pos++];
        if (fstatat(f->dfd, name, &w->cur, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT || errno == EACCES)
                continue; /* removed while walking, or in a directory we may list only */
            return vg_error_set(VG_EIO, "rootfs:%s: cannot stat %s: %s", w->root, name,
                                strerror(errno));
        }
        /* Every entry below a frame shares its first prefix_len bytes ("dir/sub/"). */
        w->path.len = f->prefix_len;
        w->path.buf[w->path.len] = '\0';
        if (vg_strbuf_puts(&w->path, name) != 0)
            return vg_error_set(VG_ETOOBIG,
                                "rootfs:%s: entry path of more than %llu bytes (max_path)", w->root,
                                (unsigned long long)w->lim->max_path);
        w->cur_name = name;
        memset(out, 0, sizeof(*out));
        out->path = w->path.buf;
        out->size = 0;
        out->mode = (unsigned)(w->cur.st_mode & 07777);
        mode_t t = w->cur.st_mode & S_IFMT;
        if (t == S_IFREG) {
            out->type = VG_ENTRY_FILE;
            out->size = (int64_t)w->cur.st_size;
            w->cur_is_file = true;
        } else if (t == S_IFDIR) {
            out->type = VG_ENTRY_DIR;
            /* Mount points are listed but not entered: the walk stays on the root's fs. */
            w->descend = w->cur.st_dev == w->root_dev;
        } else if (t == S_IFLNK) {
            out->type = VG_ENTRY_SYMLINK;
            ssize_t n = readlinkat(f->dfd, name, w->link, (size_t)w->lim->max_path + 1);
            if (n < 0)
                return vg_error_set(VG_EIO, "rootfs:%s: cannot read link %s: %s", w->root,
                                    w->path.buf, strerror(errno));
            if ((uint64_t)n > w->lim->max_path)
                return vg_error_set(VG_ETOOBIG,
                                    "rootfs:%s: link target of %s exceeds max_path (%llu)", w->root,
                                    w->path.buf, (unsigned long long)w->lim->max_path);
            w->link[n] = '\0';
            out->linkname = w->link;
        } else {
            out->type = VG_ENTRY_OTHER;
        }
        return 1;
    }
}

ssize_t vg__rootfs_walk_read(vg__rootfs_walk *w, void *buf, size_t n)
{
    if (!w->cur_is_file || w->depth == 0)
        return 0;
    if (w->cur_fd < 0) {
        frame *f = &w->stack[w->depth - 1];
        int fd =
            openat(f->dfd, w->cur_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
            return vg_error_set(VG_EIO, "rootfs:%s: cannot open %s: %s", w->root, w->path.buf,
                                strerror(errno));
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_ino != w->cur.st_ino ||
            st.st_dev != w->cur.st_dev) {
            close(fd);
            return vg_error_set(VG_EIO, "rootfs:%s: %s changed while walking", w->root,
                                w->path.buf);
        }
        w->cur_fd = fd;
    }
    for (;;) {
        ssize_t got = read(w->cur_fd, buf, n);
        if (got >= 0)
            return got;
        if (errno != EINTR)
            return vg_error_set(VG_EIO, "rootfs:%s: reading %s: %s", w->root, w->path.buf,
                                strerror(errno));
    }
}

void vg__rootfs_walk_free(vg__rootfs_walk *w)
{
    if (!w)
        return;
    close_cur(w);
    while (w->depth > 0)
        frame_free(&w->stack[--w->depth]);
    vg_strbuf_dispose(&w->path);
    free(w->link);
    free(w->root);
    free(w);
}
