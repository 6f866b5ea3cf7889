/* lib/arena.c: bump allocator (see arena.h). */
#include "lib/arena.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 16384

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	char data[];
};

char *arena_alloc(struct arena *a, size_t len)
{
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < len) {
		size_t size = len > ARENA_CHUNK / 4 ? len : ARENA_CHUNK;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		if (len > ARENA_CHUNK / 4 && a->head) {
			/* A big string gets its own chunk behind the current one, so
			 * the current chunk's free space is not wasted. */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	char *p = c->data + c->used;
	c->used += len;
	a->total += len;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}
