/* tests/unit/test_timer_batch.c: the crontab changes of a batch that a
 * later change of the same owner replaces are dropped; other owners'
 * changes, other messages, and a change before a crontab --run of the same
 * owner are kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "crond/sched/timer_batch.h"

/* A batch described as "S:alice R:bob A U:carol" (Set, Remove, At add, rUn). */
struct batch {
	struct timer_msg m[32];
	struct timer_msg *v[32];
	char owners[32][32];
	bool drop[32];
	size_t n;
};

static void make(struct batch *b, const char *spec)
{
	memset(b, 0, sizeof(*b));
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", spec);
	for (char *w = strtok(copy, " "); w; w = strtok(NULL, " ")) {
		struct timer_msg *m = &b->m[b->n];
		switch (w[0]) {
		case 'S': m->kind = TIMER_SET_CRONTAB; break;
		case 'R': m->kind = TIMER_REMOVE_CRONTAB; break;
		case 'U': m->kind = TIMER_RUN; break;
		default: m->kind = TIMER_AT_ADD; break;
		}
		if (w[1] == ':' && m->kind == TIMER_RUN) {
			/* U:carol runs a line of carol's crontab, U:/etc/crontab of that file */
			snprintf(b->owners[b->n], sizeof(b->owners[0]), "%s%s",
			         w[2] == '/' ? "" : "user:", w + 2);
			m->source = b->owners[b->n];
		} else if (w[1] == ':') {
			snprintf(b->owners[b->n], sizeof(b->owners[0]), "%s", w + 2);
			m->owner = b->owners[b->n];
		}
		b->v[b->n] = m;
		b->n++;
	}
}

/* "k" for each message kept, "d" for each dropped. */
static const char *verdict(struct batch *b, size_t *dropped)
{
	static char out[33];
	*dropped = timer_batch_superseded(b->v, b->n, b->drop);
	for (size_t i = 0; i < b->n; i++)
		out[i] = b->drop[i] ? 'd' : 'k';
	out[b->n] = '\0';
	return out;
}

static void expect(const char *spec, const char *want, size_t want_dropped)
{
	struct batch b;
	size_t dropped;
	make(&b, spec);
	assert_string_equal(verdict(&b, &dropped), want);
	assert_int_equal(dropped, want_dropped);
}

static void test_only_an_owners_newest_change_is_kept(void **state)
{
	(void)state;
	expect("S:alice S:alice S:alice", "ddk", 2);
	expect("S:alice R:alice", "dk", 1);
	expect("R:alice S:alice", "dk", 1);
}

static void test_other_owners_and_other_messages_are_kept(void **state)
{
	(void)state;
	expect("S:alice S:bob A S:alice A S:bob", "ddkkkk", 2);
	expect("A A A", "kkk", 0);
	expect("S:alice", "k", 0);
	expect("", "", 0);
}

static void test_a_run_by_hand_keeps_the_change_before_it(void **state)
{
	(void)state;
	/* the run names a line of the crontab as the first change made it */
	expect("S:alice U:alice S:alice", "kkk", 0);
	expect("S:alice S:alice U:alice S:alice S:alice", "dkkdk", 2);
}

static void test_a_run_by_hand_keeps_other_owners_bound(void **state)
{
	(void)state;
	/* bob's runs by hand in a loop do not keep alice's replaced changes */
	expect("S:alice U:bob S:alice U:bob S:alice", "dkdkk", 2);
	expect("S:bob S:alice U:bob S:alice S:bob", "kdkkk", 1);
	/* nor does a run of a system crontab */
	expect("S:alice U:/etc/crontab S:alice", "dkk", 1);
}

/* Posts the messages of SPEC one by one as timer_post.c does (changes
 * through mailbox_post_replacing) and returns the queue as the indexes of
 * the messages in it, "-" for each replaced one. */
static const char *queued(struct batch *b, const char *spec)
{
	static char out[64];
	char replaced[33] = { 0 };
	make(b, spec);
	struct mailbox mb;
	assert_int_equal(mailbox_init(&mb), 0);
	for (size_t i = 0; i < b->n; i++) {
		struct timer_msg *m = b->v[i];
		if (m->kind != TIMER_SET_CRONTAB && m->kind != TIMER_REMOVE_CRONTAB) {
			mailbox_post(&mb, &m->link);
			continue;
		}
		struct mailbox_item *old = mailbox_post_replacing(&mb, &m->link, timer_batch_relation);
		if (old)
			replaced[(struct timer_msg *)(void *)old - b->m] = 1;
	}
	size_t n = 0;
	for (struct mailbox_item *p = mailbox_take_all(&mb); p; p = p->next)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%zu", n ? " " : "",
		                      (size_t)((struct timer_msg *)(void *)p - b->m));
	for (size_t i = 0; i < b->n; i++)
		if (replaced[i])
			n += (size_t)snprintf(out + n, sizeof(out) - n, " -%zu", i);
	mailbox_destroy(&mb, NULL);
	return out;
}

/* A change posted while another of the same owner waits takes its place:
 * however fast a user installs, one of their crontabs waits for the timer,
 * not one per install; other owners, other messages and a run by hand (a
 * barrier) stay as they are. */
static void test_a_change_posted_replaces_the_owners_waiting_one(void **state)
{
	(void)state;
	struct batch b;
	assert_string_equal(queued(&b, "S:alice A S:alice S:alice"), "3 1 -0 -2");
	assert_string_equal(queued(&b, "S:alice S:bob R:alice"), "2 1 -0");
	assert_string_equal(queued(&b, "S:alice U:alice S:alice"), "0 1 2");
	assert_string_equal(queued(&b, "S:alice U:bob S:alice"), "2 1 -0");
	assert_string_equal(queued(&b, "S:alice U:alice S:alice S:alice"), "0 1 3 -2");
	/* an older generation posted late does not replace a newer one, and
	 * the batch keeps the newer */
	make(&b, "S:alice S:alice");
	struct mailbox mb;
	assert_int_equal(mailbox_init(&mb), 0);
	b.m[0].generation = 9;
	b.m[1].generation = 8;
	mailbox_post(&mb, &b.m[0].link);
	assert_null(mailbox_post_replacing(&mb, &b.m[1].link, timer_batch_relation));
	assert_int_equal(mailbox_count(&mb), 2);
	(void)mailbox_take_all(&mb);
	mailbox_destroy(&mb, NULL);
	size_t dropped;
	assert_string_equal(verdict(&b, &dropped), "kd");   /* generation 9 kept */
	b.m[1].generation = 0;   /* unknown: the later wins */
	assert_string_equal(verdict(&b, &dropped), "dk");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_an_owners_newest_change_is_kept),
		cmocka_unit_test(test_other_owners_and_other_messages_are_kept),
		cmocka_unit_test(test_a_run_by_hand_keeps_the_change_before_it),
		cmocka_unit_test(test_a_run_by_hand_keeps_other_owners_bound),
		cmocka_unit_test(test_a_change_posted_replaces_the_owners_waiting_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
