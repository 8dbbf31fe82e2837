/* config.c — schema-driven configuration: the caller's table of dotted keys maps a YAML file
 * (libyaml's event parser, with caps and no anchors), VIGIL_* environment variables and
 * --set flags onto the fields of its settings struct. Layer 1: knows no vigil settings. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

/* Bytes of a user value or key quoted in a message. */
#define SHOW_MAX ((size_t)64)
/* Unknown-key lists stop here (vg_error_set keeps about 1 KiB) and end in "(and N more)". */
#define UNKNOWN_MSG_MAX 880

/* A parsed value waiting to be committed. */
typedef union conf_value {
    char *str;
    int64_t i64;
    uint64_t u64;
    bool b;
    char **list;
} conf_value;

typedef struct pending {
    size_t line; /* 1-based line of the key in the file, 0 when not seen */
    bool set;    /* `v` holds a value to commit (a null value is seen but not set) */
    conf_value v;
} pending;

/* ---- values -------------------------------------------------------------------------- */

static void *field(void *settings, const vg_conf_key *k)
{
    return (char *)settings + k->offset;
}

static void list_free(char **list)
{
    if (!list)
        return;
    for (char **p = list; *p; p++)
        free(*p);
    free(list);
}

static void value_free(const vg_conf_key *k, conf_value *v)
{
    if (k->type == VG_CONF_STRING) {
        free(v->str);
        v->str = NULL;
    } else if (k->type == VG_CONF_STRLIST) {
        list_free(v->list);
        v->list = NULL;
    }
}

/* Stores `v` into the settings field of `k`, freeing what it replaces. */
static void value_commit(void *settings, const vg_conf_key *k, conf_value v)
{
    void *f = field(settings, k);
    switch (k->type) {
    case VG_CONF_STRING:
        free(*(char **)f);
        *(char **)f = v.str;
        break;
    case VG_CONF_INT:
    case VG_CONF_DURATION:
        *(int64_t *)f = v.i64;
        break;
    case VG_CONF_BOOL:
        *(bool *)f = v.b;
        break;
    case VG_CONF_BYTES:
        *(uint64_t *)f = v.u64;
        break;
    case VG_CONF_STRLIST:
        list_free(*(char ***)f);
        *(char ***)f = v.list;
        break;
    }
}

static void put_quoted(vg_strbuf *sb, const char *s, size_t len)
{
    vg_strbuf_putc(sb, '\'');
    vg_strbuf_put_escaped(sb, s, len, SHOW_MAX);
    vg_strbuf_putc(sb, '\'');
}

static const char *type_desc(vg_conf_type t)
{
    switch (t) {
    case VG_CONF_STRING:
        return "a string";
    case VG_CONF_INT:
        return "an integer";
    case VG_CONF_BOOL:
        return "a boolean (true/false, yes/no, on/off)";
    case VG_CONF_DURATION:
        return "a duration (250ms, 30s, 5m, 6h, 1d)";
    case VG_CONF_BYTES:
        return "a size (512, 64KiB, 4MiB, 10MB)";
    case VG_CONF_STRLIST:
        return "a list of strings";
    }
    return "a value";
}

static bool all_digits(const char *s, size_t len)
{
    return len > 0 && strspn(s, "0123456789") >= len;
}

/* Splits "NUMBER[blanks]UNIT" and parses NUMBER. */
static int number_unit(uint64_t *out, const char *s, size_t len, vg_slice *unit)
{
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    int rc = vg_parse_u64(out, (vg_slice){s, i});
    if (rc)
        return rc;
    size_t digits = i;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i > digits && i == len) /* blanks only between the number and a unit */
        return VG_EINVAL;
    *unit = (vg_slice){s + i, len - i};
    return 0;
}

static int duration_parse(int64_t *out, const char *s, size_t len)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
    uint64_t v;
    vg_slice unit;
    int rc = number_unit(&v, s, len, &unit);
    if (rc)
        return rc;
    for (size_t i = 0; i < VG_ARRAY_LEN(units); i++) {
        if (vg_slice_eq_cstr(unit, units[i].name)) {
            if (v > (uint64_t)(INT64_MAX / units[i].ms))
                return VG_ETOOBIG;
            *out = (int64_t)v * units[i].ms;
            return 0;
        }
    }
    return VG_EINVAL;
}

static int bytes_parse(uint64_t *out, const char *s, size_t len)
{
    static const struct {
        const char *name;
        uint64_t mult;
    } units[] = {
        {"", 1},
        {"B", 1},
        {"kB", 1000},
        {"KB", 1000},
        {"MB", 1000000},
        {"GB", 1000000000},
        {"TB", UINT64_C(1000000000000)},
        {"PB", UINT64_C(1000000000000000)},
        {"EB", UINT64_C(1000000000000000000)},
        {"KiB", UINT64_C(1) << 10},
        {"MiB", UINT64_C(1) << 20},
        {"GiB", UINT64_C(1) << 30},
        {"TiB", UINT64_C(1) << 40},
        {"PiB", UINT64_C(1) << 50},
        {"EiB", UINT64_C(1) << 60},
    };
    uint64_t v;
    vg_slice unit;
    int rc = number_unit(&v, s, len, &unit);
    if (rc)
        return rc;
    for (size_t i = 0; i < VG_ARRAY_LEN(units); i++) {
        if (vg_slice_eq_cstr(unit, units[i].name)) {
            if (v > UINT64_MAX / units[i].mult)
                return VG_ETOOBIG;
            *out = v * units[i].mult;
            return 0;
        }
    }
    return VG_EINVAL;
}

static int int_parse(int64_t *out, const char *s, size_t len)
{
    bool neg = len > 0 && s[0] == '-';
    size_t i = len > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    uint64_t u;
    int rc = vg_parse_u64(&u, (vg_slice){s + i, len - i});
    if (rc)
        return rc;
    if (u > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return VG_ETOOBIG;
    *out = neg ? (u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u) : (int64_t)u;
    return 0;
}

static int bool_parse(bool *out, const char *s, size_t len)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < VG_ARRAY_LEN(yes); i++) {
        if (strlen(yes[i]) == len && strncasecmp(s, yes[i], len) == 0) {
            *out = true;
            return 0;
        }
        if (strlen(no[i]) == len && strncasecmp(s, no[i], len) == 0) {
            *out = false;
            return 0;
        }
    }
    return VG_EINVAL;
}

/* Writes `ms` in the largest unit that divides it ("90s", "6h", "1500ms"). */
static void put_duration(vg_strbuf *sb, int64_t ms)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
    for (size_t i = 0; i < VG_ARRAY_LEN(units) && ms > 0; i++) {
        if (ms % units[i].ms == 0) {
            vg_strbuf_printf(sb, "%" PRId64 "%s", ms / units[i].ms, units[i].name);
            return;
        }
    }
    vg_strbuf_printf(sb, "%" PRId64 "ms", ms);
}

static void put_bytes(vg_strbuf *sb, uint64_t v)
{
    static const char *const units[] = {"EiB", "PiB", "TiB", "GiB", "MiB", "KiB"};
    for (size_t i = 0; i < VG_ARRAY_LEN(units) && v > 0; i++) {
        unsigned shift = 10 * (unsigned)(VG_ARRAY_LEN(units) - i);
        if ((v & ((UINT64_C(1) << shift) - 1)) == 0) {
            vg_strbuf_printf(sb, "%" PRIu64 "%s", v >> shift, units[i]);
            return;
        }
    }
    vg_strbuf_printf(sb, "%" PRIu64, v);
}

static bool has_range(const vg_conf_key *k)
{
    return k->min < k->max;
}

/* Writes "must be between MIN and MAX, got 'TEXT'" into `why` and returns VG_EINVAL. */
static int out_of_range(const vg_conf_key *k, const char *s, size_t len, vg_strbuf *why)
{
    vg_strbuf_puts(why, "must be between ");
    if (k->type == VG_CONF_DURATION) {
        put_duration(why, k->min);
        vg_strbuf_puts(why, " and ");
        put_duration(why, k->max);
    } else if (k->type == VG_CONF_BYTES) {
        put_bytes(why, k->min < 0 ? 0 : (uint64_t)k->min);
        vg_strbuf_puts(why, " and ");
        put_bytes(why, k->max < 0 ? 0 : (uint64_t)k->max);
    } else {
        vg_strbuf_printf(why, "%" PRId64 " and %" PRId64, k->min, k->max);
    }
    vg_strbuf_puts(why, ", got ");
    put_quoted(why, s, len);
    return VG_EINVAL;
}

/* Appends a copy of `s` to the list being built in `*list` (`*n` items so far). */
static int list_push(char ***list, size_t *n, const char *s, size_t len, vg_strbuf *why)
{
    if (*n >= VG_CONFIG_MAX_LIST) {
        vg_strbuf_printf(why, "more than %d items", VG_CONFIG_MAX_LIST);
        return VG_ETOOBIG;
    }
    /* Grow in powers of two; the slot after the last item is always the NULL terminator. */
    if ((*n & (*n + 1)) == 0)
        *list = vg_xrealloc(*list, (2 * *n + 2) * sizeof(char *));
    (*list)[*n] = vg_xstrndup(s, len);
    (*list)[++*n] = NULL;
    return 0;
}

/* Converts the text of one value of `k` into `out`. `split` reads a STRLIST as
 * comma-separated items (environment, --set); otherwise the text is one item. On failure the
 * reason goes into `why` ("expected an integer, got 'many'") and VG_EINVAL or VG_ETOOBIG is
 * returned. */
static int convert(const vg_conf_key *k, const char *s, size_t len, bool split, conf_value *out,
                   vg_strbuf *why)
{
    int rc = 0;
    if (memchr(s, '\0', len)) {
        vg_strbuf_puts(why, "contains a NUL byte");
        return VG_EINVAL;
    }
    switch (k->type) {
    case VG_CONF_STRING:
        out->str = vg_xstrndup(s, len);
        return 0;
    case VG_CONF_INT:
        rc = int_parse(&out->i64, s, len);
        if (rc == 0 && has_range(k) && (out->i64 < k->min || out->i64 > k->max))
            return out_of_range(k, s, len, why);
        break;
    case VG_CONF_BOOL:
        rc = bool_parse(&out->b, s, len);
        break;
    case VG_CONF_DURATION:
        rc = duration_parse(&out->i64, s, len);
        if (rc == 0 && has_range(k) && (out->i64 < k->min || out->i64 > k->max))
            return out_of_range(k, s, len, why);
        break;
    case VG_CONF_BYTES:
        rc = bytes_parse(&out->u64, s, len);
        if (rc == 0 && has_range(k) &&
            (k->max < 0 || out->u64 > (uint64_t)k->max ||
             (k->min > 0 && out->u64 < (uint64_t)k->min)))
            return out_of_range(k, s, len, why);
        break;
    case VG_CONF_STRLIST: {
        char **list = vg_xmalloc(sizeof(char *));
        size_t n = 0;
        list[0] = NULL;
        if (!split)
            rc = list_push(&list, &n, s, len, why);
        for (vg_slice rest = {s, len}; split && rc == 0 && rest.ptr;) {
            vg_slice item;
            rest = vg_slice_split(rest, ',', &item);
            item = vg_slice_trim(item);
            if (item.len > 0)
                rc = list_push(&list, &n, item.ptr, item.len, why);
        }
        if (rc) {
            list_free(list);
            return rc;
        }
        out->list = list;
        return 0;
    }
    }
    /* Overflow is a value out of range (VG_EINVAL), not a cap. */
    if (rc == VG_ETOOBIG && (k->type == VG_CONF_INT || all_digits(s, len))) {
        vg_strbuf_puts(why, "number too large: ");
        put_quoted(why, s, len);
        rc = VG_EINVAL;
    } else if (rc == VG_ETOOBIG) {
        vg_strbuf_printf(why, "%s too large: ", k->type == VG_CONF_DURATION ? "duration" : "size");
        put_quoted(why, s, len);
        rc = VG_EINVAL;
    } else if (rc) {
        vg_strbuf_printf(why, "expected %s, got ", type_desc(k->type));
        put_quoted(why, s, len);
        rc = VG_EINVAL;
    }
    return rc;
}

int vg_parse_duration_ms(int64_t *out, const char *s)
{
    int64_t v;
    vg_strbuf sb;
    int rc = duration_parse(&v, s, strlen(s));
    if (rc == 0) {
        *out = v;
        return 0;
    }
    vg_strbuf_init(&sb, 256);
    put_quoted(&sb, s, strlen(s));
    if (rc == VG_ETOOBIG)
        vg_error_set(rc, "duration %s is too large", sb.buf);
    else
        vg_error_set(VG_EINVAL, "invalid duration %s (want e.g. 250ms, 30s, 5m, 6h, 1d)", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc == VG_ETOOBIG ? rc : VG_EINVAL;
}

int vg_parse_bytes(uint64_t *out, const char *s)
{
    uint64_t v;
    vg_strbuf sb;
    int rc = bytes_parse(&v, s, strlen(s));
    if (rc == 0) {
        *out = v;
        return 0;
    }
    vg_strbuf_init(&sb, 256);
    put_quoted(&sb, s, strlen(s));
    if (rc == VG_ETOOBIG)
        vg_error_set(rc, "size %s is too large", sb.buf);
    else
        vg_error_set(VG_EINVAL, "invalid size %s (want e.g. 512, 64KiB, 4MiB, 10MB)", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc == VG_ETOOBIG ? rc : VG_EINVAL;
}

/* ---- the key table ------------------------------------------------------------------- */

static const vg_conf_key *key_find(const vg_conf_key *keys, size_t n, const char *p, size_t len,
                                   size_t *idx)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(keys[i].path) == len && memcmp(keys[i].path, p, len) == 0) {
            *idx = i;
            return &keys[i];
        }
    }
    return NULL;
}

/* Whether p[0..len) is a section: a proper prefix of some key, ending before a '.'. */
static bool is_section(const vg_conf_key *keys, size_t n, const char *p, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(keys[i].path) > len && keys[i].path[len] == '.' &&
            memcmp(keys[i].path, p, len) == 0)
            return true;
    }
    return false;
}

/* ---- the YAML loader ----------------------------------------------------------------- */

static char *memdup(const char *p, size_t len)
{
    char *d = vg_xmalloc(len + 1);
    memcpy(d, p, len);
    d[len] = '\0';
    return d;
}

typedef struct unknown_key {
    size_t line;
    char *path; /* not NUL-terminated: keys may hold NUL bytes */
    size_t len;
} unknown_key;

typedef struct section_seen {
    char *path;
    size_t len;
    size_t line;
} section_seen;

typedef struct loader {
    const vg_conf_key *keys;
    size_t n;
    const char *name;
    yaml_parser_t parser;
    yaml_event_t ev;
    bool have_ev;
    size_t nodes;
    int depth;
    char path[VG_CONFIG_MAX_PATH + 1];
    size_t path_len;
    pending *pend; /* one per key */
    unknown_key *unknown;
    size_t n_unknown;
    section_seen *sections; /* sections met so far, for duplicates */
    size_t n_sections;
} loader;

static int fail_at(loader *ld, yaml_mark_t mark, int code, const char *fmt, ...) VG_PRINTF(4, 5);

static int fail_at(loader *ld, yaml_mark_t mark, int code, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 1024);
    vg_strbuf_printf(&sb, "%s:%zu:%zu: ", ld->name, mark.line + 1, mark.column + 1);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    vg_error_set(code, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return code;
}

/* The current path, quoted and escaped for a message; valid until the next call. */
static const char *path_shown(loader *ld, vg_strbuf *sb)
{
    vg_strbuf_reset(sb);
    vg_strbuf_put_escaped(sb, ld->path, ld->path_len, VG_CONFIG_MAX_PATH);
    return sb->buf;
}

static int syntax_error(loader *ld)
{
    yaml_parser_t *p = &ld->parser;
    if (p->error == YAML_MEMORY_ERROR)
        abort(); /* vigil aborts on OOM (vg_xmalloc) */
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_READER_ERROR)
        return vg_error_set(VG_EINVAL, "%s: byte %zu: invalid input: %s", ld->name,
                            p->problem_offset, problem);
    if (p->context)
        return fail_at(ld, p->problem_mark, VG_EINVAL, "YAML syntax error: %s (%s at line %zu)",
                       problem, p->context, p->context_mark.line + 1);
    return fail_at(ld, p->problem_mark, VG_EINVAL, "YAML syntax error: %s", problem);
}

/* Moves to the next event, enforcing the node cap and refusing anchors and aliases. */
static int next(loader *ld)
{
    if (ld->have_ev)
        yaml_event_delete(&ld->ev);
    ld->have_ev = false;
    if (!yaml_parser_parse(&ld->parser, &ld->ev))
        return syntax_error(ld);
    ld->have_ev = true;
    const yaml_event_t *e = &ld->ev;
    const yaml_char_t *anchor = NULL;
    switch (e->type) {
    case YAML_ALIAS_EVENT:
        return fail_at(ld, e->start_mark, VG_EINVAL, "YAML aliases are not allowed");
    case YAML_SCALAR_EVENT:
        anchor = e->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = e->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = e->data.mapping_start.anchor;
        break;
    default:
        return 0;
    }
    if (anchor)
        return fail_at(ld, e->start_mark, VG_EINVAL, "YAML anchors are not allowed");
    if (++ld->nodes > VG_CONFIG_MAX_NODES)
        return fail_at(ld, e->start_mark, VG_ETOOBIG, "more than %d YAML nodes",
                       VG_CONFIG_MAX_NODES);
    return 0;
}

/* Enters a mapping or sequence (the current event), enforcing the depth cap. */
static int enter(loader *ld)
{
    if (++ld->depth > VG_CONFIG_MAX_DEPTH)
        return fail_at(ld, ld->ev.start_mark, VG_ETOOBIG, "nested deeper than %d levels",
                       VG_CONFIG_MAX_DEPTH);
    return 0;
}

static bool is_null(const yaml_event_t *e)
{
    if (e->type != YAML_SCALAR_EVENT || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)e->data.scalar.value;
    size_t len = e->data.scalar.length;
    return len == 0 || (len == 1 && v[0] == '~') ||
           (len == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) || !memcmp(v, "NULL", 4)));
}

static const char *node_kind(const yaml_event_t *e)
{
    return e->type == YAML_MAPPING_START_EVENT ? "a mapping" : "a sequence";
}

/* Skips the value at the current event (an unknown key's), still checking the caps. */
static int skip(loader *ld)
{
    if (ld->ev.type == YAML_SCALAR_EVENT)
        return 0;
    int base = ld->depth, rc = enter(ld);
    while (rc == 0 && ld->depth > base) {
        rc = next(ld);
        if (rc)
            break;
        if (ld->ev.type == YAML_MAPPING_START_EVENT || ld->ev.type == YAML_SEQUENCE_START_EVENT)
            rc = enter(ld);
        else if (ld->ev.type == YAML_MAPPING_END_EVENT || ld->ev.type == YAML_SEQUENCE_END_EVENT)
            ld->depth--;
    }
    return rc;
}

/* The value of leaf key `idx` is the current event. */
static int leaf(loader *ld, size_t idx, yaml_mark_t key_mark)
{
    const vg_conf_key *k = &ld->keys[idx];
    pending *p = &ld->pend[idx];
    vg_strbuf why, shown;
    vg_strbuf_init(&why, 512);
    vg_strbuf_init(&shown, 1024);
    int rc = 0;
    yaml_event_t *e = &ld->ev;
    if (p->line) {
        rc = fail_at(ld, key_mark, VG_EINVAL, "duplicate key '%s' (first at line %zu)",
                     path_shown(ld, &shown), p->line);
    } else if (e->type == YAML_SCALAR_EVENT) {
        p->line = key_mark.line + 1;
        if (!is_null(e)) {
            rc = convert(k, (const char *)e->data.scalar.value, e->data.scalar.length, false, &p->v,
                         &why);
            p->set = rc == 0;
        }
    } else if (e->type == YAML_MAPPING_START_EVENT || k->type != VG_CONF_STRLIST) {
        vg_strbuf_printf(&why, "expected %s, got %s", type_desc(k->type), node_kind(e));
        rc = VG_EINVAL;
    } else { /* a sequence for a STRLIST */
        p->line = key_mark.line + 1;
        char **list = vg_xmalloc(sizeof(char *));
        size_t n = 0;
        list[0] = NULL;
        rc = enter(ld);
        while (rc == 0 && (rc = next(ld)) == 0 && e->type != YAML_SEQUENCE_END_EVENT) {
            if (e->type != YAML_SCALAR_EVENT) {
                vg_strbuf_printf(&why, "list items must be strings, got %s", node_kind(e));
                rc = VG_EINVAL;
            } else if (is_null(e)) {
                vg_strbuf_puts(&why, "list items must be strings, got null");
                rc = VG_EINVAL;
            } else if (memchr(e->data.scalar.value, '\0', e->data.scalar.length)) {
                vg_strbuf_puts(&why, "contains a NUL byte");
                rc = VG_EINVAL;
            } else {
                rc = list_push(&list, &n, (const char *)e->data.scalar.value, e->data.scalar.length,
                               &why);
            }
        }
        if (rc == 0) {
            ld->depth--;
            p->v.list = list;
            p->set = true;
        } else {
            list_free(list);
        }
    }
    if (rc && why.len > 0)
        fail_at(ld, e->start_mark, rc, "%s: %s", path_shown(ld, &shown), why.buf);
    vg_strbuf_dispose(&why);
    vg_strbuf_dispose(&shown);
    return rc;
}

static int mapping(loader *ld);

/* The value of a section (a prefix of keys) is the current event: a mapping or null. */
static int section(loader *ld, yaml_mark_t key_mark)
{
    vg_strbuf shown;
    vg_strbuf_init(&shown, 1024);
    int rc = 0;
    const yaml_event_t *e = &ld->ev;
    for (size_t i = 0; i < ld->n_sections; i++) {
        section_seen *s = &ld->sections[i];
        if (s->len == ld->path_len && memcmp(s->path, ld->path, s->len) == 0) {
            rc = fail_at(ld, key_mark, VG_EINVAL, "duplicate key '%s' (first at line %zu)",
                         path_shown(ld, &shown), s->line);
            break;
        }
    }
    if (rc == 0 && e->type == YAML_SCALAR_EVENT && !is_null(e)) {
        vg_strbuf why;
        vg_strbuf_init(&why, 256);
        put_quoted(&why, (const char *)e->data.scalar.value, e->data.scalar.length);
        rc = fail_at(ld, e->start_mark, VG_EINVAL, "%s: is a section, expected a mapping, got %s",
                     path_shown(ld, &shown), why.buf);
        vg_strbuf_dispose(&why);
    } else if (rc == 0 && e->type == YAML_SEQUENCE_START_EVENT) {
        rc =
            fail_at(ld, e->start_mark, VG_EINVAL,
                    "%s: is a section, expected a mapping, got a sequence", path_shown(ld, &shown));
    }
    vg_strbuf_dispose(&shown);
    if (rc)
        return rc;
    /* Sections are bounded by the key table, so this list stays short. */
    ld->sections = vg_xrealloc(ld->sections, (ld->n_sections + 1) * sizeof(*ld->sections));
    ld->sections[ld->n_sections++] =
        (section_seen){memdup(ld->path, ld->path_len), ld->path_len, key_mark.line + 1};
    if (e->type == YAML_MAPPING_START_EVENT)
        return mapping(ld);
    return 0;
}

/* Reads the entries of the mapping whose start is the current event, at the current path. */
static int mapping(loader *ld)
{
    int rc = enter(ld);
    size_t base = ld->path_len;
    while (rc == 0 && (rc = next(ld)) == 0 && ld->ev.type != YAML_MAPPING_END_EVENT) {
        const yaml_event_t *e = &ld->ev;
        if (e->type != YAML_SCALAR_EVENT) {
            rc = fail_at(ld, e->start_mark, VG_EINVAL, "mapping keys must be scalars, got %s",
                         node_kind(e));
            break;
        }
        size_t klen = e->data.scalar.length;
        yaml_mark_t key_mark = e->start_mark;
        if (klen + (base ? 1 : 0) > VG_CONFIG_MAX_PATH - base) {
            rc = fail_at(ld, e->start_mark, VG_ETOOBIG, "key path longer than %d bytes",
                         VG_CONFIG_MAX_PATH);
            break;
        }
        if (base)
            ld->path[ld->path_len++] = '.';
        memcpy(ld->path + ld->path_len, e->data.scalar.value, klen);
        ld->path_len += klen;
        ld->path[ld->path_len] = '\0';
        rc = next(ld);
        if (rc)
            break;
        size_t idx;
        if (key_find(ld->keys, ld->n, ld->path, ld->path_len, &idx)) {
            rc = leaf(ld, idx, key_mark);
        } else if (is_section(ld->keys, ld->n, ld->path, ld->path_len)) {
            rc = section(ld, key_mark);
        } else {
            ld->unknown = vg_xrealloc(ld->unknown, (ld->n_unknown + 1) * sizeof(*ld->unknown));
            ld->unknown[ld->n_unknown++] =
                (unknown_key){key_mark.line + 1, memdup(ld->path, ld->path_len), ld->path_len};
            rc = skip(ld);
        }
        ld->path_len = base;
        ld->path[base] = '\0';
    }
    if (rc == 0)
        ld->depth--;
    return rc;
}

static int document(loader *ld)
{
    int rc = next(ld);
    if (rc)
        return rc;
    if (ld->ev.type == YAML_STREAM_END_EVENT) /* an empty file */
        return 0;
    /* DOCUMENT_START, then the root node. */
    if ((rc = next(ld)) != 0)
        return rc;
    if (ld->ev.type == YAML_MAPPING_START_EVENT)
        rc = mapping(ld);
    else if (!is_null(&ld->ev))
        rc = fail_at(ld, ld->ev.start_mark, VG_EINVAL,
                     "the top level must be a mapping of keys, got %s",
                     ld->ev.type == YAML_SCALAR_EVENT ? "a scalar" : "a sequence");
    if (rc == 0)
        rc = next(ld); /* DOCUMENT_END */
    if (rc == 0)
        rc = next(ld);
    if (rc == 0 && ld->ev.type != YAML_STREAM_END_EVENT)
        rc = fail_at(ld, ld->ev.start_mark, VG_EINVAL, "only one YAML document is allowed");
    return rc;
}

static int report_unknown(loader *ld)
{
    vg_strbuf msg, line;
    vg_strbuf_init(&msg, 1024);
    vg_strbuf_init(&line, 1024);
    size_t shown = 0;
    for (; shown < ld->n_unknown; shown++) {
        const unknown_key *u = &ld->unknown[shown];
        vg_strbuf_reset(&line);
        vg_strbuf_printf(&line, "%s%s:%zu: unknown key '", shown ? "\n" : "", ld->name, u->line);
        vg_strbuf_put_escaped(&line, u->path, u->len, SHOW_MAX * 2);
        vg_strbuf_putc(&line, '\'');
        if (msg.len + line.len > UNKNOWN_MSG_MAX && shown > 0)
            break;
        vg_strbuf_append(&msg, line.buf, line.len);
    }
    if (shown < ld->n_unknown)
        vg_strbuf_printf(&msg, "\n(and %zu more unknown keys)", ld->n_unknown - shown);
    int rc = vg_error_set(VG_EINVAL, "%s", msg.buf);
    vg_strbuf_dispose(&msg);
    vg_strbuf_dispose(&line);
    return rc;
}

/* Frees the uncommitted values of `pend` (one per key). */
static void pending_free(const vg_conf_key *keys, size_t n, pending *pend)
{
    for (size_t i = 0; i < n; i++) {
        if (pend[i].set)
            value_free(&keys[i], &pend[i].v);
    }
    free(pend);
}

static void commit(void *settings, const vg_conf_key *keys, size_t n, pending *pend)
{
    for (size_t i = 0; i < n; i++) {
        if (pend[i].set) {
            value_commit(settings, &keys[i], pend[i].v);
            pend[i].set = false;
        }
    }
}

int vg_config_load_buffer(void *settings, const vg_conf_key *keys, size_t n, const char *buf,
                          size_t len, const char *name)
{
    if (len > VG_CONFIG_MAX_BYTES)
        return vg_error_set(VG_ETOOBIG, "%s: %zu bytes, over the %zu-byte cap", name, len,
                            VG_CONFIG_MAX_BYTES);
    loader *ld = vg_xcalloc(1, sizeof(*ld));
    ld->keys = keys;
    ld->n = n;
    ld->name = name;
    ld->pend = vg_xcalloc(n ? n : 1, sizeof(pending));
    if (!yaml_parser_initialize(&ld->parser))
        abort();
    yaml_parser_set_input_string(&ld->parser, (const unsigned char *)buf, len);
    int rc = next(ld); /* STREAM_START */
    if (rc == 0)
        rc = document(ld);
    if (rc == 0 && ld->n_unknown > 0)
        rc = report_unknown(ld);
    if (rc == 0)
        commit(settings, keys, n, ld->pend);
    if (ld->have_ev)
        yaml_event_delete(&ld->ev);
    yaml_parser_delete(&ld->parser);
    pending_free(keys, n, ld->pend);
    for (size_t i = 0; i < ld->n_unknown; i++)
        free(ld->unknown[i].path);
    free(ld->unknown);
    for (size_t i = 0; i < ld->n_sections; i++)
        free(ld->sections[i].path);
    free(ld->sections);
    free(ld);
    return rc;
}

int vg_config_load(void *settings, const vg_conf_key *keys, size_t n, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return vg_error_set(e == ENOENT ? VG_ENOTFOUND : VG_EIO, "%s: %s", path, strerror(e));
    }
    /* Read at most one byte past the cap: enough to know the file is too big. */
    size_t cap = 64 << 10, len = 0;
    char *buf = vg_xmalloc(cap);
    int rc = 0;
    for (;;) {
        if (len == cap) {
            if (cap > VG_CONFIG_MAX_BYTES)
                break;
            cap = cap * 2 > VG_CONFIG_MAX_BYTES + 1 ? VG_CONFIG_MAX_BYTES + 1 : cap * 2;
            buf = vg_xrealloc(buf, cap);
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = vg_error_set(VG_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    if (rc == 0 && len > VG_CONFIG_MAX_BYTES)
        rc = vg_error_set(VG_ETOOBIG, "%s: over the %zu-byte cap", path, VG_CONFIG_MAX_BYTES);
    if (rc == 0)
        rc = vg_config_load_buffer(settings, keys, n, buf, len, path);
    free(buf);
    return rc;
}

/* ---- environment and flags ----------------------------------------------------------- */

/* "http.listen" -> "VIGIL_HTTP_LISTEN"; the caller frees. */
static char *env_name(const char *path)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_puts(&sb, "VIGIL_");
    for (const char *p = path; *p; p++) {
        char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            c = '_';
        vg_strbuf_putc(&sb, c);
    }
    return vg_strbuf_detach(&sb);
}

int vg_config_apply_env(void *settings, const vg_conf_key *keys, size_t n)
{
    pending *pend = vg_xcalloc(n ? n : 1, sizeof(pending));
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *var = env_name(keys[i].path);
        const char *v = getenv(var);
        if (v) {
            vg_strbuf why;
            vg_strbuf_init(&why, 512);
            rc = convert(&keys[i], v, strlen(v), true, &pend[i].v, &why);
            if (rc)
                vg_error_set(rc, "%s: %s", var, why.buf);
            else
                pend[i].set = true;
            vg_strbuf_dispose(&why);
        }
        free(var);
    }
    if (rc == 0)
        commit(settings, keys, n, pend);
    pending_free(keys, n, pend);
    return rc;
}

int vg_config_set(void *settings, const vg_conf_key *keys, size_t n, const char *path,
                  const char *value)
{
    size_t idx;
    const vg_conf_key *k = key_find(keys, n, path, strlen(path), &idx);
    vg_strbuf why;
    vg_strbuf_init(&why, 512);
    int rc;
    if (!k) {
        put_quoted(&why, path, strlen(path));
        rc = vg_error_set(VG_ENOTFOUND, "unknown key %s", why.buf);
    } else {
        conf_value v;
        rc = convert(k, value, strlen(value), true, &v, &why);
        if (rc)
            vg_error_set(rc, "%s: %s", k->path, why.buf);
        else
            value_commit(settings, k, v);
    }
    vg_strbuf_dispose(&why);
    return rc;
}

void vg_config_dispose(void *settings, const vg_conf_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        void *f = field(settings, &keys[i]);
        if (keys[i].type == VG_CONF_STRING) {
            free(*(char **)f);
            *(char **)f = NULL;
        } else if (keys[i].type == VG_CONF_STRLIST) {
            list_free(*(char ***)f);
            *(char ***)f = NULL;
        }
    }
}
