/* index_json.c — renders an IndexReport as Clair v4 JSON with jansson. */
#include "report.h"

int vg_report_index_json(vg_strbuf *out, const vg_index_report *r)
{
    (void)out;
    (void)r;
    return vg_error_set(VG_ERROR, "not implemented yet");
}
