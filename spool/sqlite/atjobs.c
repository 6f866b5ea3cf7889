/* spool/sqlite/atjobs.c: the at job primitives (spool/at_submit.c and
 * spool/at_jobs.c orchestrate): inserting, reading, listing, counting and
 * deleting jobs. Moving them through their states is in atrun.c.
 *
 * A job's environment is stored as one blob, packed by spool/at_submit.c:
 * its NAME=VALUE strings, each followed by a NUL byte. The at -u recipient
 * has a column of its own (mail_to, schema 5), NULL for the owner.
 */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

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

int sqlite_at_usage(struct spool *sp, uid_t uid, struct spool_at_usage *out,
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

/* Columns of ST_AT_GET: id, queue, owner, uid, gid, run_at, created_at,
 * script, environ, cwd, umask, mail, state, pid, started_at, mail_to. */
static int read_job(struct spool *sp, sqlite3_stmt *st, struct spool_at_job *j,
		    struct spool_err *err)
{
	struct spool_at_bytes b = { 0 };
	memset(j, 0, sizeof *j);
	bool has_mail_to = sqlite3_column_type(st, 15) != SQLITE_NULL;
	if (spool_col_bytes(st, 2, &b.owner, &b.olen) || spool_col_bytes(st, 7, &b.script, &b.slen) ||
	    spool_col_bytes(st, 8, &b.env, &b.elen) || spool_col_bytes(st, 9, &b.cwd, &b.clen) ||
	    (has_mail_to && spool_col_bytes(st, 15, &b.mail_to, &b.mlen)))
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	const unsigned char *queue = sqlite3_column_text(st, 1);
	int state = state_of_column(st, 12);
	int mail = name_index(mail_names, 3, sqlite3_column_text(st, 11));
	if (b.owner == NULL || b.script == NULL || b.env == NULL || b.cwd == NULL ||
	    queue == NULL || state < 0 || mail < 0)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: at job %lld is malformed",
				    sp->path, (long long)sqlite3_column_int64(st, 0));
	int code = spool_at_job_strings(sp, j, &b, err);
	if (code != SPOOL_OK)
		return code;
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

int sqlite_at_list(struct spool *sp, const struct spool_at_filter *f,
		   struct spool_at_summary **out, size_t *n, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int code = spool_stmt(sp, f->all_owners ? ST_AT_LIST_ALL : ST_AT_LIST_UID, &st, err);
	if (code != SPOOL_OK)
		return code;
	char queue[2] = { f->queue, '\0' };
	int rc = spool_bind_text(st, 1, f->queue != '\0' ? queue : NULL);
	if (rc == SQLITE_OK && !f->all_owners)
		rc = sqlite3_bind_int64(st, 2, f->uid);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, f->after ? f->after_run_at : INT64_MIN);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 4, f->after ? f->after_id : INT64_MIN);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 5, f->limit ? (sqlite3_int64)f->limit : -1);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "list at jobs");
	int row;
	while ((row = spool_step_row(sp, st, "list at jobs", err)) == 1) {
		code = spool_grow(sp, out, *n, &cap, sizeof **out, err);
		if (code != SPOOL_OK)
			return code;
		code = read_summary(sp, st, &(*out)[*n], err);
		if (code != SPOOL_OK)
			return code;
		(*n)++;
	}
	return row < 0 ? -row : SPOOL_OK;
}

int sqlite_at_delete(struct spool *sp, int64_t id, const char *what,
		     struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_AT_DELETE, &st, err);
	if (code != SPOOL_OK)
		return code;
	int rc = sqlite3_bind_int64(st, 1, id);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, what);
	return spool_step_done(sp, st, what, err);
}

int sqlite_at_last_id(struct spool *sp, int64_t *last, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int code = spool_stmt(sp, ST_AT_LAST_ID, &st, err);
	if (code != SPOOL_OK)
		return code;
	int row = spool_step_row(sp, st, "last at job id", err);
	if (row <= 0)
		return row < 0 ? -row : spool_seterr(err, SPOOL_IO, "%s: last at job id:"
						     " no result", sp->path);
	*last = sqlite3_column_int64(st, 0);
	return spool_step_done(sp, st, "last at job id", err);
}
