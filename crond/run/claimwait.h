/* crond/run/claimwait.h: spreading the claims of shared runs over the nodes.
 *
 * DESIGN: supervisor thread only. On a shared spool every node learns of a
 * run at the same instant, and the first to claim it wins (claim.h); left
 * alone, the fastest node would win every run of a minute. So before
 * claiming a run each node waits claimwait_delay_ns: cluster_spread times
 * a keyed hash in [0, 1) of (entry key, scheduled instant, node name). For
 * a given run the nodes' delays are independent and uniform, so the node
 * with the smallest one claims first and wins, each live node as often as
 * the others, with no membership list; the others claim later and lose
 * cheaply (the row exists). A node that is down or busy never claims, and
 * the next delay wins: nothing is lost, only the start is later, by the
 * winner's delay (cluster_spread/(n+1) on average for n live nodes).
 *
 * The runs waiting for their claim time are held in a claimwait: a min-heap
 * on the monotonic instant they are due, of at most CLAIMWAIT_MAX items
 * (a run that does not fit is claimed at once: it is never lost). Items
 * are the caller's pointers; equal instants come out in the order added.
 */
#ifndef CROND_CLAIMWAIT_H
#define CROND_CLAIMWAIT_H

#include <stddef.h>
#include <stdint.h>

#define CLAIMWAIT_MAX 65536
#define CLAIMWAIT_SPREAD_MAX_MS 10000   /* cluster_spread's bound (lib/config.c) */

/* The delay in nanoseconds, in [0, SPREAD_MS ms), before NODE claims the
 * run of ENTRY_KEY at SCHEDULED (epoch seconds): SPREAD_MS times SipHash-2-4
 * under crond's fixed spread key of the three, as a fraction of 2^64. The
 * same on every node and every start for the same inputs; 0 when SPREAD_MS
 * is 0. SPREAD_MS above CLAIMWAIT_SPREAD_MAX_MS counts as that. */
int64_t claimwait_delay_ns(uint32_t spread_ms, const char *entry_key, int64_t scheduled,
                           const char *node);

struct claimwait_item {
	int64_t due;        /* monotonic ns */
	uint64_t seq;       /* order added: ties */
	void *item;
};

struct claimwait {
	struct claimwait_item *v;
	size_t n, cap;
	uint64_t seq;
};

/* An empty claimwait; claimwait_free releases its memory (not the items). */
void claimwait_init(struct claimwait *w);
void claimwait_free(struct claimwait *w);

/* Holds ITEM until DUE. -1 when full (CLAIMWAIT_MAX) or out of memory:
 * ITEM is not held then, and the caller claims it at once. */
int claimwait_add(struct claimwait *w, int64_t due, void *item);

/* The earliest instant held, or INT64_MAX when empty. */
int64_t claimwait_next(const struct claimwait *w);

/* Removes and returns an item due at or before NOW (the earliest), or NULL
 * when none is. claimwait_pop(w, INT64_MAX) empties it one by one. */
void *claimwait_pop(struct claimwait *w, int64_t now);

size_t claimwait_count(const struct claimwait *w);

#endif
