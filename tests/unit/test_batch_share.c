/* tests/unit/test_batch_share.c: the batch slot goes to root's job first,
 * then to the owner whose last batch start is the oldest; the table of
 * owners stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crond/sched/batch_share.h"

static struct batch_share_job job(uint32_t uid, int64_t id)
{
	return (struct batch_share_job){ uid, id };
}

static void test_an_owner_who_never_started_goes_first(void **state)
{
	(void)state;
	struct batch_share b = { 0 };
	batch_share_started(&b, 1000, 100);
	assert_true(batch_share_before(&b, job(1001, 1), job(1000, 2)));
	assert_false(batch_share_before(&b, job(1000, 1), job(1001, 2)));
	/* one owner's: in job-number order */
	assert_true(batch_share_before(&b, job(1000, 1), job(1000, 2)));
	assert_false(batch_share_before(&b, job(1000, 2), job(1000, 1)));
}

static void test_turns_alternate_between_owners(void **state)
{
	(void)state;
	struct batch_share b = { 0 };
	batch_share_started(&b, 1000, 100);
	batch_share_started(&b, 1001, 160);
	assert_true(batch_share_before(&b, job(1000, 1), job(1001, 2)));
	batch_share_started(&b, 1000, 220);
	assert_true(batch_share_before(&b, job(1001, 1), job(1000, 2)));
}

static void test_root_goes_first(void **state)
{
	(void)state;
	struct batch_share b = { 0 };
	batch_share_started(&b, 0, 500);
	assert_true(batch_share_before(&b, job(0, 1), job(1000, 2)));
	assert_false(batch_share_before(&b, job(1000, 1), job(0, 2)));
}

static void test_the_table_forgets_the_least_recent_owner(void **state)
{
	(void)state;
	struct batch_share b = { 0 };
	for (uint32_t i = 0; i < BATCH_SHARE_OWNERS + 10; i++)
		batch_share_started(&b, 2000 + i, 100 + i);
	assert_int_equal(b.n, BATCH_SHARE_OWNERS);
	/* 2000 was forgotten: it counts as never started, before the newest */
	assert_true(batch_share_before(&b, job(2000, 1), job(2000 + BATCH_SHARE_OWNERS + 9, 2)));
	/* a remembered owner is updated in place */
	batch_share_started(&b, 2000 + BATCH_SHARE_OWNERS + 9, 9999);
	assert_int_equal(b.n, BATCH_SHARE_OWNERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_owner_who_never_started_goes_first),
		cmocka_unit_test(test_turns_alternate_between_owners),
		cmocka_unit_test(test_root_goes_first),
		cmocka_unit_test(test_the_table_forgets_the_least_recent_owner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
