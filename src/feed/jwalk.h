/* jwalk.h — private to src/feed/: how the ubuntu, rhel and nvd updaters read one decoded
 * document (json.c's vg__feed_json_load): typed member access that keeps the JSON path of the
 * current position for error messages ("<source>: <url>: $.a[3].b: <what>"), string caps,
 * arena copies, and hash sets for de-duplication. */
#ifndef VG_FEED_JWALK_H
#define VG_FEED_JWALK_H

#include "feed_int.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Caps on one string a parser keeps (bytes): names, versions, ids, CPEs, purls, URLs; and
 * free text (descriptions, summaries). Longer strings fail with VG_ETOOBIG. */
#define VG_JW_SHORT_MAX ((size_t)4096)
#define VG_JW_TEXT_MAX ((size_t)1 << 20)

/* The reading state of one document. Not thread-safe; one per parse call. */
typedef struct vg_jw {
    vg_feed_ctx *ctx;
    const char *source; /* the updater name, first word of every message */
    vg_strbuf path;     /* "$.vulnerabilities[3]": where the parser is */
    size_t *marks;      /* path lengths to return to on pop */
    size_t n_marks, cap_marks;
} vg_jw;

/* Initialises `jw` (the caller disposes it in every case) and decodes `buf` into `*out` (the
 * caller json_decref()s it) with vg__feed_json_load: nesting deeper than ctx->opts->max_depth
 * and syntax errors fail there, naming line and column. */
int vg__jw_load(json_t **out, vg_jw *jw, vg_feed_ctx *ctx, const char *source, const char *buf,
                size_t len);
void vg__jw_dispose(vg_jw *jw);
/* Initialises `jw` at path "$" without decoding anything (for parsers that decode pieces). */
void vg__jw_begin(vg_jw *jw, vg_feed_ctx *ctx, const char *source);

/* Checks a value decoded on its own (an element of a streamed array) against the nesting cap
 * ctx->opts->max_depth, `v` being at nesting level `depth` of the document (the top level is
 * 1). VG_EINVAL naming the path below the current one. */
int vg__jw_check_depth(vg_jw *jw, json_t *v, size_t depth);

/* The path stack: push ".key" or "[i]" before reading inside a member or element, pop after.
 * Error returns need not pop. */
void vg__jw_push_key(vg_jw *jw, const char *key);
void vg__jw_push_idx(vg_jw *jw, size_t i);
void vg__jw_pop(vg_jw *jw);

/* Sets the error "<source>: <url>: <path>[.key]: <what>" (vg__feed_fail) and returns `code`.
 * Paths longer than a message allows keep their end ("$...[3].b"). */
int vg__jw_fail(vg_jw *jw, int code, const char *key, const char *fmt, ...) VG_PRINTF(4, 5);

/* Member `key` of object `obj`, which must have `type` (JSON_REAL also accepts integers).
 * Absent or null members give 0 and *out NULL, unless `required` (VG_EINVAL). A member of
 * another type is VG_EINVAL naming the path and both types. */
int vg__jw_get(json_t **out, vg_jw *jw, json_t *obj, const char *key, json_type type,
               bool required);

/* Checks that `v`, the value at the current path, is a string of at most `max` bytes and
 * copies it into the ctx arena. VG_EINVAL for another type, VG_ETOOBIG when too long. An
 * empty string is VG_EINVAL when `nonempty`. */
int vg__jw_strval(const char **out, vg_jw *jw, json_t *v, size_t max, bool nonempty);

/* vg__jw_get for a string member plus vg__jw_strval: *out NULL when absent (not required). */
int vg__jw_str(const char **out, vg_jw *jw, json_t *obj, const char *key, size_t max,
               bool required);

/* `s` escaped for a message (control bytes, quotes, non-ASCII as \xNN; at most 80 input
 * bytes shown), in the ctx arena. */
const char *vg__jw_q(vg_jw *jw, const char *s);

/* Copies `n` bytes of `s` into the ctx arena, NUL-terminated. */
const char *vg__jw_dup(vg_jw *jw, const char *s, size_t n);

/* Allocates `n` zeroed elements of `size` bytes from the ctx arena (n may be 0). */
void *vg__jw_alloc(vg_jw *jw, size_t n, size_t size);

/* A hash set of strings (a jansson object used for its keys): adds `s` and says whether it
 * was new. `set` is a json_object() the caller owns. */
bool vg__jw_set_add(json_t *set, const char *s);

/* A list of distinct arena strings that grows in the ctx arena (advisory aliases, links,
 * CWEs). Zero-initialise; dispose releases the hash set only (the strings stay in the arena). */
typedef struct vg_jw_strs {
    const char **v;
    size_t n, cap;
    json_t *seen;
} vg_jw_strs;

/* Appends `s` (arena-owned) unless NULL, empty or already present. */
void vg__jw_strs_add(vg_jw *jw, vg_jw_strs *l, const char *s);
void vg__jw_strs_dispose(vg_jw_strs *l);

#endif
