/* spool/at_submit.c: queueing at jobs, as every backend runs it: one job
 * or a batch in one write transaction, each checked against its owner's
 * quota inside it, so the jobs queued before it (in the batch, or by
 * anyone whose transaction committed first) count.
 *
 * A job's environment is packed here, once, into the form every backend
 * stores: its NAME=VALUE strings, each followed by a NUL byte, as in
 * /proc/PID/environ.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"
#include "spool/validate.h"

/* ENV (checked) packed into *BLOB (malloc'ed) of *LEN bytes. */
static int pack_env(struct spool *sp, const char *const *env, char **blob, size_t *len,
		    struct spool_err *err)
{
	size_t total = 0, count = 0;
	*blob = NULL;
	*len = 0;
	for (; env != NULL && env[count] != NULL; count++)
		total += strlen(env[count]) + 1;
	if ((*blob = malloc(total + 1)) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	char *p = *blob;
	for (size_t i = 0; i < count; i++)
		p = spool_put_bytes(p, env[i], strlen(env[i]));
	*len = total;
	return SPOOL_OK;
}

struct usage_ctx {
	uid_t uid;
	struct spool_at_usage out;
};

static int usage_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct usage_ctx *c = ctx;
	return sp->ops->at_usage(sp, c->uid, &c->out, err);
}

int spool_do_at_usage_of(struct spool *sp, uid_t uid, struct spool_at_usage *out,
			 struct spool_err *err)
{
	struct usage_ctx c = { .uid = uid };
	int code = sp->ops->txn(sp, false, usage_txn, &c, err);
	*out = code == SPOOL_OK ? c.out : (struct spool_at_usage){ 0 };
	return code;
}

struct submit_ctx {
	const struct spool_at_job *job;
	const char *env;               /* packed */
	size_t env_len;
	bool quota;                    /* check the owner's usage first */
	uint64_t max_jobs, max_bytes;
	struct spool_at_usage usage;   /* out: the owner's, before the job */
	int64_t id;                    /* out */
};

/* The owner's usage into C->usage, and SPOOL_QUOTA when the job would pass
 * a limit. Inside the write transaction, after at_lock_ids. */
static int check_quota(struct spool *sp, struct submit_ctx *c, struct spool_err *err)
{
	const struct spool_at_job *j = c->job;
	int code = sp->ops->at_usage(sp, j->uid, &c->usage, err);
	if (code != SPOOL_OK)
		return code;
	uint64_t bytes = j->script_len + c->env_len + strlen(j->cwd);
	if (c->usage.jobs + 1 > c->max_jobs)
		return spool_seterr(err, SPOOL_QUOTA, "%s: uid %u has %llu at jobs queued,"
				    " limit %llu", sp->path, (unsigned)j->uid,
				    (unsigned long long)c->usage.jobs,
				    (unsigned long long)c->max_jobs);
	if (c->usage.bytes + bytes > c->max_bytes)
		return spool_seterr(err, SPOOL_QUOTA, "%s: uid %u has %llu bytes of at jobs"
				    " queued, this job %llu more, limit %llu", sp->path,
				    (unsigned)j->uid, (unsigned long long)c->usage.bytes,
				    (unsigned long long)bytes, (unsigned long long)c->max_bytes);
	return SPOOL_OK;
}

/* Before a quota is counted: the ids held, where the backend needs it. */
static int lock_ids(struct spool *sp, struct spool_err *err)
{
	return sp->ops->at_lock_ids != NULL ? sp->ops->at_lock_ids(sp, err) : SPOOL_OK;
}

static int submit_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct submit_ctx *c = ctx;
	c->id = 0;
	c->usage = (struct spool_at_usage){ 0 };
	int code = SPOOL_OK;
	if (c->quota) {
		code = lock_ids(sp, err);
		if (code == SPOOL_OK)
			code = check_quota(sp, c, err);
	}
	if (code != SPOOL_OK)
		return code;
	return sp->ops->at_insert(sp, c->job, c->env, c->env_len, 0, &c->id, err);
}

static int submit(struct spool *sp, struct submit_ctx *c, int64_t *id,
		  struct spool_err *err)
{
	char *env = NULL;
	int code = pack_env(sp, c->job->env, &env, &c->env_len, err);
	if (code != SPOOL_OK)
		return code;
	c->env = env;
	code = sp->ops->txn(sp, true, submit_txn, c, err);
	free(env);
	if (code == SPOOL_OK && id != NULL)
		*id = c->id;
	return code;
}

int spool_do_at_submit(struct spool *sp, const struct spool_at_job *job,
		       int64_t *id, struct spool_err *err)
{
	struct submit_ctx c = { .job = job };
	return submit(sp, &c, id, err);
}

int spool_do_at_submit_quota(struct spool *sp, const struct spool_at_job *job,
			     uint64_t max_jobs, uint64_t max_bytes, int64_t *id,
			     struct spool_at_usage *usage, struct spool_err *err)
{
	struct submit_ctx c = { .job = job, .quota = true, .max_jobs = max_jobs,
				.max_bytes = max_bytes };
	int code = submit(sp, &c, id, err);
	if (usage != NULL)
		*usage = c.usage;
	return code;
}

struct many_ctx {
	const struct spool_at_job *jobs;
	size_t n;
	char **envs;          /* packed environments; NULL for a refused job */
	size_t *env_lens;
	const struct spool_at_quota *quota;
	int64_t *ids;
	int *codes;
	struct spool_err *errs;
	struct spool_at_usage *usages;
	bool *over;           /* refused for a quota in this try */
};

/* Job I of the batch: checked against its quota, then queued. */
static int many_one(struct spool *sp, struct many_ctx *c, size_t i, struct spool_err *err)
{
	const struct spool_at_job *j = &c->jobs[i];
	if (c->quota != NULL && j->uid != 0) {
		/* Inside the transaction: jobs inserted above count. */
		struct submit_ctx q = { .job = j, .env = c->envs[i],
					.env_len = c->env_lens[i], .quota = true,
					.max_jobs = c->quota->max_jobs,
					.max_bytes = c->quota->max_bytes };
		int qc = check_quota(sp, &q, &c->errs[i]);
		if (c->usages != NULL)
			c->usages[i] = q.usage;
		if (qc == SPOOL_QUOTA) {
			c->over[i] = true;
			return SPOOL_OK;
		}
		if (qc != SPOOL_OK) {
			*err = c->errs[i];
			return qc;
		}
	}
	return sp->ops->at_insert(sp, j, c->envs[i], c->env_lens[i], 0, &c->ids[i], err);
}

static int many_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct many_ctx *c = ctx;
	int code = c->quota != NULL ? lock_ids(sp, err) : SPOOL_OK;
	for (size_t i = 0; code == SPOOL_OK && i < c->n; i++) {
		c->ids[i] = 0;
		c->over[i] = false;
		if (c->codes[i] == SPOOL_OK)
			code = many_one(sp, c, i, err);
	}
	return code;
}

int spool_do_at_submit_many(struct spool *sp, const struct spool_at_job *jobs, size_t n,
			    const struct spool_at_quota *quota, int64_t *ids, int *codes,
			    struct spool_err *errs, struct spool_at_usage *usages,
			    struct spool_err *err)
{
	char *envs[SPOOL_AT_BATCH_MAX] = { 0 };
	size_t env_lens[SPOOL_AT_BATCH_MAX] = { 0 };
	size_t valid = 0;
	for (size_t i = 0; i < n; i++) {
		ids[i] = 0;
		codes[i] = spool_valid_at_job(sp, &jobs[i], &errs[i]);
		if (codes[i] == SPOOL_OK)
			codes[i] = pack_env(sp, jobs[i].env, &envs[i], &env_lens[i], &errs[i]);
		if (codes[i] == SPOOL_OK)
			valid++;
	}
	int code = SPOOL_OK;
	bool over[SPOOL_AT_BATCH_MAX] = { false };
	if (valid > 0) {
		struct many_ctx c = { .jobs = jobs, .n = n, .envs = envs, .env_lens = env_lens,
				      .quota = quota, .ids = ids, .codes = codes, .errs = errs,
				      .usages = usages, .over = over };
		code = sp->ops->txn(sp, true, many_txn, &c, err);
	}
	for (size_t i = 0; i < n; i++) {
		free(envs[i]);
		if (code == SPOOL_OK && over[i]) {
			codes[i] = SPOOL_QUOTA;   /* ERRS[i] says which limit */
			ids[i] = 0;
		} else if (code != SPOOL_OK && codes[i] == SPOOL_OK) {
			codes[i] = code;
			errs[i] = *err;
			ids[i] = 0;
		}
	}
	return code;
}
