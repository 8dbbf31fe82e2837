/* log_test.c — unit tests of src/util/log.c: stderr is redirected to a temporary file and
 * every line read back; in JSON mode each must parse (jansson) as one object, whatever the
 * strings held (quotes, newlines, control bytes, invalid UTF-8, 100 KB values). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- capturing stderr ---------------------------------------------------------------- */

static FILE *cap_file;
static int cap_saved = -1;

static void cap_start(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(STDERR_FILENO);
    assert_true(cap_saved >= 0);
    assert_true(dup2(fileno(cap_file), STDERR_FILENO) >= 0);
}

/* Stops capturing and returns what was written (NUL-terminated; the caller frees). */
static char *cap_end(size_t *len)
{
    fflush(stderr);
    assert_true(dup2(cap_saved, STDERR_FILENO) >= 0);
    close(cap_saved);
    assert_int_equal(fseek(cap_file, 0, SEEK_END), 0);
    long n = ftell(cap_file);
    assert_true(n >= 0);
    rewind(cap_file);
    char *buf = vg_xmalloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, cap_file), (size_t)n);
    buf[n] = '\0';
    fclose(cap_file);
    *len = (size_t)n;
    return buf;
}

/* Splits captured output into lines (each ends in '\n'); returns the count. */
static size_t split_lines(char *buf, size_t len, char **lines, size_t max)
{
    size_t n = 0;
    char *p = buf;
    while (p < buf + len) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        assert_non_null(nl); /* every line is complete */
        *nl = '\0';
        assert_true(n < max);
        lines[n++] = p;
        p = nl + 1;
    }
    return n;
}

static json_t *parse_line(const char *line)
{
    json_error_t err;
    json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        fail_msg("not JSON (%s at %d): %.200s", err.text, err.position, line);
    assert_true(json_is_object(j));
    assert_true(strlen(line) + 1 <= VG_LOG_MAX_LINE);
    return j;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_non_null(v);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static int setup(void **state)
{
    (void)state;
    vg_log_threshold = VG_LOG_DEBUG;
    vg_log_fmt = VG_LOG_JSON;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vg_log_threshold = VG_LOG_WARN;
    vg_log_fmt = VG_LOG_TEXT;
    return 0;
}

/* ---- JSON ---------------------------------------------------------------------------- */

typedef struct hostile {
    const char *in;
    const char *want; /* decoded value; NULL when equal to `in` */
} hostile;

static const hostile hostiles[] = {
    {"plain", NULL},
    {"say \"hi\" \\ bye", NULL},
    {"line1\nline2\r\n{\"level\":\"error\"}", NULL},
    {"\x01\x02\x1b[31mred\x7f", NULL},
    {"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9d\x84\x9e", NULL}, /* valid UTF-8 stays */
    {"csi \xc2\x9b", NULL},                              /* C1 control, escaped */
    {"a\xff"
     "b\xc3(",
     "a\xef\xbf\xbd"
     "b\xef\xbf\xbd("},                                                       /* invalid bytes */
    {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                                 /* overlong '/' */
    {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},                 /* a surrogate */
    {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
    {"trunc \xe2\x9c", "trunc \xef\xbf\xbd\xef\xbf\xbd"},                     /* cut sequence */
    {"", NULL},
};

static void test_json_hostile_strings(void **state)
{
    (void)state;
    cap_start();
    for (size_t i = 0; i < VG_ARRAY_LEN(hostiles); i++) {
        vg_log_field f[] = {
            {.key = "url", .str = hostiles[i].in},
            {.key = "n", .num = (int64_t)i, .is_num = true},
        };
        vg_log_event(VG_LOG_INFO, hostiles[i].in, f, VG_ARRAY_LEN(f));
    }
    size_t len;
    char *out = cap_end(&len);
    char *lines[64];
    assert_int_equal(split_lines(out, len, lines, 64), VG_ARRAY_LEN(hostiles));
    for (size_t i = 0; i < VG_ARRAY_LEN(hostiles); i++) {
        json_t *j = parse_line(lines[i]);
        const char *want = hostiles[i].want ? hostiles[i].want : hostiles[i].in;
        assert_string_equal(jstr(j, "url"), want);
        assert_string_equal(jstr(j, "msg"), want);
        assert_string_equal(jstr(j, "level"), "info");
        assert_int_equal(json_integer_value(json_object_get(j, "n")), i);
        /* No raw control or C1 bytes on the line. */
        for (const unsigned char *p = (const unsigned char *)lines[i]; *p; p++) {
            assert_true(*p >= 0x20 && *p != 0x7f);
            assert_false(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);
        }
        json_decref(j);
    }
    free(out);
}

static void test_json_shape(void **state)
{
    (void)state;
    cap_start();
    vg_log_field f[] = {
        {.key = "path", .str = "/v1/scan"},
        {.key = "status", .num = 200, .is_num = true},
        {.key = "min", .num = INT64_MIN, .is_num = true},
        {.key = "absent", .str = NULL},
        {.key = "we\"ird\nkey", .str = "v"},
    };
    vg_log_event(VG_LOG_WARN, "request done", f, VG_ARRAY_LEN(f));
    vg_log_event(VG_LOG_ERROR, NULL, NULL, 0);
    size_t len;
    char *out = cap_end(&len);
    char *lines[4];
    assert_int_equal(split_lines(out, len, lines, 4), 2);
    json_t *j = parse_line(lines[0]);
    assert_string_equal(jstr(j, "msg"), "request done");
    assert_string_equal(jstr(j, "level"), "warn");
    assert_string_equal(jstr(j, "path"), "/v1/scan");
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 200);
    assert_true(json_integer_value(json_object_get(j, "min")) == INT64_MIN);
    assert_true(json_is_null(json_object_get(j, "absent")));
    assert_string_equal(jstr(j, "we\"ird\nkey"), "v");
    assert_null(json_object_get(j, "truncated"));
    /* "2026-01-02T03:04:05.678Z", and the keys come in order. */
    const char *ts = jstr(j, "ts");
    assert_int_equal(strlen(ts), 24);
    assert_int_equal(ts[10], 'T');
    assert_int_equal(ts[19], '.');
    assert_int_equal(ts[23], 'Z');
    assert_memory_equal(lines[0], "{\"ts\":\"", 7);
    assert_non_null(strstr(lines[0], "\",\"level\":\"warn\",\"msg\":\"request done\",\"path\":"));
    json_decref(j);
    j = parse_line(lines[1]);
    assert_string_equal(jstr(j, "msg"), "");
    json_decref(j);
    free(out);
}

static void check_cut(const char *got, const char *prefix_char)
{
    size_t n = strlen(got);
    assert_true(n > 3);
    assert_string_equal(got + n - 3, "...");
    for (size_t i = 0; i + 3 < n; i += strlen(prefix_char))
        assert_memory_equal(got + i, prefix_char, strlen(prefix_char));
}

static void test_json_caps(void **state)
{
    (void)state;
    size_t big = 100 * 1024;
    char *plain = vg_xmalloc(big + 1), *ctrl = vg_xmalloc(big + 1), *bad = vg_xmalloc(big + 1);
    char *utf = vg_xmalloc(big + 1);
    memset(plain, 'a', big);
    memset(ctrl, '\x01', big);
    memset(bad, '\xff', big);
    for (size_t i = 0; i + 3 <= big; i += 3)
        memcpy(utf + i, "\xe2\x9c\x93", 3);
    plain[big] = ctrl[big] = bad[big] = '\0';
    utf[big - big % 3] = '\0';

    cap_start();
    vg_log_field one[] = {{.key = "v", .str = plain}, {.key = "after", .str = "kept"}};
    vg_log_event(VG_LOG_INFO, "plain", one, 2);
    one[0].str = ctrl;
    vg_log_event(VG_LOG_INFO, "ctrl", one, 2);
    one[0].str = bad;
    vg_log_event(VG_LOG_INFO, "bad", one, 2);
    one[0].str = utf;
    vg_log_event(VG_LOG_INFO, "utf", one, 2);
    vg_log_event(VG_LOG_INFO, plain, NULL, 0);
    /* More long fields than a line holds: the tail is dropped and the line says so. */
    static const char *const names[] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"};
    vg_log_field many[VG_ARRAY_LEN(names)];
    for (size_t i = 0; i < VG_ARRAY_LEN(many); i++)
        many[i] = (vg_log_field){.key = names[i], .str = plain};
    vg_log_event(VG_LOG_INFO, plain, many, VG_ARRAY_LEN(many));
    vg_log_write(VG_LOG_ERROR, "%s", plain);

    size_t len;
    char *out = cap_end(&len);
    char *lines[16];
    assert_int_equal(split_lines(out, len, lines, 16), 7);
    static const char *const unit[] = {"a", "\x01", "\xef\xbf\xbd", "\xe2\x9c\x93"};
    for (size_t i = 0; i < 4; i++) {
        json_t *j = parse_line(lines[i]);
        check_cut(jstr(j, "v"), unit[i]);
        assert_true(strlen(lines[i]) < VG_LOG_MAX_VALUE + 200);
        assert_string_equal(jstr(j, "after"), "kept");
        json_decref(j);
    }
    json_t *j = parse_line(lines[4]);
    check_cut(jstr(j, "msg"), "a");
    json_decref(j);
    j = parse_line(lines[5]);
    assert_true(json_is_true(json_object_get(j, "truncated")));
    assert_non_null(json_object_get(j, "k0"));
    assert_null(json_object_get(j, "k7"));
    assert_true(strlen(lines[5]) > VG_LOG_MAX_LINE - VG_LOG_MAX_VALUE);
    json_decref(j);
    j = parse_line(lines[6]);
    check_cut(jstr(j, "msg"), "a");
    assert_string_equal(jstr(j, "level"), "error");
    json_decref(j);
    free(out);
    free(plain);
    free(ctrl);
    free(bad);
    free(utf);
}

static void test_json_log_write(void **state)
{
    (void)state;
    cap_start();
    vg_log_write(VG_LOG_INFO, "fetched %s in %d ms", "http://x/\"a\"\n\xff", 12);
    vg_log(VG_LOG_DEBUG, "debug %d", 1);
    vg_log_threshold = VG_LOG_WARN;
    vg_log(VG_LOG_DEBUG, "filtered %d", 2);
    vg_log_event(VG_LOG_INFO, "filtered", NULL, 0);
    vg_log_threshold = VG_LOG_DEBUG;
    size_t len;
    char *out = cap_end(&len);
    char *lines[4];
    assert_int_equal(split_lines(out, len, lines, 4), 2);
    json_t *j = parse_line(lines[0]);
    assert_string_equal(jstr(j, "msg"), "fetched http://x/\"a\"\n\xef\xbf\xbd in 12 ms");
    assert_string_equal(jstr(j, "level"), "info");
    json_decref(j);
    j = parse_line(lines[1]);
    assert_string_equal(jstr(j, "msg"), "debug 1");
    assert_string_equal(jstr(j, "level"), "debug");
    json_decref(j);
    free(out);
}

#define THREADS 4
#define PER_THREAD 200

static void *log_thread(void *arg)
{
    char value[3000];
    memset(value, 'a' + (int)(intptr_t)arg, sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    for (int i = 0; i < PER_THREAD; i++) {
        vg_log_field f[] = {{.key = "v", .str = value}, {.key = "i", .num = i, .is_num = true}};
        vg_log_event(VG_LOG_INFO, "threaded", f, 2);
    }
    return NULL;
}

static void test_json_threads(void **state)
{
    (void)state;
    cap_start();
    pthread_t t[THREADS];
    for (intptr_t i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, log_thread, (void *)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    size_t len;
    char *out = cap_end(&len);
    char **lines = vg_xmalloc(THREADS * PER_THREAD * sizeof(char *));
    assert_int_equal(split_lines(out, len, lines, THREADS * PER_THREAD), THREADS * PER_THREAD);
    for (size_t i = 0; i < THREADS * PER_THREAD; i++)
        json_decref(parse_line(lines[i]));
    free(lines);
    free(out);
}

/* ---- TEXT ---------------------------------------------------------------------------- */

static void test_text(void **state)
{
    (void)state;
    vg_log_fmt = VG_LOG_TEXT;
    cap_start();
    vg_log_field f[] = {
        {.key = "path", .str = "/v1/scan"},   {.key = "ua", .str = "curl/8 (x)"},
        {.key = "q", .str = "a=\"b\"\n"},     {.key = "empty", .str = ""},
        {.key = "nul", .str = NULL},          {.key = "bad", .str = "\xff\xc2\x9b"},
        {.key = "utf", .str = "caf\xc3\xa9"}, {.key = "n", .num = -12, .is_num = true},
    };
    vg_log_event(VG_LOG_ERROR, "scan failed\n", f, VG_ARRAY_LEN(f));
    vg_log_write(VG_LOG_WARN, "old style %s", "line");
    size_t len;
    char *out = cap_end(&len);
    char *lines[4];
    assert_int_equal(split_lines(out, len, lines, 4), 2);
    /* "2026-01-02T03:04:05Z " then the rest */
    assert_int_equal(lines[0][19], 'Z');
    assert_string_equal(lines[0] + 21, "error: scan failed\\n path=/v1/scan ua=\"curl/8 (x)\" "
                                       "q=\"a=\\\"b\\\"\\n\" empty=\"\" nul=null "
                                       "bad=\"\\xff\\xc2\\x9b\" utf=caf\xc3\xa9 n=-12");
    assert_string_equal(lines[1] + 21, "warn: old style line");
    free(out);
}

static void test_format_parse(void **state)
{
    (void)state;
    vg_log_format f = VG_LOG_TEXT;
    assert_int_equal(vg_log_format_parse(&f, "json"), 0);
    assert_int_equal(f, VG_LOG_JSON);
    assert_int_equal(vg_log_format_parse(&f, "text"), 0);
    assert_int_equal(f, VG_LOG_TEXT);
    assert_int_equal(vg_log_format_parse(&f, "xml\n"), VG_EINVAL);
    assert_string_equal(vg_error_last(), "unknown log format 'xml\\x0a' (want text, json)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_hostile_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_log_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text, setup, teardown),
        cmocka_unit_test(test_format_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
