/* lib/peercred.h: who is at the other end of a Unix socket.
 *
 * crond calls this on every accepted control connection: the kernel's
 * answer (SO_PEERCRED, taken when the client connected) is what decides
 * what the caller may do. Thread-safe, no global state, never prints.
 */
#ifndef CROND_LIB_PEERCRED_H
#define CROND_LIB_PEERCRED_H

#include <stddef.h>
#include <sys/types.h>

struct peercred {
	pid_t pid;               /* 0 if the peer is outside our pid namespace */
	uid_t uid;
	gid_t gid;
};

/* Fill *OUT with the credentials of FD's peer. Returns 0, or -1 with a
 * one-line message in MSG[0..SIZE) (e.g. "cannot read peer credentials:
 * Socket operation on non-socket"); it fails closed when the kernel has no
 * credentials for the peer (uid or gid of -1). */
int peercred_get(int fd, struct peercred *out, char *msg, size_t size);

#endif
