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

/* Line format of vg_log_write and vg_log_event. Set once at startup (not synchronised). */
typedef enum vg_log_format {
    VG_LOG_TEXT, /* "TIME level: msg key=value ..." */
    VG_LOG_JSON, /* {"ts":"...","level":"info","msg":"...","key":"value","n":12} */
} vg_log_format;

extern vg_log_format vg_log_fmt; /* default VG_LOG_TEXT */

/* Caps of one log line (newline included) and of one string value within it (msg, field
 * values): longer values are cut at a character boundary and end in "...", and fields that
 * no longer fit are dropped (JSON then adds "truncated":true). The line stays valid. */
#define VG_LOG_MAX_LINE 8192
#define VG_LOG_MAX_VALUE 2048

/* One field of a structured event: a string (`str`, NULL for null) or, when `is_num`, the
 * integer `num`. Keys are constants of the caller and must not be "ts", "level" or "msg". */
typedef struct vg_log_field {
    const char *key;
    const char *str;
    int64_t num;
    bool is_num;
} vg_log_field;

/* Writes one event if `level` passes vg_log_threshold. TEXT: "TIME level: msg key=value"
 * (values with blanks, quotes, '=' or escapes are double-quoted); JSON: one object per line.
 * Every string (msg, keys, values) is escaped: quotes, backslashes, control characters
 * (JSON \u00XX, TEXT \xNN) and invalid UTF-8 (JSON U+FFFD, TEXT \xNN), so user-controlled
 * text cannot forge lines or fields. One write(2) per line; thread-safe. */
void vg_log_event(vg_log_level level, const char *msg, const vg_log_field *fields, size_t n);

/* Parses "text|json"; VG_EINVAL otherwise. */
int vg_log_format_parse(vg_log_format *out, const char *name);

/* ---- small parsers ------------------------------------------------------------------- */

/* Parses a decimal uint64 from the whole of `s` (no sign, no blanks). VG_EINVAL when it is
 * not a number, VG_ETOOBIG when it does not fit. Use instead of atoi/strtoul. */
int vg_parse_u64(uint64_t *out, vg_slice s);

/* ---- configuration ------------------------------------------------------------------- */

/* A schema-driven configuration loader: the caller describes its settings struct with a
 * table of dotted keys, and a YAML file, VIGIL_* environment variables and --set flags are
 * all mapped onto that struct through the same table and the same value syntax. */

/* Caps on a configuration file (hostile input is possible: it may come from a mounted
 * volume). Exceeding one fails with VG_ETOOBIG. */
#define VG_CONFIG_MAX_BYTES ((size_t)1 << 20) /* file size */
#define VG_CONFIG_MAX_DEPTH 16                /* nested mappings and sequences */
#define VG_CONFIG_MAX_NODES 10000             /* scalars, mappings and sequences */
#define VG_CONFIG_MAX_LIST 4096               /* items of one VG_CONF_STRLIST */
#define VG_CONFIG_MAX_PATH 256                /* bytes of a dotted key path */

typedef enum vg_conf_type {
    VG_CONF_STRING,   /* char * (heap) */
    VG_CONF_INT,      /* int64_t, decimal with optional sign */
    VG_CONF_BOOL,     /* bool: true/false, yes/no, on/off, 1/0 (any case) */
    VG_CONF_DURATION, /* int64_t milliseconds, see vg_parse_duration_ms */
    VG_CONF_BYTES,    /* uint64_t, see vg_parse_bytes */
    VG_CONF_STRLIST,  /* char **, a NULL-terminated heap array of heap strings */
} vg_conf_type;

typedef struct vg_conf_key {
    const char *path; /* dotted: "http.listen", "auth.psk.issuers"; no key is a prefix
                         section of another ("a" and "a.b" cannot both be keys) */
    vg_conf_type type;
    size_t offset;    /* offsetof() the field in the caller's settings struct */
    int64_t min, max; /* for INT, DURATION (ms) and BYTES when min < max: inclusive range */
    const char *help; /* one line, for docs and --help */
} vg_conf_key;

/* Loads the YAML file at `path` into `settings` per `keys` (see vg_config_load_buffer).
 * VG_ENOTFOUND when the file does not exist, VG_EIO when it cannot be read. */
int vg_config_load(void *settings, const vg_conf_key *keys, size_t n, const char *path);

/* Loads one YAML document from `buf`; `name` (the file name) starts every message. The top
 * level is a mapping; mappings nest along the dotted paths ("http: {listen: x}" and
 * "http.listen: x" are the same key). A null value (`key:`, `key: ~`) keeps the current
 * value; a STRLIST takes a sequence of scalars or a single scalar (a one-element list).
 * All or nothing: on any error `settings` is unchanged; on success the keys present
 * replace their fields (freeing old strings and lists). Errors:
 *   VG_EINVAL "NAME:LINE:COL: ..." for YAML syntax, a wrong type ("NAME:3:12: http.threads:
 *     expected an integer, got 'many'"), a value out of range, a scalar or sequence where a
 *     section ("auth.psk") needs a mapping, a duplicate key, anchors or aliases (refused
 *     outright: no billion laughs), more than one document;
 *   VG_EINVAL listing every unknown key, one per line: "NAME:LINE: unknown key 'a.b.c'";
 *   VG_ETOOBIG for the VG_CONFIG_MAX_* caps.
 * Thread-safe as long as `settings` is not shared. */
int vg_config_load_buffer(void *settings, const vg_conf_key *keys, size_t n, const char *buf,
                          size_t len, const char *name);

/* Applies environment overrides: for each key, VIGIL_<PATH upper-cased, '.' and other
 * non-alphanumerics -> '_'> (e.g. VIGIL_HTTP_LISTEN), if set, replaces the value (a STRLIST
 * from a comma-separated value; blanks around items and empty items are dropped). All or
 * nothing; VG_EINVAL / VG_ETOOBIG name the variable. Reads the environment (getenv): call
 * it before starting threads. */
int vg_config_apply_env(void *settings, const vg_conf_key *keys, size_t n);

/* Sets the key `path` from the text `value` (same syntax as the environment), for --set
 * path=value and the CLI's own flags. VG_ENOTFOUND for an unknown key, VG_EINVAL /
 * VG_ETOOBIG for a bad value (settings unchanged). */
int vg_config_set(void *settings, const vg_conf_key *keys, size_t n, const char *path,
                  const char *value);

/* Frees the strings and lists that the table's fields own and sets them to NULL; other
 * fields are left as they are. */
void vg_config_dispose(void *settings, const vg_conf_key *keys, size_t n);

/* Parses a duration into milliseconds: digits and an optional unit (blanks may come between),
 * "250ms", "30s", "5m", "6h", "1d"; a bare integer is seconds. No sign, no fractions. VG_EINVAL
 * when malformed, VG_ETOOBIG when over INT64_MAX ms. `*out` is written only on success. */
int vg_parse_duration_ms(int64_t *out, const char *s);

/* Parses a size in bytes: digits and an optional unit (blanks may come between), "512", "64KiB",
 * "4MiB", "1GiB" (powers of 1024, up to EiB) or "10kB"/"10KB", "10MB" (SI powers of 1000, up to
 * EB). VG_EINVAL when malformed, VG_ETOOBIG when over UINT64_MAX. */
int vg_parse_bytes(uint64_t *out, const char *s);

#endif
