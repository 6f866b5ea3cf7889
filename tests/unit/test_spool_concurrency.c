/* tests/unit/test_spool_concurrency.c: THREADED TEST. Several connections
 * at once, in threads and in processes: no lost write, no SPOOL_BUSY
 * escaping, no job claimed twice; and crashes (SIGKILL) in the middle of a
 * write transaction leave a sound database holding all or none of it. On
 * both backends (tests/unit/support/spool_fixture.h): for PostgreSQL the
 * killed process is the client, the server stays up. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spool/backend.h"   /* the test-only hook before COMMIT */
#include "spool/spool.h"
#include "tests/unit/support/spool_fixture.h"

#define WRITES 60   /* per writer and kind */

static struct spool *open_spool(const char *path)
{
	struct spool *sp;
	struct spool_err err;
	if (spool_open(path, 0, &sp, &err) != SPOOL_OK)
		fail_msg("open: %s", err.msg);
	return sp;
}

/* ---------------------------------------------------------------- writers */

struct writer {
	const char *path;
	int index;
	int failures;
	char first_error[SPOOL_ERR_MSG_MAX];
};

static void note(struct writer *w, int rc, const struct spool_err *err)
{
	if (rc != SPOOL_OK && w->failures++ == 0)
		snprintf(w->first_error, sizeof w->first_error, "%s", err->msg);
}

/* Submits, installs and appends WRITES times each, one transaction each.
 * Plain checks only: this also runs in forked children. */
static void write_many(struct writer *w)
{
	struct spool *sp;
	struct spool_err err;
	int rc = spool_open(w->path, 0, &sp, &err);
	note(w, rc, &err);
	if (rc != SPOOL_OK)
		return;
	char owner[32], key[48];
	snprintf(owner, sizeof owner, "writer%d", w->index);
	int64_t last_gen = 0;
	for (int i = 0; i < WRITES; i++) {
		struct spool_at_job j = { .queue = 'a', .owner = owner, .uid = (uid_t)w->index,
					  .run_at = i, .cwd = "/", .script = "true\n",
					  .script_len = 5 };
		note(w, spool_at_submit(sp, &j, NULL, &err), &err);
		snprintf(key, sizeof key, "%s:%d", owner, i % 5);
		struct spool_run r = { .owner = owner, .uid = (uid_t)w->index, .entry_key = key,
				       .command = "true", .start_ms = i };
		note(w, spool_history_append(sp, &r, 1, &err), &err);
		int64_t gen = 0;
		rc = spool_crontab_install(sp, owner, (uid_t)w->index, key, strlen(key), 0, i,
					   &gen, &err);
		note(w, rc, &err);
		if (rc == SPOOL_OK && gen <= last_gen)
			note(w, SPOOL_CONFLICT, &(struct spool_err){ .msg = "generation went back" });
		last_gen = gen;
	}
	spool_close(sp);
}

static void *writer_thread(void *arg)
{
	write_many(arg);
	return NULL;
}

static void check_totals(const char *path, int writers)
{
	struct spool *sp = open_spool(path);
	struct spool_err err;
	struct spool_at_summary *jobs;
	size_t n;
	struct spool_at_filter all = { .all_owners = true };
	assert_int_equal(spool_at_list(sp, &all, &jobs, &n, &err), SPOOL_OK);
	assert_int_equal(n, (size_t)(writers * WRITES));
	free(jobs);
	struct spool_history_filter f = { .limit = SPOOL_QUERY_MAX };
	struct spool_run *runs;
	assert_int_equal(spool_history_query(sp, &f, &runs, &n, &err), SPOOL_OK);
	assert_int_equal(n, (size_t)(writers * WRITES));
	spool_runs_free(runs, n);
	int64_t gen = 0;
	assert_int_equal(spool_crontab_generation(sp, &gen, &err), SPOOL_OK);
	assert_int_equal(gen, writers * WRITES);   /* every install took one */
	spool_close(sp);
}

static void test_two_threads_writing_lose_nothing_and_never_see_busy(void **state)
{
	struct spool_fixture *fx = *state;
	struct writer w[2] = { { .path = fx->path, .index = 1 }, { .path = fx->path, .index = 2 } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer_thread, &w[i]), 0);
	/* A reader on a third connection meanwhile. */
	struct spool *sp = open_spool(fx->path);
	struct spool_err err;
	for (int i = 0; i < 30; i++) {
		struct spool_history_filter f = { .limit = 50 };
		struct spool_run *runs;
		size_t n;
		assert_int_equal(spool_history_query(sp, &f, &runs, &n, &err), SPOOL_OK);
		spool_runs_free(runs, n);
	}
	spool_close(sp);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		if (w[i].failures != 0)
			fail_msg("writer %d: %d failures, first: %s", i, w[i].failures,
				 w[i].first_error);
	}
	check_totals(fx->path, 2);
}

static void test_two_processes_writing_lose_nothing_and_never_see_busy(void **state)
{
	struct spool_fixture *fx = *state;
	pid_t pid[2];
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			struct writer w = { .path = fx->path, .index = 10 + i };
			write_many(&w);
			if (w.failures != 0)
				fprintf(stderr, "child %d: %s\n", i, w.first_error);
			_exit(w.failures != 0);
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	check_totals(fx->path, 2);
}

/* ---------------------------------------------------------------- lock holder */

static void hold_lock(struct spool *sp)
{
	(void)sp;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 300 * 1000000L };
	nanosleep(&ts, NULL);
}

static void *slow_writer(void *arg)
{
	struct spool *sp = arg;
	struct spool_err err;
	sp->test_before_commit = hold_lock;
	intptr_t rc = spool_meta_set(sp, "slow", "1", &err);
	sp->test_before_commit = NULL;
	return (void *)rc;
}

static void test_writer_waits_for_a_long_transaction_instead_of_failing(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool *slow = open_spool(fx->path), *sp = open_spool(fx->path);
	struct spool_err err;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, slow_writer, slow), 0);
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 50 * 1000000L };
	nanosleep(&ts, NULL);   /* let it take the write lock */
	assert_int_equal(spool_meta_set(sp, "fast", "2", &err), SPOOL_OK);
	void *rc;
	assert_int_equal(pthread_join(t, &rc), 0);
	assert_int_equal((intptr_t)rc, SPOOL_OK);
	char buf[8];
	assert_int_equal(spool_meta_get(sp, "slow", buf, sizeof buf, &err), SPOOL_OK);
	spool_close(sp);
	spool_close(slow);
}

/* ---------------------------------------------------------------- claims */

#define JOBS 150

struct claimer {
	const char *path;
	bool by_id;          /* claim every id in turn, else claim_due */
	int64_t first_id;
	int64_t claimed[JOBS];
	size_t n;
	int failures;
};

static void claim_all(struct claimer *c)
{
	struct spool *sp;
	struct spool_err err;
	if (spool_open(c->path, 0, &sp, &err) != SPOOL_OK) {
		c->failures++;
		return;
	}
	if (c->by_id) {
		for (int64_t id = c->first_id; id < c->first_id + JOBS; id++) {
			int rc = spool_at_claim(sp, id, 1000, &err);
			if (rc == SPOOL_OK)
				c->claimed[c->n++] = id;
			else if (rc != SPOOL_CONFLICT)
				c->failures++;
		}
	} else {
		for (;;) {
			struct spool_at_job *v;
			size_t n;
			if (spool_at_claim_due(sp, 1000, NULL, 3, &v, &n, &err) != SPOOL_OK) {
				c->failures++;
				break;
			}
			for (size_t i = 0; i < n; i++)
				c->claimed[c->n++] = v[i].id;
			spool_at_jobs_free(v, n);
			if (n == 0)
				break;
		}
	}
	spool_close(sp);
}

static void *claimer_thread(void *arg)
{
	claim_all(arg);
	return NULL;
}

static int64_t submit_jobs(const char *path)
{
	struct spool *sp = open_spool(path);
	struct spool_err err;
	int64_t first = 0;
	for (int i = 0; i < JOBS; i++) {
		struct spool_at_job j = { .queue = 'a', .owner = "alice", .run_at = i,
					  .cwd = "/", .script = "x", .script_len = 1 };
		int64_t id;
		assert_int_equal(spool_at_submit(sp, &j, &id, &err), SPOOL_OK);
		if (i == 0)
			first = id;
	}
	spool_close(sp);
	return first;
}

static void check_each_claimed_once(struct claimer *c, int count, int64_t first)
{
	static int seen[JOBS];
	memset(seen, 0, sizeof seen);
	size_t total = 0;
	for (int k = 0; k < count; k++) {
		assert_int_equal(c[k].failures, 0);
		for (size_t i = 0; i < c[k].n; i++) {
			int64_t idx = c[k].claimed[i] - first;
			assert_in_range(idx, 0, JOBS - 1);
			seen[idx]++;
		}
		total += c[k].n;
	}
	assert_int_equal(total, JOBS);
	for (int i = 0; i < JOBS; i++)
		assert_int_equal(seen[i], 1);
}

static void race_threads(const char *path, bool by_id)
{
	int64_t first = submit_jobs(path);
	static struct claimer c[3];
	pthread_t t[3];
	for (int i = 0; i < 3; i++) {
		c[i] = (struct claimer){ .path = path, .by_id = by_id, .first_id = first };
		assert_int_equal(pthread_create(&t[i], NULL, claimer_thread, &c[i]), 0);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	check_each_claimed_once(c, 3, first);
}

static void test_racing_threads_claim_each_job_exactly_once(void **state)
{
	struct spool_fixture *fx = *state;
	race_threads(fx->path, true);
}

static void test_racing_threads_claim_due_jobs_exactly_once(void **state)
{
	struct spool_fixture *fx = *state;
	race_threads(fx->path, false);
}

static void test_racing_processes_claim_each_job_exactly_once(void **state)
{
	struct spool_fixture *fx = *state;
	int64_t first = submit_jobs(fx->path);
	int fds[2][2];
	pid_t pid[2];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			static struct claimer c;
			c = (struct claimer){ .path = fx->path, .by_id = i == 0, .first_id = first };
			claim_all(&c);
			ssize_t len = (ssize_t)(c.n * sizeof *c.claimed);
			bool ok = write(fds[i][1], c.claimed, (size_t)len) == len;
			_exit(c.failures != 0 || !ok);
		}
		close(fds[i][1]);
	}
	static struct claimer got[2];
	for (int i = 0; i < 2; i++) {
		memset(&got[i], 0, sizeof got[i]);
		ssize_t r;
		char *buf = (char *)got[i].claimed;
		size_t have = 0;
		while ((r = read(fds[i][0], buf + have, sizeof got[i].claimed - have)) > 0)
			have += (size_t)r;
		got[i].n = have / sizeof *got[i].claimed;
		close(fds[i][0]);
		int status;
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	check_each_claimed_once(got, 2, first);
}

/* ---------------------------------------------------------------- run claims */

/* Scheduled runs of crontab entries claimed by three nodes at once
 * (spool_run_claim): RUNS runs, 10 entries due each minute, claimed in
 * batches, each node starting at a different place. */
#define RUNS 120
#define CLAIM_BATCH 7

struct run_claimer {
	const char *path;
	int index;
	int failures;
	char first_error[SPOOL_ERR_MSG_MAX];
	unsigned char won[RUNS];   /* 1 where this node won run i */
};

static void run_key(int i, char *key, size_t size)
{
	snprintf(key, size, "alice:%d", i % 10);
}

static void claim_runs(struct run_claimer *c)
{
	struct spool *sp;
	struct spool_err err;
	char node[16];
	snprintf(node, sizeof node, "node-%d", c->index);
	int rc = spool_open(c->path, 0, &sp, &err);
	if (rc == SPOOL_OK && (rc = spool_set_node(sp, node, &err)) != SPOOL_OK)
		spool_close(sp);
	if (rc != SPOOL_OK) {
		c->failures++;
		snprintf(c->first_error, sizeof c->first_error, "%s", err.msg);
		return;
	}
	static _Thread_local char keys[CLAIM_BATCH][32];
	for (int done = 0; done < RUNS; done += CLAIM_BATCH) {
		struct spool_run runs[CLAIM_BATCH];
		int which[CLAIM_BATCH];
		int64_t ids[CLAIM_BATCH];
		bool won[CLAIM_BATCH];
		size_t n = 0;
		for (int k = done; k < done + CLAIM_BATCH && k < RUNS; k++, n++) {
			int i = (k + c->index * RUNS / 3) % RUNS;
			which[n] = i;
			run_key(i, keys[n], sizeof keys[n]);
			runs[n] = (struct spool_run){ .kind = SPOOL_RUN_CRON, .owner = "alice",
				.uid = 1000, .entry_key = keys[n], .command = "true",
				.scheduled_ms = 60000LL * (i / 10 + 1), .start_ms = 60000LL * (i / 10 + 1) };
		}
		rc = spool_run_claim(sp, runs, n, ids, won, &err);
		if (rc != SPOOL_OK) {
			if (c->failures++ == 0)
				snprintf(c->first_error, sizeof c->first_error, "%s", err.msg);
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			if (won[j] != (ids[j] > 0) && c->failures++ == 0)
				snprintf(c->first_error, sizeof c->first_error,
					 "run %d: won %d with id %lld", which[j], won[j], (long long)ids[j]);
			c->won[which[j]] = won[j];
		}
	}
	spool_close(sp);
}

static void *run_claimer_thread(void *arg)
{
	claim_runs(arg);
	return NULL;
}

/* Each run was won by exactly one node, and its one record (all the
 * history holds) names that node on a shared spool. SQLite records no node
 * (spool.h): there the record's node is NULL. */
static void check_each_run_won_once(const char *path, struct run_claimer *c, int count)
{
	int winner[RUNS];
	for (int i = 0; i < RUNS; i++) {
		int wins = 0;
		for (int k = 0; k < count; k++)
			if (c[k].won[i]) {
				wins++;
				winner[i] = k;
			}
		if (wins != 1)
			fail_msg("run %d was won %d times", i, wins);
	}
	for (int k = 0; k < count; k++)
		if (c[k].failures != 0)
			fail_msg("node-%d: %d failures, the first: %s", c[k].index, c[k].failures,
				 c[k].first_error);
	struct spool *sp = open_spool(path);
	struct spool_history_filter f = { .limit = SPOOL_QUERY_MAX };
	struct spool_run *v;
	size_t n;
	struct spool_err err;
	assert_int_equal(spool_history_query(sp, &f, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, RUNS);
	bool shared = spool_is_shared(sp);
	for (size_t r = 0; r < n; r++) {
		int i = (int)(v[r].scheduled_ms / 60000 - 1) * 10 + atoi(v[r].entry_key + 6);
		assert_in_range(i, 0, RUNS - 1);
		assert_true(v[r].flags & SPOOL_RUN_RUNNING);
		if (shared) {
			char node[16];
			snprintf(node, sizeof node, "node-%d", c[winner[i]].index);
			assert_non_null(v[r].node);
			assert_string_equal(v[r].node, node);
		} else {
			assert_null(v[r].node);
		}
	}
	spool_runs_free(v, n);
	spool_close(sp);
}

static void test_racing_threads_win_each_scheduled_run_exactly_once(void **state)
{
	struct spool_fixture *fx = *state;
	static struct run_claimer c[3];
	pthread_t t[3];
	for (int i = 0; i < 3; i++) {
		c[i] = (struct run_claimer){ .path = fx->path, .index = i + 1 };
		assert_int_equal(pthread_create(&t[i], NULL, run_claimer_thread, &c[i]), 0);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	check_each_run_won_once(fx->path, c, 3);
}

static void test_racing_processes_win_each_scheduled_run_exactly_once(void **state)
{
	struct spool_fixture *fx = *state;
	int fds[3][2];
	pid_t pid[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			static struct run_claimer c;
			c = (struct run_claimer){ .path = fx->path, .index = i + 1 };
			claim_runs(&c);
			bool ok = write(fds[i][1], &c, sizeof c) == (ssize_t)sizeof c;
			_exit(!ok);
		}
		close(fds[i][1]);
	}
	static struct run_claimer got[3];
	for (int i = 0; i < 3; i++) {
		size_t have = 0;
		ssize_t r;
		while ((r = read(fds[i][0], (char *)&got[i] + have, sizeof got[i] - have)) > 0)
			have += (size_t)r;
		close(fds[i][0]);
		assert_int_equal(have, sizeof got[i]);
		got[i].path = fx->path;
		int status;
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	check_each_run_won_once(fx->path, got, 3);
}

/* ---------------------------------------------------------------- crashes */

static int crash_pipe = -1;

static void signal_then_hang(struct spool *sp)
{
	(void)sp;
	if (write(crash_pipe, "x", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* Whether the spool is sound after a writer was killed. SQLite: the file
 * passes PRAGMA integrity_check (the killed process wrote the file itself).
 * PostgreSQL: the server wrote everything and saw its client go (it rolls
 * back the open transaction); what this side can check is that the spool
 * opens, with SPOOL_CHECK, and answers. The backends differ here: the row
 * counts after the kill are the same check for both. */
static int integrity(const struct spool_fixture *fx)
{
	if (fx->backend != SPOOL_FIXTURE_SQLITE) {
		struct spool *sp;
		struct spool_err err;
		int64_t gen;
		if (spool_open(fx->path, SPOOL_CHECK, &sp, &err) != SPOOL_OK)
			fail_msg("reopen: %s", err.msg);
		int rc = spool_crontab_generation(sp, &gen, &err);
		spool_close(sp);
		return rc == SPOOL_OK;
	}
	const char *path = fx->path;
	sqlite3 *db;
	sqlite3_stmt *st;
	int ok = 0;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

static size_t history_rows(const char *path)
{
	struct spool *sp;
	struct spool_err err;
	if (spool_open(path, SPOOL_CHECK, &sp, &err) != SPOOL_OK)
		fail_msg("reopen: %s", err.msg);
	size_t n = spool_fixture_count_runs(sp, NULL);
	spool_close(sp);
	return n;
}

#define BATCH 400

/* Forks a child that opens the spool at PATH (or exits 2) and can say it
 * reached its moment on crash_pipe: in the parent, the child's pid with
 * *READY the pipe's read end; in the child, 0 with *SP open. */
static pid_t fork_crasher(const char *path, struct spool **sp, int *ready)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		crash_pipe = fds[1];
		struct spool_err err;
		if (spool_open(path, 0, sp, &err) != SPOOL_OK)
			_exit(2);
		return 0;
	}
	close(fds[1]);
	*ready = fds[0];
	return pid;
}

/* Kills child PID with SIGKILL and reaps it. */
static void kill_child(pid_t pid)
{
	assert_int_equal(kill(pid, SIGKILL), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
}

/* A child appends one BATCH of history rows and claims a job in the same
 * moment of its life; with HANG it stops just before COMMIT. */
static pid_t start_child(const char *path, bool hang, int *ready)
{
	struct spool *sp;
	pid_t pid = fork_crasher(path, &sp, ready);
	if (pid == 0) {
		struct spool_err err;
		static struct spool_run runs[BATCH];
		for (int i = 0; i < BATCH; i++)
			runs[i] = (struct spool_run){ .owner = "crash", .entry_key = "k",
				.command = "sleep 1", .start_ms = i, .output = "out",
				.output_len = 3, .output_total = 3 };
		if (hang)
			sp->test_before_commit = signal_then_hang;
		if (spool_history_append(sp, runs, BATCH, &err) != SPOOL_OK)
			_exit(4);
		signal_then_hang(sp);   /* committed: say so, wait to be killed */
	}
	return pid;
}

static void kill_when_ready(pid_t pid, int ready)
{
	char c;
	assert_int_equal(read(ready, &c, 1), 1);
	close(ready);
	kill_child(pid);
}

static void test_kill_before_commit_leaves_none_of_the_batch(void **state)
{
	struct spool_fixture *fx = *state;
	int ready;
	pid_t pid = start_child(fx->path, true, &ready);
	kill_when_ready(pid, ready);
	assert_true(integrity(fx));
	assert_int_equal(history_rows(fx->path), 0);
}

static void test_kill_after_commit_keeps_the_whole_batch(void **state)
{
	struct spool_fixture *fx = *state;
	int ready;
	pid_t pid = start_child(fx->path, false, &ready);
	kill_when_ready(pid, ready);
	assert_true(integrity(fx));
	assert_int_equal(history_rows(fx->path), BATCH);
}

static void test_kill_at_random_moments_is_always_all_or_nothing(void **state)
{
	struct spool_fixture *fx = *state;
	for (int round = 0; round < 6; round++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct spool *sp;
			struct spool_err err;
			if (spool_open(fx->path, 0, &sp, &err) != SPOOL_OK)
				_exit(2);
			static struct spool_run runs[BATCH];
			for (int i = 0; i < BATCH; i++)
				runs[i] = (struct spool_run){ .owner = "r", .entry_key = "k",
					.command = "c", .start_ms = i };
			for (;;)
				if (spool_history_append(sp, runs, BATCH, &err) != SPOOL_OK)
					_exit(4);
		}
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)(20 + round * 13) * 1000000L };
		nanosleep(&ts, NULL);
		kill_child(pid);
		assert_true(integrity(fx));
		size_t rows = history_rows(fx->path);
		if (getenv("SPOOL_TEST_VERBOSE") != NULL)
			print_message("  round %d: %zu rows\n", round, rows);
		assert_int_equal(rows % BATCH, 0);
	}
}

static void test_claim_killed_before_commit_leaves_the_job_waiting(void **state)
{
	struct spool_fixture *fx = *state;
	int64_t first = submit_jobs(fx->path);
	struct spool *child;
	int ready;
	pid_t pid = fork_crasher(fx->path, &child, &ready);
	if (pid == 0) {
		struct spool_err err;
		child->test_before_commit = signal_then_hang;
		struct spool_at_job *v;
		size_t n;
		spool_at_claim_due(child, 1000, NULL, JOBS, &v, &n, &err);
		_exit(5);
	}
	kill_when_ready(pid, ready);
	assert_true(integrity(fx));
	struct spool *sp = open_spool(fx->path);
	struct spool_err err;
	struct spool_at_job *v;
	size_t n;
	assert_int_equal(spool_at_recover(sp, 2000, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);   /* nothing was left running */
	assert_int_equal(spool_at_claim_due(sp, 1000, NULL, JOBS, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, JOBS);
	assert_int_equal(v[0].id, first);
	spool_at_jobs_free(v, n);
	spool_close(sp);
}

int main(void)
{
	static const struct spool_fixture_test tests[] = {
		SPOOL_CONTRACT_TEST(test_two_threads_writing_lose_nothing_and_never_see_busy),
		SPOOL_CONTRACT_TEST(test_two_processes_writing_lose_nothing_and_never_see_busy),
		SPOOL_CONTRACT_TEST(test_writer_waits_for_a_long_transaction_instead_of_failing),
		SPOOL_CONTRACT_TEST(test_racing_threads_claim_each_job_exactly_once),
		SPOOL_CONTRACT_TEST(test_racing_threads_claim_due_jobs_exactly_once),
		SPOOL_CONTRACT_TEST(test_racing_processes_claim_each_job_exactly_once),
		SPOOL_CONTRACT_TEST(test_racing_threads_win_each_scheduled_run_exactly_once),
		SPOOL_CONTRACT_TEST(test_racing_processes_win_each_scheduled_run_exactly_once),
		SPOOL_CONTRACT_TEST(test_kill_before_commit_leaves_none_of_the_batch),
		SPOOL_CONTRACT_TEST(test_kill_after_commit_keeps_the_whole_batch),
		SPOOL_CONTRACT_TEST(test_kill_at_random_moments_is_always_all_or_nothing),
		SPOOL_CONTRACT_TEST(test_claim_killed_before_commit_leaves_the_job_waiting),
	};
	return spool_fixture_run("spool-conc", SPOOL_CREATE | SPOOL_FIXTURE_CLOSED, tests,
				 sizeof tests / sizeof tests[0]);
}
