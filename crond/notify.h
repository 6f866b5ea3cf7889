/* crond/notify.h: telling systemd how crond is doing (sd_notify(3)).
 *
 * Under a Type=notify unit systemd sets $NOTIFY_SOCKET; without it every
 * call here does nothing (one getenv). Messages, and who sends them:
 *
 *   READY=1                  main, once the control socket is served
 *   RELOADING=1 ... READY=1  signal thread, around a SIGHUP reload
 *   STOPPING=1               signal thread, at SIGTERM/SIGINT
 *   STATUS=...               signal thread: "N crontabs, N at jobs, N
 *                            running, next run TIME", sent when it changed,
 *                            looked at every NOTIFY_STATUS_SECONDS; led by
 *                            "SPOOL DOWN, claiming nothing; " or "CLOCK SKEW
 *                            +N ms, claiming nothing; " on a cluster node in
 *                            trouble (crond/cluster/cluster.h), which the cluster
 *                            thread also sends at once when it changes
 *
 * sd_notify opens its own datagram socket per call: safe from any thread.
 * A failure to notify is logged once at debug level and otherwise ignored
 * (systemd then times the start out, which says more than we could).
 */
#ifndef CROND_NOTIFY_H
#define CROND_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "crond/crond.h"

#define NOTIFY_STATUS_SECONDS 5
#define NOTIFY_STATUS_MAX 200

/* Is a service manager listening ($NOTIFY_SOCKET set)? */
bool notify_wanted(void);

/* Sends STATE ("READY=1", "STOPPING=1"...) if wanted. */
void notify_state(const char *state);

/* Formats the STATUS= line from C's counters into BUF (without "STATUS="). */
void notify_status_text(struct crond *c, char *buf, size_t len);

/* Sends the status line if it differs from LAST (then copied into LAST,
 * which holds NOTIFY_STATUS_MAX bytes). */
void notify_status_update(struct crond *c, char *last);

#endif
