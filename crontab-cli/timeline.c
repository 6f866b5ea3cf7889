/* crontab-cli/timeline.c: `crontab [-u USER | --all] --timeline [--days N]
 * [--quarter] [--from DAY] [--tz ZONE]`.
 *
 * A heat map of the coming days (timeline.h): the user's crontab, or with
 * --all (root) every user's crontab and the system crontabs, as crond
 * reports them (MSG_STATUS, no history), '~' picks included. The first
 * day is --from's (YYYY-MM-DD, or a time in it), else today on crond's
 * clock, counted from now on (the hours gone are left blank); times in
 * ZONE (--tz, else the local zone), each entry computed in its CRON_TZ,
 * else in crond's zone. Colour only on a
 * terminal and never with NO_COLOR set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/status.h"
#include "crontab-cli/timeline.h"
#include "lib/civil.h"
#include "lib/timefmt.h"

/* The first row's wall day: --from's day, else NOW's in ZONE. */
static int first_day(const struct crontab_cli *cli, const struct tz *zone, int64_t now,
                     int64_t *day)
{
	int64_t wall = tz_to_wall(zone, now);
	if (cli->from) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s%s", cli->from, strlen(cli->from) == 10 ? "T00:00" : "");
		if (strlen(cli->from) > 32 || timefmt_parse_wall(buf, &wall) < 0) {
			fprintf(stderr, "crontab: --from '%s': expected YYYY-MM-DD or "
			        "YYYY-MM-DDTHH:MM[:SS], a valid date\n", cli->from);
			return -1;
		}
	}
	*day = civil_floor_div(wall, SECS_PER_DAY);
	return 0;
}

/* Adds every entry of SRC that runs at a time. -1 printed. */
static int add_source(struct timeline *tl, const struct status_source *src,
                      const struct tz *zone)
{
	if (!src->text) {
		fprintf(stderr, "crontab: %s: %s (left out)\n", src->name, src->problem);
		return 0;
	}
	struct crontab tab;
	if (status_load(src, &tab) < 0)
		return -1;
	struct tz **zones = calloc(tab.n_options + 1, sizeof(*zones));
	int rc = zones ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < tab.n_entries; i++) {
		const struct crontab_entry *e = &tab.entries[i];
		if ((e->sched.flags & SCHED_REBOOT) || !schedule_can_run(&e->sched))
			continue;
		const struct crontab_options *opt = &tab.options[e->options];
		const struct tz *z = zone;
		if (opt->tz && *opt->tz) {
			char err[512];
			if (!zones[e->options])
				zones[e->options] = tz_load(opt->tz, err, sizeof(err));
			if (!zones[e->options]) {
				fprintf(stderr, "crontab: %s: CRON_TZ: %s\n", src->name, err);
				rc = -1;
				break;
			}
			z = zones[e->options];
		}
		timeline_add(tl, &e->sched, z);
	}
	if (!zones)
		fprintf(stderr, "crontab: out of memory\n");
	for (size_t i = 0; zones && i < tab.n_options; i++)
		tz_free(zones[i]);
	free(zones);
	crontab_free(&tab);
	return rc;
}

int crontab_cmd_timeline(const struct crontab_cli *cli)
{
	struct tz *zone;
	struct status_set set;
	if (status_fetch_for(cli, 0, &set, &zone) < 0)
		return EXIT_FAIL;
	int status = EXIT_FAIL;
	int64_t day;
	struct timeline tl;
	unsigned days = cli->days ? (unsigned)cli->days : CLI_TIMELINE_DEFAULT_DAYS;
	if (first_day(cli, zone, set.now, &day) == 0 &&
	    timeline_init(&tl, zone, day, days, cli->quarter ? 4 : 1) == 0) {
		status = EXIT_OK;
		/* The coming runs: from now on crond's clock, unless --from
		 * named the first day (then the whole of it). */
		if (!cli->from && set.now > tl.count_from)
			tl.count_from = set.now;
		for (size_t i = 0; i < set.n && status == EXIT_OK; i++)
			if (add_source(&tl, &set.v[i], set.entry_zone) < 0)
				status = EXIT_FAIL;
		const char *nc = getenv("NO_COLOR");
		if (status == EXIT_OK)
			timeline_render(&tl, stdout, isatty(STDOUT_FILENO) && !(nc && *nc));
		timeline_free(&tl);
		if (fflush(stdout) != 0) {
			fprintf(stderr, "crontab: cannot write to standard output\n");
			status = EXIT_FAIL;
		}
	}
	status_set_free(&set);
	tz_free(zone);
	return status;
}
