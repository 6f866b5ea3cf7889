/* spool/pg/state.c: small state: per-entry schedule state (last scheduled
 * instant and last start, for catch-up and overlap after a restart) and
 * named metadata values (e.g. the boot id that last ran @reboot). Keys,
 * names and values are bytea, sent and read byte for byte; entry states
 * list in the keys' byte order, as SQLite's BINARY collation lists them. */
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"

struct state_get_ctx {
	const char *key;
	int64_t last_scheduled, last_start;
};

static int state_get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct state_get_ctx *c = ctx;
	PGresult *r = NULL;
	struct pg_params p = { 0 };
	pg_param_str(&p, c->key);
	int code = pg_query(sp, "SELECT last_scheduled, last_start FROM entry_state"
			    " WHERE entry_key = $1", &p, &r, "get entry state", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0) {
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no state for entry %s",
				    sp->path, c->key);
	} else {
		c->last_scheduled = pg_int(r, 0, 0);
		c->last_start = pg_int(r, 0, 1);
	}
	PQclear(r);
	return code;
}

int pg_state_get(struct spool *sp, const char *key, int64_t *last_scheduled,
		 int64_t *last_start, struct spool_err *err)
{
	struct state_get_ctx c = { .key = key };
	int code = pg_txn(sp, PG_READ, state_get_txn, &c, err);
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
		struct pg_params p = { 0 };
		int code;
		if (c->keys != NULL) {
			pg_param_str(&p, c->keys[i]);
			code = pg_query(sp, "DELETE FROM entry_state WHERE entry_key = $1",
					&p, NULL, "delete entry state", err);
		} else {
			pg_param_str(&p, c->v[i].key);
			pg_param_int(&p, c->v[i].last_scheduled);
			pg_param_int(&p, c->v[i].last_start);
			code = pg_query(sp, "INSERT INTO entry_state (entry_key,"
					" last_scheduled, last_start) VALUES ($1, $2, $3)"
					" ON CONFLICT (entry_key) DO UPDATE"
					" SET last_scheduled = excluded.last_scheduled,"
					" last_start = excluded.last_start",
					&p, NULL, "store entry state", err);
		}
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

int pg_state_set(struct spool *sp, const struct spool_entry_state *v, size_t n,
		 struct spool_err *err)
{
	struct state_set_ctx c = { .v = v, .n = n };
	return n == 0 ? SPOOL_OK : pg_txn(sp, PG_WRITE, state_set_txn, &c, err);
}

int pg_state_delete(struct spool *sp, const char *const *keys, size_t n,
		    struct spool_err *err)
{
	struct state_set_ctx c = { .keys = keys, .n = n };
	return n == 0 ? SPOOL_OK : pg_txn(sp, PG_WRITE, state_set_txn, &c, err);
}

struct state_list_ctx {
	struct spool_entry_state *v;
	size_t n;
};

static int state_list_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct state_list_ctx *c = ctx;
	PGresult *r = NULL;
	spool_states_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	int code = pg_query(sp, "SELECT entry_key, last_scheduled, last_start"
			    " FROM entry_state ORDER BY entry_key", NULL, &r,
			    "list entry states", err);
	if (code != SPOOL_OK)
		return code;
	size_t rows = (size_t)PQntuples(r);
	if (rows > 0 && (c->v = calloc(rows, sizeof *c->v)) == NULL)
		code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; code == SPOOL_OK && i < rows; i++) {
		const void *key;
		size_t klen;
		struct spool_entry_state *s = &c->v[i];
		pg_bytes(r, (int)i, 0, &key, &klen);
		if ((s->mem_ = malloc(klen + 1)) == NULL) {
			code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
			break;
		}
		s->key = s->mem_;
		spool_put_bytes(s->mem_, key, klen);
		s->last_scheduled = pg_int(r, (int)i, 1);
		s->last_start = pg_int(r, (int)i, 2);
		c->n++;
	}
	PQclear(r);
	return code;
}

int pg_state_list(struct spool *sp, struct spool_entry_state **out, size_t *n,
		  struct spool_err *err)
{
	struct state_list_ctx c = { 0 };
	int code = pg_txn(sp, PG_READ, state_list_txn, &c, err);
	if (code != SPOOL_OK) {
		spool_states_free(c.v, c.n);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

/* ---------------------------------------------------------------- meta */

struct meta_ctx {
	const char *name;
	const char *value;   /* set */
	char *buf;           /* get */
	size_t size;
};

int pg_meta_read(struct spool *sp, const char *name, char *buf, size_t size,
		 struct spool_err *err)
{
	PGresult *r = NULL;
	struct pg_params p = { 0 };
	pg_param_str(&p, name);
	int code = pg_query(sp, "SELECT value FROM meta WHERE name = $1", &p, &r,
			    "get value", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0) {
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no value named %s",
				    sp->path, name);
	} else {
		const void *value;
		size_t len;
		pg_bytes(r, 0, 0, &value, &len);
		if (len >= size)
			code = spool_seterr(err, SPOOL_INVALID, "%s: value %s needs %zu"
					    " bytes, buffer has %zu", sp->path, name,
					    len + 1, size);
		else
			spool_put_bytes(buf, value, len);
	}
	PQclear(r);
	return code;
}

int pg_meta_write(struct spool *sp, const char *name, const char *value,
		  struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_str(&p, name);
	pg_param_str(&p, value);
	return pg_query(sp, "INSERT INTO meta (name, value) VALUES ($1, $2)"
			" ON CONFLICT (name) DO UPDATE SET value = excluded.value",
			&p, NULL, "set value", err);
}

static int meta_get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct meta_ctx *c = ctx;
	return pg_meta_read(sp, c->name, c->buf, c->size, err);
}

int pg_meta_get(struct spool *sp, const char *name, char *buf, size_t size,
		struct spool_err *err)
{
	struct meta_ctx c = { .name = name, .buf = buf, .size = size };
	return pg_txn(sp, PG_READ, meta_get_txn, &c, err);
}

static int meta_set_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct meta_ctx *c = ctx;
	return pg_meta_write(sp, c->name, c->value, err);
}

int pg_meta_set(struct spool *sp, const char *name, const char *value,
		struct spool_err *err)
{
	struct meta_ctx c = { .name = name, .value = value };
	return pg_txn(sp, PG_WRITE, meta_set_txn, &c, err);
}
