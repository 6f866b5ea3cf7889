/* tests/unit/test_spool_crontab.c: crontabs in the spool: byte-exact round
 * trips, generations, tombstones, and the argument checks. Real databases,
 * on both backends: a file in a private temporary directory, and a
 * PostgreSQL database of the test's own (tests/unit/support/spool_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool/spool.h"
#include "tests/unit/support/spool_fixture.h"

static void test_install_then_get_returns_the_exact_bytes(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	const char text[] = "MAILTO=root\n*/5 * * * * /bin/true % in\t\"quotes\"\n# no newline at end";
	int64_t gen = 0;
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1000, text, strlen(text),
					       0, 1700000000, &gen, &err), SPOOL_OK);
	assert_true(gen > 0);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "alice", &c, &err), SPOOL_OK);
	assert_int_equal(c.len, strlen(text));
	assert_memory_equal(c.text, text, c.len);
	assert_int_equal(c.text[c.len], '\0');
	assert_string_equal(c.owner, "alice");
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.installed_at, 1700000000);
	assert_int_equal(c.installed_by, 0);
	assert_int_equal(c.generation, gen);
	assert_false(c.removed);
	spool_crontab_free(&c);
	assert_null(c.mem_);
}

static void test_every_byte_value_and_one_mebibyte_round_trip(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	size_t len = SPOOL_CRONTAB_MAX;
	unsigned char *text = malloc(len);
	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = (unsigned char)(i * 7 + (i >> 8));   /* NULs, 0xff, invalid UTF-8 */
	assert_int_equal(spool_crontab_install(fx->sp, "big", 1, text, len, 1, 5, NULL, &err),
			 SPOOL_OK);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "big", &c, &err), SPOOL_OK);
	assert_int_equal(c.len, len);
	assert_memory_equal(c.text, text, len);
	spool_crontab_free(&c);
	free(text);
}

static void test_empty_crontab_is_installed_not_removed(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	assert_int_equal(spool_crontab_install(fx->sp, "empty", 2, "", 0, 2, 5, NULL, &err),
			 SPOOL_OK);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "empty", &c, &err), SPOOL_OK);
	assert_int_equal(c.len, 0);
	assert_non_null(c.text);
	assert_string_equal(c.text, "");
	assert_false(c.removed);
	spool_crontab_free(&c);
}

static void test_crontab_over_the_bound_is_invalid(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	char *text = calloc(1, SPOOL_CRONTAB_MAX + 1);
	assert_non_null(text);
	assert_int_equal(spool_crontab_install(fx->sp, "bob", 1, text, SPOOL_CRONTAB_MAX + 1,
					       1, 5, NULL, &err), SPOOL_INVALID);
	assert_int_equal(err.code, SPOOL_INVALID);
	assert_non_null(strstr(err.msg, fx->path));
	free(text);
	assert_int_equal(spool_crontab_install(fx->sp, "", 1, "x", 1, 1, 5, NULL, &err),
			 SPOOL_INVALID);
	assert_int_equal(spool_crontab_install(fx->sp, NULL, 1, "x", 1, 1, 5, NULL, &err),
			 SPOOL_INVALID);
	char longname[SPOOL_NAME_MAX + 2];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(spool_crontab_install(fx->sp, longname, 1, "x", 1, 1, 5, NULL, &err),
			 SPOOL_INVALID);
	assert_int_equal(spool_crontab_install(fx->sp, "bob", 1, NULL, 3, 1, 5, NULL, &err),
			 SPOOL_INVALID);
}

static void test_get_of_unknown_owner_is_not_found(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "nobody-here", &c, &err), SPOOL_NOT_FOUND);
	assert_int_equal(err.code, SPOOL_NOT_FOUND);
	assert_non_null(strstr(err.msg, "nobody-here"));
	assert_null(c.text);
	assert_null(c.mem_);
}

static void test_generations_strictly_increase_across_owners(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t last = 0, gen = 0, cur = -1;
	assert_int_equal(spool_crontab_generation(fx->sp, &cur, &err), SPOOL_OK);
	assert_int_equal(cur, 0);
	const char *owners[] = { "a", "b", "a", "c", "b", "a" };
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(spool_crontab_install(fx->sp, owners[i], 1, "x\n", 2, 0,
						       (int64_t)i, &gen, &err), SPOOL_OK);
		assert_true(gen > last);
		last = gen;
	}
	assert_int_equal(spool_crontab_remove(fx->sp, "c", 0, 99, &gen, &err), SPOOL_OK);
	assert_true(gen > last);
	assert_int_equal(spool_crontab_generation(fx->sp, &cur, &err), SPOOL_OK);
	assert_int_equal(cur, gen);
}

/* The owners of the crontabs in force, in byte order: reinstalled ones
 * once, removed ones not at all. */
static void test_owners_are_the_installed_crontabs_in_byte_order(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	char **v;
	size_t n;
	assert_int_equal(spool_crontab_owners(fx->sp, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	spool_names_free(v, n);
	const char *owners[] = { "bob", "Zed", "alice", "bob", "carol", "alice2" };
	int64_t gen;
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(spool_crontab_install(fx->sp, owners[i], 1, "x\n", 2, 0,
						       (int64_t)i, &gen, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_remove(fx->sp, "carol", 0, 99, &gen, &err), SPOOL_OK);
	assert_int_equal(spool_crontab_owners(fx->sp, &v, &n, &err), SPOOL_OK);
	const char *want[] = { "Zed", "alice", "alice2", "bob" };
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
	spool_names_free(v, n);
}

static void test_remove_leaves_a_tombstone_listed_as_a_change(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	int64_t g1, g2, g3;
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1000, "a\n", 2, 0, 10, &g1, &err), 0);
	assert_int_equal(spool_crontab_install(fx->sp, "bob", 1001, "b\n", 2, 0, 11, &g2, &err), 0);
	assert_int_equal(spool_crontab_remove(fx->sp, "alice", 1000, 12, &g3, &err), SPOOL_OK);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "alice", &c, &err), SPOOL_NOT_FOUND);
	assert_int_equal(spool_crontab_remove(fx->sp, "alice", 1000, 13, NULL, &err),
			 SPOOL_NOT_FOUND);
	assert_int_equal(spool_crontab_remove(fx->sp, "never", 0, 13, NULL, &err),
			 SPOOL_NOT_FOUND);

	struct spool_crontab *v;
	size_t n;
	assert_int_equal(spool_crontab_changes(fx->sp, 0, 100, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 2);   /* bob, then alice's tombstone */
	assert_string_equal(v[0].owner, "bob");
	assert_int_equal(v[0].generation, g2);
	assert_false(v[0].removed);
	assert_memory_equal(v[0].text, "b\n", 2);
	assert_string_equal(v[1].owner, "alice");
	assert_int_equal(v[1].generation, g3);
	assert_true(v[1].removed);
	assert_null(v[1].text);
	assert_int_equal(v[1].installed_at, 12);
	assert_int_equal(v[1].installed_by, 1000);
	spool_crontabs_free(v, n);

	assert_int_equal(spool_crontab_changes(fx->sp, g2, 100, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_true(v[0].removed);
	spool_crontabs_free(v, n);
	assert_int_equal(spool_crontab_changes(fx->sp, g3, 100, &v, &n, &err), SPOOL_OK);
	assert_int_equal(n, 0);
	assert_null(v);

	/* Reinstalling replaces the tombstone with a newer generation. */
	int64_t g4;
	assert_int_equal(spool_crontab_install(fx->sp, "alice", 1000, "A", 1, 0, 14, &g4, &err), 0);
	assert_true(g4 > g3);
	assert_int_equal(spool_crontab_get(fx->sp, "alice", &c, &err), SPOOL_OK);
	assert_memory_equal(c.text, "A", 1);
	spool_crontab_free(&c);
}

static void test_changes_come_in_pages_of_max_in_generation_order(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	char owner[16];
	for (int i = 0; i < 25; i++) {
		snprintf(owner, sizeof owner, "user%02d", i);
		assert_int_equal(spool_crontab_install(fx->sp, owner, (uid_t)i, owner,
						       strlen(owner), 0, i, NULL, &err), 0);
	}
	int64_t since = 0, last = 0;
	size_t total = 0, pages = 0;
	for (;;) {
		struct spool_crontab *v;
		size_t n;
		assert_int_equal(spool_crontab_changes(fx->sp, since, 10, &v, &n, &err), SPOOL_OK);
		if (n == 0)
			break;
		assert_true(n <= 10);
		for (size_t i = 0; i < n; i++) {
			assert_true(v[i].generation > last);
			last = v[i].generation;
			assert_memory_equal(v[i].text, v[i].owner, v[i].len);
		}
		since = v[n - 1].generation;
		total += n;
		pages++;
		spool_crontabs_free(v, n);
	}
	assert_int_equal(total, 25);
	assert_int_equal(pages, 3);
	struct spool_crontab *v = (void *)1;
	size_t n = 7;
	assert_int_equal(spool_crontab_changes(fx->sp, 0, 0, &v, &n, &err), SPOOL_INVALID);
	assert_null(v);
	assert_int_equal(n, 0);
}

static void test_crontab_survives_close_and_reopen(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	assert_int_equal(spool_crontab_install(fx->sp, "carol", 7, "@daily x\n", 9, 0, 1, NULL,
					       &err), SPOOL_OK);
	spool_close(fx->sp);
	fx->sp = NULL;
	assert_int_equal(spool_open(fx->path, 0, &fx->sp, &err), SPOOL_OK);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "carol", &c, &err), SPOOL_OK);
	assert_memory_equal(c.text, "@daily x\n", 9);
	spool_crontab_free(&c);
}

static void test_reinstall_replaces_text_uid_and_installer(void **state)
{
	struct spool_fixture *fx = *state;
	struct spool_err err = { 0 };
	assert_int_equal(spool_crontab_install(fx->sp, "dave", 5, "old", 3, 5, 1, NULL, &err), 0);
	assert_int_equal(spool_crontab_install(fx->sp, "dave", 6, "new!", 4, 0, 2, NULL, &err), 0);
	struct spool_crontab c;
	assert_int_equal(spool_crontab_get(fx->sp, "dave", &c, &err), SPOOL_OK);
	assert_int_equal(c.len, 4);
	assert_memory_equal(c.text, "new!", 4);
	assert_int_equal(c.uid, 6);
	assert_int_equal(c.installed_by, 0);
	assert_int_equal(c.installed_at, 2);
	spool_crontab_free(&c);
}

int main(void)
{
	static const struct spool_fixture_test tests[] = {
		SPOOL_CONTRACT_TEST(test_install_then_get_returns_the_exact_bytes),
		SPOOL_CONTRACT_TEST(test_every_byte_value_and_one_mebibyte_round_trip),
		SPOOL_CONTRACT_TEST(test_empty_crontab_is_installed_not_removed),
		SPOOL_CONTRACT_TEST(test_crontab_over_the_bound_is_invalid),
		SPOOL_CONTRACT_TEST(test_get_of_unknown_owner_is_not_found),
		SPOOL_CONTRACT_TEST(test_generations_strictly_increase_across_owners),
		SPOOL_CONTRACT_TEST(test_owners_are_the_installed_crontabs_in_byte_order),
		SPOOL_CONTRACT_TEST(test_remove_leaves_a_tombstone_listed_as_a_change),
		SPOOL_CONTRACT_TEST(test_changes_come_in_pages_of_max_in_generation_order),
		SPOOL_CONTRACT_TEST(test_crontab_survives_close_and_reopen),
		SPOOL_CONTRACT_TEST(test_reinstall_replaces_text_uid_and_installer),
	};
	return spool_fixture_run("spool-crontab", SPOOL_CREATE | SPOOL_CHECK, tests,
				 sizeof tests / sizeof tests[0]);
}
