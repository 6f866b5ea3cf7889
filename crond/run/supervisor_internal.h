/* crond/run/supervisor_internal.h: internal to the supervisor thread.
 *
 * Only the supervisor's own files (crond/run/supervisor*.c) include this:
 * the thread's state and the functions its parts call in one another.
 * Every function here runs in the supervisor thread only, on the state
 * that thread alone owns (DESIGN in crond/run/supervisor.h), so none takes
 * a lock. The public contract is crond/run/supervisor.h.
 */
#ifndef CROND_SUPERVISOR_INTERNAL_H
#define CROND_SUPERVISOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crond/control/runclient.h"
#include "crond/crond.h"
#include "crond/observe/metrics.h"
#include "crond/run/claimwait.h"
#include "crond/run/fairq.h"
#include "crond/run/job.h"
#include "crond/run/recorder.h"
#include "crond/run/runner.h"
#include "crond/run/runreq.h"
#include "crond/ownerlog.h"
#include "crond/sched/heap.h"
#include "lib/config.h"
#include "spool/spool.h"

#define NS 1000000000LL

/* Epoll events name a job by slot and generation, never by pointer: a
 * descriptor closed here may stay registered while a just-forked child
 * still holds a copy of it, and an event for it must not reach a job that
 * has been freed. The tag is slot << 32 | gen << 2 | which
 * (supervisor_slots.c); the markers below are the other events. */
#define TAG_MAILBOX UINT64_MAX
#define TAG_TIMER (UINT64_MAX - 1)
#define TAG_SIGCHLD (UINT64_MAX - 2)   /* orphans to reap (orphans.h) */
#define TAG_CLIENT (1ULL << 62)   /* | the id of a crontab --run client */
#define GEN_MASK 0x3fffffffu

/* The run request a fair-queue node is embedded in. */
#define REQ_OF(node) ((struct run_request *)(void *)((char *)(node) - \
                                                      offsetof(struct run_request, qnode)))

/* The kinds of log line limited per owner (super_log_limited). */
enum super_limited {
	SUPER_LIMITED_SKIP,     /* a run not started */
	SUPER_LIMITED_DEFER,    /* an at job put off, the queue full */
	SUPER_LIMITED_CANCEL,   /* a waiting run whose entry went */
	SUPER_LIMITED_MAIL,     /* a job's output not mailed */
	SUPER_LIMITED_RUN_CMD,  /* a run asked by hand (crontab --run) started */
	SUPER_LIMITED_RUN_END,  /* ...and ended */
	SUPER_LIMITED_FAIL,     /* a job that could not start (its home gone,
	                           its child stopped before execve) */
	SUPER_LIMITED_KINDS
};

struct super {
	struct crond *c;
	struct config cfg;
	unsigned cfg_gen;
	struct recorder rec;
	struct runner_ids ids;              /* owners looked up in this pass (runner.h) */
	struct runner_kit kit;              /* signals to reset, the child's stack */
	struct metrics metrics;             /* told of every ended run by rec */
	int ep, tfd;
	int sigchld_fd;                     /* signalfd for SIGCHLD while orphans
	                                       come to crond (orphans.h), or -1 */
	bool orphans_left;                  /* the last turn reaped its most */
	/* A turn costs what it handles, not the number of jobs running: the
	 * jobs an event or a deadline concerned are touched (super_touch),
	 * and only those are looked at again, done or not, at the turn's
	 * end; each job's next deadline (job_next_deadline) waits in a heap
	 * by slot; a free slot is taken off a stack. */
	struct job *running;                /* linked by next and prev */
	size_t n_jobs;                      /* running, mail excluded */
	struct job *touched;                /* to look at again (touched_next) */
	struct heap deadlines;              /* slot -> its job's next deadline */
	size_t n_reap_polled;               /* running without a pidfd, not exited */
	struct job **slots;                 /* slot -> running job, or NULL */
	uint32_t *gens;                     /* slot -> current generation */
	uint32_t *free_slots;               /* slots free below n_slots, a stack */
	size_t n_slots, cap_slots, n_free;
	struct fairq q;                     /* runs waiting for a slot */
	struct run_clients clients;         /* crontab --run clients (runclient.h) */
	char uid_name[SPOOL_NAME_MAX + 1];  /* the last user looked up for a */
	uid_t uid;                          /* record of a run not started */
	struct log_every log_skew, log_down,   /* rate limits of the claims' log */
	                 log_nouser, log_again;  /* lines (crond/log.h) */
	struct ownerlog limited[SUPER_LIMITED_KINDS];   /* per-owner limits of the
	                                    SKIP, DEFER and CANCEL lines */
	struct mailbox_item *missed;        /* cluster: CRON_CATCHUP runs whose claim
	                                       failed (spool down), the latest per
	                                       entry, and runs kept to settle a
	                                       claim (claim_settle), linked by
	                                       link.next */
	size_t n_settle;                    /* ... of which kept to settle */
	int64_t settle_mono;                /* when they are claimed again, at the
	                                       earliest (monotonic ns) */
	struct claimwait held;              /* cluster: runs waiting for their claim
	                                       time (cluster_spread) */
	bool stopping, leave;
	int64_t stop_kill_mono;             /* stopping: when the jobs left get SIGKILL,
	                                       and the most any job waits for its
	                                       output's EOF after it exited */
	struct {                            /* the clean helper (supervisor_helper.c) */
		bool checked;
		unsigned cfg_gen;           /* of the configuration checked */
		int64_t mono;               /* when */
		int said;                   /* what the log last said */
		char *said_what;            /* and of which helper, or why none
		                               (malloc'd) */
	} helper;
};

/* R's run no longer holds a job slot (it ended, or did not start). */
static inline void super_give_back(struct super *s, struct run_request *r)
{
	if (r)
		fairq_release(&s->q, &r->qnode);
}

/* ---------------------------------------------- supervisor.c (the core) */

/* J is over (it ran, or never started): its crontab --run client is told,
 * its record written at the next flush. Takes J (the recorder frees it). */
void super_finished(struct super *s, struct job *j);

/* Handles the events of jobs already started (start reports, ends,
 * output) that are ready now, without waiting and leaving the others
 * (mailbox, timer, clients) to the loop: super_launch_pending calls it
 * between the starts of a long batch, so that the descriptors of the jobs
 * that have exec'd or ended are closed before the next clone, which copies
 * every descriptor crond holds into the child (and the child closes each
 * one again): with a burst of 1,000 started in one batch, 790 of them.
 * The jobs it handled are touched: the loop then turns again without
 * sleeping (the jobs it saw end are collected there). */
void super_poll_jobs(struct super *s);

/* --------------------------- supervisor_helper.c: fs.suid_dumpable */

/* Decides again, when the configuration changed or SUPER_HELPER_RECHECK_NS
 * passed since the last time (MONO), whether kit.clean_helper is the
 * configuration's session_helper as runner_helper_resolve resolves it or none; and logs
 * when what fs.suid_dumpable = 1 means for other users' jobs changes
 * (through the helper, or the window open). Nothing for a crond that is
 * not root: it changes no job's user. */
#define SUPER_HELPER_RECHECK_NS (60 * INT64_C(1000000000))
void super_check_clean_helper(struct super *s, int64_t mono);

/* ------------------------------- supervisor_slots.c: the running jobs */

/* Watches J (its descriptors in the epoll set, J on s->running); false
 * when it could not (J was then stopped, reaped and freed). */
bool super_adopt(struct super *s, struct job *j);

/* Takes what J's output pipe holds (job_read_output). When that dropped
 * bytes past the cap, the pipe is not watched for a while (at least
 * JOB_DISCARD_PAUSE_NS, longer when the drain was dear), so a job keeping
 * its pipe full costs the supervisor a drain now and then, not one every
 * pass of its loop; else it is watched (again). */
void super_take_output(struct super *s, struct job *j);

/* J, which ended, gives its slot up: a late event for it finds nothing.
 * J leaves the running jobs and the deadlines. */
void super_release_slot(struct super *s, struct job *j);

/* J is to be looked at again at the end of this turn (super_settle_touched):
 * an event came for it, a deadline of it passed, or the supervisor changed
 * it. Anything that may make a job done or move its deadlines touches it. */
void super_touch(struct super *s, struct job *j);

/* Looks at each touched job: a done one is unlinked and returned (linked
 * by touched_next, for the caller to collect), any other has its next
 * deadline put in the heap. */
struct job *super_settle_touched(struct super *s);

/* The job an event tag names (*WHICH: which of its descriptors), or NULL
 * if that job is gone. */
struct job *super_tagged_job(const struct super *s, uint64_t t, enum job_fd *which);

/* ---------------------- supervisor_admit.c: runs arriving at the queue */

/* A run from the timer (or held, or missed): cancelled already, refused
 * (logged and recorded), or queued for a slot. Takes R. */
void super_admit(struct super *s, struct run_request *r);

/* At job R could not be read or claimed for an error of the spool (full,
 * read-only, I/O: WHY): logged, and handed back to the timer to be tried
 * again in a minute, so the job waits in the spool rather than until
 * crond's next start. Frees R. */
void super_at_retry(struct super *s, struct run_request *r, const char *why, int64_t now_ns);

/* Root and the system crontabs form the system class, which users cannot
 * starve (fairq.h): R's class when it runs as USER. */
enum fairq_class super_run_class(const struct run_request *r, const char *user);

/* USER's uid, for a history record its owner can read; (uid_t)-1 when
 * unknown. Remembers the last user looked up. */
uid_t super_uid_of(struct super *s, const char *user);

/* Logs "(USER) EVENT (DETAIL)", EVENT being KIND's name (SKIP, DEFER or
 * CANCEL: lines a user's crontab or queue can cause by the thousand),
 * unless USER's lines of that kind are over their rate (ownerlog.h, NOW_NS
 * the daemon's clock); a line logged after some were held back says how
 * many. The caller records the run regardless. */
void super_log_limited(struct super *s, enum super_limited kind, const char *user,
                       int64_t now_ns, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Logs J's CMD (STARTED) or END line: as any job's, or, for a run asked by
 * hand (which a user may ask for in a loop), through the per-owner limit. */
void super_log_job(struct super *s, const struct job *j, bool started);

/* Checks J's start report (job_check_started); a start failure decided now
 * is logged through the per-owner limit (FAIL: a user whose every entry
 * fails to start could otherwise log thousands of lines a minute). */
void super_check_started(struct super *s, struct job *j);

/* Records R, which never started, for REASON (SPOOL_RUN_QUEUE_FULL,
 * _COALESCED, _CANCELLED, _CLOCK_SKEW), as any run's history. Takes R. */
void super_record_not_run(struct super *s, struct run_request *r, unsigned reason,
                          int64_t now_ns);

/* R's entry was removed or replaced: R never starts (logged, recorded). */
void super_cancel_run(struct super *s, struct run_request *r, int64_t now_ns);

/* SUPER_SWEEP: the waiting runs of cancelled entries are recorded and go. */
void super_sweep_cancelled(struct super *s);

/* Frees every waiting run (at stop), telling their clients; how many. */
size_t super_drop_waiting(struct super *s);

/* ----------------------- supervisor_launch.c: runs leaving the queue */

/* Starts what the fair queue lets start, a batch at a time (claimed first
 * on a shared spool); then forgets the owners looked up in this pass. */
void super_launch_pending(struct super *s);

/* ------------------------------ supervisor_claims.c: the cluster part */

/* Claims the runs of BATCH that need it (claim.h) in one spool call; a run
 * that must not start here is dealt with (logged, recorded, kept or freed)
 * and its BATCH slot set to NULL. */
void super_claim_batch(struct super *s, struct run_request **batch, size_t n, int64_t now_ns);

/* Once the spool answers again, admits the CRON_CATCHUP runs whose claim
 * failed, as catch-up runs. */
void super_retry_missed(struct super *s);

/* A run to be claimed waits its spread delay (cluster_spread) first; any
 * other run is admitted now. Takes R. */
void super_hold_or_admit(struct super *s, struct run_request *r);

/* Admits the held runs whose spread delay is over. */
void super_release_held(struct super *s);

/* Frees every held run (at stop); how many. */
size_t super_drop_held(struct super *s);

/* Frees what the cluster part still holds (held and missed runs), as the
 * thread ends. */
void super_claims_free(struct super *s);

/* -------------------------------- supervisor_mail.c: the job's mail */

/* Mails J's output if its settings ask for it (not for a run whose
 * crontab --run client saw all of it), or, for a job whose program could
 * not be executed (runner_failed_at_exec), why ("crond: cannot execute
 * ...", as a failed job's output); sendmail is
 * adopted as a JOB_MAIL job. Failures are logged. */
void super_send_mail(struct super *s, const struct job *j);

#endif
