/* spool/pg/schema.c: the PostgreSQL schema, as an ordered list of
 * migrations (the SQL of each in one place, below).
 *
 * The table schema_version holds one row: the number of migrations
 * applied. Opening a database applies the missing ones in order, each in
 * its own transaction together with its version bump, under a
 * session-level advisory lock: nodes that start together queue on the
 * lock, and each re-reads the version once it holds it, in a transaction
 * begun after the lock was granted, so every migration runs once. (A lock
 * taken inside the migrating transaction is not enough: that transaction's
 * catalog lookups may keep answering "no such table" from before the lock
 * was granted, and its CREATE then collides with the other node's.) A database with a higher version than this list is refused:
 * an older program must not write a schema it does not know. Append only:
 * never edit a migration that has shipped.
 *
 * Types: user bytes are bytea (see internal.h); times are bigint seconds
 * since the epoch, run history times milliseconds; uids and gids bigint
 * (a uid_t does not fit PostgreSQL's signed integer). Numbers the contract
 * counts come from the counter table, one row each (internal.h says why).
 */
#include <stdio.h>

#include "spool/pg/internal.h"

/* Held by the session that migrates: a fixed key of crond's own ("crond"
 * in ASCII). */
#define MIGRATION_LOCK "SELECT pg_advisory_lock(435778119268)"
#define MIGRATION_UNLOCK "SELECT pg_advisory_unlock(435778119268)"

static const char *const migrations[] = {
	/* 1: everything the SQLite schema reached in its version 5, plus the
	 * cluster's own tables: claims of scheduled runs and node heartbeats. */
	"CREATE TABLE schema_version ("
	"  version integer NOT NULL"
	");"
	"INSERT INTO schema_version (version) VALUES (0);"

	/* generation: crontab changes; at_job: at job ids. */
	"CREATE TABLE counter ("
	"  name text PRIMARY KEY,"
	"  value bigint NOT NULL"
	");"
	"INSERT INTO counter (name, value) VALUES ('generation', 0), ('at_job', 0);"

	/* A removed crontab is a tombstone (body NULL, removed true), so
	 * "changes since G" includes removals. */
	"CREATE TABLE crontab ("
	"  owner bytea PRIMARY KEY,"
	"  uid bigint NOT NULL,"
	"  body bytea,"
	"  installed_at bigint NOT NULL,"
	"  installed_by bigint NOT NULL,"
	"  generation bigint NOT NULL UNIQUE,"
	"  removed boolean NOT NULL"
	");"

	/* A finished job's row is deleted; env is the NAME=VALUE strings,
	 * each followed by a NUL byte; node: who claimed it. */
	"CREATE TABLE at_job ("
	"  id bigint PRIMARY KEY,"
	"  queue text NOT NULL CHECK (queue ~ '^[a-zA-Z]$'),"
	"  owner bytea NOT NULL,"
	"  uid bigint NOT NULL,"
	"  gid bigint NOT NULL,"
	"  run_at bigint NOT NULL,"
	"  created_at bigint NOT NULL,"
	"  script bytea NOT NULL,"
	"  env bytea NOT NULL,"
	"  cwd bytea NOT NULL,"
	"  umask integer NOT NULL CHECK (umask BETWEEN 0 AND 511),"
	"  mail text NOT NULL,"
	"  mail_to bytea,"
	"  state text NOT NULL CHECK (state IN ('waiting', 'running', 'interrupted')),"
	"  pid integer NOT NULL DEFAULT 0,"
	"  started_at bigint NOT NULL DEFAULT 0,"
	"  node text"
	");"
	"CREATE INDEX at_job_due ON at_job (state, run_at, id);"
	"CREATE INDEX at_job_uid ON at_job (uid, run_at, id);"

	/* Run history, recorded from a run's start: flags & 64
	 * (SPOOL_RUN_RUNNING) until it ends. run_running holds only running
	 * records, by node: recovery and reaping read just those. Queries
	 * must spell the condition exactly so to use it. */
	"CREATE TABLE run ("
	"  id bigserial PRIMARY KEY,"
	"  kind text NOT NULL CHECK (kind IN ('cron', 'at')),"
	"  owner bytea NOT NULL,"
	"  uid bigint NOT NULL,"
	"  entry_key bytea NOT NULL,"
	"  command bytea NOT NULL,"
	"  scheduled_ms bigint NOT NULL,"
	"  start_ms bigint NOT NULL,"
	"  end_ms bigint NOT NULL,"
	"  exit_code integer NOT NULL,"
	"  signal integer NOT NULL,"
	"  flags integer NOT NULL,"
	"  output_head bytea NOT NULL,"
	"  output_total bigint NOT NULL,"
	"  node text"
	");"
	"CREATE INDEX run_start ON run (start_ms);"
	"CREATE INDEX run_entry ON run (entry_key, start_ms);"
	"CREATE INDEX run_uid ON run (uid, start_ms);"
	"CREATE INDEX run_running ON run (node, id) WHERE flags & 64 <> 0;"

	/* A scheduled run of a shared entry belongs to the node whose claim
	 * inserted its row first. claim_scheduled: the age prune (prune.c)
	 * finds the old claims through it, oldest first, instead of reading
	 * the whole table. */
	"CREATE TABLE claim ("
	"  entry_key bytea NOT NULL,"
	"  scheduled_ms bigint NOT NULL,"
	"  node text NOT NULL,"
	"  run_id bigint NOT NULL,"
	"  PRIMARY KEY (entry_key, scheduled_ms)"
	");"
	"CREATE INDEX claim_scheduled ON claim (scheduled_ms);"

	"CREATE TABLE entry_state ("
	"  entry_key bytea PRIMARY KEY,"
	"  last_scheduled bigint NOT NULL,"
	"  last_start bigint NOT NULL"
	");"

	"CREATE TABLE meta ("
	"  name bytea PRIMARY KEY,"
	"  value bytea NOT NULL"
	");"

	/* Heartbeats, by the database's clock (ms). */
	"CREATE TABLE node ("
	"  name text PRIMARY KEY,"
	"  beat_ms bigint NOT NULL,"
	"  first_ms bigint NOT NULL"
	");",
};

#define LATEST ((int)(sizeof migrations / sizeof *migrations))

_Static_assert(LATEST == PG_SCHEMA_VERSION, "PG_SCHEMA_VERSION names the last migration");

/* The version inside the caller's transaction into *VERSION: 0 when there
 * is no schema_version table (an empty database) or, unless STRICT, when
 * its row is not visible to this transaction's snapshot; STRICT: a table
 * without exactly one row is SPOOL_CORRUPT. */
static int read_version(struct spool *sp, bool strict, int *version, struct spool_err *err)
{
	PGresult *r = NULL;
	*version = 0;
	int code = pg_query(sp, "SELECT to_regclass('schema_version') IS NOT NULL",
			    NULL, &r, "read schema version", err);
	if (code != SPOOL_OK)
		return code;
	bool present = PQntuples(r) == 1 && pg_int(r, 0, 0) != 0;
	PQclear(r);
	if (!present)
		return SPOOL_OK;
	code = pg_query(sp, "SELECT version FROM schema_version", NULL, &r,
			"read schema version", err);
	if (code != SPOOL_OK)
		return code;
	if (!strict && PQntuples(r) == 0)
		*version = 0;   /* made after this snapshot: see version_txn */
	else if (PQntuples(r) != 1 || pg_isnull(r, 0, 0))
		code = spool_seterr(err, SPOOL_CORRUPT, "%s: schema_version must hold"
				    " one row (it holds %d)", sp->path, PQntuples(r));
	else
		*version = (int)pg_int(r, 0, 0);
	PQclear(r);
	return code;
}

static int version_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	/* A snapshot (repeatable read) taken just before another node
	 * committed the schema sees its table in the catalog but not yet its
	 * row: that reads as "no schema yet", and the locked migration reads
	 * again, strictly, in a transaction begun after the lock. */
	return read_version(sp, false, ctx, err);
}

static int migrate_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	int target = *(const int *)ctx;
	int version = 0;
	int code = read_version(sp, true, &version, err);
	if (code != SPOOL_OK || version >= target)
		return code;   /* another node got there first */
	char what[64];
	snprintf(what, sizeof what, "upgrade to schema version %d", target);
	code = pg_exec(sp, migrations[target - 1], what, err);
	if (code != SPOOL_OK)
		return code;
	struct pg_params p = { 0 };
	pg_param_int(&p, target);
	return pg_query(sp, "UPDATE schema_version SET version = $1", &p, NULL, what, err);
}

int pg_schema_upgrade(struct spool *sp, struct spool_err *err)
{
	int version = 0;
	int code = pg_txn(sp, PG_READ, version_txn, &version, err);
	if (code != SPOOL_OK)
		return code;
	if (version == 0 && !(sp->flags & SPOOL_CREATE))
		return spool_seterr(err, SPOOL_NOT_FOUND, "%s: the database holds no"
				    " crond spool (the daemon creates it)", sp->path);
	code = spool_schema_check(sp, version, LATEST, err);
	if (code != SPOOL_OK)
		return code;
	if (version == LATEST)
		return SPOOL_OK;
	code = pg_exec(sp, MIGRATION_LOCK, "lock the schema", err);
	for (int target = version + 1; code == SPOOL_OK && target <= LATEST; target++)
		code = pg_txn(sp, PG_WRITE, migrate_txn, &target, err);
	/* Closing the session would release it too: a failed unlock is
	 * harmless once the migrations are over. */
	(void)pg_exec(sp, MIGRATION_UNLOCK, "unlock the schema", NULL);
	return code;
}
