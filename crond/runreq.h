/* crond/runreq.h: a run the timer hands to the supervisor.
 *
 * The timer thread owns the schedule; the supervisor must never look into
 * it. So a due run travels as a self-contained copy of everything needed to
 * start it, log it, mail its output and record it. Built in the timer
 * thread, posted to the supervisor's mailbox, freed by the supervisor.
 */
#ifndef CROND_RUNREQ_H
#define CROND_RUNREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/mailbox.h"
#include "crond/scheduler.h"

enum super_msg_kind {
	SUPER_RUN,    /* struct run_request */
	SUPER_STOP,   /* stop: SIGTERM the jobs, wait the grace period, leave */
};

struct run_request {
	struct mailbox_item link;     /* first: posted as a mailbox item */
	enum super_msg_kind msg;
	enum due_kind kind;
	int64_t scheduled;            /* seconds */
	bool catchup;                 /* this run catches up downtime */
	/* DUE_CRON */
	char *source;                 /* "user:alice", "/etc/cron.d/x" */
	char *user;                   /* runs as */
	char *command;
	char *input;                  /* stdin text, or NULL */
	char **env;                   /* the entry's assignments "NAME=VALUE" */
	size_t n_env;
	char *shell;                  /* SHELL= of the crontab, or NULL */
	char *mailto;                 /* MAILTO=, or NULL (the owner); "" = no mail */
	char *mailfrom;               /* MAILFROM=, or NULL */
	char *entry_key;
	uint32_t timeout;             /* CRON_TIMEOUT seconds, 0 = none */
	bool overlap_skip;            /* CRON_OVERLAP=skip */
	bool keep_state;              /* CRON_CATCHUP=yes: record the run in the spool */
	bool no_log;                  /* '-' entry: no CMD/END log lines (history kept) */
	/* DUE_AT */
	int64_t at_id;
	char queue;
};

/* Builds the request for a due cron entry or at job. NULL on allocation
 * failure (the caller logs: the run is lost, which is logged loudly). */
struct run_request *runreq_from_due(const struct due *due);

/* A SUPER_STOP message; NULL on allocation failure. */
struct run_request *runreq_stop(void);

void runreq_free(struct run_request *r);

#endif
