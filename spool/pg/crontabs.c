/* spool/pg/crontabs.c: each owner's crontab, byte for byte, and the
 * generation counter that tells every node what changed (the primitives;
 * spool/crontab.c orchestrates).
 *
 * Every install and removal takes the next value of the counter row
 * 'generation' (pg_counter_next) inside its own write transaction and holds
 * the row's lock until it commits: writers on any node therefore commit in
 * the order of their generations, so a reader that has seen generation G
 * has also seen every change below G, and "changes since G" never misses
 * one. Each change is announced (pg_announce) in its transaction, so other
 * nodes hear of it when it commits.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"

#define CRONTAB_COLUMNS \
	"SELECT owner, uid, body, installed_at, installed_by, generation, removed" \
	" FROM crontab"

int pg_crontab_put(struct spool *sp, const char *owner, uid_t uid,
		   const void *text, size_t len, uid_t by, int64_t now,
		   int64_t *generation, struct spool_err *err)
{
	int code = pg_counter_next(sp, "generation", generation, err);
	if (code != SPOOL_OK)
		return code;
	struct pg_params p = { 0 };
	pg_param_str(&p, owner);
	pg_param_int(&p, uid);
	pg_param_bytes(&p, text, len);   /* empty bytes, not NULL (removed) */
	pg_param_int(&p, now);
	pg_param_int(&p, by);
	pg_param_int(&p, *generation);
	code = pg_query(sp, "INSERT INTO crontab (owner, uid, body, installed_at,"
			" installed_by, generation, removed)"
			" VALUES ($1, $2, $3, $4, $5, $6, false)"
			" ON CONFLICT (owner) DO UPDATE SET uid = excluded.uid,"
			" body = excluded.body, installed_at = excluded.installed_at,"
			" installed_by = excluded.installed_by,"
			" generation = excluded.generation, removed = false",
			&p, NULL, "install crontab", err);
	return code == SPOOL_OK ? pg_announce(sp, err) : code;
}

int pg_crontab_tombstone(struct spool *sp, const char *owner, uid_t by, int64_t now,
			int64_t *generation, struct spool_err *err)
{
	PGresult *r = NULL;
	int code = pg_counter_next(sp, "generation", generation, err);
	if (code != SPOOL_OK)
		return code;
	struct pg_params p = { 0 };
	pg_param_str(&p, owner);
	pg_param_int(&p, now);
	pg_param_int(&p, by);
	pg_param_int(&p, *generation);
	code = pg_query(sp, "UPDATE crontab SET body = NULL, removed = true,"
			" installed_at = $2, installed_by = $3, generation = $4"
			" WHERE owner = $1 AND NOT removed", &p, &r, "remove crontab", err);
	if (code != SPOOL_OK)
		return code;
	int64_t changed = pg_changes(r);
	PQclear(r);
	if (changed == 0)   /* the rollback gives the generation back */
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: no crontab for %s",
				    sp->path, owner);
	return pg_announce(sp, err);
}

/* Row ROW of R (CRONTAB_COLUMNS) into *C, its strings in one block. */
static int read_crontab(struct spool *sp, const PGresult *r, int row,
			struct spool_crontab *c, struct spool_err *err)
{
	const void *owner, *body;
	size_t olen, blen;
	memset(c, 0, sizeof *c);
	pg_bytes(r, row, 0, &owner, &olen);
	pg_bytes(r, row, 2, &body, &blen);
	bool removed = pg_int(r, row, 6) != 0 || body == NULL;
	if ((c->mem_ = malloc(olen + 1 + (removed ? 0 : blen + 1))) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	c->owner = c->mem_;
	char *next = spool_put_bytes(c->mem_, owner, olen);
	if (!removed) {
		c->text = next;
		c->len = blen;
		spool_put_bytes(next, body, blen);
	}
	c->removed = removed;
	c->uid = (uid_t)pg_int(r, row, 1);
	c->installed_at = pg_int(r, row, 3);
	c->installed_by = (uid_t)pg_int(r, row, 4);
	c->generation = pg_int(r, row, 5);
	return SPOOL_OK;
}

int pg_crontab_read(struct spool *sp, const char *owner, struct spool_crontab *out,
		    struct spool_err *err)
{
	PGresult *r = NULL;
	struct pg_params p = { 0 };
	pg_param_str(&p, owner);
	int code = pg_query(sp, CRONTAB_COLUMNS " WHERE owner = $1 AND NOT removed",
			    &p, &r, "get crontab", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0)
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no crontab for %s",
				    sp->path, owner);
	else
		code = read_crontab(sp, r, 0, out, err);
	PQclear(r);
	return code;
}

int pg_crontab_changes(struct spool *sp, int64_t since, size_t max,
		       struct spool_crontab **out, size_t *n, struct spool_err *err)
{
	PGresult *r = NULL;
	struct pg_params p = { 0 };
	pg_param_int(&p, since);
	pg_param_int(&p, (int64_t)max);
	int code = pg_query(sp, CRONTAB_COLUMNS " WHERE generation > $1"
			    " ORDER BY generation LIMIT $2", &p, &r,
			    "list crontab changes", err);
	if (code != SPOOL_OK)
		return code;
	size_t rows = (size_t)PQntuples(r);
	if (rows > 0 && (*out = calloc(rows, sizeof **out)) == NULL)
		code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; code == SPOOL_OK && i < rows; i++) {
		code = read_crontab(sp, r, (int)i, &(*out)[i], err);
		if (code == SPOOL_OK)
			(*n)++;
	}
	PQclear(r);
	return code;
}

int pg_crontab_owners(struct spool *sp, char ***out, size_t *n, struct spool_err *err)
{
	PGresult *r = NULL;
	/* bytea sorts byte by byte, as the SQLite spool's BLOB and TEXT */
	int code = pg_query(sp, "SELECT owner FROM crontab WHERE NOT removed ORDER BY owner",
			    NULL, &r, "list crontab owners", err);
	if (code != SPOOL_OK)
		return code;
	size_t cap = 0;
	for (int i = 0; code == SPOOL_OK && i < PQntuples(r); i++) {
		const void *owner;
		size_t len;
		pg_bytes(r, i, 0, &owner, &len);
		code = spool_names_add(sp, out, n, &cap, owner ? owner : "", owner ? len : 0, err);
	}
	PQclear(r);
	return code;
}

int pg_crontab_generation(struct spool *sp, int64_t *gen, struct spool_err *err)
{
	return pg_counter_query(sp, "SELECT value FROM counter WHERE name = 'generation'",
				NULL, "generation", "read generation", gen, err);
}

/* The generation counter is locked first, until the end of the
 * transaction: every install takes that lock before it touches a crontab,
 * so none can slip in between this read and an import's own install (and
 * locking in the installs' order, counter then row, no deadlock is
 * possible). */
int pg_crontab_generation_of(struct spool *sp, const char *owner, int64_t *gen,
			     struct spool_err *err)
{
	PGresult *r = NULL;
	*gen = 0;
	int code = pg_query(sp, "SELECT value FROM counter WHERE name = 'generation'"
			    " FOR UPDATE", NULL, NULL, "lock the generation counter", err);
	if (code != SPOOL_OK)
		return code;
	struct pg_params p = { 0 };
	pg_param_str(&p, owner);
	code = pg_query(sp, "SELECT generation FROM crontab WHERE owner = $1"
			" AND NOT removed", &p, &r, "get crontab", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 1)
		*gen = pg_int(r, 0, 0);
	PQclear(r);
	return SPOOL_OK;
}
