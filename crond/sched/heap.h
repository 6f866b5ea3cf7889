/* crond/sched/heap.h: an indexed binary min-heap of (instant, id) pairs.
 *
 * The timer thread keeps the next run of every crontab entry and at job here
 * and sleeps until the minimum. Items are small integer ids chosen by the
 * caller (slots in its own tables); the heap remembers where each id sits so
 * an item can be moved or removed in O(log n) when a crontab changes. Ties on
 * the key are broken by id, so the order is total and repeatable.
 *
 * Not thread-safe: owned by the timer thread.
 */
#ifndef CROND_HEAP_H
#define CROND_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_ABSENT UINT32_MAX

struct heap_node {
	int64_t key;
	uint32_t id;
};

struct heap {
	struct heap_node *nodes;
	size_t count, cap;
	uint32_t *pos;      /* pos[id]: index in nodes, or HEAP_ABSENT */
	size_t pos_cap;
};

void heap_init(struct heap *h);
void heap_free(struct heap *h);

/* Inserts ID with KEY, or moves it to KEY if present. -1 on allocation
 * failure (the heap is unchanged). IDs must be below UINT32_MAX. */
int heap_set(struct heap *h, uint32_t id, int64_t key);

/* Removes ID if present. */
void heap_remove(struct heap *h, uint32_t id);

bool heap_contains(const struct heap *h, uint32_t id);

/* The minimum, without removing it: false when empty. */
bool heap_peek(const struct heap *h, struct heap_node *out);

/* Removes and returns the minimum: false when empty. */
bool heap_pop(struct heap *h, struct heap_node *out);

/* Makes room for ids below N and COUNT items in total without failing later
 * (bulk loading). -1 on allocation failure. */
int heap_reserve(struct heap *h, size_t n_ids, size_t count);

#endif
