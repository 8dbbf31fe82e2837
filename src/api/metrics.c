/* metrics.c — the Prometheus registry behind GET /metrics (src/api/): families in a list under
 * the registry lock, each with its own mutex, its label sets in first-use order plus an
 * open-addressed hash index, capped at VG_METRICS_MAX_SERIES with one "other" overflow
 * series; and the text exposition (format 0.0.4). */
#include "metrics_int.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum metric_kind {
    KIND_COUNTER,
    KIND_GAUGE,
    KIND_HISTOGRAM,
} metric_kind;

typedef struct series {
    char *values[VG_METRICS_MAX_LABELS];
    char *label_text; /* `a="x",b="y"`, escaped; "" without labels */
    uint32_t hash;
    double value;      /* counters and gauges */
    double sum;        /* histograms */
    uint64_t count;    /* histograms */
    uint64_t *buckets; /* histograms: n_bounds + 1 counts, the last for +Inf; not cumulative */
} series;

struct vg_metric {
    struct vg_metric *next;
    metric_kind kind;
    char *name;
    char *help;
    char *labels[VG_METRICS_MAX_LABELS];
    size_t n_labels;
    double *bounds;
    size_t n_bounds;
    double (*fn)(void *); /* callback gauges */
    void *ctx;
    pthread_mutex_t mu;
    series **series; /* first-use order */
    size_t n_series, cap_series;
    series **index; /* open addressing; index_cap is a power of two, at most half full */
    size_t index_cap;
};

struct vg_metrics {
    pthread_mutex_t mu;
    vg_metric *head;
    vg_metric **tail;
};

static void bug(const char *what, const char *name) __attribute__((noreturn));

/* Misuse of the registration API is a programming error, not input. */
static void bug(const char *what, const char *name)
{
    fprintf(stderr, "vigil: metrics: %s: %s\n", name ? name : "(null)", what);
    abort();
}

/* ---- names and escaping --------------------------------------------------------------- */

static bool valid_name(const char *s, bool colon)
{
    if (!s || !*s)
        return false;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Appends `s` escaped for a label value (quote = true) or a HELP text: backslash, newline and
 * (in values) the double quote; invalid UTF-8 bytes become U+FFFD. */
static void put_escaped(vg_strbuf *out, const char *s, bool quote)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t run = 0;
        while (i + run < n) {
            unsigned char c = p[i + run];
            if (c == '\\' || c == '\n' || (quote && c == '"'))
                break;
            size_t k = utf8_len(p + i + run, n - i - run);
            if (k == 0)
                break;
            run += k;
        }
        vg_strbuf_append(out, s + i, run);
        i += run;
        if (i == n)
            break;
        unsigned char c = p[i];
        if (c == '\\')
            vg_strbuf_puts(out, "\\\\");
        else if (c == '\n')
            vg_strbuf_puts(out, "\\n");
        else if (c == '"')
            vg_strbuf_puts(out, "\\\"");
        else
            vg_strbuf_puts(out, "\xef\xbf\xbd");
        i++;
    }
}

/* Go's float formatting as Prometheus prints it: +Inf, -Inf, NaN, integers exactly, else the
 * shortest %g that reads back as the same double. */
static void put_double(vg_strbuf *out, double v)
{
    if (isnan(v)) {
        vg_strbuf_puts(out, "NaN");
        return;
    }
    if (isinf(v)) {
        vg_strbuf_puts(out, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
        vg_strbuf_printf(out, "%lld", (long long)(int64_t)v);
        return;
    }
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    vg_strbuf_puts(out, buf);
}

/* ---- registry ------------------------------------------------------------------------- */

vg_metrics *vg_metrics_new(void)
{
    vg_metrics *m = vg_xcalloc(1, sizeof(*m));
    pthread_mutex_init(&m->mu, NULL);
    m->tail = &m->head;
    return m;
}

static void series_free(series *s)
{
    for (size_t i = 0; i < VG_METRICS_MAX_LABELS; i++)
        free(s->values[i]);
    free(s->label_text);
    free(s->buckets);
    free(s);
}

void vg_metrics_free(vg_metrics *m)
{
    if (!m)
        return;
    vg_metric *f = m->head;
    while (f) {
        vg_metric *next = f->next;
        for (size_t i = 0; i < f->n_series; i++)
            series_free(f->series[i]);
        free(f->series);
        free(f->index);
        for (size_t i = 0; i < f->n_labels; i++)
            free(f->labels[i]);
        free(f->bounds);
        free(f->name);
        free(f->help);
        pthread_mutex_destroy(&f->mu);
        free(f);
        f = next;
    }
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static vg_metric *family_new(vg_metrics *m, metric_kind kind, const char *name, const char *help,
                             const char *const *label_names, size_t n_labels)
{
    if (!m)
        bug("no registry", name);
    if (!valid_name(name, true))
        bug("invalid metric name", name);
    if (n_labels > VG_METRICS_MAX_LABELS)
        bug("too many labels", name);
    if (n_labels > 0 && !label_names)
        bug("no label names", name);
    for (size_t i = 0; i < n_labels; i++) {
        const char *l = label_names[i];
        if (!valid_name(l, false) || strncmp(l, "__", 2) == 0 ||
            (kind == KIND_HISTOGRAM && strcmp(l, "le") == 0))
            bug("invalid label name", name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(label_names[j], l) == 0)
                bug("duplicate label name", name);
    }
    vg_metric *f = vg_xcalloc(1, sizeof(*f));
    f->kind = kind;
    f->name = vg_xstrdup(name);
    f->help = vg_xstrdup(help ? help : "");
    for (size_t i = 0; i < n_labels; i++)
        f->labels[i] = vg_xstrdup(label_names[i]);
    f->n_labels = n_labels;
    pthread_mutex_init(&f->mu, NULL);
    return f;
}

static vg_metric *family_add(vg_metrics *m, vg_metric *f)
{
    pthread_mutex_lock(&m->mu);
    for (vg_metric *g = m->head; g; g = g->next)
        if (strcmp(g->name, f->name) == 0) {
            pthread_mutex_unlock(&m->mu);
            bug("registered twice", f->name);
        }
    *m->tail = f;
    m->tail = &f->next;
    pthread_mutex_unlock(&m->mu);
    return f;
}

static series *find(vg_metric *f, const char *const *values);

/* A family without labels has its one series from the start, so it renders as 0. */
static vg_metric *family_add_series(vg_metrics *m, vg_metric *f)
{
    if (f->n_labels == 0) {
        pthread_mutex_lock(&f->mu);
        find(f, NULL);
        pthread_mutex_unlock(&f->mu);
    }
    return family_add(m, f);
}

vg_metric *vg_metrics_counter(vg_metrics *m, const char *name, const char *help,
                              const char *const *label_names, size_t n_labels)
{
    return family_add_series(m, family_new(m, KIND_COUNTER, name, help, label_names, n_labels));
}

vg_metric *vg_metrics_gauge(vg_metrics *m, const char *name, const char *help,
                            const char *const *label_names, size_t n_labels)
{
    return family_add_series(m, family_new(m, KIND_GAUGE, name, help, label_names, n_labels));
}

vg_metric *vg_metrics_histogram(vg_metrics *m, const char *name, const char *help,
                                const char *const *label_names, size_t n_labels,
                                const double *buckets, size_t n_buckets)
{
    if (n_buckets > 0 && buckets && isinf(buckets[n_buckets - 1]) && buckets[n_buckets - 1] > 0)
        n_buckets--; /* +Inf is implied */
    if (!buckets || n_buckets == 0 || n_buckets > VG_METRICS_MAX_BUCKETS)
        bug("needs 1 to VG_METRICS_MAX_BUCKETS buckets", name);
    for (size_t i = 0; i < n_buckets; i++)
        if (!isfinite(buckets[i]) || (i > 0 && !(buckets[i] > buckets[i - 1])))
            bug("buckets must be finite and increasing", name);
    vg_metric *f = family_new(m, KIND_HISTOGRAM, name, help, label_names, n_labels);
    f->bounds = vg_xmalloc(n_buckets * sizeof(double));
    memcpy(f->bounds, buckets, n_buckets * sizeof(double));
    f->n_bounds = n_buckets;
    return family_add_series(m, f);
}

void vg_metrics_gauge_func(vg_metrics *m, const char *name, const char *help, double (*fn)(void *),
                           void *ctx)
{
    if (!fn)
        bug("no callback", name);
    vg_metric *f = family_new(m, KIND_GAUGE, name, help, NULL, 0);
    f->fn = fn;
    f->ctx = ctx;
    family_add(m, f);
}

/* ---- series lookup (the family's mutex held) ------------------------------------------ */

static uint32_t hash_values(const char *const *v, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a, with a 0xff separator no UTF-8 text contains */
    for (size_t i = 0; i < n; i++) {
        for (const unsigned char *p = (const unsigned char *)v[i]; *p; p++)
            h = (h ^ *p) * 16777619u;
        h = (h ^ 0xffu) * 16777619u;
    }
    return h;
}

static series *lookup(const vg_metric *f, const char *const *v, uint32_t h)
{
    if (!f->index)
        return NULL;
    size_t mask = f->index_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        series *s = f->index[i];
        if (!s)
            return NULL;
        if (s->hash != h)
            continue;
        bool same = true;
        for (size_t k = 0; k < f->n_labels && same; k++)
            same = strcmp(s->values[k], v[k]) == 0;
        if (same)
            return s;
    }
}

static void index_put(series **index, size_t cap, series *s)
{
    size_t i = s->hash & (cap - 1);
    while (index[i])
        i = (i + 1) & (cap - 1);
    index[i] = s;
}

static series *insert(vg_metric *f, const char *const *v, uint32_t h)
{
    if ((f->n_series + 1) * 2 > f->index_cap) {
        size_t cap = f->index_cap ? f->index_cap * 2 : 8;
        series **index = vg_xcalloc(cap, sizeof(series *));
        for (size_t i = 0; i < f->n_series; i++)
            index_put(index, cap, f->series[i]);
        free(f->index);
        f->index = index;
        f->index_cap = cap;
    }
    if (f->n_series == f->cap_series) {
        f->cap_series = f->cap_series ? f->cap_series * 2 : 4;
        f->series = vg_xrealloc(f->series, f->cap_series * sizeof(series *));
    }
    series *s = vg_xcalloc(1, sizeof(*s));
    vg_strbuf lt;
    vg_strbuf_init(&lt, 0);
    for (size_t k = 0; k < f->n_labels; k++) {
        s->values[k] = vg_xstrdup(v[k]);
        vg_strbuf_printf(&lt, "%s%s=\"", k ? "," : "", f->labels[k]);
        put_escaped(&lt, v[k], true);
        vg_strbuf_putc(&lt, '"');
    }
    s->label_text = vg_strbuf_detach(&lt);
    vg_strbuf_dispose(&lt);
    s->hash = h;
    if (f->kind == KIND_HISTOGRAM)
        s->buckets = vg_xcalloc(f->n_bounds + 1, sizeof(uint64_t));
    f->series[f->n_series++] = s;
    index_put(f->index, f->index_cap, s);
    return s;
}

/* The series for `values`, created on first use; past the caps, the "other" series. */
static series *find(vg_metric *f, const char *const *values)
{
    const char *v[VG_METRICS_MAX_LABELS];
    bool overflow = false;
    for (size_t k = 0; k < f->n_labels; k++) {
        v[k] = values && values[k] ? values[k] : "";
        if (strnlen(v[k], VG_METRICS_MAX_VALUE + 1) > VG_METRICS_MAX_VALUE)
            overflow = true;
    }
    if (!overflow) {
        uint32_t h = hash_values(v, f->n_labels);
        series *s = lookup(f, v, h);
        if (s)
            return s;
        if (f->n_series < VG_METRICS_MAX_SERIES)
            return insert(f, v, h);
    }
    for (size_t k = 0; k < f->n_labels; k++)
        v[k] = VG_METRICS_OTHER;
    uint32_t h = hash_values(v, f->n_labels);
    series *s = lookup(f, v, h);
    return s ? s : insert(f, v, h); /* the one series allowed past the cap */
}

/* ---- updates -------------------------------------------------------------------------- */

void vg_metric_add(vg_metric *c, const char *const *label_values, double v)
{
    if (!c || c->fn || (c->kind != KIND_COUNTER && c->kind != KIND_GAUGE))
        bug("vg_metric_add needs a counter or gauge", c ? c->name : NULL);
    if (c->kind == KIND_COUNTER && !(v >= 0))
        return;
    pthread_mutex_lock(&c->mu);
    find(c, label_values)->value += v;
    pthread_mutex_unlock(&c->mu);
}

void vg_metric_set(vg_metric *g, const char *const *label_values, double v)
{
    if (!g || g->fn || g->kind != KIND_GAUGE)
        bug("vg_metric_set needs a gauge", g ? g->name : NULL);
    pthread_mutex_lock(&g->mu);
    find(g, label_values)->value = v;
    pthread_mutex_unlock(&g->mu);
}

void vg_metric_observe(vg_metric *h, const char *const *label_values, double v)
{
    if (!h || h->kind != KIND_HISTOGRAM)
        bug("vg_metric_observe needs a histogram", h ? h->name : NULL);
    if (isnan(v))
        return;
    size_t b = 0;
    while (b < h->n_bounds && v > h->bounds[b])
        b++;
    pthread_mutex_lock(&h->mu);
    series *s = find(h, label_values);
    s->buckets[b]++;
    s->count++;
    s->sum += v;
    pthread_mutex_unlock(&h->mu);
}

/* ---- exposition ----------------------------------------------------------------------- */

/* name + suffix + {labels[,le="x"]} + " " — the start of a sample line. */
static void put_sample_start(vg_strbuf *out, const vg_metric *f, const char *suffix,
                             const series *s, const double *le)
{
    vg_strbuf_puts(out, f->name);
    vg_strbuf_puts(out, suffix);
    bool labels = s && s->label_text[0];
    if (labels || le) {
        vg_strbuf_putc(out, '{');
        if (labels)
            vg_strbuf_puts(out, s->label_text);
        if (le) {
            vg_strbuf_puts(out, labels ? ",le=\"" : "le=\"");
            put_double(out, *le);
            vg_strbuf_putc(out, '"');
        }
        vg_strbuf_putc(out, '}');
    }
    vg_strbuf_putc(out, ' ');
}

static void render_family(vg_strbuf *out, vg_metric *f)
{
    static const char *const type_names[] = {"counter", "gauge", "histogram"};
    vg_strbuf_printf(out, "# HELP %s ", f->name);
    put_escaped(out, f->help, false);
    vg_strbuf_printf(out, "\n# TYPE %s %s\n", f->name, type_names[f->kind]);
    if (f->fn) {
        put_sample_start(out, f, "", NULL, NULL);
        put_double(out, f->fn(f->ctx));
        vg_strbuf_putc(out, '\n');
        return;
    }
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->n_series; i++) {
        const series *s = f->series[i];
        if (f->kind != KIND_HISTOGRAM) {
            put_sample_start(out, f, "", s, NULL);
            put_double(out, s->value);
            vg_strbuf_putc(out, '\n');
            continue;
        }
        uint64_t cum = 0;
        for (size_t b = 0; b <= f->n_bounds; b++) {
            static const double inf = INFINITY;
            cum += s->buckets[b];
            put_sample_start(out, f, "_bucket", s, b < f->n_bounds ? &f->bounds[b] : &inf);
            vg_strbuf_printf(out, "%llu\n", (unsigned long long)cum);
        }
        put_sample_start(out, f, "_sum", s, NULL);
        put_double(out, s->sum);
        vg_strbuf_putc(out, '\n');
        put_sample_start(out, f, "_count", s, NULL);
        vg_strbuf_printf(out, "%llu\n", (unsigned long long)s->count);
    }
    pthread_mutex_unlock(&f->mu);
}

void vg_metrics_render(vg_strbuf *out, vg_metrics *m)
{
    pthread_mutex_lock(&m->mu);
    for (vg_metric *f = m->head; f; f = f->next)
        render_family(out, f);
    pthread_mutex_unlock(&m->mu);
}
