/* tests/unit/test_mailbox.c: the locked queue threads hand work through.
 *
 * THREADED TEST: a producer posts lists while the owner takes; a list
 * posted at once (the runs due at one instant) is never taken in parts.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "crond/mailbox.h"

#define BATCH 16
#define BATCHES 2000

struct item {
	struct mailbox_item link;   /* first */
	unsigned seq;               /* position in its batch */
};

static void test_items_come_out_in_the_order_they_were_posted(void **state)
{
	(void)state;
	struct mailbox mb;
	assert_int_equal(mailbox_init(&mb), 0);
	struct item it[5];
	for (unsigned i = 0; i < 5; i++)
		it[i].seq = i;
	mailbox_post(&mb, &it[0].link);
	it[1].link.next = &it[2].link;
	it[2].link.next = &it[3].link;
	mailbox_post_list(&mb, &it[1].link, &it[3].link);
	mailbox_post_list(&mb, NULL, NULL);   /* nothing */
	mailbox_post(&mb, &it[4].link);
	assert_int_equal(mailbox_count(&mb), 5);
	unsigned n = 0;
	for (struct mailbox_item *p = mailbox_take_all(&mb); p; p = p->next, n++)
		assert_int_equal(((struct item *)(void *)p)->seq, n);
	assert_int_equal(n, 5);
	assert_int_equal(mailbox_count(&mb), 0);
	assert_null(mailbox_take_all(&mb));
	mailbox_destroy(&mb, NULL);
}

static void *produce(void *arg)
{
	struct mailbox *mb = arg;
	for (unsigned b = 0; b < BATCHES; b++) {
		struct item *v = calloc(BATCH, sizeof(*v));
		if (!v)
			abort();
		for (unsigned i = 0; i < BATCH; i++) {
			v[i].seq = i;
			v[i].link.next = i + 1 < BATCH ? &v[i + 1].link : NULL;
		}
		mailbox_post_list(mb, &v[0].link, &v[BATCH - 1].link);
	}
	return NULL;
}

static void test_a_list_posted_at_once_is_taken_whole(void **state)
{
	(void)state;
	struct mailbox mb;
	assert_int_equal(mailbox_init(&mb), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, produce, &mb), 0);
	unsigned taken = 0, takes = 0;
	bool split = false;
	while (taken < BATCH * BATCHES) {
		struct mailbox_item *p = mailbox_take_all(&mb);
		if (!p)
			continue;
		takes++;
		for (unsigned i = 0; p; i++) {
			struct item *it = (struct item *)(void *)p;
			p = p->next;
			split |= it->seq != i % BATCH;
			if (it->seq == BATCH - 1)
				free(it - it->seq);   /* the batch's last item: all of it read */
			taken++;
		}
	}
	pthread_join(t, NULL);
	if (split)
		fail_msg("a batch was taken in parts (%u takes)", takes);
	assert_int_equal(taken, BATCH * BATCHES);
	mailbox_destroy(&mb, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items_come_out_in_the_order_they_were_posted),
		cmocka_unit_test(test_a_list_posted_at_once_is_taken_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
