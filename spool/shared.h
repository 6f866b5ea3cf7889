/* spool/shared.h: spool.h's calls as every backend runs them, written once
 * over the backend primitives of spool/backend.h.
 *
 * Each spool_do_X does what spool.h states of spool_X, once
 * spool/dispatch.c has cleared its outputs and checked its arguments
 * (spool/validate.c): it opens the transactions, calls the connection's
 * primitives in order inside them (quotas, batches, imports, state
 * changes), and fills the outputs. The queries stay in each backend. Files:
 *   crontab.c    install, remove, get, changes, generation
 *   at_submit.c  submissions, one or a batch, with or without a quota
 *   at_jobs.c    reading, listing, removing at jobs
 *   at_run.c     claims, pids, finishing, recovery, the next run
 *   import.c     importing crontabs and at jobs exactly once
 *   history.c    run records written, queried and recovered
 *   prune.c      the history's bounds
 *   state.c      entry state and meta values
 */
#ifndef CROND_SPOOL_SHARED_H
#define CROND_SPOOL_SHARED_H

#include "spool/spool.h"

int spool_do_crontab_install(struct spool *sp, const char *owner, uid_t uid, const void *text, size_t len, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
int spool_do_crontab_get(struct spool *sp, const char *owner, struct spool_crontab *out, struct spool_err *err);
int spool_do_crontab_remove(struct spool *sp, const char *owner, uid_t by, int64_t now, int64_t *generation, struct spool_err *err);
int spool_do_crontab_changes(struct spool *sp, int64_t since, size_t max, struct spool_crontab **out, size_t *n, struct spool_err *err);
int spool_do_crontab_owners(struct spool *sp, char ***out, size_t *n, struct spool_err *err);
int spool_do_crontab_generation(struct spool *sp, int64_t *generation, struct spool_err *err);

int spool_do_at_submit(struct spool *sp, const struct spool_at_job *job, int64_t *id, struct spool_err *err);
int spool_do_at_usage_of(struct spool *sp, uid_t uid, struct spool_at_usage *out, struct spool_err *err);
int spool_do_at_submit_quota(struct spool *sp, const struct spool_at_job *job, uint64_t max_jobs, uint64_t max_bytes, int64_t *id, struct spool_at_usage *usage, struct spool_err *err);
int spool_do_at_submit_many(struct spool *sp, const struct spool_at_job *jobs, size_t n, const struct spool_at_quota *quota, int64_t *ids, int *codes, struct spool_err *errs, struct spool_at_usage *usages, struct spool_err *err);

int spool_do_at_list(struct spool *sp, const struct spool_at_filter *filter, struct spool_at_summary **out, size_t *n, struct spool_err *err);
int spool_do_at_get(struct spool *sp, int64_t id, struct spool_at_job *out, struct spool_err *err);
int spool_do_at_remove(struct spool *sp, int64_t id, uid_t requester, struct spool_err *err);
int spool_do_at_remove_many(struct spool *sp, const int64_t *ids, size_t n, uid_t requester, int *codes, struct spool_err *errs, struct spool_err *err);

int spool_do_at_claim(struct spool *sp, int64_t id, int64_t now, struct spool_err *err);
int spool_do_at_claim_due(struct spool *sp, int64_t now, const char *queues, size_t max, struct spool_at_job **out, size_t *n, struct spool_err *err);
int spool_do_at_set_running(struct spool *sp, int64_t id, pid_t pid, int64_t started_at, struct spool_err *err);
int spool_do_at_finish(struct spool *sp, int64_t id, const struct spool_run *result, struct spool_err *err);
int spool_do_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out, size_t *n, struct spool_err *err);
int spool_do_at_next_run(struct spool *sp, const char *queues, int64_t *run_at, struct spool_err *err);

int spool_do_at_import(struct spool *sp, const struct spool_at_job *job, int64_t want_id, const char *mark, int64_t *id, enum spool_import_result *result, struct spool_err *err);
int spool_do_crontab_import(struct spool *sp, const char *owner, uid_t uid, const void *text, size_t len, int64_t now, const char *mark, const char *digest, int64_t *generation, enum spool_import_result *result, struct spool_err *err);

int spool_do_history_append(struct spool *sp, const struct spool_run *runs, size_t n, struct spool_err *err);
int spool_do_history_begin(struct spool *sp, const struct spool_run *runs, size_t n, int64_t *ids, struct spool_err *err);
int spool_do_history_end(struct spool *sp, const struct spool_run *runs, size_t n, struct spool_err *err);
int spool_do_history_recover(struct spool *sp, int64_t now_ms, struct spool_run **out, size_t *n, struct spool_err *err);
int spool_do_history_query(struct spool *sp, const struct spool_history_filter *filter, struct spool_run **out, size_t *n, struct spool_err *err);
int spool_do_history_query_keys(struct spool *sp, const struct spool_history_filter *filter, const char *const *keys, size_t n_keys, struct spool_run **out, size_t *counts, size_t *n, struct spool_err *err);
int spool_do_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch, size_t *deleted, struct spool_err *err);
int spool_do_history_prune_count(struct spool *sp, size_t keep, size_t batch, size_t *deleted, struct spool_err *err);
int spool_do_history_prune_user_count(struct spool *sp, size_t keep, size_t batch, size_t *deleted, struct spool_err *err);

int spool_do_state_get(struct spool *sp, const char *key, int64_t *last_scheduled, int64_t *last_start, struct spool_err *err);
int spool_do_state_set(struct spool *sp, const struct spool_entry_state *v, size_t n, struct spool_err *err);
int spool_do_state_list(struct spool *sp, const char *prefix, struct spool_entry_state **out, size_t *n, struct spool_err *err);
int spool_do_state_delete(struct spool *sp, const char *const *keys, size_t n, struct spool_err *err);
int spool_do_meta_get(struct spool *sp, const char *name, char *buf, size_t size, struct spool_err *err);
int spool_do_meta_set(struct spool *sp, const char *name, const char *value, struct spool_err *err);

#endif
