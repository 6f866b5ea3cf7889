/* spool/history.c: the run history: records begun when runs start and
 * completed when they end, or appended whole, in batches; recovery of the
 * records a crash left running; queries, newest first. Pruning is in
 * prune.c.
 *
 * The daemon batches: when many jobs start or end at once their records go
 * in one transaction, so one fsync covers them all.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

int spool_run_insert(struct spool *sp, const struct spool_run *r,
		     struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_RUN_INSERT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, r->kind == SPOOL_RUN_AT ? "at" : "cron");
	if (rc == SQLITE_OK) rc = spool_bind_text(st, 2, r->owner);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, r->uid);
	if (rc == SQLITE_OK) rc = spool_bind_text(st, 4, r->entry_key);
	if (rc == SQLITE_OK) rc = spool_bind_text(st, 5, r->command);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 6, r->scheduled_ms);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 7, r->start_ms);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 8, r->end_ms);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 9, r->exit_code);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 10, r->signal);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 11, r->flags);
	if (rc == SQLITE_OK) rc = r->output_len == 0 ? sqlite3_bind_zeroblob(st, 12, 0)
		: sqlite3_bind_blob64(st, 12, r->output, r->output_len, SQLITE_STATIC);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 13, r->output_total);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "append history");
	return spool_step_done(sp, st, "append history", err);
}

int spool_run_end(struct spool *sp, const struct spool_run *r,
		  struct spool_err *err)
{
	if (r->id == 0)
		return spool_run_insert(sp, r, err);
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_RUN_END, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, r->id);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, r->end_ms);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, r->exit_code);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, r->signal);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, r->flags);
	if (rc == SQLITE_OK) rc = r->output_len == 0 ? sqlite3_bind_zeroblob(st, 6, 0)
		: sqlite3_bind_blob64(st, 6, r->output, r->output_len, SQLITE_STATIC);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 7, r->output_total);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "end history record");
	code = spool_step_done(sp, st, "end history record", err);
	if (code == SPOOL_OK && sqlite3_changes(sq(sp)->db) == 0)
		/* Gone (deleted by hand) or already ended: keep the result. */
		code = spool_run_insert(sp, r, err);
	return code;
}

enum write_mode { WRITE_APPEND, WRITE_BEGIN, WRITE_END, WRITE_CLAIM };

struct write_ctx {
	enum write_mode mode;
	const struct spool_run *runs;
	size_t n;
	int64_t *ids;   /* WRITE_BEGIN, WRITE_CLAIM: the new records' ids */
	bool *won;      /* WRITE_CLAIM: which runs this call claimed */
};

/* Whether a run of KEY due at SCHEDULED_MS was claimed already: a cron
 * record of it that is not a refusal. Inside the write transaction. */
static int claimed_before(struct spool *sp, const struct spool_run *r, bool *taken,
			  struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_RUN_CLAIMED, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_text(st, 1, r->entry_key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, r->scheduled_ms);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "claim run");
	int row = spool_step_row(sp, st, "claim run", err);
	if (row < 0)
		return -row;
	*taken = row == 1;
	sqlite3_reset(st);
	return SPOOL_OK;
}

static int write_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct write_ctx *c = ctx;
	for (size_t i = 0; i < c->n; i++) {
		int code;
		if (c->mode == WRITE_CLAIM) {
			bool taken = false;
			c->ids[i] = 0;
			c->won[i] = false;
			code = claimed_before(sp, &c->runs[i], &taken, err);
			if (code == SPOOL_OK && !taken) {
				struct spool_run b = spool_run_as_begun(&c->runs[i]);
				code = spool_run_insert(sp, &b, err);
				c->ids[i] = sqlite3_last_insert_rowid(sq(sp)->db);
				c->won[i] = code == SPOOL_OK;
			}
		} else if (c->mode == WRITE_BEGIN) {
			struct spool_run b = spool_run_as_begun(&c->runs[i]);
			code = spool_run_insert(sp, &b, err);
			c->ids[i] = sqlite3_last_insert_rowid(sq(sp)->db);
		} else if (c->mode == WRITE_END) {
			code = spool_run_end(sp, &c->runs[i], err);
		} else {
			code = spool_run_insert(sp, &c->runs[i], err);
		}
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

static int write_runs(struct spool *sp, struct write_ctx *c, struct spool_err *err)
{
	int code = spool_txn(sp, TXN_WRITE, write_txn, c, err);
	if (code != SPOOL_OK && c->ids != NULL)
		memset(c->ids, 0, c->n * sizeof *c->ids);
	if (code != SPOOL_OK && c->won != NULL)
		memset(c->won, 0, c->n * sizeof *c->won);
	return code;
}

int sqlite_history_append(struct spool *sp, const struct spool_run *runs,
			 size_t n, struct spool_err *err)
{
	struct write_ctx c = { .mode = WRITE_APPEND, .runs = runs, .n = n };
	return write_runs(sp, &c, err);
}

int sqlite_history_begin(struct spool *sp, const struct spool_run *runs,
			size_t n, int64_t *ids, struct spool_err *err)
{
	struct write_ctx c = { .mode = WRITE_BEGIN, .runs = runs, .n = n, .ids = ids };
	return write_runs(sp, &c, err);
}

int sqlite_run_claim(struct spool *sp, const struct spool_run *runs, size_t n,
		     int64_t *ids, bool *won, struct spool_err *err)
{
	struct write_ctx c = { .mode = WRITE_CLAIM, .runs = runs, .n = n, .ids = ids, .won = won };
	return write_runs(sp, &c, err);
}

int sqlite_history_end(struct spool *sp, const struct spool_run *runs,
		      size_t n, struct spool_err *err)
{
	struct write_ctx c = { .mode = WRITE_END, .runs = runs, .n = n };
	return write_runs(sp, &c, err);
}

/* Columns: id, kind, owner, uid, entry_key, command, scheduled_ms,
 * start_ms, end_ms, exit_code, signal, flags, output_head, output_total. */
static int read_run(struct spool *sp, sqlite3_stmt *st, struct spool_run *r,
		    struct spool_err *err)
{
	const void *owner, *key, *command, *output;
	size_t olen, klen, clen, outlen;
	memset(r, 0, sizeof *r);
	if (spool_col_bytes(st, 2, &owner, &olen) || spool_col_bytes(st, 4, &key, &klen) ||
	    spool_col_bytes(st, 5, &command, &clen) || spool_col_bytes(st, 12, &output, &outlen))
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	const unsigned char *kind = sqlite3_column_text(st, 1);
	if (owner == NULL || key == NULL || command == NULL || output == NULL || kind == NULL)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: history record %lld is"
				    " malformed", sp->path, (long long)sqlite3_column_int64(st, 0));
	char *p = malloc(olen + klen + clen + outlen + 4);
	if (p == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	r->mem_ = p;
	r->owner = p;
	p = spool_put_bytes(p, owner, olen);
	r->entry_key = p;
	p = spool_put_bytes(p, key, klen);
	r->command = p;
	p = spool_put_bytes(p, command, clen);
	r->output = p;
	r->output_len = outlen;
	spool_put_bytes(p, output, outlen);
	r->id = sqlite3_column_int64(st, 0);
	r->kind = strcmp((const char *)kind, "at") == 0 ? SPOOL_RUN_AT : SPOOL_RUN_CRON;
	r->uid = (uid_t)sqlite3_column_int64(st, 3);
	r->scheduled_ms = sqlite3_column_int64(st, 6);
	r->start_ms = sqlite3_column_int64(st, 7);
	r->end_ms = sqlite3_column_int64(st, 8);
	r->exit_code = sqlite3_column_int(st, 9);
	r->signal = sqlite3_column_int(st, 10);
	r->flags = (unsigned)sqlite3_column_int64(st, 11);
	r->output_total = sqlite3_column_int64(st, 13);
	return SPOOL_OK;
}

struct query_ctx {
	const struct spool_history_filter *filter;
	struct spool_run *v;
	size_t n;
};

static int bind_query(struct spool *sp, const struct spool_history_filter *f,
		      sqlite3_stmt **out, struct spool_err *err)
{
	enum stmt_id id = f->entry_key != NULL ? (f->brief ? ST_RUN_BY_KEY_BRIEF : ST_RUN_BY_KEY)
		: f->by_uid ? ST_RUN_BY_UID : ST_RUN_ALL;
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, id, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = SQLITE_OK;
	if (f->entry_key != NULL)
		rc = spool_bind_text(st, 1, f->entry_key);
	if (rc == SQLITE_OK && f->by_uid)
		rc = sqlite3_bind_int64(st, 2, f->uid);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, f->since_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 4, (sqlite3_int64)f->limit);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "query history");
	*out = st;
	return SPOOL_OK;
}

static int query_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct query_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	spool_runs_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	int code = bind_query(sp, c->filter, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row;
	while ((row = spool_step_row(sp, st, "query history", err)) == 1) {
		code = spool_grow(sp, &c->v, c->n, &cap, sizeof *c->v, err);
		if (code != SPOOL_OK)
			return code;
		code = read_run(sp, st, &c->v[c->n], err);
		if (code != SPOOL_OK)
			return code;
		c->n++;
	}
	return row < 0 ? -row : SPOOL_OK;
}

int sqlite_history_query(struct spool *sp,
			const struct spool_history_filter *filter,
			struct spool_run **out, size_t *n,
			struct spool_err *err)
{
	struct query_ctx c = { .filter = filter };
	int code = spool_txn(sp, TXN_READ, query_txn, &c, err);
	if (code != SPOOL_OK) {
		spool_runs_free(c.v, c.n);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

struct recover_ctx {
	int64_t now_ms;
	struct spool_run *v;
	size_t n;
};

static int recover_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct recover_ctx *c = ctx;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	spool_runs_free(c->v, c->n);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	int code = spool_stmt(sp, ST_RUN_RUNNING, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row;
	while ((row = spool_step_row(sp, st, "recover history", err)) == 1) {
		code = spool_grow(sp, &c->v, c->n, &cap, sizeof *c->v, err);
		if (code == SPOOL_OK)
			code = read_run(sp, st, &c->v[c->n], err);
		if (code != SPOOL_OK)
			return code;
		struct spool_run *r = &c->v[c->n++];
		r->end_ms = c->now_ms > r->start_ms ? c->now_ms : r->start_ms;
		r->exit_code = -1;
		r->signal = 0;
		r->flags = (r->flags & ~(unsigned)SPOOL_RUN_RUNNING) | SPOOL_RUN_INTERRUPTED;
	}
	if (row < 0)
		return -row;
	if (c->n == 0)
		return SPOOL_OK;
	code = spool_stmt(sp, ST_RUN_INTERRUPT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, c->now_ms);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "recover history");
	return spool_step_done(sp, st, "recover history", err);
}

int sqlite_history_recover(struct spool *sp, int64_t now_ms,
			  struct spool_run **out, size_t *n,
			  struct spool_err *err)
{
	struct recover_ctx c = { .now_ms = now_ms };
	int code = spool_txn(sp, TXN_WRITE, recover_txn, &c, err);
	if (code != SPOOL_OK) {
		spool_runs_free(c.v, c.n);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

