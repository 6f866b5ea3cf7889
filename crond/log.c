/* crond/log.c: logging (see log.h).
 *
 * DESIGN: called from every thread. The settings (where to log) are written
 * by log_open before the threads start and on SIGHUP by the signal thread;
 * they are atomics, so a concurrent reader sees either the old or the new
 * mode. syslog(3) is thread-safe in glibc; stderr lines are one write(2).
 * This module's few globals are the process's logging settings: a logger
 * that every thread shares by nature, justified here once.
 */
#include "crond/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_bool to_syslog;
static atomic_bool to_stderr;
static atomic_bool debug_on;

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

static void vlog(int priority, const char *fmt, va_list ap)
{
	if (priority == LOG_DEBUG && !atomic_load(&debug_on))
		return;
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One line: never let a newline in a value forge another log line. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (atomic_load(&to_syslog))
		syslog(priority, "%s", msg);
	if (atomic_load(&to_stderr)) {
		char line[2200], stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		int n = snprintf(line, sizeof(line), "%s crond[%d]: %s\n", stamp, (int)getpid(), msg);
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
	vlog(priority, fmt, ap);
	va_end(ap);
}

void log_event(const char *user, const char *event, const char *fmt, ...)
{
	char detail[1800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	log_msg(LOG_INFO, "(%s) %s (%s)", user, event, detail);
}
