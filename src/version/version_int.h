/* version_int.h — private to src/version/: the table of operations that each scheme file
 * (dpkg.c, rpm.c, apk.c, semver.c, pep440.c, maven.c, rubygems.c) provides to version.c. */
#ifndef VG_VERSION_INT_H
#define VG_VERSION_INT_H

#include "../util/util.h"
#include "version.h"

/* Scheme limit: longer version strings are rejected as invalid by every scheme. Real
 * versions are far below it; it bounds the work and stack of a single comparison. */
#define VG_VERSION_MAX_LEN 4096

typedef struct vg_scheme_ops {
    const char *name;
    /* 0 if the reference implementation accepts `v`, else vg_error_set(VG_EINVAL, ...) with
     * the scheme name, the byte offset and the reason. `v` is at most VG_VERSION_MAX_LEN. */
    int (*check)(const char *v);
    /* Three-way comparison of two versions that passed check(): <0, 0 or >0. */
    int (*cmp)(const char *a, const char *b);
} vg_scheme_ops;

extern const vg_scheme_ops vg__version_dpkg;
extern const vg_scheme_ops vg__version_rpm;
extern const vg_scheme_ops vg__version_apk;
extern const vg_scheme_ops vg__version_semver;
extern const vg_scheme_ops vg__version_go;
extern const vg_scheme_ops vg__version_pep440;
extern const vg_scheme_ops vg__version_maven;
extern const vg_scheme_ops vg__version_rubygems;

/* Formats the standard invalid-version error: "<scheme>: invalid version "<v>": <why> at
 * byte <off>". Returns VG_EINVAL. */
int vg__version_invalid(const char *scheme, const char *v, size_t off, const char *why);

#endif
