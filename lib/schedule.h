/* lib/schedule.h: the five time fields of a crontab entry, parsed and evaluated.
 *
 * A schedule is a set of minutes, hours, days of the month, months and days
 * of the week, with the Vixie flags that record which fields began with '*'.
 * The day rule is Vixie's exactly as cronie applies it: when either day field
 * starts with '*' both must match, otherwise either may.
 *
 * A '~' element (cronie and OpenBSD: "a random value in this range, picked
 * once") is parsed into `random` and given its value by schedule_resolve;
 * until then the schedule does not include it (an unresolved schedule whose
 * field is only '~' selects nothing in that field and never runs).
 *
 * Evaluation here is in wall time only (lib/civil.h); lib/nextrun.h adds the
 * time zone and the DST rules.
 */
#ifndef CROND_LIB_SCHEDULE_H
#define CROND_LIB_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/civil.h"

enum schedule_flags {
	SCHED_MIN_STAR = 1 << 0,   /* minute field starts with '*' */
	SCHED_HOUR_STAR = 1 << 1,  /* hour field starts with '*' (also @hourly) */
	SCHED_MDAY_STAR = 1 << 2,  /* day-of-month field starts with '*' */
	SCHED_WDAY_STAR = 1 << 3,  /* day-of-week field starts with '*' */
	SCHED_REBOOT = 1 << 4,     /* @reboot: no time fields at all */
	SCHED_WDAY_TO_SUNDAY = 1 << 5, /* a day-of-week range ends on Sunday written
	                              0 or sun (fri-sun): Friday to Sunday here and
	                              in cronie, never in Debian's cron. A note
	                              for warnings only: not part of what the
	                              entry selects (nor of its key) */
};

/* At most this many '~' elements in one entry (all fields together). */
#define SCHEDULE_MAX_RANDOM 8

/* One '~' element, as parsed: a value (STEP 0), or every STEP-th value
 * (STEP > 0) from a start, picked at random in [LO, HI] (STEP 0) or in
 * [LO, LO + STEP - 1] within [LO, HI] (STEP > 0, OpenBSD's lo~hi/step). */
struct schedule_random {
	uint8_t field;     /* 0 minute, 1 hour, 2 day of month, 3 month, 4 day of week */
	uint8_t lo, hi;    /* both included; day of week 7 is Sunday */
	uint8_t step;      /* 0: a single value */
	uint8_t chosen;    /* schedule_resolve's pick: the value, or the first one */
};

struct schedule {
	uint64_t minutes;  /* bit m: minute m (0-59) */
	uint32_t hours;    /* bit h: hour h (0-23) */
	uint32_t mdays;    /* bit d: day d of the month (1-31) */
	uint16_t months;   /* bit m: month m (1-12) */
	uint8_t wdays;     /* bit w: weekday w (0 = Sunday .. 6); 7 is stored as 0 */
	uint8_t flags;     /* enum schedule_flags */
	uint8_t n_random;  /* '~' elements: their values are not in the bits above
	                      until schedule_resolve puts them there */
	bool resolved;     /* schedule_resolve ran */
	struct schedule_random random[SCHEDULE_MAX_RANDOM];
};

/* Searches give up this many years past their start (the calendar repeats
 * every 400 years, so a schedule with no run in that window has none). */
#define SCHEDULE_SEARCH_YEARS 400

/* Parses the time part of an entry at the start of LINE (LEN bytes): five
 * fields or an @keyword. On success returns 0 and sets *END to the offset just
 * after the last field. On error returns -1 with *ERR_COL (0-based offset into
 * LINE) and MSG (at most MSGLEN bytes) saying what is wrong and what was
 * expected, e.g. "hour 25 is out of range 0-23". */
int schedule_parse(const char *line, size_t len, struct schedule *out, size_t *end,
                   size_t *err_col, char *msg, size_t msglen);

/* Picks the value of every '~' element of S from SEED (the same seed gives
 * the same picks, each uniform over its range) and adds it to S's bits.
 * Pure: the caller chooses the seed (see lib/crontab.h for how crond and
 * crontab derive it). Does nothing when S has no '~' or is resolved. */
void schedule_resolve(struct schedule *s, uint64_t seed);

/* Every value a '~' element of S could pick, added to a copy of S: what the
 * "can never run" check looks at before the picks are made. */
void schedule_widen(const struct schedule *s, struct schedule *out);

/* The field name of a '~' element ("minute", "hour", "day of month",
 * "month", "day of week"). */
const char *schedule_field_name(unsigned field);

/* True for entries that follow the wall clock through DST changes: minute or
 * hour field starting with '*' (Vixie's "wildcard" jobs). */
bool schedule_is_wildcard(const struct schedule *s);

/* False when no date ever satisfies the day and month fields (e.g. 30 2 *);
 * always false for @reboot. */
bool schedule_can_run(const struct schedule *s);

/* Does the wall-clock minute CT satisfy the schedule? (seconds ignored) */
bool schedule_matches(const struct schedule *s, const struct civil_time *ct);

/* The first wall minute strictly after wall time AFTER that satisfies the
 * schedule, computed field by field (no minute stepping). Returns false for
 * @reboot, schedules that can never run, or nothing within
 * SCHEDULE_SEARCH_YEARS. */
bool schedule_next_wall(const struct schedule *s, int64_t after, int64_t *out);

#endif
