/* rpmdb_bdb_fuzzer.c — fuzz target for the Berkeley DB rpmdb reader (src/index/rpmdb_bdb.c)
 * through the whole rpm scanner: the input is a Packages file. Its magic is forced (bytes
 * 12-15, little- or big-endian by the input's parity) so that every input reaches the BDB
 * reader; the scanner's contract is checked as in the other rpm targets (rpm_fuzz.h). */
#include "rpm_fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = vg_xmalloc(size ? size : 1);
    if (size)
        memcpy(buf, data, size);
    if (size >= 16) {
        static const char le[4] = {0x61, 0x15, 0x06, 0x00}, be[4] = {0x00, 0x06, 0x15, 0x61};
        bool big = memcmp(buf + 12, be, 4) == 0;
        memcpy(buf + 12, big ? be : le, 4);
    }
    vg_fuzz_rpm_scan("var/lib/rpm/Packages", buf, size);
    free(buf);
    return 0;
}
