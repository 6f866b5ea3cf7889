/* spool/crontab.c: each owner's crontab, as every backend runs the calls:
 * installs and removals one write transaction each (the backend takes the
 * next generation inside it), reads one snapshot each. */
#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"

struct change {
	const char *owner;
	uid_t uid;
	const void *text;    /* install */
	size_t len;
	uid_t by;
	int64_t now;
	int64_t generation;  /* out */
};

static int install_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct change *c = ctx;
	c->generation = 0;
	return sp->ops->crontab_put(sp, c->owner, c->uid, c->text, c->len, c->by,
				    c->now, &c->generation, err);
}

static int remove_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct change *c = ctx;
	c->generation = 0;
	return sp->ops->crontab_tombstone(sp, c->owner, c->by, c->now, &c->generation, err);
}

static int change(struct spool *sp, spool_txn_fn fn, struct change *c,
		  int64_t *generation, struct spool_err *err)
{
	int code = sp->ops->txn(sp, true, fn, c, err);
	if (code == SPOOL_OK && generation != NULL)
		*generation = c->generation;
	return code;
}

int spool_do_crontab_install(struct spool *sp, const char *owner, uid_t uid,
			     const void *text, size_t len, uid_t by, int64_t now,
			     int64_t *generation, struct spool_err *err)
{
	struct change c = { .owner = owner, .uid = uid, .text = text, .len = len,
			    .by = by, .now = now };
	return change(sp, install_txn, &c, generation, err);
}

int spool_do_crontab_remove(struct spool *sp, const char *owner, uid_t by,
			    int64_t now, int64_t *generation, struct spool_err *err)
{
	struct change c = { .owner = owner, .by = by, .now = now };
	return change(sp, remove_txn, &c, generation, err);
}

struct get_ctx {
	const char *owner;
	struct spool_crontab *out;
};

static int get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct get_ctx *g = ctx;
	spool_crontab_free(g->out);   /* a retried attempt starts over */
	return sp->ops->crontab_read(sp, g->owner, g->out, err);
}

int spool_do_crontab_get(struct spool *sp, const char *owner,
			 struct spool_crontab *out, struct spool_err *err)
{
	struct get_ctx g = { .owner = owner, .out = out };
	int code = sp->ops->txn(sp, false, get_txn, &g, err);
	if (code != SPOOL_OK)
		spool_crontab_free(out);
	return code;
}

struct changes_ctx {
	int64_t since;
	size_t max;
	struct spool_crontab *v;
	size_t n;
};

static int changes_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct changes_ctx *c = ctx;
	spool_crontabs_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	return sp->ops->crontab_changes(sp, c->since, c->max, &c->v, &c->n, err);
}

struct owners_ctx {
	char **v;
	size_t n;
};

static int owners_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct owners_ctx *c = ctx;
	spool_names_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	return sp->ops->crontab_owners(sp, &c->v, &c->n, err);
}

int spool_do_crontab_owners(struct spool *sp, char ***out, size_t *n, struct spool_err *err)
{
	struct owners_ctx c = { 0 };
	int code = sp->ops->txn(sp, false, owners_txn, &c, err);
	if (code != SPOOL_OK) {
		spool_names_free(c.v, c.n);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

int spool_do_crontab_changes(struct spool *sp, int64_t since, size_t max,
			     struct spool_crontab **out, size_t *n,
			     struct spool_err *err)
{
	struct changes_ctx c = { .since = since, .max = max };
	int code = sp->ops->txn(sp, false, changes_txn, &c, err);
	if (code != SPOOL_OK) {
		spool_crontabs_free(c.v, c.n);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

static int generation_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	int64_t *gen = ctx;
	*gen = 0;
	return sp->ops->crontab_generation(sp, gen, err);
}

int spool_do_crontab_generation(struct spool *sp, int64_t *generation,
				struct spool_err *err)
{
	int64_t gen = 0;
	int code = sp->ops->txn(sp, false, generation_txn, &gen, err);
	*generation = code == SPOOL_OK ? gen : 0;
	return code;
}
