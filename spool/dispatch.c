/* spool/dispatch.c: spool.h's functions, and spool_open, which picks the
 * backend.
 *
 * Each function first clears its outputs (spool.h: zeroed on failure) and
 * checks its arguments (spool/validate.c), once for every backend; then it
 * runs the shared orchestration over the connection's backend primitives
 * (spool/shared.h), or hands a call the backend does whole to its
 * operations table (spool/backend.h), which trusts the arguments. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spool/backend.h"
#include "spool/common.h"
#include "spool/shared.h"
#include "spool/validate.h"

static void default_node(char *buf, size_t size);

bool spool_checked(const struct spool *sp)
{
	return sp != NULL && sp->checked;
}

int spool_mark_clean(const char *path, struct spool_err *err)
{
	if (path == NULL || path[0] == '\0')
		return spool_seterr(err, SPOOL_INVALID, "spool_mark_clean: no path");
	return spool_is_postgresql(path) ? SPOOL_OK : spool_sqlite_mark_clean(path, err);
}

bool spool_is_postgresql(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 ||
	       strncmp(path, "postgres://", 11) == 0;
}

int spool_open(const char *path, int flags, struct spool **out,
	       struct spool_err *err)
{
	*out = NULL;
	if (path == NULL)
		return spool_seterr(err, SPOOL_INVALID, "spool_open: no path");
	int known = SPOOL_CREATE | SPOOL_CHECK | SPOOL_READONLY;
	if ((flags & ~known) || ((flags & SPOOL_READONLY) && (flags & SPOOL_CREATE)))
		return spool_seterr(err, SPOOL_INVALID, "spool_open: bad flags %#x", flags);
	int code = spool_is_postgresql(path) ? spool_pg_open(path, flags, out, err)
					     : spool_sqlite_open(path, flags, out, err);
	if (code == SPOOL_OK)
		default_node((*out)->node, sizeof (*out)->node);
	return code;
}

static bool node_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

/* The host name, as a node name: cut to the bound, any other byte '_'. */
static void default_node(char *buf, size_t size)
{
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
		snprintf(host, sizeof host, "localhost");
	size_t i = 0;
	for (; host[i] != '\0' && i + 1 < size && i < SPOOL_NODE_MAX; i++)
		buf[i] = node_char(host[i]) ? host[i] : '_';
	buf[i] = '\0';
}

int spool_set_node(struct spool *sp, const char *node, struct spool_err *err)
{
	size_t len = node != NULL ? strnlen(node, SPOOL_NODE_MAX + 1) : 0;
	bool ok = len >= 1 && len <= SPOOL_NODE_MAX;
	for (size_t i = 0; ok && i < len; i++)
		ok = node_char(node[i]);
	if (!ok)
		return spool_seterr(err, SPOOL_INVALID, "%s: node name must be 1 to %d"
				    " letters, digits, '.', '-' or '_'", sp->path, SPOOL_NODE_MAX);
	memcpy(sp->node, node, len + 1);
	return SPOOL_OK;
}

const char *spool_node(const struct spool *sp)
{
	return sp->node;
}

bool spool_is_shared(const struct spool *sp)
{
	return sp->ops->shared;
}

const char *spool_path(const struct spool *sp)
{
	return sp->path;
}

const char *spool_backend_name(const struct spool *sp)
{
	return sp->ops->name;
}

int spool_schema_version(const struct spool *sp)
{
	return sp->ops->schema_version;
}

void spool_close(struct spool *sp)
{
	if (sp != NULL)
		sp->ops->close(sp);
}

int spool_crontab_install(struct spool *sp, const char *owner, uid_t uid, const void *text, size_t len, uid_t by, int64_t now, int64_t *generation, struct spool_err *err)
{
	if (generation != NULL)
		*generation = 0;
	int code = spool_valid_crontab_install(sp, owner, text, len, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_crontab_install(sp, owner, uid, text, len, by, now, generation, err);
}

int spool_crontab_get(struct spool *sp, const char *owner, struct spool_crontab *out, struct spool_err *err)
{
	memset(out, 0, sizeof *out);
	int code = spool_valid_owner(sp, owner, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_crontab_get(sp, owner, out, err);
}

int spool_crontab_remove(struct spool *sp, const char *owner, uid_t by, int64_t now, int64_t *generation, struct spool_err *err)
{
	if (generation != NULL)
		*generation = 0;
	int code = spool_valid_owner(sp, owner, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_crontab_remove(sp, owner, by, now, generation, err);
}

int spool_crontab_changes(struct spool *sp, int64_t since, size_t max, struct spool_crontab **out, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	int code = spool_valid_max(sp, max, "list crontab changes", err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_crontab_changes(sp, since, max, out, n, err);
}

int spool_crontab_owners(struct spool *sp, char ***out, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	return spool_do_crontab_owners(sp, out, n, err);
}

int spool_crontab_generation(struct spool *sp, int64_t *generation, struct spool_err *err)
{
	*generation = 0;
	return spool_do_crontab_generation(sp, generation, err);
}

int spool_at_submit(struct spool *sp, const struct spool_at_job *job, int64_t *id, struct spool_err *err)
{
	if (id != NULL)
		*id = 0;
	int code = spool_valid_at_job(sp, job, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_at_submit(sp, job, id, err);
}

int spool_at_usage_of(struct spool *sp, uid_t uid, struct spool_at_usage *out, struct spool_err *err)
{
	*out = (struct spool_at_usage){ 0 };
	return spool_do_at_usage_of(sp, uid, out, err);
}

int spool_at_submit_quota(struct spool *sp, const struct spool_at_job *job, uint64_t max_jobs, uint64_t max_bytes, int64_t *id, struct spool_at_usage *usage, struct spool_err *err)
{
	if (id != NULL)
		*id = 0;
	if (usage != NULL)
		*usage = (struct spool_at_usage){ 0 };
	int code = spool_valid_at_job(sp, job, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_at_submit_quota(sp, job, max_jobs, max_bytes, id, usage, err);
}

int spool_at_submit_many(struct spool *sp, const struct spool_at_job *jobs, size_t n, const struct spool_at_quota *quota, int64_t *ids, int *codes, struct spool_err *errs, struct spool_at_usage *usages, struct spool_err *err)
{
	int code = spool_valid_at_batch(sp, n, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_at_submit_many(sp, jobs, n, quota, ids, codes, errs, usages, err);
}

int spool_at_list(struct spool *sp, const struct spool_at_filter *filter, struct spool_at_summary **out, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	int code = spool_valid_at_filter(sp, filter, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_at_list(sp, filter, out, n, err);
}

int spool_at_get(struct spool *sp, int64_t id, struct spool_at_job *out, struct spool_err *err)
{
	memset(out, 0, sizeof *out);
	return spool_do_at_get(sp, id, out, err);
}

int spool_at_remove(struct spool *sp, int64_t id, uid_t requester, struct spool_err *err)
{
	return spool_do_at_remove(sp, id, requester, err);
}

int spool_at_remove_many(struct spool *sp, const int64_t *ids, size_t n, uid_t requester, int *codes, struct spool_err *errs, struct spool_err *err)
{
	if (n > SPOOL_AT_REMOVE_MAX)
		return spool_seterr(err, SPOOL_INVALID, "%s: %zu at jobs to remove at once, at most %d",
				    sp->path, n, SPOOL_AT_REMOVE_MAX);
	return spool_do_at_remove_many(sp, ids, n, requester, codes, errs, err);
}

int spool_at_claim(struct spool *sp, int64_t id, int64_t now, struct spool_err *err)
{
	return spool_do_at_claim(sp, id, now, err);
}

int spool_at_claim_due(struct spool *sp, int64_t now, const char *queues, size_t max, struct spool_at_job **out, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	int code = spool_valid_queues(sp, queues, err);
	if (code == SPOOL_OK)
		code = spool_valid_max(sp, max, "claim due at jobs", err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_at_claim_due(sp, now, queues, max, out, n, err);
}

int spool_at_set_running(struct spool *sp, int64_t id, pid_t pid, int64_t started_at, struct spool_err *err)
{
	return spool_do_at_set_running(sp, id, pid, started_at, err);
}

int spool_at_finish(struct spool *sp, int64_t id, const struct spool_run *result, struct spool_err *err)
{
	if (result != NULL) {
		int code = spool_run_check(sp, result, err);
		if (code != SPOOL_OK)
			return code;
	}
	return spool_do_at_finish(sp, id, result, err);
}

int spool_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	return spool_do_at_recover(sp, now, out, n, err);
}

int spool_at_next_run(struct spool *sp, const char *queues, int64_t *run_at, struct spool_err *err)
{
	*run_at = 0;
	int code = spool_valid_queues(sp, queues, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_at_next_run(sp, queues, run_at, err);
}

int spool_at_import(struct spool *sp, const struct spool_at_job *job, int64_t want_id, const char *mark, int64_t *id, enum spool_import_result *result, struct spool_err *err)
{
	*id = 0;
	*result = SPOOL_IMPORTED;
	int code = spool_valid_at_import(sp, job, mark, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_at_import(sp, job, want_id, mark, id, result, err);
}

int spool_crontab_import(struct spool *sp, const char *owner, uid_t uid, const void *text, size_t len, int64_t now, const char *mark, const char *digest, int64_t *generation, enum spool_import_result *result, struct spool_err *err)
{
	if (generation != NULL)
		*generation = 0;
	*result = SPOOL_IMPORTED;
	int code = spool_valid_crontab_import(sp, owner, text, len, mark, digest, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_crontab_import(sp, owner, uid, text, len, now, mark, digest, generation, result, err);
}

int spool_reserve_make(struct spool *sp, struct spool_err *err)
{
	return sp->ops->reserve_make(sp, err);
}

int spool_reserve_release(struct spool *sp, bool for_root, uint64_t *freed,
			  struct spool_err *err)
{
	return sp->ops->reserve_release(sp, for_root, freed, err);
}

int spool_compact(struct spool *sp, unsigned max_pages, struct spool_space *space,
		  struct spool_err *err)
{
	return sp->ops->compact(sp, max_pages, space, err);
}

int spool_compact_enable(struct spool *sp, uint64_t max_bytes, bool *rewritten,
			 struct spool_err *err)
{
	return sp->ops->compact_enable(sp, max_bytes, rewritten, err);
}

bool spool_reserve_present(struct spool *sp)
{
	return sp->ops->reserve_present(sp);
}

int spool_history_append(struct spool *sp, const struct spool_run *runs, size_t n, struct spool_err *err)
{
	int code = spool_valid_runs(sp, runs, n, false, "append history", err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_history_append(sp, runs, n, err);
}

int spool_history_begin(struct spool *sp, const struct spool_run *runs, size_t n, int64_t *ids, struct spool_err *err)
{
	if (n > 0 && ids != NULL)
		memset(ids, 0, n * sizeof *ids);
	int code = spool_valid_runs(sp, runs, n, true, "begin history records", err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_history_begin(sp, runs, n, ids, err);
}

int spool_history_end(struct spool *sp, const struct spool_run *runs, size_t n, struct spool_err *err)
{
	int code = spool_valid_runs(sp, runs, n, false, "end history records", err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_history_end(sp, runs, n, err);
}

int spool_history_recover(struct spool *sp, int64_t now_ms, struct spool_run **out, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	return spool_do_history_recover(sp, now_ms, out, n, err);
}

int spool_history_query(struct spool *sp, const struct spool_history_filter *filter, struct spool_run **out, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	int code = spool_valid_history_filter(sp, filter, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_history_query(sp, filter, out, n, err);
}

int spool_history_query_keys(struct spool *sp, const struct spool_history_filter *filter, const char *const *keys, size_t n_keys, struct spool_run **out, size_t *counts, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	int code = spool_valid_history_keys(sp, filter, keys, n_keys, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_history_query_keys(sp, filter, keys, n_keys, out, counts, n, err);
}

int spool_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch, size_t *deleted, struct spool_err *err)
{
	if (deleted != NULL)
		*deleted = 0;
	int code = spool_valid_prune_batch(sp, batch, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_history_prune_age(sp, before_ms, batch, deleted, err);
}

int spool_history_prune_count(struct spool *sp, size_t keep, size_t batch, size_t *deleted, struct spool_err *err)
{
	if (deleted != NULL)
		*deleted = 0;
	int code = spool_valid_prune_batch(sp, batch, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_history_prune_count(sp, keep, batch, deleted, err);
}

int spool_history_prune_user_count(struct spool *sp, size_t keep, size_t batch, size_t *deleted, struct spool_err *err)
{
	if (deleted != NULL)
		*deleted = 0;
	int code = spool_valid_prune_batch(sp, batch, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_history_prune_user_count(sp, keep, batch, deleted, err);
}

int spool_state_get(struct spool *sp, const char *key, int64_t *last_scheduled, int64_t *last_start, struct spool_err *err)
{
	if (last_scheduled != NULL)
		*last_scheduled = 0;
	if (last_start != NULL)
		*last_start = 0;
	int code = spool_valid_key(sp, key, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_state_get(sp, key, last_scheduled, last_start, err);
}

int spool_state_set(struct spool *sp, const struct spool_entry_state *v, size_t n, struct spool_err *err)
{
	int code = spool_valid_states(sp, v, n, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_state_set(sp, v, n, err);
}

int spool_state_list(struct spool *sp, const char *prefix, struct spool_entry_state **out,
		     size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	if (prefix != NULL && strlen(prefix) > SPOOL_KEY_MAX)
		return spool_seterr(err, SPOOL_INVALID, "%s: list entry states: prefix longer"
				    " than %d bytes", spool_path(sp), SPOOL_KEY_MAX);
	return spool_do_state_list(sp, prefix ? prefix : "", out, n, err);
}

int spool_state_delete(struct spool *sp, const char *const *keys, size_t n, struct spool_err *err)
{
	int code = spool_valid_keys(sp, keys, n, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_state_delete(sp, keys, n, err);
}

int spool_meta_get(struct spool *sp, const char *name, char *buf, size_t size, struct spool_err *err)
{
	int code = spool_valid_meta_name(sp, name, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_meta_get(sp, name, buf, size, err);
}

int spool_meta_set(struct spool *sp, const char *name, const char *value, struct spool_err *err)
{
	int code = spool_valid_meta_value(sp, name, value, err);
	if (code != SPOOL_OK)
		return code;
	return spool_do_meta_set(sp, name, value, err);
}

int spool_run_claim(struct spool *sp, const struct spool_run *runs, size_t n,
		    int64_t *ids, bool *won, struct spool_err *err)
{
	if (n > 0 && ids != NULL)
		memset(ids, 0, n * sizeof *ids);
	if (n > 0 && won != NULL)
		memset(won, 0, n * sizeof *won);
	int code = spool_valid_runs(sp, runs, n, true, "claim runs", err);
	if (code != SPOOL_OK)
		return code;
	return sp->ops->run_claim(sp, runs, n, ids, won, err);
}

int spool_node_beat(struct spool *sp, int64_t now_ms, int64_t *db_now_ms,
		    struct spool_err *err)
{
	return sp->ops->node_beat(sp, now_ms, db_now_ms, err);
}

int spool_node_reap(struct spool *sp, int64_t timeout_ms, char ***lost,
		    size_t *n, struct spool_err *err)
{
	if (lost != NULL)
		*lost = NULL;
	*n = 0;
	int code = spool_valid_reap_timeout(sp, timeout_ms, err);
	if (code != SPOOL_OK)
		return code;
	return sp->ops->node_reap(sp, timeout_ms, lost, n, err);
}

int spool_node_leave(struct spool *sp, struct spool_err *err)
{
	return sp->ops->node_leave(sp, err);
}

int spool_watch_start(struct spool *sp, int *fd, struct spool_err *err)
{
	return sp->ops->watch_start(sp, fd, err);
}

int spool_watch_drain(struct spool *sp, bool *changed, struct spool_err *err)
{
	return sp->ops->watch_drain(sp, changed, err);
}
