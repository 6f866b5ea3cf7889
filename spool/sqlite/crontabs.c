/* spool/sqlite/crontabs.c: each owner's crontab, byte for byte (the
 * primitives; spool/crontab.c orchestrates), and the generation
 * counter that tells the daemon what changed.
 *
 * Every install and removal takes the next value of one counter (the
 * sequence row 'crontab_generation') inside its own write transaction. The
 * write lock serializes them, so a reader that has seen generation G has
 * also seen every change below G: "changes since G" never misses one.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

#define GENERATION "crontab_generation"

static int next_generation(struct spool *sp, int64_t *gen, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_SEQ_NEXT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, GENERATION);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "next generation");
	int row = spool_step_row(sp, st, "next generation", err);
	if (row <= 0)
		return row < 0 ? -row : spool_seterr(err, SPOOL_CORRUPT,
			"%s: the generation counter is missing", sp->path);
	*gen = sqlite3_column_int64(st, 0);
	return spool_step_done(sp, st, "next generation", err);
}

int spool_crontab_put(struct spool *sp, const char *owner, uid_t uid,
		      const void *text, size_t len, uid_t by, int64_t now,
		      int64_t *generation, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = next_generation(sp, generation, err);
	if (code == SPOOL_OK)
		code = spool_stmt(sp, ST_CRONTAB_PUT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, owner);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, uid);
	/* A zero-length blob, not NULL (which would mean removed). */
	if (rc == SQLITE_OK)
		rc = len == 0 ? sqlite3_bind_zeroblob(st, 3, 0)
			: sqlite3_bind_blob64(st, 3, text, len, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 4, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 5, by);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, *generation);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "install crontab");
	return spool_step_done(sp, st, "install crontab", err);
}

int sqlite_crontab_tombstone(struct spool *sp, const char *owner, uid_t by,
			     int64_t now, int64_t *generation, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = next_generation(sp, generation, err);
	if (code == SPOOL_OK)
		code = spool_stmt(sp, ST_CRONTAB_TOMBSTONE, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, owner);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, by);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 4, *generation);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "remove crontab");
	code = spool_step_done(sp, st, "remove crontab", err);
	if (code == SPOOL_OK && sqlite3_changes(sq(sp)->db) == 0)
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no crontab for %s",
				    sp->path, owner);
	return code;
}

/* Columns: owner, uid, body, installed_at, installed_by, generation. */
static int read_crontab(struct spool *sp, sqlite3_stmt *st,
			struct spool_crontab *c, struct spool_err *err)
{
	const void *owner, *body;
	size_t olen, blen;
	memset(c, 0, sizeof *c);
	if (spool_col_bytes(st, 0, &owner, &olen) != SPOOL_OK ||
	    spool_col_bytes(st, 2, &body, &blen) != SPOOL_OK ||
	    (c->mem_ = malloc(olen + 1 + (body != NULL ? blen + 1 : 0))) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	if (owner == NULL)
		owner = "";
	c->owner = c->mem_;
	char *next = spool_put_bytes(c->mem_, owner, olen);
	if (body != NULL) {
		c->text = next;
		c->len = blen;
		spool_put_bytes(next, body, blen);
	}
	c->removed = body == NULL;
	c->uid = (uid_t)sqlite3_column_int64(st, 1);
	c->installed_at = sqlite3_column_int64(st, 3);
	c->installed_by = (uid_t)sqlite3_column_int64(st, 4);
	c->generation = sqlite3_column_int64(st, 5);
	return SPOOL_OK;
}

/* Steps statement ST_CRONTAB_GET for OWNER to its row: 1, 0 when there is
 * none, or -code. */
static int step_to_crontab(struct spool *sp, const char *owner, sqlite3_stmt **st,
			   struct spool_err *err)
{
	int code = spool_stmt(sp, ST_CRONTAB_GET, st, err);
	if (code != SPOOL_OK)
		return -code;
	int rc = spool_bind_text(*st, 1, owner);
	if (rc != SQLITE_OK)
		return -spool_sqlerr(sp, err, rc, "get crontab");
	return spool_step_row(sp, *st, "get crontab", err);
}

int sqlite_crontab_read(struct spool *sp, const char *owner,
			struct spool_crontab *out, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int row = step_to_crontab(sp, owner, &st, err);
	if (row < 0)
		return -row;
	if (row == 0)
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: no crontab for %s",
				    sp->path, owner);
	return read_crontab(sp, st, out, err);
}

int sqlite_crontab_generation_of(struct spool *sp, const char *owner, int64_t *gen,
				 struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	*gen = 0;
	int row = step_to_crontab(sp, owner, &st, err);
	if (row < 0)
		return -row;
	if (row == 1)
		*gen = sqlite3_column_int64(st, 5);
	(void)sqlite3_reset(st);   /* a finished read: nothing to report */
	return SPOOL_OK;
}

int sqlite_crontab_changes(struct spool *sp, int64_t since, size_t max,
			   struct spool_crontab **out, size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int code = spool_stmt(sp, ST_CRONTAB_CHANGES, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, since);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "list crontab changes");
	int row;
	while ((row = spool_step_row(sp, st, "list crontab changes", err)) == 1) {
		code = spool_grow(sp, out, *n, &cap, sizeof **out, err);
		if (code != SPOOL_OK)
			return code;
		code = read_crontab(sp, st, &(*out)[*n], err);
		if (code != SPOOL_OK)
			return code;
		(*n)++;
	}
	return row < 0 ? -row : SPOOL_OK;
}

int sqlite_crontab_owners(struct spool *sp, char ***out, size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int code = spool_stmt(sp, ST_CRONTAB_OWNERS, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row;
	while ((row = spool_step_row(sp, st, "list crontab owners", err)) == 1) {
		const void *owner = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		code = spool_names_add(sp, out, n, &cap, owner ? owner : "", len, err);
		if (code != SPOOL_OK)
			return code;
	}
	return row < 0 ? -row : SPOOL_OK;
}

int sqlite_crontab_generation(struct spool *sp, int64_t *gen, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_SEQ_GET, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, GENERATION);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "read generation");
	int row = spool_step_row(sp, st, "read generation", err);
	if (row <= 0)
		return row < 0 ? -row : spool_seterr(err, SPOOL_CORRUPT,
			"%s: the generation counter is missing", sp->path);
	*gen = sqlite3_column_int64(st, 0);
	return SPOOL_OK;
}
