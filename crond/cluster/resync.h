/* crond/cluster/resync.h: applying changes from other cluster nodes to the
 * schedule, so that applying one twice, or late, is harmless.
 *
 * DESIGN: timer thread only (part of the timer's state; no lock). Crontab
 * changes reach the timer from two threads: the control thread (this
 * node's installs and removals) and the cluster thread (every node's
 * changes, this node's own included, read back from the spool). Each
 * carries its spool generation (spool.h: one counter, strictly increasing);
 * the timer applies a change of an owner's crontab only if its generation
 * is newer than the last one applied for that owner, so a change seen twice
 * is applied once and an older one arriving after a newer one is dropped.
 *
 * At jobs have no generations: the cluster thread lists the waiting jobs
 * and the timer makes its armed at jobs match (adds the missing, removes
 * the ones no longer waiting). A job this node queued after the list was
 * read must survive that: the cluster thread posts a mark before it reads
 * the list, and the timer keeps the ids added (TIMER_AT_ADD) after the mark
 * out of the removal.
 */
#ifndef CROND_RESYNC_H
#define CROND_RESYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/run/idmap.h"
#include "crond/sched/scheduler.h"

struct resync_owner;

struct resync {
	struct resync_owner *owners;   /* sorted by name */
	size_t n_owners, cap_owners;
	struct idmap recent;           /* at ids added since the mark */
	bool marked;
};

/* One waiting at job as the spool lists it. */
struct resync_at {
	int64_t id;
	char queue;
	int64_t run_at;
	uint32_t uid;
};

void resync_init(struct resync *r);
void resync_free(struct resync *r);

/* Whether a change of OWNER's crontab with GENERATION must be applied: true
 * (and GENERATION remembered) when it is newer than the last applied, or
 * when GENERATION is 0 (unknown: always applied); false for a repeat or an
 * older change. Out of memory: true (applying twice is harmless, only
 * slower). */
bool resync_crontab_fresh(struct resync *r, const char *owner, int64_t generation);

/* The cluster thread is about to read the waiting at jobs. */
void resync_at_mark(struct resync *r);

/* At job ID was armed by a TIMER_AT_ADD (remembered while marked). */
void resync_at_added(struct resync *r, int64_t id);

/* Makes the at jobs armed in S those of the N waiting jobs LIST (plus the
 * ones added since the mark): arms the missing ones (an armed job keeps
 * its instant: a batch job held back stays held back) and disarms the
 * others. Ends the mark. *ADDED and *REMOVED get the counts. 0, or -1 on
 * allocation failure (then nothing was removed). */
int resync_at_apply(struct resync *r, struct scheduler *s, const struct resync_at *list,
                    size_t n, size_t *added, size_t *removed);

#endif
