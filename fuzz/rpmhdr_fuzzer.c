/* rpmhdr_fuzzer.c — fuzz target for the rpm header-blob parser (src/index/rpmhdr.c): the
 * input is one header blob. Parsed directly, it must give either an error naming a field or
 * fields that lie inside the blob; then it is wrapped in a one-package NDB database and run
 * through the whole scanner (rpm.c), so the package fields derived from it are fuzzed too. */
#include "rpm_fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(vg_slice s, const uint8_t *data, size_t size)
{
    return !s.ptr || ((const uint8_t *)s.ptr >= data &&
                      (const uint8_t *)s.ptr + s.len < data + size && s.ptr[s.len] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg__rpmhdr h;
    vg_error_clear();
    int rc = vg__rpmhdr_parse(&h, data, size);
    if (rc != 0) {
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || !*vg_error_last())
            abort();
    } else {
        vg_slice all[] = {h.name,   h.version,   h.release,        h.arch,
                          h.vendor, h.sourcerpm, h.modularitylabel};
        for (size_t i = 0; i < VG_ARRAY_LEN(all); i++)
            if (!inside(all[i], data, size))
                abort();
        if (!h.name.len || !h.version.len || !h.release.len)
            abort();
    }
    if (size > 65536)
        return 0;

    /* The same blob as the only package of an NDB Packages.db. */
    size_t blocks = (16 + size + 12 + 15) / 16, len = 4096 + blocks * 16;
    uint8_t *db = vg_xcalloc(len, 1);
    static const uint8_t head[32] = {'R', 'p', 'm', 'P', 0, 0, 0, 0, 1, 0,
                                     0,   0,   1,   0,   0, 0, 2, 0, 0, 0};
    memcpy(db, head, sizeof(head));
    for (size_t s = 32; s < 4096; s += 16)
        memcpy(db + s, "Slot", 4);
    uint32_t slot[3] = {1, 4096 / 16, (uint32_t)blocks}; /* little-endian hosts only */
    memcpy(db + 36, slot, sizeof(slot));
    uint32_t bhead[4] = {0x53626c42u, 1, 0, (uint32_t)size};
    memcpy(db + 4096, bhead, sizeof(bhead));
    if (size)
        memcpy(db + 4096 + 16, data, size);
    uint32_t tail[3] = {0, (uint32_t)size, 0x45626c42u};
    memcpy(db + len - 12, tail, sizeof(tail));
    vg_fuzz_rpm_scan("usr/lib/sysimage/rpm/Packages.db", (const char *)db, len);
    free(db);
    return 0;
}
