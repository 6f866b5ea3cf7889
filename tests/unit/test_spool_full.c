/* tests/unit/test_spool_full.c: a full disk. The spool lives on a 256 KiB
 * tmpfs (so this needs root; skipped otherwise): writes that no longer fit
 * fail with SPOOL_FULL, are rolled back, and leave earlier data intact. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "spool/spool.h"
#include "tests/unit/support/spool_fixture.h"
#include "tests/unit/support/tmpdir.h"

struct fixture {
	char dir[64];
	char path[128];
	bool mounted;
};

/* The spool's directory on a tmpfs of OPTIONS (when root). */
static int setup_fs(void **state, const char *options)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	assert_non_null(fx);
	assert_int_equal(tmpdir_make(fx->dir, sizeof fx->dir, "spool-full"), 0);
	snprintf(fx->path, sizeof fx->path, "%s/crond.db", fx->dir);
	if (geteuid() == 0 && mount("tmpfs", fx->dir, "tmpfs", MS_NOSUID | MS_NODEV, options) == 0)
		fx->mounted = true;
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return setup_fs(state, "size=256k,mode=0700");
}

/* Room for the 1 MiB reserve and a little more. */
static int setup_reserve(void **state)
{
	return setup_fs(state, "size=3m,mode=0700");   /* the spool and both reserves */
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	if (fx->mounted && umount(fx->dir) != 0)
		umount2(fx->dir, MNT_DETACH);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void need_small_fs(const struct fixture *fx)
{
	if (!fx->mounted) {
		print_message("skipped: needs root to mount a small tmpfs (%s)\n",
			      geteuid() == 0 ? strerror(errno) : "not root");
		skip();
	}
}

static void test_full_disk_fails_cleanly_and_keeps_earlier_data(void **state)
{
	struct fixture *fx = *state;
	need_small_fs(fx);
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, SPOOL_CREATE, &sp, &err), SPOOL_OK);
	const char keep[] = "0 3 * * * /usr/local/bin/keep-me\n";
	assert_int_equal(spool_crontab_install(sp, "keeper", 1, keep, sizeof keep - 1, 0, 1,
					       NULL, &err), SPOOL_OK);
	struct spool_run r = { .owner = "keeper", .entry_key = "k", .command = "c" };
	assert_int_equal(spool_history_append(sp, &r, 1, &err), SPOOL_OK);

	/* Fill it with 24 KiB crontabs until a write no longer fits. */
	static char big[24 * 1024];
	memset(big, '#', sizeof big);
	char owner[32];
	int rc = SPOOL_OK, installed = 0;
	for (int i = 0; i < 100 && rc == SPOOL_OK; i++) {
		snprintf(owner, sizeof owner, "filler%d", i);
		rc = spool_crontab_install(sp, owner, 2, big, sizeof big, 0, 2, NULL, &err);
		installed += rc == SPOOL_OK;
	}
	if (getenv("SPOOL_TEST_VERBOSE") != NULL)
		print_message("  after %d installs: %s\n", installed, err.msg);
	assert_int_equal(rc, SPOOL_FULL);
	assert_int_equal(err.code, SPOOL_FULL);
	assert_non_null(strstr(err.msg, fx->path));
	assert_true(installed > 0);

	/* The failed install left nothing; everything before it is intact. */
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(sp, owner, &c, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_crontab_get(sp, "keeper", &c, &err), SPOOL_OK);
	assert_int_equal(c.len, sizeof keep - 1);
	assert_memory_equal(c.text, keep, c.len);
	spool_crontab_free(&c);
	snprintf(owner, sizeof owner, "filler%d", installed - 1);
	assert_int_equal(spool_crontab_get(sp, owner, &c, &err), SPOOL_OK);
	assert_memory_equal(c.text, big, sizeof big);
	spool_crontab_free(&c);

	/* A big batch of history fails as a whole, too. */
	static struct spool_run runs[200];
	for (int i = 0; i < 200; i++)
		runs[i] = (struct spool_run){ .owner = "keeper", .entry_key = "k", .command = "c",
			.output = big, .output_len = 4096, .output_total = 4096 };
	assert_int_equal(spool_history_append(sp, runs, 200, &err), SPOOL_FULL);
	assert_int_equal(spool_fixture_count_runs(sp, NULL), 1);
	spool_close(sp);

	/* Reopened (and checked), the spool is sound. */
	assert_int_equal(spool_open(fx->path, SPOOL_CHECK, &sp, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_get(sp, "keeper", &c, &err), SPOOL_OK);
	spool_crontab_free(&c);
	assert_int_equal(spool_fixture_count_runs(sp, NULL), 1);
	spool_close(sp);
}

static void test_full_disk_at_creation_is_reported(void **state)
{
	struct fixture *fx = *state;
	need_small_fs(fx);
	/* Leave almost no room, then create the spool. */
	char filler[160];
	snprintf(filler, sizeof filler, "%s/filler", fx->dir);
	FILE *f = fopen(filler, "w");
	assert_non_null(f);
	static char block[4096];
	while (fwrite(block, 1, sizeof block, f) == sizeof block && fflush(f) == 0)
		;
	fclose(f);
	struct spool *sp = NULL;
	struct spool_err err;
	int rc = spool_open(fx->path, SPOOL_CREATE, &sp, &err);
	if (getenv("SPOOL_TEST_VERBOSE") != NULL)
		print_message("  %s\n", err.msg);
	assert_int_equal(rc, SPOOL_FULL);
	assert_null(sp);
	assert_non_null(strstr(err.msg, fx->path));
	unlink(filler);
	/* With room again, the half-created spool opens and works. */
	assert_int_equal(spool_open(fx->path, SPOOL_CREATE | SPOOL_CHECK, &sp, &err), SPOOL_OK);
	assert_int_equal(spool_meta_set(sp, "k", "v", &err), SPOOL_OK);
	spool_close(sp);
}

/* The attack: a user fills the spool's file system. Removals still work:
 * the spool's reserve is released and the removal retried (the control
 * thread does this); a reserve that finds no room leaves nothing behind. */
static void test_removal_fits_once_the_reserve_is_released(void **state)
{
	struct fixture *fx = *state;
	need_small_fs(fx);
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(fx->path, SPOOL_CREATE, &sp, &err), SPOOL_OK);
	assert_false(spool_reserve_present(sp));
	assert_int_equal(spool_reserve_make(sp, &err), SPOOL_OK);
	assert_true(spool_reserve_present(sp));
	assert_int_equal(spool_reserve_make(sp, &err), SPOOL_OK);   /* already there */
	static char big[8 * 1024];
	memset(big, '#', sizeof big);
	assert_int_equal(spool_crontab_install(sp, "mallory", 2, big, sizeof big, 0, 1, NULL,
					       &err), SPOOL_OK);
	struct spool_at_job job = { .queue = 'a', .owner = "mallory", .uid = 2, .gid = 2,
		.run_at = 10, .script = big, .script_len = sizeof big, .cwd = "/" };
	int64_t id = 0;
	assert_int_equal(spool_at_submit(sp, &job, &id, &err), SPOOL_OK);

	char filler[160];                          /* the file system fills up */
	snprintf(filler, sizeof filler, "%s/filler", fx->dir);
	FILE *f = fopen(filler, "w");
	assert_non_null(f);
	while (fwrite(big, 1, 4096, f) == 4096 && fflush(f) == 0)
		;
	fclose(f);
	int rm_at = spool_at_remove(sp, id, 2, &err);
	int rm_tab = spool_crontab_remove(sp, "mallory", 2, 2, NULL, &err);
	if (getenv("SPOOL_TEST_VERBOSE") != NULL)
		print_message("  full: atrm %d, crontab -r %d: %s\n", rm_at, rm_tab, err.msg);
	assert_true(rm_at == SPOOL_FULL || rm_tab == SPOOL_FULL);

	uint64_t freed = 0;
	assert_int_equal(spool_reserve_release(sp, false, &freed, &err), SPOOL_OK);
	assert_true(freed >= SPOOL_RESERVE_BYTES);
	assert_false(spool_reserve_present(sp));
	if (rm_at == SPOOL_FULL)
		assert_int_equal(spool_at_remove(sp, id, 2, &err), SPOOL_OK);
	if (rm_tab == SPOOL_FULL)
		assert_int_equal(spool_crontab_remove(sp, "mallory", 2, 2, NULL, &err), SPOOL_OK);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(sp, "mallory", &c, &err), SPOOL_NOT_FOUND);
	struct spool_at_job j;
	assert_int_equal(spool_at_get(sp, id, &j, &err), SPOOL_NOT_FOUND);
	/* The shared reserve is spent: a user's removal finds none, root's
	 * has its own, once. */
	assert_int_equal(spool_reserve_release(sp, false, &freed, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_reserve_release(sp, true, &freed, &err), SPOOL_OK);
	assert_true(freed >= SPOOL_RESERVE_BYTES);
	assert_int_equal(spool_reserve_release(sp, true, &freed, &err), SPOOL_NOT_FOUND);

	/* Still full: no room for a new reserve, and no partial one left. */
	f = fopen(filler, "a");
	assert_non_null(f);
	while (fwrite(big, 1, 4096, f) == 4096 && fflush(f) == 0)
		;
	fclose(f);
	assert_int_equal(spool_reserve_make(sp, &err), SPOOL_FULL);
	assert_non_null(strstr(err.msg, "reserve"));
	assert_false(spool_reserve_present(sp));
	char reserve[200];
	snprintf(reserve, sizeof reserve, "%s-reserve", fx->path);
	assert_int_equal(access(reserve, F_OK), -1);
	snprintf(reserve, sizeof reserve, "%s-reserve-root", fx->path);
	assert_int_equal(access(reserve, F_OK), -1);
	unlink(filler);                            /* room again: it comes back */
	assert_int_equal(spool_reserve_make(sp, &err), SPOOL_OK);
	assert_true(spool_reserve_present(sp));
	spool_close(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_full_disk_fails_cleanly_and_keeps_earlier_data),
		T(test_full_disk_at_creation_is_reported),
		cmocka_unit_test_setup_teardown(test_removal_fits_once_the_reserve_is_released,
						setup_reserve, teardown),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
