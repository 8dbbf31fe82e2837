/* log.c — leveled logging to stderr for the surfaces (cli/, api/) and workers, as text or
 * one JSON object per line. Library code never logs; it returns errors. Every string is
 * escaped and every line capped; one write(2) per line keeps threads from interleaving. */
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

vg_log_level vg_log_threshold = VG_LOG_WARN;
vg_log_format vg_log_fmt = VG_LOG_TEXT;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};
static const char *const format_names[] = {"text", "json"};

static const char *level_name(vg_log_level level)
{
    return level_names[level <= VG_LOG_OFF ? level : VG_LOG_ERROR];
}

static void write_all(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        len -= (size_t)w;
    }
}

static void write_text_line(vg_log_level level, const char *fmt, va_list ap) VG_PRINTF(2, 0);

static void write_text_line(vg_log_level level, const char *fmt, va_list ap)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: ", level_name(level));
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    write_all(line, len);
}

/* ---- escaping ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s[0..n) (1-4), or 0 when s[0] starts none. Refuses
 * overlong forms, surrogates and code points past U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    }
    return len;
}

/* The next output unit for s[0..n): either `*used` input bytes copied as they are (returns
 * NULL), or an escape written into `esc` (returned). JSON: \" \\ \u00XX for C0, DEL and C1
 * controls, \ufffd for a byte that starts no valid UTF-8. TEXT: \" \\ \n \r \t and \xNN. */
static const char *escape_unit(const unsigned char *s, size_t n, bool json, size_t *used,
                               char esc[8], size_t *esc_len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char c = s[0];
    size_t u = utf8_len(s, n);
    *used = u ? u : 1;
    unsigned cp = c;
    if (u == 2)
        cp = ((unsigned)(c & 0x1f) << 6) | (s[1] & 0x3f);
    bool control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
    if (u != 0 && !control && c != '"' && c != '\\')
        return NULL;
    if (c == '"' || c == '\\') {
        esc[0] = '\\';
        esc[1] = (char)c;
        *esc_len = 2;
    } else if (json && u == 0) {
        static const char replacement[] = "\\ufffd";
        *esc_len = sizeof(replacement) - 1;
        return replacement;
    } else if (json) {
        esc[0] = '\\';
        esc[1] = 'u';
        esc[2] = '0';
        esc[3] = '0';
        esc[4] = hex[cp >> 4];
        esc[5] = hex[cp & 15];
        *esc_len = 6;
    } else if (c == '\n' || c == '\r' || c == '\t') {
        esc[0] = '\\';
        esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        *esc_len = 2;
    } else { /* TEXT: the first byte only; a C1 sequence's second byte follows as \xNN */
        *used = 1;
        esc[0] = '\\';
        esc[1] = 'x';
        esc[2] = hex[c >> 4];
        esc[3] = hex[c & 15];
        *esc_len = 4;
    }
    return esc;
}

/* Whether a TEXT value can appear bare: non-empty, no blanks, '=', quotes or escapes. */
static bool text_bare(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return false;
    for (size_t i = 0; i < n;) {
        char esc[8];
        size_t used, esc_len;
        if (s[i] == ' ' || s[i] == '=' ||
            escape_unit((const unsigned char *)s + i, n - i, false, &used, esc, &esc_len))
            return false;
        i += used;
    }
    return true;
}

/* ---- the line ------------------------------------------------------------------------ */

/* What the end of a line needs: JSON `,"truncated":true}` and the newline. */
#define TAIL_RESERVE 20

typedef struct line {
    char buf[VG_LOG_MAX_LINE];
    size_t len;
    size_t end; /* buf[0..end) is for content; the rest is kept for the tail */
    bool json;
    bool dropped; /* a field did not fit */
} line;

static bool put(line *l, const char *s, size_t n)
{
    if (n > l->end - l->len)
        return false;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    return true;
}

static bool puts_(line *l, const char *s)
{
    return put(l, s, strlen(s));
}

/* Appends `s` escaped; with `quote`, between double quotes. A string longer than what is
 * left (at most VG_LOG_MAX_VALUE bytes of output) is cut at a character and ends in "...".
 * Fails, leaving the line as it was, when not even `"..."` fits. */
static bool put_str(line *l, const char *s, bool quote)
{
    size_t close = quote ? 1 : 0;
    size_t room = l->end - l->len;
    if (room > VG_LOG_MAX_VALUE)
        room = VG_LOG_MAX_VALUE;
    if (room < 2 * close + 3)
        return false;
    size_t limit = l->len + room; /* may not pass this, closing quote included */
    if (quote)
        l->buf[l->len++] = '"';
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        char esc[8];
        size_t used, esc_len;
        const char *e =
            escape_unit((const unsigned char *)s + i, n - i, l->json, &used, esc, &esc_len);
        const char *p = e ? e : s + i;
        size_t plen = e ? esc_len : used;
        /* Room for this unit, and if more follows, for "..." after a later one. */
        size_t need = plen + close + (i + used < n ? 3 : 0);
        if (l->len + need > limit) {
            memcpy(l->buf + l->len, "...", 3);
            l->len += 3;
            break;
        }
        memcpy(l->buf + l->len, p, plen);
        l->len += plen;
        i += used;
    }
    if (quote)
        l->buf[l->len++] = '"';
    return true;
}

/* Appends one field: JSON `,"key":value`, TEXT ` key=value`. A field that does not fit is
 * left out and marks the line. */
static void put_field(line *l, const vg_log_field *f)
{
    size_t save = l->len;
    bool ok = puts_(l, l->json ? ",\"" : " ");
    /* Keys are the caller's constants, escaped all the same; never cut. */
    for (const char *k = f->key ? f->key : ""; ok && *k;) {
        char esc[8];
        size_t used, esc_len, kn = strlen(k);
        const char *e = escape_unit((const unsigned char *)k, kn, l->json, &used, esc, &esc_len);
        ok = e ? put(l, e, esc_len) : put(l, k, used);
        k += used;
    }
    ok = ok && puts_(l, l->json ? "\":" : "=");
    if (ok && f->is_num) {
        char num[24];
        int m = snprintf(num, sizeof(num), "%" PRId64, f->num);
        ok = m > 0 && put(l, num, (size_t)m);
    } else if (ok && !f->str) {
        ok = puts_(l, "null");
    } else if (ok) {
        ok = put_str(l, f->str, l->json || !text_bare(f->str));
    }
    if (!ok) {
        l->len = save;
        l->dropped = true;
    }
}

static void line_start(line *l, vg_log_level level, const char *msg)
{
    struct timespec ts;
    struct tm tm;
    char when[40];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t w = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    l->len = 0;
    l->end = sizeof(l->buf) - TAIL_RESERVE;
    l->dropped = false;
    if (l->json) {
        snprintf(when + w, sizeof(when) - w, ".%03ldZ", ts.tv_nsec / 1000000);
        puts_(l, "{\"ts\":\"");
        puts_(l, when);
        puts_(l, "\",\"level\":\"");
        puts_(l, level_name(level));
        puts_(l, "\",\"msg\":");
        put_str(l, msg ? msg : "", true);
    } else {
        snprintf(when + w, sizeof(when) - w, "Z ");
        puts_(l, when);
        puts_(l, level_name(level));
        puts_(l, ": ");
        put_str(l, msg ? msg : "", false);
    }
}

static void line_finish(line *l)
{
    l->end = sizeof(l->buf);
    if (l->json)
        puts_(l, l->dropped ? ",\"truncated\":true}\n" : "}\n");
    else
        puts_(l, l->dropped ? " truncated=true\n" : "\n");
    write_all(l->buf, l->len);
}

static void emit(vg_log_level level, const char *msg, const vg_log_field *fields, size_t n)
{
    line l;
    l.json = vg_log_fmt == VG_LOG_JSON;
    line_start(&l, level, msg);
    for (size_t i = 0; i < n; i++)
        put_field(&l, &fields[i]);
    line_finish(&l);
}

/* ---- the entry points ---------------------------------------------------------------- */

void vg_log_write(vg_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vg_log_fmt == VG_LOG_JSON) {
        char msg[VG_LOG_MAX_LINE]; /* put_str cuts it further and marks the cut */
        vsnprintf(msg, sizeof(msg), fmt, ap);
        emit(level, msg, NULL, 0);
    } else {
        write_text_line(level, fmt, ap);
    }
    va_end(ap);
}

void vg_log_event(vg_log_level level, const char *msg, const vg_log_field *fields, size_t n)
{
    if (level < vg_log_threshold)
        return;
    emit(level, msg, fields, n);
}

int vg_log_level_parse(vg_log_level *out, const char *name)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(level_names); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (vg_log_level)i;
            return 0;
        }
    }
    return vg_error_set(VG_EINVAL, "unknown log level '%s' (want debug, info, warn, error, off)",
                        name);
}

int vg_log_format_parse(vg_log_format *out, const char *name)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(format_names); i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (vg_log_format)i;
            return 0;
        }
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, 256);
    vg_strbuf_put_escaped(&sb, name, strlen(name), 64);
    int rc = vg_error_set(VG_EINVAL, "unknown log format '%s' (want text, json)", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}
