/* merge.c — deep copies of advisories and the merger of src/feed/: the framework collects a
 * run's advisories here when its updater repeats an id across documents, and puts them into
 * the store as one advisory per id (see vg__merger in feed_int.h). */
#include "feed_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct item {
    vg_advisory *a;
    size_t seq; /* insertion order: ties keep it, so a run's output is deterministic */
} item;

struct vg__merger {
    vg_arena *arena;
    item *items;
    size_t n, cap;
};

static const char *dup_str(vg_arena *a, const char *s)
{
    return s ? vg_arena_strndup(a, s, strlen(s)) : NULL;
}

static const char **dup_strs(vg_arena *a, const char *const *v, size_t n)
{
    if (!n)
        return NULL;
    const char **out = vg_arena_alloc(a, n * sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = dup_str(a, v[i]);
    return out;
}

static void copy_affected(vg_arena *a, vg_affected *dst, const vg_affected *src)
{
    *dst = *src;
    dst->ns = dup_str(a, src->ns);
    dst->package = dup_str(a, src->package);
    dst->scheme = dup_str(a, src->scheme);
    dst->arch = dup_str(a, src->arch);
    dst->module = dup_str(a, src->module);
    dst->cpe = dup_str(a, src->cpe);
    dst->events = NULL;
    if (src->n_events) {
        dst->events = vg_arena_alloc(a, src->n_events * sizeof(vg_event));
        for (size_t i = 0; i < src->n_events; i++) {
            dst->events[i].kind = src->events[i].kind;
            dst->events[i].version = dup_str(a, src->events[i].version);
        }
    }
    dst->versions = dup_strs(a, src->versions, src->n_versions);
}

static void copy_cvss(vg_arena *a, vg_cvss *dst, const vg_cvss *src)
{
    *dst = *src;
    dst->version = dup_str(a, src->version);
    dst->vector = dup_str(a, src->vector);
    dst->source = dup_str(a, src->source);
}

vg_advisory *vg__advisory_copy(vg_arena *a, const vg_advisory *src)
{
    vg_advisory *d = vg_arena_alloc(a, sizeof(*d));
    *d = *src;
    d->id = dup_str(a, src->id);
    d->source = dup_str(a, src->source);
    d->aliases = dup_strs(a, src->aliases, src->n_aliases);
    d->summary = dup_str(a, src->summary);
    d->description = dup_str(a, src->description);
    d->links = dup_strs(a, src->links, src->n_links);
    d->published = dup_str(a, src->published);
    d->modified = dup_str(a, src->modified);
    d->severity_label = dup_str(a, src->severity_label);
    d->cwes = dup_strs(a, src->cwes, src->n_cwes);
    d->cvss = NULL;
    if (src->n_cvss) {
        d->cvss = vg_arena_alloc(a, src->n_cvss * sizeof(vg_cvss));
        for (size_t i = 0; i < src->n_cvss; i++)
            copy_cvss(a, &d->cvss[i], &src->cvss[i]);
    }
    d->affected = NULL;
    if (src->n_affected) {
        d->affected = vg_arena_alloc(a, src->n_affected * sizeof(vg_affected));
        for (size_t i = 0; i < src->n_affected; i++)
            copy_affected(a, &d->affected[i], &src->affected[i]);
    }
    return d;
}

vg__merger *vg__merger_new(void)
{
    vg__merger *m = vg_xcalloc(1, sizeof(*m));
    m->arena = vg_arena_new(1 << 20);
    return m;
}

void vg__merger_free(vg__merger *m)
{
    if (!m)
        return;
    vg_arena_free(m->arena);
    free(m->items);
    free(m);
}

void vg__merger_add(vg__merger *m, const vg_advisory *a)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->items = vg_xrealloc(m->items, m->cap * sizeof(item));
    }
    m->items[m->n].a = vg__advisory_copy(m->arena, a);
    m->items[m->n].seq = m->n;
    m->n++;
}

/* By id, then insertion order. */
static int cmp_item(const void *x, const void *y)
{
    const item *a = x, *b = y;
    int c = strcmp(a->a->id, b->a->id);
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool affected_eq(const vg_affected *a, const vg_affected *b)
{
    if (!str_eq(a->ns, b->ns) || !str_eq(a->package, b->package) ||
        a->source_pkg != b->source_pkg || !str_eq(a->scheme, b->scheme) || a->status != b->status ||
        !str_eq(a->arch, b->arch) || !str_eq(a->module, b->module) || !str_eq(a->cpe, b->cpe) ||
        a->n_events != b->n_events || a->n_versions != b->n_versions)
        return false;
    for (size_t i = 0; i < a->n_events; i++)
        if (a->events[i].kind != b->events[i].kind ||
            !str_eq(a->events[i].version, b->events[i].version))
            return false;
    for (size_t i = 0; i < a->n_versions; i++)
        if (!str_eq(a->versions[i], b->versions[i]))
            return false;
    return true;
}

/* Appends the strings of `src` not yet in dst (a heap array sized for the group). */
static void union_strs(const char **dst, size_t *n, const char *const *src, size_t n_src,
                       const char *skip)
{
    for (size_t i = 0; i < n_src; i++) {
        bool dup = skip && str_eq(src[i], skip);
        for (size_t k = 0; k < *n && !dup; k++)
            dup = str_eq(dst[k], src[i]);
        if (!dup)
            dst[(*n)++] = src[i];
    }
}

/* Merges group g[0..n) (same id) into *out; arrays are heap, freed by free_merged. */
static void merge_group(vg_advisory *out, const item *items, size_t n)
{
    const vg_advisory **g = vg_xmalloc((n ? n : 1) * sizeof(vg_advisory *));
    for (size_t i = 0; i < n; i++)
        g[i] = items[i].a;
    size_t n_al = 0, n_li = 0, n_cv = 0, n_cw = 0, n_af = 0;
    for (size_t i = 0; i < n; i++) {
        n_al += g[i]->n_aliases;
        n_li += g[i]->n_links;
        n_cv += g[i]->n_cvss;
        n_cw += g[i]->n_cwes;
        n_af += g[i]->n_affected;
    }
    *out = *g[0];
    out->aliases = vg_xmalloc((n_al + 1) * sizeof(char *));
    out->links = vg_xmalloc((n_li + 1) * sizeof(char *));
    out->cwes = vg_xmalloc((n_cw + 1) * sizeof(char *));
    out->cvss = vg_xmalloc((n_cv + 1) * sizeof(vg_cvss));
    out->affected = vg_xmalloc((n_af + 1) * sizeof(vg_affected));
    out->n_aliases = out->n_links = out->n_cwes = out->n_cvss = out->n_affected = 0;
    for (size_t i = 0; i < n; i++) {
        const vg_advisory *a = g[i];
        union_strs(out->aliases, &out->n_aliases, a->aliases, a->n_aliases, out->id);
        union_strs(out->links, &out->n_links, a->links, a->n_links, NULL);
        union_strs(out->cwes, &out->n_cwes, a->cwes, a->n_cwes, NULL);
        for (size_t k = 0; k < a->n_cvss; k++) {
            bool dup = false;
            for (size_t j = 0; j < out->n_cvss && !dup; j++)
                dup = str_eq(out->cvss[j].vector, a->cvss[k].vector) &&
                      str_eq(out->cvss[j].source, a->cvss[k].source);
            if (!dup)
                out->cvss[out->n_cvss++] = a->cvss[k];
        }
        for (size_t k = 0; k < a->n_affected; k++) {
            bool dup = false;
            for (size_t j = 0; j < out->n_affected && !dup; j++)
                dup = affected_eq(&out->affected[j], &a->affected[k]);
            if (!dup)
                out->affected[out->n_affected++] = a->affected[k];
        }
        if (!out->summary)
            out->summary = a->summary;
        if (!out->description)
            out->description = a->description;
        if (!out->published)
            out->published = a->published;
        if (a->modified && (!out->modified || strcmp(a->modified, out->modified) > 0))
            out->modified = a->modified;
        if (a->severity > out->severity) {
            out->severity = a->severity;
            out->severity_label = a->severity_label;
        } else if (!out->severity_label) {
            out->severity_label = a->severity_label;
        }
    }
    free(g);
}

static void free_merged(vg_advisory *a)
{
    free(a->aliases);
    free(a->links);
    free(a->cwes);
    free(a->cvss);
    free(a->affected);
}

int vg__merger_flush(vg__merger *m, int (*put)(void *state, const vg_advisory *a), void *state)
{
    if (m->n)
        qsort(m->items, m->n, sizeof(item), cmp_item);
    int rc = 0;
    for (size_t lo = 0; lo < m->n && rc == 0;) {
        size_t hi = lo + 1;
        while (hi < m->n && strcmp(m->items[hi].a->id, m->items[lo].a->id) == 0)
            hi++;
        if (hi - lo == 1) {
            rc = put(state, m->items[lo].a);
        } else {
            vg_advisory merged;
            merge_group(&merged, m->items + lo, hi - lo);
            rc = put(state, &merged);
            free_merged(&merged);
        }
        lo = hi;
    }
    return rc;
}
