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

int vg_cmd_vercmp(int argc, char **argv);

#endif
