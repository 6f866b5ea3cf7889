/* spool/pg/atrun.c: moving at jobs through their states on a PostgreSQL
 * spool (spool/at_run.c orchestrates): claiming, claiming due jobs,
 * recording the running pid, recovery after a crash, the next run.
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
#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

/* Runs SQL with P, which changes job rows: *CHANGED says whether it
 * changed any, and then it is announced. */
static int change_jobs(struct spool *sp, const char *sql, const struct pg_params *p,
		       const char *what, bool *changed, struct spool_err *err)
{
	PGresult *r = NULL;
	*changed = false;
	int code = pg_query(sp, sql, p, &r, what, err);
	if (code != SPOOL_OK)
		return code;
	*changed = pg_changes(r) > 0;
	PQclear(r);
	return *changed ? pg_announce(sp, err) : SPOOL_OK;
}

int pg_at_claim(struct spool *sp, int64_t id, int64_t now, bool *claimed,
		struct spool_err *err)
{
	(void)now;   /* the claim's time is not kept: the node is */
	struct pg_params p = { 0 };
	pg_param_int(&p, id);
	pg_param_text(&p, sp->node);
	return change_jobs(sp, "UPDATE at_job SET state = 'running', node = $2"
			   " WHERE id = $1 AND state = 'waiting'", &p, "claim at job",
			   claimed, err);
}

int pg_at_claimed_here(struct spool *sp, int64_t id, bool *mine, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_int(&p, id);
	pg_param_text(&p, sp->node);
	int code = pg_query(sp, "SELECT 1 FROM at_job WHERE id = $1 AND state = 'running'"
			    " AND node = $2 AND pid = 0", &p, &r, "look at at job", err);
	if (code != SPOOL_OK)
		return code;
	*mine = PQntuples(r) == 1;
	PQclear(r);
	return SPOOL_OK;
}

/* The jobs the query SQL with P returns (PG_AT_COLUMNS) into *OUT of *N. */
static int load_jobs(struct spool *sp, const char *sql, const struct pg_params *p,
		     const char *what, struct spool_at_job **out, size_t *n,
		     struct spool_err *err)
{
	PGresult *r = NULL;
	int code = pg_query(sp, sql, p, &r, what, err);
	if (code != SPOOL_OK)
		return code;
	code = pg_at_read_rows(sp, r, out, n, err);
	PQclear(r);
	return code;
}

int pg_at_claim_due(struct spool *sp, int64_t now, const char *queues, size_t max,
		    struct spool_at_job **out, size_t *n, struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_int(&p, now);
	pg_param_text(&p, queues);
	pg_param_int(&p, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	pg_param_text(&p, sp->node);
	/* Each data-modifying WITH runs exactly once; the jobs come back in
	 * run_at, id order. */
	int code = load_jobs(sp,
		"WITH due AS (SELECT id FROM at_job WHERE state = 'waiting'"
		" AND run_at <= $1::bigint"
		" AND ($2::text IS NULL OR strpos($2::text, queue) > 0)"
		" ORDER BY run_at, id LIMIT $3::bigint FOR UPDATE SKIP LOCKED),"
		" claimed AS (UPDATE at_job j SET state = 'running', node = $4::text"
		" FROM due WHERE j.id = due.id AND j.state = 'waiting' RETURNING j.*)"
		" SELECT " PG_AT_COLUMNS " FROM claimed ORDER BY run_at, id",
		&p, "claim due at jobs", out, n, err);
	if (code == SPOOL_OK && *n > 0)
		code = pg_announce(sp, err);
	return code;
}

int pg_at_set_running(struct spool *sp, int64_t id, pid_t pid, int64_t started_at,
		      bool *changed, struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_int(&p, id);
	pg_param_int(&p, pid);
	pg_param_int(&p, started_at);
	return change_jobs(sp, "UPDATE at_job SET pid = $2, started_at = $3"
			   " WHERE id = $1 AND state = 'running'", &p,
			   "set at job running", changed, err);
}

int pg_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out,
		  size_t *n, struct spool_err *err)
{
	(void)now;
	struct pg_params p = { 0 };
	bool changed = false;
	pg_param_text(&p, sp->node);
	int code = change_jobs(sp, "UPDATE at_job SET state = 'interrupted'"
			       " WHERE state = 'running' AND node = $1", &p,
			       "recover at jobs", &changed, err);
	if (code == SPOOL_OK)
		code = load_jobs(sp, "SELECT " PG_AT_COLUMNS " FROM at_job"
				 " WHERE state = 'interrupted' AND node = $1 ORDER BY run_at, id",
				 &p, "recover at jobs", out, n, err);
	return code;
}

int pg_at_next_run(struct spool *sp, const char *queues, int64_t *run_at,
		   struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_text(&p, queues);
	int code = pg_query(sp, "SELECT run_at FROM at_job WHERE state = 'waiting'"
			    " AND ($1::text IS NULL OR strpos($1::text, queue) > 0)"
			    " ORDER BY run_at, id LIMIT 1", &p, &r, "next at job", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0)
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no waiting at jobs",
				    sp->path);
	else
		*run_at = pg_int(r, 0, 0);
	PQclear(r);
	return code;
}
