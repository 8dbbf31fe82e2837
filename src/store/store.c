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

/* The pool cap rides in the URI as pgx's `pool_max_conns=N` (the name Clair's connection
 * strings use); it is taken out before libpq, which rejects parameters it does not know. */
#define VG_STORE_POOL_MAX 256

static int open_postgres(vg_store **out, const char *dsn)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 8192);
    unsigned pool = 0;
    const char *q = strchr(dsn, '?');
    vg_strbuf_append(&sb, dsn, q ? (size_t)(q - dsn) : strlen(dsn));
    char sep = '?';
    int rc = 0;
    for (const char *p = q ? q + 1 : NULL; p && *p && rc == 0;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n > 15 && strncmp(p, "pool_max_conns=", 15) == 0) {
            uint64_t v = 0;
            if (vg_parse_u64(&v, (vg_slice){p + 15, n - 15}) != 0 || v == 0 ||
                v > VG_STORE_POOL_MAX)
                rc = vg_error_set(VG_EINVAL, "store: pool_max_conns must be 1-%d",
                                  VG_STORE_POOL_MAX);
            pool = (unsigned)v;
        } else if (n > 0) {
            vg_strbuf_append(&sb, &sep, 1);
            vg_strbuf_append(&sb, p, n);
            sep = '&';
        }
        p = amp ? amp + 1 : NULL;
    }
    if (rc == 0 && vg_strbuf_error(&sb))
        rc = vg_error_set(VG_ETOOBIG, "store: connection string longer than 8 KiB");
    if (rc == 0)
        rc = vg__postgres_open(out, sb.buf, pool);
    vg_strbuf_dispose(&sb);
    return rc;
}

int vg_store_open(vg_store **out, const char *dsn)
{
    if (!dsn || !*dsn)
        return vg_error_set(VG_EINVAL, "store: empty database path");
    if (strncmp(dsn, "postgres://", 11) == 0 || strncmp(dsn, "postgresql://", 13) == 0)
        return open_postgres(out, dsn);
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
    *out = NULL;
    if ((rc = s->be->begin(out, status, local, s, spec)) == 0 && *out) {
        vg__run_buf_init(&(*out)->buf);
        (*out)->failed = 0;
        snprintf((*out)->updater, sizeof((*out)->updater), "%s", spec->updater);
    }
    return rc;
}

/* A random (version 4) UUID in `out`, for operation refs and notification set ids. */
static int new_uuid(char out[40], const char *what)
{
    uint8_t b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        return vg_error_set(VG_ERROR, "store: no random bytes for %s", what);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* UUID version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return 0;
}

int vg_store_update_begin(vg_store_tx **out, vg_store *s, const char *updater,
                          const char *fingerprint)
{
    char ref[40];
    int rc = new_uuid(ref, "an operation id");
    if (rc != 0)
        return rc;
    vg__op_spec spec = {updater, fingerprint, ref, (int64_t)time(NULL), false};
    vg__begin_status st;
    return vg__store_begin(out, &st, NULL, s, &spec);
}

static int poisoned(const vg_store_tx *tx)
{
    return vg_error_set(tx->failed, "store: the update of '%s' already failed; abort it",
                        tx->updater);
}

int vg_store_update_put(vg_store_tx *tx, const vg_advisory *a)
{
    if (tx->failed)
        return poisoned(tx);
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG__ADVISORY_MAX_BYTES + 1);
    int rc = vg__advisory_encode(&sb, a);
    if (rc == 0) {
        vg__encoded e = {{0}, a->id, a->source, sb.buf, sb.len, a->affected, a->n_affected};
        vg__sha256(e.hash, sb.buf, sb.len);
        if (vg__run_buf_add(&tx->buf, &e) && (rc = tx->s->be->flush(tx)) != 0)
            tx->failed = rc; /* a rejected advisory (above) does not poison the run */
    }
    vg_strbuf_dispose(&sb);
    return rc;
}

int vg_store_update_commit(vg_store_tx *tx, vg_update_op *out)
{
    int rc = tx->failed ? poisoned(tx) : tx->s->be->flush(tx);
    if (rc != 0) {
        tx->s->be->abort(tx);
        return rc;
    }
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
                          const char *const *layers, size_t n_layers, const vg_store_pkg_key *keys,
                          size_t n_keys)
{
    if (!hash || !*hash)
        return vg_error_set(VG_EINVAL, "store: a manifest needs a hash");
    if ((n_layers && !layers) || (n_keys && !keys))
        return vg_error_set(VG_EINVAL, "store: manifest %.128s: NULL layer or key list", hash);
    for (size_t i = 0; i < n_layers; i++)
        if (!layers[i])
            return vg_error_set(VG_EINVAL, "store: manifest %.128s: layer %zu is NULL", hash, i);
    for (size_t i = 0; i < n_keys; i++)
        if (!keys[i].ns || !*keys[i].ns || !keys[i].package || !*keys[i].package)
            return vg_error_set(VG_EINVAL,
                                "store: manifest %.128s: package key %zu has no namespace or "
                                "package",
                                hash, i);
    return s->be->manifest_put(s, hash, report, len, layers, n_layers, keys, n_keys);
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

int vg_store_manifests_with(vg_store *s, const char *ns, const char *package, bool source_pkg,
                            vg_store_manifest_cb cb, void *ctx)
{
    if (!ns || !package)
        return vg_error_set(VG_EINVAL, "store: a package key needs a namespace and a name");
    return s->be->manifests_with(s, ns, package, source_pkg, cb, ctx);
}

int vg_store_manifest_count(uint64_t *out, vg_store *s)
{
    return s->be->manifest_count(out, s);
}

int vg_store_generation(int64_t *out, vg_store *s)
{
    return s->be->generation(out, s);
}

/* ---- notifications ------------------------------------------------------------------- */

static int check_limit(size_t *limit, const char *what)
{
    if (*limit == 0)
        return vg_error_set(VG_EINVAL, "store: %s limit must be at least 1", what);
    if (*limit > VG_STORE_NOTIFY_PAGE_MAX)
        *limit = VG_STORE_NOTIFY_PAGE_MAX;
    return 0;
}

static int check_id(const char *id)
{
    if (!id)
        return vg_error_set(VG_EINVAL, "store: no notification set id");
    return 0;
}

int vg_store_notify_put(vg_notify_set *out, vg_store *s, const char *updater, const char *op_ref,
                        const vg_notification *items, size_t n, bool deliver)
{
    int rc;
    if (n == 0)
        return vg_error_set(VG_EINVAL, "store: a notification set needs at least one item");
    if (n > VG_STORE_MAX_NOTIFICATIONS)
        return vg_error_set(VG_ETOOBIG,
                            "store: a notification set of %zu items is over the limit of %d", n,
                            VG_STORE_MAX_NOTIFICATIONS);
    if ((rc = check_name("updater name", updater, VG__UPDATER_MAX, true)) != 0 ||
        (rc = check_name("operation ref", op_ref, VG__REF_MAX, true)) != 0)
        return rc;
    if (!items)
        return vg_error_set(VG_EINVAL, "store: no notifications given");
    for (size_t i = 0; i < n; i++) {
        const vg_notification *it = &items[i];
        if (!it->manifest || !*it->manifest || !it->summary)
            return vg_error_set(VG_EINVAL, "store: notification %zu has no manifest or summary",
                                i + 1);
        if (it->reason != VG_NOTIFY_ADDED && it->reason != VG_NOTIFY_REMOVED)
            return vg_error_set(VG_EINVAL, "store: notification %zu has an unknown reason %d",
                                i + 1, (int)it->reason);
    }
    vg_notify_set set;
    memset(&set, 0, sizeof(set));
    if ((rc = new_uuid(set.id, "a notification set id")) != 0)
        return rc;
    snprintf(set.updater, sizeof(set.updater), "%s", updater);
    snprintf(set.op_ref, sizeof(set.op_ref), "%s", op_ref);
    set.created = (int64_t)time(NULL);
    set.count = (uint64_t)n;
    set.delivery = deliver ? VG_DELIVERY_PENDING : VG_DELIVERY_NONE;
    set.next_attempt = deliver ? set.created : 0;
    if ((rc = s->be->notify_put(s, &set, items, n)) != 0)
        return rc;
    if (out)
        *out = set;
    return 0;
}

int vg_store_notify_get(vg_notify_set *out, vg_store *s, const char *id)
{
    int rc = check_id(id);
    return rc ? rc : s->be->notify_get(out, s, id);
}

int vg_store_notify_list(vg_notify_set **out, size_t *n, vg_store *s, size_t limit)
{
    *out = NULL;
    *n = 0;
    int rc = check_limit(&limit, "notification list");
    return rc ? rc : s->be->notify_list(out, n, s, limit);
}

int vg_store_notify_page(vg_store *s, const char *id, uint64_t after, size_t limit,
                         vg_store_notification_cb cb, void *ctx, uint64_t *next)
{
    uint64_t scratch = 0;
    if (!next)
        next = &scratch;
    *next = 0;
    int rc = check_id(id);
    if (rc == 0)
        rc = check_limit(&limit, "notification page");
    return rc ? rc : s->be->notify_page(s, id, after, limit, cb, ctx, next);
}

int vg_store_notify_ack(vg_store *s, const char *id)
{
    int rc = check_id(id);
    return rc ? rc : s->be->notify_ack(s, id);
}

int vg_store_delivery_claim(vg_notify_set *out, vg_store *s, int64_t now, const char *owner,
                            int64_t lease_s)
{
    int rc = check_name("lease owner", owner, VG__LEASE_OWNER_MAX, false);
    if (rc != 0)
        return rc;
    if (lease_s <= 0 || now < 0 || now > INT64_MAX - lease_s)
        return vg_error_set(VG_EINVAL, "store: bad delivery lease (now %lld, %lld s)",
                            (long long)now, (long long)lease_s);
    return s->be->delivery_claim(out, s, now, owner, now + lease_s);
}

int vg_store_delivery_done(vg_store *s, const char *id, vg_delivery_state state,
                           int64_t next_attempt, const char *error)
{
    int rc = check_id(id);
    if (rc != 0)
        return rc;
    if (state != VG_DELIVERY_PENDING && state != VG_DELIVERY_DELIVERED &&
        state != VG_DELIVERY_FAILED)
        return vg_error_set(VG_EINVAL, "store: %d is not a delivery outcome", (int)state);
    /* last_error fits vg_notify_set: cut at 255 bytes, never inside a UTF-8 sequence. */
    char msg[sizeof(((vg_notify_set *)0)->last_error)];
    size_t len = error ? strlen(error) : 0;
    if (len >= sizeof(msg)) {
        len = sizeof(msg) - 1;
        while (len > 0 && ((unsigned char)error[len] & 0xc0) == 0x80)
            len--;
    }
    if (len)
        memcpy(msg, error, len);
    msg[len] = '\0';
    return s->be->delivery_done(s, id, state, state == VG_DELIVERY_PENDING ? next_attempt : 0, msg);
}

int vg_store_notify_gc(size_t *deleted, vg_store *s, int64_t now, int64_t max_age_s, size_t batch)
{
    *deleted = 0;
    if (batch == 0)
        return vg_error_set(VG_EINVAL, "store: gc batch must be at least 1");
    if (max_age_s < 0)
        return vg_error_set(VG_EINVAL, "store: a negative notification age");
    /* now - max_age_s, saturating: everything older than the cutoff goes. */
    int64_t cutoff = now < INT64_MIN + max_age_s ? INT64_MIN : now - max_age_s;
    return s->be->notify_gc(deleted, s, cutoff, batch);
}

/* ---- scale-out, copy and the dashboard ----------------------------------------------- */

static int check_list_limit(size_t *limit, const char *what)
{
    if (*limit == 0)
        return vg_error_set(VG_EINVAL, "store: %s limit must be at least 1", what);
    if (*limit > VG_STORE_LIST_MAX)
        *limit = VG_STORE_LIST_MAX;
    return 0;
}

int vg_store_manifest_list(vg_store *s, const char *after, size_t limit,
                           vg_store_manifest_info_cb cb, void *ctx)
{
    int rc = check_list_limit(&limit, "manifest list");
    return rc ? rc : s->be->manifest_list(s, after ? after : "", limit, cb, ctx);
}

int vg_store_manifest_layers(vg_store *s, const char *hash, vg_store_manifest_cb cb, void *ctx)
{
    if (!hash || !*hash)
        return vg_error_set(VG_EINVAL, "store: empty manifest hash");
    return s->be->manifest_layers(s, hash, cb, ctx);
}

int vg_store_manifest_name(vg_store *s, const char *hash, const char *name)
{
    if (!hash || !*hash)
        return vg_error_set(VG_EINVAL, "store: empty manifest hash");
    int rc = check_name("repository name", name, VG_STORE_NAME_MAX, false);
    return rc ? rc : s->be->manifest_name(s, hash, name);
}

int vg_store_history_put(vg_store *s, int64_t generation, const char *summary)
{
    if (generation <= 0)
        return vg_error_set(VG_EINVAL, "store: history generation must be positive");
    if (!summary || !*summary)
        return vg_error_set(VG_EINVAL, "store: empty history summary");
    if (strlen(summary) > VG__HISTORY_MAX)
        return vg_error_set(VG_ETOOBIG, "store: history summary over %d bytes",
                            (int)VG__HISTORY_MAX);
    return s->be->history_put(s, generation, (int64_t)time(NULL), summary);
}

int vg_store_history_list(vg_store *s, size_t limit, vg_store_history_cb cb, void *ctx)
{
    int rc = check_list_limit(&limit, "history");
    return rc ? rc : s->be->history_list(s, limit, cb, ctx);
}

int vg_store_leader(bool *leader, vg_store *s, const char *role)
{
    *leader = false;
    if (!role || !*role || strlen(role) > 63)
        return vg_error_set(VG_EINVAL, "store: a leader role is 1-63 bytes");
    for (const char *p = role; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
              *p == '-'))
            return vg_error_set(VG_EINVAL, "store: leader role '%s' has a byte outside [a-z0-9_.-]",
                                role);
    return s->be->leader(leader, s, role);
}

static int check_claim(const char *digest, const char *scanners, const char *owner)
{
    if (!digest || !*digest || !scanners || !*scanners)
        return vg_error_set(VG_EINVAL, "store: a layer claim needs a digest and a scanner set");
    return check_name("claim owner", owner, VG__LEASE_OWNER_MAX, false);
}

int vg_store_layer_claim(bool *claimed, vg_store *s, const char *digest, const char *scanners,
                         const char *owner, int64_t now, int64_t lease_s)
{
    *claimed = false;
    int rc = check_claim(digest, scanners, owner);
    if (rc != 0)
        return rc;
    if (lease_s <= 0 || now < 0 || now > INT64_MAX - lease_s)
        return vg_error_set(VG_EINVAL, "store: bad layer claim lease (now %lld, %lld s)",
                            (long long)now, (long long)lease_s);
    return s->be->layer_claim(claimed, s, digest, scanners, owner, now, now + lease_s);
}

int vg_store_layer_unclaim(vg_store *s, const char *digest, const char *scanners, const char *owner)
{
    int rc = check_claim(digest, scanners, owner);
    return rc ? rc : s->be->layer_unclaim(s, digest, scanners, owner);
}
