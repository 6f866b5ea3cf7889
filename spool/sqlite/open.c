/* spool/open.c: opening and closing a connection.
 *
 * The order matters: the file-system checks come before SQLite touches the
 * file; the connection is made defensive before it reads anything from the
 * file (a hostile or damaged schema must not run code); WAL mode and
 * synchronous=FULL are set before the schema upgrade writes; quick_check, when
 * asked for, runs last, on the upgraded database, unless the file is as the
 * daemon's clean stop left it (clean.c).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "spool/sqlite/internal.h"

/* How long one statement waits for another connection's lock. */
#define BUSY_TIMEOUT_MS 5000
/* The WAL file is truncated back to this after a checkpoint. */
#define WAL_SIZE_LIMIT "4194304"

static int set_dbconfig(struct spool *sp, struct spool_err *err)
{
	static const struct {
		int op;
		int value;
		const char *name;
	} options[] = {
		{ SQLITE_DBCONFIG_DEFENSIVE, 1, "defensive" },
		{ SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, "trusted_schema" },
		{ SQLITE_DBCONFIG_DQS_DDL, 0, "dqs_ddl" },
		{ SQLITE_DBCONFIG_DQS_DML, 0, "dqs_dml" },
		{ SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, "load_extension" },
	};
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		int now = -1;
		int rc = sqlite3_db_config(sq(sp)->db, options[i].op, options[i].value, &now);
		if (rc != SQLITE_OK)
			return spool_sqlerr(sp, err, rc, options[i].name);
		if (now != options[i].value)
			return spool_seterr(err, SPOOL_IO, "%s: cannot set %s",
					    sp->path, options[i].name);
	}
	return SPOOL_OK;
}

static int set_wal(struct spool *sp, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(sq(sp)->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		(void)sqlite3_finalize(st);
		return spool_sqlerr(sp, err, rc, "open");
	}
	int code = SPOOL_OK;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		code = spool_sqlerr(sp, err, rc, "open");
	} else {
		const unsigned char *mode = sqlite3_column_text(st, 0);
		if (mode == NULL || strcmp((const char *)mode, "wal") != 0)
			code = spool_seterr(err, SPOOL_IO, "%s: cannot use WAL mode (%s)",
					    sp->path, mode != NULL ? (const char *)mode : "?");
	}
	(void)sqlite3_finalize(st);   /* errors already reported */
	return code;
}

static int configure(struct spool *sp, struct spool_err *err)
{
	int rc = sqlite3_extended_result_codes(sq(sp)->db, 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(sq(sp)->db, BUSY_TIMEOUT_MS);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "configure");
	int code = set_dbconfig(sp, err);
	/* A new file gives its free pages back (compact.c): the mode is the
	 * file's from its first page on, which WAL mode writes. Only then:
	 * on a file already made, the pragma rewrites its first page. */
	int64_t pages = -1;
	if (code == SPOOL_OK && !(sp->flags & SPOOL_READONLY))
		code = spool_pragma_int(sp, "PRAGMA page_count", &pages, "configure", err);
	if (code == SPOOL_OK && pages == 0)
		code = spool_exec(sp, "PRAGMA auto_vacuum = INCREMENTAL", "configure", err);
	if (code == SPOOL_OK && !(sp->flags & SPOOL_READONLY))
		code = set_wal(sp, err);
	if (code == SPOOL_OK && !(sp->flags & SPOOL_READONLY)) {
		/* Keep -wal (emptied, journal_size_limit) and -shm when the last
		 * connection closes: creating both again at every start of the
		 * daemon cost more than the rest of opening the spool (a file
		 * creation is 0.3-0.5 ms on this disk, and the directory's
		 * changes stall the next lookups in it). check_companions
		 * holds them to the database's rules. */
		int persist = 1;
		rc = sqlite3_file_control(sq(sp)->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
		if (rc != SQLITE_OK)
			code = spool_sqlerr(sp, err, rc, "configure");
	}
	if (code == SPOOL_OK)
		code = spool_exec(sp, "PRAGMA synchronous = FULL;"
				  " PRAGMA foreign_keys = ON;"
				  " PRAGMA trusted_schema = OFF;"
				  " PRAGMA cell_size_check = ON;"
				  " PRAGMA journal_size_limit = " WAL_SIZE_LIMIT,
				  "configure", err);
	return code;
}

static int quick_check(struct spool *sp, struct spool_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(sq(sp)->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		(void)sqlite3_finalize(st);
		return spool_sqlerr(sp, err, rc, "quick_check");
	}
	int code = SPOOL_OK;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		code = spool_sqlerr(sp, err, rc, "quick_check");
	} else {
		const char *res = (const char *)sqlite3_column_text(st, 0);
		if (res == NULL || strcmp(res, "ok") != 0)
			code = spool_seterr(err, SPOOL_CORRUPT,
					    "%s: quick_check failed: %s",
					    sp->path, res != NULL ? res : "?");
	}
	(void)sqlite3_finalize(st);   /* errors already reported */
	return code;
}

/* Before SQLite's first use in the process: no bulk allocation of page
 * cache lines when a connection opens. SQLite's default carves 20 lines
 * (87 kB) at once and writes every one of them, though opening and
 * loading an empty spool reads 6 pages: 20 page faults and 70-100 kB of
 * resident memory of a start with no entries. Pages are allocated as they
 * are read instead; a connection's cache still grows to cache_size. A
 * failure (SQLite already initialized by some other call) only keeps the
 * default. */
static void configure_library(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)NULL, 0, 0);
}

static int open_connection(struct spool *sp, struct spool_err *err)
{
	static pthread_once_t library_once = PTHREAD_ONCE_INIT;
	(void)pthread_once(&library_once, configure_library);
	int oflags = (sp->flags & SPOOL_READONLY) ? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE;
	oflags |= SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(sp->path, &sq(sp)->db, oflags, NULL);
	if (rc != SQLITE_OK)
		return spool_sqlerr(sp, err, rc, "open");
	return SPOOL_OK;
}

int spool_sqlite_open(const char *path, int flags, struct spool **out,
		      struct spool_err *err)
{
	*out = NULL;
	int code = spool_check_path(path, flags, err);
	if (code != SPOOL_OK)
		return code;
	struct spool_sqlite *conn = calloc(1, sizeof *conn);
	struct spool *sp = conn != NULL ? &conn->base : NULL;
	if (sp == NULL || (sp->path = strdup(path)) == NULL) {
		free(conn);
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", path);
	}
	sp->ops = &spool_sqlite_ops;
	sp->flags = flags;
	/* read before SQLite opens (and may replay) anything */
	intmax_t was = 0;
	if ((flags & SPOOL_CHECK) && spool_sqlite_emptied(path, &was)) {
		free(sp->path);
		free(conn);
		return spool_seterr(err, SPOOL_CORRUPT, "%s is empty, but crond's last clean "
		                    "stop left it %jd bytes long: its crontabs, at jobs and "
		                    "history are gone; restore it from a backup, or remove "
		                    "%s-clean to start with an empty spool", path, was, path);
	}
	bool check = (flags & SPOOL_CHECK) && !spool_sqlite_unchanged(path);
	code = open_connection(sp, err);
	if (code == SPOOL_OK)
		code = configure(sp, err);
	if (code == SPOOL_OK)
		code = spool_schema_upgrade(sp, err);
	if (code == SPOOL_OK && check) {
		code = quick_check(sp, err);
		sp->checked = true;
	}
	if (code != SPOOL_OK) {
		sqlite_close(sp);
		return code;
	}
	*out = sp;
	return SPOOL_OK;
}

void sqlite_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	spool_stmt_finalize_all(sp);
	/* Every statement is finalized, so close cannot be refused; a failed
	 * final checkpoint leaves the WAL for the next open to replay. */
	(void)sqlite3_close_v2(sq(sp)->db);
	free(sp->path);
	free(sq(sp));
}
