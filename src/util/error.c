/* error.c — the thread-local "last error" of vigil (libgit2-style): a code plus a message,
 * set once at the lowest level that knows what went wrong and read by the surfaces. */
#include "util.h"

#include <stdio.h>

static _Thread_local int last_code;
static _Thread_local char last_msg[1024];

int vg_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
    va_end(ap);
    last_code = code;
    return code;
}

const char *vg_error_last(void)
{
    return last_msg;
}

int vg_error_code(void)
{
    return last_code;
}

void vg_error_clear(void)
{
    last_code = VG_OK;
    last_msg[0] = '\0';
}

const char *vg_error_name(int code)
{
    switch (code) {
    case VG_OK:
        return "ok";
    case VG_EINVAL:
        return "invalid input";
    case VG_ENOTFOUND:
        return "not found";
    case VG_ETOOBIG:
        return "too big";
    case VG_ECONFLICT:
        return "conflict";
    case VG_EIO:
        return "I/O error";
    default:
        return "error";
    }
}
