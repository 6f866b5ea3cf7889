/* crond/control/listenfd.h: the control socket handed over by systemd (socket
 * activation, sd_listen_fds(3)).
 *
 * With crond.socket, systemd holds /run/crond.sock and passes it to crond
 * as descriptor 3 (LISTEN_FDS=1, LISTEN_PID=crond's pid). Clients that
 * connect while crond (re)starts wait in the socket's backlog instead of
 * failing. crond then neither binds nor unlinks the path: it is systemd's.
 * Called by main's start-up (through control_open) before any thread runs.
 */
#ifndef CROND_LISTENFD_H
#define CROND_LISTENFD_H

#include <stddef.h>

#define LISTENFD_NONE (-2)

/* The passed socket, checked to be ONE listening Unix stream socket bound
 * to PATH (crond.conf's socket), made close-on-exec and non-blocking.
 * LISTENFD_NONE when systemd passed nothing (LISTEN_PID not ours, or no
 * LISTEN_FDS); -1 with ERR for anything else (several descriptors, another
 * kind of socket, another path). The LISTEN_* variables are unset. */
int listenfd_from_systemd(const char *path, char *err, size_t errlen);

#endif
