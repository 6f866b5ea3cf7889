/* lib/readall.h: reading a whole input with a size cap.
 *
 * The CLIs read crontabs and job scripts with the caller's own rights (they
 * are ordinary programs, so `crontab /etc/shadow` fails for a user exactly as
 * `cat` would). Named paths must be regular files (crontab FILE refuses a
 * FIFO, as Debian's does, and the daemon must never block on one): a FIFO or
 * a device such as /dev/zero is refused at once instead of blocking or
 * reading forever; readall_file (at -f) is the exception. Stdin may be
 * anything, but reading stops one byte past the cap.
 */
#ifndef CROND_LIB_READALL_H
#define CROND_LIB_READALL_H

#include <stddef.h>

/* Reads PATH ("-" means standard input) into a new NUL-terminated buffer
 * (*BUF, caller frees; the NUL is not counted in *LEN). Fails with a message
 * in ERR (naming the path and the reason) for open/read errors, a path that is
 * not a regular file, or more than MAX bytes. Returns 0, READALL_CANNOT_OPEN
 * (the path could not be opened) or READALL_REFUSED (it was, but it is not a
 * regular file, is too large or could not be read): both negative. */
#define READALL_CANNOT_OPEN (-1)
#define READALL_REFUSED (-2)
int readall(const char *path, size_t max, char **buf, size_t *len, char *err, size_t errlen);

/* As readall, but PATH is always a file name: "-" is the file of that name
 * (at -f -, as Debian's at opens it); and anything but a directory is read,
 * to its end or one byte past MAX: a FIFO (waiting for its writer, as any
 * reader does), /dev/stdin, a process substitution, a device, as Debian's
 * at reads them. For at -f, run with the user's own rights. */
int readall_file(const char *path, size_t max, char **buf, size_t *len, char *err,
                 size_t errlen);

#endif
