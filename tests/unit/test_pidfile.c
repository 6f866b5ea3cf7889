/* tests/unit/test_pidfile.c: the singleton lock (crond/pidfile.h): the
 * file holds exactly "PID\n" whatever was there before, a second process
 * is refused with the holder's pid, and a clean release removes the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "crond/pidfile.h"

struct dir {
	char path[64];
	char pidfile[96];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/test_pidfile.XXXXXX");
	if (mkdtemp(d->path) == NULL) {
		free(d);
		return -1;
	}
	snprintf(d->pidfile, sizeof(d->pidfile), "%s/crond.pid", d->path);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	(void)unlink(d->pidfile);
	(void)rmdir(d->path);
	free(d);
	return 0;
}

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Takes the lock on D's pidfile, which must succeed. */
static int acquire(const struct dir *d)
{
	pid_t other = -1;
	char err[256] = "";
	int fd = pidfile_acquire(d->pidfile, &other, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(other, 0);
	return fd;
}

/* PATH holds exactly this process's "PID\n". */
static void assert_holds_our_pid(const char *path)
{
	char want[32], got[128];
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	read_file(path, got, sizeof(got));
	assert_string_equal(got, want);
}

static void test_a_new_file_holds_the_pid(void **state)
{
	struct dir *d = *state;
	int fd = acquire(d);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_holds_our_pid(d->pidfile);
	struct stat st;
	assert_int_equal(stat(d->pidfile, &st), 0);
	mode_t mask = umask(022);
	umask(mask);
	assert_int_equal(st.st_mode & 07777, 0644 & ~mask);
	pidfile_release(d->pidfile, fd);
	assert_int_equal(access(d->pidfile, F_OK), -1);
}

/* A killed daemon's file is taken over: its longer content must not leave
 * a tail behind the new pid (the file is written first, then cut). */
static void test_a_stale_longer_file_is_replaced_whole(void **state)
{
	struct dir *d = *state;
	write_file(d->pidfile, "1234567890123\nleft over by someone\n");
	int fd = acquire(d);
	assert_holds_our_pid(d->pidfile);
	pidfile_release(d->pidfile, fd);
}

static void test_a_second_process_is_told_who_holds_it(void **state)
{
	struct dir *d = *state;
	int fd = acquire(d);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* fcntl locks are per process: the child is a second daemon */
		pid_t held = 0;
		char cerr[256] = "";
		int cfd = pidfile_acquire(d->pidfile, &held, cerr, sizeof(cerr));
		char want[64];
		snprintf(want, sizeof(want), "already running (pid %d)", (int)getppid());
		_exit(cfd == -1 && held == getppid() && strcmp(cerr, want) == 0 ? 0 : 1);
	}
	int status = 0;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the refused start left the holder's file as it was */
	assert_holds_our_pid(d->pidfile);
	pidfile_release(d->pidfile, fd);
}

static void test_a_symlink_is_refused(void **state)
{
	struct dir *d = *state;
	char target[128];
	snprintf(target, sizeof(target), "%s/elsewhere", d->path);
	assert_int_equal(symlink(target, d->pidfile), 0);
	pid_t other = -1;
	char err[256] = "";
	assert_int_equal(pidfile_acquire(d->pidfile, &other, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open pidfile"));
	assert_non_null(strstr(err, d->pidfile));
	assert_int_equal(access(target, F_OK), -1);   /* nothing created through it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_new_file_holds_the_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_stale_longer_file_is_replaced_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_second_process_is_told_who_holds_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_symlink_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
