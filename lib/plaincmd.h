/* lib/plaincmd.h: commands that /bin/sh would run as they are written, so
 * that the daemon may start them without the shell.
 *
 * dash (Debian's /bin/sh) runs `sh -c COMMAND` for a COMMAND of plain words
 * by looking the first word up in PATH and exec'ing it with the words as
 * arguments: no expansion, quoting, redirection or builtin can apply. Such a
 * job can be exec'd directly (crond/run/runner.c): one exec instead of two
 * and a fork, with the same program, arguments, environment, directory and
 * descriptors. These functions say when that is so; anything they are unsure
 * of goes to the shell, which then decides as it always did.
 *
 * A plain command is 1 to PLAINCMD_MAX_WORDS words separated by spaces or
 * tabs, each made only of ASCII letters, digits and the bytes / . _ - + , :
 * @ % =, whose first word
 *   - is not one of dash's builtins or reserved words (echo, test, cd, if,
 *     ...: the shell would not exec anything), and
 *   - holds no '=' (NAME=value would be an assignment).
 * Leading and trailing blanks are allowed. Everything else (quotes, $, `,
 * \, ~, *, ?, [, #, ;, &, |, <, >, (, ), {, }, !, newlines, any byte above
 * 0x7E) is not plain.
 *
 * The environment must also be one dash passes on unchanged but for the PWD
 * it adds (plaincmd_env_is_kept), and PATH one it searches as execvp does
 * (plaincmd_path_is_plain).
 *
 * Pure functions but plaincmd_exec: no globals, no system calls; any
 * thread.
 */
#ifndef CROND_LIB_PLAINCMD_H
#define CROND_LIB_PLAINCMD_H

#include <stdbool.h>
#include <stddef.h>

#define PLAINCMD_MAX_WORDS 64
#define PLAINCMD_MAX_LEN 4096      /* bytes of COMMAND; longer goes to the shell */

/* The words of COMMAND as a NULL-terminated argv, in one allocation (free
 * it alone), when COMMAND is plain. NULL with errno 0 when it is not (or is
 * NULL), NULL with errno ENOMEM when memory ran out. */
char **plaincmd_argv(const char *command);

/* Whether dash would pass ENVP ("NAME=VALUE" strings, NULL-terminated) on
 * to the command unchanged but for adding PWD: every name is a shell name
 * ([A-Za-z_][A-Za-z0-9_]*; dash drops the others), and none of PWD, IFS,
 * OPTIND, PPID is set (dash checks or resets those). */
bool plaincmd_env_is_kept(char *const *envp);

/* Whether PATH (its value) is searched by dash as execvp searches it: not
 * NULL, not empty, and without the '%' that marks dash's PATH options. */
bool plaincmd_path_is_plain(const char *path);

/* Execs ARGV (plaincmd_argv's words) with ENVP as dash would: a first word
 * with a '/' as it is; any other looked up in each directory of PATH (a
 * plain one) in turn, an empty directory being the working one, going on
 * past every failure but ENOEXEC (a file dash would read as a script).
 * Returns only when nothing was exec'd (errno untouched: lib/rawsys.h):
 * the caller then runs `/bin/sh -c COMMAND`, which searches again and says
 * why in its own words (not found, permission denied) or runs the script.
 * For a child between fork (or vfork) and exec: raw system calls only, no
 * allocation, no lock; its file is built without sanitizers (Makefile). */
void plaincmd_exec(char *const *argv, char *const *envp, const char *path);

/* The line dash writes on standard error when its command died of signal
 * SIG (CORE: it dumped core), "Segmentation fault (core dumped)\n", into
 * BUF of LEN bytes. Returns its length, or 0 when dash says nothing (SIGINT,
 * SIGPIPE) or the line does not fit. */
size_t plaincmd_signal_line(int sig, bool core, char *buf, size_t len);

#endif
