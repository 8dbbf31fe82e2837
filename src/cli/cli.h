/* cli.h — private to src/cli/: the command table shared by main.c and the cmd_<name>.c
 * files, and the exit codes every command uses (documented in `vigil --help`). */
#ifndef VG_CLI_H
#define VG_CLI_H

/* Exit codes. Distinct so that CI scripts can tell a finding from a failure. */
enum {
    VG_EXIT_OK = 0,
    VG_EXIT_FINDINGS = 1, /* scan: findings remain (default for --exit-code) */
    VG_EXIT_USAGE = 2,    /* bad command line */
    VG_EXIT_INVALID = 3,  /* invalid input data (e.g. an invalid version) */
    VG_EXIT_ERROR = 4,    /* any other failure (I/O, network, store) */
};

#include "image/image.h"
#include "index/index.h"
#include "match/match.h"
#include "report/report.h"
#include "store/store.h"

int vg_cmd_vercmp(int argc, char **argv);
int vg_cmd_index(int argc, char **argv);
int vg_cmd_db(int argc, char **argv);
int vg_cmd_update(int argc, char **argv);
int vg_cmd_scan(int argc, char **argv);
int vg_cmd_serve(int argc, char **argv);
int vg_cmd_report(int argc, char **argv);

/* Image-access flags shared by the commands that read images (image_opts.c). */
typedef struct vg_cli_image_opts {
    vg_image_opts opts;
    vg_index_limits index_limits;
    char *password; /* owned copy read by --password-stdin */
} vg_cli_image_opts;

void vg_cli_image_opts_init(vg_cli_image_opts *o);
void vg_cli_image_opts_dispose(vg_cli_image_opts *o);
/* If argv[*i] is an image flag, consumes it (and its value) and returns 1; returns 0 if it
 * is not one, -1 on a usage error (already printed). */
int vg_cli_image_opt(vg_cli_image_opts *o, int argc, char **argv, int *i);

/* The store as the indexer's layer cache, and recording a scanned manifest (store_cache.c). */
void vg_cli_layer_cache(vg_layer_cache *out, vg_store *s);
int vg_cli_record_manifest(vg_store *s, const vg_index_report *r);

/* The per-layer progress line on stderr (progress.c): NULL when stderr is not a terminal;
 * _done clears the line. */
const vg_index_progress *vg_cli_progress(void);
void vg_cli_progress_done(void);

/* The report flags of `scan` and `report` and the rendering step (output.c). */
typedef struct vg_cli_output {
    const char *format, *severity, *ignore_file;
    int exit_code;
    bool no_color;
    vg_report_format fmt;
    vg_filter filter;
} vg_cli_output;

void vg_cli_output_init(vg_cli_output *o);
void vg_cli_output_dispose(vg_cli_output *o);
/* Like vg_cli_image_opt: 1 when argv[*i] was a report flag (consumed), 0 when not, -1 on a
 * usage error (printed). */
int vg_cli_output_opt(vg_cli_output *o, const char *cmd, int argc, char **argv, int *i);
/* Parses the format and severities and loads the ignore file: 0 or an exit code. */
int vg_cli_output_ready(vg_cli_output *o, const char *cmd);
/* Filters `vr`, prints it, and returns the exit status (exit_code when findings remain). */
int vg_cli_output_render(vg_cli_output *o, vg_vuln_report *vr, const char *image_ref);

/* Prints "vigil: <what>: <last error>" and returns the exit code for the last error. */
int vg_cli_fail(const char *what);

#endif
