/* tests/unit/test_at_timeformat.c: how atq shows a job's time
 * (atq/cli.h: at_ctime, at_strftime for -o FORMAT). Debian's atq -o passes
 * the format to strftime(3) in the C locale; ours does the same with the
 * zone's own offset and abbreviation, and says when a result is too long
 * instead of printing a cut or undefined buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "atq/cli.h"
#include "tests/unit/support/tz_check.h"

/* 2030-01-02 03:04:05 UTC, a Wednesday; 2030-07-01 12:00:00 UTC. */
#define WINTER ((int64_t)1893553445)
#define SUMMER ((int64_t)1909137600)

static void assert_formats(const struct tz *z, int64_t t, const char *format,
                           const char *want)
{
	char buf[AT_TIME_FORMAT_OUT_MAX];
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(at_strftime(z, t, format, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_default_layout_is_ctime(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	char buf[64];
	at_ctime(z, WINTER, buf, sizeof(buf));
	assert_string_equal(buf, "Wed Jan  2 03:04:05 2030");
	tz_free(z);
}

static void test_format_fields_are_strftimes(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	assert_formats(z, WINTER, "%Y-%m-%d %H:%M", "2030-01-02 03:04");
	assert_formats(z, WINTER, "%c", "Wed Jan  2 03:04:05 2030");
	assert_formats(z, WINTER, "%a %A %b %B %e %j %u %w %%", "Wed Wednesday Jan January  2 002 3 3 %");
	assert_formats(z, WINTER, "no conversions", "no conversions");
	tz_free(z);
}

static void test_zone_fields_come_from_the_zone(void **state)
{
	(void)state;
	struct tz *z = must_load("America/New_York");
	assert_formats(z, WINTER, "%H:%M %Z %z", "22:04 EST -0500");
	assert_formats(z, SUMMER, "%H:%M %Z %z", "08:00 EDT -0400");
	tz_free(z);
	z = must_load("Asia/Kolkata");
	assert_formats(z, WINTER, "%H:%M %Z %z", "08:34 IST +0530");
	tz_free(z);
}

static void test_empty_format_gives_an_empty_time(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	assert_formats(z, WINTER, "", "");
	tz_free(z);
}

static void test_a_time_too_long_for_the_buffer_is_refused_not_cut(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	char buf[8];
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(at_strftime(z, WINTER, "%Y-%m-%d", buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(at_strftime(z, WINTER, "%Y-%m-", buf, sizeof(buf)), -1);
	assert_int_equal(at_strftime(z, WINTER, "%Y-%m", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2030-01");
	tz_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_layout_is_ctime),
		cmocka_unit_test(test_format_fields_are_strftimes),
		cmocka_unit_test(test_zone_fields_come_from_the_zone),
		cmocka_unit_test(test_empty_format_gives_an_empty_time),
		cmocka_unit_test(test_a_time_too_long_for_the_buffer_is_refused_not_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
