/* image_int.h — private to src/image/: the table of operations a blob source implements
 * (OCI layout dir, tar archives, registry), the blob stream type, and the digest-verifying
 * wrapper every blob goes through. image.c owns references, manifests and platforms;
 * oci.c, archive.c, rootfs.c, registry.c and auth.c implement sources; layer.c the streams. */
#ifndef VG_IMAGE_INT_H
#define VG_IMAGE_INT_H

#include "image.h"

/* A readable stream of raw blob bytes. read returns bytes read, 0 at EOF, or a negative
 * VG_E* code with the error set. close frees it. */
typedef struct vg_blob vg_blob;
struct vg_blob {
    ssize_t (*read)(vg_blob *b, void *buf, size_t n);
    void (*close)(vg_blob *b);
};

typedef struct vg_source vg_source;
typedef struct vg_source_ops {
    /* Fetches a manifest or index by tag or "sha256:" digest (NULL: the source's root —
     * index.json for OCI layouts). Appends the body to `body` (capped by the strbuf's limit)
     * and sets *media_type (heap, may be NULL when the source does not say). */
    int (*get_manifest)(vg_source *s, const char *ref, vg_strbuf *body, char **media_type);
    /* Opens the blob `digest` (expected `size`, -1 if unknown) as a raw stream. */
    int (*open_blob)(vg_source *s, const char *digest, int64_t size, vg_blob **out);
    void (*free)(vg_source *s);
} vg_source_ops;

struct vg_source {
    const vg_source_ops *ops;
    const vg_image_opts *opts;
};

/* Sources. Each returns 0 or a negative code with the error set. */
int vg__source_oci_dir(vg_source **out, const char *dir, const vg_image_opts *opts);
int vg__source_registry(vg_source **out, const vg_image_ref *ref, const vg_image_opts *opts);

/* Wraps `inner` so that it hashes every byte; at EOF the digest must equal `digest`
 * ("sha256:<hex>"), otherwise read returns VG_EINVAL "digest mismatch". Takes ownership. */
vg_blob *vg__blob_verify(vg_blob *inner, const char *digest, int64_t size);

#endif
