/* tests/unit/test_spool_open.c: opening the spool: creation modes, the
 * refusal of unsafe files, connection settings, corrupt and truncated files,
 * schema versions and migrations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool/sqlite/internal.h"   /* to inspect the connection's settings */
#include "spool/spool.h"
#include "tests/unit/support/spool_fixture.h"

/* The tests create (or refuse to create) the spool themselves. */
static int setup(void **state)
{
	*state = spool_fixture_new("spool-open");
	return 0;
}

static int teardown(void **state)
{
	spool_fixture_free(*state);
	return 0;
}

/* Opens PATH expecting CODE; returns the message. */
static const char *open_expect(const char *path, int flags, int code)
{
	static struct spool_err err;
	struct spool *sp = (struct spool *)&err;   /* must be reset to NULL */
	memset(&err, 0, sizeof err);
	int rc = spool_open(path, flags, &sp, &err);
	if (rc != code)
		fail_msg("open %s: got %s (%s), want %s", path, spool_code_name(rc),
			 err.msg, spool_code_name(code));
	if (rc == SPOOL_OK) {
		spool_close(sp);
	} else {
		assert_null(sp);
		assert_int_equal(err.code, code);
		if (getenv("SPOOL_TEST_VERBOSE") != NULL)
			print_message("  %s\n", err.msg);
	}
	return err.msg;
}

static void make_spool(const char *path)
{
	open_expect(path, SPOOL_CREATE, SPOOL_OK);
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return v;
}

static void test_create_makes_a_private_directory_and_file(void **state)
{
	struct spool_fixture *fx = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/spool/crond.db", fx->dir);
	open_expect(path, 0, SPOOL_NOT_FOUND);
	make_spool(path);
	struct stat st;
	char dir[160];
	snprintf(dir, sizeof dir, "%s/spool", fx->dir);
	assert_int_equal(lstat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	open_expect(path, 0, SPOOL_OK);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), SQLITE_SCHEMA_VERSION);
}

static void test_schema_version_is_the_sqlite_files_own(void **state)
{
	struct spool_fixture *fx = *state;
	make_spool(fx->path);
	struct spool *sp = NULL;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, 0, &sp, &err), SPOOL_OK);
	assert_int_equal(spool_schema_version(sp), raw_int(fx->path, "PRAGMA user_version"));
	spool_close(sp);
}

static void test_missing_file_without_create_is_not_found(void **state)
{
	struct spool_fixture *fx = *state;
	const char *msg = open_expect(fx->path, SPOOL_CHECK, SPOOL_NOT_FOUND);
	assert_non_null(strstr(msg, fx->path));
	struct stat st;
	assert_int_equal(lstat(fx->path, &st), -1);
}

static void test_symlinked_database_is_refused(void **state)
{
	struct spool_fixture *fx = *state;
	char real[160], link[160];
	snprintf(real, sizeof real, "%s/real.db", fx->dir);
	snprintf(link, sizeof link, "%s/link.db", fx->dir);
	make_spool(real);
	assert_int_equal(symlink(real, link), 0);
	const char *msg = open_expect(link, 0, SPOOL_PERMISSION);
	assert_non_null(strstr(msg, "symbolic link"));
	assert_non_null(strstr(msg, link));
	open_expect(link, SPOOL_CREATE, SPOOL_PERMISSION);
	/* A dangling link is not followed to create a file either. */
	char dangling[160], target[160];
	snprintf(dangling, sizeof dangling, "%s/dangling.db", fx->dir);
	snprintf(target, sizeof target, "%s/target.db", fx->dir);
	assert_int_equal(symlink(target, dangling), 0);
	open_expect(dangling, SPOOL_CREATE, SPOOL_PERMISSION);
	struct stat st;
	assert_int_equal(lstat(target, &st), -1);
}

static void test_symlinked_directory_is_refused(void **state)
{
	struct spool_fixture *fx = *state;
	char real[160], link[160], path[200];
	snprintf(real, sizeof real, "%s/realdir", fx->dir);
	snprintf(link, sizeof link, "%s/linkdir", fx->dir);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, link), 0);
	snprintf(path, sizeof path, "%s/crond.db", link);
	const char *msg = open_expect(path, SPOOL_CREATE, SPOOL_PERMISSION);
	assert_non_null(strstr(msg, "spool directory"));
	assert_non_null(strstr(msg, "symbolic link"));
}

static void test_group_or_world_writable_file_or_directory_is_refused(void **state)
{
	struct spool_fixture *fx = *state;
	make_spool(fx->path);
	assert_int_equal(chmod(fx->path, 0620), 0);
	const char *msg = open_expect(fx->path, 0, SPOOL_PERMISSION);
	assert_non_null(strstr(msg, "group- or world-writable"));
	assert_non_null(strstr(msg, "0620"));
	assert_int_equal(chmod(fx->path, 0602), 0);
	open_expect(fx->path, 0, SPOOL_PERMISSION);
	assert_int_equal(chmod(fx->path, 0600), 0);
	open_expect(fx->path, 0, SPOOL_OK);
	assert_int_equal(chmod(fx->dir, 0770), 0);
	msg = open_expect(fx->path, 0, SPOOL_PERMISSION);
	assert_non_null(strstr(msg, "spool directory"));
	assert_int_equal(chmod(fx->dir, 01777), 0);   /* even sticky, like /tmp */
	open_expect(fx->path, 0, SPOOL_PERMISSION);
	assert_int_equal(chmod(fx->dir, 0755), 0);   /* readable is fine */
	open_expect(fx->path, 0, SPOOL_OK);
	assert_int_equal(chmod(fx->dir, 0700), 0);
}

static void test_files_owned_by_another_user_are_refused(void **state)
{
	struct spool_fixture *fx = *state;
	if (geteuid() != 0) {
		print_message("skipped: needs root to give files away\n");
		skip();
	}
	make_spool(fx->path);
	assert_int_equal(chown(fx->path, 65534, 65534), 0);
	const char *msg = open_expect(fx->path, 0, SPOOL_PERMISSION);
	assert_non_null(strstr(msg, "owned by uid 65534"));
	assert_int_equal(chown(fx->path, 0, 0), 0);
	open_expect(fx->path, 0, SPOOL_OK);
	assert_int_equal(chown(fx->dir, 65534, 65534), 0);
	msg = open_expect(fx->path, 0, SPOOL_PERMISSION);
	assert_non_null(strstr(msg, "spool directory"));
	assert_int_equal(chown(fx->dir, 0, 0), 0);
}

static void test_unsafe_wal_companion_is_refused(void **state)
{
	struct spool_fixture *fx = *state;
	make_spool(fx->path);
	char wal[160], elsewhere[160];
	snprintf(wal, sizeof wal, "%s-wal", fx->path);
	snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", fx->dir);
	unlink(wal);
	assert_int_equal(symlink(elsewhere, wal), 0);
	const char *msg = open_expect(fx->path, 0, SPOOL_PERMISSION);
	assert_non_null(strstr(msg, "-wal"));
}

static void test_directory_in_place_of_the_file_is_invalid(void **state)
{
	struct spool_fixture *fx = *state;
	assert_int_equal(mkdir(fx->path, 0700), 0);
	const char *msg = open_expect(fx->path, SPOOL_CREATE, SPOOL_INVALID);
	assert_non_null(strstr(msg, "not a regular file"));
}

static void test_bad_paths_and_flags_are_invalid(void **state)
{
	struct spool_fixture *fx = *state;
	open_expect("", SPOOL_CREATE, SPOOL_INVALID);
	open_expect(NULL, SPOOL_CREATE, SPOOL_INVALID);
	char slash[160];
	snprintf(slash, sizeof slash, "%s/", fx->dir);
	open_expect(slash, SPOOL_CREATE, SPOOL_INVALID);
	open_expect(fx->path, 1 << 10, SPOOL_INVALID);
	open_expect(fx->path, SPOOL_READONLY | SPOOL_CREATE, SPOOL_INVALID);
	struct spool *sp = NULL;
	assert_int_equal(spool_open("", 0, &sp, NULL), SPOOL_INVALID);   /* ERR may be NULL */
}

static void test_connection_is_wal_full_sync_and_defensive(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, SPOOL_CREATE, &sp, &err), SPOOL_OK);
	assert_string_equal(spool_path(sp), fx->path);
	const char *checks[][2] = {
		{ "PRAGMA journal_mode", "wal" },
		{ "PRAGMA synchronous", "2" },
		{ "PRAGMA foreign_keys", "1" },
		{ "PRAGMA trusted_schema", "0" },
		{ "PRAGMA cell_size_check", "1" },
	};
	for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(sq(sp)->db, checks[i][0], -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), checks[i][1]);
		sqlite3_finalize(st);
	}
	int on = -1;
	assert_int_equal(sqlite3_db_config(sq(sp)->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &on), SQLITE_OK);
	assert_int_equal(on, 1);
	/* Defensive: the schema cannot be written directly. */
	assert_int_not_equal(sqlite3_exec(sq(sp)->db, "PRAGMA writable_schema = ON;"
					  " UPDATE sqlite_schema SET sql = 'x'", NULL, NULL, NULL),
			     SQLITE_OK);
	/* An at job's start record is written unsynced (spool.h); every
	 * commit after it syncs again, whatever it answered. */
	assert_int_equal(spool_at_set_running(sp, 999, 42, 1, &err), SPOOL_NOT_FOUND);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(sq(sp)->db, "PRAGMA synchronous", -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
	spool_close(sp);
}

/* The WAL and its index outlive the last connection, emptied: the next
 * open creates no file, and the database reads the same. */
static void test_wal_files_are_kept_empty_across_closes(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool *sp;
	struct spool_err err;
	char wal[160], shm[160];
	snprintf(wal, sizeof wal, "%s-wal", fx->path);
	snprintf(shm, sizeof shm, "%s-shm", fx->path);
	assert_int_equal(spool_open(fx->path, SPOOL_CREATE, &sp, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_install(sp, "alice", 1, "x", 1, 0, 1, NULL, &err), 0);
	spool_close(sp);
	struct stat w, m;
	assert_int_equal(lstat(wal, &w), 0);
	assert_int_equal(lstat(shm, &m), 0);
	assert_int_equal(w.st_size, 0);   /* checkpointed into the database */
	assert_int_equal(w.st_mode & 07777, 0600);
	assert_int_equal(m.st_mode & 07777, 0600);
	assert_int_equal(spool_open(fx->path, 0, &sp, &err), SPOOL_OK);
	struct stat w2, m2;
	assert_int_equal(lstat(wal, &w2), 0);
	assert_int_equal(lstat(shm, &m2), 0);
	assert_int_equal(w2.st_ino, w.st_ino);   /* the same files, not new ones */
	assert_int_equal(m2.st_ino, m.st_ino);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(sp, "alice", &c, &err), SPOOL_OK);
	spool_crontab_free(&c);
	spool_close(sp);
}

static void test_a_text_file_is_not_a_database(void **state)
{
	struct spool_fixture *fx = *state;
	FILE *f = fopen(fx->path, "w");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("* * * * * this is a crontab, not a database\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(fx->path, 0600), 0);
	const char *msg = open_expect(fx->path, SPOOL_CREATE | SPOOL_CHECK, SPOOL_CORRUPT);
	assert_non_null(strstr(msg, fx->path));
	assert_non_null(strstr(msg, "not a database"));
}

static void overwrite(const char *path, off_t at, size_t len, unsigned char byte)
{
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	unsigned char buf[4096];
	assert_true(len <= sizeof buf);
	memset(buf, byte, len);
	assert_int_equal(pwrite(fd, buf, len, at), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* A spool with a few hundred history rows, checkpointed into the main file. */
static void make_filled_spool(const char *path)
{
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(path, SPOOL_CREATE, &sp, &err), SPOOL_OK);
	struct spool_run runs[300];
	char out[200];
	memset(out, 'o', sizeof out);
	for (int i = 0; i < 300; i++)
		runs[i] = (struct spool_run){ .owner = "alice", .uid = 1, .entry_key = "k",
			.command = "cmd", .start_ms = i, .output = out, .output_len = sizeof out };
	assert_int_equal(spool_history_append(sp, runs, 300, &err), SPOOL_OK);
	spool_close(sp);   /* the last connection checkpoints and drops the WAL */
}

static void test_overwritten_header_is_corrupt(void **state)
{
	struct spool_fixture *fx = *state;
	make_filled_spool(fx->path);
	overwrite(fx->path, 0, 16, 'X');
	const char *msg = open_expect(fx->path, 0, SPOOL_CORRUPT);
	assert_non_null(strstr(msg, fx->path));
}

static void test_damaged_page_is_caught_by_quick_check(void **state)
{
	struct spool_fixture *fx = *state;
	make_filled_spool(fx->path);
	struct stat st;
	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(st.st_size >= 4096 * 21);
	overwrite(fx->path, 4096 * 19 + 8, 3000, 0xA5);   /* inside a history page (20) */
	const char *msg = open_expect(fx->path, SPOOL_CHECK, SPOOL_CORRUPT);
	assert_non_null(strstr(msg, fx->path));
	assert_non_null(strstr(msg, "quick_check"));
	/* Without the check the spool opens; reading the bad page is an error
	 * or garbage rejected as malformed, never a crash. */
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, 0, &sp, &err), SPOOL_OK);
	struct spool_history_filter f = { .limit = 1000 };
	struct spool_run *v;
	size_t n;
	int rc = spool_history_query(sp, &f, &v, &n, &err);
	assert_true(rc == SPOOL_OK || rc == SPOOL_CORRUPT);
	if (rc == SPOOL_OK)
		spool_runs_free(v, n);
	spool_close(sp);
}

/* Opens PATH with SPOOL_CHECK, expecting success; whether the check ran. */
static bool opened_checked(const char *path)
{
	struct spool *sp;
	struct spool_err err;
	if (spool_open(path, SPOOL_CHECK, &sp, &err) != SPOOL_OK)
		fail_msg("open %s: %s", path, err.msg);
	bool checked = spool_checked(sp);
	spool_close(sp);
	return checked;
}

static void mark_clean(const char *path)
{
	struct spool_err err;
	if (spool_mark_clean(path, &err) != SPOOL_OK)
		fail_msg("mark %s: %s", path, err.msg);
}

/* quick_check reads every page; after the daemon's clean stop (the mark),
 * a start skips it while the file stays exactly as it was. */
static void test_the_clean_mark_skips_the_check_of_an_unchanged_file(void **state)
{
	struct spool_fixture *fx = *state;
	make_filled_spool(fx->path);
	assert_true(opened_checked(fx->path));     /* no mark yet */
	mark_clean(fx->path);
	assert_false(opened_checked(fx->path));
	assert_false(opened_checked(fx->path));    /* opening writes nothing */
	/* without SPOOL_CHECK, nothing is checked either way */
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, 0, &sp, &err), SPOOL_OK);
	assert_false(spool_checked(sp));
	spool_close(sp);
}

/* Damage done after the mark changes the file's change time, which no
 * user can set back: quick_check runs and catches it. */
static void test_damage_after_the_clean_mark_is_still_caught(void **state)
{
	struct spool_fixture *fx = *state;
	make_filled_spool(fx->path);
	mark_clean(fx->path);
	struct stat before;
	assert_int_equal(stat(fx->path, &before), 0);
	usleep(20000);   /* past the file system's timestamp granularity */
	overwrite(fx->path, 4096 * 19 + 8, 3000, 0xA5);
	const struct timespec times[2] = { before.st_atim, before.st_mtim };
	assert_int_equal(utimensat(AT_FDCWD, fx->path, times, 0), 0);   /* mtime put back */
	const char *msg = open_expect(fx->path, SPOOL_CHECK, SPOOL_CORRUPT);
	assert_non_null(strstr(msg, "quick_check"));
}

/* A daemon that died left frames in the WAL (or another connection is
 * writing): the file may be unchanged, but the check runs. */
static void test_a_wal_with_frames_is_checked_despite_the_mark(void **state)
{
	struct spool_fixture *fx = *state;
	make_filled_spool(fx->path);
	mark_clean(fx->path);
	struct spool *writer;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, 0, &writer, &err), SPOOL_OK);
	struct spool_run run = { .owner = "alice", .uid = 1, .entry_key = "k",
		                 .command = "cmd", .start_ms = 1 };
	assert_int_equal(spool_history_append(writer, &run, 1, &err), SPOOL_OK);
	char wal[512];
	snprintf(wal, sizeof wal, "%s-wal", fx->path);
	struct stat st;
	assert_int_equal(stat(wal, &st), 0);
	assert_true(st.st_size > 0);
	assert_true(opened_checked(fx->path));
	spool_close(writer);
}

/* A mark that cannot be believed means "check": malformed, someone else's
 * to write, or a symbolic link. */
static void test_an_unbelievable_mark_means_check(void **state)
{
	struct spool_fixture *fx = *state;
	make_filled_spool(fx->path);
	char mark[512], good[256];
	snprintf(mark, sizeof mark, "%s-clean", fx->path);
	mark_clean(fx->path);
	FILE *f = fopen(mark, "r");
	assert_non_null(f);
	assert_non_null(fgets(good, sizeof good, f));
	fclose(f);
	assert_false(opened_checked(fx->path));

	assert_int_equal(chmod(mark, 0622), 0);      /* writable by others */
	assert_true(opened_checked(fx->path));
	assert_int_equal(chmod(mark, 0600), 0);
	assert_false(opened_checked(fx->path));

	f = fopen(mark, "w");                        /* one digit changed */
	assert_non_null(f);
	good[strlen(good) - 2] = good[strlen(good) - 2] == '1' ? '2' : '1';
	fputs(good, f);
	fclose(f);
	assert_true(opened_checked(fx->path));

	char target[512];
	snprintf(target, sizeof target, "%s.elsewhere", fx->path);
	mark_clean(fx->path);
	assert_int_equal(rename(mark, target), 0);
	assert_int_equal(symlink(target, mark), 0);  /* a link is not followed */
	assert_true(opened_checked(fx->path));
	/* and writing the mark does not follow it either */
	struct spool_err err;
	assert_int_equal(spool_mark_clean(fx->path, &err), SPOOL_IO);
	assert_non_null(strstr(err.msg, mark));
	assert_int_equal(unlink(mark), 0);
	assert_int_equal(unlink(target), 0);
	/* PostgreSQL keeps no mark: nothing to do, nothing written */
	assert_int_equal(spool_mark_clean("postgresql://nowhere/crond", &err), SPOOL_OK);
	assert_int_equal(spool_mark_clean(NULL, &err), SPOOL_INVALID);
}

static void test_truncated_file_is_corrupt(void **state)
{
	struct spool_fixture *fx = *state;
	make_filled_spool(fx->path);
	struct stat st;
	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(truncate(fx->path, st.st_size / 2), 0);
	const char *msg = open_expect(fx->path, SPOOL_CHECK, SPOOL_CORRUPT);
	assert_non_null(strstr(msg, fx->path));
	assert_int_equal(truncate(fx->path, 50), 0);   /* mid-header */
	open_expect(fx->path, 0, SPOOL_CORRUPT);
}

static void test_zero_length_file_becomes_an_empty_spool(void **state)
{
	struct spool_fixture *fx = *state;
	int fd = open(fx->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	open_expect(fx->path, SPOOL_CHECK, SPOOL_OK);
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), SQLITE_SCHEMA_VERSION);
}

/* A spool cut to nothing after crond's clean stop (its mark says how long
 * it was) is refused, not taken for a new one; without the mark, or when
 * not checking (the CLIs), it is still a new spool. */
static void test_emptied_spool_is_refused_after_a_clean_stop(void **state)
{
	struct spool_fixture *fx = *state;
	make_filled_spool(fx->path);
	mark_clean(fx->path);
	assert_int_equal(truncate(fx->path, 0), 0);
	const char *msg = open_expect(fx->path, SPOOL_CHECK, SPOOL_CORRUPT);
	assert_non_null(strstr(msg, "is empty, but crond's last clean stop left it"));
	assert_non_null(strstr(msg, "-clean to start with an empty spool"));
	char mark[SPOOL_FIXTURE_PATH_MAX + 16];
	snprintf(mark, sizeof(mark), "%s-clean", fx->path);
	assert_int_equal(unlink(mark), 0);
	open_expect(fx->path, SPOOL_CHECK, SPOOL_OK);
}

static void test_newer_schema_is_refused_naming_both_versions(void **state)
{
	struct spool_fixture *fx = *state;
	make_spool(fx->path);
	int newer = SQLITE_SCHEMA_VERSION + 7;
	char sql[64], want[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", newer);
	raw_exec(fx->path, sql);
	const char *msg = open_expect(fx->path, SPOOL_CHECK, SPOOL_VERSION);
	snprintf(want, sizeof want, "version %d", newer);
	assert_non_null(strstr(msg, want));
	snprintf(want, sizeof want, "(%d)", SQLITE_SCHEMA_VERSION);
	assert_non_null(strstr(msg, want));
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), newer);   /* untouched */
}

/* The schema as version 1 shipped it, written by hand. */
static const char v1_schema[] =
	"CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE sequence (name TEXT PRIMARY KEY NOT NULL, last INTEGER NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE crontab (owner TEXT PRIMARY KEY NOT NULL, uid INTEGER NOT NULL,"
	" body BLOB, installed_at INTEGER NOT NULL, installed_by INTEGER NOT NULL,"
	" generation INTEGER NOT NULL UNIQUE);"
	"INSERT INTO sequence VALUES ('crontab_generation', 41);"
	"INSERT INTO crontab VALUES ('olduser', 500, CAST('0 4 * * * old-job' AS BLOB),"
	" 1600000000, 0, 41);"
	"INSERT INTO meta VALUES ('reboot_boot_id', 'abc');"
	"PRAGMA user_version = 1;";

static void test_version_1_database_is_upgraded_keeping_its_data(void **state)
{
	struct spool_fixture *fx = *state;
	raw_exec(fx->path, v1_schema);
	assert_int_equal(chmod(fx->path, 0600), 0);
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, SPOOL_CHECK, &sp, &err), SPOOL_OK);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(sp, "olduser", &c, &err), SPOOL_OK);
	assert_memory_equal(c.text, "0 4 * * * old-job", c.len);
	assert_int_equal(c.generation, 41);
	spool_crontab_free(&c);
	char buf[16];
	assert_int_equal(spool_meta_get(sp, "reboot_boot_id", buf, sizeof buf, &err), SPOOL_OK);
	assert_string_equal(buf, "abc");
	int64_t gen;
	assert_int_equal(spool_crontab_install(sp, "new", 1, "x", 1, 0, 1, &gen, &err), SPOOL_OK);
	assert_int_equal(gen, 42);
	/* The tables the later migrations added work. */
	struct spool_at_job j = { .queue = 'a', .owner = "new", .cwd = "/", .script = "",
				  .mail = SPOOL_MAIL_NEVER, .mail_to = "other" };
	assert_int_equal(spool_at_submit(sp, &j, NULL, &err), SPOOL_OK);
	struct spool_run r = { .owner = "new", .entry_key = "k", .command = "c" };
	assert_int_equal(spool_history_append(sp, &r, 1, &err), SPOOL_OK);
	struct spool_entry_state s = { .key = "k", .last_scheduled = 1 };
	assert_int_equal(spool_state_set(sp, &s, 1, &err), SPOOL_OK);
	spool_close(sp);
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), SQLITE_SCHEMA_VERSION);
}

static void test_failed_migration_is_rolled_back_as_a_whole(void **state)
{
	struct spool_fixture *fx = *state;
	raw_exec(fx->path, v1_schema);
	/* Something in the way of migration 3 (which creates "run"), after
	 * part of it has run. */
	raw_exec(fx->path, "CREATE VIEW entry_state AS SELECT 1");
	assert_int_equal(chmod(fx->path, 0600), 0);
	const char *msg = open_expect(fx->path, 0, SPOOL_IO);
	assert_non_null(strstr(msg, "upgrade to schema version 3"));
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), 2);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM sqlite_schema"
				 " WHERE name IN ('run', 'run_start')"), 0);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM sqlite_schema"
				 " WHERE name = 'at_job'"), 1);
	/* Once the obstacle is gone the upgrade resumes from version 2. */
	raw_exec(fx->path, "DROP VIEW entry_state");
	open_expect(fx->path, SPOOL_CHECK, SPOOL_OK);
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), SQLITE_SCHEMA_VERSION);
}

static void test_read_only_spool_reads_but_never_writes(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, SPOOL_CREATE, &sp, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_install(sp, "alice", 1, "x", 1, 0, 1, NULL, &err), 0);
	spool_close(sp);
	assert_int_equal(spool_open(fx->path, SPOOL_READONLY | SPOOL_CHECK, &sp, &err), SPOOL_OK);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(sp, "alice", &c, &err), SPOOL_OK);
	spool_crontab_free(&c);
	assert_int_equal(spool_crontab_install(sp, "bob", 1, "y", 1, 0, 1, NULL, &err),
			 SPOOL_PERMISSION);
	assert_non_null(strstr(err.msg, "read-only"));
	spool_close(sp);
	/* An old schema cannot be upgraded read-only. */
	char old[160];
	snprintf(old, sizeof old, "%s/old.db", fx->dir);
	raw_exec(old, v1_schema);
	assert_int_equal(chmod(old, 0600), 0);
	const char *msg = open_expect(old, SPOOL_READONLY, SPOOL_VERSION);
	assert_non_null(strstr(msg, "read-write"));
}

static void test_every_code_has_a_distinct_name(void **state)
{
	(void)state;
	for (int a = SPOOL_OK; a <= SPOOL_QUOTA; a++) {
		assert_true(strlen(spool_code_name(a)) > 0);
		assert_string_not_equal(spool_code_name(a), "unknown error");
		for (int b = a + 1; b <= SPOOL_QUOTA; b++)
			assert_string_not_equal(spool_code_name(a), spool_code_name(b));
	}
	assert_string_equal(spool_code_name(-1), "unknown error");
	assert_string_equal(spool_code_name(SPOOL_QUOTA + 1), "unknown error");
}

static void test_free_functions_accept_null(void **state)
{
	(void)state;
	spool_close(NULL);
	spool_crontab_free(NULL);
	spool_crontabs_free(NULL, 0);
	spool_at_job_free(NULL);
	spool_at_jobs_free(NULL, 0);
	spool_runs_free(NULL, 0);
	spool_states_free(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_create_makes_a_private_directory_and_file),
		T(test_schema_version_is_the_sqlite_files_own),
		T(test_missing_file_without_create_is_not_found),
		T(test_symlinked_database_is_refused),
		T(test_symlinked_directory_is_refused),
		T(test_group_or_world_writable_file_or_directory_is_refused),
		T(test_files_owned_by_another_user_are_refused),
		T(test_unsafe_wal_companion_is_refused),
		T(test_directory_in_place_of_the_file_is_invalid),
		T(test_bad_paths_and_flags_are_invalid),
		T(test_connection_is_wal_full_sync_and_defensive),
		T(test_wal_files_are_kept_empty_across_closes),
		T(test_a_text_file_is_not_a_database),
		T(test_overwritten_header_is_corrupt),
		T(test_damaged_page_is_caught_by_quick_check),
		T(test_the_clean_mark_skips_the_check_of_an_unchanged_file),
		T(test_damage_after_the_clean_mark_is_still_caught),
		T(test_a_wal_with_frames_is_checked_despite_the_mark),
		T(test_an_unbelievable_mark_means_check),
		T(test_truncated_file_is_corrupt),
		T(test_zero_length_file_becomes_an_empty_spool),
		T(test_emptied_spool_is_refused_after_a_clean_stop),
		T(test_newer_schema_is_refused_naming_both_versions),
		T(test_version_1_database_is_upgraded_keeping_its_data),
		T(test_failed_migration_is_rolled_back_as_a_whole),
		T(test_read_only_spool_reads_but_never_writes),
		T(test_every_code_has_a_distinct_name),
		T(test_free_functions_accept_null),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
