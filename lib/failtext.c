/* lib/failtext.c: "WHAT: REASON" with the reason kept (see failtext.h). */
#include "lib/failtext.h"

#include <string.h>

#define ELLIPSIS "..."
#define SEPARATOR ": "

/* Appends at most N bytes of S at *AT, leaving room for the NUL at END. */
static void put(char **at, const char *end, const char *s, size_t n)
{
	size_t room = (size_t)(end - *at);
	if (n > room)
		n = room;
	memcpy(*at, s, n);
	*at += n;
}

void failtext(char *buf, size_t len, const char *what, const char *reason)
{
	if (len == 0)
		return;
	char *at = buf;
	const char *end = buf + len - 1;   /* the NUL's place */
	size_t wl = strlen(what), rl = strlen(reason);
	size_t tail = strlen(SEPARATOR) + rl;
	if (wl + tail <= len - 1) {
		put(&at, end, what, wl);
	} else if (strlen(ELLIPSIS) + tail < len - 1) {
		/* what gives way: as much of it as leaves room for the rest */
		put(&at, end, what, len - 1 - tail - strlen(ELLIPSIS));
		put(&at, end, ELLIPSIS, strlen(ELLIPSIS));
	} else {
		/* no room for any of what: the reason, cut if it must be */
		put(&at, end, reason, rl);
		*at = '\0';
		return;
	}
	put(&at, end, SEPARATOR, strlen(SEPARATOR));
	put(&at, end, reason, rl);
	*at = '\0';
}
