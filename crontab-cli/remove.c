/* crontab-cli/remove.c: `crontab [-u USER] [-i] -r`.
 *
 * With -i, asks "crontab: really delete alice's crontab? (y/n) " first
 * (as cronie and Debian do); only an answer starting with y or Y removes,
 * anything else (and end of input) cancels with exit status 0. With no
 * crontab it does not ask: "no crontab for alice", exit status 1, as
 * Debian's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/store.h"

int crontab_cmd_remove(const struct crontab_cli *cli)
{
	struct cli_user who;
	struct store st;
	if (cli_user_resolve(cli, &who) < 0 || store_init(&st, cli, &who) < 0)
		return EXIT_FAIL;
	if (cli->ask) {
		char *text = NULL;
		size_t len = 0;
		int got = store_get(&st, &text, &len);
		free(text);
		if (got == STORE_NONE) {
			fprintf(stderr, "no crontab for %s\n", who.name);
			return EXIT_FAIL;
		}
		if (got != STORE_OK)
			return EXIT_FAIL;
		char question[CLI_NAME_MAX + 64];
		snprintf(question, sizeof(question), "crontab: really delete %s's crontab? (y/n) ",
		         who.name);
		if (!cli_ask_yes(question, false))
			return EXIT_OK;
	}
	int rc = store_remove(&st);
	if (rc == STORE_NONE) {
		fprintf(stderr, "no crontab for %s\n", who.name);   /* Debian's words */
		return EXIT_FAIL;
	}
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}
