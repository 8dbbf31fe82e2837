/* notify.c — affected manifests for an update operation. The diff against the previous
 * operation of the same updater gives advisory ids added (new content, from `cur`) and removed
 * (old content, from `prev`); a changed advisory is in both. For each, the store's reverse
 * index names the candidate manifests (those holding a package under an affected namespace +
 * name) and vg_match_advisory confirms each against the manifest's stored IndexReport with the
 * real version rules. A (manifest, advisory) pair affected only under the new content is
 * "added", only under the old content "removed". The work grows with the candidates, not with
 * the number of manifests; parsed IndexReports are kept in a small LRU. */
#include "notify.h"
#include "report/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void vg_notify_opts_default(vg_notify_opts *o)
{
    memset(o, 0, sizeof(*o));
    vg_match_opts_default(&o->match);
    o->index_cache_entries = 256;
    o->index_cache_bytes = (uint64_t)256 << 20;
}

/* ---- parsed IndexReports, LRU -------------------------------------------------------------- */

typedef struct cached_index {
    char *hash;
    vg_index_report *r; /* NULL: unreadable or not finished (never affected) */
    size_t bytes;
    uint64_t used;
} cached_index;

typedef struct index_cache {
    cached_index *e;
    size_t n;
    size_t bytes;
    uint64_t clock;
    const vg_notify_opts *o;
    vg_store *s;
} index_cache;

static void cache_drop(index_cache *c, size_t i)
{
    c->bytes -= c->e[i].bytes;
    free(c->e[i].hash);
    vg_index_report_free(c->e[i].r);
    c->e[i] = c->e[--c->n];
}

typedef struct body_ctx {
    vg_index_report *r;
} body_ctx;

static int read_body(void *arg, const char *body, size_t len)
{
    body_ctx *b = arg;
    if (vg_report_index_read(&b->r, body, len) != 0)
        b->r = NULL; /* a report that does not parse cannot be confirmed: skipped */
    return 0;
}

/* The parsed report of `hash` (NULL when missing, unreadable or failed). */
static const vg_index_report *cache_get(index_cache *c, const char *hash, int *rc)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->e[i].hash, hash) == 0) {
            c->e[i].used = ++c->clock;
            return c->e[i].r;
        }
    }
    body_ctx b = {NULL};
    int e = vg_store_manifest_get(c->s, hash, read_body, &b);
    if (e != 0 && e != VG_ENOTFOUND) {
        *rc = e;
        return NULL;
    }
    if (b.r && b.r->state != VG_INDEX_FINISHED) {
        vg_index_report_free(b.r);
        b.r = NULL;
    }
    size_t bytes = b.r ? vg_arena_used(b.r->arena) + 256 : 256;
    while (c->n > 0 &&
           (c->n >= c->o->index_cache_entries || c->bytes + bytes > c->o->index_cache_bytes)) {
        size_t lru = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->e[i].used < c->e[lru].used)
                lru = i;
        cache_drop(c, lru);
    }
    c->e = vg_xrealloc(c->e, (c->n + 1) * sizeof(*c->e));
    c->e[c->n] = (cached_index){vg_xstrdup(hash), b.r, bytes, ++c->clock};
    c->bytes += bytes;
    return c->e[c->n++].r;
}

/* ---- records ----------------------------------------------------------------------------- */

enum { NEW = 1, OLD = 2 };

typedef struct rec {
    char *manifest;
    char *adv;
    int which;
    vg_severity sev;
    char *summary;
} rec;

typedef struct walk {
    vg_store *s;
    const vg_notify_opts *o;
    index_cache *cache;
    char **ids; /* sorted: the advisory ids to take from this op */
    size_t n_ids;
    int which;
    rec *recs;
    size_t n, cap;
    char **cands; /* candidates of the current advisory */
    size_t n_cands, cap_cands;
    size_t pairs;
    int rc;
} walk;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int on_candidate(void *arg, const char *hash)
{
    walk *w = arg;
    if (w->n_cands == w->cap_cands) {
        w->cap_cands = w->cap_cands ? w->cap_cands * 2 : 64;
        w->cands = vg_xrealloc(w->cands, w->cap_cands * sizeof(*w->cands));
    }
    w->cands[w->n_cands++] = vg_xstrdup(hash);
    return 0;
}

static char *summary_json(const vg_vuln_report *vr, const vg_finding *f)
{
    const vg_index_pkg *ip = &vr->index->pkgs[f->pkg_index];
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(f->id));
    json_object_set_new(o, "updater", json_string(f->source ? f->source : ""));
    const char *desc = f->description && *f->description ? f->description : f->summary;
    json_object_set_new(o, "description", json_string(desc ? desc : ""));
    vg_strbuf links;
    vg_strbuf_init(&links, 65536);
    for (size_t i = 0; i < f->n_links; i++) {
        if (links.len)
            vg_strbuf_putc(&links, ' ');
        vg_strbuf_puts(&links, f->links[i]);
    }
    json_object_set_new(o, "links", json_string(links.buf));
    vg_strbuf_dispose(&links);
    json_object_set_new(o, "normalized_severity", json_string(vg_severity_name(f->severity)));
    json_object_set_new(o, "severity",
                        json_string(f->severity_label && *f->severity_label
                                        ? f->severity_label
                                        : vg_severity_name(f->severity)));
    json_object_set_new(o, "fixed_in_version",
                        json_string(f->fixed_version ? f->fixed_version : ""));
    json_t *pkg = json_object();
    json_object_set_new(pkg, "name", json_string(ip->pkg.name ? ip->pkg.name : ""));
    json_object_set_new(pkg, "version", json_string(ip->pkg.version ? ip->pkg.version : ""));
    json_object_set_new(o, "package", pkg);
    json_t *dist = json_object();
    json_object_set_new(dist, "name", json_string(f->ns ? f->ns : ""));
    json_object_set_new(o, "distribution", dist);
    char *txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return txt;
}

static int on_advisory(void *arg, const vg_advisory *a)
{
    walk *w = arg;
    const char *key = a->id;
    if (!bsearch(&key, w->ids, w->n_ids, sizeof(*w->ids), cmp_str))
        return 0;
    /* Candidates under every distinct (ns, package, source) the advisory names. */
    w->n_cands = 0;
    for (size_t i = 0; i < a->n_affected; i++) {
        const vg_affected *af = &a->affected[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(a->affected[k].ns, af->ns) == 0 &&
                   strcmp(a->affected[k].package, af->package) == 0 &&
                   a->affected[k].source_pkg == af->source_pkg;
        if (seen)
            continue;
        int rc =
            vg_store_manifests_with(w->s, af->ns, af->package, af->source_pkg, on_candidate, w);
        if (rc != 0) {
            w->rc = rc;
            return rc;
        }
    }
    if (w->n_cands > 1)
        qsort(w->cands, w->n_cands, sizeof(*w->cands), cmp_str);
    for (size_t i = 0; i < w->n_cands; i++) {
        if (i > 0 && strcmp(w->cands[i], w->cands[i - 1]) == 0)
            continue;
        int rc = 0;
        const vg_index_report *ix = cache_get(w->cache, w->cands[i], &rc);
        if (rc != 0) {
            w->rc = rc;
            break;
        }
        if (!ix)
            continue;
        w->pairs++;
        vg_vuln_report *vr = NULL;
        vg_match_advisory(&vr, ix, a, &w->o->match);
        if (vr->n_findings > 0) {
            const vg_finding *best = &vr->findings[0];
            for (size_t k = 1; k < vr->n_findings; k++)
                if (vr->findings[k].severity > best->severity)
                    best = &vr->findings[k];
            if (w->n == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 64;
                w->recs = vg_xrealloc(w->recs, w->cap * sizeof(*w->recs));
            }
            w->recs[w->n++] = (rec){vg_xstrdup(w->cands[i]), vg_xstrdup(a->id), w->which,
                                    best->severity, summary_json(vr, best)};
        }
        vg_vuln_report_free(vr);
    }
    for (size_t i = 0; i < w->n_cands; i++)
        free(w->cands[i]);
    w->n_cands = 0;
    return w->rc;
}

static int rec_cmp(const void *x, const void *y)
{
    const rec *a = x, *b = y;
    int c = strcmp(a->manifest, b->manifest);
    if (c == 0)
        c = strcmp(a->adv, b->adv);
    if (c == 0)
        c = a->which - b->which;
    return c;
}

/* The operation of the same updater just before `cur`, or 0 in prev->id. */
static int previous_op(vg_update_op *prev, vg_store *s, const vg_update_op *cur)
{
    vg_update_op *ops = NULL;
    size_t n = 0;
    memset(prev, 0, sizeof(*prev));
    int rc = vg_store_list_ops(&ops, &n, s, cur->updater);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++) { /* newest first */
        if (ops[i].id < cur->id) {
            *prev = ops[i];
            break;
        }
    }
    free(ops);
    return 0;
}

typedef struct outcome {
    size_t first, count; /* run of recs for one manifest */
} outcome;

int vg_notify_compute(vg_notify_result *out, vg_store *s, const vg_update_op *cur,
                      const vg_notify_opts *o)
{
    memset(out, 0, sizeof(*out));
    out->cur = *cur;
    int rc = previous_op(&out->prev, s, cur);
    if (rc != 0)
        return rc;
    if (out->prev.id == 0) {
        out->first_run = true;
        return 0;
    }
    vg_store_diff d;
    if ((rc = vg_store_diff_ops(&d, s, out->prev.id, cur->id)) != 0) {
        vg_store_diff_dispose(&d);
        return rc;
    }
    out->advisories_added = d.n_added;
    out->advisories_removed = d.n_removed;
    qsort(d.added, d.n_added, sizeof(*d.added), cmp_str);
    qsort(d.removed, d.n_removed, sizeof(*d.removed), cmp_str);
    index_cache cache = {.o = o, .s = s};
    walk w = {.s = s, .o = o, .cache = &cache};
    if (d.n_added) {
        w.ids = d.added;
        w.n_ids = d.n_added;
        w.which = NEW;
        rc = vg_store_op_advisories(s, cur->id, on_advisory, &w);
    }
    if (rc == 0 && d.n_removed) {
        w.ids = d.removed;
        w.n_ids = d.n_removed;
        w.which = OLD;
        rc = vg_store_op_advisories(s, out->prev.id, on_advisory, &w);
    }
    if (rc == 0)
        rc = w.rc;
    out->candidates = w.pairs;
    while (cache.n)
        cache_drop(&cache, cache.n - 1);
    free(cache.e);
    free(w.cands);
    vg_store_diff_dispose(&d);
    if (rc == 0 && w.n) {
        qsort(w.recs, w.n, sizeof(*w.recs), rec_cmp);
        /* Net outcome per (manifest, advisory): NEW only -> added, OLD only -> removed. */
        rec *kept = vg_xcalloc(w.n, sizeof(*kept));
        size_t keep = 0;
        for (size_t i = 0; i < w.n;) {
            size_t j = i + 1;
            int flags = w.recs[i].which;
            while (j < w.n && strcmp(w.recs[j].manifest, w.recs[i].manifest) == 0 &&
                   strcmp(w.recs[j].adv, w.recs[i].adv) == 0)
                flags |= w.recs[j++].which;
            size_t from = i;
            if (flags == NEW || flags == OLD)
                kept[keep++] = w.recs[from++];
            for (size_t k = from; k < j; k++) {
                free(w.recs[k].manifest);
                free(w.recs[k].adv);
                free(w.recs[k].summary);
            }
            i = j;
        }
        free(w.recs);
        w.recs = kept;
        w.n = keep;
        /* Items: per manifest and reason, every vulnerability (full) or the most severe. */
        out->items = vg_xcalloc(keep ? keep : 1, sizeof(*out->items));
        const char *last_added = NULL, *last_removed = NULL;
        for (size_t i = 0; i < keep;) {
            size_t j = i + 1;
            while (j < keep && strcmp(w.recs[j].manifest, w.recs[i].manifest) == 0)
                j++;
            for (int which = NEW; which <= OLD; which++) {
                size_t best = SIZE_MAX;
                for (size_t k = i; k < j; k++) {
                    if (w.recs[k].which != which)
                        continue;
                    if (o->full) {
                        vg_notification *n = &out->items[out->n++];
                        n->manifest = vg_xstrdup(w.recs[k].manifest);
                        n->reason = which == NEW ? VG_NOTIFY_ADDED : VG_NOTIFY_REMOVED;
                        n->summary = vg_xstrdup(w.recs[k].summary);
                    } else if (best == SIZE_MAX || w.recs[k].sev > w.recs[best].sev) {
                        best = k;
                    }
                    const char **last = which == NEW ? &last_added : &last_removed;
                    if (!*last || strcmp(*last, w.recs[k].manifest) != 0) {
                        *last = w.recs[k].manifest;
                        if (which == NEW)
                            out->manifests_added++;
                        else
                            out->manifests_removed++;
                    }
                }
                if (!o->full && best != SIZE_MAX) {
                    vg_notification *n = &out->items[out->n++];
                    n->manifest = vg_xstrdup(w.recs[best].manifest);
                    n->reason = which == NEW ? VG_NOTIFY_ADDED : VG_NOTIFY_REMOVED;
                    n->summary = vg_xstrdup(w.recs[best].summary);
                }
            }
            i = j;
        }
    }
    {
        for (size_t k = 0; k < w.n; k++) {
            free(w.recs[k].manifest);
            free(w.recs[k].adv);
            free(w.recs[k].summary);
        }
    }
    free(w.recs);
    if (rc != 0)
        vg_notify_result_dispose(out);
    return rc;
}

void vg_notify_result_dispose(vg_notify_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free((char *)r->items[i].manifest);
        free((char *)r->items[i].summary);
    }
    free(r->items);
    r->items = NULL;
    r->n = 0;
}

void vg_notify_json(vg_strbuf *out, const char *set_id, uint64_t seq, const vg_notification *n)
{
    json_t *o = json_object();
    char id[80];
    snprintf(id, sizeof(id), "%s-%llu", set_id, (unsigned long long)seq);
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "manifest", json_string(n->manifest));
    json_object_set_new(o, "reason",
                        json_string(n->reason == VG_NOTIFY_ADDED ? "added" : "removed"));
    json_t *v = json_loads(n->summary ? n->summary : "{}", 0, NULL);
    json_object_set_new(o, "vulnerability", v ? v : json_object());
    char *txt = json_dumps(o, JSON_COMPACT);
    vg_strbuf_puts(out, txt);
    free(txt);
    json_decref(o);
}
