/* crond/control/control_crontab.c: MSG_PING and the crontab requests (install,
 * get, remove), on the control thread (see control_handlers.h).
 *
 * Install order matters: parse and check first (nothing is stored unless
 * the whole crontab is valid), then the durable spool write, then the
 * timer thread is told, then the reply. So when `crontab` reports success
 * the crontab survives a crash, and the timer thread already has it: the
 * handler takes a few milliseconds, so a crontab installed at hh:mm:59.75
 * runs at hh:mm+1.
 *
 * Allow/deny (cron.allow, cron.deny) applies to every crontab request, for
 * the user the request is about, as Debian's crontab checks allowed(User):
 * a denied user can neither install nor list nor remove (Debian refuses
 * `crontab -l` and `crontab -r` too), and root asking about a denied user
 * is refused likewise ("the user bob is not allowed to use crontab ...").
 *
 * Quota: a crontab installed by anyone but root may hold at most
 * crontab_max_bytes (crond.conf); root is exempt (it can fill the disk
 * anyway, and a system's own crontabs must never be refused), so only the
 * hard CRONTAB_MAX_BYTES applies to it. Removal works on a full file system:
 * it retries once after releasing the spool's full-disk reserve.
 *
 * Catch-up state (CRON_CATCHUP=yes: the spool's entry_state, one row per
 * entry key, written when such an entry's run starts) is forgotten for the
 * entries an install or a removal takes away (forget_states): a key is the
 * entry's source, schedule and command, so a user replacing their crontab
 * with new commands in a loop made new rows for ever (review: 1,000 a
 * minute, still there after crontab -r).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crond/control/control_handlers.h"
#include "crond/log.h"
#include "crond/sched/scheduler.h"
#include "crond/sched/timer.h"
#include "lib/crontab.h"
#include "lib/diag.h"
#include "lib/source_name.h"
#include "lib/tz.h"

#ifndef CROND_VERSION
#define CROND_VERSION "unknown"   /* the Makefile defines it */
#endif

void control_ping(struct control_ctx *ctx, const struct control_peer *peer,
                  const struct proto_msg *req, struct proto_buf *reply)
{
	(void)ctx;
	(void)peer;
	(void)req;
	control_reply_ok(reply);
	(void)proto_buf_add_str(reply, TAG_VERSION_TEXT, CROND_VERSION);
	(void)proto_buf_add_u32(reply, TAG_PID, (uint32_t)getpid());
}

static int key_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes the catch-up state of user NAME's entries that TAB (NULL: the
 * crontab was removed) does not have. A run of an old entry started just
 * before may still write its state after this: at most the user's running
 * runs, forgotten at their next install or removal. Failures are logged;
 * the crontab is installed or removed all the same. */
static void forget_states(struct control_ctx *ctx, const char *name, const struct crontab *tab)
{
	char source[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
	if (source_name_user(source, sizeof(source), name) != 0)
		return;
	struct spool_entry_state *v = NULL;
	size_t n = 0, n_keep = 0, n_gone = 0;
	struct spool_err err;
	char prefix[sizeof(source) + 1];
	snprintf(prefix, sizeof(prefix), "%s:", source);
	if (spool_state_list(ctx->sp, prefix, &v, &n, &err) != SPOOL_OK) {
		log_msg(LOG_WARNING, "(%s) catch-up state not cleared: %s", name, err.msg);
		return;
	}
	size_t n_entries = tab != NULL ? tab->n_entries : 0, n_catchup = 0;
	for (size_t i = 0; i < n_entries; i++)
		n_catchup += tab->options[tab->entries[i].options].catchup;
	char **keep = malloc((n_catchup + 1) * sizeof(*keep));
	char *keys = malloc((n_catchup + 1) * SCHEDULER_KEY_MAX);
	const char **gone = malloc((n + 1) * sizeof(*gone));
	if (keep == NULL || keys == NULL || gone == NULL) {
		log_msg(LOG_WARNING, "(%s) catch-up state not cleared: out of memory", name);
		goto out;
	}
	struct sched_source src = { .name = source };   /* the key uses the name only */
	for (size_t i = 0; i < n_entries; i++) {
		const struct crontab_entry *e = &tab->entries[i];
		if (!tab->options[e->options].catchup)
			continue;
		keep[n_keep] = keys + n_keep * SCHEDULER_KEY_MAX;
		scheduler_entry_key(&src, e, keep[n_keep], SCHEDULER_KEY_MAX);
		n_keep++;
	}
	qsort(keep, n_keep, sizeof(*keep), key_order);
	for (size_t i = 0; i < n; i++) {   /* all of them the user's */
		const char *key = v[i].key;
		if (bsearch(&key, keep, n_keep, sizeof(*keep), key_order) == NULL)
			gone[n_gone++] = key;
	}
	if (n_gone > 0 && spool_state_delete(ctx->sp, gone, n_gone, &err) != SPOOL_OK)
		log_msg(LOG_WARNING, "(%s) catch-up state not cleared: %s", name, err.msg);
out:
	free(keep);
	free(keys);
	free(gone);
	spool_states_free(v, n);
}


void control_access(struct control_ctx *ctx, const struct control_peer *peer,
                    const struct proto_msg *req, struct proto_buf *reply)
{
	char kind[8] = "";
	struct proto_field f;
	if (proto_find(req, TAG_KIND, &f, NULL) != PROTO_OK ||
	    proto_field_strcpy(&f, kind, sizeof(kind), NULL) != PROTO_OK ||
	    (strcmp(kind, "cron") != 0 && strcmp(kind, "at") != 0)) {
		control_reply_error(reply, MSGE_INVALID, "MSG_ACCESS needs a kind: cron or at");
		return;
	}
	if (control_allowed(ctx, peer, &peer->user, kind[0] == 'c' ? ACCESS_CRON : ACCESS_AT,
	                    reply) &&
	    (kind[0] == 'c' || control_at_mail_to_ok(req, reply)))
		control_reply_ok(reply);
}

/* The caller and target, allowed to use crontab: false with REPLY built. */
static bool crontab_target(struct control_ctx *ctx, const struct control_peer *peer,
                           const struct proto_msg *req, struct control_user *target,
                           struct proto_buf *reply)
{
	return control_target(peer, req, target, NULL, reply) &&
	       control_allowed(ctx, peer, target, ACCESS_CRON, reply);
}

/* ", by root" when someone else (root) acted for the owner. */
static const char *by_whom(const struct control_peer *peer, const struct control_user *target,
                           char *buf, size_t len)
{
	if (peer->user.uid == target->uid)
		return "";
	snprintf(buf, len, ", by %s", peer->user.name);
	return buf;
}

/* One TAG_DIAG per stored diagnostic ("LINE:COL:message", warnings as
 * "LINE:COL:warning: message"); only warnings when WARNINGS_ONLY. */
static void add_diags(struct proto_buf *reply, const struct diag_list *diags,
                      bool warnings_only)
{
	char line[DIAG_MSG_MAX + 64];
	for (size_t i = 0; i < diags->count; i++) {
		const struct diag *d = &diags->items[i];
		if (warnings_only && !d->warning)
			continue;
		snprintf(line, sizeof(line), "%d:%d:%s%s", d->line, d->column,
		         d->warning ? "warning: " : "", d->msg);
		(void)proto_buf_add_str(reply, TAG_DIAG, line);
	}
	if (diags->dropped > 0 && !warnings_only) {
		snprintf(line, sizeof(line), "0:0:%zu more diagnostics not shown", diags->dropped);
		(void)proto_buf_add_str(reply, TAG_DIAG, line);
	}
}

/* Parses and checks TEXT: 0 with *TAB, or -1 with the MSGE_INVALID reply
 * built. DIAGS gets the warnings either way (the caller clears it). */
static int parse_crontab(const uint8_t *text, size_t len, uid_t owner, struct crontab *tab,
                         struct diag_list *diags, struct proto_buf *reply)
{
	if (len > CRONTAB_MAX_BYTES) {
		control_reply_error(reply, MSGE_INVALID, "crontab too large (%zu bytes, limit %d)",
		                    len, CRONTAB_MAX_BYTES);
		return -1;
	}
	int rc = crontab_parse((const char *)text, len, crontab_user_format(owner), tab, diags);
	if (rc == 0)
		(void)crontab_check_zones(tab, diags);
	if (rc == 0 && diags->errors == 0)
		return 0;
	crontab_free(tab);
	size_t n = diags->errors > 0 ? diags->errors : 1;
	control_reply_error(reply, MSGE_INVALID, "crontab has %zu error%s", n, n == 1 ? "" : "s");
	add_diags(reply, diags, false);
	return -1;
}

void control_crontab_install(struct control_ctx *ctx, const struct control_peer *peer,
                             const struct proto_msg *req, struct proto_buf *reply)
{
	struct control_user target;
	if (!crontab_target(ctx, peer, req, &target, reply))
		return;
	const uint8_t *text = NULL;
	size_t len = 0;
	if (proto_get_bytes(req, TAG_TEXT, &text, &len, NULL) != PROTO_OK) {
		control_reply_error(reply, MSGE_INVALID, "the request has no crontab text");
		return;
	}
	if (peer->user.uid != 0 && len > ctx->cfg.crontab_max_bytes) {
		char msg[160];
		snprintf(msg, sizeof(msg), "refused: quota: the crontab is %zu bytes, limit "
		         "crontab_max_bytes = %u", len, (unsigned)ctx->cfg.crontab_max_bytes);
		if (control_log_refusal(&ctx->rl_quota, target.name, "quota: crontab of %zu bytes, "
		                        "limit crontab_max_bytes = %u", len,
		                        (unsigned)ctx->cfg.crontab_max_bytes))
			control_record_quota(ctx, target.name, target.uid, SPOOL_RUN_CRON,
			                     "crontab install (not installed)", msg);
		control_reply_error(reply, MSGE_QUOTA, "%s", msg);
		return;
	}
	struct crontab tab = { 0 };
	struct diag_list diags = { 0 };
	if (parse_crontab(text, len, target.uid, &tab, &diags, reply) < 0) {
		diag_list_clear(&diags);
		return;
	}
	int64_t generation = 0;
	struct spool_err err;
	if (spool_crontab_install(ctx->sp, target.name, target.uid, text, len, peer->user.uid,
	                          control_now(ctx), &generation, &err) != SPOOL_OK) {
		crontab_free(&tab);
		diag_list_clear(&diags);
		control_reply_spool_error(ctx, peer->user.name, reply, "install the crontab", &err);
		return;
	}
	size_t entries = tab.n_entries;
	forget_states(ctx, target.name, &tab);
	timer_post_crontab(ctx->c, target.name, &tab, generation, peer->user.uid == 0);   /* moves TAB */
	char by[SPOOL_NAME_MAX + 8];
	ownerlog_event(&ctx->change_log, target.name, "REPLACE", clock_now_ns(&ctx->c->clock),
	               "crontab, %zu entr%s%s", entries, entries == 1 ? "y" : "ies",
	               by_whom(peer, &target, by, sizeof(by)));
	control_reply_ok(reply);
	add_diags(reply, &diags, true);
	(void)proto_buf_add_i64(reply, TAG_GENERATION, generation);
	diag_list_clear(&diags);
}

void control_crontab_get(struct control_ctx *ctx, const struct control_peer *peer,
                         const struct proto_msg *req, struct proto_buf *reply)
{
	struct control_user target;
	if (!crontab_target(ctx, peer, req, &target, reply))
		return;
	struct spool_crontab tab;
	struct spool_err err;
	int rc = spool_crontab_get(ctx->sp, target.name, &tab, &err);
	if (rc == SPOOL_NOT_FOUND) {
		control_reply_error(reply, MSGE_NOT_FOUND, "no crontab for %s", target.name);
		return;
	}
	if (rc != SPOOL_OK) {
		control_reply_spool_error(ctx, peer->user.name, reply, "read the crontab", &err);
		return;
	}
	control_reply_ok(reply);
	(void)proto_buf_add_bytes(reply, TAG_TEXT, tab.text, tab.len);
	(void)proto_buf_add_i64(reply, TAG_TIME, tab.installed_at);
	/* The seed, not the secret: enough for `crontab --next` to show this
	 * crontab's '~' picks, nothing about anyone else's. (A name that does
	 * not fit is no crontab crond schedules: no seed, which the client
	 * takes as unknown picks.) */
	char name[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
	if (source_name_user(name, sizeof(name), target.name) == 0)
		(void)proto_buf_add_i64(reply, TAG_RANDOM_SEED,
		                        (int64_t)crontab_random_seed(ctx->c->random_secret, name));
	(void)proto_buf_add_str(reply, TAG_ZONE, tz_name(ctx->c->local_zone));
	spool_crontab_free(&tab);
}

void control_crontab_remove(struct control_ctx *ctx, const struct control_peer *peer,
                            const struct proto_msg *req, struct proto_buf *reply)
{
	struct control_user target;
	if (!crontab_target(ctx, peer, req, &target, reply))
		return;
	struct spool_err err;
	int64_t generation = 0;
	int rc = spool_crontab_remove(ctx->sp, target.name, peer->user.uid, control_now(ctx),
	                              &generation, &err);
	if (rc == SPOOL_FULL && control_use_reserve(ctx, peer->user.uid == 0, target.name,
	                                             "remove the crontab"))
		rc = spool_crontab_remove(ctx->sp, target.name, peer->user.uid, control_now(ctx),
		                          &generation, &err);
	if (rc == SPOOL_NOT_FOUND) {
		control_reply_error(reply, MSGE_NOT_FOUND, "no crontab for %s", target.name);
		return;
	}
	if (rc != SPOOL_OK) {
		control_reply_spool_error(ctx, peer->user.name, reply, "remove the crontab", &err);
		return;
	}
	forget_states(ctx, target.name, NULL);
	timer_post_remove_crontab(ctx->c, target.name, generation, peer->user.uid == 0);
	char by[SPOOL_NAME_MAX + 8];
	ownerlog_event(&ctx->change_log, target.name, "DELETE", clock_now_ns(&ctx->c->clock),
	               "crontab%s", by_whom(peer, &target, by, sizeof(by)));
	control_reply_ok(reply);
}
