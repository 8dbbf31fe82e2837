/* config_test.c — unit tests of src/util/config.c: the YAML loader over a fake settings struct
 * with every key type, its error messages and caps, environment overrides, vg_config_set,
 * dispose, and the duration and size parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fake {
    char *listen;
    int64_t threads;
    bool tls;
    int64_t timeout_ms;
    uint64_t max_body;
    char **issuers;
    char *db;
    int64_t offset;
    int64_t retry_ms;
    uint64_t cache;
} fake;

static const vg_conf_key keys[] = {
    {"http.listen", VG_CONF_STRING, offsetof(fake, listen), 0, 0, "address to listen on"},
    {"http.threads", VG_CONF_INT, offsetof(fake, threads), 1, 256, "worker threads"},
    {"http.tls", VG_CONF_BOOL, offsetof(fake, tls), 0, 0, "serve TLS"},
    {"http.timeout", VG_CONF_DURATION, offsetof(fake, timeout_ms), 1000, 3600000, "timeout"},
    {"http.max_body", VG_CONF_BYTES, offsetof(fake, max_body), 1024, 1 << 30, "body cap"},
    {"auth.psk.issuers", VG_CONF_STRLIST, offsetof(fake, issuers), 0, 0, "PSK issuers"},
    {"db", VG_CONF_STRING, offsetof(fake, db), 0, 0, "database"},
    {"offset", VG_CONF_INT, offsetof(fake, offset), 0, 0, "unchecked"},
    {"retry", VG_CONF_DURATION, offsetof(fake, retry_ms), 0, 0, "unchecked"},
    {"cache", VG_CONF_BYTES, offsetof(fake, cache), 0, 0, "unchecked"},
};

static void fake_defaults(fake *f)
{
    memset(f, 0, sizeof(*f));
    f->listen = strdup(":6060");
    f->threads = 8;
    f->timeout_ms = 30000;
    f->max_body = 1 << 20;
    f->issuers = calloc(2, sizeof(char *));
    f->issuers[0] = strdup("default");
}

static int load(fake *f, const char *yaml)
{
    vg_error_clear();
    return vg_config_load_buffer(f, keys, VG_ARRAY_LEN(keys), yaml, strlen(yaml), "t.yaml");
}

static size_t list_len(char **l)
{
    size_t n = 0;
    while (l && l[n])
        n++;
    return n;
}

static void test_good_file(void **state)
{
    (void)state;
    fake f;
    fake_defaults(&f);
    const char *yaml = "# vigil serve\n"
                       "http:\n"
                       "  listen: \"0.0.0.0:8080\"\n"
                       "  threads: 16\n"
                       "  tls: yes\n"
                       "  timeout: 90s\n"
                       "  max_body: 4MiB\n"
                       "auth:\n"
                       "  psk:\n"
                       "    issuers:\n"
                       "      - alice\n"
                       "      - 'bob smith'\n"
                       "db: /var/lib/vigil.db\n"
                       "offset: -42\n"
                       "retry: 250ms\n"
                       "cache: 10 MB\n";
    assert_int_equal(load(&f, yaml), 0);
    assert_string_equal(f.listen, "0.0.0.0:8080");
    assert_int_equal(f.threads, 16);
    assert_true(f.tls);
    assert_int_equal(f.timeout_ms, 90000);
    assert_int_equal(f.max_body, 4 << 20);
    assert_int_equal(list_len(f.issuers), 2);
    assert_string_equal(f.issuers[0], "alice");
    assert_string_equal(f.issuers[1], "bob smith");
    assert_string_equal(f.db, "/var/lib/vigil.db");
    assert_int_equal(f.offset, -42);
    assert_int_equal(f.retry_ms, 250);
    assert_int_equal(f.cache, 10000000);

    /* A second load replaces what it names (the old values are freed: ASan checks), keeps
     * the rest; dotted keys, flow lists and single scalars for lists all work. */
    assert_int_equal(load(&f, "http.listen: ':9090'\n"
                              "auth: {psk: {issuers: [carol, dave, eve]}}\n"
                              "http: {tls: Off}\n"),
                     0);
    assert_string_equal(f.listen, ":9090");
    assert_false(f.tls);
    assert_int_equal(f.threads, 16);
    assert_int_equal(list_len(f.issuers), 3);
    assert_string_equal(f.issuers[2], "eve");
    assert_int_equal(load(&f, "auth.psk.issuers: solo\n"), 0);
    assert_int_equal(list_len(f.issuers), 1);
    assert_string_equal(f.issuers[0], "solo");
    assert_int_equal(load(&f, "auth.psk.issuers: []\ndb: ''\n"), 0);
    assert_non_null(f.issuers);
    assert_int_equal(list_len(f.issuers), 0);
    assert_string_equal(f.db, "");

    vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys));
    assert_null(f.listen);
    assert_null(f.issuers);
    assert_null(f.db);
    assert_int_equal(f.threads, 16);
    vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys)); /* idempotent */
}

static void test_nulls_and_empty(void **state)
{
    (void)state;
    fake f;
    fake_defaults(&f);
    /* Null values and empty sections keep the defaults; empty files and documents are fine. */
    static const char *const docs[] = {
        "",
        "---\n",
        "~\n",
        "# only a comment\n",
        "http:\n",
        "http:\n  listen:\n  threads: ~\n  tls: null\nauth:\n  psk:\n    issuers: NULL\n",
        "auth: {psk: ~}\n",
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(docs); i++) {
        assert_int_equal(load(&f, docs[i]), 0);
        assert_string_equal(f.listen, ":6060");
        assert_int_equal(f.threads, 8);
        assert_string_equal(f.issuers[0], "default");
    }
    vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys));
}

typedef struct err_case {
    const char *yaml;
    int code;
    const char *msg; /* the whole message */
} err_case;

static void test_errors(void **state)
{
    (void)state;
    static const err_case cases[] = {
        /* YAML syntax, with line and column */
        {"x:\n  listen: [a, b\ndb: x\n", VG_EINVAL,
         "t.yaml:3:3: YAML syntax error: did not find expected ',' or ']' (while parsing a "
         "flow sequence at line 2)"},
        {"http:\n  listen: a\n threads: 3\n", VG_EINVAL,
         "t.yaml:3:2: YAML syntax error: did not find expected key (while parsing a block "
         "mapping at line 1)"},
        {"db: \"\xff\"\n", VG_EINVAL, "t.yaml: byte 5: invalid input: invalid leading UTF-8 octet"},
        /* wrong types */
        {"http:\n  threads: many\n", VG_EINVAL,
         "t.yaml:2:12: http.threads: expected an integer, got 'many'"},
        {"http:\n  threads: 1.5\n", VG_EINVAL,
         "t.yaml:2:12: http.threads: expected an integer, got '1.5'"},
        {"http:\n  tls: maybe\n", VG_EINVAL,
         "t.yaml:2:8: http.tls: expected a boolean (true/false, yes/no, on/off), got 'maybe'"},
        {"http.timeout: 5 fortnights\n", VG_EINVAL,
         "t.yaml:1:15: http.timeout: expected a duration (250ms, 30s, 5m, 6h, 1d), got '5 "
         "fortnights'"},
        {"http.max_body: 4 mb\n", VG_EINVAL,
         "t.yaml:1:16: http.max_body: expected a size (512, 64KiB, 4MiB, 10MB), got '4 mb'"},
        {"http.threads: [1, 2]\n", VG_EINVAL,
         "t.yaml:1:15: http.threads: expected an integer, got a sequence"},
        {"db: {a: b}\n", VG_EINVAL, "t.yaml:1:5: db: expected a string, got a mapping"},
        {"auth.psk.issuers: [a, [b]]\n", VG_EINVAL,
         "t.yaml:1:23: auth.psk.issuers: list items must be strings, got a sequence"},
        {"auth.psk.issuers: [a, ~]\n", VG_EINVAL,
         "t.yaml:1:23: auth.psk.issuers: list items must be strings, got null"},
        {"db: \"a\\0b\"\n", VG_EINVAL, "t.yaml:1:5: db: contains a NUL byte"},
        {"offset: 9223372036854775808\n", VG_EINVAL,
         "t.yaml:1:9: offset: number too large: '9223372036854775808'"},
        {"retry: 106751991167301d\n", VG_EINVAL,
         "t.yaml:1:8: retry: duration too large: '106751991167301d'"},
        /* out of range */
        {"http:\n  threads: 1000\n", VG_EINVAL,
         "t.yaml:2:12: http.threads: must be between 1 and 256, got '1000'"},
        {"http:\n  threads: -1\n", VG_EINVAL,
         "t.yaml:2:12: http.threads: must be between 1 and 256, got '-1'"},
        {"http:\n  timeout: 2h\n", VG_EINVAL,
         "t.yaml:2:12: http.timeout: must be between 1s and 1h, got '2h'"},
        {"http:\n  timeout: 999ms\n", VG_EINVAL,
         "t.yaml:2:12: http.timeout: must be between 1s and 1h, got '999ms'"},
        {"http:\n  max_body: 2GiB\n", VG_EINVAL,
         "t.yaml:2:13: http.max_body: must be between 1KiB and 1GiB, got '2GiB'"},
        /* sections, structure, duplicates */
        {"auth:\n  psk: secret\n", VG_EINVAL,
         "t.yaml:2:8: auth.psk: is a section, expected a mapping, got 'secret'"},
        {"http: [a]\n", VG_EINVAL,
         "t.yaml:1:7: http: is a section, expected a mapping, got a sequence"},
        {"http:\n  threads: 2\n  threads: 3\n", VG_EINVAL,
         "t.yaml:3:3: duplicate key 'http.threads' (first at line 2)"},
        {"http.threads: 2\nhttp:\n  threads: 3\n", VG_EINVAL,
         "t.yaml:3:3: duplicate key 'http.threads' (first at line 1)"},
        {"http: {listen: x}\ndb: y\nhttp: {threads: 2}\n", VG_EINVAL,
         "t.yaml:3:1: duplicate key 'http' (first at line 1)"},
        {"[a: 1]: 2\n", VG_EINVAL, "t.yaml:1:1: mapping keys must be scalars, got a sequence"},
        {"- a\n- b\n", VG_EINVAL,
         "t.yaml:1:1: the top level must be a mapping of keys, got a "
         "sequence"},
        {"just words\n", VG_EINVAL,
         "t.yaml:1:1: the top level must be a mapping of keys, got a scalar"},
        {"db: a\n---\ndb: b\n", VG_EINVAL, "t.yaml:2:1: only one YAML document is allowed"},
        /* anchors and aliases (billion laughs) */
        {"db: &x a\noffset: 1\n", VG_EINVAL, "t.yaml:1:5: YAML anchors are not allowed"},
        {"db: *x\n", VG_EINVAL, "t.yaml:1:5: YAML aliases are not allowed"},
        {"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", VG_EINVAL,
         "t.yaml:1:4: YAML anchors are not allowed"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        fake f;
        fake_defaults(&f);
        int rc = load(&f, cases[i].yaml);
        print_message("case %zu: %s-> %d %s\n", i, cases[i].yaml, rc, vg_error_last());
        assert_int_equal(rc, cases[i].code);
        assert_string_equal(vg_error_last(), cases[i].msg);
        /* All or nothing: the settings are untouched. */
        assert_string_equal(f.listen, ":6060");
        assert_int_equal(f.threads, 8);
        assert_null(f.db);
        assert_string_equal(f.issuers[0], "default");
        vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys));
    }
}

static void test_unknown_keys(void **state)
{
    (void)state;
    fake f;
    fake_defaults(&f);
    const char *yaml = "http:\n"
                       "  listen: ':1'\n"
                       "  lisen: ':2'\n"
                       "  tls:\n"
                       "auth:\n"
                       "  psk:\n"
                       "    issuers: [a]\n"
                       "    secret: x\n"
                       "  oidc:\n"
                       "    url: https://example\n"
                       "    deep: {a: [1, {b: 2}]}\n"
                       "\"we\\nird\": 1\n"
                       "threads: 4\n";
    assert_int_equal(load(&f, yaml), VG_EINVAL);
    assert_string_equal(vg_error_last(), "t.yaml:3: unknown key 'http.lisen'\n"
                                         "t.yaml:8: unknown key 'auth.psk.secret'\n"
                                         "t.yaml:9: unknown key 'auth.oidc'\n"
                                         "t.yaml:12: unknown key 'we\\x0aird'\n"
                                         "t.yaml:13: unknown key 'threads'");
    assert_string_equal(f.listen, ":6060"); /* nothing applied */

    /* Many unknown keys: the message stays within the error buffer and says how many more. */
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);
    for (int i = 0; i < 200; i++)
        vg_strbuf_printf(&sb, "unknown_%d: %d\n", i, i);
    assert_int_equal(load(&f, sb.buf), VG_EINVAL);
    assert_non_null(strstr(vg_error_last(), "t.yaml:1: unknown key 'unknown_0'\n"));
    assert_non_null(strstr(vg_error_last(), "more unknown keys)"));
    vg_strbuf_dispose(&sb);
    vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys));
}

static void test_caps(void **state)
{
    (void)state;
    fake f;
    fake_defaults(&f);
    vg_strbuf sb;
    vg_strbuf_init(&sb, 0);

    /* Depth: VG_CONFIG_MAX_DEPTH nested mappings load (as an unknown key), one more fails. */
    for (int extra = 0; extra <= 1; extra++) {
        vg_strbuf_reset(&sb);
        for (int i = 1; i < VG_CONFIG_MAX_DEPTH + extra; i++)
            vg_strbuf_puts(&sb, "{a: ");
        vg_strbuf_puts(&sb, "1");
        for (int i = 1; i < VG_CONFIG_MAX_DEPTH + extra; i++)
            vg_strbuf_puts(&sb, "}");
        char *doc = vg_xstrdup(sb.buf);
        vg_strbuf_reset(&sb);
        vg_strbuf_printf(&sb, "x: %s\n", doc);
        free(doc);
        assert_int_equal(load(&f, sb.buf), extra ? VG_ETOOBIG : VG_EINVAL);
        if (extra)
            assert_non_null(strstr(vg_error_last(), "nested deeper than 16 levels"));
        else
            assert_string_equal(vg_error_last(), "t.yaml:1: unknown key 'x'");
    }
    /* Deep flow sequences (unterminated: the cap stops the parser first). */
    vg_strbuf_reset(&sb);
    vg_strbuf_puts(&sb, "x: ");
    for (int i = 0; i < 100000; i++)
        vg_strbuf_putc(&sb, '[');
    assert_int_equal(load(&f, sb.buf), VG_ETOOBIG);
    assert_string_equal(vg_error_last(), "t.yaml:1:19: nested deeper than 16 levels");

    /* Nodes: a sequence of VG_CONFIG_MAX_NODES scalars is over the cap with its key. */
    vg_strbuf_reset(&sb);
    vg_strbuf_puts(&sb, "x:\n");
    for (int i = 0; i < VG_CONFIG_MAX_NODES; i++)
        vg_strbuf_puts(&sb, "- 1\n");
    assert_int_equal(load(&f, sb.buf), VG_ETOOBIG);
    assert_string_equal(vg_error_last(), "t.yaml:9999:3: more than 10000 YAML nodes");

    /* List items: VG_CONFIG_MAX_LIST fit, one more does not. */
    for (int extra = 0; extra <= 1; extra++) {
        vg_strbuf_reset(&sb);
        vg_strbuf_puts(&sb, "auth.psk.issuers:\n");
        for (int i = 0; i < VG_CONFIG_MAX_LIST + extra; i++)
            vg_strbuf_printf(&sb, "- i%d\n", i);
        if (extra) {
            assert_int_equal(load(&f, sb.buf), VG_ETOOBIG);
            assert_string_equal(vg_error_last(),
                                "t.yaml:4098:3: auth.psk.issuers: more than 4096 items");
        } else {
            assert_int_equal(load(&f, sb.buf), 0);
            assert_int_equal(list_len(f.issuers), VG_CONFIG_MAX_LIST);
            assert_string_equal(f.issuers[4095], "i4095");
        }
    }

    /* Key path length. */
    vg_strbuf_reset(&sb);
    vg_strbuf_puts(&sb, "http:\n  ");
    for (int i = 0; i < VG_CONFIG_MAX_PATH; i++)
        vg_strbuf_putc(&sb, 'k');
    vg_strbuf_puts(&sb, ": 1\n");
    assert_int_equal(load(&f, sb.buf), VG_ETOOBIG);
    assert_string_equal(vg_error_last(), "t.yaml:2:3: key path longer than 256 bytes");

    /* Size: one byte over the cap fails before parsing, from a buffer and from a file. */
    size_t big = VG_CONFIG_MAX_BYTES + 1;
    char *buf = vg_xmalloc(big);
    memset(buf, '#', big);
    buf[big - 1] = '\n';
    assert_int_equal(vg_config_load_buffer(&f, keys, VG_ARRAY_LEN(keys), buf, big, "t.yaml"),
                     VG_ETOOBIG);
    assert_string_equal(vg_error_last(), "t.yaml: 1048577 bytes, over the 1048576-byte cap");
    /* Exactly at the cap: a comment-only file is fine. */
    assert_int_equal(vg_config_load_buffer(&f, keys, VG_ARRAY_LEN(keys), buf + 1, big - 1, "t"), 0);
    char path[] = "/tmp/vg_config_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, big), (ssize_t)big);
    close(fd);
    assert_int_equal(vg_config_load(&f, keys, VG_ARRAY_LEN(keys), path), VG_ETOOBIG);
    assert_non_null(strstr(vg_error_last(), "over the 1048576-byte cap"));
    unlink(path);
    free(buf);

    vg_strbuf_dispose(&sb);
    vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys));
}

static void test_load_file(void **state)
{
    (void)state;
    fake f;
    fake_defaults(&f);
    char path[] = "/tmp/vg_config_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *yaml = "http:\n  threads: 3\n  bogus: 1\n";
    assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    assert_int_equal(vg_config_load(&f, keys, VG_ARRAY_LEN(keys), path), VG_EINVAL);
    char want[128];
    snprintf(want, sizeof(want), "%s:3: unknown key 'http.bogus'", path);
    assert_string_equal(vg_error_last(), want);

    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    yaml = "http:\n  threads: 3\n";
    assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    assert_int_equal(vg_config_load(&f, keys, VG_ARRAY_LEN(keys), path), 0);
    assert_int_equal(f.threads, 3);
    unlink(path);
    assert_int_equal(vg_config_load(&f, keys, VG_ARRAY_LEN(keys), path), VG_ENOTFOUND);
    assert_int_equal(vg_config_load(&f, keys, VG_ARRAY_LEN(keys), "/"), VG_EIO);
    vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys));
}

static void test_env(void **state)
{
    (void)state;
    fake f;
    fake_defaults(&f);
    setenv("VIGIL_HTTP_LISTEN", "[::]:7070", 1);
    setenv("VIGIL_HTTP_MAX_BODY", "64KiB", 1);
    setenv("VIGIL_AUTH_PSK_ISSUERS", " a, b c ,,d,", 1);
    setenv("VIGIL_HTTP_TLS", "TRUE", 1);
    assert_int_equal(vg_config_apply_env(&f, keys, VG_ARRAY_LEN(keys)), 0);
    assert_string_equal(f.listen, "[::]:7070");
    assert_int_equal(f.max_body, 64 << 10);
    assert_true(f.tls);
    assert_int_equal(list_len(f.issuers), 3);
    assert_string_equal(f.issuers[0], "a");
    assert_string_equal(f.issuers[1], "b c");
    assert_string_equal(f.issuers[2], "d");
    assert_int_equal(f.threads, 8);

    /* A bad variable names itself and changes nothing, not even the good ones before it. */
    setenv("VIGIL_HTTP_LISTEN", ":1", 1);
    setenv("VIGIL_HTTP_THREADS", "many", 1);
    assert_int_equal(vg_config_apply_env(&f, keys, VG_ARRAY_LEN(keys)), VG_EINVAL);
    assert_string_equal(vg_error_last(), "VIGIL_HTTP_THREADS: expected an integer, got 'many'");
    assert_string_equal(f.listen, "[::]:7070");
    setenv("VIGIL_HTTP_THREADS", "0", 1);
    assert_int_equal(vg_config_apply_env(&f, keys, VG_ARRAY_LEN(keys)), VG_EINVAL);
    assert_string_equal(vg_error_last(), "VIGIL_HTTP_THREADS: must be between 1 and 256, got '0'");
    /* An empty list is an empty list. */
    setenv("VIGIL_HTTP_THREADS", "12", 1);
    setenv("VIGIL_AUTH_PSK_ISSUERS", "", 1);
    assert_int_equal(vg_config_apply_env(&f, keys, VG_ARRAY_LEN(keys)), 0);
    assert_int_equal(f.threads, 12);
    assert_string_equal(f.listen, ":1");
    assert_non_null(f.issuers);
    assert_int_equal(list_len(f.issuers), 0);

    unsetenv("VIGIL_HTTP_LISTEN");
    unsetenv("VIGIL_HTTP_MAX_BODY");
    unsetenv("VIGIL_AUTH_PSK_ISSUERS");
    unsetenv("VIGIL_HTTP_TLS");
    unsetenv("VIGIL_HTTP_THREADS");
    vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys));
}

static void test_set(void **state)
{
    (void)state;
    fake f;
    fake_defaults(&f);
    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "http.listen", ":8443"), 0);
    assert_string_equal(f.listen, ":8443");
    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "http.timeout", "5m"), 0);
    assert_int_equal(f.timeout_ms, 300000);
    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "auth.psk.issuers", "x,y"), 0);
    assert_int_equal(list_len(f.issuers), 2);
    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "db", "a"), 0);
    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "db", "b"), 0);
    assert_string_equal(f.db, "b");

    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "http.lisen", "x"), VG_ENOTFOUND);
    assert_string_equal(vg_error_last(), "unknown key 'http.lisen'");
    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "http", "x"), VG_ENOTFOUND);
    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "http.tls", "2"), VG_EINVAL);
    assert_string_equal(vg_error_last(),
                        "http.tls: expected a boolean (true/false, yes/no, on/off), got '2'");
    assert_int_equal(vg_config_set(&f, keys, VG_ARRAY_LEN(keys), "http.threads", "\x1b[31m"),
                     VG_EINVAL);
    assert_string_equal(vg_error_last(), "http.threads: expected an integer, got '\\x1b[31m'");
    assert_int_equal(f.threads, 8);
    vg_config_dispose(&f, keys, VG_ARRAY_LEN(keys));
}

typedef struct dur_case {
    const char *s;
    int rc;
    int64_t ms;
} dur_case;

static void test_parse_duration(void **state)
{
    (void)state;
    static const dur_case cases[] = {
        {"250ms", 0, 250},
        {"30s", 0, 30000},
        {"5m", 0, 300000},
        {"6h", 0, 21600000},
        {"1d", 0, 86400000},
        {"45", 0, 45000},
        {"0", 0, 0},
        {"10 s", 0, 10000},
        {"9223372036854775807ms", 0, INT64_MAX},
        {"9223372036854775808ms", VG_ETOOBIG, 0},
        {"9223372036854776s", VG_ETOOBIG, 0},
        {"106751991167301d", VG_ETOOBIG, 0},
        {"99999999999999999999", VG_ETOOBIG, 0},
        {"", VG_EINVAL, 0},
        {"s", VG_EINVAL, 0},
        {"-5s", VG_EINVAL, 0},
        {"1.5s", VG_EINVAL, 0},
        {"5S", VG_EINVAL, 0},
        {"1h30m", VG_EINVAL, 0},
        {"5 ", VG_EINVAL, 0},
        {" 5", VG_EINVAL, 0},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        int64_t v = -7;
        print_message("duration '%s'\n", cases[i].s);
        assert_int_equal(vg_parse_duration_ms(&v, cases[i].s), cases[i].rc);
        assert_int_equal(v, cases[i].rc ? -7 : cases[i].ms);
    }
    int64_t v;
    assert_int_equal(vg_parse_duration_ms(&v, "5 fortnights"), VG_EINVAL);
    assert_string_equal(vg_error_last(),
                        "invalid duration '5 fortnights' (want e.g. 250ms, 30s, 5m, 6h, 1d)");
}

typedef struct bytes_case {
    const char *s;
    int rc;
    uint64_t v;
} bytes_case;

static void test_parse_bytes(void **state)
{
    (void)state;
    static const bytes_case cases[] = {
        {"512", 0, 512},
        {"512B", 0, 512},
        {"64KiB", 0, 64 << 10},
        {"4MiB", 0, 4 << 20},
        {"1GiB", 0, 1 << 30},
        {"2TiB", 0, UINT64_C(2) << 40},
        {"10MB", 0, 10000000},
        {"3kB", 0, 3000},
        {"3KB", 0, 3000},
        {"1 GB", 0, 1000000000},
        {"15EiB", 0, UINT64_C(15) << 60},
        {"18446744073709551615", 0, UINT64_MAX},
        {"18446744073709551616", VG_ETOOBIG, 0},
        {"16EiB", VG_ETOOBIG, 0},
        {"19EB", VG_ETOOBIG, 0},
        {"", VG_EINVAL, 0},
        {"KiB", VG_EINVAL, 0},
        {"4 mb", VG_EINVAL, 0},
        {"4K", VG_EINVAL, 0},
        {"-1", VG_EINVAL, 0},
        {"1.5MiB", VG_EINVAL, 0},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(cases); i++) {
        uint64_t v = 7;
        print_message("bytes '%s'\n", cases[i].s);
        assert_int_equal(vg_parse_bytes(&v, cases[i].s), cases[i].rc);
        assert_int_equal(v, cases[i].rc ? 7 : cases[i].v);
    }
    uint64_t v;
    assert_int_equal(vg_parse_bytes(&v, "16EiB"), VG_ETOOBIG);
    assert_string_equal(vg_error_last(), "size '16EiB' is too large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_nulls_and_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_parse_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
