/* store_writer.c — a test helper for the store's script tests (crash.sh, cli/db.sh): writes
 * update runs through store.h (optionally slowly, so a test can kill -9 it mid-run), prints an
 * updater's newest op, and checks a SQLite file's integrity directly. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: store_writer write DB UPDATER N [DELAY_US [GEN]]\n"
    "       store_writer latest DB UPDATER\n"
    "       store_writer gc DB KEEP BATCH   (every updater; prints the ops deleted)\n"
    "       store_writer check DB\n"
    "       store_writer pending DB     (uncommitted ops left by killed runs)\n";

static int fail(const char *what)
{
    fprintf(stderr, "store_writer: %s: %s\n", what, vg_error_last());
    return 1;
}

static uint64_t num(const char *s)
{
    uint64_t v = 0;
    if (vg_parse_u64(&v, vg_slice_from_cstr(s)) != 0) {
        fprintf(stderr, "store_writer: not a number: %s\n", s);
        exit(2);
    }
    return v;
}

/* One run of `n` advisories "<UPDATER>-<i>" on packages p0..p99 in namespace "crash:1";
 * GEN changes every fixed version, so runs of different generations differ entirely. */
static int write_run(vg_store *s, const char *updater, uint64_t n, uint64_t delay, uint64_t gen)
{
    vg_store_tx *tx = NULL;
    char fp[64];
    snprintf(fp, sizeof(fp), "gen-%llu-n-%llu", (unsigned long long)gen, (unsigned long long)n);
    if (vg_store_update_begin(&tx, s, updater, fp) != 0)
        return fail("begin");
    char id[96], pkg[16], fixed[32];
    vg_event ev[2] = {{VG_EVENT_INTRODUCED, "0"}, {VG_EVENT_FIXED, fixed}};
    vg_affected af = {.ns = "crash:1",
                      .package = pkg,
                      .source_pkg = true,
                      .scheme = "dpkg",
                      .events = ev,
                      .n_events = 2,
                      .status = VG_STATUS_FIXED};
    vg_advisory a = {.id = id,
                     .source = updater,
                     .summary = "a generated advisory for the store's script tests",
                     .severity = VG_SEV_HIGH,
                     .affected = &af,
                     .n_affected = 1};
    for (uint64_t i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "%s-%06llu", updater, (unsigned long long)i);
        snprintf(pkg, sizeof(pkg), "p%llu", (unsigned long long)(i % 100));
        snprintf(fixed, sizeof(fixed), "%llu.%llu-1", (unsigned long long)gen,
                 (unsigned long long)i);
        if (vg_store_update_put(tx, &a) != 0) {
            vg_store_update_abort(tx);
            return fail("put");
        }
        if (delay)
            usleep((useconds_t)delay);
        if ((i + 1) % 1000 == 0) {
            printf("progress %llu\n", (unsigned long long)(i + 1));
            fflush(stdout);
        }
    }
    vg_update_op op;
    if (vg_store_update_commit(tx, &op) != 0)
        return fail("commit");
    printf("op %s %llu\n", op.ref, (unsigned long long)op.n_advisories);
    return 0;
}

/* PRAGMA integrity_check and foreign_key_check straight through SQLite. */
static int check(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "store_writer: open %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    int bad = 0;
    const char *sql[] = {"PRAGMA integrity_check", "PRAGMA foreign_key_check"};
    for (size_t q = 0; q < 2; q++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql[q], -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "store_writer: %s: %s\n", sql[q], sqlite3_errmsg(db));
            bad++;
            continue;
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            if (q == 0 && v && strcmp((const char *)v, "ok") == 0)
                continue;
            fprintf(stderr, "store_writer: %s: %s\n", sql[q], v ? (const char *)v : "?");
            bad++;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    if (!bad)
        printf("ok\n");
    return bad ? 1 : 0;
}

/* The number of pending (uncommitted) operations: the debris of runs that died. */
static int pending(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = 1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM update_op WHERE committed = 0", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        printf("%lld\n", (long long)sqlite3_column_int64(st, 0));
        rc = 0;
    } else {
        fprintf(stderr, "store_writer: pending: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "check") == 0)
        return check(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "pending") == 0)
        return pending(argv[2]);
    if (argc < 4) {
        fputs(usage, stderr);
        return 2;
    }
    vg_store *s = NULL;
    if (vg_store_open(&s, argv[2]) != 0)
        return fail(argv[2]);
    int rc;
    if (strcmp(argv[1], "write") == 0 && argc >= 5) {
        rc = write_run(s, argv[3], num(argv[4]), argc > 5 ? num(argv[5]) : 0,
                       argc > 6 ? num(argv[6]) : 1);
    } else if (strcmp(argv[1], "latest") == 0) {
        vg_update_op op;
        rc = vg_store_latest_op(&op, s, argv[3]) == 0 ? 0 : fail("latest");
        if (rc == 0)
            printf("%s %llu\n", op.ref, (unsigned long long)op.n_advisories);
    } else if (strcmp(argv[1], "gc") == 0 && argc >= 5) {
        size_t deleted = 0;
        rc = vg_store_gc(&deleted, s, NULL, (unsigned)num(argv[3]), num(argv[4])) == 0 ? 0
                                                                                       : fail("gc");
        if (rc == 0)
            printf("%zu\n", deleted);
    } else {
        fputs(usage, stderr);
        rc = 2;
    }
    vg_store_close(s);
    return rc;
}
