/* render_sample.c — prints the hand-built sample report (tests/report/sample.c) in one format,
 * for tests/report/validate.sh to check against the official SARIF and CycloneDX schemas.
 * Usage: render_sample table|json|sarif|cyclonedx [empty] */
#include "report/report.h"
#include "sample.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    vg_report_format fmt;
    if (argc < 2 || vg_report_format_parse(&fmt, argv[1]) != 0) {
        fprintf(stderr, "usage: render_sample table|json|sarif|cyclonedx [empty]\n");
        return 2;
    }
    bool empty = argc > 2 && strcmp(argv[2], "empty") == 0;
    vg_vuln_report *r = vg_test_sample(empty);
    vg_render_opts o = {
        .color = false, .image_ref = "oci:/tmp/sample:latest", .tool_version = NULL};
    vg_strbuf out;
    vg_strbuf_init(&out, VG_STRBUF_DEFAULT_LIMIT);
    int rc = vg_report_vuln(&out, r, fmt, &o);
    if (rc == 0)
        fwrite(out.buf, 1, out.len, stdout);
    else
        fprintf(stderr, "render_sample: %s\n", vg_error_last());
    vg_strbuf_dispose(&out);
    vg_test_sample_free(r);
    return rc == 0 ? 0 : 1;
}
