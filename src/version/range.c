/* range.c — OSV-style affected-range evaluation for any scheme: sort the events by the
 * scheme's order, walk them keeping an "affected" flag, then apply limits and the explicit
 * version list. This is the function the matcher calls for every candidate advisory. */
#include "version_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sorted_event {
    const vg_range_event *ev;
    size_t index; /* original position, to keep the sort stable */
} sorted_event;

typedef struct sort_ctx {
    vg_scheme scheme;
} sort_ctx;

/* "0" as an introduced version means "from the very beginning" in every scheme. */
static bool is_zero_introduced(const vg_range_event *e)
{
    return e->kind == VG_RANGE_INTRODUCED && strcmp(e->version, "0") == 0;
}

static int event_cmp(const void *pa, const void *pb, void *arg)
{
    const sorted_event *a = pa, *b = pb;
    const sort_ctx *ctx = arg;
    bool za = is_zero_introduced(a->ev), zb = is_zero_introduced(b->ev);
    int c = 0;
    if (za || zb)
        c = za && zb ? 0 : za ? -1 : 1;
    else
        vg_version_compare(&c, ctx->scheme, a->ev->version, b->ev->version);
    if (c == 0)
        c = a->index < b->index ? -1 : a->index > b->index;
    return c;
}

static const char *kind_name(vg_range_event_kind k)
{
    switch (k) {
    case VG_RANGE_INTRODUCED:
        return "introduced";
    case VG_RANGE_FIXED:
        return "fixed";
    case VG_RANGE_LAST_AFFECTED:
        return "last_affected";
    case VG_RANGE_LIMIT:
        return "limit";
    }
    return "unknown";
}

int vg_version_affected(bool *out, const vg_range *range, const char *v)
{
    vg_scheme s = range->scheme;
    int rc = vg_version_check(s, v);
    if (rc)
        return rc;
    if (range->n_events > VG_RANGE_MAX_EVENTS)
        return vg_error_set(VG_ETOOBIG, "range has %zu events, more than VG_RANGE_MAX_EVENTS (%d)",
                            range->n_events, VG_RANGE_MAX_EVENTS);

    /* Validate every event first, so that the sort never sees an invalid version. */
    for (size_t i = 0; i < range->n_events; i++) {
        const vg_range_event *e = &range->events[i];
        if ((unsigned)e->kind > VG_RANGE_LIMIT || !e->version)
            return vg_error_set(VG_EINVAL, "range event %zu is malformed", i);
        if (is_zero_introduced(e) || (e->kind == VG_RANGE_LIMIT && strcmp(e->version, "*") == 0))
            continue;
        if (vg_version_check(s, e->version) != 0) {
            char why[1024];
            snprintf(why, sizeof(why), "%s", vg_error_last());
            return vg_error_set(VG_EINVAL, "range event %zu (%s): %s", i, kind_name(e->kind), why);
        }
    }

    bool affected = false;
    for (size_t i = 0; i < range->n_versions; i++) {
        int c;
        if (vg_version_compare(&c, s, v, range->versions[i]) == 0 && c == 0) {
            affected = true;
            break;
        }
    }

    if (!affected && range->n_events > 0) {
        sorted_event *ev = vg_xmalloc(range->n_events * sizeof(*ev));
        size_t n = 0;
        bool has_limit = false, below_limit = false;
        for (size_t i = 0; i < range->n_events; i++) {
            const vg_range_event *e = &range->events[i];
            if (e->kind == VG_RANGE_LIMIT) {
                int c = -1;
                has_limit = true;
                if (strcmp(e->version, "*") != 0)
                    vg_version_compare(&c, s, v, e->version);
                below_limit = below_limit || c < 0;
                continue;
            }
            ev[n].ev = e;
            ev[n].index = i;
            n++;
        }
        sort_ctx ctx = {s};
        qsort_r(ev, n, sizeof(*ev), event_cmp, &ctx);
        bool in = false;
        for (size_t i = 0; i < n; i++) {
            const vg_range_event *e = ev[i].ev;
            int c = 1;
            if (!is_zero_introduced(e))
                vg_version_compare(&c, s, v, e->version);
            if (e->kind == VG_RANGE_INTRODUCED && c >= 0)
                in = true;
            else if ((e->kind == VG_RANGE_FIXED && c >= 0) ||
                     (e->kind == VG_RANGE_LAST_AFFECTED && c > 0))
                in = false;
        }
        free(ev);
        affected = in && (!has_limit || below_limit);
    }
    *out = affected;
    return 0;
}
