/* tests/unit/test_log.c: the daemon's log lines: stamped from the daemon's
 * clock, the instants the history holds, and escaped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crond/clock.h"
#include "crond/run/job.h"
#include "crond/log.h"
#include "lib/runfmt.h"
#include "lib/tz.h"

#define T_030600 1767236760LL   /* 2026-01-01T03:06:00Z */
#define NS 1000000000LL

static int fd_saved = -1, fd_read = -1;

/* Points stderr into a pipe until captured() reads it back. */
static void capture(void)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	fd_saved = dup(STDERR_FILENO);
	assert_true(fd_saved >= 0);
	assert_true(dup2(p[1], STDERR_FILENO) >= 0);
	close(p[1]);
	fd_read = p[0];
}

static char *captured(void)
{
	static char buf[8192];
	assert_true(dup2(fd_saved, STDERR_FILENO) >= 0);
	close(fd_saved);
	ssize_t n = read(fd_read, buf, sizeof(buf) - 1);
	close(fd_read);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	log_open(CONFIG_LOG_STDERR, true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_use_clock(NULL);
	return 0;
}

static void test_stamp_comes_from_the_daemons_clock(void **state)
{
	(void)state;
	struct crond_clock clock;
	char spec[32];
	snprintf(spec, sizeof(spec), "%lld", T_030600);
	assert_int_equal(clock_init_test(&clock, spec), 0);
	log_use_clock(&clock);
	capture();
	log_msg(LOG_INFO, "(*system*) HELLO (x)");
	char *line = captured();
	assert_int_equal(strncmp(line, "2026-01-01T03:06:00 crond[", 26), 0);
}

/* A job that started at 03:06:00.000 (or any instant of that second) is
 * logged at 03:06:00, the second its history record shows, never 03:05:59. */
static void test_cmd_line_stamp_is_the_history_start(void **state)
{
	(void)state;
	char err[128];
	struct tz *utc = tz_load("UTC", err, sizeof(err));
	assert_non_null(utc);
	const int64_t starts[] = { T_030600 * NS, T_030600 * NS + 999999999, T_030600 * NS + 1000000 };
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		char key_text[] = "root:1", command[] = "backup";
		struct run_request req = { .kind = DUE_CRON, .scheduled = T_030600,
			                   .entry_key = key_text, .command = command };
		struct job j = { .kind = JOB_CRON, .req = &req, .start_ns = starts[i] };
		snprintf(j.user, sizeof(j.user), "root");
		snprintf(j.label, sizeof(j.label), "backup");
		j.proc.pid = 42;
		capture();
		job_log_start(&j);
		char *line = captured();
		struct spool_run run;
		char key[64];
		job_record(&j, &run, key, sizeof(key));
		char started[32];
		runfmt_time(utc, run.start_ms / 1000, true, started, sizeof(started));
		started[10] = 'T';   /* the log's ISO form */
		if (strncmp(line, started, 19) != 0)
			fail_msg("log line '%.40s' is not stamped %s", line, started);
		assert_non_null(strstr(line, "(root) CMD (pid=42 backup)"));
	}
	tz_free(utc);
}

static void test_line_is_escaped_and_stays_one_line(void **state)
{
	(void)state;
	capture();
	log_event("mallory", "CMD", "pid=1 echo \x1b]0;owned\x07\nforged line \x9b" "2J");
	char *line = captured();
	assert_null(strchr(line, '\x1b'));
	assert_null(strchr(line, '\x07'));
	assert_null(strchr(line, '\x9b'));
	assert_non_null(strstr(line, "(mallory) CMD (pid=1 echo \\e]0;owned\\a\\nforged line \\x9b2J)\n"));
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
}

/* One line per period; the next one allowed says how many were held. */
static void test_a_limited_line_comes_once_per_period_with_the_count_held(void **state)
{
	(void)state;
	struct log_every l = { 0 };
	unsigned held = 99;
	assert_true(log_every_allow(&l, 1000, 10, &held));
	assert_int_equal(held, 0);
	assert_false(log_every_allow(&l, 1005, 10, &held));
	assert_false(log_every_allow(&l, 1009, 10, NULL));
	assert_true(log_every_allow(&l, 1010, 10, &held));
	assert_int_equal(held, 2);
	assert_true(log_every_allow(&l, 1020, 10, NULL));
	assert_int_equal(l.held, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stamp_comes_from_the_daemons_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_line_stamp_is_the_history_start, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_line_is_escaped_and_stays_one_line, setup, teardown),
		cmocka_unit_test(test_a_limited_line_comes_once_per_period_with_the_count_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
