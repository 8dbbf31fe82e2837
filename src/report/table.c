/* table.c — the report for people: one block per affected package (name, version, source
 * package, the layer that brought it) with a row per vulnerability, ANSI-colored by severity
 * on a terminal, and a summary line. Every string from an image or a feed is escaped. */
#include "report_int.h"

#include <string.h>

#define CELL_MAX 128   /* input bytes shown per cell; longer text ends in "..." */
#define LAYER_SHORT 12 /* hex digits of the layer digest shown */

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_DIM "\033[2m"

static const char *sev_color(vg_severity s)
{
    switch (s) {
    case VG_SEV_CRITICAL:
        return "\033[1;31m";
    case VG_SEV_HIGH:
        return "\033[31m";
    case VG_SEV_MEDIUM:
        return "\033[33m";
    case VG_SEV_LOW:
        return "\033[34m";
    case VG_SEV_NEGLIGIBLE:
        return ANSI_DIM;
    default:
        return NULL;
    }
}

/* Appends `s` escaped (non-printables, quotes and non-ASCII as \xNN), at most CELL_MAX input
 * bytes; returns the width it took. */
static size_t put_text(vg_strbuf *sb, const char *s)
{
    size_t before = sb->len;
    if (s)
        vg_strbuf_put_escaped(sb, s, strlen(s), CELL_MAX);
    return sb->len - before;
}

static size_t text_width(const char *s)
{
    vg_strbuf tmp;
    vg_strbuf_init(&tmp, VG_STRBUF_DEFAULT_LIMIT);
    size_t w = put_text(&tmp, s);
    vg_strbuf_dispose(&tmp);
    return w;
}

static void pad(vg_strbuf *sb, size_t used, size_t width)
{
    for (size_t i = used; i < width; i++)
        vg_strbuf_putc(sb, ' ');
}

/* One cell: the text, optionally colored, padded to `width` plus the two-space gutter. */
static void put_cell(vg_strbuf *sb, const char *s, const char *color, size_t width, bool last)
{
    if (color)
        vg_strbuf_puts(sb, color);
    size_t w = put_text(sb, s);
    if (color)
        vg_strbuf_puts(sb, ANSI_RESET);
    if (!last)
        pad(sb, w, width + 2);
}

static const char *fixed_text(const vg_finding *f)
{
    return f->fixed_version && *f->fixed_version ? f->fixed_version : "-";
}

/* "name version (source src, layer 0123456789ab)" */
static void put_pkg_header(vg_strbuf *sb, const vg_index_report *ix, size_t pi, bool color)
{
    const vg_package *p = &ix->pkgs[pi].pkg;
    if (color)
        vg_strbuf_puts(sb, ANSI_BOLD);
    put_text(sb, p->name);
    if (color)
        vg_strbuf_puts(sb, ANSI_RESET);
    vg_strbuf_putc(sb, ' ');
    put_text(sb, p->version);
    bool src =
        p->source_name && *p->source_name && (!p->name || strcmp(p->source_name, p->name) != 0);
    bool layer = p->introduced_in && *p->introduced_in;
    if (src || layer) {
        vg_strbuf_puts(sb, " (");
        if (src) {
            vg_strbuf_puts(sb, "source ");
            put_text(sb, p->source_name);
        }
        if (layer) {
            const char *d = strchr(p->introduced_in, ':');
            d = d ? d + 1 : p->introduced_in;
            size_t n = strlen(d);
            vg_strbuf_puts(sb, src ? ", layer " : "layer ");
            vg_strbuf_put_escaped(sb, d, n < LAYER_SHORT ? n : LAYER_SHORT, LAYER_SHORT);
        }
        vg_strbuf_putc(sb, ')');
    }
    vg_strbuf_putc(sb, '\n');
}

static void put_summary(vg_strbuf *sb, const vg_report_view *v)
{
    static const vg_severity order[] = {VG_SEV_CRITICAL, VG_SEV_HIGH,       VG_SEV_MEDIUM,
                                        VG_SEV_LOW,      VG_SEV_NEGLIGIBLE, VG_SEV_UNKNOWN};
    static const char *const words[] = {"critical", "high",       "medium",
                                        "low",      "negligible", "unknown"};
    size_t counts[VG_ARRAY_LEN(order)] = {0}, fixable = 0;
    for (size_t k = 0; k < v->n; k++) {
        const vg_finding *f = &v->r->findings[v->order[k]];
        for (size_t i = 0; i < VG_ARRAY_LEN(order); i++)
            if (f->severity == order[i])
                counts[i]++;
        if (f->fixed_version && *f->fixed_version)
            fixable++;
    }
    if (v->n == 0) {
        vg_strbuf_puts(sb, "No vulnerabilities found");
    } else {
        vg_strbuf_printf(sb, "%zu %s (", v->n, v->n == 1 ? "vulnerability" : "vulnerabilities");
        bool first = true;
        for (size_t i = 0; i < VG_ARRAY_LEN(order); i++) {
            if (!counts[i])
                continue;
            vg_strbuf_printf(sb, "%s%zu %s", first ? "" : ", ", counts[i], words[i]);
            first = false;
        }
        vg_strbuf_printf(sb, "), %zu fixable", fixable);
    }
    size_t k = v->r->n_suppressed_kernel;
    if (k)
        vg_strbuf_printf(sb, "; %zu kernel-header finding%s suppressed", k, k == 1 ? "" : "s");
    vg_strbuf_putc(sb, '\n');
    if (v->r->n_invalid) {
        vg_strbuf_printf(sb, "%zu affected record%s skipped for an invalid version",
                         v->r->n_invalid, v->r->n_invalid == 1 ? "" : "s");
        if (v->r->first_invalid) {
            vg_strbuf_puts(sb, " (first: ");
            put_text(sb, v->r->first_invalid);
            vg_strbuf_putc(sb, ')');
        }
        vg_strbuf_putc(sb, '\n');
    }
}

int vg_report__table(vg_strbuf *out, const vg_report_view *v, const vg_render_opts *o)
{
    const vg_vuln_report *r = v->r;
    if (o->image_ref && *o->image_ref) {
        put_text(out, o->image_ref);
        if (r->index->manifest_hash && *r->index->manifest_hash) {
            vg_strbuf_puts(out, " (");
            put_text(out, r->index->manifest_hash);
            vg_strbuf_putc(out, ')');
        }
        vg_strbuf_puts(out, "\n\n");
    }

    /* Column widths over the whole table, so every block lines up. */
    size_t w_sev = strlen("SEVERITY"), w_id = strlen("ID"), w_fix = strlen("FIXED-IN");
    for (size_t k = 0; k < v->n; k++) {
        const vg_finding *f = &r->findings[v->order[k]];
        size_t w = strlen(vg_severity_name(f->severity));
        w_sev = w > w_sev ? w : w_sev;
        w = text_width(f->id);
        w_id = w > w_id ? w : w_id;
        w = text_width(fixed_text(f));
        w_fix = w > w_fix ? w : w_fix;
    }

    for (size_t k = 0; k < v->n; k++) {
        const vg_finding *f = &r->findings[v->order[k]];
        if (k == 0 || r->findings[v->order[k - 1]].pkg_index != f->pkg_index) {
            if (k > 0)
                vg_strbuf_putc(out, '\n');
            put_pkg_header(out, r->index, f->pkg_index, o->color);
            vg_strbuf_puts(out, "  ");
            const char *dim = o->color ? ANSI_DIM : NULL;
            put_cell(out, "SEVERITY", dim, w_sev, false);
            put_cell(out, "ID", dim, w_id, false);
            put_cell(out, "FIXED-IN", dim, w_fix, false);
            put_cell(out, "STATUS", dim, 0, true);
            vg_strbuf_putc(out, '\n');
        }
        vg_strbuf_puts(out, "  ");
        put_cell(out, vg_severity_name(f->severity), o->color ? sev_color(f->severity) : NULL,
                 w_sev, false);
        put_cell(out, f->id, NULL, w_id, false);
        put_cell(out, fixed_text(f), NULL, w_fix, false);
        put_cell(out, vg_status_name(f->status), NULL, 0, true);
        vg_strbuf_putc(out, '\n');
    }
    if (v->n)
        vg_strbuf_putc(out, '\n');
    put_summary(out, v);
    int rc = vg_strbuf_error(out);
    if (rc)
        return vg_error_set(rc, "vulnerability table larger than the output cap");
    return 0;
}
