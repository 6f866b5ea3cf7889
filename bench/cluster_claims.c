/* bench/cluster_claims.c: how fast a spool takes run claims (spool_run_claim)
 * when NODES nodes race for the same runs, as a cluster's nodes do at every
 * minute boundary.
 *
 *   cluster_claims SPOOL NODES ROUNDS BATCH
 *
 * SPOOL is a path (SQLite) or a postgresql:// URI. NODES threads each open
 * their own connection, named node1..nodeN (spool_set_node), and play
 * ROUNDS minute boundaries: at each, all of them (released together by a
 * barrier) claim the same BATCH runs (entry keys bench-TAG-e0.., the round's
 * instant) in one spool_run_claim call each, as crond claims a minute's due
 * runs. Exactly one node must win each run: the program checks it (the
 * sum of wins is ROUNDS * BATCH) and fails otherwise.
 *
 * Prints one line of figures:
 *   claims/s (runs claimed, cluster-wide, per second of wall time),
 *   p50 and p99 of one claim call (ms, every node's calls), and wins per
 *   node;
 * then "data:" lines in the benchmark data format (FIGURE BACKEND X VALUE,
 * X = NODES x BATCH as NxB) for bench/cluster_claims.sh to keep.
 * Uses only spool/spool.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spool/spool.h"

#define NODES_MAX 16
#define BATCH_MAX 1000
#define KEY_LEN 32

/* The entry keys every node claims, made once before the threads start. */
struct keys {
	char key[BATCH_MAX][KEY_LEN];
};

struct node {
	struct spool *sp;
	const struct keys *keys;
	long rounds;
	int batch;
	int64_t base_ms;
	pthread_barrier_t *barrier;
	double *lat_ms;      /* ROUNDS call latencies */
	long won;
	bool failed;         /* a spool error (message in err) */
	struct spool_err err;
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *node_main(void *arg)
{
	struct node *nd = arg;
	struct spool_run runs[BATCH_MAX];
	int64_t ids[BATCH_MAX];
	bool won[BATCH_MAX];

	for (long r = 0; r < nd->rounds; r++) {
		int64_t sched = nd->base_ms + r * 60000;
		for (int j = 0; j < nd->batch; j++) {
			memset(&runs[j], 0, sizeof(runs[j]));
			runs[j].kind = SPOOL_RUN_CRON;
			runs[j].owner = "root";
			runs[j].uid = 0;
			runs[j].entry_key = nd->keys->key[j];
			runs[j].command = "/bin/true";
			runs[j].scheduled_ms = sched;
			runs[j].start_ms = real_ms();
		}
		/* every node meets the others at each boundary, even after a
		 * failure of its own, so that none waits forever */
		int b = pthread_barrier_wait(nd->barrier);
		if (b != 0 && b != PTHREAD_BARRIER_SERIAL_THREAD) {
			fprintf(stderr, "cluster_claims: pthread_barrier_wait: %d\n", b);
			exit(1);
		}
		if (nd->failed)
			continue;
		double t = mono_s();
		if (spool_run_claim(nd->sp, runs, (size_t)nd->batch, ids, won, &nd->err) != SPOOL_OK) {
			nd->failed = true;
			continue;
		}
		nd->lat_ms[r] = (mono_s() - t) * 1000.0;
		for (int j = 0; j < nd->batch; j++)
			nd->won += won[j] ? 1 : 0;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y ? 1 : 0;
}

static double pct(const double *sorted, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return sorted[i < n ? i : n - 1];
}

/* ARG as a whole number 1 - MAX, or -1 after saying what is wrong. */
static long number_arg(const char *name, const char *arg, long max)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "cluster_claims: %s must be a whole number from 1 to %ld, not '%s'\n",
			name, max, arg);
		return -1;
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: cluster_claims SPOOL NODES ROUNDS BATCH\n");
		return 2;
	}
	const char *path = argv[1];
	long nodes_arg = number_arg("NODES", argv[2], NODES_MAX);
	long rounds = number_arg("ROUNDS", argv[3], 1000000);
	long batch_arg = number_arg("BATCH", argv[4], BATCH_MAX);
	if (nodes_arg < 0 || rounds < 0 || batch_arg < 0)
		return 2;
	int nodes = (int)nodes_arg, batch = (int)batch_arg;
	/* keys of this invocation only: a spool used before holds none of them */
	static struct keys keys;
	long long tag = (long long)real_ms();
	for (int j = 0; j < batch; j++)
		snprintf(keys.key[j], KEY_LEN, "bench-%lld-e%d", tag, j);

	static struct node nd[NODES_MAX];
	pthread_t th[NODES_MAX];
	pthread_barrier_t barrier;
	if (pthread_barrier_init(&barrier, NULL, (unsigned)nodes) != 0) {
		fprintf(stderr, "cluster_claims: pthread_barrier_init failed\n");
		return 1;
	}
	/* the instants are fresh minutes: no earlier run's claim is in the way */
	int64_t base = (real_ms() / 60000 + 1) * 60000 + 600000000;
	for (int i = 0; i < nodes; i++) {
		struct spool_err err;
		char name[16];
		nd[i].keys = &keys;
		nd[i].rounds = rounds;
		nd[i].batch = batch;
		nd[i].base_ms = base;
		nd[i].barrier = &barrier;
		nd[i].lat_ms = calloc((size_t)rounds, sizeof(double));
		if (nd[i].lat_ms == NULL) {
			fprintf(stderr, "cluster_claims: out of memory\n");
			return 1;
		}
		if (spool_open(path, SPOOL_CREATE, &nd[i].sp, &err) != SPOOL_OK) {
			fprintf(stderr, "cluster_claims: open %s: %s\n", path, err.msg);
			return 1;
		}
		snprintf(name, sizeof(name), "node%d", i + 1);
		if (spool_set_node(nd[i].sp, name, &err) != SPOOL_OK) {
			fprintf(stderr, "cluster_claims: %s\n", err.msg);
			return 1;
		}
	}
	double t0 = mono_s();
	for (int i = 0; i < nodes; i++) {
		if (pthread_create(&th[i], NULL, node_main, &nd[i]) != 0) {
			fprintf(stderr, "cluster_claims: pthread_create failed\n");
			return 1;
		}
	}
	for (int i = 0; i < nodes; i++)
		pthread_join(th[i], NULL);
	double wall = mono_s() - t0;

	int rc = 0;
	long won = 0;
	size_t nlat = (size_t)nodes * (size_t)rounds;
	double *all = malloc(nlat * sizeof(double));
	if (all == NULL) {
		fprintf(stderr, "cluster_claims: out of memory\n");
		return 1;
	}
	for (int i = 0; i < nodes; i++) {
		if (nd[i].failed) {
			fprintf(stderr, "cluster_claims: node%d: %s\n", i + 1, nd[i].err.msg);
			rc = 1;
		}
		won += nd[i].won;
		memcpy(all + (size_t)i * (size_t)rounds, nd[i].lat_ms, (size_t)rounds * sizeof(double));
		spool_close(nd[i].sp);
		free(nd[i].lat_ms);
	}
	if (rc != 0)
		return rc;
	if (won != rounds * batch) {
		fprintf(stderr, "cluster_claims: %ld runs won, expected exactly %ld: a run was claimed"
			" twice or by nobody\n", won, rounds * batch);
		return 1;
	}
	qsort(all, nlat, sizeof(double), cmp_double);
	double rate = (double)won / wall;
	double p50 = pct(all, nlat, 0.50), p99 = pct(all, nlat, 0.99);
	char backend[16];
	snprintf(backend, sizeof(backend), "%s",
		 strncmp(path, "postgres", 8) == 0 ? "postgresql" : "sqlite");
	printf("  %-10s %2d node(s), %4d runs per claim: %9.0f claims/s, one claim call p50 %7.2f ms,"
	       " p99 %7.2f ms; won per node:", backend, nodes, batch, rate, p50, p99);
	for (int i = 0; i < nodes; i++)
		printf(" %ld", nd[i].won);
	printf("\n");
	printf("data: claims_per_s %s %dx%d %.1f\n", backend, nodes, batch, rate);
	printf("data: claim_call_p50_ms %s %dx%d %.3f\n", backend, nodes, batch, p50);
	printf("data: claim_call_p99_ms %s %dx%d %.3f\n", backend, nodes, batch, p99);
	free(all);
	pthread_barrier_destroy(&barrier);
	return 0;
}
