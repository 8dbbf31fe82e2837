/* rpm.c — the rpm scanner of src/index/: finds rpm databases (var/lib/rpm, usr/lib/sysimage/rpm,
 * usr/share/rpm), tells SQLite, Berkeley DB and NDB apart by content, and turns each stored
 * header (rpmhdr.c) into a vg_package with its source package, module stream, vendor and purl.
 * Never runs rpm or librpm. The readers are rpmdb_sqlite.c, rpmdb_bdb.c and rpmdb_ndb.c. */
#include "rpm_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Decisions (what the matcher and SBOM output rely on):
 *
 * - version is "[epoch:]version-release", the epoch only when the EPOCH tag is present and
 *   not 0, as rpm -q prints it; rpm.vercmp treats a missing epoch as 0, so fixed versions
 *   from the feeds compare the same with or without "0:".
 * - The source package comes from SOURCERPM ("util-linux-2.32.1-42.el8_8.src.rpm"): without
 *   ".src.rpm" / ".nosrc.rpm", split name-version-release at the last two '-'. Its version
 *   carries the binary's epoch (SOURCERPM has none, and rpm gives every subpackage the source
 *   package's Epoch). Without a usable SOURCERPM the package is its own source.
 * - module is "name:stream" from MODULARITYLABEL ("nodejs:16:8060020220408134227:ad008a3a"),
 *   the form the advisories' module qualifier uses; a label without ':' is kept whole.
 * - vendor is VENDOR as stored (an empty VENDOR stays ""; an absent one is NULL).
 * - purl, by the purl spec's rpm type: pkg:rpm/<namespace>/<name>@<version>-<release>
 *   ?arch=<arch>&epoch=<epoch>, built and percent-encoded by purl.c (qualifiers sorted, the
 *   epoch only when not 0). The namespace is the vendor's: "redhat" for "Red Hat, Inc.",
 *   else the vendor's first word lowercased ("suse", "fedora", "microsoft", "rocky",
 *   "amazon", ...); no namespace without a vendor. No distro qualifier: the scanner does not
 *   know the distribution (the coalescer does).
 * - gpg-pubkey entries are rpm's imported signing keys, not packages: skipped (counted).
 * - A damaged record or header is skipped with a warning, recorded on the layer result
 *   (vg_layer_result_add_warning, "layer <digest>: <path>: package #3 (hnum 17): tag 1001
 *   (VERSION), entry 4: ...": the database, the package's position and key, the field) and
 *   in vg__rpm_warnings (a count and the same messages) for tests; the other packages are
 *   reported. Only damage to the database structure itself fails the
 *   file, and then nothing of it is kept.
 * - Every rpmdb file found becomes its own package database, like dpkg's status.d files.
 */

static const char *const db_dirs[] = {"var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/"};
static const char *const db_files[] = {"Packages", "Packages.db", "rpmdb.sqlite"};

void vg__rpm_warnings_init(vg__rpm_warnings *w)
{
    w->n_skipped = 0;
    w->n_pubkeys = 0;
    vg_strbuf_init(&w->text, VG_RPMDB_MAX_WARNING_BYTES);
}

void vg__rpm_warnings_dispose(vg__rpm_warnings *w)
{
    vg_strbuf_dispose(&w->text);
}

vg__rpmdb_kind vg__rpmdb_detect(const uint8_t *buf, size_t len)
{
    static const char sqlite_magic[16] = "SQLite format 3";
    if (len == 0)
        return VG_RPMDB_EMPTY;
    if (len >= sizeof(sqlite_magic) && memcmp(buf, sqlite_magic, sizeof(sqlite_magic)) == 0)
        return VG_RPMDB_SQLITE;
    if (len >= 4 && memcmp(buf, "RpmP", 4) == 0)
        return VG_RPMDB_NDB;
    if (len >= 16) {
        static const uint8_t magics[4][4] = {{0x61, 0x15, 0x06, 0x00},
                                             {0x00, 0x06, 0x15, 0x61},
                                             {0x62, 0x31, 0x05, 0x00},
                                             {0x00, 0x05, 0x31, 0x62}};
        for (size_t i = 0; i < VG_ARRAY_LEN(magics); i++)
            if (memcmp(buf + 12, magics[i], 4) == 0)
                return VG_RPMDB_BDB;
    }
    return VG_RPMDB_UNKNOWN;
}

typedef struct scan {
    vg_layer_result *r;
    vg_pkgdb *db;
    const char *path;
    const char *key_name; /* what a record's key is called in this format */
    uint64_t max_pkgs;
    vg__rpm_warnings *w;
    vg_strbuf tmp;
} scan;

static void warn(scan *s, const vg__rpmdb_record *rec, const char *fmt, ...) VG_PRINTF(3, 4);

static void warn(scan *s, const vg__rpmdb_record *rec, const char *fmt, ...)
{
    s->w->n_skipped++;
    vg_strbuf line;
    vg_strbuf_init(&line, 2048);
    vg_strbuf_put_escaped(&line, s->path, strlen(s->path), 256);
    vg_strbuf_printf(&line, ": package #%llu (%s %llu): ", (unsigned long long)rec->ordinal,
                     s->key_name, (unsigned long long)rec->key);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&line, fmt, ap);
    va_end(ap);
    if (vg_strbuf_error(&line) == 0) {
        vg_strbuf_append(&s->w->text, line.buf, line.len);
        vg_strbuf_putc(&s->w->text, '\n');
        vg_strbuf_reset(&s->tmp);
        vg_strbuf_printf(&s->tmp, "layer %s: %s", s->r->digest, line.buf);
        vg_layer_result_add_warning(s->r, s->tmp.buf);
    }
    vg_strbuf_dispose(&line);
}

static const char *dup_slice(scan *s, vg_slice v)
{
    return vg_layer_result_strndup(s->r, v.ptr, v.len);
}

static bool ends_with(vg_slice s, const char *suffix, vg_slice *rest)
{
    size_t n = strlen(suffix);
    if (s.len < n || memcmp(s.ptr + s.len - n, suffix, n) != 0)
        return false;
    *rest = (vg_slice){s.ptr, s.len - n};
    return true;
}

/* Position of the last '-' in s, or -1. */
static long last_dash(vg_slice s)
{
    for (size_t i = s.len; i > 0; i--)
        if (s.ptr[i - 1] == '-')
            return (long)(i - 1);
    return -1;
}

/* "name-version-release.src.rpm" into name and "version-release". */
static bool split_srpm(vg_slice srpm, vg_slice *name, vg_slice *vr)
{
    vg_slice nvr;
    if (!ends_with(srpm, ".src.rpm", &nvr) && !ends_with(srpm, ".nosrc.rpm", &nvr))
        return false;
    long r = last_dash(nvr);
    if (r <= 0 || (size_t)r + 1 == nvr.len)
        return false;
    long v = last_dash((vg_slice){nvr.ptr, (size_t)r});
    if (v <= 0 || v + 1 == r)
        return false;
    *name = (vg_slice){nvr.ptr, (size_t)v};
    *vr = (vg_slice){nvr.ptr + v + 1, nvr.len - (size_t)v - 1};
    return true;
}

/* "[epoch:]<a>[-<b>]" into the arena; `b` is left out when b.ptr is NULL. */
static const char *with_epoch(scan *s, const vg__rpmhdr *h, vg_slice a, vg_slice b)
{
    vg_strbuf_reset(&s->tmp);
    if (h->has_epoch && h->epoch != 0)
        vg_strbuf_printf(&s->tmp, "%u:", h->epoch);
    vg_strbuf_append(&s->tmp, a.ptr, a.len);
    if (b.ptr) {
        vg_strbuf_putc(&s->tmp, '-');
        vg_strbuf_append(&s->tmp, b.ptr, b.len);
    }
    return vg_layer_result_strndup(s->r, s->tmp.buf, s->tmp.len);
}

/* The purl namespace for a vendor into `sb` (reset first): "redhat" for Red Hat, else its
 * first word, lowercased; empty when the vendor starts with something else. */
static void vendor_namespace(vg_strbuf *sb, vg_slice vendor)
{
    static const char red_hat[] = "red hat";
    vg_strbuf_reset(sb);
    size_t n = sizeof(red_hat) - 1;
    bool is_red_hat = vendor.len >= n;
    for (size_t i = 0; is_red_hat && i < n; i++) {
        char c = vendor.ptr[i];
        is_red_hat = (c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c) == red_hat[i];
    }
    if (is_red_hat) {
        vg_strbuf_puts(sb, "redhat");
        return;
    }
    for (size_t i = 0; i < vendor.len; i++) {
        char c = vendor.ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
            break;
        vg_strbuf_putc(sb, c);
    }
}

/* pkg:rpm/<vendor>/<name>@<version>-<release>?arch=..&epoch=.. (purl.c encodes). The
 * header's strings are NUL-terminated inside the blob, so their slices are C strings. */
static const char *make_purl(scan *s, const vg__rpmhdr *h)
{
    vg_strbuf ns;
    vg_strbuf_init(&ns, 1024);
    if (h->vendor.ptr)
        vendor_namespace(&ns, h->vendor);
    vg_strbuf_reset(&s->tmp);
    vg_strbuf_append(&s->tmp, h->version.ptr, h->version.len);
    vg_strbuf_putc(&s->tmp, '-');
    vg_strbuf_append(&s->tmp, h->release.ptr, h->release.len);
    char epoch[16] = "";
    if (h->has_epoch && h->epoch != 0)
        snprintf(epoch, sizeof(epoch), "%u", h->epoch);
    vg_purl_qualifier q[] = {{"arch", h->arch.ptr}, {"epoch", epoch}};
    const char *purl =
        vg__purl(s->r, "rpm", ns.len ? ns.buf : NULL, h->name.ptr, s->tmp.buf, q, VG_ARRAY_LEN(q));
    vg_strbuf_dispose(&ns);
    return purl;
}

static int add_package(scan *s, const vg__rpmhdr *h)
{
    if (s->db->n_pkgs >= s->max_pkgs)
        return vg_error_set(VG_ETOOBIG, "%s: more than %llu packages (index limit max_pkgs)",
                            s->path, (unsigned long long)s->max_pkgs);
    vg_package *p = vg_pkgdb_add(s->r, s->db);
    p->name = dup_slice(s, h->name);
    p->version = with_epoch(s, h, h->version, h->release);
    p->arch = h->arch.ptr ? dup_slice(s, h->arch) : NULL;
    vg_slice src_name, src_vr;
    if (h->sourcerpm.ptr && split_srpm(h->sourcerpm, &src_name, &src_vr)) {
        p->source_name = dup_slice(s, src_name);
        p->source_version = with_epoch(s, h, src_vr, (vg_slice){NULL, 0});
    } else {
        p->source_name = p->name;
        p->source_version = p->version;
    }
    if (h->modularitylabel.ptr && h->modularitylabel.len) {
        vg_slice label = h->modularitylabel, name;
        vg_slice rest = vg_slice_split(label, ':', &name);
        size_t n = label.len;
        if (rest.ptr) {
            vg_slice stream;
            vg_slice_split(rest, ':', &stream);
            n = name.len + 1 + stream.len;
        }
        p->module = dup_slice(s, (vg_slice){label.ptr, n});
    }
    p->vendor = h->vendor.ptr ? dup_slice(s, h->vendor) : NULL;
    p->purl = make_purl(s, h);
    return 0;
}

static int visit(void *arg, const vg__rpmdb_record *rec)
{
    scan *s = arg;
    if (rec->problem) {
        warn(s, rec, "%s", rec->problem);
        return 0;
    }
    vg__rpmhdr h;
    if (vg__rpmhdr_parse(&h, rec->blob, rec->len) != 0) {
        warn(s, rec, "%s", vg_error_last());
        vg_error_clear();
        return 0;
    }
    if (vg_slice_eq_cstr(h.name, "gpg-pubkey")) {
        s->w->n_pubkeys++;
        return 0;
    }
    return add_package(s, &h);
}

int vg__rpm_parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                  const vg_index_limits *lim, vg__rpm_warnings *w)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    scan s;
    memset(&s, 0, sizeof(s));
    s.r = r;
    s.path = path;
    s.max_pkgs = lim->max_pkgs;
    s.w = w;
    vg_strbuf_init(&s.tmp, 0);
    s.db = vg_layer_result_add_db(r, path, VG_PKG_RPM);
    const uint8_t *data = (const uint8_t *)buf;
    int rc = 0;
    switch (vg__rpmdb_detect(data, len)) {
    case VG_RPMDB_EMPTY:
        break;
    case VG_RPMDB_SQLITE:
        s.key_name = "hnum";
        rc = vg__rpmdb_sqlite_read(path, data, len, visit, &s);
        break;
    case VG_RPMDB_BDB:
        s.key_name = "header number";
        rc = vg__rpmdb_bdb_read(path, data, len, visit, &s);
        break;
    case VG_RPMDB_NDB:
        s.key_name = "package index";
        rc = vg__rpmdb_ndb_read(path, data, len, visit, &s);
        break;
    case VG_RPMDB_UNKNOWN:
    default:
        rc = vg_error_set(
            VG_EINVAL, "%s: not an rpm database (neither SQLite, Berkeley DB hash nor NDB)", path);
        break;
    }
    vg_strbuf_dispose(&s.tmp);
    if (rc)
        r->n_dbs--; /* keep nothing of a bad file; s.db is the last database added */
    return rc;
}

static int parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim)
{
    vg__rpm_warnings w;
    vg__rpm_warnings_init(&w);
    /* Skipped headers are also on the layer result (vg_layer_result_add_warning). */
    int rc = vg__rpm_parse(r, path, buf, len, lim, &w);
    vg__rpm_warnings_dispose(&w);
    return rc;
}

/* <dir>/<file> for each rpmdb directory and database file name. */
static bool wants(const char *path)
{
    for (size_t d = 0; d < VG_ARRAY_LEN(db_dirs); d++) {
        size_t n = strlen(db_dirs[d]);
        if (strncmp(path, db_dirs[d], n) != 0)
            continue;
        for (size_t f = 0; f < VG_ARRAY_LEN(db_files); f++)
            if (strcmp(path + n, db_files[f]) == 0)
                return true;
    }
    return false;
}

const vg_scanner vg__scanner_rpm = {.name = "rpm", .wants = wants, .parse = parse};
