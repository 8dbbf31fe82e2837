/* rhel.c — the rhel updater of src/feed/: Red Hat's CSAF 2.0 VEX documents (one per CVE,
 * security.access.redhat.com/data/csaf/v2/vex/<year>/cve-*.json) parsed into advisories whose
 * affected records are binary rpm names per RHEL major, with EVRs, module streams and CPEs.
 * The feed's changes.csv index names the documents of a run (rhel_list_urls, at the end). */
#include "jwalk.h"
#include "version/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Mapping (what the real files in ../shared/feeds/rhel/csaf-vex, csaf-vex-acceptance and
 * csaf-vex-feed-layout contain; claircore's rhel/vex parser is the reference for the walk of
 * the product tree):
 *
 * - A document whose document.tracking.status is "deleted" (the feed's deletion stubs) emits
 *   nothing, so the CVE drops out of the next operation. Each vulnerabilities[] entry becomes
 *   one advisory with id = its "cve" (else tracking.id), source "rhel".
 * - Text: description = the notes[] entry of category "description"; summary = the
 *   vulnerability's title, else document.title; published = release_date, else
 *   tracking.initial_release_date; modified = tracking.current_release_date; links = the
 *   vulnerability's and the document's references plus remediation URLs (RHSAs), once each;
 *   CWE = cwe.id.
 * - Severity: document.aggregate_severity.text, else the first threats[] entry of category
 *   "impact": Low, Moderate → Medium, Important → High, Critical; the word is kept as label.
 *   scores[].cvss_v3 / cvss_v2 / cvss_v4 → CVSS vector, base score and version, source
 *   "secalert@redhat.com", each vector once.
 * - Products. A product_status entry is a relationship id (product_tree.relationships,
 *   category default_component_of). It resolves, through nested relationships, to a component
 *   product, an optional module product and a repository product. Entries that resolve to no
 *   relationship (product-level statuses of middleware) are skipped; so is any resolution
 *   deeper than 8 steps (a cycle).
 * - The repository product's CPE (product_identification_helper.cpe) is kept as the record's
 *   cpe and gives the namespace rhel:<major>: an "el<N>" field after the version
 *   (cpe:/a:redhat:openshift:4.16::el9 → rhel:9), else the version's major for the RHEL
 *   products enterprise_linux, rhel_eus, rhel_aus, rhel_e4s, rhel_tus, rhel_els
 *   (cpe:/a:redhat:rhel_eus:9.2::appstream → rhel:9). Products with neither (middleware:
 *   jboss_fuse:7, quarkus:2, openshift:4) and products without a CPE are skipped.
 * - The component's purl gives the binary rpm name, version, epoch, arch and rpmmod. Only
 *   pkg:rpm/redhat/… is kept (pkg:oci container images, maven and generic purls are skipped).
 *   A component without a purl is kept under its product name for non-fixed statuses (RHEL 5–7
 *   "kernel"), skipped for "fixed". Module stream "name:stream": the purl's rpmmod qualifier,
 *   else the module product's pkg:rpmmod purl (name@stream:… or the redhat/name:stream
 *   namespace form), else the module product id's first two fields; a module that is not
 *   "name:stream" (the rpmmod=rhel10 test file) makes the entry skipped.
 * - Status: fixed → fixed, events introduced 0 and fixed at "[epoch:]version-release" from the
 *   purl (which must be a valid rpm version; no version → skipped); known_affected → affected
 *   (introduced 0), or will-not-fix when a remediation of category no_fix_planned names the
 *   entry ("Will not fix", "Out of support scope"); none_available ("Affected", "Fix
 *   deferred") means no fix yet and stays affected; known_not_affected → not-affected;
 *   under_investigation → under-investigation (no events). Other CSAF status lists
 *   (first_fixed, recommended, …) do not occur in Red Hat VEX and are ignored.
 * - scheme "rpm", source_pkg false. One record per (status, namespace, CPE, module, name, and
 *   for fixed the EVR); the arches of the merged entries are kept as "x86_64|aarch64|src"
 *   in first-seen order, or none when one of them names no arch (the record then applies to
 *   every arch). Kernel packages are kept (the matcher suppresses kernel headers).
 * - Not implemented: Red Hat OVAL (dropped upstream in favour of VEX); the VEX feed's
 *   archive_latest.txt / .tar.zst / changes.csv / deletions.csv protocol belongs to the fetch
 *   layer — this parser reads the per-CVE JSON documents, alone or a directory of them.
 */

#define RESOLVE_MAX 8 /* relationship steps per product_status entry */

typedef struct rhel_parser {
    vg_jw jw;
    json_t *products; /* product_id → product object */
    json_t *rels;     /* relationship product_id → relationship object */
} rhel_parser;

/* A parsed package URL; strings in the arena, NULL when absent. */
typedef struct purl {
    const char *type, *ns, *name, *version;
    const char *arch, *epoch, *rpmmod;
    bool bad; /* a qualifier value did not decode */
} purl;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into the arena ("%2B" → "+"); malformed escapes are kept as is.
 * NULL when the result is not valid UTF-8 or holds a control byte (what a store could not
 * keep, or a name no package has). */
static const char *pct_decode(vg_jw *jw, const char *s, size_t n)
{
    char *out = vg_arena_alloc(jw->ctx->arena, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
            (lo = hexval(s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    for (size_t i = 0; i < o; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            return NULL;
    json_t *utf8 = json_stringn(out, o); /* jansson validates UTF-8 */
    if (!utf8)
        return NULL;
    json_decref(utf8);
    return out;
}

/* Parses "pkg:type/namespace/name@version?k=v&...#subpath" (the purl spec's order of
 * splitting). Returns false when it is not a purl. */
static bool purl_parse(purl *out, vg_jw *jw, const char *s)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(s, "pkg:", 4) != 0)
        return false;
    const char *p = s + 4;
    while (*p == '/')
        p++;
    const char *end = strchr(p, '#');
    if (!end)
        end = p + strlen(p);
    const char *q = memchr(p, '?', (size_t)(end - p));
    if (q) {
        const char *k = q + 1;
        while (k < end) {
            const char *amp = memchr(k, '&', (size_t)(end - k));
            const char *stop = amp ? amp : end;
            const char *eq = memchr(k, '=', (size_t)(stop - k));
            if (eq) {
                size_t kl = (size_t)(eq - k);
                const char *val = pct_decode(jw, eq + 1, (size_t)(stop - eq - 1));
                if (!val)
                    out->bad = true;
                else if (kl == 4 && strncmp(k, "arch", 4) == 0)
                    out->arch = val;
                else if (kl == 5 && strncmp(k, "epoch", 5) == 0)
                    out->epoch = val;
                else if (kl == 6 && strncmp(k, "rpmmod", 6) == 0)
                    out->rpmmod = val;
            }
            k = stop + 1;
        }
        end = q;
    }
    const char *slash = memchr(p, '/', (size_t)(end - p));
    if (!slash || slash == p)
        return false;
    out->type = vg__jw_dup(jw, p, (size_t)(slash - p));
    const char *rest = slash + 1;
    const char *at = NULL;
    for (const char *c = end; c > rest; c--)
        if (c[-1] == '@') {
            at = c - 1;
            break;
        }
    const char *name_end = end;
    if (at) {
        if (!(out->version = pct_decode(jw, at + 1, (size_t)(end - at - 1))))
            return false;
        name_end = at;
    }
    const char *last = NULL;
    for (const char *c = name_end; c > rest; c--)
        if (c[-1] == '/') {
            last = c - 1;
            break;
        }
    const char *name = last ? last + 1 : rest;
    if (name >= name_end)
        return false;
    out->name = pct_decode(jw, name, (size_t)(name_end - name));
    if (last)
        out->ns = pct_decode(jw, rest, (size_t)(last - rest));
    return out->name && (!last || out->ns) && !out->bad;
}

/* The module stream "name:stream" of a module id ("perl-FCGI:0.78:8020…:ce39…" →
 * "perl-FCGI:0.78"), or NULL unless `s` starts with two non-empty colon-separated fields. */
static const char *module_stream(vg_jw *jw, const char *s)
{
    const char *c1 = strchr(s, ':');
    if (!c1 || c1 == s || c1[1] == '\0' || c1[1] == ':')
        return NULL;
    const char *c2 = strchr(c1 + 1, ':');
    size_t n = c2 ? (size_t)(c2 - s) : strlen(s);
    return vg__jw_dup(jw, s, n);
}

/* The helper string `key` ("cpe", "purl") of a product object, or NULL. */
static const char *helper(json_t *prod, const char *key)
{
    json_t *h = json_object_get(prod, "product_identification_helper");
    json_t *v = json_is_object(h) ? json_object_get(h, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool is_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static const char *const rhel_products[] = {"enterprise_linux", "rhel_eus", "rhel_aus",
                                            "rhel_e4s",         "rhel_tus", "rhel_els"};

/* "rhel:<major>" for a Red Hat CPE (2.2 URI or 2.3 string), in the arena; NULL if none. */
static const char *cpe_namespace(vg_jw *jw, const char *cpe)
{
    const char *p;
    if (strncmp(cpe, "cpe:/", 5) == 0)
        p = cpe + 5;
    else if (strncmp(cpe, "cpe:2.3:", 8) == 0)
        p = cpe + 8;
    else
        return NULL;
    vg_slice f[12];
    size_t nf = 0;
    vg_slice rest = vg_slice_from_cstr(p);
    while (rest.ptr && nf < VG_ARRAY_LEN(f))
        rest = vg_slice_split(rest, ':', &f[nf++]);
    if (nf < 4 || !vg_slice_eq_cstr(f[1], "redhat"))
        return NULL;
    vg_slice major = {NULL, 0};
    for (size_t i = 4; i < nf; i++)
        if (f[i].len > 2 && f[i].ptr[0] == 'e' && f[i].ptr[1] == 'l' &&
            is_digits(f[i].ptr + 2, f[i].len - 2)) {
            major = (vg_slice){f[i].ptr + 2, f[i].len - 2};
            break;
        }
    if (!major.ptr) {
        bool rhel = false;
        for (size_t i = 0; i < VG_ARRAY_LEN(rhel_products); i++)
            rhel = rhel || vg_slice_eq_cstr(f[2], rhel_products[i]);
        if (!rhel)
            return NULL;
        size_t n = 0;
        while (n < f[3].len && f[3].ptr[n] >= '0' && f[3].ptr[n] <= '9')
            n++;
        if (n == 0)
            return NULL;
        major = (vg_slice){f[3].ptr, n};
    }
    vg_strbuf sb;
    vg_strbuf_init(&sb, 64);
    vg_strbuf_puts(&sb, "rhel:");
    vg_strbuf_append(&sb, major.ptr, major.len > 16 ? 16 : major.len);
    const char *ns = vg__jw_dup(jw, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
    return ns;
}

/* ---- product tree ------------------------------------------------------------------- */

static int add_product(rhel_parser *p, json_t *prod)
{
    vg_jw *jw = &p->jw;
    if (!json_is_object(prod))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
    json_t *id, *h;
    int rc;
    if ((rc = vg__jw_get(&id, jw, prod, "product_id", JSON_STRING, true)) != 0 ||
        (rc = vg__jw_get(&h, jw, prod, "product_identification_helper", JSON_OBJECT, false)) != 0)
        return rc;
    if (h) {
        vg__jw_push_key(jw, "product_identification_helper");
        static const char *const keys[] = {"cpe", "purl"};
        for (size_t i = 0; i < VG_ARRAY_LEN(keys); i++) {
            json_t *v;
            if ((rc = vg__jw_get(&v, jw, h, keys[i], JSON_STRING, false)) != 0)
                return rc;
            if (v && json_string_length(v) > VG_JW_SHORT_MAX)
                return vg__jw_fail(jw, VG_ETOOBIG, keys[i], "string of %zu bytes (cap %zu)",
                                   json_string_length(v), VG_JW_SHORT_MAX);
        }
        vg__jw_pop(jw);
    }
    json_t *name = json_object_get(prod, "name");
    if (json_is_string(name) && json_string_length(name) > VG_JW_TEXT_MAX)
        return vg__jw_fail(jw, VG_ETOOBIG, "name", "string of %zu bytes (cap %zu)",
                           json_string_length(name), VG_JW_TEXT_MAX);
    json_object_set(p->products, json_string_value(id), prod);
    return 0;
}

static int walk_branches(rhel_parser *p, json_t *parent)
{
    vg_jw *jw = &p->jw;
    json_t *branches;
    int rc = vg__jw_get(&branches, jw, parent, "branches", JSON_ARRAY, false);
    if (rc != 0 || !branches)
        return rc;
    vg__jw_push_key(jw, "branches");
    size_t i;
    json_t *b;
    json_array_foreach(branches, i, b)
    {
        vg__jw_push_idx(jw, i);
        if (!json_is_object(b))
            return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        json_t *prod;
        if ((rc = vg__jw_get(&prod, jw, b, "product", JSON_OBJECT, false)) != 0)
            return rc;
        if (prod) {
            vg__jw_push_key(jw, "product");
            if ((rc = add_product(p, prod)) != 0)
                return rc;
            vg__jw_pop(jw);
        }
        /* recursion depth is bounded by the nesting cap checked at load */
        if ((rc = walk_branches(p, b)) != 0)
            return rc;
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

static int read_product_tree(rhel_parser *p, json_t *root)
{
    vg_jw *jw = &p->jw;
    json_t *tree, *fpn, *rels;
    int rc = vg__jw_get(&tree, jw, root, "product_tree", JSON_OBJECT, false);
    if (rc != 0 || !tree)
        return rc;
    vg__jw_push_key(jw, "product_tree");
    if ((rc = walk_branches(p, tree)) != 0 ||
        (rc = vg__jw_get(&fpn, jw, tree, "full_product_names", JSON_ARRAY, false)) != 0 ||
        (rc = vg__jw_get(&rels, jw, tree, "relationships", JSON_ARRAY, false)) != 0)
        return rc;
    size_t i;
    json_t *e;
    if (fpn) {
        vg__jw_push_key(jw, "full_product_names");
        json_array_foreach(fpn, i, e)
        {
            vg__jw_push_idx(jw, i);
            if ((rc = add_product(p, e)) != 0)
                return rc;
            vg__jw_pop(jw);
        }
        vg__jw_pop(jw);
    }
    if (rels) {
        vg__jw_push_key(jw, "relationships");
        json_array_foreach(rels, i, e)
        {
            vg__jw_push_idx(jw, i);
            if (!json_is_object(e))
                return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
            json_t *cat, *full, *pid, *ref, *to;
            if ((rc = vg__jw_get(&cat, jw, e, "category", JSON_STRING, true)) != 0 ||
                (rc = vg__jw_get(&full, jw, e, "full_product_name", JSON_OBJECT, true)) != 0 ||
                (rc = vg__jw_get(&ref, jw, e, "product_reference", JSON_STRING, true)) != 0 ||
                (rc = vg__jw_get(&to, jw, e, "relates_to_product_reference", JSON_STRING, true)) !=
                    0)
                return rc;
            vg__jw_push_key(jw, "full_product_name");
            if ((rc = vg__jw_get(&pid, jw, full, "product_id", JSON_STRING, true)) != 0)
                return rc;
            vg__jw_pop(jw);
            if (strcmp(json_string_value(cat), "default_component_of") == 0)
                json_object_set(p->rels, json_string_value(pid), e);
            vg__jw_pop(jw);
        }
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

typedef struct chain {
    const char *ids[RESOLVE_MAX + 2];
    size_t n;
    unsigned steps;
} chain;

/* claircore's extractProductNames: the components of a (product, relates-to) pair in order,
 * each side expanded through its own relationship. false when too deep or too long. */
static bool expand(chain *c, rhel_parser *p, const char *ref, const char *to)
{
    const char *side[2] = {ref, to};
    for (int s = 0; s < 2; s++) {
        if (++c->steps > RESOLVE_MAX)
            return false;
        json_t *r = json_object_get(p->rels, side[s]);
        if (r) {
            if (!expand(c, p, json_string_value(json_object_get(r, "product_reference")),
                        json_string_value(json_object_get(r, "relates_to_product_reference"))))
                return false;
        } else {
            if (c->n == VG_ARRAY_LEN(c->ids))
                return false;
            c->ids[c->n++] = side[s];
        }
    }
    return true;
}

/* ---- vulnerabilities --------------------------------------------------------------- */

/* What every advisory of a document shares, read once at $.document. */
typedef struct doc_info {
    const char *track_id, *title, *initial, *current;
    const char *severity_label; /* aggregate_severity.text */
    vg_jw_strs links;           /* document references */
} doc_info;

typedef struct status_list {
    const char *key;
    vg_affected_status status;
} status_list;

static const status_list status_lists[] = {
    {"fixed", VG_STATUS_FIXED},
    {"known_affected", VG_STATUS_AFFECTED},
    {"known_not_affected", VG_STATUS_NOT_AFFECTED},
    {"under_investigation", VG_STATUS_UNDER_INVESTIGATION},
};

/* The records of one advisory being built, merged by key, with their arches. */
typedef struct builder {
    vg_affected *recs;
    json_t **arches; /* per record: a json array of its arch strings, or json false once an
                        entry without arch merged into it (no qualifier) */
    size_t n, cap;
    json_t *index;   /* key → record index */
    json_t *wontfix; /* product ids named by a no_fix_planned remediation */
} builder;

static const vg_event intro0 = {VG_EVENT_INTRODUCED, "0"};

/* A product_status entry left out (not an rpm in a RHEL repository, or unusable). */
static int skip(vg_jw *jw)
{
    jw->ctx->skipped++;
    return 0;
}

/* One product_status entry `pid` of list `st` (path at the entry). */
static int add_status(builder *b, rhel_parser *p, const status_list *st, const char *pid)
{
    vg_jw *jw = &p->jw;
    json_t *rel = json_object_get(p->rels, pid);
    if (!rel)
        return skip(jw); /* a product-level status (middleware): nothing to match */
    chain c = {0};
    if (!expand(&c, p, json_string_value(json_object_get(rel, "product_reference")),
                json_string_value(json_object_get(rel, "relates_to_product_reference"))) ||
        c.n < 2)
        return skip(jw);
    json_t *comp = json_object_get(p->products, c.ids[0]);
    json_t *repo = json_object_get(p->products, c.ids[c.n - 1]);
    json_t *modp = c.n > 2 ? json_object_get(p->products, c.ids[c.n - 2]) : NULL;
    const char *cpe = repo ? helper(repo, "cpe") : NULL;
    if (!comp || !cpe)
        return skip(jw);
    const char *ns = cpe_namespace(jw, cpe);
    if (!ns)
        return skip(jw);

    const char *name = NULL, *evr = NULL, *arch = NULL, *module = NULL;
    const char *purl_s = helper(comp, "purl");
    if (purl_s) {
        purl u;
        if (!purl_parse(&u, jw, purl_s) || strcmp(u.type, "rpm") != 0 || !u.ns ||
            strcmp(u.ns, "redhat") != 0)
            return skip(jw);
        name = u.name;
        arch = u.arch && *u.arch ? u.arch : NULL;
        if (u.rpmmod && !(module = module_stream(jw, u.rpmmod)))
            return skip(jw);
        if (u.version && *u.version) {
            vg_strbuf sb;
            vg_strbuf_init(&sb, VG_JW_SHORT_MAX);
            if (u.epoch && *u.epoch)
                vg_strbuf_printf(&sb, "%s:", u.epoch);
            vg_strbuf_puts(&sb, u.version);
            evr = vg__jw_dup(jw, sb.buf, sb.len);
            vg_strbuf_dispose(&sb);
        }
    } else {
        json_t *n = json_object_get(comp, "name");
        name = json_is_string(n) ? json_string_value(n) : NULL;
        if (!name || !*name || strlen(name) > VG_JW_SHORT_MAX || strpbrk(name, " \t/"))
            return skip(jw);
        name = vg__jw_dup(jw, name, strlen(name));
    }
    if (!module && modp) {
        const char *mp = helper(modp, "purl");
        purl m;
        if (mp && purl_parse(&m, jw, mp) && strcmp(m.type, "rpmmod") == 0) {
            if (m.ns && strncmp(m.ns, "redhat/", 7) == 0)
                module = module_stream(jw, m.ns + 7);
            else if (m.version) {
                vg_strbuf sb;
                vg_strbuf_init(&sb, VG_JW_SHORT_MAX);
                vg_strbuf_printf(&sb, "%s:%s", m.name, m.version);
                module = module_stream(jw, sb.buf);
                vg_strbuf_dispose(&sb);
            }
        } else {
            module = module_stream(jw, c.ids[c.n - 2]);
        }
        if (!module)
            return skip(jw);
    }

    vg_affected_status status = st->status;
    if (status == VG_STATUS_FIXED) {
        if (!evr)
            return skip(jw);
        if (vg_version_check(VG_SCHEME_RPM, evr) != 0) {
            vg_strbuf why;
            vg_strbuf_init(&why, 512);
            vg_strbuf_puts(&why, vg_error_last());
            int rc = vg__jw_fail(jw, VG_EINVAL, NULL, "invalid rpm version in purl: %s", why.buf);
            vg_strbuf_dispose(&why);
            return rc;
        }
    } else if (status == VG_STATUS_AFFECTED && json_object_get(b->wontfix, pid)) {
        status = VG_STATUS_WILL_NOT_FIX;
    }

    vg_strbuf key;
    vg_strbuf_init(&key, 8 * VG_JW_SHORT_MAX);
    vg_strbuf_printf(&key, "%d\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", (int)status, ns, cpe,
                     module ? module : "", name, status == VG_STATUS_FIXED ? evr : "");
    json_t *at = json_object_get(b->index, key.buf);
    size_t idx;
    if (at) {
        idx = (size_t)json_integer_value(at);
    } else {
        idx = b->n++;
        json_object_set_new_nocheck(b->index, key.buf, json_integer((json_int_t)idx));
        vg_affected *a = &b->recs[idx];
        a->ns = ns;
        a->package = name;
        a->source_pkg = false;
        a->scheme = "rpm";
        a->status = status;
        a->module = module;
        a->cpe = vg__jw_dup(jw, cpe, strlen(cpe));
        if (status == VG_STATUS_FIXED) {
            a->events = vg__jw_alloc(jw, 2, sizeof(vg_event));
            a->events[0] = intro0;
            a->events[1] = (vg_event){VG_EVENT_FIXED, evr};
            a->n_events = 2;
        } else if (status == VG_STATUS_AFFECTED || status == VG_STATUS_WILL_NOT_FIX) {
            a->events = vg__jw_alloc(jw, 1, sizeof(vg_event));
            a->events[0] = intro0;
            a->n_events = 1;
        }
    }
    vg_strbuf_dispose(&key);
    if (!arch || json_is_false(b->arches[idx])) {
        /* an entry for every arch: the merged record has no arch qualifier */
        json_decref(b->arches[idx]);
        b->arches[idx] = json_false();
    } else {
        if (!b->arches[idx])
            b->arches[idx] = json_array();
        json_t *list = b->arches[idx];
        size_t i;
        json_t *e;
        bool seen = false;
        json_array_foreach(list, i, e) seen = seen || strcmp(json_string_value(e), arch) == 0;
        if (!seen && json_array_size(list) < 64)
            json_array_append_new(list, json_string(arch));
    }
    return 0;
}

static vg_severity impact_severity(const char *s)
{
    static const struct {
        const char *word;
        vg_severity sev;
    } map[] = {{"Low", VG_SEV_LOW},
               {"Moderate", VG_SEV_MEDIUM},
               {"Important", VG_SEV_HIGH},
               {"Critical", VG_SEV_CRITICAL}};
    for (size_t i = 0; i < VG_ARRAY_LEN(map); i++)
        if (strcasecmp(s, map[i].word) == 0)
            return map[i].sev;
    return VG_SEV_UNKNOWN;
}

/* Adds the url of every element of array member `key` of `obj` to `links`. */
static int add_urls(vg_jw_strs *links, vg_jw *jw, json_t *obj, const char *key, bool required)
{
    json_t *arr;
    int rc = vg__jw_get(&arr, jw, obj, key, JSON_ARRAY, false);
    if (rc != 0 || !arr)
        return rc;
    vg__jw_push_key(jw, key);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        vg__jw_push_idx(jw, i);
        if (!json_is_object(e))
            return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        const char *url;
        if ((rc = vg__jw_str(&url, jw, e, "url", VG_JW_SHORT_MAX, required)) != 0)
            return rc;
        vg__jw_strs_add(jw, links, url);
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

static int read_scores(vg_advisory *adv, vg_jw *jw, json_t *vuln)
{
    json_t *scores;
    int rc = vg__jw_get(&scores, jw, vuln, "scores", JSON_ARRAY, false);
    if (rc != 0 || !scores)
        return rc;
    static const char *const kinds[] = {"cvss_v4", "cvss_v3", "cvss_v2"};
    adv->cvss = vg__jw_alloc(jw, json_array_size(scores) * VG_ARRAY_LEN(kinds), sizeof(vg_cvss));
    json_t *seen = json_object();
    vg__jw_push_key(jw, "scores");
    size_t i;
    json_t *s;
    json_array_foreach(scores, i, s)
    {
        vg__jw_push_idx(jw, i);
        if (!json_is_object(s)) {
            json_decref(seen);
            return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        }
        for (size_t k = 0; k < VG_ARRAY_LEN(kinds); k++) {
            json_t *cv, *score;
            const char *vec, *ver;
            if ((rc = vg__jw_get(&cv, jw, s, kinds[k], JSON_OBJECT, false)) != 0)
                break;
            if (!cv)
                continue;
            vg__jw_push_key(jw, kinds[k]);
            if ((rc = vg__jw_str(&vec, jw, cv, "vectorString", VG_JW_SHORT_MAX, true)) != 0 ||
                (rc = vg__jw_str(&ver, jw, cv, "version", VG_JW_SHORT_MAX, false)) != 0 ||
                (rc = vg__jw_get(&score, jw, cv, "baseScore", JSON_REAL, false)) != 0)
                break;
            vg__jw_pop(jw);
            if (!vg__jw_set_add(seen, vec))
                continue;
            vg_cvss *c = &adv->cvss[adv->n_cvss++];
            c->version = ver ? ver : (k == 0 ? "4.0" : k == 1 ? "3.1" : "2.0");
            c->vector = vec;
            c->score = score ? json_number_value(score) : 0;
            c->source = "secalert@redhat.com";
        }
        if (rc != 0) {
            json_decref(seen);
            return rc;
        }
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    json_decref(seen);
    return 0;
}

static int read_text(vg_advisory *adv, vg_jw *jw, json_t *vuln)
{
    json_t *notes, *cwe;
    int rc = vg__jw_get(&notes, jw, vuln, "notes", JSON_ARRAY, false);
    if (rc != 0)
        return rc;
    if (notes) {
        vg__jw_push_key(jw, "notes");
        size_t i;
        json_t *n;
        json_array_foreach(notes, i, n)
        {
            vg__jw_push_idx(jw, i);
            if (!json_is_object(n))
                return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
            const char *cat, *text;
            if ((rc = vg__jw_str(&cat, jw, n, "category", VG_JW_SHORT_MAX, true)) != 0)
                return rc;
            if (strcmp(cat, "description") == 0 && !adv->description) {
                if ((rc = vg__jw_str(&text, jw, n, "text", VG_JW_TEXT_MAX, true)) != 0)
                    return rc;
                adv->description = text;
            }
            vg__jw_pop(jw);
        }
        vg__jw_pop(jw);
    }
    if ((rc = vg__jw_get(&cwe, jw, vuln, "cwe", JSON_OBJECT, false)) != 0)
        return rc;
    if (cwe) {
        vg__jw_push_key(jw, "cwe");
        const char *id;
        if ((rc = vg__jw_str(&id, jw, cwe, "id", VG_JW_SHORT_MAX, true)) != 0)
            return rc;
        adv->cwes = vg__jw_alloc(jw, 1, sizeof(char *));
        adv->cwes[0] = id;
        adv->n_cwes = 1;
        vg__jw_pop(jw);
    }
    return 0;
}

/* Remediations: the product ids of no_fix_planned go to b->wontfix; URLs to links. */
static int read_remediations(builder *b, vg_jw_strs *links, vg_jw *jw, json_t *vuln)
{
    json_t *rems;
    int rc = vg__jw_get(&rems, jw, vuln, "remediations", JSON_ARRAY, false);
    if (rc != 0 || !rems)
        return rc;
    vg__jw_push_key(jw, "remediations");
    size_t i;
    json_t *r;
    json_array_foreach(rems, i, r)
    {
        vg__jw_push_idx(jw, i);
        if (!json_is_object(r))
            return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        const char *cat, *url;
        json_t *pids;
        if ((rc = vg__jw_str(&cat, jw, r, "category", VG_JW_SHORT_MAX, true)) != 0 ||
            (rc = vg__jw_str(&url, jw, r, "url", VG_JW_SHORT_MAX, false)) != 0 ||
            (rc = vg__jw_get(&pids, jw, r, "product_ids", JSON_ARRAY, false)) != 0)
            return rc;
        vg__jw_strs_add(jw, links, url);
        if (pids) {
            vg__jw_push_key(jw, "product_ids");
            size_t j;
            json_t *pid;
            json_array_foreach(pids, j, pid)
            {
                if (!json_is_string(pid)) {
                    vg__jw_push_idx(jw, j);
                    return vg__jw_fail(jw, VG_EINVAL, NULL, "expected string");
                }
                if (strcmp(cat, "no_fix_planned") == 0)
                    json_object_set_new(b->wontfix, json_string_value(pid), json_true());
            }
            vg__jw_pop(jw);
        }
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

/* The severity: document.aggregate_severity (in `d`), else the first impact threat. */
static int read_severity(vg_advisory *adv, vg_jw *jw, const doc_info *d, json_t *vuln)
{
    json_t *threats;
    adv->severity_label = d->severity_label;
    int rc = vg__jw_get(&threats, jw, vuln, "threats", JSON_ARRAY, false);
    if (rc != 0)
        return rc;
    if (threats) {
        vg__jw_push_key(jw, "threats");
        size_t i;
        json_t *t;
        json_array_foreach(threats, i, t)
        {
            vg__jw_push_idx(jw, i);
            if (!json_is_object(t))
                return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
            const char *cat, *details;
            if ((rc = vg__jw_str(&cat, jw, t, "category", VG_JW_SHORT_MAX, true)) != 0 ||
                (rc = vg__jw_str(&details, jw, t, "details", VG_JW_SHORT_MAX, false)) != 0)
                return rc;
            vg__jw_pop(jw);
            if (strcmp(cat, "impact") == 0 && details && !adv->severity_label)
                adv->severity_label = details;
        }
        vg__jw_pop(jw);
    }
    if (adv->severity_label)
        adv->severity = impact_severity(adv->severity_label);
    return 0;
}

static void builder_dispose(builder *b)
{
    for (size_t i = 0; i < b->n; i++)
        json_decref(b->arches[i]);
    free(b->arches);
    json_decref(b->index);
    json_decref(b->wontfix);
}

static int read_statuses(builder *b, rhel_parser *p, json_t *vuln)
{
    vg_jw *jw = &p->jw;
    json_t *ps;
    int rc = vg__jw_get(&ps, jw, vuln, "product_status", JSON_OBJECT, false);
    if (rc != 0 || !ps)
        return rc;
    vg__jw_push_key(jw, "product_status");
    size_t total = 0;
    json_t *lists[VG_ARRAY_LEN(status_lists)];
    for (size_t s = 0; s < VG_ARRAY_LEN(status_lists); s++) {
        if ((rc = vg__jw_get(&lists[s], jw, ps, status_lists[s].key, JSON_ARRAY, false)) != 0)
            return rc;
        total += lists[s] ? json_array_size(lists[s]) : 0;
    }
    b->recs = vg__jw_alloc(jw, total, sizeof(vg_affected));
    b->arches = vg_xcalloc(total ? total : 1, sizeof(json_t *));
    b->cap = total;
    for (size_t s = 0; s < VG_ARRAY_LEN(status_lists); s++) {
        if (!lists[s])
            continue;
        vg__jw_push_key(jw, status_lists[s].key);
        size_t i;
        json_t *pid;
        json_array_foreach(lists[s], i, pid)
        {
            vg__jw_push_idx(jw, i);
            if (!json_is_string(pid))
                return vg__jw_fail(jw, VG_EINVAL, NULL, "expected string (a product id), got %s",
                                   json_is_object(pid)  ? "object"
                                   : json_is_array(pid) ? "array"
                                                        : "another scalar");
            if ((rc = add_status(b, p, &status_lists[s], json_string_value(pid))) != 0)
                return rc;
            vg__jw_pop(jw);
        }
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

static void finish_arches(builder *b, vg_jw *jw)
{
    for (size_t i = 0; i < b->n; i++) {
        if (!json_is_array(b->arches[i]))
            continue;
        vg_strbuf sb;
        vg_strbuf_init(&sb, 64 * (VG_JW_SHORT_MAX + 1));
        size_t k;
        json_t *e;
        json_array_foreach(b->arches[i], k, e)
        {
            if (k)
                vg_strbuf_putc(&sb, '|');
            vg_strbuf_puts(&sb, json_string_value(e));
        }
        b->recs[i].arch = vg__jw_dup(jw, sb.buf, sb.len);
        vg_strbuf_dispose(&sb);
    }
}

static int read_vulnerability(rhel_parser *p, const doc_info *d, json_t *vuln)
{
    vg_jw *jw = &p->jw;
    if (!json_is_object(vuln))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
    vg_advisory adv = {0};
    adv.source = "rhel";
    const char *cve, *vtitle, *release;
    int rc;
    if ((rc = vg__jw_str(&cve, jw, vuln, "cve", VG_JW_SHORT_MAX, false)) != 0 ||
        (rc = vg__jw_str(&vtitle, jw, vuln, "title", VG_JW_TEXT_MAX, false)) != 0 ||
        (rc = vg__jw_str(&release, jw, vuln, "release_date", VG_JW_SHORT_MAX, false)) != 0)
        return rc;
    adv.id = cve ? cve : d->track_id;
    adv.summary = vtitle ? vtitle : d->title;
    adv.published = release ? release : d->initial;
    adv.modified = d->current;
    if ((rc = read_text(&adv, jw, vuln)) != 0 || (rc = read_scores(&adv, jw, vuln)) != 0 ||
        (rc = read_severity(&adv, jw, d, vuln)) != 0)
        return rc;

    builder b = {0};
    b.index = json_object();
    b.wontfix = json_object();
    vg_jw_strs links = {0};
    rc = add_urls(&links, jw, vuln, "references", true);
    for (size_t i = 0; i < d->links.n; i++)
        vg__jw_strs_add(jw, &links, d->links.v[i]);
    if (rc == 0)
        rc = read_remediations(&b, &links, jw, vuln);
    vg__jw_strs_dispose(&links);
    adv.links = links.v;
    adv.n_links = links.n;
    if (rc == 0)
        rc = read_statuses(&b, p, vuln);
    if (rc == 0) {
        finish_arches(&b, jw);
        adv.affected = b.recs;
        adv.n_affected = b.n;
        rc = jw->ctx->emit(jw->ctx, &adv);
    }
    builder_dispose(&b);
    return rc;
}

/* Reads $.document into `d`; *deleted when it is a deletion stub. */
static int read_document(doc_info *d, bool *deleted, vg_jw *jw, json_t *root)
{
    json_t *doc, *tracking, *agg;
    int rc;
    *deleted = false;
    if ((rc = vg__jw_get(&doc, jw, root, "document", JSON_OBJECT, true)) != 0)
        return rc;
    vg__jw_push_key(jw, "document");
    if ((rc = vg__jw_get(&tracking, jw, doc, "tracking", JSON_OBJECT, true)) != 0)
        return rc;
    vg__jw_push_key(jw, "tracking");
    const char *status;
    if ((rc = vg__jw_str(&status, jw, tracking, "status", VG_JW_SHORT_MAX, false)) != 0 ||
        (rc = vg__jw_str(&d->track_id, jw, tracking, "id", VG_JW_SHORT_MAX, true)) != 0 ||
        (rc = vg__jw_str(&d->initial, jw, tracking, "initial_release_date", VG_JW_SHORT_MAX,
                         false)) != 0 ||
        (rc = vg__jw_str(&d->current, jw, tracking, "current_release_date", VG_JW_SHORT_MAX,
                         false)) != 0)
        return rc;
    vg__jw_pop(jw);
    if (status && strcmp(status, "deleted") == 0) {
        *deleted = true;
        jw->ctx->skipped++;
        return 0;
    }
    if ((rc = vg__jw_str(&d->title, jw, doc, "title", VG_JW_TEXT_MAX, false)) != 0 ||
        (rc = vg__jw_get(&agg, jw, doc, "aggregate_severity", JSON_OBJECT, false)) != 0)
        return rc;
    if (agg) {
        vg__jw_push_key(jw, "aggregate_severity");
        if ((rc = vg__jw_str(&d->severity_label, jw, agg, "text", VG_JW_SHORT_MAX, false)) != 0)
            return rc;
        vg__jw_pop(jw);
    }
    if ((rc = add_urls(&d->links, jw, doc, "references", false)) != 0)
        return rc;
    vg__jw_pop(jw);
    return 0;
}

static int parse_doc(rhel_parser *p, json_t *root)
{
    vg_jw *jw = &p->jw;
    if (!json_is_object(root))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected a CSAF document (object)");
    doc_info d = {0};
    bool deleted;
    json_t *vulns;
    int rc = read_document(&d, &deleted, jw, root);
    if (rc == 0 && !deleted)
        rc = read_product_tree(p, root);
    if (rc == 0 && !deleted)
        rc = vg__jw_get(&vulns, jw, root, "vulnerabilities", JSON_ARRAY, false);
    if (rc == 0 && !deleted && vulns) {
        vg__jw_push_key(jw, "vulnerabilities");
        size_t i;
        json_t *v;
        json_array_foreach(vulns, i, v)
        {
            vg__jw_push_idx(jw, i);
            if ((rc = read_vulnerability(p, &d, v)) != 0)
                break;
            vg__jw_pop(jw);
        }
    }
    vg__jw_strs_dispose(&d.links);
    return rc;
}

static int rhel_parse(vg_feed_ctx *ctx, const char *buf, size_t len)
{
    rhel_parser p = {0};
    json_t *root = NULL;
    int rc = vg__jw_load(&root, &p.jw, ctx, "rhel", buf, len);
    if (rc == 0) {
        p.products = json_object();
        p.rels = json_object();
        rc = parse_doc(&p, root);
        json_decref(p.products);
        json_decref(p.rels);
        json_decref(root);
    }
    vg__jw_dispose(&p.jw);
    return rc;
}

/*
 * The feed index. Red Hat's feed root lists its documents in changes.csv, one line per file:
 * "<year>/<file>.json","<RFC 3339 time>". rhel_list_urls turns a document whose URL ends in
 * ".csv" into the official URLs of those files, relative to the index's directory; feed.c
 * fetches each once (a listed file that is missing fails the run) and parses them instead of
 * the index. A listed path must be relative, made of [A-Za-z0-9._-] segments joined by "/",
 * without "." or ".." segments, end in ".json" and be at most INDEX_PATH_CAP bytes; a line is
 * at most INDEX_LINE_CAP bytes; blank lines are skipped; anything else fails the run with
 * its line number. The time column is not used: every run fetches every listed file with a
 * conditional request, so an unchanged file costs a 304. deletions.csv (files Red Hat has
 * removed) is not read: a removed file is no longer in changes.csv, so it drops out of the
 * next operation anyway. The full archive (archive_latest.txt → csaf_vex_<date>.tar.zst) is
 * not used: a zstd tar is not one of the fetch layer's kinds.
 */
#define INDEX_LINE_CAP ((size_t)4096)
#define INDEX_PATH_CAP ((size_t)1024)

static bool index_path_ok(vg_slice p)
{
    if (p.len == 0 || p.len > INDEX_PATH_CAP || p.len < 5 ||
        memcmp(p.ptr + p.len - 5, ".json", 5) != 0)
        return false;
    size_t seg = 0;   /* bytes in the current segment */
    bool dots = true; /* the current segment is dots only */
    for (size_t i = 0; i <= p.len; i++) {
        char c = i < p.len ? p.ptr[i] : '/';
        if (c == '/') {
            if (seg == 0 || (dots && seg <= 2))
                return false;
            seg = 0;
            dots = true;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
        dots = dots && c == '.';
        seg++;
    }
    return true;
}

static int index_fail(const vg_feed_ctx *ctx, size_t line, const char *what)
{
    char where[48];
    snprintf(where, sizeof(where), "line %zu", line);
    return vg__feed_fail(ctx, "rhel", VG_EINVAL, where, "%s", what);
}

static int rhel_list_urls(vg_feed_ctx *ctx, const char *buf, size_t len,
                          int (*add)(void *state, const char *url), void *state)
{
    const char *url = ctx->url;
    size_t ulen = strlen(url);
    if (ulen < 4 || strcmp(url + ulen - 4, ".csv") != 0)
        return 0;
    const char *slash = strrchr(url, '/');
    size_t root_len = slash ? (size_t)(slash - url) + 1 : 0;
    vg_slice rest = {buf, len}, line;
    int rc = 0;
    for (size_t n = 1; rc == 0 && rest.ptr; n++) {
        rest = vg_slice_split(rest, '\n', &line);
        if (line.len > INDEX_LINE_CAP)
            return index_fail(ctx, n, "line longer than INDEX_LINE_CAP (4096 bytes)");
        if (line.len && line.ptr[line.len - 1] == '\r')
            line.len--;
        line = vg_slice_trim(line);
        if (line.len == 0)
            continue;
        /* "<path>","<time>" */
        const char *end =
            line.len > 1 && line.ptr[0] == '"' ? memchr(line.ptr + 1, '"', line.len - 1) : NULL;
        if (!end)
            return index_fail(ctx, n, "expected \"<year>/<file>.json\",\"<time>\"");
        vg_slice path = {line.ptr + 1, (size_t)(end - line.ptr - 1)};
        vg_slice after = {end + 1, line.len - (size_t)(end + 1 - line.ptr)};
        if (after.len && !(after.len >= 3 && after.ptr[0] == ',' && after.ptr[1] == '"' &&
                           after.ptr[after.len - 1] == '"'))
            return index_fail(ctx, n, "expected a quoted time after the path");
        if (!index_path_ok(path))
            return index_fail(ctx, n,
                              "the path is not a relative \"<dir>/<file>.json\" (letters, digits, "
                              "'.', '_', '-'; no '.' or '..' segments)");
        vg_strbuf sb;
        vg_strbuf_init(&sb, root_len + INDEX_PATH_CAP + 1);
        vg_strbuf_append(&sb, url, root_len);
        vg_strbuf_append(&sb, path.ptr, path.len);
        rc = vg_strbuf_error(&sb) ? index_fail(ctx, n, "URL too long") : add(state, sb.buf);
        vg_strbuf_dispose(&sb);
    }
    return rc ? rc : 1;
}

/* The VEX feed's index (see above); the listed <year>/cve-*.json documents sit below the same
 * directory (a mirror holds both at <mirror>/security.access.redhat.com/data/csaf/v2/vex/).
 * A directory of documents (--url DIR, e.g. an unpacked archive) is read as it is. */
static const char *const rhel_urls[] = {
    "https://security.access.redhat.com/data/csaf/v2/vex/changes.csv",
    NULL,
};

const vg_updater vg__updater_rhel = {
    .name = "rhel",
    .urls = rhel_urls,
    .parse = rhel_parse,
    .optional_urls = false,
    .list_urls = rhel_list_urls,
};
