/* image_opts.c — the image-access flags shared by every command that reads an image
 * (index, scan, report): --platform, --username, --password-stdin, --insecure, --ca-file,
 * and --limit NAME=VALUE for every named cap. The password is read from stdin, never from
 * the command line, and never printed. */
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

/* Every cap a user may set, by the name its error messages use. */
static uint64_t *limit_slot(vg_cli_image_opts *o, const char *name, size_t n)
{
    struct {
        const char *name;
        uint64_t *slot;
    } caps[] = {
        {"max_manifest_bytes", &o->opts.limits.max_manifest_bytes},
        {"max_layers", &o->opts.limits.max_layers},
        {"max_layer_bytes", &o->opts.limits.max_layer_bytes},
        {"max_ratio", &o->opts.limits.max_ratio},
        {"max_ratio_floor", &o->opts.limits.max_ratio_floor},
        {"max_entries", &o->opts.limits.max_entries},
        {"max_path", &o->opts.limits.max_path},
        {"max_file_bytes", &o->index_limits.max_file_bytes},
        {"max_total_bytes", &o->index_limits.max_total_bytes},
        {"max_pkgs", &o->index_limits.max_pkgs},
        {"max_gobin_scan", &o->index_limits.max_gobin_scan},
        {"max_java_depth", &o->index_limits.max_java_depth},
        {"max_java_bytes", &o->index_limits.max_java_bytes},
        {"max_java_entries", &o->index_limits.max_java_entries},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(caps); i++)
        if (strlen(caps[i].name) == n && strncmp(caps[i].name, name, n) == 0)
            return caps[i].slot;
    return NULL;
}

/* "NAME=VALUE" with VALUE a number and an optional K, M or G (powers of 1024). */
static int parse_limit(vg_cli_image_opts *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    uint64_t *slot = eq ? limit_slot(o, arg, (size_t)(eq - arg)) : NULL;
    if (!slot) {
        fprintf(stderr,
                "vigil: --limit %s: want NAME=VALUE with NAME one of max_manifest_bytes, "
                "max_layers, max_layer_bytes, max_ratio, max_ratio_floor, max_entries, "
                "max_path, max_file_bytes, max_total_bytes, max_pkgs, max_gobin_scan, "
                "max_java_depth, max_java_bytes, max_java_entries\n",
                arg);
        return -1;
    }
    vg_slice v = vg_slice_from_cstr(eq + 1);
    unsigned shift = 0;
    if (v.len && strchr("KMG", v.ptr[v.len - 1])) {
        shift = v.ptr[v.len - 1] == 'K' ? 10 : v.ptr[v.len - 1] == 'M' ? 20 : 30;
        v.len--;
    }
    uint64_t n;
    if (vg_parse_u64(&n, v) != 0 || n == 0 || n > (UINT64_MAX >> shift)) {
        fprintf(stderr, "vigil: --limit %s: value must be a positive number (K, M, G allowed)\n",
                arg);
        return -1;
    }
    *slot = n << shift;
    return 0;
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
    if (strcmp(a, "--limit") == 0) {
        if (!val) {
            fprintf(stderr, "vigil: --limit needs NAME=VALUE\n");
            return -1;
        }
        (*i)++;
        return parse_limit(o, val) == 0 ? 1 : -1;
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
    vg_index_limits_default(&o->index_limits);
    o->password = NULL;
}

void vg_cli_image_opts_dispose(vg_cli_image_opts *o)
{
    free(o->password);
    o->password = NULL;
}
