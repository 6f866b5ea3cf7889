/* crond/control/access.h: cron.allow / cron.deny and at.allow / at.deny.
 *
 * The daemon decides, for the uid the kernel reported (SO_PEERCRED):
 *   root is always allowed;
 *   if the allow file exists, only the users listed in it are;
 *   else if the deny file exists, everyone but the users listed in it is;
 *   else: for cron everyone is (Debian's cron), for at only root is
 *   (Debian's at; Debian ships an at.deny, so in practice everyone but the
 *   users it lists).
 * Files list one user name per line; blank lines and lines starting with
 * '#' are ignored, surrounding blanks too. A file that exists but cannot be
 * read fails closed: the user is denied, and the message says why. The files
 * are read on every check, so edits take effect at once. Thread-safe.
 */
#ifndef CROND_ACCESS_H
#define CROND_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/config.h"

enum access_service { ACCESS_CRON, ACCESS_AT };

/* True if USER (with UID) may use SERVICE; otherwise false with a message
 * for the user in MSG, e.g. "you (alice) are not allowed to use crontab
 * (listed in /etc/cron.deny)". */
bool access_allowed(const struct config *cfg, enum access_service service, const char *user,
                    uid_t uid, char *msg, size_t msglen);

/* Is NAME listed in the file at PATH? 1 yes, 0 no, -1 PATH does not exist,
 * -2 PATH exists but cannot be read (errno kept). */
int access_listed(const char *path, const char *name);

#endif
