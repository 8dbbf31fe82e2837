/* jwt_fuzzer.c — fuzz target for the PSK verifier (src/api/jwt.c). An input is an
 * Authorization header value, verified with a fixed key and clock; an input starting with '{'
 * is instead a claims text, signed with vg_jwt_sign and verified, so the claim checks behind
 * the signature are reached too. Besides crashes it aborts on an unexpected code, an empty
 * message, a message that echoes a token part, or a verdict that contradicts the claims. */
#include "api/jwt_int.h"
#include "util/util.h"

#include <jansson.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_RAW "vigil-psk-test-key-0123456789abcdef"
#define KEY_B64 "dmlnaWwtcHNrLXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY="
#define NOW INT64_C(1700000000)
#define ECHO_MIN 40 /* messages quote at most 32 input bytes; longer parts must not appear */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const issuers[] = {"clairctl", "quay"};

static const vg_jwt_psk *psk(void)
{
    static vg_jwt_psk p;
    static int ready;
    if (!ready) {
        if (vg_jwt_psk_init(&p, KEY_B64, issuers, VG_ARRAY_LEN(issuers), 60) != 0)
            abort();
        ready = 1;
    }
    return &p;
}

static void check_failure(int rc, const char *header)
{
    if (rc != VG_JWT_EAUTH || !*vg_error_last())
        abort();
    const char *msg = vg_error_last();
    for (const char *s = header; *s;) {
        size_t n = strcspn(s, ". \t");
        if (n > ECHO_MIN) {
            char *part = vg_xstrndup(s, n);
            if (strstr(msg, part))
                abort();
            free(part);
        }
        s += n;
        if (*s)
            s++;
    }
}

/* Signs the claims, verifies the token, and checks the verdict against jansson's reading. */
static void claims_mode(const char *claims)
{
    char *tok = NULL;
    int rc = vg_jwt_sign(&tok, (const unsigned char *)KEY_RAW, strlen(KEY_RAW), claims);
    if (rc != 0) {
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || tok)
            abort();
        return;
    }
    vg_strbuf h;
    vg_strbuf_init(&h, 0);
    vg_strbuf_printf(&h, "Bearer %s", tok);
    free(tok);
    rc = vg_jwt_verify(psk(), h.buf, NOW);
    if (rc != 0) {
        check_failure(rc, h.buf);
        /* The token is well formed and signed: only the claims can be at fault. */
        static const char *const claim_faults[] = {"issuer '",
                                                   "token expired at ",
                                                   "token not valid before ",
                                                   "malformed token: no ",
                                                   "malformed token: claim ",
                                                   "malformed token: payload "};
        int known = 0;
        for (size_t i = 0; i < VG_ARRAY_LEN(claim_faults); i++)
            known |= strncmp(vg_error_last(), claim_faults[i], strlen(claim_faults[i])) == 0;
        if (!known)
            abort();
    } else {
        json_t *j = json_loads(claims, 0, NULL);
        const json_t *iss = json_object_get(j, "iss");
        const json_t *exp = json_object_get(j, "exp");
        if (!json_is_string(iss) || !json_is_number(exp))
            abort();
        int known = 0;
        for (size_t i = 0; i < VG_ARRAY_LEN(issuers); i++)
            known |= strcmp(json_string_value(iss), issuers[i]) == 0;
        if (!known || json_number_value(exp) < (double)(NOW - 60))
            abort();
        json_decref(j);
    }
    vg_strbuf_dispose(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = size ? vg_xstrndup((const char *)data, size) : vg_xstrdup("");
    vg_error_clear();
    if (size > 0 && data[0] == '{') {
        claims_mode(s);
    } else {
        int rc = vg_jwt_verify(psk(), s, NOW);
        if (rc != 0)
            check_failure(rc, s);
    }
    free(s);
    return 0;
}
