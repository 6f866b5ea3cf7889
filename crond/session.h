/* crond/session.h: how the runner hands a job to crond-session (PAM).
 *
 * With `pam = yes` the runner (crond/run/runner.c) does not exec the job: its
 * child, still root, execs the session helper (crond/session/, installed
 * as CONFIG_SESSION_HELPER) with the argument vector below. The job's
 * environment is the helper's own, every string after SESSION_ENV_PREFIX
 * ("CRONDJOB_PATH=/usr/bin"): /proc/PID/environ is for root alone, while
 * /proc/PID/cmdline is anyone's to read and a crontab's assignments may
 * hold secrets; and with the prefix no name means anything to the loader
 * or libc of a program running as root (a job's LD_PRELOAD arrives as
 * CRONDJOB_LD_PRELOAD). The helper takes these strings, drops the prefix,
 * and clears its environment before anything else. It runs PAM's account
 * and session steps for the owner, leaves a copy of itself outside the
 * job's process group to close the session once the job has ended, and
 * becomes the job, with the owner's ids, in its own process: the runner's
 * child is the job (see crond-session's DESIGN note). Without PAM the runner does
 * the same for another user's job while fs.suid_dumpable is 1, with an
 * empty service name (argv[2]).
 *
 *   argv[0]              the helper's path
 *   argv[1]              SESSION_ARGV_MAGIC (a version check)
 *   argv[2]              PAM service name (pam_service), or "": no PAM;
 *                        the helper changes user and execs the job in its
 *                        own process, with no session and nothing waiting
 *                        (what crond does for another user's job while
 *                        fs.suid_dumpable is 1: runner.h); argv[6] is
 *                        then never "plain"
 *   argv[3]              the owner's user name
 *   argv[4]              start-report descriptor, decimal (see below)
 *   argv[5]              SESSION_CWD_IN_ENV ("env"): the working directory
 *                        is the value of SESSION_CWD_VAR in the environment
 *                        (not in the arguments, which any user may read);
 *                        "": the job's $HOME
 *   argv[6]              "at": a directory that cannot be entered is the
 *                        job's failure (runner.h cwd_inaccessible_exits),
 *                        "-": it is a start failure; "plain": as "-", and
 *                        the job is `/bin/sh -c COMMAND` with a plain
 *                        COMMAND (lib/plaincmd.h) and /bin/sh is dash: the
 *                        helper may exec COMMAND without the shell (runner.h
 *                        direct_plain), and says whether it did with marks
 *                        on the start report (below)
 *   argv[7]              N, the number of environment strings, decimal: the
 *                        environment holds exactly N, all prefixed, and with
 *                        "env" in argv[5] SESSION_CWD_VAR's string besides
 *   argv[8]              an at job's group, decimal: the group its
 *                        submitter had (session_job_gid decides whether
 *                        the job gets it); "": the owner's passwd group
 *   argv[9]              the program to execute
 *   argv[10 ..]          its argv, argv[0] included
 *
 * The helper starts with the job's umask (the runner's child sets it, as
 * for a job without PAM); it runs PAM under that umask with 022 added and
 * gives the job its own once it is the owner's.
 *
 * The start report: the descriptor is the runner's start-report pipe
 * (runner_plan.h), inherited without close-on-exec. The helper writes one
 * `struct start_report`, optionally followed by a message (at most
 * SESSION_REPORT_TEXT bytes, one write, so atomic), when the job cannot
 * start: STEP_PAM_ACCOUNT (PAM refused the account: expired, locked...),
 * STEP_PAM_SESSION, STEP_HELPER (bad arguments, not root, unknown user),
 * or the runner's own steps (setuid, chdir, exec...) for the job.
 * Before it, a "plain" job may have marks: a `struct start_report` alone
 * whose step is STEP_MARK_DIRECT (it is exec'ing COMMAND itself) or
 * STEP_MARK_SHELL (that failed: the shell runs it), the last one true.
 * EOF without a report means the job's execve happened.
 */
#ifndef CROND_SESSION_H
#define CROND_SESSION_H

#include <stddef.h>
#include <sys/types.h>

#define SESSION_ARGV_MAGIC "crond-session/5"
#define SESSION_ENV_PREFIX "CRONDJOB_"
#define SESSION_ARGV_FIXED 9          /* argv[0] to argv[8] */
#define SESSION_CWD_IN_ENV "env"
#define SESSION_CWD_VAR "CRONDSESSION_CWD"   /* no prefix: not the job's */
#define SESSION_REPORT_TEXT 1536      /* message bytes after a start report:
                                         with it, one write under PIPE_BUF;
                                         at most crond/run/job.h's
                                         JOB_FAIL_MSG_MAX, which keeps it */

/* The primary group a job runs with: WANTED (an at job's, the group its
 * submitter had, as after `sg GROUP at ...`: Debian's atd runs the job
 * with it) when the owner may have it now, that is when the owner is root,
 * or WANTED is PW_GID (the passwd entry's) or one of GROUPS[0..N-1] (the
 * owner's groups as getgrouplist gives them); else PW_GID, also for WANTED
 * (gid_t)-1 (none asked). A group the owner has left since, or held only
 * through a set-group-id program that ran `at`, is not given. */
static inline gid_t session_job_gid(uid_t uid, gid_t pw_gid, gid_t wanted,
                                    const gid_t *groups, size_t n)
{
	if (wanted == (gid_t)-1 || wanted == pw_gid)
		return pw_gid;
	if (uid == 0)
		return wanted;
	for (size_t i = 0; i < n; i++)
		if (groups[i] == wanted)
			return wanted;
	return pw_gid;
}

#endif
