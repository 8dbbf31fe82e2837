/* cmd_update.c — `vigil update`: runs the updaters of src/feed/ into the store, one source
 * after another, and prints one summary line per source. A source that fails is reported and
 * leaves its previous data serving; the others still update (exit 4 if any failed). With
 * --notify it also prints the manifests each changed source affects (src/notify/). */
#include "cli.h"
#include "feed/feed.h"
#include "notify/notify.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char update_usage[] =
    "usage: vigil update [OPTIONS]\n"
    "Fetches each source's vulnerability data (official URLs, a mirror, or --url), and stores\n"
    "a new update operation when it changed. One line per source: advisories added, removed\n"
    "and unchanged since the previous operation, and the time taken.\n"
    "\n"
    "Options:\n"
    "  --source NAME[,NAME...]  debian, ubuntu, rhel, alpine, osv, nvd (default: every one\n"
    "                        built into this vigil)\n"
    "  --mirror URL|DIR      read https://HOST/PATH from URL/HOST/PATH or DIR/HOST/PATH (the\n"
    "                        layout `wget -x` saves)\n"
    "  --url URL|PATH        one document, directory of *.json or zip instead of the source's\n"
    "                        own URLs (with exactly one --source)\n"
    "  --db PATH             the database (default $VIGIL_DB, else ~/.cache/vigil/vigil.db)\n"
    "  --cache-dir DIR       ETags and last bodies of http documents (default PATH.feedcache\n"
    "                        next to the database)\n"
    "  --keep N              operations kept per source (default 10)\n"
    "  --limit NAME=VALUE    change a cap (K/M/G suffixes): max_document_bytes (512M),\n"
    "                        max_depth (64), max_entries (1000000), max_total_bytes (8G),\n"
    "                        max_ratio (200), max_ratio_floor (16M)\n"
    "  --no-progress         no progress bar (it is drawn on a terminal only)\n"
    "  --notify              print the indexed manifests each changed source newly affects\n"
    "                        (or no longer affects), as vigil serve would notify them\n"
    "  --notify-full         the same, one line per vulnerability instead of the most severe\n"
    "\n"
    "Exit codes: 0 every source updated (or was unchanged), 2 usage, 4 any source failed.\n";

/* "512M" → 536870912. */
static int parse_size(uint64_t *out, const char *s)
{
    vg_slice v = vg_slice_from_cstr(s);
    uint64_t mult = 1;
    if (v.len > 0) {
        char last = v.ptr[v.len - 1];
        if (last == 'K' || last == 'k')
            mult = (uint64_t)1 << 10;
        else if (last == 'M' || last == 'm')
            mult = (uint64_t)1 << 20;
        else if (last == 'G' || last == 'g')
            mult = (uint64_t)1 << 30;
        if (mult != 1)
            v.len--;
    }
    uint64_t n;
    if (vg_parse_u64(&n, v) != 0)
        return -1;
    if (n > UINT64_MAX / mult)
        return -1;
    *out = n * mult;
    return 0;
}

static bool known_source(const char *name)
{
    for (const char *const *s = vg_feed_sources(); *s; s++)
        if (strcmp(*s, name) == 0)
            return true;
    return false;
}

static void print_result(const vg_feed_result *r)
{
    if (r->changed)
        printf("%s: added %llu, removed %llu, unchanged %llu; %llu advisories in op %lld (%llu "
               "documents, %llu skipped), %.2f s\n",
               r->source, (unsigned long long)r->added, (unsigned long long)r->removed,
               (unsigned long long)r->unchanged, (unsigned long long)r->n_advisories,
               (long long)r->op.id, (unsigned long long)r->documents,
               (unsigned long long)r->skipped, r->seconds);
    else
        printf("%s: added 0, removed 0, unchanged %llu; not modified since op %lld, %.2f s\n",
               r->source, (unsigned long long)r->unchanged, (long long)r->op.id, r->seconds);
}

/* --notify: the manifests the new operation affects, as `vigil serve` would notify them. */
static int print_notifications(vg_store *s, const vg_update_op *op, bool full)
{
    vg_notify_opts no;
    vg_notify_opts_default(&no);
    no.full = full;
    vg_notify_result res;
    int rc = vg_notify_compute(&res, s, op, &no);
    if (rc != 0)
        return rc;
    if (res.first_run) {
        printf("%s: first operation: no notifications (nothing to compare with)\n", op->updater);
    } else {
        printf("%s: %zu advisories added, %zu removed since op %lld: %zu manifests newly "
               "affected, %zu no longer affected\n",
               op->updater, res.advisories_added, res.advisories_removed, (long long)res.prev.id,
               res.manifests_added, res.manifests_removed);
        for (size_t i = 0; i < res.n; i++) {
            json_t *j = json_loads(res.items[i].summary, 0, NULL);
            printf("  %-7s %s  %s %s (%s)\n",
                   res.items[i].reason == VG_NOTIFY_ADDED ? "added" : "removed",
                   res.items[i].manifest, json_string_value(json_object_get(j, "name")),
                   json_string_value(json_object_get(json_object_get(j, "package"), "name")),
                   json_string_value(json_object_get(j, "normalized_severity")));
            json_decref(j);
        }
    }
    vg_notify_result_dispose(&res);
    return 0;
}

int vg_cmd_update(int argc, char **argv)
{
    vg_feed_opts o;
    vg_feed_opts_default(&o);
    o.progress = isatty(STDERR_FILENO) != 0;
    const char *db = NULL, *sources = NULL, *cache_dir = NULL;
    bool notify = false, notify_full = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(update_usage, stdout);
            return VG_EXIT_OK;
        } else if (strcmp(a, "--source") == 0 && has_val) {
            sources = argv[++i];
        } else if (strcmp(a, "--mirror") == 0 && has_val) {
            o.mirror = argv[++i];
        } else if (strcmp(a, "--url") == 0 && has_val) {
            o.url = argv[++i];
        } else if (strcmp(a, "--db") == 0 && has_val) {
            db = argv[++i];
        } else if (strcmp(a, "--cache-dir") == 0 && has_val) {
            cache_dir = argv[++i];
        } else if (strcmp(a, "--keep") == 0 && has_val) {
            uint64_t n;
            if (vg_parse_u64(&n, vg_slice_from_cstr(argv[++i])) != 0 ||
                vg_feed_opts_set(&o, "keep_ops", n) != 0) {
                fprintf(stderr, "vigil update: --keep wants a number from 1 to 1000000\n");
                return VG_EXIT_USAGE;
            }
        } else if (strcmp(a, "--limit") == 0 && has_val) {
            const char *spec = argv[++i];
            const char *eq = strchr(spec, '=');
            uint64_t v;
            if (!eq || parse_size(&v, eq + 1) != 0) {
                fprintf(stderr, "vigil update: --limit wants NAME=VALUE, got '%s'\n", spec);
                return VG_EXIT_USAGE;
            }
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(eq - spec), spec);
            if (strcmp(name, "keep_ops") == 0 || vg_feed_opts_set(&o, name, v) != 0) {
                fprintf(stderr, "vigil update: %s\n",
                        strcmp(name, "keep_ops") == 0 ? "use --keep" : vg_error_last());
                return VG_EXIT_USAGE;
            }
        } else if (strcmp(a, "--no-progress") == 0) {
            o.progress = false;
        } else if (strcmp(a, "--notify") == 0) {
            notify = true;
        } else if (strcmp(a, "--notify-full") == 0) {
            notify = notify_full = true;
        } else {
            fprintf(stderr, "vigil update: unknown option or missing value '%s'\n%s", a,
                    update_usage);
            return VG_EXIT_USAGE;
        }
    }

    /* The sources to run, in the order given (default: every built-in one). */
    const char *list[16];
    size_t n = 0;
    char *copy = NULL;
    if (sources) {
        copy = vg_xstrdup(sources);
        vg_slice rest = vg_slice_from_cstr(copy), item;
        while (rest.ptr) {
            rest = vg_slice_split(rest, ',', &item);
            if (item.len == 0)
                continue;
            ((char *)item.ptr)[item.len] = '\0';
            if (!known_source(item.ptr)) {
                fprintf(stderr,
                        "vigil update: unknown source '%s' (known: debian, ubuntu, rhel, "
                        "alpine, osv, nvd)\n",
                        item.ptr);
                free(copy);
                return VG_EXIT_USAGE;
            }
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup |= strcmp(list[k], item.ptr) == 0;
            if (!dup && n < VG_ARRAY_LEN(list))
                list[n++] = item.ptr;
        }
    } else {
        for (const char *const *s = vg_feed_sources(); *s && n < VG_ARRAY_LEN(list); s++)
            if (vg_feed_available(*s))
                list[n++] = *s;
    }
    if (n == 0 || (o.url && n != 1)) {
        fprintf(stderr, "vigil update: %s\n%s",
                n == 0 ? "no source to run" : "--url needs exactly one --source", update_usage);
        free(copy);
        return VG_EXIT_USAGE;
    }

    char *dsn = db ? vg_xstrdup(db) : vg_store_default_dsn();
    if (!dsn) {
        free(copy);
        return vg_cli_fail("--db");
    }
    char *cache = cache_dir ? vg_xstrdup(cache_dir) : vg_feed_default_cache_dir(dsn);
    o.cache_dir = cache;
    vg_store *s = NULL;
    int status = VG_EXIT_OK;
    if (vg_store_open(&s, dsn) != 0) {
        status = vg_cli_fail(dsn);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        vg_feed_result r;
        if (vg_feed_update(&r, s, list[i], &o) != 0) {
            fflush(stdout);
            fprintf(stderr, "vigil: %s\n", vg_error_last());
            printf("%s: failed after %.2f s; nothing stored, earlier data still serves\n", list[i],
                   r.seconds);
            status = VG_EXIT_ERROR;
        } else {
            print_result(&r);
            if (notify && r.changed && print_notifications(s, &r.op, notify_full) != 0) {
                fprintf(stderr, "vigil: notifications for %s: %s\n", list[i], vg_error_last());
                status = VG_EXIT_ERROR;
            }
        }
        fflush(stdout);
    }
out:
    vg_store_close(s);
    free(cache);
    free(dsn);
    free(copy);
    return status;
}
