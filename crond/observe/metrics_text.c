/* crond/observe/metrics_text.c: the Prometheus text exposition format (version
 * 0.0.4) of crond/observe/metrics.h, and its atomic write.
 *
 * Names follow Prometheus's conventions: a crond_ prefix, base units
 * (seconds), _total on counters, _timestamp_seconds on instants, a HELP and
 * a TYPE line before each family and every sample of a family together.
 */
#include "crond/observe/metrics.h"
#include "crond/observe/metrics_series.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>

static const char *const outcome_names[METRICS_N_OUTCOMES] = {
	[METRICS_SUCCESS] = "success",         [METRICS_FAILURE] = "failure",
	[METRICS_TIMEOUT] = "timeout",         [METRICS_INTERRUPTED] = "interrupted",
	[METRICS_SKIPPED] = "skipped",
};

/* The length of the valid UTF-8 character at P (N bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t min, cp;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void metrics_label_copy(const char *s, size_t max, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;
	if (max > len - 1)
		max = len - 1;
	while (n) {
		size_t c = utf8_len(p, n);
		if (c == 0 || c == 1) {
			unsigned char b = *p;
			if (o + 1 > max)
				break;
			out[o++] = c == 0 ? '?' : (b < 0x20 || b == 0x7f) ? ' ' : (char)b;
			p++, n--;
			continue;
		}
		if (o + c > max)
			break;
		memcpy(out + o, p, c);
		o += c, p += c, n -= c;
	}
	out[o] = '\0';
}

int metrics_put_label(FILE *f, const char *s)
{
	for (;;) {
		/* the run up to the next character to escape, in one write: a
		 * file of 5,000 series spent a third of its time in putc */
		size_t run = strcspn(s, "\\\"\n");
		if (run && fwrite(s, 1, run, f) != run)
			return -1;
		s += run;
		if (!*s)
			return 0;
		if (fputs(*s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : "\\n", f) < 0)
			return -1;
		s++;
	}
}

static void put_labels(FILE *f, const struct metrics_series *s)
{
	fputs("{user=\"", f);
	metrics_put_label(f, s->user);
	fputs("\",source=\"", f);
	metrics_put_label(f, s->source);
	fprintf(f, "\",line=\"%u\",entry=\"", s->line);
	metrics_put_label(f, s->entry);
	fputs("\",command=\"", f);
	metrics_put_label(f, s->command);
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

enum per_entry { LAST_START, LAST_EXIT, LAST_DURATION };

static void entry_family(FILE *f, const struct metrics *m, enum per_entry which, const char *name)
{
	for (size_t b = 0; b < METRICS_BUCKETS; b++) {
		for (const struct metrics_series *s = m->buckets[b]; s; s = s->next) {
			if (!s->have_last)
				continue;
			fputs(name, f);
			put_labels(f, s);
			if (which == LAST_START)
				fprintf(f, "} %.3f\n", s->last_start_s);
			else if (which == LAST_EXIT)
				fprintf(f, "} %d\n", s->last_exit);
			else
				fprintf(f, "} %.3f\n", s->last_duration_s);
		}
	}
}

static void entry_runs(FILE *f, const struct metrics *m)
{
	for (size_t b = 0; b < METRICS_BUCKETS; b++) {
		for (const struct metrics_series *s = m->buckets[b]; s; s = s->next) {
			for (int o = 0; o < METRICS_N_OUTCOMES; o++) {
				fputs("crond_entry_runs_total", f);
				put_labels(f, s);
				fprintf(f, ",outcome=\"%s\"} %llu\n", outcome_names[o],
				        (unsigned long long)s->runs[o]);
			}
		}
	}
}

static void scalar(FILE *f, const char *name, const char *type, const char *help,
                   unsigned long long v)
{
	family(f, name, type, help);
	fprintf(f, "%s %llu\n", name, v);
}

int metrics_format(const struct metrics *m, FILE *f)
{
	family(f, "crond_entry_last_start_timestamp_seconds", "gauge",
	       "When the entry's last run started, in seconds since the epoch.");
	entry_family(f, m, LAST_START, "crond_entry_last_start_timestamp_seconds");
	family(f, "crond_entry_last_exit_status", "gauge",
	       "Exit status of the entry's last run (128+N when killed by signal N, 127 when it "
	       "could not start).");
	entry_family(f, m, LAST_EXIT, "crond_entry_last_exit_status");
	family(f, "crond_entry_last_duration_seconds", "gauge",
	       "How long the entry's last run took.");
	entry_family(f, m, LAST_DURATION, "crond_entry_last_duration_seconds");
	family(f, "crond_entry_runs_total", "counter",
	       "Runs of the entry since crond started, by outcome.");
	entry_runs(f, m);
	family(f, "crond_runs_total", "counter",
	       "Runs of every crontab entry and at job since crond started, by outcome.");
	for (int o = 0; o < METRICS_N_OUTCOMES; o++)
		fprintf(f, "crond_runs_total{outcome=\"%s\"} %llu\n", outcome_names[o],
		        (unsigned long long)m->runs[o]);
	scalar(f, "crond_jobs_running", "gauge", "Jobs running now.", m->gauges.running);
	scalar(f, "crond_jobs_waiting", "gauge", "Runs waiting for a job slot.", m->gauges.waiting);
	scalar(f, "crond_at_jobs_queued", "gauge", "At and batch jobs waiting for their time.",
	       m->gauges.at_queued);
	scalar(f, "crond_entries", "gauge", "Crontab entries scheduled.", m->gauges.entries);
	scalar(f, "crond_runs_skipped_total", "counter",
	       "Runs that were due but never started (overlap, coalesced, queue full, cancelled).",
	       m->skipped);
	scalar(f, "crond_runs_late_total", "counter",
	       "Runs that started more than 60 seconds after they were due (after the RANDOM_DELAY "
	       "window; batch jobs are never late).",
	       m->late);
	scalar(f, "crond_metrics_entries_over_cap_total", "counter",
	       "Runs of entries left without a series of their own (too many entries).",
	       m->over_cap);
	scalar(f, "crond_metrics_writes_total", "counter",
	       "Times crond wrote this file, this one included.", m->writes);
	return ferror(f) ? -1 : 0;
}

int metrics_write_file(const struct metrics *m, const char *path, char *err, size_t errlen)
{
	char tmp[1100];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	/* Never through a PATH.tmp found there (a hard link to another file,
	 * a FIFO: the directory may be writable by others): our own, new. */
	if (unlink(tmp) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot replace %s: %s", tmp, strerror(errno));
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	__fsetlocking(f, FSETLOCKING_BYCALLER);   /* one thread: no lock per character */
	int rc = metrics_format(m, f);
	int e = errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -1, e = errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1, e = errno;
	if (rc < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		unlink(tmp);
	}
	return rc;
}
