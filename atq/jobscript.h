/* atq/jobscript.h: an at job shown as the shell script Debian's `at -c`
 * prints.
 *
 *   #!/bin/sh
 *   # atrun uid=1000 gid=1000
 *   # mail alice 0                (whom: at -u or the owner; 1: -m, -1: -M,
 *                                  0: when there is output)
 *   umask 22
 *   HOME=/home/alice; export HOME
 *   MSG='it'\''s here'; export MSG
 *   cd /home/alice/src || {
 *   	 echo 'Execution directory inaccessible' >&2
 *   	 exit 1
 *   }
 *   the job's script, byte for byte
 *   one newline more (after a script ending in one: a blank line)
 *
 * Every value and the directory are written as sh words (atq/shquote.h), so
 * the output can be fed back to sh whatever bytes they hold. The layout is
 * Debian's. crond does not run this text, but does what it says: it runs
 * the script itself with the environment, directory and umask applied, and
 * when the directory cannot be entered it runs nothing: the job's output is
 * "Execution directory inaccessible: DIR: REASON" and it exits 1 (mailed,
 * recorded), never running in another directory.
 */
#ifndef CROND_ATQ_JOBSCRIPT_H
#define CROND_ATQ_JOBSCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A job as MSG_AT_GET returns it; every pointer is borrowed. */
struct jobscript {
	const char *user;          /* the "# mail" line: the at -u recipient, else the owner */
	uint32_t uid, gid;
	uint32_t mail;             /* enum msg_mail */
	uint32_t umask;
	const char *cwd;
	const char *const *env;    /* N_ENV "NAME=VALUE" strings */
	size_t n_env;
	const char *script;
	size_t script_len;
};

/* Writes JOB to OUT as above. Environment strings whose name is not a
 * shell identifier (crond never stores one) are left out. Returns 0, or -1
 * when writing failed. */
int jobscript_write(FILE *out, const struct jobscript *job);

#endif
