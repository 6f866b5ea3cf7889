/* crond/sched/batch_share.h: which owner's batch job gets the batch slot.
 *
 * Batch jobs (queue b and the upper-case queues) start at most one per
 * batch_interval, whoever owns them (timer.c). Waiting ones are re-armed
 * together for the next slot, so they fall due at the same instant; served
 * in the order they were queued, one user queueing a thousand would hold
 * back every other user's for the thousand slots (about 17 hours at the
 * default interval). Instead the slot goes to root's job first, then to the
 * owner whose last batch start is the oldest (one that never started any,
 * or was forgotten, first), and among one owner's jobs to the one queued
 * first (the lowest job number): each owner with jobs waiting gets a turn.
 *
 * Plain data owned by the timer thread: no lock, no clock read (the caller
 * passes NOW). The table is bounded: BATCH_SHARE_OWNERS owners are
 * remembered, the least recent forgotten first.
 */
#ifndef CROND_SCHED_BATCH_SHARE_H
#define CROND_SCHED_BATCH_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BATCH_SHARE_OWNERS 64

struct batch_share {
	struct {
		uint32_t uid;
		int64_t last_start;       /* seconds, > 0 */
	} owner[BATCH_SHARE_OWNERS];
	size_t n;
};

/* A waiting batch job: its owner and its job number. */
struct batch_share_job {
	uint32_t uid;
	int64_t id;
};

/* Whether batch job A goes before batch job B. */
bool batch_share_before(const struct batch_share *b, struct batch_share_job a,
                        struct batch_share_job b_job);

/* UID's batch job started at NOW (seconds, > 0). */
void batch_share_started(struct batch_share *b, uint32_t uid, int64_t now);

#endif
