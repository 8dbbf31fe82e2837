/* main.c — the `vigil` command: global flags (--help, --version, --log-level) and dispatch
 * to one cmd_<name>.c per subcommand. A thin surface over the library modules. */
#include "cli.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: vigil [--log-level LEVEL] COMMAND [ARGS]\n"
    "\n"
    "vigil finds known vulnerabilities in container images.\n"
    "\n"
    "Commands:\n"
    "  scan IMAGE            index, match and report vulnerabilities (the CI gate)\n"
    "  index IMAGE           print the image's inventory (Clair v4 IndexReport)\n"
    "  serve                 the HTTP API server (Clair v4 compatible), updates on a schedule\n"
    "  report IMAGE --server URL  ask a vigil/Clair server to index IMAGE; print its report\n"
    "  db status|export|import  the vulnerability database: status, offline bundles\n"
    "  update [--source a,b] fetch vulnerability data (--mirror URL|DIR, --url, --db)\n"
    "  vercmp SCHEME A B     compare two versions; prints <, = or >\n"
    "  vercmp SCHEME -       read \"A B\" lines on stdin, print one result per line\n"
    "\n"
    "Version schemes: dpkg (deb), rpm, apk, semver (npm), go, pep440 (pypi), maven,\n"
    "                 rubygems (gem)\n"
    "\n"
    "Options:\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "  --log-level LEVEL     debug, info, warn (default), error or off\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  findings remain (scan --exit-code)\n"
    "  2  usage error\n"
    "  3  invalid input (for example an invalid version)\n"
    "  4  other failure (I/O, network, store)\n";

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"vercmp", vg_cmd_vercmp}, {"index", vg_cmd_index}, {"db", vg_cmd_db},
    {"update", vg_cmd_update}, {"scan", vg_cmd_scan},   {"serve", vg_cmd_serve},
    {"report", vg_cmd_report},
};

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return VG_EXIT_OK;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("vigil %s\n", VG_VERSION_STRING);
            return VG_EXIT_OK;
        } else if (strcmp(a, "--log-level") == 0 && i + 1 < argc) {
            if (vg_log_level_parse(&vg_log_threshold, argv[++i]) != 0) {
                fprintf(stderr, "vigil: %s\n", vg_error_last());
                return VG_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "vigil: unknown option '%s'\n%s", a, usage);
            return VG_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return VG_EXIT_USAGE;
    }
    for (size_t c = 0; c < VG_ARRAY_LEN(commands); c++) {
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].fn(argc - i, argv + i);
    }
    fprintf(stderr, "vigil: unknown command '%s' (see vigil --help)\n", argv[i]);
    return VG_EXIT_USAGE;
}
