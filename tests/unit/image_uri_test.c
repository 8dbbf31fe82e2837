/* image_uri_test.c — unit tests of images made of layer URIs (src/image/uri.c,
 * vg_image_open_layers) without a network: every up-front check (digests, schemes, URI
 * bytes and length, media types, header injection and caps, max_layers), each error naming
 * the layer, URI redaction in a fetch error against a closed loopback port, and
 * vg_image_layer_remote refusing non-registry images. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "image/image.h"
#include "index/index.h"
#include "testutil.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define D0 "sha256:0000000000000000000000000000000000000000000000000000000000000000"
#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define MT_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"

static const char *const one_auth[] = {"Authorization: Bearer t0k"};
static const char *const crlf[] = {"Authorization: Bearer t0k\r\nX-Evil: 1"};
static const char *const lf[] = {"X-A: 1\nX-B: 2"};
static const char *const ctl[] = {"X-A: a\x01"};
static const char *const no_colon[] = {"Authorization Bearer"};
static const char *const no_name[] = {": value"};
static const char *const space_name[] = {"X A: v"};
static const char *const host_hdr[] = {"Host: other.example"};
static const char *const cl_hdr[] = {"content-length: 5"};
static const char *const te_hdr[] = {"Transfer-Encoding: chunked"};
static const char *const null_hdr[] = {NULL};
static const char *const empty_value[] = {"X-Empty:", "X-Tab:\t", "Cookie: a=b"};

typedef struct case_ {
    const char *name;
    const char *hash;
    vg_remote_layer layers[3];
    size_t n;
    int rc;
    const char *msg; /* a substring of the message */
} case_;

#define L(d, u)                                                                                    \
    {                                                                                              \
        d, u, NULL, NULL, 0                                                                        \
    }
#define LH(d, u, h)                                                                                \
    {                                                                                              \
        d, u, NULL, h, VG_ARRAY_LEN(h)                                                             \
    }
#define LM(d, u, m)                                                                                \
    {                                                                                              \
        d, u, m, NULL, 0                                                                           \
    }

static const case_ cases[] = {
    {"valid",
     D0,
     {L(D0, "https://r.example/v2/a/blobs/" D0), LH(D1, "http://10.0.0.1:5000/x", one_auth)},
     2,
     0,
     NULL},
    {"valid, no layers", D0, {L(NULL, NULL)}, 0, 0, NULL},
    {"valid, uppercase scheme and empty header values",
     D0,
     {LH(D0, "HTTPS://r.example/x", empty_value)},
     1,
     0,
     NULL},
    {"valid, userinfo and query",
     D0,
     {L(D0, "https://u:p@r.example/x?X-Amz-Signature=abc&b")},
     1,
     0,
     NULL},
    {"valid, docker media type",
     D0,
     {LM(D0, "https://r/x", "application/vnd.docker.image.rootfs.diff.tar.gzip")},
     1,
     0,
     NULL},
    {"valid, empty media type", D0, {LM(D0, "https://r/x", "")}, 1, 0, NULL},
    {"bad manifest hash",
     "sha256:abc",
     {L(D0, "https://r/x")},
     1,
     VG_EINVAL,
     "manifest hash: malformed digest"},
    {"missing manifest hash", NULL, {L(D0, "https://r/x")}, 1, VG_EINVAL, "manifest hash"},
    {"md5 manifest hash", "md5:00", {L(D0, "https://r/x")}, 1, VG_EINVAL, "unsupported digest"},
    {"bad digest",
     D0,
     {L(D0, "https://r/x"), L("sha256:XYZ", "https://r/y")},
     2,
     VG_EINVAL,
     "layers[1].digest: malformed digest"},
    {"missing digest", D0, {L(NULL, "https://r/x")}, 1, VG_EINVAL, "layers[0].digest"},
    {"uppercase hex",
     D0,
     {L("sha256:"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "https://r/x")},
     1,
     VG_EINVAL,
     "layers[0].digest"},
    {"file scheme",
     D0,
     {L(D0, "https://r/x"), L(D1, "file:///etc/passwd")},
     2,
     VG_EINVAL,
     "layers[1].uri: scheme \"file\" is not allowed (only http and https)"},
    {"ftp scheme", D0, {L(D0, "ftp://r/x")}, 1, VG_EINVAL, "layers[0].uri: scheme \"ftp\""},
    {"gopher scheme", D0, {L(D0, "gopher://r/x")}, 1, VG_EINVAL, "scheme \"gopher\""},
    {"unknown scheme", D0, {L(D0, "s3://bucket/x")}, 1, VG_EINVAL, "scheme \"s3\""},
    {"dict scheme", D0, {L(D0, "dict://127.0.0.1:11211/stats")}, 1, VG_EINVAL, "scheme \"dict\""},
    {"relative", D0, {L(D0, "/v2/a/blobs/x")}, 1, VG_EINVAL, "layers[0].uri: not an absolute URI"},
    {"no scheme", D0, {L(D0, "r.example/x")}, 1, VG_EINVAL, "layers[0].uri: not an absolute URI"},
    {"no host", D0, {L(D0, "http:///x")}, 1, VG_EINVAL, "layers[0].uri: no host"},
    {"one slash", D0, {L(D0, "http:/r/x")}, 1, VG_EINVAL, "layers[0].uri: not an absolute URI"},
    {"no slash", D0, {L(D0, "https:r")}, 1, VG_EINVAL, "layers[0].uri: not an absolute URI"},
    {"empty uri", D0, {L(D0, "")}, 1, VG_EINVAL, "layers[0].uri: empty"},
    {"missing uri", D0, {L(D0, NULL)}, 1, VG_EINVAL, "layers[0].uri: missing"},
    {"space in uri",
     D0,
     {L(D0, "https://r/a b")},
     1,
     VG_EINVAL,
     "layers[0].uri: byte 11 is not printable ASCII"},
    {"CRLF in uri",
     D0,
     {L(D0, "https://r/a\r\nX-Evil: 1")},
     1,
     VG_EINVAL,
     "layers[0].uri: byte 11"},
    {"non-ASCII uri", D0, {L(D0, "https://r/\xc3\xa9")}, 1, VG_EINVAL, "0xc3"},
    {"CRLF header",
     D0,
     {L(D0, "https://r/x"), LH(D1, "https://r/y", crlf)},
     2,
     VG_EINVAL,
     "layers[1].headers[0]: CR or LF at byte 25 (header injection)"},
    {"LF header", D0, {LH(D0, "https://r/x", lf)}, 1, VG_EINVAL, "header injection"},
    {"control byte header",
     D0,
     {LH(D0, "https://r/x", ctl)},
     1,
     VG_EINVAL,
     "layers[0].headers[0]: control byte 0x01"},
    {"header without colon",
     D0,
     {LH(D0, "https://r/x", no_colon)},
     1,
     VG_EINVAL,
     "layers[0].headers[0]: not \"Name: value\""},
    {"header without name",
     D0,
     {LH(D0, "https://r/x", no_name)},
     1,
     VG_EINVAL,
     "not \"Name: value\""},
    {"header name with space",
     D0,
     {LH(D0, "https://r/x", space_name)},
     1,
     VG_EINVAL,
     "not \"Name: value\""},
    {"Host header",
     D0,
     {LH(D0, "https://r/x", host_hdr)},
     1,
     VG_EINVAL,
     "layers[0].headers[0]: Host is set by the fetcher"},
    {"Content-Length header",
     D0,
     {LH(D0, "https://r/x", cl_hdr)},
     1,
     VG_EINVAL,
     "content-length is set by the fetcher"},
    {"Transfer-Encoding header",
     D0,
     {LH(D0, "https://r/x", te_hdr)},
     1,
     VG_EINVAL,
     "is set by the fetcher"},
    {"NULL header",
     D0,
     {LH(D0, "https://r/x", null_hdr)},
     1,
     VG_EINVAL,
     "layers[0].headers[0]: missing"},
    {"encrypted layer",
     D0,
     {LM(D0, "https://r/x", "application/vnd.oci.image.layer.v1.tar+gzip+encrypted")},
     1,
     VG_EINVAL,
     "layers[0].media_type: \"application/vnd.oci.image.layer.v1.tar+gzip+encrypted\" is not a tar "
     "layer"},
    {"json media type",
     D0,
     {LM(D0, "https://r/x", "application/json")},
     1,
     VG_EINVAL,
     "is not a tar layer"},
    {"control byte media type",
     D0,
     {LM(D0, "https://r/x", "application/tar\n")},
     1,
     VG_EINVAL,
     "layers[0].media_type"},
};

static void check_rc(const char *name, int rc, int want, const char *msg)
{
    if (rc != want)
        fail_msg("%s: rc %d, want %d (%s)", name, rc, want, vg_error_last());
    if (msg && !strstr(vg_error_last(), msg))
        fail_msg("%s: message \"%s\" lacks \"%s\"", name, vg_error_last(), msg);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        const case_ *c = &cases[i];
        vg_image *img = NULL;
        int rc = vg_image_open_layers(&img, c->hash, c->layers, c->n, NULL);
        check_rc(c->name, rc, c->rc, c->msg);
        if (rc != 0)
            continue;
        assert_string_equal(vg_image_manifest_digest(img), c->hash);
        assert_int_equal(vg_image_layer_count(img), c->n);
        for (size_t k = 0; k < c->n; k++) {
            const vg_layer_desc *d = vg_image_layer(img, k);
            assert_string_equal(d->digest, c->layers[k].digest);
            assert_string_equal(d->media_type,
                                c->layers[k].media_type ? c->layers[k].media_type : "");
            assert_int_equal(d->size, -1);
        }
        vg_image_free(img);
    }
}

/* A cap: `ok` passes, `ok + 1` is VG_ETOOBIG naming the layer. */
static void test_header_count_cap(void **state)
{
    (void)state;
    const char *hdrs[VG_IMAGE_MAX_LAYER_HEADERS + 1];
    for (size_t i = 0; i < VG_ARRAY_LEN(hdrs); i++)
        hdrs[i] = "X-Many: yes";
    vg_remote_layer l[2] = {{D0, "https://r/x", NULL, NULL, 0},
                            {D1, "https://r/y", MT_GZIP, hdrs, VG_IMAGE_MAX_LAYER_HEADERS}};
    vg_image *img = NULL;
    assert_int_equal(vg_image_open_layers(&img, D0, l, 2, NULL), 0);
    vg_image_free(img);
    l[1].n_headers++;
    check_rc("65 headers", vg_image_open_layers(&img, D0, l, 2, NULL), VG_ETOOBIG,
             "layers[1].headers: 65 lines, more than 64");
}

static void test_header_length_cap(void **state)
{
    (void)state;
    char *line = vg_xmalloc(VG_IMAGE_MAX_HEADER_BYTES + 2);
    memcpy(line, "X-Long: ", 8);
    memset(line + 8, 'a', VG_IMAGE_MAX_HEADER_BYTES - 8);
    line[VG_IMAGE_MAX_HEADER_BYTES] = '\0';
    const char *hdrs[1] = {line};
    vg_remote_layer l = {D0, "https://r/x", NULL, hdrs, 1};
    vg_image *img = NULL;
    assert_int_equal(vg_image_open_layers(&img, D0, &l, 1, NULL), 0);
    vg_image_free(img);
    line[VG_IMAGE_MAX_HEADER_BYTES] = 'a';
    line[VG_IMAGE_MAX_HEADER_BYTES + 1] = '\0';
    check_rc("long header", vg_image_open_layers(&img, D0, &l, 1, NULL), VG_ETOOBIG,
             "layers[0].headers[0]: 8193 bytes, longer than 8192");
    free(line);
}

static void test_uri_length_cap(void **state)
{
    (void)state;
    char *uri = vg_xmalloc(VG_IMAGE_MAX_URI_BYTES + 2);
    memcpy(uri, "https://r/", 10);
    memset(uri + 10, 'a', VG_IMAGE_MAX_URI_BYTES - 10);
    uri[VG_IMAGE_MAX_URI_BYTES] = '\0';
    vg_remote_layer l = {D0, uri, NULL, NULL, 0};
    vg_image *img = NULL;
    assert_int_equal(vg_image_open_layers(&img, D0, &l, 1, NULL), 0);
    vg_image_free(img);
    uri[VG_IMAGE_MAX_URI_BYTES] = 'a';
    uri[VG_IMAGE_MAX_URI_BYTES + 1] = '\0';
    check_rc("long uri", vg_image_open_layers(&img, D0, &l, 1, NULL), VG_ETOOBIG,
             "layers[0].uri: 8193 bytes, longer than 8192");
    free(uri);
}

static void test_media_type_cap(void **state)
{
    (void)state;
    char mt[VG_IMAGE_MAX_MEDIA_TYPE_BYTES + 2];
    memset(mt, 'a', sizeof(mt));
    memcpy(mt, "application/tar", 15);
    mt[VG_IMAGE_MAX_MEDIA_TYPE_BYTES] = '\0';
    vg_remote_layer l = {D0, "https://r/x", mt, NULL, 0};
    vg_image *img = NULL;
    assert_int_equal(vg_image_open_layers(&img, D0, &l, 1, NULL), 0);
    vg_image_free(img);
    mt[VG_IMAGE_MAX_MEDIA_TYPE_BYTES] = 'a';
    mt[VG_IMAGE_MAX_MEDIA_TYPE_BYTES + 1] = '\0';
    check_rc("long media type", vg_image_open_layers(&img, D0, &l, 1, NULL), VG_ETOOBIG,
             "layers[0].media_type: 256 bytes");
}

static void test_max_layers(void **state)
{
    (void)state;
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    opts.limits.max_layers = 2;
    vg_remote_layer l[3] = {{D0, "https://r/0", NULL, NULL, 0},
                            {D1, "https://r/1", NULL, NULL, 0},
                            {D0, "https://r/2", NULL, NULL, 0}};
    vg_image *img = NULL;
    assert_int_equal(vg_image_open_layers(&img, D1, l, 2, &opts), 0);
    assert_int_equal(vg_image_layer_count(img), 2);
    vg_image_free(img);
    check_rc("3 layers", vg_image_open_layers(&img, D1, l, 3, &opts), VG_ETOOBIG,
             "3 layers exceeds max_layers (2)");
    /* the default: 256 */
    vg_image_opts_default(&opts);
    vg_remote_layer *many = vg_xcalloc(opts.limits.max_layers + 1, sizeof(*many));
    for (size_t i = 0; i <= opts.limits.max_layers; i++)
        many[i] = l[0];
    assert_int_equal(vg_image_open_layers(&img, D1, many, opts.limits.max_layers, NULL), 0);
    vg_image_free(img);
    check_rc("257 layers", vg_image_open_layers(&img, D1, many, opts.limits.max_layers + 1, NULL),
             VG_ETOOBIG, "257 layers exceeds max_layers (256)");
    free(many);
}

/* A loopback port nothing listens on (bound, never listened, then closed). */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* A fetch error shows the URI with its userinfo and query values redacted, and the layer. */
static void test_redacted_fetch_error(void **state)
{
    (void)state;
    int port = closed_port();
    char uri[256];
    snprintf(uri, sizeof(uri),
             "http://alice:s3cr3t-pw@127.0.0.1:%d/blobs/x?X-Amz-Signature=s1gn4ture&token", port);
    const char *hdrs[] = {"Authorization: Bearer hdr-s3cret"};
    vg_remote_layer l[2] = {{D0, "https://r.invalid/never", NULL, NULL, 0},
                            {D1, uri, NULL, hdrs, 1}};
    vg_image *img = NULL;
    assert_int_equal(vg_image_open_layers(&img, D0, l, 2, NULL), 0);
    vg_layer_stream *s = NULL;
    int rc = vg_layer_open(&s, img, 1);
    assert_int_equal(rc, VG_EIO);
    const char *m = vg_error_last();
    char want[128];
    snprintf(want, sizeof(want), "layer 1: http://***@127.0.0.1:%d/blobs/x?X-Amz-Signature=***&***",
             port);
    if (!strstr(m, want))
        fail_msg("message \"%s\" lacks \"%s\"", m, want);
    assert_null(strstr(m, "s3cr3t"));
    assert_null(strstr(m, "alice"));
    assert_null(strstr(m, "s1gn4ture"));
    assert_null(strstr(m, "token"));
    assert_null(strstr(m, "hdr-s3cret"));
    vg_image_free(img);
}

static void test_layer_remote_refused(void **state)
{
    (void)state;
    vg_remote_layer l = {D0, "https://r/x", NULL, NULL, 0};
    vg_image *img = NULL;
    assert_int_equal(vg_image_open_layers(&img, D1, &l, 1, NULL), 0);
    char *url = NULL, *auth = NULL;
    check_rc("uri image", vg_image_layer_remote(&url, &auth, img, 0), VG_EINVAL,
             "--server needs a registry image");
    vg_image_free(img);

    char dir[] = "/tmp/vg-uri-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ref[64];
    snprintf(ref, sizeof(ref), "rootfs:%s", dir);
    assert_int_equal(vg_image_open(&img, ref, NULL), 0);
    check_rc("rootfs image", vg_image_layer_remote(&url, &auth, img, 0), VG_EINVAL,
             "is a local image");
    assert_null(url);
    assert_null(auth);
    vg_image_free(img);
    rmdir(dir);
}

/* An empty layer list still makes an IndexReport for the manifest hash. */
static void test_index_empty(void **state)
{
    (void)state;
    vg_image *img = NULL;
    assert_int_equal(vg_image_open_layers(&img, D1, NULL, 0, NULL), 0);
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    vg_index_report *r = NULL;
    vg_index_stats st;
    assert_int_equal(vg_index_opened_image(&r, &st, img, &lim, NULL, NULL), 0);
    assert_int_equal(st.layers, 0);
    assert_int_equal(r->n_layers, 0);
    assert_string_equal(r->manifest_hash, D1);
    vg_index_report_free(r);
    vg_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_header_count_cap),
        cmocka_unit_test(test_header_length_cap),
        cmocka_unit_test(test_uri_length_cap),
        cmocka_unit_test(test_media_type_cap),
        cmocka_unit_test(test_max_layers),
        cmocka_unit_test(test_redacted_fetch_error),
        cmocka_unit_test(test_layer_remote_refused),
        cmocka_unit_test(test_index_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
