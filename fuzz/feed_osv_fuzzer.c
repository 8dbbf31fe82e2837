/* feed_osv_fuzzer.c — fuzz target for the parser of the osv updater (src/feed/osv.c): the input
 * is one OSV record or an array of them. Besides crashes it aborts when a result breaks the
 * parser's contract: errors are VG_EINVAL / VG_ETOOBIG with "osv: <url>: " messages, strings
 * are UTF-8, every event version passes its own ecosystem's scheme (introduced "0" and limit
 * "*" aside) and the ranges evaluate. */
#include "feed/feed_int.h"
#include "util/util.h"
#include "version/version.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

static int osv_emit(vg_feed_ctx *ctx, const vg_advisory *a)
{
    vg_arena *copies = ctx->emit_state;
    if (!a->id || !*a->id || !a->source || strcmp(a->source, "osv") != 0)
        abort();
    vg_fuzz_utf8(a->id);
    vg_fuzz_utf8(a->summary);
    vg_fuzz_utf8(a->description);
    for (size_t i = 0; i < a->n_aliases; i++)
        vg_fuzz_utf8(a->aliases[i]);
    for (size_t i = 0; i < a->n_cvss; i++)
        if (!a->cvss[i].vector || !a->cvss[i].version || a->cvss[i].score < 0 ||
            a->cvss[i].score > 10)
            abort();
    if ((unsigned)a->severity > VG_SEV_CRITICAL)
        abort();
    for (size_t i = 0; i < a->n_affected; i++) {
        const vg_affected *af = &a->affected[i];
        if (!af->ns || !af->package || !*af->package || !af->scheme)
            abort();
        vg_fuzz_utf8(af->ns);
        vg_fuzz_utf8(af->package);
        if (af->n_events == 0 && af->n_versions == 0)
            abort();
        bool fixed = false;
        for (size_t e = 0; e < af->n_events; e++)
            fixed = fixed || af->events[e].kind == VG_EVENT_FIXED;
        if ((af->status == VG_STATUS_FIXED) != fixed)
            abort();
        vg_scheme s;
        if (!*af->scheme || vg_version_scheme_lookup(&s, af->scheme) != 0)
            continue;
        vg_range_event ev[8];
        size_t n = 0;
        for (size_t e = 0; e < af->n_events && n < 8; e++) {
            const vg_event *x = &af->events[e];
            bool special = (x->kind == VG_EVENT_INTRODUCED && strcmp(x->version, "0") == 0) ||
                           (x->kind == VG_EVENT_LIMIT && strcmp(x->version, "*") == 0);
            if (!special && vg_version_check(s, x->version) != 0)
                abort();
            ev[n++] = (vg_range_event){(vg_range_event_kind)x->kind, x->version};
        }
        vg_range r = {s, ev, n, NULL, 0};
        bool hit;
        if (vg_version_affected(&hit, &r, af->scheme[0] == 'g' ? "v1.0.0" : "1.0") != 0 &&
            vg_version_check(s, af->scheme[0] == 'g' ? "v1.0.0" : "1.0") == 0)
            abort();
    }
    vg__advisory_copy(copies, a); /* every pointer readable (ASan) */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_feed_opts o;
    memset(&o, 0, sizeof(o));
    o.max_document_bytes = (uint64_t)1 << 20;
    o.max_depth = 16;
    vg_arena *copies = vg_arena_new(1 << 14);
    vg_feed_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.opts = &o;
    ctx.arena = vg_arena_new(1 << 14);
    ctx.url = "fuzz";
    ctx.emit = osv_emit;
    ctx.emit_state = copies;
    vg_error_clear();
    int rc = vg__updater_osv.parse(&ctx, (const char *)data, size);
    if (rc != 0 &&
        ((rc != VG_EINVAL && rc != VG_ETOOBIG) || strncmp(vg_error_last(), "osv: fuzz: ", 11) != 0))
        abort();
    vg_arena_free(ctx.arena);
    vg_arena_free(copies);
    return 0;
}
