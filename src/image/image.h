/* image.h — the public header of src/image/ (layer 3): turns an image reference into an
 * ordered list of layers and opens each layer as a stream of tar entries. Sources: OCI
 * layout dirs and archives, docker-archive tars, plain root filesystems, registries
 * (Distribution API v2) and lists of layer URIs (Clair's Manifest). Every blob and manifest
 * is checked against its digest. */
#ifndef VG_IMAGE_H
#define VG_IMAGE_H

#include "util/util.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Caps on what a hostile image can make vigil do. Every one is named, has a default, and is
 * reported by name when exceeded (VG_ETOOBIG). */
typedef struct vg_image_limits {
    uint64_t max_manifest_bytes; /* manifest, index, config JSON: default 4 MiB */
    uint64_t max_layers;         /* layers per image: default 256 */
    uint64_t max_layer_bytes;    /* decompressed bytes per layer: default 32 GiB */
    uint64_t max_ratio;          /* decompressed/compressed per layer: default 1000 (checked
                                    once past max_ratio_floor bytes) */
    uint64_t max_ratio_floor;    /* default 64 MiB */
    uint64_t max_entries;        /* tar entries per layer: default 1,000,000 */
    uint64_t max_path;           /* bytes in one entry path: default 4096 */
} vg_image_limits;

/* Fills `lim` with the defaults above. */
void vg_image_limits_default(vg_image_limits *lim);

typedef struct vg_image_opts {
    const char *platform; /* "os/arch[/variant]"; NULL = the host's platform */
    const char *username; /* registry credentials; NULL = from VIGIL_REGISTRY_AUTH, then
                             ~/.docker/config.json, then anonymous */
    const char *password;
    bool insecure;       /* no TLS verification; plain http allowed */
    const char *ca_file; /* extra CA bundle */
    vg_image_limits limits;
} vg_image_opts;

/* Fills `opts` with defaults (host platform, no credentials, default limits). */
void vg_image_opts_default(vg_image_opts *opts);

typedef enum vg_ref_kind {
    VG_REF_DOCKER_ARCHIVE, /* docker-archive:PATH */
    VG_REF_OCI_DIR,        /* oci:DIR[:TAG] */
    VG_REF_OCI_ARCHIVE,    /* oci-archive:PATH[:TAG] */
    VG_REF_ROOTFS,         /* rootfs:DIR */
    VG_REF_REGISTRY,       /* registry:HOST[:PORT]/REPO[:TAG|@sha256:...] */
} vg_ref_kind;

/* A parsed image reference. Heap strings, freed by vg_image_ref_dispose. */
typedef struct vg_image_ref {
    vg_ref_kind kind;
    char *path;   /* archives, dirs */
    char *tag;    /* oci tag, registry tag; NULL if none */
    char *host;   /* registry host[:port] */
    char *repo;   /* registry repository ("library/alpine") */
    char *digest; /* registry @sha256:... */
} vg_image_ref;

/* Parses `s`: an explicit "kind:" prefix, or a bare argument whose kind is detected (an
 * existing directory with oci-layout → oci, another directory → rootfs, a tar with
 * manifest.json → docker-archive, a tar with oci-layout/index.json → oci-archive, otherwise
 * a registry reference). Returns 0, VG_EINVAL (malformed reference) or VG_ENOTFOUND. */
int vg_image_ref_parse(vg_image_ref *out, const char *s);
void vg_image_ref_dispose(vg_image_ref *ref);

typedef struct vg_image vg_image;

/* One layer of an opened image, bottom first. */
/* The media type of a rootfs: pseudo-layer. Its digest names the directory, not its content,
 * so it must never be cached by digest. */
#define VG_MEDIA_ROOTFS "application/vnd.vigil.rootfs.directory"

typedef struct vg_layer_desc {
    const char *digest;     /* "sha256:..." of the blob as stored (compressed for OCI and
                               registries, the tar for docker-archive); rootfs: a digest
                               over the directory path */
    const char *media_type; /* may be "" */
    int64_t size;           /* -1 when unknown */
} vg_layer_desc;

/* Opens an image: resolves indexes to one manifest for the requested platform, reads the
 * config, and lists the layers. Nothing is decompressed yet. Returns 0 or a negative code
 * with a message naming the reference and what failed (VG_ENOTFOUND, VG_EINVAL for malformed
 * manifests, VG_ETOOBIG, VG_EIO; 401/403 from a registry give VG_EIO with "authentication
 * failed"). Thread-compatible: one vg_image per thread. */
int vg_image_open(vg_image **out, const char *ref, const vg_image_opts *opts);
void vg_image_free(vg_image *img);

/* "sha256:..." of the manifest bytes (registry/OCI), or of the config for docker-archive
 * (the image ID), or a digest over the path for rootfs. */
const char *vg_image_manifest_digest(const vg_image *img);
size_t vg_image_layer_count(const vg_image *img);
const vg_layer_desc *vg_image_layer(const vg_image *img, size_t i);

/* ---- images made of layer URIs (Clair's Manifest) -------------------------------------- */

/* Caps on a layer list given to vg_image_open_layers (hostile input: a server's request). */
#define VG_IMAGE_MAX_LAYER_HEADERS 64            /* header lines per layer */
#define VG_IMAGE_MAX_HEADER_BYTES ((size_t)8192) /* one "Name: value" line */
#define VG_IMAGE_MAX_URI_BYTES ((size_t)8192)    /* one layer URI */
#define VG_IMAGE_MAX_MEDIA_TYPE_BYTES ((size_t)255)
/* Redirects followed per layer fetch. */
#define VG_IMAGE_MAX_URI_REDIRECTS 5

typedef struct vg_remote_layer {
    const char *digest;         /* "sha256:..." of the blob as served */
    const char *uri;            /* http or https */
    const char *media_type;     /* may be NULL or "": the compression is detected by magic */
    const char *const *headers; /* "Name: value" lines sent with the GET, n_headers of them */
    size_t n_headers;
} vg_remote_layer;

/* An image whose layers are fetched from URIs, as Clair's indexer does for a Manifest.
 * `manifest_hash` ("sha256:...") becomes vg_image_manifest_digest. Everything is checked
 * up front, and every error names the layer index ("layers[2].uri: ..."): digests; URIs
 * (absolute http/https with a host, at most VG_IMAGE_MAX_URI_BYTES, no control bytes: file://
 * and other schemes are VG_EINVAL); media types (tar layers only); headers (at most
 * VG_IMAGE_MAX_LAYER_HEADERS lines of at most VG_IMAGE_MAX_HEADER_BYTES, VG_ETOOBIG; a line
 * that is not "Name: value", holds CR, LF or another control byte, or sets a header the
 * fetcher owns (Host, Content-Length, Transfer-Encoding, Connection, ...) is VG_EINVAL); at
 * most opts->limits.max_layers layers (VG_ETOOBIG). Nothing is fetched yet. All strings are
 * copied; `opts` NULL means defaults.
 *
 * Layer streams then GET each URI with its headers, streaming (never a whole layer in
 * memory): redirects followed up to VG_IMAGE_MAX_URI_REDIRECTS, to http/https only, and
 * Authorization and Cookie headers dropped once a redirect leaves the URI's scheme://host:port
 * (registries redirecting to blob storage); TLS verified unless opts->insecure, with
 * opts->ca_file; plain http allowed (the URIs are the caller's); connect and stall timeouts;
 * 429, 5xx and dropped connections retried before the first byte. HTTP >= 400 is VG_EIO
 * naming the status, the layer and the URI with its userinfo and query values redacted
 * ("***"); the body is verified against the digest as with every other source. */
int vg_image_open_layers(vg_image **out, const char *manifest_hash, const vg_remote_layer *layers,
                         size_t n, const vg_image_opts *opts);

/* For a registry image (vg_image_open of a registry reference): the blob URL of layer `i`
 * ("http(s)://host/v2/repo/blobs/<digest>") and the value of the Authorization header that
 * fetches it ("Bearer ...", "Basic ..."), for a server that fetches the layer itself
 * (`vigil report --server`). Both heap, the caller frees; *auth is NULL when anonymous access
 * works. A HEAD request checks them first, answering the registry's challenge when needed (a
 * bearer token with pull scope for the repository, from the image's credentials). Note that
 * for a Basic-auth registry the value carries the credentials themselves. Returns 0,
 * VG_EINVAL for a non-registry image ("--server needs a registry image; X is a local image")
 * or an index out of range, or the registry's error (VG_ENOTFOUND, VG_EIO). Not thread-safe:
 * uses the image's registry connection state. */
int vg_image_layer_remote(char **url, char **auth, vg_image *img, size_t i);

/* ---- layer streams ------------------------------------------------------------------- */

typedef enum vg_entry_type {
    VG_ENTRY_FILE,
    VG_ENTRY_DIR,
    VG_ENTRY_SYMLINK,
    VG_ENTRY_HARDLINK,
    VG_ENTRY_OTHER,
} vg_entry_type;

typedef struct vg_entry {
    const char *path;     /* as stored in the layer (not normalized), valid until next */
    const char *linkname; /* symlink / hardlink target, or NULL */
    vg_entry_type type;
    int64_t size;
    unsigned mode;
} vg_entry;

typedef struct vg_layer_stream vg_layer_stream;

/* Opens layer `i` as one streaming pass over its entries: gzip, zstd or plain tar detected
 * from the magic bytes (rootfs: a directory walk that never follows symlinks). */
int vg_layer_open(vg_layer_stream **out, vg_image *img, size_t i);
/* Advances to the next entry: 1 with `*out` filled, 0 at the end, or a negative code (a
 * truncated or corrupt stream, a cap exceeded: the message names the layer and the cap). */
int vg_layer_next(vg_layer_stream *s, vg_entry *out);
/* Reads up to `n` bytes of the current entry's data; 0 at its end, negative on error. */
ssize_t vg_layer_read(vg_layer_stream *s, void *buf, size_t n);
/* Drains the rest of the blob and checks its digest and caps. Returns 0, or VG_EINVAL
 * ("digest mismatch") — in which case nothing read from this layer may be used. Frees `s`
 * in every case. */
int vg_layer_close(vg_layer_stream *s);
/* Frees `s` without the final checks (on an earlier error). */
void vg_layer_abort(vg_layer_stream *s);

#endif
