/* report.h — the public header of src/report/ (layer 5): renderers. Today the IndexReport in
 * Clair v4's JSON shape; the vulnerability report formats (table, JSON, SARIF, CycloneDX)
 * join it with the matcher. */
#ifndef VG_REPORT_H
#define VG_REPORT_H

#include "model/model.h"
#include "util/util.h"

/* Appends the IndexReport as Clair v4 JSON (manifest_hash, state, success, err, packages,
 * distributions, repository, environments) to `out`. Returns 0 or VG_ETOOBIG when `out`'s
 * cap is hit. Deterministic: ids are assigned in package order. */
int vg_report_index_json(vg_strbuf *out, const vg_index_report *r);

#endif
