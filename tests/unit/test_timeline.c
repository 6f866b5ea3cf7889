/* tests/unit/test_timeline.c: the heat map of crontab --timeline
 * (crontab-cli/timeline_map.c): glyphs by count, runs counted into the
 * cell of their wall time, the per-cell cap, DST days, the drawing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crontab-cli/timeline.h"
#include "lib/civil.h"
#include "lib/schedule.h"
#include "tests/unit/support/tz_check.h"

static struct schedule sched(const char *text)
{
	struct schedule s;
	size_t end = 0, col = 0;
	char msg[128];
	assert_int_equal(schedule_parse(text, strlen(text), &s, &end, &col, msg, sizeof(msg)), 0);
	return s;
}

static uint32_t cell(const struct timeline *tl, unsigned day, unsigned hour, unsigned q)
{
	return tl->count[day * tl->cells + hour * tl->per_hour + q];
}

static void test_glyph_by_count(void **state)
{
	(void)state;
	static const struct { uint32_t n; char g; } cases[] = {
		{ 0, ' ' }, { 1, '.' }, { 2, ':' }, { 3, '-' }, { 4, '-' }, { 5, '=' }, { 8, '=' },
		{ 9, '+' }, { 16, '+' }, { 17, '*' }, { 33, '#' }, { 64, '#' }, { 65, '%' },
		{ 128, '%' }, { 129, '@' }, { 4000000000u, '@' },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(timeline_glyph(cases[i].n), cases[i].g);
}

static void test_runs_land_in_the_cell_of_their_wall_time(void **state)
{
	(void)state;
	struct tz *utc = must_load("UTC");
	struct timeline tl;
	int64_t day = civil_days_from_date(2026, 1, 1);      /* a Thursday */
	assert_int_equal(timeline_init(&tl, utc, day, 2, 1), 0);
	struct schedule a = sched("0 0 * * *"), b = sched("30 12 * * 4"), c = sched("5,10 0 * * *");
	timeline_add(&tl, &a, utc);
	timeline_add(&tl, &b, utc);
	timeline_add(&tl, &c, utc);
	assert_int_equal(cell(&tl, 0, 0, 0), 2);          /* a, and c once (capped) */
	assert_int_equal(cell(&tl, 0, 12, 0), 1);
	assert_int_equal(cell(&tl, 1, 12, 0), 0);         /* Friday */
	assert_int_equal(cell(&tl, 1, 0, 0), 2);
	assert_int_equal(tl.runs, 5);
	assert_int_equal(tl.entries, 3);
	assert_int_equal(tl.capped, 1);
	timeline_free(&tl);
	/* Quarter-hours: 00:05 and 00:10 share the first quarter */
	assert_int_equal(timeline_init(&tl, utc, day, 1, 4), 0);
	struct schedule d = sched("14,15 0 * * *");
	timeline_add(&tl, &d, utc);
	assert_int_equal(cell(&tl, 0, 0, 0), 1);
	assert_int_equal(cell(&tl, 0, 0, 1), 1);
	assert_int_equal(tl.capped, 0);
	timeline_free(&tl);
	tz_free(utc);
}

static void test_cap_keeps_every_minute_job_to_one_per_cell(void **state)
{
	(void)state;
	struct tz *utc = must_load("UTC");
	struct timeline tl;
	assert_int_equal(timeline_init(&tl, utc, civil_days_from_date(2026, 3, 1), 31, 4), 0);
	struct schedule every = sched("* * * * *");
	timeline_add(&tl, &every, utc);
	for (size_t i = 0; i < (size_t)tl.days * tl.cells; i++)
		assert_int_equal(tl.count[i], TIMELINE_CELL_CAP);
	assert_int_equal(tl.runs, 31u * 96u * TIMELINE_CELL_CAP);
	assert_int_equal(tl.capped, 1);
	timeline_free(&tl);
	tz_free(utc);
}

static void test_dst_days_in_new_york(void **state)
{
	(void)state;
	struct tz *ny = must_load("America/New_York");
	struct timeline tl;
	/* 2026-03-08 skips 02:00-03:00; 2026-11-01 repeats 01:00-02:00 */
	assert_int_equal(timeline_init(&tl, ny, civil_days_from_date(2026, 3, 8), 1, 1), 0);
	struct schedule fixed = sched("30 2 * * *"), wild = sched("*/20 * * * *");
	timeline_add(&tl, &fixed, ny);
	timeline_add(&tl, &wild, ny);
	assert_int_equal(cell(&tl, 0, 2, 0), 0);          /* nothing in the gap */
	assert_int_equal(cell(&tl, 0, 3, 0), 2);          /* the fixed job at 03:00 */
	assert_int_equal(tl.runs, 23 + 1);
	timeline_free(&tl);
	assert_int_equal(timeline_init(&tl, ny, civil_days_from_date(2026, 11, 1), 1, 1), 0);
	struct schedule one = sched("30 1 * * *");
	timeline_add(&tl, &one, ny);
	timeline_add(&tl, &wild, ny);
	/* the wildcard job runs in both passes of 01:xx: one cell, capped */
	assert_int_equal(cell(&tl, 0, 1, 0), 2);
	assert_int_equal(tl.runs, 24 + 1);
	timeline_free(&tl);
	tz_free(ny);
}

static void test_drawing_has_rows_legend_and_busiest(void **state)
{
	(void)state;
	struct tz *utc = must_load("UTC");
	struct timeline tl;
	assert_int_equal(timeline_init(&tl, utc, civil_days_from_date(2026, 1, 1), 2, 1), 0);
	struct schedule a = sched("0 0 * * *"), b = sched("0 0,5 * * *");
	timeline_add(&tl, &a, utc);
	timeline_add(&tl, &b, utc);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	timeline_render(&tl, f, false);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "               00 01 02 03 04 05 06"));
	assert_non_null(strstr(buf, "\nThu 2026-01-01 ::             ..   "));
	assert_non_null(strstr(buf, "\nFri 2026-01-02 ::             ..   "));
	assert_non_null(strstr(buf, "legend: ' ' none  . 1  : 2"));
	assert_non_null(strstr(buf, "6 runs counted, of 2 entries, in 2 days"));
	assert_null(strstr(buf, "note:"));
	assert_non_null(strstr(buf, "busiest:\n  Thu 2026-01-01 00:00-00:59  2 runs\n"
	                            "  Fri 2026-01-02 00:00-00:59  2 runs\n"
	                            "  Thu 2026-01-01 05:00-05:59  1 run\n"));
	assert_null(strchr(buf, '\033'));
	free(buf);
	/* with colour: the glyphs are coloured, nothing else changes */
	f = open_memstream(&buf, &len);
	timeline_render(&tl, f, true);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "\033[32m::\033[0m"));
	free(buf);
	timeline_free(&tl);
	tz_free(utc);
}

static void test_bad_shapes_are_refused(void **state)
{
	(void)state;
	struct tz *utc = must_load("UTC");
	struct timeline tl;
	assert_int_equal(timeline_init(&tl, utc, 0, 0, 1), -1);
	assert_int_equal(timeline_init(&tl, utc, 0, 367, 1), -1);
	assert_int_equal(timeline_init(&tl, utc, 0, 1, 2), -1);
	tz_free(utc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glyph_by_count),
		cmocka_unit_test(test_runs_land_in_the_cell_of_their_wall_time),
		cmocka_unit_test(test_cap_keeps_every_minute_job_to_one_per_cell),
		cmocka_unit_test(test_dst_days_in_new_york),
		cmocka_unit_test(test_drawing_has_rows_legend_and_busiest),
		cmocka_unit_test(test_bad_shapes_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
