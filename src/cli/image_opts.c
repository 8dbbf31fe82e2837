/* image_opts.c — the image-access flags shared by every command that reads an image
 * (index, scan, report): --platform, --username, --password-stdin, --insecure, --ca-file.
 * The password is read from stdin, never from the command line, and never printed. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cap on a password read from stdin. */
#define PASSWORD_MAX 4096

static char *read_password(void)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, PASSWORD_MAX);
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        vg_strbuf_putc(&sb, (char)c);
    if (vg_strbuf_error(&sb)) {
        vg_strbuf_dispose(&sb);
        return NULL;
    }
    if (sb.len && sb.buf[sb.len - 1] == '\r')
        sb.buf[--sb.len] = '\0';
    return vg_strbuf_detach(&sb);
}

int vg_cli_image_opt(vg_cli_image_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(a, "--insecure") == 0) {
        o->opts.insecure = true;
        return 1;
    }
    if (strcmp(a, "--password-stdin") == 0) {
        free(o->password);
        o->password = read_password();
        if (!o->password) {
            fprintf(stderr, "vigil: --password-stdin: password longer than %d bytes\n",
                    PASSWORD_MAX);
            return -1;
        }
        o->opts.password = o->password;
        return 1;
    }
    const char **slot = NULL;
    if (strcmp(a, "--platform") == 0)
        slot = &o->opts.platform;
    else if (strcmp(a, "--username") == 0)
        slot = &o->opts.username;
    else if (strcmp(a, "--ca-file") == 0)
        slot = &o->opts.ca_file;
    if (!slot)
        return 0;
    if (!val) {
        fprintf(stderr, "vigil: %s needs a value\n", a);
        return -1;
    }
    *slot = val;
    (*i)++;
    return 1;
}

void vg_cli_image_opts_init(vg_cli_image_opts *o)
{
    vg_image_opts_default(&o->opts);
    o->password = NULL;
}

void vg_cli_image_opts_dispose(vg_cli_image_opts *o)
{
    free(o->password);
    o->password = NULL;
}
