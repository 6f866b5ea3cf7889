/* crond/run/runner.h: starting one job as its owner.
 *
 * Runs in the supervisor thread only (one caller at a time: no locking), in a
 * process that has other threads. Everything that allocates, locks or looks
 * anything up happens in runner_start before fork(): the passwd entry
 * (getpwnam_r), the supplementary groups (getgrouplist), argv and envp
 * (crond/run/jobenv.h), the descriptors. After fork the child makes only
 * async-signal-safe system calls, in this order:
 *
 *   signal dispositions to SIG_DFL          (those the daemon ignores or
 *                                            catches: struct runner_signals)
 *   setsid                                  (own session and process group:
 *                                            the supervisor signals -pid)
 *   dup3 stdin; stdout and stderr to the one output pipe
 *   wait at the gate                        (job_spec's gated only: every
 *                                            other descriptor closed first,
 *                                            then one byte read; EOF, crond
 *                                            gone, fails the start)
 *   close every descriptor above 2          (close_range; still root's, so
 *                                            that a child its owner stops
 *                                            holds none of crond's)
 *   setgroups, setgid, setuid               (each checked; then the real,
 *                                            effective and saved ids are
 *                                            verified, and for a non-root
 *                                            owner setuid(0) must fail)
 *   chdir to CWD, else to $HOME             (as the owner, so with the
 *                                            owner's permissions; an at
 *                                            job whose CWD cannot be
 *                                            entered stops here, see
 *                                            cwd_inaccessible_exits)
 *   umask, setpriority                      (when asked)
 *   RLIMIT_NOFILE                           (the soft limit crond was
 *                                            started with: prlimit)
 *   empty the signal mask                   (runner_start blocks every
 *                                            signal, glibc's own included,
 *                                            around the child's creation)
 *   execve
 *
 * If a step fails the child writes a fixed-size record (step, errno) and
 * exits with status 127 without running anything.
 *
 * A job of crond's own user (root's, for a crond run as root): the child
 * shares the daemon's memory (clone's CLONE_VM, as posix_spawn) on a stack
 * of its own, and runner_start does not wait for its execve: the
 * supervisor starts the next job while this one execs, as a fork+exec loop
 * overlaps its children's execs with its next fork. The plan the child
 * reads and its stack stay untouched until the start report's EOF (the
 * child has exec'd or died: runner_check_started), and the child writes
 * nothing else of the daemon's, not even errno (lib/rawsys.h; on other
 * architectures than x86-64 and arm64 it is forked, as below). A child
 * that is stopped or hangs before its execve holds only its own stack and
 * plan, never the supervisor (which may wait for the last start of a pass,
 * but briefly: runner_await_start).
 *
 * Another user's job is forked instead, and runner_start does not wait
 * either: from its setuid on the child is that user's to signal and, were
 * it to share our memory, to read and write through ptrace where
 * fs.suid_dumpable is 1. Such a job runs a plain command through the
 * shell, as Debian's cron does (job_spec's direct_plain needs the shared
 * memory: only such a child can say it fell back to the shell).
 *
 * Every child's record (the session helper's with a message, below) goes to
 * the start-report pipe, and the supervisor learns the outcome with
 * runner_check_started when proc->err_fd becomes readable or hangs up
 * (execve closes the pipe's write end: EOF without a record means the exec
 * happened). The ThreadSanitizer build and builds made with FORK_JOBS=1
 * (for valgrind) fork every child. The supervisor signals a job with
 * runner_signal, which reaches a child that has not made its process group
 * yet.
 *
 * With PAM (job_spec.pam_service), the child skips the ids and the
 * directory and execs the session helper instead, still root, with the
 * job in its arguments and its environment prefixed (crond/session.h); the
 * helper does those steps for the job's own process, and its refusals
 * arrive on the same start-report pipe, with a message.
 *
 * Running without root (a private instance for tests or a demo): a job of
 * the daemon's own user runs with the daemon's supplementary groups
 * (setgroups needs privilege); any other user's job fails at setgroups.
 */
#ifndef CROND_CROND_RUNNER_H
#define CROND_CROND_RUNNER_H

#include <stdbool.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RUNNER_DEFAULT_SHELL "/bin/sh"
#define RUNNER_DEFAULT_PATH "/usr/bin:/bin"
#define RUNNER_MAX_GROUPS 65536    /* supplementary groups (the kernel's NGROUPS_MAX) */
#define RUNNER_UMASK_KEEP (-1)

/* What to run. Strings belong to the caller and need only live during
 * runner_start. Start from JOB_SPEC_INIT: a zeroed spec would set umask 0. */
struct job_spec {
	const char *user;         /* owner: the job runs with this user's ids */
	gid_t group;              /* at jobs: the group the submitter had; the
	                             job's primary group if the owner may have
	                             it now (session_job_gid, crond/session.h)
	                             and crond is root. (gid_t)-1: the owner's
	                             passwd group */
	const char *shell;        /* NULL: RUNNER_DEFAULT_SHELL. The program run and
	                             the base SHELL (the caller resolves a crontab's
	                             SHELL=; an assignment may still override the
	                             variable) */
	const char *command;      /* run `shell -c command`; NULL: run the shell with
	                             no argument, reading the script from stdin (at
	                             jobs, as Debian's atd) */
	const char *exec_path;    /* if not NULL: execve this program with exec_argv
	                             instead of the shell (sendmail) */
	const char *const *exec_argv;  /* NULL-terminated, argv[0] included */
	const void *input;        /* stdin bytes (copied into a sealed memfd, so no
	                             write can block and no pipe size bites) */
	size_t input_len;
	bool input_is_fd;         /* stdin is INPUT_FD instead: read from its current
	                             offset; the caller keeps its own descriptor */
	int input_fd;
	                          /* neither: stdin is /dev/null */
	const char *const *assignments;  /* "NAME=VALUE" (crond/run/jobenv.h) */
	size_t n_assignments;
	const char *default_path; /* base PATH; NULL: RUNNER_DEFAULT_PATH */
	const char *cwd;          /* working directory; NULL: $HOME as the job's
	                             environment has it (a crontab may set HOME) */
	bool cwd_inaccessible_exits; /* at jobs: if CWD cannot be entered (gone,
	                             denied...), the start does not fail: the
	                             child writes "Execution directory
	                             inaccessible: CWD: REASON" into the job's
	                             output and exits 1 without running anything,
	                             as Debian's at job does (its script's `cd CWD
	                             || { echo ...; exit 1; }`), so the owner is
	                             mailed and the history says why. Never
	                             another directory: a job's relative paths
	                             (rm -rf build/...) must not act elsewhere */
	int umask;                /* 0 to 0777, or RUNNER_UMASK_KEEP (the daemon's) */
	int nice;                 /* >= 0: niceness added to the daemon's (the
	                             result is capped at 19, as nice(1) does) */
	const char *pam_service;  /* not NULL: run through PAM with this service:
	                             the child execs SESSION_HELPER, still root,
	                             which runs PAM's account and session steps,
	                             then the job (crond/session.h). The job's
	                             pid is then the helper's, and its wait
	                             status the job's; a refusal by PAM is a
	                             start failure ("refused by PAM ...") */
	const char *session_helper;  /* required with pam_service */
	struct runner_ids *ids;   /* NULL, or where the owner's passwd entry and
	                             groups are looked up and kept (below) */
	bool direct_plain;        /* a plain command (lib/plaincmd.h) whose shell
	                             is /bin/sh is exec'd without the shell when
	                             /bin/sh is dash (KIT says) and the job's PATH
	                             and environment are ones dash passes on
	                             unchanged: one exec instead of two and a
	                             fork. JOB_PROC's direct says whether it was */
	struct runner_kit *kit;   /* NULL: the child resets every signal's
	                             disposition and gets a stack of its own
	                             (below) */
	bool gated;               /* the child waits, before anything of the
	                             job's runs, until runner_release; if crond
	                             goes first (a crash), the child reads EOF
	                             and exits 127 without running anything.
	                             So a job can be recorded as started before
	                             it can run: a crash in between loses no
	                             record of a job that ran (an at job claimed
	                             but not recorded started is run again at
	                             the next start, and must not have run) */
};

#define JOB_SPEC_INIT { .umask = RUNNER_UMASK_KEEP, .group = (gid_t)-1 }

/* The passwd entries and group lists of the last few owners: runs started
 * together share one lookup per owner instead of reading /etc/passwd and
 * /etc/group (or asking NSS) for each run; getgrouplist alone was a quarter
 * of the supervisor's work per run in a burst. The supervisor clears it at
 * every pass of its loop (runner_ids_clear), so what a run sees is never
 * older than the pass that started it. Zero-initialised: empty. */
#define RUNNER_IDS_MAX 8
struct runner_ids {
	struct runner_id {
		struct passwd *pw;    /* NULL: the slot is empty; strings in pwbuf */
		char *pwbuf;
		gid_t *groups;        /* NULL until a run that sets groups needs them */
		size_t ngroups;
	} slot[RUNNER_IDS_MAX];
	size_t next;              /* the slot to reuse when all are taken */
};

/* Forgets every owner kept (frees what IDS holds; IDS stays usable). */
void runner_ids_clear(struct runner_ids *ids);

/* What one caller (the supervisor) keeps for all the jobs it starts, so
 * that each start does less:
 *   - the signals whose disposition a job must not inherit from the daemon:
 *     those it ignores (SIG_IGN survives execve: a job would not die of
 *     SIGPIPE) and those it catches (a handler must not run in the child
 *     before execve). Every other signal is already at SIG_DFL, so the
 *     child leaves it alone: a few system calls per run instead of 62. They
 *     are read once, by runner_kit_init: the daemon sets its dispositions
 *     before it starts the supervisor and never changes them after;
 *   - the children's stacks: a child uses its stack only until its execve,
 *     so a few spare ones, kept mapped, serve every start, with no mmap,
 *     munmap (and its TLB shootdown in a threaded process) or page faults
 *     per run;
 *   - /dev/null, open once, for the jobs with no input, and once more for
 *     writing, where the supervisor drops output past the cap;
 *   - the daemon's effective uid, which it never changes;
 *   - whether /bin/sh is dash, whose ways lib/plaincmd.h knows.
 * Not thread-safe: one caller at a time, as runner_start. */
#define RUNNER_KIT_STACK (128 * 1024)   /* the child only makes system calls */
#define RUNNER_KIT_STACKS 16            /* spares kept (more are unmapped) */
struct runner_kit {
	uint64_t reset_signals;   /* bit SIG - 1 set: SIG to SIG_DFL */
	void *stacks[RUNNER_KIT_STACKS];  /* spare stacks, RUNNER_KIT_STACK bytes
	                             each, mapped and not in use */
	size_t n_stacks;
	int devnull;              /* read-only, close-on-exec, above 2; or -1 */
	int discard;              /* /dev/null write-only, close-on-exec, above 2;
	                             or -1: where the supervisor drops output
	                             past the cap (job.h) */
	uid_t euid;
	bool sh_is_dash;          /* /bin/sh resolves to a program named dash */
	uint64_t job_nofile;      /* the child's RLIMIT_NOFILE soft limit (the
	                             daemon raised its own: crond.h), or
	                             RUNNER_NOFILE_KEEP; runner_kit_init sets KEEP */
	uint64_t nofile_max;      /* the hard limit, as runner_kit_init read it */
	int dumpable_fd;          /* /proc/sys/fs/suid_dumpable, close-on-exec,
	                             above 2; or -1 (runner_kit_owner_may_trace) */
	char *clean_helper;       /* NULL, or the session helper (crond/session.h)
	                             another user's job starts through while
	                             fs.suid_dumpable is 1, as
	                             runner_helper_resolve gave it */
	int clean_helper_fd;      /* ... and that file, held (O_PATH, close-on-
	                             exec, above 2): the child execs it, not the
	                             name; or -1. Both set by
	                             runner_kit_set_clean_helper */
};

#define RUNNER_NOFILE_KEEP UINT64_MAX


/* Reads this process's dispositions into KIT (a signal whose disposition
 * cannot be read is counted as one to reset), opens /dev/null twice and
 * maps a first stack. Returns 0, or -1 with errno when any of these fails:
 * KIT then lacks what failed (each start makes its own stack and input;
 * output past the cap is read) but has its signals, and is still to be
 * used. Also opens fs.suid_dumpable, whose absence is no failure; sets no
 * clean_helper (the caller does: runner_kit_set_clean_helper). */
int runner_kit_init(struct runner_kit *kit);

/* Whether the kernel lets a user trace, read through /proc/PID/mem, and
 * dump the core of a process that became theirs by setuid: KIT's
 * fs.suid_dumpable reads 1 ("debug"; 0, the default, and 2 keep such a
 * process from its new owner). False when it cannot be read. One pread,
 * made at every start of another user's job: a forked child holds a copy
 * of crond's memory (every user's crontabs, the history's pages) from its
 * setuid until its execve, so while this is true and KIT has a
 * clean_helper, such a job is started through it instead: the child execs
 * the helper as root, and the helper, holding nothing but this job, changes
 * user and execs the job (crond/session.h, service ""). */
bool runner_kit_owner_may_trace(const struct runner_kit *kit);

/* The file root may run as the clean helper (above) for PATH, resolved
 * (malloc'd, no symbolic link in it): the one PATH names, if it is a
 * regular, executable file of root's that nobody else may write and every
 * entry met on the way to it (each directory, each symbolic link and the
 * directories its target leads through) is root's, each directory
 * writable by root alone: not even a sticky one such as /tmp, into which a
 * user may rename a file of root's of their choosing. A `pam = no` install
 * never chose to run this file, so a configuration naming one in a user's
 * build tree, or reached through a link a user may change, must not hand
 * that user root. The file is checked as opened (O_PATH, close-on-exec,
 * above 2, into *HELD, the caller's to close): what the caller execs.
 * NULL with WHY, and *HELD -1, otherwise. */
char *runner_helper_resolve(const char *path, int *held, char *why, size_t whylen);

/* Makes KIT's clean helper the file PATH names as runner_helper_resolve
 * resolves and checks it, held open so that what the child execs is that
 * very file, whatever happens to the name later (a package upgrade
 * renames a new file over it: the next call holds that one instead). True
 * when KIT has a helper (*CHANGED, unless CHANGED is NULL: a new one, name
 * or file); false with WHY, and none held, otherwise. */
bool runner_kit_set_clean_helper(struct runner_kit *kit, const char *path, bool *changed,
                                 char *why, size_t whylen);

/* Unmaps the spare stacks, closes both /dev/null, fs.suid_dumpable and
 * the clean helper, and frees its name. Safe on a freed kit or one
 * runner_kit_init failed on. A stack still in use by a child that has not
 * exec'd (struct job_proc's pending) is not the kit's: it stays. */
void runner_kit_free(struct runner_kit *kit);

/* A started child, as the supervisor holds it. Every descriptor here is
 * close-on-exec and belongs to the supervisor: runner_proc_close. */
struct job_proc {
	pid_t pid;       /* session and process group leader */
	int pidfd;       /* pidfd_open(pid), or -1 (kernel too old): wait on pid */
	int out_fd;      /* non-blocking read end of stdout+stderr; EOF when the job
	                    and every process holding its output have gone */
	int err_fd;      /* non-blocking read end of the start report, until
	                    runner_check_started decides (then -1) */
	int gate_fd;     /* job_spec's gated: the write end of the child's gate,
	                    until runner_release (then -1); else -1 */
	uid_t uid;       /* the owner's ids */
	gid_t gid;
	char *info;      /* private: names for runner_check_started's messages */
	bool start_failed;  /* private: runner_check_started's decision */
	int32_t failed_step;  /* private: the step a failed start reported */
	struct { int32_t step, err; } fail;  /* private: a failure a child in our
	                    memory reported, until its EOF lets it be said */
	struct runner_pending *pending;  /* private: the plan and stack of a child
	                    in our memory, until its start report's EOF */
	bool helper_direct;  /* private: crond-session's last mark said it
	                    exec'd the plain command itself (STEP_MARK_*) */
	bool direct;     /* the job's process is the plain command itself, exec'd
	                    without the shell (job_spec's direct_plain): its wait
	                    status is the command's, where the shell would have
	                    reported a signal as exit 128+N and said which */
};

/* A job_proc with no process and no descriptor: every descriptor field
 * -1, since a 0 there would be closed as a descriptor (crond's stdin, and
 * then whatever took its number: a job's pidfd, its epoll watch gone). */
#define JOB_PROC_NONE ((struct job_proc){ .pid = -1, .pidfd = -1, .out_fd = -1, \
                                          .err_fd = -1, .gate_fd = -1 })

/* Starts SPEC as its owner. Fails before fork, with a message in ERR and
 * nothing left open, for an invalid spec, an unknown user, a bad
 * environment (jobenv_build), or a failed pipe, memfd, /dev/null or fork:
 * the job does not run. Returns 0 with PROC filled (the supervisor owns
 * PROC's descriptors and must reap PID), or -1 (PROC holds no resources).
 * Never waits for the child. */
int runner_start(const struct job_spec *spec, struct job_proc *proc, char *err,
                 size_t errlen);

/* Lets PROC's child, held at its gate (job_spec's gated), go on: one byte
 * written, the gate closed. 0; -1 with errno when the write failed (the
 * child then reads EOF and does not start). Nothing for a child without a
 * gate, or one released already. */
int runner_release(struct job_proc *proc);

/* Waits up to TIMEOUT_MS for PROC's start report to be readable or to
 * hang up: the child has reached its execve, or a step failed, or it is
 * still held at its gate (release it first). True if so, false on the
 * timeout, on a signal or when PROC has no report left to wait for.
 * Reads nothing: runner_check_started still decides. A new child stays
 * on its parent's CPU until the parent sleeps, so a caller with nothing
 * else to start sleeps here to let it exec at once (supervisor_launch.c);
 * the timeout bounds what a child hung before its execve (its directory
 * on a dead NFS mount) costs the caller. */
bool runner_await_start(const struct job_proc *proc, int timeout_ms);

/* Reads the start report from PROC->err_fd. Returns 0 while undecided (no
 * EOF yet: call again when err_fd is readable or hangs up, or once the
 * child is reaped, with REAPED true). Returns 1 once
 * decided, with *STARTED true (the child reached execve) or false and MSG
 * saying which step failed ("setuid(1000) failed: Operation not permitted",
 * "cannot chdir to /home/x: No such file or directory"); err_fd is then
 * closed and set to -1 (close removes it from an epoll set); further calls
 * repeat the decision without the message. EOF without a record
 * also covers a child killed before execve; its wait status tells.
 * REAPED: the child has been reaped, so it holds nothing any more and an
 * empty pipe counts as its EOF: a write end held by some other process
 * (only root can take one, through /proc, before the execve) cannot keep
 * the start undecided, nor the job's slot taken, for ever. */
int runner_check_started(struct job_proc *proc, bool reaped, bool *started, char *msg,
                         size_t msglen);

/* After runner_check_started said PROC did not start: whether it failed
 * only at its execve (its shell or program missing, not executable), its
 * owner's account, ids and session all set up. Such a failure is the job's
 * own, and is mailed as Debian's cron mails its child's execle error; one
 * before (an account PAM refused, a setuid that failed) is not: nothing
 * may run as that owner, sendmail neither. */
bool runner_failed_at_exec(const struct job_proc *proc);

/* Closes PROC's descriptors (those not yet -1: a gate not released lets
 * its child fail) and frees its private data.
 * Does not signal or reap the child. Safe to call twice. A child still in
 * our memory (no EOF yet: one whose job is dropped before its start was
 * decided) keeps its stack and plan: they are left to it, never reused. */
void runner_proc_close(struct job_proc *proc);

/* Sends SIG to PROC's process group, or, while the child has not yet made
 * its own (runner_start does not wait for its setsid), to the child itself,
 * which takes it once it unblocks its signals just before execve, and then
 * to the group again, should it have been made in between (its leader may
 * then take SIG twice). PROC must not have been reaped. Returns 0, or -1
 * with errno from kill(2). */
int runner_signal(const struct job_proc *proc, int sig);

#endif
