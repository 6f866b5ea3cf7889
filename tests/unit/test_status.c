/* tests/unit/test_status.c: crontab --status's summary of an entry's newest
 * runs and its schedule as written (crontab-cli/status_calc.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crontab-cli/status.h"
#include "lib/proto_msgs.h"

/* A run that started at S seconds and lasted D ms, exit status X. */
static struct status_run ran(int64_t s, int64_t d, uint32_t x)
{
	return (struct status_run){ .scheduled = s, .start_ms = s * 1000,
	                            .end_ms = s * 1000 + d, .status = x };
}

static void test_last_run_is_the_newest_that_started(void **state)
{
	(void)state;
	struct status_run v[3] = { ran(300, 0, 0), ran(200, 10, 1), ran(100, 20, 0) };
	v[0].flags = RUNF_SKIPPED | RUNF_NO_STATUS;      /* newest: never started */
	struct status_summary s;
	status_summarize(v, 3, &s);
	assert_ptr_equal(s.last, &v[1]);
	assert_int_equal(s.runs, 2);
	assert_int_equal(s.not_started, 1);
	assert_int_equal(s.failures, 1);
}

static void test_failures_count_exit_signal_timeout_start_and_interruption(void **state)
{
	(void)state;
	struct status_run v[6] = { ran(6, 5, 0), ran(5, 5, 2), ran(4, 5, 0), ran(3, 5, 0),
	                           ran(2, 5, 0), ran(1, 5, 0) };
	v[2].signal = 9;
	v[3].flags = RUNF_TIMED_OUT;
	v[3].signal = 15;
	v[4].flags = RUNF_START_FAILED | RUNF_NO_STATUS;
	v[5].flags = RUNF_INTERRUPTED | RUNF_NO_STATUS;
	struct status_summary s;
	status_summarize(v, 6, &s);
	assert_int_equal(s.runs, 6);
	assert_int_equal(s.failures, 5);
}

static void test_running_run_is_last_but_has_no_duration(void **state)
{
	(void)state;
	struct status_run v[2] = { ran(20, 0, 0), ran(10, 300, 0) };
	v[0].end_ms = 0;                                 /* still running */
	struct status_summary s;
	status_summarize(v, 2, &s);
	assert_ptr_equal(s.last, &v[0]);
	assert_int_equal(s.failures, 0);
	assert_true(s.have_durations);
	assert_int_equal(s.median_ms, 300);
	assert_int_equal(s.worst_ms, 300);
}

static void test_median_and_worst_duration(void **state)
{
	(void)state;
	struct status_run odd[5] = { ran(5, 900, 0), ran(4, 100, 0), ran(3, 300, 1),
	                             ran(2, 200, 0), ran(1, 5000, 0) };
	struct status_summary s;
	status_summarize(odd, 5, &s);
	assert_int_equal(s.median_ms, 300);
	assert_int_equal(s.worst_ms, 5000);
	/* an even count: the mean of the middle two */
	status_summarize(odd, 4, &s);
	assert_int_equal(s.median_ms, 250);
	assert_int_equal(s.worst_ms, 900);
}

static void test_no_runs_means_nothing_known(void **state)
{
	(void)state;
	struct status_summary s;
	status_summarize(NULL, 0, &s);
	assert_null(s.last);
	assert_int_equal(s.runs, 0);
	assert_false(s.have_durations);
	struct status_run skipped = ran(1, 0, 0);
	skipped.flags = RUNF_COALESCED | RUNF_NO_STATUS;
	status_summarize(&skipped, 1, &s);
	assert_null(s.last);
	assert_int_equal(s.not_started, 1);
	assert_false(s.have_durations);
}

static void test_schedule_as_written(void **state)
{
	(void)state;
	static const char tab[] = "MAILTO=\"\"\n"
	                          "*/5\t9-17 * *   1-5 /usr/bin/backup --all\n"
	                          "\n"
	                          "@daily   echo day\n"
	                          "-0 0 * * * root quiet\n"
	                          "  30 2 1 jan,jul * echo\n";
	static const struct {
		uint32_t line;
		const char *want;
	} cases[] = {
		{ 2, "*/5 9-17 * * 1-5" }, { 4, "@daily" }, { 5, "0 0 * * *" },
		{ 6, "30 2 1 jan,jul *" }, { 9, "?" }, { 0, "?" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		status_schedule_text(tab, strlen(tab), cases[i].line, NULL, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
	char small[8];
	status_schedule_text(tab, strlen(tab), 2, NULL, small, sizeof(small));
	assert_string_equal(small, "*/5 9-1");              /* cut, terminated */

	/* Bytes a terminal acts on are escaped, and an escape is never cut. */
	static const char hostile[] = "*\033[2J 1 * * * x\n";
	char shown[64];
	status_schedule_text(hostile, strlen(hostile), 1, NULL, shown, sizeof(shown));
	assert_string_equal(shown, "*\\e[2J 1 * * *");
	status_schedule_text(hostile, strlen(hostile), 1, NULL, small, 3);
	assert_string_equal(small, "*");
}

/* A cursor finds what a search from the start finds, in any order of
 * lines, and moves only to a line that was found. */
static void test_schedule_cursor_finds_what_the_start_finds(void **state)
{
	(void)state;
	static const char tab[] = "SHELL=/bin/sh\n"
	                          "1 * * * * a\n"
	                          "\n"
	                          "2 * * * * b\n"
	                          "@hourly c\n"
	                          "3 * * * * d";            /* no final newline */
	static const uint32_t order[] = { 2, 4, 5, 6, 9, 6, 2, 0, 5, 5, 1, 4 };
	struct status_line_cursor cur = { 0 };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char with[64], without[64];
		status_schedule_text(tab, strlen(tab), order[i], &cur, with, sizeof(with));
		status_schedule_text(tab, strlen(tab), order[i], NULL, without, sizeof(without));
		assert_string_equal(with, without);
		if (strcmp(without, "?") != 0)
			assert_int_equal(cur.line, order[i]);
	}
	char buf[64];
	status_schedule_text(tab, strlen(tab), 6, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "3 * * * *");
	/* a cursor from a longer text is not trusted past this one's end */
	cur = (struct status_line_cursor){ .offset = 4096, .line = 3 };
	status_schedule_text(tab, strlen(tab), 4, &cur, buf, sizeof(buf));
	assert_string_equal(buf, "2 * * * *");
	assert_int_equal(cur.line, 4);
}

/* 10,000 entries, each looked up in turn: one pass over the text with the
 * cursor (each lookup from the start took 1.2-1.9 s in all). */
static void test_schedule_cursor_walks_a_big_crontab_once(void **state)
{
	(void)state;
	enum { N = 10000 };
	size_t cap = (size_t)N * 32, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len, "%d %d * * * job%d\n", i % 60,
		                        i % 24, i);
	struct status_line_cursor cur = { 0 };
	for (uint32_t line = 1; line <= N; line++) {
		char buf[64], want[64];
		status_schedule_text(text, len, line, &cur, buf, sizeof(buf));
		snprintf(want, sizeof(want), "%u %u * * *", (line - 1) % 60, (line - 1) % 24);
		assert_string_equal(buf, want);
		/* the cursor sits at its line's start: at most one line walked */
		assert_int_equal(cur.line, line);
		assert_true(cur.offset == 0 || text[cur.offset - 1] == '\n');
	}
	free(text);
}

static void test_find_entry_by_line(void **state)
{
	(void)state;
	struct status_entry e[2] = { { .line = 3 }, { .line = 7 } };
	struct status_source src = { .entries = e, .n_entries = 2 };
	assert_ptr_equal(status_find_entry(&src, 7), &e[1]);
	assert_null(status_find_entry(&src, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_run_is_the_newest_that_started),
		cmocka_unit_test(test_failures_count_exit_signal_timeout_start_and_interruption),
		cmocka_unit_test(test_running_run_is_last_but_has_no_duration),
		cmocka_unit_test(test_median_and_worst_duration),
		cmocka_unit_test(test_no_runs_means_nothing_known),
		cmocka_unit_test(test_schedule_as_written),
		cmocka_unit_test(test_schedule_cursor_finds_what_the_start_finds),
		cmocka_unit_test(test_schedule_cursor_walks_a_big_crontab_once),
		cmocka_unit_test(test_find_entry_by_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
