/* spool/error.c: spool codes, their names, and SQLite's errors mapped to
 * them. Messages always start with the spool's path so a log line says
 * which database failed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "spool/internal.h"

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
		int e = sp != NULL && sp->db != NULL ? sqlite3_system_errno(sp->db) : 0;
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
	if (sp != NULL && sp->db != NULL &&
	    (sqlite3_errcode(sp->db) & 0xff) == (rc & 0xff))
		msg = sqlite3_errmsg(sp->db);
	return spool_seterr(err, code, "%s: %s: %s",
			    sp != NULL ? sp->path : "spool", what, msg);
}
