/* tests/unit/support/rng.c: xorshift64 (see rng.h). */
#include "tests/unit/support/rng.h"

uint64_t rng_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

int64_t rng_between(uint64_t *x, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(x) % (uint64_t)(hi - lo));
}
