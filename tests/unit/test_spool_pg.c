/* tests/unit/test_spool_pg.c: THREADED TEST. The PostgreSQL spool's own
 * rules, against a real server: opening (schema creation, a newer schema
 * refused, read-only), the password kept out of the path, crontabs and
 * their generations with two connections writing at once, entry state and
 * meta values, import, watching, heartbeats on the database's clock, and
 * a server stopped and started under an open connection.
 *
 * Needs CROND_TEST_PG: a connection URI of a server where the test may
 * create databases, e.g. postgresql://postgres@/postgres?host=DIR (a
 * private server on a Unix socket in DIR). Without it every test skips,
 * saying so. Each test makes a fresh database and drops it after. The
 * restart test stops and starts that server with its pg_ctl (run as the
 * owner of its data directory), so point CROND_TEST_PG at a private
 * server only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spool/backend.h"   /* the test-only hook before COMMIT */
#include "spool/spool.h"

#define ENV_URI "CROND_TEST_PG"

struct pgfx {
	char db[64];        /* the test's own database */
	char uri[1024];     /* its URI */
	struct spool *sp;   /* opened with SPOOL_CREATE by setup */
};

/* ---------------------------------------------------------------- the server */

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static PGconn *admin(void)
{
	PGconn *c = PQconnectdb(getenv(ENV_URI));
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s: %s", getenv(ENV_URI), PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	return c;
}

static void admin_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

/* The first value SQL returns on a connection to DB ("" if no row). */
static void query_in(const char *uri, const char *sql, char *buf, size_t size)
{
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s: %s", uri, PQerrorMessage(c));
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	snprintf(buf, size, "%s", PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
}

static void exec_in(const char *uri, const char *sql)
{
	char ignored[8];
	query_in(uri, sql, ignored, sizeof ignored);
}

static int setup(void **state)
{
	if (getenv(ENV_URI) == NULL) {
		*state = NULL;
		return 0;
	}
	static int serial;
	struct pgfx *fx = calloc(1, sizeof *fx);
	assert_non_null(fx);
	snprintf(fx->db, sizeof fx->db, "crond_test_%d_%d", (int)getpid(), ++serial);
	PGconn *c = admin();
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", fx->db);
	admin_exec(c, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", fx->db);
	admin_exec(c, sql);
	const char *host = PQhost(c), *port = PQport(c), *user = PQuser(c);
	snprintf(fx->uri, sizeof fx->uri, "postgresql://%s@/%s?host=%s&port=%s",
		 user, fx->db, host, port);
	PQfinish(c);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct pgfx *fx = *state;
	if (fx == NULL)
		return 0;
	spool_close(fx->sp);
	PGconn *c = admin();
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", fx->db);
	admin_exec(c, sql);
	PQfinish(c);
	free(fx);
	return 0;
}

/* The fixture, or a skip when there is no server to test against. */
static struct pgfx *need_pg(void **state)
{
	if (*state == NULL)
		skip();
	return *state;
}

static struct spool *open_ok(const char *uri, int flags)
{
	struct spool *sp = NULL;
	struct spool_err err = { 0 };
	if (spool_open(uri, flags, &sp, &err) != SPOOL_OK)
		fail_msg("open %s: %s", uri, err.msg);
	return sp;
}

/* Opens URI expecting CODE; the message into MSG. */
static void open_expect(const char *uri, int flags, int code, char *msg, size_t size)
{
	struct spool *sp = (struct spool *)msg;   /* must be reset to NULL */
	struct spool_err err = { 0 };
	int rc = spool_open(uri, flags, &sp, &err);
	if (rc != code)
		fail_msg("open %s: got %s (%s), want %s", uri, spool_code_name(rc),
			 err.msg, spool_code_name(code));
	if (rc == SPOOL_OK) {
		spool_close(sp);
		msg[0] = '\0';
		return;
	}
	assert_null(sp);
	assert_int_equal(err.code, code);
	snprintf(msg, size, "%s", err.msg);
}

static void open_fixture(struct pgfx *fx)
{
	fx->sp = open_ok(fx->uri, SPOOL_CREATE);
}

/* ---------------------------------------------------------------- open */

static void test_empty_database_needs_create_then_opens(void **state)
{
	struct pgfx *fx = need_pg(state);
	char msg[SPOOL_ERR_MSG_MAX];
	open_expect(fx->uri, 0, SPOOL_NOT_FOUND, msg, sizeof msg);
	assert_non_null(strstr(msg, "holds no crond spool"));
	open_expect(fx->uri, SPOOL_READONLY, SPOOL_NOT_FOUND, msg, sizeof msg);
	open_expect(fx->uri, SPOOL_CREATE | SPOOL_CHECK, SPOOL_OK, msg, sizeof msg);
	open_expect(fx->uri, 0, SPOOL_OK, msg, sizeof msg);
	open_expect(fx->uri, SPOOL_CHECK, SPOOL_OK, msg, sizeof msg);
	open_expect(fx->uri, SPOOL_READONLY, SPOOL_OK, msg, sizeof msg);

	char v[32];
	query_in(fx->uri, "SELECT version FROM schema_version", v, sizeof v);
	assert_string_equal(v, "1");
	query_in(fx->uri, "SELECT count(*) FROM counter WHERE value = 0", v, sizeof v);
	assert_string_equal(v, "2");

	fx->sp = open_ok(fx->uri, 0);
	assert_string_equal(spool_backend_name(fx->sp), "postgresql");
	assert_true(spool_is_shared(fx->sp));
	/* Its own schema's version (the table's row), not SQLite's. */
	assert_int_equal(spool_schema_version(fx->sp), 1);

	/* libpq's other scheme names the same backend. */
	char alias[1100];
	snprintf(alias, sizeof alias, "postgres://%s", strstr(fx->uri, "://") + 3);
	struct spool *sp = open_ok(alias, 0);
	assert_string_equal(spool_backend_name(sp), "postgresql");
	assert_string_equal(spool_path(sp), alias);
	spool_close(sp);
}

#define OPENERS 4

struct opener {
	const char *uri;
	pthread_barrier_t *start;
	int code;
	struct spool_err err;
};

static void *open_at_once(void *arg)
{
	struct opener *o = arg;
	struct spool *sp = NULL;
	pthread_barrier_wait(o->start);
	o->code = spool_open(o->uri, SPOOL_CREATE, &sp, &o->err);
	spool_close(sp);
	return NULL;
}

/* Nodes starting together on an empty database: every one opens it, and
 * the schema is made once. */
static void test_two_nodes_creating_at_once_migrate_once(void **state)
{
	struct pgfx *fx = need_pg(state);
	pthread_barrier_t start;
	assert_int_equal(pthread_barrier_init(&start, NULL, OPENERS), 0);
	struct opener o[OPENERS];
	pthread_t t[OPENERS];
	for (int i = 0; i < OPENERS; i++) {
		o[i] = (struct opener){ .uri = fx->uri, .start = &start };
		assert_int_equal(pthread_create(&t[i], NULL, open_at_once, &o[i]), 0);
	}
	for (int i = 0; i < OPENERS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		if (o[i].code != SPOOL_OK)
			fail_msg("opener %d: %s", i, o[i].err.msg);
	}
	pthread_barrier_destroy(&start);
	char v[32];
	query_in(fx->uri, "SELECT count(*) FROM schema_version", v, sizeof v);
	assert_string_equal(v, "1");
}

static void test_newer_schema_is_refused_naming_both_versions(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	exec_in(fx->uri, "UPDATE schema_version SET version = 7");
	char msg[SPOOL_ERR_MSG_MAX];
	open_expect(fx->uri, 0, SPOOL_VERSION, msg, sizeof msg);
	assert_non_null(strstr(msg, "schema version 7 is newer than this program's (1)"));
	open_expect(fx->uri, SPOOL_CREATE, SPOOL_VERSION, msg, sizeof msg);
	open_expect(fx->uri, SPOOL_READONLY, SPOOL_VERSION, msg, sizeof msg);
}

static void test_check_finds_missing_counters(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	exec_in(fx->uri, "DELETE FROM counter WHERE name = 'at_job'");
	char msg[SPOOL_ERR_MSG_MAX];
	open_expect(fx->uri, SPOOL_CHECK, SPOOL_CORRUPT, msg, sizeof msg);
	assert_non_null(strstr(msg, "counters are missing"));
}

static void test_readonly_refuses_writes(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool_err err = { 0 };
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1000, "x\n", 2, 0, 1, NULL, &err),
			 SPOOL_OK);
	struct spool *ro = open_ok(fx->uri, SPOOL_READONLY);
	assert_int_equal(spool_crontab_install(ro, "bob", 1001, "y\n", 2, 0, 1, NULL, &err),
			 SPOOL_PERMISSION);
	assert_non_null(strstr(err.msg, "read-only"));
	assert_int_equal(spool_meta_set(ro, "k", "v", &err), SPOOL_PERMISSION);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(ro, "alice", &c, &err), SPOOL_OK);
	assert_string_equal(c.text, "x\n");
	spool_crontab_free(&c);
	spool_close(ro);
}

/* A server that takes no writes for now (a standby after a failover, a
 * managed server read-only for its full disk: SQLSTATE 25006) is as one
 * out of reach, SPOOL_IO, so that the daemon keeps what it could not write
 * and tries again, rather than SPOOL_PERMISSION, which it would give up. */
static void test_server_read_only_is_for_now(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	exec_in(fx->uri, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET"
		" default_transaction_read_only = on', current_database()); END $$");
	struct spool *sp = open_ok(fx->uri, 0);   /* a new session reads the setting */
	struct spool_err err = { 0 };
	assert_int_equal(spool_crontab_install(sp, "bob", 1001, "y\n", 2, 0, 1, NULL, &err),
			 SPOOL_IO);
	assert_non_null(strstr(err.msg, "read-only"));
	spool_close(sp);
	exec_in(fx->uri, "BEGIN READ WRITE; DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET"
		" default_transaction_read_only = off', current_database()); END $$; COMMIT");
}

static void test_password_never_shows_in_path_or_messages(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	/* trust authentication ignores the passwords; they must not show. */
	char uri[1200];
	const char *rest = strstr(fx->uri, "://") + 3;
	snprintf(uri, sizeof uri, "postgresql://%.*s:s3cret-one@%s&password=s3cret-two",
		 (int)strcspn(rest, "@"), rest, strchr(rest, '@') + 1);
	struct spool *sp = open_ok(uri, 0);
	const char *path = spool_path(sp);
	assert_null(strstr(path, "s3cret"));
	assert_non_null(strstr(path, fx->db));
	assert_non_null(strstr(path, "host="));
	struct spool_crontab c;
	struct spool_err err = { 0 };
	assert_int_equal(spool_crontab_get(sp, "nobody", &c, &err), SPOOL_NOT_FOUND);
	assert_null(strstr(err.msg, "s3cret"));
	spool_close(sp);

	char msg[SPOOL_ERR_MSG_MAX];
	open_expect("postgresql://u:s3cret@/db?no_such_option=1", 0, SPOOL_INVALID,
		    msg, sizeof msg);
	assert_null(strstr(msg, "s3cret"));
	assert_non_null(strstr(msg, "invalid PostgreSQL connection URI"));
	assert_non_null(strstr(msg, "no_such_option"));
	/* libpq quotes a malformed URI, or the token it choked on. */
	open_expect("postgresql://u:s3cret@[::1", 0, SPOOL_INVALID, msg, sizeof msg);
	assert_null(strstr(msg, "s3cret"));
	assert_non_null(strstr(msg, "postgresql://u:***@[::1"));
	open_expect("postgresql://u@/db?password=s3cret%zz", 0, SPOOL_INVALID, msg, sizeof msg);
	assert_null(strstr(msg, "s3cret"));
}

/* ---------------------------------------------------------------- crontabs */

static void test_crontab_bytes_round_trip_and_tombstones(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool_err err = { 0 };
	/* NUL and invalid UTF-8: PostgreSQL text would refuse both. */
	static const char body[] = "* * * * * a\0b \xff\xfe\n";
	int64_t g1 = 0, g2 = 0, g3 = 0, g4 = 0;
	assert_int_equal(spool_crontab_install(fx->sp, "al\xe9x", 1000, body, sizeof body - 1,
					       0, 100, &g1, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_install(fx->sp, "empty", 1001, "", 0, 5, 101, &g2, &err),
			 SPOOL_OK);
	assert_true(g1 >= 1 && g2 > g1);

	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "al\xe9x", &c, &err), SPOOL_OK);
	assert_int_equal(c.len, sizeof body - 1);
	assert_memory_equal(c.text, body, sizeof body);   /* with its NUL */
	assert_string_equal(c.owner, "al\xe9x");
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.installed_at, 100);
	assert_int_equal(c.generation, g1);
	assert_false(c.removed);
	spool_crontab_free(&c);
	assert_int_equal(spool_crontab_get(fx->sp, "empty", &c, &err), SPOOL_OK);
	assert_non_null(c.text);
	assert_int_equal(c.len, 0);
	assert_int_equal(c.installed_by, 5);
	spool_crontab_free(&c);

	assert_int_equal(spool_crontab_remove(fx->sp, "empty", 7, 102, &g3, &err), SPOOL_OK);
	assert_true(g3 > g2);
	assert_int_equal(spool_crontab_get(fx->sp, "empty", &c, &err), SPOOL_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no crontab for empty"));
	assert_int_equal(spool_crontab_remove(fx->sp, "empty", 7, 103, &g4, &err),
			 SPOOL_NOT_FOUND);
	assert_int_equal(g4, 0);
	assert_int_equal(spool_crontab_remove(fx->sp, "never", 7, 103, NULL, &err),
			 SPOOL_NOT_FOUND);

	int64_t gen = 0;
	assert_int_equal(spool_crontab_generation(fx->sp, &gen, &err), SPOOL_OK);
	assert_int_equal(gen, g3);   /* failed removals gave their numbers back */

	struct spool_crontab *v = NULL;
	size_t n = 0;
	assert_int_equal(spool_crontab_changes(fx->sp, 0, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].owner, "al\xe9x");
	assert_int_equal(v[0].generation, g1);
	assert_string_equal(v[1].owner, "empty");
	assert_true(v[1].removed);
	assert_null(v[1].text);
	assert_int_equal(v[1].generation, g3);
	assert_int_equal(v[1].installed_by, 7);
	spool_crontabs_free(v, n);
	assert_int_equal(spool_crontab_changes(fx->sp, g1, 1, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].owner, "empty");
	spool_crontabs_free(v, n);
	assert_int_equal(spool_crontab_changes(fx->sp, g3, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(spool_crontab_changes(fx->sp, 0, 0, &v, &n, &err), SPOOL_INVALID);

	/* Reinstalled after removal: a crontab again, a new generation. */
	assert_int_equal(spool_crontab_install(fx->sp, "empty", 1001, "z\n", 2, 0, 104, &g4,
					       &err), SPOOL_OK);
	assert_true(g4 > g3);
	assert_int_equal(spool_crontab_get(fx->sp, "empty", &c, &err), SPOOL_OK);
	assert_string_equal(c.text, "z\n");
	spool_crontab_free(&c);
}

static void test_crontab_bad_arguments_are_refused(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool_err err = { 0 };
	assert_int_equal(spool_crontab_install(fx->sp, "", 1, "x", 1, 0, 1, NULL, &err),
			 SPOOL_INVALID);
	assert_non_null(strstr(err.msg, "owner name must be 1 to 255 bytes"));
	assert_int_equal(spool_crontab_install(fx->sp, "a", 1, NULL, 5, 0, 1, NULL, &err),
			 SPOOL_INVALID);
	char *big = calloc(1, SPOOL_CRONTAB_MAX + 1);
	assert_non_null(big);
	memset(big, 'x', SPOOL_CRONTAB_MAX);
	assert_int_equal(spool_crontab_install(fx->sp, "a", 1, big, SPOOL_CRONTAB_MAX + 1, 0, 1,
					       NULL, &err), SPOOL_INVALID);
	assert_int_equal(spool_crontab_install(fx->sp, "a", 1, big, SPOOL_CRONTAB_MAX, 0, 1,
					       NULL, &err), SPOOL_OK);
	free(big);
}

#define WRITES 60

struct writer {
	const char *uri;
	char prefix;
	int64_t gens[WRITES];
	int failures;
	char first_error[SPOOL_ERR_MSG_MAX];
};

static void *write_crontabs(void *arg)
{
	struct writer *w = arg;
	struct spool *sp = NULL;
	struct spool_err err = { 0 };
	if (spool_open(w->uri, 0, &sp, &err) != SPOOL_OK) {
		w->failures = WRITES;
		snprintf(w->first_error, sizeof w->first_error, "%s", err.msg);
		return NULL;
	}
	for (int i = 0; i < WRITES; i++) {
		char owner[32], text[64];
		snprintf(owner, sizeof owner, "%c%d", w->prefix, i);
		int len = snprintf(text, sizeof text, "%d * * * * %s\n", i % 60, owner);
		if (spool_crontab_install(sp, owner, 1000, text, (size_t)len, 0, i,
					  &w->gens[i], &err) != SPOOL_OK &&
		    w->failures++ == 0)
			snprintf(w->first_error, sizeof w->first_error, "%s", err.msg);
	}
	spool_close(sp);
	return NULL;
}

/* Two writers on two connections install at once while a reader follows
 * "changes since the last generation seen": every generation is used
 * once, each writer's increase, and the reader sees every change. */
static void test_generations_interleave_and_changes_miss_none(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct writer w[2] = { { .uri = fx->uri, .prefix = 'a' },
			       { .uri = fx->uri, .prefix = 'b' } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, write_crontabs, &w[i]), 0);

	bool seen[2 * WRITES + 1] = { false };
	int64_t since = 0;
	size_t total = 0;
	struct spool_err err = { 0 };
	for (int rounds = 0; total < 2 * WRITES && rounds < 100000; rounds++) {
		struct spool_crontab *v = NULL;
		size_t n = 0;
		assert_int_equal(spool_crontab_changes(fx->sp, since, 7, &v, &n, &err), SPOOL_OK);
		for (size_t i = 0; i < n; i++) {
			assert_true(v[i].generation > since);
			assert_true(v[i].generation <= 2 * WRITES);
			assert_false(seen[v[i].generation]);
			seen[v[i].generation] = true;
			since = v[i].generation;
			total++;
		}
		spool_crontabs_free(v, n);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 2; i++)
		if (w[i].failures != 0)
			fail_msg("writer %c: %d failures, first: %s", w[i].prefix,
				 w[i].failures, w[i].first_error);
	assert_int_equal(total, 2 * WRITES);
	for (int i = 0; i < 2; i++)
		for (int j = 1; j < WRITES; j++)
			assert_true(w[i].gens[j] > w[i].gens[j - 1]);
	for (int g = 1; g <= 2 * WRITES; g++)
		assert_true(seen[g]);
}

struct holder {
	PGconn *conn;
	int hold_ms;
};

static void *release_later(void *arg)
{
	struct holder *h = arg;
	usleep((useconds_t)h->hold_ms * 1000);
	PGresult *r = PQexec(h->conn, "COMMIT");
	PQclear(r);
	return NULL;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A writer waits for another's lock (here an administrator's, on the
 * generation counter) instead of failing. */
static void test_writer_waits_for_a_lock_held_elsewhere(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct holder h = { .conn = PQconnectdb(fx->uri), .hold_ms = 700 };
	assert_int_equal(PQstatus(h.conn), CONNECTION_OK);
	admin_exec(h.conn, "BEGIN");
	admin_exec(h.conn, "SELECT value FROM counter WHERE name = 'generation' FOR UPDATE");
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, release_later, &h), 0);
	struct spool_err err = { 0 };
	int64_t start = mono_ms(), gen = 0;
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1, "x\n", 2, 0, 1, &gen, &err),
			 SPOOL_OK);
	assert_true(mono_ms() - start >= 500);
	assert_int_equal(gen, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	PQfinish(h.conn);
}

/* The hook gets only the connection: what it needs and what it saw go
 * through these (one test, one thread). */
static const char *hook_uri;
static char hook_seen[16];

/* The test hook runs inside the write transaction, before COMMIT: another
 * connection does not see the change yet. */
static void look_before_commit(struct spool *sp)
{
	(void)sp;
	query_in(hook_uri, "SELECT count(*) FROM crontab", hook_seen, sizeof hook_seen);
}

static void test_before_commit_hook_runs_inside_the_transaction(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	hook_uri = fx->uri;
	fx->sp->test_before_commit = look_before_commit;
	struct spool_err err = { 0 };
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1, "x\n", 2, 0, 1, NULL, &err),
			 SPOOL_OK);
	assert_string_equal(hook_seen, "0");
	fx->sp->test_before_commit = NULL;
	char v[16];
	query_in(fx->uri, "SELECT count(*) FROM crontab", v, sizeof v);
	assert_string_equal(v, "1");
}

/* ---------------------------------------------------------------- state, meta */

static void test_meta_values_and_entry_states(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool_err err = { 0 };
	char buf[16];
	assert_int_equal(spool_meta_get(fx->sp, "boot", buf, sizeof buf, &err), SPOOL_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no value named boot"));
	assert_int_equal(spool_meta_set(fx->sp, "boot", "abc", &err), SPOOL_OK);
	assert_int_equal(spool_meta_set(fx->sp, "boot", "abcd\xff", &err), SPOOL_OK);
	assert_int_equal(spool_meta_get(fx->sp, "boot", buf, sizeof buf, &err), SPOOL_OK);
	assert_string_equal(buf, "abcd\xff");
	memcpy(buf, "untouched", 10);
	assert_int_equal(spool_meta_get(fx->sp, "boot", buf, 5, &err), SPOOL_INVALID);
	assert_string_equal(buf, "untouched");
	assert_int_equal(spool_meta_set(fx->sp, "", "x", &err), SPOOL_INVALID);
	assert_int_equal(spool_meta_set(fx->sp, "e", "", &err), SPOOL_OK);
	assert_int_equal(spool_meta_get(fx->sp, "e", buf, sizeof buf, &err), SPOOL_OK);
	assert_string_equal(buf, "");

	struct spool_entry_state in[3] = {
		{ .key = "b\xc3\xa9", .last_scheduled = 10, .last_start = 11 },
		{ .key = "a", .last_scheduled = 20, .last_start = 21 },
		{ .key = "b", .last_scheduled = -5, .last_start = 0 },
	};
	assert_int_equal(spool_state_set(fx->sp, in, 3, &err), SPOOL_OK);
	in[1].last_scheduled = 22;
	assert_int_equal(spool_state_set(fx->sp, &in[1], 1, &err), SPOOL_OK);
	int64_t ls = 0, st = 0;
	assert_int_equal(spool_state_get(fx->sp, "a", &ls, &st, &err), SPOOL_OK);
	assert_int_equal(ls, 22);
	assert_int_equal(st, 21);
	assert_int_equal(spool_state_get(fx->sp, "zz", &ls, NULL, &err), SPOOL_NOT_FOUND);
	assert_int_equal(ls, 0);

	struct spool_entry_state *v = NULL;
	size_t n = 0;
	assert_int_equal(spool_state_list(fx->sp, NULL, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].key, "a");   /* byte order */
	assert_string_equal(v[1].key, "b");
	assert_int_equal(v[1].last_scheduled, -5);
	assert_string_equal(v[2].key, "b\xc3\xa9");
	spool_states_free(v, n);

	const char *gone[] = { "a", "nothere" };
	assert_int_equal(spool_state_delete(fx->sp, gone, 2, &err), SPOOL_OK);
	assert_int_equal(spool_state_get(fx->sp, "a", NULL, NULL, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_state_list(fx->sp, NULL, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	spool_states_free(v, n);
}

/* ---------------------------------------------------------------- import */

static void test_crontab_import_is_idempotent_and_keeps_user_installs(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool_err err = { 0 };
	enum spool_import_result res;
	int64_t g1 = 0, g2 = 0;
	assert_int_equal(spool_crontab_import(fx->sp, "alice", 1000, "1 * * * * a\n", 12, 50,
					      "import:alice", "d1", &g1, &res, &err), SPOOL_OK);
	assert_int_equal(res, SPOOL_IMPORTED);
	assert_true(g1 > 0);
	assert_int_equal(spool_crontab_import(fx->sp, "alice", 1000, "1 * * * * a\n", 12, 51,
					      "import:alice", "d1", &g2, &res, &err), SPOOL_OK);
	assert_int_equal(res, SPOOL_IMPORTED_BEFORE);
	assert_int_equal(g2, 0);
	/* A changed source replaces what the import installed... */
	assert_int_equal(spool_crontab_import(fx->sp, "alice", 1000, "2 * * * * a\n", 12, 52,
					      "import:alice", "d2", &g2, &res, &err), SPOOL_OK);
	assert_int_equal(res, SPOOL_IMPORTED);
	assert_true(g2 > g1);
	char buf[64];
	assert_int_equal(spool_meta_get(fx->sp, "import:alice", buf, sizeof buf, &err), SPOOL_OK);
	char want[64];
	snprintf(want, sizeof want, "d2 %lld", (long long)g2);
	assert_string_equal(buf, want);
	/* ...but never what the user installed since. */
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1000, "mine\n", 5, 1000, 53,
					       NULL, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_import(fx->sp, "alice", 1000, "3 * * * * a\n", 12, 54,
					      "import:alice", "d3", &g2, &res, &err), SPOOL_OK);
	assert_int_equal(res, SPOOL_IMPORT_KEPT);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "alice", &c, &err), SPOOL_OK);
	assert_string_equal(c.text, "mine\n");
	assert_int_equal(c.installed_by, 1000);
	spool_crontab_free(&c);
	assert_int_equal(spool_crontab_import(fx->sp, "bob", 1, "x", 1, 0, "m", "has blank",
					      NULL, &res, &err), SPOOL_INVALID);
}

#define RACES 150

struct racer {
	const char *uri;
	bool importer;
	pthread_barrier_t *go;
	int failures;
	char first_error[SPOOL_ERR_MSG_MAX];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct spool *sp = NULL;
	struct spool_err err = { 0 };
	if (spool_open(r->uri, 0, &sp, &err) != SPOOL_OK) {
		snprintf(r->first_error, sizeof r->first_error, "%s", err.msg);
		r->failures = 1;
	}
	for (int i = 0; i < RACES; i++) {
		(void)pthread_barrier_wait(r->go);   /* the crontab was just removed */
		int rc = SPOOL_OK;
		if (sp != NULL && r->importer) {
			char digest[16];
			enum spool_import_result res;
			snprintf(digest, sizeof digest, "d%d", i);
			rc = spool_crontab_import(sp, "alice", 1000, "imported\n", 9, i,
						  "import:alice", digest, NULL, &res, &err);
		} else if (sp != NULL) {
			rc = spool_crontab_install(sp, "alice", 1000, "mine\n", 5, 1000, i,
						   NULL, &err);
		}
		if (rc != SPOOL_OK && r->failures++ == 0)
			snprintf(r->first_error, sizeof r->first_error, "%s", err.msg);
		(void)pthread_barrier_wait(r->go);   /* both done */
	}
	spool_close(sp);
	return NULL;
}

/* An import racing the owner's own install never overwrites it: whichever
 * commits first, the owner's crontab is what remains. */
static void test_crontab_import_racing_an_install_never_overwrites_it(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	pthread_barrier_t go;
	assert_int_equal(pthread_barrier_init(&go, NULL, 3), 0);
	struct racer r[2] = { { .uri = fx->uri, .importer = true, .go = &go },
			      { .uri = fx->uri, .importer = false, .go = &go } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	struct spool_err err = { 0 };
	int overwritten = 0;
	for (int i = 0; i < RACES; i++) {
		int rc = spool_crontab_remove(fx->sp, "alice", 0, i, NULL, &err);
		assert_true(rc == SPOOL_OK || rc == SPOOL_NOT_FOUND);
		(void)pthread_barrier_wait(&go);
		(void)pthread_barrier_wait(&go);
		struct spool_crontab c;
		assert_int_equal(spool_crontab_get(fx->sp, "alice", &c, &err), SPOOL_OK);
		if (strcmp(c.text, "mine\n") != 0)
			overwritten++;
		spool_crontab_free(&c);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(pthread_barrier_destroy(&go), 0);
	for (int i = 0; i < 2; i++)
		if (r[i].failures != 0)
			fail_msg("%s: %d failures, first: %s", r[i].importer ? "importer" : "installer",
				 r[i].failures, r[i].first_error);
	assert_int_equal(overwritten, 0);
}

/* ---------------------------------------------------------------- watch */

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);
	assert_true(n >= 0);
	return n == 1;
}

static void test_watcher_hears_committed_changes_only(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool *b = open_ok(fx->uri, 0);
	struct spool_err err = { 0 };
	int fd = -1;
	bool changed = true;
	assert_int_equal(spool_watch_start(b, &fd, &err), SPOOL_OK);
	assert_true(fd >= 0);
	int fdflags = fcntl(fd, F_GETFD);
	assert_true(fdflags >= 0 && (fdflags & FD_CLOEXEC));   /* no job inherits it */
	assert_int_equal(spool_watch_drain(b, &changed, &err), SPOOL_OK);
	assert_false(changed);

	/* A failed change (nothing to remove) rolls back: no announcement. */
	assert_int_equal(spool_crontab_remove(fx->sp, "alice", 0, 1, NULL, &err), SPOOL_NOT_FOUND);
	assert_false(readable(fd, 300));

	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1000, "x\n", 2, 0, 1, NULL,
					       &err), SPOOL_OK);
	assert_true(readable(fd, 5000));
	assert_int_equal(spool_watch_drain(b, &changed, &err), SPOOL_OK);
	assert_true(changed);
	assert_int_equal(spool_watch_drain(b, &changed, &err), SPOOL_OK);
	assert_false(changed);

	/* Starting again on a live watch changes nothing. */
	int fd2 = -1;
	assert_int_equal(spool_watch_start(b, &fd2, &err), SPOOL_OK);
	assert_int_equal(fd2, fd);
	assert_int_equal(spool_crontab_remove(fx->sp, "alice", 0, 2, NULL, &err), SPOOL_OK);
	assert_true(readable(fd, 5000));
	assert_int_equal(spool_watch_drain(b, &changed, &err), SPOOL_OK);
	assert_true(changed);
	spool_close(b);
}

/* The watcher's own queries must not swallow an announcement: one that
 * arrives while the watching spool runs a query still makes the
 * descriptor readable. */
static void test_watcher_hears_changes_made_during_its_own_queries(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool *b = open_ok(fx->uri, 0);
	struct spool_err err = { 0 };
	int fd = -1;
	bool changed = false;
	assert_int_equal(spool_watch_start(b, &fd, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1000, "x\n", 2, 0, 1, NULL,
					       &err), SPOOL_OK);
	usleep(200 * 1000);   /* the announcement is on its way to B */
	int64_t gen = 0, db = 0;
	assert_int_equal(spool_crontab_generation(b, &gen, &err), SPOOL_OK);
	assert_int_equal(spool_node_beat(b, 0, &db, &err), SPOOL_OK);
	assert_true(readable(fd, 5000));
	assert_int_equal(spool_watch_drain(b, &changed, &err), SPOOL_OK);
	assert_true(changed);
	spool_close(b);
}

/* ---------------------------------------------------------------- nodes */

static int64_t wall_ms(void)
{
	struct timespec ts;
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_heartbeat_returns_the_database_clock(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool_err err = { 0 };
	int64_t db = 0;
	/* The caller's own clock is only compared, never stored. */
	int64_t before = wall_ms();
	assert_int_equal(spool_node_beat(fx->sp, 42, &db, &err), SPOOL_OK);
	int64_t after = wall_ms();
	assert_true(db >= before - 2000 && db <= after + 2000);   /* one machine's clock */
	assert_int_equal(spool_set_node(fx->sp, "node-b", &err), SPOOL_OK);
	int64_t db2 = 0;
	assert_int_equal(spool_node_beat(fx->sp, 0, &db2, &err), SPOOL_OK);
	assert_true(db2 >= db);
	assert_int_equal(spool_node_beat(fx->sp, 0, NULL, &err), SPOOL_OK);
	char v[64];
	query_in(fx->uri, "SELECT count(*) FROM node", v, sizeof v);
	assert_string_equal(v, "2");
	query_in(fx->uri, "SELECT beat_ms >= first_ms FROM node WHERE name = 'node-b'",
		 v, sizeof v);
	assert_string_equal(v, "t");
}

/* ---------------------------------------------------------------- lost sessions */

/* The server ends every session of the test's database but the caller's
 * (as a restart or an administrator would). */
static void terminate_sessions(const struct pgfx *fx)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT count(pg_terminate_backend(pid))"
		 " FROM pg_stat_activity WHERE datname = '%s'"
		 " AND pid <> pg_backend_pid()", fx->db);
	PGconn *c = admin();
	admin_exec(c, sql);
	PQfinish(c);
}

static void test_session_ended_while_idle_is_replaced_at_once(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool *w = open_ok(fx->uri, 0);
	struct spool_err err = { 0 };
	int fd = -1;
	bool changed = false;
	assert_int_equal(spool_watch_start(w, &fd, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1, "x\n", 2, 0, 1, NULL, &err),
			 SPOOL_OK);
	assert_true(readable(fd, 5000));
	assert_int_equal(spool_watch_drain(w, &changed, &err), SPOOL_OK);

	terminate_sessions(fx);
	/* Nothing was sent on the dead session: the call goes through on a
	 * new one, as if nothing happened (reads and writes alike). */
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "alice", &c, &err), SPOOL_OK);
	spool_crontab_free(&c);
	terminate_sessions(fx);
	assert_int_equal(spool_crontab_install(fx->sp, "bob", 2, "y\n", 2, 0, 1, NULL, &err),
			 SPOOL_OK);

	/* The watch lived on the dead session: its end shows as readable, the
	 * drain fails, and again until the watcher starts over. */
	assert_true(readable(fd, 5000));
	assert_int_equal(spool_watch_drain(w, &changed, &err), SPOOL_IO);
	assert_false(changed);
	assert_int_equal(spool_watch_drain(w, &changed, &err), SPOOL_IO);
	assert_non_null(strstr(err.msg, "start watching again"));
	assert_int_equal(spool_watch_start(w, &fd, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_remove(fx->sp, "bob", 0, 2, NULL, &err), SPOOL_OK);
	assert_true(readable(fd, 5000));
	assert_int_equal(spool_watch_drain(w, &changed, &err), SPOOL_OK);
	assert_true(changed);
	spool_close(w);
}

/* ---------------------------------------------------------------- restart */

/* Runs pg_ctl ACTION on the server CROND_TEST_PG names (its data directory
 * and version asked of it), as the data directory's owner. */
static void pg_ctl(const char *action, const char *datadir, const char *bindir)
{
	struct stat st;
	assert_int_equal(stat(datadir, &st), 0);
	char as[128] = "";
	if (geteuid() == 0 && st.st_uid != 0) {
		struct passwd *pw = getpwuid(st.st_uid);
		assert_non_null(pw);
		snprintf(as, sizeof as, "runuser -u %s -- ", pw->pw_name);
	}
	char cmd[2048];
	/* From /: the test's directory may be closed to the server's user. */
	snprintf(cmd, sizeof cmd, "cd / && %s%s/pg_ctl -D '%s' -w -s %s -l '%s/restart.log'"
		 " >/dev/null 2>&1", as, bindir, datadir, action, datadir);
	if (strcmp(action, "stop") == 0)
		snprintf(cmd, sizeof cmd, "cd / && %s%s/pg_ctl -D '%s' -w -s -m fast stop"
			 " >/dev/null 2>&1", as, bindir, datadir);
	if (system(cmd) != 0)
		fail_msg("%s failed", cmd);
}

static void test_stopped_server_fails_then_reconnects_without_reopening(void **state)
{
	struct pgfx *fx = need_pg(state);
	open_fixture(fx);
	struct spool_err err = { 0 };
	struct spool *w = open_ok(fx->uri, 0);
	int fd = -1;
	bool changed = false;
	assert_int_equal(spool_watch_start(w, &fd, &err), SPOOL_OK);

	char datadir[512], version[16], bindir[600];
	query_in(getenv(ENV_URI), "SHOW data_directory", datadir, sizeof datadir);
	query_in(getenv(ENV_URI), "SELECT current_setting('server_version_num')::int / 10000",
		 version, sizeof version);
	snprintf(bindir, sizeof bindir, "/usr/lib/postgresql/%s/bin", version);
	/* pg_ctl start must bring it back as it runs now, whatever options
	 * it was started with. */
	char sockets[512], listen[256], sql[1024];
	query_in(getenv(ENV_URI), "SHOW unix_socket_directories", sockets, sizeof sockets);
	query_in(getenv(ENV_URI), "SHOW listen_addresses", listen, sizeof listen);
	/* SHOW prints a list, an item double-quoted when it needs it: the
	 * test's server has one socket directory. */
	char *dir = sockets;
	if (dir[0] == '"') {
		dir++;
		dir[strcspn(dir, "\"")] = '\0';
	}
	snprintf(sql, sizeof sql, "ALTER SYSTEM SET unix_socket_directories = '%s'", dir);
	exec_in(getenv(ENV_URI), sql);
	snprintf(sql, sizeof sql, "ALTER SYSTEM SET listen_addresses = '%s'", listen);
	exec_in(getenv(ENV_URI), sql);

	pg_ctl("stop", datadir, bindir);
	int code = spool_crontab_install(fx->sp, "alice", 1, "x\n", 2, 0, 1, NULL, &err);
	int code2 = spool_meta_set(fx->sp, "k", "v", &err);
	char msg2[SPOOL_ERR_MSG_MAX];
	snprintf(msg2, sizeof msg2, "%s", err.msg);
	int drained = spool_watch_drain(w, &changed, &err);
	pg_ctl("start", datadir, bindir);

	assert_int_equal(code, SPOOL_IO);
	assert_int_equal(code2, SPOOL_IO);
	assert_non_null(strstr(msg2, "database unreachable"));
	assert_int_equal(drained, SPOOL_IO);

	/* Back within the back-off (0.1 s, doubling), same connection. */
	int64_t start = wall_ms();
	do {
		code = spool_crontab_install(fx->sp, "alice", 1, "x\n", 2, 0, 1, NULL, &err);
		if (code != SPOOL_OK)
			assert_int_equal(code, SPOOL_IO);
		if (code != SPOOL_OK)
			usleep(50 * 1000);
	} while (code != SPOOL_OK && wall_ms() - start < 15000);
	if (code != SPOOL_OK)
		fail_msg("still failing after the restart: %s", err.msg);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "alice", &c, &err), SPOOL_OK);
	spool_crontab_free(&c);

	/* The watcher starts again and hears the next change. */
	do {
		code = spool_watch_start(w, &fd, &err);
		if (code != SPOOL_OK)
			usleep(50 * 1000);
	} while (code != SPOOL_OK && wall_ms() - start < 15000);
	assert_int_equal(code, SPOOL_OK);
	assert_int_equal(spool_crontab_remove(fx->sp, "alice", 0, 2, NULL, &err), SPOOL_OK);
	assert_true(readable(fd, 5000));
	assert_int_equal(spool_watch_drain(w, &changed, &err), SPOOL_OK);
	assert_true(changed);
	spool_close(w);
}

int main(void)
{
	if (getenv(ENV_URI) == NULL)
		print_message("test_spool_pg: " ENV_URI " is not set, so every test skips"
			      " (set it to a private PostgreSQL server's URI, e.g."
			      " postgresql://postgres@/postgres?host=DIR)\n");
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_empty_database_needs_create_then_opens),
		T(test_two_nodes_creating_at_once_migrate_once),
		T(test_newer_schema_is_refused_naming_both_versions),
		T(test_check_finds_missing_counters),
		T(test_readonly_refuses_writes),
		T(test_server_read_only_is_for_now),
		T(test_password_never_shows_in_path_or_messages),
		T(test_crontab_bytes_round_trip_and_tombstones),
		T(test_crontab_bad_arguments_are_refused),
		T(test_generations_interleave_and_changes_miss_none),
		T(test_writer_waits_for_a_lock_held_elsewhere),
		T(test_before_commit_hook_runs_inside_the_transaction),
		T(test_meta_values_and_entry_states),
		T(test_crontab_import_is_idempotent_and_keeps_user_installs),
		T(test_crontab_import_racing_an_install_never_overwrites_it),
		T(test_watcher_hears_committed_changes_only),
		T(test_watcher_hears_changes_made_during_its_own_queries),
		T(test_heartbeat_returns_the_database_clock),
		T(test_session_ended_while_idle_is_replaced_at_once),
		T(test_stopped_server_fails_then_reconnects_without_reopening),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
