/* spool/state.c: small state: per-entry schedule state (last scheduled
 * instant and last start, for catch-up and overlap after a restart) and
 * named metadata values (e.g. the boot id that last ran @reboot). */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

struct state_get_ctx {
	const char *key;
	int64_t last_scheduled, last_start;
};

static int state_get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct state_get_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_STATE_GET, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, c->key);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "get entry state");
	int row = spool_step_row(sp, st, "get entry state", err);
	if (row < 0)
		return -row;
	if (row == 0)
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: no state for entry %s",
				    sp->path, c->key);
	c->last_scheduled = sqlite3_column_int64(st, 0);
	c->last_start = sqlite3_column_int64(st, 1);
	return SPOOL_OK;
}

int sqlite_state_get(struct spool *sp, const char *key,
		    int64_t *last_scheduled, int64_t *last_start,
		    struct spool_err *err)
{
	struct state_get_ctx c = { .key = key };
	int code = spool_txn(sp, TXN_READ, state_get_txn, &c, err);
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
	for (size_t i = 0; i < c->n; i++) {
		sqlite3_stmt *st = NULL;
		int code = spool_stmt(sp, c->keys != NULL ? ST_STATE_DELETE : ST_STATE_PUT,
				      &st, err);
		if (code != SPOOL_OK)
			return code;
		int rc = spool_bind_text(st, 1, c->keys != NULL ? c->keys[i] : c->v[i].key);
		if (rc == SQLITE_OK && c->keys == NULL)
			rc = sqlite3_bind_int64(st, 2, c->v[i].last_scheduled);
		if (rc == SQLITE_OK && c->keys == NULL)
			rc = sqlite3_bind_int64(st, 3, c->v[i].last_start);
		if (rc != SQLITE_OK)
			return spool_sqlerr(sp, err, rc, "store entry state");
		code = spool_step_done(sp, st, "store entry state", err);
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

int sqlite_state_set(struct spool *sp, const struct spool_entry_state *v,
		    size_t n, struct spool_err *err)
{
	struct state_set_ctx c = { .v = v, .n = n };
	return n == 0 ? SPOOL_OK : spool_txn(sp, TXN_WRITE, state_set_txn, &c, err);
}

int sqlite_state_delete(struct spool *sp, const char *const *keys, size_t n,
		       struct spool_err *err)
{
	struct state_set_ctx c = { .keys = keys, .n = n };
	return n == 0 ? SPOOL_OK : spool_txn(sp, TXN_WRITE, state_set_txn, &c, err);
}

struct state_list_ctx {
	struct spool_entry_state *v;
	size_t n;
};

static int read_state(struct spool *sp, sqlite3_stmt *st,
		      struct spool_entry_state *s, struct spool_err *err)
{
	const void *key;
	size_t klen;
	memset(s, 0, sizeof *s);
	if (spool_col_bytes(st, 0, &key, &klen) != SPOOL_OK)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	if (key == NULL)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: entry state without a"
				    " key", sp->path);
	if ((s->mem_ = malloc(klen + 1)) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	s->key = s->mem_;
	spool_put_bytes(s->mem_, key, klen);
	s->last_scheduled = sqlite3_column_int64(st, 1);
	s->last_start = sqlite3_column_int64(st, 2);
	return SPOOL_OK;
}

static int state_list_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct state_list_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	spool_states_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	int code = spool_stmt(sp, ST_STATE_LIST, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row;
	while ((row = spool_step_row(sp, st, "list entry states", err)) == 1) {
		code = spool_grow(sp, &c->v, c->n, &cap, sizeof *c->v, err);
		if (code != SPOOL_OK)
			return code;
		code = read_state(sp, st, &c->v[c->n], err);
		if (code != SPOOL_OK)
			return code;
		c->n++;
	}
	return row < 0 ? -row : SPOOL_OK;
}

int sqlite_state_list(struct spool *sp, struct spool_entry_state **out,
		     size_t *n, struct spool_err *err)
{
	struct state_list_ctx c = { 0 };
	int code = spool_txn(sp, TXN_READ, state_list_txn, &c, err);
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
	return spool_meta_read(sp, c->name, c->buf, c->size, err);
}

int spool_meta_read(struct spool *sp, const char *name, char *buf, size_t size,
		    struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	const void *value;
	size_t len;
	int code = spool_stmt(sp, ST_META_GET, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, name);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "get value");
	int row = spool_step_row(sp, st, "get value", err);
	if (row < 0)
		return -row;
	if (row == 0)
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: no value named %s",
				    sp->path, name);
	if (spool_col_bytes(st, 0, &value, &len) != SPOOL_OK || value == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	if (len >= size)
		return spool_seterr(err, SPOOL_INVALID, "%s: value %s needs %zu bytes,"
				    " buffer has %zu", sp->path, name, len + 1, size);
	spool_put_bytes(buf, value, len);
	return SPOOL_OK;
}

int sqlite_meta_get(struct spool *sp, const char *name, char *buf, size_t size,
		   struct spool_err *err)
{
	struct meta_ctx c = { .name = name, .buf = buf, .size = size };
	return spool_txn(sp, TXN_READ, meta_get_txn, &c, err);
}

static int meta_set_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct meta_ctx *c = ctx;
	return spool_meta_write(sp, c->name, c->value, err);
}

int spool_meta_write(struct spool *sp, const char *name, const char *value,
		     struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_META_PUT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, name);
	if (rc == SQLITE_OK)
		rc = spool_bind_text(st, 2, value);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "set value");
	return spool_step_done(sp, st, "set value", err);
}

int sqlite_meta_set(struct spool *sp, const char *name, const char *value,
		   struct spool_err *err)
{
	struct meta_ctx c = { .name = name, .value = value };
	return spool_txn(sp, TXN_WRITE, meta_set_txn, &c, err);
}
