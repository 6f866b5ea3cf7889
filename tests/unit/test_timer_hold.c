/* tests/unit/test_timer_hold.c: an owner whose crontab change cost the
 * timer dear is held: its next messages (changes, runs by hand of its
 * crontab) wait in their order until its time is over, a held change
 * replaces an earlier one after the last run by hand, and everything else
 * (other owners, at jobs, root) goes ahead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crond/sched/timer_hold.h"

#define MS (INT64_C(1000000))

static int freed;

static void free_msg(struct timer_msg *m)
{
	free(m->owner);
	free(m->source);
	free(m);
	freed++;
}

/* "S:alice" (set), "R:alice" (remove), "U:alice" (run by hand of alice's
 * crontab), "U:/etc/crontab", "A" (an at job); LINE numbers a run. */
static struct timer_msg *msg(const char *w, uint32_t line)
{
	struct timer_msg *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	switch (w[0]) {
	case 'S': m->kind = TIMER_SET_CRONTAB; break;
	case 'R': m->kind = TIMER_REMOVE_CRONTAB; break;
	case 'U': m->kind = TIMER_RUN; break;
	default: m->kind = TIMER_AT_ADD; break;
	}
	if (m->kind == TIMER_RUN) {
		char src[64];
		snprintf(src, sizeof(src), "%s%s", w[2] == '/' ? "" : "user:", w + 2);
		m->source = strdup(src);
	} else if (w[1] == ':') {
		m->owner = strdup(w + 2);
	}
	m->line = line;
	return m;
}

/* M kept by H at MONO (true), or the caller's (false, and freed here). */
static bool keep(struct timer_holds *h, struct timer_msg *m, int64_t mono)
{
	struct timer_msg *replaced;
	bool kept = timer_holds_keep(h, m, mono, &replaced);
	if (replaced)
		free_msg(replaced);
	if (!kept)
		free_msg(m);
	return kept;
}

static void test_cheap_changes_and_root_are_never_held(void **state)
{
	(void)state;
	struct timer_holds h;
	timer_holds_init(&h);
	assert_int_equal(timer_holds_charge(&h, "alice", TIMER_HOLD_MIN_NS - 1, 0), 0);
	assert_int_equal(timer_holds_charge(&h, "root", 5000 * MS, 0), 0);
	assert_false(keep(&h, msg("S:alice", 0), 1));
	assert_false(keep(&h, msg("S:root", 0), 1));
	assert_int_equal(timer_holds_next_at(&h), INT64_MAX);
	timer_holds_free(&h, free_msg);
}

static void test_a_dear_change_holds_its_owner_only(void **state)
{
	(void)state;
	struct timer_holds h;
	timer_holds_init(&h);
	/* 1 s of the timer: held 20 s */
	assert_int_equal(timer_holds_charge(&h, "alice", 1000 * MS, 0), 20000 * MS);
	assert_true(keep(&h, msg("S:alice", 0), 10 * MS));
	assert_true(keep(&h, msg("U:alice", 7), 11 * MS));
	assert_false(keep(&h, msg("S:bob", 0), 12 * MS));           /* another owner */
	assert_false(keep(&h, msg("A", 0), 12 * MS));               /* an at job */
	assert_false(keep(&h, msg("U:/etc/crontab", 3), 12 * MS));  /* a system file's */
	assert_int_equal(timer_holds_count(&h), 2);
	assert_int_equal(timer_holds_next_at(&h), 20000 * MS);
	assert_null(timer_holds_next(&h, 19999 * MS));
	/* its time over: in order, the change then the run */
	struct timer_msg *m = timer_holds_next(&h, 20000 * MS);
	assert_non_null(m);
	assert_int_equal(m->kind, TIMER_SET_CRONTAB);
	free_msg(m);
	m = timer_holds_next(&h, 20000 * MS);
	assert_non_null(m);
	assert_int_equal(m->kind, TIMER_RUN);
	assert_int_equal(m->line, 7);
	free_msg(m);
	assert_null(timer_holds_next(&h, 20000 * MS));
	/* nothing held and the time over: the next goes through */
	assert_false(keep(&h, msg("S:alice", 0), 20001 * MS));
	timer_holds_free(&h, free_msg);
}

static void test_a_change_applied_after_a_hold_charges_again(void **state)
{
	(void)state;
	struct timer_holds h;
	timer_holds_init(&h);
	timer_holds_charge(&h, "alice", 100 * MS, 0);   /* held 2 s */
	assert_true(keep(&h, msg("S:alice", 0), 1 * MS));
	assert_true(keep(&h, msg("U:alice", 1), 2 * MS));
	struct timer_msg *m = timer_holds_next(&h, 2000 * MS);
	assert_int_equal(m->kind, TIMER_SET_CRONTAB);
	free_msg(m);
	/* the caller applied it: it cost as much again, the run waits */
	timer_holds_charge(&h, "alice", 100 * MS, 2000 * MS);
	assert_null(timer_holds_next(&h, 2001 * MS));
	assert_int_equal(timer_holds_next_at(&h), 4000 * MS);
	m = timer_holds_next(&h, 4000 * MS);
	assert_int_equal(m->kind, TIMER_RUN);
	free_msg(m);
	timer_holds_free(&h, free_msg);
}

static void test_a_held_change_replaces_the_one_after_the_last_run(void **state)
{
	(void)state;
	struct timer_holds h;
	timer_holds_init(&h);
	timer_holds_charge(&h, "alice", 1000 * MS, 0);
	freed = 0;
	/* S1 U S2 S3 R4: S1 stays (the run names its crontab), S2 and S3
	 * go, each replaced by the next */
	assert_true(keep(&h, msg("S:alice", 0), 1));
	assert_true(keep(&h, msg("U:alice", 1), 1));
	assert_true(keep(&h, msg("S:alice", 0), 1));
	assert_true(keep(&h, msg("S:alice", 0), 1));
	assert_true(keep(&h, msg("R:alice", 0), 1));
	assert_int_equal(freed, 2);
	assert_int_equal(timer_holds_count(&h), 3);
	int64_t t = 20000 * MS;
	enum timer_msg_kind want[3] = { TIMER_SET_CRONTAB, TIMER_RUN, TIMER_REMOVE_CRONTAB };
	for (int i = 0; i < 3; i++) {
		struct timer_msg *m = timer_holds_next(&h, t);
		assert_non_null(m);
		assert_int_equal(m->kind, want[i]);
		free_msg(m);
	}
	timer_holds_free(&h, free_msg);
}

static void test_holds_are_bounded_and_freed(void **state)
{
	(void)state;
	struct timer_holds h;
	timer_holds_init(&h);
	/* the longest hold is TIMER_HOLD_MAX_NS, however dear the change */
	assert_int_equal(timer_holds_charge(&h, "alice", 3600 * 1000 * MS, 0), TIMER_HOLD_MAX_NS);
	freed = 0;
	assert_true(keep(&h, msg("S:alice", 0), 1));
	assert_true(keep(&h, msg("U:alice", 2), 1));
	timer_holds_free(&h, free_msg);   /* at stop: every held message freed */
	assert_int_equal(freed, 2);
}

static void test_roots_change_drops_what_its_owner_had_held(void **state)
{
	(void)state;
	struct timer_holds h;
	timer_holds_init(&h);
	timer_holds_charge(&h, "alice", 1000 * MS, 0);
	timer_holds_charge(&h, "bob", 1000 * MS, 0);
	freed = 0;
	assert_true(keep(&h, msg("S:alice", 0), 1));
	assert_true(keep(&h, msg("U:alice", 1), 1));
	assert_true(keep(&h, msg("S:bob", 0), 1));
	timer_holds_drop(&h, "alice", free_msg);
	assert_int_equal(freed, 2);
	assert_int_equal(timer_holds_count(&h), 1);   /* bob's stays */
	assert_false(keep(&h, msg("S:alice", 0), 2));  /* alice no longer held */
	timer_holds_free(&h, free_msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cheap_changes_and_root_are_never_held),
		cmocka_unit_test(test_a_dear_change_holds_its_owner_only),
		cmocka_unit_test(test_a_change_applied_after_a_hold_charges_again),
		cmocka_unit_test(test_a_held_change_replaces_the_one_after_the_last_run),
		cmocka_unit_test(test_holds_are_bounded_and_freed),
		cmocka_unit_test(test_roots_change_drops_what_its_owner_had_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
