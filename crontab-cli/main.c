/* crontab-cli/main.c: the crontab command line.
 *
 *   crontab [-u USER] FILE | -            install
 *   crontab [-u USER] [-i] -l | -r | -e   list, remove, edit
 *   crontab -T [--system] FILE | -        check (-n: the same, Debian's name)
 *   crontab --next N [--from T] [--tz Z] [SCHEDULE]
 *   crontab [-u USER] --history [N] [--tz Z]
 *   crontab [-u USER] --run LINE | PATH:LINE
 *   crontab [-u USER | --all] --status [--tz Z]
 *   crontab [-u USER | --all] --timeline [--days N] [--quarter] [--from T] [--tz Z]
 *   --json: --status, --history and --next write one JSON document
 *   crontab -V | -h
 *   every form that talks to crond also takes --config FILE
 *
 * No action and no operand reads standard input, as POSIX and Debian do,
 * only when no option at all was given (--config aside) and standard input
 * is not a terminal: an action is never guessed, so `crontab -i` or
 * `crontab -u alice` from a script is a usage error, not an install of
 * whatever standard input holds.
 *
 * Usage errors start as Debian's do ("crontab: usage error: only one
 * operation permitted ...") and exit 1, as Debian's. Exit status: 0
 * success, 1 failure or usage error (see crontab(1)).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crontab-cli/cli.h"

enum action {
	ACT_NONE, ACT_CHECK, ACT_NEXT, ACT_VERSION, ACT_HELP, ACT_LIST, ACT_REMOVE,
	ACT_EDIT, ACT_HISTORY, ACT_RUN, ACT_STATUS, ACT_TIMELINE,
};

enum long_only { OPT_SYSTEM = 256, OPT_NEXT, OPT_FROM, OPT_TZ, OPT_CONFIG, OPT_HISTORY, OPT_RUN };
/* --status, --timeline and their options (kept apart from the others). */
enum long_view { OPT_STATUS = 300, OPT_TIMELINE, OPT_DAYS, OPT_QUARTER, OPT_ALL, OPT_JSON };

static const char usage_text[] =
	"usage: crontab [-u USER] FILE        install FILE as the crontab (- for standard input)\n"
	"       crontab [-u USER] -l          list the crontab\n"
	"       crontab [-u USER] -e          edit the crontab in your editor (see crontab(1))\n"
	"       crontab [-u USER] [-i] -r     remove the crontab (-i: ask first)\n"
	"       crontab -T [--system] FILE    check a crontab file, install nothing (also -n)\n"
	"       crontab --next N [--from YYYY-MM-DDTHH:MM] [--tz ZONE] ['SCHEDULE']\n"
	"                                     the next N runs of a schedule, or of every\n"
	"                                     entry of the installed crontab\n"
	"       crontab [-u USER] --history [N]\n"
	"                                     the last N runs (default 20)\n"
	"       crontab [-u USER] --run LINE  run the entry on LINE now, as crond would, and\n"
	"                                     show its output (root: --run /etc/cron.d/F:LINE)\n"
	"       crontab [-u USER | --all] --status\n"
	"                                     each entry: next run, last run, failures\n"
	"       crontab [-u USER | --all] --timeline [--days N] [--quarter] [--from T]\n"
	"                                     how many runs start in each hour of the\n"
	"                                     coming days (default 7), as a heat map\n"
	"       crontab -V                    show the version\n"
	"       crontab -h                    show this help\n"
	"  -u USER        act on USER's crontab (root only)\n"
	"  --all          every user's crontab and the system crontabs (root only)\n"
	"  --json         --status, --history, --next: one JSON document (crontab(1))\n"
	"  --config FILE  read FILE instead of $CROND_CONF or /etc/crond.conf\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "crontab: usage error: " and the reason (Debian's words first where
 * Debian has them), then the usage text, on stderr. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "crontab: usage error: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n%s", usage_text);
	va_end(ap);
	return EXIT_USAGE;
}

/* An option getopt did not accept, in getopt's own words (as Debian's
 * crontab shows them), then Debian's usage error. */
static int bad_option(char **argv)
{
	const char *arg = argv[optind - 1];
	if (strncmp(arg, "--", 2) == 0) {
		size_t name = strcspn(arg, "=");
		if (optopt == 0)
			fprintf(stderr, "crontab: unrecognized option '%.*s'\n", (int)name, arg);
		else if (arg[name] == '=')
			fprintf(stderr, "crontab: option '%.*s' doesn't allow an argument\n",
			        (int)name, arg);
		else
			fprintf(stderr, "crontab: option '%s' requires an argument\n", arg);
	} else if (optopt == 'u') {
		fprintf(stderr, "crontab: option requires an argument -- '%c'\n", optopt);
	} else {
		fprintf(stderr, "crontab: invalid option -- '%c'\n", optopt);
	}
	return usage_error("unrecognized option");
}

static const char *action_name(enum action a)
{
	switch (a) {
	case ACT_CHECK: return "-T";
	case ACT_NEXT: return "--next";
	case ACT_VERSION: return "-V";
	case ACT_HELP: return "-h";
	case ACT_LIST: return "-l";
	case ACT_REMOVE: return "-r";
	case ACT_EDIT: return "-e";
	case ACT_HISTORY: return "--history";
	case ACT_RUN: return "--run";
	case ACT_STATUS: return "--status";
	case ACT_TIMELINE: return "--timeline";
	case ACT_NONE: break;
	}
	return "?";
}

/* One action per command, given once. */
static int set_action(enum action *cur, enum action want, const char *opt)
{
	if (*cur != ACT_NONE)
		return usage_error("only one operation permitted (%s and %s)", action_name(*cur),
		                   opt);
	*cur = want;
	return 0;
}

static int parse_count(const char *s, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > max)
		return usage_error("expected a count from 1 to %ld, not '%s'", max, s);
	*out = v;
	return 0;
}

/* Reads the options into CLI and *ACT; *SHAPED is set when an option other
 * than --config, or "--", was given. Returns 0 or a usage error. */
static int parse_options(int argc, char **argv, struct crontab_cli *cli, enum action *act,
                         bool *shaped)
{
	static const struct option longopts[] = {
		{ "system", no_argument, NULL, OPT_SYSTEM },
		{ "next", required_argument, NULL, OPT_NEXT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "history", optional_argument, NULL, OPT_HISTORY },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "status", no_argument, NULL, OPT_STATUS },
		{ "timeline", no_argument, NULL, OPT_TIMELINE },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "quarter", no_argument, NULL, OPT_QUARTER },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "u:lreiTnVhb", longopts, NULL)) != -1) {
		int rc = 0;
		*shaped = *shaped || opt != OPT_CONFIG;
		switch (opt) {
		case 'u': cli->user = optarg; break;   /* checked after the loop */
		case 'l': rc = set_action(act, ACT_LIST, "-l"); break;
		case 'r': rc = set_action(act, ACT_REMOVE, "-r"); break;
		case 'e': rc = set_action(act, ACT_EDIT, "-e"); break;
		case 'i': cli->ask = true; break;
		case 'T': rc = set_action(act, ACT_CHECK, "-T"), cli->check_t = true; break;
		case 'n': cli->check_says_ok = true; break;   /* see after the loop */
		case 'V': rc = set_action(act, ACT_VERSION, "-V"); break;
		case 'b': break;   /* cronie's "no backup of the crontab replaced": none is kept */
		case 'h': rc = set_action(act, ACT_HELP, "-h"); break;
		case OPT_SYSTEM: cli->system_format = true; break;
		case OPT_NEXT:
			rc = set_action(act, ACT_NEXT, "--next");
			if (rc == 0)
				rc = parse_count(optarg, CLI_NEXT_MAX_COUNT, &cli->count);
			break;
		case OPT_HISTORY:   /* --history N or --history=N */
			rc = set_action(act, ACT_HISTORY, "--history");
			if (rc == 0 && optarg)
				rc = parse_count(optarg, CLI_HISTORY_MAX_COUNT, &cli->count);
			break;
		case OPT_RUN:
			rc = set_action(act, ACT_RUN, "--run");
			cli->run = optarg;
			break;
		case OPT_FROM: cli->from = optarg; break;
		case OPT_TZ: cli->zone = optarg; break;
		case OPT_CONFIG: cli->config = optarg; break;
		case OPT_STATUS: rc = set_action(act, ACT_STATUS, "--status"); break;
		case OPT_TIMELINE: rc = set_action(act, ACT_TIMELINE, "--timeline"); break;
		case OPT_DAYS: rc = parse_count(optarg, CLI_TIMELINE_MAX_DAYS, &cli->days); break;
		case OPT_QUARTER: cli->quarter = true; break;
		case OPT_ALL: cli->all = true; break;
		case OPT_JSON: cli->json = true; break;
		default:
			return bad_option(argv);
		}
		if (rc)
			return rc;
	}
	cli->args = argv + optind;
	cli->nargs = argc - optind;
	/* "crontab --" is not a bare crontab either (as in Debian's): a script's
	 * `crontab -- $FILE` with FILE empty must not install its standard
	 * input, often nothing, over the user's crontab. */
	if (optind > 1 && strcmp(argv[optind - 1], "--") == 0)
		*shaped = true;
	/* -u before anything but the options themselves, as Debian's crontab
	 * checks it where getopt meets it: an unknown user, then the
	 * privilege ("crontab -ul" is user `l' unknown, not a missing file).
	 * With --run a refusal is the not-run status, never one a job may
	 * exit with. */
	struct cli_user who;
	if (cli->user && cli_user_resolve(cli, &who) < 0)
		return *act == ACT_RUN ? EXIT_RUN_NOT_RUN : EXIT_FAIL;
	/* -n is Debian's dry run of an install: a check of FILE that says so
	 * when it passes. As there, -l ignores it ("crontab -nl" lists, and -V, -h); an
	 * action that changes something is refused rather than done. */
	if (cli->check_says_ok && (*act == ACT_LIST || *act == ACT_VERSION || *act == ACT_HELP))
		cli->check_says_ok = false;
	else if (cli->check_says_ok && *act != ACT_NONE && *act != ACT_CHECK)
		return usage_error("-n (check a file, install nothing) does not go with %s",
		                   action_name(*act));
	else if (cli->check_says_ok)
		*act = ACT_CHECK;
	return 0;
}

/* Checks the combinations of options, operands and action. SHAPED: an
 * option other than --config was given. */
static int check_combination(struct crontab_cli *cli, enum action act, bool shaped)
{
	bool schedule_form = act == ACT_NEXT && cli->nargs > 0;
	if (cli->system_format && act != ACT_CHECK)
		return usage_error("%s only goes with -T", "--system");
	if (cli->from && act != ACT_NEXT && act != ACT_TIMELINE)
		return usage_error("%s only goes with --next or --timeline", "--from");
	if (cli->zone && act != ACT_NEXT && act != ACT_HISTORY && act != ACT_STATUS &&
	    act != ACT_TIMELINE)
		return usage_error("%s only goes with --next, --history, --status or --timeline",
		                   "--tz");
	if (cli->json && act != ACT_STATUS && act != ACT_HISTORY && act != ACT_NEXT)
		return usage_error("%s only goes with --status, --history or --next", "--json");
	if (cli->all && act != ACT_STATUS && act != ACT_TIMELINE)
		return usage_error("%s only goes with --status or --timeline", "--all");
	if (cli->all && cli->user)
		return usage_error("-u and --all do not go together (--all is every user)");
	if ((cli->days || cli->quarter) && act != ACT_TIMELINE)
		return usage_error("%s only goes with --timeline", cli->days ? "--days" : "--quarter");
	if ((act == ACT_STATUS || act == ACT_TIMELINE) && cli->nargs > 0)
		return usage_error("no arguments permitted after this option (%s, then '%s')",
		                   action_name(act), cli->args[0]);
	if (cli->user && schedule_form)
		return usage_error("-u does not go with a schedule");
	if ((act == ACT_LIST || act == ACT_REMOVE || act == ACT_EDIT || act == ACT_VERSION ||
	     act == ACT_HELP || act == ACT_RUN) && cli->nargs > 0)
		return usage_error("no arguments permitted after this option (%s, then '%s')",
		                   action_name(act), cli->args[0]);
	if (act == ACT_HISTORY && cli->nargs > (cli->count ? 0 : 1))
		return usage_error("no arguments permitted after this option (--history, then "
		                   "'%s')", cli->args[cli->nargs - 1]);
	if (act == ACT_HISTORY && cli->nargs == 1)
		return parse_count(cli->args[0], CLI_HISTORY_MAX_COUNT, &cli->count);
	/* cronie's -T with no file checks standard input (not a terminal's:
	 * nothing would end it but Ctrl-D); Debian's -n wants a file. */
	static char stdin_name[] = "-";
	static char *stdin_args[] = { stdin_name, NULL };
	if (act == ACT_CHECK && cli->nargs == 0 && cli->check_t && !cli->check_says_ok &&
	    !isatty(STDIN_FILENO)) {
		cli->args = stdin_args;
		cli->nargs = 1;
	}
	if (act == ACT_CHECK && cli->nargs == 0)
		return usage_error("file name must be specified for replace (-T and -n check "
		                   "one file, or - for standard input)");
	if ((act == ACT_CHECK || act == ACT_NONE) && cli->nargs > 1)
		return usage_error("only one file may be given, not '%s' and '%s' (- for standard "
		                   "input)", cli->args[0], cli->args[1]);
	/* No operand reads standard input, as POSIX says, but only for a bare
	 * `crontab`: with an option (crontab -i, crontab -u alice) the user
	 * meant another action; and not from a terminal, where a stray Ctrl-D
	 * would install an empty crontab. */
	if (act == ACT_NONE && cli->nargs == 0 && (shaped || isatty(STDIN_FILENO)))
		return usage_error("file name must be specified for replace (give a file, or - "
		                   "for standard input; or -l, -e or -r)");
	return 0;
}

int main(int argc, char **argv)
{
	struct crontab_cli cli = { 0 };
	enum action act = ACT_NONE;
	bool shaped = false;
	int rc = parse_options(argc, argv, &cli, &act, &shaped);
	if (rc == 0)
		rc = check_combination(&cli, act, shaped);
	if (rc)
		return rc;

	switch (act) {
	case ACT_CHECK:
		return crontab_cmd_check(&cli);
	case ACT_NEXT:
		return cli.nargs ? crontab_cmd_next_schedule(&cli) : crontab_cmd_next_installed(&cli);
	case ACT_LIST:
		return crontab_cmd_list(&cli);
	case ACT_REMOVE:
		return crontab_cmd_remove(&cli);
	case ACT_EDIT:
		return crontab_cmd_edit(&cli);
	case ACT_HISTORY:
		return crontab_cmd_history(&cli);
	case ACT_RUN:
		return crontab_cmd_run(&cli);
	case ACT_STATUS:
		return crontab_cmd_status(&cli);
	case ACT_TIMELINE:
		return crontab_cmd_timeline(&cli);
	case ACT_VERSION:
		printf("crontab (crond) %s\n", CROND_VERSION);
		return EXIT_OK;
	case ACT_HELP:
		fputs(usage_text, stdout);
		return EXIT_OK;
	case ACT_NONE:
		break;
	}
	return crontab_cmd_install(&cli);
}
