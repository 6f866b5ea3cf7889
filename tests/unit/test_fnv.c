/* tests/unit/test_fnv.c: FNV-1a 64 (lib/fnv.h) against the published
 * vectors of its authors: the Debian import keeps these values in the
 * spool, so they must never change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/fnv.h"

static void test_published_vectors_match(void **state)
{
	(void)state;
	assert_true(fnv1a_str("") == UINT64_C(0xcbf29ce484222325));
	assert_true(fnv1a_str("a") == UINT64_C(0xaf63dc4c8601ec8c));
	assert_true(fnv1a_str("foobar") == UINT64_C(0x85944171f73967e8));
	assert_true(fnv1a(FNV1A_BASIS, "foobar", 6) == UINT64_C(0x85944171f73967e8));
}

static void test_fields_hash_as_their_concatenation(void **state)
{
	(void)state;
	uint64_t h = fnv1a(FNV1A_BASIS, "foo", 3);
	assert_true(fnv1a(h, "bar", 3) == fnv1a_str("foobar"));
	/* bytes past 0x7f and NUL bytes count as bytes */
	const char odd[] = "\xff\x80\0x";
	assert_true(fnv1a(FNV1A_BASIS, odd, 4) != fnv1a(FNV1A_BASIS, odd, 3));
	assert_true(fnv1a(FNV1A_BASIS, odd, 2) == fnv1a_str("\xff\x80"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_vectors_match),
		cmocka_unit_test(test_fields_hash_as_their_concatenation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
