/* lib/arena.h: a bump allocator for many small strings that die together.
 *
 * A parsed crontab keeps every string (names, values, commands) in one arena,
 * so a 10,000-entry crontab costs a few large allocations instead of tens of
 * thousands of small ones, and freeing it is one walk over the chunks.
 * Not thread-safe; an arena belongs to whoever owns the object it serves.
 */
#ifndef CROND_LIB_ARENA_H
#define CROND_LIB_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t total;  /* bytes handed out, for accounting */
};

/* Copies LEN bytes of S and a NUL into the arena; NULL on allocation failure. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* LEN bytes of uninitialised, 1-aligned storage; NULL on allocation failure. */
char *arena_alloc(struct arena *a, size_t len);

/* Frees every chunk; the arena is empty and reusable afterwards. */
void arena_free(struct arena *a);

#endif
