/* rpmhdr.c — the rpm header-blob parser of src/index/ (vg__rpmhdr_parse): index entries and
 * data store, big-endian, every offset, count and type checked as rpm's hdrblobInit checks
 * them, and the few tags vigil reports (name, epoch, version, release, arch, sourcerpm,
 * vendor, modularitylabel, size) taken out. Shared by all three rpmdb readers (rpm.c). */
#include "rpm_int.h"

#include <stdarg.h>
#include <string.h>

/*
 * Layout (rpm's lib/header.c): il (int32), dl (int32), il entries of {tag, type, offset,
 * count} (int32 each), dl bytes of data. When entry 0 is a region tag (HEADERIMMUTABLE, or
 * HEADERSIGNATURES) it is BIN with count 16 and its offset points at a 16-byte trailer in the
 * data: the same tag, BIN, count 16, and minus the region's size in entry bytes (ril * 16).
 * Entries after the ril region entries are "dribbles" that rpm added at install time; a
 * dribble with the tag of a region entry replaces it (hdrblobImport), so here the last
 * occurrence of a tag wins.
 *
 * Every other entry (rpm's hdrblobVerifyInfo): a type from NULL (0) to I18NSTRING (9); an
 * offset aligned for its type, inside the data and not before the end of the previous
 * entry's data; data that fits: count * size for numbers and BIN, count NUL-terminated
 * strings for the string types (STRING has count 1), at least one byte, and not over the
 * region trailer.
 */

enum {
    T_NULL = 0,
    T_CHAR = 1,
    T_INT8 = 2,
    T_INT16 = 3,
    T_INT32 = 4,
    T_INT64 = 5,
    T_STRING = 6,
    T_BIN = 7,
    T_STRING_ARRAY = 8,
    T_I18NSTRING = 9,
};

#define ENTRY_SIZE 16u
#define REGION_TRAILER 16u

static const char *const type_names[] = {
    "NULL",  "CHAR",   "INT8", "INT16",        "INT32",
    "INT64", "STRING", "BIN",  "STRING_ARRAY", "I18NSTRING",
};

/* Bytes per item of each type (0 for the string types, measured separately). */
static const unsigned type_size[] = {0, 1, 1, 2, 4, 8, 0, 1, 0, 0};

static const struct {
    uint32_t tag;
    const char *name;
} tag_names[] = {
    {VG_RPMTAG_HEADERIMAGE, "HEADERIMAGE"},
    {VG_RPMTAG_HEADERSIGNATURES, "HEADERSIGNATURES"},
    {VG_RPMTAG_HEADERIMMUTABLE, "HEADERIMMUTABLE"},
    {100, "HEADERI18NTABLE"},
    {VG_RPMTAG_NAME, "NAME"},
    {VG_RPMTAG_VERSION, "VERSION"},
    {VG_RPMTAG_RELEASE, "RELEASE"},
    {VG_RPMTAG_EPOCH, "EPOCH"},
    {VG_RPMTAG_SIZE, "SIZE"},
    {VG_RPMTAG_VENDOR, "VENDOR"},
    {VG_RPMTAG_ARCH, "ARCH"},
    {VG_RPMTAG_SOURCERPM, "SOURCERPM"},
    {VG_RPMTAG_LONGSIZE, "LONGSIZE"},
    {VG_RPMTAG_MODULARITYLABEL, "MODULARITYLABEL"},
};

const char *vg__rpmtag_name(uint32_t tag)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(tag_names); i++)
        if (tag_names[i].tag == tag)
            return tag_names[i].name;
    return NULL;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

typedef struct entry {
    uint32_t tag, type, count;
    int32_t offset;
} entry;

static entry entry_at(const uint8_t *pe, uint32_t i)
{
    const uint8_t *p = pe + (size_t)i * ENTRY_SIZE;
    entry e = {be32(p), be32(p + 4), be32(p + 12), (int32_t)be32(p + 8)};
    return e;
}

/* "tag 1001 (VERSION), entry 3: <fmt>" as VG_EINVAL. */
static int tag_error(const entry *e, uint32_t index, const char *fmt, ...) VG_PRINTF(3, 4);

static int tag_error(const entry *e, uint32_t index, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 1024);
    const char *name = vg__rpmtag_name(e->tag);
    vg_strbuf_printf(&sb, "tag %u", e->tag);
    if (name)
        vg_strbuf_printf(&sb, " (%s)", name);
    vg_strbuf_printf(&sb, ", entry %u: ", index);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

static const char *type_name(uint32_t type)
{
    return type < VG_ARRAY_LEN(type_names) ? type_names[type] : "unknown";
}

/* Bytes of the data of `count` items of `type` at data offset `off`, or 0 when they do not
 * fit in [off, dl) (rpm's dataLength with an end pointer). */
static uint64_t data_length(const uint8_t *ds, uint32_t dl, uint32_t off, uint32_t type,
                            uint32_t count)
{
    if (type == T_STRING || type == T_STRING_ARRAY || type == T_I18NSTRING) {
        if (type == T_STRING && count != 1)
            return 0;
        const uint8_t *p = ds + off, *end = ds + dl;
        for (uint32_t i = 0; i < count; i++) {
            if (p >= end)
                return 0;
            const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
            if (!nul)
                return 0;
            p = nul + 1;
        }
        return (uint64_t)(p - (ds + off));
    }
    uint64_t n = (uint64_t)type_size[type] * count;
    return n <= (uint64_t)dl - off ? n : 0;
}

/* The tags kept while scanning, by slot. */
enum {
    K_NAME,
    K_VERSION,
    K_RELEASE,
    K_EPOCH,
    K_SIZE,
    K_VENDOR,
    K_ARCH,
    K_SOURCERPM,
    K_LONGSIZE,
    K_MODLABEL,
    K_COUNT
};

static const uint32_t kept_tags[K_COUNT] = {
    VG_RPMTAG_NAME,     VG_RPMTAG_VERSION,         VG_RPMTAG_RELEASE, VG_RPMTAG_EPOCH,
    VG_RPMTAG_SIZE,     VG_RPMTAG_VENDOR,          VG_RPMTAG_ARCH,    VG_RPMTAG_SOURCERPM,
    VG_RPMTAG_LONGSIZE, VG_RPMTAG_MODULARITYLABEL,
};

/* The type each kept tag must have (rpm's tag table). */
static const uint32_t kept_types[K_COUNT] = {
    T_STRING, T_STRING, T_STRING, T_INT32, T_INT32, T_STRING, T_STRING, T_STRING, T_INT64, T_STRING,
};

typedef struct kept {
    bool seen;
    entry e;
    uint32_t index;
} kept;

/* Checks entry 0 as a region tag; sets *ril / *rdl, or leaves *region false for a header
 * without one (rpm's hdrblobVerifyRegion). */
static int check_region(bool *region, uint32_t *ril, uint32_t *rdl, const uint8_t *pe,
                        const uint8_t *ds, uint32_t il, uint32_t dl)
{
    entry e = entry_at(pe, 0);
    *region = false;
    if (e.tag != VG_RPMTAG_HEADERIMMUTABLE && e.tag != VG_RPMTAG_HEADERSIGNATURES)
        return 0;
    if (e.type != T_BIN || e.count != REGION_TRAILER)
        return tag_error(&e, 0, "region tag has type %u count %u, want BIN (7) count 16", e.type,
                         e.count);
    if (e.offset < 0 || (uint64_t)e.offset + REGION_TRAILER > dl)
        return tag_error(&e, 0, "region trailer at offset %d is outside the data (%u bytes)",
                         e.offset, dl);
    const uint8_t *t = ds + e.offset;
    entry tr = {be32(t), be32(t + 4), be32(t + 12), (int32_t)be32(t + 8)};
    if (tr.tag != e.tag || tr.type != T_BIN || tr.count != REGION_TRAILER)
        return tag_error(&e, 0, "region trailer has tag %u type %u count %u, want tag %u BIN 16",
                         tr.tag, tr.type, tr.count, e.tag);
    int64_t size = -(int64_t)tr.offset; /* the trailer holds minus the region's entry bytes */
    if (size < 0 || size % ENTRY_SIZE != 0 || size / ENTRY_SIZE > il)
        return tag_error(&e, 0, "region size %lld does not fit %u index entries", (long long)size,
                         il);
    *region = true;
    *ril = (uint32_t)(size / ENTRY_SIZE);
    *rdl = (uint32_t)e.offset + REGION_TRAILER;
    return 0;
}

static vg_slice string_at(const uint8_t *ds, const kept *k)
{
    const char *s = (const char *)ds + k->e.offset;
    return (vg_slice){s, strlen(s)}; /* NUL-terminated inside the data: checked before */
}

int vg__rpmhdr_parse(vg__rpmhdr *out, const uint8_t *blob, size_t len)
{
    if (len < 8)
        return vg_error_set(VG_EINVAL, "header: %zu bytes, shorter than its 8-byte intro", len);
    uint32_t il = be32(blob), dl = be32(blob + 4);
    if (il > VG_RPMHDR_MAX_ENTRIES)
        return vg_error_set(VG_ETOOBIG,
                            "header: %u index entries, more than VG_RPMHDR_MAX_ENTRIES (%u)", il,
                            VG_RPMHDR_MAX_ENTRIES);
    if (dl > VG_RPMHDR_MAX_DATA)
        return vg_error_set(VG_ETOOBIG, "header: %u data bytes, more than VG_RPMHDR_MAX_DATA (%u)",
                            dl, VG_RPMHDR_MAX_DATA);
    if (il == 0)
        return vg_error_set(VG_EINVAL, "header: no index entries");
    uint64_t want = 8 + (uint64_t)il * ENTRY_SIZE + dl;
    if (want != len)
        return vg_error_set(VG_EINVAL,
                            "header: blob is %zu bytes, but 8 + 16 * %u entries + %u data bytes "
                            "is %llu",
                            len, il, dl, (unsigned long long)want);
    const uint8_t *pe = blob + 8;
    const uint8_t *ds = pe + (size_t)il * ENTRY_SIZE;

    bool region;
    uint32_t ril = 0, rdl = 0;
    int rc = check_region(&region, &ril, &rdl, pe, ds, il, dl);
    if (rc)
        return rc;

    kept k[K_COUNT];
    memset(k, 0, sizeof(k));
    uint64_t end = 0;
    for (uint32_t i = region ? 1 : 0; i < il; i++) {
        entry e = entry_at(pe, i);
        if (e.type > T_I18NSTRING)
            return tag_error(&e, i, "type %u is not an rpm data type", e.type);
        if (e.offset < 0 || (uint32_t)e.offset > dl)
            return tag_error(&e, i, "offset %d is outside the data (%u bytes)", e.offset, dl);
        if ((uint64_t)e.offset < end)
            return tag_error(&e, i, "data at offset %d overlaps the previous entry's (to %llu)",
                             e.offset, (unsigned long long)end);
        if (type_size[e.type] > 1 && (uint32_t)e.offset % type_size[e.type] != 0)
            return tag_error(&e, i, "offset %d is not aligned for %s", e.offset, type_name(e.type));
        uint64_t n =
            e.type == T_NULL ? 0 : data_length(ds, dl, (uint32_t)e.offset, e.type, e.count);
        if (n == 0)
            return tag_error(&e, i, "%u %s item(s) at offset %d do not fit in the data (%u bytes)",
                             e.count, type_name(e.type), e.offset, dl);
        end = (uint64_t)e.offset + n;
        if (region && end > rdl - REGION_TRAILER && (uint32_t)e.offset < rdl)
            return tag_error(&e, i, "data at offset %d overlaps the region trailer", e.offset);
        for (int s = 0; s < K_COUNT; s++) {
            if (kept_tags[s] != e.tag)
                continue;
            if (e.type != kept_types[s])
                return tag_error(&e, i, "type %s, want %s", type_name(e.type),
                                 type_name(kept_types[s]));
            k[s] = (kept){true, e, i};
        }
    }

    memset(out, 0, sizeof(*out));
    out->n_entries = il;
    out->data_len = dl;
    static const int required[] = {K_NAME, K_VERSION, K_RELEASE};
    for (size_t r = 0; r < VG_ARRAY_LEN(required); r++) {
        int s = required[r];
        if (!k[s].seen)
            return vg_error_set(VG_EINVAL, "tag %u (%s): missing", kept_tags[s],
                                vg__rpmtag_name(kept_tags[s]));
        if (ds[k[s].e.offset] == '\0')
            return tag_error(&k[s].e, k[s].index, "empty");
    }
    vg_slice *strs[K_COUNT] = {0};
    strs[K_NAME] = &out->name;
    strs[K_VERSION] = &out->version;
    strs[K_RELEASE] = &out->release;
    strs[K_VENDOR] = &out->vendor;
    strs[K_ARCH] = &out->arch;
    strs[K_SOURCERPM] = &out->sourcerpm;
    strs[K_MODLABEL] = &out->modularitylabel;
    for (int s = 0; s < K_COUNT; s++)
        if (strs[s] && k[s].seen)
            *strs[s] = string_at(ds, &k[s]);
    if (k[K_EPOCH].seen) {
        out->has_epoch = true;
        out->epoch = be32(ds + k[K_EPOCH].e.offset);
    }
    if (k[K_LONGSIZE].seen) {
        out->has_size = true;
        out->size = be64(ds + k[K_LONGSIZE].e.offset);
    } else if (k[K_SIZE].seen) {
        out->has_size = true;
        out->size = be32(ds + k[K_SIZE].e.offset);
    }
    return 0;
}
