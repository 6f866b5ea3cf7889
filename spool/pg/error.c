/* spool/pg/error.c: PostgreSQL's errors mapped to spool codes, and their
 * messages made one line that starts with the spool's path (which never
 * holds a password: see open.c), as the SQLite backend's do.
 *
 * A failure of the connection itself (the server stopped, the network
 * went, a FATAL error ended the session) reads "database unreachable": the
 * caller's next call reconnects (open.c), so such a failure is SPOOL_IO,
 * never a reason to give up on the spool.
 */
#include <stdio.h>
#include <string.h>

#include "spool/pg/internal.h"

/* The SQLSTATE classes and codes the spool tells apart. */
static int code_of_sqlstate(const char *state)
{
	static const struct {
		const char *state;   /* a full code, or a class of two characters */
		int code;
	} map[] = {
		{ "23505", SPOOL_CONFLICT },    /* unique_violation */
		{ "40001", SPOOL_BUSY },        /* serialization_failure */
		{ "40P01", SPOOL_BUSY },        /* deadlock_detected */
		{ "55P03", SPOOL_BUSY },        /* lock_not_available (lock_timeout) */
		{ "53100", SPOOL_FULL },        /* disk_full */
		{ "53200", SPOOL_NOMEM },       /* out_of_memory */
		{ "54000", SPOOL_INVALID },     /* program_limit_exceeded */
		{ "42501", SPOOL_PERMISSION },  /* insufficient_privilege */
		/* read_only_sql_transaction: a standby, or a server made read-only
		 * (a managed one whose disk filled): not writable for now, as
		 * when unreachable, so that writes are kept and tried again. */
		{ "25006", SPOOL_IO },
		{ "XX001", SPOOL_CORRUPT },     /* data_corrupted */
		{ "XX002", SPOOL_CORRUPT },     /* index_corrupted */
		{ "22", SPOOL_INVALID },        /* data_exception */
	};
	if (state == NULL)
		return SPOOL_IO;
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (strncmp(state, map[i].state, strlen(map[i].state)) == 0)
			return map[i].code;
	return SPOOL_IO;
}

/* Whether SQLSTATE says the session is gone: connection_exception (08),
 * or the server shutting down or crashing (57P01 - 57P03). */
static bool state_is_lost(const char *state)
{
	return state != NULL && (strncmp(state, "08", 2) == 0 ||
				 strncmp(state, "57P0", 4) == 0);
}

/* The first line of MSG into BUF, without trailing blanks. */
static void first_line(const char *msg, char *buf, size_t size)
{
	size_t len = msg != NULL ? strcspn(msg, "\n") : 0;
	while (len > 0 && (msg[len - 1] == ' ' || msg[len - 1] == '\r' || msg[len - 1] == '\t'))
		len--;
	if (len >= size)
		len = size - 1;
	if (len > 0)
		memcpy(buf, msg, len);
	buf[len] = '\0';
}

int pg_error(struct spool *sp, const PGresult *res, const char *what,
	     struct spool_err *err)
{
	PGconn *conn = pg(sp)->conn;
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (msg == NULL && res != NULL)
		msg = PQresultErrorMessage(res);
	if ((msg == NULL || msg[0] == '\0') && conn != NULL)
		msg = PQerrorMessage(conn);
	char line[SPOOL_ERR_MSG_MAX];
	first_line(msg, line, sizeof line);
	if (line[0] == '\0')
		snprintf(line, sizeof line, "unknown error");
	bool lost = res == NULL || state_is_lost(state) ||
		    conn == NULL || PQstatus(conn) != CONNECTION_OK;
	if (lost)
		return spool_seterr(err, SPOOL_IO, "%s: %s: database unreachable: %s",
				    sp->path, what, line);
	return spool_seterr(err, code_of_sqlstate(state), "%s: %s: %s",
			    sp->path, what, line);
}
