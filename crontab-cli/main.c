/* crontab-cli/main.c: the crontab command line.
 *
 *   crontab -T [--system] FILE|-          check a crontab
 *   crontab --next N [--from T] [--tz Z] SCHEDULE
 *   crontab -V | -h
 *
 * Exit status: 0 success, 1 failure, 2 usage error (see crontab(1)).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crontab-cli/cli.h"

enum action { ACT_NONE, ACT_CHECK, ACT_NEXT, ACT_VERSION, ACT_HELP };

enum long_only { OPT_SYSTEM = 256, OPT_NEXT, OPT_FROM, OPT_TZ, OPT_CONFIG };

static const char usage_text[] =
	"usage: crontab -T [--system] FILE    check a crontab file (- for standard input)\n"
	"       crontab --next N [--from YYYY-MM-DDTHH:MM] [--tz ZONE] 'SCHEDULE'\n"
	"                                     show the next N runs of a schedule\n"
	"       crontab -V                    show the version\n"
	"       crontab -h                    show this help\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "crontab: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n%s", usage_text);
	va_end(ap);
	return EXIT_USAGE;
}

static int set_action(enum action *cur, enum action want, const char *opt)
{
	if (*cur != ACT_NONE && *cur != want)
		return usage_error("%s cannot be combined with another action", opt);
	*cur = want;
	return 0;
}

static int parse_count(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1)
		return usage_error("expected a positive count, not '%s'", s);
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "system", no_argument, NULL, OPT_SYSTEM },
		{ "next", required_argument, NULL, OPT_NEXT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct crontab_cli cli = { 0 };
	enum action act = ACT_NONE;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+TVh", longopts, NULL)) != -1) {
		int rc = 0;
		switch (opt) {
		case 'T': rc = set_action(&act, ACT_CHECK, "-T"); break;
		case 'V': rc = set_action(&act, ACT_VERSION, "-V"); break;
		case 'h': rc = set_action(&act, ACT_HELP, "-h"); break;
		case OPT_SYSTEM: cli.system_format = true; break;
		case OPT_NEXT:
			rc = set_action(&act, ACT_NEXT, "--next");
			if (rc == 0)
				rc = parse_count(optarg, &cli.count);
			break;
		case OPT_FROM: cli.from = optarg; break;
		case OPT_TZ: cli.zone = optarg; break;
		case OPT_CONFIG: cli.config = optarg; break;
		default:
			return usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
		}
		if (rc)
			return rc;
	}
	cli.args = argv + optind;
	cli.nargs = argc - optind;
	if (cli.system_format && act != ACT_CHECK)
		return usage_error("%s only goes with -T", "--system");
	if ((cli.from || cli.zone) && act != ACT_NEXT)
		return usage_error("%s only goes with --next", cli.from ? "--from" : "--tz");

	switch (act) {
	case ACT_CHECK:
		return crontab_cmd_check(&cli);
	case ACT_NEXT:
		if (cli.nargs == 0)
			return usage_error("%s needs a schedule, e.g. '30 2 * * *'", "--next");
		return crontab_cmd_next_schedule(&cli);
	case ACT_VERSION:
		printf("crontab (crond) %s\n", CROND_VERSION);
		return EXIT_OK;
	case ACT_HELP:
		fputs(usage_text, stdout);
		return EXIT_OK;
	case ACT_NONE:
		break;
	}
	return usage_error("%s", "no action given");
}
