/* crond/log.h: the daemon's log.
 *
 * Lines grep can use: "(user) EVENT (detail)", e.g.
 *     (alice) CMD (pid=4242 /usr/bin/backup)
 *     (alice) END (pid=4242 status=0 1.2s)
 * To syslog (facility LOG_CRON, ident "crond") when daemonized, to stderr in
 * the foreground, or both (config key `log`). On stderr each line starts
 * with the local time and "crond[PID]:". Each line is written with one
 * write(2), so lines from different threads never interleave. Thread-safe.
 * Never log a job's environment.
 *
 * Users' text is escaped (lib/safetext.h): no control byte or newline
 * reaches a log or the terminal reading it.
 *
 * The stamp comes from the daemon's clock (log_use_clock), the one the
 * history is written with, read precisely (never a coarse clock nor
 * time(2), which can still show the previous second a few milliseconds
 * after it has ended); a job's start and end lines carry the instants its
 * history record holds (log_event_at). Syslog stamps lines itself.
 */
#ifndef CROND_LOG_H
#define CROND_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "crond/clock.h"
#include "lib/config.h"

/* Opens the log: syslog and/or stderr as MODE says (CONFIG_LOG_DEFAULT picks
 * stderr when FOREGROUND, else syslog). May be called again to reopen. */
void log_open(enum config_log mode, bool foreground);

/* Logs one line at PRIORITY (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO,
 * LOG_DEBUG); debug lines only when log_set_debug(true). */
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bytes of an event's DETAIL (NUL included); longer is cut. A start's
 * FAIL line (a command's label and why it did not start, crond/run/job.h)
 * fits whole. */
#define LOG_DETAIL_MAX 1800

/* "(USER) EVENT (DETAIL)" at LOG_INFO: the job lines. */
void log_event(const char *user, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like log_event, stamped AT_NS (the daemon's clock) instead of now. */
void log_event_at(int64_t at_ns, const char *user, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Stamps lines with CLOCK (NULL: the real clock), which must outlive the
 * log's use of it. */
void log_use_clock(const struct crond_clock *clock);

void log_set_debug(bool on);

/* One kind of daemon line logged at most once per period: the state of
 * such a limit, zeroed to start. Plain data of the thread that logs. */
struct log_every {
	int64_t next_mono;   /* monotonic ns: the next line, at the earliest */
	unsigned held;       /* lines held back since the last one logged */
};

/* Whether a line limited by L may be logged at MONO (monotonic ns): then
 * *HELD (may be NULL) gets how many were held back since the last one,
 * and the next may come EVERY_NS later; else the line is counted held. */
bool log_every_allow(struct log_every *l, int64_t mono, int64_t every_ns, unsigned *held);

void log_close(void);

#endif
