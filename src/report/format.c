/* format.c — the entry points of the vulnerability renderers: format names, the dispatch of
 * vg_report_vuln, and what every format shares — the ordered view of the findings with their
 * stable ids, UTF-8-safe JSON strings and CVSS helpers (report_int.h). */
#include "report_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int vg_report_format_parse(vg_report_format *out, const char *name)
{
    static const struct {
        const char *name;
        vg_report_format f;
    } formats[] = {
        {"table", VG_FORMAT_TABLE},
        {"json", VG_FORMAT_JSON},
        {"sarif", VG_FORMAT_SARIF},
        {"cyclonedx", VG_FORMAT_CYCLONEDX},
    };
    for (size_t i = 0; name && i < VG_ARRAY_LEN(formats); i++) {
        if (strcasecmp(name, formats[i].name) == 0) {
            *out = formats[i].f;
            return 0;
        }
    }
    return vg_error_set(VG_EINVAL, "unknown report format (want table, json, sarif or cyclonedx)");
}

int vg_report_vuln(vg_strbuf *out, const vg_vuln_report *r, vg_report_format format,
                   const vg_render_opts *o)
{
    assert(out && r && r->index);
    vg_render_opts defaults = {.color = false, .image_ref = NULL, .tool_version = NULL};
    vg_render_opts opts = o ? *o : defaults;
    if (!opts.tool_version)
        opts.tool_version = VG_VERSION_STRING;
    vg_report_view v;
    vg_report__view_init(&v, r);
    int rc;
    switch (format) {
    case VG_FORMAT_TABLE:
        rc = vg_report__table(out, &v, &opts);
        break;
    case VG_FORMAT_JSON:
        rc = vg_report__json(out, &v, &opts);
        break;
    case VG_FORMAT_SARIF:
        rc = vg_report__sarif(out, &v, &opts);
        break;
    case VG_FORMAT_CYCLONEDX:
        rc = vg_report__cyclonedx(out, &v, &opts);
        break;
    default:
        rc = vg_error_set(VG_EINVAL, "unknown report format %d", (int)format);
        break;
    }
    vg_report__view_dispose(&v);
    return rc;
}

/* ---- JSON helpers ---------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at `p` (1-4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned min, cp;
    if ((c & 0xe0) == 0xc0) {
        n = 2, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

json_t *vg_report__str(const char *s)
{
    if (!s)
        return json_string("");
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t len = strlen(s);
    char *clean = vg_xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq((const unsigned char *)s + i);
        if (n == 0) {
            clean[o++] = '?';
            i++;
        } else {
            memcpy(clean + o, s + i, n);
            o += n;
            i += n;
        }
    }
    clean[o] = '\0';
    j = json_string(clean);
    free(clean);
    return j ? j : json_string("");
}

int vg_report__dump(vg_strbuf *out, json_t *root, const char *what)
{
    /* Ten significant digits print CVSS scores as 9.8, not 9.8000000000000007. */
    char *text = json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!text)
        return vg_error_set(VG_ERROR, "cannot render the %s as JSON", what);
    vg_strbuf_puts(out, text);
    int rc = vg_strbuf_putc(out, '\n');
    free(text);
    if (rc)
        return vg_error_set(rc, "%s larger than the output cap", what);
    return 0;
}

/* ---- CVSS and links -------------------------------------------------------------------- */

const char *vg_report__score_rating(double score)
{
    if (score >= 9.0)
        return "critical";
    if (score >= 7.0)
        return "high";
    if (score >= 4.0)
        return "medium";
    if (score > 0.0)
        return "low";
    return "none";
}

const char *vg_report__cvss_version(const char *vector)
{
    if (!vector || !*vector)
        return NULL;
    if (strncmp(vector, "CVSS:4.0/", 9) == 0)
        return "4.0";
    if (strncmp(vector, "CVSS:3.1/", 9) == 0)
        return "3.1";
    if (strncmp(vector, "CVSS:3.0/", 9) == 0)
        return "3.0";
    return "2.0";
}

static bool uri_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("-._~:/?#[]@!$&'()*+,;=%", c));
}

bool vg_report__is_url(const char *s)
{
    if (!s || (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0))
        return false;
    for (const char *p = s; *p; p++)
        if (!uri_char((unsigned char)*p))
            return false;
    return true;
}

const char *vg_report__first_url(const vg_finding *f)
{
    for (size_t i = 0; i < f->n_links; i++)
        if (vg_report__is_url(f->links[i]))
            return f->links[i];
    return NULL;
}

/* ---- the ordered view ------------------------------------------------------------------ */

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_finding(const void *pa, const void *pb, void *arg)
{
    const vg_finding *fs = arg;
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const vg_finding *a = &fs[ia], *b = &fs[ib];
    if (a->pkg_index != b->pkg_index)
        return a->pkg_index < b->pkg_index ? -1 : 1;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if (a->cvss_score != b->cvss_score)
        return a->cvss_score > b->cvss_score ? -1 : 1;
    int c = cmp_str(a->id, b->id);
    if (c == 0)
        c = cmp_str(a->source, b->source);
    if (c == 0)
        c = ia < ib ? -1 : ia > ib;
    return c;
}

void vg_report__view_init(vg_report_view *v, const vg_vuln_report *r)
{
    v->r = r;
    v->n = 0;
    v->order = vg_xcalloc(r->n_findings ? r->n_findings : 1, sizeof(*v->order));
    v->ids = vg_xcalloc(r->n_findings ? r->n_findings : 1, sizeof(*v->ids));
    for (size_t i = 0; i < r->n_findings; i++) {
        assert(r->findings[i].pkg_index < r->index->n_pkgs);
        if (r->findings[i].pkg_index < r->index->n_pkgs) /* a bad index is dropped, not read */
            v->order[v->n++] = i;
    }
    if (v->n > 1)
        qsort_r(v->order, v->n, sizeof(*v->order), cmp_finding, r->findings);

    json_t *taken = json_object(); /* a hash set of the ids handed out */
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    for (size_t k = 0; k < v->n; k++) {
        const vg_finding *f = &r->findings[v->order[k]];
        char pid[VG_REPORT_ID_MAX];
        vg_report__pkg_id(pid, f->pkg_index);
        json_t *adv = vg_report__str(f->id), *src = vg_report__str(f->source);
        for (unsigned attempt = 0;; attempt++) {
            vg_strbuf_reset(&sb);
            vg_strbuf_printf(&sb, "%s/%s", json_string_value(adv), pid);
            if (attempt == 1)
                vg_strbuf_printf(&sb, "/%s", json_string_value(src));
            else if (attempt > 1)
                vg_strbuf_printf(&sb, "/%u", attempt);
            if (!json_object_get(taken, sb.buf))
                break;
        }
        json_object_set_new(taken, sb.buf, json_true());
        v->ids[v->order[k]] = vg_strbuf_detach(&sb);
        json_decref(adv);
        json_decref(src);
    }
    vg_strbuf_dispose(&sb);
    json_decref(taken);
}

void vg_report__view_dispose(vg_report_view *v)
{
    for (size_t i = 0; i < v->r->n_findings; i++)
        free(v->ids[i]);
    free(v->ids);
    free(v->order);
    v->ids = NULL;
    v->order = NULL;
    v->n = 0;
}
