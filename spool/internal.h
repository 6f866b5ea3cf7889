/* spool/internal.h: what the files of spool/ share, and nothing else sees.
 *
 * The connection struct, the prepared-statement table (stmt.c), the
 * transaction runner with its retries (txn.c), error mapping (error.c), the
 * schema upgrade (schema.c), the file-system checks (path.c) and value
 * helpers (values.c).
 */
#ifndef CROND_SPOOL_INTERNAL_H
#define CROND_SPOOL_INTERNAL_H

#include <sqlite3.h>

#include "spool/spool.h"

/* Every statement the spool runs, by name; the SQL is in stmt.c. */
enum stmt_id {
	ST_SEQ_NEXT,
	ST_SEQ_GET,
	ST_CRONTAB_PUT,
	ST_CRONTAB_TOMBSTONE,
	ST_CRONTAB_GET,
	ST_CRONTAB_CHANGES,
	ST_AT_INSERT,
	ST_AT_INSERT_ID,
	ST_AT_LAST_ID,
	ST_AT_GET,
	ST_AT_LIST_ALL,
	ST_AT_LIST_UID,
	ST_AT_OWNER_STATE,
	ST_AT_DELETE,
	ST_AT_CLAIM,
	ST_AT_DUE,
	ST_AT_SET_RUNNING,
	ST_AT_INTERRUPT,
	ST_AT_INTERRUPTED,
	ST_AT_NEXT,
	ST_AT_USAGE,
	ST_RUN_INSERT,
	ST_RUN_END,
	ST_RUN_RUNNING,
	ST_RUN_INTERRUPT,
	ST_RUN_BY_KEY,
	ST_RUN_BY_KEY_BRIEF,
	ST_RUN_BY_UID,
	ST_RUN_ALL,
	ST_RUN_PRUNE_AGE,
	ST_RUN_BEYOND_UID_COUNT,
	ST_RUN_BEYOND_COUNT,
	ST_RUN_DELETE,
	ST_STATE_GET,
	ST_STATE_PUT,
	ST_STATE_LIST,
	ST_STATE_DELETE,
	ST_META_GET,
	ST_META_PUT,
	ST_COUNT
};

struct spool {
	sqlite3 *db;
	char *path;
	int flags;                     /* enum spool_open_flags */
	sqlite3_stmt *stmt[ST_COUNT];  /* prepared on first use */
	/* Tests only: called inside a write transaction just before COMMIT,
	 * to simulate a crash in the middle of one. NULL otherwise. */
	void (*test_before_commit)(struct spool *sp);
};

/* ---- error.c */

/* Fills ERR (may be NULL) with CODE and a formatted message; returns CODE. */
int spool_seterr(struct spool_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The spool code for SQLite result RC on SP's connection (ENOSPC and EDQUOT
 * behind an I/O error count as SPOOL_FULL). */
int spool_code_of(struct spool *sp, int rc);

/* Fills ERR with the code for RC and "PATH: WHAT: sqlite's message";
 * returns the code. */
int spool_sqlerr(struct spool *sp, struct spool_err *err, int rc,
		 const char *what);

/* ---- stmt.c */

/* Statement ID into *ST: prepared on first use, reset with bindings
 * cleared, ready to bind. Returns 0 or a code with ERR filled. */
int spool_stmt(struct spool *sp, enum stmt_id id, sqlite3_stmt **st,
	       struct spool_err *err);

/* Resets every statement still stepping (before COMMIT or ROLLBACK). */
void spool_stmt_reset_all(struct spool *sp);

/* Finalizes every cached statement. */
void spool_stmt_finalize_all(struct spool *sp);

/* ---- txn.c */

enum txn_mode {
	TXN_READ,    /* BEGIN: a consistent snapshot for several reads */
	TXN_WRITE,   /* BEGIN IMMEDIATE: take the write lock first */
};

/* The body of a transaction: returns 0 or a spool code with ERR filled.
 * It may run more than once (on SPOOL_BUSY), so it must start by clearing
 * whatever outputs it fills and free them when it fails. */
typedef int (*txn_fn)(struct spool *sp, void *ctx, struct spool_err *err);

/* Runs FN in one transaction of MODE: commits if it returns 0, else rolls
 * back. Retries the whole transaction while the spool is busy. */
int spool_txn(struct spool *sp, enum txn_mode mode, txn_fn fn, void *ctx,
	      struct spool_err *err);

/* Runs SQL (no results wanted) outside the statement cache. */
int spool_exec(struct spool *sp, const char *sql, const char *what,
	       struct spool_err *err);

/* Steps ST, which must finish without a row, then resets it. */
int spool_step_done(struct spool *sp, sqlite3_stmt *st, const char *what,
		    struct spool_err *err);

/* Steps ST once: 1 for a row, 0 when done, or -code with ERR filled. */
int spool_step_row(struct spool *sp, sqlite3_stmt *st, const char *what,
		   struct spool_err *err);

/* ---- values.c: moving values between C and SQLite */

/* Column COL of ST as bytes (blob or text) into *P and *LEN; a NULL column
 * gives NULL. Returns 0, or SPOOL_NOMEM when SQLite could not produce it. */
int spool_col_bytes(sqlite3_stmt *st, int col, const void **p, size_t *len);

/* Makes room for element N of the growing array whose address is VP (a
 * pointer to the array pointer; *CAP elements of SIZE bytes allocated),
 * doubling it. Returns 0, or SPOOL_NOMEM with ERR filled (array kept). */
int spool_grow(struct spool *sp, void *vp, size_t n, size_t *cap, size_t size,
	       struct spool_err *err);

/* Copies LEN bytes of SRC to DST, NUL-terminates, returns the byte after. */
char *spool_put_bytes(char *dst, const void *src, size_t len);

/* Binds text S (NULL binds NULL), borrowed until the next reset;
 * returns SQLite's rc. */
int spool_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* 0 if S is a string of 1 to MAX bytes, else SPOOL_INVALID with ERR
 * naming WHAT. */
int spool_check_name(struct spool *sp, const char *s, size_t max,
		     const char *what, struct spool_err *err);

/* ---- atjobs.c */

/* Job ID in full into *OUT (free with spool_at_job_free): SPOOL_NOT_FOUND
 * when there is none. Runs inside the caller's transaction. */
int spool_at_read(struct spool *sp, int64_t id, struct spool_at_job *out,
		  struct spool_err *err);

/* The state and owner uid of job ID: SPOOL_NOT_FOUND when there is none. */
int spool_at_state_of(struct spool *sp, int64_t id, enum spool_at_state *state,
		      uid_t *uid, struct spool_err *err);

/* Checks JOB as spool_at_submit does: 0 or SPOOL_INVALID with ERR filled. */
int spool_at_check(struct spool *sp, const struct spool_at_job *job,
		   struct spool_err *err);

/* Inserts JOB (checked) as waiting, with the packed environment ENV of
 * ENV_LEN bytes, inside the caller's write transaction: under id WANT_ID
 * when it is > 0 (the caller makes sure it is free), else the next id.
 * *ID gets the id. */
int spool_at_insert(struct spool *sp, const struct spool_at_job *job,
		    const void *env, size_t env_len, int64_t want_id,
		    int64_t *id, struct spool_err *err);

/* The name of STATE as the schema spells it. */
const char *spool_at_state_name(enum spool_at_state state);

/* ---- crontabs.c */

/* Installs OWNER's crontab inside the caller's write transaction, as
 * spool_crontab_install does (arguments checked by the caller). */
int spool_crontab_put(struct spool *sp, const char *owner, uid_t uid,
		      const void *text, size_t len, uid_t by, int64_t now,
		      int64_t *generation, struct spool_err *err);

/* ---- state.c */

/* Meta value NAME into BUF of SIZE bytes inside the caller's transaction,
 * as spool_meta_get; and its setter, inside a write transaction. */
int spool_meta_read(struct spool *sp, const char *name, char *buf, size_t size,
		    struct spool_err *err);
int spool_meta_write(struct spool *sp, const char *name, const char *value,
		     struct spool_err *err);

/* ---- history.c */

/* Checks record R as spool_history_append would. */
int spool_run_check(struct spool *sp, const struct spool_run *r,
		    struct spool_err *err);

/* Inserts record R inside the caller's write transaction. */
int spool_run_insert(struct spool *sp, const struct spool_run *r,
		     struct spool_err *err);

/* Records ended run R inside the caller's write transaction: completes the
 * running record R->id names, or inserts R when there is none. */
int spool_run_end(struct spool *sp, const struct spool_run *r,
		  struct spool_err *err);

/* ---- schema.c */

/* Brings SP's schema up to date (read-only: checks it is current). */
int spool_schema_upgrade(struct spool *sp, struct spool_err *err);

/* ---- path.c */

/* Checks (and with SPOOL_CREATE, creates) the spool's directory and file. */
int spool_check_path(const char *path, int flags, struct spool_err *err);

#endif
