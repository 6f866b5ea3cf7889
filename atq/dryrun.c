/* atq/dryrun.c: `at --dry-run [--now T] TIMESPEC... | -t TIME`.
 *
 * Prints the instant a specification resolves to, in RFC 3339 with seconds
 * and UTC offset in the local zone, and submits nothing: users check a
 * specification, tests pin "now". --now is a wall time in the local zone
 * (a time in a DST gap is read with the offset before the gap, as mktime
 * reads it; a repeated time is the first of the two).
 */
#include <stdio.h>

#include "atq/cli.h"
#include "lib/timefmt.h"

int at_cmd_dry_run(const struct at_cli *cli)
{
	struct tz *zone = at_zone_load(cli->prog);
	if (zone == NULL)
		return AT_EXIT_FAIL;
	time_t now = time(NULL);
	if (cli->now != NULL) {
		int64_t wall;
		if (timefmt_parse_wall(cli->now, &wall) < 0) {
			fprintf(stderr, "%s: --now: expected YYYY-MM-DDTHH:MM[:SS], not '%s'\n",
			        cli->prog, cli->now);
			tz_free(zone);
			return AT_EXIT_FAIL;
		}
		now = (time_t)timefmt_wall_to_instant(zone, wall);
	}
	time_t when;
	int rc = AT_EXIT_FAIL;
	if (at_when(cli, now, &when) == 0) {
		char buf[TIMEFMT_RFC3339_LEN];
		timefmt_rfc3339(zone, (int64_t)when, buf, sizeof(buf));
		printf("%s\n", buf);
		rc = fflush(stdout) == 0 ? AT_EXIT_OK : AT_EXIT_FAIL;
		if (rc != AT_EXIT_OK)
			fprintf(stderr, "%s: cannot write to standard output\n", cli->prog);
	}
	tz_free(zone);
	return rc;
}
