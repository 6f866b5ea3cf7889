/* crond/run/runner.c: starting one job as its owner (see runner.h).
 *
 * DESIGN: called from the supervisor thread only, so nothing here is
 * shared and nothing is locked; but the process has other threads, which may
 * hold malloc's, stdio's or NSS's locks at any moment. Everything that could
 * take a lock or allocate (users, groups, argv, envp, descriptors) is done
 * here, into `struct plan`; the child (runner_child.c) is created with
 * clone(CLONE_VM), like posix_spawn, and makes only raw system calls on that
 * plan before execve. Nothing waits for that execve but the session
 * helper's (CLONE_VFORK): the plan and the child's stack are kept in a
 * struct runner_pending, which the child's job holds until the start
 * report's EOF (runner_check_started), and only then are they freed or the
 * stack reused.
 *
 * Descriptors: runner_start creates four for the child (stdin, the write end
 * of the output pipe, the write end of the start-report pipe, and their read
 * ends for the parent), all close-on-exec and all moved above 2, so the
 * child's dup3 onto 0-2 never collides with them even if the daemon had
 * closed its own standard descriptors. The parent closes the child's ends
 * once the child exists and keeps the two read ends and the pidfd in
 * job_proc; every error path before that closes whatever was opened.
 */
#include "crond/run/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/run/jobenv.h"
#include "crond/session.h"
#include "lib/failtext.h"
#include "lib/plaincmd.h"
#include "lib/rawsys.h"

#define MAX_EXEC_ARGS 256

#include "crond/run/runner_plan.h"

/* A child in our memory: its plan and stack, until its start report's EOF. */
struct runner_pending {
	struct plan plan;
	bool via_shell;           /* the child's: it ran the shell after all */
	void *stack;              /* RUNNER_KIT_STACK bytes */
	struct runner_kit *kit;   /* where the stack goes back, or NULL */
};

/* Whether every child is forked: in the ThreadSanitizer build, which takes
 * any clone for a fork of a threaded process and then refuses to start
 * threads, and in builds for valgrind (make FORK_JOBS=1), which cannot
 * follow a clone sharing memory that does not wait. */
#if defined(__SANITIZE_THREAD__) || defined(CROND_FORK_JOBS)
#define FORK_EVERY_CHILD 1
#else
#define FORK_EVERY_CHILD 0
#endif

/* Whether a child may share our memory without being waited for: only
 * where it can make its system calls without writing errno (lib/rawsys.h),
 * and not where every child is forked. */
#if FORK_EVERY_CHILD || !RAWSYS_OWN_ERRNO
#define CHILD_MAY_SHARE_MEMORY 0
#else
#define CHILD_MAY_SHARE_MEMORY 1
#endif

static const char *errstr(int e, char *buf, size_t len)
{
	return strerror_r(e, buf, len);
}

/* ---------------------------------------------------------------- before fork */

static int lookup_user(struct plan *p, const char *name, char *err, size_t errlen)
{
	char eb[128];
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 4096;
	for (;;) {
		struct passwd *res = NULL;
		p->pwbuf = malloc(size);
		if (p->pwbuf == NULL) {
			snprintf(err, errlen, "out of memory looking up user %s", name);
			return -1;
		}
		int rc = getpwnam_r(name, &p->pw, p->pwbuf, size, &res);
		if (rc == 0 && res != NULL)
			return 0;
		free(p->pwbuf);
		p->pwbuf = NULL;
		if (rc == ERANGE && size < (1u << 20)) {
			size *= 2;
			continue;
		}
		if (rc != 0 && rc != ENOENT && rc != ESRCH)
			snprintf(err, errlen, "cannot look up user %s: %s", name, errstr(rc, eb, sizeof(eb)));
		else
			snprintf(err, errlen, "unknown user %s", name);
		return -1;
	}
}

static int lookup_groups(struct plan *p, char *err, size_t errlen)
{
	int room = 32;
	for (;;) {
		int n = room;
		p->groups = malloc((size_t)room * sizeof(gid_t));
		if (p->groups == NULL) {
			snprintf(err, errlen, "out of memory listing the groups of %s", p->pw.pw_name);
			return -1;
		}
		if (getgrouplist(p->pw.pw_name, p->pw.pw_gid, p->groups, &n) >= 0) {
			p->ngroups = (size_t)n;
			return 0;
		}
		free(p->groups);
		p->groups = NULL;
		if (n <= room || n > RUNNER_MAX_GROUPS) {
			snprintf(err, errlen, "cannot list the groups of %s", p->pw.pw_name);
			return -1;
		}
		room = n;
	}
}

/* Copies N strings of SRC, each after PREFIX, into one block: the
 * NULL-terminated array, then the strings; and EXTRA, if not NULL, as it
 * is, after them. NULL: no memory. */
static char **strv_prefixed(const char *prefix, const char *const *src, size_t n,
                            const char *extra)
{
	size_t total = n + (extra != NULL);
	size_t plen = strlen(prefix), bytes = (total + 1) * sizeof(char *);
	for (size_t i = 0; i < n; i++)
		bytes += plen + strlen(src[i]) + 1;
	if (extra != NULL)
		bytes += strlen(extra) + 1;
	char **v = malloc(bytes);
	if (v == NULL)
		return NULL;
	char *d = (char *)v + (total + 1) * sizeof(char *);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(src[i]) + 1;
		v[i] = d;
		memcpy(d, prefix, plen);
		memcpy(d + plen, src[i], len);
		d += plen + len;
	}
	if (extra != NULL) {
		v[n] = d;
		memcpy(d, extra, strlen(extra) + 1);
	}
	v[total] = NULL;
	return v;
}

/* strv_prefixed without a prefix. */
static char **strv_copy(const char *const *src, size_t n)
{
	return strv_prefixed("", src, n, NULL);
}

static int build_argv(struct plan *p, const struct job_spec *s, const char *shell, char *err,
                      size_t errlen)
{
	if (s->exec_path != NULL) {
		size_t n = 0;
		while (n < MAX_EXEC_ARGS && s->exec_argv[n] != NULL)
			n++;
		if (n == 0 || n == MAX_EXEC_ARGS) {
			snprintf(err, errlen, "exec_argv must hold 1 to %d arguments", MAX_EXEC_ARGS - 1);
			return -1;
		}
		p->argv = strv_copy(s->exec_argv, n);
		p->program = s->exec_path;
	} else {
		/* A script on stdin (an at job) runs as Debian's atd starts it,
		 * its $0 the shell's name alone ("sh"); `shell -c` keeps the
		 * path, as cron does. */
		const char *base = strrchr(shell, '/');
		const char *v[] = { s->command || base == NULL || base[1] == '\0' ? shell : base + 1,
			            "-c", s->command };
		p->argv = strv_copy(v, s->command ? 3 : 1);
		p->program = shell;
	}
	if (p->argv == NULL) {
		snprintf(err, errlen, "out of memory building the command line");
		return -1;
	}
	return 0;
}

static int check_spec(const struct job_spec *s, char *err, size_t errlen)
{
	const char *bad = NULL;
	if (s->user == NULL || s->user[0] == '\0')
		bad = "no user";
	else if (s->exec_path != NULL && s->exec_argv == NULL)
		bad = "exec_path without exec_argv";
	else if (s->umask < RUNNER_UMASK_KEEP || s->umask > 0777)
		bad = "umask out of range";
	else if (s->nice < 0)
		bad = "negative nice (only niceness can be added)";
	else if (s->input_is_fd && s->input_fd < 0)
		bad = "bad input descriptor";
	else if (!s->input_is_fd && s->input == NULL && s->input_len > 0)
		bad = "input length without input";
	else if (s->cwd != NULL && s->cwd[0] == '\0')
		bad = "empty working directory";
	else if (s->pam_service != NULL && (s->session_helper == NULL || s->exec_path != NULL))
		bad = "PAM needs the session helper and a shell command";
	if (bad == NULL)
		return 0;
	snprintf(err, errlen, "invalid job: %s", bad);
	return -1;
}

/* Returns FD itself if above 2, else a close-on-exec copy at 3 or above
 * (closing FD); -1 (errno set) if FD was -1 or the copy failed. */
static int above_stdio(int fd)
{
	if (fd < 0 || fd > 2)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	int e = errno;
	close(fd);
	errno = e;
	return moved;
}

static int close_keep_errno(int fd)
{
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* A sealed memfd holding LEN bytes of DATA, positioned at its start. */
static int input_memfd(const void *data, size_t len)
{
	int fd = above_stdio(memfd_create("crond-input", MFD_CLOEXEC | MFD_ALLOW_SEALING));
	if (fd < 0)
		return -1;
	const char *s = data;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, s + off, len - off);
		if (w < 0 && errno != EINTR)
			return close_keep_errno(fd);
		if (w > 0)
			off += (size_t)w;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0)
		return close_keep_errno(fd);
	return fd;
}

/* A close-on-exec pipe, both ends above 2, the read end non-blocking. */
static int open_pipe(int *rd, int *wr)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	*rd = above_stdio(fds[0]);
	*wr = above_stdio(fds[1]);
	if (*rd >= 0 && *wr >= 0 && fcntl(*rd, F_SETFL, O_NONBLOCK) == 0)
		return 0;
	int e = errno;
	if (*rd >= 0)
		close(*rd);
	if (*wr >= 0)
		close(*wr);
	*rd = *wr = -1;
	errno = e;
	return -1;
}

/* The gate (job_spec's gated): a pipe whose read end blocks, both ends
 * close-on-exec and above 2. */
static int open_gate(struct plan *p)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	p->gate_r = above_stdio(fds[0]);
	p->gate_w = above_stdio(fds[1]);
	if (p->gate_r >= 0 && p->gate_w >= 0)
		return 0;
	int e = errno;
	if (p->gate_r >= 0)
		close(p->gate_r);
	if (p->gate_w >= 0)
		close(p->gate_w);
	p->gate_r = p->gate_w = -1;
	errno = e;
	return -1;
}

static int open_fds(struct plan *p, const struct job_spec *s, char *err, size_t errlen)
{
	char eb[128];
	const char *what = "input";
	if (s->input_is_fd)
		p->in_fd = fcntl(s->input_fd, F_DUPFD_CLOEXEC, 3);
	else if (s->input != NULL)
		p->in_fd = input_memfd(s->input, s->input_len);
	else if (s->kit != NULL && s->kit->devnull >= 0) {
		p->in_fd = s->kit->devnull;
		p->in_borrowed = true;
	} else
		p->in_fd = above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC));
	if (p->in_fd >= 0) {
		what = "output pipe";
		if (open_pipe(&p->out_r, &p->out_w) == 0) {
			what = "start-report pipe";
			if (open_pipe(&p->err_r, &p->err_w) == 0) {
				what = "gate";
				if (!s->gated || open_gate(p) == 0)
					return 0;
			}
		}
	}
	snprintf(err, errlen, "cannot create the job's %s: %s", what, errstr(errno, eb, sizeof(eb)));
	return -1;
}

/* Niceness, the umask, the directory and the inaccessible-directory note. */
static int prepare_child_state(struct plan *p, const struct job_spec *s, char *err,
                               size_t errlen)
{
	if (s->nice > 0) {
		errno = 0;
		int cur = getpriority(PRIO_PROCESS, 0);
		if (cur == -1 && errno != 0) {
			snprintf(err, errlen, "getpriority failed");
			return -1;
		}
		p->set_nice = true;
		p->prio = s->nice > 19 - cur ? 19 : cur + s->nice;  /* 19: the least favourable */
	}
	p->umask = s->umask;
	p->cwd = s->cwd;
	if (s->cwd_inaccessible_exits && p->cwd != NULL) {
		/* Debian's words first (scripts grep them); the child adds why. */
		int n = asprintf(&p->note, "Execution directory inaccessible: %s: ", p->cwd);
		if (n < 0) {
			p->note = NULL;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		p->note_len = (size_t)n;
	}
	return 0;
}

void runner_ids_clear(struct runner_ids *ids)
{
	for (size_t i = 0; i < RUNNER_IDS_MAX; i++) {
		free(ids->slot[i].pw);
		free(ids->slot[i].pwbuf);
		free(ids->slot[i].groups);
		ids->slot[i] = (struct runner_id){ 0 };
	}
	ids->next = 0;
}

/* The owner's entry (and groups when NEED_GROUPS) into P: from IDS when
 * kept there, else looked up and then kept. P borrows what IDS holds. */
static int lookup_ids(struct plan *p, struct runner_ids *ids, const char *name, bool need_groups,
                      char *err, size_t errlen)
{
	struct runner_id *e = NULL;
	for (size_t i = 0; ids != NULL && i < RUNNER_IDS_MAX && e == NULL; i++)
		if (ids->slot[i].pw != NULL && strcmp(ids->slot[i].pw->pw_name, name) == 0)
			e = &ids->slot[i];
	if (e == NULL) {
		if (lookup_user(p, name, err, errlen) < 0)
			return -1;
		if (ids == NULL)
			return need_groups ? lookup_groups(p, err, errlen) : 0;
		e = &ids->slot[ids->next];
		ids->next = (ids->next + 1) % RUNNER_IDS_MAX;
		free(e->pw);
		free(e->pwbuf);
		free(e->groups);
		*e = (struct runner_id){ .pwbuf = p->pwbuf };
		e->pw = malloc(sizeof(*e->pw));
		if (e->pw == NULL) {   /* keep nothing; P still owns its lookup */
			*e = (struct runner_id){ 0 };
			return need_groups ? lookup_groups(p, err, errlen) : 0;
		}
		*e->pw = p->pw;
		p->pwbuf = NULL;
	}
	if (need_groups && e->groups == NULL) {
		if (lookup_groups(p, err, errlen) < 0)
			return -1;
		e->groups = p->groups;
		e->ngroups = p->ngroups;
		p->groups = NULL;
	}
	free(p->pwbuf);   /* a lookup of ours that a kept entry replaces */
	p->pw = *e->pw;
	p->pwbuf = NULL;
	p->groups = e->groups;
	p->ngroups = e->ngroups;
	p->ids_borrowed = true;
	return 0;
}

static uint64_t signals_to_reset(void)
{
	uint64_t reset = 0;
	for (int sig = 1; sig <= KERNEL_NSIG; sig++) {
		struct kernel_sigaction old;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* The raw call: glibc's sigaction refuses the two signals it
		 * keeps for itself, which may have its handlers. */
		long rc = syscall(SYS_rt_sigaction, sig, NULL, &old, KERNEL_SIGSET_SIZE);
		if (rc != 0 || old.handler != SIG_DFL)
			reset |= UINT64_C(1) << (sig - 1);
	}
	return reset;
}

/* Whether RUNNER_DEFAULT_SHELL, its links followed, is a program named dash. */
static bool sh_is_dash(void)
{
	char *real = realpath(RUNNER_DEFAULT_SHELL, NULL);
	if (real == NULL)
		return false;
	const char *base = strrchr(real, '/');
	bool dash = base != NULL && strcmp(base, "/dash") == 0;
	free(real);
	return dash;
}

int runner_kit_init(struct runner_kit *kit)
{
	*kit = (struct runner_kit){ .reset_signals = signals_to_reset(), .devnull = -1, .discard = -1,
		                    .dumpable_fd = -1, .clean_helper_fd = -1,
		                    .euid = geteuid(), .sh_is_dash = sh_is_dash(),
		                    .job_nofile = RUNNER_NOFILE_KEEP };
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		kit->nofile_max = rl.rlim_max;
	int rc = 0, e = 0;
	kit->devnull = above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC));
	if (kit->devnull < 0)
		rc = -1, e = errno;
	kit->discard = above_stdio(open("/dev/null", O_WRONLY | O_CLOEXEC));
	if (kit->discard < 0)
		rc = -1, e = errno;
	/* Not there (no /proc): nobody can read it to trace either. */
	kit->dumpable_fd = above_stdio(open("/proc/sys/fs/suid_dumpable", O_RDONLY | O_CLOEXEC));
	void *stack = mmap(NULL, RUNNER_KIT_STACK, PROT_READ | PROT_WRITE,
	                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		rc = -1, e = errno;
	else
		kit->stacks[kit->n_stacks++] = stack;
	errno = e;
	return rc;
}

bool runner_kit_owner_may_trace(const struct runner_kit *kit)
{
	char buf[8];
	ssize_t n = kit->dumpable_fd < 0 ? -1 : pread(kit->dumpable_fd, buf, sizeof(buf), 0);
	return n >= 1 && buf[0] == '1' && (n == 1 || buf[1] == '\n');
}

/* Whether ST, the entry NAME, is root's alone: root's, and a directory
 * nobody else may write to. A sticky one (/tmp) is not: a user may rename
 * into it any file of root's from a directory of their own, under a name
 * nobody has taken, and a link count cannot tell (a review's finding). */
static bool entry_roots_alone(const char *name, const struct stat *st, char *why, size_t whylen)
{
	if (st->st_uid != 0) {
		snprintf(why, whylen, "%s is not root's", name);
		return false;
	}
	if (S_ISDIR(st->st_mode) && (st->st_mode & 022)) {
		snprintf(why, whylen, "%s is writable by others than root", name);
		return false;
	}
	return true;
}

char *runner_helper_resolve(const char *path, int *held, char *why, size_t whylen)
{
	*held = -1;
	if (path == NULL || path[0] != '/') {
		snprintf(why, whylen, "'%s' is not an absolute path", path ? path : "");
		return NULL;
	}
	/* DONE: resolved so far, no link in it, each entry on it checked;
	 * TODO[AT..]: what is left to resolve. */
	char done[PATH_MAX] = "/", todo[PATH_MAX], next[PATH_MAX];
	if (strlen(path) >= sizeof(todo)) {
		snprintf(why, whylen, "%s: path too long", path);
		return NULL;
	}
	strcpy(todo, path);
	struct stat st;
	if (lstat("/", &st) < 0 || !entry_roots_alone("/", &st, why, whylen))
		return NULL;
	size_t at = 0;
	int links = 0;
	for (;;) {
		while (todo[at] == '/')
			at++;
		if (todo[at] == '\0')
			break;
		const char *name = todo + at;
		size_t len = strcspn(name, "/");
		at += len;
		if (len == 1 && name[0] == '.')
			continue;
		size_t dlen = strlen(done);
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			char *slash = strrchr(done, '/');
			slash[slash == done] = '\0';   /* "/a" -> "/", "/a/b" -> "/a" */
			continue;
		}
		size_t sep = dlen > 1;
		if (dlen + sep + len >= sizeof(done)) {
			snprintf(why, whylen, "%s: path too long", path);
			return NULL;
		}
		if (sep)
			done[dlen] = '/';
		memcpy(done + dlen + sep, name, len);
		done[dlen + sep + len] = '\0';
		if (lstat(done, &st) < 0) {
			snprintf(why, whylen, "%s: %s", done, strerror(errno));
			return NULL;
		}
		if (!entry_roots_alone(done, &st, why, whylen))
			return NULL;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = ++links > 40 ? -1 : readlink(done, next, sizeof(next) - 1);
			if (n <= 0 || (size_t)n + strlen(todo + at) >= sizeof(next)) {
				snprintf(why, whylen, "%s: %s", done,
				         links > 40 ? strerror(ELOOP) : n < 0 ? strerror(errno)
				         : n == 0 ? strerror(ENOENT) : "path too long");
				return NULL;
			}
			next[n] = '\0';
			strcat(next, todo + at);
			strcpy(todo, next);
			at = 0;
			done[dlen] = '\0';   /* back to the link's directory, or to "/" */
			if (todo[0] == '/')
				strcpy(done, "/");
			continue;
		}
		if (!S_ISDIR(st.st_mode) && todo[at] != '\0') {
			snprintf(why, whylen, "%s: %s", done, strerror(ENOTDIR));
			return NULL;
		}
	}
	/* The file itself is checked as held: what the caller will exec. */
	int fd = above_stdio(open(done, O_PATH | O_NOFOLLOW | O_CLOEXEC));
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s: %s", done, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) || !(st.st_mode & 0111)) {
		snprintf(why, whylen, "%s is not an executable file of root's that only root may write",
		         done);
		close(fd);
		return NULL;
	}
	char *real = strdup(done);
	if (real == NULL) {
		snprintf(why, whylen, "out of memory");
		close(fd);
		return NULL;
	}
	*held = fd;
	return real;
}

static void drop_clean_helper(struct runner_kit *kit)
{
	if (kit->clean_helper_fd > 2)   /* never 0: a zeroed kit was never set */
		close(kit->clean_helper_fd);
	kit->clean_helper_fd = -1;
	free(kit->clean_helper);
	kit->clean_helper = NULL;
}

/* Whether A and B are the same file. */
static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

bool runner_kit_set_clean_helper(struct runner_kit *kit, const char *path, bool *changed,
                                 char *why, size_t whylen)
{
	if (changed != NULL)
		*changed = false;
	int fd;
	char *real = runner_helper_resolve(path, &fd, why, whylen);
	if (real == NULL) {
		drop_clean_helper(kit);
		return false;
	}
	struct stat st, held;
	if (kit->clean_helper != NULL && strcmp(kit->clean_helper, real) == 0 &&
	    fstat(fd, &st) == 0 && fstat(kit->clean_helper_fd, &held) == 0 && same_file(&held, &st)) {
		close(fd);
		free(real);
		return true;
	}
	drop_clean_helper(kit);
	kit->clean_helper = real;
	kit->clean_helper_fd = fd;
	if (changed != NULL)
		*changed = true;
	return true;
}

void runner_kit_free(struct runner_kit *kit)
{
	while (kit->n_stacks > 0)
		munmap(kit->stacks[--kit->n_stacks], RUNNER_KIT_STACK);
	if (kit->devnull >= 0)
		close(kit->devnull);
	if (kit->discard >= 0)
		close(kit->discard);
	kit->devnull = kit->discard = -1;
	if (kit->dumpable_fd > 2)   /* never 0: a zeroed kit was never opened */
		close(kit->dumpable_fd);
	kit->dumpable_fd = -1;
	drop_clean_helper(kit);
}

/* A stack for a child: a spare of KIT's, else a new one. NULL with errno. */
static void *stack_take(struct runner_kit *kit)
{
	if (kit != NULL && kit->n_stacks > 0)
		return kit->stacks[--kit->n_stacks];
	void *stack = mmap(NULL, RUNNER_KIT_STACK, PROT_READ | PROT_WRITE,
	                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	return stack == MAP_FAILED ? NULL : stack;
}

/* STACK, no child's any more: kept by KIT as a spare, or unmapped. */
static void stack_give(struct runner_kit *kit, void *stack)
{
	if (kit != NULL && kit->n_stacks < RUNNER_KIT_STACKS)
		kit->stacks[kit->n_stacks++] = stack;
	else
		munmap(stack, RUNNER_KIT_STACK);
}

/* Every signal but the two no process can catch or ignore. */
static uint64_t all_signals(void)
{
	return ~(UINT64_C(1) << (SIGKILL - 1) | UINT64_C(1) << (SIGSTOP - 1));
}

/* A plain command whose shell is dash: its words, and the environment
 * with a slot for the PWD dash would add, for the child to exec it without
 * the shell (runner_child.c). Anything else keeps to the shell. */
static int plan_direct(struct plan *p, const struct job_spec *s, const char *shell, char *err,
                       size_t errlen)
{
	if (!s->direct_plain || s->command == NULL || s->kit == NULL || !s->kit->sh_is_dash ||
	    strcmp(shell, RUNNER_DEFAULT_SHELL) != 0)
		return 0;
	if (p->via_helper) {   /* it checks the environment PAM's is merged into */
		/* Without PAM the helper becomes the job: nothing would be left
		 * to end as dash would (crond/session.h). */
		char **words = p->helper_clean ? NULL : plaincmd_argv(s->command);
		p->helper_plain = words != NULL;
		free(words);
		return 0;
	}
	if (!p->shares_memory)
		return 0;   /* the child could not say whether it ran the shell */
	const char *path = jobenv_get(&p->env, "PATH");
	if (!plaincmd_path_is_plain(path) || !plaincmd_env_is_kept(p->env.envp))
		return 0;
	p->direct_argv = plaincmd_argv(s->command);
	if (p->direct_argv == NULL && errno == 0)
		return 0;
	p->direct_envp = malloc((p->env.count + 2) * sizeof(char *));
	if (p->direct_argv == NULL || p->direct_envp == NULL) {
		snprintf(err, errlen, "out of memory building the command line");
		return -1;
	}
	memcpy(p->direct_envp, p->env.envp, p->env.count * sizeof(char *));
	p->direct_envp[p->env.count] = NULL;       /* the child's PWD */
	p->direct_envp[p->env.count + 1] = NULL;
	p->direct_path = path;
	p->direct = true;
	return 0;
}

/* For a child in our memory, which may read its plan after this pass of
 * the supervisor's loop: its own copies of what the plan borrows (the
 * groups from the struct runner_ids, cleared after every pass; the program
 * and the directory, the job's or the configuration's). */
static int plan_own_copies(struct plan *p, char *err, size_t errlen)
{
	bool copy_groups = p->set_groups && p->ids_borrowed && p->ngroups > 0;
	if (copy_groups) {
		p->groups_own = malloc(p->ngroups * sizeof(gid_t));
		if (p->groups_own != NULL) {
			memcpy(p->groups_own, p->groups, p->ngroups * sizeof(gid_t));
			p->groups = p->groups_own;
		}
	}
	p->program_own = strdup(p->program);
	if (p->program_own != NULL)
		p->program = p->program_own;
	if (p->cwd != NULL && (p->cwd_own = strdup(p->cwd)) != NULL)
		p->cwd = p->cwd_own;
	if ((copy_groups && p->groups_own == NULL) ||
	    p->program_own == NULL || (p->cwd != NULL && p->cwd_own == NULL)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int prepare(struct plan *p, const struct job_spec *s, char *err, size_t errlen)
{
	const char *shell = s->shell ? s->shell : RUNNER_DEFAULT_SHELL;
	p->via_helper = s->pam_service != NULL;
	p->reset_signals = s->kit ? s->kit->reset_signals : all_signals();
	p->nofile = s->kit ? s->kit->job_nofile : RUNNER_NOFILE_KEEP;
	p->nofile_max = s->kit ? s->kit->nofile_max : 0;
	if (lookup_ids(p, s->ids, s->user, !p->via_helper, err, errlen) < 0)
		return -1;
	uid_t self = s->kit != NULL ? s->kit->euid : geteuid();
	if (!p->via_helper && p->pw.pw_uid != self && s->kit != NULL &&
	    s->kit->clean_helper != NULL && runner_kit_owner_may_trace(s->kit))
		p->via_helper = p->helper_clean = true;
	p->set_groups = !p->via_helper && (self == 0 || p->pw.pw_uid != self);
	/* Through the helper, the helper decides with the groups it looks up;
	 * a crond that is not root can set no group but the owner's own. */
	p->gid = p->via_helper || self != 0
	         ? p->pw.pw_gid
	         : session_job_gid(p->pw.pw_uid, p->pw.pw_gid, s->group, p->groups, p->ngroups);
	/* Only a job of our own user shares our memory (runner.h): another
	 * user's child is that user's to signal from its setuid on, and to
	 * trace where fs.suid_dumpable is 1. It is forked (spawn), and no
	 * plain command of theirs is exec'd without the shell (only a child
	 * that shares our memory can say it fell back to the shell). */
	p->shares_memory = CHILD_MAY_SHARE_MEMORY && !p->via_helper && p->pw.pw_uid == self;
	struct jobenv_base base = {
		.user = p->pw.pw_name,
		.home = p->pw.pw_dir,
		.shell = shell,
		.path = s->default_path ? s->default_path : RUNNER_DEFAULT_PATH,
	};
	if (jobenv_build(&base, s->assignments, s->n_assignments, &p->env, err, errlen) < 0)
		return -1;
	p->home = jobenv_get(&p->env, "HOME");
	if (build_argv(p, s, shell, err, errlen) < 0 || plan_direct(p, s, shell, err, errlen) < 0 ||
	    prepare_child_state(p, s, err, errlen) < 0)
		return -1;
	return p->shares_memory ? plan_own_copies(p, err, errlen) : 0;
}

/* PAM: the child execs the session helper instead of the job, with the
 * job in its arguments and the job's environment, every name prefixed,
 * as its own (crond/session.h). Needs the start-report pipe's number, so
 * it runs after open_fds. Replaces P's argv and program. */
static int helper_argv(struct plan *p, const struct job_spec *s, char *err, size_t errlen)
{
	size_t njob = 0;
	while (p->argv[njob] != NULL)
		njob++;
	size_t n = SESSION_ARGV_FIXED + 1 + njob;
	const char **v = malloc((n + 1) * sizeof(*v));
	char fd[16], count[24], group[24] = "";
	if (v == NULL) {
		snprintf(err, errlen, "out of memory building the session helper's arguments");
		return -1;
	}
	snprintf(fd, sizeof(fd), "%d", p->err_w);
	snprintf(count, sizeof(count), "%zu", p->env.count);
	if (s->group != (gid_t)-1)
		snprintf(group, sizeof(group), "%u", (unsigned)s->group);
	size_t k = 0;
	const char *helper = p->helper_clean ? s->kit->clean_helper : s->session_helper;
	v[k++] = helper;
	v[k++] = SESSION_ARGV_MAGIC;
	v[k++] = p->helper_clean ? "" : s->pam_service;
	v[k++] = p->pw.pw_name;
	v[k++] = fd;
	v[k++] = p->cwd ? SESSION_CWD_IN_ENV : "";   /* /proc/PID/cmdline is anyone's */
	v[k++] = p->note ? "at" : p->helper_plain ? "plain" : "-";
	v[k++] = count;
	v[k++] = group;
	v[k++] = p->program;
	for (size_t i = 0; i < njob; i++)
		v[k++] = p->argv[i];
	char **copy = strv_copy(v, k);
	free(v);
	char *cwd_var = NULL;
	if (p->cwd != NULL && asprintf(&cwd_var, "%s=%s", SESSION_CWD_VAR, p->cwd) < 0)
		cwd_var = NULL;
	if (p->cwd == NULL || cwd_var != NULL)
		p->helper_envp = strv_prefixed(SESSION_ENV_PREFIX,
		                               (const char *const *)p->env.envp, p->env.count,
		                               cwd_var);
	free(cwd_var);
	if (copy == NULL || p->helper_envp == NULL) {
		free(copy);
		snprintf(err, errlen, "out of memory building the session helper's arguments");
		return -1;
	}
	free(p->argv);
	p->argv = copy;
	p->program = helper;
	p->program_fd = p->helper_clean ? s->kit->clean_helper_fd : -1;
	return 0;
}

static void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->in_fd = p->out_r = p->out_w = p->err_r = p->err_w = p->program_fd = -1;
	p->gate_r = p->gate_w = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void plan_free(struct plan *p)
{
	if (p->in_borrowed)
		p->in_fd = -1;
	close_fd(&p->in_fd);
	close_fd(&p->out_r);
	close_fd(&p->out_w);
	close_fd(&p->err_r);
	close_fd(&p->err_w);
	close_fd(&p->gate_r);
	close_fd(&p->gate_w);
	if (!p->ids_borrowed) {
		free(p->pwbuf);
		free(p->groups);
	}
	free(p->argv);
	free(p->helper_envp);
	free(p->note);
	free(p->direct_argv);
	free(p->direct_envp);
	free(p->groups_own);
	free(p->program_own);
	free(p->cwd_own);
	p->groups_own = NULL;
	p->program_own = p->cwd_own = NULL;
	jobenv_free(&p->env);
	p->pwbuf = p->note = NULL;
	p->groups = NULL;
	p->argv = p->direct_argv = p->direct_envp = p->helper_envp = NULL;
}

/* "user\0program\0cwd\0home\0", for runner_check_started's messages. */
static char *make_info(const struct plan *p)
{
	const char *f[] = { p->pw.pw_name, p->program, p->cwd ? p->cwd : "", p->home };
	size_t len = 0;
	for (size_t i = 0; i < 4; i++)
		len += strlen(f[i]) + 1;
	char *info = malloc(len);
	if (info == NULL)
		return NULL;
	char *s = info;
	for (size_t i = 0; i < 4; i++) {
		size_t n = strlen(f[i]) + 1;
		memcpy(s, f[i], n);
		s += n;
	}
	return info;
}

static const char *info_field(const char *info, int k)
{
	if (info == NULL)
		return "?";
	while (k-- > 0)
		info += strlen(info) + 1;
	return info;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0);
	return fd < 0 ? -1 : (int)fd;
#else
	(void)pid;
	return -1;
#endif
}

/* Creates the child (runner_child.c) and returns its pid, or -1 with errno.
 * A job of our own user: sharing our memory until it execs, as posix_spawn
 * does, on a stack PEND keeps (runner_start hands both to the job), and
 * not waited for. The session helper, which is root until its own execve:
 * the same, but with clone's CLONE_VFORK waiting, so the stack is KIT's
 * again at once; forked when it waits at a gate, which the caller opens
 * only once this returns. Another user's job: a fork, waited for by
 * nothing. */
static pid_t create_child(struct runner_pending *pend, struct runner_kit *kit)
{
	struct plan *p = &pend->plan;
#if FORK_EVERY_CHILD
	/* Through fork(), which ThreadSanitizer and valgrind follow. The child
	 * code is the same either way. */
	(void)kit;
	pid_t child = fork();
	if (child == 0)
		runner_child_main(p);
	return child;
#endif
	if (!p->shares_memory && (!p->via_helper || p->gate_r >= 0)) {
		/* _Fork: no atfork handlers, no wait for the other threads'
		 * malloc locks; the child makes only raw system calls. */
		pid_t forked = _Fork();
		if (forked == 0)
			runner_child_main(p);
		return forked;
	}
	void *stack = stack_take(kit);
	if (stack == NULL)
		return -1;
	pid_t pid = clone(runner_child_main, (char *)stack + RUNNER_KIT_STACK,
	                  CLONE_VM | (p->shares_memory ? 0 : CLONE_VFORK) | SIGCHLD, p);
	int e = errno;
	if (pid > 0 && p->shares_memory) {
		pend->stack = stack;
		pend->kit = kit;
	} else {
		stack_give(kit, stack);
	}
	errno = e;
	return pid;
}

/* create_child with every signal blocked, glibc's own (32 and 33, which
 * pthread_sigmask leaves open) included, as posix_spawn does: until the
 * child has reset their dispositions (runner_child.c), a handler of ours
 * would run in it, on our memory. The child unblocks them just before its
 * execve; ours are restored here. */
static pid_t spawn(struct runner_pending *pend, struct runner_kit *kit)
{
	uint64_t all = ~(uint64_t)0, old;
	long r = rawsys(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof(all));
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	pid_t pid = create_child(pend, kit);
	int e = errno;
	rawsys(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof(old));
	errno = e;
	return pid;
}

/* Frees PEND, whose child has left our memory (its start report's EOF). */
static void pending_release(struct runner_pending *pend)
{
	struct plan *p = &pend->plan;
	/* Ours were closed when the child was created, or moved to its job. */
	p->in_fd = p->out_r = p->out_w = p->err_r = p->err_w = -1;
	p->gate_r = p->gate_w = -1;
	plan_free(p);
	if (pend->stack != NULL)
		stack_give(pend->kit, pend->stack);
	free(pend);
}

int runner_start(const struct job_spec *s, struct job_proc *proc, char *err, size_t errlen)
{
	char eb[128];
	*proc = JOB_PROC_NONE;
	struct runner_pending *pend = malloc(sizeof(*pend));
	if (pend == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*pend = (struct runner_pending){ .via_shell = false };
	struct plan *p = &pend->plan;
	plan_init(p);
	p->via_shell = &pend->via_shell;
	if (check_spec(s, err, errlen) < 0 || prepare(p, s, err, errlen) < 0 ||
	    open_fds(p, s, err, errlen) < 0 ||
	    (p->via_helper && helper_argv(p, s, err, errlen) < 0)) {
		plan_free(p);
		free(pend);
		return -1;
	}
	char *info = make_info(p);
	if (info == NULL) {
		snprintf(err, errlen, "out of memory");
		plan_free(p);
		free(pend);
		return -1;
	}
	pid_t pid = spawn(pend, s->kit);
	if (pid < 0) {
		snprintf(err, errlen, "cannot start a process: %s", errstr(errno, eb, sizeof(eb)));
		free(info);
		plan_free(p);
		free(pend);
		return -1;
	}
	proc->pid = pid;
	proc->pidfd = open_pidfd(pid);  /* the child is ours to reap: no pid reuse */
	proc->out_fd = p->out_r;
	proc->err_fd = p->err_r;   /* read later: runner_check_started */
	proc->uid = p->pw.pw_uid;
	proc->gid = p->gid;
	proc->info = info;
	/* The child's ends: it has copies of its own. The plan itself is not
	 * written while a child in our memory may read it. */
	if (!p->in_borrowed)
		close(p->in_fd);
	close(p->out_w);
	close(p->err_w);
	if (p->gate_r >= 0)
		close(p->gate_r);
	proc->gate_fd = p->gate_w;   /* runner_release's (pending_release forgets it) */
	if (p->shares_memory) {
		proc->pending = pend;   /* until the start report's EOF */
		return 0;
	}
	pending_release(pend);
	return 0;
}

/* ---------------------------------------------------------------- after start */

static void describe(const struct job_proc *proc, int step, int e, const char *text,
                     char *msg, size_t len)
{
	if (text[0] != '\0') {  /* the session helper says it in its own words */
		snprintf(msg, len, "%s", text);
		return;
	}
	char eb[128];
	const char *es = e ? errstr(e, eb, sizeof(eb)) : "unexpected success";
	unsigned uid = (unsigned)proc->uid, gid = (unsigned)proc->gid;
	/* what failed, when it names a path or a user: failtext cuts it, not
	 * the reason, when the message would not fit */
	char what[PATH_MAX + 64];
	switch (step) {
	case STEP_SETSID: snprintf(msg, len, "setsid failed: %s", es); break;
	case STEP_SETGROUPS:
		snprintf(what, sizeof(what), "setgroups for %s failed", info_field(proc->info, 0));
		failtext(msg, len, what, es);
		break;
	case STEP_SETGID: snprintf(msg, len, "setgid(%u) failed: %s", gid, es); break;
	case STEP_SETUID: snprintf(msg, len, "setuid(%u) failed: %s", uid, es); break;
	case STEP_VERIFY_IDS:
		snprintf(msg, len, "ids not %u:%u after setuid, refusing to run%s%s", uid, gid,
		         e ? ": " : "", e ? es : "");
		break;
	case STEP_REGAIN_ROOT:
		snprintf(msg, len, "setuid(0) succeeded after setuid(%u), refusing to run", uid);
		break;
	case STEP_CHDIR:
	case STEP_CHDIR_HOME:
		snprintf(what, sizeof(what), "cannot chdir to %s",
		         info_field(proc->info, step == STEP_CHDIR ? 2 : 3));
		failtext(msg, len, what, es);
		break;
	case STEP_NICE: snprintf(msg, len, "setpriority failed: %s", es); break;
	case STEP_SIGNALS: snprintf(msg, len, "cannot reset signals: %s", es); break;
	case STEP_LIMITS: snprintf(msg, len, "cannot set the descriptor limit: %s", es); break;
	case STEP_DUP2: snprintf(msg, len, "cannot set up stdin/stdout/stderr: %s", es); break;
	case STEP_CLOSE: snprintf(msg, len, "cannot close inherited descriptors: %s", es); break;
	case STEP_GATE: snprintf(msg, len, "not let start: crond gave it up before it ran"); break;
	case STEP_EXEC:
		snprintf(what, sizeof(what), "cannot execute %s", info_field(proc->info, 1));
		failtext(msg, len, what, es);
		break;
	default: snprintf(msg, len, "job start failed at step %d: %s", step, es); break;
	}
}

/* A child in our memory has left it (its report's EOF): the stack and the
 * plan are free, and whether it ran the shell after all can be read. */
static void pending_done(struct job_proc *proc, bool started)
{
	struct runner_pending *pend = proc->pending;
	proc->direct = started && pend->plan.direct && !pend->via_shell;
	pending_release(pend);
	proc->pending = NULL;
}

/* Takes crond-session's marks (STEP_MARK_*) off the front of the N bytes
 * at BUF, the last one into PROC; true when there were any. */
static bool take_marks(struct job_proc *proc, void *buf, ssize_t *n)
{
	const size_t one = sizeof(struct start_report);
	char *b = buf;
	size_t off = 0;
	struct start_report r;
	while ((size_t)*n - off >= one) {
		memcpy(&r, b + off, one);
		if (r.step != STEP_MARK_DIRECT && r.step != STEP_MARK_SHELL)
			break;
		proc->helper_direct = r.step == STEP_MARK_DIRECT;
		off += one;
	}
	if (off == 0)
		return false;
	memmove(b, b + off, (size_t)*n - off);
	*n -= (ssize_t)off;
	return true;
}

int runner_check_started(struct job_proc *proc, bool reaped, bool *started, char *msg,
                         size_t msglen)
{
	char eb[128];
	if (msglen > 0)
		msg[0] = '\0';
	if (proc->err_fd < 0) {   /* decided before */
		*started = !proc->start_failed;
		return 1;
	}
	/* The child's report, or the session helper's with its message, after
	 * any marks the helper wrote before it (one read may hold them all). */
	struct {
		struct start_report r;
		char text[SESSION_REPORT_TEXT + 2 * sizeof(struct start_report) + 1];
	} rep;
	ssize_t n;
	for (;;) {
		do
			n = read(proc->err_fd, &rep, sizeof(rep.r) + sizeof(rep.text) - 1);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno == EAGAIN) {
			if (!reaped)
				return 0;
			n = 0;   /* the child is gone: what it wrote is all there is */
		}
		if (n > 0 && take_marks(proc, &rep, &n) && n == 0)
			continue;   /* marks alone: the EOF or a report is to come */
		/* A child in our memory is still on its stack after its record
		 * (until it exits): the record is kept, and said at the EOF. */
		if (proc->pending == NULL || n != (ssize_t)sizeof(rep.r))
			break;
		proc->fail.step = rep.r.step;
		proc->fail.err = rep.r.err;
	}
	bool eof = n == 0;
	if (eof && proc->fail.step != 0) {   /* its record, then its EOF */
		rep.r.step = proc->fail.step;
		rep.r.err = proc->fail.err;
		n = (ssize_t)sizeof(rep.r);
	}
	*started = n == 0;
	if (n < 0) {
		snprintf(msg, msglen, "cannot read the start report: %s", errstr(errno, eb, sizeof(eb)));
	} else if (n > 0 && n < (ssize_t)sizeof(rep.r)) {
		snprintf(msg, msglen, "garbled start report (%zd bytes)", n);
	} else if (n > 0) {
		size_t tl = (size_t)n - sizeof(rep.r);
		rep.text[tl] = '\0';
		for (size_t i = 0; i < tl; i++)   /* it goes into log lines */
			if ((unsigned char)rep.text[i] < 0x20 || rep.text[i] == 0x7f)
				rep.text[i] = ' ';
		describe(proc, rep.r.step, rep.r.err, rep.text, msg, msglen);
		proc->failed_step = rep.r.step;
	}
	proc->start_failed = !*started;
	close_fd(&proc->err_fd);
	/* After a read error or a garbled record the child may still be in our
	 * memory: its stack and plan are then left to it (runner_proc_close). */
	if (proc->pending != NULL && eof)
		pending_done(proc, *started);
	else if (proc->helper_direct)
		proc->direct = *started;
	return 1;
}

bool runner_failed_at_exec(const struct job_proc *proc)
{
	return proc->start_failed && proc->failed_step == STEP_EXEC;
}

void runner_proc_close(struct job_proc *proc)
{
	if (proc->pending != NULL && proc->err_fd >= 0) {
		/* Dropped undecided: free the plan and stack only if the child
		 * has left our memory (EOF now, after any failure record it
		 * wrote), else leave them to it. err_fd does not block. */
		char buf[64];
		ssize_t n;
		do
			n = read(proc->err_fd, buf, sizeof(buf));
		while (n > 0 || (n < 0 && errno == EINTR));
		if (n == 0)
			pending_done(proc, false);
	}
	proc->pending = NULL;
	close_fd(&proc->gate_fd);
	close_fd(&proc->pidfd);
	close_fd(&proc->out_fd);
	close_fd(&proc->err_fd);
	free(proc->info);
	proc->info = NULL;
}

int runner_release(struct job_proc *proc)
{
	if (proc->gate_fd < 0)
		return 0;
	ssize_t n;
	do
		n = write(proc->gate_fd, "", 1);   /* an empty pipe: never blocks */
	while (n < 0 && errno == EINTR);
	int e = errno;
	close_fd(&proc->gate_fd);
	errno = e;
	return n == 1 ? 0 : -1;
}

bool runner_await_start(const struct job_proc *proc, int timeout_ms)
{
	if (proc->err_fd < 0)
		return false;
	struct pollfd p = { .fd = proc->err_fd, .events = POLLIN };
	return poll(&p, 1, timeout_ms) > 0;
}

int runner_signal(const struct job_proc *proc, int sig)
{
	if (kill(-proc->pid, sig) == 0)
		return 0;
	if (errno != ESRCH)
		return -1;
	/* No such group yet: the child had not reached its setsid. Its pid
	 * is still ours (it is not reaped), and a signal it blocks until its
	 * execve waits for it there. */
	if (kill(proc->pid, sig) < 0)
		return -1;
	/* Unless it made its group, exec'd and forked between the two
	 * calls: then a process of the job's escaped the signal (a test's
	 * `sh -c 'sleep 30'` killed alone left the sleep holding its output
	 * for 30 s, once in many CI runs). The group, if it exists now, gets
	 * it too; its leader may take SIG twice. */
	if (kill(-proc->pid, sig) < 0 && errno != ESRCH)
		return -1;
	return 0;
}
