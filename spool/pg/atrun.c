/* spool/pg/atrun.c: moving at jobs through their states on a PostgreSQL
 * spool: claiming due jobs, recording the running pid, finishing, and
 * recovery after a crash.
 *
 * A claim is one UPDATE ... WHERE state = 'waiting'. In READ COMMITTED a
 * second claimer of the same row waits for the first one's row lock, then
 * re-reads the row as committed: no longer waiting, so its UPDATE changes
 * nothing. Of any number of claimers, on any node, exactly one sees its
 * UPDATE change the row. claim_due picks its jobs with FOR UPDATE SKIP
 * LOCKED, so nodes claiming at once take different jobs instead of
 * queueing on each other's. The claim records the claiming node, commits
 * before the daemon starts the job, and recovery after a crash touches only
 * the recovering node's own jobs: another node's running jobs may well be
 * running.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

/* Why job ID could not move: NOT_FOUND, or CONFLICT naming its state. */
static int not_in_state(struct spool *sp, int64_t id, const char *wanted,
			struct spool_err *err)
{
	enum spool_at_state state;
	uid_t uid;
	int code = pg_at_state_of(sp, id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is %s, not %s",
			    sp->path, (long long)id, spool_at_state_name(state), wanted);
}

static int claim_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	const int64_t *id = ctx;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_int(&p, *id);
	pg_param_text(&p, sp->node);
	int code = pg_query(sp, "UPDATE at_job SET state = 'running', node = $2"
			    " WHERE id = $1 AND state = 'waiting'", &p, &r,
			    "claim at job", err);
	if (code != SPOOL_OK)
		return code;
	int64_t changed = pg_changes(r);
	PQclear(r);
	if (changed != 1)
		return not_in_state(sp, *id, "waiting", err);
	return pg_announce(sp, err);
}

int pg_at_claim(struct spool *sp, int64_t id, int64_t now, struct spool_err *err)
{
	(void)now;   /* the claim's time is not kept: the node is */
	return pg_txn(sp, PG_WRITE, claim_txn, &id, err);
}

struct jobs_ctx {
	int64_t now;
	const char *queues;
	size_t max;
	struct spool_at_job *v;
	size_t n;
};

static void reset_jobs(struct jobs_ctx *c)
{
	spool_at_jobs_free(c->v, c->n);
	c->v = NULL;
	c->n = 0;
}

/* The jobs the query SQL with P returns (PG_AT_COLUMNS) into C. */
static int load_jobs(struct spool *sp, struct jobs_ctx *c, const char *sql,
		     const struct pg_params *p, const char *what, struct spool_err *err)
{
	PGresult *r = NULL;
	int code = pg_query(sp, sql, p, &r, what, err);
	if (code != SPOOL_OK)
		return code;
	code = pg_at_read_rows(sp, r, &c->v, &c->n, err);
	PQclear(r);
	return code;
}

static int claim_due_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct jobs_ctx *c = ctx;
	struct pg_params p = { 0 };
	reset_jobs(c);   /* a retried attempt starts over */
	pg_param_int(&p, c->now);
	pg_param_text(&p, c->queues);
	pg_param_int(&p, c->max > INT64_MAX ? INT64_MAX : (int64_t)c->max);
	pg_param_text(&p, sp->node);
	/* Each data-modifying WITH runs exactly once; the jobs come back in
	 * run_at, id order. */
	int code = load_jobs(sp, c,
		"WITH due AS (SELECT id FROM at_job WHERE state = 'waiting'"
		" AND run_at <= $1::bigint"
		" AND ($2::text IS NULL OR strpos($2::text, queue) > 0)"
		" ORDER BY run_at, id LIMIT $3::bigint FOR UPDATE SKIP LOCKED),"
		" claimed AS (UPDATE at_job j SET state = 'running', node = $4::text"
		" FROM due WHERE j.id = due.id AND j.state = 'waiting' RETURNING j.*)"
		" SELECT " PG_AT_COLUMNS " FROM claimed ORDER BY run_at, id",
		&p, "claim due at jobs", err);
	if (code == SPOOL_OK && c->n > 0)
		code = pg_announce(sp, err);
	return code;
}

int pg_at_claim_due(struct spool *sp, int64_t now, const char *queues,
		    size_t max, struct spool_at_job **out, size_t *n,
		    struct spool_err *err)
{
	struct jobs_ctx c = { .now = now, .queues = queues, .max = max };
	int code = pg_txn(sp, PG_WRITE, claim_due_txn, &c, err);
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
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_int(&p, c->id);
	pg_param_int(&p, c->pid);
	pg_param_int(&p, c->started_at);
	int code = pg_query(sp, "UPDATE at_job SET pid = $2, started_at = $3"
			    " WHERE id = $1 AND state = 'running'", &p, &r,
			    "set at job running", err);
	if (code != SPOOL_OK)
		return code;
	int64_t changed = pg_changes(r);
	PQclear(r);
	if (changed == 0)
		return not_in_state(sp, c->id, "running", err);
	return pg_announce(sp, err);
}

int pg_at_set_running(struct spool *sp, int64_t id, pid_t pid,
		      int64_t started_at, struct spool_err *err)
{
	struct running_ctx c = { .id = id, .pid = pid, .started_at = started_at };
	return pg_txn(sp, PG_WRITE, set_running_txn, &c, err);
}

struct finish_ctx {
	int64_t id;
	const struct spool_run *result;
};

static int finish_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	const struct finish_ctx *c = ctx;
	enum spool_at_state state;
	uid_t uid;
	int code = pg_at_state_of(sp, c->id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	if (state == SPOOL_AT_WAITING)
		return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is waiting,"
				    " not running", sp->path, (long long)c->id);
	struct pg_params p = { 0 };
	pg_param_int(&p, c->id);
	code = pg_query(sp, "DELETE FROM at_job WHERE id = $1", &p, NULL,
			"finish at job", err);
	if (code == SPOOL_OK && c->result != NULL)
		code = pg_run_end(sp, c->result, err);
	if (code == SPOOL_OK)
		code = pg_announce(sp, err);
	return code;
}

int pg_at_finish(struct spool *sp, int64_t id, const struct spool_run *result,
		 struct spool_err *err)
{
	struct finish_ctx c = { .id = id, .result = result };
	return pg_txn(sp, PG_WRITE, finish_txn, &c, err);
}

static int recover_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct jobs_ctx *c = ctx;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	reset_jobs(c);   /* a retried attempt starts over */
	pg_param_text(&p, sp->node);
	int code = pg_query(sp, "UPDATE at_job SET state = 'interrupted'"
			    " WHERE state = 'running' AND node = $1", &p, &r,
			    "recover at jobs", err);
	if (code != SPOOL_OK)
		return code;
	bool changed = pg_changes(r) > 0;
	PQclear(r);
	code = load_jobs(sp, c, "SELECT " PG_AT_COLUMNS " FROM at_job"
			 " WHERE state = 'interrupted' AND node = $1 ORDER BY run_at, id",
			 &p, "recover at jobs", err);
	if (code == SPOOL_OK && changed)
		code = pg_announce(sp, err);
	return code;
}

int pg_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out,
		  size_t *n, struct spool_err *err)
{
	struct jobs_ctx c = { .now = now };
	int code = pg_txn(sp, PG_WRITE, recover_txn, &c, err);
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
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_text(&p, c->queues);
	int code = pg_query(sp, "SELECT run_at FROM at_job WHERE state = 'waiting'"
			    " AND ($1::text IS NULL OR strpos($1::text, queue) > 0)"
			    " ORDER BY run_at, id LIMIT 1", &p, &r, "next at job", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0)
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no waiting at jobs",
				    sp->path);
	else
		c->run_at = pg_int(r, 0, 0);
	PQclear(r);
	return code;
}

int pg_at_next_run(struct spool *sp, const char *queues, int64_t *run_at,
		   struct spool_err *err)
{
	struct next_ctx c = { .queues = queues };
	int code = pg_txn(sp, PG_READ, next_run_txn, &c, err);
	if (code == SPOOL_OK)
		*run_at = c.run_at;
	return code;
}
