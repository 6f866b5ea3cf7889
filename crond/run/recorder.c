/* crond/run/recorder.c: batched spool writes for the supervisor (see recorder.h). */
#include "crond/run/recorder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/clock.h"
#include "crond/log.h"
#include "crond/observe/metrics.h"

#define PRUNE_AGAIN_SOON_NS (100 * 1000000LL)

/* What a write without the supervisor's spool connection failed with: as
 * the spool out of reach, so that what it held is kept for later. */
#define NO_CONNECTION { .code = SPOOL_IO, .msg = "no spool connection" }

/* An ended run whose record could not be written, with its own copies. */
struct recorder_retry {
	struct spool_run run;    /* points into the copies below */
	int64_t at_id;           /* an at job to finish with it, or 0 */
	char *owner, *key, *command;
	void *output;
	size_t bytes;            /* of the copies: counted in retry_bytes */
};

/* What one owner other than root has kept. */
struct recorder_owner {
	char *name;
	size_t runs, bytes;
};

/* Whether RUN is root's (uid 0, whatever the name): its records may use
 * the whole bounds. */
static bool is_root(const struct spool_run *run)
{
	return run->uid == 0;
}

/* OWNER's tally (not root's), made if MAKE; NULL if none (or no memory). */
static struct recorder_owner *owner_tally(struct recorder *r, const char *owner, bool make)
{
	for (size_t i = 0; i < r->n_owners; i++)
		if (strcmp(r->owners[i].name, owner) == 0)
			return &r->owners[i];
	if (!make)
		return NULL;
	if (r->n_owners == r->cap_owners) {
		size_t ncap = r->cap_owners ? r->cap_owners * 2 : 8;
		struct recorder_owner *n = realloc(r->owners, ncap * sizeof(*n));
		if (!n)
			return NULL;
		r->owners = n;
		r->cap_owners = ncap;
	}
	char *name = strdup(owner);
	if (!name)
		return NULL;
	r->owners[r->n_owners] = (struct recorder_owner){ .name = name };
	return &r->owners[r->n_owners++];
}

/* Counts BYTES of RUN as kept (SIGN 1) or no longer (-1). */
static void tally(struct recorder *r, const struct spool_run *run, size_t bytes, int sign)
{
	const char *owner = run->owner ? run->owner : "";
	r->retry_bytes = sign > 0 ? r->retry_bytes + bytes : r->retry_bytes - bytes;
	if (is_root(run))
		return;
	r->others_runs = sign > 0 ? r->others_runs + 1 : r->others_runs - 1;
	r->others_bytes = sign > 0 ? r->others_bytes + bytes : r->others_bytes - bytes;
	struct recorder_owner *o = owner_tally(r, owner, sign > 0);
	if (!o)
		return;   /* no memory for the tally: the owner's share goes uncounted */
	o->runs = sign > 0 ? o->runs + 1 : o->runs - 1;
	o->bytes = sign > 0 ? o->bytes + bytes : o->bytes - bytes;
	if (o->runs == 0) {   /* forgotten: the table holds only owners with runs kept */
		free(o->name);
		*o = r->owners[--r->n_owners];
	}
}

/* How many more runs, and bytes, RUN's owner may keep (recorder.h: root
 * the whole bounds, the others together three quarters, each an eighth). */
static void room_for(const struct recorder *r, const struct spool_run *run, size_t *runs,
                     size_t *bytes)
{
	const char *owner = run->owner;
	*runs = RECORDER_RETRY_MAX - r->n_retry;
	*bytes = RECORDER_RETRY_BYTES - r->retry_bytes;
	if (is_root(run))
		return;
	size_t o_runs = 0, o_bytes = 0;
	for (size_t i = 0; i < r->n_owners; i++) {
		if (strcmp(r->owners[i].name, owner) == 0) {
			o_runs = r->owners[i].runs;
			o_bytes = r->owners[i].bytes;
		}
	}
	size_t limits[4][2] = {
		{ RECORDER_RETRY_MAX / 4 * 3, r->others_runs },
		{ RECORDER_RETRY_MAX / 8, o_runs },
		{ RECORDER_RETRY_BYTES / 4 * 3, r->others_bytes },
		{ RECORDER_RETRY_BYTES / 8, o_bytes },
	};
	for (int i = 0; i < 4; i++) {
		size_t left = limits[i][0] > limits[i][1] ? limits[i][0] - limits[i][1] : 0;
		size_t *what = i < 2 ? runs : bytes;
		if (left < *what)
			*what = left;
	}
}

/* A run of OWNER that could not be kept: counted, for the next LOST line. */
static void count_lost(struct recorder *r, const char *owner)
{
	r->lost++;
	snprintf(r->lost_owner, sizeof(r->lost_owner), "%s", owner);
}

/* The LOST line, when runs were lost and the last one is old enough (or
 * NOW: at the close). */
static void log_lost(struct recorder *r, bool now)
{
	if (!r->lost || (!now && !log_every_allow(&r->lost_log, clock_mono_ns(),
	                                          RECORDER_LOST_LOG_EVERY_NS, NULL)))
		return;
	log_msg(LOG_ERR, "(crond) LOST (%llu run records lost: the spool could not take them, and "
	        "crond keeps no more of them or of their owner's; the last %s's)",
	        (unsigned long long)r->lost, r->lost_owner);
	r->lost = 0;
}

static void retry_free(struct recorder *r, struct recorder_retry *t)
{
	if (t->bytes)
		tally(r, &t->run, t->bytes, -1);
	free(t->owner);
	free(t->key);
	free(t->command);
	free(t->output);
	t->bytes = 0;
}

/* Keeps a copy of RUN (and at job AT_ID, or 0) to write again later, without
 * its output when that would take the kept bytes past RECORDER_RETRY_BYTES;
 * false when it cannot (a bound reached, or out of memory). */
static bool keep_retry(struct recorder *r, const struct spool_run *run, int64_t at_id)
{
	size_t texts = strlen(run->owner) + strlen(run->entry_key) + strlen(run->command) + 3;
	size_t room_runs, room_bytes;
	room_for(r, run, &room_runs, &room_bytes);
	if (room_runs == 0 || texts > room_bytes)
		return false;
	if (r->n_retry == r->cap_retry) {
		size_t ncap = r->cap_retry ? r->cap_retry * 2 : 16;
		struct recorder_retry *n = realloc(r->retry, ncap * sizeof(*n));
		if (!n)
			return false;
		r->retry = n;
		r->cap_retry = ncap;
	}
	struct recorder_retry t = { .run = *run, .at_id = at_id };
	if (texts + run->output_len > room_bytes) {
		t.run.output_len = 0;
		t.run.flags |= SPOOL_RUN_TRUNCATED;
	}
	t.owner = strdup(run->owner);
	t.key = strdup(run->entry_key);
	t.command = strdup(run->command);
	t.output = malloc(t.run.output_len ? t.run.output_len : 1);
	if (!t.owner || !t.key || !t.command || !t.output) {
		retry_free(r, &t);
		return false;
	}
	if (t.run.output_len)
		memcpy(t.output, run->output, t.run.output_len);
	t.bytes = texts + t.run.output_len;
	tally(r, run, t.bytes, 1);
	t.run.owner = t.owner;
	t.run.entry_key = t.key;
	t.run.command = t.command;
	t.run.output = t.output;
	t.run.node = NULL;
	r->retry[r->n_retry++] = t;
	return true;
}

/* Whether a write that failed with CODE may work later, unchanged: the
 * spool could not be reached, or its file system was full. */
static bool transient(int code)
{
	return code == SPOOL_IO || code == SPOOL_BUSY || code == SPOOL_FULL;
}

/* A record that could not be written: kept for later when the failure was
 * transient and there is room, else lost (counted for the LOST line). */
static void not_written(struct recorder *r, const struct spool_run *run, int64_t at_id, int code)
{
	if (transient(code) && keep_retry(r, run, at_id))
		return;
	count_lost(r, run->owner);
}

/* At job AT_ID was gone when its end came to be recorded (spool_at_finish:
 * SPOOL_NOT_FOUND). In a cluster that means another node took this one for
 * lost while the job ran (a pause, a partition): it deleted the job and
 * ended its record as interrupted, node lost. That record is RUN's own
 * (RUN->id), and the job's real result replaces the guess
 * (spool_history_end). A record already ended otherwise is left alone: an
 * earlier finish did commit after all (its answer was lost). Returns the
 * spool code; without a record id there is nothing to complete: SPOOL_OK. */
static int finish_reaped(struct recorder *r, const struct spool_run *run, int64_t at_id,
                         struct spool_err *e)
{
	if (!run->id)
		return SPOOL_OK;
	struct spool_history_filter f = { .entry_key = run->entry_key, .limit = 16, .brief = true };
	struct spool_run *v;
	size_t n;
	int rc = spool_history_query(r->sp, &f, &v, &n, e);
	if (rc != SPOOL_OK)
		return rc;
	const unsigned lost = SPOOL_RUN_INTERRUPTED | SPOOL_RUN_NODE_LOST;
	bool guessed = false;
	for (size_t i = 0; i < n; i++)
		if (v[i].id == run->id)
			guessed = (v[i].flags & SPOOL_RUN_RUNNING) || (v[i].flags & lost) == lost;
	spool_runs_free(v, n);
	if (!guessed)
		return SPOOL_OK;
	rc = spool_history_end(r->sp, run, 1, e);
	if (rc == SPOOL_OK)
		log_msg(LOG_NOTICE, "(%s) RECORDED (at job %lld was taken for lost with this node "
		        "while it ran; its own result replaces that record)", run->owner,
		        (long long)at_id);
	return rc;
}

/* Whether kept record T is written in pass PASS of flush_retry (root's
 * first, so that room for a few goes to the system's). */
static bool in_pass(const struct recorder_retry *t, int pass)
{
	return is_root(&t->run) == (pass == 0);
}

/* Writes the kept records again, root's first: the cron ones in
 * transactions of RECORDER_RETRY_BATCH, each at job with its finish. The
 * first failure that is one of reaching the spool ends the try: the rest
 * stay kept, untried. What fails otherwise is lost, and logged. */
static void flush_retry(struct recorder *r)
{
	struct spool_err e;
	struct spool_run *runs = calloc(RECORDER_RETRY_BATCH, sizeof(*runs));
	size_t *which = calloc(RECORDER_RETRY_BATCH, sizeof(*which));
	uint8_t *done = calloc(r->n_retry, 1);   /* 1 written or lost, 0 kept */
	if (!runs || !which || !done) {
		free(runs);
		free(which);
		free(done);
		return;
	}
	size_t before = r->n_retry;
	bool failing = false;
	for (int pass = 0; pass < 2 && !failing; pass++) {
		size_t n = 0;
		for (size_t i = 0; i <= r->n_retry && !failing; i++) {
			bool last = i == r->n_retry;
			if (!last && !r->retry[i].at_id && in_pass(&r->retry[i], pass)) {
				which[n] = i;
				runs[n++] = r->retry[i].run;
			}
			if (n == RECORDER_RETRY_BATCH || (last && n)) {
				int rc = spool_history_end(r->sp, runs, n, &e);
				failing = rc != SPOOL_OK && transient(rc);
				if (rc != SPOOL_OK && !failing)
					log_msg(LOG_ERR, "%zu kept run records lost: %s", n, e.msg);
				for (size_t k = 0; k < n && !failing; k++)
					done[which[k]] = 1;
				n = 0;
			}
		}
		for (size_t i = 0; i < r->n_retry && !failing; i++) {
			struct recorder_retry *t = &r->retry[i];
			if (!t->at_id || !in_pass(t, pass))
				continue;
			int rc = spool_at_finish(r->sp, t->at_id, &t->run, &e);
			if (rc == SPOOL_NOT_FOUND)   /* finished after all, or reaped */
				rc = finish_reaped(r, &t->run, t->at_id, &e);
			failing = rc != SPOOL_OK && transient(rc);
			if (rc != SPOOL_OK && !failing)
				log_msg(LOG_ERR, "(%s) the record of at job %lld was lost: %s",
				        t->run.owner, (long long)t->at_id, e.msg);
			if (!failing)
				done[i] = 1;
		}
	}
	size_t kept = 0;
	for (size_t i = 0; i < r->n_retry; i++) {
		if (done[i])
			retry_free(r, &r->retry[i]);
		else
			r->retry[kept++] = r->retry[i];
	}
	r->n_retry = kept;
	free(runs);
	free(which);
	free(done);
	if (failing)
		log_msg(LOG_ERR, "%zu run records not written: %s (kept, written again later)",
		        kept, e.msg);
	if (kept < before)
		log_msg(LOG_NOTICE, "(crond) RECORDED (%zu run records kept while the spool could "
		        "not take them are written%s)", before - kept,
		        kept ? "; the others are tried again later" : "");
}

int recorder_open(struct recorder *r, const char *spool_path, const char *node, char *err,
                  size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->path = strdup(spool_path);
	r->node = node != NULL && node[0] != '\0' ? strdup(node) : NULL;
	if (r->path == NULL || (node != NULL && node[0] != '\0' && r->node == NULL)) {
		free(r->path);
		free(r->node);
		r->path = r->node = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int64_t mono = clock_mono_ns();
	r->next_age_prune = mono + 60LL * 1000000000;
	r->next_count_prune = mono + 120LL * 1000000000;
	r->next_compact = INT64_MAX;
	r->retry_at = INT64_MAX;
	if (strstr(spool_path, "://") != NULL && recorder_spool(r) == NULL) {
		snprintf(err, errlen, "cannot open the supervisor's spool connection");
		recorder_close(r);
		return -1;
	}
	return 0;
}

struct spool *recorder_spool(struct recorder *r)
{
	if (r->sp != NULL || r->path == NULL)
		return r->sp;
	struct spool_err e;
	if (spool_open(r->path, 0, &r->sp, &e) != SPOOL_OK ||
	    (r->node != NULL && spool_set_node(r->sp, r->node, &e) != SPOOL_OK)) {
		spool_close(r->sp);
		log_msg(LOG_ERR, "supervisor: %s", e.msg);
		r->sp = NULL;
	}
	return r->sp;
}

void recorder_close(struct recorder *r)
{
	recorder_flush(r);
	free(r->started);
	free(r->finished);
	free(r->states);
	for (size_t i = 0; i < r->n_retry; i++)
		retry_free(r, &r->retry[i]);
	free(r->retry);
	for (size_t i = 0; i < r->n_owners; i++)   /* emptied by retry_free, but */
		free(r->owners[i].name);
	free(r->owners);
	log_lost(r, true);
	spool_close(r->sp);
	r->sp = NULL;
	free(r->path);
	free(r->node);
	r->path = r->node = NULL;
}

void recorder_started(struct recorder *r, struct job *j)
{
	if (j->run_id)
		return;   /* begun already, by its claim (crond/run/claim.h) */
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
	uint32_t bound = r->per_user ? r->per_user : r->per_entry;
	if (bound != 0 && ++r->since_count_prune >= bound)
		r->next_count_prune = 0;   /* due now (recorder.h) */
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
static void flush_starts(struct recorder *r, struct spool *sp)
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
	} else if (sp == NULL) {
		log_msg(LOG_ERR, "%zu runs not recorded as running: no spool connection", n);
	} else {
		for (size_t i = 0; i < n; i++) {
			job_record(jobs[i], &runs[i], keys[i], sizeof(keys[i]));
			/* nothing else is known yet */
			runs[i].flags &= SPOOL_RUN_CATCHUP | SPOOL_RUN_MANUAL;
		}
		if (spool_history_begin(sp, runs, n, ids, &e) != SPOOL_OK)
			log_msg(LOG_ERR, "%zu runs not recorded as running: %s", n, e.msg);
		else
			for (size_t i = 0; i < n; i++)
				jobs[i]->run_id = ids[i];
	}
	free(runs);
	free(keys);
	free(ids);
}

/* A line about records not written now, at most one per
 * RECORDER_LOST_LOG_EVERY_NS (a full spool fails every pass's write). */
static void log_not_written(struct recorder *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void log_not_written(struct recorder *r, const char *fmt, ...)
{
	unsigned held;
	if (!log_every_allow(&r->unwritten_log, clock_mono_ns(), RECORDER_LOST_LOG_EVERY_NS,
	                     &held))
		return;
	char line[SPOOL_ERR_MSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (held)
		log_msg(LOG_ERR, "%s; %u more such lines not logged", line, held);
	else
		log_msg(LOG_ERR, "%s", line);
}

/* Cron runs go to the history in one transaction; an at job is finished
 * together with its record (spool_at_finish), so a crash never separates
 * the two. Without a connection, everything is kept for later. True when
 * a write went through: the spool takes writes. */
static bool flush_history(struct recorder *r, struct spool *sp)
{
	bool wrote = false;
	struct spool_run *runs = calloc(r->n_finished, sizeof(*runs));
	char (*keys)[64] = calloc(r->n_finished, sizeof(*keys));
	struct spool_err e = NO_CONNECTION;
	size_t n = 0;
	if (!runs || !keys)
		log_msg(LOG_ERR, "out of memory: %zu run records lost", r->n_finished);
	for (size_t i = 0; runs && keys && i < r->n_finished; i++) {
		struct job *j = r->finished[i];
		if (j->kind == JOB_AT && j->have_at) {
			struct spool_run one;
			job_record(j, &one, keys[i], sizeof(keys[i]));
			int rc = sp ? spool_at_finish(sp, j->req->at_id, &one, &e) : SPOOL_IO;
			if (rc == SPOOL_NOT_FOUND && one.id)
				rc = finish_reaped(r, &one, j->req->at_id, &e);
			wrote |= rc == SPOOL_OK;
			if (rc != SPOOL_OK) {
				log_not_written(r, "at job %lld not finished in the spool: %s%s",
				                (long long)j->req->at_id, e.msg,
				                transient(e.code) ? " (tried again later)" : "");
				if (transient(e.code))
					not_written(r, &one, j->req->at_id, e.code);
			}
		} else {
			job_record(j, &runs[n++], keys[i], sizeof(keys[i]));
		}
	}
	if (n && (!sp || spool_history_end(sp, runs, n, &e) != SPOOL_OK)) {
		size_t before = r->n_retry;
		for (size_t i = 0; transient(e.code) && i < n; i++)
			not_written(r, &runs[i], 0, e.code);
		if (transient(e.code))
			log_not_written(r, "%zu run records not written: %s (%zu kept, written "
			                "again later)", n, e.msg, r->n_retry - before);
		else
			log_not_written(r, "%zu run records not written: %s", n, e.msg);
	} else if (n) {
		wrote = true;
	}
	free(runs);
	free(keys);
	for (size_t i = 0; i < r->n_finished; i++) {
		metrics_run_ended(r->metrics, r->finished[i]);
		job_free(r->finished[i]);
	}
	r->n_finished = 0;
	return wrote;
}

/* Writes the catch-up state collected, or keeps it for the next try when
 * the spool cannot take it now (or HOLD: it is kept already, not to be
 * tried again yet). */
static void flush_states(struct recorder *r, struct spool *sp, bool hold)
{
	if (hold)
		return;
	struct spool_err e = NO_CONNECTION;
	if (sp && spool_state_set(sp, r->states, r->n_states, &e) == SPOOL_OK)
		e.code = SPOOL_OK;
	if (e.code != SPOOL_OK && transient(e.code)) {
		if (!r->states_kept)   /* said once, not at every flush */
			log_msg(LOG_ERR, "catch-up state of %zu entries not written: %s (kept, "
			        "written again later)", r->n_states, e.msg);
		r->states_kept = true;
		return;
	}
	if (e.code != SPOOL_OK)
		log_msg(LOG_ERR, "catch-up state not written: %s", e.msg);
	else if (r->states_kept)
		log_msg(LOG_NOTICE, "(crond) RECORDED (catch-up state of %zu entries kept while the "
		        "spool could not take it is written)", r->n_states);
	r->states_kept = false;
	for (size_t i = 0; i < r->n_states; i++)
		free((void *)(uintptr_t)r->states[i].key);
	r->n_states = 0;
}

void recorder_flush(struct recorder *r)
{
	if (!r->n_started && !r->n_finished && !r->n_states && !r->n_retry && !r->lost)
		return;
	struct spool *sp = recorder_spool(r);
	if (!sp && !r->path)
		return;   /* closed */
	/* What is kept is tried again when its time comes, not at every pass
	 * (a full spool would cost a failed transaction of all of it per
	 * pass), or at once when a new write goes through. What ends is
	 * always tried: a short failure must not keep the records after it
	 * from the spool, nor crowd them out of what is kept. */
	int64_t mono = clock_mono_ns();
	bool due = mono >= r->retry_at;
	if (sp && r->n_retry && due)
		flush_retry(r);
	if (r->n_started)
		flush_starts(r, sp);
	if (r->n_finished && flush_history(r, sp) && !due) {
		due = true;   /* the spool takes writes again */
		if (r->n_retry)
			flush_retry(r);
	}
	if (r->n_states)
		flush_states(r, sp, r->states_kept && !due);
	if (!r->n_retry && !r->states_kept)
		r->retry_at = INT64_MAX;
	else if (due || r->retry_at == INT64_MAX)
		r->retry_at = mono + RECORDER_RETRY_EVERY_NS;
	log_lost(r, false);
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
	int64_t next = r->next_compact < r->retry_at ? r->next_compact : r->retry_at;
	if (r->lost && r->lost_log.next_mono < next)
		next = r->lost_log.next_mono;   /* the LOST line */
	if (r->dirty && r->next_age_prune < next)
		next = r->next_age_prune;
	if (r->dirty && r->next_count_prune < next)
		next = r->next_count_prune;
	return next;
}

/* Starts compacting when the free pages are worth it (STEP 0: only looks),
 * or gives back one step's and goes on while a step's are left. */
static void compact(struct recorder *r, struct spool *sp, unsigned step, int64_t mono)
{
	struct spool_space space;
	struct spool_err e;
	r->next_compact = INT64_MAX;
	if (spool_compact(sp, step, &space, &e) != 0) {
		log_msg(LOG_WARNING, "spool compaction: %s", e.msg);
		return;
	}
	bool go_on = step ? space.free_pages >= RECORDER_COMPACT_STEP
	                  : space.free_pages >= RECORDER_COMPACT_MIN &&
	                    space.free_pages >= space.pages / 4;
	if (space.can_compact && go_on)
		r->next_compact = mono + PRUNE_AGAIN_SOON_NS;
}

void recorder_prune_step(struct recorder *r, int64_t now_ns)
{
	int64_t mono = clock_mono_ns();
	if (mono >= r->next_compact) {
		struct spool *sp = recorder_spool(r);
		if (sp)
			compact(r, sp, RECORDER_COMPACT_STEP, mono);
	}
	if (!r->dirty)
		return;
	struct spool *sp = recorder_spool(r);
	if (!sp)
		return;
	struct spool_err e;
	size_t deleted = 0;
	bool more = false;
	if (mono >= r->next_age_prune) {
		r->next_age_prune = mono + RECORDER_PRUNE_EVERY_NS;
		if (r->history_days) {
			int64_t before = now_ns / 1000000 - (int64_t)r->history_days * 86400 * 1000;
			if (spool_history_prune_age(sp, before, RECORDER_PRUNE_BATCH, &deleted, &e) != 0)
				log_msg(LOG_WARNING, "history prune: %s", e.msg);
			else if (deleted == RECORDER_PRUNE_BATCH)
				r->next_age_prune = mono + PRUNE_AGAIN_SOON_NS, more = true;
		}
	}
	if (mono >= r->next_count_prune) {
		r->next_count_prune = mono + RECORDER_COUNT_PRUNE_EVERY_NS;
		r->since_count_prune = 0;
		if (r->per_entry) {
			if (spool_history_prune_count(sp, r->per_entry, RECORDER_PRUNE_BATCH, &deleted,
			                              &e) != 0)
				log_msg(LOG_WARNING, "history prune: %s", e.msg);
			else if (deleted == RECORDER_PRUNE_BATCH)
				r->next_count_prune = mono + PRUNE_AGAIN_SOON_NS, more = true;
		}
		if (r->per_user) {
			if (spool_history_prune_user_count(sp, r->per_user, RECORDER_PRUNE_BATCH,
			                                   &deleted, &e) != 0)
				log_msg(LOG_WARNING, "history prune: %s", e.msg);
			else if (deleted == RECORDER_PRUNE_BATCH)
				r->next_count_prune = mono + PRUNE_AGAIN_SOON_NS, more = true;
		}
		/* The prunes have run since the last record and neither has more
		 * to do: sleep until something is recorded again, once the free
		 * pages they left, if worth it, are given back. */
		if (!more) {
			r->dirty = false;
			if (r->next_compact == INT64_MAX)
				compact(r, sp, 0, mono);
		}
	}
}
