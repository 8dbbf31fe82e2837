/* version.h — the public header of src/version/ (layer 2): exact version ordering for every
 * package ecosystem vigil matches, each a faithful port of its reference implementation, and
 * OSV-style range evaluation on top of any of them. The matcher calls only this header. */
#ifndef VG_VERSION_H
#define VG_VERSION_H

#include <stdbool.h>
#include <stddef.h>

typedef enum vg_scheme {
    VG_SCHEME_DPKG,     /* Debian/Ubuntu: dpkg's verrevcmp, epoch:upstream-revision */
    VG_SCHEME_RPM,      /* RPM: rpmvercmp over [epoch:]version[-release], as rpm.vercmp */
    VG_SCHEME_APK,      /* Alpine: apk-tools apk_version_compare */
    VG_SCHEME_SEMVER,   /* SemVer 2.0.0 as the npm `semver` package parses it */
    VG_SCHEME_GO,       /* Go modules: golang.org/x/mod/semver (v prefix, +incompatible) */
    VG_SCHEME_PEP440,   /* Python: PEP 440 as python `packaging.version.Version` */
    VG_SCHEME_MAVEN,    /* Maven: ComparableVersion (maven-artifact 3.8) */
    VG_SCHEME_RUBYGEMS, /* RubyGems: Gem::Version */
    VG_SCHEME_COUNT
} vg_scheme;

/* Looks up a scheme by its name ("dpkg", "deb", "rpm", "apk", "semver", "npm", "go",
 * "golang", "pep440", "pypi", "python", "maven", "rubygems", "gem"). Returns 0, or
 * VG_ENOTFOUND with a message listing the known names. Thread-safe. */
int vg_version_scheme_lookup(vg_scheme *out, const char *name);

/* The canonical name of a scheme ("dpkg", "rpm", ...). Never NULL for a valid scheme. */
const char *vg_version_scheme_name(vg_scheme scheme);

/* Checks that `v` is a version the scheme's reference implementation accepts. Returns 0, or
 * VG_EINVAL with a message naming the scheme, the offending character and its byte offset.
 * Thread-safe. */
int vg_version_check(vg_scheme scheme, const char *v);

/* Compares two versions under `scheme`: `*out` is <0, 0 or >0 (exactly -1, 0 or 1). Returns
 * 0, or VG_EINVAL (with the message of vg_version_check) when either version is invalid, in
 * which case `*out` is untouched. Thread-safe; allocates nothing for versions under 256 bytes. */
int vg_version_compare(int *out, vg_scheme scheme, const char *a, const char *b);

/* ---- range evaluation ---------------------------------------------------------------- */

typedef enum vg_range_event_kind {
    VG_RANGE_INTRODUCED,    /* affected from this version on ("0": from the beginning) */
    VG_RANGE_FIXED,         /* not affected from this version on */
    VG_RANGE_LAST_AFFECTED, /* not affected above this version */
    VG_RANGE_LIMIT,         /* the range never reaches this version or above ("*": no limit) */
} vg_range_event_kind;

typedef struct vg_range_event {
    vg_range_event_kind kind;
    const char *version;
} vg_range_event;

/* One affected range of one package, in OSV's shape: events of any order plus an explicit
 * list of affected versions. Either part may be empty. */
typedef struct vg_range {
    vg_scheme scheme;
    const vg_range_event *events;
    size_t n_events;
    const char *const *versions;
    size_t n_versions;
} vg_range;

/* Decides whether version `v` is affected by `range`, following OSV's evaluation: events are
 * ordered by version, "introduced" opens an affected interval, "fixed" closes it at that
 * version and "last_affected" just above it; `v` must also lie below some "limit" if any is
 * given. A version equal to a listed version is affected as well. Returns 0 with `*out` set,
 * or VG_EINVAL when `v` or any event version is invalid for the scheme (the message names
 * the event). At most VG_RANGE_MAX_EVENTS events. Thread-safe. */
int vg_version_affected(bool *out, const vg_range *range, const char *v);

#define VG_RANGE_MAX_EVENTS 4096

#endif
