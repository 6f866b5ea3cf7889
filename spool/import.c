/* spool/import.c: importing another cron's crontabs and at jobs exactly once
 * (crond --import-debian), as every backend runs it. Each item goes in
 * together with its meta mark in one write transaction, so an import cut
 * short and run again neither loses nor doubles anything; on a shared
 * spool the backend serializes importers of one mark (import_lock), so two
 * nodes importing at once import each item once: the second waits for the
 * first, then finds the mark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"

#define MARK_VALUE_MAX 128

/* Takes MARK's lock (where the backend has one), then reads its value into
 * BUF: 1 if set, 0 if not, or -code. */
static int read_mark(struct spool *sp, const char *mark, char *buf, size_t size,
		     struct spool_err *err)
{
	int code = sp->ops->import_lock != NULL ? sp->ops->import_lock(sp, mark, err)
						: SPOOL_OK;
	if (code == SPOOL_OK)
		code = sp->ops->meta_get(sp, mark, buf, size, err);
	if (code == SPOOL_NOT_FOUND)
		return 0;
	return code == SPOOL_OK ? 1 : -code;
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
	int set = read_mark(sp, c->mark, value, sizeof value, err);
	if (set < 0)
		return -set;
	if (set == 1) {
		c->result = SPOOL_IMPORTED_BEFORE;
		c->id = strtoll(value, NULL, 10);
		return SPOOL_OK;
	}
	int64_t last = 0;
	/* An imported job carries its environment in its script: none. */
	int code = sp->ops->at_last_id(sp, &last, err);
	if (code == SPOOL_OK)
		code = sp->ops->at_insert(sp, c->job, "", 0, c->want_id > last ? c->want_id : 0,
					  &c->id, err);
	if (code != SPOOL_OK)
		return code;
	snprintf(value, sizeof value, "%lld", (long long)c->id);
	return sp->ops->meta_set(sp, c->mark, value, err);
}

int spool_do_at_import(struct spool *sp, const struct spool_at_job *job,
		       int64_t want_id, const char *mark, int64_t *id,
		       enum spool_import_result *result, struct spool_err *err)
{
	struct at_ctx c = { .job = job, .want_id = want_id, .mark = mark };
	int code = sp->ops->txn(sp, true, at_import_txn, &c, err);
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

static int crontab_import_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct crontab_ctx *c = ctx;
	char value[MARK_VALUE_MAX];
	c->generation = 0;
	c->result = SPOOL_IMPORTED;
	int set = read_mark(sp, c->mark, value, sizeof value, err);
	if (set < 0)
		return -set;
	size_t dlen = strlen(c->digest);
	if (set == 1 && strncmp(value, c->digest, dlen) == 0 && value[dlen] == ' ') {
		c->result = SPOOL_IMPORTED_BEFORE;
		return SPOOL_OK;
	}
	int64_t gen = 0;
	int code = sp->ops->crontab_generation_of(sp, c->owner, &gen, err);
	if (code != SPOOL_OK)
		return code;
	/* Replace only what an earlier import installed (its generation is
	 * the mark's second word), never a crontab installed since. */
	const char *blank = set == 1 ? strchr(value, ' ') : NULL;
	if (gen != 0 && (blank == NULL || strtoll(blank + 1, NULL, 10) != gen)) {
		c->result = SPOOL_IMPORT_KEPT;
		return SPOOL_OK;
	}
	code = sp->ops->crontab_put(sp, c->owner, c->uid, c->text, c->len, 0, c->now,
				    &c->generation, err);
	if (code != SPOOL_OK)
		return code;
	snprintf(value, sizeof value, "%s %lld", c->digest, (long long)c->generation);
	return sp->ops->meta_set(sp, c->mark, value, err);
}

int spool_do_crontab_import(struct spool *sp, const char *owner, uid_t uid,
			    const void *text, size_t len, int64_t now,
			    const char *mark, const char *digest,
			    int64_t *generation, enum spool_import_result *result,
			    struct spool_err *err)
{
	struct crontab_ctx c = { .owner = owner, .uid = uid, .text = text, .len = len,
				 .now = now, .mark = mark, .digest = digest };
	int code = sp->ops->txn(sp, true, crontab_import_txn, &c, err);
	if (code == SPOOL_OK) {
		*result = c.result;
		if (generation != NULL)
			*generation = c.generation;
	}
	return code;
}
