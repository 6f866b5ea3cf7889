/* spool/pg/runs.h: what the PostgreSQL backend's at job and run history
 * files (atjobs.c, atrun.c, history.c, prune.c, claim.c, reap.c) share
 * beyond internal.h: reading rows into records, and writing records,
 * inside the caller's transaction.
 */
#ifndef CROND_SPOOL_PG_RUNS_H
#define CROND_SPOOL_PG_RUNS_H

#include "spool/pg/internal.h"

/* The columns of an at job in the order pg_at_read_row reads them. */
#define PG_AT_COLUMNS \
	"id, queue, owner, uid, gid, run_at, created_at, script, env, cwd," \
	" umask, mail, state, pid, started_at, mail_to"

/* Row ROW of R (PG_AT_COLUMNS) into *J (free with spool_at_job_free). */
int pg_at_read_row(struct spool *sp, const PGresult *r, int row, struct spool_at_job *j,
		   struct spool_err *err);

/* Every row of R (PG_AT_COLUMNS) as a new array *OUT of *N (free with
 * spool_at_jobs_free; NULL when *N is 0). */
int pg_at_read_rows(struct spool *sp, const PGresult *r, struct spool_at_job **out,
		    size_t *n, struct spool_err *err);

/* Column COL of row ROW as an enum spool_at_state, or -1. */
int pg_at_state_column(const PGresult *r, int row, int col);

/* The state and owner of job ID, locking its row until the caller's write
 * transaction ends: SPOOL_NOT_FOUND when there is none. */
int pg_at_state_of(struct spool *sp, int64_t id, enum spool_at_state *state,
		   uid_t *uid, struct spool_err *err);

/* The columns of a run record in the order pg_run_read_row reads them. */
#define PG_RUN_COLUMNS \
	"id, kind, owner, uid, entry_key, command, scheduled_ms, start_ms," \
	" end_ms, exit_code, signal, flags, output_head, output_total, node"
#define PG_RUN_NCOLUMNS 15   /* how many: a column after them is the caller's */

/* Row ROW of R (PG_RUN_COLUMNS) into *OUT (its strings in OUT->mem_). */
int pg_run_read_row(struct spool *sp, const PGresult *r, int row, struct spool_run *out,
		    struct spool_err *err);

/* Every row of R (PG_RUN_COLUMNS) as a new array *OUT of *N (free with
 * spool_runs_free; NULL when *N is 0). */
int pg_run_read_rows(struct spool *sp, const PGresult *r, struct spool_run **out,
		     size_t *n, struct spool_err *err);

/* Inserts record R (checked) recorded by NODE inside the caller's write
 * transaction; *ID (may be NULL) gets its id. */
int pg_run_insert(struct spool *sp, const struct spool_run *r, const char *node,
		  int64_t *id, struct spool_err *err);

/* The database's clock, in ms since the epoch, read inside the caller's
 * transaction. */
int pg_db_now_ms(struct spool *sp, int64_t *now_ms, struct spool_err *err);

#endif
