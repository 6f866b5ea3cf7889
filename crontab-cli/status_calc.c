/* crontab-cli/status_calc.c: an entry's newest runs in a few numbers, and
 * its schedule as written (see status.h). Pure: no I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crontab-cli/status.h"
#include "lib/proto_msgs.h"
#include "lib/runstate.h"
#include "lib/safetext.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void status_summarize(const struct status_run *runs, size_t n, struct status_summary *out)
{
	memset(out, 0, sizeof(*out));
	int64_t d[STATUS_RUNS * 8];
	size_t nd = 0;
	for (size_t i = 0; i < n; i++) {
		const struct status_run *r = &runs[i];
		enum run_state st = run_state(r->flags, r->end_ms, r->status, r->signal);
		if (st == RUN_NOT_STARTED) {
			out->not_started++;
			continue;
		}
		if (!out->last)
			out->last = r;
		out->runs++;
		if (st == RUN_FAILED || st == RUN_INTERRUPTED)
			out->failures++;
		/* Durations of runs that really ran to an end. */
		if (st != RUN_RUNNING && st != RUN_INTERRUPTED &&
		    !(r->flags & RUNF_START_FAILED) && nd < sizeof(d) / sizeof(d[0]))
			d[nd++] = r->end_ms > r->start_ms ? r->end_ms - r->start_ms : 0;
	}
	if (nd == 0)
		return;
	qsort(d, nd, sizeof(d[0]), cmp_i64);
	out->have_durations = true;
	out->median_ms = nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2;
	out->worst_ms = d[nd - 1];
}

void status_schedule_text(const char *text, size_t len, uint32_t line,
                          struct status_line_cursor *cur, char *buf, size_t buflen)
{
	snprintf(buf, buflen, "?");
	if (line == 0)
		return;
	size_t i = 0;
	uint32_t l = 1;
	if (cur != NULL && cur->line != 0 && cur->line <= line && cur->offset <= len) {
		i = cur->offset;
		l = cur->line;
	}
	for (; l < line && i < len; i++)
		if (text[i] == '\n')
			l++;
	if (i >= len)
		return;
	if (cur != NULL)
		*cur = (struct status_line_cursor){ .offset = i, .line = line };
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i < len && text[i] == '-')           /* "do not log" mark */
		i++;
	int fields = i < len && text[i] == '@' ? 1 : 5;
	size_t k = 0;
	bool full = false;
	for (int f = 0; f < fields && i < len && text[i] != '\n'; f++) {
		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (f > 0 && !full && k + 1 < buflen)
			buf[k++] = ' ';
		while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
		       text[i] != '\r') {
			/* Escaped as every user's text on a terminal is, though the
			 * parser refuses control bytes in a schedule: this text is
			 * cut from the crontab by counting lines, not parsed. */
			char shown[SAFETEXT_CHAR_MAX];
			i += safetext_char(text + i, len - i, shown);
			size_t n = strlen(shown);
			if (k + n >= buflen)
				full = true;       /* cut between characters, never in one */
			if (!full) {
				memcpy(buf + k, shown, n);
				k += n;
			}
		}
	}
	if (k > 0)
		buf[k] = '\0';
}
