/* debian.c — the Debian updater of src/feed/: the security tracker's JSON
 * (security-tracker.debian.org/tracker/data/json, source package → CVE → release → status,
 * fixed_version, urgency) into one advisory per CVE with one affected record per package and
 * release. The document is split by package with the JSON cursor, so jansson never holds more
 * than one CVE entry of it. */
#include "feed_int.h"
#include "version/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Mapping decisions:
 * - Namespace: "debian:<major>" from the release codename (table below, buzz … trixie);
 *   any other codename keeps its name ("debian:sid", "debian:forky"), which is what the
 *   os-release scanner derives for testing/unstable images that carry no VERSION_ID.
 * - Package: the tracker's key, a source package (source_pkg), scheme dpkg.
 * - Status per release: fixed_version "0" → not-affected; "resolved" with a version → fixed
 *   (introduced 0, fixed V); "resolved" without one → not-affected; "open" → affected
 *   (introduced 0), or will-not-fix when its urgency is "end-of-life" (security support of
 *   the package ended in that release); "undetermined" and any status the tracker may add
 *   later → under-investigation. A fixed version dpkg rejects drops that one record
 *   (counted in ctx->skipped), as does an entry whose CVE id or package name is empty.
 * - Severity: urgency without the trailing "*" / "**" (derived from NVD): unimportant →
 *   Negligible, low, medium, high; "not yet assigned", "end-of-life" and others → Unknown.
 *   The advisory takes the highest over all its packages and releases; the label is that
 *   urgency word.
 * - One advisory per CVE id (or TEMP-… id): entries for the same id under several source
 *   packages are merged, in document order. Duplicate keys: the last one wins, as jansson.
 */

static const char *const debian_urls[] = {"https://security-tracker.debian.org/tracker/data/json",
                                          NULL};

static const struct {
    const char *codename;
    const char *version;
} codenames[] = {
    {"buzz", "1.1"},    {"rex", "1.2"},     {"bo", "1.3"},    {"hamm", "2.0"},  {"slink", "2.1"},
    {"potato", "2.2"},  {"woody", "3.0"},   {"sarge", "3.1"}, {"etch", "4"},    {"lenny", "5"},
    {"squeeze", "6"},   {"wheezy", "7"},    {"jessie", "8"},  {"stretch", "9"}, {"buster", "10"},
    {"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"},
};

#define SRC "debian"

typedef struct pkg_ref {
    const char *name;
    size_t off, len, order;
    bool keep;
} pkg_ref;

typedef struct entry {
    const char *cve;
    size_t pkg; /* index into the package table */
    size_t order;
    size_t off, len;
} entry;

typedef struct parse_state {
    vg_feed_ctx *ctx;
    const char *buf;
    size_t len;
    pkg_ref *pkgs;
    size_t n_pkgs;
    entry *ents;
    size_t n_ents, cap_ents;
    vg_arena *scratch; /* one advisory's data */
    vg_strbuf path;
} parse_state;

static int cmp_pkg(const void *a, const void *b)
{
    const pkg_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->cve, y->cve);
    if (c)
        return c;
    if (x->pkg != y->pkg)
        return x->pkg < y->pkg ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static const char *ns_for(vg_arena *a, const char *codename)
{
    const char *v = codename;
    for (size_t i = 0; i < VG_ARRAY_LEN(codenames); i++)
        if (strcmp(codename, codenames[i].codename) == 0)
            v = codenames[i].version;
    size_t n = strlen(v);
    char *out = vg_arena_alloc(a, n + 8);
    snprintf(out, n + 8, "debian:%s", v);
    return out;
}

/* The urgency word without the trailing stars, and its severity. */
static vg_severity urgency_severity(const char **label, vg_arena *a, const char *u)
{
    size_t n = strlen(u);
    while (n > 0 && (u[n - 1] == '*' || u[n - 1] == ' '))
        n--;
    *label = vg_arena_strndup(a, u, n);
    static const struct {
        const char *word;
        vg_severity sev;
    } map[] = {
        {"unimportant", VG_SEV_NEGLIGIBLE},
        {"low", VG_SEV_LOW},
        {"medium", VG_SEV_MEDIUM},
        {"high", VG_SEV_HIGH},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(map); i++)
        if (strcmp(*label, map[i].word) == 0)
            return map[i].sev;
    return VG_SEV_UNKNOWN;
}

static int type_error(parse_state *st, const json_t *j, const char *want)
{
    return vg__feed_fail(st->ctx, SRC, VG_EINVAL, st->path.buf, "expected %s, got %s", want,
                         vg__json_type_name(j, true));
}

/* An optional string member: NULL when absent or null. */
static int opt_string(const char **out, parse_state *st, const json_t *obj, const char *key)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    size_t mark = st->path.len;
    vg__jpath_key(&st->path, key);
    if (!json_is_string(v))
        return type_error(st, v, "a string");
    vg__jpath_cut(&st->path, mark);
    *out = json_string_value(v);
    return 0;
}

static void set_path(parse_state *st, const char *pkg, const char *cve)
{
    vg_strbuf_reset(&st->path);
    vg__jpath_key(&st->path, pkg);
    if (cve)
        vg__jpath_key(&st->path, cve);
}

/* Builds one affected record from a release object. Returns 1 when the record is dropped. */
static int one_release(vg_affected *af, vg_severity *sev, const char **label, parse_state *st,
                       const char *pkg, const char *codename, const json_t *rel)
{
    vg_arena *a = st->scratch;
    if (!json_is_object(rel))
        return type_error(st, rel, "an object");
    const char *status, *fixed, *urgency;
    int rc = opt_string(&status, st, rel, "status");
    if (!rc)
        rc = opt_string(&fixed, st, rel, "fixed_version");
    if (!rc)
        rc = opt_string(&urgency, st, rel, "urgency");
    if (rc)
        return rc;
    if (!status) {
        vg__jpath_key(&st->path, "status");
        return vg__feed_fail(st->ctx, SRC, VG_EINVAL, st->path.buf, "missing");
    }
    if (urgency && *urgency) {
        const char *l;
        vg_severity s = urgency_severity(&l, a, urgency);
        if (s > *sev) {
            *sev = s;
            *label = l;
        } else if (!*label) {
            *label = l;
        }
    }
    memset(af, 0, sizeof(*af));
    af->ns = ns_for(a, codename);
    af->package = pkg;
    af->source_pkg = true;
    af->scheme = "dpkg";
    bool has_fix = fixed && *fixed;
    bool eol = urgency && strcmp(urgency, "end-of-life") == 0;
    vg_event *ev = vg_arena_alloc(a, 2 * sizeof(*ev));
    ev[0] = (vg_event){VG_EVENT_INTRODUCED, "0"};
    if (has_fix && strcmp(fixed, "0") == 0) {
        af->status = VG_STATUS_NOT_AFFECTED;
        return 0;
    }
    if (strcmp(status, "resolved") == 0) {
        if (!has_fix) {
            af->status = VG_STATUS_NOT_AFFECTED;
            return 0;
        }
        if (vg_version_check(VG_SCHEME_DPKG, fixed) != 0) {
            vg_error_clear();
            st->ctx->skipped++;
            return 1;
        }
        af->status = VG_STATUS_FIXED;
        ev[1] = (vg_event){VG_EVENT_FIXED, vg_arena_strndup(a, fixed, strlen(fixed))};
        af->events = ev;
        af->n_events = 2;
        return 0;
    }
    if (strcmp(status, "open") == 0)
        af->status = eol ? VG_STATUS_WILL_NOT_FIX : VG_STATUS_AFFECTED;
    else
        af->status = VG_STATUS_UNDER_INVESTIGATION;
    af->events = ev;
    af->n_events = 1;
    return 0;
}

static bool has_link(const vg_advisory *adv, const char *l)
{
    for (size_t i = 0; i < adv->n_links; i++)
        if (strcmp(adv->links[i], l) == 0)
            return true;
    return false;
}

/* Emits the advisory of entries [lo, hi), which share one CVE id. */
static int emit_group(parse_state *st, size_t lo, size_t hi)
{
    vg_arena *a = st->scratch;
    size_t n = hi - lo;
    json_t **vals = vg_xcalloc(n, sizeof(json_t *));
    int rc = 0;
    size_t n_rel = 0;
    vg__jcur cur;
    vg__jcur_init(&cur, st->ctx, SRC, st->buf, st->len);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const entry *e = &st->ents[lo + i];
        rc = vg__jcur_decode(&vals[i], &cur, e->off, e->len);
        if (rc)
            break;
        set_path(st, st->pkgs[e->pkg].name, e->cve);
        if (!json_is_object(vals[i])) {
            rc = type_error(st, vals[i], "an object");
            break;
        }
        json_t *rels = json_object_get(vals[i], "releases");
        if (json_is_object(rels))
            n_rel += json_object_size(rels);
    }
    vg__jcur_dispose(&cur);

    vg_advisory adv;
    memset(&adv, 0, sizeof(adv));
    adv.id = vg_arena_strndup(a, st->ents[lo].cve, strlen(st->ents[lo].cve));
    adv.source = SRC;
    adv.affected = vg_arena_alloc(a, (n_rel ? n_rel : 1) * sizeof(vg_affected));
    adv.links = vg_arena_alloc(a, (n + 1) * sizeof(char *));
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_puts(&sb, "https://security-tracker.debian.org/tracker/");
    vg_strbuf_puts(&sb, adv.id);
    adv.links[adv.n_links++] = vg_arena_strndup(a, sb.buf, sb.len);
    vg_severity sev = VG_SEV_UNKNOWN;
    const char *label = NULL;

    for (size_t i = 0; i < n && rc == 0; i++) {
        const entry *e = &st->ents[lo + i];
        const char *pkg = vg_arena_strndup(a, st->pkgs[e->pkg].name, strlen(st->pkgs[e->pkg].name));
        set_path(st, st->pkgs[e->pkg].name, e->cve);
        const char *desc;
        rc = opt_string(&desc, st, vals[i], "description");
        if (rc)
            break;
        if (desc && *desc && !adv.description)
            adv.description = vg_arena_strndup(a, desc, strlen(desc));
        json_t *bug = json_object_get(vals[i], "debianbug");
        if (bug && !json_is_null(bug)) {
            vg__jpath_key(&st->path, "debianbug");
            if (!json_is_integer(bug)) {
                rc = type_error(st, bug, "an integer");
                break;
            }
            vg_strbuf_reset(&sb);
            vg_strbuf_printf(&sb, "https://bugs.debian.org/%lld",
                             (long long)json_integer_value(bug));
            if (!has_link(&adv, sb.buf))
                adv.links[adv.n_links++] = vg_arena_strndup(a, sb.buf, sb.len);
            set_path(st, st->pkgs[e->pkg].name, e->cve);
        }
        json_t *rels = json_object_get(vals[i], "releases");
        vg__jpath_key(&st->path, "releases");
        if (!rels || json_is_null(rels) || (json_is_array(rels) && json_array_size(rels) == 0))
            continue; /* no release data (the tracker writes [] for an empty map) */
        if (!json_is_object(rels)) {
            rc = type_error(st, rels, "an object");
            break;
        }
        size_t mark = st->path.len;
        const char *codename;
        json_t *rel;
        json_object_foreach(rels, codename, rel)
        {
            vg__jpath_key(&st->path, codename);
            int r =
                one_release(&adv.affected[adv.n_affected], &sev, &label, st, pkg, codename, rel);
            if (r < 0) {
                rc = r;
                break;
            }
            if (r == 0)
                adv.n_affected++;
            vg__jpath_cut(&st->path, mark);
        }
    }
    vg_strbuf_dispose(&sb);
    for (size_t i = 0; i < n; i++)
        json_decref(vals[i]);
    free(vals);
    if (rc)
        return rc;
    adv.severity = sev;
    adv.severity_label = label;
    return st->ctx->emit(st->ctx, &adv);
}

static void add_entry(parse_state *st, const char *cve, size_t pkg, size_t off, size_t len)
{
    if (st->n_ents == st->cap_ents) {
        st->cap_ents = st->cap_ents ? st->cap_ents * 2 : 1024;
        st->ents = vg_xrealloc(st->ents, st->cap_ents * sizeof(*st->ents));
    }
    st->ents[st->n_ents] = (entry){cve, pkg, st->n_ents, off, len};
    st->n_ents++;
}

/* Pass 1: the byte ranges of every package and of every CVE entry in them. */
static int split(parse_state *st)
{
    vg__jcur c;
    vg__jcur_init(&c, st->ctx, SRC, st->buf, st->len);
    int rc = vg__jcur_enter(&c, '{', "$");
    size_t cap = 0;
    while (rc == 0) {
        const char *key;
        size_t off, len;
        int r = vg__jcur_member(&c, &key, &off, &len, 2);
        if (r <= 0) {
            rc = r;
            break;
        }
        if (st->n_pkgs == cap) {
            cap = cap ? cap * 2 : 1024;
            st->pkgs = vg_xrealloc(st->pkgs, cap * sizeof(*st->pkgs));
        }
        st->pkgs[st->n_pkgs] = (pkg_ref){key, off, len, st->n_pkgs, true};
        st->n_pkgs++;
    }
    if (rc == 0)
        rc = vg__jcur_finish(&c);
    vg__jcur_dispose(&c);
    if (rc)
        return rc;

    /* Duplicate package keys: the last one wins. Sort a copy to find them. */
    pkg_ref *sorted = vg_xmalloc((st->n_pkgs ? st->n_pkgs : 1) * sizeof(*sorted));
    if (st->n_pkgs)
        memcpy(sorted, st->pkgs, st->n_pkgs * sizeof(*sorted));
    qsort(sorted, st->n_pkgs, sizeof(*sorted), cmp_pkg);
    for (size_t i = 0; i + 1 < st->n_pkgs; i++)
        if (strcmp(sorted[i].name, sorted[i + 1].name) == 0)
            st->pkgs[sorted[i].order].keep = false;
    free(sorted);

    for (size_t p = 0; p < st->n_pkgs && rc == 0; p++) {
        if (!st->pkgs[p].keep)
            continue;
        vg__jcur pc;
        vg__jcur_init(&pc, st->ctx, SRC, st->buf, st->pkgs[p].off + st->pkgs[p].len);
        pc.pos = st->pkgs[p].off;
        set_path(st, st->pkgs[p].name, NULL);
        rc = vg__jcur_enter(&pc, '{', st->path.buf);
        while (rc == 0) {
            const char *cve;
            size_t off, len;
            int r = vg__jcur_member(&pc, &cve, &off, &len, 3);
            if (r <= 0) {
                rc = r;
                break;
            }
            if (*cve && *st->pkgs[p].name)
                add_entry(st, cve, p, off, len);
            else
                st->ctx->skipped++; /* an empty id or package name: nothing to match by */
        }
        vg__jcur_dispose(&pc);
    }
    return rc;
}

static int parse(vg_feed_ctx *ctx, const char *buf, size_t len)
{
    parse_state st;
    memset(&st, 0, sizeof(st));
    st.ctx = ctx;
    st.buf = buf;
    st.len = len;
    vg_strbuf_init(&st.path, 4096);
    int rc = split(&st);
    if (rc == 0) {
        if (st.n_ents)
            qsort(st.ents, st.n_ents, sizeof(*st.ents), cmp_entry);
        /* Duplicate CVE keys inside one package: keep the last. */
        size_t w = 0;
        for (size_t i = 0; i < st.n_ents; i++) {
            if (i + 1 < st.n_ents && st.ents[i + 1].pkg == st.ents[i].pkg &&
                strcmp(st.ents[i + 1].cve, st.ents[i].cve) == 0)
                continue;
            st.ents[w++] = st.ents[i];
        }
        st.n_ents = w;
        st.scratch = vg_arena_new(65536);
        for (size_t lo = 0; lo < st.n_ents && rc == 0;) {
            size_t hi = lo + 1;
            while (hi < st.n_ents && strcmp(st.ents[hi].cve, st.ents[lo].cve) == 0)
                hi++;
            rc = emit_group(&st, lo, hi);
            vg_arena_reset(st.scratch);
            lo = hi;
        }
        vg_arena_free(st.scratch);
    }
    free(st.pkgs);
    free(st.ents);
    vg_strbuf_dispose(&st.path);
    return rc;
}

const vg_updater vg__updater_debian = {
    .name = "debian",
    .urls = debian_urls,
    .parse = parse,
    .optional_urls = false,
};
