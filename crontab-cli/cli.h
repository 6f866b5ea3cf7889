/* crontab-cli/cli.h: the crontab command's actions, one file each.
 *
 * main.c turns the command line into a struct crontab_cli and calls one
 * action. Every action prints its own output and errors ("crontab: ...") and
 * returns the exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef CROND_CRONTAB_CLI_H
#define CROND_CRONTAB_CLI_H

#include <stdbool.h>

enum crontab_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

struct crontab_cli {
	const char *config;     /* --config FILE, or NULL for $CROND_CONF / default */
	const char *user;       /* -u USER, or NULL for the caller */
	bool system_format;     /* -T --system */
	bool ask;               /* -i */
	long count;             /* --next N / --history N */
	const char *from;       /* --from YYYY-MM-DDTHH:MM */
	const char *zone;       /* --tz ZONE */
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

#endif
