/* lib/proto_msgs.h: the catalogue of messages between the CLIs and crond.
 *
 * Every request gets exactly one reply: MSG_OK with the fields the request
 * documents, or MSG_ERROR with TAG_ERROR_CODE (enum msg_error) and
 * TAG_ERROR_TEXT (one line for the user, no program prefix) and, for a
 * refused crontab, one TAG_DIAG per problem. Who the caller is comes from
 * SO_PEERCRED, never from the message: TAG_USER only names a target, and only
 * root may name someone else. Where a request takes TAG_USER, it may name
 * its target by TAG_UID instead (not both): a client that looks no user up
 * (the static at, atq/) names itself so.
 *
 * Rows (lists of records) are repeated TAG_ROW fields whose bytes are
 * themselves a payload of fields (built with proto_buf_add_nested, read with proto_field_nested).
 * Numbers are fixed: append new ones, never renumber.
 */
#ifndef CROND_LIB_PROTO_MSGS_H
#define CROND_LIB_PROTO_MSGS_H

enum msg_type {
	MSG_OK = 1,
	MSG_ERROR = 2,

	/* -> OK: TAG_VERSION_TEXT, TAG_PID */
	MSG_PING = 10,
	/* TAG_KIND ("cron" or "at"), TAG_MAIL_TO? (at) -> OK if the caller may
	 * use that service (cron.allow/deny, at.allow/deny), else MSGE_DENIED;
	 * and, with TAG_MAIL_TO, if it names an existing user, else MSGE_INVALID
	 * "Cannot find username NAME": lets a CLI refuse before the user types
	 * a job. */
	MSG_ACCESS = 11,

	/* TAG_USER?, TAG_TEXT (the crontab bytes)
	 * -> OK: TAG_DIAG* (warnings), TAG_GENERATION */
	MSG_CRONTAB_INSTALL = 20,
	/* TAG_USER? -> OK: TAG_TEXT, TAG_TIME (installed at), TAG_RANDOM_SEED,
	 * TAG_ZONE */
	MSG_CRONTAB_GET = 21,
	/* TAG_USER? -> OK */
	MSG_CRONTAB_REMOVE = 22,
	/* TAG_USER?, TAG_COUNT (newest N), TAG_KIND? ("cron" or "at"),
	 * TAG_HISTORY_BEFORE? (only runs older than this cursor: the next page)
	 * -> OK: TAG_USER (the user named, when one was), TAG_ROW* newest
	 *    first, each: TAG_KIND, TAG_USER, TAG_ENTRY_KEY,
	 *    TAG_COMMAND, TAG_SCHEDULED, TAG_START, TAG_END (milliseconds),
	 *    TAG_STATUS, TAG_SIGNAL, TAG_FLAGS, TAG_OUTPUT (head), TAG_OUTPUT_SIZE,
	 *    TAG_RUN_ID, TAG_NODE (only when the record names a cluster node);
	 *    TAG_COUNT (the rows sent) when fewer were sent than asked while the
	 *    history has more: at most 1000 go in one reply, and fewer when they
	 *    are big; with it TAG_HISTORY_BEFORE, the cursor to ask the rest
	 *    with (lib/history_cursor.h) */
	MSG_HISTORY = 23,

	/* TAG_QUEUE, TAG_TIME, TAG_SCRIPT, TAG_ENV*, TAG_CWD, TAG_UMASK, TAG_MAIL,
	 * TAG_MAIL_TO? -> OK: TAG_JOB_ID, TAG_TIME */
	MSG_AT_SUBMIT = 30,
	/* TAG_QUEUE? (one letter), TAG_USER? (root: one user; default all for
	 * root, the caller otherwise), TAG_AT_AFTER? (only jobs after this
	 * cursor: the next page)
	 * -> OK: TAG_ROW* sorted by time, each: TAG_JOB_ID, TAG_QUEUE, TAG_TIME,
	 *    TAG_USER, TAG_STATE; TAG_AT_AFTER when jobs remain (at most
	 *    CONTROL_AT_PAGE a reply, fewer past its byte budget): the cursor to
	 *    ask the rest with (lib/at_cursor.h) */
	MSG_AT_LIST = 31,
	/* TAG_JOB_ID -> OK: TAG_JOB_ID, TAG_QUEUE, TAG_TIME, TAG_USER, TAG_UID,
	 *    TAG_GID, TAG_SCRIPT, TAG_ENV*, TAG_CWD, TAG_UMASK, TAG_MAIL, TAG_STATE,
	 *    TAG_MAIL_TO (when at -u named one) */
	MSG_AT_GET = 32,
	/* TAG_JOB_ID* -> OK: TAG_ROW* one per id: TAG_JOB_ID, TAG_ERROR_CODE
	 *    (0 removed), TAG_ERROR_TEXT */
	MSG_AT_REMOVE = 33,

	/* crontab --run: run one entry now, through crond, as a scheduled run
	 * would run. TAG_RUN_LINE (the entry's line number), TAG_USER? or
	 * TAG_RUN_SOURCE? (root: a system crontab's path, as crond loaded it).
	 * The one exception to "one reply": the answer is a stream. A request
	 * refused at once gets MSG_ERROR; otherwise any number of MSG_RUN_STATE
	 * and MSG_RUN_OUTPUT frames, then one MSG_RUN_END or MSG_ERROR (not
	 * run: no such entry, crond stopping...), then crond closes. */
	MSG_RUN = 45,
	/* stream: TAG_RUN_STATE (enum msg_run_state), TAG_PID when started */
	MSG_RUN_STATE = 46,
	/* stream: TAG_RUN_DATA, output bytes as the job wrote them (stdout and
	 * stderr are one pipe) */
	MSG_RUN_OUTPUT = 47,
	/* stream, last: TAG_STATUS, TAG_SIGNAL, TAG_FLAGS (RUNF_*, as the
	 * history records the run), TAG_RUN_DROPPED (output bytes this client
	 * did not get because it read too slowly), TAG_ERROR_TEXT? (why it did
	 * not start) */
	MSG_RUN_END = 48,
	/* What crontab --status and --timeline show (crond/control/control_status.c).
	 * TAG_USER? (whose crontab: root may name anyone, others only
	 * themselves), TAG_STATUS_ALL? (u32 1, root only: every user's crontab
	 * and the system crontabs), TAG_COUNT? (history records per entry,
	 * 0 - 50, default 10), TAG_STATUS_AFTER? (continue after the crontab of
	 * that name: the TAG_STATUS_MORE of the previous reply)
	 * -> OK: TAG_TIME (now on crond's clock), TAG_ZONE, TAG_ROW* one per crontab:
	 *    system crontabs first (the system crontab, then cron.d by name),
	 *    then users by name; each: TAG_STATUS_SOURCE, TAG_USER (a user's
	 *    crontab), TAG_UID, TAG_TEXT, TAG_RANDOM_SEED, TAG_STATUS_ENTRY*
	 *    in crontab order (TAG_STATUS_LINE, TAG_ENTRY_KEY, TAG_STATUS_RUN*
	 *    newest first: TAG_SCHEDULED, TAG_START, TAG_END, TAG_STATUS,
	 *    TAG_SIGNAL, TAG_FLAGS), or instead of the text TAG_STATUS_PROBLEM;
	 *    TAG_STATUS_MORE when the reply is full and crontabs remain.
	 *    MSGE_NOT_FOUND for one user without a crontab. */
	MSG_STATUS = 40,
};

enum msg_tag {
	TAG_ERROR_CODE = 1,     /* u32, enum msg_error */
	TAG_ERROR_TEXT = 2,     /* string */
	TAG_DIAG = 3,           /* string "LINE:COL:message" (message may start
	                           with "warning: ") */
	TAG_VERSION_TEXT = 4,   /* string */
	TAG_PID = 5,            /* u32 */
	TAG_USER = 10,          /* string, a user name */
	TAG_UID = 11,           /* u32 */
	TAG_GID = 12,           /* u32 */
	TAG_TEXT = 13,          /* bytes */
	TAG_TIME = 14,          /* i64, seconds since the epoch */
	TAG_GENERATION = 15,    /* i64 */
	TAG_COUNT = 16,         /* u32 */
	TAG_ROW = 17,           /* bytes: a nested payload */
	TAG_KIND = 20,          /* string: "cron" or "at" */
	TAG_ENTRY_KEY = 21,     /* string */
	TAG_COMMAND = 22,       /* string */
	TAG_SCHEDULED = 23,     /* i64 seconds */
	TAG_START = 24,         /* i64 milliseconds since the epoch */
	TAG_END = 25,           /* i64 milliseconds since the epoch; 0 if running */
	TAG_STATUS = 26,        /* u32 exit status (valid when TAG_SIGNAL is 0) */
	TAG_SIGNAL = 27,        /* u32 terminating signal, 0 if exited */
	TAG_FLAGS = 28,         /* u32, enum msg_run_flags */
	TAG_OUTPUT = 29,        /* bytes, head of the output */
	TAG_OUTPUT_SIZE = 30,   /* i64, total bytes of output */
	TAG_NODE = 35,          /* string: the cluster node that ran it (history
	                           rows; absent when none was recorded) */
	TAG_RUN_ID = 36,        /* i64: a history record's id (history rows) */
	TAG_HISTORY_BEFORE = 37,/* bytes: a nested cursor, TAG_START and
	                           TAG_RUN_ID (lib/history_cursor.h) */
	TAG_QUEUE = 40,         /* string, one letter a-z A-Z (or '=' running) */
	TAG_SCRIPT = 41,        /* bytes */
	TAG_ENV = 42,           /* string NAME=VALUE, repeated */
	TAG_CWD = 43,           /* string */
	TAG_UMASK = 44,         /* u32 */
	TAG_MAIL = 45,          /* u32, enum msg_mail */
	TAG_JOB_ID = 46,        /* i64 */
	TAG_STATE = 47,         /* string: waiting, running, done, interrupted */
	TAG_MAIL_TO = 48,       /* string, at -u: the user mailed instead of the owner */
	TAG_AT_AFTER = 49,      /* bytes: a nested cursor, TAG_TIME and TAG_JOB_ID
	                           (lib/at_cursor.h) */
	TAG_RANDOM_SEED = 60,   /* i64: the crontab's seed for its '~' picks
	                           (crontab_random_seed; lib/crontab.h) */
	TAG_ZONE = 61,          /* string: crond's zone, in which entries without
	                           CRON_TZ run (its $TZ, else /etc/localtime), as
	                           lib/tz.h's tz_load takes it */
	TAG_RUN_LINE = 80,      /* u32, a line number of a crontab */
	TAG_RUN_SOURCE = 81,    /* string, a system crontab's path */
	TAG_RUN_STATE = 82,     /* u32, enum msg_run_state */
	TAG_RUN_DATA = 83,      /* bytes, output */
	TAG_RUN_DROPPED = 84,   /* i64, output bytes not delivered */
	TAG_STATUS_ALL = 70,    /* u32 1: every crontab (MSG_STATUS, root) */
	TAG_STATUS_SOURCE = 71, /* string: "user:NAME" or a system crontab's path */
	TAG_STATUS_ENTRY = 72,  /* bytes: a nested entry (MSG_STATUS) */
	TAG_STATUS_LINE = 73,   /* u32: an entry's line in its crontab */
	TAG_STATUS_RUN = 74,    /* bytes: a nested history record (MSG_STATUS) */
	TAG_STATUS_AFTER = 75,  /* string: a TAG_STATUS_SOURCE to continue after */
	TAG_STATUS_MORE = 76,   /* string: the last TAG_STATUS_SOURCE sent */
	TAG_STATUS_PROBLEM = 77,/* string: why a system crontab is not shown */
};

enum msg_error {
	MSGE_NONE = 0,
	MSGE_DENIED = 1,        /* cron.allow/cron.deny or at.allow/at.deny */
	MSGE_PERM = 2,          /* not yours, or -u without being root */
	MSGE_NOT_FOUND = 3,     /* no crontab, no such job, no such user */
	MSGE_INVALID = 4,       /* the request or its content is invalid */
	MSGE_INTERNAL = 5,      /* crond could not do it (spool error...) */
	MSGE_UNSUPPORTED = 6,   /* unknown request type */
	MSGE_BUSY = 7,          /* e.g. the job is running; crond's reply budget
	                           is spent (try again) */
	MSGE_QUOTA = 8,         /* a per-user quota (crond.conf) would be passed:
	                           nothing was written */
};

enum msg_run_flags {
	RUNF_SKIPPED = 1 << 0,      /* not started: previous run still going */
	RUNF_TIMED_OUT = 1 << 1,    /* killed by CRON_TIMEOUT */
	RUNF_INTERRUPTED = 1 << 2,  /* crond stopped or crashed while it ran */
	RUNF_START_FAILED = 1 << 3, /* could not be started (user, setuid...) */
	RUNF_TRUNCATED = 1 << 4,    /* output over the cap was counted, not kept */
	RUNF_CATCHUP = 1 << 5,      /* a catch-up run after downtime */
	RUNF_NO_STATUS = 1 << 6,    /* no exit status or signal (never started,
	                               or cut off by a crash): TAG_STATUS means
	                               nothing */
	RUNF_QUEUE_FULL = 1 << 7,   /* not started: too many runs waiting */
	RUNF_COALESCED = 1 << 8,    /* not started: a run of it was still waiting */
	RUNF_CANCELLED = 1 << 9,    /* not started: entry removed or replaced */
	RUNF_MANUAL = 1 << 10,      /* started by crontab --run, not by the schedule */
	RUNF_REFUSED_QUOTA = 1 << 11, /* an at job or crontab refused by a quota */
	RUNF_NODE_LOST = 1 << 12,   /* with INTERRUPTED: its cluster node was lost */
	RUNF_CLOCK_SKEW = 1 << 13,  /* not started: the node's clock was off the
	                               database's by more than max_clock_skew */
	RUNF_CLAIM_LATE = 1 << 14,  /* not started: its claim was known made only
	                               when the run was too late to start */
};

enum msg_run_state {
	RUN_STATE_WAITING = 1,      /* waiting for a free job slot (max_jobs) */
	RUN_STATE_STARTED = 2,      /* running: TAG_PID */
};

enum msg_mail {
	MAIL_DEFAULT = 0,   /* when there is output */
	MAIL_ALWAYS = 1,    /* at -m */
	MAIL_NEVER = 2,     /* at -M */
};

#endif
