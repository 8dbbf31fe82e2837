/* copy.c — vg_store_copy: moves everything one store holds into another through the backend
 * table only, so any backend copies to any other (`vigil db copy --from sqlite:PATH --to
 * postgres://...`). Advisories are decoded and re-encoded on the way (the destination hashes
 * them itself); advisories, layers and manifests are read in pages. Memory follows the largest
 * notification set and the number of sets and operations (their headers are listed whole). */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

/* Rows per page of every walk. */
#define COPY_PAGE 500

/* ---- update operations ----------------------------------------------------------------- */

typedef struct put_ctx {
    vg_store_tx *tx;
    vg_arena *arena;
} put_ctx;

static int put_body(void *p, const char *body, size_t len)
{
    put_ctx *c = p;
    vg_arena_reset(c->arena);
    vg_advisory a;
    if (vg__advisory_decode(&a, c->arena, body, len, "copy: stored advisory") != 0)
        return vg_error_code();
    return vg_store_update_put(c->tx, &a);
}

static const vg_update_op *by_ref(const vg_update_op *ops, size_t n, const char *ref)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ops[i].ref, ref) == 0)
            return &ops[i];
    return NULL;
}

/* Whether `dst` held, before the copy, an operation of `op`'s updater as new as `op` or newer:
 * then copying `op` would make older data the updater's newest (ids, not dates, say which op
 * is newest), so it is skipped, as an import skips an older bundle. */
static bool dst_newer(const vg_update_op *had, size_t n_had, const vg_update_op *op)
{
    for (size_t i = 0; i < n_had; i++)
        if (strcmp(had[i].updater, op->updater) == 0 && had[i].date >= op->date)
            return true;
    return false;
}

/* Copies the operations oldest first (so the destination's ids keep their order) and leaves
 * in `*src_ops` / `*dst_ops` both lists afterwards, for mapping history generations. */
static int copy_ops(vg_store_copy_stats *st, vg_store *dst, vg_store *src, vg_update_op **src_ops,
                    size_t *n_src, vg_update_op **dst_ops, size_t *n_dst)
{
    vg_update_op *ops = NULL, *had = NULL;
    size_t n = 0, n_had = 0;
    int rc = src->be->list_ops(&ops, &n, src, NULL);
    if (rc == 0)
        rc = dst->be->list_ops(&had, &n_had, dst, NULL);
    vg_arena *arena = vg_arena_new(16384);
    for (size_t i = n; rc == 0 && i-- > 0;) {
        const vg_update_op *op = &ops[i];
        if (by_ref(had, n_had, op->ref) || dst_newer(had, n_had, op)) {
            st->ops_skipped++;
            continue;
        }
        vg__op_spec spec = {op->updater, op->fingerprint, op->ref, op->date, false};
        vg__begin_status status;
        vg_store_tx *tx = NULL;
        if ((rc = vg__store_begin(&tx, &status, NULL, dst, &spec)) != 0)
            break;
        put_ctx c = {tx, arena};
        if ((rc = src->be->op_bodies(src, op->id, put_body, &c)) != 0) {
            vg_store_update_abort(tx);
            break;
        }
        if ((rc = vg_store_update_commit(tx, NULL)) == 0)
            st->ops++;
    }
    vg_arena_free(arena);
    free(had);
    *src_ops = ops;
    *n_src = n;
    *dst_ops = NULL;
    *n_dst = 0;
    if (rc == 0)
        rc = dst->be->list_ops(dst_ops, n_dst, dst, NULL);
    return rc;
}

/* ---- layer results --------------------------------------------------------------------- */

typedef struct layer_ctx {
    vg_store *dst;
    char *last_digest, *last_scanners;
    size_t n;
} layer_ctx;

static int put_layer(void *p, const char *digest, const char *scanners, const char *body,
                     size_t len)
{
    layer_ctx *c = p;
    int rc = c->dst->be->layer_put(c->dst, digest, scanners, body, len);
    if (rc == 0) {
        free(c->last_digest);
        free(c->last_scanners);
        c->last_digest = vg_xstrdup(digest);
        c->last_scanners = vg_xstrdup(scanners);
        c->n++;
    }
    return rc;
}

static int copy_layers(vg_store_copy_stats *st, vg_store *dst, vg_store *src)
{
    layer_ctx c = {dst, vg_xstrdup(""), vg_xstrdup(""), 0};
    int rc = 0;
    for (;;) {
        size_t before = c.n;
        /* The cursor strings are replaced by the callback: pass copies. */
        char *d = vg_xstrdup(c.last_digest), *sc = vg_xstrdup(c.last_scanners);
        rc = src->be->layer_list(src, d, sc, COPY_PAGE, put_layer, &c);
        free(d);
        free(sc);
        if (rc != 0 || c.n - before < COPY_PAGE)
            break;
    }
    st->layers += c.n;
    free(c.last_digest);
    free(c.last_scanners);
    return rc;
}

/* ---- manifests ------------------------------------------------------------------------- */

typedef struct page {
    char **hashes, **names;
    size_t n;
} page;

static int collect_manifest(void *p, const vg_store_manifest_info *m)
{
    page *pg = p;
    pg->hashes[pg->n] = vg_xstrdup(m->hash);
    pg->names[pg->n] = vg_xstrdup(m->names);
    pg->n++;
    return 0;
}

typedef struct strs {
    char **v;
    size_t n, cap;
} strs;

static void strs_add(strs *s, const char *v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = vg_xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = vg_xstrdup(v);
}

static void strs_dispose(strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static int add_layer(void *p, const char *layer)
{
    strs_add(p, layer);
    return 0;
}

/* Keys are kept as three parallel string lists; source_pkg as "1"/"0". */
typedef struct keys {
    strs ns, pkg, src;
} keys;

static int add_key(void *p, const vg_store_pkg_key *k)
{
    keys *ks = p;
    strs_add(&ks->ns, k->ns);
    strs_add(&ks->pkg, k->package);
    strs_add(&ks->src, k->source_pkg ? "1" : "0");
    return 0;
}

static int take_body(void *p, const char *body, size_t len)
{
    vg_strbuf *sb = p;
    return vg_strbuf_append(sb, body, len) == 0
               ? 0
               : vg_error_set(VG_ETOOBIG, "copy: an index report is too large");
}

static int copy_manifest(vg_store *dst, vg_store *src, const char *hash, const char *names)
{
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    strs layers = {0};
    keys ks = {{0}, {0}, {0}};
    int rc = src->be->manifest_get(src, hash, take_body, &body);
    if (rc == VG_ENOTFOUND) { /* deleted since the page was read */
        vg_strbuf_dispose(&body);
        return 0;
    }
    if (rc == 0)
        rc = src->be->manifest_layers(src, hash, add_layer, &layers);
    if (rc == 0)
        rc = src->be->manifest_keys(src, hash, add_key, &ks);
    if (rc == 0) {
        vg_store_pkg_key *k = vg_xcalloc(ks.ns.n + 1, sizeof(*k));
        for (size_t i = 0; i < ks.ns.n; i++)
            k[i] = (vg_store_pkg_key){ks.ns.v[i], ks.pkg.v[i], ks.src.v[i][0] == '1'};
        rc = dst->be->manifest_put(dst, hash, body.buf ? body.buf : "", body.len,
                                   (const char *const *)layers.v, layers.n, k, ks.ns.n);
        free(k);
    }
    for (const char *p = names; rc == 0 && p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *name = vg_xstrndup(p, n);
        rc = dst->be->manifest_name(dst, hash, name);
        free(name);
        p = nl ? nl + 1 : NULL;
    }
    vg_strbuf_dispose(&body);
    strs_dispose(&layers);
    strs_dispose(&ks.ns);
    strs_dispose(&ks.pkg);
    strs_dispose(&ks.src);
    return rc;
}

static int copy_manifests(vg_store_copy_stats *st, vg_store *dst, vg_store *src)
{
    char *after = vg_xstrdup("");
    page pg = {vg_xcalloc(COPY_PAGE, sizeof(char *)), vg_xcalloc(COPY_PAGE, sizeof(char *)), 0};
    int rc = 0;
    for (;;) {
        /* A page is read whole before anything is written, so the walk never holds a source
         * connection while the destination (which may be the same kind) is busy. */
        pg.n = 0;
        rc = src->be->manifest_list(src, after, COPY_PAGE, collect_manifest, &pg);
        for (size_t i = 0; rc == 0 && i < pg.n; i++)
            if ((rc = copy_manifest(dst, src, pg.hashes[i], pg.names[i])) == 0)
                st->manifests++;
        if (pg.n > 0) {
            free(after);
            after = vg_xstrdup(pg.hashes[pg.n - 1]);
        }
        size_t got = pg.n;
        for (size_t i = 0; i < pg.n; i++) {
            free(pg.hashes[i]);
            free(pg.names[i]);
        }
        if (rc != 0 || got < COPY_PAGE)
            break;
    }
    free(pg.hashes);
    free(pg.names);
    free(after);
    return rc;
}

/* ---- notification sets ----------------------------------------------------------------- */

typedef struct items {
    vg_notification *v;
    size_t n, cap;
} items;

static int add_item(void *p, uint64_t seq, const vg_notification *it)
{
    (void)seq;
    items *is = p;
    if (is->n == is->cap) {
        is->cap = is->cap ? is->cap * 2 : 64;
        is->v = vg_xrealloc(is->v, is->cap * sizeof(*is->v));
    }
    is->v[is->n++] =
        (vg_notification){vg_xstrdup(it->manifest), it->reason, vg_xstrdup(it->summary)};
    return 0;
}

static void items_dispose(items *is)
{
    for (size_t i = 0; i < is->n; i++) {
        free((char *)is->v[i].manifest);
        free((char *)is->v[i].summary);
    }
    free(is->v);
    memset(is, 0, sizeof(*is));
}

static int copy_set(vg_store *dst, vg_store *src, const vg_notify_set *set)
{
    items is = {0};
    uint64_t after = 0, next = 0;
    int rc;
    do {
        next = 0;
        rc = src->be->notify_page(src, set->id, after, VG_STORE_NOTIFY_PAGE_MAX, add_item, &is,
                                  &next);
        after = next;
    } while (rc == 0 && next != 0);
    if (rc == 0 && is.n > 0)
        rc = dst->be->notify_put(dst, set, is.v, is.n);
    if (rc == 0 && set->acked)
        rc = dst->be->notify_ack(dst, set->id);
    items_dispose(&is);
    return rc;
}

/* The most sets one copy moves (sets are garbage-collected after notifier.keep). */
#define COPY_SETS_MAX 1000000

static int copy_sets(vg_store_copy_stats *st, vg_store *dst, vg_store *src)
{
    vg_notify_set *sets = NULL;
    size_t n = 0;
    int rc = src->be->notify_list(&sets, &n, src, COPY_SETS_MAX);
    for (size_t i = n; rc == 0 && i-- > 0;) { /* oldest first */
        vg_notify_set have;
        if (dst->be->notify_get(&have, dst, sets[i].id) == 0)
            continue;
        vg_error_clear();
        if ((rc = copy_set(dst, src, &sets[i])) == 0)
            st->notify_sets++;
    }
    free(sets);
    return rc;
}

/* ---- history --------------------------------------------------------------------------- */

/* A history point is keyed by the data generation it was taken at: the highest committed op id
 * then. Ids are the destination's own, so each point moves to the destination id of the
 * source's newest op at or below its generation (found by ref); a point with none is dropped. */
typedef struct hist_ctx {
    vg_store *dst;
    const vg_update_op *src_ops, *dst_ops;
    size_t n_src, n_dst, n, dropped;
} hist_ctx;

static int put_point(void *p, int64_t generation, int64_t date, const char *summary)
{
    hist_ctx *h = p;
    const vg_update_op *best = NULL;
    for (size_t i = 0; i < h->n_src; i++)
        if (h->src_ops[i].id <= generation && (!best || h->src_ops[i].id > best->id))
            best = &h->src_ops[i];
    const vg_update_op *to = best ? by_ref(h->dst_ops, h->n_dst, best->ref) : NULL;
    if (!to) {
        h->dropped++;
        return 0;
    }
    h->n++;
    return h->dst->be->history_put(h->dst, to->id, date, summary);
}

int vg_store_copy(vg_store_copy_stats *stats, vg_store *dst, vg_store *src)
{
    vg_store_copy_stats st;
    memset(&st, 0, sizeof(st));
    if (dst == src)
        return vg_error_set(VG_EINVAL, "copy: source and destination are the same store");
    vg_update_op *src_ops = NULL, *dst_ops = NULL;
    size_t n_src = 0, n_dst = 0;
    int rc = copy_ops(&st, dst, src, &src_ops, &n_src, &dst_ops, &n_dst);
    if (rc == 0)
        rc = copy_layers(&st, dst, src);
    if (rc == 0)
        rc = copy_manifests(&st, dst, src);
    if (rc == 0)
        rc = copy_sets(&st, dst, src);
    if (rc == 0) {
        hist_ctx h = {dst, src_ops, dst_ops, n_src, n_dst, 0, 0};
        rc = src->be->history_list(src, VG_STORE_LIST_MAX, put_point, &h);
        st.history = h.n;
        st.history_dropped = h.dropped;
    }
    free(src_ops);
    free(dst_ops);
    if (stats)
        *stats = st;
    return rc;
}
