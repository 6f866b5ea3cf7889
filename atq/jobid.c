/* atq/jobid.c: job numbers on the command line (see cli.h).
 *
 * A job number is decimal digits only (atq also takes blanks and a '+'
 * before them, as Debian's), 0 to INT64_MAX (crond gives 1 and
 * up; 0, like any number no job has, is "Cannot find jobid 0", as
 * Debian's). An empty operand is job 0 to atrm and at -c, as to Debian's
 * (said "Cannot find jobid ": cli.h's AT_EMPTY_JOB), and invalid to atq.
 * Every operand is checked before anything is done, so `atrm 3 x` removes
 * nothing (as Debian's atrm).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "atq/cli.h"

static int parse_id(const char *s, int64_t *out)
{
	if (*s == '\0') {   /* Debian's strtol reads it as 0 */
		*out = 0;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* atq's operands as Debian's atq reads them (strtol): blanks and one '+'
 * may come before the digits ("atq +2", "atq ' 2'" list job 2), where
 * atrm and at -c say "unknown jobid". */
static int parse_listed_id(const char *s, int64_t *out)
{
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+')
		s++;
	return *s == '\0' ? -1 : parse_id(s, out);
}

static int read_ids(const struct at_cli *cli, int (*parse)(const char *, int64_t *),
                    int64_t **ids, int *bad)
{
	*ids = NULL;
	*bad = -1;
	int64_t *v = calloc(cli->nargs > 0 ? (size_t)cli->nargs : 1, sizeof(*v));
	if (v == NULL) {
		fprintf(stderr, "%s: out of memory\n", cli->prog);
		return -1;
	}
	for (int i = 0; i < cli->nargs; i++) {
		if (parse(cli->args[i], &v[i]) < 0) {
			*bad = i;
			free(v);
			return -1;
		}
	}
	*ids = v;
	return 0;
}

int at_job_ids(const struct at_cli *cli, int64_t **ids, int *bad)
{
	return read_ids(cli, parse_id, ids, bad);
}

int at_listed_ids(const struct at_cli *cli, int64_t **ids, int *bad)
{
	return read_ids(cli, parse_listed_id, ids, bad);
}

void at_job_id_error(const struct at_cli *cli, const char *what, int bad)
{
	fprintf(stderr, "%s: %s: %s\n", cli->prog, what, cli->args[bad]);
}
