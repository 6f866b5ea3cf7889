/* tests/unit/test_spool_history.c: run history (append, begin and end,
 * recovery after a crash, query, prune), per-entry state and named
 * values. On both backends (tests/unit/support/spool_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "spool/backend.h"   /* the test-only hook before COMMIT */
#include "spool/spool.h"
#include "tests/unit/support/spool_fixture.h"

static struct spool_run run_for(const char *owner, uid_t uid, const char *key, int64_t start_ms)
{
	struct spool_run r = {
		.kind = SPOOL_RUN_CRON, .owner = owner, .uid = uid, .entry_key = key,
		.command = "/usr/bin/backup --all", .scheduled_ms = start_ms - 5,
		.start_ms = start_ms, .end_ms = start_ms + 1500, .exit_code = 0,
		.output = "done\n", .output_len = 5, .output_total = 5,
	};
	return r;
}

static void append(struct spool *sp, struct spool_run r)
{
	struct spool_err err = { 0 };
	if (spool_history_append(sp, &r, 1, &err) != SPOOL_OK)
		fail_msg("append: %s", err.msg);
}

static void test_append_then_query_returns_every_field(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	const char out[] = "line\0with NUL\xff";
	struct spool_run r = {
		.kind = SPOOL_RUN_AT, .owner = "alice", .uid = 1000, .entry_key = "17",
		.command = "make -C /src", .scheduled_ms = 4102444800000LL,
		.start_ms = 4102444800123LL, .end_ms = 4102444860456LL, .exit_code = -1,
		.signal = 9, .flags = SPOOL_RUN_TIMED_OUT | SPOOL_RUN_TRUNCATED,
		.output = out, .output_len = sizeof out - 1, .output_total = 1 << 20,
	};
	assert_int_equal(spool_history_append(fx->sp, &r, 1, &err), SPOOL_OK);
	struct spool_history_filter f = { .limit = 10 };
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_query(fx->sp, &f, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_true(v[0].id > 0);
	assert_int_equal(v[0].kind, SPOOL_RUN_AT);
	assert_string_equal(v[0].owner, "alice");
	assert_int_equal(v[0].uid, 1000);
	assert_string_equal(v[0].entry_key, "17");
	assert_string_equal(v[0].command, "make -C /src");
	assert_int_equal(v[0].scheduled_ms, 4102444800000LL);
	assert_int_equal(v[0].start_ms, 4102444800123LL);
	assert_int_equal(v[0].end_ms, 4102444860456LL);
	assert_int_equal(v[0].exit_code, -1);
	assert_int_equal(v[0].signal, 9);
	assert_int_equal(v[0].flags, SPOOL_RUN_TIMED_OUT | SPOOL_RUN_TRUNCATED);
	assert_int_equal(v[0].output_len, sizeof out - 1);
	assert_memory_equal(v[0].output, out, sizeof out - 1);
	assert_int_equal(v[0].output_total, 1 << 20);
	spool_runs_free(v, n);
}

static void test_batch_append_is_one_all_or_nothing_transaction(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run batch[100];
	for (int i = 0; i < 100; i++)
		batch[i] = run_for("bob", 1001, "bob:1", 1000 + i);
	assert_int_equal(spool_history_append(fx->sp, batch, 100, &err), SPOOL_OK);
	struct spool_history_filter f = { .limit = 1000 };
	assert_int_equal(spool_fixture_count_runs(fx->sp, &f), 100);
	/* One bad record anywhere refuses the whole batch. */
	batch[57].entry_key = "";
	assert_int_equal(spool_history_append(fx->sp, batch, 100, &err), SPOOL_INVALID);
	assert_non_null(strstr(err.msg, "entry key"));
	assert_int_equal(spool_fixture_count_runs(fx->sp, &f), 100);
	assert_int_equal(spool_history_append(fx->sp, batch, 0, &err), SPOOL_INVALID);
}

/* Every backend refuses a bad argument alike (spool/validate.c, before the
 * backend is called): the same code and words, and its outputs zeroed. */
static void test_bad_arguments_get_one_answer_on_every_backend(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	char want[SPOOL_ERR_MSG_MAX];
	const char *path = spool_path(fx->sp);

	size_t deleted = 7;
	assert_int_equal(spool_history_prune_age(fx->sp, 0, 0, &deleted, &err), SPOOL_INVALID);
	assert_int_equal(deleted, 0);
	snprintf(want, sizeof want, "%s: prune history: batch must be 1 to %d", path,
		 SPOOL_QUERY_MAX);
	assert_string_equal(err.msg, want);

	char *name = NULL;
	char **lost = &name;
	size_t n = 3;
	assert_int_equal(spool_node_reap(fx->sp, 0, &lost, &n, &err), SPOOL_INVALID);
	assert_null(lost);
	assert_int_equal(n, 0);
	snprintf(want, sizeof want, "%s: reap lost nodes: the timeout must be positive,"
		 " not 0 ms", path);
	assert_string_equal(err.msg, want);

	int64_t gen = 5;
	assert_int_equal(spool_crontab_install(fx->sp, "", 0, "x", 1, 0, 0, &gen, &err),
			 SPOOL_INVALID);
	assert_int_equal(gen, 0);
	snprintf(want, sizeof want, "%s: owner name must be 1 to %d bytes", path,
		 SPOOL_NAME_MAX);
	assert_string_equal(err.msg, want);

	int64_t last = 9;
	assert_int_equal(spool_state_get(fx->sp, "", &last, NULL, &err), SPOOL_INVALID);
	assert_int_equal(last, 0);
	snprintf(want, sizeof want, "%s: entry key must be 1 to %d bytes", path,
		 SPOOL_KEY_MAX);
	assert_string_equal(err.msg, want);

	struct spool_run r = run_for("bob", 1, "k", 1);
	int64_t id = 4;
	assert_int_equal(spool_history_begin(fx->sp, &r, 0, &id, &err), SPOOL_INVALID);
	snprintf(want, sizeof want, "%s: begin history records: no records", path);
	assert_string_equal(err.msg, want);
}

static void test_append_rejects_malformed_records(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run r = run_for("bob", 1, "k", 1);
	r.kind = (enum spool_run_kind)5;
	assert_int_equal(spool_history_append(fx->sp, &r, 1, &err), SPOOL_INVALID);
	r = run_for("bob", 1, "k", 1);
	r.command = NULL;
	assert_int_equal(spool_history_append(fx->sp, &r, 1, &err), SPOOL_INVALID);
	r = run_for("bob", 1, "k", 1);
	r.output_len = SPOOL_OUTPUT_MAX + 1;
	assert_int_equal(spool_history_append(fx->sp, &r, 1, &err), SPOOL_INVALID);
	r = run_for("bob", 1, "k", 1);
	r.output = NULL;
	assert_int_equal(spool_history_append(fx->sp, &r, 1, &err), SPOOL_INVALID);
	r = run_for(NULL, 1, "k", 1);
	assert_int_equal(spool_history_append(fx->sp, &r, 1, &err), SPOOL_INVALID);
	r = run_for("bob", 1, "k", 1);
	r.output = NULL;
	r.output_len = 0;
	r.command = "";
	assert_int_equal(spool_history_append(fx->sp, &r, 1, &err), SPOOL_OK);
}

static void test_queries_are_newest_first_and_filtered(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	append(fx->sp, run_for("alice", 1000, "alice:a", 100));
	append(fx->sp, run_for("bob", 1001, "bob:x", 200));
	append(fx->sp, run_for("alice", 1000, "alice:b", 300));
	append(fx->sp, run_for("alice", 1000, "alice:a", 400));
	append(fx->sp, run_for("alice", 1000, "alice:a", 400));   /* same start: id decides */
	struct spool_run *v;
	size_t n;
	struct spool_history_filter all = { .limit = 100 };
	assert_int_equal(spool_history_query(fx->sp, &all, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 5);
	for (size_t i = 1; i < n; i++)
		assert_true(v[i - 1].start_ms > v[i].start_ms ||
			    (v[i - 1].start_ms == v[i].start_ms && v[i - 1].id > v[i].id));
	spool_runs_free(v, n);

	struct spool_history_filter last2 = { .limit = 2 };
	assert_int_equal(spool_history_query(fx->sp, &last2, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].start_ms, 400);
	assert_int_equal(v[1].start_ms, 400);
	spool_runs_free(v, n);

	struct spool_history_filter alice = { .by_uid = true, .uid = 1000, .limit = 100 };
	assert_int_equal(spool_fixture_count_runs(fx->sp, &alice), 4);
	struct spool_history_filter entry = { .entry_key = "alice:a", .limit = 100 };
	assert_int_equal(spool_fixture_count_runs(fx->sp, &entry), 3);
	struct spool_history_filter bob_entry = { .entry_key = "alice:a", .by_uid = true,
						  .uid = 1001, .limit = 100 };
	assert_int_equal(spool_fixture_count_runs(fx->sp, &bob_entry), 0);
	struct spool_history_filter since = { .since_ms = 300, .limit = 100 };
	assert_int_equal(spool_fixture_count_runs(fx->sp, &since), 3);
	struct spool_history_filter since_uid = { .since_ms = 300, .by_uid = true,
						  .uid = 1001, .limit = 100 };
	assert_int_equal(spool_fixture_count_runs(fx->sp, &since_uid), 0);

	struct spool_history_filter bad = { .limit = 0 };
	assert_int_equal(spool_history_query(fx->sp, &bad, &v, &n, &err), SPOOL_INVALID);
	bad.limit = SPOOL_QUERY_MAX + 1;
	assert_int_equal(spool_history_query(fx->sp, &bad, &v, &n, &err), SPOOL_INVALID);
	struct spool_history_filter bad_key = { .entry_key = "", .limit = 1 };
	assert_int_equal(spool_history_query(fx->sp, &bad_key, &v, &n, &err), SPOOL_INVALID);
	assert_null(v);
}

static void test_prune_by_age_deletes_oldest_in_bounded_batches(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run batch[50];
	for (int i = 0; i < 50; i++)
		batch[i] = run_for("alice", 1000, i % 2 ? "odd" : "even", 1000 * i);
	assert_int_equal(spool_history_append(fx->sp, batch, 50, &err), SPOOL_OK);
	size_t deleted = 99, total = 0, calls = 0;
	do {
		assert_int_equal(spool_history_prune_age(fx->sp, 30000, 7, &deleted, &err), SPOOL_OK);
		assert_true(deleted <= 7);
		total += deleted;
		calls++;
	} while (deleted == 7);
	assert_int_equal(total, 30);   /* start_ms 0 .. 29000 */
	assert_int_equal(calls, 5);
	struct spool_run *v;
	size_t n;
	struct spool_history_filter all = { .limit = 100 };
	assert_int_equal(spool_history_query(fx->sp, &all, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 20);
	assert_int_equal(v[n - 1].start_ms, 30000);
	spool_runs_free(v, n);
	assert_int_equal(spool_history_prune_age(fx->sp, 30000, 0, &deleted, &err), SPOOL_INVALID);
	assert_int_equal(spool_history_prune_age(fx->sp, 30000, 5, NULL, &err), SPOOL_OK);
}

static void test_prune_by_count_keeps_the_newest_per_entry(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run batch[60];
	for (int i = 0; i < 60; i++)   /* a: 30 runs, b: 20, c: 10; shuffled times */
		batch[i] = run_for("alice", 1000, i < 30 ? "a" : i < 50 ? "b" : "c",
				   (i * 37) % 60);
	assert_int_equal(spool_history_append(fx->sp, batch, 60, &err), SPOOL_OK);
	size_t deleted, total = 0;
	do {
		assert_int_equal(spool_history_prune_count(fx->sp, 12, 8, &deleted, &err), SPOOL_OK);
		total += deleted;
	} while (deleted == 8);
	assert_int_equal(total, (30 - 12) + (20 - 12));
	const char *keys[] = { "a", "b", "c" };
	size_t want[] = { 12, 12, 10 };
	for (int k = 0; k < 3; k++) {
		struct spool_history_filter f = { .entry_key = keys[k], .limit = 100 };
		struct spool_run *v;
		size_t n;
		assert_int_equal(spool_history_query(fx->sp, &f, &v, &n, &err), SPOOL_OK);
		assert_int_equal(n, want[k]);
		/* The kept ones are the newest: each is newer than every pruned one. */
		int64_t oldest_kept = v[n - 1].start_ms;
		int newer = 0;
		for (int i = 0; i < 60; i++)
			if (strcmp(batch[i].entry_key, keys[k]) == 0 &&
			    batch[i].start_ms >= oldest_kept)
				newer++;
		assert_int_equal(newer, (int)n);
		spool_runs_free(v, n);
	}
	assert_int_equal(spool_history_prune_count(fx->sp, 12, 8, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 0);
	assert_int_equal(spool_history_prune_count(fx->sp, 0, 1000, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 34);
	assert_int_equal(spool_history_prune_count(fx->sp, 1, 0, &deleted, &err), SPOOL_INVALID);
	assert_int_equal(spool_history_prune_count(fx->sp, 1, SPOOL_QUERY_MAX + 1, &deleted, &err),
			 SPOOL_INVALID);
	assert_int_equal(spool_history_prune_age(fx->sp, 1, SPOOL_QUERY_MAX + 1, &deleted, &err),
			 SPOOL_INVALID);
}

/* A user's whole history is bounded whatever their number of entries:
 * alice's 40 records over 40 entries keep her newest 10; root's are left
 * to the per-entry bound. */
static void test_prune_by_user_keeps_the_newest_per_owner_but_root(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run batch[60];
	char keys[60][16];
	for (int i = 0; i < 60; i++) {
		bool root = i % 3 == 0;
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		batch[i] = run_for(root ? "root" : "alice", root ? 0 : 1000, keys[i], 1000 + i);
	}
	assert_int_equal(spool_history_append(fx->sp, batch, 60, &err), SPOOL_OK);
	size_t deleted, total = 0;
	do {
		assert_int_equal(spool_history_prune_user_count(fx->sp, 10, 8, &deleted, &err),
		                 SPOOL_OK);
		total += deleted;
	} while (deleted == 8);
	assert_int_equal(total, 40 - 10);
	struct spool_history_filter f = { .by_uid = true, .uid = 1000, .limit = 100 };
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_query(fx->sp, &f, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 10);
	assert_int_equal(v[n - 1].start_ms, 1000 + 46);   /* the 10 newest of alice's */
	spool_runs_free(v, n);
	f.uid = 0;
	assert_int_equal(spool_history_query(fx->sp, &f, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 20);                           /* root's untouched */
	spool_runs_free(v, n);
}

/* A prefix lists the keys that begin with it and nothing else: not those
 * of a user whose name merely starts the same ("bobby" for "bob"), nor
 * those just past its end; a prefix of 0xff bytes has no upper bound. */
static void test_entry_states_listed_by_prefix(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_entry_state v[] = {
		{ .key = "user:bob:1" }, { .key = "user:bob:2" }, { .key = "user:bobby:1" },
		{ .key = "user:bo" }, { .key = "user:bob;" }, { .key = "x\xff" },
		{ .key = "x\xff\xff" "1" }, { .key = "y" },
	};
	assert_int_equal(spool_state_set(fx->sp, v, sizeof(v) / sizeof(v[0]), &err), SPOOL_OK);
	struct {
		const char *prefix;
		size_t n;
		const char *first, *last;
	} cases[] = {
		{ "user:bob:", 2, "user:bob:1", "user:bob:2" },
		{ "user:bob", 4, "user:bob:1", "user:bobby:1" },
		{ "x\xff\xff", 1, "x\xff\xff" "1", "x\xff\xff" "1" },
		{ "x", 2, "x\xff", "x\xff\xff" "1" },
		{ "user:nobody:", 0, NULL, NULL },
		{ "", 8, "user:bo", "y" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spool_entry_state *list;
		size_t n;
		assert_int_equal(spool_state_list(fx->sp, cases[i].prefix, &list, &n, &err), SPOOL_OK);
		assert_int_equal(n, cases[i].n);
		if (n > 0) {
			assert_string_equal(list[0].key, cases[i].first);
			assert_string_equal(list[n - 1].key, cases[i].last);
		}
		spool_states_free(list, n);
	}
	char *longer = malloc(SPOOL_KEY_MAX + 2);
	assert_non_null(longer);
	memset(longer, 'k', SPOOL_KEY_MAX + 1);
	longer[SPOOL_KEY_MAX + 1] = '\0';
	struct spool_entry_state *list = NULL;
	size_t n = 1;
	assert_int_equal(spool_state_list(fx->sp, longer, &list, &n, &err), SPOOL_INVALID);
	assert_null(list);
	assert_int_equal(n, 0);
	free(longer);
}

static void test_entry_state_set_get_list_and_delete(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t sched = -1, start = -1;
	assert_int_equal(spool_state_get(fx->sp, "k1", &sched, &start, &err), SPOOL_NOT_FOUND);
	assert_int_equal(sched, 0);
	assert_int_equal(start, 0);
	struct spool_entry_state v[3] = {
		{ .key = "k2", .last_scheduled = 4102444800LL, .last_start = 4102444801LL },
		{ .key = "k1", .last_scheduled = 60, .last_start = 0 },
		{ .key = "k3", .last_scheduled = 120, .last_start = 121 },
	};
	assert_int_equal(spool_state_set(fx->sp, v, 3, &err), SPOOL_OK);
	assert_int_equal(spool_state_get(fx->sp, "k2", &sched, &start, &err), SPOOL_OK);
	assert_int_equal(sched, 4102444800LL);
	assert_int_equal(start, 4102444801LL);
	v[1].last_scheduled = 180;
	v[1].last_start = 181;
	assert_int_equal(spool_state_set(fx->sp, &v[1], 1, &err), SPOOL_OK);
	assert_int_equal(spool_state_get(fx->sp, "k1", &sched, NULL, &err), SPOOL_OK);
	assert_int_equal(sched, 180);

	struct spool_entry_state *list;
	size_t n;
	assert_int_equal(spool_state_list(fx->sp, NULL, &list, &n, &err), SPOOL_OK);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].key, "k1");
	assert_int_equal(list[0].last_start, 181);
	assert_string_equal(list[2].key, "k3");
	spool_states_free(list, n);

	const char *const stale[] = { "k1", "k3", "never-there" };
	assert_int_equal(spool_state_delete(fx->sp, stale, 3, &err), SPOOL_OK);
	assert_int_equal(spool_state_list(fx->sp, NULL, &list, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].key, "k2");
	spool_states_free(list, n);

	struct spool_entry_state bad = { .key = "" };
	assert_int_equal(spool_state_set(fx->sp, &bad, 1, &err), SPOOL_INVALID);
	const char *const bad_keys[] = { NULL };
	assert_int_equal(spool_state_delete(fx->sp, bad_keys, 1, &err), SPOOL_INVALID);
	assert_int_equal(spool_state_get(fx->sp, NULL, NULL, NULL, &err), SPOOL_INVALID);
	assert_int_equal(spool_state_set(fx->sp, NULL, 0, &err), SPOOL_OK);
}

static void test_meta_values_round_trip_and_check_buffer_size(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	char buf[64] = "untouched";
	assert_int_equal(spool_meta_get(fx->sp, "reboot_boot_id", buf, sizeof buf, &err),
			 SPOOL_NOT_FOUND);
	assert_string_equal(buf, "untouched");
	const char *id = "5b9d8a0c-1b1e-4c9e-9f45-2b7f0b4c1a77";
	assert_int_equal(spool_meta_set(fx->sp, "reboot_boot_id", id, &err), SPOOL_OK);
	assert_int_equal(spool_meta_get(fx->sp, "reboot_boot_id", buf, sizeof buf, &err), SPOOL_OK);
	assert_string_equal(buf, id);
	assert_int_equal(spool_meta_set(fx->sp, "reboot_boot_id", "", &err), SPOOL_OK);
	assert_int_equal(spool_meta_get(fx->sp, "reboot_boot_id", buf, sizeof buf, &err), SPOOL_OK);
	assert_string_equal(buf, "");
	assert_int_equal(spool_meta_set(fx->sp, "reboot_boot_id", id, &err), SPOOL_OK);
	char small[8] = "small";
	assert_int_equal(spool_meta_get(fx->sp, "reboot_boot_id", small, sizeof small, &err),
			 SPOOL_INVALID);
	assert_string_equal(small, "small");
	char *big = malloc(SPOOL_META_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', SPOOL_META_MAX + 1);
	big[SPOOL_META_MAX + 1] = '\0';
	assert_int_equal(spool_meta_set(fx->sp, "big", big, &err), SPOOL_INVALID);
	free(big);
	assert_int_equal(spool_meta_set(fx->sp, "", "x", &err), SPOOL_INVALID);
	assert_int_equal(spool_meta_set(fx->sp, "k", NULL, &err), SPOOL_INVALID);
}

static struct spool_run query_one(struct spool *sp, int64_t id)
{
	struct spool_history_filter f = { .limit = SPOOL_QUERY_MAX };
	struct spool_run *v, found = { 0 };
	size_t n;
	struct spool_err err = { 0 };
	if (spool_history_query(sp, &f, &v, &n, &err) != SPOOL_OK)
		fail_msg("query: %s", err.msg);
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id) {
			found = v[i];
			found.mem_ = NULL;   /* only numbers are looked at */
		}
	spool_runs_free(v, n);
	if (found.id == 0)
		fail_msg("record %lld not found", (long long)id);
	return found;
}

static void test_begun_record_reads_running_until_it_ends(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run r = run_for("alice", 1000, "alice:1", 5000);
	r.flags = SPOOL_RUN_CATCHUP;
	int64_t id = 0;
	assert_int_equal(spool_history_begin(fx->sp, &r, 1, &id, &err), SPOOL_OK);
	assert_true(id > 0);
	struct spool_run got = query_one(fx->sp, id);
	assert_int_equal(got.flags, SPOOL_RUN_RUNNING | SPOOL_RUN_CATCHUP);
	assert_int_equal(got.start_ms, 5000);
	assert_int_equal(got.end_ms, 0);
	assert_int_equal(got.exit_code, -1);
	assert_int_equal(got.output_len, 0);
	/* Ending it completes the same record: still one record. */
	r.id = id;
	r.exit_code = 3;
	r.flags = SPOOL_RUN_CATCHUP | SPOOL_RUN_TRUNCATED;
	assert_int_equal(spool_history_end(fx->sp, &r, 1, &err), SPOOL_OK);
	assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 1);
	got = query_one(fx->sp, id);
	assert_int_equal(got.flags, SPOOL_RUN_CATCHUP | SPOOL_RUN_TRUNCATED);
	assert_int_equal(got.end_ms, 6500);
	assert_int_equal(got.exit_code, 3);
	assert_int_equal(got.output_len, 5);
	/* Ending it again with the same end is a retry: nothing more. */
	assert_int_equal(spool_history_end(fx->sp, &r, 1, &err), SPOOL_OK);
	assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 1);
	/* Ending it with another end, or ending a run never begun, appends. */
	r.exit_code = 4;
	assert_int_equal(spool_history_end(fx->sp, &r, 1, &err), SPOOL_OK);
	r.id = 0;
	assert_int_equal(spool_history_end(fx->sp, &r, 1, &err), SPOOL_OK);
	assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 3);
	/* Nobody appends a running record. */
	r.flags = SPOOL_RUN_RUNNING;
	assert_int_equal(spool_history_append(fx->sp, &r, 1, &err), SPOOL_INVALID);
	assert_non_null(strstr(err.msg, "running"));
	assert_int_equal(spool_history_end(fx->sp, &r, 1, &err), SPOOL_INVALID);
}

/* A scheduled run is claimed once (spool_run_claim): the first claim of
 * (entry, scheduled instant) wins and records it as started, any later one
 * loses and writes nothing; a record of a refusal (skipped, clock skew) is
 * no claim. A shared spool records the claiming node; SQLite, one machine's
 * spool, records none (spool.h): there the node reads NULL. */
static void test_claim_wins_once_and_refusals_are_no_claim(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	assert_int_equal(spool_set_node(fx->sp, "node-a", &err), SPOOL_OK);
	assert_string_equal(spool_node(fx->sp), "node-a");
	assert_int_equal(spool_set_node(fx->sp, "no spaces", &err), SPOOL_INVALID);
	assert_int_equal(spool_set_node(fx->sp, "", &err), SPOOL_INVALID);
	assert_string_equal(spool_node(fx->sp), "node-a");

	struct spool_run r = run_for("alice", 1000, "alice:1", 60010);
	r.scheduled_ms = 60000;
	struct spool_run refused[2] = { r, r };
	refused[0].flags = SPOOL_RUN_SKIPPED;
	refused[1].flags = SPOOL_RUN_CLOCK_SKEW;
	assert_int_equal(spool_history_append(fx->sp, refused, 2, &err), SPOOL_OK);

	int64_t id = -1;
	bool won = false;
	assert_int_equal(spool_run_claim(fx->sp, &r, 1, &id, &won, &err), SPOOL_OK);
	assert_true(won);
	assert_true(id > 0);
	struct spool_run got = query_one(fx->sp, id);
	assert_int_equal(got.flags, SPOOL_RUN_RUNNING);
	assert_int_equal(got.scheduled_ms, 60000);
	assert_int_equal(got.end_ms, 0);
	struct spool_history_filter f = { .entry_key = "alice:1", .limit = 10 };
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_query(fx->sp, &f, &v, &n, &err), SPOOL_OK);
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id) {
			if (spool_is_shared(fx->sp))
				assert_string_equal(v[i].node, "node-a");
			else
				assert_null(v[i].node);
		}
	spool_runs_free(v, n);

	/* On a shared spool the same claim again (this node, the same start)
	 * is the one made: won, with its record, nothing written (a claim
	 * tried again after its commit's answer was lost). */
	if (spool_is_shared(fx->sp)) {
		int64_t again = -1;
		assert_int_equal(spool_run_claim(fx->sp, &r, 1, &again, &won, &err), SPOOL_OK);
		assert_true(won);
		assert_int_equal(again, id);
		assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 3);
	}
	/* Another claim of it, alone or in a batch with a new run: lost,
	 * nothing written. */
	r.start_ms += 1000;
	assert_int_equal(spool_run_claim(fx->sp, &r, 1, &id, &won, &err), SPOOL_OK);
	assert_false(won);
	assert_int_equal(id, 0);
	struct spool_run two[2] = { r, r };
	two[1].scheduled_ms = 120000;
	int64_t ids[2] = { -1, -1 };
	bool wins[2] = { true, false };
	assert_int_equal(spool_run_claim(fx->sp, two, 2, ids, wins, &err), SPOOL_OK);
	assert_false(wins[0]);
	assert_int_equal(ids[0], 0);
	assert_true(wins[1]);
	assert_true(ids[1] > id);
	assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 4);   /* 2 refusals, 2 claims */

	/* Ending the won run completes its record, as for a begun one. */
	r.id = ids[1];
	r.scheduled_ms = 120000;
	r.exit_code = 0;
	assert_int_equal(spool_history_end(fx->sp, &r, 1, &err), SPOOL_OK);
	assert_int_equal(query_one(fx->sp, ids[1]).flags, 0);
	assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 4);
	/* Malformed: refused, nothing won. */
	two[0].entry_key = "";
	wins[1] = true;
	assert_int_equal(spool_run_claim(fx->sp, two, 2, ids, wins, &err), SPOOL_INVALID);
	assert_false(wins[1]);
}

static void test_recover_ends_running_records_as_interrupted(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run runs[3] = { run_for("alice", 1000, "alice:1", 1000),
		                     run_for("bob", 1001, "bob:1", 2000),
		                     run_for("carol", 1002, "carol:1", 90000) };
	int64_t ids[3];
	assert_int_equal(spool_history_begin(fx->sp, runs, 3, ids, &err), SPOOL_OK);
	runs[1].id = ids[1];   /* bob's run ends; the others are cut off */
	assert_int_equal(spool_history_end(fx->sp, &runs[1], 1, &err), SPOOL_OK);
	/* The daemon is killed; at its next start: */
	spool_close(fx->sp);
	fx->sp = NULL;
	spool_fixture_open(fx, 0);
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_recover(fx->sp, 60000, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].owner, "alice");
	assert_int_equal(v[0].end_ms, 60000);
	assert_string_equal(v[1].owner, "carol");
	assert_int_equal(v[1].end_ms, 90000);   /* never before its start */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].flags, SPOOL_RUN_INTERRUPTED);
		assert_int_equal(v[i].exit_code, -1);
		struct spool_run got = query_one(fx->sp, v[i].id);
		assert_int_equal(got.flags, SPOOL_RUN_INTERRUPTED);
		assert_int_equal(got.end_ms, v[i].end_ms);
	}
	spool_runs_free(v, n);
	assert_int_equal(query_one(fx->sp, ids[1]).exit_code, 0);   /* bob's, untouched */
	/* Nothing is left running: a second start recovers nothing. */
	assert_int_equal(spool_history_recover(fx->sp, 70000, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void test_prune_never_deletes_a_running_record(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run r = run_for("alice", 1000, "alice:1", 1000);
	int64_t id;
	assert_int_equal(spool_history_begin(fx->sp, &r, 1, &id, &err), SPOOL_OK);
	for (int i = 0; i < 5; i++)
		append(fx->sp, run_for("alice", 1000, "alice:1", 2000 + i));
	size_t deleted;
	assert_int_equal(spool_history_prune_age(fx->sp, 1000000, 100, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 5);
	for (int i = 0; i < 5; i++)
		append(fx->sp, run_for("alice", 1000, "alice:1", 2000 + i));
	assert_int_equal(spool_history_prune_count(fx->sp, 1, 100, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 4);
	assert_int_equal(query_one(fx->sp, id).flags, SPOOL_RUN_RUNNING);
	assert_int_equal(spool_fixture_count_runs(fx->sp, NULL), 2);
}

static int commits;

static void count_commit(struct spool *sp)
{
	(void)sp;
	commits++;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A burst of starts is one transaction, one fsync: 1,000 runs starting in
 * the same supervisor loop must not cost 1,000. Prints what each costs
 * here (on the test's file system). */
static void test_a_thousand_starts_are_one_transaction(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	enum { N = 1000 };
	static struct spool_run runs[N];
	static char keys[N][32];
	static int64_t ids[N];
	for (int i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "alice:%d", i);
		runs[i] = run_for("alice", 1000, keys[i], 60000);
	}
	fx->sp->test_before_commit = count_commit;
	commits = 0;
	double t0 = now_s();
	assert_int_equal(spool_history_begin(fx->sp, runs, N, ids, &err), SPOOL_OK);
	double grouped = now_s() - t0;
	assert_int_equal(commits, 1);
	for (int i = 1; i < N; i++)
		assert_true(ids[i] > ids[i - 1]);
	commits = 0;
	t0 = now_s();
	for (int i = 0; i < N; i++)
		assert_int_equal(spool_history_begin(fx->sp, &runs[i], 1, &ids[i], &err), SPOOL_OK);
	double single = now_s() - t0;
	assert_int_equal(commits, N);
	fx->sp->test_before_commit = NULL;
	printf("# 1,000 run starts: one transaction %.1f ms, one each %.1f ms (%.0fx)\n",
	       grouped * 1e3, single * 1e3, grouped > 0 ? single / grouped : 0.0);
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_recover(fx->sp, 70000, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2 * N);
	spool_runs_free(v, n);
}

/* brief: the same records without their output (crontab --status reads
 * thousands of entries' records on the control thread, and an output head
 * may be 256 KiB). */
static void test_brief_query_leaves_the_output_out(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_run r = run_for("alice", 1000, "user:alice:1", 5000);
	r.exit_code = 3;
	append(fx->sp, r);
	append(fx->sp, run_for("alice", 1000, "user:alice:2", 6000));
	struct spool_history_filter f = { .entry_key = "user:alice:1", .limit = 10, .brief = true };
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_query(fx->sp, &f, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].entry_key, "user:alice:1");
	assert_int_equal(v[0].start_ms, 5000);
	assert_int_equal(v[0].end_ms, 6500);
	assert_int_equal(v[0].exit_code, 3);
	assert_int_equal(v[0].output_len, 0);
	assert_int_equal(v[0].output_total, 0);
	assert_string_equal(v[0].command, "");   /* a status needs no command */
	spool_runs_free(v, n);
	f.brief = false;
	assert_int_equal(spool_history_query(fx->sp, &f, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].output_len, 5);
	assert_int_equal(v[0].output_total, 5);
	assert_string_equal(v[0].command, "/usr/bin/backup --all");
	spool_runs_free(v, n);
}

/* Many entries' records in one read (crontab --status): each key's own,
 * newest first and at most the limit, entry by entry in the keys' order,
 * with a count for every key (0 for one with none). */
static void test_query_keys_gives_each_entry_its_own_records(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	for (int64_t t = 1000; t <= 5000; t += 1000) {
		append(fx->sp, run_for("alice", 1000, "alice:a", t));
		append(fx->sp, run_for("alice", 1000, "alice:b", t + 10));
	}
	append(fx->sp, run_for("bob", 1001, "bob:x", 9000));
	const char *keys[] = { "alice:b", "alice:none", "bob:x", "alice:a" };
	size_t counts[4] = { 9, 9, 9, 9 };
	struct spool_history_filter f = { .limit = 3, .brief = true };
	struct spool_run *v;
	size_t n;
	assert_int_equal(spool_history_query_keys(fx->sp, &f, keys, 4, &v, counts, &n, &err),
	                 SPOOL_OK);
	assert_int_equal(n, 7);
	assert_int_equal(counts[0], 3);
	assert_int_equal(counts[1], 0);
	assert_int_equal(counts[2], 1);
	assert_int_equal(counts[3], 3);
	static const struct { const char *key; int64_t start; } want[7] = {
		{ "alice:b", 5010 }, { "alice:b", 4010 }, { "alice:b", 3010 }, { "bob:x", 9000 },
		{ "alice:a", 5000 }, { "alice:a", 4000 }, { "alice:a", 3000 },
	};
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].entry_key, want[i].key);
		assert_int_equal(v[i].start_ms, want[i].start);
		assert_int_equal(v[i].output_len, 0);   /* brief, as asked */
		assert_string_equal(v[i].command, "");
	}
	spool_runs_free(v, n);
	/* The same filter's other conditions hold for every key. */
	f = (struct spool_history_filter){ .limit = 10, .by_uid = true, .uid = 1001 };
	assert_int_equal(spool_history_query_keys(fx->sp, &f, keys, 4, &v, counts, &n, &err),
	                 SPOOL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(counts[2], 1);
	assert_int_equal(counts[0] + counts[1] + counts[3], 0);
	assert_string_equal(v[0].command, "/usr/bin/backup --all");   /* not brief */
	spool_runs_free(v, n);
	f = (struct spool_history_filter){ .limit = 10, .since_ms = 4000, .before = true,
	                                   .before_start_ms = 5000, .before_id = INT64_MAX };
	assert_int_equal(spool_history_query_keys(fx->sp, &f, keys, 4, &v, counts, &n, &err),
	                 SPOOL_OK);
	assert_int_equal(n, 3);   /* alice:b's 4010 (5010 is past the cursor); alice:a's two */
	assert_int_equal(counts[0], 1);
	assert_int_equal(v[0].start_ms, 4010);
	assert_int_equal(counts[3], 2);
	assert_int_equal(v[1].start_ms, 5000);
	assert_int_equal(v[2].start_ms, 4000);
	spool_runs_free(v, n);
	/* No keys: nothing, and no array. */
	assert_int_equal(spool_history_query_keys(fx->sp, &f, keys, 0, &v, counts, &n, &err),
	                 SPOOL_OK);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void test_query_keys_refuses_what_it_cannot_bound(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	const char *keys[] = { "alice:a", "" };
	size_t counts[2];
	struct spool_run *v = (struct spool_run *)&err;   /* set to NULL on every refusal */
	size_t n = 7;
	struct spool_history_filter keyed = { .limit = 1, .entry_key = "alice:a" };
	assert_int_equal(spool_history_query_keys(fx->sp, &keyed, keys, 1, &v, counts, &n, &err),
	                 SPOOL_INVALID);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err.msg, "apart from the filter"));
	struct spool_history_filter f = { .limit = SPOOL_QUERY_MAX };
	assert_int_equal(spool_history_query_keys(fx->sp, &f, keys, 1, &v, counts, &n, &err),
	                 SPOOL_OK);
	spool_runs_free(v, n);
	assert_int_equal(spool_history_query_keys(fx->sp, &f, keys, 2, &v, counts, &n, &err),
	                 SPOOL_INVALID);   /* 2 x SPOOL_QUERY_MAX records */
	assert_non_null(strstr(err.msg, "more than"));
	f.limit = 0;
	assert_int_equal(spool_history_query_keys(fx->sp, &f, keys, 1, &v, counts, &n, &err),
	                 SPOOL_INVALID);
	f.limit = 5;
	assert_int_equal(spool_history_query_keys(fx->sp, &f, keys, 2, &v, counts, &n, &err),
	                 SPOOL_INVALID);   /* an empty key */
	assert_non_null(strstr(err.msg, "entry key"));
}

/* Pages of FILTER (limit PAGE) through the cursor, each starting strictly
 * after the last record of the one before: returns how many records in
 * all, asserting the whole walk is newest first with no record twice. */
static size_t walk_pages(struct spool *sp, struct spool_history_filter filter, size_t page)
{
	struct spool_err err = { 0 };
	int64_t seen[64];
	size_t total = 0;
	filter.limit = page;
	filter.before = false;
	for (int pages = 0; pages < 64; pages++) {
		struct spool_run *v;
		size_t n;
		assert_int_equal(spool_history_query(sp, &filter, &v, &n, &err), SPOOL_OK);
		for (size_t i = 0; i < n; i++) {
			assert_true(total < 64);
			for (size_t j = 0; j < total; j++)
				assert_true(seen[j] != v[i].id);
			if (filter.before)   /* strictly older than the cursor */
				assert_true(v[i].start_ms < filter.before_start_ms ||
					    (v[i].start_ms == filter.before_start_ms &&
					     v[i].id < filter.before_id));
			seen[total++] = v[i].id;
		}
		if (n > 0) {
			filter.before = true;
			filter.before_start_ms = v[n - 1].start_ms;
			filter.before_id = v[n - 1].id;
		}
		spool_runs_free(v, n);
		if (n < page)
			return total;
	}
	fail_msg("the pages never ended");
	return 0;
}

static void test_cursor_pages_every_record_exactly_once(void **state)
{
	struct spool_fixture *fx = *state;
	/* Eight start times, four records each (alice's on two entries, bob's
	 * in between), appended out of order so ids do not follow start_ms. */
	static const int starts[8] = { 500, 100, 700, 300, 800, 200, 600, 400 };
	for (int i = 0; i < 8; i++) {
		append(fx->sp, run_for("alice", 1000, "alice:a", starts[i]));
		append(fx->sp, run_for("bob", 1001, "bob:x", starts[i]));
		append(fx->sp, run_for("alice", 1000, "alice:b", starts[i]));
		append(fx->sp, run_for("alice", 1000, "alice:a", starts[i]));
	}
	/* Pages of 3 split every group of one start time somewhere. */
	for (size_t page = 1; page <= 5; page += 2) {
		assert_int_equal(walk_pages(fx->sp, (struct spool_history_filter){ 0 }, page), 32);
		assert_int_equal(walk_pages(fx->sp, (struct spool_history_filter){
			.by_uid = true, .uid = 1000 }, page), 24);
		assert_int_equal(walk_pages(fx->sp, (struct spool_history_filter){
			.entry_key = "alice:a" }, page), 16);
		assert_int_equal(walk_pages(fx->sp, (struct spool_history_filter){
			.entry_key = "alice:a", .brief = true }, page), 16);
		assert_int_equal(walk_pages(fx->sp, (struct spool_history_filter){
			.since_ms = 500 }, page), 16);
	}
	/* A cursor older than everything: nothing; one in between a group:
	 * the older records of that start time and all older ones. */
	struct spool_history_filter none = { .limit = 100, .before = true,
					     .before_start_ms = 100, .before_id = 0 };
	assert_int_equal(spool_fixture_count_runs(fx->sp, &none), 0);
	struct spool_history_filter first = { .limit = 2 };
	struct spool_run *v;
	size_t n;
	struct spool_err err = { 0 };
	assert_int_equal(spool_history_query(fx->sp, &first, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[1].start_ms, 800);
	struct spool_history_filter rest = { .limit = 100, .before = true,
					     .before_start_ms = v[1].start_ms,
					     .before_id = v[1].id };
	spool_runs_free(v, n);
	assert_int_equal(spool_fixture_count_runs(fx->sp, &rest), 30);
}

/* 2,000 records of 2 KB, all pruned: the free pages they leave. */
static void fill_and_prune(struct spool *sp)
{
	static char out[2048];
	memset(out, 'o', sizeof(out));
	struct spool_run *batch = calloc(2000, sizeof(*batch));
	assert_non_null(batch);
	for (int i = 0; i < 2000; i++) {
		batch[i] = run_for("alice", 1000, "alice:a", 1000 + i);
		batch[i].output = out;
		batch[i].output_len = batch[i].output_total = sizeof(out);
	}
	struct spool_err err = { 0 };
	assert_int_equal(spool_history_append(sp, batch, 2000, &err), SPOOL_OK);
	free(batch);
	size_t deleted;
	assert_int_equal(spool_history_prune_age(sp, 1000000, SPOOL_QUERY_MAX, &deleted, &err), SPOOL_OK);
	assert_int_equal(deleted, 2000);
}

/* Compaction gives back as many free pages as asked, and the file is that
 * much shorter; PostgreSQL's spool leaves it to the server. */
static void test_compaction_gives_free_pages_back(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	fill_and_prune(fx->sp);
	struct spool_space before, after;
	assert_int_equal(spool_compact(fx->sp, 0, &before, &err), SPOOL_OK);
	if (fx->backend == SPOOL_FIXTURE_POSTGRESQL) {
		assert_false(before.can_compact);
		assert_int_equal(before.free_pages, 0);
		bool rewritten = true;
		assert_int_equal(spool_compact_enable(fx->sp, 1 << 30, &rewritten, &err), SPOOL_OK);
		assert_false(rewritten);
		return;
	}
	assert_true(before.can_compact);   /* a new spool */
	assert_true(before.page_bytes >= 512);
	assert_true(before.free_pages > 1000);
	assert_int_equal(spool_compact(fx->sp, 256, &after, &err), SPOOL_OK);
	assert_int_equal(after.free_pages, before.free_pages - 256);
	assert_int_equal(after.pages, before.pages - 256);
	assert_int_equal(spool_compact(fx->sp, 1000000, &after, &err), SPOOL_OK);
	assert_int_equal(after.free_pages, 0);
	assert_true(after.pages < before.pages / 4);
}

/* A spool made before compaction came cannot compact until it is rewritten
 * once, and then it can; a second call rewrites nothing. A file over the
 * size a start rewrites is left as it is, saying so, and the WAL is empty
 * after the rewrite. */
static void test_old_spool_is_made_compactable_once(void **state)
{
	struct spool_fixture *fx = *state;
	spool_close(fx->sp);
	fx->sp = NULL;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA auto_vacuum = NONE; VACUUM", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	spool_fixture_open(fx, SPOOL_CREATE);
	fill_and_prune(fx->sp);
	struct spool_err err = { 0 };
	struct spool_space space;
	assert_int_equal(spool_compact(fx->sp, 256, &space, &err), SPOOL_OK);
	assert_false(space.can_compact);
	uint64_t pages = space.pages;
	assert_true(space.free_pages > 1000);   /* and still there */
	bool rewritten = true;
	uint64_t bytes = pages * space.page_bytes;
	assert_int_equal(spool_compact_enable(fx->sp, bytes - 1, &rewritten, &err), SPOOL_CONFLICT);
	assert_false(rewritten);
	assert_non_null(strstr(err.msg, "its free pages are reused, not given back"));
	assert_int_equal(spool_compact_enable(fx->sp, bytes, &rewritten, &err), SPOOL_OK);
	assert_true(rewritten);
	char wal[SPOOL_FIXTURE_PATH_MAX + 8];
	snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	struct stat st;
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(spool_compact(fx->sp, 0, &space, &err), SPOOL_OK);
	assert_true(space.can_compact);
	assert_int_equal(space.free_pages, 0);   /* VACUUM left none */
	assert_true(space.pages < pages / 4);
	assert_int_equal(spool_compact_enable(fx->sp, bytes, &rewritten, &err), SPOOL_OK);
	assert_false(rewritten);
}

int main(void)
{
	static const struct spool_fixture_test tests[] = {
		SPOOL_CONTRACT_TEST(test_append_then_query_returns_every_field),
		SPOOL_CONTRACT_TEST(test_batch_append_is_one_all_or_nothing_transaction),
		SPOOL_CONTRACT_TEST(test_append_rejects_malformed_records),
		SPOOL_CONTRACT_TEST(test_bad_arguments_get_one_answer_on_every_backend),
		SPOOL_CONTRACT_TEST(test_begun_record_reads_running_until_it_ends),
		SPOOL_CONTRACT_TEST(test_recover_ends_running_records_as_interrupted),
		SPOOL_CONTRACT_TEST(test_claim_wins_once_and_refusals_are_no_claim),
		SPOOL_CONTRACT_TEST(test_prune_never_deletes_a_running_record),
		SPOOL_CONTRACT_TEST(test_a_thousand_starts_are_one_transaction),
		SPOOL_CONTRACT_TEST(test_queries_are_newest_first_and_filtered),
		SPOOL_CONTRACT_TEST(test_brief_query_leaves_the_output_out),
		SPOOL_CONTRACT_TEST(test_query_keys_gives_each_entry_its_own_records),
		SPOOL_CONTRACT_TEST(test_query_keys_refuses_what_it_cannot_bound),
		SPOOL_CONTRACT_TEST(test_cursor_pages_every_record_exactly_once),
		SPOOL_CONTRACT_TEST(test_prune_by_age_deletes_oldest_in_bounded_batches),
		SPOOL_CONTRACT_TEST(test_prune_by_count_keeps_the_newest_per_entry),
		SPOOL_CONTRACT_TEST(test_prune_by_user_keeps_the_newest_per_owner_but_root),
		SPOOL_CONTRACT_TEST(test_entry_state_set_get_list_and_delete),
		SPOOL_CONTRACT_TEST(test_entry_states_listed_by_prefix),
		SPOOL_CONTRACT_TEST(test_compaction_gives_free_pages_back),
		SPOOL_SQLITE_TEST(test_old_spool_is_made_compactable_once),
		SPOOL_CONTRACT_TEST(test_meta_values_round_trip_and_check_buffer_size),
	};
	return spool_fixture_run("spool-history", SPOOL_CREATE, tests,
				 sizeof tests / sizeof tests[0]);
}
