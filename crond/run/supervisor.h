/* crond/run/supervisor.h: the supervisor thread: starts, watches, records jobs.
 *
 * DESIGN: one thread owns every running job (crond/run/job.h), the queue of runs
 * waiting for a free slot (config max_jobs: runs are queued, never dropped
 * while crond runs), its own spool connection (history, at-job claims,
 * catch-up state) and an epoll set over every job's output pipe, start
 * report and pidfd, its mailbox (super_box: struct run_request, from the
 * timer) and a timerfd for deadlines (CRON_TIMEOUT, SIGKILL after SIGTERM,
 * the stop grace period), the clients of runs started by hand
 * (crontab --run: crond/control/runclient.h), to which it alone writes,
 * and, when crond is PID 1 or a subreaper, a signalfd for SIGCHLD: it
 * alone waits for crond's children, its jobs' and the orphans the kernel
 * gives crond (crond/run/orphans.h). No other thread touches a job. Finished jobs are
 * written to the history in one transaction per loop, so a thousand jobs
 * ending together cost one fsync, not a thousand. On a shared spool (a
 * cluster) the runs about to start in one loop are claimed in one
 * transaction first (crond/run/claim.h); it reads c->claims_refused (set by the
 * cluster thread) before each batch.
 */
#ifndef CROND_SUPERVISOR_H
#define CROND_SUPERVISOR_H

#include "crond/crond.h"

/* Starts the thread (it opens its own spool connection first and fails
 * here if it cannot). 0 or -1 (logged). */
int supervisor_start(struct crond *c);

/* Asks the supervisor to stop (SIGTERM to every job's process group, up to
 * stop_grace seconds, then SIGKILL, every outcome recorded) and joins it. */
void supervisor_stop(struct crond *c);

#endif
