/* spool/pg/reserve.c: the full-disk reserve and compaction (spool.h), which
 * a database spool has no use for. Compaction: the server's autovacuum
 * gives free space back. The reserve exists because an SQLite removal
 * appends pages to a write-ahead log on the node's own file system; a
 * PostgreSQL spool writes nothing on this machine, and the server guards
 * its own disk (a full one is SPOOL_FULL, which a reserve file here could
 * not relieve). So making the reserve succeeds and keeps nothing, there is
 * never one to release, and it always counts as present, so the daemon
 * never tries to make it again. */
#include "spool/pg/internal.h"

int pg_reserve_make(struct spool *sp, struct spool_err *err)
{
	(void)sp;
	(void)err;
	return SPOOL_OK;
}

int pg_reserve_release(struct spool *sp, bool for_root, uint64_t *freed,
		       struct spool_err *err)
{
	(void)for_root;
	if (freed != NULL)
		*freed = 0;
	return spool_seterr(err, SPOOL_NOT_FOUND, "%s: a database spool keeps no"
			    " reserve on this machine", sp->path);
}

bool pg_reserve_present(struct spool *sp)
{
	(void)sp;
	return true;
}

int pg_compact(struct spool *sp, unsigned max_pages, struct spool_space *space,
	       struct spool_err *err)
{
	(void)sp;
	(void)max_pages;
	(void)err;
	*space = (struct spool_space){ 0 };
	return SPOOL_OK;
}

int pg_compact_enable(struct spool *sp, uint64_t max_bytes, bool *rewritten,
		      struct spool_err *err)
{
	(void)sp;
	(void)max_bytes;
	(void)err;
	*rewritten = false;
	return SPOOL_OK;
}
