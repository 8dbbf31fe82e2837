/* feed.c — the framework of src/feed/: the registry of updaters, options, and one update run:
 * fetch every document, fingerprint them, parse them into one store transaction (or write
 * nothing when the fingerprint is unchanged or anything failed), diff against the previous
 * operation and garbage-collect old ones. */
#include "feed_int.h"

#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The registry. Every updater vg_feed_sources() names is listed in `source_names`; the ones
 * built into this binary also have a line in `registry`. Adding an updater is one line there
 * (its file defines `const vg_updater vg__updater_<name>` as feed_int.h declares):
 *
 *     {&vg__updater_ubuntu, 0},
 *
 * The second field holds flags: MERGE_BY_ID when the source repeats an advisory id across
 * documents (or across packages inside one) and the run should store one advisory per id
 * (vg__merger: the run's advisories are held in memory until the end). Without it every
 * emitted advisory streams straight into the store transaction.
 *
 * Beyond `urls`, vg_feed_update follows two hooks while fetching: next_url (paged APIs, nvd:
 * one page leads to the next, at most MAX_PAGES) and list_urls (indexes, rhel's changes.csv:
 * one document lists the others, at most opts->max_entries; the index is fingerprinted but
 * not parsed, and a listed document that is missing fails the run).
 */
enum { MERGE_BY_ID = 1 };

static const struct registered {
    const vg_updater *u;
    unsigned flags;
} registry[] = {
    {&vg__updater_debian, 0},           /* security tracker JSON */
    {&vg__updater_alpine, MERGE_BY_ID}, /* secdb: one document per branch and repo */
    {&vg__updater_osv, 0},              /* OSV records, directories, zips */
    {&vg__updater_ubuntu, 0},           /* Ubuntu OSV */
    {&vg__updater_rhel, 0},             /* Red Hat CSAF VEX */
    {&vg__updater_nvd, 0},              /* NVD CVE API 2.0 */
};

static const char *const source_names[] = {"debian", "ubuntu", "rhel", "alpine",
                                           "osv",    "nvd",    NULL};

/* Bumped whenever a parser's output for the same input changes, so that a new vigil re-reads
 * an unchanged feed once (the fingerprint covers it). */
#define FEED_FORMAT_REV "1"
#define GC_BATCH 16
/* Pages followed from one URL of a paged source (nvd: 2,000 records a page, so 20 million
 * records); a run that would go further fails rather than stopping silently. */
#define MAX_PAGES 10000u
#define PAGE_URL_CAP ((size_t)8192)

const char *const *vg_feed_sources(void)
{
    return source_names;
}

static const struct registered *find_registered(const char *name)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(registry); i++)
        if (strcmp(registry[i].u->name, name) == 0)
            return &registry[i];
    return NULL;
}

bool vg_feed_available(const char *source)
{
    return source && find_registered(source) != NULL;
}

void vg_feed_opts_default(vg_feed_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->max_document_bytes = (uint64_t)512 << 20;
    o->max_depth = 64;
    o->max_entries = 1000000;
    o->max_total_bytes = (uint64_t)8 << 30;
    o->max_ratio = 200;
    o->max_ratio_floor = (uint64_t)16 << 20;
    o->keep_ops = 10;
    o->progress = false;
}

int vg_feed_opts_set(vg_feed_opts *o, const char *name, uint64_t value)
{
    static const char known[] = "max_document_bytes, max_depth, max_entries, max_total_bytes, "
                                "max_ratio, max_ratio_floor, keep_ops";
    if (value == 0)
        return vg_error_set(VG_EINVAL, "%s must be above 0", name);
    if (strcmp(name, "max_document_bytes") == 0)
        o->max_document_bytes = value;
    else if (strcmp(name, "max_depth") == 0)
        o->max_depth = value;
    else if (strcmp(name, "max_entries") == 0)
        o->max_entries = value;
    else if (strcmp(name, "max_total_bytes") == 0)
        o->max_total_bytes = value;
    else if (strcmp(name, "max_ratio") == 0)
        o->max_ratio = value;
    else if (strcmp(name, "max_ratio_floor") == 0)
        o->max_ratio_floor = value;
    else if (strcmp(name, "keep_ops") == 0 && value <= 1000000)
        o->keep_ops = (unsigned)value;
    else
        return vg_error_set(VG_EINVAL, "unknown feed limit '%s' (known: %s)", name, known);
    return 0;
}

/* ---- one run --------------------------------------------------------------------------- */

typedef struct run {
    const vg_updater *u;
    vg_store_tx *tx;
    vg__merger *merger; /* MERGE_BY_ID */
    vg_feed_ctx ctx;
    uint64_t n_put;
    uint64_t documents;
} run;

static int put_one(void *state, const vg_advisory *a)
{
    run *r = state;
    int rc = vg_store_update_put(r->tx, a);
    if (rc == 0)
        r->n_put++;
    return rc;
}

static int on_emit(vg_feed_ctx *ctx, const vg_advisory *a)
{
    run *r = ctx->emit_state;
    if (r->merger) {
        vg__merger_add(r->merger, a);
        return 0;
    }
    return put_one(r, a);
}

static int on_document(void *state, const char *name, const char *buf, size_t len)
{
    run *r = state;
    vg_arena_reset(r->ctx.arena);
    r->ctx.url = name;
    r->documents++;
    int rc = r->u->parse(&r->ctx, buf, len);
    r->ctx.url = NULL;
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "sha256:<hex>" over the format revision and each URL with its validator. */
static void fingerprint(char out[160], const char *source, const vg__fetched *docs, size_t n)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "vigil-feed %s rev %s\n", source, FEED_FORMAT_REV);
    for (size_t i = 0; i < n; i++)
        vg_strbuf_printf(&sb, "%s\n%s\n", docs[i].url, docs[i].validator);
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
        abort();
    EVP_DigestUpdate(c, sb.buf, sb.len);
    EVP_DigestFinal_ex(c, md, &mdlen);
    EVP_MD_CTX_free(c);
    vg_strbuf_dispose(&sb);
    static const char digits[] = "0123456789abcdef";
    memcpy(out, "sha256:", 8);
    for (unsigned i = 0; i < 32; i++) {
        out[7 + 2 * i] = digits[md[i] >> 4];
        out[8 + 2 * i] = digits[md[i] & 15];
    }
    out[71] = '\0';
}

static bool is_http_url(const char *u)
{
    return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

typedef struct pager {
    const vg_updater *u;
    vg_feed_ctx ctx;
    vg_strbuf next;
    int more;
} pager;

static int on_page(void *state, const char *name, const char *buf, size_t len)
{
    (void)name;
    pager *pg = state;
    int r = pg->u->next_url(&pg->ctx, buf, len, &pg->next);
    if (r < 0)
        return r;
    pg->more = r;
    return 0;
}

/* Asks a paged updater for the URL after the fetched page `d`: *out is the heap URL, or NULL
 * after the last page. */
static int next_page(char **out, vg__fetcher *f, const vg_updater *u, const vg__fetched *d)
{
    pager pg;
    memset(&pg, 0, sizeof(pg));
    pg.u = u;
    pg.ctx.opts = f->opts;
    pg.ctx.arena = vg_arena_new(1 << 16);
    pg.ctx.url = d->url;
    vg_strbuf_init(&pg.next, PAGE_URL_CAP);
    *out = NULL;
    int rc = vg__fetched_documents(d, f, on_page, &pg);
    if (rc == 0 && pg.more && (vg_strbuf_error(&pg.next) || pg.next.len == 0))
        rc = vg_error_set(VG_EINVAL, "%s: %s: no usable URL for the next page", u->name, d->url);
    if (rc == 0 && pg.more)
        *out = vg_strbuf_detach(&pg.next);
    vg_strbuf_dispose(&pg.next);
    vg_arena_free(pg.ctx.arena);
    return rc;
}

/* The documents an index lists (vg_updater.list_urls). */
typedef struct lister {
    const vg_updater *u;
    vg_feed_ctx ctx;
    char **urls; /* heap */
    size_t n, cap;
    bool is_index;
} lister;

static void lister_dispose(lister *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->urls[i]);
    free(l->urls);
    vg_arena_free(l->ctx.arena);
    memset(l, 0, sizeof(*l));
}

static int on_listed(void *state, const char *url)
{
    lister *l = state;
    if ((uint64_t)l->n >= l->ctx.opts->max_entries)
        return vg_error_set(VG_ETOOBIG, "%s: %s: lists more than %llu documents (max_entries)",
                            l->u->name, l->ctx.url, (unsigned long long)l->ctx.opts->max_entries);
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->urls = vg_xrealloc(l->urls, l->cap * sizeof(*l->urls));
    }
    l->urls[l->n++] = vg_xstrdup(url);
    return 0;
}

static int on_index(void *state, const char *name, const char *buf, size_t len)
{
    (void)name;
    lister *l = state;
    int r = l->u->list_urls(&l->ctx, buf, len, on_listed, l);
    if (r < 0)
        return r;
    l->is_index = r == 1;
    return 0;
}

static int cmp_url(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Asks an index updater whether the fetched document `d` is an index; if so, l->urls holds
 * the listed URLs, sorted, each once. The caller disposes `l`. */
static int list_index(lister *l, vg__fetcher *f, const vg_updater *u, const vg__fetched *d)
{
    memset(l, 0, sizeof(*l));
    l->u = u;
    l->ctx.opts = f->opts;
    l->ctx.arena = vg_arena_new(1 << 16);
    l->ctx.url = d->url;
    int rc = vg__fetched_documents(d, f, on_index, l);
    if (rc || !l->is_index || l->n == 0)
        return rc;
    qsort(l->urls, l->n, sizeof(*l->urls), cmp_url);
    size_t kept = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (strcmp(l->urls[i], l->urls[kept - 1]) == 0)
            free(l->urls[i]);
        else
            l->urls[kept++] = l->urls[i];
    }
    l->n = kept;
    return 0;
}

static int store_fail(const char *source, const char *what)
{
    int code = vg_error_code() ? vg_error_code() : VG_ERROR;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 16384);
    vg_strbuf_puts(&sb, vg_error_last());
    int rc = vg_error_set(code, "%s: %s: %s", source, what, sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

int vg_feed_update(vg_feed_result *out, vg_store *s, const char *source, const vg_feed_opts *o)
{
    double t0 = now_s();
    memset(out, 0, sizeof(*out));
    vg_feed_opts defaults;
    if (!o) {
        vg_feed_opts_default(&defaults);
        o = &defaults;
    }
    const struct registered *reg = source ? find_registered(source) : NULL;
    if (!reg) {
        for (size_t i = 0; source && source_names[i]; i++)
            if (strcmp(source, source_names[i]) == 0)
                return vg_error_set(VG_ENOTFOUND,
                                    "%s: this updater is not built into this vigil yet", source);
        return vg_error_set(VG_EINVAL,
                            "unknown source '%s' (known: debian, ubuntu, rhel, alpine, osv, nvd)",
                            source ? source : "");
    }
    const vg_updater *u = reg->u;
    snprintf(out->source, sizeof(out->source), "%s", u->name);

    /* The documents of this run. */
    const char *one[2] = {o->url, NULL};
    const char *const *urls = o->url && *o->url ? one : u->urls;
    bool optional = o->url && *o->url ? false : u->optional_urls;
    size_t n_urls = 0;
    while (urls[n_urls])
        n_urls++;

    vg__fetcher f;
    int rc = vg__fetcher_init(&f, o, u->name);
    if (rc) {
        out->seconds = now_s() - t0;
        return rc;
    }
    size_t cap_docs = n_urls ? n_urls : 1;
    vg__fetched *docs = vg_xcalloc(cap_docs, sizeof(*docs));
    size_t n_docs = 0, present = 0;
    for (size_t i = 0; i < n_urls && rc == 0; i++) {
        const char *url = urls[i];
        char *page_url = NULL; /* the next page's URL, heap */
        for (unsigned page = 0; rc == 0; page++) {
            if (n_docs == cap_docs) {
                cap_docs *= 2;
                docs = vg_xrealloc(docs, cap_docs * sizeof(*docs));
            }
            vg__fetched *d = &docs[n_docs];
            rc = vg__fetch(d, &f, url);
            n_docs++;
            if (rc)
                break;
            if (d->kind == VG_FETCH_MISSING) {
                if (!optional || page > 0)
                    rc = vg_error_set(VG_ENOTFOUND, "%s: %s: not found", u->name, d->where);
                break;
            }
            present++;
            free(page_url);
            page_url = NULL;
            if (u->list_urls && page == 0 && d->kind == VG_FETCH_FILE) {
                lister l;
                rc = list_index(&l, &f, u, d);
                if (rc == 0 && l.is_index) {
                    d->index = true;
                    for (size_t j = 0; j < l.n && rc == 0; j++) {
                        if (n_docs == cap_docs) {
                            cap_docs *= 2;
                            docs = vg_xrealloc(docs, cap_docs * sizeof(*docs));
                        }
                        vg__fetched *ld = &docs[n_docs++];
                        rc = vg__fetch(ld, &f, l.urls[j]);
                        if (rc == 0 && ld->kind == VG_FETCH_MISSING)
                            rc = vg_error_set(VG_ENOTFOUND, "%s: %s: not found (listed in %s)",
                                              u->name, ld->where, urls[i]);
                    }
                }
                bool listed = l.is_index;
                lister_dispose(&l);
                if (rc || listed)
                    break;
            }
            if (!u->next_url || !is_http_url(d->url) || d->kind != VG_FETCH_FILE)
                break;
            rc = next_page(&page_url, &f, u, d);
            if (rc || !page_url)
                break;
            if (page + 1 >= MAX_PAGES) {
                rc = vg_error_set(VG_ETOOBIG, "%s: %s: more than %u pages; stopped", u->name,
                                  urls[i], (unsigned)MAX_PAGES);
                break;
            }
            url = page_url;
        }
        free(page_url);
    }
    if (rc == 0 && present == 0)
        rc = vg_error_set(VG_ENOTFOUND,
                          "%s: none of its %zu documents was found (first: %s); nothing "
                          "updated",
                          u->name, n_urls, n_docs ? docs[0].where : "-");

    char fp[160] = "";
    vg_update_op prev;
    bool have_prev = false;
    if (rc == 0) {
        fingerprint(fp, u->name, docs, n_docs);
        int lr = vg_store_latest_op(&prev, s, u->name);
        if (lr == 0) {
            have_prev = true;
        } else if (lr != VG_ENOTFOUND) {
            rc = store_fail(u->name, "reading its latest operation");
        } else {
            vg_error_clear();
        }
    }
    if (rc == 0 && have_prev && strcmp(prev.fingerprint, fp) == 0) {
        out->changed = false;
        out->unchanged = prev.n_advisories;
        out->n_advisories = prev.n_advisories;
        out->op = prev;
        goto done;
    }

    run r;
    memset(&r, 0, sizeof(r));
    r.u = u;
    r.ctx.opts = o;
    r.ctx.arena = vg_arena_new(1 << 20);
    r.ctx.emit = on_emit;
    r.ctx.emit_state = &r;
    if (reg->flags & MERGE_BY_ID)
        r.merger = vg__merger_new();
    if (rc == 0) {
        rc = vg_store_update_begin(&r.tx, s, u->name, fp);
        if (rc)
            rc = store_fail(u->name, "starting the update");
    }
    for (size_t i = 0; i < n_docs && rc == 0; i++)
        if (!docs[i].index)
            rc = vg__fetched_documents(&docs[i], &f, on_document, &r);
    if (rc == 0 && r.merger)
        rc = vg__merger_flush(r.merger, put_one, &r);
    vg_update_op cur;
    memset(&cur, 0, sizeof(cur));
    if (rc == 0 && r.tx) {
        vg_store_tx *tx = r.tx;
        r.tx = NULL;
        rc = vg_store_update_commit(tx, &cur);
        if (rc)
            rc = store_fail(u->name, "committing the update");
    }
    if (r.tx)
        vg_store_update_abort(r.tx);
    out->skipped = r.ctx.skipped;
    out->documents = r.documents;
    vg__merger_free(r.merger);
    vg_arena_free(r.ctx.arena);
    if (rc)
        goto done;

    /* Committed: the rest only reports and tidies; failures there do not undo the run. */
    out->changed = true;
    out->op = cur;
    out->n_advisories = cur.n_advisories;
    if (have_prev) {
        vg_store_diff d;
        if (vg_store_diff_ops(&d, s, prev.id, cur.id) == 0) {
            out->added = d.n_added;
            out->removed = d.n_removed;
            vg_store_diff_dispose(&d);
        } else {
            vg_error_clear();
            out->added = cur.n_advisories;
        }
    } else {
        out->added = cur.n_advisories;
    }
    out->unchanged = cur.n_advisories >= out->added ? cur.n_advisories - out->added : 0;
    for (int i = 0; i < 1000; i++) {
        size_t deleted = 0;
        if (vg_store_gc(&deleted, s, u->name, o->keep_ops ? o->keep_ops : 10, GC_BATCH) != 0) {
            vg_error_clear(); /* retried by the next run */
            break;
        }
        if (deleted < GC_BATCH)
            break;
    }

done:
    for (size_t i = 0; i < n_docs; i++)
        vg__fetched_dispose(&docs[i]);
    free(docs);
    vg__fetcher_dispose(&f);
    out->seconds = now_s() - t0;
    return rc;
}

char *vg_feed_default_cache_dir(const char *dsn)
{
    const char *path = strncmp(dsn, "sqlite:", 7) == 0 ? dsn + 7 : dsn;
    if (strstr(path, "://") || !*path)
        return NULL;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 8192);
    vg_strbuf_printf(&sb, "%s.feedcache", path);
    if (vg_strbuf_error(&sb)) {
        vg_strbuf_dispose(&sb);
        return NULL;
    }
    return vg_strbuf_detach(&sb);
}
