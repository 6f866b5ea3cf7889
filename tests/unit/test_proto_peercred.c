/* tests/unit/test_proto_peercred.c: who is calling (lib/peercred.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/peercred.h"

static void test_peer_of_a_socketpair_is_ourselves(void **state)
{
	(void)state;
	int sv[2];
	struct peercred pc;
	char msg[128] = "untouched";
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(peercred_get(sv[0], &pc, msg, sizeof msg), 0);
	assert_int_equal(pc.pid, getpid());
	assert_int_equal(pc.uid, geteuid());
	assert_int_equal(pc.gid, getegid());
	assert_string_equal(msg, "untouched");
	assert_int_equal(close(sv[0]), 0);
	assert_int_equal(close(sv[1]), 0);
}

/* The credentials are the connecting process's, taken at connect time. */
static void test_peer_of_an_accepted_connection_is_the_connecting_process(void **state)
{
	(void)state;
	char dir[] = "/tmp/peercred-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/s", dir);
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(listen(lfd, 5), 0);

	int ready[2];
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		char c = 0;
		if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
			_exit(1);
		(void)close(ready[1]);
		/* Wait for the parent to look: EOF when it closes its end. */
		_exit(read(ready[0], &c, 1) >= 0 ? 0 : 2);
	}
	assert_int_equal(close(ready[0]), 0);
	int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cfd >= 0);
	struct peercred pc;
	char msg[128];
	assert_int_equal(peercred_get(cfd, &pc, msg, sizeof msg), 0);
	assert_int_equal(pc.pid, pid);
	assert_int_equal(pc.uid, geteuid());
	assert_int_equal(close(ready[1]), 0);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(close(cfd), 0);
	assert_int_equal(close(lfd), 0);
	assert_int_equal(unlink(sun.sun_path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_non_socket_gives_a_one_line_error(void **state)
{
	(void)state;
	int p[2];
	struct peercred pc;
	char msg[128];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(peercred_get(p[0], &pc, msg, sizeof msg), -1);
	assert_int_equal(errno, ENOTSOCK);
	assert_string_equal(msg, "cannot read peer credentials: Socket operation on non-socket");
	assert_int_equal(peercred_get(-1, &pc, msg, sizeof msg), -1);
	assert_string_equal(msg, "cannot read peer credentials: Bad file descriptor");
	assert_int_equal(peercred_get(-1, &pc, msg, 10), -1);   /* cut to fit */
	assert_string_equal(msg, "cannot re");
	assert_int_equal(peercred_get(-1, &pc, NULL, 0), -1);
	assert_int_equal(close(p[0]), 0);
	assert_int_equal(close(p[1]), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_of_a_socketpair_is_ourselves),
		cmocka_unit_test(test_peer_of_an_accepted_connection_is_the_connecting_process),
		cmocka_unit_test(test_non_socket_gives_a_one_line_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
