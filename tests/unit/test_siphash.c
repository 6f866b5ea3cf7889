/* tests/unit/test_siphash.c: SipHash-2-4 against the reference vectors of
 * its authors (key 00 01 .. 0f, messages 00 01 .. of each length). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/siphash.h"

static void test_reference_vectors_match(void **state)
{
	(void)state;
	uint8_t key[SIPHASH_KEY_LEN], msg[64];
	for (int i = 0; i < SIPHASH_KEY_LEN; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	assert_true(siphash24(key, msg, 0) == UINT64_C(0x726fdb47dd0e0e31));
	assert_true(siphash24(key, msg, 1) == UINT64_C(0x74f839c593dc67fd));
	assert_true(siphash24(key, msg, 8) == UINT64_C(0x93f5f5799a932462));
	assert_true(siphash24(key, msg, 15) == UINT64_C(0xa129ca6149be45e5));
}

static void test_every_bit_of_key_and_input_matters(void **state)
{
	(void)state;
	uint8_t key[SIPHASH_KEY_LEN] = { 0 }, msg[20] = { 0 };
	uint64_t base = siphash24(key, msg, sizeof(msg));
	for (int b = 0; b < 8 * SIPHASH_KEY_LEN; b++) {
		key[b / 8] ^= (uint8_t)(1u << (b % 8));
		assert_true(siphash24(key, msg, sizeof(msg)) != base);
		key[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
	for (int b = 0; b < 8 * (int)sizeof(msg); b++) {
		msg[b / 8] ^= (uint8_t)(1u << (b % 8));
		assert_true(siphash24(key, msg, sizeof(msg)) != base);
		msg[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
	assert_true(siphash24(key, msg, sizeof(msg) - 1) != base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_vectors_match),
		cmocka_unit_test(test_every_bit_of_key_and_input_matters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
