/* spool/pg/libpq.h: libpq, loaded when a PostgreSQL spool is first opened.
 *
 * crond links no libpq: loading it (and the 24 libraries it needs: TLS,
 * Kerberos, LDAP...) costs every start about 5 ms, and only a cluster uses
 * it. pg_libpq_load() dlopens libpq.so.5 once per process (pthread_once)
 * and fills one table of its functions; after it succeeds, the names below
 * call through that table, so the backend's code reads as plain libpq.
 * The table is written once, before any use, and only read after.
 */
#ifndef CROND_SPOOL_PG_LIBPQ_H
#define CROND_SPOOL_PG_LIBPQ_H

#include <libpq-fe.h>

#include "spool/spool.h"

#define PG_LIBPQ_FUNCTIONS(X) \
	X(PQconnectdb) X(PQstatus) X(PQerrorMessage) X(PQfinish) X(PQreset) \
	X(PQexec) X(PQexecParams) X(PQprepare) X(PQexecPrepared) \
	X(PQresultStatus) X(PQresultErrorField) X(PQresultErrorMessage) X(PQclear) \
	X(PQntuples) X(PQnfields) X(PQgetvalue) X(PQgetlength) X(PQgetisnull) \
	X(PQcmdTuples) X(PQsocket) X(PQconsumeInput) X(PQnotifies) X(PQfreemem) \
	X(PQsetNoticeProcessor) X(PQserverVersion) X(PQtransactionStatus) \
	X(PQconninfoParse) X(PQconninfoFree) X(PQsetnonblocking) X(PQisBusy) \
	X(PQfname) X(PQlibVersion)

struct pg_libpq {
#define PG_LIBPQ_FIELD(name) __typeof__(name) *fn_##name;
	PG_LIBPQ_FUNCTIONS(PG_LIBPQ_FIELD)
#undef PG_LIBPQ_FIELD
};

/* Filled by pg_libpq_load; read-only once it returned 0. */
extern struct pg_libpq pg_libpq;

/* Loads libpq (once per process). 0, or SPOOL_IO with ERR saying what
 * failed (e.g. "libpq.so.5: cannot open shared object file": install
 * Debian's libpq5). */
int pg_libpq_load(struct spool_err *err);

#define PQconnectdb (pg_libpq.fn_PQconnectdb)
#define PQstatus (pg_libpq.fn_PQstatus)
#define PQerrorMessage (pg_libpq.fn_PQerrorMessage)
#define PQfinish (pg_libpq.fn_PQfinish)
#define PQreset (pg_libpq.fn_PQreset)
#define PQexec (pg_libpq.fn_PQexec)
#define PQexecParams (pg_libpq.fn_PQexecParams)
#define PQprepare (pg_libpq.fn_PQprepare)
#define PQexecPrepared (pg_libpq.fn_PQexecPrepared)
#define PQresultStatus (pg_libpq.fn_PQresultStatus)
#define PQresultErrorField (pg_libpq.fn_PQresultErrorField)
#define PQresultErrorMessage (pg_libpq.fn_PQresultErrorMessage)
#define PQclear (pg_libpq.fn_PQclear)
#define PQntuples (pg_libpq.fn_PQntuples)
#define PQnfields (pg_libpq.fn_PQnfields)
#define PQgetvalue (pg_libpq.fn_PQgetvalue)
#define PQgetlength (pg_libpq.fn_PQgetlength)
#define PQgetisnull (pg_libpq.fn_PQgetisnull)
#define PQcmdTuples (pg_libpq.fn_PQcmdTuples)
#define PQsocket (pg_libpq.fn_PQsocket)
#define PQconsumeInput (pg_libpq.fn_PQconsumeInput)
#define PQnotifies (pg_libpq.fn_PQnotifies)
#define PQfreemem (pg_libpq.fn_PQfreemem)
#define PQsetNoticeProcessor (pg_libpq.fn_PQsetNoticeProcessor)
#define PQserverVersion (pg_libpq.fn_PQserverVersion)
#define PQtransactionStatus (pg_libpq.fn_PQtransactionStatus)
#define PQconninfoParse (pg_libpq.fn_PQconninfoParse)
#define PQconninfoFree (pg_libpq.fn_PQconninfoFree)
#define PQsetnonblocking (pg_libpq.fn_PQsetnonblocking)
#define PQisBusy (pg_libpq.fn_PQisBusy)
#define PQfname (pg_libpq.fn_PQfname)
#define PQlibVersion (pg_libpq.fn_PQlibVersion)

#endif
