/* postgres.c — the PostgreSQL store backend (libpq): the same table of operations as sqlite.c,
 * for deployments where several vigil instances share one database. A handle keeps a bounded
 * pool of connections with lazily prepared statements; every call checks one out, and a call
 * that loses its connection (or hits a serialization failure or deadlock) discards it and runs
 * again whole, within a few seconds, so a restarted PostgreSQL costs a few failed calls
 * ("store: PostgreSQL unavailable: ...", VG_EIO) and no stale connections. An update run is one
 * transaction on its own connection under a transaction-level advisory lock of its updater:
 * readers see the previous operation until COMMIT, and a killed process rolls back. Leadership
 * is a session advisory lock on a connection the handle keeps outside the pool.
 *
 * Results are read whole and the connection goes back before any callback runs (callbacks may
 * call the store, even with a pool of one); an op's advisories are read in pages. Nothing is
 * run again once a COMMIT went out (its outcome may be unknown). Limits: two runs open at once
 * that add the same new advisory content (the same hash; updaters differ in `source`, so only
 * imports of one content under two updaters) wait for each other, and may end in a deadlock
 * that fails one run (VG_ECONFLICT); GC skips an updater while its run is open; bodies are
 * PostgreSQL text, so they must be UTF-8 without NUL (canonical JSON always is). */
#include "store_int.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Connections per handle when the DSN does not say (pool_max_conns). */
#define POOL_DEFAULT 8
/* How long a call waits for a free connection before failing. */
#define POOL_WAIT_S 30
/* libpq's connect_timeout, in seconds (the DSN may set another). */
#define CONNECT_TIMEOUT "3"
/* Attempts of one call on transient failures, and the time after which none is started. */
#define RETRY_MAX 4
#define RETRY_BUDGET_MS 4000
/* Rows per page when walking an operation's advisories; bytes per COPY message. */
#define PAGE_ROWS 1000
#define COPY_CHUNK ((size_t)256 << 10)
/* Cap on one batch's array literals (8 MiB of bodies, one 16 MiB advisory, escaping). */
#define BATCH_MAX ((size_t)256 << 20)

/* ---- statements ---------------------------------------------------------------------- */

#define NEWEST_OPS "(SELECT max(id) FROM update_op WHERE committed GROUP BY updater)"
#define OP_COLS "id, ref, updater, fingerprint, date, n_advisories"
#define SET_COLS                                                                                   \
    "id, updater, op_ref, created, count, acked, delivery, attempts, next_attempt, last_error"
#define NOW_S "floor(extract(epoch FROM now()))::bigint"

enum stmt_id {
    ST_VERSION,
    ST_OP_INSERT,
    ST_OP_COMMIT,
    ST_OP_GET,
    ST_OP_BY_REF,
    ST_OP_LATEST,
    ST_OP_LIST,
    ST_OP_LIST_ONE,
    ST_UPDATERS,
    ST_GC_VICTIM,
    ST_DEL_ORPHANS,
    ST_DEL_OP,
    ST_TRY_XACT_LOCK,
    ST_ADV_KNOWN,
    ST_ADV_INSERT,
    ST_AFF_INSERT,
    ST_LINK_INSERT,
    ST_DIFF,
    ST_FIND_AFFECTED,
    ST_OP_BODIES,
    ST_GET_ADV,
    ST_LAYER_GET,
    ST_LAYER_PUT,
    ST_MANIFEST_PUT,
    ST_MANIFEST_DEL_LAYERS,
    ST_MANIFEST_LAYERS_PUT,
    ST_MANIFEST_GET,
    ST_MANIFEST_STAMP,
    ST_MANIFEST_DEL,
    ST_NAME_ORPHANS,
    ST_GENERATION,
    ST_MANIFEST_DEL_KEYS,
    ST_MANIFEST_KEYS_PUT,
    ST_MANIFESTS_WITH,
    ST_MANIFEST_COUNT,
    ST_SET_PUT,
    ST_SET_GET,
    ST_SET_LIST,
    ST_NOTE_PAGE,
    ST_SET_ACK,
    ST_CLAIM,
    ST_DELIVERY_DONE,
    ST_DELIVERY_STATE,
    ST_SET_GC,
    ST_MANIFEST_LIST,
    ST_MANIFEST_LOCK,
    ST_NAME_COUNT,
    ST_NAME_PUT,
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
    [ST_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [ST_OP_INSERT] = "INSERT INTO update_op (ref, updater, fingerprint, date) "
                     "VALUES ($1, $2, $3, $4::bigint) RETURNING id",
    [ST_OP_COMMIT] = "UPDATE update_op SET committed = true, n_advisories = $2::bigint "
                     "WHERE id = $1::bigint AND NOT committed",
    [ST_OP_GET] = "SELECT " OP_COLS " FROM update_op WHERE id = $1::bigint AND committed",
    [ST_OP_BY_REF] = "SELECT " OP_COLS " FROM update_op WHERE ref = $1 AND committed",
    [ST_OP_LATEST] = "SELECT " OP_COLS " FROM update_op WHERE updater = $1 AND committed "
                     "ORDER BY id DESC LIMIT 1",
    [ST_OP_LIST] = "SELECT " OP_COLS " FROM update_op WHERE committed ORDER BY id DESC",
    [ST_OP_LIST_ONE] = "SELECT " OP_COLS " FROM update_op WHERE updater = $1 AND committed "
                       "ORDER BY id DESC",
    [ST_UPDATERS] = "SELECT DISTINCT updater FROM update_op WHERE committed ORDER BY updater",
    [ST_GC_VICTIM] = "SELECT id FROM update_op WHERE updater = $1 AND committed AND "
                     "(SELECT count(*) FROM update_op WHERE updater = $1 AND committed) > "
                     "$2::bigint ORDER BY id LIMIT 1",
    /* Advisory rows only this op references; deleting them cascades to their links and
     * affected rows. */
    [ST_DEL_ORPHANS] = "DELETE FROM advisory WHERE id IN (SELECT oa.advisory FROM op_advisory oa "
                       "WHERE oa.op = $1::bigint AND NOT EXISTS (SELECT 1 FROM op_advisory o2 "
                       "WHERE o2.advisory = oa.advisory AND o2.op <> $1::bigint))",
    [ST_DEL_OP] = "DELETE FROM update_op WHERE id = $1::bigint",
    [ST_TRY_XACT_LOCK] = "SELECT pg_try_advisory_xact_lock($1::bigint)",
    /* A run's batch: the new advisory rows (their hashes come back), the affected keys of
     * those, and the links of every advisory of the batch. Hashes travel as hex. */
    [ST_ADV_KNOWN] = "SELECT encode(a.hash, 'hex') FROM unnest($1::text[]) AS u(h) "
                     "JOIN advisory a ON a.hash = decode(u.h, 'hex')",
    [ST_ADV_INSERT] = "INSERT INTO advisory (hash, adv_id, source, body) "
                      "SELECT decode(u.h, 'hex'), u.i, u.s, u.b FROM unnest($1::text[], "
                      "$2::text[], $3::text[], $4::text[]) AS u(h, i, s, b) "
                      "ON CONFLICT (hash) DO NOTHING RETURNING encode(hash, 'hex')",
    [ST_AFF_INSERT] = "INSERT INTO affected (advisory, ns, package, source_pkg) "
                      "SELECT a.id, u.n, u.p, u.s FROM unnest($1::text[], $2::text[], $3::text[], "
                      "$4::boolean[]) AS u(h, n, p, s) JOIN advisory a ON a.hash = "
                      "decode(u.h, 'hex') ON CONFLICT DO NOTHING",
    [ST_LINK_INSERT] = "INSERT INTO op_advisory (op, advisory) SELECT $1::bigint, a.id "
                       "FROM advisory a WHERE a.hash IN (SELECT decode(h, 'hex') FROM "
                       "unnest($2::text[]) AS h) ON CONFLICT DO NOTHING",
    /* Advisory rows (id + content) linked to $1 and not to $2. */
    [ST_DIFF] = "SELECT a.adv_id FROM op_advisory c JOIN advisory a ON a.id = c.advisory "
                "WHERE c.op = $1::bigint AND NOT EXISTS (SELECT 1 FROM op_advisory p "
                "WHERE p.op = $2::bigint AND p.advisory = c.advisory) ORDER BY a.adv_id, a.id",
    [ST_FIND_AFFECTED] = "SELECT a.body FROM affected f JOIN advisory a ON a.id = f.advisory "
                         "WHERE f.ns = $1 AND f.package = $2 AND f.source_pkg = $3::boolean AND "
                         "EXISTS (SELECT 1 FROM op_advisory oa WHERE oa.advisory = f.advisory "
                         "AND oa.op IN " NEWEST_OPS ") ORDER BY a.adv_id, a.id",
    [ST_OP_BODIES] = "SELECT a.body, a.adv_id, a.id FROM op_advisory oa JOIN advisory a "
                     "ON a.id = oa.advisory WHERE oa.op = $1::bigint AND (a.adv_id, a.id) > "
                     "($2, $3::bigint) ORDER BY a.adv_id, a.id LIMIT $4::bigint",
    [ST_GET_ADV] = "SELECT a.body FROM advisory a WHERE a.adv_id = $1 AND EXISTS (SELECT 1 "
                   "FROM op_advisory oa WHERE oa.advisory = a.id AND oa.op IN " NEWEST_OPS ") "
                   "ORDER BY a.source, a.id",
    [ST_LAYER_GET] = "SELECT body FROM layer_result WHERE digest = $1 AND scanners = $2",
    [ST_LAYER_PUT] = "INSERT INTO layer_result (digest, scanners, body, created) "
                     "VALUES ($1, $2, $3, " NOW_S ") ON CONFLICT (digest, scanners) DO UPDATE "
                     "SET body = EXCLUDED.body, created = EXCLUDED.created",
    [ST_MANIFEST_PUT] = "INSERT INTO manifest (hash, report, indexed) VALUES ($1, $2, " NOW_S ") "
                        "ON CONFLICT (hash) DO UPDATE SET report = EXCLUDED.report, "
                        "indexed = EXCLUDED.indexed",
    [ST_MANIFEST_DEL_LAYERS] = "DELETE FROM manifest_layer WHERE manifest = $1",
    [ST_MANIFEST_LAYERS_PUT] = "INSERT INTO manifest_layer (manifest, idx, layer) "
                               "SELECT $1, (u.o - 1)::integer, u.l FROM unnest($2::text[]) "
                               "WITH ORDINALITY AS u(l, o)",
    [ST_MANIFEST_GET] = "SELECT report FROM manifest WHERE hash = $1",
    [ST_MANIFEST_STAMP] = "SELECT indexed FROM manifest WHERE hash = $1",
    /* Names have no foreign key (a re-index keeps them): they go here. */
    [ST_MANIFEST_DEL] = "WITH n AS (DELETE FROM manifest_name WHERE manifest = $1) "
                        "DELETE FROM manifest WHERE hash = $1",
    /* After the delete, in a new snapshot: a name added by a call that held the manifest's
     * row while the delete waited for it (the delete's snapshot predates that name). */
    [ST_NAME_ORPHANS] = "DELETE FROM manifest_name WHERE manifest = $1 AND NOT EXISTS "
                        "(SELECT 1 FROM manifest WHERE hash = $1)",
    [ST_GENERATION] = "SELECT coalesce(max(id), 0) FROM update_op WHERE committed",
    [ST_MANIFEST_DEL_KEYS] = "DELETE FROM manifest_pkg WHERE manifest = $1",
    [ST_MANIFEST_KEYS_PUT] = "INSERT INTO manifest_pkg (ns, package, source_pkg, manifest) "
                             "SELECT u.n, u.p, u.s, $1 FROM unnest($2::text[], $3::text[], "
                             "$4::boolean[]) AS u(n, p, s) ON CONFLICT DO NOTHING",
    [ST_MANIFESTS_WITH] = "SELECT manifest FROM manifest_pkg WHERE ns = $1 AND package = $2 "
                          "AND source_pkg = $3::boolean ORDER BY manifest",
    [ST_MANIFEST_COUNT] = "SELECT count(*) FROM manifest",
    [ST_SET_PUT] = "INSERT INTO notify_set (id, updater, op_ref, created, count, delivery, "
                   "next_attempt) VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::smallint, "
                   "$7::bigint)",
    [ST_SET_GET] = "SELECT " SET_COLS " FROM notify_set WHERE id = $1",
    [ST_SET_LIST] = "SELECT " SET_COLS " FROM notify_set ORDER BY created DESC, seq DESC "
                    "LIMIT $1::bigint",
    [ST_NOTE_PAGE] = "SELECT seq, manifest, reason, summary FROM notification "
                     "WHERE set_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3::bigint",
    [ST_SET_ACK] = "UPDATE notify_set SET acked = true WHERE id = $1",
    /* PENDING (1), due, not acknowledged, not leased (or the lease ran out); SKIP LOCKED:
     * two claimers never wait for, nor take, the same set. */
    [ST_CLAIM] = "UPDATE notify_set SET lease_owner = $2, lease_until = $3::bigint WHERE id = "
                 "(SELECT id FROM notify_set WHERE delivery = 1 AND NOT acked AND "
                 "next_attempt <= $1::bigint AND lease_until <= $1::bigint "
                 "ORDER BY created, seq LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " SET_COLS,
    /* From PENDING (1) or FAILED (3) only: DELIVERED stays, NONE is never delivered. */
    [ST_DELIVERY_DONE] = "UPDATE notify_set SET delivery = $2::smallint, attempts = attempts + 1, "
                         "next_attempt = $3::bigint, last_error = $4, lease_owner = NULL, "
                         "lease_until = 0 WHERE id = $1 AND delivery IN (1, 3)",
    [ST_DELIVERY_STATE] = "SELECT delivery FROM notify_set WHERE id = $1",
    [ST_SET_GC] = "DELETE FROM notify_set WHERE id = (SELECT id FROM notify_set WHERE acked OR "
                  "created < $1::bigint ORDER BY created, seq LIMIT 1 FOR UPDATE SKIP LOCKED)",
    [ST_MANIFEST_LIST] = "SELECT m.hash, m.indexed, coalesce((SELECT string_agg(n.name, E'\\n' "
                         "ORDER BY n.name) FROM manifest_name n WHERE n.manifest = m.hash), '') "
                         "FROM manifest m WHERE m.hash > $1 ORDER BY m.hash LIMIT $2::bigint",
    [ST_MANIFEST_LOCK] = "SELECT 1 FROM manifest WHERE hash = $1 FOR UPDATE",
    [ST_NAME_COUNT] = "SELECT count(*), count(*) FILTER (WHERE name = $2) FROM manifest_name "
                      "WHERE manifest = $1",
    [ST_NAME_PUT] = "INSERT INTO manifest_name (manifest, name) VALUES ($1, $2) "
                    "ON CONFLICT DO NOTHING",
    [ST_MANIFEST_LAYERS] = "SELECT layer FROM manifest_layer WHERE manifest = $1 ORDER BY idx",
    [ST_MANIFEST_KEYS] = "SELECT ns, package, source_pkg FROM manifest_pkg WHERE manifest = $1 "
                         "ORDER BY ns, package, source_pkg",
    [ST_LAYER_LIST] = "SELECT digest, scanners, body FROM layer_result WHERE (digest, scanners) > "
                      "($1, $2) ORDER BY digest, scanners LIMIT $3::bigint",
    [ST_HISTORY_PUT] = "INSERT INTO history (generation, date, summary) VALUES ($1::bigint, "
                       "$2::bigint, $3) ON CONFLICT (generation) DO UPDATE SET "
                       "date = EXCLUDED.date, summary = EXCLUDED.summary",
    [ST_HISTORY_LIST] = "SELECT generation, date, summary FROM history ORDER BY generation DESC "
                        "LIMIT $1::bigint",
    /* Claimed when a row comes back: no claim yet, ours (a renewal), or an expired one. */
    [ST_LAYER_CLAIM] = "INSERT INTO layer_claim AS c (digest, scanners, owner, until) "
                       "VALUES ($1, $2, $3, $5::bigint) ON CONFLICT (digest, scanners) DO UPDATE "
                       "SET owner = EXCLUDED.owner, until = EXCLUDED.until "
                       "WHERE c.owner = EXCLUDED.owner OR c.until <= $4::bigint RETURNING 1",
    [ST_LAYER_UNCLAIM] = "DELETE FROM layer_claim WHERE digest = $1 AND scanners = $2 AND "
                         "owner = $3",
};

/* ---- parameters ---------------------------------------------------------------------- */

#define MAX_PARAMS 8

/* Text parameters of one statement; integers are formatted into `num`. */
typedef struct params {
    const char *v[MAX_PARAMS];
    char num[MAX_PARAMS][24];
    int n;
} params;

static void p_text(params *p, const char *s)
{
    p->v[p->n++] = s;
}

static void p_int(params *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)x);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

static void p_bool(params *p, bool b)
{
    p_text(p, b ? "t" : "f");
}

/* ---- handle, pool, errors ------------------------------------------------------------ */

typedef struct conn {
    PGconn *pg;
    bool prepared[ST__COUNT];
    bool lost;        /* the session is gone or unusable: close it, never pool it */
    bool retry;       /* the last failure is transient: the whole call may run again */
    bool commit_sent; /* a COMMIT went out: its outcome may be unknown, never run again */
    struct conn *next;
} conn;

typedef struct pg_store {
    vg_store base;
    char *dsn;
    pthread_mutex_t mu; /* guards the pool */
    pthread_cond_t cv;  /* a connection came back */
    conn *idle;
    unsigned open, max;
    pthread_mutex_t lead_mu; /* guards the leadership session */
    PGconn *lead;
    char **roles; /* the roles whose lock `lead` holds */
    size_t n_roles;
} pg_store;

/* The length of the first line of a libpq message. */
static int line_len(const char *m)
{
    size_t n = strcspn(m, "\r\n");
    return (int)(n > 1000 ? 1000 : n);
}

static bool conn_lost_state(const char *state)
{
    return state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
                     strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0);
}

/* Records the failure of `what` on `c` (from result `r`, or the connection) and returns its
 * code. A lost session marks the connection for discarding and the call for a retry. */
static int pg_fail(conn *c, const PGresult *r, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg || !*msg)
        msg = r ? PQresultErrorMessage(r) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(c->pg);
    if (!msg || !*msg)
        msg = "unknown error";
    if (PQstatus(c->pg) != CONNECTION_OK || conn_lost_state(state)) {
        c->lost = c->retry = true;
        return vg_error_set(VG_EIO, "store: PostgreSQL unavailable: %s: %.*s", what, line_len(msg),
                            msg);
    }
    int code = VG_ERROR;
    if (state) {
        if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
            c->retry = true; /* serialization failure, deadlock: the transaction runs again */
            code = VG_ECONFLICT;
        } else if (strncmp(state, "23", 2) == 0 || strcmp(state, "55P03") == 0 ||
                   strcmp(state, "57014") == 0) {
            code = VG_ECONFLICT; /* constraints, lock and statement timeouts (SQLite's BUSY) */
        } else if (strncmp(state, "22", 2) == 0) {
            code = VG_EINVAL;
        } else if (strncmp(state, "54", 2) == 0) {
            code = VG_ETOOBIG;
        } else if (strncmp(state, "53", 2) == 0 || strncmp(state, "58", 2) == 0) {
            code = VG_EIO;
        }
    }
    return vg_error_set(code, "store: %s: %.*s", what, line_len(msg), msg);
}

/* Runs `sql` (no parameters, no rows) on `c`. */
static int exec_cmd(conn *c, const char *sql, const char *what)
{
    PGresult *r = PQexec(c->pg, sql);
    int rc = 0;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(c, r, what);
    PQclear(r);
    return rc;
}

/* Runs prepared statement `id` (prepared on `c` on first use): its result, or NULL with `*rc`
 * set. */
static PGresult *exec_stmt(conn *c, enum stmt_id id, const params *p, int *rc, const char *what)
{
    char name[16];
    snprintf(name, sizeof(name), "vg%d", (int)id);
    if (!c->prepared[id]) {
        PGresult *r = PQprepare(c->pg, name, stmt_sql[id], 0, NULL);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            *rc = pg_fail(c, r, what);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        c->prepared[id] = true;
    }
    PGresult *r = PQexecPrepared(c->pg, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        *rc = pg_fail(c, r, what);
        PQclear(r);
        return NULL;
    }
    return r;
}

/* Runs statement `id` for its effect; `*changed` (may be NULL) gets the rows it touched. */
static int exec_run(conn *c, enum stmt_id id, const params *p, int64_t *changed, const char *what)
{
    int rc = 0;
    PGresult *r = exec_stmt(c, id, p, &rc, what);
    if (r && changed) {
        const char *t = PQcmdTuples(r);
        *changed = t && *t ? strtoll(t, NULL, 10) : 0;
    }
    PQclear(r);
    return rc;
}

static int commit(conn *c)
{
    c->commit_sent = true;
    return exec_cmd(c, "COMMIT", "commit");
}

static int64_t get_i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static bool get_bool(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0] == 't';
}

static void copy_val(char *dst, size_t size, const PGresult *r, int row, int col)
{
    size_t n = (size_t)PQgetlength(r, row, col);
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, PQgetvalue(r, row, col), n);
    dst[n] = '\0';
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A 64-bit advisory-lock key for `name` in namespace `ns` (FNV-1a). */
static int64_t lock_key(const char *ns, const char *name)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = ns; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    int64_t k;
    memcpy(&k, &h, sizeof(k));
    return k;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* A new session, or NULL with the error set (VG_EIO, "PostgreSQL unavailable"). The DSN's
 * own settings win over these defaults. */
static PGconn *connect_pg(const pg_store *s, int *rc)
{
    const char *keys[] = {"connect_timeout",
                          "application_name",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "dbname",
                          NULL};
    const char *vals[] = {CONNECT_TIMEOUT, "vigil", "10", "5", "3", s->dsn, NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        const char *m = pg ? PQerrorMessage(pg) : "out of memory";
        *rc = vg_error_set(VG_EIO, "store: PostgreSQL unavailable: %.*s", line_len(m), m);
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet, NULL); /* library code does not print */
    /* Canonical JSON is UTF-8 and must come back byte for byte. */
    if (PQsetClientEncoding(pg, "UTF8") != 0) {
        const char *m = PQerrorMessage(pg);
        *rc = vg_error_set(VG_EINVAL, "store: PostgreSQL: cannot use UTF8: %.*s", line_len(m), m);
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

static void conn_free(conn *c)
{
    if (c) {
        PQfinish(c->pg);
        free(c);
    }
}

/* A connection from the pool (or a new one while fewer than `max` are open), waiting up to
 * POOL_WAIT_S for one to come back; NULL with `*rc` set. `*transient`: the failure was a
 * connect failure, worth another try. */
static conn *conn_get(pg_store *s, int *rc, bool *transient)
{
    *transient = false;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += POOL_WAIT_S;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (s->idle) {
            conn *c = s->idle;
            s->idle = c->next;
            pthread_mutex_unlock(&s->mu);
            c->next = NULL;
            c->lost = c->retry = c->commit_sent = false;
            return c;
        }
        if (s->open < s->max) {
            s->open++;
            pthread_mutex_unlock(&s->mu);
            PGconn *pg = connect_pg(s, rc);
            if (!pg) {
                pthread_mutex_lock(&s->mu);
                s->open--;
                pthread_cond_signal(&s->cv);
                pthread_mutex_unlock(&s->mu);
                *transient = *rc == VG_EIO;
                return NULL;
            }
            conn *c = vg_xcalloc(1, sizeof(*c));
            c->pg = pg;
            return c;
        }
        if (pthread_cond_timedwait(&s->cv, &s->mu, &deadline) == ETIMEDOUT && !s->idle &&
            s->open >= s->max) {
            pthread_mutex_unlock(&s->mu);
            *rc = vg_error_set(VG_EIO,
                               "store: all %u PostgreSQL connections stayed busy for %d s "
                               "(pool_max_conns)",
                               s->max, POOL_WAIT_S);
            return NULL;
        }
    }
}

/* Returns `c` to the pool, or closes it when its session is lost or in an unknown state. An
 * open transaction (an error path) is rolled back. Never changes the error message. */
static void conn_put(pg_store *s, conn *c)
{
    if (!c)
        return;
    if (!c->lost && PQstatus(c->pg) == CONNECTION_OK) {
        PGTransactionStatusType ts = PQtransactionStatus(c->pg);
        if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
            PGresult *r = PQexec(c->pg, "ROLLBACK");
            if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
                c->lost = true;
            PQclear(r);
        } else if (ts != PQTRANS_IDLE) {
            c->lost = true;
        }
    } else {
        c->lost = true;
    }
    /* A lost session usually means the server restarted or failed over: the idle sessions
     * are as dead, so they go too rather than fail the next calls one by one. */
    conn *dead = NULL;
    pthread_mutex_lock(&s->mu);
    if (c->lost) {
        s->open--;
        dead = s->idle;
        s->idle = NULL;
        for (conn *d = dead; d; d = d->next)
            s->open--;
    } else {
        c->next = s->idle;
        s->idle = c;
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    if (c->lost)
        conn_free(c);
    while (dead) {
        conn *d = dead;
        dead = d->next;
        conn_free(d);
    }
}

/* One unit of work on a checked-out connection. It must be safe to run again from the start:
 * it resets its outputs first, and delivers nothing to the caller's callbacks. */
typedef int (*work_fn)(pg_store *s, conn *c, void *arg);

/* Runs `fn`, again on a fresh connection while it fails transiently (a lost session before
 * any COMMIT went out, a serialization failure, a deadlock), a few times within a few
 * seconds. */
static int with_retry(pg_store *s, work_fn fn, void *arg)
{
    int64_t start = now_ms();
    for (int attempt = 0;; attempt++) {
        int rc = 0;
        bool transient = false;
        conn *c = conn_get(s, &rc, &transient);
        if (c) {
            rc = fn(s, c, arg);
            transient = rc != 0 && c->retry && !c->commit_sent;
            conn_put(s, c);
        }
        if (rc == 0 || !transient || attempt + 1 >= RETRY_MAX ||
            now_ms() - start >= RETRY_BUDGET_MS)
            return rc;
        sleep_ms((int64_t)100 << attempt);
    }
}

/* One statement, as a unit of work: the result is kept for the caller, who reads it after
 * the connection went back (so callbacks may call the store). `write`: inside BEGIN/COMMIT,
 * for statements that must not run twice when the first outcome is unknown. */
typedef struct one_stmt {
    enum stmt_id id;
    const params *p;
    const char *what;
    bool write;
    PGresult *res;
} one_stmt;

static int one_stmt_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    one_stmt *q = arg;
    int rc = 0;
    PQclear(q->res);
    q->res = NULL;
    if (q->write && (rc = exec_cmd(c, "BEGIN", "begin")) != 0)
        return rc;
    q->res = exec_stmt(c, q->id, q->p, &rc, q->what);
    if (rc == 0 && q->write)
        rc = commit(c);
    if (rc != 0) {
        PQclear(q->res);
        q->res = NULL;
    }
    return rc;
}

/* Runs statement `id` with retries; `*out` is its result (caller clears) or NULL on error. */
static int query(PGresult **out, pg_store *s, enum stmt_id id, const params *p, bool write,
                 const char *what)
{
    one_stmt q = {id, p, what, write, NULL};
    int rc = with_retry(s, one_stmt_fn, &q);
    *out = q.res;
    return rc;
}

/* The number of rows statement `id` touched. */
static int query_changes(int64_t *changed, pg_store *s, enum stmt_id id, const params *p,
                         bool write, const char *what)
{
    PGresult *r = NULL;
    int rc = query(&r, s, id, p, write, what);
    if (rc == 0) {
        const char *t = PQcmdTuples(r);
        *changed = t && *t ? strtoll(t, NULL, 10) : 0;
    }
    PQclear(r);
    return rc;
}

/* ---- open and migrate ---------------------------------------------------------------- */

static const vg_store_backend pg_backend;

/* "database D on HOST:PORT", for messages (never the DSN: it may hold a password). */
static void where(char *out, size_t size, const conn *c)
{
    const char *host = PQhost(c->pg);
    snprintf(out, size, "PostgreSQL database %s on %s:%s", PQdb(c->pg),
             host && *host ? host : "localhost", PQport(c->pg));
}

/* The schema version (0 for an empty schema); VG_EINVAL when the schema holds tables but no
 * schema_version. */
static int read_version(int *out, conn *c)
{
    int rc = 0;
    PGresult *r = PQexec(c->pg, "SELECT to_regclass('schema_version') IS NOT NULL, "
                                "(SELECT count(*) FROM pg_class k JOIN pg_namespace n ON "
                                "n.oid = k.relnamespace WHERE n.nspname = current_schema() AND "
                                "k.relkind IN ('r', 'p', 'v', 'm'))");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pg_fail(c, r, "read the schema");
        PQclear(r);
        return rc;
    }
    bool has = get_bool(r, 0, 0);
    int64_t other = get_i64(r, 0, 1);
    PQclear(r);
    if (!has && other) {
        char w[256];
        where(w, sizeof(w), c);
        return vg_error_set(VG_EINVAL,
                            "store: %s is not a vigil database (it has tables but no "
                            "schema_version)",
                            w);
    }
    *out = 0;
    if (!has)
        return 0;
    if ((r = exec_stmt(c, ST_VERSION, NULL, &rc, "read the schema version")) == NULL)
        return rc;
    *out = (int)get_i64(r, 0, 0);
    PQclear(r);
    return 0;
}

static int too_new(const conn *c, int v)
{
    char w[256];
    where(w, sizeof(w), c);
    return vg_error_set(VG_EINVAL, "store: %s: database schema %d is newer than this vigil (%d)", w,
                        v, vg__pg_n_migrations);
}

/* Applies the pending migrations in one transaction, under an advisory lock so that
 * instances starting together migrate once. */
static int migrate_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    (void)arg;
    int rc = exec_cmd(c, "BEGIN", "begin migration");
    if (rc != 0)
        return rc;
    params p = {0};
    p_int(&p, lock_key("vigil-migrate", ""));
    PGresult *r = PQexecParams(c->pg,
                               "SELECT pg_advisory_xact_lock($1::bigint), "
                               "current_setting('server_encoding')",
                               1, NULL, p.v, NULL, NULL, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pg_fail(c, r, "lock for migration");
        PQclear(r);
        return rc;
    }
    bool utf8 = strcmp(PQgetvalue(r, 0, 1), "UTF8") == 0;
    PQclear(r);
    if (!utf8) {
        char w[256];
        where(w, sizeof(w), c);
        return vg_error_set(VG_EINVAL, "store: %s: the database encoding must be UTF8", w);
    }
    int v = 0;
    if ((rc = read_version(&v, c)) != 0)
        return rc;
    if (v > vg__pg_n_migrations)
        return too_new(c, v);
    if (v < vg__pg_n_migrations)
        rc = exec_cmd(c,
                      "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
                      "applied bigint NOT NULL)",
                      "create schema_version");
    for (int i = v; rc == 0 && i < vg__pg_n_migrations; i++) {
        char what[64];
        snprintf(what, sizeof(what), "migration %d", i + 1);
        if ((rc = exec_cmd(c, vg__pg_migrations[i], what)) != 0)
            break;
        params q = {0};
        p_int(&q, i + 1);
        r = PQexecParams(
            c->pg, "INSERT INTO schema_version (version, applied) VALUES ($1::int, " NOW_S ")", 1,
            NULL, q.v, NULL, NULL, 0);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = pg_fail(c, r, what);
        PQclear(r);
    }
    return rc == 0 ? commit(c) : rc;
}

static void pg_close(vg_store *base)
{
    pg_store *s = (pg_store *)base;
    while (s->idle) {
        conn *c = s->idle;
        s->idle = c->next;
        conn_free(c);
    }
    PQfinish(s->lead);
    for (size_t i = 0; i < s->n_roles; i++)
        free(s->roles[i]);
    free(s->roles);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->lead_mu);
    free(s->dsn);
    free(s);
}

int vg__postgres_open(vg_store **out, const char *dsn, unsigned pool)
{
    pg_store *s = vg_xcalloc(1, sizeof(*s));
    s->base.be = &pg_backend;
    s->dsn = vg_xstrdup(dsn);
    s->max = pool ? pool : POOL_DEFAULT;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&s->lead_mu, NULL);
    int rc = with_retry(s, migrate_fn, NULL);
    if (rc != 0) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

typedef struct version_arg {
    int v;
} version_arg;

static int version_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    return read_version(&((version_arg *)arg)->v, c);
}

static int pg_schema_version(int *out, int *latest, vg_store *base)
{
    version_arg a = {0};
    int rc = with_retry((pg_store *)base, version_fn, &a);
    if (rc == 0) {
        if (out)
            *out = a.v;
        if (latest)
            *latest = vg__pg_n_migrations;
    }
    return rc;
}

/* ---- reading rows -------------------------------------------------------------------- */

static void read_op(vg_update_op *op, const PGresult *r, int row)
{
    memset(op, 0, sizeof(*op));
    op->id = get_i64(r, row, 0);
    copy_val(op->ref, sizeof(op->ref), r, row, 1);
    copy_val(op->updater, sizeof(op->updater), r, row, 2);
    copy_val(op->fingerprint, sizeof(op->fingerprint), r, row, 3);
    op->date = get_i64(r, row, 4);
    op->n_advisories = (uint64_t)get_i64(r, row, 5);
}

/* Reads op `id` on `c`; VG_ENOTFOUND for an unknown or uncommitted one. */
static int get_op(vg_update_op *out, conn *c, int64_t id)
{
    params p = {0};
    p_int(&p, id);
    int rc = 0;
    PGresult *r = exec_stmt(c, ST_OP_GET, &p, &rc, "read operation");
    if (!r)
        return rc;
    if (PQntuples(r) > 0)
        read_op(out, r, 0);
    else
        rc = vg_error_set(VG_ENOTFOUND, "store: no update operation %lld", (long long)id);
    PQclear(r);
    return rc;
}

static int latest(vg_update_op *out, conn *c, const char *updater)
{
    params p = {0};
    p_text(&p, updater);
    int rc = 0;
    PGresult *r = exec_stmt(c, ST_OP_LATEST, &p, &rc, "read operation");
    if (!r)
        return rc;
    if (PQntuples(r) > 0)
        read_op(out, r, 0);
    else
        rc = vg_error_set(VG_ENOTFOUND, "store: no update operation of '%.64s'", updater);
    PQclear(r);
    return rc;
}

/* Calls `cb` with column `col` of every row (a body or a hash). */
static int stream_col(const PGresult *r, int col, vg__body_cb cb, void *ctx)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = cb(ctx, PQgetvalue(r, i, col), (size_t)PQgetlength(r, i, col));
    return rc;
}

/* ---- array literals ------------------------------------------------------------------ */

/* Appends one element to a text array literal being built in `sb` ("{" first). */
static void arr_add(vg_strbuf *sb, const char *v, size_t n)
{
    if (sb->len > 1)
        vg_strbuf_putc(sb, ',');
    vg_strbuf_putc(sb, '"');
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] != '"' && v[i] != '\\')
            continue;
        vg_strbuf_append(sb, v + from, i - from);
        vg_strbuf_putc(sb, '\\');
        from = i;
    }
    vg_strbuf_append(sb, v + from, n - from);
    vg_strbuf_putc(sb, '"');
}

static void arr_add_str(vg_strbuf *sb, const char *v)
{
    arr_add(sb, v, strlen(v));
}

static void arr_start(vg_strbuf *sb)
{
    vg_strbuf_reset(sb);
    vg_strbuf_putc(sb, '{');
}

static int arr_end(vg_strbuf *sb)
{
    vg_strbuf_putc(sb, '}');
    return vg_strbuf_error(sb) ? vg_error_set(VG_ETOOBIG, "store: a batch is too large") : 0;
}

/* ---- update runs --------------------------------------------------------------------- */

typedef struct pg_tx {
    vg_store_tx base;
    pg_store *s;
    conn *c;          /* the run's transaction lives on it */
    vg_update_op op;  /* id, ref, updater, fingerprint, date; n_advisories grows */
    vg_strbuf arr[5]; /* array literals of a batch, reused */
} pg_tx;

static void tx_free(pg_tx *tx)
{
    conn_put(tx->s, tx->c); /* rolls back an open transaction */
    vg__run_buf_dispose(&tx->base.buf);
    for (int i = 0; i < 5; i++)
        vg_strbuf_dispose(&tx->arr[i]);
    free(tx);
}

/* Inside the run's transaction: the updater's lock, for an import whether the op is new,
 * then the op's row. */
static int begin_locked(vg__begin_status *status, vg_update_op *local, pg_tx *tx,
                        const vg__op_spec *spec)
{
    conn *c = tx->c;
    int rc = 0;
    params p = {0};
    p_int(&p, lock_key("vigil-update:", spec->updater));
    PGresult *r = exec_stmt(c, ST_TRY_XACT_LOCK, &p, &rc, "lock the updater");
    if (!r)
        return rc;
    bool got = get_bool(r, 0, 0);
    PQclear(r);
    if (!got)
        return vg_error_set(VG_ECONFLICT,
                            "store: an update of '%s' is already running (in this or another "
                            "process or instance)",
                            spec->updater);
    *status = VG__BEGIN_NEW;
    if (spec->import) {
        p = (params){0};
        p_text(&p, spec->ref);
        if ((r = exec_stmt(c, ST_OP_BY_REF, &p, &rc, "look up operation")) == NULL)
            return rc;
        bool present = PQntuples(r) > 0;
        if (present)
            read_op(local, r, 0);
        PQclear(r);
        if (present) {
            *status = VG__BEGIN_PRESENT;
            return 0;
        }
        rc = latest(local, c, spec->updater);
        if (rc == 0 && local->date >= spec->date) {
            *status = VG__BEGIN_OLDER;
            return 0;
        }
        if (rc != 0 && rc != VG_ENOTFOUND)
            return rc;
        vg_error_clear();
        rc = 0;
    }
    p = (params){0};
    p_text(&p, spec->ref);
    p_text(&p, spec->updater);
    p_text(&p, spec->fingerprint);
    p_int(&p, spec->date);
    if ((r = exec_stmt(c, ST_OP_INSERT, &p, &rc, "insert operation")) == NULL)
        return rc;
    tx->op.id = get_i64(r, 0, 0);
    PQclear(r);
    return 0;
}

static int pg_begin(vg_store_tx **out, vg__begin_status *status, vg_update_op *local,
                    vg_store *base, const vg__op_spec *spec)
{
    pg_store *s = (pg_store *)base;
    *status = VG__BEGIN_NEW;
    *out = NULL;
    vg_update_op scratch = {0};
    int64_t start = now_ms();
    for (int attempt = 0;; attempt++) {
        pg_tx *tx = vg_xcalloc(1, sizeof(*tx));
        tx->base.s = base;
        tx->s = s;
        bool transient = false;
        int rc = 0;
        tx->c = conn_get(s, &rc, &transient);
        if (tx->c && (rc = exec_cmd(tx->c, "BEGIN", "begin")) == 0)
            rc = begin_locked(status, local ? local : &scratch, tx, spec);
        if (tx->c)
            transient = rc != 0 && tx->c->retry;
        if (rc == 0 && *status == VG__BEGIN_NEW) {
            snprintf(tx->op.ref, sizeof(tx->op.ref), "%s", spec->ref);
            snprintf(tx->op.updater, sizeof(tx->op.updater), "%s", spec->updater);
            snprintf(tx->op.fingerprint, sizeof(tx->op.fingerprint), "%s", spec->fingerprint);
            tx->op.date = spec->date;
            for (int i = 0; i < 5; i++)
                vg_strbuf_init(&tx->arr[i], BATCH_MAX);
            *out = &tx->base;
            return 0;
        }
        tx_free(tx);
        if (rc == 0 || !transient || attempt + 1 >= RETRY_MAX ||
            now_ms() - start >= RETRY_BUDGET_MS)
            return rc;
        sleep_ms((int64_t)100 << attempt);
    }
}

static int cmp_hash(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted copies of column 0 of `r`, for looking hashes up. */
static const char **sorted_col(const PGresult *r)
{
    int n = PQntuples(r);
    const char **v = vg_xmalloc(((size_t)n + 1) * sizeof(*v));
    for (int i = 0; i < n; i++)
        v[i] = PQgetvalue(r, i, 0);
    qsort(v, (size_t)n, sizeof(*v), cmp_hash);
    return v;
}

static bool in_sorted(const char **v, int n, const char *h)
{
    return n > 0 && bsearch(&h, v, (size_t)n, sizeof(*v), cmp_hash) != NULL;
}

/* Writes the buffered advisories inside the run's transaction: which hashes the store has
 * (an unchanged advisory costs its hash and a link, not its body), the new rows, their
 * affected keys, and every link. */
static int flush(pg_tx *tx)
{
    if (tx->base.buf.n == 0)
        return 0;
    conn *c = tx->c;
    vg_strbuf *a = tx->arr;
    arr_start(&a[0]);
    for (size_t i = 0; i < tx->base.buf.n; i++)
        arr_add(&a[0], tx->base.buf.items[i].hex, 64);
    int rc = arr_end(&a[0]);
    if (rc != 0)
        return rc;
    params p = {0};
    p_text(&p, a[0].buf);
    PGresult *known = exec_stmt(c, ST_ADV_KNOWN, &p, &rc, "look up advisories");
    if (!known)
        return rc;
    int n_known = PQntuples(known);
    const char **have = sorted_col(known);
    for (int k = 1; k < 5; k++)
        arr_start(&a[k]);
    size_t n_rows = 0;
    for (size_t i = 0; i < tx->base.buf.n; i++) {
        const vg__run_item *it = &tx->base.buf.items[i];
        if (in_sorted(have, n_known, it->hex))
            continue;
        arr_add(&a[1], it->hex, 64);
        arr_add_str(&a[2], it->id);
        arr_add_str(&a[3], it->source);
        arr_add(&a[4], it->body, it->len);
        n_rows++;
    }
    for (int k = 1; rc == 0 && k < 5; k++)
        rc = arr_end(&a[k]);
    PGresult *r = NULL;
    if (rc == 0 && n_rows > 0) {
        p = (params){0};
        for (int k = 1; k < 5; k++)
            p_text(&p, a[k].buf);
        r = exec_stmt(c, ST_ADV_INSERT, &p, &rc, "insert advisories");
    }
    /* The hashes inserted now (a content twice in the batch, or one another run inserted
     * meanwhile, comes back once or not at all): their affected keys are new too. */
    int n_new = r ? PQntuples(r) : 0;
    const char **fresh = r ? sorted_col(r) : NULL;
    size_t n_keys = 0;
    for (int k = 1; k < 5; k++)
        arr_start(&a[k]);
    for (size_t i = 0; rc == 0 && n_new > 0 && i < tx->base.buf.n; i++) {
        const vg__run_item *it = &tx->base.buf.items[i];
        if (!in_sorted(fresh, n_new, it->hex))
            continue;
        for (size_t k = 0; k < it->n_keys; k++) {
            arr_add(&a[1], it->hex, 64);
            arr_add_str(&a[2], it->keys[k].ns);
            arr_add_str(&a[3], it->keys[k].package);
            vg_strbuf_puts(&a[4], it->keys[k].source_pkg ? ",t" : ",f");
            n_keys++;
        }
    }
    free(have);
    free(fresh);
    PQclear(known);
    PQclear(r);
    if (rc == 0 && n_keys > 0) {
        a[4].buf[1] = '{'; /* "{,t,f" -> "{t,f": drop the leading comma */
        for (int k = 1; rc == 0 && k < 5; k++)
            rc = arr_end(&a[k]);
        p = (params){0};
        for (int k = 1; k < 5; k++)
            p_text(&p, k == 4 ? a[4].buf + 1 : a[k].buf);
        if (rc == 0)
            rc = exec_run(c, ST_AFF_INSERT, &p, NULL, "insert affected");
    }
    if (rc != 0)
        return rc;
    p = (params){0};
    p_int(&p, tx->op.id);
    p_text(&p, a[0].buf);
    int64_t linked = 0;
    if ((rc = exec_run(c, ST_LINK_INSERT, &p, &linked, "link advisories")) != 0)
        return rc;
    tx->op.n_advisories += (uint64_t)linked;
    vg__run_buf_clear(&tx->base.buf);
    return 0;
}

static int pg_flush(vg_store_tx *base)
{
    return flush((pg_tx *)base);
}

static void pg_abort(vg_store_tx *base)
{
    tx_free((pg_tx *)base); /* ROLLBACK, or the lost session took the run with it */
}

static int pg_commit(vg_store_tx *base, vg_update_op *out)
{
    pg_tx *tx = (pg_tx *)base;
    int rc = 0;
    if (rc == 0) {
        params p = {0};
        p_int(&p, tx->op.id);
        p_int(&p, (int64_t)tx->op.n_advisories);
        int64_t changed = 0;
        rc = exec_run(tx->c, ST_OP_COMMIT, &p, &changed, "commit operation");
        if (rc == 0 && changed != 1)
            rc = vg_error_set(VG_ECONFLICT, "store: operation %s vanished before commit",
                              tx->op.ref);
    }
    /* A COMMIT whose answer is lost leaves the outcome unknown: reported, never retried. */
    if (rc == 0)
        rc = commit(tx->c);
    if (rc == 0 && out)
        *out = tx->op;
    tx_free(tx);
    return rc;
}

/* ---- reads --------------------------------------------------------------------------- */

static int pg_latest_op(vg_update_op *out, vg_store *base, const char *updater)
{
    params p = {0};
    p_text(&p, updater);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_OP_LATEST, &p, false, "read operation");
    if (rc == 0) {
        if (PQntuples(r) > 0)
            read_op(out, r, 0);
        else
            rc = vg_error_set(VG_ENOTFOUND, "store: no update operation of '%.64s'", updater);
    }
    PQclear(r);
    return rc;
}

static int pg_list_ops(vg_update_op **out, size_t *n, vg_store *base, const char *updater)
{
    *out = NULL;
    *n = 0;
    params p = {0};
    if (updater)
        p_text(&p, updater);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, updater ? ST_OP_LIST_ONE : ST_OP_LIST, &p, false,
                   "list operations");
    if (rc == 0 && PQntuples(r) > 0) {
        *n = (size_t)PQntuples(r);
        *out = vg_xcalloc(*n, sizeof(**out));
        for (size_t i = 0; i < *n; i++)
            read_op(&(*out)[i], r, (int)i);
    }
    PQclear(r);
    return rc;
}

typedef struct diff_arg {
    int64_t prev, cur;
    PGresult *added, *removed;
} diff_arg;

static int diff_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    diff_arg *d = arg;
    PQclear(d->added);
    PQclear(d->removed);
    d->added = d->removed = NULL;
    vg_update_op pop, cop;
    int rc = exec_cmd(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin");
    if (rc == 0 && (rc = get_op(&cop, c, d->cur)) == 0 && d->prev != 0 &&
        (rc = get_op(&pop, c, d->prev)) == 0 && strcmp(pop.updater, cop.updater) != 0)
        rc = vg_error_set(VG_EINVAL,
                          "store: operations %lld (%s) and %lld (%s) belong to different "
                          "updaters",
                          (long long)d->prev, pop.updater, (long long)d->cur, cop.updater);
    params p = {0};
    p_int(&p, d->cur);
    p_int(&p, d->prev);
    if (rc == 0)
        d->added = exec_stmt(c, ST_DIFF, &p, &rc, "diff operations");
    params q = {0};
    p_int(&q, d->prev);
    p_int(&q, d->cur);
    if (rc == 0)
        d->removed = exec_stmt(c, ST_DIFF, &q, &rc, "diff operations");
    if (rc == 0)
        rc = exec_cmd(c, "COMMIT", "commit");
    return rc;
}

static void take_ids(char ***out, size_t *n, const PGresult *r)
{
    *n = (size_t)PQntuples(r);
    if (*n == 0)
        return;
    *out = vg_xcalloc(*n, sizeof(**out));
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = vg_xstrdup(PQgetvalue(r, (int)i, 0));
}

static int pg_diff_ops(vg_store_diff *out, vg_store *base, int64_t prev, int64_t cur)
{
    diff_arg d = {prev, cur, NULL, NULL};
    int rc = with_retry((pg_store *)base, diff_fn, &d);
    if (rc == 0) {
        take_ids(&out->added, &out->n_added, d.added);
        take_ids(&out->removed, &out->n_removed, d.removed);
    }
    PQclear(d.added);
    PQclear(d.removed);
    return rc;
}

/* A statement whose first column is streamed to `cb` after the connection went back. */
static int stream_query(pg_store *s, enum stmt_id id, const params *p, vg__body_cb cb, void *ctx,
                        const char *what)
{
    PGresult *r = NULL;
    int rc = query(&r, s, id, p, false, what);
    if (rc == 0)
        rc = stream_col(r, 0, cb, ctx);
    PQclear(r);
    return rc;
}

static int pg_find_affected(vg_store *base, const char *ns, const char *package, bool source_pkg,
                            vg__body_cb cb, void *ctx)
{
    params p = {0};
    p_text(&p, ns);
    p_text(&p, package);
    p_bool(&p, source_pkg);
    return stream_query((pg_store *)base, ST_FIND_AFFECTED, &p, cb, ctx, "read advisories");
}

typedef struct op_arg {
    int64_t id;
} op_arg;

static int op_exists_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    vg_update_op op;
    return get_op(&op, c, ((op_arg *)arg)->id);
}

/* In pages of PAGE_ROWS by (adv_id, id): memory stays bounded for any op, and no connection
 * is held while `cb` runs. A committed op never changes; one deleted by a GC meanwhile ends
 * the walk early. */
static int pg_op_bodies(vg_store *base, int64_t op_id, vg__body_cb cb, void *ctx)
{
    pg_store *s = (pg_store *)base;
    op_arg a = {op_id};
    int rc = with_retry(s, op_exists_fn, &a);
    char *after_id = vg_xstrdup("");
    int64_t after = 0;
    for (bool more = rc == 0; more;) {
        params p = {0};
        p_int(&p, op_id);
        p_text(&p, after_id);
        p_int(&p, after);
        p_int(&p, PAGE_ROWS);
        PGresult *r = NULL;
        if ((rc = query(&r, s, ST_OP_BODIES, &p, false, "read advisories")) != 0)
            break;
        int n = PQntuples(r);
        rc = stream_col(r, 0, cb, ctx);
        more = rc == 0 && n == PAGE_ROWS;
        if (more) {
            free(after_id);
            after_id = vg_xstrdup(PQgetvalue(r, n - 1, 1));
            after = get_i64(r, n - 1, 2);
        }
        PQclear(r);
    }
    free(after_id);
    return rc;
}

static int pg_get_bodies(vg_store *base, const char *id, vg__body_cb cb, void *ctx)
{
    params p = {0};
    p_text(&p, id);
    return stream_query((pg_store *)base, ST_GET_ADV, &p, cb, ctx, "read advisories");
}

/* ---- garbage collection -------------------------------------------------------------- */

typedef struct gc_arg {
    const char *updater;
    unsigned keep;
    size_t budget;
    size_t deleted; /* kept across attempts: committed deletions are done */
} gc_arg;

/* Deletes the oldest op of `updater` past `keep` in its own transaction, under the updater's
 * run lock (a run open meanwhile could link the rows it deletes: that updater waits for the
 * next GC). `*gone` says whether one went. */
static int gc_one(bool *gone, conn *c, const char *updater, unsigned keep)
{
    *gone = false;
    int rc = exec_cmd(c, "BEGIN", "begin");
    if (rc != 0)
        return rc;
    params p = {0};
    p_int(&p, lock_key("vigil-update:", updater));
    PGresult *r = exec_stmt(c, ST_TRY_XACT_LOCK, &p, &rc, "lock the updater");
    if (!r)
        return rc;
    bool locked = get_bool(r, 0, 0);
    PQclear(r);
    if (!locked)
        return exec_cmd(c, "ROLLBACK", "rollback");
    p = (params){0};
    p_text(&p, updater);
    p_int(&p, keep);
    if ((r = exec_stmt(c, ST_GC_VICTIM, &p, &rc, "find operations to delete")) == NULL)
        return rc;
    int64_t victim = PQntuples(r) > 0 ? get_i64(r, 0, 0) : 0;
    PQclear(r);
    if (!victim)
        return exec_cmd(c, "ROLLBACK", "rollback");
    p = (params){0};
    p_int(&p, victim);
    if ((rc = exec_run(c, ST_DEL_ORPHANS, &p, NULL, "delete advisories")) != 0 ||
        (rc = exec_run(c, ST_DEL_OP, &p, NULL, "delete operation")) != 0)
        return rc;
    if ((rc = commit(c)) == 0)
        *gone = true;
    return rc;
}

static int gc_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    gc_arg *g = arg;
    int rc = 0;
    char **names = NULL;
    size_t n_names = 0;
    if (g->updater) {
        names = vg_xmalloc(sizeof(*names));
        names[n_names++] = vg_xstrdup(g->updater);
    } else {
        PGresult *r = exec_stmt(c, ST_UPDATERS, NULL, &rc, "list updaters");
        if (!r)
            return rc;
        n_names = (size_t)PQntuples(r);
        names = vg_xcalloc(n_names ? n_names : 1, sizeof(*names));
        for (size_t i = 0; i < n_names; i++)
            names[i] = vg_xstrdup(PQgetvalue(r, (int)i, 0));
        PQclear(r);
    }
    for (size_t i = 0; rc == 0 && i < n_names; i++) {
        bool gone = true;
        while (rc == 0 && gone && g->budget > 0) {
            c->commit_sent = false; /* a committed deletion is not repeated by a retry */
            if ((rc = gc_one(&gone, c, names[i], g->keep)) == 0 && gone) {
                g->deleted++;
                g->budget--;
            }
        }
    }
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Runs of PostgreSQL are single transactions: a dead one leaves nothing to clean up. */
static int pg_gc(size_t *deleted, vg_store *base, const char *updater, unsigned keep, size_t batch)
{
    gc_arg g = {updater, keep, batch, 0};
    int rc = with_retry((pg_store *)base, gc_fn, &g);
    *deleted = g.deleted;
    return rc;
}

/* ---- the index side: layer results and manifests ------------------------------------- */

/* The single body of a one-row query, or VG_ENOTFOUND naming `what` `name`. */
static int get_one(pg_store *s, enum stmt_id id, const params *p, vg__body_cb cb, void *ctx,
                   const char *what, const char *name)
{
    PGresult *r = NULL;
    int rc = query(&r, s, id, p, false, "read");
    if (rc == 0) {
        if (PQntuples(r) == 0)
            rc = vg_error_set(VG_ENOTFOUND, "%s %s not in the store", what, name);
        else
            rc = stream_col(r, 0, cb, ctx);
    }
    PQclear(r);
    return rc;
}

static int pg_layer_get(vg_store *base, const char *digest, const char *scanners, vg__body_cb cb,
                        void *ctx)
{
    params p = {0};
    p_text(&p, digest);
    p_text(&p, scanners);
    return get_one((pg_store *)base, ST_LAYER_GET, &p, cb, ctx, "layer", digest);
}

static int pg_layer_put(vg_store *base, const char *digest, const char *scanners, const char *body,
                        size_t len)
{
    char *copy = vg_xstrndup(body, len); /* text parameters are NUL-terminated */
    params p = {0};
    p_text(&p, digest);
    p_text(&p, scanners);
    p_text(&p, copy);
    int64_t n = 0;
    int rc = query_changes(&n, (pg_store *)base, ST_LAYER_PUT, &p, false, "store a layer result");
    free(copy);
    return rc;
}

typedef struct manifest_arg {
    const char *hash;
    const char *report;
    const char *layers; /* array literals */
    const char *ns, *pkg, *src;
    size_t n_layers, n_keys;
} manifest_arg;

static int manifest_put_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    manifest_arg *m = arg;
    int rc = exec_cmd(c, "BEGIN", "begin");
    params p = {0};
    p_text(&p, m->hash);
    p_text(&p, m->report);
    if (rc == 0)
        rc = exec_run(c, ST_MANIFEST_PUT, &p, NULL, "store a manifest");
    p.n = 1;
    if (rc == 0)
        rc = exec_run(c, ST_MANIFEST_DEL_LAYERS, &p, NULL, "store a manifest");
    if (rc == 0)
        rc = exec_run(c, ST_MANIFEST_DEL_KEYS, &p, NULL, "store a manifest");
    if (rc == 0 && m->n_layers) {
        p_text(&p, m->layers);
        rc = exec_run(c, ST_MANIFEST_LAYERS_PUT, &p, NULL, "store manifest layers");
    }
    if (rc == 0 && m->n_keys) {
        p.n = 1;
        p_text(&p, m->ns);
        p_text(&p, m->pkg);
        p_text(&p, m->src);
        rc = exec_run(c, ST_MANIFEST_KEYS_PUT, &p, NULL, "store manifest package keys");
    }
    return rc == 0 ? commit(c) : rc;
}

static int pg_manifest_put(vg_store *base, const char *hash, const char *report, size_t len,
                           const char *const *layers, size_t n_layers, const vg_store_pkg_key *keys,
                           size_t n_keys)
{
    vg_strbuf a[4];
    for (int k = 0; k < 4; k++) {
        vg_strbuf_init(&a[k], BATCH_MAX);
        arr_start(&a[k]);
    }
    for (size_t i = 0; i < n_layers; i++)
        arr_add_str(&a[0], layers[i]);
    for (size_t i = 0; i < n_keys; i++) {
        arr_add_str(&a[1], keys[i].ns);
        arr_add_str(&a[2], keys[i].package);
        vg_strbuf_puts(&a[3],
                       i ? (keys[i].source_pkg ? ",t" : ",f") : (keys[i].source_pkg ? "t" : "f"));
    }
    int rc = 0;
    for (int k = 0; rc == 0 && k < 4; k++)
        rc = arr_end(&a[k]);
    char *copy = vg_xstrndup(report, len);
    manifest_arg m = {hash, copy, a[0].buf, a[1].buf, a[2].buf, a[3].buf, n_layers, n_keys};
    if (rc == 0)
        rc = with_retry((pg_store *)base, manifest_put_fn, &m);
    free(copy);
    for (int k = 0; k < 4; k++)
        vg_strbuf_dispose(&a[k]);
    return rc;
}

static int pg_manifest_get(vg_store *base, const char *hash, vg__body_cb cb, void *ctx)
{
    params p = {0};
    p_text(&p, hash);
    return get_one((pg_store *)base, ST_MANIFEST_GET, &p, cb, ctx, "manifest", hash);
}

/* One integer of a one-row query (VG_ENOTFOUND naming `what` `arg` when none). */
static int query_int(int64_t *out, pg_store *s, enum stmt_id id, const char *arg, const char *what)
{
    params p = {0};
    if (arg)
        p_text(&p, arg);
    PGresult *r = NULL;
    int rc = query(&r, s, id, &p, false, what);
    if (rc == 0) {
        if (PQntuples(r) > 0)
            *out = get_i64(r, 0, 0);
        else
            rc = vg_error_set(VG_ENOTFOUND, "%s %s not in the store", what, arg ? arg : "");
    }
    PQclear(r);
    return rc;
}

static int pg_manifest_stamp(int64_t *indexed, vg_store *base, const char *hash)
{
    return query_int(indexed, (pg_store *)base, ST_MANIFEST_STAMP, hash, "manifest");
}

static int pg_manifest_delete(bool *deleted, vg_store *base, const char *hash)
{
    params p = {0};
    p_text(&p, hash);
    int64_t n = 0;
    *deleted = false;
    /* write: not retried once sent, so a lost reply is an error, never a false "not there" */
    int rc = query_changes(&n, (pg_store *)base, ST_MANIFEST_DEL, &p, true, "delete a manifest");
    if (rc == 0)
        *deleted = n > 0;
    int64_t orphans = 0;
    if (rc == 0 &&
        query_changes(&orphans, (pg_store *)base, ST_NAME_ORPHANS, &p, true, "delete names") != 0)
        vg_error_clear(); /* the manifest is gone; a stray name is cleared by the next delete */
    return rc;
}

static int pg_generation(int64_t *out, vg_store *base)
{
    return query_int(out, (pg_store *)base, ST_GENERATION, NULL, "update operations");
}

/* One statement (one snapshot) reads every hash, and the connection goes back before the
 * callbacks run: a callback may call the store, even with a pool of one. Memory grows with
 * the number of manifests that have the key. */
static int pg_manifests_with(vg_store *base, const char *ns, const char *package, bool source_pkg,
                             vg_store_manifest_cb cb, void *ctx)
{
    params p = {0};
    p_text(&p, ns);
    p_text(&p, package);
    p_bool(&p, source_pkg);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_MANIFESTS_WITH, &p, false, "read the package index");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = cb(ctx, PQgetvalue(r, i, 0));
    PQclear(r);
    return rc;
}

static int pg_manifest_count(uint64_t *out, vg_store *base)
{
    int64_t n = 0;
    int rc = query_int(&n, (pg_store *)base, ST_MANIFEST_COUNT, NULL, "manifests");
    if (rc == 0)
        *out = (uint64_t)n;
    return rc;
}

/* ---- notifications ------------------------------------------------------------------- */

static void read_set(vg_notify_set *out, const PGresult *r, int row)
{
    memset(out, 0, sizeof(*out));
    copy_val(out->id, sizeof(out->id), r, row, 0);
    copy_val(out->updater, sizeof(out->updater), r, row, 1);
    copy_val(out->op_ref, sizeof(out->op_ref), r, row, 2);
    out->created = get_i64(r, row, 3);
    out->count = (uint64_t)get_i64(r, row, 4);
    out->acked = get_bool(r, row, 5);
    out->delivery = (vg_delivery_state)get_i64(r, row, 6);
    out->attempts = (unsigned)get_i64(r, row, 7);
    out->next_attempt = get_i64(r, row, 8);
    copy_val(out->last_error, sizeof(out->last_error), r, row, 9);
}

static int set_not_found(const char *id)
{
    return vg_error_set(VG_ENOTFOUND, "store: no notification set %.64s", id);
}

/* Appends `v` escaped for COPY's text format. */
static void copy_field(vg_strbuf *sb, const char *v)
{
    const char *from = v;
    for (const char *p = v; *p; p++) {
        const char *esc = *p == '\\'   ? "\\\\"
                          : *p == '\n' ? "\\n"
                          : *p == '\r' ? "\\r"
                          : *p == '\t' ? "\\t"
                                       : NULL;
        if (!esc)
            continue;
        vg_strbuf_append(sb, from, (size_t)(p - from));
        vg_strbuf_puts(sb, esc);
        from = p + 1;
    }
    vg_strbuf_puts(sb, from);
}

typedef struct notify_arg {
    const vg_notify_set *set;
    const vg_notification *items;
    size_t n;
} notify_arg;

/* The notifications through COPY FROM STDIN, in chunks of COPY_CHUNK bytes. */
static int copy_notes(conn *c, const notify_arg *a)
{
    PGresult *r = PQexec(c->pg, "COPY notification (set_id, seq, manifest, reason, summary) "
                                "FROM STDIN");
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        int rc = pg_fail(c, r, "store notifications");
        PQclear(r);
        return rc;
    }
    PQclear(r);
    vg_strbuf sb;
    vg_strbuf_init(&sb, BATCH_MAX);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        copy_field(&sb, a->set->id);
        vg_strbuf_printf(&sb, "\t%zu\t", i + 1);
        copy_field(&sb, a->items[i].manifest);
        vg_strbuf_printf(&sb, "\t%d\t", (int)a->items[i].reason);
        copy_field(&sb, a->items[i].summary);
        vg_strbuf_putc(&sb, '\n');
        if (vg_strbuf_error(&sb))
            rc = vg_error_set(VG_ETOOBIG, "store: notification %zu is too large", i + 1);
        else if ((sb.len >= COPY_CHUNK || i + 1 == a->n) &&
                 PQputCopyData(c->pg, sb.buf, (int)sb.len) != 1)
            rc = pg_fail(c, NULL, "store notifications");
        else if (sb.len >= COPY_CHUNK || i + 1 == a->n)
            vg_strbuf_reset(&sb);
    }
    vg_strbuf_dispose(&sb);
    if (PQputCopyEnd(c->pg, rc == 0 ? NULL : "vigil: cancelled") != 1 && rc == 0)
        rc = pg_fail(c, NULL, "store notifications");
    while ((r = PQgetResult(c->pg)) != NULL) {
        if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = pg_fail(c, r, "store notifications");
        PQclear(r);
    }
    return rc;
}

static int notify_put_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    notify_arg *a = arg;
    const vg_notify_set *set = a->set;
    int rc = exec_cmd(c, "BEGIN", "begin");
    params p = {0};
    p_text(&p, set->id);
    p_text(&p, set->updater);
    p_text(&p, set->op_ref);
    p_int(&p, set->created);
    p_int(&p, (int64_t)set->count);
    p_int(&p, (int)set->delivery);
    p_int(&p, set->next_attempt);
    if (rc == 0)
        rc = exec_run(c, ST_SET_PUT, &p, NULL, "store a notification set");
    if (rc == 0)
        rc = copy_notes(c, a);
    return rc == 0 ? commit(c) : rc;
}

/* One transaction: readers see the whole set or nothing. Not run again once COMMIT went out
 * (an unknown outcome is reported as a failure; the set may exist). */
static int pg_notify_put(vg_store *base, const vg_notify_set *set, const vg_notification *items,
                         size_t n)
{
    notify_arg a = {set, items, n};
    return with_retry((pg_store *)base, notify_put_fn, &a);
}

static int pg_notify_get(vg_notify_set *out, vg_store *base, const char *id)
{
    params p = {0};
    p_text(&p, id);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_SET_GET, &p, false, "read a notification set");
    if (rc == 0) {
        if (PQntuples(r) > 0)
            read_set(out, r, 0);
        else
            rc = set_not_found(id);
    }
    PQclear(r);
    return rc;
}

static int pg_notify_list(vg_notify_set **out, size_t *n, vg_store *base, size_t limit)
{
    params p = {0};
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_SET_LIST, &p, false, "list notification sets");
    if (rc == 0 && PQntuples(r) > 0) {
        *n = (size_t)PQntuples(r);
        *out = vg_xcalloc(*n, sizeof(**out));
        for (size_t i = 0; i < *n; i++)
            read_set(&(*out)[i], r, (int)i);
    }
    PQclear(r);
    return rc;
}

typedef struct page_arg {
    const char *id;
    uint64_t after;
    size_t limit;
    PGresult *rows;
} page_arg;

/* The set's existence and the page in one snapshot. */
static int page_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    page_arg *a = arg;
    PQclear(a->rows);
    a->rows = NULL;
    int rc = exec_cmd(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin");
    params p = {0};
    p_text(&p, a->id);
    PGresult *r = rc == 0 ? exec_stmt(c, ST_SET_GET, &p, &rc, "read a notification set") : NULL;
    if (r && PQntuples(r) == 0)
        rc = set_not_found(a->id);
    PQclear(r);
    p_int(&p, a->after > INT64_MAX ? INT64_MAX : (int64_t)a->after);
    p_int(&p, (int64_t)a->limit + 1);
    if (rc == 0)
        a->rows = exec_stmt(c, ST_NOTE_PAGE, &p, &rc, "read notifications");
    if (rc == 0)
        rc = exec_cmd(c, "COMMIT", "commit");
    return rc;
}

static int pg_notify_page(vg_store *base, const char *id, uint64_t after, size_t limit,
                          vg_store_notification_cb cb, void *ctx, uint64_t *next)
{
    page_arg a = {id, after, limit, NULL};
    int rc = with_retry((pg_store *)base, page_fn, &a);
    int n = rc == 0 ? PQntuples(a.rows) : 0;
    uint64_t last = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if ((size_t)i == limit) { /* one more exists */
            *next = last;
            break;
        }
        last = (uint64_t)get_i64(a.rows, i, 0);
        vg_notification note = {PQgetvalue(a.rows, i, 1), (vg_notify_reason)get_i64(a.rows, i, 2),
                                PQgetvalue(a.rows, i, 3)};
        rc = cb(ctx, last, &note);
    }
    if (rc != 0)
        *next = 0;
    PQclear(a.rows);
    return rc;
}

static int pg_notify_ack(vg_store *base, const char *id)
{
    params p = {0};
    p_text(&p, id);
    int64_t n = 0;
    int rc = query_changes(&n, (pg_store *)base, ST_SET_ACK, &p, false,
                           "acknowledge a notification set");
    if (rc == 0 && n == 0)
        rc = set_not_found(id);
    return rc;
}

static int pg_delivery_claim(vg_notify_set *out, vg_store *base, int64_t now, const char *owner,
                             int64_t until)
{
    params p = {0};
    p_int(&p, now);
    p_text(&p, owner);
    p_int(&p, until);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_CLAIM, &p, true, "lease a notification set");
    if (rc == 0) {
        if (PQntuples(r) > 0)
            read_set(out, r, 0);
        else
            rc = vg_error_set(VG_ENOTFOUND, "store: no notification set is due for delivery");
    }
    PQclear(r);
    return rc;
}

typedef struct done_arg {
    const char *id;
    vg_delivery_state state;
    int64_t next_attempt;
    const char *error;
} done_arg;

static int done_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    done_arg *d = arg;
    int rc = exec_cmd(c, "BEGIN", "begin");
    params p = {0};
    p_text(&p, d->id);
    p_int(&p, (int)d->state);
    p_int(&p, d->next_attempt);
    p_text(&p, d->error ? d->error : "");
    int64_t changed = 0;
    if (rc == 0)
        rc = exec_run(c, ST_DELIVERY_DONE, &p, &changed, "record a delivery");
    if (rc == 0 && changed == 0) {
        p.n = 1;
        PGresult *r = exec_stmt(c, ST_DELIVERY_STATE, &p, &rc, "read a delivery state");
        if (r && PQntuples(r) == 0)
            rc = set_not_found(d->id);
        else if (r && get_i64(r, 0, 0) == VG_DELIVERY_NONE)
            rc =
                vg_error_set(VG_EINVAL, "store: notification set %.64s is not for delivery", d->id);
        PQclear(r); /* DELIVERED: stays so */
    }
    return rc == 0 ? commit(c) : rc;
}

static int pg_delivery_done(vg_store *base, const char *id, vg_delivery_state state,
                            int64_t next_attempt, const char *error)
{
    done_arg d = {id, state, next_attempt, error};
    return with_retry((pg_store *)base, done_fn, &d);
}

/* Each set (with its notifications, by cascade) in its own transaction. */
static int pg_notify_gc(size_t *deleted, vg_store *base, int64_t cutoff, size_t batch)
{
    int rc = 0;
    while (rc == 0 && *deleted < batch) {
        params p = {0};
        p_int(&p, cutoff);
        int64_t n = 0;
        rc = query_changes(&n, (pg_store *)base, ST_SET_GC, &p, false, "delete a notification set");
        if (rc != 0 || n == 0)
            break;
        (*deleted)++;
    }
    return rc;
}

/* ---- migration 4: scale-out, copy and the dashboard ---------------------------------- */

static int pg_manifest_list(vg_store *base, const char *after, size_t limit,
                            vg_store_manifest_info_cb cb, void *ctx)
{
    params p = {0};
    p_text(&p, after ? after : "");
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_MANIFEST_LIST, &p, false, "list manifests");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        vg_store_manifest_info m = {PQgetvalue(r, i, 0), get_i64(r, i, 1), PQgetvalue(r, i, 2)};
        rc = cb(ctx, &m);
    }
    PQclear(r);
    return rc;
}

typedef struct name_arg {
    const char *hash, *name;
} name_arg;

/* Under the manifest's row lock, so concurrent names cannot pass the cap together. */
static int name_fn(pg_store *s, conn *c, void *arg)
{
    (void)s;
    name_arg *a = arg;
    int rc = exec_cmd(c, "BEGIN", "begin");
    params p = {0};
    p_text(&p, a->hash);
    PGresult *r = rc == 0 ? exec_stmt(c, ST_MANIFEST_LOCK, &p, &rc, "name a manifest") : NULL;
    if (r && PQntuples(r) == 0)
        rc = vg_error_set(VG_ENOTFOUND, "manifest %.140s not in the store", a->hash);
    PQclear(r);
    p_text(&p, a->name);
    r = rc == 0 ? exec_stmt(c, ST_NAME_COUNT, &p, &rc, "name a manifest") : NULL;
    int64_t total = r ? get_i64(r, 0, 0) : 0, has = r ? get_i64(r, 0, 1) : 0;
    PQclear(r);
    if (rc != 0 || has)
        return rc == 0 ? commit(c) : rc;
    if (total >= VG_STORE_NAMES_PER_MANIFEST)
        return vg_error_set(VG_ETOOBIG, "store: manifest %.140s already has %d names", a->hash,
                            VG_STORE_NAMES_PER_MANIFEST);
    rc = exec_run(c, ST_NAME_PUT, &p, NULL, "name a manifest");
    return rc == 0 ? commit(c) : rc;
}

static int pg_manifest_name(vg_store *base, const char *hash, const char *name)
{
    name_arg a = {hash, name};
    return with_retry((pg_store *)base, name_fn, &a);
}

static int pg_manifest_layers(vg_store *base, const char *hash, vg_store_manifest_cb cb, void *ctx)
{
    params p = {0};
    p_text(&p, hash);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_MANIFEST_LAYERS, &p, false, "read manifest layers");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = cb(ctx, PQgetvalue(r, i, 0));
    PQclear(r);
    return rc;
}

static int pg_manifest_keys(vg_store *base, const char *hash, vg__key_cb cb, void *ctx)
{
    params p = {0};
    p_text(&p, hash);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_MANIFEST_KEYS, &p, false, "read manifest keys");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        vg_store_pkg_key k = {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), get_bool(r, i, 2)};
        rc = cb(ctx, &k);
    }
    PQclear(r);
    return rc;
}

static int pg_layer_list(vg_store *base, const char *after_digest, const char *after_scanners,
                         size_t limit, vg__layer_cb cb, void *ctx)
{
    params p = {0};
    p_text(&p, after_digest ? after_digest : "");
    p_text(&p, after_scanners ? after_scanners : "");
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_LAYER_LIST, &p, false, "list layer results");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = cb(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                (size_t)PQgetlength(r, i, 2));
    PQclear(r);
    return rc;
}

static int pg_history_put(vg_store *base, int64_t generation, int64_t date, const char *summary)
{
    params p = {0};
    p_int(&p, generation);
    p_int(&p, date);
    p_text(&p, summary);
    int64_t n = 0;
    return query_changes(&n, (pg_store *)base, ST_HISTORY_PUT, &p, false, "store history");
}

static int pg_history_list(vg_store *base, size_t limit, vg_store_history_cb cb, void *ctx)
{
    params p = {0};
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_HISTORY_LIST, &p, false, "read history");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = cb(ctx, get_i64(r, i, 0), get_i64(r, i, 1), PQgetvalue(r, i, 2));
    PQclear(r);
    return rc;
}

static bool role_held(const pg_store *s, const char *role)
{
    for (size_t i = 0; i < s->n_roles; i++)
        if (strcmp(s->roles[i], role) == 0)
            return true;
    return false;
}

static void lead_drop(pg_store *s)
{
    PQfinish(s->lead);
    s->lead = NULL;
    for (size_t i = 0; i < s->n_roles; i++)
        free(s->roles[i]);
    s->n_roles = 0;
}

/* A session lock per role on the handle's own connection, taken once (session advisory locks
 * count: never stacked). While held, a cheap query proves the session alive; a dead session
 * lost its locks, so it is replaced and the lock tried again. */
static int pg_leader(bool *leader, vg_store *base, const char *role)
{
    pg_store *s = (pg_store *)base;
    *leader = false;
    int rc = 0;
    pthread_mutex_lock(&s->lead_mu);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!s->lead && (s->lead = connect_pg(s, &rc)) == NULL)
            break;
        bool held = role_held(s, role);
        params p = {0};
        p_int(&p, lock_key("vigil-leader:", role));
        PGresult *r = held ? PQexec(s->lead, "SELECT true")
                           : PQexecParams(s->lead, "SELECT pg_try_advisory_lock($1::bigint)", 1,
                                          NULL, p.v, NULL, NULL, 0);
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
            *leader = get_bool(r, 0, 0);
            if (*leader && !held) {
                s->roles = vg_xrealloc(s->roles, (s->n_roles + 1) * sizeof(*s->roles));
                s->roles[s->n_roles++] = vg_xstrdup(role);
            }
            PQclear(r);
            rc = 0;
            break;
        }
        const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(s->lead);
        bool dead = PQstatus(s->lead) != CONNECTION_OK;
        rc = vg_error_set(dead ? VG_EIO : VG_ERROR, "store: %sleadership of '%s': %.*s",
                          dead ? "PostgreSQL unavailable: " : "", role, line_len(m), m);
        PQclear(r);
        if (!dead)
            break;
        lead_drop(s); /* the locks went with the session: reconnect and try again */
    }
    pthread_mutex_unlock(&s->lead_mu);
    return rc;
}

static int pg_layer_claim(bool *claimed, vg_store *base, const char *digest, const char *scanners,
                          const char *owner, int64_t now, int64_t until)
{
    params p = {0};
    p_text(&p, digest);
    p_text(&p, scanners);
    p_text(&p, owner);
    p_int(&p, now);
    p_int(&p, until);
    PGresult *r = NULL;
    int rc = query(&r, (pg_store *)base, ST_LAYER_CLAIM, &p, false, "claim a layer");
    *claimed = rc == 0 && PQntuples(r) > 0;
    PQclear(r);
    return rc;
}

static int pg_layer_unclaim(vg_store *base, const char *digest, const char *scanners,
                            const char *owner)
{
    params p = {0};
    p_text(&p, digest);
    p_text(&p, scanners);
    p_text(&p, owner);
    int64_t n = 0;
    return query_changes(&n, (pg_store *)base, ST_LAYER_UNCLAIM, &p, false, "unclaim a layer");
}

static const vg_store_backend pg_backend = {
    .name = "postgres",
    .close = pg_close,
    .schema_version = pg_schema_version,
    .begin = pg_begin,
    .flush = pg_flush,
    .commit = pg_commit,
    .abort = pg_abort,
    .latest_op = pg_latest_op,
    .list_ops = pg_list_ops,
    .diff_ops = pg_diff_ops,
    .gc = pg_gc,
    .find_affected = pg_find_affected,
    .op_bodies = pg_op_bodies,
    .get_bodies = pg_get_bodies,
    .layer_get = pg_layer_get,
    .layer_put = pg_layer_put,
    .manifest_put = pg_manifest_put,
    .manifest_get = pg_manifest_get,
    .manifest_stamp = pg_manifest_stamp,
    .manifest_delete = pg_manifest_delete,
    .generation = pg_generation,
    .manifests_with = pg_manifests_with,
    .manifest_count = pg_manifest_count,
    .notify_put = pg_notify_put,
    .notify_get = pg_notify_get,
    .notify_list = pg_notify_list,
    .notify_page = pg_notify_page,
    .notify_ack = pg_notify_ack,
    .delivery_claim = pg_delivery_claim,
    .delivery_done = pg_delivery_done,
    .notify_gc = pg_notify_gc,
    .manifest_list = pg_manifest_list,
    .manifest_name = pg_manifest_name,
    .manifest_layers = pg_manifest_layers,
    .manifest_keys = pg_manifest_keys,
    .layer_list = pg_layer_list,
    .history_put = pg_history_put,
    .history_list = pg_history_list,
    .leader = pg_leader,
    .layer_claim = pg_layer_claim,
    .layer_unclaim = pg_layer_unclaim,
};
