/* report_int.h — private to src/report/: the pieces every renderer shares. The IndexReport
 * builders (package, distribution and environment JSON, with their ids) live in index_json.c;
 * the ordered view of a vulnerability report and the JSON helpers live in format.c. */
#ifndef VG_REPORT_INT_H
#define VG_REPORT_INT_H

#include "report.h"

#include <jansson.h>
#include <stddef.h>

/* The project's home page, for SARIF's tool.driver.informationUri; set it at build time with
 * -DVG_INFORMATION_URI=\"...\". */
#ifndef VG_INFORMATION_URI
#define VG_INFORMATION_URI "https://github.com/vigil-scanner/vigil"
#endif

/* Room for any id the renderers print ("18446744073709551615" plus a NUL). */
#define VG_REPORT_ID_MAX 32

/* ---- JSON helpers (format.c) ----------------------------------------------------------- */

/* A JSON string for `s`: "" for NULL; bytes of invalid UTF-8 become '?', because jansson
 * refuses such strings and feed or layer text can hold anything. Never NULL. */
json_t *vg_report__str(const char *s);
/* Serializes `root` (JSON_PRESERVE_ORDER | JSON_INDENT(2), ten significant digits), appends it and
 * a newline to `out`, and releases `root`. Returns 0 or VG_ETOOBIG (`what` names the document). */
int vg_report__dump(vg_strbuf *out, json_t *root, const char *what);

/* ---- IndexReport pieces (index_json.c) ------------------------------------------------- */

/* The id of package `i` in the packages map ("1", "3", ...; its source package is the
 * next number) and of distribution `i` ("1", "2", ...). */
void vg_report__pkg_id(char out[VG_REPORT_ID_MAX], size_t i);
void vg_report__dist_id(char out[VG_REPORT_ID_MAX], size_t i);
/* The JSON object of package `i` / distribution `i`, exactly as in the IndexReport. */
json_t *vg_report__pkg_json(const vg_index_report *r, size_t i);
json_t *vg_report__dist_json(const vg_index_report *r, size_t i);
/* The package database format's name ("dpkg", "rpm", ...). */
const char *vg_report__format_name(vg_pkg_format f);
/* Adds the IndexReport's packages, distributions, repository and environments to `root`. */
void vg_report__index_fields(json_t *root, const vg_index_report *r);

/* ---- the ordered view of a vulnerability report (format.c) ----------------------------- */

/* Findings in render order — by package, then severity (highest first), CVSS score, id and
 * source — each with its stable vulnerability id "<advisory id>/<package id>" (a "/<source>"
 * or "/<n>" suffix keeps ids unique when one advisory hits one package twice). */
typedef struct vg_report_view {
    const vg_vuln_report *r;
    size_t *order; /* finding indexes, in render order (findings whose pkg_index is out of
                      range are left out) */
    size_t n;      /* entries in order */
    char **ids;    /* by finding index: its vulnerability id (valid UTF-8), NULL if left out */
} vg_report_view;

void vg_report__view_init(vg_report_view *v, const vg_vuln_report *r);
void vg_report__view_dispose(vg_report_view *v);

/* Lowercase CVSS qualitative rating of a score ("critical", "high", "medium", "low",
 * "none"). */
const char *vg_report__score_rating(double score);
/* The CVSS version a vector string declares: "4.0", "3.1", "3.0", or "2.0" for a
 * prefix-less v2 vector; NULL when there is no vector. */
const char *vg_report__cvss_version(const char *vector);
/* Whether `s` is an http(s) URL made only of URI characters (safe for SARIF's helpUri and
 * CycloneDX's advisory urls); the first link that is one, or NULL. */
bool vg_report__is_url(const char *s);
const char *vg_report__first_url(const vg_finding *f);

/* ---- the renderers (one file each) ----------------------------------------------------- */

int vg_report__json(vg_strbuf *out, const vg_report_view *v, const vg_render_opts *o);
int vg_report__table(vg_strbuf *out, const vg_report_view *v, const vg_render_opts *o);
int vg_report__sarif(vg_strbuf *out, const vg_report_view *v, const vg_render_opts *o);
int vg_report__cyclonedx(vg_strbuf *out, const vg_report_view *v, const vg_render_opts *o);

#endif
