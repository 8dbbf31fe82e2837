/* os_release.c — the distribution scanner of src/index/: etc/os-release, usr/lib/os-release,
 * etc/lsb-release, etc/debian_version, etc/alpine-release, etc/redhat-release and
 * etc/system-release each become one vg_release_file candidate; vg__distribution_finish derives
 * the vigil namespace ("debian:12", "rhel:9") the matcher uses. The coalescer, not this file,
 * chooses between the candidates of an image. */
#include "index_int.h"

#include <stdarg.h>
#include <string.h>

/*
 * os-release and lsb-release are shell-style assignments (os-release(5)), read as systemd
 * reads them: blank lines and lines starting with '#' are skipped; every other line is
 * KEY=VALUE with KEY a shell variable name; VALUE may mix bare text, "double quotes" (where
 * a backslash escapes " \ $ ` and stays literal before anything else) and 'single quotes'
 * (no escapes); a bare backslash escapes the next character; bare trailing blanks are
 * dropped. A line without '=', a bad KEY, an unterminated quote or a dangling backslash is
 * VG_EINVAL "<path>:<line>: ...". Unknown keys are ignored; a repeated key's last value wins;
 * an empty value counts as absent.
 *
 * debian_version and alpine-release hold one word on their first line ("12.5", "trixie/sid",
 * "3.19.1"); an empty file or a word with unexpected characters is an error.
 *
 * redhat-release and system-release (the RPM family; system-release is Amazon Linux's, and a
 * symlink elsewhere) hold "<name> release <version> [(<codename>)]" on their first line:
 * "Red Hat Enterprise Linux release 9.3 (Plow)", "CentOS Stream release 9", "Amazon Linux
 * release 2 (Karoo)". The name gives the os-release ID: Red Hat... rhel, CentOS... centos,
 * Rocky... rocky, AlmaLinux... almalinux, Fedora... fedora, Oracle... ol, Amazon... amzn,
 * SUSE... sles, openSUSE... opensuse, VMware Photon... photon; any other name its first word,
 * lowercased. An empty first line, no " release " or a version with unexpected characters
 * is an error.
 *
 * Namespaces (vg__distribution_finish): the major version for rhel (UBI images are ID=rhel),
 * centos, rocky, almalinux and ol ("rhel:9" of "9.3"); CentOS Stream (NAME or PRETTY_NAME
 * containing "Stream") is "centos:stream9", apart from CentOS Linux 8 ("centos:8"), since it
 * is a different product with its own lifecycle; amzn the major ("amzn:2", "amzn:2023" of
 * "2023.3.20240219") except Amazon Linux AMI 1, whose release is its year.month
 * ("amzn:2018.03"); alpine major.minor; every other ID keeps VERSION_ID whole ("fedora:39",
 * "sles:15.5", "opensuse-leap:15.5", "photon:5.0").
 */

#define VALUE_MAX 65536 /* longest value kept from a release file */

typedef struct cursor {
    const char *p, *end;
    unsigned long lineno;
} cursor;

/* The distribution fields a release file can set. */
enum { S_ID, S_NAME, S_VERSION, S_VERSION_ID, S_CODENAME, S_PRETTY, S_CPE, S_COUNT };

typedef struct key_slot {
    const char *key;
    int slot;
} key_slot;

static const key_slot os_release_keys[] = {
    {"ID", S_ID},
    {"NAME", S_NAME},
    {"VERSION", S_VERSION},
    {"VERSION_ID", S_VERSION_ID},
    {"VERSION_CODENAME", S_CODENAME},
    {"PRETTY_NAME", S_PRETTY},
    {"CPE_NAME", S_CPE},
    {NULL, 0},
};

static const key_slot lsb_release_keys[] = {
    {"DISTRIB_ID", S_ID},
    {"DISTRIB_RELEASE", S_VERSION_ID},
    {"DISTRIB_CODENAME", S_CODENAME},
    {"DISTRIB_DESCRIPTION", S_PRETTY},
    {NULL, 0},
};

typedef enum file_kind {
    K_OS_RELEASE,
    K_LSB_RELEASE,
    K_DEBIAN_VERSION,
    K_ALPINE_RELEASE,
    K_REDHAT_RELEASE,
} file_kind;

static const struct {
    const char *path;
    file_kind kind;
} release_paths[] = {
    {"etc/os-release", K_OS_RELEASE},         {"usr/lib/os-release", K_OS_RELEASE},
    {"etc/lsb-release", K_LSB_RELEASE},       {"etc/debian_version", K_DEBIAN_VERSION},
    {"etc/alpine-release", K_ALPINE_RELEASE}, {"etc/redhat-release", K_REDHAT_RELEASE},
    {"etc/system-release", K_REDHAT_RELEASE},
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Next line without its '\n' and one trailing '\r'. Never reads at or past `end`. */
static bool next_line(cursor *c, vg_slice *line)
{
    if (c->p >= c->end)
        return false;
    const char *start = c->p;
    const char *e = memchr(start, '\n', (size_t)(c->end - start));
    c->p = e ? e + 1 : c->end;
    if (!e)
        e = c->end;
    size_t n = (size_t)(e - start);
    if (n && start[n - 1] == '\r')
        n--;
    c->lineno++;
    *line = (vg_slice){start, n};
    return true;
}

static int parse_error(const char *path, unsigned long line, const char *fmt, ...) VG_PRINTF(3, 4);

static int parse_error(const char *path, unsigned long line, const char *fmt, ...)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 4096);
    vg_strbuf_put_escaped(&sb, path, strlen(path), 256);
    vg_strbuf_printf(&sb, ":%lu: ", line);
    va_list ap;
    va_start(ap, fmt);
    vg_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    int rc = vg_error_set(VG_EINVAL, "%s", sb.buf);
    vg_strbuf_dispose(&sb);
    return rc;
}

/* Unquotes the shell-style value `v` of line `line` into `out` (reset first). */
static int unquote(vg_strbuf *out, vg_slice v, const char *path, unsigned long line)
{
    enum { BARE, DQ, SQ } q = BARE;
    size_t keep = 0; /* out->len up to the last character that is not a bare blank */
    vg_strbuf_reset(out);
    for (size_t i = 0; i < v.len; i++) {
        char ch = v.ptr[i];
        if (q == SQ) {
            if (ch == '\'')
                q = BARE;
            else
                vg_strbuf_putc(out, ch);
            keep = out->len;
        } else if (q == DQ) {
            if (ch == '"') {
                q = BARE;
            } else if (ch == '\\') {
                if (++i == v.len)
                    break; /* reported as unterminated below */
                if (!strchr("\"\\$`", v.ptr[i]))
                    vg_strbuf_putc(out, '\\');
                vg_strbuf_putc(out, v.ptr[i]);
            } else {
                vg_strbuf_putc(out, ch);
            }
            keep = out->len;
        } else if (ch == '"') {
            q = DQ;
            keep = out->len;
        } else if (ch == '\'') {
            q = SQ;
            keep = out->len;
        } else if (ch == '\\') {
            if (++i == v.len)
                return parse_error(path, line, "backslash at the end of the line");
            vg_strbuf_putc(out, v.ptr[i]);
            keep = out->len;
        } else {
            vg_strbuf_putc(out, ch);
            if (!is_blank(ch))
                keep = out->len;
        }
    }
    if (q != BARE)
        return parse_error(path, line, "unterminated %s-quoted string",
                           q == DQ ? "double" : "single");
    if (vg_strbuf_error(out))
        return parse_error(path, line, "value longer than %d bytes", VALUE_MAX);
    if (keep < out->len) {
        out->len = keep;
        out->buf[keep] = '\0';
    }
    return 0;
}

/* Reads KEY=VALUE lines, keeping the values of `keys` in `vals` (indexed by slot). */
static int parse_assignments(vg_strbuf *vals, const key_slot *keys, const char *path,
                             const char *buf, size_t len)
{
    cursor c = {buf, len ? buf + len : buf, 0};
    vg_strbuf value;
    vg_strbuf_init(&value, VALUE_MAX);
    vg_slice line;
    int rc = 0;
    while (rc == 0 && next_line(&c, &line)) {
        while (line.len && is_blank(line.ptr[0]))
            line = (vg_slice){line.ptr + 1, line.len - 1};
        if (line.len == 0 || line.ptr[0] == '#')
            continue;
        vg_slice key;
        vg_slice rest = vg_slice_split(line, '=', &key);
        if (!rest.ptr) {
            rc = parse_error(path, c.lineno, "not a KEY=VALUE line");
            break;
        }
        while (key.len && is_blank(key.ptr[key.len - 1]))
            key.len--;
        bool ok = key.len > 0 && !is_digit(key.ptr[0]);
        for (size_t i = 0; ok && i < key.len; i++)
            ok = is_alpha(key.ptr[i]) || is_digit(key.ptr[i]) || key.ptr[i] == '_';
        if (!ok) {
            vg_strbuf q;
            vg_strbuf_init(&q, 1024);
            vg_strbuf_put_escaped(&q, key.ptr, key.len, 80);
            rc = parse_error(path, c.lineno, "invalid variable name \"%s\"", q.buf);
            vg_strbuf_dispose(&q);
            break;
        }
        while (rest.len && is_blank(rest.ptr[0]))
            rest = (vg_slice){rest.ptr + 1, rest.len - 1};
        rc = unquote(&value, rest, path, c.lineno);
        for (const key_slot *k = keys; rc == 0 && k->key; k++) {
            if (vg_slice_eq_cstr(key, k->key)) {
                vg_strbuf_reset(&vals[k->slot]);
                vg_strbuf_append(&vals[k->slot], value.buf, value.len);
            }
        }
    }
    vg_strbuf_dispose(&value);
    return rc;
}

/* The first line of a release file, trimmed and at most 256 bytes. */
static int first_line(vg_slice *out, const char *path, const char *buf, size_t len)
{
    cursor c = {buf, len ? buf + len : buf, 0};
    vg_slice line = {buf, 0};
    next_line(&c, &line);
    line = vg_slice_trim(line);
    if (line.len == 0)
        return parse_error(path, 1, "empty release file");
    if (line.len > 256)
        return parse_error(path, 1, "release string longer than 256 bytes");
    *out = line;
    return 0;
}

/* VG_EINVAL unless `word` is a plain version or codename. */
static int check_word(vg_slice word, const char *path)
{
    for (size_t i = 0; i < word.len; i++) {
        char ch = word.ptr[i];
        if (!is_alpha(ch) && !is_digit(ch) && !strchr(".+~_-/", ch)) {
            vg_strbuf q;
            vg_strbuf_init(&q, 1024);
            vg_strbuf_put_escaped(&q, word.ptr, word.len, 80);
            int rc = parse_error(path, 1, "unexpected character in release string \"%s\"", q.buf);
            vg_strbuf_dispose(&q);
            return rc;
        }
    }
    return 0;
}

/* The first line of a one-word file, trimmed; it must be a plain version or codename. */
static int parse_word_file(vg_slice *out, const char *path, const char *buf, size_t len)
{
    int rc = first_line(out, path, buf, len);
    return rc ? rc : check_word(*out, path);
}

static const char *dup_slice(vg_layer_result *r, vg_slice s)
{
    return s.len ? vg_layer_result_strndup(r, s.ptr, s.len) : NULL;
}

static const char *dup_cstr(vg_layer_result *r, const char *s)
{
    return dup_slice(r, vg_slice_from_cstr(s));
}

/* The os-release ID of the distribution a redhat-release name starts with. */
static const struct {
    const char *prefix;
    const char *id;
} redhat_names[] = {
    {"Red Hat", "rhel"},         {"CentOS", "centos"}, {"Rocky", "rocky"},
    {"AlmaLinux", "almalinux"},  {"Fedora", "fedora"}, {"Oracle", "ol"},
    {"Amazon", "amzn"},          {"SUSE", "sles"},     {"openSUSE", "opensuse"},
    {"VMware Photon", "photon"},
};

/* "<name> release <version> [(<codename>)]": see the comment at the top. */
static int parse_redhat_release(vg_layer_result *r, vg_distribution *d, const char *path,
                                const char *buf, size_t len)
{
    static const char sep[] = " release ";
    vg_slice line = {buf, 0};
    int rc = first_line(&line, path, buf, len);
    if (rc)
        return rc;
    const char *at = memmem(line.ptr, line.len, sep, sizeof(sep) - 1);
    if (!at || at == line.ptr)
        return parse_error(path, 1, "not \"<name> release <version>\"");
    vg_slice name = vg_slice_trim((vg_slice){line.ptr, (size_t)(at - line.ptr)});
    const char *after = at + sizeof(sep) - 1;
    vg_slice rest = vg_slice_trim((vg_slice){after, line.len - (size_t)(after - line.ptr)});
    vg_slice version;
    vg_slice tail = vg_slice_split(rest, ' ', &version);
    if (version.len == 0)
        return parse_error(path, 1, "no version after \"release\"");
    if ((rc = check_word(version, path)) != 0)
        return rc;
    if (tail.ptr) {
        tail = vg_slice_trim(tail);
        if (tail.len > 2 && tail.ptr[0] == '(' && tail.ptr[tail.len - 1] == ')')
            d->version_code_name = dup_slice(r, (vg_slice){tail.ptr + 1, tail.len - 2});
    }
    const char *id = NULL;
    for (size_t i = 0; !id && i < VG_ARRAY_LEN(redhat_names); i++)
        if (vg_slice_starts_with(name, redhat_names[i].prefix))
            id = redhat_names[i].id;
    vg_strbuf word;
    vg_strbuf_init(&word, 256);
    if (!id) {
        for (size_t i = 0; i < name.len && (is_alpha(name.ptr[i]) || is_digit(name.ptr[i])); i++)
            vg_strbuf_putc(&word, name.ptr[i]);
        id = word.buf; /* lowercased by vg__distribution_finish; "" becomes "linux" */
    }
    d->did = dup_cstr(r, id);
    vg_strbuf_dispose(&word);
    d->name = dup_slice(r, name);
    d->version = dup_slice(r, rest);
    d->version_id = dup_slice(r, version);
    d->pretty_name = dup_slice(r, line);
    return 0;
}

static int parse(vg_layer_result *r, const char *path, const char *buf, size_t len,
                 const vg_index_limits *lim)
{
    (void)lim; /* release files are small; the walker's byte caps are enough */
    file_kind kind = K_OS_RELEASE;
    for (size_t i = 0; i < VG_ARRAY_LEN(release_paths); i++)
        if (strcmp(path, release_paths[i].path) == 0)
            kind = release_paths[i].kind;

    vg_distribution d;
    memset(&d, 0, sizeof(d));
    int rc = 0;
    if (kind == K_REDHAT_RELEASE) {
        rc = parse_redhat_release(r, &d, path, buf, len);
        if (rc)
            return rc;
    } else if (kind == K_OS_RELEASE || kind == K_LSB_RELEASE) {
        vg_strbuf vals[S_COUNT];
        for (int i = 0; i < S_COUNT; i++)
            vg_strbuf_init(&vals[i], VALUE_MAX);
        rc = parse_assignments(vals, kind == K_OS_RELEASE ? os_release_keys : lsb_release_keys,
                               path, buf, len);
        const char *f[S_COUNT];
        for (int i = 0; i < S_COUNT; i++) {
            f[i] = dup_slice(r, (vg_slice){vals[i].buf, vals[i].len});
            vg_strbuf_dispose(&vals[i]);
        }
        if (rc)
            return rc;
        d.did = f[S_ID];
        d.name = kind == K_LSB_RELEASE ? f[S_ID] : f[S_NAME];
        d.version = f[S_VERSION];
        d.version_id = f[S_VERSION_ID];
        d.version_code_name = f[S_CODENAME];
        d.pretty_name = f[S_PRETTY];
        d.cpe = f[S_CPE];
    } else {
        vg_slice word;
        rc = parse_word_file(&word, path, buf, len);
        if (rc)
            return rc;
        if (kind == K_ALPINE_RELEASE) {
            d.did = dup_cstr(r, "alpine");
            d.name = dup_cstr(r, "Alpine Linux");
            d.version_id = dup_slice(r, word);
        } else {
            d.did = dup_cstr(r, "debian");
            d.name = dup_cstr(r, "Debian GNU/Linux");
            if (is_digit(word.ptr[0])) {
                /* "12.5": a point release; the namespace wants the major. */
                size_t n = 0;
                while (n < word.len && is_digit(word.ptr[n]))
                    n++;
                d.version = dup_slice(r, word);
                d.version_id = dup_slice(r, (vg_slice){word.ptr, n});
            } else {
                /* "trixie/sid": testing or unstable, no number yet. */
                vg_slice code;
                vg_slice_split(word, '/', &code);
                d.version_code_name = dup_slice(r, code);
            }
        }
    }
    vg_release_file *rf = vg_layer_result_add_release(r, path);
    d.found_in = rf->path;
    rf->dist = d;
    vg__distribution_finish(r, &rf->dist);
    return 0;
}

/* ---- namespaces ----------------------------------------------------------------------- */

static bool nonempty(const char *s)
{
    return s && *s;
}

/* Leading digits, then (if `parts` is 2) a dot and more digits: "3.19" of "3.19.1". */
static vg_slice numeric_prefix(const char *v, int parts)
{
    size_t n = 0;
    while (is_digit(v[n]))
        n++;
    if (n && parts == 2 && v[n] == '.' && is_digit(v[n + 1])) {
        n++;
        while (is_digit(v[n]))
            n++;
    }
    return (vg_slice){v, n};
}

static bool is_lower_word(vg_slice w)
{
    for (size_t i = 0; i < w.len; i++)
        if (w.ptr[i] < 'a' || w.ptr[i] > 'z')
            return false;
    return w.len > 0;
}

/* A Debian codename inside PRETTY_NAME or VERSION: "trixie" of "Debian GNU/Linux trixie/sid"
 * or of "... (trixie)", or a bare "sid". Empty if there is none. */
static vg_slice codename_in(const char *s)
{
    vg_slice rest = vg_slice_from_cstr(s), tok;
    while (rest.ptr) {
        rest = vg_slice_split(rest, ' ', &tok);
        bool paren = tok.len > 2 && tok.ptr[0] == '(' && tok.ptr[tok.len - 1] == ')';
        if (paren)
            tok = (vg_slice){tok.ptr + 1, tok.len - 2};
        vg_slice word;
        vg_slice after = vg_slice_split(tok, '/', &word);
        if (!is_lower_word(word))
            continue;
        if (after.ptr ? vg_slice_eq_cstr(after, "sid") : paren || vg_slice_eq_cstr(word, "sid"))
            return word;
    }
    return (vg_slice){NULL, 0};
}

/* CentOS Stream, as opposed to CentOS Linux: its NAME or PRETTY_NAME says so. */
static bool is_stream(const vg_distribution *d)
{
    return (nonempty(d->name) && strstr(d->name, "Stream")) ||
           (nonempty(d->pretty_name) && strstr(d->pretty_name, "Stream"));
}

void vg__distribution_finish(vg_layer_result *r, vg_distribution *d)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    /* os-release(5): ID defaults to "linux"; it is lowercase by definition. */
    const char *id = nonempty(d->did) ? d->did : "linux";
    for (const char *p = id; *p; p++)
        vg_strbuf_putc(&sb, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
    d->did = vg_layer_result_strndup(r, sb.buf, sb.len);
    vg_strbuf_putc(&sb, ':');

    const char *vid = nonempty(d->version_id) ? d->version_id : NULL;
    vg_slice ver = {NULL, 0};
    if (vid) {
        ver = vg_slice_from_cstr(vid);
        if (strcmp(d->did, "debian") == 0 || strcmp(d->did, "rhel") == 0 ||
            strcmp(d->did, "centos") == 0 || strcmp(d->did, "rocky") == 0 ||
            strcmp(d->did, "almalinux") == 0 || strcmp(d->did, "ol") == 0) {
            vg_slice m = numeric_prefix(vid, 1);
            if (m.len)
                ver = m;
            if (strcmp(d->did, "centos") == 0 && is_stream(d))
                vg_strbuf_puts(&sb, "stream");
        } else if (strcmp(d->did, "amzn") == 0) {
            /* Amazon Linux AMI 1 is "2018.03"; 2 and 2023 are the majors of "2", "2023.3...". */
            vg_slice m = numeric_prefix(vid, 1);
            if (m.len == 4 && memcmp(m.ptr, "2022", 4) < 0)
                m = numeric_prefix(vid, 2);
            if (m.len)
                ver = m;
        } else if (strcmp(d->did, "alpine") == 0) {
            vg_slice m = numeric_prefix(vid, 2);
            if (m.len)
                ver = m;
        }
    } else if (nonempty(d->version_code_name)) {
        ver = vg_slice_from_cstr(d->version_code_name);
    } else {
        /* Debian testing/sid has no VERSION_ID and sometimes no VERSION_CODENAME either. */
        const char *texts[] = {d->pretty_name, d->version};
        for (size_t i = 0; !ver.len && i < VG_ARRAY_LEN(texts); i++)
            if (nonempty(texts[i]))
                ver = codename_in(texts[i]);
        if (ver.len)
            d->version_code_name = vg_layer_result_strndup(r, ver.ptr, ver.len);
    }
    if (ver.len)
        vg_strbuf_append(&sb, ver.ptr, ver.len);
    else
        vg_strbuf_puts(&sb, "unknown");
    d->ns = vg_layer_result_strndup(r, sb.buf, sb.len);
    vg_strbuf_dispose(&sb);
}

static bool wants(const char *path)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(release_paths); i++)
        if (strcmp(path, release_paths[i].path) == 0)
            return true;
    return false;
}

const vg_scanner vg__scanner_os_release = {.name = "os-release", .wants = wants, .parse = parse};
