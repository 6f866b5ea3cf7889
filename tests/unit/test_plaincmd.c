/* tests/unit/test_plaincmd.c: which commands /bin/sh would run as written,
 * their words, and the environments and PATHs dash passes on unchanged;
 * checked against Debian's dash itself where it can answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/plaincmd.h"
#include "tests/unit/support/rng.h"

#define DASH "/bin/dash"

/* COMMAND's words joined by '|', or "-" when it is not plain. */
static void words_of(const char *command, char *buf, size_t len)
{
	char **argv = plaincmd_argv(command);
	if (argv == NULL) {
		assert_int_equal(errno, 0);
		snprintf(buf, len, "-");
		return;
	}
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; argv[i] != NULL; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "|" : "", argv[i]);
	free(argv);
}

static const struct {
	const char *command;
	const char *words;   /* "-": not plain */
} cases[] = {
	{ "/usr/bin/backup --all", "/usr/bin/backup|--all" },
	{ "  run-parts\t--report /etc/cron.daily  ", "run-parts|--report|/etc/cron.daily" },
	{ "dd if=/dev/zero of=x bs=1k count=1", "dd|if=/dev/zero|of=x|bs=1k|count=1" },
	{ "tool a,b +c :d @e %f", "tool|a,b|+c|:d|@e|%f" },
	{ "x", "x" },
	{ "", "-" },
	{ " \t ", "-" },
	/* The shell would expand, quote, redirect, glob, or join commands. */
	{ "echo $HOME", "-" }, { "ls *", "-" }, { "ls a?", "-" }, { "ls [ab]", "-" },
	{ "cmd 'a b'", "-" }, { "cmd \"a\"", "-" }, { "cmd a\\ b", "-" }, { "cmd `id`", "-" },
	{ "cmd > out", "-" }, { "cmd 2>&1", "-" }, { "cmd < in", "-" }, { "a | b", "-" },
	{ "a; b", "-" }, { "a && b", "-" }, { "cmd &", "-" }, { "(cmd)", "-" }, { "{ cmd; }", "-" },
	{ "cmd ~/x", "-" }, { "cmd # note", "-" }, { "! cmd", "-" }, { "cmd\nother", "-" },
	{ "caf\xc3\xa9", "-" }, { "cmd a^b", "-" },
	/* The first word: a builtin, a reserved word, an assignment. */
	{ "echo hi", "-" }, { "test -f x", "-" }, { "cd /", "-" }, { "true", "-" }, { ".", "-" },
	{ ": x", "-" }, { "exec /bin/x", "-" }, { "if", "-" }, { "while", "-" },
	{ "A=1 cmd", "-" }, { "cmd A=1", "cmd|A=1" }, { "/bin/echo hi", "/bin/echo|hi" },
	{ "echo2 hi", "echo2|hi" }, { "nice -n 5 job", "nice|-n|5|job" },
};

static void test_plain_commands_and_their_words(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[512];
		words_of(cases[i].command, got, sizeof(got));
		if (strcmp(got, cases[i].words) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].command, got, cases[i].words);
	}
	assert_null(plaincmd_argv(NULL));
	assert_int_equal(errno, 0);
}

static void test_every_byte_is_plain_or_not_wherever_it_stands(void **state)
{
	(void)state;
	const char *plain = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-+,:@%=";
	for (int c = 1; c < 256; c++) {
		bool want = strchr(plain, c) != NULL;
		char cmd[16];
		snprintf(cmd, sizeof(cmd), "cmd a%cb", c);
		char **argv = plaincmd_argv(cmd);
		bool blank = c == ' ' || c == '\t';
		if (blank)
			want = true;   /* then two words */
		if ((argv != NULL) != want)
			fail_msg("byte 0x%02x: plain %d, want %d", c, argv != NULL, want);
		free(argv);
	}
}

static void test_word_count_and_length_bounds(void **state)
{
	(void)state;
	char cmd[PLAINCMD_MAX_LEN + 2];
	size_t off = 0;
	for (int i = 0; i < PLAINCMD_MAX_WORDS; i++)
		off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, "w%d ", i);
	char **argv = plaincmd_argv(cmd);
	assert_non_null(argv);
	assert_string_equal(argv[PLAINCMD_MAX_WORDS - 1], "w63");
	assert_null(argv[PLAINCMD_MAX_WORDS]);
	free(argv);
	snprintf(cmd + off, sizeof(cmd) - off, "one-more");
	assert_null(plaincmd_argv(cmd));
	memset(cmd, 'a', PLAINCMD_MAX_LEN);
	cmd[PLAINCMD_MAX_LEN] = '\0';
	argv = plaincmd_argv(cmd);
	assert_non_null(argv);
	free(argv);
	cmd[PLAINCMD_MAX_LEN] = 'a';
	cmd[PLAINCMD_MAX_LEN + 1] = '\0';
	assert_null(plaincmd_argv(cmd));
	assert_int_equal(errno, 0);
}

static void test_environments_dash_passes_on(void **state)
{
	(void)state;
	char home[] = "HOME=/h", u[] = "_x=1", ab[] = "A_B9=", lineno[] = "LINENO=3",
	     shlvl[] = "SHLVL=2";
	char *kept[] = { home, u, ab, lineno, shlvl, NULL };
	assert_true(plaincmd_env_is_kept(kept));
	char *empty[] = { NULL };
	assert_true(plaincmd_env_is_kept(empty));
	static const char *const changed[] = { "PWD=/", "IFS=x", "OPTIND=3", "PPID=1", "A-B=1",
		                               "1A=2", "caf\xc3\xa9=3", "=x", "NOEQUALS" };
	for (size_t i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
		char var[32];
		snprintf(var, sizeof(var), "%s", changed[i]);
		char *env[] = { home, var, NULL };
		if (plaincmd_env_is_kept(env))
			fail_msg("'%s' taken as passed on unchanged", changed[i]);
	}
	assert_true(plaincmd_path_is_plain("/usr/bin:/bin"));
	assert_true(plaincmd_path_is_plain("::/bin:"));
	assert_false(plaincmd_path_is_plain(""));
	assert_false(plaincmd_path_is_plain(NULL));
	assert_false(plaincmd_path_is_plain("/usr/bin%builtin:/bin"));
}

/* Runs dash -c SCRIPT; its standard output into OUT. Returns its status. */
static int dash_says(const char *script, char *out, size_t len)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		char path[] = "PATH=/usr/bin:/bin";
		char *const env[] = { path, NULL };
		execle(DASH, "sh", "-c", script, (char *)NULL, env);
		_exit(126);
	}
	close(fds[1]);
	size_t got = 0;
	ssize_t r;
	while ((r = read(fds[0], out + got, len - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static bool have_dash(void)
{
	if (access(DASH, X_OK) == 0)
		return true;
	print_message("skipped: no %s to compare with\n", DASH);
	skip();
	return false;
}

/* Every name dash runs itself is refused as a first word, and names it
 * looks up in PATH are not: dash's own `type` says which is which. */
static void test_first_words_dash_runs_itself_are_refused(void **state)
{
	(void)state;
	if (!have_dash())
		return;
	static const char *const names[] = {
		".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo",
		"eval", "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "jobs",
		"kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift",
		"test", "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset",
		"wait", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then",
		"until", "while", "let", "source", "declare", "typeset", "builtin", "time", "nice",
		"env", "ls", "sleep", "cat", "select", "function", "history", "help", "logout",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char script[128], out[512];
		snprintf(script, sizeof(script), "type '%s'", names[i]);
		dash_says(script, out, sizeof(out));
		bool dash_runs_it = strstr(out, "shell builtin") != NULL || strstr(out, "shell keyword") != NULL;
		char **argv = plaincmd_argv(names[i]);
		bool refused = argv == NULL;
		free(argv);
		if (refused != dash_runs_it && strchr(names[i], '[') == NULL)
			fail_msg("'%s': refused %d, dash says '%s'", names[i], refused, out);
		if (strchr(names[i], '[') != NULL)
			assert_true(refused);   /* not plain at all */
	}
}

/* Random plain commands: dash splits them into the same words. */
static void test_dash_splits_random_plain_commands_the_same(void **state)
{
	(void)state;
	if (!have_dash())
		return;
	const char *alphabet = "aZ09/._-+,:@%= \t";
	uint64_t x = 0x5eed1234abcdULL;
	int compared = 0;
	for (int round = 0; round < 200; round++) {
		char cmd[64] = "cmd ";
		size_t n = 4 + (size_t)rng_between(&x, 0, 30);
		for (size_t i = 4; i < n; i++)
			cmd[i] = alphabet[rng_between(&x, 0, (int64_t)strlen(alphabet))];
		cmd[n] = '\0';
		char want[512], script[256], out[512];
		words_of(cmd, want, sizeof(want));
		assert_string_not_equal(want, "-");   /* every byte is plain */
		/* `set -- WORDS`: the words dash would pass to cmd. */
		snprintf(script, sizeof(script), "set -- %s; IFS='|'; printf '%%s' \"$*\"", cmd);
		int status = dash_says(script, out, sizeof(out));
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		if (strcmp(out, want) != 0)
			fail_msg("'%s': dash's words '%s', ours '%s'", cmd, out, want);
		compared++;
	}
	assert_int_equal(compared, 200);
}

/* The line dash writes when its command died of a signal: strsignal's
 * words, " (core dumped)" after a dump, nothing for SIGINT and SIGPIPE. */
static void test_signal_lines_are_dash_s(void **state)
{
	(void)state;
	char line[96];
	assert_int_equal(plaincmd_signal_line(SIGSEGV, false, line, sizeof(line)), 19);
	assert_string_equal(line, "Segmentation fault\n");
	plaincmd_signal_line(SIGABRT, true, line, sizeof(line));
	assert_string_equal(line, "Aborted (core dumped)\n");
	assert_int_equal(plaincmd_signal_line(SIGINT, false, line, sizeof(line)), 0);
	assert_int_equal(plaincmd_signal_line(SIGPIPE, true, line, sizeof(line)), 0);
	assert_int_equal(plaincmd_signal_line(SIGSEGV, false, line, 8), 0);   /* does not fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_commands_and_their_words),
		cmocka_unit_test(test_every_byte_is_plain_or_not_wherever_it_stands),
		cmocka_unit_test(test_word_count_and_length_bounds),
		cmocka_unit_test(test_environments_dash_passes_on),
		cmocka_unit_test(test_first_words_dash_runs_itself_are_refused),
		cmocka_unit_test(test_dash_splits_random_plain_commands_the_same),
		cmocka_unit_test(test_signal_lines_are_dash_s),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
