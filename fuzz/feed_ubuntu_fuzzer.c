/* feed_ubuntu_fuzzer.c — fuzz target for the parser of the ubuntu updater (src/feed/ubuntu.c): the
 * input is one Ubuntu OSV record. Besides crashes, feed_fuzz.h aborts when a result breaks the
 * parser's contract (error codes and messages, complete advisories). */
#include "feed_fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_fuzz_feed_run(&vg__updater_ubuntu, VG_SCHEME_DPKG, data, size);
    return 0;
}
