/* lib/plaincmd_exec.c: exec'ing a plain command as dash would (see
 * plaincmd.h). Runs in a child between fork and exec, so it makes raw
 * system calls only (lib/rawsys.h: not even errno is written, which in the
 * runner's child is a running thread's) and copies bytes by hand; the
 * Makefile builds this file without sanitizer instrumentation (the
 * runner's child runs it on a borrowed stack, in memory it shares with the
 * daemon). */
#include "lib/plaincmd.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>

#include "lib/rawsys.h"

static size_t text_len(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	return n;
}

static int has_slash(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '/')
			return 1;
	return 0;
}

void plaincmd_exec(char *const *argv, char *const *envp, const char *path)
{
	const char *name = argv[0];
	if (has_slash(name)) {
		(void)rawsys(SYS_execve, name, argv, envp);
		return;
	}
	size_t name_len = text_len(name);
	char full[PATH_MAX];
	for (const char *dir = path;;) {
		size_t len = 0;
		while (dir[len] != '\0' && dir[len] != ':')
			len++;
		if (len + 1 + name_len < sizeof(full)) {
			size_t k = 0;
			for (; k < len; k++)
				full[k] = dir[k];
			if (len > 0)
				full[k++] = '/';
			for (size_t i = 0; i <= name_len; i++)
				full[k + i] = name[i];
			if (rawsys(SYS_execve, full, argv, envp) == -ENOEXEC)
				return;
		}
		if (dir[len] == '\0')
			return;
		dir += len + 1;
	}
}
