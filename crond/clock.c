/* crond/clock.c: real and test clocks (see clock.h). */
#include "crond/clock.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

static int64_t read_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t clock_mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

int64_t clock_thread_cpu_ns(void)
{
	return read_ns(CLOCK_THREAD_CPUTIME_ID);
}

void clock_init_real(struct crond_clock *c)
{
	*c = (struct crond_clock){ .fake = false, .speed = 1 };
}

int clock_init_test(struct crond_clock *c, const char *spec)
{
	char *end;
	errno = 0;
	long long start = strtoll(spec, &end, 10);
	if (end == spec || errno || start < 0 || start > 253402300799LL)
		return -1;
	double speed = 1;
	if (*end == ':') {
		char *e2;
		speed = strtod(end + 1, &e2);
		if (e2 == end + 1 || *e2 || !isfinite(speed) || speed <= 0 || speed > 10000)
			return -1;
	} else if (*end) {
		return -1;
	}
	*c = (struct crond_clock){ .fake = true, .fake_start_ns = start * 1000000000LL,
		                   .mono_start_ns = clock_mono_ns(), .speed = speed };
	return 0;
}

int64_t clock_now_ns(const struct crond_clock *c)
{
	if (!c->fake)
		return read_ns(CLOCK_REALTIME);
	double elapsed = (double)(clock_mono_ns() - c->mono_start_ns) * c->speed;
	return c->fake_start_ns + (int64_t)elapsed;
}

int64_t clock_real_delay_ns(const struct crond_clock *c, int64_t target_ns)
{
	int64_t d = target_ns - clock_now_ns(c);
	if (d <= 0)
		return 0;
	return c->fake ? (int64_t)((double)d / c->speed) + 1 : d;
}
