/* lib/plaincmd.c: commands that /bin/sh would run as written (see
 * plaincmd.h). */
#include "lib/plaincmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dash 0.5.12's builtins (`type NAME` says "shell builtin") and reserved
 * words: as a first word, the shell runs these itself. */
static const char *const shell_words[] = {
	".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo",
	"eval", "exec", "exit", "export", "false", "fg", "getopts", "hash", "jobs", "kill",
	"local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times",
	"trap", "true", "type", "ulimit", "umask", "unalias", "unset", "wait",
	"case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until",
	"while",
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A byte that means itself to the shell wherever it stands in a word. */
static bool is_plain_byte(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("/._-+,:@%=", c) != NULL);
}

static bool is_shell_word(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(shell_words) / sizeof(shell_words[0]); i++)
		if (strlen(shell_words[i]) == len && memcmp(shell_words[i], w, len) == 0)
			return true;
	return false;
}

/* Counts COMMAND's words and their bytes; 0 words when it is not plain. */
static size_t count_words(const char *command, size_t *bytes)
{
	size_t n = 0, total = 0;
	const char *p = command;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		const char *w = p;
		while (is_plain_byte(*p))
			p++;
		if (*p != '\0' && !is_blank(*p))
			return 0;   /* a byte the shell treats specially */
		size_t len = (size_t)(p - w);
		if (n == 0 && (is_shell_word(w, len) || memchr(w, '=', len) != NULL))
			return 0;
		if (++n > PLAINCMD_MAX_WORDS)
			return 0;
		total += len + 1;
	}
	*bytes = total;
	return n;
}

char **plaincmd_argv(const char *command)
{
	errno = 0;
	if (command == NULL || strnlen(command, PLAINCMD_MAX_LEN + 1) > PLAINCMD_MAX_LEN)
		return NULL;
	size_t bytes = 0, n = count_words(command, &bytes);
	if (n == 0)
		return NULL;
	char **argv = malloc((n + 1) * sizeof(char *) + bytes);
	if (argv == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	char *s = (char *)(argv + n + 1);
	const char *p = command;
	for (size_t i = 0; i < n; i++) {
		while (is_blank(*p))
			p++;
		argv[i] = s;
		while (*p != '\0' && !is_blank(*p))
			*s++ = *p++;
		*s++ = '\0';
	}
	argv[n] = NULL;
	return argv;
}

bool plaincmd_env_is_kept(char *const *envp)
{
	static const char *const changed[] = { "PWD", "IFS", "OPTIND", "PPID" };
	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++) {
		const char *v = envp[i];
		size_t len = 0;
		if (!(v[0] == '_' || (is_alnum(v[0]) && !(v[0] >= '0' && v[0] <= '9'))))
			return false;
		while (v[len] == '_' || is_alnum(v[len]))
			len++;
		if (v[len] != '=')
			return false;
		for (size_t k = 0; k < sizeof(changed) / sizeof(changed[0]); k++)
			if (strlen(changed[k]) == len && memcmp(changed[k], v, len) == 0)
				return false;
	}
	return true;
}

bool plaincmd_path_is_plain(const char *path)
{
	return path != NULL && path[0] != '\0' && strchr(path, '%') == NULL;
}

size_t plaincmd_signal_line(int sig, bool core, char *buf, size_t len)
{
	if (sig == SIGINT || sig == SIGPIPE)
		return 0;
	int n = snprintf(buf, len, "%s%s\n", strsignal(sig), core ? " (core dumped)" : "");
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}
