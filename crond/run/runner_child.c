/* crond/run/runner_child.c: the child side of starting a job (see runner.h).
 *
 * DESIGN: runs in the child runner_start creates. For a job of crond's own
 * user it is created with clone(CLONE_VM), as glibc's posix_spawn does, on
 * a stack of its own, in the daemon's memory, and nothing waits for it: the
 * supervisor starts the next job while this one execs (runner.c: spawn);
 * for the session helper (PAM) likewise, but with CLONE_VFORK, so its parent
 * waits; for another user's job, in a fork (_Fork), which nothing waits for.
 * Sharing the memory is what makes starting a job cheap (fork would copy the
 * daemon's page tables, exec would tear them down again); it also sets the
 * rules here:
 *   - make only raw system calls, through rawsys (lib/rawsys.h): no C
 *     library wrapper (sanitizers intercept them, glibc's set*id wrappers
 *     would signal the daemon's other threads to change their ids too, and
 *     every failing wrapper writes errno, which here is the supervisor
 *     thread's, running meanwhile);
 *   - write no memory but this stack and, for a plain command exec'd without
 *     the shell, the PWD slot of its environment and the via_shell flag
 *     (both in the plan, which the parent leaves alone until the child has
 *     exec'd or died);
 *   - allocate nothing, take no lock: everything is in `struct plan`,
 *     prepared and never touched again until the start report's EOF.
 * Every signal is blocked throughout (the supervisor blocks them all) until
 * just before execve. A failing step is reported as (step, errno) on the
 * start-report pipe; then the child exits 127. The one exception is an at
 * job's directory that cannot be entered, which the job's own output
 * reports (exit 1, as Debian's at job script does).
 *
 * The Makefile compiles this file without sanitizer instrumentation: it
 * runs on a borrowed stack in a process the sanitizers do not know about.
 */
#include "crond/run/runner_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/plaincmd.h"
#include "lib/rawsys.h"

static _Noreturn void child_fail(const struct plan *p, enum step step, int e)
{
	struct start_report r = { (int32_t)step, (int32_t)e };
	long w;
	do
		w = rawsys(SYS_write, p->err_w, &r, sizeof(r));
	while (w == -EINTR);
	for (;;)
		(void)rawsys(SYS_exit_group, 127);
}

static void child_reset_dispositions(const struct plan *p)
{
	const struct kernel_sigaction dfl = { .handler = SIG_DFL };
	for (int sig = 1; sig <= KERNEL_NSIG; sig++) {
		if (!(p->reset_signals >> (sig - 1) & 1))
			continue;
		long r = rawsys(SYS_rt_sigaction, sig, &dfl, NULL, KERNEL_SIGSET_SIZE);
		if (r < 0 && r != -EINVAL)
			child_fail(p, STEP_SIGNALS, (int)-r);
	}
}

static void child_become_owner(const struct plan *p)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	uid_t uid = p->pw.pw_uid;
	gid_t gid = p->gid;

	long r;
	if (p->set_groups && (r = rawsys(SYS_setgroups, p->ngroups, p->groups)) < 0)
		child_fail(p, STEP_SETGROUPS, (int)-r);
	if ((r = rawsys(SYS_setgid, gid)) < 0)
		child_fail(p, STEP_SETGID, (int)-r);
	/* Root becoming another user: first the effective uid alone, so that
	 * the real and saved uids, still root's, keep the owner's signals
	 * and ptrace off this copy of crond's memory, which fs.suid_dumpable
	 * 1 makes dumpable at this change; then not dumpable (only in a fork:
	 * a child sharing our memory shares the flag, which would stay
	 * cleared for crond itself; such a child is our own user's job);
	 * then the rest, which leaves the flag as it is. The exec makes the
	 * job its owner's to trace as usual. */
	if (uid != 0 && rawsys(SYS_geteuid) == 0) {
		if ((r = rawsys(SYS_setresuid, 0, uid, 0)) < 0)
			child_fail(p, STEP_SETUID, (int)-r);
		if (!p->shares_memory)
			(void)rawsys(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	if ((r = rawsys(SYS_setresuid, uid, uid, uid)) < 0)
		child_fail(p, STEP_SETUID, (int)-r);
	if ((r = rawsys(SYS_getresuid, &ruid, &euid, &suid)) < 0 ||
	    (r = rawsys(SYS_getresgid, &rgid, &egid, &sgid)) < 0)
		child_fail(p, STEP_VERIFY_IDS, (int)-r);
	if (ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid || sgid != gid)
		child_fail(p, STEP_VERIFY_IDS, 0);
	if (uid != 0 && rawsys(SYS_setuid, 0) >= 0)
		child_fail(p, STEP_REGAIN_ROOT, 0);
}

/* What chdir(2) can fail with, as strerror says it: read-only data, so
 * safe here (strerror itself is not async-signal-safe). */
static const char *chdir_error_text(int e)
{
	switch (e) {
	case ENOENT: return "No such file or directory";
	case ENOTDIR: return "Not a directory";
	case EACCES: return "Permission denied";
	case ELOOP: return "Too many levels of symbolic links";
	case ENAMETOOLONG: return "File name too long";
	case EIO: return "Input/output error";
	case ENOMEM: return "Cannot allocate memory";
	case EFAULT: return "Bad address";
	default: return "cannot enter it";
	}
}

static size_t text_len(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	return n;
}

/* An at job's directory cannot be entered: say so in the job's output (the
 * note, the reason) and exit 1 without running anything. The start report
 * pipe only sees EOF: the job "ran" and failed, so it is mailed and
 * recorded with its output, as Debian's at job script fails. */
static void child_write_text(int fd, const char *s, size_t len)
{
	long w;
	do
		w = rawsys(SYS_write, fd, s, len);
	while (w == -EINTR);
}

static _Noreturn void child_refuse_directory(const struct plan *p, int e)
{
	/* The pipe is new and empty and the text far below its size: nothing
	 * can block. Nothing more can be done if a write fails. */
	const char *why = chdir_error_text(e);
	child_write_text(STDOUT_FILENO, p->note, p->note_len);
	child_write_text(STDOUT_FILENO, why, text_len(why));
	child_write_text(STDOUT_FILENO, "\n", 1);
	for (;;)
		(void)rawsys(SYS_exit_group, 1);
}

static void child_chdir(const struct plan *p)
{
	const char *dir = p->cwd ? p->cwd : p->home;
	long r = rawsys(SYS_chdir, dir);
	if (r == 0)
		return;
	int e = (int)-r;
	/* A home that cannot be entered (/nonexistent, a user's own 000, a
	 * HOME= of the crontab's) does not stop a cron job: it runs in /, as
	 * Debian's cron runs it anyway (in its own directory). */
	if (p->cwd == NULL && rawsys(SYS_chdir, "/") == 0)
		return;
	if (p->cwd == NULL)
		child_fail(p, STEP_CHDIR_HOME, e);
	if (p->note == NULL)
		child_fail(p, STEP_CHDIR, e);
	child_refuse_directory(p, e);
}

/* Closes [LO, HI]: close_range, or one by one on kernels without it. */
static void child_close_range(const struct plan *p, int lo, int hi)
{
	if (lo > hi)
		return;
	long r = rawsys(SYS_close_range, (unsigned)lo, hi == INT_MAX ? ~0U : (unsigned)hi, 0);
	if (r == 0)
		return;
	if (r != -ENOSYS)
		child_fail(p, STEP_CLOSE, (int)-r);
	/* A kernel older than 5.9: up to the descriptor limit, read here so
	 * that a start on a newer one does not pay for it. */
	struct rlimit rl;
	int max_fd = 65536;
	if (rawsys(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max_fd = rl.rlim_cur > INT_MAX ? INT_MAX : (int)rl.rlim_cur;
	for (int fd = lo; fd <= hi && fd < max_fd; fd++)
		(void)rawsys(SYS_close, fd);  /* EBADF for the many that are not open */
}

/* Returns where the held program now is (kept across execve), or -1. */
/* Closes every descriptor above 2 but the N of KEEP (-1: none). */
static void child_close_all_but(const struct plan *p, int *keep, int n)
{
	for (int i = 1; i < n; i++)   /* a few: sorted by insertion */
		for (int k = i; k > 0 && keep[k] < keep[k - 1]; k--) {
			int t = keep[k];
			keep[k] = keep[k - 1];
			keep[k - 1] = t;
		}
	int lo = 3;
	for (int i = 0; i < n; i++) {
		if (keep[i] < lo)
			continue;
		child_close_range(p, lo, keep[i] - 1);
		lo = keep[i] + 1;
	}
	child_close_range(p, lo, INT_MAX);
}

/* Waits at the gate (job_spec's gated) for crond's byte. Every other
 * descriptor crond's goes first, so that no child waiting here holds
 * another's gate open: when crond dies, every gate reads EOF. */
static void child_wait_gate(const struct plan *p)
{
	int keep[3] = { p->gate_r, p->err_w, p->program_fd };
	child_close_all_but(p, keep, 3);
	char c;
	long r;
	do
		r = rawsys(SYS_read, p->gate_r, &c, 1);
	while (r == -EINTR);
	if (r != 1)
		child_fail(p, STEP_GATE, r < 0 ? (int)-r : 0);
	(void)rawsys(SYS_close, p->gate_r);
}

static int child_descriptors(const struct plan *p)
{
	/* The plan's descriptors are all above 2, so dup3 never sees equal
	 * descriptors (which it refuses). */
	long r;
	if ((r = rawsys(SYS_dup3, p->in_fd, 0, 0)) < 0 || (r = rawsys(SYS_dup3, p->out_w, 1, 0)) < 0 ||
	    (r = rawsys(SYS_dup3, p->out_w, 2, 0)) < 0)
		child_fail(p, STEP_DUP2, (int)-r);
	if (p->gate_r >= 0)
		child_wait_gate(p);
	/* The helper held open goes to 3 (4 where that is the start-report
	 * pipe), below any limit on descriptors, and stays across execve: a
	 * script's interpreter reads it through /dev/fd (the helper closes it
	 * before the job's exec). */
	int held = -1;
	if (p->program_fd >= 0) {
		held = p->err_w == 3 ? 4 : 3;
		r = held == p->program_fd ? rawsys(SYS_fcntl, held, F_SETFD, 0)
		                          : rawsys(SYS_dup3, p->program_fd, held, 0);
		if (r < 0)
			child_fail(p, STEP_DUP2, (int)-r);
	}
	/* Keep only those two (the pipe close-on-exec: execve closes it). */
	int lo = held >= 0 && held < p->err_w ? held : p->err_w;
	int hi = held > p->err_w ? held : p->err_w;
	child_close_range(p, 3, lo - 1);
	child_close_range(p, lo + 1, hi - 1);
	child_close_range(p, hi + 1, INT_MAX);
	/* The session helper reports on it too: keep it across execve (this
	 * child has a descriptor table of its own: no other process sees it). */
	if (p->via_helper && (r = rawsys(SYS_fcntl, p->err_w, F_SETFD, 0)) < 0)
		child_fail(p, STEP_CLOSE, (int)-r);
	return held;
}

/* Execs the plain command as dash would (lib/plaincmd.h), with the PWD
 * dash would add. Returns only when nothing was exec'd: the caller then
 * runs the shell. */
static void child_exec_direct(const struct plan *p)
{
	char pwd[4 + PATH_MAX];   /* no initializer: that would be a memset call */
	pwd[0] = 'P', pwd[1] = 'W', pwd[2] = 'D', pwd[3] = '=';
	if (rawsys(SYS_getcwd, pwd + 4, sizeof(pwd) - 4) < 0)
		return;
	p->direct_envp[p->env.count] = pwd;   /* execve copies it */
	plaincmd_exec(p->direct_argv, p->direct_envp, p->direct_path);
}

static _Noreturn void run_child(const struct plan *p)
{
	const uint64_t no_signals = 0;
	long r;
	child_reset_dispositions(p);
	if ((r = rawsys(SYS_setsid)) < 0)
		child_fail(p, STEP_SETSID, (int)-r);
	/* Descriptors first, while the child is still root's: from its setuid
	 * on, its owner may stop it for as long as they like, and a stopped
	 * child must hold none of crond's (the listening socket, the spool,
	 * the pidfile), or a crond started after a crash would find its socket
	 * still answering. */
	int held = child_descriptors(p);
	if (!p->via_helper) {
		/* With PAM the session helper, still root, does both for the
		 * job's own process (crond/session.h). */
		child_become_owner(p);
		child_chdir(p);
	}
	if (p->umask >= 0)
		(void)rawsys(SYS_umask, p->umask);
	if (p->set_nice && (r = rawsys(SYS_setpriority, PRIO_PROCESS, 0, p->prio)) < 0)
		child_fail(p, STEP_NICE, (int)-r);
	if (p->nofile != RUNNER_NOFILE_KEEP) {
		/* The limit crond was started with, not the one it raised. */
		struct rlimit rl = { p->nofile, p->nofile_max };
		if ((r = rawsys(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL)) < 0)
			child_fail(p, STEP_LIMITS, (int)-r);
	}
	if ((r = rawsys(SYS_rt_sigprocmask, SIG_SETMASK, &no_signals, NULL, KERNEL_SIGSET_SIZE)) < 0)
		child_fail(p, STEP_SIGNALS, (int)-r);
	if (p->direct) {
		child_exec_direct(p);
		*(volatile bool *)p->via_shell = true;
	}
	char **envp = p->via_helper ? p->helper_envp : p->env.envp;
	if (held >= 0) {   /* the file checked, whatever its name names now */
		r = rawsys(SYS_execveat, held, "", p->argv, envp, AT_EMPTY_PATH);
		if (r == -ENOSYS)   /* before Linux 3.19, or a filter: the same file */
			r = rawsys(SYS_execve, held == 3 ? "/proc/self/fd/3" : "/proc/self/fd/4",
			           p->argv, envp);
	} else {
		r = rawsys(SYS_execve, p->program, p->argv, envp);
	}
	child_fail(p, STEP_EXEC, (int)-r);
}

int runner_child_main(void *plan)
{
	run_child(plan);
}
