/* tests/unit/test_syscron.c: the system crontabs' watch (what an inotify
 * event means) and reading through symbolic links (crond/sched/syscron.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crond/sched/syscron.h"
#include "lib/tz.h"
#include "tests/unit/support/tmpdir.h"

struct fixture {
	char dir[256];
	struct config cfg;
	struct syscron *sc;
	struct tz *zone;
	struct scheduler *sched;
};

static void path_in(const struct fixture *f, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", f->dir, name);
	assert_true(n > 0 && (size_t)n < len);
}

/* Writes TEXT to NAME (under the fixture's directory), root's, mode 0644. */
static void write_file(const struct fixture *f, const char *name, const char *text)
{
	char path[512];
	path_in(f, name, path, sizeof(path));
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, 0644), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || tmpdir_make(f->dir, sizeof(f->dir), "test_syscron") < 0)
		return -1;
	config_defaults(&f->cfg);
	snprintf(f->cfg.system_crontab, sizeof(f->cfg.system_crontab), "%s/crontab", f->dir);
	snprintf(f->cfg.system_crontab_dir, sizeof(f->cfg.system_crontab_dir), "%s/cron.d", f->dir);
	char ext[512];
	snprintf(ext, sizeof(ext), "%s/ext", f->dir);
	char err[128];
	f->zone = tz_load("UTC", err, sizeof(err));
	if (mkdir(f->cfg.system_crontab_dir, 0755) < 0 || mkdir(ext, 0755) < 0 || !f->zone)
		return -1;
	f->sc = syscron_new();
	f->sched = scheduler_new(f->zone, 0);
	if (!f->sc || !f->sched)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	syscron_free(f->sc);
	scheduler_free(f->sched);
	tz_free(f->zone);
	int rc = tmpdir_remove(f->dir);
	free(f);
	return rc;
}

static size_t entries(const struct fixture *f)
{
	struct scheduler_stats st;
	scheduler_stats(f->sched, &st);
	return st.entries;
}

static void test_what_events_mean(void **state)
{
	struct fixture *f = *state;
	assert_true(syscron_watch(f->sc, &f->cfg) >= 0);
	assert_int_equal(syscron_drain(f->sc), SYSCRON_NONE);

	write_file(f, "hosts", "127.0.0.1 x\n");     /* another file of /etc */
	assert_int_equal(syscron_drain(f->sc), SYSCRON_NONE);
	write_file(f, "cron.d/x.dpkg-old", "");        /* a name run-parts skips: */
	assert_int_equal(syscron_drain(f->sc), SYSCRON_CHANGED);   /* looked at, to say so */
	write_file(f, "cron.d/x.dpkg-old", "x");       /* written again: nothing new */
	assert_int_equal(syscron_drain(f->sc), SYSCRON_NONE);
	write_file(f, "cron.d/.x.swp", "");            /* hidden: not even said */
	assert_int_equal(syscron_drain(f->sc), SYSCRON_NONE);
	write_file(f, "cron.d/job", "* * * * * root true\n");
	assert_int_equal(syscron_drain(f->sc), SYSCRON_CHANGED);
	write_file(f, "crontab", "* * * * * root true\n");
	assert_int_equal(syscron_drain(f->sc), SYSCRON_CHANGED);

	/* cron.d moved away: the watch must follow what is there now. */
	char old[512], moved[512];
	path_in(f, "cron.d", old, sizeof(old));
	path_in(f, "cron.d.old", moved, sizeof(moved));
	assert_int_equal(rename(old, moved), 0);
	assert_int_equal(syscron_drain(f->sc), SYSCRON_REWATCH);
	assert_true(syscron_watch(f->sc, &f->cfg) >= 0);
	write_file(f, "cron.d.old/job2", "* * * * * root true\n");   /* no longer ours */
	assert_int_equal(syscron_drain(f->sc), SYSCRON_NONE);
	/* ... and a new one made. */
	assert_int_equal(mkdir(old, 0755), 0);
	assert_int_equal(syscron_drain(f->sc), SYSCRON_REWATCH);
	assert_true(syscron_watch(f->sc, &f->cfg) >= 0);
	write_file(f, "cron.d/job3", "* * * * * root true\n");
	assert_int_equal(syscron_drain(f->sc), SYSCRON_CHANGED);
}

static void test_read_through_links(void **state)
{
	struct fixture *f = *state;
	char target[512], link[512], later[512], dangling[512];
	path_in(f, "ext/app", target, sizeof(target));
	path_in(f, "cron.d/app", link, sizeof(link));
	path_in(f, "ext/later", later, sizeof(later));
	path_in(f, "cron.d/later", dangling, sizeof(dangling));
	int64_t now = 1767225600;   /* 2026-01-01T00:00:00Z */

	write_file(f, "cron.d/plain", "0 1 * * * root true\n");
	syscron_reload(f->sc, &f->cfg, f->sched, now, true);
	assert_int_equal(entries(f), 1);
	assert_false(syscron_follows_links(f->sc));

	write_file(f, "ext/app", "0 2 * * * root true\n");
	assert_int_equal(symlink(target, link), 0);
	syscron_reload(f->sc, &f->cfg, f->sched, now, false);
	assert_int_equal(entries(f), 2);
	assert_true(syscron_follows_links(f->sc));

	/* The target rewritten: a look that is not forced sees it. */
	write_file(f, "ext/app", "0 2 * * * root true\n0 3 * * * root true\n");
	syscron_reload(f->sc, &f->cfg, f->sched, now, false);
	assert_int_equal(entries(f), 3);

	/* A link to nothing loads nothing, until its file appears. */
	assert_int_equal(symlink(later, dangling), 0);
	syscron_reload(f->sc, &f->cfg, f->sched, now, false);
	assert_int_equal(entries(f), 3);
	write_file(f, "ext/later", "0 4 * * * root true\n");
	syscron_reload(f->sc, &f->cfg, f->sched, now, false);
	assert_int_equal(entries(f), 4);

	/* The links removed: their entries go, and nothing is followed. */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(dangling), 0);
	syscron_reload(f->sc, &f->cfg, f->sched, now, false);
	assert_int_equal(entries(f), 1);
	assert_false(syscron_follows_links(f->sc));
}

static void test_link_of_another_owner_is_refused(void **state)
{
	struct fixture *f = *state;
	if (geteuid() != 0)
		skip();   /* only root can give a link away */
	char target[512], link[512];
	path_in(f, "ext/other", target, sizeof(target));
	path_in(f, "cron.d/other", link, sizeof(link));
	write_file(f, "ext/other", "0 2 * * * root true\n");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(lchown(link, 65534, 65534), 0);
	syscron_reload(f->sc, &f->cfg, f->sched, 1767225600, true);
	assert_int_equal(entries(f), 0);
	assert_int_equal(lchown(link, 0, 0), 0);   /* made root's: read */
	syscron_reload(f->sc, &f->cfg, f->sched, 1767225600, false);
	assert_int_equal(entries(f), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_what_events_mean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_through_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_of_another_owner_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
