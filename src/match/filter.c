/* filter.c — the report filters users set on `vigil scan` (and later on the API): severity
 * set, --ignore-unfixed, and ignore files with optional expiry dates, whose expired entries
 * stop applying and are reported back. */
#include "match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void vg_filter_init(vg_filter *f)
{
    memset(f, 0, sizeof(*f));
}

void vg_filter_dispose(vg_filter *f)
{
    for (size_t i = 0; i < f->n_rules; i++) {
        free(f->rules[i].id);
        free(f->rules[i].expires);
        free(f->rules[i].reason);
    }
    free(f->rules);
    vg_filter_init(f);
}

int vg_filter_parse_severities(vg_filter *f, const char *list)
{
    vg_slice rest = vg_slice_from_cstr(list);
    f->severity_mask = 0;
    while (rest.ptr) {
        vg_slice word;
        rest = vg_slice_split(rest, ',', &word);
        word = vg_slice_trim(word);
        if (word.len == 0)
            continue;
        char name[32];
        if (word.len >= sizeof(name))
            return vg_error_set(VG_EINVAL, "--severity: unknown severity '%.*s'", 31, word.ptr);
        memcpy(name, word.ptr, word.len);
        name[word.len] = '\0';
        vg_severity s;
        if (vg_severity_parse(&s, name) != 0)
            return vg_error_set(VG_EINVAL,
                                "--severity: unknown severity '%s' (want UNKNOWN, NEGLIGIBLE, "
                                "LOW, MEDIUM, HIGH, CRITICAL)",
                                name);
        f->severity_mask |= 1u << s;
    }
    if (f->severity_mask == 0)
        return vg_error_set(VG_EINVAL, "--severity: empty list");
    return 0;
}

static bool is_date(vg_slice d)
{
    static const char shape[] = "dddd-dd-dd";
    if (d.len != 10)
        return false;
    for (size_t i = 0; i < 10; i++)
        if (shape[i] == 'd' ? (d.ptr[i] < '0' || d.ptr[i] > '9') : d.ptr[i] != '-')
            return false;
    return true;
}

int vg_filter_load_ignore_file(vg_filter *f, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return vg_error_set(VG_EIO, "ignore file %s: cannot open", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        vg_slice s = vg_slice_trim((vg_slice){line, (size_t)n});
        if (s.len == 0 || s.ptr[0] == '#')
            continue;
        vg_slice body, reason = {NULL, 0};
        vg_slice after = vg_slice_split(s, '#', &body);
        if (after.ptr)
            reason = vg_slice_trim(after);
        body = vg_slice_trim(body);
        vg_slice id, rest = vg_slice_split(body, ' ', &id);
        vg_slice expires = {NULL, 0};
        rest = vg_slice_trim(rest);
        if (rest.ptr && rest.len) {
            if (!vg_slice_starts_with(rest, "exp:") ||
                !is_date((vg_slice){rest.ptr + 4, rest.len - 4})) {
                rc = vg_error_set(VG_EINVAL,
                                  "ignore file %s:%lu: want \"ID [exp:YYYY-MM-DD] [# reason]\"",
                                  path, lineno);
                break;
            }
            expires = (vg_slice){rest.ptr + 4, rest.len - 4};
        }
        if (f->n_rules >= VG_IGNORE_MAX_RULES) {
            rc = vg_error_set(VG_ETOOBIG, "ignore file %s: more than %d rules", path,
                              VG_IGNORE_MAX_RULES);
            break;
        }
        f->rules = vg_xrealloc(f->rules, (f->n_rules + 1) * sizeof(*f->rules));
        vg_ignore_rule *r = &f->rules[f->n_rules++];
        r->id = vg_xstrndup(id.ptr, id.len);
        r->expires = expires.ptr ? vg_xstrndup(expires.ptr, expires.len) : NULL;
        r->reason = reason.ptr && reason.len ? vg_xstrndup(reason.ptr, reason.len) : NULL;
        r->line = lineno;
    }
    free(line);
    fclose(fp);
    return rc;
}

void vg_filter_apply(vg_vuln_report *r, const vg_filter *f, const char *today,
                     vg_filter_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
    for (size_t i = 0; i < f->n_rules; i++) {
        if (f->rules[i].expires && strcmp(f->rules[i].expires, today) < 0) {
            stats->expired = vg_xrealloc(stats->expired,
                                         (stats->n_expired + 1) * sizeof(const vg_ignore_rule *));
            stats->expired[stats->n_expired++] = &f->rules[i];
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        const vg_finding *fd = &r->findings[i];
        bool drop = false;
        if (f->severity_mask && !(f->severity_mask & (1u << fd->severity))) {
            stats->removed_severity++;
            drop = true;
        } else if (f->ignore_unfixed && !fd->fixed_version) {
            stats->removed_unfixed++;
            drop = true;
        } else {
            for (size_t k = 0; k < f->n_rules && !drop; k++) {
                const vg_ignore_rule *rule = &f->rules[k];
                if (strcmp(rule->id, fd->id) == 0 &&
                    !(rule->expires && strcmp(rule->expires, today) < 0)) {
                    stats->removed_ignored++;
                    drop = true;
                }
            }
        }
        if (!drop)
            r->findings[kept++] = *fd;
    }
    r->n_findings = kept;
}

void vg_filter_stats_dispose(vg_filter_stats *stats)
{
    free(stats->expired);
    memset(stats, 0, sizeof(*stats));
}
