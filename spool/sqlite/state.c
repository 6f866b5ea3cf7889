/* spool/sqlite/state.c: small state (spool/state.c orchestrates): per-entry
 * schedule state (last scheduled instant and last start, for catch-up and
 * overlap after a restart) and named metadata values (e.g. the boot id that
 * last ran @reboot). */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

/* Statement SID with KEY as its first parameter into *ST (WHAT names the
 * step). */
static int keyed_stmt(struct spool *sp, enum stmt_id sid, const char *key,
		      const char *what, sqlite3_stmt **st, struct spool_err *err)
{
	int code = spool_stmt(sp, sid, st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(*st, 1, key);
	return rc == SQLITE_OK ? SPOOL_OK : spool_sqlerr(sp, err, rc, what);
}

int sqlite_state_get(struct spool *sp, const char *key, int64_t *last_scheduled,
		     int64_t *last_start, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = keyed_stmt(sp, ST_STATE_GET, key, "get entry state", &st, err);
	if (code != SPOOL_OK)
		return code;
	int row = spool_step_row(sp, st, "get entry state", err);
	if (row < 0)
		return -row;
	if (row == 0)
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: no state for entry %s",
				    sp->path, key);
	*last_scheduled = sqlite3_column_int64(st, 0);
	*last_start = sqlite3_column_int64(st, 1);
	return SPOOL_OK;
}

int sqlite_state_put(struct spool *sp, const struct spool_entry_state *v,
		     struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = keyed_stmt(sp, ST_STATE_PUT, v->key, "store entry state", &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 2, v->last_scheduled);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, v->last_start);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "store entry state");
	return spool_step_done(sp, st, "store entry state", err);
}

int sqlite_state_delete(struct spool *sp, const char *key, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = keyed_stmt(sp, ST_STATE_DELETE, key, "store entry state", &st, err);
	return code == SPOOL_OK ? spool_step_done(sp, st, "store entry state", err) : code;
}

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

int sqlite_state_list(struct spool *sp, const char *lo, const char *hi,
		      struct spool_entry_state **out, size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int code = spool_stmt(sp, ST_STATE_LIST, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, lo);
	if (rc == SQLITE_OK)
		rc = hi ? spool_bind_text(st, 2, hi) : sqlite3_bind_zeroblob(st, 2, 0);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "list entry states");
	int row;
	while ((row = spool_step_row(sp, st, "list entry states", err)) == 1) {
		code = spool_grow(sp, out, *n, &cap, sizeof **out, err);
		if (code != SPOOL_OK)
			return code;
		code = read_state(sp, st, &(*out)[*n], err);
		if (code != SPOOL_OK)
			return code;
		(*n)++;
	}
	return row < 0 ? -row : SPOOL_OK;
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
