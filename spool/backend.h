/* spool/backend.h: what a spool backend implements, and the head every
 * connection starts with.
 *
 * spool/spool.h is the one contract; spool/dispatch.c implements each of its
 * functions that takes a connection: it checks the arguments
 * (spool/validate.c), then runs the shared orchestration (spool/shared.h)
 * over the connection's backend's primitives, or hands a call the backend
 * does whole to it, through its operations table. A backend (spool/sqlite/,
 * spool/pg/) keeps its connection in a struct whose first member is a
 * struct spool, fills ops, path and flags when it opens one, and
 * implements every operation as stated below.
 * Records it returns are freed by the common *_free functions
 * (spool/common.c): it allocates them the same way (see common.h).
 */
#ifndef CROND_SPOOL_BACKEND_H
#define CROND_SPOOL_BACKEND_H

#include "spool/spool.h"

/* The body of a transaction: returns 0 or a spool code with ERR filled.
 * It may run more than once (a busy spool, a serialization failure), so it
 * starts by clearing whatever outputs it fills (freeing them). */
typedef int (*spool_txn_fn)(struct spool *sp, void *ctx, struct spool_err *err);

/* What a backend implements: transactions, the primitives that run inside
 * them, and the few calls it does whole. The orchestration of spool.h's
 * calls over the primitives (which transaction, in which order, quotas,
 * batches, imports, outputs) is written once, in spool/ (shared.h); every
 * argument has been checked (spool/validate.c) before any of this runs.
 *
 * A primitive runs inside the transaction txn opened, and returns 0 or a
 * spool code with ERR filled ("PATH: what: the database's message"). One
 * that fills a new array (*OUT of *N) may leave the records it read so far
 * there on failure: the caller frees them. A primitive marked "write" runs
 * only in a write transaction, and on a shared spool announces a change to
 * crontabs or at jobs to watchers itself (spool_watch_*). */
struct spool_rank_cursor;

struct spool_ops {
	const char *name;   /* "sqlite", "postgresql" */
	bool shared;        /* used by several nodes at once (spool_is_shared) */
	int schema_version; /* the schema version it writes (spool_schema_version) */
	void (*close)(struct spool *sp);

	/* Runs FN in one transaction: a write transaction when WRITE (which
	 * takes the write lock, or locks what it changes, and is durable
	 * when it commits), else one consistent snapshot for reading.
	 * Commits if FN returns 0, else rolls back; runs FN again while the
	 * spool is busy (about 20 s), then SPOOL_BUSY. A read-only spool
	 * refuses a write with SPOOL_PERMISSION. */
	int (*txn)(struct spool *sp, bool write, spool_txn_fn fn, void *ctx, struct spool_err *err);
	/* Whether the next write transactions are synced when they commit
	 * (DURABLE, as they are by default) or only written (the next synced
	 * commit makes them durable); NULL: always synced. Outside a
	 * transaction. */
	int (*set_sync)(struct spool *sp, bool durable, struct spool_err *err);

	/* ---- crontabs */
	/* write: OWNER's crontab installed, under the next generation. */
	int (*crontab_put)(struct spool *sp, const char *owner, uid_t uid, const void *text, size_t len, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
	/* write: OWNER's crontab replaced by a tombstone under the next
	 * generation; SPOOL_NOT_FOUND ("no crontab for OWNER") when none. */
	int (*crontab_tombstone)(struct spool *sp, const char *owner, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
	/* OWNER's installed crontab into *OUT; SPOOL_NOT_FOUND when none. */
	int (*crontab_read)(struct spool *sp, const char *owner, struct spool_crontab *out, struct spool_err *err);
	int (*crontab_changes)(struct spool *sp, int64_t since, size_t max, struct spool_crontab **out, size_t *n, struct spool_err *err);
	/* As spool_crontab_owners. */
	int (*crontab_owners)(struct spool *sp, char ***out, size_t *n, struct spool_err *err);
	int (*crontab_generation)(struct spool *sp, int64_t *generation, struct spool_err *err);
	/* write: the generation of OWNER's installed crontab (0: none),
	 * which no other writer can change before the transaction ends. */
	int (*crontab_generation_of)(struct spool *sp, const char *owner, int64_t *generation, struct spool_err *err);

	/* ---- at jobs */
	/* write, may be NULL: holds the at job ids (what a quota counts)
	 * until the transaction ends, so that concurrent submitters count
	 * each other's jobs. */
	int (*at_lock_ids)(struct spool *sp, struct spool_err *err);
	/* UID's at jobs: how many, and their bytes. */
	int (*at_usage)(struct spool *sp, uid_t uid, struct spool_at_usage *out, struct spool_err *err);
	/* write: JOB queued as waiting with its environment packed in ENV
	 * (ENV_LEN bytes: each string followed by a NUL), under id WANT_ID
	 * when it is > 0 (free: the caller made sure), else the next id. */
	int (*at_insert)(struct spool *sp, const struct spool_at_job *job, const void *env, size_t env_len, int64_t want_id, int64_t *id, struct spool_err *err);
	/* write: the highest at job id given so far, held until the
	 * transaction ends. */
	int (*at_last_id)(struct spool *sp, int64_t *last, struct spool_err *err);
	/* Job ID in full into *OUT; SPOOL_NOT_FOUND ("no at job ID"). */
	int (*at_read)(struct spool *sp, int64_t id, struct spool_at_job *out, struct spool_err *err);
	int (*at_list)(struct spool *sp, const struct spool_at_filter *filter, struct spool_at_summary **out, size_t *n, struct spool_err *err);
	/* The state and owner of job ID (in a write transaction: held until
	 * it ends); SPOOL_NOT_FOUND ("no at job ID"). */
	int (*at_state_of)(struct spool *sp, int64_t id, enum spool_at_state *state, uid_t *uid, struct spool_err *err);
	/* write: job ID deleted; WHAT names the step in a message. */
	int (*at_delete)(struct spool *sp, int64_t id, const char *what, struct spool_err *err);
	/* write: job ID moved from waiting to running (for this node) if it
	 * was waiting: *CLAIMED says whether it moved. */
	int (*at_claim)(struct spool *sp, int64_t id, int64_t now, bool *claimed, struct spool_err *err);
	/* read: whether job ID is running, claimed by this node and not
	 * started (no pid): after a claim whose commit's answer was lost, the
	 * claim that was made. NULL where commits are never cut off (SQLite). */
	int (*at_claimed_here)(struct spool *sp, int64_t id, bool *mine, struct spool_err *err);
	/* write: as spool_at_claim_due. */
	int (*at_claim_due)(struct spool *sp, int64_t now, const char *queues, size_t max, struct spool_at_job **out, size_t *n, struct spool_err *err);
	/* write: the pid and start of job ID if it is running: *CHANGED
	 * says whether it was. */
	int (*at_set_running)(struct spool *sp, int64_t id, pid_t pid, int64_t started_at, bool *changed, struct spool_err *err);
	/* write: as spool_at_recover. */
	int (*at_recover)(struct spool *sp, int64_t now, struct spool_at_job **out, size_t *n, struct spool_err *err);
	/* As spool_at_next_run: SPOOL_NOT_FOUND ("no waiting at jobs"). */
	int (*at_next_run)(struct spool *sp, const char *queues, int64_t *run_at, struct spool_err *err);

	/* ---- import: write, may be NULL: imports of MARK wait for each
	 * other until the transaction ends. */
	int (*import_lock)(struct spool *sp, const char *mark, struct spool_err *err);

	/* ---- history */
	/* write: record R inserted as it reads (recorded by SP's node);
	 * *ID (may be NULL) gets its id. */
	int (*run_insert)(struct spool *sp, const struct spool_run *r, int64_t *id, struct spool_err *err);
	/* write: ended run R recorded: completes the running record R->id
	 * names, or inserts R when there is none. */
	int (*run_end)(struct spool *sp, const struct spool_run *r, struct spool_err *err);
	int (*history_query)(struct spool *sp, const struct spool_history_filter *filter, struct spool_run **out, size_t *n, struct spool_err *err);
	/* May be NULL (then history_query runs once a key): as
	 * spool_history_query_keys, inside the caller's transaction; *OUT
	 * may hold records read so far on failure. */
	int (*history_query_keys)(struct spool *sp, const struct spool_history_filter *filter, const char *const *keys, size_t n_keys, struct spool_run **out, size_t *counts, size_t *n, struct spool_err *err);
	/* write: as spool_history_recover. */
	int (*history_recover)(struct spool *sp, int64_t now_ms, struct spool_run **out, size_t *n, struct spool_err *err);
	/* write: at most BATCH ended records older than BEFORE_MS deleted,
	 * oldest first; *DELETED gets how many. */
	int (*history_prune_age)(struct spool *sp, int64_t before_ms, size_t batch, size_t *deleted, struct spool_err *err);
	/* The ids of at most BATCH records beyond the newest KEEP of each
	 * entry (BY_OWNER: of each owner but root) into IDS, *N of them,
	 * ranking only the entries (owners) from FROM's on when it is set;
	 * *LAST gets the entry (owner) of the last id chosen. */
	int (*history_rank)(struct spool *sp, bool by_owner, size_t keep, size_t batch,
			    const struct spool_rank_cursor *from, int64_t *ids, size_t *n,
			    struct spool_rank_cursor *last, struct spool_err *err);
	/* write: the ended records among the N of IDS deleted; *DELETED gets
	 * how many. */
	int (*history_delete)(struct spool *sp, const int64_t *ids, size_t n, size_t *deleted, struct spool_err *err);

	/* ---- state and meta */
	/* KEY's state; SPOOL_NOT_FOUND ("no state for entry KEY"). */
	int (*state_get)(struct spool *sp, const char *key, int64_t *last_scheduled, int64_t *last_start, struct spool_err *err);
	int (*state_put)(struct spool *sp, const struct spool_entry_state *v, struct spool_err *err);   /* write */
	int (*state_delete)(struct spool *sp, const char *key, struct spool_err *err);   /* write */
	/* The states with LO <= key < HI, bytewise, sorted by key; HI NULL:
	 * no upper bound. */
	int (*state_list)(struct spool *sp, const char *lo, const char *hi, struct spool_entry_state **out, size_t *n, struct spool_err *err);
	/* As spool_meta_get and spool_meta_set (write). */
	int (*meta_get)(struct spool *sp, const char *name, char *buf, size_t size, struct spool_err *err);
	int (*meta_set)(struct spool *sp, const char *name, const char *value, struct spool_err *err);

	/* ---- whole calls, each as spool.h's function of that name */
	int (*reserve_make)(struct spool *sp, struct spool_err *err);
	int (*reserve_release)(struct spool *sp, bool for_root, uint64_t *freed, struct spool_err *err);
	bool (*reserve_present)(struct spool *sp);
	int (*compact)(struct spool *sp, unsigned max_pages, struct spool_space *space, struct spool_err *err);
	int (*compact_enable)(struct spool *sp, uint64_t max_bytes, bool *rewritten, struct spool_err *err);
	int (*run_claim)(struct spool *sp, const struct spool_run *runs, size_t n, int64_t *ids, bool *won, struct spool_err *err);
	int (*node_beat)(struct spool *sp, int64_t now_ms, int64_t *db_now_ms, struct spool_err *err);
	int (*node_leave)(struct spool *sp, struct spool_err *err);
	int (*node_reap)(struct spool *sp, int64_t timeout_ms, char ***lost, size_t *n, struct spool_err *err);
	int (*watch_start)(struct spool *sp, int *fd, struct spool_err *err);
	int (*watch_drain)(struct spool *sp, bool *changed, struct spool_err *err);
};

/* The head of every connection. */
/* Where a count prune's ranking goes on from (spool/prune.c): the entries
 * (or owners) before it were ranked by an earlier call of the same pass. */
struct spool_rank_cursor {
	bool set;
	int64_t uid;                      /* by owner */
	char key[SPOOL_KEY_MAX + 1];      /* by entry */
};

/* How many at claims whose outcome is unknown a connection remembers; an
 * older one forgotten is lost as before (tried again, found running). */
#define SPOOL_AT_UNKNOWN_MAX 64

struct spool {
	const struct spool_ops *ops;
	char *path;    /* as opened; for PostgreSQL without any password */
	int flags;     /* enum spool_open_flags */
	char node[SPOOL_NODE_MAX + 1];   /* spool_set_node; the host name at open */
	bool checked;  /* SPOOL_CHECK's check ran at open (spool_checked) */
	/* spool_at_claim: the at jobs whose claim's commit answer was lost and
	 * is not known yet, oldest first (spool/at_run.c) */
	int64_t at_unknown[SPOOL_AT_UNKNOWN_MAX];
	size_t at_unknown_n;
	/* spool_history_prune_(user_)count: where the pass goes on from, by
	 * entry [0] and by owner [1] */
	struct spool_rank_cursor rank_from[2];
	/* Tests only: called inside a write transaction just before COMMIT,
	 * to simulate a crash in the middle of one. NULL otherwise. */
	void (*test_before_commit)(struct spool *sp);
};

/* The backends' own openers, as spool_open (which picks one by PATH). */
int spool_sqlite_open(const char *path, int flags, struct spool **out,
		      struct spool_err *err);
int spool_pg_open(const char *uri, int flags, struct spool **out,
		  struct spool_err *err);

/* spool_mark_clean for an SQLite file (spool/sqlite/clean.c). */
int spool_sqlite_mark_clean(const char *path, struct spool_err *err);

#endif
