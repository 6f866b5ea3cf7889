/* bench/boundary.c: the limit of the daemon benchmark's first figure (start
 * latency): what a program that does nothing but wait for the minute
 * boundary and start one job reaches on this machine.
 *
 *   boundary COMMAND [PERIOD OFFSET]
 *
 * At every minute boundary (with PERIOD and OFFSET: those whose minute is
 * OFFSET modulo PERIOD, as the crontab entry OFFSET-59/PERIOD; PERIOD
 * divides 60), until it is killed: sleeps on a timerfd armed
 * at the boundary (CLOCK_REALTIME, absolute, as crond's timer thread),
 * then starts COMMAND with posix_spawn (vfork and exec, as crond's runner)
 * and waits for it: exec'd directly when it is a plain command whose first
 * word is a path (lib/plaincmd.h), as crond starts it, else through
 * `/bin/sh -c COMMAND`. COMMAND is the same bench/stamp job the daemons run,
 * so its stamps, less the boundary, are the shortest start latency any cron
 * daemon could show here: one timer wake-up plus one start of the job, with
 * no lookup, no log, no record.
 *
 * Exit status: 1 if the timer fails, 2 on a usage error.
 */
#include <errno.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/plaincmd.h"

extern char **environ;

int main(int argc, char **argv)
{
	long period = argc == 4 ? strtol(argv[2], NULL, 10) : 1;
	long offset = argc == 4 ? strtol(argv[3], NULL, 10) : 0;
	if ((argc != 2 && argc != 4) || period < 1 || period > 60 || 60 % period != 0 ||
	    offset < 0 || offset >= period) {
		fprintf(stderr, "usage: boundary COMMAND [PERIOD OFFSET] (PERIOD divides 60)\n");
		return 2;
	}
	int tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
	if (tfd < 0) {
		perror("boundary: timerfd_create");
		return 1;
	}
	char *shell_argv[] = { "sh", "-c", argv[1], NULL };
	char **child_argv = plaincmd_argv(argv[1]);
	const char *program = child_argv != NULL ? child_argv[0] : "";
	if (strchr(program, '/') == NULL) {
		free(child_argv);   /* not plain, or a PATH search: the shell */
		child_argv = shell_argv;
		program = "/bin/sh";
	}
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		time_t minute = now.tv_sec / 60 + 1;
		while (minute % period != offset)
			minute++;
		struct itimerspec at = { .it_value = { .tv_sec = minute * 60 } };
		if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &at, NULL) < 0) {
			perror("boundary: timerfd_settime");
			return 1;
		}
		uint64_t ticks;
		if (read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EINTR) {
			perror("boundary: read");
			return 1;
		}
		pid_t pid;
		if (posix_spawn(&pid, program, NULL, NULL, child_argv, environ) != 0)
			continue;   /* the missing stamp shows it */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
}
