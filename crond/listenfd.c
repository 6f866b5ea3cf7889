/* crond/listenfd.c: the control socket from systemd (see listenfd.h).
 *
 * The protocol (sd_listen_fds(3)): LISTEN_PID is the pid the descriptors
 * are meant for (another process's, e.g. a shell's that started crond,
 * means none are ours), LISTEN_FDS how many, from descriptor 3 on;
 * LISTEN_FDNAMES may name them. crond reads these itself instead of
 * linking libsystemd (see notify.c for why), and unsets all three so that
 * no job inherits them.
 */
#include "crond/listenfd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_FDS_START 3

/* VALUE as a decimal number in [0, MAX]: the number, or -1. */
static long parse_count(const char *value, long max)
{
	if (value == NULL || value[0] < '0' || value[0] > '9')
		return -1;
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > max)
		return -1;
	return n;
}

/* How many descriptors systemd passed to this process: 0 when none are
 * ours, -1 with ERR when LISTEN_FDS is not a count. */
static int passed_count(char *err, size_t errlen)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	if (pid == NULL)
		return 0;
	if (parse_count(pid, LONG_MAX) != (long)getpid())
		return 0;
	long n = parse_count(fds, INT_MAX - LISTEN_FDS_START);
	if (n < 0) {
		snprintf(err, errlen,
		         "cannot take the sockets systemd passed: LISTEN_FDS is '%s', not a count",
		         fds == NULL ? "" : fds);
		return -1;
	}
	return (int)n;
}

/* Is FD a listening Unix stream socket bound to PATH? 1 yes, 0 no, -errno. */
static int is_listening_unix(int fd, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return 0;
	int v = 0;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l) < 0)
		return -errno;
	if (l != sizeof(v) || v != SOCK_STREAM)
		return 0;
	l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) < 0)
		return -errno;
	if (l != sizeof(v) || v == 0)
		return 0;
	struct sockaddr_un addr;
	memset(&addr, 0, sizeof(addr));
	l = sizeof(addr);
	if (getsockname(fd, (struct sockaddr *)&addr, &l) < 0)
		return -errno;
	if (addr.sun_family != AF_UNIX || l <= offsetof(struct sockaddr_un, sun_path))
		return 0;
	size_t have = l - offsetof(struct sockaddr_un, sun_path), want = strlen(path);
	if (have > sizeof(addr.sun_path))
		have = sizeof(addr.sun_path);
	/* A path's address ends with its NUL, or fills sun_path without one. */
	if (have > 0 && addr.sun_path[have - 1] == '\0')
		have--;
	return have == want && memcmp(addr.sun_path, path, want) == 0;
}

int listenfd_from_systemd(const char *path, char *err, size_t errlen)
{
	int n = passed_count(err, errlen);
	if (unsetenv("LISTEN_PID") < 0 || unsetenv("LISTEN_FDS") < 0 ||
	    unsetenv("LISTEN_FDNAMES") < 0) {
		snprintf(err, errlen, "cannot unset LISTEN_PID, LISTEN_FDS: %s", strerror(errno));
		return -1;
	}
	if (n <= 0)
		return n == 0 ? LISTENFD_NONE : -1;
	int fd = LISTEN_FDS_START;
	if (n > 1) {
		snprintf(err, errlen, "systemd passed %d sockets (LISTEN_FDS); crond takes one", n);
		return -1;
	}
	int rc = is_listening_unix(fd, path);
	if (rc <= 0) {
		snprintf(err, errlen,
		         "the socket systemd passed (descriptor %d) is not a listening Unix stream "
		         "socket at %s (crond.conf's socket must be crond.socket's ListenStream)%s%s",
		         fd, path, rc < 0 ? ": " : "", rc < 0 ? strerror(-rc) : "");
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot set up the socket systemd passed: %s", strerror(errno));
		return -1;
	}
	return fd;
}
