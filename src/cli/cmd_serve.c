/* cmd_serve.c — `vigil serve`: builds the server's settings (defaults, then --config FILE, then
 * VIGIL_* environment variables, then flags), checks them (--check-config stops there and
 * reports every problem, unknown keys with their lines), then runs the API server until
 * SIGTERM. A thin surface over src/api/. */
#include "api/api.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char serve_usage[] =
    "usage: vigil serve [OPTIONS]\n"
    "Runs the HTTP API (Clair v4 compatible), the update scheduler and the metrics endpoint.\n"
    "\n"
    "Options:\n"
    "  --config FILE         YAML settings (see docs/CONFIG.md)\n"
    "  --check-config        validate the settings and exit (0 valid, 2 invalid)\n"
    "  --listen HOST:PORT    http.listen (default 127.0.0.1:6060; port 0: any free port)\n"
    "  --db DSN              store.dsn (default $VIGIL_DB or ~/.cache/vigil/vigil.db)\n"
    "  --mirror URL|DIR      updaters.mirror\n"
    "  --ready-file FILE     http.ready_file: written with the base URL once listening\n"
    "  --set KEY=VALUE       any setting by its YAML key (repeatable)\n"
    "  --log-level LEVEL     log.level\n"
    "\n"
    "Precedence: flags over VIGIL_<KEY> environment variables (VIGIL_HTTP_LISTEN, ...) over\n"
    "the config file over defaults.\n";

static int set_key(vg_serve_config *c, const char *key, const char *value)
{
    int rc = vg_config_set(c, vg_serve_config_keys, vg_serve_config_n_keys, key, value);
    if (rc != 0)
        fprintf(stderr, "vigil serve: %s\n", vg_error_last());
    return rc;
}

int vg_cmd_serve(int argc, char **argv)
{
    vg_serve_config c;
    vg_serve_config_default(&c);
    const char *config = NULL;
    bool check_only = false;
    int rc = VG_EXIT_USAGE;
    /* First pass: the config file, so that flags (second pass) override it. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[++i];
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(serve_usage, stdout);
            rc = VG_EXIT_OK;
            goto out;
        }
    }
    if (config && vg_config_load(&c, vg_serve_config_keys, vg_serve_config_n_keys, config) != 0) {
        fprintf(stderr, "vigil serve: %s\n", vg_error_last());
        goto out;
    }
    if (vg_config_apply_env(&c, vg_serve_config_keys, vg_serve_config_n_keys) != 0) {
        fprintf(stderr, "vigil serve: %s\n", vg_error_last());
        goto out;
    }
    static const struct {
        const char *flag, *key;
    } flags[] = {
        {"--listen", "http.listen"},     {"--db", "store.dsn"},
        {"--mirror", "updaters.mirror"}, {"--ready-file", "http.ready_file"},
        {"--log-level", "log.level"},
    };
    for (int i = 1; i < argc && argv[i]; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--config") == 0) {
            i++;
            continue;
        }
        if (strcmp(a, "--check-config") == 0) {
            check_only = true;
            continue;
        }
        bool done = false;
        for (size_t f = 0; f < VG_ARRAY_LEN(flags) && !done; f++) {
            if (strcmp(a, flags[f].flag) == 0) {
                if (!v) {
                    fprintf(stderr, "vigil serve: %s needs a value\n", a);
                    goto out;
                }
                if (set_key(&c, flags[f].key, v) != 0)
                    goto out;
                i++;
                done = true;
            }
        }
        if (done)
            continue;
        if (strcmp(a, "--set") == 0 && v) {
            const char *eq = strchr(v, '=');
            if (!eq) {
                fprintf(stderr, "vigil serve: --set wants KEY=VALUE, got '%s'\n", v);
                goto out;
            }
            char *key = vg_xstrndup(v, (size_t)(eq - v));
            int e = set_key(&c, key, eq + 1);
            free(key);
            if (e != 0)
                goto out;
            i++;
            continue;
        }
        fprintf(stderr, "vigil serve: unknown option '%s'\n%s", a, serve_usage);
        goto out;
    }
    if (vg_serve_config_check(&c) != 0) {
        fprintf(stderr, "vigil serve: %s\n", vg_error_last());
        goto out;
    }
    if (check_only) {
        printf("%s: configuration is valid\n", config ? config : "(defaults)");
        rc = VG_EXIT_OK;
        goto out;
    }
    vg_log_level_parse(&vg_log_threshold, c.log_level);
    vg_log_fmt = c.log_format && strcmp(c.log_format, "text") == 0 ? VG_LOG_TEXT : VG_LOG_JSON;
    rc = vg_serve_run(&c) == 0 ? VG_EXIT_OK : vg_cli_fail("serve");
out:
    vg_config_dispose(&c, vg_serve_config_keys, vg_serve_config_n_keys);
    return rc;
}
