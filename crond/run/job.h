/* crond/run/job.h: one job as the supervisor holds it, from start to record.
 *
 * DESIGN: supervisor thread only. A job is a started child (crond/run/runner.h)
 * plus what the supervisor learns about it: whether the exec happened, the
 * output (kept up to the configured cap, then only counted: never held
 * without bound, and the pipe is always drained: past the cap in the
 * kernel, with pauses of JOB_DISCARD_PAUSE_NS or more between drains,
 * during which the job may wait on its full pipe), the exit status, and
 * its deadlines. job_finish turns it into
 * a history record and, when wanted, a mail (another child: JOB_MAIL).
 */
#ifndef CROND_JOB_H
#define CROND_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/run/runner.h"
#include "crond/run/runreq.h"
#include "lib/config.h"
#include "spool/spool.h"

#define JOB_KILL_AFTER_NS (10LL * 1000000000)   /* SIGKILL this long after SIGTERM */
#define JOB_LINGER_NS (60LL * 1000000000)       /* wait for output EOF after exit */
#define JOB_HISTORY_OUTPUT 4096                 /* output bytes kept in history */
#define JOB_LABEL_MAX 200                       /* command bytes in log lines */
#define JOB_FAIL_MSG_MAX 1536                   /* bytes of why a job did not start
                                                   (lib/failtext.h keeps the reason
                                                   at its end): with the label, a
                                                   FAIL line stays within a log
                                                   line's 2,048 */
#define JOB_READ_BUDGET 65536                   /* output bytes read per call */
#define JOB_DISCARD_BUDGET (1024 * 1024)        /* bytes past the cap dropped per
                                                   call: an unprivileged pipe's
                                                   most (fs.pipe-max-size) */
#define JOB_DISCARD_PAUSE_NS 2000000LL          /* and no more often than this, */
#define JOB_DISCARD_SHARE 20                    /* nor than this many times the
                                                   CPU time the last drain cost, */
#define JOB_DISCARD_PAUSE_MAX_NS 1000000000LL   /* up to this */

enum job_kind { JOB_CRON, JOB_AT, JOB_MAIL };

struct job;

/* Which of a job's descriptors an epoll event is about. */
enum job_fd { JOB_FD_OUT, JOB_FD_ERR, JOB_FD_PID };

struct job {
	struct job *next, *prev;       /* the supervisor's running jobs */
	struct job *touched_next;      /* its jobs to look at again (touched) */
	bool touched;
	bool reap_polled;              /* without a pidfd: reaped by polling
	                                  until it exits */
	enum job_kind kind;
	struct run_request *req;       /* JOB_CRON, JOB_AT */
	struct spool_at_job at;        /* JOB_AT: the job as claimed */
	bool have_at;
	char user[SPOOL_NAME_MAX + 1];
	char label[JOB_LABEL_MAX + 1]; /* for log lines */
	struct job_proc proc;
	uint32_t slot, gen;            /* the supervisor's handle for epoll events */
	int64_t start_ns, end_ns;      /* crond's clock */
	int64_t start_mono, end_mono; /* for durations: the test clock may run fast */
	bool decided, start_failed;
	char *fail_msg;                /* why it did not start (malloc'd), or NULL:
	                                  read it through job_fail_msg */
	bool exited;
	int wstatus;
	bool out_eof;
	char *out;                     /* first bytes of output */
	size_t out_len, out_cap;
	uint64_t out_total;
	int64_t term_at_mono;          /* timeout: SIGTERM at (0: none) */
	unsigned mail_timeout;         /* JOB_MAIL: its timeout, seconds */
	bool system_mail;              /* JOB_MAIL: of root or a system crontab */
	int64_t kill_at_mono;          /* SIGKILL at (0: none) */
	int64_t linger_until_mono;     /* stop waiting for output EOF (0: not yet) */
	int64_t drain_at_mono;         /* output past the cap: its pipe is taken
	                                  again then (0: when epoll says) */
	bool drain_watched;            /* the pipe is in the epoll set for input
	                                  (false while paused) */
	bool out_paused;               /* it was, once: its pipe was enlarged */
	bool timed_out, interrupted;
	bool skipped;                  /* never started: CRON_OVERLAP=skip, or refused */
	unsigned why_not_run;          /* SPOOL_RUN_QUEUE_FULL, _COALESCED, _CANCELLED,
	                                  _CLOCK_SKEW, _CLAIM_LATE */
	int64_t run_id;                /* its running history record, or 0 */
	bool end_queued;               /* handed to recorder_finished */
};

/* Starts the job for REQ (taken over: freed with the job) as described by
 * the configuration; for an at job AT holds the claimed job (taken over).
 * GATED (an at job): its process waits until runner_release(&job->proc),
 * for the spool to record its start first (crond/run/runner.h).
 * IDS: the owners looked up lately (crond/run/runner.h), or NULL.
 * KIT: what the runner keeps for every start (crond/run/runner.h), or NULL.
 * Returns the job, or NULL with ERR when it could not start (nothing runs;
 * REQ and AT are still the caller's). */
struct job *job_start(struct run_request *req, struct spool_at_job *at, bool gated,
                      const struct config *cfg, struct runner_ids *ids, struct runner_kit *kit,
                      int64_t now_ns, char *err, size_t errlen);

/* A job that never ran, for the record: skipped (CRON_OVERLAP=skip) or
 * failed before it could start (MSG says why). Takes REQ and AT over.
 * NULL on allocation failure (REQ and AT are then still the caller's). */
struct job *job_not_run(struct run_request *req, struct spool_at_job *at, bool skipped,
                        const char *msg, int64_t now_ns);

/* Wraps an already started sendmail (mail_send_*) as a JOB_MAIL job for
 * USER (SYSTEM: the mail of root or of a system crontab), to be stopped
 * when still running after TIMEOUT seconds. */
struct job *job_adopt_mail(struct job_proc *proc, const char *user, bool system, unsigned timeout,
                           int64_t now_ns);

/* Reads what the output pipe holds, up to JOB_READ_BUDGET bytes a call,
 * keeping at most CAP bytes in all. The rest waits for the next call (the
 * pipe stays readable): a job that keeps its pipe full, however fast it
 * writes, holds the supervisor for one read per pass of its loop, not for
 * as long as it writes. Once CAP bytes are kept, and no crontab --run
 * client takes the output (none, gone, or its queue full:
 * runclient_wants_output), the bytes are only counted: they are spliced
 * to DISCARD (/dev/null open for writing; -1: read them as before), up to
 * JOB_DISCARD_BUDGET a call, without being copied. Returns true when it
 * dropped bytes so: the caller should not call again for
 * JOB_DISCARD_PAUSE_NS (the job waits on its full pipe meanwhile). */
bool job_read_output(struct job *j, size_t cap, int discard);

/* Checks the start report; true once decided. *FAILED_NOW is set when this
 * call decided that J did not start (why: job_fail_msg; the caller logs it). */
bool job_check_started(struct job *j, bool *failed_now);

/* Why J did not start, or "" (it started, was skipped, or the message could
 * not be kept for want of memory). */
const char *job_fail_msg(const struct job *j);

/* Reaps the child if it has exited; true once it has. */
bool job_reap(struct job *j, int64_t now_ns);

/* A plain command exec'd without the shell (job_proc's direct) that died of
 * a signal the daemon did not send: reported as dash would have, as exit
 * 128+N with dash's line ("Segmentation fault (core dumped)"; none for
 * SIGINT and SIGPIPE) added to its output (kept up to CAP bytes, as
 * job_read_output keeps). Call once, when the job is done. */
void job_end_as_the_shell(struct job *j, size_t cap);

/* Done: the start is decided, the child reaped, and the output at EOF or
 * given up on. */
bool job_done(const struct job *j);

/* The earliest instant (monotonic ns) at which J needs looking at without
 * an event: its SIGTERM (timeout) or SIGKILL while it runs, the end of its
 * wait for output EOF once it has exited, its paused pipe's next drain;
 * 0 when none. Nothing else makes a job done or due while no event comes. */
int64_t job_next_deadline(const struct job *j);

/* Fills RUN (pointing into J) with the job's history record (its id is
 * the running record's, if one was begun). */
void job_record(const struct job *j, struct spool_run *run, char *key_buf, size_t key_len);

/* The CMD line's detail for a started job ("pid=N label"); false when it
 * logs none (an entry written with a leading '-'). */
bool job_start_detail(const struct job *j, char *buf, size_t len);

/* The END line's detail for a finished job; false when it logs none (a
 * sendmail: job_mail_failure; a run that never started: its FAIL or SKIP
 * line said it; a '-' entry). */
bool job_end_detail(const struct job *j, char *buf, size_t len);

/* Logs the CMD line of a started job, stamped with its start (the instant
 * its history record holds). */
void job_log_start(const struct job *j);

/* Logs the END line for a finished job, stamped with its end. */
void job_log_end(const struct job *j);

/* For a sendmail (JOB_MAIL) that failed: true, with "pid=N sendmail failed:
 * status=N: its output" in BUF, for the supervisor's limited MAIL line. */
bool job_mail_failure(const struct job *j, char *buf, size_t len);

/* Closes the job's descriptors and frees it (REQ and AT included). */
void job_free(struct job *j);

#endif
