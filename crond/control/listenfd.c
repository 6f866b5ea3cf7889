/* crond/control/listenfd.c: the control sockets from systemd (see
 * listenfd.h), through libsystemd loaded only when systemd passed
 * descriptors (crond/sdlib.h). */
#include "crond/control/listenfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crond/sdlib.h"

/* Which of PATHS[0..N-1] the passed descriptor FD listens on, or -1 with
 * ERR. */
static int which_path(const struct sdlib *sd, int fd, const char *const *paths, size_t n,
                      char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		rc = sd->is_socket_unix(fd, SOCK_STREAM, 1, paths[i], 0);
		if (rc > 0)
			return (int)i;
		if (rc < 0)
			break;
	}
	snprintf(err, errlen,
	         "the socket systemd passed (descriptor %d) is not a listening Unix stream "
	         "socket at %s%s%s (crond.conf's socket must be crond.socket's ListenStream, "
	         "and its root socket crond-root.socket's)%s%s",
	         fd, paths[0], n > 1 ? " or " : "", n > 1 ? paths[1] : "", rc < 0 ? ": " : "",
	         rc < 0 ? strerror(-rc) : "");
	return -1;
}

int listenfd_from_systemd(const char *const *paths, int *fds, size_t n, char *err,
                          size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		fds[i] = LISTENFD_NONE;
	/* No LISTEN_PID: nothing was passed, and libsystemd need not load. */
	if (getenv("LISTEN_PID") == NULL)
		return 0;
	const struct sdlib *sd = sdlib_get(err, errlen);
	if (sd == NULL)
		return -1;
	int passed = sd->listen_fds(1);
	if (passed == 0)
		return 0;
	if (passed < 0) {
		snprintf(err, errlen, "cannot take the sockets systemd passed (LISTEN_FDS): %s",
		         strerror(-passed));
		return -1;
	}
	if ((size_t)passed > n) {
		snprintf(err, errlen, "systemd passed %d sockets (LISTEN_FDS); crond takes at most %zu",
		         passed, n);
		return -1;
	}
	for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + passed; fd++) {
		int i = which_path(sd, fd, paths, n, err, errlen);
		if (i >= 0 && fds[i] != LISTENFD_NONE) {
			snprintf(err, errlen, "systemd passed two sockets at %s (descriptors %d and %d)",
			         paths[i], fds[i], fd);
			i = -1;
		}
		int fl = i < 0 ? -1 : fcntl(fd, F_GETFL);
		if (i >= 0 && (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
		               fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)) {
			snprintf(err, errlen, "cannot set up the socket systemd passed: %s",
			         strerror(errno));
			i = -1;
		}
		if (i < 0) {
			for (int k = SD_LISTEN_FDS_START; k < SD_LISTEN_FDS_START + passed; k++)
				(void)close(k);
			for (size_t k = 0; k < n; k++)
				fds[k] = LISTENFD_NONE;
			return -1;
		}
		fds[i] = fd;
	}
	return passed;
}
