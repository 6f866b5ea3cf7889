/* crond/observe/metrics.h: run outcomes and daemon gauges, written as a Prometheus
 * text file for node_exporter's textfile collector (config metrics_file).
 *
 * DESIGN: supervisor thread only; no lock. The supervisor owns job
 * outcomes, so it owns this module: the recorder hands it every ended run
 * (metrics_run_ended, one call per run end, cron and at runs, started or
 * not), and the supervisor gives it, once per loop, the gauges it knows
 * (running and waiting jobs) and those the timer publishes as atomics in
 * struct crond (entries, queued at jobs). The file is written by the
 * supervisor itself (metrics_tick), never more often than every
 * METRICS_WRITE_EVERY_NS: the first change after a quiet spell is written
 * at once, later ones wait for the interval, so a burst of 1,000 ends costs
 * one or two writes. The supervisor arms its deadline timer at
 * metrics_next_write, which is "never" while nothing changed: an idle
 * daemon never wakes for metrics. A write is a temporary file in the same
 * directory renamed over the target, so a reader sees a whole file. It is
 * written METRICS_STEP_LINES series lines per metrics_tick, one tick per
 * turn of the supervisor's loop (which does not sleep while
 * metrics_writing): a file of 5,000 series (40,000 lines, 7.5 MB) held
 * the supervisor 26-36 ms in one piece, twice that with both pools full,
 * and a job due meanwhile waited for all of it. Between steps the series may change (runs end, series come
 * and go): the writer keeps only its place (family and hash bucket), so
 * the file shows each series as it was when its bucket was written, and
 * the daemon's totals as they were when the write began (every run they
 * count has its series in the file).
 *
 * Per-entry series (crontab entries only; an at job has no entry) are keyed
 * by the entry key (scheduler_entry_key), in two pools of at most
 * METRICS_MAX_ENTRIES each: root's crontab and the system crontabs', and
 * every other user's, where one user has at most METRICS_MAX_PER_USER (a
 * user's 5,000 every-minute entries used to take every series, root's
 * included). A run of an entry without room only counts in the daemon's
 * totals and in crond_metrics_entries_over_cap_total. A series keeps a
 * reference to the fate of the crontab snapshot its entry last ran from
 * (its entries' cancelled flags, struct snapshot_fate), so it can tell
 * when the entry is removed (the series disappears at the next prune). A
 * freed snapshot was replaced by an edit, or removed: its flags are final,
 * and a series whose entry stayed detaches and stays, until its entry runs
 * again (reattached) or for METRICS_DETACHED_TTL_S without a run (an entry
 * removed after such an edit is noticed no sooner). The series are pruned
 * before each write of the file and, with no file configured, as often
 * (METRICS_WRITE_EVERY_NS) at a tick. A series never holds the crontab
 * itself: when series held snapshots, every crontab replaced after one of
 * its entries ran stayed in memory until the next prune (a user's install
 * of 256 KiB and a run by hand, 45 times in those 3 s, held 26 MB) and,
 * before the ticks pruned, until that entry ran again.
 */
#ifndef CROND_METRICS_H
#define CROND_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crond/run/snapshot.h"

#define METRICS_MAX_ENTRIES 5000                   /* per-entry series kept, per pool */
#define METRICS_MAX_PER_USER 1000                  /* of them one user's (not root's) */
#define METRICS_WRITE_EVERY_NS (3LL * 1000000000)  /* at most one write this often */
#define METRICS_LATE_S 60                          /* a start this much after its instant
                                                      (and RANDOM_DELAY window) is late */
#define METRICS_DETACHED_TTL_S (8 * 86400)         /* a detached series without a run goes */
#define METRICS_LABEL_MAX 40                       /* bytes of a command label */
#define METRICS_SOURCE_MAX 200                     /* bytes of a source label */
#define METRICS_BUCKETS 8192                       /* hash buckets (a power of two) */
#define METRICS_STEP_LINES 500                     /* series lines per step of a write
                                                      (0.2-0.4 ms here) */
#define METRICS_WRITE_BUFFER (64 * 1024)           /* stdio buffer of a write */

enum metrics_outcome {
	METRICS_SUCCESS,       /* exited 0 */
	METRICS_FAILURE,       /* exited non-zero, killed by a signal, or could not start */
	METRICS_TIMEOUT,       /* killed for running past CRON_TIMEOUT */
	METRICS_INTERRUPTED,   /* cut off by crond stopping */
	METRICS_SKIPPED,       /* never started: overlap, coalesced, queue full, cancelled */
	METRICS_N_OUTCOMES
};

/* One ended run, as the metrics need it (metrics_run_of_job builds it). */
struct metrics_run {
	bool cron;                  /* a crontab entry's run (else an at job) */
	const char *key;            /* cron: the entry key */
	const char *source, *user, *command;
	uint32_t line;
	struct snapshot *snap;      /* cron: its crontab (borrowed), or NULL */
	size_t entry_index;
	enum metrics_outcome outcome;
	bool started;               /* it started (or tried to): start and exit are known */
	double start_s;             /* Unix time */
	double duration_s;
	int exit_status;            /* exit code, 128 + signal when killed */
	bool late;                  /* started over METRICS_LATE_S after its instant (cron:
	                               plus its RANDOM_DELAY window; batch: never) */
};

/* What the supervisor and the timer know, as of now. */
struct metrics_gauges {
	size_t running, waiting, at_queued, entries;
};

struct metrics_series;

/* A user (not root) with series, and how many: kept while crond runs (one
 * per user who ever had a series). */
struct metrics_owner {
	char *name;
	size_t n_series;
};

/* The daemon's own figures (the file's last families). */
struct metrics_totals {
	uint64_t runs[METRICS_N_OUTCOMES];
	uint64_t skipped, late, over_cap, writes;
	struct metrics_gauges gauges;
};

/* A write of the file under way (metrics_writer_open .. _step). */
struct metrics_writer {
	FILE *f;               /* PATH.tmp, or NULL: no write under way */
	char *buf;             /* f's buffer (METRICS_WRITE_BUFFER bytes) */
	bool early_writeback;  /* on ext4: each step's bytes sent to disk at once */
	struct metrics_totals totals;   /* as of the write's start: the file
	                                   never counts a run whose series it
	                                   lacks */
	int part;              /* the family being written */
	size_t bucket;         /* its next hash bucket */
	char path[1024], tmp[1100];
};

struct metrics {
	struct metrics_series **buckets;   /* METRICS_BUCKETS chains */
	size_t n_series;                   /* in all */
	size_t n_system;                   /* of them root's and the system crontabs' */
	struct metrics_owner *owners;      /* the other users' */
	size_t n_owners, cap_owners;
	struct metrics_totals totals;      /* every run, cron and at, by outcome; the
	                                      gauges as last given */
	bool dirty;                        /* something changed since the last write */
	bool over_cap_logged, fail_logged;
	int64_t last_write_mono;           /* 0: never */
	int64_t last_prune_mono;           /* with no file: the last prune; 0: never */
	char path[1024];                   /* the file last written (or tried) */
	struct metrics_writer writer;      /* the write under way, if any */
};

/* An empty set. 0, or -1 on allocation failure. */
int metrics_init(struct metrics *m);

/* Drops every series (and its snapshot reference). */
void metrics_free(struct metrics *m);

struct job;
/* Fills RUN (pointing into J) from an ended job; false for a job that is
 * no run (sendmail). */
bool metrics_run_of_job(const struct job *j, struct metrics_run *run);

/* Counts one ended run (MONO: monotonic ns, for the detached-series TTL). */
void metrics_note(struct metrics *m, const struct metrics_run *run, int64_t mono);

/* metrics_run_of_job + metrics_note; M may be NULL or freed (no metrics). */
void metrics_run_ended(struct metrics *m, const struct job *j);

/* When the next write is due (monotonic ns), INT64_MAX when none is. */
int64_t metrics_next_write(const struct metrics *m);

/* Takes the gauges G. With a write under way, writes its next step (of
 * METRICS_STEP_LINES series lines); else when PATH is set, something
 * changed and the interval allows (or FORCE), prunes the series and begins
 * a write of PATH (its first step). FORCE (at stop) writes the whole file
 * now: a write under way is begun again, whole. A changed PATH drops a
 * write under way. A failed write is logged (once until a write succeeds
 * again) and not retried before the next change. */
void metrics_tick(struct metrics *m, const char *path, const struct metrics_gauges *g,
                  int64_t mono, bool force);

/* Whether a write is under way: the caller ticks again without waiting. */
bool metrics_writing(const struct metrics *m);

struct crond;
/* Timer thread: publishes the counts the timer owns (entries, queued at
 * jobs) in C's atomics and, when they changed and WANTED (a metrics file is
 * configured), wakes the supervisor so that the file shows them (the wake
 * is a SUPER_SWEEP, which costs nothing when no entry was cancelled). */
void metrics_timer_counts(struct crond *c, size_t entries, size_t at_jobs, bool wanted);

/* Drops series whose entry was removed, detaches those whose crontab was
 * replaced, expires detached ones. */
void metrics_prune(struct metrics *m, int64_t mono);

/* Writes the exposition text to F. 0, or -1 (errno) on a write error. */
int metrics_format(const struct metrics *m, FILE *f);

/* Begins a write of M into PATH.tmp, made anew (unlink, O_EXCL), never
 * one found there; M's totals are taken now. 0, or -1 with ERR (W holds
 * nothing then). */
int metrics_writer_open(struct metrics_writer *w, const struct metrics *m, const char *path,
                        char *err, size_t errlen);

/* Writes the next MAX_LINES (> 0) series lines of M (whole hash buckets: a step
 * may write a few more), or the rest and renames PATH.tmp over PATH: 1 when
 * the file is whole, 0 when more is left, -1 with ERR on a failure (PATH.tmp
 * removed). W holds nothing after 1 or -1. */
int metrics_writer_step(struct metrics_writer *w, const struct metrics *m, size_t max_lines,
                        char *err, size_t errlen);

/* Drops a write under way (PATH.tmp removed); nothing when there is none. */
void metrics_writer_abandon(struct metrics_writer *w);

/* Writes PATH whole and atomically, as above in one step. 0, or -1 with ERR. */
int metrics_write_file(const struct metrics *m, const char *path, char *err, size_t errlen);

/* Copies S into OUT (LEN bytes, NUL included) as a label value: at most MAX
 * bytes, cut at a character boundary, invalid UTF-8 as '?', control
 * characters as ' ' (escaping for the exposition format is done on output). */
void metrics_label_copy(const char *s, size_t max, char *out, size_t len);

/* Writes S to F escaped as a label value (backslash, quote, newline). */
int metrics_put_label(FILE *f, const char *s);

#endif
