/* spool/error.c: spool codes, their names, and SQLite's errors mapped to
 * them. Messages always start with the spool's path so a log line says
 * which database failed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "spool/sqlite/internal.h"

int spool_code_of(struct spool *sp, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return SPOOL_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return SPOOL_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return SPOOL_CORRUPT;
	case SQLITE_FULL:
		return SPOOL_FULL;
	case SQLITE_NOMEM:
		return SPOOL_NOMEM;
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
	case SQLITE_CONSTRAINT:
		return SPOOL_INVALID;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return SPOOL_PERMISSION;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN: {
		/* A full disk met while growing the WAL index or truncating
		 * shows up as an I/O error; the errno tells. */
		int e = sp != NULL && sq(sp)->db != NULL ? sqlite3_system_errno(sq(sp)->db) : 0;
		return e == ENOSPC || e == EDQUOT ? SPOOL_FULL : SPOOL_IO;
	}
	default:
		return SPOOL_IO;
	}
}

int spool_sqlerr(struct spool *sp, struct spool_err *err, int rc,
		 const char *what)
{
	int code = spool_code_of(sp, rc);
	const char *msg = sqlite3_errstr(rc);
	/* The connection's message is more precise, when it is about RC. */
	if (sp != NULL && sq(sp)->db != NULL &&
	    (sqlite3_errcode(sq(sp)->db) & 0xff) == (rc & 0xff))
		msg = sqlite3_errmsg(sq(sp)->db);
	return spool_seterr(err, code, "%s: %s: %s",
			    sp != NULL ? sp->path : "spool", what, msg);
}
