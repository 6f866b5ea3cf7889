/* spool/at_run.c: moving at jobs through their states, as every backend
 * runs it: each move one write transaction, and a job that is not in the
 * state a move needs is refused naming the state it is in. How a claim
 * excludes every other claimer is the backend's (spool/sqlite/atrun.c,
 * spool/pg/atrun.c). */
#include <string.h>

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

/* Remembers that the claim of job ID may have been made (its commit's
 * answer was lost and nothing has told since), forgetting the oldest such
 * claim when full. */
static void remember_unknown(struct spool *sp, int64_t id)
{
	if (sp->at_unknown_n == SPOOL_AT_UNKNOWN_MAX) {
		memmove(sp->at_unknown, sp->at_unknown + 1,
			(SPOOL_AT_UNKNOWN_MAX - 1) * sizeof *sp->at_unknown);
		sp->at_unknown_n--;
	}
	sp->at_unknown[sp->at_unknown_n++] = id;
}

/* Whether job ID's claim was remembered as unknown; forgets it. */
static bool forget_unknown(struct spool *sp, int64_t id)
{
	for (size_t i = 0; i < sp->at_unknown_n; i++) {
		if (sp->at_unknown[i] == id) {
			memmove(sp->at_unknown + i, sp->at_unknown + i + 1,
				(sp->at_unknown_n - i - 1) * sizeof *sp->at_unknown);
			sp->at_unknown_n--;
			return true;
		}
	}
	return false;
}

/* Whether job ID is this node's, claimed and not started: 1 yes, 0 no,
 * -1 cannot tell now (E). */
static int claimed_here(struct spool *sp, struct move_ctx *c, struct spool_err *e)
{
	c->mine = false;
	if (sp->ops->txn(sp, false, claimed_here_txn, c, e) != SPOOL_OK)
		return -1;
	return c->mine;
}

/* A claim whose commit's answer was lost (ERR->unknown) is looked at again
 * at once, on a new connection: made (the job is this node's, running and
 * not started: no other claim of it can be this node's, since the daemon
 * claims a job once at a time, records its pid before it claims again, and
 * never starts a job that runs on it already: supervisor_launch.c),
 * or not, and then tried again. When nothing answers, the connection
 * remembers the job, and its next claim, refused because the job is no
 * longer waiting, looks again the same way: the claim made then is won. */
int spool_do_at_claim(struct spool *sp, int64_t id, int64_t now, struct spool_err *err)
{
	struct move_ctx c = { .id = id, .now = now };
	bool unknown_before = sp->ops->at_claimed_here != NULL && forget_unknown(sp, id);
	int code = sp->ops->txn(sp, true, claim_txn, &c, err);
	if (code == SPOOL_CONFLICT && unknown_before) {
		struct spool_err e2;
		int mine = claimed_here(sp, &c, &e2);
		if (mine < 0) {
			remember_unknown(sp, id);
			*err = e2;
			return err->code;
		}
		return mine ? SPOOL_OK : code;
	}
	if (code != SPOOL_IO || !err->unknown || sp->ops->at_claimed_here == NULL) {
		if (code == SPOOL_IO && unknown_before)
			remember_unknown(sp, id);   /* still not known */
		return code;
	}
	struct spool_err e2;
	int mine = claimed_here(sp, &c, &e2);
	if (mine != 0) {
		if (mine < 0)
			remember_unknown(sp, id);
		return mine > 0 ? SPOOL_OK : code;
	}
	code = sp->ops->txn(sp, true, claim_txn, &c, err);
	if (code == SPOOL_IO && err->unknown)
		remember_unknown(sp, id);
	return code;
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
	/* Written without a sync of its own (spool.h): the job's process
	 * waits for this record, and a process killed during a sync has
	 * written what it syncs, so with one here a kill then left the job
	 * recorded started but never let go (lost: 18 of 2,057 in a crash
	 * test); the connection's next commit makes it durable. */
	if (sp->ops->set_sync == NULL)
		return sp->ops->txn(sp, true, set_running_txn, &c, err);
	int code = sp->ops->set_sync(sp, false, err);
	if (code != SPOOL_OK)
		return code;
	code = sp->ops->txn(sp, true, set_running_txn, &c, err);
	struct spool_err back;
	int rc = sp->ops->set_sync(sp, true, &back);
	if (code == SPOOL_OK && rc != SPOOL_OK) {
		*err = back;
		code = rc;
	}
	return code;
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
