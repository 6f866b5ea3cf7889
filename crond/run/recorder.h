/* crond/run/recorder.h: the supervisor's writes to the spool, batched.
 *
 * DESIGN: supervisor thread only, with the supervisor's own spool
 * connection. Started jobs, finished jobs and catch-up state are collected
 * during one loop of the supervisor and written by recorder_flush in one
 * transaction each (a durable write costs an fsync; a thousand jobs
 * starting or ending together must not cost a thousand). A run's record is
 * written when it starts, flagged running, and completed when it ends; a
 * crash in between leaves it running, and the next start of the daemon
 * finds it interrupted (startup.c). A job that starts and ends before the
 * flush gets one record, written whole. An at job found gone when it
 * ends (SPOOL_NOT_FOUND: in a cluster, another node took this one for lost
 * and reaped it) still gets its real result: it completes the record the
 * reaper ended as interrupted, node lost. History retention is applied in
 * small batches (RECORDER_PRUNE_BATCH rows per step) so a prune never holds
 * the spool or the thread for long. When a count prune has finished and
 * free pages make up a quarter of the spool's file (and at least
 * RECORDER_COMPACT_MIN pages), they are given back to the file system,
 * RECORDER_COMPACT_STEP pages a step, until fewer than a step's are left
 * (spool_compact).
 */
#ifndef CROND_RECORDER_H
#define CROND_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/log.h"
#include "crond/run/job.h"
#include "spool/spool.h"

#define RECORDER_PRUNE_BATCH 500
#define RECORDER_COMPACT_MIN 1024    /* free pages before compacting: 4 MiB */
#define RECORDER_COMPACT_STEP 256    /* pages per compaction step */
#define RECORDER_RETRY_MAX 10000   /* ended runs kept while the spool cannot take them */
#define RECORDER_RETRY_BYTES (8u << 20)   /* ... and their bytes (texts and output) */
#define RECORDER_RETRY_EVERY_NS (10LL * 1000000000)   /* what is kept is tried again */
#define RECORDER_RETRY_BATCH 500   /* kept runs written again per transaction */
#define RECORDER_LOST_LOG_EVERY_NS (10LL * 1000000000)   /* one LOST line at most */
#define RECORDER_PRUNE_EVERY_NS (600LL * 1000000000)        /* age prune, when idle */
#define RECORDER_COUNT_PRUNE_EVERY_NS (3600LL * 1000000000) /* per-entry count prune */
/* ... or sooner: once history_per_user runs (else history_per_entry) have
 * been recorded since the last one, so that one user's history is never
 * more than twice its bound, however fast they make runs (a crontab of
 * 10,000 entries every minute records 10,000 a minute, most of them
 * refused for a full queue: with only the hourly prune a user's history
 * grew to 600,000 records, 285 MB of spool, in an hour). */

struct metrics;
struct recorder_retry;
struct recorder_owner;

struct recorder {
	struct spool *sp;                 /* NULL until first needed (recorder_spool) */
	char *path;                       /* the spool's; NULL once closed */
	char *node;                       /* spool_set_node's, or NULL */
	struct metrics *metrics;          /* borrowed: told of every ended run, or NULL */
	struct job **started;             /* borrowed: the supervisor's */
	size_t n_started, cap_started;
	struct job **finished;
	size_t n_finished, cap_finished;
	struct spool_entry_state *states;
	size_t n_states, cap_states;
	struct recorder_retry *retry;     /* ends not written (spool unreachable or full) */
	size_t n_retry, cap_retry;
	size_t retry_bytes;               /* what they hold: at most RECORDER_RETRY_BYTES */
	struct recorder_owner *owners;    /* what each owner but root has kept */
	size_t n_owners, cap_owners;
	size_t others_runs, others_bytes; /* what they all have kept */
	int64_t retry_at;                 /* monotonic ns: when what is kept is written
	                                   * again, or INT64_MAX: nothing kept */
	uint64_t lost;                    /* runs lost since the last LOST line */
	char lost_owner[64];              /* ... the last one's owner */
	struct log_every lost_log;        /* the LOST line's limit (crond/log.h) */
	struct log_every unwritten_log;   /* ... and the "not written" lines' */
	bool states_kept;                 /* STATES are kept: their write failed */
	uint32_t history_days, per_entry, per_user;
	int64_t next_age_prune, next_count_prune;   /* monotonic ns */
	uint64_t since_count_prune;       /* runs recorded since the count prune */
	bool dirty;   /* runs recorded since pruning last finished: only then is
	               * pruning scheduled, so an idle daemon never wakes for it */
	int64_t next_compact;   /* monotonic ns of the next compaction step, or
	                           INT64_MAX: not compacting */
};

/* Prepares the recorder, acting for NODE (spool_set_node; NULL or "": the
 * spool's default); its spool connection is opened when first needed
 * (recorder_spool), not here: a daemon with nothing to run never pays for a
 * second connection (half a million instructions, SQLite parsing the
 * schema again), and the first runs start before it is opened, since their
 * records are written after they start. A shared spool's (a URI's) is
 * opened at once: claims go through it before any run starts, and its
 * backend reconnects by itself after an outage. 0, or -1 with ERR. */
int recorder_open(struct recorder *r, const char *spool_path, const char *node, char *err,
                  size_t errlen);

/* The supervisor's spool connection, opened now if it is not yet; NULL
 * (logged) when it cannot be opened, or once closed. The next call tries
 * again. */
struct spool *recorder_spool(struct recorder *r);

/* Flushes what is pending and closes the connection. */
void recorder_close(struct recorder *r);

/* Notes a job that just started (J stays the supervisor's): its running
 * record is written at the next flush, unless it has ended by then or was
 * written by the run's claim (J->run_id already set: crond/run/claim.h). */
void recorder_started(struct recorder *r, struct job *j);

/* Takes a finished job: its record is written (or its running record
 * completed) at the next flush, then the job is freed (an at job is also
 * finished in the spool). */
void recorder_finished(struct recorder *r, struct job *j);

/* Remembers that entry KEY ran for SCHEDULED, starting at START (seconds). */
void recorder_state(struct recorder *r, const char *key, int64_t scheduled, int64_t start);

/* Writes everything collected: starts first, then ends, then state
 * (failures are logged; a start not recorded leaves the end to be appended
 * whole). What fails because the spool cannot take it now (SPOOL_IO,
 * SPOOL_BUSY: a cluster's database down; SPOOL_FULL: its file system full;
 * or no connection) is kept and written again every
 * RECORDER_RETRY_EVERY_NS (recorder_next_prune), root's first, in
 * transactions of RECORDER_RETRY_BATCH, so that a run that ended meanwhile
 * does not read "running" for ever, an at job that ran is finished, and
 * catch-up state is not lost (a start after it would run the entry again
 * for a minute it has run); and at once when a new record's write goes
 * through. What ends is always tried, so a full spool costs one failed
 * write of what ended per pass, not of all that is kept; its "not
 * written" lines come one per RECORDER_LOST_LOG_EVERY_NS at most. Ended runs are kept, copied, up to
 * RECORDER_RETRY_MAX and RECORDER_RETRY_BYTES: past the bytes, a run is
 * kept without its output (flagged truncated); past either bound, it is
 * lost. Root's runs (most of the system crontabs') may use the whole
 * bounds; every other owner's together at most three quarters, and each
 * owner's at most an eighth, so that one user's runs can neither crowd out
 * root's records nor all the others'. The runs lost are counted, and logged in one LOST line
 * per RECORDER_LOST_LOG_EVERY_NS at most. Catch-up state is kept whole:
 * one per entry, the latest. */
void recorder_flush(struct recorder *r);

void recorder_set_limits(struct recorder *r, uint32_t history_days, uint32_t per_entry,
                         uint32_t per_user);

/* When the next prune step, or the next try at writing what is kept, is
 * due (monotonic ns), or INT64_MAX when nothing was recorded since pruning
 * last caught up and nothing is kept. */
int64_t recorder_next_prune(const struct recorder *r);

/* Runs one bounded prune step if one is due. NOW_NS: crond's clock. */
void recorder_prune_step(struct recorder *r, int64_t now_ns);

#endif
