/* rpmdb_ndb_fuzzer.c — fuzz target for the NDB rpmdb reader (src/index/rpmdb_ndb.c) through
 * the whole rpm scanner. A real Packages.db starts with a 4 KiB slot page that is mostly free
 * slots, so the input is compact and expanded here: byte 0 is k, then the 32-byte header,
 * then k slots; the rest of the first page is filled with free slots, and the remaining input
 * follows at byte 4096 (where blobs start). The scanner's contract is checked as in the other
 * rpm targets (rpm_fuzz.h); gen_rpm_seeds.py writes seeds in this form. */
#include "rpm_fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 + 32)
        return 0;
    size_t k = data[0];
    size_t given = 32 + 16 * k;
    if (given > 4096)
        given = 4096;
    if (1 + given > size)
        given = size - 1;
    size_t rest = size - 1 - given;
    size_t len = 4096 + rest;
    char *buf = vg_xcalloc(len, 1);
    memcpy(buf, data + 1, given);
    for (size_t s = (given + 15) / 16 * 16; s < 4096; s += 16)
        memcpy(buf + s, "Slot", 4);
    if (rest)
        memcpy(buf + 4096, data + 1 + given, rest);
    vg_fuzz_rpm_scan("usr/lib/sysimage/rpm/Packages.db", buf, len);
    free(buf);
    return 0;
}
