/* crond/sched/batch_share.c: which owner's batch job gets the batch slot
 * (the contract is in batch_share.h). A linear table: at most
 * BATCH_SHARE_OWNERS entries, looked at only when batch jobs fall due. */
#include "crond/sched/batch_share.h"

/* UID's last batch start, or 0 when none is remembered. */
static int64_t last_start(const struct batch_share *b, uint32_t uid)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->owner[i].uid == uid)
			return b->owner[i].last_start;
	return 0;
}

bool batch_share_before(const struct batch_share *b, struct batch_share_job a,
                        struct batch_share_job b_job)
{
	if (a.uid == b_job.uid)
		return a.id < b_job.id;
	if (a.uid == 0 || b_job.uid == 0)
		return a.uid == 0;
	return last_start(b, a.uid) < last_start(b, b_job.uid);
}

void batch_share_started(struct batch_share *b, uint32_t uid, int64_t now)
{
	size_t slot = b->n, oldest = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->owner[i].uid == uid)
			slot = i;
		if (b->owner[i].last_start < b->owner[oldest].last_start)
			oldest = i;
	}
	if (slot == b->n) {
		if (b->n < BATCH_SHARE_OWNERS)
			b->n++;
		else
			slot = oldest;   /* forgotten: its owner goes first again, no harm */
	}
	b->owner[slot].uid = uid;
	b->owner[slot].last_start = now;
}
