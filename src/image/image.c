/* image.c — the front of src/image/: image references (explicit kinds and bare-argument
 * detection), platforms, manifest / index / config JSON (OCI and Docker v2, via jansson),
 * and vg_image_open, which walks indexes down to one image manifest for the requested
 * platform, skipping artifacts, and lists its layers. Sources do the I/O (oci.c, archive.c,
 * rootfs.c, registry.c); layer.c streams the layers. */
#include "image_int.h"

#include <jansson.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_V1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_V1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

#define MAX_INDEX_DEPTH 4 /* index -> index -> ... -> manifest */
#define DOCKER_HUB "docker.io"

/* ---- platforms ------------------------------------------------------------------------ */

static char *lower_dup(const char *s)
{
    if (!s)
        return NULL;
    char *d = vg_xstrdup(s);
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

void vg__platform_set(vg__platform *out, const char *os, const char *arch, const char *variant)
{
    out->os = lower_dup(os);
    out->arch = lower_dup(arch);
    out->variant = variant && *variant ? lower_dup(variant) : NULL;
    if (!out->arch)
        return;
    static const struct {
        const char *from, *to, *variant;
    } alias[] = {
        {"x86_64", "amd64", NULL}, {"x86-64", "amd64", NULL}, {"aarch64", "arm64", NULL},
        {"armhf", "arm", "v7"},    {"armel", "arm", "v6"},    {"i386", "386", NULL},
        {"i486", "386", NULL},     {"i586", "386", NULL},     {"i686", "386", NULL},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(alias); i++) {
        if (strcmp(out->arch, alias[i].from) == 0) {
            free(out->arch);
            out->arch = vg_xstrdup(alias[i].to);
            if (alias[i].variant && !out->variant)
                out->variant = vg_xstrdup(alias[i].variant);
        }
    }
    const char *v = out->variant;
    bool drop = (strcmp(out->arch, "arm64") == 0 && v && strcmp(v, "v8") == 0) ||
                (strcmp(out->arch, "amd64") == 0 && v && strcmp(v, "v1") == 0);
    if (drop) {
        free(out->variant);
        out->variant = NULL;
    }
    if (strcmp(out->arch, "arm") == 0 && !out->variant)
        out->variant = vg_xstrdup("v7");
}

void vg__platform_dispose(vg__platform *p)
{
    free(p->os);
    free(p->arch);
    free(p->variant);
    memset(p, 0, sizeof(*p));
}

static bool platform_word(vg_slice w)
{
    if (w.len == 0 || w.len > 64)
        return false;
    for (size_t i = 0; i < w.len; i++) {
        char c = w.ptr[i];
        if (!isalnum((unsigned char)c) && c != '_' && c != '-' && c != '.')
            return false;
    }
    return true;
}

int vg__platform_parse(vg__platform *out, const char *s)
{
    memset(out, 0, sizeof(*out));
    vg_slice parts[4];
    size_t n = 0;
    vg_slice rest = vg_slice_from_cstr(s ? s : "");
    while (rest.ptr && n < 4)
        rest = vg_slice_split(rest, '/', &parts[n++]);
    bool ok = !rest.ptr && (n == 2 || n == 3);
    for (size_t i = 0; ok && i < n; i++)
        ok = platform_word(parts[i]);
    if (!ok) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 512);
        vg_strbuf_put_escaped(&sb, s ? s : "", s ? strlen(s) : 0, 100);
        int rc =
            vg_error_set(VG_EINVAL, "invalid platform \"%s\" (want os/arch[/variant])", sb.buf);
        vg_strbuf_dispose(&sb);
        return rc;
    }
    char *os = vg_xstrndup(parts[0].ptr, parts[0].len);
    char *arch = vg_xstrndup(parts[1].ptr, parts[1].len);
    char *variant = n == 3 ? vg_xstrndup(parts[2].ptr, parts[2].len) : NULL;
    vg__platform_set(out, os, arch, variant);
    free(os);
    free(arch);
    free(variant);
    return 0;
}

void vg__platform_host(vg__platform *out)
{
    struct utsname u;
    const char *m = uname(&u) == 0 ? u.machine : "x86_64";
    const char *variant = NULL;
    const char *arch = m;
    if (strncmp(m, "armv6", 5) == 0) {
        arch = "arm";
        variant = "v6";
    } else if (strncmp(m, "armv7", 5) == 0 || strncmp(m, "armv8l", 6) == 0) {
        arch = "arm"; /* armv8l is a 32-bit userland on a 64-bit core */
        variant = "v7";
    } else if (strcmp(m, "arm64") == 0 || strcmp(m, "aarch64") == 0) {
        arch = "arm64";
    }
    vg__platform_set(out, "linux", arch, variant);
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool vg__platform_match(const vg__platform *want, const vg__platform *have)
{
    return str_eq(want->os, have->os) && str_eq(want->arch, have->arch) &&
           str_eq(want->variant, have->variant);
}

void vg__platform_format(vg_strbuf *sb, const vg__platform *p)
{
    const char *os = p->os && *p->os ? p->os : "?";
    const char *arch = p->arch && *p->arch ? p->arch : "?";
    vg_strbuf_put_escaped(sb, os, strlen(os), 64);
    vg_strbuf_putc(sb, '/');
    vg_strbuf_put_escaped(sb, arch, strlen(arch), 64);
    if (p->variant) {
        vg_strbuf_putc(sb, '/');
        vg_strbuf_put_escaped(sb, p->variant, strlen(p->variant), 64);
    }
}

/* ---- media types ------------------------------------------------------------------------ */

typedef enum mt_kind {
    MT_NONE,    /* absent */
    MT_INDEX,   /* OCI index, Docker manifest list */
    MT_IMAGE,   /* OCI manifest, Docker v2 schema 2 */
    MT_SCHEMA1, /* Docker schema 1: refused */
    MT_OTHER,   /* anything else */
} mt_kind;

/* Compares a media type up to its parameters ("; charset=utf-8"). */
static bool mt_is(const char *mt, const char *want)
{
    size_t n = strlen(want);
    if (strncmp(mt, want, n) != 0)
        return false;
    const char *rest = mt + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return *rest == '\0' || *rest == ';';
}

static mt_kind mt_classify(const char *mt)
{
    if (!mt || !*mt)
        return MT_NONE;
    if (mt_is(mt, MT_OCI_INDEX) || mt_is(mt, MT_DOCKER_LIST))
        return MT_INDEX;
    if (mt_is(mt, MT_OCI_MANIFEST) || mt_is(mt, MT_DOCKER_MANIFEST))
        return MT_IMAGE;
    if (mt_is(mt, MT_DOCKER_V1) || mt_is(mt, MT_DOCKER_V1_SIGNED))
        return MT_SCHEMA1;
    return MT_OTHER;
}

bool vg__media_type_is_image_config(const char *mt)
{
    return mt && (mt_is(mt, MT_OCI_CONFIG) || mt_is(mt, MT_DOCKER_CONFIG));
}

bool vg__layer_media_type_ok(const char *mt)
{
    if (!mt || !*mt)
        return true;
    return strstr(mt, "tar") != NULL && strstr(mt, "encrypted") == NULL;
}

/* ---- manifest / index / config JSON ------------------------------------------------------ */

static void desc_dispose(vg__descriptor *d)
{
    free(d->media_type);
    free(d->digest);
    vg__platform_dispose(&d->platform);
    free(d->ref_name);
    free(d->image_name);
    free(d->ref_type);
    free(d->artifact_type);
    memset(d, 0, sizeof(*d));
}

void vg__manifest_dispose(vg__manifest *m)
{
    free(m->media_type);
    free(m->artifact_type);
    desc_dispose(&m->config);
    for (size_t i = 0; i < m->n_items; i++)
        desc_dispose(&m->items[i]);
    free(m->items);
    memset(m, 0, sizeof(*m));
}

/* A string member, or NULL when absent; VG_EINVAL when present but not a clean string. */
static int opt_str(char **out, json_t *obj, const char *key, const char *where, const char *path)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return vg_error_set(VG_EINVAL, "%s: %s.%s: not a string", where, path, key);
    *out = vg_xstrdup(json_string_value(v));
    return 0;
}

static int parse_desc(vg__descriptor *d, json_t *o, const char *where, const char *path)
{
    memset(d, 0, sizeof(*d));
    d->size = -1;
    if (!json_is_object(o))
        return vg_error_set(VG_EINVAL, "%s: %s: not an object", where, path);
    int rc = opt_str(&d->media_type, o, "mediaType", where, path);
    if (!rc)
        rc = opt_str(&d->digest, o, "digest", where, path);
    if (!rc)
        rc = opt_str(&d->artifact_type, o, "artifactType", where, path);
    if (rc)
        return rc;
    if (!d->digest)
        return vg_error_set(VG_EINVAL, "%s: %s.digest: missing", where, path);
    vg_strbuf w;
    vg_strbuf_init(&w, 0);
    vg_strbuf_printf(&w, "%s: %s.digest", where, path);
    rc = vg__digest_valid(d->digest, w.buf);
    vg_strbuf_dispose(&w);
    if (rc)
        return rc;
    json_t *size = json_object_get(o, "size");
    if (size && !json_is_null(size)) {
        if (!json_is_integer(size) || json_integer_value(size) < 0)
            return vg_error_set(VG_EINVAL, "%s: %s.size: not a non-negative integer", where, path);
        d->size = (int64_t)json_integer_value(size);
    }
    json_t *plat = json_object_get(o, "platform");
    if (plat && !json_is_null(plat)) {
        if (!json_is_object(plat))
            return vg_error_set(VG_EINVAL, "%s: %s.platform: not an object", where, path);
        char *os = NULL, *arch = NULL, *variant = NULL;
        vg_strbuf pp;
        vg_strbuf_init(&pp, 0);
        vg_strbuf_printf(&pp, "%s.platform", path);
        rc = opt_str(&os, plat, "os", where, pp.buf);
        if (!rc)
            rc = opt_str(&arch, plat, "architecture", where, pp.buf);
        if (!rc)
            rc = opt_str(&variant, plat, "variant", where, pp.buf);
        vg_strbuf_dispose(&pp);
        if (!rc) {
            d->has_platform = true;
            vg__platform_set(&d->platform, os ? os : "", arch ? arch : "", variant);
        }
        free(os);
        free(arch);
        free(variant);
        if (rc)
            return rc;
    }
    json_t *ann = json_object_get(o, "annotations");
    if (ann && !json_is_null(ann)) {
        if (!json_is_object(ann))
            return vg_error_set(VG_EINVAL, "%s: %s.annotations: not an object", where, path);
        vg_strbuf pp;
        vg_strbuf_init(&pp, 0);
        vg_strbuf_printf(&pp, "%s.annotations", path);
        rc = opt_str(&d->ref_name, ann, "org.opencontainers.image.ref.name", where, pp.buf);
        if (!rc)
            rc = opt_str(&d->image_name, ann, "io.containerd.image.name", where, pp.buf);
        if (!rc)
            rc = opt_str(&d->ref_type, ann, "vnd.docker.reference.type", where, pp.buf);
        vg_strbuf_dispose(&pp);
    }
    return rc;
}

static int parse_items(vg__manifest *m, json_t *arr, const char *key, const char *where)
{
    size_t n = json_array_size(arr);
    m->items = vg_xcalloc(n ? n : 1, sizeof(*m->items));
    for (size_t i = 0; i < n; i++) {
        vg_strbuf p;
        vg_strbuf_init(&p, 0);
        vg_strbuf_printf(&p, ".%s[%zu]", key, i);
        int rc = parse_desc(&m->items[i], json_array_get(arr, i), where, p.buf);
        vg_strbuf_dispose(&p);
        m->n_items = i + 1;
        if (rc)
            return rc;
    }
    return 0;
}

static const char *kind_name(mt_kind k)
{
    return k == MT_INDEX ? "an image index" : "an image manifest";
}

int vg__manifest_parse(vg__manifest *out, const char *body, size_t len, const char *media_type,
                       const char *where, const vg_image_limits *lim)
{
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return vg_error_set(VG_EINVAL, "%s: empty document", where);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return vg_error_set(VG_EINVAL, "%s: invalid JSON at line %d column %d (byte %d): %s", where,
                            jerr.line, jerr.column, jerr.position, jerr.text);
    int rc = 0;
    if (!json_is_object(root)) {
        rc = vg_error_set(VG_EINVAL, "%s: not a JSON object", where);
        goto out;
    }
    json_t *sv = json_object_get(root, "schemaVersion");
    if (sv && (!json_is_integer(sv) || json_integer_value(sv) != 2)) {
        rc = vg_error_set(VG_EINVAL, "%s: .schemaVersion: unsupported (want 2)", where);
        goto out;
    }
    rc = opt_str(&out->media_type, root, "mediaType", where, "");
    if (!rc)
        rc = opt_str(&out->artifact_type, root, "artifactType", where, "");
    if (rc)
        goto out;
    mt_kind declared = mt_classify(media_type);
    mt_kind own = mt_classify(out->media_type);
    mt_kind kind = declared != MT_NONE ? declared : own;
    if (kind == MT_NONE) {
        if (json_object_get(root, "manifests"))
            kind = MT_INDEX;
        else if (json_object_get(root, "config") || json_object_get(root, "layers"))
            kind = MT_IMAGE;
    }
    if (kind == MT_SCHEMA1 || own == MT_SCHEMA1 || (!sv && json_object_get(root, "fsLayers"))) {
        rc = vg_error_set(VG_EINVAL, "%s: Docker schema 1 manifests are not supported", where);
        goto out;
    }
    if (kind == MT_OTHER) {
        vg_strbuf e;
        vg_strbuf_init(&e, 512);
        const char *mt = declared == MT_OTHER ? media_type : out->media_type;
        if (!mt)
            mt = "";
        vg_strbuf_put_escaped(&e, mt, strlen(mt), 200);
        rc = vg_error_set(VG_EINVAL, "%s: unsupported media type \"%s\"", where, e.buf);
        vg_strbuf_dispose(&e);
        goto out;
    }
    if (kind == MT_NONE) {
        rc = vg_error_set(VG_EINVAL, "%s: neither an image manifest nor an image index", where);
        goto out;
    }
    if (declared != MT_NONE && (own == MT_INDEX || own == MT_IMAGE) && own != declared) {
        rc = vg_error_set(VG_EINVAL, "%s: declared as %s but its mediaType says %s", where,
                          kind_name(declared), kind_name(own));
        goto out;
    }
    if (kind == MT_INDEX) {
        out->kind = VG__DOC_INDEX;
        json_t *ms = json_object_get(root, "manifests");
        if (json_is_null(ms)) {
            out->null_items = true;
        } else if (!json_is_array(ms)) {
            rc = vg_error_set(VG_EINVAL, "%s: .manifests: %s", where,
                              ms ? "not an array" : "missing");
        } else {
            rc = parse_items(out, ms, "manifests", where);
        }
        goto out;
    }
    out->kind = VG__DOC_MANIFEST;
    json_t *cfg = json_object_get(root, "config");
    if (!cfg) {
        rc = vg_error_set(VG_EINVAL, "%s: .config: missing", where);
        goto out;
    }
    rc = parse_desc(&out->config, cfg, where, ".config");
    if (rc)
        goto out;
    json_t *layers = json_object_get(root, "layers");
    if (!json_is_array(layers)) {
        rc = vg_error_set(VG_EINVAL, "%s: .layers: %s", where, layers ? "not an array" : "missing");
        goto out;
    }
    if (json_array_size(layers) > lim->max_layers) {
        rc = vg_error_set(VG_ETOOBIG, "%s: %zu layers exceeds max_layers (%llu)", where,
                          json_array_size(layers), (unsigned long long)lim->max_layers);
        goto out;
    }
    rc = parse_items(out, layers, "layers", where);
out:
    json_decref(root);
    if (rc)
        vg__manifest_dispose(out);
    return rc;
}

void vg__config_dispose(vg__config *c)
{
    vg__platform_dispose(&c->platform);
    memset(c, 0, sizeof(*c));
}

int vg__config_parse(vg__config *out, const char *body, size_t len, const char *where)
{
    memset(out, 0, sizeof(*out));
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return vg_error_set(VG_EINVAL, "%s: invalid JSON at line %d column %d (byte %d): %s", where,
                            jerr.line, jerr.column, jerr.position, jerr.text);
    int rc = 0;
    char *os = NULL, *arch = NULL, *variant = NULL;
    if (!json_is_object(root)) {
        rc = vg_error_set(VG_EINVAL, "%s: not a JSON object", where);
        goto out;
    }
    rc = opt_str(&os, root, "os", where, "");
    if (!rc)
        rc = opt_str(&arch, root, "architecture", where, "");
    if (!rc)
        rc = opt_str(&variant, root, "variant", where, "");
    if (rc)
        goto out;
    if (os || arch)
        vg__platform_set(&out->platform, os ? os : "", arch ? arch : "", variant);
    json_t *rootfs = json_object_get(root, "rootfs");
    json_t *ids = json_is_object(rootfs) ? json_object_get(rootfs, "diff_ids") : NULL;
    if (ids && !json_is_null(ids) && !json_is_array(ids)) {
        rc = vg_error_set(VG_EINVAL, "%s: .rootfs.diff_ids: not an array", where);
        goto out;
    }
    out->n_diff_ids = json_array_size(ids);
out:
    free(os);
    free(arch);
    free(variant);
    json_decref(root);
    if (rc)
        vg__config_dispose(out);
    return rc;
}

/* ---- references ------------------------------------------------------------------------ */

void vg_image_ref_dispose(vg_image_ref *ref)
{
    free(ref->path);
    free(ref->tag);
    free(ref->host);
    free(ref->repo);
    free(ref->digest);
    memset(ref, 0, sizeof(*ref));
}

static int err_quoted(int code, const char *fmt_prefix, const char *s, const char *suffix)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 1024);
    vg_strbuf_put_escaped(&sb, s, strlen(s), 300);
    int rc = vg_error_set(code, "%s\"%s\"%s", fmt_prefix, sb.buf, suffix);
    vg_strbuf_dispose(&sb);
    return rc;
}

/* "PATH[:TAG]": the whole string when it exists, else the shortest existing prefix before a
 * ':' (tags such as "repo/name:tag" may hold colons themselves). */
static bool split_path_tag(const char *s, char **path, char **tag)
{
    struct stat st;
    *tag = NULL;
    if (stat(s, &st) == 0) {
        *path = vg_xstrdup(s);
        return true;
    }
    for (const char *c = strchr(s, ':'); c; c = strchr(c + 1, ':')) {
        if (c == s || !c[1])
            continue;
        char *p = vg_xstrndup(s, (size_t)(c - s));
        if (stat(p, &st) == 0) {
            *path = p;
            *tag = vg_xstrdup(c + 1);
            return true;
        }
        free(p);
    }
    *path = vg_xstrdup(s);
    return false;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool dir_has(const char *dir, const char *name)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s/%s", dir, name);
    struct stat st;
    bool ok = stat(sb.buf, &st) == 0;
    vg_strbuf_dispose(&sb);
    return ok;
}

static bool repo_ok(const char *r)
{
    /* path components of [a-z0-9]+ joined by one separator: "/", ".", "_", "__" or "-"+ */
    size_t n = strlen(r);
    if (n == 0 || n > 255)
        return false;
    bool need_alnum = true;
    for (size_t i = 0; i < n; i++) {
        char c = r[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            need_alnum = false;
            continue;
        }
        if (need_alnum || (c != '/' && c != '.' && c != '_' && c != '-'))
            return false;
        if (c == '_' && r[i + 1] == '_')
            i++;
        while (c == '-' && r[i + 1] == '-')
            i++;
        need_alnum = true;
    }
    return !need_alnum;
}

static bool tag_ok(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
            return false;
    return true;
}

static bool host_ok(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > 255)
        return false;
    const char *colon = strrchr(h, ':');
    for (const char *p = h; *p; p++) {
        if (colon && p > colon) {
            if (!isdigit((unsigned char)*p))
                return false;
        } else if (p != colon && !isalnum((unsigned char)*p) && *p != '.' && *p != '-') {
            return false;
        }
    }
    return !colon || colon[1];
}

/* HOST[:PORT]/REPO[:TAG][@DIGEST], Docker's normalization: a first component without '.',
 * ':' or "localhost" is a Docker Hub repository ("alpine" -> docker.io/library/alpine). */
static int parse_registry(vg_image_ref *out, const char *s)
{
    out->kind = VG_REF_REGISTRY;
    char *name = vg_xstrdup(s);
    int rc = 0;
    char *at = strchr(name, '@');
    if (at) {
        *at = '\0';
        rc = vg__digest_valid(at + 1, "registry reference");
        if (rc)
            goto out;
        out->digest = vg_xstrdup(at + 1);
    }
    char *last_slash = strrchr(name, '/');
    char *colon = strrchr(last_slash ? last_slash : name, ':');
    if (colon) {
        *colon = '\0';
        if (!tag_ok(colon + 1)) {
            rc = err_quoted(VG_EINVAL, "invalid tag in image reference ", s, "");
            goto out;
        }
        out->tag = vg_xstrdup(colon + 1);
    }
    char *slash = strchr(name, '/');
    bool has_host = slash && (memchr(name, '.', (size_t)(slash - name)) ||
                              memchr(name, ':', (size_t)(slash - name)) ||
                              strncmp(name, "localhost/", 10) == 0);
    if (has_host) {
        *slash = '\0';
        out->host = vg_xstrdup(name);
        out->repo = vg_xstrdup(slash + 1);
    } else {
        out->host = vg_xstrdup(DOCKER_HUB);
        vg_strbuf r;
        vg_strbuf_init(&r, 0);
        if (!slash)
            vg_strbuf_puts(&r, "library/");
        vg_strbuf_puts(&r, name);
        out->repo = vg_strbuf_detach(&r);
    }
    if (!host_ok(out->host) || !repo_ok(out->repo)) {
        rc = err_quoted(VG_EINVAL, "invalid image reference ", s,
                        " (want [HOST[:PORT]/]REPO[:TAG][@sha256:...], lowercase)");
        goto out;
    }
    if (!out->tag && !out->digest)
        out->tag = vg_xstrdup("latest");
out:
    free(name);
    return rc;
}

/* Bare path: an OCI layout dir, a rootfs dir, or a tar told apart by its top entries. */
static int detect_path(vg_image_ref *out, const char *s)
{
    if (is_dir(out->path)) {
        if (dir_has(out->path, "oci-layout") || dir_has(out->path, "index.json")) {
            out->kind = VG_REF_OCI_DIR;
        } else {
            if (out->tag)
                return err_quoted(VG_EINVAL, "", s, ": a rootfs directory takes no tag");
            out->kind = VG_REF_ROOTFS;
        }
        return 0;
    }
    vg__archive_probe pr;
    int rc = vg__archive_probe_file(&pr, out->path);
    if (rc)
        return rc;
    if (!pr.is_tar)
        return err_quoted(VG_EINVAL, "", s,
                          ": not a directory, docker-archive or OCI archive (not a tar)");
    /* A docker save that also carries an OCI layout (Docker 25+, containerd) is read through
     * manifest.json, which docker load itself trusts. */
    out->kind = pr.has_manifest_json || !(pr.has_index_json || pr.has_oci_layout)
                    ? VG_REF_DOCKER_ARCHIVE
                    : VG_REF_OCI_ARCHIVE;
    return 0;
}

static bool looks_like_path(const char *s)
{
    size_t n = strlen(s);
    static const char *const ext[] = {".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.xz"};
    if (s[0] == '/' || strncmp(s, "./", 2) == 0 || strncmp(s, "../", 3) == 0 ||
        strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return true;
    for (size_t i = 0; i < VG_ARRAY_LEN(ext); i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcmp(s + n - e, ext[i]) == 0)
            return true;
    }
    return false;
}

int vg_image_ref_parse(vg_image_ref *out, const char *s)
{
    memset(out, 0, sizeof(*out));
    if (!s || !*s)
        return vg_error_set(VG_EINVAL, "empty image reference");
    static const struct {
        const char *prefix;
        vg_ref_kind kind;
    } kinds[] = {
        {"docker-archive:", VG_REF_DOCKER_ARCHIVE},
        {"oci-archive:", VG_REF_OCI_ARCHIVE},
        {"oci:", VG_REF_OCI_DIR},
        {"rootfs:", VG_REF_ROOTFS},
        {"registry:", VG_REF_REGISTRY},
        {"docker://", VG_REF_REGISTRY},
    };
    int rc = 0;
    for (size_t i = 0; i < VG_ARRAY_LEN(kinds); i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(s, kinds[i].prefix, n) != 0)
            continue;
        const char *rest = s + n;
        if (!*rest)
            return err_quoted(VG_EINVAL, "image reference ", s, " names nothing");
        if (kinds[i].kind == VG_REF_REGISTRY) {
            rc = parse_registry(out, rest);
        } else if (kinds[i].kind == VG_REF_ROOTFS) {
            out->kind = VG_REF_ROOTFS;
            out->path = vg_xstrdup(rest);
            if (!is_dir(rest))
                rc = err_quoted(is_file(rest) ? VG_EINVAL : VG_ENOTFOUND, "", s,
                                ": no such directory");
        } else {
            out->kind = kinds[i].kind;
            bool found = split_path_tag(rest, &out->path, &out->tag);
            bool want_dir = kinds[i].kind == VG_REF_OCI_DIR;
            if (!found)
                rc = err_quoted(VG_ENOTFOUND, "", s, ": no such file or directory");
            else if (want_dir && !is_dir(out->path))
                rc = err_quoted(VG_EINVAL, "", s, ": not a directory");
            else if (!want_dir && !is_file(out->path))
                rc = err_quoted(VG_EINVAL, "", s, ": not a regular file");
        }
        if (rc)
            vg_image_ref_dispose(out);
        return rc;
    }
    /* Bare argument: an existing path (possibly with ":TAG"), else a registry reference. */
    char *path, *tag;
    if (split_path_tag(s, &path, &tag)) {
        out->path = path;
        out->tag = tag;
        rc = detect_path(out, s);
    } else {
        free(path);
        if (looks_like_path(s))
            rc = err_quoted(VG_ENOTFOUND, "", s, ": no such file or directory");
        else
            rc = parse_registry(out, s);
    }
    if (rc)
        vg_image_ref_dispose(out);
    return rc;
}

/* ---- the image -------------------------------------------------------------------------- */

typedef struct layer_slot {
    vg_layer_desc d;
    char *digest;
    char *media_type;
} layer_slot;

struct vg_image {
    char *name; /* the reference as given, escaped, for messages */
    vg_image_ref ref;
    vg_image_opts opts; /* deep copy: the strings below */
    char *o_platform, *o_username, *o_password, *o_ca_file;
    vg__platform want;
    bool explicit_platform;
    vg_source *src;
    bool from_uris; /* vg__image_from_source: no reference behind it */
    char *rootfs;
    char *manifest_digest;
    layer_slot *layers;
    size_t n_layers;
};

const char *vg__image_rootfs(const vg_image *img)
{
    return img->rootfs;
}

vg_source *vg__image_source(const vg_image *img)
{
    return img->src;
}

const vg_image_opts *vg__image_opts(const vg_image *img)
{
    return &img->opts;
}

const char *vg_image_manifest_digest(const vg_image *img)
{
    return img->manifest_digest;
}

size_t vg_image_layer_count(const vg_image *img)
{
    return img->n_layers;
}

const vg_layer_desc *vg_image_layer(const vg_image *img, size_t i)
{
    return i < img->n_layers ? &img->layers[i].d : NULL;
}

void vg_image_free(vg_image *img)
{
    if (!img)
        return;
    if (img->src)
        img->src->ops->free(img->src);
    for (size_t i = 0; i < img->n_layers; i++) {
        free(img->layers[i].digest);
        free(img->layers[i].media_type);
    }
    free(img->layers);
    free(img->manifest_digest);
    free(img->rootfs);
    vg__platform_dispose(&img->want);
    vg_image_ref_dispose(&img->ref);
    free(img->o_platform);
    free(img->o_username);
    free(img->o_password);
    free(img->o_ca_file);
    free(img->name);
    free(img);
}

static void add_layer(vg_image *img, const char *digest, const char *mt, int64_t size)
{
    img->layers = vg_xrealloc(img->layers, (img->n_layers + 1) * sizeof(*img->layers));
    layer_slot *l = &img->layers[img->n_layers++];
    l->digest = vg_xstrdup(digest);
    l->media_type = vg_xstrdup(mt ? mt : "");
    l->d.digest = l->digest;
    l->d.media_type = l->media_type;
    l->d.size = size;
}

/* The state of one search through indexes for an image manifest. */
typedef struct pick {
    vg_image *img;
    vg_strbuf platforms; /* platforms seen that did not match */
    vg_strbuf skipped;   /* artifacts and unknown media types passed over */
    vg_strbuf tags;      /* ref names seen at the top */
    bool tag_matched;
    /* the result */
    char *digest;
    vg__manifest manifest;
} pick;

/* Appends `s` to a ", "-separated list once (kept short: this only feeds a message). */
static void note(vg_strbuf *sb, const char *s)
{
    vg_strbuf item;
    vg_strbuf_init(&item, 1024);
    vg_strbuf_put_escaped(&item, s, strlen(s), 200);
    bool seen = false;
    for (const char *p = strstr(sb->buf, item.buf); p && !seen; p = strstr(p + 1, item.buf))
        seen = (p == sb->buf || (p >= sb->buf + 2 && p[-2] == ',' && p[-1] == ' ')) &&
               (p[item.len] == '\0' || p[item.len] == ',');
    if (!seen && sb->len < 1500) {
        if (sb->len)
            vg_strbuf_puts(sb, ", ");
        vg_strbuf_append(sb, item.buf, item.len);
    }
    vg_strbuf_dispose(&item);
}

static void note_platform(pick *p, const vg__platform *pl)
{
    vg_strbuf t;
    vg_strbuf_init(&t, 512);
    vg__platform_format(&t, pl);
    note(&p->platforms, t.buf);
    vg_strbuf_dispose(&t);
}

static bool tag_matches(const vg__descriptor *d, const char *tag)
{
    if (d->ref_name) {
        if (strcmp(d->ref_name, tag) == 0)
            return true;
        const char *c = strrchr(d->ref_name, ':');
        if (c && !strchr(c, '/') && strcmp(c + 1, tag) == 0)
            return true;
    }
    return d->image_name && strcmp(d->image_name, tag) == 0;
}

/* Fetches a manifest or index by digest, verified against the descriptor. */
static int fetch_doc(pick *p, const vg__descriptor *d, vg__manifest *m)
{
    vg_image *img = p->img;
    vg_strbuf body;
    vg_strbuf_init(&body, (size_t)img->opts.limits.max_manifest_bytes);
    char *mt = NULL;
    int rc = img->src->ops->get_manifest(img->src, d->digest, &body, &mt);
    if (!rc)
        rc = vg__digest_verify_buf(d->digest, d->size, body.buf, body.len);
    if (!rc) {
        vg_strbuf where;
        vg_strbuf_init(&where, 0);
        vg_strbuf_printf(&where, "%s: manifest %s", img->name, d->digest);
        rc = vg__manifest_parse(m, body.buf, body.len, d->media_type ? d->media_type : mt,
                                where.buf, &img->opts.limits);
        vg_strbuf_dispose(&where);
    }
    free(mt);
    vg_strbuf_dispose(&body);
    return rc;
}

/* Reads and verifies a config blob into `cfg`. */
static int fetch_config(vg_image *img, const vg__descriptor *d, vg__config *cfg)
{
    vg_blob *raw;
    int rc = img->src->ops->open_blob(img->src, d->digest, d->size, &raw);
    if (rc)
        return rc;
    vg_blob *b = vg__blob_verify(raw, d->digest, d->size);
    vg_strbuf body;
    vg_strbuf_init(&body, (size_t)img->opts.limits.max_manifest_bytes);
    vg_strbuf what;
    vg_strbuf_init(&what, 0);
    vg_strbuf_printf(&what, "%s: config %s", img->name, d->digest);
    rc = vg__blob_slurp(&body, b, what.buf);
    b->close(b);
    if (!rc)
        rc = vg__config_parse(cfg, body.buf, body.len, what.buf);
    vg_strbuf_dispose(&what);
    vg_strbuf_dispose(&body);
    return rc;
}

/* An image manifest found: is it an image (not an artifact), for the right platform? 1 when
 * chosen (ownership of `m` moves to `p`), 0 when passed over, negative on error. */
static int consider(pick *p, vg__manifest *m, const char *digest, const vg__descriptor *via)
{
    const char *cmt = m->config.media_type;
    bool artifact = (cmt && !vg__media_type_is_image_config(cmt)) ||
                    (m->artifact_type && !vg__media_type_is_image_config(m->artifact_type));
    if (artifact) {
        vg_strbuf t;
        vg_strbuf_init(&t, 512);
        vg_strbuf_printf(&t, "artifact %s", m->artifact_type ? m->artifact_type : cmt);
        note(&p->skipped, t.buf);
        vg_strbuf_dispose(&t);
        return 0;
    }
    for (size_t i = 0; i < m->n_items; i++)
        if (!vg__layer_media_type_ok(m->items[i].media_type))
            return vg_error_set(VG_EINVAL,
                                "%s: manifest %s: .layers[%zu]: media type %s is "
                                "not a tar layer",
                                p->img->name, digest, i, m->items[i].media_type);
    vg__config cfg;
    int rc = fetch_config(p->img, &m->config, &cfg);
    if (rc)
        return rc;
    bool ok = true;
    if ((!via || !via->has_platform) && p->img->explicit_platform && cfg.platform.arch) {
        ok = vg__platform_match(&p->img->want, &cfg.platform);
        if (!ok)
            note_platform(p, &cfg.platform);
    }
    vg__config_dispose(&cfg);
    if (!ok)
        return 0;
    p->manifest = *m;
    memset(m, 0, sizeof(*m));
    p->digest = vg_xstrdup(digest);
    return 1;
}

static int walk_index(pick *p, const vg__manifest *idx, int depth, bool top);

static int try_desc(pick *p, const vg__descriptor *d, int depth)
{
    vg__manifest m;
    int rc = fetch_doc(p, d, &m);
    if (rc)
        return rc;
    if (m.kind == VG__DOC_INDEX)
        rc = walk_index(p, &m, depth + 1, false);
    else
        rc = consider(p, &m, d->digest, d);
    vg__manifest_dispose(&m);
    return rc;
}

static int walk_index(pick *p, const vg__manifest *idx, int depth, bool top)
{
    vg_image *img = p->img;
    if (depth > MAX_INDEX_DEPTH)
        return vg_error_set(VG_ETOOBIG, "%s: image indexes nested more than %d deep", img->name,
                            MAX_INDEX_DEPTH);
    const char *tag = top ? img->ref.tag : NULL;
    for (size_t i = 0; i < idx->n_items; i++) {
        const vg__descriptor *d = &idx->items[i];
        if (tag) {
            if (d->ref_name)
                note(&p->tags, d->ref_name);
            if (!tag_matches(d, tag))
                continue;
            p->tag_matched = true;
        }
        mt_kind k = mt_classify(d->media_type);
        if (k == MT_OTHER || k == MT_SCHEMA1) {
            vg_strbuf t;
            vg_strbuf_init(&t, 512);
            vg_strbuf_printf(&t, "media type %s", d->media_type);
            note(&p->skipped, t.buf);
            vg_strbuf_dispose(&t);
            continue;
        }
        if (d->ref_type && strcmp(d->ref_type, "attestation-manifest") == 0)
            continue;
        if (d->has_platform && !vg__platform_match(&img->want, &d->platform)) {
            if (!d->platform.os || strcmp(d->platform.os, "unknown") != 0)
                note_platform(p, &d->platform); /* not buildkit's unknown/unknown */
            continue;
        }
        int rc = try_desc(p, d, depth);
        if (rc)
            return rc;
    }
    return 0;
}

/* Nothing chosen: say why, in the order a user would look. */
static int no_image(pick *p)
{
    vg_image *img = p->img;
    if (img->ref.tag && !p->tag_matched) {
        vg_strbuf t;
        vg_strbuf_init(&t, 512);
        vg_strbuf_put_escaped(&t, img->ref.tag, strlen(img->ref.tag), 200);
        int rc = vg_error_set(VG_ENOTFOUND, "%s: no image tagged \"%s\" (tags: %s)", img->name,
                              t.buf, p->tags.len ? p->tags.buf : "none");
        vg_strbuf_dispose(&t);
        return rc;
    }
    if (p->platforms.len) {
        vg_strbuf w;
        vg_strbuf_init(&w, 512);
        vg__platform_format(&w, &img->want);
        int rc = vg_error_set(VG_ENOTFOUND, "%s: no manifest for platform %s (available: %s)",
                              img->name, w.buf, p->platforms.buf);
        vg_strbuf_dispose(&w);
        return rc;
    }
    if (p->skipped.len)
        return vg_error_set(VG_ENOTFOUND, "%s: no image manifest (skipped: %s)", img->name,
                            p->skipped.buf);
    return vg_error_set(VG_ENOTFOUND, "%s: no image manifest", img->name);
}

static int take_manifest(vg_image *img, pick *p)
{
    img->manifest_digest = p->digest;
    p->digest = NULL;
    for (size_t i = 0; i < p->manifest.n_items; i++) {
        const vg__descriptor *l = &p->manifest.items[i];
        add_layer(img, l->digest, l->media_type, l->size);
    }
    return 0;
}

static int open_oci(vg_image *img, bool archive)
{
    int rc;
    if (archive) {
        vg_strbuf name;
        vg_strbuf_init(&name, 0);
        vg_strbuf_puts(&name, "oci-archive:");
        vg_strbuf_put_escaped(&name, img->ref.path, strlen(img->ref.path), 4096);
        rc = vg__source_archive(&img->src, img->ref.path, name.buf, &img->opts);
        vg_strbuf_dispose(&name);
    } else {
        rc = vg__source_oci_dir(&img->src, img->ref.path, &img->opts);
    }
    if (rc)
        return rc;
    vg_strbuf body;
    vg_strbuf_init(&body, (size_t)img->opts.limits.max_manifest_bytes);
    char *mt = NULL;
    vg__manifest idx = {0};
    pick p = {.img = img};
    vg_strbuf_init(&p.platforms, 4096);
    vg_strbuf_init(&p.skipped, 4096);
    vg_strbuf_init(&p.tags, 4096);
    rc = img->src->ops->get_manifest(img->src, NULL, &body, &mt);
    if (rc)
        goto out;
    vg_strbuf where;
    vg_strbuf_init(&where, 0);
    vg_strbuf_printf(&where, "%s: index.json", img->name);
    rc = vg__manifest_parse(&idx, body.buf, body.len, NULL, where.buf, &img->opts.limits);
    if (!rc && idx.kind != VG__DOC_INDEX)
        rc = vg_error_set(VG_EINVAL, "%s: expected an image index, found an image manifest%s%s",
                          where.buf, idx.media_type ? " " : "",
                          idx.media_type ? idx.media_type : "");
    else if (!rc && idx.null_items)
        rc = vg_error_set(VG_EINVAL, "%s: \"manifests\" is null", where.buf);
    else if (!rc && idx.n_items == 0)
        rc = vg_error_set(VG_ENOTFOUND, "%s: lists no manifests", where.buf);
    vg_strbuf_dispose(&where);
    if (rc)
        goto out;
    rc = walk_index(&p, &idx, 0, true);
    if (rc == 0)
        rc = no_image(&p);
    else if (rc == 1)
        rc = take_manifest(img, &p);
out:
    vg__manifest_dispose(&idx);
    vg__manifest_dispose(&p.manifest);
    free(p.digest);
    vg_strbuf_dispose(&p.platforms);
    vg_strbuf_dispose(&p.skipped);
    vg_strbuf_dispose(&p.tags);
    free(mt);
    vg_strbuf_dispose(&body);
    return rc;
}

static int open_registry(vg_image *img)
{
    int rc = vg__source_registry(&img->src, &img->ref, &img->opts);
    if (rc)
        return rc;
    const char *ref = img->ref.digest ? img->ref.digest : img->ref.tag;
    vg_strbuf body;
    vg_strbuf_init(&body, (size_t)img->opts.limits.max_manifest_bytes);
    char *mt = NULL;
    vg__manifest m = {0};
    pick p = {.img = img};
    vg_strbuf_init(&p.platforms, 4096);
    vg_strbuf_init(&p.skipped, 4096);
    vg_strbuf_init(&p.tags, 4096);
    char *digest = NULL;
    rc = img->src->ops->get_manifest(img->src, ref, &body, &mt);
    if (rc)
        goto out;
    if (img->ref.digest) {
        rc = vg__digest_verify_buf(img->ref.digest, -1, body.buf, body.len);
        if (rc)
            goto out;
        digest = vg_xstrdup(img->ref.digest);
    } else {
        digest = vg__digest_of(body.buf, body.len);
    }
    vg_strbuf where;
    vg_strbuf_init(&where, 0);
    vg_strbuf_printf(&where, "%s: manifest %s", img->name, digest);
    rc = vg__manifest_parse(&m, body.buf, body.len, mt, where.buf, &img->opts.limits);
    vg_strbuf_dispose(&where);
    if (rc)
        goto out;
    if (m.kind == VG__DOC_INDEX)
        rc = walk_index(&p, &m, 0, false);
    else
        rc = consider(&p, &m, digest, NULL);
    if (rc == 0)
        rc = no_image(&p);
    else if (rc == 1)
        rc = take_manifest(img, &p);
out:
    free(digest);
    vg__manifest_dispose(&m);
    vg__manifest_dispose(&p.manifest);
    free(p.digest);
    vg_strbuf_dispose(&p.platforms);
    vg_strbuf_dispose(&p.skipped);
    vg_strbuf_dispose(&p.tags);
    free(mt);
    vg_strbuf_dispose(&body);
    return rc;
}

static int open_docker_archive(vg_image *img)
{
    vg_strbuf name;
    vg_strbuf_init(&name, 0);
    vg_strbuf_puts(&name, "docker-archive:");
    vg_strbuf_put_escaped(&name, img->ref.path, strlen(img->ref.path), 4096);
    int rc = vg__source_archive(&img->src, img->ref.path, name.buf, &img->opts);
    vg_strbuf_dispose(&name);
    if (rc)
        return rc;
    vg__docker_image di;
    rc = vg__docker_archive_load(&di, img->src, img->ref.tag);
    if (rc)
        return rc;
    vg__config cfg;
    vg_strbuf where;
    vg_strbuf_init(&where, 0);
    vg_strbuf_printf(&where, "%s: config %s", img->name, di.config_digest);
    rc = vg__config_parse(&cfg, di.config.buf, di.config.len, where.buf);
    vg_strbuf_dispose(&where);
    if (rc)
        goto out;
    /* One image, no choice to make: the platform is only checked when asked for. */
    if (img->explicit_platform && cfg.platform.arch &&
        !vg__platform_match(&img->want, &cfg.platform)) {
        vg_strbuf w, h;
        vg_strbuf_init(&w, 512);
        vg_strbuf_init(&h, 512);
        vg__platform_format(&w, &img->want);
        vg__platform_format(&h, &cfg.platform);
        rc = vg_error_set(VG_ENOTFOUND, "%s: no manifest for platform %s (the image is %s)",
                          img->name, w.buf, h.buf);
        vg_strbuf_dispose(&w);
        vg_strbuf_dispose(&h);
    }
    vg__config_dispose(&cfg);
    if (rc)
        goto out;
    img->manifest_digest = di.config_digest;
    di.config_digest = NULL;
    for (size_t i = 0; i < di.n_layers; i++)
        add_layer(img, di.layers[i].digest, "", di.layers[i].size);
out:
    vg__docker_image_dispose(&di);
    return rc;
}

static char *dup_opt(const char *s)
{
    return s ? vg_xstrdup(s) : NULL;
}

/* A new image named `name` (escaped for messages) with a deep copy of `opts`. */
static vg_image *image_new(const char *name, const vg_image_opts *opts)
{
    vg_image *img = vg_xcalloc(1, sizeof(*img));
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_put_escaped(&sb, name ? name : "", name ? strlen(name) : 0, 4096);
    img->name = vg_strbuf_detach(&sb);
    if (opts)
        img->opts = *opts;
    else
        vg_image_opts_default(&img->opts);
    img->opts.platform = img->o_platform = dup_opt(img->opts.platform);
    img->opts.username = img->o_username = dup_opt(img->opts.username);
    img->opts.password = img->o_password = dup_opt(img->opts.password);
    img->opts.ca_file = img->o_ca_file = dup_opt(img->opts.ca_file);
    return img;
}

int vg__image_from_source(vg_image **out, const char *name, const vg_image_opts *opts,
                          vg_source *src, const char *manifest_digest, const vg_layer_desc *layers,
                          size_t n)
{
    vg_image *img = image_new(name, opts);
    img->src = src;
    src->opts = &img->opts;
    img->from_uris = true;
    img->manifest_digest = vg_xstrdup(manifest_digest);
    for (size_t i = 0; i < n; i++)
        add_layer(img, layers[i].digest, layers[i].media_type, layers[i].size);
    *out = img;
    return 0;
}

int vg_image_layer_remote(char **url, char **auth, vg_image *img, size_t i)
{
    if (img->from_uris || img->ref.kind != VG_REF_REGISTRY || !img->src)
        return vg_error_set(VG_EINVAL, "--server needs a registry image; %s is %s", img->name,
                            img->from_uris ? "not one" : "a local image");
    if (i >= img->n_layers)
        return vg_error_set(VG_EINVAL, "%s: layer index %zu out of range (%zu layers)", img->name,
                            i, img->n_layers);
    const vg_layer_desc *d = &img->layers[i].d;
    return vg__registry_blob_remote(url, auth, img->src, d->digest, d->size);
}

int vg_image_open(vg_image **out, const char *ref, const vg_image_opts *opts)
{
    vg_image *img = image_new(ref, opts);
    int rc = vg_image_ref_parse(&img->ref, ref);
    if (rc)
        goto fail;
    if (img->opts.platform) {
        rc = vg__platform_parse(&img->want, img->opts.platform);
        if (rc)
            goto fail;
        img->explicit_platform = true;
    } else {
        vg__platform_host(&img->want);
    }
    switch (img->ref.kind) {
    case VG_REF_ROOTFS: {
        char *digest = NULL;
        rc = vg__rootfs_resolve(&img->rootfs, &digest, img->ref.path);
        if (rc)
            goto fail;
        img->manifest_digest = vg_xstrdup(digest);
        add_layer(img, digest, VG_MEDIA_ROOTFS, -1);
        free(digest);
        break;
    }
    case VG_REF_DOCKER_ARCHIVE:
        rc = open_docker_archive(img);
        break;
    case VG_REF_OCI_DIR:
        rc = open_oci(img, false);
        break;
    case VG_REF_OCI_ARCHIVE:
        rc = open_oci(img, true);
        break;
    case VG_REF_REGISTRY:
        rc = open_registry(img);
        break;
    }
    if (rc)
        goto fail;
    *out = img;
    return 0;
fail:
    vg_image_free(img);
    return rc;
}
