/* crond/run/supervisor.c: the supervisor thread (see supervisor.h).
 *
 * Runs wait for a slot in a fair queue (crond/run/fairq.h): every run that
 * arrives is admitted or refused at once (coalesced, queue full: a log line
 * and a history record each), and the queue decides which waiting run takes
 * a slot that frees. A run whose entry was removed or replaced meanwhile is
 * never started: it is recorded as cancelled, when the timer says entries
 * were cancelled (SUPER_SWEEP) and, for a run that raced with that, when it
 * would start.
 */
#include "crond/run/supervisor.h"
#include "crond/run/supervisor_internal.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/run/claim.h"
#include "crond/run/claimwait.h"
#include "crond/run/fairq.h"
#include "crond/run/job.h"
#include "crond/log.h"
#include "crond/observe/metrics.h"
#include "crond/run/recorder.h"
#include "crond/control/runclient.h"
#include "crond/run/runreq.h"
#include "lib/history_rows.h"
#include "crond/sched/timer.h"

#define NO_PIDFD_POLL_NS (200 * 1000000LL)   /* reap by polling without pidfds */
#define AT_FULL_RETRY 60    /* seconds: an at job refused for a full queue waits in the spool */

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

/* Claims and loads an at job; false (logged) when it is no longer waiting. */
static bool claim_at(struct super *s, const struct run_request *r, struct spool_at_job *at,
                     int64_t now)
{
	struct spool_err err;
	struct spool *sp = recorder_spool(&s->rec);
	if (!sp) {
		log_msg(LOG_ERR, "at job %lld not started: no spool connection", (long long)r->at_id);
		return false;
	}
	int rc = spool_at_claim(sp, r->at_id, now, &err);
	if (rc == SPOOL_CONFLICT || rc == SPOOL_NOT_FOUND) {
		log_msg(LOG_DEBUG, "at job %lld is gone or already claimed", (long long)r->at_id);
		return false;
	}
	if (rc == SPOOL_OK)
		rc = spool_at_get(sp, r->at_id, at, &err);
	if (rc != SPOOL_OK) {
		log_msg(LOG_ERR, "at job %lld not started: %s", (long long)r->at_id, err.msg);
		return false;
	}
	return true;
}

/* ------------------------------------------------ crontab --run clients */

/* J is over (it ran, or never started): the client of a manual run gets
 * the end, with the flags its history record will carry. */
static void tell_client(const struct job *j)
{
	struct run_client *c = j->req ? j->req->client : NULL;
	if (!c || c->ended)
		return;
	struct spool_run run;
	char key[64];
	job_record(j, &run, key, sizeof(key));
	runclient_end(c, j->wstatus, history_row_flags(&run), j->fail_msg);
}

/* J is over: its client is told, its record written at the next flush. */
void super_finished(struct super *s, struct job *j)
{
	tell_client(j);
	recorder_finished(&s->rec, j);
}

static void launch_one(struct super *s, struct run_request *r, int64_t now_ns)
{
	char err[512];
	struct spool_at_job at = { 0 };
	struct job *j;
	pid_t other;
	if (r->kind == DUE_CRON && r->keep_state)
		recorder_state(&s->rec, r->entry_key, r->scheduled, now_ns / NS);
	if (r->kind == DUE_CRON && r->overlap_skip && still_running(s, r->entry_key, &other)) {
		super_give_back(s, r);
		log_event(r->user, "SKIP", "previous run pid=%d still running: %.200s", (int)other,
		          r->command);
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
	if (r->kind == DUE_AT && !claim_at(s, r, &at, now_ns / NS)) {
		super_give_back(s, r);
		runreq_free(r);
		return;
	}
	j = job_start(r, r->kind == DUE_AT ? &at : NULL, &s->cfg, &s->ids, &s->kit, now_ns,
	              err, sizeof(err));
	if (!j) {
		super_give_back(s, r);
		const char *who = r->kind == DUE_AT ? at.owner : r->user;
		log_event(who ? who : "?", "FAIL", "cannot start %.200s: %s",
		          r->kind == DUE_AT ? "at job" : r->command, err);
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
	}
	job_log_start(j);
	if (r->client) {
		r->client->started = true;
		runclient_state(r->client, RUN_STATE_STARTED, (int)j->proc.pid);
	}
	if (super_adopt(s, j))
		recorder_started(&s->rec, j);   /* its running record */
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
static void cancel_run(struct super *s, struct run_request *r, int64_t now_ns)
{
	log_event(r->user, "CANCEL", "entry removed or replaced before its run could start: %.200s",
	          r->command);
	super_record_not_run(s, r, SPOOL_RUN_CANCELLED, now_ns);
}

/* Starts what the fair queue lets start, a batch at a time: on a shared
 * spool the batch is claimed in one transaction first. */
static void launch_pending(struct super *s)
{
	struct run_request *batch[CLAIM_BATCH_MAX];
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
				cancel_run(s, r, now_ns);
				continue;
			}
			launch_one(s, r, now_ns);
		}
	}
	runner_ids_clear(&s->ids);   /* the next pass looks its owners up afresh */
}

static bool cancelled_node(const struct fairq_node *n, void *ctx)
{
	(void)ctx;
	const struct run_request *r = (const struct run_request *)(const void *)(
		(const char *)n - offsetof(struct run_request, qnode));
	return runreq_cancelled(r);
}

/* SUPER_SWEEP: entries were cancelled; their waiting runs go now. */
static void sweep_cancelled(struct super *s)
{
	int64_t now_ns = clock_now_ns(&s->c->clock);
	struct fairq_node *n = fairq_take_if(&s->q, cancelled_node, NULL);
	while (n) {
		struct fairq_node *next = n->next;
		cancel_run(s, REQ_OF(n), now_ns);
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
		if (rc == SPOOL_NOT_FOUND)
			log_msg(LOG_DEBUG, "at job %lld is gone", (long long)r->at_id);
		else
			log_msg(LOG_ERR, "at job %lld not started: %s", (long long)r->at_id,
			        rc == SPOOL_OK ? "out of memory" : err.msg);
		runreq_free(r);
		return NULL;
	}
	return r->at_owner;
}

/* Root and the system crontabs form the system class, which users cannot
 * starve (fairq.h). */
static enum fairq_class run_class(const struct run_request *r, const char *user)
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
		log_event(user, "DEFER", "at job %lld: %s, retried in %ds", (long long)r->at_id,
		          fairq_verdict_name(v), AT_FULL_RETRY);
		timer_post_at_add(s->c, r->at_id, r->queue, now_ns / NS + AT_FULL_RETRY);
		runreq_free(r);
		return;
	}
	if (v == FAIRQ_COALESCED)
		log_event(user, "SKIP", "coalesced: a run of this entry is still waiting: %.200s",
		          r->command);
	else if (v == FAIRQ_NOMEM)
		log_event(user, "SKIP", "out of memory queueing it: %.200s", r->command);
	else
		log_event(user, "SKIP", "queue full: %zu runs of %s waiting, %zu in all: %.200s",
		          fairq_user_waiting(&s->q, user, run_class(r, user)), user,
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
		cancel_run(s, r, now_ns);
		return;
	}
	const char *user = r->kind == DUE_AT ? at_owner(s, r) : r->user;
	if (!user)
		return;
	if (r->client) {
		if (runclients_of_user(&s->clients, user) > RUNCLIENT_PER_USER) {
			log_event(user, "SKIP", "crontab --run refused: %d runs by hand still going: "
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
	enum fairq_verdict v = fairq_push(&s->q, &r->qnode, user, run_class(r, user),
	                                  r->kind == DUE_CRON && !r->manual ? r->entry_key : NULL);
	if (v != FAIRQ_QUEUED)
		refuse(s, r, user, v, now_ns);
}

/* Frees every waiting run (at stop). */
static size_t drop_waiting(struct super *s)
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

static void begin_stop(struct super *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	size_t dropped = drop_waiting(s) + super_drop_held(s);
	if (dropped)
		log_msg(LOG_NOTICE, "stopping: %zu queued runs not started", dropped);
	int64_t mono = clock_mono_ns();
	int64_t kill_at = mono + (int64_t)s->cfg.stop_grace * NS;
	for (struct job *j = s->running; j; j = j->next) {
		if (j->exited)
			continue;
		if (j->kind != JOB_MAIL) {
			j->interrupted = true;
			if (kill(-j->proc.pid, SIGTERM) < 0 && errno != ESRCH)
				log_msg(LOG_WARNING, "kill(-%d, SIGTERM): %s", (int)j->proc.pid, strerror(errno));
		}
		j->kill_at_mono = kill_at;
	}
}

static void take_mail(struct super *s)
{
	struct mailbox_item *it = mailbox_take_all(&s->c->super_box);
	while (it) {
		struct mailbox_item *next = it->next;
		struct run_request *r = (struct run_request *)(void *)it;
		if (r->msg == SUPER_STOP) {
			runreq_free(r);
			begin_stop(s);
		} else if (r->msg == SUPER_SWEEP) {
			runreq_free(r);
			sweep_cancelled(s);
		} else if (r->msg == SUPER_CLIENT) {
			runclients_adopt(&s->clients, r->client);   /* it holds its error already */
			runreq_free(r);
		} else if (s->stopping) {
			if (r->client) {
				runclients_adopt(&s->clients, r->client);
				runclient_error(r->client, MSGE_BUSY, "crond is stopping; the run did not "
				                "start");
			}
			runreq_free(r);
		} else {
			r->link.next = NULL;
			super_hold_or_admit(s, r);
		}
		it = next;
	}
}

static void check_deadlines(struct super *s)
{
	int64_t mono = clock_mono_ns();
	for (struct job *j = s->running; j; j = j->next) {
		if (j->exited)
			continue;
		if (j->term_at_mono && mono >= j->term_at_mono) {
			j->term_at_mono = 0;
			j->timed_out = true;
			j->kill_at_mono = mono + JOB_KILL_AFTER_NS;
			log_event(j->user, "TIMEOUT", "pid=%d after %us, sent SIGTERM: %s", (int)j->proc.pid,
			          j->req ? j->req->timeout : 0, j->label);
			kill(-j->proc.pid, SIGTERM);
		}
		if (j->kill_at_mono && mono >= j->kill_at_mono) {
			j->kill_at_mono = 0;
			log_event(j->user, "KILL", "pid=%d did not stop after SIGTERM, sent SIGKILL",
			          (int)j->proc.pid);
			kill(-j->proc.pid, SIGKILL);
		}
	}
}

static void collect_done(struct super *s)
{
	for (struct job **p = &s->running; *p;) {
		struct job *j = *p;
		if (!job_done(j)) {
			p = &j->next;
			continue;
		}
		*p = j->next;
		super_release_slot(s, j);
		if (j->kind != JOB_MAIL) {
			s->n_jobs--;
			super_give_back(s, j->req);
		}
		job_log_end(j);
		if (j->kind == JOB_MAIL) {
			job_free(j);
			continue;
		}
		super_send_mail(s, j);
		super_finished(s, j);
	}
}

static void on_event(struct super *s, const struct epoll_event *ev, int64_t now_ns)
{
	if (ev->data.u64 == TAG_MAILBOX) {
		take_mail(s);
		return;
	}
	if (ev->data.u64 == TAG_TIMER) {
		uint64_t n;
		ssize_t r = read(s->tfd, &n, sizeof(n));
		(void)r;
		return;
	}
	if ((ev->data.u64 & TAG_CLIENT) && ev->data.u64 < TAG_TIMER) {
		runclients_event(&s->clients, ev->data.u64, ev->events);
		return;
	}
	enum job_fd which;
	struct job *j = super_tagged_job(s, ev->data.u64, &which);
	if (!j)
		return;   /* a descriptor of a job already finished */
	switch (which) {
	case JOB_FD_OUT: job_read_output(j, s->cfg.output_cap); break;
	case JOB_FD_ERR: job_check_started(j); break;
	case JOB_FD_PID: job_reap(j, now_ns); break;
	}
}

/* Arms the deadline timer; returns true if some job needs reaping by polling. */
static bool arm_deadlines(struct super *s)
{
	int64_t mono = clock_mono_ns(), next = INT64_MAX;
	bool poll_reap = false;
	for (const struct job *j = s->running; j; j = j->next) {
		int64_t d[3] = { j->exited ? 0 : j->term_at_mono, j->exited ? 0 : j->kill_at_mono,
			         j->exited && !j->out_eof ? j->linger_until_mono : 0 };
		for (int i = 0; i < 3; i++)
			if (d[i] && d[i] < next)
				next = d[i];
		if (!j->exited && j->proc.pidfd < 0)
			poll_reap = true;
	}
	next = runclients_next_deadline(&s->clients, next);
	if (claimwait_next(&s->held) < next)
		next = claimwait_next(&s->held);
	int64_t prune = recorder_next_prune(&s->rec), mw = metrics_next_write(&s->metrics);
	if (prune < next)
		next = prune;
	if (mw < next)
		next = mw;
	if (poll_reap && mono + NO_PIDFD_POLL_NS < next)
		next = mono + NO_PIDFD_POLL_NS;
	struct itimerspec its = { 0 };
	if (next != INT64_MAX) {
		int64_t d = next - mono;
		if (d < 1)
			d = 1;
		its.it_value = (struct timespec){ d / NS, d % NS };
	}
	timerfd_settime(s->tfd, 0, &its, NULL);
	return poll_reap;
}

static void refresh_config(struct super *s)
{
	if (atomic_load(&s->c->cfg_gen) != s->cfg_gen) {
		s->cfg_gen = crond_config_copy(s->c, &s->cfg);
		struct fairq_limits lim;
		fairq_limits_from_config(&s->cfg, &lim);
		fairq_set_limits(&s->q, &lim);
	}
	recorder_set_limits(&s->rec, s->cfg.history_days, s->cfg.history_per_entry,
	                    s->cfg.history_per_user);
}

/* Gives the metrics what is running and waiting (and what the timer
 * publishes); they write the file when it is due. */
static void publish_metrics(struct super *s, bool force)
{
	struct metrics_gauges g = { s->n_jobs, fairq_waiting(&s->q), atomic_load(&s->c->at_jobs),
		                    atomic_load(&s->c->entries) };
	metrics_tick(&s->metrics, s->cfg.metrics_file, &g, clock_mono_ns(), force);
}

/* The first user and group lookup loads the name-service modules (a few
 * milliseconds with LDAP or sss); the supervisor thread does it as it
 * starts, beside main's start-up rather than in it, and before any job is
 * due. */
static void warm_up_lookups(void)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t groups[64];
	int n = 64;
	if (getpwnam_r("root", &pw, buf, sizeof(buf), &res) == 0 && res)
		(void)getgrouplist(pw.pw_name, pw.pw_gid, groups, &n);
}

static void *super_main(void *arg)
{
	struct super *s = arg;
	struct epoll_event evs[64];
	/* Here, beside main's start-up rather than in it; main set the
	 * daemon's signal dispositions before it started this thread. */
	if (runner_kit_init(&s->kit) < 0)
		log_msg(LOG_WARNING, "supervisor: starting jobs without a kept stack or /dev/null (%s)",
		        strerror(errno));
	warm_up_lookups();
	publish_metrics(s, false);   /* the file exists from the start */
	while (!s->leave) {
		bool poll_reap = arm_deadlines(s);
		int n = epoll_wait(s->ep, evs, 64, -1);
		if (n < 0 && errno != EINTR)
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
		refresh_config(s);
		int64_t now_ns = clock_now_ns(&s->c->clock);
		for (int i = 0; i < n; i++)
			on_event(s, &evs[i], now_ns);
		if (poll_reap)
			for (struct job *j = s->running; j; j = j->next)
				job_reap(j, now_ns);
		check_deadlines(s);
		super_retry_missed(s);
		/* Collect first: a slot freed by a job that just ended goes to a
		 * waiting run now, not at the next unrelated wake. */
		collect_done(s);
		super_release_held(s);
		launch_pending(s);
		recorder_flush(&s->rec);
		runclients_step(&s->clients, clock_mono_ns());   /* after the flush: a client told a run ended
		                    * finds it in the history */
		recorder_prune_step(&s->rec, now_ns);
		atomic_store(&s->c->jobs_running, s->n_jobs);
		atomic_store(&s->c->jobs_queued, fairq_waiting(&s->q));
		if (s->stopping && !s->running)
			s->leave = true;
		publish_metrics(s, s->leave);
	}
	recorder_close(&s->rec);
	runner_ids_clear(&s->ids);
	runner_kit_free(&s->kit);
	metrics_free(&s->metrics);
	fairq_free(&s->q);
	runclients_free(&s->clients);
	super_claims_free(s);
	close(s->ep);
	close(s->tfd);
	free(s->slots);
	free(s->gens);
	free(s);
	return NULL;
}

static int add_marker(struct super *s, int fd, uint64_t t)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = t };
	return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
}

int supervisor_start(struct crond *c)
{
	struct super *s = calloc(1, sizeof(*s));
	if (!s) {
		log_msg(LOG_ERR, "out of memory starting the supervisor");
		return -1;
	}
	s->c = c;
	s->cfg_gen = crond_config_copy(c, &s->cfg);
	claimwait_init(&s->held);
	struct fairq_limits lim;
	fairq_limits_from_config(&s->cfg, &lim);
	if (fairq_init(&s->q, &lim) < 0) {
		log_msg(LOG_ERR, "out of memory starting the supervisor");
		free(s);
		return -1;
	}
	char err[600];
	if (metrics_init(&s->metrics) < 0) {
		log_msg(LOG_ERR, "out of memory starting the supervisor");
		fairq_free(&s->q);
		free(s);
		return -1;
	}
	if (recorder_open(&s->rec, s->cfg.spool, c->node, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "supervisor: %s", err);
		metrics_free(&s->metrics);
		fairq_free(&s->q);
		free(s);
		return -1;
	}
	s->rec.metrics = &s->metrics;
	recorder_set_limits(&s->rec, s->cfg.history_days, s->cfg.history_per_entry,
	                    s->cfg.history_per_user);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	s->clients = (struct run_clients){ .ep = s->ep, .tag = TAG_CLIENT };
	int rc = (s->ep < 0 || s->tfd < 0 || add_marker(s, c->super_box.efd, TAG_MAILBOX) < 0 ||
	          add_marker(s, s->tfd, TAG_TIMER) < 0) ? errno : 0;
	if (!rc)
		rc = pthread_create(&c->super_thread, NULL, super_main, s);
	if (rc) {
		log_msg(LOG_ERR, "cannot start the supervisor: %s", strerror(rc));
		recorder_close(&s->rec);
		metrics_free(&s->metrics);
		fairq_free(&s->q);
		if (s->ep >= 0)
			close(s->ep);
		if (s->tfd >= 0)
			close(s->tfd);
		free(s);
		return -1;
	}
	return 0;
}

void supervisor_stop(struct crond *c)
{
	struct run_request *r = runreq_stop();
	if (!r) {
		log_msg(LOG_ERR, "out of memory stopping the supervisor");
		return;
	}
	mailbox_post(&c->super_box, &r->link);
	pthread_join(c->super_thread, NULL);
}
