/* tests/unit/test_claim.c: claiming scheduled runs in a cluster
 * (crond/run/claim.h): which runs are claimed, two nodes claiming the same
 * runs on one spool (one wins each), a won run recorded through the
 * record its claim wrote (the recorder does not begin it again), and an at
 * job whose node was taken for lost keeping its real result (PostgreSQL:
 * skipped without CROND_TEST_PG).
 *
 * The SQLite spool is one machine's, but its claims work the same way
 * (spool.h), so two connections on one file stand for two nodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "crond/run/claim.h"
#include "crond/run/job.h"
#include "crond/run/recorder.h"
#include "crond/run/runreq.h"
#include "crond/sched/scheduler.h"
#include "support/due_reqs.h"
#include "support/spool_fixture.h"

#define T0 1796212800   /* 2026-12-01 12:00:00 UTC, a minute boundary */

static struct run_request *find(const struct due_reqs *q, const char *command)
{
	struct run_request *r = due_reqs_find(q, command);
	if (r == NULL)
		fail_msg("no run of '%s'", command);
	return r;
}

static void set(struct scheduler *s, const char *name, enum source_kind kind, const char *owner,
                const char *text, enum crontab_format fmt)
{
	struct crontab tab;
	struct diag_list d = { 0 };
	if (crontab_parse(text, strlen(text), fmt, &tab, &d) != 0 || d.errors)
		fail_msg("parse: %s", d.count ? d.items[0].msg : "?");
	diag_list_clear(&d);
	char err[256];
	if (scheduler_set_source(s, name, kind, owner, &tab, T0 - 1, err, sizeof(err)) != 0)
		fail_msg("set_source: %s", err);
}

/* The runs due at T0 of a user crontab and a system crontab. */
static struct scheduler *schedule(struct tz **zone, struct due_reqs *q)
{
	char err[256];
	*zone = tz_load("UTC", err, sizeof(err));
	assert_non_null(*zone);
	struct scheduler *s = scheduler_new(*zone, 0);
	assert_non_null(s);
	set(s, "user:alice", SOURCE_USER, "alice",
	    "* * * * * shared\n"
	    "CRON_NODES=all\n* * * * * everywhere\n@reboot at boot\n"
	    "CRON_NODES=one\n* * * * * shared again\n", CRONTAB_USER);
	set(s, "/etc/cron.d/x", SOURCE_SYSTEM, NULL, "* * * * * root system\n", CRONTAB_SYSTEM);
	scheduler_run_due(s, T0, JUMP_NONE, due_reqs_keep, q);
	scheduler_run_reboot(s, T0, due_reqs_keep, q);
	return s;
}

static void test_only_scheduled_runs_of_user_entries_not_on_all_nodes_are_claimed(void **state)
{
	(void)state;
	struct tz *zone;
	struct due_reqs q = { 0 };
	struct scheduler *s = schedule(&zone, &q);
	assert_true(claim_needed(find(&q, "shared")));
	assert_true(claim_needed(find(&q, "shared again")));
	assert_false(claim_needed(find(&q, "everywhere")));   /* CRON_NODES=all */
	assert_false(claim_needed(find(&q, "at boot")));      /* @reboot: each node's boot */
	assert_false(claim_needed(find(&q, "system")));       /* /etc/cron.d: per node */
	struct run_request *manual = find(&q, "shared");
	manual->manual = true;                                /* crontab --run */
	assert_false(claim_needed(manual));
	struct due at = { .kind = DUE_AT, .scheduled = T0, .at_id = 7, .queue = 'a' };
	struct run_request *ar = runreq_from_due(&at);
	assert_non_null(ar);
	assert_false(claim_needed(ar));                       /* spool_at_claim instead */
	runreq_free(ar);
	due_reqs_free(&q);
	scheduler_free(s);
	tz_free(zone);
}

static struct spool *open_node(const char *path, const char *node)
{
	struct spool *sp;
	struct spool_err e;
	if (spool_open(path, 0, &sp, &e) != SPOOL_OK || spool_set_node(sp, node, &e) != SPOOL_OK)
		fail_msg("%s", e.msg);
	return sp;
}

static size_t records_of(struct spool *sp, const char *key)
{
	struct spool_history_filter f = { .entry_key = key, .limit = 100 };
	return spool_fixture_count_runs(sp, &f);
}

static void test_two_nodes_claiming_the_same_runs_each_run_is_won_once(void **state)
{
	(void)state;
	struct spool_fixture *fx = spool_fixture_new("claim");
	spool_fixture_open(fx, SPOOL_CREATE);
	struct spool *a = open_node(fx->path, "node-a"), *b = open_node(fx->path, "node-b");
	struct tz *zone;
	struct due_reqs qa = { 0 }, qb = { 0 };
	struct scheduler *sa = schedule(&zone, &qa), *sb;
	struct tz *zone_b;
	sb = schedule(&zone_b, &qb);
	uid_t uids[2] = { 1000, 1000 };
	enum claim_verdict v[2];
	struct spool_err e;
	/* Node A claims "shared"; node B then both, in one call. */
	struct run_request *ra[1] = { find(&qa, "shared") };
	assert_int_equal(claim_runs(a, ra, uids, 1, (int64_t)T0 * 1000000000, v, &e), 0);
	assert_int_equal(v[0], CLAIM_WON);
	assert_true(ra[0]->claim_id > 0);
	struct run_request *rb[2] = { find(&qb, "shared"), find(&qb, "shared again") };
	assert_int_equal(claim_runs(b, rb, uids, 2, (int64_t)T0 * 1000000000 + 5000000, v, &e), 0);
	assert_int_equal(v[0], CLAIM_LOST);
	assert_int_equal(rb[0]->claim_id, 0);
	assert_int_equal(v[1], CLAIM_WON);
	assert_true(rb[1]->claim_id > 0);
	/* One running record each, written by the claim. */
	assert_int_equal(records_of(a, ra[0]->entry_key), 1);
	assert_int_equal(records_of(a, rb[1]->entry_key), 1);
	/* A second claim of the same run by the winner loses too. */
	struct run_request *again[1] = { find(&qa, "shared") };
	assert_int_equal(claim_runs(a, again, uids, 1, (int64_t)T0 * 1000000000, v, &e), 0);
	assert_int_equal(v[0], CLAIM_LOST);
	due_reqs_free(&qa);
	due_reqs_free(&qb);
	scheduler_free(sa);
	scheduler_free(sb);
	tz_free(zone);
	tz_free(zone_b);
	spool_close(a);
	spool_close(b);
	spool_fixture_free(fx);
}

static void test_a_failed_claim_call_claims_nothing(void **state)
{
	(void)state;
	struct spool_fixture *fx = spool_fixture_new("claim-fail");
	spool_fixture_open(fx, SPOOL_CREATE);
	struct spool *ro;
	struct spool_err e;
	assert_int_equal(spool_open(fx->path, SPOOL_READONLY, &ro, &e), SPOOL_OK);
	struct tz *zone;
	struct due_reqs q = { 0 };
	struct scheduler *s = schedule(&zone, &q);
	struct run_request *r[1] = { find(&q, "shared") };
	uid_t uid = 1000;
	enum claim_verdict v[1] = { CLAIM_WON };
	assert_int_equal(claim_runs(ro, r, &uid, 1, (int64_t)T0 * 1000000000, v, &e), -1);
	assert_int_equal(v[0], CLAIM_FAILED);
	assert_int_equal(r[0]->claim_id, 0);
	assert_int_equal(records_of(fx->sp, r[0]->entry_key), 0);
	due_reqs_free(&q);
	scheduler_free(s);
	tz_free(zone);
	spool_close(ro);
	spool_fixture_free(fx);
}

static void test_a_won_run_ends_in_the_record_its_claim_began(void **state)
{
	(void)state;
	struct spool_fixture *fx = spool_fixture_new("claim-rec");
	spool_fixture_open(fx, SPOOL_CREATE);
	struct recorder rec;
	char err[256];
	assert_int_equal(recorder_open(&rec, fx->path, "node-a", err, sizeof(err)), 0);
	struct tz *zone;
	struct due_reqs q = { 0 };
	struct scheduler *s = schedule(&zone, &q);
	struct run_request *r = find(&q, "shared");
	struct run_request *batch[1] = { r };
	uid_t uid = getuid();
	enum claim_verdict v[1];
	struct spool_err e;
	int64_t now_ns = (int64_t)T0 * 1000000000;
	assert_int_equal(claim_runs(recorder_spool(&rec), batch, &uid, 1, now_ns, v, &e), 0);
	assert_int_equal(v[0], CLAIM_WON);
	int64_t id = r->claim_id;
	char key[SCHEDULER_KEY_MAX];
	snprintf(key, sizeof(key), "%s", r->entry_key);
	/* Take it out of the list free_reqs frees: the job owns it now. */
	for (size_t i = 0; i < q.n; i++)
		if (q.r[i] == r)
			q.r[i] = q.r[--q.n];
	struct job *j = job_not_run(r, NULL, false, "could not start", now_ns + 1000000);
	assert_non_null(j);
	assert_int_equal(j->run_id, id);
	recorder_started(&rec, j);            /* begun by the claim: nothing to begin */
	assert_int_equal(rec.n_started, 0);
	recorder_finished(&rec, j);
	recorder_flush(&rec);
	struct spool_history_filter f = { .entry_key = key, .limit = 10 };
	struct spool_run *runs;
	size_t n;
	assert_int_equal(spool_history_query(fx->sp, &f, &runs, &n, &e), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(runs[0].id, id);
	assert_false(runs[0].flags & SPOOL_RUN_RUNNING);
	assert_true(runs[0].flags & SPOOL_RUN_FAILED_START);
	assert_int_equal(runs[0].start_ms, (int64_t)T0 * 1000);   /* as claimed */
	spool_runs_free(runs, n);
	recorder_close(&rec);
	due_reqs_free(&q);
	scheduler_free(s);
	tz_free(zone);
	spool_fixture_free(fx);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* A node taken for lost while its at job ran (paused, cut off) comes back:
 * the survivor deleted the job and ended its record as interrupted, node
 * lost; the job's real result replaces that guess, in the same record. */
static void test_an_at_job_reaped_while_its_node_was_lost_keeps_its_real_result(void **state)
{
	(void)state;
	if (spool_fixture_pg_unavailable())
		skip();
	struct spool_fixture *fx = spool_fixture_new_on(SPOOL_FIXTURE_POSTGRESQL, "claim-reaped");
	spool_fixture_open(fx, SPOOL_CREATE);
	struct recorder rec;
	char err[256];
	assert_int_equal(recorder_open(&rec, fx->path, "node-a", err, sizeof(err)), 0);
	struct spool *b = open_node(fx->path, "node-b");
	struct spool_err e;
	static const char *const env[] = { "HOME=/", NULL };
	struct spool_at_job sub = { .queue = 'a', .owner = "alice", .uid = getuid(),
		                    .gid = getgid(), .run_at = T0, .created_at = T0 - 60,
		                    .script = "true\n", .script_len = 5, .env = env, .cwd = "/",
		                    .umask = 022 };
	int64_t id;
	assert_int_equal(spool_at_submit(fx->sp, &sub, &id, &e), SPOOL_OK);
	/* Node A claims and starts it (its running record is written). */
	assert_int_equal(spool_node_beat(recorder_spool(&rec), 0, NULL, &e), SPOOL_OK);
	struct spool_at_job *claimed;
	size_t n;
	assert_int_equal(spool_at_claim_due(recorder_spool(&rec), T0, NULL, 1, &claimed, &n, &e),
	                 SPOOL_OK);
	assert_int_equal(n, 1);
	struct due at = { .kind = DUE_AT, .scheduled = T0, .at_id = id, .queue = 'a' };
	struct run_request *req = runreq_from_due(&at);
	assert_non_null(req);
	int64_t now_ns = (int64_t)T0 * 1000000000;
	struct job *j = job_not_run(req, &claimed[0], false, "could not start", now_ns);
	assert_non_null(j);
	spool_at_jobs_free(claimed, n);
	recorder_started(&rec, j);
	recorder_flush(&rec);
	int64_t run_id = j->run_id;
	assert_true(run_id > 0);
	/* A stops beating; B reaps it. */
	assert_int_equal(spool_node_beat(b, 0, NULL, &e), SPOOL_OK);
	sleep_ms(400);
	char **lost;
	assert_int_equal(spool_node_reap(b, 300, &lost, &n, &e), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(lost[0], "node-a");
	free(lost[0]);
	free(lost);
	/* A comes back and records the job's end. */
	recorder_finished(&rec, j);
	recorder_flush(&rec);
	char key[32];
	snprintf(key, sizeof(key), "at:%lld", (long long)id);
	struct spool_history_filter f = { .entry_key = key, .limit = 10 };
	struct spool_run *runs;
	assert_int_equal(spool_history_query(b, &f, &runs, &n, &e), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(runs[0].id, run_id);
	assert_int_equal(runs[0].flags, SPOOL_RUN_FAILED_START);
	assert_int_equal(runs[0].exit_code, 127);
	assert_int_equal(runs[0].output_len, strlen("could not start"));
	assert_memory_equal(runs[0].output, "could not start", runs[0].output_len);
	assert_string_equal(runs[0].node, "node-a");
	spool_runs_free(runs, n);
	recorder_close(&rec);
	spool_close(b);
	spool_fixture_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_scheduled_runs_of_user_entries_not_on_all_nodes_are_claimed),
		cmocka_unit_test(test_two_nodes_claiming_the_same_runs_each_run_is_won_once),
		cmocka_unit_test(test_a_failed_claim_call_claims_nothing),
		cmocka_unit_test(test_a_won_run_ends_in_the_record_its_claim_began),
		cmocka_unit_test(test_an_at_job_reaped_while_its_node_was_lost_keeps_its_real_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
