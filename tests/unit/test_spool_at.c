/* tests/unit/test_spool_at.c: at jobs in the spool: submit, list, get,
 * remove, claim, finish and crash recovery, single-threaded. Races between
 * claimers are in test_spool_concurrency.c. On both backends
 * (tests/unit/support/spool_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool/backend.h"   /* the test-only hook before COMMIT */
#include "spool/spool.h"
#include "tests/unit/support/spool_fixture.h"

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

static void test_submit_then_get_returns_every_field(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_at_job in = job_for("alice", 1000, 'c', 4102444800LL);   /* 2100 */
	const char script[] = "#!/bin/sh\0binary\xff\n";
	in.script = script;
	in.script_len = sizeof script - 1;
	in.mail = SPOOL_MAIL_ALWAYS;
	in.umask = 077;
	int64_t id = submit(fx->sp, in);
	assert_true(id > 0);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(fx->sp, id, &j, &err), SPOOL_OK);
	assert_int_equal(j.id, id);
	assert_int_equal(j.queue, 'c');
	assert_string_equal(j.owner, "alice");
	assert_int_equal(j.uid, 1000);
	assert_int_equal(j.gid, 1100);
	assert_int_equal(j.run_at, 4102444800LL);
	assert_int_equal(j.created_at, 1000);
	assert_int_equal(j.script_len, sizeof script - 1);
	assert_memory_equal(j.script, script, sizeof script - 1);
	assert_string_equal(j.cwd, "/home/alice");
	assert_int_equal(j.umask, 077);
	assert_int_equal(j.mail, SPOOL_MAIL_ALWAYS);
	assert_int_equal(j.state, SPOOL_AT_WAITING);
	assert_int_equal(j.pid, 0);
	assert_int_equal(j.started_at, 0);
	assert_non_null(j.env);
	assert_string_equal(j.env[0], "HOME=/home/alice");
	assert_string_equal(j.env[1], "LANG=C.UTF-8");
	assert_string_equal(j.env[2], "EMPTY=");
	assert_null(j.env[3]);
	spool_at_job_free(&j);
}

static void test_job_without_environment_gets_an_empty_list(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_at_job in = job_for("bob", 1001, 'a', 5);
	in.env = NULL;
	in.script = NULL;
	in.script_len = 0;
	int64_t id = submit(fx->sp, in);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(fx->sp, id, &j, &err), SPOOL_OK);
	assert_non_null(j.env);
	assert_null(j.env[0]);
	assert_int_equal(j.script_len, 0);
	assert_string_equal(j.script, "");
	spool_at_job_free(&j);
}

static void test_mail_recipient_is_kept_apart_from_the_environment(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_at_job in = job_for("alice", 1000, 'a', 5);
	in.mail_to = "bob";
	int64_t with = submit(fx->sp, in);
	int64_t without = submit(fx->sp, job_for("alice", 1000, 'a', 5));
	struct spool_at_job j;
	assert_int_equal(spool_at_get(fx->sp, with, &j, &err), SPOOL_OK);
	assert_non_null(j.mail_to);
	assert_string_equal(j.mail_to, "bob");
	assert_string_equal(j.env[0], "HOME=/home/alice");
	assert_null(j.env[3]);
	spool_at_job_free(&j);
	assert_int_equal(spool_at_get(fx->sp, without, &j, &err), SPOOL_OK);
	assert_null(j.mail_to);
	assert_string_equal(j.env[0], "HOME=/home/alice");
	spool_at_job_free(&j);
	/* Nothing in the environment can pass for it: it has a column. */
	in = job_for("alice", 1000, 'a', 5);
	const char *const forged[] = { "@mail_to=mallory", "MAIL_TO=mallory", NULL };
	in.env = forged;
	int64_t forged_id = submit(fx->sp, in);
	assert_int_equal(spool_at_get(fx->sp, forged_id, &j, &err), SPOOL_OK);
	assert_null(j.mail_to);
	assert_string_equal(j.env[0], "@mail_to=mallory");
	spool_at_job_free(&j);
	in = job_for("alice", 1000, 'a', 5);
	in.mail_to = "";
	assert_int_equal(spool_at_submit(fx->sp, &in, NULL, &err), SPOOL_INVALID);
}

static void test_ids_increase_and_are_never_reused(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t a = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	int64_t b = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	assert_true(b > a);
	assert_int_equal(spool_at_remove(fx->sp, b, 1000, &err), SPOOL_OK);
	int64_t c = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	assert_true(c > b);
	/* Even after a reopen. */
	assert_int_equal(spool_at_remove(fx->sp, c, 0, &err), SPOOL_OK);
	spool_close(fx->sp);
	assert_int_equal(spool_open(fx->path, 0, &fx->sp, &err), SPOOL_OK);
	int64_t d = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	assert_true(d > c);
}

static void test_submit_rejects_malformed_jobs(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t id = 77;
	struct spool_at_job j = job_for("alice", 1000, '=', 10);
	assert_int_equal(spool_at_submit(fx->sp, &j, &id, &err), SPOOL_INVALID);
	assert_int_equal(id, 0);   /* numbers are zeroed on failure (spool.h) */
	j = job_for("alice", 1000, '1', 10);
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	j = job_for("", 1000, 'a', 10);
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	j = job_for("alice", 1000, 'a', 10);
	j.cwd = "relative/dir";
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	j.cwd = NULL;
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	j = job_for("alice", 1000, 'a', 10);
	j.umask = 01000;
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	j = job_for("alice", 1000, 'a', 10);
	j.mail = (enum spool_at_mail)9;
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	j = job_for("alice", 1000, 'a', 10);
	const char *const bad_env[] = { "NOEQUALS", NULL };
	j.env = bad_env;
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	const char *const bad_env2[] = { "=value", NULL };
	j.env = bad_env2;
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	j = job_for("alice", 1000, 'a', 10);
	j.script_len = SPOOL_SCRIPT_MAX + 1;
	assert_int_equal(spool_at_submit(fx->sp, &j, NULL, &err), SPOOL_INVALID);
	assert_non_null(strstr(err.msg, "script"));
	struct spool_at_summary *v;
	size_t n;
	struct spool_at_filter all = { .all_owners = true };
	assert_int_equal(spool_at_list(fx->sp, &all, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
}

static void test_list_is_sorted_by_run_time_then_id_and_filtered(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t a1 = submit(fx->sp, job_for("alice", 1000, 'a', 300));
	int64_t b1 = submit(fx->sp, job_for("bob", 1001, 'b', 100));
	int64_t a2 = submit(fx->sp, job_for("alice", 1000, 'b', 100));
	int64_t a3 = submit(fx->sp, job_for("alice", 1000, 'a', -5));   /* before 1970 */
	struct spool_at_summary *v;
	size_t n;
	struct spool_at_filter all = { .all_owners = true };
	assert_int_equal(spool_at_list(fx->sp, &all, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].id, a3);
	assert_int_equal(v[1].id, b1);
	assert_int_equal(v[2].id, a2);
	assert_int_equal(v[3].id, a1);
	assert_string_equal(v[1].owner, "bob");
	assert_int_equal(v[1].uid, 1001);
	assert_int_equal(v[1].queue, 'b');
	assert_int_equal(v[1].run_at, 100);
	assert_int_equal(v[1].state, SPOOL_AT_WAITING);
	free(v);

	struct spool_at_filter alice = { .uid = 1000 };
	assert_int_equal(spool_at_list(fx->sp, &alice, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].owner, "alice");
	free(v);

	struct spool_at_filter queue_b = { .all_owners = true, .queue = 'b' };
	assert_int_equal(spool_at_list(fx->sp, &queue_b, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, b1);
	assert_int_equal(v[1].id, a2);
	free(v);

	struct spool_at_filter alice_b = { .uid = 1000, .queue = 'b' };
	assert_int_equal(spool_at_list(fx->sp, &alice_b, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, a2);
	free(v);

	struct spool_at_filter nobody = { .uid = 4242 };
	assert_int_equal(spool_at_list(fx->sp, &nobody, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	assert_null(v);

	struct spool_at_filter bad = { .all_owners = true, .queue = '%' };
	assert_int_equal(spool_at_list(fx->sp, &bad, &v, &n, &err), SPOOL_INVALID);
}

/* Pages of LIMIT after a cursor, as MSG_AT_LIST reads them: every job
 * once, in order, equal run times ordered by id. */
static void test_list_pages_after_a_cursor(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t ids[7];
	const int64_t when[7] = { 300, 100, 100, 200, 100, -5, 300 };
	for (int i = 0; i < 7; i++)
		ids[i] = submit(fx->sp, job_for(i % 2 ? "bob" : "alice", 1000 + (uid_t)(i % 2), 'a',
		                                when[i]));
	const int64_t order[7] = { ids[5], ids[1], ids[2], ids[4], ids[3], ids[0], ids[6] };
	struct spool_at_filter f = { .all_owners = true, .limit = 3 };
	size_t seen = 0;
	for (int page = 0; page < 4; page++) {
		struct spool_at_summary *v;
		size_t n;
		assert_int_equal(spool_at_list(fx->sp, &f, &v, &n, &err), SPOOL_OK);
		assert_true(n <= 3);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(v[i].id, order[seen + i]);
		seen += n;
		if (n) {
			f.after = true;
			f.after_run_at = v[n - 1].run_at;
			f.after_id = v[n - 1].id;
		}
		free(v);
	}
	assert_int_equal(seen, 7);
	/* one owner's, after a cursor: bob's jobs are ids[1], ids[3], ids[5] */
	struct spool_at_filter bob = { .uid = 1001, .after = true, .after_run_at = 100,
		                       .after_id = ids[1], .limit = 10 };
	struct spool_at_summary *v;
	size_t n;
	assert_int_equal(spool_at_list(fx->sp, &bob, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, ids[3]);
	free(v);
}

static void test_remove_checks_owner_and_state(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t a = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	int64_t b = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	assert_int_equal(spool_at_remove(fx->sp, a, 1001, &err), SPOOL_PERMISSION);
	assert_int_equal(err.code, SPOOL_PERMISSION);
	assert_int_equal(spool_at_remove(fx->sp, a, 1000, &err), SPOOL_OK);
	assert_int_equal(spool_at_remove(fx->sp, a, 1000, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_remove(fx->sp, 999999, 0, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_claim(fx->sp, b, 20, &err), SPOOL_OK);
	assert_int_equal(spool_at_remove(fx->sp, b, 0, &err), SPOOL_CONFLICT);
	assert_non_null(strstr(err.msg, "running"));
	int64_t c = submit(fx->sp, job_for("bob", 1001, 'a', 10));
	assert_int_equal(spool_at_remove(fx->sp, c, 0, &err), SPOOL_OK);   /* root may */
	struct spool_at_job j;
	assert_int_equal(spool_at_get(fx->sp, c, &j, &err), SPOOL_NOT_FOUND);
	assert_null(j.mem_);
}

/* A quota counts every job of the owner (any state), checked in the same
 * transaction as the insert: the job past it is refused, nothing written. */
static void test_submit_within_a_quota_counts_the_owners_jobs_and_bytes(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_at_job j = job_for("alice", 1000, 'a', 10);
	assert_int_equal(spool_at_job_bytes(&j), 8 + 37 + 11);     /* script, env, cwd */
	struct spool_at_usage used;
	int64_t id = 0;
	for (int i = 0; i < 2; i++)
		assert_int_equal(spool_at_submit_quota(fx->sp, &j, 2, 1000, &id, &used, &err),
				 SPOOL_OK);
	assert_int_equal(spool_at_claim(fx->sp, id, 20, &err), SPOOL_OK);   /* still counts */
	assert_int_equal(spool_at_submit_quota(fx->sp, &j, 2, 1000, &id, &used, &err),
			 SPOOL_QUOTA);
	assert_int_equal(err.code, SPOOL_QUOTA);
	assert_non_null(strstr(err.msg, "uid 1000 has 2 at jobs queued, limit 2"));
	assert_int_equal(used.jobs, 2);
	assert_int_equal(used.bytes, 112);
	assert_int_equal(spool_at_usage_of(fx->sp, 1000, &used, &err), SPOOL_OK);
	assert_int_equal(used.jobs, 2);
	assert_int_equal(used.bytes, 112);
	assert_int_equal(spool_at_submit_quota(fx->sp, &j, 3, 150, &id, &used, &err),
			 SPOOL_QUOTA);                             /* 112 + 56 > 150 */
	assert_non_null(strstr(err.msg, "112 bytes of at jobs queued, this job 56 more"));
	struct spool_at_job b = job_for("bob", 1001, 'a', 10);  /* bob's own count */
	assert_int_equal(spool_at_submit_quota(fx->sp, &b, 2, 1000, &id, &used, &err),
			 SPOOL_OK);
	assert_int_equal(used.jobs, 0);
	struct spool_at_summary *jobs;
	size_t n;
	struct spool_at_filter all = { .all_owners = true };
	assert_int_equal(spool_at_list(fx->sp, &all, &jobs, &n, &err), SPOOL_OK);
	assert_int_equal(n, 3);
	free(jobs);
	assert_int_equal(spool_at_usage_of(fx->sp, 4242, &used, &err), SPOOL_OK);
	assert_int_equal(used.jobs, 0);
	assert_int_equal(used.bytes, 0);
}

static void test_claim_moves_waiting_to_running_exactly_once(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t id = submit(fx->sp, job_for("alice", 1000, 'a', 500));
	assert_int_equal(spool_at_claim(fx->sp, id, 100, &err), SPOOL_OK);   /* early is fine */
	assert_int_equal(spool_at_claim(fx->sp, id, 101, &err), SPOOL_CONFLICT);
	assert_non_null(strstr(err.msg, "running"));
	assert_int_equal(spool_at_claim(fx->sp, 424242, 101, &err), SPOOL_NOT_FOUND);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(fx->sp, id, &j, &err), SPOOL_OK);
	assert_int_equal(j.state, SPOOL_AT_RUNNING);
	spool_at_job_free(&j);
}

static void test_claim_due_takes_due_jobs_in_order_up_to_max(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t late = submit(fx->sp, job_for("alice", 1000, 'a', 200));
	int64_t early = submit(fx->sp, job_for("alice", 1000, 'a', 50));
	int64_t mid = submit(fx->sp, job_for("bob", 1001, 'b', 100));
	int64_t batch = submit(fx->sp, job_for("bob", 1001, 'B', 60));
	int64_t future = submit(fx->sp, job_for("bob", 1001, 'a', 5000));
	struct spool_at_job *v;
	size_t n;
	assert_int_equal(spool_at_claim_due(fx->sp, 150, "ab", 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);   /* 'B' is not in "ab" */
	assert_int_equal(v[0].id, early);
	assert_int_equal(v[1].id, mid);
	assert_int_equal(v[0].state, SPOOL_AT_RUNNING);
	assert_string_equal(v[1].env[0], "HOME=/home/alice");
	assert_memory_equal(v[1].script, "echo hi\n", 8);
	spool_at_jobs_free(v, n);

	assert_int_equal(spool_at_claim_due(fx->sp, 1000, NULL, 1, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, batch);
	spool_at_jobs_free(v, n);
	assert_int_equal(spool_at_claim_due(fx->sp, 1000, NULL, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, late);
	spool_at_jobs_free(v, n);
	assert_int_equal(spool_at_claim_due(fx->sp, 1000, NULL, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	assert_null(v);

	int64_t next = 0;
	assert_int_equal(spool_at_next_run(fx->sp, NULL, &next, &err), SPOOL_OK);
	assert_int_equal(next, 5000);
	assert_int_equal(spool_at_next_run(fx->sp, "b", &next, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_claim(fx->sp, future, 5000, &err), SPOOL_OK);
	assert_int_equal(spool_at_next_run(fx->sp, NULL, &next, &err), SPOOL_NOT_FOUND);

	assert_int_equal(spool_at_claim_due(fx->sp, 1, "a1", 10, &v, &n, &err), SPOOL_INVALID);
	assert_int_equal(spool_at_claim_due(fx->sp, 1, "", 10, &v, &n, &err), SPOOL_INVALID);
	assert_int_equal(spool_at_claim_due(fx->sp, 1, NULL, 0, &v, &n, &err), SPOOL_INVALID);
	assert_int_equal(spool_at_next_run(fx->sp, "?", &next, &err), SPOOL_INVALID);
}

static void test_next_run_is_the_earliest_waiting_job_of_the_queues(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t next = -1;
	assert_int_equal(spool_at_next_run(fx->sp, NULL, &next, &err), SPOOL_NOT_FOUND);
	submit(fx->sp, job_for("alice", 1000, 'a', 4102444800LL));
	submit(fx->sp, job_for("alice", 1000, 'b', 300));
	submit(fx->sp, job_for("alice", 1000, 'a', 700));
	assert_int_equal(spool_at_next_run(fx->sp, NULL, &next, &err), SPOOL_OK);
	assert_int_equal(next, 300);
	assert_int_equal(spool_at_next_run(fx->sp, "a", &next, &err), SPOOL_OK);
	assert_int_equal(next, 700);
}

static void test_set_running_and_finish_follow_the_states(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t id = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	assert_int_equal(spool_at_set_running(fx->sp, id, 4242, 11, &err), SPOOL_CONFLICT);
	assert_int_equal(spool_at_finish(fx->sp, id, NULL, &err), SPOOL_CONFLICT);
	assert_int_equal(spool_at_claim(fx->sp, id, 10, &err), SPOOL_OK);
	assert_int_equal(spool_at_set_running(fx->sp, id, 4242, 11, &err), SPOOL_OK);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(fx->sp, id, &j, &err), SPOOL_OK);
	assert_int_equal(j.pid, 4242);
	assert_int_equal(j.started_at, 11);
	spool_at_job_free(&j);
	assert_int_equal(spool_at_finish(fx->sp, id, NULL, &err), SPOOL_OK);
	assert_int_equal(spool_at_get(fx->sp, id, &j, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_finish(fx->sp, id, NULL, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_set_running(fx->sp, id, 1, 1, &err), SPOOL_NOT_FOUND);
}

static void test_finish_with_a_result_records_it_in_the_same_transaction(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t id = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	char key[32];
	snprintf(key, sizeof key, "%lld", (long long)id);
	struct spool_run result = { .kind = SPOOL_RUN_AT, .owner = "alice", .uid = 1000,
				    .entry_key = key, .command = "echo hi", .exit_code = 0,
				    .start_ms = 10000, .end_ms = 10500 };
	/* Still waiting: refused, and nothing recorded. */
	assert_int_equal(spool_at_finish(fx->sp, id, &result, &err), SPOOL_CONFLICT);
	assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 0);
	assert_int_equal(spool_at_claim(fx->sp, id, 10, &err), SPOOL_OK);
	/* A malformed record is refused before anything changes. */
	struct spool_run bad = result;
	bad.entry_key = "";
	assert_int_equal(spool_at_finish(fx->sp, id, &bad, &err), SPOOL_INVALID);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(fx->sp, id, &j, &err), SPOOL_OK);
	assert_int_equal(j.state, SPOOL_AT_RUNNING);
	spool_at_job_free(&j);
	assert_int_equal(spool_at_finish(fx->sp, id, &result, &err), SPOOL_OK);
	assert_int_equal(spool_at_get(fx->sp, id, &j, &err), SPOOL_NOT_FOUND);
	struct spool_history_filter f = { .entry_key = key, .limit = 10 };
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_query(fx->sp, &f, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].kind, SPOOL_RUN_AT);
	assert_string_equal(v[0].command, "echo hi");
	spool_runs_free(v, n);
	assert_int_equal(spool_at_finish(fx->sp, id, &result, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 1);
}

static void test_recover_interrupts_started_jobs_and_frees_unstarted_ones(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t a = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	int64_t b = submit(fx->sp, job_for("bob", 1001, 'a', 20));
	int64_t w = submit(fx->sp, job_for("bob", 1001, 'a', 30));
	struct spool_at_job *v;
	size_t n;
	assert_int_equal(spool_at_claim_due(fx->sp, 25, NULL, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	spool_at_jobs_free(v, n);
	assert_int_equal(spool_at_set_running(fx->sp, a, 777, 12, &err), SPOOL_OK);
	/* b is claimed, its start never recorded: on SQLite it waits again
	 * (spool.h), on PostgreSQL it is interrupted with a. */
	bool sqlite = fx->backend == SPOOL_FIXTURE_SQLITE;
	/* The daemon "crashes": a new connection recovers. */
	spool_close(fx->sp);
	assert_int_equal(spool_open(fx->path, SPOOL_CHECK, &fx->sp, &err), SPOOL_OK);
	assert_int_equal(spool_at_recover(fx->sp, 100, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, sqlite ? 1 : 2);
	assert_int_equal(v[0].id, a);
	assert_int_equal(v[0].state, SPOOL_AT_INTERRUPTED);
	assert_int_equal(v[0].pid, 777);
	if (!sqlite)
		assert_int_equal(v[1].id, b);
	spool_at_jobs_free(v, n);
	/* Not claimable, even when due; the waiting jobs are untouched. */
	assert_int_equal(spool_at_claim(fx->sp, a, 200, &err), SPOOL_CONFLICT);
	assert_int_equal(spool_at_claim_due(fx->sp, 200, NULL, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, sqlite ? 2 : 1);
	assert_int_equal(v[0].id, sqlite ? b : w);
	if (sqlite)
		assert_int_equal(v[1].id, w);
	spool_at_jobs_free(v, n);
	/* Started now, so a crash interrupts them. */
	if (sqlite)
		assert_int_equal(spool_at_set_running(fx->sp, b, 778, 200, &err), SPOOL_OK);
	assert_int_equal(spool_at_set_running(fx->sp, w, 779, 200, &err), SPOOL_OK);
	/* Recovery again (a crash before they were finished) returns them again. */
	assert_int_equal(spool_at_recover(fx->sp, 300, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 3);   /* b and w were running too */
	spool_at_jobs_free(v, n);
	assert_int_equal(spool_at_finish(fx->sp, a, NULL, &err), SPOOL_OK);
	assert_int_equal(spool_at_remove(fx->sp, b, 1001, &err), SPOOL_OK);
	assert_int_equal(spool_at_finish(fx->sp, w, NULL, &err), SPOOL_OK);
	assert_int_equal(spool_at_recover(fx->sp, 400, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	assert_null(v);
	/* A claim alone, no job running: still found (SQLite first asks
	 * whether anything is to be recovered at all). */
	int64_t x = submit(fx->sp, job_for("alice", 1000, 'a', 450));
	assert_int_equal(spool_at_claim_due(fx->sp, 500, NULL, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	spool_at_jobs_free(v, n);
	spool_close(fx->sp);
	assert_int_equal(spool_open(fx->path, SPOOL_CHECK, &fx->sp, &err), SPOOL_OK);
	assert_int_equal(spool_at_recover(fx->sp, 600, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, sqlite ? 0 : 1);
	spool_at_jobs_free(v, n);
	assert_int_equal(spool_at_claim_due(fx->sp, 700, NULL, 10, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, sqlite ? 1 : 0);
	if (sqlite)
		assert_int_equal(v[0].id, x);
	spool_at_jobs_free(v, n);
}

static int commits;

static void count_commit(struct spool *sp)
{
	(void)sp;
	commits++;
}

/* Group commit: several submissions are one transaction; a job that fails
 * its checks is refused alone, the others are queued with increasing ids. */
static void test_submit_many_is_one_transaction_and_refuses_jobs_alone(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 }, errs[4];
	struct spool_at_job jobs[4] = {
		job_for("alice", 1000, 'a', 5000), job_for("bob", 1001, 'b', 6000),
		job_for("alice", 1000, '1', 7000), job_for("carol", 1002, 'c', 4000),
	};
	int64_t ids[4];
	int codes[4];
	fx->sp->test_before_commit = count_commit;
	commits = 0;
	assert_int_equal(spool_at_submit_many(fx->sp, jobs, 4, NULL, ids, codes, errs, NULL, &err), SPOOL_OK);
	fx->sp->test_before_commit = NULL;
	assert_int_equal(commits, 1);
	assert_int_equal(codes[0], SPOOL_OK);
	assert_int_equal(codes[1], SPOOL_OK);
	assert_int_equal(codes[2], SPOOL_INVALID);
	assert_non_null(strstr(errs[2].msg, "queue must be a letter"));
	assert_int_equal(ids[2], 0);
	assert_int_equal(codes[3], SPOOL_OK);
	assert_true(ids[0] > 0 && ids[1] > ids[0] && ids[3] > ids[1]);
	struct spool_at_job got;
	assert_int_equal(spool_at_get(fx->sp, ids[1], &got, &err), SPOOL_OK);
	assert_string_equal(got.owner, "bob");
	assert_int_equal(got.queue, 'b');
	assert_int_equal(got.run_at, 6000);
	spool_at_job_free(&got);
	/* Nothing valid: no transaction at all. */
	commits = 0;
	fx->sp->test_before_commit = count_commit;
	assert_int_equal(spool_at_submit_many(fx->sp, &jobs[2], 1, NULL, ids, codes, errs, NULL, &err),
	                 SPOOL_OK);
	assert_int_equal(spool_at_submit_many(fx->sp, jobs, 0, NULL, ids, codes, errs, NULL, &err), SPOOL_OK);
	fx->sp->test_before_commit = NULL;
	assert_int_equal(commits, 0);
	assert_int_equal(codes[0], SPOOL_INVALID);
	assert_int_equal(spool_at_submit_many(fx->sp, jobs, SPOOL_AT_BATCH_MAX + 1, NULL, ids,
	                                      codes, errs, NULL, &err), SPOOL_INVALID);
}

/* A quota inside a batch counts the owner's jobs queued earlier in the same
 * batch: a user cannot pass at_jobs_per_user by submitting many at once. */
static void test_submit_many_counts_the_batch_against_the_quota(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 }, errs[4];
	struct spool_at_job jobs[4] = {
		job_for("alice", 1000, 'a', 5000), job_for("alice", 1000, 'a', 5001),
		job_for("root", 0, 'a', 5002), job_for("alice", 1000, 'a', 5003),
	};
	int64_t ids[4];
	int codes[4];
	struct spool_at_usage used[4];
	const struct spool_at_quota quota = { .max_jobs = 1, .max_bytes = 1u << 30 };
	assert_int_equal(spool_at_submit_many(fx->sp, jobs, 4, &quota, ids, codes, errs, used,
	                                      &err), SPOOL_OK);
	assert_int_equal(codes[0], SPOOL_OK);
	assert_int_equal(codes[1], SPOOL_QUOTA);
	assert_int_equal(used[1].jobs, 1);       /* job 0, in this same batch */
	assert_int_equal(ids[1], 0);
	assert_int_equal(codes[2], SPOOL_OK);    /* root is not limited */
	assert_int_equal(codes[3], SPOOL_QUOTA);
	struct spool_at_usage now;
	assert_int_equal(spool_at_usage_of(fx->sp, 1000, &now, &err), SPOOL_OK);
	assert_int_equal(now.jobs, 1);
}

/* Removing many is one transaction; each id gets its own answer, and a
 * refused id (missing, another's, running) leaves the others removed. */
static void test_remove_many_is_one_transaction_with_an_answer_per_id(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 }, errs[5];
	int64_t a = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	int64_t b = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	int64_t run = submit(fx->sp, job_for("alice", 1000, 'a', 10));
	int64_t bobs = submit(fx->sp, job_for("bob", 1001, 'a', 10));
	assert_int_equal(spool_at_claim(fx->sp, run, 20, &err), SPOOL_OK);
	int64_t ids[5] = { a, 999999, bobs, run, b };
	int codes[5];
	fx->sp->test_before_commit = count_commit;
	commits = 0;
	assert_int_equal(spool_at_remove_many(fx->sp, ids, 5, 1000, codes, errs, &err), SPOOL_OK);
	fx->sp->test_before_commit = NULL;
	assert_int_equal(commits, 1);
	assert_int_equal(codes[0], SPOOL_OK);
	assert_int_equal(codes[1], SPOOL_NOT_FOUND);
	assert_int_equal(codes[2], SPOOL_PERMISSION);
	assert_int_equal(codes[3], SPOOL_CONFLICT);
	assert_non_null(strstr(errs[3].msg, "running"));
	assert_int_equal(codes[4], SPOOL_OK);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(fx->sp, a, &j, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_get(fx->sp, b, &j, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_get(fx->sp, bobs, &j, &err), SPOOL_OK);
	spool_at_job_free(&j);
	/* root may remove anyone's; an id twice is removed once */
	int64_t twice[2] = { bobs, bobs };
	assert_int_equal(spool_at_remove_many(fx->sp, twice, 2, 0, codes, errs, &err), SPOOL_OK);
	assert_int_equal(codes[0], SPOOL_OK);
	assert_int_equal(codes[1], SPOOL_NOT_FOUND);
	assert_int_equal(spool_at_remove_many(fx->sp, ids, 0, 0, codes, errs, &err), SPOOL_OK);
	assert_int_equal(spool_at_remove_many(fx->sp, ids, SPOOL_AT_REMOVE_MAX + 1, 0, codes,
	                                      errs, &err), SPOOL_INVALID);
}

int main(void)
{
	static const struct spool_fixture_test tests[] = {
		SPOOL_CONTRACT_TEST(test_submit_then_get_returns_every_field),
		SPOOL_CONTRACT_TEST(test_job_without_environment_gets_an_empty_list),
		SPOOL_CONTRACT_TEST(test_mail_recipient_is_kept_apart_from_the_environment),
		SPOOL_CONTRACT_TEST(test_ids_increase_and_are_never_reused),
		SPOOL_CONTRACT_TEST(test_submit_rejects_malformed_jobs),
		SPOOL_CONTRACT_TEST(test_list_is_sorted_by_run_time_then_id_and_filtered),
		SPOOL_CONTRACT_TEST(test_list_pages_after_a_cursor),
		SPOOL_CONTRACT_TEST(test_remove_checks_owner_and_state),
		SPOOL_CONTRACT_TEST(test_submit_within_a_quota_counts_the_owners_jobs_and_bytes),
		SPOOL_CONTRACT_TEST(test_claim_moves_waiting_to_running_exactly_once),
		SPOOL_CONTRACT_TEST(test_claim_due_takes_due_jobs_in_order_up_to_max),
		SPOOL_CONTRACT_TEST(test_next_run_is_the_earliest_waiting_job_of_the_queues),
		SPOOL_CONTRACT_TEST(test_set_running_and_finish_follow_the_states),
		SPOOL_CONTRACT_TEST(test_finish_with_a_result_records_it_in_the_same_transaction),
		SPOOL_CONTRACT_TEST(test_recover_interrupts_started_jobs_and_frees_unstarted_ones),
		SPOOL_CONTRACT_TEST(test_submit_many_is_one_transaction_and_refuses_jobs_alone),
		SPOOL_CONTRACT_TEST(test_submit_many_counts_the_batch_against_the_quota),
		SPOOL_CONTRACT_TEST(test_remove_many_is_one_transaction_with_an_answer_per_id),
	};
	return spool_fixture_run("spool-at", SPOOL_CREATE, tests,
				 sizeof tests / sizeof tests[0]);
}
