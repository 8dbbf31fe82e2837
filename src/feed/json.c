/* json.c — JSON helpers shared by the updaters of src/feed/: error messages that name the
 * source, the document and a JSON path; a depth pre-scan before jansson decodes anything; and
 * a lexical cursor that splits a document too large to decode whole into pieces. */
#include "feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_CAP ((size_t)16384)
#define KEY_SHOWN 128 /* bytes of a key quoted in a path */
#define DEPTH_HARD_CAP 100000u

int vg__feed_fail(const vg_feed_ctx *ctx, const char *source, int code, const char *where,
                  const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, MSG_CAP);
    vg_strbuf_printf(&sb, "%s: %s: ", source, ctx && ctx->url ? ctx->url : "?");
    if (where && *where) {
        vg_strbuf_puts(&sb, where);
        vg_strbuf_puts(&sb, ": ");
    }
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    vg_error_set(code, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return code;
}

/* ---- JSON paths ------------------------------------------------------------------------ */

static bool is_ident(const char *k)
{
    if (!*k || (*k >= '0' && *k <= '9'))
        return false;
    for (const char *p = k; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

void vg__jpath_key(vg_strbuf *path, const char *key)
{
    if (path->len == 0)
        vg_strbuf_putc(path, '$');
    if (is_ident(key)) {
        vg_strbuf_putc(path, '.');
        vg_strbuf_puts(path, key);
    } else {
        vg_strbuf_puts(path, "[\"");
        vg_strbuf_put_escaped(path, key, strlen(key), KEY_SHOWN);
        vg_strbuf_puts(path, "\"]");
    }
}

void vg__jpath_index(vg_strbuf *path, size_t i)
{
    if (path->len == 0)
        vg_strbuf_putc(path, '$');
    vg_strbuf_printf(path, "[%zu]", i);
}

void vg__jpath_cut(vg_strbuf *path, size_t len)
{
    if (len < path->len) {
        path->len = len;
        path->buf[len] = '\0';
    }
}

/* ---- arena copies ---------------------------------------------------------------------- */

const char *vg__feed_strdup(const vg_feed_ctx *ctx, const char *s)
{
    return s ? vg_arena_strndup(ctx->arena, s, strlen(s)) : NULL;
}

void *vg__feed_alloc(const vg_feed_ctx *ctx, size_t n)
{
    void *p = vg_arena_alloc(ctx->arena, n ? n : 1);
    memset(p, 0, n ? n : 1);
    return p;
}

/* ---- the cursor ------------------------------------------------------------------------ */

void vg__jcur_where(vg_strbuf *sb, const char *buf, size_t len, size_t off)
{
    size_t line = 1, col = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    vg_strbuf_printf(sb, "line %zu, column %zu", line, col);
}

static int lex_fail(const vg__jcur *c, size_t off, int code, const char *what)
{
    vg_strbuf w;
    vg_strbuf_init(&w, 256);
    vg__jcur_where(&w, c->buf, c->len, off);
    int rc = vg__feed_fail(c->ctx, c->source, code, w.buf, "%s", what);
    vg_strbuf_dispose(&w);
    return rc;
}

void vg__jcur_init(vg__jcur *c, const vg_feed_ctx *ctx, const char *source, const char *buf,
                   size_t len)
{
    memset(c, 0, sizeof(*c));
    c->ctx = ctx;
    c->source = source;
    c->buf = buf;
    c->len = len;
    uint64_t d = ctx && ctx->opts && ctx->opts->max_depth ? ctx->opts->max_depth : 64;
    c->max_depth = d > DEPTH_HARD_CAP ? DEPTH_HARD_CAP : (unsigned)d;
    c->stack = vg_xmalloc(c->max_depth + 1);
}

void vg__jcur_dispose(vg__jcur *c)
{
    free(c->stack);
    c->stack = NULL;
}

static void skip_ws(vg__jcur *c)
{
    while (c->pos < c->len) {
        char ch = c->buf[c->pos];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            break;
        c->pos++;
    }
}

static int truncated(const vg__jcur *c)
{
    return lex_fail(c, c->len, VG_EINVAL, "unexpected end of document (truncated?)");
}

/* At a '"': moves past the closing quote. `*escaped` tells whether a backslash was seen. */
static int scan_string(vg__jcur *c, bool *escaped)
{
    c->pos++;
    bool esc = false;
    while (c->pos < c->len) {
        unsigned char ch = (unsigned char)c->buf[c->pos];
        if (ch == '"') {
            c->pos++;
            if (escaped)
                *escaped = esc;
            return 0;
        }
        if (ch == '\\') {
            esc = true;
            c->pos += 2;
            continue;
        }
        if (ch < 0x20)
            return lex_fail(c, c->pos, VG_EINVAL, "control character in a string");
        c->pos++;
    }
    return truncated(c);
}

static bool literal_char(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           ch == '-' || ch == '+' || ch == '.';
}

/* Skips one value whose own depth is `depth`, checking brackets and nesting. Separators
 * inside it are left for jansson to validate when the value is decoded. */
static int skip_value(vg__jcur *c, unsigned depth)
{
    size_t sp = 0;
    for (;;) {
        skip_ws(c);
        if (c->pos >= c->len)
            return truncated(c);
        char ch = c->buf[c->pos];
        if (ch == '{' || ch == '[') {
            if (depth + sp > c->max_depth) {
                char what[96];
                snprintf(what, sizeof(what), "nesting deeper than %u levels (max_depth)",
                         c->max_depth);
                return lex_fail(c, c->pos, VG_EINVAL, what);
            }
            c->stack[sp++] = ch;
            c->pos++;
            continue;
        }
        if (ch == '}' || ch == ']') {
            if (sp == 0 || c->stack[sp - 1] != (ch == '}' ? '{' : '['))
                return lex_fail(c, c->pos, VG_EINVAL, "unbalanced bracket");
            sp--;
            c->pos++;
        } else if (ch == '"') {
            int rc = scan_string(c, NULL);
            if (rc)
                return rc;
        } else if (ch == ',' || ch == ':') {
            if (sp == 0)
                return lex_fail(c, c->pos, VG_EINVAL, "unexpected separator");
            c->pos++;
            continue;
        } else if (literal_char(ch)) {
            while (c->pos < c->len && literal_char(c->buf[c->pos]))
                c->pos++;
        } else {
            return lex_fail(c, c->pos, VG_EINVAL, "unexpected character");
        }
        if (sp == 0)
            return 0;
    }
}

int vg__jcur_enter(vg__jcur *c, char open, const char *where)
{
    skip_ws(c);
    c->n_members = 0;
    if (c->pos < c->len && c->buf[c->pos] == open) {
        c->pos++;
        return 0;
    }
    if (c->pos >= c->len && c->len == 0)
        return lex_fail(c, 0, VG_EINVAL, "empty document");
    if (c->pos >= c->len)
        return truncated(c);
    vg_strbuf w;
    vg_strbuf_init(&w, 512);
    if (where && *where)
        vg_strbuf_printf(&w, "%s (", where);
    vg__jcur_where(&w, c->buf, c->len, c->pos);
    if (where && *where)
        vg_strbuf_putc(&w, ')');
    int rc = vg__feed_fail(c->ctx, c->source, VG_EINVAL, w.buf, "expected an %s",
                           open == '{' ? "object" : "array");
    vg_strbuf_dispose(&w);
    return rc;
}

/* A member name: plain ASCII is copied as is; escapes and other bytes go through jansson,
 * which also rejects invalid UTF-8 and \u0000. */
static int decode_key(const char **out, const vg__jcur *c, size_t start, size_t end, bool esc)
{
    for (size_t i = start; !esc && i < end; i++)
        esc = (unsigned char)c->buf[i] >= 0x80;
    if (!esc) {
        *out = vg_arena_strndup(c->ctx->arena, c->buf + start + 1, end - start - 2);
        return 0;
    }
    json_error_t err;
    json_t *j = json_loadb(c->buf + start, end - start, JSON_DECODE_ANY, &err);
    if (!j || !json_is_string(j)) {
        json_decref(j);
        return lex_fail(c, start, VG_EINVAL, "invalid member name");
    }
    *out = vg_arena_strndup(c->ctx->arena, json_string_value(j), json_string_length(j));
    json_decref(j);
    return 0;
}

int vg__jcur_member(vg__jcur *c, const char **key, size_t *off, size_t *len, unsigned depth)
{
    skip_ws(c);
    if (c->pos >= c->len)
        return truncated(c);
    if (c->buf[c->pos] == '}') {
        c->pos++;
        return 0;
    }
    if (c->n_members > 0) {
        if (c->buf[c->pos] != ',')
            return lex_fail(c, c->pos, VG_EINVAL, "expected ',' or '}'");
        c->pos++;
        skip_ws(c);
        if (c->pos >= c->len)
            return truncated(c);
    }
    if (c->buf[c->pos] != '"')
        return lex_fail(c, c->pos, VG_EINVAL, "expected a member name");
    size_t kstart = c->pos;
    bool esc = false;
    int rc = scan_string(c, &esc);
    if (rc)
        return rc;
    rc = decode_key(key, c, kstart, c->pos, esc);
    if (rc)
        return rc;
    skip_ws(c);
    if (c->pos >= c->len)
        return truncated(c);
    if (c->buf[c->pos] != ':')
        return lex_fail(c, c->pos, VG_EINVAL, "expected ':'");
    c->pos++;
    skip_ws(c);
    *off = c->pos;
    rc = skip_value(c, depth);
    if (rc)
        return rc;
    *len = c->pos - *off;
    c->n_members++;
    return 1;
}

int vg__jcur_finish(vg__jcur *c)
{
    skip_ws(c);
    if (c->pos < c->len)
        return lex_fail(c, c->pos, VG_EINVAL, "unexpected data after the document");
    return 0;
}

int vg__jcur_decode(json_t **out, const vg__jcur *c, size_t off, size_t len)
{
    json_error_t err;
    json_t *j = json_loadb(c->buf + off, len, JSON_DECODE_ANY, &err);
    if (!j) {
        size_t at = off + (err.position > 0 ? (size_t)err.position : 0);
        return lex_fail(c, at, VG_EINVAL, err.text);
    }
    *out = j;
    return 0;
}

int vg__feed_json_load(json_t **out, const vg_feed_ctx *ctx, const char *source, const char *buf,
                       size_t len)
{
    vg__jcur c;
    vg__jcur_init(&c, ctx, source, buf, len);
    int rc;
    skip_ws(&c);
    if (c.pos >= c.len)
        rc = lex_fail(&c, 0, VG_EINVAL, "empty document");
    else
        rc = skip_value(&c, 1);
    if (rc == 0)
        rc = vg__jcur_finish(&c);
    if (rc == 0)
        rc = vg__jcur_decode(out, &c, 0, len);
    vg__jcur_dispose(&c);
    return rc;
}

const char *vg__json_type_name(const json_t *j, bool integers)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return integers ? "an integer" : "a number";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}
