/* crond/pidfile.h: the singleton lock.
 *
 * The pidfile is opened (created 0644 if missing), write-locked with
 * fcntl(F_SETLK), given the pid ("N\n", the file cut to that length),
 * and kept open for the daemon's life: the lock, not the file's existence,
 * says crond is running, so a stale pidfile left by a crash is simply
 * taken over.
 */
#ifndef CROND_PIDFILE_H
#define CROND_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Takes the lock on PATH and writes our pid. Returns the open descriptor
 * (close-on-exec), or -1 with ERR: "already running (pid N)" when another
 * process holds the lock (*OTHER = N), else the failing step and reason. */
int pidfile_acquire(const char *path, pid_t *other, char *err, size_t errlen);

/* Removes PATH and closes FD (releasing the lock), at a clean exit. */
void pidfile_release(const char *path, int fd);

#endif
