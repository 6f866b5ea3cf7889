/* crontab-cli/status.c: `crontab [-u USER | --all] --status [--json] [--tz Z]`.
 *
 * One row per entry, in crontab order: line, schedule as written, next run,
 * last run (start, duration, result), failures among the newest runs and
 * the typical (median) and worst duration of those runs. Everything comes
 * from one MSG_STATUS request (status_fetch.c): the crontab as installed,
 * its '~' seed and each entry's newest history records, matched by crond's
 * own entry key. The next run is computed here (lib/nextrun.h, in the
 * entry's CRON_TZ, else ZONE) from crond's clock, so a test clock shows.
 *
 * Three shapes (crontab(1) documents each):
 *   - on a terminal: aligned columns with a header, the command cut to the
 *     terminal's width, colour (unless NO_COLOR is set and not empty);
 *   - piped: tab-separated lines, no header, no colour, nothing cut;
 *   - --json: one document (schema in crontab(1)), through jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/status.h"
#include "lib/json_out.h"
#include "lib/nextrun.h"
#include "lib/proto_msgs.h"
#include "lib/runfmt.h"
#include "lib/runstate.h"
#include "lib/safetext.h"
#include "lib/timefmt.h"
#include "lib/tz.h"

#define SCHEDULE_WIDTH_MAX 28
#define COMMAND_WIDTH_MIN 12

enum shape { SHAPE_TABLE, SHAPE_TSV, SHAPE_JSON };

/* The table's columns after LINE and SCHEDULE (COMMAND comes last). */
enum { C_NEXT, C_LAST, C_DUR, C_RESULT, C_FAILED, C_TYPICAL, C_WORST, N_CELLS };

/* What one entry's row shows, worked out once for every shape. */
struct row {
	const struct crontab_entry *e;
	char schedule[SCHEDULE_WIDTH_MAX * 4];
	bool have_next;
	int64_t next;
	const struct status_entry *se;  /* crond's record of the entry, or NULL */
	struct status_summary sum;
	char cells[N_CELLS][32];        /* the table's cells (table_cells) */
};

struct out {
	enum shape shape;
	bool colour;
	bool all;                       /* --all: several crontabs */
	unsigned width;                 /* terminal columns */
	const struct tz *zone;          /* times are shown in it */
	const struct tz *entry_zone;    /* entries without CRON_TZ run in it */
	json_t *doc;                    /* SHAPE_JSON: the "crontabs" array */
};

static unsigned terminal_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	long v = c ? strtol(c, NULL, 10) : 0;
	return v > 0 && v < 10000 ? (unsigned)v : 80;
}

/* ------------------------------------------------------------ cells */

/* The result of the last run: "exit 0", "signal 9", "running",
 * "timed out", "no start", "interrupted"; "-" without one. */
static void result_text(const struct status_run *r, char *buf, size_t len)
{
	if (!r) {
		snprintf(buf, len, "-");
		return;
	}
	enum run_state st = run_state(r->flags, r->end_ms, r->status, r->signal);
	if (st == RUN_RUNNING)
		snprintf(buf, len, "running");
	else if (r->flags & RUNF_TIMED_OUT)
		snprintf(buf, len, "timed out");
	else if (r->flags & RUNF_START_FAILED)
		snprintf(buf, len, "no start");
	else if (st == RUN_INTERRUPTED)
		snprintf(buf, len, "interrupted");
	else
		runfmt_result(r->flags, r->end_ms, r->status, r->signal, buf, len);
}

static void ms_text(bool have, int64_t ms, char *buf, size_t len)
{
	if (!have)
		snprintf(buf, len, "-");
	else
		runfmt_duration(0, 0, ms > 0 ? ms : 1, buf, len);
}

/* Colour of the result and of the failure count (table only). */
static const char *result_colour(const struct status_run *r)
{
	if (!r)
		return NULL;
	switch (run_state(r->flags, r->end_ms, r->status, r->signal)) {
	case RUN_OK: return "\033[32m";
	case RUN_RUNNING: return "\033[33m";
	case RUN_FAILED: case RUN_INTERRUPTED: return "\033[31m";
	case RUN_NOT_STARTED: break;
	}
	return NULL;
}

/* TEXT in |WIDTH| columns (left-aligned when WIDTH < 0), in COLOUR when
 * colour is on and COLOUR is not NULL. */
static void coloured(const struct out *o, const char *colour, int width, const char *text)
{
	if (o->colour && colour)
		printf("%s%*s\033[0m", colour, width, text);
	else
		printf("%*s", width, text);
}

/* ------------------------------------------------------------ shapes */

/* Each column's header and alignment (-1 left, 1 right). */
static const struct {
	const char *head;
	int align;
} columns[N_CELLS] = {
	{ "NEXT", -1 }, { "LAST RUN", -1 }, { "DURATION", 1 }, { "RESULT", -1 },
	{ "FAILED", 1 }, { "TYPICAL", 1 }, { "WORST", 1 },
};

/* Widths of the table: SCHEDULE (cut at SCHEDULE_WIDTH_MAX) and each
 * column, as wide as its header or its widest cell. */
struct widths {
	int schedule;
	int cell[N_CELLS];
};

static void table_cells(const struct out *o, struct row *r)
{
	char (*c)[32] = r->cells;
	const struct status_run *lr = r->sum.last;
	snprintf(c[C_NEXT], sizeof(c[0]), "-");
	snprintf(c[C_LAST], sizeof(c[0]), "never");
	snprintf(c[C_DUR], sizeof(c[0]), "-");
	snprintf(c[C_FAILED], sizeof(c[0]), "-");
	if (r->have_next)
		runfmt_time(o->zone, r->next, false, c[C_NEXT], sizeof(c[0]));
	if (lr) {
		runfmt_time(o->zone, lr->start_ms / 1000, true, c[C_LAST], sizeof(c[0]));
		runfmt_duration(lr->flags, lr->start_ms, lr->end_ms, c[C_DUR], sizeof(c[0]));
	}
	result_text(lr, c[C_RESULT], sizeof(c[0]));
	if (r->sum.runs)
		snprintf(c[C_FAILED], sizeof(c[0]), "%zu/%zu", r->sum.failures, r->sum.runs);
	ms_text(r->sum.have_durations, r->sum.median_ms, c[C_TYPICAL], sizeof(c[0]));
	ms_text(r->sum.have_durations, r->sum.worst_ms, c[C_WORST], sizeof(c[0]));
}

static void table_widths(const struct row *rows, size_t n, struct widths *w)
{
	w->schedule = 8;
	for (int k = 0; k < N_CELLS; k++)
		w->cell[k] = (int)strlen(columns[k].head);
	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(rows[i].schedule);
		if (l > w->schedule)
			w->schedule = l > SCHEDULE_WIDTH_MAX ? SCHEDULE_WIDTH_MAX : l;
		for (int k = 0; k < N_CELLS; k++) {
			l = (int)strlen(rows[i].cells[k]);
			w->cell[k] = l > w->cell[k] ? l : w->cell[k];
		}
	}
}

static void print_header(const struct widths *w)
{
	printf("%4s  %-*s", "LINE", w->schedule, "SCHEDULE");
	for (int k = 0; k < N_CELLS; k++)
		printf("  %*s", columns[k].align * w->cell[k], columns[k].head);
	printf("  %s\n", "COMMAND");
}

static void print_table_row(const struct out *o, const struct row *r, const struct widths *w,
                            const char *user)
{
	printf("%4u  %-*.*s", r->e->line, w->schedule, w->schedule, r->schedule);
	size_t used = (size_t)(4 + 2 + w->schedule);
	for (int k = 0; k < N_CELLS; k++) {
		const char *colour = k == C_RESULT ? result_colour(r->sum.last)
		                     : k == C_FAILED && r->sum.failures ? "\033[31m" : NULL;
		fputs("  ", stdout);
		coloured(o, colour, columns[k].align * w->cell[k], r->cells[k]);
		used += 2 + (size_t)w->cell[k];
	}
	fputs("  ", stdout);
	used += 2;
	size_t width = o->width > used + COMMAND_WIDTH_MIN ? o->width - used : COMMAND_WIDTH_MIN;
	char cmd[CRONTAB_MAX_LINE + 64];
	if (user)
		snprintf(cmd, sizeof(cmd), "[%s] %s", user, r->e->command);
	else
		snprintf(cmd, sizeof(cmd), "%s", r->e->command);
	runfmt_print_cut(cmd, strlen(cmd), width, false);
	putchar('\n');
}

static void seconds_text(bool have, int64_t ms, char *buf, size_t len)
{
	if (!have)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
}

static void print_tsv_row(const struct out *o, const struct row *r, const char *source)
{
	char next[TIMEFMT_RFC3339_LEN] = "-", last[TIMEFMT_RFC3339_LEN] = "-", dur[32] = "-";
	char res[32], typical[32], worst[32];
	const struct status_run *lr = r->sum.last;
	if (r->have_next)
		timefmt_rfc3339(o->zone, r->next, next, sizeof(next));
	if (lr) {
		timefmt_rfc3339(o->zone, lr->start_ms / 1000, last, sizeof(last));
		seconds_text(lr->end_ms != 0, lr->end_ms - lr->start_ms, dur, sizeof(dur));
	}
	result_text(lr, res, sizeof(res));
	seconds_text(r->sum.have_durations, r->sum.median_ms, typical, sizeof(typical));
	seconds_text(r->sum.have_durations, r->sum.worst_ms, worst, sizeof(worst));
	if (o->all) {
		(void)safetext_fputs(source, strlen(source), stdout);
		putchar('\t');
	}
	printf("%u\t%s\t%s\t%s\t%s\t%s\t%zu/%zu\t%s\t%s\t", r->e->line, r->schedule, next, last,
	       dur, res, r->sum.failures, r->sum.runs, typical, worst);
	if (r->e->user) {
		(void)safetext_fputs(r->e->user, strlen(r->e->user), stdout);
		putchar(' ');
	}
	(void)safetext_fputs(r->e->command, strlen(r->e->command), stdout);
	putchar('\n');
}

static json_t *json_row(const struct out *o, const struct row *r, const char *key)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	const struct status_summary *s = &r->sum;
	json_t *last = json_null();
	if (s->last) {
		struct json_run jr = { s->last->scheduled, s->last->start_ms, s->last->end_ms,
		                       s->last->status, s->last->signal, s->last->flags };
		last = json_object();
		if (last && json_out_run_fields(last, &jr, o->zone) < 0) {
			json_decref(last);
			last = NULL;
		}
	}
	json_t *recent = json_pack("{s:I, s:I, s:I, s:o, s:o}", "runs", (json_int_t)s->runs,
	                           "failures", (json_int_t)s->failures, "not_started",
	                           (json_int_t)s->not_started, "median_duration_ms",
	                           s->have_durations ? json_integer(s->median_ms) : json_null(),
	                           "max_duration_ms",
	                           s->have_durations ? json_integer(s->worst_ms) : json_null());
	int bad = json_object_set_new(j, "line", json_integer(r->e->line)) |
	          json_object_set_new(j, "schedule", json_out_bytes(r->schedule,
	                                                            strlen(r->schedule))) |
	          json_object_set_new(j, "user", r->e->user ? json_out_bytes(r->e->user,
	                                                                     strlen(r->e->user))
	                                                    : json_null()) |
	          json_object_set_new(j, "command", json_out_bytes(r->e->command,
	                                                           strlen(r->e->command))) |
	          json_object_set_new(j, "key", key ? json_string(key) : json_null()) |
	          json_out_set_time(j, "next_run", o->zone, r->next, r->have_next) |
	          json_object_set_new(j, "last_run", last) |
	          json_object_set_new(j, "recent", recent);
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ------------------------------------------------------------ a crontab */

/* The rows of SRC's entries into *ROWS (caller frees); -1 printed. */
static int make_rows(const struct status_source *src, const struct crontab *tab,
                     const struct tz *zone, int64_t now, struct row **rows)
{
	struct tz **zones = calloc(tab->n_options + 1, sizeof(*zones));
	struct row *v = calloc(tab->n_entries + 1, sizeof(*v));
	int rc = zones && v ? 0 : -1;
	if (rc < 0)
		fprintf(stderr, "crontab: out of memory\n");
	struct status_line_cursor cur = { 0 };
	for (size_t i = 0; rc == 0 && i < tab->n_entries; i++) {
		const struct crontab_entry *e = &tab->entries[i];
		struct row *r = &v[i];
		r->e = e;
		status_schedule_text(src->text, src->len, e->line, &cur, r->schedule,
		                     sizeof(r->schedule));
		const struct tz *z = cli_entry_zone(tab, e->options, zones, zone);
		if (!z) {
			rc = -1;
			break;
		}
		r->have_next = !(e->sched.flags & SCHED_REBOOT) &&
		               nextrun_after(&e->sched, z, now, &r->next);
		const struct status_entry *se = i < src->n_entries && src->entries[i].line == e->line
		                                ? &src->entries[i] : status_find_entry(src, e->line);
		r->se = se;
		if (se)
			status_summarize(se->runs, se->n_runs, &r->sum);
		else
			memset(&r->sum, 0, sizeof(r->sum));
	}
	for (size_t i = 0; zones && i < tab->n_options; i++)
		tz_free(zones[i]);
	free(zones);
	if (rc < 0)
		free(v);
	else
		*rows = v;
	return rc;
}

static int show_source(struct out *o, const struct status_source *src, int64_t now)
{
	json_t *jsrc = NULL, *jentries = NULL;
	if (o->shape == SHAPE_JSON) {
		jsrc = json_object();
		jentries = json_array();
		if (!jsrc || !jentries ||
		    json_object_set_new(jsrc, "source", json_out_bytes(src->name,
		                                                       strlen(src->name))) ||
		    json_object_set_new(jsrc, "user", src->user ? json_string(src->user)
		                                                : json_null()) ||
		    json_object_set_new(jsrc, "problem", src->problem ? json_string(src->problem)
		                                                      : json_null()) ||
		    json_object_set_new(jsrc, "entries", jentries) ||
		    json_array_append_new(o->doc, jsrc)) {
			fprintf(stderr, "crontab: out of memory\n");
			return -1;
		}
	}
	if (o->shape == SHAPE_TABLE && o->all)
		printf("== %s\n", src->name);
	if (!src->text) {
		if (o->shape != SHAPE_JSON)
			fprintf(stderr, "crontab: %s: %s\n", src->name, src->problem);
		return 0;
	}
	struct crontab tab;
	if (status_load(src, &tab) < 0)
		return -1;
	struct row *rows = NULL;
	int rc = make_rows(src, &tab, o->entry_zone, now, &rows);
	struct widths w = { 0 };   /* table_widths sets it; -O1 cannot see that */
	for (size_t i = 0; rc == 0 && o->shape == SHAPE_TABLE && i < tab.n_entries; i++)
		table_cells(o, &rows[i]);
	if (rc == 0)
		table_widths(rows, tab.n_entries, &w);
	if (rc == 0 && o->shape == SHAPE_TABLE && tab.n_entries > 0)
		print_header(&w);
	else if (rc == 0 && o->shape == SHAPE_TABLE)
		printf("(no entries)\n");
	for (size_t i = 0; rc == 0 && i < tab.n_entries; i++) {
		const struct status_entry *se = rows[i].se;
		if (o->shape == SHAPE_TABLE)
			print_table_row(o, &rows[i], &w, rows[i].e->user);
		else if (o->shape == SHAPE_TSV)
			print_tsv_row(o, &rows[i], src->name);
		else if (json_array_append_new(jentries, json_row(o, &rows[i],
		                                                  se ? se->key : NULL)) != 0) {
			fprintf(stderr, "crontab: out of memory\n");
			rc = -1;
		}
	}
	free(rows);
	crontab_free(&tab);
	return rc;
}

int crontab_cmd_status(const struct crontab_cli *cli)
{
	struct tz *zone;
	struct status_set set;
	if (status_fetch_for(cli, STATUS_RUNS, &set, &zone) < 0)
		return EXIT_FAIL;
	const char *nc = getenv("NO_COLOR");
	bool tty = isatty(STDOUT_FILENO);
	struct out o = {
		.shape = cli->json ? SHAPE_JSON : tty ? SHAPE_TABLE : SHAPE_TSV,
		.colour = tty && !cli->json && !(nc && *nc),
		.all = cli->all,
		.width = tty ? terminal_width() : 0,
		.zone = zone,
		.entry_zone = set.entry_zone,
	};
	json_t *root = NULL;
	if (o.shape == SHAPE_JSON) {
		root = json_object();
		o.doc = json_array();
		if (!root || !o.doc || json_object_set_new(root, "schema", json_string("crond.status/1")) ||
		    json_out_set_time(root, "now", zone, set.now, true) ||
		    json_object_set_new(root, "crontabs", o.doc)) {
			fprintf(stderr, "crontab: out of memory\n");
			json_decref(root);
			status_set_free(&set);
			tz_free(zone);
			return EXIT_FAIL;
		}
	}
	int status = EXIT_OK;
	for (size_t i = 0; i < set.n && status == EXIT_OK; i++) {
		if (o.shape == SHAPE_TABLE && o.all && i > 0)
			putchar('\n');
		if (show_source(&o, &set.v[i], set.now) < 0)
			status = EXIT_FAIL;
	}
	if (root && status == EXIT_OK && json_out_print(root, stdout) < 0) {
		fprintf(stderr, "crontab: cannot write to standard output\n");
		status = EXIT_FAIL;
	} else if (root && status != EXIT_OK) {
		json_decref(root);
	}
	if (!root && fflush(stdout) != 0) {
		fprintf(stderr, "crontab: cannot write to standard output\n");
		status = EXIT_FAIL;
	}
	status_set_free(&set);
	tz_free(zone);
	return status;
}
