/* crond/run/job.c: a job from start to record (see job.h). */
#include "crond/run/job.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/clock.h"
#include "crond/log.h"
#include "crond/session.h"
#include "crond/control/runclient.h"
#include "lib/plaincmd.h"
#include "lib/proto_msgs.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* the helper's message is kept whole (crond/session.h) */
_Static_assert(SESSION_REPORT_TEXT <= JOB_FAIL_MSG_MAX, "a helper's message would be cut");

static void set_label(struct job *j, const char *text)
{
	snprintf(j->label, sizeof(j->label), "%.*s", JOB_LABEL_MAX, text);
	for (char *p = j->label; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

/* Keeps MSG (at most JOB_FAIL_MSG_MAX - 1 bytes of it) as why J did not
 * start; out of memory, J keeps none (job_fail_msg then says ""). */
static void set_fail_msg(struct job *j, const char *msg)
{
	free(j->fail_msg);
	j->fail_msg = msg != NULL && msg[0] != '\0' ? strndup(msg, JOB_FAIL_MSG_MAX - 1) : NULL;
}

static size_t count_env(const char *const *env)
{
	size_t n = 0;
	while (env && env[n])
		n++;
	return n;
}

static int at_nice(char queue)
{
	int n = (tolower((unsigned char)queue) - 'a') * 2;
	return n < 0 ? 0 : n > 19 ? 19 : n;
}

static void spec_for_cron(struct job_spec *spec, const struct run_request *req,
                          const struct config *cfg)
{
	spec->user = req->user;
	spec->shell = req->shell ? req->shell : cfg->shell;
	spec->command = req->command;
	spec->input = req->input;
	spec->input_len = req->input ? strlen(req->input) : 0;
	spec->assignments = (const char *const *)req->env;
	spec->n_assignments = req->n_env;
	spec->default_path = cfg->path;
	spec->direct_plain = cfg->direct_exec;
}

static void spec_for_at(struct job_spec *spec, const struct spool_at_job *at,
                        const struct config *cfg)
{
	spec->user = at->owner;
	spec->group = at->gid;
	spec->shell = "/bin/sh";
	spec->command = NULL;              /* sh reads the script on stdin */
	spec->input = at->script;
	spec->input_len = at->script_len;
	spec->assignments = at->env;
	spec->n_assignments = count_env(at->env);
	spec->default_path = cfg->path;
	spec->cwd = at->cwd;
	spec->cwd_inaccessible_exits = true;
	spec->umask = (int)at->umask;
	spec->nice = at_nice(at->queue);
}


struct job *job_start(struct run_request *req, struct spool_at_job *at, bool gated,
                      const struct config *cfg, struct runner_ids *ids, struct runner_kit *kit,
                      int64_t now_ns, char *err, size_t errlen)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct job_spec spec = JOB_SPEC_INIT;
	if (req->kind == DUE_CRON)
		spec_for_cron(&spec, req, cfg);
	else
		spec_for_at(&spec, at, cfg);
	if (cfg->pam) {   /* PAM's account and session steps (crond/session.h) */
		spec.pam_service = cfg->pam_service;
		spec.session_helper = cfg->session_helper;
	}
	spec.ids = ids;
	spec.kit = kit;
	spec.gated = gated && at != NULL;
	if (runner_start(&spec, &j->proc, err, errlen) < 0) {
		free(j);
		return NULL;
	}
	j->kind = req->kind == DUE_CRON ? JOB_CRON : JOB_AT;
	j->req = req;
	j->run_id = req->claim_id;   /* a claimed run's record was begun by its claim */
	if (at) {
		j->at = *at;
		j->have_at = true;
		*at = (struct spool_at_job){ 0 };
	}
	snprintf(j->user, sizeof(j->user), "%s", spec.user);
	if (j->kind == JOB_CRON) {
		set_label(j, req->command);
	} else {
		char l[64];
		snprintf(l, sizeof(l), "at job %lld", (long long)req->at_id);
		set_label(j, l);
	}
	j->start_ns = now_ns;
	j->start_mono = clock_mono_ns();
	if (j->kind == JOB_CRON && req->timeout)
		j->term_at_mono = j->start_mono + (int64_t)req->timeout * 1000000000;
	return j;
}

struct job *job_not_run(struct run_request *req, struct spool_at_job *at, bool skipped,
                        const char *msg, int64_t now_ns)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->kind = req->kind == DUE_CRON ? JOB_CRON : JOB_AT;
	j->proc = JOB_PROC_NONE;
	j->proc.pid = 0;
	j->proc.uid = (uid_t)-1;
	j->proc.gid = (gid_t)-1;
	j->req = req;
	j->run_id = req->claim_id;
	if (at) {
		j->at = *at;
		j->have_at = true;
		j->proc.uid = at->uid;
		*at = (struct spool_at_job){ 0 };
	}
	snprintf(j->user, sizeof(j->user), "%s", j->have_at ? j->at.owner : req->user);
	if (j->kind == JOB_CRON)
		set_label(j, req->command);
	else
		snprintf(j->label, sizeof(j->label), "at job %lld", (long long)req->at_id);
	j->start_ns = j->end_ns = now_ns;
	j->start_mono = j->end_mono = clock_mono_ns();
	j->decided = j->exited = j->out_eof = true;
	j->skipped = skipped;
	j->start_failed = !skipped;
	j->wstatus = skipped ? 0 : 127 << 8;
	set_fail_msg(j, msg);
	return j;
}

struct job *job_adopt_mail(struct job_proc *proc, const char *user, bool system, unsigned timeout,
                           int64_t now_ns)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->kind = JOB_MAIL;
	j->system_mail = system;
	j->proc = *proc;
	snprintf(j->user, sizeof(j->user), "%s", user);
	set_label(j, "sendmail");
	j->start_ns = now_ns;
	j->start_mono = clock_mono_ns();
	j->mail_timeout = timeout;
	j->term_at_mono = j->start_mono + (int64_t)timeout * 1000000000;
	return j;
}

/* Output past the cap, with no client to show it to: splice(2) drops what
 * the pipe holds in the kernel, where read(2) copied it out 64 KiB at a
 * time only to throw it away. Returns -1 when splice refused (the caller
 * reads instead: the count comes out the same), 1 when it dropped bytes,
 * else 0 (the pipe was empty, or at its end). */
static int discard_output(struct job *j, int discard)
{
	ssize_t r = splice(j->proc.out_fd, NULL, discard, NULL, JOB_DISCARD_BUDGET,
	                   SPLICE_F_NONBLOCK);
	if (r > 0) {
		j->out_total += (uint64_t)r;
		if (j->req && j->req->client)
			runclient_skipped(j->req->client, (size_t)r);   /* full, or gone */
		return 1;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;   /* level-triggered: the next pass comes back */
	if (r == 0) {
		close(j->proc.out_fd);   /* EOF, as in job_read_output */
		j->proc.out_fd = -1;
		j->out_eof = true;
		return 0;
	}
	return -1;
}

bool job_read_output(struct job *j, size_t cap, int discard)
{
	if (discard >= 0 && j->out_len >= cap && !(j->req && runclient_wants_output(j->req->client)) &&
	    j->proc.out_fd >= 0) {
		int dropped = discard_output(j, discard);
		if (dropped >= 0)
			return dropped == 1;
	}
	char scratch[65536];
	for (size_t budget = JOB_READ_BUDGET; j->proc.out_fd >= 0 && budget > 0;) {
		char *dst = scratch;
		size_t room = budget < sizeof(scratch) ? budget : sizeof(scratch);
		if (j->out_len < cap) {
			if (j->out_cap < cap) {
				size_t ncap = j->out_cap ? j->out_cap * 2 : 4096;
				if (ncap > cap)
					ncap = cap;
				char *n = realloc(j->out, ncap);
				if (n) {
					j->out = n;
					j->out_cap = ncap;
				}
			}
			if (j->out_len < j->out_cap) {
				dst = j->out + j->out_len;
				if (j->out_cap - j->out_len < room)
					room = j->out_cap - j->out_len;
			}
		}
		ssize_t r = read(j->proc.out_fd, dst, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return false;
		if (r <= 0) {
			/* EOF (or a read error, which ends the output the same way).
			 * Closing takes the descriptor out of the epoll set. */
			close(j->proc.out_fd);
			j->proc.out_fd = -1;
			j->out_eof = true;
			return false;
		}
		if (j->req && j->req->client)
			runclient_output(j->req->client, dst, (size_t)r);   /* crontab --run */
		if (dst != scratch)
			j->out_len += (size_t)r;
		j->out_total += (uint64_t)r;
		budget -= (size_t)r;
	}
	return false;
}

bool job_check_started(struct job *j, bool *failed_now)
{
	*failed_now = false;
	if (j->decided)
		return true;
	bool started;
	char msg[JOB_FAIL_MSG_MAX];
	if (runner_check_started(&j->proc, j->exited, &started, msg, sizeof(msg)) == 0)
		return false;
	j->decided = true;
	j->start_failed = !started;
	if (!started) {
		set_fail_msg(j, msg[0] ? msg : "did not start");
		*failed_now = true;
	}
	return true;
}

const char *job_fail_msg(const struct job *j)
{
	return j->fail_msg ? j->fail_msg : "";
}

bool job_reap(struct job *j, int64_t now_ns)
{
	if (j->exited)
		return true;
	siginfo_t si = { 0 };
	int rc = j->proc.pidfd >= 0
		? waitid((idtype_t)P_PIDFD, (id_t)j->proc.pidfd, &si, WEXITED | WNOHANG)
		: waitid(P_PID, (id_t)j->proc.pid, &si, WEXITED | WNOHANG);
	if (rc < 0 || si.si_pid == 0)
		return false;
	if (si.si_code == CLD_EXITED)
		j->wstatus = (si.si_status & 0xff) << 8;
	else   /* killed or dumped: the signal, and WCOREDUMP's bit */
		j->wstatus = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
	j->exited = true;
	j->end_ns = now_ns;
	j->end_mono = clock_mono_ns();
	j->linger_until_mono = j->end_mono + JOB_LINGER_NS;
	if (j->proc.pidfd >= 0) {
		close(j->proc.pidfd);
		j->proc.pidfd = -1;
	}
	return true;
}

void job_end_as_the_shell(struct job *j, size_t cap)
{
	if (!j->proc.direct || !j->exited || !WIFSIGNALED(j->wstatus) || j->timed_out ||
	    j->interrupted)
		return;
	int sig = WTERMSIG(j->wstatus);
	bool core = WCOREDUMP(j->wstatus);
	j->wstatus = ((128 + sig) & 0xff) << 8;
	char line[96];
	size_t n = plaincmd_signal_line(sig, core, line, sizeof(line));
	if (n == 0)
		return;
	if (j->req && j->req->client)
		runclient_output(j->req->client, line, n);   /* crontab --run */
	j->out_total += n;
	if (j->out_len >= cap)
		return;
	size_t keep = cap - j->out_len < n ? cap - j->out_len : n;
	if (j->out_cap < j->out_len + keep) {
		char *grown = realloc(j->out, j->out_len + keep);
		if (grown == NULL)
			return;
		j->out = grown;
		j->out_cap = j->out_len + keep;
	}
	memcpy(j->out + j->out_len, line, keep);
	j->out_len += keep;
}

bool job_done(const struct job *j)
{
	return j->decided && j->exited && (j->out_eof || clock_mono_ns() >= j->linger_until_mono);
}

int64_t job_next_deadline(const struct job *j)
{
	int64_t d[4] = { j->exited ? 0 : j->term_at_mono, j->exited ? 0 : j->kill_at_mono,
		         j->exited && !j->out_eof ? j->linger_until_mono : 0, j->drain_at_mono };
	int64_t next = 0;
	for (int i = 0; i < 4; i++)
		if (d[i] && (!next || d[i] < next))
			next = d[i];
	return next;
}

void job_record(const struct job *j, struct spool_run *run, char *key_buf, size_t key_len)
{
	*run = (struct spool_run){ 0 };
	run->id = j->run_id;
	run->kind = j->kind == JOB_AT ? SPOOL_RUN_AT : SPOOL_RUN_CRON;
	run->owner = j->user;
	run->uid = j->proc.uid;
	if (j->kind == JOB_AT) {
		snprintf(key_buf, key_len, "at:%lld", (long long)j->req->at_id);
		run->entry_key = key_buf;
		run->command = j->label;
	} else {
		run->entry_key = j->req->entry_key;
		run->command = j->req->command;
	}
	run->scheduled_ms = j->req->scheduled * 1000;
	run->start_ms = j->start_ns / 1000000;
	run->end_ms = j->end_ns / 1000000;
	if (WIFSIGNALED(j->wstatus)) {
		run->exit_code = -1;
		run->signal = WTERMSIG(j->wstatus);
	} else {
		run->exit_code = WEXITSTATUS(j->wstatus);
	}
	run->flags = (j->skipped ? SPOOL_RUN_SKIPPED : 0) |
	             (j->timed_out ? SPOOL_RUN_TIMED_OUT : 0) |
	             (j->interrupted ? SPOOL_RUN_INTERRUPTED : 0) |
	             (j->start_failed ? SPOOL_RUN_FAILED_START : 0) |
	             (j->out_total > j->out_len ? SPOOL_RUN_TRUNCATED : 0) |
	             (j->req->catchup ? SPOOL_RUN_CATCHUP : 0) |
	             (j->req->manual ? SPOOL_RUN_MANUAL : 0) | j->why_not_run;
	run->output = j->out;
	run->output_len = j->out_len < JOB_HISTORY_OUTPUT ? j->out_len : JOB_HISTORY_OUTPUT;
	run->output_total = (int64_t)j->out_total;
	if (j->start_failed && j->out_len == 0 && job_fail_msg(j)[0]) {
		/* Why it did not start (a refusal by PAM...): the history says so. */
		run->output = j->fail_msg;
		run->output_len = strlen(j->fail_msg);
		run->output_total = (int64_t)run->output_len;
	}
}

bool job_start_detail(const struct job *j, char *buf, size_t len)
{
	if (j->req && j->req->no_log)
		return false;  /* an entry written with a leading '-' */
	snprintf(buf, len, "pid=%d %s", (int)j->proc.pid, j->label);
	return true;
}

void job_log_start(const struct job *j)
{
	char detail[JOB_LABEL_MAX + 32];
	if (job_start_detail(j, detail, sizeof(detail)))
		log_event_at(j->start_ns, j->user, "CMD", "%s", detail);
}

/* "signal=N" or "status=N" of J's wait status. */
static void status_text(const struct job *j, char *buf, size_t len)
{
	if (WIFSIGNALED(j->wstatus))
		snprintf(buf, len, "signal=%d", WTERMSIG(j->wstatus));
	else
		snprintf(buf, len, "status=%d", WEXITSTATUS(j->wstatus));
}

bool job_mail_failure(const struct job *j, char *buf, size_t len)
{
	if (j->kind != JOB_MAIL || (j->wstatus == 0 && !j->start_failed))
		return false;
	char status[64];
	status_text(j, status, sizeof(status));
	snprintf(buf, len, "pid=%d sendmail failed: %s%s%.*s", (int)j->proc.pid,
	         j->start_failed ? job_fail_msg(j) : status, j->out_len ? ": " : "",
	         (int)(j->out_len > 200 ? 200 : j->out_len), j->out ? j->out : "");
	return true;
}

bool job_end_detail(const struct job *j, char *buf, size_t len)
{
	if (j->kind == JOB_MAIL)
		return false;   /* job_mail_failure: the supervisor limits those lines */
	if (j->start_failed || j->skipped || (j->req && j->req->no_log))
		return false;  /* the FAIL or SKIP line said it all; or a '-' entry */
	double secs = (double)(j->end_mono - j->start_mono) / 1e9;
	char status[64];
	status_text(j, status, sizeof(status));
	snprintf(buf, len, "pid=%d %s %.3fs%s%s%s", (int)j->proc.pid, status, secs,
	         j->timed_out ? " timed-out" : "", j->interrupted ? " interrupted" : "",
	         j->out_total > j->out_len ? " output-truncated" : "");
	return true;
}

void job_log_end(const struct job *j)
{
	char detail[160];
	if (job_end_detail(j, detail, sizeof(detail)))
		log_event_at(j->end_ns, j->user, "END", "%s", detail);
}

void job_free(struct job *j)
{
	if (!j)
		return;
	runner_proc_close(&j->proc);
	if (j->have_at)
		spool_at_job_free(&j->at);
	runreq_free(j->req);
	free(j->out);
	free(j->fail_msg);
	free(j);
}
