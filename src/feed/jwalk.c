/* jwalk.c — the tree-reading layer of the ubuntu, rhel and nvd updaters (jwalk.h), on top of
 * json.c's loader and path helpers: typed member access that names the JSON path of bad input,
 * capped arena copies of kept strings, and string sets for de-duplication. */
#include "jwalk.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_LIMIT ((size_t)1 << 16) /* the path buffer; past it the path stops growing */
#define PATH_SHOWN 480               /* at most this much of a path goes into a message */
#define KEY_SHOWN 128                /* a key as vg__jpath_key may quote it */

static const char *type_name(json_type t)
{
    switch (t) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

int vg__jw_fail(vg_jw *jw, int code, const char *key, const char *fmt, ...)
{
    vg_strbuf what, where;
    vg_strbuf_init(&what, 1024);
    vg_strbuf_init(&where, PATH_SHOWN + 2 * KEY_SHOWN + 16);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&what, fmt, ap);
    va_end(ap);
    if (jw->path.len > PATH_SHOWN) {
        vg_strbuf_puts(&where, "$...");
        vg_strbuf_puts(&where, jw->path.buf + jw->path.len - PATH_SHOWN);
    } else {
        vg_strbuf_puts(&where, jw->path.buf);
    }
    if (key)
        vg__jpath_key(&where, key);
    int rc = vg__feed_fail(jw->ctx, jw->source, code, where.buf, "%s", what.buf);
    vg_strbuf_dispose(&what);
    vg_strbuf_dispose(&where);
    return rc;
}

static void mark(vg_jw *jw)
{
    if (jw->n_marks == jw->cap_marks) {
        jw->cap_marks = jw->cap_marks ? jw->cap_marks * 2 : 16;
        jw->marks = vg_xrealloc(jw->marks, jw->cap_marks * sizeof(*jw->marks));
    }
    jw->marks[jw->n_marks++] = jw->path.len;
}

void vg__jw_push_key(vg_jw *jw, const char *key)
{
    mark(jw);
    vg__jpath_key(&jw->path, key);
}

void vg__jw_push_idx(vg_jw *jw, size_t i)
{
    mark(jw);
    vg__jpath_index(&jw->path, i);
}

void vg__jw_pop(vg_jw *jw)
{
    if (jw->n_marks > 0)
        vg__jpath_cut(&jw->path, jw->marks[--jw->n_marks]);
}

/* Fails at the first container below `v` deeper than `max`; recursion is bounded by `max` + 1
 * frames (and jansson's own parser depth). */
static int depth_walk(vg_jw *jw, json_t *v, size_t depth, size_t max)
{
    if (!json_is_object(v) && !json_is_array(v))
        return 0;
    if (depth > max)
        return vg__jw_fail(jw, VG_EINVAL, NULL, "nesting deeper than %zu levels (max_depth)", max);
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            vg__jw_push_idx(jw, i);
            int rc = depth_walk(jw, e, depth + 1, max);
            if (rc != 0)
                return rc;
            vg__jw_pop(jw);
        }
        return 0;
    }
    json_object_foreach(v, k, e)
    {
        vg__jw_push_key(jw, k);
        int rc = depth_walk(jw, e, depth + 1, max);
        if (rc != 0)
            return rc;
        vg__jw_pop(jw);
    }
    return 0;
}

int vg__jw_check_depth(vg_jw *jw, json_t *v, size_t depth)
{
    uint64_t max =
        jw->ctx && jw->ctx->opts && jw->ctx->opts->max_depth ? jw->ctx->opts->max_depth : 64;
    return depth_walk(jw, v, depth, max > 100000 ? 100000 : (size_t)max);
}

void vg__jw_begin(vg_jw *jw, vg_feed_ctx *ctx, const char *source)
{
    memset(jw, 0, sizeof(*jw));
    jw->ctx = ctx;
    jw->source = source;
    vg_strbuf_init(&jw->path, PATH_LIMIT);
    vg_strbuf_putc(&jw->path, '$');
}

int vg__jw_load(json_t **out, vg_jw *jw, vg_feed_ctx *ctx, const char *source, const char *buf,
                size_t len)
{
    vg__jw_begin(jw, ctx, source);
    return vg__feed_json_load(out, ctx, source, buf ? buf : "", buf ? len : 0);
}

void vg__jw_dispose(vg_jw *jw)
{
    vg_strbuf_dispose(&jw->path);
    free(jw->marks);
    jw->marks = NULL;
    jw->n_marks = jw->cap_marks = 0;
}

static bool type_ok(json_t *v, json_type want)
{
    if (want == JSON_REAL)
        return json_is_number(v);
    if (want == JSON_TRUE || want == JSON_FALSE)
        return json_is_boolean(v);
    return json_typeof(v) == want;
}

int vg__jw_get(json_t **out, vg_jw *jw, json_t *obj, const char *key, json_type type, bool required)
{
    *out = NULL;
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return vg__jw_fail(jw, VG_EINVAL, key, "missing (want %s)", type_name(type));
        return 0;
    }
    if (!type_ok(v, type))
        return vg__jw_fail(jw, VG_EINVAL, key, "expected %s, got %s", type_name(type),
                           type_name(json_typeof(v)));
    *out = v;
    return 0;
}

int vg__jw_strval(const char **out, vg_jw *jw, json_t *v, size_t max, bool nonempty)
{
    if (!json_is_string(v))
        return vg__jw_fail(jw, VG_EINVAL, NULL, "expected string, got %s",
                           v ? type_name(json_typeof(v)) : "nothing");
    size_t n = json_string_length(v);
    if (n > max)
        return vg__jw_fail(jw, VG_ETOOBIG, NULL, "string of %zu bytes (cap %zu)", n, max);
    if (n == 0 && nonempty)
        return vg__jw_fail(jw, VG_EINVAL, NULL, "empty string");
    *out = vg__jw_dup(jw, json_string_value(v), n);
    return 0;
}

int vg__jw_str(const char **out, vg_jw *jw, json_t *obj, const char *key, size_t max, bool required)
{
    *out = NULL;
    json_t *v;
    int rc = vg__jw_get(&v, jw, obj, key, JSON_STRING, required);
    if (rc != 0 || !v)
        return rc;
    vg__jw_push_key(jw, key);
    rc = vg__jw_strval(out, jw, v, max, required);
    if (rc != 0)
        return rc;
    vg__jw_pop(jw);
    return 0;
}

const char *vg__jw_q(vg_jw *jw, const char *s)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 512);
    vg_strbuf_put_escaped(&sb, s, strlen(s), 80);
    const char *q = vg__jw_dup(jw, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
    return q;
}

const char *vg__jw_dup(vg_jw *jw, const char *s, size_t n)
{
    return vg_arena_strndup(jw->ctx->arena, s, n);
}

void *vg__jw_alloc(vg_jw *jw, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    if (n > SIZE_MAX / size)
        abort(); /* counts come from parsed documents that fit in memory */
    void *p = vg_arena_alloc(jw->ctx->arena, n * size);
    memset(p, 0, n * size);
    return p;
}

bool vg__jw_set_add(json_t *set, const char *s)
{
    if (json_object_get(set, s))
        return false;
    json_object_set_new_nocheck(set, s, json_true());
    return true;
}

void vg__jw_strs_add(vg_jw *jw, vg_jw_strs *l, const char *s)
{
    if (!s || !*s)
        return;
    if (!l->seen)
        l->seen = json_object();
    if (!vg__jw_set_add(l->seen, s))
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const char **v = vg__jw_alloc(jw, cap, sizeof(*v));
        if (l->n)
            memcpy(v, l->v, l->n * sizeof(*v));
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
}

void vg__jw_strs_dispose(vg_jw_strs *l)
{
    json_decref(l->seen);
    l->seen = NULL;
}
