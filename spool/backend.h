/* spool/backend.h: what a spool backend implements, and the head every
 * connection starts with.
 *
 * spool/spool.h is the one contract; spool/dispatch.c implements each of its
 * functions that takes a connection by calling the connection's backend
 * through its operations table. A backend (spool/sqlite/, spool/pg/) keeps
 * its connection in a struct whose first member is a struct spool, fills
 * ops, path and flags when it opens one, and implements every operation
 * with exactly the contract spool.h states for the function of that name.
 * Records it returns are freed by the common *_free functions
 * (spool/common.c): it allocates them the same way (see common.h).
 */
#ifndef CROND_SPOOL_BACKEND_H
#define CROND_SPOOL_BACKEND_H

#include "spool/spool.h"

struct spool_ops {
	const char *name;   /* "sqlite", "postgresql" */
	bool shared;        /* used by several nodes at once (spool_is_shared) */
	int schema_version; /* the schema version it writes (spool_schema_version) */
	void (*close)(struct spool *sp);
	int (*crontab_install)(struct spool *sp, const char *owner, uid_t uid, const void *text, size_t len, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
	int (*crontab_get)(struct spool *sp, const char *owner, struct spool_crontab *out, struct spool_err *err);
	int (*crontab_remove)(struct spool *sp, const char *owner, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
	int (*crontab_changes)(struct spool *sp, int64_t since, size_t max, struct spool_crontab **out, size_t *n, struct spool_err *err);
	int (*crontab_generation)(struct spool *sp, int64_t *generation, struct spool_err *err);
	int (*at_submit)(struct spool *sp, const struct spool_at_job *job, int64_t *id, struct spool_err *err);
	int (*at_usage_of)(struct spool *sp, uid_t uid, struct spool_at_usage *out, struct spool_err *err);
	int (*at_submit_quota)(struct spool *sp, const struct spool_at_job *job, uint64_t max_jobs, uint64_t max_bytes, int64_t *id, struct spool_at_usage *usage, struct spool_err *err);
	int (*at_submit_many)(struct spool *sp, const struct spool_at_job *jobs, size_t n, const struct spool_at_quota *quota, int64_t *ids, int *codes, struct spool_err *errs, struct spool_at_usage *usages, struct spool_err *err);
	int (*at_list)(struct spool *sp, const struct spool_at_filter *filter, struct spool_at_summary **out, size_t *n, struct spool_err *err);
	int (*at_get)(struct spool *sp, int64_t id, struct spool_at_job *out, struct spool_err *err);
	int (*at_remove)(struct spool *sp, int64_t id, uid_t requester, struct spool_err *err);
	int (*at_claim)(struct spool *sp, int64_t id, int64_t now, struct spool_err *err);
	int (*at_claim_due)(struct spool *sp, int64_t now, const char *queues, size_t max, struct spool_at_job **out, size_t *n, struct spool_err *err);
	int (*at_set_running)(struct spool *sp, int64_t id, pid_t pid, int64_t started_at, struct spool_err *err);
	int (*at_finish)(struct spool *sp, int64_t id, const struct spool_run *result, struct spool_err *err);
	int (*at_recover)(struct spool *sp, int64_t now, struct spool_at_job **out, size_t *n, struct spool_err *err);
	int (*at_next_run)(struct spool *sp, const char *queues, int64_t *run_at, struct spool_err *err);
	int (*at_import)(struct spool *sp, const struct spool_at_job *job, int64_t want_id, const char *mark, int64_t *id, enum spool_import_result *result, struct spool_err *err);
	int (*crontab_import)(struct spool *sp, const char *owner, uid_t uid, const void *text, size_t len, int64_t now, const char *mark, const char *digest, int64_t *generation, enum spool_import_result *result, struct spool_err *err);
	int (*reserve_make)(struct spool *sp, struct spool_err *err);
	int (*reserve_release)(struct spool *sp, uint64_t *freed, struct spool_err *err);
	bool (*reserve_present)(struct spool *sp);
	int (*history_append)(struct spool *sp, const struct spool_run *runs, size_t n, struct spool_err *err);
	int (*history_begin)(struct spool *sp, const struct spool_run *runs, size_t n, int64_t *ids, struct spool_err *err);
	int (*history_end)(struct spool *sp, const struct spool_run *runs, size_t n, struct spool_err *err);
	int (*history_recover)(struct spool *sp, int64_t now_ms, struct spool_run **out, size_t *n, struct spool_err *err);
	int (*history_query)(struct spool *sp, const struct spool_history_filter *filter, struct spool_run **out, size_t *n, struct spool_err *err);
	int (*history_prune_age)(struct spool *sp, int64_t before_ms, size_t batch, size_t *deleted, struct spool_err *err);
	int (*history_prune_count)(struct spool *sp, size_t keep, size_t batch, size_t *deleted, struct spool_err *err);
	int (*history_prune_user_count)(struct spool *sp, size_t keep, size_t batch, size_t *deleted, struct spool_err *err);
	int (*state_get)(struct spool *sp, const char *key, int64_t *last_scheduled, int64_t *last_start, struct spool_err *err);
	int (*state_set)(struct spool *sp, const struct spool_entry_state *v, size_t n, struct spool_err *err);
	int (*state_list)(struct spool *sp, struct spool_entry_state **out, size_t *n, struct spool_err *err);
	int (*state_delete)(struct spool *sp, const char *const *keys, size_t n, struct spool_err *err);
	int (*meta_get)(struct spool *sp, const char *name, char *buf, size_t size, struct spool_err *err);
	int (*meta_set)(struct spool *sp, const char *name, const char *value, struct spool_err *err);
	int (*run_claim)(struct spool *sp, const struct spool_run *runs, size_t n, int64_t *ids, bool *won, struct spool_err *err);
	int (*node_beat)(struct spool *sp, int64_t now_ms, int64_t *db_now_ms, struct spool_err *err);
	int (*node_leave)(struct spool *sp, struct spool_err *err);
	int (*node_reap)(struct spool *sp, int64_t timeout_ms, char ***lost, size_t *n, struct spool_err *err);
	int (*watch_start)(struct spool *sp, int *fd, struct spool_err *err);
	int (*watch_drain)(struct spool *sp, bool *changed, struct spool_err *err);
};

/* The head of every connection. */
struct spool {
	const struct spool_ops *ops;
	char *path;    /* as opened; for PostgreSQL without any password */
	int flags;     /* enum spool_open_flags */
	char node[SPOOL_NODE_MAX + 1];   /* spool_set_node; the host name at open */
	/* Tests only: called inside a write transaction just before COMMIT,
	 * to simulate a crash in the middle of one. NULL otherwise. */
	void (*test_before_commit)(struct spool *sp);
};

/* The backends' own openers, as spool_open (which picks one by PATH). */
int spool_sqlite_open(const char *path, int flags, struct spool **out,
		      struct spool_err *err);
int spool_pg_open(const char *uri, int flags, struct spool **out,
		  struct spool_err *err);

#endif
