/* lib/tz.h: time zones as values, not as process state.
 *
 * glibc converts between UTC and wall time only in the one process-wide zone
 * named by $TZ; switching it from a threaded daemon races with every getenv
 * and localtime call in other threads (cronie does exactly that for CRON_TZ).
 * This module reads TZif files (RFC 8536, versions 1-4) and POSIX TZ rule
 * strings (the TZif footer, or a $TZ value such as "EST5EDT,M3.2.0,M11.1.0")
 * itself, so any number of zones can be used at once, from any thread. A
 * loaded zone is immutable: share it freely between threads, free it once.
 *
 * Instants are seconds since the epoch (UTC, POSIX: no leap seconds).
 * Wall times are lib/civil.h wall seconds: the zone's clock read as UTC.
 *
 * Model (RFC 8536): before a file's first transition its time type 0
 * applies; from its last transition on, the footer's rule (if the footer is
 * empty, the last transition's type stays). Rules hold in every year, past
 * and future (glibc applies them only from 1970 on), computed without loops
 * over years. Leap-second records are skipped. Every query is O(log n) in
 * the file's transitions or O(1) in the rule's range: about 10-20 ns.
 *
 * Thread safety: tz_load reads $TZ and $TZDIR with getenv, so it must not
 * race with setenv/putenv/unsetenv in other threads (the daemon never
 * changes its environment after start). All other functions only read the
 * immutable zone.
 */
#ifndef CROND_LIB_TZ_H
#define CROND_LIB_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tz;

/* Longest accepted zone name (bytes, without the NUL). */
#define TZ_NAME_MAX 255

/* Loads a zone.
 *   NULL or "": the local zone: $TZ if set and non-empty, else /etc/localtime,
 *       else (no such file) UTC. $TZ takes the forms below and, being the
 *       process's own setting, may also be any absolute path. (glibc reads
 *       TZ="" as UTC; here it counts as unset.)
 *   "Area/City", "UTC", ":Area/City": a TZif file under $TZDIR, else
 *       /usr/share/zoneinfo. Names with a ".." component, absolute paths other
 *       than "/etc/localtime", empty components or over TZ_NAME_MAX are refused.
 *       With ':' the name is a file name only; without, "UTC" and "Etc/UTC"
 *       are built in for systems without tzdata.
 *   anything else that is a valid POSIX TZ string ("EST5EDT,M3.2.0,M11.1.0",
 *       "<+0530>-5:30"; grammar in lib/tz_rule.h) when no file of that name
 *       exists. A DST name without dates ("AAA5BBB") gets today's US dates.
 * Returns the zone, or NULL with a one-line reason in ERR (e.g. "unknown time
 * zone 'Mars/Olympus'" or "/usr/share/zoneinfo/X: not a TZif file (bad
 * magic)"); ERR may be NULL. Files over 1 MiB or not regular, truncated or
 * inconsistent TZif data (versions 1-4 accepted) and malformed rule strings
 * are errors, never a silent UTC. */
struct tz *tz_load(const char *name, char *err, size_t errlen);

/* Frees a zone; NULL is allowed. */
void tz_free(struct tz *zone);

/* The name the zone was loaded by ("" for the local zone loaded by NULL,
 * in which case this returns the $TZ value or "/etc/localtime" or "UTC"). */
const char *tz_name(const struct tz *zone);

/* A maximal stretch of time during which the zone's UTC offset is constant.
 * Adjacent spans always differ in offset (transitions that change only the
 * abbreviation or the DST flag do not end a span). */
struct tz_span {
	int64_t start;        /* first instant of the span; INT64_MIN if unbounded */
	int64_t end;          /* first instant after the span; INT64_MAX if unbounded */
	int32_t offset;       /* seconds east of UTC during the span */
	int32_t prev_offset;  /* offset just before START (== offset if unbounded) */
	int32_t next_offset;  /* offset from END on (== offset if unbounded) */
};

/* The span containing instant T. Never fails; costs O(log transitions), or
 * O(1) for instants in the footer rule's range. */
void tz_span_at(const struct tz *zone, int64_t t, struct tz_span *out);

/* UTC offset (seconds east) at instant T. */
int32_t tz_offset_at(const struct tz *zone, int64_t t);

/* Details of the local time type in force at T: offset, DST flag and the
 * abbreviation ("EST", "+0530"); ABBR gets at most ABBRLEN bytes with NUL. */
void tz_info_at(const struct tz *zone, int64_t t, int32_t *offset, bool *isdst,
                char *abbr, size_t abbrlen);

/* Wall time of instant T in the zone (saturating at the int64 ends). */
int64_t tz_to_wall(const struct tz *zone, int64_t t);

/* Instants whose wall time is WALL: returns how many (0, 1 or 2) and stores
 * them in increasing order in OUT. 0 means WALL falls in a gap (clocks jumped
 * over it); then *GAP_END (if not NULL) is the instant the gap ends, i.e. the
 * first instant after it (its wall time is the end of the gap). 2 means WALL
 * is repeated (clocks went back). Contrived zone data with offsets changing
 * back and forth within hours could repeat WALL more often: then the first
 * two are given. */
int tz_from_wall(const struct tz *zone, int64_t wall, int64_t out[2], int64_t *gap_end);

#endif
