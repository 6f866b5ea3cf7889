/* crond/run/runreq.h: a run the timer hands to the supervisor.
 *
 * The timer thread owns the schedule; the supervisor must never look into
 * it. So a due run travels with everything needed to start it, log it, mail
 * its output and record it. A cron run does not copy its crontab: it holds
 * a reference to the crontab's immutable snapshot (crond/run/snapshot.h) and
 * points into it, so a minute's runs cost a small fixed size each (plus the
 * entry key), however large the crontab's environment. Built in the timer
 * thread, posted to the supervisor's mailbox, freed by the supervisor
 * (which drops the reference).
 */
#ifndef CROND_RUNREQ_H
#define CROND_RUNREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/run/fairq.h"
#include "crond/mailbox.h"
#include "crond/sched/scheduler.h"
#include "crond/run/snapshot.h"

enum super_msg_kind {
	SUPER_RUN,    /* struct run_request */
	SUPER_STOP,   /* stop: SIGTERM the jobs, wait the grace period, leave */
	SUPER_SWEEP,  /* entries were cancelled: drop their waiting runs (and a
	                 wake-up: the cluster thread, when the spool is back) */
	SUPER_CLIENT, /* a manual run that cannot run: only CLIENT's error to send */
};

struct run_client;

struct run_request {
	struct mailbox_item link;     /* first: posted as a mailbox item */
	enum super_msg_kind msg;
	enum due_kind kind;
	int64_t scheduled;            /* seconds */
	bool catchup;                 /* this run catches up downtime */
	struct fairq_node qnode;      /* the supervisor's waiting queue */
	/* DUE_CRON: every const string points into SNAP */
	struct snapshot *snap;        /* one reference */
	size_t entry_index;           /* in snap->tab.entries */
	const char *source;           /* "user:alice", "/etc/cron.d/x" */
	const char *user;             /* runs as */
	const char *command;
	const char *input;            /* stdin text, or NULL */
	const char *const *env;       /* the entry's assignments "NAME=VALUE" */
	size_t n_env;
	const char *shell;            /* SHELL= of the crontab, or NULL */
	const char *mailto;           /* MAILTO=, or NULL (the owner); "" = no mail */
	const char *mailfrom;         /* MAILFROM=, or NULL */
	char *entry_key;              /* owned */
	uint32_t timeout;             /* CRON_TIMEOUT seconds, 0 = none */
	bool overlap_skip;            /* CRON_OVERLAP=skip */
	bool keep_state;              /* CRON_CATCHUP=yes: record the run in the spool */
	bool no_log;                  /* '-' entry: no CMD/END log lines (history kept) */
	uint8_t mail_when;            /* CRON_MAIL (enum cron_mail); UNSET: crond.conf's */
	bool mail_failure_only;       /* "-n": mailed as CRON_MAIL=failure when it
	                               * would be mailed always (lib/crontab.h) */
	bool manual;                  /* crontab --run: started by hand */
	int64_t claim_id;             /* cluster: the running record its claim
	                                 wrote (crond/run/claim.h), or 0 */
	int64_t claim_start_ms;       /* cluster: the start its claim was first
	                                 tried with, kept while that claim's
	                                 outcome is unknown (claim.h), else 0 */
	bool claim_unknown;           /* ... an attempt's outcome was unknown */
	bool claim_settle;            /* cluster: given up with its claim's
	                                 outcome unknown, kept only to settle
	                                 it: never started; if the claim is
	                                 won, its record ends claim-late */
	uint8_t claim_tries;          /* attempts that must be tried again */
	struct run_client *client;    /* manual: who waits for the output
	                                 (crond/control/runclient.h); owned by the request
	                                 until the supervisor adopts it */
	/* DUE_AT */
	int64_t at_id;
	char queue;
	uint32_t at_uid;              /* its owner, as the timer knew it */
	char *at_owner;               /* owned; learnt by the supervisor, or NULL */
};

/* Builds the request for a due cron entry or at job. NULL on allocation
 * failure (the caller logs: the run is lost, which is logged loudly). */
struct run_request *runreq_from_due(const struct due *due);

/* Makes R a manual run (crontab --run) for CLIENT (moved in): no
 * catch-up state is kept for it, and the history marks it manual. */
void runreq_make_manual(struct run_request *r, struct run_client *client);

/* A SUPER_CLIENT message carrying CLIENT (moved in), or NULL on allocation
 * failure (then CLIENT is still the caller's). */
struct run_request *runreq_client(struct run_client *client);

/* A SUPER_STOP message; NULL on allocation failure. */
struct run_request *runreq_stop(void);

/* A SUPER_SWEEP message; NULL on allocation failure. */
struct run_request *runreq_sweep(void);

/* Whether R's entry was removed or replaced since R was built (then R must
 * not start). Any thread. */
bool runreq_cancelled(const struct run_request *r);

/* Bytes R holds of its own (not counting the shared snapshot). */
size_t runreq_bytes(const struct run_request *r);

void runreq_free(struct run_request *r);

#endif
