/* crond/session/main.c: crond-session, the PAM session helper.
 *
 * DESIGN: with `pam = yes`, crond's runner execs this program, as root and
 * with an empty environment, in place of a job (the argument vector is
 * crond/session.h's). It is one process per job, and the only place PAM's
 * steps run, because the session step changes the process that takes it
 * (pam_limits: setrlimit; pam_loginuid: /proc/self/loginuid): never the
 * daemon, never the runner's raw-syscall child. This process then becomes
 * the job (so the job's shell leads the process group the runner's child
 * made, as without PAM: a job's `kill -- -$$` works, and the supervisor's
 * signals and wait reach the job itself); a copy of it, the keeper, closes
 * the session when the job has ended. Single-threaded; the keeper too.
 *
 *   1. block every signal (until the job's exec; the keeper keeps them
 *      blocked);
 *   2. the owner's passwd entry and groups (setgroups here, before PAM, so
 *      pam_group could add to them);
 *   3. PAM: account (a refusal ends here: STEP_PAM_ACCOUNT on the start
 *      report, exit 127, the job never runs), session, credentials;
 *   4. the job's environment (taken out of our own, where it came prefixed:
 *      crond/session.h): PAM's (pam_env) first, then the job's own,
 *      which wins for a name in both, as Debian's cron merges them (so
 *      crond's PATH and a crontab's assignments override /etc/environment);
 *   5. the keeper: a pidfd of this process, then a fork whose child forks
 *      the keeper and exits at once (reaped here: the job has no child of
 *      ours to wait for, and the keeper is init's to reap). The keeper
 *      takes a session of its own (out of the job's process group, so the
 *      supervisor's SIGKILL of the group at a stop or a timeout leaves it
 *      to close the session, where before such a session stayed open),
 *      holds none of the job's descriptors (its output's EOF is the job's
 *      alone), waits on the pidfd and closes the session, as root;
 *   6. become the job: setgid, setuid (checked and verified, as the
 *      runner's child does), chdir, empty signal mask, execve; a failure
 *      before execve goes on the start report and ends us with 127 (the
 *      keeper then closes the session). A plain command ("plain",
 *      crond/session.h) is exec'd without the shell when the merged
 *      environment is one dash passes on (lib/plaincmd.h), with dash's
 *      PWD; marks on the start report say so (STEP_MARK_DIRECT, then
 *      STEP_MARK_SHELL if that exec failed), and the supervisor reports a
 *      signal death of such a command as dash would (job.c).
 *
 * Without PAM (an empty service name: crond/session.h) it takes steps 1, 2
 * and 6, with no keeper: crond starts another user's
 * job so while fs.suid_dumpable is 1, for the process that becomes the
 * owner's holds this program's memory, not crond's.
 *
 * Exit statuses of its own: 127 when the job did not start (a report says
 * why). The keeper's messages (closing the session failed) go to syslog.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "crond/run/runner.h"
#include "crond/run/runner_plan.h"
#include "crond/session.h"
#include "crond/session/pam_steps.h"
#include "lib/failtext.h"
#include "lib/plaincmd.h"

#define MAX_ENV 4096            /* PAM's variables plus the job's */

struct args {
	const char *service, *user;
	char *cwd;                  /* NULL: $HOME (SESSION_CWD_VAR, taken out) */
	bool cwd_in_env;
	int report_fd;
	bool at_job;
	bool plain;                 /* "plain": may exec the command directly */
	size_t n_env;
	char **env;                 /* the job's, N_ENV of them */
	const char *program;
	char **job_argv;
	mode_t job_umask;           /* the umask the helper was started with */
	gid_t wanted_gid;           /* argv[8]: an at job's group, or (gid_t)-1 */
	gid_t gid;                  /* the job's primary group (session_job_gid) */
};

/* PAM's modules run as root: they get the job's umask with at least these
 * bits, not the job's alone (an at job's is its submitter's: 000 made a
 * file a session module created as root world-writable). A cron job's is
 * the daemon's own, which a stricter one (077) keeps. */
#define SESSION_PAM_UMASK 022

/* One write: the record and the message, so the supervisor reads both. */
static void report(int fd, int step, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void report(int fd, int step, int err, const char *fmt, ...)
{
	struct {
		struct start_report r;
		char text[SESSION_REPORT_TEXT];
	} rep = { { step, err }, { 0 } };
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(rep.text, sizeof(rep.text), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(rep.text))
		n = (int)sizeof(rep.text) - 1;
	if (fd < 0) {   /* no report pipe yet: the job's output is all we have */
		dprintf(2, "crond-session: %s\n", rep.text);
		return;
	}
	ssize_t w;
	do
		w = write(fd, &rep, sizeof(rep.r) + (size_t)n);
	while (w < 0 && errno == EINTR);
}

static int parse_args(int argc, char **argv, struct args *a, char *msg, size_t len)
{
	*a = (struct args){ .report_fd = -1 };
	if (argc < SESSION_ARGV_FIXED + 2 || strcmp(argv[1], SESSION_ARGV_MAGIC) != 0) {
		snprintf(msg, len, "not started by crond %s (usage: see crond/session.h)",
		         SESSION_ARGV_MAGIC);
		return -1;
	}
	char *end;
	errno = 0;
	long fd = strtol(argv[4], &end, 10);
	if (*argv[4] == '\0' || *end || errno || fd < 3 || fd > INT_MAX ||
	    fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(msg, len, "bad start-report descriptor '%.20s'", argv[4]);
		return -1;
	}
	a->report_fd = (int)fd;
	unsigned long long n = strtoull(argv[7], &end, 10);
	if (*argv[7] == '\0' || *end || n > MAX_ENV) {
		snprintf(msg, len, "bad environment count '%.20s'", argv[7]);
		return -1;
	}
	a->service = argv[2];
	a->user = argv[3];
	if (argv[5][0] != '\0' && strcmp(argv[5], SESSION_CWD_IN_ENV) != 0) {
		snprintf(msg, len, "bad working directory argument (see crond/session.h)");
		return -1;
	}
	a->cwd_in_env = argv[5][0] != '\0';   /* take_env finds it */
	a->at_job = strcmp(argv[6], "at") == 0;
	a->plain = strcmp(argv[6], "plain") == 0;
	a->n_env = (size_t)n;
	a->wanted_gid = (gid_t)-1;
	if (argv[8][0] != '\0') {
		unsigned long long g = strtoull(argv[8], &end, 10);
		if (!isdigit((unsigned char)argv[8][0]) || *end || g >= (gid_t)-1) {
			snprintf(msg, len, "bad group '%.20s'", argv[8]);
			return -1;
		}
		a->wanted_gid = (gid_t)g;
	}
	a->program = argv[SESSION_ARGV_FIXED];
	a->job_argv = argv + SESSION_ARGV_FIXED + 1;
	return 0;
}

/* Takes the job's environment out of ours (each string after
 * SESSION_ENV_PREFIX: crond/session.h), exactly A->n_env strings, and the
 * working directory (SESSION_CWD_VAR) when A->cwd_in_env, and clears ours,
 * so that nothing this process does as root reads a job's variable. -1
 * with MSG: a string without the prefix or '=', a count that differs, a
 * directory missing or given twice, or no memory. */
static int take_env(struct args *a, char *msg, size_t len)
{
	const size_t plen = strlen(SESSION_ENV_PREFIX), clen = strlen(SESSION_CWD_VAR);
	size_t n = 0;
	for (char **e = environ; e != NULL && *e != NULL; e++)
		n++;
	int rc = 0;
	a->env = calloc(n + 1, sizeof(*a->env));
	if (a->env == NULL) {
		snprintf(msg, len, "out of memory");
		rc = -1;
	}
	size_t k = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *var = environ[i];
		if (a->cwd_in_env && strncmp(var, SESSION_CWD_VAR, clen) == 0 && var[clen] == '=') {
			if (a->cwd != NULL || var[clen + 1] == '\0') {
				snprintf(msg, len, "bad %s", SESSION_CWD_VAR);
				rc = -1;
			} else if ((a->cwd = strdup(var + clen + 1)) == NULL) {
				snprintf(msg, len, "out of memory");
				rc = -1;
			}
		} else if (strncmp(var, SESSION_ENV_PREFIX, plen) != 0 || var[plen] == '=' ||
		           strchr(var + plen, '=') == NULL) {
			snprintf(msg, len, "bad environment string %zu", i);
			rc = -1;
		} else if ((a->env[k++] = strdup(var + plen)) == NULL) {
			snprintf(msg, len, "out of memory");
			rc = -1;
		}
	}
	if (rc == 0 && k != a->n_env) {
		snprintf(msg, len, "%zu environment strings, not %zu", k, a->n_env);
		rc = -1;
	}
	if (rc == 0 && a->cwd_in_env && a->cwd == NULL) {
		snprintf(msg, len, "no %s", SESSION_CWD_VAR);
		rc = -1;
	}
	(void)clearenv();
	return rc;
}

static size_t name_len(const char *var)
{
	return (size_t)(strchr(var, '=') - var);
}

static bool job_sets(const struct args *a, const char *var)
{
	size_t n = name_len(var);
	for (size_t i = 0; i < a->n_env; i++)
		if (name_len(a->env[i]) == n && strncmp(a->env[i], var, n) == 0)
			return true;
	return false;
}

/* PAM's variables the job does not set, then the job's. NULL: no memory. */
static char **merge_env(const struct args *a, char **pam)
{
	size_t np = 0;
	while (pam && pam[np] && np < MAX_ENV)
		np++;
	char **env = calloc(np + a->n_env + 1, sizeof(*env));
	if (env == NULL)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < np; i++)
		if (strchr(pam[i], '=') && pam[i][0] != '=' && !job_sets(a, pam[i]))
			env[k++] = pam[i];
	for (size_t i = 0; i < a->n_env; i++)
		env[k++] = a->env[i];
	env[k] = NULL;
	return env;
}

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);
	for (; *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static _Noreturn void child_fail(const struct args *a, int step, int e, const char *what)
{
	char line[SESSION_REPORT_TEXT];
	failtext(line, sizeof(line), what, strerror(e));   /* a long path gives way */
	report(a->report_fd, step, e, "%s", line);
	_exit(127);
}

static void become_owner(const struct args *a, const struct passwd *pw)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	char what[64];
	snprintf(what, sizeof(what), "setgid(%u) failed", (unsigned)a->gid);
	if (setgid(a->gid) < 0)
		child_fail(a, STEP_SETGID, errno, what);
	snprintf(what, sizeof(what), "setuid(%u) failed", (unsigned)pw->pw_uid);
	/* The effective uid first, alone: the real and saved uids, still
	 * root's, keep the owner's signals and ptrace off this process while
	 * fs.suid_dumpable 1 makes it dumpable at that change; then not
	 * dumpable; then the rest, which leaves the flag as it is. So it is
	 * never the owner's to trace or stop with PAM's memory in it; the
	 * exec makes the job theirs as usual. */
	if (pw->pw_uid != 0 && setresuid(0, pw->pw_uid, 0) < 0)
		child_fail(a, STEP_SETUID, errno, what);
	(void)prctl(PR_SET_DUMPABLE, 0);
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		child_fail(a, STEP_SETUID, errno, what);
	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
		child_fail(a, STEP_VERIFY_IDS, errno, "getresuid");
	if (ruid != pw->pw_uid || euid != pw->pw_uid || suid != pw->pw_uid ||
	    rgid != a->gid || egid != a->gid || sgid != a->gid) {
		report(a->report_fd, STEP_VERIFY_IDS, 0, "ids not %u:%u after setuid, refusing to run",
		       (unsigned)pw->pw_uid, (unsigned)a->gid);
		_exit(127);
	}
	if (pw->pw_uid != 0 && setuid(0) != -1) {
		report(a->report_fd, STEP_REGAIN_ROOT, 0,
		       "setuid(0) succeeded after setuid(%u), refusing to run", (unsigned)pw->pw_uid);
		_exit(127);
	}
}

/* One mark on the start report (crond/run/runner_plan.h's STEP_MARK_*),
 * no message: what the supervisor must know of how the job was exec'd. */
static void mark(const struct args *a, int step)
{
	struct start_report r = { step, 0 };
	ssize_t w;
	do
		w = write(a->report_fd, &r, sizeof(r));
	while (w < 0 && errno == EINTR);
}

/* The job's plain command, exec'd as dash would (lib/plaincmd.h), with the
 * PWD dash adds, when ENV is one dash passes on unchanged; a mark on the
 * start report says so just before the first try, and another that the
 * shell runs it after all when nothing was exec'd (then it returns). */
static void exec_plain(const struct args *a, char **env)
{
	const char *path = env_get(env, "PATH");
	if (a->job_argv[0] == NULL || a->job_argv[1] == NULL ||
	    a->job_argv[2] == NULL || strcmp(a->job_argv[1], "-c") != 0 ||
	    !plaincmd_path_is_plain(path) || !plaincmd_env_is_kept(env))
		return;
	char **words = plaincmd_argv(a->job_argv[2]);
	char cwd[PATH_MAX];
	size_t n = 0;
	while (env[n] != NULL)
		n++;
	char **with_pwd = malloc((n + 2) * sizeof(*with_pwd));
	char *pwd = malloc(sizeof(cwd) + 4);
	if (words != NULL && with_pwd != NULL && pwd != NULL && getcwd(cwd, sizeof(cwd)) != NULL) {
		snprintf(pwd, sizeof(cwd) + 4, "PWD=%s", cwd);
		memcpy(with_pwd, env, n * sizeof(*with_pwd));
		with_pwd[n] = pwd;
		with_pwd[n + 1] = NULL;
		mark(a, STEP_MARK_DIRECT);
		plaincmd_exec(words, with_pwd, path);
		mark(a, STEP_MARK_SHELL);
	}
	free(words);
	free(with_pwd);
	free(pwd);
}

/* close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) for kernels without the flag
 * (before 5.11): each descriptor above 2 that /proc/self/fd lists. */
static int cloexec_each(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	int self = dirfd(d), failed = 0;   /* the first failure's errno */
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (e->d_name[0] == '.' || *end != '\0' || fd <= 2 || fd == self)
			continue;
		if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF && failed == 0)
			failed = errno;
	}
	closedir(d);
	errno = failed;
	return failed != 0 ? -1 : 0;
}

/* Becomes the job: never returns. */
static _Noreturn void run_job(const struct args *a, const struct passwd *pw, char **env)
{
	/* Anything PAM's modules left open must not reach the job; done as
	 * root, who may read /proc/self/fd once we are not dumpable (below). */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 && cloexec_each() < 0)
		child_fail(a, STEP_CLOSE, errno, "cannot close inherited descriptors");
	become_owner(a, pw);   /* not dumpable from here to the job's exec */
	umask(a->job_umask);
	const char *home = env_get(env, "HOME");
	const char *dir = a->cwd ? a->cwd : home ? home : "/";
	int e = chdir(dir) < 0 ? errno : 0;
	if (e != 0 && a->cwd == NULL && chdir("/") == 0)
		e = 0;   /* a home not entered: the job runs in /, as runner_child.c */
	if (e != 0) {
		if (a->at_job && a->cwd) {
			/* Debian's words, in the job's output (runner.h). */
			dprintf(1, "Execution directory inaccessible: %s: %s\n", dir, strerror(e));
			_exit(1);
		}
		char what[PATH_MAX + 32];
		snprintf(what, sizeof(what), "cannot chdir to %s", dir);
		child_fail(a, a->cwd ? STEP_CHDIR : STEP_CHDIR_HOME, e, what);
	}
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		child_fail(a, STEP_SIGNALS, errno, "cannot reset signals");
	if (a->plain)
		exec_plain(a, env);
	execve(a->program, a->job_argv, env);
	char what[PATH_MAX + 32];
	snprintf(what, sizeof(what), "cannot execute %s", a->program);
	child_fail(a, STEP_EXEC, errno, what);
}

static int owner_groups(const struct passwd *pw, gid_t **groups, int *n)
{
	int room = 64;
	for (int tries = 0; tries < 8; tries++) {
		*groups = malloc((size_t)room * sizeof(gid_t));
		if (*groups == NULL)
			return -1;
		*n = room;
		if (getgrouplist(pw->pw_name, pw->pw_gid, *groups, n) >= 0)
			return 0;
		free(*groups);
		*groups = NULL;
		if (*n <= room || *n > RUNNER_MAX_GROUPS)
			return -1;
		room = *n;
	}
	return -1;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Ends main before the job started: 127, the copies of hide_env freed. */
static int quit(struct args *a)
{
	free_strv(a->env);
	a->env = NULL;
	free(a->cwd);
	a->cwd = NULL;
	return 127;
}

/* The session's keeper, a grandchild of ours in a session of its own:
 * holding none of the job's descriptors and out of its process group (the
 * supervisor's signals to the job do not reach it), it waits until
 * JOB_FD, a pidfd of this process, says the job has ended, then closes
 * the PAM session, as root, and exits. */
static _Noreturn void keep_session(struct pam_steps *ps, const struct args *a, int job_fd)
{
	(void)setsid();
	(void)close(a->report_fd);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd <= 2; fd++)
		if (null < 0 || dup2(null, fd) < 0)
			(void)close(fd);   /* the job's output must see its EOF */
	if (null > 2)
		(void)close(null);
	struct pollfd p = { .fd = job_fd, .events = POLLIN };
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	char msg[200];
	if (pam_steps_end(ps, msg, sizeof(msg)) < 0)
		syslog(LOG_WARNING, "(%s) closing the PAM session: %s", a->user, msg);
	_exit(0);
}

/* Starts the keeper (above) and waits for the child between us, so that
 * nothing of it is left for the job to reap or wait for. Returns 0, or -1
 * with *ERR (errno) and *WHY. */
static int start_keeper(struct pam_steps *ps, const struct args *a, int *err, const char **why)
{
	long fd = syscall(SYS_pidfd_open, getpid(), 0);   /* close-on-exec */
	if (fd < 0) {
		*err = errno;
		*why = "pidfd_open (Linux 5.3)";
		return -1;
	}
	pid_t mid = fork();
	if (mid == 0) {
		pid_t keeper = fork();
		if (keeper == 0)
			keep_session(ps, a, (int)fd);
		_exit(keeper < 0 ? 1 : 0);
	}
	int e = mid < 0 ? errno : EAGAIN;   /* the child's fork failed: EAGAIN */
	(void)close((int)fd);
	int status = 0;
	if (mid > 0)
		while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
			;
	if (mid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*err = e;
		*why = "cannot start the process that closes the session";
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sigset_t all;
	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, NULL);
	mode_t job_umask = umask(SESSION_PAM_UMASK);   /* the job's, for run_job */
	umask(job_umask | SESSION_PAM_UMASK);
	char msg[SESSION_REPORT_TEXT];
	struct args a;
	if (parse_args(argc, argv, &a, msg, sizeof(msg)) < 0) {
		report(a.report_fd, STEP_HELPER, 0, "crond-session: %s", msg);
		return 127;
	}
	a.job_umask = job_umask;
	if (take_env(&a, msg, sizeof(msg)) < 0) {
		report(a.report_fd, STEP_HELPER, 0, "crond-session: %s", msg);
		return quit(&a);
	}
	bool pam = a.service[0] != '\0';
	if (geteuid() != 0) {
		report(a.report_fd, STEP_HELPER, 0, pam ?
		       "crond-session: PAM needs crond to run as root (pam = yes)" :
		       "crond-session: not started as root");
		return quit(&a);
	}
	errno = 0;
	struct passwd *pw = getpwnam(a.user);
	gid_t *groups = NULL;
	int ngroups = 0;
	if (pw == NULL) {
		report(a.report_fd, STEP_HELPER, errno, "crond-session: unknown user %s", a.user);
		return quit(&a);
	}
	if (owner_groups(pw, &groups, &ngroups) < 0) {
		report(a.report_fd, STEP_SETGROUPS, 0, "cannot list the groups of %s", a.user);
		return quit(&a);
	}
	if (setgroups((size_t)ngroups, groups) < 0) {
		report(a.report_fd, STEP_SETGROUPS, errno, "setgroups for %s failed: %s", a.user,
		       strerror(errno));
		return quit(&a);
	}
	a.gid = session_job_gid(pw->pw_uid, pw->pw_gid, a.wanted_gid, groups, (size_t)ngroups);
	free(groups);
	if (!pam) {
		/* No session: become the job (the descriptor's close-on-exec
		 * is the start report's EOF). */
		umask(a.job_umask);
		run_job(&a, pw, a.env);
	}
	openlog("crond-session", LOG_PID, LOG_CRON);
	struct pam_steps ps;
	int step;
	char end_msg[200];
	if (pam_steps_begin(&ps, a.service, a.user, &step, msg, sizeof(msg)) < 0) {
		report(a.report_fd, step, 0, "%s", msg);
		(void)pam_steps_end(&ps, end_msg, sizeof(end_msg));
		return quit(&a);
	}
	char **pam_env = pam_steps_env(&ps);
	char **env = merge_env(&a, pam_env);
	int e = 0;
	const char *why = "out of memory";
	if (env != NULL && start_keeper(&ps, &a, &e, &why) == 0)
		run_job(&a, pw, env);   /* the keeper closes the session when we end */
	report(a.report_fd, STEP_HELPER, e, "crond-session: cannot start the job: %s%s%s", why,
	       e ? ": " : "", e ? strerror(e) : "");
	(void)pam_steps_end(&ps, end_msg, sizeof(end_msg));
	free(env);
	free_strv(pam_env);
	return quit(&a);
}
