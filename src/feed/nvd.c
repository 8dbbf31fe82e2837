/* nvd.c — the nvd updater of src/feed/: NVD CVE API 2.0 JSON, one page (or one record) per
 * document, parsed into advisories without affected records that carry what NVD adds to the
 * distributions' advisories of the same CVE id: CVSS vectors and scores, description, CWEs. */
#include "jwalk.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Documents: an API page {"resultsPerPage",…,"vulnerabilities":[{"cve":{…}}]} (a page without
 * "vulnerabilities" is an empty result), a bare cve object {"id",…} (vuln-list-nvd layout and
 * the hand-trimmed records), one {"cve":{…}} element, a top-level array of such elements, or
 * vunnel's result envelope {"identifier","item":{"cve":{…}}}. The full feed is gigabytes: the
 * fetch layer hands over one page at a time (startIndex / resultsPerPage), and this parser
 * keeps nothing across documents. Within a page it streams: json.c's cursor checks the
 * nesting of the whole document, then each element of "vulnerabilities" is decoded alone,
 * turned into an advisory in a scratch arena, emitted (emit copies) and freed — one record's
 * tree is all it holds besides the page bytes.
 *
 * Mapping of one cve object (source "nvd", id = cve.id):
 * - vulnStatus "Rejected" records are skipped (they are not vulnerabilities).
 * - description: the descriptions[] entry with lang "en"; published / modified: published /
 *   lastModified, with "Z" appended when NVD gives no zone (its times are UTC).
 * - CVSS: every metrics.cvssMetricV40, V31, V30 and V2 entry (Primary and Secondary) →
 *   version, vectorString, baseScore and source, once per (source, vector).
 * - severity: the baseSeverity of the first metric found in this order: Primary v3.1,
 *   Primary v4.0, Primary v3.0, Primary v2, then the same order among Secondary ones (a CNA's
 *   score while NVD has not analysed the CVE). CRITICAL, HIGH, MEDIUM, LOW map to the same
 *   severity and NONE to Negligible; the word is kept as severity_label. Without a
 *   baseSeverity the base score's CVSS band is used (label left empty).
 * - CWE: weaknesses[].description[].value starting with "CWE-" (NVD-CWE-noinfo/Other are
 *   not CWE ids), once each; links: references[].url, once each.
 * - configurations (CPE applicability) are not kept: no affected records are emitted. The
 *   distributions' trackers are the authority on their packages; CPE ranges would need a
 *   version scheme per product, which NVD does not say.
 */

typedef struct nvd_parser {
    vg_jw jw;          /* jw.ctx is `local` while streaming, else `orig` */
    vg_feed_ctx *orig; /* the caller's: emit and skipped go there */
    vg_feed_ctx local; /* a copy whose arena holds one record at a time */
    const char *buf;   /* the document, for line and column of streamed elements */
    size_t len;
} nvd_parser;

static const char *const metric_keys[] = {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30",
                                          "cvssMetricV2"};
/* severity preference, as indexes into metric_keys: v3.1, v4.0, v3.0, v2 */
static const int sev_order[] = {1, 0, 2, 3};

static vg_severity word_severity(const char *w)
{
    static const struct {
        const char *word;
        vg_severity sev;
    } map[] = {{"NONE", VG_SEV_NEGLIGIBLE},
               {"LOW", VG_SEV_LOW},
               {"MEDIUM", VG_SEV_MEDIUM},
               {"HIGH", VG_SEV_HIGH},
               {"CRITICAL", VG_SEV_CRITICAL}};
    for (size_t i = 0; i < VG_ARRAY_LEN(map); i++)
        if (strcasecmp(w, map[i].word) == 0)
            return map[i].sev;
    return VG_SEV_UNKNOWN;
}

static vg_severity score_severity(double s, bool v2)
{
    if (v2)
        return s >= 7.0 ? VG_SEV_HIGH : s >= 4.0 ? VG_SEV_MEDIUM : VG_SEV_LOW;
    return s >= 9.0   ? VG_SEV_CRITICAL
           : s >= 7.0 ? VG_SEV_HIGH
           : s >= 4.0 ? VG_SEV_MEDIUM
           : s > 0.0  ? VG_SEV_LOW
                      : VG_SEV_NEGLIGIBLE;
}

/* NVD times ("2021-10-05T20:15:07.553") are UTC without a zone: append "Z" then. */
static const char *utc_time(vg_jw *jw, const char *t)
{
    if (!t)
        return NULL;
    const char *tp = strchr(t, 'T');
    size_t n = strlen(t);
    if (!tp || (n && t[n - 1] == 'Z') || strchr(tp, '+') || strchr(tp, '-'))
        return t;
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_JW_SHORT_MAX + 2);
    vg_strbuf_puts(&sb, t);
    vg_strbuf_putc(&sb, 'Z');
    const char *out = vg__jw_dup(jw, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
    return out;
}

/* A metric chosen for the severity: rank (lower is better), word, score. */
typedef struct sev_pick {
    int rank;
    const char *word;
    double score;
    bool v2;
} sev_pick;

static int read_metrics(vg_advisory *adv, sev_pick *pick, vg_jw *jw, json_t *cve)
{
    json_t *metrics;
    int rc = vg__jw_get(&metrics, jw, cve, "metrics", JSON_OBJECT, false);
    if (rc != 0 || !metrics)
        return rc;
    vg__jw_push_key(jw, "metrics");
    size_t total = 0;
    json_t *lists[VG_ARRAY_LEN(metric_keys)];
    for (size_t k = 0; k < VG_ARRAY_LEN(metric_keys); k++) {
        if ((rc = vg__jw_get(&lists[k], jw, metrics, metric_keys[k], JSON_ARRAY, false)) != 0)
            return rc;
        total += lists[k] ? json_array_size(lists[k]) : 0;
    }
    adv->cvss = vg__jw_alloc(jw, total, sizeof(vg_cvss));
    json_t *seen = json_object();
    for (size_t k = 0; k < VG_ARRAY_LEN(metric_keys) && rc == 0; k++) {
        if (!lists[k])
            continue;
        int pref = 0;
        while (sev_order[pref] != (int)k)
            pref++;
        vg__jw_push_key(jw, metric_keys[k]);
        size_t i;
        json_t *m;
        json_array_foreach(lists[k], i, m)
        {
            vg__jw_push_idx(jw, i);
            json_t *data, *score;
            const char *source, *type, *version, *vector, *word, *word2;
            if (!json_is_object(m)) {
                rc = vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
                break;
            }
            if ((rc = vg__jw_str(&source, jw, m, "source", VG_JW_SHORT_MAX, false)) != 0 ||
                (rc = vg__jw_str(&type, jw, m, "type", VG_JW_SHORT_MAX, false)) != 0 ||
                (rc = vg__jw_str(&word2, jw, m, "baseSeverity", VG_JW_SHORT_MAX, false)) != 0 ||
                (rc = vg__jw_get(&data, jw, m, "cvssData", JSON_OBJECT, true)) != 0)
                break;
            vg__jw_push_key(jw, "cvssData");
            if ((rc = vg__jw_str(&version, jw, data, "version", VG_JW_SHORT_MAX, false)) != 0 ||
                (rc = vg__jw_str(&vector, jw, data, "vectorString", VG_JW_SHORT_MAX, true)) != 0 ||
                (rc = vg__jw_str(&word, jw, data, "baseSeverity", VG_JW_SHORT_MAX, false)) != 0 ||
                (rc = vg__jw_get(&score, jw, data, "baseScore", JSON_REAL, true)) != 0)
                break;
            vg__jw_pop(jw);
            vg_strbuf key;
            vg_strbuf_init(&key, 2 * VG_JW_SHORT_MAX + 8);
            vg_strbuf_printf(&key, "%s\x1f%s", source ? source : "", vector);
            bool fresh = vg__jw_set_add(seen, key.buf);
            vg_strbuf_dispose(&key);
            if (fresh) {
                vg_cvss *c = &adv->cvss[adv->n_cvss++];
                c->version = version ? version : k == 0 ? "4.0" : k == 3 ? "2.0" : "3.x";
                c->vector = vector;
                c->score = json_number_value(score);
                c->source = source;
            }
            int rank = pref + (type && strcmp(type, "Primary") == 0 ? 0 : 4);
            if (rank < pick->rank) {
                pick->rank = rank;
                pick->word = word ? word : word2;
                pick->score = json_number_value(score);
                pick->v2 = k == 3;
            }
            vg__jw_pop(jw);
        }
        if (rc == 0)
            vg__jw_pop(jw);
    }
    json_decref(seen);
    if (rc != 0)
        return rc;
    vg__jw_pop(jw);
    return 0;
}

static int read_descriptions(vg_advisory *adv, vg_jw *jw, json_t *cve)
{
    json_t *descs;
    int rc = vg__jw_get(&descs, jw, cve, "descriptions", JSON_ARRAY, false);
    if (rc != 0 || !descs)
        return rc;
    vg__jw_push_key(jw, "descriptions");
    size_t i;
    json_t *d;
    json_array_foreach(descs, i, d)
    {
        vg__jw_push_idx(jw, i);
        if (!json_is_object(d))
            return vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        const char *lang, *value;
        if ((rc = vg__jw_str(&lang, jw, d, "lang", VG_JW_SHORT_MAX, true)) != 0)
            return rc;
        if (strcmp(lang, "en") == 0 && !adv->description) {
            if ((rc = vg__jw_str(&value, jw, d, "value", VG_JW_TEXT_MAX, true)) != 0)
                return rc;
            adv->description = value;
        }
        vg__jw_pop(jw);
    }
    vg__jw_pop(jw);
    return 0;
}

static int read_weaknesses(vg_advisory *adv, vg_jw *jw, json_t *cve)
{
    json_t *ws;
    int rc = vg__jw_get(&ws, jw, cve, "weaknesses", JSON_ARRAY, false);
    if (rc != 0 || !ws)
        return rc;
    vg_jw_strs cwes = {0};
    vg__jw_push_key(jw, "weaknesses");
    size_t i;
    json_t *w;
    json_array_foreach(ws, i, w)
    {
        vg__jw_push_idx(jw, i);
        json_t *descs = NULL;
        if (!json_is_object(w))
            rc = vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
        else
            rc = vg__jw_get(&descs, jw, w, "description", JSON_ARRAY, true);
        if (rc != 0)
            break;
        vg__jw_push_key(jw, "description");
        size_t j;
        json_t *d;
        json_array_foreach(descs, j, d)
        {
            vg__jw_push_idx(jw, j);
            const char *value = NULL;
            if (!json_is_object(d))
                rc = vg__jw_fail(jw, VG_EINVAL, NULL, "expected object");
            else
                rc = vg__jw_str(&value, jw, d, "value", VG_JW_SHORT_MAX, true);
            if (rc != 0)
                break;
            if (value && strncmp(value, "CWE-", 4) == 0)
                vg__jw_strs_add(jw, &cwes, value);
            vg__jw_pop(jw);
        }
        if (rc != 0)
            break;
        vg__jw_pop(jw);
        vg__jw_pop(jw);
    }
    vg__jw_strs_dispose(&cwes);
    if (rc != 0)
        return rc;
    adv->cwes = cwes.v;
    adv->n_cwes = cwes.n;
    vg__jw_pop(jw);
    return 0;
}

static int read_references(vg_advisory *adv, vg_jw *jw, json_t *cve)
{
    json_t *refs;
    int rc = vg__jw_get(&refs, jw, cve, "references", JSON_ARRAY, false);
    if (rc != 0 || !refs)
        return rc;
    vg_jw_strs links = {0};
    vg__jw_push_key(jw, "references");
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
        if (rc != 0)
            break;
        vg__jw_strs_add(jw, &links, url);
        vg__jw_pop(jw);
    }
    vg__jw_strs_dispose(&links);
    if (rc != 0)
        return rc;
    adv->links = links.v;
    adv->n_links = links.n;
    vg__jw_pop(jw);
    return 0;
}

/* One cve object, the path at it. */
static int read_cve(nvd_parser *p, json_t *cve)
{
    vg_jw *jw = &p->jw;
    if (!json_is_object(cve))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected a cve object");
    vg_advisory adv = {0};
    adv.source = "nvd";
    const char *status, *published, *modified;
    int rc;
    if ((rc = vg__jw_str(&adv.id, jw, cve, "id", VG_JW_SHORT_MAX, true)) != 0 ||
        (rc = vg__jw_str(&status, jw, cve, "vulnStatus", VG_JW_SHORT_MAX, false)) != 0)
        return rc;
    if (status && strcasecmp(status, "Rejected") == 0) {
        p->orig->skipped++;
        return 0;
    }
    if ((rc = vg__jw_str(&published, jw, cve, "published", VG_JW_SHORT_MAX, false)) != 0 ||
        (rc = vg__jw_str(&modified, jw, cve, "lastModified", VG_JW_SHORT_MAX, false)) != 0)
        return rc;
    adv.published = utc_time(jw, published);
    adv.modified = utc_time(jw, modified);
    sev_pick pick = {.rank = 1 << 20};
    if ((rc = read_descriptions(&adv, jw, cve)) != 0 ||
        (rc = read_metrics(&adv, &pick, jw, cve)) != 0 ||
        (rc = read_weaknesses(&adv, jw, cve)) != 0 || (rc = read_references(&adv, jw, cve)) != 0)
        return rc;
    if (pick.word) {
        adv.severity_label = pick.word;
        adv.severity = word_severity(pick.word);
    } else if (pick.rank < (1 << 20)) {
        adv.severity = score_severity(pick.score, pick.v2);
    }
    return p->orig->emit(p->orig, &adv);
}

/* An element {"cve":{…}} (path at it). */
static int read_wrapped(nvd_parser *p, json_t *el)
{
    vg_jw *jw = &p->jw;
    if (!json_is_object(el))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected {\"cve\": {...}}");
    json_t *cve;
    int rc = vg__jw_get(&cve, jw, el, "cve", JSON_OBJECT, true);
    if (rc != 0)
        return rc;
    vg__jw_push_key(jw, "cve");
    if ((rc = read_cve(p, cve)) != 0)
        return rc;
    vg__jw_pop(jw);
    return 0;
}

static int read_list(nvd_parser *p, json_t *arr)
{
    size_t i;
    json_t *el;
    json_array_foreach(arr, i, el)
    {
        vg__jw_push_idx(&p->jw, i);
        int rc = read_wrapped(p, el);
        if (rc != 0)
            return rc;
        vg__jw_pop(&p->jw);
    }
    return 0;
}

static int parse_doc(nvd_parser *p, json_t *root)
{
    vg_jw *jw = &p->jw;
    if (json_is_array(root))
        return read_list(p, root);
    if (!json_is_object(root))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected an NVD CVE API 2.0 document");
    json_t *v;
    int rc;
    if ((rc = vg__jw_get(&v, jw, root, "vulnerabilities", JSON_ARRAY, false)) != 0)
        return rc;
    if (v) {
        vg__jw_push_key(jw, "vulnerabilities");
        return read_list(p, v);
    }
    if (json_object_get(root, "cve"))
        return read_wrapped(p, root);
    if (json_object_get(root, "item")) { /* vunnel's envelope */
        if ((rc = vg__jw_get(&v, jw, root, "item", JSON_OBJECT, true)) != 0)
            return rc;
        vg__jw_push_key(jw, "item");
        return read_wrapped(p, v);
    }
    if (json_object_get(root, "id"))
        return read_cve(p, root);
    if (json_object_get(root, "format") || json_object_get(root, "totalResults"))
        return 0; /* a page with no results */
    return vg__jw_fail(jw, VG_EINVAL, NULL,
                       "not an NVD CVE API 2.0 document (no vulnerabilities, cve or id)");
}

/* A document small enough to decode whole: one record, or a page without vulnerabilities. */
static int parse_whole(nvd_parser *p)
{
    json_t *root = NULL;
    int rc = vg__jw_load(&root, &p->jw, p->orig, "nvd", p->buf, p->len);
    if (rc == 0) {
        rc = parse_doc(p, root);
        json_decref(root);
    }
    return rc;
}

static size_t skip_blanks(const char *b, size_t pos, size_t end)
{
    while (pos < end && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r'))
        pos++;
    return pos;
}

/* Fails at byte `off` of the document, naming its line and column. */
static int fail_at(nvd_parser *p, size_t off, const char *what)
{
    vg_strbuf where;
    vg_strbuf_init(&where, 128);
    vg__jcur_where(&where, p->buf, p->len, off);
    int rc = vg__feed_fail(p->orig, "nvd", VG_EINVAL, where.buf, "%s", what);
    vg_strbuf_dispose(&where);
    return rc;
}

/* Streams the array at buf[off, end): each element is decoded alone (jansson stops after it),
 * read into the scratch arena, emitted and freed, so a page holds one record at a time.
 * `depth` is the nesting level of the elements; the path stands at the array. */
static int stream_array(nvd_parser *p, size_t off, size_t end, size_t depth)
{
    vg_arena *scratch = vg_arena_new(1 << 16);
    p->local = *p->orig;
    p->local.arena = scratch;
    p->jw.ctx = &p->local;
    size_t pos = skip_blanks(p->buf, off, end);
    int rc = 0;
    if (pos >= end || p->buf[pos] != '[')
        rc = fail_at(p, pos, "expected an array of {\"cve\": {...}}");
    else
        pos++;
    for (size_t i = 0; rc == 0; i++) {
        pos = skip_blanks(p->buf, pos, end);
        if (pos >= end) {
            rc = fail_at(p, pos, "unexpected end of document (truncated?)");
            break;
        }
        if (p->buf[pos] == ']') {
            pos++;
            break;
        }
        if (i > 0) {
            if (p->buf[pos] != ',') {
                rc = fail_at(p, pos, "expected ',' or ']'");
                break;
            }
            pos = skip_blanks(p->buf, pos + 1, end);
        }
        json_error_t err;
        json_t *el = json_loadb(p->buf + pos, end - pos, JSON_DISABLE_EOF_CHECK, &err);
        if (!el) {
            rc = fail_at(p, pos + (err.position > 0 ? (size_t)err.position : 0), err.text);
            break;
        }
        pos += err.position > 0 ? (size_t)err.position : 0;
        vg_arena_reset(scratch);
        vg__jw_push_idx(&p->jw, i);
        rc = vg__jw_check_depth(&p->jw, el, depth);
        if (rc == 0)
            rc = read_wrapped(p, el);
        if (rc == 0)
            vg__jw_pop(&p->jw);
        json_decref(el);
    }
    if (rc == 0 && pos < end && skip_blanks(p->buf, pos, end) < end)
        rc = fail_at(p, skip_blanks(p->buf, pos, end), "unexpected data after the array");
    p->jw.ctx = p->orig;
    vg_arena_free(scratch);
    return rc;
}

/*
 * A page is streamed: the cursor of json.c walks the top-level object (checking nesting and
 * brackets), the "vulnerabilities" member's elements are then decoded one by one. A document
 * without that member is small (one record, an empty page) and decoded whole.
 */
static int parse_stream(nvd_parser *p)
{
    size_t first = skip_blanks(p->buf, 0, p->len);
    if (first < p->len && p->buf[first] == '[') {
        vg__jw_begin(&p->jw, p->orig, "nvd");
        return stream_array(p, first, p->len, 2);
    }
    if (first >= p->len || p->buf[first] != '{')
        return parse_whole(p);
    vg__jcur c;
    vg__jcur_init(&c, p->orig, "nvd", p->buf, p->len);
    int rc = vg__jcur_enter(&c, '{', "$");
    size_t voff = 0, vlen = 0;
    bool have = false;
    while (rc == 0) {
        const char *key;
        size_t off, len;
        int r = vg__jcur_member(&c, &key, &off, &len, 2);
        if (r <= 0) {
            rc = r;
            break;
        }
        if (strcmp(key, "vulnerabilities") == 0) { /* the last one wins, as in jansson */
            have = len != 4 || memcmp(p->buf + off, "null", 4) != 0;
            voff = off;
            vlen = len;
        }
    }
    if (rc == 0)
        rc = vg__jcur_finish(&c);
    vg__jcur_dispose(&c);
    if (rc != 0)
        return rc;
    if (!have)
        return parse_whole(p);
    vg__jw_begin(&p->jw, p->orig, "nvd");
    vg__jw_push_key(&p->jw, "vulnerabilities");
    if (p->buf[voff] != '[')
        return vg__jw_fail(&p->jw, VG_EINVAL, NULL, "expected array");
    return stream_array(p, voff, voff + vlen, 3);
}

static int nvd_parse(vg_feed_ctx *ctx, const char *buf, size_t len)
{
    nvd_parser p = {0};
    p.orig = ctx;
    p.buf = buf ? buf : "";
    p.len = buf ? len : 0;
    int rc = parse_stream(&p);
    vg__jw_dispose(&p.jw);
    return rc;
}

/*
 * Paging (the updater's next_url hook, followed by feed.c for http(s) URLs only): after the
 * page at startIndex S, with resultsPerPage R and totalResults T, the next URL is
 * "<endpoint>?startIndex=<S+R>&resultsPerPage=2000" until S+R >= T. The page's startIndex
 * must be the one its URL asked for (0 without a query), R must be above 0 while S < T, and
 * the three numbers must be integers in [0, 2^40]: anything else fails the run, so a broken
 * API answer never loops or stops short silently. A document with none of the three (a bare
 * record behind --url) is not a page and ends the sequence. Mirrors hold the pages under the
 * names `wget -x` writes ("2.0", "2.0?startIndex=2000&resultsPerPage=2000"; see fetch.c).
 */
#define PAGE_SIZE 2000
#define PAGE_NUMBER_MAX ((json_int_t)1 << 40)

static int nvd_next_url(vg_feed_ctx *ctx, const char *buf, size_t len, vg_strbuf *next)
{
    static const char *const keys[] = {"startIndex", "resultsPerPage", "totalResults"};
    static const char *const paths[] = {"$.startIndex", "$.resultsPerPage", "$.totalResults"};
    json_int_t v[3] = {-1, -1, -1};
    size_t first = skip_blanks(buf, 0, len);
    if (first >= len || buf[first] != '{')
        return 0;
    vg__jcur c;
    vg__jcur_init(&c, ctx, "nvd", buf, len);
    int rc = vg__jcur_enter(&c, '{', "$");
    while (rc == 0) {
        const char *key;
        size_t off, vlen;
        int r = vg__jcur_member(&c, &key, &off, &vlen, 2);
        if (r <= 0) {
            rc = r;
            break;
        }
        for (size_t k = 0; k < VG_ARRAY_LEN(keys) && rc == 0; k++) {
            if (strcmp(key, keys[k]) != 0)
                continue;
            json_t *j = NULL;
            rc = vg__jcur_decode(&j, &c, off, vlen);
            if (rc == 0 && (!json_is_integer(j) || json_integer_value(j) < 0 ||
                            json_integer_value(j) > PAGE_NUMBER_MAX))
                rc = vg__feed_fail(ctx, "nvd", VG_EINVAL, paths[k],
                                   "expected an integer from 0 to 2^40");
            if (rc == 0)
                v[k] = json_integer_value(j);
            json_decref(j);
        }
    }
    if (rc == 0)
        rc = vg__jcur_finish(&c);
    vg__jcur_dispose(&c);
    if (rc != 0)
        return rc;
    if (v[0] < 0 && v[1] < 0 && v[2] < 0)
        return 0;
    for (size_t k = 0; k < VG_ARRAY_LEN(keys); k++)
        if (v[k] < 0)
            return vg__feed_fail(ctx, "nvd", VG_EINVAL, "$", "a page without \"%s\"", keys[k]);
    json_int_t asked = 0;
    const char *q = strchr(ctx->url, '?');
    const char *si = q ? strstr(q, "startIndex=") : NULL;
    if (si) {
        char *end = NULL;
        unsigned long long n = strtoull(si + 11, &end, 10);
        asked = end == si + 11 || n > (unsigned long long)PAGE_NUMBER_MAX ? -1 : (json_int_t)n;
    }
    if (v[0] != asked)
        return vg__feed_fail(ctx, "nvd", VG_EINVAL, "$.startIndex",
                             "%lld, but the request asked for %lld", (long long)v[0],
                             (long long)asked);
    if (v[0] >= v[2]) {
        if (v[0] > v[2])
            return vg__feed_fail(ctx, "nvd", VG_EINVAL, "$.startIndex",
                                 "%lld is past totalResults %lld", (long long)v[0],
                                 (long long)v[2]);
        return 0;
    }
    if (v[1] == 0)
        return vg__feed_fail(ctx, "nvd", VG_EINVAL, "$.resultsPerPage",
                             "0 with %lld of %lld results still to come", (long long)(v[2] - v[0]),
                             (long long)v[2]);
    if (v[0] + v[1] >= v[2])
        return 0;
    size_t base = q ? (size_t)(q - ctx->url) : strlen(ctx->url);
    vg_strbuf_append(next, ctx->url, base);
    vg_strbuf_printf(next, "?startIndex=%lld&resultsPerPage=%d", (long long)(v[0] + v[1]),
                     PAGE_SIZE);
    return 1;
}

/* The CVE API 2.0 endpoint, paged by nvd_next_url (2,000 records a page), each page one
 * document. */
static const char *const nvd_urls[] = {
    "https://services.nvd.nist.gov/rest/json/cves/2.0",
    NULL,
};

const vg_updater vg__updater_nvd = {
    .name = "nvd",
    .urls = nvd_urls,
    .parse = nvd_parse,
    .optional_urls = false,
    .next_url = nvd_next_url,
};
