/* advisory_json_fuzzer.c — fuzz target for the store's advisory codec (src/store/
 * advisory_json.c), which reads every advisory line of an imported bundle. Besides crashes it
 * aborts when a rejected input's error lacks its place, when a decoded advisory cannot be
 * encoded, or when the canonical form is not a fixed point (decode → encode is idempotent). */
#include "store/store_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_arena *arena = vg_arena_new(4096);
    vg_advisory a, b;
    vg_error_clear();
    int rc = vg__advisory_decode(&a, arena, (const char *)data, size, "fuzz");
    if (rc != 0) {
        if (rc != VG_EINVAL || strncmp(vg_error_last(), "fuzz: ", 6) != 0)
            abort();
        vg_arena_free(arena);
        return 0;
    }
    vg_strbuf e1, e2;
    vg_strbuf_init(&e1, VG__ADVISORY_MAX_BYTES + 1);
    vg_strbuf_init(&e2, VG__ADVISORY_MAX_BYTES + 1);
    if (vg__advisory_encode(&e1, &a) != 0)
        abort();
    if (vg__advisory_decode(&b, arena, e1.buf, e1.len, "canonical") != 0)
        abort();
    if (vg__advisory_encode(&e2, &b) != 0 || e1.len != e2.len || memcmp(e1.buf, e2.buf, e1.len))
        abort();
    vg_strbuf_dispose(&e1);
    vg_strbuf_dispose(&e2);
    vg_arena_free(arena);
    return 0;
}
