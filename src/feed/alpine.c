/* alpine.c — the Alpine updater of src/feed/: secdb JSON, one document per branch and
 * repository (secdb.alpinelinux.org/v3.X/{main,community}.json), secfixes by origin package.
 * Each listed fix becomes one affected record; the framework merges records of the same id
 * across packages, repositories and branches into one advisory per id. */
#include "feed_int.h"
#include "version/version.h"

#include <stdio.h>
#include <string.h>

/*
 * Mapping decisions:
 * - Namespace "alpine:3.X" from the document's distroversion ("v3.10" → "3.10"), or, when
 *   it has none, from a "/v3.X/" (or "/edge/") segment of its URL.
 * - Package: pkg.name, the origin (source) package, scheme apk.
 * - A secfixes key "0" → not-affected; any other key V → fixed (introduced 0, fixed V). A
 *   version apk-tools would not parse drops that record (ctx->skipped).
 * - Ids: secfixes entries are free text in places ("CVE-2018-3639   XSA-263",
 *   "CVE-2017-16808 (AoE)", "CVE-????-?????  XSA-295"). The entry is split at blanks;
 *   tokens in parentheses are comments; a token shaped like an id (letters, '-', then
 *   letters, digits, '.', '_', ':' or '-') counts. The first one is the advisory id, the
 *   others its aliases. An entry with no such token is dropped (ctx->skipped).
 * - Also accepted: a single package record with its own distroversion (the per-package
 *   files of vuln-list), as one document.
 * - No severity in secdb: Unknown. Link: security.alpinelinux.org/vuln/<CVE>.
 */

#define SRC "alpine"

/* Branches v3.3 … v3.22, main and community. The shared test data covers v3.3–v3.11 (and
 * subsets of v3.14, v3.18); missing branches in a mirror are skipped (optional_urls). */
#define BRANCH(v)                                                                                  \
    "https://secdb.alpinelinux.org/v" v "/main.json",                                              \
        "https://secdb.alpinelinux.org/v" v "/community.json"
static const char *const alpine_urls[] = {
    BRANCH("3.3"),  BRANCH("3.4"),  BRANCH("3.5"),  BRANCH("3.6"),  BRANCH("3.7"),  BRANCH("3.8"),
    BRANCH("3.9"),  BRANCH("3.10"), BRANCH("3.11"), BRANCH("3.12"), BRANCH("3.13"), BRANCH("3.14"),
    BRANCH("3.15"), BRANCH("3.16"), BRANCH("3.17"), BRANCH("3.18"), BRANCH("3.19"), BRANCH("3.20"),
    BRANCH("3.21"), BRANCH("3.22"), NULL,
};

typedef struct parse_state {
    vg_feed_ctx *ctx;
    vg_strbuf path;
    const char *ns;
} parse_state;

static int type_error(parse_state *st, const json_t *j, const char *want)
{
    return vg__feed_fail(st->ctx, SRC, VG_EINVAL, st->path.buf, "expected %s, got %s", want,
                         vg__json_type_name(j, false));
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "CVE-2019-1234", "XSA-263", "TALOS-2017-0488", "GHSA-xxxx-xxxx-xxxx". */
static bool id_shaped(vg_slice t)
{
    size_t i = 0;
    while (i < t.len && is_alpha(t.ptr[i]))
        i++;
    if (i == 0 || i >= t.len || t.ptr[i] != '-' || i + 1 >= t.len)
        return false;
    for (i++; i < t.len; i++) {
        char c = t.ptr[i];
        if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '_' && c != ':' && c != '-')
            return false;
    }
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Splits a secfixes entry into its id and aliases (arena). Returns false if none. */
static bool split_ids(const char **id, const char ***aliases, size_t *n_aliases,
                      const vg_feed_ctx *ctx, const char *entry)
{
    size_t n = strlen(entry), i = 0, count = 0;
    const char *toks[16];
    size_t lens[16];
    while (i < n && count < VG_ARRAY_LEN(toks)) {
        while (i < n && is_blank(entry[i]))
            i++;
        size_t s = i;
        while (i < n && !is_blank(entry[i]))
            i++;
        vg_slice t = {entry + s, i - s};
        if (t.len == 0 || t.ptr[0] == '(')
            continue;
        if (id_shaped(t)) {
            toks[count] = t.ptr;
            lens[count] = t.len;
            count++;
        }
    }
    if (count == 0)
        return false;
    *id = vg_arena_strndup(ctx->arena, toks[0], lens[0]);
    *n_aliases = count - 1;
    *aliases = NULL;
    if (count > 1) {
        *aliases = vg_arena_alloc(ctx->arena, (count - 1) * sizeof(char *));
        for (size_t k = 1; k < count; k++)
            (*aliases)[k - 1] = vg_arena_strndup(ctx->arena, toks[k], lens[k]);
    }
    return true;
}

/* "alpine:3.10" from "v3.10" / "3.10" / "edge". */
static const char *ns_from_version(const vg_feed_ctx *ctx, const char *v)
{
    if (v[0] == 'v')
        v++;
    size_t n = strlen(v);
    char *out = vg_arena_alloc(ctx->arena, n + 8);
    snprintf(out, n + 8, "alpine:%s", v);
    return out;
}

/* The branch named by a "/v3.X/" or "/edge/" segment of the document's URL, or NULL. */
static const char *ns_from_url(const vg_feed_ctx *ctx)
{
    const char *u = ctx->url ? ctx->url : "";
    for (const char *p = strchr(u, '/'); p; p = strchr(p + 1, '/')) {
        const char *q = p + 1;
        if (strncmp(q, "edge/", 5) == 0)
            return ns_from_version(ctx, "edge");
        if (q[0] != 'v' || !is_digit(q[1]))
            continue;
        size_t k = 1;
        while (is_digit(q[k]))
            k++;
        if (q[k] != '.' || !is_digit(q[k + 1]))
            continue;
        k++;
        while (is_digit(q[k]))
            k++;
        if (q[k] != '/')
            continue;
        char v[32];
        if (k >= sizeof(v))
            continue;
        memcpy(v, q, k);
        v[k] = '\0';
        return ns_from_version(ctx, v);
    }
    return NULL;
}

static int emit_fix(parse_state *st, const char *pkg, const char *version, const char *entry)
{
    vg_feed_ctx *ctx = st->ctx;
    vg_advisory adv;
    memset(&adv, 0, sizeof(adv));
    if (!split_ids(&adv.id, &adv.aliases, &adv.n_aliases, ctx, entry)) {
        ctx->skipped++;
        return 0;
    }
    vg_affected *af = vg__feed_alloc(ctx, sizeof(*af));
    af->ns = st->ns;
    af->package = pkg;
    af->source_pkg = true;
    af->scheme = "apk";
    if (strcmp(version, "0") == 0) {
        af->status = VG_STATUS_NOT_AFFECTED;
    } else {
        if (vg_version_check(VG_SCHEME_APK, version) != 0) {
            vg_error_clear();
            ctx->skipped++;
            return 0;
        }
        vg_event *ev = vg__feed_alloc(ctx, 2 * sizeof(*ev));
        ev[0] = (vg_event){VG_EVENT_INTRODUCED, "0"};
        ev[1] = (vg_event){VG_EVENT_FIXED, version};
        af->status = VG_STATUS_FIXED;
        af->events = ev;
        af->n_events = 2;
    }
    adv.source = SRC;
    adv.affected = af;
    adv.n_affected = 1;
    adv.severity = VG_SEV_UNKNOWN;
    if (strncmp(adv.id, "CVE-", 4) == 0) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 1024);
        vg_strbuf_printf(&sb, "https://security.alpinelinux.org/vuln/%s", adv.id);
        const char **links = vg__feed_alloc(ctx, sizeof(char *));
        links[0] = vg__feed_strdup(ctx, sb.buf);
        vg_strbuf_dispose(&sb);
        adv.links = links;
        adv.n_links = 1;
    }
    return ctx->emit(ctx, &adv);
}

/* One {"name": ..., "secfixes": {...}} object; st->path points at it. */
static int one_package(parse_state *st, const json_t *pkg)
{
    if (!json_is_object(pkg))
        return type_error(st, pkg, "an object");
    size_t base = st->path.len;
    json_t *name = json_object_get(pkg, "name");
    vg__jpath_key(&st->path, "name");
    if (!name)
        return vg__feed_fail(st->ctx, SRC, VG_EINVAL, st->path.buf, "missing");
    if (!json_is_string(name) || json_string_length(name) == 0)
        return type_error(st, name, "a non-empty string");
    vg__jpath_cut(&st->path, base);
    const char *pname = vg__feed_strdup(st->ctx, json_string_value(name));
    json_t *fixes = json_object_get(pkg, "secfixes");
    if (!fixes || json_is_null(fixes))
        return 0;
    vg__jpath_key(&st->path, "secfixes");
    if (!json_is_object(fixes))
        return type_error(st, fixes, "an object");
    size_t mark = st->path.len;
    const char *ver;
    json_t *ids;
    json_object_foreach(fixes, ver, ids)
    {
        vg__jpath_key(&st->path, ver);
        if (json_is_null(ids)) {
            vg__jpath_cut(&st->path, mark);
            continue;
        }
        if (!json_is_array(ids))
            return type_error(st, ids, "an array");
        const char *v = vg__feed_strdup(st->ctx, ver);
        size_t imark = st->path.len;
        for (size_t i = 0; i < json_array_size(ids); i++) {
            json_t *id = json_array_get(ids, i);
            vg__jpath_index(&st->path, i);
            if (!json_is_string(id))
                return type_error(st, id, "a string");
            int rc = emit_fix(st, pname, v, json_string_value(id));
            if (rc)
                return rc;
            vg__jpath_cut(&st->path, imark);
        }
        vg__jpath_cut(&st->path, mark);
    }
    vg__jpath_cut(&st->path, base);
    return 0;
}

static int parse_doc(parse_state *st, const json_t *root)
{
    vg_feed_ctx *ctx = st->ctx;
    vg_strbuf_puts(&st->path, "$");
    if (!json_is_object(root))
        return type_error(st, root, "an object");
    json_t *dv = json_object_get(root, "distroversion");
    if (dv && !json_is_null(dv)) {
        vg__jpath_key(&st->path, "distroversion");
        if (!json_is_string(dv) || json_string_length(dv) == 0)
            return type_error(st, dv, "a non-empty string");
        vg__jpath_cut(&st->path, 1);
        st->ns = ns_from_version(ctx, json_string_value(dv));
    } else {
        st->ns = ns_from_url(ctx);
        if (!st->ns)
            return vg__feed_fail(ctx, SRC, VG_EINVAL, "$.distroversion",
                                 "missing, and the URL names no branch (/v3.X/)");
    }
    json_t *pkgs = json_object_get(root, "packages");
    if (!pkgs && json_object_get(root, "secfixes"))
        return one_package(st, root); /* a single package record */
    vg__jpath_key(&st->path, "packages");
    if (!pkgs)
        return vg__feed_fail(ctx, SRC, VG_EINVAL, st->path.buf, "missing");
    if (!json_is_array(pkgs))
        return type_error(st, pkgs, "an array");
    size_t mark = st->path.len;
    for (size_t i = 0; i < json_array_size(pkgs); i++) {
        json_t *item = json_array_get(pkgs, i);
        vg__jpath_index(&st->path, i);
        if (!json_is_object(item))
            return type_error(st, item, "an object");
        json_t *pkg = json_object_get(item, "pkg");
        vg__jpath_key(&st->path, "pkg");
        if (!pkg)
            return vg__feed_fail(ctx, SRC, VG_EINVAL, st->path.buf, "missing");
        int rc = one_package(st, pkg);
        if (rc)
            return rc;
        vg__jpath_cut(&st->path, mark);
    }
    return 0;
}

static int parse(vg_feed_ctx *ctx, const char *buf, size_t len)
{
    json_t *root;
    int rc = vg__feed_json_load(&root, ctx, SRC, buf, len);
    if (rc)
        return rc;
    parse_state st = {.ctx = ctx};
    vg_strbuf_init(&st.path, 4096);
    rc = parse_doc(&st, root);
    vg_strbuf_dispose(&st.path);
    json_decref(root);
    return rc;
}

const vg_updater vg__updater_alpine = {
    .name = "alpine",
    .urls = alpine_urls,
    .parse = parse,
    .optional_urls = true,
};
