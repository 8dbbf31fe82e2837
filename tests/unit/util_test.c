/* util_test.c — unit tests of src/util/: the thread-local error, strbuf caps and escaping,
 * slices, number parsing and the arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void test_error(void **state)
{
    (void)state;
    vg_error_clear();
    assert_int_equal(vg_error_code(), VG_OK);
    assert_string_equal(vg_error_last(), "");
    assert_int_equal(vg_error_set(VG_EINVAL, "bad %s at %d", "thing", 3), VG_EINVAL);
    assert_int_equal(vg_error_code(), VG_EINVAL);
    assert_string_equal(vg_error_last(), "bad thing at 3");
    assert_string_equal(vg_error_name(VG_ETOOBIG), "too big");
}

static void *other_thread(void *arg)
{
    (void)arg;
    vg_error_set(VG_EIO, "from the other thread");
    return NULL;
}

static void test_error_thread_local(void **state)
{
    (void)state;
    vg_error_set(VG_ENOTFOUND, "mine");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
    pthread_join(t, NULL);
    assert_string_equal(vg_error_last(), "mine");
    assert_int_equal(vg_error_code(), VG_ENOTFOUND);
}

static void test_strbuf_cap(void **state)
{
    (void)state;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 10);
    assert_string_equal(sb.buf, "");
    assert_int_equal(vg_strbuf_puts(&sb, "12345"), 0);
    assert_int_equal(vg_strbuf_printf(&sb, "%d", 6789), 0);
    assert_string_equal(sb.buf, "123456789");
    assert_int_equal(vg_strbuf_puts(&sb, "01"), VG_ETOOBIG);
    /* Sticky: later small appends fail too, and the content is unchanged. */
    assert_int_equal(vg_strbuf_putc(&sb, 'x'), VG_ETOOBIG);
    assert_int_equal(vg_strbuf_error(&sb), VG_ETOOBIG);
    assert_string_equal(sb.buf, "123456789");
    vg_strbuf_reset(&sb);
    assert_int_equal(vg_strbuf_puts(&sb, "ok"), 0);
    char *s = vg_strbuf_detach(&sb);
    assert_string_equal(s, "ok");
    free(s);
    assert_string_equal(sb.buf, "");
    vg_strbuf_dispose(&sb);
}

static void test_strbuf_escape(void **state)
{
    (void)state;
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    vg_strbuf_put_escaped(&sb, "a\"b\\c\n\x1b\xff", 8, 100);
    assert_string_equal(sb.buf, "a\\\"b\\\\c\\x0a\\x1b\\xff");
    vg_strbuf_reset(&sb);
    vg_strbuf_put_escaped(&sb, "abcdef", 6, 3);
    assert_string_equal(sb.buf, "abc...");
    vg_strbuf_dispose(&sb);
}

static void test_slice(void **state)
{
    (void)state;
    vg_slice s = vg_slice_trim(vg_slice_from_cstr("  key: value \r\n"));
    assert_true(vg_slice_eq_cstr(s, "key: value"));
    vg_slice head;
    vg_slice rest = vg_slice_split(s, ':', &head);
    assert_true(vg_slice_eq_cstr(head, "key"));
    assert_true(vg_slice_eq_cstr(vg_slice_trim(rest), "value"));
    rest = vg_slice_split(head, ':', &head);
    assert_null(rest.ptr);
    assert_true(vg_slice_starts_with(s, "key"));
    assert_false(vg_slice_starts_with(s, "value"));
}

static void test_parse_u64(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int rc;
        uint64_t want;
    } cases[] = {
        {"0", 0, 0},
        {"42", 0, 42},
        {"18446744073709551615", 0, UINT64_MAX},
        {"18446744073709551616", VG_ETOOBIG, 0},
        {"", VG_EINVAL, 0},
        {"-1", VG_EINVAL, 0},
        {"1 ", VG_EINVAL, 0},
        {"+1", VG_EINVAL, 0},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        uint64_t v = 12345;
        int rc = vg_parse_u64(&v, vg_slice_from_cstr(cases[i].in));
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0)
            assert_true(v == cases[i].want);
        else
            assert_true(v == 12345);
    }
}

static void test_arena(void **state)
{
    (void)state;
    vg_arena *a = vg_arena_new(128);
    char *p = vg_arena_strndup(a, "hello", 5);
    assert_string_equal(p, "hello");
    void *big = vg_arena_alloc(a, 10000); /* larger than a block */
    memset(big, 0xab, 10000);
    for (int i = 0; i < 1000; i++) {
        void *q = vg_arena_alloc(a, 24);
        assert_int_equal((uintptr_t)q % _Alignof(max_align_t), 0);
        memset(q, i, 24);
    }
    assert_string_equal(p, "hello"); /* earlier data survives growth */
    assert_true(vg_arena_used(a) >= 10000 + 24 * 1000);
    vg_arena_reset(a);
    assert_int_equal(vg_arena_used(a), 0);
    assert_non_null(vg_arena_alloc(a, 16));
    vg_arena_free(a);
}

static void test_log_level(void **state)
{
    (void)state;
    vg_log_level l;
    assert_int_equal(vg_log_level_parse(&l, "debug"), 0);
    assert_int_equal(l, VG_LOG_DEBUG);
    assert_int_equal(vg_log_level_parse(&l, "loud"), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "loud"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error),      cmocka_unit_test(test_error_thread_local),
        cmocka_unit_test(test_strbuf_cap), cmocka_unit_test(test_strbuf_escape),
        cmocka_unit_test(test_slice),      cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_arena),      cmocka_unit_test(test_log_level),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
