/* bench/sched_bench.c: cost of the crontab language and next-run arithmetic.
 *
 * Prints, per schedule in a mix of realistic and pathological ones:
 *   parse ns/entry   whole-crontab parse cost per entry (10,000-entry text)
 *   next ns/call     nextrun_after cost in America/New_York, chained calls
 * and the same for a minute-stepping search, the method cron daemons use
 * (each wakes every minute and tests every entry), to show the ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/crontab.h"
#include "lib/nextrun.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static const char *const schedules[] = {
	"*/5 * * * *",            /* realistic */
	"0 * * * *",
	"30 2 * * *",
	"15 4 * * 1-5",
	"0 0 1 * *",
	"@daily",
	"5,35 8-18 * * mon-fri",
	"0 0 29 2 *",             /* pathological: leap days only */
	"0 0 29 2 */7",           /* a Sunday Feb 29: once in 28 years */
	"59 23 31 12 *",
	"1-59/2 0-23/3 1-31/2 1-12/5 *",
};

static double bench_parse(const char *sched)
{
	const int n = CRONTAB_MAX_ENTRIES;
	size_t line_len = strlen(sched) + 40;
	char *text = malloc((size_t)n * line_len + 1), *p = text;
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s /usr/local/bin/job-%05d --quiet\n", sched, i);
	double best = 1e18;
	for (int rep = 0; rep < 5; rep++) {
		struct crontab tab;
		struct diag_list d = { 0 };
		double a = now_ns();
		if (crontab_parse(text, (size_t)(p - text), CRONTAB_USER, &tab, &d) != 0)
			abort();
		double b = now_ns();
		crontab_free(&tab);
		diag_list_clear(&d);
		if (b - a < best)
			best = b - a;
	}
	free(text);
	return best / n;
}

static double bench_next(const struct schedule *s, const struct tz *z, int *calls)
{
	int64_t t = 1767225600;  /* 2026-01-01T00:00Z */
	int n = 0;
	double a = now_ns();
	for (; n < 200000; n++) {
		if (!nextrun_after(s, z, t, &t))
			break;
		if (now_ns() - a > 2e8)
			break;
	}
	double b = now_ns();
	*calls = n;
	return n ? (b - a) / n : 0;
}

/* What a once-a-minute scanner pays to find the same next run. */
static double bench_stepping(const struct schedule *s, const struct tz *z)
{
	int64_t t = 1767225600, limit = t + 30LL * 366 * 86400;
	double a = now_ns();
	int64_t u = t + 60;
	for (; u < limit; u += 60) {
		struct civil_time c;
		civil_from_wall(tz_to_wall(z, u), &c);
		if (schedule_matches(s, &c))
			break;
	}
	return now_ns() - a;
}

int main(void)
{
	char err[256];
	struct tz *z = tz_load("America/New_York", err, sizeof(err));
	if (!z) {
		fprintf(stderr, "sched_bench: %s\n", err);
		return 1;
	}
	printf("%-32s %14s %14s %18s\n", "schedule", "parse ns/entry", "next ns/call",
	       "minute-step ns");
	for (size_t i = 0; i < sizeof(schedules) / sizeof(schedules[0]); i++) {
		struct schedule s;
		size_t end, col;
		char msg[256];
		if (schedule_parse(schedules[i], strlen(schedules[i]), &s, &end, &col, msg,
		                   sizeof(msg)) != 0)
			return 1;
		int calls;
		double parse = bench_parse(schedules[i]);
		double next = bench_next(&s, z, &calls);
		double step = bench_stepping(&s, z);
		printf("%-32s %14.0f %14.0f %18.0f\n", schedules[i], parse, next, step);
	}
	tz_free(z);
	return 0;
}
