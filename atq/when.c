/* atq/when.c: the run time a command line asks for (see cli.h). */
#include <stdio.h>

#include "atq/cli.h"
#include "atq/timespec.h"

int at_when(const struct at_cli *cli, time_t now, time_t *out)
{
	struct at_timespec_error err = { 0 };
	enum at_timespec_status st;
	if (cli->posix_time != NULL) {
		st = at_timespec_parse_posix(cli->posix_time, now, out, &err);
	} else if (cli->batch) {
		/* batch is `at now`: the current minute, as Debian shows it. */
		static const char *const now_word[] = { "now" };
		st = at_timespec_parse(now_word, 1, now, out, &err);
	} else {
		st = at_timespec_parse((const char *const *)cli->args, (size_t)cli->nargs, now, out,
		                       &err);
	}
	if (st == AT_TIMESPEC_OK)
		return 0;
	/* The message quotes what the user typed: no terminal controls. */
	for (char *p = err.msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "%s: %s\n", cli->prog, err.msg);
	return -1;
}
