/* crond/run/idmap.h: a hash map from 64-bit ids to 32-bit slots.
 *
 * The timer thread finds an at job's heap slot by the job's id with it (at
 * jobs come and go by id). Open addressing, linear probing, tombstone-free
 * deletion (backward shift). Not thread-safe: owned by its user.
 */
#ifndef CROND_IDMAP_H
#define CROND_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap_cell {
	int64_t key;
	uint32_t value;
	bool used;
};

struct idmap {
	struct idmap_cell *cells;
	size_t cap;    /* a power of two, or 0 */
	size_t count;
};

void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);
/* Inserts or replaces. -1 on allocation failure (map unchanged). */
int idmap_put(struct idmap *m, int64_t key, uint32_t value);
bool idmap_get(const struct idmap *m, int64_t key, uint32_t *value);
/* Removes KEY if present; returns whether it was. */
bool idmap_del(struct idmap *m, int64_t key);

#endif
