/* spool/spool.h: the spool, crond's durable store, behind a narrow contract.
 *
 * One SQLite database holds everything crond must not forget: each owner's
 * crontab exactly as installed, at/batch jobs, run history and small state.
 * Nothing outside spool/ sees SQL or SQLite types; a networked backend could
 * implement this header instead.
 *
 * Connections. A struct spool is one connection. It is used by one thread at
 * a time: open one per thread. Never use or close a connection inherited
 * across fork(); a child opens its own (or just execs). Several connections,
 * in one process or several, may use the same spool at once.
 *
 * Errors. Every function that can fail returns 0 (SPOOL_OK) or an enum
 * spool_code, and when ERR is not NULL fills it with the same code and a
 * one-line message naming the spool's path and, for SQLite failures, SQLite's
 * own message. Nothing prints. On failure, output arrays are NULL with zero
 * counts, output records and numbers are zeroed (unless a function says
 * otherwise), and nothing in the spool changed.
 *
 * Durability. A call that changes the spool is one transaction (BEGIN
 * IMMEDIATE, synchronous=FULL): when it returns 0 the change survives a crash
 * or a power cut; when it fails, none of it was applied. Writers wait for each
 * other (busy timeout plus retries, about 20 s in all) before SPOOL_BUSY.
 *
 * Memory. A record the spool returns owns its strings through its private
 * mem_ field; release it with the matching *_free function. Input records
 * only lend their pointers for the duration of the call.
 *
 * Time. Times are int64 seconds since the epoch (any year), except run
 * history times, which are milliseconds (the names end in _ms).
 */
#ifndef CROND_SPOOL_SPOOL_H
#define CROND_SPOOL_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct spool;
struct spool_run;

/* ---------------------------------------------------------------- errors */

enum spool_code {
	SPOOL_OK = 0,
	SPOOL_NOT_FOUND,   /* no such crontab, job, key or value; no spool file */
	SPOOL_CONFLICT,    /* not in a state that allows it (e.g. job not waiting) */
	SPOOL_PERMISSION,  /* requester may not; or unsafe spool file/directory */
	SPOOL_CORRUPT,     /* not a database, or a damaged one */
	SPOOL_FULL,        /* disk or quota full: rolled back, earlier data intact */
	SPOOL_VERSION,     /* schema newer than this program (or older, read-only) */
	SPOOL_IO,          /* any other I/O or SQLite failure */
	SPOOL_INVALID,     /* bad argument: empty, too long, out of range */
	SPOOL_BUSY,        /* another connection kept the spool locked too long */
	SPOOL_NOMEM,       /* out of memory */
	SPOOL_QUOTA,       /* a caller's quota would be passed: nothing written */
};

#define SPOOL_ERR_MSG_MAX 512

struct spool_err {
	int code;                      /* an enum spool_code */
	char msg[SPOOL_ERR_MSG_MAX];   /* one line, no trailing newline */
	bool unknown;                  /* with SPOOL_IO: a commit was sent and its
	                                  answer lost (a shared spool's connection
	                                  cut): it may have been made */
};

/* A short static name for CODE ("not found"); "unknown error" if unknown. */
const char *spool_code_name(int code);

/* ---------------------------------------------------------------- bounds */

#define SPOOL_NAME_MAX 255                 /* owner and meta names, bytes */
#define SPOOL_KEY_MAX 1024                 /* entry keys, bytes */
#define SPOOL_CRONTAB_MAX (1024 * 1024)    /* crontab text, bytes */
#define SPOOL_SCRIPT_MAX (1024 * 1024)     /* at job script, bytes */
#define SPOOL_ENV_MAX (256 * 1024)         /* at job environment, bytes */
#define SPOOL_ENV_COUNT_MAX 4096           /* at job environment, strings */
#define SPOOL_PATH_MAX 4096                /* at job working directory */
#define SPOOL_COMMAND_MAX (64 * 1024)      /* history command text, bytes */
#define SPOOL_OUTPUT_MAX (1024 * 1024)     /* history output head, bytes */
#define SPOOL_META_MAX 4096                /* meta value, bytes */
#define SPOOL_QUERY_MAX 100000             /* rows per history query or prune */

/* ---------------------------------------------------------------- open */

enum spool_open_flags {
	SPOOL_CREATE = 1 << 0,    /* create the directory (0700) and file (0600) */
	SPOOL_CHECK = 1 << 1,     /* check the database (the daemon, at start):
	                             SQLite's PRAGMA quick_check, unless the file
	                             is as spool_mark_clean left it; PostgreSQL's
	                             sanity query */
	SPOOL_READONLY = 1 << 2,  /* writes fail with SPOOL_PERMISSION; the
	                             schema must be current */
};

/* Opens the spool database at PATH and upgrades an older schema. Refuses
 * (SPOOL_PERMISSION, saying which and why) a file or directory that is a
 * symbolic link, not owned by the effective uid, or group/world-writable.
 * Missing file without SPOOL_CREATE: SPOOL_NOT_FOUND. Not a database or
 * damaged: SPOOL_CORRUPT. Newer schema: SPOOL_VERSION naming both versions.
 * Returns 0 and *OUT, or a code and *OUT = NULL. */
int spool_open(const char *path, int flags, struct spool **out,
	       struct spool_err *err);

/* Closes SP (NULL allowed). */
void spool_close(struct spool *sp);

/* Whether SP's open ran the check SPOOL_CHECK asks for (false when it was
 * not asked for, or skipped: the file unchanged since spool_mark_clean). */
bool spool_checked(const struct spool *sp);

/* For the daemon, once every one of its connections to PATH is closed (a
 * clean stop): records the SQLite file as it is now in PATH-clean, so that
 * the next open with SPOOL_CHECK skips quick_check, which reads every page,
 * while the file stays exactly so (its change time, size and identity, and
 * an empty WAL). Nothing for PostgreSQL. SPOOL_OK, or SPOOL_IO / SPOOL_INVALID
 * (the next start then checks). */
int spool_mark_clean(const char *path, struct spool_err *err);

/* The path SP was opened with (owned by SP). */
const char *spool_path(const struct spool *sp);

/* SP's backend: "sqlite" or "postgresql". */
const char *spool_backend_name(const struct spool *sp);

/* The schema version this program writes in SP's backend: SQLite's
 * `PRAGMA user_version`, or the row of PostgreSQL's schema_version table
 * (each backend counts its own migrations). */
int spool_schema_version(const struct spool *sp);

/* ---------------------------------------------------------------- crontabs */

/* Every crontab change (install or removal) takes the next generation, one
 * counter for all owners: generations strictly increase and are never
 * reused. A removal leaves a tombstone so changes since a generation include
 * it. */
struct spool_crontab {
	const char *owner;
	uid_t uid;
	const char *text;     /* the bytes as installed, text[len] == '\0';
	                         NULL for a tombstone */
	size_t len;
	int64_t installed_at; /* when installed (or removed) */
	uid_t installed_by;   /* who installed (or removed) it */
	int64_t generation;
	bool removed;         /* a tombstone */
	void *mem_;           /* private: owns owner and text */
};

/* Installs (or replaces) OWNER's crontab: LEN bytes of TEXT, any bytes, up
 * to SPOOL_CRONTAB_MAX; stored and returned byte for byte. *GENERATION (may
 * be NULL) gets the change's generation. */
int spool_crontab_install(struct spool *sp, const char *owner, uid_t uid,
			  const void *text, size_t len, uid_t by, int64_t now,
			  int64_t *generation, struct spool_err *err);

/* OWNER's installed crontab into *OUT (free with spool_crontab_free).
 * SPOOL_NOT_FOUND when OWNER has none (never installed, or removed). */
int spool_crontab_get(struct spool *sp, const char *owner,
		      struct spool_crontab *out, struct spool_err *err);

/* Removes OWNER's crontab, leaving a tombstone with a new generation
 * (*GENERATION, may be NULL). SPOOL_NOT_FOUND when OWNER has none. */
int spool_crontab_remove(struct spool *sp, const char *owner, uid_t by,
			 int64_t now, int64_t *generation,
			 struct spool_err *err);

/* Up to MAX (>= 1) crontabs and tombstones changed after generation SINCE,
 * in generation order, as a new array *OUT of *N records (free with
 * spool_crontabs_free). Call again with the last generation seen until *N
 * is 0: SINCE = 0 loads everything. */
int spool_crontab_changes(struct spool *sp, int64_t since, size_t max,
			  struct spool_crontab **out, size_t *n,
			  struct spool_err *err);

/* The latest generation (0 before any change). */
int spool_crontab_generation(struct spool *sp, int64_t *generation,
			     struct spool_err *err);

void spool_crontab_free(struct spool_crontab *c);
void spool_crontabs_free(struct spool_crontab *v, size_t n);

/* The owners of the crontabs installed now (no tombstone), in the byte
 * order of their names, as a new array *OUT of *N strings (free with
 * spool_names_free); no crontab's text is read. */
int spool_crontab_owners(struct spool *sp, char ***out, size_t *n, struct spool_err *err);
void spool_names_free(char **v, size_t n);

/* ---------------------------------------------------------------- at jobs */

/* A job is waiting, then claimed (running), then finished: a finished job's
 * row is deleted (its result lives in the run history). A job found running
 * when the daemon starts was cut off by a crash: it becomes interrupted and
 * is never started again; the daemon finishes it with a record flagged
 * SPOOL_RUN_INTERRUPTED. */
enum spool_at_state {
	SPOOL_AT_WAITING,
	SPOOL_AT_RUNNING,
	SPOOL_AT_INTERRUPTED,
};

enum spool_at_mail {
	SPOOL_MAIL_DEFAULT,   /* mail output if there is any */
	SPOOL_MAIL_ALWAYS,    /* at -m */
	SPOOL_MAIL_NEVER,     /* at -M */
};

struct spool_at_job {
	int64_t id;              /* output: ids increase, never reused */
	char queue;              /* 'a'-'z', 'A'-'Z' */
	const char *owner;
	uid_t uid;
	gid_t gid;
	int64_t run_at;
	int64_t created_at;
	const char *script;      /* script[script_len] == '\0' on output */
	size_t script_len;
	const char *const *env;  /* NULL-terminated "NAME=VALUE" strings; NULL
	                            on input means none */
	const char *cwd;         /* absolute path */
	mode_t umask;            /* 0 - 0777 */
	enum spool_at_mail mail;
	const char *mail_to;     /* at -u: the user mailed instead of the owner (a
	                            name, bounded as owner); NULL for the owner */
	enum spool_at_state state;  /* output */
	pid_t pid;               /* output: set by spool_at_set_running, else 0 */
	int64_t started_at;      /* output: likewise, else 0 */
	void *mem_;              /* private: owns the strings on output */
};

/* Queues JOB (id, state, pid, started_at and mem_ are ignored) as waiting;
 * *ID (may be NULL) gets its new id. SPOOL_INVALID for a bad queue letter,
 * empty owner, relative cwd, umask over 0777, environment string without
 * '=', or anything over its bound. */
int spool_at_submit(struct spool *sp, const struct spool_at_job *job,
		    int64_t *id, struct spool_err *err);

/* What a user's queued at jobs (any state) hold: how many, and their bytes
 * (script + environment + working directory, as spool_at_job_bytes). */
struct spool_at_usage {
	uint64_t jobs;
	uint64_t bytes;
};

/* A job's bytes as counted against a quota. */
uint64_t spool_at_job_bytes(const struct spool_at_job *job);

/* JOB's owner's (JOB->uid) usage into *OUT. */
int spool_at_usage_of(struct spool *sp, uid_t uid, struct spool_at_usage *out,
		      struct spool_err *err);

/* As spool_at_submit, but only if, counting JOB, its owner's jobs stay
 * within MAX_JOBS and MAX_BYTES: else SPOOL_QUOTA and nothing written. The
 * check and the insert are one transaction. *USAGE (may be NULL) gets the
 * owner's usage before JOB (also on SPOOL_QUOTA). */
int spool_at_submit_quota(struct spool *sp, const struct spool_at_job *job,
			  uint64_t max_jobs, uint64_t max_bytes, int64_t *id,
			  struct spool_at_usage *usage, struct spool_err *err);

/* Queues the N jobs of JOBS (each as spool_at_submit) in one transaction,
 * so they cost one durable write between them (group commit). With QUOTA
 * (may be NULL), each job whose uid is not 0 is checked as
 * spool_at_submit_quota checks it, inside that transaction, so the jobs
 * queued before it in the batch count: over a limit its CODES[i] is
 * SPOOL_QUOTA and USAGES[i] (USAGES may be NULL) its owner's usage before
 * it. CODES[i] gets job i's own result: SPOOL_OK with IDS[i] its new id, or
 * the code of spool_at_submit's checks with ERRS[i] filled (that job alone
 * is left out).
 * Returns SPOOL_OK once the transaction is durable (whatever CODES say),
 * else its failure in ERR, and then no job was queued and every CODES[i]
 * that was SPOOL_OK is that failure. N may be 0; at most SPOOL_AT_BATCH_MAX. */
#define SPOOL_AT_BATCH_MAX 256
struct spool_at_quota {
	uint64_t max_jobs, max_bytes;
};
int spool_at_submit_many(struct spool *sp, const struct spool_at_job *jobs, size_t n,
			 const struct spool_at_quota *quota, int64_t *ids, int *codes,
			 struct spool_err *errs, struct spool_at_usage *usages,
			 struct spool_err *err);

struct spool_at_filter {
	bool all_owners;   /* true: every owner's jobs; false: UID's only */
	uid_t uid;
	char queue;        /* a queue letter, or 0 for any queue */
	bool after;        /* a cursor: only jobs after (after_run_at,
	                    * after_id) in the order below, so a page starts
	                    * after the last job of the one before */
	int64_t after_run_at;
	int64_t after_id;
	size_t limit;      /* at most this many; 0: all */
};

struct spool_at_summary {
	int64_t id;
	char queue;
	char owner[SPOOL_NAME_MAX + 1];
	uid_t uid;
	int64_t run_at;
	enum spool_at_state state;
};

/* The jobs FILTER selects, sorted by run_at then id, as a new array *OUT of
 * *N (free with free(); NULL when *N is 0). */
int spool_at_list(struct spool *sp, const struct spool_at_filter *filter,
		  struct spool_at_summary **out, size_t *n,
		  struct spool_err *err);

/* Job ID in full into *OUT (free with spool_at_job_free). */
int spool_at_get(struct spool *sp, int64_t id, struct spool_at_job *out,
		 struct spool_err *err);

/* Deletes job ID on behalf of REQUESTER (uid 0 may delete any job, others
 * only their own). SPOOL_NOT_FOUND, SPOOL_PERMISSION (someone else's job),
 * SPOOL_CONFLICT (running: it cannot be unqueued). */
int spool_at_remove(struct spool *sp, int64_t id, uid_t requester,
		    struct spool_err *err);

/* Removes the N jobs of IDS (each as spool_at_remove) in one transaction,
 * so a request to remove many costs one durable write. CODES[i] gets id i's
 * own result, SPOOL_OK or spool_at_remove's refusals (NOT_FOUND,
 * PERMISSION, CONFLICT) with ERRS[i] filled; those leave the others be.
 * Returns SPOOL_OK once the transaction is durable (whatever CODES say),
 * else its failure in ERR, and then nothing was removed and every CODES[i]
 * that was SPOOL_OK is that failure. N may be 0; at most
 * SPOOL_AT_REMOVE_MAX (SPOOL_INVALID). */
#define SPOOL_AT_REMOVE_MAX 1000
int spool_at_remove_many(struct spool *sp, const int64_t *ids, size_t n, uid_t requester,
			 int *codes, struct spool_err *errs, struct spool_err *err);

/* Atomically moves job ID from waiting to running (whatever its run_at).
 * SPOOL_CONFLICT when it is not waiting: of any number of claimers, in any
 * processes, exactly one succeeds. On a shared spool, a claim whose
 * commit's answer was lost (spool_err.unknown) is looked at again at once;
 * when that cannot answer either, SP remembers the job, and its next claim
 * of it wins if the job is SP's node's, claimed and not started: the lost
 * claim was made. */
int spool_at_claim(struct spool *sp, int64_t id, int64_t now,
		   struct spool_err *err);

/* Claims up to MAX (>= 1) waiting jobs with run_at <= NOW whose queue is in
 * QUEUES (a string of queue letters; NULL for every queue), earliest run_at
 * then lowest id first, in one transaction, and returns them in full as a new
 * array *OUT of *N (free with spool_at_jobs_free). */
int spool_at_claim_due(struct spool *sp, int64_t now, const char *queues,
		       size_t max, struct spool_at_job **out, size_t *n,
		       struct spool_err *err);

/* Records the pid and start time of running job ID. SPOOL_NOT_FOUND, or
 * SPOOL_CONFLICT when it is not running. On SQLite the record is written
 * without an fsync of its own: a killed crond leaves it, and the
 * connection's next commit (or checkpoint) makes it durable, so that the
 * job's process, which waits for it (crond/run/runner.h: gated), starts
 * at once after the write. A power cut before that commit loses the
 * record: the job then runs again at the next start. */
int spool_at_set_running(struct spool *sp, int64_t id, pid_t pid,
			 int64_t started_at, struct spool_err *err);

/* Finishes running or interrupted job ID: deletes it and, when RESULT is
 * not NULL, records RESULT in the run history in the same transaction
 * (completing the running record RESULT->id names, as spool_history_end,
 * else appended), so a crash never leaves a finished job without its
 * record, or a record of a job still queued. SPOOL_NOT_FOUND,
 * SPOOL_CONFLICT when it is waiting, or SPOOL_INVALID for a malformed
 * RESULT (see spool_history_append). */
int spool_at_finish(struct spool *sp, int64_t id, const struct spool_run *result,
		    struct spool_err *err);

/* For the daemon's start: every running job becomes interrupted (none can
 * be running before the daemon is), then every interrupted job, including
 * ones left by an earlier start, is returned in full as a new array *OUT of
 * *N (free with spool_at_jobs_free), in run_at order. On SQLite a job
 * claimed whose start was never recorded (spool_at_set_running) waits
 * again instead (sqlite/atrun.c says why); on PostgreSQL it is
 * interrupted too, as a lost node's are: there the start's record is a
 * round trip away from the fork, and exactly once across nodes comes
 * first. */
int spool_at_recover(struct spool *sp, int64_t now, struct spool_at_job **out,
		     size_t *n, struct spool_err *err);

/* The earliest run_at of a waiting job whose queue is in QUEUES (NULL: any).
 * SPOOL_NOT_FOUND when there is none. */
int spool_at_next_run(struct spool *sp, const char *queues, int64_t *run_at,
		      struct spool_err *err);

void spool_at_job_free(struct spool_at_job *job);
void spool_at_jobs_free(struct spool_at_job *v, size_t n);

/* ---------------------------------------------------------------- import */

/* Importing another cron's spool (crond --import-debian) exactly once. Each
 * imported item is remembered under a meta name MARK (e.g.
 * "import-debian:atjobs/a0000101e18a38"), written in the same transaction
 * as the item, so a second import of the same item changes nothing. */
enum spool_import_result {
	SPOOL_IMPORTED,          /* done now */
	SPOOL_IMPORTED_BEFORE,   /* MARK says it was imported already */
	SPOOL_IMPORT_KEPT,       /* crontab: the owner has one that the import
	                            did not install: left alone, not imported */
};

/* Queues JOB (as spool_at_submit) under id WANT_ID when no job ever had it
 * (ids above every id given so far), else under the next new id, and sets
 * MARK to the id, in one transaction; *ID gets the id. If MARK is already
 * set nothing changes: *RESULT = SPOOL_IMPORTED_BEFORE and *ID the recorded
 * id. Later submissions get ids above WANT_ID. */
int spool_at_import(struct spool *sp, const struct spool_at_job *job,
		    int64_t want_id, const char *mark, int64_t *id,
		    enum spool_import_result *result, struct spool_err *err);

/* Installs OWNER's crontab (as spool_crontab_install) and sets MARK to
 * "DIGEST GENERATION", in one transaction, unless MARK already holds DIGEST
 * (SPOOL_IMPORTED_BEFORE: the same source was imported) or OWNER has a
 * crontab that is not the one an earlier import installed (SPOOL_IMPORT_KEPT:
 * installed with `crontab` since, never overwritten). DIGEST: 1 - 64 bytes,
 * no blank. *GENERATION (may be NULL) gets the change's generation, or 0. */
int spool_crontab_import(struct spool *sp, const char *owner, uid_t uid,
			 const void *text, size_t len, int64_t now,
			 const char *mark, const char *digest,
			 int64_t *generation, enum spool_import_result *result,
			 struct spool_err *err);

/* ---------------------------------------------------------------- full disk */

/* Removals must work on a full file system, but even a delete needs room:
 * SQLite appends the changed pages to the write-ahead log. So the spool
 * keeps a reserve: a file of SPOOL_RESERVE_BYTES really allocated blocks
 * beside the database (PATH-reserve), and a second one for root's removals
 * alone (PATH-reserve-root): once a user's removal has spent the first,
 * the room it gave back goes to whoever writes next, perhaps the user who
 * filled the file system, and root must still be able to remove. When a
 * removal fails with SPOOL_FULL, the caller releases a reserve and
 * retries; it makes the reserves again once there is room. */
#define SPOOL_RESERVE_BYTES (1024 * 1024)

/* Makes the reserves that are missing or short (a partial one is removed
 * on failure). SPOOL_FULL when there is no room for them. */
int spool_reserve_make(struct spool *sp, struct spool_err *err);

/* Deletes the shared reserve, or when it is gone and FOR_ROOT, root's;
 * *FREED (may be NULL) gets its size in bytes. SPOOL_NOT_FOUND when there
 * is none that may be used. */
int spool_reserve_release(struct spool *sp, bool for_root, uint64_t *freed,
			  struct spool_err *err);

/* Whether both reserves are there (and whole). */
bool spool_reserve_present(struct spool *sp);

/* ---------------------------------------------------------------- compaction */

/* Deleted rows leave free space in the spool's file, which later writes
 * reuse but the file system never gets back. The SQLite spool gives it
 * back a little at a time (spool_compact); PostgreSQL's autovacuum does
 * this on the server, so there both calls do nothing. */
struct spool_space {
	uint64_t page_bytes;   /* the file's page size */
	uint64_t pages;        /* the file's size, in pages */
	uint64_t free_pages;   /* of them free: unused by any row */
	bool can_compact;      /* spool_compact can give free pages back: false
	                          for a spool made before compaction came until
	                          spool_compact_enable, and for PostgreSQL */
};

/* Gives back to the file system up to MAX_PAGES free pages (0: none, only
 * *SPACE), moving pages from the end of the file into free ones: a short
 * write transaction, about 13 ms for 256 pages. *SPACE: the file after. */
int spool_compact(struct spool *sp, unsigned max_pages, struct spool_space *space,
		  struct spool_err *err);

/* Makes a spool made before compaction came able to compact: rewrites the
 * whole file once (SQLite's VACUUM, its copy in memory, the new file
 * through the WAL, which is emptied after, whether it worked or not: about
 * 15 s for 1 GB here). *REWRITTEN: whether it did; false when there was
 * nothing to do. Does nothing, and says why, for a file over MAX_BYTES
 * (SPOOL_CONFLICT: its free pages are still reused, just never given back)
 * or without twice its size free on its file system (SPOOL_FULL). */
int spool_compact_enable(struct spool *sp, uint64_t max_bytes, bool *rewritten,
			 struct spool_err *err);

/* ---------------------------------------------------------------- history */

enum spool_run_kind {
	SPOOL_RUN_CRON,
	SPOOL_RUN_AT,
};

/* Run flags. */
#define SPOOL_RUN_SKIPPED      0x01  /* not started: previous run still going */
#define SPOOL_RUN_TIMED_OUT    0x02  /* killed for running past its timeout */
#define SPOOL_RUN_INTERRUPTED  0x04  /* cut off by a daemon crash or stop */
#define SPOOL_RUN_FAILED_START 0x08  /* could not be started (fork, setuid...) */
#define SPOOL_RUN_TRUNCATED    0x10  /* output beyond the head was not kept */
#define SPOOL_RUN_CATCHUP      0x20  /* a catch-up run after downtime */
#define SPOOL_RUN_RUNNING      0x40  /* started, not ended yet (see
                                        spool_history_begin): end_ms is 0,
                                        exit_code -1, no output */
#define SPOOL_RUN_QUEUE_FULL   0x80  /* not started: too many runs waiting */
#define SPOOL_RUN_COALESCED    0x100 /* not started: a run of it was still waiting */
#define SPOOL_RUN_CANCELLED    0x200 /* not started: its entry was removed or replaced */
#define SPOOL_RUN_MANUAL       0x400 /* started by hand (crontab --run), not by the schedule */
#define SPOOL_RUN_REFUSED_QUOTA 0x800 /* not queued or installed: a per-user quota */
#define SPOOL_RUN_NODE_LOST    0x1000 /* with INTERRUPTED: its node stopped its
                                         heartbeat (cluster) */
#define SPOOL_RUN_CLOCK_SKEW   0x2000 /* not started here: this node's clock is
                                         too far from the database's (cluster) */
#define SPOOL_RUN_CLAIM_LATE   0x4000 /* not started: whether its claim was made
                                         stayed unknown until it was too late
                                         to start (cluster) */

struct spool_run {
	int64_t id;                /* output: the record's id */
	enum spool_run_kind kind;
	const char *owner;
	uid_t uid;
	const char *entry_key;     /* the daemon's key for the entry, or the at
	                              job's id; 1 - SPOOL_KEY_MAX bytes */
	const char *command;
	int64_t scheduled_ms;      /* the instant it was due */
	int64_t start_ms;          /* started (or skipped, or failed); orders
	                              queries and age pruning */
	int64_t end_ms;
	int exit_code;             /* exit status, or -1 (signalled, not run) */
	int signal;                /* terminating signal, or 0 */
	unsigned flags;            /* SPOOL_RUN_* */
	const void *output;        /* the first output_len bytes of output */
	size_t output_len;         /* <= SPOOL_OUTPUT_MAX */
	int64_t output_total;      /* total bytes of output */
	const char *node;          /* output: the cluster node that recorded it
	                              (spool_set_node), or NULL (SQLite spool);
	                              ignored on input */
	void *mem_;                /* private: owns the strings on output */
};

/* Appends N (>= 1) records of ended runs in one transaction: all or none.
 * SPOOL_INVALID for a record flagged SPOOL_RUN_RUNNING. */
int spool_history_append(struct spool *sp, const struct spool_run *runs,
			 size_t n, struct spool_err *err);

/* A run's record lives from its start: spool_history_begin writes it as
 * running, spool_history_end completes it, and at the daemon's next start
 * spool_history_recover finds the ones a crash left running. */

/* Records N (>= 1) runs that just started, in one transaction (one fsync
 * for a burst of starts): each is stored flagged SPOOL_RUN_RUNNING with
 * end_ms 0, exit_code -1, signal 0 and no output (those fields of RUNS are
 * ignored; its other flags are kept). IDS[i] gets the id of RUNS[i]'s
 * record, for spool_history_end. All or none. */
int spool_history_begin(struct spool *sp, const struct spool_run *runs,
			size_t n, int64_t *ids, struct spool_err *err);

/* Records N (>= 1) runs that ended, in one transaction: a record whose id
 * names a running record completes it (the end, status, flags and output
 * are written; kind, owner, key, command and times as begun are kept); one
 * whose record already holds this very end (end_ms, exit code, signal and
 * flags: a retry of an end whose commit's answer was lost) changes nothing
 * more; any other (id 0, or its running record is gone or ended otherwise)
 * is appended as new, as spool_history_append does. On a shared spool an
 * id 0 first completes this node's running record of the same run (entry
 * key, scheduled and start instants, kind), if there is one: its begin
 * committed though its answer was lost. All or none. */
int spool_history_end(struct spool *sp, const struct spool_run *runs,
		      size_t n, struct spool_err *err);

/* For the daemon's start: every record still running was cut off by a
 * crash (no run can be going before the daemon is), so each ends at NOW_MS
 * (or its start, if later) flagged SPOOL_RUN_INTERRUPTED instead of
 * SPOOL_RUN_RUNNING, with no status. They are returned as they now read, as
 * a new array *OUT of *N (free with spool_runs_free), oldest first. */
int spool_history_recover(struct spool *sp, int64_t now_ms,
			  struct spool_run **out, size_t *n,
			  struct spool_err *err);

struct spool_history_filter {
	bool by_uid;             /* only UID's records */
	uid_t uid;
	const char *entry_key;   /* only this entry's records; NULL: any */
	int64_t since_ms;        /* only records with start_ms >= since_ms */
	size_t limit;            /* at most this many, 1 - SPOOL_QUERY_MAX */
	bool brief;              /* with entry_key: without the output (output_len
	                          * and output_total 0), never reading it, and
	                          * without the command (""): the times, result
	                          * and flags a status needs */
	bool before;             /* a cursor: only records strictly older than
	                          * (before_start_ms, before_id) in the order
	                          * below, so the next page starts after the last
	                          * record of the previous one; false: none */
	int64_t before_start_ms;
	int64_t before_id;
};

/* The records FILTER selects, newest (start_ms, then id) first, as a new
 * array *OUT of *N (free with spool_runs_free). */
int spool_history_query(struct spool *sp,
			const struct spool_history_filter *filter,
			struct spool_run **out, size_t *n,
			struct spool_err *err);

/* The records of each of N_KEYS entries in one consistent read: for each
 * KEYS[i], what spool_history_query gives for FILTER with entry_key
 * KEYS[i] (FILTER's own entry_key must be NULL), all in one new array *OUT
 * (free with spool_runs_free on *N), entry by entry: COUNTS[i] (N_KEYS of
 * them, filled) records of KEYS[i], newest first. One transaction instead
 * of one per entry: a crontab's status reads thousands of entries. At most
 * SPOOL_QUERY_MAX records in all: N_KEYS times FILTER's limit must not
 * exceed it (the caller groups its keys). */
int spool_history_query_keys(struct spool *sp,
			     const struct spool_history_filter *filter,
			     const char *const *keys, size_t n_keys,
			     struct spool_run **out, size_t *counts, size_t *n,
			     struct spool_err *err);

void spool_runs_free(struct spool_run *v, size_t n);

/* Deletes at most BATCH (1 - SPOOL_QUERY_MAX) ended records with start_ms <
 * BEFORE_MS, oldest first (running records are never pruned), in one short
 * write transaction; *DELETED (may be NULL) gets how many. Call again until
 * it is less than BATCH. */
int spool_history_prune_age(struct spool *sp, int64_t before_ms, size_t batch,
			    size_t *deleted, struct spool_err *err);

/* Deletes at most BATCH (1 - SPOOL_QUERY_MAX) ended records beyond the
 * newest KEEP of each entry key (running records count, but stay);
 * *DELETED (may be NULL) gets how many. Call again until it is less than
 * BATCH. Each call finds the records in a read transaction, which blocks
 * no writer (the entries over KEEP by an index scan, about 20 ms per
 * 100,000 records, then each one's excess through the index), from the
 * entry where SP's previous call stopped (a call that deletes less than
 * BATCH ends a pass; the next starts from the first entry), so that a pass
 * costs one scan of the history however many calls it takes; then it
 * deletes the chosen records in a short write transaction: pace the
 * calls. */
int spool_history_prune_count(struct spool *sp, size_t keep, size_t batch,
			      size_t *deleted, struct spool_err *err);

/* As spool_history_prune_count, but keeps the newest KEEP records of each
 * owner (uid) other than root, whatever entries they belong to: so one
 * user's history is bounded however many entries they have. */
int spool_history_prune_user_count(struct spool *sp, size_t keep, size_t batch,
				   size_t *deleted, struct spool_err *err);

/* ---------------------------------------------------------------- state */

/* Per crontab entry: the last instant it was scheduled for and when it last
 * started (seconds; 0 = never). */
struct spool_entry_state {
	const char *key;       /* 1 - SPOOL_KEY_MAX bytes */
	int64_t last_scheduled;
	int64_t last_start;
	void *mem_;            /* private: owns key on output */
};

/* KEY's state into *LAST_SCHEDULED and *LAST_START (either may be NULL).
 * SPOOL_NOT_FOUND when none is stored. */
int spool_state_get(struct spool *sp, const char *key,
		    int64_t *last_scheduled, int64_t *last_start,
		    struct spool_err *err);

/* Stores N states (inserting or replacing) in one transaction. */
int spool_state_set(struct spool *sp, const struct spool_entry_state *v,
		    size_t n, struct spool_err *err);

/* The stored states whose key begins with PREFIX (NULL or "": every one),
 * sorted by key, as a new array *OUT of *N (free with spool_states_free).
 * Only those rows are read (a range of the key's index). SPOOL_INVALID for
 * a PREFIX longer than SPOOL_KEY_MAX. */
int spool_state_list(struct spool *sp, const char *prefix,
		     struct spool_entry_state **out, size_t *n,
		     struct spool_err *err);

/* Deletes the states of N KEYS in one transaction; absent keys are fine. */
int spool_state_delete(struct spool *sp, const char *const *keys, size_t n,
		       struct spool_err *err);

void spool_states_free(struct spool_entry_state *v, size_t n);

/* Small named values (e.g. "reboot_boot_id"). NAME: 1 - SPOOL_NAME_MAX
 * bytes; VALUE: a string of at most SPOOL_META_MAX bytes. get copies the
 * value into BUF of SIZE bytes: SPOOL_NOT_FOUND when unset, SPOOL_INVALID
 * (BUF untouched) when it does not fit. */
int spool_meta_get(struct spool *sp, const char *name, char *buf, size_t size,
		   struct spool_err *err);
int spool_meta_set(struct spool *sp, const char *name, const char *value,
		   struct spool_err *err);

/* A secret of LEN (1 - 64) random bytes kept as the meta value NAME (in
 * hex): read into OUT, or made (getrandom) and stored on first use. Two
 * first uses at the same instant may both make one; the later store wins
 * and the earlier maker holds a different secret until it reads it again. */
#define SPOOL_SECRET_MAX 64
int spool_secret(struct spool *sp, const char *name, uint8_t *out, size_t len,
		 struct spool_err *err);

/* ---------------------------------------------------------------- cluster */

/* A PostgreSQL spool is shared: several crond nodes use one database. Each
 * connection acts for one node, named by spool_set_node (default: the host
 * name). On a shared spool:
 * - spool_history_begin, spool_run_claim and spool_at_claim(_due) record the
 *   connection's node on what they write, and spool_history_query returns it;
 * - spool_history_recover and spool_at_recover touch only the connection's
 *   node's runs and jobs (other nodes' may well be going);
 * - every change to crontabs and at jobs is announced to watchers
 *   (spool_watch_*) when it commits.
 * The SQLite spool is one machine's: it keeps the node name but records
 * none, and cannot be watched. */

/* Whether SP is shared by several nodes (PostgreSQL). */
bool spool_is_shared(const struct spool *sp);

#define SPOOL_NODE_MAX 64

/* Names the node SP acts for: 1 - SPOOL_NODE_MAX bytes of letters, digits,
 * '.', '-' and '_'. SPOOL_INVALID otherwise. */
int spool_set_node(struct spool *sp, const char *node, struct spool_err *err);

/* The node SP acts for (owned by SP). */
const char *spool_node(const struct spool *sp);

/* Claims N (>= 1) scheduled runs of crontab entries, in one transaction:
 * run i is won by the first claim of its (entry_key, scheduled_ms), in any
 * process on any node; WON[i] says whether this call won it. A won run is
 * recorded as started, as spool_history_begin records it (IDS[i] gets its
 * record's id), in that same transaction; a lost one gets IDS[i] = 0 and
 * nothing is written for it. A run begun by spool_history_begin or
 * recorded by spool_history_append/end with SPOOL_RUN_SKIPPED or
 * SPOOL_RUN_CLOCK_SKEW does not count as a claim. On a shared spool a run
 * this node claimed with the same start_ms is won again, with its record
 * (nothing written): that is the same claim tried again after its commit's
 * answer was lost (spool_err.unknown), which spool_run_claim itself does
 * at once and its caller may do later. All or none: on failure no run is
 * claimed (WON all false). */
int spool_run_claim(struct spool *sp, const struct spool_run *runs, size_t n,
		    int64_t *ids, bool *won, struct spool_err *err);

/* Writes SP's node's heartbeat (the database's own clock is the beat's
 * time) and gets the database's clock into *DB_NOW_MS (may be NULL), read
 * in the same statement: the caller compares it with its own clock. On an
 * unshared spool nothing is written and *DB_NOW_MS is NOW_MS. */
int spool_node_beat(struct spool *sp, int64_t now_ms, int64_t *db_now_ms,
		    struct spool_err *err);

/* A node whose heartbeat is older than TIMEOUT_MS (by the database's clock)
 * is lost: in one transaction per lost node, its running records end
 * flagged SPOOL_RUN_INTERRUPTED | SPOOL_RUN_NODE_LOST (end: now, by the
 * database's clock), its claimed at jobs are deleted with such a record
 * each (as spool_at_finish), and the node is forgotten until it beats
 * again. SP's own node is never lost. *LOST (may be NULL) gets the lost
 * nodes' names as a new array of *N strings (free each and the array with
 * free()). Unshared spool: nothing, *N = 0. */
int spool_node_reap(struct spool *sp, int64_t timeout_ms, char ***lost,
		    size_t *n, struct spool_err *err);

/* For the node's clean stop, once every run it started has ended and been
 * recorded: SP's node leaves the cluster, so no survivor takes it for
 * lost (and logs it so) after node_timeout. In one transaction its
 * heartbeat row is deleted, but only when it holds nothing: no running
 * record and no claimed (running or interrupted) at job of its node.
 * Otherwise nothing changes and the result is SPOOL_CONFLICT, saying how
 * many of each it holds: its heartbeat then stops, and after node_timeout
 * a survivor records them interrupted, as for a node that died. A node
 * that never beat, or left already, leaves at once. A node that beats
 * again after leaving is back (a new row). Unshared spool: nothing to do,
 * 0. */
int spool_node_leave(struct spool *sp, struct spool_err *err);

/* Watching for other nodes' changes. spool_watch_start makes SP a watcher
 * and gives *FD, a descriptor that becomes readable when a change may have
 * been committed (by any node); spool_watch_drain then consumes what is
 * pending and says in *CHANGED whether anything was announced. A watcher
 * should still resync now and then (a lost connection loses announcements;
 * after one, drain fails and the watcher starts again). SQLite:
 * SPOOL_INVALID (nothing to watch: the daemon makes every change itself). */
int spool_watch_start(struct spool *sp, int *fd, struct spool_err *err);
int spool_watch_drain(struct spool *sp, bool *changed, struct spool_err *err);

#endif
