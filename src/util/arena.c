/* arena.c — a bump allocator for per-request and per-scan data (h2o's mem pool idea):
 * many small allocations released together, so parsers need no free-by-hand bookkeeping. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t size;
    size_t used;
    _Alignas(max_align_t) unsigned char data[];
} block;

struct vg_arena {
    block *head;
    size_t block_size;
    size_t total;
};

static block *block_new(size_t size)
{
    block *b = vg_xmalloc(sizeof(block) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

vg_arena *vg_arena_new(size_t block_size)
{
    vg_arena *a = vg_xmalloc(sizeof(*a));
    a->block_size = block_size ? block_size : 4096;
    a->head = block_new(a->block_size);
    a->total = 0;
    return a;
}

void vg_arena_free(vg_arena *a)
{
    if (!a)
        return;
    block *b = a->head;
    while (b) {
        block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *vg_arena_alloc(vg_arena *a, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    size_t need = (n + align - 1) & ~(align - 1);
    if (need < n)
        abort(); /* size overflow: a programming error */
    block *b = a->head;
    if (b->size - b->used < need) {
        size_t size = need > a->block_size ? need : a->block_size;
        b = block_new(size);
        if (need > a->block_size) {
            /* Oversized: keep the current block at the head for further small allocations. */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += need;
    return p;
}

char *vg_arena_strndup(vg_arena *a, const char *s, size_t n)
{
    char *p = vg_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void vg_arena_reset(vg_arena *a)
{
    block *b = a->head;
    /* Keep the last block in the chain (the first one created) and free the others. */
    while (b->next) {
        block *n = b->next;
        free(b);
        b = n;
    }
    b->used = 0;
    a->head = b;
    a->total = 0;
}

size_t vg_arena_used(const vg_arena *a)
{
    return a->total;
}
