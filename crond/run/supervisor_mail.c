/* crond/run/supervisor_mail.c: mails a finished job's output (mail.h), as
 * its MAILTO, CRON_MAIL or at's -m ask, and watches sendmail like a job.
 *
 * Runs only in the supervisor thread (DESIGN in crond/run/supervisor.h).
 */
#include "crond/run/supervisor_internal.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "crond/log.h"
#include "crond/run/jobenv.h"
#include "crond/run/mail.h"

/* Whether J's output must be mailed as a scheduled run's is: a manual run's
 * output went to its client, so only when the client missed some. */
static bool client_saw_output(const struct job *j)
{
	const struct run_client *c = j->req ? j->req->client : NULL;
	return c && !c->gone && c->dropped == 0;
}

/* Builds the job's environment again, for the mail's X-Cron-Env headers. */
static bool mail_env(const struct super *s, const struct job *j, struct jobenv *env)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(j->user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	struct jobenv_base base = { j->user, pw.pw_dir,
		                    j->req->shell ? j->req->shell : s->cfg.shell, s->cfg.path };
	char err[256];
	return jobenv_build(&base, (const char *const *)j->req->env, j->req->n_env, env, err,
	                    sizeof(err)) == 0;
}

/* Whether another sendmail may start for USER (SYSTEM: root's or a system
 * crontab's mail): sendmail processes count against the job limits, as
 * jobs do (as many at once as the user may run jobs; the users' together
 * not into the slots reserved for the system, whose mail may take any of
 * max_jobs), so that mail users hold up (a sendmail stopped, or stuck on
 * a slow relay) can take neither the daemon's descriptors nor root's
 * mail; and each has a deadline (job_adopt_mail). NOTE says why not. */
static bool mail_room(const struct super *s, const char *user, bool system, char *note,
                      size_t len)
{
	size_t mine = 0, users = 0, all = 0;
	for (const struct job *r = s->running; r; r = r->next) {
		if (r->kind != JOB_MAIL)
			continue;   /* one that exited may still hold its pipe */
		all++;
		users += !r->system_mail;
		if (!r->system_mail && strcmp(r->user, user) == 0)
			mine++;
	}
	const struct fairq_limits *lim = &s->q.lim;
	if (all >= lim->max_jobs) {
		snprintf(note, len, "%zu sendmail processes still running (max_jobs)", all);
		return false;
	}
	if (system)
		return true;
	if (mine >= lim->per_user) {
		snprintf(note, len, "%zu of the user's sendmail processes still running", mine);
		return false;
	}
	if (users >= lim->max_jobs - lim->reserved) {
		snprintf(note, len, "%zu users' sendmail processes still running (max_jobs less "
		         "the %u kept for root and the system crontabs)", users, (unsigned)lim->reserved);
		return false;
	}
	return true;
}

void super_send_mail(struct super *s, const struct job *j)
{
	/* A job whose program could not be executed is mailed why, as
	 * Debian's cron mails what its child said ("execle: No such
	 * file..."); nothing else that stops a start is (runner.h). */
	bool exec_failed = runner_failed_at_exec(&j->proc) && job_fail_msg(j)[0] != '\0';
	if (!s->cfg.sendmail[0] || j->skipped || (j->start_failed && !exec_failed))
		return;
	struct mail_sender sender = { s->cfg.sendmail, s->cfg.path, &s->kit };
	struct mail_output out = { j->out, j->out_len, j->out_total };
	char why[JOB_FAIL_MSG_MAX + 16];
	if (exec_failed && j->out_len == 0) {
		/* fits: the message is at most JOB_FAIL_MSG_MAX - 1 bytes */
		int n = snprintf(why, sizeof(why), "crond: %s\n", job_fail_msg(j));
		out = (struct mail_output){ why, (size_t)n, (uint64_t)n };
	}
	struct job_proc proc;
	char err[512];
	int rc = -1;
	if (j->kind == JOB_CRON && j->req->manual && client_saw_output(j))
		return;   /* crontab --run showed it */
	bool wanted, failed = false;
	if (j->kind == JOB_CRON) {
		enum cron_mail when = j->req->mail_when != CRON_MAIL_UNSET
			? (enum cron_mail)j->req->mail_when : (enum cron_mail)s->cfg.cron_mail;
		if (j->req->mail_failure_only && when == CRON_MAIL_ALWAYS)
			when = CRON_MAIL_FAILURE;
		failed = mail_job_failed(j->wstatus) || j->timed_out || j->start_failed;
		wanted = mail_wanted_cron(j->req->mailto, when, failed, out.total);
	} else {
		wanted = mail_wanted_at((enum msg_mail)j->at.mail, out.total);
	}
	if (!wanted)
		return;
	bool system = j->req != NULL && super_run_class(j->req, j->user) == FAIRQ_SYSTEM;
	if (!mail_room(s, j->user, system, err, sizeof(err))) {
		/* fall through to the log line */
	} else if (j->kind == JOB_CRON) {
		struct jobenv env = { 0 };
		bool have_env = mail_env(s, j, &env);
		char note[160];
		mail_silent_note(j->wstatus, j->timed_out, j->req->timeout, note, sizeof(note));
		struct mail_cron m = { j->user, s->c->hostname, j->req->command, j->req->mailto,
			               j->req->mailfrom, have_env ? &env : NULL, failed,
			               failed ? note : NULL };
		rc = mail_send_cron(&sender, &m, &out, &proc, err, sizeof(err));
		jobenv_free(&env);
	} else {
		struct mail_at m = { j->user, j->at.mail_to, j->req->at_id };
		rc = mail_send_at(&sender, &m, &out, &proc, err, sizeof(err));
	}
	if (rc < 0) {
		super_log_limited(s, SUPER_LIMITED_MAIL, j->user, clock_now_ns(&s->c->clock),
		                  "not sent: %s", err);
		return;
	}
	struct job *mj = job_adopt_mail(&proc, j->user, system, s->cfg.mail_timeout,
	                                clock_now_ns(&s->c->clock));
	if (!mj) {
		log_msg(LOG_ERR, "out of memory tracking sendmail pid %d", (int)proc.pid);
		runner_proc_close(&proc);
		return;
	}
	(void)super_adopt(s, mj);   /* on failure, sendmail was stopped */
}
