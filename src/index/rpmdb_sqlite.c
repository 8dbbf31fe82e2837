/* rpmdb_sqlite.c — the SQLite rpmdb reader of src/index/ (rpm >= 4.16's rpmdb.sqlite): opens
 * a private copy of the file from memory with sqlite3_deserialize, read-only and hardened
 * against hostile schemas, and visits every row of Packages(hnum, blob). Used by rpm.c. */
#include "rpm_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/*
 * The file never touches the disk: it is copied into SQLite's memory (memdb VFS). rpm leaves
 * the database in WAL mode (header bytes 18-19 = 2), which memdb cannot open; the copy is
 * switched to rollback mode (1, 1) first. A WAL file next to it (rpmdb.sqlite-wal) is not
 * read: rpm checkpoints it on close, and the image holds no running rpm.
 *
 * Hostile-input guards: defensive mode, untrusted schema, no triggers and no views (so
 * "Packages" must be a real table, whose scan is bounded by the file's pages), the blob length
 * limited to VG_RPMHDR_MAX_BLOB, and a progress handler that stops the statement after
 * VG_RPMDB_SQLITE_MAX_STEPS virtual-machine steps.
 */

#define SQLITE_MAGIC "SQLite format 3"
#define PROGRESS_EVERY 1000

uint64_t vg__rpmdb_sqlite_max_steps = VG_RPMDB_SQLITE_MAX_STEPS;

typedef struct budget {
    uint64_t steps;
    bool exceeded;
} budget;

static int on_progress(void *arg)
{
    budget *b = arg;
    b->steps += PROGRESS_EVERY;
    if (b->steps > vg__rpmdb_sqlite_max_steps) {
        b->exceeded = true;
        return 1; /* interrupts the statement */
    }
    return 0;
}

static int sqlite_error(const char *path, sqlite3 *db, const budget *b, const char *what)
{
    if (b && b->exceeded)
        return vg_error_set(VG_ETOOBIG,
                            "%s: reading the SQLite database took more than "
                            "VG_RPMDB_SQLITE_MAX_STEPS (%llu) steps",
                            path, (unsigned long long)vg__rpmdb_sqlite_max_steps);
    return vg_error_set(VG_EINVAL, "%s: %s: SQLite: %s", path, what,
                        db ? sqlite3_errmsg(db) : "out of memory");
}

/* Opens an in-memory, read-only, hardened copy of `buf`. */
static int open_copy(sqlite3 **out, const char *path, const uint8_t *buf, size_t len)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int rc = sqlite_error(path, db, NULL, "open");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH,
                  (int)(VG_RPMHDR_MAX_BLOB < 0x7fffffff ? VG_RPMHDR_MAX_BLOB : 0x7fffffff));
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);

    unsigned char *copy = sqlite3_malloc64(len);
    if (!copy)
        abort(); /* out of memory aborts, as vg_xmalloc does */
    memcpy(copy, buf, len);
    if (copy[18] == 2 && copy[19] == 2)
        copy[18] = copy[19] = 1; /* WAL -> rollback journal; see the top of the file */
    int src = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
                                  SQLITE_DESERIALIZE_READONLY | SQLITE_DESERIALIZE_FREEONCLOSE);
    if (src != SQLITE_OK) {
        int rc = sqlite_error(path, db, NULL, "open");
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

/* VG_EINVAL unless the schema has a real table named Packages. */
static int check_schema(sqlite3 *db, const char *path, budget *b)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT type FROM sqlite_master WHERE name = 'Packages'", -1, &st,
                           NULL) != SQLITE_OK)
        return sqlite_error(path, db, b, "reading the schema");
    int rc = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = vg_error_set(VG_EINVAL, "%s: not an rpm database: no Packages table", path);
    } else if (step != SQLITE_ROW) {
        rc = sqlite_error(path, db, b, "reading the schema");
    } else {
        const unsigned char *type = sqlite3_column_text(st, 0);
        if (!type || strcmp((const char *)type, "table") != 0)
            rc = vg_error_set(VG_EINVAL, "%s: not an rpm database: Packages is a %s, not a table",
                              path, type ? (const char *)type : "NULL");
    }
    sqlite3_finalize(st);
    return rc;
}

int vg__rpmdb_sqlite_read(const char *path, const uint8_t *buf, size_t len, vg__rpmdb_visit fn,
                          void *ctx)
{
    if (len < 100 || memcmp(buf, SQLITE_MAGIC, sizeof(SQLITE_MAGIC)) != 0)
        return vg_error_set(VG_EINVAL, "%s: not an SQLite database", path);
    sqlite3 *db = NULL;
    int rc = open_copy(&db, path, buf, len);
    if (rc)
        return rc;
    budget b = {0, false};
    sqlite3_progress_handler(db, PROGRESS_EVERY, on_progress, &b);
    sqlite3_stmt *st = NULL;
    if ((rc = check_schema(db, path, &b)) != 0)
        goto out;
    if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
        rc = sqlite_error(path, db, &b, "reading Packages");
        goto out;
    }
    uint64_t ordinal = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        vg__rpmdb_record rec = {++ordinal, (uint64_t)sqlite3_column_int64(st, 0), NULL, 0, NULL};
        if (sqlite3_column_type(st, 1) != SQLITE_BLOB) {
            rec.problem = "the blob column is not a BLOB";
        } else {
            rec.blob = sqlite3_column_blob(st, 1);
            rec.len = (size_t)sqlite3_column_bytes(st, 1);
            if (!rec.blob) {
                rec.blob = (const uint8_t *)"";
                rec.len = 0;
            }
        }
        if ((rc = fn(ctx, &rec)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = sqlite_error(path, db, &b, "reading Packages");
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
