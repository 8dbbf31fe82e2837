/* output.c — the report flags and the rendering step shared by `vigil scan` and `vigil
 * report`: --format, --severity, --ignore-unfixed, --ignore-file, --exit-code, --no-color;
 * filtering a vulnerability report, printing it, and the exit status a CI gate sees. */
#include "cli.h"
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void vg_cli_output_init(vg_cli_output *o)
{
    memset(o, 0, sizeof(*o));
    o->format = "table";
    vg_filter_init(&o->filter);
}

void vg_cli_output_dispose(vg_cli_output *o)
{
    vg_filter_dispose(&o->filter);
}

int vg_cli_output_opt(vg_cli_output *o, const char *cmd, int argc, char **argv, int *i)
{
    const char *s = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    const char **slot = NULL;
    if (strcmp(s, "--ignore-unfixed") == 0) {
        o->filter.ignore_unfixed = true;
        return 1;
    } else if (strcmp(s, "--no-color") == 0) {
        o->no_color = true;
        return 1;
    } else if (strcmp(s, "--format") == 0) {
        slot = &o->format;
    } else if (strcmp(s, "--severity") == 0) {
        slot = &o->severity;
    } else if (strcmp(s, "--ignore-file") == 0) {
        slot = &o->ignore_file;
    } else if (strcmp(s, "--exit-code") == 0) {
        uint64_t n;
        if (!v || vg_parse_u64(&n, vg_slice_from_cstr(v)) != 0 || n > 255) {
            fprintf(stderr, "vigil %s: --exit-code wants a number 0-255\n", cmd);
            return -1;
        }
        o->exit_code = (int)n;
        (*i)++;
        return 1;
    } else {
        return 0;
    }
    if (!v) {
        fprintf(stderr, "vigil %s: %s needs a value\n", cmd, s);
        return -1;
    }
    *slot = v;
    (*i)++;
    return 1;
}

int vg_cli_output_ready(vg_cli_output *o, const char *cmd)
{
    if (vg_report_format_parse(&o->fmt, o->format) != 0 ||
        (o->severity && vg_filter_parse_severities(&o->filter, o->severity) != 0)) {
        fprintf(stderr, "vigil %s: %s\n", cmd, vg_error_last());
        return VG_EXIT_USAGE;
    }
    if (o->ignore_file && vg_filter_load_ignore_file(&o->filter, o->ignore_file) != 0)
        return vg_cli_fail(cmd);
    return 0;
}

int vg_cli_output_render(vg_cli_output *o, vg_vuln_report *vr, const char *image_ref)
{
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    vg_filter_stats fs;
    vg_filter_apply(vr, &o->filter, today, &fs);
    for (size_t i = 0; i < fs.n_expired; i++)
        fprintf(stderr, "vigil: ignore file %s:%lu: rule for %s expired on %s; not applied\n",
                o->ignore_file, fs.expired[i]->line, fs.expired[i]->id, fs.expired[i]->expires);
    vg_filter_stats_dispose(&fs);
    vg_render_opts ro = {.color = o->fmt == VG_FORMAT_TABLE && !o->no_color &&
                                  isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
                         .image_ref = image_ref,
                         .tool_version = VG_VERSION_STRING};
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)1 << 30);
    if (vg_report_vuln(&sb, vr, o->fmt, &ro) != 0) {
        vg_strbuf_dispose(&sb);
        return vg_cli_fail("render");
    }
    fwrite(sb.buf, 1, sb.len, stdout);
    vg_strbuf_dispose(&sb);
    if (fflush(stdout) != 0)
        return VG_EXIT_ERROR;
    return vr->n_findings > 0 ? o->exit_code : VG_EXIT_OK;
}
