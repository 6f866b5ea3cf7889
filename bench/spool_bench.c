/* bench/spool_bench.c: how fast the spool takes durable writes, and how
 * big the history grows.
 *
 *   spool_bench [DIR]     (default: the current directory)
 *
 * Every write is what the daemon does: one transaction, WAL,
 * synchronous=FULL, so each commit waits for an fsync; run it on the file
 * system the spool will live on (a tmpfs makes fsync free and the figures
 * meaningless). Each timed figure runs for SPOOL_BENCH_SECONDS (default 1).
 * Uses only spool/spool.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "spool/spool.h"

#define HISTORY_ROWS 100000   /* for the query and prune timings */

static double seconds_per_figure = 1.0;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct spool_err *err)
{
	fprintf(stderr, "spool_bench: %s: %s\n", what, err->msg);
	exit(1);
}

static struct spool *open_fresh(const char *dir, const char *name, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", dir, name);
	struct spool *sp;
	struct spool_err err;
	if (spool_open(path, SPOOL_CREATE, &sp, &err) != SPOOL_OK)
		die("open", &err);
	return sp;
}

static const char *fs_name(const char *dir)
{
	struct statfs fs;
	if (statfs(dir, &fs) != 0)
		return "?";
	switch ((unsigned long)fs.f_type) {
	case 0xEF53:     return "ext2/3/4";
	case 0x01021994: return "tmpfs";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x794C7630: return "overlayfs";
	default:         return "other";
	}
}

static const char *const bench_env[] = {
	"HOME=/home/alice", "LOGNAME=alice", "USER=alice", "SHELL=/bin/sh",
	"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TERM=xterm",
	"MAIL=/var/mail/alice", "PWD=/home/alice/src", "EDITOR=vi", NULL,
};

static double bench_at_submit(struct spool *sp)
{
	char script[200];
	memset(script, 'x', sizeof script);
	struct spool_at_job j = { .queue = 'a', .owner = "alice", .uid = 1000, .gid = 1000,
				  .run_at = 4102444800LL, .created_at = 1700000000,
				  .script = script, .script_len = sizeof script, .env = bench_env,
				  .cwd = "/home/alice/src", .umask = 022 };
	struct spool_err err;
	long n = 0;
	double start = now_s(), end;
	do {
		if (spool_at_submit(sp, &j, NULL, &err) != SPOOL_OK)
			die("submit", &err);
		n++;
	} while ((end = now_s()) - start < seconds_per_figure);
	return (double)n / (end - start);
}

static double bench_crontab_install(struct spool *sp)
{
	char text[1024], owner[32];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = i % 64 == 63 ? '\n' : "*/5 * * * * /usr/bin/task"[i % 25];
	struct spool_err err;
	long n = 0;
	double start = now_s(), end;
	do {
		snprintf(owner, sizeof owner, "user%ld", n % 100);
		if (spool_crontab_install(sp, owner, 1000, text, sizeof text, 0, n, NULL, &err))
			die("install", &err);
		n++;
	} while ((end = now_s()) - start < seconds_per_figure);
	return (double)n / (end - start);
}

static char output_head[256];

static void fill_runs(struct spool_run *runs, size_t n, long first, size_t output_len,
		      char keys[][32])
{
	for (size_t i = 0; i < n; i++) {
		long k = first + (long)i;
		snprintf(keys[i], 32, "alice:%08lx", (unsigned long)(k % 50) * 2654435761UL);
		runs[i] = (struct spool_run){
			.kind = SPOOL_RUN_CRON, .owner = "alice", .uid = 1000,
			.entry_key = keys[i], .command = "/usr/local/bin/backup --quiet /srv",
			.scheduled_ms = 1700000000000LL + k * 60000,
			.start_ms = 1700000000000LL + k * 60000 + 3,
			.end_ms = 1700000000000LL + k * 60000 + 2500,
			.output = output_head, .output_len = output_len,
			.output_total = (int64_t)output_len,
		};
	}
}

/* History rows appended per second, BATCH per transaction. */
static double bench_history(struct spool *sp, size_t batch)
{
	static struct spool_run runs[100];
	static char keys[100][32];
	struct spool_err err;
	long n = 0;
	double start = now_s(), end;
	do {
		fill_runs(runs, batch, n, 64, keys);
		if (spool_history_append(sp, runs, batch, &err) != SPOOL_OK)
			die("append", &err);
		n += (long)batch;
	} while ((end = now_s()) - start < seconds_per_figure);
	return (double)n / (end - start);
}

/* 1,000 runs starting together, as the supervisor records them: their
 * running records in one transaction (grouped) or one each; then their
 * ends in one. Milliseconds for the 1,000 starts. */
static double bench_starts(struct spool *sp, bool grouped)
{
	enum { N = 1000 };
	static struct spool_run runs[N];
	static char keys[N][32];
	static int64_t ids[N];
	struct spool_err err;
	fill_runs(runs, N, 0, 0, keys);
	double start = now_s();
	if (grouped) {
		if (spool_history_begin(sp, runs, N, ids, &err) != SPOOL_OK)
			die("begin", &err);
	} else {
		for (size_t i = 0; i < N; i++)
			if (spool_history_begin(sp, &runs[i], 1, &ids[i], &err) != SPOOL_OK)
				die("begin", &err);
	}
	double ms = (now_s() - start) * 1000.0;
	for (size_t i = 0; i < N; i++)
		runs[i].id = ids[i];
	if (spool_history_end(sp, runs, N, &err) != SPOOL_OK)
		die("end", &err);
	return ms;
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Appends ROWS rows (100 per transaction) with OUTPUT_LEN bytes of output. */
static void append_rows(struct spool *sp, long rows, size_t output_len)
{
	static struct spool_run runs[100];
	static char keys[100][32];
	struct spool_err err;
	for (long done = 0; done < rows; done += 100) {
		fill_runs(runs, 100, done, output_len, keys);
		if (spool_history_append(sp, runs, 100, &err) != SPOOL_OK)
			die("append", &err);
	}
}

/* Database bytes per 1,000 history rows, measured on a checkpointed file. */
static double bytes_per_1000(const char *dir, const char *name, size_t output_len)
{
	char path[4096];
	struct spool *sp = open_fresh(dir, name, path, sizeof path);
	spool_close(sp);
	long long before = file_size(path);
	struct spool_err err;
	if (spool_open(path, 0, &sp, &err) != SPOOL_OK)
		die("open", &err);
	append_rows(sp, 10000, output_len);
	spool_close(sp);   /* the last close checkpoints and removes the WAL */
	return (double)(file_size(path) - before) / 10.0;
}

static void bench_queries_and_pruning(const char *dir)
{
	char path[4096];
	struct spool *sp = open_fresh(dir, "history.db", path, sizeof path);
	struct spool_err err;
	append_rows(sp, HISTORY_ROWS, 64);
	struct spool_history_filter f = { .entry_key = "alice:00000000", .limit = 20 };
	struct spool_run *v;
	size_t n, deleted;
	double start = now_s();
	for (int i = 0; i < 100; i++) {
		if (spool_history_query(sp, &f, &v, &n, &err) != SPOOL_OK)
			die("query", &err);
		spool_runs_free(v, n);
	}
	printf("  history query, 20 newest of an entry  %8.3f ms   (%d rows)\n",
	       (now_s() - start) * 10.0, HISTORY_ROWS);
	start = now_s();
	if (spool_history_prune_count(sp, 1000, 500, &deleted, &err) != SPOOL_OK)
		die("prune", &err);
	printf("  prune by count, one batch of 500      %8.1f ms   (keep 1000 of 2000 per"
	       " entry; %zu deleted)\n", (now_s() - start) * 1000.0, deleted);
	start = now_s();
	if (spool_history_prune_count(sp, 2000, 500, &deleted, &err) != SPOOL_OK)
		die("prune", &err);
	printf("  prune by count, nothing to delete     %8.1f ms\n", (now_s() - start) * 1000.0);
	start = now_s();
	if (spool_history_prune_age(sp, 1700000000000LL + 50000LL * 60000, 500, &deleted, &err))
		die("prune", &err);
	printf("  prune by age, one batch of 500        %8.1f ms   (%zu deleted)\n",
	       (now_s() - start) * 1000.0, deleted);
	spool_close(sp);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	const char *secs = getenv("SPOOL_BENCH_SECONDS");
	if (secs != NULL && atof(secs) > 0)
		seconds_per_figure = atof(secs);
	memset(output_head, 'o', sizeof output_head);
	printf("spool benchmark in %s (%s): WAL, synchronous=FULL, one fsync per commit\n",
	       dir, fs_name(dir));
	char path[4096];
	struct spool *sp = open_fresh(dir, "bench.db", path, sizeof path);
	printf("  at jobs submitted                     %8.0f /s   (one transaction each)\n",
	       bench_at_submit(sp));
	printf("  crontabs installed (1 KiB)            %8.0f /s   (one transaction each)\n",
	       bench_crontab_install(sp));
	printf("  history rows appended, 1 per commit   %8.0f /s\n", bench_history(sp, 1));
	printf("  history rows appended, 100 per commit %8.0f /s\n", bench_history(sp, 100));
	printf("  1,000 run starts, one commit          %8.1f ms\n", bench_starts(sp, true));
	printf("  1,000 run starts, one commit each     %8.1f ms\n", bench_starts(sp, false));
	spool_close(sp);
	printf("  database bytes per 1,000 history rows %8.0f     (64-byte output head)\n",
	       bytes_per_1000(dir, "size64.db", 64));
	printf("  database bytes per 1,000 history rows %8.0f     (256-byte output head)\n",
	       bytes_per_1000(dir, "size256.db", 256));
	printf("  database bytes per 1,000 history rows %8.0f     (no output)\n",
	       bytes_per_1000(dir, "size0.db", 0));
	bench_queries_and_pruning(dir);
	return 0;
}
