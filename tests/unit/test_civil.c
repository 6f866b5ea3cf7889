/* tests/unit/test_civil.c: lib/civil.c, proleptic Gregorian arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/civil.h"

struct known_date {
	int64_t year;
	int month, day;
	int64_t days;   /* since 1970-01-01 */
	int wday;       /* 0 = Sunday */
};

/* Checked against Python's datetime.date (proleptic Gregorian). */
static const struct known_date known_dates[] = {
	{ 1970, 1, 1, 0, 4 },
	{ 1969, 12, 31, -1, 3 },
	{ 2000, 1, 1, 10957, 6 },
	{ 2000, 3, 1, 11017, 3 },
	{ 2026, 3, 8, 20520, 0 },
	{ 1900, 1, 1, -25567, 1 },
	{ 2100, 12, 31, 47846, 5 },
	{ 1776, 7, 4, -70672, 4 },
	{ 1, 1, 1, -719162, 1 },
	{ 2400, 2, 29, 157113, 2 },
	{ 1582, 10, 15, -141427, 5 },
};

static void test_known_dates_have_known_day_numbers_and_weekdays(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof known_dates / sizeof known_dates[0]; i++) {
		const struct known_date *k = &known_dates[i];
		int64_t y;
		int m, d;
		assert_int_equal(civil_days_from_date(k->year, k->month, k->day), k->days);
		civil_date_from_days(k->days, &y, &m, &d);
		assert_int_equal(y, k->year);
		assert_int_equal(m, k->month);
		assert_int_equal(d, k->day);
		assert_int_equal(civil_weekday(k->days), k->wday);
	}
}

static void test_leap_years_follow_the_400_year_rule(void **state)
{
	(void)state;
	static const struct { int64_t year; bool leap; } cases[] = {
		{ 2000, true }, { 2028, true }, { 2024, true }, { 1600, true }, { 2400, true },
		{ 0, true }, { -4, true }, { -400, true },
		{ 1900, false }, { 2100, false }, { 2200, false }, { 2300, false },
		{ 2023, false }, { 2026, false }, { -100, false }, { -1, false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(civil_is_leap(cases[i].year), cases[i].leap);
		assert_int_equal(civil_days_in_month(cases[i].year, 2), cases[i].leap ? 29 : 28);
		int64_t len = civil_days_from_date(cases[i].year + 1, 1, 1) -
		              civil_days_from_date(cases[i].year, 1, 1);
		assert_int_equal(len, cases[i].leap ? 366 : 365);
	}
}

static void test_month_lengths(void **state)
{
	(void)state;
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	for (int m = 1; m <= 12; m++) {
		assert_int_equal(civil_days_in_month(2026, m), len[m - 1]);
		int64_t next = m == 12 ? civil_days_from_date(2027, 1, 1)
		                       : civil_days_from_date(2026, m + 1, 1);
		assert_int_equal(next - civil_days_from_date(2026, m, 1), len[m - 1]);
	}
}

static void test_a_day_past_the_month_end_counts_into_the_next_month(void **state)
{
	(void)state;
	assert_int_equal(civil_days_from_date(2026, 1, 32), civil_days_from_date(2026, 2, 1));
	assert_int_equal(civil_days_from_date(2023, 2, 29), civil_days_from_date(2023, 3, 1));
	assert_int_equal(civil_days_from_date(2026, 12, 31) + 1, civil_days_from_date(2027, 1, 1));
}

/* Every day in a range of ~4,400 years around the epoch (and a band at each
 * end of the supported range) converts to a date that converts back, and
 * consecutive days give consecutive dates and weekdays. */
static void check_day_range(int64_t from, int64_t to)
{
	int64_t py;
	int pm, pd;
	civil_date_from_days(from - 1, &py, &pm, &pd);
	for (int64_t days = from; days <= to; days++) {
		int64_t y;
		int m, d;
		civil_date_from_days(days, &y, &m, &d);
		assert_true(m >= 1 && m <= 12);
		assert_true(d >= 1 && d <= civil_days_in_month(y, m));
		assert_int_equal(civil_days_from_date(y, m, d), days);
		if (d > 1) {
			assert_true(y == py && m == pm && d == pd + 1);
		} else if (m > 1) {
			assert_true(y == py && m == pm + 1 && pd == civil_days_in_month(py, pm));
		} else {
			assert_true(y == py + 1 && pm == 12 && pd == 31);
		}
		assert_int_equal(civil_weekday(days), (civil_weekday(days - 1) + 1) % 7);
		py = y;
		pm = m;
		pd = d;
	}
}

static void test_days_round_trip_over_a_big_range_including_negative(void **state)
{
	(void)state;
	check_day_range(-800000, 800000);   /* about 160 BC to AD 4160 */
	int64_t lo = civil_days_from_date(-1000000, 1, 1);
	int64_t hi = civil_days_from_date(1000000, 12, 31);
	check_day_range(lo, lo + 1000);
	check_day_range(hi - 1000, hi);
}

static void test_floor_division_rounds_down_and_mod_is_non_negative(void **state)
{
	(void)state;
	static const struct { int64_t a, b, q, r; } cases[] = {
		{ 7, 2, 3, 1 }, { -7, 2, -4, 1 }, { -8, 2, -4, 0 }, { 0, 5, 0, 0 },
		{ -1, 86400, -1, 86399 }, { -86400, 86400, -1, 0 }, { 86399, 86400, 0, 86399 },
		{ 7, -2, -4, -1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(civil_floor_div(cases[i].a, cases[i].b), cases[i].q);
		assert_int_equal(civil_floor_mod(cases[i].a, cases[i].b), cases[i].r);
	}
}

static void test_wall_fields_of_known_instants(void **state)
{
	(void)state;
	static const struct {
		int64_t wall;
		struct civil_time ct;
	} cases[] = {
		{ 0, { 1970, 1, 1, 0, 0, 0, 4, 0 } },
		{ -1, { 1969, 12, 31, 23, 59, 59, 3, 364 } },
		{ 1772937000, { 2026, 3, 8, 2, 30, 0, 0, 66 } },
		{ 1735689599, { 2024, 12, 31, 23, 59, 59, 2, 365 } },
		{ -2208988800, { 1900, 1, 1, 0, 0, 0, 1, 0 } },
		{ 253402300799, { 9999, 12, 31, 23, 59, 59, 5, 364 } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct civil_time ct;
		civil_from_wall(cases[i].wall, &ct);
		assert_int_equal(ct.year, cases[i].ct.year);
		assert_int_equal(ct.month, cases[i].ct.month);
		assert_int_equal(ct.day, cases[i].ct.day);
		assert_int_equal(ct.hour, cases[i].ct.hour);
		assert_int_equal(ct.minute, cases[i].ct.minute);
		assert_int_equal(ct.second, cases[i].ct.second);
		assert_int_equal(ct.wday, cases[i].ct.wday);
		assert_int_equal(ct.yday, cases[i].ct.yday);
		assert_int_equal(civil_to_wall(&cases[i].ct), cases[i].wall);
	}
}

static void test_wall_times_round_trip_with_fields_in_range(void **state)
{
	(void)state;
	uint64_t x = 88172645463325252u;   /* xorshift64: reproducible */
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* about +-31,000 years around the epoch */
		int64_t wall = (int64_t)(x % 2000000000000u) - 1000000000000;
		struct civil_time ct;
		civil_from_wall(wall, &ct);
		assert_true(ct.hour >= 0 && ct.hour < 24);
		assert_true(ct.minute >= 0 && ct.minute < 60);
		assert_true(ct.second >= 0 && ct.second < 60);
		assert_true(ct.yday >= 0 && ct.yday < (civil_is_leap(ct.year) ? 366 : 365));
		assert_int_equal(ct.wday, civil_weekday(civil_floor_div(wall, SECS_PER_DAY)));
		assert_int_equal(civil_to_wall(&ct), wall);
	}
}

/* Any int64 instant gives fields in range, with no overflow on the way:
 * an at job's time is shown by atq whatever it is. */
static void test_the_extreme_instants_give_fields_in_range(void **state)
{
	(void)state;
	static const int64_t walls[] = { INT64_MIN, INT64_MIN + 1, INT64_MIN + 86399,
	                                 INT64_MAX, INT64_MAX - 86399 };
	for (size_t i = 0; i < sizeof walls / sizeof walls[0]; i++) {
		struct civil_time c;
		civil_from_wall(walls[i], &c);
		if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31 || c.hour < 0 ||
		    c.hour > 23 || c.minute < 0 || c.minute > 59 || c.second < 0 || c.second > 59 ||
		    c.wday < 0 || c.wday > 6 || c.yday < 0 || c.yday > 365)
			fail_msg("%lld: %lld-%d-%d %d:%d:%d wday %d yday %d", (long long)walls[i],
			         (long long)c.year, c.month, c.day, c.hour, c.minute, c.second,
			         c.wday, c.yday);
	}
	assert_int_equal(civil_floor_mod(INT64_MIN, 86400), 86400 + INT64_MIN % 86400);
	assert_int_equal(civil_floor_mod(INT64_MAX, 86400), INT64_MAX % 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_dates_have_known_day_numbers_and_weekdays),
		cmocka_unit_test(test_leap_years_follow_the_400_year_rule),
		cmocka_unit_test(test_month_lengths),
		cmocka_unit_test(test_a_day_past_the_month_end_counts_into_the_next_month),
		cmocka_unit_test(test_days_round_trip_over_a_big_range_including_negative),
		cmocka_unit_test(test_floor_division_rounds_down_and_mod_is_non_negative),
		cmocka_unit_test(test_wall_fields_of_known_instants),
		cmocka_unit_test(test_wall_times_round_trip_with_fields_in_range),
		cmocka_unit_test(test_the_extreme_instants_give_fields_in_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
