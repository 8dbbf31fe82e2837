/* sqlite.c — the embedded store backend: one SQLite file in WAL mode, a small pool of
 * connections per handle (so reads run concurrently and never see an open run), prepared
 * statements only, migrations applied on open. An update run writes in short batches under a
 * pending op that readers ignore; commit flips it visible in one transaction. One run per
 * updater is enforced by an open-file-description lock on "<db>-lock", which the kernel drops
 * when a process dies, so a kill -9 never leaves a stale lock; updater leadership is such a lock
 * on "<db>-leader", held by the handle. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a writer waits for SQLite's single write lock. Batches are short, so this is only
 * reached behind a very large GC or a stuck process. */
#define BUSY_TIMEOUT_MS 30000
/* Idle connections kept per handle; more are opened on demand and closed when returned. */
#define POOL_IDLE_MAX 8

/* ---- statements ---------------------------------------------------------------------- */

#define NEWEST_OPS "(SELECT max(id) FROM update_op WHERE committed = 1 GROUP BY updater)"
#define OP_COLS "id, ref, updater, fingerprint, date, n_advisories"
#define SET_COLS                                                                                   \
    "id, updater, op_ref, created, count, acked, delivery, attempts, next_attempt, last_error"

enum stmt_id {
    ST_BEGIN,
    ST_BEGIN_IMMEDIATE,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_OP_INSERT,
    ST_OP_COMMIT,
    ST_OP_GET,
    ST_OP_BY_REF,
    ST_OP_LATEST,
    ST_OP_LIST,
    ST_OP_LIST_ONE,
    ST_PENDING,
    ST_UPDATERS,
    ST_GC_VICTIM,
    ST_DEL_ORPHANS,
    ST_DEL_OP,
    ST_ADV_FIND,
    ST_ADV_INSERT,
    ST_AFF_INSERT,
    ST_LINK_INSERT,
    ST_DIFF,
    ST_FIND_AFFECTED,
    ST_OP_BODIES,
    ST_GET_ADV,
    ST_VERSION,
    ST_LAYER_GET,
    ST_LAYER_PUT,
    ST_MANIFEST_PUT,
    ST_MANIFEST_DEL_LAYERS,
    ST_MANIFEST_LAYER_PUT,
    ST_MANIFEST_GET,
    ST_MANIFEST_STAMP,
    ST_MANIFEST_DEL,
    ST_GENERATION,
    ST_MANIFEST_DEL_KEYS,
    ST_MANIFEST_KEY_PUT,
    ST_MANIFESTS_WITH,
    ST_MANIFEST_COUNT,
    ST_SET_PUT,
    ST_NOTE_PUT,
    ST_SET_GET,
    ST_SET_LIST,
    ST_NOTE_PAGE,
    ST_SET_ACK,
    ST_CLAIM_FIND,
    ST_CLAIM_LEASE,
    ST_DELIVERY_DONE,
    ST_DELIVERY_STATE,
    ST_SET_GC_VICTIM,
    ST_SET_DEL,
    ST_MANIFEST_LIST,
    ST_NAME_EXISTS,
    ST_NAME_COUNT,
    ST_NAME_PUT,
    ST_NAME_DEL,
    ST_MANIFEST_LAYERS,
    ST_MANIFEST_KEYS,
    ST_LAYER_LIST,
    ST_HISTORY_PUT,
    ST_HISTORY_LIST,
    ST_LAYER_CLAIM,
    ST_LAYER_UNCLAIM,
    ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN",
    [ST_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_OP_INSERT] = "INSERT INTO update_op (ref, updater, fingerprint, date, n_advisories, "
                     "committed) VALUES (?1, ?2, ?3, ?4, 0, 0)",
    [ST_OP_COMMIT] = "UPDATE update_op SET committed = 1, n_advisories = ?2 "
                     "WHERE id = ?1 AND committed = 0",
    [ST_OP_GET] = "SELECT " OP_COLS " FROM update_op WHERE id = ?1 AND committed = 1",
    [ST_OP_BY_REF] = "SELECT " OP_COLS ", committed FROM update_op WHERE ref = ?1",
    [ST_OP_LATEST] = "SELECT " OP_COLS " FROM update_op WHERE updater = ?1 AND committed = 1 "
                     "ORDER BY id DESC LIMIT 1",
    [ST_OP_LIST] = "SELECT " OP_COLS " FROM update_op WHERE committed = 1 ORDER BY id DESC",
    [ST_OP_LIST_ONE] = "SELECT " OP_COLS " FROM update_op WHERE updater = ?1 AND committed = 1 "
                       "ORDER BY id DESC",
    [ST_PENDING] = "SELECT id, updater FROM update_op WHERE committed = 0 "
                   "AND (?1 IS NULL OR updater = ?1) ORDER BY id",
    [ST_UPDATERS] = "SELECT DISTINCT updater FROM update_op WHERE committed = 1 "
                    "ORDER BY updater",
    [ST_GC_VICTIM] = "SELECT id FROM update_op WHERE updater = ?1 AND committed = 1 AND "
                     "(SELECT count(*) FROM update_op WHERE updater = ?1 AND committed = 1) > ?2 "
                     "ORDER BY id LIMIT 1",
    /* Advisory rows only this op references; deleting them cascades to their links and
     * affected rows. */
    [ST_DEL_ORPHANS] = "DELETE FROM advisory WHERE id IN (SELECT oa.advisory FROM op_advisory oa "
                       "WHERE oa.op = ?1 AND NOT EXISTS (SELECT 1 FROM op_advisory o2 "
                       "WHERE o2.advisory = oa.advisory AND o2.op <> ?1))",
    [ST_DEL_OP] = "DELETE FROM update_op WHERE id = ?1",
    [ST_ADV_FIND] = "SELECT id FROM advisory WHERE hash = ?1",
    [ST_ADV_INSERT] = "INSERT INTO advisory (hash, adv_id, source, body) VALUES (?1, ?2, ?3, ?4)",
    [ST_AFF_INSERT] = "INSERT OR IGNORE INTO affected (advisory, ns, package, source_pkg) "
                      "VALUES (?1, ?2, ?3, ?4)",
    [ST_LINK_INSERT] = "INSERT OR IGNORE INTO op_advisory (op, advisory) VALUES (?1, ?2)",
    /* Advisory rows (id + content) linked to ?1 and not to ?2. */
    [ST_DIFF] = "SELECT a.adv_id FROM op_advisory c JOIN advisory a ON a.id = c.advisory "
                "WHERE c.op = ?1 AND NOT EXISTS (SELECT 1 FROM op_advisory p "
                "WHERE p.op = ?2 AND p.advisory = c.advisory) ORDER BY a.adv_id, a.id",
    [ST_FIND_AFFECTED] = "SELECT a.body FROM affected f JOIN advisory a ON a.id = f.advisory "
                         "WHERE f.ns = ?1 AND f.package = ?2 AND f.source_pkg = ?3 AND EXISTS "
                         "(SELECT 1 FROM op_advisory oa WHERE oa.advisory = f.advisory AND "
                         "oa.op IN " NEWEST_OPS ") ORDER BY a.adv_id, a.id",
    [ST_OP_BODIES] = "SELECT a.body FROM op_advisory oa JOIN advisory a ON a.id = oa.advisory "
                     "WHERE oa.op = ?1 ORDER BY a.adv_id, a.id",
    [ST_GET_ADV] = "SELECT a.body FROM advisory a WHERE a.adv_id = ?1 AND EXISTS (SELECT 1 "
                   "FROM op_advisory oa WHERE oa.advisory = a.id AND oa.op IN " NEWEST_OPS ") "
                   "ORDER BY a.source, a.id",
    [ST_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [ST_LAYER_GET] = "SELECT body FROM layer_result WHERE digest = ?1 AND scanners = ?2",
    [ST_LAYER_PUT] = "INSERT OR REPLACE INTO layer_result (digest, scanners, body, created) "
                     "VALUES (?1, ?2, ?3, strftime('%s', 'now'))",
    [ST_MANIFEST_PUT] = "INSERT OR REPLACE INTO manifest (hash, report, indexed) "
                        "VALUES (?1, ?2, strftime('%s', 'now'))",
    [ST_MANIFEST_DEL_LAYERS] = "DELETE FROM manifest_layer WHERE manifest = ?1",
    [ST_MANIFEST_LAYER_PUT] = "INSERT INTO manifest_layer (manifest, idx, layer) "
                              "VALUES (?1, ?2, ?3)",
    [ST_MANIFEST_GET] = "SELECT report FROM manifest WHERE hash = ?1",
    [ST_MANIFEST_STAMP] = "SELECT indexed FROM manifest WHERE hash = ?1",
    [ST_MANIFEST_DEL] = "DELETE FROM manifest WHERE hash = ?1",
    [ST_GENERATION] = "SELECT coalesce(max(id), 0) FROM update_op WHERE committed = 1",
    [ST_MANIFEST_DEL_KEYS] = "DELETE FROM manifest_pkg WHERE manifest = ?1",
    [ST_MANIFEST_KEY_PUT] = "INSERT OR IGNORE INTO manifest_pkg (ns, package, source_pkg, "
                            "manifest) VALUES (?1, ?2, ?3, ?4)",
    [ST_MANIFESTS_WITH] = "SELECT manifest FROM manifest_pkg WHERE ns = ?1 AND package = ?2 "
                          "AND source_pkg = ?3 ORDER BY manifest",
    [ST_MANIFEST_COUNT] = "SELECT count(*) FROM manifest",
    [ST_SET_PUT] = "INSERT INTO notify_set (id, updater, op_ref, created, count, delivery, "
                   "next_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_NOTE_PUT] = "INSERT INTO notification (set_id, seq, manifest, reason, summary) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_SET_GET] = "SELECT " SET_COLS " FROM notify_set WHERE id = ?1",
    [ST_SET_LIST] = "SELECT " SET_COLS " FROM notify_set ORDER BY created DESC, rowid DESC "
                    "LIMIT ?1",
    [ST_NOTE_PAGE] = "SELECT seq, manifest, reason, summary FROM notification "
                     "WHERE set_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    [ST_SET_ACK] = "UPDATE notify_set SET acked = 1 WHERE id = ?1",
    /* PENDING (1), due, not acknowledged, and not leased (or the lease ran out). */
    [ST_CLAIM_FIND] = "SELECT " SET_COLS " FROM notify_set WHERE delivery = 1 AND acked = 0 AND "
                      "next_attempt <= ?1 AND lease_until <= ?1 ORDER BY created, rowid LIMIT 1",
    [ST_CLAIM_LEASE] = "UPDATE notify_set SET lease_owner = ?2, lease_until = ?3 WHERE id = ?1",
    /* From PENDING (1) or FAILED (3) only: DELIVERED stays, NONE is never delivered. */
    [ST_DELIVERY_DONE] = "UPDATE notify_set SET delivery = ?2, attempts = attempts + 1, "
                         "next_attempt = ?3, last_error = ?4, lease_owner = NULL, "
                         "lease_until = 0 WHERE id = ?1 AND delivery IN (1, 3)",
    [ST_DELIVERY_STATE] = "SELECT delivery FROM notify_set WHERE id = ?1",
    [ST_SET_GC_VICTIM] = "SELECT id FROM notify_set WHERE acked = 1 OR created < ?1 "
                         "ORDER BY created, rowid LIMIT 1",
    [ST_SET_DEL] = "DELETE FROM notify_set WHERE id = ?1",
    [ST_MANIFEST_LIST] = "SELECT m.hash, m.indexed, (SELECT group_concat(name, char(10)) FROM "
                         "(SELECT name FROM manifest_name WHERE manifest = m.hash ORDER BY name)) "
                         "FROM manifest m WHERE m.hash > ?1 ORDER BY m.hash LIMIT ?2",
    [ST_NAME_EXISTS] = "SELECT (SELECT count(*) FROM manifest WHERE hash = ?1), "
                       "(SELECT count(*) FROM manifest_name WHERE manifest = ?1 AND name = ?2)",
    [ST_NAME_COUNT] = "SELECT count(*) FROM manifest_name WHERE manifest = ?1",
    [ST_NAME_PUT] = "INSERT OR IGNORE INTO manifest_name (manifest, name) VALUES (?1, ?2)",
    [ST_NAME_DEL] = "DELETE FROM manifest_name WHERE manifest = ?1",
    [ST_MANIFEST_LAYERS] = "SELECT layer FROM manifest_layer WHERE manifest = ?1 ORDER BY idx",
    [ST_MANIFEST_KEYS] = "SELECT ns, package, source_pkg FROM manifest_pkg WHERE manifest = ?1 "
                         "ORDER BY ns, package, source_pkg",
    [ST_LAYER_LIST] = "SELECT digest, scanners, body FROM layer_result WHERE (digest, scanners) > "
                      "(?1, ?2) ORDER BY digest, scanners LIMIT ?3",
    [ST_HISTORY_PUT] = "INSERT OR REPLACE INTO history (generation, date, summary) "
                       "VALUES (?1, ?2, ?3)",
    [ST_HISTORY_LIST] = "SELECT generation, date, summary FROM history ORDER BY generation DESC "
                        "LIMIT ?1",
    /* Taken when free, expired, or already ours (a renewal); no row changed: someone else's. */
    [ST_LAYER_CLAIM] = "INSERT INTO layer_claim (digest, scanners, owner, until) "
                       "VALUES (?1, ?2, ?3, ?5) ON CONFLICT (digest, scanners) DO UPDATE SET "
                       "owner = excluded.owner, until = excluded.until "
                       "WHERE layer_claim.owner = excluded.owner OR layer_claim.until <= ?4",
    [ST_LAYER_UNCLAIM] = "DELETE FROM layer_claim WHERE digest = ?1 AND scanners = ?2 "
                         "AND owner = ?3",
};

/* ---- handle, pool, errors ------------------------------------------------------------ */

typedef struct conn {
    sqlite3 *db;
    sqlite3_stmt *st[ST__COUNT];
    struct conn *next;
} conn;

typedef struct sq_store {
    vg_store base;
    char *path;
    char *lock_path;
    pthread_mutex_t mu; /* guards the idle list and the leader lock */
    int leader_fd;      /* "<db>-leader", open while a leader lock is held; -1 */
    conn *idle;
    unsigned n_idle;
} sq_store;

static int map_code(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
        return VG_EINVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CONSTRAINT:
        return VG_ECONFLICT;
    case SQLITE_MISMATCH:
        return VG_EINVAL;
    case SQLITE_TOOBIG:
        return VG_ETOOBIG;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CORRUPT:
    case SQLITE_NOLFS:
    case SQLITE_PROTOCOL:
        return VG_EIO;
    default:
        return VG_ERROR;
    }
}

/* Records the connection's SQLite error (with its message and the file) and returns the code. */
static int db_fail(const sq_store *s, const conn *c, int rc, const char *what)
{
    int code = map_code(rc);
    if ((rc & 0xff) == SQLITE_NOTADB)
        vg_error_set(code, "store: %s is not a vigil database: %s", s->path, sqlite3_errmsg(c->db));
    else
        vg_error_set(code, "store: %s: %s: %s", s->path, what, sqlite3_errmsg(c->db));
    return code;
}

/* Runs `fn` with the last error preserved: cleanup on an error path must not replace it. */
typedef struct saved_error {
    int code;
    char *msg;
} saved_error;

static saved_error error_save(void)
{
    return (saved_error){vg_error_code(), vg_xstrdup(vg_error_last())};
}

static void error_restore(saved_error e)
{
    vg_error_set(e.code, "%s", e.msg);
    free(e.msg);
}

static sqlite3_stmt *stmt(const sq_store *s, conn *c, enum stmt_id id, int *rc)
{
    if (!c->st[id]) {
        int r = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id],
                                   NULL);
        if (r != SQLITE_OK || !c->st[id]) {
            *rc = db_fail(s, c, r == SQLITE_OK ? SQLITE_ERROR : r, "prepare");
            return NULL;
        }
    }
    return c->st[id];
}

static void done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Steps a statement that returns no rows (or whose rows are ignored) and resets it. */
static int run(const sq_store *s, conn *c, sqlite3_stmt *st, const char *what)
{
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        ;
    int rc = r == SQLITE_DONE ? 0 : db_fail(s, c, r, what);
    done(st);
    return rc;
}

static int run_id(const sq_store *s, conn *c, enum stmt_id id, const char *what)
{
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, id, &rc);
    return st ? run(s, c, st, what) : rc;
}

/* Prepares and runs every statement of a constant script (pragmas, migrations). */
static int run_script(const sq_store *s, conn *c, const char *sql, const char *what)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        int r = sqlite3_prepare_v2(c->db, tail, -1, &st, &tail);
        if (r != SQLITE_OK)
            return db_fail(s, c, r, what);
        if (!st) /* trailing blanks or comments */
            break;
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
            ;
        sqlite3_finalize(st);
        if (r != SQLITE_DONE)
            return db_fail(s, c, r, what);
    }
    return 0;
}

/* One integer (or NULL → 0) from a one-off query. */
static int query_int(int64_t *out, const sq_store *s, conn *c, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    if (r != SQLITE_OK)
        return db_fail(s, c, r, what);
    r = sqlite3_step(st);
    *out = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : db_fail(s, c, r, what);
    sqlite3_finalize(st);
    return rc;
}

static void conn_close(conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
}

/* A new connection, or NULL with `*rc` set. */
static conn *conn_open(const sq_store *s, int *rc)
{
    conn *c = vg_xcalloc(1, sizeof(*c));
    int r = sqlite3_open_v2(s->path, &c->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (r != SQLITE_OK) {
        vg_error_set(VG_EIO, "store: cannot open %s: %s", s->path,
                     c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(r));
        *rc = VG_EIO;
        conn_close(c);
        return NULL;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    /* synchronous NORMAL is durable against crashes of vigil in WAL mode (a power loss may
     * lose the last commits, never consistency); 16 MiB of page cache per connection. */
    *rc = run_script(s, c,
                     "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                     "PRAGMA cache_size = -16384;",
                     "configure");
    if (*rc != 0) {
        conn_close(c);
        return NULL;
    }
    return c;
}

/* A connection from the pool (or a new one), or NULL with `*rc` set. */
static conn *conn_get(sq_store *s, int *rc)
{
    pthread_mutex_lock(&s->mu);
    conn *c = s->idle;
    if (c) {
        s->idle = c->next;
        s->n_idle--;
    }
    pthread_mutex_unlock(&s->mu);
    if (!c)
        return conn_open(s, rc);
    c->next = NULL;
    return c;
}

static void conn_put(sq_store *s, conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        if (c->st[i])
            done(c->st[i]);
    if (!sqlite3_get_autocommit(c->db)) { /* an error path left a transaction open */
        saved_error e = error_save();
        run_id(s, c, ST_ROLLBACK, "rollback");
        error_restore(e);
    }
    pthread_mutex_lock(&s->mu);
    if (s->n_idle < POOL_IDLE_MAX) {
        c->next = s->idle;
        s->idle = c;
        s->n_idle++;
        c = NULL;
    }
    pthread_mutex_unlock(&s->mu);
    conn_close(c);
}

/* Rolls back after a failure, keeping the failure's message, and returns its code. */
static int rollback(const sq_store *s, conn *c, int rc)
{
    saved_error e = error_save();
    run_id(s, c, ST_ROLLBACK, "rollback");
    error_restore(e);
    return rc;
}

/* ---- open and migrate ---------------------------------------------------------------- */

/* The schema version, or 0 for an empty database; VG_EINVAL when the file holds something
 * that is not a vigil database. */
static int read_version(int *out, const sq_store *s, conn *c)
{
    int64_t has = 0, other = 0, v = 0;
    int rc = query_int(&has, s, c,
                       "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                       "name = 'schema_version'",
                       "read the schema");
    if (rc == 0 && !has)
        rc = query_int(&other, s, c,
                       "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                       "read the schema");
    if (rc != 0)
        return rc;
    if (!has && other)
        return vg_error_set(VG_EINVAL,
                            "store: %s is not a vigil database (it has tables but no "
                            "schema_version)",
                            s->path);
    if (has && (rc = query_int(&v, s, c, stmt_sql[ST_VERSION], "read the schema version")) != 0)
        return rc;
    *out = (int)v;
    return 0;
}

static int too_new(const sq_store *s, int v)
{
    return vg_error_set(VG_EINVAL, "store: %s: database schema %d is newer than this vigil (%d)",
                        s->path, v, vg__sqlite_n_migrations);
}

static int migrate(const sq_store *s, conn *c)
{
    /* WAL is a property of the file: set once, kept by every later connection. */
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (r == SQLITE_OK)
        r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        int rc = db_fail(s, c, r, "switch to WAL mode");
        sqlite3_finalize(st);
        return rc;
    }
    const unsigned char *mode = sqlite3_column_text(st, 0);
    bool wal = mode && strcmp((const char *)mode, "wal") == 0;
    sqlite3_finalize(st);
    if (!wal)
        return vg_error_set(VG_EIO, "store: %s: cannot switch to WAL mode", s->path);

    int v = 0, rc = read_version(&v, s, c);
    if (rc != 0)
        return rc;
    if (v > vg__sqlite_n_migrations)
        return too_new(s, v);
    if (v == vg__sqlite_n_migrations)
        return 0;
    /* Pending migrations: take the write lock and look again (another process may have just
     * migrated), then apply them all in this one transaction. */
    if ((rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin migration")) != 0)
        return rc;
    if ((rc = read_version(&v, s, c)) != 0)
        return rollback(s, c, rc);
    if (v > vg__sqlite_n_migrations)
        return rollback(s, c, too_new(s, v));
    rc = run_script(s, c,
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                    "applied INTEGER NOT NULL)",
                    "create schema_version");
    for (int i = v; rc == 0 && i < vg__sqlite_n_migrations; i++) {
        char what[64];
        snprintf(what, sizeof(what), "migration %d", i + 1);
        rc = run_script(s, c, vg__sqlite_migrations[i], what);
        sqlite3_stmt *ins = NULL;
        if (rc == 0 && (r = sqlite3_prepare_v2(c->db,
                                               "INSERT INTO schema_version (version, applied) "
                                               "VALUES (?1, unixepoch())",
                                               -1, &ins, NULL)) != SQLITE_OK)
            rc = db_fail(s, c, r, what);
        if (rc == 0) {
            sqlite3_bind_int(ins, 1, i + 1);
            if ((r = sqlite3_step(ins)) != SQLITE_DONE)
                rc = db_fail(s, c, r, what);
        }
        sqlite3_finalize(ins);
    }
    if (rc == 0)
        rc = run_id(s, c, ST_COMMIT, "commit migration");
    return rc == 0 ? 0 : rollback(s, c, rc);
}

static const vg_store_backend sqlite_backend;

static void sq_close(vg_store *base)
{
    sq_store *s = (sq_store *)base;
    while (s->idle) {
        conn *c = s->idle;
        s->idle = c->next;
        conn_close(c);
    }
    if (s->leader_fd >= 0)
        close(s->leader_fd);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s->lock_path);
    free(s);
}

int vg__sqlite_open(vg_store **out, const char *path)
{
    sq_store *s = vg_xcalloc(1, sizeof(*s));
    s->base.be = &sqlite_backend;
    s->path = vg_xstrdup(path);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s-lock", path);
    s->lock_path = vg_strbuf_detach(&sb);
    s->leader_fd = -1;
    pthread_mutex_init(&s->mu, NULL);
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (c)
        rc = migrate(s, c);
    if (rc != 0) {
        conn_close(c);
        sq_close(&s->base);
        return rc;
    }
    conn_put(s, c);
    *out = &s->base;
    return 0;
}

static int sq_schema_version(int *out, int *latest, vg_store *base)
{
    sq_store *s = (sq_store *)base;
    int v = 0, rc = 0;
    conn *c = conn_get(s, &rc);
    if (c)
        rc = read_version(&v, s, c);
    conn_put(s, c);
    if (rc == 0) {
        if (out)
            *out = v;
        if (latest)
            *latest = vg__sqlite_n_migrations;
    }
    return rc;
}

/* ---- updater locks ------------------------------------------------------------------- */

/* Each updater owns one byte of the lock file, at an offset hashed from its name. OFD locks
 * belong to the open file description, so two handles in one process conflict too, and the
 * kernel releases them when the process dies. */
static off_t lock_slot(const char *updater)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = updater; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (off_t)(h >> 2) + 1;
}

/* Takes the updater's lock: the fd to close to release it, or -1 with the error set
 * (VG_ECONFLICT when another run holds it). */
static int lock_updater(int *fd_out, const sq_store *s, const char *updater)
{
    int fd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return vg_error_set(VG_EIO, "store: cannot open lock file %s: %s", s->lock_path,
                            strerror(errno));
    struct flock fl = {0};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = lock_slot(updater);
    fl.l_len = 1;
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        int e = errno;
        close(fd);
        if (e == EAGAIN || e == EACCES)
            return vg_error_set(VG_ECONFLICT,
                                "store: %s: an update of '%s' is already running (in this or "
                                "another process)",
                                s->path, updater);
        return vg_error_set(VG_EIO, "store: cannot lock %s: %s", s->lock_path, strerror(e));
    }
    *fd_out = fd;
    return 0;
}

/* ---- reading rows -------------------------------------------------------------------- */

static void copy_col(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    size_t n = v ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

static void read_op(vg_update_op *op, sqlite3_stmt *st)
{
    memset(op, 0, sizeof(*op));
    op->id = sqlite3_column_int64(st, 0);
    copy_col(op->ref, sizeof(op->ref), st, 1);
    copy_col(op->updater, sizeof(op->updater), st, 2);
    copy_col(op->fingerprint, sizeof(op->fingerprint), st, 3);
    op->date = sqlite3_column_int64(st, 4);
    op->n_advisories = (uint64_t)sqlite3_column_int64(st, 5);
}

/* Runs a statement returning OP_COLS; VG_ENOTFOUND (message unset) when it has no row. */
static int one_op(vg_update_op *out, const sq_store *s, conn *c, sqlite3_stmt *st)
{
    memset(out, 0, sizeof(*out));
    int r = sqlite3_step(st);
    int rc = 0;
    if (r == SQLITE_ROW)
        read_op(out, st);
    else
        rc = r == SQLITE_DONE ? VG_ENOTFOUND : db_fail(s, c, r, "read operation");
    done(st);
    return rc;
}

static int get_op(vg_update_op *out, const sq_store *s, conn *c, int64_t id)
{
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, ST_OP_GET, &rc);
    if (!st)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = one_op(out, s, c, st);
    if (rc == VG_ENOTFOUND)
        vg_error_set(VG_ENOTFOUND, "store: no update operation %lld", (long long)id);
    return rc;
}

static int latest(vg_update_op *out, const sq_store *s, conn *c, const char *updater)
{
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, ST_OP_LATEST, &rc);
    if (!st)
        return rc;
    sqlite3_bind_text(st, 1, updater, -1, SQLITE_STATIC);
    rc = one_op(out, s, c, st);
    if (rc == VG_ENOTFOUND)
        vg_error_set(VG_ENOTFOUND, "store: no update operation of '%.64s'", updater);
    return rc;
}

/* ---- deleting operations ------------------------------------------------------------- */

/* Deletes op `id`, its links, and the advisory rows no other op references. Inside the
 * caller's write transaction. */
static int delete_op(const sq_store *s, conn *c, int64_t id)
{
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, ST_DEL_ORPHANS, &rc);
    if (!st)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = run(s, c, st, "delete advisories")) != 0)
        return rc;
    if (!(st = stmt(s, c, ST_DEL_OP, &rc)))
        return rc;
    sqlite3_bind_int64(st, 1, id);
    return run(s, c, st, "delete operation");
}

/* Deletes one op in its own write transaction. */
static int delete_op_tx(const sq_store *s, conn *c, int64_t id)
{
    int rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin");
    if (rc == 0 && (rc = delete_op(s, c, id)) == 0)
        rc = run_id(s, c, ST_COMMIT, "commit");
    return rc == 0 ? 0 : rollback(s, c, rc);
}

/* Pending ops (uncommitted runs), optionally of one updater: a heap array of ids and a
 * parallel array of heap updater names. */
typedef struct pending_list {
    int64_t *ids;
    char **updaters;
    size_t n;
} pending_list;

static void pending_dispose(pending_list *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->updaters[i]);
    free(p->ids);
    free(p->updaters);
}

static int list_pending(pending_list *out, const sq_store *s, conn *c, const char *updater)
{
    memset(out, 0, sizeof(*out));
    int rc = 0, r;
    sqlite3_stmt *st = stmt(s, c, ST_PENDING, &rc);
    if (!st)
        return rc;
    if (updater)
        sqlite3_bind_text(st, 1, updater, -1, SQLITE_STATIC);
    size_t cap = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->ids = vg_xrealloc(out->ids, cap * sizeof(*out->ids));
            out->updaters = vg_xrealloc(out->updaters, cap * sizeof(*out->updaters));
        }
        out->ids[out->n] = sqlite3_column_int64(st, 0);
        const unsigned char *u = sqlite3_column_text(st, 1);
        out->updaters[out->n++] = vg_xstrdup(u ? (const char *)u : "");
    }
    if (r != SQLITE_DONE)
        rc = db_fail(s, c, r, "list pending operations");
    done(st);
    if (rc != 0)
        pending_dispose(out);
    return rc;
}

/* ---- update runs --------------------------------------------------------------------- */

typedef struct sq_tx {
    vg_store_tx base;
    sq_store *s;
    conn *c;
    int lock_fd;
    vg_update_op op; /* id, ref, updater, fingerprint, date; n_advisories grows */
} sq_tx;

static void tx_free(sq_tx *tx)
{
    conn_put(tx->s, tx->c);
    if (tx->lock_fd >= 0)
        close(tx->lock_fd);
    vg__run_buf_dispose(&tx->base.buf);
    free(tx);
}

/* Inside the begin transaction: for an import, whether the op is new; then the cleanup of dead
 * runs of this updater (we hold its lock, so any pending op of it is dead) and the insert of
 * the new pending op. */
static int begin_locked(vg__begin_status *status, vg_update_op *local, sq_tx *tx,
                        const vg__op_spec *spec)
{
    sq_store *s = tx->s;
    conn *c = tx->c;
    pending_list dead;
    int rc = list_pending(&dead, s, c, spec->updater);
    if (rc != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < dead.n; i++)
        rc = delete_op(s, c, dead.ids[i]);
    pending_dispose(&dead);
    if (rc != 0)
        return rc;
    *status = VG__BEGIN_NEW;
    if (spec->import) {
        sqlite3_stmt *st = stmt(s, c, ST_OP_BY_REF, &rc);
        if (!st)
            return rc;
        sqlite3_bind_text(st, 1, spec->ref, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            read_op(local, st);
            bool committed = sqlite3_column_int(st, 6) != 0;
            done(st);
            if (!committed)
                return vg_error_set(VG_ECONFLICT, "store: operation %s is being written",
                                    spec->ref);
            *status = VG__BEGIN_PRESENT;
            return 0;
        }
        done(st);
        if (r != SQLITE_DONE)
            return db_fail(s, c, r, "look up operation");
        rc = latest(local, s, c, spec->updater);
        if (rc == 0 && local->date >= spec->date) {
            *status = VG__BEGIN_OLDER;
            return 0;
        }
        if (rc != 0 && rc != VG_ENOTFOUND)
            return rc;
        rc = 0;
    }
    sqlite3_stmt *st = stmt(s, c, ST_OP_INSERT, &rc);
    if (!st)
        return rc;
    sqlite3_bind_text(st, 1, spec->ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, spec->updater, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, spec->fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, spec->date);
    if ((rc = run(s, c, st, "insert operation")) != 0)
        return rc;
    tx->op.id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

static int sq_begin(vg_store_tx **out, vg__begin_status *status, vg_update_op *local,
                    vg_store *base, const vg__op_spec *spec)
{
    sq_store *s = (sq_store *)base;
    sq_tx *tx = vg_xcalloc(1, sizeof(*tx));
    tx->base.s = base;
    tx->s = s;
    tx->lock_fd = -1;
    *status = VG__BEGIN_NEW;
    vg_update_op scratch = {0};
    int rc = lock_updater(&tx->lock_fd, s, spec->updater);
    if (rc == 0)
        tx->c = conn_get(s, &rc);
    if (tx->c && (rc = run_id(s, tx->c, ST_BEGIN_IMMEDIATE, "begin")) == 0) {
        rc = begin_locked(status, local ? local : &scratch, tx, spec);
        if (rc == 0)
            rc = run_id(s, tx->c, ST_COMMIT, "commit");
        if (rc != 0)
            rollback(s, tx->c, rc);
    }
    if (rc != 0 || *status != VG__BEGIN_NEW) {
        tx_free(tx);
        *out = NULL;
        return rc;
    }
    snprintf(tx->op.ref, sizeof(tx->op.ref), "%s", spec->ref);
    snprintf(tx->op.updater, sizeof(tx->op.updater), "%s", spec->updater);
    snprintf(tx->op.fingerprint, sizeof(tx->op.fingerprint), "%s", spec->fingerprint);
    tx->op.date = spec->date;
    *out = &tx->base;
    return 0;
}

/* Writes one buffered advisory: its row (unless the hash exists), its affected keys, its link
 * to the run's op. Inside the flush transaction. */
static int write_item(sq_tx *tx, const vg__run_item *it)
{
    sq_store *s = tx->s;
    conn *c = tx->c;
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, ST_ADV_FIND, &rc);
    if (!st)
        return rc;
    sqlite3_bind_blob(st, 1, it->hash, sizeof(it->hash), SQLITE_STATIC);
    int r = sqlite3_step(st);
    int64_t adv = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    done(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return db_fail(s, c, r, "look up advisory");
    if (r == SQLITE_DONE) {
        if (!(st = stmt(s, c, ST_ADV_INSERT, &rc)))
            return rc;
        sqlite3_bind_blob(st, 1, it->hash, sizeof(it->hash), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, it->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, it->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, it->body, (int)it->len, SQLITE_STATIC);
        if ((rc = run(s, c, st, "insert advisory")) != 0)
            return rc;
        adv = sqlite3_last_insert_rowid(c->db);
        for (size_t k = 0; k < it->n_keys; k++) {
            if (!(st = stmt(s, c, ST_AFF_INSERT, &rc)))
                return rc;
            sqlite3_bind_int64(st, 1, adv);
            sqlite3_bind_text(st, 2, it->keys[k].ns, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, it->keys[k].package, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 4, it->keys[k].source_pkg);
            if ((rc = run(s, c, st, "insert affected")) != 0)
                return rc;
        }
    }
    if (!(st = stmt(s, c, ST_LINK_INSERT, &rc)))
        return rc;
    sqlite3_bind_int64(st, 1, tx->op.id);
    sqlite3_bind_int64(st, 2, adv);
    if ((rc = run(s, c, st, "link advisory")) != 0)
        return rc;
    tx->op.n_advisories += (uint64_t)sqlite3_changes(c->db);
    return 0;
}

static int flush(sq_tx *tx)
{
    if (tx->base.buf.n == 0)
        return 0;
    int rc = run_id(tx->s, tx->c, ST_BEGIN_IMMEDIATE, "begin");
    for (size_t i = 0; rc == 0 && i < tx->base.buf.n; i++)
        rc = write_item(tx, &tx->base.buf.items[i]);
    if (rc == 0)
        rc = run_id(tx->s, tx->c, ST_COMMIT, "commit");
    if (rc != 0)
        rollback(tx->s, tx->c, rc);
    vg__run_buf_clear(&tx->base.buf);
    return rc;
}

static int sq_flush(vg_store_tx *base)
{
    return flush((sq_tx *)base);
}

static void sq_abort(vg_store_tx *base)
{
    sq_tx *tx = (sq_tx *)base;
    /* Best effort: if this fails the pending op stays invisible, and the next run of the
     * updater or a GC deletes it. */
    saved_error e = error_save();
    delete_op_tx(tx->s, tx->c, tx->op.id);
    error_restore(e);
    tx_free(tx);
}

static int sq_commit(vg_store_tx *base, vg_update_op *out)
{
    sq_tx *tx = (sq_tx *)base;
    int rc = 0;
    sq_store *s = tx->s;
    conn *c = tx->c;
    if (rc == 0)
        rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin commit");
    if (rc == 0) {
        sqlite3_stmt *st = stmt(s, c, ST_OP_COMMIT, &rc);
        if (st) {
            sqlite3_bind_int64(st, 1, tx->op.id);
            sqlite3_bind_int64(st, 2, (int64_t)tx->op.n_advisories);
            rc = run(s, c, st, "commit operation");
        }
        if (rc == 0 && sqlite3_changes(c->db) != 1)
            rc = vg_error_set(VG_ECONFLICT, "store: %s: operation %s vanished before commit",
                              s->path, tx->op.ref);
        if (rc == 0)
            rc = run_id(s, c, ST_COMMIT, "commit");
        if (rc != 0)
            rollback(s, c, rc);
    }
    if (rc != 0) {
        sq_abort(base);
        return rc;
    }
    if (out)
        *out = tx->op;
    tx_free(tx);
    return 0;
}

/* ---- reads --------------------------------------------------------------------------- */

static int sq_latest_op(vg_update_op *out, vg_store *base, const char *updater)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (c)
        rc = latest(out, s, c, updater);
    conn_put(s, c);
    return rc;
}

static int sq_list_ops(vg_update_op **out, size_t *n, vg_store *base, const char *updater)
{
    sq_store *s = (sq_store *)base;
    *out = NULL;
    *n = 0;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    sqlite3_stmt *st = stmt(s, c, updater ? ST_OP_LIST_ONE : ST_OP_LIST, &rc);
    if (st) {
        if (updater)
            sqlite3_bind_text(st, 1, updater, -1, SQLITE_STATIC);
        size_t cap = 0;
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                *out = vg_xrealloc(*out, cap * sizeof(**out));
            }
            read_op(&(*out)[(*n)++], st);
        }
        if (r != SQLITE_DONE)
            rc = db_fail(s, c, r, "list operations");
        done(st);
    }
    conn_put(s, c);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* Adv ids linked to `a` and not to `b`, appended to a heap array. */
static int diff_side(char ***out, size_t *n, const sq_store *s, conn *c, int64_t a, int64_t b)
{
    int rc = 0, r;
    sqlite3_stmt *st = stmt(s, c, ST_DIFF, &rc);
    if (!st)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    size_t cap = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = vg_xrealloc(*out, cap * sizeof(**out));
        }
        const unsigned char *id = sqlite3_column_text(st, 0);
        (*out)[(*n)++] = vg_xstrdup(id ? (const char *)id : "");
    }
    if (r != SQLITE_DONE)
        rc = db_fail(s, c, r, "diff operations");
    done(st);
    return rc;
}

static int sq_diff_ops(vg_store_diff *out, vg_store *base, int64_t prev, int64_t cur)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    vg_update_op pop, cop;
    if ((rc = run_id(s, c, ST_BEGIN, "begin")) == 0 && (rc = get_op(&cop, s, c, cur)) == 0 &&
        prev != 0 && (rc = get_op(&pop, s, c, prev)) == 0 && strcmp(pop.updater, cop.updater) != 0)
        rc = vg_error_set(VG_EINVAL,
                          "store: operations %lld (%s) and %lld (%s) belong to different "
                          "updaters",
                          (long long)prev, pop.updater, (long long)cur, cop.updater);
    if (rc == 0)
        rc = diff_side(&out->added, &out->n_added, s, c, cur, prev);
    if (rc == 0)
        rc = diff_side(&out->removed, &out->n_removed, s, c, prev, cur);
    if (rc == 0)
        rc = run_id(s, c, ST_COMMIT, "commit");
    conn_put(s, c);
    if (rc != 0)
        vg_store_diff_dispose(out);
    return rc;
}

/* Streams the `body` column of a prepared, bound statement to `cb`. */
static int stream_bodies(const sq_store *s, conn *c, sqlite3_stmt *st, vg__body_cb cb, void *ctx)
{
    int r, rc = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        if ((rc = cb(ctx, body ? body : "", len)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = db_fail(s, c, r, "read advisories");
    done(st);
    return rc;
}

static int sq_find_affected(vg_store *base, const char *ns, const char *package, bool source_pkg,
                            vg__body_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_FIND_AFFECTED, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, package, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, source_pkg);
        rc = stream_bodies(s, c, st, cb, ctx);
    }
    conn_put(s, c);
    return rc;
}

static int sq_op_bodies(vg_store *base, int64_t op_id, vg__body_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    vg_update_op op;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (c && (rc = run_id(s, c, ST_BEGIN, "begin")) == 0 && (rc = get_op(&op, s, c, op_id)) == 0) {
        sqlite3_stmt *st = stmt(s, c, ST_OP_BODIES, &rc);
        if (st) {
            sqlite3_bind_int64(st, 1, op_id);
            rc = stream_bodies(s, c, st, cb, ctx);
        }
    }
    conn_put(s, c); /* ends the read transaction */
    return rc;
}

static int sq_get_bodies(vg_store *base, const char *id, vg__body_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_GET_ADV, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        rc = stream_bodies(s, c, st, cb, ctx);
    }
    conn_put(s, c);
    return rc;
}

/* ---- garbage collection -------------------------------------------------------------- */

/* Deletes runs that died before commit (their updater's lock is free), within `*budget`. */
static int gc_dead(const sq_store *s, conn *c, const char *updater, size_t *budget)
{
    pending_list p;
    int rc = list_pending(&p, s, c, updater);
    if (rc != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < p.n && (*budget) != 0; i++) {
        int fd = -1;
        if (lock_updater(&fd, s, p.updaters[i]) != 0) {
            vg_error_clear(); /* a live run: not ours to delete */
            continue;
        }
        rc = delete_op_tx(s, c, p.ids[i]);
        close(fd);
        (*budget)--;
    }
    pending_dispose(&p);
    return rc;
}

static int gc_updater(size_t *deleted, const sq_store *s, conn *c, const char *updater,
                      unsigned keep, size_t *budget)
{
    int rc = 0;
    while (rc == 0 && *budget > 0) {
        sqlite3_stmt *st = stmt(s, c, ST_GC_VICTIM, &rc);
        if (!st)
            break;
        sqlite3_bind_text(st, 1, updater, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, keep);
        int r = sqlite3_step(st);
        int64_t victim = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        done(st);
        if (r != SQLITE_ROW) {
            if (r != SQLITE_DONE)
                rc = db_fail(s, c, r, "find operations to delete");
            break;
        }
        if ((rc = delete_op_tx(s, c, victim)) == 0) {
            (*deleted)++;
            (*budget)--;
        }
    }
    return rc;
}

static int sq_gc(size_t *deleted, vg_store *base, const char *updater, unsigned keep, size_t batch)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    size_t budget = batch;
    char **names = NULL;
    size_t n_names = 0, cap = 0;
    if (updater) {
        names = vg_xmalloc(sizeof(*names));
        names[n_names++] = vg_xstrdup(updater);
    } else {
        sqlite3_stmt *st = stmt(s, c, ST_UPDATERS, &rc);
        int r = SQLITE_DONE;
        while (st && (r = sqlite3_step(st)) == SQLITE_ROW) {
            if (n_names == cap) {
                cap = cap ? cap * 2 : 8;
                names = vg_xrealloc(names, cap * sizeof(*names));
            }
            const unsigned char *u = sqlite3_column_text(st, 0);
            names[n_names++] = vg_xstrdup(u ? (const char *)u : "");
        }
        if (st) {
            if (r != SQLITE_DONE)
                rc = db_fail(s, c, r, "list updaters");
            done(st);
        }
    }
    for (size_t i = 0; rc == 0 && i < n_names; i++)
        rc = gc_updater(deleted, s, c, names[i], keep, &budget);
    if (rc == 0)
        rc = gc_dead(s, c, updater, &budget);
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    conn_put(s, c);
    return rc;
}

/* ---- the index side: layer results and manifests ------------------------------------- */

typedef struct found_ctx {
    vg__body_cb cb;
    void *ctx;
    bool found;
} found_ctx;

static int found_cb(void *arg, const char *body, size_t len)
{
    found_ctx *f = arg;
    f->found = true;
    return f->cb(f->ctx, body, len);
}

static int get_one(const sq_store *s, conn *c, sqlite3_stmt *st, vg__body_cb cb, void *ctx,
                   const char *what, const char *name)
{
    found_ctx f = {cb, ctx, false};
    int rc = stream_bodies(s, c, st, found_cb, &f);
    if (rc == 0 && !f.found)
        rc = vg_error_set(VG_ENOTFOUND, "%s %s not in the store", what, name);
    return rc;
}

static int sq_layer_get(vg_store *base, const char *digest, const char *scanners, vg__body_cb cb,
                        void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_LAYER_GET, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, scanners, -1, SQLITE_STATIC);
        rc = get_one(s, c, st, cb, ctx, "layer", digest);
    }
    conn_put(s, c);
    return rc;
}

static int sq_layer_put(vg_store *base, const char *digest, const char *scanners, const char *body,
                        size_t len)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_LAYER_PUT, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, scanners, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, body, (int)len, SQLITE_STATIC);
        rc = run(s, c, st, "store a layer result");
    }
    conn_put(s, c);
    return rc;
}

static int sq_manifest_put(vg_store *base, const char *hash, const char *report, size_t len,
                           const char *const *layers, size_t n_layers, const vg_store_pkg_key *keys,
                           size_t n_keys)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    if ((rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin")) != 0) {
        conn_put(s, c);
        return rc;
    }
    sqlite3_stmt *st = stmt(s, c, ST_MANIFEST_PUT, &rc);
    if (st) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, report, (int)len, SQLITE_STATIC);
        rc = run(s, c, st, "store a manifest");
    }
    if (rc == 0 && (st = stmt(s, c, ST_MANIFEST_DEL_LAYERS, &rc)) != NULL) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        rc = run(s, c, st, "store a manifest");
    }
    for (size_t i = 0; rc == 0 && i < n_layers; i++) {
        if ((st = stmt(s, c, ST_MANIFEST_LAYER_PUT, &rc)) == NULL)
            break;
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        sqlite3_bind_text(st, 3, layers[i], -1, SQLITE_STATIC);
        rc = run(s, c, st, "store a manifest layer");
    }
    /* The REPLACE above cascades to the old keys when foreign keys are on; delete them
     * explicitly anyway, as for the layers, so a replaced manifest never keeps a stale key. */
    if (rc == 0 && (st = stmt(s, c, ST_MANIFEST_DEL_KEYS, &rc)) != NULL) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        rc = run(s, c, st, "store a manifest");
    }
    for (size_t i = 0; rc == 0 && i < n_keys; i++) {
        if ((st = stmt(s, c, ST_MANIFEST_KEY_PUT, &rc)) == NULL)
            break;
        sqlite3_bind_text(st, 1, keys[i].ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, keys[i].package, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, keys[i].source_pkg);
        sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
        rc = run(s, c, st, "store a manifest package key");
    }
    rc = rc ? rollback(s, c, rc) : run_id(s, c, ST_COMMIT, "commit");
    conn_put(s, c);
    return rc;
}

static int sq_manifest_get(vg_store *base, const char *hash, vg__body_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_MANIFEST_GET, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        rc = get_one(s, c, st, cb, ctx, "manifest", hash);
    }
    conn_put(s, c);
    return rc;
}

/* One integer column of a one-row query (or VG_ENOTFOUND naming `what`). */
static int sq_int64(int64_t *out, sq_store *s, enum stmt_id id, const char *arg, const char *what)
{
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, id, &rc) : NULL;
    if (st) {
        if (arg)
            sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            sqlite3_reset(st);
        } else if (r == SQLITE_DONE) {
            sqlite3_reset(st);
            rc = vg_error_set(VG_ENOTFOUND, "%s %s not in the store", what, arg ? arg : "");
        } else {
            rc = run(s, c, st, what);
        }
    }
    conn_put(s, c);
    return rc;
}

static int sq_manifest_stamp(int64_t *indexed, vg_store *base, const char *hash)
{
    return sq_int64(indexed, (sq_store *)base, ST_MANIFEST_STAMP, hash, "manifest");
}

static int sq_manifest_delete(bool *deleted, vg_store *base, const char *hash)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    *deleted = false;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    if ((rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin")) != 0) {
        conn_put(s, c);
        return rc;
    }
    sqlite3_stmt *st = stmt(s, c, ST_MANIFEST_DEL, &rc);
    if (st) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        rc = run(s, c, st, "delete a manifest");
        if (rc == 0)
            *deleted = sqlite3_changes(c->db) > 0;
    }
    if (rc == 0 && (st = stmt(s, c, ST_NAME_DEL, &rc)) != NULL) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        rc = run(s, c, st, "delete a manifest's names");
    }
    rc = rc ? rollback(s, c, rc) : run_id(s, c, ST_COMMIT, "commit");
    if (rc != 0)
        *deleted = false;
    conn_put(s, c);
    return rc;
}

static int sq_generation(int64_t *out, vg_store *base)
{
    return sq_int64(out, (sq_store *)base, ST_GENERATION, NULL, "update operations");
}

static int sq_manifests_with(vg_store *base, const char *ns, const char *package, bool source_pkg,
                             vg_store_manifest_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0, r = SQLITE_DONE;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_MANIFESTS_WITH, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, package, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, source_pkg);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            const unsigned char *h = sqlite3_column_text(st, 0);
            if ((rc = cb(ctx, h ? (const char *)h : "")) != 0)
                break;
        }
        if (rc == 0 && r != SQLITE_DONE)
            rc = db_fail(s, c, r, "read the package index");
        done(st);
    }
    conn_put(s, c);
    return rc;
}

static int sq_manifest_count(uint64_t *out, vg_store *base)
{
    int64_t n = 0;
    int rc = sq_int64(&n, (sq_store *)base, ST_MANIFEST_COUNT, NULL, "manifests");
    if (rc == 0)
        *out = (uint64_t)n;
    return rc;
}

/* ---- notifications ------------------------------------------------------------------- */

static void read_set(vg_notify_set *out, sqlite3_stmt *st)
{
    memset(out, 0, sizeof(*out));
    copy_col(out->id, sizeof(out->id), st, 0);
    copy_col(out->updater, sizeof(out->updater), st, 1);
    copy_col(out->op_ref, sizeof(out->op_ref), st, 2);
    out->created = sqlite3_column_int64(st, 3);
    out->count = (uint64_t)sqlite3_column_int64(st, 4);
    out->acked = sqlite3_column_int(st, 5) != 0;
    out->delivery = (vg_delivery_state)sqlite3_column_int(st, 6);
    out->attempts = (unsigned)sqlite3_column_int64(st, 7);
    out->next_attempt = sqlite3_column_int64(st, 8);
    copy_col(out->last_error, sizeof(out->last_error), st, 9);
}

static int set_not_found(const char *id)
{
    return vg_error_set(VG_ENOTFOUND, "store: no notification set %.64s", id);
}

/* Reads set `id` on `c` (inside the caller's transaction, if any); VG_ENOTFOUND. */
static int get_set(vg_notify_set *out, const sq_store *s, conn *c, const char *id)
{
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, ST_SET_GET, &rc);
    if (!st)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_set(out, st);
    else
        rc = r == SQLITE_DONE ? set_not_found(id) : db_fail(s, c, r, "read a notification set");
    done(st);
    return rc;
}

static int sq_notify_put(vg_store *base, const vg_notify_set *set, const vg_notification *items,
                         size_t n)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    if ((rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin")) != 0) {
        conn_put(s, c);
        return rc;
    }
    sqlite3_stmt *st = stmt(s, c, ST_SET_PUT, &rc);
    if (st) {
        sqlite3_bind_text(st, 1, set->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, set->updater, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, set->op_ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, set->created);
        sqlite3_bind_int64(st, 5, (int64_t)set->count);
        sqlite3_bind_int(st, 6, (int)set->delivery);
        sqlite3_bind_int64(st, 7, set->next_attempt);
        rc = run(s, c, st, "store a notification set");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if ((st = stmt(s, c, ST_NOTE_PUT, &rc)) == NULL)
            break;
        sqlite3_bind_text(st, 1, set->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)i + 1);
        sqlite3_bind_text(st, 3, items[i].manifest, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, (int)items[i].reason);
        sqlite3_bind_text(st, 5, items[i].summary, -1, SQLITE_STATIC);
        rc = run(s, c, st, "store a notification");
    }
    rc = rc ? rollback(s, c, rc) : run_id(s, c, ST_COMMIT, "commit");
    conn_put(s, c);
    return rc;
}

static int sq_notify_get(vg_notify_set *out, vg_store *base, const char *id)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    vg_notify_set set;
    conn *c = conn_get(s, &rc);
    if (c && (rc = get_set(&set, s, c, id)) == 0)
        *out = set;
    conn_put(s, c);
    return rc;
}

static int sq_notify_list(vg_notify_set **out, size_t *n, vg_store *base, size_t limit)
{
    sq_store *s = (sq_store *)base;
    int rc = 0, r = SQLITE_DONE;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_SET_LIST, &rc) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, (int64_t)limit);
        size_t cap = 0;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                *out = vg_xrealloc(*out, cap * sizeof(**out));
            }
            read_set(&(*out)[(*n)++], st);
        }
        if (r != SQLITE_DONE)
            rc = db_fail(s, c, r, "list notification sets");
        done(st);
    }
    conn_put(s, c);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* One page, inside the caller's read transaction: up to `limit` rows to `cb`, and one more
 * looked at to tell whether the page is the last. */
static int page_rows(const sq_store *s, conn *c, const char *id, uint64_t after, size_t limit,
                     vg_store_notification_cb cb, void *ctx, uint64_t *next)
{
    int rc = 0, r;
    sqlite3_stmt *st = stmt(s, c, ST_NOTE_PAGE, &rc);
    if (!st)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after > INT64_MAX ? INT64_MAX : (int64_t)after);
    sqlite3_bind_int64(st, 3, (int64_t)limit + 1);
    size_t got = 0;
    uint64_t last = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (got == limit) { /* one more exists */
            *next = last;
            break;
        }
        const unsigned char *m = sqlite3_column_text(st, 1);
        const unsigned char *sum = sqlite3_column_text(st, 3);
        vg_notification note = {m ? (const char *)m : "",
                                (vg_notify_reason)sqlite3_column_int(st, 2),
                                sum ? (const char *)sum : ""};
        last = (uint64_t)sqlite3_column_int64(st, 0);
        got++;
        if ((rc = cb(ctx, last, &note)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_ROW && r != SQLITE_DONE)
        rc = db_fail(s, c, r, "read notifications");
    done(st);
    if (rc != 0)
        *next = 0;
    return rc;
}

static int sq_notify_page(vg_store *base, const char *id, uint64_t after, size_t limit,
                          vg_store_notification_cb cb, void *ctx, uint64_t *next)
{
    sq_store *s = (sq_store *)base;
    vg_notify_set set;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    /* One read snapshot: a GC between the lookup and the page cannot cut the page short. */
    if (c && (rc = run_id(s, c, ST_BEGIN, "begin")) == 0 && (rc = get_set(&set, s, c, id)) == 0)
        rc = page_rows(s, c, id, after, limit, cb, ctx, next);
    if (rc == 0)
        rc = run_id(s, c, ST_COMMIT, "commit");
    conn_put(s, c); /* rolls back the read transaction on an error path */
    return rc;
}

static int sq_notify_ack(vg_store *base, const char *id)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_SET_ACK, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        rc = run(s, c, st, "acknowledge a notification set");
        if (rc == 0 && sqlite3_changes(c->db) == 0)
            rc = set_not_found(id);
    }
    conn_put(s, c);
    return rc;
}

/* Inside the claim's write transaction: the oldest due set, leased to `owner`. */
static int claim_locked(vg_notify_set *out, const sq_store *s, conn *c, int64_t now,
                        const char *owner, int64_t until)
{
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, ST_CLAIM_FIND, &rc);
    if (!st)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_set(out, st);
    else if (r == SQLITE_DONE)
        rc = vg_error_set(VG_ENOTFOUND, "store: no notification set is due for delivery");
    else
        rc = db_fail(s, c, r, "find a notification set to deliver");
    done(st);
    if (rc != 0 || (st = stmt(s, c, ST_CLAIM_LEASE, &rc)) == NULL)
        return rc;
    sqlite3_bind_text(st, 1, out->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, until);
    return run(s, c, st, "lease a notification set");
}

static int sq_delivery_claim(vg_notify_set *out, vg_store *base, int64_t now, const char *owner,
                             int64_t until)
{
    sq_store *s = (sq_store *)base;
    vg_notify_set set;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    /* BEGIN IMMEDIATE takes the database's write lock before the select, so two claimers (in
     * any process) cannot pick the same set. */
    if ((rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin")) == 0) {
        rc = claim_locked(&set, s, c, now, owner, until);
        rc = rc ? rollback(s, c, rc) : run_id(s, c, ST_COMMIT, "commit");
    }
    conn_put(s, c);
    if (rc == 0)
        *out = set;
    return rc;
}

/* Inside the write transaction: applies the outcome, or says why it does not apply. */
static int done_locked(const sq_store *s, conn *c, const char *id, vg_delivery_state state,
                       int64_t next_attempt, const char *error)
{
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, ST_DELIVERY_DONE, &rc);
    if (!st)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)state);
    sqlite3_bind_int64(st, 3, next_attempt);
    sqlite3_bind_text(st, 4, error, -1, SQLITE_STATIC);
    if ((rc = run(s, c, st, "record a delivery")) != 0 || sqlite3_changes(c->db) > 0)
        return rc;
    if ((st = stmt(s, c, ST_DELIVERY_STATE, &rc)) == NULL)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    int cur = r == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    done(st);
    if (r == SQLITE_DONE)
        return set_not_found(id);
    if (r != SQLITE_ROW)
        return db_fail(s, c, r, "read a delivery state");
    if (cur == VG_DELIVERY_NONE)
        return vg_error_set(VG_EINVAL, "store: notification set %.64s is not for delivery", id);
    return 0; /* DELIVERED: stays so */
}

static int sq_delivery_done(vg_store *base, const char *id, vg_delivery_state state,
                            int64_t next_attempt, const char *error)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    if ((rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin")) == 0) {
        rc = done_locked(s, c, id, state, next_attempt, error);
        rc = rc ? rollback(s, c, rc) : run_id(s, c, ST_COMMIT, "commit");
    }
    conn_put(s, c);
    return rc;
}

/* Deletes the oldest set that is acked or created before `cutoff`, in its own write
 * transaction; `*gone` says whether there was one. */
static int gc_one_set(bool *gone, const sq_store *s, conn *c, int64_t cutoff)
{
    *gone = false;
    int rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin");
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = stmt(s, c, ST_SET_GC_VICTIM, &rc);
    char id[40] = "";
    if (st) {
        sqlite3_bind_int64(st, 1, cutoff);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW)
            copy_col(id, sizeof(id), st, 0);
        else if (r != SQLITE_DONE)
            rc = db_fail(s, c, r, "find notification sets to delete");
        done(st);
    }
    if (rc == 0 && *id && (st = stmt(s, c, ST_SET_DEL, &rc)) != NULL) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        rc = run(s, c, st, "delete a notification set");
        *gone = rc == 0;
    }
    if (rc != 0) {
        *gone = false;
        return rollback(s, c, rc);
    }
    return run_id(s, c, ST_COMMIT, "commit");
}

static int sq_notify_gc(size_t *deleted, vg_store *base, int64_t cutoff, size_t batch)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    bool gone = true;
    while (c && rc == 0 && gone && *deleted < batch)
        if ((rc = gc_one_set(&gone, s, c, cutoff)) == 0 && gone)
            (*deleted)++;
    conn_put(s, c);
    return rc;
}

/* ---- scale-out, copy and the dashboard (migration 4) --------------------------------- */

static const char *col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

static int sq_manifest_list(vg_store *base, const char *after, size_t limit,
                            vg_store_manifest_info_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0, r = SQLITE_DONE;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_MANIFEST_LIST, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)limit);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            vg_store_manifest_info m = {col_text(st, 0), sqlite3_column_int64(st, 1),
                                        col_text(st, 2)};
            if ((rc = cb(ctx, &m)) != 0)
                break;
        }
        if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW)
            rc = db_fail(s, c, r, "list manifests");
        done(st);
    }
    conn_put(s, c);
    return rc;
}

/* Inside the write transaction: VG_ENOTFOUND / VG_ETOOBIG, or the name added (or present). */
static int name_locked(const sq_store *s, conn *c, const char *hash, const char *name)
{
    int rc = 0;
    sqlite3_stmt *st = stmt(s, c, ST_NAME_EXISTS, &rc);
    if (!st)
        return rc;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    int64_t manifests = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int64_t present = r == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    done(st);
    if (r != SQLITE_ROW)
        return db_fail(s, c, r, "read a manifest");
    if (!manifests)
        return vg_error_set(VG_ENOTFOUND, "manifest %.140s not in the store", hash);
    if (present)
        return 0;
    int64_t n = 0;
    if ((st = stmt(s, c, ST_NAME_COUNT, &rc)) == NULL)
        return rc;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    n = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    done(st);
    if (r != SQLITE_ROW)
        return db_fail(s, c, r, "count a manifest's names");
    if (n >= VG_STORE_NAMES_PER_MANIFEST)
        return vg_error_set(VG_ETOOBIG, "store: manifest %.140s already has %d names", hash,
                            VG_STORE_NAMES_PER_MANIFEST);
    if ((st = stmt(s, c, ST_NAME_PUT, &rc)) == NULL)
        return rc;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    return run(s, c, st, "name a manifest");
}

static int sq_manifest_name(vg_store *base, const char *hash, const char *name)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    if (!c)
        return rc;
    /* Most calls name a manifest again (a re-POST): answer those without the write lock. */
    sqlite3_stmt *st = stmt(s, c, ST_NAME_EXISTS, &rc);
    if (!st) {
        conn_put(s, c);
        return rc;
    }
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    bool present = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 1) > 0;
    done(st);
    if (present) {
        conn_put(s, c);
        return 0;
    }
    if ((rc = run_id(s, c, ST_BEGIN_IMMEDIATE, "begin")) == 0) {
        rc = name_locked(s, c, hash, name);
        rc = rc ? rollback(s, c, rc) : run_id(s, c, ST_COMMIT, "commit");
    }
    conn_put(s, c);
    return rc;
}

static int sq_manifest_layers(vg_store *base, const char *hash, vg_store_manifest_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0, r = SQLITE_DONE;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_MANIFEST_LAYERS, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
            if ((rc = cb(ctx, col_text(st, 0))) != 0)
                break;
        if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW)
            rc = db_fail(s, c, r, "read a manifest's layers");
        done(st);
    }
    conn_put(s, c);
    return rc;
}

static int sq_manifest_keys(vg_store *base, const char *hash, vg__key_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0, r = SQLITE_DONE;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_MANIFEST_KEYS, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            vg_store_pkg_key k = {col_text(st, 0), col_text(st, 1), sqlite3_column_int(st, 2) != 0};
            if ((rc = cb(ctx, &k)) != 0)
                break;
        }
        if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW)
            rc = db_fail(s, c, r, "read a manifest's package keys");
        done(st);
    }
    conn_put(s, c);
    return rc;
}

static int sq_layer_list(vg_store *base, const char *after_digest, const char *after_scanners,
                         size_t limit, vg__layer_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0, r = SQLITE_DONE;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_LAYER_LIST, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, after_digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, after_scanners, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (int64_t)limit);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            const char *body = col_text(st, 2);
            if ((rc = cb(ctx, col_text(st, 0), col_text(st, 1), body,
                         (size_t)sqlite3_column_bytes(st, 2))) != 0)
                break;
        }
        if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW)
            rc = db_fail(s, c, r, "list layer results");
        done(st);
    }
    conn_put(s, c);
    return rc;
}

static int sq_history_put(vg_store *base, int64_t generation, int64_t date, const char *summary)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_HISTORY_PUT, &rc) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, generation);
        sqlite3_bind_int64(st, 2, date);
        sqlite3_bind_text(st, 3, summary, -1, SQLITE_STATIC);
        rc = run(s, c, st, "store a history point");
    }
    conn_put(s, c);
    return rc;
}

static int sq_history_list(vg_store *base, size_t limit, vg_store_history_cb cb, void *ctx)
{
    sq_store *s = (sq_store *)base;
    int rc = 0, r = SQLITE_DONE;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_HISTORY_LIST, &rc) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, (int64_t)limit);
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
            if ((rc = cb(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                         col_text(st, 2))) != 0)
                break;
        if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW)
            rc = db_fail(s, c, r, "read the history");
        done(st);
    }
    conn_put(s, c);
    return rc;
}

/* Leadership on SQLite: an OFD write lock on one byte (hashed from the role) of "<db>-leader",
 * whose fd the handle keeps. Other handles, in this process or another, fail to take it until
 * this one closes (or its process dies). A separate file from "<db>-lock", because closing an
 * updater-lock fd must never touch it. */
static int sq_leader(bool *leader, vg_store *base, const char *role)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    if (s->leader_fd < 0) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 0);
        vg_strbuf_printf(&sb, "%s-leader", s->path);
        s->leader_fd = open(sb.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (s->leader_fd < 0)
            rc = vg_error_set(VG_EIO, "store: cannot open %s: %s", sb.buf, strerror(errno));
        vg_strbuf_dispose(&sb);
    }
    if (rc == 0) {
        struct flock fl = {0};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        fl.l_start = lock_slot(role);
        fl.l_len = 1;
        if (fcntl(s->leader_fd, F_OFD_SETLK, &fl) == 0)
            *leader = true; /* taken, or already ours (a lock on our own fd is re-granted) */
        else if (errno == EAGAIN || errno == EACCES)
            *leader = false;
        else
            rc = vg_error_set(VG_EIO, "store: cannot lock %s-leader: %s", s->path, strerror(errno));
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int sq_layer_claim(bool *claimed, vg_store *base, const char *digest, const char *scanners,
                          const char *owner, int64_t now, int64_t until)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_LAYER_CLAIM, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, scanners, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, until);
        if ((rc = run(s, c, st, "claim a layer")) == 0)
            *claimed = sqlite3_changes(c->db) > 0;
    }
    conn_put(s, c);
    return rc;
}

static int sq_layer_unclaim(vg_store *base, const char *digest, const char *scanners,
                            const char *owner)
{
    sq_store *s = (sq_store *)base;
    int rc = 0;
    conn *c = conn_get(s, &rc);
    sqlite3_stmt *st = c ? stmt(s, c, ST_LAYER_UNCLAIM, &rc) : NULL;
    if (st) {
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, scanners, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
        rc = run(s, c, st, "release a layer claim");
    }
    conn_put(s, c);
    return rc;
}

static const vg_store_backend sqlite_backend = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .flush = sq_flush,
    .commit = sq_commit,
    .abort = sq_abort,
    .latest_op = sq_latest_op,
    .list_ops = sq_list_ops,
    .diff_ops = sq_diff_ops,
    .gc = sq_gc,
    .find_affected = sq_find_affected,
    .op_bodies = sq_op_bodies,
    .get_bodies = sq_get_bodies,
    .layer_get = sq_layer_get,
    .layer_put = sq_layer_put,
    .manifest_put = sq_manifest_put,
    .manifest_get = sq_manifest_get,
    .manifest_stamp = sq_manifest_stamp,
    .manifest_delete = sq_manifest_delete,
    .generation = sq_generation,
    .manifests_with = sq_manifests_with,
    .manifest_count = sq_manifest_count,
    .notify_put = sq_notify_put,
    .notify_get = sq_notify_get,
    .notify_list = sq_notify_list,
    .notify_page = sq_notify_page,
    .notify_ack = sq_notify_ack,
    .delivery_claim = sq_delivery_claim,
    .delivery_done = sq_delivery_done,
    .notify_gc = sq_notify_gc,
    .manifest_list = sq_manifest_list,
    .manifest_name = sq_manifest_name,
    .manifest_layers = sq_manifest_layers,
    .manifest_keys = sq_manifest_keys,
    .layer_list = sq_layer_list,
    .history_put = sq_history_put,
    .history_list = sq_history_list,
    .leader = sq_leader,
    .layer_claim = sq_layer_claim,
    .layer_unclaim = sq_layer_unclaim,
};
