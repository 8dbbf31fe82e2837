/* progress.c — the progress line `vigil scan` and `vigil index` draw on stderr while they
 * work through an image's layers, on a terminal only (never in pipes, files or CI logs). It
 * advances per layer: inside one layer the stream gives no byte count to show. */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

static void draw(void *ctx, size_t i, size_t n, const vg_layer_desc *d, bool cached)
{
    (void)ctx;
    const size_t width = 24;
    size_t done = n ? (i * width) / n : 0;
    char bar[32];
    for (size_t k = 0; k < width; k++)
        bar[k] = k < done ? '=' : k == done ? '>' : ' ';
    bar[width] = '\0';
    const char *dg = d->digest;
    if (dg[0] == 's' && dg[1] == 'h' && dg[2] == 'a')
        dg += 7;
    if (d->size >= 0)
        fprintf(stderr, "\r\033[K[%s] layer %zu/%zu %.12s %.1f MB %s", bar, i + 1, n, dg,
                (double)d->size / 1e6, cached ? "(cached)" : "(downloading, decompressing)");
    else
        fprintf(stderr, "\r\033[K[%s] layer %zu/%zu %.12s %s", bar, i + 1, n, dg,
                cached ? "(cached)" : "(reading)");
    fflush(stderr);
}

const vg_index_progress *vg_cli_progress(void)
{
    static const vg_index_progress p = {NULL, draw};
    return isatty(STDERR_FILENO) ? &p : NULL;
}

void vg_cli_progress_done(void)
{
    if (isatty(STDERR_FILENO)) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
