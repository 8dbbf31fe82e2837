/* bench_vercmp.c — comparisons per second for each version scheme, over the pair files
 * that the differential tests generate (bench/run passes them in). Also times a trivial
 * strcmp over the same pairs as the in-run baseline. */
#include "util/util.h"
#include "version/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_vercmp SCHEME PAIRS_FILE\n");
        return 2;
    }
    vg_scheme s;
    if (vg_version_scheme_lookup(&s, argv[1]) != 0) {
        fprintf(stderr, "%s\n", vg_error_last());
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    size_t n = 0, cap = 0;
    char **a = NULL, **b = NULL;
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        char *sp = strchr(line, ' ');
        char *nl = strchr(line, '\n');
        if (!sp)
            continue;
        if (nl)
            *nl = '\0';
        *sp = '\0';
        int c;
        if (vg_version_compare(&c, s, line, sp + 1) != 0)
            continue; /* time valid pairs only */
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            a = vg_xrealloc(a, cap * sizeof(*a));
            b = vg_xrealloc(b, cap * sizeof(*b));
        }
        a[n] = vg_xstrdup(line);
        b[n] = vg_xstrdup(sp + 1);
        n++;
    }
    free(line);
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "no valid pairs\n");
        return 1;
    }
    const int rounds = 10;
    volatile long sink = 0;
    double t0 = now();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++)
            sink += strcmp(a[i], b[i]);
    double t1 = now();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++) {
            int c;
            vg_version_compare(&c, s, a[i], b[i]);
            sink += c;
        }
    double t2 = now();
    double total = (double)n * rounds;
    printf(
        "%-9s pairs=%zu  vigil=%.2f M cmp/s  strcmp=%.1f M cmp/s  ratio(vigil/strcmp time)=%.1f\n",
        argv[1], n, total / (t2 - t1) / 1e6, total / (t1 - t0) / 1e6, (t2 - t1) / (t1 - t0));
    if (sink == 0x7fffffff)
        puts("(unlikely sink value)");
    for (size_t i = 0; i < n; i++) {
        free(a[i]);
        free(b[i]);
    }
    free(a);
    free(b);
    return 0;
}
