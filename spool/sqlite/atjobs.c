/* spool/atjobs.c: queueing, listing, reading and removing at/batch jobs.
 * Moving jobs through their states (claim, finish, recovery) is in
 * atrun.c.
 *
 * A job's environment is stored as one blob: its NAME=VALUE strings, each
 * followed by a NUL byte, as in /proc/PID/environ. The at -u recipient
 * has a column of its own (mail_to, schema 5), NULL for the owner.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"
#include "spool/validate.h"

static const char *const state_names[] = {
	[SPOOL_AT_WAITING] = "waiting",
	[SPOOL_AT_RUNNING] = "running",
	[SPOOL_AT_INTERRUPTED] = "interrupted",
};

static const char *const mail_names[] = {
	[SPOOL_MAIL_DEFAULT] = "default",
	[SPOOL_MAIL_ALWAYS] = "always",
	[SPOOL_MAIL_NEVER] = "never",
};

static int name_index(const char *const *names, int count, const unsigned char *s)
{
	for (int i = 0; s != NULL && i < count; i++)
		if (strcmp(names[i], (const char *)s) == 0)
			return i;
	return -1;
}

static int state_of_column(sqlite3_stmt *st, int col)
{
	return name_index(state_names, 3, sqlite3_column_text(st, col));
}

/* The environment as one blob (*BLOB, malloc'ed, *LEN bytes); checked
 * by the caller. */
static int pack_env(struct spool *sp, const char *const *env, char **blob, size_t *len,
		    struct spool_err *err)
{
	size_t total = 0, count = 0;
	for (; env != NULL && env[count] != NULL; count++)
		total += strlen(env[count]) + 1;
	if ((*blob = malloc(total + 1)) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	char *p = *blob;
	for (size_t i = 0; i < count; i++)
		p = spool_put_bytes(p, env[i], strlen(env[i]));
	*len = total;
	return SPOOL_OK;
}

/* UID's usage, inside the caller's transaction. */
static int read_usage(struct spool *sp, uid_t uid, struct spool_at_usage *out,
		      struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	*out = (struct spool_at_usage){ 0 };
	int code = spool_stmt(sp, ST_AT_USAGE, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, uid);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "count at jobs");
	int row = spool_step_row(sp, st, "count at jobs", err);
	if (row <= 0)
		return row < 0 ? -row : spool_seterr(err, SPOOL_IO,
			"%s: count at jobs: no result", sp->path);
	sqlite3_int64 jobs = sqlite3_column_int64(st, 0), bytes = sqlite3_column_int64(st, 1);
	out->jobs = jobs > 0 ? (uint64_t)jobs : 0;
	out->bytes = bytes > 0 ? (uint64_t)bytes : 0;
	(void)sqlite3_reset(st);   /* after a row, reset reports no error */
	return SPOOL_OK;
}

struct usage_ctx {
	uid_t uid;
	struct spool_at_usage out;
};

static int usage_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct usage_ctx *c = ctx;
	return read_usage(sp, c->uid, &c->out, err);
}

int sqlite_at_usage_of(struct spool *sp, uid_t uid, struct spool_at_usage *out,
		      struct spool_err *err)
{
	struct usage_ctx c = { .uid = uid };
	int code = spool_txn(sp, TXN_READ, usage_txn, &c, err);
	*out = code == SPOOL_OK ? c.out : (struct spool_at_usage){ 0 };
	return code;
}

struct submit_ctx {
	const struct spool_at_job *job;
	const char *env;
	size_t env_len;
	bool quota;                 /* check the owner's usage first */
	uint64_t max_jobs, max_bytes;
	struct spool_at_usage usage;
	int64_t id;
};

static int check_quota(struct spool *sp, struct submit_ctx *c, struct spool_err *err)
{
	const struct spool_at_job *j = c->job;
	int code = read_usage(sp, j->uid, &c->usage, err);
	if (code != SPOOL_OK || !c->quota)
		return code;
	uint64_t bytes = j->script_len + c->env_len + strlen(j->cwd);
	if (c->usage.jobs + 1 > c->max_jobs)
		return spool_seterr(err, SPOOL_QUOTA, "%s: uid %u has %llu at jobs queued,"
				    " limit %llu", sp->path, (unsigned)j->uid,
				    (unsigned long long)c->usage.jobs,
				    (unsigned long long)c->max_jobs);
	if (c->usage.bytes + bytes > c->max_bytes)
		return spool_seterr(err, SPOOL_QUOTA, "%s: uid %u has %llu bytes of at jobs"
				    " queued, this job %llu more, limit %llu", sp->path,
				    (unsigned)j->uid, (unsigned long long)c->usage.bytes,
				    (unsigned long long)bytes, (unsigned long long)c->max_bytes);
	return SPOOL_OK;
}

int spool_at_insert(struct spool *sp, const struct spool_at_job *j,
		    const void *env, size_t env_len, int64_t want_id,
		    int64_t *id, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	char queue[2] = { j->queue, '\0' };
	int code = spool_stmt(sp, want_id > 0 ? ST_AT_INSERT_ID : ST_AT_INSERT, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = spool_bind_text(st, 1, queue);
	if (rc == SQLITE_OK) rc = spool_bind_text(st, 2, j->owner);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, j->uid);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, j->gid);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, j->run_at);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 6, j->created_at);
	if (rc == SQLITE_OK) rc = j->script_len == 0 ? sqlite3_bind_zeroblob(st, 7, 0)
		: sqlite3_bind_blob64(st, 7, j->script, j->script_len, SQLITE_STATIC);
	if (rc == SQLITE_OK) rc = env_len == 0 ? sqlite3_bind_zeroblob(st, 8, 0)
		: sqlite3_bind_blob64(st, 8, env, env_len, SQLITE_STATIC);
	if (rc == SQLITE_OK) rc = spool_bind_text(st, 9, j->cwd);
	if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 10, j->umask);
	if (rc == SQLITE_OK) rc = spool_bind_text(st, 11, mail_names[j->mail]);
	if (rc == SQLITE_OK) rc = j->mail_to == NULL ? sqlite3_bind_null(st, 12)
		: spool_bind_text(st, 12, j->mail_to);
	if (rc == SQLITE_OK && want_id > 0) rc = sqlite3_bind_int64(st, 13, want_id);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "submit at job");
	code = spool_step_done(sp, st, "submit at job", err);
	*id = sqlite3_last_insert_rowid(sq(sp)->db);
	return code;
}

static int submit_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct submit_ctx *c = ctx;
	int code = c->quota ? check_quota(sp, c, err) : SPOOL_OK;
	if (code != SPOOL_OK)
		return code;
	return spool_at_insert(sp, c->job, c->env, c->env_len, 0, &c->id, err);
}

static int submit(struct spool *sp, struct submit_ctx *c, int64_t *id,
		  struct spool_err *err)
{
	char *env = NULL;
	if (id != NULL)
		*id = 0;   /* spool.h: numbers are zeroed on failure */
	int code = pack_env(sp, c->job->env, &env, &c->env_len, err);
	if (code != SPOOL_OK)
		return code;
	c->env = env;
	code = spool_txn(sp, TXN_WRITE, submit_txn, c, err);
	free(env);
	if (code == SPOOL_OK && id != NULL)
		*id = c->id;
	return code;
}

int sqlite_at_submit(struct spool *sp, const struct spool_at_job *job,
		    int64_t *id, struct spool_err *err)
{
	struct submit_ctx c = { .job = job };
	return submit(sp, &c, id, err);
}

int sqlite_at_submit_quota(struct spool *sp, const struct spool_at_job *job,
			  uint64_t max_jobs, uint64_t max_bytes, int64_t *id,
			  struct spool_at_usage *usage, struct spool_err *err)
{
	struct submit_ctx c = { .job = job, .quota = true, .max_jobs = max_jobs,
				.max_bytes = max_bytes };
	int code = submit(sp, &c, id, err);
	if (usage != NULL)
		*usage = c.usage;
	return code;
}

struct many_ctx {
	const struct spool_at_job *jobs;
	size_t n;
	char **envs;          /* packed environments; NULL for a refused job */
	size_t *env_lens;
	const struct spool_at_quota *quota;
	int64_t *ids;
	int *codes;
	struct spool_err *errs;
	struct spool_at_usage *usages;
	bool *over;           /* refused for a quota in this try */
};

static int many_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct many_ctx *c = ctx;
	for (size_t i = 0; i < c->n; i++) {
		c->ids[i] = 0;
		c->over[i] = false;
		if (c->codes[i] != SPOOL_OK)
			continue;
		const struct spool_at_job *j = &c->jobs[i];
		if (c->quota != NULL && j->uid != 0) {
			/* Inside the transaction: jobs inserted above count. */
			struct submit_ctx q = { .job = j, .env = c->envs[i],
						.env_len = c->env_lens[i], .quota = true,
						.max_jobs = c->quota->max_jobs,
						.max_bytes = c->quota->max_bytes };
			int qc = check_quota(sp, &q, &c->errs[i]);
			if (c->usages != NULL)
				c->usages[i] = q.usage;
			if (qc == SPOOL_QUOTA) {
				c->over[i] = true;
				continue;
			}
			if (qc != SPOOL_OK) {
				*err = c->errs[i];
				return qc;
			}
		}
		int code = spool_at_insert(sp, j, c->envs[i], c->env_lens[i], 0,
					   &c->ids[i], err);
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

int sqlite_at_submit_many(struct spool *sp, const struct spool_at_job *jobs, size_t n,
			 const struct spool_at_quota *quota, int64_t *ids, int *codes,
			 struct spool_err *errs, struct spool_at_usage *usages,
			 struct spool_err *err)
{
	char *envs[SPOOL_AT_BATCH_MAX] = { 0 };
	size_t env_lens[SPOOL_AT_BATCH_MAX] = { 0 };
	size_t valid = 0;
	for (size_t i = 0; i < n; i++) {
		ids[i] = 0;
		codes[i] = spool_valid_at_job(sp, &jobs[i], &errs[i]);
		if (codes[i] == SPOOL_OK)
			codes[i] = pack_env(sp, jobs[i].env, &envs[i], &env_lens[i], &errs[i]);
		if (codes[i] == SPOOL_OK)
			valid++;
	}
	int code = SPOOL_OK;
	bool over[SPOOL_AT_BATCH_MAX] = { false };
	if (valid > 0) {
		struct many_ctx c = { .jobs = jobs, .n = n, .envs = envs, .env_lens = env_lens,
				      .quota = quota, .ids = ids, .codes = codes, .errs = errs,
				      .usages = usages, .over = over };
		code = spool_txn(sp, TXN_WRITE, many_txn, &c, err);
	}
	for (size_t i = 0; i < n; i++) {
		free(envs[i]);
		if (code == SPOOL_OK && over[i]) {
			codes[i] = SPOOL_QUOTA;   /* ERRS[i] says which limit */
			ids[i] = 0;
		} else if (code != SPOOL_OK && codes[i] == SPOOL_OK) {
			codes[i] = code;
			errs[i] = *err;
			ids[i] = 0;
		}
	}
	return code;
}

/* Splits the environment blob ENV (LEN bytes, followed by a NUL) in place
 * into VEC, NULL-terminated. */
static void split_env(char *env, size_t len, char **vec)
{
	size_t k = 0;
	for (char *s = env; s < env + len; s += strlen(s) + 1)
		vec[k++] = s;
	vec[k] = NULL;
}

/* Columns of ST_AT_GET: id, queue, owner, uid, gid, run_at, created_at,
 * script, environ, cwd, umask, mail, state, pid, started_at, mail_to. */
static int read_job(struct spool *sp, sqlite3_stmt *st, struct spool_at_job *j,
		    struct spool_err *err)
{
	const void *owner, *script, *env, *cwd, *mail_to = NULL;
	size_t olen, slen, elen, clen, mlen = 0;
	memset(j, 0, sizeof *j);
	bool has_mail_to = sqlite3_column_type(st, 15) != SQLITE_NULL;
	if (spool_col_bytes(st, 2, &owner, &olen) || spool_col_bytes(st, 7, &script, &slen) ||
	    spool_col_bytes(st, 8, &env, &elen) || spool_col_bytes(st, 9, &cwd, &clen) ||
	    (has_mail_to && spool_col_bytes(st, 15, &mail_to, &mlen)))
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	const unsigned char *queue = sqlite3_column_text(st, 1);
	int state = state_of_column(st, 12);
	int mail = name_index(mail_names, 3, sqlite3_column_text(st, 11));
	if (owner == NULL || script == NULL || env == NULL || cwd == NULL ||
	    queue == NULL || state < 0 || mail < 0)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: at job %lld is malformed",
				    sp->path, (long long)sqlite3_column_int64(st, 0));
	size_t nenv = 0;
	for (size_t i = 0; i < elen; i++)
		nenv += ((const char *)env)[i] == '\0';
	nenv += elen > 0 && ((const char *)env)[elen - 1] != '\0';
	size_t ptrs = (nenv + 1) * sizeof(char *);
	char *mem = malloc(ptrs + elen + slen + clen + olen + mlen + 5);
	if (mem == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	char **vec = (char **)mem;   /* malloc'ed memory suits any type */
	char *p = mem + ptrs;
	p = spool_put_bytes(p, env, elen);
	split_env(mem + ptrs, elen, vec);
	j->script = p;
	j->script_len = slen;
	p = spool_put_bytes(p, script, slen);
	j->cwd = p;
	p = spool_put_bytes(p, cwd, clen);
	j->owner = p;
	p = spool_put_bytes(p, owner, olen);
	if (has_mail_to) {
		j->mail_to = p;
		spool_put_bytes(p, mail_to, mlen);
	}
	j->env = (const char *const *)vec;
	j->mem_ = mem;
	j->id = sqlite3_column_int64(st, 0);
	j->queue = (char)queue[0];
	j->uid = (uid_t)sqlite3_column_int64(st, 3);
	j->gid = (gid_t)sqlite3_column_int64(st, 4);
	j->run_at = sqlite3_column_int64(st, 5);
	j->created_at = sqlite3_column_int64(st, 6);
	j->umask = (mode_t)sqlite3_column_int64(st, 10) & 0777;
	j->mail = (enum spool_at_mail)mail;
	j->state = (enum spool_at_state)state;
	j->pid = (pid_t)sqlite3_column_int64(st, 13);
	j->started_at = sqlite3_column_int64(st, 14);
	return SPOOL_OK;
}

/* Runs statement SID with job ID as its parameter and steps *ST to the
 * job's row: SPOOL_NOT_FOUND when there is none. */
static int step_to_job(struct spool *sp, enum stmt_id sid, int64_t id, sqlite3_stmt **st,
		       struct spool_err *err)
{
	int code = spool_stmt(sp, sid, st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(*st, 1, id);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "read at job");
	int row = spool_step_row(sp, *st, "read at job", err);
	if (row < 0)
		return -row;
	if (row == 0)
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: no at job %lld",
				    sp->path, (long long)id);
	return SPOOL_OK;
}

int spool_at_read(struct spool *sp, int64_t id, struct spool_at_job *out,
		  struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	memset(out, 0, sizeof *out);
	int code = step_to_job(sp, ST_AT_GET, id, &st, err);
	if (code != SPOOL_OK)
		return code;
	return read_job(sp, st, out, err);
}

struct get_ctx {
	int64_t id;
	struct spool_at_job *out;
};

static int get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct get_ctx *g = ctx;
	spool_at_job_free(g->out);   /* a retried attempt starts over */
	return spool_at_read(sp, g->id, g->out, err);
}

int sqlite_at_get(struct spool *sp, int64_t id, struct spool_at_job *out,
		 struct spool_err *err)
{
	struct get_ctx g = { .id = id, .out = out };
	int code = spool_txn(sp, TXN_READ, get_txn, &g, err);
	if (code != SPOOL_OK)
		spool_at_job_free(out);
	return code;
}

int spool_at_state_of(struct spool *sp, int64_t id, enum spool_at_state *state,
		      uid_t *uid, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = step_to_job(sp, ST_AT_OWNER_STATE, id, &st, err);
	if (code != SPOOL_OK)
		return code;
	int s = state_of_column(st, 1);
	if (s < 0)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: at job %lld has no valid"
				    " state", sp->path, (long long)id);
	*state = (enum spool_at_state)s;
	*uid = (uid_t)sqlite3_column_int64(st, 0);
	/* Done reading: release the cursor before the caller changes the row. */
	(void)sqlite3_reset(st);   /* after a row, reset reports no error */
	return SPOOL_OK;
}

struct list_ctx {
	const struct spool_at_filter *filter;
	struct spool_at_summary *v;
	size_t n;
};

/* Columns: id, queue, owner, uid, run_at, state. */
static int read_summary(struct spool *sp, sqlite3_stmt *st,
			struct spool_at_summary *s, struct spool_err *err)
{
	const void *owner;
	size_t olen;
	const unsigned char *queue = sqlite3_column_text(st, 1);
	int state = state_of_column(st, 5);
	if (spool_col_bytes(st, 2, &owner, &olen) != SPOOL_OK)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	if (owner == NULL || olen > SPOOL_NAME_MAX || queue == NULL || state < 0)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: at job %lld is malformed",
				    sp->path, (long long)sqlite3_column_int64(st, 0));
	memset(s, 0, sizeof *s);
	s->id = sqlite3_column_int64(st, 0);
	s->queue = (char)queue[0];
	spool_put_bytes(s->owner, owner, olen);
	s->uid = (uid_t)sqlite3_column_int64(st, 3);
	s->run_at = sqlite3_column_int64(st, 4);
	s->state = (enum spool_at_state)state;
	return SPOOL_OK;
}

static int list_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct list_ctx *c = ctx;
	const struct spool_at_filter *f = c->filter;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	free(c->v);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	int code = spool_stmt(sp, f->all_owners ? ST_AT_LIST_ALL : ST_AT_LIST_UID, &st, err);
	if (code != SPOOL_OK)
		return code;
	char queue[2] = { f->queue, '\0' };
	int rc = spool_bind_text(st, 1, f->queue != '\0' ? queue : NULL);
	if (rc == SQLITE_OK && !f->all_owners)
		rc = sqlite3_bind_int64(st, 2, f->uid);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "list at jobs");
	int row;
	while ((row = spool_step_row(sp, st, "list at jobs", err)) == 1) {
		code = spool_grow(sp, &c->v, c->n, &cap, sizeof *c->v, err);
		if (code != SPOOL_OK)
			return code;
		code = read_summary(sp, st, &c->v[c->n], err);
		if (code != SPOOL_OK)
			return code;
		c->n++;
	}
	return row < 0 ? -row : SPOOL_OK;
}

int sqlite_at_list(struct spool *sp, const struct spool_at_filter *filter,
		  struct spool_at_summary **out, size_t *n,
		  struct spool_err *err)
{
	struct list_ctx c = { .filter = filter };
	int code = spool_txn(sp, TXN_READ, list_txn, &c, err);
	if (code != SPOOL_OK) {
		free(c.v);
		return code;
	}
	*out = c.v;
	*n = c.n;
	return SPOOL_OK;
}

struct remove_ctx {
	int64_t id;
	uid_t requester;
};

static int remove_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct remove_ctx *c = ctx;
	enum spool_at_state state;
	uid_t uid;
	sqlite3_stmt *st = NULL;
	int code = spool_at_state_of(sp, c->id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	if (c->requester != 0 && c->requester != uid)
		return spool_seterr(err, SPOOL_PERMISSION, "%s: at job %lld belongs to"
				    " another user", sp->path, (long long)c->id);
	if (state == SPOOL_AT_RUNNING)
		return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is running",
				    sp->path, (long long)c->id);
	code = spool_stmt(sp, ST_AT_DELETE, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, c->id);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "remove at job");
	return spool_step_done(sp, st, "remove at job", err);
}

int sqlite_at_remove(struct spool *sp, int64_t id, uid_t requester,
		    struct spool_err *err)
{
	struct remove_ctx c = { .id = id, .requester = requester };
	return spool_txn(sp, TXN_WRITE, remove_txn, &c, err);
}

