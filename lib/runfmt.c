/* lib/runfmt.c: showing history runs (see runfmt.h). */
#include "lib/runfmt.h"

#include <stdio.h>
#include <string.h>

#include "lib/civil.h"
#include "lib/proto_msgs.h"
#include "lib/safetext.h"

void runfmt_time(const struct tz *zone, int64_t t, bool with_seconds, char *buf, size_t len)
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

static bool no_result(uint32_t flags)
{
	return (flags & (RUNF_SKIPPED | RUNF_START_FAILED | RUNF_NO_STATUS)) != 0;
}

void runfmt_duration(uint32_t flags, int64_t start_ms, int64_t end_ms, char *buf, size_t len)
{
	long long ms = end_ms > start_ms ? end_ms - start_ms : 0, s = ms / 1000;
	/* An interrupted run ran, with no status: until crond noticed. */
	if (no_result(flags) && !(flags & RUNF_INTERRUPTED))
		snprintf(buf, len, "-");
	else if (end_ms == 0)
		snprintf(buf, len, "running");
	else if (ms < 10000)
		snprintf(buf, len, "%lld.%llds", s, ms / 100 % 10);
	else if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
}

void runfmt_result(uint32_t flags, int64_t end_ms, uint32_t status, uint32_t signal, char *buf,
                   size_t len)
{
	if (no_result(flags) || end_ms == 0)
		snprintf(buf, len, "-");
	else if (signal != 0)
		snprintf(buf, len, "signal %u", signal);
	else
		snprintf(buf, len, "exit %u", status);
}

void runfmt_flags(uint32_t flags, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ RUNF_SKIPPED, "skipped" },         { RUNF_TIMED_OUT, "timed-out" },
		{ RUNF_INTERRUPTED, "interrupted" }, { RUNF_START_FAILED, "failed-to-start" },
		{ RUNF_TRUNCATED, "truncated" },     { RUNF_CATCHUP, "catch-up" },
		{ RUNF_QUEUE_FULL, "queue-full" },   { RUNF_COALESCED, "coalesced" },
		{ RUNF_CANCELLED, "cancelled" },     { RUNF_MANUAL, "manual" },
		{ RUNF_REFUSED_QUOTA, "refused:quota" }, { RUNF_NODE_LOST, "node-lost" },
		{ RUNF_CLOCK_SKEW, "clock-skew" }, { RUNF_CLAIM_LATE, "claim-late" },
	};
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t used = strlen(buf);
		if (flags & names[i].bit)
			snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i].name);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* The columns SHOWN (a character or its escape) takes: one per character. */
static size_t columns(const char *shown)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)shown; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

/* How the character at S (N bytes) is shown into OUT; returns its bytes. */
static size_t show_char(const unsigned char *s, size_t n, char out[SAFETEXT_CHAR_MAX])
{
	if (s[0] == '\t') {
		out[0] = ' ';
		out[1] = '\0';
		return 1;
	}
	return safetext_char(s, n, out);
}

void runfmt_print_cut(const void *text, size_t n, size_t width, bool pad)
{
	const unsigned char *s = text;
	char c[SAFETEXT_CHAR_MAX];
	size_t end = 0, total = 0, cols = 0;
	while (end < n && s[end] != '\n')
		end++;
	/* More than the first line (trailing newlines aside) is a cut too: a
	 * command "true\r; curl x | sh" showed as "true" (a review's finding;
	 * a CR is now escaped like any control) */
	bool more = false;
	for (size_t i = end; i < n && !more; i++)
		more = s[i] != '\n';
	for (size_t i = 0; i < end;) {
		i += show_char(s + i, end - i, c);
		total += columns(c);
	}
	bool cut = total > width || more;
	size_t keep = cut ? (width > 3 ? width - 3 : 0) : width;
	for (size_t i = 0; i < end;) {
		i += show_char(s + i, end - i, c);
		size_t w = columns(c);
		if (cols + w > keep)
			break;
		fputs(c, stdout);
		cols += w;
	}
	if (cut) {
		fputs("...", stdout);
		cols += 3;
	}
	for (; pad && cols < width; cols++)
		putchar(' ');
}
