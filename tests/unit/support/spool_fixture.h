/* tests/unit/support/spool_fixture.h: the spool tests' fixture, a fresh
 * spool on either backend, and the checks they share.
 *
 * The contract tests (spool/spool.h) run twice, once per backend:
 *   - SQLite: a database file DIR/crond.db in a private temporary
 *     directory /tmp/NAME.XXXXXX;
 *   - PostgreSQL: a database of its own, made with CREATE DATABASE on the
 *     server CROND_TEST_PG names (the maintenance database's URI, which
 *     tests/run exports after starting a private server with
 *     tests/tools/pg-private) and dropped after the test. Without
 *     CROND_TEST_PG these runs are cmocka skips, saying why.
 *
 * A test program lists its tests once and hands them to spool_fixture_run:
 *
 *   static const struct spool_fixture_test tests[] = {
 *       SPOOL_CONTRACT_TEST(test_install_then_get),   // both backends
 *       SPOOL_SQLITE_TEST(test_file_mode_is_0600),    // about SQLite's files
 *   };
 *   return spool_fixture_run("spool-crontab", SPOOL_CREATE, tests, n);
 *
 * Each test then gets *state = a struct spool_fixture whose spool is open
 * (or created and closed again, with SPOOL_FIXTURE_CLOSED). Failures fail
 * the running test (cmocka), with the spool's message.
 */
#ifndef CROND_TESTS_SUPPORT_SPOOL_FIXTURE_H
#define CROND_TESTS_SUPPORT_SPOOL_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "spool/spool.h"

enum spool_fixture_backend {
	SPOOL_FIXTURE_SQLITE,
	SPOOL_FIXTURE_POSTGRESQL,
};

#define SPOOL_FIXTURE_PATH_MAX 128   /* as other spool tests expect */

struct spool_fixture {
	enum spool_fixture_backend backend;
	char dir[64];       /* SQLite: the private directory; PostgreSQL: "" */
	char path[SPOOL_FIXTURE_PATH_MAX];   /* what spool_open takes: SQLite
	                       DIR/crond.db, PostgreSQL the test database's URI */
	char db[64];        /* PostgreSQL: the test database's name; else "" */
	struct spool *sp;   /* the open spool, or NULL */
	const void *test_;  /* private: the test spool_fixture_run runs */
};

/* A new SQLite fixture: the directory is made, the spool is neither created
 * nor opened (SP is NULL). Free with spool_fixture_free. */
struct spool_fixture *spool_fixture_new(const char *name);

/* As spool_fixture_new, on BACKEND. PostgreSQL: a new empty database on
 * the server CROND_TEST_PG names (the test fails if it is unset or the
 * database cannot be made). */
struct spool_fixture *spool_fixture_new_on(enum spool_fixture_backend backend,
					   const char *name);

/* Why PostgreSQL tests cannot run here (a static message), or NULL when
 * CROND_TEST_PG is set. */
const char *spool_fixture_pg_unavailable(void);

/* Opens PATH with FLAGS (enum spool_open_flags) into FX->sp. */
void spool_fixture_open(struct spool_fixture *fx, int flags);

/* Closes FX->sp if it is open, removes the directory with everything in it
 * (SQLite) or drops the database (PostgreSQL, cutting off any connection a
 * failed test left), and frees FX. NULL is fine. */
void spool_fixture_free(struct spool_fixture *fx);

/* How many history records of SP the filter F selects (NULL: all of them,
 * up to SPOOL_QUERY_MAX). */
size_t spool_fixture_count_runs(struct spool *sp, const struct spool_history_filter *f);

/* ---------------------------------------------------------------- running */

struct spool_fixture_test {
	const char *name;
	void (*func)(void **state);
	bool sqlite_only;   /* about SQLite itself (its files, WAL, PRAGMAs) */
};

/* A test of the contract: runs against both backends. */
#define SPOOL_CONTRACT_TEST(f) { #f, f, false }
/* A test of the SQLite backend's own ways (its files, WAL, the reserve,
 * PRAGMA settings): runs against SQLite only. */
#define SPOOL_SQLITE_TEST(f) { #f, f, true }

/* spool_fixture_run's OPEN_FLAGS bit: create the spool, then close it (the
 * test opens its own connections). */
#define SPOOL_FIXTURE_CLOSED (1 << 30)

/* Runs the N TESTS as two cmocka groups, "NAME on sqlite" (all of them)
 * and "NAME on postgresql" (the contract tests), each test on a fresh
 * fixture named NAME whose spool is opened with OPEN_FLAGS (plus
 * SPOOL_FIXTURE_CLOSED, see above). Returns the number of failed tests of
 * both groups (0: all passed or were skipped), as a main's exit status. */
int spool_fixture_run(const char *name, int open_flags,
		      const struct spool_fixture_test *tests, size_t n);

#endif
