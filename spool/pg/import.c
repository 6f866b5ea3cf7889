/* spool/pg/import.c: importing another cron's crontabs and at jobs exactly
 * once (crond --import-debian), as the SQLite backend does: each item goes
 * in together with its meta mark in one write transaction, so an import
 * cut short and run again neither loses nor doubles anything, and two
 * nodes importing at once import each item once (the second waits on the
 * first's locks, then finds the mark).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"

#define MARK_VALUE_MAX 128

/* MARK's value into BUF: 1 if set, 0 if not, or -code. */
static int read_mark(struct spool *sp, const char *mark, char *buf, size_t size,
		     struct spool_err *err)
{
	int code = pg_meta_read(sp, mark, buf, size, err);
	if (code == SPOOL_NOT_FOUND)
		return 0;
	return code == SPOOL_OK ? 1 : -code;
}

/* Serializes imports of MARK across nodes for the rest of the transaction:
 * two importers of one item must not both find the mark unset. */
static int lock_mark(struct spool *sp, const char *mark, struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_str(&p, mark);
	return pg_query(sp, "SELECT pg_advisory_xact_lock(hashtext('crond import'),"
			" hashtext(encode($1, 'escape')))", &p, NULL, "lock import mark", err);
}

/* The highest at job id ever given, locking the counter until the end of
 * the transaction. */
static int last_at_id(struct spool *sp, int64_t *last, struct spool_err *err)
{
	PGresult *r = NULL;
	*last = 0;
	int code = pg_query(sp, "SELECT greatest(value, (SELECT coalesce(max(id), 0)"
			    " FROM at_job)) FROM counter WHERE name = 'at_job' FOR UPDATE",
			    NULL, &r, "last at job id", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) != 1)
		code = spool_seterr(err, SPOOL_CORRUPT, "%s: the at_job counter is"
				    " missing", sp->path);
	else
		*last = pg_int(r, 0, 0);
	PQclear(r);
	return code;
}

struct at_ctx {
	const struct spool_at_job *job;
	int64_t want_id;
	const char *mark;
	int64_t id;                        /* out */
	enum spool_import_result result;   /* out */
};

static int at_import_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct at_ctx *c = ctx;
	char value[MARK_VALUE_MAX];
	c->id = 0;
	c->result = SPOOL_IMPORTED;
	int code = lock_mark(sp, c->mark, err);
	if (code != SPOOL_OK)
		return code;
	int set = read_mark(sp, c->mark, value, sizeof value, err);
	if (set < 0)
		return -set;
	if (set == 1) {
		c->result = SPOOL_IMPORTED_BEFORE;
		c->id = strtoll(value, NULL, 10);
		return SPOOL_OK;
	}
	int64_t last = 0;
	code = last_at_id(sp, &last, err);
	if (code == SPOOL_OK)
		code = pg_at_insert(sp, c->job, c->want_id > last ? c->want_id : 0,
				    &c->id, err);
	if (code != SPOOL_OK)
		return code;
	snprintf(value, sizeof value, "%lld", (long long)c->id);
	code = pg_meta_write(sp, c->mark, value, err);
	return code == SPOOL_OK ? pg_announce(sp, err) : code;
}

int pg_at_import(struct spool *sp, const struct spool_at_job *job,
		 int64_t want_id, const char *mark, int64_t *id,
		 enum spool_import_result *result, struct spool_err *err)
{
	struct at_ctx c = { .job = job, .want_id = want_id, .mark = mark };
	int code = pg_txn(sp, PG_WRITE, at_import_txn, &c, err);
	if (code == SPOOL_OK) {
		*id = c.id;
		*result = c.result;
	}
	return code;
}

struct crontab_ctx {
	const char *owner;
	uid_t uid;
	const void *text;
	size_t len;
	int64_t now;
	const char *mark;
	const char *digest;
	int64_t generation;                /* out */
	enum spool_import_result result;   /* out */
};

/* The generation of OWNER's installed crontab into *GEN (0: none). The
 * generation counter is locked first, until the end of the transaction:
 * every install takes that lock before it touches a crontab, so none can
 * slip in between this read and the import's own install (and locking in
 * the installs' order, counter then row, no deadlock is possible). */
static int current_generation(struct spool *sp, const char *owner, int64_t *gen,
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

static int crontab_import_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct crontab_ctx *c = ctx;
	char value[MARK_VALUE_MAX];
	c->generation = 0;
	c->result = SPOOL_IMPORTED;
	int code = lock_mark(sp, c->mark, err);
	if (code != SPOOL_OK)
		return code;
	int set = read_mark(sp, c->mark, value, sizeof value, err);
	if (set < 0)
		return -set;
	size_t dlen = strlen(c->digest);
	if (set == 1 && strncmp(value, c->digest, dlen) == 0 && value[dlen] == ' ') {
		c->result = SPOOL_IMPORTED_BEFORE;
		return SPOOL_OK;
	}
	int64_t gen = 0;
	code = current_generation(sp, c->owner, &gen, err);
	if (code != SPOOL_OK)
		return code;
	/* Replace only what an earlier import installed (its generation is
	 * the mark's second word), never a crontab installed since. */
	const char *blank = set == 1 ? strchr(value, ' ') : NULL;
	if (gen != 0 && (blank == NULL || strtoll(blank + 1, NULL, 10) != gen)) {
		c->result = SPOOL_IMPORT_KEPT;
		return SPOOL_OK;
	}
	code = pg_crontab_put(sp, c->owner, c->uid, c->text, c->len, 0, c->now,
			      &c->generation, err);
	if (code != SPOOL_OK)
		return code;
	snprintf(value, sizeof value, "%s %lld", c->digest, (long long)c->generation);
	c->result = SPOOL_IMPORTED;
	return pg_meta_write(sp, c->mark, value, err);
}

int pg_crontab_import(struct spool *sp, const char *owner, uid_t uid,
		      const void *text, size_t len, int64_t now,
		      const char *mark, const char *digest,
		      int64_t *generation, enum spool_import_result *result,
		      struct spool_err *err)
{
	struct crontab_ctx c = { .owner = owner, .uid = uid, .text = text, .len = len,
				 .now = now, .mark = mark, .digest = digest };
	int code = pg_txn(sp, PG_WRITE, crontab_import_txn, &c, err);
	if (code == SPOOL_OK) {
		*result = c.result;
		if (generation != NULL)
			*generation = c.generation;
	}
	return code;
}
