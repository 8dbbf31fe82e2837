/* model.h — the public header of src/model/ (layer 2): the plain data types that cross module
 * boundaries — packages, distributions, per-layer index results, the coalesced IndexReport —
 * with their constructors and destructors and nothing else. Strings live in an arena owned
 * by the enclosing result, so one free releases a whole result. */
#ifndef VG_MODEL_H
#define VG_MODEL_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>

/* The package database format a package came from. */
typedef enum vg_pkg_format {
    VG_PKG_DPKG,
    VG_PKG_APK,
    VG_PKG_RPM,
    VG_PKG_PYTHON,
    VG_PKG_NPM,
    VG_PKG_GO,
    VG_PKG_JAVA,
    VG_PKG_GEM,
} vg_pkg_format;

/* One installed package. All strings are arena-owned; optional ones are NULL when absent. */
typedef struct vg_package {
    vg_pkg_format format;
    const char *name;
    const char *version;
    const char *arch;           /* optional */
    const char *source_name;    /* dpkg Source:, apk origin (o:), rpm source name */
    const char *source_version; /* the source package's version */
    const char *module;         /* optional: rpm modularity label */
    const char *vendor;         /* optional: rpm vendor */
    const char *purl;           /* package URL (pkg:deb/debian/openssl@3.0.11-1?arch=amd64...);
                                   set by the scanner or by the coalescer once the
                                   distribution is known */
    const char *introduced_in;  /* layer digest; set by the coalescer */
} vg_package;

/* One package database file found in a layer, keyed by its normalized path
 * ("var/lib/dpkg/status", "var/lib/dpkg/status.d/base", "lib/apk/db/installed"). */
typedef struct vg_pkgdb {
    const char *path;
    vg_pkg_format format;
    vg_package *pkgs;
    size_t n_pkgs;
} vg_pkgdb;

/* The distribution an image runs, as found in os-release or similar files. */
typedef struct vg_distribution {
    const char *did;        /* os-release ID: "debian", "ubuntu", "alpine" */
    const char *name;       /* NAME */
    const char *version;    /* VERSION */
    const char *version_id; /* VERSION_ID, or derived ("trixie", "sid", "3.19") */
    const char *version_code_name;
    const char *pretty_name;
    const char *cpe;      /* CPE_NAME, optional */
    const char *ns;       /* vigil namespace: "debian:12", "ubuntu:22.04", "alpine:3.19" */
    const char *found_in; /* path it came from: "etc/os-release", "etc/debian_version", ... */
} vg_distribution;

/* A release file (os-release and friends) as found in one layer, parsed into a distribution
 * candidate. The coalescer picks the best surviving one. */
typedef struct vg_release_file {
    const char *path;
    vg_distribution dist;
} vg_release_file;

/* The self-contained result of indexing one layer: everything later steps need, keyed by the
 * layer digest, identical for every manifest that shares the layer. Owns its arena. */
typedef struct vg_layer_result {
    vg_arena *arena;
    const char *digest;
    vg_pkgdb *dbs;
    size_t n_dbs;
    vg_release_file *releases;
    size_t n_releases;
    const char **whiteouts; /* paths deleted from lower layers ("etc/profile") */
    size_t n_whiteouts;
    const char **opaque_dirs; /* directories whose lower contents are hidden ("usr/lib/x") */
    size_t n_opaque;
    unsigned long entries; /* tar entries seen */
    const char **warnings; /* files skipped, and why ("layer sha256:..: usr/x/package.json:1:1:
                              ..."): at most VG_MAX_WARNINGS kept */
    size_t n_warnings;
    size_t warnings_dropped; /* warnings past VG_MAX_WARNINGS, counted only */
} vg_layer_result;

/* Warnings kept per layer result and per IndexReport. */
#define VG_MAX_WARNINGS 256

/* Creates an empty layer result for `digest` (copied). Never fails (aborts on OOM). */
vg_layer_result *vg_layer_result_new(const char *digest);
/* Frees a layer result and everything in its arena. NULL is a no-op. */
void vg_layer_result_free(vg_layer_result *r);
/* Appends (arena-copied) entries; the returned pointers stay valid until the result is freed.
 * Not thread-safe per result. */
vg_pkgdb *vg_layer_result_add_db(vg_layer_result *r, const char *path, vg_pkg_format format);
vg_package *vg_pkgdb_add(vg_layer_result *r, vg_pkgdb *db);
vg_release_file *vg_layer_result_add_release(vg_layer_result *r, const char *path);
void vg_layer_result_add_whiteout(vg_layer_result *r, const char *path, bool opaque);
/* Records a warning (copied); past VG_MAX_WARNINGS only warnings_dropped grows. */
void vg_layer_result_add_warning(vg_layer_result *r, const char *msg);
/* Copies `n` bytes of `s` into the result's arena (NUL-terminated). */
const char *vg_layer_result_strndup(vg_layer_result *r, const char *s, size_t n);

/* The coalesced inventory of one manifest: Clair v4's IndexReport. */
typedef enum vg_index_state {
    VG_INDEX_FINISHED,
    VG_INDEX_ERROR,
} vg_index_state;

typedef struct vg_index_pkg {
    vg_package pkg;
    const char *package_db;
    int dist_index; /* index into dists, or -1 */
} vg_index_pkg;

typedef struct vg_index_report {
    vg_arena *arena;
    const char *manifest_hash;
    vg_index_state state;
    const char *err; /* "" on success */
    vg_index_pkg *pkgs;
    size_t n_pkgs;
    vg_distribution *dists;
    size_t n_dists;
    const char **warnings; /* the layers' warnings, bottom layer first (at most
                              VG_MAX_WARNINGS) */
    size_t n_warnings;
    const char **layers; /* layer digests, bottom first (set by vg_index_image) */
    size_t n_layers;
    size_t warnings_dropped;
} vg_index_report;

vg_index_report *vg_index_report_new(const char *manifest_hash);
void vg_index_report_free(vg_index_report *r);
const char *vg_index_report_strdup(vg_index_report *r, const char *s);

/* ---- vulnerability data: the normalized, OSV-shaped model every feed produces ---------- */

typedef enum vg_severity {
    VG_SEV_UNKNOWN,
    VG_SEV_NEGLIGIBLE,
    VG_SEV_LOW,
    VG_SEV_MEDIUM,
    VG_SEV_HIGH,
    VG_SEV_CRITICAL,
} vg_severity;

typedef enum vg_affected_status {
    VG_STATUS_FIXED,               /* affected below the fixed version(s) in the ranges */
    VG_STATUS_AFFECTED,            /* affected, no fix yet ("unfixed") */
    VG_STATUS_WILL_NOT_FIX,        /* affected, the vendor will not fix */
    VG_STATUS_NOT_AFFECTED,        /* explicitly not affected */
    VG_STATUS_UNDER_INVESTIGATION, /* unknown yet */
} vg_affected_status;

typedef enum vg_event_kind {
    VG_EVENT_INTRODUCED,
    VG_EVENT_FIXED,
    VG_EVENT_LAST_AFFECTED,
    VG_EVENT_LIMIT,
} vg_event_kind;

typedef struct vg_event {
    vg_event_kind kind;
    const char *version; /* "0" for introduced means "from the beginning" */
} vg_event;

typedef struct vg_cvss {
    const char *version; /* "2.0", "3.0", "3.1", "4.0" */
    const char *vector;
    double score;
    const char *source; /* "nvd@nist.gov", "secalert@redhat.com", ... */
} vg_cvss;

/* One package affected by an advisory, in one namespace. */
typedef struct vg_affected {
    const char *ns;      /* "debian:12", "alpine:3.19", "rhel:9", "pypi", "npm", "go", ... */
    const char *package; /* name as the namespace spells it */
    bool source_pkg;     /* true: a source package (Debian, Ubuntu, Alpine origin) */
    const char *scheme;  /* version scheme name: "dpkg", "rpm", "apk", "semver", ... */
    vg_event *events;
    size_t n_events;
    const char **versions; /* explicit affected versions */
    size_t n_versions;
    vg_affected_status status;
    const char *arch;   /* qualifier, optional */
    const char *module; /* rpm module stream "name:stream", optional */
    const char *cpe;    /* repository / product CPE, optional */
} vg_affected;

typedef struct vg_advisory {
    const char *id;     /* CVE-..., DSA-..., GHSA-..., ALAS-... */
    const char *source; /* the updater: "debian", "alpine", "ubuntu", "rhel", "osv", "nvd" */
    const char **aliases;
    size_t n_aliases;
    const char *summary;
    const char *description;
    const char **links;
    size_t n_links;
    const char *published; /* RFC 3339, optional */
    const char *modified;
    vg_severity severity;
    const char *severity_label; /* the vendor's own word ("unimportant", "Important") */
    vg_cvss *cvss;
    size_t n_cvss;
    const char **cwes;
    size_t n_cwes;
    vg_affected *affected;
    size_t n_affected;
} vg_advisory;

/* The name of a severity ("Unknown", "Negligible", "Low", "Medium", "High", "Critical") and
 * the reverse (case-insensitive; VG_EINVAL for anything else). */
const char *vg_severity_name(vg_severity s);
int vg_severity_parse(vg_severity *out, const char *name);
const char *vg_status_name(vg_affected_status s);

#endif
