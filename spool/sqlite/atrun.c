/* spool/sqlite/atrun.c: moving at jobs through their states (spool/at_run.c
 * orchestrates): claiming, claiming due jobs, recording the running pid,
 * recovery after a crash, the next run.
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

int sqlite_at_claim(struct spool *sp, int64_t id, int64_t now, bool *claimed,
		    struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	*claimed = false;
	int code = spool_stmt(sp, ST_AT_CLAIM, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, now);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "claim at job");
	code = spool_step_done(sp, st, "claim at job", err);
	*claimed = code == SPOOL_OK && sqlite3_changes(sq(sp)->db) == 1;
	return code;
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

/* Reads the N jobs of IDS in full into a new array *OUT (*COUNT read so
 * far), claiming each first when CLAIM (at NOW). */
static int load_jobs(struct spool *sp, const int64_t *ids, size_t n, bool claim,
		     int64_t now, struct spool_at_job **out, size_t *count,
		     struct spool_err *err)
{
	if (n == 0)
		return SPOOL_OK;
	if ((*out = calloc(n, sizeof **out)) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; i < n; i++) {
		bool claimed = true;
		int code = claim ? sqlite_at_claim(sp, ids[i], now, &claimed, err) : SPOOL_OK;
		if (code == SPOOL_OK && !claimed)   /* cannot be: we hold the write lock */
			code = spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is not"
					    " waiting", sp->path, (long long)ids[i]);
		if (code == SPOOL_OK)
			code = spool_at_read(sp, ids[i], &(*out)[i], err);
		if (code != SPOOL_OK)
			return code;
		*count = i + 1;
	}
	return SPOOL_OK;
}

/* The jobs ST selects, in full, into *OUT of *N (claimed first when CLAIM). */
static int select_jobs(struct spool *sp, sqlite3_stmt *st, bool claim, int64_t now,
		       struct spool_at_job **out, size_t *n, struct spool_err *err)
{
	int64_t *ids;
	size_t count;
	int code = collect_ids(sp, st, &ids, &count, err);
	if (code == SPOOL_OK)
		code = load_jobs(sp, ids, count, claim, now, out, n, err);
	free(ids);
	return code;
}

int sqlite_at_claim_due(struct spool *sp, int64_t now, const char *queues, size_t max,
			struct spool_at_job **out, size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_AT_DUE, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, now);
	if (rc == SQLITE_OK)
		rc = spool_bind_text(st, 2, queues);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "claim due at jobs");
	return select_jobs(sp, st, true, now, out, n, err);
}

int sqlite_at_set_running(struct spool *sp, int64_t id, pid_t pid, int64_t started_at,
			  bool *changed, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	*changed = false;
	int code = spool_stmt(sp, ST_AT_SET_RUNNING, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, pid);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, started_at);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "set at job running");
	code = spool_step_done(sp, st, "set at job running", err);
	*changed = code == SPOOL_OK && sqlite3_changes(sq(sp)->db) > 0;
	return code;
}

int sqlite_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out,
		      size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	/* Most starts find nothing to recover: one query says so, where the
	 * three statements below cost their preparation (0.1 ms of a start). */
	int code = spool_stmt(sp, ST_AT_RECOVER_ANY, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row = spool_step_row(sp, st, "recover at jobs", err);
	(void)sqlite3_reset(st);   /* after a row, reset reports no error */
	if (row <= 0) {
		*out = NULL;
		*n = 0;
		return -row;
	}
	/* Claimed, but no start recorded: crond stopped between the claim and
	 * the fork (the claim's fsync, reading the job, preparing its start),
	 * or before its start's record reached the file (a process killed
	 * during the fsync has written it already), while the job's process
	 * waited at its gate for that record (crond/run/runner.h: gated): the
	 * job never ran. It waits again, to run at once. Before, such a job
	 * counted as interrupted and never ran: a hard kill during a minute of
	 * at starts lost one in 8 of 20 tries. Before the gate, a job exec'd
	 * while its record waited for the write lock and the fsync, 1-2 ms,
	 * and ran twice: 21 of 4,439 jobs in a crash test. */
	code = spool_stmt(sp, ST_AT_UNCLAIM, &st, err);
	if (code == SPOOL_OK)
		code = spool_step_done(sp, st, "recover at jobs", err);
	if (code == SPOOL_OK)
		code = spool_stmt(sp, ST_AT_INTERRUPT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, now);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "recover at jobs");
	code = spool_step_done(sp, st, "recover at jobs", err);
	if (code == SPOOL_OK)
		code = spool_stmt(sp, ST_AT_INTERRUPTED, &st, err);
	if (code != SPOOL_OK)
		return code;
	return select_jobs(sp, st, false, now, out, n, err);
}

int sqlite_at_next_run(struct spool *sp, const char *queues, int64_t *run_at,
		       struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_AT_NEXT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, queues);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "next at job");
	int row = spool_step_row(sp, st, "next at job", err);
	if (row < 0)
		return -row;
	if (row == 0)
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: no waiting at jobs",
				    sp->path);
	*run_at = sqlite3_column_int64(st, 0);
	return SPOOL_OK;
}
