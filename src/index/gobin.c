/* gobin.c — the Go binary scanner of src/index/, the one streaming scanner: for an executable
 * regular file it reads the ELF header, then only as far as the build info Go's linker puts at
 * the start of the data segment (.go.buildinfo), and reports the main module, every
 * dependency (as replaced) and the toolchain as module "stdlib", with pkg:golang purls. */
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

/*
 * Finding the build info without section headers (they sit at the end of the file): the
 * first writable PT_LOAD segment starts with .go.buildinfo when Go's own linker wrote the
 * binary; with external linking it is somewhere in that segment. vigil looks for the 16-byte
 * aligned magic "\xff Go buildinf:" from the segment's start to its end, as Go's
 * debug/buildinfo does when it has no section table. The 32-byte header then says:
 *
 *   flags & 2 (Go >= 1.18): the toolchain version and the modinfo follow inline, each as a
 *     uvarint length and the bytes;
 *   else (Go 1.13 - 1.17): two pointers (4 or 8 bytes, endianness from flags & 1) to the Go
 *     string headers of runtime.buildVersion and runtime.modinfo (in the data segment, ahead
 *     of us), whose data pointers lead back into read-only data we already passed. So while
 *     streaming towards the data segment vigil remembers where "go1." strings start (up to
 *     GOBIN_MAX_CANDIDATES) and captures the text after each modinfo start marker (up to
 *     GOBIN_MAX_MARKERS), and resolves the pointers against those.
 *
 * The modinfo text loses its 16-byte start and end markers as in debug/buildinfo and is
 * parsed as debug.ParseBuildInfo parses it.
 *
 * What is reported: the main module unless its version is "(devel)" — then the version an
 * "-X main.version=..." (or main.Version) in -ldflags gives, else nothing; each dep, or its
 * replacement when a "=>" line follows it (a replacement without a version is a local
 * directory: skipped); and "stdlib" at the toolchain version as semver (go1.22.1 -> v1.22.1),
 * unless the toolchain is a development build.
 *
 * Caps and failures. Every byte pulled counts against max_gobin_scan (default 64 MiB): the
 * scan never goes past it. GOBIN_MAX_PHDRS program headers, GOBIN_MAX_MODINFO bytes of
 * modinfo and GOBIN_MAX_VERSION of version. An executable that is not ELF is left after its
 * first 64 bytes. An ELF file without Go's build-ID note (PT_NOTE "Go", type 4) is most
 * likely not Go: failing to find build info in it is silent (it is still searched, since
 * "-buildid=" builds have no note). In a file with the note, truncated or malformed build
 * info, or build info past a cap, is an error ("<path>: Go build info: ... at byte N"), which
 * the walker turns into a warning.
 */

#define GOBIN_HEADER 32                     /* the .go.buildinfo header */
#define GOBIN_MAX_PHDRS 256                 /* program headers read */
#define GOBIN_MAX_MODINFO ((size_t)1 << 20) /* modinfo bytes */
#define GOBIN_MAX_VERSION 1024              /* toolchain version bytes */
#define GOBIN_MAX_CANDIDATES 4096           /* "go1." strings remembered (Go < 1.18) */
#define GOBIN_MAX_MARKERS 8                 /* modinfo captures remembered (Go < 1.18) */
#define CAND_BYTES 48                       /* bytes kept after each "go1." */
#define CHUNK 65536                         /* bytes pulled at a time */
#define KEEP 8192  /* bytes kept behind the cursor across pulls (a search block and more) */
#define LAG 64     /* bytes a match start needs after it before it is searched */
#define BLOCK 4096 /* bytes read at a time while looking for the magic */

static const unsigned char buildinfo_magic[14] = "\xff Go buildinf:";
static const unsigned char info_start[16] = "0w\xaf\x0c\x92t\b\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const unsigned char info_end[16] =
    "\xf9\x32\x43\x31\x86\x18\x20r\x00\x82\x42\x10\x41\x16\xd8\xf2";

enum { PT_LOAD = 1, PT_NOTE = 4, PF_W = 2 };

typedef struct seg {
    uint32_t type, flags;
    uint64_t off, vaddr, filesz;
} seg;

typedef struct cand {
    uint64_t off;
    unsigned char bytes[CAND_BYTES];
    size_t n;
} cand;

typedef struct capture {
    uint64_t off;
    vg_strbuf text;
    bool done; /* the end marker was seen, or the cap was reached */
} capture;

typedef struct gobin {
    vg_index_reader *rd;
    const char *path;
    uint64_t cap; /* max_gobin_scan */
    bool be, is64, go_note;
    bool record; /* remember strings for pre-1.18 pointers */
    seg *segs;
    size_t n_segs;
    cand *cands;
    size_t n_cands;
    capture caps[GOBIN_MAX_MARKERS];
    size_t n_caps;
    /* The last bytes pulled, [w_off, w_off + w_len) (w_off + w_len == rd->pos); match starts
     * before w_searched are done; `cur` is the logical read position, >= w_off. */
    unsigned char w[KEEP + CHUNK];
    size_t w_len, w_searched;
    uint64_t w_off, cur;
} gobin;

/* ---- errors --------------------------------------------------------------------------- */

static int gerr(gobin *g, int code, const char *fmt, ...) VG_PRINTF(3, 4);

/* Sets "<path>: Go build info: ..." and returns `code` — or VG_ENOTFOUND (quietly "not Go")
 * for a file that has not shown itself to be Go yet. */
static int gerr(gobin *g, int code, const char *fmt, ...)
{
    if (!g->go_note)
        code = VG_ENOTFOUND;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, g->path, strlen(g->path), 1024);
    vg_strbuf_puts(&sb, ": Go build info: ");
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    int rc = vg_error_set(code, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

/* ---- the forward window --------------------------------------------------------------- */

static uint64_t rd_u(const gobin *g, const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[g->be ? n - 1 - i : i] << (8 * i);
    return v;
}

/* Appends the window bytes from `from` on to every open modinfo capture that lacks them. */
static void extend_captures(gobin *g, size_t from)
{
    for (size_t k = 0; k < g->n_caps; k++) {
        capture *c = &g->caps[k];
        if (c->done)
            continue;
        uint64_t have = c->off + c->text.len; /* absolute end of the capture */
        size_t start = have > g->w_off + from ? (size_t)(have - g->w_off) : from;
        if (start >= g->w_len)
            continue;
        size_t n = g->w_len - start;
        if (c->text.len + n >= GOBIN_MAX_MODINFO) {
            n = GOBIN_MAX_MODINFO - c->text.len;
            c->done = true;
        }
        size_t before = c->text.len;
        vg_strbuf_append(&c->text, (const char *)g->w + start, n);
        size_t look = before > 15 ? before - 15 : 0;
        const char *end = memmem(c->text.buf + look, c->text.len - look, info_end, 16);
        if (end) {
            c->text.len = (size_t)(end - c->text.buf) + 16;
            c->text.buf[c->text.len] = '\0';
            c->done = true;
        }
    }
}

/* Remembers "go1." strings and modinfo starts among match starts in [w_searched, limit):
 * every byte pulled while recording is searched once, LAG bytes late. */
static void search(gobin *g)
{
    size_t limit = g->w_len > LAG ? g->w_len - LAG : 0;
    if (limit <= g->w_searched)
        return;
    const unsigned char *base = g->w;
    for (size_t i = g->w_searched; i < limit;) {
        const unsigned char *hit = memmem(base + i, g->w_len - i, "go1.", 4);
        if (!hit || (size_t)(hit - base) >= limit)
            break;
        size_t at = (size_t)(hit - base);
        if (g->n_cands < GOBIN_MAX_CANDIDATES) {
            if (g->n_cands % 64 == 0)
                g->cands = vg_xrealloc(g->cands, (g->n_cands + 64) * sizeof(cand));
            cand *c = &g->cands[g->n_cands++];
            c->off = g->w_off + at;
            c->n = CAND_BYTES;
            memcpy(c->bytes, hit, c->n);
        }
        i = at + 1;
    }
    for (size_t i = g->w_searched; i < limit;) {
        const unsigned char *hit = memmem(base + i, g->w_len - i, info_start, 16);
        if (!hit || (size_t)(hit - base) >= limit)
            break;
        size_t at = (size_t)(hit - base);
        if (g->n_caps < GOBIN_MAX_MARKERS) {
            capture *c = &g->caps[g->n_caps++];
            c->off = g->w_off + at;
            vg_strbuf_init(&c->text, GOBIN_MAX_MODINFO + 1);
            c->done = false;
            extend_captures(g, at);
        }
        i = at + 1;
    }
    g->w_searched = limit;
}

/* Pulls up to `n` more bytes from the reader into the window (never past the cap). */
static int pull(gobin *g, size_t n)
{
    if (g->rd->pos >= g->cap)
        return gerr(g, VG_ETOOBIG, "not within the first %llu bytes (max_gobin_scan)",
                    (unsigned long long)g->cap);
    size_t k = n < CHUNK ? n : CHUNK;
    if (g->rd->pos + k > g->cap)
        k = (size_t)(g->cap - g->rd->pos);
    if (g->w_len + k > sizeof(g->w)) {
        size_t keep = g->w_len < KEEP ? g->w_len : KEEP;
        size_t drop = g->w_len - keep;
        memmove(g->w, g->w + drop, keep);
        g->w_off += drop;
        g->w_len = keep;
        g->w_searched = g->w_searched > drop ? g->w_searched - drop : 0;
    }
    size_t old = g->w_len;
    ssize_t got = vg__reader_read(g->rd, g->w + old, k);
    if (got < 0)
        return (int)got;
    if (got == 0)
        return gerr(g, VG_EINVAL, "truncated: the file ends at byte %llu",
                    (unsigned long long)g->rd->pos);
    g->w_len += (size_t)got;
    if (g->record) {
        extend_captures(g, old);
        search(g);
    } else {
        g->w_searched = g->w_len; /* what passes unrecorded is never searched */
    }
    return 0;
}

/* Reads `n` bytes at the cursor into `dst` (NULL: just skips them). */
static int read_cur(gobin *g, unsigned char *dst, uint64_t n)
{
    while (n > 0) {
        uint64_t end = g->w_off + g->w_len;
        if (g->cur < end) {
            size_t k = (size_t)(end - g->cur < n ? end - g->cur : n);
            if (dst) {
                memcpy(dst, g->w + (g->cur - g->w_off), k);
                dst += k;
            }
            g->cur += k;
            n -= k;
            continue;
        }
        int rc = pull(g, n < CHUNK ? (size_t)n : CHUNK);
        if (rc)
            return rc;
    }
    return 0;
}

/* Moves the cursor to file offset `off`: ahead by pulling, back only within the window. */
static int seek_cur(gobin *g, uint64_t off)
{
    if (off < g->w_off)
        return gerr(g, VG_EINVAL, "needs byte %llu, already passed", (unsigned long long)off);
    if (off > g->cap)
        return gerr(g, VG_ETOOBIG, "at byte %llu, past max_gobin_scan (%llu bytes)",
                    (unsigned long long)off, (unsigned long long)g->cap);
    if (off <= g->w_off + g->w_len) {
        g->cur = off;
        return 0;
    }
    g->cur = g->w_off + g->w_len;
    return read_cur(g, NULL, off - g->cur);
}

/* Copies `n` bytes at file offset `off`: from the window or ahead of it, or — behind it —
 * from the remembered strings. */
static int bytes_at(gobin *g, uint64_t off, size_t n, vg_strbuf *out, bool modinfo)
{
    vg_strbuf_reset(out);
    if (off >= g->w_off) {
        int rc = seek_cur(g, off);
        if (rc)
            return rc;
        unsigned char *tmp = vg_xmalloc(n ? n : 1);
        rc = read_cur(g, tmp, n);
        if (rc == 0)
            vg_strbuf_append(out, (const char *)tmp, n);
        free(tmp);
        return rc;
    }
    if (modinfo) {
        for (size_t k = 0; k < g->n_caps; k++) {
            const capture *c = &g->caps[k];
            if (c->off == off && c->text.len >= n) {
                vg_strbuf_append(out, c->text.buf, n);
                return 0;
            }
        }
    } else {
        for (size_t k = 0; k < g->n_cands; k++) {
            const cand *c = &g->cands[k];
            if (c->off == off && c->n >= n) {
                vg_strbuf_append(out, (const char *)c->bytes, n);
                return 0;
            }
        }
    }
    return gerr(g, VG_EINVAL, "the %s string at byte %llu (%zu bytes) was not seen on the way",
                modinfo ? "modinfo" : "version", (unsigned long long)off, n);
}

/* ---- ELF ------------------------------------------------------------------------------ */

static int read_elf(gobin *g, unsigned char *ehdr)
{
    g->is64 = ehdr[4] == 2;
    g->be = ehdr[5] == 2;
    if ((ehdr[4] != 1 && ehdr[4] != 2) || (ehdr[5] != 1 && ehdr[5] != 2))
        return gerr(g, VG_ENOTFOUND, "unknown ELF class or data encoding");
    uint64_t phoff = g->is64 ? rd_u(g, ehdr + 32, 8) : rd_u(g, ehdr + 28, 4);
    uint64_t phentsize = g->is64 ? rd_u(g, ehdr + 54, 2) : rd_u(g, ehdr + 42, 2);
    uint64_t phnum = g->is64 ? rd_u(g, ehdr + 56, 2) : rd_u(g, ehdr + 44, 2);
    if (phnum == 0 || phnum > GOBIN_MAX_PHDRS)
        return gerr(g, VG_EINVAL, "%llu program headers (0, or more than %d)",
                    (unsigned long long)phnum, GOBIN_MAX_PHDRS);
    if (phentsize < (g->is64 ? 56u : 32u) || phentsize > 1024)
        return gerr(g, VG_EINVAL, "program header size %llu", (unsigned long long)phentsize);
    int rc = seek_cur(g, phoff);
    if (rc)
        return rc;
    size_t n = (size_t)(phentsize * phnum);
    unsigned char *ph = vg_xmalloc(n);
    rc = read_cur(g, ph, n);
    if (rc) {
        free(ph);
        return rc;
    }
    g->segs = vg_xcalloc((size_t)phnum, sizeof(seg));
    for (size_t i = 0; i < phnum; i++) {
        const unsigned char *p = ph + i * phentsize;
        seg *s = &g->segs[g->n_segs++];
        s->type = (uint32_t)rd_u(g, p, 4);
        if (g->is64) {
            s->flags = (uint32_t)rd_u(g, p + 4, 4);
            s->off = rd_u(g, p + 8, 8);
            s->vaddr = rd_u(g, p + 16, 8);
            s->filesz = rd_u(g, p + 32, 8);
        } else {
            s->off = rd_u(g, p + 4, 4);
            s->vaddr = rd_u(g, p + 8, 4);
            s->filesz = rd_u(g, p + 16, 4);
            s->flags = (uint32_t)rd_u(g, p + 24, 4);
        }
    }
    free(ph);
    return 0;
}

/* Reads the PT_NOTE segments lying ahead (in file order) and sets go_note when one holds
 * Go's build ID note. Notes past the first data segment are not worth the walk. */
static int read_notes(gobin *g, uint64_t data_off)
{
    for (;;) {
        const seg *next = NULL;
        for (size_t i = 0; i < g->n_segs; i++) {
            const seg *s = &g->segs[i];
            /* Non-empty, ahead of the cursor: each note segment is read at most once. */
            if (s->type == PT_NOTE && s->off >= g->cur && s->filesz > 0 && s->filesz <= 65536 &&
                s->off + s->filesz <= data_off && (!next || s->off < next->off))
                next = s;
        }
        if (!next)
            return 0;
        int rc = seek_cur(g, next->off);
        if (rc)
            return rc;
        unsigned char *note = vg_xmalloc((size_t)next->filesz + 1);
        rc = read_cur(g, note, next->filesz);
        for (uint64_t p = 0; rc == 0 && p + 12 <= next->filesz;) {
            uint64_t namesz = rd_u(g, note + p, 4), descsz = rd_u(g, note + p + 4, 4);
            uint64_t type = rd_u(g, note + p + 8, 4);
            uint64_t name_at = p + 12, desc_at = name_at + ((namesz + 3) & ~(uint64_t)3);
            if (namesz > next->filesz || descsz > next->filesz)
                break;
            if (namesz == 4 && type == 4 && name_at + 4 <= next->filesz &&
                memcmp(note + name_at, "Go\0\0", 4) == 0)
                g->go_note = true;
            p = desc_at + ((descsz + 3) & ~(uint64_t)3);
        }
        free(note);
        if (rc)
            return rc;
    }
}

static int uvarint(gobin *g, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        unsigned char b;
        int rc = read_cur(g, &b, 1);
        if (rc)
            return rc;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return gerr(g, VG_EINVAL, "bad varint length at byte %llu", (unsigned long long)g->cur);
}

static bool vaddr_to_off(const gobin *g, uint64_t a, uint64_t n, uint64_t *off)
{
    for (size_t i = 0; i < g->n_segs; i++) {
        const seg *s = &g->segs[i];
        if (s->type == PT_LOAD && a >= s->vaddr && a - s->vaddr <= s->filesz &&
            n <= s->filesz - (a - s->vaddr)) {
            *off = s->off + (a - s->vaddr);
            return true;
        }
    }
    return false;
}

/* Go < 1.18: the two pointers after the header, each to a Go string header. */
static int read_pointer_strings(gobin *g, const unsigned char *hdr, vg_strbuf *version,
                                vg_strbuf *modinfo)
{
    unsigned ps = hdr[14];
    if (ps != 4 && ps != 8)
        return gerr(g, VG_EINVAL, "pointer size %u", ps);
    uint64_t hdr_off[2] = {0, 0}, str_off[2] = {0, 0}, str_len[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        uint64_t a = rd_u(g, hdr + 16 + (size_t)i * ps, ps);
        if (!vaddr_to_off(g, a, 2 * (uint64_t)ps, &hdr_off[i]))
            return gerr(g, VG_EINVAL, "%s string header address 0x%llx is in no segment",
                        i ? "modinfo" : "version", (unsigned long long)a);
    }
    vg_strbuf tmp;
    vg_strbuf_init(&tmp, 64);
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        int i = hdr_off[0] <= hdr_off[1] ? k : 1 - k;
        rc = bytes_at(g, hdr_off[i], (size_t)2 * ps, &tmp, false);
        if (rc == 0) {
            uint64_t a = rd_u(g, (const unsigned char *)tmp.buf, ps);
            str_len[i] = rd_u(g, (const unsigned char *)tmp.buf + ps, ps);
            uint64_t max = i ? GOBIN_MAX_MODINFO : GOBIN_MAX_VERSION;
            if (str_len[i] > max)
                rc = gerr(g, VG_ETOOBIG, "%s string of %llu bytes (more than %llu)",
                          i ? "modinfo" : "version", (unsigned long long)str_len[i],
                          (unsigned long long)max);
            else if (!vaddr_to_off(g, a, str_len[i], &str_off[i]))
                rc = gerr(g, VG_EINVAL, "%s string address 0x%llx is in no segment",
                          i ? "modinfo" : "version", (unsigned long long)a);
        }
    }
    vg_strbuf_dispose(&tmp);
    for (int k = 0; k < 2 && rc == 0; k++) {
        int i = str_off[0] <= str_off[1] ? k : 1 - k;
        rc = bytes_at(g, str_off[i], (size_t)str_len[i], i ? modinfo : version, i == 1);
        if (i == 0 && rc == VG_EINVAL && !g->rd->io_err && str_off[0] < g->w_off) {
            /* A toolchain version that is no "go1..." string (a development build) was not
             * remembered: the modules are still worth reporting, without "stdlib". */
            vg_strbuf_reset(version);
            vg_error_clear();
            rc = 0;
        }
    }
    return rc;
}

/* Go >= 1.18: two varint-prefixed strings right after the header. */
static int read_inline_strings(gobin *g, vg_strbuf *version, vg_strbuf *modinfo)
{
    vg_strbuf *out[2] = {version, modinfo};
    const size_t max[2] = {GOBIN_MAX_VERSION, GOBIN_MAX_MODINFO};
    for (int i = 0; i < 2; i++) {
        uint64_t n = 0;
        int rc = uvarint(g, &n);
        if (rc)
            return rc;
        if (n > max[i])
            return gerr(g, VG_ETOOBIG, "%s string of %llu bytes (more than %zu)",
                        i ? "modinfo" : "version", (unsigned long long)n, max[i]);
        unsigned char *tmp = vg_xmalloc(n ? (size_t)n : 1);
        rc = read_cur(g, tmp, n);
        vg_strbuf_reset(out[i]);
        if (rc == 0)
            vg_strbuf_append(out[i], (const char *)tmp, (size_t)n);
        free(tmp);
        if (rc)
            return rc;
    }
    return 0;
}

/* Searches the data segment for the aligned magic, BLOCK bytes at a time, and leaves the
 * cursor just after the 32-byte header it copies to `hdr`. */
static int find_header(gobin *g, const seg *data, unsigned char *hdr)
{
    int rc = seek_cur(g, data->off);
    if (rc)
        return rc;
    uint64_t end = data->off + data->filesz;
    /* The magic is 16-byte aligned in memory; file offsets keep the alignment of vaddrs. */
    uint64_t skew = (data->vaddr - data->off) & 15;
    uint64_t first = (data->off + skew + 15) / 16 * 16 - skew;
    if ((rc = seek_cur(g, first)) != 0)
        return rc;
    unsigned char block[BLOCK];
    while (g->cur + GOBIN_HEADER <= end) {
        uint64_t at = g->cur;
        uint64_t n = end - at < BLOCK ? end - at : BLOCK;
        if ((rc = read_cur(g, block, n)) != 0)
            return rc;
        for (uint64_t j = 0; j + sizeof(buildinfo_magic) <= n; j += 16) {
            if (memcmp(block + j, buildinfo_magic, sizeof(buildinfo_magic)) != 0)
                continue;
            if ((rc = seek_cur(g, at + j)) != 0 || (rc = read_cur(g, hdr, GOBIN_HEADER)) != 0)
                return rc;
            return 0;
        }
        /* Go on from the last aligned position not fully checked. */
        if (n >= 16 && (rc = seek_cur(g, at + (n & ~(uint64_t)15))) != 0)
            return rc;
        if (n < 16)
            break;
    }
    return gerr(g, VG_EINVAL,
                "no build info in the data segment (bytes %llu-%llu): built by "
                "Go before 1.13, or not by Go",
                (unsigned long long)data->off, (unsigned long long)end);
}

static void strip_markers(vg_strbuf *mod)
{
    if (mod->len >= 33 && mod->buf[mod->len - 17] == '\n') {
        memmove(mod->buf, mod->buf + 16, mod->len - 32);
        mod->len -= 32;
        mod->buf[mod->len] = '\0';
    }
}

static int gobin_scan(gobin *g, vg_gobuildinfo *out)
{
    /* The first 64 bytes go straight into the window: the ELF header, or a quick no. */
    ssize_t got = vg__reader_read(g->rd, g->w, 64);
    if (got < 0)
        return (int)got;
    g->w_len = g->w_searched = (size_t)got;
    static const unsigned char elf_magic[4] = {0x7f, 'E', 'L', 'F'};
    if (got < 16 || memcmp(g->w, elf_magic, 4) != 0)
        return vg_error_set(VG_ENOTFOUND, "not an ELF file");
    unsigned char ehdr[64];
    size_t ehsize = g->w[4] == 2 ? 64 : 52;
    if ((size_t)got < ehsize)
        return gerr(g, VG_EINVAL, "truncated ELF header");
    memcpy(ehdr, g->w, ehsize);
    g->cur = ehsize;
    int rc = read_elf(g, ehdr);
    if (rc)
        return rc;
    const seg *data = NULL;
    for (size_t i = 0; i < g->n_segs; i++)
        if (g->segs[i].type == PT_LOAD && (g->segs[i].flags & PF_W) &&
            (!data || g->segs[i].off < data->off))
            data = &g->segs[i];
    if (!data)
        return gerr(g, VG_EINVAL, "no writable PT_LOAD segment");
    if ((rc = read_notes(g, data->off)) != 0)
        return rc;
    if (data->off > g->cap && !g->go_note)
        return gerr(g, VG_ENOTFOUND, "data segment past max_gobin_scan");
    g->record = g->go_note;
    unsigned char hdr[GOBIN_HEADER] = {0};
    if ((rc = find_header(g, data, hdr)) != 0)
        return rc;
    g->go_note = true; /* found the magic: from here on, failures are real errors */
    vg_strbuf version, modinfo;
    vg_strbuf_init(&version, GOBIN_MAX_VERSION + 1);
    vg_strbuf_init(&modinfo, GOBIN_MAX_MODINFO + 1);
    if (hdr[15] & 2)
        rc = read_inline_strings(g, &version, &modinfo);
    else
        rc = read_pointer_strings(g, hdr, &version, &modinfo);
    if (rc == 0) {
        strip_markers(&modinfo);
        rc = vg__go_modinfo_parse(out, g->path, modinfo.buf, modinfo.len);
        if (rc == 0 && version.len)
            out->goversion = vg_arena_strndup(out->arena, version.buf, version.len);
        if (rc)
            vg__gobuildinfo_dispose(out);
    }
    vg_strbuf_dispose(&version);
    vg_strbuf_dispose(&modinfo);
    return rc;
}

int vg__gobin_read(vg_gobuildinfo *out, const char *path, vg_index_reader *rd,
                   const vg_index_limits *lim)
{
    gobin *g = vg_xcalloc(1, sizeof(*g));
    g->rd = rd;
    g->path = path;
    g->cap = lim->max_gobin_scan;
    memset(out, 0, sizeof(*out));
    int rc = gobin_scan(g, out);
    free(g->segs);
    free(g->cands);
    for (size_t k = 0; k < g->n_caps; k++)
        vg_strbuf_dispose(&g->caps[k].text);
    free(g);
    if (rc == 0 && !out->arena)
        rc = vg_error_set(VG_EINVAL, "no build info");
    if (rc && rd->io_err)
        return rd->io_err;
    return rc;
}

/* ---- modinfo text ---------------------------------------------------------------------- */

void vg__gobuildinfo_dispose(vg_gobuildinfo *bi)
{
    vg_arena_free(bi->arena);
    memset(bi, 0, sizeof(*bi));
}

static int split_tabs(vg_slice s, vg_slice *cols, int max)
{
    int n = 0;
    for (;;) {
        vg_slice head;
        vg_slice rest = vg_slice_split(s, '\t', &head);
        if (n == max)
            return max + 1;
        cols[n++] = head;
        if (!rest.ptr)
            return n;
        s = rest;
    }
}

static const char *adup(vg_gobuildinfo *bi, vg_slice s)
{
    return vg_arena_strndup(bi->arena, s.ptr, s.len);
}

static int mod_error(const char *where, unsigned long line, const char *what)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, where, strlen(where), 1024);
    vg_strbuf_printf(&sb, ": Go build info line %lu: %s", line, what);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

int vg__go_modinfo_parse(vg_gobuildinfo *out, const char *where, const char *text, size_t len)
{
    memset(out, 0, sizeof(*out));
    out->arena = vg_arena_new(16384);
    vg_slice rest = {text, len}, line;
    unsigned long lineno = 0;
    vg_gomod *last = NULL;
    size_t cap_deps = 0;
    while (rest.ptr && rest.len) {
        rest = vg_slice_split(rest, '\n', &line);
        lineno++;
        vg_slice cols[4];
        if (vg_slice_starts_with(line, "path\t")) {
            out->path = adup(out, (vg_slice){line.ptr + 5, line.len - 5});
        } else if (vg_slice_starts_with(line, "mod\t") || vg_slice_starts_with(line, "dep\t")) {
            bool dep = line.ptr[0] == 'd';
            int n = split_tabs((vg_slice){line.ptr + 4, line.len - 4}, cols, 3);
            if (n != 2 && n != 3)
                return mod_error(where, lineno, "expected 2 or 3 columns in a mod/dep line");
            if (dep) {
                if (out->n_deps == cap_deps) {
                    size_t ncap = cap_deps ? cap_deps * 2 : 16;
                    vg_gomod *grown = vg_arena_alloc(out->arena, ncap * sizeof(vg_gomod));
                    if (out->n_deps)
                        memcpy(grown, out->deps, out->n_deps * sizeof(vg_gomod));
                    out->deps = grown;
                    cap_deps = ncap;
                }
                last = &out->deps[out->n_deps++];
            } else {
                last = &out->main;
            }
            memset(last, 0, sizeof(*last));
            last->path = adup(out, cols[0]);
            last->version = adup(out, cols[1]);
            last->sum = adup(out, n == 3 ? cols[2] : (vg_slice){"", 0});
        } else if (vg_slice_starts_with(line, "=>\t")) {
            int n = split_tabs((vg_slice){line.ptr + 3, line.len - 3}, cols, 3);
            if (n != 3)
                return mod_error(where, lineno, "expected 3 columns for replacement");
            if (!last)
                return mod_error(where, lineno, "replacement with no module on previous line");
            last->rpath = adup(out, cols[0]);
            last->rversion = adup(out, cols[1]);
            last = NULL;
        } else if (vg_slice_starts_with(line, "build\t-ldflags=")) {
            out->ldflags = adup(out, (vg_slice){line.ptr + 15, line.len - 15});
        }
    }
    return 0;
}

/* ---- reporting ------------------------------------------------------------------------- */

bool vg__go_semver(vg_strbuf *out, const char *goversion)
{
    vg_strbuf_reset(out);
    if (!goversion || strncmp(goversion, "go1", 3) != 0)
        return false;
    const char *p = goversion + 2; /* at "1" */
    unsigned long parts[3] = {0, 0, 0};
    int n = 0;
    while (n < 3) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned long v = 0;
        while (*p >= '0' && *p <= '9' && v < 100000000)
            v = v * 10 + (unsigned long)(*p++ - '0');
        parts[n++] = v;
        if (*p != '.')
            break;
        p++;
    }
    const char *pre = NULL;
    unsigned long pre_n = 0;
    if (strncmp(p, "rc", 2) == 0 || strncmp(p, "beta", 4) == 0) {
        pre = p[0] == 'r' ? "rc" : "beta";
        p += strlen(pre);
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9' && pre_n < 100000000)
            pre_n = pre_n * 10 + (unsigned long)(*p++ - '0');
    }
    if (*p != '\0' && *p != ' ')
        return false;
    vg_strbuf_printf(out, "v%lu.%lu.%lu", parts[0], parts[1], parts[2]);
    if (pre)
        vg_strbuf_printf(out, "-%s.%lu", pre, pre_n);
    return true;
}

/* The version "-X main.version=v1.0.0" (or main.Version) sets in -ldflags, or NULL. */
static const char *ldflags_version(vg_gobuildinfo *bi)
{
    const char *f = bi->ldflags;
    if (!f)
        return NULL;
    static const char *const keys[] = {"main.version=", "main.Version="};
    for (size_t k = 0; k < VG_ARRAY_LEN(keys); k++) {
        const char *hit = strstr(f, keys[k]);
        /* "-X main.version=", "-X=main.version=", "'-X' 'main.version='"... */
        if (!hit || hit == f || !(hit[-1] == ' ' || hit[-1] == '=' || hit[-1] == '\''))
            continue;
        const char *v = hit + strlen(keys[k]);
        size_t n = strcspn(v, " \"'");
        if (n == 0 || n > 128)
            continue;
        bool digit = v[0] >= '0' && v[0] <= '9';
        bool vdigit = v[0] == 'v' && v[1] >= '0' && v[1] <= '9';
        if (!digit && !vdigit)
            continue;
        vg_strbuf sb;
        vg_strbuf_init(&sb, 256);
        vg_strbuf_printf(&sb, "%s%.*s", digit ? "v" : "", (int)n, v);
        const char *out = vg_arena_strndup(bi->arena, sb.buf, sb.len);
        vg_strbuf_dispose(&sb);
        return out;
    }
    return NULL;
}

static int add_module(vg_layer_result *r, vg_pkgdb *db, const char *path, const char *version,
                      uint64_t max_pkgs)
{
    if (!path || !*path || !version || !*version)
        return 0;
    int rc;
    vg_package *p = vg__pkgdb_add_lang(r, db, path, version, max_pkgs, &rc);
    if (p) {
        /* pkg:golang/<module path up to its last '/'>/<last element>@<version> */
        const char *slash = strrchr(path, '/');
        char *ns = slash ? vg_xstrndup(path, (size_t)(slash - path)) : NULL;
        p->purl = vg__purl(r, "golang", ns, slash ? slash + 1 : path, version, NULL, 0);
        free(ns);
    }
    return rc;
}

static int parse_stream(vg_layer_result *r, const char *path, vg_index_reader *rd,
                        const vg_index_limits *lim)
{
    vg_index_limits defaults;
    if (!lim) {
        vg_index_limits_default(&defaults);
        lim = &defaults;
    }
    vg_gobuildinfo bi;
    int rc = vg__gobin_read(&bi, path, rd, lim);
    if (rc == VG_ENOTFOUND) {
        vg_error_clear();
        return 0; /* not a Go binary */
    }
    if (rc)
        return rc;
    vg_pkgdb *db = vg_layer_result_add_db(r, path, VG_PKG_GO);
    const char *main_version = bi.main.version;
    if (main_version && strcmp(main_version, "(devel)") == 0)
        main_version = ldflags_version(&bi);
    rc = add_module(r, db, bi.main.path, main_version, lim->max_pkgs);
    for (size_t i = 0; rc == 0 && i < bi.n_deps; i++) {
        const vg_gomod *m = &bi.deps[i];
        if (m->rpath)
            rc = add_module(r, db, m->rpath, m->rversion, lim->max_pkgs);
        else
            rc = add_module(r, db, m->path, m->version, lim->max_pkgs);
    }
    vg_strbuf sv;
    vg_strbuf_init(&sv, 256);
    if (rc == 0 && vg__go_semver(&sv, bi.goversion)) {
        int rc2;
        vg_package *p = vg__pkgdb_add_lang(r, db, "stdlib", sv.buf, lim->max_pkgs, &rc2);
        if (p)
            p->purl = vg__purl(r, "golang", NULL, "stdlib", sv.buf, NULL, 0);
        rc = rc2;
    }
    vg_strbuf_dispose(&sv);
    vg__gobuildinfo_dispose(&bi);
    if (rc)
        r->n_dbs--;
    else
        vg__pkgdb_make_set(db);
    return rc;
}

/* Regular files with an execute bit, big enough for an ELF header. */
static bool wants_entry(const char *path, unsigned mode, int64_t size)
{
    (void)path;
    return (mode & 0111) != 0 && (size < 0 || size >= 64);
}

const vg_stream_scanner vg__scanner_gobin = {"gobin", wants_entry, parse_stream};
