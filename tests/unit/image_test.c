/* image_test.c — unit tests of src/image/ without a registry: reference parsing, platforms,
 * manifest parsing, every real image under $VIGIL_SHARED/images (layer digests recomputed
 * here independently from the files), their error cases, hostile layers generated in the
 * test with libarchive (truncated gzip, bombs, entry floods, traversal names, bad digests),
 * and rootfs walks. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "image/image.h"
#include "image/image_int.h"
#include "testutil.h"
#include "util/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------- */

/* sha256 of a byte run, "sha256:<hex>", computed here with EVP (not with src/image/). */
static char *sha256_hex(const void *data, size_t len)
{
    unsigned char md[32];
    unsigned n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_puts(&sb, "sha256:");
    for (unsigned i = 0; i < n; i++)
        vg_strbuf_printf(&sb, "%02x", md[i]);
    return vg_strbuf_detach(&sb);
}

static char *shared(const char *rel)
{
    return vg_test_shared_path(rel);
}

/* Reads one named entry of a (possibly compressed) tar with libarchive. */
static char *tar_entry(const char *tar_rel, const char *entry, size_t *len)
{
    char *path = shared(tar_rel);
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, path, 65536), ARCHIVE_OK);
    struct archive_entry *e;
    char *out = NULL;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        if (strcmp(archive_entry_pathname(e), entry) != 0)
            continue;
        vg_strbuf sb;
        vg_strbuf_init(&sb, (size_t)1 << 30);
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
            vg_strbuf_append(&sb, buf, (size_t)n);
        *len = sb.len;
        free(out);
        out = vg_strbuf_detach(&sb);
    }
    archive_read_free(a);
    free(path);
    if (!out)
        fail_msg("entry %s not in %s", entry, tar_rel);
    return out;
}

/* "tar:REL!ENTRY" or "file:REL" -> the digest of those bytes. */
static char *expected_digest(const char *src)
{
    size_t len = 0;
    char *data;
    if (strncmp(src, "file:", 5) == 0) {
        char *p = shared(src + 5);
        data = vg_test_read_file(p, &len);
        free(p);
        assert_non_null(data);
    } else {
        assert_true(strncmp(src, "tar:", 4) == 0);
        const char *bang = strchr(src, '!');
        char *rel = vg_xstrndup(src + 4, (size_t)(bang - src - 4));
        data = tar_entry(rel, bang + 1, &len);
        free(rel);
    }
    char *d = sha256_hex(data, len);
    free(data);
    return d;
}

typedef struct walk_out {
    size_t entries;
    uint64_t bytes;
    int rc;       /* first negative of next/read, or 0 */
    int close_rc; /* vg_layer_close's result (not called after an error) */
    bool found[4];
} walk_out;

/* Walks layer `i` to its end, reading every file's data, noting which `want` paths appear
 * (a leading "./" or "/" is ignored). */
static void walk_layer(walk_out *w, vg_image *img, size_t i, const char *const *want)
{
    memset(w, 0, sizeof(*w));
    vg_layer_stream *s;
    int rc = vg_layer_open(&s, img, i);
    if (rc) {
        w->rc = rc;
        return;
    }
    vg_entry e;
    char buf[8192];
    while ((rc = vg_layer_next(s, &e)) == 1) {
        w->entries++;
        const char *p = e.path;
        while (p[0] == '.' && p[1] == '/')
            p += 2;
        while (p[0] == '/')
            p++;
        for (size_t k = 0; want && k < 4 && want[k]; k++)
            if (strcmp(p, want[k]) == 0)
                w->found[k] = true;
        if (e.type != VG_ENTRY_FILE)
            continue;
        ssize_t n;
        while ((n = vg_layer_read(s, buf, sizeof(buf))) > 0)
            w->bytes += (uint64_t)n;
        if (n < 0) {
            rc = (int)n;
            break;
        }
    }
    if (rc < 0) {
        w->rc = rc;
        vg_layer_abort(s);
        return;
    }
    w->close_rc = vg_layer_close(s);
}

static void assert_err(int rc, int code, const char *substr)
{
    if (rc != code || !strstr(vg_error_last(), substr))
        fail_msg("want %d containing \"%s\", got %d: %s", code, substr, rc, vg_error_last());
}

static char *ref_for(const char *prefix, const char *rel, const char *suffix)
{
    char *p = shared(rel);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s%s%s", prefix, p, suffix ? suffix : "");
    free(p);
    return vg_strbuf_detach(&sb);
}

/* ---- temp dirs and generated inputs -------------------------------------------------- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "%s/vg-image-test-XXXXXX", t && *t ? t : "/tmp");
    char *d = vg_strbuf_detach(&sb);
    assert_non_null(mkdtemp(d));
    return d;
}

static void write_file(const char *dir, const char *rel, const void *data, size_t len)
{
    vg_strbuf p;
    vg_strbuf_init(&p, 0);
    vg_strbuf_printf(&p, "%s/%s", dir, rel);
    for (char *c = p.buf + strlen(dir) + 1; *c; c++) {
        if (*c == '/') {
            *c = '\0';
            mkdir(p.buf, 0755);
            *c = '/';
        }
    }
    FILE *f = fopen(p.buf, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    vg_strbuf_dispose(&p);
}

/* A tar built in memory with libarchive. */
typedef struct tarb {
    struct archive *a;
    vg_strbuf out;
} tarb;

static la_ssize_t tarb_write(struct archive *a, void *ud, const void *buf, size_t n)
{
    (void)a;
    tarb *t = ud;
    assert_int_equal(vg_strbuf_append(&t->out, buf, n), 0);
    return (la_ssize_t)n;
}

static void tarb_open(tarb *t, const char *filter)
{
    vg_strbuf_init(&t->out, (size_t)1 << 30);
    t->a = archive_write_new();
    archive_write_set_format_pax_restricted(t->a);
    if (filter && strcmp(filter, "gzip") == 0)
        archive_write_add_filter_gzip(t->a);
    else if (filter && strcmp(filter, "zstd") == 0)
        archive_write_add_filter_zstd(t->a);
    else if (filter && strcmp(filter, "xz") == 0)
        archive_write_add_filter_xz(t->a);
    archive_write_set_bytes_in_last_block(t->a, 1);
    assert_int_equal(archive_write_open(t->a, t, NULL, tarb_write, NULL), ARCHIVE_OK);
}

static void tarb_add(tarb *t, const char *path, unsigned type, const char *link, const void *data,
                     size_t len)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    if (type == AE_IFLNK)
        archive_entry_set_symlink(e, link);
    else if (link)
        archive_entry_set_hardlink(e, link);
    archive_entry_set_size(e, type == AE_IFREG && !link ? (la_int64_t)len : 0);
    assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
    if (len && type == AE_IFREG && !link)
        assert_int_equal(archive_write_data(t->a, data, len), (la_ssize_t)len);
    archive_entry_free(e);
}

/* A file of `size` zero bytes, streamed. */
static void tarb_zeros(tarb *t, const char *path, size_t size)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)size);
    assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
    char *z = calloc(1, 1 << 20);
    for (size_t done = 0; done < size;) {
        size_t n = size - done < (1u << 20) ? size - done : (1u << 20);
        assert_int_equal(archive_write_data(t->a, z, n), (la_ssize_t)n);
        done += n;
    }
    free(z);
    archive_entry_free(e);
}

static vg_strbuf tarb_close(tarb *t)
{
    assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
    archive_write_free(t->a);
    return t->out;
}

/* Gzip of arbitrary bytes (for nested compression). */
static vg_strbuf gzip_raw(const char *data, size_t len)
{
    tarb t;
    vg_strbuf_init(&t.out, (size_t)1 << 30);
    t.a = archive_write_new();
    archive_write_set_format_raw(t.a);
    archive_write_add_filter_gzip(t.a);
    assert_int_equal(archive_write_open(t.a, &t, NULL, tarb_write, NULL), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_pathname(e, "raw");
    archive_write_header(t.a, e);
    archive_write_data(t.a, data, len);
    archive_entry_free(e);
    return tarb_close(&t);
}

enum {
    OCI_MISSING_LAYER = 1,  /* don't write layer 0's blob */
    OCI_MISSING_CONFIG = 2, /* don't write the config blob */
    OCI_CORRUPT_LAYER = 4,  /* flip a byte of layer 0 after computing its digest */
};

/* Writes an OCI layout with one image made of `n` raw layer blobs; returns the dir. */
static char *make_oci(const vg_strbuf *layers, size_t n, unsigned flags, char **layer0_digest)
{
    char *dir = make_tmpdir();
    write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
    const char *config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
                         "\"layers\",\"diff_ids\":[]}}";
    char *cdig = sha256_hex(config, strlen(config));
    vg_strbuf rel;
    vg_strbuf_init(&rel, 0);
    if (!(flags & OCI_MISSING_CONFIG)) {
        vg_strbuf_printf(&rel, "blobs/sha256/%s", cdig + 7);
        write_file(dir, rel.buf, config, strlen(config));
    }
    vg_strbuf man;
    vg_strbuf_init(&man, 0);
    vg_strbuf_printf(
        &man,
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+"
        "json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
        "\"digest\":\"%s\",\"size\":%zu},\"layers\":[",
        cdig, strlen(config));
    for (size_t i = 0; i < n; i++) {
        char *d = sha256_hex(layers[i].buf, layers[i].len);
        if (i == 0 && layer0_digest)
            *layer0_digest = vg_xstrdup(d);
        vg_strbuf_printf(&man,
                         "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                         "\"digest\":\"%s\",\"size\":%zu}",
                         i ? "," : "", d, layers[i].len);
        if (!(i == 0 && (flags & OCI_MISSING_LAYER))) {
            vg_strbuf_reset(&rel);
            vg_strbuf_printf(&rel, "blobs/sha256/%s", d + 7);
            if (i == 0 && (flags & OCI_CORRUPT_LAYER)) {
                char *copy = vg_xmalloc(layers[i].len);
                memcpy(copy, layers[i].buf, layers[i].len);
                copy[layers[i].len / 2] ^= 0x01;
                write_file(dir, rel.buf, copy, layers[i].len);
                free(copy);
            } else {
                write_file(dir, rel.buf, layers[i].buf, layers[i].len);
            }
        }
        free(d);
    }
    vg_strbuf_puts(&man, "]}");
    char *mdig = sha256_hex(man.buf, man.len);
    vg_strbuf_reset(&rel);
    vg_strbuf_printf(&rel, "blobs/sha256/%s", mdig + 7);
    write_file(dir, rel.buf, man.buf, man.len);
    vg_strbuf idx;
    vg_strbuf_init(&idx, 0);
    vg_strbuf_printf(&idx,
                     "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci."
                     "image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu}]}",
                     mdig, man.len);
    write_file(dir, "index.json", idx.buf, idx.len);
    vg_strbuf_dispose(&idx);
    vg_strbuf_dispose(&man);
    vg_strbuf_dispose(&rel);
    free(mdig);
    free(cdig);
    return dir;
}

static char *oci_ref(const char *dir)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "oci:%s", dir);
    return vg_strbuf_detach(&sb);
}

/* Opens a one-layer generated image with `opts` (NULL = defaults) and walks it. */
static void walk_generated(walk_out *w, const vg_strbuf *layer, unsigned flags,
                           const vg_image_opts *opts, char **digest)
{
    char *dir = make_oci(layer, 1, flags, digest);
    char *ref = oci_ref(dir);
    vg_image *img = NULL;
    int rc = vg_image_open(&img, ref, opts);
    if (rc)
        fail_msg("open %s: %s", ref, vg_error_last());
    walk_layer(w, img, 0, NULL);
    vg_image_free(img);
    free(ref);
    rm_tree(dir);
    free(dir);
}

/* ---- references ------------------------------------------------------------------------ */

typedef struct ref_case {
    const char *in; /* "@S/" is replaced by the shared images dir */
    int rc;
    vg_ref_kind kind;
    const char *tag, *host, *repo, *digest;
} ref_case;

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const ref_case ref_cases[] = {
    {"alpine", 0, VG_REF_REGISTRY, "latest", "docker.io", "library/alpine", NULL},
    {"alpine:3.10", 0, VG_REF_REGISTRY, "3.10", "docker.io", "library/alpine", NULL},
    {"registry:ghcr.io/org/app:1.2", 0, VG_REF_REGISTRY, "1.2", "ghcr.io", "org/app", NULL},
    {"localhost:5000/a/b@sha256:" D64, 0, VG_REF_REGISTRY, NULL, "localhost:5000", "a/b",
     "sha256:" D64},
    {"quay.io/x/y:v1@sha256:" D64, 0, VG_REF_REGISTRY, "v1", "quay.io", "x/y", "sha256:" D64},
    {"user/repo", 0, VG_REF_REGISTRY, "latest", "docker.io", "user/repo", NULL},
    {"a--b/c__d.e", 0, VG_REF_REGISTRY, "latest", "docker.io", "a--b/c__d.e", NULL},
    {"a-:1", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"a___b", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"a//b", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"Alpine", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"alpine@sha256:zz", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"alpine:bad tag", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"registry:", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"/nonexistent/image.tar", VG_ENOTFOUND, 0, NULL, NULL, NULL, NULL},
    {"docker-archive:/nonexistent.tar", VG_ENOTFOUND, 0, NULL, NULL, NULL, NULL},
    {"oci:/nonexistent-dir:latest", VG_ENOTFOUND, 0, NULL, NULL, NULL, NULL},
    {"@S/trivy/alpine-310.tar.gz", 0, VG_REF_DOCKER_ARCHIVE, NULL, NULL, NULL, NULL},
    {"@S/snyk/oci-archive-busybox-1.31.1.tar", 0, VG_REF_OCI_ARCHIVE, NULL, NULL, NULL, NULL},
    {"@S/snyk/containerd-alpine-3.14.tar", 0, VG_REF_DOCKER_ARCHIVE, NULL, NULL, NULL, NULL},
    {"@S/stereoscope/valid_oci_dir", 0, VG_REF_OCI_DIR, NULL, NULL, NULL, NULL},
    {"@S/stereoscope/valid_oci_dir:1.0", 0, VG_REF_OCI_DIR, "1.0", NULL, NULL, NULL},
    {"oci:@S/stereoscope/valid_oci_dir:latest", 0, VG_REF_OCI_DIR, "latest", NULL, NULL, NULL},
    {"@S/stereoscope/valid_manifest", 0, VG_REF_OCI_DIR, NULL, NULL, NULL, NULL},
    {"@S/go-containerregistry/tarball/test_link.tar:bazel/v1/tarball:test_image_3", 0,
     VG_REF_DOCKER_ARCHIVE, "bazel/v1/tarball:test_image_3", NULL, NULL, NULL},
    {"@S/layers", 0, VG_REF_ROOTFS, NULL, NULL, NULL, NULL},
    {"rootfs:@S/layers", 0, VG_REF_ROOTFS, NULL, NULL, NULL, NULL},
    {"oci:@S/trivy/alpine-310.tar.gz", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
    {"@S/layers/compression/utils_test.tar.bz2", 0, VG_REF_DOCKER_ARCHIVE, NULL, NULL, NULL, NULL},
    {"@S/README.md", VG_EINVAL, 0, NULL, NULL, NULL, NULL},
};

static void test_ref_parse(void **state)
{
    (void)state;
    char *base = shared("images/");
    for (size_t i = 0; i < VG_ARRAY_LEN(ref_cases); i++) {
        const ref_case *c = &ref_cases[i];
        vg_strbuf in;
        vg_strbuf_init(&in, 0);
        const char *at = strstr(c->in, "@S/");
        if (at) {
            vg_strbuf_append(&in, c->in, (size_t)(at - c->in));
            vg_strbuf_puts(&in, base);
            vg_strbuf_puts(&in, at + 3);
        } else {
            vg_strbuf_puts(&in, c->in);
        }
        vg_image_ref r;
        int rc = vg_image_ref_parse(&r, in.buf);
        if (rc != c->rc)
            fail_msg("%s: want %d, got %d (%s)", in.buf, c->rc, rc, vg_error_last());
        if (rc == 0) {
            assert_int_equal(r.kind, c->kind);
            if (c->tag)
                assert_string_equal(r.tag, c->tag);
            else if (c->kind != VG_REF_REGISTRY)
                assert_null(r.tag);
            if (c->host)
                assert_string_equal(r.host, c->host);
            if (c->repo)
                assert_string_equal(r.repo, c->repo);
            if (c->digest)
                assert_string_equal(r.digest, c->digest);
            if (c->kind != VG_REF_REGISTRY)
                assert_non_null(r.path);
            vg_image_ref_dispose(&r);
        } else {
            assert_true(vg_error_last()[0] != '\0');
        }
        vg_strbuf_dispose(&in);
    }
    free(base);
}

/* ---- platforms ------------------------------------------------------------------------- */

static void test_platform(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        bool match;
    } cases[] = {
        {"linux/amd64", "linux/x86_64", true},   {"linux/arm64", "linux/aarch64", true},
        {"linux/arm64/v8", "linux/arm64", true}, {"linux/arm", "linux/arm/v7", true},
        {"linux/arm/v6", "linux/arm/v7", false}, {"linux/amd64", "linux/arm64", false},
        {"windows/amd64", "linux/amd64", false}, {"LINUX/AMD64", "linux/amd64", true},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg__platform a, b;
        assert_int_equal(vg__platform_parse(&a, cases[i].a), 0);
        assert_int_equal(vg__platform_parse(&b, cases[i].b), 0);
        if (vg__platform_match(&a, &b) != cases[i].match)
            fail_msg("%s vs %s", cases[i].a, cases[i].b);
        vg__platform_dispose(&a);
        vg__platform_dispose(&b);
    }
    static const char *const bad[] = {"", "linux", "linux/", "/amd64", "a/b/c/d", "linux/am d64"};
    for (size_t i = 0; i < VG_ARRAY_LEN(bad); i++) {
        vg__platform p;
        assert_err(vg__platform_parse(&p, bad[i]), VG_EINVAL, "invalid platform");
    }
    vg__platform h;
    vg__platform_host(&h);
    assert_string_equal(h.os, "linux");
    assert_non_null(h.arch);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg__platform_format(&sb, &h);
    assert_non_null(strchr(sb.buf, '/'));
    vg_strbuf_dispose(&sb);
    vg__platform_dispose(&h);
}

/* ---- manifest parsing ---------------------------------------------------------------------- */

typedef struct man_case {
    const char *body;
    const char *mt;
    int rc;
    const char *msg; /* error substring, or for success "index"/"manifest" */
    size_t items;
} man_case;

static const man_case man_cases[] = {
    {"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1"
     "+json\",\"digest\":\"sha256:" D64 "\",\"size\":1,\"platform\":{\"os\":\"linux\","
     "\"architecture\":\"arm\",\"variant\":\"v7\"}}]}",
     NULL, 0, "index", 1},
    {"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" D64 "\"},\"layers\":[]}", NULL, 0,
     "manifest", 0},
    {"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" D64 "\"},\"layers\":[]}",
     "application/vnd.oci.image.index.v1+json", VG_EINVAL, ".manifests: missing", 0},
    {"{\"schemaVersion\":1,\"fsLayers\":[]}", NULL, VG_EINVAL, "schemaVersion", 0},
    {"{\"fsLayers\":[]}", NULL, VG_EINVAL, "schema 1", 0},
    {"{\"schemaVersion\":2}", "application/vnd.docker.distribution.manifest.v1+prettyjws",
     VG_EINVAL, "schema 1", 0},
    {"{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:../../etc/passwd\"}]}", NULL,
     VG_EINVAL, ".manifests[0].digest", 0},
    {"{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"md5:abc\"}]}", NULL, VG_EINVAL,
     "unsupported digest", 0},
    {"{\"schemaVersion\":2,\"manifests\":[],\"manifests\":[]}", NULL, VG_EINVAL, "duplicate", 0},
    {"{\"schemaVersion\":2,\"manifests\":[{\"digest\":", NULL, VG_EINVAL, "invalid JSON at line 1",
     0},
    {"[]", NULL, VG_EINVAL, "not a JSON object", 0},
    {"", NULL, VG_EINVAL, "empty document", 0},
    {"{\"schemaVersion\":2}", NULL, VG_EINVAL, "neither an image manifest nor an image index", 0},
    {"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
     "\"manifests\":[]}",
     "application/vnd.oci.image.manifest.v1+json", VG_EINVAL, "declared as an image manifest", 0},
    {"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" D64 "\"},\"layers\":[{\"digest\":"
     "\"sha256:" D64 "\"},{\"digest\":\"sha256:" D64 "\"},{\"digest\":\"sha256:" D64 "\"}]}",
     NULL, VG_ETOOBIG, "max_layers", 0},
    {"{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" D64 "\",\"size\":-1}]}", NULL,
     VG_EINVAL, ".manifests[0].size", 0},
    {"{\"schemaVersion\":2,\"manifests\":[]}",
     "application/vnd.oci.image.index.v1+json; "
     "charset=utf-8",
     0, "index", 0},
    {"{\"schemaVersion\":2}", "application/vnd.oci.descriptor.v1+json", VG_EINVAL,
     "unsupported media type", 0},
};

static void test_manifest_parse(void **state)
{
    (void)state;
    vg_image_limits lim;
    vg_image_limits_default(&lim);
    lim.max_layers = 2;
    for (size_t i = 0; i < VG_ARRAY_LEN(man_cases); i++) {
        const man_case *c = &man_cases[i];
        vg__manifest m;
        int rc = vg__manifest_parse(&m, c->body, strlen(c->body), c->mt, "doc", &lim);
        if (c->rc) {
            assert_err(rc, c->rc, c->msg);
            continue;
        }
        if (rc)
            fail_msg("case %zu: %s", i, vg_error_last());
        assert_int_equal(m.kind, strcmp(c->msg, "index") == 0 ? VG__DOC_INDEX : VG__DOC_MANIFEST);
        assert_int_equal(m.n_items, c->items);
        vg__manifest_dispose(&m);
    }
    vg__docker_manifest dm;
    assert_err(vg__docker_manifest_parse(&dm, "null", 4, "manifest.json", &lim), VG_EINVAL,
               "got null");
    assert_err(vg__docker_manifest_parse(&dm, "[{\"Layers\":[]}]", 15, "manifest.json", &lim),
               VG_EINVAL, "[0].Config");
}

/* ---- real images ------------------------------------------------------------------------- */

typedef struct img_case {
    const char *prefix; /* "" = bare */
    const char *rel;
    const char *suffix; /* ":TAG" or NULL */
    const char *platform;
    size_t n_layers;
    const char *layers[4]; /* expected digest sources, see expected_digest */
    const char *manifest;  /* same, for vg_image_manifest_digest */
    const char *want[4];   /* paths that must appear in some layer */
    size_t min_entries;    /* over all layers */
} img_case;

#define TB "images/go-containerregistry/tarball/"
#define OL "images/go-containerregistry/oci-layout/"
#define MU "images/go-containerregistry/mutate/"
#define SN "images/snyk/"
#define ST "images/stereoscope/"
#define ALPINE_WANT                                                                                \
    {                                                                                              \
        "etc/os-release", "lib/apk/db/installed"                                                   \
    }

static const img_case img_cases[] = {
    {"",
     "images/trivy/alpine-310.tar.gz",
     NULL,
     NULL,
     1,
     {"tar:images/trivy/alpine-310.tar.gz!71dba1fabbde4baabcdebcde4895d3f3887e388b09cef162f8159cf"
      "7daffa1b8/layer.tar"},
     "tar:images/trivy/alpine-310.tar.gz!af341ccd2df8b0e2d67cf8dd32e087bfda4e5756ebd1c76bbf3efa0"
     "dc246590e.json",
     ALPINE_WANT,
     482},
    {"oci-archive:",
     SN "containerd-alpine-3.14.tar",
     NULL,
     NULL,
     1,
     {"tar:" SN "containerd-alpine-3.14.tar!blobs/sha256/d261077062b2aebb9ca8dc61f2b00e7e2b4e441"
      "79d3cfbe526c4ee0c5e41b26f"},
     "tar:" SN "containerd-alpine-3.14.tar!blobs/sha256/c8844343d5ccbc9f24a7cca4bdcf5b2d43cde2c83"
     "d201b18365c99b1e5f24c80",
     ALPINE_WANT,
     400},
    {"oci-archive:",
     SN "containerd-alpine-3.14.tar",
     ":3.14",
     NULL,
     1,
     {"tar:" SN "containerd-alpine-3.14.tar!blobs/sha256/d261077062b2aebb9ca8dc61f2b00e7e2b4e441"
      "79d3cfbe526c4ee0c5e41b26f"},
     "tar:" SN "containerd-alpine-3.14.tar!blobs/sha256/c8844343d5ccbc9f24a7cca4bdcf5b2d43cde2c83"
     "d201b18365c99b1e5f24c80",
     ALPINE_WANT,
     400},
    {"docker-archive:",
     SN "containerd-alpine-3.14.tar",
     NULL,
     NULL,
     1,
     {"tar:" SN "containerd-alpine-3.14.tar!blobs/sha256/d261077062b2aebb9ca8dc61f2b00e7e2b4e441"
      "79d3cfbe526c4ee0c5e41b26f"},
     "tar:" SN "containerd-alpine-3.14.tar!blobs/sha256/6dff1269bc79a7c9056a9e9fa9c04850e842b012"
     "4a9c73d089ae647b13b0187d",
     ALPINE_WANT,
     400},
    {"",
     SN "containerd-busybox.amd64.tar",
     NULL,
     NULL,
     1,
     {"tar:" SN "containerd-busybox.amd64.tar!blobs/sha256/9ad63333ebc97e32b987ae66aa3cff81300e4"
      "c2e6d2f2395cef8a3ae18b249fe"},
     "tar:" SN "containerd-busybox.amd64.tar!blobs/sha256/3f57d9401f8d42f986df300f0c69192fc41da2"
     "8ccc8d797829467780db3dd741",
     {"bin/busybox"},
     100},
    {"oci-archive:",
     SN "containerd-busybox.amd64.tar",
     NULL,
     NULL,
     1,
     {"tar:" SN "containerd-busybox.amd64.tar!blobs/sha256/9ad63333ebc97e32b987ae66aa3cff81300e4"
      "c2e6d2f2395cef8a3ae18b249fe"},
     NULL,
     {"bin/busybox"},
     100},
    {"",
     SN "skopeo-docker-archive-busybox.tar",
     NULL,
     NULL,
     1,
     {"tar:" SN "skopeo-docker-archive-busybox.tar!195be5f8be1df6709dafbba7ce48f2eee785ab7775b88"
      "e0c115d8205407265c5.tar"},
     "tar:" SN "skopeo-docker-archive-busybox.tar!6d5fcfe5ff170471fcc3c8b47631d6d71202a1fd44cf3c"
     "147e50c8de21cf0648.json",
     {"bin/busybox"},
     100},
    {"",
     SN "oci-archive-busybox-1.31.1.tar",
     NULL,
     NULL,
     1,
     {"tar:" SN "oci-archive-busybox-1.31.1.tar!blobs/sha256/76df9210b28cbd4bc127844914d0a23937"
      "ed213048dc6289b2a2d4f7d675c75e"},
     "tar:" SN "oci-archive-busybox-1.31.1.tar!blobs/sha256/320034a9c54581568f3df5587ab46296bdd3"
     "eb06435fd7c9dd567bbb71bf0b36",
     {"bin/busybox"},
     400},
    {"oci-archive:",
     SN "docker-oci-archive-busybox.armv7.tar",
     NULL,
     "linux/arm/v7",
     1,
     {"tar:" SN "docker-oci-archive-busybox.armv7.tar!blobs/sha256/3768f45bed9bfab0a4e7483a31c7"
      "80847a6d025fea3da5f3a95d9e10a50e6cb4"},
     "tar:" SN "docker-oci-archive-busybox.armv7.tar!blobs/sha256/7aabb59a4cd2e069234070f763403f"
     "230d03117b93d55ba531952f9f697b19c3",
     {"bin/busybox"},
     100},
    {"",
     SN "docker-oci-archive-busybox.armv7.tar",
     NULL,
     NULL,
     1,
     {"tar:" SN "docker-oci-archive-busybox.armv7.tar!blobs/sha256/3768f45bed9bfab0a4e7483a31c7"
      "80847a6d025fea3da5f3a95d9e10a50e6cb4"},
     "tar:" SN "docker-oci-archive-busybox.armv7.tar!blobs/sha256/74c89ecc3230154ecfcbab950dbf1e"
     "19827a6b2a1e95358c9afe9bb97478ad8a",
     {"bin/busybox"},
     100},
    {"",
     SN "docker-save-v25-hello-world.tar",
     NULL,
     NULL,
     1,
     {"tar:" SN "docker-save-v25-hello-world.tar!blobs/sha256/ac28800ec8bb38d5c35b49d45a6ac47775"
      "44941199075dff8c4eb63e093aa81e"},
     "tar:" SN "docker-save-v25-hello-world.tar!blobs/sha256/d2c94e258dcb3c5ac2798d32e1249e42ef"
     "01cba4841c2234249495f87264ac5a",
     {"hello"},
     1},
    {"",
     ST "valid_oci_dir",
     NULL,
     NULL,
     1,
     {"file:" ST "valid_oci_dir/blobs/sha256/00ffd085e9e7c06d20fdc61119a8d08e5c8bd3c1c320d10494ce"
      "6ed86691c06c"},
     "file:" ST "valid_oci_dir/blobs/sha256/c1ed04a3da941a5dd09b58b16c37f065557863d382ef97995ddac"
     "885a8452ebb",
     {"README.md"},
     1},
    {"oci:",
     ST "valid_oci_dir",
     ":1.0",
     "linux/amd64",
     1,
     {"file:" ST "valid_oci_dir/blobs/sha256/00ffd085e9e7c06d20fdc61119a8d08e5c8bd3c1c320d10494ce"
      "6ed86691c06c"},
     NULL,
     {"README.md"},
     1},
    {"",
     ST "valid-oci.tar",
     ":latest",
     NULL,
     1,
     {"tar:" ST "valid-oci.tar!blobs/sha256/00ffd085e9e7c06d20fdc61119a8d08e5c8bd3c1c320d10494ce"
      "6ed86691c06c"},
     "tar:" ST "valid-oci.tar!blobs/sha256/c1ed04a3da941a5dd09b58b16c37f065557863d382ef97995ddac"
     "885a8452ebb",
     {"README.md"},
     1},
    {"",
     ST "multiplatform_oci_dir",
     NULL,
     "linux/amd64",
     1,
     {"file:" ST "multiplatform_oci_dir/blobs/sha256/9795e995b4d86eb9409970bc5bff940f0d67a54e8f52"
      "dd39abb8c6504187af89"},
     "file:" ST "multiplatform_oci_dir/blobs/sha256/e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f"
     "3e4b9f608179ffb20e8",
     {"linux/amd64/README.md"},
     3},
    {"oci:",
     ST "multiplatform_oci_dir",
     ":latest",
     "linux/arm64",
     1,
     {"file:" ST "multiplatform_oci_dir/blobs/sha256/1803d4b442b422fa8380e13687da6cc408e6db8f173b"
      "aa89c95d08539083e8dd"},
     "file:" ST "multiplatform_oci_dir/blobs/sha256/5ed07065bcbc6c52e3ad28526557d7b6833613fc79257"
     "b1a786de85e37c03b05",
     {"linux/arm64/README.md"},
     3},
    {"",
     TB "test_image_1.tar",
     NULL,
     NULL,
     1,
     {"tar:" TB "test_image_1.tar!555b1001d54ed229f56990845856f080b0707348b26b3aa85aaf58d5570cdee"
      "0/layer.tar"},
     "tar:" TB "test_image_1.tar!6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e"
     ".json",
     {NULL},
     1},
    {"",
     TB "test_image_2.tar",
     NULL,
     NULL,
     1,
     {"tar:" TB "test_image_2.tar!8e17bd53a9cb6d38a0c7d21e8a0f943449f494aa0c3de2425a3dd9be8844a19"
      "b/layer.tar"},
     "tar:" TB "test_image_2.tar!930705ce23e3b6ed4c08746b6fe880089c864fbaf62482702ae3fdd66b8c7fe9"
     ".json",
     {NULL},
     1},
    {"docker-archive:",
     TB "test_load_manifest.tar",
     NULL,
     NULL,
     1,
     {"tar:" TB "test_load_manifest.tar!555b1001d54ed229f56990845856f080b0707348b26b3aa85aaf58d5"
      "570cdee0/layer.tar"},
     NULL,
     {NULL},
     1},
    {"",
     TB "test_bundle.tar",
     NULL,
     NULL,
     1,
     {"tar:" TB "test_bundle.tar!8e17bd53a9cb6d38a0c7d21e8a0f943449f494aa0c3de2425a3dd9be8844a19b"
      "/layer.tar"},
     "tar:" TB "test_bundle.tar!930705ce23e3b6ed4c08746b6fe880089c864fbaf62482702ae3fdd66b8c7fe9."
     "json",
     {NULL},
     1},
    {"",
     TB "test_bundle.tar",
     ":test_image_1",
     NULL,
     1,
     {"tar:" TB "test_bundle.tar!555b1001d54ed229f56990845856f080b0707348b26b3aa85aaf58d5570cdee0"
      "/layer.tar"},
     "tar:" TB "test_bundle.tar!6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e."
     "json",
     {NULL},
     1},
    {"",
     TB "test_link.tar",
     NULL,
     NULL,
     1,
     {"tar:" TB "test_link.tar!6e77476643c3155b1e9ae07dd5a4c8288bdb6590c131c222b7a3f277dec1e266/"
      "layer.tar"},
     NULL,
     {NULL},
     1},
    {"docker-archive:",
     TB "test_link.tar",
     ":bazel/v1/tarball:test_image_3",
     NULL,
     2,
     {"tar:" TB "test_link.tar!6e77476643c3155b1e9ae07dd5a4c8288bdb6590c131c222b7a3f277dec1e266/"
      "layer.tar",
      "tar:" TB "test_link.tar!3fe17a762ab6ad87de78c88326e1667b3e6a8924a0eb92a34a2bfeb40f49824d/"
      "layer.tar"},
     "tar:" TB
     "test_link.tar!d4c9adacde69c3d92446e0484cea29493e9fd573cf0c8febfc700d80c46697a4.json",
     {NULL},
     1},
    {"",
     TB "hello-world-v25.tar",
     NULL,
     NULL,
     1,
     {"tar:" TB "hello-world-v25.tar!blobs/sha256/12660636fe55438cc3ae7424da7ac56e845cdb52493ff9c"
      "f949c47a7f57f8b43"},
     "tar:" TB "hello-world-v25.tar!blobs/sha256/ee301c921b8aadc002973b2e0c3da17d701dcd994b606769"
     "a7e6eaa100b81d44",
     {"hello"},
     1},
    {"",
     MU "overwritten_file.tar",
     NULL,
     NULL,
     3,
     {"tar:" MU "overwritten_file.tar!5b5728146005cb338fe8c7199ea6b0171cc9c9b8c2b32ad6cc962ae24fb"
      "e8198/layer.tar",
      "tar:" MU "overwritten_file.tar!70296ca1c44f543cb7676f595b60d089f2525682912c528b59cf87af16e"
      "fa57a/layer.tar",
      "tar:" MU "overwritten_file.tar!a95dabef1c8b9ee2fcb3eb890da9449dc2efa5657672c66f3b5a5a6312f"
      "90269/layer.tar"},
     NULL,
     {NULL},
     3},
    {"",
     MU "source_image.tar",
     NULL,
     NULL,
     1,
     {"tar:" MU "source_image.tar!555b1001d54ed229f56990845856f080b0707348b26b3aa85aaf58d5570cdee"
      "0/layer.tar"},
     NULL,
     {NULL},
     1},
    {"",
     MU "source_image_with_empty_layer_history.tar",
     NULL,
     NULL,
     1,
     {"tar:" MU "source_image_with_empty_layer_history.tar!555b1001d54ed229f56990845856f080b0707"
      "348b26b3aa85aaf58d5570cdee0/layer.tar"},
     NULL,
     {NULL},
     1},
    {"",
     MU "whiteout_dir.tar",
     NULL,
     NULL,
     4,
     {"tar:" MU "whiteout_dir.tar!e351ee8e5cab41e244c9a219e949dcc90cfa157f0a216157e3406eeef976a95"
      "3.tar.gz",
      "tar:" MU "whiteout_dir.tar!66386e0afc5a20378faa73a0d72ebcd690c13248867dfc299997ab5d6c5a460"
      "8.tar.gz",
      "tar:" MU "whiteout_dir.tar!9d8bff046c709e215d2c0a5b720ca4edf67e925af8078393ae99ed0724963e4"
      "0.tar.gz",
      "tar:" MU "whiteout_dir.tar!a09a7f2d8191df180b280eceb816ba2ce5440564e4e41b79d9f8d7641aa7171"
      "a.tar.gz"},
     "tar:" MU "whiteout_dir.tar!sha256:92f1e3d53acdc7e137e73869abc4e87aba6614440a31723423790ca0d"
     "5db9111",
     {"a/foo", "b/bar", ".wh.a", "a/baz"},
     4},
    {"",
     MU "whiteout_image.tar",
     NULL,
     NULL,
     3,
     {"tar:" MU "whiteout_image.tar!5f986a6829b24e82d482cf90b5a9bcff697b9aa9d6b57d2d229854f0e32de"
      "2b5/layer.tar",
      "tar:" MU "whiteout_image.tar!b06a6174b68ccb97455ee08975579ac57f8a11420fc3d029a37edcad5ecae"
      "418/layer.tar",
      "tar:" MU "whiteout_image.tar!9c974b5759fc644ca0e9f30966a6a1007bd4f77388523e2b625a4bc7dfa92"
      "81e/layer.tar"},
     NULL,
     {".wh.foo.txt"},
     3},
    {"",
     OL "test_index",
     NULL,
     NULL,
     1,
     {"file:" OL "test_index/blobs/sha256/dc52c6e48a1d51a96047b059f16889bc889c4b4c28f3b36b3f9318"
      "7f62fc0b2b"},
     "file:" OL "test_index/blobs/sha256/eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6f"
     "c2b278650",
     {"foo", "bar"},
     3},
    {"oci:",
     OL "test_index",
     ":3",
     NULL,
     1, /* through a nested OCI index */
     {"file:" OL "test_index/blobs/sha256/dc52c6e48a1d51a96047b059f16889bc889c4b4c28f3b36b3f9318"
      "7f62fc0b2b"},
     "file:" OL "test_index/blobs/sha256/eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6f"
     "c2b278650",
     {"foo"},
     3},
    {"oci:",
     OL "test_index",
     ":4",
     NULL,
     1, /* through a Docker manifest list */
     {"file:" OL "test_index/blobs/sha256/dc52c6e48a1d51a96047b059f16889bc889c4b4c28f3b36b3f9318"
      "7f62fc0b2b"},
     NULL,
     {"foo"},
     3},
    {"",
     OL "test_gc_index",
     NULL,
     NULL,
     1,
     {"file:" OL "test_gc_index/blobs/sha256/dc52c6e48a1d51a96047b059f16889bc889c4b4c28f3b36b3f9"
      "3187f62fc0b2b"},
     NULL,
     {"foo"},
     3},
    {"",
     OL "test_index_one_image",
     NULL,
     NULL,
     1,
     {"file:" OL "test_index_one_image/blobs/sha256/492b89b9dd3cda4596f94916d17f6901455fb8bd7f4"
      "c5a2a90df8d39c90f48a0"},
     "file:" OL "test_index_one_image/blobs/sha256/98ceaf93e482fe91b9bfd6bba07137c098e49ee2d55e6"
     "9f09fb6c951e75e0e46",
     {NULL},
     1},
};

static void test_real_images(void **state)
{
    (void)state;
    for (size_t c = 0; c < VG_ARRAY_LEN(img_cases); c++) {
        const img_case *t = &img_cases[c];
        char *ref = ref_for(t->prefix, t->rel, t->suffix);
        vg_image_opts opts;
        vg_image_opts_default(&opts);
        opts.platform = t->platform;
        vg_image *img = NULL;
        int rc = vg_image_open(&img, ref, &opts);
        if (rc)
            fail_msg("%s: %s", ref, vg_error_last());
        if (vg_image_layer_count(img) != t->n_layers)
            fail_msg("%s: %zu layers, want %zu", ref, vg_image_layer_count(img), t->n_layers);
        if (t->manifest) {
            char *want = expected_digest(t->manifest);
            if (strcmp(vg_image_manifest_digest(img), want) != 0)
                fail_msg("%s: manifest digest %s, want %s", ref, vg_image_manifest_digest(img),
                         want);
            free(want);
        }
        size_t entries = 0;
        bool found[4] = {false};
        for (size_t i = 0; i < t->n_layers; i++) {
            const vg_layer_desc *d = vg_image_layer(img, i);
            char *want = expected_digest(t->layers[i]);
            if (strcmp(d->digest, want) != 0)
                fail_msg("%s: layer %zu digest %s, want %s", ref, i, d->digest, want);
            free(want);
            assert_true(d->size > 0);
            walk_out w;
            walk_layer(&w, img, i, t->want);
            if (w.rc || w.close_rc)
                fail_msg("%s: layer %zu: %s", ref, i, vg_error_last());
            entries += w.entries;
            for (size_t k = 0; k < 4; k++)
                found[k] |= w.found[k];
        }
        if (entries < t->min_entries)
            fail_msg("%s: %zu entries, want at least %zu", ref, entries, t->min_entries);
        if (strstr(t->rel, "alpine-310"))
            assert_int_equal(entries, t->min_entries);
        for (size_t k = 0; k < 4 && t->want[k]; k++)
            if (!found[k])
                fail_msg("%s: no entry %s", ref, t->want[k]);
        vg_image_free(img);
        free(ref);
    }
}

/* ---- real error cases ---------------------------------------------------------------------- */

typedef struct err_case {
    const char *prefix, *rel, *suffix, *platform;
    bool at_open; /* else: the error comes while walking layer 0 */
    int rc;
    const char *msg[3];
} err_case;

static const err_case err_cases[] = {
    {"", ST "invalid_file", NULL, NULL, true, VG_EINVAL, {"index.json", "empty document"}},
    {"oci:",
     ST "no_manifests",
     NULL,
     NULL,
     true,
     VG_EINVAL,
     {"index.json", "expected an image index", "manifest.v2+json"}},
    {"",
     ST "valid_manifest",
     NULL,
     "linux/arm",
     true,
     VG_EINVAL,
     {"digest mismatch for sha256:f67dcc5fc786f04f0743abfe0ee5dae9bd8caf8efa6c8144f7f2a43889dc513b"
      ": got sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
    {"",
     ST "valid_manifest",
     NULL,
     "linux/amd64",
     true,
     VG_ENOTFOUND,
     {"no manifest for platform linux/amd64", "available: linux/arm/v7"}},
    {"",
     SN "oci-archive-alpine-3.12.0-trimmed-layer.tar",
     NULL,
     NULL,
     false,
     VG_EINVAL,
     {"digest mismatch for sha256:df20fa9351a15782c64e6dddb2d4a6f50bf6d3688060a34c4014b0d9a752eb4"
      "c: got sha256:bf2fa495",
      "size 6165, expected 2797541"}},
    {"oci-archive:",
     SN "docker-oci-archive-busybox.armv7.tar",
     NULL,
     NULL,
     true,
     VG_ENOTFOUND,
     {"no manifest for platform", "available: linux/arm/v7"}},
    {"oci-archive:",
     SN "docker-oci-archive-busybox.armv7.tar",
     NULL,
     "linux/amd64",
     true,
     VG_ENOTFOUND,
     {"no manifest for platform linux/amd64 (available: linux/arm/v7)"}},
    {"docker-archive:",
     SN "docker-oci-archive-busybox.armv7.tar",
     NULL,
     "linux/amd64",
     true,
     VG_ENOTFOUND,
     {"no manifest for platform linux/amd64 (the image is linux/arm/v7)"}},
    {"", TB "no_manifest.tar", NULL, NULL, true, VG_ENOTFOUND, {"no manifest.json", "legacy"}},
    {"",
     TB "null_manifest.tar",
     NULL,
     NULL,
     true,
     VG_EINVAL,
     {"manifest.json", "expected an array of images, got null"}},
    {"oci-archive:",
     TB "hello-world-v25.tar",
     NULL,
     NULL,
     true,
     VG_EINVAL,
     {"index.json", "\"manifests\" is null"}},
    {"",
     TB "test_bundle.tar",
     ":nope",
     NULL,
     true,
     VG_ENOTFOUND,
     {"no image tagged \"nope\"", "test_image_2"}},
    {"",
     OL "test_index_media_type",
     NULL,
     NULL,
     true,
     VG_ENOTFOUND,
     {"no image manifest", "artifact application/vnd.cncf.helm.config.v1+json"}},
    {"",
     OL "test_gc_image_unknown_mediatype",
     NULL,
     NULL,
     true,
     VG_ENOTFOUND,
     {"no image manifest", "media type application/vnd.oci.descriptor.v1+json"}},
    {"oci:",
     OL "test_index",
     ":2",
     NULL,
     true,
     VG_ENOTFOUND,
     {"skipped: media type application/vnd.oci.descriptor.v1+json"}},
    {"oci:",
     OL "test_index",
     ":9",
     NULL,
     true,
     VG_ENOTFOUND,
     {"no image tagged \"9\"", "tags: 1, 2, 3, 4"}},
    {"docker-archive:",
     SN "oci-archive-busybox-1.31.1.tar",
     NULL,
     NULL,
     true,
     VG_ENOTFOUND,
     {"no manifest.json"}},
    {"oci-archive:",
     "images/trivy/alpine-310.tar.gz",
     NULL,
     NULL,
     true,
     VG_ENOTFOUND,
     {"index.json not found"}},
    {"",
     SN "containerd-alpine-3.14.tar",
     NULL,
     "linux/bogus!",
     true,
     VG_EINVAL,
     {"invalid platform"}},
};

static void test_real_errors(void **state)
{
    (void)state;
    for (size_t c = 0; c < VG_ARRAY_LEN(err_cases); c++) {
        const err_case *t = &err_cases[c];
        char *ref = ref_for(t->prefix, t->rel, t->suffix);
        vg_image_opts opts;
        vg_image_opts_default(&opts);
        opts.platform = t->platform;
        vg_image *img = NULL;
        int rc = vg_image_open(&img, ref, &opts);
        if (!t->at_open) {
            if (rc)
                fail_msg("%s: %s", ref, vg_error_last());
            walk_out w;
            walk_layer(&w, img, 0, NULL);
            rc = w.rc ? w.rc : w.close_rc;
            vg_image_free(img);
        } else {
            assert_null(img);
        }
        if (rc != t->rc)
            fail_msg("%s: want %d, got %d: %s", ref, t->rc, rc, vg_error_last());
        for (size_t k = 0; k < 3 && t->msg[k]; k++)
            if (!strstr(vg_error_last(), t->msg[k]))
                fail_msg("%s: message \"%s\" lacks \"%s\"", ref, vg_error_last(), t->msg[k]);
        free(ref);
    }
}

/* The single-layer files under images/layers, each wrapped into a generated OCI layout. */
static void test_layer_files(void **state)
{
    (void)state;
    static const struct {
        const char *rel;
        int rc;
        const char *msg;
        size_t entries; /* 0: at least one */
    } cases[] = {
        /* The plain tar carries two .DS_Store files more than the gzip one. */
        {"images/layers/compression/utils_test.tar", 0, NULL, 9},
        {"images/layers/compression/utils_test.tar.gz", 0, NULL, 6},
        {"images/layers/compression/utils_test.tar.bz2", VG_EINVAL, "unsupported compression bzip2",
         0},
        {"images/layers/compression/utils_test.tar.xz", VG_EINVAL, "unsupported compression xz", 0},
        {"images/layers/whiteout.layer", 0, NULL, 0},
        {"images/layers/whiteout_advanced.layer", 0, NULL, 0},
        {"images/layers/whiteout_opaque.layer", 0, NULL, 0},
        {"images/layers/claircore-tarfs/bad_name.tar", 0, NULL, 0},
        {"images/layers/claircore-tarfs/concat.tar", 0, NULL, 0},
        {"images/layers/claircore-tarfs/oddlayer.tar", 0, NULL, 1},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        char *p = shared(cases[i].rel);
        vg_strbuf layer;
        vg_strbuf_init(&layer, 0);
        size_t len;
        char *data = vg_test_read_file(p, &len);
        assert_non_null(data);
        vg_strbuf_append(&layer, data, len);
        free(data);
        char *dir = make_oci(&layer, 1, 0, NULL);
        char *ref = oci_ref(dir);
        vg_image *img;
        if (vg_image_open(&img, ref, NULL) != 0)
            fail_msg("%s: %s", cases[i].rel, vg_error_last());
        walk_out w;
        walk_layer(&w, img, 0, NULL);
        int rc = w.rc ? w.rc : w.close_rc;
        if (cases[i].rc)
            assert_err(rc, cases[i].rc, cases[i].msg);
        else if (rc)
            fail_msg("%s: %s", cases[i].rel, vg_error_last());
        else if (cases[i].entries)
            assert_int_equal(w.entries, cases[i].entries);
        else
            assert_true(w.entries > 0);
        vg_image_free(img);
        vg_strbuf_dispose(&layer);
        free(ref);
        rm_tree(dir);
        free(dir);
        free(p);
    }
}

/* ---- generated hostile layers ------------------------------------------------------------- */

static void test_truncated_gzip(void **state)
{
    (void)state;
    tarb t;
    tarb_open(&t, "gzip");
    for (int i = 0; i < 64; i++) {
        char name[32], body[4096];
        snprintf(name, sizeof(name), "f%02d", i);
        for (size_t k = 0; k < sizeof(body); k++)
            body[k] = (char)((k * 7919u + (size_t)i * 104729u) >> 3);
        tarb_add(&t, name, AE_IFREG, NULL, body, sizeof(body));
    }
    vg_strbuf full = tarb_close(&t);
    full.len /= 2; /* the digest is of the truncated bytes: only the stream is broken */
    walk_out w;
    char *digest = NULL;
    walk_generated(&w, &full, 0, NULL, &digest);
    assert_err(w.rc, VG_EINVAL, "truncated or corrupt stream");
    assert_non_null(strstr(vg_error_last(), digest));
    free(digest);
    vg_strbuf_dispose(&full);
}

static void test_gzip_bomb(void **state)
{
    (void)state;
    tarb t;
    tarb_open(&t, "gzip");
    tarb_zeros(&t, "bomb", (size_t)64 << 20);
    vg_strbuf bomb = tarb_close(&t);
    assert_true(bomb.len < (size_t)1 << 20);
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    /* The default max_ratio (1000:1) against deflate's best (~1030:1 on zeros): the check
     * must count compressed bytes consumed, not read ahead, to catch it early. */
    opts.limits.max_ratio_floor = (uint64_t)1 << 20;
    walk_out w;
    char *digest = NULL;
    walk_generated(&w, &bomb, 0, &opts, &digest);
    assert_err(w.rc, VG_ETOOBIG, "max_ratio");
    assert_non_null(strstr(vg_error_last(), digest));
    free(digest);
    /* A caller that never reads data: libarchive skips the entry, and the cap still fires
     * while it inflates (checked as compressed bytes are handed over). */
    char *dir = make_oci(&bomb, 1, 0, NULL);
    char *ref = oci_ref(dir);
    vg_image *img;
    assert_int_equal(vg_image_open(&img, ref, &opts), 0);
    vg_layer_stream *s;
    assert_int_equal(vg_layer_open(&s, img, 0), 0);
    vg_entry e;
    assert_int_equal(vg_layer_next(s, &e), 1);
    assert_string_equal(e.path, "bomb");
    assert_err(vg_layer_next(s, &e), VG_ETOOBIG, "max_ratio");
    assert_err(vg_layer_next(s, &e), VG_ETOOBIG, "max_ratio"); /* sticky */
    assert_err(vg_layer_close(s), VG_ETOOBIG, "max_ratio");
    vg_image_free(img);
    free(ref);
    rm_tree(dir);
    free(dir);
    /* The same layer under max_layer_bytes. */
    vg_image_opts_default(&opts);
    opts.limits.max_layer_bytes = (uint64_t)8 << 20;
    walk_generated(&w, &bomb, 0, &opts, NULL);
    assert_err(w.rc, VG_ETOOBIG, "max_layer_bytes");
    /* Defaults: 64 MiB at ~1000:1 passes the floor, but gzip tops out near 1030:1. */
    vg_strbuf_dispose(&bomb);
}

/* A sparse entry: 1 GiB of holes around 512 bytes of data, a few KB compressed. The holes
 * are synthesized by libarchive, so the caps must count bytes handed out too. */
static void test_sparse_bomb(void **state)
{
    (void)state;
    tarb t;
    tarb_open(&t, "gzip");
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "sparse");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)1 << 30);
    archive_entry_sparse_add_entry(e, 0, 512);
    assert_int_equal(archive_write_header(t.a, e), ARCHIVE_OK);
    char data[512];
    memset(data, 'x', sizeof(data));
    assert_int_equal(archive_write_data(t.a, data, sizeof(data)), 512);
    archive_entry_free(e);
    vg_strbuf l = tarb_close(&t);
    assert_true(l.len < 8192);
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    opts.limits.max_ratio_floor = (uint64_t)1 << 20;
    walk_out w;
    walk_generated(&w, &l, 0, &opts, NULL);
    assert_err(w.rc, VG_ETOOBIG, "max_ratio");
    assert_true(w.bytes < ((uint64_t)8 << 20));
    vg_image_opts_default(&opts);
    opts.limits.max_layer_bytes = (uint64_t)4 << 20;
    walk_generated(&w, &l, 0, &opts, NULL);
    assert_err(w.rc, VG_ETOOBIG, "max_layer_bytes");
    vg_strbuf_dispose(&l);
}

static void test_entry_flood(void **state)
{
    (void)state;
    tarb t;
    tarb_open(&t, "gzip");
    for (int i = 0; i < 20000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "d/%06d", i);
        tarb_add(&t, name, AE_IFREG, NULL, NULL, 0);
    }
    vg_strbuf flood = tarb_close(&t);
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    opts.limits.max_entries = 10000;
    walk_out w;
    walk_generated(&w, &flood, 0, &opts, NULL);
    assert_err(w.rc, VG_ETOOBIG, "more than 10000 entries (max_entries)");
    assert_int_equal(w.entries, 10000);
    vg_image_opts_default(&opts);
    walk_generated(&w, &flood, 0, &opts, NULL);
    assert_int_equal(w.rc, 0);
    assert_int_equal(w.close_rc, 0);
    assert_int_equal(w.entries, 20000);
    vg_strbuf_dispose(&flood);
}

static void test_long_path(void **state)
{
    (void)state;
    char name[301];
    memset(name, 'a', 300);
    name[300] = '\0';
    tarb t;
    tarb_open(&t, NULL);
    tarb_add(&t, name, AE_IFREG, NULL, "x", 1);
    vg_strbuf l = tarb_close(&t);
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    opts.limits.max_path = 200;
    walk_out w;
    walk_generated(&w, &l, 0, &opts, NULL);
    assert_err(w.rc, VG_ETOOBIG, "max_path");
    vg_strbuf_dispose(&l);
}

/* Traversal names and absolute links come back verbatim, and nothing lands on disk. */
static void test_hostile_names(void **state)
{
    (void)state;
    tarb t;
    tarb_open(&t, "zstd");
    tarb_add(&t, "../../vg-escape.txt", AE_IFREG, NULL, "pwned", 5);
    tarb_add(&t, "/vg-abs/file", AE_IFREG, NULL, "abs", 3);
    tarb_add(&t, "etc/shadow-link", AE_IFLNK, "/etc/shadow", NULL, 0);
    tarb_add(&t, "up", AE_IFLNK, "../../../../", NULL, 0);
    tarb_add(&t, "hard", AE_IFREG, "../../vg-escape.txt", NULL, 0);
    vg_strbuf l = tarb_close(&t);
    char *dir = make_oci(&l, 1, 0, NULL);
    char *ref = oci_ref(dir);
    vg_image *img;
    assert_int_equal(vg_image_open(&img, ref, NULL), 0);
    vg_layer_stream *s;
    assert_int_equal(vg_layer_open(&s, img, 0), 0);
    static const struct {
        const char *path, *link;
        vg_entry_type type;
    } want[] = {
        {"../../vg-escape.txt", NULL, VG_ENTRY_FILE},
        {"/vg-abs/file", NULL, VG_ENTRY_FILE},
        {"etc/shadow-link", "/etc/shadow", VG_ENTRY_SYMLINK},
        {"up", "../../../../", VG_ENTRY_SYMLINK},
        {"hard", "../../vg-escape.txt", VG_ENTRY_HARDLINK},
    };
    vg_entry e;
    for (size_t i = 0; i < VG_ARRAY_LEN(want); i++) {
        assert_int_equal(vg_layer_next(s, &e), 1);
        assert_string_equal(e.path, want[i].path);
        assert_int_equal(e.type, want[i].type);
        if (want[i].link)
            assert_string_equal(e.linkname, want[i].link);
        if (i == 0) {
            char buf[16];
            assert_int_equal(vg_layer_read(s, buf, sizeof(buf)), 5);
            assert_memory_equal(buf, "pwned", 5);
            assert_int_equal(vg_layer_read(s, buf, sizeof(buf)), 0);
        }
    }
    assert_int_equal(vg_layer_next(s, &e), 0);
    assert_int_equal(vg_layer_close(s), 0);
    struct stat st;
    assert_int_not_equal(stat("../../vg-escape.txt", &st), 0);
    assert_int_not_equal(stat("/vg-abs", &st), 0);
    vg_strbuf esc;
    vg_strbuf_init(&esc, 0);
    vg_strbuf_printf(&esc, "%s/../vg-escape.txt", dir);
    assert_int_not_equal(stat(esc.buf, &st), 0);
    vg_strbuf_dispose(&esc);
    vg_image_free(img);
    free(ref);
    rm_tree(dir);
    free(dir);
    vg_strbuf_dispose(&l);
}

static vg_strbuf small_tar(const char *filter)
{
    tarb t;
    tarb_open(&t, filter);
    tarb_add(&t, "etc/", AE_IFDIR, NULL, NULL, 0);
    tarb_add(&t, "etc/os-release", AE_IFREG, NULL, "ID=test\n", 8);
    tarb_add(&t, "etc/motd", AE_IFREG, NULL, "hello\n", 6);
    return tarb_close(&t);
}

static void test_digest_mismatch(void **state)
{
    (void)state;
    vg_strbuf l = small_tar("gzip");
    walk_out w;
    char *digest = NULL;
    walk_generated(&w, &l, OCI_CORRUPT_LAYER, NULL, &digest);
    int rc = w.rc ? w.rc : w.close_rc;
    vg_strbuf msg;
    vg_strbuf_init(&msg, 0);
    vg_strbuf_printf(&msg, "digest mismatch for %s: got sha256:", digest);
    assert_err(rc, VG_EINVAL, msg.buf);
    vg_strbuf_dispose(&msg);
    free(digest);
    vg_strbuf_dispose(&l);
}

/* Trailing bytes after the end-of-archive blocks are outside the tar, but inside the digest:
 * vg_layer_close must read them and report the mismatch even when the caller stopped early. */
static void test_close_drains(void **state)
{
    (void)state;
    /* Larger than one read chunk, so that the trailing bytes are not read at open. */
    tarb t;
    tarb_open(&t, NULL);
    tarb_add(&t, "etc/os-release", AE_IFREG, NULL, "ID=test\n", 8);
    tarb_zeros(&t, "big", (size_t)1 << 20);
    vg_strbuf l = tarb_close(&t);
    char *dir = make_oci(&l, 1, 0, NULL);
    char *ref = oci_ref(dir);
    vg_image *img;
    assert_int_equal(vg_image_open(&img, ref, NULL), 0);
    vg_layer_stream *s;
    vg_entry e;
    /* Stop after one entry: close still verifies, and the blob is intact. */
    assert_int_equal(vg_layer_open(&s, img, 0), 0);
    assert_int_equal(vg_layer_next(s, &e), 1);
    assert_int_equal(vg_layer_close(s), 0);
    /* Now append garbage to the blob file behind the manifest's back. */
    const char *d = vg_image_layer(img, 0)->digest;
    vg_strbuf p;
    vg_strbuf_init(&p, 0);
    vg_strbuf_printf(&p, "%s/blobs/sha256/%s", dir, d + 7);
    FILE *f = fopen(p.buf, "ab");
    assert_non_null(f);
    fputs("trailing", f);
    fclose(f);
    assert_int_equal(vg_layer_open(&s, img, 0), 0);
    assert_int_equal(vg_layer_next(s, &e), 1);
    assert_err(vg_layer_close(s), VG_EINVAL, "digest mismatch");
    /* abort skips the check. */
    assert_int_equal(vg_layer_open(&s, img, 0), 0);
    vg_layer_abort(s);
    vg_strbuf_dispose(&p);
    vg_image_free(img);
    free(ref);
    rm_tree(dir);
    free(dir);
    vg_strbuf_dispose(&l);
}

static void test_missing_blobs(void **state)
{
    (void)state;
    vg_strbuf l = small_tar("gzip");
    char *digest = NULL;
    char *dir = make_oci(&l, 1, OCI_MISSING_LAYER, &digest);
    char *ref = oci_ref(dir);
    vg_image *img;
    assert_int_equal(vg_image_open(&img, ref, NULL), 0);
    vg_layer_stream *s;
    assert_err(vg_layer_open(&s, img, 0), VG_ENOTFOUND, "not found");
    assert_non_null(strstr(vg_error_last(), digest));
    assert_err(vg_layer_open(&s, img, 1), VG_EINVAL, "out of range");
    vg_image_free(img);
    free(ref);
    rm_tree(dir);
    free(dir);
    free(digest);

    dir = make_oci(&l, 1, OCI_MISSING_CONFIG, NULL);
    ref = oci_ref(dir);
    img = NULL;
    assert_err(vg_image_open(&img, ref, NULL), VG_ENOTFOUND, "not found");
    assert_null(img);
    free(ref);
    rm_tree(dir);
    free(dir);
    vg_strbuf_dispose(&l);
}

static void test_refused_formats(void **state)
{
    (void)state;
    walk_out w;
    /* zstd and plain are fine. */
    vg_strbuf z = small_tar("zstd");
    walk_generated(&w, &z, 0, NULL, NULL);
    assert_int_equal(w.rc, 0);
    assert_int_equal(w.close_rc, 0);
    assert_int_equal(w.entries, 3);
    assert_int_equal(w.bytes, 14);
    vg_strbuf_dispose(&z);
    /* xz, gzip-in-gzip and not-a-tar are refused with a reason. */
    vg_strbuf x = small_tar("xz");
    walk_generated(&w, &x, 0, NULL, NULL);
    assert_err(w.rc, VG_EINVAL, "unsupported compression xz");
    vg_strbuf_dispose(&x);
    vg_strbuf g = small_tar("gzip");
    vg_strbuf gg = gzip_raw(g.buf, g.len);
    walk_generated(&w, &gg, 0, NULL, NULL);
    assert_err(w.rc, VG_EINVAL, "nested compression");
    vg_strbuf_dispose(&gg);
    vg_strbuf_dispose(&g);
    vg_strbuf junk;
    vg_strbuf_init(&junk, 0);
    for (int i = 0; i < 2000; i++)
        vg_strbuf_printf(&junk, "%d not a tar ", i);
    walk_generated(&w, &junk, 0, NULL, NULL);
    assert_err(w.rc, VG_EINVAL, "not a tar archive");
    vg_strbuf_dispose(&junk);
}

static void test_image_caps(void **state)
{
    (void)state;
    vg_strbuf ls[3] = {small_tar(NULL), small_tar("gzip"), small_tar("zstd")};
    char *dir = make_oci(ls, 3, 0, NULL);
    char *ref = oci_ref(dir);
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    opts.limits.max_layers = 2;
    vg_image *img = NULL;
    assert_err(vg_image_open(&img, ref, &opts), VG_ETOOBIG, "max_layers");
    vg_image_opts_default(&opts);
    opts.limits.max_manifest_bytes = 64;
    assert_err(vg_image_open(&img, ref, &opts), VG_ETOOBIG, "max_manifest_bytes");
    assert_int_equal(vg_image_open(&img, ref, NULL), 0);
    assert_int_equal(vg_image_layer_count(img), 3);
    for (size_t i = 0; i < 3; i++) {
        walk_out w;
        walk_layer(&w, img, i, NULL);
        assert_int_equal(w.rc, 0);
        assert_int_equal(w.entries, 3);
    }
    vg_image_free(img);
    free(ref);
    rm_tree(dir);
    free(dir);
    for (size_t i = 0; i < 3; i++)
        vg_strbuf_dispose(&ls[i]);
    /* A gzipped outer docker-archive is inflated under max_layer_bytes too. */
    ref = ref_for("docker-archive:", "images/trivy/alpine-310.tar.gz", NULL);
    vg_image_opts_default(&opts);
    opts.limits.max_layer_bytes = 1 << 20;
    assert_err(vg_image_open(&img, ref, &opts), VG_ETOOBIG, "max_layer_bytes");
    free(ref);
}

/* ---- rootfs --------------------------------------------------------------------------------- */

static void test_rootfs(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    write_file(dir, "etc/os-release", "ID=alpine\nVERSION_ID=3.19.0\n", 28);
    write_file(dir, "lib/apk/db/installed", "P:musl\nV:1.2\n\n", 15);
    write_file(dir, "b/file", "x", 1);
    vg_strbuf p;
    vg_strbuf_init(&p, 0);
    vg_strbuf_printf(&p, "%s/evil", dir);
    assert_int_equal(symlink("/etc", p.buf), 0); /* points outside: must not be followed */
    vg_strbuf_reset(&p);
    vg_strbuf_printf(&p, "%s/lib/up", dir);
    assert_int_equal(symlink("../../..", p.buf), 0);
    vg_strbuf_reset(&p);
    vg_strbuf_printf(&p, "%s/fifo", dir);
    assert_int_equal(mkfifo(p.buf, 0600), 0);
    vg_strbuf_reset(&p);
    vg_strbuf_printf(&p, "rootfs:%s", dir);
    vg_image *img;
    assert_int_equal(vg_image_open(&img, p.buf, NULL), 0);
    assert_int_equal(vg_image_layer_count(img), 1);
    char *real = realpath(dir, NULL);
    vg_strbuf pre;
    vg_strbuf_init(&pre, 0);
    vg_strbuf_printf(&pre, "rootfs:%s", real);
    char *want = sha256_hex(pre.buf, pre.len);
    assert_string_equal(vg_image_layer(img, 0)->digest, want);
    assert_string_equal(vg_image_manifest_digest(img), want);
    free(want);
    free(real);
    vg_strbuf_dispose(&pre);

    static const struct {
        const char *path;
        vg_entry_type type;
        const char *link;
    } order[] = {
        {"b", VG_ENTRY_DIR, NULL},
        {"b/file", VG_ENTRY_FILE, NULL},
        {"etc", VG_ENTRY_DIR, NULL},
        {"etc/os-release", VG_ENTRY_FILE, NULL},
        {"evil", VG_ENTRY_SYMLINK, "/etc"},
        {"fifo", VG_ENTRY_OTHER, NULL},
        {"lib", VG_ENTRY_DIR, NULL},
        {"lib/apk", VG_ENTRY_DIR, NULL},
        {"lib/apk/db", VG_ENTRY_DIR, NULL},
        {"lib/apk/db/installed", VG_ENTRY_FILE, NULL},
        {"lib/up", VG_ENTRY_SYMLINK, "../../.."},
    };
    vg_layer_stream *s;
    assert_int_equal(vg_layer_open(&s, img, 0), 0);
    vg_entry e;
    for (size_t i = 0; i < VG_ARRAY_LEN(order); i++) {
        assert_int_equal(vg_layer_next(s, &e), 1);
        assert_string_equal(e.path, order[i].path);
        assert_int_equal(e.type, order[i].type);
        if (order[i].link)
            assert_string_equal(e.linkname, order[i].link);
        char buf[64];
        if (strcmp(e.path, "etc/os-release") == 0) {
            assert_int_equal(e.size, 28);
            assert_int_equal(vg_layer_read(s, buf, sizeof(buf)), 28);
            assert_memory_equal(buf, "ID=alpine", 9);
            assert_int_equal(vg_layer_read(s, buf, sizeof(buf)), 0);
        }
        if (e.type == VG_ENTRY_OTHER)
            assert_int_equal(vg_layer_read(s, buf, sizeof(buf)), 0); /* the fifo is not opened */
    }
    assert_int_equal(vg_layer_next(s, &e), 0);
    assert_int_equal(vg_layer_close(s), 0);

    /* Caps apply to the walk too. */
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    opts.limits.max_entries = 4;
    vg_image *img2;
    assert_int_equal(vg_image_open(&img2, p.buf, &opts), 0);
    walk_out w;
    walk_layer(&w, img2, 0, NULL);
    assert_err(w.rc, VG_ETOOBIG, "max_entries");
    vg_image_free(img2);

    /* A bare directory without oci-layout is a rootfs. */
    vg_image_ref r;
    assert_int_equal(vg_image_ref_parse(&r, dir), 0);
    assert_int_equal(r.kind, VG_REF_ROOTFS);
    vg_image_ref_dispose(&r);

    vg_image_free(img);
    vg_strbuf_dispose(&p);
    rm_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_parse),       cmocka_unit_test(test_platform),
        cmocka_unit_test(test_manifest_parse),  cmocka_unit_test(test_real_images),
        cmocka_unit_test(test_real_errors),     cmocka_unit_test(test_layer_files),
        cmocka_unit_test(test_truncated_gzip),  cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_sparse_bomb),     cmocka_unit_test(test_entry_flood),
        cmocka_unit_test(test_long_path),       cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_digest_mismatch), cmocka_unit_test(test_close_drains),
        cmocka_unit_test(test_missing_blobs),   cmocka_unit_test(test_refused_formats),
        cmocka_unit_test(test_image_caps),      cmocka_unit_test(test_rootfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
