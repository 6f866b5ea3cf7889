/* crond/sched/scheduler.h: the schedule: every crontab entry and at job, and when
 * each runs next.
 *
 * DESIGN: owned by the timer thread, which alone calls these functions; no
 * lock. Pure logic: the current instant and the kind of clock change come
 * in as arguments, so tests replay DST and clock changes without waiting.
 *
 * Crontabs arrive as "sources": a user's crontab (named "user:NAME"),
 * /etc/crontab or a file in /etc/cron.d (named by path). Each entry and each
 * at job holds one slot in an indexed min-heap keyed by its next due
 * instant (its scheduled instant plus its RANDOM_DELAY offset). A source's
 * '~' values are picked when it is set (crontab_resolve_random). Changing a
 * source replaces its entries in O(k log n); nothing ever scans every entry
 * to find what is due.
 */
#ifndef CROND_SCHEDULER_H
#define CROND_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/run/snapshot.h"
#include "crond/sched/timejump.h"
#include "lib/crontab.h"
#include "lib/tz.h"

/* How many replaced snapshots of one source stay alive for the runs that
 * still wait on them. A run keeps the crontab it came from, so without a
 * bound a user replacing a 1 MiB crontab each time a run of it comes due,
 * while their runs wait, would pin one megabyte per replacement; past this
 * many, the runs of the oldest are cancelled (snapshot_cancel_all) and it
 * is let go. Runs already started keep theirs (bounded by max_jobs). */
#define SCHED_RETIRED_MAX 4

struct zone_entry;

struct sched_source {
	struct snapshot *snap;       /* the crontab, shared with due runs (one reference) */
	const char *name;            /* snap->name */
	enum source_kind kind;
	const char *owner;           /* SOURCE_USER: the owner; else NULL */
	const struct crontab *tab;   /* &snap->tab */
	const struct tz **zones;     /* per options block; the local zone if no CRON_TZ */
	struct zone_entry **zone_refs; /* per options block: its CRON_TZ zone's
	                                  shared entry (scheduler.c), or NULL */
	size_t n_zone_refs;
	uint32_t *delays;            /* per options block: RANDOM_DELAY offset, seconds */
	int64_t *scheduled;          /* per entry: instant of the pending run, or INT64_MAX */
	uint32_t *slots;             /* per entry: heap slot (UINT32_MAX for @reboot/never) */
	/* Replaced snapshots of this source that runs still hold, oldest
	 * first, one reference each. */
	struct snapshot *retired[SCHED_RETIRED_MAX];
	size_t n_retired;
};

enum due_kind { DUE_CRON, DUE_AT };

struct due {
	enum due_kind kind;
	int64_t scheduled;                   /* the instant it was due */
	/* DUE_CRON */
	const struct sched_source *source;
	const struct crontab_entry *entry;
	size_t entry_index;
	bool catchup;                        /* a catch-up run after downtime */
	/* DUE_AT */
	int64_t at_id;
	char queue;
	uint32_t at_uid;                     /* its owner */
};

/* Receives one due run. It must not call back into the scheduler: pointers
 * in DUE are valid only during the call. */
typedef void (*due_fn)(void *ctx, const struct due *due);

struct scheduler;

/* A schedule evaluated in LOCAL (entries without CRON_TZ), with RANDOM_DELAY
 * offsets drawn as RANDOM_FACTOR (0 <= f < 1, fixed per daemon run, as
 * cronie does) times the entry's RANDOM_DELAY. NULL on allocation failure. */
struct scheduler *scheduler_new(const struct tz *local, double random_factor);
void scheduler_free(struct scheduler *s);

/* The spool's secret, from which each source's '~' picks are derived
 * (crontab_random_seed of the source's name). Set it before adding
 * sources: sources added before keep the picks of the all-zero secret. */
void scheduler_set_secret(struct scheduler *s, const uint8_t secret[CRONTAB_SECRET_LEN]);

/* Adds or replaces source NAME with TAB (whose contents are moved in; TAB is
 * left empty in every case), arming every entry at its next run strictly
 * after NOW. Returns 0, or -1 with a message in ERR (a CRON_TZ zone that
 * cannot be loaded, allocation failure): then the previous source of that
 * name, if any, stays in force. Entries of the previous source that the new
 * one does not have (by entry key) are cancelled (snapshot.h): runs of them
 * still waiting never start; an unchanged entry keeps its waiting run. */
int scheduler_set_source(struct scheduler *s, const char *name, enum source_kind kind,
                         const char *owner, struct crontab *tab, int64_t now, char *err,
                         size_t errlen);

/* scheduler_set_source in steps, for a caller that must not stop for a
 * whole dear change: planning 5,000 entries whose every match falls in a
 * zone's gap costs 0.1-0.5 s, and the timer hands on the runs that fall
 * due meanwhile between steps. A plan holds the new source outside the
 * schedule: none of it is in force until the commit (the previous source
 * of its name runs on meanwhile). Between steps the schedule may run what
 * is due (scheduler_run_due), add or remove at jobs, but not change its
 * sources: commit or abandon the plan first. */
struct sched_plan;

/* Starts planning source NAME with TAB (moved in), from NOW; as
 * scheduler_set_source, NULL with a message in ERR. */
struct sched_plan *scheduler_plan_begin(struct scheduler *s, const char *name,
                                        enum source_kind kind, const char *owner,
                                        struct crontab *tab, int64_t now, char *err,
                                        size_t errlen);
/* Plans up to MAX more entries; true once every one is planned. */
bool scheduler_plan_step(struct sched_plan *p, size_t max);
/* Plans what is left, puts the source in force as scheduler_set_source
 * does, and frees P: 0, or -1 with ERR (the previous source stays). */
int scheduler_plan_commit(struct scheduler *s, struct sched_plan *p, char *err, size_t errlen);
/* Frees P (NULL: nothing); the previous source stays in force. */
void scheduler_plan_abandon(struct scheduler *s, struct sched_plan *p);

/* Removes source NAME and its entries, cancelling every one of them
 * (snapshot.h); false if there was none. */
bool scheduler_remove_source(struct scheduler *s, const char *name);

/* The source called NAME, or NULL. Valid until the next change to it. */
const struct sched_source *scheduler_find_source(const struct scheduler *s, const char *name);

/* Arms at job ID (queue letter QUEUE, its owner's UID: batch jobs are
 * shared out by owner) for RUN_AT; replaces an existing one. */
int scheduler_add_at(struct scheduler *s, int64_t id, char queue, uint32_t uid, int64_t run_at);
/* Removes at job ID; false if unknown. */
bool scheduler_remove_at(struct scheduler *s, int64_t id);
/* Whether at job ID is armed. */
bool scheduler_has_at(const struct scheduler *s, int64_t id);
/* The ids of the armed at jobs, in no order, as a new array *OUT of *N
 * (free with free(); NULL when none). 0, or -1 on allocation failure. */
int scheduler_at_ids(const struct scheduler *s, int64_t **out, size_t *n);

/* The earliest instant anything is due, or INT64_MAX. */
int64_t scheduler_next_due(const struct scheduler *s);

/* How many CRON_TZ zones are loaded: each is loaded once for all the
 * sources that name it and freed with the last of them. */
size_t scheduler_zone_count(const struct scheduler *s);

/* Emits (through EMIT) every run due at or before NOW and re-arms each
 * entry at its next run, applying the rule for a clock change of KIND
 * (crond/sched/timejump.h) first. At jobs are emitted and forgotten: the caller
 * re-adds one it wants to retry. */
void scheduler_run_due(struct scheduler *s, int64_t now, enum jump_kind kind, due_fn emit,
                       void *ctx);

/* Emits every @reboot entry of every source (once per boot: the caller
 * decides), with SCHEDULED = NOW. */
void scheduler_run_reboot(struct scheduler *s, int64_t now, due_fn emit, void *ctx);

/* For entries with CRON_CATCHUP=yes: LAST_SCHEDULED(KEY) tells when each
 * last ran (0: unknown, no catch-up); an entry that missed a run between
 * then and NOW is emitted once, as a catch-up of its latest missed run. */
void scheduler_run_catchup(struct scheduler *s, int64_t now,
                           int64_t (*last_scheduled)(void *ctx, const char *key),
                           due_fn emit, void *ctx);

/* The stable key of an entry for history and state: "SOURCE:HASH", where
 * HASH covers the schedule, user, command and input (so editing a line
 * elsewhere in the crontab keeps the key), and for the second and later of
 * equal entries their twin number (lib/crontab.h), so that each has a key
 * of its own. BUF needs SCHEDULER_KEY_MAX. */
#define SCHEDULER_KEY_MAX 512
void scheduler_entry_key(const struct sched_source *src, const struct crontab_entry *e,
                         char *buf, size_t len);

struct scheduler_stats {
	size_t sources, entries, at_jobs;
	int64_t next_due;   /* INT64_MAX if nothing is armed */
	uint64_t cancelled; /* entries cancelled so far (grows; a change means
	                       waiting runs may have to be dropped) */
	size_t retired;     /* replaced snapshots kept for runs (SCHED_RETIRED_MAX each) */
	uint64_t dropped;   /* entries let go so far by a replace or a remove (grows) */
};
void scheduler_stats(const struct scheduler *s, struct scheduler_stats *out);

/* Lets go of the replaced snapshots (retired) that no run holds any more:
 * runs held them when their crontab was replaced, and they are otherwise
 * only looked at again at the next replace of the same source. Returns
 * how many were let go. */
size_t scheduler_release_retired(struct scheduler *s);

#endif
