/* spool/stmt.c: every SQL statement the spool runs, named by enum stmt_id,
 * and the per-connection cache of their prepared forms.
 *
 * Keeping the SQL in one table lets a reader see every query the spool can
 * make, and lets each be prepared once per connection (with
 * SQLITE_PREPARE_PERSISTENT) rather than on every call.
 */
#include "spool/sqlite/internal.h"

/* The columns spool_history_query reads (history.c knows their order). */
#define RUN_COLUMNS \
	"SELECT id, kind, owner, uid, entry_key, command, scheduled_ms," \
	" start_ms, end_ms, exit_code, signal, flags, output_head," \
	" output_total FROM run"

/* spool_history_filter's cursor: strictly older than (?5, ?6) in the
 * newest-first order (start_ms, then id); the start_ms bound lets the
 * start_ms indexes serve it. No cursor binds INT64_MAX to both. */
#define RUN_BEFORE " AND start_ms <= ?5 AND (start_ms < ?5 OR id < ?6)"

/* Queue filters: ?N IS NULL OR instr(?N, queue) > 0 accepts a job whose
 * queue letter is in the given string (or any queue for NULL). */
static const char *const stmt_sql[ST_COUNT] = {
	[ST_SEQ_NEXT] =
		"UPDATE sequence SET last = last + 1 WHERE name = ?1 RETURNING last",
	[ST_SEQ_GET] =
		"SELECT last FROM sequence WHERE name = ?1",

	[ST_CRONTAB_PUT] =
		"INSERT INTO crontab (owner, uid, body, installed_at, installed_by,"
		" generation) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT (owner) DO UPDATE SET uid = excluded.uid,"
		" body = excluded.body, installed_at = excluded.installed_at,"
		" installed_by = excluded.installed_by,"
		" generation = excluded.generation",
	[ST_CRONTAB_TOMBSTONE] =
		"UPDATE crontab SET body = NULL, installed_at = ?2,"
		" installed_by = ?3, generation = ?4"
		" WHERE owner = ?1 AND body IS NOT NULL",
	[ST_CRONTAB_GET] =
		"SELECT owner, uid, body, installed_at, installed_by, generation"
		" FROM crontab WHERE owner = ?1 AND body IS NOT NULL",
	/* body IS NOT NULL reads only the record's header, not the text */
	[ST_CRONTAB_OWNERS] =
		"SELECT owner FROM crontab WHERE body IS NOT NULL ORDER BY owner",
	[ST_CRONTAB_CHANGES] =
		"SELECT owner, uid, body, installed_at, installed_by, generation"
		" FROM crontab WHERE generation > ?1 ORDER BY generation LIMIT ?2",

	[ST_AT_INSERT] =
		"INSERT INTO at_job (queue, owner, uid, gid, run_at, created_at,"
		" script, environ, cwd, umask, mail, mail_to)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[ST_AT_INSERT_ID] =
		"INSERT INTO at_job (queue, owner, uid, gid, run_at, created_at,"
		" script, environ, cwd, umask, mail, mail_to, id)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	/* The highest id ever given (AUTOINCREMENT keeps it), or the highest
	 * present. */
	[ST_AT_LAST_ID] =
		"SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
		" WHERE name = 'at_job'), 0),"
		" coalesce((SELECT max(id) FROM at_job), 0))",
	[ST_AT_GET] =
		"SELECT id, queue, owner, uid, gid, run_at, created_at, script,"
		" environ, cwd, umask, mail, state, pid, started_at, mail_to"
		" FROM at_job WHERE id = ?1",
	/* ?3, ?4: spool_at_filter's cursor (INT64_MIN twice: none); ?5 its
	 * limit (-1: none) */
	[ST_AT_LIST_ALL] =
		"SELECT id, queue, owner, uid, run_at, state FROM at_job"
		" WHERE (?1 IS NULL OR queue = ?1) AND (run_at > ?3 OR (run_at = ?3 AND id > ?4))"
		" ORDER BY run_at, id LIMIT ?5",
	[ST_AT_LIST_UID] =
		"SELECT id, queue, owner, uid, run_at, state FROM at_job"
		" WHERE uid = ?2 AND (?1 IS NULL OR queue = ?1)"
		" AND (run_at > ?3 OR (run_at = ?3 AND id > ?4)) ORDER BY run_at, id LIMIT ?5",
	[ST_AT_OWNER_STATE] =
		"SELECT uid, state FROM at_job WHERE id = ?1",
	[ST_AT_DELETE] =
		"DELETE FROM at_job WHERE id = ?1",
	[ST_AT_CLAIM] =
		"UPDATE at_job SET state = 'running', claimed_at = ?2"
		" WHERE id = ?1 AND state = 'waiting'",
	[ST_AT_DUE] =
		"SELECT id FROM at_job WHERE state = 'waiting' AND run_at <= ?1"
		" AND (?2 IS NULL OR instr(?2, queue) > 0)"
		" ORDER BY run_at, id LIMIT ?3",
	[ST_AT_SET_RUNNING] =
		"UPDATE at_job SET pid = ?2, started_at = ?3"
		" WHERE id = ?1 AND state = 'running'",
	[ST_AT_RECOVER_ANY] =
		"SELECT 1 FROM at_job WHERE state IN ('running', 'interrupted') LIMIT 1",
	[ST_AT_UNCLAIM] =
		"UPDATE at_job SET state = 'waiting', claimed_at = NULL"
		" WHERE state = 'running' AND (started_at IS NULL OR started_at = 0)",
	[ST_AT_INTERRUPT] =
		"UPDATE at_job SET state = 'interrupted', interrupted_at = ?1"
		" WHERE state = 'running'",
	[ST_AT_INTERRUPTED] =
		"SELECT id FROM at_job WHERE state = 'interrupted'"
		" ORDER BY run_at, id",
	[ST_AT_NEXT] =
		"SELECT run_at FROM at_job WHERE state = 'waiting'"
		" AND (?1 IS NULL OR instr(?1, queue) > 0)"
		" ORDER BY run_at, id LIMIT 1",

	/* length() of a blob reads only the record header, never the
	 * overflow pages; the working directory is text, cast to count bytes. */
	[ST_AT_USAGE] =
		"SELECT count(*), coalesce(sum(length(script) + length(environ)"
		" + length(CAST(cwd AS BLOB))), 0) FROM at_job WHERE uid = ?1",

	[ST_RUN_INSERT] =
		"INSERT INTO run (kind, owner, uid, entry_key, command,"
		" scheduled_ms, start_ms, end_ms, exit_code, signal, flags,"
		" output_head, output_total)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	/* Also the same end written again (spool.h: a retry). */
	[ST_RUN_END] =
		"UPDATE run SET end_ms = ?2, exit_code = ?3, signal = ?4, flags = ?5,"
		" output_head = ?6, output_total = ?7"
		" WHERE id = ?1 AND (flags & 64 != 0 OR (end_ms = ?2 AND exit_code = ?3"
		" AND signal = ?4 AND flags = ?5))",
	/* flags & 64 (SPOOL_RUN_RUNNING) exactly as the index run_running
	 * spells it, so these use it and never scan the history. */
	[ST_RUN_CLAIMED] =
		"SELECT 1 FROM run WHERE entry_key = ?1 AND scheduled_ms = ?2"
		" AND kind = 'cron' AND flags & 8193 = 0 LIMIT 1",   /* SKIPPED | CLOCK_SKEW */
	[ST_RUN_RUNNING] = RUN_COLUMNS
		" WHERE flags & 64 != 0 ORDER BY id",
	[ST_RUN_INTERRUPT] =
		"UPDATE run SET end_ms = max(?1, start_ms), exit_code = -1,"
		" signal = 0, flags = (flags & ~64) | 4 WHERE flags & 64 != 0",
	[ST_RUN_BY_KEY] = RUN_COLUMNS
		" WHERE entry_key = ?1 AND (?2 IS NULL OR uid = ?2)"
		" AND start_ms >= ?3" RUN_BEFORE " ORDER BY start_ms DESC, id DESC LIMIT ?4",
	/* The same without the output and the command: x'' and 0 in their
	 * columns' places, so SQLite never reads a record's output head (its
	 * overflow pages) and a status holds no commands. */
	[ST_RUN_BY_KEY_BRIEF] =
		"SELECT id, kind, owner, uid, entry_key, x'', scheduled_ms,"
		" start_ms, end_ms, exit_code, signal, flags, x'', 0 FROM run"
		" WHERE entry_key = ?1 AND (?2 IS NULL OR uid = ?2)"
		" AND start_ms >= ?3" RUN_BEFORE " ORDER BY start_ms DESC, id DESC LIMIT ?4",
	[ST_RUN_BY_UID] = RUN_COLUMNS
		" WHERE uid = ?2 AND start_ms >= ?3" RUN_BEFORE
		" ORDER BY start_ms DESC, id DESC LIMIT ?4",
	[ST_RUN_ALL] = RUN_COLUMNS
		" WHERE start_ms >= ?3" RUN_BEFORE " ORDER BY start_ms DESC, id DESC LIMIT ?4",
	[ST_RUN_PRUNE_AGE] =
		"DELETE FROM run WHERE id IN (SELECT id FROM run"
		" WHERE start_ms < ?1 AND flags & 64 = 0 ORDER BY start_ms LIMIT ?2)",
	/* A count prune (sqlite/prune.c): the entry keys, or owners but root,
	 * with more than ?2 records, from ?1 on, in order: a scan of the
	 * covering index run_entry (run_uid), no sort. */
	[ST_RUN_OVER_KEYS] =
		"SELECT entry_key FROM run WHERE entry_key >= ?1"
		" GROUP BY entry_key HAVING count(*) > ?2 ORDER BY entry_key",
	[ST_RUN_OVER_UIDS] =
		"SELECT uid FROM run WHERE uid != 0 AND uid >= ?1"
		" GROUP BY uid HAVING count(*) > ?2 ORDER BY uid",
	/* ... and one's records beyond its newest ?2, at most ?3: the same
	 * index read backwards from its newest. */
	[ST_RUN_EXCESS_KEY] =
		"SELECT id FROM run WHERE entry_key = ?1"
		" ORDER BY start_ms DESC, id DESC LIMIT ?3 OFFSET ?2",
	[ST_RUN_EXCESS_UID] =
		"SELECT id FROM run WHERE uid = ?1"
		" ORDER BY start_ms DESC, id DESC LIMIT ?3 OFFSET ?2",
	/* The queries above read only the indexes run_entry and run_uid; a
	 * running record they chose is spared here. */
	[ST_RUN_DELETE] =
		"DELETE FROM run WHERE id = ?1 AND flags & 64 = 0",

	[ST_STATE_GET] =
		"SELECT last_scheduled, last_start FROM entry_state"
		" WHERE entry_key = ?1",
	[ST_STATE_PUT] =
		"INSERT INTO entry_state (entry_key, last_scheduled, last_start)"
		" VALUES (?1, ?2, ?3) ON CONFLICT (entry_key) DO UPDATE"
		" SET last_scheduled = excluded.last_scheduled,"
		" last_start = excluded.last_start",
	/* ?2 is a zero-length blob for no upper bound: every text value
	 * sorts before every blob, and the range stays one of the index. */
	[ST_STATE_LIST] =
		"SELECT entry_key, last_scheduled, last_start FROM entry_state"
		" WHERE entry_key >= ?1 AND entry_key < ?2 ORDER BY entry_key",
	[ST_STATE_DELETE] =
		"DELETE FROM entry_state WHERE entry_key = ?1",
	[ST_META_GET] =
		"SELECT value FROM meta WHERE name = ?1",
	[ST_META_PUT] =
		"INSERT INTO meta (name, value) VALUES (?1, ?2)"
		" ON CONFLICT (name) DO UPDATE SET value = excluded.value",
};

int spool_stmt(struct spool *sp, enum stmt_id id, sqlite3_stmt **out,
	       struct spool_err *err)
{
	sqlite3_stmt *st = sq(sp)->stmt[id];
	*out = NULL;
	if (st != NULL) {
		/* A previous use may have ended early (an error): start clean.
		 * reset's result repeats that use's error, already reported. */
		(void)sqlite3_reset(st);
		int rc = sqlite3_clear_bindings(st);
		if (rc != SQLITE_OK)
			return spool_sqlerr(sp, err, rc, "clear bindings");
		*out = st;
		return SPOOL_OK;
	}
	if (stmt_sql[id] == NULL)
		return spool_seterr(err, SPOOL_IO, "%s: statement %d has no SQL",
				    sp->path, (int)id);
	int rc = sqlite3_prepare_v3(sq(sp)->db, stmt_sql[id], -1,
				    SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		int code = spool_sqlerr(sp, err, rc, "prepare");
		(void)sqlite3_finalize(st);
		return code;
	}
	sq(sp)->stmt[id] = st;
	*out = st;
	return SPOOL_OK;
}

void spool_stmt_reset_all(struct spool *sp)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (sq(sp)->stmt[i] != NULL && sqlite3_stmt_busy(sq(sp)->stmt[i]))
			(void)sqlite3_reset(sq(sp)->stmt[i]);   /* error already seen */
}

void spool_stmt_finalize_all(struct spool *sp)
{
	for (int i = 0; i < ST_COUNT; i++) {
		(void)sqlite3_finalize(sq(sp)->stmt[i]);   /* repeats a past error */
		sq(sp)->stmt[i] = NULL;
	}
}
