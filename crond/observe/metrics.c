/* crond/observe/metrics.c: the per-entry series and the write schedule (see
 * metrics.h; the text itself is metrics_text.c). */
#include "crond/observe/metrics.h"
#include "crond/observe/metrics_series.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "crond/clock.h"
#include "crond/crond.h"
#include "crond/run/job.h"
#include "crond/log.h"
#include "crond/run/runreq.h"
#include "lib/fnv.h"
#include "lib/source_name.h"

#define NS 1000000000LL

int metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->buckets = calloc(METRICS_BUCKETS, sizeof(*m->buckets));
	if (!m->buckets)
		return -1;
	m->dirty = true;   /* the first write shows the gauges at once */
	return 0;
}

static void series_free(struct metrics_series *s)
{
	snapshot_fate_unref(s->fate);
	free(s);
}

void metrics_free(struct metrics *m)
{
	metrics_writer_abandon(&m->writer);
	if (!m->buckets)
		return;
	for (size_t b = 0; b < METRICS_BUCKETS; b++) {
		struct metrics_series *s = m->buckets[b];
		while (s) {
			struct metrics_series *next = s->next;
			series_free(s);
			s = next;
		}
	}
	free(m->buckets);
	m->buckets = NULL;
	m->n_series = m->n_system = 0;
	for (size_t i = 0; i < m->n_owners; i++)
		free(m->owners[i].name);
	free(m->owners);
	m->owners = NULL;
	m->n_owners = m->cap_owners = 0;
}

bool metrics_run_of_job(const struct job *j, struct metrics_run *run)
{
	if (j->kind == JOB_MAIL || !j->req)
		return false;
	const struct run_request *r = j->req;
	memset(run, 0, sizeof(*run));
	run->cron = j->kind == JOB_CRON && r->kind == DUE_CRON && r->entry_key;
	if (run->cron) {
		run->key = r->entry_key;
		run->source = r->source;
		run->user = r->user;
		run->command = r->command;
		run->snap = r->snap;
		run->entry_index = r->entry_index;
	}
	/* RANDOM_DELAY moves a run anywhere in its window on purpose: late
	 * counts from the window's end. */
	int64_t window = 0;
	if (run->cron && r->snap && r->entry_index < r->snap->tab.n_entries) {
		const struct crontab_entry *e = &r->snap->tab.entries[r->entry_index];
		run->line = e->line;
		if (e->options < r->snap->tab.n_options)
			window = (int64_t)r->snap->tab.options[e->options].random_delay * 60;
	}
	if (j->skipped)
		run->outcome = METRICS_SKIPPED;
	else if (j->interrupted)
		run->outcome = METRICS_INTERRUPTED;
	else if (j->timed_out)
		run->outcome = METRICS_TIMEOUT;
	else if (!j->start_failed && j->wstatus == 0)
		run->outcome = METRICS_SUCCESS;
	else
		run->outcome = METRICS_FAILURE;
	run->started = !j->skipped;
	if (!run->started)
		return true;
	run->start_s = (double)j->start_ns / 1e9;
	run->duration_s = j->end_mono > j->start_mono ? (double)(j->end_mono - j->start_mono) / 1e9
	                                              : 0.0;
	run->exit_status = WIFSIGNALED(j->wstatus) ? 128 + WTERMSIG(j->wstatus)
	                                           : WEXITSTATUS(j->wstatus);
	/* Batch jobs wait for the load by design: never late. */
	bool batch = r->kind == DUE_AT && (r->queue == 'b' || (r->queue >= 'A' && r->queue <= 'Z'));
	run->late = !batch && r->scheduled > 0 &&
	            j->start_ns / NS - r->scheduled - window > METRICS_LATE_S;
	return true;
}

static struct metrics_series *find(const struct metrics *m, const char *key, uint64_t h)
{
	for (struct metrics_series *s = m->buckets[h & (METRICS_BUCKETS - 1)]; s; s = s->next)
		if (s->hash == h && strcmp(s->key, key) == 0)
			return s;
	return NULL;
}

/* The owner (1 + index in m->owners) of RUN's crontab, added if new; 0 for
 * root's crontab and the system crontabs; -1 when out of memory. */
static long owner_of(struct metrics *m, const struct metrics_run *run)
{
	const char *owner = run->source ? source_name_owner(run->source) : NULL;
	if (!owner || strcmp(owner, "root") == 0)
		return 0;
	for (size_t i = 0; i < m->n_owners; i++)
		if (strcmp(m->owners[i].name, owner) == 0)
			return (long)i + 1;
	if (m->n_owners == m->cap_owners) {
		size_t ncap = m->cap_owners ? m->cap_owners * 2 : 16;
		struct metrics_owner *n = realloc(m->owners, ncap * sizeof(*n));
		if (!n)
			return -1;
		m->owners = n;
		m->cap_owners = ncap;
	}
	char *name = strdup(owner);
	if (!name)
		return -1;
	m->owners[m->n_owners] = (struct metrics_owner){ name, 0 };
	return (long)++m->n_owners;
}

/* Whether RUN's entry may have a series of its own (OWNER: owner_of's). */
static bool room_for(struct metrics *m, long owner)
{
	bool room = owner == 0 ? m->n_system < METRICS_MAX_ENTRIES
	                       : m->n_series - m->n_system < METRICS_MAX_ENTRIES &&
	                         m->owners[owner - 1].n_series < METRICS_MAX_PER_USER;
	if (room)
		return true;
	m->totals.over_cap++;
	if (!m->over_cap_logged)
		log_msg(LOG_WARNING, "metrics: no room for more series (%d for root's and the system"
		        " crontabs, %d for the other users', %d of them for one user); runs of further"
		        " entries are counted in the totals only", METRICS_MAX_ENTRIES,
		        METRICS_MAX_ENTRIES, METRICS_MAX_PER_USER);
	m->over_cap_logged = true;
	return false;
}

static struct metrics_series *add(struct metrics *m, const struct metrics_run *run, uint64_t h)
{
	long owner = owner_of(m, run);
	if (owner < 0) {
		log_msg(LOG_ERR, "metrics: out of memory for the series of %s", run->key);
		return NULL;
	}
	if (!room_for(m, owner))
		return NULL;
	size_t klen = strlen(run->key);
	struct metrics_series *s = calloc(1, sizeof(*s) + klen + 1);
	if (!s) {
		log_msg(LOG_ERR, "metrics: out of memory for the series of %s", run->key);
		return NULL;
	}
	memcpy(s->key, run->key, klen + 1);
	s->hash = h;
	s->owner = (uint32_t)owner;
	if (owner)
		m->owners[owner - 1].n_series++;
	else
		m->n_system++;
	const char *colon = strrchr(run->key, ':');
	metrics_label_copy(colon ? colon + 1 : run->key, 16, s->entry, sizeof(s->entry));
	size_t b = h & (METRICS_BUCKETS - 1);
	s->next = m->buckets[b];
	m->buckets[b] = s;
	m->n_series++;
	return s;
}

void metrics_note(struct metrics *m, const struct metrics_run *run, int64_t mono)
{
	m->dirty = true;
	m->totals.runs[run->outcome]++;
	if (run->outcome == METRICS_SKIPPED)
		m->totals.skipped++;
	if (run->late)
		m->totals.late++;
	if (!run->cron)
		return;
	uint64_t h = fnv1a_str(run->key);
	struct metrics_series *s = find(m, run->key, h);
	if (!s && !(s = add(m, run, h)))
		return;
	metrics_label_copy(run->user ? run->user : "", METRICS_LABEL_MAX, s->user, sizeof(s->user));
	metrics_label_copy(run->source ? run->source : "", METRICS_SOURCE_MAX, s->source,
	                   sizeof(s->source));
	/* The file is world-readable (node_exporter reads it) and a user's
	 * crontab is private, as in its spool: only the system crontabs' commands
	 * (world-readable files) are shown. */
	bool private = run->source == NULL || source_name_owner(run->source) != NULL;
	metrics_label_copy(run->command && !private ? run->command : "", METRICS_LABEL_MAX,
	                   s->command, sizeof(s->command));
	s->line = run->line;
	struct snapshot_fate *fate = run->snap ? run->snap->fate : NULL;
	if (fate != s->fate) {
		snapshot_fate_unref(s->fate);
		s->fate = fate ? snapshot_fate_ref(fate) : NULL;
	}
	s->entry_index = run->entry_index;
	s->last_run_mono = mono;
	s->runs[run->outcome]++;
	if (run->started) {
		s->have_last = true;
		s->last_start_s = run->start_s;
		s->last_duration_s = run->duration_s;
		s->last_exit = run->exit_status;
	}
}

void metrics_run_ended(struct metrics *m, const struct job *j)
{
	struct metrics_run run;
	if (m && m->buckets && metrics_run_of_job(j, &run))   /* not after metrics_free */
		metrics_note(m, &run, clock_mono_ns());
}

static void unlink_series(struct metrics *m, struct metrics_series *victim)
{
	struct metrics_series **p = &m->buckets[victim->hash & (METRICS_BUCKETS - 1)];
	while (*p != victim)
		p = &(*p)->next;
	*p = victim->next;
	/* A pool that was full has room again: say so again when it fills,
	 * not at every removal (a user at the cap editing their crontab) */
	bool was_full = victim->owner ? m->owners[victim->owner - 1].n_series >= METRICS_MAX_PER_USER ||
	                                m->n_series - m->n_system >= METRICS_MAX_ENTRIES
	                              : m->n_system >= METRICS_MAX_ENTRIES;
	if (victim->owner)
		m->owners[victim->owner - 1].n_series--;
	else
		m->n_system--;
	series_free(victim);
	m->n_series--;
	if (was_full)
		m->over_cap_logged = false;
}

/* A removed entry's series goes. A series whose crontab is freed (the
 * scheduler let go of it: replaced or removed) while its entry stayed
 * detaches from it: its flags are final. */
void metrics_prune(struct metrics *m, int64_t mono)
{
	for (size_t b = 0; b < METRICS_BUCKETS && m->n_series; b++) {
		struct metrics_series *s = m->buckets[b];
		while (s) {
			struct metrics_series *next = s->next;
			if (s->fate) {
				/* final first: the flags read after it are final too */
				bool final = snapshot_fate_final(s->fate);
				if (snapshot_fate_cancelled(s->fate, s->entry_index)) {
					unlink_series(m, s);
				} else if (final) {
					snapshot_fate_unref(s->fate);
					s->fate = NULL;
				}
			} else if (mono - s->last_run_mono > (int64_t)METRICS_DETACHED_TTL_S * NS) {
				unlink_series(m, s);
			}
			s = next;
		}
	}
}

int64_t metrics_next_write(const struct metrics *m)
{
	if (!m->dirty || !m->path[0])
		return INT64_MAX;
	return m->last_write_mono ? m->last_write_mono + METRICS_WRITE_EVERY_NS : 0;
}

/* A write failed (ERR): logged once until a write succeeds again. */
static void write_failed(struct metrics *m, const char *err)
{
	m->totals.writes--;
	if (!m->fail_logged)
		log_msg(LOG_WARNING, "metrics: %s", err);
	m->fail_logged = true;
}

/* A step of the write under way; the outcome logged. */
static void write_step(struct metrics *m, size_t max_lines)
{
	char err[1200];
	int rc = metrics_writer_step(&m->writer, m, max_lines, err, sizeof(err));
	if (rc == 0)
		return;
	if (rc < 0) {
		write_failed(m, err);
		return;
	}
	if (m->fail_logged)
		log_msg(LOG_NOTICE, "metrics: %s written again", m->path);
	m->fail_logged = false;
}

/* Drops the write under way: what it had to show is still to be written. */
static void abandon_write(struct metrics *m)
{
	if (!m->writer.f)
		return;
	metrics_writer_abandon(&m->writer);
	m->totals.writes--;
	m->dirty = true;
}

void metrics_tick(struct metrics *m, const char *path, const struct metrics_gauges *g,
                  int64_t mono, bool force)
{
	if (memcmp(g, &m->totals.gauges, sizeof(*g)) != 0) {
		m->totals.gauges = *g;
		m->dirty = true;
	}
	if (strcmp(path, m->path) != 0) {
		abandon_write(m);
		snprintf(m->path, sizeof(m->path), "%s", path);
		m->dirty = true;
		m->fail_logged = false;
	}
	if (m->writer.f) {
		if (!force) {
			write_step(m, METRICS_STEP_LINES);
			return;
		}
		abandon_write(m);   /* at stop: the whole file as it is now */
	}
	if (!m->path[0]) {
		/* No file, but the series still hold their crontabs: let go of
		 * replaced and removed ones as often as a file would be written. */
		if (m->n_series && (!m->last_prune_mono ||
		                    mono >= m->last_prune_mono + METRICS_WRITE_EVERY_NS)) {
			metrics_prune(m, mono);
			m->last_prune_mono = mono;
		}
		return;
	}
	if (!m->dirty)
		return;
	if (!force && m->last_write_mono && mono < m->last_write_mono + METRICS_WRITE_EVERY_NS)
		return;
	metrics_prune(m, mono);
	m->last_write_mono = mono;
	m->dirty = false;   /* a failure is not retried before the next change */
	m->totals.writes++;
	char err[1200];
	if (metrics_writer_open(&m->writer, m, m->path, err, sizeof(err)) < 0) {
		write_failed(m, err);
		return;
	}
	write_step(m, force ? SIZE_MAX : METRICS_STEP_LINES);
}

bool metrics_writing(const struct metrics *m)
{
	return m->writer.f != NULL;
}

void metrics_timer_counts(struct crond *c, size_t entries, size_t at_jobs, bool wanted)
{
	size_t old_entries = atomic_exchange(&c->entries, entries);
	size_t old_at = atomic_exchange(&c->at_jobs, at_jobs);
	if (!wanted || (old_entries == entries && old_at == at_jobs))
		return;
	struct run_request *r = runreq_sweep();
	if (r)
		mailbox_post(&c->super_box, &r->link);
	/* else: the gauges show at the next write */
}
