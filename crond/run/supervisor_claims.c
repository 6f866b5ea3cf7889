/* crond/run/supervisor_claims.c: the supervisor's cluster part: runs held
 * for their spread delay, claimed in batches, refused for clock skew, and
 * CRON_CATCHUP runs kept while the spool is down and claimed again after.
 *
 * Runs only in the supervisor thread (DESIGN in crond/run/supervisor.h).
 * On a local spool no run is held, claimed or kept here.
 */
#include "crond/run/supervisor_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "crond/log.h"
#include "crond/run/claim.h"

#define CLAIM_LOG_EVERY_NS (10 * NS)   /* a refused or failed claim: one line per kind this often */
/* A claim to try again (CLAIM_AGAIN) waits 1 s, then twice as long each
 * time, at most CLAIM_AGAIN_MAX_NS, while its run is at most
 * CLAIM_AGAIN_LATE_NS late: a claimer stalled inside its transaction holds
 * the run until it commits (the run is its) or rolls back (it is ours,
 * late); a cut commit's claim is found on the next attempt. Past that the
 * run is given up as when the spool is out of reach. */
#define CLAIM_AGAIN_MAX_NS (30 * NS)
#define CLAIM_AGAIN_LATE_NS (600 * NS)

/* Whether a line limited by L may be logged now; *HELD gets how many were
 * held back since the last one. */
static bool claim_log_allowed(struct log_every *l, unsigned *held)
{
	return log_every_allow(l, clock_mono_ns(), CLAIM_LOG_EVERY_NS, held);
}

/* Cluster: R is not started here (clock skew, spool unreachable, unknown
 * owner); one line per kind every CLAIM_LOG_EVERY_NS. */
static void log_unclaimed(struct log_every *l, const struct run_request *r, const char *why)
{
	unsigned held = 0;
	if (!claim_log_allowed(l, &held))
		return;
	char more[64] = "";
	if (held)
		snprintf(more, sizeof(more), "; %u more not logged", held);
	log_event(r->user, "SKIP", "not run: %s%s: %.200s", why, more, r->command);
}

/* Runs kept only to settle their claims, at most: past that a run given
 * up with its claim's outcome unknown is forgotten, as before there was
 * settling (its record, if made, reads running until the next start). */
#define SETTLE_MAX (4 * CLAIM_BATCH_MAX)
#define SETTLE_AGAIN_NS (10 * NS)   /* ... tried again this often while some stay */

/* R could not be claimed: the spool is down. It is kept until the spool
 * answers again: a CRON_CATCHUP=yes run replacing an earlier missed run of
 * its entry (anacron's rule: the latest missed run, once), and a run whose
 * claim may have been made (claim_unknown), to settle that claim. A missed
 * run whose claim may have been made is not dropped when a later one of its
 * entry replaces it: it is kept to settle its claim only. */
static void keep_missed(struct super *s, struct run_request *r)
{
	if (r->claim_settle && s->n_settle >= SETTLE_MAX) {
		log_msg(LOG_WARNING, "(%s) %zu runs kept to settle their claims already; one "
		        "more forgotten: %.200s", r->user, s->n_settle, r->command);
		runreq_free(r);
		return;
	}
	for (struct mailbox_item **p = &s->missed; *p && !r->claim_settle; p = &(*p)->next) {
		struct run_request *old = (struct run_request *)(void *)*p;
		if (old->claim_settle || strcmp(old->entry_key, r->entry_key) != 0)
			continue;
		if (old->claim_unknown) {
			old->claim_settle = true;   /* replaced, but settled still */
			s->n_settle++;
			continue;
		}
		r->link.next = old->link.next;
		*p = &r->link;
		runreq_free(old);
		return;
	}
	s->n_settle += r->claim_settle;
	r->link.next = s->missed;
	s->missed = &r->link;
}

/* R's claim is to be tried again (CLAIM_AGAIN, WHY): held for its next
 * attempt, unless it is too late or cannot be held (false: the caller
 * gives it up). */
static bool claim_later(struct super *s, struct run_request *r, const char *why, int64_t now_ns)
{
	if (now_ns - r->scheduled * NS > CLAIM_AGAIN_LATE_NS)
		return false;
	int64_t wait = NS << (r->claim_tries < 5 ? r->claim_tries : 5);
	if (wait > CLAIM_AGAIN_MAX_NS)
		wait = CLAIM_AGAIN_MAX_NS;
	if (claimwait_add(&s->held, clock_mono_ns() + wait, r) < 0)
		return false;
	r->claim_tries++;
	unsigned held = 0;
	if (claim_log_allowed(&s->log_again, &held)) {
		char more[64] = "";
		if (held)
			snprintf(more, sizeof(more), "; %u more not logged", held);
		log_event(r->user, "CLAIM", "not claimed yet, trying again in %llds: %s%s: %.200s",
		          (long long)(wait / NS), why, more, r->command);
	}
	return true;
}

/* R (claim_settle) was won: its claim, made while its answer was lost or
 * made now, is this node's, and R is too late to start. Its record ends as
 * not started, so it does not read "running" until this node's next
 * start, and no node runs it. */
static void settle_late(struct super *s, struct run_request *r, int64_t now_ns)
{
	log_event(r->user, "SKIP", "not run: its claim was confirmed only %llds after its time "
	          "(the spool was out of reach): %.200s",
	          (long long)((now_ns - r->scheduled * NS) / NS), r->command);
	super_record_not_run(s, r, SPOOL_RUN_CLAIM_LATE, now_ns);
}

/* Cluster: claims the runs of BATCH that need it (claim.h), in one spool
 * call. A run that must not start here is dealt with and its BATCH slot
 * set to NULL: lost (another node runs it), refused for clock skew
 * (recorded skipped,clock-skew), or not claimed (spool unreachable, owner
 * unknown on this node: another node may take it). */
void super_claim_batch(struct super *s, struct run_request **batch, size_t n, int64_t now_ns)
{
	struct run_request *want[CLAIM_BATCH_MAX];
	uid_t uids[CLAIM_BATCH_MAX];
	size_t where[CLAIM_BATCH_MAX], m = 0;
	bool refused = atomic_load(&s->c->claims_refused);
	for (size_t i = 0; i < n; i++) {
		struct run_request *r = batch[i];
		if (!r || runreq_cancelled(r) || !claim_needed(r))
			continue;
		batch[i] = NULL;
		if (refused) {
			super_give_back(s, r);
			log_unclaimed(&s->log_skew, r, "this node's clock is off the database's by more "
			              "than max_clock_skew");
			super_record_not_run(s, r, SPOOL_RUN_CLOCK_SKEW, now_ns);
			continue;
		}
		uid_t uid = super_uid_of(s, r->user);
		if (uid == (uid_t)-1) {
			super_give_back(s, r);
			log_unclaimed(&s->log_nouser, r, "no such user on this node; left to the others");
			runreq_free(r);
			continue;
		}
		want[m] = r;
		uids[m] = uid;
		where[m++] = i;
	}
	if (!m)
		return;
	enum claim_verdict v[CLAIM_BATCH_MAX];
	struct spool_err e;
	char why[SPOOL_ERR_MSG_MAX + 32];
	if (claim_runs(recorder_spool(&s->rec), want, uids, m, now_ns, v, &e) < 0)
		snprintf(why, sizeof(why), "spool unreachable: %s", e.msg);
	for (size_t k = 0; k < m; k++) {
		struct run_request *r = want[k];
		if (v[k] == CLAIM_WON) {
			batch[where[k]] = r;
			continue;
		}
		super_give_back(s, r);
		if (v[k] == CLAIM_AGAIN && claim_later(s, r, e.msg, now_ns))
			continue;
		if (v[k] == CLAIM_LOST) {
			log_msg(LOG_DEBUG, "(%s) SKIP (claimed by another node: %.200s)", r->user,
			        r->command);
			runreq_free(r);
			continue;
		}
		if (!r->claim_settle)
			log_unclaimed(&s->log_down, r, why);
		if (r->keep_state || r->claim_unknown) {
			/* CRON_CATCHUP=yes: claimed again later; else, with its
			 * claim maybe made, only settled then */
			r->claim_settle = !r->keep_state;
			keep_missed(s, r);
		} else {
			runreq_free(r);
		}
	}
}

/* The N runs V (claim_settle), claimed again with their first start: won
 * (the lost claim was made, or none was and no node has the run) they are
 * settled; lost (another node has the run) they go; else they are kept
 * for the next try. They take no job slot: none of them starts. */
static void settle_claims(struct super *s, struct run_request **v, size_t n, int64_t now_ns)
{
	uid_t uids[CLAIM_BATCH_MAX];
	enum claim_verdict verdict[CLAIM_BATCH_MAX];
	struct spool_err e;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uids[m] = super_uid_of(s, v[i]->user);
		if (uids[m] == (uid_t)-1)
			runreq_free(v[i]);   /* the user is gone: left to this node's next start */
		else
			v[m++] = v[i];
	}
	if (!m)
		return;
	(void)claim_runs(recorder_spool(&s->rec), v, uids, m, now_ns, verdict, &e);
	for (size_t i = 0; i < m; i++) {
		if (verdict[i] == CLAIM_WON)
			settle_late(s, v[i], now_ns);
		else if (verdict[i] == CLAIM_LOST)
			runreq_free(v[i]);
		else
			keep_missed(s, v[i]);
	}
}

/* The spool answers again: the missed runs are claimed again as catch-up
 * runs of their instants; on some node one of them wins (if no other node
 * ran it meanwhile) and runs once. Runs kept only to settle their claims
 * are claimed again here, a batch at a time, at most every
 * SETTLE_AGAIN_NS while some stay unsettled. A stop forgets them: their
 * records, if made, are found interrupted at the next start. */
void super_retry_missed(struct super *s)
{
	if (!s->missed || s->stopping || atomic_load(&s->c->spool_down))
		return;
	int64_t mono = clock_mono_ns();
	bool settle_now = mono >= s->settle_mono;
	if (!settle_now && s->n_settle == 0)
		settle_now = true;   /* nothing to settle: no wait */
	struct run_request *settle[CLAIM_BATCH_MAX];
	size_t n_settle = 0;
	struct mailbox_item *it = s->missed;
	s->missed = NULL;
	s->n_settle = 0;
	int64_t now_ns = clock_now_ns(&s->c->clock);
	while (it) {
		struct mailbox_item *next = it->next;
		struct run_request *r = (struct run_request *)(void *)it;
		r->link.next = NULL;
		if (r->claim_settle && !settle_now) {
			keep_missed(s, r);
		} else if (r->claim_settle) {
			if (n_settle == CLAIM_BATCH_MAX) {
				settle_claims(s, settle, n_settle, now_ns);
				n_settle = 0;
			}
			settle[n_settle++] = r;
		} else {
			r->catchup = true;
			log_event(r->user, "CATCHUP", "%.200s missed its run while the spool was "
			          "down; claiming it once now", r->command);
			super_admit(s, r);
		}
		it = next;
	}
	if (n_settle)
		settle_claims(s, settle, n_settle, now_ns);
	if (settle_now && s->n_settle)
		s->settle_mono = mono + SETTLE_AGAIN_NS;   /* some stay: not at every pass */
}

/* Cluster: a run to be claimed waits its spread delay first (claimwait.h);
 * any other run, or one that cannot be held, is admitted now. */
void super_hold_or_admit(struct super *s, struct run_request *r)
{
	if (s->c->spool_shared && s->cfg.cluster_spread && claim_needed(r)) {
		int64_t d = claimwait_delay_ns(s->cfg.cluster_spread, r->entry_key, r->scheduled,
		                               s->c->node);
		if (claimwait_add(&s->held, clock_mono_ns() + d, r) == 0)
			return;
	}
	super_admit(s, r);
}

/* The held runs whose claim time came: admitted, to be claimed together. */
void super_release_held(struct super *s)
{
	int64_t mono = clock_mono_ns();
	struct run_request *r;
	while ((r = claimwait_pop(&s->held, mono)) != NULL)
		super_admit(s, r);
}

/* Frees every held run (at stop); how many. */
size_t super_drop_held(struct super *s)
{
	size_t n = 0;
	struct run_request *r;
	while ((r = claimwait_pop(&s->held, INT64_MAX)) != NULL) {
		runreq_free(r);
		n++;
	}
	return n;
}

void super_claims_free(struct super *s)
{
	(void)super_drop_held(s);
	claimwait_free(&s->held);
	for (struct mailbox_item *it = s->missed, *next; it; it = next) {
		next = it->next;
		runreq_free((struct run_request *)(void *)it);
	}
}
