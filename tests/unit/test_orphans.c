/* tests/unit/test_orphans.c: orphans_reap reaps the exited children its
 * caller does not claim, leaves the ones it claims to their owner, stops
 * at a claimed one and goes on once its owner has reaped it; and says
 * whether orphans come to this process (not PID 1 here; a subreaper once
 * it asks to be one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "crond/run/orphans.h"

struct claims {
	pid_t pids[4];
	size_t n;
};

static bool claimed(void *ctx, pid_t pid)
{
	const struct claims *c = ctx;
	for (size_t i = 0; i < c->n; i++)
		if (c->pids[i] == pid)
			return true;
	return false;
}

/* A child that exits at once; returns once it has (still unreaped). */
static pid_t exited_child(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(7);
	siginfo_t si = { 0 };
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	return pid;
}

static bool is_zombie(pid_t pid)
{
	siginfo_t si = { 0 };
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

static void test_unclaimed_children_are_reaped_and_claimed_ones_left(void **state)
{
	(void)state;
	pid_t mine = exited_child();   /* the first the kernel shows */
	struct claims c = { { mine }, 1 };
	pid_t other = exited_child();
	/* Stops at the claimed one, first in line: nothing reaped yet. */
	assert_int_equal(orphans_reap(claimed, &c, 16), 0);
	assert_true(is_zombie(mine));
	assert_true(is_zombie(other));
	/* Its owner reaps it, with its status; the next call takes the other. */
	int status = 0;
	assert_int_equal(waitpid(mine, &status, 0), mine);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	assert_int_equal(orphans_reap(claimed, &c, 16), 1);
	assert_false(is_zombie(other));
	assert_int_equal(waitpid(other, NULL, WNOHANG), -1);   /* gone: ECHILD */
	/* No child at all, and MAX: */
	assert_int_equal(orphans_reap(claimed, &c, 16), 0);
	pid_t a = exited_child(), b = exited_child();
	c.n = 0;
	assert_int_equal(orphans_reap(claimed, &c, 1), 1);
	assert_int_equal(orphans_reap(claimed, &c, 1), 1);
	assert_false(is_zombie(a) || is_zombie(b));
}

static void test_a_running_child_is_not_touched(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	struct claims c = { { 0 }, 0 };
	assert_int_equal(orphans_reap(claimed, &c, 16), 0);
	assert_int_equal(kill(pid, 0), 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
}

static void test_orphans_come_to_a_subreaper(void **state)
{
	(void)state;
	if (getpid() != 1)
		assert_false(orphans_come_here());
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_true(orphans_come_here());
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unclaimed_children_are_reaped_and_claimed_ones_left),
		cmocka_unit_test(test_a_running_child_is_not_touched),
		cmocka_unit_test(test_orphans_come_to_a_subreaper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
