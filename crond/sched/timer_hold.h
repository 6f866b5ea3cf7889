/* crond/sched/timer_hold.h: owners whose crontab changes cost the timer
 * dear wait their turn.
 *
 * A crontab change plans every entry again. Most cost the timer
 * microseconds, but a user can write entries whose next run is dear to
 * find (10,000 entries whose every match falls in a zone's gap: about 1 s
 * a change here), and install them in a loop, or put several changes
 * behind runs by hand (a TIMER_RUN keeps the change before it: those
 * cannot replace one another), so that the timer spent its time on that
 * user while root's at jobs, runs by hand and other users' changes (a
 * crontab -r among them) waited behind: 50 s in a review.
 *
 * So the timer charges each change's CPU time to its owner, root excepted:
 * a change that cost COST (TIMER_HOLD_MIN_NS or more) holds its owner's
 * next messages (changes, and runs by hand of the owner's crontab) for
 * TIMER_HOLD_SHARE times COST, at most TIMER_HOLD_MAX_NS; held messages
 * wait here in their order, and everything else goes ahead. One owner's
 * changes then take at most 1 / (TIMER_HOLD_SHARE + 1) of the timer, as a
 * job's output drains take of the supervisor (crond/run/job.h). A change
 * held replaces an earlier held change of its owner after the last run by
 * hand (timer_batch_relation), so what waits stays a change per run.
 *
 * Pure: no clock (MONO is the caller's monotonic ns), no lock; timer
 * thread only. Holds are few: one per owner charged in the last
 * TIMER_HOLD_MAX_NS.
 */
#ifndef CROND_SCHED_TIMER_HOLD_H
#define CROND_SCHED_TIMER_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/sched/timer.h"

#define TIMER_HOLD_MIN_NS (50 * INT64_C(1000000))      /* cheaper changes: no hold */
#define TIMER_HOLD_SHARE 20
#define TIMER_HOLD_MAX_NS (600 * INT64_C(1000000000))   /* 10 minutes at most */

struct timer_hold;

struct timer_holds {
	struct timer_hold *list;
};

void timer_holds_init(struct timer_holds *h);

/* Frees the holds; their messages are handed to FREE_MSG. */
void timer_holds_free(struct timer_holds *h, void (*free_msg)(struct timer_msg *));

/* The owner whose messages a hold keeps in order: a crontab change's, or
 * the user of a run by hand of a user's crontab; NULL for any other
 * message (at jobs, reloads, system crontabs' runs, ...). */
const char *timer_hold_owner(const struct timer_msg *m);

/* Keeps M when its owner is held at MONO (its time not over, or messages
 * of its waiting): true, M is the holds' (*REPLACED then gets a held
 * change M replaces, the caller's to free, or NULL). False: M is the
 * caller's to apply now. False also when no memory is left for a hold. */
bool timer_holds_keep(struct timer_holds *h, struct timer_msg *m, int64_t mono,
                      struct timer_msg **replaced);

/* Root changed OWNER's crontab: the owner's held messages are handed to
 * FREE_MSG (root's change replaces every held change, and a held run by
 * hand names a crontab root replaced), and the owner is no longer held. */
void timer_holds_drop(struct timer_holds *h, const char *owner,
                      void (*free_msg)(struct timer_msg *));

/* OWNER's change cost COST ns of the timer's CPU at MONO: from
 * TIMER_HOLD_MIN_NS on, the owner is held until MONO + COST x SHARE (at
 * most TIMER_HOLD_MAX_NS). Root is never held. Returns how long the owner
 * is held (ns), or 0 (not held, or no memory for a hold). */
int64_t timer_holds_charge(struct timer_holds *h, const char *owner, int64_t cost, int64_t mono);

/* The oldest held message whose owner's time is over at MONO, taken out
 * (to apply now), or NULL. Holds with neither time nor messages left go. */
struct timer_msg *timer_holds_next(struct timer_holds *h, int64_t mono);

/* When a held message's time comes (monotonic ns), or INT64_MAX. */
int64_t timer_holds_next_at(const struct timer_holds *h);

/* Messages held, in all. */
size_t timer_holds_count(const struct timer_holds *h);

#endif
