/* tests/unit/test_safetext.c: users' text made safe for terminals and logs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/safetext.h"

static const struct {
	const char *in;
	size_t len;   /* 0: strlen(in) */
	const char *out;
} cases[] = {
	{ "/usr/bin/backup --all", 0, "/usr/bin/backup --all" },
	{ "", 0, "" },
	/* The attack: a command that repaints root's terminal. */
	{ "true \x1b]0;owned\x07\x1b[2J", 0, "true \\e]0;owned\\a\\e[2J" },
	{ "a\tb\nc\rd\x0b\x0c\x08", 0, "a\\tb\\nc\\rd\\v\\f\\b" },
	{ "nul\0byte", 8, "nul\\x00byte" },
	{ "\x01\x1f\x7f", 0, "\\x01\\x1f\\x7f" },
	/* Backslashes stay: this is for reading, not parsing back. */
	{ "printf 'a\\n' \\%", 0, "printf 'a\\n' \\%" },
	/* Valid UTF-8 that prints is kept. */
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
	/* 8-bit CSI and other bytes outside UTF-8, byte by byte. */
	{ "\x9b" "31m", 0, "\\x9b31m" },
	{ "\xff\xfe", 0, "\\xff\\xfe" },
	{ "\xc3", 0, "\\xc3" },                        /* cut sequence */
	{ "\xc0\xaf", 0, "\\xc0\\xaf" },               /* overlong '/' */
	{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },      /* a surrogate */
	{ "\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80" },  /* past U+10FFFF */
	/* C1 controls, separators and direction overrides, as code points. */
	{ "\xc2\x9b" "1m", 0, "\\u009b1m" },
	{ "a\xe2\x80\xa8" "b", 0, "a\\u2028b" },
	{ "rm \xe2\x80\xae" "txt.sh", 0, "rm \\u202etxt.sh" },
	{ "\xe2\x81\xa6x\xe2\x81\xa9", 0, "\\u2066x\\u2069" },
	{ "\xef\xbb\xbfx", 0, "\\ufeffx" },
	{ "a\xd8\x9c" "b", 0, "a\\u061cb" },   /* the Arabic letter mark (a review's) */
};

static void test_escapes_what_a_terminal_would_obey_and_keeps_the_rest(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		char buf[256];
		size_t n = safetext_escape(cases[i].in, len, buf, sizeof(buf));
		if (strcmp(buf, cases[i].out) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
		size_t first = safetext_find_unsafe(cases[i].in, len);
		bool same = strcmp(cases[i].in, cases[i].out) == 0 && cases[i].len == 0;
		assert_int_equal(first == len, same);
	}
}

static void test_escaped_text_holds_no_control_byte(void **state)
{
	(void)state;
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	char buf[2048];
	size_t n = safetext_escape(all, sizeof(all), buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		assert_true(c >= 0x20 && c < 0x7f);   /* every byte >= 0x80 was lone */
	}
	assert_int_equal(safetext_find_unsafe(buf, n), n);
}

static void test_first_unsafe_offset_is_found(void **state)
{
	(void)state;
	assert_int_equal(safetext_find_unsafe("echo \x1b[1m", 9), 5);
	assert_int_equal(safetext_find_unsafe("caf\xc3\xa9\x9b", 6), 5);
	assert_int_equal(safetext_find_unsafe("ok", 2), 2);
}

static void test_a_cut_never_splits_a_character_or_an_escape(void **state)
{
	(void)state;
	char buf[8];
	/* "ab\e" needs 4 bytes and the NUL: with 4 only "ab" fits. */
	assert_int_equal(safetext_escape("ab\x1b", 3, buf, 4), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(safetext_escape("a\xe2\x82\xac", 4, buf, 4), 1);
	assert_string_equal(buf, "a");
	assert_int_equal(safetext_escape("a\xe2\x82\xac", 4, buf, 5), 4);
	assert_int_equal(safetext_escape("xyz", 3, buf, 1), 0);
	assert_string_equal(buf, "");
}

static void test_fputs_writes_the_whole_text_escaped(void **state)
{
	(void)state;
	char buf[64] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(safetext_fputs("a\x1b[1mb\xe2\x82\xac\n", 10, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "a\\e[1mb\xe2\x82\xac\\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_what_a_terminal_would_obey_and_keeps_the_rest),
		cmocka_unit_test(test_escaped_text_holds_no_control_byte),
		cmocka_unit_test(test_first_unsafe_offset_is_found),
		cmocka_unit_test(test_a_cut_never_splits_a_character_or_an_escape),
		cmocka_unit_test(test_fputs_writes_the_whole_text_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
