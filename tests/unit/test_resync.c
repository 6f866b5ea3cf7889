/* tests/unit/test_resync.c: changes from other cluster nodes applied once
 * (crond/cluster/resync.h): crontab changes by generation per owner, and the at
 * jobs made to match the spool's list without losing one queued after the
 * list was read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "crond/cluster/resync.h"
#include "crond/sched/scheduler.h"

static void test_a_crontab_change_is_applied_once_and_never_after_a_newer_one(void **state)
{
	(void)state;
	struct resync r;
	resync_init(&r);
	assert_true(resync_crontab_fresh(&r, "bob", 5));
	assert_false(resync_crontab_fresh(&r, "bob", 5));    /* the same change, seen again */
	assert_false(resync_crontab_fresh(&r, "bob", 3));    /* older, arriving late */
	assert_true(resync_crontab_fresh(&r, "alice", 4));   /* per owner */
	assert_true(resync_crontab_fresh(&r, "carol", 1));
	assert_true(resync_crontab_fresh(&r, "bob", 9));
	assert_false(resync_crontab_fresh(&r, "alice", 4));
	assert_false(resync_crontab_fresh(&r, "carol", 1));
	assert_true(resync_crontab_fresh(&r, "bob", 0));     /* unknown: always */
	assert_true(resync_crontab_fresh(&r, "bob", 0));
	assert_false(resync_crontab_fresh(&r, "bob", 8));
	/* Many owners, in any order, keep their own generations. */
	char name[16];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "u%d", (i * 37) % 200);
		assert_true(resync_crontab_fresh(&r, name, 100 + i));
	}
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "u%d", (i * 37) % 200);
		assert_false(resync_crontab_fresh(&r, name, 100 + i));
		assert_true(resync_crontab_fresh(&r, name, 1000 + i));
	}
	resync_free(&r);
}

static void test_at_jobs_are_made_to_match_the_waiting_list(void **state)
{
	(void)state;
	char err[256];
	struct tz *z = tz_load("UTC", err, sizeof(err));
	assert_non_null(z);
	struct scheduler *s = scheduler_new(z, 0);
	assert_non_null(s);
	struct resync r;
	resync_init(&r);
	/* Armed here: 1 (still waiting), 2 (removed on another node), 3 (held
	 * back to a later instant, still waiting). */
	assert_int_equal(scheduler_add_at(s, 1, 'a', 0, 1000), 0);
	assert_int_equal(scheduler_add_at(s, 2, 'a', 0, 1000), 0);
	assert_int_equal(scheduler_add_at(s, 3, 'b', 0, 5000), 0);
	resync_at_mark(&r);
	/* Queued on this node after the mark, so maybe not in the list. */
	assert_int_equal(scheduler_add_at(s, 4, 'a', 0, 2000), 0);
	resync_at_added(&r, 4);
	struct resync_at list[] = { { 1, 'a', 1000, 0 }, { 3, 'b', 1500, 0 }, { 5, 'c', 900, 0 } };
	size_t added, removed;
	assert_int_equal(resync_at_apply(&r, s, list, 3, &added, &removed), 0);
	assert_int_equal(added, 1);
	assert_int_equal(removed, 1);
	assert_true(scheduler_has_at(s, 1));
	assert_false(scheduler_has_at(s, 2));
	assert_true(scheduler_has_at(s, 3));
	assert_true(scheduler_has_at(s, 4));
	assert_true(scheduler_has_at(s, 5));   /* queued on another node */
	assert_int_equal(scheduler_next_due(s), 900);   /* 3 kept its later instant */
	/* The mark ended: a job no longer listed goes at the next resync. */
	resync_at_mark(&r);
	assert_int_equal(resync_at_apply(&r, s, list, 3, &added, &removed), 0);
	assert_int_equal(added, 0);
	assert_int_equal(removed, 1);
	assert_false(scheduler_has_at(s, 4));
	/* Applying the same list again changes nothing. */
	assert_int_equal(resync_at_apply(&r, s, list, 3, &added, &removed), 0);
	assert_int_equal(added + removed, 0);
	/* An empty list disarms everything. */
	assert_int_equal(resync_at_apply(&r, s, NULL, 0, &added, &removed), 0);
	assert_int_equal(removed, 3);
	assert_int_equal(scheduler_next_due(s), INT64_MAX);
	resync_free(&r);
	scheduler_free(s);
	tz_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_crontab_change_is_applied_once_and_never_after_a_newer_one),
		cmocka_unit_test(test_at_jobs_are_made_to_match_the_waiting_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
