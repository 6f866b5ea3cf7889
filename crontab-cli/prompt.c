/* crontab-cli/prompt.c: yes/no questions (see cli.h).
 *
 * The question goes to stderr, as rm -i does, so that standard output stays
 * clean; the answer is one line of standard input. End of input is a no:
 * never loop on a closed stdin.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crontab-cli/cli.h"

/* How many unclear answers are asked again before giving up (a no). */
#define PROMPT_MAX_TRIES 10

/* Reads one line into BUF (the rest of a longer line is discarded).
 * Returns 0, or -1 at end of input. */
static int read_line(char *buf, size_t size)
{
	if (!fgets(buf, (int)size, stdin))
		return -1;
	if (!strchr(buf, '\n')) {
		int ch;
		while ((ch = getchar()) != EOF && ch != '\n')
			;
	}
	return 0;
}

int cli_ask_yes(const char *question, bool strict)
{
	char buf[256];
	for (int tries = 0; tries < PROMPT_MAX_TRIES; tries++) {
		fputs(question, stderr);
		fflush(stderr);
		if (read_line(buf, sizeof(buf)) < 0) {
			fputc('\n', stderr);
			return 0;
		}
		const char *p = buf;
		while (*p == ' ' || *p == '\t')
			p++;
		int c = tolower((unsigned char)*p);
		if (c == 'y')
			return 1;
		if (c == 'n' || !strict)
			return 0;
		fputs("Please answer y or n.\n", stderr);
	}
	return 0;
}
