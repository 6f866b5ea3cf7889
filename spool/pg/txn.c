/* spool/pg/txn.c: transactions with retries, queries with parameters, and
 * reading binary results.
 *
 * Writers run in READ COMMITTED and lock what they change (a counter row,
 * the rows they update, ON CONFLICT on the keys they insert): PostgreSQL
 * then makes a concurrent writer wait for the lock and re-read the row,
 * with no serialization failures to retry in the common case. Readers get
 * one REPEATABLE READ snapshot for all their statements. A deadlock or a
 * serialization failure (or a lock waited for past lock_timeout, set at
 * connect) rolls the whole transaction back and runs it again, with
 * growing pauses, for about 20 s in all: SPOOL_BUSY after that, as spool.h
 * promises of every backend.
 *
 * A broken connection is dropped (pg_disconnect) so the next call
 * reconnects. When it broke at BEGIN nothing was sent: the transaction is
 * tried once more on a fresh connection at once, so the first call after
 * a database restart succeeds. When it broke during COMMIT the outcome is
 * unknown: SPOOL_IO saying so, and the caller must not assume either.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spool/pg/internal.h"

#define TXN_RETRY_NS (20LL * 1000 * 1000 * 1000)
#define TXN_PAUSE_MS 10
#define TXN_PAUSE_MAX_MS 1000

static int64_t mono_ns(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);   /* cannot fail for CLOCK_MONOTONIC */
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	/* An interrupted pause only makes the retry come sooner. */
	(void)nanosleep(&ts, NULL);
}

static bool conn_broken(struct spool *sp)
{
	PGconn *c = pg(sp)->conn;
	return c == NULL || PQstatus(c) != CONNECTION_OK;
}

/* Runs SQL without parameters or results: 0 or a code with ERR filled. */
static int simple(struct spool *sp, const char *sql, const char *what,
		  struct spool_err *err)
{
	PGresult *r = PQexec(pg(sp)->conn, sql);
	ExecStatusType st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	int code = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? SPOOL_OK
		: pg_error(sp, r, what, err);
	PQclear(r);
	return code;
}

/* Ends a transaction left open by a failed body (or a failed COMMIT). */
static void rollback(struct spool *sp)
{
	if (conn_broken(sp)) {
		pg_disconnect(sp);
		return;
	}
	if (PQtransactionStatus(pg(sp)->conn) == PQTRANS_IDLE)
		return;
	PGresult *r = PQexec(pg(sp)->conn, "ROLLBACK");
	bool ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	/* A connection that cannot roll back is no use: a new one will. The
	 * server rolls the open transaction back when it goes. */
	if (!ok || conn_broken(sp))
		pg_disconnect(sp);
}

enum once_result { ONCE_DONE, ONCE_BEGIN_LOST };

static int txn_once(struct spool *sp, enum pg_txn_mode mode, pg_txn_fn fn,
		    void *ctx, enum once_result *how, struct spool_err *err)
{
	*how = ONCE_DONE;
	int code = pg_connected(sp, err);
	if (code != SPOOL_OK)
		return code;
	rollback(sp);   /* nothing may be left open, but make sure */
	if (conn_broken(sp) && (code = pg_connected(sp, err)) != SPOOL_OK)
		return code;
	const char *begin = mode == PG_READ ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
		: mode == PG_WRITE_SHORT ? "BEGIN; SET LOCAL lock_timeout = '" PG_SHORT_LOCK_WAIT "'"
		: "BEGIN";
	code = simple(sp, begin, "begin transaction", err);
	if (code != SPOOL_OK) {
		if (conn_broken(sp))
			*how = ONCE_BEGIN_LOST;
		rollback(sp);
		return code;
	}
	code = fn(sp, ctx, err);
	if (code == SPOOL_OK) {
		if (mode != PG_READ && sp->test_before_commit != NULL)
			sp->test_before_commit(sp);
		PGresult *r = PQexec(pg(sp)->conn, "COMMIT");
		ExecStatusType st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		if (st == PGRES_COMMAND_OK) {
			PQclear(r);
			return SPOOL_OK;
		}
		if (conn_broken(sp)) {
			struct spool_err e;
			(void)pg_error(sp, r, "commit", &e);
			code = spool_seterr(err, SPOOL_IO, "%.400s (the commit's outcome"
					    " is unknown)", e.msg);
			err->unknown = true;
		} else {
			code = pg_error(sp, r, "commit", err);
		}
		PQclear(r);
	}
	rollback(sp);
	return code;
}

int pg_txn(struct spool *sp, enum pg_txn_mode mode, pg_txn_fn fn, void *ctx,
	   struct spool_err *err)
{
	if (mode != PG_READ && (sp->flags & SPOOL_READONLY))
		return spool_seterr(err, SPOOL_PERMISSION, "%s: opened read-only", sp->path);
	int64_t start = mono_ns();
	long pause = TXN_PAUSE_MS;
	bool fresh_tried = false;
	for (;;) {
		enum once_result how;
		int code = txn_once(sp, mode, fn, ctx, &how, err);
		if (code == SPOOL_OK)
			return code;
		if (how == ONCE_BEGIN_LOST && !fresh_tried) {
			fresh_tried = true;   /* an idle connection found dead */
			continue;
		}
		if (code != SPOOL_BUSY || mode == PG_WRITE_SHORT || mono_ns() - start > TXN_RETRY_NS)
			return code;
		pause_ms(pause);
		if (pause < TXN_PAUSE_MAX_MS)
			pause *= 2;
	}
}

/* ---------------------------------------------------------------- params */

static bool param_room(struct pg_params *p)
{
	/* More parameters than PG_PARAMS_MAX is a bug in the caller's SQL;
	 * the query then fails on the missing ones rather than overrunning. */
	return p->n < PG_PARAMS_MAX;
}

void pg_param_int(struct pg_params *p, int64_t v)
{
	if (!param_room(p))
		return;
	snprintf(p->digits[p->n], sizeof p->digits[p->n], "%" PRId64, v);
	p->values[p->n] = p->digits[p->n];
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

void pg_param_text(struct pg_params *p, const char *s)
{
	if (!param_room(p))
		return;
	p->values[p->n] = s;
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

void pg_param_bytes(struct pg_params *p, const void *b, size_t len)
{
	if (!param_room(p))
		return;
	/* A NULL value would be SQL NULL: empty bytes need a pointer. */
	p->values[p->n] = b != NULL ? b : "";
	p->lengths[p->n] = len <= INT32_MAX ? (int)len : INT32_MAX;
	p->formats[p->n] = 1;
	p->n++;
}

void pg_param_str(struct pg_params *p, const char *s)
{
	if (s == NULL)
		pg_param_text(p, NULL);
	else
		pg_param_bytes(p, s, strlen(s));
}

/* ---------------------------------------------------------------- queries */

int pg_query(struct spool *sp, const char *sql, const struct pg_params *p,
	     PGresult **res, const char *what, struct spool_err *err)
{
	if (res != NULL)
		*res = NULL;
	if (pg(sp)->conn == NULL)
		return spool_seterr(err, SPOOL_IO, "%s: %s: database unreachable:"
				    " not connected", sp->path, what);
	PGresult *r = pg_stmt_exec(sp, sql, p);
	ExecStatusType st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		int code = r != NULL && pg_stmt_lost(PQresultErrorField(r, PG_DIAG_SQLSTATE))
			? spool_seterr(err, SPOOL_BUSY, "%s: %s: the server lost this"
				       " connection's prepared statements (a connection"
				       " pooler?): retrying without them", sp->path, what)
			: pg_error(sp, r, what, err);
		PQclear(r);
		return code;
	}
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return SPOOL_OK;
}

int pg_exec(struct spool *sp, const char *sql, const char *what,
	    struct spool_err *err)
{
	if (pg(sp)->conn == NULL)
		return spool_seterr(err, SPOOL_IO, "%s: %s: database unreachable:"
				    " not connected", sp->path, what);
	return simple(sp, sql, what, err);
}

int64_t pg_changes(const PGresult *res)
{
	const char *s = PQcmdTuples((PGresult *)(uintptr_t)res);
	return s != NULL && s[0] != '\0' ? strtoll(s, NULL, 10) : 0;
}

bool pg_isnull(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) != 0;
}

int64_t pg_int(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	const unsigned char *b = (const unsigned char *)PQgetvalue(res, row, col);
	int len = PQgetlength(res, row, col);
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return 0;
	uint64_t u = 0;
	for (int i = 0; i < len; i++)
		u = u << 8 | b[i];
	/* Sign-extend from LEN bytes (a bool is 0 or 1 either way). */
	if (len < 8 && (u >> (len * 8 - 1)) & 1)
		u |= ~(uint64_t)0 << (len * 8);
	return (int64_t)u;
}

void pg_bytes(const PGresult *res, int row, int col, const void **p, size_t *len)
{
	if (PQgetisnull(res, row, col)) {
		*p = NULL;
		*len = 0;
		return;
	}
	*p = PQgetvalue(res, row, col);
	*len = (size_t)PQgetlength(res, row, col);
}

/* ---------------------------------------------------------------- counters */

int pg_counter_next(struct spool *sp, const char *name, int64_t *value,
		    struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_text(&p, name);
	return pg_counter_query(sp, "UPDATE counter SET value = value + 1 WHERE name = $1"
				" RETURNING value", &p, name, "next number", value, err);
}

int pg_counter_query(struct spool *sp, const char *sql, const struct pg_params *p,
		     const char *name, const char *what, int64_t *value,
		     struct spool_err *err)
{
	PGresult *r = NULL;
	*value = 0;
	int code = pg_query(sp, sql, p, &r, what, err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) != 1)
		code = spool_seterr(err, SPOOL_CORRUPT, "%s: the %s counter is missing",
				    sp->path, name);
	else
		*value = pg_int(r, 0, 0);
	PQclear(r);
	return code;
}

int pg_announce(struct spool *sp, struct spool_err *err)
{
	return pg_query(sp, "NOTIFY crond_change", NULL, NULL, "announce change", err);
}
