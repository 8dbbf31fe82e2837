/* sample.h — a hand-built IndexReport and vulnerability report for the renderer tests
 * (tests/unit/report_test.c) and for tests/report/render_sample.c, which feeds the schema
 * validation in tests/report/validate.sh. */
#ifndef VG_TEST_SAMPLE_H
#define VG_TEST_SAMPLE_H

#include "match/match.h"
#include "model/model.h"

/* Package ids in the JSON (2*i+1) of the sample's packages, in index order. */
enum {
    SAMPLE_LIBSSL,   /* dpkg libssl3 (source openssl), three findings, one advisory twice */
    SAMPLE_ZLIB,     /* dpkg zlib1g (source zlib), one will-not-fix finding */
    SAMPLE_REQUESTS, /* python requests, a CVSS v4 finding, no distribution */
    SAMPLE_HOSTILE,  /* npm, name/version with quotes, ANSI escapes and control bytes */
    SAMPLE_BASH,     /* dpkg bash, no findings */
    SAMPLE_N_PKGS,
};

/* Builds the sample. With `empty`, the report has no findings and nothing suppressed.
 * Free with vg_test_sample_free. */
vg_vuln_report *vg_test_sample(bool empty);
void vg_test_sample_free(vg_vuln_report *r);

#endif
