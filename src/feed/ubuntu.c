/* ubuntu.c — the ubuntu updater of src/feed/: Canonical's Ubuntu OSV records (one per CVE,
 * canonical/ubuntu-security-notices osv/cve/<year>/UBUNTU-CVE-*.json) parsed into advisories
 * whose affected records are source packages per Ubuntu release, compared with dpkg rules.
 * Fetched as osv.dev's Ubuntu zip of the same records (ubuntu_urls, at the end). */
#include "jwalk.h"
#include "version/version.h"

#include <string.h>
#include <strings.h>

/*
 * Mapping (what the real records in ../shared/feeds/ubuntu/osv{,-esm}/ contain):
 *
 * - One document is one OSV record. A record with "withdrawn" set is skipped (Canonical
 *   withdraws superseded records; OSV consumers must not match them), so it drops out of the
 *   next update operation. Notices (USN-…, LSN-… records of osv/usn/ and osv/lsn/) are
 *   skipped too: they repeat the fixes of the CVE records under another id, and a matcher
 *   fed both would report every fix twice. The CVE records name their USNs in "related",
 *   whose URLs are among the links.
 * - id: "UBUNTU-CVE-2021-3782" becomes "CVE-2021-3782" so that NVD enriches it and the matcher
 *   meets the same id as from Debian; the original id is kept as an alias. aliases: the
 *   original id, "aliases" and "upstream" ("UBUNTU-CVE-…" as "CVE-…"), minus the advisory
 *   id. "related" (USNs) is left out: those are in the links.
 * - severity[]: type "Ubuntu" is the Ubuntu priority — negligible, low, medium, high,
 *   critical map to the same severity; anything else ("untriaged") is Unknown; the word is
 *   kept as severity_label. CVSS_V2/V3/V4 entries become CVSS vectors (version from the
 *   "CVSS:x.y/" prefix, "2.0" without one; OSV gives no base score: v2 and v3 scores are
 *   computed from the vector (cvss.c; a malformed vector is an error), v4 ones stay 0; source
 *   "ubuntu"). Duplicate vectors are kept once.
 * - affected[]: ecosystem "Ubuntu:22.04:LTS", "Ubuntu:Pro:16.04:LTS", "Ubuntu:25.10",
 *   "Ubuntu:Pro:FIPS-updates:22.04:LTS", … → namespace "ubuntu:<first N.N component>": Pro
 *   (ESM) fixes share the release namespace, since an ESM-fixed package is still vulnerable on
 *   a machine without Pro. Other ecosystems are skipped; "Ubuntu:…" without a release is an
 *   error. package.name is the source package (source_pkg true), scheme "dpkg".
 * - Status. Ubuntu's OSV export carries no per-release status word. A released fix appears
 *   as an ECOSYSTEM range with a "fixed" event (→ fixed, the events kept); an unfixed release
 *   (UCT's needed, deferred or pending) as an "introduced":"0" range without a fix plus the
 *   explicit list of affected versions (→ affected, unfixed: the three words cannot be told
 *   apart, so no "deferred" label can be kept). Nothing in the records marks a release
 *   not-affected or ignored — such releases have no affected entry — so not-affected and
 *   will-not-fix do not arise from this feed.
 * - Events and listed versions must be valid dpkg versions. Non-ECOSYSTEM ranges (GIT) are
 *   skipped. ecosystem_specific (binaries, availability) and database_specific are not kept:
 *   matching is by source package.
 * - Not implemented: the OpenVEX and ubuntu-cve-tracker text samples (vex/, uct/) of the same
 *   data; OSV is what Canonical documents as its machine-readable feed.
 */

typedef struct ubuntu_parser {
    vg_jw jw;
    json_t *cvss_seen;
} ubuntu_parser;

static bool is_release(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (digits == 0 || i >= n || s[i] != '.')
        return false;
    i++;
    size_t minor = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, minor++;
    return minor > 0 && i == n;
}

/* "Ubuntu:Pro:16.04:LTS" → "ubuntu:16.04" in the arena; NULL when no component is N.N. */
static const char *release_ns(vg_jw *jw, const char *eco)
{
    const char *p = eco;
    while (p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (p != eco && is_release(p, n)) {
            vg_strbuf sb;
            vg_strbuf_init(&sb, 64);
            vg_strbuf_puts(&sb, "ubuntu:");
            vg_strbuf_append(&sb, p, n);
            const char *ns = vg__jw_dup(jw, sb.buf, sb.len);
            vg_strbuf_dispose(&sb);
            return ns;
        }
        p = colon ? colon + 1 : NULL;
    }
    return NULL;
}

static int check_dpkg(vg_jw *jw, const char *v)
{
    if (vg_version_check(VG_SCHEME_DPKG, v) == 0)
        return 0;
    vg_strbuf why;
    vg_strbuf_init(&why, 512);
    vg_strbuf_puts(&why, vg_error_last());
    int rc = vg__jw_fail(jw, VG_EINVAL, NULL, "invalid dpkg version: %s", why.buf);
    vg_strbuf_dispose(&why);
    return rc;
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

static int parse_event(vg_event *out, vg_jw *jw, json_t *ev)
{
    if (!json_is_object(ev))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object, got %s",
                           json_is_array(ev) ? "array" : "scalar");
    for (size_t i = 0; i < VG_ARRAY_LEN(event_keys); i++) {
        const char *v;
        int rc = vg__jw_str(&v, jw, ev, event_keys[i].key, VG_JW_SHORT_MAX, false);
        if (rc != 0)
            return rc;
        if (!v)
            continue;
        vg__jw_push_key(jw, event_keys[i].key);
        if (!*v)
            return vg__jw_fail(jw, VG_EINVAL, NULL, "empty version");
        if ((rc = check_dpkg(jw, v)) != 0)
            return rc;
        vg__jw_pop(jw);
        out->kind = event_keys[i].kind;
        out->version = v;
        return 0;
    }
    return vg__jw_fail(jw, VG_EINVAL, NULL,
                       "event without introduced, fixed, last_affected or limit");
}

/* Appends the events of ECOSYSTEM ranges of `aff` (path at affected[i]) to `out`. */
static int parse_ranges(vg_affected *out, vg_jw *jw, json_t *aff)
{
    json_t *ranges;
    int rc = vg__jw_get(&ranges, jw, aff, "ranges", JSON_ARRAY, false);
    if (rc != 0 || !ranges)
        return rc;
    vg__jw_push_key(jw, "ranges");
    size_t total = 0, i;
    json_t *r;
    json_array_foreach(ranges, i, r)
    {
        json_t *evs = json_is_object(r) ? json_object_get(r, "events") : NULL;
        if (json_is_array(evs))
            total += json_array_size(evs);
    }
    if (total > VG_RANGE_MAX_EVENTS)
        return vg__jw_fail(jw, VG_ETOOBIG, NULL, "%zu events (cap %d)", total, VG_RANGE_MAX_EVENTS);
    out->events = vg__jw_alloc(jw, total, sizeof(vg_event));
    json_array_foreach(ranges, i, r)
    {
        vg__jw_push_idx(jw, i);
        if (!json_is_object(r))
            return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        const char *type;
        json_t *evs;
        if ((rc = vg__jw_str(&type, jw, r, "type", VG_JW_SHORT_MAX, true)) != 0 ||
            (rc = vg__jw_get(&evs, jw, r, "events", JSON_ARRAY, true)) != 0)
            return rc;
        if (strcmp(type, "ECOSYSTEM") == 0) {
            vg__jw_push_key(jw, "events");
            size_t j;
            json_t *ev;
            json_array_foreach(evs, j, ev)
            {
                vg__jw_push_idx(jw, j);
                if ((rc = parse_event(&out->events[out->n_events], jw, ev)) != 0)
                    return rc;
                if (out->events[out->n_events].kind == VG_EVENT_FIXED)
                    out->status = VG_STATUS_FIXED;
                out->n_events++;
                vg__jw_pop(jw);
            }
            vg__jw_pop(jw);
        } else {
            jw->ctx->skipped++;
        }
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

static int parse_versions(vg_affected *out, vg_jw *jw, json_t *aff)
{
    json_t *vers;
    int rc = vg__jw_get(&vers, jw, aff, "versions", JSON_ARRAY, false);
    if (rc != 0 || !vers)
        return rc;
    vg__jw_push_key(jw, "versions");
    out->versions = vg__jw_alloc(jw, json_array_size(vers), sizeof(char *));
    size_t i;
    json_t *v;
    json_array_foreach(vers, i, v)
    {
        vg__jw_push_idx(jw, i);
        const char *s;
        if ((rc = vg__jw_strval(&s, jw, v, VG_JW_SHORT_MAX, true)) != 0 ||
            (rc = check_dpkg(jw, s)) != 0)
            return rc;
        out->versions[out->n_versions++] = s;
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

/* One affected[] entry (path at affected[i]); *keep false when it is not an Ubuntu one. */
static int parse_affected(vg_affected *out, bool *keep, vg_jw *jw, json_t *aff)
{
    *keep = false;
    if (!json_is_object(aff))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
    json_t *pkg;
    int rc = vg__jw_get(&pkg, jw, aff, "package", JSON_OBJECT, true);
    if (rc != 0)
        return rc;
    vg__jw_push_key(jw, "package");
    const char *eco, *name;
    if ((rc = vg__jw_str(&eco, jw, pkg, "ecosystem", VG_JW_SHORT_MAX, true)) != 0 ||
        (rc = vg__jw_str(&name, jw, pkg, "name", VG_JW_SHORT_MAX, true)) != 0)
        return rc;
    const char *ns = NULL;
    if (strncmp(eco, "Ubuntu:", 7) == 0 && !(ns = release_ns(jw, eco)))
        return vg__jw_fail(jw, VG_EINVAL, "ecosystem", "no Ubuntu release (N.N) in \"%s\"",
                           vg__jw_q(jw, eco));
    vg__jw_pop(jw);
    if (!ns) { /* another ecosystem: not ours */
        jw->ctx->skipped++;
        return 0;
    }

    memset(out, 0, sizeof(*out));
    out->ns = ns;
    out->package = name;
    out->source_pkg = true;
    out->scheme = "dpkg";
    out->status = VG_STATUS_AFFECTED;
    if ((rc = parse_ranges(out, jw, aff)) != 0 || (rc = parse_versions(out, jw, aff)) != 0)
        return rc;
    *keep = true;
    return 0;
}

static const char *const priorities[] = {"negligible", "low", "medium", "high", "critical"};

static vg_severity priority_severity(const char *p)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(priorities); i++)
        if (strcasecmp(p, priorities[i]) == 0)
            return (vg_severity)(VG_SEV_NEGLIGIBLE + i);
    return VG_SEV_UNKNOWN;
}

static const char *cvss_version(vg_jw *jw, const char *vector)
{
    if (strncmp(vector, "CVSS:", 5) != 0)
        return "2.0";
    const char *slash = strchr(vector + 5, '/');
    size_t n = slash ? (size_t)(slash - vector - 5) : strlen(vector + 5);
    return vg__jw_dup(jw, vector + 5, n);
}

static int parse_severity(vg_advisory *adv, ubuntu_parser *p, json_t *rec)
{
    vg_jw *jw = &p->jw;
    json_t *sev;
    int rc = vg__jw_get(&sev, jw, rec, "severity", JSON_ARRAY, false);
    if (rc != 0 || !sev)
        return rc;
    vg__jw_push_key(jw, "severity");
    adv->cvss = vg__jw_alloc(jw, json_array_size(sev), sizeof(vg_cvss));
    size_t i;
    json_t *s;
    json_array_foreach(sev, i, s)
    {
        vg__jw_push_idx(jw, i);
        if (!json_is_object(s))
            return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        const char *type, *score;
        if ((rc = vg__jw_str(&type, jw, s, "type", VG_JW_SHORT_MAX, true)) != 0 ||
            (rc = vg__jw_str(&score, jw, s, "score", VG_JW_SHORT_MAX, true)) != 0)
            return rc;
        if (strcmp(type, "Ubuntu") == 0) {
            if (!adv->severity_label) {
                adv->severity_label = score;
                adv->severity = priority_severity(score);
            }
        } else if (strncmp(type, "CVSS_V", 6) == 0) {
            double base = 0;
            if (strcmp(type, "CVSS_V3") == 0 || strcmp(type, "CVSS_V2") == 0) {
                int bad = type[6] == '3' ? vg__cvss3_base_score(&base, score)
                                         : vg__cvss2_base_score(&base, score);
                if (bad)
                    return vg__jw_fail(jw, VG_EINVAL, "score", "malformed %s vector \"%s\"", type,
                                       vg__jw_q(jw, score));
            }
            if (vg__jw_set_add(p->cvss_seen, score)) {
                vg_cvss *c = &adv->cvss[adv->n_cvss++];
                c->version = cvss_version(jw, score);
                c->vector = score;
                c->score = base;
                c->source = "ubuntu";
            }
        }
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

/* Adds the strings of array member `key` to `l` ("UBUNTU-CVE-…" as "CVE-…"), except `self`. */
static int add_ids(vg_jw_strs *l, vg_jw *jw, json_t *rec, const char *key, const char *self)
{
    json_t *arr;
    int rc = vg__jw_get(&arr, jw, rec, key, JSON_ARRAY, false);
    if (rc != 0 || !arr)
        return rc;
    vg__jw_push_key(jw, key);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        vg__jw_push_idx(jw, i);
        const char *s;
        if ((rc = vg__jw_strval(&s, jw, v, VG_JW_SHORT_MAX, true)) != 0)
            return rc;
        if (strncmp(s, "UBUNTU-CVE-", 11) == 0)
            s += 7;
        if (strcmp(s, self) != 0)
            vg__jw_strs_add(jw, l, s);
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

static int parse_links(vg_advisory *adv, vg_jw *jw, json_t *rec)
{
    json_t *refs;
    int rc = vg__jw_get(&refs, jw, rec, "references", JSON_ARRAY, false);
    if (rc != 0 || !refs)
        return rc;
    vg__jw_push_key(jw, "references");
    vg_jw_strs links = {0};
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r)
    {
        vg__jw_push_idx(jw, i);
        const char *url = NULL;
        if (!json_is_object(r))
            rc = vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        else
            rc = vg__jw_str(&url, jw, r, "url", VG_JW_SHORT_MAX, true);
        if (rc != 0) {
            vg__jw_strs_dispose(&links);
            return rc;
        }
        vg__jw_strs_add(jw, &links, url);
        vg__jw_pop(jw);
    }
    vg__jw_strs_dispose(&links);
    adv->links = links.v;
    adv->n_links = links.n;
    vg__jw_pop(jw);
    return 0;
}

static int parse_record(ubuntu_parser *p, json_t *rec)
{
    vg_jw *jw = &p->jw;
    if (!json_is_object(rec))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected an OSV record (object), got %s",
                           json_is_array(rec) ? "array" : "scalar");
    const char *id, *withdrawn;
    int rc;
    if ((rc = vg__jw_str(&id, jw, rec, "id", VG_JW_SHORT_MAX, true)) != 0 ||
        (rc = vg__jw_str(&withdrawn, jw, rec, "withdrawn", VG_JW_SHORT_MAX, false)) != 0)
        return rc;
    if (withdrawn || strncmp(id, "USN-", 4) == 0 || strncmp(id, "LSN-", 4) == 0) {
        p->jw.ctx->skipped++;
        return 0;
    }

    vg_advisory adv = {0};
    adv.source = "ubuntu";
    adv.id = strncmp(id, "UBUNTU-CVE-", 11) == 0 ? id + 7 : id;
    if ((rc = vg__jw_str(&adv.summary, jw, rec, "summary", VG_JW_TEXT_MAX, false)) != 0 ||
        (rc = vg__jw_str(&adv.description, jw, rec, "details", VG_JW_TEXT_MAX, false)) != 0 ||
        (rc = vg__jw_str(&adv.published, jw, rec, "published", VG_JW_SHORT_MAX, false)) != 0 ||
        (rc = vg__jw_str(&adv.modified, jw, rec, "modified", VG_JW_SHORT_MAX, false)) != 0)
        return rc;

    vg_jw_strs aliases = {0};
    if (adv.id != id)
        vg__jw_strs_add(jw, &aliases, id);
    rc = add_ids(&aliases, jw, rec, "aliases", adv.id);
    if (rc == 0)
        rc = add_ids(&aliases, jw, rec, "upstream", adv.id);
    vg__jw_strs_dispose(&aliases);
    if (rc != 0)
        return rc;
    adv.aliases = aliases.v;
    adv.n_aliases = aliases.n;

    if ((rc = parse_severity(&adv, p, rec)) != 0 || (rc = parse_links(&adv, jw, rec)) != 0)
        return rc;

    json_t *affected;
    if ((rc = vg__jw_get(&affected, jw, rec, "affected", JSON_ARRAY, false)) != 0)
        return rc;
    if (affected) {
        vg__jw_push_key(jw, "affected");
        adv.affected = vg__jw_alloc(jw, json_array_size(affected), sizeof(vg_affected));
        size_t i;
        json_t *a;
        json_array_foreach(affected, i, a)
        {
            vg__jw_push_idx(jw, i);
            bool keep;
            if ((rc = parse_affected(&adv.affected[adv.n_affected], &keep, jw, a)) != 0)
                return rc;
            if (keep)
                adv.n_affected++;
            vg__jw_pop(jw);
        }
        vg__jw_pop(jw);
    }
    return p->jw.ctx->emit(p->jw.ctx, &adv);
}

static int ubuntu_parse(vg_feed_ctx *ctx, const char *buf, size_t len)
{
    ubuntu_parser p = {0};
    json_t *root = NULL;
    int rc = vg__jw_load(&root, &p.jw, ctx, "ubuntu", buf, len);
    if (rc == 0) {
        p.cvss_seen = json_object();
        rc = parse_record(&p, root);
        json_decref(p.cvss_seen);
        json_decref(root);
    }
    vg__jw_dispose(&p.jw);
    return rc;
}

/* osv.dev's per-ecosystem zip of Ubuntu's OSV records (the CVE records of Canonical's
 * ubuntu-security-notices osv/cve/ tree, plus its USN/LSN notices, which are skipped); a mirror
 * holds it at <mirror>/osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip. A directory
 * of records (--url DIR, e.g. a checkout of osv/cve/) is read as it is. */
static const char *const ubuntu_urls[] = {
    "https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip",
    NULL,
};

const vg_updater vg__updater_ubuntu = {
    .name = "ubuntu",
    .urls = ubuntu_urls,
    .parse = ubuntu_parse,
    .optional_urls = false,
};
