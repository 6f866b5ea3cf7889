/* tests/unit/test_snapshot.c: crontab snapshots shared by the schedule and
 * the run requests built from it: reference counting (on two threads, as
 * the timer and the supervisor drop them), run requests that point into the
 * crontab instead of copying its environment, and cancellation of entries
 * that a replaced or removed crontab no longer has.
 *
 * THREADED TEST: one test drops references from two threads at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crond/run/runreq.h"
#include "crond/sched/scheduler.h"
#include "crond/run/snapshot.h"
#include "tests/unit/support/due_reqs.h"

static struct crontab parse(const char *text)
{
	struct crontab tab;
	struct diag_list d = { 0 };
	if (crontab_parse(text, strlen(text), CRONTAB_USER, &tab, &d) != 0)
		fail_msg("parse: %s", d.items[0].msg);
	diag_list_clear(&d);
	return tab;
}

static void install(struct scheduler *s, const char *text, int64_t now)
{
	struct crontab tab = parse(text);
	char err[256];
	if (scheduler_set_source(s, "user:alice", SOURCE_USER, "alice", &tab, now, err,
	                         sizeof(err)) != 0)
		fail_msg("set_source: %s", err);
}

static struct scheduler *new_sched(struct tz **z)
{
	char err[256];
	*z = tz_load("UTC", err, sizeof(err));
	if (!*z)
		fail_msg("%s", err);
	struct scheduler *s = scheduler_new(*z, 0);
	assert_non_null(s);
	return s;
}

static void test_a_snapshot_lives_until_its_last_reference_is_dropped(void **state)
{
	(void)state;
	struct crontab tab = parse("A=1\n* * * * * true\n");
	struct snapshot *snap = snapshot_new("user:alice", SOURCE_USER, "alice", &tab);
	assert_non_null(snap);
	assert_null(tab.entries);   /* moved in */
	assert_string_equal(snap->name, "user:alice");
	assert_string_equal(snap->owner, "alice");
	assert_string_equal(snap->env[0], "A=1");
	assert_null(snap->env[1]);
	snapshot_ref(snap);
	snapshot_ref(snap);
	assert_int_equal(atomic_load(&snap->refs), 3);
	snapshot_unref(snap);
	snapshot_unref(snap);
	assert_int_equal(atomic_load(&snap->refs), 1);
	assert_false(snapshot_cancelled(snap, 0));
	assert_true(snapshot_cancelled(snap, 1));   /* no such entry: never starts */
	snapshot_unref(snap);   /* the last: freed (the leak checker sees the rest) */
	snapshot_unref(NULL);
}

static void test_shell_and_mail_lookups_match_the_crontab_rules(void **state)
{
	(void)state;
	struct crontab tab = parse("* * * * * a\nSHELL=/bin/bash\nMAILTO=x\n* * * * * b\n"
	                           "MAILTO=\"\"\nMAILFROM=f\nSHELLX=no\n* * * * * c\n"
	                           "SHELL=/bin/dash\n* * * * * d\n");
	struct snapshot *snap = snapshot_new("user:alice", SOURCE_USER, "alice", &tab);
	assert_non_null(snap);
	const char *names[SNAP_VARS] = { "SHELL", "MAILTO", "MAILFROM" };
	for (size_t i = 0; i < snap->tab.n_entries; i++) {
		const struct crontab_entry *e = &snap->tab.entries[i];
		for (int v = 0; v < SNAP_VARS; v++) {
			const char *want = crontab_getenv(&snap->tab, e, names[v]);
			const char *got = snapshot_getenv(snap, e, (enum snapshot_var)v);
			if (!want || !got)
				assert_ptr_equal(want, got);
			else
				assert_string_equal(want, got);
		}
	}
	assert_string_equal(snapshot_getenv(snap, &snap->tab.entries[2], SNAP_MAILTO), "");
	assert_string_equal(snapshot_getenv(snap, &snap->tab.entries[3], SNAP_SHELL), "/bin/dash");
	assert_null(snapshot_getenv(snap, &snap->tab.entries[0], SNAP_SHELL));
	snapshot_unref(snap);
}

struct dropper {
	struct snapshot *snap;
	int n;
};

static void *drop_many(void *arg)
{
	struct dropper *d = arg;
	for (int i = 0; i < d->n; i++)
		snapshot_unref(d->snap);
	return NULL;
}

static void test_two_threads_dropping_references_free_it_exactly_once(void **state)
{
	(void)state;
	for (int round = 0; round < 50; round++) {
		struct crontab tab = parse("BIG=xxxxxxxxxxxxxxxx\n* * * * * true\n");
		struct snapshot *snap = snapshot_new("user:alice", SOURCE_USER, "alice", &tab);
		assert_non_null(snap);
		for (int i = 0; i < 2000; i++)
			snapshot_ref(snap);
		/* 2001 references: each thread drops 1000, leaving exactly one
		 * (this thread's), never freeing it early. */
		struct dropper a = { snap, 1000 }, b = { snap, 1000 };
		pthread_t ta, tb;
		assert_int_equal(pthread_create(&ta, NULL, drop_many, &a), 0);
		assert_int_equal(pthread_create(&tb, NULL, drop_many, &b), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		assert_int_equal(atomic_load(&snap->refs), 1);
		assert_string_equal(snap->env[0], "BIG=xxxxxxxxxxxxxxxx");
		snapshot_unref(snap);
	}
}

static void test_run_requests_share_the_crontab_instead_of_copying_it(void **state)
{
	(void)state;
	/* A big environment and several entries due in the same minute. */
	size_t value_len = 8000;
	char *text = malloc(value_len * 20 + 1000);
	assert_non_null(text);
	size_t len = 0;
	for (int i = 0; i < 20; i++) {
		len += (size_t)sprintf(text + len, "V%02d=", i);
		memset(text + len, 'x', value_len);
		len += value_len;
		text[len++] = '\n';
	}
	len += (size_t)sprintf(text + len, "SHELL=/bin/bash\nMAILTO=ops\n");
	for (int i = 0; i < 10; i++)
		len += (size_t)sprintf(text + len, "* * * * * job%d%%in\n", i);
	text[len] = '\0';
	struct tz *z;
	struct scheduler *s = new_sched(&z);
	install(s, text, 0);
	free(text);
	const struct sched_source *src = scheduler_find_source(s, "user:alice");
	assert_non_null(src);
	struct due_reqs q = { 0 };
	scheduler_run_due(s, 60, JUMP_NONE, due_reqs_keep, &q);
	assert_int_equal(q.n, 10);
	size_t own = 0;
	for (size_t i = 0; i < q.n; i++) {
		struct run_request *r = q.r[i];
		assert_ptr_equal(r->snap, src->snap);
		assert_ptr_equal(r->env, src->snap->env);   /* shared, not copied */
		assert_int_equal(r->n_env, 22);
		assert_string_equal(r->env[21], "MAILTO=ops");
		assert_string_equal(r->shell, "/bin/bash");
		assert_string_equal(r->mailto, "ops");
		assert_string_equal(r->user, "alice");
		assert_string_equal(r->input, "in\n");   /* % input ends in a newline */
		own += runreq_bytes(r);
	}
	assert_int_equal(atomic_load(&src->snap->refs), 11);
	/* What ten runs hold of their own is far below one copy of the
	 * environment (160 kB). */
	printf("    10 runs of a %zu-byte crontab hold %zu bytes of their own\n",
	       snapshot_bytes(src->snap), own);
	assert_true(own < 4096);
	/* The runs outlive the schedule. */
	scheduler_free(s);
	tz_free(z);
	assert_string_equal(q.r[3]->env[0] + 4, q.r[7]->env[0] + 4);
	due_reqs_free(&q);
}

static void test_removing_a_crontab_cancels_its_runs(void **state)
{
	(void)state;
	struct tz *z;
	struct scheduler *s = new_sched(&z);
	install(s, "* * * * * a\n* * * * * b\n", 0);
	struct due_reqs q = { 0 };
	scheduler_run_due(s, 60, JUMP_NONE, due_reqs_keep, &q);
	assert_int_equal(q.n, 2);
	assert_false(runreq_cancelled(q.r[0]));
	struct scheduler_stats st;
	scheduler_stats(s, &st);
	assert_int_equal(st.cancelled, 0);
	assert_true(scheduler_remove_source(s, "user:alice"));
	assert_true(runreq_cancelled(q.r[0]));
	assert_true(runreq_cancelled(q.r[1]));
	scheduler_stats(s, &st);
	assert_int_equal(st.cancelled, 2);
	due_reqs_free(&q);
	scheduler_free(s);
	tz_free(z);
}

static void test_replacing_a_crontab_cancels_only_entries_it_no_longer_has(void **state)
{
	(void)state;
	struct tz *z;
	struct scheduler *s = new_sched(&z);
	install(s, "* * * * * due_reqs_keep\n* * * * * drop\n*/5 * * * * edit\n", 0);
	struct due_reqs q = { 0 };
	scheduler_run_due(s, 300, JUMP_NONE, due_reqs_keep, &q);
	struct run_request *k = due_reqs_find(&q, "due_reqs_keep"), *d = due_reqs_find(&q, "drop"), *e = due_reqs_find(&q, "edit");
	assert_non_null(k);
	assert_non_null(d);
	assert_non_null(e);
	/* "due_reqs_keep" moves to another line and gets a comment above it: same
	 * entry; "edit" changes its schedule: another entry. */
	install(s, "# a comment\nX=1\n*/10 * * * * edit\n* * * * * due_reqs_keep\n", 300);
	assert_false(runreq_cancelled(k));
	assert_true(runreq_cancelled(d));
	assert_true(runreq_cancelled(e));
	struct scheduler_stats st;
	scheduler_stats(s, &st);
	assert_int_equal(st.cancelled, 2);
	/* A crontab that cannot be installed cancels nothing. */
	struct crontab bad = parse("CRON_TZ=No/Such_Zone\n* * * * * x\n");
	char err[256];
	assert_int_equal(scheduler_set_source(s, "user:alice", SOURCE_USER, "alice", &bad, 300, err,
	                                      sizeof(err)),
	                 -1);
	scheduler_stats(s, &st);
	assert_int_equal(st.cancelled, 2);
	due_reqs_free(&q);
	scheduler_free(s);
	tz_free(z);
}

/* A waiting run keeps the snapshot it came from. A user who replaces their
 * crontab (1 MiB each) every time a run of it comes due, while every run
 * waits behind their own long jobs, must not pin one snapshot per
 * replacement: the scheduler keeps at most SCHED_RETIRED_MAX replaced
 * snapshots alive for a source, and cancels the runs of older ones. */
static void test_waiting_runs_pin_at_most_a_few_replaced_crontabs(void **state)
{
	(void)state;
	struct tz *z;
	struct scheduler *s = new_sched(&z);
	struct due_reqs q = { 0 };
	char text[128];
	const size_t gens = SCHED_RETIRED_MAX + 6;
	for (size_t g = 0; g < gens; g++) {
		snprintf(text, sizeof(text), "* * * * * due_reqs_keep\nJUNK=%zu\n", g);
		install(s, text, (int64_t)g * 60);
		scheduler_run_due(s, (int64_t)(g + 1) * 60, JUMP_NONE, due_reqs_keep, &q);
		assert_int_equal(q.n, g + 1);
	}
	install(s, "* * * * * due_reqs_keep\n", (int64_t)gens * 60);
	/* Every run came from another snapshot: the newest SCHED_RETIRED_MAX
	 * replaced ones still run, the older ones are cancelled. */
	for (size_t g = 0; g < gens; g++) {
		bool recent = g >= gens - SCHED_RETIRED_MAX;
		if (runreq_cancelled(q.r[g]) == recent)
			fail_msg("run of generation %zu of %zu: cancelled %d", g, gens,
			         (int)runreq_cancelled(q.r[g]));
	}
	struct scheduler_stats st;
	scheduler_stats(s, &st);
	assert_int_equal(st.retired, SCHED_RETIRED_MAX);
	/* Once its runs are gone, a replaced snapshot is let go at the next
	 * change of its source. */
	due_reqs_free(&q);
	install(s, "* * * * * due_reqs_keep\n# again\n", (int64_t)gens * 60);
	scheduler_stats(s, &st);
	assert_int_equal(st.retired, 0);
	/* Removing the source cancels the runs of the replaced snapshots too. */
	scheduler_run_due(s, (int64_t)(gens + 1) * 60, JUMP_NONE, due_reqs_keep, &q);
	install(s, "* * * * * due_reqs_keep\n# once more\n", (int64_t)(gens + 1) * 60);
	scheduler_stats(s, &st);
	assert_int_equal(st.retired, 1);
	assert_false(runreq_cancelled(q.r[0]));
	assert_true(scheduler_remove_source(s, "user:alice"));
	assert_true(runreq_cancelled(q.r[0]));
	scheduler_stats(s, &st);
	assert_int_equal(st.retired, 0);
	due_reqs_free(&q);
	scheduler_free(s);
	tz_free(z);
}

/* Only run requests make the scheduler keep a replaced snapshot. Metrics
 * series held references too (to learn when their entry is removed), and
 * let go when nothing else held it: counted alike, each waited for the
 * other, and every crontab replaced after one of its entries ran stayed in
 * memory (with 1,000,000 entries, a SIGHUP after a minute's runs kept the
 * whole old schedule: 200 MB more). Series now hold only the fate (the
 * next test); any other reference still does not keep it. */
static void test_a_reference_that_is_no_run_does_not_keep_a_replaced_crontab(void **state)
{
	(void)state;
	struct tz *z;
	struct scheduler *s = new_sched(&z);
	install(s, "* * * * * a\n", 0);
	struct due_reqs q = { 0 };
	scheduler_run_due(s, 60, JUMP_NONE, due_reqs_keep, &q);
	assert_int_equal(q.n, 1);
	struct snapshot *old = q.r[0]->snap;
	assert_true(snapshot_in_runs(old));
	struct snapshot *other = snapshot_ref(old);    /* a reference that is no run's */
	assert_int_equal(atomic_load(&old->runs), 1);
	due_reqs_free(&q);                               /* the run ended */
	assert_false(snapshot_in_runs(old));
	assert_int_equal(atomic_load(&old->refs), 2);    /* the scheduler's, the other */
	install(s, "* * * * * a\n# edited\n", 60);
	struct scheduler_stats st;
	scheduler_stats(s, &st);
	assert_int_equal(st.retired, 0);                 /* not kept for it */
	assert_int_equal(atomic_load(&old->refs), 1);    /* the other's alone */
	snapshot_unref(other);
	/* a run still waiting keeps it, as before */
	scheduler_run_due(s, 120, JUMP_NONE, due_reqs_keep, &q);
	assert_int_equal(q.n, 1);
	install(s, "* * * * * a\n# edited again\n", 120);
	scheduler_stats(s, &st);
	assert_int_equal(st.retired, 1);
	due_reqs_free(&q);
	assert_int_equal(scheduler_release_retired(s), 1);   /* the run is gone now */
	scheduler_stats(s, &st);
	assert_int_equal(st.retired, 0);
	scheduler_free(s);
	tz_free(z);
}

/* A metrics series holds the fate of a crontab (its entries' cancelled
 * flags), not the crontab: the scheduler's replace frees the crontab at
 * once, the fate stays with its flags as they were, marked final. */
static void test_the_fate_outlives_its_crontab_and_ends_final(void **state)
{
	(void)state;
	struct tz *z;
	struct scheduler *s = new_sched(&z);
	install(s, "* * * * * stays\n* * * * * goes\n", 0);
	struct due_reqs q = { 0 };
	scheduler_run_due(s, 60, JUMP_NONE, due_reqs_keep, &q);
	assert_int_equal(q.n, 2);
	struct snapshot_fate *fate = snapshot_fate_ref(q.r[0]->snap->fate);
	assert_int_equal(fate->n, 2);
	due_reqs_free(&q);
	assert_false(snapshot_fate_final(fate));
	install(s, "* * * * * stays\n", 60);   /* the old crontab is freed now */
	assert_true(snapshot_fate_final(fate));
	assert_int_equal(atomic_load(&fate->refs), 1);
	assert_false(snapshot_fate_cancelled(fate, 0));  /* "stays" */
	assert_true(snapshot_fate_cancelled(fate, 1));   /* "goes" */
	assert_true(snapshot_fate_cancelled(fate, 2));   /* no such entry */
	snapshot_fate_unref(fate);   /* the last: freed (the leak checker sees it) */
	snapshot_fate_unref(NULL);
	scheduler_free(s);
	tz_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_snapshot_lives_until_its_last_reference_is_dropped),
		cmocka_unit_test(test_shell_and_mail_lookups_match_the_crontab_rules),
		cmocka_unit_test(test_two_threads_dropping_references_free_it_exactly_once),
		cmocka_unit_test(test_run_requests_share_the_crontab_instead_of_copying_it),
		cmocka_unit_test(test_removing_a_crontab_cancels_its_runs),
		cmocka_unit_test(test_replacing_a_crontab_cancels_only_entries_it_no_longer_has),
		cmocka_unit_test(test_waiting_runs_pin_at_most_a_few_replaced_crontabs),
		cmocka_unit_test(test_a_reference_that_is_no_run_does_not_keep_a_replaced_crontab),
		cmocka_unit_test(test_the_fate_outlives_its_crontab_and_ends_final),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
