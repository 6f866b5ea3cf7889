/* spool/at_jobs.c: reading, listing and removing at jobs, as every backend
 * runs them: reads in one snapshot, a removal in one write transaction
 * that checks the job's owner and state first. */
#include <stdlib.h>
#include <string.h>

#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"

struct get_ctx {
	int64_t id;
	struct spool_at_job *out;
};

static int get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct get_ctx *g = ctx;
	spool_at_job_free(g->out);   /* a retried attempt starts over */
	return sp->ops->at_read(sp, g->id, g->out, err);
}

int spool_do_at_get(struct spool *sp, int64_t id, struct spool_at_job *out,
		    struct spool_err *err)
{
	struct get_ctx g = { .id = id, .out = out };
	int code = sp->ops->txn(sp, false, get_txn, &g, err);
	if (code != SPOOL_OK)
		spool_at_job_free(out);
	return code;
}

struct list_ctx {
	const struct spool_at_filter *filter;
	struct spool_at_summary *v;
	size_t n;
};

static int list_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct list_ctx *c = ctx;
	free(c->v);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	return sp->ops->at_list(sp, c->filter, &c->v, &c->n, err);
}

int spool_do_at_list(struct spool *sp, const struct spool_at_filter *filter,
		     struct spool_at_summary **out, size_t *n,
		     struct spool_err *err)
{
	struct list_ctx c = { .filter = filter };
	int code = sp->ops->txn(sp, false, list_txn, &c, err);
	if (code != SPOOL_OK) {
		free(c.v);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

struct remove_ctx {
	int64_t id;
	uid_t requester;
};

static int remove_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct remove_ctx *c = ctx;
	enum spool_at_state state;
	uid_t uid;
	int code = sp->ops->at_state_of(sp, c->id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	if (c->requester != 0 && c->requester != uid)
		return spool_seterr(err, SPOOL_PERMISSION, "%s: at job %lld belongs to"
				    " another user", sp->path, (long long)c->id);
	if (state == SPOOL_AT_RUNNING)
		return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is running",
				    sp->path, (long long)c->id);
	return sp->ops->at_delete(sp, c->id, "remove at job", err);
}

int spool_do_at_remove(struct spool *sp, int64_t id, uid_t requester,
		       struct spool_err *err)
{
	struct remove_ctx c = { .id = id, .requester = requester };
	return sp->ops->txn(sp, true, remove_txn, &c, err);
}

struct remove_many_ctx {
	const int64_t *ids;
	size_t n;
	uid_t requester;
	int *codes;
	struct spool_err *errs;
};

/* Each id as remove_txn; a refusal of one id (not found, not the
 * requester's, running) is that id's answer, anything else ends it all. */
static int remove_many_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct remove_many_ctx *c = ctx;
	for (size_t i = 0; i < c->n; i++) {
		struct remove_ctx one = { .id = c->ids[i], .requester = c->requester };
		c->errs[i] = (struct spool_err){ 0 };
		int code = remove_txn(sp, &one, &c->errs[i]);
		c->codes[i] = code;
		if (code != SPOOL_OK && code != SPOOL_NOT_FOUND && code != SPOOL_PERMISSION &&
		    code != SPOOL_CONFLICT) {
			*err = c->errs[i];
			return code;
		}
	}
	return SPOOL_OK;
}

int spool_do_at_remove_many(struct spool *sp, const int64_t *ids, size_t n, uid_t requester,
			    int *codes, struct spool_err *errs, struct spool_err *err)
{
	if (n == 0)
		return SPOOL_OK;
	struct remove_many_ctx c = { .ids = ids, .n = n, .requester = requester,
				     .codes = codes, .errs = errs };
	for (size_t i = 0; i < n; i++)
		codes[i] = SPOOL_OK;                /* ids never reached stay so */
	int rc = sp->ops->txn(sp, true, remove_many_txn, &c, err);
	for (size_t i = 0; rc != SPOOL_OK && i < n; i++) {
		if (codes[i] == SPOOL_OK) {         /* nothing was removed */
			codes[i] = rc;
			errs[i] = *err;
		}
	}
	return rc;
}
