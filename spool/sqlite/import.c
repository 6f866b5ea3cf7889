/* spool/import.c: importing another cron's crontabs and at jobs exactly once
 * (crond --import-debian). Each item goes in together with its meta mark in
 * one write transaction, so an import cut short and run again neither loses
 * nor doubles anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

#define MARK_VALUE_MAX 128

/* MARK's value into BUF: 1 if set, 0 if not, or -code. */
static int read_mark(struct spool *sp, const char *mark, char *buf, size_t size,
		     struct spool_err *err)
{
	int code = spool_meta_read(sp, mark, buf, size, err);
	if (code == SPOOL_NOT_FOUND)
		return 0;
	return code == SPOOL_OK ? 1 : -code;
}

static int last_at_id(struct spool *sp, int64_t *last, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_AT_LAST_ID, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row = spool_step_row(sp, st, "last at job id", err);
	if (row <= 0)
		return row < 0 ? -row : spool_seterr(err, SPOOL_IO, "%s: last at job id:"
						     " no result", sp->path);
	*last = sqlite3_column_int64(st, 0);
	return spool_step_done(sp, st, "last at job id", err);
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
	int set = read_mark(sp, c->mark, value, sizeof value, err);
	if (set < 0)
		return -set;
	if (set == 1) {
		c->result = SPOOL_IMPORTED_BEFORE;
		c->id = strtoll(value, NULL, 10);
		return SPOOL_OK;
	}
	int64_t last = 0;
	int code = last_at_id(sp, &last, err);
	if (code == SPOOL_OK)
		code = spool_at_insert(sp, c->job, NULL, 0, c->want_id > last ? c->want_id : 0,
				       &c->id, err);
	if (code != SPOOL_OK)
		return code;
	snprintf(value, sizeof value, "%lld", (long long)c->id);
	c->result = SPOOL_IMPORTED;
	return spool_meta_write(sp, c->mark, value, err);
}

int sqlite_at_import(struct spool *sp, const struct spool_at_job *job,
		    int64_t want_id, const char *mark, int64_t *id,
		    enum spool_import_result *result, struct spool_err *err)
{
	struct at_ctx c = { .job = job, .want_id = want_id, .mark = mark };
	int code = spool_txn(sp, TXN_WRITE, at_import_txn, &c, err);
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

/* The generation of OWNER's installed crontab into *GEN (0: none). */
static int current_generation(struct spool *sp, const char *owner, int64_t *gen,
			      struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	*gen = 0;
	int code = spool_stmt(sp, ST_CRONTAB_GET, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, owner);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "get crontab");
	int row = spool_step_row(sp, st, "get crontab", err);
	if (row < 0)
		return -row;
	if (row == 1)
		*gen = sqlite3_column_int64(st, 5);
	(void)sqlite3_reset(st);   /* a finished read: nothing to report */
	return SPOOL_OK;
}

static int crontab_import_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct crontab_ctx *c = ctx;
	char value[MARK_VALUE_MAX];
	c->generation = 0;
	int set = read_mark(sp, c->mark, value, sizeof value, err);
	if (set < 0)
		return -set;
	size_t dlen = strlen(c->digest);
	if (set == 1 && strncmp(value, c->digest, dlen) == 0 && value[dlen] == ' ') {
		c->result = SPOOL_IMPORTED_BEFORE;
		return SPOOL_OK;
	}
	int64_t gen = 0;
	int code = current_generation(sp, c->owner, &gen, err);
	if (code != SPOOL_OK)
		return code;
	/* Replace only what an earlier import installed (its generation is
	 * the mark's second word), never a crontab installed since. */
	const char *blank = set == 1 ? strchr(value, ' ') : NULL;
	if (gen != 0 && (blank == NULL || strtoll(blank + 1, NULL, 10) != gen)) {
		c->result = SPOOL_IMPORT_KEPT;
		return SPOOL_OK;
	}
	code = spool_crontab_put(sp, c->owner, c->uid, c->text, c->len, 0, c->now,
				 &c->generation, err);
	if (code != SPOOL_OK)
		return code;
	snprintf(value, sizeof value, "%s %lld", c->digest, (long long)c->generation);
	c->result = SPOOL_IMPORTED;
	return spool_meta_write(sp, c->mark, value, err);
}

int sqlite_crontab_import(struct spool *sp, const char *owner, uid_t uid,
			 const void *text, size_t len, int64_t now,
			 const char *mark, const char *digest,
			 int64_t *generation, enum spool_import_result *result,
			 struct spool_err *err)
{
	struct crontab_ctx c = { .owner = owner, .uid = uid, .text = text, .len = len,
				 .now = now, .mark = mark, .digest = digest };
	int code = spool_txn(sp, TXN_WRITE, crontab_import_txn, &c, err);
	if (code == SPOOL_OK) {
		*result = c.result;
		if (generation != NULL)
			*generation = c.generation;
	}
	return code;
}
