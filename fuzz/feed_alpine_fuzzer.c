/* feed_alpine_fuzzer.c — fuzz target for the parser of the alpine updater (src/feed/alpine.c):
 * the input is one secdb document (a branch envelope or one package record). Besides crashes,
 * feed_fuzz.h aborts when a result breaks the parser's contract (error codes and
 * "alpine: <url>: " messages, complete advisories). */
#include "feed_fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_fuzz_feed_run(&vg__updater_alpine, VG_SCHEME_APK, data, size);
    return 0;
}
