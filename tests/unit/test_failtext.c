/* tests/unit/test_failtext.c: "WHAT: REASON" keeps its reason however long
 * WHAT is (lib/failtext.h), at every buffer size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/failtext.h"

static void test_a_line_that_fits_is_whole(void **state)
{
	(void)state;
	char buf[64];
	failtext(buf, sizeof(buf), "cannot execute /bin/x", "No such file or directory");
	assert_string_equal(buf, "cannot execute /bin/x: No such file or directory");
	/* exactly the buffer's size, NUL included */
	char exact[sizeof("ab: cd")];
	failtext(exact, sizeof(exact), "ab", "cd");
	assert_string_equal(exact, "ab: cd");
}

static void test_a_long_what_gives_way_to_the_reason(void **state)
{
	(void)state;
	char what[3000] = "cannot execute /";
	size_t n = strlen(what);
	memset(what + n, 'd', sizeof(what) - n - 1);
	what[sizeof(what) - 1] = '\0';
	char buf[256];
	failtext(buf, sizeof(buf), what, "Permission denied");
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_true(strncmp(buf, "cannot execute /ddd", 19) == 0);
	const char *tail = "...: Permission denied";
	assert_string_equal(buf + strlen(buf) - strlen(tail), tail);
}

static void test_every_size_ends_in_the_reason_or_its_start(void **state)
{
	(void)state;
	const char *what = "cannot chdir to /home/someone/with/a/long/directory";
	const char *reason = "Not a directory";
	char full[128];
	failtext(full, sizeof(full), what, reason);
	for (size_t len = 0; len <= strlen(full) + 1; len++) {
		char buf[128];
		memset(buf, 'X', sizeof(buf));
		failtext(buf, len, what, reason);
		if (len == 0) {
			assert_int_equal(buf[0], 'X');   /* nothing written */
			continue;
		}
		size_t got = strlen(buf);
		assert_true(got <= len - 1);
		assert_int_equal(buf[len], 'X');   /* nothing past LEN */
		if (len - 1 >= strlen(full)) {
			assert_string_equal(buf, full);
		} else if (len - 1 > strlen("...: ") + strlen(reason)) {
			/* WHAT's start, the mark, all of the reason, and full */
			assert_int_equal(got, len - 1);
			assert_true(strncmp(buf, what, got - strlen("...: ") - strlen(reason)) == 0);
			assert_string_equal(buf + got - strlen("...: ") - strlen(reason), "...: Not a directory");
		} else {
			/* no room for WHAT: the reason, from its start */
			assert_true(strncmp(buf, reason, got) == 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_line_that_fits_is_whole),
		cmocka_unit_test(test_a_long_what_gives_way_to_the_reason),
		cmocka_unit_test(test_every_size_ends_in_the_reason_or_its_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
