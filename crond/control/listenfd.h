/* crond/control/listenfd.h: the control sockets handed over by systemd
 * (socket activation, sd_listen_fds(3)).
 *
 * With crond.socket and crond-root.socket, systemd holds /run/crond.sock
 * and /run/crond-root.sock and passes them to crond from descriptor 3 on
 * (LISTEN_FDS, LISTEN_PID=crond's pid), in no promised order. Clients that
 * connect while crond (re)starts wait in a socket's backlog instead of
 * failing. crond then neither binds nor unlinks those paths: they are
 * systemd's. Called by main's start-up (through control_open) before any
 * thread runs.
 */
#ifndef CROND_LISTENFD_H
#define CROND_LISTENFD_H

#include <stddef.h>

#define LISTENFD_NONE (-2)

/* The sockets systemd passed, each checked to be a listening Unix stream
 * socket bound to one of PATHS[0..N-1] (one socket a path), made
 * close-on-exec and non-blocking, into FDS[i] for PATHS[i]; FDS[i] is
 * LISTENFD_NONE where nothing was passed for PATHS[i] (an older unit
 * without crond-root.socket). Returns how many were passed: 0 when systemd
 * passed nothing (LISTEN_PID not ours, or no LISTEN_FDS); -1 with ERR for
 * anything else (more descriptors than paths, another kind of socket,
 * another path, two for one path), the descriptors then closed. The
 * LISTEN_* variables are unset. */
int listenfd_from_systemd(const char *const *paths, int *fds, size_t n, char *err,
                          size_t errlen);

#endif
