/* SPDX-License-Identifier: ISC */
/* test_util.c - durations, time, hashing, secret files */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent/sync.h"
#include "../../agent/util.h"
#include "unit.h"

static void
test_duration_valid(void **state)
{
	static const struct { const char *in; int64_t secs; } cases[] = {
		{ "0", 0 }, { "90", 90 }, { "90s", 90 }, { "15m", 900 },
		{ "4h", 14400 }, { "2d", 172800 }, { "1", 1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -1;
		char err[128];
		assert_int_equal(parse_duration(cases[i].in, &v, err,
		    sizeof(err)), 0);
		assert_int_equal(v, cases[i].secs);
	}
}

static void
test_duration_invalid(void **state)
{
	static const char *bad[] = { "", "h", "-5", "5x", "4h30m", "1.5h",
	    " 4h", "4h ", "4H", "99999999999999999999", "40000d", "m5" };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v = 123;
		char err[128] = "";
		assert_int_equal(parse_duration(bad[i], &v, err, sizeof(err)),
		    -1);
		assert_int_equal(v, 123);
		assert_true(strlen(err) > 0);
	}
}

static void
test_duration_format(void **state)
{
	char b[32];

	(void)state;
	format_duration(14400, b, sizeof(b));
	assert_string_equal(b, "4h");
	format_duration(90, b, sizeof(b));
	assert_string_equal(b, "90s");
	format_duration(900, b, sizeof(b));
	assert_string_equal(b, "15m");
	format_duration(172800, b, sizeof(b));
	assert_string_equal(b, "2d");
}

static void
test_time_roundtrip(void **state)
{
	char	b[RFC3339_LEN];
	int64_t	ms;

	(void)state;
	format_time_ms(1764036600123LL, b, sizeof(b));
	assert_string_equal(b, "2025-11-25T02:10:00.123Z");
	assert_int_equal(parse_time(b, &ms), 0);
	assert_int_equal(ms, 1764036600123LL);
	assert_int_equal(parse_time("2025-11-25T03:10:00+01:00", &ms), 0);
	assert_int_equal(ms, 1764036600000LL);
	assert_int_equal(parse_time("2025-11-25", &ms), 0);
	assert_int_equal(ms, 1764028800000LL);
	assert_int_equal(parse_time("2025-11-25T02:10:00", &ms), -1);
	assert_int_equal(parse_time("yesterday", &ms), -1);
	assert_int_equal(parse_time("2025-13-01", &ms), -1);
}

static void
test_sha256(void **state)
{
	char	h[SHA256_HEX_LEN + 1];

	(void)state;
	sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

static char tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	return unit_tmpdir(tmpdir, sizeof(tmpdir));
}

static int
teardown_dir(void **state)
{
	(void)state;
	return unit_rmtree(tmpdir);
}

static void
write_mode(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_secret_file(void **state)
{
	char	path[128], err[512], *s = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/pw", tmpdir);
	write_mode(path, "s3cret pass\r\n", 0600);
	assert_int_equal(read_secret_file(path, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "s3cret pass");
	secret_free(s);
	write_mode(path, "s3cret\n", 0400);
	assert_int_equal(read_secret_file(path, &s, err, sizeof(err)), 0);
	secret_free(s);

	write_mode(path, "s3cret\n", 0640);
	assert_int_equal(read_secret_file(path, &s, err, sizeof(err)), -1);
	assert_null(s);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "0640"));
	assert_int_equal(check_secret_file(path, err, sizeof(err)), -1);
	write_mode(path, "s3cret\n", 0604);
	assert_int_equal(check_secret_file(path, err, sizeof(err)), -1);

	write_mode(path, "\n", 0600);
	assert_int_equal(read_secret_file(path, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(read_secret_file(path, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

static void
test_path_segment(void **unused)
{
	char	out[16];

	(void)unused;
	assert_int_equal(path_segment("a b@c.d", out, sizeof(out)), 0);
	assert_string_equal(out, "a%20b@c.d");
	assert_int_equal(path_segment("btg-admin@corp.example.com", out,
	    sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(path_segment("'''''", out, sizeof(out)), -1);
	assert_int_equal(path_segment("''''", out, sizeof(out)), 0);
	assert_string_equal(out, "%27%27%27%27");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_valid),
		cmocka_unit_test(test_duration_invalid),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_time_roundtrip),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_path_segment),
		cmocka_unit_test_setup_teardown(test_secret_file, setup_dir,
		    teardown_dir),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
