/* tests/unit/support/spool_fixture.c: the spool tests' fixture (see
 * spool_fixture.h).
 *
 * PostgreSQL databases are made and dropped through a libpq connection of
 * the fixture's own to the maintenance database (CROND_TEST_PG), opened
 * for the one statement and closed: a test that forks never inherits it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/support/spool_fixture.h"
#include "tests/unit/support/tmpdir.h"

const char *spool_fixture_pg_unavailable(void)
{
	const char *uri = getenv("CROND_TEST_PG");
	if (uri == NULL || uri[0] == '\0')
		return "CROND_TEST_PG is not set: no PostgreSQL server to test against"
		       " (tests/run starts one when Debian's postgresql package is"
		       " installed: apt-get install postgresql)";
	return NULL;
}

/* URI (postgresql://[user@][host][/dbname][?params]) with its database
 * name replaced by DB, into OUT. */
static void uri_with_db(const char *uri, const char *db, char *out, size_t size)
{
	const char *auth = strstr(uri, "://");
	if (auth == NULL)
		fail_msg("CROND_TEST_PG=%s: not a postgresql:// URI", uri);
	auth += 3;
	size_t end = strcspn(auth, "/?");          /* the authority's end */
	const char *rest = auth + end;
	if (*rest == '/')
		rest += strcspn(rest, "?");       /* skip the old name */
	int len = snprintf(out, size, "%.*s/%s%s", (int)(auth + end - uri), uri, db, rest);
	if (len < 0 || (size_t)len >= size)
		fail_msg("CROND_TEST_PG=%s: too long (the URI of a test database, %s,"
			 " must fit in %zu bytes)", uri, db, size - 1);
}

/* Runs SQL on the maintenance database; fails the test on any error. */
static void pg_admin(const char *sql)
{
	const char *uri = getenv("CROND_TEST_PG");
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
		PQfinish(c);
		fail_msg("CROND_TEST_PG=%s: cannot connect: %s", uri, msg);
	}
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		fail_msg("%s: %s", sql, msg);
	}
	PQclear(r);
	PQfinish(c);
}

/* A fixture for a new database on CROND_TEST_PG's server, made first so
 * that nothing is left behind if that fails. */
static struct spool_fixture *new_pg(void)
{
	const char *why = spool_fixture_pg_unavailable();
	if (why != NULL)
		fail_msg("%s", why);
	/* Unique on the server: this process, its count (the one mutable
	 * static here: a test program makes its fixtures one at a time). */
	static unsigned made;
	struct spool_fixture proto = { .backend = SPOOL_FIXTURE_POSTGRESQL };
	char sql[128];
	snprintf(proto.db, sizeof proto.db, "crond_test_%ld_%u", (long)getpid(), ++made);
	uri_with_db(getenv("CROND_TEST_PG"), proto.db, proto.path, sizeof proto.path);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", proto.db);
	pg_admin(sql);
	struct spool_fixture *fx = malloc(sizeof *fx);
	assert_non_null(fx);
	*fx = proto;
	return fx;
}

struct spool_fixture *spool_fixture_new_on(enum spool_fixture_backend backend,
					   const char *name)
{
	if (backend == SPOOL_FIXTURE_POSTGRESQL)
		return new_pg();
	struct spool_fixture *fx = calloc(1, sizeof *fx);
	assert_non_null(fx);
	fx->backend = SPOOL_FIXTURE_SQLITE;
	assert_int_equal(tmpdir_make(fx->dir, sizeof fx->dir, name), 0);
	snprintf(fx->path, sizeof fx->path, "%s/crond.db", fx->dir);
	return fx;
}

struct spool_fixture *spool_fixture_new(const char *name)
{
	return spool_fixture_new_on(SPOOL_FIXTURE_SQLITE, name);
}

void spool_fixture_open(struct spool_fixture *fx, int flags)
{
	struct spool_err err = { 0 };
	if (spool_open(fx->path, flags, &fx->sp, &err) != SPOOL_OK)
		fail_msg("open: %s", err.msg);
}

void spool_fixture_free(struct spool_fixture *fx)
{
	if (fx == NULL)
		return;
	spool_close(fx->sp);
	if (fx->dir[0] != '\0')
		(void)tmpdir_remove(fx->dir);   /* as much as it can */
	if (fx->db[0] != '\0') {
		/* WITH (FORCE): a failed test may have left connections open. */
		char sql[128];
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", fx->db);
		pg_admin(sql);
	}
	free(fx);
}

size_t spool_fixture_count_runs(struct spool *sp, const struct spool_history_filter *f)
{
	const struct spool_history_filter all = { .limit = SPOOL_QUERY_MAX };
	struct spool_err err = { 0 };
	struct spool_run *v;
	size_t n;
	if (spool_history_query(sp, f != NULL ? f : &all, &v, &n, &err) != SPOOL_OK)
		fail_msg("query: %s", err.msg);
	spool_runs_free(v, n);
	return n;
}

/* ---------------------------------------------------------------- running */

/* One test on one backend: what the cmocka test's initial state points to. */
struct fixture_case {
	const struct spool_fixture_test *test;
	enum spool_fixture_backend backend;
	const char *name;
	int open_flags;
	char title[160];   /* the test's name, with " (postgresql)" on PostgreSQL */
};

static int case_setup(void **state)
{
	const struct fixture_case *c = *state;
	if (c->backend == SPOOL_FIXTURE_POSTGRESQL && spool_fixture_pg_unavailable() != NULL) {
		/* An empty fixture (no test_): case_run skips, since a skip in a
		 * setup would count as an error. */
		struct spool_fixture *none = calloc(1, sizeof *none);
		assert_non_null(none);
		*state = none;
		return 0;
	}
	struct spool_fixture *fx = spool_fixture_new_on(c->backend, c->name);
	fx->test_ = c->test;
	/* A failed setup gets no teardown: the fixture goes before failing. */
	struct spool_err err = { 0 };
	if (spool_open(fx->path, c->open_flags & ~SPOOL_FIXTURE_CLOSED, &fx->sp, &err) != SPOOL_OK) {
		spool_fixture_free(fx);
		fail_msg("open: %s", err.msg);
	}
	if (c->open_flags & SPOOL_FIXTURE_CLOSED) {
		spool_close(fx->sp);
		fx->sp = NULL;
	}
	*state = fx;
	return 0;
}

static void case_run(void **state)
{
	const struct spool_fixture *fx = *state;
	if (fx->test_ == NULL)
		skip();
	((const struct spool_fixture_test *)fx->test_)->func(state);
}

static int case_teardown(void **state)
{
	spool_fixture_free(*state);
	return 0;
}

static int run_group(const char *name, enum spool_fixture_backend backend, int open_flags,
		     const struct spool_fixture_test *tests, size_t n)
{
	struct CMUnitTest *t = calloc(n, sizeof *t);
	struct fixture_case *c = calloc(n, sizeof *c);
	assert_true(t != NULL && c != NULL);
	size_t m = 0;
	bool pg = backend == SPOOL_FIXTURE_POSTGRESQL;
	for (size_t i = 0; i < n; i++) {
		if (pg && tests[i].sqlite_only)
			continue;
		c[m] = (struct fixture_case){ .test = &tests[i], .backend = backend,
					      .name = name, .open_flags = open_flags };
		snprintf(c[m].title, sizeof c[m].title, "%s%s", tests[i].name,
			 pg ? " (postgresql)" : "");
		t[m] = (struct CMUnitTest){ .name = c[m].title, .test_func = case_run,
					    .setup_func = case_setup,
					    .teardown_func = case_teardown,
					    .initial_state = &c[m] };
		m++;
	}
	char group[128];
	snprintf(group, sizeof group, "%s on %s", name, pg ? "postgresql" : "sqlite");
	print_message("[----------] %s\n", group);
	const char *why = pg ? spool_fixture_pg_unavailable() : NULL;
	if (why != NULL)
		print_message("[  SKIPPED ] %s: %s\n", group, why);
	int failed = m > 0 ? _cmocka_run_group_tests(group, t, m, NULL, NULL) : 0;
	free(t);
	free(c);
	return failed;
}

int spool_fixture_run(const char *name, int open_flags,
		      const struct spool_fixture_test *tests, size_t n)
{
	int failed = run_group(name, SPOOL_FIXTURE_SQLITE, open_flags, tests, n);
	failed += run_group(name, SPOOL_FIXTURE_POSTGRESQL, open_flags, tests, n);
	return failed;
}
