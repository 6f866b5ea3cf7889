/* lib/readall.c: bounded whole-input reads (see readall.h). */
#include "lib/readall.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_fd(int fd, const char *name, size_t max, char **buf, size_t *len, char *err,
                   size_t errlen)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	if (!b) {
		snprintf(err, errlen, "%s: out of memory", name);
		return READALL_REFUSED;
	}
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(b);
				snprintf(err, errlen, "%s: input is larger than %zu bytes", name, max);
				return READALL_REFUSED;
			}
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb = realloc(b, ncap + 1);
			if (!nb) {
				free(b);
				snprintf(err, errlen, "%s: out of memory", name);
				return READALL_REFUSED;
			}
			b = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			free(b);
			return READALL_REFUSED;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(b);
			snprintf(err, errlen, "%s: input is larger than %zu bytes", name, max);
			return READALL_REFUSED;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* PATH into *BUF. STREAMS: anything but a directory is read, blocking, to
 * its end or one byte past MAX (at -f: a FIFO, /dev/stdin, <(...)), as
 * Debian's at reads it; else only a regular file, opened without blocking. */
static int read_path(const char *path, bool streams, size_t max, char **buf, size_t *len,
                     char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (streams ? 0 : O_NONBLOCK));
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return READALL_CANNOT_OPEN;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return READALL_CANNOT_OPEN;
	}
	if (S_ISDIR(st.st_mode) || (!streams && !S_ISREG(st.st_mode))) {
		snprintf(err, errlen, "%s: %s", path,
		         streams ? strerror(EISDIR) : "not a regular file");
		close(fd);
		return READALL_REFUSED;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
		snprintf(err, errlen, "%s: file is %lld bytes, larger than %zu", path,
		         (long long)st.st_size, max);
		close(fd);
		return READALL_REFUSED;
	}
	/* Regular files never block; clear O_NONBLOCK anyway for clarity. */
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0 && (flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	int rc = read_fd(fd, path, max, buf, len, err, errlen);
	close(fd);
	return rc;
}

int readall(const char *path, size_t max, char **buf, size_t *len, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, "standard input", max, buf, len, err, errlen);
	return read_path(path, false, max, buf, len, err, errlen);
}

int readall_file(const char *path, size_t max, char **buf, size_t *len, char *err,
                 size_t errlen)
{
	return read_path(path, true, max, buf, len, err, errlen);
}
