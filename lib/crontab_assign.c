/* lib/crontab_assign.c: assignment lines and extension settings.
 *
 * Vixie cron's rules: NAME = VALUE with optional blanks around '=', either
 * side optionally in single or double quotes, an unquoted value loses its
 * trailing blanks. Stricter here: an unterminated quote or text after a
 * closing quote is an error, not a guess.
 */
#include "lib/crontab_assign.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cronmail.h"
#include "lib/tz.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

bool assign_line_is_assignment(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && blank(line[i]))
		i++;
	if (i == len)
		return false;
	unsigned char c = (unsigned char)line[i];
	if (isdigit(c) || c == '*' || c == '@' || c == '-' || c == ',' || c == '~')
		return false;
	return memchr(line + i, '=', len - i) != NULL;
}

/* Reads a possibly quoted token starting at *POS, ending (when unquoted) at
 * a blank or STOP. Copies it to OUT. Returns 0 or -1 with an error. */
static int read_token(const char *line, size_t len, size_t *pos, char stop, char *out,
                      size_t *err_col, char *msg, size_t msglen, const char *what)
{
	size_t i = *pos, n = 0;
	if (i < len && (line[i] == '"' || line[i] == '\'')) {
		char q = line[i];
		const char *close = memchr(line + i + 1, q, len - i - 1);
		if (!close) {
			*err_col = i;
			snprintf(msg, msglen, "unterminated %s quote in the %s", q == '"' ? "double" : "single",
			         what);
			return -1;
		}
		n = (size_t)(close - (line + i + 1));
		memcpy(out, line + i + 1, n);
		i = (size_t)(close - line) + 1;
	} else {
		while (i < len && !blank(line[i]) && line[i] != stop)
			out[n++] = line[i++];
	}
	out[n] = '\0';
	*pos = i;
	return 0;
}

int assign_split(const char *line, size_t len, char *scratch, const char **name,
                 const char **value, size_t *value_col, size_t *err_col, char *msg,
                 size_t msglen)
{
	size_t i = 0;
	while (i < len && blank(line[i]))
		i++;
	size_t name_col = i;
	char *nbuf = scratch;
	if (read_token(line, len, &i, '=', nbuf, err_col, msg, msglen, "name") < 0)
		return -1;
	if (nbuf[0] == '\0') {
		*err_col = name_col;
		snprintf(msg, msglen, "empty variable name before '='");
		return -1;
	}
	if (strchr(nbuf, '=')) {
		*err_col = name_col;
		snprintf(msg, msglen, "a variable name cannot contain '='");
		return -1;
	}
	while (i < len && blank(line[i]))
		i++;
	if (i >= len || line[i] != '=') {
		*err_col = i;
		snprintf(msg, msglen, "expected '=' after the variable name '%.40s'", nbuf);
		return -1;
	}
	i++;
	while (i < len && blank(line[i]))
		i++;
	*value_col = i;
	char *vbuf = scratch + strlen(nbuf) + 1;
	bool quoted = i < len && (line[i] == '"' || line[i] == '\'');
	if (quoted) {
		if (read_token(line, len, &i, '\0', vbuf, err_col, msg, msglen, "value") < 0)
			return -1;
		while (i < len && blank(line[i]))
			i++;
		if (i < len) {
			*err_col = i;
			snprintf(msg, msglen, "unexpected text after the closing quote of %.40s's value",
			         nbuf);
			return -1;
		}
	} else {
		size_t end = len;
		while (end > i && blank(line[end - 1]))
			end--;
		memcpy(vbuf, line + i, end - i);
		vbuf[end - i] = '\0';
	}
	*name = nbuf;
	*value = vbuf;
	return 0;
}

/* Parses a CRON_TIMEOUT duration: N, Ns, Nm, Nh or Nd; "" / "0" / "none" = 0. */
static int parse_duration(const char *v, uint32_t *secs)
{
	if (v[0] == '\0' || strcmp(v, "none") == 0) {
		*secs = 0;
		return 0;
	}
	if (!isdigit((unsigned char)v[0]))
		return -1;
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	unsigned long long unit = 1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		unit = 60, end++;
	else if (*end == 'h')
		unit = 3600, end++;
	else if (*end == 'd')
		unit = 86400, end++;
	if (*end != '\0' || n > CRONTAB_MAX_TIMEOUT || n * unit > CRONTAB_MAX_TIMEOUT)
		return -1;
	*secs = (uint32_t)(n * unit);
	return 0;
}

static int parse_minutes(const char *v, uint32_t *out)
{
	if (!isdigit((unsigned char)v[0]))
		return -1;
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (*end != '\0' || n > CRONTAB_MAX_RANDOM_DELAY)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int check_zone_form(const char *v, char *msg, size_t msglen)
{
	size_t n = strlen(v);
	if (n > TZ_NAME_MAX) {
		snprintf(msg, msglen, "CRON_TZ value is %zu bytes long, over the limit of %d", n,
		         TZ_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isgraph((unsigned char)v[i])) {
			snprintf(msg, msglen, "CRON_TZ value contains a blank or control character");
			return -1;
		}
	}
	return 0;
}

int assign_apply_option(const char *name, const char *value, struct crontab_options *opts,
                        char *msg, size_t msglen)
{
	if (strcmp(name, "CRON_TZ") == 0) {
		if (check_zone_form(value, msg, msglen) < 0)
			return -1;
		opts->tz = value[0] ? value : NULL;
	} else if (strcmp(name, "RANDOM_DELAY") == 0) {
		if (parse_minutes(value, &opts->random_delay) < 0) {
			snprintf(msg, msglen, "RANDOM_DELAY must be a whole number of minutes from 0 "
			         "to %d, not '%.40s'", CRONTAB_MAX_RANDOM_DELAY, value);
			return -1;
		}
	} else if (strcmp(name, "CRON_TIMEOUT") == 0) {
		if (parse_duration(value, &opts->timeout) < 0) {
			snprintf(msg, msglen, "CRON_TIMEOUT must be a duration such as 90s, 30m, 2h or "
			         "1d (at most 7d), or none; not '%.40s'", value);
			return -1;
		}
	} else if (strcmp(name, "CRON_OVERLAP") == 0) {
		if (strcmp(value, "allow") != 0 && strcmp(value, "skip") != 0) {
			snprintf(msg, msglen, "CRON_OVERLAP must be 'allow' or 'skip', not '%.40s'", value);
			return -1;
		}
		opts->overlap_skip = value[0] == 's';
	} else if (strcmp(name, "CRON_CATCHUP") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			snprintf(msg, msglen, "CRON_CATCHUP must be 'yes' or 'no', not '%.40s'", value);
			return -1;
		}
		opts->catchup = value[0] == 'y';
	} else if (strcmp(name, "CRON_NODES") == 0) {
		if (strcmp(value, "one") != 0 && strcmp(value, "all") != 0) {
			snprintf(msg, msglen, "CRON_NODES must be 'one' or 'all', not '%.40s'", value);
			return -1;
		}
		opts->all_nodes = value[0] == 'a';
	} else if (strcmp(name, "CRON_MAIL") == 0) {
		enum cron_mail m = cron_mail_parse(value);
		if (m == CRON_MAIL_UNSET) {
			snprintf(msg, msglen, "CRON_MAIL must be 'always', 'failure' or 'never', not "
			         "'%.40s'", value);
			return -1;
		}
		opts->mail = (uint8_t)m;
	} else {
		return 0;
	}
	return 1;
}
