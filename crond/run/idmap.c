/* crond/run/idmap.c: id -> slot hash map (see idmap.h). */
#include "crond/run/idmap.h"

#include <stdlib.h>
#include <string.h>

void idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof(*m));
}

void idmap_free(struct idmap *m)
{
	free(m->cells);
	idmap_init(m);
}

static size_t hash(int64_t key, size_t cap)
{
	uint64_t x = (uint64_t)key * 0x9E3779B97F4A7C15ull;
	return (size_t)(x ^ (x >> 29)) & (cap - 1);
}

static int grow(struct idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	struct idmap_cell *cells = calloc(ncap, sizeof(*cells));
	if (!cells)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->cells[i].used)
			continue;
		size_t j = hash(m->cells[i].key, ncap);
		while (cells[j].used)
			j = (j + 1) & (ncap - 1);
		cells[j] = m->cells[i];
	}
	free(m->cells);
	m->cells = cells;
	m->cap = ncap;
	return 0;
}

int idmap_put(struct idmap *m, int64_t key, uint32_t value)
{
	if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -1;
	size_t i = hash(key, m->cap);
	while (m->cells[i].used && m->cells[i].key != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->cells[i].used)
		m->count++;
	m->cells[i] = (struct idmap_cell){ key, value, true };
	return 0;
}

bool idmap_get(const struct idmap *m, int64_t key, uint32_t *value)
{
	if (!m->cap)
		return false;
	for (size_t i = hash(key, m->cap); m->cells[i].used; i = (i + 1) & (m->cap - 1)) {
		if (m->cells[i].key == key) {
			*value = m->cells[i].value;
			return true;
		}
	}
	return false;
}

bool idmap_del(struct idmap *m, int64_t key)
{
	if (!m->cap)
		return false;
	size_t mask = m->cap - 1, i = hash(key, m->cap);
	while (m->cells[i].used && m->cells[i].key != key)
		i = (i + 1) & mask;
	if (!m->cells[i].used)
		return false;
	/* Backward-shift deletion: move later members of the cluster up so that
	 * lookups never stop early at the hole. */
	size_t j = i;
	for (;;) {
		m->cells[i].used = false;
		for (;;) {
			j = (j + 1) & mask;
			if (!m->cells[j].used) {
				m->count--;
				return true;
			}
			size_t home = hash(m->cells[j].key, m->cap);
			/* Can the entry at J move to I? Only if its home is not in (I, J]. */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		m->cells[i] = m->cells[j];
		i = j;
	}
}
