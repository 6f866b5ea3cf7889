/* spool/txn.c: transactions, and the retries that keep SQLITE_BUSY from the
 * spool's callers.
 *
 * busy_timeout makes a statement wait for a lock, but some cases return
 * SQLITE_BUSY at once (another connection running WAL recovery or a
 * checkpoint that must finish first) or after the timeout under a burst of
 * writers. The runner then rolls the whole transaction back and starts it
 * again, a few times, with growing pauses. Every write starts with BEGIN
 * IMMEDIATE, so a writer takes the write lock before reading anything and
 * never fails to upgrade a stale read snapshot.
 */
#include <time.h>

#include "spool/sqlite/internal.h"

/* With the 5 s busy timeout set at open, about 20 s of waiting in all. */
#define TXN_ATTEMPTS 4
#define TXN_PAUSE_MS 20

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	/* An interrupted pause only makes the retry come sooner. */
	(void)nanosleep(&ts, NULL);
}

static void end_open_transaction(struct spool *sp)
{
	spool_stmt_reset_all(sp);
	if (!sqlite3_get_autocommit(sq(sp)->db))
		/* If even ROLLBACK fails (an I/O error), the next transaction
		 * tries again first; the pending change is never committed. */
		(void)sqlite3_exec(sq(sp)->db, "ROLLBACK", NULL, NULL, NULL);
}

static int txn_once(struct spool *sp, enum txn_mode mode, txn_fn fn, void *ctx,
		    struct spool_err *err)
{
	end_open_transaction(sp);
	const char *begin = mode == TXN_WRITE ? "BEGIN IMMEDIATE" : "BEGIN";
	int rc = sqlite3_exec(sq(sp)->db, begin, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "begin transaction");
	int code = fn(sp, ctx, err);
	spool_stmt_reset_all(sp);
	if (code == SPOOL_OK) {
		if (mode == TXN_WRITE && sp->test_before_commit != NULL)
			sp->test_before_commit(sp);
		rc = sqlite3_exec(sq(sp)->db, "COMMIT", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return SPOOL_OK;
		code = spool_sqlerr(sp, err, rc, "commit");
	}
	end_open_transaction(sp);
	return code;
}

int spool_txn(struct spool *sp, enum txn_mode mode, txn_fn fn, void *ctx,
	      struct spool_err *err)
{
	if (mode == TXN_WRITE && (sp->flags & SPOOL_READONLY))
		return spool_seterr(err, SPOOL_PERMISSION,
				    "%s: opened read-only", sp->path);
	for (int attempt = 1;; attempt++) {
		int code = txn_once(sp, mode, fn, ctx, err);
		if (code != SPOOL_BUSY || attempt == TXN_ATTEMPTS)
			return code;
		pause_ms((long)TXN_PAUSE_MS << attempt);
	}
}

int spool_exec(struct spool *sp, const char *sql, const char *what,
	       struct spool_err *err)
{
	int rc = sqlite3_exec(sq(sp)->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? SPOOL_OK : spool_sqlerr(sp, err, rc, what);
}

int sqlite_set_sync(struct spool *sp, bool durable, struct spool_err *err)
{
	/* FULL is the connection's setting (open.c); OFF only writes the WAL */
	return spool_exec(sp, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF",
	                  "set the commit's sync", err);
}

int spool_step_done(struct spool *sp, sqlite3_stmt *st, const char *what,
		    struct spool_err *err)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		int code = rc == SQLITE_ROW
			? spool_seterr(err, SPOOL_IO, "%s: %s: unexpected row", sp->path, what)
			: spool_sqlerr(sp, err, rc, what);
		(void)sqlite3_reset(st);   /* repeats the error just reported */
		return code;
	}
	return sqlite3_reset(st) == SQLITE_OK ? SPOOL_OK
		: spool_sqlerr(sp, err, sqlite3_errcode(sq(sp)->db), what);
}

int spool_step_row(struct spool *sp, sqlite3_stmt *st, const char *what,
		   struct spool_err *err)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	int code = spool_sqlerr(sp, err, rc, what);
	(void)sqlite3_reset(st);   /* repeats the error just reported */
	return -code;
}
