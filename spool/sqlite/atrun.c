/* spool/atrun.c: moving at jobs through their states: claiming due jobs,
 * recording the running pid, finishing, and recovery after a crash.
 *
 * A claim is one UPDATE ... WHERE state = 'waiting' inside a write
 * transaction, and every write transaction holds the database's single write
 * lock: of any number of claimers, in any threads or processes, exactly one
 * sees its UPDATE change the row. The claim is durable before the daemon
 * starts the job, so after a crash the job is found running, not waiting,
 * and is never started a second time.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

/* The claim of job ID: 1 if it moved from waiting to running, 0 if not. */
static int try_claim(struct spool *sp, int64_t id, int64_t now, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_AT_CLAIM, &st, err);
	if (code != SPOOL_OK)
		return -code;
	int rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, now);
	if (rc != SQLITE_OK)
		return -spool_sqlerr(sp, err, rc, "claim at job");
	code = spool_step_done(sp, st, "claim at job", err);
	if (code != SPOOL_OK)
		return -code;
	return sqlite3_changes(sq(sp)->db) == 1;
}

/* Why job ID could not move: NOT_FOUND, or CONFLICT naming its state. */
static int not_in_state(struct spool *sp, int64_t id, const char *wanted,
			struct spool_err *err)
{
	enum spool_at_state state;
	uid_t uid;
	int code = spool_at_state_of(sp, id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is %s, not %s",
			    sp->path, (long long)id, spool_at_state_name(state), wanted);
}

struct claim_ctx {
	int64_t id;
	int64_t now;
};

static int claim_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct claim_ctx *c = ctx;
	int claimed = try_claim(sp, c->id, c->now, err);
	if (claimed < 0)
		return -claimed;
	return claimed ? SPOOL_OK : not_in_state(sp, c->id, "waiting", err);
}

int sqlite_at_claim(struct spool *sp, int64_t id, int64_t now,
		   struct spool_err *err)
{
	struct claim_ctx c = { .id = id, .now = now };
	return spool_txn(sp, TXN_WRITE, claim_txn, &c, err);
}

/* The ids ST selects (first column), as a new array *IDS (the caller frees
 * it, also on failure). */
static int collect_ids(struct spool *sp, sqlite3_stmt *st, int64_t **ids,
		       size_t *n, struct spool_err *err)
{
	size_t cap = 0;
	int row;
	*ids = NULL;
	*n = 0;
	while ((row = spool_step_row(sp, st, "select at jobs", err)) == 1) {
		int code = spool_grow(sp, ids, *n, &cap, sizeof **ids, err);
		if (code != SPOOL_OK)
			return code;   /* the caller frees *IDS */
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	return row < 0 ? -row : SPOOL_OK;
}

struct jobs_ctx {
	int64_t now;
	const char *queues;
	size_t max;
	struct spool_at_job *v;
	size_t n;
};

/* Reads jobs IDS in full into C->v, claiming each first when CLAIM. */
static int load_jobs(struct spool *sp, struct jobs_ctx *c, const int64_t *ids,
		     size_t n, bool claim, struct spool_err *err)
{
	if (n == 0)
		return SPOOL_OK;
	if ((c->v = calloc(n, sizeof *c->v)) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; i < n; i++) {
		if (claim) {
			int claimed = try_claim(sp, ids[i], c->now, err);
			if (claimed < 0)
				return -claimed;
			if (!claimed)   /* cannot happen: we hold the write lock */
				return not_in_state(sp, ids[i], "waiting", err);
		}
		int code = spool_at_read(sp, ids[i], &c->v[i], err);
		if (code != SPOOL_OK)
			return code;
		c->n = i + 1;
	}
	return SPOOL_OK;
}

static void reset_jobs(struct jobs_ctx *c)
{
	spool_at_jobs_free(c->v, c->n);
	c->v = NULL;
	c->n = 0;
}

static int claim_due_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct jobs_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	reset_jobs(c);   /* a retried attempt starts over */
	int code = spool_stmt(sp, ST_AT_DUE, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, c->now);
	if (rc == SQLITE_OK)
		rc = spool_bind_text(st, 2, c->queues);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)c->max);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "claim due at jobs");
	int64_t *ids;
	size_t n;
	code = collect_ids(sp, st, &ids, &n, err);
	if (code == SPOOL_OK)
		code = load_jobs(sp, c, ids, n, true, err);
	free(ids);
	return code;
}

int sqlite_at_claim_due(struct spool *sp, int64_t now, const char *queues,
		       size_t max, struct spool_at_job **out, size_t *n,
		       struct spool_err *err)
{
	struct jobs_ctx c = { .now = now, .queues = queues, .max = max };
	int code = spool_txn(sp, TXN_WRITE, claim_due_txn, &c, err);
	if (code != SPOOL_OK) {
		reset_jobs(&c);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

struct running_ctx {
	int64_t id;
	pid_t pid;
	int64_t started_at;
};

static int set_running_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct running_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_AT_SET_RUNNING, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, c->id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, c->pid);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, c->started_at);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "set at job running");
	code = spool_step_done(sp, st, "set at job running", err);
	if (code == SPOOL_OK && sqlite3_changes(sq(sp)->db) == 0)
		code = not_in_state(sp, c->id, "running", err);
	return code;
}

int sqlite_at_set_running(struct spool *sp, int64_t id, pid_t pid,
			 int64_t started_at, struct spool_err *err)
{
	struct running_ctx c = { .id = id, .pid = pid, .started_at = started_at };
	return spool_txn(sp, TXN_WRITE, set_running_txn, &c, err);
}

struct finish_ctx {
	int64_t id;
	const struct spool_run *result;
};

static int finish_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	const struct finish_ctx *c = ctx;
	int64_t id = c->id;
	enum spool_at_state state;
	uid_t uid;
	sqlite3_stmt *st = NULL;
	int code = spool_at_state_of(sp, id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	if (state == SPOOL_AT_WAITING)
		return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is waiting,"
				    " not running", sp->path, (long long)id);
	code = spool_stmt(sp, ST_AT_DELETE, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, id);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "finish at job");
	code = spool_step_done(sp, st, "finish at job", err);
	if (code == SPOOL_OK && c->result != NULL)
		code = spool_run_end(sp, c->result, err);
	return code;
}

int sqlite_at_finish(struct spool *sp, int64_t id, const struct spool_run *result,
		    struct spool_err *err)
{
	struct finish_ctx c = { .id = id, .result = result };
	return spool_txn(sp, TXN_WRITE, finish_txn, &c, err);
}

static int recover_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct jobs_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	reset_jobs(c);   /* a retried attempt starts over */
	int code = spool_stmt(sp, ST_AT_INTERRUPT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, c->now);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "recover at jobs");
	code = spool_step_done(sp, st, "recover at jobs", err);
	if (code == SPOOL_OK)
		code = spool_stmt(sp, ST_AT_INTERRUPTED, &st, err);
	if (code != SPOOL_OK)
		return code;
	int64_t *ids;
	size_t n;
	code = collect_ids(sp, st, &ids, &n, err);
	if (code == SPOOL_OK)
		code = load_jobs(sp, c, ids, n, false, err);
	free(ids);
	return code;
}

int sqlite_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out,
		     size_t *n, struct spool_err *err)
{
	struct jobs_ctx c = { .now = now };
	int code = spool_txn(sp, TXN_WRITE, recover_txn, &c, err);
	if (code != SPOOL_OK) {
		reset_jobs(&c);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

struct next_ctx {
	const char *queues;
	int64_t run_at;
};

static int next_run_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct next_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_AT_NEXT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, c->queues);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "next at job");
	int row = spool_step_row(sp, st, "next at job", err);
	if (row < 0)
		return -row;
	if (row == 0)
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: no waiting at jobs",
				    sp->path);
	c->run_at = sqlite3_column_int64(st, 0);
	return SPOOL_OK;
}

int sqlite_at_next_run(struct spool *sp, const char *queues, int64_t *run_at,
		      struct spool_err *err)
{
	struct next_ctx c = { .queues = queues };
	int code = spool_txn(sp, TXN_READ, next_run_txn, &c, err);
	if (code == SPOOL_OK)
		*run_at = c.run_at;
	return code;
}
