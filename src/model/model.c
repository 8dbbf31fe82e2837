/* model.c — constructors and destructors for the types in model.h. Growth of the small
 * arrays inside results goes through the result's arena; nothing here parses input. */
#include "model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Grows an arena-backed array of `size`-byte items by one and returns the new zeroed item.
 * Arrays double in capacity; old storage stays in the arena until the result is freed. */
static void *arena_push(vg_arena *a, void **items, size_t *n, size_t size)
{
    size_t cap = 4;
    while (cap < *n)
        cap *= 2;
    if (*n == 0 || *n == cap) {
        size_t ncap = *n == 0 ? 4 : cap * 2;
        void *grown = vg_arena_alloc(a, ncap * size);
        if (*n)
            memcpy(grown, *items, *n * size);
        *items = grown;
    }
    void *item = (char *)*items + *n * size;
    memset(item, 0, size);
    (*n)++;
    return item;
}

vg_layer_result *vg_layer_result_new(const char *digest)
{
    vg_layer_result *r = vg_xcalloc(1, sizeof(*r));
    r->arena = vg_arena_new(16384);
    r->digest = vg_arena_strndup(r->arena, digest, strlen(digest));
    return r;
}

void vg_layer_result_free(vg_layer_result *r)
{
    if (!r)
        return;
    vg_arena_free(r->arena);
    free(r);
}

const char *vg_layer_result_strndup(vg_layer_result *r, const char *s, size_t n)
{
    return vg_arena_strndup(r->arena, s, n);
}

vg_pkgdb *vg_layer_result_add_db(vg_layer_result *r, const char *path, vg_pkg_format format)
{
    vg_pkgdb *db = arena_push(r->arena, (void **)&r->dbs, &r->n_dbs, sizeof(*db));
    db->path = vg_arena_strndup(r->arena, path, strlen(path));
    db->format = format;
    return db;
}

vg_package *vg_pkgdb_add(vg_layer_result *r, vg_pkgdb *db)
{
    vg_package *p = arena_push(r->arena, (void **)&db->pkgs, &db->n_pkgs, sizeof(*p));
    p->format = db->format;
    return p;
}

vg_release_file *vg_layer_result_add_release(vg_layer_result *r, const char *path)
{
    vg_release_file *f = arena_push(r->arena, (void **)&r->releases, &r->n_releases, sizeof(*f));
    f->path = vg_arena_strndup(r->arena, path, strlen(path));
    f->dist.found_in = f->path;
    return f;
}

void vg_layer_result_add_whiteout(vg_layer_result *r, const char *path, bool opaque)
{
    const char *p = vg_arena_strndup(r->arena, path, strlen(path));
    const char **slot;
    if (opaque)
        slot = arena_push(r->arena, (void **)&r->opaque_dirs, &r->n_opaque, sizeof(*slot));
    else
        slot = arena_push(r->arena, (void **)&r->whiteouts, &r->n_whiteouts, sizeof(*slot));
    *slot = p;
}

void vg_layer_result_add_warning(vg_layer_result *r, const char *msg)
{
    if (r->n_warnings >= VG_MAX_WARNINGS) {
        r->warnings_dropped++;
        return;
    }
    const char *copy = vg_arena_strndup(r->arena, msg, strlen(msg));
    const char **slot = arena_push(r->arena, (void **)&r->warnings, &r->n_warnings, sizeof(*slot));
    *slot = copy;
}

vg_index_report *vg_index_report_new(const char *manifest_hash)
{
    vg_index_report *r = vg_xcalloc(1, sizeof(*r));
    r->arena = vg_arena_new(65536);
    r->manifest_hash = vg_arena_strndup(r->arena, manifest_hash, strlen(manifest_hash));
    r->err = "";
    return r;
}

void vg_index_report_free(vg_index_report *r)
{
    if (!r)
        return;
    vg_arena_free(r->arena);
    free(r);
}

const char *vg_index_report_strdup(vg_index_report *r, const char *s)
{
    return s ? vg_arena_strndup(r->arena, s, strlen(s)) : NULL;
}

static const char *const severity_names[] = {"Unknown", "Negligible", "Low",
                                             "Medium",  "High",       "Critical"};

const char *vg_severity_name(vg_severity s)
{
    return (unsigned)s < VG_ARRAY_LEN(severity_names) ? severity_names[s] : "Unknown";
}

int vg_severity_parse(vg_severity *out, const char *name)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(severity_names); i++) {
        if (strcasecmp(name, severity_names[i]) == 0) {
            *out = (vg_severity)i;
            return 0;
        }
    }
    return vg_error_set(VG_EINVAL, "unknown severity (want one of Unknown, Negligible, Low, "
                                   "Medium, High, Critical)");
}

const char *vg_status_name(vg_affected_status s)
{
    static const char *const names[] = {"fixed", "affected", "will-not-fix", "not-affected",
                                        "under-investigation"};
    return (unsigned)s < VG_ARRAY_LEN(names) ? names[s] : "unknown";
}
