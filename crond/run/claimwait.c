/* crond/run/claimwait.c: spreading the claims of shared runs (see claimwait.h). */
#include "crond/run/claimwait.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/siphash.h"

/* crond's spread key: fixed, so that every node, whatever its version or
 * configuration, computes the same delays (it hides nothing: the point is
 * a hash that mixes well, not a secret). The bytes spell "crond spread key". */
static const uint8_t spread_key[SIPHASH_KEY_LEN] = {
	'c', 'r', 'o', 'n', 'd', ' ', 's', 'p', 'r', 'e', 'a', 'd', ' ', 'k', 'e', 'y',
};

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int64_t claimwait_delay_ns(uint32_t spread_ms, const char *entry_key, int64_t scheduled,
                           const char *node)
{
	if (spread_ms == 0)
		return 0;
	if (spread_ms > CLAIMWAIT_SPREAD_MAX_MS)
		spread_ms = CLAIMWAIT_SPREAD_MAX_MS;
	/* Each string hashed on its own keeps the input bounded and the three
	 * fields apart ("a" + "bc" is not "ab" + "c"). */
	uint8_t buf[24];
	put64(buf, siphash24(spread_key, entry_key, strlen(entry_key)));
	put64(buf + 8, (uint64_t)scheduled);
	put64(buf + 16, siphash24(spread_key, node, strlen(node)));
	uint64_t h = siphash24(spread_key, buf, sizeof(buf));
	/* The top 24 bits as a fraction times at most 10^10 ns (< 2^34): no
	 * overflow, a resolution of spread/2^24. */
	uint64_t spread_ns = (uint64_t)spread_ms * 1000000u;
	return (int64_t)(((h >> 40) * spread_ns) >> 24);
}

void claimwait_init(struct claimwait *w)
{
	memset(w, 0, sizeof(*w));
}

void claimwait_free(struct claimwait *w)
{
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static bool before(const struct claimwait_item *a, const struct claimwait_item *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void swap(struct claimwait_item *a, struct claimwait_item *b)
{
	struct claimwait_item t = *a;
	*a = *b;
	*b = t;
}

int claimwait_add(struct claimwait *w, int64_t due, void *item)
{
	if (w->n >= CLAIMWAIT_MAX)
		return -1;
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		if (ncap > CLAIMWAIT_MAX)
			ncap = CLAIMWAIT_MAX;
		struct claimwait_item *nv = realloc(w->v, ncap * sizeof(*nv));
		if (!nv)
			return -1;
		w->v = nv;
		w->cap = ncap;
	}
	size_t i = w->n++;
	w->v[i] = (struct claimwait_item){ due, w->seq++, item };
	while (i > 0 && before(&w->v[i], &w->v[(i - 1) / 2])) {
		swap(&w->v[i], &w->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return 0;
}

int64_t claimwait_next(const struct claimwait *w)
{
	return w->n ? w->v[0].due : INT64_MAX;
}

void *claimwait_pop(struct claimwait *w, int64_t now)
{
	if (!w->n || w->v[0].due > now)
		return NULL;
	void *item = w->v[0].item;
	w->v[0] = w->v[--w->n];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < w->n && before(&w->v[l], &w->v[m]))
			m = l;
		if (r < w->n && before(&w->v[r], &w->v[m]))
			m = r;
		if (m == i)
			break;
		swap(&w->v[i], &w->v[m]);
		i = m;
	}
	return item;
}

size_t claimwait_count(const struct claimwait *w)
{
	return w->n;
}
