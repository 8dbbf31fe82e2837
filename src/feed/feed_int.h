/* feed_int.h — private to src/feed/: the updater table, the emit callback parsers hand each
 * advisory to, and the fetch layer (fetch.c: http(s) with ETag/If-Modified-Since through
 * libcurl, file://, local paths and dirs, mirrors in <host>/<path> layout, zip archives of
 * records). One file per updater: debian.c, ubuntu.c, rhel.c, alpine.c, osv.c, nvd.c. */
#ifndef VG_FEED_INT_H
#define VG_FEED_INT_H

#include "feed.h"

/* Builds advisories for one run: parsers allocate from `arena` (reset by the framework
 * between documents) and call emit once per advisory. */
typedef struct vg_feed_ctx {
    const vg_feed_opts *opts;
    vg_arena *arena;
    const char *url; /* the document being parsed, for error messages */
    int (*emit)(struct vg_feed_ctx *ctx, const vg_advisory *a);
    void *emit_state;
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
} vg_updater;

extern const vg_updater vg__updater_debian;
extern const vg_updater vg__updater_ubuntu;
extern const vg_updater vg__updater_rhel;
extern const vg_updater vg__updater_alpine;
extern const vg_updater vg__updater_osv;
extern const vg_updater vg__updater_nvd;

#endif
