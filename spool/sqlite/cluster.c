/* spool/sqlite/cluster.c: the cluster operations on one machine's spool:
 * there is no other node to beat for, leave, reap or watch. (Claims are in
 * history.c: they hold on one machine too.) */
#include "spool/sqlite/internal.h"

int sqlite_node_beat(struct spool *sp, int64_t now_ms, int64_t *db_now_ms,
		     struct spool_err *err)
{
	(void)sp;
	(void)err;
	if (db_now_ms != NULL)
		*db_now_ms = now_ms;
	return SPOOL_OK;
}

int sqlite_node_leave(struct spool *sp, struct spool_err *err)
{
	(void)sp;
	(void)err;
	return SPOOL_OK;
}

int sqlite_node_reap(struct spool *sp, int64_t timeout_ms, char ***lost, size_t *n,
		     struct spool_err *err)
{
	(void)sp;
	(void)timeout_ms;
	(void)err;
	if (lost != NULL)
		*lost = NULL;
	*n = 0;
	return SPOOL_OK;
}

int sqlite_watch_start(struct spool *sp, int *fd, struct spool_err *err)
{
	*fd = -1;
	return spool_seterr(err, SPOOL_INVALID, "%s: an SQLite spool is one machine's:"
			    " there are no other nodes' changes to watch", sp->path);
}

int sqlite_watch_drain(struct spool *sp, bool *changed, struct spool_err *err)
{
	*changed = false;
	return spool_seterr(err, SPOOL_INVALID, "%s: an SQLite spool cannot be watched",
			    sp->path);
}
