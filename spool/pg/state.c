/* spool/pg/state.c: small state (spool/state.c orchestrates): per-entry
 * schedule state (last scheduled
 * instant and last start, for catch-up and overlap after a restart) and
 * named metadata values (e.g. the boot id that last ran @reboot). Keys,
 * names and values are bytea, sent and read byte for byte; entry states
 * list in the keys' byte order, as SQLite's BINARY collation lists them. */
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"

int pg_state_get(struct spool *sp, const char *key, int64_t *last_scheduled,
		 int64_t *last_start, struct spool_err *err)
{
	PGresult *r = NULL;
	struct pg_params p = { 0 };
	pg_param_str(&p, key);
	int code = pg_query(sp, "SELECT last_scheduled, last_start FROM entry_state"
			    " WHERE entry_key = $1", &p, &r, "get entry state", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0) {
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no state for entry %s",
				    sp->path, key);
	} else {
		*last_scheduled = pg_int(r, 0, 0);
		*last_start = pg_int(r, 0, 1);
	}
	PQclear(r);
	return code;
}

int pg_state_put(struct spool *sp, const struct spool_entry_state *v,
		 struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_str(&p, v->key);
	pg_param_int(&p, v->last_scheduled);
	pg_param_int(&p, v->last_start);
	return pg_query(sp, "INSERT INTO entry_state (entry_key, last_scheduled, last_start)"
			" VALUES ($1, $2, $3) ON CONFLICT (entry_key) DO UPDATE"
			" SET last_scheduled = excluded.last_scheduled,"
			" last_start = excluded.last_start",
			&p, NULL, "store entry state", err);
}

int pg_state_delete(struct spool *sp, const char *key, struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_str(&p, key);
	return pg_query(sp, "DELETE FROM entry_state WHERE entry_key = $1",
			&p, NULL, "delete entry state", err);
}

int pg_state_list(struct spool *sp, const char *lo, const char *hi,
		  struct spool_entry_state **out, size_t *n, struct spool_err *err)
{
	PGresult *r = NULL;
	struct pg_params p = { 0 };
	pg_param_str(&p, lo);
	if (hi)
		pg_param_str(&p, hi);
	/* bytea compares bytewise: a range of the primary key's index */
	int code = pg_query(sp, hi ? "SELECT entry_key, last_scheduled, last_start FROM entry_state"
			             " WHERE entry_key >= $1 AND entry_key < $2 ORDER BY entry_key"
			           : "SELECT entry_key, last_scheduled, last_start FROM entry_state"
			             " WHERE entry_key >= $1 ORDER BY entry_key",
			    &p, &r, "list entry states", err);
	if (code != SPOOL_OK)
		return code;
	size_t rows = (size_t)PQntuples(r);
	if (rows > 0 && (*out = calloc(rows, sizeof **out)) == NULL)
		code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; code == SPOOL_OK && i < rows; i++) {
		const void *key;
		size_t klen;
		struct spool_entry_state *s = &(*out)[i];
		pg_bytes(r, (int)i, 0, &key, &klen);
		if ((s->mem_ = malloc(klen + 1)) == NULL) {
			code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
			break;
		}
		s->key = s->mem_;
		spool_put_bytes(s->mem_, key, klen);
		s->last_scheduled = pg_int(r, (int)i, 1);
		s->last_start = pg_int(r, (int)i, 2);
		(*n)++;
	}
	PQclear(r);
	return code;
}

/* ---------------------------------------------------------------- meta */

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
