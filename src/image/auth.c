/* auth.c — registry authentication for registry.c: WWW-Authenticate parsing, credentials
 * (options, VIGIL_REGISTRY_AUTH, ~/.docker/config.json), Basic, and Bearer tokens fetched
 * from the challenge's realm and cached for the source. Secrets never reach a message. */
#include "image_int.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Caps on what a registry or a config file can make us hold. */
#define AUTH_VALUE_CAP ((size_t)8192)       /* one challenge parameter */
#define AUTH_TOKEN_BODY_CAP ((size_t)65536) /* token server response */
#define AUTH_TOKEN_CAP ((size_t)32768)      /* one token */
#define AUTH_CRED_CAP ((size_t)4096)        /* a user name or a password */
#define AUTH_CONFIG_CAP ((size_t)1 << 20)   /* ~/.docker/config.json */
#define AUTH_MAX_CHALLENGES 8
#define AUTH_TOKEN_TIMEOUT_S 60L
#define AUTH_TOKEN_ATTEMPTS 3

/* Where the credentials came from, for messages (never the credentials themselves). */
typedef enum cred_source {
    CRED_NONE,
    CRED_OPTIONS,
    CRED_ENV,
    CRED_DOCKER_CONFIG,
} cred_source;

struct vg__reg_auth {
    char *host; /* as referenced */
    char *repo;
    char *ca_file;
    bool insecure;
    bool loaded; /* credentials looked up */
    cred_source source;
    char *user; /* NULL when anonymous */
    char *pass;
    char *header; /* "Authorization: ..." or NULL */
};

/* ---- WWW-Authenticate ---------------------------------------------------------------- */

static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

void vg__reg_challenge_dispose(vg__reg_challenge *c)
{
    free(c->scheme);
    free(c->realm);
    free(c->service);
    free(c->scope);
    memset(c, 0, sizeof(*c));
}

static void set_param(vg__reg_challenge *c, vg_slice name, char *value)
{
    char **slot = NULL;
    if (name.len == 5 && strncasecmp(name.ptr, "realm", 5) == 0)
        slot = &c->realm;
    else if (name.len == 7 && strncasecmp(name.ptr, "service", 7) == 0)
        slot = &c->service;
    else if (name.len == 5 && strncasecmp(name.ptr, "scope", 5) == 0)
        slot = &c->scope;
    if (!slot) {
        free(value);
        return;
    }
    free(*slot);
    *slot = value;
}

/* The parser behind vg__reg_challenge_parse; `where` prefixes error messages. */
static int parse_challenges(vg__reg_challenge *out, size_t max, size_t *n, const char *value,
                            const char *where)
{
    const char *p = value;
    size_t count = 0;
    vg_strbuf val;
    vg_strbuf_init(&val, AUTH_VALUE_CAP);
    int rc = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        const char *scheme = p;
        while (is_tchar(*p))
            p++;
        if (p == scheme) {
            rc = vg_error_set(VG_EINVAL, "%s: expected an auth scheme at byte %zu", where,
                              (size_t)(p - value));
            goto out;
        }
        vg__reg_challenge *c = count < max ? &out[count] : NULL;
        if (c) {
            memset(c, 0, sizeof(*c));
            c->scheme = vg_xstrndup(scheme, (size_t)(p - scheme));
            for (char *q = c->scheme; *q; q++)
                if (*q >= 'A' && *q <= 'Z')
                    *q = (char)(*q - 'A' + 'a');
        }
        count++;
        /* auth-params: name = token | quoted-string, separated by commas. */
        for (bool first = true;; first = false) {
            p = skip_ows(p);
            while (*p == ',')
                p = skip_ows(p + 1);
            const char *name = p;
            while (is_tchar(*p))
                p++;
            vg_slice nm = {name, (size_t)(p - name)};
            const char *after = skip_ows(p);
            if (nm.len == 0 || *after != '=') {
                /* The end, a token68 right after the scheme (ignored), or the next
                 * challenge's scheme. */
                if (nm.len > 0 && *after != '\0' && *after != ',' && !is_tchar(*after)) {
                    rc = vg_error_set(VG_EINVAL, "%s: unexpected character at byte %zu", where,
                                      (size_t)(after - value));
                    goto out;
                }
                if (nm.len > 0 && first && (*after == '\0' || *after == ',')) {
                    p = after;
                    continue;
                }
                p = name;
                break;
            }
            p = skip_ows(after + 1);
            vg_strbuf_reset(&val);
            if (*p == '"') {
                p++;
                while (*p != '"') {
                    if (*p == '\0') {
                        rc = vg_error_set(VG_EINVAL, "%s: unterminated quoted string at byte %zu",
                                          where, (size_t)(p - value));
                        goto out;
                    }
                    if (*p == '\\' && p[1] != '\0')
                        p++;
                    vg_strbuf_putc(&val, *p++);
                }
                p++;
            } else {
                const char *v = p;
                while (is_tchar(*p) || *p == '/' || *p == ':' || *p == '=')
                    p++;
                vg_strbuf_append(&val, v, (size_t)(p - v));
            }
            if (vg_strbuf_error(&val)) {
                rc = vg_error_set(VG_EINVAL, "%s: parameter at byte %zu longer than %zu bytes",
                                  where, (size_t)(name - value), AUTH_VALUE_CAP);
                goto out;
            }
            if (c)
                set_param(c, nm, vg_xstrndup(val.buf, val.len));
            p = skip_ows(p);
            if (*p != ',' && *p != '\0') {
                rc = vg_error_set(VG_EINVAL, "%s: expected ',' at byte %zu", where,
                                  (size_t)(p - value));
                goto out;
            }
        }
    }
out:
    vg_strbuf_dispose(&val);
    if (count > max)
        count = max;
    if (rc < 0) {
        for (size_t i = 0; i < count; i++)
            vg__reg_challenge_dispose(&out[i]);
        count = 0;
    }
    *n = count;
    return rc;
}

int vg__reg_challenge_parse(vg__reg_challenge *out, size_t max, size_t *n, const char *value)
{
    return parse_challenges(out, max, n, value, "WWW-Authenticate");
}

/* ---- credentials --------------------------------------------------------------------- */

static bool is_hub(vg_slice h)
{
    return (h.len == 9 && strncasecmp(h.ptr, "docker.io", 9) == 0) ||
           (h.len == 15 && strncasecmp(h.ptr, "index.docker.io", 15) == 0) ||
           (h.len == 20 && strncasecmp(h.ptr, "registry-1.docker.io", 20) == 0);
}

/* Whether a configured host (possibly "https://host/v1/") names the registry `host`. */
static bool host_matches(const char *host, vg_slice key)
{
    if (vg_slice_starts_with(key, "https://"))
        key = (vg_slice){key.ptr + 8, key.len - 8};
    else if (vg_slice_starts_with(key, "http://"))
        key = (vg_slice){key.ptr + 7, key.len - 7};
    vg_slice h;
    vg_slice_split(key, '/', &h);
    vg_slice want = vg_slice_from_cstr(host);
    if (is_hub(want) && is_hub(h))
        return true;
    return h.len == want.len && strncasecmp(h.ptr, want.ptr, h.len) == 0;
}

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static void wipe_strbuf(vg_strbuf *sb)
{
    if (sb->len)
        OPENSSL_cleanse(sb->buf, sb->len);
    vg_strbuf_dispose(sb);
}

static int set_creds(vg__reg_auth *a, vg_slice user, vg_slice pass, cred_source src)
{
    if (user.len > AUTH_CRED_CAP || pass.len > AUTH_CRED_CAP)
        return VG_ETOOBIG;
    a->user = vg_xstrndup(user.ptr, user.len);
    a->pass = vg_xstrndup(pass.ptr, pass.len);
    a->source = src;
    return 0;
}

/* VIGIL_REGISTRY_AUTH="host=user:password[,host2=user2:password2...]": credentials per
 * registry host (host[:port] as in the image reference; "docker.io" also matches Docker
 * Hub's other names). The user ends at the first ':'; a password cannot contain ','. A
 * malformed entry is VG_EINVAL (the message names its position, never its text). */
static int creds_from_env(vg__reg_auth *a, bool *found)
{
    const char *env = getenv("VIGIL_REGISTRY_AUTH");
    if (!env || !*env)
        return 0;
    vg_slice rest = vg_slice_from_cstr(env);
    for (size_t i = 1; rest.ptr; i++) {
        vg_slice entry;
        rest = vg_slice_split(rest, ',', &entry);
        entry = vg_slice_trim(entry);
        if (entry.len == 0)
            continue;
        vg_slice host;
        vg_slice up = vg_slice_split(entry, '=', &host);
        vg_slice user;
        vg_slice pass = up.ptr ? vg_slice_split(up, ':', &user) : up;
        if (!up.ptr || !pass.ptr || host.len == 0 || user.len == 0)
            return vg_error_set(VG_EINVAL,
                                "VIGIL_REGISTRY_AUTH: entry %zu is not host=user:password", i);
        char *h = vg_xstrndup(host.ptr, host.len);
        bool match = host_matches(a->host, vg_slice_from_cstr(h));
        free(h);
        if (!match)
            continue;
        if (set_creds(a, user, pass, CRED_ENV) < 0)
            return vg_error_set(VG_ETOOBIG, "VIGIL_REGISTRY_AUTH: entry %zu is too long", i);
        *found = true;
        return 0;
    }
    return 0;
}

/* Decodes standard base64 (padding optional) into a heap NUL-terminated string; NULL when
 * invalid. */
static char *b64_decode(const char *in, size_t len)
{
    if (len > 4 * AUTH_CRED_CAP)
        return NULL;
    vg_strbuf padded;
    vg_strbuf_init(&padded, 4 * AUTH_CRED_CAP + 4);
    vg_strbuf_append(&padded, in, len);
    while (padded.len % 4)
        vg_strbuf_putc(&padded, '=');
    for (size_t i = 0; i < padded.len; i++) {
        char c = padded.buf[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/' || (c == '=' && i + 2 >= padded.len);
        if (!ok) {
            wipe_strbuf(&padded);
            return NULL;
        }
    }
    unsigned char *out = vg_xmalloc(padded.len / 4 * 3 + 1);
    int n = EVP_DecodeBlock(out, (const unsigned char *)padded.buf, (int)padded.len);
    if (n >= 0) {
        for (size_t i = padded.len; i > 0 && padded.buf[i - 1] == '=' && n > 0; i--)
            n--;
    }
    wipe_strbuf(&padded);
    if (n < 0) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    if (strlen((char *)out) != (size_t)n) { /* embedded NUL */
        OPENSSL_cleanse(out, (size_t)n);
        free(out);
        return NULL;
    }
    return (char *)out;
}

static char *docker_config_path(void)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    const char *dc = getenv("DOCKER_CONFIG");
    const char *home = getenv("HOME");
    if (dc && *dc)
        vg_strbuf_printf(&sb, "%s/config.json", dc);
    else if (home && *home)
        vg_strbuf_printf(&sb, "%s/.docker/config.json", home);
    if (sb.len == 0 || vg_strbuf_error(&sb)) {
        vg_strbuf_dispose(&sb);
        return NULL;
    }
    return vg_strbuf_detach(&sb);
}

/* The "auths" section of the docker config: "auth" (base64 user:password) or
 * "username"/"password" under a key naming the host ("host", "https://host/v1/", ...).
 * credsStore / credHelpers are not supported. A missing file is no credentials; an
 * unreadable or malformed one is an error naming the file (and only line/column). */
static int creds_from_docker_config(vg__reg_auth *a, bool *found)
{
    char *path = docker_config_path();
    if (!path)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        free(path);
        return 0;
    }
    vg_strbuf data;
    vg_strbuf_init(&data, AUTH_CONFIG_CAP);
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (vg_strbuf_append(&data, chunk, got) < 0)
            break;
    OPENSSL_cleanse(chunk, sizeof(chunk));
    bool read_err = ferror(f) != 0;
    fclose(f);
    int rc = 0;
    if (read_err) {
        rc = vg_error_set(VG_EIO, "docker config %s: read error", path);
        goto out;
    }
    if (vg_strbuf_error(&data)) {
        rc = vg_error_set(VG_ETOOBIG, "docker config %s: larger than %zu bytes", path,
                          AUTH_CONFIG_CAP);
        goto out;
    }
    json_error_t jerr;
    json_t *root = json_loadb(data.buf, data.len, 0, &jerr);
    if (!root) {
        rc = vg_error_set(VG_EINVAL, "docker config %s: invalid JSON at line %d, column %d", path,
                          jerr.line, jerr.column);
        goto out;
    }
    json_t *auths = json_object_get(root, "auths");
    const char *key;
    json_t *entry;
    if (json_is_object(auths)) {
        json_object_foreach(auths, key, entry)
        {
            if (!json_is_object(entry) || !host_matches(a->host, vg_slice_from_cstr(key)))
                continue;
            const char *b64 = json_string_value(json_object_get(entry, "auth"));
            const char *u = json_string_value(json_object_get(entry, "username"));
            const char *pw = json_string_value(json_object_get(entry, "password"));
            if (b64 && *b64) {
                char *dec = b64_decode(b64, strlen(b64));
                vg_slice user;
                vg_slice pass =
                    dec ? vg_slice_split(vg_slice_from_cstr(dec), ':', &user) : (vg_slice){NULL, 0};
                if (!pass.ptr || user.len == 0) {
                    wipe_free(dec);
                    rc = vg_error_set(VG_EINVAL,
                                      "docker config %s: auths entry for %s: \"auth\" is not "
                                      "base64 of user:password",
                                      path, a->host);
                    break;
                }
                rc = set_creds(a, user, pass, CRED_DOCKER_CONFIG);
                wipe_free(dec);
            } else if (u && pw && *u) {
                rc =
                    set_creds(a, vg_slice_from_cstr(u), vg_slice_from_cstr(pw), CRED_DOCKER_CONFIG);
            } else {
                continue;
            }
            if (rc < 0)
                rc = vg_error_set(rc, "docker config %s: credentials for %s too long", path,
                                  a->host);
            else
                *found = true;
            break;
        }
    }
    /* The parsed tree holds the secrets too. */
    json_object_foreach(auths, key, entry)
    {
        json_t *v = json_object_get(entry, "auth");
        if (json_is_string(v) && json_string_length(v))
            OPENSSL_cleanse((void *)json_string_value(v), json_string_length(v));
        v = json_object_get(entry, "password");
        if (json_is_string(v) && json_string_length(v))
            OPENSSL_cleanse((void *)json_string_value(v), json_string_length(v));
    }
    json_decref(root);
out:
    wipe_strbuf(&data);
    free(path);
    return rc;
}

/* Looks credentials up once: options, then VIGIL_REGISTRY_AUTH, then the docker config. */
static int load_creds(vg__reg_auth *a)
{
    if (a->loaded)
        return 0;
    a->loaded = true;
    if (a->user)
        return 0;
    bool found = false;
    int rc = creds_from_env(a, &found);
    if (rc < 0 || found)
        return rc;
    return creds_from_docker_config(a, &found);
}

static const char *source_name(cred_source s)
{
    switch (s) {
    case CRED_OPTIONS:
        return "the options";
    case CRED_ENV:
        return "VIGIL_REGISTRY_AUTH";
    case CRED_DOCKER_CONFIG:
        return "the docker config";
    case CRED_NONE:
        break;
    }
    return "nowhere";
}

/* The one "authentication failed" message, with a reason that carries no secret. */
static int auth_failed(const vg__reg_auth *a, long status, const char *reason)
{
    if (!reason)
        reason = a->user ? "the credentials were rejected" : "anonymous access was denied";
    if (a->user)
        return vg_error_set(VG_EIO,
                            "registry %s: authentication failed (HTTP %ld) for %s (%s; "
                            "credentials from %s)",
                            a->host, status, a->repo, reason, source_name(a->source));
    return vg_error_set(VG_EIO, "registry %s: authentication failed (HTTP %ld) for %s (%s)",
                        a->host, status, a->repo, reason);
}

/* ---- tokens -------------------------------------------------------------------------- */

typedef struct capped_body {
    vg_strbuf sb;
    bool toobig;
} capped_body;

static size_t on_token_body(char *p, size_t size, size_t n, void *ud)
{
    capped_body *b = ud;
    if (vg_strbuf_append(&b->sb, p, size * n) < 0) {
        b->toobig = true;
        return 0;
    }
    return size * n;
}

static bool token_ok(const char *t, size_t len)
{
    if (len == 0 || len > AUTH_TOKEN_CAP)
        return false;
    for (size_t i = 0; i < len; i++)
        if (t[i] <= ' ' || t[i] >= 0x7f)
            return false;
    return true;
}

static int append_query(CURLU *u, const char *name, const char *value)
{
    vg_strbuf q;
    vg_strbuf_init(&q, AUTH_VALUE_CAP + 64);
    vg_strbuf_printf(&q, "%s=%s", name, value);
    int rc = vg_strbuf_error(&q) ? -1 : 0;
    if (rc == 0 && curl_url_set(u, CURLUPART_QUERY, q.buf, CURLU_APPENDQUERY | CURLU_URLENCODE))
        rc = -1;
    vg_strbuf_dispose(&q);
    return rc;
}

/* The realm URL with service, scope and account added; heap, or NULL with the error set. */
static char *token_url(vg__reg_auth *a, const vg__reg_challenge *ch)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *url = NULL, *out = NULL;
    if (!u)
        abort();
    if (curl_url_set(u, CURLUPART_URL, ch->realm, 0) ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) {
        vg_error_set(VG_EIO, "registry %s: the bearer challenge's realm is not a valid URL",
                     a->host);
        goto out;
    }
    if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && a->insecure)) {
        vg_error_set(VG_EIO,
                     "registry %s: the token realm uses %s (only https, or http with the "
                     "insecure option)",
                     a->host, scheme);
        goto out;
    }
    vg_strbuf scope;
    vg_strbuf_init(&scope, AUTH_VALUE_CAP);
    vg_strbuf_printf(&scope, "repository:%s:pull", a->repo);
    int rc = 0;
    if (ch->service)
        rc |= append_query(u, "service", ch->service);
    rc |= append_query(u, "scope", scope.buf);
    if (ch->scope && strcmp(ch->scope, scope.buf) != 0)
        rc |= append_query(u, "scope", ch->scope);
    if (a->user)
        rc |= append_query(u, "account", a->user);
    vg_strbuf_dispose(&scope);
    if (rc || curl_url_get(u, CURLUPART_URL, &url, 0)) {
        vg_error_set(VG_EIO, "registry %s: cannot build the token request URL", a->host);
        goto out;
    }
    out = vg_xstrdup(url);
out:
    curl_free(scheme);
    curl_free(url);
    curl_url_cleanup(u);
    return out;
}

/* Fetches a bearer token for the repository from the challenge's realm (with basic
 * credentials when there are any). *out is heap; the caller wipes it. */
static int fetch_token(vg__reg_auth *a, const vg__reg_challenge *ch, long status, char **out)
{
    if (!ch->realm || !*ch->realm)
        return vg_error_set(VG_EIO, "registry %s: bearer challenge without a realm", a->host);
    char *url = token_url(a, ch);
    if (!url)
        return vg_error_code();
    CURL *h = curl_easy_init();
    if (!h)
        abort();
    char errbuf[CURL_ERROR_SIZE];
    capped_body body;
    vg_strbuf_init(&body.sb, AUTH_TOKEN_BODY_CAP);
    vg__reg_curl_setup(h, a->insecure, a->ca_file);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, AUTH_TOKEN_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_token_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (a->user) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, a->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, a->pass);
    }
    int rc = 0;
    long code = 0;
    for (int attempt = 0;; attempt++) {
        vg_strbuf_reset(&body.sb);
        body.toobig = false;
        errbuf[0] = '\0';
        CURLcode cc = curl_easy_perform(h);
        code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        bool again = (cc != CURLE_OK && !body.toobig && vg__reg_retryable((int)cc)) ||
                     (cc == CURLE_OK && (code == 429 || code >= 500));
        if (again && attempt + 1 < AUTH_TOKEN_ATTEMPTS) {
            curl_off_t ra = 0;
            curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra);
            vg__reg_backoff(attempt, (long)ra);
            continue;
        }
        if (body.toobig) {
            rc = vg_error_set(VG_ETOOBIG, "registry %s: token response larger than %zu bytes",
                              a->host, AUTH_TOKEN_BODY_CAP);
        } else if (cc != CURLE_OK) {
            rc = vg_error_set(VG_EIO, "registry %s: token server: %s", a->host,
                              errbuf[0] ? errbuf : curl_easy_strerror(cc));
        } else if (code == 401 || code == 403) {
            rc = auth_failed(a, status,
                             a->user ? "the token server rejected the credentials"
                                     : "the token server denied anonymous access");
        } else if (code != 200) {
            rc = vg_error_set(VG_EIO, "registry %s: token server answered HTTP %ld", a->host, code);
        }
        break;
    }
    curl_easy_cleanup(h);
    free(url);
    if (rc == 0) {
        json_error_t jerr;
        json_t *root = json_loadb(body.sb.buf, body.sb.len, 0, &jerr);
        json_t *tok = json_object_get(root, "token");
        if (!json_is_string(tok) || json_string_length(tok) == 0)
            tok = json_object_get(root, "access_token");
        if (!root) {
            rc = vg_error_set(VG_EIO, "registry %s: token response: invalid JSON at byte %d",
                              a->host, jerr.position);
        } else if (!json_is_string(tok) ||
                   !token_ok(json_string_value(tok), json_string_length(tok))) {
            rc = vg_error_set(VG_EIO, "registry %s: token response has no usable token", a->host);
        } else {
            *out = vg_xstrndup(json_string_value(tok), json_string_length(tok));
        }
        if (json_is_string(tok) && json_string_length(tok))
            OPENSSL_cleanse((void *)json_string_value(tok), json_string_length(tok));
        tok = json_object_get(root, "access_token");
        if (json_is_string(tok) && json_string_length(tok))
            OPENSSL_cleanse((void *)json_string_value(tok), json_string_length(tok));
        json_decref(root);
    }
    wipe_strbuf(&body.sb);
    return rc;
}

/* ---- the handle ---------------------------------------------------------------------- */

vg__reg_auth *vg__reg_auth_new(const char *host, const char *repo, const vg_image_opts *opts)
{
    vg__reg_auth *a = vg_xcalloc(1, sizeof(*a));
    a->host = vg_xstrdup(host);
    a->repo = vg_xstrdup(repo);
    a->insecure = opts->insecure;
    a->ca_file = opts->ca_file ? vg_xstrdup(opts->ca_file) : NULL;
    if (opts->username && *opts->username) {
        a->user = vg_xstrdup(opts->username);
        a->pass = vg_xstrdup(opts->password ? opts->password : "");
        a->source = CRED_OPTIONS;
    }
    return a;
}

void vg__reg_auth_free(vg__reg_auth *a)
{
    if (!a)
        return;
    wipe_free(a->user);
    wipe_free(a->pass);
    wipe_free(a->header);
    free(a->host);
    free(a->repo);
    free(a->ca_file);
    free(a);
}

#define AUTH_HEADER_NAME "Authorization: "

const char *vg__reg_auth_header(const vg__reg_auth *a)
{
    return a->header;
}

const char *vg__reg_auth_value(const vg__reg_auth *a)
{
    return a->header ? a->header + strlen(AUTH_HEADER_NAME) : NULL;
}

static void set_header(vg__reg_auth *a, const char *kind, const char *cred)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, AUTH_TOKEN_CAP + 64);
    vg_strbuf_printf(&sb, AUTH_HEADER_NAME "%s %s", kind, cred);
    wipe_free(a->header);
    a->header = vg_strbuf_detach(&sb);
}

static int use_basic(vg__reg_auth *a, long status)
{
    if (!a->user)
        return auth_failed(a, status, "no credentials for this registry");
    vg_strbuf up;
    vg_strbuf_init(&up, 2 * AUTH_CRED_CAP + 2);
    vg_strbuf_printf(&up, "%s:%s", a->user, a->pass);
    if (vg_strbuf_error(&up)) {
        wipe_strbuf(&up);
        return vg_error_set(VG_ETOOBIG, "registry %s: credentials longer than %zu bytes", a->host,
                            AUTH_CRED_CAP);
    }
    unsigned char *enc = vg_xmalloc(4 * ((up.len + 2) / 3) + 1);
    EVP_EncodeBlock(enc, (const unsigned char *)up.buf, (int)up.len);
    wipe_strbuf(&up);
    set_header(a, "Basic", (const char *)enc);
    wipe_free((char *)enc);
    return 0;
}

int vg__reg_auth_challenge(vg__reg_auth *a, const char *challenges, long status, bool retried)
{
    int rc = load_creds(a);
    if (rc < 0)
        return rc;
    if (retried)
        return auth_failed(a, status, NULL);
    vg__reg_challenge ch[AUTH_MAX_CHALLENGES];
    size_t n = 0;
    vg_strbuf where;
    vg_strbuf_init(&where, 512);
    vg_strbuf_printf(&where, "registry %s: WWW-Authenticate", a->host);
    /* One header value per line. */
    vg_slice rest = vg_slice_from_cstr(challenges ? challenges : "");
    while (rest.ptr && n < AUTH_MAX_CHALLENGES) {
        vg_slice line;
        rest = vg_slice_split(rest, '\n', &line);
        char *value = vg_xstrndup(line.ptr, line.len);
        size_t got = 0;
        rc = parse_challenges(ch + n, AUTH_MAX_CHALLENGES - n, &got, value, where.buf);
        free(value);
        if (rc < 0)
            break;
        n += got;
    }
    vg_strbuf_dispose(&where);
    const vg__reg_challenge *bearer = NULL, *basic = NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!bearer && strcmp(ch[i].scheme, "bearer") == 0)
            bearer = &ch[i];
        else if (!basic && strcmp(ch[i].scheme, "basic") == 0)
            basic = &ch[i];
    }
    if (rc < 0) {
        /* the parser's message stands */
    } else if (bearer) {
        char *token = NULL;
        rc = fetch_token(a, bearer, status, &token);
        if (rc == 0) {
            set_header(a, "Bearer", token);
            wipe_free(token);
        }
    } else if (basic) {
        rc = use_basic(a, status);
    } else {
        rc = auth_failed(a, status,
                         n ? "no supported WWW-Authenticate scheme"
                           : "no WWW-Authenticate challenge");
    }
    for (size_t i = 0; i < n; i++)
        vg__reg_challenge_dispose(&ch[i]);
    return rc;
}
