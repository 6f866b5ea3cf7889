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
#include <stdio.h>

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

int sqlite_compact_enable(struct spool *sp, bool *rewritten, struct spool_err *err)
{
	*rewritten = false;
	int64_t mode = 0;
	int code = spool_pragma_int(sp, "PRAGMA auto_vacuum", &mode, "read the vacuum mode", err);
	if (code != SPOOL_OK || mode == AUTO_VACUUM_INCREMENTAL)
		return code;
	code = spool_exec(sp, "PRAGMA auto_vacuum = INCREMENTAL; VACUUM",
			  "make the spool compactable (VACUUM)", err);
	*rewritten = code == SPOOL_OK;
	return code;
}
