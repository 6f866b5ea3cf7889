/* crond/control/control_limits.c: what the control thread does when a limit is
 * reached: rate-limited refusal log lines, and the spool's full-disk
 * reserve (see control_handlers.h). Runs on the control thread only.
 *
 * Refusals are logged so an administrator can see who pushes against a
 * limit, but a flood of refused connections must not become a flood of log
 * lines (syslog would pay for every one): each kind of refusal logs at most
 * CONTROL_LOG_BURST lines per CONTROL_LOG_WINDOW_MS for each user (one
 * user's flood must not hide another's refusals), and the next line logged
 * says how many were held back. The same holds for every other line
 * a client can cause at will without changing anything (a malformed or
 * abandoned request, a deadline passed, a denied user asking again):
 * a local user looping over connect() must not be able to fill /var/log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crond/control/control_handlers.h"
#include "crond/log.h"

int64_t control_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool control_log_allowed(struct control_ratelimit *rl, int64_t now_ms, unsigned *suppressed)
{
	if (rl->window_ms == 0 || now_ms - rl->window_ms >= CONTROL_LOG_WINDOW_MS) {
		rl->window_ms = now_ms;
		rl->lines = 0;
	}
	if (rl->lines >= CONTROL_LOG_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->lines++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

bool control_log_limited(struct control_ratelimit *rl, int priority, const char *fmt, ...)
{
	unsigned held = 0;
	if (!control_log_allowed(rl, control_mono_ms(), &held))
		return false;
	char line[640];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (held > 0)
		log_msg(priority, "%s (%u similar line%s not logged)", line, held,
		        held == 1 ? "" : "s");
	else
		log_msg(priority, "%s", line);
	return true;
}

_Static_assert(CONTROL_LOG_BURST == OWNERLOG_BURST &&
               CONTROL_LOG_WINDOW_MS * 1000000LL == OWNERLOG_WINDOW_NS,
               "the per-user control lines use ownerlog's table and its limit");

bool control_log_user_allowed(struct ownerlog *l, const char *who, unsigned *held,
                              bool *shared)
{
	struct ownerlog_verdict v;
	ownerlog_allow(l, who, control_mono_ms() * 1000000LL, &v);
	if (v.evicted_held > 0)
		log_msg(LOG_NOTICE, "control: %u similar line%s from %s not logged", v.evicted_held,
		        v.evicted_held == 1 ? "" : "s", v.evicted);
	*held = v.held;
	*shared = v.shared;
	return v.log;
}

/* Logs FMT for WHO through L's limit, with how many similar lines of WHO's
 * were held back before it: "LINE (N similar lines not logged)" at
 * PRIORITY, or for a REFUSAL "(WHO) REFUSED (DETAIL; N similar refusals
 * not logged)" at LOG_WARNING. False when the line was held back. */
static bool user_line(struct ownerlog *l, const char *who, int priority, bool refusal,
                      const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static bool user_line(struct ownerlog *l, const char *who, int priority, bool refusal,
                      const char *fmt, va_list ap)
{
	unsigned held;
	bool shared;
	if (!control_log_user_allowed(l, who, &held, &shared))
		return false;
	char text[640];
	vsnprintf(text, sizeof(text), fmt, ap);
	char more[96];
	ownerlog_held_note(more, sizeof(more), held, shared, refusal ? "refusal" : "line");
	if (refusal)
		log_msg(LOG_WARNING, "(%s) REFUSED (%s%s%s)", who, text, held > 0 ? "; " : "", more);
	else if (held > 0)
		log_msg(priority, "%s (%s)", text, more);
	else
		log_msg(priority, "%s", text);
	return true;
}

bool control_log_user(struct ownerlog *l, const char *who, int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool logged = user_line(l, who, priority, false, fmt, ap);
	va_end(ap);
	return logged;
}

bool control_log_refusal(struct ownerlog *l, const char *who, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool logged = user_line(l, who, LOG_WARNING, true, fmt, ap);
	va_end(ap);
	return logged;
}

void control_record_quota(struct control_ctx *ctx, const char *who, uid_t uid,
                          enum spool_run_kind kind, const char *what, const char *msg)
{
	int64_t now_ms = control_now(ctx) * 1000;
	struct spool_run run = {
		.kind = kind, .owner = who, .uid = uid,
		.entry_key = kind == SPOOL_RUN_AT ? "quota:at" : "quota:crontab",
		.command = what, .scheduled_ms = now_ms, .start_ms = now_ms, .end_ms = now_ms,
		.exit_code = -1, .flags = SPOOL_RUN_REFUSED_QUOTA,
		.output = msg, .output_len = strlen(msg), .output_total = (int64_t)strlen(msg),
	};
	struct spool_err err;
	if (spool_history_append(ctx->sp, &run, 1, &err) != SPOOL_OK)
		log_msg(LOG_WARNING, "(%s) cannot record a quota refusal: %s", who, err.msg);
}

/* ------------------------------------------------------------ reserve */

bool control_use_reserve(struct control_ctx *ctx, bool by_root, const char *who,
                         const char *what)
{
	uint64_t freed = 0;
	struct spool_err err;
	int rc = spool_reserve_release(ctx->sp, by_root, &freed, &err);
	if (rc != SPOOL_OK) {
		log_msg(LOG_ERR, "(%s) SPOOL (file system full, cannot %s: %s)", who, what,
		        rc != SPOOL_NOT_FOUND ? err.msg
		        : by_root ? "the full-disk reserves are already used"
		                  : "the full-disk reserve is already used; root's is kept for "
		                    "root's removals");
		return false;
	}
	ctx->reserve_missing = true;
	ctx->reserve_retry_ms = control_mono_ms() + ctx->reserve_every_ms;
	log_msg(LOG_WARNING, "(%s) SPOOL (file system full: released the %llu-byte full-disk "
	        "reserve to %s; crond keeps running and makes the reserve again when there is "
	        "room)", who, (unsigned long long)freed, what);
	return true;
}

void control_keep_reserve(struct control_ctx *ctx)
{
	int64_t now = control_mono_ms();
	if (!ctx->reserve_missing || now < ctx->reserve_retry_ms)
		return;
	ctx->reserve_retry_ms = now + ctx->reserve_every_ms;
	bool was_there = spool_reserve_present(ctx->sp);
	struct spool_err err;
	int rc = spool_reserve_make(ctx->sp, &err);
	if (rc == SPOOL_OK) {
		ctx->reserve_missing = false;
		if (!was_there)
			log_msg(LOG_NOTICE, "control: the spool's %d-byte full-disk reserve is in "
			        "place", SPOOL_RESERVE_BYTES);
		return;
	}
	/* Said once per retry period at most; the daemon goes on either way. */
	log_msg(LOG_WARNING, "control: no full-disk reserve for the spool (retrying every "
	        "%d s): %s", ctx->reserve_every_ms / 1000, err.msg);
}
