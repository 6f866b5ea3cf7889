/* tests/unit/test_tz_rule.c: lib/tz_rule.c, POSIX TZ rule strings.
 *
 * Known values per rule form, error messages, and a property test against a
 * naive reference that evaluates each year's start and end separately.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/civil.h"
#include "lib/tz_rule.h"
#include "tests/unit/support/rng.h"
#include "tests/unit/support/tz_check.h"

static void must_parse(const char *s, struct tz_rule *r)
{
	char err[200] = "";
	if (tz_rule_parse(s, r, err, sizeof err) < 0)
		fail_msg("tz_rule_parse(%s): %s", s, err);
}

static void test_every_rule_form_gives_the_known_offsets(void **state)
{
	(void)state;
	const struct rule_case cases[] = {
		{ "<+0530>-5:30", 0, 19800, false, "+0530" },
		{ "<-03>3", utc(2026, 7, 1, 0, 0, 0), -10800, false, "-03" },
		{ "UTC0", 0, 0, false, "UTC" },
		{ "JST-9", 0, 32400, false, "JST" },
		{ "abc-1:00:30", 0, 3630, false, "abc" },
		{ "EST5EDT,M3.2.0,M11.1.0", utc(2026, 3, 8, 6, 59, 59), -18000, false, "EST" },
		{ "EST5EDT,M3.2.0,M11.1.0", utc(2026, 3, 8, 7, 0, 0), -14400, true, "EDT" },
		{ "EST5EDT,M3.2.0,M11.1.0", utc(2026, 11, 1, 5, 59, 59), -14400, true, "EDT" },
		{ "EST5EDT,M3.2.0,M11.1.0", utc(2026, 11, 1, 6, 0, 0), -18000, false, "EST" },
		{ "EST5EDT4,M3.2.0/2:00:00,M11.1.0/2", utc(2026, 7, 1, 0, 0, 0), -14400, true, "EDT" },
		{ "AAA5BBB", utc(2026, 7, 1, 0, 0, 0), -14400, true, "BBB" },   /* default US dates */
		{ "AAA5BBB", utc(2026, 11, 1, 6, 0, 0), -18000, false, "AAA" },
		{ "<-04>+4<-03>3,M9.1.6/24,M4.1.6/24", utc(2026, 1, 15, 0, 0, 0), -10800, true, "-03" },
		/* Mm.5.d is the last such weekday: March 2026 has four Sundays after the 1st */
		{ "CET-1CEST,M3.5.0,M10.5.0/3", utc(2026, 3, 29, 0, 59, 59), 3600, false, "CET" },
		{ "CET-1CEST,M3.5.0,M10.5.0/3", utc(2026, 3, 29, 1, 0, 0), 7200, true, "CEST" },
		/* Jn never counts February 29: J60 is March 1 even in 2024 */
		{ "XXX3YYY,J60/1,J300/-2", utc(2024, 3, 1, 3, 59, 59), -10800, false, "XXX" },
		{ "XXX3YYY,J60/1,J300/-2", utc(2024, 3, 1, 4, 0, 0), -7200, true, "YYY" },
		{ "XXX3YYY,J60/1,J300/-2", utc(2024, 10, 26, 23, 59, 59), -7200, true, "YYY" },
		{ "XXX3YYY,J60/1,J300/-2", utc(2024, 10, 27, 0, 0, 0), -10800, false, "XXX" },
		/* zero-based n counts it: day 59 is February 29 in 2024, March 1 in 2023 */
		{ "XXX3YYY,59/1,300/-2", utc(2024, 2, 29, 4, 0, 0), -7200, true, "YYY" },
		{ "XXX3YYY,59/1,300/-2", utc(2023, 2, 28, 12, 0, 0), -10800, false, "XXX" },
		{ "XXX3YYY,59/1,300/-2", utc(2023, 3, 1, 4, 0, 0), -7200, true, "YYY" },
		{ "XXX3YYY,59/1,300/-2", utc(2023, 10, 27, 12, 0, 0), -7200, true, "YYY" },
		{ "XXX3YYY,59/1,300/-2", utc(2023, 10, 28, 0, 0, 0), -10800, false, "XXX" },
		/* southern hemisphere: DST across the new year */
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", utc(2026, 1, 15, 0, 0, 0), 39600, true, "AEDT" },
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", utc(2026, 6, 15, 0, 0, 0), 36000, false, "AEST" },
		{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", utc(2026, 4, 4, 15, 0, 0), 37800, false, "+1030" },
		/* negative DST (Europe/Dublin's footer) */
		{ "IST-1GMT0,M10.5.0,M3.5.0/1", utc(2026, 7, 1, 0, 0, 0), 3600, false, "IST" },
		{ "IST-1GMT0,M10.5.0,M3.5.0/1", utc(2026, 1, 15, 0, 0, 0), 0, true, "GMT" },
		/* RFC 8536 times: hour 50 (Asia/Gaza), negative (America/Nuuk) */
		{ "EET-2EEST,M3.4.4/50,M10.4.4/50", utc(2026, 3, 27, 23, 59, 59), 7200, false, "EET" },
		{ "EET-2EEST,M3.4.4/50,M10.4.4/50", utc(2026, 3, 28, 0, 0, 0), 10800, true, "EEST" },
		{ "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2026, 3, 29, 0, 59, 59), -7200, false, "-02" },
		{ "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2026, 3, 29, 1, 0, 0), -3600, true, "-01" },
		/* DST all year (RFC 8536 3.3.1), including the first hours of a year */
		{ "ZZZ5YYY,0/0,J365/25", utc(2026, 1, 1, 0, 0, 0), -14400, true, "YYY" },
		{ "ZZZ5YYY,0/0,J365/25", utc(2026, 1, 1, 4, 59, 59), -14400, true, "YYY" },
		{ "ZZZ5YYY,0/0,J365/25", utc(2024, 12, 31, 23, 0, 0), -14400, true, "YYY" },
		/* changes right at the new year, east and west of UTC */
		{ "AAA-14BBB,J1/0,J2/0", utc(2199, 12, 31, 10, 0, 0), 54000, true, "BBB" },
		{ "AAA-14BBB,J1/0,J2/0", utc(2199, 12, 31, 9, 59, 59), 50400, false, "AAA" },
		{ "AAA+12BBB,J365/23,M1.1.0", utc(1988, 1, 1, 3, 0, 0), -43200, false, "AAA" },
		{ "AAA+12BBB,J365/23,M1.1.0", utc(1988, 1, 1, 11, 0, 0), -39600, true, "BBB" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct rule_case *c = &cases[i];
		struct tz_rule r;
		must_parse(c->rule, &r);
		bool dst = tz_rule_isdst(&r, c->t);
		if (dst != c->dst || tz_rule_offset(&r, c->t) != c->off)
			fail_msg("%s at %lld: dst %d offset %d", c->rule, (long long)c->t, dst,
			         tz_rule_offset(&r, c->t));
		assert_string_equal(dst ? r.dst_abbr : r.std_abbr, c->abbr);
		tz_rule_free(&r);
	}
}

static void test_rule_without_dst_or_with_dst_all_year_never_changes(void **state)
{
	(void)state;
	static const struct { const char *rule; bool dst; int32_t off; } cases[] = {
		{ "<+0530>-5:30", false, 19800 },
		{ "ZZZ5YYY,0/0,J365/25", true, -14400 },
		{ "AAA3BBB3,M3.2.0,M11.1.0", false, -10800 },   /* DST flag only */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tz_rule r;
		int64_t prev, next;
		must_parse(cases[i].rule, &r);
		assert_int_equal(tz_rule_offset_changes(&r, 0, &prev, &next), cases[i].off);
		assert_true(prev == INT64_MIN && next == INT64_MAX);
		if (r.nchange == 0)
			assert_int_equal(tz_rule_isdst(&r, utc(2026, 1, 1, 1, 0, 0)), cases[i].dst);
		tz_rule_free(&r);
	}
}

struct bad_case {
	const char *rule;
	const char *message;
};

static void test_malformed_rules_say_what_and_where(void **state)
{
	(void)state;
	const struct bad_case cases[] = {
		{ "EST5EDT,M13.1.0,M11.1.0", "month must be 1-12 at offset 9" },
		{ "EST5EDT,M0.1.0,M11.1.0", "month must be 1-12 at offset 9" },
		{ "EST5EDT,M3.6.0,M11.1.0", "week must be 1-5 at offset 11" },
		{ "EST5EDT,M3.2.7,M11.1.0", "weekday must be 0-6 at offset 13" },
		{ "EST5EDT,M3-2.0,M11.1.0", "expected '.' after the month at offset 10" },
		{ "EST5EDT,J0,J100", "Julian day must be 1-365 at offset 9" },
		{ "EST5EDT,J366,J100", "Julian day must be 1-365 at offset 9" },
		{ "EST5EDT,366,100", "day must be 0-365 at offset 8" },
		{ "EST5EDT,M3.2.0", "expected ',' before the end date at offset 14" },
		{ "EST5EDT,", "expected a date (Jn, n or Mm.w.d) at offset 8" },
		{ "EST5EDT,M3.2.0/168,M11.1.0", "hour of a change must be -167..167 at offset 15" },
		{ "EST5EDT,M3.2.0/1000,M11.1.0", "hour of a change must be -167..167 at offset 15" },
		{ "EST5EDT,M3.2.0,M11.1.0junk", "unexpected text after the rule at offset 22" },
		{ "EST5EDT;", "expected ',' before the start date at offset 7" },
		{ "EST", "expected a UTC offset (hours 0-24) at offset 3" },
		{ "EST25", "expected a UTC offset (hours 0-24) at offset 3" },
		{ "EST-25", "expected a UTC offset (hours 0-24) at offset 4" },
		{ "EST5:60", "minutes must be 00-59 at offset 5" },
		{ "EST5:00:60", "seconds must be 00-59 at offset 8" },
		{ "EST5EDT+", "offset hours must be 0-24 at offset 8" },
		{ "ES5", "time zone abbreviation needs at least 3 characters at offset 2" },
		{ "<AB>5", "time zone abbreviation needs at least 3 characters at offset 3" },
		{ "<ABC5", "expected '>' closing a quoted abbreviation at offset 5" },
		{ "<A B>5", "expected '>' closing a quoted abbreviation at offset 2" },
		{ "5EST", "time zone abbreviation needs at least 3 characters at offset 0" },
		{ "", "time zone abbreviation needs at least 3 characters at offset 0" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA5",
		  "time zone abbreviation too long at offset 63" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tz_rule r;
		char err[200] = "";
		if (tz_rule_parse(cases[i].rule, &r, err, sizeof err) == 0) {
			tz_rule_free(&r);
			fail_msg("'%s' parsed", cases[i].rule);
		}
		assert_string_equal(err, cases[i].message);
		assert_null(r.change);   /* nothing owned after a failure */
	}
}

/* ------------------------------------------------------------ reference */

/* The reference: a rule's dates as plain fields, evaluated year by year. */
struct ref_date {
	char form;                 /* 'J', 'n', 'M' */
	int n, month, week, wday;
	int32_t secs;
};

struct ref_rule {
	const char *text;
	int32_t std_off, dst_off;
	struct ref_date start, end;
};

/* Day number of D in YEAR, by walking days rather than by formula. */
static int64_t ref_day(const struct ref_date *d, int64_t year)
{
	int64_t jan1 = civil_days_from_date(year, 1, 1);
	if (d->form == 'n')
		return jan1 + d->n;
	if (d->form == 'J') {   /* count in the months of a 365-day year */
		static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		int left = d->n, m = 0;
		while (left > len[m])
			left -= len[m++];
		return civil_days_from_date(year, m + 1, left);
	}
	int64_t first = civil_days_from_date(year, d->month, 1), found = 0;
	int seen = 0;
	for (int64_t day = first; day < first + civil_days_in_month(year, d->month); day++)
		if (civil_weekday(day) == d->wday && (seen++ < d->week))
			found = day;   /* week 5: the last one there is */
	return found;
}

/* DST at T: the latest yearly event at or before T decides; at one instant
 * a later year's event wins, and within a year the end does. */
static bool ref_isdst(const struct ref_rule *r, int64_t t)
{
	struct civil_time ct;
	civil_from_wall(t, &ct);
	bool have = false, dst = false;
	int64_t best_at = 0, best_year = 0;
	int best_kind = 0;
	for (int64_t y = ct.year - 2; y <= ct.year + 2; y++) {
		for (int kind = 0; kind < 2; kind++) {   /* 0: start, 1: end */
			const struct ref_date *d = kind == 0 ? &r->start : &r->end;
			int64_t at = ref_day(d, y) * SECS_PER_DAY + d->secs -
			             (kind == 0 ? r->std_off : r->dst_off);
			bool later = !have || at > best_at || (at == best_at && (y > best_year ||
			             (y == best_year && kind > best_kind)));
			if (at <= t && later) {
				have = true;
				best_at = at;
				best_year = y;
				best_kind = kind;
				dst = kind == 0;
			}
		}
	}
	return dst;
}

static const struct ref_rule ref_rules[] = {
	{ "EST5EDT,M3.2.0,M11.1.0", -18000, -14400, { 'M', 0, 3, 2, 0, 7200 }, { 'M', 0, 11, 1, 0, 7200 } },
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 3600, 7200, { 'M', 0, 3, 5, 0, 7200 }, { 'M', 0, 10, 5, 0, 10800 } },
	{ "AEST-10AEDT,M10.1.0,M4.1.0/3", 36000, 39600, { 'M', 0, 10, 1, 0, 7200 }, { 'M', 0, 4, 1, 0, 10800 } },
	{ "IST-1GMT0,M10.5.0,M3.5.0/1", 3600, 0, { 'M', 0, 10, 5, 0, 7200 }, { 'M', 0, 3, 5, 0, 3600 } },
	{ "EET-2EEST,M3.4.4/50,M10.4.4/50", 7200, 10800, { 'M', 0, 3, 4, 4, 180000 }, { 'M', 0, 10, 4, 4, 180000 } },
	{ "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", -7200, -3600, { 'M', 0, 3, 5, 0, -3600 }, { 'M', 0, 10, 5, 0, 0 } },
	{ "XXX3YYY,J60/1,J300/-2", -10800, -7200, { 'J', 60, 0, 0, 0, 3600 }, { 'J', 300, 0, 0, 0, -7200 } },
	{ "XXX3YYY,59/1,300/-2", -10800, -7200, { 'n', 59, 0, 0, 0, 3600 }, { 'n', 300, 0, 0, 0, -7200 } },
	{ "ZZZ5YYY,0/0,J365/25", -18000, -14400, { 'n', 0, 0, 0, 0, 0 }, { 'J', 365, 0, 0, 0, 90000 } },
	{ "AAA-14BBB,J1/0,J2/0", 50400, 54000, { 'J', 1, 0, 0, 0, 0 }, { 'J', 2, 0, 0, 0, 0 } },
	{ "AAA+12BBB,J365/23,M1.1.0", -43200, -39600, { 'J', 365, 0, 0, 0, 82800 }, { 'M', 0, 1, 1, 0, 7200 } },
	{ "<-04>4<-03>,M9.1.6/24,M4.1.6/24", -14400, -10800, { 'M', 0, 9, 1, 6, 86400 }, { 'M', 0, 4, 1, 6, 86400 } },
	{ "XXX0YYY,365/167,1/-167", 0, 3600, { 'n', 365, 0, 0, 0, 601200 }, { 'n', 1, 0, 0, 0, -601200 } },
	{ "XXX0YYY,59/0,59/0", 0, 3600, { 'n', 59, 0, 0, 0, 0 }, { 'n', 59, 0, 0, 0, 0 } },
};

/* Random instants from year -3000 to 5000, and every change near them,
 * agree with the reference; the changes found around an instant bound a
 * stretch of constant offset. */
static void test_rules_agree_with_a_year_by_year_reference(void **state)
{
	(void)state;
	uint64_t x = 0x243f6a8885a308d3u;
	const int64_t lo = utc(-3000, 1, 1, 0, 0, 0), span = utc(5000, 1, 1, 0, 0, 0) - lo;
	for (size_t i = 0; i < sizeof ref_rules / sizeof ref_rules[0]; i++) {
		const struct ref_rule *ref = &ref_rules[i];
		struct tz_rule r;
		must_parse(ref->text, &r);
		assert_int_equal(r.std_off, ref->std_off);
		assert_int_equal(r.dst_off, ref->dst_off);
		for (int k = 0; k < 20000; k++) {
			int64_t t = lo + (int64_t)(rng_next(&x) % (uint64_t)span), prev, next;
			if (tz_rule_isdst(&r, t) != ref_isdst(ref, t))
				fail_msg("%s at %lld: ours %d", ref->text, (long long)t, tz_rule_isdst(&r, t));
			assert_int_equal(tz_rule_isdst(&r, t + TZ_RULE_CYCLE), tz_rule_isdst(&r, t));
			int32_t off = tz_rule_offset_changes(&r, t, &prev, &next);
			assert_int_equal(off, tz_rule_offset(&r, t));
			if (prev == INT64_MIN)
				continue;
			assert_true(prev <= t && t < next);
			bool ok = ref_isdst(ref, prev) == ref_isdst(ref, t) &&
			          ref_isdst(ref, next - 1) == ref_isdst(ref, t) &&
			          ref_isdst(ref, prev - 1) != ref_isdst(ref, t) &&
			          ref_isdst(ref, next) != ref_isdst(ref, t);
			if (!ok)
				fail_msg("%s at %lld: changes %lld %lld", ref->text, (long long)t,
				         (long long)prev, (long long)next);
		}
		tz_rule_free(&r);
	}
}

static void test_int64_ends_saturate(void **state)
{
	(void)state;
	static const int64_t ts[] = { INT64_MIN, INT64_MIN + 1, INT64_MAX - 1, INT64_MAX };
	struct tz_rule r;
	must_parse("EST5EDT,M3.2.0,M11.1.0", &r);
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		int64_t prev, next;
		(void)tz_rule_offset_changes(&r, ts[i], &prev, &next);
		assert_true(prev <= ts[i] && (ts[i] < next || next == INT64_MAX));
	}
	tz_rule_free(&r);
	assert_int_equal(tz_sat_add(INT64_MAX, 1), INT64_MAX);
	assert_int_equal(tz_sat_add(INT64_MIN, -1), INT64_MIN);
	assert_int_equal(tz_sat_add(-5, 3), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_rule_form_gives_the_known_offsets),
		cmocka_unit_test(test_rule_without_dst_or_with_dst_all_year_never_changes),
		cmocka_unit_test(test_malformed_rules_say_what_and_where),
		cmocka_unit_test(test_rules_agree_with_a_year_by_year_reference),
		cmocka_unit_test(test_int64_ends_saturate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
