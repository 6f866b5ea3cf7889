/* spool/pg/history.c: the run history on a PostgreSQL spool (spool/history.c
 * orchestrates): records begun
 * when runs start and completed when they end, or appended whole, in
 * batches; recovery of the records a crash left running; queries, newest
 * first. Pruning is in prune.c, claims in claim.c, lost nodes in reap.c.
 *
 * Every record names the node that wrote it (the connection's node), and
 * recovery touches only the recovering node's records: on a shared spool
 * other nodes' runs may be going.
 *
 * A record completes the running record its id names; it also completes
 * one that a survivor ended as interrupted because the node seemed lost
 * (SPOOL_RUN_INTERRUPTED | SPOOL_RUN_NODE_LOST, reap.c), replacing that
 * guess with what happened: a node that comes back after being declared
 * lost leaves one true record, not two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

int pg_run_insert(struct spool *sp, const struct spool_run *r, const char *node,
		  int64_t *id, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *res = NULL;
	pg_param_text(&p, r->kind == SPOOL_RUN_AT ? "at" : "cron");
	pg_param_str(&p, r->owner);
	pg_param_int(&p, r->uid);
	pg_param_str(&p, r->entry_key);
	pg_param_str(&p, r->command);
	pg_param_int(&p, r->scheduled_ms);
	pg_param_int(&p, r->start_ms);
	pg_param_int(&p, r->end_ms);
	pg_param_int(&p, r->exit_code);
	pg_param_int(&p, r->signal);
	pg_param_int(&p, r->flags);
	pg_param_bytes(&p, r->output, r->output_len);
	pg_param_int(&p, r->output_total);
	pg_param_text(&p, node);
	int code = pg_query(sp, "INSERT INTO run (kind, owner, uid, entry_key, command,"
			    " scheduled_ms, start_ms, end_ms, exit_code, signal, flags,"
			    " output_head, output_total, node) VALUES ($1, $2, $3, $4, $5,"
			    " $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
			    &p, &res, "append history", err);
	if (code != SPOOL_OK)
		return code;
	if (id != NULL)
		*id = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return SPOOL_OK;
}

/* Writes R's end (end_ms, exit code, signal, flags, output: parameters $1
 * to $6) into the record that WHERE picks; its other parameters are R's id
 * ($7, ID_ONLY) or, else, this node, R's entry key, scheduled and start
 * instants and kind ($7 to $11). *CHANGED says whether a record took it. */
static int write_end(struct spool *sp, const struct spool_run *r, bool id_only,
		     const char *where, bool *changed, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *res = NULL;
	pg_param_int(&p, r->end_ms);
	pg_param_int(&p, r->exit_code);
	pg_param_int(&p, r->signal);
	pg_param_int(&p, r->flags);
	pg_param_bytes(&p, r->output, r->output_len);
	pg_param_int(&p, r->output_total);
	if (id_only) {
		pg_param_int(&p, r->id);
	} else {
		pg_param_text(&p, sp->node);
		pg_param_str(&p, r->entry_key);
		pg_param_int(&p, r->scheduled_ms);
		pg_param_int(&p, r->start_ms);
		pg_param_text(&p, r->kind == SPOOL_RUN_AT ? "at" : "cron");
	}
	char sql[512];
	snprintf(sql, sizeof sql, "UPDATE run SET end_ms = $1, exit_code = $2, signal = $3,"
		 " flags = $4, output_head = $5, output_total = $6 WHERE %s", where);
	int code = pg_query(sp, sql, &p, &res, "end history record", err);
	if (code != SPOOL_OK)
		return code;
	*changed = pg_changes(res) > 0;
	PQclear(res);
	return SPOOL_OK;
}

int pg_run_end(struct spool *sp, const struct spool_run *r, struct spool_err *err)
{
	bool changed = false;
	int code;
	if (r->id == 0)
		/* Its begin may have committed all the same, its answer lost
		 * (txn.c: the outcome of a commit cut off is unknown): then this
		 * node holds a running record of the same run, completed here
		 * rather than a second appended. flags & 64 <> 0 and node, as the
		 * index run_running spells them. */
		code = write_end(sp, r, false, "id = (SELECT id FROM run WHERE node = $7"
				 " AND flags & 64 <> 0 AND entry_key = $8 AND scheduled_ms = $9"
				 " AND start_ms = $10 AND kind = $11 ORDER BY id LIMIT 1)",
				 &changed, err);
	else
		/* 64: SPOOL_RUN_RUNNING; 4100: SPOOL_RUN_INTERRUPTED |
		 * SPOOL_RUN_NODE_LOST; or this very end already written: a retry
		 * of an end whose commit's answer was lost, which must not append
		 * a second record. */
		code = write_end(sp, r, true, "id = $7 AND (flags & 64 <> 0 OR flags & 4100 = 4100"
				 " OR (end_ms = $1 AND exit_code = $2 AND signal = $3 AND flags = $4))",
				 &changed, err);
	if (code != SPOOL_OK || changed)
		return code;
	/* No id, gone (pruned, deleted by hand) or ended otherwise: keep the
	 * result. */
	return pg_run_insert(sp, r, sp->node, NULL, err);
}

int pg_run_read_row(struct spool *sp, const PGresult *res, int row, struct spool_run *r,
		    struct spool_err *err)
{
	struct spool_run_bytes b;
	const void *kind;
	size_t kindlen;
	memset(r, 0, sizeof *r);
	pg_bytes(res, row, 1, &kind, &kindlen);
	pg_bytes(res, row, 2, &b.owner, &b.olen);
	pg_bytes(res, row, 4, &b.key, &b.klen);
	pg_bytes(res, row, 5, &b.command, &b.clen);
	pg_bytes(res, row, 12, &b.output, &b.outlen);
	pg_bytes(res, row, 14, &b.node, &b.nlen);
	if (b.owner == NULL || b.key == NULL || b.command == NULL || b.output == NULL ||
	    kind == NULL || b.nlen > SPOOL_NODE_MAX)
		return spool_seterr(err, SPOOL_CORRUPT, "%s: history record %lld is"
				    " malformed", sp->path, (long long)pg_int(res, row, 0));
	int code = spool_run_strings(sp, r, &b, err);
	if (code != SPOOL_OK)
		return code;
	r->id = pg_int(res, row, 0);
	r->kind = kindlen == 2 && memcmp(kind, "at", 2) == 0 ? SPOOL_RUN_AT : SPOOL_RUN_CRON;
	r->uid = (uid_t)pg_int(res, row, 3);
	r->scheduled_ms = pg_int(res, row, 6);
	r->start_ms = pg_int(res, row, 7);
	r->end_ms = pg_int(res, row, 8);
	r->exit_code = (int)pg_int(res, row, 9);
	r->signal = (int)pg_int(res, row, 10);
	r->flags = (unsigned)pg_int(res, row, 11);
	r->output_total = pg_int(res, row, 13);
	return SPOOL_OK;
}

int pg_run_insert_own(struct spool *sp, const struct spool_run *r, int64_t *id,
		      struct spool_err *err)
{
	return pg_run_insert(sp, r, sp->node, id, err);
}

int pg_run_read_rows(struct spool *sp, const PGresult *res, struct spool_run **out,
		     size_t *n, struct spool_err *err)
{
	size_t rows = (size_t)PQntuples(res);
	*out = NULL;
	*n = 0;
	if (rows == 0)
		return SPOOL_OK;
	struct spool_run *v = calloc(rows, sizeof *v);
	if (v == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (size_t i = 0; i < rows; i++) {
		int code = pg_run_read_row(sp, res, (int)i, &v[i], err);
		if (code != SPOOL_OK) {
			spool_runs_free(v, i);
			return code;
		}
	}
	*out = v;
	*n = rows;
	return SPOOL_OK;
}

/* $2 to $6 of a history query: F's uid (NULL: any), since, limit and
 * cursor (INT64_MAX for both when none). */
static void bind_filter(struct pg_params *p, const struct spool_history_filter *f)
{
	if (f->by_uid)
		pg_param_int(p, f->uid);
	else
		pg_param_text(p, NULL);
	pg_param_int(p, f->since_ms);
	pg_param_int(p, (int64_t)f->limit);
	pg_param_int(p, f->before ? f->before_start_ms : INT64_MAX);
	pg_param_int(p, f->before ? f->before_id : INT64_MAX);
}

int pg_history_query(struct spool *sp, const struct spool_history_filter *f,
		     struct spool_run **out, size_t *n, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *res = NULL;
	pg_param_str(&p, f->entry_key);
	bind_filter(&p, f);
	/* One statement per shape of filter, each with conditions its index
	 * serves (statements are prepared: a generic plan of "$1 IS NULL OR
	 * entry_key = $1" could use no index). Brief: an empty head and 0 in
	 * the output's places, so the server never reads (or detoasts) a
	 * record's output, and an empty command.
	 * The cursor (spool_history_filter.before): strictly older than
	 * ($5, $6), INT64_MAX for both when none; the start_ms bound lets the
	 * start_ms indexes serve it. */
#define RUN_ORDER " AND start_ms >= $3::bigint AND start_ms <= $5::bigint" \
	" AND (start_ms < $5::bigint OR id < $6::bigint)" \
	" ORDER BY start_ms DESC, id DESC LIMIT $4::bigint"
	const char *sql;
	if (f->entry_key != NULL && f->brief)
		sql = "SELECT id, kind, owner, uid, entry_key, '\\x'::bytea, scheduled_ms, start_ms,"
		      " end_ms, exit_code, signal, flags, '\\x'::bytea, 0::bigint, node FROM run"
		      " WHERE entry_key = $1::bytea AND ($2::bigint IS NULL OR uid = $2::bigint)"
		      RUN_ORDER;
	else if (f->entry_key != NULL)
		sql = "SELECT " PG_RUN_COLUMNS " FROM run WHERE entry_key = $1::bytea"
		      " AND ($2::bigint IS NULL OR uid = $2::bigint)" RUN_ORDER;
	else if (f->by_uid)
		sql = "SELECT " PG_RUN_COLUMNS " FROM run WHERE $1::bytea IS NULL"
		      " AND uid = $2::bigint" RUN_ORDER;
	else
		sql = "SELECT " PG_RUN_COLUMNS " FROM run WHERE $1::bytea IS NULL"
		      " AND $2::bigint IS NULL" RUN_ORDER;
#undef RUN_ORDER
	int code = pg_query(sp, sql, &p, &res, "query history", err);
	if (code != SPOOL_OK)
		return code;
	code = pg_run_read_rows(sp, res, out, n, err);
	PQclear(res);
	return code;
}

/* The keys as one bytea (each key's bytes, one after the other) and their
 * lengths as an array literal ("{3,12}"), new strings into *BYTES and
 * *LENS; -1 out of memory. */
static int pack_keys(const char *const *keys, size_t n_keys, char **bytes, size_t *len,
		     char **lens)
{
	size_t total = 0;
	for (size_t i = 0; i < n_keys; i++)
		total += strlen(keys[i]);
	*bytes = malloc(total + 1);
	*lens = malloc(n_keys * 12 + 3);   /* a length is at most 10 digits, and a comma */
	if (*bytes == NULL || *lens == NULL) {
		free(*bytes);
		free(*lens);
		return -1;
	}
	char *b = *bytes, *l = *lens;
	*l++ = '{';
	for (size_t i = 0; i < n_keys; i++) {
		size_t k = strlen(keys[i]);
		memcpy(b, keys[i], k);
		b += k;
		l += sprintf(l, "%s%zu", i > 0 ? "," : "", k);
	}
	strcpy(l, "}");
	*len = total;
	return 0;
}

/* Every key's records in one statement, one round trip instead of one a
 * key: the keys come packed in $1 (their lengths in $7) and each is cut
 * out again for a lateral query of its own, served by run_entry like a
 * single key's; the key's place (ord) comes last in a row, and orders the
 * rows key by key. */
int pg_history_query_keys(struct spool *sp, const struct spool_history_filter *f,
			  const char *const *keys, size_t n_keys, struct spool_run **out,
			  size_t *counts, size_t *n, struct spool_err *err)
{
	*out = NULL;
	*n = 0;
	char *bytes = NULL, *lens = NULL;
	size_t len = 0;
	if (pack_keys(keys, n_keys, &bytes, &len, &lens) < 0)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	struct pg_params p = { 0 };
	pg_param_bytes(&p, bytes, len);
	bind_filter(&p, f);
	pg_param_text(&p, lens);
#define KEYS_FROM "WITH k AS (SELECT u.ord, u.len, sum(u.len) OVER (ORDER BY u.ord) - u.len + 1" \
	" AS off FROM unnest($7::int[]) WITH ORDINALITY AS u(len, ord))" \
	" SELECT r.*, k.ord FROM k CROSS JOIN LATERAL (SELECT "
#define KEYS_WHERE " FROM run WHERE entry_key = substring($1::bytea FROM k.off::int FOR k.len)" \
	" AND ($2::bigint IS NULL OR uid = $2::bigint)" \
	" AND start_ms >= $3::bigint AND start_ms <= $5::bigint" \
	" AND (start_ms < $5::bigint OR id < $6::bigint)" \
	" ORDER BY start_ms DESC, id DESC LIMIT $4::bigint) r" \
	" ORDER BY k.ord, r.start_ms DESC, r.id DESC"
	const char *sql = f->brief
		? KEYS_FROM "id, kind, owner, uid, entry_key, '\\x'::bytea AS command, scheduled_ms,"
		  " start_ms, end_ms, exit_code, signal, flags, '\\x'::bytea AS output_head,"
		  " 0::bigint AS output_total, node" KEYS_WHERE
		: KEYS_FROM PG_RUN_COLUMNS KEYS_WHERE;
#undef KEYS_FROM
#undef KEYS_WHERE
	PGresult *res = NULL;
	int code = pg_query(sp, sql, &p, &res, "query history", err);
	free(bytes);
	free(lens);
	if (code != SPOOL_OK)
		return code;
	code = pg_run_read_rows(sp, res, out, n, err);
	for (size_t i = 0; i < n_keys; i++)
		counts[i] = 0;
	for (size_t i = 0; code == SPOOL_OK && i < *n; i++) {
		int64_t ord = pg_int(res, (int)i, PG_RUN_NCOLUMNS);
		if (ord < 1 || (size_t)ord > n_keys)
			code = spool_seterr(err, SPOOL_CORRUPT, "%s: query history: a record of"
					    " key %lld of %zu", sp->path, (long long)ord, n_keys);
		else
			counts[ord - 1]++;
	}
	PQclear(res);
	return code;
}

int pg_history_recover(struct spool *sp, int64_t now_ms, struct spool_run **out,
		       size_t *n, struct spool_err *err)
{
	struct pg_params p = { 0 };
	PGresult *res = NULL;
	pg_param_int(&p, now_ms);
	pg_param_text(&p, sp->node);
	/* flags & 64 <> 0 and node = $2, as the index run_running spells it. */
	int code = pg_query(sp, "WITH ended AS (UPDATE run SET"
			    " end_ms = greatest($1::bigint, start_ms), exit_code = -1,"
			    " signal = 0, flags = (flags & ~64) | 4"
			    " WHERE flags & 64 <> 0 AND node = $2::text RETURNING *)"
			    " SELECT " PG_RUN_COLUMNS " FROM ended ORDER BY id",
			    &p, &res, "recover history", err);
	if (code != SPOOL_OK)
		return code;
	code = pg_run_read_rows(sp, res, out, n, err);
	PQclear(res);
	return code;
}
