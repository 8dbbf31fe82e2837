/* uri_index.c — test driver for images made of layer URIs (tests/image/uri.sh): the server
 * side of `POST /indexer/api/v1/index_report` without the HTTP server around it, and the
 * client side of `vigil report --server`.
 *
 *   uri_index [--insecure] HASH DIGEST=URI[|Header: value]...
 *       vg_image_open_layers + vg_index_opened_image, prints the IndexReport JSON;
 *   uri_index [--insecure] --remote REF
 *       vg_image_open + vg_image_layer_remote for every layer, prints "URL\tAUTH" lines
 *       (AUTH empty when anonymous works).
 * Errors: the message on stderr, exit 1; usage errors exit 2. */
#include "image/image.h"
#include "index/index.h"
#include "report/report.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS_ARG 100 /* more than VG_IMAGE_MAX_LAYER_HEADERS: the cap is the library's */

static int usage(void)
{
    fprintf(stderr, "usage: uri_index [--insecure] HASH DIGEST=URI[|Header: value]...\n"
                    "       uri_index [--insecure] --remote REF\n");
    return 2;
}

static int fail(void)
{
    fprintf(stderr, "uri_index: %s\n", vg_error_last());
    return 1;
}

static int remote(const char *ref, const vg_image_opts *opts)
{
    vg_image *img = NULL;
    if (vg_image_open(&img, ref, opts) != 0)
        return fail();
    int rc = 0;
    for (size_t i = 0; i < vg_image_layer_count(img) && rc == 0; i++) {
        char *url = NULL, *auth = NULL;
        if (vg_image_layer_remote(&url, &auth, img, i) != 0) {
            rc = fail();
            break;
        }
        printf("%s\t%s\n", url, auth ? auth : "");
        free(url);
        free(auth);
    }
    vg_image_free(img);
    return rc;
}

/* One "DIGEST=URI|H1|H2" argument, split in place. */
static int parse_layer(vg_remote_layer *l, char *arg, const char **hdrs)
{
    char *eq = strchr(arg, '=');
    if (!eq)
        return -1;
    *eq = '\0';
    l->digest = arg;
    l->uri = eq + 1;
    l->headers = hdrs;
    char *p = strchr(l->uri, '|');
    while (p) {
        *p = '\0';
        if (l->n_headers == MAX_HEADERS_ARG)
            return -1;
        hdrs[l->n_headers++] = p + 1;
        p = strchr(p + 1, '|');
    }
    return 0;
}

int main(int argc, char **argv)
{
    vg_image_opts opts;
    vg_image_opts_default(&opts);
    int a = 1;
    if (a < argc && strcmp(argv[a], "--insecure") == 0) {
        opts.insecure = true;
        a++;
    }
    if (a + 1 < argc && strcmp(argv[a], "--remote") == 0)
        return a + 2 == argc ? remote(argv[a + 1], &opts) : usage();
    if (a >= argc)
        return usage();
    const char *hash = argv[a++];
    size_t n = (size_t)(argc - a);
    vg_remote_layer *layers = vg_xcalloc(n ? n : 1, sizeof(*layers));
    const char **hdrs = vg_xcalloc((n ? n : 1) * MAX_HEADERS_ARG, sizeof(*hdrs));
    for (size_t i = 0; i < n; i++) {
        if (parse_layer(&layers[i], argv[a + (int)i], hdrs + i * MAX_HEADERS_ARG) != 0) {
            free(layers);
            free(hdrs);
            return usage();
        }
    }
    vg_image *img = NULL;
    int rc = vg_image_open_layers(&img, hash, layers, n, &opts);
    free(layers);
    free(hdrs);
    if (rc != 0)
        return fail();
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    vg_index_report *r = NULL;
    vg_index_stats st;
    rc = vg_index_opened_image(&r, &st, img, &lim, NULL, NULL);
    vg_image_free(img);
    if (rc != 0)
        return fail();
    vg_strbuf out;
    vg_strbuf_init(&out, 0);
    rc = vg_report_index_json(&out, r);
    vg_index_report_free(r);
    if (rc != 0) {
        vg_strbuf_dispose(&out);
        return fail();
    }
    fwrite(out.buf, 1, out.len, stdout);
    putchar('\n');
    vg_strbuf_dispose(&out);
    fprintf(stderr, "uri_index: %zu layers indexed\n", st.indexed);
    return 0;
}
