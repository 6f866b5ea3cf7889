/* spool/prune.c: history retention, by age, by records per entry and by
 * records per user (root's excepted).
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

struct prune_ctx {
	enum stmt_id sid; /* by count: which ranking */
	int64_t bound;    /* before_ms, or records to keep */
	size_t batch;
	int64_t *ids;     /* by count: the ids chosen */
	size_t n;
	size_t deleted;
};

/* Statement SID into *ST with C's bound and batch as its parameters. */
static int bound_stmt(struct spool *sp, enum stmt_id sid, const struct prune_ctx *c,
		      sqlite3_stmt **st, struct spool_err *err)
{
	int code = spool_stmt(sp, sid, st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(*st, 1, c->bound);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(*st, 2, (sqlite3_int64)c->batch);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "prune history");
	return SPOOL_OK;
}

static int prune_age_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct prune_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	c->deleted = 0;
	int code = bound_stmt(sp, ST_RUN_PRUNE_AGE, c, &st, err);
	if (code != SPOOL_OK)
		return code;
	code = spool_step_done(sp, st, "prune history", err);
	if (code == SPOOL_OK)
		c->deleted = (size_t)sqlite3_changes64(sq(sp)->db);
	return code;
}

int sqlite_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch,
			    size_t *deleted, struct spool_err *err)
{
	struct prune_ctx c = { .bound = before_ms, .batch = batch };
	int code = spool_txn(sp, TXN_WRITE, prune_age_txn, &c, err);
	if (code == SPOOL_OK && deleted != NULL)
		*deleted = c.deleted;
	return code;
}

static int choose_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct prune_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	c->n = 0;   /* a retried attempt starts over */
	int code = bound_stmt(sp, c->sid, c, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row;
	while (c->n < c->batch &&
	       (row = spool_step_row(sp, st, "prune history", err)) != 0) {
		if (row < 0)
			return -row;
		c->ids[c->n++] = sqlite3_column_int64(st, 0);
	}
	return SPOOL_OK;
}

static int delete_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct prune_ctx *c = ctx;
	c->deleted = 0;
	for (size_t i = 0; i < c->n; i++) {
		sqlite3_stmt *st = NULL;
		int code = spool_stmt(sp, ST_RUN_DELETE, &st, err);
		if (code != SPOOL_OK)
			return code;
		int rc = sqlite3_bind_int64(st, 1, c->ids[i]);
		if (rc != SQLITE_OK)
			return spool_sqlerr(sp, err, rc, "prune history");
		code = spool_step_done(sp, st, "prune history", err);
		if (code != SPOOL_OK)
			return code;
		c->deleted += (size_t)sqlite3_changes64(sq(sp)->db);
	}
	return SPOOL_OK;
}

static int prune_ranked(struct spool *sp, enum stmt_id sid, size_t keep, size_t batch,
			size_t *deleted, struct spool_err *err)
{
	struct prune_ctx c = { .sid = sid, .bound = keep > INT64_MAX ? INT64_MAX : (int64_t)keep,
			       .batch = batch };
	/* The batch is the caller's bound on work and memory alike. */
	if ((c.ids = calloc(batch, sizeof *c.ids)) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	int code = spool_txn(sp, TXN_READ, choose_txn, &c, err);
	if (code == SPOOL_OK && c.n > 0)
		code = spool_txn(sp, TXN_WRITE, delete_txn, &c, err);
	free(c.ids);
	if (code == SPOOL_OK && deleted != NULL)
		*deleted = c.deleted;
	return code;
}

int sqlite_history_prune_count(struct spool *sp, size_t keep, size_t batch,
			      size_t *deleted, struct spool_err *err)
{
	return prune_ranked(sp, ST_RUN_BEYOND_COUNT, keep, batch, deleted, err);
}

int sqlite_history_prune_user_count(struct spool *sp, size_t keep, size_t batch,
				   size_t *deleted, struct spool_err *err)
{
	return prune_ranked(sp, ST_RUN_BEYOND_UID_COUNT, keep, batch, deleted, err);
}
