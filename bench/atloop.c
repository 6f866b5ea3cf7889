/* bench/atloop.c: the at figure's driver: C submitters, each running a
 * command (an `at` program) one after the other, N times in all, with its
 * standard input from a file (the job), as fast as they can.
 *
 *   atloop C N INPUT COMMAND [ARG...]
 *
 * Submitter k runs the command N / C times (the first N % C run it once
 * more), waiting for each to exit before starting the next, so C commands
 * are in flight at any moment: C users typing `at` at once. Standard output
 * and error go to /dev/null. Prints one line, "OK SECONDS CPU": how many
 * commands exited 0, the CLOCK_MONOTONIC time from before the first fork
 * until the last submitter was done, and the CPU time (user + system) the
 * commands and submitters used, in seconds (the daemon's is not in it).
 *
 * Exit status: 0 when every command exited 0, 1 otherwise, 2 on a usage
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SUBMITTERS 256

static long number(const char *s, const char *what, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "atloop: %s must be 1-%ld, not '%s'\n", what, max, s);
		exit(2);
	}
	return v;
}

/* One run of ARGV with INPUT on standard input: true if it exited 0. */
static int run_once(const char *input, char **argv)
{
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		int in = open(input, O_RDONLY | O_CLOEXEC);
		int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: atloop C N INPUT COMMAND [ARG...]\n");
		return 2;
	}
	long c = number(argv[1], "C", MAX_SUBMITTERS);
	long n = number(argv[2], "N", 10000000);
	const char *input = argv[3];
	char **cmd = argv + 4;
	int fds[MAX_SUBMITTERS];
	pid_t pids[MAX_SUBMITTERS];
	struct timespec t0, t1;

	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long k = 0; k < c; k++) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			perror("atloop: pipe");
			return 1;
		}
		pids[k] = fork();
		if (pids[k] < 0) {
			perror("atloop: fork");
			return 1;
		}
		if (pids[k] == 0) {
			long mine = n / c + (k < n % c ? 1 : 0), ok = 0;
			for (long i = 0; i < mine; i++)
				ok += run_once(input, cmd);
			/* the count back to the parent, as text */
			char buf[32];
			int len = snprintf(buf, sizeof(buf), "%ld", ok);
			_exit(write(p[1], buf, (size_t)len) == len ? 0 : 1);
		}
		close(p[1]);
		fds[k] = p[0];
	}
	long ok = 0;
	for (long k = 0; k < c; k++) {
		char buf[32] = { 0 };
		ssize_t got = read(fds[k], buf, sizeof(buf) - 1);
		if (got > 0)
			ok += strtol(buf, NULL, 10);
		close(fds[k]);
		int status;
		while (waitpid(pids[k], &status, 0) < 0 && errno == EINTR)
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct rusage ru;
	double cpu = -1;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	printf("%ld %.6f %.6f\n", ok,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, cpu);
	return ok == n ? 0 : 1;
}
