/* lib/siphash.h: SipHash-2-4, a keyed 64-bit hash (Aumasson and Bernstein).
 *
 * Used where a value must look random to anyone without the key but be the
 * same every time for the same key and input: the '~' picks of a crontab
 * (lib/crontab.h). Not a general-purpose MAC for long messages; fine for
 * the short inputs it gets here.
 */
#ifndef CROND_LIB_SIPHASH_H
#define CROND_LIB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

/* The SipHash-2-4 of DATA (LEN bytes) under KEY. */
uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len);

#endif
