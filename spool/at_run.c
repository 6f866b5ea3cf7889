/* spool/at_run.c: moving at jobs through their states, as every backend
 * runs it: each move one write transaction, and a job that is not in the
 * state a move needs is refused naming the state it is in. How a claim
 * excludes every other claimer is the backend's (spool/sqlite/atrun.c,
 * spool/pg/atrun.c). */
#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"

/* Why job ID could not move: NOT_FOUND, or CONFLICT naming its state. */
static int not_in_state(struct spool *sp, int64_t id, const char *wanted,
			struct spool_err *err)
{
	enum spool_at_state state;
	uid_t uid;
	int code = sp->ops->at_state_of(sp, id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is %s, not %s",
			    sp->path, (long long)id, spool_at_state_name(state), wanted);
}

struct move_ctx {
	int64_t id;
	int64_t now;          /* claim */
	pid_t pid;            /* set running */
	int64_t started_at;
	const struct spool_run *result;   /* finish */
	bool mine;            /* claimed_here */
};

static int claim_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	const struct move_ctx *c = ctx;
	bool claimed = false;
	int code = sp->ops->at_claim(sp, c->id, c->now, &claimed, err);
	if (code == SPOOL_OK && !claimed)
		code = not_in_state(sp, c->id, "waiting", err);
	return code;
}

static int claimed_here_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct move_ctx *c = ctx;
	return sp->ops->at_claimed_here(sp, c->id, &c->mine, err);
}

/* A claim whose commit's answer was lost (ERR->unknown) is looked at again
 * at once, on a new connection: made (the job is this node's, running and
 * not started: within this call no other claim of it can be this node's),
 * or not, and then tried again. Until one of them answers, the first
 * outcome stays unknown. */
int spool_do_at_claim(struct spool *sp, int64_t id, int64_t now, struct spool_err *err)
{
	struct move_ctx c = { .id = id, .now = now };
	int code = sp->ops->txn(sp, true, claim_txn, &c, err);
	if (code != SPOOL_IO || !err->unknown || sp->ops->at_claimed_here == NULL)
		return code;
	struct spool_err e2;
	if (sp->ops->txn(sp, false, claimed_here_txn, &c, &e2) != SPOOL_OK)
		return code;
	if (c.mine)
		return SPOOL_OK;
	return sp->ops->txn(sp, true, claim_txn, &c, err);
}

static int set_running_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	const struct move_ctx *c = ctx;
	bool changed = false;
	int code = sp->ops->at_set_running(sp, c->id, c->pid, c->started_at, &changed, err);
	if (code == SPOOL_OK && !changed)
		code = not_in_state(sp, c->id, "running", err);
	return code;
}

int spool_do_at_set_running(struct spool *sp, int64_t id, pid_t pid,
			    int64_t started_at, struct spool_err *err)
{
	struct move_ctx c = { .id = id, .pid = pid, .started_at = started_at };
	return sp->ops->txn(sp, true, set_running_txn, &c, err);
}

static int finish_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	const struct move_ctx *c = ctx;
	enum spool_at_state state;
	uid_t uid;
	int code = sp->ops->at_state_of(sp, c->id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	if (state == SPOOL_AT_WAITING)
		return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is waiting,"
				    " not running", sp->path, (long long)c->id);
	code = sp->ops->at_delete(sp, c->id, "finish at job", err);
	if (code == SPOOL_OK && c->result != NULL)
		code = sp->ops->run_end(sp, c->result, err);
	return code;
}

int spool_do_at_finish(struct spool *sp, int64_t id, const struct spool_run *result,
		       struct spool_err *err)
{
	struct move_ctx c = { .id = id, .result = result };
	return sp->ops->txn(sp, true, finish_txn, &c, err);
}

struct jobs_ctx {
	int64_t now;
	const char *queues;
	size_t max;           /* claim due: 0 recovers instead */
	struct spool_at_job *v;
	size_t n;
};

static int jobs_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct jobs_ctx *c = ctx;
	spool_at_jobs_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	if (c->max == 0)
		return sp->ops->at_recover(sp, c->now, &c->v, &c->n, err);
	return sp->ops->at_claim_due(sp, c->now, c->queues, c->max, &c->v, &c->n, err);
}

static int jobs(struct spool *sp, struct jobs_ctx *c, struct spool_at_job **out,
		size_t *n, struct spool_err *err)
{
	int code = sp->ops->txn(sp, true, jobs_txn, c, err);
	if (code != SPOOL_OK) {
		spool_at_jobs_free(c->v, c->n);
		return code;
	}
	*out = c->v;
	*n = c->n;
	return SPOOL_OK;
}

int spool_do_at_claim_due(struct spool *sp, int64_t now, const char *queues,
			  size_t max, struct spool_at_job **out, size_t *n,
			  struct spool_err *err)
{
	struct jobs_ctx c = { .now = now, .queues = queues, .max = max };
	return jobs(sp, &c, out, n, err);
}

int spool_do_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out,
			size_t *n, struct spool_err *err)
{
	struct jobs_ctx c = { .now = now };
	return jobs(sp, &c, out, n, err);
}

struct next_ctx {
	const char *queues;
	int64_t run_at;
};

static int next_run_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct next_ctx *c = ctx;
	c->run_at = 0;
	return sp->ops->at_next_run(sp, c->queues, &c->run_at, err);
}

int spool_do_at_next_run(struct spool *sp, const char *queues, int64_t *run_at,
			 struct spool_err *err)
{
	struct next_ctx c = { .queues = queues };
	int code = sp->ops->txn(sp, false, next_run_txn, &c, err);
	if (code == SPOOL_OK)
		*run_at = c.run_at;
	return code;
}
