/* oracle_dpkg.c — the dpkg reference for the differential test: reads "A B" lines and prints
 * <, =, > or ! per line, exactly as `dpkg --compare-versions` decides (libdpkg's own
 * parseversion and dpkg_version_compare; parse errors refuse, parse warnings compare). */
#define LIBDPKG_VOLATILE_API 1
#include <dpkg/dpkg-db.h>
#include <dpkg/dpkg.h>
#include <dpkg/version.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(struct dpkg_version *v, const char *s)
{
    struct dpkg_error err = DPKG_ERROR_INIT;
    if (*s == '\0' || strcmp(s, "<unknown>") == 0) {
        dpkg_version_blank(v);
        return 0;
    }
    if (parseversion(v, s, &err) < 0) {
        int refused = err.type != DPKG_MSG_WARN;
        dpkg_error_destroy(&err);
        return refused ? -1 : 0;
    }
    return 0;
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *sp = strchr(line, ' ');
        if (!sp) {
            puts("!");
            continue;
        }
        *sp = '\0';
        struct dpkg_version a, b;
        if (parse(&a, line) < 0 || parse(&b, sp + 1) < 0) {
            puts("!");
            continue;
        }
        int c = dpkg_version_compare(&a, &b);
        puts(c < 0 ? "<" : c > 0 ? ">" : "=");
    }
    free(line);
    return 0;
}
