/* match.h — the public header of src/match/ (layer 4): the matcher. For each package of an
 * IndexReport it asks the store for candidate advisories by namespace and package (source
 * package for Debian, Ubuntu and Alpine; binary name and EVR for the RPM family; OSV
 * ecosystems for language packages), evaluates every affected record with the scheme's
 * comparator and vg_version_affected, and builds the vulnerability report. */
#ifndef VG_MATCH_H
#define VG_MATCH_H

#include "model/model.h"
#include "store/store.h"

#include <stdbool.h>

typedef struct vg_match_opts {
    bool include_kernel_headers; /* default false: linux-libc-dev, kernel-headers and
                                    linux-headers-* carry kernel CVEs that do not apply
                                    inside containers */
} vg_match_opts;

/* One package affected by one advisory. Strings live in the report's arena. */
typedef struct vg_finding {
    size_t pkg_index; /* into index->pkgs */
    const char *id;   /* advisory id: CVE-..., GHSA-..., DSA-... */
    const char *source;
    const char *ns;
    const char *summary;
    const char *description;
    const char **links;
    size_t n_links;
    const char *published;
    vg_severity severity;       /* the one to show: the vendor's, else NVD's */
    const char *severity_label; /* the vendor's own word */
    vg_severity vendor_severity;
    vg_severity nvd_severity;
    const char *cvss_vector; /* best CVSS v3.x/v4 vector (vendor's, else NVD's), or NULL */
    double cvss_score;
    const char *cvss_source;
    vg_affected_status status; /* fixed (a fix exists), affected, will-not-fix, ... */
    const char *fixed_version; /* NULL when there is no fix */
    const char *introduced_in; /* the layer that brought the package */
} vg_finding;

typedef struct vg_vuln_report {
    vg_arena *arena;
    const vg_index_report *index; /* borrowed: must outlive the report */
    vg_finding *findings;
    size_t n_findings;
    size_t n_suppressed_kernel; /* findings hidden by the kernel-headers rule */
    size_t n_invalid;           /* affected records skipped for an invalid version, with
                                   the first message kept in first_invalid */
    const char *first_invalid;
} vg_vuln_report;

void vg_match_opts_default(vg_match_opts *o);

/* Matches every package of `index` against the newest operations in `s`. Returns 0 with a
 * new report (free with vg_vuln_report_free), or a store error. Findings are ordered by
 * package, then severity (highest first), then id. Thread-safe for distinct reports. */
int vg_match(vg_vuln_report **out, vg_store *s, const vg_index_report *index,
             const vg_match_opts *o);
void vg_vuln_report_free(vg_vuln_report *r);

/* The keys of every matchable package of `index` (vg_match_key), for the store's reverse
 * index: a heap array (free it) whose strings are borrowed from `index`. */
void vg_match_keys(vg_store_pkg_key **out, size_t *n, const vg_index_report *index);

/* The findings of one advisory against `index` with the same rules as vg_match (version
 * ranges, arch, module streams, kernel headers), without the store and without NVD
 * enrichment: how notifications confirm a candidate manifest. Always 0 with a report (maybe
 * with no findings). */
int vg_match_advisory(vg_vuln_report **out, const vg_index_report *index, const vg_advisory *a,
                      const vg_match_opts *o);

/* The namespace and package name a package is matched under ("debian:12" + source name,
 * "pypi" + normalized name, ...), or false when it has none (an OS package without a
 * detected distribution). */
bool vg_match_key(const vg_index_report *index, size_t pkg_index, const char **ns,
                  const char **package, bool *source_pkg, const char **version,
                  const char **scheme);

/* ---- filters (vigil scan --severity, --ignore-unfixed, --ignore-file) ------------------- */

typedef struct vg_ignore_rule {
    char *id;      /* advisory id (or an alias the finding carries) */
    char *expires; /* "YYYY-MM-DD" or NULL: the rule stops applying after that day */
    char *reason;  /* optional text after '#' */
    unsigned long line;
} vg_ignore_rule;

typedef struct vg_filter {
    unsigned severity_mask; /* bit (1 << vg_severity) per severity to keep; 0 = all */
    bool ignore_unfixed;
    vg_ignore_rule *rules;
    size_t n_rules;
} vg_filter;

/* Cap on ignore-file rules. */
#define VG_IGNORE_MAX_RULES 100000

void vg_filter_init(vg_filter *f);
void vg_filter_dispose(vg_filter *f);
/* Parses "LOW,MEDIUM,..." (case-insensitive) into f->severity_mask; VG_EINVAL naming the
 * bad word. */
int vg_filter_parse_severities(vg_filter *f, const char *list);
/* Loads an ignore file: one advisory id per line, optionally "exp:YYYY-MM-DD", optionally
 * "# reason"; blank lines and lines starting with '#' are skipped. VG_EINVAL names the file
 * and line of a malformed entry; VG_ETOOBIG past VG_IGNORE_MAX_RULES. */
int vg_filter_load_ignore_file(vg_filter *f, const char *path);

typedef struct vg_filter_stats {
    size_t removed_severity, removed_unfixed, removed_ignored;
    const vg_ignore_rule **expired; /* rules whose date has passed (not applied) */
    size_t n_expired;
} vg_filter_stats;

/* Removes findings of `r` the filter excludes; `today` is "YYYY-MM-DD". Fills `stats`
 * (expired is heap, freed with vg_filter_stats_dispose). */
void vg_filter_apply(vg_vuln_report *r, const vg_filter *f, const char *today,
                     vg_filter_stats *stats);
void vg_filter_stats_dispose(vg_filter_stats *stats);

#endif
