/* crond/listenfd.c: the control socket from systemd (see listenfd.h). */
#include "crond/listenfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

int listenfd_from_systemd(const char *path, char *err, size_t errlen)
{
	int n = sd_listen_fds(1);
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
	int rc = sd_is_socket_unix(fd, SOCK_STREAM, 1, path, 0);
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
