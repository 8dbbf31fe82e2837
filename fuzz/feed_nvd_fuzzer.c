/* feed_nvd_fuzzer.c — fuzz target for the parser of the nvd updater (src/feed/nvd.c): the input is
 * one NVD CVE API 2.0 page or record. Besides crashes, feed_fuzz.h aborts when a result breaks the
 * parser's contract (error codes and messages, complete advisories). */
#include "feed_fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_fuzz_feed_run(&vg__updater_nvd, VG_SCHEME_DPKG, data, size);
    return 0;
}
