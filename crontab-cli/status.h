/* crontab-cli/status.h: what `crontab --status` and `crontab --timeline`
 * share: the crontabs crond reports with MSG_STATUS (status_fetch.c), a
 * summary of an entry's newest runs (status_calc.c, pure), and loading a
 * reported crontab for previews (status_fetch.c).
 */
#ifndef CROND_CRONTAB_CLI_STATUS_H
#define CROND_CRONTAB_CLI_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crontab-cli/store.h"
#include "lib/crontab.h"

/* History records per entry that --status asks for (crond allows 50). */
#define STATUS_RUNS 10

/* One history record of an entry (lib/proto_msgs.h, MSG_STATUS). */
struct status_run {
	int64_t scheduled;              /* seconds */
	int64_t start_ms, end_ms;       /* end 0: running */
	uint32_t status, signal, flags; /* RUNF_* flags */
};

struct status_entry {
	uint32_t line;
	char *key;                      /* crond's key for the entry */
	struct status_run *runs;        /* newest first */
	size_t n_runs;
};

/* One crontab as crond reported it. */
struct status_source {
	char *name;                     /* "user:NAME" or a system crontab's path */
	char *user;                     /* a user's crontab: its owner; else NULL */
	uint32_t uid;
	char *text;                     /* NULL when PROBLEM says why */
	size_t len;
	uint64_t seed;                  /* for the '~' picks */
	char *problem;
	struct status_entry *entries;
	size_t n_entries;
};

struct status_set {
	int64_t now;                    /* crond's clock when it answered */
	char *zone_name;                /* crond's zone (TAG_ZONE), or NULL */
	struct tz *entry_zone;          /* status_fetch_for: the zone entries
	                                   without CRON_TZ run in (cli_daemon_zone) */
	struct status_source *v;
	size_t n;
};

/* Asks crond for WHO's crontab (ALL: every crontab; root only) with RUNS
 * history records per entry, following TAG_STATUS_MORE until the end.
 * STORE_OK, STORE_NONE (WHO has no crontab: not printed) or STORE_FAIL
 * (printed; crond must be running). */
int status_fetch(struct store *st, bool all, uint32_t runs, struct status_set *out);
void status_set_free(struct status_set *set);

struct crontab_cli;
struct tz;

/* What --status and --timeline start with: the caller's (or -u USER's, or
 * with --all every) crontab through status_fetch, the zone entries without
 * CRON_TZ run in (crond's: OUT->entry_zone), and the zone to show times in
 * (cli_load_zone) into *ZONE. 0, or -1 with the reason printed
 * ("no crontab for USER" among them) and nothing to free. */
int status_fetch_for(const struct crontab_cli *cli, uint32_t runs, struct status_set *out,
                     struct tz **zone);

/* Parses SRC's text into TAB with its '~' picks resolved (the format is the
 * system one for system crontabs, else by uid, as crond parses it).
 * Returns 0, or -1 with the problem printed. */
int status_load(const struct status_source *src, struct crontab *tab);

/* The entry record for LINE in SRC, or NULL. */
const struct status_entry *status_find_entry(const struct status_source *src, uint32_t line);

/* Where in a crontab's text the last lookup found its line. Lines asked
 * for in increasing order (crontab order) are then found in one pass over
 * the text, not one pass each (10,000 entries took 1.2-1.9 s, now 0.07 s).
 * Zeroed before the first lookup; a line before the cursor's is looked
 * for from the start. */
struct status_line_cursor {
	size_t offset;   /* where line LINE begins */
	uint32_t line;   /* 0: nothing found yet */
};

/* The schedule of the entry at LINE as written (the five time fields, or
 * the @keyword), with runs of blanks made one space and any byte a terminal
 * would act on escaped as lib/safetext.h does, into BUF (cut between
 * characters when it does not fit); "?" when the line is not found. CUR
 * (or NULL: from the start) says where to look from, and is moved to LINE
 * when it is found. */
void status_schedule_text(const char *text, size_t len, uint32_t line,
                          struct status_line_cursor *cur, char *buf, size_t buflen);

/* What an entry's newest runs say. */
struct status_summary {
	const struct status_run *last;  /* newest run that started, or NULL */
	size_t runs;                    /* runs that started, among the records */
	size_t failures;                /* of which failed or were interrupted */
	size_t not_started;             /* records of runs that never started */
	bool have_durations;            /* at least one run ended: */
	int64_t median_ms;              /* the median duration of those that ended */
	int64_t worst_ms;               /* and the longest */
};

/* Summarizes N records (newest first). Pure. */
void status_summarize(const struct status_run *runs, size_t n, struct status_summary *out);

#endif
