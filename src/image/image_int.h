/* image_int.h — private to src/image/: the table of operations a blob source implements
 * (OCI layout dir, tar archives, registry, layer URIs), the blob stream type, and the
 * digest-verifying wrapper every blob goes through. image.c owns references, manifests and
 * platforms; oci.c, archive.c, rootfs.c, registry.c, auth.c and uri.c implement sources;
 * layer.c the streams. */
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

/* ---- additions for the local sources, manifests and streams ---------------------------- */

#ifdef __clang_analyzer__
/* The analyzer cannot see into util/error.c: tell it that vg_error_set returns `code`, so
 * that `return vg_error_set(VG_EINVAL, ...)` is known to be an error path. */
#define vg_error_set(code, ...) (vg_error_set((code), __VA_ARGS__), (code))
#endif

/* Digest strings. vg__digest_valid: "sha256:" + 64 or "sha512:" + 128 lowercase hex digits
 * (the only forms vigil turns into blob paths); VG_EINVAL naming `where` otherwise. */
int vg__digest_valid(const char *digest, const char *where);
/* "sha256:<hex>" of `len` bytes; heap, the caller frees. */
char *vg__digest_of(const void *data, size_t len);
/* Checks a whole in-memory blob against `digest` (and `size` when >= 0): 0, or VG_EINVAL
 * "digest mismatch for <digest>: got <actual>". */
int vg__digest_verify_buf(const char *digest, int64_t size, const void *data, size_t len);
/* Reads `b` to its end and returns "sha256:<hex>" (heap) and the byte count. Does not close
 * `b`. Returns 0 or the blob's error. */
int vg__blob_hash(char **out, int64_t *size_out, vg_blob *b);

/* Platforms ("os/arch[/variant]"), normalized: aarch64 -> arm64, x86_64 -> amd64, arm's
 * default variant v7, arm64's v8 and amd64's v1 dropped. Fields are heap strings; variant
 * may be NULL. */
typedef struct vg__platform {
    char *os;
    char *arch;
    char *variant;
} vg__platform;

int vg__platform_parse(vg__platform *out, const char *s);
/* The host's platform from uname(2): os "linux", arch amd64/arm64/arm (+v6/v7)/386/... */
void vg__platform_host(vg__platform *out);
/* Normalizes raw fields (as found in an index or a config) into `out`. */
void vg__platform_set(vg__platform *out, const char *os, const char *arch, const char *variant);
bool vg__platform_match(const vg__platform *want, const vg__platform *have);
/* "os/arch[/variant]", appended to `sb`. */
void vg__platform_format(vg_strbuf *sb, const vg__platform *p);
void vg__platform_dispose(vg__platform *p);

/* One descriptor of a manifest or an index. Strings are heap; NULL when absent. */
typedef struct vg__descriptor {
    char *media_type;
    char *digest;
    int64_t size; /* -1 when absent */
    bool has_platform;
    vg__platform platform;
    char *ref_name;   /* annotation org.opencontainers.image.ref.name */
    char *image_name; /* annotation io.containerd.image.name */
    char *ref_type;   /* annotation vnd.docker.reference.type ("attestation-manifest") */
    char *artifact_type;
} vg__descriptor;

typedef enum vg__doc_kind {
    VG__DOC_INDEX,    /* OCI image index or Docker manifest list */
    VG__DOC_MANIFEST, /* OCI image manifest or Docker v2 schema 2 manifest */
} vg__doc_kind;

typedef struct vg__manifest {
    vg__doc_kind kind;
    char *media_type;    /* as declared in the body, or NULL */
    char *artifact_type; /* OCI 1.1 artifactType, or NULL */
    vg__descriptor config;
    vg__descriptor *items; /* index: manifests; manifest: layers */
    size_t n_items;
    bool null_items; /* index whose "manifests" is JSON null */
} vg__manifest;

/* Parses a manifest or an index from `body`. `media_type` (the transport's or the
 * descriptor's, may be NULL) decides the kind, else the body's own mediaType, else its shape.
 * Schema 1 and unknown media types give VG_EINVAL; every error names `where` and the JSON
 * path. Digests are validated (vg__digest_valid); more than lim->max_layers layers is
 * VG_ETOOBIG. */
int vg__manifest_parse(vg__manifest *out, const char *body, size_t len, const char *media_type,
                       const char *where, const vg_image_limits *lim);
void vg__manifest_dispose(vg__manifest *m);
/* True for media types of image configs (OCI, Docker) — anything else is an artifact. */
bool vg__media_type_is_image_config(const char *mt);

/* The part of an image config vigil uses. */
typedef struct vg__config {
    vg__platform platform; /* fields NULL when the config does not say */
    size_t n_diff_ids;
} vg__config;

int vg__config_parse(vg__config *out, const char *body, size_t len, const char *where);
void vg__config_dispose(vg__config *c);

/* Reads a whole JSON document into `sb` from `b` (closing nothing), capped by the strbuf's
 * limit: VG_ETOOBIG "<what> exceeds max_manifest_bytes (N)". */
int vg__blob_slurp(vg_strbuf *sb, vg_blob *b, const char *what);

/* ---- archives (archive.c) ------------------------------------------------------------ */

/* What a tar holds at its top, for bare-argument detection. */
typedef struct vg__archive_probe {
    bool is_tar;
    bool has_manifest_json;
    bool has_index_json;
    bool has_oci_layout;
} vg__archive_probe;

/* Scans the (possibly compressed) tar at `path`, headers only. VG_EIO when unreadable; a
 * non-tar gives 0 with is_tar false. */
int vg__archive_probe_file(vg__archive_probe *out, const char *path);

/* A source over a tar (OCI layout inside, or docker save). `name` ("oci-archive:PATH")
 * prefixes messages. A compressed file is decompressed once into an anonymous temp file. */
int vg__source_archive(vg_source **out, const char *path, const char *name,
                       const vg_image_opts *opts);

/* One image of a docker-archive, as chosen from manifest.json. */
typedef struct vg__docker_layer {
    char *digest; /* sha256 of the stored layer file */
    int64_t size;
} vg__docker_layer;

typedef struct vg__docker_image {
    char *config_digest; /* sha256 of the config bytes: the image ID */
    vg_strbuf config;    /* the config JSON */
    vg__docker_layer *layers;
    size_t n_layers;
} vg__docker_image;

/* Reads manifest.json of the archive source `s`, picks the image tagged `tag` (a RepoTags
 * entry, or its tag part; NULL = the first image), follows layer symlinks inside the archive
 * and hashes layers whose name is not already a blob digest. Registers every layer so that
 * s->ops->open_blob(digest) opens it. */
int vg__docker_archive_load(vg__docker_image *out, vg_source *s, const char *tag);
void vg__docker_image_dispose(vg__docker_image *img);

/* manifest.json of a docker-archive. */
typedef struct vg__docker_entry {
    char *config;
    char **layers;
    size_t n_layers;
    char **repo_tags;
    size_t n_repo_tags;
} vg__docker_entry;

typedef struct vg__docker_manifest {
    vg__docker_entry *images;
    size_t n_images;
} vg__docker_manifest;

int vg__docker_manifest_parse(vg__docker_manifest *out, const char *body, size_t len,
                              const char *where, const vg_image_limits *lim);
void vg__docker_manifest_dispose(vg__docker_manifest *m);

/* ---- rootfs (rootfs.c) --------------------------------------------------------------- */

/* Canonicalizes `dir` (realpath, must be a directory) and derives its digest: "sha256:" +
 * sha256("rootfs:" + canonical path). Both heap. VG_ENOTFOUND / VG_EINVAL. */
int vg__rootfs_resolve(char **canon, char **digest, const char *dir);

/* A depth-first walk of a directory that never follows symlinks (openat + O_NOFOLLOW on
 * every component), never crosses into another filesystem and never leaves the root.
 * Entries come in byte order of their names, paths relative to the root. */
typedef struct vg__rootfs_walk vg__rootfs_walk;
int vg__rootfs_walk_open(vg__rootfs_walk **out, const char *root, const vg_image_limits *lim);
/* 1 with `out` filled (strings valid until the next call), 0 at the end, negative on error. */
int vg__rootfs_walk_next(vg__rootfs_walk *w, vg_entry *out);
ssize_t vg__rootfs_walk_read(vg__rootfs_walk *w, void *buf, size_t n);
void vg__rootfs_walk_free(vg__rootfs_walk *w);

/* ---- the image as layer.c sees it (image.c) ------------------------------------------ */

/* An image over `src` (ownership taken; freed on error too, and by vg_image_free), with the
 * given layers and manifest digest and a deep copy of `opts` (NULL: defaults), which
 * src->opts is pointed at. `name` (escaped here) prefixes messages. For sources that list
 * their layers themselves (uri.c). */
int vg__image_from_source(vg_image **out, const char *name, const vg_image_opts *opts,
                          vg_source *src, const char *manifest_digest, const vg_layer_desc *layers,
                          size_t n);
/* Whether a layer media type can be streamed: absent, or a non-encrypted tar layer. */
bool vg__layer_media_type_ok(const char *mt);

/* The canonical root directory of a rootfs image, or NULL for the others. */
const char *vg__image_rootfs(const vg_image *img);
/* The image's blob source (NULL for rootfs) and options. */
vg_source *vg__image_source(const vg_image *img);
const vg_image_opts *vg__image_opts(const vg_image *img);

/* ---- the registry source (registry.c, auth.c) ---------------------------------------- */

/* One challenge of a WWW-Authenticate header value. Heap strings, NULL when absent; the
 * scheme is lowercased ("bearer", "basic"). */
typedef struct vg__reg_challenge {
    char *scheme;
    char *realm;
    char *service;
    char *scope;
} vg__reg_challenge;

/* Parses one WWW-Authenticate value (RFC 7235: auth-params whose values are tokens or quoted
 * strings with backslash escapes, commas inside quotes, several challenges in one value).
 * Fills up to `max` challenges and sets *n; the caller disposes each. VG_EINVAL naming the
 * byte offset on malformed input. */
int vg__reg_challenge_parse(vg__reg_challenge *out, size_t max, size_t *n, const char *value);
void vg__reg_challenge_dispose(vg__reg_challenge *c);

/* The credentials and current Authorization header of one registry source. Not
 * thread-safe: one per source. */
typedef struct vg__reg_auth vg__reg_auth;

/* `host` is the registry as referenced (host[:port], "docker.io"), `repo` the repository.
 * Copies what it keeps from `opts`. Credentials are looked up lazily, at the first
 * challenge: opts, then VIGIL_REGISTRY_AUTH, then the docker config (see auth.c). */
vg__reg_auth *vg__reg_auth_new(const char *host, const char *repo, const vg_image_opts *opts);
/* Wipes credentials and tokens, then frees. NULL is a no-op. */
void vg__reg_auth_free(vg__reg_auth *a);
/* The "Authorization: ..." header line for requests to the registry host, or NULL when
 * anonymous. Valid until the next vg__reg_auth_challenge. */
const char *vg__reg_auth_header(const vg__reg_auth *a);
/* The same header's value alone ("Bearer ...", "Basic ..."), or NULL. */
const char *vg__reg_auth_value(const vg__reg_auth *a);
/* Answers a 401/403 (`status`) whose WWW-Authenticate values are `challenges` (one per line,
 * may be ""): Bearer fetches a token from the realm, Basic uses the credentials. Returns 0
 * when the request should be retried with the new header; otherwise VG_EIO "registry H:
 * authentication failed (HTTP N) for REPO" (or a token-server / credential-config error).
 * `retried`: this request was already retried after a challenge, so it fails at once.
 * No credential or token ever appears in a message. */
int vg__reg_auth_challenge(vg__reg_auth *a, const char *challenges, long status, bool retried);

/* Applies the common libcurl options to the easy handle `curl`: TLS verification unless
 * `insecure` (which also allows plain http), the extra CA `ca_file`, connect and stall
 * timeouts, no redirects followed, no signals. */
void vg__reg_curl_setup(void *curl, bool insecure, const char *ca_file);
/* Sleeps before retry number `attempt` (0-based): capped exponential backoff, or the server's
 * Retry-After seconds (capped) when `retry_after` > 0. */
void vg__reg_backoff(int attempt, long retry_after);
/* Whether a libcurl result code (CURLcode) is worth a retry: refused or reset connections,
 * timeouts, empty replies. */
bool vg__reg_retryable(int curl_code);
/* curl_global_init, once per process (thread-safe). 0 or VG_ERROR. */
int vg__curl_init(void);
/* Whether two absolute URLs share scheme, host and port (default ports filled in); false
 * when either does not parse. Credentials never cross origins on a redirect. */
bool vg__same_origin(const char *a, const char *b);

/* For a registry source: the URL of blob `digest` (expected `size`, -1 unknown) and the
 * value of the Authorization header that fetches it (heap; NULL when anonymous works). A
 * HEAD request checks both, answering an auth challenge first when needed (a bearer token
 * with pull scope for the repository). VG_EINVAL for another source; the registry's errors
 * otherwise (VG_ENOTFOUND for a missing blob, VG_EIO). */
int vg__registry_blob_remote(char **url, char **auth, vg_source *s, const char *digest,
                             int64_t size);

/* ---- HTTP GET streams (registry.c), the transport of registry.c and uri.c -------------- */

/* One GET at a time over libcurl's multi interface, pull-driven: at most one libcurl chunk is
 * buffered (the transfer pauses until the reader takes it), so a blob of any size costs
 * constant memory. Redirects are never followed here: the caller decides. The common
 * options of vg__reg_curl_setup apply (TLS verification unless `insecure`, `ca_file`,
 * connect and stall timeouts). Messages read "<prefix>: <what>: ...". Not thread-safe. */
typedef struct vg__http vg__http;

/* `allow_http`: plain http besides https. `expect`: the exact body size, or -1; `max`: a cap
 * on the body, named `cap_name` (a static string) in its VG_ETOOBIG message. */
vg__http *vg__http_new(const char *prefix, const char *what, bool insecure, bool allow_http,
                       const char *ca_file, int64_t expect, uint64_t max, const char *cap_name);
void vg__http_free(vg__http *h);
/* Sends a GET of `url` with `n` header lines ("Name: value") and waits for the final
 * response's headers: 0 with *status, which is 0 when the transfer failed below HTTP (see
 * vg__http_result). Another response's body is read, at most 4 KiB, and dropped. A negative
 * code on a libcurl failure. May be called again on the same handle (retries, redirects). */
int vg__http_get(vg__http *h, const char *url, const char *const *hdrs, size_t n, long *status);
/* After vg__http_get: the libcurl result (a CURLcode) and its text; the absolute target of a
 * redirect (NULL when none; valid until the next get); Retry-After in seconds (0 none); the
 * Content-Length (-1 unknown). */
int vg__http_result(const vg__http *h, const char **detail);
const char *vg__http_location(const vg__http *h);
long vg__http_retry_after(const vg__http *h);
int64_t vg__http_content_length(const vg__http *h);
/* After a 200: the body as a raw blob, which now owns `h` (its close frees it). */
vg_blob *vg__http_blob(vg__http *h);

#endif
