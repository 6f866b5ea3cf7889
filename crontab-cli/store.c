/* crontab-cli/store.c: crontab operations through crond (see store.h).
 *
 * Each operation opens its own connection: crond drops idle clients, and
 * `crontab -e` may sit in an editor for an hour between reading and
 * installing. Whether crond runs is decided per operation too, so a crond
 * started while root edits receives the install itself.
 */
#include "crontab-cli/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crontab-cli/store_spool.h"
#include "lib/client.h"

int store_init(struct store *st, const struct crontab_cli *cli, const struct cli_user *who)
{
	memset(st, 0, sizeof(*st));
	st->who = who;
	struct diag_list diags = { 0 };
	bool named;
	const char *path = config_choose_path(cli->config, &named);
	if (config_load(cli->config, &st->cfg, &diags) < 0) {
		crontab_print_diags(&diags, path);
		diag_list_clear(&diags);
		return -1;
	}
	diag_list_clear(&diags);
	return 0;
}

/* Connects to crond: 1 connected; 0 crond is not running and the caller is
 * root, so use the spool (the reason is kept for store_note_direct); -1
 * failed (printed). */
static int connect_crond(struct store *st, struct client *c)
{
	int no_daemon = 0;
	if (client_open(&st->cfg, c, &no_daemon, st->why, sizeof(st->why)) == 0)
		return 1;
	if (!no_daemon || getuid() != 0) {
		fprintf(stderr, "crontab: %s\n", st->why);
		return -1;
	}
	return 0;
}

void store_note_direct(struct store *st, bool reads)
{
	bool *noted = reads ? &st->noted_read : &st->noted_write;
	if (!*noted && reads)
		fprintf(stderr, "crontab: %s; read the spool %s directly\n", st->why,
		        st->cfg.spool);
	else if (!*noted)
		fprintf(stderr, "crontab: %s; changed the spool %s directly (crond will load it "
		        "when it starts)\n", st->why, st->cfg.spool);
	*noted = true;
}

/* Connects to crond and starts REQ, a request of TYPE about WHO (TAG_USER
 * only when -u named someone): as connect_crond, 1 with C open and REQ
 * begun, 0 to use the spool, -1 failed (printed, nothing left open). */
static int begin(struct store *st, struct client *c, struct proto_buf *req, uint16_t type)
{
	int how = connect_crond(st, c);
	if (how <= 0)
		return how;
	if (proto_buf_init(req, type) != PROTO_OK) {
		fprintf(stderr, "crontab: out of memory\n");
		client_close(c);
		return -1;
	}
	if (st->who->named)
		(void)proto_buf_add_str(req, TAG_USER, st->who->name);
	return 1;
}

/* crond's answer to one request. */
struct answer {
	struct proto_msg reply;   /* caller frees */
	uint32_t code;            /* MSG_ERROR's enum msg_error */
	char err[1100];           /* MSG_ERROR's text, or the transport failure */
};

/* Sends REQ (freed) on C (closed) and reads the answer into A. 0 MSG_OK; 1
 * MSG_ERROR (the reply kept for its diagnostics); -1 transport failure
 * (printed). */
static int call(struct client *c, struct proto_buf *req, struct answer *a)
{
	int rc = client_call(c, req, &a->reply, &a->code, a->err, sizeof(a->err));
	client_close(c);
	if (rc == 0)
		return 0;
	if (a->reply.type != MSG_ERROR) {
		fprintf(stderr, "crontab: %s\n", a->err);
		return -1;
	}
	return 1;
}

void store_print_error(const struct store *st, uint32_t code, const char *msg)
{
	if (code == MSGE_DENIED && st->who->uid == getuid())
		fprintf(stderr, "You (%s) are not allowed to use this program (crontab)\n"
		        "See crontab(1) for more information\n", st->who->name);
	else if (code == MSGE_DENIED)
		fprintf(stderr, "The user %s cannot use this program (crontab)\n", st->who->name);
	fprintf(stderr, "crontab: %s\n", msg);
}

/* After call() returned RC (not 0) with A: STORE_NONE for MSGE_NOT_FOUND,
 * else STORE_FAIL with crond's error printed (unless call() did). */
static int failed(const struct store *st, int rc, const struct answer *a)
{
	if (rc > 0 && a->code == MSGE_NOT_FOUND)
		return STORE_NONE;
	if (rc > 0)
		store_print_error(st, a->code, a->err);
	return STORE_FAIL;
}

int store_get(struct store *st, char **text, size_t *len)
{
	struct client c;
	struct proto_buf req;
	int how = begin(st, &c, &req, MSG_CRONTAB_GET);
	if (how < 0)
		return STORE_FAIL;
	if (how == 0) {
		int rc = store_spool_get(st, text, len);
		if (rc != STORE_FAIL)
			store_note_direct(st, true);
		return rc;
	}
	struct answer a;
	int rc = call(&c, &req, &a);
	if (rc != 0) {
		proto_msg_free(&a.reply);
		return failed(st, rc, &a);
	}
	const uint8_t *data;
	size_t n;
	if (proto_get_bytes(&a.reply, TAG_TEXT, &data, &n, NULL) != PROTO_OK) {
		fprintf(stderr, "crontab: crond's reply has no crontab text\n");
		proto_msg_free(&a.reply);
		return STORE_FAIL;
	}
	*text = malloc(n + 1);
	if (!*text) {
		fprintf(stderr, "crontab: out of memory\n");
		proto_msg_free(&a.reply);
		return STORE_FAIL;
	}
	if (n)
		memcpy(*text, data, n);
	(*text)[n] = '\0';
	*len = n;
	int64_t seed = 0;
	st->have_seed = proto_get_i64(&a.reply, TAG_RANDOM_SEED, &seed, NULL) == PROTO_OK;
	st->seed = (uint64_t)seed;
	const uint8_t *zone;
	size_t zlen;
	if (proto_get_bytes(&a.reply, TAG_ZONE, &zone, &zlen, NULL) == PROTO_OK &&
	    zlen < sizeof(st->zone) && memchr(zone, '\0', zlen) == NULL) {
		memcpy(st->zone, zone, zlen);
		st->zone[zlen] = '\0';
	}
	proto_msg_free(&a.reply);
	return STORE_OK;
}

/* Prints crond's TAG_DIAG lines ("LINE:COL:message") as diagnostics of
 * NAME; returns how many there were. */
static size_t print_remote_diags(const struct proto_msg *reply, const char *name)
{
	struct diag_list diags = { 0 };
	struct proto_iter it;
	struct proto_field f;
	size_t n = 0;
	proto_iter_init(&it, reply, TAG_DIAG);
	while (proto_iter_next(&it, &f)) {
		char text[DIAG_MSG_MAX + 64];
		snprintf(text, sizeof(text), "%.*s", (int)(f.len < sizeof(text) ? f.len
		                                                              : sizeof(text) - 1),
		         (const char *)f.data);
		char *p = text, *end;
		long line = strtol(p, &end, 10);
		long col = 0;
		if (end != p && *end == ':') {
			p = end + 1;
			col = strtol(p, &end, 10);
			p = (end != p && *end == ':') ? end + 1 : p;
		} else {
			line = 0;
		}
		while (*p == ' ')
			p++;
		bool warning = strncmp(p, "warning: ", 9) == 0;
		diag_add(&diags, line > 0 && line < 1000000000 ? (int)line : 0,
		         col > 0 && col < 1000000000 ? (int)col : 0, warning, "%s",
		         warning ? p + 9 : p);
		n++;
	}
	crontab_print_diags(&diags, name);
	diag_list_clear(&diags);
	return n;
}

int store_install(struct store *st, const char *text, size_t len, const char *name,
                  const struct diag_list *warnings)
{
	struct client c;
	struct proto_buf req;
	int how = begin(st, &c, &req, MSG_CRONTAB_INSTALL);
	if (how < 0)
		return STORE_FAIL;
	if (how == 0) {
		crontab_print_diags(warnings, name);
		int rc = store_spool_install(st, text, len);
		if (rc == STORE_OK)
			store_note_direct(st, false);
		return rc;
	}
	struct answer a;
	(void)proto_buf_add_bytes(&req, TAG_TEXT, text, len);
	int rc = call(&c, &req, &a);
	if (rc < 0) {
		crontab_print_diags(warnings, name);
		return STORE_FAIL;
	}
	if (rc > 0) {
		size_t n = print_remote_diags(&a.reply, name);
		proto_msg_free(&a.reply);
		if (a.code == MSGE_INVALID && n > 0)
			return STORE_INVALID;
		store_print_error(st, a.code, a.err);
		return STORE_FAIL;
	}
	if (print_remote_diags(&a.reply, name) == 0)
		crontab_print_diags(warnings, name);
	proto_msg_free(&a.reply);
	return STORE_OK;
}

int store_remove(struct store *st)
{
	struct client c;
	struct proto_buf req;
	int how = begin(st, &c, &req, MSG_CRONTAB_REMOVE);
	if (how < 0)
		return STORE_FAIL;
	if (how == 0) {
		int rc = store_spool_remove(st);
		if (rc == STORE_OK)
			store_note_direct(st, false);
		return rc;
	}
	struct answer a;
	int rc = call(&c, &req, &a);
	proto_msg_free(&a.reply);
	return rc == 0 ? STORE_OK : failed(st, rc, &a);
}
