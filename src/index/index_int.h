/* index_int.h — private to src/index/: the scanner table. Each scanner file (os_release.c,
 * dpkg.c, apk.c, python.c, ...) declares which normalized paths it wants and parses one whole
 * file, already read into a capped buffer, into the layer result; a streaming scanner
 * (gobin.c) instead pulls only the bytes it needs through a vg_index_reader. walker.c calls
 * them. Also the helpers scanners share: the reader, purls (purl.c), zips in memory (zip.c). */
#ifndef VG_INDEX_INT_H
#define VG_INDEX_INT_H

#include "index.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- streaming reader ---------------------------------------------------------------- */

/* A forward-only pull reader over the bytes of one entry, for streaming scanners. The walker
 * feeds it from the layer stream (vg_layer_read); tests and fuzzers from memory. A scanner
 * reads only what it needs and returns: the rest of the entry is never copied anywhere. */
typedef struct vg_index_reader {
    ssize_t (*pull)(void *ctx, void *buf, size_t n); /* NULL: read from `mem` */
    void *ctx;
    const char *mem; /* the bytes, when pull is NULL */
    size_t mem_len;
    uint64_t pos; /* bytes consumed so far (read or skipped) */
    int64_t size; /* the entry's declared size, or -1 when unknown */
    int io_err;   /* set when `pull` failed: the layer itself is bad, not the file */
} vg_index_reader;

/* Makes `rd` read the `len` bytes at `buf` (borrowed). */
void vg__reader_init_mem(vg_index_reader *rd, const void *buf, size_t len);
/* Reads up to `n` bytes into `buf`; fewer only at the end of the entry. Returns the count, or
 * a negative code from the layer stream (its message already set; rd->io_err records it). */
ssize_t vg__reader_read(vg_index_reader *rd, void *buf, size_t n);
/* Discards `n` bytes. Returns how many were skipped (fewer only at the end) or a negative
 * code as vg__reader_read. */
int64_t vg__reader_skip(vg_index_reader *rd, uint64_t n);

/* ---- scanners ------------------------------------------------------------------------ */

typedef struct vg_scanner {
    const char *name;
    /* True if the scanner wants the file at normalized path `path` (no leading "/" or "./"). */
    bool (*wants)(const char *path);
    /* Parses `len` bytes of `path` into `r`. Returns 0, or VG_EINVAL with a message
     * "<path>:<line>: <what is wrong>", or VG_ETOOBIG when `lim` is exceeded. A file that
     * fails leaves nothing in `r`. */
    int (*parse)(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim);
} vg_scanner;

/* A streaming scanner, consulted only for regular files no path scanner took: wants_entry
 * says from the path, permission bits and declared size (-1 if unknown) whether to look;
 * parse_stream then pulls what it needs from `rd` (never past its own named cap) and returns
 * as vg_scanner.parse does. */
typedef struct vg_stream_scanner {
    const char *name;
    bool (*wants_entry)(const char *path, unsigned mode, int64_t size);
    int (*parse_stream)(vg_layer_result *r, const char *path, vg_index_reader *rd,
                        const vg_index_limits *lim);
} vg_stream_scanner;

/* The language scanners (the vg__scanner_python ... vg__scanner_gobin below) are
 * best-effort: walker.c skips a file one of them cannot read (malformed, over a per-file cap)
 * with a warning on the layer result instead of failing the whole layer — real images hold
 * many odd files. The OS package database scanners stay strict. */

extern const vg_scanner vg__scanner_os_release; /* os-release, lsb-release, debian_version,
                                                   alpine-release */
extern const vg_scanner vg__scanner_dpkg;       /* var/lib/dpkg/status, status.d/ */
extern const vg_scanner vg__scanner_apk;        /* lib/apk/db/installed */
extern const vg_scanner vg__scanner_rpm;        /* Packages, Packages.db, rpmdb.sqlite (rpm.c) */
extern const vg_scanner vg__scanner_python;     /* *.dist-info/METADATA, *.egg-info, *.egg */
extern const vg_scanner vg__scanner_npm;        /* node_modules/.../package.json, lockfiles */
extern const vg_scanner vg__scanner_gem;        /* specifications/ *.gemspec */
extern const vg_scanner vg__scanner_java;       /* *.jar, *.war, *.ear (nested too) */

/* Go executables: any regular file with an execute bit. */
extern const vg_stream_scanner vg__scanner_gobin;

/* Derives the vigil namespace ("debian:12") and fills the gaps of a distribution candidate
 * once all of its fields are known. Implemented in os_release.c. */
void vg__distribution_finish(vg_layer_result *r, vg_distribution *d);

/* ---- purls (purl.c) ------------------------------------------------------------------ */

/* One purl qualifier; an empty or NULL value is left out. */
typedef struct vg_purl_qualifier {
    const char *key;
    const char *value;
} vg_purl_qualifier;

/* Appends "pkg:<type>/<namespace>/<name>@<version>?<k>=<v>&..." to `out` (reset first), per
 * the purl spec: each '/'-separated namespace segment, the name, the version and each
 * qualifier value are percent-encoded (everything but ASCII letters, digits, ".-_~" and ':'
 * becomes %XX, UTF-8 bytes included); qualifiers are sorted by key. `ns`, `version` and `q`
 * may be NULL. Returns 0 or VG_ETOOBIG when `out`'s cap is hit. */
int vg__purl_build(vg_strbuf *out, const char *type, const char *ns, const char *name,
                   const char *version, const vg_purl_qualifier *q, size_t nq);
/* The same, copied into `r`'s arena; returns NULL only when the purl would be over
 * VG_PURL_MAX bytes. */
#define VG_PURL_MAX 8192
const char *vg__purl(vg_layer_result *r, const char *type, const char *ns, const char *name,
                     const char *version, const vg_purl_qualifier *q, size_t nq);
/* PEP 503 name normalization: lowercased, every run of '-', '_' and '.' becomes one '-'.
 * Writes into `out` (reset first). */
void vg__pep503_normalize(vg_strbuf *out, const char *name, size_t n);

/* ---- zip archives in memory (zip.c, over libarchive) --------------------------------- */

typedef struct vg_zip vg_zip;

/* Opens the `len` bytes at `buf` (borrowed; must outlive the handle) as a zip archive read
 * through its central directory. Before libarchive sees it, the entry count declared by the
 * end-of-central-directory record is checked: more than `max_entries` is VG_ETOOBIG naming
 * `cap_name` (libarchive holds the whole directory in memory). `where` names the archive in
 * messages. VG_EINVAL when it is not a readable zip. */
int vg__zip_open(vg_zip **out, const void *buf, size_t len, uint64_t max_entries,
                 const char *cap_name, const char *where);
/* Advances to the next member: 1 with its name, 0 at the end, VG_EINVAL on a corrupt
 * archive. `*is_file` is false for directories and links. */
int vg__zip_next(vg_zip *z, const char **name, bool *is_file);
/* Reads the current member into `out` (reset first): VG_ETOOBIG "<where>!<member>: more
 * than <cap> bytes (<cap_name>)" when it holds more than `cap` bytes, VG_EINVAL when its
 * data cannot be decompressed. */
int vg__zip_read(vg_zip *z, vg_strbuf *out, uint64_t cap, const char *cap_name);
void vg__zip_close(vg_zip *z);
/* True when `buf` starts like a zip file ("PK\3\4", or an empty archive "PK\5\6"). */
bool vg__zip_magic(const void *buf, size_t len);

/* ---- shared by the language scanners --------------------------------------------------- */

/* Escapes `n` bytes of `s` (at most `max` shown) into `sb` for a message. */
const char *vg__quote(vg_strbuf *sb, const char *s, size_t n, size_t max);
/* Adds a package named `name` at `version` (both arena-copied) to `db`, or returns NULL with
 * VG_ETOOBIG "<db path>: more than N packages (index limit max_pkgs)". */
vg_package *vg__pkgdb_add_lang(vg_layer_result *r, vg_pkgdb *db, const char *name,
                               const char *version, uint64_t max_pkgs, int *rc);
/* Sorts `db`'s packages by name and version and drops repeated name+version pairs: a
 * language database is a set (a jar holding two copies of a library, a lockfile installing
 * the same version at two paths). */
void vg__pkgdb_make_set(vg_pkgdb *db);

/* ---- Java metadata parsers (java.c), exposed for tests and fuzzers ----------------------- */

/* Maven coordinates read from one pom.properties or MANIFEST.MF: heap strings (NULL when
 * absent), freed by vg__java_coords_dispose. */
typedef struct vg_java_coords {
    char *group;
    char *artifact;
    char *version;
} vg_java_coords;

/* Reads groupId, artifactId and version from a pom.properties text (java.util.Properties
 * syntax). VG_EINVAL "<where>:<line>: ..." for a NUL byte or a malformed \uXXXX escape. */
int vg__java_pom_properties(vg_java_coords *out, const char *where, const char *buf, size_t len);
/* Reads the main section of a MANIFEST.MF and derives coordinates from it (see java.c for the
 * rule); fields it cannot derive stay NULL. VG_EINVAL "<where>:<line>: ..." for a line that
 * is neither a header nor a continuation. */
int vg__java_manifest(vg_java_coords *out, const char *where, const char *buf, size_t len);
/* The main-section attribute `key` (case-insensitive) of a manifest text as a heap string,
 * continuation lines joined, or NULL (also when the manifest is malformed). */
char *vg__java_manifest_attr(const char *buf, size_t len, const char *key);
void vg__java_coords_dispose(vg_java_coords *c);

/* ---- Go build info (gobin.c), exposed for tests and fuzzers ---------------------------- */

/* One module line of a Go binary's build info ("mod" or "dep"), with its "=>" replacement. */
typedef struct vg_gomod {
    const char *path;
    const char *version; /* "" when absent */
    const char *sum;     /* "" when absent */
    const char *rpath;   /* replacement, or NULL */
    const char *rversion;
} vg_gomod;

/* The build info embedded in a Go binary, as `go version -m` prints it. Strings live in
 * `arena`; vg__gobuildinfo_dispose frees them. */
typedef struct vg_gobuildinfo {
    vg_arena *arena;
    const char *goversion; /* "go1.22.1"; NULL when absent */
    const char *path;      /* the "path" line; NULL when absent */
    vg_gomod main;         /* main.path NULL when there is no "mod" line */
    vg_gomod *deps;
    size_t n_deps;
    const char *ldflags; /* the value of "build -ldflags=...", or NULL */
} vg_gobuildinfo;

/* Extracts the build info of the ELF executable `rd` reads, pulling bytes forward only: the
 * ELF and program headers, then up to the first writable PT_LOAD segment where the linker
 * puts .go.buildinfo, never past lim->max_gobin_scan. Both layouts: Go >= 1.18 inline strings
 * and the older pointers into read-only data (resolved from strings remembered on the way).
 * Returns 0; VG_ENOTFOUND when this is not an ELF file, or an ELF file without Go's
 * build-ID note where no build info was found; VG_EINVAL "<path>: Go build info: ..." for a
 * Go binary whose build info is truncated or malformed; VG_ETOOBIG when a cap is hit; or the
 * reader's I/O error. `out` is filled (and must be disposed) only on success. */
int vg__gobin_read(vg_gobuildinfo *out, const char *path, vg_index_reader *rd,
                   const vg_index_limits *lim);
/* Parses modinfo text (without its 16-byte markers) as Go's debug.ParseBuildInfo does into
 * `out` (initialised here; dispose it in every case). VG_EINVAL "<where>: Go build info line N:
 * ..." for a mod/dep line without 2 or 3 columns or a "=>" line without 3 or without a module
 * before. */
int vg__go_modinfo_parse(vg_gobuildinfo *out, const char *where, const char *text, size_t len);
void vg__gobuildinfo_dispose(vg_gobuildinfo *bi);
/* "go1.22.1" -> "v1.22.1", "go1.21" -> "v1.21.0", "go1.21rc2" -> "v1.21.0-rc.2" into `out`
 * (reset first); false for anything else ("devel ..."). A " X:..." suffix is ignored. */
bool vg__go_semver(vg_strbuf *out, const char *goversion);

#endif
