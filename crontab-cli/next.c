/* crontab-cli/next.c: `crontab --next N [--from T] [--tz ZONE] SCHEDULE`.
 *
 * Prints the next N runs of a schedule strictly after the from-instant, one
 * per line in RFC 3339, as the daemon will run them (DST rules included).
 * RFC 3339 has four-digit years: runs after 9999 are not printed; the
 * listing stops there with a message and exit status 1. Needs no daemon.
 * With --json: one document instead (schema "crond.next/1", crontab(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "crontab-cli/cli.h"
#include "lib/civil.h"
#include "lib/json_out.h"
#include "lib/nextrun.h"
#include "lib/schedule.h"
#include "lib/timefmt.h"
#include "lib/tz.h"

json_t *next_json_start(const struct tz *zone, const char *user, json_t **runs)
{
	json_t *doc = json_object();
	*runs = json_array();
	if (!doc || !*runs || json_object_set_new(doc, "schema", json_string("crond.next/1")) ||
	    json_object_set_new(doc, "zone", json_string(tz_name(zone))) ||
	    json_object_set_new(doc, "user", user ? json_out_bytes(user, strlen(user))
	                                          : json_null()) ||
	    json_object_set_new(doc, "runs", *runs)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int next_json_add(json_t *runs, const struct tz *zone, int64_t t, uint32_t line,
                  const char *command)
{
	json_t *r = json_object();
	if (!r || json_out_set_time(r, "time", zone, t, true) < 0 ||
	    json_object_set_new(r, "line", line ? json_integer(line) : json_null()) ||
	    json_object_set_new(r, "command", command ? json_out_bytes(command, strlen(command))
	                                              : json_null()) ||
	    json_array_append_new(runs, r)) {
		json_decref(r);
		return -1;
	}
	return 0;
}

int cli_format_run(const struct tz *zone, int64_t t, char *buf, size_t len)
{
	struct civil_time c;
	civil_from_wall(tz_to_wall(zone, t), &c);
	if (c.year > CLI_LAST_YEAR) {
		fprintf(stderr, "crontab: runs after year %d are not shown: RFC 3339 times have "
		        "four-digit years\n", CLI_LAST_YEAR);
		return -1;
	}
	timefmt_rfc3339(zone, t, buf, len);
	return 0;
}

/* Joins the operands with single spaces, so both 'SCHEDULE' as one word and
 * the fields as separate words work. Caller frees. */
static char *join_args(char **args, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(args[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, args[i]);
	}
	return s;
}

static int parse_schedule(const char *text, struct schedule *s)
{
	size_t end = 0, col = 0, len = strlen(text);
	char msg[256];
	if (schedule_parse(text, len, s, &end, &col, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "crontab: schedule '%s', column %zu: %s\n", text, col + 1, msg);
		return -1;
	}
	while (end < len && (text[end] == ' ' || text[end] == '\t'))
		end++;
	if (end < len) {
		fprintf(stderr, "crontab: schedule '%s', column %zu: unexpected text after the "
		        "schedule (give only the time fields, not a command)\n", text, end + 1);
		return -1;
	}
	if (s->flags & SCHED_REBOOT) {
		fprintf(stderr, "crontab: @reboot runs once when the system starts; it has no next "
		        "run time to preview\n");
		return -1;
	}
	return 0;
}

/* A schedule alone belongs to no crontab: its '~' elements get a pick of
 * their own, said on stderr (crond picks per crontab line). */
static int pick_random(struct schedule *s)
{
	if (s->n_random == 0)
		return 0;
	uint64_t seed;
	if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
		fprintf(stderr, "crontab: cannot pick the random (~) values: getrandom failed\n");
		return -1;
	}
	schedule_resolve(s, seed);
	for (unsigned k = 0; k < s->n_random; k++) {
		const struct schedule_random *r = &s->random[k];
		fprintf(stderr, "crontab: %s %u~%u%s%.0u %s %u in this preview (crond picks once "
		        "per crontab line, and keeps it)\n", schedule_field_name(r->field), r->lo,
		        r->hi, r->step ? "/" : "", r->step, r->step ? "starts at" : "is", r->chosen);
	}
	return 0;
}

int crontab_cmd_next_schedule(const struct crontab_cli *cli)
{
	if (cli->count < 1 || cli->count > CLI_NEXT_MAX_COUNT) {
		fprintf(stderr, "crontab: --next takes a count from 1 to %d\n", CLI_NEXT_MAX_COUNT);
		return EXIT_USAGE;
	}
	char *text = join_args(cli->args, cli->nargs);
	if (!text) {
		fprintf(stderr, "crontab: out of memory\n");
		return EXIT_FAIL;
	}
	int status = EXIT_FAIL;
	struct schedule sched;
	struct tz *zone = NULL;
	if (parse_schedule(text, &sched) < 0 || pick_random(&sched) < 0)
		goto out;
	zone = cli_load_zone(cli);
	if (!zone)
		goto out;
	int64_t t = (int64_t)time(NULL);
	if (cli->from) {
		int64_t wall;
		if (timefmt_parse_wall(cli->from, &wall) < 0) {
			fprintf(stderr, "crontab: --from '%s': expected YYYY-MM-DDTHH:MM[:SS], a valid "
			        "wall-clock time\n", cli->from);
			goto out;
		}
		t = timefmt_wall_to_instant(zone, wall);
	}
	if (!schedule_can_run(&sched)) {
		fprintf(stderr, "crontab: schedule '%s' can never run: none of the months it "
		        "selects has any of the days of the month it selects\n", text);
		goto out;
	}
	bool capped = false;
	json_t *runs = NULL, *doc = cli->json ? next_json_start(zone, NULL, &runs) : NULL;
	if (cli->json && !doc) {
		fprintf(stderr, "crontab: out of memory\n");
		goto out;
	}
	for (long i = 0; i < cli->count && !capped; i++) {
		if (!nextrun_after(&sched, zone, t, &t))
			break;
		char buf[TIMEFMT_RFC3339_LEN];
		capped = cli_format_run(zone, t, buf, sizeof(buf)) < 0;
		if (!capped && doc && next_json_add(runs, zone, t, 0, NULL) < 0) {
			fprintf(stderr, "crontab: out of memory\n");
			json_decref(doc);
			goto out;
		}
		if (!capped && !doc)
			puts(buf);
	}
	bool written = doc ? json_out_print(doc, stdout) == 0 : fflush(stdout) == 0;
	if (!written)
		fprintf(stderr, "crontab: cannot write to standard output\n");
	status = written && !capped ? EXIT_OK : EXIT_FAIL;
out:
	tz_free(zone);
	free(text);
	return status;
}
