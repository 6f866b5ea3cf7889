/* crond/clock.h: the daemon's clock: the real one, or a test clock.
 *
 * Every instant the daemon acts on comes from clock_now_ns(). Normally that
 * is CLOCK_REALTIME. For tests and demos, `crond --test-clock=EPOCH[:SPEED]`
 * makes it a clock that starts at EPOCH (seconds) and runs SPEED times as
 * fast as real time, so a whole-program test can start a daemon at 10:59:58
 * and see the 11:00 job run two seconds later without waiting for a wall
 * minute. Immutable after clock_init, so any thread may read it.
 */
#ifndef CROND_CLOCK_H
#define CROND_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct crond_clock {
	bool fake;
	int64_t fake_start_ns;   /* the test clock's reading at mono_start_ns */
	int64_t mono_start_ns;
	double speed;            /* test clock seconds per real second */
};

/* A real clock. */
void clock_init_real(struct crond_clock *c);

/* Parses "EPOCH[:SPEED]" (EPOCH a whole number of seconds, SPEED > 0,
 * default 1) into a test clock starting now. Returns 0, or -1. */
int clock_init_test(struct crond_clock *c, const char *spec);

/* Now, in nanoseconds since the epoch. */
int64_t clock_now_ns(const struct crond_clock *c);

/* CLOCK_MONOTONIC in nanoseconds (for measuring durations and clock jumps). */
int64_t clock_mono_ns(void);

/* The calling thread's CPU time in nanoseconds, user and system
 * (CLOCK_THREAD_CPUTIME_ID: what a piece of its work cost it, not the
 * time it spent waiting for a CPU). */
int64_t clock_thread_cpu_ns(void);

/* How many real nanoseconds until the clock reads TARGET_NS (0 if past). */
int64_t clock_real_delay_ns(const struct crond_clock *c, int64_t target_ns);

#endif
