/* feed_debian_fuzzer.c — fuzz target for the parser of the debian updater (src/feed/debian.c,
 * with the JSON cursor of json.c): the input is one security-tracker JSON document. Besides
 * crashes, feed_fuzz.h aborts when a result breaks the parser's contract (error codes and
 * "debian: <url>: " messages, complete advisories, versions dpkg accepts). */
#include "feed_fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_fuzz_feed_run(&vg__updater_debian, VG_SCHEME_DPKG, data, size);
    return 0;
}
