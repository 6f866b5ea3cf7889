/* spool/pg/claim.c: claiming scheduled runs of shared crontab entries, so
 * that each (entry, scheduled instant) runs once in the cluster.
 *
 * A run is the first claimer's: its row (entry_key, scheduled_ms) in the
 * table claim is the primary key, and INSERT ... ON CONFLICT DO NOTHING
 * RETURNING gives a row back only to the transaction whose insert made it.
 * A second claimer of the same run waits, in the unique index, for the
 * first one's transaction: when that commits it sees the conflict and
 * inserts nothing; when it rolls back the second one's insert goes ahead.
 * Clocks play no part: only the order in which the inserts reach the
 * database does. The won run's record is written as begun in the same
 * statement, so a committed claim always has its running record and a
 * rolled-back one has neither.
 *
 * A call claims its runs in (entry_key, scheduled_ms) order, whatever the
 * caller's order: two nodes claiming overlapping batches then wait for
 * each other in one direction only and never deadlock.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

struct claim_ctx {
	const struct spool_run *runs;
	size_t n;
	const size_t *order;   /* indexes of RUNS in claiming order */
	int64_t *ids;
	bool *won;
};

/* Claims run R: *ID its begun record's id when this transaction won it,
 * else 0. */
static int claim_one(struct spool *sp, const struct spool_run *run, int64_t *id,
		     struct spool_err *err)
{
	struct spool_run r = pg_run_as_begun(run);
	struct pg_params p = { 0 };
	PGresult *res = NULL;
	*id = 0;
	pg_param_str(&p, r.entry_key);
	pg_param_int(&p, r.scheduled_ms);
	pg_param_text(&p, sp->node);
	pg_param_text(&p, r.kind == SPOOL_RUN_AT ? "at" : "cron");
	pg_param_str(&p, r.owner);
	pg_param_int(&p, r.uid);
	pg_param_str(&p, r.command);
	pg_param_int(&p, r.start_ms);
	pg_param_int(&p, r.flags);
	/* The record's id is taken from run's own sequence before the insert
	 * into claim, so the claim names its record; a lost claim only leaves
	 * a gap in the ids. */
	int code = pg_query(sp,
		"WITH won AS (INSERT INTO claim (entry_key, scheduled_ms, node, run_id)"
		" VALUES ($1::bytea, $2::bigint, $3::text,"
		" nextval(pg_get_serial_sequence('run', 'id')))"
		" ON CONFLICT DO NOTHING RETURNING run_id)"
		" INSERT INTO run (id, kind, owner, uid, entry_key, command, scheduled_ms,"
		" start_ms, end_ms, exit_code, signal, flags, output_head, output_total, node)"
		" SELECT run_id, $4::text, $5::bytea, $6::bigint, $1::bytea, $7::bytea,"
		" $2::bigint, $8::bigint, 0, -1, 0, $9::integer, '\\x'::bytea, 0, $3::text"
		" FROM won RETURNING id",
		&p, &res, "claim run", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(res) == 1)
		*id = pg_int(res, 0, 0);
	PQclear(res);
	return SPOOL_OK;
}

static int claim_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct claim_ctx *c = ctx;
	memset(c->ids, 0, c->n * sizeof *c->ids);   /* a retried attempt starts over */
	memset(c->won, 0, c->n * sizeof *c->won);
	for (size_t k = 0; k < c->n; k++) {
		size_t i = c->order[k];
		int code = claim_one(sp, &c->runs[i], &c->ids[i], err);
		if (code != SPOOL_OK)
			return code;
		c->won[i] = c->ids[i] != 0;
	}
	return SPOOL_OK;
}

/* Orders two runs' indexes by (entry_key, scheduled_ms). */
static int by_key(const void *a, const void *b, void *arg)
{
	const struct spool_run *runs = arg;
	const struct spool_run *x = &runs[*(const size_t *)a], *y = &runs[*(const size_t *)b];
	int c = strcmp(x->entry_key, y->entry_key);
	if (c != 0)
		return c;
	return (x->scheduled_ms > y->scheduled_ms) - (x->scheduled_ms < y->scheduled_ms);
}

int pg_run_claim(struct spool *sp, const struct spool_run *runs, size_t n,
		 int64_t *ids, bool *won, struct spool_err *err)
{
	if (n > 0 && ids != NULL)
		memset(ids, 0, n * sizeof *ids);
	if (n > 0 && won != NULL)
		memset(won, 0, n * sizeof *won);
	int code = pg_runs_check(sp, runs, n, true, "claim runs", err);
	if (code != SPOOL_OK)
		return code;
	size_t *order = malloc(n * sizeof *order);
	if (order == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* Distinct runs' strings differ, or their instants do: the order of
	 * equal ones does not matter (the second is lost to the first). */
	qsort_r(order, n, sizeof *order, by_key, (void *)(uintptr_t)runs);
	struct claim_ctx c = { .runs = runs, .n = n, .order = order, .ids = ids, .won = won };
	code = pg_txn(sp, PG_WRITE, claim_txn, &c, err);
	free(order);
	if (code != SPOOL_OK) {
		memset(ids, 0, n * sizeof *ids);
		memset(won, 0, n * sizeof *won);
	}
	return code;
}
