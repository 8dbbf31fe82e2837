/* version.c — scheme lookup and the dispatching entry points of src/version/: validates
 * input size and hands each comparison to the scheme's file through its vg_scheme_ops. */
#include "version_int.h"

#include <string.h>

static const vg_scheme_ops *const schemes[VG_SCHEME_COUNT] = {
    [VG_SCHEME_DPKG] = &vg__version_dpkg,   [VG_SCHEME_RPM] = &vg__version_rpm,
    [VG_SCHEME_APK] = &vg__version_apk,     [VG_SCHEME_SEMVER] = &vg__version_semver,
    [VG_SCHEME_GO] = &vg__version_go,       [VG_SCHEME_PEP440] = &vg__version_pep440,
    [VG_SCHEME_MAVEN] = &vg__version_maven, [VG_SCHEME_RUBYGEMS] = &vg__version_rubygems,
};

static const struct {
    const char *name;
    vg_scheme scheme;
} aliases[] = {
    {"dpkg", VG_SCHEME_DPKG},     {"deb", VG_SCHEME_DPKG},      {"debian", VG_SCHEME_DPKG},
    {"rpm", VG_SCHEME_RPM},       {"apk", VG_SCHEME_APK},       {"alpine", VG_SCHEME_APK},
    {"semver", VG_SCHEME_SEMVER}, {"npm", VG_SCHEME_SEMVER},    {"go", VG_SCHEME_GO},
    {"golang", VG_SCHEME_GO},     {"pep440", VG_SCHEME_PEP440}, {"pypi", VG_SCHEME_PEP440},
    {"python", VG_SCHEME_PEP440}, {"maven", VG_SCHEME_MAVEN},   {"rubygems", VG_SCHEME_RUBYGEMS},
    {"gem", VG_SCHEME_RUBYGEMS},
};

int vg_version_scheme_lookup(vg_scheme *out, const char *name)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(aliases); i++) {
        if (strcmp(aliases[i].name, name) == 0) {
            *out = aliases[i].scheme;
            return 0;
        }
    }
    return vg_error_set(VG_ENOTFOUND,
                        "unknown version scheme (known: dpkg, rpm, apk, semver, go, pep440, "
                        "maven, rubygems)");
}

const char *vg_version_scheme_name(vg_scheme scheme)
{
    return (unsigned)scheme < VG_SCHEME_COUNT ? schemes[scheme]->name : "unknown";
}

int vg__version_invalid(const char *scheme, const char *v, size_t off, const char *why)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 1024);
    vg_strbuf_put_escaped(&sb, v, strlen(v), 200);
    int rc = vg_error_set(VG_EINVAL, "%s: invalid version \"%s\": %s at byte %zu", scheme, sb.buf,
                          why, off);
    vg_strbuf_dispose(&sb);
    return rc;
}

int vg_version_check(vg_scheme scheme, const char *v)
{
    if ((unsigned)scheme >= VG_SCHEME_COUNT)
        return vg_error_set(VG_EINVAL, "invalid version scheme %d", (int)scheme);
    size_t n = strnlen(v, VG_VERSION_MAX_LEN + 1);
    if (n > VG_VERSION_MAX_LEN)
        return vg__version_invalid(schemes[scheme]->name, v, VG_VERSION_MAX_LEN,
                                   "longer than VG_VERSION_MAX_LEN (4096 bytes)");
    return schemes[scheme]->check(v);
}

int vg_version_compare(int *out, vg_scheme scheme, const char *a, const char *b)
{
    int rc = vg_version_check(scheme, a);
    if (rc == 0)
        rc = vg_version_check(scheme, b);
    if (rc)
        return rc;
    int c = schemes[scheme]->cmp(a, b);
    *out = (c > 0) - (c < 0);
    return 0;
}
