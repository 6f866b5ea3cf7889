/* crond/sched/timer_batch.c: the crontab changes a later one in the same
 * batch replaces (the contract is in timer_batch.h).
 *
 * One walk from the newest message back, keeping the owners whose change
 * is already kept; a TIMER_RUN of a user's crontab forgets that user. The
 * owners kept are few (one per user changing a crontab in this pass), so a
 * linear search serves.
 */
#include "crond/sched/timer_batch.h"

#include <stdlib.h>
#include <string.h>

#include "lib/source_name.h"

static bool is_crontab_change(const struct timer_msg *m)
{
	return m->kind == TIMER_SET_CRONTAB || m->kind == TIMER_REMOVE_CRONTAB;
}

/* An owner whose change is kept: its message's index in the batch. */
struct kept {
	const char *owner;
	size_t at;
};

/* Index of OWNER in KEPT[0..K), or K. */
static size_t find(const struct kept *kept, size_t k, const char *owner)
{
	size_t j = 0;
	while (j < k && strcmp(kept[j].owner, owner) != 0)
		j++;
	return j;
}

/* Whether change A is older than change B by their generations (0 is
 * unknown: no older than anything). */
static bool older(const struct timer_msg *a, const struct timer_msg *b)
{
	return a->generation != 0 && b->generation != 0 && a->generation < b->generation;
}

enum mailbox_relation timer_batch_relation(const struct mailbox_item *newer,
                                           const struct mailbox_item *queued)
{
	const struct timer_msg *n = (const struct timer_msg *)(const void *)newer;
	const struct timer_msg *q = (const struct timer_msg *)(const void *)queued;
	if (!is_crontab_change(n))
		return MAILBOX_UNRELATED;
	if (q->kind == TIMER_RUN) {
		const char *owner = q->source != NULL ? source_name_owner(q->source) : NULL;
		return owner != NULL && strcmp(owner, n->owner) == 0 ? MAILBOX_BARRIER
		                                                     : MAILBOX_UNRELATED;
	}
	if (!is_crontab_change(q) || strcmp(q->owner, n->owner) != 0)
		return MAILBOX_UNRELATED;
	if (older(n, q))
		return MAILBOX_UNRELATED;   /* the queued one is newer: both wait, and the
		                               batch keeps the newer (timer_batch_superseded) */
	return MAILBOX_REPLACES;
}

size_t timer_batch_superseded(struct timer_msg *const *v, size_t n, bool *drop)
{
	for (size_t i = 0; i < n; i++)
		drop[i] = false;
	struct kept *kept = n ? malloc(n * sizeof(*kept)) : NULL;
	if (kept == NULL)
		return 0;
	size_t k = 0, dropped = 0;
	for (size_t i = n; i-- > 0;) {
		if (v[i]->kind == TIMER_RUN) {
			/* the run names a line of its owner's crontab as it then was */
			const char *owner = v[i]->source != NULL ? source_name_owner(v[i]->source)
			                                         : NULL;
			size_t j = owner != NULL ? find(kept, k, owner) : k;
			if (j < k)
				kept[j] = kept[--k];
			continue;
		}
		if (!is_crontab_change(v[i]))
			continue;
		size_t j = find(kept, k, v[i]->owner);
		if (j == k) {
			kept[k++] = (struct kept){ v[i]->owner, i };
			continue;
		}
		/* Two changes of one owner: the later one wins, unless its
		 * generation is the older (the cluster thread posting what it
		 * read just before a local install was posted). */
		size_t loser = i;
		if (older(v[kept[j].at], v[i])) {
			loser = kept[j].at;
			kept[j].at = i;
		}
		drop[loser] = true;
		dropped++;
	}
	free(kept);
	return dropped;
}
