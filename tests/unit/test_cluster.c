/* tests/unit/test_cluster.c: the cluster thread's rules that need no
 * shared spool (crond/cluster/cluster.h): the clock-skew bound, the heartbeat's
 * period and the back-off while the database is down. The thread itself
 * runs only on a shared (PostgreSQL) spool: tests/whole covers it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crond/cluster/cluster.h"

static void test_skew_within_the_bound_either_way_is_fine(void **state)
{
	(void)state;
	assert_true(cluster_skew_ok(0, 2));
	assert_true(cluster_skew_ok(2000, 2));
	assert_true(cluster_skew_ok(-2000, 2));
	assert_false(cluster_skew_ok(2001, 2));
	assert_false(cluster_skew_ok(-2001, 2));
	assert_false(cluster_skew_ok(INT64_C(-86400000), 3600));
}

static void test_heartbeat_is_a_fifth_of_the_timeout_at_least_a_second(void **state)
{
	(void)state;
	assert_int_equal(cluster_beat_ms(30), 6000);
	assert_int_equal(cluster_beat_ms(10), 2000);
	assert_int_equal(cluster_beat_ms(2), CLUSTER_BEAT_MIN_MS);
}

static void test_backoff_doubles_from_a_second_up_to_its_cap(void **state)
{
	(void)state;
	int64_t b = cluster_backoff_ms(0);
	assert_int_equal(b, 1000);
	int64_t seen[8];
	for (int i = 0; i < 8; i++)
		seen[i] = b = cluster_backoff_ms(b);
	assert_int_equal(seen[0], 2000);
	assert_int_equal(seen[1], 4000);
	assert_int_equal(seen[2], CLUSTER_BACKOFF_MAX_MS);   /* 8 s */
	assert_int_equal(seen[7], CLUSTER_BACKOFF_MAX_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skew_within_the_bound_either_way_is_fine),
		cmocka_unit_test(test_heartbeat_is_a_fifth_of_the_timeout_at_least_a_second),
		cmocka_unit_test(test_backoff_doubles_from_a_second_up_to_its_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
