/* notify.c — affected manifests for an update operation. The diff against the previous
 * operation of the same updater gives advisory ids added (new content, from `cur`) and removed
 * (old content, from `prev`); a changed advisory is in both. For each, the store's reverse
 * index names the candidate manifests (those holding a package under an affected namespace +
 * name) and vg_match_advisory confirms each against the manifest's stored IndexReport with the
 * real version rules. A (manifest, advisory) pair affected only under the new content is
 * "added", only under the old content "removed". The work grows with the candidates, not with
 * the number of manifests: advisories are taken in chunks and their candidates grouped by
 * manifest, so each candidate's IndexReport is parsed once per chunk. */
#include "notify.h"
#include "report/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void vg_notify_opts_default(vg_notify_opts *o)
{
    memset(o, 0, sizeof(*o));
    vg_match_opts_default(&o->match);
}

/* ---- reading a stored IndexReport ---------------------------------------------------- */

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

/* The parsed report of `hash`: NULL when missing, unreadable or a failed index (never
 * affected); *rc set on a store error. */
static vg_index_report *load_index(vg_store *s, const char *hash, int *rc)
{
    body_ctx b = {NULL};
    int e = vg_store_manifest_get(s, hash, read_body, &b);
    if (e != 0 && e != VG_ENOTFOUND) {
        *rc = e;
        return NULL;
    }
    if (b.r && b.r->state != VG_INDEX_FINISHED) {
        vg_index_report_free(b.r);
        b.r = NULL;
    }
    return b.r;
}

/* ---- copies of advisories (the store's are valid only during its callback) ------------- */

static const char *adup(vg_arena *a, const char *s)
{
    return s ? vg_arena_strndup(a, s, strlen(s)) : NULL;
}

static const char **adup_list(vg_arena *a, const char *const *v, size_t n)
{
    const char **out = vg_arena_alloc(a, (n ? n : 1) * sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = adup(a, v[i]);
    return out;
}

static void copy_advisory(vg_advisory *d, vg_arena *a, const vg_advisory *s)
{
    *d = *s;
    d->id = adup(a, s->id);
    d->source = adup(a, s->source);
    d->aliases = adup_list(a, s->aliases, s->n_aliases);
    d->summary = adup(a, s->summary);
    d->description = adup(a, s->description);
    d->links = adup_list(a, s->links, s->n_links);
    d->published = adup(a, s->published);
    d->modified = adup(a, s->modified);
    d->severity_label = adup(a, s->severity_label);
    d->cwes = adup_list(a, s->cwes, s->n_cwes);
    d->cvss = vg_arena_alloc(a, (s->n_cvss ? s->n_cvss : 1) * sizeof(*d->cvss));
    for (size_t i = 0; i < s->n_cvss; i++) {
        d->cvss[i] = s->cvss[i];
        d->cvss[i].version = adup(a, s->cvss[i].version);
        d->cvss[i].vector = adup(a, s->cvss[i].vector);
        d->cvss[i].source = adup(a, s->cvss[i].source);
    }
    d->affected = vg_arena_alloc(a, (s->n_affected ? s->n_affected : 1) * sizeof(*d->affected));
    for (size_t i = 0; i < s->n_affected; i++) {
        const vg_affected *x = &s->affected[i];
        vg_affected *y = &d->affected[i];
        *y = *x;
        y->ns = adup(a, x->ns);
        y->package = adup(a, x->package);
        y->scheme = adup(a, x->scheme);
        y->arch = adup(a, x->arch);
        y->module = adup(a, x->module);
        y->cpe = adup(a, x->cpe);
        y->versions = adup_list(a, x->versions, x->n_versions);
        y->events = vg_arena_alloc(a, (x->n_events ? x->n_events : 1) * sizeof(*y->events));
        for (size_t k = 0; k < x->n_events; k++) {
            y->events[k].kind = x->events[k].kind;
            y->events[k].version = adup(a, x->events[k].version);
        }
    }
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

/* Advisories are copied in chunks; their candidate (manifest, advisory) pairs are then
 * grouped by manifest, so that each candidate's IndexReport is read and parsed once per
 * chunk, whatever the number of advisories naming it. The working set (the chunk's
 * advisories and pending pairs) is capped; the affected pairs found are kept to the end, as
 * the net outcome per manifest needs them: that part grows with the result. */
#define VG_NOTIFY_CHUNK_ADVISORIES 2000
#define VG_NOTIFY_CHUNK_BYTES ((size_t)64 << 20)
#define VG_NOTIFY_MAX_PAIRS ((size_t)1 << 20)

typedef struct pair {
    char *manifest;
    size_t adv;
} pair;

typedef struct walk {
    vg_store *s;
    const vg_notify_opts *o;
    char **ids; /* sorted: the advisory ids to take from this op */
    size_t n_ids;
    int which;
    vg_arena *arena; /* the chunk's advisories */
    vg_advisory *advs;
    size_t n_advs, cap_advs;
    pair *pairs;
    size_t n_pairs, cap_pairs;
    rec *recs;
    size_t n, cap;
    size_t confirmed; /* (manifest, advisory) pairs checked */
    size_t cur_adv;   /* the advisory whose candidates are being collected */
    int rc;
} walk;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int pair_cmp(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    int c = strcmp(a->manifest, b->manifest);
    return c ? c : (a->adv < b->adv ? -1 : a->adv > b->adv);
}

static int on_candidate(void *arg, const char *hash)
{
    walk *w = arg;
    if (w->n_pairs == w->cap_pairs) {
        w->cap_pairs = w->cap_pairs ? w->cap_pairs * 2 : 256;
        w->pairs = vg_xrealloc(w->pairs, w->cap_pairs * sizeof(*w->pairs));
    }
    w->pairs[w->n_pairs++] = (pair){vg_xstrdup(hash), w->cur_adv};
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

/* Confirms the collected pairs manifest by manifest, then empties the list. */
static int process_pairs(walk *w)
{
    if (w->n_pairs > 1)
        qsort(w->pairs, w->n_pairs, sizeof(*w->pairs), pair_cmp);
    int rc = 0;
    for (size_t i = 0; i < w->n_pairs && rc == 0;) {
        size_t j = i + 1;
        while (j < w->n_pairs && strcmp(w->pairs[j].manifest, w->pairs[i].manifest) == 0)
            j++;
        vg_index_report *ix = load_index(w->s, w->pairs[i].manifest, &rc);
        for (size_t k = i; ix && k < j; k++) {
            if (k > i && w->pairs[k].adv == w->pairs[k - 1].adv)
                continue; /* the advisory named two keys this manifest has */
            w->confirmed++;
            vg_vuln_report *vr = NULL;
            vg_match_advisory(&vr, ix, &w->advs[w->pairs[k].adv], &w->o->match);
            if (vr->n_findings > 0) {
                const vg_finding *best = &vr->findings[0];
                for (size_t q = 1; q < vr->n_findings; q++)
                    if (vr->findings[q].severity > best->severity)
                        best = &vr->findings[q];
                if (w->n == w->cap) {
                    w->cap = w->cap ? w->cap * 2 : 64;
                    w->recs = vg_xrealloc(w->recs, w->cap * sizeof(*w->recs));
                }
                w->recs[w->n++] =
                    (rec){vg_xstrdup(w->pairs[k].manifest), vg_xstrdup(w->advs[w->pairs[k].adv].id),
                          w->which, best->severity, summary_json(vr, best)};
            }
            vg_vuln_report_free(vr);
        }
        vg_index_report_free(ix);
        i = j;
    }
    for (size_t i = 0; i < w->n_pairs; i++)
        free(w->pairs[i].manifest);
    w->n_pairs = 0;
    return rc;
}

/* Collects the candidates of every advisory of the chunk and confirms them. */
static int flush_chunk(walk *w)
{
    int rc = 0;
    for (size_t i = 0; i < w->n_advs && rc == 0; i++) {
        const vg_advisory *a = &w->advs[i];
        w->cur_adv = i;
        for (size_t k = 0; k < a->n_affected && rc == 0; k++) {
            const vg_affected *af = &a->affected[k];
            bool seen = false;
            for (size_t q = 0; q < k && !seen; q++)
                seen = strcmp(a->affected[q].ns, af->ns) == 0 &&
                       strcmp(a->affected[q].package, af->package) == 0 &&
                       a->affected[q].source_pkg == af->source_pkg;
            if (!seen)
                rc = vg_store_manifests_with(w->s, af->ns, af->package, af->source_pkg,
                                             on_candidate, w);
        }
        if (rc == 0 && w->n_pairs >= VG_NOTIFY_MAX_PAIRS)
            rc = process_pairs(w);
    }
    if (rc == 0)
        rc = process_pairs(w);
    vg_arena_reset(w->arena);
    w->n_advs = 0;
    return rc;
}

static int on_advisory(void *arg, const vg_advisory *a)
{
    walk *w = arg;
    const char *key = a->id;
    if (!bsearch(&key, w->ids, w->n_ids, sizeof(*w->ids), cmp_str))
        return 0;
    if (w->n_advs == w->cap_advs) {
        w->cap_advs = w->cap_advs ? w->cap_advs * 2 : 64;
        w->advs = vg_xrealloc(w->advs, w->cap_advs * sizeof(*w->advs));
    }
    copy_advisory(&w->advs[w->n_advs++], w->arena, a);
    if (w->n_advs >= VG_NOTIFY_CHUNK_ADVISORIES || vg_arena_used(w->arena) >= VG_NOTIFY_CHUNK_BYTES)
        w->rc = flush_chunk(w);
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
    if (d.n_added > 1)
        qsort(d.added, d.n_added, sizeof(*d.added), cmp_str);
    if (d.n_removed > 1)
        qsort(d.removed, d.n_removed, sizeof(*d.removed), cmp_str);
    walk w = {.s = s, .o = o, .arena = vg_arena_new(1 << 20)};
    if (d.n_added) {
        w.ids = d.added;
        w.n_ids = d.n_added;
        w.which = NEW;
        rc = vg_store_op_advisories(s, cur->id, on_advisory, &w);
        if (rc == 0)
            rc = w.rc ? w.rc : flush_chunk(&w);
    }
    if (rc == 0 && d.n_removed) {
        w.ids = d.removed;
        w.n_ids = d.n_removed;
        w.which = OLD;
        rc = vg_store_op_advisories(s, out->prev.id, on_advisory, &w);
        if (rc == 0)
            rc = w.rc ? w.rc : flush_chunk(&w);
    }
    out->candidates = w.confirmed;
    for (size_t i = 0; i < w.n_pairs; i++)
        free(w.pairs[i].manifest);
    free(w.pairs);
    free(w.advs);
    vg_arena_free(w.arena);
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
