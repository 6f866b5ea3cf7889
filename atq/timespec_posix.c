/* atq/timespec_posix.c: POSIX `at -t [[CC]YY]MMDDhhmm[.SS]`.
 *
 * As Debian's at: the fields are a local wall time, resolved with mktime
 * (whose offset guess starts at now's, see timespec_eval.c), and must come
 * back unchanged: a date that does not exist, a second 60, or a wall time
 * skipped by a DST change is an error. A time in the past is accepted.
 */
#include "atq/timespec.h"

#include <stdio.h>
#include <string.h>

#include "atq/timespec_int.h"

static int digits(const char *s, size_t from, size_t n)
{
	int v = 0;
	for (size_t i = from; i < from + n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Offset of the first byte that breaks the shape, or -1 if the shape is
 * right: 8, 10 or 12 digits, then nothing or '.' and two digits. */
static int shape_error(const char *arg, size_t *ndigits)
{
	size_t n = strspn(arg, "0123456789");
	*ndigits = n;
	if (n != 8 && n != 10 && n != 12)
		return (int)(n > 12 ? 12 : n);
	if (arg[n] == '\0')
		return -1;
	if (arg[n] != '.')
		return (int)n;
	for (size_t i = n + 1; i < n + 3; i++)
		if (arg[i] < '0' || arg[i] > '9')
			return (int)i;
	return arg[n + 3] == '\0' ? -1 : (int)(n + 3);
}

static enum at_timespec_status invalid(const char *arg, int offset,
                                       struct at_timespec_error *err)
{
	if (err != NULL) {
		err->word = 0;
		err->offset = offset;
		snprintf(err->msg, sizeof err->msg, "invalid date format: %.40s%s", arg,
		         strlen(arg) > 40 ? "..." : "");
	}
	return AT_TIMESPEC_GARBLED;
}

enum at_timespec_status at_timespec_parse_posix(const char *arg, time_t now,
                                                time_t *out,
                                                struct at_timespec_error *err)
{
	size_t n;
	int bad = shape_error(arg, &n);
	if (bad >= 0)
		return invalid(arg, bad, err);

	struct tm nowtm, tm;
	tzset();
	if (localtime_r(&now, &nowtm) == NULL)
		return invalid(arg, 0, err);
	(void)mktime(&nowtm);            /* mktime's offset guess := now's */

	size_t p = n - 8;                /* where MMDDhhmm starts */
	int year = nowtm.tm_year + 1900;
	if (n == 12)
		year = digits(arg, 0, 4);
	else if (n == 10)
		year = digits(arg, 0, 2) + (digits(arg, 0, 2) >= 69 ? 1900 : 2000);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = digits(arg, p, 2) - 1;
	tm.tm_mday = digits(arg, p + 2, 2);
	tm.tm_hour = digits(arg, p + 4, 2);
	tm.tm_min = digits(arg, p + 6, 2);
	tm.tm_sec = arg[n] == '.' ? digits(arg, n + 1, 2) : 0;
	tm.tm_isdst = -1;

	struct tm want = tm;
	time_t t = mktime(&tm);
	if (tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon
	    || tm.tm_mday != want.tm_mday || tm.tm_hour != want.tm_hour
	    || tm.tm_min != want.tm_min || tm.tm_sec != want.tm_sec)
		return invalid(arg, 0, err);
	*out = t;
	return AT_TIMESPEC_OK;
}
