/* tests/unit/test_cronmail.c: CRON_MAIL's values and its rule for when a
 * cron job's output is mailed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/cronmail.h"

static void test_the_three_values_parse_and_print_back(void **state)
{
	(void)state;
	const char *names[] = { "always", "failure", "never" };
	for (size_t i = 0; i < 3; i++) {
		enum cron_mail m = cron_mail_parse(names[i]);
		assert_int_not_equal(m, CRON_MAIL_UNSET);
		assert_string_equal(cron_mail_name(m), names[i]);
	}
	assert_int_equal(cron_mail_parse(""), CRON_MAIL_UNSET);
	assert_int_equal(cron_mail_parse("Always"), CRON_MAIL_UNSET);
	assert_int_equal(cron_mail_parse("fail"), CRON_MAIL_UNSET);
	assert_int_equal(cron_mail_parse("unset"), CRON_MAIL_UNSET);
}

/* Table: when, mailto, failed, output bytes -> mailed? */
static void test_when_a_run_is_mailed(void **state)
{
	(void)state;
	static const struct {
		enum cron_mail when;
		const char *mailto;
		bool failed;
		uint64_t out;
		bool want;
	} cases[] = {
		{ CRON_MAIL_UNSET, NULL, false, 1, true },    /* cron's rule: output */
		{ CRON_MAIL_UNSET, NULL, true, 0, false },
		{ CRON_MAIL_ALWAYS, NULL, false, 5, true },
		{ CRON_MAIL_ALWAYS, NULL, true, 0, false },   /* always = Debian's: output only */
		{ CRON_MAIL_ALWAYS, "", false, 5, false },    /* MAILTO="" wins */
		{ CRON_MAIL_FAILURE, NULL, false, 5, false }, /* success: silent */
		{ CRON_MAIL_FAILURE, NULL, true, 5, true },
		{ CRON_MAIL_FAILURE, NULL, true, 0, true },   /* a failure is never silent */
		{ CRON_MAIL_FAILURE, "ops", true, 0, true },
		{ CRON_MAIL_FAILURE, "", true, 5, false },
		{ CRON_MAIL_NEVER, NULL, true, 5, false },
		{ CRON_MAIL_NEVER, "ops", false, 5, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = cron_mail_wanted(cases[i].when, cases[i].mailto, cases[i].failed,
		                            cases[i].out);
		if (got != cases[i].want)
			fail_msg("case %zu: got %d", i, got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_three_values_parse_and_print_back),
		cmocka_unit_test(test_when_a_run_is_mailed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
