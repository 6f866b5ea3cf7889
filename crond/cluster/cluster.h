/* crond/cluster/cluster.h: the cluster thread: a node's part in a shared spool.
 *
 * DESIGN: started by main only when the spool is shared (spool_is_shared:
 * several crond nodes on one PostgreSQL database), before the supervisor
 * and timer threads: cluster_start takes the first heartbeat itself, so
 * the clock is checked before any run is claimed.
 * It owns its own spool connection (acting for c->node), a watch on it
 * (spool_watch_start), an eventfd main writes to stop it, and its private
 * copy of the configuration (node_timeout, max_clock_skew, cluster_resync;
 * refreshed when cfg_gen changes). It sleeps in poll() on the watch and
 * the eventfd with a timeout for the next of:
 *
 * - the heartbeat, every node_timeout/5 (at least 1 s): spool_node_beat,
 *   whose answer (the database's clock) is compared with crond's clock
 *   (c->clock, so a test clock can be off on purpose). Off by more than
 *   max_clock_skew, the node refuses claims: the cluster thread sets
 *   c->claims_refused (an atomic the supervisor reads before each claim
 *   batch), logs CLOCK_SKEW once per change, and sends sd_notify STATUS.
 *   Then spool_node_reap(node_timeout): the runs of nodes whose heartbeat
 *   stopped are recorded interrupted (NODE_LOST logged for each node);
 * - a resync, on a watch notification and every cluster_resync seconds:
 *   the crontab changes since the last generation this node has seen go to
 *   the timer (timer_post_crontab / timer_post_remove_crontab, with their
 *   generations, as the control thread posts its own: a change seen twice,
 *   this node's own ones included, is applied once: crond/cluster/resync.h), and
 *   the list of waiting at jobs (TIMER_AT_MARK, then TIMER_AT_SYNC), so
 *   jobs queued or removed on other nodes are armed or disarmed here.
 *
 * When the database cannot be reached every call fails: SPOOL_DOWN is
 * logged once (c->spool_down set: the supervisor's claims fail by
 * themselves and start nothing shared), the heartbeat is retried with
 * back-off (1 s doubling to CLUSTER_BACKOFF_MAX_MS; the backend reconnects
 * on its next call), and once it answers SPOOL_UP is logged, the watch
 * started again and everything resynced. The schedule stays in the timer's
 * memory throughout. (The runs missed meanwhile are the supervisor's: it
 * keeps the latest one of each CRON_CATCHUP=yes entry whose claim failed
 * and claims it again once the spool answers: crond/run/supervisor_claims.c.)
 *
 * On a clean stop main quiets the thread (cluster_stop) before the timer:
 * from then on it posts nothing (no resync, no supervisor wake-up) but goes
 * on beating (and reaping), so a node that waits up to stop_grace for its
 * jobs is not taken for lost however long that is. Once the supervisor has
 * recorded every run, cluster_leave ends the thread and the node leaves the
 * cluster through the thread's connection, so the others do not take it
 * for lost.
 *
 * No lock: the atomics in struct crond are the only data it shares; it
 * talks to the timer only through its mailbox (and wakes the supervisor
 * with a SUPER_SWEEP when the spool is back).
 */
#ifndef CROND_CLUSTER_H
#define CROND_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "crond/crond.h"

#define CLUSTER_BACKOFF_MIN_MS 1000
#define CLUSTER_BACKOFF_MAX_MS 8000
#define CLUSTER_BEAT_MIN_MS 1000

/* How far the node's clock may be from the database's: whether SKEW_MS is
 * within MAX_SKEW_S seconds (either way). */
bool cluster_skew_ok(int64_t skew_ms, uint32_t max_skew_s);

/* The heartbeat's period for NODE_TIMEOUT_S: a fifth of it, at least
 * CLUSTER_BEAT_MIN_MS. */
int64_t cluster_beat_ms(uint32_t node_timeout_s);

/* The back-off after PREV_MS (0: the first failure). */
int64_t cluster_backoff_ms(int64_t prev_ms);

/* Takes the first heartbeat (clock check) and starts the cluster thread
 * (C->cluster). Call only for a shared spool, before the supervisor starts;
 * what it posts to the timer waits in its mailbox. 0, or -1 (logged). */
int cluster_start(struct crond *c);

/* Quiets the thread, if it was started (C->cluster), before the timer
 * thread stops: returns once the thread has promised to post nothing more
 * (to the timer or the supervisor); it keeps its heartbeat until
 * cluster_leave. */
void cluster_stop(struct crond *c);

/* After the supervisor has stopped (every run ended and recorded): quiets
 * the thread if cluster_stop did not, ends and joins it (its last beat is
 * at most a beat period old), then the node leaves the cluster
 * (spool_node_leave, logged as NODE_LEAVE: the others then log nothing
 * for it; if it still holds runs it stays, and they are reaped after
 * node_timeout), and the connection is closed. Nothing if the thread was
 * never started. */
void cluster_leave(struct crond *c);

#endif
