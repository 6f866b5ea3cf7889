/* spool/pg/node.c: this node's heartbeat. The beat's time is the
 * database's own clock, read in the same statement that writes it, so every
 * node judges every other's beats by one clock, and the caller learns how
 * far its own clock is from it. (Finding lost nodes is pg_node_reap.) */
#include "spool/pg/internal.h"

/* The database's clock in milliseconds: clock_timestamp(), not now(),
 * which is the transaction's start. */
#define DB_NOW_MS "(extract(epoch from clock_timestamp()) * 1000)::bigint"

static int beat_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	int64_t *db_now = ctx;
	PGresult *r = NULL;
	*db_now = 0;
	struct pg_params p = { 0 };
	pg_param_text(&p, sp->node);
	int code = pg_query(sp, "INSERT INTO node (name, beat_ms, first_ms)"
			    " SELECT $1, t.ms, t.ms FROM (SELECT " DB_NOW_MS " AS ms) t"
			    " ON CONFLICT (name) DO UPDATE SET beat_ms = excluded.beat_ms"
			    " RETURNING beat_ms", &p, &r, "heartbeat", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) != 1)
		code = spool_seterr(err, SPOOL_IO, "%s: heartbeat: no row returned",
				    sp->path);
	else
		*db_now = pg_int(r, 0, 0);
	PQclear(r);
	return code;
}

int pg_node_beat(struct spool *sp, int64_t now_ms, int64_t *db_now_ms,
		 struct spool_err *err)
{
	(void)now_ms;   /* the database's clock is the beat's time */
	int64_t db_now = 0;
	int code = pg_txn(sp, PG_WRITE, beat_txn, &db_now, err);
	if (db_now_ms != NULL)
		*db_now_ms = code == SPOOL_OK ? db_now : 0;
	return code;
}
