/* crontab-cli/history.c: `crontab [-u USER] --history [N] [--tz ZONE]`.
 *
 * The newest N runs of the user's cron entries, newest first, one line
 * each (the columns are documented in crontab(1)):
 *
 *   SCHEDULED         STARTED              DURATION  RESULT     FLAGS  COMMAND  OUTPUT
 *   2026-03-08 03:00  2026-03-08 03:00:00      1.2s  exit 0     -      backup   3 files
 *
 * Times are in ZONE (--tz, else the local zone). The command and the first
 * line of output are cut to a fixed width, control characters shown as '?',
 * so one run is always one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/store.h"
#include "lib/civil.h"
#include "lib/proto_msgs.h"
#include "lib/tz.h"

#define COMMAND_WIDTH 32
#define OUTPUT_WIDTH 60
#define FLAGS_WIDTH 9

/* "YYYY-MM-DD HH:MM" or, WITH_SECONDS, "YYYY-MM-DD HH:MM:SS". */
static void format_time(const struct tz *zone, int64_t t, bool with_seconds, char *buf,
                        size_t len)
{
	struct civil_time c;
	civil_from_wall(tz_to_wall(zone, t), &c);
	if (with_seconds)
		snprintf(buf, len, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)c.year, c.month,
		         c.day, c.hour, c.minute, c.second);
	else
		snprintf(buf, len, "%04lld-%02d-%02d %02d:%02d", (long long)c.year, c.month, c.day,
		         c.hour, c.minute);
}

static void format_duration(const struct store_run *r, char *buf, size_t len)
{
	if (r->flags & (RUNF_SKIPPED | RUNF_START_FAILED | RUNF_NO_STATUS))
		snprintf(buf, len, "-");
	else if (r->end_ms == 0)
		snprintf(buf, len, "running");
	else {
		long long ms = r->end_ms > r->start_ms ? r->end_ms - r->start_ms : 0;
		long long s = ms / 1000;
		if (ms < 10000)
			snprintf(buf, len, "%lld.%llds", s, ms / 100 % 10);
		else if (s < 60)
			snprintf(buf, len, "%llds", s);
		else if (s < 3600)
			snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
		else
			snprintf(buf, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
	}
}

static void format_result(const struct store_run *r, char *buf, size_t len)
{
	if (r->flags & (RUNF_SKIPPED | RUNF_START_FAILED | RUNF_NO_STATUS))
		snprintf(buf, len, "-");
	else if (r->end_ms == 0)
		snprintf(buf, len, "-");
	else if (r->signal != 0)
		snprintf(buf, len, "signal %u", r->signal);
	else
		snprintf(buf, len, "exit %u", r->status);
}

static void format_flags(uint32_t flags, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ RUNF_SKIPPED, "skipped" },         { RUNF_TIMED_OUT, "timed-out" },
		{ RUNF_INTERRUPTED, "interrupted" }, { RUNF_START_FAILED, "failed-to-start" },
		{ RUNF_TRUNCATED, "truncated" },     { RUNF_CATCHUP, "catch-up" },
	};
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (flags & names[i].bit) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i].name);
		}
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* Prints the first line of S (N bytes) in at most WIDTH characters (UTF-8
 * sequences count as one), control bytes as '?', "..." when cut; padded
 * with spaces to WIDTH when PAD. */
static void print_cut(const char *s, size_t n, size_t width, bool pad)
{
	size_t end = 0, chars = 0;
	while (end < n && s[end] != '\n' && s[end] != '\r')
		end++;
	size_t total = 0;
	for (size_t i = 0; i < end; i++)
		total += ((unsigned char)s[i] & 0xC0) != 0x80;
	size_t keep = total > width ? width - 3 : width;
	for (size_t i = 0; i < end; i++) {
		unsigned char c = (unsigned char)s[i];
		bool starts = (c & 0xC0) != 0x80;
		if (starts && chars == keep)
			break;
		chars += starts;
		putchar(c == '\t' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c);
	}
	if (total > width) {
		fputs("...", stdout);
		chars += 3;
	}
	for (; pad && chars < width; chars++)
		putchar(' ');
}

static void print_run(const struct store_run *r, const struct tz *zone)
{
	char sched[32], start[32], dur[32], result[32], flags[128];
	if (r->scheduled > 0)
		format_time(zone, r->scheduled, false, sched, sizeof(sched));
	else
		snprintf(sched, sizeof(sched), "-");
	format_time(zone, r->start_ms / 1000, true, start, sizeof(start));
	format_duration(r, dur, sizeof(dur));
	format_result(r, result, sizeof(result));
	format_flags(r->flags, flags, sizeof(flags));
	printf("%-16s  %-19s  %8s  %-10s  %-*s  ", sched, start, dur, result, FLAGS_WIDTH, flags);
	bool has_output = r->output_len > 0 && r->output[0] != '\n' && r->output[0] != '\r';
	print_cut(r->command, strlen(r->command), COMMAND_WIDTH, has_output);
	if (has_output) {
		fputs("  ", stdout);
		print_cut(r->output, r->output_len, OUTPUT_WIDTH, false);
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
	char err[512];
	struct tz *zone = tz_load(cli->zone, err, sizeof(err));
	if (!zone) {
		fprintf(stderr, "crontab: --tz: %s\n", err);
		return EXIT_FAIL;
	}
	struct store_run *runs;
	size_t n;
	if (store_history(&st, (uint32_t)count, &runs, &n) != STORE_OK) {
		tz_free(zone);
		return EXIT_FAIL;
	}
	if (n == 0)
		fprintf(stderr, "crontab: no runs recorded for %s\n", who.name);
	else
		printf("%-16s  %-19s  %8s  %-10s  %-*s  %-*s  %s\n", "SCHEDULED", "STARTED",
		       "DURATION", "RESULT", FLAGS_WIDTH, "FLAGS", COMMAND_WIDTH, "COMMAND",
		       "OUTPUT");
	for (size_t i = 0; i < n; i++)
		print_run(&runs[i], zone);
	store_runs_free(runs, n);
	tz_free(zone);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "crontab: cannot write to standard output\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
