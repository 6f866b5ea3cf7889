/* spool/history.c: the run history, as every backend runs it: records
 * begun when runs start and completed when they end, or appended whole, a
 * batch in one write transaction (so one fsync covers a burst of starts);
 * recovery of the records a crash left running; queries, newest first
 * (one at a time, or many entries' in one transaction).
 * Pruning is in prune.c.
 */
#include <string.h>

#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"

enum write_mode { WRITE_APPEND, WRITE_BEGIN, WRITE_END };

struct write_ctx {
	enum write_mode mode;
	const struct spool_run *runs;
	size_t n;
	int64_t *ids;   /* WRITE_BEGIN: the new records' ids */
};

static int write_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct write_ctx *c = ctx;
	int code = SPOOL_OK;
	for (size_t i = 0; code == SPOOL_OK && i < c->n; i++) {
		if (c->mode == WRITE_BEGIN) {
			struct spool_run b = spool_run_as_begun(&c->runs[i]);
			code = sp->ops->run_insert(sp, &b, &c->ids[i], err);
		} else if (c->mode == WRITE_END) {
			code = sp->ops->run_end(sp, &c->runs[i], err);
		} else {
			code = sp->ops->run_insert(sp, &c->runs[i], NULL, err);
		}
	}
	return code;
}

static int write_runs(struct spool *sp, struct write_ctx *c, struct spool_err *err)
{
	int code = sp->ops->txn(sp, true, write_txn, c, err);
	if (code != SPOOL_OK && c->ids != NULL)
		memset(c->ids, 0, c->n * sizeof *c->ids);
	return code;
}

int spool_do_history_append(struct spool *sp, const struct spool_run *runs,
			    size_t n, struct spool_err *err)
{
	struct write_ctx c = { .mode = WRITE_APPEND, .runs = runs, .n = n };
	return write_runs(sp, &c, err);
}

int spool_do_history_begin(struct spool *sp, const struct spool_run *runs,
			   size_t n, int64_t *ids, struct spool_err *err)
{
	struct write_ctx c = { .mode = WRITE_BEGIN, .runs = runs, .n = n, .ids = ids };
	return write_runs(sp, &c, err);
}

int spool_do_history_end(struct spool *sp, const struct spool_run *runs,
			 size_t n, struct spool_err *err)
{
	struct write_ctx c = { .mode = WRITE_END, .runs = runs, .n = n };
	return write_runs(sp, &c, err);
}

struct read_ctx {
	const struct spool_history_filter *filter;   /* NULL: recover */
	int64_t now_ms;
	struct spool_run *v;
	size_t n;
};

static int read_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct read_ctx *c = ctx;
	spool_runs_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	if (c->filter == NULL)
		return sp->ops->history_recover(sp, c->now_ms, &c->v, &c->n, err);
	return sp->ops->history_query(sp, c->filter, &c->v, &c->n, err);
}

static int read_runs(struct spool *sp, struct read_ctx *c, struct spool_run **out,
		     size_t *n, struct spool_err *err)
{
	int code = sp->ops->txn(sp, c->filter == NULL, read_txn, c, err);
	if (code != SPOOL_OK) {
		spool_runs_free(c->v, c->n);
		return code;
	}
	*out = c->v;
	*n = c->n;
	return SPOOL_OK;
}

int spool_do_history_query(struct spool *sp, const struct spool_history_filter *filter,
			   struct spool_run **out, size_t *n, struct spool_err *err)
{
	struct read_ctx c = { .filter = filter };
	return read_runs(sp, &c, out, n, err);
}

struct keys_ctx {
	const struct spool_history_filter *filter;
	const char *const *keys;
	size_t n_keys;
	size_t *counts;
	struct spool_run *v;
	size_t n;
};

static int keys_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct keys_ctx *c = ctx;
	spool_runs_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	if (sp->ops->history_query_keys != NULL)
		return sp->ops->history_query_keys(sp, c->filter, c->keys, c->n_keys, &c->v,
						   c->counts, &c->n, err);
	size_t cap = 0;
	int code = SPOOL_OK;
	for (size_t i = 0; code == SPOOL_OK && i < c->n_keys; i++) {
		struct spool_history_filter f = *c->filter;
		f.entry_key = c->keys[i];
		struct spool_run *part = NULL;
		size_t np = 0;
		code = sp->ops->history_query(sp, &f, &part, &np, err);
		for (size_t j = 0; code == SPOOL_OK && j < np; j++) {
			code = spool_grow(sp, &c->v, c->n, &cap, sizeof *c->v, err);
			if (code == SPOOL_OK) {   /* a record's strings are its own block: moved */
				c->v[c->n++] = part[j];
				part[j].mem_ = NULL;
			}
		}
		c->counts[i] = np;
		spool_runs_free(part, np);   /* what was not moved */
	}
	return code;
}

int spool_do_history_query_keys(struct spool *sp, const struct spool_history_filter *filter,
				const char *const *keys, size_t n_keys, struct spool_run **out,
				size_t *counts, size_t *n, struct spool_err *err)
{
	struct keys_ctx c = { .filter = filter, .keys = keys, .n_keys = n_keys, .counts = counts };
	int code = sp->ops->txn(sp, false, keys_txn, &c, err);
	if (code != SPOOL_OK) {
		spool_runs_free(c.v, c.n);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

int spool_do_history_recover(struct spool *sp, int64_t now_ms, struct spool_run **out,
			     size_t *n, struct spool_err *err)
{
	struct read_ctx c = { .now_ms = now_ms };
	return read_runs(sp, &c, out, n, err);
}
