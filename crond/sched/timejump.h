/* crond/sched/timejump.h: how the schedule reacts when the system clock is set.
 *
 * Vixie cron's rules, which cronie and Debian's cron apply, measured in
 * wall-clock minutes since the last minute the daemon ran (1 is normal):
 *   2 to 5      the clock skipped a few minutes: run every missed minute;
 *   6 to 180    the clock jumped forward: run wildcard entries once, for the
 *               current minute, and every fixed-time entry of each skipped
 *               minute once;
 *   0 to -180   the clock went back: wildcard entries follow the wall clock
 *               (they run again in the repeated minutes), fixed-time entries
 *               are never repeated;
 *   beyond 180 either way: the clock was reset: the schedule restarts from
 *               the new time, nothing is caught up.
 * crond sleeps until the next run instead of waking every minute, so it
 * measures a change as the difference between how far the wall clock moved
 * and how far the monotonic clock moved; "minutes since the last run" is
 * then 1 + that difference in whole minutes. DST changes are not clock
 * changes (the instant does not jump) and are handled by lib/nextrun.h.
 */
#ifndef CROND_TIMEJUMP_H
#define CROND_TIMEJUMP_H

#include <stdint.h>

enum jump_kind {
	JUMP_NONE,           /* normal: within a minute of the expected time */
	JUMP_SMALL_FORWARD,  /* 2-5 minutes: run every missed minute */
	JUMP_FORWARD,        /* 6-180: fixed entries catch up, wildcards once */
	JUMP_BACKWARD,       /* 0 to -180: wildcards follow, fixed never repeat */
	JUMP_RESET,          /* anything larger: restart from the new time */
};

/* Wall-clock minutes since the last minute run, for a clock that moved
 * JUMP_SECONDS more than the time that really passed (negative: set back). */
int64_t timejump_minutes_since_last(int64_t jump_seconds);

/* The rule for a change of JUMP_SECONDS. */
enum jump_kind timejump_classify(int64_t jump_seconds);

/* A name for logs: "none", "small-forward", "forward", "backward", "reset". */
const char *timejump_name(enum jump_kind kind);

#endif
