/* spool/pg/open.c: the PostgreSQL backend's opener (being written). */
#include "spool/backend.h"
#include "spool/common.h"

int spool_pg_open(const char *uri, int flags, struct spool **out,
		  struct spool_err *err)
{
	(void)flags;
	*out = NULL;
	return spool_seterr(err, SPOOL_INVALID, "%s: the PostgreSQL spool is not built yet", uri);
}
