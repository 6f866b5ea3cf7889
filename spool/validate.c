/* spool/validate.c: the argument checks of spool.h's functions, the same
 * for every backend; spool/dispatch.c runs them before the backend's
 * operation, which then trusts its arguments. */
#include <string.h>

#include "spool/common.h"
#include "spool/validate.h"

/* S is a string of 1 to MAX bytes ("PATH: WHAT must be 1 to MAX bytes"). */
static int check_name(struct spool *sp, const char *s, size_t max,
		      const char *what, struct spool_err *err)
{
	size_t len = s != NULL ? strnlen(s, max + 1) : 0;
	if (len == 0 || len > max)
		return spool_seterr(err, SPOOL_INVALID,
				    "%s: %s must be 1 to %zu bytes",
				    spool_path(sp), what, max);
	return SPOOL_OK;
}

/* Whether Q is an at queue letter (a-z, A-Z). */
static bool is_queue(char q)
{
	return (q >= 'a' && q <= 'z') || (q >= 'A' && q <= 'Z');
}

/* JOB as spool_at_submit checks it, except its environment. */
static int at_check(struct spool *sp, const struct spool_at_job *j,
		    struct spool_err *err)
{
	int code = check_name(sp, j->owner, SPOOL_NAME_MAX, "owner name", err);
	if (code == SPOOL_OK && j->mail_to != NULL)
		code = check_name(sp, j->mail_to, SPOOL_NAME_MAX, "mail recipient", err);
	if (code == SPOOL_OK)
		code = check_name(sp, j->cwd, SPOOL_PATH_MAX, "working directory", err);
	if (code != SPOOL_OK)
		return code;
	const char *why = NULL;
	if (!is_queue(j->queue))
		why = "queue must be a letter a-z or A-Z";
	else if (j->cwd[0] != '/')
		why = "working directory must be an absolute path";
	else if (j->script_len > SPOOL_SCRIPT_MAX || (j->script == NULL && j->script_len > 0))
		why = "script is too long";
	else if (j->umask > 0777)
		why = "umask must be 0 - 0777";
	else if ((unsigned)j->mail > SPOOL_MAIL_NEVER)
		why = "unknown mail option";

	if (why != NULL)
		return spool_seterr(err, SPOOL_INVALID, "%s: at job: %s", spool_path(sp), why);
	return SPOOL_OK;
}

int spool_valid_at_job(struct spool *sp, const struct spool_at_job *job,
		       struct spool_err *err)
{
	int code = at_check(sp, job, err);
	if (code != SPOOL_OK)
		return code;
	const char *const *env = job->env;
	size_t total = 0;
	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		const char *eq = strchr(env[i], '=');
		if (eq == NULL || eq == env[i])
			return spool_seterr(err, SPOOL_INVALID, "%s: at job: environment"
					    " string %zu is not NAME=VALUE", spool_path(sp), i);
		total += strlen(env[i]) + 1;
		if (total > SPOOL_ENV_MAX || i >= SPOOL_ENV_COUNT_MAX)
			return spool_seterr(err, SPOOL_INVALID, "%s: at job: environment"
					    " over %d bytes or %d strings", spool_path(sp),
					    SPOOL_ENV_MAX, SPOOL_ENV_COUNT_MAX);
	}
	return SPOOL_OK;
}

int spool_run_check(struct spool *sp, const struct spool_run *r,
		    struct spool_err *err)
{
	int code = check_name(sp, r->owner, SPOOL_NAME_MAX, "owner name", err);
	if (code == SPOOL_OK)
		code = check_name(sp, r->entry_key, SPOOL_KEY_MAX, "entry key", err);
	if (code != SPOOL_OK)
		return code;
	const char *why = NULL;
	if (r->kind != SPOOL_RUN_CRON && r->kind != SPOOL_RUN_AT)
		why = "unknown kind";
	else if (r->command == NULL || strnlen(r->command, SPOOL_COMMAND_MAX + 1) > SPOOL_COMMAND_MAX)
		why = "command missing or too long";
	else if (r->output_len > SPOOL_OUTPUT_MAX || (r->output == NULL && r->output_len > 0))
		why = "output head too long";
	else if (r->output_total < 0)
		why = "negative output size";
	else if (r->flags & SPOOL_RUN_RUNNING)
		why = "flagged running (a running record is begun, not appended)";
	if (why != NULL)
		return spool_seterr(err, SPOOL_INVALID, "%s: history record: %s",
				    spool_path(sp), why);
	return SPOOL_OK;
}

int spool_valid_runs(struct spool *sp, const struct spool_run *runs, size_t n,
		     bool begun, const char *what, struct spool_err *err)
{
	if (n == 0 || runs == NULL)
		return spool_seterr(err, SPOOL_INVALID, "%s: %s: no records",
				    spool_path(sp), what);
	for (size_t i = 0; i < n; i++) {
		struct spool_run b = runs[i];
		if (begun) {
			/* Checked as what is written, less the flag it is given. */
			b = spool_run_as_begun(&runs[i]);
			b.flags &= ~(unsigned)SPOOL_RUN_RUNNING;
		}
		int code = spool_run_check(sp, &b, err);
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

int spool_valid_owner(struct spool *sp, const char *owner, struct spool_err *err)
{
	return check_name(sp, owner, SPOOL_NAME_MAX, "owner name", err);
}

static int check_text(struct spool *sp, const char *owner, const void *text,
		      size_t len, struct spool_err *err)
{
	if (len > SPOOL_CRONTAB_MAX || (text == NULL && len > 0))
		return spool_seterr(err, SPOOL_INVALID,
				    "%s: crontab for %s is missing or over %d bytes",
				    spool_path(sp), owner, SPOOL_CRONTAB_MAX);
	return SPOOL_OK;
}

int spool_valid_crontab_install(struct spool *sp, const char *owner,
				const void *text, size_t len, struct spool_err *err)
{
	int code = spool_valid_owner(sp, owner, err);
	return code != SPOOL_OK ? code : check_text(sp, owner, text, len, err);
}

int spool_valid_max(struct spool *sp, size_t max, const char *what,
		    struct spool_err *err)
{
	if (max == 0 || max > INT64_MAX)
		return spool_seterr(err, SPOOL_INVALID, "%s: %s: max must be at least 1",
				    spool_path(sp), what);
	return SPOOL_OK;
}

int spool_valid_at_batch(struct spool *sp, size_t n, struct spool_err *err)
{
	if (n > SPOOL_AT_BATCH_MAX)
		return spool_seterr(err, SPOOL_INVALID, "%s: %zu at jobs in one batch (at most %d)",
				    spool_path(sp), n, SPOOL_AT_BATCH_MAX);
	return SPOOL_OK;
}

int spool_valid_at_filter(struct spool *sp, const struct spool_at_filter *filter,
			  struct spool_err *err)
{
	if (filter->queue != '\0' && !is_queue(filter->queue))
		return spool_seterr(err, SPOOL_INVALID, "%s: list at jobs: queue must"
				    " be a letter a-z or A-Z", spool_path(sp));
	return SPOOL_OK;
}

int spool_valid_queues(struct spool *sp, const char *queues, struct spool_err *err)
{
	if (queues == NULL)
		return SPOOL_OK;
	size_t len = strnlen(queues, 53);
	for (size_t i = 0; i < len; i++)
		if (!is_queue(queues[i]))
			len = 0;
	if (len == 0 || len > 52)
		return spool_seterr(err, SPOOL_INVALID, "%s: queues must be a string"
				    " of the letters a-z and A-Z", spool_path(sp));
	return SPOOL_OK;
}

int spool_valid_at_import(struct spool *sp, const struct spool_at_job *job,
			  const char *mark, struct spool_err *err)
{
	int code = check_name(sp, mark, SPOOL_NAME_MAX, "import mark", err);
	if (code == SPOOL_OK)
		code = at_check(sp, job, err);
	if (code == SPOOL_OK && (job->env != NULL && job->env[0] != NULL))
		code = spool_seterr(err, SPOOL_INVALID, "%s: an imported at job carries"
				    " its environment in its script", spool_path(sp));
	return code;
}

int spool_valid_crontab_import(struct spool *sp, const char *owner,
			       const void *text, size_t len, const char *mark,
			       const char *digest, struct spool_err *err)
{
	int code = spool_valid_owner(sp, owner, err);
	if (code == SPOOL_OK)
		code = check_name(sp, mark, SPOOL_NAME_MAX, "import mark", err);
	if (code == SPOOL_OK)
		code = check_name(sp, digest, 64, "import digest", err);
	if (code != SPOOL_OK)
		return code;
	if (strchr(digest, ' ') != NULL)
		return spool_seterr(err, SPOOL_INVALID, "%s: import digest has a blank",
				    spool_path(sp));
	return check_text(sp, owner, text, len, err);
}

int spool_valid_history_filter(struct spool *sp,
			       const struct spool_history_filter *filter,
			       struct spool_err *err)
{
	if (filter->limit == 0 || filter->limit > SPOOL_QUERY_MAX)
		return spool_seterr(err, SPOOL_INVALID, "%s: query history: limit"
				    " must be 1 to %d", spool_path(sp), SPOOL_QUERY_MAX);
	if (filter->entry_key != NULL)
		return spool_valid_key(sp, filter->entry_key, err);
	return SPOOL_OK;
}

int spool_valid_history_keys(struct spool *sp,
			     const struct spool_history_filter *filter,
			     const char *const *keys, size_t n_keys,
			     struct spool_err *err)
{
	if (filter->entry_key != NULL)
		return spool_seterr(err, SPOOL_INVALID, "%s: query history: the keys"
				    " are given apart from the filter", spool_path(sp));
	int code = spool_valid_history_filter(sp, filter, err);
	if (code == SPOOL_OK && n_keys > SPOOL_QUERY_MAX / filter->limit)
		code = spool_seterr(err, SPOOL_INVALID, "%s: query history: %zu keys of"
				    " %zu records each are more than %d records",
				    spool_path(sp), n_keys, filter->limit, SPOOL_QUERY_MAX);
	for (size_t i = 0; code == SPOOL_OK && i < n_keys; i++)
		code = spool_valid_key(sp, keys[i], err);
	return code;
}

int spool_valid_prune_batch(struct spool *sp, size_t batch, struct spool_err *err)
{
	if (batch == 0 || batch > SPOOL_QUERY_MAX)
		return spool_seterr(err, SPOOL_INVALID, "%s: prune history: batch"
				    " must be 1 to %d", spool_path(sp), SPOOL_QUERY_MAX);
	return SPOOL_OK;
}

int spool_valid_key(struct spool *sp, const char *key, struct spool_err *err)
{
	return check_name(sp, key, SPOOL_KEY_MAX, "entry key", err);
}

int spool_valid_states(struct spool *sp, const struct spool_entry_state *v,
		       size_t n, struct spool_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int code = spool_valid_key(sp, v[i].key, err);
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

int spool_valid_keys(struct spool *sp, const char *const *keys, size_t n,
		     struct spool_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int code = spool_valid_key(sp, keys[i], err);
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

int spool_valid_meta_name(struct spool *sp, const char *name, struct spool_err *err)
{
	return check_name(sp, name, SPOOL_NAME_MAX, "value name", err);
}

int spool_valid_meta_value(struct spool *sp, const char *name, const char *value,
			   struct spool_err *err)
{
	int code = spool_valid_meta_name(sp, name, err);
	if (code != SPOOL_OK)
		return code;
	if (value == NULL || strnlen(value, SPOOL_META_MAX + 1) > SPOOL_META_MAX)
		return spool_seterr(err, SPOOL_INVALID, "%s: value %s must be a string"
				    " of at most %d bytes", spool_path(sp), name, SPOOL_META_MAX);
	return SPOOL_OK;
}

int spool_valid_reap_timeout(struct spool *sp, int64_t timeout_ms,
			     struct spool_err *err)
{
	if (timeout_ms <= 0)
		return spool_seterr(err, SPOOL_INVALID, "%s: reap lost nodes: the timeout"
				    " must be positive, not %lld ms", spool_path(sp),
				    (long long)timeout_ms);
	return SPOOL_OK;
}
