/* match.c — the matcher (vg_match): per package, candidate advisories from the store by
 * namespace and name, each affected record evaluated with the scheme's real version rules,
 * then status filtering, kernel-header suppression and NVD enrichment. */
#include "match.h"
#include "version/version.h"

#include <stdlib.h>
#include <string.h>

void vg_match_opts_default(vg_match_opts *o)
{
    memset(o, 0, sizeof(*o));
}

static bool is_kernel_headers(const char *name)
{
    return strcmp(name, "linux-libc-dev") == 0 || strcmp(name, "kernel-headers") == 0 ||
           strncmp(name, "linux-headers-", 14) == 0;
}

bool vg_match_key(const vg_index_report *index, size_t pkg_index, const char **ns,
                  const char **package, bool *source_pkg, const char **version, const char **scheme)
{
    const vg_index_pkg *ip = &index->pkgs[pkg_index];
    const vg_package *p = &ip->pkg;
    const char *dist_ns = ip->dist_index >= 0 ? index->dists[ip->dist_index].ns : NULL;
    switch (p->format) {
    case VG_PKG_DPKG:
    case VG_PKG_APK:
        if (!dist_ns)
            return false;
        *ns = dist_ns;
        *package = p->source_name ? p->source_name : p->name;
        *version = p->source_version ? p->source_version : p->version;
        *source_pkg = true;
        *scheme = p->format == VG_PKG_DPKG ? "dpkg" : "apk";
        return true;
    case VG_PKG_RPM:
        if (!dist_ns)
            return false;
        *ns = dist_ns;
        *package = p->name;
        *version = p->version;
        *source_pkg = false;
        *scheme = "rpm";
        return true;
    case VG_PKG_PYTHON:
        *ns = "pypi";
        *scheme = "pep440";
        break;
    case VG_PKG_NPM:
        *ns = "npm";
        *scheme = "semver";
        break;
    case VG_PKG_GO:
        *ns = "go";
        *scheme = "go";
        break;
    case VG_PKG_JAVA:
        *ns = "maven";
        *scheme = "maven";
        break;
    case VG_PKG_GEM:
        *ns = "rubygems";
        *scheme = "rubygems";
        break;
    default:
        return false;
    }
    *package = p->name;
    *version = p->version;
    *source_pkg = false;
    return true;
}

typedef struct match_ctx {
    vg_vuln_report *r;
    const vg_match_opts *opts;
    vg_store *store;
    size_t pkg_index;
    const char *version;
    const char *pkg_arch;
    const char *pkg_module;
    vg_finding *items;
    size_t n, cap;
} match_ctx;

static const char *dup(vg_vuln_report *r, const char *s)
{
    return s ? vg_arena_strndup(r->arena, s, strlen(s)) : NULL;
}

static void note_invalid(match_ctx *m)
{
    if (m->r->n_invalid++ == 0)
        m->r->first_invalid = dup(m->r, vg_error_last());
}

/* Evaluates one affected record for the current package. Returns true when it applies and
 * sets *fixed to the first fixed version above the installed one (or NULL). */
static bool applies(match_ctx *m, const vg_affected *af, const char **fixed)
{
    *fixed = NULL;
    if (af->status == VG_STATUS_NOT_AFFECTED)
        return false;
    if (af->arch && *af->arch && m->pkg_arch && strcmp(af->arch, m->pkg_arch) != 0 &&
        strcmp(af->arch, "noarch") != 0)
        return false;
    if (af->module && *af->module) {
        /* A module-stream record applies only to packages built from that stream
         * ("nodejs:18" matches modularitylabel "nodejs:18:8080020230802161545:..."). */
        size_t n = strlen(af->module);
        if (!m->pkg_module || strncmp(m->pkg_module, af->module, n) != 0 ||
            (m->pkg_module[n] != '\0' && m->pkg_module[n] != ':'))
            return false;
    }
    vg_scheme scheme;
    if (!af->scheme || vg_version_scheme_lookup(&scheme, af->scheme) != 0) {
        note_invalid(m);
        return false;
    }
    if (af->n_events == 0 && af->n_versions == 0)
        return af->status != VG_STATUS_FIXED; /* unfixed, will-not-fix, investigating: all */
    vg_range_event stack_ev[16];
    vg_range_event *ev =
        af->n_events <= 16 ? stack_ev : vg_xmalloc(af->n_events * sizeof(vg_range_event));
    for (size_t i = 0; i < af->n_events; i++) {
        ev[i].kind = (vg_range_event_kind)af->events[i].kind;
        ev[i].version = af->events[i].version;
    }
    vg_range range = {scheme, ev, af->n_events, af->versions, af->n_versions};
    bool hit = false;
    if (vg_version_affected(&hit, &range, m->version) != 0) {
        note_invalid(m);
        hit = false;
    }
    if (hit) {
        for (size_t i = 0; i < af->n_events; i++) {
            int c;
            if (af->events[i].kind != VG_EVENT_FIXED ||
                vg_version_compare(&c, scheme, af->events[i].version, m->version) != 0 || c <= 0)
                continue;
            int d;
            if (!*fixed ||
                (vg_version_compare(&d, scheme, af->events[i].version, *fixed) == 0 && d < 0))
                *fixed = af->events[i].version;
        }
    }
    if (ev != stack_ev)
        free(ev);
    return hit;
}

static int on_advisory(void *arg, const vg_advisory *a)
{
    match_ctx *m = arg;
    const vg_index_report *ix = m->r->index;
    const char *ns, *pkg, *ver, *scheme;
    bool src;
    vg_match_key(ix, m->pkg_index, &ns, &pkg, &src, &ver, &scheme);
    for (size_t i = 0; i < a->n_affected; i++) {
        const vg_affected *af = &a->affected[i];
        if (strcmp(af->ns, ns) != 0 || strcmp(af->package, pkg) != 0 || af->source_pkg != src)
            continue;
        const char *fixed;
        if (!applies(m, af, &fixed))
            continue;
        if (m->n == m->cap) {
            m->cap = m->cap ? m->cap * 2 : 64;
            m->items = vg_xrealloc(m->items, m->cap * sizeof(*m->items));
        }
        vg_finding *f = &m->items[m->n++];
        memset(f, 0, sizeof(*f));
        vg_vuln_report *r = m->r;
        f->pkg_index = m->pkg_index;
        f->id = dup(r, a->id);
        f->source = dup(r, a->source);
        f->ns = dup(r, af->ns);
        f->summary = dup(r, a->summary);
        f->description = dup(r, a->description);
        f->published = dup(r, a->published);
        f->n_links = a->n_links;
        f->links = vg_arena_alloc(r->arena, (a->n_links ? a->n_links : 1) * sizeof(char *));
        for (size_t k = 0; k < a->n_links; k++)
            f->links[k] = dup(r, a->links[k]);
        f->severity = f->vendor_severity = a->severity;
        f->severity_label = dup(r, a->severity_label);
        for (size_t k = 0; k < a->n_cvss; k++) {
            if (!f->cvss_vector || a->cvss[k].score > f->cvss_score) {
                f->cvss_vector = dup(r, a->cvss[k].vector);
                f->cvss_score = a->cvss[k].score;
                f->cvss_source = dup(r, a->cvss[k].source);
            }
        }
        f->status = fixed ? VG_STATUS_FIXED
                          : (af->status == VG_STATUS_FIXED ? VG_STATUS_AFFECTED : af->status);
        f->fixed_version = dup(r, fixed);
        f->introduced_in = dup(r, ix->pkgs[m->pkg_index].pkg.introduced_in);
        break; /* one finding per advisory and package */
    }
    return 0;
}

/* NVD enrichment: the CVSS and severity NVD gives for the same CVE. */
typedef struct nvd_ctx {
    vg_vuln_report *r;
    vg_finding *f;
} nvd_ctx;

static int on_nvd(void *arg, const vg_advisory *a)
{
    nvd_ctx *c = arg;
    if (!a->source || strcmp(a->source, "nvd") != 0)
        return 0;
    c->f->nvd_severity = a->severity;
    if (c->f->severity == VG_SEV_UNKNOWN)
        c->f->severity = a->severity;
    for (size_t k = 0; k < a->n_cvss; k++) {
        if (!c->f->cvss_vector || (c->f->cvss_source && strcmp(c->f->cvss_source, "nvd") == 0 &&
                                   a->cvss[k].score > c->f->cvss_score)) {
            c->f->cvss_vector = dup(c->r, a->cvss[k].vector);
            c->f->cvss_score = a->cvss[k].score;
            c->f->cvss_source = dup(c->r, a->cvss[k].source ? a->cvss[k].source : "nvd");
        }
    }
    if (!c->f->description && a->description)
        c->f->description = dup(c->r, a->description);
    return 0;
}

static int finding_cmp(const void *x, const void *y)
{
    const vg_finding *a = x, *b = y;
    if (a->pkg_index != b->pkg_index)
        return a->pkg_index < b->pkg_index ? -1 : 1;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Moves the collected findings into the report's arena, in report order. */
static void finish(vg_vuln_report *r, match_ctx *m)
{
    if (m->n)
        qsort(m->items, m->n, sizeof(*m->items), finding_cmp);
    r->findings = vg_arena_alloc(r->arena, (m->n ? m->n : 1) * sizeof(vg_finding));
    if (m->n)
        memcpy(r->findings, m->items, m->n * sizeof(vg_finding));
    r->n_findings = m->n;
    free(m->items);
    m->items = NULL;
}

int vg_match(vg_vuln_report **out, vg_store *s, const vg_index_report *index,
             const vg_match_opts *o)
{
    vg_vuln_report *r = vg_xcalloc(1, sizeof(*r));
    r->arena = vg_arena_new(65536);
    r->index = index;
    match_ctx m = {.r = r, .opts = o, .store = s};
    int rc = 0;
    for (size_t i = 0; i < index->n_pkgs && rc == 0; i++) {
        const char *ns, *pkg, *ver, *scheme;
        bool src;
        if (!vg_match_key(index, i, &ns, &pkg, &src, &ver, &scheme))
            continue;
        size_t before = m.n;
        m.pkg_index = i;
        m.version = ver;
        m.pkg_arch = index->pkgs[i].pkg.arch;
        m.pkg_module = index->pkgs[i].pkg.module;
        rc = vg_store_find_affected(s, ns, pkg, src, on_advisory, &m);
        if (rc == 0 && !o->include_kernel_headers && is_kernel_headers(index->pkgs[i].pkg.name)) {
            r->n_suppressed_kernel += m.n - before;
            m.n = before;
        }
    }
    for (size_t i = 0; i < m.n && rc == 0; i++) {
        if (strncmp(m.items[i].id, "CVE-", 4) != 0)
            continue;
        nvd_ctx c = {r, &m.items[i]};
        int e = vg_store_get_advisory(s, m.items[i].id, on_nvd, &c);
        if (e != 0 && e != VG_ENOTFOUND)
            rc = e;
    }
    if (rc) {
        free(m.items);
        vg_vuln_report_free(r);
        return rc;
    }
    finish(r, &m);
    *out = r;
    return 0;
}

void vg_match_keys(vg_store_pkg_key **out, size_t *n, const vg_index_report *index)
{
    *out = vg_xcalloc(index->n_pkgs ? index->n_pkgs : 1, sizeof(**out));
    *n = 0;
    for (size_t i = 0; i < index->n_pkgs; i++) {
        const char *ns, *pkg, *ver, *scheme;
        bool src;
        if (vg_match_key(index, i, &ns, &pkg, &src, &ver, &scheme))
            (*out)[(*n)++] = (vg_store_pkg_key){ns, pkg, src};
    }
}

int vg_match_advisory(vg_vuln_report **out, const vg_index_report *index, const vg_advisory *a,
                      const vg_match_opts *o)
{
    vg_vuln_report *r = vg_xcalloc(1, sizeof(*r));
    r->arena = vg_arena_new(4096);
    r->index = index;
    match_ctx m = {.r = r, .opts = o, .store = NULL};
    for (size_t i = 0; i < index->n_pkgs; i++) {
        const char *ns, *pkg, *ver, *scheme;
        bool src;
        if (!vg_match_key(index, i, &ns, &pkg, &src, &ver, &scheme))
            continue;
        bool named = false;
        for (size_t k = 0; k < a->n_affected && !named; k++)
            named = strcmp(a->affected[k].ns, ns) == 0 &&
                    strcmp(a->affected[k].package, pkg) == 0 && a->affected[k].source_pkg == src;
        if (!named)
            continue;
        size_t before = m.n;
        m.pkg_index = i;
        m.version = ver;
        m.pkg_arch = index->pkgs[i].pkg.arch;
        m.pkg_module = index->pkgs[i].pkg.module;
        on_advisory(&m, a);
        if (!o->include_kernel_headers && is_kernel_headers(index->pkgs[i].pkg.name)) {
            r->n_suppressed_kernel += m.n - before;
            m.n = before;
        }
    }
    finish(r, &m);
    *out = r;
    return 0;
}

void vg_vuln_report_free(vg_vuln_report *r)
{
    if (!r)
        return;
    vg_arena_free(r->arena);
    free(r);
}
