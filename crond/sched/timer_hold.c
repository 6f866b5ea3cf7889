/* crond/sched/timer_hold.c: owners whose crontab changes cost the timer
 * dear wait their turn (the contract is in timer_hold.h).
 *
 * A list of holds, each an owner, the instant its time is over, and its
 * held messages in order (linked through their mailbox link).
 */
#include "crond/sched/timer_hold.h"

#include <stdlib.h>
#include <string.h>

#include "crond/sched/timer_batch.h"
#include "lib/source_name.h"

struct timer_hold {
	struct timer_hold *next;
	int64_t until;                  /* monotonic ns */
	struct mailbox_item *head, *tail;
	size_t n;
	char owner[];
};

void timer_holds_init(struct timer_holds *h)
{
	h->list = NULL;
}

/* Frees O and the messages it holds. */
static void hold_free(struct timer_hold *o, void (*free_msg)(struct timer_msg *))
{
	while (o->head) {
		struct mailbox_item *it = o->head;
		o->head = it->next;
		free_msg((struct timer_msg *)(void *)it);
	}
	free(o);
}

void timer_holds_free(struct timer_holds *h, void (*free_msg)(struct timer_msg *))
{
	while (h->list) {
		struct timer_hold *o = h->list;
		h->list = o->next;
		hold_free(o, free_msg);
	}
}

const char *timer_hold_owner(const struct timer_msg *m)
{
	if (m->kind == TIMER_SET_CRONTAB || m->kind == TIMER_REMOVE_CRONTAB)
		return m->owner;
	if (m->kind == TIMER_RUN && m->source != NULL)
		return source_name_owner(m->source);
	return NULL;
}

static struct timer_hold *find(const struct timer_holds *h, const char *owner)
{
	for (struct timer_hold *o = h->list; o; o = o->next)
		if (strcmp(o->owner, owner) == 0)
			return o;
	return NULL;
}

/* Drops the holds whose time is over at MONO and that keep nothing. */
static void prune(struct timer_holds *h, int64_t mono)
{
	for (struct timer_hold **p = &h->list; *p;) {
		struct timer_hold *o = *p;
		if (o->head == NULL && o->until <= mono) {
			*p = o->next;
			free(o);
		} else {
			p = &o->next;
		}
	}
}

/* Takes IT, which follows PREV (NULL: IT is the head), out of O. */
static struct timer_msg *unlink_msg(struct timer_hold *o, struct mailbox_item *prev,
                                    struct mailbox_item *it)
{
	if (prev)
		prev->next = it->next;
	else
		o->head = it->next;
	if (o->tail == it)
		o->tail = prev;
	o->n--;
	it->next = NULL;
	return (struct timer_msg *)(void *)it;
}

/* Takes out of O the held change NEWER replaces (after the last run by
 * hand), if any. */
static struct timer_msg *take_replaced(struct timer_hold *o, const struct timer_msg *newer)
{
	struct mailbox_item *prev = NULL, *found = NULL, *found_prev = NULL;
	for (struct mailbox_item *it = o->head; it; prev = it, it = it->next) {
		switch (timer_batch_relation(&newer->link, it)) {
		case MAILBOX_BARRIER:
			found = NULL;   /* only one after the last run counts */
			break;
		case MAILBOX_REPLACES:
			found = it;
			found_prev = prev;
			break;
		case MAILBOX_UNRELATED:
			break;
		}
	}
	return found ? unlink_msg(o, found_prev, found) : NULL;
}

bool timer_holds_keep(struct timer_holds *h, struct timer_msg *m, int64_t mono,
                      struct timer_msg **replaced)
{
	*replaced = NULL;
	const char *owner = timer_hold_owner(m);
	if (owner == NULL)
		return false;
	struct timer_hold *o = find(h, owner);
	if (o == NULL || (o->head == NULL && o->until <= mono))
		return false;
	*replaced = take_replaced(o, m);
	m->link.next = NULL;
	if (o->tail)
		o->tail->next = &m->link;
	else
		o->head = &m->link;
	o->tail = &m->link;
	o->n++;
	return true;
}

void timer_holds_drop(struct timer_holds *h, const char *owner,
                      void (*free_msg)(struct timer_msg *))
{
	for (struct timer_hold **p = &h->list; *p; p = &(*p)->next) {
		struct timer_hold *o = *p;
		if (strcmp(o->owner, owner) != 0)
			continue;
		*p = o->next;
		hold_free(o, free_msg);
		return;
	}
}

int64_t timer_holds_charge(struct timer_holds *h, const char *owner, int64_t cost, int64_t mono)
{
	prune(h, mono);
	if (owner == NULL || strcmp(owner, "root") == 0 || cost < TIMER_HOLD_MIN_NS)
		return 0;
	int64_t hold = cost > TIMER_HOLD_MAX_NS / TIMER_HOLD_SHARE ? TIMER_HOLD_MAX_NS
	                                                           : cost * TIMER_HOLD_SHARE;
	struct timer_hold *o = find(h, owner);
	if (o == NULL) {
		size_t len = strlen(owner);
		o = calloc(1, sizeof(*o) + len + 1);
		if (o == NULL)
			return 0;   /* not held: the next change goes through, as before */
		memcpy(o->owner, owner, len + 1);
		o->next = h->list;
		h->list = o;
	}
	o->until = mono + hold;
	return hold;
}

struct timer_msg *timer_holds_next(struct timer_holds *h, int64_t mono)
{
	struct timer_hold *best = NULL;
	for (struct timer_hold *o = h->list; o; o = o->next)
		if (o->head != NULL && o->until <= mono && (best == NULL || o->until < best->until))
			best = o;
	if (best == NULL) {
		prune(h, mono);
		return NULL;
	}
	return unlink_msg(best, NULL, best->head);
}

int64_t timer_holds_next_at(const struct timer_holds *h)
{
	int64_t next = INT64_MAX;
	for (const struct timer_hold *o = h->list; o; o = o->next)
		if (o->head != NULL && o->until < next)
			next = o->until;
	return next;
}

size_t timer_holds_count(const struct timer_holds *h)
{
	size_t n = 0;
	for (const struct timer_hold *o = h->list; o; o = o->next)
		n += o->n;
	return n;
}
