/* spool/pg/prune.c: history retention on a PostgreSQL spool (spool/prune.c
 * orchestrates), by age, by
 * records per entry and by records per user (root's excepted); and the
 * claims of scheduled runs (claim.c), pruned with the age bound.
 *
 * Each call deletes a bounded batch in its own short transaction, so a
 * node can prune a large backlog in small steps; it calls again while a
 * call deletes a full batch. Several nodes may prune at once: deleting a
 * record twice is harmless.
 *
 * Claims. A claim only has to outlive the chance that a node claims the
 * same (entry, instant) again, which it does only for an instant it has
 * not passed yet, or catching up a little after downtime: a claim as old
 * as the history's age bound is past all use. Each age prune deletes up to
 * BATCH such claims too, and counts the larger of the two numbers as
 * deleted, so the caller's "call again while a full batch went" also
 * finishes the claims. The oldest go first, found through the index
 * claim_scheduled and deleted by their row addresses (ctid: a claim is
 * never updated, so its address stays), so a prune reads what it deletes,
 * never the whole table. (Matching them by (entry_key, scheduled_ms)
 * instead, the generic plan a prepared statement ends up with joins the
 * batch to a sequential scan of the table; the test
 * test_claim_prune_reads_claims_by_index checks the server's counts.)
 *
 * Finding the records beyond the newest KEEP of each entry ranks the whole
 * history; that is done in a read transaction (a snapshot that blocks no
 * writer), and only deleting the chosen ids takes a write transaction. The
 * choice stays right in between: other writers only add records (which
 * can only push a chosen one further from the newest) or delete them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

/* Runs SQL with BOUND and BATCH as $1 and $2; *CHANGED gets how many rows
 * it changed, *RES (RES may be NULL) its rows. */
static int bound_query(struct spool *sp, const char *sql, int64_t bound, size_t batch,
		       size_t *changed, PGresult **res, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_int(&p, bound);
	pg_param_int(&p, (int64_t)batch);
	int code = pg_query(sp, sql, &p, &r, "prune history", err);
	if (code != SPOOL_OK)
		return code;
	if (changed != NULL)
		*changed = (size_t)pg_changes(r);
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return SPOOL_OK;
}

int pg_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch,
			 size_t *deleted, struct spool_err *err)
{
	size_t runs = 0, claims = 0;
	/* flags & 64 = 0: running records are never pruned. */
	int code = bound_query(sp, "DELETE FROM run WHERE id IN (SELECT id FROM run"
			       " WHERE start_ms < $1::bigint AND flags & 64 = 0"
			       " ORDER BY start_ms LIMIT $2::bigint)", before_ms, batch,
			       &runs, NULL, err);
	if (code == SPOOL_OK)
		code = bound_query(sp, "DELETE FROM claim WHERE ctid = ANY (ARRAY("
				   "SELECT ctid FROM claim WHERE scheduled_ms < $1::bigint"
				   " ORDER BY scheduled_ms LIMIT $2::bigint))",
				   before_ms, batch, &claims, NULL, err);
	if (code == SPOOL_OK)
		*deleted = runs > claims ? runs : claims;
	return code;
}

/* The same per owner, root's records (the system's) left out: a user's
 * whole history is bounded, whatever their number of entries. */
int pg_history_rank(struct spool *sp, bool by_owner, size_t keep, size_t batch,
		    int64_t *ids, size_t *n, struct spool_err *err)
{
	PGresult *r = NULL;
	int code = bound_query(sp, by_owner
		? "SELECT id FROM (SELECT id, row_number() OVER"
		  " (PARTITION BY uid ORDER BY start_ms DESC, id DESC)"
		  " AS newer FROM run WHERE uid <> 0) ranked"
		  " WHERE newer > $1::bigint LIMIT $2::bigint"
		: "SELECT id FROM (SELECT id, row_number() OVER"
		  " (PARTITION BY entry_key ORDER BY start_ms DESC, id DESC)"
		  " AS newer FROM run) ranked WHERE newer > $1::bigint"
		  " LIMIT $2::bigint",
		keep > INT64_MAX ? INT64_MAX : (int64_t)keep, batch, NULL, &r, err);
	if (code != SPOOL_OK)
		return code;
	int rows = PQntuples(r);
	for (int i = 0; i < rows && *n < batch; i++)
		ids[(*n)++] = pg_int(r, i, 0);
	PQclear(r);
	return SPOOL_OK;
}

/* The N ids of IDS as an array literal, "{1,2,3}", malloc'ed into *OUT. */
static int id_array(struct spool *sp, const int64_t *ids, size_t n, char **out,
		    struct spool_err *err)
{
	size_t size = n * 21 + 3;   /* at most 20 digits and a comma each */
	char *s = malloc(size), *p = s;
	if (s == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	*p++ = '{';
	for (size_t i = 0; i < n; i++)
		p += snprintf(p, size - (size_t)(p - s), "%s%" PRId64, i > 0 ? "," : "",
			      ids[i]);
	*p++ = '}';
	*p = '\0';
	*out = s;
	return SPOOL_OK;
}

int pg_history_delete(struct spool *sp, const int64_t *ids, size_t n, size_t *deleted,
		      struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	char *array = NULL;
	int code = id_array(sp, ids, n, &array, err);
	if (code != SPOOL_OK)
		return code;
	pg_param_text(&p, array);
	/* A running record the ranking chose is spared here. */
	code = pg_query(sp, "DELETE FROM run WHERE id = ANY ($1::bigint[])"
			" AND flags & 64 = 0", &p, &r, "prune history", err);
	free(array);
	if (code != SPOOL_OK)
		return code;
	*deleted = (size_t)pg_changes(r);
	PQclear(r);
	return SPOOL_OK;
}
