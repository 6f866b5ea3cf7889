/* crond/control/listenfd.c: the control socket from systemd (see listenfd.h),
 * through libsystemd loaded only when systemd passed descriptors
 * (crond/sdlib.h). */
#include "crond/control/listenfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "crond/sdlib.h"

int listenfd_from_systemd(const char *path, char *err, size_t errlen)
{
	/* No LISTEN_PID: nothing was passed, and libsystemd need not load. */
	if (getenv("LISTEN_PID") == NULL)
		return LISTENFD_NONE;
	const struct sdlib *sd = sdlib_get(err, errlen);
	if (sd == NULL)
		return -1;
	int n = sd->listen_fds(1);
	if (n == 0)
		return LISTENFD_NONE;
	if (n < 0) {
		snprintf(err, errlen, "cannot take the sockets systemd passed (LISTEN_FDS): %s",
		         strerror(-n));
		return -1;
	}
	int fd = SD_LISTEN_FDS_START;
	if (n > 1) {
		snprintf(err, errlen, "systemd passed %d sockets (LISTEN_FDS); crond takes one", n);
		return -1;
	}
	int rc = sd->is_socket_unix(fd, SOCK_STREAM, 1, path, 0);
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
