/* coalesce.c — stacks per-layer results into one IndexReport (vg_index_coalesce): layers in
 * order, whiteouts and opaque directories hide what is below them, the newest copy of each
 * package database wins, and each package keeps the lowest layer from which its name,
 * version and arch survive to the top. OS packages point at the distribution and get their
 * deb/apk purls here; an npm lockfile yields to an installed node_modules tree beside it.
 * Reads only layer results, never layers. */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

/* The surviving copy of one path (a package DB or a release file) after some layers. */
typedef struct live {
    const char *path;
    const vg_pkgdb *db;             /* NULL for a release file */
    const vg_release_file *release; /* NULL for a package DB */
    const char **introduced;        /* per package of db: the layer digest */
} live;

typedef struct state {
    live *items;
    size_t n, cap;
} state;

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 0)
        return true; /* the root itself */
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static void remove_at(state *st, size_t i)
{
    free(st->items[i].introduced);
    st->items[i] = st->items[--st->n];
}

static void apply_whiteouts(state *st, const vg_layer_result *l)
{
    for (size_t i = 0; i < st->n;) {
        const char *p = st->items[i].path;
        bool gone = false;
        for (size_t w = 0; w < l->n_whiteouts && !gone; w++)
            gone = strcmp(p, l->whiteouts[w]) == 0 || under(p, l->whiteouts[w]);
        for (size_t o = 0; o < l->n_opaque && !gone; o++)
            gone = under(p, l->opaque_dirs[o]);
        if (gone)
            remove_at(st, i);
        else
            i++;
    }
}

static live *find(state *st, const char *path)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->items[i].path, path) == 0)
            return &st->items[i];
    return NULL;
}

static live *put(state *st, const char *path)
{
    live *it = find(st, path);
    if (it) {
        free(it->introduced);
    } else {
        if (st->n == st->cap) {
            st->cap = st->cap ? st->cap * 2 : 16;
            st->items = vg_xrealloc(st->items, st->cap * sizeof(*st->items));
        }
        it = &st->items[st->n++];
    }
    memset(it, 0, sizeof(*it));
    it->path = path;
    return it;
}

static int str_or_empty_cmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int pkg_key_cmp(const vg_package *a, const vg_package *b)
{
    int c = strcmp(a->name, b->name);
    if (!c)
        c = strcmp(a->version, b->version);
    if (!c)
        c = str_or_empty_cmp(a->arch, b->arch);
    return c;
}

/* Sorted view of a package array for binary search by (name, version, arch). */
typedef struct pkg_index {
    const vg_package *pkgs;
    size_t *order;
    size_t n;
} pkg_index;

static int order_cmp(const void *x, const void *y, void *base)
{
    const vg_package *pkgs = base;
    return pkg_key_cmp(&pkgs[*(const size_t *)x], &pkgs[*(const size_t *)y]);
}

static void pkg_index_build(pkg_index *ix, const vg_pkgdb *db)
{
    ix->pkgs = db->pkgs;
    ix->n = db->n_pkgs;
    ix->order = vg_xmalloc((ix->n ? ix->n : 1) * sizeof(size_t));
    for (size_t i = 0; i < ix->n; i++)
        ix->order[i] = i;
    qsort_r(ix->order, ix->n, sizeof(size_t), order_cmp, (void *)db->pkgs);
}

static long pkg_index_find(const pkg_index *ix, const vg_package *p)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = pkg_key_cmp(&ix->pkgs[ix->order[mid]], p);
        if (c == 0)
            return (long)ix->order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static void add_db(state *st, const vg_pkgdb *db, const char *digest)
{
    live *prev = find(st, db->path);
    const char **introduced = vg_xmalloc((db->n_pkgs ? db->n_pkgs : 1) * sizeof(char *));
    pkg_index ix = {0};
    if (prev && prev->db)
        pkg_index_build(&ix, prev->db);
    for (size_t k = 0; k < db->n_pkgs; k++) {
        long at = prev && prev->db ? pkg_index_find(&ix, &db->pkgs[k]) : -1;
        introduced[k] = at >= 0 ? prev->introduced[at] : digest;
    }
    free(ix.order);
    live *it = put(st, db->path);
    it->db = db;
    it->introduced = introduced;
}

/* Release files in order of trust: the first one present decides the distribution. */
static const char *const release_priority[] = {
    "etc/os-release",     "usr/lib/os-release", "etc/lsb-release",    "etc/alpine-release",
    "etc/debian_version", "etc/redhat-release", "etc/system-release",
};

static int release_rank(const char *path)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(release_priority); i++)
        if (strcmp(path, release_priority[i]) == 0)
            return (int)i;
    return (int)VG_ARRAY_LEN(release_priority);
}

static const char *dup(vg_index_report *r, const char *s)
{
    return vg_index_report_strdup(r, s);
}

static void copy_dist(vg_index_report *r, vg_distribution *to, const vg_distribution *from)
{
    to->did = dup(r, from->did);
    to->name = dup(r, from->name);
    to->version = dup(r, from->version);
    to->version_id = dup(r, from->version_id);
    to->version_code_name = dup(r, from->version_code_name);
    to->pretty_name = dup(r, from->pretty_name);
    to->cpe = dup(r, from->cpe);
    to->ns = dup(r, from->ns);
    to->found_in = dup(r, from->found_in);
}

/* Picks the most trusted surviving release file; when it lacks a version (Debian testing's
 * os-release), a lower-ranked file of the same distribution may supply one. */
static void choose_distribution(vg_index_report *r, const state *st)
{
    const live *best = NULL;
    for (size_t i = 0; i < st->n; i++) {
        const live *it = &st->items[i];
        if (it->release && (!best || release_rank(it->path) < release_rank(best->path)))
            best = it;
    }
    if (!best)
        return;
    r->dists = vg_arena_alloc(r->arena, sizeof(vg_distribution));
    r->n_dists = 1;
    copy_dist(r, &r->dists[0], &best->release->dist);
    if (r->dists[0].version_id)
        return;
    for (size_t i = 0; i < st->n; i++) {
        const vg_distribution *d = st->items[i].release ? &st->items[i].release->dist : NULL;
        if (d && d != &best->release->dist && d->version_id && d->did && r->dists[0].did &&
            strcmp(d->did, r->dists[0].did) == 0) {
            r->dists[0].version_id = dup(r, d->version_id);
            r->dists[0].ns = dup(r, d->ns);
            break;
        }
    }
}

/* Package formats that belong to the distribution (and point at it in the report). */
static bool os_format(vg_pkg_format f)
{
    return f == VG_PKG_DPKG || f == VG_PKG_APK || f == VG_PKG_RPM;
}

/* The purl of a dpkg or apk package the scanner left without one, now that the distribution
 * is known: pkg:deb/<did>/<name>@<version>?arch=<arch>&distro=<did>-<version_id> (did
 * "debian" when no distribution was found) and pkg:apk/alpine/...&distro=alpine-<version_id>.
 * The distro qualifier falls back to the codename (Debian testing has no VERSION_ID) and is
 * left out when neither is known. */
static const char *os_purl(vg_index_report *r, const vg_package *p, const vg_distribution *d,
                           vg_strbuf *sb)
{
    if (p->format != VG_PKG_DPKG && p->format != VG_PKG_APK)
        return NULL;
    const char *type = p->format == VG_PKG_DPKG ? "deb" : "apk";
    const char *ns = p->format == VG_PKG_DPKG ? (d && d->did ? d->did : "debian") : "alpine";
    vg_strbuf distro;
    vg_strbuf_init(&distro, 1024);
    const char *rel = d ? (d->version_id ? d->version_id : d->version_code_name) : NULL;
    if (rel)
        vg_strbuf_printf(&distro, "%s-%s", d->did ? d->did : ns, rel);
    vg_purl_qualifier q[] = {{"arch", p->arch}, {"distro", distro.len ? distro.buf : NULL}};
    const char *purl = NULL;
    if (vg__purl_build(sb, type, ns, p->name, p->version, q, VG_ARRAY_LEN(q)) == 0)
        purl = dup(r, sb->buf);
    vg_strbuf_dispose(&distro);
    return purl;
}

/* True for an npm lockfile whose directory holds a surviving node_modules/.../package.json:
 * the installed tree wins (npm.c explains why). `items` is sorted by path. */
static bool lockfile_shadowed(const state *st, const live *it)
{
    if (!it->db || it->db->format != VG_PKG_NPM)
        return false;
    const char *slash = strrchr(it->path, '/');
    const char *base = slash ? slash + 1 : it->path;
    if (strcmp(base, "package-lock.json") != 0 && strcmp(base, "npm-shrinkwrap.json") != 0)
        return false;
    size_t dir_len = slash ? (size_t)(slash - it->path) + 1 : 0; /* with its '/' */
    for (size_t i = 0; i < st->n; i++) {
        const live *o = &st->items[i];
        const char *op = o->path;
        if (o->db && o->db->format == VG_PKG_NPM && strncmp(op, it->path, dir_len) == 0 &&
            strncmp(op + dir_len, "node_modules/", 13) == 0 && o->db->n_pkgs > 0)
            return true;
    }
    return false;
}

static int live_cmp(const void *x, const void *y)
{
    return strcmp(((const live *)x)->path, ((const live *)y)->path);
}

int vg_index_coalesce(vg_index_report **out, vg_layer_result *const *layers, size_t n,
                      const char *manifest_hash)
{
    state st = {0};
    for (size_t l = 0; l < n; l++) {
        const vg_layer_result *lr = layers[l];
        apply_whiteouts(&st, lr);
        for (size_t d = 0; d < lr->n_dbs; d++)
            add_db(&st, &lr->dbs[d], lr->digest);
        for (size_t f = 0; f < lr->n_releases; f++)
            put(&st, lr->releases[f].path)->release = &lr->releases[f];
    }
    if (st.n)
        qsort(st.items, st.n, sizeof(*st.items), live_cmp);

    vg_index_report *r = vg_index_report_new(manifest_hash);
    choose_distribution(r, &st);
    for (size_t l = 0; l < n; l++) {
        const vg_layer_result *lr = layers[l];
        for (size_t w = 0; w < lr->n_warnings; w++) {
            if (r->n_warnings == VG_MAX_WARNINGS) {
                r->warnings_dropped++;
                continue;
            }
            if (r->n_warnings == 0)
                r->warnings = vg_arena_alloc(r->arena, VG_MAX_WARNINGS * sizeof(char *));
            r->warnings[r->n_warnings++] = dup(r, lr->warnings[w]);
        }
        r->warnings_dropped += lr->warnings_dropped;
    }
    vg_strbuf purl;
    vg_strbuf_init(&purl, VG_PURL_MAX);
    size_t total = 0;
    for (size_t i = 0; i < st.n; i++)
        total += st.items[i].db ? st.items[i].db->n_pkgs : 0;
    r->pkgs = vg_arena_alloc(r->arena, (total ? total : 1) * sizeof(vg_index_pkg));
    for (size_t i = 0; i < st.n; i++) {
        const live *it = &st.items[i];
        if (!it->db || lockfile_shadowed(&st, it))
            continue;
        const char *db_path = dup(r, it->path);
        for (size_t k = 0; k < it->db->n_pkgs; k++) {
            const vg_package *p = &it->db->pkgs[k];
            vg_index_pkg *ip = &r->pkgs[r->n_pkgs++];
            memset(ip, 0, sizeof(*ip));
            ip->pkg.format = p->format;
            ip->pkg.name = dup(r, p->name);
            ip->pkg.version = dup(r, p->version);
            ip->pkg.arch = dup(r, p->arch);
            ip->pkg.source_name = dup(r, p->source_name);
            ip->pkg.source_version = dup(r, p->source_version);
            ip->pkg.module = dup(r, p->module);
            ip->pkg.vendor = dup(r, p->vendor);
            ip->pkg.purl =
                p->purl ? dup(r, p->purl) : os_purl(r, p, r->n_dists ? &r->dists[0] : NULL, &purl);
            ip->pkg.introduced_in = dup(r, it->introduced[k]);
            ip->package_db = db_path;
            ip->dist_index = r->n_dists && os_format(p->format) ? 0 : -1;
        }
    }
    vg_strbuf_dispose(&purl);
    for (size_t i = 0; i < st.n; i++)
        free(st.items[i].introduced);
    free(st.items);
    *out = r;
    return 0;
}
