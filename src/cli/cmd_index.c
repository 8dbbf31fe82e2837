/* cmd_index.c — `vigil index IMAGE`: indexes every layer of an image and prints the
 * IndexReport, as Clair v4 JSON (default) or as a table of packages with the layer that
 * introduced each; files the scanners had to skip are listed on stderr as warnings. */
#include "cli.h"
#include "index/index.h"
#include "report/report.h"

#include <stdio.h>
#include <string.h>

static const char index_usage[] =
    "usage: vigil index [OPTIONS] IMAGE\n"
    "Takes the inventory of IMAGE (distribution, packages, the layer that introduced each)\n"
    "and prints it as a Clair v4 IndexReport.\n"
    "\n"
    "IMAGE: docker-archive:PATH | oci:DIR[:TAG] | oci-archive:PATH[:TAG] | rootfs:DIR |\n"
    "       registry:HOST[:PORT]/REPO[:TAG|@sha256:...] | a bare path or reference\n"
    "\n"
    "Options:\n"
    "  --format json|table   output format (default json)\n"
    "  --db PATH             use the store's layer cache and record the manifest there\n"
    "  -v, --verbose         say how many layers came from the layer cache\n"
    "  --platform OS/ARCH[/VARIANT]  platform to pick from a multi-platform image\n"
    "  --username USER       registry user (password with --password-stdin)\n"
    "  --password-stdin      read the registry password from stdin\n"
    "  --insecure            no TLS verification; allow plain-HTTP registries\n"
    "  --ca-file FILE        extra CA certificates for the registry\n"
    "  --limit NAME=VALUE    change a cap (K/M/G suffixes): max_manifest_bytes (4M),\n"
    "                        max_layers (256), max_layer_bytes (32G), max_ratio (1000, past\n"
    "                        max_ratio_floor 64M), max_entries (1000000), max_path (4096),\n"
    "                        max_file_bytes (256M), max_total_bytes (1G), max_pkgs (200000),\n"
    "                        max_gobin_scan (64M), max_java_depth (4), max_java_bytes (256M),\n"
    "                        max_java_entries (500000)\n";

int vg_cli_fail(const char *what)
{
    fprintf(stderr, "vigil: %s: %s\n", what, vg_error_last());
    switch (vg_error_code()) {
    case VG_EINVAL:
    case VG_ETOOBIG:
        return VG_EXIT_INVALID;
    default:
        return VG_EXIT_ERROR;
    }
}

static void print_table(const vg_index_report *r)
{
    if (r->n_dists)
        printf("distribution: %s (%s, from %s)\n",
               r->dists[0].pretty_name ? r->dists[0].pretty_name
               : r->dists[0].did       ? r->dists[0].did
                                       : "?",
               r->dists[0].ns ? r->dists[0].ns : "?",
               r->dists[0].found_in ? r->dists[0].found_in : "?");
    else
        printf("distribution: none found\n");
    printf("packages: %zu\n\n", r->n_pkgs);
    printf("%-32s %-28s %-24s %s\n", "PACKAGE", "VERSION", "SOURCE", "LAYER");
    for (size_t i = 0; i < r->n_pkgs; i++) {
        const vg_package *p = &r->pkgs[i].pkg;
        const char *layer = p->introduced_in ? p->introduced_in : "";
        if (strncmp(layer, "sha256:", 7) == 0)
            layer += 7;
        printf("%-32s %-28s %-24s %.12s\n", p->name, p->version,
               p->source_name ? p->source_name : p->name, layer);
    }
}

int vg_cmd_index(int argc, char **argv)
{
    vg_cli_image_opts io;
    vg_cli_image_opts_init(&io);
    const char *format = "json", *ref = NULL, *db = NULL;
    bool verbose = false;
    vg_store *store = NULL;
    int status = VG_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        int k = vg_cli_image_opt(&io, argc, argv, &i);
        if (k < 0)
            goto out;
        if (k > 0)
            continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(index_usage, stdout);
            status = VG_EXIT_OK;
            goto out;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            format = argv[++i];
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            verbose = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "vigil index: unknown option '%s'\n%s", argv[i], index_usage);
            goto out;
        } else if (!ref) {
            ref = argv[i];
        } else {
            fprintf(stderr, "vigil index: one IMAGE only\n%s", index_usage);
            goto out;
        }
    }
    if (!ref || (strcmp(format, "json") != 0 && strcmp(format, "table") != 0)) {
        fputs(index_usage, stderr);
        goto out;
    }
    /* With --db, layers come from (and go to) the store's layer cache, and the manifest is
     * recorded, exactly as `vigil scan` does. */
    if (db && vg_store_open(&store, db) != 0) {
        status = vg_cli_fail(db);
        goto out;
    }
    vg_layer_cache cache;
    if (store)
        vg_cli_layer_cache(&cache, store);
    vg_index_stats st;
    vg_index_report *r = NULL;
    int irc = vg_index_image_cached(&r, &st, ref, &io.opts, &io.index_limits, store ? &cache : NULL,
                                    vg_cli_progress());
    vg_cli_progress_done();
    if (irc != 0) {
        status = vg_cli_fail(ref);
        goto out;
    }
    if (verbose)
        fprintf(stderr, "vigil: layer cache: %zu layers, %zu cached, %zu indexed%s\n", st.layers,
                st.cached, st.indexed, store ? "" : " (no --db: no cache)");
    if (store && vg_cli_record_manifest(store, r) != 0)
        fprintf(stderr, "vigil: warning: could not record the manifest: %s\n", vg_error_last());
    /* Files the language scanners skipped (their messages escape what came from the image). */
    for (size_t i = 0; i < r->n_warnings; i++)
        fprintf(stderr, "vigil: warning: %s\n", r->warnings[i]);
    if (r->warnings_dropped)
        fprintf(stderr, "vigil: warning: %zu more warnings not shown\n", r->warnings_dropped);
    if (strcmp(format, "table") == 0) {
        print_table(r);
    } else {
        vg_strbuf sb;
        vg_strbuf_init(&sb, (size_t)1 << 30);
        if (vg_report_index_json(&sb, r) == 0)
            fwrite(sb.buf, 1, sb.len, stdout);
        vg_strbuf_dispose(&sb);
    }
    vg_index_report_free(r);
    status = fflush(stdout) == 0 ? VG_EXIT_OK : VG_EXIT_ERROR;
out:
    vg_store_close(store);
    vg_cli_image_opts_dispose(&io);
    return status;
}
