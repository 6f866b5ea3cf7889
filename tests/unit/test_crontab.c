/* tests/unit/test_crontab.c: whole crontab texts: lines, assignments,
 * commands and '%', system format, every error collected, abuse limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/crontab.h"
#include "lib/cronmail.h"

static void parse_ok(const char *text, enum crontab_format fmt, struct crontab *tab)
{
	struct diag_list d = { 0 };
	int rc = crontab_parse(text, strlen(text), fmt, tab, &d);
	if (rc != 0)
		fail_msg("should parse: %d:%d %s", d.items[0].line, d.items[0].column, d.items[0].msg);
	diag_list_clear(&d);
}

/* Parses TEXT expecting failure; returns the diagnostics (caller clears). */
static struct diag_list parse_bad(const char *text, size_t len, enum crontab_format fmt)
{
	struct crontab tab;
	struct diag_list d = { 0 };
	int rc = crontab_parse(text, len, fmt, &tab, &d);
	assert_int_equal(rc, -1);
	assert_null(tab.entries);
	assert_true(d.errors > 0);
	return d;
}

static void test_lines_comments_blanks_and_crlf_are_understood(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("# comment\r\n\r\n   \t\n  # indented comment\n"
	         "*/5 * * * * /bin/true\r\n"
	         "0 1 * * * /bin/false", CRONTAB_USER, &t);
	assert_int_equal(t.n_entries, 2);
	assert_string_equal(t.entries[0].command, "/bin/true");
	assert_int_equal(t.entries[0].line, 5);
	assert_string_equal(t.entries[1].command, "/bin/false");
	assert_int_equal(t.entries[1].line, 6);
	crontab_free(&t);
}

static void test_assignments_apply_to_the_entries_below_them(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("MAILTO=root\n"
	         "* * * * * a\n"
	         "MAILTO = \"ops@example.com\"\n"
	         "  'QUOTED NAME' = 'single quoted'  \n"
	         "EMPTY=\n"
	         "SPACES =   value with  spaces   \n"
	         "* * * * * b\n", CRONTAB_USER, &t);
	assert_int_equal(t.n_env, 5);
	assert_string_equal(t.env[1].value, "ops@example.com");
	assert_string_equal(t.env[2].name, "QUOTED NAME");
	assert_string_equal(t.env[2].value, "single quoted");
	assert_string_equal(t.env[3].value, "");
	assert_string_equal(t.env[4].value, "value with  spaces");
	assert_string_equal(crontab_getenv(&t, &t.entries[0], "MAILTO"), "root");
	assert_string_equal(crontab_getenv(&t, &t.entries[1], "MAILTO"), "ops@example.com");
	assert_null(crontab_getenv(&t, &t.entries[0], "EMPTY"));
	assert_string_equal(crontab_getenv(&t, &t.entries[1], "EMPTY"), "");
	crontab_free(&t);
}

static void test_percent_ends_the_command_and_becomes_newlines_in_input(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("* * * * * mail -s hi root%line one%line two%\n"
	         "* * * * * date +\\%Y-\\%m-\\%d\n"
	         "* * * * * cat%100\\% sure\n"
	         "* * * * * echo a\\b\n", CRONTAB_USER, &t);
	assert_string_equal(t.entries[0].command, "mail -s hi root");
	assert_string_equal(t.entries[0].input, "line one\nline two\n");
	assert_string_equal(t.entries[1].command, "date +%Y-%m-%d");
	assert_null(t.entries[1].input);
	assert_string_equal(t.entries[2].command, "cat");
	assert_string_equal(t.entries[2].input, "100% sure\n");
	assert_string_equal(t.entries[3].command, "echo a\\b");
	crontab_free(&t);
}

/* What Debian's cron 3.0pl1 feeds a job on stdin (recorded from the real
 * daemon): the input ends with a newline unless it is empty or already does. */
static void test_percent_input_matches_debian_cron(void **state)
{
	(void)state;
	static const struct {
		const char *line;       /* after "* * * * * " */
		const char *command;
		const char *input;      /* NULL: no input at all */
	} cases[] = {
		{ "cat%line1%line2", "cat", "line1\nline2\n" },
		{ "cat%", "cat", "" },
		{ "cat%%", "cat", "\n" },
		{ "cat%line1%", "cat", "line1\n" },
		{ "cat%a\\%b", "cat", "a%b\n" },
		{ "cat%a\\b", "cat", "a\\b\n" },
		{ "cat%x\\", "cat", "x\\\n" },
		{ "cat%x\\\\%y", "cat", "x\\%y\n" },
		{ "cat #x\\\\%in", "cat #x\\", "in\n" },
		/* the command's "\\" is one backslash to the shell, as Debian's
		 * (python3 -c ... 'a\\b' e\\f got a\b and ef there) */
		{ "echo 'a\\\\b' e\\\\f", "echo 'a\\b' e\\f", NULL },
		{ "echo a\\\\\\\\b", "echo a\\\\b", NULL },
		{ "date +\\%s", "date +%s", NULL },
		{ "echo a\\", "echo a\\", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "* * * * * %s\n", cases[i].line);
		struct crontab t;
		parse_ok(text, CRONTAB_USER, &t);
		if (strcmp(t.entries[0].command, cases[i].command) != 0)
			fail_msg("'%s': command '%s', expected '%s'", cases[i].line,
			         t.entries[0].command, cases[i].command);
		const char *in = t.entries[0].input;
		if (cases[i].input ? !in || strcmp(in, cases[i].input) != 0 : in != NULL)
			fail_msg("'%s': input '%s', expected '%s'", cases[i].line, in ? in : "(none)",
			         cases[i].input ? cases[i].input : "(none)");
		crontab_free(&t);
	}
}

static void test_system_format_has_a_user_field(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n"
	         "@reboot\tnobody\t/bin/true\n", CRONTAB_SYSTEM, &t);
	assert_int_equal(t.n_entries, 2);
	assert_string_equal(t.entries[0].user, "root");
	assert_string_equal(t.entries[0].command, "cd / && run-parts --report /etc/cron.hourly");
	assert_string_equal(t.entries[1].user, "nobody");
	assert_true(t.entries[1].sched.flags & SCHED_REBOOT);
	crontab_free(&t);

	struct diag_list d = parse_bad("* * * * *  \n", 12, CRONTAB_SYSTEM);
	assert_string_equal(d.items[0].msg, "missing user name (a system crontab entry has a user "
	                    "field after the time fields)");
	diag_list_clear(&d);
	d = parse_bad("* * * * * root\n", 15, CRONTAB_SYSTEM);
	assert_non_null(strstr(d.items[0].msg, "missing command after the user name"));
	diag_list_clear(&d);
}

/* A command starting with '*' is refused, as Debian's cron refuses it:
 * nearly always a sixth time field, and the shell would run the first
 * file the glob finds. Checked against Debian's crontab(1): "bad command"
 * for each of the refused lines, the last two accepted. */
static void test_a_command_starting_with_a_star_is_refused(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int column;
	} bad[] = {
		{ "0 3 * * * * /usr/bin/backup\n", 11 },
		{ "* * * * * */5 true\n", 11 },
		{ "* * * * *\t*x\n", 11 },
		{ "@daily * true\n", 8 },
		{ "@reboot *\n", 9 },
		{ "0 3 * * * *\n", 11 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct diag_list d = parse_bad(bad[i].text, strlen(bad[i].text), CRONTAB_USER);
		assert_int_equal(d.items[0].line, 1);
		assert_int_equal(d.items[0].column, bad[i].column);
		assert_non_null(strstr(d.items[0].msg, "bad command: it starts with '*'"));
		diag_list_clear(&d);
	}
	struct crontab t;
	parse_ok("0 3 * * * echo *\n0 3 * * * ./*.sh\n", CRONTAB_USER, &t);
	assert_int_equal(t.n_entries, 2);
	assert_string_equal(t.entries[0].command, "echo *");
	crontab_free(&t);
	/* a system crontab: after the user field, and '*' as the user */
	struct diag_list d = parse_bad("* * * * * root *x\n", 18, CRONTAB_SYSTEM);
	assert_int_equal(d.items[0].column, 16);
	assert_non_null(strstr(d.items[0].msg, "bad command"));
	diag_list_clear(&d);
	d = parse_bad("* * * * * * root true\n", 22, CRONTAB_SYSTEM);
	assert_int_equal(d.items[0].column, 11);
	assert_string_equal(d.items[0].msg, "bad user name '*': a sixth time field? (an entry has five)");
	diag_list_clear(&d);
}

/* A crontab already in force (installed before the rule above, or a system
 * file) loses only those entries: a warning each, the others kept, and a
 * note for the daemon's log. */
static void test_a_stored_crontab_skips_a_star_command_and_keeps_the_rest(void **state)
{
	(void)state;
	const char *text = "* * * * * date\n*/5 * * * * * echo six\n0 1 * * * true\n"
	                   "@daily * x\n";
	struct crontab t;
	struct diag_list d = { 0 };
	assert_int_equal(crontab_parse_stored(text, strlen(text), CRONTAB_USER, &t, &d), 0);
	assert_int_equal(t.n_entries, 2);
	assert_string_equal(t.entries[0].command, "date");
	assert_string_equal(t.entries[1].command, "true");
	assert_int_equal(t.n_skipped, 2);
	assert_int_equal(t.skipped[0].line, 2);
	assert_int_equal(t.skipped[1].line, 4);
	assert_string_equal(crontab_skipped_why(&t, 4), "its command starts with '*' (a sixth time field?)");
	assert_null(crontab_skipped_why(&t, 1));
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 2);
	assert_true(d.items[0].warning && d.items[0].line == 2 && d.items[0].column == 13);
	assert_non_null(strstr(d.items[0].msg, "; the entry is skipped"));
	char note[DIAG_MSG_MAX + 64];
	assert_true(crontab_skipped_note(&t, note, sizeof(note)));
	assert_string_equal(note, "2 entries skipped, crontab refuses them (line 2: its command "
	                    "starts with '*' (a sixth time field?))");
	crontab_free(&t);
	diag_list_clear(&d);
	/* nothing skipped: no note */
	assert_int_equal(crontab_parse_stored("* * * * * date\n", 15, CRONTAB_USER, &t, &d), 0);
	assert_false(crontab_skipped_note(&t, note, sizeof(note)));
	crontab_free(&t);
	/* a system file: the user field too; other errors stay errors */
	text = "0 * * * * root echo ok\n*/5 * * * * * root echo six\n";
	assert_int_equal(crontab_parse_stored(text, strlen(text), CRONTAB_SYSTEM, &t, &d), 0);
	assert_int_equal(t.n_entries, 1);
	assert_int_equal(t.n_skipped, 1);
	crontab_free(&t);
	diag_list_clear(&d);
	assert_int_equal(crontab_parse_stored("61 * * * * x\n", 13, CRONTAB_USER, &t, &d), -1);
	diag_list_clear(&d);
	/* another warning on the same line first (root's "-1"): the note still
	 * says why the entry was skipped (the review's case) */
	assert_int_equal(crontab_parse_stored("-1 * * * * *x\n", 14, CRONTAB_ROOT, &t, &d), 0);
	assert_true(d.warnings >= 2);
	assert_true(crontab_skipped_note(&t, note, sizeof(note)));
	assert_non_null(strstr(note, "(line 1: its command starts with '*'"));
	crontab_free(&t);
	diag_list_clear(&d);
}

/* An unknown CRON_TZ is reported at its value's line and column. */
static void test_unknown_cron_tz_names_its_line_and_column(void **state)
{
	(void)state;
	struct crontab tab;
	parse_ok("0 1 * * * a\n  CRON_TZ = \"Nowhere/X\"\n0 2 * * * b\n", CRONTAB_USER, &tab);
	struct diag_list d = { 0 };
	assert_int_equal(crontab_check_zones(&tab, &d), 1);
	assert_int_equal(d.items[0].line, 2);
	assert_int_equal(d.items[0].column, 13);
	assert_string_equal(d.items[0].msg, "CRON_TZ: unknown time zone 'Nowhere/X'");
	diag_list_clear(&d);
	crontab_free(&tab);
}

/* At most CRONTAB_MAX_ZONES different CRON_TZ values in one crontab (each
 * is a zone crond keeps loaded); one named again does not count twice. */
static void test_different_zones_are_bounded(void **state)
{
	(void)state;
	char text[8192];
	size_t n = 0;
	for (int i = 0; i <= CRONTAB_MAX_ZONES; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "CRON_TZ=<ZZ%d>%d\n0 1 * * * a\n", i,
		                      i % 24);
		if (i < CRONTAB_MAX_ZONES)   /* repeats of earlier ones are free */
			n += (size_t)snprintf(text + n, sizeof(text) - n, "CRON_TZ=<ZZ0>0\n0 2 * * * b\n");
	}
	struct crontab tab;
	parse_ok(text, CRONTAB_USER, &tab);
	struct diag_list d = { 0 };
	assert_int_equal(crontab_check_zones(&tab, &d), 1);
	assert_int_equal(d.items[0].line, 4 * CRONTAB_MAX_ZONES + 1);
	assert_int_equal(d.items[0].column, 9);
	assert_string_equal(d.items[0].msg, "CRON_TZ: more than 32 different zones in one crontab");
	diag_list_clear(&d);
	crontab_free(&tab);
	parse_ok("CRON_TZ=<ZZ1>1\n0 1 * * * a\nCRON_TZ=<ZZ1>1\n0 2 * * * b\n", CRONTAB_USER, &tab);
	assert_int_equal(crontab_check_zones(&tab, &d), 0);
	crontab_free(&tab);
}

/* An entry that never runs in its zone (every time it names is skipped
 * there) is warned of at its line; a fixed time in the gap runs when the
 * gap ends, and entries in the daemon's zone are not looked at. */
static void test_entries_that_never_run_in_their_zone_are_warned_of(void **state)
{
	(void)state;
	struct crontab tab;
	parse_ok("CRON_TZ=AAA+24BBB-24,J59/0,J300/0\n* * 29 2 * never\n0 0 29 2 * gapend\n"
	         "* * * * * fine\nCRON_TZ=\n* * 29 2 * local\n", CRONTAB_USER, &tab);
	struct diag_list d = { 0 };
	assert_int_equal(crontab_check_zones(&tab, &d), 0);
	assert_int_equal(crontab_check_never(&tab, 1767225600, &d), 1);
	assert_int_equal(d.count, 1);
	assert_true(d.items[0].warning);
	assert_int_equal(d.items[0].line, 2);
	assert_string_equal(d.items[0].msg, "this entry never runs in CRON_TZ=AAA+24BBB-24,J59/0,"
	                                     "J300/0: every time it names falls in a skipped hour there");
	diag_list_clear(&d);
	crontab_free(&tab);
}

/* Many options blocks naming two zones in turn (every assignment starts
 * a block; the zones are loaded once per name): each entry is judged in
 * its own block's zone. */
static void test_never_warnings_follow_each_entrys_zone_across_blocks(void **state)
{
	(void)state;
	enum { BLOCKS = 500 };   /* 1,000 assignments: the most a crontab has */
	size_t cap = (size_t)BLOCKS * 80, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (int i = 0; i < BLOCKS; i++)
		len += (size_t)snprintf(text + len, cap - len, "CRON_TZ=%s\nMAILTO=u%d\n* * 29 2 * e%d\n",
		                        i % 2 ? "UTC" : "AAA+24BBB-24,J59/0,J300/0", i, i);
	struct crontab tab;
	parse_ok(text, CRONTAB_USER, &tab);
	struct diag_list d = { 0 };
	assert_int_equal(crontab_check_zones(&tab, &d), 0);
	/* Feb 29 falls in the first zone's gap and exists in UTC */
	assert_int_equal(crontab_check_never(&tab, 1767225600, &d), BLOCKS / 2);
	for (size_t k = 0; k < d.count; k++)
		assert_int_equal(d.items[k].line, 6 * (int)k + 3);
	diag_list_clear(&d);
	crontab_free(&tab);
	free(text);
}

static void test_extensions_are_resolved_per_entry(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("* * * * * plain\n"
	         "CRON_TZ=America/New_York\nRANDOM_DELAY=5\nCRON_TIMEOUT=90s\n"
	         "CRON_OVERLAP=skip\nCRON_CATCHUP=yes\n"
	         "* * * * * extended\n"
	         "CRON_TZ=\nCRON_TIMEOUT=2h\nCRON_OVERLAP=allow\nCRON_MAIL=failure\n"
	         "* * * * * back\n", CRONTAB_USER, &t);
	const struct crontab_options *a = &t.options[t.entries[0].options];
	const struct crontab_options *b = &t.options[t.entries[1].options];
	const struct crontab_options *c = &t.options[t.entries[2].options];
	assert_null(a->tz);
	assert_int_equal(a->timeout, 0);
	assert_false(a->overlap_skip);
	assert_string_equal(b->tz, "America/New_York");
	assert_int_equal(b->random_delay, 5);
	assert_int_equal(b->timeout, 90);
	assert_true(b->overlap_skip);
	assert_true(b->catchup);
	assert_null(c->tz);
	assert_int_equal(c->timeout, 7200);
	assert_false(c->overlap_skip);
	assert_true(c->catchup);
	assert_int_equal(a->mail, CRON_MAIL_UNSET);
	assert_int_equal(b->mail, CRON_MAIL_UNSET);
	assert_int_equal(c->mail, CRON_MAIL_FAILURE);
	crontab_free(&t);
}

static void test_cron_nodes_all_applies_to_the_entries_below_until_one(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("* * * * * shared\n"
	         "CRON_NODES=all\n* * * * * everywhere\n@daily also everywhere\n"
	         "CRON_NODES=one\n* * * * * shared again\n", CRONTAB_USER, &t);
	assert_int_equal(t.n_entries, 4);
	bool want[] = { false, true, true, false };
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(t.options[t.entries[i].options].all_nodes, want[i]);
	crontab_free(&t);
}

struct bad_case {
	const char *text;
	int line, column;
	const char *message;
};

static void test_every_invalid_line_is_reported_with_its_place(void **state)
{
	(void)state;
	const struct bad_case cases[] = {
		{ "0 25 * * * cmd\n", 1, 3, "hour 25 is out of range 0-23" },
		{ "* * * * *\n", 1, 10, "missing command" },
		{ "* * * * * %only input\n", 1, 11, "missing command" },
		{ "hello world\n", 1, 1, "expected an entry" },
		{ "FOO=\"unterminated\n", 1, 5, "unterminated double quote" },
		{ "FOO='a' b\n", 1, 9, "unexpected text after the closing quote" },
		{ "=value\n", 1, 1, "empty variable name" },
		{ "'A=B'=c\n", 1, 1, "a variable name cannot contain '='" },
		{ "RANDOM_DELAY=ten\n", 1, 14, "RANDOM_DELAY must be a whole number" },
		{ "RANDOM_DELAY=1441\n", 1, 14, "RANDOM_DELAY" },
		{ "CRON_TIMEOUT=5x\n", 1, 14, "CRON_TIMEOUT must be a duration" },
		{ "CRON_TIMEOUT=8d\n", 1, 14, "CRON_TIMEOUT" },
		{ "CRON_OVERLAP=maybe\n", 1, 14, "CRON_OVERLAP must be 'allow' or 'skip'" },
		{ "CRON_CATCHUP=1\n", 1, 14, "CRON_CATCHUP must be 'yes' or 'no'" },
		{ "* * * * * x\nCRON_NODES=some\n", 2, 12,
		  "CRON_NODES must be 'one' or 'all', not 'some'" },
		{ "CRON_NODES=\n", 1, 12, "CRON_NODES must be 'one' or 'all', not ''" },
		{ "CRON_MAIL=errors\n", 1, 11,
		  "CRON_MAIL must be 'always', 'failure' or 'never', not 'errors'" },
		{ "CRON_TZ=New York\n", 1, 9, "CRON_TZ value contains a blank" },
		{ "\n\n  @HOURLY x\n", 3, 3, "@-keywords are lower case" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct diag_list d = parse_bad(c->text, strlen(c->text), CRONTAB_USER);
		const struct diag *g = &d.items[0];
		if (g->line != c->line || g->column != c->column || !strstr(g->msg, c->message))
			fail_msg("case %zu: expected %d:%d '%s', got %d:%d '%s'", i, c->line, c->column,
			         c->message, g->line, g->column, g->msg);
		diag_list_clear(&d);
	}
}

static void test_all_errors_are_collected_not_just_the_first(void **state)
{
	(void)state;
	const char *text = "* * * * * ok\n61 * * * * a\nbad line\n* * * * * ok\n* * * * 9 b\n";
	struct diag_list d = parse_bad(text, strlen(text), CRONTAB_USER);
	assert_int_equal(d.errors, 3);
	assert_int_equal(d.items[0].line, 2);
	assert_int_equal(d.items[1].line, 3);
	assert_int_equal(d.items[2].line, 5);
	char buf[512];
	diag_format(&d.items[0], "mytab", buf, sizeof(buf));
	assert_string_equal(buf, "mytab:2:1: minute 61 is out of range 0-59");
	diag_list_clear(&d);
}

static void test_binary_input_is_refused(void **state)
{
	(void)state;
	const char text[] = "* * * * * a\n\x7f" "ELF\0\x01\x02\n";
	struct diag_list d = parse_bad(text, sizeof(text) - 1, CRONTAB_USER);
	assert_int_equal(d.items[0].line, 2);
	assert_non_null(strstr(d.items[0].msg, "NUL byte"));
	diag_list_clear(&d);
}

static char *repeat_lines(const char *line, size_t n, size_t *len)
{
	size_t l = strlen(line);
	char *s = malloc(l * n + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * l, line, l);
	s[l * n] = '\0';
	*len = l * n;
	return s;
}

static void test_limits_refuse_the_whole_crontab(void **state)
{
	(void)state;
	size_t len;
	struct crontab t;
	/* exactly at the limits: fine */
	char *s = repeat_lines("* * * * * x\n", CRONTAB_MAX_ENTRIES, &len);
	parse_ok(s, CRONTAB_USER, &t);
	assert_int_equal(t.n_entries, CRONTAB_MAX_ENTRIES);
	crontab_free(&t);
	free(s);
	/* one more entry */
	s = repeat_lines("* * * * * x\n", CRONTAB_MAX_ENTRIES + 1, &len);
	struct diag_list d = parse_bad(s, len, CRONTAB_USER);
	assert_non_null(strstr(d.items[0].msg, "more than 10000 entries"));
	assert_int_equal(d.items[0].line, CRONTAB_MAX_ENTRIES + 1);
	diag_list_clear(&d);
	free(s);
	/* assignments */
	s = repeat_lines("A=b\n", CRONTAB_MAX_ENV + 1, &len);
	d = parse_bad(s, len, CRONTAB_USER);
	assert_non_null(strstr(d.items[0].msg, "more than 1000 assignments"));
	diag_list_clear(&d);
	free(s);
	/* a long line */
	s = malloc(CRONTAB_MAX_LINE + 20);
	memcpy(s, "* * * * * ", 10);
	memset(s + 10, 'x', CRONTAB_MAX_LINE + 1 - 10);
	d = parse_bad(s, CRONTAB_MAX_LINE + 1, CRONTAB_USER);
	assert_non_null(strstr(d.items[0].msg, "over the limit of 8192"));
	diag_list_clear(&d);
	s[CRONTAB_MAX_LINE] = '\n';
	parse_ok((s[CRONTAB_MAX_LINE + 1] = '\0', s), CRONTAB_USER, &t);
	crontab_free(&t);
	/* a comment of any length is a comment (Debian's cron reads it so) */
	memset(s, 'x', CRONTAB_MAX_LINE + 1);
	memcpy(s, "  # ", 4);
	s[CRONTAB_MAX_LINE + 1] = '\n';
	char *tab = malloc(CRONTAB_MAX_LINE + 64);
	memcpy(tab, s, CRONTAB_MAX_LINE + 2);
	strcpy(tab + CRONTAB_MAX_LINE + 2, "0 1 * * * true\n");
	parse_ok(tab, CRONTAB_USER, &t);
	assert_int_equal(t.n_entries, 1);
	crontab_free(&t);
	free(tab);
	free(s);
	/* the whole text */
	s = repeat_lines("# padding padding padding padding padding padding padding\n",
	                 CRONTAB_MAX_BYTES / 10, &len);
	d = parse_bad(s, len, CRONTAB_USER);
	assert_int_equal(d.count, 1);
	assert_non_null(strstr(d.items[0].msg, "over the limit of 1048576 bytes"));
	diag_list_clear(&d);
	free(s);
}

static void test_entry_that_can_never_run_is_a_warning(void **state)
{
	(void)state;
	struct crontab t;
	struct diag_list d = { 0 };
	const char *text = "0 0 30 2 * never\n";
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_USER, &t, &d), 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1);
	assert_true(d.items[0].warning);
	assert_non_null(strstr(d.items[0].msg, "can never run"));
	assert_int_equal(t.n_entries, 1);
	crontab_free(&t);
	diag_list_clear(&d);
}

/* fri-sun runs Friday to Sunday here, never in Debian's cron: a warning on
 * its line; fri-7 says the same to both and gets none. */
static void test_day_of_week_range_to_sunday_is_a_warning(void **state)
{
	(void)state;
	struct crontab t;
	struct diag_list d = { 0 };
	const char *text = "0 1 * * fri-sun weekend\n0 1 * * fri-7 weekend\n0 1 * * 5-0 x\n";
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_USER, &t, &d), 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 2);
	assert_int_equal(d.items[0].line, 1);
	assert_int_equal(d.items[1].line, 3);
	assert_non_null(strstr(d.items[0].msg, "never in Debian's cron"));
	assert_int_equal(t.n_entries, 3);
	crontab_free(&t);
	diag_list_clear(&d);
}

/* Root's "-1 4 * * *" is cronie's unlogged minute 1, not minute -1: said. */
static void test_no_log_dash_before_a_number_is_a_warning(void **state)
{
	(void)state;
	struct crontab t;
	struct diag_list d = { 0 };
	const char *text = "-1 4 * * * typo\n-*/5 * * * * quiet\n";
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_ROOT, &t, &d), 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(d.items[0].line, 1);
	assert_non_null(strstr(d.items[0].msg, "not a negative minute"));
	assert_true(t.entries[0].no_log && t.entries[1].no_log);
	crontab_free(&t);
	diag_list_clear(&d);
}

/* cronie's "-n" (mail a run only when it fails) before the command, in
 * both formats, with the '-' that turns off logging; twice, or with no
 * command after it, is an error; any other leading '-' is kept, warned of
 * (the shell refuses it at every run). */
static void test_cronie_n_option_mails_only_failures(void **state)
{
	(void)state;
	struct crontab t;
	struct diag_list d = { 0 };
	const char *text = "* * * * * -n backup --all\n"
	                   "-0 3 * * *\t-n\t report\n"
	                   "* * * * * -nope\n"
	                   "* * * * * plain -n\n";
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_ROOT, &t, &d), 0);
	assert_int_equal(t.n_entries, 4);
	assert_true(t.entries[0].mail_failure_only);
	assert_string_equal(t.entries[0].command, "backup --all");
	assert_true(t.entries[1].mail_failure_only && t.entries[1].no_log);
	assert_string_equal(t.entries[1].command, "report");
	assert_false(t.entries[2].mail_failure_only);
	assert_string_equal(t.entries[2].command, "-nope");
	assert_false(t.entries[3].mail_failure_only);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(d.items[0].line, 3);
	assert_int_equal(d.items[0].column, 11);
	assert_non_null(strstr(d.items[0].msg, "takes '-nope' for its options"));
	crontab_free(&t);
	diag_list_clear(&d);

	parse_ok("@daily alice -n /usr/local/bin/sync\n", CRONTAB_SYSTEM, &t);
	assert_true(t.entries[0].mail_failure_only);
	assert_string_equal(t.entries[0].user, "alice");
	assert_string_equal(t.entries[0].command, "/usr/local/bin/sync");
	crontab_free(&t);

	d = parse_bad("* * * * * -n -n x\n", 18, CRONTAB_USER);
	assert_int_equal(d.items[0].column, 14);
	assert_non_null(strstr(d.items[0].msg, "-n given twice"));
	diag_list_clear(&d);
	d = parse_bad("* * * * * -n   %in\n", 19, CRONTAB_USER);
	assert_int_equal(d.items[0].column, 16);
	assert_string_equal(d.items[0].msg, "missing command after the -n");
	diag_list_clear(&d);
}

/* Equal entries are told apart by their twin number, in line order: two
 * lines that differ only in the assignments above them, or not at all,
 * are each an entry of their own (Debian's cron runs both). */
static void test_equal_entries_are_numbered_as_twins(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("* * * * * backup\n"
	         "MAILTO=ops\n"
	         "* * * * * backup\n"
	         "*/1 * * * * backup\n"        /* the same schedule, written otherwise */
	         "0 * * * * backup\n"
	         "* * * * * backup %input\n"
	         "* * * * * backup\n",
	         CRONTAB_USER, &t);
	assert_int_equal(t.n_entries, 6);
	uint32_t want[] = { 0, 1, 2, 0, 0, 3 };
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(t.entries[i].twin, want[i]);
	assert_true(crontab_entry_identity(&t.entries[0]) ==
	            crontab_entry_identity(&t.entries[1]));
	assert_true(crontab_entry_identity(&t.entries[0]) !=
	            crontab_entry_identity(&t.entries[3]));
	assert_true(crontab_entry_identity(&t.entries[0]) !=
	            crontab_entry_identity(&t.entries[4]));
	crontab_free(&t);
}

/* 600 entries (a table of 2,048 slots) whose commands all fall in one
 * bucket of the fast hash, written so: the twins are counted with the
 * keyed hash instead of 600 * 600 / 2 comparisons, and counted right. */
static void test_entries_written_to_collide_are_counted_with_a_keyed_hash(void **state)
{
	(void)state;
	struct crontab one;
	parse_ok("* * * * * c0\n", CRONTAB_USER, &one);
	struct crontab_entry probe = one.entries[0];
	enum { N = 600 };
	static char cmds[N][16];
	uint32_t bucket = crontab_twin_hash(&probe) & 2047;
	size_t found = 0;
	for (unsigned long i = 1; found < N; i++) {
		char cmd[16];
		snprintf(cmd, sizeof(cmd), "c%lu", i);
		probe.command = cmd;
		if ((crontab_twin_hash(&probe) & 2047) == bucket)
			memcpy(cmds[found++], cmd, sizeof(cmd));
	}
	crontab_free(&one);
	static char text[N * 32];
	size_t len = 0;
	for (size_t i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "* * * * * %s\n", cmds[i]);
	for (size_t i = 0; i < N; i += 10)   /* every tenth line again */
		len += (size_t)snprintf(text + len, sizeof(text) - len, "* * * * * %s\n", cmds[i]);
	struct crontab t;
	parse_ok(text, CRONTAB_USER, &t);
	assert_int_equal(t.n_entries, N + N / 10);
	assert_true(t.twins_keyed);
	for (size_t i = 0; i < t.n_entries; i++)
		assert_int_equal(t.entries[i].twin, i < N ? 0 : 1);
	crontab_free(&t);
	parse_ok("* * * * * a\n* * * * * b\n* * * * * a\n", CRONTAB_USER, &t);
	assert_false(t.twins_keyed);
	assert_int_equal(t.entries[2].twin, 1);
	crontab_free(&t);
}

static void test_mail_address_crond_would_refuse_is_a_warning_with_its_place(void **state)
{
	(void)state;
	struct crontab t;
	struct diag_list d = { 0 };
	const char *text = "MAILTO=-oQ/tmp/x\n"                 /* a sendmail option */
	                   "MAILTO=alice, -X/tmp/log\n"         /* one of a list */
	                   "MAILTO=\"\"\n"                       /* no mail: fine */
	                   "MAILTO=alice, bob@example.com\n"    /* fine */
	                   "MAILFROM=a@example.com,b\n"         /* one sender only */
	                   "MAILFROM=\n"                        /* empty sender */
	                   "MAILTO=alice bob\n"                 /* a blank, no comma */
	                   "MAILFROM=Backup Bot <bot@example.com>\n"   /* a name: fine */
	                   "* * * * * true\n";
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_USER, &t, &d), 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 5);
	int lines[] = { 1, 2, 5, 6, 7 };
	const char *says[] = { "address '-oQ/tmp/x' starts with '-'",
	                       "address '-X/tmp/log' starts with '-'",
	                       "a single sender, not a list", "MAILFROM is empty",
	                       "address 'alice bob' holds a blank (separate addresses with commas)" };
	for (int i = 0; i < 5; i++) {
		assert_true(d.items[i].warning);
		assert_int_equal(d.items[i].line, lines[i]);
		assert_non_null(strstr(d.items[i].msg, says[i]));
		/* A bad sender gives the default one, as Debian's cron does. */
		assert_non_null(strstr(d.items[i].msg, i == 2 || i == 3 ?
		                       "crond will mail the output of the entries below from "
		                       "root (Cron Daemon)" : "crond will not mail"));
	}
	assert_int_equal(d.items[0].column, 8);
	assert_int_equal(d.items[2].column, 10);
	assert_int_equal(t.n_entries, 1);                     /* still installed */
	crontab_free(&t);
	diag_list_clear(&d);
}

static void test_control_character_in_a_command_is_a_warning_with_its_place(void **state)
{
	(void)state;
	struct crontab t;
	struct diag_list d = { 0 };
	const char *text = "* * * * * echo \x1b[2J\n"
	                   "* * * * * printf 'a\tb' caf\xe9\n"     /* tab, Latin-1: fine */
	                   "@daily echo \xc2\x9b" "1m \x07\n";
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_USER, &t, &d), 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 2);
	assert_int_equal(d.items[0].line, 1);
	assert_int_equal(d.items[0].column, 16);
	assert_non_null(strstr(d.items[0].msg, "control character \\e"));
	assert_int_equal(d.items[1].line, 3);
	assert_int_equal(d.items[1].column, 13);
	assert_non_null(strstr(d.items[1].msg, "\\u009b"));
	assert_int_equal(t.n_entries, 3);
	assert_string_equal(t.entries[0].command, "echo \x1b[2J");   /* kept as written */
	crontab_free(&t);
	diag_list_clear(&d);
}

/* Every byte value at every place of the first 24 bytes of a command: the
 * warning comes exactly for a control (C0 but tab, DEL, a lone C1 byte),
 * at its column, whichever of the eight-byte groups it falls in. */
static void test_control_check_sees_every_byte_at_every_place(void **state)
{
	(void)state;
	for (int b = 1; b < 256; b++) {
		if (b == '\n' || b == '%')   /* a line's end; the command's end */
			continue;
		bool control = (b < 0x20 && b != '\t') || (b >= 0x7F && b < 0xA0);
		for (int at = 0; at < 24; at++) {
			if ((b == '*' || b == '-') && at == 0)   /* refused: a sixth time field?;
			                                          * warned of: a shell option */
				continue;
			char text[64];
			snprintf(text, sizeof(text), "* * * * * %s\n", "echo abcdefghijklmnopqrstuvwxyz");
			text[10 + at] = (char)b;
			struct crontab t;
			struct diag_list d = { 0 };
			if (crontab_parse(text, strlen(text), CRONTAB_USER, &t, &d) != 0)
				fail_msg("byte %#x at %d: refused", b, at);
			bool warned = d.warnings == 1 && d.items[0].column == 11 + at;
			if (warned != control || d.warnings > 1)
				fail_msg("byte %#x at %d: %d warnings (column %d)", b, at, (int)d.warnings,
				         d.warnings ? d.items[0].column : 0);
			crontab_free(&t);
			diag_list_clear(&d);
		}
	}
}

static void test_missing_final_newline_and_empty_text_are_fine(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("", CRONTAB_USER, &t);
	assert_int_equal(t.n_entries, 0);
	crontab_free(&t);
	parse_ok("* * * * * last line without newline", CRONTAB_USER, &t);
	assert_string_equal(t.entries[0].command, "last line without newline");
	crontab_free(&t);
}

static void test_leading_dash_turns_off_logging_only_for_root_and_system(void **state)
{
	(void)state;
	struct crontab t;
	parse_ok("-*/5 * * * * quiet\n  -0 3 * * * also quiet\n-@daily daily\n* * * * * loud\n",
	         CRONTAB_ROOT, &t);
	assert_int_equal(t.n_entries, 4);
	assert_true(t.entries[0].no_log);
	uint64_t every5 = 0;
	for (int m = 0; m < 60; m += 5)
		every5 |= UINT64_C(1) << m;
	assert_true(t.entries[0].sched.minutes == every5);
	assert_string_equal(t.entries[0].command, "quiet");
	assert_true(t.entries[1].no_log);
	assert_int_equal(t.entries[1].sched.hours, 1u << 3);
	assert_true(t.entries[2].no_log);
	assert_false(t.entries[3].no_log);
	crontab_free(&t);
	/* Vixie cron reads -5 as "minute 5, not logged" */
	parse_ok("-5 * * * * root five\n", CRONTAB_SYSTEM, &t);
	assert_true(t.entries[0].no_log);
	assert_int_equal(t.entries[0].sched.minutes, 1u << 5);
	assert_string_equal(t.entries[0].user, "root");
	crontab_free(&t);

	struct diag_list d = parse_bad("* * * * * ok\n -*/5 * * * * hidden\n", 33, CRONTAB_USER);
	assert_int_equal(d.items[0].line, 2);
	assert_int_equal(d.items[0].column, 2);
	assert_string_equal(d.items[0].msg,
	                    "a leading '-' (do not log this entry's runs) is allowed only in "
	                    "root's crontab and the system crontabs: it would hide the runs from "
	                    "the administrator");
	diag_list_clear(&d);
	d = parse_bad("- * * * * * x\n", 14, CRONTAB_ROOT);
	assert_int_equal(d.items[0].column, 2);
	assert_non_null(strstr(d.items[0].msg, "followed directly by the first time field"));
	diag_list_clear(&d);
	d = parse_bad("--5 * * * * x\n", 14, CRONTAB_ROOT);
	assert_int_equal(d.items[0].column, 2);
	assert_non_null(strstr(d.items[0].msg, "negative numbers are not allowed"));
	diag_list_clear(&d);
	d = parse_bad("-61 * * * * x\n", 14, CRONTAB_SYSTEM);
	assert_int_equal(d.items[0].column, 2);
	assert_non_null(strstr(d.items[0].msg, "minute 61 is out of range"));
	diag_list_clear(&d);
	assert_int_equal(crontab_user_format(0), CRONTAB_ROOT);
	assert_int_equal(crontab_user_format(1000), CRONTAB_USER);
}

static void test_tilde_picks_depend_on_the_seed_and_the_line_only(void **state)
{
	(void)state;
	struct crontab a, b;
	const char *text = "# picks\nFOO=1\n~ 3 * * * job\n0~59/20 * * * * other\n";
	parse_ok(text, CRONTAB_USER, &a);
	parse_ok("~ 3 * * * job\n", CRONTAB_USER, &b);
	assert_int_equal(a.entries[0].sched.minutes, 0);   /* not picked by the parser */
	crontab_resolve_random(&a, 42);
	crontab_resolve_random(&b, 42);
	/* the same line under the same seed: the same pick, wherever it stands */
	assert_true(a.entries[0].sched.minutes == b.entries[0].sched.minutes);
	assert_int_equal(__builtin_popcountll(a.entries[0].sched.minutes), 1);
	assert_int_equal(__builtin_popcountll(a.entries[1].sched.minutes), 3);
	crontab_free(&a);
	crontab_free(&b);
	/* other commands, or other seeds, pick other minutes */
	int differ_cmd = 0, differ_seed = 0;
	uint64_t first = 0;
	for (int i = 0; i < 20; i++) {
		char line[64];
		snprintf(line, sizeof(line), "~ 3 * * * job %d\n", i);
		parse_ok(line, CRONTAB_USER, &a);
		parse_ok("~ 3 * * * job\n", CRONTAB_USER, &b);
		crontab_resolve_random(&a, 42);
		crontab_resolve_random(&b, 43 + (uint64_t)i);
		if (i == 0)
			first = a.entries[0].sched.minutes;
		differ_cmd += a.entries[0].sched.minutes != first;
		differ_seed += b.entries[0].sched.minutes != first;
		crontab_free(&a);
		crontab_free(&b);
	}
	assert_true(differ_cmd >= 10 && differ_seed >= 10);
	/* the seed is a keyed hash of the crontab's name */
	uint8_t secret[CRONTAB_SECRET_LEN] = { 1, 2, 3 };
	assert_true(crontab_random_seed(secret, "user:alice") !=
	            crontab_random_seed(secret, "user:bob"));
	assert_true(crontab_random_seed(secret, "user:alice") ==
	            crontab_random_seed(secret, "user:alice"));
	secret[15] = 1;
	assert_true(crontab_random_seed(secret, "user:alice") !=
	            crontab_random_seed((uint8_t[CRONTAB_SECRET_LEN]){ 1, 2, 3 }, "user:alice"));
}

static void test_tilde_entry_warns_only_when_no_pick_can_run(void **state)
{
	(void)state;
	struct crontab t;
	struct diag_list d = { 0 };
	const char *text = "0 0 30~31 2 * never\n0 0 28~31 2 * maybe\n* * * * ~ FOO=x cmd\n";
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_USER, &t, &d), 0);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(d.items[0].line, 1);
	assert_int_equal(t.n_entries, 3);
	assert_string_equal(t.entries[2].command, "FOO=x cmd");
	crontab_free(&t);
	diag_list_clear(&d);
	parse_ok("~ * * * * x\n~5 * * * * y\n", CRONTAB_USER, &t);   /* lines may start with ~ */
	assert_int_equal(t.n_entries, 2);
	crontab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_comments_blanks_and_crlf_are_understood),
		cmocka_unit_test(test_assignments_apply_to_the_entries_below_them),
		cmocka_unit_test(test_percent_ends_the_command_and_becomes_newlines_in_input),
		cmocka_unit_test(test_percent_input_matches_debian_cron),
		cmocka_unit_test(test_system_format_has_a_user_field),
		cmocka_unit_test(test_a_command_starting_with_a_star_is_refused),
		cmocka_unit_test(test_a_stored_crontab_skips_a_star_command_and_keeps_the_rest),
		cmocka_unit_test(test_unknown_cron_tz_names_its_line_and_column),
		cmocka_unit_test(test_different_zones_are_bounded),
		cmocka_unit_test(test_entries_that_never_run_in_their_zone_are_warned_of),
		cmocka_unit_test(test_never_warnings_follow_each_entrys_zone_across_blocks),
		cmocka_unit_test(test_extensions_are_resolved_per_entry),
		cmocka_unit_test(test_every_invalid_line_is_reported_with_its_place),
		cmocka_unit_test(test_all_errors_are_collected_not_just_the_first),
		cmocka_unit_test(test_binary_input_is_refused),
		cmocka_unit_test(test_limits_refuse_the_whole_crontab),
		cmocka_unit_test(test_entry_that_can_never_run_is_a_warning),
		cmocka_unit_test(test_day_of_week_range_to_sunday_is_a_warning),
		cmocka_unit_test(test_no_log_dash_before_a_number_is_a_warning),
		cmocka_unit_test(test_control_character_in_a_command_is_a_warning_with_its_place),
		cmocka_unit_test(test_mail_address_crond_would_refuse_is_a_warning_with_its_place),
		cmocka_unit_test(test_control_check_sees_every_byte_at_every_place),
		cmocka_unit_test(test_missing_final_newline_and_empty_text_are_fine),
		cmocka_unit_test(test_cron_nodes_all_applies_to_the_entries_below_until_one),
		cmocka_unit_test(test_leading_dash_turns_off_logging_only_for_root_and_system),
		cmocka_unit_test(test_cronie_n_option_mails_only_failures),
		cmocka_unit_test(test_equal_entries_are_numbered_as_twins),
		cmocka_unit_test(test_entries_written_to_collide_are_counted_with_a_keyed_hash),
		cmocka_unit_test(test_tilde_picks_depend_on_the_seed_and_the_line_only),
		cmocka_unit_test(test_tilde_entry_warns_only_when_no_pick_can_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
