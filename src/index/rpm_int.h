/* rpm_int.h — private to the rpm scanner of src/index/ (rpm.c, rpmhdr.c, rpmdb_sqlite.c,
 * rpmdb_bdb.c, rpmdb_ndb.c): the header-blob parser, the three database readers that hand
 * each stored header blob to a visitor, their named caps, and the skipped-header warnings. */
#ifndef VG_RPM_INT_H
#define VG_RPM_INT_H

#include "index_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- caps ------------------------------------------------------------------------------ */

/* Index entries in one header: rpm's own HEADER_TAGS_MAX. */
#define VG_RPMHDR_MAX_ENTRIES 0xffffu
/* Bytes in one header's data store: rpm's own HEADER_DATA_MAX (256 MiB - 1). */
#define VG_RPMHDR_MAX_DATA 0x0fffffffu
/* Bytes in one header blob: the 8-byte intro, the entries and the data store at their caps. */
#define VG_RPMHDR_MAX_BLOB ((uint64_t)8 + 16 * (uint64_t)VG_RPMHDR_MAX_ENTRIES + VG_RPMHDR_MAX_DATA)
/* Pages a Berkeley DB may declare (its metadata's last page number + 1): bounds the page
 * bookkeeping to 4 bytes per page (8 MiB). 2^21 pages of the smallest size (512) are 1 GiB. */
#define VG_RPMDB_BDB_MAX_PAGES ((uint32_t)1 << 21)
/* Slot pages an NDB Packages.db may declare (as go-rpmdb; 2048 pages hold 524,256 slots). */
#define VG_RPMDB_NDB_MAX_SLOT_PAGES 2048u
/* SQLite virtual-machine steps for reading one rpmdb.sqlite (checked every 1000 steps): a
 * full scan costs a few dozen steps per row, so 200,000 packages stay far below it. */
#define VG_RPMDB_SQLITE_MAX_STEPS ((uint64_t)200 << 20)
/* The step cap in force: VG_RPMDB_SQLITE_MAX_STEPS; only tests lower it. */
extern uint64_t vg__rpmdb_sqlite_max_steps;
/* Bytes of warning text kept per database (the count of skipped headers is always exact). */
#define VG_RPMDB_MAX_WARNING_BYTES 16384u

/* ---- header blobs ---------------------------------------------------------------------- */

/* Tags vigil reads (rpmtag.h). */
enum {
    VG_RPMTAG_HEADERIMAGE = 61,
    VG_RPMTAG_HEADERSIGNATURES = 62,
    VG_RPMTAG_HEADERIMMUTABLE = 63,
    VG_RPMTAG_NAME = 1000,
    VG_RPMTAG_VERSION = 1001,
    VG_RPMTAG_RELEASE = 1002,
    VG_RPMTAG_EPOCH = 1003,
    VG_RPMTAG_SIZE = 1009,
    VG_RPMTAG_VENDOR = 1011,
    VG_RPMTAG_ARCH = 1022,
    VG_RPMTAG_SOURCERPM = 1044,
    VG_RPMTAG_LONGSIZE = 5009,
    VG_RPMTAG_MODULARITYLABEL = 5096,
};

/* The fields of one header, as views into the blob (valid while the blob is). A string
 * field's ptr is NULL when its tag is absent; present strings may be empty. */
typedef struct vg__rpmhdr {
    vg_slice name, version, release, arch, sourcerpm, vendor, modularitylabel;
    bool has_epoch;
    uint32_t epoch;
    bool has_size; /* SIZE, or LONGSIZE when both are present */
    uint64_t size;
    uint32_t n_entries; /* il: index entries, the region tag included */
    uint32_t data_len;  /* dl: bytes in the data store */
} vg__rpmhdr;

/* Parses one header blob as an rpmdb stores it: big-endian il and dl, il 16-byte index
 * entries, then dl bytes of data; no lead and no magic. Checks what rpm's hdrblobInit checks
 * (blob size, the region tag and its trailer, every entry's type, alignment, offset, count
 * and data extent, no overlap) plus the types of the tags vigil reads, and requires NAME,
 * VERSION and RELEASE. A tag repeated outside the region (a "dribble") replaces the earlier
 * one, as in rpm. Returns 0; VG_EINVAL with a message naming the field ("tag 1001
 * (VERSION): ..." or "header: ...") and no location (the caller adds it); VG_ETOOBIG when il
 * or dl pass VG_RPMHDR_MAX_ENTRIES / VG_RPMHDR_MAX_DATA. Never reads outside [blob, blob +
 * len). Thread-safe. */
int vg__rpmhdr_parse(vg__rpmhdr *out, const uint8_t *blob, size_t len);

/* The name of a tag for messages ("NAME"), or NULL for tags vigil does not know. */
const char *vg__rpmtag_name(uint32_t tag);

/* ---- database readers ------------------------------------------------------------------ */

/* One package record as a reader found it. `blob` is valid only during the visit; when the
 * record itself is damaged (a broken overflow chain, an NDB slot pointing past the end of the
 * file, ...) blob is NULL and `problem` says why. */
typedef struct vg__rpmdb_record {
    uint64_t ordinal; /* 1-based position among the database's package records */
    uint64_t key;     /* hnum (SQLite), header number (BDB), package index (NDB) */
    const uint8_t *blob;
    size_t len;
    const char *problem;
} vg__rpmdb_record;

/* Called once per record; a non-zero return stops the reader, which returns it unchanged. */
typedef int (*vg__rpmdb_visit)(void *ctx, const vg__rpmdb_record *rec);

/* Each reader walks one whole database file held in memory (`len` bytes at `buf`, named
 * `path` in messages) and visits every package record. Damage confined to one record is
 * reported through the visitor; damage to the database structure (a bad metadata page or
 * slot page, a page cycle, an SQLite file that is corrupt or has no Packages table) stops
 * the walk with VG_EINVAL "<path>: ...". Caps give VG_ETOOBIG. Never read outside the
 * buffer, never write to it, bounded time and memory. Thread-safe. */
int vg__rpmdb_sqlite_read(const char *path, const uint8_t *buf, size_t len, vg__rpmdb_visit fn,
                          void *ctx);
int vg__rpmdb_bdb_read(const char *path, const uint8_t *buf, size_t len, vg__rpmdb_visit fn,
                       void *ctx);
int vg__rpmdb_ndb_read(const char *path, const uint8_t *buf, size_t len, vg__rpmdb_visit fn,
                       void *ctx);

/* The storage format of an rpmdb file, from its content (not its name). */
typedef enum vg__rpmdb_kind {
    VG_RPMDB_UNKNOWN,
    VG_RPMDB_EMPTY, /* a zero-length file: an empty database */
    VG_RPMDB_SQLITE,
    VG_RPMDB_BDB,
    VG_RPMDB_NDB,
} vg__rpmdb_kind;

vg__rpmdb_kind vg__rpmdb_detect(const uint8_t *buf, size_t len);

/* ---- the scanner ----------------------------------------------------------------------- */

/* Headers that could not be used. A damaged record or header never fails the database: the
 * package is skipped, counted here, and its message ("<path>: package #3 (hnum 17): tag 1001
 * (VERSION): ...") appended, one per line, up to VG_RPMDB_MAX_WARNING_BYTES. */
typedef struct vg__rpm_warnings {
    size_t n_skipped; /* damaged records and headers */
    size_t n_pubkeys; /* gpg-pubkey pseudo-packages, skipped on purpose */
    vg_strbuf text;   /* one message per line */
} vg__rpm_warnings;

void vg__rpm_warnings_init(vg__rpm_warnings *w);
void vg__rpm_warnings_dispose(vg__rpm_warnings *w);

/* The rpm scanner's parse with its warnings: adds one vg_pkgdb for `path` to `r`. Returns 0
 * (skipped headers are warnings, not errors), or VG_EINVAL / VG_ETOOBIG for the whole file,
 * which then leaves nothing in `r`. */
int vg__rpm_parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                  const vg_index_limits *lim, vg__rpm_warnings *w);

#endif
