/* lib/config.c: reading crond.conf (see config.h).
 *
 * Keys are described by one table: name, kind, where the value goes and its
 * bounds, so adding a key is one line and every key is checked the same way.
 */
#include "lib/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cronmail.h"
#include "lib/readall.h"

enum kind {
	K_PATH, K_PATH_OR_EMPTY, K_STRING, K_UINT, K_LOAD, K_LOG, K_MAIL, K_BOOL, K_NAME, K_NODE,
	K_SPOOL
};

struct key {
	const char *name;
	enum kind kind;
	size_t offset;
	uint32_t min, max;   /* K_UINT bounds */
};

#define PATHKEY(n) { #n, K_PATH, offsetof(struct config, n), 0, 0 }
static const struct key keys[] = {
	PATHKEY(pidfile),
	PATHKEY(socket),
	{ "spool", K_SPOOL, offsetof(struct config, spool), 0, 0 },
	PATHKEY(system_crontab),
	PATHKEY(system_crontab_dir),
	PATHKEY(cron_allow),
	PATHKEY(cron_deny),
	PATHKEY(at_allow),
	PATHKEY(at_deny),
	{ "sendmail", K_PATH_OR_EMPTY, offsetof(struct config, sendmail), 0, 0 },
	{ "metrics_file", K_PATH_OR_EMPTY, offsetof(struct config, metrics_file), 0, 0 },
	PATHKEY(loadavg_file),
	PATHKEY(shell),
	{ "path", K_STRING, offsetof(struct config, path), 0, 0 },
	{ "max_jobs", K_UINT, offsetof(struct config, max_jobs), 1, 100000 },
	{ "max_jobs_per_user", K_UINT, offsetof(struct config, max_jobs_per_user), 0, 100000 },
	{ "reserved_jobs", K_UINT, offsetof(struct config, reserved_jobs), 0, 100000 },
	{ "max_waiting_per_user", K_UINT, offsetof(struct config, max_waiting_per_user), 1, 1000000 },
	{ "max_waiting", K_UINT, offsetof(struct config, max_waiting), 1, 1000000 },
	{ "output_cap", K_UINT, offsetof(struct config, output_cap), 0, 64u << 20 },
	{ "history_days", K_UINT, offsetof(struct config, history_days), 0, 36500 },
	{ "history_per_entry", K_UINT, offsetof(struct config, history_per_entry), 0, 1000000 },
	{ "history_per_user", K_UINT, offsetof(struct config, history_per_user), 0, 10000000 },
	{ "batch_load", K_LOAD, offsetof(struct config, batch_load), 0, 0 },
	{ "batch_interval", K_UINT, offsetof(struct config, batch_interval), 0, 86400 },
	{ "stop_grace", K_UINT, offsetof(struct config, stop_grace), 0, 3600 },
	{ "mail_timeout", K_UINT, offsetof(struct config, mail_timeout), 1, 86400 },
	{ "max_conns_per_user", K_UINT, offsetof(struct config, max_conns_per_user), 1, 256 },
	{ "max_reply_bytes", K_UINT, offsetof(struct config, max_reply_bytes), 65536, 1u << 30 },
	{ "at_jobs_per_user", K_UINT, offsetof(struct config, at_jobs_per_user), 1, 1000000 },
	{ "at_bytes_per_user", K_UINT, offsetof(struct config, at_bytes_per_user), 4096,
	  UINT32_MAX },
	/* The upper bound is CRONTAB_MAX_BYTES (lib/crontab.h), the hard limit. */
	{ "crontab_max_bytes", K_UINT, offsetof(struct config, crontab_max_bytes), 1024,
	  1024 * 1024 },
	{ "log", K_LOG, offsetof(struct config, log), 0, 0 },
	{ "cron_mail", K_MAIL, offsetof(struct config, cron_mail), 0, 0 },
	{ "pam", K_BOOL, offsetof(struct config, pam), 0, 0 },
	{ "direct_exec", K_BOOL, offsetof(struct config, direct_exec), 0, 0 },
	{ "pam_service", K_NAME, offsetof(struct config, pam_service), 0, 0 },
	PATHKEY(session_helper),
	{ "node", K_NODE, offsetof(struct config, node), 0, 0 },
	{ "node_timeout", K_UINT, offsetof(struct config, node_timeout), 2, 86400 },
	{ "max_clock_skew", K_UINT, offsetof(struct config, max_clock_skew), 1, 3600 },
	{ "cluster_resync", K_UINT, offsetof(struct config, cluster_resync), 1, 86400 },
	{ "cluster_spread", K_UINT, offsetof(struct config, cluster_spread), 0, 10000 },
};

static void set_str(char *dst, const char *src)
{
	snprintf(dst, CONFIG_PATH_MAX, "%s", src);
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	set_str(cfg->pidfile, "/var/run/crond.pid");
	set_str(cfg->socket, "/run/crond.sock");
	set_str(cfg->spool, "/var/spool/cron/crond.db");
	set_str(cfg->system_crontab, "/etc/crontab");
	set_str(cfg->system_crontab_dir, "/etc/cron.d");
	set_str(cfg->cron_allow, "/etc/cron.allow");
	set_str(cfg->cron_deny, "/etc/cron.deny");
	set_str(cfg->at_allow, "/etc/at.allow");
	set_str(cfg->at_deny, "/etc/at.deny");
	set_str(cfg->sendmail, "/usr/sbin/sendmail");
	set_str(cfg->loadavg_file, "/proc/loadavg");
	set_str(cfg->shell, "/bin/sh");
	set_str(cfg->path, "/usr/bin:/bin");
	cfg->max_jobs = 256;
	cfg->max_jobs_per_user = 0;
	cfg->reserved_jobs = 0;
	cfg->max_waiting_per_user = 1000;
	cfg->max_waiting = 10000;
	cfg->output_cap = 256 * 1024;
	cfg->history_days = 30;
	cfg->history_per_entry = 100;
	cfg->history_per_user = 10000;
	cfg->batch_load = 1.5;
	cfg->batch_interval = 60;
	cfg->stop_grace = 10;
	cfg->mail_timeout = 300;
	cfg->max_conns_per_user = 16;
	cfg->max_reply_bytes = 32u << 20;
	cfg->at_jobs_per_user = 1000;
	cfg->at_bytes_per_user = 16u << 20;
	cfg->crontab_max_bytes = 256 * 1024;
	cfg->log = CONFIG_LOG_DEFAULT;
	cfg->cron_mail = CRON_MAIL_ALWAYS;
	/* Off unless asked for: PAM sessions need root, and a private instance
	 * (tests, make run, a user's own crond) has none; the package's
	 * /etc/crond.conf turns it on. */
	cfg->pam = false;
	cfg->direct_exec = true;
	snprintf(cfg->pam_service, sizeof(cfg->pam_service), "crond");
	set_str(cfg->session_helper, CONFIG_SESSION_HELPER);
	cfg->node[0] = '\0';   /* the host name (crond asks at start) */
	cfg->node_timeout = 30;
	cfg->max_clock_skew = 2;
	cfg->cluster_resync = 60;
	cfg->cluster_spread = 200;
}

const char *config_choose_path(const char *explicit_path, bool *named)
{
	*named = true;
	if (explicit_path)
		return explicit_path;
	const char *env = getenv("CROND_CONF");
	if (env && *env)
		return env;
	*named = false;
	return CONFIG_DEFAULT_PATH;
}

static int set_value(const struct key *k, const char *v, struct config *cfg, char *msg,
                     size_t msglen)
{
	char *field = (char *)cfg + k->offset;
	char *end;
	switch (k->kind) {
	case K_SPOOL:
		/* A PostgreSQL connection URI (spool/spool.h: shared by a
		 * cluster), else an SQLite file's path. */
		if ((strncmp(v, "postgresql://", 13) == 0 || strncmp(v, "postgres://", 11) == 0) &&
		    strlen(v) < CONFIG_PATH_MAX) {
			set_str(field, v);
			return 0;
		}
		if (v[0] != '/' || strlen(v) >= CONFIG_PATH_MAX) {
			snprintf(msg, msglen, "%s must be an absolute path or a postgresql:// URI, "
			         "shorter than %d bytes, not '%.60s'", k->name, CONFIG_PATH_MAX, v);
			return -1;
		}
		set_str(field, v);
		return 0;
	case K_PATH:
	case K_PATH_OR_EMPTY:
		if (v[0] == '\0' && k->kind == K_PATH_OR_EMPTY) {
			field[0] = '\0';
			return 0;
		}
		if (v[0] != '/' || strlen(v) >= CONFIG_PATH_MAX) {
			snprintf(msg, msglen, "%s must be an absolute path shorter than %d bytes, not '%.60s'",
			         k->name, CONFIG_PATH_MAX, v);
			return -1;
		}
		set_str(field, v);
		return 0;
	case K_STRING:
		if (v[0] == '\0' || strlen(v) >= CONFIG_PATH_MAX) {
			snprintf(msg, msglen, "%s must be a non-empty value shorter than %d bytes",
			         k->name, CONFIG_PATH_MAX);
			return -1;
		}
		set_str(field, v);
		return 0;
	case K_UINT: {
		errno = 0;
		unsigned long long n = strtoull(v, &end, 10);
		if (!isdigit((unsigned char)v[0]) || *end || errno || n < k->min || n > k->max) {
			snprintf(msg, msglen, "%s must be a whole number from %u to %u, not '%.60s'",
			         k->name, k->min, k->max, v);
			return -1;
		}
		*(uint32_t *)(void *)field = (uint32_t)n;
		return 0;
	}
	case K_LOAD: {
		double d = strtod(v, &end);
		if (!isdigit((unsigned char)v[0]) || *end || !isfinite(d) || d < 0 || d > 10000) {
			snprintf(msg, msglen, "%s must be a load average such as 1.5, not '%.60s'",
			         k->name, v);
			return -1;
		}
		*(double *)(void *)field = d;
		return 0;
	}
	case K_LOG: {
		static const char *const names[] = { "", "syslog", "stderr", "both" };
		for (int i = 1; i < 4; i++) {
			if (strcmp(v, names[i]) == 0) {
				*(enum config_log *)(void *)field = (enum config_log)i;
				return 0;
			}
		}
		snprintf(msg, msglen, "log must be syslog, stderr or both, not '%.60s'", v);
		return -1;
	}
	case K_MAIL: {
		enum cron_mail m = cron_mail_parse(v);
		if (m == CRON_MAIL_UNSET) {
			snprintf(msg, msglen, "%s must be always, failure or never, not '%.60s'",
			         k->name, v);
			return -1;
		}
		*(uint8_t *)(void *)field = (uint8_t)m;
		return 0;
	}
	case K_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
			*(bool *)(void *)field = v[0] == 'y';
			return 0;
		}
		snprintf(msg, msglen, "%s must be yes or no, not '%.60s'", k->name, v);
		return -1;
	case K_NAME: {
		/* A file name under a fixed directory (/etc/pam.d): no '/', no
		 * leading '.', so it can never name another file. */
		size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                     "0123456789._-");
		if (v[0] == '\0' || v[0] == '.' || v[n] != '\0' || n >= CONFIG_NAME_MAX) {
			snprintf(msg, msglen,
			         "%s must be a name of letters, digits, '.', '_' and '-' (not starting "
			         "with '.', under %d bytes), not '%.60s'",
			         k->name, CONFIG_NAME_MAX, v);
			return -1;
		}
		snprintf(field, CONFIG_NAME_MAX, "%s", v);
		return 0;
	}
	case K_NODE: {
		/* As spool_set_node accepts (spool/spool.h). */
		size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                     "0123456789._-");
		if (v[0] == '\0' || v[n] != '\0' || n >= CONFIG_NODE_MAX) {
			snprintf(msg, msglen,
			         "%s must be 1 to %d bytes of letters, digits, '.', '_' and '-', "
			         "not '%.60s'", k->name, CONFIG_NODE_MAX - 1, v);
			return -1;
		}
		snprintf(field, CONFIG_NODE_MAX, "%s", v);
		return 0;
	}
	}
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim_end(char *s)
{
	char *e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		e--;
	*e = '\0';
}

/* An unquoted value: a '#' at its start or after a blank starts a comment. */
static void strip_comment(char *v)
{
	for (char *p = v; *p; p++) {
		if (*p == '#' && (p == v || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	trim_end(v);
}

/* A quoted value (V starts with '"') ends at the next '"': there are no
 * escapes, so it holds anything but '"' itself, '#' included. After the
 * closing quote only blanks and a '#' comment may follow: anything else, or
 * no closing quote, was surely not meant literally. Unquotes V in place;
 * on error sets *COL (1-based, from LINE) and MSG. */
static int unquote(char *v, const char *line, const char *key, int *col, char *msg,
                   size_t msglen)
{
	char *close = strchr(v + 1, '"');
	if (!close) {
		*col = (int)(v - line) + 1;
		snprintf(msg, msglen, "the quoted value of %.60s has no closing '\"'", key);
		return -1;
	}
	char *rest = close + 1;
	while (is_blank(*rest))
		rest++;
	if (*rest != '\0' && *rest != '#') {
		*col = (int)(rest - line) + 1;
		trim_end(rest);
		snprintf(msg, msglen, "text after the quoted value of %.60s: '%.60s' (only a '#' "
		         "comment may follow the closing '\"')", key, rest);
		return -1;
	}
	*close = '\0';
	memmove(v, v + 1, (size_t)(close - v));
	return 0;
}

/* Splits "key = value" in place; LINE is the whole line, for columns. On
 * error sets *COL (0: the whole line) and MSG. */
static int split_line(char *line, char *start, char **key, char **value, int *col, char *msg,
                      size_t msglen)
{
	*col = 0;
	char *eq = strchr(start, '=');
	if (!eq) {
		snprintf(msg, msglen, "expected 'key = value'");
		return -1;
	}
	char *k = start, *ke = eq;
	while (is_blank(*k))
		k++;
	while (ke > k && is_blank(ke[-1]))
		ke--;
	*ke = '\0';
	if (!*k) {
		snprintf(msg, msglen, "missing key before '='");
		return -1;
	}
	char *v = eq + 1;
	while (is_blank(*v))
		v++;
	if (*v == '"') {
		if (unquote(v, line, k, col, msg, msglen) < 0)
			return -1;
	} else {
		strip_comment(v);
	}
	*key = k;
	*value = v;
	return 0;
}

static void parse_line(char *line, int lineno, struct config *cfg, struct diag_list *diags)
{
	char *p = line;
	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return;
	char *key, *value, msg[DIAG_MSG_MAX];
	int col;
	if (split_line(line, p, &key, &value, &col, msg, sizeof(msg)) < 0) {
		diag_add(diags, lineno, col, false, "%s", msg);
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].name, key) == 0) {
			if (set_value(&keys[i], value, cfg, msg, sizeof(msg)) < 0)
				diag_add(diags, lineno, 0, false, "%s", msg);
			return;
		}
	}
	diag_add(diags, lineno, 0, false, "unknown key '%.60s'", key);
}

int config_parse(const char *text, size_t len, struct config *cfg, struct diag_list *diags)
{
	size_t before = diags->errors;
	int lineno = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		lineno++;
		if (n > 4096 || memchr(text + pos, '\0', n)) {
			diag_add(diags, lineno, 0, false, "line too long or not text");
		} else {
			char line[4097];
			memcpy(line, text + pos, n);
			if (n && line[n - 1] == '\r')
				n--;
			line[n] = '\0';
			parse_line(line, lineno, cfg, diags);
		}
		pos = end + 1;
	}
	return diags->errors > before ? -1 : 0;
}

int config_load(const char *explicit_path, struct config *cfg, struct diag_list *diags)
{
	config_defaults(cfg);
	bool named;
	const char *path = config_choose_path(explicit_path, &named);
	char *text;
	size_t len;
	char err[512];
	if (!named && access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (readall(path, CONFIG_MAX_BYTES, &text, &len, err, sizeof(err)) < 0) {
		/* The caller prints the file's name before the message. */
		size_t n = strlen(path);
		const char *reason = strncmp(err, path, n) == 0 && err[n] == ':' ? err + n + 2 : err;
		diag_add(diags, 0, 0, false, "%s", reason);
		return -1;
	}
	set_str(cfg->source, path);
	int rc = config_parse(text, len, cfg, diags);
	free(text);
	return rc;
}
