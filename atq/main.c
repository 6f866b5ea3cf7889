/* atq/main.c: the at family's command line; the program acts by its name.
 *
 *   at [-V] [-q Q] [-f FILE] [-u USER] [-m|-M] [-v] TIMESPEC... | -t TIME
 *   at [-V] -b [-q Q] [-f FILE] [-u USER] [-m|-M] [-v]   (also: batch)
 *   at --dry-run [--now YYYY-MM-DDTHH:MM[:SS]] TIMESPEC... | -t TIME
 *   at -l [-q Q] [-o FORMAT] [JOB...]                (also: atq)
 *   at -r | -d JOB...                                (also: atrm)
 *   at -c JOB...
 *   atq --history [N]
 *   atq [--json], atq --history [N] --json: one JSON document (at(1))
 *   every form also takes --config FILE; -h/--help shows the usage
 *
 * Options may follow operands (GNU getopt's order, as Debian's at). Exit
 * status: 0 success, 1 anything else, usage errors included (see at(1)).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atq/cli.h"
#include "lib/proto_msgs.h"

enum action { ACT_SUBMIT, ACT_LIST, ACT_REMOVE, ACT_CAT, ACT_DRY_RUN, ACT_HISTORY, ACT_HELP };

enum long_only { OPT_DRY_RUN = 256, OPT_NOW, OPT_CONFIG, OPT_HISTORY, OPT_JSON };

/* What each name accepts and does by default. */
struct personality {
	const char *name;
	const char *optstring;
	enum action action;
	bool batch;
};

static const struct personality personalities[] = {
	{ "at", "Vq:f:u:mMvt:lrdbcho:", ACT_SUBMIT, false },
	{ "atq", "Vq:o:h", ACT_LIST, false },
	{ "atrm", "Vh", ACT_REMOVE, false },
	{ "batch", "Vq:f:u:mMvh", ACT_SUBMIT, true },
};

static const char usage_text[] =
	"Usage: at [-V] [-q QUEUE] [-f FILE] [-u USER] [-m | -M] [-v] TIMESPEC...\n"
	"       at [-V] [-q QUEUE] [-f FILE] [-u USER] [-m | -M] [-v]\n"
	"          -t [[CC]YY]MMDDhhmm[.SS]\n"
	"       at --dry-run [--now YYYY-MM-DDTHH:MM[:SS]] TIMESPEC... | -t TIME\n"
	"       at -c JOB...            show jobs as shell scripts\n"
	"       atq [-q QUEUE] [-o FORMAT] [JOB...]\n"
	"                               list jobs (also at -l); FORMAT: strftime(3)\n"
	"                               for the time column\n"
	"       atq --history [N]       the last N runs of your jobs (default 20)\n"
	"       atq [--history [N]] --json\n"
	"                               the same as one JSON document (see at(1))\n"
	"       atrm JOB...             remove jobs (also at -r, at -d)\n"
	"       batch [-q QUEUE] [-f FILE] [-u USER] [-m | -M] [-v]\n"
	"                               run a job when the load allows (also at -b)\n"
	"  -m mail even without output, -M never mail, -u mail USER instead of you,\n"
	"  -v show the time first,\n"
	"  -V show the version, --config FILE read FILE instead of $CROND_CONF or\n"
	"  /etc/crond.conf. See at(1) for the time language.\n";

/* The parsed command line. */
struct parsed {
	struct at_cli cli;
	enum action action;
	bool action_set;
	bool version;
	const char *submit_only;  /* an option that only goes with submitting */
	char action_letter;       /* -l, -r, -d, -c or -b once read (see letters_after) */
};

static int usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n%s", usage_text);
	va_end(ap);
	return AT_EXIT_FAIL;
}

static const struct personality *personality_of(const char *argv0)
{
	const char *base = argv0 != NULL ? strrchr(argv0, '/') : NULL;
	base = base != NULL ? base + 1 : argv0 != NULL ? argv0 : "at";
	for (size_t i = 0; i < sizeof(personalities) / sizeof(personalities[0]); i++)
		if (strcmp(base, personalities[i].name) == 0)
			return &personalities[i];
	return &personalities[0];
}

static int set_action(struct parsed *p, enum action a, const char *opt)
{
	if (p->action_set && p->action != a)
		return usage_error(p->cli.prog, "%s cannot be combined with another action", opt);
	p->action = a;
	p->action_set = true;
	return 0;
}

static int parse_count(const char *prog, const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v < 1 || v > AT_HISTORY_MAX_COUNT)
		return usage_error(prog, "expected a count from 1 to %d, not '%s'",
		                   AT_HISTORY_MAX_COUNT, s);
	*out = v;
	return 0;
}

/* A queue letter, or '=' (the running jobs: only listing takes it, which
 * check_action says). */
static int set_queue(const char *prog, const char *s, char *out)
{
	bool letter = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z');
	if ((!letter && s[0] != '=') || s[1] != '\0')
		return usage_error(prog, "invalid queue '%s': a queue is one letter a-z or A-Z", s);
	*out = s[0];
	return 0;
}

/* The option letters Debian's at still takes after the action letter
 * LETTER: those the action uses ("at -l -u root" is "invalid option --
 * 'u'"). What came before it and the action does not use is ignored, as
 * there ("at -u root -l" lists, "at -q c -d 3" removes job 3). */
static const char *letters_after(char letter)
{
	switch (letter) {
	case 'l': return "qoV";
	case 'r':
	case 'd': return "V";
	default: return "";   /* -c, -b */
	}
}

/* Remembers an action given by its letter; 0 or a usage error. */
static int set_action_letter(struct parsed *p, enum action a, char letter)
{
	const char opt[] = { '-', letter, '\0' };
	p->action_letter = letter;
	return set_action(p, a, opt);
}

/* One option of P's personality; 0 or a usage error. */
static int apply_option(struct parsed *p, int opt, const char *arg)
{
	struct at_cli *cli = &p->cli;
	if (p->action_letter != 0 && opt > 0 && opt < 128 && opt != 'h' &&
	    strchr(letters_after(p->action_letter), opt) == NULL)
		return usage_error(cli->prog, "invalid option -- '%c'", opt);
	switch (opt) {
	case 'V': p->version = true; return 0;
	case 'q': return set_queue(cli->prog, arg, &cli->queue);
	case 'f': cli->file = arg; p->submit_only = "-f"; return 0;
	case 'u': cli->mail_to = arg; p->submit_only = "-u"; return 0;
	case 'm': cli->mail = MAIL_ALWAYS; p->submit_only = "-m"; return 0;
	case 'M': cli->mail = MAIL_NEVER; p->submit_only = "-M"; return 0;
	case 'v': cli->verbose = true; p->submit_only = "-v"; return 0;
	case 't': cli->posix_time = arg; return 0;
	case 'o': cli->time_format = arg; return 0;
	case 'l': return set_action_letter(p, ACT_LIST, 'l');
	case 'r': return set_action_letter(p, ACT_REMOVE, 'r');
	case 'd': return set_action_letter(p, ACT_REMOVE, 'd');
	case 'c': return set_action_letter(p, ACT_CAT, 'c');
	case 'b':
		cli->batch = cli->dash_b = true;
		return set_action_letter(p, ACT_SUBMIT, 'b');
	case 'h': return set_action(p, ACT_HELP, "-h");
	case OPT_DRY_RUN: return set_action(p, ACT_DRY_RUN, "--dry-run");
	case OPT_NOW: cli->now = arg; return 0;
	case OPT_CONFIG: cli->config = arg; return 0;
	case OPT_JSON: cli->json = true; return 0;
	case OPT_HISTORY:
		if (arg != NULL && parse_count(cli->prog, arg, &cli->count) != 0)
			return AT_EXIT_FAIL;
		return set_action(p, ACT_HISTORY, "--history");
	default:
		return usage_error(cli->prog, "invalid option -- '%c'", opt);
	}
}

/* getopt_long refused something (optopt tells what; ARG is the last word
 * it looked at). The words are glibc getopt's, which Debian's at prints. */
static int bad_option(const char *prog, const struct personality *who, const char *arg)
{
	if (optopt >= OPT_DRY_RUN)      /* a long option without its argument */
		return usage_error(prog, "option '%s' requires an argument", arg);
	if (optopt != 0 && strchr(who->optstring, optopt) != NULL)
		return usage_error(prog, "option requires an argument -- '%c'", optopt);
	if (optopt != 0)
		return usage_error(prog, "invalid option -- '%c'", optopt);
	return usage_error(prog, "unrecognized option '%s'", arg);
}

static int parse_options(int argc, char **argv, const struct personality *who,
                         struct parsed *p)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "history", optional_argument, NULL, OPT_HISTORY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	opterr = 0;
	optopt = 0;
	while ((opt = getopt_long(argc, argv, who->optstring, longopts, NULL)) != -1) {
		if (opt == '?')
			return bad_option(p->cli.prog, who, argv[optind - 1]);
		if ((opt == OPT_DRY_RUN || opt == OPT_NOW) && strcmp(who->name, "at") != 0)
			return usage_error(p->cli.prog, "unrecognized option '--%s'",
			                   opt == OPT_NOW ? "now" : "dry-run");
		if (opt == OPT_HISTORY && strcmp(who->name, "atq") != 0)
			return usage_error(p->cli.prog, "unrecognized option '--history'");
		if (opt == OPT_JSON && strcmp(who->name, "atq") != 0 && strcmp(who->name, "at") != 0)
			return usage_error(p->cli.prog, "unrecognized option '--json'");
		if (apply_option(p, opt, optarg) != 0)
			return AT_EXIT_FAIL;
	}
	p->cli.args = argv + optind;
	p->cli.nargs = argc - optind;
	if (!p->action_set)
		p->action = who->action;
	p->cli.batch = p->cli.batch || who->batch;
	return 0;
}

/* Which options and operands go with the action; 0 or a usage error. */
static int check_combination(struct parsed *p)
{
	struct at_cli *cli = &p->cli;
	const char *prog = cli->prog;
	bool timed = p->action == ACT_SUBMIT || p->action == ACT_DRY_RUN;
	/* Options before -l, -r, -d or -c that the action does not use are
	 * ignored, as Debian's at ignores them (letters_after). */
	bool by_letter = p->action_letter != 0 && p->action != ACT_SUBMIT;
	if (by_letter) {
		cli->posix_time = cli->mail_to = cli->file = NULL;
		if (p->action != ACT_LIST)
			cli->queue = 0;
	} else if (p->submit_only != NULL && p->action != ACT_SUBMIT) {
		return usage_error(prog, "%s only goes with submitting a job", p->submit_only);
	}
	if (cli->posix_time != NULL && !timed)
		return usage_error(prog, "-t only goes with submitting a job or --dry-run");
	if (cli->now != NULL && p->action != ACT_DRY_RUN)
		return usage_error(prog, "--now only goes with --dry-run");
	if (cli->json && p->action != ACT_LIST && p->action != ACT_HISTORY)
		return usage_error(prog, "--json only goes with listing jobs (atq, at -l) or "
		                   "--history");
	if (cli->json && cli->time_format != NULL)
		return usage_error(prog, "--json and -o do not go together (--json gives RFC 3339 "
		                   "and epoch times)");
	if (cli->time_format != NULL && p->action != ACT_LIST)
		return usage_error(prog, "-o only goes with listing jobs (atq, at -l)");
	if (cli->queue != 0 && p->action != ACT_SUBMIT && p->action != ACT_LIST)
		return usage_error(prog, "-q only goes with submitting or listing jobs");
	if (cli->queue == '=' && p->action != ACT_LIST)
		return usage_error(prog, "invalid queue '=': a queue is one letter a-z or A-Z "
		                   "(atq -q = lists the jobs that are running)");
	/* Debian's `at -t TIME -b` queues a batch job for TIME; a time spec
	 * with -b it reads wrongly (1970), and batch takes nothing. */
	if (cli->batch && (cli->nargs > 0 || (cli->posix_time != NULL && !cli->dash_b)))
		return usage_error(prog, "a batch job takes no time: it runs when the load allows");
	if (timed && cli->posix_time != NULL && cli->nargs > 0)
		return at_when_given_twice(cli, time(NULL)) < 0 ? 1 : 0;
	if ((p->action == ACT_REMOVE || p->action == ACT_CAT) && cli->nargs == 0)
		return usage_error(prog, "give the numbers of the jobs");
	if (p->action == ACT_HISTORY && cli->nargs > (cli->count ? 0 : 1))
		return usage_error(prog, "unexpected operand '%s'", cli->args[cli->nargs - 1]);
	if (p->action == ACT_HISTORY && cli->nargs == 1)
		return parse_count(prog, cli->args[0], &cli->count);
	return 0;
}

int main(int argc, char **argv)
{
	const struct personality *who = personality_of(argc > 0 ? argv[0] : NULL);
	struct parsed p = { .cli = { .prog = who->name, .mail = MAIL_DEFAULT } };
	if (parse_options(argc, argv, who, &p) != 0)
		return AT_EXIT_FAIL;
	if (p.action == ACT_HELP) {
		fputs(usage_text, stdout);
		return fflush(stdout) == 0 ? AT_EXIT_OK : AT_EXIT_FAIL;
	}
	if (p.version && p.cli.posix_time != NULL) {
		/* Debian's at reads -t among its options: a bad one ends it
		 * there, -V or not ("invalid date format: ARG"). */
		if (at_posix_time_readable(&p.cli, time(NULL)) < 0)
			return AT_EXIT_FAIL;
	}
	if (p.version) {
		/* Debian's words ("at version 3.2.5") for every name; and, as
		 * Debian's, nothing else is done (at -V now queues no job). */
		fprintf(stderr, "at version %s (crond)\n", CROND_VERSION);
		return AT_EXIT_OK;
	}
	if (check_combination(&p) != 0)
		return AT_EXIT_FAIL;
	switch (p.action) {
	case ACT_LIST:
		return at_cmd_list(&p.cli);
	case ACT_REMOVE:
		return at_cmd_remove(&p.cli);
	case ACT_CAT:
		return at_cmd_cat(&p.cli);
	case ACT_DRY_RUN:
		return at_cmd_dry_run(&p.cli);
	case ACT_HISTORY:
		return at_cmd_history(&p.cli);
	case ACT_SUBMIT:
	case ACT_HELP:
		break;
	}
	return at_cmd_submit(&p.cli);
}
