/* semver.c — placeholder; being written. */
#include "version_int.h"

static int check(const char *v)
{
    return vg__version_invalid("semver", v, 0, "not implemented yet");
}

static int cmp(const char *a, const char *b)
{
    (void)a;
    (void)b;
    return 0;
}

const vg_scheme_ops vg__version_semver = {"semver", check, cmp};
const vg_scheme_ops vg__version_go = {"go", check, cmp};
