/* crond/run/jobenv.h: a job's environment, built from scratch.
 *
 * A job sees exactly this and nothing of the daemon's own environment:
 *
 *   HOME     the owner's home directory (from passwd)
 *   LOGNAME  the owner's user name
 *   USER     the owner's user name
 *   SHELL    the shell the job runs under
 *   PATH     the configured default path
 *
 * then the job's own assignments, in order: a crontab's NAME=VALUE lines, or
 * the environment an at job captured. An assignment overrides a base variable
 * (HOME, SHELL, PATH) or an earlier assignment of the same name (the later
 * one wins, at the position of the first). LOGNAME and USER are the
 * exception: they always name the real owner, and assignments to them are
 * ignored (as Vixie cron documents: a job cannot pretend to be someone else
 * to the programs it runs, sendmail included).
 *
 * Used by the supervisor thread before fork (crond/run/runner.c). Pure: no
 * globals, no lookups, no reading of environ.
 */
#ifndef CROND_CROND_JOBENV_H
#define CROND_CROND_JOBENV_H

#include <stddef.h>

#define JOBENV_MAX_VARS 2048             /* variables in the result */
#define JOBENV_MAX_BYTES (1024 * 1024)   /* all "NAME=VALUE" strings, NULs included */
#define JOBENV_MAX_VAR (128 * 1024 - 16) /* one "NAME=VALUE" with its NUL: the
                                            kernel's MAX_ARG_STRLEN for execve,
                                            less room for crond-session's
                                            prefix (crond/session.h) */

/* The base variables. Every field is required (not NULL); USER is not empty. */
struct jobenv_base {
	const char *user;    /* LOGNAME and USER */
	const char *home;    /* HOME */
	const char *shell;   /* SHELL */
	const char *path;    /* PATH */
};

/* A built environment. ENVP is NULL-terminated "NAME=VALUE" strings, ready
 * for execve; COUNT does not include the NULL. One allocation owns it all. */
struct jobenv {
	char **envp;
	size_t count;
};

/* Builds OUT from BASE and the N ASSIGNMENTS ("NAME=VALUE" strings; the name
 * is everything before the first '='). Refuses, with a message in ERR naming
 * the assignment's index, an assignment without '=' or with an empty name, a
 * NULL string, more than JOBENV_MAX_VARS variables, a variable over
 * JOBENV_MAX_VAR bytes, or more than JOBENV_MAX_BYTES in all; also a missing
 * base field. (A C string cannot hold a NUL, so none can reach the result.)
 * Returns 0 (OUT owns its memory: jobenv_free) or -1 (OUT is left empty). */
int jobenv_build(const struct jobenv_base *base, const char *const *assignments, size_t n,
                 struct jobenv *out, char *err, size_t errlen);

/* Frees what ENV owns and leaves it empty; safe on an empty one. */
void jobenv_free(struct jobenv *env);

/* The value of NAME in ENV, or NULL when absent (or ENV is NULL). */
const char *jobenv_get(const struct jobenv *env, const char *name);

#endif
