/* spool/pg/atjobs.c: the at job primitives on a PostgreSQL spool
 * (spool/at_submit.c and spool/at_jobs.c orchestrate): inserting, reading,
 * listing, counting and deleting jobs. Moving them through their states is
 * in atrun.c.
 *
 * A job's environment is one bytea, packed by spool/at_submit.c: its
 * NAME=VALUE strings, each followed by a NUL byte. Ids come from the
 * counter row 'at_job' (internal.h says why).
 *
 * Quotas. Every insert takes the 'at_job' counter row's lock, held until
 * the transaction ends; a submission checked against a quota takes it
 * (at_lock_ids) before it counts the owner's jobs. So two nodes submitting for one owner
 * at once queue on that lock, and the later one counts the earlier one's
 * job (READ COMMITTED reads what committed before each statement): a quota
 * holds across the cluster as it holds on one machine.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

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

int pg_at_usage(struct spool *sp, uid_t uid, struct spool_at_usage *out,
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

/* The lock on the at job ids is the 'at_job' counter row's. */
int pg_at_lock_ids(struct spool *sp, struct spool_err *err)
{
	return pg_query(sp, "SELECT value FROM counter WHERE name = 'at_job' FOR UPDATE",
			NULL, NULL, "lock at job ids", err);
}

/* The id of a new job into *ID: WANT_ID when it is above every id given
 * so far, else the next one; either way the counter moves to it, so later
 * jobs get higher ids. */
static int take_id(struct spool *sp, int64_t want_id, int64_t *id, struct spool_err *err)
{
	if (want_id <= 0)
		return pg_counter_next(sp, "at_job", id, err);
	struct pg_params p = { 0 };
	pg_param_int(&p, want_id);
	return pg_counter_query(sp, "UPDATE counter SET value = CASE WHEN $1::bigint > value"
				" THEN $1::bigint ELSE value + 1 END WHERE name = 'at_job'"
				" RETURNING value", &p, "at_job", "next at job id", id, err);
}

int pg_at_insert(struct spool *sp, const struct spool_at_job *j, const void *env,
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

int pg_at_read_row(struct spool *sp, const PGresult *r, int row, struct spool_at_job *j,
		   struct spool_err *err)
{
	struct spool_at_bytes b;
	const void *queue, *mail;
	size_t qlen, maillen;
	memset(j, 0, sizeof *j);
	pg_bytes(r, row, 1, &queue, &qlen);
	pg_bytes(r, row, 2, &b.owner, &b.olen);
	pg_bytes(r, row, 7, &b.script, &b.slen);
	pg_bytes(r, row, 8, &b.env, &b.elen);
	pg_bytes(r, row, 9, &b.cwd, &b.clen);
	pg_bytes(r, row, 11, &mail, &maillen);
	pg_bytes(r, row, 15, &b.mail_to, &b.mlen);
	int state = pg_at_state_column(r, row, 12);
	int mail_i = name_index(mail_names, 3, mail, maillen);
	if (b.owner == NULL || b.script == NULL || b.env == NULL || b.cwd == NULL ||
	    queue == NULL || qlen != 1 || state < 0 || mail_i < 0)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: at job %lld is malformed",
				    sp->path, (long long)pg_int(r, row, 0));
	int code = spool_at_job_strings(sp, j, &b, err);
	if (code != SPOOL_OK)
		return code;
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

int pg_at_read(struct spool *sp, int64_t id, struct spool_at_job *out,
	       struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_int(&p, id);
	int code = pg_query(sp, "SELECT " PG_AT_COLUMNS " FROM at_job WHERE id = $1",
			    &p, &r, "read at job", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 0)
		code = spool_seterr(err, SPOOL_NOT_FOUND, "%s: no at job %lld",
				    sp->path, (long long)id);
	else
		code = pg_at_read_row(sp, r, 0, out, err);
	PQclear(r);
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

int pg_at_list(struct spool *sp, const struct spool_at_filter *f,
	       struct spool_at_summary **out, size_t *n, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	char queue[2] = { f->queue, '\0' };
	pg_param_text(&p, f->queue != '\0' ? queue : NULL);
	pg_param_int(&p, f->uid);
	pg_param_int(&p, f->after ? f->after_run_at : INT64_MIN);
	pg_param_int(&p, f->after ? f->after_id : INT64_MIN);
	pg_param_int(&p, f->limit ? (int64_t)f->limit : INT64_MAX);
	/* One statement each (they are prepared): a user's jobs through the
	 * index at_job_uid. $3, $4: the cursor; $5 the limit. */
	int code = pg_query(sp, f->all_owners
			    ? "SELECT id, queue, owner, uid, run_at, state FROM at_job"
			      " WHERE ($1::text IS NULL OR queue = $1::text) AND $2::bigint >= 0"
			      " AND (run_at, id) > ($3::bigint, $4::bigint)"
			      " ORDER BY run_at, id LIMIT $5::bigint"
			    : "SELECT id, queue, owner, uid, run_at, state FROM at_job"
			      " WHERE uid = $2::bigint AND ($1::text IS NULL OR queue = $1::text)"
			      " AND (run_at, id) > ($3::bigint, $4::bigint)"
			      " ORDER BY run_at, id LIMIT $5::bigint",
			    &p, &r, "list at jobs", err);
	if (code != SPOOL_OK)
		return code;
	size_t rows = (size_t)PQntuples(r);
	if (rows > 0 && (*out = calloc(rows, sizeof **out)) == NULL)
		code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; code == SPOOL_OK && i < rows; i++) {
		code = read_summary(sp, r, (int)i, &(*out)[i], err);
		if (code == SPOOL_OK)
			*n = i + 1;
	}
	PQclear(r);
	return code;
}

int pg_at_delete(struct spool *sp, int64_t id, const char *what, struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_int(&p, id);
	int code = pg_query(sp, "DELETE FROM at_job WHERE id = $1", &p, NULL, what, err);
	return code == SPOOL_OK ? pg_announce(sp, err) : code;
}

/* The highest at job id ever given, locking the counter until the end of
 * the transaction. */
int pg_at_last_id(struct spool *sp, int64_t *last, struct spool_err *err)
{
	return pg_counter_query(sp, "SELECT greatest(value, (SELECT coalesce(max(id), 0)"
				" FROM at_job)) FROM counter WHERE name = 'at_job' FOR UPDATE",
				NULL, "at_job", "last at job id", last, err);
}
