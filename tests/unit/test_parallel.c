/* tests/unit/test_parallel.c: parallel_for runs each piece's work exactly
 * once, on any thread, and hands each piece to DONE in order, in the
 * caller, after its work. THREADED TEST: run under ThreadSanitizer too. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>
#include <sched.h>

#include "lib/parallel.h"

#define PIECES 2000

struct run {
	pthread_t caller;
	atomic_int works[PIECES];     /* WORK calls per piece */
	uint64_t result[PIECES];      /* written by WORK, read by DONE */
	size_t next_done;             /* the piece DONE expects next */
	size_t done_in_order;         /* DONE calls that met it */
	bool done_off_caller;         /* a DONE ran on another thread */
	atomic_int helpers_seen;      /* WORK calls not on the caller */
};

static void work(size_t i, void *ctx)
{
	struct run *r = ctx;
	atomic_fetch_add(&r->works[i], 1);
	if (!pthread_equal(pthread_self(), r->caller))
		atomic_fetch_add(&r->helpers_seen, 1);
	uint64_t h = i + 1;
	for (int k = 0; k < 200 + (int)(i % 7) * 50; k++)   /* uneven pieces */
		h = h * 6364136223846793005u + 1442695040888963407u;
	r->result[i] = h | 1;
}

static void done(size_t i, void *ctx)
{
	struct run *r = ctx;
	if (!pthread_equal(pthread_self(), r->caller))
		r->done_off_caller = true;
	if (i == r->next_done && r->result[i] != 0)
		r->done_in_order++;
	r->next_done = i + 1;
}

static struct run *run_with(size_t n, size_t threads)
{
	struct run *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->caller = pthread_self();
	parallel_for(n, threads, work, done, r);
	return r;
}

static void check_each_once_and_in_order(struct run *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(atomic_load(&r->works[i]), 1);
	for (size_t i = n; i < PIECES; i++)
		assert_int_equal(atomic_load(&r->works[i]), 0);
	assert_int_equal(r->done_in_order, n);
	assert_int_equal(r->next_done, n);
	assert_false(r->done_off_caller);
}

static void test_every_piece_is_worked_once_and_done_in_order(void **state)
{
	(void)state;
	for (size_t threads = 2; threads <= PARALLEL_MAX_THREADS + 2; threads++) {
		struct run *r = run_with(PIECES, threads);
		check_each_once_and_in_order(r, PIECES);
		free(r);
	}
}

static void test_one_thread_works_in_the_caller_in_order(void **state)
{
	(void)state;
	for (size_t threads = 0; threads <= 1; threads++) {
		struct run *r = run_with(PIECES, threads);
		check_each_once_and_in_order(r, PIECES);
		assert_int_equal(atomic_load(&r->helpers_seen), 0);
		free(r);
	}
}

static void test_few_pieces_and_none(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 3; n++) {
		struct run *r = run_with(n, PARALLEL_MAX_THREADS);
		check_each_once_and_in_order(r, n);
		free(r);
	}
}

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* With helpers, some pieces are worked off the caller (on a machine with
 * more than one CPU; a single CPU may run the caller through them all).
 * A round takes about a millisecond, and on a machine whose CPUs are busy
 * (a clean-clone run beside two other test lanes) a new helper may wait
 * longer than that for one: 20 rounds once saw none. So rounds go on for
 * up to 5 s until a helper takes a piece. */
static void test_helpers_take_pieces(void **state)
{
	(void)state;
	if (parallel_threads() < 2)
		skip();
	int seen = 0, rounds = 0;
	for (double end = seconds_now() + 5; !seen && seconds_now() < end; rounds++) {
		struct run *r = run_with(PIECES, 2);
		check_each_once_and_in_order(r, PIECES);
		seen = atomic_load(&r->helpers_seen);
		free(r);
	}
	if (!seen)
		fail_msg("no helper took a piece in %d rounds (5 s)", rounds);
}

static void test_threads_are_the_cpus_within_bounds(void **state)
{
	(void)state;
	cpu_set_t set;
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	size_t want = (size_t)CPU_COUNT(&set);
	if (want > PARALLEL_MAX_THREADS)
		want = PARALLEL_MAX_THREADS;
	assert_int_equal(parallel_threads(), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_piece_is_worked_once_and_done_in_order),
		cmocka_unit_test(test_one_thread_works_in_the_caller_in_order),
		cmocka_unit_test(test_few_pieces_and_none),
		cmocka_unit_test(test_helpers_take_pieces),
		cmocka_unit_test(test_threads_are_the_cpus_within_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
