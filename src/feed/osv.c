/* osv.c — the OSV updater of src/feed/: generic OSV JSON records (one record, an array of
 * records, a directory or osv.dev's per-ecosystem all.zip) into the normalized model. The
 * record's shape is already the model's, so this is mostly naming: ecosystems become
 * namespaces and version schemes, severities are normalized, CVSS v2/v3 scores computed. */
#include "feed_int.h"
#include "version/version.h"

#include <string.h>
#include <strings.h>

/*
 * Mapping decisions:
 * - Ecosystems (the part before the first ':' chooses; the rest is the release):
 *   PyPI → pypi/pep440, npm → npm/semver, Go → go/go, Maven → maven/maven,
 *   RubyGems → rubygems/rubygems, crates.io → cargo/semver, AlmaLinux:N → almalinux:N/rpm,
 *   Rocky Linux:N → rocky:N/rpm (the namespaces the os-release scanner derives from
 *   ID=almalinux / ID=rocky), Debian:N → debian:N/dpkg and Alpine:vX.Y → alpine:X.Y/apk
 *   (source packages), Chainguard / Wolfi → chainguard / wolfi with apk. Any other ecosystem
 *   keeps its name lowercased ("Packagist" → "packagist", "Ubuntu:22.04:LTS" →
 *   "ubuntu:22.04:lts") with scheme "" (no comparator: the matcher can only use explicit
 *   versions lists there).
 * - Ranges: ECOSYSTEM and SEMVER ranges become one affected record each (ranges of a
 *   package are alternatives; merging their events would change their meaning); GIT ranges
 *   are dropped and counted (ctx->skipped), as is a range with a version the scheme rejects.
 *   An explicit versions list becomes one more record. An affected entry with no package,
 *   or with nothing usable left, is dropped and counted.
 * - Status: a range with a "fixed" event → fixed; otherwise (introduced / last_affected /
 *   limit only, or a versions list) → affected, i.e. no fix known.
 * - Go versions get the "v" prefix Go modules use ("1.6.0" → "v1.6.0"; "0" stays).
 * - Severity: database_specific.severity (GHSA LOW / MODERATE / HIGH / CRITICAL) first;
 *   else a Red Hat style summary prefix ("Important: …", AlmaLinux and Rocky); else the
 *   highest CVSS v3 base score, else v2 (v2 rating: < 4 Low, < 7 Medium, else High). CVSS
 *   v2 and v3.x scores are computed from the vectors (cvss.c); v4 vectors are kept with
 *   score 0.
 * - Aliases: aliases, then upstream (OSV 1.7). related is not an alias. Links: references.
 *   CWEs: database_specific.cwe_ids. Withdrawn records are skipped and counted.
 * - A document whose top level is an array is a list of records; elements that have none
 *   of affected / summary / details are index entries (chainguard's all.json) and skipped.
 */

#define SRC "osv"
#define OSV_BASE "https://osv-vulnerabilities.storage.googleapis.com/"

static const char *const osv_urls[] = {
    OSV_BASE "PyPI/all.zip",      OSV_BASE "npm/all.zip",           OSV_BASE "Go/all.zip",
    OSV_BASE "Maven/all.zip",     OSV_BASE "RubyGems/all.zip",      OSV_BASE "crates.io/all.zip",
    OSV_BASE "AlmaLinux/all.zip", OSV_BASE "Rocky%20Linux/all.zip", NULL,
};

static const struct eco {
    const char *name; /* OSV ecosystem (before any ':') */
    const char *ns;   /* namespace prefix; the release is appended after ':' */
    const char *scheme;
    bool source_pkg;
} ecos[] = {
    {"PyPI", "pypi", "pep440", false},
    {"npm", "npm", "semver", false},
    {"Go", "go", "go", false},
    {"Maven", "maven", "maven", false},
    {"RubyGems", "rubygems", "rubygems", false},
    {"crates.io", "cargo", "semver", false},
    {"AlmaLinux", "almalinux", "rpm", false},
    {"Rocky Linux", "rocky", "rpm", false},
    {"Debian", "debian", "dpkg", true},
    {"Alpine", "alpine", "apk", true},
    {"Chainguard", "chainguard", "apk", false},
    {"Wolfi", "wolfi", "apk", false},
};

typedef struct parse_state {
    vg_feed_ctx *ctx;
    vg_strbuf path;
} parse_state;

/* A growable array of pointers or structs, heap-backed while building a record. */
typedef struct vec {
    void *items;
    size_t n, cap, size;
} vec;

static void *vec_push(vec *v)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = vg_xrealloc(v->items, v->cap * v->size);
    }
    void *slot = (char *)v->items + v->n * v->size;
    memset(slot, 0, v->size);
    v->n++;
    return slot;
}

/* Copies the vector into the arena and frees it. */
static void *vec_finish(const vg_feed_ctx *ctx, vec *v, size_t *n)
{
    *n = v->n;
    void *out = NULL;
    if (v->n) {
        out = vg_arena_alloc(ctx->arena, v->n * v->size);
        memcpy(out, v->items, v->n * v->size);
    }
    free(v->items);
    v->items = NULL;
    v->n = v->cap = 0;
    return out;
}

static int type_error(parse_state *st, const json_t *j, const char *want)
{
    return vg__feed_fail(st->ctx, SRC, VG_EINVAL, st->path.buf, "expected %s, got %s", want,
                         vg__json_type_name(j, false));
}

/* An optional string member (NULL when absent or null), copied into the arena. */
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
    *out = vg__feed_strdup(st->ctx, json_string_value(v));
    return 0;
}

/* An optional array member (NULL when absent or null). Leaves the path at the member. */
static int opt_array(json_t **out, parse_state *st, const json_t *obj, const char *key)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    vg__jpath_key(&st->path, key);
    if (!json_is_array(v))
        return type_error(st, v, "an array");
    *out = v;
    return 0;
}

/* Appends every string of array member `key` to `dst` (arena strings), skipping `skip` and
 * duplicates. */
static int strings_into(vec *dst, parse_state *st, const json_t *obj, const char *key,
                        const char *skip)
{
    size_t mark = st->path.len;
    json_t *arr;
    int rc = opt_array(&arr, st, obj, key);
    if (rc || !arr) {
        if (!rc)
            vg__jpath_cut(&st->path, mark);
        return rc;
    }
    size_t amark = st->path.len;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *s = json_array_get(arr, i);
        vg__jpath_index(&st->path, i);
        if (!json_is_string(s))
            return type_error(st, s, "a string");
        const char *v = json_string_value(s);
        bool dup = skip && strcmp(v, skip) == 0;
        for (size_t k = 0; k < dst->n && !dup; k++)
            dup = strcmp(((const char **)dst->items)[k], v) == 0;
        if (!dup)
            *(const char **)vec_push(dst) = vg__feed_strdup(st->ctx, v);
        vg__jpath_cut(&st->path, amark);
    }
    vg__jpath_cut(&st->path, mark);
    return 0;
}

static vg_severity label_severity(const char *label)
{
    static const struct {
        const char *word;
        vg_severity sev;
    } map[] = {
        {"negligible", VG_SEV_NEGLIGIBLE}, {"low", VG_SEV_LOW},        {"moderate", VG_SEV_MEDIUM},
        {"medium", VG_SEV_MEDIUM},         {"important", VG_SEV_HIGH}, {"high", VG_SEV_HIGH},
        {"critical", VG_SEV_CRITICAL},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(map); i++)
        if (strcasecmp(label, map[i].word) == 0)
            return map[i].sev;
    return VG_SEV_UNKNOWN;
}

/* ---- severity -------------------------------------------------------------------------- */

static int parse_severity(vg_advisory *adv, parse_state *st, const json_t *rec)
{
    json_t *arr;
    size_t mark = st->path.len;
    int rc = opt_array(&arr, st, rec, "severity");
    if (rc)
        return rc;
    vec cv = {.size = sizeof(vg_cvss)};
    double best3 = -1, best2 = -1;
    size_t amark = st->path.len;
    for (size_t i = 0; arr && i < json_array_size(arr); i++) {
        json_t *s = json_array_get(arr, i);
        vg__jpath_index(&st->path, i);
        if (!json_is_object(s)) {
            free(cv.items);
            return type_error(st, s, "an object");
        }
        const char *type, *score;
        rc = opt_string(&type, st, s, "type");
        if (!rc)
            rc = opt_string(&score, st, s, "score");
        if (rc) {
            free(cv.items);
            return rc;
        }
        vg__jpath_cut(&st->path, amark);
        if (!type || !score)
            continue;
        vg_cvss c = {.vector = score, .source = NULL};
        if (strcmp(type, "CVSS_V3") == 0) {
            c.version = strncmp(score, "CVSS:3.0/", 9) == 0 ? "3.0" : "3.1";
            if (vg__cvss3_base_score(&c.score, score) != 0)
                c.score = 0;
            if (c.score > best3)
                best3 = c.score;
        } else if (strcmp(type, "CVSS_V2") == 0) {
            c.version = "2.0";
            if (vg__cvss2_base_score(&c.score, score) != 0)
                c.score = 0;
            if (c.score > best2)
                best2 = c.score;
        } else if (strcmp(type, "CVSS_V4") == 0) {
            c.version = "4.0"; /* score not computed (see the file comment) */
        } else {
            continue;
        }
        *(vg_cvss *)vec_push(&cv) = c;
    }
    vg__jpath_cut(&st->path, mark);
    adv->cvss = vec_finish(st->ctx, &cv, &adv->n_cvss);

    /* The normalized severity: vendor label, then summary prefix, then scores. */
    json_t *dbs = json_object_get(rec, "database_specific");
    json_t *lab = json_is_object(dbs) ? json_object_get(dbs, "severity") : NULL;
    if (json_is_string(lab) && json_string_length(lab) > 0) {
        adv->severity_label = vg__feed_strdup(st->ctx, json_string_value(lab));
        adv->severity = label_severity(adv->severity_label);
        if (adv->severity != VG_SEV_UNKNOWN)
            return 0;
    }
    if (adv->summary) {
        const char *colon = strchr(adv->summary, ':');
        if (colon && colon - adv->summary < 16) {
            char word[16];
            size_t n = (size_t)(colon - adv->summary);
            memcpy(word, adv->summary, n);
            word[n] = '\0';
            vg_severity s = label_severity(word);
            if (s != VG_SEV_UNKNOWN) {
                adv->severity = s;
                adv->severity_label = vg_arena_strndup(st->ctx->arena, word, n);
                return 0;
            }
        }
    }
    if (best3 > 0)
        adv->severity = vg__cvss_severity(best3);
    else if (best2 > 0)
        adv->severity = best2 >= 7.0 ? VG_SEV_HIGH : best2 >= 4.0 ? VG_SEV_MEDIUM : VG_SEV_LOW;
    return 0;
}

/* ---- affected -------------------------------------------------------------------------- */

typedef struct pkg_info {
    const char *ns;
    const char *name;
    const char *scheme;
    bool source_pkg;
    bool go;
    bool checkable; /* scheme known to the version module */
    vg_scheme vs;
} pkg_info;

/* PEP 503 normalization (lower case, runs of "-", "_" and "." become one "-"), the form the
 * python scanner reports, so that "Django" in a record matches an installed "django". */
static const char *pep503(const vg_feed_ctx *ctx, const char *name)
{
    size_t n = strlen(name);
    char *out = vg_arena_alloc(ctx->arena, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.') {
            if (k == 0 || out[k - 1] != '-')
                out[k++] = '-';
            continue;
        }
        out[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[k] = '\0';
    return out;
}

static void map_ecosystem(pkg_info *pi, const vg_feed_ctx *ctx, const char *eco)
{
    const char *colon = strchr(eco, ':');
    size_t base = colon ? (size_t)(colon - eco) : strlen(eco);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    pi->scheme = "";
    pi->source_pkg = false;
    const struct eco *hit = NULL;
    for (size_t i = 0; i < VG_ARRAY_LEN(ecos); i++)
        if (strlen(ecos[i].name) == base && strncmp(eco, ecos[i].name, base) == 0)
            hit = &ecos[i];
    if (hit) {
        vg_strbuf_puts(&sb, hit->ns);
        if (colon) {
            const char *rel = colon + 1;
            if (strcmp(hit->ns, "alpine") == 0 && rel[0] == 'v')
                rel++;
            vg_strbuf_putc(&sb, ':');
            vg_strbuf_puts(&sb, rel);
        }
        pi->scheme = hit->scheme;
        pi->source_pkg = hit->source_pkg;
    } else {
        for (const char *p = eco; *p; p++)
            vg_strbuf_putc(&sb, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
    }
    pi->ns = vg_arena_strndup(ctx->arena, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
    pi->go = hit && strcmp(hit->ns, "go") == 0;
    pi->checkable = *pi->scheme && vg_version_scheme_lookup(&pi->vs, pi->scheme) == 0;
    if (!pi->checkable)
        vg_error_clear();
}

/* A version as the namespace spells it: Go modules carry a "v". */
static const char *norm_version(const pkg_info *pi, const vg_feed_ctx *ctx, const char *v)
{
    if (pi->go && strcmp(v, "0") != 0 && v[0] != 'v') {
        size_t n = strlen(v);
        char *out = vg_arena_alloc(ctx->arena, n + 2);
        out[0] = 'v';
        memcpy(out + 1, v, n + 1);
        return out;
    }
    return vg__feed_strdup(ctx, v);
}

static bool version_ok(const pkg_info *pi, vg_event_kind kind, const char *v)
{
    if (!pi->checkable)
        return true;
    if (kind == VG_EVENT_INTRODUCED && strcmp(v, "0") == 0)
        return true;
    if (kind == VG_EVENT_LIMIT && strcmp(v, "*") == 0)
        return true;
    if (vg_version_check(pi->vs, v) == 0)
        return true;
    vg_error_clear();
    return false;
}

static const struct {
    const char *key;
    vg_event_kind kind;
} event_keys[] = {
    {"introduced", VG_EVENT_INTRODUCED},
    {"fixed", VG_EVENT_FIXED},
    {"last_affected", VG_EVENT_LAST_AFFECTED},
    {"limit", VG_EVENT_LIMIT},
};

/* One range → one affected record appended to `out` (or nothing, counted as skipped). */
static int one_range(vec *out, parse_state *st, const pkg_info *pi, const json_t *range)
{
    vg_feed_ctx *ctx = st->ctx;
    if (!json_is_object(range))
        return type_error(st, range, "an object");
    const char *type;
    int rc = opt_string(&type, st, range, "type");
    if (rc)
        return rc;
    if (type && strcmp(type, "GIT") == 0) {
        ctx->skipped++;
        return 0;
    }
    size_t mark = st->path.len;
    json_t *events;
    rc = opt_array(&events, st, range, "events");
    if (rc)
        return rc;
    vec ev = {.size = sizeof(vg_event)};
    bool fixed = false, bad = false;
    size_t emark = st->path.len;
    for (size_t i = 0; events && i < json_array_size(events); i++) {
        json_t *e = json_array_get(events, i);
        vg__jpath_index(&st->path, i);
        if (!json_is_object(e)) {
            free(ev.items);
            return type_error(st, e, "an object");
        }
        for (size_t k = 0; k < VG_ARRAY_LEN(event_keys); k++) {
            json_t *v = json_object_get(e, event_keys[k].key);
            if (!v)
                continue;
            vg__jpath_key(&st->path, event_keys[k].key);
            if (!json_is_string(v)) {
                free(ev.items);
                return type_error(st, v, "a string");
            }
            const char *ver = norm_version(pi, ctx, json_string_value(v));
            if (!version_ok(pi, event_keys[k].kind, ver))
                bad = true;
            vg_event *slot = vec_push(&ev);
            slot->kind = event_keys[k].kind;
            slot->version = ver;
            fixed |= event_keys[k].kind == VG_EVENT_FIXED;
            vg__jpath_cut(&st->path, emark);
            vg__jpath_index(&st->path, i);
        }
        vg__jpath_cut(&st->path, emark);
    }
    vg__jpath_cut(&st->path, mark);
    if (bad || ev.n == 0) {
        free(ev.items);
        ctx->skipped++;
        return 0;
    }
    vg_affected *af = vec_push(out);
    af->ns = pi->ns;
    af->package = pi->name;
    af->source_pkg = pi->source_pkg;
    af->scheme = pi->scheme;
    af->status = fixed ? VG_STATUS_FIXED : VG_STATUS_AFFECTED;
    af->events = vec_finish(ctx, &ev, &af->n_events);
    return 0;
}

static int one_affected(vec *out, parse_state *st, const json_t *item)
{
    vg_feed_ctx *ctx = st->ctx;
    if (!json_is_object(item))
        return type_error(st, item, "an object");
    size_t base = st->path.len;
    json_t *pkg = json_object_get(item, "package");
    if (!pkg || json_is_null(pkg)) {
        ctx->skipped++; /* a GIT-only entry (OSS-Fuzz style): nothing to match by name */
        return 0;
    }
    vg__jpath_key(&st->path, "package");
    if (!json_is_object(pkg))
        return type_error(st, pkg, "an object");
    const char *eco, *name;
    int rc = opt_string(&eco, st, pkg, "ecosystem");
    if (!rc)
        rc = opt_string(&name, st, pkg, "name");
    if (rc)
        return rc;
    if (!eco || !*eco || !name || !*name) {
        vg__jpath_key(&st->path, !eco || !*eco ? "ecosystem" : "name");
        return vg__feed_fail(ctx, SRC, VG_EINVAL, st->path.buf, "missing or empty");
    }
    vg__jpath_cut(&st->path, base);
    pkg_info pi = {.name = name};
    map_ecosystem(&pi, ctx, eco);
    if (strcmp(pi.ns, "pypi") == 0)
        pi.name = pep503(ctx, name);
    size_t before = out->n;

    json_t *ranges;
    rc = opt_array(&ranges, st, item, "ranges");
    if (rc)
        return rc;
    size_t rmark = st->path.len;
    for (size_t i = 0; ranges && i < json_array_size(ranges); i++) {
        vg__jpath_index(&st->path, i);
        rc = one_range(out, st, &pi, json_array_get(ranges, i));
        if (rc)
            return rc;
        vg__jpath_cut(&st->path, rmark);
    }
    vg__jpath_cut(&st->path, base);

    json_t *versions;
    rc = opt_array(&versions, st, item, "versions");
    if (rc)
        return rc;
    if (versions && json_array_size(versions) > 0) {
        size_t n = json_array_size(versions), vmark = st->path.len;
        const char **vs = vg_arena_alloc(ctx->arena, n * sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(versions, i);
            vg__jpath_index(&st->path, i);
            if (!json_is_string(v))
                return type_error(st, v, "a string");
            vs[i] = norm_version(&pi, ctx, json_string_value(v));
            vg__jpath_cut(&st->path, vmark);
        }
        vg_affected *af = vec_push(out);
        af->ns = pi.ns;
        af->package = pi.name;
        af->source_pkg = pi.source_pkg;
        af->scheme = pi.scheme;
        af->status = VG_STATUS_AFFECTED;
        af->versions = vs;
        af->n_versions = n;
    }
    vg__jpath_cut(&st->path, base);
    if (out->n == before)
        ctx->skipped++; /* nothing usable left for this package */
    return 0;
}

/* ---- records --------------------------------------------------------------------------- */

static int one_record(parse_state *st, const json_t *rec)
{
    vg_feed_ctx *ctx = st->ctx;
    if (!json_is_object(rec))
        return type_error(st, rec, "an object");
    size_t base = st->path.len;
    vg_advisory adv;
    memset(&adv, 0, sizeof(adv));
    const char *withdrawn;
    int rc = opt_string(&adv.id, st, rec, "id");
    if (!rc)
        rc = opt_string(&withdrawn, st, rec, "withdrawn");
    if (!rc)
        rc = opt_string(&adv.summary, st, rec, "summary");
    if (!rc)
        rc = opt_string(&adv.description, st, rec, "details");
    if (!rc)
        rc = opt_string(&adv.published, st, rec, "published");
    if (!rc)
        rc = opt_string(&adv.modified, st, rec, "modified");
    if (rc)
        return rc;
    if (!adv.id || !*adv.id) {
        vg__jpath_key(&st->path, "id");
        return vg__feed_fail(ctx, SRC, VG_EINVAL, st->path.buf, "missing or empty");
    }
    if (withdrawn) {
        ctx->skipped++;
        return 0;
    }
    adv.source = SRC;

    vec aliases = {.size = sizeof(char *)};
    rc = strings_into(&aliases, st, rec, "aliases", adv.id);
    if (!rc)
        rc = strings_into(&aliases, st, rec, "upstream", adv.id);
    adv.aliases = vec_finish(ctx, &aliases, &adv.n_aliases);
    if (rc)
        return rc;

    json_t *refs;
    rc = opt_array(&refs, st, rec, "references");
    if (rc)
        return rc;
    vec links = {.size = sizeof(char *)};
    size_t rmark = st->path.len;
    for (size_t i = 0; refs && i < json_array_size(refs); i++) {
        json_t *r = json_array_get(refs, i);
        vg__jpath_index(&st->path, i);
        const char *url = NULL;
        if (!json_is_object(r))
            rc = type_error(st, r, "an object");
        else
            rc = opt_string(&url, st, r, "url");
        if (rc) {
            free(links.items);
            return rc;
        }
        if (url && *url)
            *(const char **)vec_push(&links) = url;
        vg__jpath_cut(&st->path, rmark);
    }
    vg__jpath_cut(&st->path, base);
    adv.links = vec_finish(ctx, &links, &adv.n_links);

    rc = parse_severity(&adv, st, rec);
    if (rc)
        return rc;
    vg__jpath_cut(&st->path, base);

    json_t *dbs = json_object_get(rec, "database_specific");
    if (json_is_object(dbs)) {
        vg__jpath_key(&st->path, "database_specific");
        vec cwes = {.size = sizeof(char *)};
        rc = strings_into(&cwes, st, dbs, "cwe_ids", NULL);
        adv.cwes = vec_finish(ctx, &cwes, &adv.n_cwes);
        if (rc)
            return rc;
        vg__jpath_cut(&st->path, base);
    }

    json_t *affected;
    rc = opt_array(&affected, st, rec, "affected");
    if (rc)
        return rc;
    vec afs = {.size = sizeof(vg_affected)};
    size_t amark = st->path.len;
    for (size_t i = 0; affected && i < json_array_size(affected); i++) {
        vg__jpath_index(&st->path, i);
        rc = one_affected(&afs, st, json_array_get(affected, i));
        if (rc) {
            free(afs.items);
            return rc;
        }
        vg__jpath_cut(&st->path, amark);
    }
    vg__jpath_cut(&st->path, base);
    adv.affected = vec_finish(ctx, &afs, &adv.n_affected);
    return ctx->emit(ctx, &adv);
}

static int parse(vg_feed_ctx *ctx, const char *buf, size_t len)
{
    json_t *root;
    int rc = vg__feed_json_load(&root, ctx, SRC, buf, len);
    if (rc)
        return rc;
    parse_state st = {.ctx = ctx};
    vg_strbuf_init(&st.path, 4096);
    vg_strbuf_puts(&st.path, "$");
    if (json_is_array(root)) {
        for (size_t i = 0; i < json_array_size(root) && rc == 0; i++) {
            json_t *rec = json_array_get(root, i);
            vg__jpath_index(&st.path, i);
            if (json_is_object(rec) && !json_object_get(rec, "affected") &&
                !json_object_get(rec, "summary") && !json_object_get(rec, "details"))
                ctx->skipped++; /* an index entry: {"id", "modified"} */
            else
                rc = one_record(&st, rec);
            vg__jpath_cut(&st.path, 1);
        }
    } else {
        rc = one_record(&st, root);
    }
    vg_strbuf_dispose(&st.path);
    json_decref(root);
    return rc;
}

const vg_updater vg__updater_osv = {
    .name = "osv",
    .urls = osv_urls,
    .parse = parse,
    .optional_urls = true,
};
