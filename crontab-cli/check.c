/* crontab-cli/check.c: `crontab -T FILE`: check a crontab without installing.
 *
 * Silent with exit 0 when valid (warnings, such as an entry that can never
 * run, are printed but do not fail); otherwise every error, exit 1. Under
 * Debian's name, -n, a valid file gets Debian's "The syntax of the crontab
 * file was successfully checked." on stderr. With -u, the user must be one
 * the caller may name (as for every action); the check itself is the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crontab-cli/cli.h"
#include "lib/crontab.h"
#include "lib/readall.h"
#include "lib/safetext.h"

/* Messages quote the input, which may be binary: never send its control
 * bytes (terminal escape sequences) to the terminal. */
void crontab_print_diags(const struct diag_list *diags, const char *name)
{
	for (size_t i = 0; i < diags->count; i++) {
		char line[DIAG_MSG_MAX + 512];
		diag_format(&diags->items[i], name, line, sizeof(line));
		/* the value it quotes is the user's: escaped as everywhere
		 * (lib/safetext.h), the 8-bit and UTF-8 controls included */
		fputs("crontab: ", stderr);
		(void)safetext_fputs(line, strlen(line), stderr);
		fputc('\n', stderr);
	}
	if (diags->dropped)
		fprintf(stderr, "crontab: %s: %zu more diagnostics not shown\n", name, diags->dropped);
}

int crontab_cmd_check(const struct crontab_cli *cli)
{
	/* A user crontab is checked as the caller's, or -u USER's: only root's
	 * may use the '-' (do not log) prefix. */
	struct cli_user who = { .uid = getuid() };
	if (cli->user && cli_user_resolve(cli, &who) < 0)
		return EXIT_FAIL;
	const char *path = cli->args[0];   /* main.c: exactly one operand */
	const char *name = strcmp(path, "-") == 0 ? "(standard input)" : path;
	char *text;
	size_t len;
	char err[512];
	if (readall(path, CRONTAB_MAX_BYTES, &text, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);   /* "FILE: why", as Debian's */
		return EXIT_FAIL;
	}
	struct crontab tab;
	struct diag_list diags = { 0 };
	int rc = crontab_parse(text, len, cli->system_format ? CRONTAB_SYSTEM
	                                                     : crontab_user_format(who.uid),
	                       &tab, &diags);
	if (rc == 0) {
		if (crontab_check_zones(&tab, &diags) == 0)
			crontab_check_never(&tab, (int64_t)time(NULL), &diags);
		crontab_free(&tab);
	}
	crontab_print_diags(&diags, name);
	int status = diags.errors ? EXIT_FAIL : EXIT_OK;
	/* -n is Debian's dry run: its last line either way, as an install's */
	if (status == EXIT_OK && cli->check_says_ok)
		fprintf(stderr, "The syntax of the crontab file was successfully checked.\n");
	else if (cli->check_says_ok)
		fprintf(stderr, "errors in crontab file, can't install.\n");
	diag_list_clear(&diags);
	free(text);
	return status;
}
