/* runbuf.c — the advisories of an update run buffered between flushes, shared by the backends
 * (sqlite.c and postgres.c write them in batches of VG__FLUSH_ITEMS or VG__FLUSH_BYTES): each
 * put copies the encoded advisory, its hash (binary and hex) and its affected keys into an
 * arena that a flush resets. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

void vg__run_buf_init(vg__run_buf *b)
{
    memset(b, 0, sizeof(*b));
    b->arena = vg_arena_new((size_t)1 << 20);
}

static const char *dup(vg_arena *a, const char *s)
{
    return vg_arena_strndup(a, s, strlen(s));
}

bool vg__run_buf_add(vg__run_buf *b, const vg__encoded *e)
{
    static const char hexd[] = "0123456789abcdef";
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->items = vg_xrealloc(b->items, b->cap * sizeof(*b->items));
    }
    vg__run_item *it = &b->items[b->n++];
    memcpy(it->hash, e->hash, sizeof(it->hash));
    for (size_t i = 0; i < sizeof(it->hash); i++) {
        it->hex[2 * i] = hexd[e->hash[i] >> 4];
        it->hex[2 * i + 1] = hexd[e->hash[i] & 15];
    }
    it->hex[64] = '\0';
    it->id = dup(b->arena, e->id);
    it->source = dup(b->arena, e->source);
    it->body = vg_arena_strndup(b->arena, e->body, e->len);
    it->len = e->len;
    it->n_keys = e->n_affected;
    it->keys = vg_arena_alloc(b->arena, (e->n_affected ? e->n_affected : 1) * sizeof(*it->keys));
    for (size_t i = 0; i < e->n_affected; i++) {
        it->keys[i].ns = dup(b->arena, e->affected[i].ns);
        it->keys[i].package = dup(b->arena, e->affected[i].package);
        it->keys[i].source_pkg = e->affected[i].source_pkg;
    }
    b->bytes += e->len;
    return b->n >= VG__FLUSH_ITEMS || b->bytes >= VG__FLUSH_BYTES;
}

void vg__run_buf_clear(vg__run_buf *b)
{
    b->n = 0;
    b->bytes = 0;
    vg_arena_reset(b->arena);
}

void vg__run_buf_dispose(vg__run_buf *b)
{
    vg_arena_free(b->arena);
    free(b->items);
    memset(b, 0, sizeof(*b));
}
