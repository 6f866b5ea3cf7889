/* tests/unit/test_dynload.c: loading a library's functions on first use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "lib/dynload.h"

static void test_functions_are_resolved_in_order(void **state)
{
	(void)state;
	static const char *const names[] = { "cos", "sqrt" };
	void *fns[2] = { NULL, NULL };
	char err[256] = "";
	assert_int_equal(dynload("libm.so.6", names, fns, 2, err, sizeof(err)), 0);
	double (*cosine)(double), (*root)(double);
	memcpy(&cosine, &fns[0], sizeof(void *));
	memcpy(&root, &fns[1], sizeof(void *));
	assert_true(cosine(0.0) == 1.0);
	assert_true(root(16.0) == 4.0);
}

static void test_a_missing_function_is_named(void **state)
{
	(void)state;
	static const char *const names[] = { "cos", "no_such_function_here" };
	void *fns[2];
	char err[256] = "";
	assert_int_equal(dynload("libm.so.6", names, fns, 2, err, sizeof(err)), -1);
	assert_string_equal(err, "libm.so.6 has no no_such_function_here");
}

static void test_a_missing_library_says_why(void **state)
{
	(void)state;
	static const char *const names[] = { "f" };
	void *fns[1];
	char err[256] = "";
	assert_int_equal(dynload("libcrond-no-such.so.9", names, fns, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "libcrond-no-such.so.9"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_functions_are_resolved_in_order),
		cmocka_unit_test(test_a_missing_function_is_named),
		cmocka_unit_test(test_a_missing_library_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
