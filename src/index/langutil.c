/* langutil.c — small helpers the language scanners of src/index/ share (python.c, npm.c,
 * gem.c, java.c, gobin.c): quoting user bytes for messages, adding packages under the
 * max_pkgs cap, and turning a language database into a set. */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

const char *vg__quote(vg_strbuf *sb, const char *s, size_t n, size_t max)
{
    vg_strbuf_reset(sb);
    vg_strbuf_put_escaped(sb, s, n, max);
    return sb->buf;
}

vg_package *vg__pkgdb_add_lang(vg_layer_result *r, vg_pkgdb *db, const char *name,
                               const char *version, uint64_t max_pkgs, int *rc)
{
    if (db->n_pkgs >= max_pkgs) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 4096);
        vg_strbuf_put_escaped(&sb, db->path, strlen(db->path), 256);
        *rc = vg_error_set(VG_ETOOBIG, "%s: more than %llu packages (index limit max_pkgs)", sb.buf,
                           (unsigned long long)max_pkgs);
        vg_strbuf_dispose(&sb);
        return NULL;
    }
    vg_package *p = vg_pkgdb_add(r, db);
    p->name = vg_layer_result_strndup(r, name, strlen(name));
    p->version = vg_layer_result_strndup(r, version, strlen(version));
    *rc = 0;
    return p;
}

static int name_version_cmp(const void *x, const void *y)
{
    const vg_package *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->version, b->version);
}

void vg__pkgdb_make_set(vg_pkgdb *db)
{
    if (db->n_pkgs < 2)
        return;
    qsort(db->pkgs, db->n_pkgs, sizeof(*db->pkgs), name_version_cmp);
    size_t out = 1;
    for (size_t i = 1; i < db->n_pkgs; i++)
        if (name_version_cmp(&db->pkgs[out - 1], &db->pkgs[i]) != 0)
            db->pkgs[out++] = db->pkgs[i];
    db->n_pkgs = out;
}
