/* npm.c — the npm scanner of src/index/: installed packages, one per
 * node_modules/<name>/package.json (scoped: node_modules/@scope/<name>/package.json), and the
 * packages a package-lock.json or npm-shrinkwrap.json (lockfileVersion 1, 2 or 3) records,
 * for project directories scanned with rootfs:. JSON goes through jansson. */
#include "index_int.h"

#include <jansson.h>
#include <string.h>

/*
 * package.json: the "name" and "version" strings. A package.json without both (or with a
 * non-string one) gives an empty database: real node_modules trees hold such files, and the
 * empty database still hides a lower layer's copy of the path. Text that is not JSON is
 * VG_EINVAL "<path>:<line>:<column>: <jansson's message>"; the walker skips the file with a
 * warning (the scanner is best-effort), so one odd file never fails an index.
 *
 * Lockfiles found outside any node_modules directory: lockfileVersion >= 2 with a "packages"
 * object is read from "packages" (v2 also carries the v1 tree; it is ignored), else the v1
 * "dependencies" tree, recursively. Entries: the root ("") and keys outside node_modules
 * (workspace sources) are skipped, as are links ("link": true) and entries whose version is
 * not a registry version (git, file: or URL specs: a ':' or '/' in it); a v1 alias version
 * "npm:<name>@<version>" names the real package. Dev and optional dependencies are reported
 * too (what `npm ls --all` lists for an installed project). Each name+version is reported
 * once. Recursion in v1 trees is bounded by jansson's nesting cap (2048 levels).
 *
 * De-duplication with installed trees (in coalesce.c): a lockfile's packages are dropped
 * when node_modules/ beside it holds any surviving package.json — the installed tree is what
 * runs, so it wins; a lockfile alone (a source checkout) is reported as it is.
 */

#define NPM_MAX_NAME 214    /* npm's own limit on a package name */
#define NPM_MAX_VERSION 256 /* version bytes */

static bool is_lockfile_name(const char *base)
{
    return strcmp(base, "package-lock.json") == 0 || strcmp(base, "npm-shrinkwrap.json") == 0;
}

/* True when some directory component of `path` (before its last one) is node_modules. */
static bool inside_node_modules(const char *path)
{
    const char *p = path;
    for (;;) {
        const char *slash = strchr(p, '/');
        if (!slash)
            return false;
        if ((size_t)(slash - p) == 12 && memcmp(p, "node_modules", 12) == 0)
            return true;
        p = slash + 1;
    }
}

/* A package directory name: not empty, not starting with '.' (node_modules/.bin, .cache)
 * nor '@' (a scope directory holds packages, it is not one). */
static bool pkg_dir_name(const char *s, size_t n)
{
    return n > 0 && s[0] != '.' && s[0] != '@' && !memchr(s, '/', n);
}

/* node_modules/<name>/package.json or node_modules/@scope/<name>/package.json, at the end. */
static bool is_installed_manifest(const char *path)
{
    static const char suffix[] = "/package.json";
    size_t n = strlen(path), k = sizeof(suffix) - 1;
    if (n <= k || strcmp(path + n - k, suffix) != 0)
        return false;
    const char *end = path + n - k; /* end of the package dir */
    const char *name = end;
    while (name > path && name[-1] != '/')
        name--;
    if (!pkg_dir_name(name, (size_t)(end - name)) || name == path)
        return false;
    const char *parent_end = name - 1, *parent = parent_end;
    while (parent > path && parent[-1] != '/')
        parent--;
    size_t plen = (size_t)(parent_end - parent);
    if (plen == 12 && memcmp(parent, "node_modules", 12) == 0)
        return true;
    /* @scope/<name>: one more level up must be node_modules. */
    if (plen < 2 || parent[0] != '@' || parent == path)
        return false;
    const char *gp_end = parent - 1, *gp = gp_end;
    while (gp > path && gp[-1] != '/')
        gp--;
    return (size_t)(gp_end - gp) == 12 && memcmp(gp, "node_modules", 12) == 0;
}

static bool wants(const char *path)
{
    if (is_installed_manifest(path))
        return true;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    return is_lockfile_name(base) && !inside_node_modules(path);
}

static int json_error(const char *path, const json_error_t *err)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, path, strlen(path), 1024);
    vg_strbuf_printf(&sb, ":%d:%d: not JSON: ", err->line, err->column);
    vg_strbuf_put_escaped(&sb, err->text, strlen(err->text), 200);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

static bool printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return false;
    return true;
}

static bool valid_name(const char *s, size_t n)
{
    return n > 0 && n <= NPM_MAX_NAME && printable(s, n);
}

/* A registry version: no blanks, and none of the ':' or '/' of git, file: and URL specs. */
static bool registry_version(const char *s, size_t n)
{
    return n > 0 && n <= NPM_MAX_VERSION && printable(s, n) && !memchr(s, ':', n) &&
           !memchr(s, '/', n);
}

typedef struct npm_ctx {
    vg_layer_result *r;
    vg_pkgdb *db;
    const vg_index_limits *lim;
    vg_strbuf scope; /* work buffers for purls */
    vg_strbuf name;
} npm_ctx;

/* Adds name@version with its purl: pkg:npm/%40scope/name@version, the purl's namespace and
 * name lowercased as the purl spec says for npm (the package keeps its own spelling). */
static int add_pkg(npm_ctx *c, const char *name, size_t nlen, const char *version, size_t vlen)
{
    vg_strbuf_reset(&c->name);
    vg_strbuf_append(&c->name, name, nlen);
    vg_strbuf ver;
    vg_strbuf_init(&ver, 0);
    vg_strbuf_append(&ver, version, vlen);
    int rc;
    vg_package *p = vg__pkgdb_add_lang(c->r, c->db, c->name.buf, ver.buf, c->lim->max_pkgs, &rc);
    if (p) {
        for (size_t i = 0; i < c->name.len; i++)
            if (c->name.buf[i] >= 'A' && c->name.buf[i] <= 'Z')
                c->name.buf[i] = (char)(c->name.buf[i] - 'A' + 'a');
        char *slash = c->name.buf[0] == '@' ? strchr(c->name.buf, '/') : NULL;
        vg_strbuf_reset(&c->scope);
        if (slash) {
            vg_strbuf_append(&c->scope, c->name.buf, (size_t)(slash - c->name.buf));
            p->purl = vg__purl(c->r, "npm", c->scope.buf, slash + 1, ver.buf, NULL, 0);
        } else {
            p->purl = vg__purl(c->r, "npm", NULL, c->name.buf, ver.buf, NULL, 0);
        }
    }
    vg_strbuf_dispose(&ver);
    return rc;
}

static bool str_of(json_t *obj, const char *key, const char **s, size_t *n)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return false;
    *s = json_string_value(v);
    *n = json_string_length(v);
    return true;
}

/* One lockfile entry: `name` is what its key says (the part of a v2/v3 install path after
 * the last node_modules/, or a v1 dependency key); the entry's own "name" overrides it. */
static int lock_entry(npm_ctx *c, const char *name, size_t nlen, json_t *e)
{
    if (!json_is_object(e) || json_is_true(json_object_get(e, "link")))
        return 0;
    const char *v, *real;
    size_t vlen, rlen;
    if (!str_of(e, "version", &v, &vlen))
        return 0;
    if (str_of(e, "name", &real, &rlen)) {
        name = real;
        nlen = rlen;
    }
    /* v1 alias: "npm:<name>@<version>". */
    if (vlen > 4 && memcmp(v, "npm:", 4) == 0) {
        const char *spec = v + 4, *at = NULL;
        for (size_t i = 1; i < vlen - 4; i++)
            if (spec[i] == '@')
                at = spec + i;
        if (!at)
            return 0;
        name = spec;
        nlen = (size_t)(at - spec);
        v = at + 1;
        vlen = vlen - 4 - nlen - 1;
    }
    if (!valid_name(name, nlen) || !registry_version(v, vlen))
        return 0;
    return add_pkg(c, name, nlen, v, vlen);
}

/* A "packages" key: the name after its last "node_modules/", or NULL when it has none. */
static const char *install_name(const char *key, size_t *n)
{
    static const char nm[] = "node_modules/";
    const char *last = NULL;
    for (const char *p = key; (p = strstr(p, nm)) != NULL; p += sizeof(nm) - 1)
        if (p == key || p[-1] == '/')
            last = p + sizeof(nm) - 1;
    if (!last)
        return NULL;
    *n = strlen(last);
    return last;
}

static int lock_v1(npm_ctx *c, json_t *deps)
{
    const char *key;
    json_t *e;
    json_object_foreach(deps, key, e)
    {
        int rc = lock_entry(c, key, strlen(key), e);
        if (rc)
            return rc;
        json_t *sub = json_is_object(e) ? json_object_get(e, "dependencies") : NULL;
        if (json_is_object(sub) && (rc = lock_v1(c, sub)) != 0)
            return rc;
    }
    return 0;
}

static int parse_lockfile(npm_ctx *c, json_t *root)
{
    json_t *ver = json_object_get(root, "lockfileVersion");
    json_t *packages = json_object_get(root, "packages");
    if (json_is_integer(ver) && json_integer_value(ver) >= 2 && json_is_object(packages)) {
        const char *key;
        json_t *e;
        json_object_foreach(packages, key, e)
        {
            size_t n;
            const char *name = install_name(key, &n);
            if (!name)
                continue;
            int rc = lock_entry(c, name, n, e);
            if (rc)
                return rc;
        }
        return 0;
    }
    json_t *deps = json_object_get(root, "dependencies");
    return json_is_object(deps) ? lock_v1(c, deps) : 0;
}

static int parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    json_error_t err;
    json_t *root = json_loadb(buf, len, 0, &err);
    if (!root)
        return json_error(path, &err);
    npm_ctx c = {r, NULL, lim, {0}, {0}};
    vg_strbuf_init(&c.scope, 0);
    vg_strbuf_init(&c.name, 0);
    c.db = vg_layer_result_add_db(r, path, VG_PKG_NPM);
    int rc = 0;
    if (!json_is_object(root)) {
        /* Valid JSON, but no package manifest: nothing installed here. */
    } else if (is_installed_manifest(path)) {
        const char *name, *version;
        size_t nlen, vlen;
        if (str_of(root, "name", &name, &nlen) && str_of(root, "version", &version, &vlen) &&
            valid_name(name, nlen) && vlen > 0 && vlen <= NPM_MAX_VERSION &&
            printable(version, vlen))
            rc = add_pkg(&c, name, nlen, version, vlen);
    } else {
        rc = parse_lockfile(&c, root);
        vg__pkgdb_make_set(c.db);
    }
    json_decref(root);
    vg_strbuf_dispose(&c.scope);
    vg_strbuf_dispose(&c.name);
    if (rc)
        r->n_dbs--; /* keep nothing of a bad file; c.db is the last database added */
    return rc;
}

const vg_scanner vg__scanner_npm = {"npm", wants, parse};
