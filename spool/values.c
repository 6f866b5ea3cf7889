/* spool/values.c: moving values between C and SQLite, and the argument
 * checks several parts of the spool share. */
#include <stdlib.h>
#include <string.h>

#include "spool/internal.h"

int spool_col_bytes(sqlite3_stmt *st, int col, const void **p, size_t *len)
{
	*p = NULL;
	*len = 0;
	int type = sqlite3_column_type(st, col);
	if (type == SQLITE_NULL)
		return SPOOL_OK;
	const void *v = type == SQLITE_TEXT
		? (const void *)sqlite3_column_text(st, col)
		: sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);
	if (v == NULL && n > 0)
		return SPOOL_NOMEM;
	/* SQLite gives NULL for an empty blob; callers get a real pointer so
	 * memcpy of zero bytes stays defined. */
	*p = v != NULL ? v : "";
	*len = n > 0 ? (size_t)n : 0;
	return SPOOL_OK;
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

int spool_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

int spool_check_name(struct spool *sp, const char *s, size_t max,
		     const char *what, struct spool_err *err)
{
	size_t len = s != NULL ? strnlen(s, max + 1) : 0;
	if (len == 0 || len > max)
		return spool_seterr(err, SPOOL_INVALID,
				    "%s: %s must be 1 to %zu bytes",
				    sp->path, what, max);
	return SPOOL_OK;
}
