/* spool/validate.h: the argument checks of spool.h's functions, made once
 * for every backend (spool/validate.c).
 *
 * spool/dispatch.c calls the check of a function before it hands the call
 * to the connection's backend, so a backend trusts its arguments. Each
 * check returns 0, or SPOOL_INVALID with ERR filled: "PATH: what is wrong"
 * (one line), the same words whichever backend SP is. None touches the
 * spool.
 */
#ifndef CROND_SPOOL_VALIDATE_H
#define CROND_SPOOL_VALIDATE_H

#include "spool/spool.h"

/* JOB as spool_at_submit checks it, its environment too (each string
 * NAME=VALUE, within SPOOL_ENV_MAX bytes and SPOOL_ENV_COUNT_MAX strings). */
int spool_valid_at_job(struct spool *sp, const struct spool_at_job *job,
		       struct spool_err *err);

/* Record R as spool_history_append checks it. */
int spool_run_check(struct spool *sp, const struct spool_run *r,
		    struct spool_err *err);

/* The N records of RUNS (N >= 1) as spool_history_append checks them
 * (BEGUN: as spool_history_begin does, the fields it ignores left out);
 * WHAT names the call in the message. */
int spool_valid_runs(struct spool *sp, const struct spool_run *runs, size_t n,
		     bool begun, const char *what, struct spool_err *err);

/* The arguments of the function of the same name in spool.h. */
int spool_valid_crontab_install(struct spool *sp, const char *owner,
				const void *text, size_t len, struct spool_err *err);
int spool_valid_owner(struct spool *sp, const char *owner, struct spool_err *err);
int spool_valid_max(struct spool *sp, size_t max, const char *what,
		    struct spool_err *err);
int spool_valid_at_batch(struct spool *sp, size_t n, struct spool_err *err);
int spool_valid_at_filter(struct spool *sp, const struct spool_at_filter *filter,
			  struct spool_err *err);
int spool_valid_queues(struct spool *sp, const char *queues, struct spool_err *err);
int spool_valid_at_import(struct spool *sp, const struct spool_at_job *job,
			  const char *mark, struct spool_err *err);
int spool_valid_crontab_import(struct spool *sp, const char *owner,
			       const void *text, size_t len, const char *mark,
			       const char *digest, struct spool_err *err);
int spool_valid_history_filter(struct spool *sp,
			       const struct spool_history_filter *filter,
			       struct spool_err *err);
/* As spool_history_query_keys: FILTER without its own key, every key
 * valid, and no more than SPOOL_QUERY_MAX records in all. */
int spool_valid_history_keys(struct spool *sp,
			     const struct spool_history_filter *filter,
			     const char *const *keys, size_t n_keys,
			     struct spool_err *err);
int spool_valid_prune_batch(struct spool *sp, size_t batch, struct spool_err *err);
int spool_valid_key(struct spool *sp, const char *key, struct spool_err *err);
int spool_valid_states(struct spool *sp, const struct spool_entry_state *v,
		       size_t n, struct spool_err *err);
int spool_valid_keys(struct spool *sp, const char *const *keys, size_t n,
		     struct spool_err *err);
int spool_valid_meta_name(struct spool *sp, const char *name, struct spool_err *err);
int spool_valid_meta_value(struct spool *sp, const char *name, const char *value,
			   struct spool_err *err);
int spool_valid_reap_timeout(struct spool *sp, int64_t timeout_ms,
			     struct spool_err *err);

#endif
