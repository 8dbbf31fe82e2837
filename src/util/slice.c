/* slice.c — helpers on borrowed {ptr,len} byte runs (h2o's iovec idea), and small
 * cursor-style number parsing used instead of atoi/strtoul on untrusted input. */
#include "util.h"

#include <string.h>

vg_slice vg_slice_from_cstr(const char *s)
{
    return (vg_slice){s, s ? strlen(s) : 0};
}

bool vg_slice_eq_cstr(vg_slice s, const char *c)
{
    size_t n = strlen(c);
    return s.len == n && (n == 0 || memcmp(s.ptr, c, n) == 0);
}

bool vg_slice_starts_with(vg_slice s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && (n == 0 || memcmp(s.ptr, prefix, n) == 0);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

vg_slice vg_slice_trim(vg_slice s)
{
    while (s.len && is_blank(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && is_blank(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

vg_slice vg_slice_split(vg_slice s, char sep, vg_slice *head)
{
    const char *p = s.len ? memchr(s.ptr, sep, s.len) : NULL;
    if (!p) {
        *head = s;
        return (vg_slice){NULL, 0};
    }
    *head = (vg_slice){s.ptr, (size_t)(p - s.ptr)};
    return (vg_slice){p + 1, s.len - (size_t)(p - s.ptr) - 1};
}

int vg_parse_u64(uint64_t *out, vg_slice s)
{
    uint64_t v = 0;
    if (s.len == 0)
        return VG_EINVAL;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned char)s.ptr[i] - '0';
        if (d > 9)
            return VG_EINVAL;
        if (v > (UINT64_MAX - d) / 10)
            return VG_ETOOBIG;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
