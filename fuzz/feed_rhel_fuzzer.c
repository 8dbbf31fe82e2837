/* feed_rhel_fuzzer.c — fuzz target for the parser of the rhel updater (src/feed/rhel.c): the input
 * is one Red Hat CSAF VEX document. Besides crashes, feed_fuzz.h aborts when a result breaks the
 * parser's contract (error codes and messages, complete advisories). */
#include "feed_fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_fuzz_feed_run(&vg__updater_rhel, VG_SCHEME_RPM, data, size);
    return 0;
}
