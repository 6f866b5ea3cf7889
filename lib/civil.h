/* lib/civil.h: proleptic Gregorian calendar arithmetic, no time zones.
 *
 * A "wall" time is a count of seconds since 1970-01-01T00:00:00 of some
 * clock that has no zone: the local wall clock read as if it were UTC. All
 * functions are pure, total over years -1,000,000..1,000,000, thread-safe,
 * and never consult the environment.
 */
#ifndef CROND_LIB_CIVIL_H
#define CROND_LIB_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

#define SECS_PER_MIN 60
#define SECS_PER_HOUR 3600
#define SECS_PER_DAY 86400

struct civil_time {
	int64_t year;
	int month;   /* 1-12 */
	int day;     /* 1-31 */
	int hour;    /* 0-23 */
	int minute;  /* 0-59 */
	int second;  /* 0-59 */
	int wday;    /* 0 = Sunday .. 6 = Saturday (output only) */
	int yday;    /* 0-365 (output only) */
};

bool civil_is_leap(int64_t year);
int civil_days_in_month(int64_t year, int month);

/* Days since 1970-01-01 of YEAR-MONTH-DAY; MONTH 1-12, DAY 1-31 (a DAY past
 * the month's end simply counts on into the next month). */
int64_t civil_days_from_date(int64_t year, int month, int day);

/* The date DAYS days after 1970-01-01. */
void civil_date_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Day of the week of DAYS since 1970-01-01: 0 = Sunday. */
int civil_weekday(int64_t days);

/* Floor division and the matching non-negative remainder, for negative times. */
int64_t civil_floor_div(int64_t a, int64_t b);
int64_t civil_floor_mod(int64_t a, int64_t b);

/* Split a wall time into fields (wday and yday filled in). */
void civil_from_wall(int64_t wall, struct civil_time *out);

/* Join fields into a wall time; fields must be in range (wday/yday ignored). */
int64_t civil_to_wall(const struct civil_time *ct);

#endif
