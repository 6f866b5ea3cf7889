/* spool/common.h: helpers the spool backends share (spool/common.c), and
 * nothing outside spool/ uses.
 *
 * Records a backend returns own their strings through mem_: one malloc'd
 * block (or NULL) that the common *_free functions free; arrays of records
 * are one malloc'd array.
 */
#ifndef CROND_SPOOL_COMMON_H
#define CROND_SPOOL_COMMON_H

#include "spool/spool.h"

/* Whether PATH names a PostgreSQL spool (a postgresql:// or postgres://
 * connection URI) rather than an SQLite file. */
bool spool_is_postgresql(const char *path);

/* Fills ERR (may be NULL) with CODE and a formatted message, made one line;
 * returns CODE. */
int spool_seterr(struct spool_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Makes room for element N of the growing array whose address is VP (a
 * pointer to the array pointer; *CAP elements of SIZE bytes allocated),
 * doubling it. Returns 0, or SPOOL_NOMEM with ERR filled (array kept). */
int spool_grow(struct spool *sp, void *vp, size_t n, size_t *cap, size_t size,
	       struct spool_err *err);

/* Appends a copy of NAME (LEN bytes, then a NUL) to the array *V of *N
 * strings (capacity *CAP), for spool_crontab_owners. */
int spool_names_add(struct spool *sp, char ***v, size_t *n, size_t *cap, const void *name,
		    size_t len, struct spool_err *err);

/* Copies LEN bytes of SRC to DST, NUL-terminates, returns the byte after. */
char *spool_put_bytes(char *dst, const void *src, size_t len);

/* The name of STATE as the schemas spell it ("waiting", "running",
 * "interrupted"). */
const char *spool_at_state_name(enum spool_at_state state);

/* R as spool_history_begin writes it: flagged running, with no end,
 * status or output yet. */
struct spool_run spool_run_as_begun(const struct spool_run *r);

/* The bytes of a returned record's strings, as a backend read them from a
 * row (pointers into its result, lengths without a NUL). */
struct spool_at_bytes {
	const void *owner, *script, *env, *cwd, *mail_to;   /* mail_to may be NULL */
	size_t olen, slen, elen, clen, mlen;
};
struct spool_run_bytes {
	const void *owner, *key, *command, *output, *node;   /* node may be NULL */
	size_t olen, klen, clen, outlen, nlen;
};

/* Copies B into one new block J->mem_ and points J's strings into it: the
 * environment (ENV: strings each followed by a NUL) split into J->env,
 * NULL-terminated. 0, or SPOOL_NOMEM with ERR filled. */
int spool_at_job_strings(struct spool *sp, struct spool_at_job *j,
			 const struct spool_at_bytes *b, struct spool_err *err);

/* Likewise for run record R. */
int spool_run_strings(struct spool *sp, struct spool_run *r,
		      const struct spool_run_bytes *b, struct spool_err *err);

/* Checks a stored schema VERSION against LATEST, this program's: negative
 * is SPOOL_CORRUPT, newer SPOOL_VERSION, older on a read-only spool
 * SPOOL_VERSION; else 0. */
int spool_schema_check(struct spool *sp, int version, int latest,
		       struct spool_err *err);

#endif
