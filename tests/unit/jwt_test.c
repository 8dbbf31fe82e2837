/* jwt_test.c — unit tests of src/api/jwt.c, the PSK (Clair-compatible HS256 JWT) verifier and
 * signer. The tokens below were made once by an independent implementation,
 * tests/api/mkjwt.py (Python stdlib hmac/hashlib/base64/json), and are checked here against
 * the C verifier; vg_jwt_sign must reproduce mkjwt.py's token byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/jwt_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* printf 'vigil-psk-test-key-0123456789abcdef' | base64 -w0 */
#define KEY_RAW "vigil-psk-test-key-0123456789abcdef"
#define KEY_B64 "dmlnaWwtcHNrLXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY="
#define NOW INT64_C(1700000000)

/* Each token: tests/api/mkjwt.py --key-b64 $KEY_B64 [options] CLAIMS, with the options and
 * CLAIMS in the comment above it. The header is {"alg":ALG,"typ":"JWT"} unless --header. */
#define H256 "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
/* '{"iss":"clairctl","exp":1700000600,"iat":1700000000}' */
#define T_GOOD                                                                                     \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMCwiaWF0IjoxNzAwMDAwMDAwfQ."                 \
         "B1rYH2sm1xCDBI9TjUsdjHBAAadvsIIkpIla1a5a3yw"
#define T_GOOD_CLAIMS "{\"iss\":\"clairctl\",\"exp\":1700000600,\"iat\":1700000000}"
/* '{"iss":"quay","exp":1700000600,"nbf":1699999900}' */
#define T_QUAY                                                                                     \
    H256 "eyJpc3MiOiJxdWF5IiwiZXhwIjoxNzAwMDAwNjAwLCJuYmYiOjE2OTk5OTk5MDB9."                       \
         "fv_bPWo9ikSW4dizBv9eKoTfMZ9ZFuNICgM9Yy8Up5o"
/* '{"iss":"clairctl","exp":1699999000}' */
#define T_EXPIRED                                                                                  \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTY5OTk5OTAwMH0."                                        \
         "rPWQJ_gxVCo34ZoEnPZHyjDmZSmF3JIByb5qOEZmzG8"
/* '{"iss":"clairctl","exp":1699999970}' */
#define T_EXPIRED_LEEWAY                                                                           \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTY5OTk5OTk3MH0."                                        \
         "pGrsOdiXxX32ashuB4DjpQdMx84Ifhwp29wAdOW9fms"
/* '{"iss":"clairctl","exp":1700000600,"nbf":1700000300}' */
#define T_NBF_FUTURE                                                                               \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMCwibmJmIjoxNzAwMDAwMzAwfQ."                 \
         "-6MPBekJFjdIJ7XsADUhscv3oI3w8qCLAOhA4fXDgNE"
/* '{"iss":"clairctl","exp":1700000600,"nbf":1700000030}' */
#define T_NBF_LEEWAY                                                                               \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMCwibmJmIjoxNzAwMDAwMDMwfQ."                 \
         "KbHO2YMPvxEWlf6CIYWXaC-lsXQ7gl1qei0yTMHFS2I"
/* '{"iss":"mallory","exp":1700000600}' */
#define T_WRONG_ISS                                                                                \
    H256 "eyJpc3MiOiJtYWxsb3J5IiwiZXhwIjoxNzAwMDAwNjAwfQ."                                         \
         "bedjvCcXoQPA0ThSebm7jJ-BEFalrs4TzGC0YeCLRfY"
/* --key-b64 $(printf 'some-other-key-that-is-32-bytes-long!' | base64 -w0)
 * '{"iss":"clairctl","exp":1700000600}' */
#define T_WRONG_KEY                                                                                \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMH0."                                        \
         "iH7lXLhBdNkY565TyfEvNzpAMfnAnY6HEvOSnDlQ2XU"
/* --alg none '{"iss":"clairctl","exp":1700000600}' */
#define T_ALG_NONE                                                                                 \
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMH0."
/* --alg HS512 '{"iss":"clairctl","exp":1700000600}' */
#define T_ALG_HS512                                                                                \
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMH0."        \
    "S3SUEzbmnwfne50iCEcIG_hUXL68m3Y-f-e3ccI4TwD-FlD57qutHIImVOmtIwFIer10xklTIjpWLtEuOd1-SQ"
/* --tamper '{"iss":"clairctl","exp":1700000600}' */
#define T_TAMPERED                                                                                 \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMHA."                                        \
         "ax_sFficAHO2oyGt2snULuKxp8pIVeTBwm8-tmrqplA"
/* '{"iss":"clairctl","iat":1700000000}' */
#define T_NO_EXP                                                                                   \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImlhdCI6MTcwMDAwMDAwMH0."                                        \
         "f5DdA8b2PD739ezbKerZVaOwGXjTtjehqJGFM34Q0r0"
/* '{"exp":1700000600}' */
#define T_NO_ISS H256 "eyJleHAiOjE3MDAwMDA2MDB9.J55oDVXBKEZNWK1V6TaxCS1uCdQM4mxm02mb5hOCReA"
/* '{"iss":"clairctl","exp":1700000600.5}' */
#define T_REAL_EXP                                                                                 \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMC41fQ."                                     \
         "tEh-YeM2v8slzMAv3nIZqotSz1o9Rg9P6XnXlftzWHU"
/* '{"iss":5,"exp":1700000600}' */
#define T_ISS_NUMBER                                                                               \
    H256 "eyJpc3MiOjUsImV4cCI6MTcwMDAwMDYwMH0.WiCENd_bLHAL0xjn1QKodKHYpHlQ-wXDhkPBmc4o3n4"
/* '{"iss":"clairctl","exp":"1700000600"}' */
#define T_EXP_STRING                                                                               \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6IjE3MDAwMDA2MDAifQ."                                     \
         "pss0yqnf695xmbcoNB-0kBCVFG7MhRh7vcai-GL7_ag"
/* --header '{"alg":"HS256","crit":["exp"],"exp":1}' '{"iss":"clairctl","exp":1700000600}' */
#define T_CRIT                                                                                     \
    "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiZXhwIl0sImV4cCI6MX0."                                         \
    "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMH0.AkxnSOovP7pTK07rscmv2r38gadIzRmgNmF_EHsj3so"
/* --header '{"alg":"HS256"}' '{"iss":"clairctl","exp":1700000600}' */
#define T_NO_TYP                                                                                   \
    "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMH0."                        \
    "Ivqm13Ml-kyXUkKKKwoSr0VoTXBZs66wsPLjFQoMym4"
/* --header '{"typ":"JWT"}' '{"iss":"clairctl","exp":1700000600}' */
#define T_NO_ALG                                                                                   \
    "eyJ0eXAiOiJKV1QifQ.eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMH0."                          \
    "Hr5xmU5kKDLhfeQNDv9DRMOnmgHWssHAMHV-lk1HlkI"
/* --raw '{"iss":"clairctl","exp":1700000600,"exp":1900000000}' */
#define T_DUP_CLAIMS                                                                               \
    H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMCwiZXhwIjoxOTAwMDAwMDAwfQ."                 \
         "z7bJrhT7jXFiJir7ZDHhkn8n4hohF8Op2niQUX5h9lc"
/* --raw '["iss","clairctl"]' */
#define T_CLAIMS_ARRAY H256 "WyJpc3MiLCJjbGFpcmN0bCJd.QM7-SeARkS33306rQv77sFthW9DCiGmI9mYQQe6-Wso"
/* --raw '{"iss":"clairctl","exp":1700000600,"x":[[[...]]]}' with 15 nested arrays: depth 16 */
#define T_DEPTH16                                                                                  \
    H256                                                                                           \
        "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMCwieCI6W1tbW1tbW1tbW1tbW1tbXV1dXV1dXV1dXV1d" \
        "XV1dfQ.WE6M7moZcLhbUV0UOCOjOQf8vNsftZqBU0qnrm-g5dE"
/* the same with 16 nested arrays: depth 17, one past VG_JWT_MAX_DEPTH */
#define T_DEPTH17                                                                                  \
    H256                                                                                           \
        "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMCwieCI6W1tbW1tbW1tbW1tbW1tbW11dXV1dXV1dXV1d" \
        "XV1dXV19.q76UnoEWW1U6xG7G_cbFGEFJmy0pfz1R9HefVL9SQtc"

static const char *const issuers[] = {"clairctl", "quay"};

static void psk_setup(vg_jwt_psk *p, int64_t leeway)
{
    int rc = vg_jwt_psk_init(p, KEY_B64, issuers, 2, leeway);
    if (rc != 0)
        fail_msg("psk_init: %s", vg_error_last());
    assert_int_equal(p->key_len, strlen(KEY_RAW));
    assert_memory_equal(p->key, KEY_RAW, p->key_len);
}

/* No failure message may contain a token part (anything 16+ bytes long between dots). */
static void assert_no_echo(const char *header, const char *msg)
{
    const char *tok = strstr(header, " ");
    tok = tok ? tok + 1 : header;
    while (*tok) {
        size_t n = strcspn(tok, ".");
        if (n >= 16) {
            char *part = vg_xstrndup(tok, n);
            if (strstr(msg, part))
                fail_msg("message echoes the token: %s", msg);
            free(part);
        }
        tok += n;
        if (*tok)
            tok++;
    }
}

typedef struct vcase {
    const char *name;
    const char *header; /* the Authorization value; NULL: absent */
    int64_t leeway;
    int ok;
    const char *msg; /* substring of the failure message */
} vcase;

static const vcase vcases[] = {
    {"good", "Bearer " T_GOOD, 60, 1, NULL},
    {"good, second issuer, nbf past", "Bearer " T_QUAY, 60, 1, NULL},
    {"scheme in lower case, extra blanks", "  bearer \t " T_GOOD " ", 60, 1, NULL},
    {"no typ header", "Bearer " T_NO_TYP, 60, 1, NULL},
    {"fractional exp", "Bearer " T_REAL_EXP, 60, 1, NULL},
    {"padding on the signature", "Bearer " T_GOOD "=", 60, 1, NULL},
    {"depth at the cap", "Bearer " T_DEPTH16, 60, 1, NULL},
    {"expired", "Bearer " T_EXPIRED, 60, 0,
     "token expired at 2023-11-14T21:56:40Z (exp 1699999000, now 1700000000, leeway 60 s)"},
    {"expired within leeway", "Bearer " T_EXPIRED_LEEWAY, 60, 1, NULL},
    {"expired, no leeway", "Bearer " T_EXPIRED_LEEWAY, 0, 0, "token expired at"},
    {"nbf in the future", "Bearer " T_NBF_FUTURE, 60, 0,
     "token not valid before 2023-11-14T22:18:20Z (nbf 1700000300"},
    {"nbf within leeway", "Bearer " T_NBF_LEEWAY, 60, 1, NULL},
    {"nbf, no leeway", "Bearer " T_NBF_LEEWAY, 0, 0, "not valid before"},
    {"wrong issuer", "Bearer " T_WRONG_ISS, 60, 0, "issuer 'mallory' not accepted"},
    {"no issuer", "Bearer " T_NO_ISS, 60, 0, "no iss claim"},
    {"issuer not a string", "Bearer " T_ISS_NUMBER, 60, 0, "claim iss is not a string"},
    {"wrong key", "Bearer " T_WRONG_KEY, 60, 0, "bad signature"},
    {"alg none", "Bearer " T_ALG_NONE, 60, 0, "alg 'none' not allowed (only HS256)"},
    {"alg HS512", "Bearer " T_ALG_HS512, 60, 0, "alg 'HS512' not allowed"},
    {"no alg", "Bearer " T_NO_ALG, 60, 0, "header has no alg"},
    {"crit", "Bearer " T_CRIT, 60, 0, "crit"},
    {"tampered payload", "Bearer " T_TAMPERED, 60, 0, "bad signature"},
    {"signature stripped", "Bearer " H256 "eyJpc3MiOiJjbGFpcmN0bCIsImV4cCI6MTcwMDAwMDYwMH0.", 60, 0,
     "bad signature (none given)"},
    {"missing exp", "Bearer " T_NO_EXP, 60, 0, "no exp claim"},
    {"exp a string", "Bearer " T_EXP_STRING, 60, 0, "claim exp is not a number"},
    {"duplicate claim", "Bearer " T_DUP_CLAIMS, 60, 0, "payload JSON has a duplicate key"},
    {"claims not an object", "Bearer " T_CLAIMS_ARRAY, 60, 0, "payload is not a JSON object"},
    {"depth over the cap", "Bearer " T_DEPTH17, 60, 0, "payload JSON is nested deeper than 16"},
    {"garbage", "Bearer not-a-jwt", 60, 0, "malformed token: 1 dot-separated parts, expected 3"},
    {"four parts", "Bearer a.b.c.d", 60, 0, "4 dot-separated parts"},
    {"empty header part", "Bearer .eyJ9.abc", 60, 0, "part 1 (header) is empty"},
    {"bad char in part 2", "Bearer " H256 "eyJ!e30.abc", 60, 0,
     "bad base64 in part 2 (payload) at byte 3"},
    {"standard alphabet", "Bearer " H256 "e30.ab+/", 60, 0, "bad base64 in part 3 (signature)"},
    {"bad length in part 1", "Bearer eyJhb.e30.", 60, 0, "bad base64 in part 1 (header) at byte 4"},
    {"padding that does not complete", "Bearer " T_GOOD "==", 60, 0,
     "bad base64 in part 3 (signature)"},
    {"header not JSON", "Bearer bm90IGpzb24.e30.", 60, 0, "header is not valid JSON"},
    {"duplicate alg", "Bearer eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ.e30.", 60, 0,
     "header JSON has a duplicate key"},
    {"Basic", "Basic YWxhZGRpbjpvcGVuc2VzYW1l", 60, 0,
     "Authorization is not a Bearer token (scheme 'Basic')"},
    {"bare token", T_GOOD, 60, 0, "not a Bearer token (scheme 'eyJhbGciOiJIUzI1...')"},
    {"Bearer alone", "Bearer", 60, 0, "empty Bearer token"},
    {"empty", "", 60, 0, "missing Authorization header"},
    {"blank", " \t", 60, 0, "missing Authorization header"},
    {"absent", NULL, 60, 0, "missing Authorization header"},
};

static void test_verify_table(void **state)
{
    (void)state;
    vg_jwt_psk p60, p0;
    psk_setup(&p60, 60);
    psk_setup(&p0, 0);
    for (size_t i = 0; i < VG_ARRAY_LEN(vcases); i++) {
        const vcase *c = &vcases[i];
        vg_error_clear();
        int rc = vg_jwt_verify(c->leeway ? &p60 : &p0, c->header, NOW);
        if (c->ok) {
            if (rc != 0)
                fail_msg("%s: rejected: %s", c->name, vg_error_last());
            continue;
        }
        if (rc != VG_JWT_EAUTH)
            fail_msg("%s: rc %d (%s)", c->name, rc, vg_error_last());
        if (!strstr(vg_error_last(), c->msg))
            fail_msg("%s: message '%s' lacks '%s'", c->name, vg_error_last(), c->msg);
        if (c->header)
            assert_no_echo(c->header, vg_error_last());
    }
    vg_jwt_psk_dispose(&p60);
    vg_jwt_psk_dispose(&p0);
}

/* exp and nbf boundaries: valid while now < exp + leeway and now + leeway >= nbf. */
static void test_time_bounds(void **state)
{
    (void)state;
    vg_jwt_psk p;
    psk_setup(&p, 60);
    const char *h = "Bearer " T_EXPIRED_LEEWAY; /* exp 1699999970 */
    assert_int_equal(vg_jwt_verify(&p, h, 1699999970 + 59), 0);
    assert_int_equal(vg_jwt_verify(&p, h, 1699999970 + 60), VG_JWT_EAUTH);
    h = "Bearer " T_NBF_FUTURE; /* nbf 1700000300 */
    assert_int_equal(vg_jwt_verify(&p, h, 1700000300 - 60), 0);
    assert_int_equal(vg_jwt_verify(&p, h, 1700000300 - 61), VG_JWT_EAUTH);
    assert_non_null(strstr(vg_error_last(), "not valid before"));
    /* Extreme clocks do not overflow. */
    assert_int_equal(vg_jwt_verify(&p, "Bearer " T_GOOD, INT64_MAX), VG_JWT_EAUTH);
    assert_int_equal(vg_jwt_verify(&p, "Bearer " T_GOOD, INT64_MIN), 0);
    vg_jwt_psk_dispose(&p);
}

static void test_oversized(void **state)
{
    (void)state;
    vg_jwt_psk p;
    psk_setup(&p, 60);
    size_t n = 7 + VG_JWT_MAX_TOKEN + 1;
    char *h = vg_xmalloc(n + 1);
    memcpy(h, "Bearer ", 7);
    memset(h + 7, 'A', n - 7);
    h[n] = '\0';
    assert_int_equal(vg_jwt_verify(&p, h, NOW), VG_JWT_EAUTH);
    assert_string_equal(vg_error_last(), "token is 8193 bytes, over the cap of 8192");
    /* At the cap the size passes and the shape is what fails. */
    h[n - 1] = '\0';
    assert_int_equal(vg_jwt_verify(&p, h, NOW), VG_JWT_EAUTH);
    assert_non_null(strstr(vg_error_last(), "dot-separated parts"));
    free(h);
    vg_jwt_psk_dispose(&p);
}

/* Base64 strictness: a signature whose unused low bits are set is another encoding of the
 * same bytes and is refused. */
static void test_base64_unused_bits(void **state)
{
    (void)state;
    vg_jwt_psk p;
    psk_setup(&p, 60);
    char *h = vg_xstrdup("Bearer " T_GOOD);
    size_t n = strlen(h);
    /* 32 bytes -> 43 symbols; the last carries 4 data bits and 2 unused ones. 'w' is 48. */
    assert_int_equal(h[n - 1], 'w');
    h[n - 1] = 'x'; /* 49: an unused bit set */
    assert_int_equal(vg_jwt_verify(&p, h, NOW), VG_JWT_EAUTH);
    assert_string_equal(vg_error_last(),
                        "malformed token: bad base64 in part 3 (signature) at byte 42");
    free(h);
    vg_jwt_psk_dispose(&p);
}

static void test_sign_matches_python(void **state)
{
    (void)state;
    char *tok = NULL;
    assert_int_equal(
        vg_jwt_sign(&tok, (const unsigned char *)KEY_RAW, strlen(KEY_RAW), T_GOOD_CLAIMS), 0);
    assert_string_equal(tok, T_GOOD);
    free(tok);
    /* Pretty input is re-encoded compactly. */
    assert_int_equal(vg_jwt_sign(&tok, (const unsigned char *)KEY_RAW, strlen(KEY_RAW),
                                 "{ \"iss\": \"clairctl\",\n \"exp\": 1700000600, "
                                 "\"iat\": 1700000000 }"),
                     0);
    assert_string_equal(tok, T_GOOD);
    free(tok);
}

static void test_sign_roundtrip(void **state)
{
    (void)state;
    vg_jwt_psk p;
    psk_setup(&p, 60);
    static const struct {
        const char *claims;
        int ok;
        const char *msg;
    } rt[] = {
        {"{\"iss\":\"quay\",\"exp\":1700000001}", 1, NULL},
        {"{\"iss\":\"clairctl\",\"exp\":1700000600,\"nbf\":1699990000,\"iat\":1699990000,"
         "\"sub\":\"x\",\"aud\":[\"a\",\"b\"]}",
         1, NULL},
        {"{\"iss\":\"clairctl\",\"exp\":1699999940}", 0, "expired"},
        {"{\"iss\":\"clairctl\",\"exp\":1700000600,\"nbf\":1700000061}", 0, "not valid before"},
        {"{\"iss\":\"quay2\",\"exp\":1700000600}", 0, "issuer 'quay2' not accepted"},
        {"{\"iss\":\"evil\\\"\\n\\u00e9\",\"exp\":1700000600}", 0,
         "issuer 'evil\\\"\\x0a\\xc3\\xa9' not accepted"},
        {"{\"iss\":\"clairctl\",\"exp\":1700000600,\"iat\":\"yesterday\"}", 0,
         "claim iat is not a number"},
        {"{\"iss\":\"clairctl\",\"exp\":1e300}", 0, "claim exp is out of range"},
        {"{\"iss\":\"clairctl\",\"exp\":null}", 0, "claim exp is not a number"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(rt); i++) {
        char *tok = NULL;
        assert_int_equal(
            vg_jwt_sign(&tok, (const unsigned char *)KEY_RAW, strlen(KEY_RAW), rt[i].claims), 0);
        vg_strbuf h;
        vg_strbuf_init(&h, 0);
        vg_strbuf_printf(&h, "Bearer %s", tok);
        int rc = vg_jwt_verify(&p, h.buf, NOW);
        if (rt[i].ok && rc != 0)
            fail_msg("%s: %s", rt[i].claims, vg_error_last());
        if (!rt[i].ok && (rc != VG_JWT_EAUTH || !strstr(vg_error_last(), rt[i].msg)))
            fail_msg("%s: rc %d, '%s' lacks '%s'", rt[i].claims, rc, vg_error_last(), rt[i].msg);
        vg_strbuf_dispose(&h);
        free(tok);
    }
    vg_jwt_psk_dispose(&p);
}

static void test_sign_errors(void **state)
{
    (void)state;
    const unsigned char *k = (const unsigned char *)KEY_RAW;
    char *tok = (char *)"untouched";
    assert_int_equal(vg_jwt_sign(&tok, k, strlen(KEY_RAW), "[1]"), VG_EINVAL);
    assert_int_equal(vg_jwt_sign(&tok, k, strlen(KEY_RAW), "{\"a\":1,\"a\":2}"), VG_EINVAL);
    assert_int_equal(vg_jwt_sign(&tok, k, strlen(KEY_RAW), "{"), VG_EINVAL);
    assert_int_equal(vg_jwt_sign(&tok, k, 0, "{}"), VG_EINVAL);
    assert_int_equal(vg_jwt_sign(&tok, k, VG_JWT_MAX_KEY + 1, "{}"), VG_EINVAL);
    /* A claim so big the token would pass VG_JWT_MAX_TOKEN. */
    vg_strbuf big;
    vg_strbuf_init(&big, 0);
    vg_strbuf_puts(&big, "{\"x\":\"");
    for (int i = 0; i < VG_JWT_MAX_TOKEN; i++)
        vg_strbuf_putc(&big, 'a');
    vg_strbuf_puts(&big, "\"}");
    assert_int_equal(vg_jwt_sign(&tok, k, strlen(KEY_RAW), big.buf), VG_ETOOBIG);
    vg_strbuf_dispose(&big);
    assert_string_equal(tok, "untouched");
}

static void test_psk_init(void **state)
{
    (void)state;
    vg_jwt_psk p;
    memset(&p, 0, sizeof(p));
    static const struct {
        const char *key;
        size_t n_iss;
        int64_t leeway;
        int ok;
        const char *msg;
    } ic[] = {
        {KEY_B64, 2, 60, 1, NULL},
        /* Line breaks and surrounding blanks as YAML may leave them; padding optional. */
        {"  dmlnaWwtcHNrLXRlc3Qta2V5\nLTAxMjM0NTY3ODlhYmNkZWY\r\n", 2, 60, 1, NULL},
        /* Clair's documented example key (37 bytes). */
        {"MDQ4ODBlNDAtNDc0ZC00MWUxLThhMzAtOTk0MzEwMGQwYTMxCg==", 1, 0, 1, NULL},
        {"dmlnaWwtcHNrLXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY*", 2, 60, 0, "bad base64 at byte 47"},
        {"dmlnaWwtcHNrLXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY-", 2, 60, 0, "bad base64"},
        {"c2hvcnQta2V5", 2, 60, 0, "psk key: 9 bytes; HS256 needs at least 32"},
        {"", 2, 60, 0, "psk key: 0 bytes"},
        {KEY_B64, 0, 60, 0, "no issuers"},
        {KEY_B64, 3, 60, 0, "issuer 3 is empty"},
        {KEY_B64, 2, -1, 0, "leeway -1 s is outside 0..86400"},
        {KEY_B64, 2, VG_JWT_MAX_LEEWAY + 1, 0, "outside"},
    };
    static const char *const iss3[] = {"clairctl", "quay", ""};
    for (size_t i = 0; i < VG_ARRAY_LEN(ic); i++) {
        int rc = vg_jwt_psk_init(&p, ic[i].key, iss3, ic[i].n_iss, ic[i].leeway);
        if (ic[i].ok) {
            if (rc != 0)
                fail_msg("case %zu: %s", i, vg_error_last());
            vg_jwt_psk_dispose(&p);
            assert_null(p.key);
            continue;
        }
        assert_int_equal(rc, VG_EINVAL);
        if (!strstr(vg_error_last(), ic[i].msg))
            fail_msg("case %zu: '%s' lacks '%s'", i, vg_error_last(), ic[i].msg);
        assert_null(p.key); /* written only on success */
    }
    /* Over the issuer cap, and over the key cap. */
    const char *many[VG_JWT_MAX_ISSUERS + 1];
    for (size_t i = 0; i < VG_ARRAY_LEN(many); i++)
        many[i] = "x";
    assert_int_equal(vg_jwt_psk_init(&p, KEY_B64, many, VG_JWT_MAX_ISSUERS + 1, 60), VG_EINVAL);
    assert_int_equal(vg_jwt_psk_init(&p, KEY_B64, many, VG_JWT_MAX_ISSUERS, 60), 0);
    vg_jwt_psk_dispose(&p);
    size_t klen = (size_t)(VG_JWT_MAX_KEY + 3) / 3 * 4; /* encodes VG_JWT_MAX_KEY + 2 bytes */
    char *bigkey = vg_xmalloc(klen + 1);
    memset(bigkey, 'A', klen);
    bigkey[klen] = '\0';
    assert_int_equal(vg_jwt_psk_init(&p, bigkey, issuers, 2, 60), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "over the cap of 4096"));
    bigkey[(size_t)VG_JWT_MAX_KEY / 3 * 4] = '\0'; /* 4095 bytes */
    assert_int_equal(vg_jwt_psk_init(&p, bigkey, issuers, 2, 60), 0);
    vg_jwt_psk_dispose(&p);
    vg_jwt_psk_dispose(&p); /* idempotent */
    free(bigkey);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_table),        cmocka_unit_test(test_time_bounds),
        cmocka_unit_test(test_oversized),           cmocka_unit_test(test_base64_unused_bits),
        cmocka_unit_test(test_sign_matches_python), cmocka_unit_test(test_sign_roundtrip),
        cmocka_unit_test(test_sign_errors),         cmocka_unit_test(test_psk_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
