/* testutil.c — implementation of the unit-test helpers in testutil.h. */
#include "testutil.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>

static char *join(const char *env, const char *def, const char *rel)
{
    const char *base = getenv(env);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s/%s", base && *base ? base : def, rel);
    return vg_strbuf_detach(&sb);
}

char *vg_test_shared_path(const char *rel)
{
    return join("VIGIL_SHARED", "../shared", rel);
}

char *vg_test_data_path(const char *rel)
{
    return join("VG_TEST_DATA", "tests/data", rel);
}

char *vg_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    vg_strbuf sb;
    vg_strbuf_init(&sb, (size_t)1 << 30);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        vg_strbuf_append(&sb, chunk, n);
    fclose(f);
    if (len)
        *len = sb.len;
    return vg_strbuf_detach(&sb);
}
