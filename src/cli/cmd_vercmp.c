/* cmd_vercmp.c — `vigil vercmp SCHEME A B` and the batch form `vigil vercmp SCHEME -`,
 * which reads "A B" lines on stdin and prints one of <, =, > (or ! for an invalid pair,
 * explained on stderr with its line number) per line. Exit 3 if any version was invalid. */
#include "cli.h"
#include "util/util.h"
#include "version/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cap on one stdin line; longer lines are reported and skipped, never buffered whole. */
#define VERCMP_MAX_LINE 65536

static const char vercmp_usage[] =
    "usage: vigil vercmp SCHEME A B\n"
    "       vigil vercmp SCHEME -    (reads \"A B\" lines on stdin)\n"
    "Prints <, = or > for A compared with B. Schemes: dpkg, rpm, apk, semver, go, pep440,\n"
    "maven, rubygems. Exit 3 when a version is invalid for the scheme.\n";

static char result_char(int c)
{
    return c < 0 ? '<' : c > 0 ? '>' : '=';
}

/* Returns the next blank-separated field of *cur, NUL-terminated in place, or NULL. */
static char *next_field(char **cur)
{
    char *p = *cur;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return NULL;
    char *start = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = '\0';
    *cur = p;
    return start;
}

static int batch(vg_scheme scheme)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int status = VG_EXIT_OK;
    vg_strbuf out;
    vg_strbuf_init(&out, 0);

    while ((n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        if (n > VERCMP_MAX_LINE) {
            fprintf(stderr, "vigil: vercmp: line %lu: longer than %d bytes\n", lineno,
                    VERCMP_MAX_LINE);
            vg_strbuf_puts(&out, "!\n");
            status = VG_EXIT_INVALID;
            continue;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        char *cur = line;
        char *a = next_field(&cur);
        char *b = a ? next_field(&cur) : NULL;
        char *extra = b ? next_field(&cur) : NULL;
        int c = 0;
        if (!a || !b || extra) {
            fprintf(stderr, "vigil: vercmp: line %lu: want two versions separated by a blank\n",
                    lineno);
            vg_strbuf_puts(&out, "!\n");
            status = VG_EXIT_INVALID;
        } else if (vg_version_compare(&c, scheme, a, b) != 0) {
            fprintf(stderr, "vigil: vercmp: line %lu: %s\n", lineno, vg_error_last());
            vg_strbuf_puts(&out, "!\n");
            status = VG_EXIT_INVALID;
        } else {
            char r[2] = {result_char(c), '\n'};
            vg_strbuf_append(&out, r, 2);
        }
        if (out.len >= (size_t)1 << 16) {
            fwrite(out.buf, 1, out.len, stdout);
            vg_strbuf_reset(&out);
        }
    }
    fwrite(out.buf, 1, out.len, stdout);
    vg_strbuf_dispose(&out);
    free(line);
    if (fflush(stdout) != 0) {
        perror("vigil: vercmp: stdout");
        return VG_EXIT_ERROR;
    }
    return status;
}

int vg_cmd_vercmp(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(vercmp_usage, stdout);
        return VG_EXIT_OK;
    }
    if (!(argc == 4 || (argc == 3 && strcmp(argv[2], "-") == 0))) {
        fputs(vercmp_usage, stderr);
        return VG_EXIT_USAGE;
    }
    vg_scheme scheme;
    if (vg_version_scheme_lookup(&scheme, argv[1]) != 0) {
        fprintf(stderr, "vigil: vercmp: '%s': %s\n", argv[1], vg_error_last());
        return VG_EXIT_USAGE;
    }
    if (argc == 3)
        return batch(scheme);
    int c;
    if (vg_version_compare(&c, scheme, argv[2], argv[3]) != 0) {
        fprintf(stderr, "vigil: vercmp: %s\n", vg_error_last());
        return VG_EXIT_INVALID;
    }
    printf("%c\n", result_char(c));
    return VG_EXIT_OK;
}
