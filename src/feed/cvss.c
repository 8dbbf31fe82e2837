/* cvss.c — CVSS base scores for src/feed/: v3.0/v3.1 per the CVSS v3.1 specification
 * (FIRST, section 7.1 and the Roundup of appendix A) and v2 per the CVSS v2 guide (section
 * 3.2.1), so that feeds that carry only vectors (OSV) still get scores. v4 is not computed. */
#include "feed_int.h"

#include <string.h>

typedef struct metric {
    const char *name;
    const char *values; /* accepted one-letter values, in the order of weights[] */
    double weights[4];
} metric;

/* One "K:V" pair of a vector, as slices. */
static bool next_pair(vg_slice *rest, vg_slice *key, vg_slice *val)
{
    if (!rest->ptr || rest->len == 0)
        return false;
    vg_slice item;
    *rest = vg_slice_split(*rest, '/', &item);
    vg_slice after = vg_slice_split(item, ':', key);
    *val = after;
    return true;
}

static int find_metric(const metric *ms, size_t n, vg_slice key)
{
    for (size_t i = 0; i < n; i++)
        if (vg_slice_eq_cstr(key, ms[i].name))
            return (int)i;
    return -1;
}

static bool known_extra(const char *const *names, vg_slice key)
{
    for (size_t i = 0; names[i]; i++)
        if (vg_slice_eq_cstr(key, names[i]))
            return true;
    return false;
}

/* Fills idx[i] with the index of metric i's value; every base metric exactly once, other
 * keys must be among `extra` (temporal / environmental metrics, ignored). */
static int parse_vector(int *idx, const metric *ms, size_t n, const char *const *extra,
                        vg_slice rest)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = -1;
    vg_slice key, val;
    while (next_pair(&rest, &key, &val)) {
        if (!val.ptr || key.len == 0 || val.len == 0)
            return VG_EINVAL;
        int m = find_metric(ms, n, key);
        if (m < 0) {
            if (known_extra(extra, key))
                continue;
            return VG_EINVAL;
        }
        if (idx[m] >= 0 || val.len != 1)
            return VG_EINVAL;
        const char *hit = strchr(ms[m].values, val.ptr[0]);
        if (!hit || val.ptr[0] == '\0')
            return VG_EINVAL;
        idx[m] = (int)(hit - ms[m].values);
    }
    for (size_t i = 0; i < n; i++)
        if (idx[i] < 0)
            return VG_EINVAL;
    return 0;
}

/* CVSS v3.1 appendix A: the smallest number, to one decimal place, that is >= the input,
 * computed on integers to avoid floating-point artefacts. */
/* Rounds a non-negative value to the nearest integer (no libm needed). */
static long long round_pos(double x)
{
    return (long long)(x + 0.5);
}

static double pow15(double x)
{
    double r = 1;
    for (int i = 0; i < 15; i++)
        r *= x;
    return r;
}

static double min10(double x)
{
    return x < 10.0 ? x : 10.0;
}

static double roundup(double x)
{
    long long i = round_pos(x * 100000.0);
    if (i % 10000 == 0)
        return (double)i / 100000.0;
    long long tenths = i / 10000; /* floor: integer division is the point */
    return (double)(tenths + 1) / 10.0;
}

enum { AV, AC, PR, UI, S, C, I, A, N3 };

static const metric v3[N3] = {
    {"AV", "NALP", {0.85, 0.62, 0.55, 0.2}},
    {"AC", "LH", {0.77, 0.44, 0, 0}},
    {"PR", "NLH", {0.85, 0.62, 0.27, 0}},
    {"UI", "NR", {0.85, 0.62, 0, 0}},
    {"S", "UC", {0, 0, 0, 0}},
    {"C", "HLN", {0.56, 0.22, 0, 0}},
    {"I", "HLN", {0.56, 0.22, 0, 0}},
    {"A", "HLN", {0.56, 0.22, 0, 0}},
};

static const char *const v3_extra[] = {"E",   "RL",  "RC", "CR", "IR", "AR", "MAV", "MAC",
                                       "MPR", "MUI", "MS", "MC", "MI", "MA", NULL};

int vg__cvss3_base_score(double *out, const char *vector)
{
    vg_slice v = vg_slice_from_cstr(vector);
    if (!vg_slice_starts_with(v, "CVSS:3.0/") && !vg_slice_starts_with(v, "CVSS:3.1/"))
        return VG_EINVAL;
    v.ptr += 9;
    v.len -= 9;
    int idx[N3];
    if (parse_vector(idx, v3, N3, v3_extra, v) != 0)
        return VG_EINVAL;
    bool changed = idx[S] == 1;
    double pr = v3[PR].weights[idx[PR]];
    if (changed && idx[PR] == 1)
        pr = 0.68;
    else if (changed && idx[PR] == 2)
        pr = 0.5;
    double iss = 1.0 - (1.0 - v3[C].weights[idx[C]]) * (1.0 - v3[I].weights[idx[I]]) *
                           (1.0 - v3[A].weights[idx[A]]);
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow15(iss - 0.02) : 6.42 * iss;
    double expl =
        8.22 * v3[AV].weights[idx[AV]] * v3[AC].weights[idx[AC]] * pr * v3[UI].weights[idx[UI]];
    double score;
    if (impact <= 0)
        score = 0;
    else if (changed)
        score = roundup(min10(1.08 * (impact + expl)));
    else
        score = roundup(min10(impact + expl));
    *out = score;
    return 0;
}

enum { AV2, AC2, AU2, C2, I2, A2, N2 };

static const metric v2[N2] = {
    {"AV", "LAN", {0.395, 0.646, 1.0, 0}}, {"AC", "HML", {0.35, 0.61, 0.71, 0}},
    {"Au", "MSN", {0.45, 0.56, 0.704, 0}}, {"C", "NPC", {0, 0.275, 0.660, 0}},
    {"I", "NPC", {0, 0.275, 0.660, 0}},    {"A", "NPC", {0, 0.275, 0.660, 0}},
};

static const char *const v2_extra[] = {"E", "RL", "RC", "CDP", "TD", "CR", "IR", "AR", NULL};

int vg__cvss2_base_score(double *out, const char *vector)
{
    vg_slice v = vg_slice_from_cstr(vector);
    if (v.len >= 2 && v.ptr[0] == '(' && v.ptr[v.len - 1] == ')') {
        v.ptr++;
        v.len -= 2;
    }
    if (vg_slice_starts_with(v, "CVSS:2.0/")) {
        v.ptr += 9;
        v.len -= 9;
    }
    int idx[N2];
    if (parse_vector(idx, v2, N2, v2_extra, v) != 0)
        return VG_EINVAL;
    double impact =
        10.41 * (1.0 - (1.0 - v2[C2].weights[idx[C2]]) * (1.0 - v2[I2].weights[idx[I2]]) *
                           (1.0 - v2[A2].weights[idx[A2]]));
    double expl =
        20.0 * v2[AV2].weights[idx[AV2]] * v2[AC2].weights[idx[AC2]] * v2[AU2].weights[idx[AU2]];
    double f = impact == 0 ? 0 : 1.176;
    double base = ((0.6 * impact) + (0.4 * expl) - 1.5) * f;
    /* round_to_1_decimal: half up, on integers like the v3 Roundup */
    *out = base <= 0 ? 0 : (double)round_pos(base * 10.0 + 1e-9) / 10.0;
    return 0;
}

vg_severity vg__cvss_severity(double score)
{
    if (score >= 9.0)
        return VG_SEV_CRITICAL;
    if (score >= 7.0)
        return VG_SEV_HIGH;
    if (score >= 4.0)
        return VG_SEV_MEDIUM;
    if (score > 0)
        return VG_SEV_LOW;
    return VG_SEV_UNKNOWN;
}
