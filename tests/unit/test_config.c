/* tests/unit/test_config.c: crond.conf: defaults, keys, comments, errors
 * with line numbers, and which file is read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/config.h"
#include "lib/cronmail.h"

static void test_defaults_are_the_documented_paths_and_limits(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	assert_string_equal(c.pidfile, "/var/run/crond.pid");
	assert_string_equal(c.socket, "/run/crond.sock");
	assert_string_equal(c.spool, "/var/spool/cron/crond.db");
	assert_string_equal(c.system_crontab, "/etc/crontab");
	assert_string_equal(c.system_crontab_dir, "/etc/cron.d");
	assert_string_equal(c.sendmail, "/usr/sbin/sendmail");
	assert_string_equal(c.path, "/usr/bin:/bin");
	assert_int_equal(c.max_jobs, 256);
	assert_int_equal(c.max_jobs_per_user, 0);     /* auto */
	assert_int_equal(c.reserved_jobs, 0);         /* auto */
	assert_int_equal(c.max_waiting_per_user, 1000);
	assert_int_equal(c.max_waiting, 10000);
	assert_int_equal(c.log, CONFIG_LOG_DEFAULT);
	assert_int_equal(c.cron_mail, CRON_MAIL_ALWAYS);
}

static void test_fairness_keys(void **state)
{
	(void)state;
	const char *text = "max_jobs_per_user = 3\nreserved_jobs = 2\n"
	                   "max_waiting_per_user = 50\nmax_waiting = 500\n";
	struct config c;
	config_defaults(&c);
	struct diag_list d = { 0 };
	assert_int_equal(config_parse(text, strlen(text), &c, &d), 0);
	assert_int_equal(c.max_jobs_per_user, 3);
	assert_int_equal(c.reserved_jobs, 2);
	assert_int_equal(c.max_waiting_per_user, 50);
	assert_int_equal(c.max_waiting, 500);
	diag_list_clear(&d);
}

/* The bounds against hostile users (crond(8), "Limits"). */
static void test_per_user_limits_have_documented_defaults_and_bounds(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	assert_int_equal(c.max_conns_per_user, 16);
	assert_int_equal(c.max_reply_bytes, 32 * 1024 * 1024);
	assert_int_equal(c.at_jobs_per_user, 1000);
	assert_int_equal(c.at_bytes_per_user, 16 * 1024 * 1024);
	assert_int_equal(c.crontab_max_bytes, 256 * 1024);
	const char *text = "max_conns_per_user = 4\nmax_reply_bytes = 1048576\n"
	                   "at_jobs_per_user = 3\nat_bytes_per_user = 4294967295\n"
	                   "crontab_max_bytes = 1048576\n";
	struct diag_list d = { 0 };
	assert_int_equal(config_parse(text, strlen(text), &c, &d), 0);
	assert_int_equal(c.max_conns_per_user, 4);
	assert_int_equal(c.max_reply_bytes, 1048576);
	assert_int_equal(c.at_jobs_per_user, 3);
	assert_int_equal(c.at_bytes_per_user, 4294967295u);
	assert_int_equal(c.crontab_max_bytes, 1048576);
	const char *bad[] = {
		"max_conns_per_user = 0\n", "max_conns_per_user = 257\n",
		"max_reply_bytes = 1000\n", "at_jobs_per_user = 0\n",
		"at_bytes_per_user = 4294967296\n", "crontab_max_bytes = 1048577\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(config_parse(bad[i], strlen(bad[i]), &c, &d), -1);
		assert_non_null(strstr(d.items[d.count - 1].msg, "must be a whole number from"));
	}
	diag_list_clear(&d);
}

static void test_pam_keys_default_off_and_service_is_a_plain_name(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	assert_false(c.pam);
	assert_string_equal(c.pam_service, "crond");
	assert_string_equal(c.session_helper, CONFIG_SESSION_HELPER);
	const char *text = "pam = yes\npam_service = cron.test-1\nsession_helper = /x/helper\n";
	struct diag_list d = { 0 };
	assert_int_equal(config_parse(text, strlen(text), &c, &d), 0);
	assert_true(c.pam);
	assert_string_equal(c.pam_service, "cron.test-1");
	assert_string_equal(c.session_helper, "/x/helper");
	static const char *const bad[] = {
		"pam = 1\n", "pam = YES\n", "pam =\n", "pam_service = ../shadow\n",
		"pam_service = .hidden\n", "pam_service = a/b\n", "pam_service =\n",
		"pam_service = a b\n", "session_helper = relative\n",
		"pam_service = 0123456789012345678901234567890123456789012345678901234567890123\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config b;
		config_defaults(&b);
		assert_int_equal(config_parse(bad[i], strlen(bad[i]), &b, &d), -1);
		assert_false(b.pam);
		assert_string_equal(b.pam_service, "crond");
	}
	assert_non_null(strstr(d.items[0].msg, "pam must be yes or no, not '1'"));
	assert_non_null(strstr(d.items[3].msg, "pam_service must be a name of letters"));
	diag_list_clear(&d);
}

static void test_cluster_keys_default_and_node_is_a_spool_node_name(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	assert_string_equal(c.node, "");   /* the host name, asked by crond */
	assert_int_equal(c.node_timeout, 30);
	assert_int_equal(c.max_clock_skew, 2);
	assert_int_equal(c.cluster_resync, 60);
	assert_int_equal(c.cluster_spread, 200);
	const char *text = "node = db-1.example_A\nnode_timeout = 10\nmax_clock_skew = 5\n"
	                   "cluster_resync = 15\ncluster_spread = 0\n";
	struct diag_list d = { 0 };
	assert_int_equal(config_parse(text, strlen(text), &c, &d), 0);
	assert_string_equal(c.node, "db-1.example_A");
	assert_int_equal(c.node_timeout, 10);
	assert_int_equal(c.max_clock_skew, 5);
	assert_int_equal(c.cluster_resync, 15);
	assert_int_equal(c.cluster_spread, 0);
	const char *most = "cluster_spread = 10000\n";
	assert_int_equal(config_parse(most, strlen(most), &c, &d), 0);
	assert_int_equal(c.cluster_spread, 10000);
	static const char *const bad[] = {
		"node =\n", "node = a b\n", "node = a/b\n", "node = caf\xc3\xa9\n",
		"node = 01234567890123456789012345678901234567890123456789012345678901234\n",
		"node_timeout = 1\n", "max_clock_skew = 0\n", "cluster_resync = 0\n",
		"cluster_spread = 10001\n", "cluster_spread = -1\n", "cluster_spread = 0.5\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config b;
		config_defaults(&b);
		assert_int_equal(config_parse(bad[i], strlen(bad[i]), &b, &d), -1);
		assert_string_equal(b.node, "");
	}
	assert_non_null(strstr(d.items[0].msg, "node must be 1 to 64 bytes of letters, digits, "
	                        "'.', '_' and '-', not ''"));
	assert_non_null(strstr(d.items[5].msg, "node_timeout must be a whole number from 2"));
	assert_non_null(strstr(d.items[8].msg, "cluster_spread must be a whole number from 0 to "
	                        "10000"));
	print_message("%s\n", d.items[8].msg);
	/* 64 bytes is the longest name. */
	config_defaults(&c);
	const char *longest = "node = 0123456789012345678901234567890123456789012345678901234567890123\n";
	assert_int_equal(config_parse(longest, strlen(longest), &c, &d), 0);
	assert_int_equal(strlen(c.node), 64);
	/* The spool: a file, or a PostgreSQL URI; nothing else. */
	const char *pg = "spool = postgresql://crond@/crond?host=/run/postgresql\n";
	assert_int_equal(config_parse(pg, strlen(pg), &c, &d), 0);
	assert_string_equal(c.spool, "postgresql://crond@/crond?host=/run/postgresql");
	const char *pg2 = "spool = postgres:///crond\n";
	assert_int_equal(config_parse(pg2, strlen(pg2), &c, &d), 0);
	assert_string_equal(c.spool, "postgres:///crond");
	diag_list_clear(&d);
	const char *rel = "spool = mysql://x\n";
	assert_int_equal(config_parse(rel, strlen(rel), &c, &d), -1);
	assert_string_equal(d.items[0].msg, "spool must be an absolute path or a postgresql:// "
	                    "URI, shorter than 1024 bytes, not 'mysql://x'");
	diag_list_clear(&d);
}

static void test_keys_comments_quotes_and_blanks(void **state)
{
	(void)state;
	const char *text = "# comment\n\n  socket = /tmp/x.sock   # trailing comment\n"
	                   "spool=/tmp/s.db\r\nsendmail =\npath = \"/bin:/usr/bin # not a comment\"\n"
	                   "max_jobs = 7\nbatch_load = 0.8\nlog = both\ncron_mail = failure\n";
	struct config c;
	config_defaults(&c);
	struct diag_list d = { 0 };
	assert_int_equal(config_parse(text, strlen(text), &c, &d), 0);
	assert_string_equal(c.socket, "/tmp/x.sock");
	assert_string_equal(c.spool, "/tmp/s.db");
	assert_string_equal(c.sendmail, "");
	assert_string_equal(c.path, "/bin:/usr/bin # not a comment");
	assert_int_equal(c.max_jobs, 7);
	assert_true(c.batch_load > 0.79 && c.batch_load < 0.81);
	assert_int_equal(c.log, CONFIG_LOG_BOTH);
	assert_int_equal(c.cron_mail, CRON_MAIL_FAILURE);
	diag_list_clear(&d);
}

/* A quoted value ends at its closing quote; a comment may follow it. */
static void test_quoted_value_followed_by_a_comment_is_the_quoted_text(void **state)
{
	(void)state;
	const char *text = "path = \"/usr/bin:/bin\" # std\n"
	                   "sendmail = \"/tmp/x\" # the mailer\n"
	                   "socket = \"/tmp/s.sock\"# no blank needed\n"
	                   "pidfile = \"/tmp/p.pid\" \t\n"
	                   "shell = \"/bin/sh\"\t#\n";
	struct config c;
	config_defaults(&c);
	struct diag_list d = { 0 };
	assert_int_equal(config_parse(text, strlen(text), &c, &d), 0);
	assert_int_equal(d.count, 0);
	assert_string_equal(c.path, "/usr/bin:/bin");
	assert_string_equal(c.sendmail, "/tmp/x");
	assert_string_equal(c.socket, "/tmp/s.sock");
	assert_string_equal(c.pidfile, "/tmp/p.pid");
	assert_string_equal(c.shell, "/bin/sh");
	const char *off = "sendmail = \"\" # no mail\n";
	assert_int_equal(config_parse(off, strlen(off), &c, &d), 0);
	assert_string_equal(c.sendmail, "");
	diag_list_clear(&d);
}

/* Values read right before quoted values could take a comment read the
 * same: no escapes ('\' is literal), blanks and '#' kept inside quotes, ""
 * is empty; unquoted values keep their comment rule. */
static void test_quoted_and_unquoted_values_keep_their_meaning(void **state)
{
	(void)state;
	const struct { const char *text; const char *path; } cases[] = {
		{ "path = \"/bin:/usr/bin # not a comment\"\n", "/bin:/usr/bin # not a comment" },
		{ "path = \"  spaced  \"  \n", "  spaced  " },
		{ "path = \"C:\\dir\\\"\n", "C:\\dir\\" },
		{ "path = \"it's\"\r\n", "it's" },
		{ "path = \"#\"\n", "#" },
		{ "path = a\"b\" c\n", "a\"b\" c" },
		{ "path = /bin # a comment\n", "/bin" },
		{ "path = /bin#not-a-comment\n", "/bin#not-a-comment" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		config_defaults(&c);
		struct diag_list d = { 0 };
		if (config_parse(cases[i].text, strlen(cases[i].text), &c, &d) != 0 ||
		    strcmp(c.path, cases[i].path) != 0)
			fail_msg("case %zu: got '%s' (%s)", i, c.path, d.count ? d.items[0].msg : "");
		diag_list_clear(&d);
	}
	struct config c;
	config_defaults(&c);
	struct diag_list d = { 0 };
	const char *empty = "sendmail = \"\"  \n";
	assert_int_equal(config_parse(empty, strlen(empty), &c, &d), 0);
	assert_string_equal(c.sendmail, "");
	diag_list_clear(&d);
}

/* Text after the closing quote, or no closing quote, was not meant
 * literally: an error at its line and column, the value left as it was. */
static void test_text_after_closing_quote_or_no_closing_quote_is_an_error(void **state)
{
	(void)state;
	const struct { const char *text; int line, column; const char *msg; } cases[] = {
		{ "path = \"/usr/bin\" /bin\n", 1, 19,
		  "text after the quoted value of path: '/bin' (only a '#' comment may follow the "
		  "closing '\"')" },
		{ "# c\n  sendmail = \"/tmp/x\" the mailer  # c\n", 2, 23,
		  "text after the quoted value of sendmail: 'the mailer  # c'" },
		{ "path = \"a\"b\"\n", 1, 11, "text after the quoted value of path: 'b\"'" },
		{ "path = \"a\";\n", 1, 11, "text after the quoted value of path: ';'" },
		{ "path = \"unterminated\n", 1, 8, "the quoted value of path has no closing '\"'" },
		{ "\n\npath=\"\n", 3, 6, "the quoted value of path has no closing '\"'" },
		{ "sendmail = \"/tmp/x # the mailer\n", 1, 12,
		  "the quoted value of sendmail has no closing '\"'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		config_defaults(&c);
		struct diag_list d = { 0 };
		assert_int_equal(config_parse(cases[i].text, strlen(cases[i].text), &c, &d), -1);
		if (d.count != 1 || d.items[0].line != cases[i].line ||
		    d.items[0].column != cases[i].column || !strstr(d.items[0].msg, cases[i].msg))
			fail_msg("case %zu: got %zu, %d:%d '%s'", i, d.count, d.items[0].line,
			         d.items[0].column, d.items[0].msg);
		assert_string_equal(c.path, "/usr/bin:/bin");
		assert_string_equal(c.sendmail, "/usr/sbin/sendmail");
		diag_list_clear(&d);
	}
	/* As crond prints it: FILE:LINE:COL: message. */
	const char *text = "path = \"/usr/bin:/bin\" std\n";
	struct config c;
	config_defaults(&c);
	struct diag_list d = { 0 };
	assert_int_equal(config_parse(text, strlen(text), &c, &d), -1);
	char buf[512];
	diag_format(&d.items[0], "/etc/crond.conf", buf, sizeof(buf));
	assert_string_equal(buf, "/etc/crond.conf:1:24: text after the quoted value of path: 'std' "
	                         "(only a '#' comment may follow the closing '\"')");
	diag_list_clear(&d);
}

static void test_unknown_keys_and_bad_values_are_errors_with_line(void **state)
{
	(void)state;
	const struct { const char *text; int line; const char *msg; } cases[] = {
		{ "colour = blue\n", 1, "unknown key 'colour'" },
		{ "\nmax_jobs = 0\n", 2, "max_jobs must be a whole number from 1 to 100000" },
		{ "max_jobs = 12x\n", 1, "max_jobs must be a whole number" },
		{ "max_waiting = 0\n", 1, "max_waiting must be a whole number from 1 to 1000000" },
		{ "max_waiting_per_user = 0\n", 1,
		  "max_waiting_per_user must be a whole number from 1 to 1000000" },
		{ "max_jobs_per_user = -1\n", 1, "max_jobs_per_user must be a whole number" },
		{ "socket = relative.sock\n", 1, "socket must be an absolute path" },
		{ "batch_load = high\n", 1, "batch_load must be a load average" },
		{ "log = journal\n", 1, "log must be syslog, stderr or both" },
		{ "cron_mail = errors\n", 1, "cron_mail must be always, failure or never, not 'errors'" },
		{ "just words\n", 1, "expected 'key = value'" },
		{ "= value\n", 1, "missing key" },
		{ "path =\n", 1, "path must be a non-empty value" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		config_defaults(&c);
		struct diag_list d = { 0 };
		assert_int_equal(config_parse(cases[i].text, strlen(cases[i].text), &c, &d), -1);
		if (d.items[0].line != cases[i].line || !strstr(d.items[0].msg, cases[i].msg))
			fail_msg("case %zu: got %d '%s'", i, d.items[0].line, d.items[0].msg);
		diag_list_clear(&d);
	}
}

static void test_file_choice_explicit_then_environment_then_default(void **state)
{
	(void)state;
	bool named;
	unsetenv("CROND_CONF");
	assert_string_equal(config_choose_path(NULL, &named), CONFIG_DEFAULT_PATH);
	assert_false(named);
	setenv("CROND_CONF", "/tmp/env.conf", 1);
	assert_string_equal(config_choose_path(NULL, &named), "/tmp/env.conf");
	assert_true(named);
	assert_string_equal(config_choose_path("/tmp/x.conf", &named), "/tmp/x.conf");
	/* a named file that does not exist is an error */
	struct config c;
	struct diag_list d = { 0 };
	assert_int_equal(config_load("/nonexistent/crond.conf", &c, &d), -1);
	assert_non_null(strstr(d.items[0].msg, "No such file"));
	diag_list_clear(&d);
	/* a real file is read, and named as the source */
	char path[] = "/tmp/crond-conf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "max_jobs = 3\n", 13), 13);
	close(fd);
	assert_int_equal(config_load(path, &c, &d), 0);
	assert_int_equal(c.max_jobs, 3);
	assert_string_equal(c.source, path);
	unlink(path);
	unsetenv("CROND_CONF");
}

static void test_metrics_file_is_off_by_default_and_an_absolute_path(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	assert_string_equal(c.metrics_file, "");
	const char *text = "metrics_file = /var/lib/prometheus/node-exporter/crond.prom\n";
	struct diag_list d = { 0 };
	assert_int_equal(config_parse(text, strlen(text), &c, &d), 0);
	assert_string_equal(c.metrics_file, "/var/lib/prometheus/node-exporter/crond.prom");
	text = "metrics_file =\n";
	assert_int_equal(config_parse(text, strlen(text), &c, &d), 0);
	assert_string_equal(c.metrics_file, "");
	text = "metrics_file = crond.prom\n";
	assert_int_equal(config_parse(text, strlen(text), &c, &d), -1);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.items[0].line, 1);
	assert_string_equal(d.items[0].msg, "metrics_file must be an absolute path shorter than 1024 "
	                                    "bytes, not 'crond.prom'");
	diag_list_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_the_documented_paths_and_limits),
		cmocka_unit_test(test_per_user_limits_have_documented_defaults_and_bounds),
		cmocka_unit_test(test_keys_comments_quotes_and_blanks),
		cmocka_unit_test(test_quoted_value_followed_by_a_comment_is_the_quoted_text),
		cmocka_unit_test(test_quoted_and_unquoted_values_keep_their_meaning),
		cmocka_unit_test(test_text_after_closing_quote_or_no_closing_quote_is_an_error),
		cmocka_unit_test(test_fairness_keys),
		cmocka_unit_test(test_pam_keys_default_off_and_service_is_a_plain_name),
		cmocka_unit_test(test_unknown_keys_and_bad_values_are_errors_with_line),
		cmocka_unit_test(test_file_choice_explicit_then_environment_then_default),
		cmocka_unit_test(test_metrics_file_is_off_by_default_and_an_absolute_path),
		cmocka_unit_test(test_cluster_keys_default_and_node_is_a_spool_node_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
