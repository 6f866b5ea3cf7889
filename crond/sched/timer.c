/* crond/sched/timer.c: the timer thread (see timer.h).
 *
 * DESIGN: runs in its own thread, started by main once the schedule is
 * loaded. Owns: the scheduler, the system-crontab watcher, a private copy of
 * the configuration (refreshed when cfg_gen changes), the timerfd. Reads its
 * mailbox (timer_box) for schedule changes from the control and signal
 * threads; posts run requests to the supervisor's mailbox (super_box), the
 * runs due at one instant as one list (mailbox_post_list: admitted together),
 * and SUPER_SWEEP when a crontab change cancelled entries. No lock is held
 * while it sleeps or works; the only shared data it writes are the status
 * atomics in struct crond and the atomic "cancelled" flags of the crontab
 * snapshots that run requests share (crond/run/snapshot.h).
 *
 * Each wake: apply messages, measure how far the wall clock moved against
 * the monotonic clock (a difference means the clock was set: see
 * timejump.h), hand everything due to the supervisor, re-arm the timerfd at
 * the next due instant, sleep.
 */
#include "crond/sched/timer.h"
#include "crond/sched/batch_share.h"
#include "crond/sched/timer_batch.h"
#include "crond/sched/timer_hold.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "crond/log.h"
#include "crond/ownerlog.h"
#include "crond/control/runclient.h"
#include "crond/observe/metrics.h"
#include "crond/run/runreq.h"
#include "crond/sched/scheduler.h"
#include "crond/sched/syscron.h"
#include "lib/source_name.h"
#include "lib/timefmt.h"

#define NS 1000000000LL
#define RELOAD_SETTLE_NS (200 * 1000000LL)  /* let an editor finish writing */
#define LINK_RECHECK_NS (60 * NS)            /* system crontabs read through a
                                                symbolic link: looked at again
                                                (on the daemon's clock) */
#define BATCH_RETRY_MIN 5                   /* seconds between load checks */
#define DRAIN_SLICE_NS (20 * 1000000LL)     /* a batch of changes this long lets
                                               due runs go between its changes,
                                               and between the steps of one */
#define PLAN_STEP 64                        /* entries planned between looks at
                                               what fell due (scheduler.h) */
#define TRIM_AFTER_DROPPED 10000            /* entries let go between heap trims */
#define TRIM_AGAIN_NS (90 * NS)             /* the trim after, for runs' leftovers */

struct timer {
	struct crond *c;
	struct scheduler *sched;
	struct syscron *sys;
	struct config cfg;
	unsigned cfg_gen;
	int tfd;
	int ifd;
	int64_t last_now_ns, last_mono_ns;
	int64_t reload_at_ns;       /* monotonic; 0 = none pending */
	int64_t last_batch_start;   /* seconds */
	struct batch_share batch_share; /* whose batch job gets the next slot */
	struct due *dues;           /* collected by the emit callback */
	size_t n_dues, cap_dues;
	uint64_t cancelled_seen;    /* the scheduler's cancelled count last told */
	uint64_t dropped_trimmed;   /* the scheduler's dropped count at the last trim */
	int64_t trim_again_ns;      /* monotonic: trim once more at a wake after; 0 = no */
	struct resync resync;       /* changes from the cluster, applied once */
	struct ownerlog run_log;    /* RUN lines (crontab --run), per owner */
	struct timer_holds holds;   /* owners whose changes cost the timer dear,
	                               and their messages held (timer_hold.h) */
	int64_t drain_start_ns;     /* monotonic: when this wake's drain began */
	int64_t handed_cpu_ns;      /* thread CPU spent handing on due runs during
	                               the drain (not charged to a change) */
	bool stop;
};

static void collect(void *ctx, const struct due *d)
{
	struct timer *t = ctx;
	if (t->n_dues == t->cap_dues) {
		size_t ncap = t->cap_dues ? t->cap_dues * 2 : 64;
		struct due *n = realloc(t->dues, ncap * sizeof(*n));
		if (!n) {
			log_msg(LOG_ERR, "out of memory: a run due at %lld was lost",
			        (long long)d->scheduled);
			return;
		}
		t->dues = n;
		t->cap_dues = ncap;
	}
	t->dues[t->n_dues++] = *d;
}

/* An at job of queue b or an upper-case queue: it waits for the batch slot. */
static bool is_batch(const struct due *d)
{
	return d->kind == DUE_AT && (d->queue == 'b' || (d->queue >= 'A' && d->queue <= 'Z'));
}

/* The 1-minute load average from the configured file, or -1 if unreadable. */
static double read_load(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	double load = -1;
	if (fscanf(f, "%lf", &load) != 1)
		load = -1;
	fclose(f);
	return load;
}

/* Whether the batch slot is free now: the batch interval passed and the
 * load allows. *RETRY gets when to look again otherwise. */
static bool batch_slot_free(struct timer *t, int64_t now, int64_t *retry)
{
	int64_t next_slot = t->last_batch_start + t->cfg.batch_interval;
	double load = read_load(t->cfg.loadavg_file);
	if (load < 0)
		log_msg(LOG_WARNING, "cannot read the load average from %s; starting batch jobs anyway",
		        t->cfg.loadavg_file);
	*retry = now + BATCH_RETRY_MIN;
	if (t->last_batch_start && next_slot > *retry)
		*retry = next_slot;
	return !((t->last_batch_start && now < next_slot) || load >= t->cfg.batch_load);
}

/* batch_choice: every due batch job starts (batch_interval 0). */
#define BATCH_ALL (SIZE_MAX - 1)

/* The due batch job that starts now, or SIZE_MAX: at most one, when the
 * load and the batch interval allow, chosen by owner (batch_share.h); the
 * other due batch jobs are re-armed for a later look. With a batch
 * interval of 0, BATCH_ALL when the load allows. */
static size_t batch_choice(struct timer *t, int64_t now)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < t->n_dues; i++) {
		const struct due *d = &t->dues[i];
		if (!is_batch(d))
			continue;
		if (best == SIZE_MAX ||
		    batch_share_before(&t->batch_share,
		                       (struct batch_share_job){ d->at_uid, d->at_id },
		                       (struct batch_share_job){ t->dues[best].at_uid,
		                                                 t->dues[best].at_id }))
			best = i;
	}
	if (best == SIZE_MAX)
		return SIZE_MAX;
	int64_t retry;
	bool free_now = batch_slot_free(t, now, &retry);
	if (free_now && t->cfg.batch_interval == 0) {
		t->last_batch_start = now;
		return BATCH_ALL;
	}
	if (free_now) {
		t->last_batch_start = now;
		batch_share_started(&t->batch_share, t->dues[best].at_uid, now);
		/* the others: at the next slot */
		retry = now + (t->cfg.batch_interval > BATCH_RETRY_MIN ? t->cfg.batch_interval
		                                                       : BATCH_RETRY_MIN);
	} else {
		best = SIZE_MAX;
	}
	for (size_t i = 0; i < t->n_dues; i++) {
		const struct due *d = &t->dues[i];
		if (i != best && is_batch(d) &&
		    scheduler_add_at(t->sched, d->at_id, d->queue, d->at_uid, retry) < 0)
			log_msg(LOG_ERR, "out of memory: batch job %lld not re-armed", (long long)d->at_id);
	}
	return best;
}

static void dispatch(struct timer *t, int64_t now)
{
	struct mailbox_item *first = NULL, *last = NULL;
	size_t batch = batch_choice(t, now);
	for (size_t i = 0; i < t->n_dues; i++) {
		const struct due *d = &t->dues[i];
		if (is_batch(d) && i != batch && batch != BATCH_ALL)
			continue;   /* re-armed */
		/* Sources cannot change while we are here (only this thread
		 * changes them), so the pointers in D are still good. */
		struct run_request *r = runreq_from_due(d);
		if (!r) {
			log_msg(LOG_ERR, "out of memory: a run due at %lld was lost", (long long)d->scheduled);
			continue;
		}
		if (last)
			last->next = &r->link;
		else
			first = &r->link;
		last = &r->link;
	}
	mailbox_post_list(&t->c->super_box, first, last);   /* one instant, one batch */
	t->n_dues = 0;
}

/* Tells the supervisor when entries were cancelled (a crontab removed or
 * replaced), so their waiting runs are dropped and recorded now rather
 * than when they would start. Should the message be lost (no memory), the
 * supervisor still checks each run before it starts it. */
static void notify_cancelled(struct timer *t)
{
	struct scheduler_stats st;
	scheduler_stats(t->sched, &st);
	if (st.cancelled == t->cancelled_seen)
		return;
	t->cancelled_seen = st.cancelled;
	struct run_request *r = runreq_sweep();
	if (!r) {
		log_msg(LOG_ERR, "out of memory: cancelled runs are dropped when they would start");
		return;
	}
	mailbox_post(&t->c->super_box, &r->link);
}

static void log_status(struct timer *t)
{
	struct scheduler_stats st;
	scheduler_stats(t->sched, &st);
	char next[TIMEFMT_RFC3339_LEN] = "none";
	if (st.next_due != INT64_MAX)
		timefmt_rfc3339(t->c->local_zone, st.next_due, next, sizeof(next));
	log_msg(LOG_INFO, "(*system*) STATUS (sources=%zu entries=%zu at_jobs=%zu running=%zu "
	        "queued=%zu next=%s)", st.sources, st.entries, st.at_jobs,
	        atomic_load(&t->c->jobs_running), atomic_load(&t->c->jobs_queued), next);
}

/* When (monotonic) to look at the system crontabs again: a minute on the
 * daemon's clock from now if one is read through a symbolic link, else 0
 * (never: inotify sees every change). */
static int64_t link_recheck_at(const struct timer *t)
{
	if (!syscron_follows_links(t->sys))
		return 0;
	const struct crond_clock *clock = &t->c->clock;
	return clock_mono_ns() + clock_real_delay_ns(clock, clock_now_ns(clock) + LINK_RECHECK_NS);
}

/* Reloads the system crontabs (all when FORCE, else what changed), and
 * arms the next look if one is read through a symbolic link. */
static void reload_system(struct timer *t, int64_t now, bool force)
{
	syscron_reload(t->sys, &t->cfg, t->sched, now, force);
	t->reload_at_ns = link_recheck_at(t);
}

static void refresh_config(struct timer *t, bool force_reload, int64_t now)
{
	unsigned gen = atomic_load(&t->c->cfg_gen);
	bool changed = gen != t->cfg_gen;
	if (changed)
		t->cfg_gen = crond_config_copy(t->c, &t->cfg);
	/* SIGHUP watches again too: whatever became of cron.d meanwhile. */
	if (changed || force_reload) {
		t->ifd = syscron_watch(t->sys, &t->cfg);
		reload_system(t, now, true);
	}
}

/* ------------------------------------------------ crontab --run */

/* How SOURCE is named to the one who asked (ASKER). */
static void source_words(const struct sched_source *src, const char *name, const char *asker,
                         char *buf, size_t len)
{
	const char *owner = src ? src->owner : source_name_owner(name);
	if (owner && strcmp(owner, asker) == 0)
		snprintf(buf, len, "your crontab");
	else if (owner)
		snprintf(buf, len, "%s's crontab", owner);
	else
		snprintf(buf, len, "%s", name);
}

/* Why line LINE of SRC is not an entry, with the lines that are. */
static void not_an_entry(const struct sched_source *src, uint32_t line, const char *what,
                         char *buf, size_t len)
{
	const struct crontab *tab = src->tab;
	const char *skipped = crontab_skipped_why(tab, (int)line);
	if (skipped) {
		snprintf(buf, len, "line %u of %s is an entry crond skips: %s; crontab refuses it "
		         "at install", line, what, skipped);
		return;
	}
	for (size_t i = 0; i < tab->n_env; i++) {
		if (tab->env[i].line == line) {
			snprintf(buf, len, "line %u of %s is an assignment (%.40s=...), not an entry",
			         line, what, tab->env[i].name);
			return;
		}
	}
	int n = snprintf(buf, len, "line %u of %s is not an entry (a blank line, a comment, or "
	                 "past the end)", line, what);
	if (tab->n_entries == 0) {
		snprintf(buf + n, len - (size_t)n, "; it has no entries");
		return;
	}
	n += snprintf(buf + n, len - (size_t)n, "; entries are on line%s",
	              tab->n_entries > 1 ? "s" : "");
	for (size_t i = 0; i < tab->n_entries && i < 12 && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, "%s %u", i ? "," : "", tab->entries[i].line);
	if (tab->n_entries > 12 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", ...");
}

/* The client of a run that cannot run gets ERR through the supervisor
 * (the only thread that writes to it). */
static void refuse_run(struct timer *t, struct run_client *cl, enum msg_error code,
                       const char *err)
{
	runclient_error(cl, code, "%s", err);
	struct run_request *r = runreq_client(cl);
	if (!r) {
		log_msg(LOG_ERR, "out of memory answering crontab --run");
		runclient_free(cl);
		return;
	}
	mailbox_post(&t->c->super_box, &r->link);
}

/* TIMER_RUN: a manual run of entry M->line of M->source, built as a
 * scheduled run's request is (runreq_from_due), due now. */
static void run_entry(struct timer *t, struct timer_msg *m, int64_t now)
{
	struct run_client *cl = m->client;
	m->client = NULL;
	const struct sched_source *src = scheduler_find_source(t->sched, m->source);
	char what[300], err[512];
	source_words(src, m->source, cl->asker, what, sizeof(what));
	if (!src) {
		const char *owner = source_name_owner(m->source);
		snprintf(err, sizeof(err), "%s %s", owner ? "crond has no crontab installed for"
		         : "crond has no system crontab", owner ? owner : m->source);
		refuse_run(t, cl, MSGE_NOT_FOUND, err);
		return;
	}
	const struct crontab *tab = src->tab;
	size_t i = 0;
	while (i < tab->n_entries && tab->entries[i].line != m->line)
		i++;
	if (i == tab->n_entries) {
		not_an_entry(src, m->line, what, err, sizeof(err));
		refuse_run(t, cl, MSGE_NOT_FOUND, err);
		return;
	}
	struct due d = { .kind = DUE_CRON, .scheduled = now, .source = src,
		         .entry = &tab->entries[i], .entry_index = i };
	struct run_request *r = runreq_from_due(&d);
	if (!r) {
		refuse_run(t, cl, MSGE_INTERNAL, "crond is out of memory");
		return;
	}
	runreq_make_manual(r, cl);
	ownerlog_event(&t->run_log, r->user, "RUN", clock_now_ns(&t->c->clock),
	               "line %u of %s by hand, asked by %s: %.200s", m->line, m->source, cl->asker,
	               r->command);
	mailbox_post(&t->c->super_box, &r->link);
}

/* TIMER_AT_SYNC: the waiting at jobs, as another node may have changed them. */
static void at_sync(struct timer *t, const struct timer_msg *m)
{
	size_t added, removed;
	if (resync_at_apply(&t->resync, t->sched, m->at_list, m->n_at, &added, &removed) < 0)
		log_msg(LOG_ERR, "out of memory: at jobs not resynced (the next resync retries)");
	if (added || removed)
		log_msg(LOG_DEBUG, "(crond) RESYNC (at jobs: %zu armed, %zu disarmed)", added, removed);
}

static void msg_free(struct timer_msg *m)
{
	crontab_free(&m->tab);
	free(m->at_list);
	runclient_free(m->client);
	free(m->source);
	free(m->owner);
	free(m);
}

static void hand_on_due(struct timer *t);

/* TIMER_SET_CRONTAB: M's crontab planned in steps of PLAN_STEP entries,
 * with whatever falls due meanwhile handed on between them (hand_on_due):
 * 5,000 entries in a zone's gap cost the timer 0.1 s on a quiet machine,
 * half a second and several of wall time on a slow one in CI, where root's
 * run waited for the whole change (hardening_gap_churn). */
static int set_crontab(struct timer *t, const char *name, struct timer_msg *m, int64_t now,
                       char *err, size_t errlen)
{
	struct sched_plan *p = scheduler_plan_begin(t->sched, name, SOURCE_USER, m->owner, &m->tab,
	                                            now, err, errlen);
	if (!p)
		return -1;
	while (!scheduler_plan_step(p, PLAN_STEP))
		hand_on_due(t);
	return scheduler_plan_commit(t->sched, p, err, errlen);
}

static void handle_msg(struct timer *t, struct timer_msg *m, int64_t now)
{
	char err[256], name[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
	switch (m->kind) {
	case TIMER_SET_CRONTAB:
		if (source_name_user(name, sizeof(name), m->owner) < 0)
			log_msg(LOG_ERR, "(%.64s) crontab not scheduled: owner name over %d bytes",
			        m->owner, SPOOL_NAME_MAX);
		else if (resync_crontab_fresh(&t->resync, m->owner, m->generation) &&
		         set_crontab(t, name, m, now, err, sizeof(err)) < 0)
			log_msg(LOG_ERR, "(%s) crontab not scheduled: %s", m->owner, err);
		break;
	case TIMER_REMOVE_CRONTAB:
		if (source_name_user(name, sizeof(name), m->owner) < 0)
			log_msg(LOG_ERR, "(%.64s) crontab not unscheduled: owner name over %d bytes",
			        m->owner, SPOOL_NAME_MAX);
		else if (resync_crontab_fresh(&t->resync, m->owner, m->generation))
			scheduler_remove_source(t->sched, name);
		break;
	case TIMER_AT_ADD:
		if (scheduler_add_at(t->sched, m->at_id, m->queue, m->at_uid, m->run_at) < 0)
			log_msg(LOG_ERR, "out of memory: at job %lld not scheduled", (long long)m->at_id);
		else
			resync_at_added(&t->resync, m->at_id);
		break;
	case TIMER_AT_MARK:
		resync_at_mark(&t->resync);
		break;
	case TIMER_AT_SYNC:
		at_sync(t, m);
		break;
	case TIMER_AT_REMOVE:
		scheduler_remove_at(t->sched, m->at_id);
		break;
	case TIMER_RELOAD:
		refresh_config(t, true, now);
		break;
	case TIMER_STATUS:
		log_status(t);
		break;
	case TIMER_STOP:
		t->stop = true;
		break;
	case TIMER_RUN:
		run_entry(t, m, now);
		break;
	}
	msg_free(m);
}

/* Applies M; a crontab change's CPU time is charged to its owner, who is
 * held when it was dear (timer_hold.h). */
static void apply_msg(struct timer *t, struct timer_msg *m, int64_t now)
{
	bool change = m->kind == TIMER_SET_CRONTAB || m->kind == TIMER_REMOVE_CRONTAB;
	char owner[SPOOL_NAME_MAX + 1];
	if (change)
		snprintf(owner, sizeof(owner), "%s", m->owner);
	int64_t cpu0 = change ? clock_thread_cpu_ns() : 0, handed0 = t->handed_cpu_ns;
	handle_msg(t, m, now);   /* frees M */
	if (!change)
		return;
	int64_t cost = clock_thread_cpu_ns() - cpu0 - (t->handed_cpu_ns - handed0);
	int64_t hold = timer_holds_charge(&t->holds, owner, cost, clock_mono_ns());
	if (hold > 0)
		log_event(owner, "HOLD", "its crontab change cost the timer %.3fs: its next change "
		          "or run by hand waits %.1fs", (double)cost / 1e9, (double)hold / 1e9);
}

static enum jump_kind measure_jump(struct timer *t, int64_t now_ns, int64_t mono_ns);

/* What is due by now, handed to the supervisor: the tail of every wake,
 * and between the changes of a long batch (drain_mailbox). */
static void run_due(struct timer *t, int64_t now_ns, int64_t mono_ns)
{
	notify_cancelled(t);
	enum jump_kind kind = measure_jump(t, now_ns, mono_ns);
	scheduler_run_due(t->sched, now_ns / NS, kind, collect, t);
	dispatch(t, now_ns / NS);
}

/* M is held behind its owner's messages (timer_hold.h), or applied. */
static void keep_or_apply(struct timer *t, struct timer_msg *m, int64_t now)
{
	struct timer_msg *replaced;
	if (m->by_root)   /* root's change of a user's crontab is never held */
		timer_holds_drop(&t->holds, m->owner, msg_free);
	else if (!t->stop && timer_holds_keep(&t->holds, m, clock_mono_ns(), &replaced)) {
		if (replaced)
			msg_free(replaced);
		return;
	}
	apply_msg(t, m, now);
}

/* Once the drain has taken DRAIN_SLICE_NS, whatever is due is handed on
 * (before each further change, and between the steps of one: drain_mailbox,
 * set_crontab); the CPU time that takes is nobody's change's. */
static void hand_on_due(struct timer *t)
{
	int64_t mono_ns = clock_mono_ns();
	if (t->stop || mono_ns - t->drain_start_ns <= DRAIN_SLICE_NS)
		return;   /* (once stopping, no more runs: as after the drain) */
	int64_t now_ns = clock_now_ns(&t->c->clock);
	if (scheduler_next_due(t->sched) > now_ns / NS)
		return;
	int64_t cpu0 = clock_thread_cpu_ns();
	run_due(t, now_ns, mono_ns);
	t->handed_cpu_ns += clock_thread_cpu_ns() - cpu0;
}

/* Applies the held messages whose time came (timer_hold.h: they are older
 * than the box's), then the batch in posting order, less the crontab
 * changes a later one replaces (timer_batch.h). A change can cost the
 * timer a second (10,000 entries whose every match falls in a zone's gap:
 * scheduler.h; its owner is then held), and a
 * batch holds one change per owner: once the batch has taken DRAIN_SLICE_NS,
 * whatever is due is handed on before each further change, and between the
 * steps of a user's change (set_crontab), so that owners churning their
 * crontabs delay the others' runs by about one step, not by one change nor
 * by the whole batch (eight users' churn held root's run 5.5 s: test
 * hardening_gap_churn). A batch applied quicker than that is applied whole
 * before the wake's runs, as before: a change made before an instant
 * applies to its runs. The changes are planned from NOW, the wake's
 * instant: an entry a later one adds that fell due since is armed in the
 * past and runs at the end of the drain. */
static void drain_mailbox(struct timer *t, int64_t now)
{
	t->drain_start_ns = clock_mono_ns();
	for (struct timer_msg *m; !t->stop && (m = timer_holds_next(&t->holds, clock_mono_ns()));) {
		hand_on_due(t);
		apply_msg(t, m, now);
	}
	struct mailbox_item *it = mailbox_take_all(&t->c->timer_box);
	size_t n = 0;
	for (struct mailbox_item *i = it; i; i = i->next)
		n++;
	struct timer_msg **v = n > 1 ? malloc(n * sizeof(*v)) : NULL;
	bool *drop = v ? malloc(n * sizeof(*drop)) : NULL;
	if (drop == NULL) {   /* one message, or no memory: apply them all */
		free(v);
		while (it) {
			struct mailbox_item *next = it->next;
			keep_or_apply(t, (struct timer_msg *)(void *)it, now);
			it = next;
		}
		return;
	}
	for (size_t i = 0; i < n; i++, it = it->next)
		v[i] = (struct timer_msg *)(void *)it;
	(void)timer_batch_superseded(v, n, drop);
	for (size_t i = 0; i < n; i++) {
		if (drop[i]) {
			msg_free(v[i]);
			continue;
		}
		hand_on_due(t);
		keep_or_apply(t, v[i], now);
	}
	free(drop);
	free(v);
}

/* How the wall clock moved since the last wake, beyond the time that passed. */
static enum jump_kind measure_jump(struct timer *t, int64_t now_ns, int64_t mono_ns)
{
	enum jump_kind kind = JUMP_NONE;
	if (!t->c->clock.fake && t->last_mono_ns) {
		int64_t jump = (now_ns - t->last_now_ns) - (mono_ns - t->last_mono_ns);
		kind = timejump_classify(jump / NS);
		if (kind != JUMP_NONE)
			log_msg(LOG_NOTICE, "(*system*) CLOCK (changed by %+llds: %s)",
			        (long long)(jump / NS), timejump_name(kind));
	}
	t->last_now_ns = now_ns;
	t->last_mono_ns = mono_ns;
	return kind;
}

/* Arms the timerfd for the earlier of the next due run and a pending reload. */
static void arm(struct timer *t, int64_t mono_ns)
{
	int64_t due = scheduler_next_due(t->sched);
	struct itimerspec its = { 0 };
	int flags = 0;
	/* A pending reload, or held messages' time (timer_hold.h), both
	 * monotonic: the earlier wakes the timer as a reload's would. */
	int64_t wake = timer_holds_next_at(&t->holds);
	if (t->reload_at_ns && t->reload_at_ns < wake)
		wake = t->reload_at_ns;
	int64_t reload_delay = wake != INT64_MAX ? wake - mono_ns : INT64_MAX;
	if (reload_delay < 1)
		reload_delay = 1;
	if (t->c->clock.fake) {
		/* Relative, on the monotonic clock. */
		int64_t d = due == INT64_MAX ? INT64_MAX : clock_real_delay_ns(&t->c->clock, due * NS);
		if (d < 1)
			d = 1;
		if (reload_delay < d)
			d = reload_delay;
		if (d != INT64_MAX)
			its.it_value = (struct timespec){ d / NS, d % NS };
	} else {
		/* Absolute, on the realtime clock, and cancelled when the clock is
		 * set, so a jump is seen at once (timejump.c); a pending reload (a
		 * change settling, or the minute's look through a link) as the
		 * realtime instant it falls on now. */
		bool armed = due != INT64_MAX;
		if (armed)
			its.it_value = (struct timespec){ due, 0 };
		if (reload_delay != INT64_MAX) {
			int64_t r = clock_now_ns(&t->c->clock) + reload_delay;
			if (!armed || r / NS < due) {
				its.it_value = (struct timespec){ r / NS, r % NS };
				armed = true;
			}
		}
		if (armed)
			flags = TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET;
	}
	if (timerfd_settime(t->tfd, flags, &its, NULL) < 0)
		log_msg(LOG_ERR, "timerfd_settime: %s", strerror(errno));
}

static int make_timerfd(const struct crond *c)
{
	/* The test clock uses relative monotonic timers; the real clock an
	 * absolute realtime one (reloads waiting included: arm). */
	return timerfd_create(c->clock.fake ? CLOCK_MONOTONIC : CLOCK_REALTIME,
	                      TFD_CLOEXEC | TFD_NONBLOCK);
}

/* After TRIM_AFTER_DROPPED entries have been let go (crontabs replaced
 * or removed), the heap's free pages go back to the system: glibc keeps
 * them otherwise, and a daemon whose large crontabs are reloaded grows.
 * Once more at the first wake TRIM_AGAIN_NS later: replaced crontabs that
 * runs still held then (retired snapshots) are let go when no run holds
 * them any more, and only a trim gives their pages back. */
static void trim_heap(struct timer *t, const struct scheduler_stats *st)
{
	int64_t t0 = clock_mono_ns();
	bool dropped = st->dropped - t->dropped_trimmed >= TRIM_AFTER_DROPPED;
	bool again = t->trim_again_ns != 0 && t0 >= t->trim_again_ns;
	if (!dropped && !again)
		return;
	t->trim_again_ns = dropped ? t0 + TRIM_AGAIN_NS : 0;
	t->dropped_trimmed = st->dropped;
	(void)scheduler_release_retired(t->sched);
	int gave = malloc_trim(0);
	log_msg(LOG_DEBUG, "(*system*) TRIM (%s, %lld us%s)", gave ? "memory given back" : "nothing to give",
	        (long long)((clock_mono_ns() - t0) / 1000), dropped ? "" : ", after the runs");
}

static void publish_status(struct timer *t)
{
	struct scheduler_stats st;
	scheduler_stats(t->sched, &st);
	atomic_store(&t->c->crontabs, st.sources);
	metrics_timer_counts(t->c, st.entries, st.at_jobs, t->cfg.metrics_file[0] != '\0');
	atomic_store(&t->c->next_due, st.next_due);
	trim_heap(t, &st);
}

static void wait_for_events(struct timer *t)
{
	struct pollfd p[3] = {
		{ .fd = t->tfd, .events = POLLIN },
		{ .fd = t->c->timer_box.efd, .events = POLLIN },
		{ .fd = t->ifd, .events = POLLIN },
	};
	int n = poll(p, t->ifd >= 0 ? 3 : 2, -1);
	if (n < 0 && errno != EINTR)
		log_msg(LOG_ERR, "poll: %s", strerror(errno));
	if (n > 0 && (p[0].revents & POLLIN)) {
		uint64_t expirations;
		/* ECANCELED: the clock was set; measure_jump will see by how much. */
		ssize_t r = read(t->tfd, &expirations, sizeof(expirations));
		(void)r;
	}
	if (n > 0 && t->ifd >= 0 && (p[2].revents & POLLIN)) {
		enum syscron_news news = syscron_drain(t->sys);
		if (news == SYSCRON_REWATCH)
			t->ifd = syscron_watch(t->sys, &t->cfg);
		int64_t settle = clock_mono_ns() + RELOAD_SETTLE_NS;
		if (news != SYSCRON_NONE && (!t->reload_at_ns || settle < t->reload_at_ns))
			t->reload_at_ns = settle;
	}
}

static void timer_destroy(struct timer *t)
{
	timer_holds_free(&t->holds, msg_free);
	syscron_free(t->sys);
	resync_free(&t->resync);
	if (t->tfd >= 0)
		close(t->tfd);
	free(t->dues);
	free(t);
}

static void *timer_main(void *arg)
{
	struct timer *t = arg;
	while (!t->stop) {
		int64_t now_ns = clock_now_ns(&t->c->clock), mono_ns = clock_mono_ns();
		int64_t now = now_ns / NS;
		drain_mailbox(t, now);
		if (t->stop)
			break;
		if (t->reload_at_ns && mono_ns >= t->reload_at_ns)
			reload_system(t, now, false);
		run_due(t, now_ns, mono_ns);
		publish_status(t);
		arm(t, mono_ns);
		wait_for_events(t);
	}
	timer_destroy(t);
	return NULL;
}

int timer_start(struct crond *c)
{
	struct timer *t = calloc(1, sizeof(*t));
	if (!t) {
		log_msg(LOG_ERR, "out of memory starting the timer thread");
		return -1;
	}
	t->c = c;
	t->sched = c->sched;
	timer_holds_init(&t->holds);
	resync_init(&t->resync);
	t->cfg_gen = crond_config_copy(c, &t->cfg);
	t->sys = c->syscron;
	t->tfd = make_timerfd(c);
	if (!t->sys || t->tfd < 0) {
		log_msg(LOG_ERR, "cannot start the timer thread: %s", strerror(errno));
		t->sys = NULL;
		timer_destroy(t);
		return -1;
	}
	t->ifd = syscron_watch(t->sys, &t->cfg);
	t->reload_at_ns = link_recheck_at(t);
	struct scheduler_stats st;
	scheduler_stats(t->sched, &st);
	t->cancelled_seen = st.cancelled;
	int rc = pthread_create(&c->timer_thread, NULL, timer_main, t);
	if (rc != 0) {
		log_msg(LOG_ERR, "cannot start the timer thread: %s", strerror(rc));
		t->sys = NULL;
		timer_destroy(t);
		return -1;
	}
	c->syscron = NULL;  /* the timer thread owns it now */
	c->sched = NULL;
	return 0;
}
