/* config_fuzzer.c — fuzz target for the YAML configuration loader (src/util/config.c) over a
 * small key table with every type. Besides crashes and leaks it aborts when an error has an
 * unexpected code or does not start with the file name, or when a failed load changed the
 * settings; the first line is also fed to vg_config_set and the value parsers. */
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct settings {
    char *listen;
    int64_t threads;
    bool tls;
    int64_t timeout_ms;
    uint64_t max_body;
    char **issuers;
    char *db;
} settings;

static const vg_conf_key keys[] = {
    {"http.listen", VG_CONF_STRING, offsetof(settings, listen), 0, 0, "listen"},
    {"http.threads", VG_CONF_INT, offsetof(settings, threads), 1, 256, "threads"},
    {"http.tls", VG_CONF_BOOL, offsetof(settings, tls), 0, 0, "tls"},
    {"http.timeout", VG_CONF_DURATION, offsetof(settings, timeout_ms), 1000, 3600000, "timeout"},
    {"http.max_body", VG_CONF_BYTES, offsetof(settings, max_body), 1024, 1 << 30, "max body"},
    {"auth.psk.issuers", VG_CONF_STRLIST, offsetof(settings, issuers), 0, 0, "issuers"},
    {"db", VG_CONF_STRING, offsetof(settings, db), 0, 0, "db"},
};

static void check_error(int rc, const char *prefix)
{
    if (rc != VG_EINVAL && rc != VG_ETOOBIG && rc != VG_ENOTFOUND)
        abort();
    if (strncmp(vg_error_last(), prefix, strlen(prefix)) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    settings s = {0};
    s.listen = vg_xstrdup(":6060");
    s.threads = 8;
    s.issuers = vg_xcalloc(1, sizeof(char *));
    char *old_listen = s.listen;
    char **old_issuers = s.issuers;

    vg_error_clear();
    int rc =
        vg_config_load_buffer(&s, keys, VG_ARRAY_LEN(keys), (const char *)data, size, "fuzz.yaml");
    if (rc != 0) {
        check_error(rc, "fuzz.yaml");
        if (rc == VG_ENOTFOUND || s.listen != old_listen || s.issuers != old_issuers ||
            s.threads != 8 || s.db)
            abort();
    } else if (s.threads < 1 || s.threads > 256) {
        abort();
    }

    /* The first line as "key=value" through vg_config_set, and as a duration and a size. */
    const char *nl = memchr(data, '\n', size);
    char *line = vg_xstrndup((const char *)data, nl ? (size_t)(nl - (const char *)data) : size);
    char *eq = strchr(line, '=');
    if (eq) {
        *eq = '\0';
        rc = vg_config_set(&s, keys, VG_ARRAY_LEN(keys), line, eq + 1);
        if (rc != 0)
            check_error(rc, "");
        *eq = '=';
    }
    int64_t ms;
    uint64_t bytes;
    rc = vg_parse_duration_ms(&ms, line);
    if (rc != 0 && rc != VG_EINVAL && rc != VG_ETOOBIG)
        abort();
    if (rc == 0 && ms < 0)
        abort();
    rc = vg_parse_bytes(&bytes, line);
    if (rc != 0 && rc != VG_EINVAL && rc != VG_ETOOBIG)
        abort();
    free(line);

    vg_config_dispose(&s, keys, VG_ARRAY_LEN(keys));
    if (s.listen || s.issuers || s.db)
        abort();
    return 0;
}
