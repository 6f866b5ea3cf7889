/* crond/run/runner_plan.h: what runner.c prepares and runner_child.c uses.
 *
 * Internal to the runner: the plan laid out before the child exists, the
 * steps the child reports failing, and the child's entry point.
 */
#ifndef CROND_RUNNER_PLAN_H
#define CROND_RUNNER_PLAN_H

#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crond/run/jobenv.h"
#include "crond/run/runner.h"

/* What failed in the child; the parent turns it into a message. */
enum step {
	STEP_SETSID = 1,
	STEP_SETGROUPS,
	STEP_SETGID,
	STEP_SETUID,
	STEP_VERIFY_IDS,
	STEP_REGAIN_ROOT,
	STEP_CHDIR,
	STEP_CHDIR_HOME,
	STEP_NICE,
	STEP_SIGNALS,
	STEP_LIMITS,
	STEP_DUP2,
	STEP_CLOSE,
	STEP_EXEC,
	STEP_HELPER,        /* crond-session (crond/session.h): a message follows */
	STEP_PAM_ACCOUNT,   /* PAM refused the account: a message follows */
	STEP_PAM_SESSION,   /* PAM could not open the session: a message follows */
	STEP_GATE,          /* crond closed the gate without letting it go */
	/* Not failures: marks crond-session writes, alone (no message), in
	 * the order it acts, the last one true at its EOF. */
	STEP_MARK_DIRECT,   /* it is exec'ing the plain command itself */
	STEP_MARK_SHELL,    /* that exec failed: the shell runs it after all */
};

/* What the child writes to the start-report pipe; one write, atomic. */
struct start_report {
	int32_t step;
	int32_t err;
};

/* The kernel's struct sigaction for rt_sigaction(2) (x86-64, arm64 and most
 * other Linux ABIs): handler, flags, restorer, mask. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

#define KERNEL_SIGSET_SIZE 8
#define KERNEL_NSIG 64

/* Everything the child needs, prepared before it is created. */
struct plan {
	struct passwd pw;
	char *pwbuf;
	gid_t *groups;
	size_t ngroups;
	bool ids_borrowed;        /* pw, pwbuf and groups are a struct runner_ids's */
	bool shares_memory;       /* the child runs in our memory until its execve
	                             and nothing waits for it (runner.c: spawn):
	                             everything it reads is the plan's own (the
	                             *_own copies below) and stays as it is until
	                             the start report's EOF */
	gid_t *groups_own;        /* with SHARES_MEMORY: GROUPS copied from the
	                             struct runner_ids, which the supervisor
	                             clears after every pass */
	char *program_own, *cwd_own;  /* ... and PROGRAM and CWD, whose strings
	                             are the job's or the configuration's */
	bool set_groups;
	gid_t gid;                /* the primary group (job_spec's group) */
	struct jobenv env;
	char **argv;
	const char *program;
	const char *cwd;          /* NULL: home */
	const char *home;         /* $HOME of the job's environment */
	char *note;               /* cwd_inaccessible_exits: "Execution directory
	                             inaccessible: CWD: ", else NULL */
	size_t note_len;
	int umask;
	bool set_nice;
	int prio;
	int in_fd, out_r, out_w, err_r, err_w;   /* err_*: the start-report pipe,
	                             whose EOF says the child has exec'd or died */
	int gate_r, gate_w;       /* job_spec's gated: the child reads gate_r
	                             (blocking) until runner_release writes
	                             gate_w; else both -1 */
	bool in_borrowed;         /* in_fd is the kit's /dev/null: not ours to close */
	uint64_t reset_signals;   /* bit SIG - 1: set SIG's disposition to SIG_DFL */
	uint64_t nofile;          /* RLIMIT_NOFILE soft limit to set, or
	                             RUNNER_NOFILE_KEEP */
	uint64_t nofile_max;      /* ... with this hard limit */
	bool via_helper;          /* PAM: PROGRAM is crond-session (crond/session.h),
	                             run as root with HELPER_ENVP; the
	                             helper changes ids and directory for the job */
	char **helper_envp;       /* the helper's environment: the job's, each
	                             string after SESSION_ENV_PREFIX */
	bool helper_clean;        /* VIA_HELPER without PAM: fs.suid_dumpable is 1
	                             and the job is another user's
	                             (runner_kit_owner_may_trace) */
	int program_fd;           /* HELPER_CLEAN: the kit's clean_helper_fd,
	                             which the child execs (PROGRAM is its name,
	                             for argv[0] and errors); not the plan's to
	                             close. Else -1 */
	/* A plain command (lib/plaincmd.h) exec'd without the shell: */
	bool direct;              /* try DIRECT_ARGV first, then ARGV (the shell) */
	bool helper_plain;        /* PAM: the session helper may exec it directly
	                             (crond/session.h "plain") */
	char **direct_argv;       /* the command's words */
	char **direct_envp;       /* ENV's strings, a slot the child points at
	                             the PWD dash would add (on its own stack),
	                             then NULL */
	const char *direct_path;  /* the job's PATH, searched as dash does */
	bool *via_shell;          /* the child sets it before it runs the shell
	                             instead (in our memory: read at the start
	                             report's EOF) */
};


/* The child: takes a const struct plan *, never returns (it execs the job
 * or exits 127 after reporting the failing step). For clone(2). */
int runner_child_main(void *plan);

#endif
