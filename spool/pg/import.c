/* spool/pg/import.c: what importing (spool/import.c) needs of a shared
 * spool beyond the other primitives: two nodes importing one item at once
 * must not both find its mark unset.
 */
#include "spool/pg/internal.h"

/* Serializes imports of MARK across nodes for the rest of the transaction. */
int pg_import_lock(struct spool *sp, const char *mark, struct spool_err *err)
{
	struct pg_params p = { 0 };
	pg_param_str(&p, mark);
	return pg_query(sp, "SELECT pg_advisory_xact_lock(hashtext('crond import'),"
			" hashtext(encode($1, 'escape')))", &p, NULL, "lock import mark", err);
}
