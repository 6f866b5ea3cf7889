/* crond/recorder.c: batched spool writes for the supervisor (see recorder.h). */
#include "crond/recorder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/clock.h"
#include "crond/log.h"
#include "crond/metrics.h"

#define PRUNE_AGAIN_SOON_NS (100 * 1000000LL)

int recorder_open(struct recorder *r, const char *spool_path, const char *node, char *err,
                  size_t errlen)
{
	memset(r, 0, sizeof(*r));
	struct spool_err e;
	if (spool_open(spool_path, 0, &r->sp, &e) != SPOOL_OK ||
	    spool_set_node(r->sp, node, &e) != SPOOL_OK) {
		spool_close(r->sp);
		r->sp = NULL;
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	int64_t mono = clock_mono_ns();
	r->next_age_prune = mono + 60LL * 1000000000;
	r->next_count_prune = mono + 120LL * 1000000000;
	return 0;
}

void recorder_close(struct recorder *r)
{
	recorder_flush(r);
	free(r->started);
	free(r->finished);
	free(r->states);
	spool_close(r->sp);
	r->sp = NULL;
}

void recorder_started(struct recorder *r, struct job *j)
{
	if (j->run_id)
		return;   /* begun already, by its claim (crond/claim.h) */
	if (r->n_started == r->cap_started) {
		size_t ncap = r->cap_started ? r->cap_started * 2 : 64;
		struct job **n = realloc(r->started, ncap * sizeof(*n));
		if (!n) {
			/* Its end is still recorded, only not its running state. */
			log_msg(LOG_ERR, "out of memory: %s's run is not recorded as running", j->user);
			return;
		}
		r->started = n;
		r->cap_started = ncap;
	}
	r->started[r->n_started++] = j;
}

void recorder_finished(struct recorder *r, struct job *j)
{
	j->end_queued = true;
	if (r->n_finished == r->cap_finished) {
		size_t ncap = r->cap_finished ? r->cap_finished * 2 : 64;
		struct job **n = realloc(r->finished, ncap * sizeof(*n));
		if (!n) {
			log_msg(LOG_ERR, "out of memory: the record of %s's run was lost", j->user);
			job_free(j);
			return;
		}
		r->finished = n;
		r->cap_finished = ncap;
	}
	r->finished[r->n_finished++] = j;
	r->dirty = true;
}

void recorder_state(struct recorder *r, const char *key, int64_t scheduled, int64_t start)
{
	for (size_t i = 0; i < r->n_states; i++) {
		if (strcmp(r->states[i].key, key) == 0) {
			r->states[i].last_scheduled = scheduled;
			r->states[i].last_start = start;
			return;
		}
	}
	if (r->n_states == r->cap_states) {
		size_t ncap = r->cap_states ? r->cap_states * 2 : 16;
		struct spool_entry_state *n = realloc(r->states, ncap * sizeof(*n));
		if (!n)
			return;
		r->states = n;
		r->cap_states = ncap;
	}
	char *k = strdup(key);
	if (!k)
		return;
	r->states[r->n_states++] = (struct spool_entry_state){ .key = k,
		                                               .last_scheduled = scheduled,
		                                               .last_start = start };
}

/* The runs started since the last flush, and still going, get their
 * running records in one transaction. */
static void flush_starts(struct recorder *r)
{
	struct job **jobs = r->started;
	size_t n = 0;
	for (size_t i = 0; i < r->n_started; i++)
		if (!jobs[i]->end_queued)   /* ended already: recorded whole */
			jobs[n++] = jobs[i];
	r->n_started = 0;
	if (!n)
		return;
	struct spool_run *runs = calloc(n, sizeof(*runs));
	char (*keys)[64] = calloc(n, sizeof(*keys));
	int64_t *ids = calloc(n, sizeof(*ids));
	struct spool_err e;
	if (!runs || !keys || !ids) {
		log_msg(LOG_ERR, "out of memory: %zu runs not recorded as running", n);
	} else {
		for (size_t i = 0; i < n; i++) {
			job_record(jobs[i], &runs[i], keys[i], sizeof(keys[i]));
			/* nothing else is known yet */
			runs[i].flags &= SPOOL_RUN_CATCHUP | SPOOL_RUN_MANUAL;
		}
		if (spool_history_begin(r->sp, runs, n, ids, &e) != SPOOL_OK)
			log_msg(LOG_ERR, "%zu runs not recorded as running: %s", n, e.msg);
		else
			for (size_t i = 0; i < n; i++)
				jobs[i]->run_id = ids[i];
	}
	free(runs);
	free(keys);
	free(ids);
}

/* Cron runs go to the history in one transaction; an at job is finished
 * together with its record (spool_at_finish), so a crash never separates
 * the two. */
static void flush_history(struct recorder *r)
{
	struct spool_run *runs = calloc(r->n_finished, sizeof(*runs));
	char (*keys)[64] = calloc(r->n_finished, sizeof(*keys));
	struct spool_err e;
	size_t n = 0;
	if (!runs || !keys)
		log_msg(LOG_ERR, "out of memory: %zu run records lost", r->n_finished);
	for (size_t i = 0; runs && keys && i < r->n_finished; i++) {
		struct job *j = r->finished[i];
		if (j->kind == JOB_AT && j->have_at) {
			struct spool_run one;
			job_record(j, &one, keys[i], sizeof(keys[i]));
			if (spool_at_finish(r->sp, j->req->at_id, &one, &e) != SPOOL_OK)
				log_msg(LOG_ERR, "at job %lld not finished in the spool: %s",
				        (long long)j->req->at_id, e.msg);
		} else {
			job_record(j, &runs[n++], keys[i], sizeof(keys[i]));
		}
	}
	if (n && spool_history_end(r->sp, runs, n, &e) != SPOOL_OK)
		log_msg(LOG_ERR, "%zu run records not written: %s", n, e.msg);
	free(runs);
	free(keys);
	for (size_t i = 0; i < r->n_finished; i++) {
		metrics_run_ended(r->metrics, r->finished[i]);
		job_free(r->finished[i]);
	}
	r->n_finished = 0;
}

void recorder_flush(struct recorder *r)
{
	if (!r->sp)
		return;
	if (r->n_started)
		flush_starts(r);
	if (r->n_finished)
		flush_history(r);
	if (r->n_states) {
		struct spool_err e;
		if (spool_state_set(r->sp, r->states, r->n_states, &e) != SPOOL_OK)
			log_msg(LOG_ERR, "catch-up state not written: %s", e.msg);
		for (size_t i = 0; i < r->n_states; i++)
			free((void *)(uintptr_t)r->states[i].key);
		r->n_states = 0;
	}
}

void recorder_set_limits(struct recorder *r, uint32_t history_days, uint32_t per_entry,
                         uint32_t per_user)
{
	r->history_days = history_days;
	r->per_entry = per_entry;
	r->per_user = per_user;
}

int64_t recorder_next_prune(const struct recorder *r)
{
	if (!r->dirty)
		return INT64_MAX;
	return r->next_age_prune < r->next_count_prune ? r->next_age_prune : r->next_count_prune;
}

void recorder_prune_step(struct recorder *r, int64_t now_ns)
{
	if (!r->dirty)
		return;
	int64_t mono = clock_mono_ns();
	struct spool_err e;
	size_t deleted = 0;
	bool more = false;
	if (mono >= r->next_age_prune) {
		r->next_age_prune = mono + RECORDER_PRUNE_EVERY_NS;
		if (r->history_days) {
			int64_t before = now_ns / 1000000 - (int64_t)r->history_days * 86400 * 1000;
			if (spool_history_prune_age(r->sp, before, RECORDER_PRUNE_BATCH, &deleted, &e) != 0)
				log_msg(LOG_WARNING, "history prune: %s", e.msg);
			else if (deleted == RECORDER_PRUNE_BATCH)
				r->next_age_prune = mono + PRUNE_AGAIN_SOON_NS, more = true;
		}
	}
	if (mono >= r->next_count_prune) {
		r->next_count_prune = mono + RECORDER_COUNT_PRUNE_EVERY_NS;
		if (r->per_entry) {
			if (spool_history_prune_count(r->sp, r->per_entry, RECORDER_PRUNE_BATCH, &deleted,
			                              &e) != 0)
				log_msg(LOG_WARNING, "history prune: %s", e.msg);
			else if (deleted == RECORDER_PRUNE_BATCH)
				r->next_count_prune = mono + PRUNE_AGAIN_SOON_NS, more = true;
		}
		if (r->per_user) {
			if (spool_history_prune_user_count(r->sp, r->per_user, RECORDER_PRUNE_BATCH,
			                                   &deleted, &e) != 0)
				log_msg(LOG_WARNING, "history prune: %s", e.msg);
			else if (deleted == RECORDER_PRUNE_BATCH)
				r->next_count_prune = mono + PRUNE_AGAIN_SOON_NS, more = true;
		}
		/* The prunes have run since the last record and neither has more
		 * to do: sleep until something is recorded again. */
		if (!more)
			r->dirty = false;
	}
}
