/* crond/run/supervisor_launch.c: starts the runs the fair queue lets
 * start: a batch at a time, claimed first on a shared spool, each one
 * skipped (CRON_OVERLAP=skip), started, or recorded as a failed start.
 *
 * Runs only in the supervisor thread (DESIGN in crond/run/supervisor.h).
 */
#include "crond/run/supervisor_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crond/log.h"
#include "crond/run/claim.h"

/* Whether a run of entry KEY is still going here; *PID gets its pid. */
static bool still_running(const struct super *s, const char *key, pid_t *pid)
{
	for (const struct job *j = s->running; j; j = j->next) {
		if (j->kind == JOB_CRON && !j->exited && strcmp(j->req->entry_key, key) == 0) {
			*pid = j->proc.pid;
			return true;
		}
	}
	return false;
}

/* Whether at job ID runs here now. */
static bool at_running_here(const struct super *s, int64_t id)
{
	for (const struct job *j = s->running; j; j = j->next)
		if (j->kind == JOB_AT && j->req && j->req->at_id == id)
			return true;
	return false;
}

/* Claims and loads an at job; false when it is no longer waiting (R
 * freed), or could not be claimed (R handed back to the timer, to be
 * tried again: super_at_retry); either way its slot is given back. */
static bool claim_at(struct super *s, struct run_request *r, struct spool_at_job *at,
                     int64_t now_ns)
{
	if (s->c->spool_shared && at_running_here(s, r->at_id)) {
		/* A claim taken as won when the job is this node's and not
		 * started (spool.h: only on a shared spool) must not start it
		 * twice: its pid may never have reached the spool
		 * (spool_at_set_running failed). Elsewhere a job running is not
		 * waiting, and its claim fails: no walk of the running jobs
		 * per at job started. */
		log_msg(LOG_WARNING, "at job %lld runs here already; not started again",
		        (long long)r->at_id);
		super_give_back(s, r);
		runreq_free(r);
		return false;
	}
	struct spool_err err = { .msg = "no spool connection" };
	struct spool *sp = recorder_spool(&s->rec);
	int rc = sp ? spool_at_claim(sp, r->at_id, now_ns / NS, &err) : SPOOL_IO;
	if (rc == SPOOL_CONFLICT || rc == SPOOL_NOT_FOUND) {
		log_msg(LOG_DEBUG, "at job %lld is gone or already claimed", (long long)r->at_id);
		super_give_back(s, r);
		runreq_free(r);
		return false;
	}
	if (rc != SPOOL_OK) {
		super_give_back(s, r);
		super_at_retry(s, r, err.msg, now_ns);
		return false;
	}
	rc = spool_at_get(sp, r->at_id, at, &err);
	if (rc != SPOOL_OK) {
		/* Claimed, not started: crond's next start gives it back on
		 * SQLite, and calls it interrupted on PostgreSQL (spool.h:
		 * spool_at_recover). */
		log_msg(LOG_ERR, "at job %lld not started: %s", (long long)r->at_id, err.msg);
		super_give_back(s, r);
		runreq_free(r);
		return false;
	}
	return true;
}

/* How long the last start of a pass may keep the supervisor waiting for
 * its child's execve (runner_await_start). */
#define SUPER_AWAIT_START_MS 5

/* Starts R (or records why not). LAST: nothing else waits to start in
 * this pass. */
static void launch_one(struct super *s, struct run_request *r, bool last, int64_t now_ns)
{
	char err[512];
	struct spool_at_job at = { 0 };
	struct job *j;
	pid_t other;
	if (r->kind == DUE_CRON && r->keep_state)
		recorder_state(&s->rec, r->entry_key, r->scheduled, now_ns / NS);
	if (r->kind == DUE_CRON && r->overlap_skip && still_running(s, r->entry_key, &other)) {
		super_give_back(s, r);
		super_log_limited(s, SUPER_LIMITED_SKIP, r->user, now_ns, "previous run pid=%d still running: %.200s",
		               (int)other, r->command);
		char why[128];
		snprintf(why, sizeof(why), "its previous run (pid %d) is still going (CRON_OVERLAP=skip)",
		         (int)other);
		j = job_not_run(r, NULL, true, r->manual ? why : NULL, now_ns);
		if (j) {
			j->proc.uid = super_uid_of(s, j->user);   /* so its owner sees it */
			super_finished(s, j);
		} else {
			runreq_free(r);
		}
		return;
	}
	if (r->kind == DUE_AT && !claim_at(s, r, &at, now_ns))
		return;
	/* An at job's process waits for its start's record where a claimed
	 * job not recorded started runs again at the next start (SQLite:
	 * spool.h, spool_at_recover), so that it never runs twice (a crash
	 * test ran 21 of 4,439 jobs twice, crond killed between their start
	 * and its record). On a shared spool such a job is interrupted,
	 * never run again: held there, it would be lost instead. */
	bool gated = r->kind == DUE_AT && !s->c->spool_shared;
	j = job_start(r, r->kind == DUE_AT ? &at : NULL, gated, &s->cfg, &s->ids, &s->kit, now_ns,
	              err, sizeof(err));
	if (!j) {
		super_give_back(s, r);
		const char *who = r->kind == DUE_AT ? at.owner : r->user;
		super_log_limited(s, SUPER_LIMITED_FAIL, who ? who : "?", now_ns,
		                  "cannot start %.200s: %s", r->kind == DUE_AT ? "at job" : r->command,
		                  err);
		j = job_not_run(r, r->kind == DUE_AT ? &at : NULL, false, err, now_ns);
		if (j) {
			super_finished(s, j);
		} else {
			runreq_free(r);
			spool_at_job_free(&at);
		}
		return;
	}
	if (j->kind == JOB_AT) {
		struct spool_err e = { .msg = "no spool connection" };
		struct spool *sp = recorder_spool(&s->rec);   /* open: claim_at opened it */
		if (!sp || spool_at_set_running(sp, r->at_id, j->proc.pid, now_ns / NS, &e) != SPOOL_OK)
			log_msg(LOG_WARNING, "at job %lld: %s", (long long)r->at_id, e.msg);
		/* Recorded started (or, failing that, run anyway, as before the
		 * gate: the job is claimed, and held it would never run): the
		 * job may go on to its execve. */
		if (runner_release(&j->proc) < 0)
			log_msg(LOG_WARNING, "at job %lld: cannot let it start: %s", (long long)r->at_id,
			        strerror(errno));
	}
	/* Linux leaves a new child on its parent's CPU until the parent
	 * sleeps (here 192 times in 200, 200 in 200 sharing its memory), so
	 * the first start after a boundary waited for the supervisor's log
	 * line, records and fsync: 0.3 ms of its 2 ms, traced. sched_yield
	 * gave it 30 us. With nothing else to start, the supervisor sleeps
	 * until the child has exec'd, as posix_spawn's parent does, but
	 * never long: the child may hang before its execve. Within a burst
	 * it goes on starting the next. */
	if (last)
		(void)runner_await_start(&j->proc, SUPER_AWAIT_START_MS);
	super_log_job(s, j, true);
	if (r->client) {
		r->client->started = true;
		runclient_state(r->client, RUN_STATE_STARTED, (int)j->proc.pid);
	}
	if (super_adopt(s, j))
		recorder_started(&s->rec, j);   /* its running record */
}

/* Starts between two looks at the jobs' events (super_poll_jobs): often
 * enough that few started jobs' descriptors pile up, rarely enough that
 * the look costs nothing next to the starts. */
#define SUPER_POLL_EVERY 8

/* How long a burst's start records and catch-up states may wait to be
 * written (recorder_flush). Written only after the whole burst, a crash
 * during a burst of 200 left no record of the runs started, and ran their
 * CRON_CATCHUP entries again for the same minute at the restart; written
 * every 50 ms, a crash loses the records of those 50 ms of starts at most,
 * for one or two commits per 50 ms (about 2 % of a burst here). And every
 * 64 starts: 50 ms was 85 starts here and can be a whole burst on a fast
 * machine (a crash test lost 104 of 168; their CRON_CATCHUP entries ran
 * again for the same minute), so a crash loses at most the records of the
 * last 64 starts, or of the last 50 ms if those were fewer. */
#define SUPER_FLUSH_EVERY_NS (50 * 1000000LL)
#define SUPER_FLUSH_EVERY_STARTS 64   /* a multiple of SUPER_POLL_EVERY */

/* Starts what the fair queue lets start, a batch at a time: on a shared
 * spool the batch is claimed in one transaction first. */
void super_launch_pending(struct super *s)
{
	struct run_request *batch[CLAIM_BATCH_MAX];
	unsigned launched = 0, flushed_at = 0;
	int64_t flushed_mono = clock_mono_ns();
	while (!s->stopping) {
		size_t n = 0;
		struct fairq_node *node;
		while (n < CLAIM_BATCH_MAX && (node = fairq_pop(&s->q)) != NULL)
			batch[n++] = REQ_OF(node);
		if (!n)
			break;
		int64_t now_ns = clock_now_ns(&s->c->clock);
		if (s->c->spool_shared)
			super_claim_batch(s, batch, n, now_ns);
		for (size_t i = 0; i < n; i++) {
			struct run_request *r = batch[i];
			if (!r)
				continue;
			if (runreq_cancelled(r)) {
				super_give_back(s, r);
				super_cancel_run(s, r, now_ns);
				continue;
			}
			launch_one(s, r, i + 1 == n && fairq_waiting(&s->q) == 0, now_ns);
			if (++launched % SUPER_POLL_EVERY != 0)
				continue;
			super_poll_jobs(s);
			int64_t mono = clock_mono_ns();
			if (mono - flushed_mono >= SUPER_FLUSH_EVERY_NS ||
			    launched - flushed_at >= SUPER_FLUSH_EVERY_STARTS) {
				recorder_flush(&s->rec);
				flushed_mono = mono;
				flushed_at = launched;
			}
		}
	}
	runner_ids_clear(&s->ids);   /* the next pass looks its owners up afresh */
}
