/* tests/unit/test_scheduler.c: the schedule core, driven with an injected
 * clock: normal running, every Vixie clock-change rule, DST days, @reboot,
 * catch-up, replacing crontabs and at jobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "crond/sched/scheduler.h"
#include "lib/timefmt.h"
#include "tests/unit/support/tz_check.h"

struct runs {
	int n;
	char what[64][160];   /* "COMMAND@RFC3339" */
	const struct tz *zone;
};

static void record(void *ctx, const struct due *d)
{
	struct runs *r = ctx;
	if (r->n >= 64)
		fail_msg("too many runs");
	char t[TIMEFMT_RFC3339_LEN];
	timefmt_rfc3339(r->zone, d->scheduled, t, sizeof(t));
	if (d->kind == DUE_AT)
		snprintf(r->what[r->n++], sizeof(r->what[0]), "at%lld@%s", (long long)d->at_id, t);
	else
		snprintf(r->what[r->n++], sizeof(r->what[0]), "%s%s@%s", d->catchup ? "catchup:" : "",
		         d->entry->command, t);
}

static int64_t at(const struct tz *z, const char *wall)
{
	int64_t w;
	if (timefmt_parse_wall(wall, &w) != 0)
		fail_msg("bad time %s", wall);
	return timefmt_wall_to_instant(z, w);
}

static void parse(const char *text, struct crontab *tab)
{
	struct diag_list d = { 0 };
	if (crontab_parse(text, strlen(text), CRONTAB_USER, tab, &d) != 0)
		fail_msg("parse: %s", d.items[0].msg);
	diag_list_clear(&d);
}

static void install(struct scheduler *s, const char *name, const char *text, int64_t now)
{
	struct crontab tab;
	parse(text, &tab);
	char err[256];
	if (scheduler_set_source(s, name, SOURCE_USER, "alice", &tab, now, err, sizeof(err)) != 0)
		fail_msg("set_source: %s", err);
}

/* Runs the schedule normally (waking at each due instant) up to END. */
static void run_until(struct scheduler *s, int64_t end, struct runs *r)
{
	for (;;) {
		int64_t due = scheduler_next_due(s);
		if (due > end)
			return;
		scheduler_run_due(s, due, JUMP_NONE, record, r);
	}
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The runs must be exactly WANT, in any order (ties on the due instant are
 * ordered by heap slot, which is not part of the contract). */
static void expect(const struct runs *r, const char *const *want)
{
	const char *got[64], *exp[64];
	int n = 0;
	while (want[n])
		n++;
	for (int i = 0; i < n; i++)
		exp[i] = want[i];
	for (int i = 0; i < r->n; i++)
		got[i] = r->what[i];
	qsort(exp, (size_t)n, sizeof(exp[0]), by_text);
	qsort(got, (size_t)r->n, sizeof(got[0]), by_text);
	for (int i = 0; i < n || i < r->n; i++) {
		if (i >= r->n)
			fail_msg("missing run: %s", exp[i]);
		if (i >= n)
			fail_msg("extra run: %s", got[i]);
		if (strcmp(got[i], exp[i]) != 0)
			fail_msg("got %s, expected %s", got[i], exp[i]);
	}
}

static void test_entries_run_at_each_scheduled_instant(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	int64_t t0 = at(z, "2026-05-01T10:00:30");
	install(s, "user:alice", "*/20 * * * * a\n0 11 * * * b\n", t0);
	run_until(s, at(z, "2026-05-01T11:00"), &r);
	expect(&r, (const char *const[]){ "a@2026-05-01T10:20:00+00:00",
		                          "a@2026-05-01T10:40:00+00:00",
		                          "a@2026-05-01T11:00:00+00:00",
		                          "b@2026-05-01T11:00:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

static void test_small_forward_jump_runs_every_missed_minute(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	install(s, "user:alice", "* * * * * w\n3 10 * * * f\n", at(z, "2026-05-01T10:00:30"));
	/* clock set forward 3 minutes at 10:00:40 -> 10:03:40 */
	assert_int_equal(timejump_classify(180), JUMP_SMALL_FORWARD);
	scheduler_run_due(s, at(z, "2026-05-01T10:03:40"), JUMP_SMALL_FORWARD, record, &r);
	expect(&r, (const char *const[]){ "w@2026-05-01T10:01:00+00:00",
		                          "w@2026-05-01T10:02:00+00:00",
		                          "w@2026-05-01T10:03:00+00:00",
		                          "f@2026-05-01T10:03:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

static void test_forward_jump_runs_skipped_fixed_times_once_and_wildcards_once(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	install(s, "user:alice",
	        "* * * * * every\n*/7 * * * * seven\n15,45 10 * * * fixed\n0 12 * * * later\n",
	        at(z, "2026-05-01T10:00:30"));
	/* set forward 65 minutes: 10:00:50 -> 11:05:50 */
	assert_int_equal(timejump_classify(65 * 60), JUMP_FORWARD);
	scheduler_run_due(s, at(z, "2026-05-01T11:05:50"), JUMP_FORWARD, record, &r);
	/* every: once for 11:05; seven: 11:05 is not a multiple of 7, so not at
	 * all; fixed: both skipped times; later: not yet */
	expect(&r, (const char *const[]){ "every@2026-05-01T11:05:00+00:00",
		                          "fixed@2026-05-01T10:15:00+00:00",
		                          "fixed@2026-05-01T10:45:00+00:00", NULL });
	r.n = 0;
	run_until(s, at(z, "2026-05-01T11:08"), &r);
	expect(&r, (const char *const[]){ "every@2026-05-01T11:06:00+00:00",
		                          "every@2026-05-01T11:07:00+00:00",
		                          "seven@2026-05-01T11:07:00+00:00",
		                          "every@2026-05-01T11:08:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

static void test_backward_jump_repeats_wildcards_but_never_fixed_times(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	install(s, "user:alice", "*/30 * * * * w\n15 10 * * * f\n45 10 * * * g\n",
	        at(z, "2026-05-01T10:00:30"));
	run_until(s, at(z, "2026-05-01T10:20"), &r);
	expect(&r, (const char *const[]){ "f@2026-05-01T10:15:00+00:00", NULL });
	r.n = 0;
	/* at 10:20:10 the clock is set back an hour, to 09:20:10 */
	assert_int_equal(timejump_classify(-3600), JUMP_BACKWARD);
	scheduler_run_due(s, at(z, "2026-05-01T09:20:10"), JUMP_BACKWARD, record, &r);
	assert_int_equal(r.n, 0);
	run_until(s, at(z, "2026-05-01T10:50"), &r);
	expect(&r, (const char *const[]){ "w@2026-05-01T09:30:00+00:00",
		                          "w@2026-05-01T10:00:00+00:00",
		                          "w@2026-05-01T10:30:00+00:00",
		                          "g@2026-05-01T10:45:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

static void test_reset_restarts_from_the_new_time_without_catching_up(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	install(s, "user:alice", "0 * * * * hourly\n30 11 * * * fixed\n",
	        at(z, "2026-05-01T10:00:30"));
	assert_int_equal(timejump_classify(5 * 3600), JUMP_RESET);
	scheduler_run_due(s, at(z, "2026-05-01T15:10:00"), JUMP_RESET, record, &r);
	assert_int_equal(r.n, 0);
	run_until(s, at(z, "2026-05-01T16:00"), &r);
	expect(&r, (const char *const[]){ "hourly@2026-05-01T16:00:00+00:00", NULL });
	r.n = 0;
	assert_int_equal(timejump_classify(-4 * 3600), JUMP_RESET);
	scheduler_run_due(s, at(z, "2026-05-01T12:00:10"), JUMP_RESET, record, &r);
	run_until(s, at(z, "2026-05-01T13:00"), &r);
	expect(&r, (const char *const[]){ "hourly@2026-05-01T13:00:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

static void test_jump_classification_follows_vixie_minutes(void **state)
{
	(void)state;
	const struct { int64_t secs; enum jump_kind kind; } cases[] = {
		{ 0, JUMP_NONE },           { 59, JUMP_NONE },          { -59, JUMP_NONE },
		{ 60, JUMP_SMALL_FORWARD }, { 4 * 60 + 59, JUMP_SMALL_FORWARD },
		{ 5 * 60, JUMP_FORWARD },   { 179 * 60 + 59, JUMP_FORWARD },
		{ 180 * 60, JUMP_RESET },   { -60, JUMP_BACKWARD },    { -181 * 60, JUMP_BACKWARD },
		{ -181 * 60 - 1, JUMP_RESET }, { 86400 * 365, JUMP_RESET },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (timejump_classify(cases[i].secs) != cases[i].kind)
			fail_msg("%lld s: got %s", (long long)cases[i].secs,
			         timejump_name(timejump_classify(cases[i].secs)));
}

static void test_dst_days_follow_the_preview_rules(void **state)
{
	(void)state;
	struct tz *z = must_load("America/New_York");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	install(s, "user:alice", "30 2 * * * fixed\n30 * * * * wild\n",
	        at(z, "2026-03-08T00:45"));
	run_until(s, at(z, "2026-03-08T04:00"), &r);
	expect(&r, (const char *const[]){ "wild@2026-03-08T01:30:00-05:00",
		                          "fixed@2026-03-08T03:00:00-04:00",
		                          "wild@2026-03-08T03:30:00-04:00", NULL });
	r.n = 0;
	install(s, "user:alice", "30 1 * * * fixed\n30 * * * * wild\n", at(z, "2026-11-01T00:45"));
	run_until(s, at(z, "2026-11-01T02:45"), &r);
	expect(&r, (const char *const[]){ "fixed@2026-11-01T01:30:00-04:00",
		                          "wild@2026-11-01T01:30:00-04:00",
		                          "wild@2026-11-01T01:30:00-05:00",
		                          "wild@2026-11-01T02:30:00-05:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

static void test_cron_tz_entries_run_in_their_own_zone(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	install(s, "user:alice", "0 9 * * * utc\nCRON_TZ=Asia/Tokyo\n0 9 * * * tokyo\n",
	        at(z, "2026-04-30T23:00"));
	run_until(s, at(z, "2026-05-01T23:00"), &r);
	expect(&r, (const char *const[]){ "tokyo@2026-05-01T00:00:00+00:00",
		                          "utc@2026-05-01T09:00:00+00:00", NULL });
	struct crontab tab;
	struct diag_list d = { 0 };
	const char *bad = "CRON_TZ=Mars/Olympus\n* * * * * x\n";
	assert_int_equal(crontab_parse(bad, strlen(bad), CRONTAB_USER, &tab, &d), 0);
	char err[256];
	assert_int_equal(scheduler_set_source(s, "user:alice", SOURCE_USER, "alice", &tab, 0, err,
	                                      sizeof(err)), -1);
	assert_non_null(strstr(err, "Mars/Olympus"));
	/* the previous crontab stays in force */
	assert_non_null(scheduler_find_source(s, "user:alice"));
	struct scheduler_stats st;
	scheduler_stats(s, &st);
	assert_int_equal(st.entries, 2);
	scheduler_free(s);
	tz_free(z);
}

static void test_replacing_and_removing_sources_and_at_jobs(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	int64_t t0 = at(z, "2026-05-01T10:00:30");
	install(s, "user:alice", "*/10 * * * * old\n", t0);
	install(s, "user:bob", "5 10 * * * bob\n", t0);
	install(s, "user:alice", "7 10 * * * new\n", t0);
	assert_int_equal(scheduler_add_at(s, 42, 'a', 0, at(z, "2026-05-01T10:06")), 0);
	assert_int_equal(scheduler_add_at(s, 43, 'b', 0, at(z, "2026-05-01T10:08")), 0);
	assert_true(scheduler_remove_at(s, 43));
	assert_false(scheduler_remove_at(s, 43));
	run_until(s, at(z, "2026-05-01T10:30"), &r);
	expect(&r, (const char *const[]){ "bob@2026-05-01T10:05:00+00:00",
		                          "at42@2026-05-01T10:06:00+00:00",
		                          "new@2026-05-01T10:07:00+00:00", NULL });
	assert_true(scheduler_remove_source(s, "user:bob"));
	assert_false(scheduler_remove_source(s, "user:bob"));
	struct scheduler_stats st;
	scheduler_stats(s, &st);
	assert_int_equal(st.sources, 1);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.at_jobs, 0);
	assert_int_equal(st.next_due, at(z, "2026-05-02T10:07"));
	/* alice's one old entry replaced, bob's one removed: the count the
	 * timer trims the heap by (timer.c) */
	assert_int_equal(st.dropped, 2);
	install(s, "user:carol", "1 * * * * a\n2 * * * * b\n3 * * * * c\n", t0);
	assert_true(scheduler_remove_source(s, "user:carol"));
	scheduler_stats(s, &st);
	assert_int_equal(st.dropped, 5);
	scheduler_free(s);
	tz_free(z);
}

static struct sched_plan *plan(struct scheduler *s, const char *name, const char *text,
                               int64_t now)
{
	struct crontab tab;
	parse(text, &tab);
	char err[256];
	struct sched_plan *p = scheduler_plan_begin(s, name, SOURCE_USER, "alice", &tab, now, err,
	                                            sizeof(err));
	if (!p)
		fail_msg("plan_begin: %s", err);
	assert_int_equal(tab.n_entries, 0);   /* moved in */
	return p;
}

/* A change planned in steps (the timer hands on due runs between them) is
 * not in force until its commit: the old crontab runs meanwhile; then the
 * new one runs from the instant it was planned at, and the old is gone. */
static void test_a_change_planned_in_steps_is_in_force_from_its_commit(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	int64_t t0 = at(z, "2026-05-01T10:00:30");
	install(s, "user:alice", "*/10 * * * * old\n", t0);
	struct sched_plan *p = plan(s, "user:alice",
	                            "15 10 * * * new\n@reboot boot\n0 0 30 2 * never\n", t0);
	assert_false(scheduler_plan_step(p, 1));
	scheduler_run_due(s, at(z, "2026-05-01T10:10"), JUMP_NONE, record, &r);
	assert_false(scheduler_plan_step(p, 1));
	assert_true(scheduler_plan_step(p, 1));
	assert_true(scheduler_plan_step(p, 1));   /* nothing left: still done */
	struct scheduler_stats st;
	scheduler_stats(s, &st);
	assert_int_equal(st.entries, 1);   /* only the old one so far */
	char err[256];
	assert_int_equal(scheduler_plan_commit(s, p, err, sizeof(err)), 0);
	scheduler_stats(s, &st);
	assert_int_equal(st.sources, 1);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.next_due, at(z, "2026-05-01T10:15"));
	run_until(s, at(z, "2026-05-01T10:40"), &r);
	expect(&r, (const char *const[]){ "old@2026-05-01T10:10:00+00:00",
		                          "new@2026-05-01T10:15:00+00:00", NULL });
	/* A commit plans whatever its steps left; a new name is added. */
	p = plan(s, "user:bob", "20 11 * * * bob\n25 11 * * * bob2\n", t0);
	assert_int_equal(scheduler_plan_commit(s, p, err, sizeof(err)), 0);
	scheduler_stats(s, &st);
	assert_int_equal(st.sources, 2);
	assert_int_equal(st.next_due, at(z, "2026-05-01T11:20"));
	scheduler_free(s);
	tz_free(z);
}

/* An abandoned plan leaves the schedule as it was, its zones let go. */
static void test_an_abandoned_plan_changes_nothing(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	int64_t t0 = at(z, "2026-05-01T10:00:30");
	install(s, "user:alice", "5 10 * * * old\n", t0);
	struct sched_plan *p = plan(s, "user:alice", "CRON_TZ=Asia/Tokyo\n1 * * * * a\n2 * * * * b\n",
	                            t0);
	assert_int_equal(scheduler_zone_count(s), 1);
	assert_false(scheduler_plan_step(p, 1));
	scheduler_plan_abandon(s, p);
	scheduler_plan_abandon(s, NULL);
	assert_int_equal(scheduler_zone_count(s), 0);
	run_until(s, at(z, "2026-05-01T10:30"), &r);
	expect(&r, (const char *const[]){ "old@2026-05-01T10:05:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

static int64_t last_run_lookup(void *ctx, const char *key)
{
	(void)key;
	return *(int64_t *)ctx;
}

struct catchup_ctx {
	int64_t last;
	struct runs *r;
};

static int64_t catchup_last(void *ctx, const char *key)
{
	return last_run_lookup(&((struct catchup_ctx *)ctx)->last, key);
}

static void catchup_record(void *ctx, const struct due *d)
{
	record(((struct catchup_ctx *)ctx)->r, d);
}

static void test_reboot_and_catchup_runs(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	int64_t now = at(z, "2026-05-03T12:00:30");
	install(s, "user:alice", "@reboot boot\n0 3 * * * nocatch\nCRON_CATCHUP=yes\n"
	        "0 3 * * * nightly\n0 13 * * * notmissed\n", now);
	scheduler_run_reboot(s, now, record, &r);
	expect(&r, (const char *const[]){ "boot@2026-05-03T12:00:30+00:00", NULL });
	r.n = 0;
	struct catchup_ctx c = { at(z, "2026-05-01T03:00"), &r };
	scheduler_run_catchup(s, now, catchup_last, catchup_record, &c);
	expect(&r, (const char *const[]){ "catchup:nightly@2026-05-03T03:00:00+00:00",
		                          "catchup:notmissed@2026-05-02T13:00:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

/* The latest missed run is found by bisection, not run by run: 60
 * every-minute entries a year behind (525,600 missed runs each, seconds of
 * stepping) cost milliseconds, and a DST day still gives the right last
 * run. */
static void test_catchup_after_a_long_downtime_is_quick(void **state)
{
	(void)state;
	struct tz *z = must_load("Europe/Berlin");
	struct scheduler *s = scheduler_new(z, 0);
	struct runs r = { .zone = z };
	int64_t now = at(z, "2026-03-29T04:00:30");   /* a spring-forward day: 02:xx is gone */
	char text[64 * 61];
	size_t n = (size_t)snprintf(text, sizeof(text), "CRON_CATCHUP=yes\n30 2 * * * gap\n");
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "* * * * * m%d\n", i);
	install(s, "user:alice", text, now);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct catchup_ctx c = { now - 365 * 86400, &r };
	scheduler_run_catchup(s, now, catchup_last, catchup_record, &c);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(r.n, 61);
	assert_string_equal(r.what[0], "catchup:gap@2026-03-29T03:00:00+02:00");
	assert_string_equal(r.what[1], "catchup:m0@2026-03-29T04:00:00+02:00");
	double ms = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e6;
	if (ms > 1000)   /* stepping took seconds */
		fail_msg("catch-up took %.0f ms", ms);
	scheduler_free(s);
	tz_free(z);
}

static void test_random_delay_offsets_the_due_time_not_the_scheduled_one(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0.5);
	struct runs r = { .zone = z };
	install(s, "user:alice", "RANDOM_DELAY=10\n0 11 * * * a\n", at(z, "2026-05-01T10:00"));
	assert_int_equal(scheduler_next_due(s), at(z, "2026-05-01T11:05"));
	run_until(s, at(z, "2026-05-01T11:10"), &r);
	expect(&r, (const char *const[]){ "a@2026-05-01T11:00:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

/* A delay longer than the lateness a run may have (6 minutes) still runs
 * the entry every day: it is late against its due time, not against the
 * scheduled one (RANDOM_DELAY=60 with the factor 0.2 never ran). */
static void test_long_random_delays_still_run(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0.2);
	struct runs r = { .zone = z };
	install(s, "user:alice", "RANDOM_DELAY=60\n0 11 * * * a\nRANDOM_DELAY=1440\n0 0 * * * b\n",
	        at(z, "2026-05-01T10:00"));
	assert_int_equal(scheduler_next_due(s), at(z, "2026-05-01T11:12"));
	run_until(s, at(z, "2026-05-04T10:00"), &r);
	expect(&r, (const char *const[]){ "a@2026-05-01T11:00:00+00:00",
		                          "a@2026-05-02T11:00:00+00:00",
		                          "a@2026-05-03T11:00:00+00:00",
		                          "b@2026-05-02T00:00:00+00:00",
		                          "b@2026-05-03T00:00:00+00:00",
		                          "b@2026-05-04T00:00:00+00:00", NULL });
	scheduler_free(s);
	tz_free(z);
}

/* A CRON_TZ zone is loaded once for every crontab naming it and freed with
 * the last of them: a user installing crontabs with ever new zones used to
 * leave each one loaded (9 MB per install of 1,000 zones, for good). */
static void test_zones_are_shared_and_freed_with_their_last_crontab(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	struct scheduler *s = scheduler_new(z, 0);
	int64_t now = at(z, "2026-05-01T10:00");
	install(s, "user:alice", "CRON_TZ=Europe/Paris\n0 1 * * * a\nCRON_TZ=Asia/Tokyo\n0 2 * * * b\n",
	        now);
	install(s, "user:bob", "CRON_TZ=Asia/Tokyo\n0 1 * * * a\nCRON_TZ=America/Lima\n0 2 * * * b\n",
	        now);
	assert_int_equal(scheduler_zone_count(s), 3);
	assert_true(scheduler_remove_source(s, "user:alice"));
	assert_int_equal(scheduler_zone_count(s), 2);   /* Tokyo is bob's too */
	install(s, "user:bob", "0 1 * * * a\n", now);
	assert_int_equal(scheduler_zone_count(s), 0);
	for (int i = 0; i < 50; i++) {   /* ever new zones, one crontab */
		char text[64];
		snprintf(text, sizeof(text), "CRON_TZ=<ZZ%d>%d\n0 1 * * * a\n", i, i % 20);
		install(s, "user:carol", text, now);
		assert_int_equal(scheduler_zone_count(s), 1);
	}
	scheduler_free(s);
	tz_free(z);
}

/* The minute the crontab NAME's line "~ * * * * job" picks under SECRET,
 * as crontab --next computes it (the crontab comes with its seed). */
static int expected_pick(const uint8_t *secret, const char *name)
{
	struct crontab tab;
	struct diag_list d = { 0 };
	const char *text = "~ * * * * job\n";
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_USER, &tab, &d), 0);
	crontab_resolve_random(&tab, crontab_random_seed(secret, name));
	int m = tab.entries[0].sched.random[0].chosen;
	crontab_free(&tab);
	return m;
}

static void test_tilde_picks_follow_the_secret_and_survive_a_reload(void **state)
{
	(void)state;
	struct tz *z = must_load("UTC");
	uint8_t secret[CRONTAB_SECRET_LEN];
	for (int i = 0; i < CRONTAB_SECRET_LEN; i++)
		secret[i] = (uint8_t)(i * 37 + 11);
	int64_t t0 = at(z, "2026-05-01T10:00:30");
	int picks[2];
	for (int round = 0; round < 2; round++) {   /* a daemon restart: a new scheduler */
		struct scheduler *s = scheduler_new(z, 0);
		scheduler_set_secret(s, secret);
		install(s, "user:alice", "~ * * * * job\n", t0);
		struct runs r = { .zone = z };
		run_until(s, at(z, "2026-05-01T11:00"), &r);
		assert_int_equal(r.n, 1);
		int m = atoi(r.what[0] + strlen("job@2026-05-01T10:"));
		assert_int_equal(m, expected_pick(secret, "user:alice"));
		/* replacing the crontab with the same text keeps the pick */
		install(s, "user:alice", "~ * * * * job\n", t0);
		r.n = 0;
		run_until(s, at(z, "2026-05-01T11:00"), &r);
		assert_int_equal(atoi(r.what[0] + strlen("job@2026-05-01T10:")), m);
		picks[round] = m;
		scheduler_free(s);
	}
	assert_int_equal(picks[0], picks[1]);
	/* other users and other machines (secrets) get their own picks: over
	 * 20 of each, the picks in 0-59 are not all the same */
	int differ_users = 0, differ_secrets = 0;
	for (int i = 0; i < 20; i++) {
		char name[32];
		snprintf(name, sizeof(name), "user:u%d", i);
		differ_users += expected_pick(secret, name) != picks[0];
		secret[0] = (uint8_t)(secret[0] + 1);
		differ_secrets += expected_pick(secret, "user:alice") != picks[0];
	}
	assert_true(differ_users >= 10);
	assert_true(differ_secrets >= 10);
	tz_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tilde_picks_follow_the_secret_and_survive_a_reload),
		cmocka_unit_test(test_entries_run_at_each_scheduled_instant),
		cmocka_unit_test(test_small_forward_jump_runs_every_missed_minute),
		cmocka_unit_test(test_forward_jump_runs_skipped_fixed_times_once_and_wildcards_once),
		cmocka_unit_test(test_backward_jump_repeats_wildcards_but_never_fixed_times),
		cmocka_unit_test(test_reset_restarts_from_the_new_time_without_catching_up),
		cmocka_unit_test(test_jump_classification_follows_vixie_minutes),
		cmocka_unit_test(test_dst_days_follow_the_preview_rules),
		cmocka_unit_test(test_cron_tz_entries_run_in_their_own_zone),
		cmocka_unit_test(test_replacing_and_removing_sources_and_at_jobs),
		cmocka_unit_test(test_a_change_planned_in_steps_is_in_force_from_its_commit),
		cmocka_unit_test(test_an_abandoned_plan_changes_nothing),
		cmocka_unit_test(test_reboot_and_catchup_runs),
		cmocka_unit_test(test_random_delay_offsets_the_due_time_not_the_scheduled_one),
		cmocka_unit_test(test_long_random_delays_still_run),
		cmocka_unit_test(test_catchup_after_a_long_downtime_is_quick),
		cmocka_unit_test(test_zones_are_shared_and_freed_with_their_last_crontab),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
