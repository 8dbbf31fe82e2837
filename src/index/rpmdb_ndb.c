/* rpmdb_ndb.c — the NDB rpmdb reader of src/index/ (rpm's "ndb" backend, Packages.db, used by
 * SUSE): header, slot pages and blobs read as rpm's lib/backend/ndb/rpmpkg.c reads them, with
 * every slot and blob checked against the file. Used by rpm.c. */
#include "rpm_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layout, all numbers little-endian: a 32-byte header ("RpmP" magic, version 0, generation,
 * slot page count, next package index); then slot pages of 4096 bytes, the first 32 bytes
 * of page 0 being the header; each 16-byte slot is {"Slot", package index, block offset,
 * block count}, free when the block offset is 0. Blocks are 16 bytes; a package's blocks
 * hold a blob head {"BlbS", package index, timestamp, length}, the header blob, zero padding
 * and a tail {adler32, length, "BlbE"}, and the block count is exactly what that needs.
 *
 * A slot without the "Slot" magic, like the header, breaks the whole file (VG_EINVAL), as in
 * rpm. Everything else is checked per slot and becomes that record's problem: a zero package
 * index or block count, blocks inside the slot pages or past the end of the file, a blob head
 * or tail that does not match, a repeated package index. rpm itself does not check the
 * adler32 when it reads a blob (rpmpkgGet), and neither does vigil.
 */

#define NDB_MAGIC 0x506d7052u  /* "RpmP" */
#define SLOT_MAGIC 0x746f6c53u /* "Slot" */
#define HEAD_MAGIC 0x53626c42u /* "BlbS" */
#define TAIL_MAGIC 0x45626c42u /* "BlbE" */
#define HEADER_SIZE 32u
#define SLOT_SIZE 16u
#define BLK_SIZE 16u
#define PAGE_SIZE 4096u
#define HEAD_SIZE 16u
#define TAIL_SIZE 12u

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int ndb_error(const char *path, const char *fmt, ...) VG_PRINTF(2, 3);

static int ndb_error(const char *path, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, path, strlen(path), 256);
    vg_strbuf_puts(&sb, ": ");
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool is_duplicate(const uint32_t *sorted, size_t n, uint32_t pkgidx)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < pkgidx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo + 1 < n && sorted[lo] == pkgidx && sorted[lo + 1] == pkgidx;
}

/* Checks one used slot's blob; sets rec->blob or rec->problem (text in `why`). */
static void read_blob(vg__rpmdb_record *rec, vg_strbuf *why, const uint8_t *buf, size_t len,
                      uint32_t slotpages, uint32_t blkoff, uint32_t blkcnt)
{
    uint32_t pkgidx = (uint32_t)rec->key;
    uint64_t start = (uint64_t)blkoff * BLK_SIZE, size = (uint64_t)blkcnt * BLK_SIZE;
    vg_strbuf_reset(why);
    if (pkgidx == 0 || blkcnt == 0)
        vg_strbuf_printf(why, "slot has package index %u and %u blocks", pkgidx, blkcnt);
    else if (blkoff < slotpages * (PAGE_SIZE / BLK_SIZE))
        vg_strbuf_printf(why, "blob at block %u lies inside the slot pages", blkoff);
    else if (start + size > len)
        vg_strbuf_printf(why, "blob at bytes %llu-%llu points past the end of the file (%zu bytes)",
                         (unsigned long long)start, (unsigned long long)start + size, len);
    else if (size < HEAD_SIZE + TAIL_SIZE)
        vg_strbuf_printf(why, "%u blocks are too few for a blob", blkcnt);
    if (why->len) {
        rec->problem = why->buf;
        return;
    }
    const uint8_t *head = buf + start, *tail = buf + start + size - TAIL_SIZE;
    uint32_t bloblen = le32(head + 12);
    if (le32(head) != HEAD_MAGIC)
        vg_strbuf_printf(why, "blob at block %u has no blob magic", blkoff);
    else if (le32(head + 4) != pkgidx)
        vg_strbuf_printf(why, "blob at block %u belongs to package index %u", blkoff,
                         le32(head + 4));
    else if ((HEAD_SIZE + (uint64_t)bloblen + TAIL_SIZE + BLK_SIZE - 1) / BLK_SIZE != blkcnt)
        vg_strbuf_printf(why, "blob length %u does not match its %u blocks", bloblen, blkcnt);
    else if (le32(tail + 4) != bloblen || le32(tail + 8) != TAIL_MAGIC)
        vg_strbuf_printf(why, "blob at block %u has a bad tail", blkoff);
    if (why->len) {
        rec->problem = why->buf;
        return;
    }
    rec->blob = head + HEAD_SIZE;
    rec->len = bloblen;
}

int vg__rpmdb_ndb_read(const char *path, const uint8_t *buf, size_t len, vg__rpmdb_visit fn,
                       void *ctx)
{
    if (len < HEADER_SIZE || le32(buf) != NDB_MAGIC)
        return ndb_error(path, "not an NDB package database");
    uint32_t version = le32(buf + 4), slotpages = le32(buf + 12);
    if (version != 0)
        return ndb_error(path, "unsupported NDB version %u (want 0)", version);
    if (slotpages == 0)
        return ndb_error(path, "no slot pages");
    if (slotpages > VG_RPMDB_NDB_MAX_SLOT_PAGES)
        return vg_error_set(VG_ETOOBIG,
                            "%s: %u slot pages, more than "
                            "VG_RPMDB_NDB_MAX_SLOT_PAGES (%u)",
                            path, slotpages, VG_RPMDB_NDB_MAX_SLOT_PAGES);
    if ((uint64_t)slotpages * PAGE_SIZE > len)
        return ndb_error(path, "%u slot pages need %llu bytes, the file has %zu", slotpages,
                         (unsigned long long)slotpages * PAGE_SIZE, len);

    size_t nslots = (size_t)slotpages * (PAGE_SIZE / SLOT_SIZE);
    uint32_t *used = vg_xmalloc(nslots * sizeof(uint32_t));
    size_t nused = 0;
    for (size_t s = HEADER_SIZE / SLOT_SIZE; s < nslots; s++) {
        const uint8_t *slot = buf + s * SLOT_SIZE;
        if (le32(slot) != SLOT_MAGIC) {
            free(used);
            return ndb_error(path, "slot %zu (byte %zu) has no slot magic", s, s * SLOT_SIZE);
        }
        if (le32(slot + 8) != 0)
            used[nused++] = le32(slot + 4);
    }
    qsort(used, nused, sizeof(*used), cmp_u32);

    vg_strbuf why;
    vg_strbuf_init(&why, 1024);
    uint64_t ordinal = 0;
    int rc = 0;
    for (size_t s = HEADER_SIZE / SLOT_SIZE; rc == 0 && s < nslots; s++) {
        const uint8_t *slot = buf + s * SLOT_SIZE;
        uint32_t blkoff = le32(slot + 8);
        if (blkoff == 0)
            continue; /* a free slot */
        vg__rpmdb_record rec = {++ordinal, le32(slot + 4), NULL, 0, NULL};
        if (is_duplicate(used, nused, (uint32_t)rec.key)) {
            vg_strbuf_reset(&why);
            vg_strbuf_printf(&why, "package index %u is in more than one slot", (uint32_t)rec.key);
            rec.problem = why.buf;
        } else {
            read_blob(&rec, &why, buf, len, slotpages, blkoff, le32(slot + 12));
        }
        rc = fn(ctx, &rec);
    }
    vg_strbuf_dispose(&why);
    free(used);
    return rc;
}
