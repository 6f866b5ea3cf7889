/* crond/run/supervisor.c: the supervisor thread (see supervisor.h).
 *
 * Runs wait for a slot in a fair queue (crond/run/fairq.h): every run that
 * arrives is admitted or refused at once (coalesced, queue full: a log line
 * and a history record each), and the queue decides which waiting run takes
 * a slot that frees. A run whose entry was removed or replaced meanwhile is
 * never started: it is recorded as cancelled, when the timer says entries
 * were cancelled (SUPER_SWEEP) and, for a run that raced with that, when it
 * would start.
 *
 * This file is the thread's core: its loop, start and stop, events,
 * deadlines and configuration. Its parts, all run by this thread alone on
 * the state in supervisor_internal.h: supervisor_admit.c (runs arriving at
 * the queue), supervisor_launch.c (runs leaving it), supervisor_slots.c
 * (the running jobs and their epoll tags), supervisor_mail.c (mailing
 * their output), supervisor_claims.c (the cluster part).
 */
#include "crond/run/supervisor.h"
#include "crond/run/supervisor_internal.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "crond/run/claimwait.h"
#include "crond/run/fairq.h"
#include "crond/run/job.h"
#include "crond/run/orphans.h"
#include "crond/log.h"
#include "crond/observe/metrics.h"
#include "crond/run/recorder.h"
#include "crond/control/runclient.h"
#include "crond/run/runreq.h"
#include "lib/history_rows.h"

#define NO_PIDFD_POLL_NS (200 * 1000000LL)   /* reap by polling without pidfds */
#define ORPHANS_PER_TURN 4096                  /* reaped at most, then other work */

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
	runclient_end(c, j->wstatus, history_row_flags(&run), job_fail_msg(j));
}

/* J is over: its client is told, its record written at the next flush. */
void super_finished(struct super *s, struct job *j)
{
	tell_client(j);
	recorder_finished(&s->rec, j);
}

/* Stopping: a job that has exited waits for its output's EOF (a process
 * it left in the background may hold the pipe) no longer than the stop's
 * grace, not the usual JOB_LINGER_NS: a user's `setsid sleep 300 &` held
 * every stop for 60 s, past systemd's TimeoutStopSec. */
static void stop_lingering(const struct super *s, struct job *j)
{
	if (s->stopping && j->exited && j->linger_until_mono > s->stop_kill_mono)
		j->linger_until_mono = s->stop_kill_mono;
}

static void begin_stop(struct super *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	size_t dropped = super_drop_waiting(s) + super_drop_held(s);
	if (dropped)
		log_msg(LOG_NOTICE, "stopping: %zu queued runs not started", dropped);
	int64_t mono = clock_mono_ns();
	int64_t kill_at = mono + (int64_t)s->cfg.stop_grace * NS;
	s->stop_kill_mono = kill_at;
	for (struct job *j = s->running; j; j = j->next) {
		if (j->exited) {
			stop_lingering(s, j);
			super_touch(s, j);
			continue;
		}
		if (j->kind != JOB_MAIL) {
			j->interrupted = true;
			if (runner_signal(&j->proc, SIGTERM) < 0 && errno != ESRCH)
				log_msg(LOG_WARNING, "kill(-%d, SIGTERM): %s", (int)j->proc.pid, strerror(errno));
			runner_signal(&j->proc, SIGCONT);   /* a stopped job gets it now */
		}
		j->kill_at_mono = kill_at;
		super_touch(s, j);   /* its deadlines moved */
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
			super_sweep_cancelled(s);
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

/* The jobs whose next deadline has passed: a paused pipe is drained, a
 * job past its timeout gets SIGTERM, one that outlived its SIGTERM
 * SIGKILL; each is touched (a job past its wait for output EOF is done). */
static void check_deadlines(struct super *s)
{
	int64_t mono = clock_mono_ns();
	struct heap_node top;
	while (heap_peek(&s->deadlines, &top) && top.key <= mono) {
		heap_remove(&s->deadlines, top.id);
		struct job *j = s->slots[top.id];
		super_touch(s, j);   /* settled at the turn's end: its next deadline */
		if (j->drain_at_mono && mono >= j->drain_at_mono)
			super_take_output(s, j);
		if (j->exited)
			continue;
		if (j->term_at_mono && mono >= j->term_at_mono) {
			j->term_at_mono = 0;
			j->timed_out = true;
			j->kill_at_mono = mono + JOB_KILL_AFTER_NS;
			log_event(j->user, "TIMEOUT", "pid=%d after %us, sent SIGTERM: %s", (int)j->proc.pid,
			          j->kind == JOB_MAIL ? j->mail_timeout : j->req ? j->req->timeout : 0,
			          j->label);
			runner_signal(&j->proc, SIGTERM);
			runner_signal(&j->proc, SIGCONT);   /* a stopped process gets it now */
		}
		if (j->kill_at_mono && mono >= j->kill_at_mono) {
			j->kill_at_mono = 0;
			log_event(j->user, "KILL", "pid=%d did not stop after SIGTERM, sent SIGKILL",
			          (int)j->proc.pid);
			runner_signal(&j->proc, SIGKILL);
		}
	}
}

/* DONE's jobs (linked by touched_next), which gave their slots back: each
 * is logged, mailed and recorded. */
static void collect_list(struct super *s, struct job *done)
{
	while (done) {
		struct job *j = done;
		done = j->touched_next;
		j->touched_next = NULL;
		if (j->kind != JOB_MAIL) {
			s->n_jobs--;
			super_give_back(s, j->req);
		}
		job_end_as_the_shell(j, s->cfg.output_cap);
		super_log_job(s, j, false);
		if (j->kind == JOB_MAIL) {
			char why[512];
			if (job_mail_failure(j, why, sizeof(why)))
				super_log_limited(s, SUPER_LIMITED_MAIL, j->user,
				                  clock_now_ns(&s->c->clock), "%s", why);
			job_free(j);
			continue;
		}
		super_send_mail(s, j);   /* may adopt a sendmail (touched) */
		super_finished(s, j);
	}
}

/* The touched jobs that are done are collected; the others wait for
 * their next event or deadline. */
static void collect_done(struct super *s)
{
	/* Again while collecting touched more (a sendmail adopted). */
	for (struct job *done; (done = super_settle_touched(s));)
		collect_list(s, done);
}

/* Reaps J if it has exited. A start still undecided then is decided now:
 * the child holds nothing any more, so no EOF is coming from it. */
static void reap(struct super *s, struct job *j, int64_t now_ns)
{
	bool was = j->exited;
	if (!job_reap(j, now_ns))
		return;
	if (!was && j->reap_polled) {
		j->reap_polled = false;
		s->n_reap_polled--;
	}
	if (!j->decided)
		super_check_started(s, j);
	stop_lingering(s, j);
	super_touch(s, j);
}

/* Whether an event tag is the mailbox's, the timer's or a client's (not
 * a job's). */
static bool is_marker(uint64_t tag)
{
	return tag == TAG_MAILBOX || tag == TAG_TIMER || tag == TAG_SIGCHLD ||
	       (tag & TAG_CLIENT);
}

/* Whether PID is a running job's (or a mail's): its wait status is its
 * own path's to take (reap). */
static bool is_running_child(void *ctx, pid_t pid)
{
	const struct super *s = ctx;
	for (const struct job *j = s->running; j; j = j->next)
		if (j->proc.pid == pid && !j->exited)
			return true;
	return false;
}

/* While crond inherits orphans (PID 1 of a container): reaps those that
 * have exited, at each turn and at each SIGCHLD (orphans.h). */
static void reap_orphans(struct super *s)
{
	if (s->sigchld_fd < 0)
		return;
	/* A full turn's worth: more may have exited, whose SIGCHLD the
	 * signalfd has already given; the loop looks again without sleeping. */
	s->orphans_left = orphans_reap(is_running_child, s, ORPHANS_PER_TURN) == ORPHANS_PER_TURN;
}

/* An event on one of a job's descriptors. */
static void on_job_event(struct super *s, const struct epoll_event *ev, int64_t now_ns)
{
	enum job_fd which;
	struct job *j = super_tagged_job(s, ev->data.u64, &which);
	if (!j)
		return;   /* a descriptor of a job already finished */
	super_touch(s, j);
	switch (which) {
	case JOB_FD_OUT: super_take_output(s, j); break;
	case JOB_FD_ERR: super_check_started(s, j); break;
	case JOB_FD_PID: reap(s, j, now_ns); break;
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
	if (ev->data.u64 == TAG_SIGCHLD) {   /* reaped at the turn's end */
		struct signalfd_siginfo si[16];
		while (read(s->sigchld_fd, si, sizeof(si)) > 0)
			;
		return;
	}
	if ((ev->data.u64 & TAG_CLIENT) && ev->data.u64 < TAG_TIMER) {
		runclients_event(&s->clients, ev->data.u64, ev->events);
		return;
	}
	on_job_event(s, ev, now_ns);
}

void super_poll_jobs(struct super *s)
{
	struct epoll_event evs[64];
	int n = epoll_wait(s->ep, evs, 64, 0);
	if (n <= 0)
		return;
	int64_t now_ns = clock_now_ns(&s->c->clock);
	for (int i = 0; i < n; i++)
		if (!is_marker(evs[i].data.u64))
			on_job_event(s, &evs[i], now_ns);
}

/* Arms the deadline timer; returns true if some job needs reaping by polling. */
static bool arm_deadlines(struct super *s)
{
	int64_t mono = clock_mono_ns(), next = INT64_MAX;
	bool poll_reap = s->n_reap_polled > 0;
	struct heap_node top;
	if (heap_peek(&s->deadlines, &top))
		next = top.key;
	next = runclients_next_deadline(&s->clients, next);
	if (claimwait_next(&s->held) < next)
		next = claimwait_next(&s->held);
	if (s->n_settle && s->settle_mono > mono && s->settle_mono < next)
		next = s->settle_mono;   /* claims to settle (supervisor_claims.c) */
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

static void *super_main(void *arg)
{
	struct super *s = arg;
	struct epoll_event evs[64];
	/* Here, beside main's start-up rather than in it; main set the
	 * daemon's signal dispositions before it started this thread. */
	if (runner_kit_init(&s->kit) < 0)
		log_msg(LOG_WARNING, "supervisor: starting jobs without a kept stack or /dev/null (%s)",
		        strerror(errno));
	s->kit.job_nofile = s->c->job_nofile;
	super_check_clean_helper(s, clock_mono_ns());
	publish_metrics(s, false);   /* the file exists from the start */
	while (!s->leave) {
		bool poll_reap = arm_deadlines(s);
		/* No sleep while a metrics write is under way (a step per turn,
		 * after whatever is ready), nor while jobs are touched: those
		 * whose events were handled in the middle of a batch of starts
		 * (a job seen to end there is collected only by a turn of this
		 * loop, and its events are spent: without this, its END, mail
		 * and record waited for the next wake, a minute later in
		 * hardening_mail_hold), and those just started, whose deadlines
		 * the next turn puts in the heap before any sleep. */
		bool look_again = s->touched || s->orphans_left || metrics_writing(&s->metrics);
		int n = epoll_wait(s->ep, evs, 64, look_again ? 0 : -1);
		if (n < 0 && errno != EINTR)
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
		refresh_config(s);
		super_check_clean_helper(s, clock_mono_ns());   /* before any start */
		int64_t now_ns = clock_now_ns(&s->c->clock);
		for (int i = 0; i < n; i++)
			on_event(s, &evs[i], now_ns);
		if (poll_reap)
			for (struct job *j = s->running; j; j = j->next)
				reap(s, j, now_ns);
		check_deadlines(s);
		super_retry_missed(s);
		/* Collect first: a slot freed by a job that just ended goes to a
		 * waiting run now, not at the next unrelated wake. */
		collect_done(s);
		reap_orphans(s);
		super_release_held(s);
		super_launch_pending(s);
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
	free(s->helper.said_what);
	metrics_free(&s->metrics);
	fairq_free(&s->q);
	runclients_free(&s->clients);
	super_claims_free(s);
	close(s->ep);
	close(s->tfd);
	if (s->sigchld_fd >= 0)
		close(s->sigchld_fd);
	heap_free(&s->deadlines);
	free(s->slots);
	free(s->gens);
	free(s->free_slots);
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
	heap_init(&s->deadlines);
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
	s->sigchld_fd = -1;
	if (!rc && orphans_come_here()) {
		/* SIGCHLD is blocked in every thread (signals_block_all): it
		 * waits for this descriptor. */
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		s->sigchld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
		if (s->sigchld_fd < 0 || add_marker(s, s->sigchld_fd, TAG_SIGCHLD) < 0)
			rc = errno;
		else
			log_msg(LOG_INFO, "supervisor: crond is PID 1 or a subreaper: orphaned "
			        "processes are reaped");
	}
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
		if (s->sigchld_fd >= 0)
			close(s->sigchld_fd);
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
