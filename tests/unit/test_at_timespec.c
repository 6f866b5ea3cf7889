/* tests/unit/test_at_timespec.c: the at time language (atq/timespec.h).
 *
 * Two kinds of test:
 *
 * 1. The Debian table: tests/data/at_timespec_table.txt, thousands of cases
 *    generated from Debian's at 3.2.5 by tests/tools/gen-at-table.sh (zone,
 *    fixed "now", spec, expected answer). Each case runs with TZ set to its
 *    zone. The file is found, in this order, at:
 *      $AT_TIMESPEC_TABLE              (any table file, e.g. an unseen batch)
 *      $ROOT/tests/data/...            (ROOT = the repository, as tests/run sets
 *                                       for whole-program tests)
 *      tests/data/... in the executable's directory or any directory above
 *      it (build/tests/, build/asan/tests/, ... all work), then likewise from
 *      the current directory.
 *    A missing table is a failure, not a skip.
 *
 * 2. Hand-written cases, grouped by the rule they check, with times written
 *    as ISO 8601 with an explicit UTC offset so that a repeated hour is never
 *    ambiguous; plus error positions and the -t form.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "atq/timespec.h"

#define MAX_WORDS 64
#define TABLE_NAME "tests/data/at_timespec_table.txt"

static void use_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* "2026-03-07T12:00:30-05:00" or "...Z" -> epoch. */
static time_t iso(const char *s)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	char sign = 'Z';
	int n = sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &y, &mo, &d, &h, &mi, &sec,
	               &sign, &oh, &om);
	if (n != 7 && n != 9)
		fail_msg("bad ISO time in a test: %s", s);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t off = (time_t)(oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
	return timegm(&tm) - (sign == 'Z' ? 0 : off);
}

/* Splits SPEC (a copy in BUF) at single spaces into WORDS. */
static size_t split_words(const char *spec, char *buf, size_t bufsize,
                          const char **words)
{
	size_t n = 0;
	snprintf(buf, bufsize, "%s", spec);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w != NULL && n < MAX_WORDS;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	return n;
}

static const char *status_name(enum at_timespec_status st)
{
	switch (st) {
	case AT_TIMESPEC_OK: return "OK";
	case AT_TIMESPEC_GARBLED: return "ERROR";
	case AT_TIMESPEC_PAST: return "PAST";
	case AT_TIMESPEC_RANGE: return "RANGE";
	}
	return "?";
}

/* Runs one spec ("-t ARG" for the POSIX form); returns the status. */
static enum at_timespec_status run_spec(const char *spec, time_t now, time_t *out,
                                        struct at_timespec_error *err)
{
	char buf[1024];
	const char *words[MAX_WORDS];
	if (strncmp(spec, "-t ", 3) == 0)
		return at_timespec_parse_posix(spec + 3, now, out, err);
	size_t n = split_words(spec, buf, sizeof buf, words);
	return at_timespec_parse(words, n, now, out, err);
}

/* Does (ST, OUT) match WANT: an epoch, "ERROR" (garbled or range), "PAST",
 * "RANGE", or an ISO time? */
static bool matches(const char *want, enum at_timespec_status st, time_t out)
{
	if (strcmp(want, "ERROR") == 0)
		return st == AT_TIMESPEC_GARBLED || st == AT_TIMESPEC_RANGE;
	if (strcmp(want, "GARBLED") == 0)
		return st == AT_TIMESPEC_GARBLED;
	if (strcmp(want, "PAST") == 0)
		return st == AT_TIMESPEC_PAST;
	if (strcmp(want, "RANGE") == 0)
		return st == AT_TIMESPEC_RANGE;
	if (st != AT_TIMESPEC_OK)
		return false;
	if (strchr(want, 'T') != NULL)
		return out == iso(want);
	return (long long)out == strtoll(want, NULL, 10);
}

/* The error fields make sense for the words given. */
static void check_error_shape(const char *spec, const struct at_timespec_error *err)
{
	char buf[1024];
	const char *words[MAX_WORDS];
	size_t n = strncmp(spec, "-t ", 3) == 0 ? 1 : split_words(spec, buf, sizeof buf, words);
	assert_true(err->msg[0] != '\0');
	assert_true(err->word >= -1 && err->word <= (int)n);
	assert_true(err->offset >= 0);
	if (err->word >= 0 && (size_t)err->word < n && strncmp(spec, "-t ", 3) != 0)
		assert_true((size_t)err->offset < strlen(words[err->word]));
}

/* ------------------------------------------------------------ the table */

static FILE *open_near(const char *dir)
{
	char path[PATH_MAX + sizeof TABLE_NAME + 1], cur[PATH_MAX];
	snprintf(cur, sizeof cur, "%s", dir);
	for (int up = 0; up < 8; up++) {
		snprintf(path, sizeof path, "%s/" TABLE_NAME, cur);
		FILE *f = fopen(path, "r");
		if (f != NULL)
			return f;
		size_t len = strlen(cur);
		if (len + 3 >= sizeof cur)
			break;
		memcpy(cur + len, "/..", 4);
	}
	return NULL;
}

static FILE *open_table(char *where, size_t wherelen)
{
	const char *env = getenv("AT_TIMESPEC_TABLE"), *root = getenv("ROOT");
	char path[PATH_MAX];
	FILE *f = NULL;
	if (env != NULL && env[0] != '\0') {
		snprintf(where, wherelen, "%s", env);
		return fopen(env, "r");
	}
	if (root != NULL && root[0] != '\0') {
		snprintf(path, sizeof path, "%s/" TABLE_NAME, root);
		if ((f = fopen(path, "r")) != NULL) {
			snprintf(where, wherelen, "%s", path);
			return f;
		}
	}
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n > 0) {
		path[n] = '\0';
		char *slash = strrchr(path, '/');
		if (slash != NULL)
			*slash = '\0';
		if ((f = open_near(path)) != NULL) {
			snprintf(where, wherelen, "near %s", path);
			return f;
		}
	}
	snprintf(where, wherelen, "near the current directory");
	return open_near(".");
}

struct table_stats {
	int cases, failures;
};

/* One table line: TZ, NOW, EXPECTED, SPEC, comment. */
static void table_case(char *line, int lineno, struct table_stats *st)
{
	char *field[4];
	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return;
	char *p = line;
	for (int i = 0; i < 4; i++) {
		field[i] = p;
		p = strchr(p, '\t');
		if (p == NULL && i < 3)
			fail_msg("table line %d: too few fields", lineno);
		if (p != NULL)
			*p++ = '\0';
	}
	const char *tz = field[0], *want = field[2], *spec = field[3];
	time_t now = (time_t)strtoll(field[1], NULL, 10), out = 0, out1 = 0;
	struct at_timespec_error err = {0}, err1 = {0};
	use_zone(tz);
	enum at_timespec_status s = run_spec(spec, now, &out, &err);
	st->cases++;
	bool ok = matches(want, s, out);
	if (ok && s != AT_TIMESPEC_OK)
		check_error_shape(spec, &err);
	if (ok && strncmp(spec, "-t ", 3) != 0) {   /* one word is the same */
		const char *one[1] = {spec};
		enum at_timespec_status s1 = at_timespec_parse(one, 1, now, &out1, &err1);
		ok = s1 == s && (s != AT_TIMESPEC_OK || out1 == out);
	}
	if (!ok && ++st->failures <= 40)
		print_message("table line %d: TZ=%s now=%s '%s': want %s, got %s %lld (%s)\n",
		              lineno, tz, field[1], spec, want, status_name(s),
		              (long long)out, s == AT_TIMESPEC_OK ? "" : err.msg);
}

static void test_matches_debian_table(void **state)
{
	(void)state;
	char where[PATH_MAX + 16], line[2048];
	FILE *f = open_table(where, sizeof where);
	if (f == NULL)
		fail_msg("cannot open the table (%s); set AT_TIMESPEC_TABLE or ROOT", where);
	struct table_stats st = {0};
	for (int lineno = 1; fgets(line, sizeof line, f) != NULL; lineno++)
		table_case(line, lineno, &st);
	fclose(f);
	print_message("%d table cases from %s, %d failed\n", st.cases, where, st.failures);
	assert_true(st.cases >= 1000 || getenv("AT_TIMESPEC_TABLE") != NULL);
	assert_int_equal(st.failures, 0);
}

/* ------------------------------------------------------------ hand cases */

struct hand_case {
	const char *tz;
	const char *now;      /* ISO 8601 with offset */
	const char *spec;     /* words at single spaces; "-t ARG" for -t */
	const char *want;     /* ISO 8601 with offset, or ERROR/GARBLED/PAST/RANGE */
};

static void check_cases(const struct hand_case *c, size_t n)
{
	int failures = 0;
	for (size_t i = 0; i < n; i++) {
		time_t out = 0;
		struct at_timespec_error err = {0};
		use_zone(c[i].tz);
		enum at_timespec_status s = run_spec(c[i].spec, iso(c[i].now), &out, &err);
		if (matches(c[i].want, s, out)) {
			if (s != AT_TIMESPEC_OK)
				check_error_shape(c[i].spec, &err);
			continue;
		}
		char got[64] = "";
		struct tm tm;
		if (s == AT_TIMESPEC_OK && gmtime_r(&out, &tm) != NULL)
			strftime(got, sizeof got, "%Y-%m-%dT%H:%M:%SZ", &tm);
		print_message("TZ=%s now=%s '%s': want %s, got %s %s %s\n", c[i].tz, c[i].now,
		              c[i].spec, c[i].want, status_name(s), got,
		              s == AT_TIMESPEC_OK ? "" : err.msg);
		failures++;
	}
	assert_int_equal(failures, 0);
}

#define CHECK(cases) check_cases(cases, sizeof cases / sizeof cases[0])

/* Saturday 2026-03-07 12:00:30 UTC, the "now" of most cases below. */
#define SAT "2026-03-07T12:00:30Z"

static void test_bare_time_already_passed_means_tomorrow(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "11am", "2026-03-08T11:00:00Z"},
		{"UTC", SAT, "12:00", "2026-03-08T12:00:00Z"},   /* this minute has passed */
		{"UTC", SAT, "noon", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "midnight", "2026-03-08T00:00:00Z"},
		{"UTC", SAT, "0000", "2026-03-08T00:00:00Z"},
		{"UTC", "2026-12-31T23:30:00Z", "9am", "2027-01-01T09:00:00Z"},
		{"UTC", "2028-02-28T20:00:00Z", "8am", "2028-02-29T08:00:00Z"},
	};
	CHECK(c);
}

static void test_bare_time_later_today_means_today(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "12:01", "2026-03-07T12:01:00Z"},
		{"UTC", SAT, "1201", "2026-03-07T12:01:00Z"},
		{"UTC", SAT, "1pm", "2026-03-07T13:00:00Z"},
		{"UTC", SAT, "teatime", "2026-03-07T16:00:00Z"},
		{"UTC", SAT, "23:59", "2026-03-07T23:59:00Z"},
		{"UTC", SAT, "24:00", "2026-03-08T00:00:00Z"},  /* the end of today */
		{"UTC", SAT, "12am", "2026-03-08T00:00:00Z"},
		{"UTC", SAT, "12pm", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "9:30pm", "2026-03-07T21:30:00Z"},
		{"UTC", SAT, "10h30", "2026-03-08T10:30:00Z"},
		{"UTC", SAT, "10,30", "2026-03-08T10:30:00Z"},
		{"UTC", SAT, "12.30", "2026-03-07T12:30:00Z"},
	};
	CHECK(c);
}

static void test_now_is_this_minute_and_not_in_the_past(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "now", "2026-03-07T12:00:00Z"},
		{"UTC", SAT, "today", "2026-03-07T12:00:00Z"},
		{"UTC", SAT, "noon today", "2026-03-07T12:00:00Z"},
		{"UTC", SAT, "now + 0 minutes", "2026-03-07T12:00:00Z"},
		{"UTC", SAT, "now - 1 minute", "PAST"},
	};
	CHECK(c);
}

static void test_explicit_time_in_the_past_is_refused(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "11am today", "PAST"},
		{"UTC", SAT, "11:59 mar 7", "PAST"},
		{"UTC", SAT, "2026-03-06", "PAST"},
		{"UTC", SAT, "jul 31 1969", "PAST"},
		{"UTC", SAT, "7/31/99", "PAST"},
		{"UTC", SAT, "now - 1 hour", "PAST"},
		{"UTC", SAT, "now - 1 month", "PAST"},
	};
	CHECK(c);
	const char *words[] = {"11am", "today"};
	struct at_timespec_error err;
	time_t out;
	use_zone("UTC");
	assert_int_equal(at_timespec_parse(words, 2, iso(SAT), &out, &err), AT_TIMESPEC_PAST);
	assert_string_equal(err.msg, "refusing to create job destined in the past");
	assert_int_equal(err.word, -1);
}

static void test_date_without_year_that_has_passed_means_next_year(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "mar 6", "2027-03-06T12:00:00Z"},
		{"UTC", SAT, "mar 8", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "jan 1", "2027-01-01T12:00:00Z"},
		{"UTC", SAT, "10am jul 31", "2026-07-31T10:00:00Z"},
		{"UTC", SAT, "31 jul", "2026-07-31T12:00:00Z"},
		{"UTC", SAT, "1pm mar 7", "2026-03-07T13:00:00Z"},
		{"UTC", SAT, "11am mar 7", "PAST"},       /* today is not "passed" */
		{"UTC", SAT, "noon - 1 day", "2027-03-06T12:00:00Z"},   /* as Debian */
	};
	CHECK(c);
}

static void test_every_date_form(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "jul 31 2027", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "July 31, 2027", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "jul 31,2027", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "31 jul 27", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "7/31/27", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "31.07.2027", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "31.7.27", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "2027-07-31", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "27-7-31", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "073127", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "07312027", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "73127", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "7312027", "2027-07-31T12:00:00Z"},
		{"UTC", SAT, "tomorrow", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "teatime tomorrow", "2026-03-08T16:00:00Z"},
		{"UTC", SAT, "10am jul 31", "2026-07-31T10:00:00Z"},
		{"UTC", SAT, "noon 2026-12-25", "2026-12-25T12:00:00Z"},
		{"UTC", SAT, "2027", "2026-03-07T20:27:00Z"},    /* HHMM, not a year */
		{"UTC", SAT, "jul 1,2027", "GARBLED"},   /* "1,20" reads as the time 1:20 */
		{"UTC", SAT, "jul 31 noon", "GARBLED"},  /* the time comes first */
	};
	CHECK(c);
}

static void test_weekday_is_one_to_seven_days_ahead(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "sunday", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "fri", "2026-03-13T12:00:00Z"},
		{"UTC", SAT, "saturday", "2026-03-14T12:00:00Z"},   /* not today */
		{"UTC", SAT, "next saturday", "2026-03-14T12:00:00Z"},
		{"UTC", SAT, "teatime monday", "2026-03-09T16:00:00Z"},
	};
	CHECK(c);
}

static void test_increments_and_next(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "now + 1 minute", "2026-03-07T12:01:00Z"},
		{"UTC", SAT, "now + 1 min", "2026-03-07T12:01:00Z"},
		{"UTC", SAT, "now+2hours", "2026-03-07T14:00:00Z"},
		{"UTC", SAT, "now +2 hour", "2026-03-07T14:00:00Z"},
		{"UTC", SAT, "now + 3 days", "2026-03-10T12:00:00Z"},
		{"UTC", SAT, "now + 2 weeks", "2026-03-21T12:00:00Z"},
		{"UTC", SAT, "now + 1 month", "2026-04-07T12:00:00Z"},
		{"UTC", SAT, "now + 1 years", "2027-03-07T12:00:00Z"},
		{"UTC", SAT, "teatime tomorrow - 1 hour", "2026-03-08T15:00:00Z"},
		{"UTC", SAT, "next minute", "2026-03-07T12:01:00Z"},
		{"UTC", SAT, "next hour", "2026-03-07T13:00:00Z"},
		{"UTC", SAT, "next week", "2026-03-14T12:00:00Z"},
		{"UTC", SAT, "nextweek", "2026-03-14T12:00:00Z"},
		{"UTC", SAT, "next year", "2027-03-07T12:00:00Z"},
		{"UTC", SAT, "11am + 2 hours", "2026-03-07T13:00:00Z"},  /* then compared */
		{"UTC", SAT, "now + 1 mins", "GARBLED"},
		{"UTC", SAT, "now + 1 hour + 1 hour", "GARBLED"},
	};
	CHECK(c);
}

static void test_months_roll_over_as_mktime_does(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "noon jan 31 2027 + 1 month", "2027-03-03T12:00:00Z"},
		{"UTC", SAT, "noon jan 31 2028 + 1 month", "2028-03-02T12:00:00Z"},
		{"UTC", SAT, "noon 2028-02-29 + 1 year", "2029-03-01T12:00:00Z"},
		{"UTC", SAT, "jan 31 + 1 month", "2027-03-03T12:00:00Z"},  /* then next year */
	};
	CHECK(c);
}

static void test_dates_past_2038(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "3:15am jan 19 2038", "2038-01-19T03:15:00Z"},
		{"UTC", SAT, "2040-02-29", "2040-02-29T12:00:00Z"},
		{"UTC", SAT, "dec 31 2099", "2099-12-31T12:00:00Z"},
		{"UTC", SAT, "1.1.2100", "2100-01-01T12:00:00Z"},
		{"UTC", "2040-07-01T06:00:00Z", "teatime tomorrow", "2040-07-02T16:00:00Z"},
		{"America/New_York", "2060-11-06T12:00:00-04:00", "now + 1 day", "2060-11-07T12:00:00-05:00"},
		{"UTC", SAT, "now + 7000 years", "9026-03-07T12:00:00Z"},
	};
	CHECK(c);
}

static void test_case_is_ignored_and_words_are_joined_by_spaces(void **state)
{
	(void)state;
	static const char *const forms[][4] = {
		{"now", "+", "2", "hours"}, {"now + 2 hours", NULL, NULL, NULL},
		{"NOW+2HOURS", NULL, NULL, NULL}, {"now\t+\n2 Hours", NULL, NULL, NULL},
		{"now +", "", "2 hours", NULL},
	};
	use_zone("UTC");
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		size_t n = 0;
		while (n < 4 && forms[i][n] != NULL)
			n++;
		time_t out = 0;
		assert_int_equal(at_timespec_parse(forms[i], n, iso(SAT), &out, NULL), AT_TIMESPEC_OK);
		assert_true(out == iso("2026-03-07T14:00:00Z"));
	}
	static const struct hand_case c[] = {
		{"UTC", SAT, "10 am", "2026-03-08T10:00:00Z"},
		{"UTC", SAT, "no w", "GARBLED"},          /* no token spans two words */
		{"UTC", SAT, "tea time", "GARBLED"},
		{"UTC", SAT, "TeaTime ToMorrow", "2026-03-08T16:00:00Z"},
		{"UTC", SAT, "teatimetomorrow", "2026-03-08T16:00:00Z"},
		{"UTC", SAT, "10am31jul", "2026-07-31T10:00:00Z"},
		{"UTC", SAT, "sept 1", "GARBLED"},
		{"UTC", SAT, "mondays", "GARBLED"},
	};
	CHECK(c);
}

/* ------------------------------------------------ DST, as Debian resolves */

static void test_wall_time_in_a_gap_moves_past_it(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"America/New_York", "2026-03-07T12:00:30-05:00", "2:30am mar 8", "2026-03-08T03:30:00-04:00"},
		{"America/New_York", "2026-03-07T12:00:30-05:00", "2:30am", "2026-03-08T03:30:00-04:00"},
		{"Europe/Berlin", "2026-03-28T12:00:30+01:00", "2:30am 2026-03-29", "2026-03-29T03:30:00+02:00"},
		{"Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", "2:15am", "2026-10-04T02:45:00+11:00"},
		/* a day added into the gap keeps Debian's result: before the gap */
		{"America/New_York", "2026-03-07T12:00:30-05:00", "2:30am tomorrow", "2026-03-08T01:30:00-05:00"},
	};
	CHECK(c);
}

static void test_repeated_hour_takes_nows_offset_first(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"America/New_York", "2026-01-10T12:00:00-05:00", "1:30am nov 1", "2026-11-01T01:30:00-05:00"},
		{"America/New_York", "2026-07-10T12:00:00-04:00", "1:30am nov 1", "2026-11-01T01:30:00-04:00"},
		{"America/New_York", "2026-11-01T01:30:00-04:00", "1:45am", "2026-11-01T01:45:00-04:00"},
		{"America/New_York", "2026-11-01T01:30:00-05:00", "1:45am", "2026-11-01T01:45:00-05:00"},
		{"America/New_York", "2026-11-01T01:30:00-05:00", "now", "2026-11-01T01:30:00-05:00"},
		{"Europe/Berlin", "2026-01-10T12:00:00+01:00", "2:30am oct 25", "2026-10-25T02:30:00+01:00"},
	};
	CHECK(c);
}

static void test_days_keep_the_wall_clock_across_dst(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"America/New_York", "2026-03-07T12:00:30-05:00", "tomorrow", "2026-03-08T12:00:00-04:00"},
		{"America/New_York", "2026-03-07T12:00:30-05:00", "now + 1 week", "2026-03-14T12:00:00-04:00"},
		{"Europe/Berlin", "2026-10-24T12:00:30+02:00", "sunday", "2026-10-25T12:00:00+01:00"},
		/* D5: Lord Howe moves by half an hour; Debian says 11:30 and 15:30 */
		{"Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", "tomorrow", "2026-10-04T12:00:00+11:00"},
		{"Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", "teatime tomorrow", "2026-10-04T16:00:00+11:00"},
		{"Australia/Lord_Howe", "2026-04-04T12:00:00+11:00", "next week", "2026-04-11T12:00:00+10:30"},
		/* D5: Dublin's winter time is its "DST"; Debian is two hours off */
		{"Europe/Dublin", "2026-10-24T12:00:00+01:00", "tomorrow", "2026-10-25T12:00:00Z"},
	};
	CHECK(c);
}

static void test_minutes_and_hours_are_elapsed_time(void **state)
{
	(void)state;
	/* D4: Debian corrects these by an hour too: "now + 1 hour" gives now,
	 * "now + 30 minutes" is refused, and 24 hours make 23 or 25. */
	static const struct hand_case c[] = {
		{"America/New_York", "2026-03-08T01:30:00-05:00", "now + 1 hour", "2026-03-08T03:30:00-04:00"},
		{"America/New_York", "2026-03-08T01:30:00-05:00", "now + 30 minutes", "2026-03-08T03:00:00-04:00"},
		{"America/New_York", "2026-03-08T01:30:00-05:00", "next hour", "2026-03-08T03:30:00-04:00"},
		{"America/New_York", "2026-03-08T01:30:00-05:00", "1:30am + 1 hour", "2026-03-08T03:30:00-04:00"},
		{"America/New_York", "2026-11-01T01:30:00-04:00", "now + 1 hour", "2026-11-01T01:30:00-05:00"},
		{"America/New_York", "2026-03-07T12:00:30-05:00", "now + 24 hours", "2026-03-08T13:00:00-04:00"},
		{"Europe/Berlin", "2026-10-25T02:30:00+02:00", "now + 30 minutes", "2026-10-25T02:00:00+01:00"},
	};
	CHECK(c);
}

static void test_time_moved_to_tomorrow_is_resolved_afresh(void **state)
{
	(void)state;
	/* D7: Debian reuses today's DST flag for tomorrow's 11:00 and lands on
	 * 12:00 (spring) or 10:00 (autumn). */
	static const struct hand_case c[] = {
		{"Europe/Berlin", "2026-03-28T12:00:30+01:00", "10am + 1 hour", "2026-03-29T11:00:00+02:00"},
		{"Europe/Berlin", "2026-10-24T12:00:30+02:00", "10am + 1 hour", "2026-10-25T11:00:00+01:00"},
	};
	CHECK(c);
}

static void test_utc_times_are_read_on_the_utc_clock(void **state)
{
	(void)state;
	/* D6: Debian compares a utc time with the local clock: in New York at
	 * noon (17:00 UTC) it refuses "13:00 utc" as in the past. */
	static const struct hand_case c[] = {
		{"America/New_York", "2026-03-07T12:00:30-05:00", "13:00 utc", "2026-03-08T13:00:00Z"},
		{"America/New_York", "2026-03-07T12:00:30-05:00", "17:00 utc", "2026-03-08T17:00:00Z"},
		{"America/New_York", "2026-03-07T12:00:30-05:00", "23:00 utc", "2026-03-07T23:00:00Z"},
		{"Europe/Berlin", "2026-07-08T00:30:00+02:00", "23:00 utc", "2026-07-07T23:00:00Z"},
		{"America/New_York", "2026-03-07T12:00:30-05:00", "noon utc tomorrow", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "10:30 UTC", "2026-03-08T10:30:00Z"},
		{"UTC", SAT, "noon utc jul 31", "2026-07-31T12:00:00Z"},
		{"UTC", SAT, "noon jul 31 utc", "GARBLED"},     /* utc follows the time */
	};
	CHECK(c);
}

/* ------------------------------------------------ deliberate differences */

static void test_four_digit_years_are_the_year_itself(void **state)
{
	(void)state;
	/* D1: Debian reads 1900 as 3800 and 0069 as 2069 */
	static const struct hand_case c[] = {
		{"UTC", SAT, "jul 31 1900", "PAST"},
		{"UTC", SAT, "jul 31 0069", "PAST"},
		{"UTC", SAT, "1900-01-01", "PAST"},
		{"UTC", SAT, "11111111", "PAST"},
		{"UTC", SAT, "jul 31 69", "2069-07-31T12:00:00Z"},
		{"UTC", SAT, "jul 31 70", "PAST"},
	};
	CHECK(c);
}

static void test_days_a_month_lacks_are_errors(void **state)
{
	(void)state;
	/* D2: Debian rolls these over (feb 30 -> mar 2), except in its own
	 * YYYY-MM-DD and DD.MM.YY forms */
	static const struct hand_case c[] = {
		{"UTC", SAT, "feb 30", "GARBLED"},
		{"UTC", SAT, "apr 31 2027", "GARBLED"},
		{"UTC", SAT, "31 apr", "GARBLED"},
		{"UTC", SAT, "2/30/28", "GARBLED"},
		{"UTC", SAT, "02302028", "GARBLED"},
		{"UTC", SAT, "07002026", "GARBLED"},
		{"UTC", SAT, "2027-02-29", "GARBLED"},
		{"UTC", SAT, "feb 29 2028", "2028-02-29T12:00:00Z"},
		{"UTC", "2027-01-10T12:00:00Z", "feb 29", "GARBLED"},     /* 2027 */
		{"UTC", "2027-03-10T12:00:00Z", "feb 29", "2028-02-29T12:00:00Z"},
	};
	CHECK(c);
}

static void test_clock_values_must_exist(void **state)
{
	(void)state;
	/* D3: Debian accepts minute 60 and 24:MM as the next hour */
	static const struct hand_case c[] = {
		{"UTC", SAT, "12:60", "GARBLED"},
		{"UTC", SAT, "1260", "GARBLED"},
		{"UTC", SAT, "24:30", "GARBLED"},
		{"UTC", SAT, "25:00", "GARBLED"},
		{"UTC", SAT, "13am", "GARBLED"},
		{"UTC", SAT, "2400", "2026-03-08T00:00:00Z"},
	};
	CHECK(c);
}

static void test_out_of_range_is_an_error(void **state)
{
	(void)state;
	/* D8: Debian truncates counts to 32 bits and accepts years past 9999 */
	static const struct hand_case c[] = {
		{"UTC", SAT, "now + 4294967296 minutes", "RANGE"},
		{"UTC", SAT, "now + 2147483648 minutes", "RANGE"},
		{"UTC", SAT, "now + 2147483647 minutes", "6109-03-30T14:07:00Z"},
		{"UTC", SAT, "now + 8000 years", "RANGE"},
		{"UTC", SAT, "now + 2147483647 weeks", "RANGE"},
		{"UTC", SAT, "now - 2147483647 years", "PAST"},
	};
	CHECK(c);
}

static void test_bytes_outside_ascii_are_errors(void **state)
{
	(void)state;
	/* D9: Debian stops reading at the first such byte */
	static const struct hand_case c[] = {
		{"UTC", SAT, "now\xff", "GARBLED"},
		{"UTC", SAT, "noon \xc3\xa9t\xc3\xa9", "GARBLED"},
	};
	CHECK(c);
}

/* ------------------------------------------------ errors and positions */

struct position_case {
	const char *spec;
	int word, offset;
	const char *msg;
};

static void test_errors_name_the_offending_word(void **state)
{
	(void)state;
	static const struct position_case c[] = {
		{"foo", 0, 0, "garbled time at 'foo'"},
		{"teatime tomorrow x", 2, 0, "garbled time at 'x'"},
		{"now + 2 hourz", 3, 4, "garbled time at 'hourz'"},
		{"now+2hourz", 0, 9, "garbled time at 'now+2hourz'"},
		{"25:00", 0, 0, "problem in hours specification at '25:00'"},
		{"12:60", 0, 0, "problem in minutes specification at '12:60'"},
		{"13am", 0, 0, "hour too large for am at '13am'"},
		{"jul 32", 1, 0, "error in day of month at '32'"},
		{"13/1/27", 0, 0, "error in month number at '13/1/27'"},
		{"7/32/27", 0, 2, "error in day of month at '7/32/27'"},
		{"feb 30", 1, 0, "error in day of month at '30'"},
		{"now +", 2, 0, "garbled time: incomplete time specification"},
		{"", 0, 0, "garbled time: empty time specification"},
		{"now + 99999999999 minutes", 2, 0, "increment out of range at '99999999999'"},
		{"now + 8000 years", -1, 0, "time out of range"},
		{"11am today", -1, 0, "refusing to create job destined in the past"},
		{"now xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1, 0,
		 "garbled time at 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"},
	};
	use_zone("UTC");
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char buf[256];
		const char *words[MAX_WORDS];
		size_t n = split_words(c[i].spec, buf, sizeof buf, words);
		struct at_timespec_error err = {0};
		time_t out = 42;
		enum at_timespec_status s = at_timespec_parse(words, n, iso(SAT), &out, &err);
		if (s == AT_TIMESPEC_OK || err.word != c[i].word || err.offset != c[i].offset
		    || strcmp(err.msg, c[i].msg) != 0)
			fail_msg("'%s': got %s word %d offset %d \"%s\"", c[i].spec,
			         status_name(s), err.word, err.offset, err.msg);
		assert_true(out == 42);               /* untouched on failure */
	}
}

static void test_error_argument_may_be_null(void **state)
{
	(void)state;
	const char *words[] = {"foo"};
	time_t out;
	use_zone("UTC");
	assert_int_equal(at_timespec_parse(words, 1, iso(SAT), &out, NULL), AT_TIMESPEC_GARBLED);
	assert_int_equal(at_timespec_parse_posix("x", iso(SAT), &out, NULL), AT_TIMESPEC_GARBLED);
}

/* ------------------------------------------------------------ -t */

static void test_posix_t_form(void **state)
{
	(void)state;
	static const struct hand_case c[] = {
		{"UTC", SAT, "-t 202603081200", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "-t 2603081200", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "-t 03081200", "2026-03-08T12:00:00Z"},
		{"UTC", SAT, "-t 03081200.30", "2026-03-08T12:00:30Z"},   /* seconds kept */
		{"UTC", SAT, "-t 03061200", "2026-03-06T12:00:00Z"},      /* past: accepted */
		{"UTC", SAT, "-t 6803081200", "2068-03-08T12:00:00Z"},
		{"UTC", SAT, "-t 6903081200", "1969-03-08T12:00:00Z"},
		{"UTC", SAT, "-t 999912312359", "9999-12-31T23:59:00Z"},
		{"UTC", "2028-01-01T00:00:00Z", "-t 02291200", "2028-02-29T12:00:00Z"},
		{"UTC", SAT, "-t 02291200", "GARBLED"},
		{"UTC", SAT, "-t 03081200.60", "GARBLED"},
		{"UTC", SAT, "-t 03082400", "GARBLED"},
		{"UTC", SAT, "-t 13011200", "GARBLED"},
		{"UTC", SAT, "-t 0308120", "GARBLED"},
		{"America/New_York", SAT, "-t 03080230", "GARBLED"},   /* in the gap */
		{"America/New_York", "2026-01-10T12:00:00-05:00", "-t 11010130", "2026-11-01T01:30:00-05:00"},
		{"America/New_York", "2026-07-10T12:00:00-04:00", "-t 11010130", "2026-11-01T01:30:00-04:00"},
	};
	CHECK(c);
	static const struct { const char *arg; int offset; } bad[] = {
		{"0308120", 7}, {"03081200x", 8}, {"03081200.6", 10}, {"03081200.600", 11},
		{"1234567890123", 12}, {"", 0}, {"03081200.60", 0},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct at_timespec_error err = {0};
		time_t out;
		use_zone("UTC");
		assert_int_equal(at_timespec_parse_posix(bad[i].arg, iso(SAT), &out, &err),
		                 AT_TIMESPEC_GARBLED);
		assert_int_equal(err.word, 0);
		assert_int_equal(err.offset, bad[i].offset);
		assert_true(strncmp(err.msg, "invalid date format: ", 21) == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_debian_table),
		cmocka_unit_test(test_bare_time_already_passed_means_tomorrow),
		cmocka_unit_test(test_bare_time_later_today_means_today),
		cmocka_unit_test(test_now_is_this_minute_and_not_in_the_past),
		cmocka_unit_test(test_explicit_time_in_the_past_is_refused),
		cmocka_unit_test(test_date_without_year_that_has_passed_means_next_year),
		cmocka_unit_test(test_every_date_form),
		cmocka_unit_test(test_weekday_is_one_to_seven_days_ahead),
		cmocka_unit_test(test_increments_and_next),
		cmocka_unit_test(test_months_roll_over_as_mktime_does),
		cmocka_unit_test(test_dates_past_2038),
		cmocka_unit_test(test_case_is_ignored_and_words_are_joined_by_spaces),
		cmocka_unit_test(test_wall_time_in_a_gap_moves_past_it),
		cmocka_unit_test(test_repeated_hour_takes_nows_offset_first),
		cmocka_unit_test(test_days_keep_the_wall_clock_across_dst),
		cmocka_unit_test(test_minutes_and_hours_are_elapsed_time),
		cmocka_unit_test(test_time_moved_to_tomorrow_is_resolved_afresh),
		cmocka_unit_test(test_utc_times_are_read_on_the_utc_clock),
		cmocka_unit_test(test_four_digit_years_are_the_year_itself),
		cmocka_unit_test(test_days_a_month_lacks_are_errors),
		cmocka_unit_test(test_clock_values_must_exist),
		cmocka_unit_test(test_out_of_range_is_an_error),
		cmocka_unit_test(test_bytes_outside_ascii_are_errors),
		cmocka_unit_test(test_errors_name_the_offending_word),
		cmocka_unit_test(test_error_argument_may_be_null),
		cmocka_unit_test(test_posix_t_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
