/* tests/unit/test_schedule.c: the five time fields: parsing, errors, matching,
 * and the next matching wall minute. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/civil.h"
#include "lib/schedule.h"

static struct schedule parse_ok(const char *text)
{
	struct schedule s;
	size_t end, col;
	char msg[256] = "";
	int rc = schedule_parse(text, strlen(text), &s, &end, &col, msg, sizeof(msg));
	if (rc != 0)
		fail_msg("'%s' should parse, got column %zu: %s", text, col + 1, msg);
	return s;
}

static uint64_t bits(int lo, int hi, int step)
{
	uint64_t b = 0;
	for (int v = lo; v <= hi; v += step)
		b |= UINT64_C(1) << v;
	return b;
}

struct valid_case {
	const char *text;
	uint64_t minutes, hours, mdays, months, wdays;
	int flags;
};

static void test_valid_fields_select_the_documented_values(void **state)
{
	(void)state;
	const struct valid_case cases[] = {
		{ "* * * * *", bits(0, 59, 1), bits(0, 23, 1), bits(1, 31, 1), bits(1, 12, 1),
		  bits(0, 6, 1), SCHED_MIN_STAR | SCHED_HOUR_STAR | SCHED_MDAY_STAR | SCHED_WDAY_STAR },
		{ "*/15 */6 1,15 * 1-5", bits(0, 59, 15), bits(0, 23, 6), (1u << 1) | (1u << 15),
		  bits(1, 12, 1), bits(1, 5, 1), SCHED_MIN_STAR | SCHED_HOUR_STAR },
		{ "*/60 * * * *", 1, bits(0, 23, 1), bits(1, 31, 1), bits(1, 12, 1), bits(0, 6, 1),
		  SCHED_MIN_STAR | SCHED_HOUR_STAR | SCHED_MDAY_STAR | SCHED_WDAY_STAR },
		{ "5-50/10 3 * jan-MAR,Dec sun", bits(5, 50, 10), 1 << 3, bits(1, 31, 1),
		  bits(1, 3, 1) | (1u << 12), 1, SCHED_MDAY_STAR },
		{ "0 0 * * 7", 1, 1, bits(1, 31, 1), bits(1, 12, 1), 1, SCHED_MDAY_STAR },
		{ "0 0 * * 5-7", 1, 1, bits(1, 31, 1), bits(1, 12, 1), bits(5, 6, 1) | 1,
		  SCHED_MDAY_STAR },
		{ "0 0 * * 0-7", 1, 1, bits(1, 31, 1), bits(1, 12, 1), bits(0, 6, 1),
		  SCHED_MDAY_STAR },
		{ "0 0 * * Mon-Fri/2", 1, 1, bits(1, 31, 1), bits(1, 12, 1),
		  (1 << 1) | (1 << 3) | (1 << 5), SCHED_MDAY_STAR },
		{ "0 0 * * */2", 1, 1, bits(1, 31, 1), bits(1, 12, 1), bits(0, 6, 2),
		  SCHED_MDAY_STAR | SCHED_WDAY_STAR },
		{ "00 07 01 01 00", 1, 1 << 7, 1 << 1, 1 << 1, 1, 0 },
		{ "  1,2,3\t4 5 6 sat", 0xE, 1 << 4, 1 << 5, 1 << 6, 1 << 6, 0 },
		{ "*,5 * * * *", bits(0, 59, 1), bits(0, 23, 1), bits(1, 31, 1), bits(1, 12, 1),
		  bits(0, 6, 1), SCHED_MIN_STAR | SCHED_HOUR_STAR | SCHED_MDAY_STAR | SCHED_WDAY_STAR },
		{ "@yearly", 1, 1, 1 << 1, 1 << 1, bits(0, 6, 1), SCHED_WDAY_STAR },
		{ "@annually", 1, 1, 1 << 1, 1 << 1, bits(0, 6, 1), SCHED_WDAY_STAR },
		{ "@monthly", 1, 1, 1 << 1, bits(1, 12, 1), bits(0, 6, 1), SCHED_WDAY_STAR },
		{ "@weekly", 1, 1, bits(1, 31, 1), bits(1, 12, 1), 1, SCHED_MDAY_STAR },
		{ "@daily", 1, 1, bits(1, 31, 1), bits(1, 12, 1), bits(0, 6, 1),
		  SCHED_MDAY_STAR | SCHED_WDAY_STAR },
		{ "@midnight", 1, 1, bits(1, 31, 1), bits(1, 12, 1), bits(0, 6, 1),
		  SCHED_MDAY_STAR | SCHED_WDAY_STAR },
		{ "@hourly", 1, bits(0, 23, 1), bits(1, 31, 1), bits(1, 12, 1), bits(0, 6, 1),
		  SCHED_HOUR_STAR | SCHED_MDAY_STAR | SCHED_WDAY_STAR },
		{ "@reboot", 0, 0, 0, 0, 0, SCHED_REBOOT },
		/* a day-of-week range ending in 0 or sun ends on Sunday 7 (cronie), and
		 * is noted for crontab's warning (Debian's cron selects nothing) */
		{ "0 0 * * fri-sun", 1, 1, bits(1, 31, 1), bits(1, 12, 1), bits(5, 6, 1) | 1,
		  SCHED_MDAY_STAR | SCHED_WDAY_TO_SUNDAY },
		{ "0 0 * * mon-sun", 1, 1, bits(1, 31, 1), bits(1, 12, 1), bits(0, 6, 1),
		  SCHED_MDAY_STAR | SCHED_WDAY_TO_SUNDAY },
		{ "0 0 * * 6-0", 1, 1, bits(1, 31, 1), bits(1, 12, 1), (1 << 6) | 1,
		  SCHED_MDAY_STAR | SCHED_WDAY_TO_SUNDAY },
		{ "0 0 * * 7-0", 1, 1, bits(1, 31, 1), bits(1, 12, 1), 1,
		  SCHED_MDAY_STAR | SCHED_WDAY_TO_SUNDAY },
		{ "0 0 * * fri-sun/2", 1, 1, bits(1, 31, 1), bits(1, 12, 1), (1 << 5) | 1,
		  SCHED_MDAY_STAR | SCHED_WDAY_TO_SUNDAY },
		{ "0 0 * * mon-sun/3", 1, 1, bits(1, 31, 1), bits(1, 12, 1),
		  (1 << 1) | (1 << 4) | 1, SCHED_MDAY_STAR | SCHED_WDAY_TO_SUNDAY },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct valid_case *c = &cases[i];
		struct schedule s = parse_ok(c->text);
		if (s.minutes != c->minutes || s.hours != c->hours || s.mdays != c->mdays ||
		    s.months != c->months || s.wdays != c->wdays || s.flags != c->flags)
			fail_msg("'%s': got min=%llx h=%x dom=%x mon=%x dow=%x flags=%x", c->text,
			         (unsigned long long)s.minutes, s.hours, s.mdays, s.months, s.wdays,
			         s.flags);
	}
}

static void test_parse_stops_after_the_fifth_field(void **state)
{
	(void)state;
	const char *line = "1 2 3 4 5 /bin/echo hi";
	struct schedule s;
	size_t end, col;
	char msg[256];
	assert_int_equal(schedule_parse(line, strlen(line), &s, &end, &col, msg, sizeof(msg)), 0);
	assert_int_equal(end, 9);
	line = "@daily  cmd";
	assert_int_equal(schedule_parse(line, strlen(line), &s, &end, &col, msg, sizeof(msg)), 0);
	assert_int_equal(end, 6);
}

struct error_case {
	const char *text;
	int column;          /* 1-based */
	const char *message; /* substring expected */
};

/* Each of the N CASES is refused, at its column, with its message. */
static void expect_errors(const struct error_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct error_case *c = &cases[i];
		struct schedule s;
		size_t end, col = 999;
		char msg[256] = "";
		int rc = schedule_parse(c->text, strlen(c->text), &s, &end, &col, msg, sizeof(msg));
		if (rc == 0)
			fail_msg("'%s' should be refused", c->text);
		if (!strstr(msg, c->message) || (int)col + 1 != c->column)
			fail_msg("'%s': expected column %d '%s', got column %zu '%s'", c->text, c->column,
			         c->message, col + 1, msg);
	}
}

static void test_invalid_fields_are_errors_with_column_and_reason(void **state)
{
	(void)state;
	const struct error_case cases[] = {
		{ "0 25 * * *", 3, "hour 25 is out of range 0-23" },
		{ "60 * * * *", 1, "minute 60 is out of range 0-59" },
		{ "0-60 * * * *", 3, "minute 60 is out of range 0-59" },
		{ "* * 0 * *", 5, "day of month 0 is out of range 1-31" },
		{ "* * 32 * *", 5, "day of month 32 is out of range 1-31" },
		{ "* * * 13 *", 7, "month 13 is out of range 1-12" },
		{ "* * * 0 *", 7, "month 0 is out of range 1-12" },
		{ "* * * * 8", 9, "day of week 8 is out of range 0-7" },
		{ "*/0 * * * *", 3, "step 0 is not allowed" },
		{ "*/61 * * * *", 3, "step 61 is larger than the minute field's span of 60" },
		{ "* */25 * * *", 5, "step 25 is larger than the hour field's span of 24" },
		{ "* * */32 * *", 7, "larger than the day of month field's span of 31" },
		{ "* * * */13 *", 9, "larger than the month field's span of 12" },
		{ "* * * * */8", 11, "larger than the day of week field's span of 7" },
		{ "5/10 * * * *", 2, "a step needs a range" },
		{ "5-3 * * * *", 3, "range 5-3 in the minute field is reversed" },
		{ "* * * * fri-mon", 13, "reversed" },
		/* reversed ranges elsewhere: the advice splits them where they wrap */
		{ "0 22-2 * * *", 6, "range 22-2 in the hour field is reversed (ranges do not wrap "
		  "around: Vixie cron would select nothing); write 22-23,0-2" },
		{ "0 23-0 * * *", 6, "write 23,0" },
		{ "50-10 * * * *", 4, "write 50-59,0-10" },
		{ "* * 25-5 * *", 8, "write 25-31,1-5" },
		{ "* * 31-1 * *", 8, "write 31,1" },
		{ "* * * nov-feb *", 11, "range nov-feb in the month field is reversed" },
		{ "* * * nov-feb *", 11, "write nov-dec,jan-feb" },
		{ "* * * 12-1 *", 10, "write 12,1" },
		{ "* * * * fri-tue", 13, "write fri-sun,mon-tue" },
		{ "* * * * 6-1", 11, "write 6-7,1" },
		{ "* * * * sat-mon/2", 13, "write sat-sun,mon" },
		{ "0 10-0 * * *", 6, "write 10-23,0" },
		{ "2147483648 * * * *", 1, "too large" },
		{ "99999999999999999999 * * * *", 1, "too large" },
		{ "* * * * 2147483647", 9, "out of range" },
		{ "-5 * * * *", 1, "negative numbers are not allowed" },
		{ "1--5 * * * *", 3, "negative numbers are not allowed" },
		{ "*/-5 * * * *", 3, "negative steps are not allowed" },
		{ "1.5 * * * *", 1, "fractions are not allowed" },
		{ "1,,2 * * * *", 3, "empty element in the minute field" },
		{ "1, * * * *", 3, "empty element in the minute field" },
		{ ",1 * * * *", 1, "empty element in the minute field" },
		{ "* * * *", 8, "missing day of week field" },
		{ "*", 2, "missing hour field" },
		{ "", 1, "missing minute field" },
		{ "* * * foo *", 7, "unknown month name 'foo'" },
		{ "* * * * funday", 9, "unknown day name 'funday'" },
		{ "* * * * monday", 9, "three-letter form 'mon'" },
		{ "* * * january *", 7, "three-letter form 'jan'" },
		{ "jan * * * *", 1, "names are not allowed in the minute field" },
		{ "* mon * * *", 3, "names are not allowed in the hour field" },
		{ "@HOURLY", 1, "@-keywords are lower case: write @hourly" },
		{ "@Daily", 1, "write @daily" },
		{ "@fortnightly", 1, "unknown keyword '@fortnightly'" },
		{ "@", 1, "unknown keyword" },
		{ "*x * * * *", 2, "unexpected 'x' in the minute field" },
		{ "* * * * 5#3", 10, "unexpected '#' in the day of week field" },
		{ "1-2-3 * * * *", 4, "unexpected '-' in the minute field" },
		{ "*/5/2 * * * *", 4, "unexpected '/' in the minute field" },
		{ "*-5 * * * *", 2, "unexpected '-'" },
		{ "1-* * * * *", 3, "expected a number in the minute field, found '*'" },
		{ "*/ * * * *", 3, "expected a step number after '/'" },
		{ "L * * * *", 1, "names are not allowed" },
		{ "? * * * *", 1, "expected a number in the minute field, found '?'" },
		{ "* * ? * *", 5, "found '?'" },
		{ "* * * * 1L", 10, "unexpected 'L'" },
		{ "0x1 * * * *", 2, "unexpected 'x'" },
	};
	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

static int64_t wall(int64_t y, int mo, int d, int h, int mi)
{
	struct civil_time c = { .year = y, .month = mo, .day = d, .hour = h, .minute = mi };
	return civil_to_wall(&c);
}

struct next_case {
	const char *sched;
	int64_t after;
	int64_t expect;   /* -1: none */
};

static void test_next_wall_minute_follows_the_fields_and_the_day_rule(void **state)
{
	(void)state;
	const struct next_case cases[] = {
		/* strictly after, minute resolution */
		{ "* * * * *", wall(2026, 1, 1, 0, 0), wall(2026, 1, 1, 0, 1) },
		{ "* * * * *", wall(2026, 1, 1, 0, 0) + 59, wall(2026, 1, 1, 0, 1) },
		{ "0 * * * *", wall(2026, 1, 1, 0, 0), wall(2026, 1, 1, 1, 0) },
		/* month ends and year rollover */
		{ "0 0 * * *", wall(2026, 1, 31, 12, 0), wall(2026, 2, 1, 0, 0) },
		{ "0 0 1 * *", wall(2026, 12, 15, 0, 0), wall(2027, 1, 1, 0, 0) },
		{ "59 23 31 12 *", wall(2026, 12, 31, 23, 59), wall(2027, 12, 31, 23, 59) },
		{ "0 0 31 * *", wall(2026, 4, 1, 0, 0), wall(2026, 5, 31, 0, 0) },
		/* leap years: 2028 is one, 2100 is not, 2000 was */
		{ "0 0 29 2 *", wall(2026, 1, 1, 0, 0), wall(2028, 2, 29, 0, 0) },
		{ "0 0 29 2 *", wall(2096, 3, 1, 0, 0), wall(2104, 2, 29, 0, 0) },
		{ "0 0 29 2 *", wall(1999, 1, 1, 0, 0), wall(2000, 2, 29, 0, 0) },
		/* the day rule: both restricted means either */
		{ "0 0 13 * 5", wall(2026, 2, 1, 0, 0), wall(2026, 2, 6, 0, 0) },
		{ "0 0 1 * 1", wall(2026, 1, 1, 0, 0), wall(2026, 1, 5, 0, 0) },
		/* one field starting with '*' means both must match */
		{ "0 0 */2 * 1", wall(2026, 1, 1, 0, 0), wall(2026, 1, 5, 0, 0) },
		{ "0 0 */2 * 2", wall(2026, 1, 1, 0, 0), wall(2026, 1, 13, 0, 0) },
		{ "0 0 13 * */7", wall(2026, 1, 1, 0, 0), wall(2026, 9, 13, 0, 0) },
		{ "0 0 * * 1", wall(2026, 1, 1, 0, 0), wall(2026, 1, 5, 0, 0) },
		/* Friday the 13th needs both restricted AND: not expressible; 13 + Fri = either */
		{ "0 0 29 2 1", wall(2026, 3, 1, 0, 0), wall(2027, 2, 1, 0, 0) },
		{ "0 0 29 2 */7", wall(2026, 3, 1, 0, 0), wall(2032, 2, 29, 0, 0) },
		{ "30 2 * * *", wall(2026, 3, 8, 2, 29), wall(2026, 3, 8, 2, 30) },
		/* never */
		{ "0 0 30 2 *", wall(2026, 1, 1, 0, 0), -1 },
		{ "0 0 31 4,6,9,11 *", wall(2026, 1, 1, 0, 0), -1 },
		{ "@reboot", wall(2026, 1, 1, 0, 0), -1 },
		/* 30 2 1: day 30 OR Monday in February: possible */
		{ "0 0 30 2 1", wall(2026, 1, 1, 0, 0), wall(2026, 2, 2, 0, 0) },
		/* negative wall times (before 1970) */
		{ "0 12 * * *", wall(1969, 12, 31, 13, 0), wall(1970, 1, 1, 12, 0) },
		{ "0 0 1 1 *", wall(9999, 6, 1, 0, 0), wall(10000, 1, 1, 0, 0) },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct next_case *c = &cases[i];
		struct schedule s = parse_ok(c->sched);
		int64_t got = -1;
		bool found = schedule_next_wall(&s, c->after, &got);
		if (!found)
			got = -1;
		if (got != c->expect) {
			struct civil_time a, b;
			civil_from_wall(got, &a);
			civil_from_wall(c->expect, &b);
			fail_msg("'%s' case %zu: got %lld-%02d-%02d %02d:%02d, expected %lld-%02d-%02d "
			         "%02d:%02d", c->sched, i, (long long)a.year, a.month, a.day, a.hour,
			         a.minute, (long long)b.year, b.month, b.day, b.hour, b.minute);
		}
	}
}

static void test_can_run_is_false_only_for_impossible_dates(void **state)
{
	(void)state;
	assert_false(schedule_can_run(&(struct schedule){ 0 }));
	struct schedule s = parse_ok("0 0 30 2 *");
	assert_false(schedule_can_run(&s));
	s = parse_ok("0 0 30,31 2 *");
	assert_false(schedule_can_run(&s));
	s = parse_ok("0 0 29 2 *");
	assert_true(schedule_can_run(&s));
	s = parse_ok("0 0 31 2,4 *");
	assert_false(schedule_can_run(&s));
	s = parse_ok("0 0 31 2,5 *");
	assert_true(schedule_can_run(&s));
	s = parse_ok("0 0 30 2 mon");
	assert_true(schedule_can_run(&s));
	s = parse_ok("@reboot");
	assert_false(schedule_can_run(&s));
}

/* Property: schedule_next_wall agrees with stepping minute by minute. */
static uint32_t rng_state = 12345;
static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

static void random_field(char *buf, size_t len, int lo, int hi)
{
	int a = lo + (int)rnd((uint32_t)(hi - lo + 1));
	int b = lo + (int)rnd((uint32_t)(hi - lo + 1));
	if (a > b) {
		int t = a;
		a = b;
		b = t;
	}
	switch (rnd(6)) {
	case 0: snprintf(buf, len, "*"); break;
	case 1: snprintf(buf, len, "*/%d", 1 + (int)rnd(4)); break;
	case 2: snprintf(buf, len, "%d", a); break;
	case 3: snprintf(buf, len, "%d-%d", a, b); break;
	case 4: snprintf(buf, len, "%d-%d/%d", a, b, 1 + (int)rnd(3)); break;
	default: snprintf(buf, len, "%d,%d", a, b); break;
	}
}

static void test_next_wall_agrees_with_minute_stepping_on_random_schedules(void **state)
{
	(void)state;
	for (int n = 0; n < 1500; n++) {
		char f[5][32], text[200];
		random_field(f[0], sizeof(f[0]), 0, 59);
		random_field(f[1], sizeof(f[1]), 0, 23);
		random_field(f[2], sizeof(f[2]), 1, 31);
		random_field(f[3], sizeof(f[3]), 1, 12);
		random_field(f[4], sizeof(f[4]), 0, 7);
		snprintf(text, sizeof(text), "%s %s %s %s %s", f[0], f[1], f[2], f[3], f[4]);
		struct schedule s = parse_ok(text);
		int64_t start = wall(2024 + (int)rnd(6), 1 + (int)rnd(12), 1 + (int)rnd(28),
		                     (int)rnd(24), (int)rnd(60)) + (int)rnd(60);
		int64_t got;
		bool found = schedule_next_wall(&s, start, &got);
		/* Reference: step minutes for up to ~13 months. */
		int64_t t = (start / 60) * 60 + 60, limit = start + 400LL * 86400;
		int64_t ref = -1;
		for (; t <= limit; t += 60) {
			struct civil_time c;
			civil_from_wall(t, &c);
			if (schedule_matches(&s, &c)) {
				ref = t;
				break;
			}
		}
		if (ref >= 0) {
			if (!found || got != ref)
				fail_msg("'%s' from %lld: got %lld, reference %lld", text, (long long)start,
				         found ? (long long)got : -1LL, (long long)ref);
		} else if (found && got <= limit) {
			fail_msg("'%s': found %lld but the reference found nothing", text, (long long)got);
		}
	}
}

/* A lone '*' or number takes a short path in the parser; written twice as
 * a list ("N,N") it takes the general one. Both must give the same
 * schedule, or both refuse, for every field, every one- and two-digit
 * number (with a leading zero too) and at the end of the line or not. */
static void test_lone_star_and_numbers_parse_as_the_same_in_a_list(void **state)
{
	(void)state;
	char texts[112][4];
	int n = 0;
	snprintf(texts[n++], sizeof(texts[0]), "*");
	for (int v = 0; v < 100; v++)
		snprintf(texts[n++], sizeof(texts[0]), "%d", v);
	for (int v = 0; v < 10; v++)
		snprintf(texts[n++], sizeof(texts[0]), "0%d", v);
	for (int field = 0; field < 5; field++) {
		for (int i = 0; i < n; i++) {
			for (int tail = 0; tail < 2; tail++) {
				char lone[64] = "", listed[64] = "";
				for (int k = 0; k < 5; k++) {
					const char *sep = k ? " " : "";
					char here[16];
					snprintf(here, sizeof(here), "%.3s", k == field ? texts[i] : "*");
					snprintf(lone + strlen(lone), sizeof(lone) - strlen(lone), "%s%s", sep, here);
					if (k == field)
						snprintf(here, sizeof(here), "%.3s,%.3s", texts[i], texts[i]);
					snprintf(listed + strlen(listed), sizeof(listed) - strlen(listed), "%s%s",
					         sep, here);
				}
				if (tail) {   /* a command after the fields */
					strcat(lone, " true");
					strcat(listed, " true");
				}
				struct schedule a, b;
				size_t end, col;
				char msg[256];
				int ra = schedule_parse(lone, strlen(lone), &a, &end, &col, msg, sizeof(msg));
				int rb = schedule_parse(listed, strlen(listed), &b, &end, &col, msg, sizeof(msg));
				if (ra != rb)
					fail_msg("'%s' gave %d, '%s' gave %d", lone, ra, listed, rb);
				if (ra == 0 && (a.minutes != b.minutes || a.hours != b.hours ||
				                a.mdays != b.mdays || a.months != b.months ||
				                a.wdays != b.wdays || a.flags != b.flags))
					fail_msg("'%s' and '%s' differ", lone, listed);
			}
		}
	}
}

/* Property: schedule_can_run (bit arithmetic) agrees with looking at every
 * day of every month, for the day-of-month rule (weekday '*'). */
static void test_can_run_agrees_with_a_search_of_every_month_and_day(void **state)
{
	(void)state;
	static const int max_days[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct schedule s = parse_ok("0 0 * * *");
	for (int n = 0; n < 20000; n++) {
		/* Few days and few months, so that both answers are common. */
		s.mdays = 0;
		for (int k = 1 + (int)rnd(3); k > 0; k--)
			s.mdays |= 1u << (n % 2 ? 28 + (int)rnd(4) : 1 + (int)rnd(31));
		s.months = (uint16_t)(1u << (1 + rnd(12)) | (rnd(2) ? 1u << (1 + rnd(12)) : 0));
		bool ref = false;
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= max_days[m]; d++)
				if ((s.months & (1u << m)) && (s.mdays & (1u << d)))
					ref = true;
		if (schedule_can_run(&s) != ref)
			fail_msg("months %#x, days %#x: got %d, reference %d", (unsigned)s.months,
			         (unsigned)s.mdays, !ref, ref);
	}
}

struct random_case {
	const char *text;
	unsigned n;                        /* '~' elements */
	struct schedule_random first;      /* the first one (chosen ignored) */
	uint64_t minutes;                  /* the bits before resolution */
};

static void test_tilde_elements_are_recorded_not_picked_by_the_parser(void **state)
{
	(void)state;
	const struct random_case cases[] = {
		{ "0~30 * * * *", 1, { 0, 0, 30, 0, 0 }, 0 },
		{ "~ * * * *", 1, { 0, 0, 59, 0, 0 }, 0 },
		{ "10~ * * * *", 1, { 0, 10, 59, 0, 0 }, 0 },
		{ "~20 * * * *", 1, { 0, 0, 20, 0, 0 }, 0 },
		{ "0~59/10 * * * *", 1, { 0, 0, 59, 10, 0 }, 0 },
		{ "~/15 * * * *", 1, { 0, 0, 59, 15, 0 }, 0 },
		{ "5,0~9 * * * *", 1, { 0, 0, 9, 0, 0 }, 1u << 5 },
		{ "0 ~ * * *", 1, { 1, 0, 23, 0, 0 }, 1 },
		{ "0 0 ~ * *", 1, { 2, 1, 31, 0, 0 }, 1 },
		{ "0 0 * jun~aug *", 1, { 3, 6, 8, 0, 0 }, 1 },
		{ "0 0 * * ~", 1, { 4, 0, 6, 0, 0 }, 1 },
		{ "0 0 * * 0~7", 1, { 4, 0, 6, 0, 0 }, 1 },
		{ "0 0 * * ~7", 1, { 4, 1, 7, 0, 0 }, 1 },
		{ "0 0 * * fri~", 1, { 4, 5, 7, 0, 0 }, 1 },
		{ "0 0 * * fri~sun", 1, { 4, 5, 7, 0, 0 }, 1 },
		{ "0 0 * * Mon~Fri", 1, { 4, 1, 5, 0, 0 }, 1 },
		{ "~ ~ ~ ~ ~", 5, { 0, 0, 59, 0, 0 }, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct random_case *c = &cases[i];
		struct schedule s = parse_ok(c->text);
		const struct schedule_random *r = &s.random[0];
		if (s.n_random != c->n || r->field != c->first.field || r->lo != c->first.lo ||
		    r->hi != c->first.hi || r->step != c->first.step || s.minutes != c->minutes ||
		    s.resolved)
			fail_msg("'%s': got %u elements, first field %u %u~%u/%u, minutes %llx",
			         c->text, s.n_random, r->field, r->lo, r->hi, r->step,
			         (unsigned long long)s.minutes);
	}
	/* a '~' is not a '*': the entry is a fixed-time one */
	struct schedule s = parse_ok("~ ~ * * *");
	assert_false(schedule_is_wildcard(&s));
	assert_int_equal(s.flags, SCHED_MDAY_STAR | SCHED_WDAY_STAR);
}

static void test_tilde_errors_name_the_problem(void **state)
{
	(void)state;
	const struct error_case cases[] = {
		{ "30~10 * * * *", 4, "random range 30~10 in the minute field is reversed" },
		{ "* * * * sat~mon", 13, "random range sat~mon in the day of week field is reversed" },
		{ "~60 * * * *", 2, "minute 60 is out of range 0-59" },
		{ "~/0 * * * *", 3, "step 0 is not allowed" },
		{ "~/61 * * * *", 3, "step 61 is larger than the minute field's span of 60" },
		{ "1-5~9 * * * *", 4, "unexpected '~' in the minute field" },
		{ "~~ * * * *", 2, "unexpected '~' in the minute field" },
		{ "*~5 * * * *", 2, "unexpected '~'" },
		{ "~x * * * *", 2, "names are not allowed in the minute field" },
		{ "~,~,~,~ ~,~,~,~,~ * * *", 17, "more than 8 random (~) elements in one entry" },
	};
	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_resolve_picks_each_value_of_the_range_evenly_and_repeatably(void **state)
{
	(void)state;
	struct schedule base = parse_ok("10~14 0~1 * * *");
	assert_false(schedule_can_run(&base));   /* nothing picked yet: no minute */
	unsigned count[60] = { 0 };
	for (uint64_t seed = 0; seed < 5000; seed++) {
		struct schedule s = base, again = base;
		schedule_resolve(&s, seed * 0x9e3779b97f4a7c15ull);
		schedule_resolve(&again, seed * 0x9e3779b97f4a7c15ull);
		assert_true(s.resolved);
		assert_true(s.minutes == again.minutes && s.hours == again.hours);
		/* exactly one minute and one hour, in range, recorded as chosen */
		assert_int_equal(__builtin_popcountll(s.minutes), 1);
		assert_int_equal(__builtin_popcount(s.hours), 1);
		int m = __builtin_ctzll(s.minutes);
		assert_true(m >= 10 && m <= 14);
		assert_int_equal(s.random[0].chosen, m);
		assert_int_equal(s.random[1].chosen, __builtin_ctz(s.hours));
		count[m]++;
		/* resolving again changes nothing */
		schedule_resolve(&s, seed + 1);
		assert_true(s.minutes == again.minutes);
	}
	for (int m = 10; m <= 14; m++)
		if (count[m] < 850 || count[m] > 1150)
			fail_msg("minute %d picked %u times in 5000 (expected about 1000)", m, count[m]);
}

static void test_resolve_with_a_step_picks_a_start_below_the_step(void **state)
{
	(void)state;
	struct schedule base = parse_ok("0~59/20 * * * fri~sun");
	bool seen[20] = { false };
	for (uint64_t seed = 1; seed < 2000; seed++) {
		struct schedule s = base;
		schedule_resolve(&s, seed);
		unsigned start = s.random[0].chosen;
		assert_true(start < 20);
		seen[start] = true;
		uint64_t want = (UINT64_C(1) << start) | (UINT64_C(1) << (start + 20)) |
		                (UINT64_C(1) << (start + 40));
		assert_true(s.minutes == want);
		/* fri~sun picks one of Friday, Saturday, Sunday (7 stored as 0) */
		assert_true(s.wdays == (1 << 5) || s.wdays == (1 << 6) || s.wdays == 1);
	}
	for (int i = 0; i < 20; i++)
		assert_true(seen[i]);
}

static void test_widen_adds_every_value_a_pick_could_take(void **state)
{
	(void)state;
	struct schedule s = parse_ok("0 0 30~31 feb *"), w;
	schedule_widen(&s, &w);
	assert_int_equal(w.mdays, (1u << 30) | (1u << 31));
	assert_false(schedule_can_run(&w));       /* no pick can ever run */
	s = parse_ok("0 0 28~31 feb *");
	schedule_widen(&s, &w);
	assert_true(schedule_can_run(&w));        /* some pick can */
	assert_int_equal(s.mdays, 0);             /* S itself is untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_fields_select_the_documented_values),
		cmocka_unit_test(test_parse_stops_after_the_fifth_field),
		cmocka_unit_test(test_invalid_fields_are_errors_with_column_and_reason),
		cmocka_unit_test(test_next_wall_minute_follows_the_fields_and_the_day_rule),
		cmocka_unit_test(test_can_run_is_false_only_for_impossible_dates),
		cmocka_unit_test(test_next_wall_agrees_with_minute_stepping_on_random_schedules),
		cmocka_unit_test(test_can_run_agrees_with_a_search_of_every_month_and_day),
		cmocka_unit_test(test_lone_star_and_numbers_parse_as_the_same_in_a_list),
		cmocka_unit_test(test_tilde_elements_are_recorded_not_picked_by_the_parser),
		cmocka_unit_test(test_tilde_errors_name_the_problem),
		cmocka_unit_test(test_resolve_picks_each_value_of_the_range_evenly_and_repeatably),
		cmocka_unit_test(test_resolve_with_a_step_picks_a_start_below_the_step),
		cmocka_unit_test(test_widen_adds_every_value_a_pick_could_take),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
