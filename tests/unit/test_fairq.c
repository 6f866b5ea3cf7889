/* tests/unit/test_fairq.c: the fair queue of runs waiting for job slots:
 * per-user shares, the system reserve, round-robin service, coalescing,
 * bounds on waiting runs, and its invariants after many random operations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crond/run/fairq.h"

#define MAXN 4096

struct item {
	struct fairq_node node;   /* first: a node pointer is an item pointer */
	char user[16];
	char key[32];
	enum fairq_class cls;
	int state;                /* 0 free, 1 waiting, 2 running */
};

struct pool {
	struct item items[MAXN];
};

static struct fairq_limits limits(uint32_t max, uint32_t reserved, uint32_t per_user,
                                  uint32_t wait_user, uint32_t wait_all)
{
	return (struct fairq_limits){ max, reserved, per_user, wait_user, wait_all };
}

static void check(const struct fairq *q)
{
	char why[256];
	if (!fairq_check(q, why, sizeof(why)))
		fail_msg("invariant broken: %s", why);
}

static struct item *item_for(struct pool *p, const char *user, enum fairq_class cls,
                             const char *key)
{
	for (size_t i = 0; i < MAXN; i++) {
		struct item *it = &p->items[i];
		if (it->state == 0) {
			snprintf(it->user, sizeof(it->user), "%s", user);
			snprintf(it->key, sizeof(it->key), "%s", key ? key : "");
			it->cls = cls;
			return it;
		}
	}
	fail_msg("pool exhausted");
	return NULL;
}

static enum fairq_verdict push(struct fairq *q, struct pool *p, const char *user,
                               enum fairq_class cls, const char *key)
{
	struct item *it = item_for(p, user, cls, key);
	enum fairq_verdict v = fairq_push(q, &it->node, it->user, cls, key ? it->key : NULL);
	if (v == FAIRQ_QUEUED)
		it->state = 1;
	check(q);
	return v;
}

/* The user of the next run to start ("" when none may). */
static const char *pop(struct fairq *q)
{
	struct fairq_node *n = fairq_pop(q);
	check(q);
	if (!n)
		return "";
	struct item *it = (struct item *)(void *)n;
	assert_int_equal(it->state, 1);
	it->state = 2;
	return it->user;
}

/* Ends one running run of USER. */
static void finish(struct fairq *q, struct pool *p, const char *user)
{
	for (size_t i = 0; i < MAXN; i++) {
		struct item *it = &p->items[i];
		if (it->state == 2 && strcmp(it->user, user) == 0) {
			fairq_release(q, &it->node);
			fairq_release(q, &it->node);   /* twice: harmless */
			it->state = 0;
			check(q);
			return;
		}
	}
	fail_msg("no running run of %s", user);
}

static void test_auto_limits_keep_a_reserve_and_a_quarter_share(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	struct fairq_limits l;
	fairq_limits_from_config(&cfg, &l);   /* max_jobs 256 */
	assert_int_equal(l.max_jobs, 256);
	assert_int_equal(l.reserved, 32);
	assert_int_equal(l.per_user, 56);
	assert_int_equal(l.waiting_per_user, 1000);
	assert_int_equal(l.max_waiting, 10000);
	cfg.max_jobs = 4;
	fairq_limits_from_config(&cfg, &l);
	assert_int_equal(l.reserved, 1);
	assert_int_equal(l.per_user, 1);
	cfg.max_jobs = 1;   /* nothing to reserve: the one slot is shared */
	fairq_limits_from_config(&cfg, &l);
	assert_int_equal(l.reserved, 0);
	assert_int_equal(l.per_user, 1);
	cfg.max_jobs = 10;   /* explicit values, clamped so users keep a slot */
	cfg.reserved_jobs = 50;
	cfg.max_jobs_per_user = 50;
	fairq_limits_from_config(&cfg, &l);
	assert_int_equal(l.reserved, 9);
	assert_int_equal(l.per_user, 1);
	cfg.reserved_jobs = 2;
	cfg.max_jobs_per_user = 3;
	fairq_limits_from_config(&cfg, &l);
	assert_int_equal(l.reserved, 2);
	assert_int_equal(l.per_user, 3);
}

static void test_one_user_cannot_take_the_slots_of_others(void **state)
{
	(void)state;
	struct pool *p = calloc(1, sizeof(*p));
	struct fairq q;
	struct fairq_limits l = limits(4, 1, 2, 100, 1000);
	assert_int_equal(fairq_init(&q, &l), 0);
	for (int i = 0; i < 10; i++) {
		char key[16];
		snprintf(key, sizeof(key), "e%d", i);
		assert_int_equal(push(&q, p, "mallory", FAIRQ_USER, key), FAIRQ_QUEUED);
	}
	assert_string_equal(pop(&q), "mallory");
	assert_string_equal(pop(&q), "mallory");
	assert_string_equal(pop(&q), "");   /* at her share */
	assert_int_equal(push(&q, p, "alice", FAIRQ_USER, "a"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "bob", FAIRQ_USER, "b"), FAIRQ_QUEUED);
	assert_string_equal(pop(&q), "alice");
	assert_string_equal(pop(&q), "");   /* the last slot is the system's */
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "r"), FAIRQ_QUEUED);
	assert_string_equal(pop(&q), "root");
	assert_int_equal(fairq_running(&q), 4);
	assert_int_equal(fairq_user_running(&q, "mallory", FAIRQ_USER), 2);
	/* A slot freed by mallory goes to bob, who waited, not to her. */
	finish(&q, p, "mallory");
	assert_string_equal(pop(&q), "bob");
	finish(&q, p, "alice");
	assert_string_equal(pop(&q), "mallory");
	struct fairq_node *left = fairq_take_if(&q, NULL, NULL);
	int n = 0;
	for (; left; left = left->next)
		n++;
	assert_int_equal(n, 7);
	assert_int_equal(fairq_waiting(&q), 0);
	check(&q);
	fairq_free(&q);
	free(p);
}

static void test_system_runs_go_first_and_may_use_every_slot(void **state)
{
	(void)state;
	struct pool *p = calloc(1, sizeof(*p));
	struct fairq q;
	struct fairq_limits l = limits(3, 1, 3, 100, 1000);
	assert_int_equal(fairq_init(&q, &l), 0);
	assert_int_equal(push(&q, p, "alice", FAIRQ_USER, "a1"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "alice", FAIRQ_USER, "a2"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "s1"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "backup", FAIRQ_SYSTEM, "s2"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "s3"), FAIRQ_QUEUED);
	assert_string_equal(pop(&q), "root");
	assert_string_equal(pop(&q), "backup");
	assert_string_equal(pop(&q), "root");
	assert_string_equal(pop(&q), "");
	finish(&q, p, "root");
	assert_string_equal(pop(&q), "alice");
	finish(&q, p, "root");
	assert_string_equal(pop(&q), "alice");
	fairq_free(&q);
	free(p);
}

static void test_users_are_served_round_robin(void **state)
{
	(void)state;
	struct pool *p = calloc(1, sizeof(*p));
	struct fairq q;
	struct fairq_limits l = limits(100, 0, 100, 100, 1000);
	assert_int_equal(fairq_init(&q, &l), 0);
	for (int i = 0; i < 3; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		push(&q, p, "alice", FAIRQ_USER, key);
		push(&q, p, "bob", FAIRQ_USER, key);
	}
	push(&q, p, "carol", FAIRQ_USER, "c");
	char order[64] = "";
	for (int i = 0; i < 7; i++)
		strncat(order, pop(&q), 1);
	assert_string_equal(order, "abcabab");
	assert_string_equal(pop(&q), "");
	fairq_free(&q);
	free(p);
}

static void test_a_run_of_an_entry_still_waiting_is_coalesced(void **state)
{
	(void)state;
	struct pool *p = calloc(1, sizeof(*p));
	struct fairq q;
	struct fairq_limits l = limits(1, 0, 1, 100, 1000);
	assert_int_equal(fairq_init(&q, &l), 0);
	assert_int_equal(push(&q, p, "alice", FAIRQ_USER, "every-minute"), FAIRQ_QUEUED);
	assert_string_equal(pop(&q), "alice");
	/* Running does not count: one run may wait behind a running one. */
	assert_int_equal(push(&q, p, "alice", FAIRQ_USER, "every-minute"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "alice", FAIRQ_USER, "every-minute"), FAIRQ_COALESCED);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "sys"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "sys"), FAIRQ_COALESCED);
	/* Keys are per user: bob's entry of the same key is his own. */
	assert_int_equal(push(&q, p, "bob", FAIRQ_USER, "every-minute"), FAIRQ_QUEUED);
	/* No key (at jobs): never coalesced. */
	assert_int_equal(push(&q, p, "bob", FAIRQ_USER, NULL), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "bob", FAIRQ_USER, NULL), FAIRQ_QUEUED);
	assert_int_equal(fairq_waiting(&q), 5);
	fairq_take_if(&q, NULL, NULL);
	fairq_free(&q);
	free(p);
}

static void test_waiting_runs_are_bounded_per_user_and_in_all(void **state)
{
	(void)state;
	struct pool *p = calloc(1, sizeof(*p));
	struct fairq q;
	/* 16 in all: users may fill 14 (16 - 16/8), the system the rest. */
	struct fairq_limits l = limits(1, 0, 1, 5, 16);
	assert_int_equal(fairq_init(&q, &l), 0);
	const char *users[] = { "u1", "u2", "u3", "u4" };
	int queued = 0, user_full = 0, full = 0;
	for (int u = 0; u < 4; u++) {
		for (int i = 0; i < 6; i++) {
			char key[16];
			snprintf(key, sizeof(key), "k%d", i);
			enum fairq_verdict v = push(&q, p, users[u], FAIRQ_USER, key);
			queued += v == FAIRQ_QUEUED;
			user_full += v == FAIRQ_USER_FULL;
			full += v == FAIRQ_FULL;
		}
	}
	assert_int_equal(queued, 14);
	assert_int_equal(user_full, 2);   /* the 6th of u1 and u2 */
	assert_int_equal(full, 8);        /* u3 after 4, and all of u4 */
	assert_int_equal(fairq_user_waiting(&q, "u1", FAIRQ_USER), 5);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "s1"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "s2"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "s3"), FAIRQ_FULL);
	assert_int_equal(fairq_waiting(&q), 16);
	fairq_take_if(&q, NULL, NULL);
	fairq_free(&q);
	free(p);
}

static bool key_is_odd(const struct fairq_node *n, void *ctx)
{
	(void)ctx;
	return n->key && (n->key[strlen(n->key) - 1] - '0') % 2 == 1;
}

static void test_take_if_removes_only_the_runs_asked_for(void **state)
{
	(void)state;
	struct pool *p = calloc(1, sizeof(*p));
	struct fairq q;
	struct fairq_limits l = limits(1, 0, 1, 100, 1000);
	assert_int_equal(fairq_init(&q, &l), 0);
	for (int i = 0; i < 6; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		push(&q, p, i < 3 ? "alice" : "bob", FAIRQ_USER, key);
		push(&q, p, "root", FAIRQ_SYSTEM, key);
	}
	struct fairq_node *gone = fairq_take_if(&q, key_is_odd, NULL);
	check(&q);
	int n = 0;
	for (; gone; gone = gone->next, n++)
		assert_true(key_is_odd(gone, NULL));
	assert_int_equal(n, 6);
	assert_int_equal(fairq_waiting(&q), 6);
	/* The survivors keep their order. */
	assert_string_equal(pop(&q), "root");
	fairq_take_if(&q, NULL, NULL);
	fairq_free(&q);
	free(p);
}

/* Whether some waiting run may start now (what fairq_pop must not miss). */
static bool something_may_start(const struct fairq *q, const struct pool *p)
{
	if (fairq_running(q) >= q->lim.max_jobs)
		return false;
	size_t user_running = 0;
	for (size_t i = 0; i < MAXN; i++)
		if (p->items[i].state == 2 && p->items[i].cls == FAIRQ_USER)
			user_running++;
	for (size_t i = 0; i < MAXN; i++) {
		const struct item *it = &p->items[i];
		if (it->state != 1)
			continue;
		if (it->cls == FAIRQ_SYSTEM)
			return true;
		if (user_running < q->lim.max_jobs - q->lim.reserved &&
		    fairq_user_running(q, it->user, FAIRQ_USER) < q->lim.per_user)
			return true;
	}
	return false;
}

/* A burst: thousands of runs of different entries wait at once, as when
 * 10,000 entries are due in the same minute. Each is queued (the index of
 * waiting keys grows under them), a second run of each is coalesced, and
 * the index stays right as runs leave from the head and from the middle. */
static void test_a_burst_of_different_entries_waits_and_coalesces(void **state)
{
	(void)state;
	struct pool *p = calloc(1, sizeof(*p));
	struct fairq q;
	enum { N = 3000 };
	struct fairq_limits l = limits(1, 0, 1, N, N + N / 7 + 8);
	assert_int_equal(fairq_init(&q, &l), 0);
	char key[32];
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "e%d", i);
		assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, key), FAIRQ_QUEUED);
	}
	for (int i = 0; i < N; i += 7) {
		snprintf(key, sizeof(key), "e%d", i);
		assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, key), FAIRQ_COALESCED);
	}
	/* the first 100 start (from the head), every odd-numbered key leaves */
	for (int i = 0; i < 100; i++)
		assert_string_equal(pop(&q), i == 0 ? "root" : "");
	struct fairq_node *gone = fairq_take_if(&q, key_is_odd, NULL);
	size_t n_gone = 0;
	for (; gone; gone = gone->next, n_gone++)
		((struct item *)(void *)gone)->state = 0;
	assert_int_equal(n_gone, N / 2);
	check(&q);
	assert_int_equal(fairq_waiting(&q), N - 1 - N / 2);
	/* a key that left may wait again; one still waiting is coalesced */
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "e1"), FAIRQ_QUEUED);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "e2"), FAIRQ_COALESCED);
	assert_int_equal(push(&q, p, "root", FAIRQ_SYSTEM, "e0"), FAIRQ_QUEUED);   /* e0 runs */
	struct fairq_node *left = fairq_take_if(&q, NULL, NULL);
	for (; left; left = left->next)
		((struct item *)(void *)left)->state = 0;
	check(&q);
	assert_int_equal(q.keys.used, 0);
	assert_int_equal(q.keys.cap, 0);   /* the burst's index was given back */
	fairq_free(&q);
	free(p);
}

static void check_shares(const struct fairq *q, const struct pool *p)
{
	size_t running = 0, user_running = 0;
	for (size_t i = 0; i < MAXN; i++) {
		const struct item *it = &p->items[i];
		if (it->state != 2)
			continue;
		running++;
		if (it->cls == FAIRQ_USER) {
			user_running++;
			assert_true(fairq_user_running(q, it->user, FAIRQ_USER) <= q->lim.per_user);
		}
	}
	assert_int_equal(running, fairq_running(q));
	assert_true(running <= q->lim.max_jobs);
	assert_true(user_running <= q->lim.max_jobs - q->lim.reserved);
}

static void test_invariants_hold_after_many_random_operations(void **state)
{
	(void)state;
	struct pool *p = calloc(1, sizeof(*p));
	struct fairq q;
	struct fairq_limits l = limits(8, 2, 3, 20, 200);
	assert_int_equal(fairq_init(&q, &l), 0);
	srand(12345);
	const char *users[] = { "root", "alice", "bob", "carol", "dave", "eve" };
	size_t pops = 0, refusals = 0;
	for (int step = 0; step < 200000; step++) {
		int op = rand() % 100;
		if (op < 45) {
			int u = rand() % 6;
			char key[16];
			snprintf(key, sizeof(key), "e%d", rand() % 30);
			enum fairq_class cls = u == 0 ? FAIRQ_SYSTEM : FAIRQ_USER;
			enum fairq_verdict v = push(&q, p, users[u], cls, rand() % 10 ? key : NULL);
			refusals += v != FAIRQ_QUEUED;
		} else if (op < 75) {
			bool expect = something_may_start(&q, p);
			const char *who = pop(&q);
			assert_int_equal(who[0] != '\0', expect);
			pops += who[0] != '\0';
		} else if (op < 97) {
			size_t start = (size_t)rand() % MAXN;
			for (size_t i = 0; i < MAXN; i++) {
				struct item *it = &p->items[(start + i) % MAXN];
				if (it->state == 2) {
					fairq_release(&q, &it->node);
					it->state = 0;
					break;
				}
			}
		} else {
			struct fairq_node *gone = fairq_take_if(&q, key_is_odd, NULL);
			for (; gone; gone = gone->next)
				((struct item *)(void *)gone)->state = 0;
		}
		check(&q);
		check_shares(&q, p);
	}
	assert_true(pops > 1000);
	assert_true(refusals > 100);
	struct fairq_node *left = fairq_take_if(&q, NULL, NULL);
	for (; left; left = left->next)
		((struct item *)(void *)left)->state = 0;
	for (size_t i = 0; i < MAXN; i++)
		if (p->items[i].state == 2)
			fairq_release(&q, &p->items[i].node);
	assert_int_equal(q.n_users, 0);   /* idle users are forgotten */
	check(&q);
	fairq_free(&q);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_limits_keep_a_reserve_and_a_quarter_share),
		cmocka_unit_test(test_one_user_cannot_take_the_slots_of_others),
		cmocka_unit_test(test_system_runs_go_first_and_may_use_every_slot),
		cmocka_unit_test(test_users_are_served_round_robin),
		cmocka_unit_test(test_a_run_of_an_entry_still_waiting_is_coalesced),
		cmocka_unit_test(test_a_burst_of_different_entries_waits_and_coalesces),
		cmocka_unit_test(test_waiting_runs_are_bounded_per_user_and_in_all),
		cmocka_unit_test(test_take_if_removes_only_the_runs_asked_for),
		cmocka_unit_test(test_invariants_hold_after_many_random_operations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
