/* tests/unit/test_claimwait.c: spreading the claims of shared runs
 * (crond/run/claimwait.h): the delay is repeatable, in range, off at 0, differs
 * by node and run, and makes each of three nodes the earliest for about a
 * third of the runs; the holding heap gives runs back in due order, only
 * when due, equal instants in the order added, and refuses past its bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "crond/run/claimwait.h"

#define T0 1796212800   /* 2026-12-01 12:00:00 UTC */
#define MS 1000000LL

static void test_delay_repeatable_and_in_range(void **state)
{
	(void)state;
	int64_t a = claimwait_delay_ns(200, "alice:3", T0, "node-a");
	assert_int_equal(a, claimwait_delay_ns(200, "alice:3", T0, "node-a"));
	char key[32];
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "u%d:%d", i % 17, i);
		for (uint32_t spread = 1; spread <= 10000; spread *= 10) {
			int64_t d = claimwait_delay_ns(spread, key, T0 + 60 * i, "n1");
			assert_true(d >= 0);
			assert_true(d < (int64_t)spread * MS);
		}
	}
	/* Above the bound counts as the bound. */
	assert_int_equal(claimwait_delay_ns(UINT32_MAX, "k", T0, "n"),
	                 claimwait_delay_ns(CLAIMWAIT_SPREAD_MAX_MS, "k", T0, "n"));
}

static void test_delay_off(void **state)
{
	(void)state;
	assert_int_equal(claimwait_delay_ns(0, "alice:3", T0, "node-a"), 0);
	assert_int_equal(claimwait_delay_ns(0, "bob:1", T0 + 60, "node-b"), 0);
}

static void test_delay_depends_on_each_input(void **state)
{
	(void)state;
	int64_t base = claimwait_delay_ns(10000, "alice:3", T0, "node-a");
	assert_int_not_equal(base, claimwait_delay_ns(10000, "alice:3", T0, "node-b"));
	assert_int_not_equal(base, claimwait_delay_ns(10000, "alice:3", T0 + 60, "node-a"));
	assert_int_not_equal(base, claimwait_delay_ns(10000, "alice:4", T0, "node-a"));
	/* The fields are kept apart. */
	assert_int_not_equal(claimwait_delay_ns(10000, "ab", T0, "c"),
	                     claimwait_delay_ns(10000, "a", T0, "bc"));
	/* Scaling: the same fraction of a larger spread. */
	int64_t d1 = claimwait_delay_ns(1000, "alice:3", T0, "node-a");
	assert_true(llabs(claimwait_delay_ns(2000, "alice:3", T0, "node-a") - 2 * d1) <= 2);
}

/* 3,000 runs (100 entries over 30 minutes), three nodes: each is the
 * earliest for 25-42% of them; the mean delay is about half the spread and
 * the winner's about a quarter (spread/(n+1)). */
static void test_delay_spreads_wins(void **state)
{
	(void)state;
	const char *nodes[3] = { "alpha", "beta", "gamma" };
	unsigned wins[3] = { 0 };
	double sum = 0, sum_min = 0;
	char key[32];
	for (int e = 0; e < 100; e++) {
		snprintf(key, sizeof(key), "user%d:%d", e % 7, e);
		for (int m = 0; m < 30; m++) {
			int64_t best = INT64_MAX;
			int who = -1;
			for (int k = 0; k < 3; k++) {
				int64_t d = claimwait_delay_ns(200, key, T0 + 60 * m, nodes[k]);
				sum += (double)d;
				if (d < best) {
					best = d;
					who = k;
				}
			}
			wins[who]++;
			sum_min += (double)best;
		}
	}
	for (int k = 0; k < 3; k++) {
		print_message("%s wins %u of 3000\n", nodes[k], wins[k]);
		assert_in_range(wins[k], 750, 1260);
	}
	double mean = sum / 9000 / MS, mean_min = sum_min / 3000 / MS;
	print_message("mean delay %.1f ms, winner's %.1f ms (spread 200)\n", mean, mean_min);
	assert_true(mean > 90 && mean < 110);
	assert_true(mean_min > 40 && mean_min < 60);
}

static void test_hold_in_due_order(void **state)
{
	(void)state;
	struct claimwait w;
	claimwait_init(&w);
	assert_int_equal(claimwait_next(&w), INT64_MAX);
	assert_null(claimwait_pop(&w, INT64_MAX));
	int items[200];
	/* Due instants in a scrambled order: 7 * i mod 200. */
	for (int i = 0; i < 200; i++) {
		items[i] = i;
		assert_int_equal(claimwait_add(&w, (int64_t)((7 * i) % 200) * 10, &items[i]), 0);
	}
	assert_int_equal(claimwait_count(&w), 200);
	assert_int_equal(claimwait_next(&w), 0);
	/* Only what is due comes out: instants 0..990 (100 runs). */
	int64_t last = -1;
	size_t got = 0;
	int *p;
	while ((p = claimwait_pop(&w, 990)) != NULL) {
		int64_t due = (int64_t)((7 * *p) % 200) * 10;
		assert_true(due <= 990);
		assert_true(due > last);
		last = due;
		got++;
	}
	assert_int_equal(got, 100);
	assert_int_equal(claimwait_next(&w), 1000);
	assert_null(claimwait_pop(&w, 999));
	while ((p = claimwait_pop(&w, INT64_MAX)) != NULL) {
		int64_t due = (int64_t)((7 * *p) % 200) * 10;
		assert_true(due > last);
		last = due;
		got++;
	}
	assert_int_equal(got, 200);
	assert_int_equal(claimwait_count(&w), 0);
	claimwait_free(&w);
}

static void test_hold_ties_in_order_added(void **state)
{
	(void)state;
	struct claimwait w;
	claimwait_init(&w);
	int items[50];
	for (int i = 0; i < 50; i++) {
		items[i] = i;
		assert_int_equal(claimwait_add(&w, i % 2 ? 5 : 9, &items[i]), 0);
	}
	int prev = -1;
	for (int i = 0; i < 25; i++) {   /* the odd ones (due 5) first, in order */
		int *p = claimwait_pop(&w, 100);
		assert_non_null(p);
		assert_int_equal(*p % 2, 1);
		assert_true(*p > prev);
		prev = *p;
	}
	prev = -1;
	for (int i = 0; i < 25; i++) {
		int *p = claimwait_pop(&w, 100);
		assert_non_null(p);
		assert_int_equal(*p % 2, 0);
		assert_true(*p > prev);
		prev = *p;
	}
	claimwait_free(&w);
}

static void test_hold_bounded(void **state)
{
	(void)state;
	struct claimwait w;
	claimwait_init(&w);
	int x = 0;
	for (size_t i = 0; i < CLAIMWAIT_MAX; i++)
		assert_int_equal(claimwait_add(&w, (int64_t)(CLAIMWAIT_MAX - i), &x), 0);
	assert_int_equal(claimwait_add(&w, 0, &x), -1);
	assert_int_equal(claimwait_count(&w), CLAIMWAIT_MAX);
	assert_int_equal(claimwait_next(&w), 1);
	assert_non_null(claimwait_pop(&w, 1));
	assert_int_equal(claimwait_add(&w, 0, &x), 0);   /* room again */
	claimwait_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_repeatable_and_in_range),
		cmocka_unit_test(test_delay_off),
		cmocka_unit_test(test_delay_depends_on_each_input),
		cmocka_unit_test(test_delay_spreads_wins),
		cmocka_unit_test(test_hold_in_due_order),
		cmocka_unit_test(test_hold_ties_in_order_added),
		cmocka_unit_test(test_hold_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
