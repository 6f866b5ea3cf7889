/* lib/cronmail.h: when a cron job's output is mailed (CRON_MAIL).
 *
 * One setting with three values, named the same in a crontab
 * (CRON_MAIL=..., applying to the entries below it) and in crond.conf
 * (cron_mail = ..., the default for entries that set nothing):
 *   always   mail the output of every run that wrote any (cron's rule);
 *   failure  mail only runs that failed: exited non-zero, were killed by a
 *            signal or timed out (CRON_TIMEOUT); a failed run that wrote
 *            nothing gets a short note instead, so a failure is never silent;
 *   never    mail nothing (as MAILTO="" does, without touching MAILTO).
 * Pure: no I/O, no state.
 */
#ifndef CROND_LIB_CRONMAIL_H
#define CROND_LIB_CRONMAIL_H

#include <stdbool.h>
#include <stdint.h>

enum cron_mail {
	CRON_MAIL_UNSET = 0,   /* a crontab that says nothing: crond.conf decides */
	CRON_MAIL_ALWAYS,
	CRON_MAIL_FAILURE,
	CRON_MAIL_NEVER,
};

/* The value NAME spells ("always", "failure", "never"), or CRON_MAIL_UNSET
 * for anything else (the caller reports it). */
enum cron_mail cron_mail_parse(const char *name);

/* "always", "failure", "never" ("unset" for CRON_MAIL_UNSET). */
const char *cron_mail_name(enum cron_mail m);

/* Whether a run is mailed: WHEN (CRON_MAIL_UNSET counts as always), whether
 * it FAILED, how many bytes of output it wrote, and MAILTO (NULL: the
 * owner; "" mails nothing, whatever WHEN says). */
bool cron_mail_wanted(enum cron_mail when, const char *mailto, bool failed,
                      uint64_t output_total);

#endif
