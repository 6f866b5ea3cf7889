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
#include <string.h>

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
		    const struct spool_rank_cursor *from, int64_t *ids, size_t *n,
		    struct spool_rank_cursor *last, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_int(&p, keep > INT64_MAX ? INT64_MAX : (int64_t)keep);
	pg_param_int(&p, (int64_t)batch);
	if (by_owner)
		pg_param_int(&p, from->set ? from->uid : INT64_MIN);
	else
		pg_param_bytes(&p, from->set ? from->key : "", from->set ? strlen(from->key) : 0);
	/* $3: the uid, or entry key, the pass goes on from (spool/prune.c).
	 * The entries (owners) with more than $1 records, in order, and each
	 * one's records past its newest $1 through the index run_entry
	 * (run_uid): a window function over the whole table sorted every
	 * owner's records at each call (sqlite/prune.c has the figures). */
	int code = pg_query(sp, by_owner
		? "SELECT e.id, o.uid FROM (SELECT uid FROM run"
		  " WHERE uid <> 0 AND uid >= $3::bigint GROUP BY uid"
		  " HAVING count(*) > $1::bigint) o CROSS JOIN LATERAL (SELECT id FROM run"
		  " WHERE uid = o.uid ORDER BY start_ms DESC, id DESC OFFSET $1::bigint) e"
		  " ORDER BY o.uid LIMIT $2::bigint"
		: "SELECT e.id, o.entry_key FROM (SELECT entry_key FROM run"
		  " WHERE entry_key >= $3::bytea GROUP BY entry_key"
		  " HAVING count(*) > $1::bigint) o CROSS JOIN LATERAL (SELECT id FROM run"
		  " WHERE entry_key = o.entry_key ORDER BY start_ms DESC, id DESC"
		  " OFFSET $1::bigint) e ORDER BY o.entry_key LIMIT $2::bigint",
		&p, &r, "prune history", err);
	if (code != SPOOL_OK)
		return code;
	int rows = PQntuples(r);
	for (int i = 0; i < rows && *n < batch; i++) {
		ids[(*n)++] = pg_int(r, i, 0);
		last->set = true;
		if (by_owner) {
			last->uid = pg_int(r, i, 1);
		} else {
			const void *key;
			size_t len;
			pg_bytes(r, i, 1, &key, &len);
			if (len > SPOOL_KEY_MAX)
				len = SPOOL_KEY_MAX;
			memcpy(last->key, key ? key : "", key ? len : 0);
			last->key[key ? len : 0] = '\0';
		}
	}
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
