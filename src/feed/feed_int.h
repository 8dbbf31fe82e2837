/* feed_int.h — private to src/feed/: the updater table, the emit callback parsers hand each
 * advisory to, and the fetch layer (fetch.c: http(s) with ETag/If-Modified-Since through
 * libcurl, file://, local paths and dirs, mirrors in <host>/<path> layout, zip archives of
 * records). One file per updater: debian.c, ubuntu.c, rhel.c, alpine.c, osv.c, nvd.c. */
#ifndef VG_FEED_INT_H
#define VG_FEED_INT_H

#include "feed.h"

#include <jansson.h>

/* Builds advisories for one run: parsers allocate from `arena` (reset by the framework
 * between documents) and call emit once per advisory. */
typedef struct vg_feed_ctx {
    const vg_feed_opts *opts;
    vg_arena *arena;
    const char *url; /* the document being parsed, for error messages */
    int (*emit)(struct vg_feed_ctx *ctx, const vg_advisory *a);
    void *emit_state;
    /* Records, ranges or entries a parser deliberately left out (withdrawn OSV records, GIT
     * ranges, unusable ids); summed into vg_feed_result.skipped. Parsers only add to it. */
    uint64_t skipped;
} vg_feed_ctx;

typedef struct vg_updater {
    const char *name;
    /* The official documents of one run (absolute URLs; a mirror maps them to
     * <mirror>/<host>/<path>). A URL ending in "/" names a directory of records; ".zip" a
     * zip of records. */
    const char *const *urls;
    /* Parses one whole document (capped by opts->max_document_bytes). Returns 0, or
     * VG_EINVAL with "<source>: <url>: <JSON path or line>: <what>". A document that is
     * missing from a mirror is not an error for updaters that say so (optional_urls). */
    int (*parse)(vg_feed_ctx *ctx, const char *buf, size_t len);
    bool optional_urls; /* missing documents are skipped rather than failing the run */
    /* Paged sources (nvd), else NULL. Called by the framework after each http(s) document of
     * the run is fetched (ctx->url its official URL, ctx->arena scratch): returns 1 with the
     * official URL of the next page in `next`, 0 when this page is the last, or VG_EINVAL
     * ("<source>: <url>: <where>: <what>") when the page's paging numbers are missing or
     * inconsistent. The framework caps a run at MAX_PAGES pages per URL (feed.c). Local paths
     * and file:// documents are not paged: a saved page is one document. */
    int (*next_url)(vg_feed_ctx *ctx, const char *buf, size_t len, vg_strbuf *next);
    /* Sources published as an index plus documents (rhel's changes.csv), else NULL. Called by
     * the framework for each document of `urls` (or --url) that is one file — http(s),
     * file:// or local, not a directory or zip — before anything is parsed (ctx->url its
     * official URL, ctx->arena scratch): returns 0 when the document is not an index (it is
     * parsed as usual), 1 when it is, having called `add` once per listed document with its
     * official URL (absolute; relative to the index's directory), or VG_EINVAL
     * ("<source>: <url>: line N: <what>") for a malformed index. An index is not parsed: the
     * framework fetches every listed document once (duplicates dropped, in URL order) and
     * parses those; a listed document that is missing fails the run. The framework caps the
     * listed documents of one index at opts->max_entries (`add` returns VG_ETOOBIG past it;
     * the hook passes that back). Listed documents are not themselves expanded. */
    int (*list_urls)(vg_feed_ctx *ctx, const char *buf, size_t len,
                     int (*add)(void *state, const char *url), void *state);
} vg_updater;

extern const vg_updater vg__updater_debian;
extern const vg_updater vg__updater_ubuntu;
extern const vg_updater vg__updater_rhel;
extern const vg_updater vg__updater_alpine;
extern const vg_updater vg__updater_osv;
extern const vg_updater vg__updater_nvd;

/* ---- errors and JSON helpers for parsers (json.c) -------------------------------------- */

/* Sets "<source>: <ctx->url>: <where>: <what>" as this thread's error and returns `code`
 * (VG_EINVAL for bad input, VG_ETOOBIG for a cap). `where` is a JSON path ("$.a[\"b\"][3]"),
 * "line L, column C" or NULL. */
int vg__feed_fail(const vg_feed_ctx *ctx, const char *source, int code, const char *where,
                  const char *fmt, ...) VG_PRINTF(5, 6);

/* JSON paths for messages: vg__jpath_key appends `.key` (or `["k\"ey"]` when `key` is not a
 * plain identifier), vg__jpath_index `[i]`. Restore a prefix with vg__jpath_cut(path, len). */
void vg__jpath_key(vg_strbuf *path, const char *key);
void vg__jpath_index(vg_strbuf *path, size_t i);
void vg__jpath_cut(vg_strbuf *path, size_t len);

/* A lexical cursor over one JSON document, for documents too large to decode whole (the
 * Debian tracker): it walks objects and arrays, hands out the byte range of each member
 * value so that jansson decodes one piece at a time, and checks nesting against
 * opts->max_depth while skipping. Depth 1 is the top-level value. jansson has no streaming
 * interface; this finds boundaries only, jansson still decodes and validates every value. */
typedef struct vg__jcur {
    const vg_feed_ctx *ctx;
    const char *source;
    const char *buf;
    size_t len;
    size_t pos;
    unsigned max_depth;
    char *stack;      /* bracket stack while skipping, max_depth bytes */
    size_t n_members; /* members handed out since the last vg__jcur_enter */
} vg__jcur;

void vg__jcur_init(vg__jcur *c, const vg_feed_ctx *ctx, const char *source, const char *buf,
                   size_t len);
void vg__jcur_dispose(vg__jcur *c);
/* Skips blanks and expects `open` ('{' or '['); VG_EINVAL "<where>: expected an object/array"
 * (with line and column) otherwise. */
int vg__jcur_enter(vg__jcur *c, char open, const char *where);
/* The next member of the object entered last: returns 1 with the decoded key (arena) and
 * the value's byte range, 0 after the closing '}', or a negative code. `depth` is the depth
 * of the member values (the object's own depth + 1). */
int vg__jcur_member(vg__jcur *c, const char **key, size_t *off, size_t *len, unsigned depth);
/* After the top-level value: only blanks may remain. */
int vg__jcur_finish(vg__jcur *c);
/* Decodes buf[off, off+len) (already skipped by the cursor, so its depth is checked) with
 * jansson; errors give the line and column in the whole document. */
int vg__jcur_decode(json_t **out, const vg__jcur *c, size_t off, size_t len);
/* "line L, column C" of byte `off` in the document (1-based), into `sb`. */
void vg__jcur_where(vg_strbuf *sb, const char *buf, size_t len, size_t off);

/* Decodes a whole document: a depth pre-scan against opts->max_depth, then jansson
 * (duplicate keys allowed, the last one wins). VG_EINVAL names the line and column. */
int vg__feed_json_load(json_t **out, const vg_feed_ctx *ctx, const char *source, const char *buf,
                       size_t len);

/* Arena copies for parsers; NULL in, NULL out. */
const char *vg__feed_strdup(const vg_feed_ctx *ctx, const char *s);
/* A JSON value's type for messages: "an object", "an array", "a string", "a number" (or "an
 * integer" for integers when `integers`), "a boolean", "null". */
const char *vg__json_type_name(const json_t *j, bool integers);
void *vg__feed_alloc(const vg_feed_ctx *ctx, size_t n); /* zeroed */

/* ---- merging by id (merge.c) ------------------------------------------------------------ */

/* Collects the advisories of a run and hands them out merged: one advisory per id, with the
 * affected records of every copy (exact duplicates once), the union of aliases, links, CVSS
 * entries and CWEs, the highest severity (with its label), the first summary, description
 * and published date and the latest modified date. Used for updaters whose sources repeat
 * an id across documents (alpine: one secdb document per branch and repository). Holds
 * copies, so memory grows with the run. Not thread-safe. */
typedef struct vg__merger vg__merger;

vg__merger *vg__merger_new(void);
void vg__merger_free(vg__merger *m);
/* Deep-copies `a`. */
void vg__merger_add(vg__merger *m, const vg_advisory *a);
/* Calls `put` once per id, in id order (byte order); stops at and returns the first non-zero
 * return. The advisories handed out are valid during the call only. */
int vg__merger_flush(vg__merger *m, int (*put)(void *state, const vg_advisory *a), void *state);

/* A deep copy of `a` into `arena`. */
vg_advisory *vg__advisory_copy(vg_arena *arena, const vg_advisory *a);

/* ---- CVSS (cvss.c) ---------------------------------------------------------------------- */

/* The base score of a CVSS v3.0/v3.1 vector ("CVSS:3.1/AV:N/...") per the CVSS 3.1
 * specification (section 7.1, Roundup of appendix A), or of a v2 vector ("AV:N/AC:L/...",
 * optionally in parentheses). Returns 0, or VG_EINVAL for a malformed vector (a missing or
 * repeated base metric, an unknown value). No message is set: callers decide. */
int vg__cvss3_base_score(double *out, const char *vector);
int vg__cvss2_base_score(double *out, const char *vector);
/* The qualitative rating of a v3/v4 score: 0 → Unknown (CVSS "None"), 0.1–3.9 Low, 4.0–6.9
 * Medium, 7.0–8.9 High, 9.0–10.0 Critical. */
vg_severity vg__cvss_severity(double score);

/* ---- fetch layer (fetch.c) -------------------------------------------------------------- */

typedef enum vg__fetch_kind {
    VG_FETCH_MISSING, /* 404 / no such file: skipped when the updater allows it */
    VG_FETCH_FILE,    /* one document */
    VG_FETCH_DIR,     /* every *.json below a local directory, sorted by relative path */
    VG_FETCH_ZIP,     /* every *.json entry of a zip archive */
} vg__fetch_kind;

/* What one URL of a run resolved to. All strings heap. */
typedef struct vg__fetched {
    char *url;       /* the official URL (or the --url override) */
    char *where;     /* what was read: the mirror URL or local path, for messages */
    char *path;      /* local file (a cached body for http) or directory */
    char *validator; /* "etag:..." or "sha256:<hex>" of the content; "missing" */
    vg__fetch_kind kind;
    bool not_modified; /* http: answered 304, the cached body was reused */
    bool index;        /* an index (vg_updater.list_urls): fingerprinted, not parsed */
    uint64_t bytes;    /* body size (file or zip), 0 for dirs */
} vg__fetched;

/* One run's fetch settings and scratch state. */
typedef struct vg__fetcher {
    const vg_feed_opts *opts;
    const char *source; /* for messages */
    char *cache_dir;    /* validators + last good bodies; a private temp dir if none given */
    bool own_cache;     /* cache_dir is a temp dir removed by dispose */
    void *curl;         /* CURL *, reused across URLs (keep-alive) */
} vg__fetcher;

/* Prepares a fetcher: creates opts->cache_dir (mode 0700) if given, else a temp dir. VG_EIO. */
int vg__fetcher_init(vg__fetcher *f, const vg_feed_opts *o, const char *source);
void vg__fetcher_dispose(vg__fetcher *f);

/* Resolves and fetches one URL: the mirror mapping, file:// and local paths (a directory, a
 * zip by its magic bytes, or one document), http(s) with a conditional request against the
 * cache (a 304 reuses the cached body). A body that is truncated, larger than
 * max_document_bytes or answered with an error status fails with VG_EIO / VG_ETOOBIG and a
 * message "<source>: <where>: <what>"; nothing of it is cached. A missing document (404,
 * ENOENT) is VG_FETCH_MISSING, not an error. */
int vg__fetch(vg__fetched *out, vg__fetcher *f, const char *url);
void vg__fetched_dispose(vg__fetched *d);

/* Calls `cb` once per document of a fetched source, with the document's name (the where of
 * the source, plus "/rel/path" for a directory or "!entry" for a zip) and its whole bytes
 * (NUL-terminated, valid during the call). Zip caps: entry count, per-entry and total
 * uncompressed size, and the decompression ratio (opts). Stops at the first non-zero return
 * of `cb` and passes it back. */
typedef int (*vg__doc_cb)(void *state, const char *name, const char *buf, size_t len);
int vg__fetched_documents(const vg__fetched *d, const vg__fetcher *f, vg__doc_cb cb, void *state);

#endif
