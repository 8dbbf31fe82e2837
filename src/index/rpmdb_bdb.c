/* rpmdb_bdb.c — the Berkeley DB rpmdb reader of src/index/ (the "Packages" hash database of
 * rpm < 4.16, RHEL/CentOS <= 8, Amazon Linux 2): metadata page, hash bucket pages and overflow
 * pages read by hand, as rpm's own read-only bdb_ro backend reads them. Used by rpm.c. */
#include "rpm_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layout (libdb's db_page.h; rpm's lib/backend/bdb_ro.c): page 0 is the hash metadata page
 * (magic 0x061561 at byte 12, in the byte order of the machine that wrote it, which is also
 * the order of every other number in the file), version 8-10, page size, last page number,
 * the highest bucket and spares[32], where bucket b lives on page b + spares[bits(b)]. Each
 * bucket is a chain of hash pages (type 13, or 2 for unsorted) linked by next-page numbers;
 * a hash page has a 26-byte header, an array of 16-bit item offsets, and key/value item pairs
 * packed from the end of the page. An item is H_KEYDATA (1: type byte then the bytes) or
 * H_OFFPAGE (3: page number and total length of an overflow chain). Overflow pages (type 7)
 * carry their byte count in the header's high-free-offset field.
 *
 * rpm's Packages maps a 4-byte header number to a header blob; key 0 holds rpm's instance
 * counter and is not a package.
 *
 * Guards: every page number is checked against the last page and the buffer, every page
 * header's own number must match, every item offset and length must stay inside its page, and
 * no page may be used twice in the whole walk (bucket chains and overflow chains alike), so a
 * page cycle is an error and the total work is bounded by the file's size. A problem in a
 * bucket chain stops the walk (VG_EINVAL); a problem inside one record (its items or its
 * overflow chain) is that record's problem, and the walk goes on.
 */

#define HASH_MAGIC 0x061561u
#define BTREE_MAGIC 0x053162u
#define META_SIZE 512u
#define PAGE_HDR 26u

enum { P_HASH_UNSORTED = 2, P_OVERFLOW = 7, P_HASHMETA = 8, P_HASH = 13 };
enum { H_KEYDATA = 1, H_DUPLICATE = 2, H_OFFPAGE = 3, H_OFFDUP = 4 };

typedef struct bdb {
    const char *path;
    const uint8_t *buf;
    size_t len;
    bool big; /* big-endian file */
    uint32_t pagesize, lastpage, maxbucket;
    uint32_t spares[32];
    uint8_t *used; /* per page up to lastpage: already walked */
    uint8_t *blob; /* an overflow value, reassembled */
    size_t blob_cap;
    vg_strbuf problem;
    uint64_t ordinal;
    vg__rpmdb_visit fn;
    void *ctx;
} bdb;

static uint32_t rd32(const bdb *d, const uint8_t *p)
{
    if (d->big)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const bdb *d, const uint8_t *p)
{
    return d->big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static int bdb_error(const bdb *d, const char *fmt, ...) VG_PRINTF(2, 3);

static int bdb_error(const bdb *d, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, d->path, strlen(d->path), 256);
    vg_strbuf_puts(&sb, ": ");
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

/* Records why the current record cannot be read; returns -1 for the caller's convenience. */
static int set_problem(bdb *d, const char *fmt, ...) VG_PRINTF(2, 3);

static int set_problem(bdb *d, const char *fmt, ...)
{
    vg_strbuf_reset(&d->problem);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&d->problem, fmt, ap);
    va_end(ap);
    return -1;
}

/* Page `pgno`, or NULL with *why set when it is 0, past the last page, past the buffer, or
 * claims another number. */
static const uint8_t *get_page(const bdb *d, uint32_t pgno, const char **why)
{
    if (pgno == 0 || pgno > d->lastpage) {
        *why = "is out of range";
        return NULL;
    }
    if ((uint64_t)pgno * d->pagesize + d->pagesize > d->len) {
        *why = "is past the end of the file";
        return NULL;
    }
    const uint8_t *p = d->buf + (size_t)pgno * d->pagesize;
    if (rd32(d, p + 8) != pgno) {
        *why = "holds another page number";
        return NULL;
    }
    return p;
}

/* Reassembles the overflow chain starting at `pgno` holding `tlen` bytes into d->blob. */
static int read_overflow(bdb *d, uint32_t pgno, uint32_t tlen)
{
    if (tlen == 0)
        return set_problem(d, "empty overflow item");
    if (tlen > d->len || tlen > VG_RPMHDR_MAX_BLOB)
        return set_problem(d, "overflow item of %u bytes is larger than the file", tlen);
    if (tlen > d->blob_cap) {
        d->blob = vg_xrealloc(d->blob, tlen);
        d->blob_cap = tlen;
    }
    uint32_t done = 0;
    while (done < tlen) {
        if (pgno == 0)
            return set_problem(d, "overflow chain ends after %u of %u bytes", done, tlen);
        const char *why = "";
        const uint8_t *p = get_page(d, pgno, &why);
        if (!p)
            return set_problem(d, "overflow page %u %s (last page %u)", pgno, why, d->lastpage);
        if (d->used[pgno])
            return set_problem(d, "overflow page %u is reached twice (a page cycle)", pgno);
        d->used[pgno] = 1;
        if (p[25] != P_OVERFLOW)
            return set_problem(d, "page %u in an overflow chain has type %u, not overflow (7)",
                               pgno, p[25]);
        uint32_t plen = rd16(d, p + 22);
        if (plen == 0 || plen > d->pagesize - PAGE_HDR || plen > tlen - done)
            return set_problem(d, "overflow page %u holds %u bytes (page size %u, %u left)", pgno,
                               plen, d->pagesize, tlen - done);
        memcpy(d->blob + done, p + PAGE_HDR, plen);
        done += plen;
        pgno = rd32(d, p + 16);
    }
    return 0;
}

/* One item at `off` of `len` bytes on page `p`: inline bytes, or an overflow chain read
 * into d->blob. */
static int read_item(bdb *d, const uint8_t *p, uint32_t pgno, const char *what, int64_t off,
                     int64_t len, const uint8_t **data, size_t *n)
{
    uint32_t minoff = PAGE_HDR + 2 * (uint32_t)rd16(d, p + 20);
    if (off < minoff || len <= 0 || off + len > d->pagesize)
        return set_problem(d, "%s item on page %u at offset %lld, %lld bytes, is outside the page",
                           what, pgno, (long long)off, (long long)len);
    const uint8_t *item = p + off;
    switch (item[0]) {
    case H_KEYDATA:
        *data = item + 1;
        *n = (size_t)len - 1;
        return 0;
    case H_OFFPAGE:
        if (len != 12)
            return set_problem(d, "%s off-page item on page %u is %lld bytes, not 12", what, pgno,
                               (long long)len);
        if (read_overflow(d, rd32(d, item + 4), rd32(d, item + 8)) != 0)
            return -1;
        *data = d->blob;
        *n = rd32(d, item + 8);
        return 0;
    case H_DUPLICATE:
    case H_OFFDUP:
        return set_problem(d, "%s item on page %u is a duplicate set, which rpm never writes", what,
                           pgno);
    default:
        return set_problem(d, "%s item on page %u has unknown type %u", what, pgno, item[0]);
    }
}

/* Visits the key/value pair `idx` (even) of hash page `p`. */
static int visit_pair(bdb *d, const uint8_t *p, uint32_t pgno, uint32_t idx)
{
    const uint8_t *inp = p + PAGE_HDR;
    int64_t koff = rd16(d, inp + (size_t)2 * idx), voff = rd16(d, inp + (size_t)2 * idx + 2);
    int64_t klen =
        idx == 0 ? (int64_t)d->pagesize - koff : rd16(d, inp + (size_t)2 * idx - 2) - koff;
    vg__rpmdb_record rec = {0, 0, NULL, 0, NULL};
    const uint8_t *key = NULL;
    size_t keylen = 0;
    if (read_item(d, p, pgno, "key", koff, klen, &key, &keylen) == 0) {
        if (keylen != 4) {
            set_problem(d, "key on page %u is %zu bytes, not a 4-byte header number", pgno, keylen);
            rec.problem = d->problem.buf;
        } else {
            rec.key = rd32(d, key);
            if (rec.key == 0)
                return 0; /* rpm's instance counter */
        }
    } else {
        rec.problem = d->problem.buf;
    }
    rec.ordinal = ++d->ordinal;
    if (!rec.problem) {
        if (read_item(d, p, pgno, "value", voff, koff - voff, &rec.blob, &rec.len) != 0) {
            rec.blob = NULL;
            rec.problem = d->problem.buf;
        }
    }
    return d->fn(d->ctx, &rec);
}

static int read_meta(bdb *d)
{
    const uint8_t *m = d->buf;
    if (d->len < META_SIZE)
        return bdb_error(d, "%zu bytes, too short for a Berkeley DB metadata page", d->len);
    d->big = false;
    uint32_t magic = rd32(d, m + 12);
    if (magic != HASH_MAGIC && magic != BTREE_MAGIC) {
        d->big = true;
        magic = rd32(d, m + 12);
    }
    if (magic == BTREE_MAGIC)
        return bdb_error(d, "a Berkeley DB btree, not the hash database rpm writes");
    if (magic != HASH_MAGIC)
        return bdb_error(d, "not a Berkeley DB hash database (magic %08x)", rd32(d, m + 12));
    uint32_t version = rd32(d, m + 16);
    if (version < 8 || version > 10)
        return bdb_error(d, "unsupported Berkeley DB hash version %u (want 8 to 10)", version);
    d->pagesize = rd32(d, m + 20);
    if (d->pagesize < 512 || d->pagesize > 65536 || (d->pagesize & (d->pagesize - 1)))
        return bdb_error(d, "bad page size %u", d->pagesize);
    if (m[24] != 0)
        return bdb_error(d, "encrypted Berkeley DB (algorithm %u)", m[24]);
    if (m[25] != P_HASHMETA)
        return bdb_error(d, "page 0 has type %u, not hash metadata (8)", m[25]);
    d->lastpage = rd32(d, m + 32);
    if (d->lastpage >= VG_RPMDB_BDB_MAX_PAGES)
        return vg_error_set(VG_ETOOBIG, "%s: %u pages, more than VG_RPMDB_BDB_MAX_PAGES (%u)",
                            d->path, d->lastpage, VG_RPMDB_BDB_MAX_PAGES);
    d->maxbucket = rd32(d, m + 72);
    if (d->maxbucket >= d->lastpage)
        return bdb_error(d, "highest bucket %u needs more pages than the last page number %u",
                         d->maxbucket, d->lastpage);
    for (int i = 0; i < 32; i++)
        d->spares[i] = rd32(d, m + 96 + (size_t)4 * i);
    return 0;
}

/* Walks the chain of hash pages of `bucket`. */
static int walk_bucket(bdb *d, uint32_t bucket)
{
    int bits = 0;
    for (uint32_t b = bucket; b; b >>= 1)
        bits++;
    uint64_t first = (uint64_t)bucket + d->spares[bits];
    if (first > d->lastpage)
        return bdb_error(d, "bucket %u: page %llu is out of range (last page %u)", bucket,
                         (unsigned long long)first, d->lastpage);
    uint32_t pgno = (uint32_t)first;
    while (pgno) {
        const char *why = "";
        const uint8_t *p = get_page(d, pgno, &why);
        if (!p)
            return bdb_error(d, "bucket %u: page %u %s (last page %u)", bucket, pgno, why,
                             d->lastpage);
        if (d->used[pgno])
            return bdb_error(d, "bucket %u: page %u is reached twice (a page cycle)", bucket, pgno);
        d->used[pgno] = 1;
        if (p[25] != P_HASH && p[25] != P_HASH_UNSORTED)
            return bdb_error(d, "bucket %u: page %u has type %u, not a hash page (13 or 2)", bucket,
                             pgno, p[25]);
        uint32_t n = rd16(d, p + 20);
        if (PAGE_HDR + 2 * n > d->pagesize)
            return bdb_error(d, "bucket %u: page %u claims %u items, more than fit in a page",
                             bucket, pgno, n);
        for (uint32_t idx = 0; idx + 1 < n; idx += 2) {
            int rc = visit_pair(d, p, pgno, idx);
            if (rc)
                return rc;
        }
        pgno = rd32(d, p + 16);
    }
    return 0;
}

int vg__rpmdb_bdb_read(const char *path, const uint8_t *buf, size_t len, vg__rpmdb_visit fn,
                       void *ctx)
{
    bdb d;
    memset(&d, 0, sizeof(d));
    d.path = path;
    d.buf = buf;
    d.len = len;
    d.fn = fn;
    d.ctx = ctx;
    int rc = read_meta(&d);
    if (rc)
        return rc;
    d.used = vg_xmalloc((size_t)d.lastpage + 1);
    memset(d.used, 0, (size_t)d.lastpage + 1);
    vg_strbuf_init(&d.problem, 1024);
    for (uint32_t bucket = 0; rc == 0 && bucket <= d.maxbucket; bucket++)
        rc = walk_bucket(&d, bucket);
    vg_strbuf_dispose(&d.problem);
    free(d.used);
    free(d.blob);
    return rc;
}
