/* zip.c — zip archives held in memory, for the Java scanner (jars, wars, ears and the archives
 * nested in them) and the Python scanner (zipped eggs): libarchive's seekable zip reader,
 * which walks the central directory, behind a small iterator with capped member reads. */
#include "index_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

struct vg_zip {
    struct archive *a;
    struct archive_entry *e;
    vg_strbuf where;  /* the archive's name, for messages */
    vg_strbuf member; /* the current member's name */
};

#define EOCD_SIZE 22
#define EOCD_SEARCH (EOCD_SIZE + 65535) /* the record plus the longest comment */
#define CDIR_ENTRY_MIN 46               /* bytes of one central directory entry, at least */

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
    return le16(p) | le16(p + 2) << 16;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

bool vg__zip_magic(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    return len >= 4 && p[0] == 'P' && p[1] == 'K' &&
           ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

/* The number of members the end-of-central-directory record declares (the zip64 one when the
 * classic fields overflow), or -1 when there is no such record. */
static int64_t declared_entries(const unsigned char *buf, size_t len)
{
    if (len < EOCD_SIZE)
        return -1;
    size_t stop = len > EOCD_SEARCH ? len - EOCD_SEARCH : 0;
    for (size_t i = len - EOCD_SIZE + 1; i-- > stop;) {
        const unsigned char *p = buf + i;
        if (p[0] != 'P' || p[1] != 'K' || p[2] != 5 || p[3] != 6)
            continue;
        uint64_t total = le16(p + 10);
        if (total != 0xFFFF && le32(p + 12) != 0xFFFFFFFFu && le32(p + 16) != 0xFFFFFFFFu)
            return (int64_t)total;
        /* zip64: the locator sits just before; when its pointer is off (data prepended to
         * the archive), no member can take fewer than CDIR_ENTRY_MIN bytes. */
        uint64_t bound = len / CDIR_ENTRY_MIN;
        if (i >= 20) {
            const unsigned char *loc = p - 20;
            if (loc[0] == 'P' && loc[1] == 'K' && loc[2] == 6 && loc[3] == 7) {
                uint64_t off = le64(loc + 8);
                if (len >= 56 && off <= len - 56) {
                    const unsigned char *z = buf + off;
                    if (z[0] == 'P' && z[1] == 'K' && z[2] == 6 && z[3] == 6)
                        return (int64_t)(le64(z + 32) < bound ? le64(z + 32) : bound);
                }
            }
        }
        return (int64_t)bound;
    }
    return -1;
}

static const char *last_error(struct archive *a)
{
    const char *s = archive_error_string(a);
    return s ? s : "unknown libarchive error";
}

int vg__zip_open(vg_zip **out, const void *buf, size_t len, uint64_t max_entries,
                 const char *cap_name, const char *where)
{
    vg_strbuf w;
    vg_strbuf_init(&w, 8192);
    vg_strbuf_put_escaped(&w, where, strlen(where), 1024);
    int64_t n = declared_entries(buf, len);
    if (n < 0) {
        int rc =
            vg_error_set(VG_EINVAL, "%s: not a zip archive (no end of central directory)", w.buf);
        vg_strbuf_dispose(&w);
        return rc;
    }
    if ((uint64_t)n > max_entries) {
        int rc = vg_error_set(VG_ETOOBIG, "%s: %lld members, more than %s (%llu)", w.buf,
                              (long long)n, cap_name, (unsigned long long)max_entries);
        vg_strbuf_dispose(&w);
        return rc;
    }
    struct archive *a = archive_read_new();
    archive_read_support_format_zip_seekable(a);
    if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
        int rc =
            vg_error_set(VG_EINVAL, "%s: not a readable zip archive: %s", w.buf, last_error(a));
        archive_read_free(a);
        vg_strbuf_dispose(&w);
        return rc;
    }
    vg_zip *z = vg_xcalloc(1, sizeof(*z));
    z->a = a;
    z->where = w;
    vg_strbuf_init(&z->member, 8192);
    *out = z;
    return 0;
}

int vg__zip_next(vg_zip *z, const char **name, bool *is_file)
{
    int rc = archive_read_next_header(z->a, &z->e);
    if (rc == ARCHIVE_EOF)
        return 0;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
        return vg_error_set(VG_EINVAL, "%s: corrupt zip archive: %s", z->where.buf,
                            last_error(z->a));
    const char *p = archive_entry_pathname(z->e);
    vg_strbuf_reset(&z->member);
    vg_strbuf_puts(&z->member, p ? p : "");
    *name = z->member.buf;
    *is_file = archive_entry_filetype(z->e) == AE_IFREG;
    return 1;
}

int vg__zip_read(vg_zip *z, vg_strbuf *out, uint64_t cap, const char *cap_name)
{
    vg_strbuf_reset(out);
    char chunk[65536];
    for (;;) {
        la_ssize_t n = archive_read_data(z->a, chunk, sizeof(chunk));
        if (n == 0)
            return 0;
        if (n < 0) {
            vg_strbuf q;
            vg_strbuf_init(&q, 4096);
            vg_strbuf_put_escaped(&q, z->member.buf, z->member.len, 256);
            int rc = vg_error_set(VG_EINVAL, "%s!%s: cannot decompress: %s", z->where.buf, q.buf,
                                  last_error(z->a));
            vg_strbuf_dispose(&q);
            return rc;
        }
        if ((uint64_t)out->len + (uint64_t)n > cap) {
            vg_strbuf q;
            vg_strbuf_init(&q, 4096);
            vg_strbuf_put_escaped(&q, z->member.buf, z->member.len, 256);
            int rc = vg_error_set(VG_ETOOBIG, "%s!%s: more than %llu bytes (%s)", z->where.buf,
                                  q.buf, (unsigned long long)cap, cap_name);
            vg_strbuf_dispose(&q);
            return rc;
        }
        vg_strbuf_append(out, chunk, (size_t)n);
    }
}

void vg__zip_close(vg_zip *z)
{
    if (!z)
        return;
    archive_read_free(z->a);
    vg_strbuf_dispose(&z->where);
    vg_strbuf_dispose(&z->member);
    free(z);
}
