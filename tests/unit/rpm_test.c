/* rpm_test.c — unit tests of the rpm scanner of src/index/ (rpm.c, rpmhdr.c, rpmdb_sqlite.c,
 * rpmdb_bdb.c, rpmdb_ndb.c) and of the RPM-family distribution detection in os_release.c:
 * every real database in $VIGIL_SHARED/fixtures/rpmdb against rpm's own answer (all fields),
 * synthetic headers and databases, corrupt headers and hostile BDB/NDB/SQLite structures made
 * here from the real fixtures, and every named cap. Fixtures are read into memory only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/rpm_int.h"
#include "testutil.h"
#include "util/util.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers --------------------------------------------------------------------------- */

static char *read_shared(const char *rel, size_t *len)
{
    char *path = vg_test_shared_path(rel);
    char *text = vg_test_read_file(path, len);
    if (!text)
        fail_msg("missing fixture %s", path);
    free(path);
    return text;
}

/* Runs the rpm scanner over an exact-size copy of `len` bytes (so ASan sees overreads). */
static int run_rpm(vg_layer_result **out, vg__rpm_warnings *w, const char *path, const void *buf,
                   size_t len, const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    char *copy = vg_xmalloc(len);
    if (len)
        memcpy(copy, buf, len);
    *out = vg_layer_result_new("sha256:test");
    vg__rpm_warnings_init(w);
    vg_error_clear();
    int rc = vg__rpm_parse(*out, path, copy, len, lim, w);
    free(copy);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A growable list of heap lines, sorted and joined by '\n' by list_join. */
typedef struct list {
    char **v;
    size_t n, cap;
} list;

static void list_add(list *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = vg_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = s;
}

static void list_addf(list *l, const char *fmt, ...) VG_PRINTF(2, 3);

static void list_addf(list *l, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    list_add(l, vg_strbuf_detach(&sb));
}

static char *list_join(list *l)
{
    if (l->n)
        qsort(l->v, l->n, sizeof(*l->v), cmp_str);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    for (size_t i = 0; i < l->n; i++) {
        vg_strbuf_printf(&sb, "%s%s", i ? "\n" : "", l->v[i]);
        free(l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
    return vg_strbuf_detach(&sb);
}

/* Splits a TSV line into at most `max` fields (pointers into `line`, which is modified). */
static size_t split_tabs(char *line, char **f, size_t max)
{
    size_t n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)", needle);
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[1] << 8 | p[0]);
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* ---- collecting header blobs through a reader ------------------------------------------ */

typedef struct blobs {
    uint8_t **v;
    size_t *len;
    size_t *offset; /* for NDB: where the blob sits in the file buffer */
    const uint8_t *base;
    size_t n;
    size_t problems;
} blobs;

static int collect(void *ctx, const vg__rpmdb_record *rec)
{
    blobs *b = ctx;
    if (rec->problem) {
        b->problems++;
        return 0;
    }
    b->v = vg_xrealloc(b->v, (b->n + 1) * sizeof(*b->v));
    b->len = vg_xrealloc(b->len, (b->n + 1) * sizeof(*b->len));
    b->offset = vg_xrealloc(b->offset, (b->n + 1) * sizeof(*b->offset));
    b->v[b->n] = vg_xmalloc(rec->len);
    memcpy(b->v[b->n], rec->blob, rec->len);
    b->len[b->n] = rec->len;
    b->offset[b->n] = b->base ? (size_t)(rec->blob - b->base) : 0;
    b->n++;
    return 0;
}

static void blobs_free(blobs *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i]);
    free(b->v);
    free(b->len);
    free(b->offset);
    memset(b, 0, sizeof(*b));
}

typedef int (*reader_fn)(const char *, const uint8_t *, size_t, vg__rpmdb_visit, void *);

static reader_fn reader_for(const uint8_t *buf, size_t len)
{
    switch (vg__rpmdb_detect(buf, len)) {
    case VG_RPMDB_SQLITE:
        return vg__rpmdb_sqlite_read;
    case VG_RPMDB_BDB:
        return vg__rpmdb_bdb_read;
    case VG_RPMDB_NDB:
        return vg__rpmdb_ndb_read;
    default:
        fail_msg("not an rpmdb");
        return NULL;
    }
}

static void read_blobs(blobs *b, const uint8_t *buf, size_t len)
{
    memset(b, 0, sizeof(*b));
    b->base = buf;
    int rc = reader_for(buf, len)("fixture", buf, len, collect, b);
    if (rc)
        fail_msg("%s", vg_error_last());
    assert_int_equal(b->problems, 0);
}

/* ---- building headers and SQLite databases --------------------------------------------- */

enum { T_INT32 = 4, T_INT64 = 5, T_STRING = 6, T_BIN = 7, T_STRING_ARRAY = 8 };

typedef struct tagval {
    uint32_t tag, type;
    const char *str; /* STRING */
    uint64_t num;    /* INT32 / INT64 */
} tagval;

/* A header blob as rpm stores it: a HEADERIMMUTABLE region holding `n` entries. */
static uint8_t *build_header(size_t *len, const tagval *tv, size_t n)
{
    uint32_t il = (uint32_t)n + 1;
    uint8_t data[8192];
    uint32_t dl = 0;
    uint8_t *entries = vg_xcalloc(il, 16);
    for (size_t i = 0; i < n; i++) {
        uint32_t size = tv[i].type == T_INT32 ? 4 : tv[i].type == T_INT64 ? 8 : 1;
        while (dl % size)
            data[dl++] = 0;
        uint8_t *e = entries + 16 * (i + 1);
        put_be32(e, tv[i].tag);
        put_be32(e + 4, tv[i].type);
        put_be32(e + 8, dl);
        put_be32(e + 12, 1);
        if (tv[i].type == T_INT32) {
            put_be32(data + dl, (uint32_t)tv[i].num);
            dl += 4;
        } else if (tv[i].type == T_INT64) {
            put_be32(data + dl, (uint32_t)(tv[i].num >> 32));
            put_be32(data + dl + 4, (uint32_t)tv[i].num);
            dl += 8;
        } else {
            size_t sl = strlen(tv[i].str) + 1;
            memcpy(data + dl, tv[i].str, sl);
            dl += (uint32_t)sl;
        }
    }
    /* The region entry and its trailer. */
    put_be32(entries, VG_RPMTAG_HEADERIMMUTABLE);
    put_be32(entries + 4, T_BIN);
    put_be32(entries + 8, dl);
    put_be32(entries + 12, 16);
    put_be32(data + dl, VG_RPMTAG_HEADERIMMUTABLE);
    put_be32(data + dl + 4, T_BIN);
    put_be32(data + dl + 8, (uint32_t) - (int32_t)(il * 16));
    put_be32(data + dl + 12, 16);
    dl += 16;
    *len = 8 + 16 * (size_t)il + dl;
    uint8_t *blob = vg_xmalloc(*len);
    put_be32(blob, il);
    put_be32(blob + 4, dl);
    memcpy(blob + 8, entries, 16 * (size_t)il);
    memcpy(blob + 8 + 16 * (size_t)il, data, dl);
    free(entries);
    return blob;
}

/* An rpmdb.sqlite image in memory (rpm's schema) holding `n` blobs as hnum 1..n. */
static uint8_t *sqlite_db(size_t *len, uint8_t *const *v, const size_t *lens, size_t n,
                          const char *schema)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db,
                     schema ? schema
                            : "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, "
                              "blob BLOB NOT NULL)",
                     NULL, NULL, &err) != SQLITE_OK)
        fail_msg("schema: %s", err);
    sqlite3_stmt *st = NULL;
    if (n) {
        assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO Packages (hnum, blob) VALUES (?, ?)",
                                            -1, &st, NULL),
                         SQLITE_OK);
        for (size_t i = 0; i < n; i++) {
            sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
            sqlite3_bind_blob(st, 2, v[i], (int)lens[i], SQLITE_TRANSIENT);
            assert_int_equal(sqlite3_step(st), SQLITE_DONE);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    sqlite3_int64 size = 0;
    unsigned char *image = sqlite3_serialize(db, "main", &size, 0);
    assert_non_null(image);
    uint8_t *out = vg_xmalloc((size_t)size);
    memcpy(out, image, (size_t)size);
    sqlite3_free(image);
    sqlite3_close(db);
    *len = (size_t)size;
    return out;
}

/* ---- fixtures: every database against rpm's list --------------------------------------- */

typedef enum col7 { C7_VENDOR, C7_SIZE } col7;

typedef struct fixture {
    const char *file;     /* under fixtures/rpmdb/ */
    const char *expected; /* under fixtures/rpmdb/expected/ */
    const char *path;     /* the path the scanner is told */
    size_t count;
    bool epoch_known; /* false: the oracle did not record EPOCH ("-") */
    col7 seventh;
} fixture;

static const fixture fixtures[] = {
    {"bdb/libuuid/Packages", "libuuid.rpm418.tsv", "var/lib/rpm/Packages", 1, true, C7_VENDOR},
    {"bdb/syft-dive/Packages", "syft-dive.rpm418.tsv", "var/lib/rpm/Packages", 1, true, C7_VENDOR},
    {"bdb/infra-rpmroot-bdb/Packages", "infra-rpmroot-bdb.rpm418.tsv", "var/lib/rpm/Packages", 2,
     true, C7_VENDOR},
    {"ndb/sle15-bci/Packages.db", "sle15-bci.transcribed-go-rpmdb.tsv",
     "usr/lib/sysimage/rpm/Packages.db", 35, true, C7_VENDOR},
    {"ndb/snyk-sles/Packages.db", "snyk-sles.transcribed-snyk.tsv",
     "usr/lib/sysimage/rpm/Packages.db", 3, false, C7_SIZE},
    {"sqlite/cbl-mariner-2.0/rpmdb.sqlite", "cbl-mariner-2.0.rpm418.tsv",
     "var/lib/rpm/rpmdb.sqlite", 129, true, C7_VENDOR},
    {"sqlite/infra-rpmroot-sqlite/rpmdb.sqlite", "infra-rpmroot-sqlite.rpm418.tsv",
     "usr/lib/sysimage/rpm/rpmdb.sqlite", 2, true, C7_VENDOR},
};

static const char *or_none(vg_slice s, char *tmp, size_t cap)
{
    if (!s.ptr)
        return "(none)";
    snprintf(tmp, cap, "%.*s", (int)s.len, s.ptr);
    return tmp;
}

/* Header-level rows exactly as rpm -qa --qf printed them. */
static char *header_rows(const blobs *b, const fixture *f)
{
    list l = {0};
    for (size_t i = 0; i < b->n; i++) {
        vg__rpmhdr h;
        if (vg__rpmhdr_parse(&h, b->v[i], b->len[i]) != 0)
            fail_msg("%s: header %zu: %s", f->file, i, vg_error_last());
        char t[6][1024];
        char epoch[24], seventh[1024];
        snprintf(epoch, sizeof(epoch), "%u", h.has_epoch ? h.epoch : 0);
        if (!f->epoch_known)
            snprintf(epoch, sizeof(epoch), "-");
        if (f->seventh == C7_SIZE)
            snprintf(seventh, sizeof(seventh), "%llu", (unsigned long long)h.size);
        else
            snprintf(seventh, sizeof(seventh), "%s", or_none(h.vendor, t[5], sizeof(t[5])));
        list_addf(&l, "%s\t%s\t%s\t%s\t%s\t%s\t%s", or_none(h.name, t[0], sizeof(t[0])), epoch,
                  or_none(h.version, t[1], sizeof(t[1])), or_none(h.release, t[2], sizeof(t[2])),
                  or_none(h.arch, t[3], sizeof(t[3])), or_none(h.sourcerpm, t[4], sizeof(t[4])),
                  seventh);
    }
    return list_join(&l);
}

static char *expected_rows(const char *tsv)
{
    list l = {0};
    vg_slice rest = vg_slice_from_cstr(tsv), line;
    while (rest.ptr && rest.len) {
        rest = vg_slice_split(rest, '\n', &line);
        if (line.len)
            list_add(&l, vg_xstrndup(line.ptr, line.len));
    }
    return list_join(&l);
}

/* The packages vigil should make of the expected rows: name, [E:]V-R, arch, source name,
 * source version, vendor, derived here independently of rpm.c. */
static char *expected_packages(const char *tsv, const fixture *f)
{
    list l = {0};
    vg_slice rest = vg_slice_from_cstr(tsv), ln;
    while (rest.ptr && rest.len) {
        rest = vg_slice_split(rest, '\n', &ln);
        if (!ln.len)
            continue;
        char *line = vg_xstrndup(ln.ptr, ln.len);
        char *c[7];
        if (split_tabs(line, c, 7) != 7)
            fail_msg("%s: bad expected line", f->file);
        char ep[32] = "";
        if (strcmp(c[1], "0") != 0 && strcmp(c[1], "-") != 0)
            snprintf(ep, sizeof(ep), "%s:", c[1]);
        /* SOURCERPM: drop ".src.rpm", then release and version from the right. */
        char *srpm = vg_xstrdup(c[5]);
        char *dot = strstr(srpm, ".src.rpm");
        assert_non_null(dot);
        *dot = '\0';
        char *rel = strrchr(srpm, '-');
        assert_non_null(rel);
        *rel = '\0';
        char *ver = strrchr(srpm, '-');
        assert_non_null(ver);
        *ver = '\0';
        const char *vendor = f->seventh == C7_SIZE || strcmp(c[6], "(none)") == 0 ? "(none)" : c[6];
        list_addf(&l, "%s\t%s%s-%s\t%s\t%s\t%s%s-%s\t%s", c[0], ep, c[2], c[3], c[4], srpm, ep,
                  ver + 1, rel + 1, vendor);
        free(srpm);
        free(line);
    }
    return list_join(&l);
}

static char *package_rows(const vg_pkgdb *db, const fixture *f)
{
    list l = {0};
    for (size_t i = 0; i < db->n_pkgs; i++) {
        const vg_package *p = &db->pkgs[i];
        assert_int_equal(p->format, VG_PKG_RPM);
        assert_non_null(p->purl);
        assert_null(p->module);
        const char *vendor = f->seventh == C7_SIZE || !p->vendor ? "(none)" : p->vendor;
        list_addf(&l, "%s\t%s\t%s\t%s\t%s\t%s", p->name, p->version, p->arch ? p->arch : "(none)",
                  p->source_name, p->source_version, vendor);
    }
    return list_join(&l);
}

static const char *purl_of(const vg_pkgdb *db, const char *name)
{
    for (size_t i = 0; i < db->n_pkgs; i++)
        if (strcmp(db->pkgs[i].name, name) == 0)
            return db->pkgs[i].purl;
    fail_msg("no package %s", name);
    return NULL;
}

static void test_fixtures(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(fixtures); i++) {
        const fixture *f = &fixtures[i];
        char rel[512];
        snprintf(rel, sizeof(rel), "fixtures/rpmdb/%s", f->file);
        size_t len;
        char *buf = read_shared(rel, &len);
        snprintf(rel, sizeof(rel), "fixtures/rpmdb/expected/%s", f->expected);
        char *tsv = read_shared(rel, NULL);

        /* 1. The raw header fields, through the reader and the header parser. */
        blobs b;
        read_blobs(&b, (const uint8_t *)buf, len);
        char *got = header_rows(&b, f);
        char *want = expected_rows(tsv);
        if (strcmp(got, want) != 0)
            fail_msg("%s: headers differ\n--- rpm\n%s\n--- vigil\n%s", f->file, want, got);
        free(got);
        free(want);
        blobs_free(&b);

        /* 2. The packages the scanner reports. */
        vg_layer_result *r;
        vg__rpm_warnings w;
        int rc = run_rpm(&r, &w, f->path, buf, len, NULL);
        if (rc)
            fail_msg("%s: %s", f->file, vg_error_last());
        assert_int_equal(w.n_skipped, 0);
        assert_int_equal(r->n_warnings, 0);
        assert_int_equal(r->n_dbs, 1);
        assert_string_equal(r->dbs[0].path, f->path);
        assert_int_equal(r->dbs[0].format, VG_PKG_RPM);
        assert_int_equal(r->dbs[0].n_pkgs, f->count);
        got = package_rows(&r->dbs[0], f);
        want = expected_packages(tsv, f);
        if (strcmp(got, want) != 0)
            fail_msg("%s: packages differ\n--- want\n%s\n--- vigil\n%s", f->file, want, got);
        free(got);
        free(want);

        /* Spot checks of purls, one per format and vendor style. */
        if (strcmp(f->file, "bdb/libuuid/Packages") == 0)
            assert_string_equal(purl_of(&r->dbs[0], "libuuid"),
                                "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64");
        if (strstr(f->file, "infra-rpmroot")) {
            assert_string_equal(purl_of(&r->dbs[0], "hello-infra"),
                                "pkg:rpm/hello-infra@1.2.3-4?arch=noarch&epoch=1");
            assert_string_equal(purl_of(&r->dbs[0], "second-pkg"),
                                "pkg:rpm/second-pkg@0.9~rc1-4?arch=noarch");
        }
        if (strcmp(f->file, "ndb/sle15-bci/Packages.db") == 0)
            assert_string_equal(purl_of(&r->dbs[0], "bash"),
                                "pkg:rpm/suse/bash@4.4-19.6.1?arch=x86_64");
        if (strcmp(f->file, "bdb/syft-dive/Packages") == 0)
            assert_string_equal(purl_of(&r->dbs[0], "dive"), "pkg:rpm/dive@0.9.2-1?arch=x86_64");
        if (strstr(f->file, "cbl-mariner"))
            assert_string_equal(purl_of(&r->dbs[0], "ca-certificates-base"),
                                "pkg:rpm/microsoft/ca-certificates-base@2.0.0-1.cm2?arch=noarch&"
                                "epoch=1");
        vg__rpm_warnings_dispose(&w);
        vg_layer_result_free(r);
        free(tsv);
        free(buf);
    }
}

/* Fails when a fixture directory holds a database this file does not cover. */
static void test_fixtures_all_listed(void **state)
{
    (void)state;
    static const char *const dirs[] = {"bdb", "ndb", "sqlite"};
    for (size_t d = 0; d < VG_ARRAY_LEN(dirs); d++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "fixtures/rpmdb/%s", dirs[d]);
        char *path = vg_test_shared_path(rel);
        DIR *dir = opendir(path);
        assert_non_null(dir);
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char name[512];
            snprintf(name, sizeof(name), "%s/%s/", dirs[d], e->d_name);
            bool found = strcmp(name, "sqlite/claircore-no-packages/") == 0; /* test_not_rpmdb */
            for (size_t i = 0; i < VG_ARRAY_LEN(fixtures) && !found; i++)
                found = strncmp(fixtures[i].file, name, strlen(name)) == 0;
            if (!found)
                fail_msg("fixtures/rpmdb/%s is not covered by rpm_test.c", name);
        }
        closedir(dir);
        free(path);
    }
}

/* ---- not an rpmdb, empty, unknown ------------------------------------------------------ */

static void test_not_rpmdb(void **state)
{
    (void)state;
    size_t len;
    char *buf = read_shared("fixtures/rpmdb/sqlite/claircore-no-packages/rpmdb.sqlite", &len);
    vg_layer_result *r;
    vg__rpm_warnings w;
    int rc = run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", buf, len, NULL);
    assert_int_equal(rc, VG_EINVAL);
    assert_contains(vg_error_last(), "var/lib/rpm/rpmdb.sqlite: not an rpm database: no Packages");
    assert_int_equal(r->n_dbs, 0);
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
    free(buf);

    static const struct {
        const char *name;
        const char *data;
        size_t len;
        int rc;
        const char *msg;
    } cases[] = {
        {"empty file: an empty database", "", 0, 0, NULL},
        {"text", "hello, world, this is not a database", 36, VG_EINVAL, "not an rpm database"},
        {"sqlite magic only", "SQLite format 3\0xxxxxxxx", 24, VG_EINVAL, "not an SQLite database"},
        {"ndb magic only", "RpmP", 4, VG_EINVAL, "not an NDB package database"},
        {"bdb magic, short", "0123456789ab\x61\x15\x06\x00", 16, VG_EINVAL,
         "too short for a Berkeley DB metadata page"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        rc = run_rpm(&r, &w, "var/lib/rpm/Packages", cases[i].data, cases[i].len, NULL);
        if (rc != cases[i].rc)
            fail_msg("%s: rc %d: %s", cases[i].name, rc, vg_error_last());
        if (rc) {
            assert_contains(vg_error_last(), "var/lib/rpm/Packages: ");
            assert_contains(vg_error_last(), cases[i].msg);
            assert_int_equal(r->n_dbs, 0);
        } else {
            assert_int_equal(r->n_dbs, 1);
            assert_int_equal(r->dbs[0].n_pkgs, 0);
        }
        vg__rpm_warnings_dispose(&w);
        vg_layer_result_free(r);
    }

    /* A file that is not SQLite at all but is named rpmdb.sqlite goes by its content. */
    rc = run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", "junk", 4, NULL);
    assert_int_equal(rc, VG_EINVAL);
    assert_contains(vg_error_last(), "not an rpm database");
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
}

/* ---- synthetic headers: versions, sources, modules, vendors, purls --------------------- */

typedef struct pkg_case {
    const char *name;
    tagval tags[10];
    size_t n;
    /* want: name, version, arch, source name, source version, module, vendor, purl ("-" is
     * NULL); or skipped when want_name is NULL */
    const char *want[8];
} pkg_case;

#define S(t, v)                                                                                    \
    {                                                                                              \
        VG_RPMTAG_##t, T_STRING, (v), 0                                                            \
    }
#define I(t, v)                                                                                    \
    {                                                                                              \
        VG_RPMTAG_##t, T_INT32, NULL, (v)                                                          \
    }

static const pkg_case pkg_cases[] = {
    {"plain",
     {S(NAME, "a"), S(VERSION, "1.0"), S(RELEASE, "1"), S(ARCH, "x86_64")},
     4,
     {"a", "1.0-1", "x86_64", "a", "1.0-1", "-", "-", "pkg:rpm/a@1.0-1?arch=x86_64"}},
    {"epoch 0 is left out",
     {S(NAME, "a"), S(VERSION, "1.0"), S(RELEASE, "1"), I(EPOCH, 0),
      S(SOURCERPM, "b-1.0-1.src.rpm")},
     5,
     {"a", "1.0-1", "-", "b", "1.0-1", "-", "-", "pkg:rpm/a@1.0-1"}},
    {"epoch 3 on binary, source and purl",
     {S(NAME, "openssl-libs"), I(EPOCH, 3), S(VERSION, "3.0.7"), S(RELEASE, "18.el9_2"),
      S(ARCH, "aarch64"), S(SOURCERPM, "openssl-3.0.7-18.el9_2.src.rpm"),
      S(VENDOR, "Red Hat, Inc.")},
     7,
     {"openssl-libs", "3:3.0.7-18.el9_2", "aarch64", "openssl", "3:3.0.7-18.el9_2", "-",
      "Red Hat, Inc.", "pkg:rpm/redhat/openssl-libs@3.0.7-18.el9_2?arch=aarch64&epoch=3"}},
    {"nosrc and dashes in the source name",
     {S(NAME, "x"), S(VERSION, "2"), S(RELEASE, "1.fc39"),
      S(SOURCERPM, "my-long-name-2.5~rc1-0.1.fc39.nosrc.rpm")},
     4,
     {"x", "2-1.fc39", "-", "my-long-name", "2.5~rc1-0.1.fc39", "-", "-", "pkg:rpm/x@2-1.fc39"}},
    {"malformed SOURCERPM: its own source",
     {S(NAME, "x"), S(VERSION, "2"), S(RELEASE, "1"), S(SOURCERPM, "x-2.tar.gz")},
     4,
     {"x", "2-1", "-", "x", "2-1", "-", "-", "pkg:rpm/x@2-1"}},
    {"SOURCERPM without a release",
     {S(NAME, "x"), S(VERSION, "2"), S(RELEASE, "1"), S(SOURCERPM, "x-2.src.rpm")},
     4,
     {"x", "2-1", "-", "x", "2-1", "-", "-", "pkg:rpm/x@2-1"}},
    {"module stream from the label",
     {S(NAME, "nodejs"), I(EPOCH, 1), S(VERSION, "16.14.0"), S(RELEASE, "2.module+el8.5.0"),
      S(ARCH, "x86_64"), S(MODULARITYLABEL, "nodejs:16:8050020220228143417:a3f2c7d0")},
     6,
     {"nodejs", "1:16.14.0-2.module+el8.5.0", "x86_64", "nodejs", "1:16.14.0-2.module+el8.5.0",
      "nodejs:16", "-", "pkg:rpm/nodejs@16.14.0-2.module%2Bel8.5.0?arch=x86_64&epoch=1"}},
    {"a label without ':' is kept whole",
     {S(NAME, "m"), S(VERSION, "1"), S(RELEASE, "1"), S(MODULARITYLABEL, "weird")},
     4,
     {"m", "1-1", "-", "m", "1-1", "weird", "-", "pkg:rpm/m@1-1"}},
    {"vendor namespaces and percent-encoding",
     {S(NAME, "libstdc++"), S(VERSION, "11.2^git1"), S(RELEASE, "1"), S(ARCH, "noarch"),
      S(VENDOR, "SUSE LLC <https://www.suse.com/>")},
     5,
     {"libstdc++", "11.2^git1-1", "noarch", "libstdc++", "11.2^git1-1", "-",
      "SUSE LLC <https://www.suse.com/>", "pkg:rpm/suse/libstdc%2B%2B@11.2%5Egit1-1?arch=noarch"}},
    {"an empty vendor is kept, with no namespace",
     {S(NAME, "d"), S(VERSION, "1"), S(RELEASE, "1"), S(VENDOR, "")},
     4,
     {"d", "1-1", "-", "d", "1-1", "-", "", "pkg:rpm/d@1-1"}},
    {"gpg-pubkey is skipped",
     {S(NAME, "gpg-pubkey"), S(VERSION, "fd431d51"), S(RELEASE, "4ae0493b")},
     3,
     {NULL}},
};

static void test_package_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(pkg_cases); i++) {
        const pkg_case *c = &pkg_cases[i];
        size_t blen, dlen;
        uint8_t *blob = build_header(&blen, c->tags, c->n);
        uint8_t *db = sqlite_db(&dlen, &blob, &blen, 1, NULL);
        vg_layer_result *r;
        vg__rpm_warnings w;
        int rc = run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", db, dlen, NULL);
        if (rc)
            fail_msg("%s: %s", c->name, vg_error_last());
        assert_int_equal(w.n_skipped, 0);
        if (!c->want[0]) {
            assert_int_equal(r->dbs[0].n_pkgs, 0);
            assert_int_equal(w.n_pubkeys, 1);
        } else {
            assert_int_equal(r->dbs[0].n_pkgs, 1);
            const vg_package *p = &r->dbs[0].pkgs[0];
            const char *got[8] = {p->name,           p->version, p->arch,   p->source_name,
                                  p->source_version, p->module,  p->vendor, p->purl};
            static const char *const what[8] = {
                "name",           "version", "arch",   "source_name",
                "source_version", "module",  "vendor", "purl"};
            for (int k = 0; k < 8; k++) {
                const char *want = strcmp(c->want[k], "-") == 0 ? NULL : c->want[k];
                if ((want == NULL) != (got[k] == NULL) || (want && strcmp(want, got[k]) != 0))
                    fail_msg("%s: %s: want %s, got %s", c->name, what[k], want ? want : "NULL",
                             got[k] ? got[k] : "NULL");
            }
        }
        vg__rpm_warnings_dispose(&w);
        vg_layer_result_free(r);
        free(db);
        free(blob);
    }
}

/* ---- corrupt headers ------------------------------------------------------------------- */

/* The index of the entry with `tag` in a header blob, or fails. */
static uint32_t entry_of(const uint8_t *blob, uint32_t tag)
{
    uint32_t il = get_be32(blob);
    for (uint32_t i = 0; i < il; i++)
        if (get_be32(blob + 8 + 16 * i) == tag)
            return i;
    fail_msg("no tag %u", tag);
    return 0;
}

typedef enum mutation {
    M_TRUNCATE,
    M_APPEND,
    M_IL_CAP,
    M_DL_CAP,
    M_NO_ENTRIES,
    M_OFFSET,
    M_NEG_OFFSET,
    M_TYPE,
    M_WRONG_TYPE,
    M_COUNT,
    M_ALIGN,
    M_OVERLAP,
    M_REGION_TYPE,
    M_REGION_OFFSET,
    M_TRAILER_TAG,
    M_TRAILER_SIZE,
    M_MISSING,
    M_EMPTY,
    M_UNTERMINATED,
} mutation;

typedef struct corrupt_case {
    const char *name;
    mutation m;
    uint32_t tag; /* the entry mutated, where one is */
    int rc;
    const char *msg; /* a substring of the message */
} corrupt_case;

static const corrupt_case corrupt_cases[] = {
    {"truncated blob", M_TRUNCATE, 0, VG_EINVAL, "header: blob is"},
    {"trailing bytes", M_APPEND, 0, VG_EINVAL, "header: blob is"},
    {"il over VG_RPMHDR_MAX_ENTRIES", M_IL_CAP, 0, VG_ETOOBIG, "VG_RPMHDR_MAX_ENTRIES"},
    {"dl over VG_RPMHDR_MAX_DATA", M_DL_CAP, 0, VG_ETOOBIG, "VG_RPMHDR_MAX_DATA"},
    {"no entries", M_NO_ENTRIES, 0, VG_EINVAL, "header: no index entries"},
    {"offset past the data", M_OFFSET, VG_RPMTAG_VERSION, VG_EINVAL, "tag 1001 (VERSION), entry"},
    {"negative offset", M_NEG_OFFSET, VG_RPMTAG_RELEASE, VG_EINVAL, "tag 1002 (RELEASE), entry"},
    {"type out of range", M_TYPE, VG_RPMTAG_NAME, VG_EINVAL, "not an rpm data type"},
    {"NAME as BIN", M_WRONG_TYPE, VG_RPMTAG_NAME, VG_EINVAL, "tag 1000 (NAME), entry"},
    {"count past the data", M_COUNT, VG_RPMTAG_ARCH, VG_EINVAL, "do not fit in the data"},
    {"misaligned INT32", M_ALIGN, VG_RPMTAG_EPOCH, VG_EINVAL, "not aligned for INT32"},
    {"overlapping data", M_OVERLAP, VG_RPMTAG_RELEASE, VG_EINVAL, "overlaps the previous"},
    {"region tag type", M_REGION_TYPE, 0, VG_EINVAL, "tag 63 (HEADERIMMUTABLE), entry 0: region"},
    {"region trailer out of range", M_REGION_OFFSET, 0, VG_EINVAL, "region trailer at offset"},
    {"region trailer tag", M_TRAILER_TAG, 0, VG_EINVAL, "region trailer has tag"},
    {"region size", M_TRAILER_SIZE, 0, VG_EINVAL, "region size"},
    {"NAME missing", M_MISSING, VG_RPMTAG_NAME, VG_EINVAL, "tag 1000 (NAME): missing"},
    {"empty VERSION", M_EMPTY, VG_RPMTAG_VERSION, VG_EINVAL, "tag 1001 (VERSION), entry"},
    {"string without NUL", M_UNTERMINATED, 0, VG_EINVAL, "do not fit in the data"},
};

/* Applies `m` to a copy of `blob`; returns the new length. */
static size_t mutate(uint8_t **out, const uint8_t *blob, size_t len, const corrupt_case *c)
{
    uint8_t *b = vg_xmalloc(len + 16);
    memcpy(b, blob, len);
    memset(b + len, 0, 16);
    uint32_t il = get_be32(b), dl = get_be32(b + 4);
    uint8_t *ds = b + 8 + 16 * (size_t)il;
    uint8_t *e = c->tag ? b + 8 + 16 * (size_t)entry_of(b, c->tag) : NULL;
    uint32_t trailer = get_be32(b + 8 + 8);
    switch (c->m) {
    case M_TRUNCATE:
        len--;
        break;
    case M_APPEND:
        len += 3;
        break;
    case M_IL_CAP:
        put_be32(b, VG_RPMHDR_MAX_ENTRIES + 1);
        break;
    case M_DL_CAP:
        put_be32(b + 4, VG_RPMHDR_MAX_DATA + 1);
        break;
    case M_NO_ENTRIES:
        put_be32(b, 0);
        put_be32(b + 4, 0);
        len = 8;
        break;
    case M_OFFSET:
        put_be32(e + 8, dl + 100);
        break;
    case M_NEG_OFFSET:
        put_be32(e + 8, 0xfffffff0u);
        break;
    case M_TYPE:
        put_be32(e + 4, 42);
        break;
    case M_WRONG_TYPE:
        put_be32(e + 4, T_BIN);
        break;
    case M_COUNT:
        put_be32(e + 4, T_STRING_ARRAY);
        put_be32(e + 12, 0xffffffffu);
        break;
    case M_ALIGN:
        put_be32(e + 8, get_be32(e + 8) + 1);
        break;
    case M_OVERLAP: {
        /* Point the entry at the data of the entry before it. */
        put_be32(e + 8, get_be32(e + 8 - 16) > 0 ? get_be32(e + 8 - 16) - 1 : 0);
        break;
    }
    case M_REGION_TYPE:
        put_be32(b + 8 + 4, T_STRING);
        break;
    case M_REGION_OFFSET:
        put_be32(b + 8 + 8, dl);
        break;
    case M_TRAILER_TAG:
        put_be32(ds + trailer, 62);
        break;
    case M_TRAILER_SIZE:
        put_be32(ds + trailer + 8, (uint32_t) - (int32_t)((il + 1) * 16));
        break;
    case M_MISSING:
        put_be32(e, 999999);
        break;
    case M_EMPTY:
        ds[get_be32(e + 8)] = '\0';
        break;
    case M_UNTERMINATED:
        /* Cut the data store right after the last string's first byte. */
        for (uint32_t i = il - 1; i > 0; i--) {
            uint8_t *x = b + 8 + 16 * (size_t)i;
            if (get_be32(x + 4) == T_STRING && get_be32(x + 8) + 1 < dl) {
                uint32_t cut = get_be32(x + 8) + 1;
                for (uint32_t j = i + 1; j < il; j++) /* later entries point inside: drop */
                    put_be32(b + 8 + 16 * (size_t)j + 8, cut);
                put_be32(b + 4, cut);
                il = get_be32(b);
                len = 8 + 16 * (size_t)il + cut;
                break;
            }
        }
        break;
    }
    *out = b;
    return len;
}

/* A real header from the infra-rpmroot-sqlite fixture, by package name. */
static uint8_t *real_header(size_t *len, const char *name)
{
    size_t flen;
    char *buf = read_shared("fixtures/rpmdb/sqlite/infra-rpmroot-sqlite/rpmdb.sqlite", &flen);
    blobs b;
    read_blobs(&b, (const uint8_t *)buf, flen);
    uint8_t *h = NULL;
    for (size_t i = 0; i < b.n && !h; i++) {
        vg__rpmhdr hdr;
        assert_int_equal(vg__rpmhdr_parse(&hdr, b.v[i], b.len[i]), 0);
        if (vg_slice_eq_cstr(hdr.name, name)) {
            h = b.v[i];
            *len = b.len[i];
            b.v[i] = NULL;
        }
    }
    assert_non_null(h);
    blobs_free(&b);
    free(buf);
    return h;
}

static void test_corrupt_headers(void **state)
{
    (void)state;
    size_t len0, len1;
    /* hello-infra has an EPOCH, second-pkg a '~' version. */
    uint8_t *good0 = real_header(&len0, "hello-infra"), *good1 = real_header(&len1, "second-pkg");
    vg__rpmhdr h;
    assert_int_equal(vg__rpmhdr_parse(&h, good0, len0), 0);
    for (size_t i = 0; i < VG_ARRAY_LEN(corrupt_cases); i++) {
        const corrupt_case *c = &corrupt_cases[i];
        uint8_t *bad;
        size_t blen = mutate(&bad, good0, len0, c);
        vg_error_clear();
        int rc = vg__rpmhdr_parse(&h, bad, blen);
        if (rc != c->rc || !strstr(vg_error_last(), c->msg))
            fail_msg("%s: want %s \"%s\", got %d: %s", c->name, vg_error_name(c->rc), c->msg, rc,
                     vg_error_last());

        /* In a database between two good headers: a warning naming the index and the field,
         * and the other packages are still reported. */
        uint8_t *v[3] = {good1, bad, good0};
        size_t lens[3] = {len1, blen, len0};
        size_t dlen;
        uint8_t *db = sqlite_db(&dlen, v, lens, 3, NULL);
        vg_layer_result *r;
        vg__rpm_warnings w;
        rc = run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", db, dlen, NULL);
        if (rc)
            fail_msg("%s: %s", c->name, vg_error_last());
        assert_int_equal(r->dbs[0].n_pkgs, 2);
        assert_int_equal(w.n_skipped, 1);
        assert_contains(w.text.buf, "var/lib/rpm/rpmdb.sqlite: package #2 (hnum 2): ");
        assert_contains(w.text.buf, c->msg);
        assert_int_equal(r->n_warnings, 1);
        assert_contains(r->warnings[0], "layer sha256:test: var/lib/rpm/rpmdb.sqlite: package #2");
        assert_contains(r->warnings[0], c->msg);
        vg__rpm_warnings_dispose(&w);
        vg_layer_result_free(r);
        free(db);
        free(bad);
    }
    free(good0);
    free(good1);
}

/* A header that a dribble repeats: the later value wins, as in rpm. */
static void test_dribble_wins(void **state)
{
    (void)state;
    tagval tv[] = {S(NAME, "a"), S(VERSION, "1"), S(RELEASE, "1")};
    size_t len;
    uint8_t *blob = build_header(&len, tv, 3);
    /* Append a fourth entry outside the region: RELEASE "2". */
    uint32_t il = get_be32(blob), dl = get_be32(blob + 4);
    size_t nlen = len + 16 + 2;
    uint8_t *b = vg_xmalloc(nlen);
    put_be32(b, il + 1);
    put_be32(b + 4, dl + 2);
    memcpy(b + 8, blob + 8, 16 * (size_t)il);
    uint8_t *e = b + 8 + 16 * (size_t)il;
    put_be32(e, VG_RPMTAG_RELEASE);
    put_be32(e + 4, T_STRING);
    put_be32(e + 8, dl);
    put_be32(e + 12, 1);
    memcpy(e + 16, blob + 8 + 16 * (size_t)il, dl);
    memcpy(e + 16 + dl, "2", 2);
    vg__rpmhdr h;
    if (vg__rpmhdr_parse(&h, b, nlen) != 0)
        fail_msg("%s", vg_error_last());
    assert_true(vg_slice_eq_cstr(h.release, "2"));
    assert_int_equal(h.n_entries, il + 1);
    free(b);
    free(blob);
}

/* Many bad headers: the count is exact, the text stops at VG_RPMDB_MAX_WARNING_BYTES and the
 * layer result at VG_MAX_WARNINGS. */
static void test_many_bad_headers(void **state)
{
    (void)state;
    enum { N = 600 };
    uint8_t *v[N];
    size_t lens[N];
    static uint8_t junk[9] = {0, 0, 0, 1, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < N; i++) {
        v[i] = junk;
        lens[i] = sizeof(junk);
    }
    size_t dlen;
    uint8_t *db = sqlite_db(&dlen, v, lens, N, NULL);
    vg_layer_result *r;
    vg__rpm_warnings w;
    assert_int_equal(run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", db, dlen, NULL), 0);
    assert_int_equal(w.n_skipped, N);
    assert_true(w.text.len <= VG_RPMDB_MAX_WARNING_BYTES);
    assert_true(w.text.len > VG_RPMDB_MAX_WARNING_BYTES / 2);
    assert_int_equal(r->n_warnings + r->warnings_dropped, N);
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
    free(db);
}

/* ---- hostile SQLite -------------------------------------------------------------------- */

static void test_sqlite_hostile(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *schema;
        int rc;
        const char *msg;
    } cases[] = {
        {"a view named Packages (an endless recursive CTE)",
         "CREATE VIEW Packages AS WITH RECURSIVE c(hnum, blob) AS (SELECT 1, x'00' UNION ALL "
         "SELECT hnum + 1, blob FROM c) SELECT hnum, blob FROM c",
         VG_EINVAL, "Packages is a view, not a table"},
        {"no blob column", "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, data BLOB)", VG_EINVAL,
         "reading Packages: SQLite: no such column: blob"},
        {"a trigger cannot run",
         "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);"
         "CREATE TABLE t(x); CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
         "SELECT 1; END",
         0, NULL},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        size_t dlen;
        uint8_t *db = sqlite_db(&dlen, NULL, NULL, 0, cases[i].schema);
        vg_layer_result *r;
        vg__rpm_warnings w;
        int rc = run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", db, dlen, NULL);
        if (rc != cases[i].rc)
            fail_msg("%s: rc %d: %s", cases[i].name, rc, vg_error_last());
        if (rc)
            assert_contains(vg_error_last(), cases[i].msg);
        vg__rpm_warnings_dispose(&w);
        vg_layer_result_free(r);
        free(db);
    }

    /* A text blob column is that record's problem. */
    size_t dlen;
    uint8_t *db = sqlite_db(&dlen, NULL, NULL, 0,
                            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob);"
                            "INSERT INTO Packages VALUES (7, 'text')");
    vg_layer_result *r;
    vg__rpm_warnings w;
    assert_int_equal(run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", db, dlen, NULL), 0);
    assert_int_equal(w.n_skipped, 1);
    assert_contains(w.text.buf, "package #1 (hnum 7): the blob column is not a BLOB");
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
    free(db);

    /* Corrupted pages of the real Mariner database: an error or fewer packages, never a
     * crash; truncated, it is an error. */
    size_t flen;
    char *buf = read_shared("fixtures/rpmdb/sqlite/cbl-mariner-2.0/rpmdb.sqlite", &flen);
    int rc = run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", buf, flen / 2, NULL);
    assert_int_equal(rc, VG_EINVAL);
    assert_contains(vg_error_last(), "var/lib/rpm/rpmdb.sqlite: ");
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
    for (size_t off = 4096; off < flen; off += 65536) {
        char *copy = vg_xmalloc(flen);
        memcpy(copy, buf, flen);
        for (size_t k = 0; k < 64 && off + k < flen; k++)
            copy[off + k] = (char)(copy[off + k] ^ 0x5a);
        rc = run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", copy, flen, NULL);
        assert_true(rc == 0 || rc == VG_EINVAL);
        vg__rpm_warnings_dispose(&w);
        vg_layer_result_free(r);
        free(copy);
    }
    free(buf);

    /* The step cap: lowered here so that 2,000 rows pass it. */
    enum { N = 2000 };
    uint8_t *v[N];
    size_t lens[N];
    static uint8_t junk[1] = {0};
    for (size_t i = 0; i < N; i++) {
        v[i] = junk;
        lens[i] = 1;
    }
    db = sqlite_db(&dlen, v, lens, N, NULL);
    uint64_t saved = vg__rpmdb_sqlite_max_steps;
    vg__rpmdb_sqlite_max_steps = 5000;
    rc = run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", db, dlen, NULL);
    vg__rpmdb_sqlite_max_steps = saved;
    assert_int_equal(rc, VG_ETOOBIG);
    assert_contains(vg_error_last(), "VG_RPMDB_SQLITE_MAX_STEPS");
    assert_int_equal(r->n_dbs, 0);
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
    assert_int_equal(run_rpm(&r, &w, "var/lib/rpm/rpmdb.sqlite", db, dlen, NULL), 0);
    assert_int_equal(w.n_skipped, N);
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
    free(db);
}

/* ---- hostile Berkeley DB --------------------------------------------------------------- */

#define BDB_PAGE 4096

typedef struct bdb_case {
    const char *name;
    void (*edit)(uint8_t *buf, size_t *len);
    int rc;
    const char *msg;  /* error, or the warning when rc is 0 */
    size_t survivors; /* packages still reported when rc is 0 */
} bdb_case;

/* The first overflow page (type 7) of the infra-rpmroot-bdb fixture. */
static uint32_t first_overflow(const uint8_t *buf, size_t len)
{
    for (uint32_t p = 1; (size_t)(p + 1) * BDB_PAGE <= len; p++)
        if (buf[(size_t)p * BDB_PAGE + 25] == 7)
            return p;
    fail_msg("no overflow page");
    return 0;
}

static void e_bucket_cycle(uint8_t *b, size_t *len)
{
    (void)len;
    put_le32(b + BDB_PAGE + 16, 1); /* bucket 0 (page 1) continues with itself */
}

static void e_bucket_out_of_range(uint8_t *b, size_t *len)
{
    (void)len;
    put_le32(b + BDB_PAGE + 16, 99);
}

static void e_truncated(uint8_t *b, size_t *len)
{
    (void)b;
    *len = 2 * BDB_PAGE; /* page 2 (bucket 1) is missing */
}

static void e_max_pages(uint8_t *b, size_t *len)
{
    (void)len;
    put_le32(b + 32, VG_RPMDB_BDB_MAX_PAGES);
}

static void e_maxbucket(uint8_t *b, size_t *len)
{
    (void)len;
    put_le32(b + 72, 0xffffffffu);
}

static void e_pagesize(uint8_t *b, size_t *len)
{
    (void)len;
    put_le32(b + 20, 1000);
}

static void e_version(uint8_t *b, size_t *len)
{
    (void)len;
    put_le32(b + 16, 7);
}

static void e_btree(uint8_t *b, size_t *len)
{
    (void)len;
    put_le32(b + 12, 0x053162);
}

static void e_page_number(uint8_t *b, size_t *len)
{
    (void)len;
    put_le32(b + BDB_PAGE + 8, 5); /* page 1 claims to be page 5 */
}

static void e_items(uint8_t *b, size_t *len)
{
    (void)len;
    put_le16(b + BDB_PAGE + 20, 4000);
}

static void e_overflow_cycle(uint8_t *b, size_t *len)
{
    uint32_t p = first_overflow(b, *len);
    uint8_t *pg = b + (size_t)p * BDB_PAGE;
    put_le16(pg + 22, (uint16_t)(get_le16(pg + 22) - 10)); /* 10 bytes short: go on ... */
    put_le32(pg + 16, p);                                  /* ... with itself */
}

static void e_overflow_out_of_range(uint8_t *b, size_t *len)
{
    uint32_t p = first_overflow(b, *len);
    uint8_t *pg = b + (size_t)p * BDB_PAGE;
    put_le16(pg + 22, (uint16_t)(get_le16(pg + 22) - 10));
    put_le32(pg + 16, 77);
}

static void e_overflow_type(uint8_t *b, size_t *len)
{
    uint32_t p = first_overflow(b, *len);
    b[(size_t)p * BDB_PAGE + 25] = 5;
}

static void e_overflow_length(uint8_t *b, size_t *len)
{
    uint32_t p = first_overflow(b, *len);
    put_le16(b + (size_t)p * BDB_PAGE + 22, 0);
}

/* Flips the type of the NAME entry inside one stored header. */
static void e_bad_header(uint8_t *b, size_t *len)
{
    uint32_t p = first_overflow(b, *len);
    uint8_t *blob = b + (size_t)p * BDB_PAGE + 26;
    uint8_t *e = blob + 8 + 16 * entry_of(blob, VG_RPMTAG_NAME);
    put_be32(e + 4, 42);
}

static const bdb_case bdb_cases[] = {
    {"bucket page cycle", e_bucket_cycle, VG_EINVAL, "bucket 0: page 1 is reached twice", 0},
    {"bucket page out of range", e_bucket_out_of_range, VG_EINVAL,
     "bucket 0: page 99 is out of range", 0},
    {"truncated file", e_truncated, VG_EINVAL, "page 2 is past the end of the file", 0},
    {"VG_RPMDB_BDB_MAX_PAGES", e_max_pages, VG_ETOOBIG, "VG_RPMDB_BDB_MAX_PAGES", 0},
    {"highest bucket past the pages", e_maxbucket, VG_EINVAL, "highest bucket", 0},
    {"page size", e_pagesize, VG_EINVAL, "bad page size 1000", 0},
    {"hash version", e_version, VG_EINVAL, "unsupported Berkeley DB hash version 7", 0},
    {"btree", e_btree, VG_EINVAL, "btree", 0},
    {"page holding another number", e_page_number, VG_EINVAL, "holds another page number", 0},
    {"too many items", e_items, VG_EINVAL, "claims 4000 items", 0},
    {"overflow page cycle", e_overflow_cycle, 0, "is reached twice (a page cycle)", 1},
    {"overflow page out of range", e_overflow_out_of_range, 0, "overflow page 77 is out of range",
     1},
    {"overflow page of another type", e_overflow_type, 0, "has type 5, not overflow", 1},
    {"overflow page holding nothing", e_overflow_length, 0, "holds 0 bytes", 1},
    {"a corrupt header", e_bad_header, 0, "tag 1000 (NAME), entry", 1},
};

static void test_bdb_hostile(void **state)
{
    (void)state;
    size_t flen;
    char *orig = read_shared("fixtures/rpmdb/bdb/infra-rpmroot-bdb/Packages", &flen);
    for (size_t i = 0; i < VG_ARRAY_LEN(bdb_cases); i++) {
        const bdb_case *c = &bdb_cases[i];
        uint8_t *b = vg_xmalloc(flen);
        memcpy(b, orig, flen);
        size_t len = flen;
        c->edit(b, &len);
        vg_layer_result *r;
        vg__rpm_warnings w;
        int rc = run_rpm(&r, &w, "var/lib/rpm/Packages", b, len, NULL);
        if (rc != c->rc)
            fail_msg("%s: rc %d: %s", c->name, rc, vg_error_last());
        if (rc) {
            assert_contains(vg_error_last(), "var/lib/rpm/Packages: ");
            assert_contains(vg_error_last(), c->msg);
            assert_int_equal(r->n_dbs, 0);
        } else {
            assert_int_equal(r->dbs[0].n_pkgs, c->survivors);
            assert_int_equal(w.n_skipped, 1);
            assert_contains(w.text.buf, "var/lib/rpm/Packages: package #");
            assert_contains(w.text.buf, "(header number ");
            assert_contains(w.text.buf, c->msg);
        }
        vg__rpm_warnings_dispose(&w);
        vg_layer_result_free(r);
        free(b);
    }
    free(orig);
}

/* The same database written big-endian (as on s390x) reads the same: the test converts it
 * the way rpm's bdb_ro swaps pages. */
static void swap32(uint8_t *p)
{
    uint8_t a = p[0], b = p[1];
    p[0] = p[3];
    p[1] = p[2];
    p[2] = b;
    p[3] = a;
}

static void swap16(uint8_t *p)
{
    uint8_t a = p[0];
    p[0] = p[1];
    p[1] = a;
}

static void test_bdb_big_endian(void **state)
{
    (void)state;
    size_t flen;
    char *orig = read_shared("fixtures/rpmdb/bdb/infra-rpmroot-bdb/Packages", &flen);
    uint8_t *b = vg_xmalloc(flen);
    memcpy(b, orig, flen);
    for (size_t off = 8; off < 224; off += 4)
        if (off != 24)
            swap32(b + off);
    for (size_t pg = 1; (pg + 1) * BDB_PAGE <= flen; pg++) {
        uint8_t *p = b + pg * BDB_PAGE;
        uint16_t n = get_le16(p + 20);
        uint8_t type = p[25];
        for (size_t k = 0; type == 13 && k < n; k++) {
            uint16_t off = get_le16(p + 26 + 2 * k);
            uint16_t end = k == 0 ? BDB_PAGE : get_le16(p + 26 + 2 * (k - 1));
            if (p[off] == 3)
                swap32(p + off + 4), swap32(p + off + 8);
            else if (p[off] == 1 && k % 2 == 0 && end - off == 5)
                swap32(p + off + 1); /* a 4-byte key */
            swap16(p + 26 + 2 * k);
        }
        swap32(p + 8);
        swap32(p + 12);
        swap32(p + 16);
        swap16(p + 20);
        swap16(p + 22);
    }
    vg_layer_result *r, *r0;
    vg__rpm_warnings w, w0;
    if (run_rpm(&r, &w, "var/lib/rpm/Packages", b, flen, NULL) != 0)
        fail_msg("%s", vg_error_last());
    assert_int_equal(run_rpm(&r0, &w0, "var/lib/rpm/Packages", orig, flen, NULL), 0);
    assert_int_equal(w.n_skipped, 0);
    assert_int_equal(r->dbs[0].n_pkgs, 2);
    fixture f = {"bdb", NULL, NULL, 2, true, C7_VENDOR};
    char *a = package_rows(&r->dbs[0], &f), *z = package_rows(&r0->dbs[0], &f);
    assert_string_equal(a, z);
    free(a);
    free(z);
    vg__rpm_warnings_dispose(&w);
    vg__rpm_warnings_dispose(&w0);
    vg_layer_result_free(r);
    vg_layer_result_free(r0);
    free(b);
    free(orig);
}

/* ---- hostile NDB ----------------------------------------------------------------------- */

#define NDB_SLOT(i) (32 + 16 * (size_t)(i)) /* slot i of page 0 (after the header) */

typedef struct ndb_case {
    const char *name;
    void (*edit)(uint8_t *buf, size_t len);
    int rc;
    const char *msg;
    size_t survivors;
    size_t skipped;
} ndb_case;

static size_t first_used_slot(const uint8_t *b)
{
    for (size_t i = 0;; i++)
        if (get_le32(b + NDB_SLOT(i) + 8) != 0)
            return i;
}

static void n_past_eof(uint8_t *b, size_t len)
{
    put_le32(b + NDB_SLOT(first_used_slot(b)) + 8, (uint32_t)(len / 16));
}

static void n_huge_offset(uint8_t *b, size_t len)
{
    (void)len;
    put_le32(b + NDB_SLOT(first_used_slot(b)) + 8, 0xffffffffu);
    put_le32(b + NDB_SLOT(first_used_slot(b)) + 12, 0xffffffffu);
}

static void n_inside_slots(uint8_t *b, size_t len)
{
    (void)len;
    put_le32(b + NDB_SLOT(first_used_slot(b)) + 8, 4);
}

static void n_zero_count(uint8_t *b, size_t len)
{
    (void)len;
    put_le32(b + NDB_SLOT(first_used_slot(b)) + 12, 0);
}

static void n_blob_magic(uint8_t *b, size_t len)
{
    (void)len;
    b[(size_t)get_le32(b + NDB_SLOT(first_used_slot(b)) + 8) * 16] ^= 0xff;
}

static void n_blob_pkgidx(uint8_t *b, size_t len)
{
    (void)len;
    uint8_t *head = b + (size_t)get_le32(b + NDB_SLOT(first_used_slot(b)) + 8) * 16;
    put_le32(head + 4, get_le32(head + 4) + 1000);
}

static void n_blob_length(uint8_t *b, size_t len)
{
    (void)len;
    uint8_t *head = b + (size_t)get_le32(b + NDB_SLOT(first_used_slot(b)) + 8) * 16;
    put_le32(head + 12, 0x7ffffff0u);
}

static void n_blob_tail(uint8_t *b, size_t len)
{
    (void)len;
    size_t s = first_used_slot(b);
    size_t end = ((size_t)get_le32(b + NDB_SLOT(s) + 8) + get_le32(b + NDB_SLOT(s) + 12)) * 16;
    b[end - 1] ^= 0xff;
}

static void n_duplicate(uint8_t *b, size_t len)
{
    (void)len;
    size_t s = first_used_slot(b), t = s + 1;
    while (get_le32(b + NDB_SLOT(t) + 8) == 0)
        t++;
    put_le32(b + NDB_SLOT(t) + 4, get_le32(b + NDB_SLOT(s) + 4));
}

static void n_slot_magic(uint8_t *b, size_t len)
{
    (void)len;
    b[NDB_SLOT(100)] = 'X';
}

static void n_version(uint8_t *b, size_t len)
{
    (void)len;
    put_le32(b + 4, 1);
}

static void n_no_pages(uint8_t *b, size_t len)
{
    (void)len;
    put_le32(b + 12, 0);
}

static void n_max_pages(uint8_t *b, size_t len)
{
    (void)len;
    put_le32(b + 12, VG_RPMDB_NDB_MAX_SLOT_PAGES + 1);
}

static void n_pages_past_eof(uint8_t *b, size_t len)
{
    put_le32(b + 12, (uint32_t)(len / 4096 + 1));
}

static void n_bad_header(uint8_t *b, size_t len)
{
    (void)len;
    uint8_t *blob = b + (size_t)get_le32(b + NDB_SLOT(first_used_slot(b)) + 8) * 16 + 16;
    put_be32(blob + 8 + 16 * entry_of(blob, VG_RPMTAG_VERSION) + 8, 0x7fffffffu);
}

static const ndb_case ndb_cases[] = {
    {"slot pointing past the end of the file", n_past_eof, 0, "points past the end of the file", 2,
     1},
    {"slot offset and count at UINT32_MAX", n_huge_offset, 0, "points past the end of the file", 2,
     1},
    {"blob inside the slot pages", n_inside_slots, 0, "lies inside the slot pages", 2, 1},
    {"zero block count", n_zero_count, 0, "and 0 blocks", 2, 1},
    {"blob magic", n_blob_magic, 0, "has no blob magic", 2, 1},
    {"blob of another package", n_blob_pkgidx, 0, "belongs to package index", 2, 1},
    {"blob length", n_blob_length, 0, "does not match its", 2, 1},
    {"blob tail", n_blob_tail, 0, "has a bad tail", 2, 1},
    {"a package index twice", n_duplicate, 0, "is in more than one slot", 1, 2},
    {"a corrupt header", n_bad_header, 0, "tag 1001 (VERSION), entry", 2, 1},
    {"slot magic", n_slot_magic, VG_EINVAL, "slot 102 (byte 1632) has no slot magic", 0, 0},
    {"version", n_version, VG_EINVAL, "unsupported NDB version 1", 0, 0},
    {"no slot pages", n_no_pages, VG_EINVAL, "no slot pages", 0, 0},
    {"VG_RPMDB_NDB_MAX_SLOT_PAGES", n_max_pages, VG_ETOOBIG, "VG_RPMDB_NDB_MAX_SLOT_PAGES", 0, 0},
    {"slot pages past the end", n_pages_past_eof, VG_EINVAL, "slot pages need", 0, 0},
};

static void test_ndb_hostile(void **state)
{
    (void)state;
    size_t flen;
    char *orig = read_shared("fixtures/rpmdb/ndb/snyk-sles/Packages.db", &flen);
    for (size_t i = 0; i < VG_ARRAY_LEN(ndb_cases); i++) {
        const ndb_case *c = &ndb_cases[i];
        uint8_t *b = vg_xmalloc(flen);
        memcpy(b, orig, flen);
        c->edit(b, flen);
        vg_layer_result *r;
        vg__rpm_warnings w;
        int rc = run_rpm(&r, &w, "usr/lib/sysimage/rpm/Packages.db", b, flen, NULL);
        if (rc != c->rc)
            fail_msg("%s: rc %d: %s", c->name, rc, vg_error_last());
        if (rc) {
            assert_contains(vg_error_last(), "usr/lib/sysimage/rpm/Packages.db: ");
            assert_contains(vg_error_last(), c->msg);
            assert_int_equal(r->n_dbs, 0);
        } else {
            if (r->dbs[0].n_pkgs != c->survivors || w.n_skipped != c->skipped)
                fail_msg("%s: %zu packages, %zu skipped: %s", c->name, r->dbs[0].n_pkgs,
                         w.n_skipped, w.text.buf);
            assert_contains(w.text.buf, "usr/lib/sysimage/rpm/Packages.db: package #1 (package "
                                        "index ");
            assert_contains(w.text.buf, c->msg);
        }
        vg__rpm_warnings_dispose(&w);
        vg_layer_result_free(r);
        free(b);
    }
    free(orig);
}

/* ---- max_pkgs and wants() -------------------------------------------------------------- */

static void test_max_pkgs(void **state)
{
    (void)state;
    size_t flen;
    char *buf = read_shared("fixtures/rpmdb/ndb/snyk-sles/Packages.db", &flen);
    vg_index_limits lim;
    vg_index_limits_default(&lim);
    lim.max_pkgs = 3;
    vg_layer_result *r;
    vg__rpm_warnings w;
    assert_int_equal(run_rpm(&r, &w, "usr/share/rpm/Packages.db", buf, flen, &lim), 0);
    assert_int_equal(r->dbs[0].n_pkgs, 3);
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
    lim.max_pkgs = 2;
    assert_int_equal(run_rpm(&r, &w, "usr/share/rpm/Packages.db", buf, flen, &lim), VG_ETOOBIG);
    assert_contains(vg_error_last(), "usr/share/rpm/Packages.db: more than 2 packages");
    assert_contains(vg_error_last(), "max_pkgs");
    assert_int_equal(r->n_dbs, 0);
    vg__rpm_warnings_dispose(&w);
    vg_layer_result_free(r);
    free(buf);
}

static void test_wants(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        bool want;
    } cases[] = {
        {"var/lib/rpm/Packages", true},
        {"var/lib/rpm/Packages.db", true},
        {"var/lib/rpm/rpmdb.sqlite", true},
        {"usr/lib/sysimage/rpm/rpmdb.sqlite", true},
        {"usr/lib/sysimage/rpm/Packages.db", true},
        {"usr/share/rpm/Packages", true},
        {"var/lib/rpm/rpmdb.sqlite-wal", false},
        {"var/lib/rpm/rpmdb.sqlite-shm", false},
        {"var/lib/rpm/Name", false},
        {"var/lib/rpm/Index.db", false},
        {"var/lib/rpm/sub/Packages", false},
        {"var/lib/rpm", false},
        {"opt/var/lib/rpm/Packages", false},
        {"var/lib/rpmPackages", false},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++)
        if (vg__scanner_rpm.wants(cases[i].path) != cases[i].want)
            fail_msg("wants(\"%s\") should be %d", cases[i].path, cases[i].want);
}

/* ---- RPM-family distributions ---------------------------------------------------------- */

typedef struct dist_case {
    const char *name;
    const char *path;
    const char *text;
    int rc;
    const char *did, *version_id, *codename, *ns;
} dist_case;

#define OSR "etc/os-release"
#define RHR "etc/redhat-release"
#define SYSR "etc/system-release"

static const dist_case dist_cases[] = {
    {"UBI 9", OSR,
     "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.3 (Plow)\"\nID=\"rhel\"\n"
     "ID_LIKE=\"fedora\"\nVERSION_ID=\"9.3\"\nPLATFORM_ID=\"platform:el9\"\n"
     "PRETTY_NAME=\"Red Hat Enterprise Linux 9.3 (Plow)\"\n"
     "CPE_NAME=\"cpe:/o:redhat:enterprise_linux:9::baseos\"\n",
     0, "rhel", "9.3", NULL, "rhel:9"},
    {"RHEL 8 redhat-release", RHR, "Red Hat Enterprise Linux release 8.9 (Ootpa)\n", 0, "rhel",
     "8.9", "Ootpa", "rhel:8"},
    {"RHEL 7 Server redhat-release", RHR, "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n",
     0, "rhel", "7.9", "Maipo", "rhel:7"},
    {"CentOS 7", OSR,
     "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n"
     "VERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n",
     0, "centos", "7", NULL, "centos:7"},
    {"CentOS 7 redhat-release", RHR, "CentOS Linux release 7.9.2009 (Core)\n", 0, "centos",
     "7.9.2009", "Core", "centos:7"},
    {"CentOS 6 redhat-release", RHR, "CentOS release 6.10 (Final)\n", 0, "centos", "6.10", "Final",
     "centos:6"},
    {"CentOS Linux 8", OSR, "NAME=\"CentOS Linux\"\nID=\"centos\"\nVERSION_ID=\"8\"\n", 0, "centos",
     "8", NULL, "centos:8"},
    {"CentOS Stream 9", OSR,
     "NAME=\"CentOS Stream\"\nVERSION=\"9\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n"
     "VERSION_ID=\"9\"\nPRETTY_NAME=\"CentOS Stream 9\"\n",
     0, "centos", "9", NULL, "centos:stream9"},
    {"CentOS Stream 8 redhat-release", RHR, "CentOS Stream release 8\n", 0, "centos", "8", NULL,
     "centos:stream8"},
    {"Rocky 9", OSR,
     "NAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n", 0,
     "rocky", "9.3", NULL, "rocky:9"},
    {"Rocky redhat-release", RHR, "Rocky Linux release 8.9 (Green Obsidian)\n", 0, "rocky", "8.9",
     "Green Obsidian", "rocky:8"},
    {"AlmaLinux 9", OSR, "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nVERSION_ID=\"9.3\"\n", 0,
     "almalinux", "9.3", NULL, "almalinux:9"},
    {"AlmaLinux redhat-release", RHR, "AlmaLinux release 9.3 (Shamrock Pampas Cat)\n", 0,
     "almalinux", "9.3", "Shamrock Pampas Cat", "almalinux:9"},
    {"Oracle Linux 8", OSR, "NAME=\"Oracle Linux Server\"\nID=\"ol\"\nVERSION_ID=\"8.9\"\n", 0,
     "ol", "8.9", NULL, "ol:8"},
    {"Oracle redhat-release", RHR, "Oracle Linux Server release 7.9\n", 0, "ol", "7.9", NULL,
     "ol:7"},
    {"Fedora 39", OSR, "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=39\n", 0, "fedora", "39", NULL,
     "fedora:39"},
    {"Fedora redhat-release", RHR, "Fedora release 39 (Thirty Nine)\n", 0, "fedora", "39",
     "Thirty Nine", "fedora:39"},
    {"Amazon Linux 2", OSR, "NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\nVERSION_ID=\"2\"\n",
     0, "amzn", "2", NULL, "amzn:2"},
    {"Amazon Linux 2023", OSR, "NAME=\"Amazon Linux\"\nID=\"amzn\"\nVERSION_ID=\"2023\"\n", 0,
     "amzn", "2023", NULL, "amzn:2023"},
    {"Amazon Linux 2 system-release", SYSR, "Amazon Linux release 2 (Karoo)\n", 0, "amzn", "2",
     "Karoo", "amzn:2"},
    {"Amazon Linux 2023 system-release", SYSR,
     "Amazon Linux release 2023.3.20240219 (Amazon Linux)\n", 0, "amzn", "2023.3.20240219",
     "Amazon Linux", "amzn:2023"},
    {"Amazon Linux AMI 1 system-release", SYSR, "Amazon Linux AMI release 2018.03\n", 0, "amzn",
     "2018.03", NULL, "amzn:2018.03"},
    {"SLES 15 SP5", OSR,
     "NAME=\"SLES\"\nVERSION=\"15-SP5\"\nVERSION_ID=\"15.5\"\nID=\"sles\"\n"
     "ID_LIKE=\"suse\"\nCPE_NAME=\"cpe:/o:suse:sles:15:sp5\"\n",
     0, "sles", "15.5", NULL, "sles:15.5"},
    {"openSUSE Leap 15.5", OSR,
     "NAME=\"openSUSE Leap\"\nVERSION=\"15.5\"\nID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\n", 0,
     "opensuse-leap", "15.5", NULL, "opensuse-leap:15.5"},
    {"Photon 5", OSR, "NAME=\"VMware Photon OS\"\nVERSION=\"5.0\"\nID=photon\nVERSION_ID=5.0\n", 0,
     "photon", "5.0", NULL, "photon:5.0"},
    {"an unknown name: its first word", RHR, "Scientific Linux release 7.9 (Nitrogen)\n", 0,
     "scientific", "7.9", "Nitrogen", "scientific:7.9"},
    {"CRLF and no final newline", RHR, "Rocky Linux release 9.3 (Blue Onyx)\r", 0, "rocky", "9.3",
     "Blue Onyx", "rocky:9"},
    {"empty redhat-release", RHR, "\n", VG_EINVAL, NULL, NULL, NULL, NULL},
    {"no release word", RHR, "Red Hat Enterprise Linux 9\n", VG_EINVAL, NULL, NULL, NULL, NULL},
    {"no name", SYSR, "release 2\n", VG_EINVAL, NULL, NULL, NULL, NULL},
    {"junk version", RHR, "Fedora release 3$9\n", VG_EINVAL, NULL, NULL, NULL, NULL},
};

static void check_field(const char *name, const char *what, const char *want, const char *got)
{
    if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
        fail_msg("%s: %s: want %s, got %s", name, what, want ? want : "NULL", got ? got : "NULL");
}

static void test_distributions(void **state)
{
    (void)state;
    for (size_t i = 0; i < VG_ARRAY_LEN(dist_cases); i++) {
        const dist_case *c = &dist_cases[i];
        assert_true(vg__scanner_os_release.wants(c->path));
        size_t len = strlen(c->text);
        char *copy = vg_xmalloc(len);
        memcpy(copy, c->text, len);
        vg_layer_result *r = vg_layer_result_new("sha256:d");
        vg_index_limits lim;
        vg_index_limits_default(&lim);
        vg_error_clear();
        int rc = vg__scanner_os_release.parse(r, c->path, copy, len, &lim);
        free(copy);
        if (rc != c->rc)
            fail_msg("%s: rc %d: %s", c->name, rc, vg_error_last());
        if (rc) {
            char where[256];
            snprintf(where, sizeof(where), "%s:1: ", c->path);
            assert_contains(vg_error_last(), where);
            assert_int_equal(r->n_releases, 0);
        } else {
            assert_int_equal(r->n_releases, 1);
            const vg_distribution *d = &r->releases[0].dist;
            check_field(c->name, "did", c->did, d->did);
            check_field(c->name, "version_id", c->version_id, d->version_id);
            check_field(c->name, "version_code_name", c->codename, d->version_code_name);
            check_field(c->name, "ns", c->ns, d->ns);
            assert_string_equal(d->found_in, c->path);
        }
        vg_layer_result_free(r);
    }
}

/* The coalescer: os-release outranks redhat-release, which is used when it is alone and
 * fills a missing VERSION_ID of the same distribution. */
static void test_distribution_choice(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *files[3][2];
        const char *ns, *found_in;
    } cases[] = {
        {"os-release first",
         {{RHR, "CentOS Linux release 7.9.2009 (Core)\n"},
          {OSR, "ID=\"rocky\"\nVERSION_ID=\"9.3\"\n"},
          {NULL, NULL}},
         "rocky:9",
         OSR},
        {"redhat-release alone",
         {{RHR, "CentOS release 6.10 (Final)\n"}, {NULL, NULL}},
         "centos:6",
         RHR},
        {"redhat-release before system-release",
         {{SYSR, "Amazon Linux release 2 (Karoo)\n"},
          {RHR, "Fedora release 39 (Thirty Nine)\n"},
          {NULL, NULL}},
         "fedora:39",
         RHR},
        {"a version from redhat-release",
         {{OSR, "ID=centos\nNAME=\"CentOS Stream\"\n"}, {RHR, "CentOS Stream release 9\n"}},
         "centos:stream9",
         OSR},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        vg_layer_result *r = vg_layer_result_new("sha256:one");
        vg_index_limits lim;
        vg_index_limits_default(&lim);
        for (size_t k = 0; k < 3 && cases[i].files[k][0]; k++) {
            const char *text = cases[i].files[k][1];
            if (vg__scanner_os_release.parse(r, cases[i].files[k][0], text, strlen(text), &lim))
                fail_msg("%s: %s", cases[i].name, vg_error_last());
        }
        vg_index_report *rep = NULL;
        vg_layer_result *layers[1] = {r};
        assert_int_equal(vg_index_coalesce(&rep, layers, 1, "sha256:m"), 0);
        assert_int_equal(rep->n_dists, 1);
        check_field(cases[i].name, "ns", cases[i].ns, rep->dists[0].ns);
        check_field(cases[i].name, "found_in", cases[i].found_in, rep->dists[0].found_in);
        vg_index_report_free(rep);
        vg_layer_result_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_fixtures_all_listed),
        cmocka_unit_test(test_not_rpmdb),
        cmocka_unit_test(test_package_fields),
        cmocka_unit_test(test_corrupt_headers),
        cmocka_unit_test(test_dribble_wins),
        cmocka_unit_test(test_many_bad_headers),
        cmocka_unit_test(test_sqlite_hostile),
        cmocka_unit_test(test_bdb_hostile),
        cmocka_unit_test(test_bdb_big_endian),
        cmocka_unit_test(test_ndb_hostile),
        cmocka_unit_test(test_max_pkgs),
        cmocka_unit_test(test_wants),
        cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_distribution_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
