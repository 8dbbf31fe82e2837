/* store.c — the backend-independent half of store.h: DSN dispatch, the default path, name
 * checks, canonical encoding and hashing of advisories on the way in, and decoding of stored
 * bodies into a per-call arena on the way out. Backends (sqlite.c) only move bytes. */
#include "store_int.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int vg_store_open(vg_store **out, const char *dsn)
{
    if (!dsn || !*dsn)
        return vg_error_set(VG_EINVAL, "store: empty database path");
    if (strncmp(dsn, "postgres://", 11) == 0 || strncmp(dsn, "postgresql://", 13) == 0)
        return vg_error_set(VG_EINVAL,
                            "store: %.16s...: PostgreSQL is not supported by this "
                            "build of vigil",
                            dsn);
    const char *path = strncmp(dsn, "sqlite:", 7) == 0 ? dsn + 7 : dsn;
    if (!*path)
        return vg_error_set(VG_EINVAL, "store: empty database path in '%s'", dsn);
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return vg_error_set(VG_EINVAL,
                            "store: '%s': give a file path (the store uses several "
                            "connections to one file)",
                            path);
    return vg__sqlite_open(out, path);
}

void vg_store_close(vg_store *s)
{
    if (s)
        s->be->close(s);
}

/* mkdir -p for the directories above `path` (mode 0700 for the ones it creates). */
static int make_parents(const char *path)
{
    char *p = vg_xstrdup(path);
    int rc = 0;
    for (char *c = p + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = vg_error_set(VG_EIO, "store: cannot create directory %s: %s", p, strerror(errno));
            break;
        }
        *c = '/';
    }
    free(p);
    return rc;
}

char *vg_store_default_dsn(void)
{
    const char *env = getenv("VIGIL_DB");
    if (env && *env)
        return vg_xstrdup(env);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        vg_error_set(VG_EINVAL, "store: neither VIGIL_DB nor HOME is set; use --db PATH");
        return NULL;
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, 8192);
    vg_strbuf_printf(&sb, "%s/.cache/vigil/vigil.db", home);
    if (vg_strbuf_error(&sb) || make_parents(sb.buf) != 0) {
        if (vg_strbuf_error(&sb))
            vg_error_set(VG_ETOOBIG, "store: HOME is too long");
        vg_strbuf_dispose(&sb);
        return NULL;
    }
    return vg_strbuf_detach(&sb);
}

int vg_store_schema_version(int *out, int *latest, vg_store *s)
{
    return s->be->schema_version(out, latest, s);
}

/* ---- writes -------------------------------------------------------------------------- */

static int check_name(const char *what, const char *v, size_t max, bool strict)
{
    if (!v || !*v)
        return vg_error_set(VG_EINVAL, "store: empty %s", what);
    size_t n = strlen(v);
    if (n > max)
        return vg_error_set(VG_EINVAL, "store: %s longer than %zu bytes", what, max);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        bool ok = strict
                      ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':'
                      : c >= 0x20 && c < 0x7f;
        if (!ok)
            return vg_error_set(VG_EINVAL, "store: %s has an invalid byte 0x%02x at %zu", what, c,
                                i);
    }
    return 0;
}

int vg__store_begin(vg_store_tx **out, vg__begin_status *status, vg_update_op *local, vg_store *s,
                    const vg__op_spec *spec)
{
    int rc;
    if ((rc = check_name("updater name", spec->updater, VG__UPDATER_MAX, true)) != 0 ||
        (rc = check_name("fingerprint", spec->fingerprint, VG__FINGERPRINT_MAX, false)) != 0 ||
        (rc = check_name("operation ref", spec->ref, VG__REF_MAX, true)) != 0)
        return rc;
    return s->be->begin(out, status, local, s, spec);
}

int vg_store_update_begin(vg_store_tx **out, vg_store *s, const char *updater,
                          const char *fingerprint)
{
    uint8_t b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        return vg_error_set(VG_ERROR, "store: no random bytes for an operation id");
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* UUID version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char ref[40];
    snprintf(ref, sizeof(ref),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    vg__op_spec spec = {updater, fingerprint, ref, (int64_t)time(NULL), false};
    vg__begin_status st;
    return vg__store_begin(out, &st, NULL, s, &spec);
}

int vg_store_update_put(vg_store_tx *tx, const vg_advisory *a)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG__ADVISORY_MAX_BYTES + 1);
    int rc = vg__advisory_encode(&sb, a);
    if (rc == 0) {
        vg__encoded e = {{0}, a->id, a->source, sb.buf, sb.len, a->affected, a->n_affected};
        vg__sha256(e.hash, sb.buf, sb.len);
        rc = tx->s->be->put(tx, &e);
    }
    vg_strbuf_dispose(&sb);
    return rc;
}

int vg_store_update_commit(vg_store_tx *tx, vg_update_op *out)
{
    return tx->s->be->commit(tx, out);
}

void vg_store_update_abort(vg_store_tx *tx)
{
    if (tx)
        tx->s->be->abort(tx);
}

/* ---- operations ---------------------------------------------------------------------- */

int vg_store_latest_op(vg_update_op *out, vg_store *s, const char *updater)
{
    return s->be->latest_op(out, s, updater);
}

int vg_store_list_ops(vg_update_op **out, size_t *n, vg_store *s, const char *updater)
{
    return s->be->list_ops(out, n, s, updater);
}

int vg_store_diff_ops(vg_store_diff *out, vg_store *s, int64_t prev, int64_t cur)
{
    memset(out, 0, sizeof(*out));
    return s->be->diff_ops(out, s, prev, cur);
}

void vg_store_diff_dispose(vg_store_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_added; i++)
        free(d->added[i]);
    for (size_t i = 0; i < d->n_removed; i++)
        free(d->removed[i]);
    free(d->added);
    free(d->removed);
    memset(d, 0, sizeof(*d));
}

int vg_store_gc(size_t *deleted, vg_store *s, const char *updater, unsigned keep, size_t batch)
{
    *deleted = 0;
    if (batch == 0)
        return vg_error_set(VG_EINVAL, "store: gc batch must be at least 1");
    return s->be->gc(deleted, s, updater, keep, batch);
}

/* ---- reads --------------------------------------------------------------------------- */

/* Decodes each body into a reused arena and hands it to the caller's callback. */
typedef struct decode_ctx {
    vg_arena *arena;
    vg_store_advisory_cb cb;
    void *ctx;
    size_t n;
} decode_ctx;

static int decode_body(void *p, const char *body, size_t len)
{
    decode_ctx *d = p;
    vg_arena_reset(d->arena);
    vg_advisory a;
    if (vg__advisory_decode(&a, d->arena, body, len, "store: stored advisory") != 0)
        return vg_error_code();
    d->n++;
    return d->cb(d->ctx, &a);
}

int vg_store_find_affected(vg_store *s, const char *ns, const char *package, bool source_pkg,
                           vg_store_advisory_cb cb, void *ctx)
{
    decode_ctx d = {vg_arena_new(16384), cb, ctx, 0};
    int rc = s->be->find_affected(s, ns, package, source_pkg, decode_body, &d);
    vg_arena_free(d.arena);
    return rc;
}

int vg_store_op_advisories(vg_store *s, int64_t op_id, vg_store_advisory_cb cb, void *ctx)
{
    decode_ctx d = {vg_arena_new(16384), cb, ctx, 0};
    int rc = s->be->op_bodies(s, op_id, decode_body, &d);
    vg_arena_free(d.arena);
    return rc;
}

int vg_store_get_advisory(vg_store *s, const char *id, vg_store_advisory_cb cb, void *ctx)
{
    decode_ctx d = {vg_arena_new(16384), cb, ctx, 0};
    int rc = s->be->get_bodies(s, id, decode_body, &d);
    vg_arena_free(d.arena);
    if (rc == 0 && d.n == 0)
        rc = vg_error_set(VG_ENOTFOUND, "store: no advisory %.128s in the newest operations", id);
    return rc;
}

int vg_store_layer_get(vg_store *s, const char *digest, const char *scanners, vg_store_body_cb cb,
                       void *ctx)
{
    return s->be->layer_get(s, digest, scanners, cb, ctx);
}

int vg_store_layer_put(vg_store *s, const char *digest, const char *scanners, const char *body,
                       size_t len)
{
    return s->be->layer_put(s, digest, scanners, body, len);
}

int vg_store_manifest_put(vg_store *s, const char *hash, const char *report, size_t len,
                          const char *const *layers, size_t n_layers)
{
    return s->be->manifest_put(s, hash, report, len, layers, n_layers);
}

int vg_store_manifest_get(vg_store *s, const char *hash, vg_store_body_cb cb, void *ctx)
{
    return s->be->manifest_get(s, hash, cb, ctx);
}

int vg_store_manifest_stamp(int64_t *indexed, vg_store *s, const char *hash)
{
    return s->be->manifest_stamp(indexed, s, hash);
}

int vg_store_manifest_delete(bool *deleted, vg_store *s, const char *hash)
{
    return s->be->manifest_delete(deleted, s, hash);
}

int vg_store_generation(int64_t *out, vg_store *s)
{
    return s->be->generation(out, s);
}
