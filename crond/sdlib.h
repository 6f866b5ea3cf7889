/* crond/sdlib.h: libsystemd, loaded only when systemd runs crond.
 *
 * crond talks to systemd through libsystemd (sd_notify, sd_listen_fds,
 * sd_is_socket_unix), but does not link it: loading it and the six
 * libraries it needs was a quarter of every start's instructions, and only
 * a crond started by systemd (NOTIFY_SOCKET or LISTEN_PID set) uses it.
 * sdlib_get dlopens libsystemd.so.0 once per process (pthread_once); the
 * table it returns is written once, before any use, and only read after.
 */
#ifndef CROND_SDLIB_H
#define CROND_SDLIB_H

#include <stddef.h>
#include <systemd/sd-daemon.h>

struct sdlib {
	__typeof__(sd_notify) *notify;
	__typeof__(sd_listen_fds) *listen_fds;
	__typeof__(sd_is_socket_unix) *is_socket_unix;
};

/* libsystemd's functions, loaded now if they are not yet; NULL with ERR
 * (e.g. "libsystemd.so.0: cannot open shared object file") when they cannot
 * be loaded. */
const struct sdlib *sdlib_get(char *err, size_t errlen);

#endif
