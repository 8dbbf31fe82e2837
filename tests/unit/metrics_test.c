/* metrics_test.c — unit tests of src/api/metrics.c, the Prometheus registry: exact exposition
 * text for counters, gauges, callback gauges and histograms; escaping; the series and
 * label-value caps; exact totals under concurrent updates; a strict line-format check of the
 * rendered text (format 0.0.4); and the aborts on registration misuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/metrics_int.h"
#include "util/util.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *render(vg_metrics *m)
{
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_metrics_render(&sb, m);
    assert_int_equal(vg_strbuf_error(&sb), 0);
    return vg_strbuf_detach(&sb);
}

static double rss(void *ctx)
{
    return *(const double *)ctx;
}

/* ---- a strict checker of the text format ----------------------------------------------- */

typedef struct checker {
    char family[128];
    char type[16];
    char seen[64][128]; /* families with a TYPE line */
    size_t n_seen;
    /* the histogram series being read */
    char hist_labels[512];
    double last_le;
    unsigned long long last_bucket;
    bool in_buckets;
    unsigned long long inf_bucket;
    bool have_inf;
} checker;

static bool name_char(char c, bool first, bool colon)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
           (!first && c >= '0' && c <= '9');
}

/* Consumes a metric (colon) or label name at *p; false when there is none. */
static bool take_name(const char **p, char *out, size_t cap, bool colon)
{
    size_t n = 0;
    while (name_char((*p)[n], n == 0, colon))
        n++;
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n;
    return true;
}

static bool valid_value(const char *s)
{
    if (!strcmp(s, "+Inf") || !strcmp(s, "-Inf") || !strcmp(s, "NaN"))
        return true;
    if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
        return false;
    char *end;
    strtod(s, &end);
    return *end == '\0';
}

/* NULL when `line` is well formed after the lines before it, else what is wrong. */
static const char *check_line(checker *c, const char *line)
{
    char name[128];
    const char *p = line;
    if (!strncmp(p, "# HELP ", 7)) {
        p += 7;
        if (!take_name(&p, name, sizeof(name), true) || *p != ' ')
            return "bad HELP line";
        for (p++; *p; p++)
            if (*p == '\\' && p[1] != '\\' && p[1] != 'n')
                return "bad escape in HELP";
            else if (*p == '\\')
                p++;
        return NULL;
    }
    if (!strncmp(p, "# TYPE ", 7)) {
        p += 7;
        if (!take_name(&p, name, sizeof(name), true) || *p != ' ')
            return "bad TYPE line";
        p++;
        if (strcmp(p, "counter") != 0 && strcmp(p, "gauge") != 0 && strcmp(p, "histogram") != 0)
            return "bad type";
        for (size_t i = 0; i < c->n_seen; i++)
            if (!strcmp(c->seen[i], name))
                return "family typed twice";
        if (c->n_seen == 64)
            return "too many families for the checker";
        snprintf(c->seen[c->n_seen++], sizeof(c->seen[0]), "%s", name);
        snprintf(c->family, sizeof(c->family), "%s", name);
        snprintf(c->type, sizeof(c->type), "%s", p);
        c->in_buckets = false;
        return NULL;
    }
    if (*p == '#')
        return "unexpected comment";

    /* A sample: name[{label="value",...}] value */
    if (!take_name(&p, name, sizeof(name), true))
        return "no metric name";
    char labels[512] = "", le[64] = "";
    if (*p == '{') {
        const char *open = ++p, *le_at = NULL;
        while (*p != '}') {
            char lname[128];
            const char *lstart = p;
            if (!take_name(&p, lname, sizeof(lname), false) || *p++ != '=' || *p++ != '"')
                return "bad label";
            const char *vstart = p;
            while (*p != '"') {
                if (!*p)
                    return "unterminated label value";
                if (*p == '\\') {
                    if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
                        return "bad escape in label value";
                    p++;
                }
                p++;
            }
            if (!strcmp(lname, "le")) {
                snprintf(le, sizeof(le), "%.*s", (int)(p - vstart), vstart);
                le_at = lstart;
            }
            p++;
            if (*p == ',')
                p++;
            else if (*p != '}')
                return "bad label list";
        }
        /* the labels without le (vigil prints it last), to group a histogram's lines */
        size_t n = (size_t)((le_at ? le_at : p) - open);
        if (n > 0 && open[n - 1] == ',')
            n--;
        snprintf(labels, sizeof(labels), "%.*s", (int)n, open);
        p++;
    }
    if (*p != ' ' || !valid_value(p + 1))
        return "bad sample value";
    const char *value = p + 1;

    /* The sample belongs to the family typed last. */
    size_t fl = strlen(c->family);
    if (!*c->family || strncmp(name, c->family, fl) != 0)
        return "sample outside its family";
    const char *suffix = name + fl;
    if (strcmp(c->type, "histogram") != 0) {
        if (*suffix || *le)
            return "bad sample name";
        return NULL;
    }
    if (!strcmp(suffix, "_bucket")) {
        if (!*le || !valid_value(le))
            return "bucket without le";
        unsigned long long v = strtoull(value, NULL, 10);
        double lev = !strcmp(le, "+Inf") ? INFINITY : strtod(le, NULL);
        if (c->in_buckets && !strcmp(c->hist_labels, labels)) {
            if (!(lev > c->last_le) || v < c->last_bucket)
                return "buckets not increasing/cumulative";
        }
        c->in_buckets = true;
        snprintf(c->hist_labels, sizeof(c->hist_labels), "%s", labels);
        c->last_le = lev;
        c->last_bucket = v;
        c->have_inf = isinf(lev);
        c->inf_bucket = v;
    } else if (!strcmp(suffix, "_sum")) {
        if (!c->have_inf || strcmp(c->hist_labels, labels) != 0)
            return "_sum without a +Inf bucket";
    } else if (!strcmp(suffix, "_count")) {
        if (!c->have_inf || strtoull(value, NULL, 10) != c->inf_bucket)
            return "_count differs from the +Inf bucket";
        c->in_buckets = false;
        c->have_inf = false;
    } else {
        return "bad histogram sample";
    }
    return NULL;
}

/* NULL when `text` is a well-formed exposition, else the first bad line and what is wrong
 * (static storage). */
static const char *exposition_error(const char *text)
{
    static char err[512];
    checker c;
    memset(&c, 0, sizeof(c));
    if (*text && text[strlen(text) - 1] != '\n')
        return "no newline at the end";
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        char *line = vg_xstrndup(p, (size_t)(nl - p));
        const char *e = *line ? check_line(&c, line) : "empty line";
        if (e)
            snprintf(err, sizeof(err), "%s: %.400s", e, line);
        free(line);
        if (e)
            return err;
        p = nl + 1;
    }
    return NULL;
}

static void check_exposition(const char *text)
{
    const char *e = exposition_error(text);
    if (e)
        fail_msg("%s", e);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_render_exact(void **state)
{
    (void)state;
    vg_metrics *m = vg_metrics_new();
    static const char *const req_labels[] = {"method", "route", "code"};
    vg_metric *c =
        vg_metrics_counter(m, "vigil_http_requests_total", "HTTP requests.", req_labels, 3);
    static const char *const get200[] = {"GET", "/v1/index_report", "200"};
    static const char *const post201[] = {"POST", "/v1/index_report", "201"};
    vg_metric_add(c, get200, 1);
    vg_metric_add(c, post201, 1);
    vg_metric_add(c, get200, 1);
    vg_metric_add(c, get200, -5); /* counters never go down */
    vg_metric_add(c, get200, NAN);

    vg_metric *g = vg_metrics_gauge(m, "vigil_db_age_seconds",
                                    "Age of the newest update.\nSecond line \\ backslash", NULL, 0);
    vg_metric_set(g, NULL, 10);
    vg_metric_add(g, NULL, 2.5);
    vg_metric *idle = vg_metrics_gauge(m, "vigil_idle", "Never set.", NULL, 0);
    (void)idle;
    static const char *const st[] = {"state"};
    vg_metrics_gauge(m, "vigil_jobs", "Jobs by state.", st, 1);

    double mem = 1048576;
    vg_metrics_gauge_func(m, "process_resident_memory_bytes", "Resident memory.", rss, &mem);

    static const char *const route[] = {"route"};
    static const double b[] = {0.005, 0.01, 0.25, 1, 2.5};
    vg_metric *h = vg_metrics_histogram(m, "vigil_http_request_duration_seconds",
                                        "Request latency.", route, 1, b, VG_ARRAY_LEN(b));
    static const char *const ra[] = {"/a"};
    vg_metric_observe(h, ra, 0.001953125);
    vg_metric_observe(h, ra, 0.0078125);
    vg_metric_observe(h, ra, 0.25); /* on a bound: le is inclusive */
    vg_metric_observe(h, ra, 100);
    vg_metric_observe(h, ra, NAN);

    static const double b2[] = {1, INFINITY}; /* +Inf may be given */
    vg_metric *h2 = vg_metrics_histogram(m, "vigil_scan_seconds", "Scans.", NULL, 0, b2, 2);
    vg_metric_observe(h2, NULL, 0.5);

    static const char *const expect =
        "# HELP vigil_http_requests_total HTTP requests.\n"
        "# TYPE vigil_http_requests_total counter\n"
        "vigil_http_requests_total{method=\"GET\",route=\"/v1/index_report\",code=\"200\"} 2\n"
        "vigil_http_requests_total{method=\"POST\",route=\"/v1/index_report\",code=\"201\"} 1\n"
        "# HELP vigil_db_age_seconds Age of the newest update.\\nSecond line \\\\ backslash\n"
        "# TYPE vigil_db_age_seconds gauge\n"
        "vigil_db_age_seconds 12.5\n"
        "# HELP vigil_idle Never set.\n"
        "# TYPE vigil_idle gauge\n"
        "vigil_idle 0\n"
        "# HELP vigil_jobs Jobs by state.\n"
        "# TYPE vigil_jobs gauge\n"
        "# HELP process_resident_memory_bytes Resident memory.\n"
        "# TYPE process_resident_memory_bytes gauge\n"
        "process_resident_memory_bytes 1048576\n"
        "# HELP vigil_http_request_duration_seconds Request latency.\n"
        "# TYPE vigil_http_request_duration_seconds histogram\n"
        "vigil_http_request_duration_seconds_bucket{route=\"/a\",le=\"0.005\"} 1\n"
        "vigil_http_request_duration_seconds_bucket{route=\"/a\",le=\"0.01\"} 2\n"
        "vigil_http_request_duration_seconds_bucket{route=\"/a\",le=\"0.25\"} 3\n"
        "vigil_http_request_duration_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
        "vigil_http_request_duration_seconds_bucket{route=\"/a\",le=\"2.5\"} 3\n"
        "vigil_http_request_duration_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
        "vigil_http_request_duration_seconds_sum{route=\"/a\"} 100.259765625\n"
        "vigil_http_request_duration_seconds_count{route=\"/a\"} 4\n"
        "# HELP vigil_scan_seconds Scans.\n"
        "# TYPE vigil_scan_seconds histogram\n"
        "vigil_scan_seconds_bucket{le=\"1\"} 1\n"
        "vigil_scan_seconds_bucket{le=\"+Inf\"} 1\n"
        "vigil_scan_seconds_sum 0.5\n"
        "vigil_scan_seconds_count 1\n";
    char *text = render(m);
    assert_string_equal(text, expect);
    check_exposition(text);
    free(text);

    /* The callback is read at each render. */
    mem = 2e9;
    text = render(m);
    assert_non_null(strstr(text, "\nprocess_resident_memory_bytes 2000000000\n"));
    free(text);
    vg_metrics_free(m);
}

static void test_values(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } vc[] = {
        {0, "0"},
        {-3, "-3"},
        {0.1, "0.1"},
        {1e-9, "1e-09"},
        {1e20, "1e+20"},
        {123456.789, "123456.789"},
        {1.0 / 3, "0.3333333333333333"},
        {INFINITY, "+Inf"},
        {-INFINITY, "-Inf"},
        {NAN, "NaN"},
        {999999999999999, "999999999999999"},
    };
    vg_metrics *m = vg_metrics_new();
    static const char *const k[] = {"k"};
    vg_metric *g = vg_metrics_gauge(m, "g", "", k, 1);
    for (size_t i = 0; i < VG_ARRAY_LEN(vc); i++) {
        char key[16];
        snprintf(key, sizeof(key), "%zu", i);
        const char *kv[] = {key};
        vg_metric_set(g, kv, vc[i].v);
    }
    char *text = render(m);
    check_exposition(text);
    for (size_t i = 0; i < VG_ARRAY_LEN(vc); i++) {
        char line[64];
        snprintf(line, sizeof(line), "\ng{k=\"%zu\"} %s\n", i, vc[i].text);
        if (!strstr(text, line))
            fail_msg("no '%s' in\n%s", line + 1, text);
    }
    free(text);
    vg_metrics_free(m);
}

static void test_escaping(void **state)
{
    (void)state;
    vg_metrics *m = vg_metrics_new();
    static const char *const l[] = {"path", "ua"};
    vg_metric *c = vg_metrics_counter(m, "esc_total", "Help with \"quotes\" stays.", l, 2);
    /* quote, backslash, newline; an invalid byte, a truncated sequence, an overlong '/', a
     * surrogate; valid UTF-8 kept */
    static const char *const v1[] = {"a\"b\\c\nd", "x\xffy\xc3"};
    static const char *const v2[] = {"\xc0\xaf\xed\xa0\x80", "caf\xc3\xa9 \xf0\x9f\x90\x9b"};
    static const char *const v3[] = {NULL, ""};
    vg_metric_add(c, v1, 1);
    vg_metric_add(c, v2, 2);
    vg_metric_add(c, v3, 3);
    char *text = render(m);
    assert_string_equal(text,
                        "# HELP esc_total Help with \"quotes\" stays.\n"
                        "# TYPE esc_total counter\n"
                        "esc_total{path=\"a\\\"b\\\\c\\nd\",ua=\"x\xef\xbf\xbdy\xef\xbf\xbd\"} 1\n"
                        "esc_total{path=\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                        "\xef\xbf\xbd\",ua=\"caf\xc3\xa9 \xf0\x9f\x90\x9b\"} 2\n"
                        "esc_total{path=\"\",ua=\"\"} 3\n");
    check_exposition(text);
    free(text);
    vg_metrics_free(m);
}

static size_t count_lines(const char *text, const char *prefix)
{
    size_t n = 0, pl = strlen(prefix);
    for (const char *p = text; *p; p = strchr(p, '\n') + 1)
        n += strncmp(p, prefix, pl) == 0;
    return n;
}

static void test_series_cap(void **state)
{
    (void)state;
    vg_metrics *m = vg_metrics_new();
    static const char *const l[] = {"route"};
    vg_metric *c = vg_metrics_counter(m, "cap_total", "", l, 1);
    char key[32];
    for (int i = 0; i < VG_METRICS_MAX_SERIES + 5; i++) {
        snprintf(key, sizeof(key), "/r%d", i);
        const char *v[] = {key};
        vg_metric_add(c, v, 1);
    }
    static const char *const r0[] = {"/r0"}; /* an existing series still counts on its own */
    vg_metric_add(c, r0, 1);
    snprintf(key, sizeof(key), "/r%d", VG_METRICS_MAX_SERIES + 4);
    const char *last[] = {key};
    vg_metric_add(c, last, 1);
    static const char *const other[] = {VG_METRICS_OTHER}; /* the same series, not a second */
    vg_metric_add(c, other, 1);

    /* Label values are capped too: one byte over goes to "other", at the cap it does not. */
    static const char *const l2[] = {"a", "b"};
    vg_metric *h = vg_metrics_histogram(m, "long_seconds", "", l2, 2, (const double[]){1}, 1);
    char *at = vg_xmalloc(VG_METRICS_MAX_VALUE + 2);
    memset(at, 'x', VG_METRICS_MAX_VALUE + 1);
    at[VG_METRICS_MAX_VALUE + 1] = '\0';
    const char *over[] = {"ok", at};
    vg_metric_observe(h, over, 0.5);
    at[VG_METRICS_MAX_VALUE] = '\0';
    const char *exact[] = {"ok", at};
    vg_metric_observe(h, exact, 2);

    char *text = render(m);
    check_exposition(text);
    assert_int_equal(count_lines(text, "cap_total{"), VG_METRICS_MAX_SERIES + 1);
    assert_non_null(strstr(text, "\ncap_total{route=\"/r0\"} 2\n"));
    assert_non_null(strstr(text, "\ncap_total{route=\"/r999\"} 1\n"));
    assert_null(strstr(text, "/r1000\""));
    assert_non_null(strstr(text, "\ncap_total{route=\"other\"} 7\n"));
    assert_non_null(strstr(text, "\nlong_seconds_count{a=\"other\",b=\"other\"} 1\n"));
    assert_int_equal(count_lines(text, "long_seconds_count{"), 2);
    free(at);
    free(text);
    vg_metrics_free(m);
}

#define N_THREADS 4
#define N_ITER 100000

typedef struct worker {
    vg_metric *c, *h, *g;
    int id;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    static const char *const get[] = {"GET"};
    char id[8];
    snprintf(id, sizeof(id), "t%d", w->id);
    const char *mine[] = {id};
    for (int i = 0; i < N_ITER; i++) {
        vg_metric_add(w->c, get, 1);
        vg_metric_add(w->c, mine, 1);
        vg_metric_observe(w->h, NULL, (i % 3) * 0.5);
        vg_metric_add(w->g, NULL, (i & 1) ? 1 : -1);
    }
    return NULL;
}

static void *scrape(void *arg)
{
    for (int i = 0; i < 50; i++) {
        char *text = render(arg);
        check_exposition(text);
        free(text);
    }
    return NULL;
}

static void test_concurrency(void **state)
{
    (void)state;
    vg_metrics *m = vg_metrics_new();
    static const char *const l[] = {"method"};
    worker w[N_THREADS];
    vg_metric *c = vg_metrics_counter(m, "conc_total", "", l, 1);
    vg_metric *h = vg_metrics_histogram(m, "conc_seconds", "", NULL, 0, (const double[]){0.5}, 1);
    vg_metric *g = vg_metrics_gauge(m, "conc_inflight", "", NULL, 0);
    pthread_t t[N_THREADS + 1];
    for (int i = 0; i < N_THREADS; i++) {
        w[i] = (worker){c, h, g, i};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    assert_int_equal(pthread_create(&t[N_THREADS], NULL, scrape, m), 0);
    for (int i = 0; i <= N_THREADS; i++)
        pthread_join(t[i], NULL);
    char *text = render(m);
    check_exposition(text);
    char line[128];
    snprintf(line, sizeof(line), "\nconc_total{method=\"GET\"} %d\n", N_THREADS * N_ITER);
    assert_non_null(strstr(text, line));
    for (int i = 0; i < N_THREADS; i++) {
        snprintf(line, sizeof(line), "\nconc_total{method=\"t%d\"} %d\n", i, N_ITER);
        assert_non_null(strstr(text, line));
    }
    snprintf(line, sizeof(line), "\nconc_seconds_count %d\n", N_THREADS * N_ITER);
    assert_non_null(strstr(text, line));
    /* i % 3 == 2 (value 1) is over the 0.5 bound: 33333 of each 100000 */
    snprintf(line, sizeof(line), "\nconc_seconds_bucket{le=\"0.5\"} %d\n",
             N_THREADS * (N_ITER - N_ITER / 3));
    assert_non_null(strstr(text, line));
    /* 0, 0.5 and 1 in turn: 33333 each of 0.5 and 1 per thread */
    snprintf(line, sizeof(line), "\nconc_seconds_sum %d\n", N_THREADS * (N_ITER / 3) * 3 / 2);
    assert_non_null(strstr(text, line));
    assert_non_null(strstr(text, "\nconc_inflight 0\n"));
    free(text);
    vg_metrics_free(m);
}

/* Registration misuse aborts (in a child, so the test survives). */
static void expect_abort(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        fn();
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

static void dup_name(void)
{
    vg_metrics *m = vg_metrics_new();
    vg_metrics_counter(m, "x_total", "", NULL, 0);
    vg_metrics_gauge(m, "x_total", "", NULL, 0);
}

static void bad_name(void)
{
    vg_metrics_counter(vg_metrics_new(), "1x", "", NULL, 0);
}

static void bad_label(void)
{
    static const char *const l[] = {"le"};
    vg_metrics_histogram(vg_metrics_new(), "h", "", l, 1, (const double[]){1}, 1);
}

static void too_many_labels(void)
{
    static const char *const l[] = {"a", "b", "c", "d"};
    vg_metrics_counter(vg_metrics_new(), "c", "", l, 4);
}

static void bad_buckets(void)
{
    vg_metrics_histogram(vg_metrics_new(), "h", "", NULL, 0, (const double[]){1, 1}, 2);
}

static void too_many_buckets(void)
{
    double b[VG_METRICS_MAX_BUCKETS + 1];
    for (size_t i = 0; i < VG_ARRAY_LEN(b); i++)
        b[i] = (double)i;
    vg_metrics_histogram(vg_metrics_new(), "h", "", NULL, 0, b, VG_ARRAY_LEN(b));
}

static void wrong_kind(void)
{
    vg_metric *c = vg_metrics_counter(vg_metrics_new(), "c", "", NULL, 0);
    vg_metric_observe(c, NULL, 1);
}

static void set_counter(void)
{
    vg_metric *c = vg_metrics_counter(vg_metrics_new(), "c", "", NULL, 0);
    vg_metric_set(c, NULL, 1);
}

static void test_misuse_aborts(void **state)
{
    (void)state;
    /* At the bucket cap (a trailing +Inf not counted) a histogram registers. */
    double b[VG_METRICS_MAX_BUCKETS + 1];
    for (size_t i = 0; i < VG_METRICS_MAX_BUCKETS; i++)
        b[i] = (double)i;
    b[VG_METRICS_MAX_BUCKETS] = INFINITY;
    vg_metrics *m = vg_metrics_new();
    vg_metric *h = vg_metrics_histogram(m, "ok", "", NULL, 0, b, VG_ARRAY_LEN(b));
    vg_metric_observe(h, NULL, 100);
    char *text = render(m);
    check_exposition(text);
    assert_non_null(strstr(text, "\nok_bucket{le=\"31\"} 0\nok_bucket{le=\"+Inf\"} 1\n"));
    free(text);
    vg_metrics_free(m);
    expect_abort(dup_name);
    expect_abort(bad_name);
    expect_abort(bad_label);
    expect_abort(too_many_labels);
    expect_abort(bad_buckets);
    expect_abort(too_many_buckets);
    expect_abort(wrong_kind);
    expect_abort(set_counter);
}

/* The checker itself rejects what it should. */
static void test_checker_rejects(void **state)
{
    (void)state;
    check_exposition("# HELP a x\n# TYPE a counter\na{l=\"v\"} 1\n");
    static const char *const bad[] = {
        "# TYPE a counter\na{l=\"v\\x\"} 1\n", /* bad escape */
        "# TYPE a counter\na{l=\"v} 1\n",      /* unterminated */
        "# TYPE a counter\nb 1\n",             /* outside its family */
        "# TYPE a counter\na one\n",           /* bad value */
        "# TYPE a histogram\na_bucket{le=\"1\"} 2\na_bucket{le=\"+Inf\"} 1\n", /* not cumulative */
        "# TYPE a histogram\na_bucket{le=\"+Inf\"} 2\na_sum 1\na_count 3\n",   /* count != +Inf */
        "# TYPE a summary\n",                                                  /* unknown type */
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(bad); i++)
        if (!exposition_error(bad[i]))
            fail_msg("checker accepted: %s", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_exact),    cmocka_unit_test(test_values),
        cmocka_unit_test(test_escaping),        cmocka_unit_test(test_series_cap),
        cmocka_unit_test(test_concurrency),     cmocka_unit_test(test_misuse_aborts),
        cmocka_unit_test(test_checker_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
