/* tests/unit/test_tz.c: lib/tz.c with the system's zones: known
 * transitions, wall-time inversion, names, the local zone, properties
 * checked against glibc, and sharing zones between threads. TZif parsing
 * and validation with crafted files: test_tzif.c; rule strings:
 * test_tz_rule.c.
 *
 * THREADED TEST: test_zones_are_shared_safely_between_threads starts threads.
 * The glibc comparison sets $TZ with setenv+tzset, only while no other thread
 * runs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/civil.h"
#include "lib/timefmt.h"
#include "lib/tz.h"
#include "tests/unit/support/rng.h"
#include "tests/unit/support/tz_check.h"

/* ------------------------------------------------------------ known data */

struct transition_case {
	const char *zone;
	int64_t at;
	int32_t before, after;
	const char *abbr_before, *abbr_after;
	bool dst_before, dst_after;
};

/* From zdump and Python's zoneinfo on tzdata 2025b. Debian's files are "fat"
 * (table to 2037): instants from 2038 on come from the footer rule. */
static const struct transition_case transitions[] = {
	{ "America/New_York", 1772953200, -18000, -14400, "EST", "EDT", false, true },
	{ "America/New_York", 1793512800, -14400, -18000, "EDT", "EST", true, false },
	{ "America/New_York", 2120108400, -18000, -14400, "EST", "EDT", false, true },
	{ "America/New_York", 2152162800, -18000, -14400, "EST", "EDT", false, true },
	{ "America/New_York", 4108690800, -18000, -14400, "EST", "EDT", false, true },
	{ "America/New_York", 4129250400, -14400, -18000, "EDT", "EST", true, false },
	{ "America/New_York", 13575625200, -18000, -14400, "EST", "EDT", false, true },
	{ "America/New_York", 13596184800, -14400, -18000, "EDT", "EST", true, false },
	{ "America/New_York", -2717650800, -17762, -18000, "LMT", "EST", false, false },
	{ "Europe/Berlin", 1774746000, 3600, 7200, "CET", "CEST", false, true },
	{ "Europe/Berlin", 1792890000, 7200, 3600, "CEST", "CET", true, false },
	{ "Australia/Lord_Howe", 1775314800, 39600, 37800, "+11", "+1030", true, false },
	{ "Australia/Lord_Howe", 1791041400, 37800, 39600, "+1030", "+11", false, true },
	{ "Australia/Lord_Howe", 4110447600, 39600, 37800, "+11", "+1030", true, false },
	{ "Asia/Kolkata", -764145000, 23400, 19800, "+0630", "IST", true, false },
	{ "America/Santiago", 1775358000, -10800, -14400, "-03", "-04", true, false },
	{ "America/Santiago", 1788667200, -14400, -10800, "-04", "-03", false, true },
	{ "Europe/Dublin", 1774746000, 0, 3600, "GMT", "IST", true, false },   /* negative DST */
	{ "Europe/Dublin", 1792890000, 3600, 0, "IST", "GMT", false, true },
	{ "Antarctica/Troll", 1774746000, 0, 7200, "+00", "+02", false, true },
	{ "America/St_Johns", 1772947800, -12600, -9000, "NST", "NDT", false, true },
	{ "Pacific/Chatham", 1775311200, 49500, 45900, "+1345", "+1245", true, false },
};

static void test_known_transitions_give_spans_that_end_and_start_there(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
		const struct transition_case *c = &transitions[i];
		struct tz *z = must_load(c->zone);
		struct tz_span s;
		tz_span_at(z, c->at - 1, &s);
		assert_int_equal(s.end, c->at);
		assert_int_equal(s.offset, c->before);
		assert_int_equal(s.next_offset, c->after);
		tz_span_at(z, c->at, &s);
		assert_int_equal(s.start, c->at);
		assert_int_equal(s.offset, c->after);
		assert_int_equal(s.prev_offset, c->before);
		check_info(z, c->at - 1, c->before, c->dst_before, c->abbr_before);
		check_info(z, c->at, c->after, c->dst_after, c->abbr_after);
		tz_free(z);
	}
}

static void test_before_the_first_transition_type_0_applies_unbounded(void **state)
{
	(void)state;
	struct tz *z = must_load("America/New_York");
	struct tz_span s;
	tz_span_at(z, utc(1800, 1, 1, 0, 0, 0), &s);
	assert_true(s.start == INT64_MIN);
	assert_int_equal(s.end, -2717650800);
	assert_int_equal(s.offset, -17762);
	assert_int_equal(s.prev_offset, -17762);
	check_info(z, utc(1000, 6, 1, 0, 0, 0), -17762, false, "LMT");
	tz_free(z);
}

static void test_kolkata_has_one_offset_since_1945(void **state)
{
	(void)state;
	struct tz *z = must_load("Asia/Kolkata");
	struct tz_span s;
	tz_span_at(z, utc(2026, 5, 1, 0, 0, 0), &s);
	assert_int_equal(s.start, -764145000);
	assert_true(s.end == INT64_MAX);
	assert_int_equal(s.offset, 19800);
	assert_int_equal(s.next_offset, 19800);
	check_info(z, utc(2400, 1, 1, 0, 0, 0), 19800, false, "IST");
	tz_free(z);
}

static void test_utc_is_one_unbounded_span(void **state)
{
	(void)state;
	static const int64_t ts[] = { INT64_MIN, -1, 0, 1772953200, INT64_MAX };
	struct tz *z = must_load("UTC");
	assert_string_equal(tz_name(z), "UTC");
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		struct tz_span s;
		tz_span_at(z, ts[i], &s);
		assert_true(s.start == INT64_MIN && s.end == INT64_MAX);
		assert_int_equal(s.offset, 0);
		check_info(z, ts[i], 0, false, "UTC");
		int64_t out[2] = { 0, 0 };
		assert_int_equal(tz_from_wall(z, ts[i], out, NULL), 1);   /* ends included */
		assert_int_equal(out[0], ts[i]);
	}
	tz_free(z);
}

/* The N-th (1-based) Sunday of MONTH, found by walking days. */
static int64_t nth_sunday(int64_t year, int month, int n)
{
	int64_t d = civil_days_from_date(year, month, 1);
	for (;; d++)
		if (civil_weekday(d) == 0 && --n == 0)
			return d;
}

/* Far past and future: the US rules of a footer or a rule string hold in
 * any year, found in O(1) (no loop over years in the library). */
static void test_us_rule_holds_in_any_year(void **state)
{
	(void)state;
	static const int64_t years[] = { -1000, 1000, 1969, 2026, 2100, 2400, 9999, 100000 };
	struct tz *rule = must_load("EST5EDT,M3.2.0,M11.1.0");
	struct tz *ny = must_load("America/New_York");
	for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
		int64_t y = years[i];
		int64_t start = nth_sunday(y, 3, 2) * SECS_PER_DAY + 7 * SECS_PER_HOUR;
		int64_t end = nth_sunday(y, 11, 1) * SECS_PER_DAY + 6 * SECS_PER_HOUR;
		for (int k = 0; k < 2; k++) {
			struct tz *z = k == 0 ? rule : ny;
			if (k == 1 && y < 2026)
				continue;   /* New York's history differs */
			struct tz_span s;
			tz_span_at(z, utc(y, 7, 1, 0, 0, 0), &s);
			assert_int_equal(s.start, start);
			assert_int_equal(s.end, end);
			assert_int_equal(s.offset, -14400);
			assert_int_equal(s.prev_offset, -18000);
			assert_int_equal(s.next_offset, -18000);
			check_info(z, start - 1, -18000, false, "EST");
			check_info(z, end - 1, -14400, true, "EDT");
		}
	}
	tz_free(rule);
	tz_free(ny);
}

/* ------------------------------------------------------------ from_wall */

struct wall_case {
	const char *zone;
	int64_t wall;
	int n;
	int64_t a, b;   /* n == 0: a is the gap's end */
};

#define W(y, mo, d, h, mi, s) ((((int64_t)civil_days_from_date(y, mo, d) * 24 + (h)) * 60 + (mi)) * 60 + (s))

static void test_from_wall_finds_gaps_folds_and_plain_times(void **state)
{
	(void)state;
	const struct wall_case cases[] = {
		{ "America/New_York", W(2026, 3, 8, 2, 30, 0), 0, 1772953200, 0 },
		{ "America/New_York", W(2026, 3, 8, 2, 0, 0), 0, 1772953200, 0 },
		{ "America/New_York", W(2026, 3, 8, 1, 59, 59), 1, 1772953199, 0 },
		{ "America/New_York", W(2026, 3, 8, 3, 0, 0), 1, 1772953200, 0 },
		{ "America/New_York", W(2026, 11, 1, 1, 30, 0), 2, 1793511000, 1793514600 },
		{ "America/New_York", W(2026, 11, 1, 1, 0, 0), 2, 1793509200, 1793512800 },
		{ "America/New_York", W(2026, 11, 1, 0, 59, 59), 1, 1793509199, 0 },
		{ "America/New_York", W(2026, 11, 1, 2, 0, 0), 1, 1793516400, 0 },
		{ "America/New_York", W(2100, 3, 14, 2, 30, 0), 0, 4108690800, 0 },
		{ "Europe/Berlin", W(2026, 3, 29, 2, 30, 0), 0, 1774746000, 0 },
		{ "Europe/Berlin", W(2026, 10, 25, 2, 30, 0), 2, 1792888200, 1792891800 },
		{ "Australia/Lord_Howe", W(2026, 4, 5, 1, 45, 0), 2, 1775313900, 1775315700 },
		{ "Australia/Lord_Howe", W(2026, 10, 4, 2, 15, 0), 0, 1791041400, 0 },
		{ "Australia/Lord_Howe", W(2026, 10, 4, 2, 30, 0), 1, 1791041400, 0 },
		{ "UTC", W(2026, 3, 8, 2, 30, 0), 1, W(2026, 3, 8, 2, 30, 0), 0 },
		{ "Asia/Kolkata", W(2026, 1, 1, 5, 30, 0), 1, W(2026, 1, 1, 0, 0, 0), 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct wall_case *c = &cases[i];
		struct tz *z = must_load(c->zone);
		int64_t out[2] = { -1, -1 }, gap = -1;
		int n = tz_from_wall(z, c->wall, out, &gap);
		assert_int_equal(n, c->n);
		if (n == 0)
			assert_int_equal(gap, c->a);
		if (n >= 1)
			assert_int_equal(out[0], c->a);
		if (n == 2)
			assert_int_equal(out[1], c->b);
		assert_int_equal(tz_from_wall(z, c->wall, out, NULL), c->n);
		tz_free(z);
	}
}

/* ------------------------------------------------------------ rule strings */

/* Rule strings as zone names (every form is tested in test_tz_rule.c). */
static void test_posix_rule_strings_load_as_zones(void **state)
{
	(void)state;
	const struct rule_case cases[] = {
		{ "<+0530>-5:30", 0, 19800, false, "+0530" },
		{ "<-03>3", utc(2026, 7, 1, 0, 0, 0), -10800, false, "-03" },
		{ "EST5EDT,M3.2.0,M11.1.0", utc(2026, 3, 8, 7, 0, 0), -14400, true, "EDT" },
		{ "XXX3YYY,J60/1,J300/-2", utc(2024, 3, 1, 4, 0, 0), -7200, true, "YYY" },
		{ "XXX3YYY,59/1,300/-2", utc(2024, 2, 29, 4, 0, 0), -7200, true, "YYY" },
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", utc(2026, 1, 15, 0, 0, 0), 39600, true, "AEDT" },
		{ "IST-1GMT0,M10.5.0,M3.5.0/1", utc(2026, 1, 15, 0, 0, 0), 0, true, "GMT" },
		{ "EET-2EEST,M3.4.4/50,M10.4.4/50", utc(2026, 3, 28, 0, 0, 0), 10800, true, "EEST" },
		{ "ZZZ5YYY,0/0,J365/25", utc(2026, 1, 1, 0, 0, 0), -14400, true, "YYY" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tz *z = must_load(cases[i].rule);
		assert_string_equal(tz_name(z), cases[i].rule);
		check_info(z, cases[i].t, cases[i].off, cases[i].dst, cases[i].abbr);
		tz_free(z);
	}
}

static void test_dst_all_year_is_one_span(void **state)
{
	(void)state;
	struct tz *z = must_load("ZZZ5YYY,0/0,J365/25");
	struct tz_span s;
	tz_span_at(z, utc(2026, 1, 1, 2, 0, 0), &s);
	assert_true(s.start == INT64_MIN && s.end == INT64_MAX);
	assert_int_equal(s.offset, -14400);
	tz_free(z);
}

struct bad_case {
	const char *name;
	const char *needle;
};

static void test_malformed_rules_and_names_are_errors(void **state)
{
	(void)state;
	char longname[TZ_NAME_MAX + 2];
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	const struct bad_case cases[] = {
		{ "EST5EDT,M13.1.0,M11.1.0", "unknown time zone 'EST5EDT,M13.1.0,M11.1.0' (no such "
		  "file in /usr/share/zoneinfo; as a TZ rule string: month must be 1-12 at offset 9)" },
		{ "EST5EDT,M3.2.0/168,M11.1.0", "hour of a change must be -167..167" },
		{ "<+0530>", "expected a UTC offset" },
		{ "Mars/Olympus", "unknown time zone 'Mars/Olympus'" },
		{ ":Mars/Olympus", "unknown time zone ':Mars/Olympus'" },
		{ ":EST5", "unknown time zone ':EST5'" },   /* ':' means a file only */
		{ "../../../etc/passwd", "'..' path component" },
		{ "America/../../etc/passwd", "'..' path component" },
		{ "America/..", "'..' path component" },
		{ "/etc/passwd", "absolute paths other than /etc/localtime are refused" },
		{ ":/etc/shadow", "absolute paths" },
		{ "America//New_York", "empty path component" },
		{ "America/New_York/", "empty path component" },
		{ ":", "empty name" },
		{ longname, "time zone name too long" },
		{ "America", "not a regular file" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_load_error(cases[i].name, cases[i].needle);
}

static void test_names_in_every_accepted_form(void **state)
{
	(void)state;
	static const char *const names[] = {
		"America/New_York", ":America/New_York", "/etc/localtime", ":/etc/localtime",
		"EST5EDT", "Etc/GMT+5",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct tz *z = must_load(names[i]);
		assert_string_equal(tz_name(z), names[i]);
		tz_free(z);
	}
	struct tz *z = must_load("Etc/GMT+5");   /* POSIX sign convention */
	check_info(z, 0, -18000, false, "-05");
	tz_free(z);
}

/* ------------------------------------------------------------ properties */

static const char *const real_zones[] = {
	"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Tehran",
	"Pacific/Chatham", "America/St_Johns", "Africa/Casablanca", "Europe/Dublin",
	"Antarctica/Troll", "America/Santiago", "Pacific/Apia", "Asia/Kathmandu", "UTC",
	"Asia/Kolkata", "Europe/London", "Europe/Moscow", "Asia/Gaza", "America/Nuuk",
	"Asia/Jerusalem", "Pacific/Kiritimati", "America/Los_Angeles", "Australia/Sydney",
	"Pacific/Auckland", "Africa/Cairo", "America/Havana", "Europe/Lisbon",
	"America/Scoresbysund", "Pacific/Fiji", "America/Sao_Paulo", "Asia/Tokyo",
};

/* Rule strings as $TZ. glibc applies them only from 1970 on (it computes
 * every earlier year's changes as 1970's) and by the UTC year (so it errs
 * near the new year for rules changing there); these rules avoid both. A
 * DST name without dates ("AAA5BBB") is left out too: glibc then takes the
 * whole history of its "posixrules" file, we take today's US rules. */
static const char *const rule_zones[] = {
	"EST5EDT,M3.2.0,M11.1.0", "<+0530>-5:30", "AEST-10AEDT,M10.1.0,M4.1.0/3",
	"IST-1GMT0,M10.5.0,M3.5.0/1", "EET-2EEST,M3.4.4/50,M10.4.4/50",
	"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "XXX3YYY,J60/1,J300/-2", "XXX3YYY,59/1,300/-2",
	"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
};

#define N_REAL (sizeof real_zones / sizeof real_zones[0])
#define N_RULE (sizeof rule_zones / sizeof rule_zones[0])

static void compare_with_glibc(const struct tz *z, const char *name, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int32_t off;
	bool dst;
	char abbr[32];
	struct civil_time c;
	assert_non_null(localtime_r(&tt, &tm));
	tz_info_at(z, t, &off, &dst, abbr, sizeof abbr);
	civil_from_wall(tz_to_wall(z, t), &c);
	if (off != tm.tm_gmtoff || dst != (tm.tm_isdst > 0) || strcmp(abbr, tm.tm_zone) != 0 ||
	    tz_offset_at(z, t) != off || c.year != tm.tm_year + 1900LL || c.month != tm.tm_mon + 1 ||
	    c.day != tm.tm_mday || c.hour != tm.tm_hour || c.minute != tm.tm_min ||
	    c.second != tm.tm_sec || c.wday != tm.tm_wday || c.yday != tm.tm_yday)
		fail_msg("%s at %lld: ours %d %d %s %lld-%02d-%02d %02d:%02d:%02d; glibc %ld %d %s "
		         "%d-%02d-%02d %02d:%02d:%02d", name, (long long)t, off, dst, abbr,
		         (long long)c.year, c.month, c.day, c.hour, c.minute, c.second,
		         tm.tm_gmtoff, tm.tm_isdst, tm.tm_zone, tm.tm_year + 1900, tm.tm_mon + 1,
		         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Random instants in [LO, HI) and the instants around every offset change
 * there; returns how many instants were compared. */
static long compare_zone_with_glibc(const char *name, int64_t lo, int64_t hi, uint64_t *x)
{
	long n = 0;
	struct tz *z = must_load(name);
	assert_int_equal(setenv("TZ", name, 1), 0);
	tzset();
	for (int i = 0; i < 20000; i++, n++)
		compare_with_glibc(z, name, rng_between(x, lo, hi));
	struct tz_span s;
	for (tz_span_at(z, lo, &s); s.end < hi; tz_span_at(z, s.end, &s))
		for (int64_t d = -1; d <= 1; d++, n++)
			compare_with_glibc(z, name, s.end + d);
	tz_free(z);
	return n;
}

static void test_agrees_with_glibc_localtime(void **state)
{
	(void)state;
	char *saved = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	uint64_t x = 0x2545f4914f6cdd1du;
	long n = 0;
	for (size_t i = 0; i < N_REAL; i++)
		n += compare_zone_with_glibc(real_zones[i], utc(1900, 1, 1, 0, 0, 0),
		                             utc(2200, 1, 1, 0, 0, 0), &x);
	for (size_t i = 0; i < N_RULE; i++)
		n += compare_zone_with_glibc(rule_zones[i], utc(1971, 1, 1, 0, 0, 0),
		                             utc(2200, 1, 1, 0, 0, 0), &x);
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	print_message("compared %ld instants in %zu zones with glibc\n", n, N_REAL + N_RULE);
}

/* Every span is maximal, contains its instant and agrees with
 * tz_offset_at, from year -10000 to 12000 and at the int64 ends. */
static void test_spans_are_maximal_and_consistent(void **state)
{
	(void)state;
	static const int64_t edges[] = { INT64_MIN, INT64_MIN + 1, -1, 0, INT64_MAX - 1, INT64_MAX };
	const int64_t lo = utc(-10000, 1, 1, 0, 0, 0), hi = utc(12000, 1, 1, 0, 0, 0);
	uint64_t x = 0x853c49e6748fea9bu;
	for (size_t i = 0; i < N_REAL + N_RULE; i++) {
		struct tz *z = must_load(i < N_REAL ? real_zones[i] : rule_zones[i - N_REAL]);
		for (int k = 0; k < 3000; k++)
			check_span(z, rng_between(&x, lo, hi));
		for (int k = 0; k < 3000; k++)
			check_span(z, rng_between(&x, utc(1850, 1, 1, 0, 0, 0), utc(2100, 1, 1, 0, 0, 0)));
		for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++) {
			int64_t out[2], gap;
			check_span(z, edges[k]);
			(void)tz_to_wall(z, edges[k]);
			(void)tz_from_wall(z, edges[k], out, &gap);
		}
		tz_free(z);
	}
}

/* Every instant is found again from its wall time; a wall time in a gap
 * names the instant the gap ends. */
static void test_from_wall_inverts_to_wall(void **state)
{
	(void)state;
	uint64_t x = 0xda942042e4dd58b5u;
	for (size_t i = 0; i < N_REAL + N_RULE; i++) {
		struct tz *z = must_load(i < N_REAL ? real_zones[i] : rule_zones[i - N_REAL]);
		for (int k = 0; k < 4000; k++) {
			int64_t t = rng_between(&x, utc(1850, 1, 1, 0, 0, 0), utc(2500, 1, 1, 0, 0, 0));
			int64_t w = tz_to_wall(z, t), out[2] = { 0, 0 }, gap = 0;
			int n = tz_from_wall(z, w, out, &gap);
			assert_true(n >= 1 && n <= 2);
			assert_true(out[0] == t || (n == 2 && out[1] == t));
			assert_true(n == 1 || out[0] < out[1]);
			for (int j = 0; j < n; j++)
				assert_int_equal(tz_to_wall(z, out[j]), w);
			w += (int64_t)(rng_next(&x) % 7200) - 3600;   /* now maybe in a gap */
			if (tz_from_wall(z, w, out, &gap) == 0) {
				struct tz_span s;
				tz_span_at(z, gap, &s);
				assert_int_equal(s.start, gap);
				assert_true(tz_to_wall(z, gap) > w && tz_to_wall(z, gap - 1) < w);
			}
		}
		tz_free(z);
	}
}

/* ------------------------------------------------------------ many zones */

#define THREAD_ZONES 6
#define THREAD_POINTS 1500
#define THREADS 4

static const char *const thread_zone_names[THREAD_ZONES] = {
	"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata",
	"America/Santiago", "AEST-10AEDT,M10.1.0,M4.1.0/3",
};

struct expected {
	struct tz *zone[THREAD_ZONES];
	int64_t t[THREAD_POINTS];
	int32_t off[THREAD_ZONES][THREAD_POINTS];
	char abbr[THREAD_ZONES][THREAD_POINTS][8];
};

static void expected_fill(struct expected *e)
{
	uint64_t x = 0x5851f42d4c957f2du;
	for (int p = 0; p < THREAD_POINTS; p++)
		e->t[p] = rng_between(&x, utc(1900, 1, 1, 0, 0, 0), utc(2300, 1, 1, 0, 0, 0));
	for (int z = 0; z < THREAD_ZONES; z++) {
		struct tz *alone = must_load(thread_zone_names[z]);
		for (int p = 0; p < THREAD_POINTS; p++)
			tz_info_at(alone, e->t[p], &e->off[z][p], NULL, e->abbr[z][p], 8);
		tz_free(alone);   /* expectations come from each zone loaded alone */
	}
}

/* Mismatches between E and what the shared zones say now. */
static long shared_mismatches(const struct expected *e, int rounds)
{
	long bad = 0;
	for (int r = 0; r < rounds; r++) {
		for (int p = 0; p < THREAD_POINTS; p++) {
			for (int z = 0; z < THREAD_ZONES; z++) {
				int32_t off;
				char abbr[8];
				int64_t out[2];
				tz_info_at(e->zone[z], e->t[p], &off, NULL, abbr, sizeof abbr);
				bad += off != e->off[z][p] || strcmp(abbr, e->abbr[z][p]) != 0;
				bad += tz_from_wall(e->zone[z], tz_to_wall(e->zone[z], e->t[p]), out, NULL) < 1;
			}
		}
	}
	return bad;
}

static void test_several_zones_loaded_at_once_do_not_interfere(void **state)
{
	(void)state;
	static struct expected e;
	expected_fill(&e);
	for (int z = 0; z < THREAD_ZONES; z++)
		e.zone[z] = must_load(thread_zone_names[z]);
	assert_int_equal(shared_mismatches(&e, 1), 0);
	struct tz *extra = must_load("Asia/Tehran");   /* loading and freeing others */
	tz_free(extra);
	assert_int_equal(shared_mismatches(&e, 1), 0);
	for (int z = 0; z < THREAD_ZONES; z++)
		tz_free(e.zone[z]);
}

static void *thread_main(void *arg)
{
	const struct expected *e = arg;
	long bad = shared_mismatches(e, 2);
	for (int i = 0; i < 20; i++) {   /* concurrent loads, too */
		struct tz *z = tz_load(thread_zone_names[i % THREAD_ZONES], NULL, 0);
		bad += z == NULL;
		bad += z != NULL && tz_offset_at(z, e->t[i]) != e->off[i % THREAD_ZONES][i];
		tz_free(z);
	}
	return (void *)(intptr_t)bad;
}

static void test_zones_are_shared_safely_between_threads(void **state)
{
	(void)state;
	static struct expected e;
	pthread_t th[THREADS];
	expected_fill(&e);
	for (int z = 0; z < THREAD_ZONES; z++)
		e.zone[z] = must_load(thread_zone_names[z]);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &e), 0);
	long bad = 0;
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		assert_int_equal(pthread_join(th[i], &ret), 0);
		bad += (long)(intptr_t)ret;
	}
	assert_int_equal(bad, 0);
	for (int z = 0; z < THREAD_ZONES; z++)
		tz_free(e.zone[z]);
}

/* ------------------------------------------------------------ local zone, API */

static void expect_local(const char *tzenv, const char *name, int32_t july_off)
{
	if (tzenv == NULL)
		assert_int_equal(unsetenv("TZ"), 0);
	else
		assert_int_equal(setenv("TZ", tzenv, 1), 0);
	struct tz *z = must_load(NULL);
	assert_string_equal(tz_name(z), name);
	assert_int_equal(tz_offset_at(z, utc(2026, 7, 1, 0, 0, 0)), july_off);
	tz_free(z);
	z = must_load("");
	assert_string_equal(tz_name(z), name);
	tz_free(z);
}

static void test_local_zone_comes_from_tz_then_etc_localtime(void **state)
{
	(void)state;
	char *saved = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	struct tz *etc = NULL;
	if (access("/etc/localtime", F_OK) == 0)
		etc = must_load("/etc/localtime");
	int32_t etc_off = etc != NULL ? tz_offset_at(etc, utc(2026, 7, 1, 0, 0, 0)) : 0;
	expect_local(NULL, etc != NULL ? "/etc/localtime" : "UTC", etc_off);
	expect_local("", etc != NULL ? "/etc/localtime" : "UTC", etc_off);
	tz_free(etc);
	expect_local("Europe/Berlin", "Europe/Berlin", 7200);
	expect_local(":Europe/Berlin", ":Europe/Berlin", 7200);
	expect_local("<+0530>-5:30", "<+0530>-5:30", 19800);
	expect_local("/usr/share/zoneinfo/Asia/Tokyo", "/usr/share/zoneinfo/Asia/Tokyo", 32400);
	assert_int_equal(setenv("TZ", "Mars/Olympus", 1), 0);
	char err[200];
	assert_null(tz_load(NULL, err, sizeof err));
	assert_string_equal(err, "unknown time zone 'Mars/Olympus'");
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	free(saved);
}

static void test_info_truncates_the_abbreviation_and_allows_null_outputs(void **state)
{
	(void)state;
	struct tz *z = must_load("Europe/Berlin");
	char abbr[3] = "zz";
	tz_info_at(z, utc(2026, 7, 1, 0, 0, 0), NULL, NULL, abbr, sizeof abbr);
	assert_string_equal(abbr, "CE");
	tz_info_at(z, utc(2026, 7, 1, 0, 0, 0), NULL, NULL, abbr, 0);
	assert_string_equal(abbr, "CE");
	tz_info_at(z, 0, NULL, NULL, NULL, 0);
	tz_free(z);
	tz_free(NULL);
	assert_null(tz_load("Mars/Olympus", NULL, 0));   /* no ERR buffer is fine */
}

/* ------------------------------------------------------------ main */

/* Any int64 instant formats without overflow (an at job's time is any
 * int64 a client sent): the zone's offset saturates at the ends. */
static void test_the_extreme_instants_format_without_overflow(void **state)
{
	(void)state;
	char err[256], buf[96];
	static const char *const zones[] = { "Asia/Kolkata", "America/New_York" };
	static const int64_t ts[] = { INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1 };
	for (size_t z = 0; z < 2; z++) {
		struct tz *zone = tz_load(zones[z], err, sizeof(err));
		assert_non_null(zone);
		for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
			timefmt_rfc3339(zone, ts[i], buf, sizeof(buf));
			assert_non_null(strchr(buf, 'T'));
			timefmt_ctime(zone, ts[i], buf, sizeof(buf));
			assert_true(strlen(buf) > 20);
		}
		tz_free(zone);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_extreme_instants_format_without_overflow),
		cmocka_unit_test(test_known_transitions_give_spans_that_end_and_start_there),
		cmocka_unit_test(test_before_the_first_transition_type_0_applies_unbounded),
		cmocka_unit_test(test_kolkata_has_one_offset_since_1945),
		cmocka_unit_test(test_utc_is_one_unbounded_span),
		cmocka_unit_test(test_us_rule_holds_in_any_year),
		cmocka_unit_test(test_from_wall_finds_gaps_folds_and_plain_times),
		cmocka_unit_test(test_posix_rule_strings_load_as_zones),
		cmocka_unit_test(test_dst_all_year_is_one_span),
		cmocka_unit_test(test_malformed_rules_and_names_are_errors),
		cmocka_unit_test(test_names_in_every_accepted_form),
		cmocka_unit_test(test_agrees_with_glibc_localtime),
		cmocka_unit_test(test_spans_are_maximal_and_consistent),
		cmocka_unit_test(test_from_wall_inverts_to_wall),
		cmocka_unit_test(test_several_zones_loaded_at_once_do_not_interfere),
		cmocka_unit_test(test_zones_are_shared_safely_between_threads),
		cmocka_unit_test(test_local_zone_comes_from_tz_then_etc_localtime),
		cmocka_unit_test(test_info_truncates_the_abbreviation_and_allows_null_outputs),
	};
	unsetenv("TZDIR");   /* the system zones, as glibc sees them too */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
