/* crond/mailbox.c: locked queue with an eventfd (see mailbox.h). */
#include "crond/mailbox.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

int mailbox_init(struct mailbox *mb)
{
	mb->head = mb->tail = NULL;
	mb->count = 0;
	mb->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (mb->efd < 0)
		return -1;
	int rc = pthread_mutex_init(&mb->lock, NULL);
	if (rc != 0) {
		close(mb->efd);
		errno = rc;
		return -1;
	}
	return 0;
}

void mailbox_destroy(struct mailbox *mb, void (*free_item)(struct mailbox_item *))
{
	struct mailbox_item *it = mailbox_take_all(mb);
	while (it) {
		struct mailbox_item *next = it->next;
		if (free_item)
			free_item(it);
		it = next;
	}
	close(mb->efd);
	pthread_mutex_destroy(&mb->lock);
}

void mailbox_post_list(struct mailbox *mb, struct mailbox_item *first, struct mailbox_item *last)
{
	if (!first)
		return;
	size_t n = 1;
	for (const struct mailbox_item *it = first; it != last; it = it->next)
		n++;
	last->next = NULL;
	pthread_mutex_lock(&mb->lock);
	if (mb->tail)
		mb->tail->next = first;
	else
		mb->head = first;
	mb->tail = last;
	mb->count += n;
	pthread_mutex_unlock(&mb->lock);
	uint64_t one = 1;
	/* Only fails if the counter would overflow, which means the owner is
	 * already certain to wake. */
	ssize_t w = write(mb->efd, &one, sizeof(one));
	(void)w;
}

void mailbox_post(struct mailbox *mb, struct mailbox_item *item)
{
	mailbox_post_list(mb, item, item);
}

struct mailbox_item *mailbox_post_replacing(struct mailbox *mb, struct mailbox_item *item,
                                            enum mailbox_relation (*relation)(
                                                const struct mailbox_item *item,
                                                const struct mailbox_item *queued))
{
	pthread_mutex_lock(&mb->lock);
	struct mailbox_item *prev = NULL, *found = NULL, *found_prev = NULL;
	for (struct mailbox_item *q = mb->head; q; prev = q, q = q->next) {
		enum mailbox_relation r = relation(item, q);
		if (r == MAILBOX_REPLACES) {
			found = q;
			found_prev = prev;
		} else if (r == MAILBOX_BARRIER) {
			found = NULL;
		}
	}
	if (found) {
		item->next = found->next;
		if (found_prev)
			found_prev->next = item;
		else
			mb->head = item;
		if (mb->tail == found)
			mb->tail = item;
		found->next = NULL;
	}
	pthread_mutex_unlock(&mb->lock);
	if (!found)
		mailbox_post(mb, item);
	return found;
}

struct mailbox_item *mailbox_take_all(struct mailbox *mb)
{
	uint64_t v;
	ssize_t r = read(mb->efd, &v, sizeof(v));
	(void)r;  /* EAGAIN when nothing was signalled: fine */
	pthread_mutex_lock(&mb->lock);
	struct mailbox_item *list = mb->head;
	mb->head = mb->tail = NULL;
	mb->count = 0;
	pthread_mutex_unlock(&mb->lock);
	return list;
}

size_t mailbox_count(struct mailbox *mb)
{
	pthread_mutex_lock(&mb->lock);
	size_t n = mb->count;
	pthread_mutex_unlock(&mb->lock);
	return n;
}
