/* crond/mailbox.h: a locked queue plus an eventfd, the way threads hand
 * each other work.
 *
 * DESIGN: any thread posts; exactly one thread (the owner) takes. The
 * owner polls the eventfd and, when it is readable, takes everything queued
 * at once. Items are caller structs whose first member is a struct
 * mailbox_item; posting hands the item's ownership to the owner. The lock
 * guards only the list and is never held while doing anything else.
 */
#ifndef CROND_MAILBOX_H
#define CROND_MAILBOX_H

#include <pthread.h>
#include <stddef.h>

struct mailbox_item {
	struct mailbox_item *next;
};

struct mailbox {
	pthread_mutex_t lock;
	struct mailbox_item *head, *tail;
	size_t count;
	int efd;   /* eventfd, EFD_CLOEXEC|EFD_NONBLOCK: readable when items wait */
};

/* Returns 0, or -1 with errno (eventfd failed). */
int mailbox_init(struct mailbox *mb);
/* Frees the eventfd; items still queued are returned through FREE_ITEM. */
void mailbox_destroy(struct mailbox *mb, void (*free_item)(struct mailbox_item *));

/* Queues ITEM (taking ownership) and wakes the owner. Never fails. */
void mailbox_post(struct mailbox *mb, struct mailbox_item *item);

/* Queues the list FIRST..LAST (linked through ->next) at once, so the owner
 * takes all of it in one mailbox_take_all or none of it (the runs due at
 * one instant are admitted together: a system run is not beaten to the
 * last free slot by a user run posted just before it). Never fails; an
 * empty list (FIRST NULL) does nothing. */
void mailbox_post_list(struct mailbox *mb, struct mailbox_item *first, struct mailbox_item *last);

/* How a queued item stands to one being posted (mailbox_post_replacing). */
enum mailbox_relation {
	MAILBOX_UNRELATED,   /* neither replaces the other */
	MAILBOX_REPLACES,    /* the new item makes the queued one pointless */
	MAILBOX_BARRIER,     /* the queued item needs every earlier one the new
	                        item would replace to stay as it is */
};

/* Queues ITEM as mailbox_post does, unless a queued item RELATION says it
 * replaces, with no barrier queued after that one: ITEM then takes that
 * item's place in the queue (the newest such), and the replaced item is
 * returned for the caller to free, outside the lock; else NULL. RELATION
 * runs under the lock, once per queued item: it must be cheap. Bounds what
 * waits for a busy owner to one item per kind of change, however fast they
 * are posted. */
struct mailbox_item *mailbox_post_replacing(struct mailbox *mb, struct mailbox_item *item,
                                            enum mailbox_relation (*relation)(
                                                const struct mailbox_item *item,
                                                const struct mailbox_item *queued));

/* Takes every queued item, oldest first, as a list; clears the eventfd. */
struct mailbox_item *mailbox_take_all(struct mailbox *mb);

/* Items queued now (for status lines). */
size_t mailbox_count(struct mailbox *mb);

#endif
