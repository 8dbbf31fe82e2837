/* cmd_scan.c — `vigil scan IMAGE`: index the image, match it against the vulnerability data
 * in the store, filter, render (table, json, sarif, cyclonedx) and exit with --exit-code when
 * findings remain: the CI gate. No server needed. */
#include "cli.h"
#include "feed/feed.h"
#include "match/match.h"
#include "report/report.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Vulnerability data older than this gets a warning. */
#define STALE_DATA_SECONDS ((int64_t)7 * 24 * 3600)

static const char scan_usage[] =
    "usage: vigil scan [OPTIONS] IMAGE\n"
    "Indexes IMAGE, matches it against the vulnerability data in the store and prints the\n"
    "findings.\n"
    "\n"
    "Options:\n"
    "  --format table|json|sarif|cyclonedx   output format (default table)\n"
    "  --severity LIST        keep only these severities (UNKNOWN,NEGLIGIBLE,LOW,MEDIUM,\n"
    "                         HIGH,CRITICAL)\n"
    "  --ignore-unfixed       hide findings with no fixed version\n"
    "  --ignore-file FILE     advisory ids to ignore: \"ID [exp:YYYY-MM-DD] [# reason]\"\n"
    "  --exit-code N          exit N when findings remain after the filters (default 0)\n"
    "  --include-kernel-headers  report kernel-header packages too (suppressed by default)\n"
    "  --db PATH              the store (default $VIGIL_DB or ~/.cache/vigil/vigil.db)\n"
    "  --update               run the updaters first (see vigil update)\n"
    "  --mirror URL|DIR       with --update: a feed mirror (default $VIGIL_FEED_MIRROR)\n"
    "  --no-color             plain table even on a terminal\n"
    "  -v, --verbose          say how many layers came from the layer cache\n"
    "  plus the image options of `vigil index` (--platform, --username, --password-stdin,\n"
    "  --insecure, --ca-file, --limit NAME=VALUE)\n"
    "\n"
    "Exit codes: 0 no findings (or --exit-code not given), N findings remain, 2 usage,\n"
    "3 invalid input (image, ignore file), 4 other failure (no vulnerability data, I/O).\n";

typedef struct scan_args {
    const char *db, *mirror, *ref;
    bool include_kernel, update, verbose;
} scan_args;

static int parse_args(scan_args *a, vg_cli_image_opts *io, vg_cli_output *out, int argc,
                      char **argv)
{
    for (int i = 1; i < argc; i++) {
        int k = vg_cli_image_opt(io, argc, argv, &i);
        if (k == 0)
            k = vg_cli_output_opt(out, "scan", argc, argv, &i);
        if (k < 0)
            return VG_EXIT_USAGE;
        if (k > 0)
            continue;
        const char *s = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = NULL;
        if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            fputs(scan_usage, stdout);
            return -1;
        } else if (strcmp(s, "--include-kernel-headers") == 0) {
            a->include_kernel = true;
        } else if (strcmp(s, "--update") == 0) {
            a->update = true;
        } else if (strcmp(s, "--verbose") == 0 || strcmp(s, "-v") == 0) {
            a->verbose = true;
        } else if (strcmp(s, "--db") == 0) {
            slot = &a->db;
        } else if (strcmp(s, "--mirror") == 0) {
            slot = &a->mirror;
        } else if (s[0] == '-' && s[1] != '\0') {
            fprintf(stderr, "vigil scan: unknown option '%s'\n%s", s, scan_usage);
            return VG_EXIT_USAGE;
        } else if (!a->ref) {
            a->ref = s;
        } else {
            fprintf(stderr, "vigil scan: one IMAGE only\n");
            return VG_EXIT_USAGE;
        }
        if (slot) {
            if (!v) {
                fprintf(stderr, "vigil scan: %s needs a value\n", s);
                return VG_EXIT_USAGE;
            }
            *slot = v;
            i++;
        }
    }
    if (!a->ref) {
        fputs(scan_usage, stderr);
        return VG_EXIT_USAGE;
    }
    return 0;
}

/* Runs every updater; failures are reported and the scan continues with older data. */
static void run_updates(vg_store *s, const char *mirror)
{
    vg_feed_opts fo;
    vg_feed_opts_default(&fo);
    fo.mirror = mirror;
    fo.progress = isatty(STDERR_FILENO);
    for (const char *const *src = vg_feed_sources(); *src; src++) {
        vg_feed_result res;
        if (vg_feed_update(&res, s, *src, &fo) != 0)
            fprintf(stderr, "vigil: update %s: %s\n", *src, vg_error_last());
    }
}

/* 0 when the store holds vulnerability data (warning when it is stale), else exit 4. */
static int check_data(vg_store *s)
{
    vg_update_op *ops = NULL;
    size_t n = 0;
    if (vg_store_list_ops(&ops, &n, s, NULL) != 0)
        return vg_cli_fail("store");
    int64_t newest = 0;
    for (size_t i = 0; i < n; i++)
        if (ops[i].date > newest)
            newest = ops[i].date;
    free(ops);
    if (n == 0) {
        fprintf(stderr, "vigil: no vulnerability data in the store: run `vigil update` (or "
                        "`vigil scan --update`) first\n");
        return VG_EXIT_ERROR;
    }
    int64_t age = (int64_t)time(NULL) - newest;
    if (age > STALE_DATA_SECONDS)
        fprintf(stderr,
                "vigil: warning: the vulnerability data is %lld days old; run `vigil "
                "update`\n",
                (long long)(age / 86400));
    return 0;
}

int vg_cmd_scan(int argc, char **argv)
{
    scan_args a = {0};
    vg_cli_image_opts io;
    vg_cli_image_opts_init(&io);
    vg_cli_output out;
    vg_cli_output_init(&out);
    vg_store *store = NULL;
    vg_index_report *index = NULL;
    vg_vuln_report *vr = NULL;
    char *dsn = NULL;
    int status = parse_args(&a, &io, &out, argc, argv);
    if (status != 0) {
        status = status < 0 ? VG_EXIT_OK : status;
        goto out;
    }
    if ((status = vg_cli_output_ready(&out, "scan")) != 0)
        goto out;
    dsn = a.db ? vg_xstrdup(a.db) : vg_store_default_dsn();
    if (vg_store_open(&store, dsn) != 0) {
        status = vg_cli_fail(dsn);
        goto out;
    }
    if (a.update)
        run_updates(store, a.mirror ? a.mirror : getenv("VIGIL_FEED_MIRROR"));
    if ((status = check_data(store)) != 0)
        goto out;
    vg_layer_cache cache;
    vg_cli_layer_cache(&cache, store);
    vg_index_stats st;
    int irc = vg_index_image_cached(&index, &st, a.ref, &io.opts, &io.index_limits, &cache,
                                    vg_cli_progress());
    vg_cli_progress_done();
    if (irc != 0) {
        status = vg_cli_fail(a.ref);
        goto out;
    }
    if (a.verbose)
        fprintf(stderr, "vigil: layer cache: %zu layers, %zu cached, %zu indexed\n", st.layers,
                st.cached, st.indexed);
    if (vg_cli_record_manifest(store, index) != 0)
        fprintf(stderr, "vigil: warning: could not record the manifest: %s\n", vg_error_last());
    vg_match_opts mo;
    vg_match_opts_default(&mo);
    mo.include_kernel_headers = a.include_kernel;
    if (vg_match(&vr, store, index, &mo) != 0) {
        status = vg_cli_fail("match");
        goto out;
    }
    status = vg_cli_output_render(&out, vr, a.ref);
out:
    vg_vuln_report_free(vr);
    vg_index_report_free(index);
    vg_store_close(store);
    free(dsn);
    vg_cli_output_dispose(&out);
    vg_cli_image_opts_dispose(&io);
    return status;
}
