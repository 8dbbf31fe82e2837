/* purl.c — package URLs (https://github.com/package-url/purl-spec) for every package vigil
 * reports: the language scanners call vg__purl for their own packages, the coalescer builds
 * the deb and apk ones once the distribution is known. Percent-encoding follows the spec's
 * reference implementation (packageurl-python): all but ALPHA DIGIT . - _ ~ and ':'. */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

static bool unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == '~' || c == ':';
}

static void put_encoded(vg_strbuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c)) {
            vg_strbuf_putc(out, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            vg_strbuf_append(out, esc, 3);
        }
    }
}

static int qualifier_cmp(const void *x, const void *y)
{
    return strcmp(((const vg_purl_qualifier *)x)->key, ((const vg_purl_qualifier *)y)->key);
}

int vg__purl_build(vg_strbuf *out, const char *type, const char *ns, const char *name,
                   const char *version, const vg_purl_qualifier *q, size_t nq)
{
    vg_strbuf_reset(out);
    vg_strbuf_puts(out, "pkg:");
    vg_strbuf_puts(out, type);
    vg_strbuf_putc(out, '/');
    if (ns) {
        /* Empty segments (leading, trailing or doubled '/') are dropped, as the spec says. */
        const char *p = ns;
        while (*p) {
            const char *seg = p;
            while (*p && *p != '/')
                p++;
            if (p > seg) {
                put_encoded(out, seg, (size_t)(p - seg));
                vg_strbuf_putc(out, '/');
            }
            if (*p)
                p++;
        }
    }
    put_encoded(out, name, strlen(name));
    if (version && *version) {
        vg_strbuf_putc(out, '@');
        put_encoded(out, version, strlen(version));
    }
    vg_purl_qualifier sorted[16];
    size_t n = 0;
    for (size_t i = 0; i < nq && n < VG_ARRAY_LEN(sorted); i++)
        if (q[i].value && *q[i].value)
            sorted[n++] = q[i];
    if (n > 1)
        qsort(sorted, n, sizeof(*sorted), qualifier_cmp);
    for (size_t i = 0; i < n; i++) {
        vg_strbuf_putc(out, i ? '&' : '?');
        vg_strbuf_puts(out, sorted[i].key);
        vg_strbuf_putc(out, '=');
        put_encoded(out, sorted[i].value, strlen(sorted[i].value));
    }
    return vg_strbuf_error(out);
}

const char *vg__purl(vg_layer_result *r, const char *type, const char *ns, const char *name,
                     const char *version, const vg_purl_qualifier *q, size_t nq)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_PURL_MAX);
    const char *purl = NULL;
    if (vg__purl_build(&sb, type, ns, name, version, q, nq) == 0)
        purl = vg_layer_result_strndup(r, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
    return purl;
}

void vg__pep503_normalize(vg_strbuf *out, const char *name, size_t n)
{
    vg_strbuf_reset(out);
    bool sep = false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.') {
            sep = true;
            continue;
        }
        if (sep)
            vg_strbuf_putc(out, '-');
        sep = false;
        vg_strbuf_putc(out, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
    }
    if (sep)
        vg_strbuf_putc(out, '-');
}
