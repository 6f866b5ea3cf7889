/* tests/unit/test_metrics.c: the metrics module: label values as the
 * exposition format wants them, runs counted by outcome, the per-entry cap,
 * series of removed entries dropped and of replaced crontabs detached (no
 * old crontab kept alive), detached series expiring, writes coalesced to
 * one per interval and never due while nothing changed, the file
 * written whole by rename, and a large file written a step at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crond/run/job.h"
#include "crond/observe/metrics.h"
#include "crond/observe/metrics_series.h"
#include "lib/readall.h"
#include "tests/unit/support/tmpdir.h"

#define SEC 1000000000LL

static char *format(const struct metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(metrics_format(m, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static struct metrics_run cron_run(const char *key, enum metrics_outcome o, int exit_status)
{
	return (struct metrics_run){ .cron = true, .key = key, .source = "/etc/cron.d/backup",
		                     .user = "alice", .command = "backup --all", .line = 3,
		                     .outcome = o, .started = o != METRICS_SKIPPED,
		                     .start_s = 1700000000.25, .duration_s = 1.5,
		                     .exit_status = exit_status };
}

static void test_label_copy_keeps_utf8_and_replaces_controls_and_invalid_bytes(void **state)
{
	(void)state;
	char out[64];
	metrics_label_copy("a\tb\nc\x7f", 40, out, sizeof(out));
	assert_string_equal(out, "a b c ");
	metrics_label_copy("x\xff\xc3(y", 40, out, sizeof(out));
	assert_string_equal(out, "x?" "?(y");
	metrics_label_copy("caf\xc3\xa9 \xe2\x82\xac", 40, out, sizeof(out));
	assert_string_equal(out, "caf\xc3\xa9 \xe2\x82\xac");
	/* an overlong encoding and a surrogate are not UTF-8 */
	metrics_label_copy("\xc0\xaf\xed\xa0\x80", 40, out, sizeof(out));
	assert_string_equal(out, "?????");
}

static void test_label_copy_cuts_at_a_character_boundary(void **state)
{
	(void)state;
	char out[64];
	metrics_label_copy("abc\xc3\xa9z", 4, out, sizeof(out));   /* é would end at byte 5 */
	assert_string_equal(out, "abc");
	metrics_label_copy("abcdefgh", 40, out, 5);
	assert_string_equal(out, "abcd");
}

static void test_label_output_escapes_backslash_quote_and_newline(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(metrics_put_label(f, "a\\b\"c\nd"), 0);
	/* at either end, one after another, alone, and nothing at all */
	assert_int_equal(metrics_put_label(f, "\"x\""), 0);
	assert_int_equal(metrics_put_label(f, "|\n\n\\|"), 0);
	assert_int_equal(metrics_put_label(f, ""), 0);
	assert_int_equal(metrics_put_label(f, "|\\"), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "a\\\\b\\\"c\\nd" "\\\"x\\\"" "|\\n\\n\\\\|" "|\\\\");
	free(buf);
}

static void test_runs_counted_by_outcome_with_last_start_exit_and_duration(void **state)
{
	(void)state;
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	struct metrics_run r = cron_run("user:alice:00000000000000aa", METRICS_SUCCESS, 0);
	metrics_note(&m, &r, 1);
	r = cron_run("user:alice:00000000000000aa", METRICS_FAILURE, 3);
	r.late = true;
	metrics_note(&m, &r, 2);
	r = cron_run("user:alice:00000000000000bb", METRICS_SKIPPED, 0);
	metrics_note(&m, &r, 3);
	struct metrics_run at = { .cron = false, .outcome = METRICS_TIMEOUT, .started = true };
	metrics_note(&m, &at, 4);
	char *text = format(&m);
	const char *labels = "{user=\"alice\",source=\"/etc/cron.d/backup\",line=\"3\","
	                     "entry=\"00000000000000aa\",command=\"backup --all\"";
	char want[512];
	snprintf(want, sizeof(want), "\ncrond_entry_last_exit_status%s} 3\n", labels);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "\ncrond_entry_last_start_timestamp_seconds%s} 1700000000.250\n",
	         labels);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "\ncrond_entry_last_duration_seconds%s} 1.500\n", labels);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "\ncrond_entry_runs_total%s,outcome=\"success\"} 1\n", labels);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "\ncrond_entry_runs_total%s,outcome=\"failure\"} 1\n", labels);
	assert_non_null(strstr(text, want));
	/* an entry that never started has counts but no last run */
	assert_non_null(strstr(text, "entry=\"00000000000000bb\",command=\"backup --all\","
	                             "outcome=\"skipped\"} 1\n"));
	assert_null(strstr(text, "crond_entry_last_exit_status{user=\"alice\",source=\"/etc/cron.d/backup\","
	                         "line=\"3\",entry=\"00000000000000bb\""));
	/* the daemon's totals count at jobs too */
	assert_non_null(strstr(text, "\ncrond_runs_total{outcome=\"timeout\"} 1\n"));
	assert_non_null(strstr(text, "\ncrond_runs_total{outcome=\"success\"} 1\n"));
	assert_non_null(strstr(text, "\ncrond_runs_skipped_total 1\n"));
	assert_non_null(strstr(text, "\ncrond_runs_late_total 1\n"));
	assert_non_null(strstr(text, "# TYPE crond_entry_runs_total counter\n"));
	assert_non_null(strstr(text, "# TYPE crond_jobs_running gauge\n"));
	free(text);
	metrics_free(&m);
}

/* The file is world-readable: a user's crontab, root's included, shows no
 * command (its spool is private); a system crontab's does. */
static void test_a_users_command_is_not_shown(void **state)
{
	(void)state;
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	struct metrics_run r = cron_run("user:alice:00000000000000aa", METRICS_SUCCESS, 0);
	r.source = "user:alice";
	r.command = "curl -u alice:s3cret https://x";
	metrics_note(&m, &r, 1);
	r = cron_run("user:root:00000000000000bb", METRICS_SUCCESS, 0);
	r.source = "user:root";
	r.user = "root";
	r.command = "mysqldump -proot-secret";
	metrics_note(&m, &r, 1);
	char *text = format(&m);
	assert_null(strstr(text, "s3cret"));
	assert_null(strstr(text, "root-secret"));
	assert_non_null(strstr(text, "{user=\"alice\",source=\"user:alice\",line=\"3\","
	                             "entry=\"00000000000000aa\",command=\"\"}"));
	free(text);
	metrics_free(&m);
}

static void test_entries_beyond_the_cap_count_only_in_totals(void **state)
{
	(void)state;
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	char key[64];
	for (int i = 0; i < METRICS_MAX_ENTRIES + 10; i++) {
		snprintf(key, sizeof(key), "user:alice:%016x", i);
		struct metrics_run r = cron_run(key, METRICS_SUCCESS, 0);
		metrics_note(&m, &r, 1);
	}
	/* a run of an entry that has a series still counts there */
	struct metrics_run r = cron_run("user:alice:0000000000000000", METRICS_SUCCESS, 0);
	metrics_note(&m, &r, 1);
	assert_int_equal(m.n_series, METRICS_MAX_ENTRIES);
	assert_int_equal(m.totals.over_cap, 10);
	assert_int_equal(m.totals.runs[METRICS_SUCCESS], METRICS_MAX_ENTRIES + 11);
	char *text = format(&m);
	assert_non_null(strstr(text, "\ncrond_metrics_entries_over_cap_total 10\n"));
	assert_non_null(strstr(text, "entry=\"0000000000000000\",command=\"backup --all\","
	                             "outcome=\"success\"} 2\n"));
	free(text);
	metrics_free(&m);
}

/* N runs of N entries of USER's crontab (SOURCE "user:USER"), or of the
 * system crontab /etc/cron.d/u when USER is NULL; FROM numbers the keys. */
static void note_entries(struct metrics *m, const char *user, int from, int n)
{
	char key[96], source[64];
	snprintf(source, sizeof(source), "user:%s", user ? user : "");
	for (int i = from; i < from + n; i++) {
		snprintf(key, sizeof(key), "%s:%016x", user ? source : "/etc/cron.d/u", i);
		struct metrics_run r = cron_run(key, METRICS_SUCCESS, 0);
		r.source = user ? source : "/etc/cron.d/u";
		r.user = user ? user : "root";
		metrics_note(m, &r, 1);
	}
}

/* One user has at most METRICS_MAX_PER_USER series, the users together
 * METRICS_MAX_ENTRIES; root's and the system crontabs' entries have a pool
 * of their own, which no user's entries can fill. */
static void test_users_cannot_take_root_and_system_series(void **state)
{
	(void)state;
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	note_entries(&m, "mallory", 0, METRICS_MAX_PER_USER + 10);
	assert_int_equal(m.n_series, METRICS_MAX_PER_USER);
	assert_int_equal(m.totals.over_cap, 10);
	char name[16];
	int users = METRICS_MAX_ENTRIES / METRICS_MAX_PER_USER;
	for (int u = 1; u <= users; u++) {   /* one more than the pool holds */
		snprintf(name, sizeof(name), "user%d", u);
		note_entries(&m, name, 0, METRICS_MAX_PER_USER);
	}
	assert_int_equal(m.n_series, METRICS_MAX_ENTRIES);
	assert_int_equal(m.totals.over_cap, 10 + METRICS_MAX_PER_USER);
	note_entries(&m, "root", 0, 3);
	note_entries(&m, NULL, 0, 4);
	assert_int_equal(m.n_series, METRICS_MAX_ENTRIES + 7);
	assert_int_equal(m.n_system, 7);
	char *text = format(&m);
	assert_non_null(strstr(text, "source=\"user:root\""));
	assert_non_null(strstr(text, "source=\"/etc/cron.d/u\""));
	assert_null(strstr(text, "source=\"user:user5\""));
	free(text);
	metrics_free(&m);
}

static struct snapshot *parse_snap(const char *text)
{
	struct crontab tab;
	struct diag_list d = { 0 };
	if (crontab_parse(text, strlen(text), CRONTAB_USER, &tab, &d) != 0)
		fail_msg("parse: %s", d.items[0].msg);
	diag_list_clear(&d);
	struct snapshot *snap = snapshot_new("user:alice", SOURCE_USER, "alice", &tab);
	assert_non_null(snap);
	return snap;
}

static struct snapshot *two_entries(void)
{
	return parse_snap("* * * * * one\n* * * * * two\n");
}

static void test_outcome_exit_status_and_lateness_of_a_job(void **state)
{
	(void)state;
	struct snapshot *snap = parse_snap("* * * * * plain\nRANDOM_DELAY=10\n* * * * * spread\n");
	char key[] = "user:alice:1";
	struct run_request req = { .kind = DUE_CRON, .scheduled = 1000000, .snap = snap,
		                   .source = "/etc/cron.d/backup", .user = "alice", .command = "spread",
		                   .entry_key = key, .entry_index = 1 };
	struct job j = { .kind = JOB_CRON, .req = &req, .start_ns = (1000000LL + 660) * SEC,
		         .start_mono = 5 * SEC, .end_mono = 7 * SEC + SEC / 2 };
	struct metrics_run run;
	assert_true(metrics_run_of_job(&j, &run));
	assert_int_equal(run.outcome, METRICS_SUCCESS);
	assert_int_equal(run.line, 3);
	assert_true(run.started);
	assert_true(run.duration_s > 2.49 && run.duration_s < 2.51);
	assert_false(run.late);   /* 60 s after its 10-minute RANDOM_DELAY window */
	j.start_ns += SEC;
	assert_true(metrics_run_of_job(&j, &run));
	assert_true(run.late);
	req.entry_index = 0;       /* no RANDOM_DELAY: 61 s after the minute is late */
	j.start_ns = (1000000LL + 61) * SEC;
	assert_true(metrics_run_of_job(&j, &run));
	assert_true(run.late);
	j.start_ns = (1000000LL + 60) * SEC;
	assert_true(metrics_run_of_job(&j, &run));
	assert_false(run.late);
	j.wstatus = 3 << 8;        /* exit 3 */
	assert_true(metrics_run_of_job(&j, &run));
	assert_int_equal(run.outcome, METRICS_FAILURE);
	assert_int_equal(run.exit_status, 3);
	j.wstatus = 15;            /* killed by SIGTERM */
	j.timed_out = true;
	assert_true(metrics_run_of_job(&j, &run));
	assert_int_equal(run.outcome, METRICS_TIMEOUT);
	assert_int_equal(run.exit_status, 143);
	j.timed_out = false;
	j.skipped = true;
	assert_true(metrics_run_of_job(&j, &run));
	assert_int_equal(run.outcome, METRICS_SKIPPED);
	assert_false(run.started);
	/* a batch job waits for the load by design: never late */
	struct run_request at = { .kind = DUE_AT, .scheduled = 1000000, .queue = 'b', .at_id = 7 };
	struct job bj = { .kind = JOB_AT, .req = &at, .start_ns = (1000000LL + 3600) * SEC };
	assert_true(metrics_run_of_job(&bj, &run));
	assert_false(run.cron);
	assert_false(run.late);
	at.queue = 'a';
	assert_true(metrics_run_of_job(&bj, &run));
	assert_true(run.late);
	/* sendmail is no run */
	struct job mail = { .kind = JOB_MAIL };
	assert_false(metrics_run_of_job(&mail, &run));
	snapshot_unref(snap);
}

static void test_removed_entry_drops_its_series(void **state)
{
	(void)state;
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	struct snapshot *snap = two_entries();   /* the scheduler's reference */
	struct metrics_run r = cron_run("user:alice:1", METRICS_SUCCESS, 0);
	r.snap = snap, r.entry_index = 0;
	metrics_note(&m, &r, 1);
	r = cron_run("user:alice:2", METRICS_SUCCESS, 0);
	r.snap = snap, r.entry_index = 1;
	metrics_note(&m, &r, 1);
	/* the series hold its entries' fate, never the crontab itself */
	assert_int_equal(atomic_load(&snap->refs), 1);
	assert_int_equal(atomic_load(&snap->fate->refs), 3);
	metrics_prune(&m, 2);
	assert_int_equal(m.n_series, 2);   /* both entries still exist */
	snapshot_cancel_entry(snap, 0);
	metrics_prune(&m, 3);
	assert_int_equal(m.n_series, 1);
	assert_int_equal(atomic_load(&snap->fate->refs), 2);
	char *text = format(&m);
	assert_null(strstr(text, "user:alice:1"));
	free(text);
	metrics_free(&m);
	assert_int_equal(atomic_load(&snap->fate->refs), 1);
	snapshot_unref(snap);
}

static void test_replaced_crontab_is_let_go_and_detached_series_expire(void **state)
{
	(void)state;
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	struct snapshot *snap = two_entries();
	struct metrics_run r = cron_run("user:alice:1", METRICS_SUCCESS, 0);
	r.snap = snap, r.entry_index = 0;
	metrics_note(&m, &r, 10 * SEC);
	snapshot_unref(snap);   /* the scheduler replaced the crontab, keeping the entry:
	                           freed now, while the series holds its fate */
	metrics_prune(&m, 11 * SEC);
	/* the series stays, detached (its fate let go: ASan would report a
	 * leak otherwise) */
	assert_int_equal(m.n_series, 1);
	metrics_prune(&m, 10 * SEC + (int64_t)METRICS_DETACHED_TTL_S * SEC);
	assert_int_equal(m.n_series, 1);
	metrics_prune(&m, 10 * SEC + (int64_t)METRICS_DETACHED_TTL_S * SEC + 1);
	assert_int_equal(m.n_series, 0);
	metrics_free(&m);
}

/* With no metrics file, a tick still prunes, as often as a file would be
 * written: a series whose crontab was replaced detaches, and a removed
 * entry's series goes. Only writes pruned before, so without a file every
 * crontab replaced after one of its entries ran stayed in memory. */
static void test_a_tick_without_a_file_still_lets_replaced_crontabs_go(void **state)
{
	(void)state;
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	struct metrics_gauges g = { 0, 0, 0, 2 };
	struct snapshot *old = two_entries(), *gone = two_entries();
	struct metrics_run r = cron_run("user:alice:1", METRICS_SUCCESS, 0);
	r.snap = old, r.entry_index = 0;
	metrics_note(&m, &r, 1 * SEC);
	r = cron_run("user:alice:2", METRICS_SUCCESS, 0);
	r.snap = gone, r.entry_index = 1;
	metrics_note(&m, &r, 1 * SEC);
	metrics_tick(&m, "", &g, 1 * SEC, false);      /* the first tick prunes */
	assert_int_equal(m.n_series, 2);
	struct snapshot_fate *old_fate = old->fate;
	assert_int_equal(atomic_load(&old_fate->refs), 2);
	snapshot_unref(old);                           /* the scheduler replaced it */
	snapshot_cancel_entry(gone, 1);                /* and removed the other */
	snapshot_unref(gone);
	metrics_tick(&m, "", &g, 1 * SEC + METRICS_WRITE_EVERY_NS - 1, false);
	assert_int_equal(atomic_load(&old_fate->refs), 1);  /* not yet: too soon */
	assert_int_equal(m.n_series, 2);
	metrics_tick(&m, "", &g, 1 * SEC + METRICS_WRITE_EVERY_NS, false);
	/* the removed entry's series went; the other let go of its crontab's
	 * fate (freed now: ASan reports a leak otherwise) and stays, detached */
	assert_int_equal(m.n_series, 1);
	const struct metrics_series *left = NULL;
	for (size_t b = 0; b < METRICS_BUCKETS && !left; b++)
		left = m.buckets[b];
	assert_non_null(left);
	assert_string_equal(left->key, "user:alice:1");
	assert_null(left->fate);
	assert_int_equal(m.totals.writes, 0);          /* and nothing was written */
	metrics_free(&m);
}

static void test_writes_are_coalesced_and_never_due_when_nothing_changed(void **state)
{
	(void)state;
	char dir[256], path[300];
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "test_metrics"), 0);
	snprintf(path, sizeof(path), "%s/crond.prom", dir);
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	struct metrics_gauges g = { 0, 0, 0, 4 };
	assert_int_equal(metrics_next_write(&m), INT64_MAX);   /* no file configured yet */
	metrics_tick(&m, "", &g, 1 * SEC, false);
	assert_int_equal(m.totals.writes, 0);
	assert_int_equal(metrics_next_write(&m), INT64_MAX);
	metrics_tick(&m, path, &g, 1 * SEC, false);   /* first: at once */
	assert_int_equal(m.totals.writes, 1);
	assert_int_equal(metrics_next_write(&m), INT64_MAX);
	struct metrics_run r = cron_run("user:alice:1", METRICS_SUCCESS, 0);
	for (int i = 0; i < 1000; i++) {
		metrics_note(&m, &r, 1 * SEC);
		metrics_tick(&m, path, &g, 1 * SEC + i * 1000000LL, false);
	}
	assert_int_equal(m.totals.writes, 1);   /* within the interval: waiting */
	assert_int_equal(metrics_next_write(&m), 1 * SEC + METRICS_WRITE_EVERY_NS);
	metrics_tick(&m, path, &g, 1 * SEC + METRICS_WRITE_EVERY_NS, false);
	assert_int_equal(m.totals.writes, 2);
	assert_int_equal(metrics_next_write(&m), INT64_MAX);
	/* a gauge change is a change */
	g.running = 1;
	metrics_tick(&m, path, &g, 10 * SEC, false);
	assert_int_equal(m.totals.writes, 3);
	/* forced (at stop) only when something changed */
	metrics_tick(&m, path, &g, 10 * SEC + 1, true);
	assert_int_equal(m.totals.writes, 3);
	metrics_note(&m, &r, 1 * SEC);
	metrics_tick(&m, path, &g, 10 * SEC + 2, true);
	assert_int_equal(m.totals.writes, 4);

	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[512], last[512] = "";
	while (fgets(line, sizeof(line), f))
		snprintf(last, sizeof(last), "%s", line);
	fclose(f);
	assert_string_equal(last, "crond_metrics_writes_total 4\n");
	char tmp[320];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	struct stat st;
	assert_int_equal(stat(tmp, &st), -1);   /* renamed away */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644 & ~(mode_t)umask(022));
	metrics_free(&m);
	assert_int_equal(tmpdir_remove(dir), 0);
}

static void test_failed_write_reports_the_path_and_waits_for_a_change(void **state)
{
	(void)state;
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	char err[1200];
	assert_int_equal(metrics_write_file(&m, "/nonexistent-dir/crond.prom", err, sizeof(err)), -1);
	assert_string_equal(err, "cannot write /nonexistent-dir/crond.prom.tmp: No such file or "
	                         "directory");
	struct metrics_gauges g = { 0 };
	metrics_tick(&m, "/nonexistent-dir/crond.prom", &g, 1 * SEC, false);
	assert_int_equal(m.totals.writes, 0);
	assert_true(m.fail_logged);
	assert_int_equal(metrics_next_write(&m), INT64_MAX);   /* no retry loop */
	metrics_free(&m);
}

/* The metrics file may live in a directory others can write to: a
 * PATH.tmp that someone left there (a hard link to another file, a FIFO)
 * is never written through (it would truncate that file, or block the
 * writer): the writer makes its own. */
static void test_write_never_goes_through_a_planted_tmp(void **state)
{
	(void)state;
	char dir[256], path[300], tmp[310], victim[310], fifo[310];
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "test_metrics"), 0);
	snprintf(path, sizeof(path), "%s/crond.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	FILE *v = fopen(victim, "w");
	assert_non_null(v);
	assert_int_equal(fputs("keep me\n", v) >= 0, 1);
	assert_int_equal(fclose(v), 0);
	assert_int_equal(link(victim, tmp), 0);
	struct metrics m;
	assert_int_equal(metrics_init(&m), 0);
	char err[1200];
	assert_int_equal(metrics_write_file(&m, path, err, sizeof(err)), 0);
	char buf[64] = "";
	v = fopen(victim, "r");
	assert_non_null(v);
	assert_non_null(fgets(buf, sizeof(buf), v));
	assert_int_equal(fclose(v), 0);
	assert_string_equal(buf, "keep me\n");
	struct stat st;
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 0);
	/* A FIFO in its place: the write does not block. */
	assert_int_equal(mkfifo(tmp, 0666), 0);
	assert_int_equal(metrics_write_file(&m, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	metrics_free(&m);
	assert_int_equal(tmpdir_remove(dir), 0);
}

static char *slurp(const char *path)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	if (readall_file(path, 64u << 20, &buf, &len, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Whether the line at L (LEN bytes, without its newline) begins with
 * PREFIX. The helpers below walk a file of several megabytes line by line
 * with bounded calls (memchr, memcmp): AddressSanitizer's
 * strict_string_checks, which tests/run sets, makes every strchr or
 * strncmp measure the whole rest of the text, and the walk quadratic
 * (40 s of this test's 41). */
static bool line_starts(const char *l, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(l, prefix, n) == 0;
}

/* How many lines of TEXT begin with PREFIX. */
static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	const char *end = text + strlen(text);
	for (const char *l = text; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t len = nl != NULL ? (size_t)(nl - l) : (size_t)(end - l);
		if (line_starts(l, len, prefix))
			n++;
		l += len + 1;
	}
	return n;
}

/* Ticks until the write under way is done; returns how many ticks. */
static int finish_write(struct metrics *m, const char *path, const struct metrics_gauges *g)
{
	int ticks = 0;
	while (metrics_writing(m)) {
		metrics_tick(m, path, g, 2 * SEC, false);
		ticks++;
	}
	return ticks;
}

/* Every line of a family comes after its TYPE line and before the next
 * family's: the exposition format wants a family's samples together. */
static void assert_families_together(const char *text)
{
	char family[128] = "";
	size_t family_len = 0;
	char seen[16][128];
	int n_seen = 0;
	const char *end = text + strlen(text);
	for (const char *l = text; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		assert_non_null(nl);
		size_t len = (size_t)(nl - l);
		if (line_starts(l, len, "# TYPE ")) {
			const char *name = l + 7;
			const char *sp = memchr(name, ' ', (size_t)(nl - name));
			family_len = sp != NULL ? (size_t)(sp - name) : (size_t)(nl - name);
			snprintf(family, sizeof(family), "%.*s", (int)family_len, name);
			for (int i = 0; i < n_seen; i++)
				assert_string_not_equal(seen[i], family);
			assert_true(n_seen < 16);
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", family);
		} else if (l[0] != '#') {   /* an empty line fails here too */
			assert_true(family[0] != '\0');
			assert_true(line_starts(l, len, family));
			assert_true(len > family_len);
			char c = l[family_len];
			assert_true(c == '{' || c == ' ');
		}
		l = nl + 1;
	}
}

/* A scratch directory for the file, and an empty set of metrics. */
struct scratch {
	char dir[256], path[300], tmp[310];
	struct metrics m;
};

static void scratch_begin(struct scratch *sc)
{
	assert_int_equal(tmpdir_make(sc->dir, sizeof(sc->dir), "test_metrics"), 0);
	snprintf(sc->path, sizeof(sc->path), "%s/crond.prom", sc->dir);
	snprintf(sc->tmp, sizeof(sc->tmp), "%s.tmp", sc->path);
	assert_int_equal(metrics_init(&sc->m), 0);
}

static void scratch_end(struct scratch *sc)
{
	metrics_free(&sc->m);
	assert_int_equal(tmpdir_remove(sc->dir), 0);
}

/* A file of many series is written METRICS_STEP_LINES lines a tick, into
 * PATH.tmp, and renamed over PATH at the end: between ticks readers still
 * see the previous whole file, and the file at the end is the one a write
 * in one piece makes. */
static void test_a_large_file_is_written_a_step_per_tick(void **state)
{
	(void)state;
	struct scratch sc;
	scratch_begin(&sc);
	struct metrics *m = &sc.m;
	const char *path = sc.path, *tmp = sc.tmp;
	struct metrics_gauges g = { 1, 2, 3, 4 };
	metrics_tick(m, path, &g, 1 * SEC, false);   /* small: whole at once */
	assert_false(metrics_writing(m));
	char *before = slurp(path);

	int n = 3000;
	note_entries(m, NULL, 0, n);   /* 8 lines each */
	metrics_tick(m, path, &g, 1 * SEC + METRICS_WRITE_EVERY_NS, false);
	assert_true(metrics_writing(m));
	assert_int_equal(m->totals.writes, 2);
	assert_true(exists(tmp));
	char *mid = slurp(path);
	assert_string_equal(mid, before);   /* the old file until the new one is whole */
	free(mid);
	int ticks = 1 + finish_write(m, path, &g);
	int lines = n * (3 + METRICS_N_OUTCOMES);
	assert_true(ticks >= lines / (METRICS_STEP_LINES + 10));
	assert_true(ticks <= lines / METRICS_STEP_LINES + 1);
	assert_false(exists(tmp));
	char *stepped = slurp(path);
	char *whole = format(m);
	assert_string_equal(stepped, whole);
	assert_families_together(stepped);
	assert_non_null(strstr(stepped, "crond_metrics_writes_total 2\n"));
	free(before);
	free(stepped);
	free(whole);
	scratch_end(&sc);
}

/* Steps that end exactly where a family does, or take one line at a time,
 * write the file a single step writes: no family's header twice, none
 * left out. */
static void test_steps_of_any_size_write_the_same_file(void **state)
{
	(void)state;
	struct scratch sc;
	scratch_begin(&sc);
	struct metrics *m = &sc.m;
	const char *path = sc.path;
	note_entries(m, NULL, 0, 10);
	char *whole = format(m), err[1200];
	size_t sizes[] = { 1, 2, 3, 10, 20, 50, 1000 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct metrics_writer w;
		assert_int_equal(metrics_writer_open(&w, m, path, err, sizeof(err)), 0);
		int rc, steps = 0;
		while ((rc = metrics_writer_step(&w, m, sizes[i], err, sizeof(err))) == 0)
			steps++;
		assert_int_equal(rc, 1);
		if (sizes[i] == 1)   /* a series a step: 10 series, 4 families */
			assert_true(steps + 1 >= 40);
		else if (sizes[i] >= 80)   /* 80 lines: all in one */
			assert_int_equal(steps, 0);
		else
			assert_true(steps >= 1);
		char *text = slurp(path);
		assert_string_equal(text, whole);
		free(text);
	}
	free(whole);
	scratch_end(&sc);
}

/* Runs end while a write is under way: series appear and counts move
 * between steps. The file stays well formed, each family together, the
 * totals as of its start, so that every run they count has its series in
 * the file (crond_metrics.sh waits for the totals, then counts series);
 * what the write missed is written next. */
static void test_series_changing_between_steps(void **state)
{
	(void)state;
	struct scratch sc;
	scratch_begin(&sc);
	struct metrics *m = &sc.m;
	const char *path = sc.path;
	struct metrics_gauges g = { 0 };
	note_entries(m, NULL, 0, 2000);
	metrics_tick(m, path, &g, 1 * SEC, false);
	assert_true(metrics_writing(m));
	int added = 0;
	while (metrics_writing(m)) {
		note_entries(m, NULL, 2000 + added, 50);   /* new series, in any bucket */
		note_entries(m, NULL, 0, 50);              /* old ones run again */
		added += 50;
		metrics_tick(m, path, &g, 1 * SEC + 1, false);
	}
	char *text = slurp(path);
	assert_families_together(text);
	char want[128];
	snprintf(want, sizeof(want), "crond_runs_total{outcome=\"success\"} %d\n", 2000);
	assert_non_null(strstr(text, want));   /* the totals as of the start */
	int series = count_lines(text, "crond_entry_last_start_timestamp_seconds{");
	assert_true(series >= 2000 && series <= 2000 + added);   /* the counted ones, and
	                                                            some that came later */
	free(text);
	assert_true(m->dirty);   /* what came during the write is written next */
	assert_int_equal(metrics_next_write(m), 1 * SEC + METRICS_WRITE_EVERY_NS);
	metrics_tick(m, path, &g, 1 * SEC + METRICS_WRITE_EVERY_NS, false);
	finish_write(m, path, &g);
	text = slurp(path);
	char *whole = format(m);
	assert_string_equal(text, whole);
	free(text);
	free(whole);
	scratch_end(&sc);
}

/* A forced tick (crond stopping) during a write writes the whole file
 * there and then; a new path drops the write under way; freeing the
 * metrics removes a PATH.tmp left half written. */
static void test_a_write_under_way_is_forced_dropped_or_freed(void **state)
{
	(void)state;
	struct scratch sc;
	scratch_begin(&sc);
	struct metrics *m = &sc.m;
	const char *path = sc.path;
	char tmp[320], other[310];
	snprintf(tmp, sizeof(tmp), "%s", sc.tmp);
	snprintf(other, sizeof(other), "%s/other.prom", sc.dir);
	struct metrics_gauges g = { 0 };
	note_entries(m, NULL, 0, 2000);
	metrics_tick(m, path, &g, 1 * SEC, false);
	assert_true(metrics_writing(m));
	metrics_tick(m, path, &g, 1 * SEC + 1, true);
	assert_false(metrics_writing(m));
	assert_false(exists(tmp));
	assert_int_equal(m->totals.writes, 1);   /* the dropped start does not count */
	char *text = slurp(path), *whole = format(m);
	assert_string_equal(text, whole);
	free(text);
	free(whole);

	note_entries(m, NULL, 0, 1);
	metrics_tick(m, path, &g, 10 * SEC, false);
	assert_true(metrics_writing(m));
	assert_true(exists(tmp));
	metrics_tick(m, other, &g, 10 * SEC + 1, false);
	assert_false(metrics_writing(m));   /* waits for the interval */
	assert_false(exists(tmp));
	assert_int_equal(m->totals.writes, 1);
	assert_true(m->dirty);
	metrics_tick(m, other, &g, 10 * SEC + METRICS_WRITE_EVERY_NS, false);
	assert_true(metrics_writing(m));
	snprintf(tmp, sizeof(tmp), "%s.tmp", other);
	assert_true(exists(tmp));
	metrics_free(m);
	assert_false(exists(tmp));
	assert_int_equal(tmpdir_remove(sc.dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_copy_keeps_utf8_and_replaces_controls_and_invalid_bytes),
		cmocka_unit_test(test_label_copy_cuts_at_a_character_boundary),
		cmocka_unit_test(test_label_output_escapes_backslash_quote_and_newline),
		cmocka_unit_test(test_runs_counted_by_outcome_with_last_start_exit_and_duration),
		cmocka_unit_test(test_a_users_command_is_not_shown),
		cmocka_unit_test(test_entries_beyond_the_cap_count_only_in_totals),
		cmocka_unit_test(test_users_cannot_take_root_and_system_series),
		cmocka_unit_test(test_outcome_exit_status_and_lateness_of_a_job),
		cmocka_unit_test(test_removed_entry_drops_its_series),
		cmocka_unit_test(test_replaced_crontab_is_let_go_and_detached_series_expire),
		cmocka_unit_test(test_a_tick_without_a_file_still_lets_replaced_crontabs_go),
		cmocka_unit_test(test_writes_are_coalesced_and_never_due_when_nothing_changed),
		cmocka_unit_test(test_failed_write_reports_the_path_and_waits_for_a_change),
		cmocka_unit_test(test_write_never_goes_through_a_planted_tmp),
		cmocka_unit_test(test_a_large_file_is_written_a_step_per_tick),
		cmocka_unit_test(test_steps_of_any_size_write_the_same_file),
		cmocka_unit_test(test_series_changing_between_steps),
		cmocka_unit_test(test_a_write_under_way_is_forced_dropped_or_freed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
