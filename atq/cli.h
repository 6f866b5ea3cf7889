/* atq/cli.h: the at family's actions, one file each.
 *
 * One program, four names (main.c looks at argv[0]): at, atq, atrm, batch.
 * main.c turns the command line into a struct at_cli and calls one action.
 * Every action prints its own output and errors and returns the exit
 * status: 0 success, 1 anything else, usage errors included (as Debian's
 * at). Where Debian has a message for a case, ours starts with Debian's
 * words, as Debian prints them (scripts grep them: "Garbled time...",
 * "Cannot find jobid 12"); any other starts with "PROG: ", PROG being at,
 * atq, atrm or batch as called (any other name acts as at).
 *
 *   submit.c    at [-q Q] [-f FILE] [-u USER] [-m|-M] [-v] TIMESPEC... | -t TIME;
 *               batch
 *               (readjob.c reads the job: the file, or standard input with
 *               Debian's "at> " prompt on a terminal)
 *   dryrun.c    at --dry-run [--now T] TIMESPEC... | -t TIME
 *   list.c      atq [-q Q] [-o FORMAT] [JOB...], at -l
 *   remove.c    atrm JOB..., at -r, at -d
 *   cat.c       at -c JOB...
 *   history.c   atq --history [N]
 *               (both with --json: one document, lib/json_out.h)
 * Shared: when.c (a time specification to an instant, its errors), conn.c
 * (configuration and requests to crond), zone.c (the local zone, the ctime
 * layout), jobid.c (job numbers on the command line). Pure helpers with
 * their own headers: atenv.h (which variables a job keeps), shquote.h
 * (sh words), jobscript.h (`at -c` output).
 */
#ifndef CROND_ATQ_CLI_H
#define CROND_ATQ_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/config.h"
#include "lib/proto.h"
#include "lib/tz.h"

enum at_exit {
	AT_EXIT_OK = 0,
	AT_EXIT_FAIL = 1,
};

/* Bytes of one time shown by atq -o FORMAT, the NUL included. */
#define AT_TIME_FORMAT_OUT_MAX 1024

/* Largest N for --history (crond sends at most its own maximum). */
#define AT_HISTORY_MAX_COUNT 100000
#define AT_HISTORY_DEFAULT 20

struct at_cli {
	const char *prog;        /* at, atq, atrm or batch: the message prefix */
	const char *config;      /* --config FILE, or NULL */
	char queue;              /* -q, or 0 for the default (a; batch: b) */
	const char *file;        /* -f FILE, or NULL for standard input */
	const char *mail_to;     /* -u USER: mail USER instead of the caller, or NULL */
	uint32_t mail;           /* enum msg_mail: -m, -M */
	bool verbose;            /* -v */
	bool batch;              /* batch, at -b */
	bool dash_b;             /* at -b: Debian's at says no warning line and
	                            shows the current time to the second */
	const char *posix_time;  /* -t TIME */
	const char *now;         /* --now YYYY-MM-DDTHH:MM[:SS] (--dry-run) */
	const char *time_format; /* -o FORMAT (listing), or NULL for the ctime layout */
	long count;              /* --history N, 0 for the default */
	bool json;               /* --json (atq, atq --history) */
	char **args;             /* operands: time words or job numbers */
	int nargs;
};

int at_cmd_submit(const struct at_cli *cli);
int at_cmd_dry_run(const struct at_cli *cli);
int at_cmd_list(const struct at_cli *cli);
int at_cmd_remove(const struct at_cli *cli);
int at_cmd_cat(const struct at_cli *cli);
int at_cmd_history(const struct at_cli *cli);

/* ------------------------------------------------------------ when.c */

/* The instant CLI asks for, resolved against NOW: -t TIME, the time words,
 * or (batch) NOW's minute. Prints "Garbled time at 'foo'" and the like
 * (Debian's words first); returns 0 or -1. */
int at_when(const struct at_cli *cli, time_t now, time_t *out);
/* -t and a time specification were both given: prints Debian's "Cannot
 * give time twice." (or the bad -t's error, which Debian says first) and
 * returns -1. */
int at_when_given_twice(const struct at_cli *cli, time_t now);
/* CLI's -t read as Debian's at reads it, among the options: 0 when it has
 * a date's shape; else prints "invalid date format: ARG" and returns -1. */
int at_posix_time_readable(const struct at_cli *cli, time_t now);

/* ------------------------------------------------------------ readjob.c */

/* Reads the job into a new NUL-terminated buffer (*BUF, caller frees; *LEN
 * bytes without the NUL): CLI's -f FILE (opened with the caller's own
 * rights; a regular file), else standard input, with Debian's "at> "
 * prompt before each line and "<EOT>" at the end on standard error when it
 * is a terminal. At most SPOOL_SCRIPT_MAX bytes. Prints the error; 0 or -1. */
int at_read_job(const struct at_cli *cli, char **buf, size_t *len);

/* ------------------------------------------------------------ zone.c */

/* The local zone, as the time parser sees it: $TZ (empty meaning UTC, as
 * glibc reads it), else /etc/localtime. Prints the error; NULL on failure. */
struct tz *at_zone_load(const char *prog);

/* "Sat Mar  7 16:00:00 2026" for T in ZONE into BUF (at least 32 bytes). */
void at_ctime(const struct tz *zone, int64_t t, char *buf, size_t len);

/* T in ZONE through strftime(3) with FORMAT (atq -o, as Debian's: the C
 * locale, %Z and %z from ZONE) into BUF of LEN bytes. Returns 0, or -1
 * when the result needs LEN bytes or more, or memory is short (BUF then
 * empty). */
int at_strftime(const struct tz *zone, int64_t t, const char *format, char *buf, size_t len);

/* ------------------------------------------------------------ jobid.c */

/* Reads every operand of CLI as a job number into a new array (*IDS, free
 * with free()). On the first that is not one, returns -1 with *BAD its
 * index, printing nothing (at_job_id_error says it); out of memory: -1,
 * printed, *BAD -1. Nothing allocated on failure. */
int at_job_ids(const struct at_cli *cli, int64_t **ids, int *bad);
/* As at_job_ids, for atq: blanks and one '+' may come first, as Debian's
 * atq reads its operands ("atq +2"). */
int at_listed_ids(const struct at_cli *cli, int64_t **ids, int *bad);

/* "PROG: WHAT: ARG" for operand BAD of CLI. */
void at_job_id_error(const struct at_cli *cli, const char *what, int bad);

/* ------------------------------------------------------------ conn.c */

/* A conversation with crond: the configuration, then one connection per
 * request. */
struct at_conn {
	const char *prog;
	struct config cfg;
};

/* Loads the configuration (--config, $CROND_CONF, /etc/crond.conf). Prints
 * its errors; returns 0 or -1. */
int at_conn_init(struct at_conn *c, const struct at_cli *cli);

/* at_job_ids, then at_conn_init: the operands as job numbers in *IDS (free
 * with free()) and a ready connection. Prints the error (for an operand
 * that is not a number, after at_conn_denied: Debian's at tells a denied
 * user so first); returns 0 or -1 (nothing allocated). */
int at_conn_for_jobs(struct at_conn *c, const struct at_cli *cli, const char *what,
                     int64_t **ids);

/* Checks that crond is there and lets the caller use at (at.allow,
 * at.deny), so nobody types a job in vain; with MAIL_TO (at -u), not NULL,
 * also that it names a user crond knows ("at: Cannot find username USER"
 * when not: at looks no user up itself, being linked statically, where
 * glibc's NSS would need its shared modules; docs/ARCHITECTURE.md). Prints
 * "PROG: crond is not running (...)" or crond's refusal (at_print_refusal);
 * returns 0 or -1. */
int at_conn_probe(struct at_conn *c, const char *mail_to);

/* Asks crond what at_conn_probe does, but prints nothing: 0 allowed; -1
 * refused (*CODE the enum msg_error, ERR crond's text) or crond not reached
 * (*CODE 0, ERR why). */
int at_conn_check(struct at_conn *c, const char *mail_to, uint32_t *code, char *err,
                  size_t errlen);

/* For a local error found after the options (a time, a file, a job number
 * that cannot be read): Debian's at checks at.allow and at.deny first, so
 * a user they refuse reads the refusal instead. Asks crond (only now, on
 * the way out: a submission that succeeds never pays for it) and, when it
 * refuses the user, drops what standard error holds unwritten (an error
 * held there), prints the refusal and returns true; false, printing
 * nothing, when it allows them or cannot be asked. With MAIL_TO (at -u)
 * crond looks that user up too, and one it does not know is refused as
 * well, after what standard error holds ("at: Cannot find username"). */
bool at_conn_denied(struct at_conn *c, const char *mail_to);

/* Sends REQ (freed in every case) on a new connection and reads the reply
 * into REPLY (free with proto_msg_free). Returns 0 for MSG_OK; -1 for
 * anything else, printed by at_print_refusal (REPLY then empty). */
int at_conn_call(struct at_conn *c, struct proto_buf *req, struct proto_msg *reply);

/* at_conn_call for a request about job JOB: a missing job or one that is
 * not the caller's is reported in Debian's words. */
int at_conn_call_job(struct at_conn *c, struct proto_buf *req, struct proto_msg *reply,
                     int64_t job);

/* Prints crond's refusal TEXT (enum msg_error CODE) of a request by PROG,
 * about job JOB (AT_NO_JOB: none; 0 is a number too), with Debian's words first where Debian has a
 * message for the case, as scripts grep them:
 *   MSGE_DENIED      "You do not have permission to use PROG. crond: TEXT"
 *   MSGE_NOT_FOUND   "Cannot find jobid JOB"
 *   MSGE_PERM        "JOB: Not owner"
 * anything else "PROG: TEXT". */
#define AT_NO_JOB (-1)
/* JOB for an empty operand, which Debian's atrm and at -c read as a job
 * no one has (0, as strtol reads it) and name as written: "Cannot find
 * jobid " (the others are still removed or shown). */
#define AT_EMPTY_JOB (-2)
void at_print_refusal(const char *prog, uint32_t code, const char *text, int64_t job);

/* Starts REQ as an empty request of TYPE; prints the failure. 0 or -1. */
int at_conn_request(struct at_conn *c, struct proto_buf *req, uint16_t type);

#endif
