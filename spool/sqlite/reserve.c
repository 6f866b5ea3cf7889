/* spool/reserve.c: the full-disk reserve (see spool.h, "full disk").
 *
 * Why a file: in WAL mode even a DELETE appends the pages it changes to the
 * write-ahead log, so on a full file system `atrm` and `crontab -r` fail
 * with SQLITE_FULL like any write. A pre-allocated file beside the database
 * is room that only the spool's owner can give back: deleting it frees its
 * blocks at once, and the retried removal fits. The blocks are really
 * allocated (posix_fallocate), not a sparse hole. The file lives in the
 * spool's directory, which path.c has checked is the owner's alone; it is
 * opened with O_NOFOLLOW all the same and must be a regular file of ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool/sqlite/internal.h"

/* The reserves: the shared one, then root's (spool.h). */
static const char *const suffixes[] = { "-reserve", "-reserve-root" };

/* PATH and reserve WHICH's suffix into BUF; false if it does not fit. */
static bool reserve_path(const struct spool *sp, int which, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s", sp->path, suffixes[which]);
	return n > 0 && (size_t)n < size;
}

static bool whole(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_size >= SPOOL_RESERVE_BYTES &&
	       (uint64_t)st->st_blocks * 512 >= SPOOL_RESERVE_BYTES;
}

bool sqlite_reserve_present(struct spool *sp)
{
	for (int which = 0; which < 2; which++) {
		char path[SPOOL_PATH_MAX + 16];
		struct stat st;
		if (!reserve_path(sp, which, path, sizeof path) || lstat(path, &st) != 0 ||
		    !whole(&st))
			return false;
	}
	return true;
}

/* Allocates the reserve in FD (PATH): 0 or a code with ERR filled. */
static int fill(int fd, const char *path, struct spool_err *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return spool_seterr(err, SPOOL_IO, "%s: %m", path);
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return spool_seterr(err, SPOOL_PERMISSION, "%s is not a regular file of"
				    " uid %u; not using it as the spool's reserve", path,
				    (unsigned)geteuid());
	if (whole(&st))
		return SPOOL_OK;
	int e = posix_fallocate(fd, 0, SPOOL_RESERVE_BYTES);
	if (e == 0 && fsync(fd) != 0)
		e = errno;
	if (e == 0)
		return SPOOL_OK;
	return spool_seterr(err, e == ENOSPC || e == EDQUOT ? SPOOL_FULL : SPOOL_IO,
			    "cannot allocate the %d-byte reserve %s: %s",
			    SPOOL_RESERVE_BYTES, path, strerror(e));
}

/* Makes reserve WHICH if it is missing or short. */
static int make_one(struct spool *sp, int which, struct spool_err *err)
{
	char path[SPOOL_PATH_MAX + 16];
	if (!reserve_path(sp, which, path, sizeof path))
		return spool_seterr(err, SPOOL_INVALID, "%s: path too long for a reserve",
				    sp->path);
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return spool_seterr(err, errno == ENOSPC || errno == EDQUOT ? SPOOL_FULL
				    : SPOOL_IO, "cannot create the reserve %s: %m", path);
	int code = fill(fd, path, err);
	if (close(fd) != 0 && code == SPOOL_OK)
		code = spool_seterr(err, SPOOL_IO, "cannot write the reserve %s: %m", path);
	if (code == SPOOL_FULL)
		(void)unlink(path);   /* a partial reserve only takes room */
	return code;
}

/* Root's first: with room for one only, root's removals keep theirs. */
int sqlite_reserve_make(struct spool *sp, struct spool_err *err)
{
	int code = make_one(sp, 1, err);
	return code == SPOOL_OK ? make_one(sp, 0, err) : code;
}

/* Deletes reserve WHICH. */
static int release_one(struct spool *sp, int which, uint64_t *freed, struct spool_err *err)
{
	char path[SPOOL_PATH_MAX + 16];
	struct stat st;
	if (!reserve_path(sp, which, path, sizeof path))
		return spool_seterr(err, SPOOL_INVALID, "%s: path too long for a reserve",
				    sp->path);
	if (lstat(path, &st) != 0)
		return spool_seterr(err, errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO,
				    "reserve %s: %m", path);
	if (!S_ISREG(st.st_mode))
		return spool_seterr(err, SPOOL_PERMISSION, "%s is not a regular file;"
				    " not removing it", path);
	if (unlink(path) != 0)
		return spool_seterr(err, errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO,
				    "cannot remove the reserve %s: %m", path);
	if (freed != NULL)
		*freed = (uint64_t)st.st_blocks * 512;
	return SPOOL_OK;
}

int sqlite_reserve_release(struct spool *sp, bool for_root, uint64_t *freed,
			   struct spool_err *err)
{
	if (freed != NULL)
		*freed = 0;
	int code = release_one(sp, 0, freed, err);
	if (code == SPOOL_NOT_FOUND && for_root)
		code = release_one(sp, 1, freed, err);
	return code;
}
