/* crond/sched/heap.c: indexed binary min-heap (see heap.h). */
#include "crond/sched/heap.h"

#include <stdlib.h>
#include <string.h>

void heap_init(struct heap *h)
{
	memset(h, 0, sizeof(*h));
}

void heap_free(struct heap *h)
{
	free(h->nodes);
	free(h->pos);
	heap_init(h);
}

static bool less(const struct heap_node *a, const struct heap_node *b)
{
	return a->key < b->key || (a->key == b->key && a->id < b->id);
}

static void place(struct heap *h, size_t i, struct heap_node n)
{
	h->nodes[i] = n;
	h->pos[n.id] = (uint32_t)i;
}

static void sift_up(struct heap *h, size_t i)
{
	struct heap_node n = h->nodes[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!less(&n, &h->nodes[parent]))
			break;
		place(h, i, h->nodes[parent]);
		i = parent;
	}
	place(h, i, n);
}

static void sift_down(struct heap *h, size_t i)
{
	struct heap_node n = h->nodes[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->count)
			break;
		if (child + 1 < h->count && less(&h->nodes[child + 1], &h->nodes[child]))
			child++;
		if (!less(&h->nodes[child], &n))
			break;
		place(h, i, h->nodes[child]);
		i = child;
	}
	place(h, i, n);
}

int heap_reserve(struct heap *h, size_t n_ids, size_t count)
{
	if (n_ids > h->pos_cap) {
		size_t ncap = h->pos_cap ? h->pos_cap : 64;
		while (ncap < n_ids)
			ncap *= 2;
		uint32_t *p = realloc(h->pos, ncap * sizeof(*p));
		if (!p)
			return -1;
		for (size_t i = h->pos_cap; i < ncap; i++)
			p[i] = HEAP_ABSENT;
		h->pos = p;
		h->pos_cap = ncap;
	}
	if (count > h->cap) {
		size_t ncap = h->cap ? h->cap : 64;
		while (ncap < count)
			ncap *= 2;
		struct heap_node *n = realloc(h->nodes, ncap * sizeof(*n));
		if (!n)
			return -1;
		h->nodes = n;
		h->cap = ncap;
	}
	return 0;
}

bool heap_contains(const struct heap *h, uint32_t id)
{
	return id < h->pos_cap && h->pos[id] != HEAP_ABSENT;
}

int heap_set(struct heap *h, uint32_t id, int64_t key)
{
	if (heap_contains(h, id)) {
		size_t i = h->pos[id];
		int64_t old = h->nodes[i].key;
		h->nodes[i].key = key;
		if (key < old)
			sift_up(h, i);
		else
			sift_down(h, i);
		return 0;
	}
	if (id == HEAP_ABSENT || heap_reserve(h, (size_t)id + 1, h->count + 1) < 0)
		return -1;
	size_t i = h->count++;
	place(h, i, (struct heap_node){ key, id });
	sift_up(h, i);
	return 0;
}

void heap_remove(struct heap *h, uint32_t id)
{
	if (!heap_contains(h, id))
		return;
	size_t i = h->pos[id];
	h->pos[id] = HEAP_ABSENT;
	struct heap_node last = h->nodes[--h->count];
	if (i == h->count)
		return;
	place(h, i, last);
	if (i > 0 && less(&last, &h->nodes[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

bool heap_peek(const struct heap *h, struct heap_node *out)
{
	if (h->count == 0)
		return false;
	*out = h->nodes[0];
	return true;
}

bool heap_pop(struct heap *h, struct heap_node *out)
{
	if (!heap_peek(h, out))
		return false;
	heap_remove(h, out->id);
	return true;
}
