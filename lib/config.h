/* lib/config.h: crond.conf, the one configuration file every program reads.
 *
 * Format: "key = value" lines; '#' starts a comment (at the start of a line,
 * or after a blank in an unquoted value); blank lines are ignored; values
 * may be quoted with double quotes (no escapes: the value ends at the next
 * '"', after which only blanks and a '#' comment may follow; other text, or
 * no closing quote, is an error with its column). Every path and limit the
 * daemon uses is a key, so a test or a demo runs a whole private instance in
 * a temporary directory (see crond(8) for the list and defaults).
 *
 * Which file: --config FILE, else $CROND_CONF, else CONFIG_DEFAULT_PATH. A
 * missing file at the default path means "all defaults"; a missing file that
 * was named explicitly is an error.
 */
#ifndef CROND_LIB_CONFIG_H
#define CROND_LIB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

#define CONFIG_DEFAULT_PATH "/etc/crond.conf"
#define CONFIG_MAX_BYTES (64 * 1024)
#define CONFIG_PATH_MAX 1024
#define CONFIG_NAME_MAX 64      /* a name key's value (pam_service), NUL included */
#define CONFIG_NODE_MAX 65      /* a cluster node's name (1 - 64 bytes), NUL included */

/* Where make install puts the PAM session helper (crond-session); the
 * Makefile sets it from PREFIX. */
#ifndef CONFIG_SESSION_HELPER
#define CONFIG_SESSION_HELPER "/usr/lib/crond/crond-session"
#endif

enum config_log {
	CONFIG_LOG_DEFAULT,  /* syslog when daemonized, stderr in the foreground */
	CONFIG_LOG_SYSLOG,
	CONFIG_LOG_STDERR,
	CONFIG_LOG_BOTH,
};

struct config {
	char source[CONFIG_PATH_MAX];       /* the file read, or "" for defaults */
	char pidfile[CONFIG_PATH_MAX];
	char socket[CONFIG_PATH_MAX];
	char spool[CONFIG_PATH_MAX];
	char system_crontab[CONFIG_PATH_MAX];
	char system_crontab_dir[CONFIG_PATH_MAX];
	char cron_allow[CONFIG_PATH_MAX];
	char cron_deny[CONFIG_PATH_MAX];
	char at_allow[CONFIG_PATH_MAX];
	char at_deny[CONFIG_PATH_MAX];
	char sendmail[CONFIG_PATH_MAX];     /* "" disables mail */
	char metrics_file[CONFIG_PATH_MAX]; /* Prometheus text file; "" = none */
	char loadavg_file[CONFIG_PATH_MAX]; /* where batch reads the load */
	char shell[CONFIG_PATH_MAX];        /* default SHELL for cron jobs */
	char path[CONFIG_PATH_MAX];         /* default PATH for every job */
	uint32_t max_jobs;                  /* jobs running at once */
	uint32_t max_jobs_per_user;         /* of which one user's; 0 = auto */
	uint32_t reserved_jobs;             /* of which only system/root's; 0 = auto */
	uint32_t max_waiting_per_user;      /* runs one user may have waiting */
	uint32_t max_waiting;               /* runs waiting in all */
	uint32_t output_cap;                /* bytes of output kept per job */
	uint32_t history_days;              /* history older than this is pruned */
	uint32_t history_per_entry;         /* newest runs kept per entry */
	uint32_t history_per_user;          /* newest runs kept per user (not root) */
	double batch_load;                  /* batch jobs start below this load */
	uint32_t batch_interval;            /* seconds between batch job starts */
	uint32_t stop_grace;                /* seconds jobs get after SIGTERM at stop */
	uint32_t mail_timeout;              /* seconds sendmail gets before SIGTERM */
	/* Bounds per user (root, the caller, is exempt from the last three). */
	uint32_t max_conns_per_user;        /* control connections per uid */
	uint32_t max_reply_bytes;           /* reply bytes waiting for clients */
	uint32_t at_jobs_per_user;          /* at jobs queued per user */
	uint32_t at_bytes_per_user;         /* at job bytes (script, env, cwd) */
	uint32_t crontab_max_bytes;         /* a user's crontab, bytes */
	uint8_t cron_mail;                  /* enum cron_mail (lib/cronmail.h): when
	                                       cron jobs are mailed, unless their
	                                       crontab sets CRON_MAIL */
	enum config_log log;
	bool pam;                           /* jobs run through PAM (crond-session) */
	bool direct_exec;                   /* plain commands exec'd without /bin/sh
	                                       (crond/run/runner.h: direct_plain) */
	char pam_service[CONFIG_NAME_MAX];  /* the PAM service: /etc/pam.d/NAME */
	char session_helper[CONFIG_PATH_MAX]; /* the program that opens the session */
	/* Clusters (several nodes sharing a PostgreSQL spool). */
	char node[CONFIG_NODE_MAX];         /* this node's name; "" = the host name */
	uint32_t node_timeout;              /* seconds: a node silent longer is lost */
	uint32_t max_clock_skew;            /* seconds: a node off by more claims nothing */
	uint32_t cluster_resync;            /* seconds between full resyncs */
	uint32_t cluster_spread;            /* ms: the most a claim waits (claimwait.h); 0 = none */
};

/* Fills CFG with every default. */
void config_defaults(struct config *cfg);

/* Which file to read: EXPLICIT if not NULL, else $CROND_CONF if set and not
 * empty, else CONFIG_DEFAULT_PATH. *NAMED tells whether it was asked for. */
const char *config_choose_path(const char *explicit_path, bool *named);

/* Reads the chosen file over the defaults. Errors (unknown key, bad value,
 * unreadable named file, over CONFIG_MAX_BYTES) go to DIAGS with line
 * numbers; returns 0 when there was none, -1 otherwise (CFG then holds
 * defaults plus whatever was valid). */
int config_load(const char *explicit_path, struct config *cfg, struct diag_list *diags);

/* Parses TEXT as a configuration over CFG (for tests and config_load). */
int config_parse(const char *text, size_t len, struct config *cfg, struct diag_list *diags);

#endif
