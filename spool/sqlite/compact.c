/* spool/sqlite/compact.c: giving the file's free pages back (spool.h,
 * "compaction").
 *
 * Deleted rows leave their pages on SQLite's freelist: reused by later
 * writes, never given back to the file system. A spool made with
 * auto_vacuum = INCREMENTAL (open.c sets it on every new file) can give
 * them back a few at a time (PRAGMA incremental_vacuum:
 * pages from the end of the file moved into free ones, the file cut);
 * one made before needs one VACUUM, which rewrites the whole file, to
 * change its mode (sqlite_compact_enable).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "spool/sqlite/internal.h"

#define AUTO_VACUUM_INCREMENTAL 2   /* PRAGMA auto_vacuum's value */

static int read_space(struct spool *sp, struct spool_space *space, struct spool_err *err)
{
	int64_t mode = 0, page_size = 0, pages = 0, free_pages = 0;
	int code = spool_pragma_int(sp, "PRAGMA auto_vacuum", &mode, "read the free space", err);
	if (code == SPOOL_OK)
		code = spool_pragma_int(sp, "PRAGMA page_size", &page_size, "read the free space", err);
	if (code == SPOOL_OK)
		code = spool_pragma_int(sp, "PRAGMA page_count", &pages, "read the free space", err);
	if (code == SPOOL_OK)
		code = spool_pragma_int(sp, "PRAGMA freelist_count", &free_pages, "read the free space", err);
	if (code != SPOOL_OK)
		return code;
	space->page_bytes = (uint64_t)page_size;
	space->pages = (uint64_t)pages;
	space->free_pages = (uint64_t)free_pages;
	space->can_compact = mode == AUTO_VACUUM_INCREMENTAL;
	return SPOOL_OK;
}

int sqlite_compact(struct spool *sp, unsigned max_pages, struct spool_space *space,
		   struct spool_err *err)
{
	*space = (struct spool_space){ 0 };
	int code = read_space(sp, space, err);
	if (code != SPOOL_OK || max_pages == 0 || !space->can_compact || space->free_pages == 0)
		return code;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum(%u)", max_pages);
	code = spool_exec(sp, sql, "give free pages back", err);
	return code == SPOOL_OK ? read_space(sp, space, err) : code;
}

int sqlite_compact_enable(struct spool *sp, uint64_t max_bytes, bool *rewritten,
			  struct spool_err *err)
{
	*rewritten = false;
	struct spool_space space;
	int code = read_space(sp, &space, err);
	if (code != SPOOL_OK || space.can_compact)
		return code;
	uint64_t bytes = space.pages * space.page_bytes;
	if (bytes > max_bytes)
		return spool_seterr(err, SPOOL_CONFLICT, "%s: %" PRIu64 " bytes, over the %" PRIu64
				    " a start rewrites: its free pages are reused, not given back",
				    sp->path, bytes, max_bytes);
	struct statvfs fs;
	if (statvfs(sp->path, &fs) != 0)
		return spool_seterr(err, SPOOL_IO, "%s: %s", sp->path, strerror(errno));
	uint64_t room = (uint64_t)fs.f_bavail * fs.f_frsize;
	if (room < 2 * bytes)
		return spool_seterr(err, SPOOL_FULL, "%s: rewriting it needs %" PRIu64 " bytes free,"
				    " %" PRIu64 " are", sp->path, 2 * bytes, room);
	/* the copy in memory (at most MAX_BYTES), not in /var/tmp */
	code = spool_exec(sp, "PRAGMA temp_store = MEMORY; PRAGMA auto_vacuum = INCREMENTAL;"
			  " VACUUM", "make the spool compactable (VACUUM)", err);
	*rewritten = code == SPOOL_OK;
	struct spool_err ignored;   /* the WAL back to empty, done or not */
	(void)spool_exec(sp, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA temp_store = DEFAULT",
			 "empty the WAL", &ignored);
	return code;
}
