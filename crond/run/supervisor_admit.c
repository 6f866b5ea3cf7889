/* crond/run/supervisor_admit.c: a run arrives at the supervisor: it is
 * queued for a slot (fairq.h), refused (coalesced, queue full: an at job
 * is deferred instead) or cancelled, and a run that never starts gets its
 * history record like any run's.
 *
 * Runs only in the supervisor thread (DESIGN in crond/run/supervisor.h).
 */
#include "crond/run/supervisor_internal.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crond/log.h"
#include "crond/sched/timer.h"

#define AT_FULL_RETRY 60    /* seconds: an at job refused for a full queue waits in the spool */

/* USER's uid, for a history record its owner can read; (uid_t)-1 when
 * unknown. Refusals come in bursts of one user's runs: remember the last. */
uid_t super_uid_of(struct super *s, const char *user)
{
	if (strcmp(s->uid_name, user) == 0)
		return s->uid;
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return (uid_t)-1;
	snprintf(s->uid_name, sizeof(s->uid_name), "%s", user);
	s->uid = pw.pw_uid;
	return s->uid;
}

void super_log_limited(struct super *s, enum super_limited kind, const char *user,
                       int64_t now_ns, const char *fmt, ...)
{
	static const char *const events[SUPER_LIMITED_KINDS] = { "SKIP", "DEFER", "CANCEL",
		                                                 "MAIL", "CMD", "END", "FAIL" };
	char detail[LOG_DETAIL_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	ownerlog_event(&s->limited[kind], user, events[kind], now_ns, "%s", detail);
}

void super_log_job(struct super *s, const struct job *j, bool started)
{
	if (!(j->req && j->req->manual)) {
		if (started)
			job_log_start(j);
		else
			job_log_end(j);
		return;
	}
	char detail[JOB_LABEL_MAX + 160];
	if (started ? job_start_detail(j, detail, sizeof(detail))
	            : job_end_detail(j, detail, sizeof(detail)))
		super_log_limited(s, started ? SUPER_LIMITED_RUN_CMD : SUPER_LIMITED_RUN_END, j->user,
		                  started ? j->start_ns : j->end_ns, "%s", detail);
}

/* "pid=N cannot start LABEL: WHY" is logged whole */
_Static_assert(JOB_LABEL_MAX + JOB_FAIL_MSG_MAX + 64 <= LOG_DETAIL_MAX,
               "a FAIL line would lose its end");

void super_check_started(struct super *s, struct job *j)
{
	bool failed_now;
	if (job_check_started(j, &failed_now) && failed_now)
		super_log_limited(s, SUPER_LIMITED_FAIL, j->user, clock_now_ns(&s->c->clock),
		                  "pid=%d cannot start %s: %s", (int)j->proc.pid, j->label,
		                  job_fail_msg(j));
}

/* Records R, which never started, for REASON (SPOOL_RUN_QUEUE_FULL,
 * _COALESCED, _CANCELLED): a history record like any run's. */
void super_record_not_run(struct super *s, struct run_request *r, unsigned reason, int64_t now_ns)
{
	struct job *j = job_not_run(r, NULL, true, NULL, now_ns);
	if (!j) {
		log_msg(LOG_ERR, "out of memory recording a run that did not start");
		runreq_free(r);
		return;
	}
	j->why_not_run = reason;
	j->proc.uid = super_uid_of(s, j->user);
	super_finished(s, j);
}

/* R's entry was removed or replaced: R never starts. */
void super_cancel_run(struct super *s, struct run_request *r, int64_t now_ns)
{
	super_log_limited(s, SUPER_LIMITED_CANCEL, r->user, now_ns,
	                  "entry removed or replaced before its run could start: %.200s", r->command);
	super_record_not_run(s, r, SPOOL_RUN_CANCELLED, now_ns);
}

static bool cancelled_node(const struct fairq_node *n, void *ctx)
{
	(void)ctx;
	const struct run_request *r = (const struct run_request *)(const void *)(
		(const char *)n - offsetof(struct run_request, qnode));
	return runreq_cancelled(r);
}

/* SUPER_SWEEP: entries were cancelled; their waiting runs go now. */
void super_sweep_cancelled(struct super *s)
{
	int64_t now_ns = clock_now_ns(&s->c->clock);
	struct fairq_node *n = fairq_take_if(&s->q, cancelled_node, NULL);
	while (n) {
		struct fairq_node *next = n->next;
		super_cancel_run(s, REQ_OF(n), now_ns);
		n = next;
	}
}

/* The owner of at job R (learnt from the spool), or NULL when the job is
 * gone (then R has been freed). */
static const char *at_owner(struct super *s, struct run_request *r)
{
	if (r->at_owner)
		return r->at_owner;
	struct spool_at_job at = { 0 };
	struct spool_err err = { .msg = "no spool connection" };
	struct spool *sp = recorder_spool(&s->rec);
	int rc = sp ? spool_at_get(sp, r->at_id, &at, &err) : SPOOL_IO;
	if (rc == SPOOL_OK)
		r->at_owner = strdup(at.owner);
	spool_at_job_free(&at);
	if (rc != SPOOL_OK || !r->at_owner) {
		if (rc == SPOOL_NOT_FOUND) {
			log_msg(LOG_DEBUG, "at job %lld is gone", (long long)r->at_id);
			runreq_free(r);
		} else {
			super_at_retry(s, r, rc == SPOOL_OK ? "out of memory" : err.msg,
			               clock_now_ns(&s->c->clock));
		}
		return NULL;
	}
	return r->at_owner;
}

void super_at_retry(struct super *s, struct run_request *r, const char *why, int64_t now_ns)
{
	log_msg(LOG_ERR, "at job %lld not started: %s; tried again in %ds", (long long)r->at_id,
	        why, AT_FULL_RETRY);
	timer_post_at_add(s->c, r->at_id, r->queue, r->at_uid, now_ns / NS + AT_FULL_RETRY);
	runreq_free(r);
}

enum fairq_class super_run_class(const struct run_request *r, const char *user)
{
	if (strcmp(user, "root") == 0)
		return FAIRQ_SYSTEM;
	return r->kind == DUE_CRON && r->snap && r->snap->kind == SOURCE_SYSTEM ? FAIRQ_SYSTEM
	                                                                         : FAIRQ_USER;
}

/* A refused run: logged and recorded; an at job stays in the spool and is
 * tried again later instead (it runs once, so it must not be lost). */
static void refuse(struct super *s, struct run_request *r, const char *user,
                   enum fairq_verdict v, int64_t now_ns)
{
	if (r->kind == DUE_AT) {
		super_log_limited(s, SUPER_LIMITED_DEFER, user, now_ns, "at job %lld: %s, retried in %ds",
		                  (long long)r->at_id, fairq_verdict_name(v), AT_FULL_RETRY);
		timer_post_at_add(s->c, r->at_id, r->queue, r->at_uid, now_ns / NS + AT_FULL_RETRY);
		runreq_free(r);
		return;
	}
	if (v == FAIRQ_COALESCED)
		super_log_limited(s, SUPER_LIMITED_SKIP, user, now_ns, "coalesced: a run of this entry is still waiting: %.200s",
		          r->command);
	else if (v == FAIRQ_NOMEM)
		super_log_limited(s, SUPER_LIMITED_SKIP, user, now_ns, "out of memory queueing it: %.200s", r->command);
	else
		super_log_limited(s, SUPER_LIMITED_SKIP, user, now_ns, "queue full: %zu runs of %s waiting, %zu in all: %.200s",
		          fairq_user_waiting(&s->q, user, super_run_class(r, user)), user,
		          fairq_waiting(&s->q), r->command);
	super_record_not_run(s, r, v == FAIRQ_COALESCED ? SPOOL_RUN_COALESCED : SPOOL_RUN_QUEUE_FULL,
	               now_ns);
}

/* A run from the timer: cancelled already, refused, or waiting for a slot. */
void super_admit(struct super *s, struct run_request *r)
{
	int64_t now_ns = clock_now_ns(&s->c->clock);
	if (r->client)
		runclients_adopt(&s->clients, r->client);
	if (runreq_cancelled(r)) {
		super_cancel_run(s, r, now_ns);
		return;
	}
	const char *user = r->kind == DUE_AT ? at_owner(s, r) : r->user;
	if (!user)
		return;
	if (r->client) {
		if (runclients_of_user(&s->clients, user) > RUNCLIENT_PER_USER) {
			super_log_limited(s, SUPER_LIMITED_SKIP, user, now_ns, "crontab --run refused: %d runs by hand still going: "
			          "%.200s", RUNCLIENT_PER_USER, r->command);
			runclient_error(r->client, MSGE_BUSY, "%s already has %d runs started with "
			                "crontab --run going; wait for one to end", user,
			                RUNCLIENT_PER_USER);
			runreq_free(r);
			return;
		}
	}
	/* A manual run is never coalesced with a waiting scheduled run, nor
	 * in its way: it has no key. */
	enum fairq_verdict v = fairq_push(&s->q, &r->qnode, user, super_run_class(r, user),
	                                  r->kind == DUE_CRON && !r->manual ? r->entry_key : NULL);
	if (v != FAIRQ_QUEUED)
		refuse(s, r, user, v, now_ns);
}

/* Frees every waiting run (at stop). */
size_t super_drop_waiting(struct super *s)
{
	size_t n = 0;
	struct fairq_node *node = fairq_take_if(&s->q, NULL, NULL);
	while (node) {
		struct fairq_node *next = node->next;
		struct run_request *r = REQ_OF(node);
		if (r->client)
			runclient_error(r->client, MSGE_BUSY, "crond is stopping; the run did not start");
		runreq_free(r);
		node = next;
		n++;
	}
	return n;
}
