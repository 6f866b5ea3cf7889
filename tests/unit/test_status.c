/* tests/unit/test_status.c: crontab --status's summary of an entry's newest
 * runs and its schedule as written (crontab-cli/status_calc.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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
		status_schedule_text(tab, strlen(tab), cases[i].line, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
	char small[8];
	status_schedule_text(tab, strlen(tab), 2, small, sizeof(small));
	assert_string_equal(small, "*/5 9-1");              /* cut, terminated */

	/* Bytes a terminal acts on are escaped, and an escape is never cut. */
	static const char hostile[] = "*\033[2J 1 * * * x\n";
	char shown[64];
	status_schedule_text(hostile, strlen(hostile), 1, shown, sizeof(shown));
	assert_string_equal(shown, "*\\e[2J 1 * * *");
	status_schedule_text(hostile, strlen(hostile), 1, small, 3);
	assert_string_equal(small, "*");
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
		cmocka_unit_test(test_find_entry_by_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
