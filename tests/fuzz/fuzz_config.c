/* tests/fuzz/fuzz_config.c: libFuzzer target for the crond.conf parser.
 *
 * Parses arbitrary bytes over the defaults with config_parse(), formats every
 * diagnostic, and holds the result to lib/config.h's promises: every string
 * field stays NUL-terminated inside its buffer, every path key but sendmail
 * (which may be empty) stays absolute (the spool, unless it is a
 * postgresql:// or postgres:// URI), max_jobs stays at least 1, the batch
 * load stays a finite number, and the return value agrees with the errors
 * reported. Parsing the same bytes twice gives the same configuration. A broken promise aborts, so libFuzzer keeps the input.
 * Build and run with `make fuzz` (clang, ASan+UBSan).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *field, bool absolute)
{
	if (memchr(field, '\0', CONFIG_PATH_MAX) == NULL)
		abort();
	if (absolute && field[0] != '/')
		abort();
}

static void check(const struct config *cfg)
{
	const char *const paths[] = {
		cfg->pidfile, cfg->socket, cfg->system_crontab,
		cfg->system_crontab_dir, cfg->cron_allow, cfg->cron_deny, cfg->at_allow,
		cfg->at_deny, cfg->loadavg_file, cfg->shell,
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		check_string(paths[i], true);
	/* the spool is a file's absolute path or a cluster's PostgreSQL URI */
	bool uri = strncmp(cfg->spool, "postgresql://", 13) == 0 ||
	           strncmp(cfg->spool, "postgres://", 11) == 0;
	check_string(cfg->spool, !uri);
	check_string(cfg->sendmail, false);
	check_string(cfg->path, false);
	if (cfg->path[0] == '\0')
		abort();
	if (cfg->max_jobs < 1 || !isfinite(cfg->batch_load) || cfg->batch_load < 0)
		abort();
}

static int parse(const uint8_t *data, size_t size, struct config *cfg)
{
	struct diag_list diags = { 0 };
	config_defaults(cfg);
	int rc = config_parse((const char *)data, size, cfg, &diags);
	if ((rc == 0) != (diags.errors == 0))
		abort();
	char buf[512];
	for (size_t i = 0; i < diags.count; i++) {
		diag_format(&diags.items[i], "crond.conf", buf, sizeof buf);
		if (memchr(buf, '\0', sizeof buf) == NULL)
			abort();
	}
	diag_list_clear(&diags);
	check(cfg);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config a, b;
	if (size > CONFIG_MAX_BYTES)
		return 0;
	int ra = parse(data, size, &a);
	int rb = parse(data, size, &b);
	if (ra != rb || memcmp(&a, &b, sizeof a) != 0)
		abort();
	return 0;
}
