/* crond/ownerlog.h: a per-owner rate limit of log lines about one kind
 * of event.
 *
 * Some events repeat as fast as a user makes them: a run that does not
 * start (SKIP: a crontab of thousands of never-ending entries makes
 * thousands a minute), mail not sent, a crontab replaced or a run asked by
 * hand in a loop. Each owner may log OWNERLOG_BURST such lines per
 * OWNERLOG_WINDOW_NS of the daemon's clock; the next line logged for that
 * owner says how many were held back. Owners are limited apart, so one
 * user's flood never hides another user's lines. The state is bounded:
 * OWNERLOG_OWNERS owners are followed; an owner whose window is over gives
 * its place to a new one (its held-back count is logged then); when all
 * are within their window, further owners share one more limit of the same
 * rate.
 *
 * Plain data owned by one thread (each user keeps its own table); no lock,
 * no clock read. Only log lines are limited: the history and the metrics
 * count every event.
 */
#ifndef CROND_OWNERLOG_H
#define CROND_OWNERLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OWNERLOG_BURST 5                            /* lines per owner per window */
#define OWNERLOG_WINDOW_NS (10 * 1000000000LL)      /* 10 s of the daemon's clock */
#define OWNERLOG_OWNERS 128                         /* owners followed apart */
#define OWNERLOG_NAME_MAX 255                       /* longer names are cut */

struct ownerlog_owner {
	char name[OWNERLOG_NAME_MAX + 1];
	int64_t window_ns;                 /* start of its current window */
	unsigned lines;                    /* logged in this window */
	unsigned held;                     /* not logged since its last line */
};

struct ownerlog {
	struct ownerlog_owner owner[OWNERLOG_OWNERS];
	size_t n;                          /* owner[0..n) in use */
	struct ownerlog_owner others;       /* owners that found the table full */
};

/* What ownerlog_allow decided about one line. */
struct ownerlog_verdict {
	bool log;                          /* log the line now */
	unsigned held;                     /* when log: lines held back before it */
	bool shared;                       /* when log: HELD counts other owners'
	                                      lines too (the shared limit) */
	char evicted[OWNERLOG_NAME_MAX + 1];/* non-empty: an owner that lost its
	                                      place with lines held back... */
	unsigned evicted_held;             /* ...this many: log that once */
};

/* Whether USER's line at NOW_NS (the daemon's clock) may be logged;
 * fills *V. A clock that went back starts a new window. Never fails. */
void ownerlog_allow(struct ownerlog *l, const char *user, int64_t now_ns,
                    struct ownerlog_verdict *v);

/* "N similar WHATs not logged" into BUF (LEN bytes), with " (of several
 * users)" when SHARED: what a line logged after HELD were held back adds.
 * BUF is "" when HELD is 0. */
void ownerlog_held_note(char *buf, size_t len, unsigned held, bool shared, const char *what);

/* Logs "(USER) EVENT (detail)" (log_event) when ownerlog_allow lets it,
 * with "; N similar lines not logged" when lines were held back, and the
 * line owed to an owner that lost its place. */
void ownerlog_event(struct ownerlog *l, const char *user, const char *event, int64_t now_ns,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
