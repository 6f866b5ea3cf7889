/* spool/sqlite/prune.c: history retention (spool/prune.c orchestrates), by
 * age, by records per entry and by records per user (root's excepted).
 *
 * Each call deletes a bounded batch in its own short transaction, so the
 * daemon can prune a large backlog in small steps; it calls again while a
 * call deletes a full batch.
 *
 * Finding the records beyond the newest KEEP of each entry means ranking the
 * whole history (tens of milliseconds per 100,000 records). That is done in
 * a read transaction, which in WAL mode blocks no writer; only deleting the
 * chosen ids, by primary key, takes the write lock. The choice stays right
 * in between: other writers only add records (which can only push a chosen
 * one further from the newest) or delete them (deleting an id twice is
 * harmless).
 */
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

int sqlite_history_rank(struct spool *sp, bool by_owner, size_t keep, size_t batch,
			int64_t *ids, size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = bound_stmt(sp, by_owner ? ST_RUN_BEYOND_UID_COUNT : ST_RUN_BEYOND_COUNT,
			      keep > INT64_MAX ? INT64_MAX : (int64_t)keep, batch, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row;
	while (*n < batch && (row = spool_step_row(sp, st, "prune history", err)) != 0) {
		if (row < 0)
			return -row;
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	}
	return SPOOL_OK;
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
