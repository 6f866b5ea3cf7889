/* crond/log.c: logging (see log.h).
 *
 * DESIGN: called from every thread. The settings (where to log) are written
 * by log_open before the threads start and on SIGHUP by the signal thread;
 * they are atomics, so a concurrent reader sees either the old or the new
 * mode. syslog(3) is thread-safe in glibc; stderr lines are one write(2).
 * This module's few globals are the process's logging settings: a logger
 * that every thread shares by nature, justified here once. The clock is
 * immutable once set up (clock.h), so sharing its pointer is safe.
 */
#include "crond/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/safetext.h"

static atomic_bool to_syslog;
static atomic_bool to_stderr;
static atomic_bool debug_on;
static _Atomic(const struct crond_clock *) stamp_clock;
static atomic_int own_pid;   /* for stderr lines: glibc no longer caches getpid */

void log_use_clock(const struct crond_clock *clock)
{
	atomic_store(&stamp_clock, clock);
}

static int64_t stamp_now_ns(void)
{
	const struct crond_clock *c = atomic_load(&stamp_clock);
	if (c)
		return clock_now_ns(c);
	struct crond_clock real;
	clock_init_real(&real);
	return clock_now_ns(&real);
}

void log_open(enum config_log mode, bool foreground)
{
	if (mode == CONFIG_LOG_DEFAULT)
		mode = foreground ? CONFIG_LOG_STDERR : CONFIG_LOG_SYSLOG;
	bool sys = mode == CONFIG_LOG_SYSLOG || mode == CONFIG_LOG_BOTH;
	if (atomic_load(&to_syslog))
		closelog();
	if (sys)
		openlog("crond", LOG_PID | LOG_NDELAY, LOG_CRON);
	atomic_store(&to_syslog, sys);
	atomic_store(&to_stderr, mode == CONFIG_LOG_STDERR || mode == CONFIG_LOG_BOTH);
	atomic_store(&own_pid, (int)getpid());   /* after daemonize's forks */
}

bool log_every_allow(struct log_every *l, int64_t mono, int64_t every_ns, unsigned *held)
{
	if (mono < l->next_mono) {
		l->held++;
		return false;
	}
	if (held != NULL)
		*held = l->held;
	l->held = 0;
	l->next_mono = mono + every_ns;
	return true;
}

void log_set_debug(bool on)
{
	atomic_store(&debug_on, on);
}

void log_close(void)
{
	if (atomic_exchange(&to_syslog, false))
		closelog();
}

/* AT_NS: the line's stamp, or 0 for now. */
__attribute__((format(printf, 3, 0)))
static void vlog(int priority, int64_t at_ns, const char *fmt, va_list ap)
{
	if (priority == LOG_DEBUG && !atomic_load(&debug_on))
		return;
	char raw[2048], msg[4096];
	int len = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (len < 0)
		return;
	/* One line, nothing a terminal would obey: a newline or ESC in a
	 * value can neither forge another log line nor drive root's terminal. */
	safetext_escape(raw, (size_t)len < sizeof(raw) ? (size_t)len : sizeof(raw) - 1, msg,
	                sizeof(msg));
	if (atomic_load(&to_syslog))
		syslog(priority, "%s", msg);
	if (atomic_load(&to_stderr)) {
		char line[sizeof(msg) + 100], stamp[32];
		int64_t ns = at_ns ? at_ns : stamp_now_ns();
		time_t secs = (time_t)(ns >= 0 ? ns / 1000000000 : (ns - 999999999) / 1000000000);
		struct tm tm;
		localtime_r(&secs, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		int pid = atomic_load(&own_pid);
		int n = snprintf(line, sizeof(line), "%s crond[%d]: %s\n", stamp,
		                 pid ? pid : (int)getpid(), msg);
		if (n > (int)sizeof(line) - 1)
			n = (int)sizeof(line) - 1, line[n - 1] = '\n';
		ssize_t w = write(STDERR_FILENO, line, (size_t)n);
		(void)w;  /* nowhere left to report a failing stderr */
	}
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(priority, 0, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static void log_line_at(int64_t at_ns, int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(priority, at_ns, fmt, ap);
	va_end(ap);
}

void log_event(const char *user, const char *event, const char *fmt, ...)
{
	char detail[LOG_DETAIL_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	log_line_at(0, LOG_INFO, "(%s) %s (%s)", user, event, detail);
}

void log_event_at(int64_t at_ns, const char *user, const char *event, const char *fmt, ...)
{
	char detail[LOG_DETAIL_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	log_line_at(at_ns, LOG_INFO, "(%s) %s (%s)", user, event, detail);
}
