/* tests/unit/test_ownerlog.c: the per-owner rate limit of SKIP log lines:
 * a burst per window then silence, the held-back count on the next line,
 * owners limited apart, a clock that goes back, and the bounded table
 * (places of idle owners reused, their held-back counts handed back, a
 * shared limit when every place is busy).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crond/ownerlog.h"

#define T0 (1700000000LL * 1000000000LL)
#define SEC 1000000000LL

static struct ownerlog *new_log(void)
{
	struct ownerlog *l = calloc(1, sizeof(*l));
	assert_non_null(l);
	return l;
}

/* How many of N lines of USER at NOW were logged; *HELD the last held count. */
static unsigned logged(struct ownerlog *l, const char *user, int64_t now, unsigned n, unsigned *held)
{
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		struct ownerlog_verdict v;
		ownerlog_allow(l, user, now, &v);
		if (v.log) {
			k++;
			if (held)
				*held = v.held;
		}
	}
	return k;
}

static void test_an_owner_logs_a_burst_then_the_next_line_counts_the_rest(void **state)
{
	(void)state;
	struct ownerlog *l = new_log();
	unsigned held = 99;
	assert_int_equal(logged(l, "bob", T0, 3000, &held), OWNERLOG_BURST);
	assert_int_equal(held, 0);
	/* still within the window: nothing */
	assert_int_equal(logged(l, "bob", T0 + 9 * SEC, 10, NULL), 0);
	/* the next window: the first line says 3000 - 5 + 10 were held back */
	struct ownerlog_verdict v;
	ownerlog_allow(l, "bob", T0 + 10 * SEC, &v);
	assert_true(v.log);
	assert_false(v.shared);
	assert_int_equal(v.held, 3000 - OWNERLOG_BURST + 10);
	ownerlog_allow(l, "bob", T0 + 10 * SEC, &v);
	assert_true(v.log);
	assert_int_equal(v.held, 0);
	free(l);
}

static void test_one_owners_flood_does_not_hide_another_owners_line(void **state)
{
	(void)state;
	struct ownerlog *l = new_log();
	assert_int_equal(logged(l, "bob", T0, 10000, NULL), OWNERLOG_BURST);
	unsigned held = 99;
	assert_int_equal(logged(l, "alice", T0 + SEC, 1, &held), 1);
	assert_int_equal(held, 0);
	free(l);
}

static void test_a_clock_gone_back_starts_a_new_window(void **state)
{
	(void)state;
	struct ownerlog *l = new_log();
	assert_int_equal(logged(l, "bob", T0, 20, NULL), OWNERLOG_BURST);
	unsigned held = 0;
	assert_int_equal(logged(l, "bob", T0 - 3600 * SEC, 1, &held), 1);
	assert_int_equal(held, 20 - OWNERLOG_BURST);
	free(l);
}

static void test_the_table_is_bounded_and_idle_places_are_reused(void **state)
{
	(void)state;
	struct ownerlog *l = new_log();
	char name[32];
	/* every place taken within one window, each owner with lines held */
	for (unsigned i = 0; i < OWNERLOG_OWNERS; i++) {
		snprintf(name, sizeof(name), "u%u", i);
		assert_int_equal(logged(l, name, T0, OWNERLOG_BURST + 2, NULL), OWNERLOG_BURST);
	}
	assert_int_equal(l->n, OWNERLOG_OWNERS);
	/* one more owner in the same window shares the overflow limit */
	struct ownerlog_verdict v;
	ownerlog_allow(l, "late", T0 + SEC, &v);
	assert_true(v.log);
	assert_int_equal(v.evicted_held, 0);
	assert_int_equal(logged(l, "late2", T0 + SEC, 100, NULL), OWNERLOG_BURST - 1);
	ownerlog_allow(l, "late3", T0 + 11 * SEC, &v);   /* the shared window is over */
	/* ...but now every place is idle: late3 takes one, whose owner's two
	 * held-back lines are handed back to be logged once */
	assert_true(v.log);
	assert_false(v.shared);
	assert_int_equal(v.evicted_held, 2);
	assert_int_equal(strncmp(v.evicted, "u", 1), 0);
	assert_int_equal(l->n, OWNERLOG_OWNERS);
	/* the shared limit's count is told on its next line, marked shared */
	for (unsigned i = 0; i < OWNERLOG_OWNERS - 1; i++) {
		snprintf(name, sizeof(name), "w%u", i);
		assert_int_equal(logged(l, name, T0 + 11 * SEC, 1, NULL), 1);
	}
	ownerlog_allow(l, "late4", T0 + 12 * SEC, &v);
	assert_true(v.log);
	assert_true(v.shared);
	assert_int_equal(v.held, 100 - (OWNERLOG_BURST - 1));
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_owner_logs_a_burst_then_the_next_line_counts_the_rest),
		cmocka_unit_test(test_one_owners_flood_does_not_hide_another_owners_line),
		cmocka_unit_test(test_a_clock_gone_back_starts_a_new_window),
		cmocka_unit_test(test_the_table_is_bounded_and_idle_places_are_reused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
