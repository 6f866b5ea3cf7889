/* tests/unit/test_source_name.c: a user's crontab's source name, built and
 * read back; an owner that does not fit is an error, never a cut-off name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/source_name.h"
#include "spool/spool.h"

static void test_user_name_is_prefixed_and_reads_back(void **state)
{
	(void)state;
	char buf[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
	assert_int_equal(source_name_user(buf, sizeof(buf), "alice"), 0);
	assert_string_equal(buf, "user:alice");
	assert_string_equal(source_name_owner(buf), "alice");
}

static void test_owner_of_the_maximum_length_fits(void **state)
{
	(void)state;
	char owner[SPOOL_NAME_MAX + 1], buf[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
	memset(owner, 'a', SPOOL_NAME_MAX);
	owner[SPOOL_NAME_MAX] = '\0';
	assert_int_equal(source_name_user(buf, sizeof(buf), owner), 0);
	assert_int_equal(strlen(buf), 5 + SPOOL_NAME_MAX);
	assert_memory_equal(buf, "user:", 5);
	assert_string_equal(source_name_owner(buf), owner);
}

static void test_owner_one_byte_too_long_is_refused_not_cut(void **state)
{
	(void)state;
	char owner[SPOOL_NAME_MAX + 2], buf[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
	memset(owner, 'a', SPOOL_NAME_MAX + 1);
	owner[SPOOL_NAME_MAX + 1] = '\0';
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(source_name_user(buf, sizeof(buf), owner), -1);
	assert_string_equal(buf, "");
	/* The exact edge: "user:" + 3 bytes + NUL needs 9. */
	char small[9];
	assert_int_equal(source_name_user(small, sizeof(small), "bob"), 0);
	assert_string_equal(small, "user:bob");
	assert_int_equal(source_name_user(small, sizeof(small) - 1, "bob"), -1);
	assert_string_equal(small, "");
	assert_int_equal(source_name_user(small, 0, "bob"), -1);
}

static void test_empty_owner_is_refused(void **state)
{
	(void)state;
	char buf[16] = "x";
	assert_int_equal(source_name_user(buf, sizeof(buf), ""), -1);
	assert_string_equal(buf, "");
}

static void test_other_names_have_no_owner(void **state)
{
	(void)state;
	assert_null(source_name_owner("/etc/cron.d/backup"));
	assert_null(source_name_owner("/etc/crontab"));
	assert_null(source_name_owner("user:"));
	assert_null(source_name_owner("user"));
	assert_null(source_name_owner("User:alice"));
	assert_null(source_name_owner(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_name_is_prefixed_and_reads_back),
		cmocka_unit_test(test_owner_of_the_maximum_length_fits),
		cmocka_unit_test(test_owner_one_byte_too_long_is_refused_not_cut),
		cmocka_unit_test(test_empty_owner_is_refused),
		cmocka_unit_test(test_other_names_have_no_owner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
