/* feed2_test.c — unit tests of the ubuntu, rhel and nvd parsers of src/feed/ (ubuntu.c, rhel.c,
 * nvd.c) through their parse functions: every real file in $VIGIL_SHARED/feeds/{ubuntu,rhel,nvd}
 * counted against an independent Python reading (tests/feed/count2.py), spot checks of named
 * records, and bad input (truncation, wrong types at a named path, deep nesting, long strings).
 * Inputs are copied into exact-size, unterminated heap buffers so over-reads show under ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "feed/feed_int.h"
#include "testutil.h"
#include "util/util.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- collecting what a parser emits ---------------------------------------------------- */

typedef struct collector {
    vg_arena *arena;   /* the deep copies' (emitted advisories are valid during emit only) */
    vg_advisory *advs; /* shallow structs whose contents are those copies */
    size_t n, cap;
    int fail_with; /* emit returns this when non-zero */
} collector;

static int collect(vg_feed_ctx *ctx, const vg_advisory *a)
{
    collector *c = ctx->emit_state;
    if (c->fail_with)
        return vg_error_set(c->fail_with, "test: emit refused %s", a->id);
    /* the contract: every advisory is complete enough to store */
    assert_non_null(a->id);
    assert_true(a->id[0] != '\0');
    assert_non_null(a->source);
    for (size_t i = 0; i < a->n_affected; i++) {
        const vg_affected *f = &a->affected[i];
        assert_non_null(f->ns);
        assert_non_null(f->package);
        assert_non_null(f->scheme);
        for (size_t e = 0; e < f->n_events; e++)
            assert_non_null(f->events[e].version);
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->advs = vg_xrealloc(c->advs, c->cap * sizeof(*c->advs));
    }
    c->advs[c->n++] = *vg__advisory_copy(c->arena, a);
    return 0;
}

/* One parse run: options, arena, context and collector. */
typedef struct run {
    vg_feed_opts opts;
    vg_arena *arena;
    vg_feed_ctx ctx;
    collector col;
} run;

static void run_init(run *r)
{
    memset(r, 0, sizeof(*r));
    r->opts.max_document_bytes = (uint64_t)512 << 20;
    r->opts.max_depth = 64;
    r->opts.keep_ops = 10;
    r->arena = vg_arena_new(1 << 16);
    r->ctx.opts = &r->opts;
    r->ctx.arena = r->arena;
    r->ctx.emit = collect;
    r->ctx.emit_state = &r->col;
    r->col.arena = vg_arena_new(1 << 16);
}

static void run_dispose(run *r)
{
    free(r->col.advs);
    vg_arena_free(r->col.arena);
    vg_arena_free(r->arena);
}

/* Parses `len` bytes of `text` as document `url` (copied to an exact-size buffer). */
static int run_parse(run *r, const vg_updater *u, const char *url, const char *text, size_t len)
{
    char *copy = vg_xmalloc(len);
    if (len)
        memcpy(copy, text, len);
    r->ctx.url = url;
    vg_error_clear();
    int rc = u->parse(&r->ctx, copy, len);
    free(copy);
    return rc;
}

static int run_file(run *r, const vg_updater *u, const char *path)
{
    size_t len;
    char *text = vg_test_read_file(path, &len);
    if (!text)
        fail_msg("cannot read %s", path);
    int rc = run_parse(r, u, path, text, len);
    free(text);
    return rc;
}

/* Parses one shared file (relative to $VIGIL_SHARED) into a fresh run; must succeed. */
static void parse_shared(run *r, const vg_updater *u, const char *rel)
{
    run_init(r);
    char *path = vg_test_shared_path(rel);
    int rc = run_file(r, u, path);
    if (rc != 0)
        fail_msg("%s: %s", rel, vg_error_last());
    free(path);
}

static const vg_advisory *find_adv(const run *r, const char *id)
{
    for (size_t i = 0; i < r->col.n; i++)
        if (strcmp(r->col.advs[i].id, id) == 0)
            return &r->col.advs[i];
    fail_msg("no advisory %s", id);
    return NULL;
}

static bool eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The affected record of `a` with these fields (NULL cpe/module/fixed: not compared). */
static const vg_affected *find_aff(const vg_advisory *a, const char *ns, const char *pkg,
                                   vg_affected_status st, const char *cpe, const char *module,
                                   const char *fixed)
{
    for (size_t i = 0; i < a->n_affected; i++) {
        const vg_affected *f = &a->affected[i];
        if (!eq(f->ns, ns) || !eq(f->package, pkg) || f->status != st)
            continue;
        if ((cpe && !eq(f->cpe, cpe)) || (module && !eq(f->module, module)))
            continue;
        if (fixed) {
            bool hit = false;
            for (size_t e = 0; e < f->n_events; e++)
                hit =
                    hit || (f->events[e].kind == VG_EVENT_FIXED && eq(f->events[e].version, fixed));
            if (!hit)
                continue;
        }
        return f;
    }
    fail_msg("%s: no %s %s record in %s (cpe %s, module %s, fixed %s)", a->id, vg_status_name(st),
             pkg, ns, cpe ? cpe : "*", module ? module : "*", fixed ? fixed : "*");
    return NULL;
}

static bool has_str(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static const vg_cvss *find_cvss(const vg_advisory *a, const char *vector, const char *source)
{
    for (size_t i = 0; i < a->n_cvss; i++)
        if (eq(a->cvss[i].vector, vector) && (!source || eq(a->cvss[i].source, source)))
            return &a->cvss[i];
    fail_msg("%s: no CVSS %s", a->id, vector);
    return NULL;
}

/* ---- the counts against count2.py ------------------------------------------------------- */

typedef struct file_list {
    char **v;
    size_t n, cap;
} file_list;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds every *.json file below `dir` (recursively). */
static void list_json(file_list *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        vg_strbuf sb;
        vg_strbuf_init(&sb, 0);
        vg_strbuf_printf(&sb, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(sb.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
            list_json(l, sb.buf);
            vg_strbuf_dispose(&sb);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0) {
            vg_strbuf_dispose(&sb);
            continue;
        }
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 32;
            l->v = vg_xrealloc(l->v, l->cap * sizeof(*l->v));
        }
        l->v[l->n++] = vg_strbuf_detach(&sb);
    }
    closedir(d);
}

static void file_list_dispose(file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

typedef struct counts {
    uint64_t v[4]; /* advisories, affected, c3, c4 (count2.py's columns) */
} counts;

/* The C side of count2.py's columns for one file. */
static counts count_emitted(const char *source, const run *r)
{
    counts c = {{0}};
    for (size_t i = 0; i < r->col.n; i++) {
        const vg_advisory *a = &r->col.advs[i];
        c.v[0]++;
        c.v[1] += a->n_affected;
        if (strcmp(source, "nvd") == 0) {
            c.v[2] += a->n_cvss;
            c.v[3] += a->n_cwes;
            continue;
        }
        for (size_t k = 0; k < a->n_affected; k++) {
            const vg_affected *f = &a->affected[k];
            if (strcmp(source, "ubuntu") == 0) {
                c.v[2] += f->status == VG_STATUS_FIXED;
                c.v[3] += f->n_events;
            } else {
                c.v[2] += f->status == VG_STATUS_FIXED;
                c.v[3] += f->status == VG_STATUS_WILL_NOT_FIX;
            }
        }
    }
    return c;
}

/* Runs count2.py over `files`; fills `out[i]` for files[i]. */
static void python_counts(counts *out, const char *source, const file_list *files)
{
    char *script = vg_test_data_path("../feed/count2.py");
    vg_strbuf cmd;
    vg_strbuf_init(&cmd, 0);
    vg_strbuf_printf(&cmd, "/usr/bin/python3 '%s' %s", script, source);
    for (size_t i = 0; i < files->n; i++)
        vg_strbuf_printf(&cmd, " '%s'", files->v[i]);
    free(script);
    FILE *p = popen(cmd.buf, "r");
    assert_non_null(p);
    char line[8192];
    size_t got = 0;
    while (fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\n")] = '\0';
        vg_slice rest = vg_slice_from_cstr(line), path;
        rest = vg_slice_split(rest, '\t', &path);
        size_t idx = files->n;
        for (size_t i = 0; i < files->n; i++)
            if (vg_slice_eq_cstr(path, files->v[i]))
                idx = i;
        assert_true(idx < files->n);
        for (int k = 0; k < 4; k++) {
            vg_slice num;
            assert_non_null(rest.ptr);
            rest = vg_slice_split(rest, '\t', &num);
            assert_int_equal(vg_parse_u64(&out[idx].v[k], num), 0);
        }
        got++;
    }
    int status = pclose(p);
    if (status != 0)
        fail_msg("count2.py %s failed (status %d): %s", source, status, cmd.buf);
    assert_int_equal(got, files->n);
    vg_strbuf_dispose(&cmd);
}

/* Parses every file, compares each file's counts with count2.py, prints the totals. */
static void check_counts(const char *source, const vg_updater *u, const char *const *dirs,
                         uint64_t min_affected)
{
    file_list files = {0};
    for (const char *const *d = dirs; *d; d++) {
        char *dir = vg_test_shared_path(*d);
        list_json(&files, dir);
        free(dir);
    }
    qsort(files.v, files.n, sizeof(*files.v), cmp_str);
    assert_true(files.n > 0);
    counts *want = vg_xcalloc(files.n, sizeof(*want));
    python_counts(want, source, &files);
    counts total = {{0}};
    uint64_t skipped = 0;
    for (size_t i = 0; i < files.n; i++) {
        run r;
        run_init(&r);
        int rc = run_file(&r, u, files.v[i]);
        if (rc != 0)
            fail_msg("%s", vg_error_last());
        counts got = count_emitted(source, &r);
        for (int k = 0; k < 4; k++) {
            if (got.v[k] != want[i].v[k])
                fail_msg("%s: column %d: C %llu, count2.py %llu", files.v[i], k + 1,
                         (unsigned long long)got.v[k], (unsigned long long)want[i].v[k]);
            total.v[k] += got.v[k];
        }
        skipped += r.ctx.skipped;
        run_dispose(&r);
    }
    printf("%s: %zu files, %llu advisories, %llu affected, %llu/%llu, %llu skipped\n", source,
           files.n, (unsigned long long)total.v[0], (unsigned long long)total.v[1],
           (unsigned long long)total.v[2], (unsigned long long)total.v[3],
           (unsigned long long)skipped);
    assert_true(total.v[0] > 0);
    assert_true(total.v[1] >= min_affected);
    free(want);
    file_list_dispose(&files);
}

static void test_ubuntu_counts(void **state)
{
    (void)state;
    static const char *const dirs[] = {"feeds/ubuntu/osv", "feeds/ubuntu/osv-esm", NULL};
    check_counts("ubuntu", &vg__updater_ubuntu, dirs, 1);
}

static void test_rhel_counts(void **state)
{
    (void)state;
    static const char *const dirs[] = {"feeds/rhel/csaf-vex", "feeds/rhel/csaf-vex-acceptance",
                                       "feeds/rhel/csaf-vex-feed-layout",
                                       "feeds/rhel/csaf-advisories", NULL};
    check_counts("rhel", &vg__updater_rhel, dirs, 1);
}

static void test_nvd_counts(void **state)
{
    (void)state;
    static const char *const dirs[] = {"feeds/nvd", NULL};
    check_counts("nvd", &vg__updater_nvd, dirs, 0);
}

/* ---- spot checks ------------------------------------------------------------------------ */

static void test_ubuntu_records(void **state)
{
    (void)state;
    run r;
    parse_shared(&r, &vg__updater_ubuntu, "feeds/ubuntu/osv/cve/2021/UBUNTU-CVE-2021-3782.json");
    assert_int_equal(r.col.n, 1);
    const vg_advisory *a = find_adv(&r, "CVE-2021-3782");
    assert_string_equal(a->source, "ubuntu");
    assert_true(has_str(a->aliases, a->n_aliases, "UBUNTU-CVE-2021-3782"));
    assert_false(has_str(a->aliases, a->n_aliases, "CVE-2021-3782"));
    assert_int_equal(a->severity, VG_SEV_MEDIUM);
    assert_string_equal(a->severity_label, "medium");
    assert_string_equal(a->published, "2022-08-30T20:51:00Z");
    assert_int_equal(a->n_affected, 4);
    assert_int_equal(a->n_cvss, 1); /* the duplicate vector is kept once */
    const vg_cvss *c = find_cvss(a, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:H", NULL);
    assert_string_equal(c->version, "3.1");
    assert_true(c->score > 6.55 && c->score < 6.65); /* 6.6 by the CVSS 3.1 formula */
    assert_true(has_str(a->links, a->n_links, "https://ubuntu.com/security/notices/USN-5614-1"));
    const vg_affected *f =
        find_aff(a, "ubuntu:22.04", "wayland", VG_STATUS_FIXED, NULL, NULL, "1.20.0-1ubuntu0.1");
    assert_true(f->source_pkg);
    assert_string_equal(f->scheme, "dpkg");
    assert_int_equal(f->n_events, 2);
    assert_int_equal(f->events[0].kind, VG_EVENT_INTRODUCED);
    assert_string_equal(f->events[0].version, "0");
    assert_int_equal(f->n_versions, 2);
    assert_string_equal(f->versions[1], "1.20.0-1");
    /* the Pro (ESM) fix of 16.04 shares the release namespace */
    find_aff(a, "ubuntu:16.04", "wayland", VG_STATUS_FIXED, NULL, NULL,
             "1.12.0-1~ubuntu16.04.3+esm1");
    run_dispose(&r);

    /* unfixed everywhere, negligible priority, many packages */
    parse_shared(&r, &vg__updater_ubuntu, "feeds/ubuntu/osv/cve/2016/UBUNTU-CVE-2016-20013.json");
    a = find_adv(&r, "CVE-2016-20013");
    assert_int_equal(a->severity, VG_SEV_NEGLIGIBLE);
    assert_string_equal(a->severity_label, "negligible");
    assert_int_equal(a->n_affected, 30);
    f = find_aff(a, "ubuntu:24.04", "glibc", VG_STATUS_AFFECTED, NULL, NULL, NULL);
    assert_int_equal(f->n_events, 1);
    assert_int_equal(f->events[0].kind, VG_EVENT_INTRODUCED);
    assert_int_equal(f->n_versions, 13);
    find_aff(a, "ubuntu:14.04", "eglibc", VG_STATUS_AFFECTED, NULL, NULL, NULL);
    run_dispose(&r);

    /* a Pro-only record, with an epoch in the fixed versions, and a non-LTS release */
    parse_shared(&r, &vg__updater_ubuntu,
                 "feeds/ubuntu/osv-esm/cve/2022/UBUNTU-CVE-2022-24823.json");
    a = find_adv(&r, "CVE-2022-24823");
    assert_int_equal(a->severity, VG_SEV_LOW);
    find_aff(a, "ubuntu:20.04", "netty", VG_STATUS_FIXED, NULL, NULL, "1:4.1.45-1ubuntu0.1~esm2");
    find_aff(a, "ubuntu:25.10", "netty", VG_STATUS_AFFECTED, NULL, NULL, NULL);
    run_dispose(&r);

    /* withdrawn records emit nothing and are counted as skipped */
    parse_shared(&r, &vg__updater_ubuntu, "feeds/ubuntu/osv/cve/2013/UBUNTU-CVE-2013-2208.json");
    assert_int_equal(r.col.n, 0);
    assert_int_equal(r.ctx.skipped, 1);
    run_dispose(&r);

    /* notices repeat the CVE records' fixes under another id: skipped */
    parse_shared(&r, &vg__updater_ubuntu, "feeds/ubuntu/osv/usn/USN-5614-1.json");
    assert_int_equal(r.col.n, 0);
    assert_int_equal(r.ctx.skipped, 1);
    run_dispose(&r);

    /* a record of another ecosystem's package inside an Ubuntu record is left out; an
     * "upstream" entry becomes an alias */
    static const char mixed[] =
        "{\"id\":\"UBUNTU-CVE-2099-1\",\"upstream\":[\"CVE-2099-1\",\"GHSA-x\"],"
        "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"a\"}},"
        "{\"package\":{\"ecosystem\":\"Ubuntu:Pro:FIPS-updates:22.04:LTS\",\"name\":\"b\"},"
        "\"ranges\":[{\"type\":\"GIT\",\"events\":[{\"introduced\":\"abc\"}]},"
        "{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"last_affected\":"
        "\"1.0-1\"}]}]}]}";
    run_init(&r);
    assert_int_equal(run_parse(&r, &vg__updater_ubuntu, "mixed.json", mixed, sizeof(mixed) - 1), 0);
    a = find_adv(&r, "CVE-2099-1");
    assert_int_equal(a->n_aliases, 2);
    assert_true(has_str(a->aliases, a->n_aliases, "GHSA-x"));
    assert_int_equal(a->n_affected, 1);
    f = find_aff(a, "ubuntu:22.04", "b", VG_STATUS_AFFECTED, NULL, NULL, NULL);
    assert_int_equal(f->n_events, 2);
    assert_int_equal(f->events[1].kind, VG_EVENT_LAST_AFFECTED);
    assert_int_equal(a->severity, VG_SEV_UNKNOWN);
    assert_null(a->severity_label);
    assert_int_equal(r.ctx.skipped, 2); /* the Debian package and the GIT range */
    run_dispose(&r);
}

static void test_rhel_records(void **state)
{
    (void)state;
    run r;
    parse_shared(&r, &vg__updater_rhel,
                 "feeds/rhel/csaf-vex-acceptance/cve-2024-0727-openssl.json");
    assert_int_equal(r.col.n, 1);
    const vg_advisory *a = find_adv(&r, "CVE-2024-0727");
    assert_string_equal(a->source, "rhel");
    assert_int_equal(a->severity, VG_SEV_LOW);
    assert_string_equal(a->severity_label, "Low");
    const vg_cvss *c = find_cvss(a, "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", NULL);
    assert_string_equal(c->version, "3.1");
    assert_true(c->score > 5.49 && c->score < 5.51);
    assert_string_equal(c->source, "secalert@redhat.com");
    assert_non_null(a->description);
    assert_true(
        has_str(a->links, a->n_links, "https://access.redhat.com/security/cve/CVE-2024-0727"));
    /* fixed: binary name, EVR with epoch from the purl, repository CPE, merged arches */
    const vg_affected *f =
        find_aff(a, "rhel:9", "openssl-devel", VG_STATUS_FIXED,
                 "cpe:/a:redhat:enterprise_linux:9::appstream", NULL, "1:3.0.7-27.el9");
    assert_false(f->source_pkg);
    assert_string_equal(f->scheme, "rpm");
    assert_null(f->module);
    assert_non_null(f->arch);
    assert_non_null(strstr(f->arch, "x86_64"));
    assert_non_null(strstr(f->arch, "ppc64le"));
    find_aff(a, "rhel:9", "openssl-libs", VG_STATUS_FIXED,
             "cpe:/o:redhat:enterprise_linux:9::baseos", NULL, "1:3.0.7-27.el9");
    /* known_affected, with and without a no_fix_planned remediation */
    find_aff(a, "rhel:8", "edk2-ovmf", VG_STATUS_WILL_NOT_FIX, "cpe:/o:redhat:enterprise_linux:8",
             NULL, NULL); /* no_fix_planned "Will not fix" */
    find_aff(a, "rhel:7", "openssl-libs", VG_STATUS_WILL_NOT_FIX,
             "cpe:/o:redhat:enterprise_linux:7", NULL, NULL); /* "Out of support scope" */
    f = find_aff(a, "rhel:8", "openssl-static", VG_STATUS_AFFECTED,
                 "cpe:/o:redhat:enterprise_linux:8", NULL,
                 NULL); /* none_available "Fix deferred" */
    assert_int_equal(f->n_events, 1);
    assert_string_equal(f->events[0].version, "0");
    find_aff(a, "rhel:9", "openssl-fips-provider", VG_STATUS_NOT_AFFECTED,
             "cpe:/o:redhat:enterprise_linux:9::baseos", NULL, NULL);
    run_dispose(&r);

    /* module streams from the rpmmod qualifier; EUS/E4S/TUS CPEs map to the major */
    parse_shared(&r, &vg__updater_rhel, "feeds/rhel/csaf-vex-acceptance/cve-2025-40907-perl.json");
    a = find_adv(&r, "CVE-2025-40907");
    f = find_aff(a, "rhel:8", "perl-FCGI", VG_STATUS_FIXED, "cpe:/a:redhat:rhel_e4s:8.8::appstream",
                 "perl-FCGI:0.78", "1:0.78-11.module+el8.8.0+23188+d1e34d64.1");
    find_aff(a, "rhel:9", "perl-FCGI", VG_STATUS_FIXED, "cpe:/a:redhat:rhel_eus:9.4::appstream",
             NULL, "1:0.79-8.el9_4.1");
    run_dispose(&r);

    /* a layered product's CPE ("::el9") gives the namespace */
    parse_shared(&r, &vg__updater_rhel, "feeds/rhel/csaf-vex/cve-2024-24786-simple.json");
    a = find_adv(&r, "CVE-2024-24786");
    assert_int_equal(a->n_affected, 1);
    f = find_aff(a, "rhel:9", "cri-tools", VG_STATUS_FIXED, "cpe:/a:redhat:openshift:4.16::el9",
                 NULL, "1.29.0-3.1.el9");
    assert_string_equal(f->arch, "aarch64");
    assert_int_equal(a->severity, VG_SEV_MEDIUM);
    assert_string_equal(a->severity_label, "Moderate");
    run_dispose(&r);

    /* the "illegal module" revision: known_affected go-toolset in the go-toolset:rhel8 stream */
    parse_shared(&r, &vg__updater_rhel, "feeds/rhel/csaf-vex/cve-2024-24786-illegal-module.json");
    a = find_adv(&r, "CVE-2024-24786");
    assert_int_equal(a->n_affected, 1);
    find_aff(a, "rhel:8", "go-toolset", VG_STATUS_AFFECTED, "cpe:/o:redhat:enterprise_linux:8",
             "go-toolset:rhel8", NULL);
    run_dispose(&r);

    /* a malformed rpmmod ("rhel10") drops that entry, not the document */
    parse_shared(&r, &vg__updater_rhel, "feeds/rhel/csaf-vex/cve-2024-24786-bad-rpmmod.json");
    a = find_adv(&r, "CVE-2024-24786");
    assert_int_equal(a->n_affected, 2);
    find_aff(a, "rhel:10", "good-pkg", VG_STATUS_AFFECTED, NULL, NULL, NULL);
    find_aff(a, "rhel:10", "cri-tools", VG_STATUS_FIXED, NULL, NULL, "1.29.0-3.1.el9");
    assert_int_equal(r.ctx.skipped, 1);
    run_dispose(&r);

    /* deletion stubs emit nothing */
    parse_shared(&r, &vg__updater_rhel, "feeds/rhel/csaf-vex/delete_CVE-2023-0030.json");
    assert_int_equal(r.col.n, 0);
    run_dispose(&r);

    /* curl: container (pkg:oci) products are left out, RPMs kept */
    parse_shared(&r, &vg__updater_rhel, "feeds/rhel/csaf-vex/cve-2023-38545.json");
    a = find_adv(&r, "CVE-2023-38545");
    assert_int_equal(a->severity, VG_SEV_HIGH);
    for (size_t i = 0; i < a->n_affected; i++)
        assert_non_null(a->affected[i].cpe);
    assert_true(r.ctx.skipped > 0);
    run_dispose(&r);
}

/* A module stream reached through nested relationships (the RHSA / VEX layout for modular
 * packages whose purl carries no rpmmod): pkg → module → repository. */
static const char nested_module[] =
    "{\"document\":{\"title\":\"httpd\",\"tracking\":{\"id\":\"CVE-2099-0001\",\"status\":"
    "\"final\"},\"aggregate_severity\":{\"text\":\"Important\"}},"
    "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"Red Hat\",\"branches\":["
    "{\"category\":\"product_name\",\"name\":\"AppStream\",\"product\":{\"name\":\"AppStream\","
    "\"product_id\":\"AppStream-8.10.0.Z.MAIN.EUS\",\"product_identification_helper\":{\"cpe\":"
    "\"cpe:/a:redhat:enterprise_linux:8::appstream\"}}},"
    "{\"category\":\"product_version\",\"name\":\"httpd:2.4\",\"product\":{\"name\":\"httpd:2.4\","
    "\"product_id\":\"httpd:2.4:8100020240612075645:489197e6\",\"product_identification_helper\":"
    "{\"purl\":\"pkg:rpmmod/redhat/httpd@2.4:8100020240612075645:489197e6\"}}},"
    "{\"category\":\"product_version\",\"name\":\"httpd\",\"product\":{\"name\":\"httpd\","
    "\"product_id\":\"httpd-0:2.4.37-65.module+el8.10.0+21982+14717793.aarch64\","
    "\"product_identification_helper\":{\"purl\":\"pkg:rpm/redhat/httpd@2.4.37-65.module%2Bel8.10."
    "0%2B21982%2B14717793?arch=aarch64\"}}}]}],"
    "\"relationships\":[{\"category\":\"default_component_of\",\"full_product_name\":{\"name\":\"m"
    "\",\"product_id\":\"AppStream-8.10.0.Z.MAIN.EUS:httpd:2.4:8100020240612075645:489197e6\"},"
    "\"product_reference\":\"httpd:2.4:8100020240612075645:489197e6\","
    "\"relates_to_product_reference\":\"AppStream-8.10.0.Z.MAIN.EUS\"},"
    "{\"category\":\"default_component_of\",\"full_product_name\":{\"name\":\"p\",\"product_id\":"
    "\"AppStream-8.10.0.Z.MAIN.EUS:httpd:2.4:8100020240612075645:489197e6:httpd-0:2.4.37-65.module"
    "+el8.10.0+21982+14717793.aarch64\"},\"product_reference\":\"httpd-0:2.4.37-65.module+el8.10.0+"
    "21982+14717793.aarch64\",\"relates_to_product_reference\":\"AppStream-8.10.0.Z.MAIN.EUS:httpd:"
    "2.4:8100020240612075645:489197e6\"},"
    "{\"category\":\"default_component_of\",\"full_product_name\":{\"name\":\"loop\",\"product_"
    "id\":"
    "\"A:B\"},\"product_reference\":\"A:B\",\"relates_to_product_reference\":\"A:B\"}]},"
    "\"vulnerabilities\":[{\"cve\":\"CVE-2099-0001\",\"cwe\":{\"id\":\"CWE-400\",\"name\":\"x\"},"
    "\"product_status\":{\"fixed\":[\"AppStream-8.10.0.Z.MAIN.EUS:httpd:2.4:8100020240612075645:"
    "489197e6:httpd-0:2.4.37-65.module+el8.10.0+21982+14717793.aarch64\",\"A:B\"]},"
    "\"scores\":[{\"cvss_v3\":{\"baseScore\":7.5,\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/"
    "S:U/"
    "C:N/I:N/A:H\",\"version\":\"3.1\"},\"products\":[]}]}]}";

static void test_rhel_nested_module(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    int rc = run_parse(&r, &vg__updater_rhel, "nested.json", nested_module, strlen(nested_module));
    if (rc != 0)
        fail_msg("%s", vg_error_last());
    const vg_advisory *a = find_adv(&r, "CVE-2099-0001");
    assert_int_equal(a->severity, VG_SEV_HIGH);
    assert_string_equal(a->severity_label, "Important");
    assert_int_equal(a->n_cwes, 1);
    assert_string_equal(a->cwes[0], "CWE-400");
    assert_int_equal(a->n_affected, 1); /* the self-referencing "A:B" is skipped, not looped on */
    find_aff(a, "rhel:8", "httpd", VG_STATUS_FIXED, "cpe:/a:redhat:enterprise_linux:8::appstream",
             "httpd:2.4", "2.4.37-65.module+el8.10.0+21982+14717793");
    run_dispose(&r);
}

static void test_nvd_records(void **state)
{
    (void)state;
    run r;
    /* one-record API page: NVD's Primary v3.1 wins over the CNA's v4 for the severity */
    parse_shared(&r, &vg__updater_nvd, "feeds/nvd/api-pages/vuln-list-update-respPage2.json");
    const vg_advisory *a = find_adv(&r, "CVE-2024-5732");
    assert_string_equal(a->source, "nvd");
    assert_int_equal(a->n_affected, 0);
    assert_int_equal(a->severity, VG_SEV_CRITICAL);
    assert_string_equal(a->severity_label, "CRITICAL");
    assert_int_equal(a->n_cvss, 4);
    const vg_cvss *c = find_cvss(a, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "nvd@nist.gov");
    assert_string_equal(c->version, "3.1");
    assert_true(c->score > 9.79 && c->score < 9.81);
    for (size_t i = 0; i < a->n_cvss; i++)
        if (strcmp(a->cvss[i].version, "4.0") == 0) {
            assert_string_equal(a->cvss[i].source, "cna@vuldb.com");
            assert_true(a->cvss[i].score > 6.89 && a->cvss[i].score < 6.91);
            assert_true(strncmp(a->cvss[i].vector, "CVSS:4.0/AV:N/AC:L/AT:N", 23) == 0);
        }
    assert_non_null(a->description);
    run_dispose(&r);

    /* xz: description, CWE from a Secondary weakness, zone appended to NVD times */
    parse_shared(&r, &vg__updater_nvd, "feeds/nvd/records/osvdev/CVE-2024-3094.json");
    a = find_adv(&r, "CVE-2024-3094");
    assert_int_equal(a->severity, VG_SEV_CRITICAL);
    assert_true(strncmp(a->description, "Malicious code was discovered", 29) == 0);
    assert_int_equal(a->n_cwes, 1);
    assert_string_equal(a->cwes[0], "CWE-506");
    assert_string_equal(a->published, "2024-03-29T17:15:21.150Z");
    assert_int_equal(a->n_cvss, 2); /* same vector from two sources */
    assert_true(a->n_links > 10);
    run_dispose(&r);

    /* a hand-trimmed bare record */
    parse_shared(&r, &vg__updater_nvd, "feeds/nvd/trimmed/CVE-2021-3449.json");
    a = find_adv(&r, "CVE-2021-3449");
    assert_int_equal(a->severity, VG_SEV_MEDIUM);
    c = find_cvss(a, "AV:N/AC:M/Au:N/C:N/I:N/A:P", NULL);
    assert_string_equal(c->version, "2.0");
    assert_string_equal(a->cwes[0], "CWE-476");
    run_dispose(&r);

    /* vunnel's envelope with a large configuration; configurations are not kept */
    parse_shared(&r, &vg__updater_nvd, "feeds/nvd/records/grype-wrapped/cve-2014-0224.json");
    a = find_adv(&r, "CVE-2014-0224");
    assert_int_equal(a->severity, VG_SEV_HIGH);
    assert_int_equal(a->n_affected, 0);
    run_dispose(&r);

    /* an empty result page */
    parse_shared(&r, &vg__updater_nvd, "feeds/nvd/api-pages/vuln-list-update-emptyResp.json");
    assert_int_equal(r.col.n, 0);
    run_dispose(&r);

    /* a full page of 38 */
    parse_shared(&r, &vg__updater_nvd, "feeds/nvd/api-pages/vunnel-full-page.json");
    assert_int_equal(r.col.n, 38);
    run_dispose(&r);

    /* a top-level vulnerabilities array; a Rejected record is skipped */
    static const char arr[] =
        "[{\"cve\":{\"id\":\"CVE-2099-1\",\"vulnStatus\":\"Analyzed\",\"published\":"
        "\"2024-01-01T00:00:00+00:00\"}},{\"cve\":{\"id\":\"CVE-2099-2\",\"vulnStatus\":"
        "\"Rejected\"}}]";
    run_init(&r);
    assert_int_equal(run_parse(&r, &vg__updater_nvd, "arr.json", arr, sizeof(arr) - 1), 0);
    assert_int_equal(r.col.n, 1);
    assert_string_equal(r.col.advs[0].published, "2024-01-01T00:00:00+00:00");
    assert_int_equal(r.col.advs[0].severity, VG_SEV_UNKNOWN);
    assert_int_equal(r.ctx.skipped, 1);
    run_dispose(&r);
}

/* ---- bad input ---------------------------------------------------------------------- */

/* Expects `text` to fail with `code` and a message holding each of the NULL-terminated
 * `needles`; nothing may have been emitted before a structural error of a one-record doc. */
static void expect_fail(const vg_updater *u, const char *text, size_t len, int code, ...)
{
    run r;
    run_init(&r);
    int rc = run_parse(&r, u, "bad.json", text, len);
    if (rc != code)
        fail_msg("%s: want %d, got %d: %s", u->name, code, rc, vg_error_last());
    const char *msg = vg_error_last();
    char head[64];
    snprintf(head, sizeof(head), "%s: bad.json: ", u->name);
    if (strncmp(msg, head, strlen(head)) != 0)
        fail_msg("message does not start with \"%s\": %s", head, msg);
    va_list ap;
    va_start(ap, code);
    const char *needle;
    while ((needle = va_arg(ap, const char *)) != NULL)
        if (!strstr(msg, needle))
            fail_msg("message lacks \"%s\": %s", needle, msg);
    va_end(ap);
    assert_true(strlen(msg) < 1024);
    run_dispose(&r);
}

#define EXPECT_FAIL(u, s, code, ...) expect_fail(u, s, strlen(s), code, __VA_ARGS__, NULL)

/* A shared file as a jansson tree, for mutation. */
static json_t *load_shared(const char *rel)
{
    char *path = vg_test_shared_path(rel);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        fail_msg("%s: %s", path, err.text);
    free(path);
    return j;
}

static void expect_fail_json(const vg_updater *u, json_t *doc, int code, const char *needle)
{
    char *s = json_dumps(doc, JSON_COMPACT);
    expect_fail(u, s, strlen(s), code, needle, NULL);
    free(s);
}

static void test_truncated(void **state)
{
    (void)state;
    static const struct {
        const vg_updater *u;
        const char *rel;
    } files[] = {
        {&vg__updater_ubuntu, "feeds/ubuntu/osv/cve/2021/UBUNTU-CVE-2021-3782.json"},
        {&vg__updater_rhel, "feeds/rhel/csaf-vex/cve-2021-0084.json"},
        {&vg__updater_nvd, "feeds/nvd/api-pages/vunnel-single-entry.json"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(files); i++) {
        char *path = vg_test_shared_path(files[i].rel);
        size_t len;
        char *text = vg_test_read_file(path, &len);
        assert_non_null(text);
        /* cut anywhere: half, one byte short, just the first byte */
        expect_fail(files[i].u, text, len / 2, VG_EINVAL, "line ", NULL);
        expect_fail(files[i].u, text, len - 2, VG_EINVAL, "line ", NULL);
        expect_fail(files[i].u, text, 1, VG_EINVAL, "line ", NULL);
        expect_fail(files[i].u, text, 0, VG_EINVAL, "empty document", NULL);
        free(text);
        free(path);
    }
}

static void test_wrong_types(void **state)
{
    (void)state;
    /* rhel: a number where a product id belongs */
    json_t *d = load_shared("feeds/rhel/csaf-vex-acceptance/cve-2024-0727-openssl.json");
    json_t *fixed = json_object_get(
        json_object_get(json_array_get(json_object_get(d, "vulnerabilities"), 0), "product_status"),
        "fixed");
    json_array_set_new(fixed, 3, json_integer(5));
    expect_fail_json(&vg__updater_rhel, d, VG_EINVAL,
                     "$.vulnerabilities[0].product_status.fixed[3]");
    json_decref(d);

    /* rhel: a relationship without its product reference; a purl that is a number */
    d = load_shared("feeds/rhel/csaf-vex/cve-2024-24786-simple.json");
    json_t *rel =
        json_array_get(json_object_get(json_object_get(d, "product_tree"), "relationships"), 0);
    json_object_del(rel, "product_reference");
    expect_fail_json(&vg__updater_rhel, d, VG_EINVAL,
                     "$.product_tree.relationships[0].product_reference: missing");
    json_decref(d);
    d = load_shared("feeds/rhel/csaf-vex/cve-2024-24786-simple.json");
    json_t *helper = json_object_get(
        json_object_get(
            json_array_get(json_object_get(json_object_get(d, "product_tree"), "branches"), 0),
            "product"),
        "product_identification_helper");
    json_object_set_new(helper, "purl", json_integer(1));
    expect_fail_json(&vg__updater_rhel, d, VG_EINVAL,
                     "$.product_tree.branches[0].product.product_identification_helper.purl: "
                     "expected string, got integer");
    json_decref(d);

    /* rhel: not CSAF at all (a Security Data API document) */
    d = load_shared("feeds/rhel/securitydata-api/vunnel-full/CVE-2017-3509.json");
    expect_fail_json(&vg__updater_rhel, d, VG_EINVAL, "$.document: missing");
    json_decref(d);

    /* ubuntu: package name an array, event without a kind, a bad dpkg version */
    d = load_shared("feeds/ubuntu/osv/cve/2021/UBUNTU-CVE-2021-3782.json");
    json_t *aff2 = json_array_get(json_object_get(d, "affected"), 2);
    json_object_set_new(json_object_get(aff2, "package"), "name", json_array());
    expect_fail_json(&vg__updater_ubuntu, d, VG_EINVAL,
                     "$.affected[2].package.name: expected string, got array");
    json_decref(d);
    d = load_shared("feeds/ubuntu/osv/cve/2021/UBUNTU-CVE-2021-3782.json");
    aff2 = json_array_get(json_object_get(d, "affected"), 1);
    json_t *ev = json_array_get(
        json_object_get(json_array_get(json_object_get(aff2, "ranges"), 0), "events"), 1);
    json_object_set_new(ev, "fixed", json_string("1.0-1 beta"));
    expect_fail_json(&vg__updater_ubuntu, d, VG_EINVAL,
                     "$.affected[1].ranges[0].events[1].fixed: invalid dpkg version");
    json_object_del(ev, "fixed");
    expect_fail_json(&vg__updater_ubuntu, d, VG_EINVAL,
                     "$.affected[1].ranges[0].events[1]: event without");
    json_decref(d);
    EXPECT_FAIL(&vg__updater_ubuntu,
                "{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":"
                "\"Ubuntu:Pro:LTS\",\"name\":\"a\"}}]}",
                VG_EINVAL, "$.affected[0].package.ecosystem: no Ubuntu release");
    EXPECT_FAIL(&vg__updater_ubuntu,
                "{\"id\":\"X\",\"severity\":[{\"type\":\"CVSS_V3\","
                "\"score\":\"CVSS:3.1/AV:Q\"}]}",
                VG_EINVAL, "$.severity[0].score: malformed CVSS_V3 vector");
    EXPECT_FAIL(&vg__updater_ubuntu, "[]", VG_EINVAL, "$: expected an OSV record");
    EXPECT_FAIL(&vg__updater_ubuntu, "{\"id\":17}", VG_EINVAL,
                "$.id: expected string, got integer");

    /* nvd: a score that is a string, a description that is an object */
    d = load_shared("feeds/nvd/api-pages/vuln-list-update-respPage1.json");
    json_t *cve = json_object_get(json_array_get(json_object_get(d, "vulnerabilities"), 1), "cve");
    json_t *m =
        json_array_get(json_object_get(json_object_get(cve, "metrics"), "cvssMetricV31"), 0);
    json_object_set_new(json_object_get(m, "cvssData"), "baseScore", json_string("9.8"));
    expect_fail_json(&vg__updater_nvd, d, VG_EINVAL,
                     "$.vulnerabilities[1].cve.metrics.cvssMetricV31[0].cvssData.baseScore: "
                     "expected number, got string");
    json_decref(d);
    EXPECT_FAIL(&vg__updater_nvd,
                "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-1\","
                "\"descriptions\":[{\"lang\":\"en\",\"value\":{}}]}}]}",
                VG_EINVAL, "$.vulnerabilities[0].cve.descriptions[0].value: expected string");
    EXPECT_FAIL(&vg__updater_nvd, "{\"vulnerabilities\":[{\"cve\":{}}]}", VG_EINVAL,
                "$.vulnerabilities[0].cve.id: missing");
    EXPECT_FAIL(&vg__updater_nvd, "{\"something\":1}", VG_EINVAL, "not an NVD CVE API 2.0");
    EXPECT_FAIL(&vg__updater_nvd, "17", VG_EINVAL, "$: expected an NVD");
}

/* `depth` nested arrays inside member `key` of an otherwise plausible document. */
static char *nested(const char *prefix, size_t depth, const char *suffix)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_puts(&sb, prefix);
    for (size_t i = 0; i < depth; i++)
        vg_strbuf_putc(&sb, '[');
    for (size_t i = 0; i < depth; i++)
        vg_strbuf_putc(&sb, ']');
    vg_strbuf_puts(&sb, suffix);
    return vg_strbuf_detach(&sb);
}

static void test_nesting(void **state)
{
    (void)state;
    const vg_updater *us[] = {&vg__updater_ubuntu, &vg__updater_rhel, &vg__updater_nvd};
    char *deep = nested("{\"id\":\"X\",\"x\":", 100, "}");
    for (size_t i = 0; i < VG_ARRAY_LEN(us); i++)
        EXPECT_FAIL(us[i], deep, VG_EINVAL, "nesting deeper than 64 levels");
    free(deep);

    /* the cap is opts->max_depth: 100 levels pass a cap of 128 and fail on content instead */
    deep = nested("{\"document\":", 100, "}");
    run r;
    run_init(&r);
    r.opts.max_depth = 128;
    assert_int_equal(run_parse(&r, &vg__updater_rhel, "bad.json", deep, strlen(deep)), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "$.document: expected object, got array"));
    run_dispose(&r);
    free(deep);

    /* and a real document deeper than a small cap fails */
    run_init(&r);
    r.opts.max_depth = 4;
    char *path = vg_test_shared_path("feeds/rhel/csaf-vex/cve-2021-0084.json");
    assert_int_equal(run_file(&r, &vg__updater_rhel, path), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "nesting deeper than 4"));
    free(path);
    run_dispose(&r);
}

static char *long_string(size_t n)
{
    char *s = vg_xmalloc(n + 1);
    memset(s, 'a', n);
    s[n] = '\0';
    return s;
}

static void test_long_strings(void **state)
{
    (void)state;
    char *big = long_string((size_t)2 << 20);
    char *name = long_string(5000);
    vg_strbuf sb;

    vg_strbuf_init(&sb, 0);
    vg_strbuf_printf(&sb, "{\"id\":\"X\",\"details\":\"%s\"}", big);
    expect_fail(&vg__updater_ubuntu, sb.buf, sb.len, VG_ETOOBIG, "$.details: string of 2097152",
                NULL);
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb,
                     "{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"Ubuntu:22.04:LTS\","
                     "\"name\":\"%s\"}}]}",
                     name);
    expect_fail(&vg__updater_ubuntu, sb.buf, sb.len, VG_ETOOBIG, "$.affected[0].package.name",
                "cap 4096", NULL);
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb,
                     "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-1\",\"descriptions\":[{\"lang\":"
                     "\"en\",\"value\":\"%s\"}]}}]}",
                     big);
    expect_fail(&vg__updater_nvd, sb.buf, sb.len, VG_ETOOBIG,
                "$.vulnerabilities[0].cve.descriptions[0].value", NULL);
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(
        &sb,
        "{\"document\":{\"tracking\":{\"id\":\"CVE-1\"}},\"product_tree\":{\"branches\":"
        "[{\"product\":{\"product_id\":\"p\",\"product_identification_helper\":{"
        "\"purl\":\"pkg:rpm/redhat/%s\"}}}]}}",
        name);
    expect_fail(&vg__updater_rhel, sb.buf, sb.len, VG_ETOOBIG,
                "$.product_tree.branches[0].product.product_identification_helper.purl", NULL);
    /* a long key in a path is quoted, not copied whole */
    vg_strbuf_reset(&sb);
    vg_strbuf_printf(&sb, "{\"id\":\"X\",\"severity\":[{\"type\":7}],\"%s\":1}", name);
    expect_fail(&vg__updater_ubuntu, sb.buf, sb.len, VG_EINVAL, "$.severity[0].type", NULL);
    vg_strbuf_dispose(&sb);
    free(big);
    free(name);
}

static void test_emit_error(void **state)
{
    (void)state;
    static const struct {
        const vg_updater *u;
        const char *rel;
    } files[] = {
        {&vg__updater_ubuntu, "feeds/ubuntu/osv/cve/2021/UBUNTU-CVE-2021-3782.json"},
        {&vg__updater_rhel, "feeds/rhel/csaf-vex/cve-2021-0084.json"},
        {&vg__updater_nvd, "feeds/nvd/api-pages/vunnel-full-page.json"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(files); i++) {
        run r;
        run_init(&r);
        r.col.fail_with = VG_EIO;
        char *path = vg_test_shared_path(files[i].rel);
        assert_int_equal(run_file(&r, files[i].u, path), VG_EIO);
        assert_non_null(strstr(vg_error_last(), "test: emit refused"));
        free(path);
        run_dispose(&r);
    }
}

static void test_table(void **state)
{
    (void)state;
    const vg_updater *us[] = {&vg__updater_ubuntu, &vg__updater_rhel, &vg__updater_nvd};
    const char *names[] = {"ubuntu", "rhel", "nvd"};
    for (size_t i = 0; i < VG_ARRAY_LEN(us); i++) {
        assert_string_equal(us[i]->name, names[i]);
        assert_non_null(us[i]->parse);
        assert_non_null(us[i]->urls);
        assert_non_null(us[i]->urls[0]);
        assert_true(strncmp(us[i]->urls[0], "https://", 8) == 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_ubuntu_counts),
        cmocka_unit_test(test_rhel_counts),
        cmocka_unit_test(test_nvd_counts),
        cmocka_unit_test(test_ubuntu_records),
        cmocka_unit_test(test_rhel_records),
        cmocka_unit_test(test_rhel_nested_module),
        cmocka_unit_test(test_nvd_records),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_long_strings),
        cmocka_unit_test(test_emit_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
