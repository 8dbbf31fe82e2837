/* pg_testdb.h — helpers for the unit tests that run on PostgreSQL (store_test, notify_test
 * under tests/pg/with_pg.sh): a fresh database per test through the admin DSN VG_PG_ADMIN, so
 * tests never see each other's rows, and raw SQL for the checks that need backend internals
 * (a too-new schema, a foreign table, killed sessions). Header-only: static inline. */
#ifndef VG_PG_TESTDB_H
#define VG_PG_TESTDB_H

#include "util/util.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `dsn` (a postgres:// URI) with its database replaced by `db`; heap. */
static inline char *pgdb_dsn_for(const char *dsn, const char *db)
{
    const char *q = strchr(dsn, '?');
    size_t end = q ? (size_t)(q - dsn) : strlen(dsn);
    const char *host = strstr(dsn, "://");
    const char *slash = host ? memchr(host + 3, '/', end - (size_t)(host + 3 - dsn)) : NULL;
    size_t cut = slash ? (size_t)(slash - dsn) : end;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%.*s/%s%s", (int)cut, dsn, db, q ? q : "");
    return vg_strbuf_detach(&sb);
}

static inline void pgdb_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs `sql` on `dsn`; 0, or -1 with the error printed. */
static inline int pgdb_exec(const char *dsn, const char *sql)
{
    PGconn *pg = PQconnectdb(dsn);
    int rc = -1;
    PQsetNoticeProcessor(pg, pgdb_quiet, NULL); /* "does not exist, skipping" */
    if (PQstatus(pg) == CONNECTION_OK) {
        PGresult *r = PQexec(pg, sql);
        ExecStatusType st = PQresultStatus(r);
        rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
        if (rc != 0)
            fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    } else {
        fprintf(stderr, "connect: %s", PQerrorMessage(pg));
    }
    PQfinish(pg);
    return rc;
}

/* A fresh, empty database `db` made through VG_PG_ADMIN: its DSN (heap), or NULL when
 * VG_PG_ADMIN is not set or the database cannot be made. */
static inline char *pgdb_create(const char *db)
{
    const char *admin = getenv("VG_PG_ADMIN");
    if (!admin || !*admin)
        return NULL;
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    if (pgdb_exec(admin, sql) != 0)
        return NULL;
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    if (pgdb_exec(admin, sql) != 0)
        return NULL;
    return pgdb_dsn_for(admin, db);
}

static inline void pgdb_drop(const char *db)
{
    const char *admin = getenv("VG_PG_ADMIN");
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    if (admin && *admin && *db)
        pgdb_exec(admin, sql);
}

#endif
