/* dashboard.c — the JSON behind the dashboard (src/api/ui/, served by ui.c): every indexed image
 * with its counts by severity and fix availability, one image's layers, its report rendered for
 * download (JSON, SARIF, CycloneDX), one advisory with every image it affects, recent
 * notification sets, and the vulnerable-image history across update operations. An image's
 * counts come from the same path as vulnerability_report (the stored IndexReport and vg_match)
 * and are kept in a bounded set-associative cache keyed by (hash, when indexed, data
 * generation), so the overview re-matches only what changed. */
#include "api_int.h"
#include "match/match.h"
#include "report/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The summary cache: DASH_SETS sets of DASH_WAYS entries (304 bytes each: 4.75 MiB), allocated on
 * first use; the least recently used entry of a set is replaced. */
#define DASH_SETS 4096
#define DASH_WAYS 4
/* Images per page of /images (default and cap). */
#define DASH_PAGE_DEFAULT 500
#define DASH_PAGE_MAX 1000
/* A vulnerability page confirms at most this many candidate images, DASH_VULN_CHUNK
 * IndexReports in memory at a time. */
#define DASH_VULN_MAX_CANDIDATES 5000
#define DASH_VULN_CHUNK 64
/* Notification sets and history points per request (default and cap). */
#define DASH_LIST_DEFAULT 50
#define DASH_LIST_MAX 1000
/* Threads that match images of one /images page at once (capped by the CPUs online). */
#define DASH_MATCH_THREADS 4
/* Longest advisory id taken from a path. */
#define DASH_MAX_ID 128

#define N_SEV 6

typedef struct dash_summary {
    char hash[136];
    int64_t stamp, gen;
    int64_t matched; /* unix seconds when matched; 0: not matched (no data yet, or failed) */
    uint64_t last_use;
    bool used;
    bool failed; /* the index failed (or its report does not read back) */
    uint32_t sev[N_SEV];
    uint32_t fixable, total, packages;
    char dist[96]; /* the distribution's pretty name; "" when none */
} dash_summary;

struct vg_api_dash {
    pthread_mutex_t mu;
    dash_summary *slots;
    uint64_t clock;
};

void vg_api_dashboard_init(vg_server *s)
{
    s->dash = vg_xcalloc(1, sizeof(*s->dash));
    pthread_mutex_init(&s->dash->mu, NULL);
}

void vg_api_dashboard_dispose(vg_server *s)
{
    if (!s->dash)
        return;
    pthread_mutex_destroy(&s->dash->mu);
    free(s->dash->slots);
    free(s->dash);
    s->dash = NULL;
}

/* ---- small helpers ------------------------------------------------------------------------ */

static void send_json(vg_api_resp *o, json_t *j)
{
    char *txt = json_dumps(j, JSON_COMPACT);
    vg_api_resp_header(o, "Cache-Control", "no-store");
    vg_api_resp_json(o, 200, txt, strlen(txt));
    free(txt);
    json_decref(j);
}

static json_t *time_json(int64_t t)
{
    if (t <= 0)
        return json_null();
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* A string that is valid UTF-8 for jansson (stored text always is; this guards the rest). */
static json_t *str_json(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

/* ?NAME=N within [1, max], or `def` when absent; false (and a 400 in `o`) when malformed. */
static bool query_limit(size_t *out, const vg_api_req *r, vg_api_resp *o, const char *name,
                        size_t def, size_t max)
{
    const char *v = vg_api_query(r, name);
    uint64_t n = def;
    if (v && (vg_parse_u64(&n, vg_slice_from_cstr(v)) != 0 || n == 0)) {
        vg_api_error(o, 400, "\"%s\" must be a positive integer", name);
        return false;
    }
    *out = n > max ? max : (size_t)n;
    return true;
}

/* The stored IndexReport of `hash`, parsed: 0 with *out (NULL when it does not read back),
 * VG_ENOTFOUND, or a store error. */
static int load_index(vg_index_report **out, vg_server *s, const char *hash)
{
    *out = NULL;
    vg_strbuf body;
    vg_strbuf_init(&body, VG_REPORT_READ_MAX_BYTES);
    int rc = vg_api_stored_report(s, hash, &body);
    if (rc == 0 && vg_report_index_read(out, body.buf, body.len) != 0)
        *out = NULL;
    vg_strbuf_dispose(&body);
    return rc;
}

/* ---- repository names ------------------------------------------------------------------ */

typedef struct names_ctx {
    const char *hash;
    json_t *names;
    int64_t indexed;
    bool found;
} names_ctx;

static json_t *names_json(const char *names)
{
    json_t *arr = json_array();
    vg_slice rest = vg_slice_from_cstr(names ? names : "");
    while (rest.len) {
        vg_slice item;
        rest = vg_slice_split(rest, '\n', &item);
        if (!item.len)
            continue;
        char *n = vg_xstrndup(item.ptr, item.len);
        json_array_append_new(arr, str_json(n));
        free(n);
    }
    return arr;
}

static int names_cb(void *arg, const vg_store_manifest_info *m)
{
    names_ctx *c = arg;
    if (strcmp(m->hash, c->hash) == 0) {
        c->names = names_json(m->names);
        c->indexed = m->indexed;
        c->found = true;
        return 1;
    }
    return 0;
}

/* The repository names of one manifest (a JSON array, maybe empty): the listing from just
 * below its hash. Digests differ from it only in the last hex digit within 16 rows. */
static json_t *manifest_names(vg_server *s, const char *hash, int64_t *indexed)
{
    names_ctx c = {.hash = hash};
    size_t n = strlen(hash);
    if (n > 1) {
        char *after = vg_xstrndup(hash, n - 1);
        vg_store_manifest_list(s->store, after, 16, names_cb, &c);
        free(after);
    }
    if (indexed)
        *indexed = c.indexed;
    return c.found ? c.names : json_array();
}

/* ---- per-image summaries ------------------------------------------------------------------ */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static bool cache_get(vg_server *s, dash_summary *out, const char *hash, int64_t stamp, int64_t gen)
{
    vg_api_dash *d = s->dash;
    bool hit = false;
    pthread_mutex_lock(&d->mu);
    if (d->slots) {
        dash_summary *set = &d->slots[(size_t)(fnv1a(hash) % DASH_SETS) * DASH_WAYS];
        for (int i = 0; i < DASH_WAYS; i++) {
            if (set[i].used && set[i].stamp == stamp && set[i].gen == gen &&
                strcmp(set[i].hash, hash) == 0) {
                set[i].last_use = ++d->clock;
                *out = set[i];
                hit = true;
                break;
            }
        }
    }
    pthread_mutex_unlock(&d->mu);
    return hit;
}

static void cache_put(vg_server *s, const dash_summary *sum)
{
    vg_api_dash *d = s->dash;
    pthread_mutex_lock(&d->mu);
    if (!d->slots)
        d->slots = vg_xcalloc((size_t)DASH_SETS * DASH_WAYS, sizeof(*d->slots));
    dash_summary *set = &d->slots[(size_t)(fnv1a(sum->hash) % DASH_SETS) * DASH_WAYS];
    dash_summary *victim = &set[0];
    for (int i = 0; i < DASH_WAYS; i++) {
        if (set[i].used && strcmp(set[i].hash, sum->hash) == 0) { /* an older stamp or gen */
            victim = &set[i];
            break;
        }
        if (!set[i].used || set[i].last_use < victim->last_use)
            victim = &set[i];
    }
    *victim = *sum;
    victim->used = true;
    victim->last_use = ++d->clock;
    pthread_mutex_unlock(&d->mu);
}

/* The counts of one manifest at data generation `gen`: from the cache, or matched now through
 * the same calls as vulnerability_report. 0, VG_ENOTFOUND (deleted meanwhile), or a store
 * error. */
static int summary_get(dash_summary *out, vg_server *s, const char *hash, int64_t stamp,
                       int64_t gen)
{
    if (cache_get(s, out, hash, stamp, gen))
        return 0;
    memset(out, 0, sizeof(*out));
    snprintf(out->hash, sizeof(out->hash), "%s", hash);
    out->stamp = stamp;
    out->gen = gen;
    vg_index_report *idx = NULL;
    int rc = load_index(&idx, s, hash);
    if (rc != 0)
        return rc;
    if (!idx || idx->state != VG_INDEX_FINISHED) {
        out->failed = true;
    } else {
        out->packages = (uint32_t)idx->n_pkgs;
        if (idx->n_dists) {
            const vg_distribution *di = &idx->dists[0];
            snprintf(out->dist, sizeof(out->dist), "%s",
                     di->pretty_name ? di->pretty_name
                     : di->ns        ? di->ns
                                     : "");
        }
        if (gen > 0) {
            vg_vuln_report *vr = NULL;
            if ((rc = vg_api_match(&vr, s, idx)) == 0) {
                out->matched = (int64_t)time(NULL);
                for (size_t i = 0; i < vr->n_findings; i++) {
                    const vg_finding *f = &vr->findings[i];
                    unsigned sv = (unsigned)f->severity < N_SEV ? (unsigned)f->severity : 0;
                    out->sev[sv]++;
                    if (f->fixed_version && *f->fixed_version)
                        out->fixable++;
                }
                out->total = (uint32_t)vr->n_findings;
            }
            vg_vuln_report_free(vr);
        }
    }
    vg_index_report_free(idx);
    if (rc == 0)
        cache_put(s, out);
    return rc;
}

static json_t *summary_json(const dash_summary *m, json_t *names, int64_t indexed)
{
    json_t *o = json_object();
    json_object_set_new(o, "hash", str_json(m->hash));
    json_object_set_new(o, "names", names);
    json_object_set_new(o, "indexed", time_json(indexed));
    json_object_set_new(o, "state", json_string(m->failed ? "IndexError" : "IndexFinished"));
    json_object_set_new(o, "distribution", str_json(m->dist));
    json_object_set_new(o, "packages", json_integer(m->packages));
    json_object_set_new(o, "generation", json_integer(m->gen));
    json_object_set_new(o, "matched", time_json(m->matched));
    json_t *sev = json_object();
    for (int i = N_SEV - 1; i >= 0; i--)
        json_object_set_new(sev, vg_severity_name((vg_severity)i), json_integer(m->sev[i]));
    json_object_set_new(o, "severity", sev);
    json_object_set_new(o, "fixable", json_integer(m->fixable));
    json_object_set_new(o, "unfixed", json_integer(m->total - m->fixable));
    json_object_set_new(o, "total", json_integer(m->total));
    return o;
}

/* ---- listing every manifest ---------------------------------------------------------------- */

typedef struct listed {
    char *hash;
    char *names;
    int64_t indexed;
} listed;

typedef struct list_ctx {
    listed *v;
    size_t n, cap;
} list_ctx;

static int list_cb(void *arg, const vg_store_manifest_info *m)
{
    list_ctx *c = arg;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = vg_xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    c->v[c->n++] = (listed){vg_xstrdup(m->hash), vg_xstrdup(m->names ? m->names : ""), m->indexed};
    return 0;
}

static void list_dispose(list_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].hash);
        free(c->v[i].names);
    }
    free(c->v);
    memset(c, 0, sizeof(*c));
}

/* Summaries of v[0..n) at generation `gen` into out[], on up to DASH_MATCH_THREADS threads
 * (matching is CPU work and the store serves concurrent readers). rcs[i] is summary_get's
 * result; the first store error's message is set on the calling thread. */
typedef struct fill_ctx {
    vg_server *s;
    const listed *v;
    size_t n;
    int64_t gen;
    dash_summary *out;
    int *rcs;
    atomic_size_t next;
    pthread_mutex_t mu;
    int err;
    char msg[512];
} fill_ctx;

static void *fill_main(void *arg)
{
    fill_ctx *c = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->n)
            break;
        c->rcs[i] = summary_get(&c->out[i], c->s, c->v[i].hash, c->v[i].indexed, c->gen);
        if (c->rcs[i] != 0 && c->rcs[i] != VG_ENOTFOUND) {
            pthread_mutex_lock(&c->mu);
            if (!c->err) {
                c->err = c->rcs[i];
                snprintf(c->msg, sizeof(c->msg), "%s", vg_error_last());
            }
            pthread_mutex_unlock(&c->mu);
        }
    }
    return NULL;
}

static void summaries_fill(vg_server *s, const listed *v, size_t n, int64_t gen, dash_summary *out,
                           int *rcs)
{
    fill_ctx c = {.s = s, .v = v, .n = n, .gen = gen, .out = out, .rcs = rcs};
    atomic_init(&c.next, 0);
    pthread_mutex_init(&c.mu, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t extra = cpus > 1 ? (size_t)cpus - 1 : 0;
    if (extra > DASH_MATCH_THREADS - 1)
        extra = DASH_MATCH_THREADS - 1;
    if (extra > n / 16)
        extra = n / 16; /* a short list is not worth a thread */
    pthread_t t[DASH_MATCH_THREADS];
    size_t started = 0;
    for (size_t i = 0; i < extra; i++)
        if (pthread_create(&t[started], NULL, fill_main, &c) == 0)
            started++;
    fill_main(&c);
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_destroy(&c.mu);
    if (c.err)
        vg_error_set(c.err, "%s", c.msg);
}

static int data_generation(int64_t *gen, vg_server *s, vg_api_resp *o)
{
    double t0 = vg_api_now();
    int rc = vg_store_generation(gen, s->store);
    vg_api_store_observe(s, "generation", vg_api_now() - t0);
    if (rc != 0)
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
    return rc;
}

void vg_api_dash_images(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    size_t limit;
    if (!query_limit(&limit, r, o, "limit", DASH_PAGE_DEFAULT, DASH_PAGE_MAX))
        return;
    const char *after = vg_api_query(r, "after");
    if (after && *after && !vg_api_digest_ok(after)) {
        vg_api_error(o, 400, "\"after\" must be a manifest digest");
        return;
    }
    int64_t gen = 0;
    if (data_generation(&gen, s, o) != 0)
        return;
    list_ctx lc = {0};
    double t0 = vg_api_now();
    int rc = vg_store_manifest_list(s->store, after, limit + 1, list_cb, &lc);
    vg_api_store_observe(s, "manifest_list", vg_api_now() - t0);
    if (rc != 0) {
        list_dispose(&lc);
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    bool more = lc.n > limit;
    size_t n = more ? limit : lc.n;
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "generation", json_integer(gen));
    dash_summary *sums = vg_xcalloc(n ? n : 1, sizeof(*sums));
    int *rcs = vg_xcalloc(n ? n : 1, sizeof(*rcs));
    summaries_fill(s, lc.v, n, gen, sums, rcs);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (rcs[i] == VG_ENOTFOUND)
            continue; /* deleted since the listing */
        if (rcs[i] != 0) {
            rc = rcs[i];
            break;
        }
        json_array_append_new(arr,
                              summary_json(&sums[i], names_json(lc.v[i].names), lc.v[i].indexed));
    }
    free(sums);
    free(rcs);
    json_object_set_new(root, "images", arr);
    json_object_set_new(root, "next", more ? str_json(lc.v[limit - 1].hash) : json_null());
    list_dispose(&lc);
    if (rc != 0) {
        json_decref(root);
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    send_json(o, root);
}

/* ---- one image --------------------------------------------------------------------------- */

/* The digest path parameter, its stamp and the data generation; false with `o` filled. */
static bool image_param(vg_server *s, const vg_api_req *r, vg_api_resp *o, int64_t *stamp,
                        int64_t *gen)
{
    if (!vg_api_digest_ok(r->param)) {
        vg_api_error(o, 400, "malformed path: '%.80s' is not a digest", r->param);
        return false;
    }
    int rc = vg_store_manifest_stamp(stamp, s->store, r->param);
    if (rc == VG_ENOTFOUND) {
        vg_api_error(o, 404, "index report for manifest %s not found", r->param);
        return false;
    }
    if (rc != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return false;
    }
    return data_generation(gen, s, o) == 0;
}

static int add_layer(void *ctx, const char *digest)
{
    json_t *found = json_object();
    json_object_set_new(found, "digest", str_json(digest));
    json_object_set_new(found, "packages", json_integer(0));
    json_array_append_new(ctx, found);
    return 0;
}

void vg_api_dash_image(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    int64_t stamp = 0, gen = 0;
    if (!image_param(s, r, o, &stamp, &gen))
        return;
    const char *hash = r->param;
    dash_summary sum;
    int rc = summary_get(&sum, s, hash, stamp, gen);
    vg_index_report *idx = NULL;
    if (rc == 0)
        rc = load_index(&idx, s, hash);
    if (rc == VG_ENOTFOUND) {
        vg_api_error(o, 404, "index report for manifest %s not found", hash);
        return;
    }
    if (rc != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    json_t *root = summary_json(&sum, manifest_names(s, hash, NULL), stamp);
    json_object_set_new(root, "err", str_json(idx ? idx->err : "the stored report is unreadable"));
    json_t *dists = json_array(), *layers = json_array(), *warns = json_array();
    if (idx) {
        for (size_t i = 0; i < idx->n_dists; i++) {
            const vg_distribution *d = &idx->dists[i];
            json_t *dj = json_object();
            json_object_set_new(dj, "name", str_json(d->name));
            json_object_set_new(dj, "version", str_json(d->version));
            json_object_set_new(dj, "pretty_name", str_json(d->pretty_name));
            json_object_set_new(dj, "namespace", str_json(d->ns));
            json_object_set_new(dj, "found_in", str_json(d->found_in));
            json_array_append_new(dists, dj);
        }
        /* Every layer in manifest order (the store's record of the manifest), then the
         * packages each brought; a layer the record lacks is added in the order its first
         * package appears. */
        if (vg_store_manifest_layers(s->store, hash, add_layer, layers) != 0)
            vg_error_clear(); /* the packages' layers below still show */
        for (size_t i = 0; i < idx->n_pkgs; i++) {
            const char *l = idx->pkgs[i].pkg.introduced_in;
            if (!l || !*l)
                continue;
            json_t *found = NULL;
            size_t k;
            json_t *v;
            json_array_foreach(layers, k, v)
            {
                if (strcmp(json_string_value(json_object_get(v, "digest")), l) == 0) {
                    found = v;
                    break;
                }
            }
            if (!found) {
                found = json_object();
                json_object_set_new(found, "digest", str_json(l));
                json_object_set_new(found, "packages", json_integer(0));
                json_array_append_new(layers, found);
            }
            json_object_set_new(
                found, "packages",
                json_integer(json_integer_value(json_object_get(found, "packages")) + 1));
        }
        for (size_t i = 0; i < idx->n_warnings; i++)
            json_array_append_new(warns, str_json(idx->warnings[i]));
    }
    json_object_set_new(root, "distributions", dists);
    json_object_set_new(root, "layers", layers);
    json_object_set_new(root, "warnings", warns);
    vg_index_report_free(idx);
    send_json(o, root);
}

void vg_api_dash_report(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    const char *fmt = vg_api_query(r, "format");
    vg_report_format f = VG_FORMAT_JSON;
    if (fmt && *fmt && (vg_report_format_parse(&f, fmt) != 0 || f == VG_FORMAT_TABLE)) {
        vg_api_error(o, 400, "unknown format '%.40s' (json, sarif or cyclonedx)", fmt);
        return;
    }
    int64_t stamp = 0, gen = 0;
    if (!image_param(s, r, o, &stamp, &gen))
        return;
    const char *hash = r->param;
    if (gen == 0) {
        vg_api_resp_header(o, "Retry-After", "%lld",
                           (long long)((s->cfg->retry_after_ms + 999) / 1000));
        vg_api_error_code(o, 202, "no-vulnerability-data",
                          "no vulnerability data has loaded yet; retry later");
        return;
    }
    vg_index_report *idx = NULL;
    int rc = load_index(&idx, s, hash);
    if (rc != 0) {
        vg_api_error(o, rc == VG_ENOTFOUND ? 404 : 503, "cannot read manifest %s: %s", hash,
                     vg_error_last());
        return;
    }
    if (!idx || idx->state != VG_INDEX_FINISHED) {
        vg_api_error_code(o, 409, "index-failed", "indexing manifest %s failed: %s", hash,
                          idx && idx->err ? idx->err : "unreadable report");
        vg_index_report_free(idx);
        return;
    }
    vg_vuln_report *vr = NULL;
    if (vg_api_match(&vr, s, idx) != 0) {
        vg_api_error(o, 503, "matching failed: %s", vg_error_last());
        vg_index_report_free(idx);
        return;
    }
    vg_strbuf body;
    vg_strbuf_init(&body, (size_t)1 << 30);
    vg_render_opts ro = {.color = false, .image_ref = hash, .tool_version = VG_VERSION_STRING};
    if (vg_report_vuln(&body, vr, f, &ro) != 0) {
        vg_api_error(o, 500, "cannot render the report: %s", vg_error_last());
    } else {
        static const char *const ext[] = {"txt", "json", "sarif", "cdx.json"};
        static const char *const ctype[] = {"text/plain", "application/json",
                                            "application/sarif+json",
                                            "application/vnd.cyclonedx+json"};
        o->content_type = ctype[f];
        vg_api_resp_header(o, "Content-Disposition", "attachment; filename=\"vigil-%.12s.%s\"",
                           hash + 7, ext[f]);
        vg_api_resp_header(o, "Cache-Control", "no-store");
        vg_api_resp_json(o, 200, body.buf, body.len);
    }
    vg_strbuf_dispose(&body);
    vg_vuln_report_free(vr);
    vg_index_report_free(idx);
}

/* ---- one advisory -------------------------------------------------------------------------- */

typedef struct adv_key {
    char *ns, *package;
    bool source_pkg;
} adv_key;

typedef struct adv_ctx {
    json_t *advisories;
    adv_key *keys;
    size_t n_keys, cap_keys;
} adv_ctx;

static const char *event_name(vg_event_kind k)
{
    switch (k) {
    case VG_EVENT_INTRODUCED:
        return "introduced";
    case VG_EVENT_FIXED:
        return "fixed";
    case VG_EVENT_LAST_AFFECTED:
        return "last_affected";
    default:
        return "limit";
    }
}

static json_t *strs_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, str_json(v[i]));
    return a;
}

static int adv_cb(void *arg, const vg_advisory *a)
{
    adv_ctx *c = arg;
    json_t *o = json_object();
    json_object_set_new(o, "id", str_json(a->id));
    json_object_set_new(o, "source", str_json(a->source));
    json_object_set_new(o, "aliases", strs_json(a->aliases, a->n_aliases));
    json_object_set_new(o, "summary", str_json(a->summary));
    json_object_set_new(o, "description", str_json(a->description));
    json_object_set_new(o, "links", strs_json(a->links, a->n_links));
    json_object_set_new(o, "published", str_json(a->published));
    json_object_set_new(o, "modified", str_json(a->modified));
    json_object_set_new(o, "severity", json_string(vg_severity_name(a->severity)));
    json_object_set_new(o, "severity_label", str_json(a->severity_label));
    json_object_set_new(o, "cwes", strs_json(a->cwes, a->n_cwes));
    json_t *cv = json_array();
    for (size_t i = 0; i < a->n_cvss; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "version", str_json(a->cvss[i].version));
        json_object_set_new(x, "vector", str_json(a->cvss[i].vector));
        json_object_set_new(x, "score", json_real(a->cvss[i].score));
        json_object_set_new(x, "source", str_json(a->cvss[i].source));
        json_array_append_new(cv, x);
    }
    json_object_set_new(o, "cvss", cv);
    json_t *aff = json_array();
    for (size_t i = 0; i < a->n_affected; i++) {
        const vg_affected *af = &a->affected[i];
        json_t *x = json_object();
        json_object_set_new(x, "namespace", str_json(af->ns));
        json_object_set_new(x, "package", str_json(af->package));
        json_object_set_new(x, "source_package", json_boolean(af->source_pkg));
        json_object_set_new(x, "scheme", str_json(af->scheme));
        json_object_set_new(x, "status", json_string(vg_status_name(af->status)));
        json_t *ev = json_array();
        for (size_t k = 0; k < af->n_events; k++) {
            json_t *e = json_object();
            json_object_set_new(e, event_name(af->events[k].kind), str_json(af->events[k].version));
            json_array_append_new(ev, e);
        }
        json_object_set_new(x, "events", ev);
        json_object_set_new(x, "versions", strs_json(af->versions, af->n_versions));
        json_array_append_new(aff, x);
        bool seen = false;
        for (size_t k = 0; k < c->n_keys && !seen; k++)
            seen = c->keys[k].source_pkg == af->source_pkg && strcmp(c->keys[k].ns, af->ns) == 0 &&
                   strcmp(c->keys[k].package, af->package) == 0;
        if (!seen) {
            if (c->n_keys == c->cap_keys) {
                c->cap_keys = c->cap_keys ? c->cap_keys * 2 : 16;
                c->keys = vg_xrealloc(c->keys, c->cap_keys * sizeof(*c->keys));
            }
            c->keys[c->n_keys++] =
                (adv_key){vg_xstrdup(af->ns), vg_xstrdup(af->package), af->source_pkg};
        }
    }
    json_object_set_new(o, "affected", aff);
    json_array_append_new(c->advisories, o);
    return 0;
}

typedef struct cand_ctx {
    char **v;
    size_t n, cap;
} cand_ctx;

static int cand_cb(void *arg, const char *hash)
{
    cand_ctx *c = arg;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = vg_xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    c->v[c->n++] = vg_xstrdup(hash);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One chunk of candidate images, matched against every record of the advisory. */
typedef struct confirm_ctx {
    vg_index_report **idx;
    json_t **findings; /* per image: an array */
    size_t n;
    const vg_match_opts *mo;
} confirm_ctx;

static int confirm_cb(void *arg, const vg_advisory *a)
{
    confirm_ctx *c = arg;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->idx[i])
            continue;
        vg_vuln_report *vr = NULL;
        vg_match_advisory(&vr, c->idx[i], a, c->mo);
        for (size_t k = 0; k < vr->n_findings; k++) {
            const vg_finding *f = &vr->findings[k];
            const vg_package *p = &c->idx[i]->pkgs[f->pkg_index].pkg;
            json_t *x = json_object();
            json_object_set_new(x, "package", str_json(p->name));
            json_object_set_new(x, "version", str_json(p->version));
            json_object_set_new(x, "source", str_json(a->source));
            json_object_set_new(x, "namespace", str_json(f->ns));
            json_object_set_new(x, "severity", json_string(vg_severity_name(f->severity)));
            json_object_set_new(x, "status", json_string(vg_status_name(f->status)));
            json_object_set_new(x, "fixed_in_version", str_json(f->fixed_version));
            json_array_append_new(c->findings[i], x);
        }
        vg_vuln_report_free(vr);
    }
    return 0;
}

static bool advisory_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > DASH_MAX_ID)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              ch == '-' || ch == '_' || ch == '.' || ch == ':' || ch == '+'))
            return false;
    }
    return true;
}

void vg_api_dash_vulnerability(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    const char *id = r->param;
    if (!advisory_id_ok(id)) {
        vg_api_error(o, 400, "malformed path: not an advisory id");
        return;
    }
    adv_ctx ac = {.advisories = json_array()};
    cand_ctx cc = {0};
    json_t *images = json_array();
    double t0 = vg_api_now();
    int rc = vg_store_get_advisory(s->store, id, adv_cb, &ac);
    vg_api_store_observe(s, "get_advisory", vg_api_now() - t0);
    if (rc == 0 && json_array_size(ac.advisories) == 0)
        rc = VG_ENOTFOUND;
    for (size_t i = 0; rc == 0 && i < ac.n_keys; i++)
        rc = vg_store_manifests_with(s->store, ac.keys[i].ns, ac.keys[i].package,
                                     ac.keys[i].source_pkg, cand_cb, &cc);
    size_t uniq = 0;
    if (rc == 0 && cc.n) {
        qsort(cc.v, cc.n, sizeof(*cc.v), cmp_str);
        for (size_t i = 0; i < cc.n; i++) {
            if (uniq && strcmp(cc.v[uniq - 1], cc.v[i]) == 0) {
                free(cc.v[i]);
                continue;
            }
            cc.v[uniq++] = cc.v[i];
        }
        cc.n = uniq;
    }
    bool truncated = cc.n > DASH_VULN_MAX_CANDIDATES;
    size_t n_cand = truncated ? DASH_VULN_MAX_CANDIDATES : cc.n;
    vg_match_opts mo;
    vg_match_opts_default(&mo);
    mo.include_kernel_headers = s->cfg->include_kernel_headers;
    for (size_t base = 0; rc == 0 && base < n_cand; base += DASH_VULN_CHUNK) {
        size_t n = n_cand - base < DASH_VULN_CHUNK ? n_cand - base : DASH_VULN_CHUNK;
        vg_index_report *idx[DASH_VULN_CHUNK] = {0};
        json_t *found[DASH_VULN_CHUNK] = {0};
        for (size_t i = 0; i < n && rc == 0; i++) {
            int e = load_index(&idx[i], s, cc.v[base + i]);
            if (e != 0 && e != VG_ENOTFOUND)
                rc = e;
            if (idx[i] && idx[i]->state != VG_INDEX_FINISHED) {
                vg_index_report_free(idx[i]);
                idx[i] = NULL;
            }
            found[i] = json_array();
        }
        confirm_ctx cf = {idx, found, n, &mo};
        if (rc == 0)
            rc = vg_store_get_advisory(s->store, id, confirm_cb, &cf);
        for (size_t i = 0; i < n; i++) {
            if (rc == 0 && json_array_size(found[i]) > 0) {
                json_t *img = json_object();
                int64_t indexed = 0;
                json_object_set_new(img, "hash", str_json(cc.v[base + i]));
                json_object_set_new(img, "names", manifest_names(s, cc.v[base + i], &indexed));
                json_object_set_new(img, "indexed", time_json(indexed));
                json_object_set_new(img, "findings", found[i]);
                json_array_append_new(images, img);
            } else {
                json_decref(found[i]);
            }
            vg_index_report_free(idx[i]);
        }
    }
    for (size_t i = 0; i < ac.n_keys; i++) {
        free(ac.keys[i].ns);
        free(ac.keys[i].package);
    }
    free(ac.keys);
    for (size_t i = 0; i < cc.n; i++)
        free(cc.v[i]);
    free(cc.v);
    if (rc != 0) {
        json_decref(ac.advisories);
        json_decref(images);
        if (rc == VG_ENOTFOUND)
            vg_api_error(o, 404, "advisory %s not found in the vulnerability data", id);
        else
            vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    json_t *root = json_object();
    json_object_set_new(root, "id", str_json(id));
    json_object_set_new(root, "advisories", ac.advisories);
    json_object_set_new(root, "images", images);
    json_object_set_new(root, "candidates", json_integer((json_int_t)uniq));
    json_object_set_new(root, "truncated", json_boolean(truncated));
    send_json(o, root);
}

/* ---- notifications ---------------------------------------------------------------------- */

static const char *delivery_name(vg_delivery_state d)
{
    switch (d) {
    case VG_DELIVERY_NONE:
        return "none";
    case VG_DELIVERY_PENDING:
        return "pending";
    case VG_DELIVERY_DELIVERED:
        return "delivered";
    default:
        return "failed";
    }
}

void vg_api_dash_notifications(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    size_t limit;
    if (!query_limit(&limit, r, o, "limit", DASH_LIST_DEFAULT, DASH_LIST_MAX))
        return;
    vg_notify_set *sets = NULL;
    size_t n = 0;
    double t0 = vg_api_now();
    int rc = vg_store_notify_list(&sets, &n, s->store, limit);
    vg_api_store_observe(s, "notify_list", vg_api_now() - t0);
    if (rc != 0) {
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    json_t *root = json_object(), *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const vg_notify_set *x = &sets[i];
        json_t *j = json_object();
        json_object_set_new(j, "id", str_json(x->id));
        json_object_set_new(j, "updater", str_json(x->updater));
        json_object_set_new(j, "operation", str_json(x->op_ref));
        json_object_set_new(j, "created", time_json(x->created));
        json_object_set_new(j, "count", json_integer((json_int_t)x->count));
        json_object_set_new(j, "acknowledged", json_boolean(x->acked));
        json_object_set_new(j, "delivery", json_string(delivery_name(x->delivery)));
        json_object_set_new(j, "attempts", json_integer(x->attempts));
        json_object_set_new(j, "next_attempt", time_json(x->next_attempt));
        json_object_set_new(j, "last_error", str_json(x->last_error));
        json_array_append_new(arr, j);
    }
    free(sets);
    json_object_set_new(root, "webhook", json_boolean(s->cfg->webhook != NULL));
    json_object_set_new(root, "sets", arr);
    send_json(o, root);
}

/* ---- history ------------------------------------------------------------------------------ */

void vg_api_history_record(vg_server *s)
{
    int64_t gen = 0;
    if (vg_store_generation(&gen, s->store) != 0 || gen == 0)
        return;
    uint64_t images = 0, vulnerable = 0, fixable = 0, failed = 0, findings = 0;
    uint64_t worst[N_SEV] = {0};
    char after[160] = "";
    int rc = 0;
    double t0 = vg_api_now();
    for (;;) {
        list_ctx lc = {0};
        rc = vg_store_manifest_list(s->store, after, DASH_PAGE_MAX, list_cb, &lc);
        dash_summary *sums = vg_xcalloc(lc.n ? lc.n : 1, sizeof(*sums));
        int *rcs = vg_xcalloc(lc.n ? lc.n : 1, sizeof(*rcs));
        if (rc == 0)
            summaries_fill(s, lc.v, lc.n, gen, sums, rcs);
        for (size_t i = 0; rc == 0 && i < lc.n; i++) {
            const dash_summary *m = &sums[i];
            if (rcs[i] == VG_ENOTFOUND)
                continue;
            if ((rc = rcs[i]) != 0)
                break;
            images++;
            if (m->failed) {
                failed++;
                continue;
            }
            findings += m->total;
            if (m->total) {
                vulnerable++;
                int w = N_SEV - 1;
                while (w > 0 && m->sev[w] == 0)
                    w--;
                worst[w]++;
            }
            if (m->fixable)
                fixable++;
        }
        free(sums);
        free(rcs);
        bool more = rc == 0 && lc.n == DASH_PAGE_MAX;
        if (more)
            snprintf(after, sizeof(after), "%s", lc.v[lc.n - 1].hash);
        list_dispose(&lc);
        if (!more)
            break;
    }
    if (rc == 0) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 65536);
        vg_strbuf_printf(&sb,
                         "{\"images\":%llu,\"vulnerable\":%llu,\"fixable\":%llu,\"failed\":%llu,"
                         "\"findings\":%llu,\"worst\":{",
                         (unsigned long long)images, (unsigned long long)vulnerable,
                         (unsigned long long)fixable, (unsigned long long)failed,
                         (unsigned long long)findings);
        for (int i = N_SEV - 1; i >= 0; i--)
            vg_strbuf_printf(&sb, "\"%s\":%llu%s", vg_severity_name((vg_severity)i),
                             (unsigned long long)worst[i], i ? "," : "}}");
        rc = vg_store_history_put(s->store, gen, sb.buf);
        vg_strbuf_dispose(&sb);
    }
    vg_log_field f[] = {
        {.key = "generation", .num = gen, .is_num = true},
        {.key = "images", .num = (int64_t)images, .is_num = true},
        {.key = "vulnerable", .num = (int64_t)vulnerable, .is_num = true},
        {.key = "duration_ms", .num = (int64_t)((vg_api_now() - t0) * 1000), .is_num = true},
        {.key = "error", .str = rc ? vg_error_last() : ""},
    };
    vg_log_event(rc ? VG_LOG_WARN : VG_LOG_INFO, "dashboard history", f, VG_ARRAY_LEN(f));
}

typedef struct hist_ctx {
    json_t *points;
    int64_t newest;
} hist_ctx;

static int hist_cb(void *arg, int64_t generation, int64_t date, const char *summary)
{
    hist_ctx *c = arg;
    if (generation > c->newest)
        c->newest = generation;
    json_t *p = json_object();
    json_object_set_new(p, "generation", json_integer(generation));
    json_object_set_new(p, "date", time_json(date));
    json_t *sum = json_loads(summary, 0, NULL);
    json_object_set_new(p, "summary", sum ? sum : json_object());
    json_array_insert_new(c->points, 0, p); /* listed newest first: oldest first out */
    return 0;
}

void vg_api_dash_history(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    size_t limit;
    if (!query_limit(&limit, r, o, "limit", DASH_LIST_MAX, DASH_LIST_MAX))
        return;
    int64_t gen = 0;
    if (data_generation(&gen, s, o) != 0)
        return;
    hist_ctx hc = {json_array(), 0};
    int rc = vg_store_history_list(s->store, limit, hist_cb, &hc);
    if (rc == 0 && gen > 0 && hc.newest < gen) {
        /* Data loaded by another process (vigil update on the same store) has no point yet. */
        vg_api_history_record(s);
        json_array_clear(hc.points);
        hc.newest = 0;
        rc = vg_store_history_list(s->store, limit, hist_cb, &hc);
    }
    if (rc != 0) {
        json_decref(hc.points);
        vg_api_error(o, 503, "store unavailable: %s", vg_error_last());
        return;
    }
    json_t *root = json_object();
    json_object_set_new(root, "generation", json_integer(gen));
    json_object_set_new(root, "points", hc.points);
    send_json(o, root);
}

/* ---- what the UI needs before it has a token -------------------------------------------- */

void vg_api_dash_config(vg_server *s, const vg_api_req *r, vg_api_resp *o)
{
    (void)r;
    json_t *root = json_object();
    json_object_set_new(root, "auth", json_boolean(s->auth));
    json_object_set_new(root, "version", json_string(VG_VERSION_STRING));
    send_json(o, root);
}
