/* tests/unit/test_job_output.c: a job's output as the supervisor takes it
 * (job_read_output): kept up to the cap, then only counted; past the cap,
 * with somewhere to drop it, spliced there a pipe's worth a call instead of
 * read, and the call says so (the supervisor then waits before the next).
 * The "somewhere" here is a second pipe rather than /dev/null, so that the
 * test sees the bytes went there and were not read. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cmocka.h>

#include "crond/run/job.h"

#define PIPE_BYTES (1024 * 1024)

struct fixture {
	int out[2];       /* the job's output pipe: [0] as crond holds it */
	int drop[2];      /* where bytes past the cap go: [1] is DISCARD */
	struct job j;
};

static void open_pipe(int fds[2])
{
	assert_int_equal(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
	assert_true(fcntl(fds[0], F_SETPIPE_SZ, PIPE_BYTES) >= PIPE_BYTES);
}

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	open_pipe(f->out);
	open_pipe(f->drop);
	f->j.proc.out_fd = f->out[0];
	f->j.proc.pidfd = f->j.proc.err_fd = -1;
}

static void teardown(struct fixture *f)
{
	if (f->j.proc.out_fd >= 0)
		close(f->j.proc.out_fd);
	if (f->out[1] >= 0)
		close(f->out[1]);
	close(f->drop[0]);
	close(f->drop[1]);
	free(f->j.out);
}

/* Writes N bytes of a counting pattern (byte i is i % 251) to the job's pipe. */
static void job_writes(struct fixture *f, size_t n)
{
	char *buf = malloc(n);
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(i % 251);
	assert_int_equal(write(f->out[1], buf, n), (ssize_t)n);
	free(buf);
}

static int queued(int fd)
{
	int n = -1;
	assert_int_equal(ioctl(fd, FIONREAD, &n), 0);
	return n;
}

static void assert_kept_pattern(const struct job *j, size_t n)
{
	assert_int_equal(j->out_len, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal((unsigned char)j->out[i], i % 251);
}

static void test_past_the_cap_the_bytes_are_spliced_away(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	job_writes(&f, 200000);
	/* The first call reads: the cap's 1,000 bytes kept, then the rest of
	 * its JOB_READ_BUDGET read and only counted. */
	assert_false(job_read_output(&f.j, 1000, f.drop[1]));
	assert_kept_pattern(&f.j, 1000);
	assert_int_equal(f.j.out_total, JOB_READ_BUDGET);
	assert_int_equal(queued(f.drop[0]), 0);
	/* The next drops everything left in one call, without reading it. */
	assert_true(job_read_output(&f.j, 1000, f.drop[1]));
	assert_int_equal(f.j.out_total, 200000);
	assert_int_equal(queued(f.drop[0]), 200000 - JOB_READ_BUDGET);
	assert_int_equal(queued(f.out[0]), 0);
	/* An empty pipe: nothing dropped, nothing to wait for. */
	assert_false(job_read_output(&f.j, 1000, f.drop[1]));
	assert_int_equal(f.j.proc.out_fd, f.out[0]);
	assert_false(f.j.out_eof);
	/* The end, on the same path. */
	job_writes(&f, 10);
	close(f.out[1]);
	f.out[1] = -1;
	assert_true(job_read_output(&f.j, 1000, f.drop[1]));
	assert_false(job_read_output(&f.j, 1000, f.drop[1]));
	assert_true(f.j.out_eof);
	assert_int_equal(f.j.proc.out_fd, -1);
	assert_int_equal(f.j.out_total, 200010);
	assert_kept_pattern(&f.j, 1000);
	teardown(&f);
}

static void test_no_more_than_a_budget_is_dropped_a_call(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	f.j.out = malloc(1);   /* a cap of 0: everything past it at once */
	assert_non_null(f.j.out);
	job_writes(&f, PIPE_BYTES);
	assert_true(job_read_output(&f.j, 0, f.drop[1]));
	assert_true(f.j.out_total <= JOB_DISCARD_BUDGET);
	uint64_t first = f.j.out_total;
	while (job_read_output(&f.j, 0, f.drop[1]))
		;
	assert_int_equal(f.j.out_total, PIPE_BYTES);
	assert_true(first > 0);
	assert_int_equal(f.j.out_len, 0);
	teardown(&f);
}

static void test_without_a_place_to_drop_it_the_output_is_read(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	job_writes(&f, 200000);
	int rounds = 0;
	while (queued(f.out[0]) > 0) {
		assert_false(job_read_output(&f.j, 1000, -1));   /* never "wait" */
		assert_true(++rounds <= 4);   /* JOB_READ_BUDGET a call */
	}
	assert_int_equal(rounds, (200000 + JOB_READ_BUDGET - 1) / JOB_READ_BUDGET);
	assert_int_equal(f.j.out_total, 200000);
	assert_kept_pattern(&f.j, 1000);
	assert_int_equal(queued(f.drop[0]), 0);
	teardown(&f);
}

static void test_below_the_cap_nothing_is_dropped(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	job_writes(&f, 5000);
	assert_false(job_read_output(&f.j, 100000, f.drop[1]));
	assert_kept_pattern(&f.j, 5000);
	assert_int_equal(f.j.out_total, 5000);
	assert_int_equal(queued(f.drop[0]), 0);
	teardown(&f);
}

/* The supervisor looks at a job without an event only at this instant:
 * the earliest deadline that can still matter for the job's state. */
static void test_the_next_deadline_is_the_earliest_that_matters(void **state)
{
	(void)state;
	struct job j = { 0 };
	assert_int_equal(job_next_deadline(&j), 0);
	j.term_at_mono = 500;
	j.drain_at_mono = 700;
	assert_int_equal(job_next_deadline(&j), 500);
	j.kill_at_mono = 300;
	assert_int_equal(job_next_deadline(&j), 300);
	/* Exited: no signal is due any more; the wait for EOF ends */
	j.exited = true;
	j.linger_until_mono = 900;
	assert_int_equal(job_next_deadline(&j), 700);
	j.drain_at_mono = 0;
	assert_int_equal(job_next_deadline(&j), 900);
	j.out_eof = true;   /* ...unless the output is at its end already */
	assert_int_equal(job_next_deadline(&j), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_past_the_cap_the_bytes_are_spliced_away),
		cmocka_unit_test(test_no_more_than_a_budget_is_dropped_a_call),
		cmocka_unit_test(test_without_a_place_to_drop_it_the_output_is_read),
		cmocka_unit_test(test_below_the_cap_nothing_is_dropped),
		cmocka_unit_test(test_the_next_deadline_is_the_earliest_that_matters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
