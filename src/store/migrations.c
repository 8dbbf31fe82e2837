/* migrations.c — the SQLite schema as an ordered list of migrations: entry i takes a database
 * from schema version i to i + 1. sqlite.c applies the pending ones on open, in one transaction,
 * and records each in schema_version. Never edit a released entry; append a new one. The
 * logical schema is the one postgres.c will create in PostgreSQL's idioms (uuid, bytea, jsonb
 * or text for the canonical body, bigserial). */
#include "store_int.h"

const char *const vg__sqlite_migrations[] = {
    /* 1: update operations, content-addressed advisories, their links and affected index. */
    "CREATE TABLE update_op (\n"
    "    id INTEGER PRIMARY KEY AUTOINCREMENT, -- monotonic, never reused\n"
    "    ref TEXT NOT NULL UNIQUE,             -- UUID, kept across export/import\n"
    "    updater TEXT NOT NULL,\n"
    "    fingerprint TEXT NOT NULL,\n"
    "    date INTEGER NOT NULL,                -- unix seconds\n"
    "    n_advisories INTEGER NOT NULL DEFAULT 0,\n"
    "    committed INTEGER NOT NULL DEFAULT 0 CHECK (committed IN (0, 1))\n"
    ");\n"
    "CREATE INDEX update_op_updater ON update_op (updater, committed, id);\n"
    "CREATE TABLE advisory (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32), -- SHA-256 of body\n"
    "    adv_id TEXT NOT NULL,\n"
    "    source TEXT NOT NULL,\n"
    "    body TEXT NOT NULL                                   -- canonical JSON\n"
    ");\n"
    "CREATE INDEX advisory_adv_id ON advisory (adv_id);\n"
    "CREATE TABLE op_advisory (\n"
    "    op INTEGER NOT NULL REFERENCES update_op (id) ON DELETE CASCADE,\n"
    "    advisory INTEGER NOT NULL REFERENCES advisory (id) ON DELETE CASCADE,\n"
    "    PRIMARY KEY (op, advisory)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX op_advisory_advisory ON op_advisory (advisory, op);\n"
    "CREATE TABLE affected (\n"
    "    advisory INTEGER NOT NULL REFERENCES advisory (id) ON DELETE CASCADE,\n"
    "    ns TEXT NOT NULL,\n"
    "    package TEXT NOT NULL,\n"
    "    source_pkg INTEGER NOT NULL CHECK (source_pkg IN (0, 1)),\n"
    "    PRIMARY KEY (advisory, ns, package, source_pkg)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX affected_lookup ON affected (ns, package, source_pkg);\n",
    /* 2: the index side: layer results cached by layer digest and scanner-set version, and
     * each manifest's IndexReport with its layers (the reverse index for notifications). */
    "CREATE TABLE layer_result (\n"
    "    digest TEXT NOT NULL,\n"
    "    scanners TEXT NOT NULL,   -- vg_index_scanners_version() that produced it\n"
    "    body TEXT NOT NULL,       -- vg_layer_result_to_json\n"
    "    created INTEGER NOT NULL,\n"
    "    PRIMARY KEY (digest, scanners)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE manifest (\n"
    "    hash TEXT PRIMARY KEY,\n"
    "    report TEXT NOT NULL,     -- IndexReport JSON\n"
    "    indexed INTEGER NOT NULL  -- unix seconds\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE manifest_layer (\n"
    "    manifest TEXT NOT NULL REFERENCES manifest (hash) ON DELETE CASCADE,\n"
    "    idx INTEGER NOT NULL,\n"
    "    layer TEXT NOT NULL,\n"
    "    PRIMARY KEY (manifest, idx)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX manifest_layer_layer ON manifest_layer (layer);\n",
};

const int vg__sqlite_n_migrations = (int)VG_ARRAY_LEN(vg__sqlite_migrations);
