/* lib/fnv.h: FNV-1a, 64 bits: the one non-cryptographic hash of the
 * project's in-memory tables (zones, schedules, metrics series, fair-queue
 * keys, PostgreSQL statement names) and of the Debian import's change
 * digest, which the spool keeps: its values must never change. Not keyed:
 * where a value must not be guessable, use SipHash (lib/siphash.h).
 */
#ifndef CROND_LIB_FNV_H
#define CROND_LIB_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_BASIS 0xcbf29ce484222325ull   /* the hash of nothing */

/* The hash of LEN bytes at DATA, going on from H (FNV1A_BASIS to start),
 * so that several fields hash as one. */
static inline uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The hash of the string S, its NUL excluded. */
static inline uint64_t fnv1a_str(const char *s)
{
	uint64_t h = FNV1A_BASIS;
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

#endif
