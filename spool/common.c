/* spool/common.c: what every spool backend shares: code names, error
 * messages, growing arrays, the schema version check, the one block that
 * holds a returned record's strings (spool_*_strings), and the *_free
 * functions of spool.h that free it. Nothing here knows a database. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool/backend.h"
#include "spool/common.h"

const char *spool_code_name(int code)
{
	switch (code) {
	case SPOOL_OK:         return "ok";
	case SPOOL_NOT_FOUND:  return "not found";
	case SPOOL_CONFLICT:   return "conflict";
	case SPOOL_PERMISSION: return "permission denied";
	case SPOOL_CORRUPT:    return "corrupt database";
	case SPOOL_FULL:       return "disk full";
	case SPOOL_VERSION:    return "unsupported schema version";
	case SPOOL_IO:         return "I/O error";
	case SPOOL_INVALID:    return "invalid argument";
	case SPOOL_BUSY:       return "database busy";
	case SPOOL_NOMEM:      return "out of memory";
	case SPOOL_QUOTA:      return "over quota";
	default:               return "unknown error";
	}
}


int spool_seterr(struct spool_err *err, int code, const char *fmt, ...)
{
	if (err == NULL)
		return code;
	err->code = code;
	err->unknown = false;
	va_list ap;
	va_start(ap, fmt);
	/* A message cut at SPOOL_ERR_MSG_MAX is still a useful message. */
	if (vsnprintf(err->msg, sizeof err->msg, fmt, ap) < 0)
		err->msg[0] = '\0';
	va_end(ap);
	/* One line, whatever SQLite's message holds (quick_check's has
	 * several). */
	for (char *p = err->msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return code;
}


int spool_grow(struct spool *sp, void *vp, size_t n, size_t *cap, size_t size,
	       struct spool_err *err)
{
	if (n < *cap)
		return SPOOL_OK;
	void *v;
	memcpy(&v, vp, sizeof v);   /* VP may point to any object pointer type */
	size_t ncap = *cap == 0 ? 16 : *cap * 2;
	void *nv = reallocarray(v, ncap, size);
	if (nv == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	memcpy(vp, &nv, sizeof nv);
	*cap = ncap;
	return SPOOL_OK;
}


char *spool_put_bytes(char *dst, const void *src, size_t len)
{
	if (len > 0)
		memcpy(dst, src, len);
	dst[len] = '\0';
	return dst + len + 1;
}


const char *spool_at_state_name(enum spool_at_state state)
{
	switch (state) {
	case SPOOL_AT_WAITING:     return "waiting";
	case SPOOL_AT_RUNNING:     return "running";
	case SPOOL_AT_INTERRUPTED: return "interrupted";
	}
	return "unknown";
}


uint64_t spool_at_job_bytes(const struct spool_at_job *job)
{
	uint64_t n = job->script_len + (job->cwd != NULL ? strlen(job->cwd) : 0);
	for (size_t i = 0; job->env != NULL && job->env[i] != NULL; i++)
		n += strlen(job->env[i]) + 1;
	return n;
}


struct spool_run spool_run_as_begun(const struct spool_run *r)
{
	struct spool_run b = *r;
	b.id = 0;
	b.end_ms = 0;
	b.exit_code = -1;
	b.signal = 0;
	b.flags = r->flags | SPOOL_RUN_RUNNING;
	b.output = NULL;
	b.output_len = 0;
	b.output_total = 0;
	return b;
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

int spool_at_job_strings(struct spool *sp, struct spool_at_job *j,
			 const struct spool_at_bytes *b, struct spool_err *err)
{
	const char *env = b->env;
	size_t nenv = 0;
	for (size_t i = 0; i < b->elen; i++)
		nenv += env[i] == '\0';
	nenv += b->elen > 0 && env[b->elen - 1] != '\0';
	size_t ptrs = (nenv + 1) * sizeof(char *);
	char *mem = malloc(ptrs + b->elen + b->slen + b->clen + b->olen + b->mlen + 5);
	if (mem == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	char **vec = (char **)mem;   /* malloc'ed memory suits any type */
	char *p = mem + ptrs;
	p = spool_put_bytes(p, b->env, b->elen);
	split_env(mem + ptrs, b->elen, vec);
	j->script = p;
	j->script_len = b->slen;
	p = spool_put_bytes(p, b->script, b->slen);
	j->cwd = p;
	p = spool_put_bytes(p, b->cwd, b->clen);
	j->owner = p;
	p = spool_put_bytes(p, b->owner, b->olen);
	if (b->mail_to != NULL) {
		j->mail_to = p;
		spool_put_bytes(p, b->mail_to, b->mlen);
	}
	j->env = (const char *const *)vec;
	j->mem_ = mem;
	return SPOOL_OK;
}

int spool_run_strings(struct spool *sp, struct spool_run *r,
		      const struct spool_run_bytes *b, struct spool_err *err)
{
	char *p = malloc(b->olen + b->klen + b->clen + b->outlen + b->nlen + 5);
	if (p == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	r->mem_ = p;
	r->owner = p;
	p = spool_put_bytes(p, b->owner, b->olen);
	r->entry_key = p;
	p = spool_put_bytes(p, b->key, b->klen);
	r->command = p;
	p = spool_put_bytes(p, b->command, b->clen);
	r->output = p;
	r->output_len = b->outlen;
	p = spool_put_bytes(p, b->output, b->outlen);
	if (b->node != NULL) {
		r->node = p;
		spool_put_bytes(p, b->node, b->nlen);
	}
	return SPOOL_OK;
}

int spool_schema_check(struct spool *sp, int version, int latest,
		       struct spool_err *err)
{
	if (version < 0)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: invalid schema version %d",
				    sp->path, version);
	if (version > latest)
		return spool_seterr(err, SPOOL_VERSION,
				    "%s: schema version %d is newer than this program's"
				    " (%d); refusing to use it", sp->path, version, latest);
	if (version < latest && (sp->flags & SPOOL_READONLY))
		return spool_seterr(err, SPOOL_VERSION,
				    "%s: schema version %d is older than this program's"
				    " (%d); open it read-write once to upgrade it",
				    sp->path, version, latest);
	return SPOOL_OK;
}

void spool_at_job_free(struct spool_at_job *job)
{
	if (job == NULL)
		return;
	free(job->mem_);
	memset(job, 0, sizeof *job);
}


void spool_at_jobs_free(struct spool_at_job *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].mem_);
	free(v);
}

void spool_crontab_free(struct spool_crontab *c)
{
	if (c == NULL)
		return;
	free(c->mem_);
	memset(c, 0, sizeof *c);
}


void spool_names_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int spool_names_add(struct spool *sp, char ***v, size_t *n, size_t *cap, const void *name,
		    size_t len, struct spool_err *err)
{
	int code = spool_grow(sp, v, *n, cap, sizeof **v, err);
	if (code != SPOOL_OK)
		return code;
	char *s = malloc(len + 1);
	if (s == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	memcpy(s, name, len);
	s[len] = '\0';
	(*v)[(*n)++] = s;
	return SPOOL_OK;
}

void spool_crontabs_free(struct spool_crontab *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].mem_);
	free(v);
}

void spool_runs_free(struct spool_run *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].mem_);
	free(v);
}

void spool_states_free(struct spool_entry_state *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].mem_);
	free(v);
}

