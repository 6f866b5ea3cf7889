/* spool/pg/pending.c: TEMPORARY: the operations helper "pg-runs" is writing
 * (at jobs, run history, pruning, claims, reaping), each failing until
 * theirs replace this file, so the tree links meanwhile. */
#include "spool/pg/internal.h"

int pg_at_submit(struct spool *sp, const struct spool_at_job *job, int64_t *id, struct spool_err *err)
{
	(void)job;
	(void)id;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_usage_of(struct spool *sp, uid_t uid, struct spool_at_usage *out, struct spool_err *err)
{
	(void)uid;
	(void)out;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_submit_quota(struct spool *sp, const struct spool_at_job *job, uint64_t max_jobs, uint64_t max_bytes, int64_t *id, struct spool_at_usage *usage, struct spool_err *err)
{
	(void)job;
	(void)max_jobs;
	(void)max_bytes;
	(void)id;
	(void)usage;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_submit_many(struct spool *sp, const struct spool_at_job *jobs, size_t n, const struct spool_at_quota *quota, int64_t *ids, int *codes, struct spool_err *errs, struct spool_at_usage *usages, struct spool_err *err)
{
	(void)jobs;
	(void)n;
	(void)quota;
	(void)ids;
	(void)codes;
	(void)errs;
	(void)usages;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_insert(struct spool *sp, const struct spool_at_job *job, int64_t want_id, int64_t *id, struct spool_err *err)
{
	(void)job;
	(void)want_id;
	(void)id;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_list(struct spool *sp, const struct spool_at_filter *filter, struct spool_at_summary **out, size_t *n, struct spool_err *err)
{
	(void)filter;
	(void)out;
	(void)n;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_get(struct spool *sp, int64_t id, struct spool_at_job *out, struct spool_err *err)
{
	(void)id;
	(void)out;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_remove(struct spool *sp, int64_t id, uid_t requester, struct spool_err *err)
{
	(void)id;
	(void)requester;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_claim(struct spool *sp, int64_t id, int64_t now, struct spool_err *err)
{
	(void)id;
	(void)now;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_claim_due(struct spool *sp, int64_t now, const char *queues, size_t max, struct spool_at_job **out, size_t *n, struct spool_err *err)
{
	(void)now;
	(void)queues;
	(void)max;
	(void)out;
	(void)n;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_set_running(struct spool *sp, int64_t id, pid_t pid, int64_t started_at, struct spool_err *err)
{
	(void)id;
	(void)pid;
	(void)started_at;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_finish(struct spool *sp, int64_t id, const struct spool_run *result, struct spool_err *err)
{
	(void)id;
	(void)result;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out, size_t *n, struct spool_err *err)
{
	(void)now;
	(void)out;
	(void)n;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_at_next_run(struct spool *sp, const char *queues, int64_t *run_at, struct spool_err *err)
{
	(void)queues;
	(void)run_at;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_history_append(struct spool *sp, const struct spool_run *runs, size_t n, struct spool_err *err)
{
	(void)runs;
	(void)n;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_history_begin(struct spool *sp, const struct spool_run *runs, size_t n, int64_t *ids, struct spool_err *err)
{
	(void)runs;
	(void)n;
	(void)ids;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_history_end(struct spool *sp, const struct spool_run *runs, size_t n, struct spool_err *err)
{
	(void)runs;
	(void)n;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_run_end(struct spool *sp, const struct spool_run *r, struct spool_err *err)
{
	(void)r;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_history_recover(struct spool *sp, int64_t now_ms, struct spool_run **out, size_t *n, struct spool_err *err)
{
	(void)now_ms;
	(void)out;
	(void)n;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_history_query(struct spool *sp, const struct spool_history_filter *filter, struct spool_run **out, size_t *n, struct spool_err *err)
{
	(void)filter;
	(void)out;
	(void)n;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch, size_t *deleted, struct spool_err *err)
{
	(void)before_ms;
	(void)batch;
	(void)deleted;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_history_prune_count(struct spool *sp, size_t keep, size_t batch, size_t *deleted, struct spool_err *err)
{
	(void)keep;
	(void)batch;
	(void)deleted;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_history_prune_user_count(struct spool *sp, size_t keep, size_t batch, size_t *deleted, struct spool_err *err)
{
	(void)keep;
	(void)batch;
	(void)deleted;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_run_claim(struct spool *sp, const struct spool_run *runs, size_t n, int64_t *ids, bool *won, struct spool_err *err)
{
	(void)runs;
	(void)n;
	(void)ids;
	(void)won;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}

int pg_node_reap(struct spool *sp, int64_t timeout_ms, char ***lost, size_t *n, struct spool_err *err)
{
	(void)timeout_ms;
	(void)lost;
	(void)n;
	return spool_seterr(err, SPOOL_INVALID, "%s: not implemented yet", sp->path);
}
