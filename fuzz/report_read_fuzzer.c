/* report_read_fuzzer.c — fuzz target for the Clair v4 JSON readers (src/report/read_json.c),
 * which read what a remote server sends to `vigil report` and the IndexReports the server
 * stored. The input goes to both readers. Besides crashes it aborts when a rejection is not
 * VG_EINVAL / VG_ETOOBIG with a message naming the document, when a report read cannot be
 * rendered in every format, or when vigil's JSON of it does not read back to the same JSON. */
#include "report/report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int rc, const char *prefix)
{
    if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || vg_error_code() != rc ||
        strncmp(vg_error_last(), prefix, strlen(prefix)) != 0)
        abort();
}

static char *render_index(const vg_index_report *ix)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    if (vg_report_index_json(&sb, ix) != 0)
        abort();
    return vg_strbuf_detach(&sb);
}

static char *render(const vg_vuln_report *r, vg_report_format f)
{
    vg_render_opts o = {.color = true, .image_ref = "fuzz:latest", .tool_version = "fuzz"};
    vg_strbuf sb;
    vg_strbuf_init(&sb, VG_STRBUF_DEFAULT_LIMIT);
    if (vg_report_vuln(&sb, r, f, &o) != 0)
        abort();
    return vg_strbuf_detach(&sb);
}

static void index_target(const char *buf, size_t len)
{
    vg_index_report *ix = NULL, *ix2 = NULL;
    vg_error_clear();
    int rc = vg_report_index_read(&ix, buf, len);
    if (rc != 0) {
        check_error(rc, "index report: ");
        return;
    }
    char *j1 = render_index(ix);
    if (vg_report_index_read(&ix2, j1, strlen(j1)) != 0)
        abort();
    char *j2 = render_index(ix2);
    if (strcmp(j1, j2) != 0)
        abort();
    free(j1);
    free(j2);
    vg_index_report_free(ix2);
    vg_index_report_free(ix);
}

static void vuln_target(const char *buf, size_t len)
{
    vg_vuln_report *r = NULL, *r2 = NULL;
    vg_index_report *ix = NULL, *ix2 = NULL;
    vg_error_clear();
    int rc = vg_report_vuln_read(&r, &ix, buf, len);
    if (rc != 0) {
        check_error(rc, "vulnerability report: ");
        return;
    }
    if (r->index != ix)
        abort();
    static const vg_report_format others[] = {VG_FORMAT_TABLE, VG_FORMAT_SARIF,
                                              VG_FORMAT_CYCLONEDX};
    for (size_t i = 0; i < VG_ARRAY_LEN(others); i++)
        free(render(r, others[i]));
    char *j1 = render(r, VG_FORMAT_JSON);
    if (vg_report_vuln_read(&r2, &ix2, j1, strlen(j1)) != 0)
        abort();
    char *j2 = render(r2, VG_FORMAT_JSON);
    if (strcmp(j1, j2) != 0)
        abort();
    free(j1);
    free(j2);
    vg_vuln_report_free(r2);
    vg_index_report_free(ix2);
    vg_vuln_report_free(r);
    vg_index_report_free(ix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    index_target((const char *)data, size);
    vuln_target((const char *)data, size);
    return 0;
}
