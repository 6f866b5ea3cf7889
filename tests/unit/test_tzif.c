/* tests/unit/test_tzif.c: lib/tz.c reading TZif files (RFC 8536), with
 * files crafted here: every version loads; the footer and time type 0 are
 * used where RFC 8536 says; truncated, inconsistent or damaged data is an
 * error naming the file, never a crash. The files are written to a private
 * directory used as $TZDIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/tz.h"
#include "tests/unit/support/rng.h"
#include "tests/unit/support/tmpdir.h"
#include "tests/unit/support/tz_check.h"

static char tmpdir[64];

/* ------------------------------------------------------------ crafted TZif files */

struct ttinfo {
	int32_t utoff;
	uint8_t isdst, desig;
};

struct tzif_spec {
	char version;             /* 0, or '2'..'4' */
	size_t ntrans;
	const int64_t *times;
	const uint8_t *idx;
	size_t ntypes;
	const struct ttinfo *types;
	const char *chars;
	size_t nchars;
	size_t nleap;
	const char *footer;       /* version 2+: the TZ string */
};

static const int64_t good_times[] = { 1774746000, 1792890000 };   /* 2026 EU rules */
static const uint8_t good_idx[] = { 1, 0 };
static const struct ttinfo good_types[] = { { 3600, 0, 0 }, { 7200, 1, 4 } };
static const struct tzif_spec good = {
	'2', 2, good_times, good_idx, 2, good_types, "XST\0XDT", 8, 0, "XST-1XDT,M3.5.0,M10.5.0/3",
};

static uint8_t *put(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static uint8_t *put_header(uint8_t *p, const struct tzif_spec *s)
{
	memcpy(p, "TZif", 4);
	p[4] = (uint8_t)s->version;
	memset(p + 5, 0, 15);
	p += 20;
	const uint64_t counts[6] = { s->ntypes, s->ntypes, s->nleap, s->ntrans, s->ntypes, s->nchars };
	for (int i = 0; i < 6; i++)
		p = put(p, counts[i], 4);
	return p;
}

static uint8_t *put_block(uint8_t *p, const struct tzif_spec *s, int tsize)
{
	for (size_t i = 0; i < s->ntrans; i++)
		p = put(p, (uint64_t)s->times[i], tsize);
	for (size_t i = 0; i < s->ntrans; i++)
		*p++ = s->idx[i];
	for (size_t i = 0; i < s->ntypes; i++) {
		p = put(p, (uint32_t)s->types[i].utoff, 4);
		*p++ = s->types[i].isdst;
		*p++ = s->types[i].desig;
	}
	memcpy(p, s->chars, s->nchars);
	p += s->nchars;
	for (size_t i = 0; i < s->nleap; i++) {
		p = put(p, (uint64_t)(78796800 + (int64_t)i * 15768000), tsize);
		p = put(p, i + 1, 4);
	}
	memset(p, 0, 2 * s->ntypes);   /* standard/wall and UT/local indicators */
	return p + 2 * s->ntypes;
}

static size_t tzif_build(uint8_t *buf, const struct tzif_spec *s)
{
	uint8_t *p = put_block(put_header(buf, s), s, 4);
	if (s->version != 0) {
		p = put_block(put_header(p, s), s, 8);
		*p++ = '\n';
		memcpy(p, s->footer, strlen(s->footer));
		p += strlen(s->footer);
		*p++ = '\n';
	}
	return (size_t)(p - buf);
}

static void write_zone(const char *name, const uint8_t *buf, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static struct tz *load_bytes(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	write_zone("Test/Zone", buf, len);
	return tz_load("Test/Zone", err, errlen);
}

static void expect_bytes_error(const uint8_t *buf, size_t len, const char *needle)
{
	char err[400] = "", path[128];
	struct tz *z = load_bytes(buf, len, err, sizeof err);
	if (z != NULL) {
		tz_free(z);
		fail_msg("crafted file (%zu bytes) loaded; expected '%s'", len, needle);
	}
	snprintf(path, sizeof path, "%s/Test/Zone: ", tmpdir);
	if (strstr(err, needle) == NULL || strncmp(err, path, strlen(path)) != 0)
		fail_msg("error '%s' lacks '%s' or the path", err, needle);
}

static void expect_spec_error(const struct tzif_spec *s, const char *needle)
{
	uint8_t buf[4096];
	expect_bytes_error(buf, tzif_build(buf, s), needle);
}

static struct tz *load_spec_ok(const struct tzif_spec *s)
{
	uint8_t buf[4096];
	char err[400] = "";
	struct tz *z = load_bytes(buf, tzif_build(buf, s), err, sizeof err);
	if (z == NULL)
		fail_msg("crafted file: %s", err);
	return z;
}

static void test_crafted_files_of_every_version_load(void **state)
{
	(void)state;
	struct tzif_spec s = good;
	const int64_t summer27 = utc(2027, 7, 1, 0, 0, 0);
	static const char versions[] = { 0, '2', '3', '4', '2', '3' };
	for (int v = 0; v < 6; v++) {
		s = good;
		s.version = versions[v];
		s.nleap = v == 4 ? 3 : 0;   /* leap-second records are skipped */
		if (v == 5)
			s.footer = "XST-1XDT,M3.5.0/-1,M10.5.0/167";
		struct tz *z = load_spec_ok(&s);
		check_info(z, utc(2000, 1, 1, 0, 0, 0), 3600, false, "XST");   /* type 0 */
		check_info(z, utc(2026, 7, 1, 0, 0, 0), 7200, true, "XDT");
		check_info(z, utc(2026, 12, 1, 0, 0, 0), 3600, false, "XST");
		/* version 1 has no footer: the last type stays */
		if (v == 0)
			check_info(z, summer27, 3600, false, "XST");
		else
			check_info(z, summer27, 7200, true, "XDT");
		tz_free(z);
	}
	s = good;
	s.footer = "";   /* empty footer: the last type stays */
	struct tz *z = load_spec_ok(&s);
	check_info(z, summer27, 3600, false, "XST");
	struct tz_span sp;
	tz_span_at(z, summer27, &sp);
	assert_int_equal(sp.start, good_times[1]);
	assert_true(sp.end == INT64_MAX);
	tz_free(z);
}

static void test_zone_without_transitions_uses_footer_or_type_0(void **state)
{
	(void)state;
	static const struct ttinfo lmt[] = { { -3600, 0, 0 } };
	struct tzif_spec s = { '2', 0, NULL, NULL, 1, lmt, "ABC", 4, 0, "<+03>-3" };
	struct tz *z = load_spec_ok(&s);
	check_info(z, INT64_MIN, 10800, false, "+03");
	check_info(z, 0, 10800, false, "+03");
	tz_free(z);
	s.version = 0;
	z = load_spec_ok(&s);
	check_info(z, INT64_MIN, -3600, false, "ABC");
	check_info(z, INT64_MAX, -3600, false, "ABC");
	tz_free(z);
}

/* The footer governs from the last transition on, even where it
 * contradicts that transition's type. */
static void test_footer_rules_from_the_last_transition(void **state)
{
	(void)state;
	struct tzif_spec s = good;
	s.footer = "<+03>-3";
	struct tz *z = load_spec_ok(&s);
	check_info(z, good_times[1] - 1, 7200, true, "XDT");
	check_info(z, good_times[1], 10800, false, "+03");
	struct tz_span sp;
	tz_span_at(z, good_times[1], &sp);
	assert_int_equal(sp.start, good_times[1]);
	assert_int_equal(sp.prev_offset, 7200);
	assert_true(sp.end == INT64_MAX);
	check_span(z, good_times[0]);
	tz_free(z);
}

static void test_missing_utc_file_falls_back_to_builtin_utc_only(void **state)
{
	(void)state;
	char path[128];
	static const char *const names[] = { "UTC", "Etc/UTC" };
	for (size_t i = 0; i < 2; i++) {   /* the private TZDIR has neither */
		struct tz *z = must_load(names[i]);
		check_info(z, 0, 0, false, "UTC");
		tz_free(z);
	}
	expect_load_error("Europe/Berlin", "unknown time zone 'Europe/Berlin'");
	expect_load_error(":UTC", "unknown time zone ':UTC'");
	snprintf(path, sizeof path, "%s/Test/Fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_load_error("Test/Fifo", "Test/Fifo: not a regular file");   /* and no hang */
}

static void test_malformed_tzif_files_are_errors(void **state)
{
	(void)state;
	uint8_t buf[4096];
	size_t len = tzif_build(buf, &good);
	for (size_t cut = 0; cut < len; cut++)   /* every truncation */
		expect_bytes_error(buf, cut, "");
	expect_bytes_error(buf, 30, "truncated TZif header");
	expect_bytes_error(buf, len - 1, "footer");
	buf[len] = 'x';
	expect_bytes_error(buf, len + 1, "trailing data after the footer");
	buf[0] = 'X';
	expect_bytes_error(buf, len, "not a TZif file");
	len = tzif_build(buf, &good);
	buf[4] = '5';
	expect_bytes_error(buf, len, "unsupported TZif version");
	buf[4] = '3';
	expect_bytes_error(buf, len, "disagree on the version");
	buf[len - strlen(good.footer) - 3] = 2;   /* the last UT indicator */
	buf[4] = '2';
	expect_bytes_error(buf, len, "bad standard/UT indicator");
	uint8_t *big = calloc(1, 1024 * 1024 + 1);
	assert_non_null(big);
	memcpy(big, buf, len);
	expect_bytes_error(big, 1024 * 1024 + 1, "larger than 1048576 bytes");
	free(big);
}

static void test_inconsistent_tzif_data_is_an_error(void **state)
{
	(void)state;
	static const int64_t same_times[] = { 1774746000, 1774746000 };
	static const uint8_t bad_idx[] = { 1, 2 };
	static const struct ttinfo bad_desig[] = { { 3600, 0, 0 }, { 7200, 1, 8 } };
	static const struct ttinfo bad_dst[] = { { 3600, 0, 0 }, { 7200, 2, 4 } };
	static const struct ttinfo bad_off[] = { { 3600, 0, 0 }, { 100000, 1, 4 } };
	struct tzif_spec s = good;
	s.times = same_times;
	expect_spec_error(&s, "transition times not increasing");
	s = good;
	s.idx = bad_idx;
	expect_spec_error(&s, "transition 1 has type 2 of 2");
	s = good;
	s.types = bad_desig;
	expect_spec_error(&s, "bad local time type 1");
	s.types = bad_dst;
	expect_spec_error(&s, "bad local time type 1");
	s.types = bad_off;
	expect_spec_error(&s, "bad local time type 1");
	s = good;
	s.nchars = 7;
	expect_spec_error(&s, "abbreviations not NUL-terminated");
	s.nchars = 0;
	expect_spec_error(&s, "inconsistent TZif header counts");
	s = good;
	s.ntrans = 0;
	s.ntypes = 0;
	expect_spec_error(&s, "inconsistent TZif header counts");
	s = good;
	s.footer = "XST-1XDT,M13.5.0,M10.5.0";
	expect_spec_error(&s, "bad footer TZ string 'XST-1XDT,M13.5.0,M10.5.0': month must be 1-12");
}

/* Random byte damage must give a zone or an error, never a crash (ASan). */
static void test_damaged_files_never_crash(void **state)
{
	(void)state;
	uint8_t clean[4096], buf[4096];
	size_t len = tzif_build(clean, &good);
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (int i = 0; i < 1500; i++) {
		memcpy(buf, clean, len);
		for (int k = 1 + (int)(rng_next(&x) % 4); k > 0; k--)
			buf[rng_next(&x) % len] = (uint8_t)rng_next(&x);
		char err[400] = "";
		struct tz *z = load_bytes(buf, len, err, sizeof err);
		if (z == NULL) {
			assert_true(err[0] != '\0');
			continue;
		}
		int64_t out[2], gap;
		for (int k = 0; k < 20; k++) {
			int64_t t = rng_between(&x, -4000000000, 8000000000);
			check_span(z, t);
			assert_true(tz_from_wall(z, tz_to_wall(z, t), out, &gap) >= 1);
		}
		tz_free(z);
	}
}

/* ------------------------------------------------------------ main */

static int setup(void **state)
{
	(void)state;
	char sub[96];
	if (tmpdir_make(tmpdir, sizeof tmpdir, "test_tzif") < 0)
		return -1;
	snprintf(sub, sizeof sub, "%s/Test", tmpdir);
	if (mkdir(sub, 0700) < 0)
		return -1;
	return setenv("TZDIR", tmpdir, 1);
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("TZDIR");
	return tmpdir_remove(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crafted_files_of_every_version_load),
		cmocka_unit_test(test_zone_without_transitions_uses_footer_or_type_0),
		cmocka_unit_test(test_footer_rules_from_the_last_transition),
		cmocka_unit_test(test_missing_utc_file_falls_back_to_builtin_utc_only),
		cmocka_unit_test(test_malformed_tzif_files_are_errors),
		cmocka_unit_test(test_inconsistent_tzif_data_is_an_error),
		cmocka_unit_test(test_damaged_files_never_crash),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
