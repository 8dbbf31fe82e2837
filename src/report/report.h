/* report.h — the public header of src/report/ (layer 5): renderers. The IndexReport in Clair
 * v4's JSON shape, and the vulnerability report as a table, Clair v4 JSON, SARIF 2.1.0 or
 * CycloneDX 1.5. */
#ifndef VG_REPORT_H
#define VG_REPORT_H

#include "match/match.h"
#include "model/model.h"
#include "util/util.h"

#include <stdbool.h>

/* Appends the IndexReport as Clair v4 JSON (manifest_hash, state, success, err, packages,
 * distributions, repository, environments) to `out`. Returns 0 or VG_ETOOBIG when `out`'s
 * cap is hit. Deterministic: ids are assigned in package order. */
int vg_report_index_json(vg_strbuf *out, const vg_index_report *r);

typedef enum vg_report_format {
    VG_FORMAT_TABLE,     /* for people: grouped by package, colored on a terminal */
    VG_FORMAT_JSON,      /* Clair v4 VulnerabilityReport */
    VG_FORMAT_SARIF,     /* SARIF 2.1.0, for code-scanning tools */
    VG_FORMAT_CYCLONEDX, /* CycloneDX 1.5 JSON: components with purls, vulnerabilities */
} vg_report_format;

/* Parses "table", "json", "sarif", "cyclonedx"; VG_EINVAL otherwise. */
int vg_report_format_parse(vg_report_format *out, const char *name);

typedef struct vg_render_opts {
    bool color;            /* ANSI colors in the table (terminals only) */
    const char *image_ref; /* the reference the user gave, for titles and SARIF locations */
    const char *tool_version;
} vg_render_opts;

/* Appends the vulnerability report `r` (findings already filtered by the caller) rendered as
 * `format` to `out`. Deterministic output for the same input. Returns 0, VG_ETOOBIG when
 * `out`'s cap is hit, or VG_ERROR when JSON encoding fails. */
int vg_report_vuln(vg_strbuf *out, const vg_vuln_report *r, vg_report_format format,
                   const vg_render_opts *o);

#endif
