/* tests/hardening/valgrind_exec.c: run one program of a build under memcheck.
 *
 * valgrind_bin.sh compiles this once per wrapper directory, with
 * VALGRIND_PATH, REAL_DIR (the build's bin/) and LOG_DIR fixed at compile
 * time, and links it under each program's name. Started as NAME, it execs
 *   valgrind -q --tool=memcheck --leak-check=full ... REAL_DIR/NAME ARGS...
 * with the caller's argv[1..] and environment unchanged.
 *
 * A job's child, between its clone and its execve, is a fork of the program
 * under Valgrind, and Valgrind checks a process for leaks whenever it exits:
 * a child that exits without exec (a job whose directory is gone) would
 * report the parent's memory as lost. So children are silent after fork
 * (--child-silent-after-fork; the price: a daemonizing crond, in
 * crond_daemon.sh only, is checked up to its fork, every other test runs
 * crond -n), and no --error-exitcode, which would still give such a child
 * Valgrind's status in place of its own: the logs alone decide
 * (valgrind_bin.sh --report).
 *
 * This is a program, not a shell script, because a shell complains on
 * stderr when started in a directory that was removed, and at_messages
 * checks exactly what `at` says there.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef VALGRIND_PATH
#error "VALGRIND_PATH, REAL_DIR and LOG_DIR come from valgrind_bin.sh"
#endif

#define MAX_ARGS 4096

int main(int argc, char **argv)
{
	static char real[4096], log[4096];
	static char *args[MAX_ARGS + 16];
	const char *slash = strrchr(argv[0], '/');
	const char *name = slash ? slash + 1 : argv[0];
	if (argc > MAX_ARGS ||
	    snprintf(real, sizeof real, "%s/%s", REAL_DIR, name) >= (int)sizeof real ||
	    snprintf(log, sizeof log, "--log-file=%s/%s.%%p.log", LOG_DIR, name) >=
	            (int)sizeof log) {
		fprintf(stderr, "valgrind_exec: %s: too many arguments or too long a path\n", name);
		return 127;
	}
	int n = 0;
	args[n++] = (char *)"valgrind";
	args[n++] = (char *)"-q";
	args[n++] = (char *)"--tool=memcheck";
	args[n++] = (char *)"--leak-check=full";
	args[n++] = (char *)"--show-leak-kinds=definite,indirect,possible";
	args[n++] = (char *)"--errors-for-leak-kinds=definite,indirect,possible";
	args[n++] = (char *)"--trace-children=no";
	args[n++] = (char *)"--child-silent-after-fork=yes";
	args[n++] = log;
	args[n++] = real;
	for (int i = 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	execv(VALGRIND_PATH, args);
	perror("valgrind_exec: " VALGRIND_PATH);
	return 127;
}
