/* crontab-cli/edit.c: `crontab [-u USER] -e`.
 *
 * Copy the installed crontab (or an empty one) to a private temp file
 * (edit_file.h), run the editor, and install the result if it changed.
 * Messages are Debian's: "no crontab for alice - using an empty one", "No
 * modification made", "crontab: installing new crontab", and on errors
 * "errors in crontab file, can't install." then "Do you want to retry the
 * same edit? (y/n) ". Answering no keeps
 * the edits ("edits left in FILE", as Debian does) and exits 1; so does any
 * other failure to install changed text: edits are never thrown away
 * silently. The temp file and its directory are removed in every other case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/edit_file.h"
#include "crontab-cli/install.h"
#include "crontab-cli/store.h"
#include "lib/crontab.h"

/* The current crontab into *TEXT (an empty one when there is none). */
static int fetch(struct store *st, const struct cli_user *who, char **text, size_t *len)
{
	int rc = store_get(st, text, len);
	if (rc == STORE_NONE) {
		fprintf(stderr, "no crontab for %s - using an empty one\n", who->name);
		*text = calloc(1, 1);
		*len = 0;
		if (!*text) {
			fprintf(stderr, "crontab: out of memory\n");
			return -1;
		}
		return 0;
	}
	return rc == STORE_OK ? 0 : -1;
}

static int keep_edits(struct edit_file *ef)
{
	fprintf(stderr, "crontab: edits left in %s\n", ef->path);
	edit_file_keep(ef);
	return EXIT_FAIL;
}

/* Edit until installed, unchanged, abandoned or failed; returns the exit
 * status and disposes of the temp file. */
static int edit_loop(struct store *st, struct edit_file *ef, const char *orig, size_t orig_len)
{
	for (;;) {
		if (edit_file_run_editor(ef) < 0) {
			fprintf(stderr, "crontab: crontab not changed\n");
			edit_file_remove(ef);
			return EXIT_FAIL;
		}
		char *text;
		size_t len;
		if (edit_file_read(ef, CRONTAB_MAX_BYTES, &text, &len) < 0) {
			fprintf(stderr, "crontab: crontab not changed\n");
			edit_file_remove(ef);
			return EXIT_FAIL;
		}
		if (len == orig_len && memcmp(text, orig, len) == 0) {
			free(text);
			fprintf(stderr, "No modification made\n");
			edit_file_remove(ef);
			return EXIT_OK;
		}
		fprintf(stderr, "crontab: installing new crontab\n");
		int rc = cli_check_and_install(st, text, len, ef->path);
		free(text);
		if (rc == STORE_OK) {
			edit_file_remove(ef);
			return EXIT_OK;
		}
		if (rc != STORE_INVALID)
			return keep_edits(ef);
		fprintf(stderr, "errors in crontab file, can't install.\n");
		if (!cli_ask_yes("Do you want to retry the same edit? (y/n) ", true))
			return keep_edits(ef);
	}
}

int crontab_cmd_edit(const struct crontab_cli *cli)
{
	struct cli_user who;
	struct store st;
	if (cli_user_resolve(cli, &who) < 0 || store_init(&st, cli, &who) < 0)
		return EXIT_FAIL;
	char *orig;
	size_t orig_len;
	if (fetch(&st, &who, &orig, &orig_len) < 0)
		return EXIT_FAIL;
	struct edit_file ef;
	int status = EXIT_FAIL;
	if (edit_file_create(&ef, orig, orig_len) == 0)
		status = edit_loop(&st, &ef, orig, orig_len);
	free(orig);
	return status;
}
