/* lib/mailaddr.h: the rules a mail address must pass before crond hands it
 * to sendmail (MAILTO, MAILFROM), shared by the daemon, which refuses to
 * mail an address that fails them, and the crontab parser, which warns at
 * install so the user learns it then rather than from a silent job.
 *
 * An address is not empty, at most MAILADDR_MAX_ADDRESS bytes, and does not
 * start with '-' (sendmail would read it as an option). A list of
 * recipients is comma-separated, empty places skipped ("a,b," is a and b,
 * as sendmail reads it from Debian's cron; "," names no one and is
 * refused), blanks around each address allowed but none inside one ("alice bob" is refused, as Debian's cron mails no one
 * then), at most MAILADDR_MAX_LIST bytes (one header line), with no control
 * character (a newline would forge headers). A sender is one address, no
 * ',', blanks allowed ("root (Cron Daemon)").
 * Pure: no I/O, no state; messages have no newline.
 */
#ifndef CROND_LIB_MAILADDR_H
#define CROND_LIB_MAILADDR_H

#include <stddef.h>

#define MAILADDR_MAX_LIST 998          /* MAILTO as a whole: one header line */
#define MAILADDR_MAX_ADDRESS 320       /* one address */

/* Called for each address of a list that passed, blanks trimmed (A is not
 * NUL-terminated: N bytes). */
typedef void mailaddr_fn(void *arg, const char *a, size_t n);

/* Checks the comma-separated LIST; WHAT names it in the message ("MAILTO").
 * 0 (EACH, if not NULL, called for every address in order), or -1 with ERR
 * (EACH may have been called for the addresses before the bad one). */
int mailaddr_check_list(const char *what, const char *list, mailaddr_fn *each, void *arg,
                        char *err, size_t errlen);

/* Checks a single sender FROM: the list rules, and no ','. 0 or -1 with ERR. */
int mailaddr_check_sender(const char *what, const char *from, char *err, size_t errlen);

#endif
