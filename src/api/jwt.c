/* jwt.c — Clair-compatible PSK authentication for src/api/: strict base64url, the compact JWS
 * split, HS256 through OpenSSL's HMAC with a constant-time compare, and the iss/exp/nbf/iat
 * claim checks. Header and claims JSON go through jansson (duplicate keys rejected). The
 * server calls vg_jwt_verify per request; the CLI client signs with vg_jwt_sign. */
#include "jwt_int.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HS256_LEN 32
#define QUOTE_MAX 32    /* input bytes quoted in a message (alg, issuer) */
#define QUOTE_SCHEME 16 /* bytes of an unexpected Authorization scheme quoted */
#define MSG_LIMIT 512

static const char jwt_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
static const char *const part_names[] = {"header", "payload", "signature"};

/* ---- base64 --------------------------------------------------------------------------- */

static int b64_value(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

/* Decodes base64 (`url` picks the alphabet) from s[0..n) into `out`, which has room for
 * n / 4 * 3 + 3 bytes. Padding is optional; when present it must complete the last quantum.
 * The unused low bits of the last symbol must be zero, so each value has one encoding.
 * Returns 0, or -1 with `*bad` the byte offset of the problem. */
static int b64_decode(unsigned char *out, size_t *out_len, const char *s, size_t n, bool url,
                      size_t *bad)
{
    size_t m = n;
    while (m > 0 && n - m < 2 && s[m - 1] == '=')
        m--;
    if (m < n && n % 4 != 0) {
        *bad = m;
        return -1;
    }
    if (m % 4 == 1) {
        *bad = m - 1;
        return -1;
    }
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < m; i++) {
        int v = b64_value((unsigned char)s[i], url);
        if (v < 0) {
            *bad = i;
            return -1;
        }
        acc = ((acc & 0xffffu) << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        *bad = m - 1;
        return -1;
    }
    *out_len = o;
    return 0;
}

static void b64url_put(vg_strbuf *sb, const unsigned char *p, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < n; i += 3) {
        size_t k = n - i;
        uint32_t v = (uint32_t)p[i] << 16;
        if (k > 1)
            v |= (uint32_t)p[i + 1] << 8;
        if (k > 2)
            v |= p[i + 2];
        char quad[4] = {abc[(v >> 18) & 63], abc[(v >> 12) & 63], abc[(v >> 6) & 63], abc[v & 63]};
        vg_strbuf_append(sb, quad, k >= 3 ? 4 : k + 1);
    }
}

/* ---- helpers -------------------------------------------------------------------------- */

static int hs256(unsigned char md[HS256_LEN], const unsigned char *key, size_t key_len,
                 const char *data, size_t len)
{
    unsigned int md_len = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)data, len, md, &md_len) ||
        md_len != HS256_LEN)
        return vg_error_set(VG_ERROR, "HMAC-SHA256 failed");
    return 0;
}

/* An upper bound on the nesting of the JSON text p[0..n): brackets outside strings. */
static bool json_too_deep(const unsigned char *p, size_t n)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > VG_JWT_MAX_DEPTH)
                return true;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return false;
}

static int fail(const char *fmt, ...) VG_PRINTF(1, 2);

static int fail(const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, MSG_LIMIT);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    vg_error_set(VG_JWT_EAUTH, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return VG_JWT_EAUTH;
}

/* Fails with `before` + quote(s[0..n), at most `max` bytes, escaped) + `after`. */
static int fail_quoting(const char *before, const char *s, size_t n, size_t max, const char *after)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, MSG_LIMIT);
    vg_strbuf_puts(&sb, before);
    vg_strbuf_put_escaped(&sb, s, n, max);
    vg_strbuf_puts(&sb, after);
    vg_error_set(VG_JWT_EAUTH, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return VG_JWT_EAUTH;
}

static int parse_object(json_t **out, const unsigned char *buf, size_t len, const char *what)
{
    if (json_too_deep(buf, len))
        return fail("malformed token: %s JSON is nested deeper than %d", what, VG_JWT_MAX_DEPTH);
    json_error_t jerr;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        if (json_error_code(&jerr) == json_error_duplicate_key)
            return fail("malformed token: %s JSON has a duplicate key (at byte %d)", what,
                        jerr.position);
        return fail("malformed token: %s is not valid JSON (at byte %d)", what, jerr.position);
    }
    if (!json_is_object(j)) {
        json_decref(j);
        return fail("malformed token: %s is not a JSON object", what);
    }
    *out = j;
    return 0;
}

/* Reads the NumericDate claim `name`: 0 with *present false when absent, 0 with *out (a
 * fractional date rounded down), or a failure when it is not a number in range. */
static int numeric_date(int64_t *out, bool *present, const json_t *claims, const char *name)
{
    const json_t *v = json_object_get(claims, name);
    *present = false;
    if (!v)
        return 0;
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d > -9.2e18 && d < 9.2e18))
            return fail("malformed token: claim %s is out of range", name);
        int64_t t = (int64_t)d; /* toward zero; NumericDate rounds down */
        *out = (double)t > d ? t - 1 : t;
    } else {
        return fail("malformed token: claim %s is not a number", name);
    }
    *present = true;
    return 0;
}

/* "2023-11-14T22:13:20Z", or the plain number when it is outside years 1..9999. */
static void fmt_time(char *buf, size_t n, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (t < -62135596800LL || t > 253402300799LL || !gmtime_r(&tt, &tm) ||
        strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "%" PRId64, t);
}

/* ---- configuration -------------------------------------------------------------------- */

int vg_jwt_psk_init(vg_jwt_psk *out, const char *key_base64, const char *const *issuers, size_t n,
                    int64_t leeway_s)
{
    if (!key_base64)
        return vg_error_set(VG_EINVAL, "psk: no key");
    if (n == 0 || !issuers)
        return vg_error_set(VG_EINVAL, "psk: no issuers (iss) configured");
    if (n > VG_JWT_MAX_ISSUERS)
        return vg_error_set(VG_EINVAL, "psk: %zu issuers, over the cap of %d", n,
                            VG_JWT_MAX_ISSUERS);
    for (size_t i = 0; i < n; i++)
        if (!issuers[i] || !*issuers[i])
            return vg_error_set(VG_EINVAL, "psk: issuer %zu is empty", i + 1);
    if (leeway_s < 0 || leeway_s > VG_JWT_MAX_LEEWAY)
        return vg_error_set(VG_EINVAL, "psk: leeway %" PRId64 " s is outside 0..%d", leeway_s,
                            VG_JWT_MAX_LEEWAY);

    /* Blanks around the value are trimmed and line breaks inside it skipped, as Go does. */
    vg_slice k = vg_slice_trim(vg_slice_from_cstr(key_base64));
    if (k.len > (size_t)VG_JWT_MAX_KEY * 2)
        return vg_error_set(VG_EINVAL, "psk key: over the cap of %d bytes", VG_JWT_MAX_KEY);
    char *clean = vg_xmalloc(k.len + 1);
    size_t clen = 0;
    for (size_t i = 0; i < k.len; i++)
        if (k.ptr[i] != '\r' && k.ptr[i] != '\n')
            clean[clen++] = k.ptr[i];
    unsigned char *key = vg_xmalloc(clen / 4 * 3 + 3);
    size_t key_len = 0, bad = 0;
    int rc = 0;
    if (b64_decode(key, &key_len, clean, clen, false, &bad) != 0)
        rc = vg_error_set(VG_EINVAL, "psk key: bad base64 at byte %zu", bad);
    else if (key_len < VG_JWT_MIN_KEY)
        rc = vg_error_set(VG_EINVAL,
                          "psk key: %zu bytes; HS256 needs at least %d (RFC 7518 section 3.2)",
                          key_len, VG_JWT_MIN_KEY);
    else if (key_len > VG_JWT_MAX_KEY)
        rc = vg_error_set(VG_EINVAL, "psk key: %zu bytes, over the cap of %d", key_len,
                          VG_JWT_MAX_KEY);
    OPENSSL_cleanse(clean, clen);
    free(clean);
    if (rc != 0) {
        OPENSSL_cleanse(key, clen / 4 * 3 + 3);
        free(key);
        return rc;
    }
    out->key = key;
    out->key_len = key_len;
    out->issuers = vg_xcalloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        out->issuers[i] = vg_xstrdup(issuers[i]);
    out->n_issuers = n;
    out->leeway_s = leeway_s;
    return 0;
}

void vg_jwt_psk_dispose(vg_jwt_psk *p)
{
    if (!p)
        return;
    if (p->key) {
        OPENSSL_cleanse(p->key, p->key_len);
        free(p->key);
    }
    for (size_t i = 0; i < p->n_issuers; i++)
        free(p->issuers[i]);
    free(p->issuers);
    memset(p, 0, sizeof(*p));
}

/* ---- verification --------------------------------------------------------------------- */

static int check_header(const json_t *hdr)
{
    const json_t *alg = json_object_get(hdr, "alg");
    if (!alg)
        return fail("malformed token: header has no alg");
    if (!json_is_string(alg))
        return fail("malformed token: header alg is not a string");
    const char *a = json_string_value(alg);
    size_t alen = json_string_length(alg);
    if (alen != 5 || memcmp(a, "HS256", 5) != 0)
        return fail_quoting("alg '", a, alen, QUOTE_MAX, "' not allowed (only HS256)");
    if (json_object_get(hdr, "crit"))
        return fail("malformed token: header has crit extensions, none are supported");
    return 0;
}

static int check_claims(const vg_jwt_psk *p, const json_t *claims, int64_t now)
{
    const json_t *iss = json_object_get(claims, "iss");
    if (!iss)
        return fail("malformed token: no iss claim");
    if (!json_is_string(iss))
        return fail("malformed token: claim iss is not a string");
    const char *is = json_string_value(iss);
    size_t islen = json_string_length(iss);
    bool known = false;
    for (size_t i = 0; i < p->n_issuers && !known; i++)
        known = strlen(p->issuers[i]) == islen && memcmp(p->issuers[i], is, islen) == 0;
    if (!known)
        return fail_quoting("issuer '", is, islen, QUOTE_MAX, "' not accepted");

    int64_t exp = 0, nbf = 0, iat = 0;
    bool has_exp = false, has_nbf = false, has_iat = false;
    int rc = numeric_date(&exp, &has_exp, claims, "exp");
    if (rc == 0)
        rc = numeric_date(&nbf, &has_nbf, claims, "nbf");
    if (rc == 0)
        rc = numeric_date(&iat, &has_iat, claims, "iat");
    if (rc != 0)
        return rc;
    if (!has_exp)
        return fail("malformed token: no exp claim");

    char t[40];
    int64_t lw = p->leeway_s;
    /* RFC 7519: valid while now < exp and now >= nbf, each widened by the leeway. */
    if (exp <= INT64_MAX - lw && now >= exp + lw) {
        fmt_time(t, sizeof(t), exp);
        return fail("token expired at %s (exp %" PRId64 ", now %" PRId64 ", leeway %" PRId64 " s)",
                    t, exp, now, lw);
    }
    if (has_nbf && now <= INT64_MAX - lw && now + lw < nbf) {
        fmt_time(t, sizeof(t), nbf);
        return fail("token not valid before %s (nbf %" PRId64 ", now %" PRId64 ", leeway %" PRId64
                    " s)",
                    t, nbf, now, lw);
    }
    return 0;
}

int vg_jwt_verify(const vg_jwt_psk *p, const char *authorization, int64_t now)
{
    assert(p && p->key && p->n_issuers > 0);
    if (!authorization)
        return fail("missing Authorization header");
    vg_slice h = vg_slice_trim(vg_slice_from_cstr(authorization));
    if (h.len == 0)
        return fail("missing Authorization header (empty)");
    size_t i = 0;
    while (i < h.len && h.ptr[i] != ' ' && h.ptr[i] != '\t')
        i++;
    if (i != 6 || strncasecmp(h.ptr, "Bearer", 6) != 0)
        return fail_quoting("Authorization is not a Bearer token (scheme '", h.ptr, i, QUOTE_SCHEME,
                            "')");
    while (i < h.len && (h.ptr[i] == ' ' || h.ptr[i] == '\t'))
        i++;
    vg_slice tok = {h.ptr + i, h.len - i};
    if (tok.len == 0)
        return fail("empty Bearer token");
    if (tok.len > VG_JWT_MAX_TOKEN)
        return fail("token is %zu bytes, over the cap of %d", tok.len, VG_JWT_MAX_TOKEN);

    /* The three parts of the compact serialization. */
    vg_slice part[3];
    size_t n_dots = 0;
    for (size_t k = 0; k < tok.len; k++)
        n_dots += tok.ptr[k] == '.';
    if (n_dots != 2)
        return fail("malformed token: %zu dot-separated parts, expected 3", n_dots + 1);
    vg_slice rest = vg_slice_split(tok, '.', &part[0]);
    part[2] = vg_slice_split(rest, '.', &part[1]);
    for (int k = 0; k < 2; k++)
        if (part[k].len == 0)
            return fail("malformed token: part %d (%s) is empty", k + 1, part_names[k]);

    /* Decode all three first, so that "bad base64" names the first bad part. */
    unsigned char *dec[3] = {NULL, NULL, NULL};
    size_t dec_len[3] = {0, 0, 0};
    unsigned char *buf = vg_xmalloc(tok.len + 9);
    size_t off = 0;
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        size_t bad = 0;
        dec[k] = buf + off;
        if (b64_decode(dec[k], &dec_len[k], part[k].ptr, part[k].len, true, &bad) != 0)
            rc = fail("malformed token: bad base64 in part %d (%s) at byte %zu", k + 1,
                      part_names[k], bad);
        off += dec_len[k];
    }
    json_t *hdr = NULL, *claims = NULL;
    if (rc == 0)
        rc = parse_object(&hdr, dec[0], dec_len[0], "header");
    if (rc == 0)
        rc = check_header(hdr);
    if (rc == 0) {
        unsigned char md[HS256_LEN];
        size_t signed_len = part[0].len + 1 + part[1].len;
        rc = hs256(md, p->key, p->key_len, tok.ptr, signed_len);
        if (rc == 0 && dec_len[2] == 0)
            rc = fail("bad signature (none given)");
        else if (rc == 0 && (dec_len[2] != HS256_LEN || CRYPTO_memcmp(md, dec[2], HS256_LEN) != 0))
            rc = fail("bad signature");
    }
    /* Only signed claims are parsed. */
    if (rc == 0)
        rc = parse_object(&claims, dec[1], dec_len[1], "payload");
    if (rc == 0)
        rc = check_claims(p, claims, now);
    json_decref(hdr);
    json_decref(claims);
    free(buf);
    return rc;
}

/* ---- signing -------------------------------------------------------------------------- */

int vg_jwt_sign(char **out, const unsigned char *key, size_t key_len, const char *claims_json)
{
    if (!key || key_len == 0 || key_len > VG_JWT_MAX_KEY)
        return vg_error_set(VG_EINVAL, "jwt: key of %zu bytes, need 1..%d", key ? key_len : 0,
                            VG_JWT_MAX_KEY);
    json_error_t jerr;
    json_t *claims = claims_json ? json_loads(claims_json, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!claims || !json_is_object(claims)) {
        json_decref(claims);
        return vg_error_set(VG_EINVAL, "jwt: the claims are not a JSON object");
    }
    char *payload = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    if (!payload)
        return vg_error_set(VG_ERROR, "jwt: cannot encode the claims");

    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_JWT_MAX_TOKEN);
    b64url_put(&sb, (const unsigned char *)jwt_header, sizeof(jwt_header) - 1);
    vg_strbuf_putc(&sb, '.');
    b64url_put(&sb, (const unsigned char *)payload, strlen(payload));
    free(payload);
    int rc = 0;
    unsigned char md[HS256_LEN];
    if (vg_strbuf_error(&sb) == 0) {
        rc = hs256(md, key, key_len, sb.buf, sb.len);
        if (rc == 0) {
            vg_strbuf_putc(&sb, '.');
            b64url_put(&sb, md, sizeof(md));
        }
    }
    if (rc == 0 && vg_strbuf_error(&sb) != 0)
        rc = vg_error_set(VG_ETOOBIG, "jwt: the token would pass the cap of %d bytes",
                          VG_JWT_MAX_TOKEN);
    if (rc != 0) {
        vg_strbuf_dispose(&sb);
        return rc;
    }
    *out = vg_strbuf_detach(&sb);
    return 0;
}
