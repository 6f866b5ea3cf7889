/* bench/startwatch.c: how long a daemon takes to start, measured the same
 * way for every daemon, whether or not it says when it is ready.
 *
 *   startwatch --out FILE [--socket PATH] [--settle MS] [--timeout S] -- PROG [ARG...]
 *
 * startwatch forks a detached watcher, reads the clock (T0) and execs PROG in
 * its own process, so the daemon keeps startwatch's pid (the caller's $!).
 * The watcher samples the daemon every millisecond through /proc: the state
 * of every thread (/proc/PID/task/TID/stat), its CPU time in nanoseconds
 * (the sum of /proc/PID/task/TID/schedstat) and its resident set
 * (/proc/PID/statm). A sample is "busy" when a thread is running or
 * runnable (R) or in uninterruptible sleep (D), or when the CPU time or the
 * resident set changed since the previous sample. The daemon has settled
 * when it has not been busy for MS milliseconds (default 500): every thread
 * sleeps and nothing changes, which is what a cron daemon does once its
 * crontabs are loaded and it waits for the next minute. The watcher then
 * writes one line to FILE (through FILE.tmp and rename, so a reader never
 * sees half of it):
 *
 *   socket_ms=S settle_ms=T rss_kb=R cpu_ms=C minflt=F
 *
 *   socket_ms  T0 until PATH existed as a socket (-1 without --socket); with
 *              --socket the watcher also waits for the socket before it
 *              declares the daemon settled
 *   settle_ms  T0 until the last busy sample before the quiet period
 *   rss_kb     the resident set when settled (VmRSS)
 *   cpu_ms     CPU time of the daemon's threads when settled (a thread that
 *              ended counted as last sampled), less what
 *              the process had used before the exec
 *   minflt     minor page faults of the daemon when settled (all its
 *              threads, /proc/PID/stat), less the process's before the
 *              exec: the count does not move with the machine's load, and
 *              on a virtual machine where a fault is dear it is much of
 *              a start's cost
 *
 * or "exited" if the daemon ended first, or "timeout" after S seconds
 * (default 120). Run it inside whatever namespace the daemon needs, as the
 * last program before the daemon, so T0 is the daemon's own exec.
 *
 * Exit status (of startwatch itself, when PROG cannot be executed): 127;
 * 2 on a usage error.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sample {
	bool running;      /* some thread in R or D */
	uint64_t cpu_ns;   /* sum over every thread seen (struct threads) */
	long rss_kb;
	unsigned long minflt;   /* the whole process's */
};

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Reads at most SIZE-1 bytes of PATH into BUF; returns the length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The state letter of a /proc stat line (after the last ')'), or 0. */
static char stat_state(const char *line)
{
	const char *p = strrchr(line, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* The minor faults (field 10) of a /proc stat line, or 0. */
static unsigned long stat_minflt(const char *line)
{
	const char *p = strrchr(line, ')');
	unsigned long v = 0;   /* left 0 when the line is not as expected */
	if (p != NULL)
		(void)sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %lu", &v);
	return v;
}

/* The CPU time of each thread of the daemon as last sampled, so that a
 * thread that ended (crond's helpers that read crontabs at start) still
 * counts, up to its last sample (1 ms before its end at most). */
#define THREADS_MAX 256
struct threads {
	long tid[THREADS_MAX];
	uint64_t cpu_ns[THREADS_MAX];
	size_t n;
};

/* Records TID's CPU time NS in T (a new thread past THREADS_MAX is left
 * out). */
static void threads_note(struct threads *t, long tid, uint64_t ns)
{
	size_t i = 0;
	while (i < t->n && t->tid[i] != tid)
		i++;
	if (i == t->n && t->n < THREADS_MAX)
		t->tid[t->n++] = tid;
	if (i < t->n)
		t->cpu_ns[i] = ns;
}

static uint64_t threads_sum(const struct threads *t)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < t->n; i++)
		sum += t->cpu_ns[i];
	return sum;
}

/* Fills S for process PID (its threads' CPU times kept in T); returns
 * false when the process is gone or a zombie. */
static bool take_sample(pid_t pid, struct threads *t, struct sample *s)
{
	char path[64], buf[1024];
	long pages_total, pages_rss;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	char st = stat_state(buf);
	if (st == 'Z' || st == 'X' || st == 0)
		return false;
	s->minflt = stat_minflt(buf);
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%ld %ld", &pages_total, &pages_rss) != 2)
		return false;
	s->rss_kb = pages_rss * (sysconf(_SC_PAGESIZE) / 1024);
	s->running = false;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (d == NULL)
		return false;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end != '\0')
			continue;
		char tpath[128];
		snprintf(tpath, sizeof(tpath), "/proc/%d/task/%ld/stat", (int)pid, tid);
		if (read_small(tpath, buf, sizeof(buf)) < 0)
			continue;   /* the thread just ended */
		st = stat_state(buf);
		if (st == 'R' || st == 'D')
			s->running = true;
		snprintf(tpath, sizeof(tpath), "/proc/%d/task/%ld/schedstat", (int)pid, tid);
		if (read_small(tpath, buf, sizeof(buf)) > 0)
			threads_note(t, tid, strtoull(buf, NULL, 10));
	}
	closedir(d);
	s->cpu_ns = threads_sum(t);
	return true;
}

static void report(const char *out, const char *line)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fputs(line, f);
	if (fclose(f) == 0)
		rename(tmp, out);
}

static bool socket_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void watch(pid_t pid, int from_parent, const char *out, const char *sock,
                  long settle_ms, long timeout_s)
{
	struct timespec t0, now, next, last_busy;
	struct sample prev = { 0 }, cur;
	struct threads threads = { .n = 0 };
	double sock_ms = -1;
	long busy_rss = 0;
	uint64_t busy_cpu = 0;
	unsigned long busy_minflt = 0, minflt0;
	bool first = true;
	char line[256];

	uint64_t cpu0;
	if (read(from_parent, &t0, sizeof(t0)) != (ssize_t)sizeof(t0) ||
	    read(from_parent, &cpu0, sizeof(cpu0)) != (ssize_t)sizeof(cpu0) ||
	    read(from_parent, &minflt0, sizeof(minflt0)) != (ssize_t)sizeof(minflt0))
		_exit(1);   /* the parent failed before exec */
	close(from_parent);
	last_busy = t0;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		clock_gettime(CLOCK_REALTIME, &now);
		if (ms_between(&t0, &now) > (double)timeout_s * 1e3) {
			report(out, "timeout\n");
			return;
		}
		if (!take_sample(pid, &threads, &cur)) {
			report(out, "exited\n");
			return;
		}
		if (first || cur.running || cur.cpu_ns != prev.cpu_ns || cur.rss_kb != prev.rss_kb) {
			last_busy = now;
			busy_rss = cur.rss_kb;
			busy_cpu = cur.cpu_ns;
			busy_minflt = cur.minflt;
		}
		first = false;
		prev = cur;
		if (sock != NULL && sock_ms < 0 && socket_exists(sock))
			sock_ms = ms_between(&t0, &now);
		if ((sock == NULL || sock_ms >= 0) && ms_between(&last_busy, &now) >= (double)settle_ms) {
			snprintf(line, sizeof(line),
			         "socket_ms=%.1f settle_ms=%.1f rss_kb=%ld cpu_ms=%.1f minflt=%lu\n",
			         sock_ms, ms_between(&t0, &last_busy), busy_rss,
			         (double)(busy_cpu - cpu0) / 1e6, busy_minflt - minflt0);
			report(out, line);
			return;
		}
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: startwatch --out FILE [--socket PATH] [--settle MS] "
	                "[--timeout S] -- PROG [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "settle", required_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *sock = NULL;
	long settle_ms = 500, timeout_s = 120;
	int c, p[2];

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': sock = optarg; break;
		case 'q': settle_ms = atol(optarg); break;
		case 't': timeout_s = atol(optarg); break;
		default: return usage();
		}
	}
	if (out == NULL || optind >= argc || settle_ms < 1 || timeout_s < 1)
		return usage();
	if (pipe2(p, O_CLOEXEC) != 0) {
		perror("startwatch: pipe2");
		return 1;
	}
	pid_t self = getpid();
	pid_t mid = fork();
	if (mid < 0) {
		perror("startwatch: fork");
		return 1;
	}
	if (mid == 0) {
		/* Detach the watcher (double fork), so the daemon never sees it as a child. */
		if (fork() != 0)
			_exit(0);
		close(p[1]);
		setsid();
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		watch(self, p[0], out, sock, settle_ms, timeout_s);
		_exit(0);
	}
	waitpid(mid, NULL, 0);
	close(p[0]);
	/* The CPU this process used before the exec (a wrapper such as unshare
	 * and bash, then startwatch itself) is not the daemon's. */
	char buf[128];
	uint64_t cpu0 = 0;
	if (read_small("/proc/thread-self/schedstat", buf, sizeof(buf)) > 0)
		cpu0 = strtoull(buf, NULL, 10);
	char stat[1024];
	unsigned long minflt0 = 0;
	if (read_small("/proc/self/stat", stat, sizeof(stat)) > 0)
		minflt0 = stat_minflt(stat);
	struct timespec t0;
	clock_gettime(CLOCK_REALTIME, &t0);
	if (write(p[1], &t0, sizeof(t0)) != (ssize_t)sizeof(t0) ||
	    write(p[1], &cpu0, sizeof(cpu0)) != (ssize_t)sizeof(cpu0) ||
	    write(p[1], &minflt0, sizeof(minflt0)) != (ssize_t)sizeof(minflt0))
		perror("startwatch: write");
	execvp(argv[optind], argv + optind);
	perror("startwatch: exec");
	return 127;
}
