/* tests/unit/test_jobenv.c: a job's environment is built from scratch:
 * the five base variables, then the job's assignments, LOGNAME and USER
 * never overridden, nothing from the daemon's environment, bounds enforced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crond/run/jobenv.h"

static const struct jobenv_base base = {
	.user = "alice",
	.home = "/home/alice",
	.shell = "/bin/sh",
	.path = "/usr/bin:/bin",
};

static struct jobenv build_ok(const char *const *a, size_t n)
{
	struct jobenv env;
	char err[256];
	if (jobenv_build(&base, a, n, &env, err, sizeof(err)) != 0)
		fail_msg("should build: %s", err);
	assert_non_null(env.envp);
	assert_null(env.envp[env.count]);
	return env;
}

/* Checks ENV is exactly EXPECTED, in order. */
static void assert_env(const struct jobenv *env, const char *const *expected, size_t n)
{
	for (size_t i = 0; i < n && i < env->count; i++)
		assert_string_equal(env->envp[i], expected[i]);
	assert_int_equal(env->count, n);
}

static void build_bad(const char *const *a, size_t n, const char *fragment)
{
	static char *junk[1];
	struct jobenv env = { junk, 7 };
	char err[256] = "";
	assert_int_equal(jobenv_build(&base, a, n, &env, err, sizeof(err)), -1);
	assert_null(env.envp);
	assert_int_equal(env.count, 0);
	if (strstr(err, fragment) == NULL)
		fail_msg("error '%s' should mention '%s'", err, fragment);
}

static void test_base_is_home_logname_user_shell_path_and_nothing_else(void **state)
{
	(void)state;
	struct jobenv env = build_ok(NULL, 0);
	const char *want[] = { "HOME=/home/alice", "LOGNAME=alice", "USER=alice",
		               "SHELL=/bin/sh", "PATH=/usr/bin:/bin" };
	assert_env(&env, want, 5);
	jobenv_free(&env);
}

static void test_assignments_override_home_shell_path_in_place_and_add_the_rest(void **state)
{
	(void)state;
	const char *a[] = { "PATH=/opt/bin", "MAILTO=ops", "HOME=/srv", "SHELL=/bin/bash",
		            "LANG=C.UTF-8" };
	struct jobenv env = build_ok(a, 5);
	const char *want[] = { "HOME=/srv", "LOGNAME=alice", "USER=alice", "SHELL=/bin/bash",
		               "PATH=/opt/bin", "MAILTO=ops", "LANG=C.UTF-8" };
	assert_env(&env, want, 7);
	jobenv_free(&env);
}

static void test_logname_and_user_always_name_the_real_owner(void **state)
{
	(void)state;
	const char *a[] = { "LOGNAME=root", "USER=root", "USERNAME=x", "LOGNAMES=y" };
	struct jobenv env = build_ok(a, 4);
	assert_string_equal(jobenv_get(&env, "LOGNAME"), "alice");
	assert_string_equal(jobenv_get(&env, "USER"), "alice");
	assert_string_equal(jobenv_get(&env, "USERNAME"), "x");
	assert_string_equal(jobenv_get(&env, "LOGNAMES"), "y");
	assert_int_equal(env.count, 7);
	jobenv_free(&env);
}

static void test_later_assignment_of_a_name_wins_at_the_first_position(void **state)
{
	(void)state;
	const char *a[] = { "A=1", "B=2", "A=3", "PATH=/x", "PATH=/y", "A=" };
	struct jobenv env = build_ok(a, 6);
	const char *want[] = { "HOME=/home/alice", "LOGNAME=alice", "USER=alice",
		               "SHELL=/bin/sh", "PATH=/y", "A=", "B=2" };
	assert_env(&env, want, 7);
	jobenv_free(&env);
}

static void test_values_may_hold_equals_signs_and_be_empty(void **state)
{
	(void)state;
	const char *a[] = { "OPTS=a=b=c", "EMPTY=", "SP= spaced value " };
	struct jobenv env = build_ok(a, 3);
	assert_string_equal(jobenv_get(&env, "OPTS"), "a=b=c");
	assert_string_equal(jobenv_get(&env, "EMPTY"), "");
	assert_string_equal(jobenv_get(&env, "SP"), " spaced value ");
	jobenv_free(&env);
}

static void test_nothing_from_the_daemon_environment_leaks(void **state)
{
	(void)state;
	assert_int_equal(setenv("CROND_TEST_MARKER", "leaked", 1), 0);
	assert_int_equal(setenv("LD_PRELOAD", "/tmp/evil.so", 1), 0);
	assert_int_equal(setenv("HOME", "/daemon/home", 1), 0);
	struct jobenv env = build_ok(NULL, 0);
	for (size_t i = 0; i < env.count; i++) {
		assert_null(strstr(env.envp[i], "leaked"));
		assert_null(strstr(env.envp[i], "evil"));
		assert_null(strstr(env.envp[i], "/daemon/home"));
	}
	assert_null(jobenv_get(&env, "CROND_TEST_MARKER"));
	assert_null(jobenv_get(&env, "LD_PRELOAD"));
	assert_string_equal(jobenv_get(&env, "HOME"), "/home/alice");
	jobenv_free(&env);
	unsetenv("CROND_TEST_MARKER");
	unsetenv("LD_PRELOAD");
}

static void test_get_matches_the_whole_name_only(void **state)
{
	(void)state;
	const char *a[] = { "PATHX=1", "PAT=2" };
	struct jobenv env = build_ok(a, 2);
	assert_string_equal(jobenv_get(&env, "PATH"), "/usr/bin:/bin");
	assert_string_equal(jobenv_get(&env, "PATHX"), "1");
	assert_string_equal(jobenv_get(&env, "PAT"), "2");
	assert_null(jobenv_get(&env, "PA"));
	assert_null(jobenv_get(NULL, "PATH"));
	jobenv_free(&env);
}

static void test_malformed_assignments_are_refused_with_their_index(void **state)
{
	(void)state;
	static const struct {
		const char *a;
		const char *fragment;
	} cases[] = {
		{ "=value", "entry 1 has an empty name" },
		{ "NOEQUALS", "entry 1 has no '='" },
		{ "", "entry 1 has no '='" },
		{ NULL, "entry 1 is missing" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a[] = { "OK=1", cases[i].a };
		build_bad(a, 2, cases[i].fragment);
	}
}

static void test_missing_base_fields_are_refused(void **state)
{
	(void)state;
	struct jobenv env;
	char err[128];
	struct jobenv_base b = base;
	b.user = "";
	assert_int_equal(jobenv_build(&b, NULL, 0, &env, err, sizeof(err)), -1);
	b = base;
	b.home = NULL;
	assert_int_equal(jobenv_build(&b, NULL, 0, &env, err, sizeof(err)), -1);
	b = base;
	b.path = NULL;
	assert_int_equal(jobenv_build(&b, NULL, 0, &env, err, sizeof(err)), -1);
	assert_int_equal(jobenv_build(NULL, NULL, 0, &env, err, sizeof(err)), -1);
	assert_null(env.envp);
}

static void test_more_than_the_variable_limit_is_refused(void **state)
{
	(void)state;
	size_t n = JOBENV_MAX_VARS;
	char **names = calloc(n, sizeof(char *));
	assert_non_null(names);
	for (size_t i = 0; i < n; i++)
		assert_true(asprintf(&names[i], "V%zu=x", i) > 0);
	/* 5 base variables plus all of these is over the limit... */
	build_bad((const char *const *)names, n, "more than");
	/* ...while exactly the limit fits. */
	struct jobenv env = build_ok((const char *const *)names, n - 5);
	assert_int_equal(env.count, JOBENV_MAX_VARS);
	jobenv_free(&env);
	build_bad((const char *const *)names, JOBENV_MAX_VARS + 1, "more than");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void test_oversized_variables_and_totals_are_refused(void **state)
{
	(void)state;
	size_t big = JOBENV_MAX_VAR;
	char *v = malloc(big + 1);
	assert_non_null(v);
	memcpy(v, "BIG=", 4);
	memset(v + 4, 'x', big - 4);
	v[big] = '\0';  /* strlen == MAX_VAR: one over with the NUL */
	const char *one[] = { v };
	build_bad(one, 1, "is over");
	v[big - 1] = '\0';  /* exactly at the limit */
	struct jobenv env = build_ok(one, 1);
	jobenv_free(&env);

	/* Many under the per-variable limit, over the total. */
	size_t n = JOBENV_MAX_BYTES / (big / 2) + 1;
	char **many = calloc(n, sizeof(char *));
	assert_non_null(many);
	for (size_t i = 0; i < n; i++) {
		many[i] = malloc(big / 2);
		assert_non_null(many[i]);
		memset(many[i], 'y', big / 2 - 1);
		many[i][big / 2 - 1] = '\0';
		int len = snprintf(many[i], 32, "N%zu", i);
		many[i][len] = '=';
	}
	build_bad((const char *const *)many, n, "environment is over");
	for (size_t i = 0; i < n; i++)
		free(many[i]);
	free(many);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_is_home_logname_user_shell_path_and_nothing_else),
		cmocka_unit_test(test_assignments_override_home_shell_path_in_place_and_add_the_rest),
		cmocka_unit_test(test_logname_and_user_always_name_the_real_owner),
		cmocka_unit_test(test_later_assignment_of_a_name_wins_at_the_first_position),
		cmocka_unit_test(test_values_may_hold_equals_signs_and_be_empty),
		cmocka_unit_test(test_nothing_from_the_daemon_environment_leaks),
		cmocka_unit_test(test_get_matches_the_whole_name_only),
		cmocka_unit_test(test_malformed_assignments_are_refused_with_their_index),
		cmocka_unit_test(test_missing_base_fields_are_refused),
		cmocka_unit_test(test_more_than_the_variable_limit_is_refused),
		cmocka_unit_test(test_oversized_variables_and_totals_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
