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

/* ---- reading reports back (read_json.c) ------------------------------------------------ */

/* Caps on a report read back from JSON (a remote server's answer, a stored IndexReport).
 * The JSON nesting depth is capped by jansson (2048 levels); deeper input is VG_EINVAL. */
#define VG_REPORT_READ_MAX_BYTES ((size_t)256 << 20)
#define VG_REPORT_READ_MAX_PACKAGES ((size_t)1000000)
#define VG_REPORT_READ_MAX_DISTRIBUTIONS ((size_t)10000)
/* Entries of "vulnerabilities", and (package, vulnerability) pairs of
 * "package_vulnerabilities". */
#define VG_REPORT_READ_MAX_FINDINGS ((size_t)1000000)

/* Parses a Clair v4 IndexReport (as vg_report_index_json writes it, or as Clair does) into a
 * new report in *out (free with vg_index_report_free; strings live in its arena). Packages and
 * distributions are ordered by id (numeric ids by value), so vigil's own JSON reads back in
 * its order; a package keeps its first environment; one without "format" (Clair's) gets it
 * from its purl, its package_db or its distribution. Every field vigil knows is type-checked;
 * unknown fields are ignored; "" reads as "none" (NULL) for optional text. Returns 0, VG_EINVAL
 * for malformed JSON, a wrong type, a missing required field (manifest_hash, state, a package's
 * name and version), a dangling id or a package of unknown format — the message names the JSON
 * path ("index report: packages.\"12\".version: expected a string") — or VG_ETOOBIG past a cap.
 * *out is written only on success. Thread-safe. */
int vg_report_index_read(vg_index_report **out, const char *buf, size_t len);

/* Parses a Clair v4 VulnerabilityReport into a new IndexReport (*index_out) and a new
 * vulnerability report (*out) whose index points at it: free *out with vg_vuln_report_free
 * first, then *index_out with vg_index_report_free. One finding per package and vulnerability
 * listed in package_vulnerabilities, in package order. vigil's additions (status, cvss,
 * nvd_severity, introduced_in, the "vigil" counters) are used when present; without them
 * (plain Clair) status is FIXED when fixed_in_version is non-empty, else AFFECTED,
 * introduced_in is the package's layer, and the CVSS comes from the clair.cvss enrichment. severity
 * is normalized_severity; severity_label is "severity" unless that is just the severity's name.
 * What the JSON does not carry is derived or lost: a finding's namespace is the matcher's
 * (vg_match_key), summary is not kept (the one text is description), vendor_severity is severity,
 * links are split at spaces. Errors as vg_report_index_read ("vulnerability report: ..."); outputs
 * are written only on success. Thread-safe. */
int vg_report_vuln_read(vg_vuln_report **out, vg_index_report **index_out, const char *buf,
                        size_t len);

#endif
