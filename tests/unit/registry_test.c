/* registry_test.c — unit and integration tests of the registry source (registry.c, auth.c):
 * WWW-Authenticate parsing, then real docker-registry instances started by
 * tests/registry/start.sh in open, htpasswd (behind a flaky, redirecting proxy), token and
 * tls modes, driven through vg__source_registry. Skips the registry groups when the tools
 * are missing (start.sh exits 77). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "image/image_int.h"
#include "testutil.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WRONG_PASSWORD "wrong-Passw0rd-zz"

/* ---- WWW-Authenticate parsing (no registry needed) ----------------------------------- */

typedef struct challenge_case {
    const char *in;
    int rc;
    size_t n;
    const char *scheme, *realm, *service, *scope; /* of the first challenge */
    const char *scheme2;                          /* of the second, if any */
} challenge_case;

static const challenge_case challenge_cases[] = {
    {"Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
     "scope=\"repository:library/alpine:pull\"",
     0, 1, "bearer", "https://auth.docker.io/token", "registry.docker.io",
     "repository:library/alpine:pull", NULL},
    {"Basic realm=\"vigil-test\"", 0, 1, "basic", "vigil-test", NULL, NULL, NULL},
    {"bEaReR   REALM = \"r\" ,  Service=s", 0, 1, "bearer", "r", "s", NULL, NULL},
    /* commas and escaped quotes inside a quoted string */
    {"Bearer realm=\"https://h/t?a=1,b=2\",scope=\"repository:x:pull,push\"", 0, 1, "bearer",
     "https://h/t?a=1,b=2", NULL, "repository:x:pull,push", NULL},
    {"Bearer realm=\"a\\\"b\\\\c\"", 0, 1, "bearer", "a\"b\\c", NULL, NULL, NULL},
    /* two challenges in one value */
    {"Basic realm=\"x\", Bearer realm=\"y\",service=\"z\"", 0, 2, "basic", "x", NULL, NULL,
     "bearer"},
    {"Negotiate abc123, Basic realm=\"q\"", 0, 2, "negotiate", NULL, NULL, NULL, "basic"},
    {"Bearer", 0, 1, "bearer", NULL, NULL, NULL, NULL},
    {"", 0, 0, NULL, NULL, NULL, NULL, NULL},
    {"Bearer realm=\"unterminated", VG_EINVAL, 0, NULL, NULL, NULL, NULL, NULL},
    {"Bearer realm=\"x\" junk", VG_EINVAL, 0, NULL, NULL, NULL, NULL, NULL},
    {"=x", VG_EINVAL, 0, NULL, NULL, NULL, NULL, NULL},
    {"Bearer realm=\"x\" @", VG_EINVAL, 0, NULL, NULL, NULL, NULL, NULL},
};

static void check_opt(const char *want, const char *got)
{
    if (want)
        assert_non_null(got), assert_string_equal(want, got);
    else
        assert_null(got);
}

static void test_challenge_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(challenge_cases); i++) {
        const challenge_case *c = &challenge_cases[i];
        vg__reg_challenge ch[4];
        size_t n = 99;
        int rc = vg__reg_challenge_parse(ch, 4, &n, c->in);
        if (rc != c->rc)
            fail_msg("case %zu (%s): rc %d, want %d (%s)", i, c->in, rc, c->rc, vg_error_last());
        assert_int_equal(n, c->n);
        if (rc == 0 && n > 0) {
            check_opt(c->scheme, ch[0].scheme);
            check_opt(c->realm, ch[0].realm);
            check_opt(c->service, ch[0].service);
            check_opt(c->scope, ch[0].scope);
        }
        if (rc == 0 && n > 1)
            check_opt(c->scheme2, ch[1].scheme);
        for (size_t k = 0; rc == 0 && k < n; k++)
            vg__reg_challenge_dispose(&ch[k]);
        if (rc < 0)
            assert_non_null(strstr(vg_error_last(), "at byte"));
    }
}

static void test_challenge_parse_max(void **state)
{
    (void)state;
    vg__reg_challenge ch[1];
    size_t n = 0;
    assert_int_equal(vg__reg_challenge_parse(ch, 1, &n, "Basic realm=a, Bearer realm=b"), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ch[0].scheme, "basic");
    vg__reg_challenge_dispose(&ch[0]);
}

/* ---- fixtures: one registry per mode ------------------------------------------------- */

typedef struct fixture {
    const char *mode;
    bool skipped;
    char dir[64];
    char host[64];
    char *keys[40];
    char *vals[40];
    size_t n;
} fixture;

static fixture fx_open = {.mode = "open"};
static fixture fx_htpasswd = {.mode = "htpasswd"};
static fixture fx_token = {.mode = "token"};
static fixture fx_tls = {.mode = "tls"};

static char *scripts_dir(void)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    const char *env = getenv("VG_REGISTRY_SCRIPTS");
    const char *data = getenv("VG_TEST_DATA");
    if (env && *env)
        vg_strbuf_puts(&sb, env);
    else if (data && *data)
        vg_strbuf_printf(&sb, "%s/../registry", data);
    else
        vg_strbuf_puts(&sb, "tests/registry");
    return vg_strbuf_detach(&sb);
}

static const char *info(const fixture *fx, const char *key)
{
    for (size_t i = 0; i < fx->n; i++)
        if (strcmp(fx->keys[i], key) == 0)
            return fx->vals[i];
    fail_msg("start.sh info has no %s", key);
    return NULL;
}

static void read_info(fixture *fx)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/info", fx->dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    fx->n = 0;
    while (fgets(line, sizeof(line), f) && fx->n < VG_ARRAY_LEN(fx->keys)) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        fx->keys[fx->n] = vg_xstrdup(line);
        fx->vals[fx->n] = vg_xstrdup(eq + 1);
        fx->n++;
    }
    fclose(f);
}

static void isolate_env(const char *home)
{
    unsetenv("VIGIL_REGISTRY_AUTH");
    unsetenv("DOCKER_CONFIG");
    setenv("HOME", home, 1);
}

static int fixture_start(void **state, fixture *fx)
{
    *state = fx;
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/vg-registry-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    isolate_env(fx->dir);
    char pid[32];
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    setenv("VG_REGISTRY_WATCH_PID", pid, 1);
    char *sd = scripts_dir();
    vg_strbuf cmd;
    vg_strbuf_init(&cmd, 8192);
    vg_strbuf_printf(&cmd, "'%s/start.sh' %s %s >%s/port.out 2>%s/start.err", sd, fx->mode, fx->dir,
                     fx->dir, fx->dir);
    int rc = system(cmd.buf);
    vg_strbuf_dispose(&cmd);
    free(sd);
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
        fprintf(stderr, "registry_test: %s mode skipped (tools missing, see start.sh)\n", fx->mode);
        fx->skipped = true;
        rmdir(fx->dir);
        return 0;
    }
    if (rc != 0) {
        char path[128];
        snprintf(path, sizeof(path), "%s/start.err", fx->dir);
        char *err = vg_test_read_file(path, NULL);
        fprintf(stderr, "registry_test: start.sh %s failed:\n%s\n", fx->mode, err ? err : "");
        free(err);
        return -1;
    }
    read_info(fx);
    snprintf(fx->host, sizeof(fx->host), "127.0.0.1:%s", info(fx, "PORT"));
    return 0;
}

static int fixture_stop(void **state)
{
    fixture *fx = *state;
    if (fx->skipped)
        return 0;
    char *sd = scripts_dir();
    vg_strbuf cmd;
    vg_strbuf_init(&cmd, 8192);
    vg_strbuf_printf(&cmd, "'%s/stop.sh' %s --rm", sd, fx->dir);
    int rc = system(cmd.buf);
    vg_strbuf_dispose(&cmd);
    free(sd);
    return rc == 0 ? 0 : -1;
}

#define FIXTURE(name)                                                                              \
    static int start_##name(void **state)                                                          \
    {                                                                                              \
        return fixture_start(state, &fx_##name);                                                   \
    }
FIXTURE(open)
FIXTURE(htpasswd)
FIXTURE(token)
FIXTURE(tls)

/* ---- helpers ------------------------------------------------------------------------- */

static fixture *get_fx(void **state)
{
    fixture *fx = *state;
    if (fx->skipped)
        skip();
    return fx;
}

/* Every message the source produced must be free of secrets. */
static void check_no_secret(const fixture *fx)
{
    const char *msg = vg_error_last();
    if (strstr(msg, info(fx, "PASSWORD")) || strstr(msg, WRONG_PASSWORD) ||
        strstr(msg, "Bearer ey") || strstr(msg, "Basic "))
        fail_msg("secret in message: %s", msg);
}

typedef struct src_opts {
    const char *user;
    const char *pass;
    bool secure; /* insecure off */
    const char *ca_file;
    const char *host; /* overrides the fixture's */
    uint64_t max_manifest;
} src_opts;

static vg_image_opts g_opts; /* the source keeps a pointer */

static int open_src(vg_source **out, const fixture *fx, const char *tag, const src_opts *so)
{
    vg_image_opts_default(&g_opts);
    g_opts.insecure = !so->secure;
    g_opts.username = so->user;
    g_opts.password = so->pass;
    g_opts.ca_file = so->ca_file;
    if (so->max_manifest)
        g_opts.limits.max_manifest_bytes = so->max_manifest;
    vg_image_ref ref = {
        .kind = VG_REF_REGISTRY,
        .host = (char *)(so->host ? so->host : fx->host),
        .repo = (char *)info(fx, "REPO"),
        .tag = (char *)tag,
    };
    return vg__source_registry(out, &ref, &g_opts);
}

/* "sha256:<hex>" of a finished digest, into out[72]. */
static void format_digest(char *out, const unsigned char *md)
{
    static const char hexd[] = "0123456789abcdef";
    snprintf(out, 8, "sha256:");
    for (size_t i = 0; i < 32; i++) {
        out[7 + 2 * i] = hexd[md[i] >> 4];
        out[7 + 2 * i + 1] = hexd[md[i] & 15];
    }
    out[71] = '\0';
}

static char *sha256_hex(const void *p, size_t n)
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    char *out = malloc(72);
    format_digest(out, md);
    return out;
}

/* get_manifest `ref` and check the body's digest, size and media type against prefix KEY. */
static void check_manifest(vg_source *s, const fixture *fx, const char *ref, const char *pfx)
{
    char key[64];
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    char *mt = NULL;
    int rc = s->ops->get_manifest(s, ref, &body, &mt);
    if (rc != 0)
        fail_msg("get_manifest(%s): %d %s", ref ? ref : "(default)", rc, vg_error_last());
    char *dg = sha256_hex(body.buf, body.len);
    snprintf(key, sizeof(key), "%sMANIFEST_DIGEST", pfx);
    assert_string_equal(dg, info(fx, key));
    snprintf(key, sizeof(key), "%sMANIFEST_SIZE", pfx);
    assert_int_equal(body.len, strtoul(info(fx, key), NULL, 10));
    snprintf(key, sizeof(key), "%sMEDIA_TYPE", pfx);
    assert_non_null(mt);
    assert_string_equal(mt, info(fx, key));
    free(dg);
    free(mt);
    vg_strbuf_dispose(&body);
}

/* Reads a blob fully with `bufsize` reads; checks byte count and digest. */
static void read_blob(vg_source *s, const char *digest, int64_t size, size_t bufsize)
{
    vg_blob *b = NULL;
    int rc = s->ops->open_blob(s, digest, size, &b);
    if (rc != 0)
        fail_msg("open_blob(%s): %d %s", digest, rc, vg_error_last());
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    char *buf = malloc(bufsize);
    int64_t total = 0;
    ssize_t n;
    while ((n = b->read(b, buf, bufsize)) > 0) {
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        total += n;
    }
    if (n < 0)
        fail_msg("read(%s): %zd %s", digest, n, vg_error_last());
    b->close(b);
    unsigned char md[32];
    EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    char hex[72];
    format_digest(hex, md);
    free(buf);
    assert_string_equal(hex, digest);
    if (size >= 0)
        assert_int_equal(total, size);
}

static int64_t layer_size(const fixture *fx)
{
    return (int64_t)strtoll(info(fx, "LAYER_SIZE"), NULL, 10);
}

static void expect_auth_failure(const fixture *fx, const src_opts *so)
{
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", so), 0);
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    char *mt = NULL;
    vg_error_clear();
    int rc = s->ops->get_manifest(s, NULL, &body, &mt);
    assert_int_equal(rc, VG_EIO);
    char want[256];
    snprintf(want, sizeof(want), "registry %s: authentication failed (HTTP 401) for vigil/test",
             fx->host);
    if (!strstr(vg_error_last(), want))
        fail_msg("unexpected message: %s", vg_error_last());
    check_no_secret(fx);
    assert_null(mt);
    assert_int_equal(body.len, 0);
    vg_blob *b = NULL;
    assert_int_equal(s->ops->open_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), &b), VG_EIO);
    assert_non_null(strstr(vg_error_last(), "authentication failed"));
    check_no_secret(fx);
    vg_strbuf_dispose(&body);
    s->ops->free(s);
}

/* The common scenario: manifests by tag and digest, both media types, the layer in small
 * and large reads, the config with unknown size, two interleaved streams, and the
 * not-found cases. */
static void common_scenario(const fixture *fx, const src_opts *so)
{
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", so), 0);
    check_manifest(s, fx, NULL, "");
    check_manifest(s, fx, info(fx, "MANIFEST_DIGEST"), "");
    check_manifest(s, fx, "v1-docker", "DOCKER_");
    check_manifest(s, fx, info(fx, "DOCKER_MANIFEST_DIGEST"), "DOCKER_");
    read_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), 1000);
    read_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), 1 << 20);
    read_blob(s, info(fx, "CONFIG_DIGEST"), -1, 4096);

    /* Two streams of one source, read alternately: each pauses while the other runs. */
    vg_blob *a = NULL, *b = NULL;
    assert_int_equal(s->ops->open_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), &a), 0);
    assert_int_equal(s->ops->open_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), &b), 0);
    char ba[7000], bb[3000];
    int64_t ta = 0, tb = 0;
    for (;;) {
        ssize_t na = a->read(a, ba, sizeof(ba));
        ssize_t nb = b->read(b, bb, sizeof(bb));
        assert_true(na >= 0 && nb >= 0);
        ta += na;
        tb += nb;
        if (na == 0 && nb == 0)
            break;
    }
    a->close(a);
    b->close(b);
    assert_int_equal(ta, layer_size(fx));
    assert_int_equal(tb, layer_size(fx));

    vg_blob *blob = NULL;
    const char *missing = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(s->ops->open_blob(s, missing, 10, &blob), VG_ENOTFOUND);
    assert_non_null(strstr(vg_error_last(), "not found"));
    check_no_secret(fx);
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    char *mt = NULL;
    assert_int_equal(s->ops->get_manifest(s, "no-such-tag", &body, &mt), VG_ENOTFOUND);
    assert_non_null(strstr(vg_error_last(), "MANIFEST_UNKNOWN"));
    check_no_secret(fx);
    assert_int_equal(s->ops->get_manifest(s, missing, &body, &mt), VG_ENOTFOUND);
    /* A size that disagrees with the registry's. */
    assert_int_equal(s->ops->open_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx) - 1, &blob),
                     VG_EINVAL);
    /* Invalid references never reach the network. */
    assert_int_equal(s->ops->open_blob(s, "sha256:../../etc", 1, &blob), VG_EINVAL);
    assert_int_equal(s->ops->get_manifest(s, "bad/tag", &body, &mt), VG_EINVAL);
    vg_strbuf_dispose(&body);
    s->ops->free(s);

    /* The manifest cap. */
    src_opts small = *so;
    small.max_manifest = 100;
    assert_int_equal(open_src(&s, fx, "v1", &small), 0);
    vg_strbuf_init(&body, 0);
    assert_int_equal(s->ops->get_manifest(s, NULL, &body, &mt), VG_ETOOBIG);
    assert_non_null(strstr(vg_error_last(), "max_manifest_bytes"));
    assert_int_equal(body.len, 0);
    vg_strbuf_dispose(&body);
    s->ops->free(s);
}

/* ---- open ---------------------------------------------------------------------------- */

static void test_open_scenario(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {0};
    common_scenario(fx, &so);
}

static void test_open_needs_insecure(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {.secure = true};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    char *mt = NULL;
    assert_int_equal(s->ops->get_manifest(s, NULL, &body, &mt), VG_EIO);
    assert_non_null(strstr(vg_error_last(), "insecure"));
    vg_strbuf_dispose(&body);
    s->ops->free(s);
}

static void test_open_refused(void **state)
{
    fixture *fx = get_fx(state);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    assert_int_equal(bind(sock, (struct sockaddr *)&sa, sl), 0);
    assert_int_equal(getsockname(sock, (struct sockaddr *)&sa, &sl), 0);
    close(sock); /* nothing listens there now */
    char host[64];
    snprintf(host, sizeof(host), "127.0.0.1:%d", ntohs(sa.sin_port));
    src_opts so = {.host = host};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    char *mt = NULL;
    assert_int_equal(s->ops->get_manifest(s, NULL, &body, &mt), VG_EIO);
    assert_non_null(strstr(vg_error_last(), host));
    vg_strbuf_dispose(&body);
    s->ops->free(s);
}

/* ---- htpasswd ------------------------------------------------------------------------ */

static void test_htpasswd_scenario(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {.user = info(fx, "USER"), .pass = info(fx, "PASSWORD")};
    common_scenario(fx, &so);
}

static void test_htpasswd_wrong_password(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {.user = info(fx, "USER"), .pass = WRONG_PASSWORD};
    expect_auth_failure(fx, &so);
    src_opts anon = {0};
    expect_auth_failure(fx, &anon);
}

static void test_htpasswd_env_creds(void **state)
{
    fixture *fx = get_fx(state);
    char val[512];
    snprintf(val, sizeof(val), "other.example=x:y,%s=%s:%s", fx->host, info(fx, "USER"),
             info(fx, "PASSWORD"));
    setenv("VIGIL_REGISTRY_AUTH", val, 1);
    src_opts so = {0};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    check_manifest(s, fx, NULL, "");
    s->ops->free(s);

    /* A wrong password from the environment: the message says where it came from. */
    snprintf(val, sizeof(val), "%s=%s:%s", fx->host, info(fx, "USER"), WRONG_PASSWORD);
    setenv("VIGIL_REGISTRY_AUTH", val, 1);
    expect_auth_failure(fx, &so);
    assert_non_null(strstr(vg_error_last(), "VIGIL_REGISTRY_AUTH"));

    /* Malformed: VG_EINVAL naming the entry, not its text. */
    snprintf(val, sizeof(val), "%s=%s", fx->host, WRONG_PASSWORD);
    setenv("VIGIL_REGISTRY_AUTH", val, 1);
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    char *mt = NULL;
    assert_int_equal(s->ops->get_manifest(s, NULL, &body, &mt), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "entry 1"));
    check_no_secret(fx);
    vg_strbuf_dispose(&body);
    s->ops->free(s);
    unsetenv("VIGIL_REGISTRY_AUTH");
}

static void test_htpasswd_docker_config(void **state)
{
    fixture *fx = get_fx(state);
    char dir[128], path[160];
    snprintf(dir, sizeof(dir), "%s/dockercfg", fx->dir);
    mkdir(dir, 0700);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    char up[256];
    int n = snprintf(up, sizeof(up), "%s:%s", info(fx, "USER"), info(fx, "PASSWORD"));
    unsigned char b64[512];
    EVP_EncodeBlock(b64, (unsigned char *)up, n);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"eDp5\"},\n"
            "  \"http://%s/v1/\": {\"auth\": \"%s\"}}, \"credsStore\": \"\"}\n",
            fx->host, b64);
    fclose(f);
    setenv("DOCKER_CONFIG", dir, 1);
    src_opts so = {0};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    check_manifest(s, fx, NULL, "");
    read_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), 65536);
    s->ops->free(s);

    /* Malformed JSON: line and column only. */
    f = fopen(path, "w");
    fprintf(f, "{\"auths\": {\"%s\": {\"auth\": \"%s\"}\n", fx->host, b64);
    fclose(f);
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    char *mt = NULL;
    assert_int_equal(s->ops->get_manifest(s, NULL, &body, &mt), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "invalid JSON at line"));
    assert_null(strstr(vg_error_last(), (char *)b64));
    check_no_secret(fx);
    vg_strbuf_dispose(&body);
    s->ops->free(s);
    unsetenv("DOCKER_CONFIG");
}

static size_t to_strbuf(char *p, size_t size, size_t n, void *ud)
{
    vg_strbuf_append(ud, p, size * n);
    return size * n;
}

/* Through proxy.py: every path answers 503 (Retry-After: 1), then 429, then the registry;
 * blobs are redirected to another host name, which must not see the Authorization header. */
static void test_htpasswd_proxy_retry_redirect(void **state)
{
    fixture *fx = get_fx(state);
    char host[64];
    snprintf(host, sizeof(host), "127.0.0.1:%s", info(fx, "PROXY_PORT"));
    src_opts so = {.user = info(fx, "USER"), .pass = info(fx, "PASSWORD"), .host = host};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_manifest(s, fx, NULL, "");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(t1.tv_sec - t0.tv_sec >= 1); /* Retry-After: 1 was honored */
    read_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), 8192);
    s->ops->free(s);

    char url[128];
    snprintf(url, sizeof(url), "http://%s/_stats", host);
    vg_strbuf stats;
    vg_strbuf_init(&stats, 4096);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_strbuf);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &stats);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_cleanup(h);
    if (!strstr(stats.buf, "\"storage_with_auth\": 0") || strstr(stats.buf, "\"storage\": 0"))
        fail_msg("proxy stats: %s", stats.buf);
    vg_strbuf_dispose(&stats);
}

/* ---- token --------------------------------------------------------------------------- */

static long token_count(const fixture *fx)
{
    FILE *f = fopen(info(fx, "TOKEN_COUNT_FILE"), "r");
    assert_non_null(f);
    char line[32] = "";
    if (!fgets(line, sizeof(line), f))
        line[0] = '\0';
    fclose(f);
    return strtol(line, NULL, 10);
}

static void test_token_scenario(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {.user = info(fx, "USER"), .pass = info(fx, "PASSWORD")};
    common_scenario(fx, &so);
}

static void test_token_cached(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {.user = info(fx, "USER"), .pass = info(fx, "PASSWORD")};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    long before = token_count(fx);
    check_manifest(s, fx, NULL, "");
    check_manifest(s, fx, info(fx, "MANIFEST_DIGEST"), "");
    read_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), 65536);
    read_blob(s, info(fx, "CONFIG_DIGEST"), -1, 65536);
    assert_int_equal(token_count(fx) - before, 1);
    s->ops->free(s);
}

static void test_token_access_token(void **state)
{
    fixture *fx = get_fx(state);
    char user[64];
    snprintf(user, sizeof(user), "%s-oauth", info(fx, "USER"));
    src_opts so = {.user = user, .pass = info(fx, "PASSWORD")};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    check_manifest(s, fx, NULL, "");
    s->ops->free(s);
}

static void test_token_wrong_password(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {.user = info(fx, "USER"), .pass = WRONG_PASSWORD};
    expect_auth_failure(fx, &so);
    assert_non_null(strstr(vg_error_last(), "token server"));
    src_opts anon = {0};
    expect_auth_failure(fx, &anon);
}

/* ---- tls ----------------------------------------------------------------------------- */

static void test_tls_scenario(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {.secure = true, .ca_file = info(fx, "CA_FILE")};
    common_scenario(fx, &so);
}

static void test_tls_untrusted(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {.secure = true};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    vg_strbuf body;
    vg_strbuf_init(&body, 0);
    char *mt = NULL;
    assert_int_equal(s->ops->get_manifest(s, NULL, &body, &mt), VG_EIO);
    assert_non_null(strstr(vg_error_last(), "CA file"));
    vg_strbuf_dispose(&body);
    s->ops->free(s);
}

static void test_tls_insecure(void **state)
{
    fixture *fx = get_fx(state);
    src_opts so = {0};
    vg_source *s = NULL;
    assert_int_equal(open_src(&s, fx, "v1", &so), 0);
    check_manifest(s, fx, NULL, "");
    read_blob(s, info(fx, "LAYER_DIGEST"), layer_size(fx), 65536);
    s->ops->free(s);
}

/* ---- source construction ------------------------------------------------------------- */

static void test_bad_refs(void **state)
{
    (void)state;
    vg_image_opts o;
    vg_image_opts_default(&o);
    vg_source *s = NULL;
    vg_image_ref bad_repo = {.kind = VG_REF_REGISTRY, .host = "h", .repo = "Upper/Case"};
    assert_int_equal(vg__source_registry(&s, &bad_repo, &o), VG_EINVAL);
    vg_image_ref bad_host = {.kind = VG_REF_REGISTRY, .host = "h/x@y", .repo = "a"};
    assert_int_equal(vg__source_registry(&s, &bad_host, &o), VG_EINVAL);
    vg_image_ref bad_tag = {.kind = VG_REF_REGISTRY, .host = "h", .repo = "a", .tag = "-x"};
    assert_int_equal(vg__source_registry(&s, &bad_tag, &o), VG_EINVAL);
    vg_image_ref bad_dig = {.kind = VG_REF_REGISTRY, .host = "h", .repo = "a", .digest = "md5:x"};
    assert_int_equal(vg__source_registry(&s, &bad_dig, &o), VG_EINVAL);
    vg_image_ref hub = {.kind = VG_REF_REGISTRY, .host = "docker.io", .repo = "alpine"};
    assert_int_equal(vg__source_registry(&s, &hub, &o), 0);
    s->ops->free(s);
}

int main(void)
{
    const struct CMUnitTest parse[] = {
        cmocka_unit_test(test_challenge_parse),
        cmocka_unit_test(test_challenge_parse_max),
        cmocka_unit_test(test_bad_refs),
    };
    const struct CMUnitTest open_tests[] = {
        cmocka_unit_test(test_open_scenario),
        cmocka_unit_test(test_open_needs_insecure),
        cmocka_unit_test(test_open_refused),
    };
    const struct CMUnitTest htpasswd_tests[] = {
        cmocka_unit_test(test_htpasswd_scenario),
        cmocka_unit_test(test_htpasswd_wrong_password),
        cmocka_unit_test(test_htpasswd_env_creds),
        cmocka_unit_test(test_htpasswd_docker_config),
        cmocka_unit_test(test_htpasswd_proxy_retry_redirect),
    };
    const struct CMUnitTest token_tests[] = {
        cmocka_unit_test(test_token_scenario),
        cmocka_unit_test(test_token_cached),
        cmocka_unit_test(test_token_access_token),
        cmocka_unit_test(test_token_wrong_password),
    };
    const struct CMUnitTest tls_tests[] = {
        cmocka_unit_test(test_tls_scenario),
        cmocka_unit_test(test_tls_untrusted),
        cmocka_unit_test(test_tls_insecure),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("registry_parse", parse, NULL, NULL);
    failed += cmocka_run_group_tests_name("registry_open", open_tests, start_open, fixture_stop);
    failed += cmocka_run_group_tests_name("registry_htpasswd", htpasswd_tests, start_htpasswd,
                                          fixture_stop);
    failed += cmocka_run_group_tests_name("registry_token", token_tests, start_token, fixture_stop);
    failed += cmocka_run_group_tests_name("registry_tls", tls_tests, start_tls, fixture_stop);
    return failed ? 1 : 0;
}
