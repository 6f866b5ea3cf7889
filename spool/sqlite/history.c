/* spool/sqlite/history.c: the run history's primitives (spool/history.c
 * orchestrates): records inserted and completed, recovery of the records a
 * crash left running, queries, newest first; and claims, which on one
 * machine are the first record of a run. Pruning is in prune.c.
 *
 * The daemon batches: when many jobs start or end at once their records go
 * in one transaction, so one fsync covers them all.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

int spool_run_insert(struct spool *sp, const struct spool_run *r, int64_t *id,
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
	code = spool_step_done(sp, st, "append history", err);
	if (code == SPOOL_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(sq(sp)->db);
	return code;
}

int spool_run_end(struct spool *sp, const struct spool_run *r,
		  struct spool_err *err)
{
	if (r->id == 0)
		return spool_run_insert(sp, r, NULL, err);
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
		/* Gone (deleted by hand) or ended otherwise: keep the result. */
		code = spool_run_insert(sp, r, NULL, err);
	return code;
}

struct claim_ctx {
	const struct spool_run *runs;
	size_t n;
	int64_t *ids;   /* the new records' ids */
	bool *won;      /* which runs this call claimed */
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

static int claim_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct claim_ctx *c = ctx;
	for (size_t i = 0; i < c->n; i++) {
		bool taken = false;
		c->ids[i] = 0;
		c->won[i] = false;
		int code = claimed_before(sp, &c->runs[i], &taken, err);
		if (code == SPOOL_OK && !taken) {
			struct spool_run b = spool_run_as_begun(&c->runs[i]);
			code = spool_run_insert(sp, &b, &c->ids[i], err);
			c->won[i] = code == SPOOL_OK;
		}
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

/* One machine's spool: a run is claimed by the first record of it, as
 * spool.h says a claim is; the write lock makes the check and the insert
 * one step. */
int sqlite_run_claim(struct spool *sp, const struct spool_run *runs, size_t n,
		     int64_t *ids, bool *won, struct spool_err *err)
{
	struct claim_ctx c = { .runs = runs, .n = n, .ids = ids, .won = won };
	int code = spool_txn(sp, TXN_WRITE, claim_txn, &c, err);
	if (code != SPOOL_OK) {
		memset(ids, 0, n * sizeof *ids);
		memset(won, 0, n * sizeof *won);
	}
	return code;
}

/* Columns: id, kind, owner, uid, entry_key, command, scheduled_ms,
 * start_ms, end_ms, exit_code, signal, flags, output_head, output_total. */
static int read_run(struct spool *sp, sqlite3_stmt *st, struct spool_run *r,
		    struct spool_err *err)
{
	struct spool_run_bytes b = { 0 };
	memset(r, 0, sizeof *r);
	if (spool_col_bytes(st, 2, &b.owner, &b.olen) || spool_col_bytes(st, 4, &b.key, &b.klen) ||
	    spool_col_bytes(st, 5, &b.command, &b.clen) ||
	    spool_col_bytes(st, 12, &b.output, &b.outlen))
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	const unsigned char *kind = sqlite3_column_text(st, 1);
	if (b.owner == NULL || b.key == NULL || b.command == NULL || b.output == NULL ||
	    kind == NULL)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: history record %lld is"
				    " malformed", sp->path, (long long)sqlite3_column_int64(st, 0));
	int code = spool_run_strings(sp, r, &b, err);
	if (code != SPOOL_OK)
		return code;
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
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 5, f->before ? f->before_start_ms : INT64_MAX);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, f->before ? f->before_id : INT64_MAX);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "query history");
	*out = st;
	return SPOOL_OK;
}

/* The rows of ST as new records *OUT of *N (WHAT names the step), each
 * ended as interrupted at NOW_MS when RECOVER. */
static int read_runs(struct spool *sp, sqlite3_stmt *st, const char *what, bool recover,
		     int64_t now_ms, struct spool_run **out, size_t *n, struct spool_err *err)
{
	size_t cap = 0;
	int row;
	while ((row = spool_step_row(sp, st, what, err)) == 1) {
		int code = spool_grow(sp, out, *n, &cap, sizeof **out, err);
		if (code == SPOOL_OK)
			code = read_run(sp, st, &(*out)[*n], err);
		if (code != SPOOL_OK)
			return code;
		struct spool_run *r = &(*out)[(*n)++];
		if (recover) {
			r->end_ms = now_ms > r->start_ms ? now_ms : r->start_ms;
			r->exit_code = -1;
			r->signal = 0;
			r->flags = (r->flags & ~(unsigned)SPOOL_RUN_RUNNING) |
				   SPOOL_RUN_INTERRUPTED;
		}
	}
	return row < 0 ? -row : SPOOL_OK;
}

int sqlite_history_query(struct spool *sp, const struct spool_history_filter *filter,
			 struct spool_run **out, size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = bind_query(sp, filter, &st, err);
	if (code != SPOOL_OK)
		return code;
	return read_runs(sp, st, "query history", false, 0, out, n, err);
}

int sqlite_history_recover(struct spool *sp, int64_t now_ms, struct spool_run **out,
			   size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_RUN_RUNNING, &st, err);
	if (code == SPOOL_OK)
		code = read_runs(sp, st, "recover history", true, now_ms, out, n, err);
	if (code != SPOOL_OK || *n == 0)
		return code;
	code = spool_stmt(sp, ST_RUN_INTERRUPT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, now_ms);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "recover history");
	return spool_step_done(sp, st, "recover history", err);
}
