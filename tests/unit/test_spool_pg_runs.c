/* tests/unit/test_spool_pg_runs.c: THREADED TEST. The PostgreSQL spool's
 * at jobs, run history, claims and lost nodes, as a cluster uses them:
 * several connections acting for different nodes, in threads, on one
 * database. (The contract tests every backend passes are elsewhere; these
 * are the cluster's own.)
 *
 * Needs a server: CROND_TEST_PG names one by a libpq URI whose role may
 * create databases, e.g. postgresql://postgres@/postgres?host=DIR. Each
 * test gets a fresh database, made and dropped through a libpq connection
 * of its own. Without CROND_TEST_PG the program says so and skips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spool/spool.h"
#include "tests/unit/support/spool_fixture.h"

/* ---------------------------------------------------------------- fixture */

/* Each test: a fresh database (tests/unit/support/spool_fixture.h) whose
 * schema is made once here; the test's connections then open a spool that
 * is there. *state is the fixture; its path is the database's URI. */
static int setup(void **state)
{
	struct spool_fixture *db = spool_fixture_new_on(SPOOL_FIXTURE_POSTGRESQL, "runs");
	spool_fixture_open(db, SPOOL_CREATE);
	spool_close(db->sp);
	db->sp = NULL;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	spool_fixture_free(*state);
	return 0;
}

/* A connection acting for NODE (created on first use). Plain checks:
 * threads call it too. */
static struct spool *open_node(const struct spool_fixture *db, const char *node, struct spool_err *err)
{
	struct spool *sp = NULL;
	if (spool_open(db->path, SPOOL_CREATE, &sp, err) != SPOOL_OK)
		return NULL;
	if (spool_set_node(sp, node, err) != SPOOL_OK) {
		spool_close(sp);
		return NULL;
	}
	return sp;
}

static struct spool *node(const struct spool_fixture *db, const char *name)
{
	struct spool_err err = { 0 };
	struct spool *sp = open_node(db, name, &err);
	if (sp == NULL)
		fail_msg("open %s as %s: %s", db->path, name, err.msg);
	return sp;
}

/* The result of SQL on the test's database, through libpq directly; fails
 * the test unless its status is WANT. Clear it with PQclear. */
static PGresult *db_result(const struct spool_fixture *db, const char *sql, ExecStatusType want)
{
	PGconn *c = PQconnectdb(db->path);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != want ||
	    (want == PGRES_TUPLES_OK && PQntuples(r) != 1)) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		fail_msg("%s: %s", sql, msg);
	}
	PQfinish(c);
	return r;
}

/* One value of a query on the test's database. */
static long long db_value(const struct spool_fixture *db, const char *sql)
{
	PGresult *r = db_result(db, sql, PGRES_TUPLES_OK);
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Runs SQL (no rows wanted) on the test's database. */
static void db_exec(const struct spool_fixture *db, const char *sql)
{
	PQclear(db_result(db, sql, PGRES_COMMAND_OK));
}

static const char *const test_env[] = { "HOME=/home/alice", "LANG=C.UTF-8", "EMPTY=", NULL };

static struct spool_at_job job_for(const char *owner, uid_t uid, char queue, int64_t run_at)
{
	struct spool_at_job j = {
		.queue = queue, .owner = owner, .uid = uid, .gid = uid + 100,
		.run_at = run_at, .created_at = 1000, .script = "echo hi\n",
		.script_len = 8, .env = test_env, .cwd = "/home/alice", .umask = 022,
		.mail = SPOOL_MAIL_DEFAULT,
	};
	return j;
}

static int64_t submit(struct spool *sp, struct spool_at_job j)
{
	struct spool_err err = { 0 };
	int64_t id = 0;
	if (spool_at_submit(sp, &j, &id, &err) != SPOOL_OK)
		fail_msg("submit: %s", err.msg);
	return id;
}

static struct spool_run run_for(const char *key, int64_t scheduled_ms)
{
	struct spool_run r = {
		.kind = SPOOL_RUN_CRON, .owner = "alice", .uid = 1000, .entry_key = key,
		.command = "echo run", .scheduled_ms = scheduled_ms,
		.start_ms = scheduled_ms + 5, .end_ms = scheduled_ms + 50,
		.exit_code = 0, .output = "out\n", .output_len = 4, .output_total = 4,
	};
	return r;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* ---------------------------------------------------------------- workers */

/* What every thread acting for a node of its own starts with: the struct
 * of each kind of worker begins with it. */
struct worker {
	const struct spool_fixture *db;
	int index;                      /* 0, 1, ...: names its node */
	char error[SPOOL_ERR_MSG_MAX + 64];   /* what went wrong, if anything */
};

/* W's connection acting for node PREFIX<index>, or NULL with W->error set. */
static struct spool *worker_open(struct worker *w, const char *prefix)
{
	struct spool_err err = { 0 };
	char name[32];
	snprintf(name, sizeof name, "%s%d", prefix, w->index);
	struct spool *sp = open_node(w->db, name, &err);
	if (sp == NULL)
		snprintf(w->error, sizeof w->error, "%s", err.msg);
	return sp;
}

/* Runs FN in N threads at once, on N workers of SIZE bytes each from
 * WORKERS (zeroed, then each given DB and its index), and joins them; fails
 * the test with the first worker's error. */
static void run_workers(const struct spool_fixture *db, void *(*fn)(void *), void *workers,
			size_t size, int n)
{
	pthread_t t[16];
	assert_true(n <= 16);
	memset(workers, 0, size * (size_t)n);
	for (int k = 0; k < n; k++) {
		struct worker *w = (struct worker *)((char *)workers + size * (size_t)k);
		w->db = db;
		w->index = k;
		assert_int_equal(pthread_create(&t[k], NULL, fn, w), 0);
	}
	for (int k = 0; k < n; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	for (int k = 0; k < n; k++) {
		const struct worker *w = (const struct worker *)((char *)workers + size * (size_t)k);
		if (w->error[0] != '\0')
			fail_msg("worker %d: %s", k, w->error);
	}
}

/* ---------------------------------------------------------------- at jobs */

static void test_at_jobs_queued_on_one_node_are_read_and_removed_on_another(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *sp = node(db, "a");
	struct spool_err err = { 0 };
	const char script[] = "#!/bin/sh\0binary\xff\n";
	struct spool_at_job in = job_for("alice", 1000, 'c', 4102444800LL);
	in.script = script;
	in.script_len = sizeof script - 1;
	in.mail = SPOOL_MAIL_NEVER;
	in.mail_to = "bob";
	int64_t id1 = submit(sp, in);
	int64_t id2 = submit(sp, job_for("bob", 1001, 'a', 2000));
	assert_true(id1 > 0);
	assert_true(id2 > id1);

	struct spool_at_job out;
	assert_int_equal(spool_at_get(sp, id1, &out, &err), SPOOL_OK);
	assert_int_equal(out.id, id1);
	assert_int_equal(out.queue, 'c');
	assert_string_equal(out.owner, "alice");
	assert_int_equal(out.uid, 1000);
	assert_int_equal(out.gid, 1100);
	assert_int_equal(out.run_at, 4102444800LL);
	assert_int_equal(out.script_len, sizeof script - 1);
	assert_memory_equal(out.script, script, sizeof script - 1);
	assert_string_equal(out.env[0], "HOME=/home/alice");
	assert_string_equal(out.env[2], "EMPTY=");
	assert_null(out.env[3]);
	assert_string_equal(out.cwd, "/home/alice");
	assert_int_equal(out.umask, 022);
	assert_int_equal(out.mail, SPOOL_MAIL_NEVER);
	assert_string_equal(out.mail_to, "bob");
	assert_int_equal(out.state, SPOOL_AT_WAITING);
	spool_at_job_free(&out);

	struct spool_at_summary *v;
	size_t n;
	struct spool_at_filter all = { .all_owners = true };
	assert_int_equal(spool_at_list(sp, &all, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, id2);   /* run_at order */
	assert_string_equal(v[0].owner, "bob");
	assert_int_equal(v[1].id, id1);
	free(v);
	struct spool_at_filter alice = { .uid = 1000 };
	assert_int_equal(spool_at_list(sp, &alice, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, id1);
	free(v);
	struct spool_at_filter queue_b = { .all_owners = true, .queue = 'b' };
	assert_int_equal(spool_at_list(sp, &queue_b, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	assert_null(v);

	/* Another node removes what this one queued. */
	struct spool *other = node(db, "b");
	assert_int_equal(spool_at_remove(other, id1, 1001, &err), SPOOL_PERMISSION);
	assert_int_equal(spool_at_remove(other, id1, 1000, &err), SPOOL_OK);
	assert_int_equal(spool_at_get(sp, id1, &out, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_remove(sp, id1, 0, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_claim(sp, id2, 3000, &err), SPOOL_OK);
	assert_int_equal(spool_at_remove(other, id2, 0, &err), SPOOL_CONFLICT);

	/* Bad input: nothing written. */
	struct spool_at_job bad = job_for("alice", 1000, '1', 1);
	int64_t id = -1;
	assert_int_equal(spool_at_submit(sp, &bad, &id, &err), SPOOL_INVALID);
	assert_int_equal(id, 0);
	assert_non_null(strstr(err.msg, "queue must be a letter"));
	const char *no_eq[] = { "NOEQUALS", NULL };
	bad = job_for("alice", 1000, 'a', 1);
	bad.env = no_eq;
	assert_int_equal(spool_at_submit(sp, &bad, &id, &err), SPOOL_INVALID);
	assert_non_null(strstr(err.msg, "environment string 0 is not NAME=VALUE"));
	assert_int_equal(db_value(db, "SELECT count(*) FROM at_job"), 1);
	spool_close(other);
	spool_close(sp);
}

static void test_at_quota_counts_earlier_jobs_and_the_batch(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *sp = node(db, "a");
	struct spool_err err = { 0 };
	struct spool_at_job j = job_for("alice", 1000, 'a', 100);
	uint64_t bytes = spool_at_job_bytes(&j);
	struct spool_at_usage u;
	int64_t id;
	assert_int_equal(spool_at_submit_quota(sp, &j, 2, 1000000, &id, &u, &err), SPOOL_OK);
	assert_int_equal(u.jobs, 0);
	assert_int_equal(spool_at_submit_quota(sp, &j, 2, 1000000, &id, &u, &err), SPOOL_OK);
	assert_int_equal(u.jobs, 1);
	assert_int_equal(u.bytes, bytes);
	assert_int_equal(spool_at_submit_quota(sp, &j, 2, 1000000, &id, &u, &err), SPOOL_QUOTA);
	assert_int_equal(u.jobs, 2);
	assert_non_null(strstr(err.msg, "uid 1000 has 2 at jobs queued, limit 2"));
	assert_int_equal(spool_at_submit_quota(sp, &j, 10, 2 * bytes + 1, &id, &u, &err),
			 SPOOL_QUOTA);
	assert_non_null(strstr(err.msg, "bytes of at jobs"));
	assert_int_equal(spool_at_usage_of(sp, 1000, &u, &err), SPOOL_OK);
	assert_int_equal(u.jobs, 2);
	assert_int_equal(u.bytes, 2 * bytes);

	/* A batch: the quota counts the jobs queued before each in the
	 * batch; a bad job is left out alone; root is exempt. */
	struct spool_at_job jobs[5] = {
		job_for("alice", 1000, 'a', 100), job_for("alice", 1000, 'a', 100),
		job_for("bob", 1001, 'a', 100), job_for("bob", 1001, '!', 100),
		job_for("root", 0, 'a', 100),
	};
	struct spool_at_quota q = { .max_jobs = 3, .max_bytes = 1000000 };
	int64_t ids[5];
	int codes[5];
	struct spool_err errs[5];
	struct spool_at_usage usages[5];
	assert_int_equal(spool_at_submit_many(sp, jobs, 5, &q, ids, codes, errs, usages, &err),
			 SPOOL_OK);
	assert_int_equal(codes[0], SPOOL_OK);
	assert_int_equal(codes[1], SPOOL_QUOTA);
	assert_int_equal(usages[1].jobs, 3);
	assert_int_equal(ids[1], 0);
	assert_int_equal(codes[2], SPOOL_OK);
	assert_int_equal(codes[3], SPOOL_INVALID);
	assert_int_equal(codes[4], SPOOL_OK);
	assert_true(ids[0] > id && ids[2] > ids[0] && ids[4] > ids[2]);
	assert_int_equal(db_value(db, "SELECT count(*) FROM at_job"), 5);
	spool_close(sp);
}

#define QUOTA_NODES 4
#define QUOTA_TRIES 10
#define QUOTA_MAX 15

struct quota_submitter {
	struct worker w;
	int ok, over;
};

static void *submit_quota_loop(void *arg)
{
	struct quota_submitter *q = arg;
	struct spool_err err = { 0 };
	struct spool *sp = worker_open(&q->w, "q");
	if (sp == NULL)
		return NULL;
	for (int i = 0; i < QUOTA_TRIES; i++) {
		struct spool_at_job j = job_for("alice", 1000, 'a', 100 + i);
		int64_t id;
		int rc = spool_at_submit_quota(sp, &j, QUOTA_MAX, 1000000, &id, NULL, &err);
		if (rc == SPOOL_OK)
			q->ok++;
		else if (rc == SPOOL_QUOTA)
			q->over++;
		else
			snprintf(q->w.error, sizeof q->w.error, "%s", err.msg);
	}
	spool_close(sp);
	return NULL;
}

/* Nodes submitting for one owner at once count each other's jobs. */
static void test_at_quota_holds_across_nodes(void **state)
{
	struct spool_fixture *db = *state;
	static struct quota_submitter q[QUOTA_NODES];
	run_workers(db, submit_quota_loop, q, sizeof *q, QUOTA_NODES);
	int ok = 0, over = 0;
	for (int k = 0; k < QUOTA_NODES; k++) {
		ok += q[k].ok;
		over += q[k].over;
	}
	assert_int_equal(ok, QUOTA_MAX);
	assert_int_equal(over, QUOTA_NODES * QUOTA_TRIES - QUOTA_MAX);
	assert_int_equal(db_value(db, "SELECT count(*) FROM at_job WHERE uid = 1000"), QUOTA_MAX);
}

/* An imported job keeps its number when no job ever had it; later ids
 * are above it, on every node. */
static void test_at_import_keeps_ids(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *a = node(db, "a"), *b = node(db, "b");
	struct spool_err err = { 0 };
	int64_t first = submit(a, job_for("alice", 1000, 'a', 100));
	struct spool_at_job j = job_for("alice", 1000, 'a', 100);
	j.env = NULL;
	int64_t id = 0;
	enum spool_import_result res;
	assert_int_equal(spool_at_import(a, &j, 500, "import:at:500", &id, &res, &err), SPOOL_OK);
	assert_int_equal(res, SPOOL_IMPORTED);
	assert_int_equal(id, 500);
	assert_int_equal(submit(b, job_for("alice", 1000, 'a', 100)), 501);
	/* A number given before: the next new one. */
	assert_int_equal(spool_at_import(b, &j, first, "import:at:1", &id, &res, &err), SPOOL_OK);
	assert_int_equal(id, 502);
	assert_int_equal(spool_at_import(a, &j, first, "import:at:1", &id, &res, &err), SPOOL_OK);
	assert_int_equal(res, SPOOL_IMPORTED_BEFORE);
	assert_int_equal(id, 502);
	assert_int_equal(db_value(db, "SELECT count(*) FROM at_job"), 4);
	spool_close(a);
	spool_close(b);
}

/* ---------------------------------------------------------------- claims of at jobs */

#define CLAIM_JOBS 200
#define CLAIMERS 8

struct claimer {
	struct worker w;
	int wins[CLAIM_JOBS];
};

static int64_t claim_ids[CLAIM_JOBS];   /* the jobs the claimers race for */

static void *claim_all(void *arg)
{
	struct claimer *c = arg;
	struct spool_err err = { 0 };
	struct spool *sp = worker_open(&c->w, "claimer");
	if (sp == NULL)
		return NULL;
	for (size_t k = 0; k < CLAIM_JOBS; k++) {
		size_t i = (k + (size_t)c->w.index * 25) % CLAIM_JOBS;   /* different orders */
		int rc = spool_at_claim(sp, claim_ids[i], 100, &err);
		if (rc == SPOOL_OK)
			c->wins[i]++;
		else if (rc != SPOOL_CONFLICT && c->w.error[0] == '\0')
			snprintf(c->w.error, sizeof c->w.error, "a failure other than a conflict: %s",
				 err.msg);
	}
	spool_close(sp);
	return NULL;
}

static void test_at_claim_exactly_one_of_eight_connections_wins(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *sp = node(db, "a");
	for (int i = 0; i < CLAIM_JOBS; i++)
		claim_ids[i] = submit(sp, job_for("alice", 1000, 'a', 100 + i));
	static struct claimer c[CLAIMERS];
	run_workers(db, claim_all, c, sizeof *c, CLAIMERS);
	for (int i = 0; i < CLAIM_JOBS; i++) {
		int wins = 0;
		for (int k = 0; k < CLAIMERS; k++)
			wins += c[k].wins[i];
		if (wins != 1)
			fail_msg("job %lld claimed %d times", (long long)claim_ids[i], wins);
	}
	/* Each claim named its claimer. */
	for (int k = 0; k < CLAIMERS; k++) {
		int mine = 0;
		for (int i = 0; i < CLAIM_JOBS; i++)
			mine += c[k].wins[i];
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM at_job WHERE state = 'running'"
			 " AND node = 'claimer%d'", k);
		assert_int_equal(db_value(db, sql), mine);
	}
	spool_close(sp);
}

#define DUE_JOBS 300
#define DUE_NODES 3

struct due_claimer {
	struct worker w;
	int64_t got[DUE_JOBS];
	size_t n;
};

static void *claim_due_loop(void *arg)
{
	struct due_claimer *c = arg;
	struct spool_err err = { 0 };
	struct spool *sp = worker_open(&c->w, "node");
	if (sp == NULL)
		return NULL;
	for (;;) {
		struct spool_at_job *v;
		size_t n;
		if (spool_at_claim_due(sp, 10000, "ab", 7, &v, &n, &err) != SPOOL_OK) {
			snprintf(c->w.error, sizeof c->w.error, "%s", err.msg);
			break;
		}
		for (size_t i = 0; i < n && c->n < DUE_JOBS; i++) {
			if (v[i].state != SPOOL_AT_RUNNING)
				snprintf(c->w.error, sizeof c->w.error, "job %lld claimed as %d",
					 (long long)v[i].id, (int)v[i].state);
			c->got[c->n++] = v[i].id;
		}
		spool_at_jobs_free(v, n);
		if (n == 0)
			break;
	}
	spool_close(sp);
	return NULL;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_at_claim_due_from_three_nodes_never_gives_a_job_twice(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *sp = node(db, "submitter");
	struct spool_err err = { 0 };
	for (int i = 0; i < DUE_JOBS; i++)
		submit(sp, job_for("alice", 1000, i % 2 ? 'a' : 'b', 100 + i % 17));
	int64_t not_due = submit(sp, job_for("alice", 1000, 'a', 20000));
	int64_t other_queue = submit(sp, job_for("alice", 1000, 'c', 100));
	static struct due_claimer c[DUE_NODES];
	run_workers(db, claim_due_loop, c, sizeof *c, DUE_NODES);
	static int64_t all[DUE_JOBS * DUE_NODES];
	size_t n = 0;
	for (int k = 0; k < DUE_NODES; k++) {
		memcpy(all + n, c[k].got, c[k].n * sizeof *all);
		n += c[k].n;
	}
	assert_int_equal(n, DUE_JOBS);
	qsort(all, n, sizeof *all, cmp_id);
	for (size_t i = 1; i < n; i++)
		if (all[i] == all[i - 1])
			fail_msg("job %lld claimed twice", (long long)all[i]);
	int64_t next = 0;
	assert_int_equal(spool_at_next_run(sp, "ab", &next, &err), SPOOL_OK);
	assert_int_equal(next, 20000);
	assert_int_equal(spool_at_next_run(sp, "c", &next, &err), SPOOL_OK);
	assert_int_equal(next, 100);
	assert_int_equal(spool_at_next_run(sp, "z", &next, &err), SPOOL_NOT_FOUND);
	(void)not_due;
	(void)other_queue;

	/* Each node recovers exactly what it claimed, nothing of the others'. */
	for (int k = 0; k < DUE_NODES; k++) {
		char name[16];
		snprintf(name, sizeof name, "node%d", k);
		struct spool *nk = node(db, name);
		struct spool_at_job *v;
		size_t nv;
		assert_int_equal(spool_at_recover(nk, 500, &v, &nv, &err), SPOOL_OK);
		assert_int_equal(nv, c[k].n);
		qsort(c[k].got, c[k].n, sizeof *c[k].got, cmp_id);
		for (size_t i = 0; i < nv; i++) {
			assert_int_equal(v[i].state, SPOOL_AT_INTERRUPTED);
			assert_non_null(bsearch(&v[i].id, c[k].got, c[k].n, sizeof *c[k].got,
						cmp_id));
		}
		spool_at_jobs_free(v, nv);
		spool_close(nk);
	}
	spool_close(sp);
}

static void test_at_recover_touches_only_its_own_node(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *a = node(db, "a"), *b = node(db, "b");
	struct spool_err err = { 0 };
	int64_t ja = submit(a, job_for("alice", 1000, 'a', 100));
	int64_t jb = submit(a, job_for("alice", 1000, 'a', 200));
	assert_int_equal(spool_at_claim(a, ja, 150, &err), SPOOL_OK);
	assert_int_equal(spool_at_claim(b, jb, 250, &err), SPOOL_OK);
	assert_int_equal(spool_at_claim(a, jb, 250, &err), SPOOL_CONFLICT);
	assert_non_null(strstr(err.msg, "is running, not waiting"));
	assert_int_equal(spool_at_set_running(b, jb, 4242, 251, &err), SPOOL_OK);

	struct spool_at_job *v;
	size_t n;
	assert_int_equal(spool_at_recover(a, 300, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, ja);
	assert_int_equal(v[0].state, SPOOL_AT_INTERRUPTED);
	spool_at_jobs_free(v, n);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(a, jb, &j, &err), SPOOL_OK);
	assert_int_equal(j.state, SPOOL_AT_RUNNING);   /* B's job runs on */
	assert_int_equal(j.pid, 4242);
	assert_int_equal(j.started_at, 251);
	spool_at_job_free(&j);

	/* Finishing writes its record in the same transaction, by its node. */
	char key[32];
	snprintf(key, sizeof key, "at:%lld", (long long)jb);
	struct spool_run r = run_for(key, 200000);
	r.kind = SPOOL_RUN_AT;
	assert_int_equal(spool_at_finish(b, jb, &r, &err), SPOOL_OK);
	assert_int_equal(spool_at_finish(b, jb, &r, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_finish(a, ja, NULL, &err), SPOOL_OK);
	struct spool_history_filter f = { .entry_key = key, .limit = 10 };
	struct spool_run *runs;
	assert_int_equal(spool_history_query(a, &f, &runs, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].node, "b");
	assert_int_equal(runs[0].kind, SPOOL_RUN_AT);
	spool_runs_free(runs, n);
	assert_int_equal(db_value(db, "SELECT count(*) FROM at_job"), 0);
	spool_close(a);
	spool_close(b);
}

/* ---------------------------------------------------------------- history */

static void test_history_names_the_node_and_recovers_only_its_own(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *a = node(db, "node-a"), *b = node(db, "node-b");
	struct spool_err err = { 0 };
	struct spool_run begun[2] = { run_for("e1", 1000), run_for("e2", 2000) };
	int64_t ids[2] = { 0 };
	assert_int_equal(spool_history_begin(a, begun, 2, ids, &err), SPOOL_OK);
	assert_true(ids[0] > 0 && ids[1] > ids[0]);
	struct spool_run appended = run_for("e1", 3000);
	assert_int_equal(spool_history_append(b, &appended, 1, &err), SPOOL_OK);
	struct spool_run running = run_for("x", 1);
	running.flags = SPOOL_RUN_RUNNING;
	assert_int_equal(spool_history_append(b, &running, 1, &err), SPOOL_INVALID);

	struct spool_history_filter all = { .limit = 100 };
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_query(b, &all, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].start_ms, 3005);   /* newest first */
	assert_string_equal(v[0].node, "node-b");
	assert_string_equal(v[1].node, "node-a");
	assert_true(v[1].flags & SPOOL_RUN_RUNNING);
	assert_int_equal(v[1].end_ms, 0);
	assert_int_equal(v[1].exit_code, -1);
	assert_int_equal(v[1].output_len, 0);
	spool_runs_free(v, n);

	/* End one: completed in place, as begun otherwise. */
	struct spool_run ended = run_for("e1", 1000);
	ended.id = ids[0];
	ended.exit_code = 3;
	ended.end_ms = 1999;
	assert_int_equal(spool_history_end(a, &ended, 1, &err), SPOOL_OK);
	struct spool_history_filter e1 = { .entry_key = "e1", .limit = 100 };
	assert_int_equal(spool_history_query(a, &e1, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[1].id, ids[0]);
	assert_int_equal(v[1].exit_code, 3);
	assert_int_equal(v[1].end_ms, 1999);
	assert_false(v[1].flags & SPOOL_RUN_RUNNING);
	assert_int_equal(v[1].output_len, 4);
	assert_memory_equal(v[1].output, "out\n", 4);
	assert_string_equal(v[1].node, "node-a");
	spool_runs_free(v, n);
	e1.brief = true;
	assert_int_equal(spool_history_query(a, &e1, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[1].output_len, 0);
	assert_int_equal(v[1].output_total, 0);
	spool_runs_free(v, n);
	struct spool_history_filter by_uid = { .by_uid = true, .uid = 1001, .limit = 5 };
	assert_int_equal(spool_history_query(a, &by_uid, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);

	/* An end with no id (its begin's answer was lost, though the begin
	 * committed) completes that node's running record of the same run, not
	 * another node's, and appends nothing. */
	struct spool_run lost = run_for("e2", 2000);
	lost.exit_code = 7;
	assert_int_equal(spool_history_end(b, &lost, 1, &err), SPOOL_OK);   /* b's: appended */
	assert_int_equal(db_value(db, "SELECT count(*) FROM run"), 4);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE flags & 64 <> 0"), 1);
	struct spool_run mine = run_for("e2", 2000);
	mine.exit_code = 9;
	mine.id = 0;
	int64_t id2 = 0;
	struct spool_run again = run_for("e2", 2000);
	assert_int_equal(spool_history_begin(a, &again, 1, &id2, &err), SPOOL_OK);
	assert_int_equal(spool_history_end(a, &mine, 1, &err), SPOOL_OK);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run"), 5);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE flags & 64 <> 0"), 1);
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT exit_code FROM run WHERE id = %lld", (long long)ids[1]);
	assert_int_equal(db_value(db, sql), 9);   /* the oldest of a's two */
	snprintf(sql, sizeof sql, "SELECT flags & 64 FROM run WHERE id = %lld", (long long)id2);
	assert_int_equal(db_value(db, sql), 64);
	ids[1] = id2;   /* the one left running, for the recovery below */

	/* Recovery: B has no running record; A's one left ends interrupted. */
	assert_int_equal(spool_history_recover(b, 9000, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(spool_history_recover(a, 9000, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, ids[1]);
	assert_int_equal(v[0].end_ms, 9000);
	assert_int_equal(v[0].flags, SPOOL_RUN_INTERRUPTED);
	assert_string_equal(v[0].node, "node-a");
	spool_runs_free(v, n);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE flags & 64 <> 0"), 0);
	spool_close(a);
	spool_close(b);
}

static void test_prune_spares_running_records_and_takes_old_claims(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *sp = node(db, "a");
	struct spool_err err = { 0 };
	/* e1: 10 records (start 5, 105, ... 905 ms) and an old running one;
	 * e2: 5 of another owner (10005 - 10405); c: 10 claimed runs at 0 -
	 * 900 ms (start 5 - 905), ended. */
	for (int i = 0; i < 10; i++) {
		struct spool_run r = run_for("e1", i * 100);
		assert_int_equal(spool_history_append(sp, &r, 1, &err), SPOOL_OK);
	}
	for (int i = 0; i < 5; i++) {
		struct spool_run r = run_for("e2", 10000 + i * 100);
		r.uid = 1001;
		r.owner = "bob";
		assert_int_equal(spool_history_append(sp, &r, 1, &err), SPOOL_OK);
	}
	struct spool_run old = run_for("e1", -1000);
	int64_t old_id = 0;
	assert_int_equal(spool_history_begin(sp, &old, 1, &old_id, &err), SPOOL_OK);
	struct spool_run claims[10];
	int64_t ids[10];
	bool won[10];
	for (int i = 0; i < 10; i++)
		claims[i] = run_for("c", i * 100);
	assert_int_equal(spool_run_claim(sp, claims, 10, ids, won, &err), SPOOL_OK);
	for (int i = 0; i < 10; i++) {
		assert_true(won[i]);
		claims[i].id = ids[i];
	}
	assert_int_equal(spool_history_end(sp, claims, 10, &err), SPOOL_OK);

	/* By age: records started before 405 ms (8, not the running one) and
	 * claims of instants before it (5); the larger number is returned. */
	size_t deleted = 0;
	assert_int_equal(spool_history_prune_age(sp, 405, 100, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 8);
	assert_int_equal(db_value(db, "SELECT count(*) FROM claim"), 5);
	assert_int_equal(db_value(db, "SELECT min(scheduled_ms) FROM claim"), 500);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run"), 10 + 5 + 1 + 10 - 8);
	assert_int_equal(spool_history_prune_age(sp, 405, 2, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 0);
	assert_int_equal(spool_history_prune_age(sp, 405, 0, &deleted, &err), SPOOL_INVALID);
	assert_non_null(strstr(err.msg, "batch must be 1 to 100000"));

	/* Per entry, keep 3: e1 6 + the running one, e2 5, c 6: 4 + 2 + 3
	 * beyond, the running one spared. */
	assert_int_equal(spool_history_prune_count(sp, 3, 100, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 8);
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM run WHERE id = %lld", (long long)old_id);
	assert_int_equal(db_value(db, sql), 1);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE entry_key = 'e2'"), 3);
	assert_int_equal(db_value(db, "SELECT min(start_ms) FROM run WHERE entry_key = 'e2'"),
			 10205);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE entry_key = 'e1'"
				  " AND flags & 64 = 0"), 3);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE entry_key = 'c'"), 3);
	assert_int_equal(spool_history_prune_count(sp, 3, 100, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 0);

	/* Per user, keep 1: the newest of each owner stays, and the running
	 * record. */
	assert_int_equal(spool_history_prune_user_count(sp, 1, 100, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 2 + 5);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE uid = 1001"), 1);
	assert_int_equal(db_value(db, "SELECT max(start_ms) FROM run WHERE uid = 1001"), 10405);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE uid = 1000"), 2);
	assert_int_equal(db_value(db, sql), 1);
	spool_close(sp);
}

#define INDEX_SCANS "SELECT coalesce((SELECT idx_scan FROM pg_stat_user_indexes" \
	" WHERE indexrelname = 'claim_scheduled'), -1)"
#define CLAIM_SEQ_SCANS "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'claim'"

/* The age prune finds old claims through the index claim_scheduled and
 * never reads the whole claim table, even with the generic plan a
 * prepared statement ends up with (forced here). The server's statistics
 * say which scans the prune's connection made (flushed when it ends). */
static void test_claim_prune_reads_claims_by_index(void **state)
{
	struct spool_fixture *db = *state;
	struct spool_err err = { 0 };
	/* 20000 claims, 200 entries a minute for 100 minutes. */
	db_exec(db, "INSERT INTO claim (entry_key, scheduled_ms, node, run_id)"
		" SELECT convert_to('user:alice:' || (g % 200), 'UTF8'),"
		" 60000 * (g / 200), 'a', g FROM generate_series(0, 19999) g");
	db_exec(db, "ANALYZE claim");
	long long seq_before = db_value(db, CLAIM_SEQ_SCANS);
	long long idx_before = db_value(db, INDEX_SCANS);
	assert_true(idx_before >= 0);   /* the index is there */
	assert_int_equal(setenv("PGOPTIONS", "-c plan_cache_mode=force_generic_plan", 1), 0);
	struct spool *sp = node(db, "a");
	assert_int_equal(unsetenv("PGOPTIONS"), 0);
	/* Claims of the first 3 minutes (600) go, 100 a call. (No query of
	 * the table in between: the statistics would count its scans.) */
	size_t deleted[7] = { 0 };
	for (int i = 0; i < 7; i++)
		assert_int_equal(spool_history_prune_age(sp, 3 * 60000, 100, &deleted[i], &err),
				 SPOOL_OK);
	spool_close(sp);
	/* The closed connection's counts reach the statistics soon after. */
	long long idx_after = idx_before;
	for (int i = 0; i < 100 && idx_after < idx_before + 7; i++) {
		sleep_ms(50);
		idx_after = db_value(db, INDEX_SCANS);
	}
	assert_true(idx_after >= idx_before + 7);   /* one scan a prune */
	assert_int_equal(db_value(db, CLAIM_SEQ_SCANS), seq_before);
	for (int i = 0; i < 6; i++)
		assert_int_equal(deleted[i], 100);
	assert_int_equal(deleted[6], 0);
	assert_int_equal(db_value(db, "SELECT count(*) FROM claim"), 20000 - 600);
	assert_int_equal(db_value(db, "SELECT min(scheduled_ms) FROM claim"), 3 * 60000);
}

/* ---------------------------------------------------------------- claims of runs */

#define PAIRS 500
#define KEYS 50
#define RUN_NODES 3
#define CLAIM_BATCH 20

struct run_claimer {
	struct worker w;
	bool won[PAIRS];
	int64_t ids[PAIRS];
};

static void pair_key(int i, char *key, size_t size)
{
	snprintf(key, size, "user:alice:%d", i % KEYS);
}

static int64_t pair_instant(int i)
{
	return 60000LL * (i / KEYS);
}

static void *claim_runs(void *arg)
{
	struct run_claimer *c = arg;
	struct spool_err err = { 0 };
	struct spool *sp = worker_open(&c->w, "n");
	if (sp == NULL)
		return NULL;
	int me = c->w.index;
	static char keys[RUN_NODES][PAIRS][32];
	/* Batches in an order of its own: forwards, backwards, interleaved. */
	for (int b = 0; b < PAIRS / CLAIM_BATCH; b++) {
		struct spool_run runs[CLAIM_BATCH];
		int which[CLAIM_BATCH];
		for (int k = 0; k < CLAIM_BATCH; k++) {
			int i = b * CLAIM_BATCH + k;
			if (me == 1)
				i = PAIRS - 1 - i;
			else if (me == 2)
				i = (i * 7) % PAIRS;   /* 7 and 500 are coprime */
			which[k] = i;
			pair_key(i, keys[me][i], sizeof keys[me][i]);
			runs[k] = run_for(keys[me][i], pair_instant(i));
		}
		int64_t ids[CLAIM_BATCH];
		bool won[CLAIM_BATCH];
		if (spool_run_claim(sp, runs, CLAIM_BATCH, ids, won, &err) != SPOOL_OK) {
			snprintf(c->w.error, sizeof c->w.error, "%s", err.msg);
			break;
		}
		for (int k = 0; k < CLAIM_BATCH; k++) {
			c->won[which[k]] = won[k];
			c->ids[which[k]] = ids[k];
			if (won[k] != (ids[k] != 0))
				snprintf(c->w.error, sizeof c->w.error, "won %d with id %lld",
					 (int)won[k], (long long)ids[k]);
		}
	}
	spool_close(sp);
	return NULL;
}

static void test_run_claim_from_three_nodes_wins_each_run_once(void **state)
{
	struct spool_fixture *db = *state;
	static struct run_claimer c[RUN_NODES];
	struct timespec t0, t1;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
	run_workers(db, claim_runs, c, sizeof *c, RUN_NODES);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("figure: 3 nodes each claiming the same 500 runs (batches of %d):"
		      " %.0f ms, %.0f claim attempts/s (this build, shared machine)\n",
		      CLAIM_BATCH, ms, RUN_NODES * PAIRS / (ms / 1e3));
	int per_node[RUN_NODES] = { 0 };
	struct spool *sp = node(db, "reader");
	struct spool_err err = { 0 };
	for (int i = 0; i < PAIRS; i++) {
		int wins = 0, winner = -1;
		for (int k = 0; k < RUN_NODES; k++)
			if (c[k].won[i]) {
				wins++;
				winner = k;
			}
		if (wins != 1)
			fail_msg("run %d won %d times", i, wins);
		per_node[winner]++;
	}
	/* Losers wrote nothing: one record per run, the winner's. */
	struct spool_history_filter all = { .limit = SPOOL_QUERY_MAX };
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_query(sp, &all, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, PAIRS);
	for (size_t r = 0; r < n; r++) {
		int key = atoi(v[r].entry_key + strlen("user:alice:"));
		int i = (int)(v[r].scheduled_ms / 60000) * KEYS + key;
		assert_true(i >= 0 && i < PAIRS);
		int winner = -1;
		for (int k = 0; k < RUN_NODES; k++)
			if (c[k].won[i])
				winner = k;
		char name[16];
		snprintf(name, sizeof name, "n%d", winner);
		assert_string_equal(v[r].node, name);
		assert_int_equal(v[r].id, c[winner].ids[i]);
		assert_int_equal(v[r].flags, SPOOL_RUN_RUNNING);
		assert_int_equal(v[r].end_ms, 0);
	}
	spool_runs_free(v, n);
	assert_int_equal(db_value(db, "SELECT count(*) FROM claim"), PAIRS);
	print_message("figure: run claims won per node of 3 (500 runs): %d %d %d\n",
		      per_node[0], per_node[1], per_node[2]);

	/* A begun record, a skipped one or a refused one is no claim; a
	 * claimed run is not won by another claim. */
	struct spool_run skipped = run_for("fresh", 60000);
	skipped.flags = SPOOL_RUN_SKIPPED;
	assert_int_equal(spool_history_append(sp, &skipped, 1, &err), SPOOL_OK);
	struct spool_run begun = run_for("fresh", 60000);
	int64_t id;
	assert_int_equal(spool_history_begin(sp, &begun, 1, &id, &err), SPOOL_OK);
	struct spool_run two[2] = { run_for("fresh", 60000), run_for("user:alice:0", 0) };
	int64_t ids[2];
	bool won[2];
	assert_int_equal(spool_run_claim(sp, two, 2, ids, won, &err), SPOOL_OK);
	assert_true(won[0]);
	assert_false(won[1]);
	assert_int_equal(ids[1], 0);
	int64_t first = ids[0];
	assert_int_equal(spool_run_claim(sp, two, 1, ids, won, &err), SPOOL_OK);
	assert_true(won[0]);   /* the same claim again (same start): the one made */
	assert_int_equal(ids[0], first);
	two[0].start_ms += 1;
	assert_int_equal(spool_run_claim(sp, two, 1, ids, won, &err), SPOOL_OK);
	assert_false(won[0]);   /* another claim of it */
	/* Bad input: nothing claimed. */
	struct spool_run bad[2] = { run_for("new1", 0), run_for("", 0) };
	won[0] = true;
	assert_int_equal(spool_run_claim(sp, bad, 2, ids, won, &err), SPOOL_INVALID);
	assert_false(won[0]);
	assert_int_equal(db_value(db, "SELECT count(*) FROM claim WHERE entry_key = 'new1'"), 0);
	spool_close(sp);
}

/* One call: a run given twice is won once (its first copy); runs whose
 * commands fill several statements are all claimed, bytes intact. */
static void test_run_claim_batch_repeats_and_large_commands(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *sp = node(db, "a");
	struct spool_err err = { 0 };
	struct spool_run twice[3] = { run_for("k", 60000), run_for("j", 60000), run_for("k", 60000) };
	int64_t ids[24];
	bool won[24];
	assert_int_equal(spool_run_claim(sp, twice, 3, ids, won, &err), SPOOL_OK);
	assert_true(won[0]);
	assert_true(won[1]);
	assert_false(won[2]);
	assert_int_equal(ids[2], 0);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run"), 2);

	/* 24 commands of 64 KiB with every byte value but NUL: about 3 MiB
	 * of hex, so several statements in one transaction. */
	static char command[SPOOL_COMMAND_MAX + 1];
	for (size_t i = 0; i < SPOOL_COMMAND_MAX; i++)
		command[i] = (char)(1 + i % 255);
	struct spool_run big[24];
	static char keys[24][16];
	for (int i = 0; i < 24; i++) {
		snprintf(keys[i], sizeof keys[i], "big%02d", 23 - i);
		big[i] = run_for(keys[i], 120000);
		big[i].command = command;
		big[i].flags = SPOOL_RUN_CATCHUP;
	}
	assert_int_equal(spool_run_claim(sp, big, 24, ids, won, &err), SPOOL_OK);
	for (int i = 0; i < 24; i++) {
		assert_true(won[i]);
		struct spool_history_filter f = { .entry_key = keys[i], .limit = 5 };
		struct spool_run *v;
		size_t n;
		assert_int_equal(spool_history_query(sp, &f, &v, &n, &err), SPOOL_OK);
		assert_int_equal(n, 1);
		assert_int_equal(v[0].id, ids[i]);
		assert_int_equal(v[0].flags, SPOOL_RUN_CATCHUP | SPOOL_RUN_RUNNING);
		assert_int_equal(v[0].scheduled_ms, 120000);
		assert_int_equal(v[0].start_ms, 120005);
		assert_string_equal(v[0].owner, "alice");
		assert_int_equal(v[0].uid, 1000);
		assert_int_equal(v[0].kind, SPOOL_RUN_CRON);
		assert_string_equal(v[0].command, command);
		spool_runs_free(v, n);
	}
	spool_close(sp);
}

/* ---------------------------------------------------------------- lost nodes */

/* SP reaps the nodes silent for TIMEOUT_MS: exactly the one named LOST, or
 * none when LOST is NULL. */
static void expect_reaped(struct spool *sp, int64_t timeout_ms, const char *lost)
{
	struct spool_err err = { 0 };
	char **v = NULL;
	size_t n = 0;
	assert_int_equal(spool_node_reap(sp, timeout_ms, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, lost != NULL ? 1 : 0);
	if (lost == NULL) {
		assert_null(v);
		return;
	}
	assert_string_equal(v[0], lost);
	free(v[0]);
	free(v);
}

static void test_reap_ends_a_lost_nodes_runs_once_and_its_return_completes_them(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *a = node(db, "a"), *b = node(db, "b");
	struct spool_err err = { 0 };
	int64_t db_now = 0;
	assert_int_equal(spool_node_beat(a, 0, &db_now, &err), SPOOL_OK);
	assert_true(db_now > 1600000000000LL);
	assert_int_equal(spool_node_beat(b, 0, NULL, &err), SPOOL_OK);

	/* B holds: a claimed cron run, a begun record, an at job it started
	 * (with its running record) and one it claimed but had not started. */
	struct spool_run claim = run_for("user:bob:1", 60000);
	int64_t claim_id = 0;
	bool won = false;
	assert_int_equal(spool_run_claim(b, &claim, 1, &claim_id, &won, &err), SPOOL_OK);
	assert_true(won);
	struct spool_run plain = run_for("user:bob:2", 60000);
	int64_t plain_id = 0;
	assert_int_equal(spool_history_begin(b, &plain, 1, &plain_id, &err), SPOOL_OK);
	int64_t j1 = submit(a, job_for("bob", 1001, 'a', 50));
	int64_t j2 = submit(a, job_for("bob", 1001, 'a', 60));
	int64_t j3 = submit(a, job_for("bob", 1001, 'a', 70));
	struct spool_at_job *v;
	size_t n;
	assert_int_equal(spool_at_claim_due(b, 65, NULL, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	spool_at_jobs_free(v, n);
	assert_int_equal(spool_at_set_running(b, j1, 777, 51, &err), SPOOL_OK);
	char k1[32];
	snprintf(k1, sizeof k1, "at:%lld", (long long)j1);
	struct spool_run at_run = run_for(k1, 50000);
	at_run.kind = SPOOL_RUN_AT;
	int64_t at_run_id = 0;
	assert_int_equal(spool_history_begin(b, &at_run, 1, &at_run_id, &err), SPOOL_OK);
	/* A holds a running record of its own. */
	struct spool_run own = run_for("user:alice:1", 60000);
	int64_t own_id = 0;
	assert_int_equal(spool_history_begin(a, &own, 1, &own_id, &err), SPOOL_OK);

	/* Nobody is lost yet. */
	expect_reaped(a, 60000, NULL);
	char **lost = NULL;
	assert_int_equal(spool_node_reap(a, 0, &lost, &n, &err), SPOOL_INVALID);

	/* B stops beating; A's beat is as old, but A never reaps itself. */
	sleep_ms(400);
	expect_reaped(a, 300, "b");
	expect_reaped(a, 300, NULL);   /* forgotten until it beats again */
	assert_int_equal(db_value(db, "SELECT count(*) FROM node WHERE name = 'b'"), 0);

	/* B's running records: interrupted, node lost; A's untouched. */
	struct spool_history_filter all = { .limit = 100 };
	struct spool_run *runs;
	assert_int_equal(spool_history_query(a, &all, &runs, &n, &err), SPOOL_OK);
	int lost_records = 0, at_records = 0;
	for (size_t i = 0; i < n; i++) {
		if (runs[i].id == own_id) {
			assert_int_equal(runs[i].flags, SPOOL_RUN_RUNNING);
			continue;
		}
		assert_string_equal(runs[i].node, "b");
		assert_int_equal(runs[i].flags, SPOOL_RUN_INTERRUPTED | SPOOL_RUN_NODE_LOST);
		assert_true(runs[i].end_ms >= db_now);
		lost_records++;
		at_records += runs[i].kind == SPOOL_RUN_AT;
		if (runs[i].kind == SPOOL_RUN_AT && runs[i].id != at_run_id)
			assert_string_equal(runs[i].command, "at job (node b lost)");
	}
	/* claim, plain, j1's own record, j2's new one: one each. */
	assert_int_equal(lost_records, 4);
	assert_int_equal(at_records, 2);
	spool_runs_free(runs, n);
	/* B's claimed jobs are gone; the waiting one stays. */
	assert_int_equal(spool_at_get(a, j1, &(struct spool_at_job){ 0 }, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_get(a, j2, &(struct spool_at_job){ 0 }, &err), SPOOL_NOT_FOUND);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(a, j3, &j, &err), SPOOL_OK);
	assert_int_equal(j.state, SPOOL_AT_WAITING);
	spool_at_job_free(&j);
	/* Its claims stand: the run is not won again. */
	int64_t again_id;
	assert_int_equal(spool_run_claim(a, &claim, 1, &again_id, &won, &err), SPOOL_OK);
	assert_false(won);

	/* B comes back and ends its run: one true record, not two. */
	assert_int_equal(spool_node_beat(b, 0, NULL, &err), SPOOL_OK);
	struct spool_run ended = run_for("user:bob:1", 60000);
	ended.id = claim_id;
	ended.exit_code = 0;
	ended.end_ms = db_now + 5000;
	assert_int_equal(spool_history_end(b, &ended, 1, &err), SPOOL_OK);
	struct spool_history_filter key = { .entry_key = "user:bob:1", .limit = 10 };
	assert_int_equal(spool_history_query(b, &key, &runs, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(runs[0].id, claim_id);
	assert_int_equal(runs[0].flags, 0);
	assert_int_equal(runs[0].exit_code, 0);
	assert_int_equal(runs[0].end_ms, db_now + 5000);
	assert_string_equal(runs[0].node, "b");
	spool_runs_free(runs, n);
	/* B's recovery finds nothing left running. */
	assert_int_equal(spool_history_recover(b, 0, &runs, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	spool_close(a);
	spool_close(b);
}

/* A node stopping cleanly leaves: the others never take it for lost. One
 * that still holds runs or at jobs stays, for them to reap. */
static void test_a_node_that_leaves_is_never_lost_unless_it_holds_runs(void **state)
{
	struct spool_fixture *db = *state;
	struct spool *a = node(db, "a"), *b = node(db, "b"), *c = node(db, "c");
	struct spool_err err = { 0 };
	assert_int_equal(spool_node_beat(a, 0, NULL, &err), SPOOL_OK);
	assert_int_equal(spool_node_beat(b, 0, NULL, &err), SPOOL_OK);
	assert_int_equal(spool_node_beat(c, 0, NULL, &err), SPOOL_OK);
	/* B: a running record, then also a claimed at job. */
	struct spool_run r = run_for("user:bob:1", 60000);
	int64_t id = 0;
	assert_int_equal(spool_history_begin(b, &r, 1, &id, &err), SPOOL_OK);
	assert_int_equal(spool_node_leave(b, &err), SPOOL_CONFLICT);
	assert_non_null(strstr(err.msg, "node b still holds 1 running run records and 0"
			       " claimed at jobs"));
	int64_t job = submit(a, job_for("bob", 1001, 'a', 50));
	assert_int_equal(spool_at_claim(b, job, 60, &err), SPOOL_OK);
	assert_int_equal(spool_node_leave(b, &err), SPOOL_CONFLICT);
	assert_non_null(strstr(err.msg, "1 running run records and 1 claimed at jobs"));
	assert_int_equal(db_value(db, "SELECT count(*) FROM node WHERE name = 'b'"), 1);
	/* Both end: B leaves. */
	r.id = id;
	assert_int_equal(spool_history_end(b, &r, 1, &err), SPOOL_OK);
	assert_int_equal(spool_at_finish(b, job, NULL, &err), SPOOL_OK);
	assert_int_equal(spool_node_leave(b, &err), SPOOL_OK);
	assert_int_equal(db_value(db, "SELECT count(*) FROM node WHERE name = 'b'"), 0);
	assert_int_equal(spool_node_leave(b, &err), SPOOL_OK);   /* gone already */
	/* C stops with a run going and cannot leave. */
	struct spool_run cr = run_for("user:carol:1", 60000);
	int64_t cid = 0;
	assert_int_equal(spool_history_begin(c, &cr, 1, &cid, &err), SPOOL_OK);
	assert_int_equal(spool_node_leave(c, &err), SPOOL_CONFLICT);
	/* After the timeout only C is lost; B's run stays as it ended. */
	sleep_ms(400);
	expect_reaped(a, 300, "c");
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT flags FROM run WHERE id = %lld", (long long)id);
	assert_int_equal(db_value(db, sql), 0);
	snprintf(sql, sizeof sql, "SELECT flags FROM run WHERE id = %lld", (long long)cid);
	assert_int_equal(db_value(db, sql), SPOOL_RUN_INTERRUPTED | SPOOL_RUN_NODE_LOST);
	/* B beating again is back, and lost again when it stops beating. */
	assert_int_equal(spool_node_beat(b, 0, NULL, &err), SPOOL_OK);
	assert_int_equal(spool_node_beat(a, 0, NULL, &err), SPOOL_OK);
	sleep_ms(400);
	expect_reaped(a, 300, "b");
	spool_close(a);
	spool_close(b);
	spool_close(c);
}

struct reaper {
	struct worker w;
	size_t n;
};

static void *reap_once(void *arg)
{
	struct reaper *r = arg;
	struct spool_err err = { 0 };
	struct spool *sp = worker_open(&r->w, "survivor");
	char **lost = NULL;
	if (sp != NULL && spool_node_reap(sp, 200, &lost, &r->n, &err) != SPOOL_OK)
		snprintf(r->w.error, sizeof r->w.error, "%s", err.msg);
	for (size_t i = 0; i < r->n; i++)
		free(lost[i]);
	free(lost);
	spool_close(sp);
	return NULL;
}

/* Survivors reaping at once: each lost node is reaped once, its runs
 * recorded once. */
static void test_survivors_reaping_at_once_reap_each_node_once(void **state)
{
	struct spool_fixture *db = *state;
	struct spool_err err = { 0 };
	const char *names[] = { "gone1", "gone2", "gone3" };
	for (int k = 0; k < 3; k++) {
		struct spool *sp = node(db, names[k]);
		assert_int_equal(spool_node_beat(sp, 0, NULL, &err), SPOOL_OK);
		char key[32];
		snprintf(key, sizeof key, "user:%s:1", names[k]);
		struct spool_run r = run_for(key, 60000);
		int64_t id;
		bool won;
		assert_int_equal(spool_run_claim(sp, &r, 1, &id, &won, &err), SPOOL_OK);
		assert_true(won);
		spool_close(sp);
	}
	sleep_ms(300);
	static struct reaper r[4];
	run_workers(db, reap_once, r, sizeof *r, 4);
	size_t total = 0;
	for (int k = 0; k < 4; k++)
		total += r[k].n;
	assert_int_equal(total, 3);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run"), 3);
	assert_int_equal(db_value(db, "SELECT count(*) FROM run WHERE flags = 4100"), 3);
	assert_int_equal(db_value(db, "SELECT count(*) FROM node"), 0);
}

int main(void)
{
	const char *why = spool_fixture_pg_unavailable();
	if (why != NULL) {
		printf("test_spool_pg_runs: SKIPPED: %s\n", why);
		return 0;
	}
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_at_jobs_queued_on_one_node_are_read_and_removed_on_another),
		T(test_at_quota_counts_earlier_jobs_and_the_batch),
		T(test_at_quota_holds_across_nodes),
		T(test_at_import_keeps_ids),
		T(test_at_claim_exactly_one_of_eight_connections_wins),
		T(test_at_claim_due_from_three_nodes_never_gives_a_job_twice),
		T(test_at_recover_touches_only_its_own_node),
		T(test_history_names_the_node_and_recovers_only_its_own),
		T(test_prune_spares_running_records_and_takes_old_claims),
		T(test_claim_prune_reads_claims_by_index),
		T(test_run_claim_from_three_nodes_wins_each_run_once),
		T(test_run_claim_batch_repeats_and_large_commands),
		T(test_reap_ends_a_lost_nodes_runs_once_and_its_return_completes_them),
		T(test_survivors_reaping_at_once_reap_each_node_once),
		T(test_a_node_that_leaves_is_never_lost_unless_it_holds_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
