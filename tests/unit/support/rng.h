/* tests/unit/support/rng.h: a small deterministic random number generator
 * (xorshift64) for property tests: the same seed gives the same cases on
 * every run and machine.
 */
#ifndef CROND_TESTS_SUPPORT_RNG_H
#define CROND_TESTS_SUPPORT_RNG_H

#include <stdint.h>

/* Advances the state *X (never 0) and returns the new value. */
uint64_t rng_next(uint64_t *x);

/* A number in [LO, HI) (LO < HI), from the state *X. */
int64_t rng_between(uint64_t *x, int64_t lo, int64_t hi);

#endif
