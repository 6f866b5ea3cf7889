/* tests/unit/test_at_script.c: `at -c` output (atq/jobscript.h) and the sh
 * quoting under it (atq/shquote.h): safe words stay bare, everything else
 * is single-quoted so sh reads back exactly the bytes, whatever they are;
 * the script has Debian's layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "atq/jobscript.h"
#include "atq/shquote.h"
#include "lib/proto_msgs.h"

/* S[0..LEN) quoted, as a new string (caller frees). */
static char *quoted(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	assert_int_equal(shquote_write(f, s, len), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_quotes_as(const char *s, const char *want)
{
	char *q = quoted(s, strlen(s));
	assert_string_equal(q, want);
	free(q);
}

static void test_safe_words_are_written_bare(void **state)
{
	(void)state;
	assert_quotes_as("/usr/bin:/bin", "/usr/bin:/bin");
	assert_quotes_as("a=b,c@d%e+f-g_h.i", "a=b,c@d%e+f-g_h.i");
	assert_false(shquote_needed("C.UTF-8", 7));
}

static void test_anything_else_is_single_quoted(void **state)
{
	(void)state;
	assert_quotes_as("", "''");
	assert_quotes_as("a b", "'a b'");
	assert_quotes_as("$HOME `id` \"x\" \\ * ? [a] ~ # & ; | < > ( ) !",
	                 "'$HOME `id` \"x\" \\ * ? [a] ~ # & ; | < > ( ) !'");
	assert_quotes_as("line\nnext", "'line\nnext'");
	assert_quotes_as("\xc3\xa9", "'\xc3\xa9'");
	assert_quotes_as("tab\there", "'tab\there'");
}

static void test_single_quotes_are_closed_escaped_and_reopened(void **state)
{
	(void)state;
	assert_quotes_as("it's", "'it'\\''s'");
	assert_quotes_as("'", "''\\'''");
	assert_quotes_as("''", "''\\'''\\'''");
}

/* Reads back a word written by shquote_write the way sh does: bare bytes,
 * '...' runs (every byte literal), and \' between runs. */
static size_t sh_read_word(const char *w, char *out)
{
	size_t n = 0;
	while (*w) {
		if (*w == '\'') {
			for (w++; *w != '\''; w++) {
				assert_true(*w != '\0');   /* unterminated quote */
				out[n++] = *w;
			}
			w++;
		} else if (*w == '\\') {
			out[n++] = w[1];
			w += 2;
		} else {
			out[n++] = *w++;
		}
	}
	return n;
}

static void test_random_bytes_read_back_exactly(void **state)
{
	(void)state;
	srand(42);
	for (int round = 0; round < 20000; round++) {
		char s[64], back[256];
		size_t len = (size_t)(rand() % 40);
		for (size_t i = 0; i < len; i++)
			s[i] = (char)(1 + rand() % 255);   /* any byte but NUL */
		char *q = quoted(s, len);
		size_t n = sh_read_word(q, back);
		assert_int_equal(n, len);
		assert_memory_equal(back, s, len);
		free(q);
	}
}

static void test_sh_itself_reads_quoted_values_back(void **state)
{
	(void)state;
	static const char *const values[] = {
		"it's", "$(touch /nonexistent/x)", "a\nb", "\\", "`", "\"", "*", "", "\x01\x7f\xff",
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *q = quoted(values[i], strlen(values[i]));
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "printf '%%s' %s", q);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		char got[256];
		size_t n = fread(got, 1, sizeof(got), p);
		assert_int_equal(pclose(p), 0);
		assert_int_equal(n, strlen(values[i]));
		assert_memory_equal(got, values[i], n);
		free(q);
	}
}

static void test_names_are_shell_identifiers(void **state)
{
	(void)state;
	assert_true(shquote_is_name("_", 1));
	assert_true(shquote_is_name("PATH_2", 6));
	assert_false(shquote_is_name("", 0));
	assert_false(shquote_is_name("2X", 2));
	assert_false(shquote_is_name("A-B", 3));
	assert_false(shquote_is_name("f%%", 3));
}

/* JOB written as a new string (caller frees). */
static char *script_of(const struct jobscript *job)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	assert_int_equal(jobscript_write(f, job), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_a_job_is_shown_in_debians_layout(void **state)
{
	(void)state;
	const char *env[] = { "HOME=/home/alice", "MSG=it's $x", "BAD-NAME=1", "EMPTY=" };
	static const char script[] = "echo one\necho two\n";
	struct jobscript job = {
		.user = "alice", .uid = 1000, .gid = 100, .mail = MAIL_ALWAYS, .umask = 027,
		.cwd = "/home/alice/my dir", .env = env, .n_env = 4, .script = script,
		.script_len = sizeof(script) - 1,
	};
	char *s = script_of(&job);
	assert_string_equal(s, "#!/bin/sh\n"
	                       "# atrun uid=1000 gid=100\n"
	                       "# mail alice 1\n"
	                       "umask 27\n"
	                       "HOME=/home/alice; export HOME\n"
	                       "MSG='it'\\''s $x'; export MSG\n"
	                       "EMPTY=''; export EMPTY\n"
	                       "cd '/home/alice/my dir' || {\n"
	                       "\t echo 'Execution directory inaccessible' >&2\n"
	                       "\t exit 1\n"
	                       "}\n"
	                       "echo one\necho two\n\n");   /* Debian's blank line */
	free(s);
}

static void test_mail_flags_and_a_missing_final_newline(void **state)
{
	(void)state;
	struct jobscript job = {
		.user = "bob", .mail = MAIL_NEVER, .umask = 0, .cwd = "/", .script = "true",
		.script_len = 4,
	};
	char *s = script_of(&job);
	assert_string_equal(s, "#!/bin/sh\n# atrun uid=0 gid=0\n# mail bob -1\numask 0\n"
	                       "cd / || {\n\t echo 'Execution directory inaccessible' >&2\n"
	                       "\t exit 1\n}\ntrue\n");
	free(s);
	job.mail = MAIL_DEFAULT;
	job.script_len = 0;
	s = script_of(&job);
	assert_non_null(strstr(s, "# mail bob 0\n"));
	assert_non_null(strstr(s, "exit 1\n}\n\n"));
	assert_int_equal(s[strlen(s) - 3], '}');   /* an empty script: one newline more */
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_words_are_written_bare),
		cmocka_unit_test(test_anything_else_is_single_quoted),
		cmocka_unit_test(test_single_quotes_are_closed_escaped_and_reopened),
		cmocka_unit_test(test_random_bytes_read_back_exactly),
		cmocka_unit_test(test_sh_itself_reads_quoted_values_back),
		cmocka_unit_test(test_names_are_shell_identifiers),
		cmocka_unit_test(test_a_job_is_shown_in_debians_layout),
		cmocka_unit_test(test_mail_flags_and_a_missing_final_newline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
