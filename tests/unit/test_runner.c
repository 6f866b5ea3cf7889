/* tests/unit/test_runner.c: real jobs started as their owners: identity,
 * groups, environment, signal state, descriptors, stdin, working directory,
 * umask, niceness, and every start failure reported, never run.
 *
 * THREADED TEST: one test forks jobs while another thread keeps malloc and
 * stdio locks busy, as the daemon's other threads do.
 *
 * As root, identity tests run jobs as `nobody`; the rest run as the user
 * running the tests (root or not), and tests that need root are skipped with
 * a message otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crond/run/runner.h"
#include "crond/run/runner_plan.h"
#include "crond/session.h"
#include "tests/unit/support/fds.h"

struct result {
	char out[65536];
	size_t len;
	int status;       /* wait status */
	bool started;
	bool direct;      /* job_proc's: exec'd without the shell */
	char msg[512];
};


static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Drains output (not past R->out) until EOF, takes the start report. */
static void collect(struct job_proc *p, struct result *r)
{
	bool out_eof = false, decided = false;
	long long deadline = ms_now() + 20000;
	while (!out_eof || !decided) {
		struct pollfd fds[2] = { { out_eof ? -1 : p->out_fd, POLLIN, 0 },
			                 { decided ? -1 : p->err_fd, POLLIN, 0 } };
		if (ms_now() > deadline)
			fail_msg("job did not finish within 20 s");
		int n = poll(fds, 2, 1000);
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n >= 0);
		if (!out_eof && fds[0].revents) {
			ssize_t got = read(p->out_fd, r->out + r->len, sizeof(r->out) - 1 - r->len);
			if (got == 0)
				out_eof = true;
			else if (got > 0)
				r->len += (size_t)got;
			else
				assert_true(errno == EAGAIN || errno == EINTR);
			assert_true(r->len < sizeof(r->out) - 1);
		}
		if (!decided && (p->err_fd < 0 || fds[1].revents)) {
			decided = runner_check_started(p, false, &r->started, r->msg, sizeof(r->msg)) == 1;
			if (decided)
				assert_int_equal(p->err_fd, -1);
		}
	}
	r->out[r->len] = '\0';
}

/* Starts SPEC, waits for it, collects everything, closes the proc. */
static void run_job(const struct job_spec *spec, struct result *r)
{
	struct job_proc p;
	char err[256];
	memset(r, 0, sizeof(*r));
	int fds_before = count_fds();
	if (runner_start(spec, &p, err, sizeof(err)) != 0)
		fail_msg("runner_start: %s", err);
	assert_true(p.pid > 0);
	collect(&p, r);
	r->direct = p.direct;   /* known once the start is decided */
	assert_int_equal(waitpid(p.pid, &r->status, 0), p.pid);
	runner_proc_close(&p);
	assert_int_equal(p.out_fd, -1);
	assert_int_equal(p.pidfd, -1);
	assert_int_equal(count_fds(), fds_before);
}

static void assert_exited(const struct result *r, int code)
{
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != code)
		fail_msg("wait status %#x, want exit %d; output '%s' msg '%s'", r->status, code,
		         r->out, r->msg);
}

static void assert_ran(const struct result *r, const char *want_out)
{
	if (!r->started)
		fail_msg("job did not start: %s", r->msg);
	assert_string_equal(r->msg, "");
	assert_exited(r, 0);
	if (want_out)
		assert_string_equal(r->out, want_out);
}

static void assert_refused(const struct result *r, const char *want_msg)
{
	assert_false(r->started);
	assert_string_equal(r->msg, want_msg);
	assert_exited(r, 127);
	assert_string_equal(r->out, "");
}

static const char *self_name(void)
{
	static char name[256];
	struct passwd *pw = getpwuid(geteuid());
	assert_non_null(pw);
	snprintf(name, sizeof(name), "%s", pw->pw_name);
	return name;
}

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	print_message("skipped: needs root (runs jobs as another user)\n");
	skip();
	return false;
}

static struct job_spec shell_job(const char *user, const char *command)
{
	struct job_spec s = JOB_SPEC_INIT;
	s.user = user;
	s.command = command;
	return s;
}

/* COMMAND, run by this user's shell, exits 0 having printed WANT_OUT. */
static void expect_shell_prints(const char *command, const char *want_out)
{
	struct job_spec s = shell_job(self_name(), command);
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, want_out);
}

/* ---------------------------------------------------------------- the gate */

/* Starts USER's `echo ran` held at its gate (an at job's start) into P. */
static void start_gated_echo(const char *user, struct job_proc *p)
{
	struct job_spec s = shell_job(user, "echo ran");
	s.gated = true;
	char err[256];
	if (runner_start(&s, p, err, sizeof(err)) != 0)
		fail_msg("runner_start: %s", err);
}

/* A gated job (an at job's) runs nothing until runner_release: its output
 * stays empty and its process waits, whichever way it was created (our
 * memory for this user's job, a fork for another user's). */
static void gated_runs_when_released(const char *user)
{
	struct job_proc p;
	int fds_before = count_fds();
	start_gated_echo(user, &p);
	assert_true(p.gate_fd >= 0);
	usleep(200 * 1000);
	char c;
	assert_int_equal(read(p.out_fd, &c, 1), -1);   /* nothing yet, not EOF */
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(waitpid(p.pid, NULL, WNOHANG), 0);
	assert_int_equal(runner_release(&p), 0);
	assert_int_equal(p.gate_fd, -1);
	assert_int_equal(runner_release(&p), 0);   /* once only: nothing more */
	struct result r = { 0 };
	collect(&p, &r);
	assert_int_equal(waitpid(p.pid, &r.status, 0), p.pid);
	runner_proc_close(&p);
	assert_int_equal(count_fds(), fds_before);
	assert_ran(&r, "ran\n");
}

static void test_a_gated_job_runs_nothing_until_released(void **state)
{
	(void)state;
	gated_runs_when_released(self_name());
	if (geteuid() == 0)
		gated_runs_when_released("nobody");
}

/* A gate closed without its byte (crond died, or gave the job up): the
 * job runs nothing, and says why if anyone reads its report. */
static void test_a_gate_closed_unreleased_runs_nothing(void **state)
{
	(void)state;
	struct job_proc p;
	start_gated_echo(self_name(), &p);
	close(p.gate_fd);
	p.gate_fd = -1;
	struct result r = { 0 };
	collect(&p, &r);
	assert_int_equal(waitpid(p.pid, &r.status, 0), p.pid);
	runner_proc_close(&p);
	assert_refused(&r, "not let start: crond gave it up before it ran");
}

/* runner_await_start waits for the child's execve, and no longer than it
 * is told: a child held at its gate stands for one hung before its execve
 * (the supervisor waits so for the last start of a pass). */
static void test_await_start_waits_for_the_execve_and_no_longer_than_told(void **state)
{
	(void)state;
	struct job_proc p;
	start_gated_echo(self_name(), &p);
	long long t0 = ms_now();
	assert_false(runner_await_start(&p, 100));   /* held: not started */
	long long waited = ms_now() - t0;
	if (waited < 90 || waited > 5000)
		fail_msg("waited %lld ms for a child held at its gate, told 100 ms", waited);
	assert_int_equal(runner_release(&p), 0);
	assert_true(runner_await_start(&p, 20000));   /* exec'd: its report's EOF */
	struct result r = { 0 };
	collect(&p, &r);
	assert_false(runner_await_start(&p, 20000));  /* decided: nothing to wait for */
	assert_int_equal(waitpid(p.pid, &r.status, 0), p.pid);
	runner_proc_close(&p);
	assert_ran(&r, "ran\n");
}

/* ---------------------------------------------------------------- identity */

static void expected_ids(const char *user, char *buf, size_t len)
{
	struct passwd *pw = getpwnam(user);
	assert_non_null(pw);
	gid_t groups[256];
	int n = 256;
	assert_true(getgrouplist(user, pw->pw_gid, groups, &n) >= 0);
	for (int i = 1; i < n; i++)  /* the kernel reports them sorted */
		for (int j = i; j > 0 && groups[j - 1] > groups[j]; j--) {
			gid_t t = groups[j];
			groups[j] = groups[j - 1];
			groups[j - 1] = t;
		}
	int off = snprintf(buf, len, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nGroups:\t",
	                   pw->pw_uid, pw->pw_uid, pw->pw_uid, pw->pw_uid, pw->pw_gid, pw->pw_gid,
	                   pw->pw_gid, pw->pw_gid);
	for (int i = 0; i < n; i++)
		off += snprintf(buf + off, len - (size_t)off, "%u ", groups[i]);
	snprintf(buf + off, len - (size_t)off, "\n");
}

static void test_job_runs_with_the_owners_uid_gid_and_groups_only(void **state)
{
	(void)state;
	if (!need_root())
		return;
	/* The daemon's own supplementary groups must not reach the job. */
	gid_t daemon_groups[] = { 0, 4, 27 };
	gid_t saved[64];
	int nsaved = getgroups(64, saved);
	assert_true(nsaved >= 0);
	assert_int_equal(setgroups(3, daemon_groups), 0);

	struct job_spec s = shell_job("nobody", "grep -E '^(Uid|Gid|Groups):' /proc/self/status");
	s.cwd = "/";  /* nobody's home does not exist */
	struct result r;
	run_job(&s, &r);
	assert_int_equal(setgroups((size_t)nsaved, saved), 0);
	char want[1024];
	expected_ids("nobody", want, sizeof(want));
	assert_ran(&r, want);
}

/* An at job runs with the group its submitter had (job_spec's group), as
 * Debian's atd runs it, when its owner may have that group now: root any,
 * another user only their own (session_job_gid); else with the passwd
 * entry's: a group left since, or held through a set-group-id program,
 * is not given. */
static void test_an_at_jobs_group_is_kept_only_when_the_owner_has_it(void **state)
{
	(void)state;
	const gid_t groups[] = { 100, 8, 24 };
	assert_int_equal(session_job_gid(1000, 100, (gid_t)-1, groups, 3), 100);
	assert_int_equal(session_job_gid(1000, 100, 8, groups, 3), 8);
	assert_int_equal(session_job_gid(1000, 100, 9, groups, 3), 100);
	assert_int_equal(session_job_gid(1000, 100, 9, NULL, 0), 100);
	assert_int_equal(session_job_gid(0, 0, 9, NULL, 0), 9);
	if (!need_root())
		return;
	struct group *gr = getgrnam("mail");
	gid_t mail = gr != NULL ? gr->gr_gid : 8;
	char want[1024];
	snprintf(want, sizeof(want), "%u\n", (unsigned)mail);
	struct job_spec s = shell_job("root", "id -g");
	s.group = mail;
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, want);
	s = shell_job("nobody", "grep -E '^(Uid|Gid|Groups):' /proc/self/status");
	s.cwd = "/";                                   /* mail: not nobody's */
	s.group = mail;
	run_job(&s, &r);
	expected_ids("nobody", want, sizeof(want));
	assert_ran(&r, want);
}

/* Runs started together share one lookup per owner (struct runner_ids):
 * the second run of the same owner finds it kept, with its groups, and
 * still runs with exactly the owner's ids; clearing forgets it. */
static void test_owner_lookups_are_kept_for_runs_started_together(void **state)
{
	(void)state;
	if (!need_root())
		return;
	struct runner_ids ids = { 0 };
	char want[1024];
	expected_ids("nobody", want, sizeof(want));
	for (int i = 0; i < 2; i++) {
		struct job_spec s = shell_job("nobody", "grep -E '^(Uid|Gid|Groups):' /proc/self/status");
		s.cwd = "/";
		s.ids = &ids;
		struct result r;
		run_job(&s, &r);
		assert_ran(&r, want);
		assert_non_null(ids.slot[0].pw);
		assert_string_equal(ids.slot[0].pw->pw_name, "nobody");
		assert_non_null(ids.slot[0].groups);
		assert_null(ids.slot[1].pw);   /* the second run found the first's */
		assert_int_equal(ids.next, 1);
	}
	struct job_spec s = shell_job("root", "true");
	s.ids = &ids;
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, "");
	assert_string_equal(ids.slot[1].pw->pw_name, "root");
	runner_ids_clear(&ids);
	assert_null(ids.slot[0].pw);
	assert_null(ids.slot[1].pw);
	assert_int_equal(ids.next, 0);
}

static void test_job_runs_as_the_user_running_the_daemon_without_root(void **state)
{
	(void)state;
	struct job_spec s = shell_job(self_name(), "id -u; id -g");
	char want[64];
	snprintf(want, sizeof(want), "%u\n%u\n", geteuid(), getpwuid(geteuid())->pw_gid);
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, want);
}

static void test_job_leads_its_own_session_and_process_group(void **state)
{
	(void)state;
	struct job_spec s = shell_job(self_name(), "cut -d' ' -f5,6 /proc/$$/stat; echo $$");
	struct result r;
	run_job(&s, &r);
	unsigned pgrp, sid, pid;
	assert_ran(&r, NULL);
	assert_int_equal(sscanf(r.out, "%u %u\n%u", &pgrp, &sid, &pid), 3);
	assert_int_equal(pgrp, pid);
	assert_int_equal(sid, pid);
}

/* ---------------------------------------------------------------- environment */

static void test_environment_is_exactly_the_documented_list(void **state)
{
	(void)state;
	assert_int_equal(setenv("CROND_TEST_MARKER", "leaked", 1), 0);
	const char *user = geteuid() == 0 ? "nobody" : self_name();
	struct passwd *pw = getpwnam(user);
	assert_non_null(pw);
	static const char *const argv[] = { "env", NULL };
	const char *a[] = { "LOGNAME=root", "USER=root", "PATH=/opt/bin:/usr/bin", "FOO=bar" };
	struct job_spec s = JOB_SPEC_INIT;
	s.user = user;
	s.exec_path = "/usr/bin/env";
	s.exec_argv = argv;
	s.assignments = a;
	s.n_assignments = 4;
	s.cwd = "/";
	struct result r;
	run_job(&s, &r);
	char want[1024];
	snprintf(want, sizeof(want),
	         "HOME=%s\nLOGNAME=%s\nUSER=%s\nSHELL=/bin/sh\nPATH=/opt/bin:/usr/bin\nFOO=bar\n",
	         pw->pw_dir, user, user);
	assert_ran(&r, want);
	unsetenv("CROND_TEST_MARKER");
}

static void test_shell_gets_dash_c_and_the_command(void **state)
{
	(void)state;
	expect_shell_prints("echo \"$0\" \"$#\"; echo \"$SHELL\"", "/bin/sh 0\n/bin/sh\n");
}

/* ---------------------------------------------------------------- plain commands */

/* The ThreadSanitizer build forks (runner.c: spawn) and keeps to the shell. */
#if defined(__SANITIZE_THREAD__)
#define DIRECT_POSSIBLE false
#else
#define DIRECT_POSSIBLE true
#endif

/* Runs COMMAND with direct_plain set (or not) and a kit; R gets the rest. */
static void run_plain(const char *command, bool direct_plain, struct result *r)
{
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	struct job_spec s = shell_job(self_name(), command);
	s.kit = &kit;
	s.direct_plain = direct_plain;
	s.cwd = "/";
	run_job(&s, r);
	runner_kit_free(&kit);
}

/* A plain command is the job's process itself: its parent is us, where the
 * shell's run has the shell between. */
static void test_plain_command_is_execd_without_the_shell(void **state)
{
	(void)state;
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	bool dash = kit.sh_is_dash;
	runner_kit_free(&kit);
	if (!dash) {
		print_message("skipped: /bin/sh is not dash here\n");
		skip();
		return;
	}
	char want_direct[64];
	snprintf(want_direct, sizeof(want_direct), "PPid:\t%d\n", (int)getpid());
	struct result r;
	run_plain("/bin/grep PPid /proc/self/status", true, &r);
	assert_int_equal(r.direct, DIRECT_POSSIBLE);
	if (DIRECT_POSSIBLE)
		assert_ran(&r, want_direct);
	else
		assert_ran(&r, NULL);
	/* Not asked for, or not plain: the shell runs it. */
	run_plain("/bin/grep PPid /proc/self/status", false, &r);
	assert_false(r.direct);
	assert_ran(&r, NULL);
	assert_string_not_equal(r.out, want_direct);
	run_plain("/bin/grep PPid /proc/self/status | cat", true, &r);
	assert_false(r.direct);
	assert_ran(&r, NULL);
	assert_string_not_equal(r.out, want_direct);
	/* The environment is the shell's: the variables built, and PWD. */
	run_plain("env", true, &r);
	assert_int_equal(r.direct, DIRECT_POSSIBLE);
	assert_ran(&r, NULL);
	assert_non_null(strstr(r.out, "\nPWD=/\n"));
}

/* Nothing to exec: the shell runs instead and says why, as it always did. */
static void test_plain_command_not_found_goes_to_the_shell(void **state)
{
	(void)state;
	struct result r;
	run_plain("no-such-command-anywhere x", true, &r);
	assert_false(r.direct);
	assert_true(r.started);
	assert_exited(&r, 127);
	assert_string_equal(r.out, "/bin/sh: 1: no-such-command-anywhere: not found\n");
}

/* ---------------------------------------------------------------- signals, fds */

/* The same with the dispositions read once (struct runner_kit), as the
 * supervisor runs its jobs; USE_READ false: the child resets them all. */
static void check_dispositions_reset(bool use_read)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe, old_int;
	assert_int_equal(sigaction(SIGPIPE, &ign, &old_pipe), 0);
	assert_int_equal(sigaction(SIGINT, &ign, &old_int), 0);

	/* grep itself, not through a shell: dash unblocks signals at start-up. */
	static const char *const argv[] = { "grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status",
		                            NULL };
	struct job_spec s = shell_job(self_name(), NULL);
	s.exec_path = "/bin/grep";
	s.exec_argv = argv;
	struct runner_kit kit = { .devnull = -1, .discard = -1 };
	if (use_read) {
		assert_int_equal(runner_kit_init(&kit), 0);
		assert_true(kit.reset_signals >> (SIGPIPE - 1) & 1);
		assert_true(kit.reset_signals >> (SIGINT - 1) & 1);
		assert_false(kit.reset_signals >> (SIGUSR1 - 1) & 1);   /* blocked, not caught */
		assert_false(kit.reset_signals >> (SIGKILL - 1) & 1);
		s.kit = &kit;
	}
	struct result r;
	run_job(&s, &r);
	runner_kit_free(&kit);

	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	assert_int_equal(sigaction(SIGPIPE, &old_pipe, NULL), 0);
	assert_int_equal(sigaction(SIGINT, &old_int, NULL), 0);
	assert_ran(&r, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

static void test_signal_mask_and_dispositions_are_reset(void **state)
{
	(void)state;
	check_dispositions_reset(false);
}

static void test_dispositions_read_once_are_reset(void **state)
{
	(void)state;
	check_dispositions_reset(true);
}

/* A descriptor reading CONTENT, as fs.suid_dumpable would. */
static int dumpable_file(const char *content)
{
	char path[] = "/tmp/crond-test-dumpable.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd > 2);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	unlink(path);
	return fd;
}

/* fs.suid_dumpable as runner_kit_owner_may_trace reads it: only "1" lets
 * the new owner of a process read it. */
static bool may_trace_with(const char *content)
{
	struct runner_kit kit = { .dumpable_fd = dumpable_file(content) };
	bool yes = runner_kit_owner_may_trace(&kit);
	close(kit.dumpable_fd);
	return yes;
}

static void test_suid_dumpable_1_is_told(void **state)
{
	(void)state;
	assert_true(may_trace_with("1\n"));
	assert_true(may_trace_with("1"));
	assert_false(may_trace_with("0\n"));
	assert_false(may_trace_with("2\n"));
	assert_false(may_trace_with(""));
	assert_false(may_trace_with("10\n"));
	struct runner_kit none = { .dumpable_fd = -1 };
	assert_false(runner_kit_owner_may_trace(&none));
	/* this machine's, whatever it is, is read without failing; and
	 * read again at every call (pread), not once */
	struct runner_kit kit;
	(void)runner_kit_init(&kit);
	assert_true(kit.dumpable_fd > 2);
	(void)runner_kit_owner_may_trace(&kit);
	(void)runner_kit_owner_may_trace(&kit);
	runner_kit_free(&kit);
	assert_int_equal(kit.dumpable_fd, -1);
}

/* One kept stack serves start after start: each child gives it back at
 * its start report's EOF. */
static void test_kit_stack_serves_every_start(void **state)
{
	(void)state;
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	assert_int_equal(kit.n_stacks, 1);
	void *first = kit.stacks[0];
	assert_true(kit.devnull > 2);
	assert_true(kit.discard > 2 && kit.discard != kit.devnull);
	assert_int_equal(fcntl(kit.discard, F_GETFL) & O_ACCMODE, O_WRONLY);
	for (int i = 0; i < 5; i++) {
		char cmd[32], want[16];
		snprintf(cmd, sizeof(cmd), "cat; echo run %d", i);   /* stdin: /dev/null */
		snprintf(want, sizeof(want), "run %d\n", i);
		struct job_spec s = shell_job(self_name(), cmd);
		s.kit = &kit;
		struct result r;
		run_job(&s, &r);
		assert_ran(&r, want);
		assert_int_equal(kit.n_stacks, 1);
		assert_ptr_equal(kit.stacks[0], first);
	}
	assert_int_equal(fcntl(kit.devnull, F_GETFD), FD_CLOEXEC);   /* still the kit's */
	assert_int_equal(fcntl(kit.discard, F_GETFD), FD_CLOEXEC);
	runner_kit_free(&kit);
	runner_kit_free(&kit);   /* twice is safe */
	assert_int_equal(kit.devnull, -1);
	assert_int_equal(kit.discard, -1);
}

/* Children started back to back, each before the one before has exec'd:
 * each runs on a stack of its own (shared with none still in use), and
 * every stack is given back once its child's start is decided. */
static void test_children_in_flight_have_stacks_of_their_own(void **state)
{
	(void)state;
	enum { N = 24 };
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	struct job_proc procs[N];
	char cmds[N][32];
	for (int i = 0; i < N; i++) {
		snprintf(cmds[i], sizeof(cmds[i]), "echo child %d", i);
		struct job_spec s = shell_job(self_name(), cmds[i]);
		s.kit = &kit;
		char err[256];
		if (runner_start(&s, &procs[i], err, sizeof(err)) != 0)
			fail_msg("runner_start: %s", err);
	}
	for (int i = 0; i < N; i++) {
		struct result r = { 0 };
		char want[32];
		collect(&procs[i], &r);
		assert_int_equal(waitpid(procs[i].pid, &r.status, 0), procs[i].pid);
		runner_proc_close(&procs[i]);
		snprintf(want, sizeof(want), "child %d\n", i);
		assert_ran(&r, want);
	}
	assert_true(kit.n_stacks >= 1 && kit.n_stacks <= RUNNER_KIT_STACKS);
	for (size_t i = 0; i < kit.n_stacks; i++)
		for (size_t k = i + 1; k < kit.n_stacks; k++)
			assert_ptr_not_equal(kit.stacks[i], kit.stacks[k]);
	runner_kit_free(&kit);
}

/* A child in our memory makes its system calls without writing errno,
 * which is this thread's (lib/rawsys.h): a plain command found after 400
 * directories that do not exist fails 400 execs while we look (not a
 * builtin of dash's, which would keep the shell). */
static void test_child_in_our_memory_leaves_errno_alone(void **state)
{
	(void)state;
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	if (!DIRECT_POSSIBLE || !kit.sh_is_dash) {
		runner_kit_free(&kit);
		print_message("skipped: no plain command exec'd by a child in our memory here\n");
		skip();
		return;
	}
	static char path[400 * 24 + 8];
	size_t k = 0;
	for (int i = 0; i < 400; i++)
		k += (size_t)snprintf(path + k, sizeof(path) - k, "/nonexistent/d%d:", i);
	snprintf(path + k, sizeof(path) - k, "/usr/bin:/bin");
	struct job_spec s = shell_job(self_name(), "id -u");
	s.kit = &kit;
	s.direct_plain = true;
	s.default_path = path;
	s.cwd = "/";
	struct job_proc p;
	char err[256], msg[128];
	assert_int_equal(runner_start(&s, &p, err, sizeof(err)), 0);
	errno = 4242;
	struct pollfd pfd = { p.err_fd, POLLIN, 0 };
	int n = poll(&pfd, 1, 20000);   /* the report's EOF: it has exec'd */
	int seen = errno;
	assert_int_equal(n, 1);
	assert_int_equal(seen, 4242);
	bool started;
	assert_int_equal(runner_check_started(&p, false, &started, msg, sizeof(msg)), 1);
	assert_true(started);
	assert_true(p.direct);   /* id itself, found in /usr/bin: no shell */
	int status;
	assert_int_equal(waitpid(p.pid, &status, 0), p.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	runner_proc_close(&p);
	runner_kit_free(&kit);
}

/* A signal sent as soon as runner_start returns reaches the job although
 * the child may not have made its own process group yet (its start is not
 * waited for): each of these is killed, none sleeps its 30 s. */
static void test_signal_reaches_a_child_before_its_setsid(void **state)
{
	(void)state;
	enum { N = 40 };
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	struct job_proc procs[N];
	for (int i = 0; i < N; i++) {
		struct job_spec s = shell_job(self_name(), "sleep 30");
		s.kit = &kit;
		char err[256];
		if (runner_start(&s, &procs[i], err, sizeof(err)) != 0)
			fail_msg("runner_start: %s", err);
		assert_int_equal(runner_signal(&procs[i], SIGKILL), 0);
	}
	for (int i = 0; i < N; i++) {
		struct result r = { 0 };
		collect(&procs[i], &r);
		assert_int_equal(waitpid(procs[i].pid, &r.status, 0), procs[i].pid);
		runner_proc_close(&procs[i]);
		if (!WIFSIGNALED(r.status) || WTERMSIG(r.status) != SIGKILL)
			fail_msg("child %d: wait status %#x, want SIGKILL", i, r.status);
	}
	runner_kit_free(&kit);
}

/* A job dropped after its child failed (a failure record, then its exit)
 * but before its start was decided gives its stack back: the child has
 * left our memory. */
static void test_dropped_failed_start_gives_its_stack_back(void **state)
{
	(void)state;
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	size_t stacks = kit.n_stacks;
	struct job_spec s = shell_job(self_name(), "true");
	s.shell = "/nonexistent/shell";
	s.kit = &kit;
	struct job_proc p;
	char err[256];
	assert_int_equal(runner_start(&s, &p, err, sizeof(err)), 0);
	siginfo_t si = { 0 };
	assert_int_equal(waitid(P_PID, (id_t)p.pid, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(si.si_status, 127);
	runner_proc_close(&p);
	assert_int_equal(waitpid(p.pid, NULL, 0), p.pid);
	assert_int_equal(kit.n_stacks, stacks);
	runner_kit_free(&kit);
}

/* A start report whose write end some other process holds (root can take
 * one through /proc before the execve) never reaches its EOF; once the child
 * is reaped its start is decided all the same, from what it wrote, and a
 * child that shared our memory gives its stack back. */
static void decide_at_reap(const char *shell, bool want_started)
{
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	size_t stacks = kit.n_stacks;
	struct job_spec s = shell_job(self_name(), "true");
	s.shell = shell;
	s.kit = &kit;
	struct job_proc p;
	char err[256], msg[256], path[64];
	assert_int_equal(runner_start(&s, &p, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p.err_fd);
	int holder = open(path, O_WRONLY | O_CLOEXEC);   /* a second writer */
	assert_true(holder >= 0);
	siginfo_t si = { 0 };
	assert_int_equal(waitid(P_PID, (id_t)p.pid, &si, WEXITED | WNOWAIT), 0);
	bool started = !want_started;
	/* Undecided without the EOF; only a forked child's failure record
	 * (every child is forked under ThreadSanitizer) decides at once. */
	char early[256];
	int decided = runner_check_started(&p, false, &started, early, sizeof(early));
	if (want_started || p.pending != NULL)
		assert_int_equal(decided, 0);
	assert_int_equal(waitpid(p.pid, NULL, 0), p.pid);
	assert_int_equal(runner_check_started(&p, true, &started, msg, sizeof(msg)), 1);
	assert_int_equal(started, want_started);
	if (!want_started)
		assert_non_null(strstr(decided ? early : msg, shell));
	assert_int_equal(p.err_fd, -1);
	runner_proc_close(&p);
	assert_int_equal(kit.n_stacks, stacks);
	close(holder);
	runner_kit_free(&kit);
}

static void test_start_is_decided_at_the_reap_when_another_process_holds_the_report(void **state)
{
	(void)state;
	decide_at_reap("/bin/sh", true);
	decide_at_reap("/nonexistent/shell", false);
}

/* The kit's job_nofile is the job's soft descriptor limit (crond raised
 * its own); RUNNER_NOFILE_KEEP leaves the daemon's. */
static void test_job_gets_the_descriptor_limit_crond_started_with(void **state)
{
	(void)state;
	struct runner_kit kit;
	assert_int_equal(runner_kit_init(&kit), 0);
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_cur > 100);
	char want[32];
	snprintf(want, sizeof(want), "%llu\n", (unsigned long long)rl.rlim_cur);
	struct job_spec s = shell_job(self_name(), "ulimit -n");
	s.kit = &kit;
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, want);   /* KEEP: as the daemon has it */
	kit.job_nofile = 100;
	run_job(&s, &r);
	assert_ran(&r, "100\n");
	runner_kit_free(&kit);
}

/* A handler caught in the daemon counts as one to reset; one back at
 * SIG_DFL does not. */
static void noop_handler(int sig)
{
	(void)sig;
}

static void test_signals_read_follows_dispositions(void **state)
{
	(void)state;
	struct sigaction h = { .sa_handler = noop_handler }, dfl = { .sa_handler = SIG_DFL }, old;
	struct runner_kit kit;
	assert_int_equal(sigaction(SIGUSR2, &h, &old), 0);
	assert_int_equal(runner_kit_init(&kit), 0);
	assert_true(kit.reset_signals >> (SIGUSR2 - 1) & 1);
	runner_kit_free(&kit);
	assert_int_equal(sigaction(SIGUSR2, &dfl, NULL), 0);
	assert_int_equal(runner_kit_init(&kit), 0);
	assert_false(kit.reset_signals >> (SIGUSR2 - 1) & 1);
	runner_kit_free(&kit);
	assert_int_equal(kit.n_stacks, 0);
	assert_int_equal(sigaction(SIGUSR2, &old, NULL), 0);
}

static void test_no_descriptor_above_2_reaches_the_job(void **state)
{
	(void)state;
	/* Descriptors the daemon should never have, without close-on-exec. */
	int leak1 = open("/dev/null", O_RDONLY);
	int leak2 = dup(leak1);
	int leak3 = fcntl(leak1, F_DUPFD, 200);
	assert_true(leak1 >= 0 && leak2 >= 0 && leak3 >= 200);
	/* A simple command: a pipeline would show the shell's own pipes. */
	struct job_spec s = shell_job(self_name(), "ls /proc/$$/fd");
	struct result r;
	run_job(&s, &r);
	close(leak1);
	close(leak2);
	close(leak3);
	assert_ran(&r, "0\n1\n2\n");
}

static void test_stdout_and_stderr_share_the_output_pipe(void **state)
{
	(void)state;
	expect_shell_prints("echo out; echo err >&2; echo out2", "out\nerr\nout2\n");
}

static void test_parent_descriptors_are_cloexec_and_readers_nonblocking(void **state)
{
	(void)state;
	struct job_spec s = shell_job(self_name(), "exit 3");
	struct job_proc p;
	char err[256];
	assert_int_equal(runner_start(&s, &p, err, sizeof(err)), 0);
	int fds[] = { p.out_fd, p.pidfd, p.err_fd };
	size_t n = 3;
	assert_true(fcntl(p.err_fd, F_GETFL) & O_NONBLOCK);
	for (size_t i = 0; i < n; i++) {
		assert_true(fds[i] > 2);
		assert_true(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
	}
	assert_true(fcntl(p.out_fd, F_GETFL) & O_NONBLOCK);
	struct pollfd pfd = { p.pidfd, POLLIN, 0 };
	assert_int_equal(poll(&pfd, 1, 20000), 1);  /* the pidfd says when it ends */
	int status;
	assert_int_equal(waitpid(p.pid, &status, 0), p.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	bool started;
	char msg[128];
	assert_int_equal(runner_check_started(&p, false, &started, msg, sizeof(msg)), 1);
	assert_true(started);
	runner_proc_close(&p);
	runner_proc_close(&p);  /* twice is harmless */
}

/* ---------------------------------------------------------------- stdin */

static void test_stdin_is_the_input_text(void **state)
{
	(void)state;
	const char text[] = "line 1\nline 2 % not special\n";
	struct job_spec s = shell_job(self_name(), "cat");
	s.input = text;
	s.input_len = sizeof(text) - 1;
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, text);
}

static void test_large_input_never_blocks_the_parent(void **state)
{
	(void)state;
	size_t len = 4u << 20;  /* far past any pipe buffer */
	char *big = malloc(len);
	assert_non_null(big);
	memset(big, 'x', len);
	struct job_spec s = shell_job(self_name(), "wc -c");
	s.input = big;
	s.input_len = len;
	struct result r;
	run_job(&s, &r);
	free(big);
	assert_ran(&r, "4194304\n");
}

static void test_without_input_stdin_is_dev_null(void **state)
{
	(void)state;
	expect_shell_prints("readlink /proc/$$/fd/0; cat", "/dev/null\n");
}

static void test_input_may_be_a_descriptor_the_caller_keeps(void **state)
{
	(void)state;
	int fd = memfd_create("test", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "skip:kept\n", 10), 10);
	assert_int_equal(lseek(fd, 5, SEEK_SET), 5);  /* read from the current offset */
	struct job_spec s = shell_job(self_name(), "cat");
	s.input_is_fd = true;
	s.input_fd = fd;
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, "kept\n");
	assert_true(fcntl(fd, F_GETFD) >= 0);  /* still the caller's */
	close(fd);
}

/* A job without a command: the shell reads the script on stdin, its $0
 * the shell's name alone, "sh", as Debian's atd starts it. */
static void test_without_command_the_shell_reads_the_script_from_stdin(void **state)
{
	(void)state;
	const char script[] = "echo at job\necho \"$0\"\ncd /tmp && pwd\n";
	struct job_spec s = shell_job(self_name(), NULL);
	s.input = script;
	s.input_len = sizeof(script) - 1;
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, "at job\nsh\n/tmp\n");
}

/* ---------------------------------------------------------------- directory */

static void test_job_starts_in_home_by_default_and_home_may_be_overridden(void **state)
{
	(void)state;
	struct passwd *pw = getpwuid(geteuid());
	assert_non_null(pw);
	char want[1200];
	snprintf(want, sizeof(want), "%s\n", pw->pw_dir);
	struct job_spec s = shell_job(self_name(), "pwd");
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, want);
	const char *a[] = { "HOME=/tmp" };
	s.assignments = a;
	s.n_assignments = 1;
	run_job(&s, &r);
	assert_ran(&r, "/tmp\n");
	/* A home that cannot be entered does not stop the job: it runs in /,
	 * as Debian's cron runs it anyway (cronie does not run it). */
	const char *gone[] = { "HOME=/nonexistent/dir" };
	s.assignments = gone;
	run_job(&s, &r);
	assert_ran(&r, "/\n");
	const char *file[] = { "HOME=/etc/passwd" };
	s.assignments = file;
	run_job(&s, &r);
	assert_ran(&r, "/\n");
}

/* An at job never runs anywhere but where it was queued (Debian's atd
 * neither): its output says why and it exits 1, so it is mailed. */
static void assert_directory_refused(const struct result *r, const char *want_out)
{
	if (!r->started)
		fail_msg("the start failed (%s): the job's output should say why instead", r->msg);
	assert_exited(r, 1);
	assert_string_equal(r->out, want_out);
}

static void test_gone_cwd_of_an_at_job_says_inaccessible_and_runs_nothing(void **state)
{
	(void)state;
	struct job_spec s = shell_job(self_name(), "pwd");
	s.cwd = "/nonexistent/dir";
	s.cwd_inaccessible_exits = true;
	struct result r;
	run_job(&s, &r);
	assert_directory_refused(
		&r, "Execution directory inaccessible: /nonexistent/dir: No such file or directory\n");
	s.cwd = "/etc/passwd";
	run_job(&s, &r);
	assert_directory_refused(
		&r, "Execution directory inaccessible: /etc/passwd: Not a directory\n");
}

static void test_gone_cwd_without_fallback_is_reported_and_nothing_runs(void **state)
{
	(void)state;
	struct job_spec s = shell_job(self_name(), "echo should not run");
	s.cwd = "/nonexistent/dir";
	struct result r;
	run_job(&s, &r);
	assert_refused(&r, "cannot chdir to /nonexistent/dir: No such file or directory");
}

static void test_cwd_is_entered_with_the_owners_rights_and_denial_runs_nothing(void **state)
{
	(void)state;
	if (!need_root())
		return;
	char dir[] = "/tmp/crond-runner-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0700), 0);
	struct job_spec s = shell_job("nobody", "echo should not run");
	s.cwd = dir;
	struct result r;
	run_job(&s, &r);
	char want[256];
	snprintf(want, sizeof(want), "cannot chdir to %s: Permission denied", dir);
	assert_refused(&r, want);
	s.cwd_inaccessible_exits = true;
	run_job(&s, &r);
	rmdir(dir);
	snprintf(want, sizeof(want), "Execution directory inaccessible: %s: Permission denied\n",
	         dir);
	assert_directory_refused(&r, want);
}

/* ---------------------------------------------------------------- umask, nice */

static void test_umask_is_applied(void **state)
{
	(void)state;
	struct job_spec s = shell_job(self_name(), "umask");
	s.umask = 027;
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, "0027\n");
	s.umask = RUNNER_UMASK_KEEP;
	mode_t old = umask(0002);
	run_job(&s, &r);
	umask(old);
	assert_ran(&r, "0002\n");
}

static void test_nice_adds_to_the_daemons_niceness_capped_at_19(void **state)
{
	(void)state;
	errno = 0;
	int cur = getpriority(PRIO_PROCESS, 0);
	assert_false(cur == -1 && errno != 0);
	int want_nice = cur + 5 > 19 ? 19 : cur + 5;
	struct job_spec s = shell_job(self_name(), "nice");
	s.nice = 5;
	struct result r;
	run_job(&s, &r);
	char want[16];
	snprintf(want, sizeof(want), "%d\n", want_nice);
	assert_ran(&r, want);
	s.nice = 52;  /* at's queue z: capped, not refused */
	run_job(&s, &r);
	assert_ran(&r, "19\n");
}

/* ---------------------------------------------------------------- failures */

static void test_unknown_user_fails_before_fork_leaving_nothing_open(void **state)
{
	(void)state;
	int before = count_fds();
	struct job_spec s = shell_job("no-such-user-crond-test", "true");
	struct job_proc p;
	char err[256];
	assert_int_equal(runner_start(&s, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown user no-such-user-crond-test");
	assert_int_equal(count_fds(), before);
	assert_int_equal(p.pid, -1);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);  /* no child at all */
	assert_int_equal(errno, ECHILD);
}

static void test_invalid_specs_are_refused_before_fork(void **state)
{
	(void)state;
	struct job_spec specs[6];
	for (size_t i = 0; i < 6; i++)
		specs[i] = shell_job(self_name(), "true");
	specs[0].user = NULL;
	specs[1].umask = 01000;
	specs[2].umask = -2;
	specs[3].nice = -1;
	specs[4].exec_path = "/bin/true";
	specs[5].input_is_fd = true, specs[5].input_fd = -1;
	int before = count_fds();
	for (size_t i = 0; i < 6; i++) {
		struct job_proc p;
		char err[256];
		assert_int_equal(runner_start(&specs[i], &p, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "invalid job"));
	}
	assert_int_equal(count_fds(), before);
}

static void test_exec_failure_is_reported(void **state)
{
	(void)state;
	struct job_spec s = shell_job(self_name(), "true");
	s.shell = "/nonexistent/shell";
	struct result r;
	run_job(&s, &r);
	assert_refused(&r, "cannot execute /nonexistent/shell: No such file or directory");
}

/* ---------------------------------------------------------------- PAM */

/* A stand-in for crond-session (crond/session.h): prints its arguments and
 * its environment; with service "refuse" it reports a
 * refusal on the start-report descriptor instead. */
static const char fake_helper[] =
	"#!/usr/bin/python3\n"
	"import os, struct, sys\n"
	"a = sys.argv\n"
	"if a[2] == 'refuse':\n"
	"    os.write(int(a[4]), struct.pack('ii', 15, 0) + b'account refused by PAM (test)')\n"
	"    sys.exit(127)\n"
	"if a[2].startswith('marks '):\n"   /* marks, then a job that ends so */
	"    os.write(int(a[4]), b''.join(struct.pack('ii', int(m), 0)\n"
	"                                 for m in a[2].split()[1:]))\n"
	"    os.close(int(a[4]))\n"
	"    sys.stdout.write('marked\\n'); sys.stdout.flush()\n"
	"    os.kill(os.getpid(), 11)\n"
	"os.fstat(int(a[4]))\n"   /* the report descriptor is open, above 2 */
	"print('|'.join(a[1:4] + ['FD' if int(a[4]) > 2 else a[4]] + a[5:]))\n"
	"print('env:' + '|'.join(sorted(k + '=' + v for k, v in os.environ.items()\n"
	"                               if k != 'LC_CTYPE')))\n";

/* A new directory of root's in /run, which only root may write (a clean
 * helper may not be under sticky /tmp), into DIR; false if /run is not
 * root's alone here. */
static bool make_roots_dir(char *dir, size_t len)
{
	struct stat st;
	if (lstat("/run", &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return false;
	snprintf(dir, len, "/run/crond-test.XXXXXX");
	return mkdtemp(dir) != NULL && chmod(dir, 0755) == 0;
}

/* The fake helper, as DIR/crond-test-helper-PID (DIR NULL: /tmp). */
static void write_fake_helper_in(const char *dir, char *path, size_t len)
{
	snprintf(path, len, "%s/crond-test-helper-%d", dir ? dir : "/tmp", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(fake_helper, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static void write_fake_helper(char *path, size_t len)
{
	write_fake_helper_in(NULL, path, len);
}

static void test_pam_spec_execs_the_helper_with_the_job_in_arguments_and_its_environment_prefixed(
	void **state)
{
	(void)state;
	if (access("/usr/bin/python3", X_OK) != 0) {
		print_message("skipped: needs /usr/bin/python3\n");
		skip();
	}
	char helper[64];
	write_fake_helper(helper, sizeof(helper));
	const char *assign[] = { "LD_PRELOAD=/tmp/evil.so", "A=b c" };
	struct job_spec s = shell_job(self_name(), "echo hi");
	s.pam_service = "svc";
	s.session_helper = helper;
	s.assignments = assign;
	s.n_assignments = 2;
	s.cwd = "/tmp";
	s.cwd_inaccessible_exits = true;
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, NULL);
	struct passwd *pw = getpwnam(self_name());
	assert_non_null(pw);
	char want[2048];
	/* magic|service|user|fd|cwd|at|N|group|program|argv..., and the job's
	 * environment (LD_PRELOAD included) is the helper's, each name
	 * prefixed: nothing in /proc/PID/cmdline, nothing the loader reads;
	 * the working directory too, unprefixed ("env": crond/session.h). */
	snprintf(want, sizeof(want),
	         "crond-session/5|svc|%s|FD|env|at|7||/bin/sh|/bin/sh|-c|echo hi\n"
	         "env:CRONDJOB_A=b c|CRONDJOB_HOME=%s|CRONDJOB_LD_PRELOAD=/tmp/evil.so|"
	         "CRONDJOB_LOGNAME=%s|CRONDJOB_PATH=/usr/bin:/bin|CRONDJOB_SHELL=/bin/sh|"
	         "CRONDJOB_USER=%s|CRONDSESSION_CWD=/tmp\n",
	         self_name(), pw->pw_dir, self_name(), self_name());
	assert_string_equal(r.out, want);
	assert_int_equal(unlink(helper), 0);
}

/* crond-session says with marks on the start report whether it exec'd a
 * plain command itself (crond/session.h): the last mark before the EOF
 * counts, however many one read takes, and a job it exec'd so that died of
 * a signal is the command's death (job_proc's direct), not the shell's. */
static void test_the_helpers_last_mark_says_whether_it_execd_the_command_itself(void **state)
{
	(void)state;
	if (access("/usr/bin/python3", X_OK) != 0) {
		print_message("skipped: needs /usr/bin/python3\n");
		skip();
	}
	char helper[64], service[64];
	write_fake_helper(helper, sizeof(helper));
	const struct {
		int marks[3];
		bool direct;
	} cases[] = {
		{ { STEP_MARK_DIRECT, 0, 0 }, true },
		{ { STEP_MARK_DIRECT, STEP_MARK_SHELL, 0 }, false },
		{ { STEP_MARK_DIRECT, STEP_MARK_SHELL, STEP_MARK_DIRECT }, true },
		{ { STEP_MARK_SHELL, 0, 0 }, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(service, sizeof(service), "marks");
		for (int k = 0; k < 3 && cases[i].marks[k]; k++)
			n += snprintf(service + n, sizeof(service) - (size_t)n, " %d", cases[i].marks[k]);
		struct job_spec s = shell_job(self_name(), "echo hi");
		s.pam_service = service;
		s.session_helper = helper;
		struct result r;
		run_job(&s, &r);
		assert_true(r.started);
		assert_int_equal(r.msg[0], '\0');
		assert_string_equal(r.out, "marked\n");
		assert_true(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSEGV);
		if (r.direct != cases[i].direct)
			fail_msg("marks '%s': direct %d, expected %d", service, r.direct,
			         cases[i].direct);
	}
	assert_int_equal(unlink(helper), 0);
}

/* KIT reading fs.suid_dumpable as 1 and holding the fake helper, written
 * into a new directory of root's (DIR) as HELPER; false (the test skips)
 * without root, /usr/bin/python3 or such a directory. */
static bool kit_through_fake_helper(struct runner_kit *kit, char *dir, size_t dirlen,
                                    char *helper, size_t helperlen)
{
	if (geteuid() != 0 || access("/usr/bin/python3", X_OK) != 0 ||
	    !make_roots_dir(dir, dirlen)) {
		print_message("skipped: needs root, /usr/bin/python3 and /run root's alone\n");
		return false;
	}
	write_fake_helper_in(dir, helper, helperlen);
	(void)runner_kit_init(kit);
	close(kit->dumpable_fd);
	kit->dumpable_fd = dumpable_file("1\n");
	bool changed;
	char why[256];
	assert_true(runner_kit_set_clean_helper(kit, helper, &changed, why, sizeof(why)));
	assert_true(changed);
	return true;
}

/* fs.suid_dumpable 1: another user's job starts through the clean helper
 * with no PAM service (crond/session.h), as it reads at that start; with 0
 * or for our own user's job, as before. Root only (another user). */
static void test_suid_dumpable_1_sends_another_users_job_through_the_helper(void **state)
{
	(void)state;
	char dir[64], helper[96], why[256];
	bool changed;
	struct runner_kit kit;
	if (!kit_through_fake_helper(&kit, dir, sizeof(dir), helper, sizeof(helper)))
		skip();
	struct job_spec s = shell_job("nobody", "echo hi");
	s.cwd = "/";
	s.kit = &kit;
	s.direct_plain = true;   /* never "plain" without PAM */
	struct result r;
	run_job(&s, &r);
	assert_ran(&r, NULL);
	if (strstr(r.out, "crond-session/5||nobody|FD|env|-|5||/bin/sh|/bin/sh|-c|echo hi\n") == NULL ||
	    strstr(r.out, "|CRONDJOB_USER=nobody|CRONDSESSION_CWD=/\n") == NULL)
		fail_msg("not through the helper: out [%s] msg [%s]", r.out, r.msg);
	/* A program run as the owner (sendmail) too. */
	static const char *const mail_argv[] = { "sendmail", "-t", NULL };
	struct job_spec m = JOB_SPEC_INIT;
	m.user = "nobody";
	m.exec_path = "/usr/sbin/sendmail";
	m.exec_argv = mail_argv;
	m.cwd = "/";
	m.kit = &kit;
	run_job(&m, &r);
	assert_ran(&r, NULL);
	if (strstr(r.out, "crond-session/5||nobody|FD|env|-|5||/usr/sbin/sendmail|sendmail|-t\n") == NULL)
		fail_msg("sendmail not through the helper: out [%s] msg [%s]", r.out, r.msg);
	/* Our own user's job still starts itself. */
	s.user = self_name();
	run_job(&s, &r);
	assert_ran(&r, "hi\n");
	/* The file checked is what runs, whatever the name names later (a
	 * package's upgrade renames a new one over it); the next check holds
	 * the new file. */
	s.user = "nobody";
	char other[112];
	snprintf(other, sizeof(other), "%s.new", helper);
	FILE *f = fopen(other, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho replaced\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(other, 0755), 0);
	assert_int_equal(rename(other, helper), 0);
	run_job(&s, &r);
	if (strstr(r.out, "crond-session/5||nobody|") == NULL)
		fail_msg("not the helper checked: out [%s] msg [%s]", r.out, r.msg);
	assert_true(runner_kit_set_clean_helper(&kit, helper, &changed, why, sizeof(why)));
	assert_true(changed);
	run_job(&s, &r);
	assert_ran(&r, "replaced\n");
	int fds = count_fds();   /* the same file again: nothing more held */
	assert_true(runner_kit_set_clean_helper(&kit, helper, &changed, why, sizeof(why)));
	assert_false(changed);
	assert_true(runner_kit_set_clean_helper(&kit, helper, &changed, why, sizeof(why)));
	assert_int_equal(count_fds(), fds);
	/* 0, read at the next start: the job starts itself. */
	assert_int_equal(pwrite(kit.dumpable_fd, "0\n", 2, 0), 2);
	run_job(&s, &r);
	assert_ran(&r, "hi\n");
	/* A helper no longer usable is dropped. */
	assert_int_equal(chmod(helper, 0777), 0);
	assert_false(runner_kit_set_clean_helper(&kit, helper, &changed, why, sizeof(why)));
	assert_null(kit.clean_helper);
	assert_int_equal(kit.clean_helper_fd, -1);
	assert_int_equal(count_fds(), fds - 1);
	runner_kit_free(&kit);
	assert_int_equal(unlink(helper), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* Another user's job through the clean helper starts where crond has
 * nearly reached its limit on descriptors: the helper held open goes low
 * in the child (a review's finding: it went right above the start-report
 * pipe, past the limit, and the start failed). Root only. */
static void test_through_the_clean_helper_at_the_descriptor_limit(void **state)
{
	(void)state;
	char dir[64], helper[96], err[256];
	struct runner_kit kit;
	if (!kit_through_fake_helper(&kit, dir, sizeof(dir), helper, sizeof(helper)))
		skip();
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	enum { LIMIT = 128, FREE = 4 };   /* the start's two pipes */
	int filled[LIMIT], n = 0;
	for (int fd; n < LIMIT && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) {
		if (fd >= LIMIT) {
			close(fd);
			break;
		}
		filled[n++] = fd;
	}
	assert_true(n > FREE);
	for (int i = 0; i < FREE; i++)
		close(filled[--n]);
	low = old;
	low.rlim_cur = LIMIT;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	struct job_spec s = shell_job("nobody", "echo hi");
	s.cwd = "/";
	s.kit = &kit;
	struct job_proc p;
	int rc = runner_start(&s, &p, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	while (n > 0)
		close(filled[--n]);
	if (rc != 0)
		fail_msg("runner_start: %s", err);
	struct result r;
	memset(&r, 0, sizeof(r));
	collect(&p, &r);
	assert_int_equal(waitpid(p.pid, &r.status, 0), p.pid);
	runner_proc_close(&p);
	if (!r.started || strstr(r.out, "crond-session/5||nobody|") == NULL)
		fail_msg("not started through the helper: out [%s] msg [%s]", r.out, r.msg);
	runner_kit_free(&kit);
	assert_int_equal(unlink(helper), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A job of our own user shares our memory until its exec, and with it the
 * dumpable flag: the child must not clear it (were it cleared, crond could
 * dump no core, and a crond that is not root could no longer read its own
 * /proc/self). */
static void test_a_job_sharing_our_memory_leaves_us_dumpable(void **state)
{
	(void)state;
	assert_int_equal(prctl(PR_SET_DUMPABLE, 1), 0);
	expect_shell_prints("echo hi", "hi\n");
	assert_int_equal(prctl(PR_GET_DUMPABLE), 1);
}

/* Whether runner_helper_resolve takes PATH; the file it resolved to, if
 * so, in RESOLVED (when not NULL). */
static bool usable_helper_as(const char *path, char *why, size_t whylen, const char *resolved)
{
	int fd;
	char *real = runner_helper_resolve(path, &fd, why, whylen);
	assert_true((real != NULL) == (fd > 2));
	if (real != NULL && resolved != NULL)
		assert_string_equal(real, resolved);
	if (fd >= 0)
		close(fd);
	free(real);
	return real != NULL;
}

static bool usable_helper(const char *path, char *why, size_t whylen)
{
	return usable_helper_as(path, why, whylen, NULL);
}

/* The helper root runs while fs.suid_dumpable is 1 must be root's alone,
 * and so must everything on the way to it, links and their targets
 * included: no directory anyone else may write, not even a sticky one.
 * Root only (chown). */
static void test_clean_helper_must_be_roots_alone(void **state)
{
	(void)state;
	char dir[64], file[96], link[96], why[256];
	if (geteuid() != 0 || !make_roots_dir(dir, sizeof(dir))) {
		print_message("skipped: needs root, and /run root's alone\n");
		skip();
	}
	snprintf(file, sizeof(file), "%s/helper", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	close(fd);
	assert_true(usable_helper_as(file, why, sizeof(why), file));
	assert_false(usable_helper("relative/helper", why, sizeof(why)));
	assert_non_null(strstr(why, "not an absolute path"));
	assert_false(usable_helper("/nonexistent/helper", why, sizeof(why)));
	assert_int_equal(chmod(file, 0775), 0);
	assert_false(usable_helper(file, why, sizeof(why)));
	assert_non_null(strstr(why, "only root may write"));
	assert_int_equal(chmod(file, 0644), 0);
	assert_false(usable_helper(file, why, sizeof(why)));   /* not executable */
	assert_int_equal(chmod(file, 0755), 0);
	assert_int_equal(chown(file, 65534, 65534), 0);
	assert_false(usable_helper(file, why, sizeof(why)));
	assert_int_equal(chown(file, 0, 0), 0);
	assert_int_equal(chmod(dir, 0777), 0);   /* anyone could replace it */
	assert_false(usable_helper(file, why, sizeof(why)));
	assert_non_null(strstr(why, "writable by others than root"));
	/* sticky: anyone may still rename a file of root's of their choosing
	 * into it, from a directory of theirs (a review's finding) */
	assert_int_equal(chmod(dir, 01777), 0);
	assert_false(usable_helper(file, why, sizeof(why)));
	assert_non_null(strstr(why, "writable by others than root"));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);   /* a user's directory */
	assert_false(usable_helper(file, why, sizeof(why)));
	assert_non_null(strstr(why, "not root's"));
	assert_int_equal(chown(dir, 0, 0), 0);
	/* a link to it is as safe as its own way and its target's */
	assert_int_equal(symlink(file, link), 0);
	assert_true(usable_helper_as(link, why, sizeof(why), file));
	assert_int_equal(lchown(link, 65534, 65534), 0);   /* a user's link */
	assert_false(usable_helper(link, why, sizeof(why)));
	assert_non_null(strstr(why, "not root's"));
	char dirlink[96], via[128];
	snprintf(dirlink, sizeof(dirlink), "%s/dirlink", dir);
	snprintf(via, sizeof(via), "%s/helper", dirlink);
	assert_int_equal(symlink(dir, dirlink), 0);
	assert_true(usable_helper_as(via, why, sizeof(why), file));   /* root's link */
	assert_int_equal(lchown(dirlink, 65534, 65534), 0);
	assert_false(usable_helper(via, why, sizeof(why)));
	assert_int_equal(unlink(dirlink), 0);
	/* a root's link through a user's link is the user's to point (a
	 * review's finding: crond exec'd the name as configured, which the
	 * user could then redirect; it now execs what it checked) */
	char userdir[96], userlink[128], up[160];
	snprintf(userdir, sizeof(userdir), "%s/user", dir);
	snprintf(userlink, sizeof(userlink), "%s/link", userdir);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(mkdir(userdir, 0755), 0);
	assert_int_equal(symlink(file, userlink), 0);
	assert_int_equal(symlink(userlink, link), 0);
	assert_true(usable_helper_as(link, why, sizeof(why), file));   /* root's, both */
	assert_int_equal(chown(userdir, 65534, 65534), 0);
	assert_false(usable_helper(link, why, sizeof(why)));
	assert_non_null(strstr(why, "not root's"));
	assert_int_equal(chown(userdir, 0, 0), 0);
	assert_int_equal(lchown(userlink, 65534, 65534), 0);
	assert_false(usable_helper(link, why, sizeof(why)));
	assert_int_equal(unlink(userlink), 0);
	/* ".." after a link is its target's parent, and a relative target is
	 * read from the link's directory: USER/link/../helper is DIR/helper */
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(symlink("../sub", userlink), 0);
	snprintf(up, sizeof(up), "%s/../helper", userlink);
	assert_true(usable_helper_as(up, why, sizeof(why), file));
	snprintf(up, sizeof(up), "%s/./../helper/", userlink);   /* a file is no directory */
	assert_false(usable_helper(up, why, sizeof(why)));
	assert_non_null(strstr(why, strerror(ENOTDIR)));
	assert_int_equal(unlink(userlink), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(symlink("loop", userlink), 0);   /* USER/loop -> USER/link */
	snprintf(sub, sizeof(sub), "%s/loop", userdir);
	assert_int_equal(symlink("link", sub), 0);
	assert_false(usable_helper(userlink, why, sizeof(why)));
	assert_non_null(strstr(why, strerror(ELOOP)));
	assert_int_equal(unlink(sub), 0);
	assert_int_equal(unlink(userlink), 0);
	assert_int_equal(rmdir(userdir), 0);
	/* anything under sticky /tmp */
	char tmpdir[] = "/tmp/crond-helper.XXXXXX", tmpfile[64];
	assert_non_null(mkdtemp(tmpdir));
	snprintf(tmpfile, sizeof(tmpfile), "%s/helper", tmpdir);
	fd = open(tmpfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	close(fd);
	assert_false(usable_helper(tmpfile, why, sizeof(why)));
	assert_non_null(strstr(why, "/tmp is writable by others than root"));
	assert_int_equal(unlink(tmpfile), 0);
	assert_int_equal(rmdir(tmpdir), 0);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The built crond-session, beside this test's directory (BUILD/tests and
 * BUILD/bin), or NULL. */
static const char *built_helper(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	int w = snprintf(buf, len, "%.*s/../bin/crond-session", (int)(len - 32), self);
	return w > 0 && (size_t)w < len && access(buf, X_OK) == 0 ? buf : NULL;
}

/* Another user's job through the real crond-session (fs.suid_dumpable 1,
 * as the kit reads it) ends as it does when it starts itself: its exit
 * status, its death by a signal, an at job's directory that is gone, its
 * umask, its niceness, a shell that cannot be executed. Root only. */
static void test_through_the_clean_helper_a_job_ends_as_without_it(void **state)
{
	(void)state;
	char helper[PATH_MAX];
	char dir[64];
	if (geteuid() != 0 || built_helper(helper, sizeof(helper)) == NULL ||
	    !make_roots_dir(dir, sizeof(dir))) {
		print_message("skipped: needs root, the built crond-session and /run root's alone\n");
		skip();
	}
	/* A wrapper that leaves a mark, then execs the real helper (without
	 * the PWD its shell adds): the runs
	 * "through" it must have gone through it. */
	char wrapper[96], mark[64];
	snprintf(wrapper, sizeof(wrapper), "%s/crond-test-wrap", dir);
	snprintf(mark, sizeof(mark), "/tmp/crond-test-wrap-%d.mark", (int)getpid());
	FILE *w = fopen(wrapper, "w");
	assert_non_null(w);
	fprintf(w, "#!/bin/sh\necho x >>%s\nexec env -u PWD -u OLDPWD %s \"$@\"\n", mark, helper);
	assert_int_equal(fclose(w), 0);
	assert_int_equal(chmod(wrapper, 0755), 0);
	struct runner_kit kit;
	(void)runner_kit_init(&kit);
	close(kit.dumpable_fd);
	static const struct {
		const char *command, *cwd;
		bool at;
		int umask, nice;
		const char *shell;
	} jobs[] = {
		{ "exit 3", "/", false, RUNNER_UMASK_KEEP, 0, NULL },
		{ "kill -USR1 $$", "/", false, RUNNER_UMASK_KEEP, 0, NULL },
		{ "pwd", "/nonexistent/dir", true, 027, 0, NULL },
		{ "umask; cut -d' ' -f19 /proc/self/stat; id -un; pwd", "/tmp", true, 027, 5, NULL },
		{ "true", "/", false, RUNNER_UMASK_KEEP, 0, "/nonexistent/sh" },
		/* nothing held for the helper reaches the job */
		{ "ls /proc/self/fd", "/", false, RUNNER_UMASK_KEEP, 0, NULL },
	};
	for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		struct result r[2];
		for (int through = 0; through < 2; through++) {
			kit.dumpable_fd = dumpable_file(through ? "1\n" : "0\n");
			bool changed;
			char why[256];
			assert_int_equal(runner_kit_set_clean_helper(&kit, through ? wrapper : "",
			                                             &changed, why, sizeof(why)),
			                 through);
			(void)unlink(mark);
			struct job_spec s = shell_job("nobody", jobs[i].command);
			s.cwd = jobs[i].cwd;
			s.cwd_inaccessible_exits = jobs[i].at;
			s.umask = jobs[i].umask;
			s.nice = jobs[i].nice;
			s.shell = jobs[i].shell;
			s.kit = &kit;
			run_job(&s, &r[through]);
			if ((access(mark, F_OK) == 0) != (through == 1))
				fail_msg("job %zu: %s the helper", i,
				         through ? "not through" : "through");
			close(kit.dumpable_fd);
		}
		if (r[0].started != r[1].started || r[0].status != r[1].status ||
		    strcmp(r[0].out, r[1].out) != 0)
			fail_msg("job %zu: without the helper started=%d status %#x out [%s] msg [%s];"
			         " through it started=%d status %#x out [%s] msg [%s]", i,
			         r[0].started, r[0].status, r[0].out, r[0].msg, r[1].started,
			         r[1].status, r[1].out, r[1].msg);
	}
	kit.dumpable_fd = -1;
	runner_kit_free(&kit);
	(void)unlink(mark);
	assert_int_equal(unlink(wrapper), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_pam_refusal_reported_by_the_helper_is_a_start_failure(void **state)
{
	(void)state;
	if (access("/usr/bin/python3", X_OK) != 0) {
		print_message("skipped: needs /usr/bin/python3\n");
		skip();
	}
	char helper[64];
	write_fake_helper(helper, sizeof(helper));
	struct job_spec s = shell_job(self_name(), "echo never");
	s.pam_service = "refuse";
	s.session_helper = helper;
	struct result r;
	run_job(&s, &r);
	assert_refused(&r, "account refused by PAM (test)");
	assert_int_equal(unlink(helper), 0);
}

static void test_another_users_job_fails_without_root(void **state)
{
	(void)state;
	if (geteuid() == 0) {
		print_message("skipped: root may run anyone's job\n");
		skip();
		return;
	}
	struct job_spec s = shell_job("nobody", "echo should not run");
	s.cwd = "/";
	struct result r;
	run_job(&s, &r);
	assert_refused(&r, "setgroups for nobody failed: Operation not permitted");
}

/* In a child process that keeps uid 0 but loses CAP_SETUID, runs a job as
 * nobody; writes the start message to FD. */
static _Noreturn void setuid_fails_helper(int fd)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		_exit(2);
	d[0].effective &= ~(1u << CAP_SETUID);
	d[0].permitted &= ~(1u << CAP_SETUID);
	if (syscall(SYS_capset, &h, d) < 0)
		_exit(3);
	struct job_spec s = shell_job("nobody", "echo should not run");
	s.cwd = "/";
	struct job_proc p;
	struct result r;
	memset(&r, 0, sizeof(r));
	if (runner_start(&s, &p, r.msg, sizeof(r.msg)) != 0)
		_exit(4);
	collect(&p, &r);
	waitpid(p.pid, &r.status, 0);
	dprintf(fd, "%d %s|%s", r.started, r.msg, r.out);
	_exit(0);
}

static void test_failed_setuid_is_reported_and_nothing_runs(void **state)
{
	(void)state;
	if (!need_root())
		return;
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		setuid_fails_helper(pfd[1]);
	}
	close(pfd[1]);
	char buf[512] = "";
	ssize_t n = read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "0 setuid(65534) failed: Operation not permitted|");
}

/* ---------------------------------------------------------------- threads */

static volatile int busy_stop;

static void *busy_thread(void *arg)
{
	FILE *f = arg;
	while (!__atomic_load_n(&busy_stop, __ATOMIC_RELAXED)) {
		void *m = malloc(4096);
		fprintf(f, "%p\n", m);
		free(m);
	}
	fclose(f);
	return NULL;
}

static void test_many_jobs_start_while_other_threads_hold_locks(void **state)
{
	(void)state;
	pthread_t t[2];
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen("/dev/null", "we");
		assert_non_null(f);
		assert_int_equal(pthread_create(&t[i], NULL, busy_thread, f), 0);
	}
	for (int i = 0; i < 100; i++) {
		struct job_spec s = shell_job(self_name(), "echo ok");
		struct result r;
		run_job(&s, &r);
		assert_ran(&r, "ok\n");
	}
	__atomic_store_n(&busy_stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_gated_job_runs_nothing_until_released),
		cmocka_unit_test(test_a_gate_closed_unreleased_runs_nothing),
		cmocka_unit_test(test_await_start_waits_for_the_execve_and_no_longer_than_told),
		cmocka_unit_test(test_job_runs_with_the_owners_uid_gid_and_groups_only),
		cmocka_unit_test(test_job_runs_as_the_user_running_the_daemon_without_root),
		cmocka_unit_test(test_owner_lookups_are_kept_for_runs_started_together),
		cmocka_unit_test(test_an_at_jobs_group_is_kept_only_when_the_owner_has_it),
		cmocka_unit_test(test_job_leads_its_own_session_and_process_group),
		cmocka_unit_test(test_environment_is_exactly_the_documented_list),
		cmocka_unit_test(test_shell_gets_dash_c_and_the_command),
		cmocka_unit_test(test_plain_command_is_execd_without_the_shell),
		cmocka_unit_test(test_plain_command_not_found_goes_to_the_shell),
		cmocka_unit_test(test_signal_mask_and_dispositions_are_reset),
		cmocka_unit_test(test_dispositions_read_once_are_reset),
		cmocka_unit_test(test_signals_read_follows_dispositions),
		cmocka_unit_test(test_kit_stack_serves_every_start),
		cmocka_unit_test(test_suid_dumpable_1_is_told),
		cmocka_unit_test(test_children_in_flight_have_stacks_of_their_own),
		cmocka_unit_test(test_child_in_our_memory_leaves_errno_alone),
		cmocka_unit_test(test_signal_reaches_a_child_before_its_setsid),
		cmocka_unit_test(test_dropped_failed_start_gives_its_stack_back),
		cmocka_unit_test(test_start_is_decided_at_the_reap_when_another_process_holds_the_report),
		cmocka_unit_test(test_job_gets_the_descriptor_limit_crond_started_with),
		cmocka_unit_test(test_no_descriptor_above_2_reaches_the_job),
		cmocka_unit_test(test_stdout_and_stderr_share_the_output_pipe),
		cmocka_unit_test(test_parent_descriptors_are_cloexec_and_readers_nonblocking),
		cmocka_unit_test(test_stdin_is_the_input_text),
		cmocka_unit_test(test_large_input_never_blocks_the_parent),
		cmocka_unit_test(test_without_input_stdin_is_dev_null),
		cmocka_unit_test(test_input_may_be_a_descriptor_the_caller_keeps),
		cmocka_unit_test(test_without_command_the_shell_reads_the_script_from_stdin),
		cmocka_unit_test(test_job_starts_in_home_by_default_and_home_may_be_overridden),
		cmocka_unit_test(test_gone_cwd_of_an_at_job_says_inaccessible_and_runs_nothing),
		cmocka_unit_test(test_gone_cwd_without_fallback_is_reported_and_nothing_runs),
		cmocka_unit_test(test_cwd_is_entered_with_the_owners_rights_and_denial_runs_nothing),
		cmocka_unit_test(test_umask_is_applied),
		cmocka_unit_test(test_nice_adds_to_the_daemons_niceness_capped_at_19),
		cmocka_unit_test(test_unknown_user_fails_before_fork_leaving_nothing_open),
		cmocka_unit_test(test_invalid_specs_are_refused_before_fork),
		cmocka_unit_test(test_exec_failure_is_reported),
		cmocka_unit_test(test_another_users_job_fails_without_root),
		cmocka_unit_test(test_pam_spec_execs_the_helper_with_the_job_in_arguments_and_its_environment_prefixed),
		cmocka_unit_test(test_the_helpers_last_mark_says_whether_it_execd_the_command_itself),
		cmocka_unit_test(test_pam_refusal_reported_by_the_helper_is_a_start_failure),
		cmocka_unit_test(test_suid_dumpable_1_sends_another_users_job_through_the_helper),
		cmocka_unit_test(test_a_job_sharing_our_memory_leaves_us_dumpable),
		cmocka_unit_test(test_through_the_clean_helper_at_the_descriptor_limit),
		cmocka_unit_test(test_clean_helper_must_be_roots_alone),
		cmocka_unit_test(test_through_the_clean_helper_a_job_ends_as_without_it),
		cmocka_unit_test(test_failed_setuid_is_reported_and_nothing_runs),
		cmocka_unit_test(test_many_jobs_start_while_other_threads_hold_locks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
