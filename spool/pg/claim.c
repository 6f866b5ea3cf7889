/* spool/pg/claim.c: claiming scheduled runs of shared crontab entries, so
 * that each (entry, scheduled instant) runs once in the cluster.
 *
 * A run is the first claimer's: its row (entry_key, scheduled_ms) in the
 * table claim is the primary key, and INSERT ... ON CONFLICT DO NOTHING
 * RETURNING gives a row back only to the transaction whose insert made it.
 * A second claimer of the same run waits, in the unique index, for the
 * first one's transaction: when that commits it sees the conflict and
 * inserts nothing; when it rolls back the second one's insert goes ahead.
 * Clocks play no part: only the order in which the inserts reach the
 * database does. The won runs' records are written as begun by the same
 * statement, so a committed claim always has its running record and a
 * rolled-back one has neither.
 *
 * One statement claims many runs: their fields go as arrays (bytes as hex
 * text, which an array literal carries without escaping), unnest() makes
 * rows of them, and the statement answers with the position of each run
 * it won and its record's id. A claim then costs one round trip per batch
 * rather than per run (a batch is cut where its arrays would pass
 * CHUNK_BYTES, to bound the statement's size).
 *
 * A claim is the claimer's own also when it is already there, made by this
 * node with the same start instant: an earlier attempt of the same claim
 * whose commit's answer was lost (txn.c) did commit. pg_run_claim then
 * tries again at once, and the statement gives those runs back as won,
 * with their records (mine), so a cut connection neither loses the runs
 * nor leaves their records running for ever. A later claim of the same
 * run, by this node after a restart, has another start instant: lost.
 * Claims wait for a lock at most PG_SHORT_LOCK_WAIT (PG_WRITE_SHORT): a
 * claimer stalled inside its transaction holds the others' claims of the
 * same runs, and the supervisor that called must not be held with them;
 * it gets SPOOL_BUSY and tries again later.
 *
 * A call claims its runs in (entry_key, scheduled_ms) order, whatever the
 * caller's order (INSERT ... SELECT ... ORDER BY inserts in that order):
 * two nodes claiming overlapping batches then wait for each other in one
 * direction only and never deadlock. A run given twice in one call is
 * claimed once: the later copy is lost to the earlier.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

/* The most bytes of array literals one statement carries (a run's command
 * alone may take 128 KiB as hex: a larger one goes alone). */
#define CHUNK_BYTES (1024 * 1024)

/* A growing string, malloc'ed; FAILED once out of memory. */
struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void text_put(struct text *t, const char *s, size_t len)
{
	if (t->failed)
		return;
	if (t->len + len + 1 > t->cap) {
		size_t cap = t->cap == 0 ? 256 : t->cap;
		while (cap < t->len + len + 1)
			cap *= 2;
		char *n = realloc(t->s, cap);
		if (n == NULL) {
			t->failed = true;
			return;
		}
		t->s = n;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, len);
	t->len += len;
	t->s[t->len] = '\0';
}

/* Appends array element I (a separator first unless it is the first):
 * LEN bytes of B as quoted hex, or a decimal V when B is NULL. */
static void text_elem(struct text *t, size_t i, const void *b, size_t len, int64_t v)
{
	static const char digits[] = "0123456789abcdef";
	if (i > 0)
		text_put(t, ",", 1);
	if (b == NULL) {
		char num[24];
		int n = snprintf(num, sizeof num, "%" PRId64, v);
		text_put(t, num, (size_t)n);
		return;
	}
	text_put(t, "\"", 1);
	const unsigned char *p = b;
	char pair[2];
	for (size_t k = 0; k < len; k++) {
		pair[0] = digits[p[k] >> 4];
		pair[1] = digits[p[k] & 15];
		text_put(t, pair, 2);
	}
	text_put(t, "\"", 1);
}

enum { A_KEY, A_SCHEDULED, A_OWNER, A_UID, A_COMMAND, A_START, A_FLAGS, A_KIND, ARRAYS };

static const char CLAIM_SQL[] =
	"WITH input AS (SELECT decode(k, 'hex') AS entry_key, s AS scheduled_ms,"
	" decode(o, 'hex') AS owner, u AS uid, decode(c, 'hex') AS command,"
	" st AS start_ms, f AS flags, kd AS kind, ord"
	" FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[],"
	" $6::bigint[], $7::integer[], $8::text[])"
	" WITH ORDINALITY AS t (k, s, o, u, c, st, f, kd, ord)),"
	" won AS (INSERT INTO claim (entry_key, scheduled_ms, node, run_id)"
	" SELECT entry_key, scheduled_ms, $9::text,"
	" nextval(pg_get_serial_sequence('run', 'id')) FROM input ORDER BY ord"
	" ON CONFLICT DO NOTHING RETURNING entry_key, scheduled_ms, run_id),"
	" begun AS (INSERT INTO run (id, kind, owner, uid, entry_key, command,"
	" scheduled_ms, start_ms, end_ms, exit_code, signal, flags, output_head,"
	" output_total, node) SELECT w.run_id, i.kind, i.owner, i.uid, i.entry_key,"
	" i.command, i.scheduled_ms, i.start_ms, 0, -1, 0, i.flags, '\\x'::bytea, 0,"
	" $9::text FROM won w JOIN input i USING (entry_key, scheduled_ms)"
	" RETURNING id, entry_key, scheduled_ms),"
	" mine AS (SELECT i.ord, c.run_id AS id FROM claim c"
	" JOIN input i USING (entry_key, scheduled_ms) JOIN run r ON r.id = c.run_id"
	" WHERE c.node = $9::text AND r.start_ms = i.start_ms)"
	" SELECT i.ord, b.id FROM begun b JOIN input i USING (entry_key, scheduled_ms)"
	" UNION ALL SELECT ord, id FROM mine";

struct claim_ctx {
	const struct spool_run *runs;
	size_t n;
	const size_t *order;   /* indexes of RUNS in claiming order */
	const bool *repeat;    /* by position in ORDER: the same run as the one before */
	int64_t *ids;
	bool *won;
};

/* Claims the runs at positions FROM to TO - 1 of C->order (repeats left
 * out) in one statement. */
static int claim_chunk(struct spool *sp, struct claim_ctx *c, size_t from, size_t to,
		       struct spool_err *err)
{
	struct text a[ARRAYS] = { 0 };
	size_t *pos = malloc((to - from) * sizeof *pos);   /* statement row -> position */
	size_t rows = 0;
	int code = SPOOL_OK;
	if (pos == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	for (int k = 0; k < ARRAYS; k++)
		text_put(&a[k], "{", 1);
	for (size_t p = from; p < to; p++) {
		if (c->repeat[p])
			continue;
		const struct spool_run *r = &c->runs[c->order[p]];
		const char *kind = r->kind == SPOOL_RUN_AT ? "at" : "cron";
		text_elem(&a[A_KEY], rows, r->entry_key, strlen(r->entry_key), 0);
		text_elem(&a[A_SCHEDULED], rows, NULL, 0, r->scheduled_ms);
		text_elem(&a[A_OWNER], rows, r->owner, strlen(r->owner), 0);
		text_elem(&a[A_UID], rows, NULL, 0, r->uid);
		text_elem(&a[A_COMMAND], rows, r->command, strlen(r->command), 0);
		text_elem(&a[A_START], rows, NULL, 0, r->start_ms);
		text_elem(&a[A_FLAGS], rows, NULL, 0, (int64_t)(r->flags | SPOOL_RUN_RUNNING));
		if (rows > 0)
			text_put(&a[A_KIND], ",", 1);
		text_put(&a[A_KIND], kind, strlen(kind));
		pos[rows++] = p;
	}
	struct pg_params params = { 0 };
	for (int k = 0; k < ARRAYS; k++) {
		text_put(&a[k], "}", 1);
		if (a[k].failed)
			code = spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
		pg_param_text(&params, a[k].s);
	}
	pg_param_text(&params, sp->node);
	PGresult *res = NULL;
	if (code == SPOOL_OK && rows > 0)
		code = pg_query(sp, CLAIM_SQL, &params, &res, "claim runs", err);
	for (int i = 0; code == SPOOL_OK && res != NULL && i < PQntuples(res); i++) {
		int64_t row = pg_int(res, i, 0);   /* 1-based, as WITH ORDINALITY counts */
		if (row < 1 || (size_t)row > rows) {
			code = spool_seterr(err, SPOOL_IO, "%s: claim runs: row %lld out of %zu",
					    sp->path, (long long)row, rows);
			break;
		}
		size_t i_run = c->order[pos[row - 1]];
		c->ids[i_run] = pg_int(res, i, 1);
		c->won[i_run] = true;
	}
	PQclear(res);
	for (int k = 0; k < ARRAYS; k++)
		free(a[k].s);
	free(pos);
	return code;
}

/* Bytes run R adds to a statement's arrays, about. */
static size_t run_bytes(const struct spool_run *r)
{
	return 2 * (strlen(r->entry_key) + strlen(r->owner) + strlen(r->command)) + 96;
}

static int claim_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	struct claim_ctx *c = ctx;
	memset(c->ids, 0, c->n * sizeof *c->ids);   /* a retried attempt starts over */
	memset(c->won, 0, c->n * sizeof *c->won);
	size_t from = 0, bytes = 0;
	for (size_t p = 0; p < c->n; p++) {
		size_t b = run_bytes(&c->runs[c->order[p]]);
		if (p > from && bytes + b > CHUNK_BYTES) {
			int code = claim_chunk(sp, c, from, p, err);
			if (code != SPOOL_OK)
				return code;
			from = p;
			bytes = 0;
		}
		bytes += b;
	}
	return claim_chunk(sp, c, from, c->n, err);
}

/* Orders two runs' indexes by (entry_key, scheduled_ms), then by index. */
static int by_key(const void *a, const void *b, void *arg)
{
	const struct spool_run *runs = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct spool_run *x = &runs[i], *y = &runs[j];
	int c = strcmp(x->entry_key, y->entry_key);
	if (c != 0)
		return c;
	if (x->scheduled_ms != y->scheduled_ms)
		return (x->scheduled_ms > y->scheduled_ms) - (x->scheduled_ms < y->scheduled_ms);
	/* The same run twice: the caller's first copy first (it wins). */
	return (i > j) - (i < j);
}

int pg_run_claim(struct spool *sp, const struct spool_run *runs, size_t n,
		 int64_t *ids, bool *won, struct spool_err *err)
{
	size_t *order = malloc(n * sizeof *order);
	bool *repeat = calloc(n, sizeof *repeat);
	if (order == NULL || repeat == NULL) {
		free(order);
		free(repeat);
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof *order, by_key, (void *)(uintptr_t)runs);
	for (size_t p = 1; p < n; p++) {
		const struct spool_run *x = &runs[order[p - 1]], *y = &runs[order[p]];
		repeat[p] = x->scheduled_ms == y->scheduled_ms &&
			    strcmp(x->entry_key, y->entry_key) == 0;
	}
	struct claim_ctx c = { .runs = runs, .n = n, .order = order, .repeat = repeat,
			       .ids = ids, .won = won };
	int code = pg_txn(sp, PG_WRITE_SHORT, claim_txn, &c, err);
	/* Made or not? Ask again at once, on a new connection: the claims
	 * made are found as this node's own (mine, above). Until an attempt
	 * answers, the first one's outcome stays unknown, whatever else
	 * failed meanwhile (the caller keeps the runs and their start). */
	bool unknown = code == SPOOL_IO && err->unknown;
	for (int again = 0; again < 2 && unknown && code != SPOOL_OK; again++)
		code = pg_txn(sp, PG_WRITE_SHORT, claim_txn, &c, err);
	if (code != SPOOL_OK && unknown)
		err->unknown = true;
	free(order);
	free(repeat);
	if (code != SPOOL_OK) {
		memset(ids, 0, n * sizeof *ids);
		memset(won, 0, n * sizeof *won);
	}
	return code;
}
