/* atq/atenv.h: which of the caller's environment variables an at job keeps.
 *
 * `at` captures the caller's environment into the job, as Debian's at does,
 * except:
 *
 *   - names that are not shell identifiers (BASH_FUNC_f%%, A.B, 1X) and
 *     strings without '=': sh could not export them (Debian drops them too);
 *   - variables that describe the caller's terminal or shell process and
 *     mean nothing, or harm, in a job started later by crond: TERM, DISPLAY,
 *     _, SHELLOPTS, BASH_VERSINFO, EUID, GROUPS, PPID, UID (Debian's list),
 *     plus SHLVL (the job is not a subshell of the caller's shell) and
 *     BASHOPTS (like SHELLOPTS, bash would apply it on start);
 *   - LOGNAME and USER: crond always sets them to the job's owner;
 *   - an earlier duplicate of a name (the job sees the last, as with
 *     Debian's at, whose script exports every string in order);
 *   - a variable over ATENV_VAR_MAX bytes ("NAME=VALUE" and its NUL):
 *     execve could not pass it to the job. These are reported, so `at` can
 *     warn, not dropped silently.
 *
 * What is kept must fit crond's bounds for a job's environment
 * (ATENV_TOTAL_MAX bytes counting each string's NUL, ATENV_COUNT_MAX
 * strings); atenv_capture fails otherwise rather than cut the environment.
 * Pure: reads only the array it is given.
 */
#ifndef CROND_ATQ_ATENV_H
#define CROND_ATQ_ATENV_H

#include <stdbool.h>
#include <stddef.h>

#include "spool/spool.h"

/* One "NAME=VALUE" with its NUL: the kernel's MAX_ARG_STRLEN for execve,
 * less room for crond-session's prefix (JOBENV_MAX_VAR, crond/run/jobenv.h). */
#define ATENV_VAR_MAX (128 * 1024 - 16)
/* All kept strings with their NULs: what crond stores (spool/spool.h). */
#define ATENV_TOTAL_MAX SPOOL_ENV_MAX
/* Kept strings: crond starts a job with at most 2048 variables, five of
 * them its own (HOME, LOGNAME, USER, SHELL, PATH; crond/run/jobenv.h). */
#define ATENV_COUNT_MAX 2000

enum atenv_verdict {
	ATENV_KEEP,
	ATENV_DROP,        /* never carried (see above) */
	ATENV_TOO_LARGE,   /* over ATENV_VAR_MAX bytes: reported */
};

/* The verdict on one environment string, duplicates aside. */
enum atenv_verdict atenv_judge(const char *entry);

/* A captured environment: pointers into the array given to atenv_capture
 * (which must outlive it), in its order. */
struct atenv {
	const char **keep;         /* N_KEEP strings, then NULL */
	size_t n_keep;
	size_t bytes;              /* of the kept strings, NULs included */
	const char **too_large;    /* the ATENV_TOO_LARGE strings */
	size_t n_too_large;
};

/* Applies the rules above to ENV (NULL-terminated, e.g. environ) into OUT.
 * Returns 0; or -1 with a message in ERR (out of memory, or what is kept
 * is over ATENV_TOTAL_MAX or ATENV_COUNT_MAX), OUT then empty. */
int atenv_capture(const char *const *env, struct atenv *out, char *err, size_t errlen);

/* Frees what OUT owns (not the strings) and empties it. */
void atenv_free(struct atenv *out);

#endif
