/* spool/sqlite/prune.c: history retention (spool/prune.c orchestrates), by
 * age, by records per entry and by records per user (root's excepted).
 *
 * Each call deletes a bounded batch in its own short transaction, so the
 * daemon can prune a large backlog in small steps; it calls again while a
 * call deletes a full batch.
 *
 * Finding the records beyond the newest KEEP of each entry means scanning
 * the index of the history's entries (about 20 ms per 100,000 records, from
 * where the pass is: spool/prune.c). That is done in a read transaction, which in WAL mode blocks no writer; only deleting the
 * chosen ids, by primary key, takes the write lock. The choice stays right
 * in between: other writers only add records (which can only push a chosen
 * one further from the newest) or delete them (deleting an id twice is
 * harmless).
 */
#include <stdio.h>
#include <stdlib.h>

#include "spool/sqlite/internal.h"

/* Statement SID into *ST with BOUND and BATCH as its parameters. */
static int bound_stmt(struct spool *sp, enum stmt_id sid, int64_t bound, size_t batch,
		      sqlite3_stmt **st, struct spool_err *err)
{
	int code = spool_stmt(sp, sid, st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(*st, 1, bound);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(*st, 2, (sqlite3_int64)batch);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "prune history");
	return SPOOL_OK;
}

int sqlite_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch,
			     size_t *deleted, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = bound_stmt(sp, ST_RUN_PRUNE_AGE, before_ms, batch, &st, err);
	if (code != SPOOL_OK)
		return code;
	code = spool_step_done(sp, st, "prune history", err);
	if (code == SPOOL_OK)
		*deleted = (size_t)sqlite3_changes64(sq(sp)->db);
	return code;
}

/* Binds FROM's place (or the first) as ?1 of ST, the partitions' key. */
static int bind_partition(sqlite3_stmt *st, bool by_owner, const struct spool_rank_cursor *c)
{
	return by_owner ? sqlite3_bind_int64(st, 1, c->set ? c->uid : INT64_MIN)
		: spool_bind_text(st, 1, c->set ? c->key : "");
}

/* The records over KEEP of each entry (owner) come from two indexed
 * queries: which entries have more than KEEP (ST_RUN_OVER_*, a scan of the
 * covering index in key order), and, for each, its records past the newest
 * KEEP (ST_RUN_EXCESS_*, the index read backwards). A window function over
 * the whole table sorted every owner's records: 1.5 s for 1,000,000 with
 * nothing to prune, against 0.2 s. */
int sqlite_history_rank(struct spool *sp, bool by_owner, size_t keep, size_t batch,
			const struct spool_rank_cursor *from, int64_t *ids, size_t *n,
			struct spool_rank_cursor *last, struct spool_err *err)
{
	sqlite3_stmt *over = NULL, *excess = NULL;
	int64_t k = keep > INT64_MAX ? INT64_MAX : (int64_t)keep;
	int code = spool_stmt(sp, by_owner ? ST_RUN_OVER_UIDS : ST_RUN_OVER_KEYS, &over, err);
	if (code != SPOOL_OK)
		return code;
	int rc = bind_partition(over, by_owner, from);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(over, 2, k);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "prune history");
	int row = 0;
	while (*n < batch && (row = spool_step_row(sp, over, "prune history", err)) == 1) {
		struct spool_rank_cursor here = { .set = true };
		if (by_owner) {
			here.uid = sqlite3_column_int64(over, 0);
		} else {
			const unsigned char *key = sqlite3_column_text(over, 0);
			snprintf(here.key, sizeof here.key, "%s", key ? (const char *)key : "");
		}
		code = spool_stmt(sp, by_owner ? ST_RUN_EXCESS_UID : ST_RUN_EXCESS_KEY, &excess, err);
		if (code != SPOOL_OK)
			return code;
		rc = bind_partition(excess, by_owner, &here);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(excess, 2, k);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(excess, 3, (sqlite3_int64)(batch - *n));
		if (rc != SQLITE_OK)
			return spool_sqlerr(sp, err, rc, "prune history");
		int r2 = 0;
		while (*n < batch && (r2 = spool_step_row(sp, excess, "prune history", err)) == 1) {
			ids[(*n)++] = sqlite3_column_int64(excess, 0);
			*last = here;
		}
		if (r2 < 0)
			return -r2;
	}
	return row < 0 ? -row : SPOOL_OK;
}

int sqlite_history_delete(struct spool *sp, const int64_t *ids, size_t n,
			  size_t *deleted, struct spool_err *err)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = NULL;
		int code = spool_stmt(sp, ST_RUN_DELETE, &st, err);
		if (code != SPOOL_OK)
			return code;
		int rc = sqlite3_bind_int64(st, 1, ids[i]);
		if (rc != SQLITE_OK)
			return spool_sqlerr(sp, err, rc, "prune history");
		code = spool_step_done(sp, st, "prune history", err);
		if (code != SPOOL_OK)
			return code;
		*deleted += (size_t)sqlite3_changes64(sq(sp)->db);
	}
	return SPOOL_OK;
}
