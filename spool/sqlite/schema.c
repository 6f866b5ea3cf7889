/* spool/schema.c: the schema, as an ordered list of migrations.
 *
 * PRAGMA user_version is the number of migrations applied. Opening a
 * database applies the missing ones in order, each in its own transaction
 * together with its user_version bump, so an upgrade cut short by a crash
 * resumes where it stopped. A database with a higher version than this list
 * is refused: an older program must not write a schema it does not know.
 * Append only: never edit a migration that has shipped.
 *
 * Times are seconds since the epoch, run history times milliseconds.
 */
#include <stdio.h>

#include "spool/sqlite/internal.h"

static const char *const migrations[] = {
	/* 1: crontabs and the generation counter; small named values. A
	 * crontab row whose body is NULL is a tombstone: the owner removed
	 * it, and the generation tells readers when. */
	"CREATE TABLE meta ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE sequence ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  last INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO sequence (name, last) VALUES ('crontab_generation', 0);"
	"CREATE TABLE crontab ("
	"  owner TEXT PRIMARY KEY NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  body BLOB,"
	"  installed_at INTEGER NOT NULL,"
	"  installed_by INTEGER NOT NULL,"
	"  generation INTEGER NOT NULL UNIQUE"
	");",

	/* 2: at and batch jobs. A finished job's row is deleted; environ is
	 * the NAME=VALUE strings, each followed by a NUL byte. */
	"CREATE TABLE at_job ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  queue TEXT NOT NULL CHECK (length(queue) = 1 AND queue GLOB '[a-zA-Z]'),"
	"  owner TEXT NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  gid INTEGER NOT NULL,"
	"  run_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  script BLOB NOT NULL,"
	"  environ BLOB NOT NULL,"
	"  cwd TEXT NOT NULL,"
	"  umask INTEGER NOT NULL CHECK (umask BETWEEN 0 AND 511),"
	"  mail TEXT NOT NULL CHECK (mail IN ('default', 'always', 'never')),"
	"  state TEXT NOT NULL DEFAULT 'waiting'"
	"    CHECK (state IN ('waiting', 'running', 'interrupted')),"
	"  claimed_at INTEGER,"
	"  pid INTEGER,"
	"  started_at INTEGER,"
	"  interrupted_at INTEGER"
	");"
	"CREATE INDEX at_job_due ON at_job (state, run_at, id);"
	"CREATE INDEX at_job_uid ON at_job (uid, run_at, id);",

	/* 3: run history and per-entry state. */
	"CREATE TABLE run ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('cron', 'at')),"
	"  owner TEXT NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  entry_key TEXT NOT NULL,"
	"  command TEXT NOT NULL,"
	"  scheduled_ms INTEGER NOT NULL,"
	"  start_ms INTEGER NOT NULL,"
	"  end_ms INTEGER NOT NULL,"
	"  exit_code INTEGER NOT NULL,"
	"  signal INTEGER NOT NULL,"
	"  flags INTEGER NOT NULL,"
	"  output_head BLOB NOT NULL,"
	"  output_total INTEGER NOT NULL"
	");"
	"CREATE INDEX run_start ON run (start_ms);"
	"CREATE INDEX run_entry ON run (entry_key, start_ms);"
	"CREATE INDEX run_uid ON run (uid, start_ms);"
	"CREATE TABLE entry_state ("
	"  entry_key TEXT PRIMARY KEY NOT NULL,"
	"  last_scheduled INTEGER NOT NULL,"
	"  last_start INTEGER NOT NULL"
	") WITHOUT ROWID;",

	/* 4: a run is recorded from its start, flagged running (64,
	 * SPOOL_RUN_RUNNING) until it ends; at start-up the daemon finds the
	 * ones a crash left running through this index, which holds only
	 * them. Queries must spell the condition exactly so to use it. */
	"CREATE INDEX run_running ON run (id) WHERE flags & 64 != 0;",

	/* 5: at -u USER: the user mailed instead of the owner (NULL: the
	 * owner, as before). */
	"ALTER TABLE at_job ADD COLUMN mail_to TEXT;",
};

#define LATEST ((int)(sizeof migrations / sizeof *migrations))

_Static_assert(LATEST == SQLITE_SCHEMA_VERSION, "SQLITE_SCHEMA_VERSION names the last migration");

static int read_version(struct spool *sp, int *version, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(sq(sp)->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*version = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	int code = rc == SQLITE_OK ? SPOOL_OK
		: spool_sqlerr(sp, err, rc, "read schema version");
	(void)sqlite3_finalize(st);   /* errors already reported */
	return code;
}

static int migrate_to(struct spool *sp, void *ctx, struct spool_err *err)
{
	int target = *(const int *)ctx;
	int version = 0;
	int code = read_version(sp, &version, err);
	if (code != SPOOL_OK || version >= target)
		return code;   /* another connection got there first */
	char what[64], bump[64];
	snprintf(what, sizeof what, "upgrade to schema version %d", target);
	snprintf(bump, sizeof bump, "PRAGMA user_version = %d", target);
	code = spool_exec(sp, migrations[target - 1], what, err);
	if (code == SPOOL_OK)
		code = spool_exec(sp, bump, what, err);
	return code;
}

int spool_schema_upgrade(struct spool *sp, struct spool_err *err)
{
	int version = 0;
	int code = read_version(sp, &version, err);
	if (code != SPOOL_OK)
		return code;
	code = spool_schema_check(sp, version, LATEST, err);
	if (code != SPOOL_OK)
		return code;
	for (int target = version + 1; target <= LATEST; target++) {
		code = spool_txn(sp, TXN_WRITE, migrate_to, &target, err);
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}
