/* atq/when.c: the run time a command line asks for (see cli.h).
 *
 * Errors start with Debian's words, which scripts grep, then say what and
 * where: every time that cannot be read is "Garbled time..." (Debian's
 * last line for all of them), a bad -t is "invalid date format: ARG", both
 * without the program's name, as Debian prints them; a time in the past is
 * "at: refusing to create job destined in the past", as Debian's. -t and
 * a time specification both given: Debian's "Cannot give time twice.", or
 * the bad -t's message first (Debian reads -t among the options).
 */
#include <stdio.h>
#include <string.h>

#include "atq/cli.h"
#include "atq/timespec.h"

/* The message quotes what the user typed: no terminal controls. */
static void clean(struct at_timespec_error *err)
{
	for (char *p = err->msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

int at_when(const struct at_cli *cli, time_t now, time_t *out)
{
	struct at_timespec_error err = { 0 };
	enum at_timespec_status st;
	if (cli->posix_time != NULL) {
		st = at_timespec_parse_posix(cli->posix_time, now, out, &err);
		if (st == AT_TIMESPEC_OK && *out == 0) {
			/* The epoch itself: Debian's at takes 0 for a failed
			 * conversion and says only this. */
			fprintf(stderr, "Garbled time\n");
			return -1;
		}
	} else if (cli->batch) {
		/* batch is `at now`: the current minute, as Debian shows it. */
		static const char *const now_word[] = { "now" };
		st = at_timespec_parse(now_word, 1, now, out, &err);
	} else {
		st = at_timespec_parse((const char *const *)cli->args, (size_t)cli->nargs, now, out,
		                       &err);
	}
	if (st == AT_TIMESPEC_OK && *out < 0) {
		/* -t 6901011230: crond takes no time before 1970 (Debian's at
		 * queues it, to run at once); said here, so that --dry-run
		 * says it too. */
		fprintf(stderr, "%s: the run time is not between 1970 and 9999\n", cli->prog);
		return -1;
	}
	if (st == AT_TIMESPEC_OK)
		return 0;
	clean(&err);
	if (st == AT_TIMESPEC_PAST)
		fprintf(stderr, "%s: %s\n", cli->prog, err.msg);
	else if (cli->posix_time != NULL)
		fprintf(stderr, "%s\n", err.msg);
	else if (strncmp(err.msg, "garbled time", 12) == 0)
		fprintf(stderr, "Garbled time%s\n", err.msg + 12);
	else
		fprintf(stderr, "Garbled time: %s\n", err.msg);
	return -1;
}

int at_when_given_twice(const struct at_cli *cli, time_t now)
{
	struct at_timespec_error err = { 0 };
	time_t t;
	enum at_timespec_status st = at_timespec_parse_posix(cli->posix_time, now, &t, &err);
	if (st == AT_TIMESPEC_OK || st == AT_TIMESPEC_PAST) {
		fprintf(stderr, "Cannot give time twice.\n");
		return -1;
	}
	clean(&err);
	fprintf(stderr, "%s\n", err.msg);
	return -1;
}

int at_posix_time_readable(const struct at_cli *cli, time_t now)
{
	struct at_timespec_error err = { 0 };
	time_t t;
	if (at_timespec_parse_posix(cli->posix_time, now, &t, &err) != AT_TIMESPEC_GARBLED)
		return 0;
	clean(&err);
	fprintf(stderr, "%s\n", err.msg);
	return -1;
}
