/* crond/run/mail.h: mailing a job's output through sendmail.
 *
 * The message (headers, then the captured output bytes as they are) is
 * composed in a memfd, and sendmail is started on it as the JOB'S OWNER with
 * runner_start (crond/run/runner.h): the caller never blocks on the mail system,
 * and the supervisor drains sendmail's output and reaps it like any job.
 *
 *   sendmail -FCronDaemon -i -oem -oi -t     (an at job's: without -F)
 *
 * `-t` takes the recipients from the To: header, so the header must say
 * exactly what was meant: every address is checked, and one that is empty,
 * starts with '-', or holds a control character (CR, LF, TAB, ...) is
 * refused with an error (no mail; the caller logs it). Other header values
 * (command, host, user, environment) have control characters flattened to
 * spaces, so no value can start a header of its own.
 *
 * A cron job's message:
 *
 *   From: root (Cron Daemon)               (or MAILFROM)
 *   To: alice                              (or MAILTO, comma-separated)
 *   Subject: Cron <alice@host> command     (command flattened, cut; host
 *                                           cut at its first '.'; then
 *                                           " (failed)" when the job failed)
 *   MIME-Version: 1.0
 *   Content-Type: text/plain; charset=UTF-8    (or CONTENT_TYPE)
 *   Content-Transfer-Encoding: 8bit            (or CONTENT_TRANSFER_ENCODING)
 *   Auto-Submitted: auto-generated
 *   Precedence: bulk
 *   X-Cron-Env: <SHELL=/bin/sh>            (and HOME, PATH, LOGNAME, USER:
 *   ...                                     never any other variable)
 *
 *   output...
 *   [output truncated: N bytes in all, first M kept]   (when it was)
 *
 * An at job's message, as Debian's atd writes it, has no From: (the mail
 * system names the owner), To: the owner, Subject: Output from your job
 * N (N right-aligned in 8 columns), the MIME headers with their defaults,
 * and no X-Cron-Env.
 *
 * Whether to mail at all is the caller's decision (mail_wanted_*). Runs in
 * the supervisor thread; no shared state.
 */
#ifndef CROND_CROND_MAIL_H
#define CROND_CROND_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/run/jobenv.h"
#include "crond/run/runner.h"
#include "lib/cronmail.h"
#include "lib/mailaddr.h"
#include "lib/proto_msgs.h"

#define MAIL_DEFAULT_FROM "root (Cron Daemon)"
#define MAIL_MAX_LIST MAILADDR_MAX_LIST          /* lib/mailaddr.h */
#define MAIL_MAX_ADDRESS MAILADDR_MAX_ADDRESS
#define MAIL_SUBJECT_COMMAND 120   /* bytes of the command kept in Subject */
#define MAIL_MAX_ENV_VALUE 900     /* bytes of a value kept in X-Cron-Env */

/* The output to send: the first KEPT bytes of DATA, out of TOTAL produced. */
struct mail_output {
	const void *data;
	size_t kept;
	uint64_t total;   /* > KEPT: the message notes the truncation */
};

struct mail_cron {
	const char *user;          /* owner: sendmail runs as this user */
	const char *host;          /* for Subject; NULL: gethostname() */
	const char *command;       /* the entry's command, for Subject */
	const char *mailto;        /* MAILTO; NULL: the owner. "" is refused */
	const char *mailfrom;      /* MAILFROM; NULL, or one sendmail could not
	                              take (lib/mailaddr.h): MAIL_DEFAULT_FROM */
	const struct jobenv *env;  /* the job's environment, for X-Cron-Env; or NULL */
	bool failed;               /* exit status not 0, or killed by a signal */
	const char *silent_note;   /* the body when the run wrote no output
	                              (CRON_MAIL=failure mails a silent failure
	                              too), or NULL */
};

/* Did a job that ended with wait status WSTATUS fail (for mail_cron.failed)? */
bool mail_job_failed(int wstatus);

/* The body of the mail of a failed run that wrote nothing (mail_cron's
 * silent_note): how it ended (WSTATUS; TIMED_OUT after TIMEOUT seconds). */
void mail_silent_note(int wstatus, bool timed_out, uint32_t timeout, char *buf, size_t len);

struct mail_at {
	const char *user;          /* owner: sendmail runs as them */
	const char *to;            /* at -u: the recipient; NULL: the owner */
	int64_t job_id;
};

/* How to reach sendmail. */
struct mail_sender {
	const char *sendmail;      /* absolute path (config `sendmail`) */
	const char *path;          /* PATH for sendmail; NULL: RUNNER_DEFAULT_PATH */
	struct runner_kit *kit;        /* the supervisor's (runner.h), or NULL */
};

/* Mail for a cron job? CRON_MAIL's rule (lib/cronmail.h): WHEN, whether
 * the run FAILED (mail_job_failed, or timed out), its output, MAILTO. */
bool mail_wanted_cron(const char *mailto, enum cron_mail when, bool failed,
                      uint64_t output_total);

/* Mail for an at job? MAIL_ALWAYS: yes; MAIL_NEVER: no; else if output. */
bool mail_wanted_at(enum msg_mail mode, uint64_t output_total);

/* Checks a comma-separated recipient list (blanks around each address are
 * allowed). WHAT names it in the message ("MAILTO"). 0, or -1 with ERR. */
int mail_check_recipients(const char *what, const char *list, char *err, size_t errlen);

/* Checks a single sender (MAILFROM): the recipient rules, and no ','. */
int mail_check_sender(const char *what, const char *from, char *err, size_t errlen);

/* Write the whole message to FD (from its current offset). Fail with ERR for
 * a refused address or a write error; FD's content is then unspecified. */
int mail_compose_cron(int fd, const struct mail_cron *m, const struct mail_output *out,
                      char *err, size_t errlen);
int mail_compose_at(int fd, const struct mail_at *m, const struct mail_output *out,
                    char *err, size_t errlen);

/* Compose into a memfd and start sendmail on it as the owner. Returns 0 with
 * PROC (the caller owns it, as after runner_start: check the start, drain
 * out_fd, reap, runner_proc_close), or -1 with ERR and nothing started (a
 * refused address, no sendmail configured, or runner_start's failures). */
int mail_send_cron(const struct mail_sender *s, const struct mail_cron *m,
                   const struct mail_output *out, struct job_proc *proc, char *err,
                   size_t errlen);
int mail_send_at(const struct mail_sender *s, const struct mail_at *m,
                 const struct mail_output *out, struct job_proc *proc, char *err,
                 size_t errlen);

#endif
