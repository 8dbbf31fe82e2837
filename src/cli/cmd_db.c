/* cmd_db.c — `vigil db status|migrate|export FILE|import FILE|copy`: what the store holds per
 * updater, schema migrations, the offline bundle that moves the newest data to an air-gapped
 * site, and the copy that moves a whole deployment from one backend to another (SQLite to
 * PostgreSQL). A thin surface over store.h; every subcommand but copy takes --db DSN (else
 * $VIGIL_DB, else ~/.cache/vigil/vigil.db). */
#include "cli.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char db_usage[] =
    "usage: vigil db [--db DSN] status [--format table|json]\n"
    "       vigil db [--db DSN] migrate\n"
    "       vigil db [--db DSN] export FILE [--source NAME[,NAME...]]\n"
    "       vigil db [--db DSN] import FILE\n"
    "       vigil db copy --from DSN --to DSN\n"
    "\n"
    "status   per updater: last run, age, operations kept, advisories in the newest one\n"
    "migrate  apply pending schema migrations (opening a store also does) and print the\n"
    "         schema version\n"
    "export   write the newest operation of each updater (or of --source) to a bundle\n"
    "         (gzip'd JSON lines; FILE '-' is stdout)\n"
    "import   load a bundle (FILE '-' is stdin); an operation already present is skipped,\n"
    "         and one older than the updater's newest local operation never replaces it\n"
    "copy     copy everything (update operations, advisories, layer results, manifests,\n"
    "         notification sets, history) from one store to another, e.g.\n"
    "         --from sqlite:/var/lib/vigil/vigil.db --to postgres://vigil@db/vigil;\n"
    "         operations already in the destination are skipped, so it can be re-run\n"
    "\n"
    "Options:\n"
    "  --db DSN              the database: a SQLite path (sqlite:PATH) or a postgres:// URI\n"
    "                        (default $VIGIL_DB, else ~/.cache/vigil/vigil.db)\n";

/* The DSN for display: a password in a URI ("://user:secret@") is masked. */
static void print_dsn(FILE *o, const char *dsn)
{
    const char *scheme = strstr(dsn, "://");
    const char *end = scheme ? scheme + 3 + strcspn(scheme + 3, "/?") : NULL; /* authority */
    const char *at = end ? memchr(scheme + 3, '@', (size_t)(end - scheme - 3)) : NULL;
    const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    const char *p = dsn;
    if (colon) {
        fprintf(o, "%.*s:***", (int)(colon - dsn), dsn);
        p = at;
    }
    /* and a password=... query parameter */
    const char *q = strchr(p, '?');
    if (q) {
        fprintf(o, "%.*s", (int)(q - p), p);
        for (const char *k = q; *k;) {
            size_t n = strcspn(k + 1, "&") + 1;
            if (strncmp(k + 1, "password=", 9) == 0)
                fprintf(o, "%cpassword=***", *k);
            else
                fprintf(o, "%.*s", (int)n, k);
            k += n;
        }
        return;
    }
    fputs(p, o);
}

/* "2024-05-01 12:00:00 UTC" */
static void fmt_date(char *buf, size_t size, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(buf, size, "@%lld", (long long)t);
}

/* "3 h ago", "12 min ago", "2 d ago", "in the future" */
static void fmt_age(char *buf, size_t size, int64_t t, int64_t now)
{
    int64_t d = now - t;
    if (d < 0)
        snprintf(buf, size, "in the future");
    else if (d < 60)
        snprintf(buf, size, "%lld s ago", (long long)d);
    else if (d < 3600)
        snprintf(buf, size, "%lld min ago", (long long)(d / 60));
    else if (d < 86400)
        snprintf(buf, size, "%lld h ago", (long long)(d / 3600));
    else
        snprintf(buf, size, "%lld d ago", (long long)(d / 86400));
}

static int cmp_updater(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "updater")),
                  json_string_value(json_object_get(*(json_t *const *)b, "updater")));
}

/* Sorts the status rows by updater name. */
static void json_array_sort_by_updater(json_t *list)
{
    size_t n = json_array_size(list);
    json_t **v = vg_xcalloc(n ? n : 1, sizeof(json_t *));
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(list, i));
    qsort(v, n, sizeof(json_t *), cmp_updater);
    json_array_clear(list);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, v[i]);
    free(v);
}

static int db_status(vg_store *s, const char *dsn, const char *format)
{
    vg_update_op *ops = NULL;
    size_t n = 0;
    int version = 0, latest = 0;
    if (vg_store_schema_version(&version, &latest, s) != 0 ||
        vg_store_list_ops(&ops, &n, s, NULL) != 0)
        return vg_cli_fail("db status");
    int64_t now = (int64_t)time(NULL);
    /* ops are newest first: the first op of an updater is its newest. */
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(ops[j].updater, ops[i].updater) == 0;
        if (seen)
            continue;
        size_t count = 0;
        for (size_t j = i; j < n; j++)
            count += strcmp(ops[j].updater, ops[i].updater) == 0;
        json_array_append_new(list, json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:s}", "updater",
                                              ops[i].updater, "last_run", (json_int_t)ops[i].date,
                                              "age_seconds", (json_int_t)(now - ops[i].date),
                                              "operations", (json_int_t)count, "advisories",
                                              (json_int_t)ops[i].n_advisories, "ref", ops[i].ref,
                                              "fingerprint", ops[i].fingerprint));
    }
    free(ops);
    json_array_sort_by_updater(list);
    if (strcmp(format, "json") == 0) {
        char *shown = NULL;
        size_t shown_len = 0;
        FILE *m = open_memstream(&shown, &shown_len);
        if (m) {
            print_dsn(m, dsn);
            fclose(m);
        }
        json_t *root = json_pack("{s:s, s:i, s:o}", "database", shown ? shown : "", "schema",
                                 version, "updaters", list);
        free(shown);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', stdout);
        json_decref(root);
    } else {
        fputs("database: ", stdout);
        print_dsn(stdout, dsn);
        printf(" (schema %d)\n", version);
        if (json_array_size(list) == 0)
            printf("no update operations yet (run vigil update, or vigil db import)\n");
        else
            printf("%-12s %-24s %-12s %5s %11s  %s\n", "UPDATER", "LAST RUN", "AGE", "OPS",
                   "ADVISORIES", "REF");
        size_t i;
        json_t *u;
        json_array_foreach(list, i, u)
        {
            char date[64], age[32];
            int64_t t = json_integer_value(json_object_get(u, "last_run"));
            fmt_date(date, sizeof(date), t);
            fmt_age(age, sizeof(age), t, now);
            printf("%-12s %-24s %-12s %5lld %11lld  %s\n",
                   json_string_value(json_object_get(u, "updater")), date, age,
                   (long long)json_integer_value(json_object_get(u, "operations")),
                   (long long)json_integer_value(json_object_get(u, "advisories")),
                   json_string_value(json_object_get(u, "ref")));
        }
        json_decref(list);
    }
    return fflush(stdout) == 0 ? VG_EXIT_OK : VG_EXIT_ERROR;
}

/* Splits "a,b" into a NULL-terminated heap array of heap strings. */
static char **split_sources(const char *arg)
{
    size_t n = 1;
    for (const char *p = arg; *p; p++)
        n += *p == ',';
    char **out = vg_xcalloc(n + 1, sizeof(*out));
    size_t k = 0;
    vg_slice rest = vg_slice_from_cstr(arg), head;
    while (rest.ptr) {
        rest = vg_slice_split(rest, ',', &head);
        head = vg_slice_trim(head);
        if (head.len)
            out[k++] = vg_xstrndup(head.ptr, head.len);
    }
    return out;
}

static void free_sources(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int db_export(vg_store *s, const char *file, const char *sources)
{
    char **names = sources ? split_sources(sources) : NULL;
    vg_update_op *ops = NULL;
    size_t n = 0;
    int rc = vg_store_export(&ops, &n, s, file, (const char *const *)names);
    free_sources(names);
    if (rc != 0)
        return vg_cli_fail("db export");
    FILE *o = strcmp(file, "-") == 0 ? stderr : stdout;
    for (size_t i = 0; i < n; i++) {
        char date[64];
        fmt_date(date, sizeof(date), ops[i].date);
        fprintf(o, "%s: exported op %s from %s (%llu advisories)\n", ops[i].updater, ops[i].ref,
                date, (unsigned long long)ops[i].n_advisories);
    }
    free(ops);
    return fflush(o) == 0 ? VG_EXIT_OK : VG_EXIT_ERROR;
}

static int db_import(vg_store *s, const char *file)
{
    vg_store_import_item *items = NULL;
    size_t n = 0;
    int rc = vg_store_import(&items, &n, s, file);
    for (size_t i = 0; i < n; i++) {
        const vg_store_import_item *it = &items[i];
        char date[64], ldate[64];
        fmt_date(date, sizeof(date), it->op.date);
        fmt_date(ldate, sizeof(ldate), it->local.date);
        switch (it->action) {
        case VG_IMPORT_ADDED:
            printf("%s: imported op %s from %s (%llu advisories)\n", it->op.updater, it->op.ref,
                   date, (unsigned long long)it->op.n_advisories);
            break;
        case VG_IMPORT_PRESENT:
            printf("%s: op %s from %s is already present; nothing to do\n", it->op.updater,
                   it->op.ref, date);
            break;
        case VG_IMPORT_OLDER:
            printf("%s: skipped op %s from %s: %s the local op %s from %s\n", it->op.updater,
                   it->op.ref, date,
                   it->op.date == it->local.date ? "not newer than" : "older than", it->local.ref,
                   ldate);
            break;
        }
    }
    free(items);
    if (rc != 0)
        return vg_cli_fail("db import");
    return fflush(stdout) == 0 ? VG_EXIT_OK : VG_EXIT_ERROR;
}

static int db_migrate(vg_store *s, const char *dsn)
{
    int version = 0, latest = 0;
    if (vg_store_schema_version(&version, &latest, s) != 0)
        return vg_cli_fail("db migrate");
    fputs("database: ", stdout);
    print_dsn(stdout, dsn);
    printf(": schema %d of %d, up to date\n", version, latest);
    return fflush(stdout) == 0 ? VG_EXIT_OK : VG_EXIT_ERROR;
}

static int db_copy(const char *from, const char *to)
{
    vg_store *src = NULL, *dst = NULL;
    if (vg_store_open(&src, from) != 0)
        return vg_cli_fail("db copy: --from");
    if (vg_store_open(&dst, to) != 0) {
        vg_store_close(src);
        return vg_cli_fail("db copy: --to");
    }
    vg_store_copy_stats st;
    int rc = vg_store_copy(&st, dst, src);
    printf("copied %zu update operations (%zu skipped: already present or not newer than the "
           "destination's), %zu layer results, %zu manifests, %zu notification sets, %zu "
           "history points (%zu dropped)\n",
           st.ops, st.ops_skipped, st.layers, st.manifests, st.notify_sets, st.history,
           st.history_dropped);
    vg_store_close(dst);
    vg_store_close(src);
    if (rc != 0)
        return vg_cli_fail("db copy");
    return fflush(stdout) == 0 ? VG_EXIT_OK : VG_EXIT_ERROR;
}

int vg_cmd_db(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    const char *db = NULL, *sub = NULL, *file = NULL, *format = "table", *sources = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(db_usage, stdout);
            return VG_EXIT_OK;
        } else if (strcmp(a, "--db") == 0 && has_val) {
            db = argv[++i];
        } else if (strcmp(a, "--format") == 0 && has_val) {
            format = argv[++i];
        } else if (strcmp(a, "--source") == 0 && has_val) {
            sources = argv[++i];
        } else if (strcmp(a, "--from") == 0 && has_val) {
            from = argv[++i];
        } else if (strcmp(a, "--to") == 0 && has_val) {
            to = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vigil db: unknown option or missing value '%s'\n%s", a, db_usage);
            return VG_EXIT_USAGE;
        } else if (!sub) {
            sub = a;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "vigil db: unexpected argument '%s'\n%s", a, db_usage);
            return VG_EXIT_USAGE;
        }
    }
    if (sub && strcmp(sub, "copy") == 0) {
        if (!from || !to || file || db) {
            fprintf(stderr, "vigil db copy: give --from DSN and --to DSN (and nothing else)\n%s",
                    db_usage);
            return VG_EXIT_USAGE;
        }
        return db_copy(from, to);
    }
    if (from || to) {
        fprintf(stderr, "vigil db: --from and --to are for copy\n%s", db_usage);
        return VG_EXIT_USAGE;
    }
    bool migrate = sub && strcmp(sub, "migrate") == 0;
    bool status = sub && (strcmp(sub, "status") == 0 || migrate);
    bool exp = sub && strcmp(sub, "export") == 0;
    bool imp = sub && strcmp(sub, "import") == 0;
    if ((!status && !exp && !imp) || (status && file) || (!status && !file) ||
        (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) || (sources && !exp)) {
        fputs(db_usage, stderr);
        return VG_EXIT_USAGE;
    }
    char *dsn = db ? vg_xstrdup(db) : vg_store_default_dsn();
    if (!dsn)
        return vg_cli_fail("--db");
    vg_store *s = NULL;
    int rc;
    if (vg_store_open(&s, dsn) != 0)
        rc = vg_cli_fail("db");
    else if (migrate)
        rc = db_migrate(s, dsn);
    else if (status)
        rc = db_status(s, dsn, format);
    else if (exp)
        rc = db_export(s, file, sources);
    else
        rc = db_import(s, file);
    vg_store_close(s);
    free(dsn);
    return rc;
}
