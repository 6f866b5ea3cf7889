/* crond/run/snapshot.h: a crontab as it was installed, shared by the schedule
 * and by every run due from it.
 *
 * DESIGN: a snapshot is built by the timer thread when the scheduler
 * installs a source (crond/sched/scheduler.h) and is immutable from then on, but
 * for two kinds of atomics: the reference count and one "cancelled" flag per
 * entry. The scheduler holds one reference while the source is installed;
 * each run request built from it (crond/run/runreq.h) holds one more, so a run
 * due for a 1 MiB crontab costs a few pointers, not a copy of its
 * environment. References are dropped on the timer thread (source replaced
 * or removed) and on the supervisor thread (run request freed); the last one
 * frees the snapshot, on whichever thread that is.
 *
 * Cancellation: when a source is removed, or replaced by a crontab without
 * an entry, the timer marks that entry cancelled; the supervisor checks the
 * flag before it starts a waiting run, so a run of an entry that no longer
 * exists never starts. No lock: a flag only ever goes from 0 to 1. The
 * flags live apart (struct snapshot_fate, its own reference count), so
 * that a metrics series learns of a removed entry without holding the
 * crontab; the snapshot's free marks them final.
 */
#ifndef CROND_SNAPSHOT_H
#define CROND_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/crontab.h"

enum source_kind {
	SOURCE_USER,     /* a user's crontab: entries run as the owner */
	SOURCE_SYSTEM,   /* /etc/crontab, /etc/cron.d/\*: entries name their user */
};

/* The assignments every run looks up, found once per crontab (not once per
 * run: a crontab may have 1,000 assignments and 10,000 entries). */
enum snapshot_var { SNAP_SHELL, SNAP_MAILTO, SNAP_MAILFROM, SNAP_VARS };

/* What becomes of a snapshot's entries, kept apart from it: a metrics
 * series holds this (a byte an entry) to learn when its entry is removed,
 * never the crontab itself. Series that held snapshots kept every crontab
 * replaced since their last prune alive, up to crontab_max_bytes each. */
struct snapshot_fate {
	atomic_size_t refs;
	atomic_bool final;          /* the snapshot is freed: no flag changes again */
	size_t n;                   /* entries */
	atomic_uchar cancelled[];   /* per entry: 1 once cancelled */
};

struct snapshot {
	atomic_size_t refs;
	atomic_size_t runs;          /* of the references, run requests' (the
	                                other: the scheduler's; metrics series
	                                hold the fate instead) */
	const char *name;            /* "user:alice", "/etc/cron.d/x" */
	enum source_kind kind;
	const char *owner;           /* SOURCE_USER: the owner; else NULL */
	struct crontab tab;
	const char **env;            /* tab.env[i] as "NAME=VALUE"; an entry uses
	                                the first env_count of them */
	struct snapshot_fate *fate;  /* its entries' cancelled flags (one reference) */
	uint32_t (*last)[SNAP_VARS]; /* [k][v]: 1 + index of the last assignment
	                                of v among the first k, or 0 */
};

/* A snapshot of TAB (moved in: TAB is left empty in every case) named NAME,
 * with one reference (the caller's). NULL on allocation failure. */
struct snapshot *snapshot_new(const char *name, enum source_kind kind, const char *owner,
                              struct crontab *tab);

/* Takes one more reference; returns SNAP. */
struct snapshot *snapshot_ref(struct snapshot *snap);

/* Drops one reference; the last one frees SNAP. NULL is fine. Any thread. */
void snapshot_unref(struct snapshot *snap);

/* The same, for a run request's reference: counted apart, so that the
 * scheduler keeps a replaced snapshot only while runs hold it, whoever
 * else may hold it (metrics series once did, and each waited for the
 * other). */
struct snapshot *snapshot_ref_run(struct snapshot *snap);
void snapshot_unref_run(struct snapshot *snap);

/* Whether a run request holds SNAP. Meaningful only to a holder that no
 * run request is made from any more (the scheduler, for a snapshot it
 * replaced): then false stays false. */
bool snapshot_in_runs(const struct snapshot *snap);

/* Marks entry I (or every entry) cancelled. Any thread; idempotent. */
void snapshot_cancel_entry(struct snapshot *snap, size_t i);
void snapshot_cancel_all(struct snapshot *snap);

/* Whether entry I was cancelled. Any thread. */
bool snapshot_cancelled(const struct snapshot *snap, size_t i);

/* One more reference to FATE (a snapshot's: snap->fate); returns FATE. */
struct snapshot_fate *snapshot_fate_ref(struct snapshot_fate *fate);

/* Drops one reference; the last one frees FATE. NULL is fine. Any thread. */
void snapshot_fate_unref(struct snapshot_fate *fate);

/* Whether entry I was cancelled; true for I past the entries. Any thread. */
bool snapshot_fate_cancelled(const struct snapshot_fate *fate, size_t i);

/* Whether the snapshot is freed (the scheduler and every run let go), so
 * that the flags are final: ask this first, then snapshot_fate_cancelled. */
bool snapshot_fate_final(const struct snapshot_fate *fate);

/* The value of V as ENTRY (one of SNAP's) sees it, or NULL: what
 * crontab_getenv gives, in constant time. */
const char *snapshot_getenv(const struct snapshot *snap, const struct crontab_entry *entry,
                            enum snapshot_var v);

/* Bytes the snapshot holds (strings and tables), for accounting and tests. */
size_t snapshot_bytes(const struct snapshot *snap);

#endif
