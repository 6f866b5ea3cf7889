/* spool/pg/internal.h: what the files of the PostgreSQL backend share, and
 * nothing else sees.
 *
 * One struct spool_pg is one libpq connection (PGconn), used by one thread
 * at a time, as spool.h says of every connection. Files:
 *   libpq.c    libpq loaded on first use (libpq.h)
 *   open.c     open, close, reconnect with back-off, the operations table
 *   error.c    SQLSTATEs and connection failures mapped to spool codes
 *   txn.c      transactions with retries, queries, parameters, results
 *   stmt.c     statements prepared once per connection
 *   schema.c   the schema and its migrations (schema.sql in one place)
 *   crontabs.c state.c import.c   crontabs, entry state and meta, the
 *              import lock
 *   atjobs.c atrun.c   at jobs
 *   history.c prune.c claim.c   run history, pruning, cluster claims
 *   node.c reap.c watch.c   heartbeats and leaving, lost nodes,
 *              LISTEN/NOTIFY
 *
 * Conventions.
 * - Every string column that holds bytes a user chose (crontab text,
 *   owner names, commands, entry keys, scripts, environment, paths,
 *   output, meta values) is bytea, sent as a binary parameter: PostgreSQL
 *   text refuses NUL and invalid UTF-8, a crontab may hold either. Names
 *   crond makes itself (node, kind, state) are text.
 * - Every query asks for binary results (pg_query does): integers arrive
 *   big-endian (pg_int reads int2/int4/int8 by length), bytea and text as
 *   raw bytes (pg_bytes).
 * - A change to crontabs or at jobs calls pg_announce inside its
 *   transaction, so watchers hear of it when, and only if, it commits.
 * - Numbers the contract counts (generations, at job ids) come from one
 *   counter row each (pg_counter_next), never a sequence: a row lock makes
 *   concurrent writers commit in the order they took numbers, so a reader
 *   of "changes after generation G" never misses one committed later with
 *   a smaller number.
 */
#ifndef CROND_SPOOL_PG_INTERNAL_H
#define CROND_SPOOL_PG_INTERNAL_H

#include "spool/backend.h"
#include "spool/common.h"
#include "spool/pg/libpq.h"

/* The schema version this program writes (schema.c). */
#define PG_SCHEMA_VERSION 1

struct spool_pg {
	struct spool base;       /* base.path: the URI without any password */
	PGconn *conn;            /* NULL while disconnected */
	char *conninfo;          /* the URI as given, for (re)connecting */
	PGconn *watch;           /* watch.c: a second connection that only
				    LISTENs; NULL when not watching */
	int64_t retry_at_ns;     /* CLOCK_MONOTONIC: no reconnect before this */
	int64_t backoff_ns;      /* the next wait after a failed reconnect */
	struct pg_stmts *stmts;  /* stmt.c: statements prepared on conn */
};

static inline struct spool_pg *pg(struct spool *sp)
{
	return (struct spool_pg *)sp;
}

extern const struct spool_ops spool_pg_ops;

/* ---- open.c */

/* Connected, or connects again (no sooner than the back-off allows: 0.1 s
 * doubling to 30 s, reset by a success). 0, or SPOOL_IO ("database
 * unreachable: ...") with ERR filled. */
int pg_connected(struct spool *sp, struct spool_err *err);

/* A new connection to SP's database, set up as every one is (silent
 * notices, session settings), into *OUT: 0, or SPOOL_IO ("database
 * unreachable: ...") with ERR filled and *OUT NULL. No back-off. */
int pg_new_conn(struct spool *sp, PGconn **out, struct spool_err *err);

/* Drops a connection found broken, so the next call reconnects. */
void pg_disconnect(struct spool *sp);

/* Closes SP's connection and frees SP (the operations table's close). */
void pg_close(struct spool *sp);

/* ---- error.c */

/* The spool code for result RES (NULL: a failure of the connection itself):
 * 23505 unique_violation -> SPOOL_CONFLICT, 40001/40P01 -> SPOOL_BUSY
 * (txn.c retries those), 53100 disk_full -> SPOOL_FULL, 53200 -> NOMEM,
 * 42501 -> SPOOL_PERMISSION, a lost connection -> SPOOL_IO, others IO.
 * Fills ERR with "PATH: WHAT: PostgreSQL's message" (one line). */
int pg_error(struct spool *sp, const PGresult *res, const char *what,
	     struct spool_err *err);

/* ---- txn.c */

/* The body of a transaction: returns 0 or a spool code with ERR filled.
 * It may run more than once (serialization failures, deadlocks), so it
 * must start by clearing whatever outputs it fills. */
typedef int (*pg_txn_fn)(struct spool *sp, void *ctx, struct spool_err *err);

enum pg_txn_mode {
	PG_READ,    /* BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY */
	PG_WRITE,   /* BEGIN (READ COMMITTED); bodies lock what they change */
	PG_WRITE_SHORT,   /* as PG_WRITE, but a lock is waited for at most
	                   * PG_SHORT_LOCK_WAIT, and SPOOL_BUSY is returned at
	                   * once rather than tried again: for a caller that
	                   * must not be held (the supervisor's claims) and
	                   * tries again later itself */
};
#define PG_SHORT_LOCK_WAIT "1s"

/* Runs FN in one transaction: COMMIT if it returns 0, else ROLLBACK.
 * Connects first (pg_connected). Retries the whole transaction on
 * SPOOL_BUSY (40001, 40P01) for about 20 s in all. A COMMIT whose outcome
 * is unknown (the connection broke during it) is SPOOL_IO. Calls
 * sp->test_before_commit before COMMIT when set. */
int pg_txn(struct spool *sp, enum pg_txn_mode mode, pg_txn_fn fn, void *ctx,
	   struct spool_err *err);

#define PG_PARAMS_MAX 20

/* Parameters of one query, filled in order ($1, $2...). Integers go as
 * text, bytes as binary bytea. The struct holds the integers' digits, so
 * it must live until the query ran. */
struct pg_params {
	int n;
	const char *values[PG_PARAMS_MAX];
	int lengths[PG_PARAMS_MAX];
	int formats[PG_PARAMS_MAX];
	char digits[PG_PARAMS_MAX][24];
};

void pg_param_int(struct pg_params *p, int64_t v);
void pg_param_text(struct pg_params *p, const char *s);   /* NULL: SQL NULL */
void pg_param_bytes(struct pg_params *p, const void *b, size_t len);   /* bytea */
void pg_param_str(struct pg_params *p, const char *s);    /* bytea of strlen(S);
							     NULL: SQL NULL */

/* Runs SQL with P (may be NULL) on SP's connection, inside the caller's
 * transaction, binary results. *RES (RES may be NULL: no rows wanted) gets
 * the result, to PQclear. 0, or a code with ERR filled (WHAT names the
 * step) and *RES NULL. */
int pg_query(struct spool *sp, const char *sql, const struct pg_params *p,
	     PGresult **res, const char *what, struct spool_err *err);

/* Runs SQL, one or more statements without parameters or wanted rows
 * (the schema's DDL), inside the caller's transaction. */
int pg_exec(struct spool *sp, const char *sql, const char *what,
	    struct spool_err *err);

/* Rows changed by the command that gave RES. */
int64_t pg_changes(const PGresult *res);

/* Column COL of ROW: an integer (int2, int4, int8 or bool; NULL gives 0),
 * and bytes (bytea or text; NULL gives *P NULL, *LEN 0), pointing into RES. */
int64_t pg_int(const PGresult *res, int row, int col);
void pg_bytes(const PGresult *res, int row, int col, const void **p, size_t *len);
bool pg_isnull(const PGresult *res, int row, int col);

/* The next number of counter NAME ("generation", "at_job"), taken under
 * the counter row's lock until the transaction ends. */
int pg_counter_next(struct spool *sp, const char *name, int64_t *value,
		    struct spool_err *err);

/* Runs SQL with P (may be NULL), which reads counter NAME's row: its one
 * value into *VALUE; SPOOL_CORRUPT ("the NAME counter is missing") when
 * there is no row. */
int pg_counter_query(struct spool *sp, const char *sql, const struct pg_params *p,
		     const char *name, const char *what, int64_t *value,
		     struct spool_err *err);

/* Tells watchers, when the caller's transaction commits, that crontabs or
 * at jobs changed (NOTIFY crond_change). */
int pg_announce(struct spool *sp, struct spool_err *err);

/* ---- stmt.c */

/* Runs SQL with P (may be NULL) on SP's connection, binary results,
 * through a statement prepared once per connection (found by SQL's text,
 * so SQL may be built at run time): parsing and planning are paid once.
 * Returns libpq's result (NULL when out of memory), for pg_query to
 * check. If the server lost the statements (a connection pooler in front
 * of it, a DISCARD ALL), the connection prepares nothing more, and the
 * result's SQLSTATE is 26000 or 42P05: pg_query makes that SPOOL_BUSY, so
 * the transaction runs again without them. */
PGresult *pg_stmt_exec(struct spool *sp, const char *sql, const struct pg_params *p);

/* Whether SQLSTATE says the prepared statements are gone (see above). */
bool pg_stmt_lost(const char *sqlstate);

/* Forgets SP's prepared statements (its connection is gone). */
void pg_stmts_free(struct spool *sp);

/* ---- schema.c */

/* Creates or upgrades SP's schema (each migration one transaction, under
 * an advisory lock so nodes starting together do it once); a newer
 * schema: SPOOL_VERSION naming both versions; SPOOL_READONLY: checks that
 * it is current. */
int pg_schema_upgrade(struct spool *sp, struct spool_err *err);

/* ---- the operations, as spool/backend.h states them */

int pg_txn_op(struct spool *sp, bool write, spool_txn_fn fn, void *ctx, struct spool_err *err);
int pg_crontab_put(struct spool *sp, const char *owner, uid_t uid, const void *text, size_t len, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
int pg_crontab_tombstone(struct spool *sp, const char *owner, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
int pg_crontab_read(struct spool *sp, const char *owner, struct spool_crontab *out, struct spool_err *err);
int pg_crontab_changes(struct spool *sp, int64_t since, size_t max, struct spool_crontab **out, size_t *n, struct spool_err *err);
int pg_crontab_owners(struct spool *sp, char ***out, size_t *n, struct spool_err *err);
int pg_crontab_generation(struct spool *sp, int64_t *generation, struct spool_err *err);
int pg_crontab_generation_of(struct spool *sp, const char *owner, int64_t *generation, struct spool_err *err);
int pg_at_lock_ids(struct spool *sp, struct spool_err *err);
int pg_at_usage(struct spool *sp, uid_t uid, struct spool_at_usage *out, struct spool_err *err);
int pg_at_insert(struct spool *sp, const struct spool_at_job *job, const void *env, size_t env_len, int64_t want_id, int64_t *id, struct spool_err *err);
int pg_at_last_id(struct spool *sp, int64_t *last, struct spool_err *err);
int pg_at_read(struct spool *sp, int64_t id, struct spool_at_job *out, struct spool_err *err);
int pg_at_list(struct spool *sp, const struct spool_at_filter *filter, struct spool_at_summary **out, size_t *n, struct spool_err *err);
int pg_at_delete(struct spool *sp, int64_t id, const char *what, struct spool_err *err);
int pg_at_claim(struct spool *sp, int64_t id, int64_t now, bool *claimed, struct spool_err *err);
int pg_at_claimed_here(struct spool *sp, int64_t id, bool *mine, struct spool_err *err);
int pg_at_claim_due(struct spool *sp, int64_t now, const char *queues, size_t max, struct spool_at_job **out, size_t *n, struct spool_err *err);
int pg_at_set_running(struct spool *sp, int64_t id, pid_t pid, int64_t started_at, bool *changed, struct spool_err *err);
int pg_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out, size_t *n, struct spool_err *err);
int pg_at_next_run(struct spool *sp, const char *queues, int64_t *run_at, struct spool_err *err);
int pg_import_lock(struct spool *sp, const char *mark, struct spool_err *err);
int pg_run_insert_own(struct spool *sp, const struct spool_run *r, int64_t *id, struct spool_err *err);
int pg_run_end(struct spool *sp, const struct spool_run *r, struct spool_err *err);
int pg_history_query(struct spool *sp, const struct spool_history_filter *filter, struct spool_run **out, size_t *n, struct spool_err *err);
int pg_history_query_keys(struct spool *sp, const struct spool_history_filter *filter, const char *const *keys, size_t n_keys, struct spool_run **out, size_t *counts, size_t *n, struct spool_err *err);
int pg_history_recover(struct spool *sp, int64_t now_ms, struct spool_run **out, size_t *n, struct spool_err *err);
int pg_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch, size_t *deleted, struct spool_err *err);
int pg_history_rank(struct spool *sp, bool by_owner, size_t keep, size_t batch, const struct spool_rank_cursor *from, int64_t *ids, size_t *n, struct spool_rank_cursor *last, struct spool_err *err);
int pg_history_delete(struct spool *sp, const int64_t *ids, size_t n, size_t *deleted, struct spool_err *err);
int pg_state_get(struct spool *sp, const char *key, int64_t *last_scheduled, int64_t *last_start, struct spool_err *err);
int pg_state_put(struct spool *sp, const struct spool_entry_state *v, struct spool_err *err);
int pg_state_delete(struct spool *sp, const char *key, struct spool_err *err);
int pg_state_list(struct spool *sp, const char *lo, const char *hi, struct spool_entry_state **out, size_t *n, struct spool_err *err);
int pg_meta_read(struct spool *sp, const char *name, char *buf, size_t size, struct spool_err *err);
int pg_meta_write(struct spool *sp, const char *name, const char *value, struct spool_err *err);
int pg_reserve_make(struct spool *sp, struct spool_err *err);
int pg_reserve_release(struct spool *sp, bool for_root, uint64_t *freed, struct spool_err *err);
bool pg_reserve_present(struct spool *sp);
int pg_compact(struct spool *sp, unsigned max_pages, struct spool_space *space, struct spool_err *err);
int pg_compact_enable(struct spool *sp, uint64_t max_bytes, bool *rewritten, struct spool_err *err);
int pg_run_claim(struct spool *sp, const struct spool_run *runs, size_t n, int64_t *ids, bool *won, struct spool_err *err);
int pg_node_beat(struct spool *sp, int64_t now_ms, int64_t *db_now_ms, struct spool_err *err);
int pg_node_leave(struct spool *sp, struct spool_err *err);
int pg_node_reap(struct spool *sp, int64_t timeout_ms, char ***lost, size_t *n, struct spool_err *err);
int pg_watch_start(struct spool *sp, int *fd, struct spool_err *err);
int pg_watch_drain(struct spool *sp, bool *changed, struct spool_err *err);

#endif
