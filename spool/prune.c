/* spool/prune.c: the history's bounds, as every backend runs them: by age
 * in one short write transaction; by count in two, a read transaction
 * that ranks the history (which blocks no writer) and a short write
 * transaction that deletes what it chose, sparing any record that is
 * running by then. */
#include <stdlib.h>

#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"

struct prune_ctx {
	int64_t before_ms;   /* by age */
	bool by_owner;       /* by count: which ranking */
	size_t keep;
	size_t batch;
	const struct spool_rank_cursor *from;   /* by count: where the pass is */
	struct spool_rank_cursor last;          /* ... and where this call stopped */
	int64_t *ids;        /* by count: the ids chosen */
	size_t n;
	size_t deleted;
};

static int age_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct prune_ctx *c = ctx;
	c->deleted = 0;
	return sp->ops->history_prune_age(sp, c->before_ms, c->batch, &c->deleted, err);
}

int spool_do_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch,
			       size_t *deleted, struct spool_err *err)
{
	struct prune_ctx c = { .before_ms = before_ms, .batch = batch };
	int code = sp->ops->txn(sp, true, age_txn, &c, err);
	if (code == SPOOL_OK && deleted != NULL)
		*deleted = c.deleted;
	return code;
}

static int rank_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct prune_ctx *c = ctx;
	c->n = 0;   /* a retried attempt starts over */
	c->last.set = false;
	return sp->ops->history_rank(sp, c->by_owner, c->keep, c->batch, c->from, c->ids, &c->n,
				     &c->last, err);
}

static int delete_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct prune_ctx *c = ctx;
	c->deleted = 0;
	return sp->ops->history_delete(sp, c->ids, c->n, &c->deleted, err);
}

/* A pass over the history is one call per batch; each goes on from the
 * entry (owner) where the one before stopped (SP->rank_from), so a backlog
 * of excess costs one scan of the history, not one per batch (ranking from
 * the start again, each call read the entries already trimmed: with
 * 1,000,000 records and 10,000 in excess, 20 calls of 2 s each). A call
 * that finds less than a batch ends the pass. */
static int prune_ranked(struct spool *sp, bool by_owner, size_t keep, size_t batch,
			size_t *deleted, struct spool_err *err)
{
	struct spool_rank_cursor *from = &sp->rank_from[by_owner ? 1 : 0];
	struct prune_ctx c = { .by_owner = by_owner, .keep = keep, .batch = batch,
			       .from = from };
	/* The batch is the caller's bound on work and memory alike. */
	if ((c.ids = calloc(batch, sizeof *c.ids)) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	int code = sp->ops->txn(sp, false, rank_txn, &c, err);
	if (code == SPOOL_OK && c.n > 0)
		code = sp->ops->txn(sp, true, delete_txn, &c, err);
	/* The pass goes on only while a call deletes a whole batch, as its
	 * caller goes on (spool.h): a batch with running records in it, which
	 * stay, ends the pass, and the next starts from the first entry. */
	if (code == SPOOL_OK) {
		if (c.n == batch && c.deleted == batch && c.last.set)
			*from = c.last;
		else
			from->set = false;
	}
	free(c.ids);
	if (code == SPOOL_OK && deleted != NULL)
		*deleted = c.deleted;
	return code;
}

int spool_do_history_prune_count(struct spool *sp, size_t keep, size_t batch,
				 size_t *deleted, struct spool_err *err)
{
	return prune_ranked(sp, false, keep, batch, deleted, err);
}

int spool_do_history_prune_user_count(struct spool *sp, size_t keep, size_t batch,
				      size_t *deleted, struct spool_err *err)
{
	return prune_ranked(sp, true, keep, batch, deleted, err);
}
