/* pg_migrations.c — the PostgreSQL schema as an ordered list of migrations, entry for entry the
 * same logical schema as migrations.c (so schema version N means the same on both backends), in
 * PostgreSQL's idioms: bigserial ids, bytea for the SHA-256, boolean flags, text for canonical
 * JSON (returned byte for byte as stored). postgres.c applies the pending ones on open in one
 * transaction under an advisory lock. Text keys that are sorted or compared use COLLATE "C", so
 * orders are bytewise as in SQLite whatever the database's locale. Never edit a released entry;
 * append a new one. */
#include "store_int.h"

const char *const vg__pg_migrations[] = {
    /* 1: update operations, content-addressed advisories, their links and affected index. An
     * update run is one transaction, so `committed` is false only inside it. */
    "CREATE TABLE update_op (\n"
    "    id bigserial PRIMARY KEY,             -- monotonic, never reused\n"
    "    ref text COLLATE \"C\" NOT NULL UNIQUE, -- UUID, kept across export/import\n"
    "    updater text COLLATE \"C\" NOT NULL,\n"
    "    fingerprint text NOT NULL,\n"
    "    date bigint NOT NULL,                 -- unix seconds\n"
    "    n_advisories bigint NOT NULL DEFAULT 0,\n"
    "    committed boolean NOT NULL DEFAULT false\n"
    ");\n"
    "CREATE INDEX update_op_updater ON update_op (updater, committed, id);\n"
    "CREATE TABLE advisory (\n"
    "    id bigserial PRIMARY KEY,\n"
    "    hash bytea NOT NULL UNIQUE CHECK (length(hash) = 32), -- SHA-256 of body\n"
    "    adv_id text COLLATE \"C\" NOT NULL,\n"
    "    source text COLLATE \"C\" NOT NULL,\n"
    "    body text NOT NULL                                   -- canonical JSON\n"
    ");\n"
    "CREATE INDEX advisory_adv_id ON advisory (adv_id);\n"
    "CREATE TABLE op_advisory (\n"
    "    op bigint NOT NULL REFERENCES update_op (id) ON DELETE CASCADE,\n"
    "    advisory bigint NOT NULL REFERENCES advisory (id) ON DELETE CASCADE,\n"
    "    PRIMARY KEY (op, advisory)\n"
    ");\n"
    "CREATE INDEX op_advisory_advisory ON op_advisory (advisory, op);\n"
    "CREATE TABLE affected (\n"
    "    advisory bigint NOT NULL REFERENCES advisory (id) ON DELETE CASCADE,\n"
    "    ns text COLLATE \"C\" NOT NULL,\n"
    "    package text COLLATE \"C\" NOT NULL,\n"
    "    source_pkg boolean NOT NULL,\n"
    "    PRIMARY KEY (advisory, ns, package, source_pkg)\n"
    ");\n"
    "CREATE INDEX affected_lookup ON affected (ns, package, source_pkg);\n",
    /* 2: the index side: layer results cached by layer digest and scanner-set version, and
     * each manifest's IndexReport with its layers. */
    "CREATE TABLE layer_result (\n"
    "    digest text COLLATE \"C\" NOT NULL,\n"
    "    scanners text COLLATE \"C\" NOT NULL, -- vg_index_scanners_version() that produced it\n"
    "    body text NOT NULL,                 -- vg_layer_result_to_json\n"
    "    created bigint NOT NULL,\n"
    "    PRIMARY KEY (digest, scanners)\n"
    ");\n"
    "CREATE TABLE manifest (\n"
    "    hash text COLLATE \"C\" PRIMARY KEY,\n"
    "    report text NOT NULL,               -- IndexReport JSON\n"
    "    indexed bigint NOT NULL             -- unix seconds\n"
    ");\n"
    "CREATE TABLE manifest_layer (\n"
    "    manifest text COLLATE \"C\" NOT NULL REFERENCES manifest (hash) ON DELETE CASCADE,\n"
    "    idx integer NOT NULL,\n"
    "    layer text COLLATE \"C\" NOT NULL,\n"
    "    PRIMARY KEY (manifest, idx)\n"
    ");\n"
    "CREATE INDEX manifest_layer_layer ON manifest_layer (layer);\n",
    /* 3: the package reverse index and notification sets with their webhook delivery state
     * and lease. `seq` orders sets made in the same second (SQLite's rowid). */
    "CREATE TABLE manifest_pkg (\n"
    "    ns text COLLATE \"C\" NOT NULL,\n"
    "    package text COLLATE \"C\" NOT NULL,\n"
    "    source_pkg boolean NOT NULL,\n"
    "    manifest text COLLATE \"C\" NOT NULL REFERENCES manifest (hash) ON DELETE CASCADE,\n"
    "    PRIMARY KEY (ns, package, source_pkg, manifest)\n"
    ");\n"
    "CREATE INDEX manifest_pkg_manifest ON manifest_pkg (manifest);\n"
    "CREATE TABLE notify_set (\n"
    "    id text COLLATE \"C\" PRIMARY KEY,    -- UUID\n"
    "    seq bigserial NOT NULL,             -- insertion order\n"
    "    updater text NOT NULL,\n"
    "    op_ref text NOT NULL,               -- the update_op that caused it (may be GC'd)\n"
    "    created bigint NOT NULL,            -- unix seconds\n"
    "    count bigint NOT NULL CHECK (count > 0),\n"
    "    acked boolean NOT NULL DEFAULT false,\n"
    "    delivery smallint NOT NULL CHECK (delivery IN (0, 1, 2, 3)),\n"
    "    attempts integer NOT NULL DEFAULT 0,\n"
    "    next_attempt bigint NOT NULL DEFAULT 0,\n"
    "    lease_owner text,\n"
    "    lease_until bigint NOT NULL DEFAULT 0, -- unix seconds; 0: no lease\n"
    "    last_error text NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE INDEX notify_set_created ON notify_set (created, seq);\n"
    "CREATE INDEX notify_set_due ON notify_set (delivery, next_attempt);\n"
    "CREATE TABLE notification (\n"
    "    set_id text COLLATE \"C\" NOT NULL REFERENCES notify_set (id) ON DELETE CASCADE,\n"
    "    seq bigint NOT NULL,                -- 1..count\n"
    "    manifest text NOT NULL,\n"
    "    reason smallint NOT NULL CHECK (reason IN (0, 1)), -- vg_notify_reason\n"
    "    summary text NOT NULL,              -- JSON object\n"
    "    PRIMARY KEY (set_id, seq)\n"
    ");\n",
    /* 4: scale-out and the dashboard: repository names per manifest (no foreign key, as in
     * SQLite: manifest delete removes them), one point of the vulnerable-image history per data
     * generation, and layer claims (one indexer per layer across instances, with a lease). */
    "CREATE TABLE manifest_name (\n"
    "    manifest text COLLATE \"C\" NOT NULL,\n"
    "    name text COLLATE \"C\" NOT NULL,\n"
    "    PRIMARY KEY (manifest, name)\n"
    ");\n"
    "CREATE TABLE history (\n"
    "    generation bigint PRIMARY KEY,      -- vg_store_generation when taken\n"
    "    date bigint NOT NULL,               -- unix seconds\n"
    "    summary text NOT NULL               -- JSON object\n"
    ");\n"
    "CREATE TABLE layer_claim (\n"
    "    digest text COLLATE \"C\" NOT NULL,\n"
    "    scanners text COLLATE \"C\" NOT NULL,\n"
    "    owner text NOT NULL,\n"
    "    until bigint NOT NULL,              -- unix seconds\n"
    "    PRIMARY KEY (digest, scanners)\n"
    ");\n",
};

const int vg__pg_n_migrations = (int)VG_ARRAY_LEN(vg__pg_migrations);
