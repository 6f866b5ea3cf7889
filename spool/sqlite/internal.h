/* spool/sqlite/internal.h: what the files of the SQLite backend share, and
 * nothing else sees.
 *
 * The connection struct, the prepared-statement table (stmt.c), the
 * transaction runner with its retries (txn.c), error mapping (error.c), the
 * schema upgrade (schema.c), the file-system checks (path.c) and value
 * helpers (values.c).
 */
#ifndef CROND_SPOOL_INTERNAL_H
#define CROND_SPOOL_INTERNAL_H

#include <sqlite3.h>

#include "spool/backend.h"
#include "spool/common.h"

/* Every statement the spool runs, by name; the SQL is in stmt.c. */
enum stmt_id {
	ST_SEQ_NEXT,
	ST_SEQ_GET,
	ST_CRONTAB_PUT,
	ST_CRONTAB_TOMBSTONE,
	ST_CRONTAB_GET,
	ST_CRONTAB_CHANGES,
	ST_CRONTAB_OWNERS,
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
	ST_AT_RECOVER_ANY,
	ST_AT_UNCLAIM,
	ST_AT_INTERRUPT,
	ST_AT_INTERRUPTED,
	ST_AT_NEXT,
	ST_AT_USAGE,
	ST_RUN_INSERT,
	ST_RUN_END,
	ST_RUN_CLAIMED,
	ST_RUN_RUNNING,
	ST_RUN_INTERRUPT,
	ST_RUN_BY_KEY,
	ST_RUN_BY_KEY_BRIEF,
	ST_RUN_BY_UID,
	ST_RUN_ALL,
	ST_RUN_PRUNE_AGE,
	ST_RUN_OVER_UIDS,
	ST_RUN_OVER_KEYS,
	ST_RUN_EXCESS_UID,
	ST_RUN_EXCESS_KEY,
	ST_RUN_DELETE,
	ST_STATE_GET,
	ST_STATE_PUT,
	ST_STATE_LIST,
	ST_STATE_DELETE,
	ST_META_GET,
	ST_META_PUT,
	ST_COUNT
};

/* An SQLite connection: the common head first (spool/backend.h). */
struct spool_sqlite {
	struct spool base;
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];  /* prepared on first use */
};

static inline struct spool_sqlite *sq(struct spool *sp)
{
	return (struct spool_sqlite *)sp;
}

/* Whether the database at PATH is exactly as spool_mark_clean recorded it,
 * with an empty or absent WAL (clean.c): quick_check may be skipped. */
bool spool_sqlite_unchanged(const char *path);

/* Whether the file PATH is empty though crond's last clean stop left it
 * *WAS (> 0) bytes long (its marker says so): the spool's contents were
 * lost (cut to nothing by hand, a failed restore). SQLite would take the
 * empty file for a new spool and the daemon start with nothing queued, so
 * the open refuses it. */
bool spool_sqlite_emptied(const char *path, intmax_t *was);

/* The operations table (ops.c). */
extern const struct spool_ops spool_sqlite_ops;

/* ---- the operations, as spool/backend.h states them */

void sqlite_close(struct spool *sp);
int sqlite_txn(struct spool *sp, bool write, spool_txn_fn fn, void *ctx, struct spool_err *err);
int sqlite_crontab_tombstone(struct spool *sp, const char *owner, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
int sqlite_crontab_read(struct spool *sp, const char *owner, struct spool_crontab *out, struct spool_err *err);
int sqlite_crontab_changes(struct spool *sp, int64_t since, size_t max, struct spool_crontab **out, size_t *n, struct spool_err *err);
int sqlite_crontab_owners(struct spool *sp, char ***out, size_t *n, struct spool_err *err);
int sqlite_crontab_generation(struct spool *sp, int64_t *generation, struct spool_err *err);
int sqlite_crontab_generation_of(struct spool *sp, const char *owner, int64_t *generation, struct spool_err *err);
int sqlite_at_usage(struct spool *sp, uid_t uid, struct spool_at_usage *out, struct spool_err *err);
int sqlite_at_last_id(struct spool *sp, int64_t *last, struct spool_err *err);
int sqlite_at_list(struct spool *sp, const struct spool_at_filter *filter, struct spool_at_summary **out, size_t *n, struct spool_err *err);
int sqlite_at_delete(struct spool *sp, int64_t id, const char *what, struct spool_err *err);
int sqlite_at_claim(struct spool *sp, int64_t id, int64_t now, bool *claimed, struct spool_err *err);
int sqlite_at_claim_due(struct spool *sp, int64_t now, const char *queues, size_t max, struct spool_at_job **out, size_t *n, struct spool_err *err);
int sqlite_set_sync(struct spool *sp, bool durable, struct spool_err *err);
int sqlite_at_set_running(struct spool *sp, int64_t id, pid_t pid, int64_t started_at, bool *changed, struct spool_err *err);
int sqlite_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out, size_t *n, struct spool_err *err);
int sqlite_at_next_run(struct spool *sp, const char *queues, int64_t *run_at, struct spool_err *err);
int sqlite_history_query(struct spool *sp, const struct spool_history_filter *filter, struct spool_run **out, size_t *n, struct spool_err *err);
int sqlite_history_recover(struct spool *sp, int64_t now_ms, struct spool_run **out, size_t *n, struct spool_err *err);
int sqlite_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch, size_t *deleted, struct spool_err *err);
int sqlite_history_rank(struct spool *sp, bool by_owner, size_t keep, size_t batch, const struct spool_rank_cursor *from, int64_t *ids, size_t *n, struct spool_rank_cursor *last, struct spool_err *err);
int sqlite_history_delete(struct spool *sp, const int64_t *ids, size_t n, size_t *deleted, struct spool_err *err);
int sqlite_state_get(struct spool *sp, const char *key, int64_t *last_scheduled, int64_t *last_start, struct spool_err *err);
int sqlite_state_put(struct spool *sp, const struct spool_entry_state *v, struct spool_err *err);
int sqlite_state_delete(struct spool *sp, const char *key, struct spool_err *err);
int sqlite_state_list(struct spool *sp, const char *lo, const char *hi, struct spool_entry_state **out, size_t *n, struct spool_err *err);
int sqlite_reserve_make(struct spool *sp, struct spool_err *err);
int sqlite_reserve_release(struct spool *sp, bool for_root, uint64_t *freed, struct spool_err *err);
bool sqlite_reserve_present(struct spool *sp);

/* The cluster operations (spool.h): one machine's spool has no other node. */
int sqlite_run_claim(struct spool *sp, const struct spool_run *runs, size_t n,
		     int64_t *ids, bool *won, struct spool_err *err);
int sqlite_node_beat(struct spool *sp, int64_t now_ms, int64_t *db_now_ms,
		     struct spool_err *err);
int sqlite_node_leave(struct spool *sp, struct spool_err *err);
int sqlite_node_reap(struct spool *sp, int64_t timeout_ms, char ***lost, size_t *n,
		     struct spool_err *err);
int sqlite_watch_start(struct spool *sp, int *fd, struct spool_err *err);
int sqlite_watch_drain(struct spool *sp, bool *changed, struct spool_err *err);

/* ---- error.c */

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

/* The body of a transaction (spool/backend.h). */
typedef spool_txn_fn txn_fn;

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

/* ---- compact.c: the operations compact and compact_enable */
int sqlite_compact(struct spool *sp, unsigned max_pages, struct spool_space *space,
		   struct spool_err *err);
int sqlite_compact_enable(struct spool *sp, uint64_t max_bytes, bool *rewritten,
			  struct spool_err *err);

/* ---- values.c: moving values between C and SQLite */

/* Column COL of ST as bytes (blob or text) into *P and *LEN; a NULL column
 * gives NULL. Returns 0, or SPOOL_NOMEM when SQLite could not produce it. */
int spool_col_bytes(sqlite3_stmt *st, int col, const void **p, size_t *len);

/* The integer the one-row PRAGMA SQL answers, into *V; WHAT names it in an
 * error. Outside the statement cache. */
int spool_pragma_int(struct spool *sp, const char *sql, int64_t *v, const char *what,
		     struct spool_err *err);

/* Binds text S (NULL binds NULL), borrowed until the next reset;
 * returns SQLite's rc. */
int spool_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* ---- atjobs.c */

/* Job ID in full into *OUT (free with spool_at_job_free): SPOOL_NOT_FOUND
 * when there is none. The operation at_read (spool/backend.h). */
int spool_at_read(struct spool *sp, int64_t id, struct spool_at_job *out,
		  struct spool_err *err);

/* The state and owner uid of job ID: SPOOL_NOT_FOUND when there is none. */
int spool_at_state_of(struct spool *sp, int64_t id, enum spool_at_state *state,
		      uid_t *uid, struct spool_err *err);

/* The operation at_insert (spool/backend.h). */
int spool_at_insert(struct spool *sp, const struct spool_at_job *job,
		    const void *env, size_t env_len, int64_t want_id,
		    int64_t *id, struct spool_err *err);

/* ---- crontabs.c */

/* The operation crontab_put (spool/backend.h). */
int spool_crontab_put(struct spool *sp, const char *owner, uid_t uid,
		      const void *text, size_t len, uid_t by, int64_t now,
		      int64_t *generation, struct spool_err *err);

/* ---- state.c */

/* The operations meta_get and meta_set (spool/backend.h). */
int spool_meta_read(struct spool *sp, const char *name, char *buf, size_t size,
		    struct spool_err *err);
int spool_meta_write(struct spool *sp, const char *name, const char *value,
		     struct spool_err *err);

/* ---- history.c */

/* Inserts record R inside the caller's write transaction; *ID (may be
 * NULL) gets its id. The operation run_insert (spool/backend.h). */
int spool_run_insert(struct spool *sp, const struct spool_run *r, int64_t *id,
		     struct spool_err *err);

/* Records ended run R inside the caller's write transaction: completes the
 * running record R->id names, or inserts R when there is none. */
int spool_run_end(struct spool *sp, const struct spool_run *r,
		  struct spool_err *err);

/* ---- schema.c */

/* The schema version this program writes (PRAGMA user_version: the number
 * of migrations in schema.c). */
#define SQLITE_SCHEMA_VERSION 5

/* Brings SP's schema up to date (read-only: checks it is current). */
int spool_schema_upgrade(struct spool *sp, struct spool_err *err);

/* ---- path.c */

/* Checks (and with SPOOL_CREATE, creates) the spool's directory and file. */
int spool_check_path(const char *path, int flags, struct spool_err *err);

#endif
