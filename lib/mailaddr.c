/* lib/mailaddr.c: mail address rules (see mailaddr.h). */
#include "lib/mailaddr.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* RECIPIENT: an address of a list of recipients, which holds no blank: a
 * sender may carry a name ("Backup (on db1) <backup@db1>"), a recipient
 * list separates its addresses with commas ("alice bob" is a mistake that
 * sendmail -t would read as it pleases; Debian's cron mails no one). */
static int check_address(const char *what, const char *a, size_t n, bool recipient, char *err,
                         size_t errlen)
{
	if (n == 0)
		return fail(err, errlen, "%s: empty address", what);
	if (n > MAILADDR_MAX_ADDRESS)
		return fail(err, errlen, "%s: address over %d bytes", what, MAILADDR_MAX_ADDRESS);
	if (a[0] == '-')
		return fail(err, errlen, "%s: address '%.*s' starts with '-'", what,
		            (int)(n > 60 ? 60 : n), a);
	if (recipient && memchr(a, ' ', n) != NULL)
		return fail(err, errlen, "%s: address '%.*s' holds a blank (separate addresses "
		            "with commas)", what, (int)(n > 60 ? 60 : n), a);
	return 0;
}

static int check_list(const char *what, const char *list, mailaddr_fn *each, void *arg,
                      bool recipients, char *err, size_t errlen)
{
	if (list == NULL || list[0] == '\0')
		return fail(err, errlen, "%s is empty", what);
	size_t len = strlen(list);
	if (len > MAILADDR_MAX_LIST)
		return fail(err, errlen, "%s is over %d bytes", what, MAILADDR_MAX_LIST);
	for (size_t i = 0; i < len; i++) {
		if (is_control((unsigned char)list[i]))
			return fail(err, errlen, "%s holds a control character (newline, CR, tab...)",
			            what);
	}
	const char *s = list;
	size_t addresses = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		while (s < end && *s == ' ')
			s++;
		while (end > s && end[-1] == ' ')
			end--;
		/* An empty place in a list of recipients ("a,b,", "a,,b") names
		 * no one: sendmail skips it, so Debian's cron mails the others. */
		bool skip = recipients && end == s;
		if (!skip && check_address(what, s, (size_t)(end - s), recipients, err, errlen) < 0)
			return -1;
		if (!skip && each != NULL)
			each(arg, s, (size_t)(end - s));
		addresses += !skip;
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	return addresses > 0 ? 0 : fail(err, errlen, "%s holds no address", what);
}

int mailaddr_check_list(const char *what, const char *list, mailaddr_fn *each, void *arg,
                        char *err, size_t errlen)
{
	return check_list(what, list, each, arg, true, err, errlen);
}

int mailaddr_check_sender(const char *what, const char *from, char *err, size_t errlen)
{
	if (from != NULL && strchr(from, ',') != NULL)
		return fail(err, errlen, "%s: a single sender, not a list", what);
	return check_list(what, from, NULL, NULL, false, err, errlen);
}
