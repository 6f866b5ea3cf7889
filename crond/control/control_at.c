/* crond/control/control_at.c: the at requests (submit, list, get, remove), on the
 * control thread (see control_handlers.h).
 *
 * Allow/deny (at.allow, at.deny) applies to the caller for every at
 * request, as Debian's at checks the real user for at, atq and atrm alike;
 * root is always allowed. A job belongs to the uid that submitted it (from
 * SO_PEERCRED) and runs with that user's primary group from passwd.
 *
 * A submission is checked here field by field so the user learns what is
 * wrong (nothing is dropped silently: one bad environment string refuses
 * the job); the spool checks the same bounds again. A run time in the past
 * is accepted and runs at once (`at now` arrives a moment late); the CLI
 * refuses times that were already past when the user typed them.
 * Messages for atrm follow Debian's ("cannot find jobid 12", "12: not
 * owner"). at -u (TAG_MAIL_TO) names a local user to mail instead of the
 * owner; any user may name any existing user, as with Debian's at, but
 * nothing else (no address: the mail stays on this host).
 *
 * Quota: a user's queued jobs may number at most at_jobs_per_user and hold
 * at most at_bytes_per_user (script, environment and directory; crond.conf),
 * checked in the same transaction as the insert. Root is exempt (its jobs
 * are the system's; root can fill the disk anyway). atrm works on a full
 * file system: a removal retries once after releasing the spool's
 * full-disk reserve.
 *
 * Group commit: a submission is checked at once (a refusal is answered at
 * once) and, when the control thread has a batch, kept there with copies
 * of its fields; control_at_flush, called once per loop pass, writes every
 * kept job in one transaction and only then answers each (its id, or why
 * the write failed), posts it to the timer and logs it. The quota is
 * checked job by job inside that transaction, so the jobs of the same user
 * kept before it in the batch count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/control/control_handlers.h"
#include "crond/run/jobenv.h"
#include "crond/log.h"
#include "crond/sched/timer.h"
#include "lib/at_cursor.h"
#include "lib/proto_rows.h"
#include "lib/timefmt.h"

/* The latest run time a client may ask for: at's year 9999 in any zone
 * (9999-12-31T23:59:59Z plus a day). Times past it, or before 1970, are
 * no calendar's (and int64 extremes overflow date arithmetic). */
#define AT_RUN_AT_MAX (253402300799LL + 86400)

static const char *const state_names[] = {
	[SPOOL_AT_WAITING] = "waiting",
	[SPOOL_AT_RUNNING] = "running",
	[SPOOL_AT_INTERRUPTED] = "interrupted",
};

static bool is_queue(int q)
{
	return (q >= 'a' && q <= 'z') || (q >= 'A' && q <= 'Z');
}

/* TAG_QUEUE as one letter into *Q. 1 when absent, 0 when valid, -1 with
 * REPLY built when it is not one letter a-z A-Z. */
static int read_queue(const struct proto_msg *req, char *q, struct proto_buf *reply)
{
	struct proto_field f;
	if (proto_find(req, TAG_QUEUE, &f, NULL) != PROTO_OK)
		return 1;
	if (f.len != 1 || !is_queue(f.data[0])) {
		control_reply_error(reply, MSGE_INVALID, "the queue must be one letter a-z or A-Z");
		return -1;
	}
	*q = (char)f.data[0];
	return 0;
}

/* ------------------------------------------------------------ submit */

/* A submission's fields, read and checked. ENV is NULL-terminated and
 * owns its strings. */
struct submission {
	char queue;
	int64_t run_at;
	const uint8_t *script;
	size_t script_len;
	char **env;
	char cwd[SPOOL_PATH_MAX + 1];
	uint32_t umask;
	uint32_t mail;
	char mail_to[SPOOL_NAME_MAX + 1];   /* "" for the owner */
	char why[SPOOL_NAME_MAX + 64];      /* a refusal that names a value */
};

static void submission_free(struct submission *s)
{
	for (size_t i = 0; s->env != NULL && s->env[i] != NULL; i++)
		free(s->env[i]);
	free(s->env);
	s->env = NULL;
}

static bool is_identifier(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9')))
			return false;
	}
	return true;
}

/* The TAG_ENV strings into S->env: NULL when fine, else why not. */
static const char *read_env(const struct proto_msg *req, struct submission *s)
{
	size_t n = proto_count(req, TAG_ENV), total = 0, i = 0;
	/* The job must also start: the runner adds five base variables and
	 * refuses more than JOBENV_MAX_VARS, or one over JOBENV_MAX_VAR bytes. */
	if (n > SPOOL_ENV_COUNT_MAX || n + 5 > JOBENV_MAX_VARS)
		return "too many environment strings";
	if ((s->env = calloc(n + 1, sizeof(*s->env))) == NULL)
		return "out of memory";
	struct proto_iter it;
	struct proto_field f;
	proto_iter_init(&it, req, TAG_ENV);
	while (proto_iter_next(&it, &f) && i < n) {
		if (proto_field_strdup(&f, &s->env[i], NULL) != PROTO_OK)
			return "an environment string contains a NUL byte";
		const char *eq = strchr(s->env[i], '=');
		if (eq == NULL || !is_identifier(s->env[i], (size_t)(eq - s->env[i])))
			return "an environment string is not NAME=VALUE with NAME a shell "
			       "identifier";
		if (f.len + 1 > JOBENV_MAX_VAR)
			return "an environment string is too long";
		total += f.len + 1;
		if (total > SPOOL_ENV_MAX)
			return "the environment is too large";
		i++;
	}
	return NULL;
}

/* TAG_MAIL_TO, if there, into S->mail_to: NULL when fine (an existing
 * user), else why not. */
static const char *read_mail_to(const struct proto_msg *req, struct submission *s)
{
	struct proto_field f;
	if (proto_find(req, TAG_MAIL_TO, &f, NULL) != PROTO_OK)
		return NULL;
	if (proto_field_strcpy(&f, s->mail_to, sizeof(s->mail_to), NULL) != PROTO_OK ||
	    s->mail_to[0] == '\0')
		return "the mail recipient is not a user name";
	struct control_user u;
	int rc = control_user_by_name(s->mail_to, &u);
	if (rc == 0)
		return NULL;
	if (rc < 0)
		return "cannot look the mail recipient up";
	snprintf(s->why, sizeof(s->why), "Cannot find username %s", s->mail_to);  /* Debian's */
	return s->why;
}

bool control_at_mail_to_ok(const struct proto_msg *req, struct proto_buf *reply)
{
	struct submission s = { 0 };
	const char *why = read_mail_to(req, &s);
	if (why == NULL)
		return true;
	control_reply_error(reply, MSGE_INVALID, "%s", why);
	return false;
}

/* Every field but the environment: NULL when fine, else why not. */
static const char *read_fields(const struct proto_msg *req, struct submission *s)
{
	struct proto_field f;
	if (proto_get_i64(req, TAG_TIME, &s->run_at, NULL) != PROTO_OK)
		return "the job has no valid run time";
	if (s->run_at < 0 || s->run_at > AT_RUN_AT_MAX)
		return "the run time is not between 1970 and 9999";
	if (proto_find(req, TAG_SCRIPT, &f, NULL) != PROTO_OK)
		return "the job has no script";
	if (f.len > SPOOL_SCRIPT_MAX)
		return "the script is too large";
	s->script = f.data;
	s->script_len = f.len;
	if (proto_find(req, TAG_CWD, &f, NULL) != PROTO_OK ||
	    proto_field_strcpy(&f, s->cwd, sizeof(s->cwd), NULL) != PROTO_OK)
		return "the job has no valid working directory";
	if (s->cwd[0] != '/')
		return "the working directory must be an absolute path";
	if (proto_get_u32(req, TAG_UMASK, &s->umask, NULL) != PROTO_OK || s->umask > 0777)
		return "the umask must be 0 - 0777";
	enum proto_code rc = proto_get_u32(req, TAG_MAIL, &s->mail, NULL);
	if (rc == PROTO_E_MISSING)
		s->mail = MAIL_DEFAULT;
	else if (rc != PROTO_OK || s->mail > MAIL_NEVER)
		return "unknown mail option";
	return read_mail_to(req, s);
}

static enum spool_at_mail spool_mail(uint32_t mail)
{
	switch (mail) {
	case MAIL_ALWAYS:
		return SPOOL_MAIL_ALWAYS;
	case MAIL_NEVER:
		return SPOOL_MAIL_NEVER;
	default:
		return SPOOL_MAIL_DEFAULT;
	}
}

static void log_submit(struct control_ctx *ctx, const char *owner, int64_t id, char queue,
                       int64_t run_at)
{
	char when[TIMEFMT_RFC3339_LEN];
	if (ctx->c->local_zone != NULL)
		timefmt_rfc3339(ctx->c->local_zone, run_at, when, sizeof(when));
	else
		snprintf(when, sizeof(when), "@%lld", (long long)run_at);
	ownerlog_event(&ctx->change_log, owner, "AT", clock_now_ns(&ctx->c->clock),
	               "job %lld queue %c at %s", (long long)id, queue, when);
}

/* The job would pass a quota: say which, with the numbers. */
static void refuse_quota(struct control_ctx *ctx, const char *name, uid_t uid,
                         const struct spool_at_usage *used, uint64_t bytes,
                         struct proto_buf *reply)
{
	const struct config *cfg = &ctx->cfg;
	char msg[256];
	bool logged;
	if (used->jobs + 1 > cfg->at_jobs_per_user) {
		logged = control_log_refusal(&ctx->rl_quota, name, "quota: %llu at jobs "
		                             "queued, limit at_jobs_per_user = %u",
		                             (unsigned long long)used->jobs,
		                             (unsigned)cfg->at_jobs_per_user);
		snprintf(msg, sizeof(msg), "refused: quota: you have %llu at jobs queued, limit "
		         "at_jobs_per_user = %u", (unsigned long long)used->jobs,
		         (unsigned)cfg->at_jobs_per_user);
	} else {
		logged = control_log_refusal(&ctx->rl_quota, name, "quota: at jobs hold "
		                             "%llu bytes, this one %llu more, limit "
		                             "at_bytes_per_user = %u",
		                             (unsigned long long)used->bytes,
		                             (unsigned long long)bytes,
		                             (unsigned)cfg->at_bytes_per_user);
		snprintf(msg, sizeof(msg), "refused: quota: your queued at jobs hold %llu bytes and "
		         "this one %llu more, limit at_bytes_per_user = %u",
		         (unsigned long long)used->bytes, (unsigned long long)bytes,
		         (unsigned)cfg->at_bytes_per_user);
	}
	if (logged)
		control_record_quota(ctx, name, uid, SPOOL_RUN_AT,
		                     "at job (not queued)", msg);
	control_reply_error(reply, MSGE_QUOTA, "%s", msg);
}

/* A submission read, checked and waiting for its write (group commit). It
 * owns copies of everything the job needs, as the request is freed once
 * its handler returns. */
struct at_pending {
	uint64_t token;                     /* whom to answer */
	struct submission s;                /* env owned */
	uint8_t *script;                    /* owned copy of s.script */
	uid_t uid;
	gid_t gid;
	char owner[SPOOL_NAME_MAX + 1];
	int64_t created_at;
};

struct control_at_batch {
	size_t n;
	struct at_pending items[CONTROL_AT_BATCH_MAX];
	/* spool_at_submit_many's arrays, kept here: too large for the stack */
	struct spool_at_job jobs[CONTROL_AT_BATCH_MAX];
	int64_t ids[CONTROL_AT_BATCH_MAX];
	int codes[CONTROL_AT_BATCH_MAX];
	struct spool_err errs[CONTROL_AT_BATCH_MAX];
	struct spool_at_usage usages[CONTROL_AT_BATCH_MAX];
};

struct control_at_batch *control_at_batch_new(void)
{
	return calloc(1, sizeof(struct control_at_batch));
}

static void pending_free(struct at_pending *p)
{
	submission_free(&p->s);
	free(p->script);
	p->script = NULL;
}

void control_at_batch_free(struct control_at_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		pending_free(&b->items[i]);
	free(b);
}

/* The submission REQ from PEER, read and checked into S: true, or false
 * with REPLY built (refused; S holds nothing). */
static bool submission_read(struct control_ctx *ctx, const struct control_peer *peer,
                            const struct proto_msg *req, struct submission *s,
                            struct proto_buf *reply)
{
	if (!control_allowed(ctx, peer, &peer->user, ACCESS_AT, reply))
		return false;
	int q = read_queue(req, &s->queue, reply);
	if (q != 0) {
		if (q > 0)
			control_reply_error(reply, MSGE_INVALID, "the job has no queue");
		return false;
	}
	const char *why = read_fields(req, s);
	if (why == NULL)
		why = read_env(req, s);
	if (why != NULL) {
		control_reply_error(reply, MSGE_INVALID, "%s", why);
		submission_free(s);
		return false;
	}
	return true;
}

static struct spool_at_job job_of(const struct submission *s, const char *owner, uid_t uid,
                                  gid_t gid, int64_t created_at)
{
	return (struct spool_at_job){
		.queue = s->queue, .owner = owner, .uid = uid, .gid = gid, .run_at = s->run_at,
		.created_at = created_at, .script = (const char *)s->script,
		.script_len = s->script_len, .env = (const char *const *)s->env, .cwd = s->cwd,
		.umask = (mode_t)s->umask, .mail = spool_mail(s->mail),
		.mail_to = s->mail_to[0] != '\0' ? s->mail_to : NULL,
	};
}

/* The answer to a submission the spool took (RC, ID, ERR), told to the
 * timer thread and logged when it was queued. */
static void submit_answer(struct control_ctx *ctx, const struct spool_at_job *job, int rc,
                          int64_t id, const struct spool_err *err, struct proto_buf *reply)
{
	if (rc != SPOOL_OK) {
		control_reply_spool_error(ctx, job->owner, reply, "queue the job", err);
		return;
	}
	timer_post_at_add(ctx->c, id, job->queue, (uint32_t)job->uid, job->run_at);
	log_submit(ctx, job->owner, id, job->queue, job->run_at);
	control_reply_ok(reply);
	(void)proto_buf_add_i64(reply, TAG_JOB_ID, id);
	(void)proto_buf_add_i64(reply, TAG_TIME, job->run_at);
}

/* Keeps the checked submission S (consumed) in the batch; false when the
 * batch is full or memory short (S untouched: write it at once). */
static bool batch_keep(struct control_ctx *ctx, const struct control_peer *peer,
                       struct submission *s)
{
	struct control_at_batch *b = ctx->at_batch;
	if (b == NULL || b->n == CONTROL_AT_BATCH_MAX)
		return false;
	struct at_pending *p = &b->items[b->n];
	*p = (struct at_pending){ .token = ctx->token, .uid = peer->user.uid,
	                          .gid = peer->gid, .created_at = control_now(ctx) };
	if (s->script_len > 0) {
		if ((p->script = malloc(s->script_len)) == NULL)
			return false;
		memcpy(p->script, s->script, s->script_len);
	}
	memcpy(p->owner, peer->user.name, sizeof(p->owner));
	p->s = *s;
	p->s.script = p->script;
	*s = (struct submission){ 0 };
	b->n++;
	return true;
}

void control_at_submit(struct control_ctx *ctx, const struct control_peer *peer,
                       const struct proto_msg *req, struct proto_buf *reply)
{
	struct submission s = { 0 };
	if (!submission_read(ctx, peer, req, &s, reply))
		return;
	if (batch_keep(ctx, peer, &s)) {
		ctx->deferred = true;            /* control_at_flush answers */
		return;
	}
	struct spool_at_job job = job_of(&s, peer->user.name, peer->user.uid, peer->gid,
	                                 control_now(ctx));
	int64_t id = 0;
	struct spool_err err;
	struct spool_at_usage used = { 0 };
	int rc = peer->user.uid == 0
	         ? spool_at_submit(ctx->sp, &job, &id, &err)
	         : spool_at_submit_quota(ctx->sp, &job, ctx->cfg.at_jobs_per_user,
	                                 ctx->cfg.at_bytes_per_user, &id, &used, &err);
	if (rc == SPOOL_QUOTA)
		refuse_quota(ctx, peer->user.name, peer->user.uid, &used, spool_at_job_bytes(&job),
		             reply);
	else
		submit_answer(ctx, &job, rc, id, &err, reply);
	submission_free(&s);
}

void control_at_flush(struct control_ctx *ctx, control_answer_fn *answer, void *arg)
{
	struct control_at_batch *b = ctx->at_batch;
	if (b == NULL || b->n == 0)
		return;
	for (size_t i = 0; i < b->n; i++) {
		struct at_pending *p = &b->items[i];
		b->jobs[i] = job_of(&p->s, p->owner, p->uid, p->gid, p->created_at);
	}
	struct spool_err err;
	/* Per-job results are in codes and errs, a failed write in all of them. */
	const struct spool_at_quota quota = { .max_jobs = ctx->cfg.at_jobs_per_user,
	                                      .max_bytes = ctx->cfg.at_bytes_per_user };
	(void)spool_at_submit_many(ctx->sp, b->jobs, b->n, &quota, b->ids, b->codes, b->errs,
	                           b->usages, &err);
	if (b->n > 1)
		log_msg(LOG_DEBUG, "control: %zu at jobs queued in one transaction", b->n);
	for (size_t i = 0; i < b->n; i++) {
		struct proto_buf reply = { 0 };
		if (b->codes[i] == SPOOL_QUOTA)
			refuse_quota(ctx, b->items[i].owner, b->items[i].uid, &b->usages[i],
			             spool_at_job_bytes(&b->jobs[i]), &reply);
		else
			submit_answer(ctx, &b->jobs[i], b->codes[i], b->ids[i], &b->errs[i], &reply);
		answer(arg, b->items[i].token, &reply);
		pending_free(&b->items[i]);
	}
	b->n = 0;
}

/* ------------------------------------------------------------ list */

/* One TAG_ROW, unless the reply budget is spent (false). */
static bool add_job_row(struct proto_buf *reply, const struct spool_at_summary *j)
{
	struct proto_buf row;
	char queue[2] = { j->state == SPOOL_AT_RUNNING ? '=' : j->queue, '\0' };
	(void)proto_buf_init(&row, 0);
	(void)proto_buf_add_i64(&row, TAG_JOB_ID, j->id);
	(void)proto_buf_add_str(&row, TAG_QUEUE, queue);
	(void)proto_buf_add_i64(&row, TAG_TIME, j->run_at);
	(void)proto_buf_add_str(&row, TAG_USER, j->owner);
	(void)proto_buf_add_str(&row, TAG_STATE, state_names[j->state]);
	return proto_rows_add(reply, &row, CONTROL_REPLY_BUDGET);
}

void control_at_list(struct control_ctx *ctx, const struct control_peer *peer,
                     const struct proto_msg *req, struct proto_buf *reply)
{
	struct control_user target;
	bool named = false;
	if (!control_target(peer, req, &target, &named, reply) ||
	    !control_allowed(ctx, peer, &peer->user, ACCESS_AT, reply))
		return;
	/* Root without TAG_USER: everyone's jobs. One more than a page is
	 * read, to know whether any remain. */
	struct spool_at_filter filter = {
		.all_owners = peer->user.uid == 0 && !named, .uid = target.uid, .queue = 0,
		.limit = CONTROL_AT_PAGE + 1,
	};
	if (read_queue(req, &filter.queue, reply) < 0)
		return;
	struct at_cursor after;
	enum proto_code pc = at_cursor_get(req, &after);
	if (pc != PROTO_OK && pc != PROTO_E_MISSING) {
		control_reply_error(reply, MSGE_INVALID, "the at list cursor must hold a time and "
		                    "a job number of 1 or more");
		return;
	}
	if (pc == PROTO_OK) {
		filter.after = true;
		filter.after_run_at = after.run_at;
		filter.after_id = after.id;
	}
	struct spool_at_summary *jobs = NULL;
	size_t n = 0;
	struct spool_err err;
	if (spool_at_list(ctx->sp, &filter, &jobs, &n, &err) != SPOOL_OK) {
		control_reply_spool_error(ctx, peer->user.name, reply, "list the jobs", &err);
		return;
	}
	control_reply_ok(reply);
	size_t i = 0;
	while (i < n && i < CONTROL_AT_PAGE && add_job_row(reply, &jobs[i]))
		i++;
	if (i < n && i > 0)   /* the rest: asked for with the last job sent */
		(void)at_cursor_add(reply, &(struct at_cursor){ .run_at = jobs[i - 1].run_at,
		                                                .id = jobs[i - 1].id });
	free(jobs);
}

/* ------------------------------------------------------------ get */

static void add_job(struct proto_buf *reply, const struct spool_at_job *job)
{
	char queue[2] = { job->queue, '\0' };
	static const uint32_t mail[] = {
		[SPOOL_MAIL_DEFAULT] = MAIL_DEFAULT,
		[SPOOL_MAIL_ALWAYS] = MAIL_ALWAYS,
		[SPOOL_MAIL_NEVER] = MAIL_NEVER,
	};
	(void)proto_buf_add_i64(reply, TAG_JOB_ID, job->id);
	(void)proto_buf_add_str(reply, TAG_QUEUE, queue);
	(void)proto_buf_add_i64(reply, TAG_TIME, job->run_at);
	(void)proto_buf_add_str(reply, TAG_USER, job->owner);
	(void)proto_buf_add_u32(reply, TAG_UID, (uint32_t)job->uid);
	(void)proto_buf_add_u32(reply, TAG_GID, (uint32_t)job->gid);
	(void)proto_buf_add_bytes(reply, TAG_SCRIPT, job->script, job->script_len);
	for (size_t i = 0; job->env != NULL && job->env[i] != NULL; i++)
		(void)proto_buf_add_str(reply, TAG_ENV, job->env[i]);
	(void)proto_buf_add_str(reply, TAG_CWD, job->cwd);
	(void)proto_buf_add_u32(reply, TAG_UMASK, (uint32_t)job->umask);
	(void)proto_buf_add_u32(reply, TAG_MAIL, mail[job->mail]);
	(void)proto_buf_add_str(reply, TAG_STATE, state_names[job->state]);
	if (job->mail_to != NULL)
		(void)proto_buf_add_str(reply, TAG_MAIL_TO, job->mail_to);
}

void control_at_get(struct control_ctx *ctx, const struct control_peer *peer,
                    const struct proto_msg *req, struct proto_buf *reply)
{
	if (!control_allowed(ctx, peer, &peer->user, ACCESS_AT, reply))
		return;
	int64_t id;
	if (proto_get_i64(req, TAG_JOB_ID, &id, NULL) != PROTO_OK) {
		control_reply_error(reply, MSGE_INVALID, "the request has no valid job id");
		return;
	}
	struct spool_at_job job;
	struct spool_err err;
	int rc = spool_at_get(ctx->sp, id, &job, &err);
	if (rc == SPOOL_NOT_FOUND) {
		control_reply_error(reply, MSGE_NOT_FOUND, "cannot find jobid %lld", (long long)id);
		return;
	}
	if (rc != SPOOL_OK) {
		control_reply_spool_error(ctx, peer->user.name, reply, "read the job", &err);
		return;
	}
	if (peer->user.uid != 0 && job.uid != peer->user.uid)
		control_reply_error(reply, MSGE_PERM, "%lld: not owner", (long long)id);
	else {
		control_reply_ok(reply);
		add_job(reply, &job);
	}
	spool_at_job_free(&job);
}

/* ------------------------------------------------------------ remove */

/* What the removal of job ID for PEER came to (RC, ERR from the spool):
 * 0 (MSGE_NONE) or an enum msg_error with TEXT. */
static uint32_t removal_answer(struct control_ctx *ctx, const struct control_peer *peer,
                               int64_t id, int rc, const struct spool_err *err, char *text,
                               size_t len)
{
	text[0] = '\0';
	switch (rc) {
	case SPOOL_OK:
		ownerlog_event(&ctx->change_log, peer->user.name, "ATRM",
		               clock_now_ns(&ctx->c->clock), "job %lld", (long long)id);
		return MSGE_NONE;
	case SPOOL_NOT_FOUND:
		snprintf(text, len, "cannot find jobid %lld", (long long)id);
		return MSGE_NOT_FOUND;
	case SPOOL_PERMISSION:
		snprintf(text, len, "%lld: not owner", (long long)id);
		return MSGE_PERM;
	case SPOOL_CONFLICT:
		snprintf(text, len, "job %lld is running and cannot be removed", (long long)id);
		return MSGE_BUSY;
	default:
		log_msg(LOG_ERR, "control: cannot remove job %lld: %s", (long long)id, err->msg);
		if (err->code == SPOOL_IO && err->unknown)
			snprintf(text, len, "cannot tell whether job %lld was removed: the database's "
			         "connection was lost as the removal was committed; look with atq",
			         (long long)id);
		else
			snprintf(text, len, "cannot remove job %lld: %s (see crond's log)", (long long)id,
			         spool_code_name(err->code));
		return MSGE_INTERNAL;
	}
}

/* The ids asked for, their results, and which fields were not ids. */
struct removal {
	int64_t ids[CONTROL_ATRM_MAX_IDS];
	bool valid[CONTROL_ATRM_MAX_IDS];
	int64_t good[CONTROL_ATRM_MAX_IDS];     /* the valid ids, in order */
	int codes[CONTROL_ATRM_MAX_IDS];
	struct spool_err errs[CONTROL_ATRM_MAX_IDS];
};

/* Every id of a request is removed in one transaction (one durable write):
 * removing them one by one cost a write each, and a user's atrm of a
 * thousand jobs held the control thread, and every other client, for
 * seconds. */
void control_at_remove(struct control_ctx *ctx, const struct control_peer *peer,
                       const struct proto_msg *req, struct proto_buf *reply)
{
	if (!control_allowed(ctx, peer, &peer->user, ACCESS_AT, reply))
		return;
	size_t n = proto_count(req, TAG_JOB_ID);
	if (n == 0 || n > CONTROL_ATRM_MAX_IDS) {
		control_reply_error(reply, MSGE_INVALID, "give 1 to %d job ids (got %zu)",
		                    CONTROL_ATRM_MAX_IDS, n);
		return;
	}
	struct removal *r = malloc(sizeof(*r));
	if (r == NULL) {
		control_reply_error(reply, MSGE_INTERNAL, "crond is out of memory");
		return;
	}
	struct proto_iter it;
	struct proto_field f;
	size_t i = 0, n_good = 0;
	proto_iter_init(&it, req, TAG_JOB_ID);
	while (i < n && proto_iter_next(&it, &f)) {
		r->ids[i] = 0;
		r->valid[i] = proto_field_i64(&f, &r->ids[i], NULL) == PROTO_OK;
		if (r->valid[i])
			r->good[n_good++] = r->ids[i];
		i++;
	}
	struct spool_err err;
	int rc = spool_at_remove_many(ctx->sp, r->good, n_good, peer->user.uid, r->codes,
	                              r->errs, &err);
	if (rc == SPOOL_FULL && control_use_reserve(ctx, peer->user.uid == 0, peer->user.name,
	                                             "remove at jobs"))
		(void)spool_at_remove_many(ctx->sp, r->good, n_good, peer->user.uid, r->codes,
		                           r->errs, &err);
	control_reply_ok(reply);
	for (size_t k = 0, g = 0; k < i; k++) {
		char text[128];
		uint32_t code = MSGE_INVALID;
		if (r->valid[k]) {
			code = removal_answer(ctx, peer, r->ids[k], r->codes[g], &r->errs[g], text,
			                      sizeof(text));
			if (code == MSGE_NONE)
				timer_post_at_remove(ctx->c, r->ids[k]);
			g++;
		} else {
			snprintf(text, sizeof(text), "invalid job id");
		}
		struct proto_buf row;
		(void)proto_buf_init(&row, 0);
		(void)proto_buf_add_i64(&row, TAG_JOB_ID, r->ids[k]);
		(void)proto_buf_add_u32(&row, TAG_ERROR_CODE, code);
		(void)proto_buf_add_str(&row, TAG_ERROR_TEXT, text);
		(void)proto_buf_add_nested(reply, TAG_ROW, &row);
		proto_buf_free(&row);
	}
	free(r);
}
