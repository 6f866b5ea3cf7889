/* spool/state.c: small state, as every backend runs it: per-entry schedule
 * state (last scheduled instant and last start, for catch-up and overlap
 * after a restart), a batch in one write transaction, and named metadata
 * values (e.g. the boot id that last ran @reboot). */
#include <string.h>

#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"

struct state_get_ctx {
	const char *key;
	int64_t last_scheduled, last_start;
};

static int state_get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct state_get_ctx *c = ctx;
	return sp->ops->state_get(sp, c->key, &c->last_scheduled, &c->last_start, err);
}

int spool_do_state_get(struct spool *sp, const char *key, int64_t *last_scheduled,
		       int64_t *last_start, struct spool_err *err)
{
	struct state_get_ctx c = { .key = key };
	int code = sp->ops->txn(sp, false, state_get_txn, &c, err);
	if (code == SPOOL_OK && last_scheduled != NULL)
		*last_scheduled = c.last_scheduled;
	if (code == SPOOL_OK && last_start != NULL)
		*last_start = c.last_start;
	return code;
}

struct state_set_ctx {
	const struct spool_entry_state *v;
	const char *const *keys;   /* delete these instead, when not NULL */
	size_t n;
};

static int state_set_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct state_set_ctx *c = ctx;
	int code = SPOOL_OK;
	for (size_t i = 0; code == SPOOL_OK && i < c->n; i++)
		code = c->keys != NULL ? sp->ops->state_delete(sp, c->keys[i], err)
				       : sp->ops->state_put(sp, &c->v[i], err);
	return code;
}

int spool_do_state_set(struct spool *sp, const struct spool_entry_state *v,
		       size_t n, struct spool_err *err)
{
	struct state_set_ctx c = { .v = v, .n = n };
	return n == 0 ? SPOOL_OK : sp->ops->txn(sp, true, state_set_txn, &c, err);
}

int spool_do_state_delete(struct spool *sp, const char *const *keys, size_t n,
			  struct spool_err *err)
{
	struct state_set_ctx c = { .keys = keys, .n = n };
	return n == 0 ? SPOOL_OK : sp->ops->txn(sp, true, state_set_txn, &c, err);
}

struct state_list_ctx {
	const char *lo, *hi;
	struct spool_entry_state *v;
	size_t n;
};

static int state_list_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct state_list_ctx *c = ctx;
	spool_states_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	return sp->ops->state_list(sp, c->lo, c->hi, &c->v, &c->n, err);
}

/* The keys beginning with PREFIX are those from PREFIX up to, not
 * including, its successor: PREFIX without its trailing 0xff bytes and the
 * last byte left raised by one. None (NULL): no upper bound. */
static char *prefix_successor(const char *prefix, char *buf)
{
	size_t len = strlen(prefix);
	while (len > 0 && (unsigned char)prefix[len - 1] == 0xff)
		len--;
	if (len == 0)
		return NULL;
	memcpy(buf, prefix, len);
	buf[len - 1] = (char)((unsigned char)buf[len - 1] + 1);
	buf[len] = '\0';
	return buf;
}

int spool_do_state_list(struct spool *sp, const char *prefix, struct spool_entry_state **out,
			size_t *n, struct spool_err *err)
{
	char hi[SPOOL_KEY_MAX + 1];
	struct state_list_ctx c = { .lo = prefix, .hi = prefix_successor(prefix, hi) };
	int code = sp->ops->txn(sp, false, state_list_txn, &c, err);
	if (code != SPOOL_OK) {
		spool_states_free(c.v, c.n);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

struct meta_ctx {
	const char *name;
	const char *value;   /* set */
	char *buf;           /* get */
	size_t size;
};

static int meta_get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct meta_ctx *c = ctx;
	return sp->ops->meta_get(sp, c->name, c->buf, c->size, err);
}

int spool_do_meta_get(struct spool *sp, const char *name, char *buf, size_t size,
		      struct spool_err *err)
{
	struct meta_ctx c = { .name = name, .buf = buf, .size = size };
	return sp->ops->txn(sp, false, meta_get_txn, &c, err);
}

static int meta_set_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct meta_ctx *c = ctx;
	return sp->ops->meta_set(sp, c->name, c->value, err);
}

int spool_do_meta_set(struct spool *sp, const char *name, const char *value,
		      struct spool_err *err)
{
	struct meta_ctx c = { .name = name, .value = value };
	return sp->ops->txn(sp, true, meta_set_txn, &c, err);
}
