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
} vg_layer_result;

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
} vg_index_report;

vg_index_report *vg_index_report_new(const char *manifest_hash);
void vg_index_report_free(vg_index_report *r);
const char *vg_index_report_strdup(vg_index_report *r, const char *s);

#endif
