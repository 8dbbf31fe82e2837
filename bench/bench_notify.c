/* bench_notify.c — the cost of vg_notify_compute (src/notify/) for an update that adds 1,000
 * advisories, against a store of N indexed Debian 12 manifests made by combining the real
 * dpkg package lists of the fixtures. 500 fixed manifests carry the one list no other has
 * (TeX Live); only those are affected, whatever N is. The in-run baseline reads and parses
 * every stored IndexReport once: the floor of any rescan without the reverse index. The store
 * is a SQLite file in WORKDIR (kept between runs), or VG_BENCH_DSN (PostgreSQL: bench/scaleout.sh).
 */
#include "match/match.h"
#include "model/model.h"
#include "notify/notify.h"
#include "report/report.h"
#include "store/store.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RARE_LIST "claircore-texlive.tsv" /* the list only the affected manifests carry */
#define N_AFFECTED 500u                   /* manifests 0..499 carry it, at every N */
#define N_NEW_ADVISORIES 1000u            /* added by op 2 */
#define N_BASE_ADVISORIES 5u              /* in op 1 and op 2 alike: not in the diff */
#define BASE_MAX 16u   /* packages taken from a manifest's own list (consecutive) */
#define SAMPLE_MIN 12u /* plus this many to SAMPLE_MIN + SAMPLE_SPREAD - 1 from the pool */
#define SAMPLE_SPREAD 5u
#define SEED 0x5eed2024u    /* every pseudo-random choice derives from it and the index */
#define ROUNDS 3            /* best of at most this many, for both timings, */
#define ROUND_BUDGET_S 30.0 /* but no new round once this many seconds were spent */
#define COMPUTE_LIMIT_S 600 /* a compute still running then is reported as unfinished */
#define N_MAX 10000000ul    /* the most manifests accepted */
#define LINE_MAX_BYTES 4096 /* a TSV line longer than this is an error */
#define GENERATOR "bench_notify store v1" /* bump when the generated data changes */
#define UPDATER "bench"
#define OP1_FP "bench-op-1"
#define OP2_FP "bench-op-2"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_notify: %s\n", what);
    exit(1);
}

static void die_vg(const char *what, int rc)
{
    fprintf(stderr, "bench_notify: %s: %s (%s)\n", what, vg_error_last(), vg_error_name(rc));
    exit(1);
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Manifest i's hash: "sha256:" + 64 hex digits, a pure function of i. */
static void manifest_hash(char out[72], size_t i, unsigned salt)
{
    uint64_t st = ((uint64_t)SEED << 32) ^ ((uint64_t)i * 4 + salt) * 0x2545f4914f6cdd1dull;
    int at = snprintf(out, 72, "sha256:");
    for (int k = 0; k < 4; k++)
        at += snprintf(out + at, 72 - (size_t)at, "%016" PRIx64, splitmix64(&st));
}

/* ---- the real package lists ------------------------------------------------------------ */

typedef struct pkg {
    char *name, *version, *source, *source_version, *arch;
} pkg;

typedef struct pkg_list {
    char *file;
    pkg *p;
    size_t n;
} pkg_list;

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads one expected TSV (name, version, source, source_version, arch, status), keeping the
 * installed ("ii ") rows. */
static void load_tsv(pkg_list *out, const char *dir, const char *file)
{
    vg_strbuf path;
    vg_strbuf_init(&path, 4096);
    vg_strbuf_printf(&path, "%s/%s", dir, file);
    if (vg_strbuf_error(&path))
        die("fixture path too long");
    FILE *f = fopen(path.buf, "r");
    if (!f) {
        fprintf(stderr, "bench_notify: %s: %s\n", path.buf, strerror(errno));
        exit(1);
    }
    memset(out, 0, sizeof(*out));
    out->file = vg_xstrdup(file);
    size_t cap = 0, lineno = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        lineno++;
        if (len > LINE_MAX_BYTES) {
            fprintf(stderr, "bench_notify: %s:%zu: line longer than %d bytes\n", path.buf, lineno,
                    LINE_MAX_BYTES);
            exit(1);
        }
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        char *col[6];
        size_t nc = 0;
        char *p = line;
        while (nc < 6) {
            col[nc++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nc != 6 || !*col[0] || !*col[1] || !*col[2] || !*col[3]) {
            fprintf(stderr, "bench_notify: %s:%zu: expected 6 tab-separated columns\n", path.buf,
                    lineno);
            exit(1);
        }
        if (strcmp(col[5], "ii ") != 0)
            continue; /* not installed: a scanner does not report it */
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            out->p = vg_xrealloc(out->p, cap * sizeof(*out->p));
        }
        out->p[out->n++] = (pkg){vg_xstrdup(col[0]), vg_xstrdup(col[1]), vg_xstrdup(col[2]),
                                 vg_xstrdup(col[3]), vg_xstrdup(*col[4] ? col[4] : "amd64")};
    }
    if (ferror(f)) {
        fprintf(stderr, "bench_notify: %s: read error\n", path.buf);
        exit(1);
    }
    free(line);
    fclose(f);
    vg_strbuf_dispose(&path);
}

typedef struct pkg_ref {
    const pkg *p;
} pkg_ref;

typedef struct corpus {
    pkg_list *lists; /* the non-empty lists other than RARE_LIST, by file name */
    size_t n_lists;
    pkg_list rare;
    pkg_ref *pool; /* every package of `lists` */
    size_t n_pool;
    char **rare_src; /* sources of `rare` found in no other list, sorted */
    size_t n_rare_src;
} corpus;

static bool has_source(const pkg_list *l, const char *src)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->p[i].source, src) == 0)
            return true;
    return false;
}

static void corpus_load(corpus *c, const char *shared)
{
    memset(c, 0, sizeof(*c));
    vg_strbuf dir;
    vg_strbuf_init(&dir, 4096);
    vg_strbuf_printf(&dir, "%s/fixtures/dpkg/expected", shared);
    if (vg_strbuf_error(&dir))
        die("SHARED_DIR too long");
    DIR *d = opendir(dir.buf);
    if (!d) {
        fprintf(stderr, "bench_notify: %s: %s\n", dir.buf, strerror(errno));
        exit(1);
    }
    char **names = NULL;
    size_t n = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".tsv") == 0) {
            names = vg_xrealloc(names, (n + 1) * sizeof(*names));
            names[n++] = vg_xstrdup(e->d_name);
        }
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "bench_notify: no *.tsv in %s\n", dir.buf);
        exit(1);
    }
    qsort(names, n, sizeof(*names), cmp_cstr);
    bool have_rare = false;
    for (size_t i = 0; i < n; i++) {
        pkg_list l;
        load_tsv(&l, dir.buf, names[i]);
        if (strcmp(names[i], RARE_LIST) == 0) {
            c->rare = l;
            have_rare = true;
        } else if (l.n > 0) {
            c->lists = vg_xrealloc(c->lists, (c->n_lists + 1) * sizeof(*c->lists));
            c->lists[c->n_lists++] = l;
        } else {
            free(l.file);
        }
        free(names[i]);
    }
    free(names);
    if (!have_rare || c->rare.n == 0) {
        fprintf(stderr, "bench_notify: %s/%s missing or empty\n", dir.buf, RARE_LIST);
        exit(1);
    }
    if (c->n_lists == 0)
        die("no package list besides " RARE_LIST);
    for (size_t i = 0; i < c->n_lists; i++)
        for (size_t k = 0; k < c->lists[i].n; k++) {
            c->pool = vg_xrealloc(c->pool, (c->n_pool + 1) * sizeof(*c->pool));
            c->pool[c->n_pool++] = (pkg_ref){&c->lists[i].p[k]};
        }
    for (size_t k = 0; k < c->rare.n; k++) {
        const char *src = c->rare.p[k].source;
        bool elsewhere = false;
        for (size_t i = 0; i < c->n_lists && !elsewhere; i++)
            elsewhere = has_source(&c->lists[i], src);
        for (size_t j = 0; j < c->n_rare_src && !elsewhere; j++)
            elsewhere = strcmp(c->rare_src[j], src) == 0; /* already taken */
        if (!elsewhere) {
            c->rare_src = vg_xrealloc(c->rare_src, (c->n_rare_src + 1) * sizeof(*c->rare_src));
            c->rare_src[c->n_rare_src++] = c->rare.p[k].source;
        }
    }
    if (c->n_rare_src == 0)
        die(RARE_LIST " has no source package that the other lists lack");
    qsort(c->rare_src, c->n_rare_src, sizeof(*c->rare_src), cmp_cstr);
    vg_strbuf_dispose(&dir);
}

static void list_dispose(pkg_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->p[i].name);
        free(l->p[i].version);
        free(l->p[i].source);
        free(l->p[i].source_version);
        free(l->p[i].arch);
    }
    free(l->p);
    free(l->file);
}

static void corpus_dispose(corpus *c)
{
    for (size_t i = 0; i < c->n_lists; i++)
        list_dispose(&c->lists[i]);
    free(c->lists);
    list_dispose(&c->rare);
    free(c->pool);
    free(c->rare_src);
}

/* ---- manifests ------------------------------------------------------------------------- */

/* Percent-encodes a purl component: unreserved characters stay. */
static void purl_part(vg_strbuf *sb, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '-' || *p == '_' || *p == '~')
            vg_strbuf_putc(sb, (char)*p);
        else
            vg_strbuf_printf(sb, "%%%02X", *p);
    }
}

typedef struct builder {
    struct chosen {
        const pkg *p;
        const char *layer;
    } * chosen;
    size_t n, cap;
} builder;

static void take(builder *b, const pkg *p, const char *layer)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->chosen[i].p->name, p->name) == 0)
            return; /* one package of a name per database */
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->chosen = vg_xrealloc(b->chosen, b->cap * sizeof(*b->chosen));
    }
    b->chosen[b->n++] = (struct chosen){p, layer};
}

/* Manifest i: a Debian 12 IndexReport with at most BASE_MAX consecutive packages of list
 * (i mod lists) in a base layer shared by every manifest on that list, SAMPLE_MIN to
 * SAMPLE_MIN + SAMPLE_SPREAD - 1 pooled packages in its own layer, and, for i < N_AFFECTED,
 * the whole RARE_LIST in its own layer too. */
static vg_index_report *make_manifest(const corpus *c, size_t i, builder *b)
{
    char hash[72], base_layer[72], own_layer[72];
    manifest_hash(hash, i, 0);
    manifest_hash(base_layer, i % c->n_lists, 1);
    manifest_hash(own_layer, i, 2);
    vg_index_report *r = vg_index_report_new(hash);
    r->n_dists = 1;
    r->dists = vg_arena_alloc(r->arena, sizeof(vg_distribution));
    /* What os_release.c makes of Debian 12's etc/os-release. */
    r->dists[0] = (vg_distribution){
        .did = "debian",
        .name = "Debian GNU/Linux",
        .version = "12 (bookworm)",
        .version_id = "12",
        .version_code_name = "bookworm",
        .pretty_name = "Debian GNU/Linux 12 (bookworm)",
        .ns = "debian:12",
        .found_in = "etc/os-release",
    };
    r->n_layers = 2;
    r->layers = vg_arena_alloc(r->arena, 2 * sizeof(char *));
    r->layers[0] = vg_index_report_strdup(r, base_layer);
    r->layers[1] = vg_index_report_strdup(r, own_layer);

    b->n = 0;
    const pkg_list *l = &c->lists[i % c->n_lists];
    size_t from = 0, count = l->n;
    if (count > BASE_MAX) {
        from = (i / c->n_lists * 7) % (l->n - BASE_MAX + 1);
        count = BASE_MAX;
    }
    for (size_t k = from; k < from + count; k++)
        take(b, &l->p[k], r->layers[0]);
    uint64_t st = ((uint64_t)SEED << 20) ^ (uint64_t)i;
    size_t sample = SAMPLE_MIN + (size_t)(splitmix64(&st) % SAMPLE_SPREAD);
    for (size_t k = 0; k < sample; k++)
        take(b, c->pool[splitmix64(&st) % c->n_pool].p, r->layers[1]);
    if (i < N_AFFECTED)
        for (size_t k = 0; k < c->rare.n; k++)
            take(b, &c->rare.p[k], r->layers[1]);

    r->n_pkgs = b->n;
    r->pkgs = vg_arena_alloc(r->arena, b->n * sizeof(vg_index_pkg));
    vg_strbuf purl;
    vg_strbuf_init(&purl, 65536);
    for (size_t k = 0; k < b->n; k++) {
        const pkg *p = b->chosen[k].p;
        vg_strbuf_reset(&purl);
        vg_strbuf_puts(&purl, "pkg:deb/debian/");
        purl_part(&purl, p->name);
        vg_strbuf_putc(&purl, '@');
        purl_part(&purl, p->version);
        vg_strbuf_puts(&purl, "?arch=");
        purl_part(&purl, p->arch);
        vg_strbuf_puts(&purl, "&distro=debian-12");
        if (vg_strbuf_error(&purl))
            die("purl too long");
        vg_index_pkg *ip = &r->pkgs[k];
        memset(ip, 0, sizeof(*ip));
        ip->pkg = (vg_package){
            .format = VG_PKG_DPKG,
            .name = vg_index_report_strdup(r, p->name),
            .version = vg_index_report_strdup(r, p->version),
            .arch = vg_index_report_strdup(r, p->arch),
            .source_name = vg_index_report_strdup(r, p->source),
            .source_version = vg_index_report_strdup(r, p->source_version),
            .purl = vg_index_report_strdup(r, purl.buf),
            .introduced_in = b->chosen[k].layer,
        };
        ip->package_db = "var/lib/dpkg/status";
        ip->dist_index = 0;
    }
    vg_strbuf_dispose(&purl);
    return r;
}

/* ---- updates --------------------------------------------------------------------------- */

typedef struct adv_buf {
    vg_advisory a;
    vg_affected aff;
    vg_event ev[2];
    char id[32];
} adv_buf;

static const vg_advisory *advisory(adv_buf *b, const char *id, const char *source_pkg)
{
    memset(b, 0, sizeof(*b));
    snprintf(b->id, sizeof(b->id), "%s", id);
    b->ev[0] = (vg_event){VG_EVENT_INTRODUCED, "0"};
    b->ev[1] = (vg_event){VG_EVENT_FIXED, "99:0"}; /* above every installed version */
    b->aff = (vg_affected){.ns = "debian:12",
                           .package = source_pkg,
                           .source_pkg = true,
                           .scheme = "dpkg",
                           .events = b->ev,
                           .n_events = 2,
                           .status = VG_STATUS_FIXED};
    b->a = (vg_advisory){.id = b->id,
                         .source = UPDATER,
                         .summary = "synthetic advisory of bench_notify",
                         .severity = VG_SEV_MEDIUM,
                         .affected = &b->aff,
                         .n_affected = 1};
    return &b->a;
}

/* One update run of UPDATER: the base advisories (against pooled sources, in both ops),
 * then, when `with_new`, N_NEW_ADVISORIES against the rare sources, cycling. */
static void write_op(vg_store *s, const corpus *c, const char *fingerprint, bool with_new)
{
    vg_store_tx *tx = NULL;
    int rc = vg_store_update_begin(&tx, s, UPDATER, fingerprint);
    if (rc != 0)
        die_vg("update begin", rc);
    adv_buf b;
    char id[32];
    for (unsigned k = 0; k < N_BASE_ADVISORIES; k++) {
        snprintf(id, sizeof(id), "BENCH-BASE-%u", k + 1);
        const char *src = c->pool[((size_t)k * 37) % c->n_pool].p->source;
        if ((rc = vg_store_update_put(tx, advisory(&b, id, src))) != 0) {
            vg_store_update_abort(tx);
            die_vg("update put", rc);
        }
    }
    for (unsigned k = 0; with_new && k < N_NEW_ADVISORIES; k++) {
        snprintf(id, sizeof(id), "BENCH-%04u", k + 1);
        if ((rc = vg_store_update_put(tx, advisory(&b, id, c->rare_src[k % c->n_rare_src]))) != 0) {
            vg_store_update_abort(tx);
            die_vg("update put", rc);
        }
    }
    if ((rc = vg_store_update_commit(tx, NULL)) != 0)
        die_vg("update commit", rc);
}

/* ---- the store: reuse or build -------------------------------------------------------- */

typedef struct paths {
    vg_strbuf db, meta;
} paths;

static void meta_text(vg_strbuf *out, unsigned long n)
{
    vg_strbuf_printf(out, "%s n=%lu seed=%u affected=%u new=%u\n", GENERATOR, n, SEED, N_AFFECTED,
                     N_NEW_ADVISORIES);
}

/* True when the meta file says the store was completely built for `n` manifests. */
static bool meta_matches(const paths *p, unsigned long n)
{
    FILE *f = fopen(p->meta.buf, "r");
    if (!f)
        return false;
    char buf[256];
    size_t len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    vg_strbuf want;
    vg_strbuf_init(&want, 256);
    meta_text(&want, n);
    bool ok = strcmp(buf, want.buf) == 0;
    vg_strbuf_dispose(&want);
    return ok;
}

static void remove_store(const paths *p)
{
    const char *suffix[] = {"", "-wal", "-shm", "-lock"};
    vg_strbuf f;
    vg_strbuf_init(&f, 8192);
    if (unlink(p->meta.buf) != 0 && errno != ENOENT) {
        fprintf(stderr, "bench_notify: remove %s: %s\n", p->meta.buf, strerror(errno));
        exit(1);
    }
    for (size_t i = 0; i < VG_ARRAY_LEN(suffix); i++) {
        vg_strbuf_reset(&f);
        vg_strbuf_printf(&f, "%s%s", p->db.buf, suffix[i]);
        if (unlink(f.buf) != 0 && errno != ENOENT) {
            fprintf(stderr, "bench_notify: remove %s: %s\n", f.buf, strerror(errno));
            exit(1);
        }
    }
    vg_strbuf_dispose(&f);
}

/* Builds the store (in a child process, so that the measuring process's peak RSS is its
 * own): N manifests, then op 1 and op 2, then the meta file. */
static void build_store(const paths *p, const char *shared, unsigned long n)
{
    corpus c;
    corpus_load(&c, shared);
    printf("  lists: %zu real dpkg lists (%zu installed packages pooled) + %s (%zu packages, "
           "%zu source packages no other list has)\n",
           c.n_lists, c.n_pool, RARE_LIST, c.rare.n, c.n_rare_src);
    fflush(stdout);
    vg_store *s = NULL;
    int rc = vg_store_open(&s, p->db.buf);
    if (rc != 0)
        die_vg(p->db.buf, rc);
    builder b = {0};
    vg_strbuf json;
    vg_strbuf_init(&json, (size_t)1 << 26);
    size_t lo[2] = {SIZE_MAX, SIZE_MAX}, hi[2] = {0, 0}; /* [0] plain, [1] affected */
    uint64_t bytes = 0;
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        vg_index_report *r = make_manifest(&c, i, &b);
        vg_strbuf_reset(&json);
        if ((rc = vg_report_index_json(&json, r)) != 0)
            die_vg("render an IndexReport", rc);
        vg_store_pkg_key *keys = NULL;
        size_t n_keys = 0;
        vg_match_keys(&keys, &n_keys, r);
        if (n_keys != r->n_pkgs)
            die("a generated package has no match key (is the distribution Debian 12?)");
        rc = vg_store_manifest_put(s, r->manifest_hash, json.buf, json.len, r->layers, r->n_layers,
                                   keys, n_keys);
        if (rc != 0)
            die_vg("manifest put", rc);
        free(keys);
        bytes += json.len;
        int k = i < N_AFFECTED;
        lo[k] = r->n_pkgs < lo[k] ? r->n_pkgs : lo[k];
        hi[k] = r->n_pkgs > hi[k] ? r->n_pkgs : hi[k];
        vg_index_report_free(r);
        if ((i + 1) % 20000 == 0) {
            printf("  ... %zu manifests (%.1f s)\n", i + 1, now() - t0);
            fflush(stdout);
        }
    }
    double t1 = now();
    write_op(s, &c, OP1_FP, false);
    write_op(s, &c, OP2_FP, true);
    double t2 = now();
    vg_store_close(s);
    printf("  manifests: %lu Debian 12 IndexReports, %.1f MB of JSON; %zu-%zu dpkg packages each "
           "(at most %u of one list + %u-%u pooled), the %u affected ones %zu-%zu (+ %s)\n",
           n, (double)bytes / 1e6, lo[0], hi[0], BASE_MAX, SAMPLE_MIN,
           SAMPLE_MIN + SAMPLE_SPREAD - 1, N_AFFECTED, lo[1], hi[1], RARE_LIST);
    printf("  setup: manifests %.2f s, 2 update ops %.2f s (informative)\n", t1 - t0, t2 - t1);
    free(b.chosen);
    vg_strbuf_dispose(&json);
    corpus_dispose(&c);
    vg_strbuf meta;
    vg_strbuf_init(&meta, 256);
    meta_text(&meta, n);
    FILE *f = fopen(p->meta.buf, "w");
    if (!f || fputs(meta.buf, f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "bench_notify: write %s: %s\n", p->meta.buf, strerror(errno));
        exit(1);
    }
    vg_strbuf_dispose(&meta);
}

static void ensure_store(const paths *p, const char *shared, unsigned long n)
{
    if (meta_matches(p, n)) {
        printf("  store: reusing %s (built for N=%lu)\n", p->db.buf, n);
        fflush(stdout);
        return;
    }
    printf("  store: building %s\n", p->db.buf);
    fflush(stdout);
    remove_store(p);
    pid_t pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        build_store(p, shared, n);
        fflush(stdout);
        _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid failed");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("building the store failed (see above)");
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
        printf("  setup peak RSS: %ld KiB (a separate process)\n", ru.ru_maxrss);
    if (!meta_matches(p, n))
        die("the store was built but its meta file does not match");
}

/* ---- measuring ------------------------------------------------------------------------- */

/* The line printed (from the SIGALRM handler) when a compute round passes COMPUTE_LIMIT_S. */
static char limit_line[512];
static size_t limit_len;

static void on_limit(int sig)
{
    (void)sig;
    ssize_t w = write(STDOUT_FILENO, limit_line, limit_len);
    (void)w;
    _exit(3);
}

/* A /proc/self/status field in KiB ("VmRSS", "VmHWM"), or -1. */
static long proc_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    size_t fl = strlen(field);
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            char *end = NULL;
            v = strtol(line + fl + 1, &end, 10);
            if (end == line + fl + 1)
                v = -1;
            break;
        }
    }
    fclose(f);
    return v;
}

typedef struct parse_ctx {
    size_t pkgs;
    int rc;
} parse_ctx;

static int parse_body(void *arg, const char *body, size_t len)
{
    parse_ctx *c = arg;
    vg_index_report *r = NULL;
    c->rc = vg_report_index_read(&r, body, len);
    if (c->rc == 0) {
        c->pkgs += r->n_pkgs;
        vg_index_report_free(r);
    }
    return 0;
}

/* The baseline: every stored IndexReport read and parsed once. */
static double baseline(vg_store *s, unsigned long n, size_t *pkgs)
{
    parse_ctx c = {0};
    char hash[72];
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        manifest_hash(hash, i, 0);
        int rc = vg_store_manifest_get(s, hash, parse_body, &c);
        if (rc != 0)
            die_vg("baseline: manifest get", rc);
        if (c.rc != 0)
            die_vg("baseline: parse a stored IndexReport", c.rc);
    }
    double t = now() - t0;
    *pkgs = c.pkgs;
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_notify SHARED_DIR WORKDIR N_MANIFESTS\n");
        return 2;
    }
    uint64_t n64 = 0;
    if (vg_parse_u64(&n64, vg_slice_from_cstr(argv[3])) != 0 || n64 <= N_AFFECTED || n64 > N_MAX) {
        fprintf(stderr, "bench_notify: N_MANIFESTS must be a number from %u to %lu\n",
                N_AFFECTED + 1, N_MAX);
        return 2;
    }
    unsigned long n = (unsigned long)n64;
    if (mkdir(argv[2], 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_notify: mkdir %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    paths p;
    vg_strbuf_init(&p.db, 4096);
    vg_strbuf_init(&p.meta, 4096);
    /* VG_BENCH_DSN (e.g. a postgres:// URI of an empty database) puts the store there; it is
     * built afresh each run (the meta file only vouches for a SQLite file kept in WORKDIR). */
    const char *dsn = getenv("VG_BENCH_DSN");
    if (dsn && *dsn) {
        vg_strbuf_printf(&p.db, "%s", dsn);
        vg_strbuf_printf(&p.meta, "%s/notify-dsn.meta", argv[2]);
        unlink(p.meta.buf);
    } else {
        vg_strbuf_printf(&p.db, "%s/notify.db", argv[2]);
        vg_strbuf_printf(&p.meta, "%s/notify.meta", argv[2]);
    }
    if (vg_strbuf_error(&p.db) || vg_strbuf_error(&p.meta))
        die("WORKDIR too long");

    printf("-- N=%lu manifests\n", n);
    fflush(stdout);
    ensure_store(&p, argv[1], n);

    long rss_open0 = proc_kib("VmRSS");
    vg_store *s = NULL;
    int rc = vg_store_open(&s, p.db.buf);
    if (rc != 0)
        die_vg(p.db.buf, rc);
    uint64_t count = 0;
    if ((rc = vg_store_manifest_count(&count, s)) != 0)
        die_vg("manifest count", rc);
    if (count != n) {
        fprintf(stderr, "bench_notify: the store holds %" PRIu64 " manifests, not %lu: remove %s\n",
                count, n, argv[2]);
        return 1;
    }
    vg_update_op op2;
    if ((rc = vg_store_latest_op(&op2, s, UPDATER)) != 0)
        die_vg("latest op of " UPDATER, rc);
    if (strcmp(op2.fingerprint, OP2_FP) != 0)
        die("the newest " UPDATER " op is not op 2: remove the work dir");

    /* Baseline first: it also brings the store's file into the page cache for both. */
    double t_base = 0, spent = 0;
    size_t base_pkgs = 0;
    int base_rounds = 0;
    while (base_rounds < ROUNDS && (base_rounds == 0 || spent < ROUND_BUDGET_S)) {
        double t = baseline(s, n, &base_pkgs);
        if (base_rounds++ == 0 || t < t_base)
            t_base = t;
        spent += t;
    }
    long rss_before = proc_kib("VmRSS");
    printf("  baseline: every stored IndexReport read and parsed: %.3f s (best of %d), %zu "
           "packages\n",
           t_base, base_rounds, base_pkgs);

    int len =
        snprintf(limit_line, sizeof(limit_line),
                 "notify N=%lu affected=? compute>%ds baseline=%.3fs "
                 "ratio(compute/baseline)>%.1f rss_before=%ldKiB: DID NOT FINISH, "
                 "vg_notify_compute ran past the %d s limit\n",
                 n, COMPUTE_LIMIT_S, t_base, COMPUTE_LIMIT_S / t_base, rss_before, COMPUTE_LIMIT_S);
    limit_len = len > 0 ? (size_t)len : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_limit;
    if (sigaction(SIGALRM, &sa, NULL) != 0)
        die("sigaction failed");
    fflush(stdout); /* the handler writes past stdio */

    vg_notify_opts o;
    vg_notify_opts_default(&o);
    printf("  compute: vg_notify_compute(op 2) with default options\n");
    fflush(stdout);
    double t_comp = 0;
    vg_notify_result res = {0};
    int comp_rounds = 0;
    for (spent = 0; comp_rounds < ROUNDS && (comp_rounds == 0 || spent < ROUND_BUDGET_S);) {
        if (comp_rounds > 0)
            vg_notify_result_dispose(&res);
        double t0 = now();
        alarm(COMPUTE_LIMIT_S);
        rc = vg_notify_compute(&res, s, &op2, &o);
        alarm(0);
        if (rc != 0)
            die_vg("vg_notify_compute", rc);
        double t = now() - t0;
        if (comp_rounds++ == 0 || t < t_comp)
            t_comp = t;
        spent += t;
        if (res.first_run || res.advisories_added != N_NEW_ADVISORIES ||
            res.advisories_removed != 0 || res.manifests_added != N_AFFECTED ||
            res.manifests_removed != 0 || res.n != N_AFFECTED) {
            fprintf(stderr,
                    "bench_notify: wrong result: first_run=%d added=%zu removed=%zu "
                    "manifests added=%zu removed=%zu notifications=%zu (want %u advisories "
                    "added, %u manifests)\n",
                    res.first_run, res.advisories_added, res.advisories_removed,
                    res.manifests_added, res.manifests_removed, res.n, N_NEW_ADVISORIES,
                    N_AFFECTED);
            return 1;
        }
    }
    long rss_after = proc_kib("VmRSS");
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        die("getrusage failed");
    long hwm = proc_kib("VmHWM"); /* exact; ru_maxrss may trail it by a few pages */
    long peak = hwm > ru.ru_maxrss ? hwm : ru.ru_maxrss;
    size_t affected = res.manifests_added, confirmed = res.candidates;
    printf("  diff: +%zu -%zu advisories; candidates confirmed: %zu (manifest, advisory) pairs\n",
           res.advisories_added, res.advisories_removed, confirmed);
    vg_notify_result_dispose(&res);
    long rss_freed = proc_kib("VmRSS");
    malloc_trim(0); /* what glibc keeps vs what is still allocated */
    long rss_trimmed = proc_kib("VmRSS");
    printf("  RSS: %ld KiB before opening the store, %ld KiB before compute, %ld KiB after it "
           "(result held), %ld KiB once the result is freed, %ld KiB after malloc_trim; peak %ld "
           "KiB (VmHWM %ld, ru_maxrss "
           "%ld: store open + baseline + compute)\n",
           rss_open0, rss_before, rss_after, rss_freed, rss_trimmed, peak, hwm, ru.ru_maxrss);
    printf("notify N=%lu affected=%zu compute=%.3fs baseline=%.3fs ratio(compute/baseline)=%.3f "
           "peak_rss=%ldKiB (best of %d and %d rounds)\n",
           n, affected, t_comp, t_base, t_comp / t_base, peak, comp_rounds, base_rounds);
    vg_store_close(s);
    vg_strbuf_dispose(&p.db);
    vg_strbuf_dispose(&p.meta);
    return 0;
}
