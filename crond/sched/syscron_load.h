/* crond/sched/syscron_load.h: reading and parsing one system crontab, kept
 * apart from saying what went wrong, so that many files can be read at once
 * (lib/parallel.h) and their problems still logged in the order of the
 * files.
 *
 * syscron_load touches nothing but its arguments and logs nothing: any
 * thread may run it. syscron_load_report logs (or, for `crond -x`, prints)
 * what it found; the thread that applies the result calls it.
 */
#ifndef CROND_SYSCRON_LOAD_H
#define CROND_SYSCRON_LOAD_H

#include <stdbool.h>

#include "lib/crontab.h"
#include "lib/diag.h"

#define SYSCRON_DANGLING_REASON "a symbolic link to nothing"

enum syscron_load_result {
	SYSCRON_LOAD_OK,
	SYSCRON_LOAD_FAILED,   /* unreadable, too large or does not parse: a last
	                          good version stays in force */
	SYSCRON_LOAD_UNSAFE,   /* someone besides root may have written it: its
	                          entries must not run, old or new */
};

struct syscron_loaded {
	enum syscron_load_result result;
	struct crontab tab;      /* SYSCRON_LOAD_OK: the caller's (crontab_free) */
	const char *ignored;     /* why the file is ignored (a static text), or NULL;
	                            for SYSCRON_LOAD_UNSAFE, why it is unsafe */
	int ignored_errno;       /* or this error is why (0: none) */
	int open_errno;          /* it could not be opened (0: it was) */
	struct diag_list diags;  /* the parser's errors and warnings */
};

/* Reads and parses PATH into OUT, checking the open file (syscron_unsafe_reason)
 * before a byte of it is read. STRICT (`crond -x`) refuses what
 * crontab_parse refuses; otherwise what only a newer rule refuses is
 * skipped (crontab_parse_stored), as the daemon does. */
void syscron_load(const char *path, bool strict, struct syscron_loaded *out);

/* Logs what L says of PATH (PRINT: to stderr as `crond -x` does), then
 * clears L's diagnostics. */
void syscron_load_report(const char *path, bool print, struct syscron_loaded *l);

#endif
