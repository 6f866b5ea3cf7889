/* spool/pg/watch.c: hearing of other nodes' changes through LISTEN/NOTIFY.
 *
 * Every change to crontabs and at jobs runs NOTIFY crond_change in its
 * transaction (pg_announce); PostgreSQL delivers it to every listening
 * session when, and only if, that transaction commits.
 *
 * The watch has a connection of its own, which runs LISTEN and nothing
 * else, and its socket is the watcher's descriptor: readable exactly when
 * the server sent something (a notification, or the connection's end).
 * On the connection that also runs the watcher's queries, libpq would read
 * a notification arriving during a query along with the query's answer,
 * and the socket would not turn readable for it: a heartbeat at the wrong
 * moment would hide a change until the next resync.
 *
 * A watch lives as long as its connection: if that breaks, drain fails
 * (SPOOL_IO) and keeps failing until the watcher starts again (which
 * connects anew) and resyncs, since announcements sent meanwhile are lost.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "spool/pg/internal.h"

/* Reads per drain at most: notifications arriving faster than this are
 * left for the next drain (the socket stays readable). */
#define DRAIN_READS_MAX 16

static void stop_watch(struct spool_pg *c)
{
	if (c->watch != NULL)
		PQfinish(c->watch);
	c->watch = NULL;
}

/* Fails the watch: SPOOL_IO naming the connection's last error. */
static int watch_lost(struct spool *sp, struct spool_err *err)
{
	char line[SPOOL_ERR_MSG_MAX / 2];
	const char *m = PQerrorMessage(pg(sp)->watch);
	snprintf(line, sizeof line, "%s", m != NULL && m[0] != '\0' ? m : "connection lost");
	line[strcspn(line, "\n")] = '\0';
	stop_watch(pg(sp));
	return spool_seterr(err, SPOOL_IO, "%s: watch: database unreachable: %s",
			    sp->path, line);
}

int pg_watch_start(struct spool *sp, int *fd, struct spool_err *err)
{
	struct spool_pg *c = pg(sp);
	*fd = -1;
	if (c->watch != NULL && PQstatus(c->watch) == CONNECTION_OK) {
		*fd = PQsocket(c->watch);
		return SPOOL_OK;
	}
	stop_watch(c);
	/* While the database is down, fail at once, within the back-off. */
	int code = pg_connected(sp, err);
	if (code == SPOOL_OK)
		code = pg_new_conn(sp, &c->watch, err);
	if (code != SPOOL_OK)
		return code;
	PGresult *r = PQexec(c->watch, "LISTEN crond_change");
	bool ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok || PQsocket(c->watch) < 0)
		return watch_lost(sp, err);
	*fd = PQsocket(c->watch);
	return SPOOL_OK;
}

int pg_watch_drain(struct spool *sp, bool *changed, struct spool_err *err)
{
	struct spool_pg *c = pg(sp);
	*changed = false;
	if (c->watch == NULL)
		return spool_seterr(err, SPOOL_IO, "%s: watch: the connection was lost;"
				    " start watching again", sp->path);
	/* One read may stop short of the stream's end (a server shutting
	 * down sends its farewell, then closes): read until the socket has
	 * nothing more, so a lost connection shows now, not at the next poll. */
	for (int reads = 0; reads < DRAIN_READS_MAX; reads++) {
		if (PQconsumeInput(c->watch) == 0 || PQstatus(c->watch) != CONNECTION_OK)
			return watch_lost(sp, err);
		struct pollfd p = { .fd = PQsocket(c->watch), .events = POLLIN };
		if (poll(&p, 1, 0) <= 0)
			break;   /* nothing more (or EINTR: the next drain reads on) */
	}
	PGnotify *n;
	while ((n = PQnotifies(c->watch)) != NULL) {
		*changed = true;
		PQfreemem(n);
	}
	return SPOOL_OK;
}
