/* blob.c — digests of src/image/: the verifying blob wrapper every layer and manifest goes
 * through (SHA-256/512 via OpenSSL EVP while reading, checked at EOF against the name and
 * size the manifest gave), plus digest-string validation and whole-buffer checks. */
#include "image_int.h"

#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct verify_blob {
    vg_blob base;
    vg_blob *inner;
    EVP_MD_CTX *ctx;
    char *digest; /* expected */
    int64_t size; /* expected, -1 = unknown */
    uint64_t seen;
    int err; /* sticky: once set, every read returns it */
    bool done;
} verify_blob;

static const EVP_MD *md_for(const char *digest, size_t *hexlen)
{
    if (strncmp(digest, "sha256:", 7) == 0) {
        *hexlen = 64;
        return EVP_sha256();
    }
    if (strncmp(digest, "sha512:", 7) == 0) {
        *hexlen = 128;
        return EVP_sha512();
    }
    return NULL;
}

int vg__digest_valid(const char *digest, const char *where)
{
    size_t hexlen = 0;
    if (!digest || !md_for(digest, &hexlen)) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 256);
        if (digest)
            vg_strbuf_put_escaped(&sb, digest, strlen(digest), 80);
        int rc = vg_error_set(VG_EINVAL, "%s: unsupported digest \"%s\" (want sha256:<hex>)", where,
                              sb.buf);
        vg_strbuf_dispose(&sb);
        return rc;
    }
    const char *hex = digest + 7;
    size_t n = strlen(hex);
    bool ok = n == hexlen;
    for (size_t i = 0; ok && i < n; i++)
        ok = (hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f');
    if (!ok) {
        vg_strbuf sb;
        vg_strbuf_init(&sb, 256);
        vg_strbuf_put_escaped(&sb, digest, strlen(digest), 140);
        int rc = vg_error_set(VG_EINVAL, "%s: malformed digest \"%s\"", where, sb.buf);
        vg_strbuf_dispose(&sb);
        return rc;
    }
    return 0;
}

static void hex_digest(vg_strbuf *sb, const char *alg, const unsigned char *md, unsigned n)
{
    vg_strbuf_puts(sb, alg);
    for (unsigned i = 0; i < n; i++)
        vg_strbuf_printf(sb, "%02x", md[i]);
}

static char *finish(EVP_MD_CTX *ctx, const char *alg)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 256);
    hex_digest(&sb, alg, md, n);
    return vg_strbuf_detach(&sb);
}

char *vg__digest_of(const void *data, size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        abort(); /* OOM or a broken OpenSSL: not an input error */
    EVP_DigestUpdate(ctx, data, len);
    char *out = finish(ctx, "sha256:");
    EVP_MD_CTX_free(ctx);
    return out;
}

/* The one place the mismatch message is worded. */
static int mismatch(const char *digest, const char *actual, int64_t want, uint64_t got)
{
    if (want >= 0 && (uint64_t)want != got)
        return vg_error_set(VG_EINVAL, "digest mismatch for %s: got %s (size %llu, expected %lld)",
                            digest, actual, (unsigned long long)got, (long long)want);
    return vg_error_set(VG_EINVAL, "digest mismatch for %s: got %s", digest, actual);
}

int vg__digest_verify_buf(const char *digest, int64_t size, const void *data, size_t len)
{
    size_t hexlen;
    const EVP_MD *md = md_for(digest, &hexlen);
    if (!md)
        return vg__digest_valid(digest, "blob");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1)
        abort();
    EVP_DigestUpdate(ctx, data, len);
    char alg[8];
    memcpy(alg, digest, 7);
    alg[7] = '\0';
    char *actual = finish(ctx, alg);
    EVP_MD_CTX_free(ctx);
    int rc = 0;
    if (strcmp(actual, digest) != 0 || (size >= 0 && (uint64_t)size != len))
        rc = mismatch(digest, actual, size, len);
    free(actual);
    return rc;
}

static ssize_t verify_read(vg_blob *b, void *buf, size_t n)
{
    verify_blob *v = (verify_blob *)b;
    if (v->err)
        return v->err;
    if (v->done)
        return 0;
    ssize_t got = v->inner->read(v->inner, buf, n);
    if (got < 0) {
        v->err = (int)got;
        return got;
    }
    if (got > 0) {
        v->seen += (uint64_t)got;
        if (v->size >= 0 && v->seen > (uint64_t)v->size) {
            v->err = vg_error_set(VG_EINVAL,
                                  "digest mismatch for %s: blob is larger than its declared "
                                  "size %lld",
                                  v->digest, (long long)v->size);
            return v->err;
        }
        EVP_DigestUpdate(v->ctx, buf, (size_t)got);
        return got;
    }
    v->done = true;
    char alg[8];
    memcpy(alg, v->digest, 7);
    alg[7] = '\0';
    char *actual = finish(v->ctx, alg);
    if (strcmp(actual, v->digest) != 0 || (v->size >= 0 && (uint64_t)v->size != v->seen))
        v->err = mismatch(v->digest, actual, v->size, v->seen);
    free(actual);
    return v->err ? v->err : 0;
}

static void verify_close(vg_blob *b)
{
    verify_blob *v = (verify_blob *)b;
    if (v->inner)
        v->inner->close(v->inner);
    EVP_MD_CTX_free(v->ctx);
    free(v->digest);
    free(v);
}

vg_blob *vg__blob_verify(vg_blob *inner, const char *digest, int64_t size)
{
    verify_blob *v = vg_xcalloc(1, sizeof(*v));
    v->base.read = verify_read;
    v->base.close = verify_close;
    v->inner = inner;
    v->digest = vg_xstrdup(digest ? digest : "");
    v->size = size;
    v->ctx = EVP_MD_CTX_new();
    if (!v->ctx)
        abort();
    size_t hexlen;
    const EVP_MD *md = md_for(v->digest, &hexlen);
    if (!md)
        v->err = vg__digest_valid(v->digest, "blob");
    else if (EVP_DigestInit_ex(v->ctx, md, NULL) != 1)
        abort();
    return &v->base;
}

int vg__blob_hash(char **out, int64_t *size_out, vg_blob *b)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        abort();
    unsigned char *buf = vg_xmalloc(65536);
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = b->read(b, buf, 65536);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        total += (uint64_t)n;
    }
    free(buf);
    if (rc == 0) {
        *out = finish(ctx, "sha256:");
        *size_out = (int64_t)total;
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}

int vg__blob_slurp(vg_strbuf *sb, vg_blob *b, const char *what)
{
    char buf[16384];
    for (;;) {
        ssize_t n = b->read(b, buf, sizeof(buf));
        if (n < 0)
            return (int)n;
        if (n == 0)
            return 0;
        if (vg_strbuf_append(sb, buf, (size_t)n) != 0)
            return vg_error_set(VG_ETOOBIG, "%s exceeds max_manifest_bytes (%zu)", what, sb->limit);
    }
}
