/* jwt_int.h — private to src/api/: Clair-compatible pre-shared-key (PSK) authentication. The
 * server verifies `Authorization: Bearer <JWT>` (HS256 only, issuer list, exp/nbf with leeway)
 * and the CLI client (`vigil report --psk-key`) signs its own tokens with vg_jwt_sign. */
#ifndef VG_API_JWT_INT_H
#define VG_API_JWT_INT_H

#include "util/util.h"

#include <stddef.h>
#include <stdint.h>

/* The code every verification failure returns. util.h has no authentication code yet; when
 * VG_EAUTH lands there this becomes VG_EAUTH. Any non-zero result of vg_jwt_verify means
 * "401 Unauthorized", whatever the code. */
#define VG_JWT_EAUTH VG_EINVAL

#define VG_JWT_MAX_TOKEN 8192    /* bytes of the token after "Bearer " */
#define VG_JWT_MAX_DEPTH 16      /* nesting of the header and claims JSON */
#define VG_JWT_MIN_KEY 32        /* key bytes: RFC 7518 §3.2, at least the hash size */
#define VG_JWT_MAX_KEY 4096      /* key bytes */
#define VG_JWT_MAX_ISSUERS 64    /* accepted issuers */
#define VG_JWT_DEFAULT_LEEWAY 60 /* seconds of clock skew allowed on exp and nbf */
#define VG_JWT_MAX_LEEWAY 86400  /* seconds (a day) */

/* The verifier's configuration: Clair's `auth: psk: {key, iss}` plus the leeway. */
typedef struct vg_jwt_psk {
    unsigned char *key;
    size_t key_len;
    char **issuers;
    size_t n_issuers;
    int64_t leeway_s;
} vg_jwt_psk;

/* Fills `out` from Clair's config values: `key_base64` in standard base64 (padding optional,
 * line breaks ignored, surrounding blanks trimmed), decoding to VG_JWT_MIN_KEY..VG_JWT_MAX_KEY
 * bytes; 1..VG_JWT_MAX_ISSUERS non-empty `issuers` (copied); `leeway_s` in
 * 0..VG_JWT_MAX_LEEWAY (VG_JWT_DEFAULT_LEEWAY is Clair-like). Returns 0, or VG_EINVAL with a
 * message naming the bad value (never echoing the key). `out` is written only on success and
 * is released with vg_jwt_psk_dispose. */
int vg_jwt_psk_init(vg_jwt_psk *out, const char *key_base64, const char *const *issuers, size_t n,
                    int64_t leeway_s);

/* Wipes the key and frees the contents of `p` (not `p` itself). NULL-safe; idempotent. */
void vg_jwt_psk_dispose(vg_jwt_psk *p);

/* Verifies `authorization`, the whole Authorization header value ("Bearer xxx.yyy.zzz"; NULL
 * when the header is absent), at unix time `now`. Accepted: scheme "Bearer" in any case; a
 * compact JWS of at most VG_JWT_MAX_TOKEN bytes whose parts are base64url (padding optional,
 * unused bits zero); a header object with alg "HS256" and no "crit"; a valid HMAC-SHA256
 * signature (constant-time compare); a claims object with a string `iss` in the list, a
 * numeric `exp` with now < exp + leeway, and if present a numeric `nbf` with
 * now + leeway >= nbf and a numeric `iat`. JSON must be objects without duplicate keys, nested
 * at most VG_JWT_MAX_DEPTH deep. Returns 0, or VG_JWT_EAUTH with a message saying exactly
 * why (missing header, not Bearer, malformed token, bad base64 in part N, alg X not allowed,
 * bad signature, issuer 'x' not accepted, expired at T, not valid before T); messages quote
 * at most a few escaped bytes of the input and never the token. Thread-safe: `p` is only
 * read. */
int vg_jwt_verify(const vg_jwt_psk *p, const char *authorization, int64_t now);

/* Signs `claims_json` (the text of a JSON object, re-encoded compactly in its key order) with
 * HS256 under the header {"alg":"HS256","typ":"JWT"}; `*out` is the compact token (heap,
 * caller frees), without "Bearer ". Returns 0, VG_EINVAL when `claims_json` is not a JSON
 * object or the key is empty or over VG_JWT_MAX_KEY, or VG_ETOOBIG when the token would pass
 * VG_JWT_MAX_TOKEN. `*out` is written only on success. Thread-safe. */
int vg_jwt_sign(char **out, const unsigned char *key, size_t key_len, const char *claims_json);

#endif
