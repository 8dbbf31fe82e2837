/* bundle.c — `vigil db export|import`: the offline bundle, gzip'd JSON lines written and read
 * through libarchive (raw format), streamed in both directions. Backend-independent: it uses
 * the store's table of operations, so every backend gets the same bundles. Import re-encodes
 * every advisory and never lets an older bundle replace newer data. */
#include "store_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUNDLE_FORMAT "vigil-bundle"
#define BUNDLE_MAX_OPS 1024
#define BUNDLE_MAX_ADVISORIES 20000000ULL
/* A manifest line lists at most BUNDLE_MAX_OPS ops of < 400 bytes each. */
#define LINE_MAX_BYTES (VG__ADVISORY_MAX_BYTES + 1024)

/* ---- export -------------------------------------------------------------------------- */

typedef struct writer {
    struct archive *ar;
    const char *path;
    int err;
} writer;

static int w_fail(writer *w, const char *what)
{
    if (!w->err)
        w->err = vg_error_set(VG_EIO, "export: %s: %s: %s", w->path, what,
                              archive_error_string(w->ar) ? archive_error_string(w->ar)
                                                          : strerror(errno));
    return w->err;
}

static int w_write(writer *w, const char *p, size_t n)
{
    while (!w->err && n > 0) {
        la_ssize_t k = archive_write_data(w->ar, p, n);
        if (k <= 0)
            return w_fail(w, "write");
        p += k;
        n -= (size_t)k;
    }
    return w->err;
}

/* Writes `j` as one compact line with sorted keys; steals the reference. */
static int w_json(writer *w, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    if (!s)
        return w->err ? w->err : (w->err = vg_error_set(VG_ERROR, "export: cannot encode JSON"));
    int rc = w_write(w, s, strlen(s));
    free(s);
    return rc ? rc : w_write(w, "\n", 1);
}

static json_t *op_json(const vg_update_op *op)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I}", "updater", op->updater, "ref", op->ref,
                     "fingerprint", op->fingerprint, "date", (json_int_t)op->date, "n_advisories",
                     (json_int_t)op->n_advisories);
}

typedef struct body_state {
    writer *w;
    uint64_t n;
} body_state;

static int write_body(void *ctx, const char *body, size_t len)
{
    body_state *b = ctx;
    b->n++;
    if (w_write(b->w, body, len) != 0)
        return b->w->err;
    return w_write(b->w, "\n", 1);
}

/* The newest op of each updater (list_ops is newest first), filtered by `updaters`. */
static int pick_ops(vg_update_op **out, size_t *n, vg_store *s, const char *const *updaters)
{
    vg_update_op *all = NULL;
    size_t n_all = 0;
    int rc = vg_store_list_ops(&all, &n_all, s, NULL);
    if (rc != 0)
        return rc;
    *out = vg_xcalloc(n_all ? n_all : 1, sizeof(**out));
    *n = 0;
    for (size_t i = 0; i < n_all; i++) {
        bool seen = false, wanted = !updaters;
        for (size_t j = 0; j < *n && !seen; j++)
            seen = strcmp((*out)[j].updater, all[i].updater) == 0;
        for (size_t j = 0; updaters && updaters[j] && !wanted; j++)
            wanted = strcmp(updaters[j], all[i].updater) == 0;
        if (!seen && wanted)
            (*out)[(*n)++] = all[i];
    }
    free(all);
    for (size_t j = 0; updaters && updaters[j] && rc == 0; j++) {
        bool found = false;
        for (size_t i = 0; i < *n && !found; i++)
            found = strcmp((*out)[i].updater, updaters[j]) == 0;
        if (!found)
            rc = vg_error_set(VG_ENOTFOUND, "export: no update operation of '%.64s' to export",
                              updaters[j]);
    }
    if (rc == 0 && *n == 0)
        rc = vg_error_set(VG_ENOTFOUND, "export: the store has no update operations");
    /* Updater order, so that equal stores give equal bundles. */
    for (size_t i = 1; i < *n; i++)
        for (size_t j = i; j > 0 && strcmp((*out)[j - 1].updater, (*out)[j].updater) > 0; j--) {
            vg_update_op t = (*out)[j];
            (*out)[j] = (*out)[j - 1];
            (*out)[j - 1] = t;
        }
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int write_bundle(writer *w, vg_store *s, const vg_update_op *ops, size_t n)
{
    json_t *list = json_array();
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, op_json(&ops[i]));
        total += ops[i].n_advisories;
    }
    json_t *manifest = json_pack("{s:s, s:i, s:I, s:s, s:o}", "format", BUNDLE_FORMAT, "version",
                                 VG_STORE_BUNDLE_VERSION, "created", (json_int_t)time(NULL),
                                 "vigil", VG_VERSION_STRING, "ops", list);
    int rc = w_json(w, manifest);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *hdr = op_json(&ops[i]);
        json_object_set_new(hdr, "op", json_string(ops[i].ref));
        if ((rc = w_json(w, hdr)) != 0)
            break;
        body_state b = {w, 0};
        rc = s->be->op_bodies(s, ops[i].id, write_body, &b);
        if (rc == 0 && b.n != ops[i].n_advisories)
            rc = vg_error_set(VG_ERROR, "export: operation %s has %llu advisories, expected %llu",
                              ops[i].ref, (unsigned long long)b.n,
                              (unsigned long long)ops[i].n_advisories);
    }
    if (rc == 0)
        rc = w_json(w, json_pack("{s:b, s:I, s:I}", "end", 1, "ops", (json_int_t)n, "advisories",
                                 (json_int_t)total));
    return rc;
}

int vg_store_export(vg_update_op **out, size_t *n, vg_store *s, const char *path,
                    const char *const *updaters)
{
    *out = NULL;
    *n = 0;
    vg_update_op *ops = NULL;
    size_t n_ops = 0;
    int rc = pick_ops(&ops, &n_ops, s, updaters);
    if (rc != 0)
        return rc;
    bool to_stdout = strcmp(path, "-") == 0;
    char *tmp = NULL;
    int fd = 1;
    if (!to_stdout) {
        /* O_EXCL with mode 0666, so the umask applies as for any new file. */
        static unsigned seq;
        vg_strbuf sb;
        vg_strbuf_init(&sb, 0);
        vg_strbuf_printf(&sb, "%s.tmp.%ld.%u", path, (long)getpid(),
                         __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
        tmp = vg_strbuf_detach(&sb);
        if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0) {
            rc = vg_error_set(VG_EIO, "export: cannot create %s: %s", tmp, strerror(errno));
            free(tmp);
            free(ops);
            return rc;
        }
    }
    writer w = {archive_write_new(), path, 0};
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "vigil-bundle.jsonl");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    if (archive_write_add_filter_gzip(w.ar) != ARCHIVE_OK ||
        archive_write_set_format_raw(w.ar) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(w.ar, 1) != ARCHIVE_OK ||
        archive_write_open_fd(w.ar, fd) != ARCHIVE_OK ||
        archive_write_header(w.ar, e) != ARCHIVE_OK)
        rc = w_fail(&w, "open");
    if (rc == 0)
        rc = write_bundle(&w, s, ops, n_ops);
    if (archive_write_close(w.ar) != ARCHIVE_OK && rc == 0)
        rc = w_fail(&w, "close");
    archive_write_free(w.ar);
    archive_entry_free(e);
    if (!to_stdout) {
        if (rc == 0 && fsync(fd) != 0)
            rc = vg_error_set(VG_EIO, "export: %s: fsync: %s", path, strerror(errno));
        close(fd);
        if (rc == 0 && rename(tmp, path) != 0)
            rc = vg_error_set(VG_EIO, "export: cannot rename %s to %s: %s", tmp, path,
                              strerror(errno));
        if (rc != 0)
            unlink(tmp);
        free(tmp);
    }
    if (rc != 0) {
        free(ops);
        return rc;
    }
    *out = ops;
    *n = n_ops;
    return 0;
}

/* ---- import -------------------------------------------------------------------------- */

typedef struct reader {
    struct archive *ar;
    const char *path;
    char buf[65536];
    size_t pos, len;
    bool eof;
    vg_strbuf line;
    uint64_t lineno;
} reader;

static int r_fail(const reader *r, const char *fmt, ...) VG_PRINTF(2, 3);

static int r_fail(const reader *r, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_printf(&sb, "import: %s: line %llu: ", r->path, (unsigned long long)r->lineno);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

/* The next line (without its newline) in r->line: 1, or 0 at the end of the data. */
static int r_next(reader *r)
{
    vg_strbuf_reset(&r->line);
    r->lineno++;
    for (;;) {
        if (r->pos == r->len) {
            if (r->eof)
                return r->line.len ? 1 : 0;
            la_ssize_t k = archive_read_data(r->ar, r->buf, sizeof(r->buf));
            if (k < 0)
                return vg_error_set(VG_EINVAL, "import: %s: line %llu: %s", r->path,
                                    (unsigned long long)r->lineno, archive_error_string(r->ar));
            r->pos = 0;
            r->len = (size_t)k;
            r->eof = k == 0;
            continue;
        }
        const char *start = r->buf + r->pos;
        const char *nl = memchr(start, '\n', r->len - r->pos);
        size_t take = nl ? (size_t)(nl - start) : r->len - r->pos;
        if (vg_strbuf_append(&r->line, start, take) != 0)
            return r_fail(r, "longer than %zu bytes", (size_t)LINE_MAX_BYTES);
        r->pos += take + (nl ? 1 : 0);
        if (nl)
            return 1;
    }
}

/* The next line as a JSON object; VG_EINVAL at the end of the data. */
static int r_json(json_t **out, reader *r, const char *want)
{
    int k = r_next(r);
    if (k < 0)
        return k;
    if (k == 0)
        return r_fail(r, "the bundle ends early (expected %s)", want);
    json_error_t jerr;
    *out = json_loadb(r->line.buf, r->line.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out)
        return r_fail(r, "invalid JSON at column %d: %s", jerr.column, jerr.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return r_fail(r, "expected %s (an object)", want);
    }
    return 0;
}

static int get_op_fields(vg_update_op *op, const reader *r, const json_t *o, const char *where)
{
    const char *updater = NULL, *ref = NULL, *fp = NULL;
    json_int_t date = 0, n = 0;
    json_error_t jerr;
    if (json_unpack_ex((json_t *)o, &jerr, 0, "{s:s, s:s, s:s, s:I, s:I}", "updater", &updater,
                       "ref", &ref, "fingerprint", &fp, "date", &date, "n_advisories", &n) != 0)
        return r_fail(r, "%s: %s", where, jerr.text);
    if (strlen(updater) > VG__UPDATER_MAX || strlen(ref) > VG__REF_MAX ||
        strlen(fp) > VG__FINGERPRINT_MAX)
        return r_fail(r, "%s: updater, ref or fingerprint too long", where);
    if (date <= 0 || n < 0 || (unsigned long long)n > BUNDLE_MAX_ADVISORIES)
        return r_fail(r, "%s: date or n_advisories out of range (at most %llu advisories)", where,
                      BUNDLE_MAX_ADVISORIES);
    memset(op, 0, sizeof(*op));
    snprintf(op->updater, sizeof(op->updater), "%s", updater);
    snprintf(op->ref, sizeof(op->ref), "%s", ref);
    snprintf(op->fingerprint, sizeof(op->fingerprint), "%s", fp);
    op->date = date;
    op->n_advisories = (uint64_t)n;
    return 0;
}

static int read_manifest(vg_update_op **ops, size_t *n, reader *r)
{
    json_t *m = NULL;
    int rc = r_json(&m, r, "the manifest");
    if (rc != 0)
        return rc;
    const char *format = NULL;
    json_int_t version = 0;
    json_t *list = NULL;
    json_error_t jerr;
    if (json_unpack_ex(m, &jerr, 0, "{s:s, s:I, s:o}", "format", &format, "version", &version,
                       "ops", &list) != 0 ||
        strcmp(format, BUNDLE_FORMAT) != 0) {
        json_decref(m);
        return r_fail(r, "not a vigil bundle manifest");
    }
    if (version > VG_STORE_BUNDLE_VERSION || version < 1) {
        json_decref(m);
        return r_fail(r, "bundle format %lld is newer than this vigil (%d)", (long long)version,
                      VG_STORE_BUNDLE_VERSION);
    }
    if (!json_is_array(list) || json_array_size(list) > BUNDLE_MAX_OPS) {
        json_decref(m);
        return r_fail(r, "ops: expected an array of at most %d operations", BUNDLE_MAX_OPS);
    }
    *n = json_array_size(list);
    *ops = vg_xcalloc(*n ? *n : 1, sizeof(**ops));
    for (size_t i = 0; rc == 0 && i < *n; i++) {
        char where[32];
        snprintf(where, sizeof(where), "ops[%zu]", i);
        rc = get_op_fields(&(*ops)[i], r, json_array_get(list, i), where);
    }
    json_decref(m);
    return rc;
}

/* Reads one op section (header and advisories) and writes it through `tx` (NULL: skip). */
static int read_op(reader *r, vg_store_tx *tx, const vg_update_op *op, vg_arena *arena)
{
    json_t *h = NULL;
    int rc = r_json(&h, r, "an operation header");
    if (rc != 0)
        return rc;
    vg_update_op hop;
    json_t *ref = json_object_get(h, "op");
    if (!json_is_string(ref) || strcmp(json_string_value(ref), op->ref) != 0)
        rc = r_fail(r, "expected the header of operation %s", op->ref);
    else if ((rc = get_op_fields(&hop, r, h, "header")) == 0 &&
             (strcmp(hop.updater, op->updater) != 0 || hop.n_advisories != op->n_advisories))
        rc = r_fail(r, "the header of %s disagrees with the manifest", op->ref);
    json_decref(h);
    char where[64];
    for (uint64_t i = 0; rc == 0 && i < op->n_advisories; i++) {
        int k = r_next(r);
        if (k <= 0) {
            rc = k < 0
                     ? k
                     : r_fail(r, "the bundle ends after %llu of %llu advisories of %s",
                              (unsigned long long)i, (unsigned long long)op->n_advisories, op->ref);
            break;
        }
        if (!tx)
            continue;
        json_error_t jerr;
        json_t *j = json_loadb(r->line.buf, r->line.len, JSON_REJECT_DUPLICATES, &jerr);
        if (!j) {
            rc = r_fail(r, "invalid JSON at column %d: %s", jerr.column, jerr.text);
            break;
        }
        snprintf(where, sizeof(where), "import: %s: line %llu", r->path,
                 (unsigned long long)r->lineno);
        vg_arena_reset(arena);
        vg_advisory a;
        rc = vg__advisory_decode_json(&a, arena, j, where);
        json_decref(j);
        if (rc == 0)
            rc = vg_store_update_put(tx, &a);
    }
    return rc;
}

static int import_ops(vg_store_import_item *items, size_t *n_items, vg_store *s, reader *r,
                      const vg_update_op *ops, size_t n)
{
    vg_arena *arena = vg_arena_new((size_t)64 << 10);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        vg_store_import_item *it = &items[i];
        memset(it, 0, sizeof(*it));
        it->op = ops[i];
        vg__op_spec spec = {ops[i].updater, ops[i].fingerprint, ops[i].ref, ops[i].date, true};
        vg__begin_status st = VG__BEGIN_NEW;
        vg_store_tx *tx = NULL;
        if ((rc = vg__store_begin(&tx, &st, &it->local, s, &spec)) != 0)
            break;
        it->action = st == VG__BEGIN_NEW       ? VG_IMPORT_ADDED
                     : st == VG__BEGIN_PRESENT ? VG_IMPORT_PRESENT
                                               : VG_IMPORT_OLDER;
        rc = read_op(r, tx, &ops[i], arena);
        if (tx && rc == 0) {
            rc = vg_store_update_commit(tx, &it->op);
        } else if (tx) {
            vg_store_update_abort(tx);
        }
        if (rc == 0)
            (*n_items)++;
    }
    vg_arena_free(arena);
    if (rc != 0)
        return rc;
    json_t *end = NULL;
    if ((rc = r_json(&end, r, "the end record")) != 0)
        return rc;
    if (!json_is_true(json_object_get(end, "end")))
        rc = r_fail(r, "expected the end record");
    json_decref(end);
    if (rc == 0 && (rc = r_next(r)) != 0)
        rc = rc < 0 ? rc : r_fail(r, "data after the end record");
    return rc;
}

int vg_store_import(vg_store_import_item **out, size_t *n, vg_store *s, const char *path)
{
    *out = NULL;
    *n = 0;
    reader *r = vg_xcalloc(1, sizeof(*r));
    r->ar = archive_read_new();
    r->path = path;
    vg_strbuf_init(&r->line, LINE_MAX_BYTES);
    struct archive_entry *e = NULL;
    int rc = 0;
    archive_read_support_filter_gzip(r->ar);
    archive_read_support_format_raw(r->ar);
    int h = archive_read_open_filename(r->ar, strcmp(path, "-") == 0 ? NULL : path, 65536);
    if (h == ARCHIVE_OK)
        h = archive_read_next_header(r->ar, &e);
    int err = h == ARCHIVE_OK ? 0 : archive_errno(r->ar);
    if (h == ARCHIVE_EOF)
        rc = vg_error_set(VG_EINVAL, "import: %s: empty file, not a vigil bundle", path);
    else if (h != ARCHIVE_OK) /* an OS errno is I/O; libarchive's own codes are bad data */
        rc =
            vg_error_set(err == ENOENT              ? VG_ENOTFOUND
                         : err > 0 && err != EILSEQ ? VG_EIO
                                                    : VG_EINVAL,
                         "import: %s: %s", path,
                         archive_error_string(r->ar) ? archive_error_string(r->ar) : "cannot read");
    vg_update_op *ops = NULL;
    size_t n_ops = 0;
    if (rc == 0)
        rc = read_manifest(&ops, &n_ops, r);
    if (rc == 0) {
        *out = vg_xcalloc(n_ops ? n_ops : 1, sizeof(**out));
        rc = import_ops(*out, n, s, r, ops, n_ops);
    }
    free(ops);
    archive_read_free(r->ar);
    vg_strbuf_dispose(&r->line);
    free(r);
    return rc;
}
