/* version_fuzzer.c — fuzz target for one version scheme's parser and comparator, compiled
 * once per scheme (VG_FUZZ_SCHEME). The input is two versions split at the first newline;
 * besides crashes it aborts on a broken order: cmp(a,b) must equal -cmp(b,a) and cmp(a,a)
 * must be 0. */
#include "util/util.h"
#include "version/version.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_scheme scheme;
    if (vg_version_scheme_lookup(&scheme, STR(VG_FUZZ_SCHEME)) != 0)
        abort();
    if (size > 8192)
        return 0;
    char *buf = vg_xstrndup((const char *)data, size);
    /* Embedded NULs end the C string early; that is fine, the prefix is still fuzzed. */
    char *nl = strchr(buf, '\n');
    const char *a = buf, *b = "";
    if (nl) {
        *nl = '\0';
        b = nl + 1;
    }
    int ab, ba, aa;
    int ra = vg_version_compare(&ab, scheme, a, b);
    int rb = vg_version_compare(&ba, scheme, b, a);
    if ((ra == 0) != (rb == 0))
        abort(); /* validity must not depend on argument order */
    if (ra == 0 && ab != -ba)
        abort();
    if (vg_version_check(scheme, a) == 0) {
        if (vg_version_compare(&aa, scheme, a, a) != 0 || aa != 0)
            abort();
        vg_range_event ev[2] = {{VG_RANGE_INTRODUCED, "0"}, {VG_RANGE_FIXED, a}};
        vg_range r = {scheme, ev, 2, NULL, 0};
        bool affected;
        if (vg_version_affected(&affected, &r, a) != 0 || affected)
            abort(); /* a fixed version is never affected by its own fix */
    }
    free(buf);
    return 0;
}
