/* spool/pg/reap.c: lost nodes. A node whose heartbeat (node.c) is older
 * than the timeout, by the database's clock, is taken for lost by any
 * survivor: what it held is recorded as interrupted, at most once, as a
 * crash of one machine's daemon is.
 *
 * Each lost node is reaped in a transaction of its own, which starts by
 * deleting the node's row if its beat is still too old: two survivors
 * reaping at once queue on that row and the second finds it gone, and a
 * node that beat again in the meantime is left alone. Then:
 * - its running records end now (the database's clock) flagged
 *   SPOOL_RUN_INTERRUPTED | SPOOL_RUN_NODE_LOST instead of running;
 * - its claimed at jobs (running, or interrupted by its own recovery but
 *   not finished yet) are deleted, each with such a record unless a
 *   running record of it was just ended (the daemon begins one per job it
 *   starts, keyed "at:ID");
 * - its claims of cron runs stay: those runs are not run again.
 * A node that comes back later beats again (a new row). Its runs' records
 * are completed by spool_history_end as it ends them (history.c replaces
 * the survivor's guess); its at jobs are gone, so finishing one is
 * SPOOL_NOT_FOUND.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

#define DB_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

int pg_db_now_ms(struct spool *sp, int64_t *now_ms, struct spool_err *err)
{
	PGresult *r = NULL;
	*now_ms = 0;
	int code = pg_query(sp, "SELECT " DB_NOW_MS, NULL, &r, "read the database's clock", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) == 1)
		*now_ms = pg_int(r, 0, 0);
	else
		code = spool_seterr(err, SPOOL_IO, "%s: read the database's clock: no result",
				    sp->path);
	PQclear(r);
	return code;
}

struct list_ctx {
	int64_t timeout_ms;
	char **names;
	size_t n;
};

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

/* Copies column COL of row ROW (text) as a new string into *OUT. */
static int copy_text(struct spool *sp, const PGresult *r, int row, int col, char **out,
		     struct spool_err *err)
{
	const void *s;
	size_t len;
	pg_bytes(r, row, col, &s, &len);
	if ((*out = malloc(len + 1)) == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	spool_put_bytes(*out, s, len);
	return SPOOL_OK;
}

/* The nodes that look lost (candidates: each is checked again when it is
 * reaped). */
static int list_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct list_ctx *c = ctx;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	free_names(c->names, c->n);   /* a retried attempt starts over */
	c->names = NULL;
	c->n = 0;
	pg_param_int(&p, c->timeout_ms);
	pg_param_text(&p, sp->node);
	int code = pg_query(sp, "SELECT name FROM node WHERE beat_ms < " DB_NOW_MS
			    " - $1::bigint AND name <> $2::text ORDER BY name",
			    &p, &r, "find lost nodes", err);
	if (code != SPOOL_OK)
		return code;
	size_t rows = (size_t)PQntuples(r);
	if (rows > 0 && (c->names = calloc(rows, sizeof *c->names)) == NULL)
		code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; code == SPOOL_OK && i < rows; i++) {
		code = copy_text(sp, r, (int)i, 0, &c->names[i], err);
		if (code == SPOOL_OK)
			c->n = i + 1;
	}
	PQclear(r);
	return code;
}

struct reap_ctx {
	const char *node;
	int64_t timeout_ms;
	bool reaped;   /* out: the node was still lost, and is reaped */
};

/* Whether KEY is the entry key of one of R's rows (column 0). */
static bool key_in(const PGresult *r, const char *key)
{
	size_t len = strlen(key);
	for (int i = 0; i < PQntuples(r); i++) {
		const void *k;
		size_t klen;
		pg_bytes(r, i, 0, &k, &klen);
		if (klen == len && memcmp(k, key, len) == 0)
			return true;
	}
	return false;
}

/* Deletes the lost node's claimed at jobs, recording each (unless ENDED,
 * the at records just ended, holds it) as interrupted by the loss. */
static int reap_at_jobs(struct spool *sp, const char *node, int64_t now_ms,
			const PGresult *ended, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	pg_param_text(&p, node);
	int code = pg_query(sp, "DELETE FROM at_job WHERE node = $1::text"
			    " AND state IN ('running', 'interrupted')"
			    " RETURNING id, owner, uid, run_at, started_at",
			    &p, &r, "reap at jobs", err);
	if (code != SPOOL_OK)
		return code;
	char command[SPOOL_NODE_MAX + 32];
	snprintf(command, sizeof command, "at job (node %s lost)", node);
	for (int i = 0; code == SPOOL_OK && i < PQntuples(r); i++) {
		char key[32], *owner = NULL;
		snprintf(key, sizeof key, "at:%lld", (long long)pg_int(r, i, 0));
		if (key_in(ended, key))
			continue;
		code = copy_text(sp, r, i, 1, &owner, err);
		if (code != SPOOL_OK)
			break;
		int64_t started = pg_int(r, i, 4);
		struct spool_run run = {
			.kind = SPOOL_RUN_AT, .owner = owner, .uid = (uid_t)pg_int(r, i, 2),
			.entry_key = key, .command = command,
			.scheduled_ms = pg_int(r, i, 3) * 1000,
			.start_ms = started != 0 ? started * 1000 : now_ms,
			.end_ms = now_ms, .exit_code = -1,
			.flags = SPOOL_RUN_INTERRUPTED | SPOOL_RUN_NODE_LOST,
		};
		if (run.end_ms < run.start_ms)
			run.end_ms = run.start_ms;
		code = pg_run_insert(sp, &run, node, NULL, err);
		free(owner);
	}
	bool changed = PQntuples(r) > 0;
	PQclear(r);
	if (code == SPOOL_OK && changed)
		code = pg_announce(sp, err);
	return code;
}

static int reap_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct reap_ctx *c = ctx;
	struct pg_params p = { 0 };
	PGresult *r = NULL;
	int64_t now_ms = 0;
	c->reaped = false;
	pg_param_text(&p, c->node);
	pg_param_int(&p, c->timeout_ms);
	int code = pg_query(sp, "DELETE FROM node WHERE name = $1::text"
			    " AND beat_ms < " DB_NOW_MS " - $2::bigint", &p, &r,
			    "reap lost node", err);
	if (code != SPOOL_OK)
		return code;
	bool lost = pg_changes(r) == 1;
	PQclear(r);
	if (!lost)
		return SPOOL_OK;   /* it beat again, or another node reaped it */
	code = pg_db_now_ms(sp, &now_ms, err);
	if (code != SPOOL_OK)
		return code;
	struct pg_params q = { 0 };
	pg_param_int(&q, now_ms);
	pg_param_text(&q, c->node);
	/* 64: SPOOL_RUN_RUNNING, as the index run_running spells it; 4100:
	 * SPOOL_RUN_INTERRUPTED | SPOOL_RUN_NODE_LOST. */
	code = pg_query(sp, "WITH ended AS (UPDATE run SET"
			" end_ms = greatest($1::bigint, start_ms), exit_code = -1, signal = 0,"
			" flags = (flags & ~64) | 4100 WHERE flags & 64 <> 0 AND node = $2::text"
			" RETURNING kind, entry_key)"
			" SELECT entry_key FROM ended WHERE kind = 'at'", &q, &r,
			"reap lost node's runs", err);
	if (code != SPOOL_OK)
		return code;
	code = reap_at_jobs(sp, c->node, now_ms, r, err);
	PQclear(r);
	if (code == SPOOL_OK)
		c->reaped = true;
	return code;
}

int pg_node_reap(struct spool *sp, int64_t timeout_ms, char ***lost, size_t *n,
		 struct spool_err *err)
{
	struct list_ctx c = { .timeout_ms = timeout_ms };
	int code = pg_txn(sp, PG_READ, list_txn, &c, err);
	size_t kept = 0;
	for (size_t i = 0; code == SPOOL_OK && i < c.n; i++) {
		struct reap_ctx r = { .node = c.names[i], .timeout_ms = timeout_ms };
		code = pg_txn(sp, PG_WRITE, reap_txn, &r, err);
		if (code != SPOOL_OK)
			break;
		/* Kept names move down to the front; the others go now, so
		 * each name is in the array once. */
		char *name = c.names[i];
		c.names[i] = NULL;
		if (r.reaped)
			c.names[kept++] = name;
		else
			free(name);
	}
	if (code != SPOOL_OK) {
		/* The nodes reaped before the failure stay reaped (a transaction
		 * each); the next call finds the rest. */
		free_names(c.names, c.n);
		return code;
	}
	*n = kept;
	if (lost != NULL && kept > 0)
		*lost = c.names;
	else
		free_names(c.names, kept);
	return SPOOL_OK;
}
