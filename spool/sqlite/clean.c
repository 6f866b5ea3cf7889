/* spool/sqlite/clean.c: whether the database is as the daemon's own clean
 * stop left it, so that its start need not read every page again.
 *
 * PRAGMA quick_check reads the whole file: 0.2 ms for an empty spool, and
 * 43-56 ms (warm page cache) for one with 100,000 history rows, a month of
 * a busy machine; cold, after a boot, it reads all of it from disk. The
 * daemon ran it at every start. Now, once every connection of a stopping
 * daemon is closed (SQLite has checkpointed and emptied the WAL),
 * spool_mark_clean records the database file's identity and times in
 * PATH-clean; an open with SPOOL_CHECK skips quick_check only when that
 * record still matches the file exactly and the WAL is empty or absent.
 * Anything that wrote the file since (a later daemon's checkpoint, another
 * program, a restored copy) changes its change time, which no user can set;
 * a daemon that died left a WAL with frames, or changed the file. A
 * marker that is missing, unreadable, unsafe (a link, someone else's,
 * writable by others) or malformed simply means "check". It is not synced:
 * losing it costs one check.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool/sqlite/internal.h"

#define MARK_SUFFIX "-clean"
#define MARK_MAGIC "crond-clean 1"

/* PATH with SUFFIX into BUF; false when too long. */
static bool companion(char *buf, size_t size, const char *path, const char *suffix)
{
	int n = snprintf(buf, size, "%s%s", path, suffix);
	return n > 0 && (size_t)n < size;
}

/* The marker's line for the file whose status is ST. */
static int format_mark(char *buf, size_t size, const struct stat *st)
{
	return snprintf(buf, size,
	                MARK_MAGIC " %" PRIuMAX " %" PRIuMAX " %" PRIdMAX " %" PRIdMAX ".%09ld"
	                " %" PRIdMAX ".%09ld\n",
	                (uintmax_t)st->st_dev, (uintmax_t)st->st_ino, (intmax_t)st->st_size,
	                (intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
	                (intmax_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* Reads the marker of PATH into BUF (NUL-terminated); false when it is
 * missing, unreadable or not safe to believe. */
static bool read_mark(const char *path, char *buf, size_t size)
{
	char name[PATH_MAX + 16];
	if (!companion(name, sizeof name, path, MARK_SUFFIX))
		return false;
	int fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    !(st.st_mode & (S_IWGRP | S_IWOTH)))
		n = read(fd, buf, size - 1);
	(void)close(fd);   /* read-only: nothing to lose */
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

bool spool_sqlite_unchanged(const char *path)
{
	char mark[256], want[256];
	if (!read_mark(path, mark, sizeof mark))
		return false;
	struct stat st, wal;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	char name[PATH_MAX + 16];
	if (!companion(name, sizeof name, path, "-wal"))
		return false;
	if (lstat(name, &wal) == 0 ? wal.st_size != 0 : errno != ENOENT)
		return false;   /* frames to replay: a daemon did not stop cleanly */
	int len = format_mark(want, sizeof want, &st);
	return len > 0 && (size_t)len < sizeof want && strcmp(mark, want) == 0;
}

bool spool_sqlite_emptied(const char *path, intmax_t *was)
{
	char mark[256];
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != 0 ||
	    !read_mark(path, mark, sizeof mark))
		return false;
	uintmax_t dev, ino;
	return sscanf(mark, MARK_MAGIC " %ju %ju %jd", &dev, &ino, was) == 3 && *was > 0;
}

int spool_sqlite_mark_clean(const char *path, struct spool_err *err)
{
	char name[PATH_MAX + 16], line[256];
	struct stat st;
	if (!companion(name, sizeof name, path, MARK_SUFFIX))
		return spool_seterr(err, SPOOL_INVALID, "spool path too long");
	if (lstat(path, &st) != 0)
		return spool_seterr(err, SPOOL_IO, "spool %s: %m", path);
	int len = format_mark(line, sizeof line, &st);
	if (len <= 0 || (size_t)len >= sizeof line)
		return spool_seterr(err, SPOOL_IO, "%s: cannot format the marker", name);
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return spool_seterr(err, SPOOL_IO, "cannot write %s: %m", name);
	ssize_t n = write(fd, line, (size_t)len);
	int write_errno = n < 0 ? errno : EIO;   /* a short write: no errno */
	if (close(fd) != 0 && n == len) {
		n = -1;
		write_errno = errno;
	}
	if (n != len) {
		(void)unlink(name);   /* half a marker would only mean "check" */
		return spool_seterr(err, SPOOL_IO, "cannot write %s: %s", name,
		                    strerror(write_errno));
	}
	return SPOOL_OK;
}
