/* spool/path.c: the spool's place on disk.
 *
 * Before SQLite opens anything, the database file and its directory must
 * belong to the running user alone: a file or directory others can write, or
 * a symbolic link planted where the database should be, would let them feed
 * crontabs to a daemon that runs them as any user. lstat is used so a link is
 * seen as a link. The checks could only be raced by someone who can write the
 * directory, which they exclude; SQLite is then opened with
 * SQLITE_OPEN_NOFOLLOW as well. Created directories are 0700, files 0600.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool/sqlite/internal.h"

static int check_owned(const char *what, const char *p, const struct stat *st,
		       mode_t type, struct spool_err *err)
{
	if (S_ISLNK(st->st_mode))
		return spool_seterr(err, SPOOL_PERMISSION,
				    "%s %s is a symbolic link; refusing to use it",
				    what, p);
	if ((st->st_mode & S_IFMT) != type)
		return spool_seterr(err, SPOOL_INVALID, "%s %s is not a %s",
				    what, p, type == S_IFDIR ? "directory" : "regular file");
	if (st->st_uid != geteuid())
		return spool_seterr(err, SPOOL_PERMISSION,
				    "%s %s is owned by uid %u, not by the running user"
				    " (uid %u); refusing to use it", what, p,
				    (unsigned)st->st_uid, (unsigned)geteuid());
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return spool_seterr(err, SPOOL_PERMISSION,
				    "%s %s is group- or world-writable (mode %04o);"
				    " refusing to use it", what, p,
				    (unsigned)(st->st_mode & 07777));
	return SPOOL_OK;
}

static int check_dir(const char *dir, int flags, struct spool_err *err)
{
	struct stat st;
	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT || !(flags & SPOOL_CREATE))
			return spool_seterr(err, errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO,
					    "spool directory %s: %m", dir);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return spool_seterr(err, SPOOL_IO,
					    "cannot create spool directory %s: %m", dir);
		if (lstat(dir, &st) != 0)
			return spool_seterr(err, SPOOL_IO, "spool directory %s: %m", dir);
	}
	return check_owned("spool directory", dir, &st, S_IFDIR, err);
}

static int create_file(const char *path, struct spool_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? SPOOL_OK   /* someone else just did */
			: spool_seterr(err, SPOOL_IO, "cannot create spool %s: %m", path);
	if (close(fd) != 0)
		return spool_seterr(err, SPOOL_IO, "cannot create spool %s: %m", path);
	return SPOOL_OK;
}

static int check_file(const char *path, int flags, struct spool_err *err)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT)
			return spool_seterr(err, SPOOL_IO, "spool %s: %m", path);
		if (!(flags & SPOOL_CREATE))
			return spool_seterr(err, SPOOL_NOT_FOUND,
					    "spool %s does not exist", path);
		int code = create_file(path, err);
		if (code != SPOOL_OK)
			return code;
		if (lstat(path, &st) != 0)
			return spool_seterr(err, SPOOL_IO, "spool %s: %m", path);
	}
	return check_owned("spool", path, &st, S_IFREG, err);
}

/* SQLite's companions of the database: the same rules, if they exist. */
static int check_companions(const char *path, struct spool_err *err)
{
	static const char *const suffixes[] = { "-wal", "-shm" };
	char name[PATH_MAX + 8];
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		struct stat st;
		if (snprintf(name, sizeof name, "%s%s", path, suffixes[i]) >= (int)sizeof name)
			return spool_seterr(err, SPOOL_INVALID, "spool path too long");
		if (lstat(name, &st) != 0) {
			if (errno == ENOENT)
				continue;
			return spool_seterr(err, SPOOL_IO, "spool %s: %m", name);
		}
		int code = check_owned("spool file", name, &st, S_IFREG, err);
		if (code != SPOOL_OK)
			return code;
	}
	return SPOOL_OK;
}

int spool_check_path(const char *path, int flags, struct spool_err *err)
{
	size_t len = path != NULL ? strnlen(path, PATH_MAX) : 0;
	if (len == 0 || len >= PATH_MAX || path[len - 1] == '/')
		return spool_seterr(err, SPOOL_INVALID, "invalid spool path '%s'",
				    path != NULL ? path : "");
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		size_t dlen = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	}
	int code = check_dir(dir, flags, err);
	if (code == SPOOL_OK)
		code = check_file(path, flags, err);
	if (code == SPOOL_OK)
		code = check_companions(path, err);
	return code;
}
