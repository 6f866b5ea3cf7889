/* spool/pg/stmt.c: statements prepared once per connection.
 *
 * Every query of the spool is one of a few dozen fixed statements, run
 * again and again (a claim, a heartbeat, an at job's start). Sent with
 * PQexecParams, each run is parsed and planned anew; prepared once, a run
 * is only bound and executed: a run claim's transaction went from about
 * 0.8 ms to 0.6 ms (pgbench -M extended against -M prepared, Unix socket).
 *
 * The cache is keyed by the statement's text (a hash, then the text), not
 * its address: a caller may build SQL at run time. It holds at most
 * STMTS_MAX statements; further ones run unprepared. It belongs to one
 * connection (pg_disconnect forgets it). A connection pooler in
 * transaction mode hands each transaction another server session, where
 * our statements do not exist (26000) or other crond's names do (42P05):
 * the first such error turns preparing off for the connection, and the
 * transaction is retried without (pg_query makes it SPOOL_BUSY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fnv.h"
#include "spool/pg/internal.h"

#define STMTS_MAX 128

struct pg_stmts {
	bool off;   /* the server lost them once: prepare nothing more */
	int n;
	struct {
		uint64_t hash;
		char *sql;
	} v[STMTS_MAX];
};

static void name_of(int i, char *buf, size_t size)
{
	snprintf(buf, size, "crond_%d", i);
}

bool pg_stmt_lost(const char *sqlstate)
{
	return sqlstate != NULL && (strcmp(sqlstate, "26000") == 0 ||
				    strcmp(sqlstate, "42P05") == 0);
}

/* The index of SQL in S, preparing it if need be: -1 to run it unprepared,
 * or -2 with *FAILED the failed preparation's result. */
static int find_or_prepare(struct spool *sp, struct pg_stmts *s, const char *sql,
			   int nparams, PGresult **failed)
{
	uint64_t h = fnv1a_str(sql);
	for (int i = 0; i < s->n; i++)
		if (s->v[i].hash == h && strcmp(s->v[i].sql, sql) == 0)
			return i;
	if (s->n == STMTS_MAX)
		return -1;
	char *copy = strdup(sql);
	if (copy == NULL)
		return -1;   /* unprepared still works */
	char name[24];
	name_of(s->n, name, sizeof name);
	PGresult *r = PQprepare(pg(sp)->conn, name, sql, nparams, NULL);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
		free(copy);
		if (r != NULL && pg_stmt_lost(PQresultErrorField(r, PG_DIAG_SQLSTATE)))
			s->off = true;
		*failed = r;
		return -2;
	}
	PQclear(r);
	s->v[s->n].hash = h;
	s->v[s->n].sql = copy;
	return s->n++;
}

PGresult *pg_stmt_exec(struct spool *sp, const char *sql, const struct pg_params *p)
{
	struct spool_pg *c = pg(sp);
	int n = p != NULL ? p->n : 0;
	const char *const *values = n > 0 ? p->values : NULL;
	const int *lengths = n > 0 ? p->lengths : NULL;
	const int *formats = n > 0 ? p->formats : NULL;
	if (c->stmts == NULL)
		c->stmts = calloc(1, sizeof *c->stmts);   /* NULL: unprepared */
	int i = -1;
	PGresult *failed = NULL;
	if (c->stmts != NULL && !c->stmts->off)
		i = find_or_prepare(sp, c->stmts, sql, n, &failed);
	if (i == -2)
		return failed;
	if (i == -1)
		return PQexecParams(c->conn, sql, n, NULL, values, lengths, formats, 1);
	char name[24];
	name_of(i, name, sizeof name);
	PGresult *r = PQexecPrepared(c->conn, name, n, values, lengths, formats, 1);
	if (r != NULL && pg_stmt_lost(PQresultErrorField(r, PG_DIAG_SQLSTATE)))
		c->stmts->off = true;
	return r;
}

void pg_stmts_free(struct spool *sp)
{
	struct pg_stmts *s = pg(sp)->stmts;
	if (s == NULL)
		return;
	for (int i = 0; i < s->n; i++)
		free(s->v[i].sql);
	free(s);
	pg(sp)->stmts = NULL;
}
