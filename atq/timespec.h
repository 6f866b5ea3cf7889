/* atq/timespec.h: the at(1) time language, resolved to an instant.
 *
 * Two entry points, one per way `at` receives a time:
 *   at_timespec_parse()        the words after the options, as Debian's at 3.2.5
 *                              reads them: "teatime tomorrow", "now + 2 hours",
 *                              "10am Jul 31", "2026-12-24 noon" is an error, ...
 *   at_timespec_parse_posix()  the argument of POSIX `-t [[CC]YY]MMDDhhmm[.SS]`.
 *
 * Both take NOW as an argument and never read the clock. Both resolve wall
 * times in the process's local zone ($TZ, through tzset/localtime_r/mktime),
 * exactly as Debian's at does, so times in a DST gap or repeated hour land
 * where Debian puts them. That makes them single-threaded code: they call
 * tzset() and use (and reset) mktime's process-wide guess of the UTC offset.
 * The `at` command is single-threaded; the daemon never calls them.
 *
 * The grammar, the resolution rules and every deliberate difference from
 * Debian are listed in atq/TIMESPEC-DIFFERENCES.md and in at(1).
 *
 * Parsers return errors, they never print. The `at` command prints e.g.
 * (atq/when.c, after Debian's words)
 *   Garbled time at 'foo'
 *   Garbled time: error in day of month at '32'
 *   at: refusing to create job destined in the past
 */
#ifndef CROND_ATQ_TIMESPEC_H
#define CROND_ATQ_TIMESPEC_H

#include <stddef.h>
#include <time.h>

enum at_timespec_status {
	AT_TIMESPEC_OK = 0,
	AT_TIMESPEC_GARBLED,    /* not in the language, or an impossible value */
	AT_TIMESPEC_PAST,       /* a valid time before NOW (spec form only) */
	AT_TIMESPEC_RANGE,      /* a count or a result beyond the year 9999 */
};

/* Longest message, with its NUL. Offending words are quoted, cut to 40 bytes. */
#define AT_TIMESPEC_MSG_MAX 128

struct at_timespec_error {
	int word;     /* index into WORDS of the offending word; NWORDS when the
	               * specification ended too early; -1 when no single word is
	               * to blame (a time in the past, out of range) */
	int offset;   /* byte offset of the offending token within that word */
	char msg[AT_TIMESPEC_MSG_MAX];  /* e.g. "garbled time at 'foo'" or exactly
	               * "refusing to create job destined in the past" */
};

/* Resolves the time specification WORDS[0..NWORDS-1] (each NUL-terminated;
 * words are joined by one space, as Debian's at joins its arguments, so
 * {"now", "+", "2", "hours"} and {"now + 2 hours"} are the same) against NOW.
 * Case-insensitive. The result is whole minutes: "now" is NOW rounded down to
 * its minute, and a time equal to that minute is not in the past.
 * On success stores the instant in *OUT and returns AT_TIMESPEC_OK; otherwise
 * returns the failure, fills *ERR (which may be NULL) and leaves *OUT alone.
 * OUT must not be NULL. Nothing is allocated. */
enum at_timespec_status at_timespec_parse(const char *const *words, size_t nwords,
                                          time_t now, time_t *out,
                                          struct at_timespec_error *err);

/* Resolves a POSIX `at -t` argument, [[CC]YY]MMDDhhmm[.SS], as Debian's at
 * does: YY 69-99 is 19YY and 00-68 is 20YY; no year means NOW's year; seconds
 * are kept (Debian shows them, its spool rounds them down to the minute); a
 * time in the past is accepted (the job is simply due); a date that does not
 * exist, or a wall time skipped by a DST change, is an error
 * ("invalid date format: ARG", word 0, offset of the first bad byte if the
 * shape is wrong, else 0). OUT must not be NULL; ERR may be. */
enum at_timespec_status at_timespec_parse_posix(const char *arg, time_t now,
                                                time_t *out,
                                                struct at_timespec_error *err);

#endif
