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
#include <linux/magic.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
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

/* The parts of the file, in order: a family of every series, then the
 * daemon's own figures. */
enum part { LAST_START, LAST_EXIT, LAST_DURATION, ENTRY_RUNS, TOTALS, N_PARTS };

static const struct {
	const char *name, *type, *help;
} entry_families[TOTALS] = {
	[LAST_START] = { "crond_entry_last_start_timestamp_seconds", "gauge",
	                 "When the entry's last run started, in seconds since the epoch." },
	[LAST_EXIT] = { "crond_entry_last_exit_status", "gauge",
	                "Exit status of the entry's last run (128+N when killed by signal N, 127 "
	                "when it could not start)." },
	[LAST_DURATION] = { "crond_entry_last_duration_seconds", "gauge",
	                    "How long the entry's last run took." },
	[ENTRY_RUNS] = { "crond_entry_runs_total", "counter",
	                 "Runs of the entry since crond started, by outcome." },
};

/* Writes the lines of part P for one series; returns how many. */
static size_t series_lines(FILE *f, enum part p, const struct metrics_series *s)
{
	const char *name = entry_families[p].name;
	if (p == ENTRY_RUNS) {
		for (int o = 0; o < METRICS_N_OUTCOMES; o++) {
			fputs(name, f);
			put_labels(f, s);
			fprintf(f, ",outcome=\"%s\"} %llu\n", outcome_names[o],
			        (unsigned long long)s->runs[o]);
		}
		return METRICS_N_OUTCOMES;
	}
	if (!s->have_last)
		return 0;
	fputs(name, f);
	put_labels(f, s);
	if (p == LAST_START)
		fprintf(f, "} %.3f\n", s->last_start_s);
	else if (p == LAST_EXIT)
		fprintf(f, "} %d\n", s->last_exit);
	else
		fprintf(f, "} %.3f\n", s->last_duration_s);
	return 1;
}

static void scalar(FILE *f, const char *name, const char *type, const char *help,
                   unsigned long long v)
{
	family(f, name, type, help);
	fprintf(f, "%s %llu\n", name, v);
}

static void totals(FILE *f, const struct metrics_totals *m)
{
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
}

/* Writes from where *PART and *BUCKET say on, a hash bucket at a time,
 * until MAX_LINES series lines are written (a bucket is never split: its
 * chain may change before the next call) or the file is whole; true then. */
static bool format_some(FILE *f, const struct metrics *m, const struct metrics_totals *t,
                        int *part, size_t *bucket, size_t max_lines)
{
	size_t lines = 0;
	while (*part < TOTALS) {
		if (lines >= max_lines)
			return false;   /* before a header: each is written once */
		enum part p = (enum part)*part;
		if (*bucket == 0)
			family(f, entry_families[p].name, entry_families[p].type, entry_families[p].help);
		for (; *bucket < METRICS_BUCKETS && lines < max_lines; (*bucket)++)
			for (const struct metrics_series *s = m->buckets[*bucket]; s; s = s->next)
				lines += series_lines(f, p, s);
		if (*bucket == METRICS_BUCKETS)
			(*part)++, *bucket = 0;
	}
	totals(f, t);
	*part = N_PARTS;
	return true;
}

int metrics_format(const struct metrics *m, FILE *f)
{
	int part = 0;
	size_t bucket = 0;
	format_some(f, m, &m->totals, &part, &bucket, SIZE_MAX);
	return ferror(f) ? -1 : 0;
}

/* W holds nothing: its buffer freed, its PATH.tmp removed unless RENAMED
 * (the stream is closed already). */
static void writer_clear(struct metrics_writer *w, bool renamed)
{
	free(w->buf);
	w->buf = NULL;
	w->f = NULL;
	if (!renamed)
		unlink(w->tmp);
}

int metrics_writer_open(struct metrics_writer *w, const struct metrics *m, const char *path,
                        char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->totals = m->totals;
	if ((size_t)snprintf(w->path, sizeof(w->path), "%s", path) >= sizeof(w->path) ||
	    (size_t)snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", path) >= sizeof(w->tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	/* Never through a PATH.tmp found there (a hard link to another file,
	 * a FIFO: the directory may be writable by others): our own, new. */
	if (unlink(w->tmp) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot replace %s: %s", w->tmp, strerror(errno));
		return -1;
	}
	int fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", w->tmp, strerror(errno));
		return -1;
	}
	w->f = fdopen(fd, "w");
	w->buf = malloc(METRICS_WRITE_BUFFER);
	if (!w->f || !w->buf) {
		snprintf(err, errlen, "cannot write %s: %s", w->tmp, strerror(errno));
		if (w->f)
			fclose(w->f);
		else
			close(fd);
		writer_clear(w, false);
		return -1;
	}
	__fsetlocking(w->f, FSETLOCKING_BYCALLER);   /* one thread: no lock per character */
	/* glibc takes a size only with a buffer: its own would be 4 KiB, a
	 * write(2) for every 25 lines */
	setvbuf(w->f, w->buf, _IOFBF, METRICS_WRITE_BUFFER);
	struct statfs sfs;
	w->early_writeback = fstatfs(fd, &sfs) == 0 && sfs.f_type == EXT4_SUPER_MAGIC;
	return 0;
}

void metrics_writer_abandon(struct metrics_writer *w)
{
	if (!w->f)
		return;
	fclose(w->f);
	writer_clear(w, false);
}

int metrics_writer_step(struct metrics_writer *w, const struct metrics *m, size_t max_lines,
                        char *err, size_t errlen)
{
	if (!format_some(w->f, m, &w->totals, &w->part, &w->bucket, max_lines) && !ferror(w->f)) {
		/* ext4 writes a file renamed over another out at the rename
		 * (auto_da_alloc): 8-9 ms for 7.5 MB, in one piece. Begun
		 * here, a step's bytes at a time (without waiting), it is done
		 * by then. */
		if (w->early_writeback && fflush(w->f) == 0)
			sync_file_range(fileno(w->f), 0, 0, SYNC_FILE_RANGE_WRITE);
		return 0;
	}
	int rc = ferror(w->f) ? -1 : 0;
	int e = errno;
	if (fclose(w->f) != 0 && rc == 0)
		rc = -1, e = errno;
	w->f = NULL;
	if (rc == 0 && rename(w->tmp, w->path) < 0)
		rc = -1, e = errno;
	if (rc < 0)
		snprintf(err, errlen, "cannot write %s: %s", w->path, strerror(e));
	writer_clear(w, rc == 0);
	return rc < 0 ? -1 : 1;
}

int metrics_write_file(const struct metrics *m, const char *path, char *err, size_t errlen)
{
	struct metrics_writer w;
	if (metrics_writer_open(&w, m, path, err, errlen) < 0)
		return -1;
	return metrics_writer_step(&w, m, SIZE_MAX, err, errlen) < 0 ? -1 : 0;
}
