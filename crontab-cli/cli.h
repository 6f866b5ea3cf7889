/* crontab-cli/cli.h: the crontab command's actions, one file each.
 *
 * main.c turns the command line into a struct crontab_cli and calls one
 * action. Every action prints its own output and errors ("crontab: ...",
 * or Debian's words where Debian's crontab has a message for the case) and
 * returns the exit status: 0 success, 1 failure or usage error (as Debian).
 *
 *   check.c      -T FILE              check a crontab, install nothing
 *   next.c       --next N SCHEDULE    preview a schedule
 *   next_tab.c   --next N             preview the installed crontab
 *   install.c    FILE | -             install
 *   list.c       -l                   list
 *   remove.c     -r [-i]              remove
 *   edit.c       -e                   edit (edit_file.c: the private temp file
 *                                     and the editor)
 *   history.c    --history [N]        the run history
 *   run.c        --run LINE           run an entry now, through crond
 *   status.c     --status             each entry's next and last run
 *                                     (status_fetch.c, status_calc.c)
 *   timeline.c   --timeline           a heat map of the coming runs
 *                                     (timeline_map.c)
 * Shared: user.c (whose crontab), store.h (requests to crond: store.c,
 * store_history.c; or the spool directly when root finds crond stopped:
 * store_spool.c), install.h (check, then install), prompt.c (y/n).
 */
#ifndef CROND_CRONTAB_CLI_H
#define CROND_CRONTAB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum crontab_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 1,         /* Debian's crontab exits 1 on usage errors too */
	EXIT_RUN_NO_START = 126,  /* --run: the job could not start */
	EXIT_RUN_NOT_RUN = 125,   /* --run: it did not run (refused, no such entry...) */
};

/* Largest N for --next and --history. */
#define CLI_NEXT_MAX_COUNT 100000
#define CLI_HISTORY_MAX_COUNT 100000
#define CLI_HISTORY_DEFAULT 20
/* --timeline --days N: at most, and by default. */
#define CLI_TIMELINE_MAX_DAYS 31
#define CLI_TIMELINE_DEFAULT_DAYS 7

struct crontab_cli {
	const char *config;     /* --config FILE, or NULL for $CROND_CONF / default */
	const char *user;       /* -u USER, or NULL for the caller */
	bool system_format;     /* -T --system */
	bool check_says_ok;     /* -n (Debian's name for -T): say when the file is good */
	bool check_t;           /* -T itself (cronie's): no operand reads standard input */
	bool ask;               /* -i */
	long count;             /* --next N / --history N */
	const char *from;       /* --from YYYY-MM-DDTHH:MM */
	const char *zone;       /* --tz ZONE */
	const char *run;        /* --run LINE or PATH:LINE */
	bool all;               /* --all: every crontab (root) */
	bool json;              /* --json */
	bool quarter;           /* --timeline --quarter: quarter-hour cells */
	long days;              /* --timeline --days N, 0 for the default */
	char **args;            /* operands left after the options */
	int nargs;
};

struct diag_list;

/* Prints every diagnostic as "crontab: NAME:LINE:COL: message" on stderr. */
void crontab_print_diags(const struct diag_list *diags, const char *name);

/* crontab -T FILE: check a crontab, print every diagnostic. */
int crontab_cmd_check(const struct crontab_cli *cli);

/* crontab --next N [--from T] [--tz Z] SCHEDULE: preview a schedule. */
int crontab_cmd_next_schedule(const struct crontab_cli *cli);

/* crontab [-u USER] --next N [--from T] [--tz Z]: the next N runs of every
 * entry of the installed crontab, merged, "RFC3339<TAB>command". */
int crontab_cmd_next_installed(const struct crontab_cli *cli);

/* crontab [-u USER] FILE|-: install. */
int crontab_cmd_install(const struct crontab_cli *cli);

/* crontab [-u USER] -l: the installed crontab, byte for byte, on stdout. */
int crontab_cmd_list(const struct crontab_cli *cli);

/* crontab [-u USER] [-i] -r: remove (asking first with -i). */
int crontab_cmd_remove(const struct crontab_cli *cli);

/* crontab [-u USER] -e: edit in a private temp file, then install. */
int crontab_cmd_edit(const struct crontab_cli *cli);

/* crontab [-u USER] --history [N]: the newest N runs, as a table. */
int crontab_cmd_history(const struct crontab_cli *cli);

/* crontab [-u USER] --run LINE | PATH:LINE: run that entry now through
 * crond, its output on stdout; returns the job's exit status (128+N for
 * signal N; 126 could not start; 125 did not run). */
int crontab_cmd_run(const struct crontab_cli *cli);

/* crontab [-u USER | --all] --status [--json]: each entry's next run, last
 * run, failures and durations (status.c). */
int crontab_cmd_status(const struct crontab_cli *cli);

/* crontab [-u USER | --all] --timeline [--days N] [--quarter]: a heat map of
 * the coming runs (timeline.c). */
int crontab_cmd_timeline(const struct crontab_cli *cli);

/* ------------------------------------------------------------ user.c */

#define CLI_NAME_MAX 256

/* Whose crontab an action is about. */
struct cli_user {
	char name[CLI_NAME_MAX];
	uid_t uid;
	bool named;             /* -u was given (send it to crond) */
};

/* The caller, or the -u user: root may name anyone who exists; anyone may
 * name themselves; everyone else gets Debian's "must be privileged to use
 * -u". Prints the error and returns -1, or 0. */
int cli_user_resolve(const struct crontab_cli *cli, struct cli_user *out);

struct tz;

/* The zone --tz names, else the local zone. Prints "crontab: --tz: why"
 * and returns NULL when it cannot be loaded (never a silent UTC). */
struct tz *cli_load_zone(const struct crontab_cli *cli);

/* The zone entries without CRON_TZ run in: crond's, as it named it
 * (TAG_ZONE), else (crond did not say: not running) the local zone. A
 * name that cannot be loaded here gets a warning on stderr and the local
 * zone. NULL only when the local zone cannot be loaded (printed). */
struct tz *cli_daemon_zone(const char *name);

struct crontab;

/* The zone of TAB's entries with option set I: their CRON_TZ, loaded once
 * into ZONES[I] (the caller frees ZONES), else DEFAULT_ZONE. NULL, with
 * "crontab: CRON_TZ: why" printed, when it cannot be loaded. */
const struct tz *cli_entry_zone(const struct crontab *tab, uint32_t i, struct tz **zones,
                                const struct tz *default_zone);

/* ------------------------------------------------------------ next.c */

/* The last year an RFC 3339 time can show (its years have four digits). */
#define CLI_LAST_YEAR 9999

/* T in ZONE as RFC 3339 into BUF (TIMEFMT_RFC3339_LEN bytes). Returns -1,
 * with "crontab: runs after year 9999 are not shown ..." on stderr, when
 * T's year in ZONE is after CLI_LAST_YEAR; else 0. */
int cli_format_run(const struct tz *zone, int64_t t, char *buf, size_t len);

/* --next --json: the document {"schema": "crond.next/1", "zone", "user"
 * (NULL for a schedule alone), "runs": [...]}; *RUNS gets its array. NULL
 * when out of memory. */
typedef struct json_t json_t;
json_t *next_json_start(const struct tz *zone, const char *user, json_t **runs);
/* Appends {"time", "time_epoch", "line", "command"} (LINE 0 and COMMAND
 * NULL: null) to RUNS. -1 when out of memory. */
int next_json_add(json_t *runs, const struct tz *zone, int64_t t, uint32_t line,
                  const char *command);

/* ------------------------------------------------------------ prompt.c */

/* Asks QUESTION on stderr (it should end in "(y/n) ") and reads one line
 * of standard input. Returns 1 for an answer starting with y or Y, 0 for
 * anything else or end of input. With STRICT, answers that start with
 * neither y nor n are asked again (end of input is still a no). */
int cli_ask_yes(const char *question, bool strict);

#endif
