/* migrations.c — the SQLite schema as an ordered list of migrations: entry i takes a database
 * from schema version i to i + 1. sqlite.c applies the pending ones on open, in one transaction,
 * and records each in schema_version. Never edit a released entry; append a new one, and the
 * same entry to pg_migrations.c (PostgreSQL's idioms), so a version means one schema. */
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
    /* 3: the package reverse index (ns, package, source_pkg -> manifests) that notifications
     * query, and notification sets with their webhook delivery state and lease. A set's rows
     * are written once and never change; `delivery` holds vg_delivery_state. SQLite's rowid
     * of notify_set orders sets made in the same second (postgres.c: a bigserial). */
    "CREATE TABLE manifest_pkg (\n"
    "    ns TEXT NOT NULL,\n"
    "    package TEXT NOT NULL,\n"
    "    source_pkg INTEGER NOT NULL CHECK (source_pkg IN (0, 1)),\n"
    "    manifest TEXT NOT NULL REFERENCES manifest (hash) ON DELETE CASCADE,\n"
    "    PRIMARY KEY (ns, package, source_pkg, manifest)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX manifest_pkg_manifest ON manifest_pkg (manifest);\n"
    "CREATE TABLE notify_set (\n"
    "    id TEXT PRIMARY KEY,              -- UUID\n"
    "    updater TEXT NOT NULL,\n"
    "    op_ref TEXT NOT NULL,             -- the update_op that caused it (may be GC'd)\n"
    "    created INTEGER NOT NULL,         -- unix seconds\n"
    "    count INTEGER NOT NULL CHECK (count > 0),\n"
    "    acked INTEGER NOT NULL DEFAULT 0 CHECK (acked IN (0, 1)),\n"
    "    delivery INTEGER NOT NULL CHECK (delivery IN (0, 1, 2, 3)),\n"
    "    attempts INTEGER NOT NULL DEFAULT 0,\n"
    "    next_attempt INTEGER NOT NULL DEFAULT 0,\n"
    "    lease_owner TEXT,\n"
    "    lease_until INTEGER NOT NULL DEFAULT 0, -- unix seconds; 0: no lease\n"
    "    last_error TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE INDEX notify_set_created ON notify_set (created);\n"
    "CREATE INDEX notify_set_due ON notify_set (delivery, next_attempt);\n"
    "CREATE TABLE notification (\n"
    "    set_id TEXT NOT NULL REFERENCES notify_set (id) ON DELETE CASCADE,\n"
    "    seq INTEGER NOT NULL,             -- 1..count\n"
    "    manifest TEXT NOT NULL,\n"
    "    reason INTEGER NOT NULL CHECK (reason IN (0, 1)), -- vg_notify_reason\n"
    "    summary TEXT NOT NULL,            -- JSON object\n"
    "    PRIMARY KEY (set_id, seq)\n"
    ") WITHOUT ROWID;\n",
    /* 4: scale-out and the dashboard: repository names per manifest (no foreign key: the
     * REPLACE of a re-index must keep them; manifest delete removes them), one point of the
     * vulnerable-image history per data generation, and layer claims (one indexer per layer
     * across instances, with a lease). */
    "CREATE TABLE manifest_name (\n"
    "    manifest TEXT NOT NULL,\n"
    "    name TEXT NOT NULL,\n"
    "    PRIMARY KEY (manifest, name)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE history (\n"
    "    generation INTEGER PRIMARY KEY,   -- vg_store_generation when taken\n"
    "    date INTEGER NOT NULL,            -- unix seconds\n"
    "    summary TEXT NOT NULL             -- JSON object\n"
    ");\n"
    "CREATE TABLE layer_claim (\n"
    "    digest TEXT NOT NULL,\n"
    "    scanners TEXT NOT NULL,\n"
    "    owner TEXT NOT NULL,\n"
    "    until INTEGER NOT NULL,           -- unix seconds\n"
    "    PRIMARY KEY (digest, scanners)\n"
    ") WITHOUT ROWID;\n",
};

const int vg__sqlite_n_migrations = (int)VG_ARRAY_LEN(vg__sqlite_migrations);
