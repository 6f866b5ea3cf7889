/* spool/values.c: moving values between C and SQLite, and the argument
 * checks several parts of the spool share. */
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

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

int spool_pragma_int(struct spool *sp, const char *sql, int64_t *v, const char *what,
		     struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(sq(sp)->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*v = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	int code = rc == SQLITE_OK ? SPOOL_OK : spool_sqlerr(sp, err, rc, what);
	(void)sqlite3_finalize(st);   /* errors already reported */
	return code;
}

int spool_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

