/* feed_fuzz.h — the contract checks shared by the feed parser fuzz targets (feed_ubuntu,
 * feed_rhel, feed_nvd): runs one updater's parse over a document with a small nesting cap and
 * aborts when a result breaks what src/feed/ promises — errors that are VG_EINVAL or
 * VG_ETOOBIG with "<source>: <url>: " messages, complete advisories, valid versions. */
#ifndef VG_FEED_FUZZ_H
#define VG_FEED_FUZZ_H

#include "feed/feed_int.h"
#include "util/util.h"
#include "version/version.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct vg_fuzz_feed {
    const vg_updater *u;
    vg_scheme scheme;
    vg_arena *copies;
} vg_fuzz_feed;

/* The store keeps advisories as JSON: every string must be valid UTF-8. */
static void vg_fuzz_utf8(const char *s)
{
    if (!s)
        return;
    json_t *j = json_string(s);
    if (!j)
        abort();
    json_decref(j);
}

static int vg_fuzz_feed_emit(vg_feed_ctx *ctx, const vg_advisory *a)
{
    vg_fuzz_feed *f = ctx->emit_state;
    const char *one[] = {a->id,        a->summary,  a->description,
                         a->published, a->modified, a->severity_label};
    for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
        vg_fuzz_utf8(one[i]);
    for (size_t i = 0; i < a->n_cwes; i++)
        vg_fuzz_utf8(a->cwes[i]);
    if (!a->id || !*a->id || !a->source || strcmp(a->source, f->u->name) != 0)
        abort();
    for (size_t i = 0; i < a->n_aliases; i++) {
        if (!a->aliases[i] || !*a->aliases[i])
            abort();
        vg_fuzz_utf8(a->aliases[i]);
    }
    for (size_t i = 0; i < a->n_links; i++) {
        if (!a->links[i])
            abort();
        vg_fuzz_utf8(a->links[i]);
    }
    for (size_t i = 0; i < a->n_cvss; i++) {
        if (!a->cvss[i].vector || !a->cvss[i].version)
            abort();
        vg_fuzz_utf8(a->cvss[i].vector);
        vg_fuzz_utf8(a->cvss[i].source);
    }
    if ((unsigned)a->severity > VG_SEV_CRITICAL)
        abort();
    for (size_t i = 0; i < a->n_affected; i++) {
        const vg_affected *af = &a->affected[i];
        if (!af->ns || !af->package || !*af->package || !af->scheme)
            abort();
        const char *strs[] = {af->ns, af->package, af->arch, af->module, af->cpe};
        for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
            vg_fuzz_utf8(strs[k]);
        if (af->n_events > VG_RANGE_MAX_EVENTS)
            abort();
        bool fixed = false;
        for (size_t e = 0; e < af->n_events; e++) {
            if (!af->events[e].version || vg_version_check(f->scheme, af->events[e].version))
                abort();
            fixed = fixed || af->events[e].kind == VG_EVENT_FIXED;
        }
        if ((af->status == VG_STATUS_FIXED) != fixed)
            abort();
        for (size_t v = 0; v < af->n_versions; v++)
            if (!af->versions[v] || vg_version_check(f->scheme, af->versions[v]))
                abort();
        /* the matcher will evaluate these ranges: they must evaluate */
        vg_range_event ev[8];
        size_t n = af->n_events < 8 ? af->n_events : 8;
        for (size_t e = 0; e < n; e++)
            ev[e] =
                (vg_range_event){(vg_range_event_kind)af->events[e].kind, af->events[e].version};
        vg_range r = {f->scheme, ev, n, af->versions, af->n_versions};
        bool hit;
        if (vg_version_affected(&hit, &r, "1.0-1") != 0)
            abort();
    }
    vg__advisory_copy(f->copies, a); /* every pointer readable (ASan) */
    return 0;
}

static void vg_fuzz_feed_run(const vg_updater *u, vg_scheme scheme, const uint8_t *data,
                             size_t size)
{
    vg_feed_opts o;
    memset(&o, 0, sizeof(o));
    o.max_document_bytes = (uint64_t)1 << 20;
    o.max_depth = 16; /* small enough for the fuzzer to reach the cap */
    vg_fuzz_feed f = {u, scheme, vg_arena_new(1 << 14)};
    vg_feed_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.opts = &o;
    ctx.arena = vg_arena_new(1 << 14);
    ctx.url = "fuzz";
    ctx.emit = vg_fuzz_feed_emit;
    ctx.emit_state = &f;
    vg_error_clear();
    int rc = u->parse(&ctx, (const char *)data, size);
    if (rc != 0) {
        char head[64];
        size_t n = strlen(u->name);
        memcpy(head, u->name, n);
        memcpy(head + n, ": fuzz: ", 9);
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) ||
            strncmp(vg_error_last(), head, strlen(head)) != 0)
            abort();
    }
    vg_arena_free(ctx.arena);
    vg_arena_free(f.copies);
}

#endif
