/* crond/run/skiplog.h: the per-owner rate limit of the supervisor's SKIP
 * log lines.
 *
 * A run that does not start (its previous run still going, coalesced with
 * a waiting run, the queue full) logs one "(user) SKIP (...)" line; a
 * crontab of thousands of never-ending entries would make thousands a
 * minute. Each owner may log SKIPLOG_BURST such lines per SKIPLOG_WINDOW_NS
 * of the daemon's clock; the next line logged for that owner says how many
 * were held back. Owners are limited apart, so one user's flood never hides
 * another user's lines. The state is bounded: SKIPLOG_OWNERS owners are
 * followed; an owner whose window is over gives its place to a new one (its
 * held-back count is handed to the caller to log then); when all are within
 * their window, further owners share one more limit of the same rate.
 *
 * Plain data owned by one thread (the supervisor's); no lock, no clock read.
 * The history and the metrics count every skip: only log lines are limited.
 */
#ifndef CROND_RUN_SKIPLOG_H
#define CROND_RUN_SKIPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SKIPLOG_BURST 5                            /* lines per owner per window */
#define SKIPLOG_WINDOW_NS (10 * 1000000000LL)      /* 10 s of the daemon's clock */
#define SKIPLOG_OWNERS 128                         /* owners followed apart */
#define SKIPLOG_NAME_MAX 255                       /* longer names are cut */

struct skiplog_owner {
	char name[SKIPLOG_NAME_MAX + 1];
	int64_t window_ns;                 /* start of its current window */
	unsigned lines;                    /* logged in this window */
	unsigned held;                     /* not logged since its last line */
};

struct skiplog {
	struct skiplog_owner owner[SKIPLOG_OWNERS];
	size_t n;                          /* owner[0..n) in use */
	struct skiplog_owner others;       /* owners that found the table full */
};

/* What skiplog_allow decided about one line. */
struct skiplog_verdict {
	bool log;                          /* log the line now */
	unsigned held;                     /* when log: lines held back before it */
	bool shared;                       /* when log: HELD counts other owners'
	                                      lines too (the shared limit) */
	char evicted[SKIPLOG_NAME_MAX + 1];/* non-empty: an owner that lost its
	                                      place with lines held back... */
	unsigned evicted_held;             /* ...this many: log that once */
};

/* Whether USER's SKIP line at NOW_NS (the daemon's clock) may be logged;
 * fills *V. A clock that went back starts a new window. Never fails. */
void skiplog_allow(struct skiplog *l, const char *user, int64_t now_ns,
                   struct skiplog_verdict *v);

#endif
