/* crond/daemonize.h: leaving the terminal, the classic way, with a report.
 *
 * umask 022, fork (the parent waits), setsid, fork again (the session
 * leader exits, so the daemon can never reacquire a terminal), chdir "/",
 * close every inherited descriptor, /dev/null on 0, 1 and 2. Unlike the
 * seeds' version the original parent does not exit at once: it waits on a
 * pipe until the daemon reports that it is running (pidfile locked, spool
 * open, threads started) or why it could not, and exits 0 or 1 accordingly,
 * so `crond` in a shell or an init script tells the truth, and a second
 * instance fails with "already running (pid N)" on the terminal.
 */
#ifndef CROND_DAEMONIZE_H
#define CROND_DAEMONIZE_H

#include <stddef.h>

/* Daemonizes. Returns, in the daemon, the write end of the report pipe (or
 * -1 with ERR if a step failed before the first fork). The original parent
 * never returns. */
int daemonize(char *err, size_t errlen);

/* Reports success (MSG NULL) or failure (MSG) to the waiting parent and
 * closes FD. Safe with FD -1 (foreground). */
void daemonize_report(int fd, const char *msg);

#endif
