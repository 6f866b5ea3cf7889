/* lib/civil.c: calendar arithmetic (see civil.h).
 *
 * Day counts use the era-based method (400-year cycles of 146,097 days), so
 * every conversion is a handful of integer operations with no loops and no
 * table, valid far beyond 2038 in both directions.
 */
#include "lib/civil.h"

int64_t civil_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t civil_floor_mod(int64_t a, int64_t b)
{
	/* Not a - floor_div(a, b) * b: that product overflows near the ends
	 * of the range. */
	int64_t r = a % b;
	if (r != 0 && ((r < 0) != (b < 0)))
		r += b;
	return r;
}

bool civil_is_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int civil_days_in_month(int64_t year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (month == 2 && civil_is_leap(year))
		return 29;
	return days[month - 1];
}

int64_t civil_days_from_date(int64_t year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = civil_floor_div(y, 400);
	int64_t yoe = y - era * 400;                                     /* 0..399 */
	int64_t mp = (month + 9) % 12;                                   /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + day - 1;                      /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;             /* 0..146096 */
	return era * 146097 + doe - 719468;
}

void civil_date_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = civil_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (m <= 2);
	*month = m;
	*day = d;
}

int civil_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)civil_floor_mod(days + 4, 7);
}

void civil_from_wall(int64_t wall, struct civil_time *out)
{
	int64_t days = civil_floor_div(wall, SECS_PER_DAY);
	int64_t rem = civil_floor_mod(wall, SECS_PER_DAY);
	civil_date_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(rem / SECS_PER_HOUR);
	out->minute = (int)(rem / SECS_PER_MIN % 60);
	out->second = (int)(rem % 60);
	out->wday = civil_weekday(days);
	out->yday = (int)(days - civil_days_from_date(out->year, 1, 1));
}

int64_t civil_to_wall(const struct civil_time *ct)
{
	return civil_days_from_date(ct->year, ct->month, ct->day) * SECS_PER_DAY +
	       ct->hour * SECS_PER_HOUR + ct->minute * SECS_PER_MIN + ct->second;
}
