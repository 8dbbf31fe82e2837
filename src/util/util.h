/* util.h — the public header of src/util/, layer 1 of vigil: errors with a thread-local
 * message, logging, allocation that aborts on OOM, capped string buffers, slices and arenas.
 * Nothing here depends on any other part of the project. */
#ifndef VG_UTIL_H
#define VG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define VG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors -------------------------------------------------------------------------- */

/* Error codes. Functions return 0 on success or one of these (negative). */
typedef enum vg_err {
    VG_OK = 0,
    VG_ERROR = -1,     /* anything not listed below */
    VG_EINVAL = -2,    /* malformed input */
    VG_ENOTFOUND = -3, /* no such object */
    VG_ETOOBIG = -4,   /* a named cap was exceeded */
    VG_ECONFLICT = -5, /* concurrent change or duplicate */
    VG_EIO = -6,       /* I/O failure */
} vg_err;

/* Records `code` and a formatted message as this thread's last error and returns `code`,
 * so that `return vg_error_set(VG_EINVAL, "...")` reads naturally. Set once, at the lowest
 * level that knows what went wrong. Thread-safe (the state is thread-local). */
int vg_error_set(int code, const char *fmt, ...) VG_PRINTF(2, 3);

/* The message of this thread's last error, or "" if none. Valid until the next set. */
const char *vg_error_last(void);

/* The code of this thread's last error, or VG_OK if none. */
int vg_error_code(void);

/* Forgets this thread's last error. */
void vg_error_clear(void);

/* A short constant name for a code ("invalid input", "too big", ...). */
const char *vg_error_name(int code);

/* ---- allocation ---------------------------------------------------------------------- */

/* Allocation that aborts the process on failure (vigil is a service: OOM is not an input
 * error). vg_xmalloc(0) returns a unique non-NULL pointer. */
void *vg_xmalloc(size_t n);
void *vg_xcalloc(size_t n, size_t size);
void *vg_xrealloc(void *p, size_t n);
char *vg_xstrdup(const char *s);
char *vg_xstrndup(const char *s, size_t n);

/* ---- slices -------------------------------------------------------------------------- */

/* A borrowed run of bytes; not necessarily NUL-terminated. */
typedef struct vg_slice {
    const char *ptr;
    size_t len;
} vg_slice;

#define VG_SLICE_LIT(s) ((vg_slice){(s), sizeof(s) - 1})

vg_slice vg_slice_from_cstr(const char *s);
bool vg_slice_eq_cstr(vg_slice s, const char *c);
bool vg_slice_starts_with(vg_slice s, const char *prefix);
/* Strips ASCII blanks (space, tab, CR, LF) from both ends. */
vg_slice vg_slice_trim(vg_slice s);
/* Splits `s` at the first `sep`: `*head` is before it, the return value after it. When `sep`
 * is absent, `*head` is all of `s` and the result has ptr NULL. */
vg_slice vg_slice_split(vg_slice s, char sep, vg_slice *head);

/* ---- strbuf -------------------------------------------------------------------------- */

/* A growable, always NUL-terminated string with a hard cap. Once an append would pass the
 * cap the buffer becomes sticky-failed: further appends are ignored and vg_strbuf_error()
 * returns VG_ETOOBIG. Not thread-safe. */
typedef struct vg_strbuf {
    char *buf; /* never NULL after init; "" when empty */
    size_t len;
    size_t cap_alloc;
    size_t limit; /* max len, excluding the NUL */
    int err;
} vg_strbuf;

#define VG_STRBUF_DEFAULT_LIMIT ((size_t)64 << 20)

void vg_strbuf_init(vg_strbuf *sb, size_t limit);
/* Frees the contents of a caller-owned strbuf; it may be re-initialised afterwards. */
void vg_strbuf_dispose(vg_strbuf *sb);
void vg_strbuf_reset(vg_strbuf *sb);
int vg_strbuf_append(vg_strbuf *sb, const char *p, size_t n);
int vg_strbuf_puts(vg_strbuf *sb, const char *s);
int vg_strbuf_putc(vg_strbuf *sb, char c);
int vg_strbuf_printf(vg_strbuf *sb, const char *fmt, ...) VG_PRINTF(2, 3);
int vg_strbuf_vprintf(vg_strbuf *sb, const char *fmt, va_list ap) VG_PRINTF(2, 0);
/* Appends `s` with control bytes, quotes, backslashes and non-ASCII escaped (\xNN), for
 * logs and error messages that quote user input. At most `max` input bytes are shown. */
int vg_strbuf_put_escaped(vg_strbuf *sb, const char *s, size_t n, size_t max);
/* Sticky error: 0, or VG_ETOOBIG if the limit was hit. */
int vg_strbuf_error(const vg_strbuf *sb);
/* Hands the heap string to the caller (who frees it) and leaves `sb` empty. */
char *vg_strbuf_detach(vg_strbuf *sb);

/* ---- arena --------------------------------------------------------------------------- */

/* A bump allocator for per-request and per-scan data: many allocations, one free. Not
 * thread-safe. Allocation failure aborts like vg_xmalloc. */
typedef struct vg_arena vg_arena;

vg_arena *vg_arena_new(size_t block_size);
void vg_arena_free(vg_arena *a);
/* Returns `n` bytes aligned for any type; valid until vg_arena_free or vg_arena_reset. */
void *vg_arena_alloc(vg_arena *a, size_t n);
char *vg_arena_strndup(vg_arena *a, const char *s, size_t n);
/* Frees all allocations but keeps the first block for reuse. */
void vg_arena_reset(vg_arena *a);
/* Bytes handed out since creation or the last reset. */
size_t vg_arena_used(const vg_arena *a);

/* ---- logging ------------------------------------------------------------------------- */

typedef enum vg_log_level {
    VG_LOG_DEBUG = 0,
    VG_LOG_INFO = 1,
    VG_LOG_WARN = 2,
    VG_LOG_ERROR = 3,
    VG_LOG_OFF = 4,
} vg_log_level;

extern vg_log_level vg_log_threshold;

/* Only surfaces (cli/, api/) and long-running workers log; library code returns errors.
 * The level is checked before the arguments are evaluated. Thread-safe (one write(2) per
 * line). */
#define vg_log(level, ...)                                                                         \
    do {                                                                                           \
        if ((level) >= vg_log_threshold)                                                           \
            vg_log_write((level), __VA_ARGS__);                                                    \
    } while (0)

void vg_log_write(vg_log_level level, const char *fmt, ...) VG_PRINTF(2, 3);
/* Parses "debug|info|warn|error|off"; VG_EINVAL otherwise. */
int vg_log_level_parse(vg_log_level *out, const char *name);

/* ---- small parsers ------------------------------------------------------------------- */

/* Parses a decimal uint64 from the whole of `s` (no sign, no blanks). VG_EINVAL when it is
 * not a number, VG_ETOOBIG when it does not fit. Use instead of atoi/strtoul. */
int vg_parse_u64(uint64_t *out, vg_slice s);

#endif
