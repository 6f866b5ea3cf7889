/* tests/unit/test_at_env.c: which of the caller's environment variables an
 * at job keeps (atq/atenv.h): valid names only, never the terminal and
 * shell-process variables, never LOGNAME/USER, the last of duplicates,
 * oversized variables reported rather than kept, totals bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "atq/atenv.h"

/* Captures ENV and checks the kept strings are exactly WANT, in order. */
static void assert_keeps(const char *const *env, const char *const *want, size_t n)
{
	struct atenv out;
	char err[256];
	if (atenv_capture(env, &out, err, sizeof(err)) != 0)
		fail_msg("capture failed: %s", err);
	for (size_t i = 0; i < n && i < out.n_keep; i++)
		assert_string_equal(out.keep[i], want[i]);
	assert_int_equal(out.n_keep, n);
	assert_null(out.keep[out.n_keep]);
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(want[i]) + 1;
	assert_int_equal(out.bytes, bytes);
	atenv_free(&out);
}

static void test_ordinary_variables_are_kept_in_order(void **state)
{
	(void)state;
	const char *env[] = { "HOME=/root", "PATH=/usr/bin:/bin", "EMPTY=", "EQ=a=b", "_X1=y", NULL };
	const char *want[] = { "HOME=/root", "PATH=/usr/bin:/bin", "EMPTY=", "EQ=a=b", "_X1=y" };
	assert_keeps(env, want, 5);
}

static void test_names_that_are_not_shell_identifiers_are_dropped(void **state)
{
	(void)state;
	const char *env[] = { "1X=1", "A.B=2", "A-B=3", "BASH_FUNC_f%%=() { :; }", "=novalue",
		        "NOEQUALS", "é=4", "OK=5", NULL };
	const char *want[] = { "OK=5" };
	assert_keeps(env, want, 1);
}

static void test_terminal_and_shell_process_variables_are_never_carried(void **state)
{
	(void)state;
	static const char *const names[] = { "TERM", "DISPLAY", "_", "SHELLOPTS", "BASH_VERSINFO",
		                             "EUID", "GROUPS", "PPID", "UID", "SHLVL", "BASHOPTS",
		                             "SHELL" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char entry[64];
		snprintf(entry, sizeof(entry), "%s=x", names[i]);
		assert_int_equal(atenv_judge(entry), ATENV_DROP);
	}
	/* Only the exact names: longer or shorter ones are ordinary. */
	assert_int_equal(atenv_judge("TERMINAL=x"), ATENV_KEEP);
	assert_int_equal(atenv_judge("TER=x"), ATENV_KEEP);
	assert_int_equal(atenv_judge("__=x"), ATENV_KEEP);
	assert_int_equal(atenv_judge("OLDPWD=/"), ATENV_KEEP);
	assert_int_equal(atenv_judge("PWD=/"), ATENV_KEEP);
}

static void test_logname_and_user_are_left_to_crond(void **state)
{
	(void)state;
	const char *env[] = { "LOGNAME=pretender", "USER=pretender", "USERNAME=kept", NULL };
	const char *want[] = { "USERNAME=kept" };
	assert_keeps(env, want, 1);
}

static void test_the_last_of_duplicate_names_wins(void **state)
{
	(void)state;
	/* as Debian's at: its script exports them all, in order */
	const char *env[] = { "A=1", "B=2", "A=3", "AB=4", "B=5", "A=", NULL };
	const char *want[] = { "AB=4", "B=5", "A=" };
	assert_keeps(env, want, 3);
}

static void test_a_dropped_name_is_dropped_in_every_duplicate(void **state)
{
	(void)state;
	const char *env[] = { "TERM=a", "TERM=b", NULL };
	assert_keeps(env, NULL, 0);
}

static void test_values_are_kept_byte_for_byte(void **state)
{
	(void)state;
	const char *env[] = { "Q=it's \"x\" $HOME `id` \\", "NL=a\nb", "CTL=\x01\x7f", "U=\xc3\xa9\xff",
		        NULL };
	const char *want[] = { "Q=it's \"x\" $HOME `id` \\", "NL=a\nb", "CTL=\x01\x7f",
		               "U=\xc3\xa9\xff" };
	assert_keeps(env, want, 4);
}

/* "NAME=" then FILL bytes of 'x' (caller frees). */
static char *big_var(const char *name, size_t fill)
{
	size_t n = strlen(name);
	char *s = malloc(n + 1 + fill + 1);
	assert_non_null(s);
	memcpy(s, name, n);
	s[n] = '=';
	memset(s + n + 1, 'x', fill);
	s[n + 1 + fill] = '\0';
	return s;
}

static void test_a_variable_execve_cannot_pass_is_reported_not_kept(void **state)
{
	(void)state;
	/* "V=" + fill + NUL: exactly the bound is kept, one byte more is not. */
	char *fits = big_var("V", ATENV_VAR_MAX - 3);
	char *over = big_var("W", ATENV_VAR_MAX - 2);
	assert_int_equal(atenv_judge(fits), ATENV_KEEP);
	assert_int_equal(atenv_judge(over), ATENV_TOO_LARGE);
	const char *env[] = { "A=1", over, "B=2", NULL };
	struct atenv out;
	char err[256];
	assert_int_equal(atenv_capture(env, &out, err, sizeof(err)), 0);
	assert_int_equal(out.n_keep, 2);
	assert_int_equal(out.n_too_large, 1);
	assert_ptr_equal(out.too_large[0], over);
	atenv_free(&out);
	free(fits);
	free(over);
}

static void test_an_environment_over_crond_bounds_is_refused(void **state)
{
	(void)state;
	/* Three variables of 100 KiB: each fits, together over 256 KiB. */
	char *big[3];
	for (int i = 0; i < 3; i++) {
		char name[8];
		snprintf(name, sizeof(name), "V%d", i);
		big[i] = big_var(name, 100 * 1024);
	}
	const char *env[] = { big[0], big[1], big[2], NULL };
	struct atenv out = { 0 };
	char err[256] = "";
	assert_int_equal(atenv_capture(env, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	assert_null(out.keep);
	assert_int_equal(out.n_keep, 0);
	for (int i = 0; i < 3; i++)
		free(big[i]);

	/* More variables than crond starts a job with. */
	size_t n = ATENV_COUNT_MAX + 1;
	char **many = calloc(n + 1, sizeof(*many));
	assert_non_null(many);
	for (size_t i = 0; i < n; i++) {
		many[i] = malloc(16);
		assert_non_null(many[i]);
		snprintf(many[i], 16, "V%zu=1", i);
	}
	assert_int_equal(atenv_capture((const char *const *)many, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many"));
	free(many[n - 1]);
	many[n - 1] = NULL;          /* one fewer: exactly the bound, kept */
	assert_int_equal(atenv_capture((const char *const *)many, &out, err, sizeof(err)), 0);
	assert_int_equal(out.n_keep, ATENV_COUNT_MAX);
	atenv_free(&out);
	for (size_t i = 0; i < n - 1; i++)
		free(many[i]);
	free(many);
}

static void test_an_empty_environment_keeps_nothing(void **state)
{
	(void)state;
	const char *env[] = { NULL };
	assert_keeps(env, NULL, 0);
	assert_keeps(NULL, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_variables_are_kept_in_order),
		cmocka_unit_test(test_names_that_are_not_shell_identifiers_are_dropped),
		cmocka_unit_test(test_terminal_and_shell_process_variables_are_never_carried),
		cmocka_unit_test(test_logname_and_user_are_left_to_crond),
		cmocka_unit_test(test_the_last_of_duplicate_names_wins),
		cmocka_unit_test(test_a_dropped_name_is_dropped_in_every_duplicate),
		cmocka_unit_test(test_values_are_kept_byte_for_byte),
		cmocka_unit_test(test_a_variable_execve_cannot_pass_is_reported_not_kept),
		cmocka_unit_test(test_an_environment_over_crond_bounds_is_refused),
		cmocka_unit_test(test_an_empty_environment_keeps_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
