/* tests/unit/test_heap.c: the indexed min-heap keeps its invariants through
 * many random operations and always yields items in (key, id) order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "crond/sched/heap.h"

static void check_invariants(const struct heap *h)
{
	for (size_t i = 0; i < h->count; i++) {
		const struct heap_node *n = &h->nodes[i];
		assert_int_equal(h->pos[n->id], i);
		if (i > 0) {
			const struct heap_node *p = &h->nodes[(i - 1) / 2];
			assert_true(p->key < n->key || (p->key == n->key && p->id < n->id));
		}
	}
}

static void test_pop_yields_keys_in_order_and_ties_by_id(void **state)
{
	(void)state;
	struct heap h;
	heap_init(&h);
	assert_int_equal(heap_set(&h, 5, 100), 0);
	assert_int_equal(heap_set(&h, 3, 100), 0);
	assert_int_equal(heap_set(&h, 9, 50), 0);
	assert_int_equal(heap_set(&h, 1, 200), 0);
	struct heap_node n;
	assert_true(heap_pop(&h, &n));
	assert_int_equal(n.id, 9);
	assert_true(heap_pop(&h, &n));
	assert_int_equal(n.id, 3);
	assert_true(heap_pop(&h, &n));
	assert_int_equal(n.id, 5);
	assert_true(heap_pop(&h, &n));
	assert_int_equal(n.id, 1);
	assert_false(heap_pop(&h, &n));
	heap_free(&h);
}

static void test_set_moves_an_item_already_present(void **state)
{
	(void)state;
	struct heap h;
	heap_init(&h);
	heap_set(&h, 1, 10);
	heap_set(&h, 2, 20);
	heap_set(&h, 2, 5);
	struct heap_node n;
	assert_true(heap_peek(&h, &n));
	assert_int_equal(n.id, 2);
	heap_set(&h, 2, 30);
	assert_true(heap_peek(&h, &n));
	assert_int_equal(n.id, 1);
	assert_int_equal(h.count, 2);
	heap_remove(&h, 1);
	heap_remove(&h, 1);
	assert_false(heap_contains(&h, 1));
	assert_true(heap_peek(&h, &n));
	assert_int_equal(n.id, 2);
	heap_free(&h);
}

static void test_invariants_hold_after_100000_random_operations(void **state)
{
	(void)state;
	enum { IDS = 5000, OPS = 100000 };
	struct heap h;
	heap_init(&h);
	static int64_t model[IDS];
	static bool present[IDS];
	srand(42);
	for (int op = 0; op < OPS; op++) {
		uint32_t id = (uint32_t)(rand() % IDS);
		int what = rand() % 10;
		if (what < 5) {
			int64_t key = rand() % 100000;
			assert_int_equal(heap_set(&h, id, key), 0);
			model[id] = key;
			present[id] = true;
		} else if (what < 8) {
			heap_remove(&h, id);
			present[id] = false;
		} else {
			struct heap_node n;
			bool any = heap_pop(&h, &n);
			int64_t best = INT64_MAX;
			uint32_t best_id = HEAP_ABSENT;
			for (uint32_t i = 0; i < IDS; i++) {
				if (present[i] && (model[i] < best || (model[i] == best && i < best_id))) {
					best = model[i];
					best_id = i;
				}
			}
			assert_int_equal(any, best_id != HEAP_ABSENT);
			if (any) {
				assert_int_equal(n.id, best_id);
				assert_int_equal(n.key, best);
				present[n.id] = false;
			}
		}
		if (op % 997 == 0)
			check_invariants(&h);
		assert_int_equal(heap_contains(&h, id), present[id]);
	}
	check_invariants(&h);
	size_t count = 0;
	for (uint32_t i = 0; i < IDS; i++)
		count += present[i];
	assert_int_equal(h.count, count);
	heap_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pop_yields_keys_in_order_and_ties_by_id),
		cmocka_unit_test(test_set_moves_an_item_already_present),
		cmocka_unit_test(test_invariants_hold_after_100000_random_operations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
