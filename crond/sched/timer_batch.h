/* crond/sched/timer_batch.h: which messages of a batch the timer thread
 * need not apply.
 *
 * The timer takes its mailbox whole (crond/mailbox.h) and applies the
 * messages in the order they were posted. A crontab change (TIMER_SET_CRONTAB
 * or TIMER_REMOVE_CRONTAB) plans all the crontab's entries again; when a
 * later change of the same owner is in the same batch, the earlier one is
 * replaced before any run could see it, so it is dropped unapplied. This
 * bounds the timer's work per pass to one change per owner: a user
 * installing a 10,000-entry crontab in a loop on many connections used to
 * queue changes faster than the timer planned them, and every user's runs
 * waited behind the backlog. A TIMER_RUN (crontab --run) between two
 * changes of its owner's crontab keeps the earlier one: the run names a
 * line of the crontab as it then was. Other owners' changes are still
 * replaced across it, so one user's runs by hand never undo the bound for
 * everyone else.
 *
 * Pure: no locks, no clock; runs in the timer thread.
 */
#ifndef CROND_SCHED_TIMER_BATCH_H
#define CROND_SCHED_TIMER_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "crond/sched/timer.h"

/* Sets DROP[i] for each message of V[0..N) (posting order) another change
 * of its owner replaces, the others false; returns how many were set. Of
 * two changes the later wins, unless its generation is the older (both
 * known): an older crontab never replaces a newer one. Without memory
 * for its work it drops none. */
size_t timer_batch_superseded(struct timer_msg *const *v, size_t n, bool *drop);

/* The same rule applied when a crontab change is posted, so that a busy
 * timer never has more than one change per owner waiting (with a parsed
 * crontab of up to megabytes each: a user posting installs faster than the
 * timer took them grew crond by gigabytes): how the queued message QUEUED
 * stands to NEWER (mailbox_post_replacing). NEWER replaces an earlier
 * change of the same owner unless that one's generation is the newer; a
 * TIMER_RUN of the owner's crontab is a barrier. */
enum mailbox_relation timer_batch_relation(const struct mailbox_item *newer,
                                           const struct mailbox_item *queued);

#endif
