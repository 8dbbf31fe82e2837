/* strbuf.c — the one growable string type of vigil (curl's dynbuf idea): always
 * NUL-terminated, capped, with a sticky VG_ETOOBIG error once the cap is passed. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_str[1];

void vg_strbuf_init(vg_strbuf *sb, size_t limit)
{
    sb->buf = empty_str;
    sb->len = 0;
    sb->cap_alloc = 0;
    sb->limit = limit ? limit : VG_STRBUF_DEFAULT_LIMIT;
    sb->err = 0;
}

void vg_strbuf_dispose(vg_strbuf *sb)
{
    if (sb->cap_alloc)
        free(sb->buf);
    vg_strbuf_init(sb, sb->limit);
}

void vg_strbuf_reset(vg_strbuf *sb)
{
    sb->len = 0;
    sb->err = 0;
    if (sb->cap_alloc)
        sb->buf[0] = '\0';
}

static int grow(vg_strbuf *sb, size_t add)
{
    if (sb->err)
        return sb->err;
    if (add > sb->limit - sb->len) {
        sb->err = VG_ETOOBIG;
        return sb->err;
    }
    size_t need = sb->len + add + 1;
    if (need <= sb->cap_alloc)
        return 0;
    size_t cap = sb->cap_alloc ? sb->cap_alloc : 64;
    while (cap < need)
        cap *= 2;
    if (cap > sb->limit + 1)
        cap = sb->limit + 1;
    if (sb->cap_alloc) {
        sb->buf = vg_xrealloc(sb->buf, cap);
    } else {
        sb->buf = vg_xmalloc(cap);
        sb->buf[0] = '\0';
    }
    sb->cap_alloc = cap;
    return 0;
}

int vg_strbuf_append(vg_strbuf *sb, const char *p, size_t n)
{
    int rc = grow(sb, n);
    if (rc)
        return rc;
    if (n == 0)
        return 0;
    memcpy(sb->buf + sb->len, p, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
    return 0;
}

int vg_strbuf_puts(vg_strbuf *sb, const char *s)
{
    return vg_strbuf_append(sb, s, strlen(s));
}

int vg_strbuf_putc(vg_strbuf *sb, char c)
{
    return vg_strbuf_append(sb, &c, 1);
}

int vg_strbuf_vprintf(vg_strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return VG_ERROR;
    int rc = grow(sb, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int vg_strbuf_printf(vg_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vg_strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

int vg_strbuf_put_escaped(vg_strbuf *sb, const char *s, size_t n, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t shown = n < max ? n : max;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            vg_strbuf_putc(sb, (char)c);
        } else if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            vg_strbuf_append(sb, e, 2);
        } else {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            vg_strbuf_append(sb, e, 4);
        }
    }
    if (shown < n)
        vg_strbuf_puts(sb, "...");
    return sb->err;
}

int vg_strbuf_error(const vg_strbuf *sb)
{
    return sb->err;
}

char *vg_strbuf_detach(vg_strbuf *sb)
{
    char *p = sb->cap_alloc ? sb->buf : vg_xstrdup("");
    vg_strbuf_init(sb, sb->limit);
    return p;
}
