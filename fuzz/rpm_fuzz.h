/* rpm_fuzz.h — the contract checks shared by the rpm fuzz targets (rpmhdr, rpmdb_bdb,
 * rpmdb_ndb): runs the rpm scanner over a database and aborts when a result breaks what
 * rpm.c promises — errors that name the file and keep nothing, complete packages, the
 * package cap, a warning for every skipped header. */
#ifndef VG_RPM_FUZZ_H
#define VG_RPM_FUZZ_H

#include "index/rpm_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void vg_fuzz_rpm_scan(const char *path, const char *buf, size_t len)
{
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_pkgs = 8; /* small enough for the fuzzer to reach the cap */
    vg_layer_result *r = vg_layer_result_new("sha256:fuzz");
    vg__rpm_warnings w;
    vg__rpm_warnings_init(&w);
    vg_error_clear();
    int rc = vg__rpm_parse(r, path, buf, len, &lim, &w);
    if (rc != 0) {
        if ((rc != VG_EINVAL && rc != VG_ETOOBIG) || !strstr(vg_error_last(), path) ||
            r->n_dbs != 0)
            abort();
    } else {
        if (r->n_dbs != 1 || r->dbs[0].n_pkgs > lim.max_pkgs)
            abort();
        if (r->n_warnings + r->warnings_dropped != w.n_skipped)
            abort();
        for (size_t i = 0; i < r->dbs[0].n_pkgs; i++) {
            const vg_package *p = &r->dbs[0].pkgs[i];
            if (!p->name || !*p->name || !p->version || !*p->version || !p->source_name ||
                !*p->source_name || !p->source_version || !*p->source_version ||
                p->format != VG_PKG_RPM || strcmp(p->name, "gpg-pubkey") == 0)
                abort();
            if (p->purl && strncmp(p->purl, "pkg:rpm/", 8) != 0)
                abort();
        }
    }
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
}

#endif
