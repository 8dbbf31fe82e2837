/* reader.c — the forward-only pull reader streaming scanners use (vg_index_reader): over the
 * layer stream in the walker, over memory in tests and fuzzers. Skipping is reading into a
 * scratch buffer, since a decompressing layer stream cannot seek. */
#include "index_int.h"

#include <string.h>

void vg__reader_init_mem(vg_index_reader *rd, const void *buf, size_t len)
{
    memset(rd, 0, sizeof(*rd));
    rd->mem = buf;
    rd->mem_len = len;
    rd->size = (int64_t)len;
}

ssize_t vg__reader_read(vg_index_reader *rd, void *buf, size_t n)
{
    if (!rd->pull) {
        size_t left = rd->pos < rd->mem_len ? rd->mem_len - (size_t)rd->pos : 0;
        size_t k = n < left ? n : left;
        if (k)
            memcpy(buf, rd->mem + rd->pos, k);
        rd->pos += k;
        return (ssize_t)k;
    }
    size_t have = 0;
    while (have < n) {
        ssize_t got = rd->pull(rd->ctx, (char *)buf + have, n - have);
        if (got < 0) {
            rd->io_err = (int)got;
            return got;
        }
        if (got == 0)
            break;
        have += (size_t)got;
        rd->pos += (uint64_t)got;
    }
    return (ssize_t)have;
}

int64_t vg__reader_skip(vg_index_reader *rd, uint64_t n)
{
    if (!rd->pull) {
        uint64_t left = rd->pos < rd->mem_len ? rd->mem_len - rd->pos : 0;
        uint64_t k = n < left ? n : left;
        rd->pos += k;
        return (int64_t)k;
    }
    char scratch[65536];
    uint64_t done = 0;
    while (done < n) {
        uint64_t want = n - done < sizeof(scratch) ? n - done : sizeof(scratch);
        ssize_t got = vg__reader_read(rd, scratch, (size_t)want);
        if (got < 0)
            return got;
        if (got == 0)
            break;
        done += (uint64_t)got;
    }
    return (int64_t)done;
}
