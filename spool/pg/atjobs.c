/* spool/pg/atjobs.c: queueing, listing, reading and removing at/batch jobs
 * on a PostgreSQL spool. Moving jobs through their states (claim, finish,
 * recovery) is in atrun.c.
 *
 * A job's environment is one bytea: its NAME=VALUE strings, each followed
 * by a NUL byte, as in /proc/PID/environ (and as the SQLite backend keeps
 * it). Ids come from the counter row 'at_job' (internal.h says why).
 *
 * Quotas. Every insert takes the 'at_job' counter row's lock, held until
 * the transaction ends; a submission checked against a quota takes it
 * before it counts the owner's jobs. So two nodes submitting for one owner
 * at once queue on that lock, and the later one counts the earlier one's
 * job (READ COMMITTED reads what committed before each statement): a quota
 * holds across the cluster as it holds on one machine.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"
#include "spool/pg/runs.h"
#include "spool/validate.h"

static const char *const mail_names[] = {
	[SPOOL_MAIL_DEFAULT] = "default",
	[SPOOL_MAIL_ALWAYS] = "always",
	[SPOOL_MAIL_NEVER] = "never",
};

/* Which of the COUNT names S (LEN bytes, not NUL-terminated) is, or -1. */
static int name_index(const char *const *names, int count, const void *s, size_t len)
{
	for (int i = 0; s != NULL && i < count; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

int pg_at_state_column(const PGresult *r, int row, int col)
{
	static const char *const states[] = {
		[SPOOL_AT_WAITING] = "waiting",
		[SPOOL_AT_RUNNING] = "running",
		[SPOOL_AT_INTERRUPTED] = "interrupted",
	};
	const void *s;
	size_t len;
	pg_bytes(r, row, col, &s, &len);
	return name_index(states, 3, s, len);
}

/* The environment as one block (*BLOB, malloc'ed, *LEN bytes); checked
 * by the caller. */
static int pack_env(struct spool *sp, const char *const *env, char **blob, size_t *len,
		    struct spool_err *err)
{
	size_t total = 0, count = 0;
	*blob = NULL;
	*len = 0;
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
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	*out = (struct spool_at_usage){ 0 };
	pg_param_int(&p, uid);
	int code = pg_query(sp, "SELECT count(*), coalesce(sum(octet_length(script)"
			    " + octet_length(env) + octet_length(cwd)), 0)::bigint"
			    " FROM at_job WHERE uid = $1", &p, &r, "count at jobs", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return spool_seterr(err, SPOOL_IO, "%s: count at jobs: no result", sp->path);
	}
	int64_t jobs = pg_int(r, 0, 0), bytes = pg_int(r, 0, 1);
	out->jobs = jobs > 0 ? (uint64_t)jobs : 0;
	out->bytes = bytes > 0 ? (uint64_t)bytes : 0;
	PQclear(r);
	return SPOOL_OK;
}

/* Takes the lock on the at job ids (the 'at_job' counter row) until the
 * caller's transaction ends. */
static int lock_ids(struct spool *sp, struct spool_err *err)
{
	return pg_query(sp, "SELECT value FROM counter WHERE name = 'at_job' FOR UPDATE",
			NULL, NULL, "lock at job ids", err);
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

int pg_at_usage_of(struct spool *sp, uid_t uid, struct spool_at_usage *out,
		   struct spool_err *err)
{
	struct usage_ctx c = { .uid = uid };
	int code = pg_txn(sp, PG_READ, usage_txn, &c, err);
	*out = code == SPOOL_OK ? c.out : (struct spool_at_usage){ 0 };
	return code;
}

struct submit_ctx {
	const struct spool_at_job *job;
	const char *env;       /* packed */
	size_t env_len;
	bool quota;
	uint64_t max_jobs, max_bytes;
	struct spool_at_usage usage;   /* out: the owner's, before the job */
	int64_t id;                    /* out */
};

/* The owner's usage into C->usage, and SPOOL_QUOTA when the job would pass
 * a limit. Inside the write transaction, after lock_ids. */
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

/* The id of a new job into *ID: WANT_ID when it is above every id given
 * so far, else the next one; either way the counter moves to it, so later
 * jobs get higher ids. */
static int take_id(struct spool *sp, int64_t want_id, int64_t *id, struct spool_err *err)
{
	if (want_id <= 0)
		return pg_counter_next(sp, "at_job", id, err);
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	*id = 0;
	pg_param_int(&p, want_id);
	int code = pg_query(sp, "UPDATE counter SET value = CASE WHEN $1::bigint > value"
			    " THEN $1::bigint ELSE value + 1 END WHERE name = 'at_job'"
			    " RETURNING value", &p, &r, "next at job id", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) != 1)
		code = spool_seterr(err, SPOOL_CORRUPT, "%s: the at_job counter is missing",
				    sp->path);
	else
		*id = pg_int(r, 0, 0);
	PQclear(r);
	return code;
}

/* Inserts checked job J with its packed environment ENV (ENV_LEN bytes) as
 * waiting, inside the caller's write transaction, and announces it. */
static int insert_packed(struct spool *sp, const struct spool_at_job *j, const char *env,
			 size_t env_len, int64_t want_id, int64_t *id, struct spool_err *err)
{
	char queue[2] = { j->queue, '\0' };
	int code = take_id(sp, want_id, id, err);
	if (code != SPOOL_OK)
		return code;
	struct pg_params p = { 0 };
	pg_param_int(&p, *id);
	pg_param_text(&p, queue);
	pg_param_str(&p, j->owner);
	pg_param_int(&p, j->uid);
	pg_param_int(&p, j->gid);
	pg_param_int(&p, j->run_at);
	pg_param_int(&p, j->created_at);
	pg_param_bytes(&p, j->script, j->script_len);
	pg_param_bytes(&p, env, env_len);
	pg_param_str(&p, j->cwd);
	pg_param_int(&p, j->umask);
	pg_param_text(&p, mail_names[j->mail]);
	pg_param_str(&p, j->mail_to);
	code = pg_query(sp, "INSERT INTO at_job (id, queue, owner, uid, gid, run_at,"
			" created_at, script, env, cwd, umask, mail, mail_to, state)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
			" 'waiting')", &p, NULL, "submit at job", err);
	if (code == SPOOL_OK)
		code = pg_announce(sp, err);
	if (code != SPOOL_OK)
		*id = 0;
	return code;
}

int pg_at_insert(struct spool *sp, const struct spool_at_job *job, int64_t want_id,
		 int64_t *id, struct spool_err *err)
{
	char *env = NULL;
	size_t env_len = 0;
	*id = 0;
	int code = pack_env(sp, job->env, &env, &env_len, err);
	if (code == SPOOL_OK)
		code = insert_packed(sp, job, env, env_len, want_id, id, err);
	free(env);
	return code;
}

static int submit_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct submit_ctx *c = ctx;
	c->id = 0;
	int code = SPOOL_OK;
	if (c->quota) {
		code = lock_ids(sp, err);
		if (code == SPOOL_OK)
			code = check_quota(sp, c, err);
	}
	if (code != SPOOL_OK)
		return code;
	return insert_packed(sp, c->job, c->env, c->env_len, 0, &c->id, err);
}

static int submit(struct spool *sp, struct submit_ctx *c, int64_t *id,
		  struct spool_err *err)
{
	char *env = NULL;
	if (id != NULL)
		*id = 0;
	int code = pack_env(sp, c->job->env, &env, &c->env_len, err);
	if (code != SPOOL_OK)
		return code;
	c->env = env;
	code = pg_txn(sp, PG_WRITE, submit_txn, c, err);
	free(env);
	if (code == SPOOL_OK && id != NULL)
		*id = c->id;
	return code;
}

int pg_at_submit(struct spool *sp, const struct spool_at_job *job,
		 int64_t *id, struct spool_err *err)
{
	struct submit_ctx c = { .job = job };
	return submit(sp, &c, id, err);
}

int pg_at_submit_quota(struct spool *sp, const struct spool_at_job *job,
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
	int code = c->quota != NULL ? lock_ids(sp, err) : SPOOL_OK;
	if (code != SPOOL_OK)
		return code;
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
		code = insert_packed(sp, j, c->envs[i], c->env_lens[i], 0, &c->ids[i], err);
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

int pg_at_submit_many(struct spool *sp, const struct spool_at_job *jobs, size_t n,
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
		code = pg_txn(sp, PG_WRITE, many_txn, &c, err);
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

/* Splits the environment block ENV (LEN bytes, followed by a NUL) in place
 * into VEC, NULL-terminated. */
static void split_env(char *env, size_t len, char **vec)
{
	size_t k = 0;
	for (char *s = env; s < env + len; s += strlen(s) + 1)
		vec[k++] = s;
	vec[k] = NULL;
}

int pg_at_read_row(struct spool *sp, const PGresult *r, int row, struct spool_at_job *j,
		   struct spool_err *err)
{
	const void *owner, *script, *env, *cwd, *mail_to, *queue, *mail;
	size_t olen, slen, elen, clen, mlen, qlen, maillen;
	memset(j, 0, sizeof *j);
	pg_bytes(r, row, 1, &queue, &qlen);
	pg_bytes(r, row, 2, &owner, &olen);
	pg_bytes(r, row, 7, &script, &slen);
	pg_bytes(r, row, 8, &env, &elen);
	pg_bytes(r, row, 9, &cwd, &clen);
	pg_bytes(r, row, 11, &mail, &maillen);
	pg_bytes(r, row, 15, &mail_to, &mlen);
	int state = pg_at_state_column(r, row, 12);
	int mail_i = name_index(mail_names, 3, mail, maillen);
	if (owner == NULL || script == NULL || env == NULL || cwd == NULL ||
	    queue == NULL || qlen != 1 || state < 0 || mail_i < 0)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: at job %lld is malformed",
				    sp->path, (long long)pg_int(r, row, 0));
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
	if (mail_to != NULL) {
		j->mail_to = p;
		spool_put_bytes(p, mail_to, mlen);
	}
	j->env = (const char *const *)vec;
	j->mem_ = mem;
	j->id = pg_int(r, row, 0);
	j->queue = *(const char *)queue;
	j->uid = (uid_t)pg_int(r, row, 3);
	j->gid = (gid_t)pg_int(r, row, 4);
	j->run_at = pg_int(r, row, 5);
	j->created_at = pg_int(r, row, 6);
	j->umask = (mode_t)pg_int(r, row, 10) & 0777;
	j->mail = (enum spool_at_mail)mail_i;
	j->state = (enum spool_at_state)state;
	j->pid = (pid_t)pg_int(r, row, 13);
	j->started_at = pg_int(r, row, 14);
	return SPOOL_OK;
}

int pg_at_read_rows(struct spool *sp, const PGresult *r, struct spool_at_job **out,
		    size_t *n, struct spool_err *err)
{
	size_t rows = (size_t)PQntuples(r);
	*out = NULL;
	*n = 0;
	if (rows == 0)
		return SPOOL_OK;
	struct spool_at_job *v = calloc(rows, sizeof *v);
	if (v == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; i < rows; i++) {
		int code = pg_at_read_row(sp, r, (int)i, &v[i], err);
		if (code != SPOOL_OK) {
			spool_at_jobs_free(v, i);
			return code;
		}
	}
	*out = v;
	*n = rows;
	return SPOOL_OK;
}

struct get_ctx {
	int64_t id;
	struct spool_at_job *out;
};

static int get_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct get_ctx *g = ctx;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	spool_at_job_free(g->out);   /* a retried attempt starts over */
	pg_param_int(&p, g->id);
	int code = pg_query(sp, "SELECT " PG_AT_COLUMNS " FROM at_job WHERE id = $1",
			    &p, &r, "read at job", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0)
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no at job %lld",
				    sp->path, (long long)g->id);
	else
		code = pg_at_read_row(sp, r, 0, g->out, err);
	PQclear(r);
	return code;
}

int pg_at_get(struct spool *sp, int64_t id, struct spool_at_job *out,
	      struct spool_err *err)
{
	struct get_ctx g = { .id = id, .out = out };
	int code = pg_txn(sp, PG_READ, get_txn, &g, err);
	if (code != SPOOL_OK)
		spool_at_job_free(out);
	return code;
}

int pg_at_state_of(struct spool *sp, int64_t id, enum spool_at_state *state,
		   uid_t *uid, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_int(&p, id);
	int code = pg_query(sp, "SELECT uid, state FROM at_job WHERE id = $1 FOR UPDATE",
			    &p, &r, "read at job", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0) {
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no at job %lld",
				    sp->path, (long long)id);
	} else {
		int s = pg_at_state_column(r, 0, 1);
		if (s < 0) {
			code = spool_seterr(err, SPOOL_CORRUPT, "%s: at job %lld has no"
					    " valid state", sp->path, (long long)id);
		} else {
			*state = (enum spool_at_state)s;
			*uid = (uid_t)pg_int(r, 0, 0);
		}
	}
	PQclear(r);
	return code;
}

struct list_ctx {
	const struct spool_at_filter *filter;
	struct spool_at_summary *v;
	size_t n;
};

/* Columns: id, queue, owner, uid, run_at, state. */
static int read_summary(struct spool *sp, const PGresult *r, int row,
			struct spool_at_summary *s, struct spool_err *err)
{
	const void *owner, *queue;
	size_t olen, qlen;
	pg_bytes(r, row, 1, &queue, &qlen);
	pg_bytes(r, row, 2, &owner, &olen);
	int state = pg_at_state_column(r, row, 5);
	if (owner == NULL || olen > SPOOL_NAME_MAX || queue == NULL || qlen != 1 || state < 0)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: at job %lld is malformed",
				    sp->path, (long long)pg_int(r, row, 0));
	memset(s, 0, sizeof *s);
	s->id = pg_int(r, row, 0);
	s->queue = *(const char *)queue;
	spool_put_bytes(s->owner, owner, olen);
	s->uid = (uid_t)pg_int(r, row, 3);
	s->run_at = pg_int(r, row, 4);
	s->state = (enum spool_at_state)state;
	return SPOOL_OK;
}

static int list_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct list_ctx *c = ctx;
	const struct spool_at_filter *f = c->filter;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	free(c->v);   /* a retried attempt starts over */
	c->v = NULL;
	c->n = 0;
	char queue[2] = { f->queue, '\0' };
	pg_param_text(&p, f->queue != '\0' ? queue : NULL);
	pg_param_int(&p, f->uid);
	/* One statement each (they are prepared): a user's jobs through the
	 * index at_job_uid. */
	int code = pg_query(sp, f->all_owners
			    ? "SELECT id, queue, owner, uid, run_at, state FROM at_job"
			      " WHERE ($1::text IS NULL OR queue = $1::text) AND $2::bigint >= 0"
			      " ORDER BY run_at, id"
			    : "SELECT id, queue, owner, uid, run_at, state FROM at_job"
			      " WHERE uid = $2::bigint AND ($1::text IS NULL OR queue = $1::text)"
			      " ORDER BY run_at, id",
			    &p, &r, "list at jobs", err);
	if (code != SPOOL_OK)
		return code;
	size_t rows = (size_t)PQntuples(r);
	if (rows > 0 && (c->v = calloc(rows, sizeof *c->v)) == NULL)
		code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; code == SPOOL_OK && i < rows; i++) {
		code = read_summary(sp, r, (int)i, &c->v[i], err);
		if (code == SPOOL_OK)
			c->n = i + 1;
	}
	PQclear(r);
	return code;
}

int pg_at_list(struct spool *sp, const struct spool_at_filter *filter,
	       struct spool_at_summary **out, size_t *n,
	       struct spool_err *err)
{
	struct list_ctx c = { .filter = filter };
	int code = pg_txn(sp, PG_READ, list_txn, &c, err);
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
	int code = pg_at_state_of(sp, c->id, &state, &uid, err);
	if (code != SPOOL_OK)
		return code;
	if (c->requester != 0 && c->requester != uid)
		return spool_seterr(err, SPOOL_PERMISSION, "%s: at job %lld belongs to"
				    " another user", sp->path, (long long)c->id);
	if (state == SPOOL_AT_RUNNING)
		return spool_seterr(err, SPOOL_CONFLICT, "%s: at job %lld is running",
				    sp->path, (long long)c->id);
	struct pg_params p = { 0 };
	pg_param_int(&p, c->id);
	code = pg_query(sp, "DELETE FROM at_job WHERE id = $1", &p, NULL,
			"remove at job", err);
	if (code == SPOOL_OK)
		code = pg_announce(sp, err);
	return code;
}

int pg_at_remove(struct spool *sp, int64_t id, uid_t requester,
		 struct spool_err *err)
{
	struct remove_ctx c = { .id = id, .requester = requester };
	return pg_txn(sp, PG_WRITE, remove_txn, &c, err);
}
