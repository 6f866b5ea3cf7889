/* lib/parallel.c: running independent pieces of work at once (see parallel.h). */
#include "lib/parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

struct work {
	size_t n;
	atomic_size_t next;          /* the next piece nobody took */
	void (*work)(size_t i, void *ctx);
	void *ctx;
	pthread_mutex_t lock;        /* guards READY */
	pthread_cond_t changed;      /* a piece became ready */
	bool *ready;
};

size_t parallel_threads(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	int cpus = CPU_COUNT(&set);
	return cpus < 1 ? 1 : cpus > PARALLEL_MAX_THREADS ? PARALLEL_MAX_THREADS : (size_t)cpus;
}

size_t parallel_threads_for(size_t bytes, size_t largest)
{
	return bytes - largest >= PARALLEL_MIN_BYTES ? parallel_threads() : 1;
}

/* Does one piece nobody took; false when none is left. */
static bool take_one(struct work *w)
{
	size_t i = atomic_fetch_add_explicit(&w->next, 1, memory_order_relaxed);
	if (i >= w->n)
		return false;
	w->work(i, w->ctx);
	pthread_mutex_lock(&w->lock);
	w->ready[i] = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	return true;
}

static void *helper_main(void *arg)
{
	while (take_one(arg))
		;
	return NULL;
}

/* Whether piece I is ready (under W's lock). */
static bool is_ready(struct work *w, size_t i)
{
	pthread_mutex_lock(&w->lock);
	bool r = w->ready[i];
	pthread_mutex_unlock(&w->lock);
	return r;
}

void parallel_for(size_t n, size_t threads, void (*work)(size_t i, void *ctx),
                  void (*done)(size_t i, void *ctx), void *ctx)
{
	if (threads > n)
		threads = n;
	if (threads > PARALLEL_MAX_THREADS)
		threads = PARALLEL_MAX_THREADS;
	struct work w = { .n = n, .work = work, .ctx = ctx };
	if (threads > 1)
		w.ready = calloc(n, sizeof(*w.ready));
	if (!w.ready) {
		for (size_t i = 0; i < n; i++) {
			work(i, ctx);
			if (done)
				done(i, ctx);
		}
		return;
	}
	atomic_init(&w.next, 0);
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.changed, NULL);
	pthread_t helper[PARALLEL_MAX_THREADS];
	size_t started = 0;
	for (size_t t = 1; t < threads; t++) {
		if (pthread_create(&helper[started], NULL, helper_main, &w) != 0)
			break;
		started++;
	}
	for (size_t i = 0; i < n; i++) {
		/* Work while piece I is not ready; wait only when nothing is left
		 * to take (a helper is on it). */
		while (!is_ready(&w, i) && take_one(&w))
			;
		pthread_mutex_lock(&w.lock);
		while (!w.ready[i])
			pthread_cond_wait(&w.changed, &w.lock);
		pthread_mutex_unlock(&w.lock);
		if (done)
			done(i, ctx);
	}
	for (size_t t = 0; t < started; t++)
		(void)pthread_join(helper[t], NULL);
	pthread_cond_destroy(&w.changed);
	pthread_mutex_destroy(&w.lock);
	free(w.ready);
}
