/* crontab-cli/history.c: `crontab [-u USER] --history [N] [--tz ZONE]`.
 *
 * The newest N runs of the user's cron entries, newest first, one line
 * each (the columns are documented in crontab(1)):
 *
 *   SCHEDULED         STARTED              DURATION  RESULT     FLAGS  COMMAND  OUTPUT
 *   2026-03-08 03:00  2026-03-08 03:00:00      1.2s  exit 0     -      backup   3 files
 *
 * In a cluster a NODE column after FLAGS names the node that ran each run
 * ("-" for a run no node recorded); it is left out when no run shown names
 * one, so a single machine's output is as it always was.
 *
 * Times are in ZONE (--tz, else the local zone). The command and the first
 * line of output are cut to a fixed width, control characters escaped
 * (lib/safetext.h: \e, \x9b), so one run is always one line. A run still
 * going reads "running"; one a crash cut off, "interrupted".
 *
 * One reply from crond carries at most 1000 runs: store_history asks the
 * rest page by page (lib/history_cursor.h), so N up to 100000 are shown
 * when the history has them.
 *
 * With --json: one document instead (schema "crond.history/1" in
 * crontab(1)): {"schema", "user", "runs": [...]}, newest first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/store.h"
#include "lib/json_out.h"
#include "lib/proto_msgs.h"
#include "lib/runfmt.h"
#include "lib/tz.h"

#define COMMAND_WIDTH 32
#define OUTPUT_WIDTH 60
#define FLAGS_WIDTH 9   /* at least: as wide as the widest flags shown */
/* One run as a JSON object (lib/json_out.h), NULL when out of memory. */
static json_t *json_run(const struct store_run *r, const struct tz *zone)
{
	json_t *j = json_object();
	struct json_run jr = { r->scheduled, r->start_ms, r->end_ms, r->status, r->signal,
	                       r->flags };
	if (!j || json_object_set_new(j, "kind", json_string("cron")) ||
	    json_object_set_new(j, "command", json_out_bytes(r->command, strlen(r->command))) ||
	    json_out_run_fields(j, &jr, zone) ||
	    json_object_set_new(j, "output", json_out_bytes(r->output, r->output_len)) ||
	    json_object_set_new(j, "output_size", json_integer(r->output_total)) ||
	    json_object_set_new(j, "node", r->node[0] ? json_out_bytes(r->node, strlen(r->node))
	                                              : json_null())) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The --json document of N runs; returns the exit status. */
static int print_json(const struct store_run *runs, size_t n, const char *user,
                      const struct tz *zone)
{
	json_t *root = json_object(), *arr = json_array();
	bool ok = root && arr &&
	          json_object_set_new(root, "schema", json_string("crond.history/1")) == 0 &&
	          json_object_set_new(root, "user", json_out_bytes(user, strlen(user))) == 0 &&
	          json_object_set_new(root, "runs", arr) == 0;
	if (!ok)
		json_decref(arr);
	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(arr, json_run(&runs[i], zone)) == 0;
	if (!ok) {
		json_decref(root);
		fprintf(stderr, "crontab: out of memory\n");
		return EXIT_FAIL;
	}
	if (json_out_print(root, stdout) < 0) {
		fprintf(stderr, "crontab: cannot write to standard output\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* The NODE column's width: 0 (no column) when no run names a node, as on
 * a single machine. */
static int node_width(const struct store_run *runs, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(runs[i].node) > w)
			w = strlen(runs[i].node);
	return w == 0 ? 0 : w < 4 ? 4 : (int)w;
}

/* The FLAGS column's width: the widest flags of RUNS, at least FLAGS_WIDTH,
 * so long flags ("interrupted,node-lost") keep the columns after in line. */
static int flags_width(const struct store_run *runs, size_t n)
{
	size_t w = FLAGS_WIDTH;
	char flags[128];
	for (size_t i = 0; i < n; i++) {
		runfmt_flags(runs[i].flags, flags, sizeof(flags));
		if (strlen(flags) > w)
			w = strlen(flags);
	}
	return (int)w;
}

static void print_run(const struct store_run *r, const struct tz *zone, int flags_w,
                      int node_w)
{
	char sched[32], start[32], dur[32], result[32], flags[128];
	if (r->scheduled > 0)
		runfmt_time(zone, r->scheduled, false, sched, sizeof(sched));
	else
		snprintf(sched, sizeof(sched), "-");
	runfmt_time(zone, r->start_ms / 1000, true, start, sizeof(start));
	runfmt_duration(r->flags, r->start_ms, r->end_ms, dur, sizeof(dur));
	runfmt_result(r->flags, r->end_ms, r->status, r->signal, result, sizeof(result));
	runfmt_flags(r->flags, flags, sizeof(flags));
	printf("%-16s  %-19s  %8s  %-10s  %-*s  ", sched, start, dur, result, flags_w, flags);
	if (node_w)
		printf("%-*s  ", node_w, r->node[0] ? r->node : "-");
	bool has_output = r->output_len > 0 && r->output[0] != '\n' && r->output[0] != '\r';
	runfmt_print_cut(r->command, strlen(r->command), COMMAND_WIDTH, has_output);
	if (has_output) {
		fputs("  ", stdout);
		runfmt_print_cut(r->output, r->output_len, OUTPUT_WIDTH, false);
	}
	putchar('\n');
}

int crontab_cmd_history(const struct crontab_cli *cli)
{
	long count = cli->count ? cli->count : CLI_HISTORY_DEFAULT;
	if (count < 1 || count > CLI_HISTORY_MAX_COUNT) {
		fprintf(stderr, "crontab: --history takes a count from 1 to %d\n",
		        CLI_HISTORY_MAX_COUNT);
		return EXIT_USAGE;
	}
	struct cli_user who;
	struct store st;
	if (cli_user_resolve(cli, &who) < 0 || store_init(&st, cli, &who) < 0)
		return EXIT_FAIL;
	struct tz *zone = cli_load_zone(cli);
	if (!zone)
		return EXIT_FAIL;
	struct store_run *runs;
	size_t n;
	const char *cut_why;
	if (store_history(&st, (uint32_t)count, &runs, &n, &cut_why) != STORE_OK) {
		tz_free(zone);
		return EXIT_FAIL;
	}
	if (cut_why && (size_t)count > n)
		fprintf(stderr, "crontab: showing the newest %zu of the %ld runs asked: %s\n", n,
		        count, cut_why);
	if (cli->json) {
		int rc = print_json(runs, n, who.name, zone);
		store_runs_free(runs, n);
		tz_free(zone);
		return rc;
	}
	int node_w = node_width(runs, n);
	int flags_w = flags_width(runs, n);
	if (n == 0) {
		fprintf(stderr, "crontab: no runs recorded for %s\n", who.name);
	} else {
		printf("%-16s  %-19s  %8s  %-10s  %-*s  ", "SCHEDULED", "STARTED", "DURATION",
		       "RESULT", flags_w, "FLAGS");
		if (node_w)
			printf("%-*s  ", node_w, "NODE");
		printf("%-*s  %s\n", COMMAND_WIDTH, "COMMAND", "OUTPUT");
	}
	for (size_t i = 0; i < n; i++)
		print_run(&runs[i], zone, flags_w, node_w);
	store_runs_free(runs, n);
	tz_free(zone);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "crontab: cannot write to standard output\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
