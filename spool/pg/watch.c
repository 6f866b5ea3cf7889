/* spool/pg/watch.c: hearing of other nodes' changes through LISTEN/NOTIFY.
 *
 * Every change to crontabs and at jobs runs NOTIFY crond_change in its
 * transaction (pg_announce); PostgreSQL delivers it to every listening
 * session when, and only if, that transaction commits. A watcher's
 * descriptor is its connection's socket: readable when the server sent
 * something (a notification, or the connection's end). Notifications that
 * arrive while the same connection runs a query are kept by libpq and
 * found by the next drain, but do not make the socket readable: a watcher
 * should use its connection for nothing else, or drain after each use.
 *
 * A watch lives as long as its connection: if the connection breaks, the
 * next drain fails (SPOOL_IO) and the watcher must start again (which
 * reconnects) and resync, since announcements sent meanwhile are lost.
 */
#include <poll.h>

#include "spool/pg/internal.h"

/* Reads per drain at most: notifications arriving faster than this are
 * left for the next drain (the socket stays readable). */
#define DRAIN_READS_MAX 16

int pg_watch_start(struct spool *sp, int *fd, struct spool_err *err)
{
	*fd = -1;
	int code = pg_connected(sp, err);
	if (code == SPOOL_OK && !pg(sp)->watching)
		code = pg_query(sp, "LISTEN crond_change", NULL, NULL, "watch", err);
	if (code == SPOOL_OK) {
		int s = PQsocket(pg(sp)->conn);
		if (s < 0)
			code = spool_seterr(err, SPOOL_IO, "%s: watch: database"
					    " unreachable: no socket", sp->path);
		else
			*fd = s;
	}
	if (code != SPOOL_OK) {
		if (pg(sp)->conn != NULL && PQstatus(pg(sp)->conn) != CONNECTION_OK)
			pg_disconnect(sp);
		return code;
	}
	pg(sp)->watching = true;
	return SPOOL_OK;
}

int pg_watch_drain(struct spool *sp, bool *changed, struct spool_err *err)
{
	struct spool_pg *c = pg(sp);
	*changed = false;
	if (c->conn == NULL || !c->watching)
		return spool_seterr(err, SPOOL_IO, "%s: watch: the connection was lost;"
				    " start watching again", sp->path);
	/* One read may stop short of the stream's end (a server shutting
	 * down sends its farewell, then closes): read until the socket has
	 * nothing more, so a lost connection shows now, not at the next poll. */
	for (int reads = 0; reads < DRAIN_READS_MAX; reads++) {
		if (PQconsumeInput(c->conn) == 0 || PQstatus(c->conn) != CONNECTION_OK) {
			int code = pg_error(sp, NULL, "watch", err);
			pg_disconnect(sp);
			return code;
		}
		struct pollfd p = { .fd = PQsocket(c->conn), .events = POLLIN };
		if (poll(&p, 1, 0) <= 0)
			break;   /* nothing more (or EINTR: the next drain reads on) */
	}
	PGnotify *n;
	while ((n = PQnotifies(c->conn)) != NULL) {
		*changed = true;
		PQfreemem(n);
	}
	return SPOOL_OK;
}
