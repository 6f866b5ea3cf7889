/* bench/forkloop.c: the raw rate the daemon benchmark's burst figure is held
 * to: a plain C loop that forks and execs COMMAND N times, as fast as it
 * can, and only then reaps the children. COMMAND is started as crond starts
 * it (lib/plaincmd.h): a plain command whose first word is a path is exec'd
 * directly, anything else through `/bin/sh -c COMMAND`.
 *
 *   forkloop N COMMAND
 *
 * Prints one line, "T0 T1": the CLOCK_REALTIME instants (SECONDS.NANOSECONDS)
 * just before the first fork and just after the last. When the children have
 * started is for COMMAND to record (the benchmark runs bench/stamp), so the
 * loop is measured exactly as the daemons are: from its start until the last
 * job has started.
 *
 * Exit status: 0 when every child was started and exited 0, 1 otherwise,
 * 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/plaincmd.h"

static void print_instant(const struct timespec *t, char end)
{
	printf("%lld.%09ld%c", (long long)t->tv_sec, t->tv_nsec, end);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	long n, started = 0, failed = 0;
	char *endp;

	if (argc != 3) {
		fprintf(stderr, "usage: forkloop N COMMAND\n");
		return 2;
	}
	n = strtol(argv[1], &endp, 10);
	if (*argv[1] == '\0' || *endp != '\0' || n < 1 || n > 1000000) {
		fprintf(stderr, "forkloop: N must be 1-1000000, not '%s'\n", argv[1]);
		return 2;
	}
	char **direct = plaincmd_argv(argv[2]);
	if (direct != NULL && strchr(direct[0], '/') == NULL) {
		free(direct);   /* a PATH search: leave it to the shell */
		direct = NULL;
	}
	fflush(stdout);
	clock_gettime(CLOCK_REALTIME, &t0);
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			if (direct != NULL)
				execv(direct[0], direct);
			execl("/bin/sh", "sh", "-c", argv[2], (char *)NULL);
			_exit(127);
		}
		if (pid < 0) {
			failed++;
			continue;
		}
		started++;
	}
	clock_gettime(CLOCK_REALTIME, &t1);
	for (;;) {
		int status;
		pid_t pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	print_instant(&t0, ' ');
	print_instant(&t1, '\n');
	if (failed > 0)
		fprintf(stderr, "forkloop: %ld of %ld children failed\n", failed, n);
	free(direct);
	return failed == 0 && started == n ? 0 : 1;
}
