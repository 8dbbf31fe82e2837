/* log.c — leveled logging to stderr for the surfaces (cli/, api/) and workers. Library
 * code never logs; it returns errors. One write(2) per line keeps threads from interleaving. */
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

vg_log_level vg_log_threshold = VG_LOG_WARN;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void vg_log_write(vg_log_level level, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += snprintf(line + n, sizeof(line) - (size_t)n,
                  "%s: ", level_names[level <= VG_LOG_OFF ? level : VG_LOG_ERROR]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
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
