/* crond/daemonize.c: daemonization with a start-up report (see daemonize.h). */
#include "crond/daemonize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The original parent: relay the daemon's report and exit with it. */
static void wait_for_report(int rfd, pid_t child)
{
	char buf[512];
	size_t n = 0;
	for (;;) {
		ssize_t r = read(rfd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += (size_t)r) >= sizeof(buf) - 1)
			break;
	}
	buf[n] = '\0';
	/* The intermediate child exits at once; reap it. */
	waitpid(child, NULL, 0);
	if (n >= 2 && strncmp(buf, "OK", 2) == 0)
		_exit(0);
	fprintf(stderr, "crond: %s\n", n ? buf : "the daemon exited during start-up");
	_exit(1);
}

/* Closes every descriptor from 3 up except KEEP (close_range, or a loop on
 * kernels older than 5.9). */
static void close_all_but(int keep)
{
	if ((keep <= 3 || close_range(3, (unsigned)keep - 1, 0) == 0) &&
	    close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

static int null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

int daemonize(char *err, size_t errlen)
{
	umask(022);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		wait_for_report(p[0], pid);
	}
	close(p[0]);
	if (setsid() < 0)
		_exit(1);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		_exit(1);
	/* Every inherited descriptor goes, except the report pipe. */
	close_all_but(p[1]);
	if (null_stdio() < 0) {
		daemonize_report(p[1], "cannot open /dev/null");
		_exit(1);
	}
	return p[1];
}

void daemonize_report(int fd, const char *msg)
{
	if (fd < 0)
		return;
	const char *text = msg ? msg : "OK";
	ssize_t w = write(fd, text, strlen(text));
	(void)w;  /* the parent reports "exited during start-up" if this fails */
	close(fd);
}
